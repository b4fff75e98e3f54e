# tests/system/proc.sh — set-up shared by the procedure tests (sourced after lib.sh).
#
# proc_nodes: county 522701 in ./county and township 522701101 in ./t with village
#   522701101001 一村, both likad running over a real hub; officials with keys
#   cadre.key (village cadre), head.key (township head), office.key (county
#   office); poverty line 2300 from 2013.  Waits until the township holds them.
# idno BIRTH SEQ: a valid 18-character ID number (address 522701) born BIRTH
#   (YYYYMMDD) with 3-digit sequence SEQ (odd male, even female).
# new_household NAME IDNO WAGES_YUAN [YEAR]: a household in village 001 with
#   its head and one year's income; prints the id.
# sync_to_county / sync_to_township: wait until the other node holds this
#   node's whole feed.
# at DATE CMD...: run CMD with the test clock at DATE (2014-06-01 otherwise).
# keypass NAME: the passphrase of the official's key NAME.key into NAME.pass;
#   the tests give it on descriptor 3 (--key NAME.key --passphrase-fd 3 3<NAME.pass).

keypass() { printf '%s\n' "$1 的口令 passphrase" > "$1.pass"; }

idno() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys
s = "522701" + sys.argv[1] + sys.argv[2]
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print(s + "10X98765432"[sum(int(a) * b for a, b in zip(s, w)) % 11])
PY
}

at() { _at=$1; shift; LIKA_TODAY=$_at "$@"; }

# The procedure tests live in June 2014: every command and daemon runs on the
# test clock, which also stamps change sets, so a step dated by it is not
# "backdated" against its own change set's clock (rule step-backdated).
export LIKA_TODAY=2014-06-01

sync_to_county() {
	wait_for 30 "township feed at the county" has_head county 522701101 "$(head_of t 522701101)"
}
sync_to_township() {
	wait_for 30 "county feed at the township" has_head t 522701 "$(head_of county 522701)"
}

proc_nodes() {
	port=$(free_port)
	mk_county county 522701 "$port"
	fast_sync county
	mk_township t 522701101 county "$port"
	fast_sync t
	admit county t 522701101
	start_likad county
	start_likad t
	for k in cadre head office; do keypass $k; done
	lika --data county official add --role village-cadre --name 王驻村 --office 522701101001 \
	    --out cadre.key --kdf-cost interactive --passphrase-fd 3 3<cadre.pass >/dev/null || fail "official add cadre"
	lika --data county official add --role township-head --name 李乡长 --office 522701101 \
	    --out head.key --kdf-cost interactive --passphrase-fd 3 3<head.pass >/dev/null || fail "official add head"
	lika --data county official add --role county-office --name 赵主任 --office 522701 \
	    --out office.key --kdf-cost interactive --passphrase-fd 3 3<office.pass >/dev/null || fail "official add office"
	lika --data county policy set poverty_line 2013 2300 "国家扶贫标准" >/dev/null || fail "policy set"
	lika --data t village add 522701101001 一村 >/dev/null || fail "village add"
	sync_to_township
}

new_household() {
	h=$(lika --data t household add --village 522701101001 --head-name "$1" --head-idcard "$2" \
	    --main-cause 因病 --attribute 一般贫困户) || fail "household add $1: $h"
	lika --data t income set "$h" "${4:-2013}" --wages "$3" >/dev/null || fail "income set $h"
	echo "$h"
}

# panel of nine evaluation-group members
PANEL="赵一,钱二,孙三,李四,周五,吴六,郑七,王八,冯九"

# walk_township H: the township's steps from application to the head's
# signature (first notice from 2014-06-01, second from 2014-06-08).
walk_township() {
	for s in apply group-eval; do
		at 2014-06-01 lika --data t review $s "$1" >/dev/null || fail "$s $1"
	done
	at 2014-06-01 lika --data t review village-eval "$1" --panel "$PANEL" --for 9 >/dev/null \
	    || fail "village-eval $1"
	at 2014-06-01 lika --data t review notice "$1" >/dev/null || fail "notice $1"
	at 2014-06-08 lika --data t review cadre-sign "$1" --key cadre.key --passphrase-fd 3 3<cadre.pass >/dev/null || fail "cadre-sign $1"
	at 2014-06-08 lika --data t review township-review "$1" >/dev/null || fail "township-review $1"
	at 2014-06-08 lika --data t review township-notice "$1" >/dev/null || fail "township-notice $1"
	at 2014-06-15 lika --data t review head-sign "$1" --key head.key --passphrase-fd 3 3<head.pass >/dev/null || fail "head-sign $1"
}

# walk_county H: county approval and notice (from 2014-06-16), then back down.
walk_county() {
	sync_to_county
	at 2014-06-16 lika --data county review county-approve "$1" --key office.key --passphrase-fd 3 3<office.pass >/dev/null \
	    || fail "county-approve $1"
	at 2014-06-16 lika --data county review county-notice "$1" --key office.key --passphrase-fd 3 3<office.pass >/dev/null \
	    || fail "county-notice $1"
	sync_to_township
}
