#!/bin/sh
# tests/demo.sh — a county hub and three townships on this machine (make demo).
#
# Creates the four nodes in a temporary directory, puts the townships on the
# county roster, writes villages and imports a few hundred households, starts
# the four daemons on loopback, takes one township offline and back, and
# shows that every node ends up with what it should: the hub every
# township's feed, each township the county feed.  One household then walks the identification procedure
# (three levels, three notices, signed by the officials' keys) across a
# township and the county.  Then lika verify everywhere, and a clean stop.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here
PATH="$here/bin:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/lika-demo.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
cd "$work"

say() { printf '\n== %s\n' "$*"; }
free_port() {
	if command -v /usr/bin/python3 >/dev/null; then
		/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
	else
		echo $((20000 + $$ % 20000))
	fi
}
key() { lika --data "$1" whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/'; }
head_of() {
	lika --data "$1" log --origin "$2" --json | tr '{' '\n' | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' | tail -1 | grep . || echo 0
}
has() { [ "$(head_of "$1" "$2")" -ge "$3" ]; }     # has DIR ORIGIN SEQ
start() {
	likad --data "$1" -f >> "$1.log" 2>&1 &
	eval "pid_$1=$!"
	pids="$pids $!"
}
stop() {
	eval "p=\$pid_$1"
	kill -TERM "$p"; wait "$p" || true
}
wait_until() {     # wait_until SECONDS CMD...
	end=$(( $(date +%s) + $1 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || { echo "demo: timed out: $*" >&2; exit 1; }
		sleep 0.2
	done
}
fast() {
	sed -i -e 's/^heartbeat_ms = .*/heartbeat_ms = 500/' \
	    -e 's/^timeout_ms = .*/timeout_ms = 3000\nreconnect_max_ms = 1000/' "$1/lika.conf"
}

port=$(free_port)
county=110101
towns="110101001 110101002 110101003"

say "county hub $county listening on tcp://127.0.0.1:$port (in $work)"
lika --data county init --role county --node $county --name 东城县 --listen "tcp://127.0.0.1:$port"
fast county
for t in $towns; do
	say "township $t: node, key, and the county's roster entry for it"
	lika --data "t$t" init --role township --node "$t" --name "乡镇$t" \
	    --county-key "$(key county)" --hub "tcp://127.0.0.1:$port"
	fast "t$t"
	lika --data county roster add-township "$t" "$(key "t$t")" "乡镇$t"
done
lika --data county policy set poverty_line 2023 2300 "国家扶贫标准（元/年）"

say "each township records villages and village groups (one change set each)"
for t in $towns; do
	for v in 1 2 3 4 5 6 7 8 9; do
		lika --data "t$t" village add "${t}00$v" "村$v" >/dev/null
		for g in 1 2 3 4 5 6 7; do
			lika --data "t$t" village group add "${t}00$v" "第${g}组" >/dev/null
		done
	done
done

say "each township imports 100 households with 4 members each (a spreadsheet, in batches)"
for t in $towns; do
	villages=""
	for v in 1 2 3 4 5 6 7 8 9; do villages="$villages${villages:+,}${t}00$v"; done
	/usr/bin/python3 "$src/tests/bench/gen_households.py" "g$t" --households 100 \
	    --villages "$villages" --seed "${t#110101}" >/dev/null
	lika --data "t$t" import households "g$t/households.csv" | tail -1
	lika --data "t$t" import members "g$t/members.csv" | tail -1
	echo "township $t: $(head_of "t$t" "$t") change sets"
done

say "starting the four daemons"
start county
for t in $towns; do start "t$t"; done
for t in $towns; do wait_until 30 has county "$t" "$(head_of "t$t" "$t")"; done
echo "the hub holds every township's feed"

say "township 110101003 goes offline and keeps working"
stop t110101003
for g in 1 2 3 4 5 6 7 8 9; do lika --data t110101003 village group add 110101003009 "新$g组" >/dev/null; done
/usr/bin/python3 "$src/tests/bench/gen_households.py" g-offline --households 30 \
    --villages 110101003009 --seed 99 >/dev/null
lika --data t110101003 import households g-offline/households.csv | tail -1
lika --data t110101003 status | sed -n '3,4p'
lika --data county policy set poverty_line 2024 2400 "调整后标准"
echo "township 110101003 now has $(head_of t110101003 110101003), the hub $(head_of county 110101003)"

say "township 110101003 comes back"
start t110101003
want=$(head_of t110101003 110101003)
wait_until 30 has county 110101003 "$want"
ch=$(head_of county $county)
for t in $towns; do wait_until 30 has "t$t" $county "$ch"; done

say "feed heads at every node (origin: seq)"
printf '%-12s' node; for o in $county $towns; do printf '%11s' "$o"; done; echo
for n in county $(for t in $towns; do echo "t$t"; done); do
	printf '%-12s' "$n"
	for o in $county $towns; do printf '%11s' "$(head_of "$n" "$o")"; done
	echo
done

say "one household through the identification procedure (三级复审，三榜公示)"
t=t110101001
# officials' keys are encrypted with a passphrase; the demo reads it from a file
# (--passphrase-fd); in an office it is typed at the terminal
echo "demo-passphrase" > demo.pass
for o in "village-cadre 王驻村 110101001001 cadre" "township-head 李乡长 110101001 head" \
    "county-office 赵主任 110101 office"; do
	set -- $o
	lika --data county official add --role "$1" --name "$2" --office "$3" --out "$4.key" \
	    --kdf-cost interactive --passphrase-fd 3 3<demo.pass
done
lika --data county policy set poverty_line 2013 2300 "国家扶贫标准（元/年）" >/dev/null
wait_until 30 has $t $county "$(head_of county $county)"
idno=$(/usr/bin/python3 -c 'import sys; s="522701195001010113"[:17]; w=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]; print(s+"10X98765432"[sum(int(a)*b for a,b in zip(s,w))%11])')
h=$(lika --data $t household add --village 110101001001 --head-name 张老汉 --head-idcard "$idno" \
    --main-cause 因病 --attribute 一般贫困户)
lika --data $t income set "$h" 2013 --wages 1800 >/dev/null
echo "household $h: one person, 1800 yuan a year (the line: 2300)"
# the notices run 7, 7 and 15 days: the test clock moves forward from today
day() { date -d "+$1 days" +%Y-%m-%d; }
step() { d=$(day "$1"); shift; LIKA_TODAY=$d lika --data "$@" 3<demo.pass | sed "s/^/$d  /"; }
step 0 $t review apply "$h"
step 0 $t review group-eval "$h" --by 一组村民小组
step 1 $t review village-eval "$h" --panel 赵一,钱二,孙三,李四,周五,吴六,郑七,王八,冯九 --for 9
step 1 $t review notice "$h"
step 8 $t review cadre-sign "$h" --key cadre.key --passphrase-fd 3
step 8 $t review township-review "$h"
step 8 $t review township-notice "$h"
step 15 $t review head-sign "$h" --key head.key --passphrase-fd 3
wait_until 30 has county 110101001 "$(head_of $t 110101001)"
step 16 county review county-approve "$h" --key office.key --passphrase-fd 3
step 16 county review county-notice "$h" --key office.key --passphrase-fd 3
wait_until 30 has $t $county "$(head_of county $county)"
step 31 $t review register "$h"
step 34 $t measure add "$h" --category production --project 养牛 --funds 5000 --deadline "$(day 200)"
lika --data $t review show "$h" | tail -4
wait_until 30 has county 110101001 "$(head_of $t 110101001)"

say "sync status at the county hub (lika status)"
lika --data county status --no-color || true

say "county policy as seen at township 110101001"
lika --data t110101001 policy list

say "stopping the daemons (SIGTERM)"
for t in $towns; do stop "t$t"; done
stop county
pids=""

say "lika verify at every node"
lika --data county verify
for t in $towns; do lika --data "t$t" verify; done
say "demo finished"
