#!/bin/sh
# Every node checks every rule on what it applies, not only the tool that
# writes.  Modified townships (tests/tools/forge: lib/core only, no rules)
# append validly signed change sets that break the plan's rules: skip the
# first notice, register before the county notice ended, backdate a step by
# a year, exceed a village quota, carry a member name with ESC and NUL, carry
# a 30,000-byte field.  Each reaches the real hub over the wire and is
# quarantined with its rule named; `lika status` at the county shows it; the
# writing township's `lika verify` names the change set and the rule.  And
# the county refuses to approve a household whose member is registered in
# another township's household, until the duplicate is resolved.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
FORGE="$LIKA_UNIT/forge"
TAMPERED="t t2 t3 t4 t5 t6"     # each holds a forged change set
proc_nodes

# township DIR CODE: another township of the county, admitted, running, with village 001
township() {
	mk_township "$1" "$2" county "$port"
	fast_sync "$1"
	admit county "$1" "$2"
	start_likad "$1"
	lika --data "$1" village add "${2}001" 一村 >/dev/null || fail "village add $2"
}
for n in 2 3 4 5 6 7; do township t$n 52270110$n; done
keypass cadre2
lika --data county official add --role village-cadre --name 孙驻村 --office 522701102001 \
    --out cadre2.key --kdf-cost interactive --passphrase-fd 3 3<cadre2.pass >/dev/null || fail "official add cadre2"
lika --data county quota set 522701102001 2014 1 >/dev/null || fail "quota set"
for n in 2 3 4 5 6 7; do
	wait_for 30 "county feed at t$n" has_head t$n 522701 "$(head_of county 522701)"
done

# household DIR VILLAGE NAME IDNO: a household with its head and 1500 yuan in 2013
household() {
	h=$(lika --data "$1" household add --village "$2" --head-name "$3" --head-idcard "$4" \
	    --main-cause 因病 --attribute 一般贫困户) || fail "household add $3: $h"
	lika --data "$1" income set "$h" 2013 --wages 1500 >/dev/null || fail "income set $h"
	echo "$h"
}
# first_steps DIR H: application, group and village evaluation (2014-06-01)
first_steps() {
	for s in apply group-eval; do
		at 2014-06-01 lika --data "$1" review $s "$2" >/dev/null || fail "$s $2"
	done
	at 2014-06-01 lika --data "$1" review village-eval "$2" --panel "$PANEL" --for 9 >/dev/null \
	    || fail "village-eval $2"
}
# hash_of DIR STEPKEY: SQL that reads the record hash an earlier step bound
hash_of() { echo "SELECT record_hash FROM review_step WHERE id = '$2'"; }
# forged_step DIR H NN STEP DATE [COL=VALUE…]: a step row written behind lika's back
forged_step() {
	d=$1 h=$2 nn=$3 step=$4 date=$5; shift 5
	LIKA_TODAY=$date "$FORGE" "$d" upsert review_step "$h/01/$nn" household="$h" round:=1 \
	    procedure=entry step="$step" decision=pass at="$date" "$@" || fail "forge $step at $d"
}
# refused_at_hub CODE RULE: the hub quarantines CODE's change set naming RULE, freezes its feed
refused_at_hub() {
	wait_for 30 "the hub to refuse $1 ($2)" sh -c "sqlite3 county/lika.db \"SELECT 1 FROM \
quarantine WHERE origin = '$1' AND reason LIKE '%rule $2%'\" | grep -q 1"
	[ "$(sqlite3 county/lika.db "SELECT frozen IS NOT NULL FROM feed WHERE origin = '$1'")" = 1 ] \
	    || fail "feed $1 is not frozen at the hub"
	note "$1: $(sqlite3 county/lika.db "SELECT reason FROM quarantine WHERE origin = '$1'" | head -1)"
}
# verify_names DIR CODE SEQ RULE: lika verify at DIR fails naming (CODE, SEQ) and RULE
verify_names() {
	expect_exit 1 lika --data "$1" verify
	expect_in "$OUT" "origin $2 seq $3"
	expect_in "$OUT" "rule $4"
}

note "one person in one household: the county refuses the approval while a duplicate stands"
p=$(idno 19500101 011)
hg=$(household t 522701101001 张一 "$p")
walk_township "$hg"
hq=$(household t7 522701107001 钱七 "$(idno 19600101 033)")
lika --data t7 member add "$hq" --name 张一 --idcard "$p" --relation 其他 >/dev/null || fail "member add"
wait_for 30 "t7 at the county" has_head county 522701107 "$(head_of t7 522701107)"
sync_to_county
expect_exit 2 at 2014-06-16 lika --data county review county-approve "$hg" --key office.key --passphrase-fd 3 3<office.pass
expect_in "$OUT" "refused (member-elsewhere)"
expect_in "$OUT" "$hq"
m=$(sqlite3 t7/lika.db "SELECT id FROM member WHERE idcard = '$p'")
lika --data t7 member remove "$m" >/dev/null || fail "member remove"
wait_for 30 "t7 at the county" has_head county 522701107 "$(head_of t7 522701107)"
expect_exit 0 at 2014-06-16 lika --data county review county-approve "$hg" --key office.key --passphrase-fd 3 3<office.pass
at 2014-06-16 lika --data county review county-notice "$hg" --key office.key --passphrase-fd 3 3<office.pass >/dev/null \
    || fail "county-notice"
sync_to_township

note "register before the county notice ended (it runs 2014-06-16 … 06-30)"
forged_step t "$hg" 11 register 2014-06-20 "record_hash@=$(hash_of t "$hg/01/08")"
seq_a=$(head_of t 522701101)
refused_at_hub 522701101 notice-period

note "exceed the village quota (1 household for 522701102001 in 2014)"
h1=$(household t2 522701102001 周一 "$(idno 19700101 051)")
h2=$(household t2 522701102001 周二 "$(idno 19700101 073)")
for h in "$h1" "$h2"; do
	first_steps t2 "$h"
	at 2014-06-01 lika --data t2 review notice "$h" >/dev/null || fail "notice $h"
	at 2014-06-08 lika --data t2 review cadre-sign "$h" --key cadre2.key --passphrase-fd 3 3<cadre2.pass >/dev/null || fail "cadre-sign $h"
done
at 2014-06-08 lika --data t2 review township-review "$h1" >/dev/null || fail "township-review $h1"
expect_exit 2 at 2014-06-08 lika --data t2 review township-review "$h2"
expect_in "$OUT" "refused (quota)"
forged_step t2 "$h2" 06 township_review 2014-06-08 "record_hash@=$(hash_of t2 "$h2/01/05")"
refused_at_hub 522701102 quota

note "skip the first notice: township review right after the village evaluation"
h=$(household t3 522701103001 吴一 "$(idno 19700101 095)")
first_steps t3 "$h"
forged_step t3 "$h" 06 township_review 2014-06-08 "record_hash@=$(hash_of t3 "$h/01/03")"
refused_at_hub 522701103 order

note "backdate a step by a year"
h=$(household t4 522701104001 郑一 "$(idno 19700101 117)")
LIKA_TODAY=2014-06-01 "$FORGE" t4 upsert review_step "$h/01/01" household="$h" round:=1 \
    procedure=entry step=apply decision=apply at=2013-06-01 || fail "forge backdated apply"
refused_at_hub 522701104 step-backdated

note "a member name with ESC and NUL"
h=$(household t5 522701105001 王一 "$(idno 19700101 139)")
"$FORGE" t5 upsert member "$h/02" household="$h" 'name=王\x1b[31m\x00<script>' \
    idcard="$(idno 19900101 152)" relation=04 sex=02 || fail "forge name"
refused_at_hub 522701105 field

note "a 30,000-byte field"
h=$(household t6 522701106001 冯一 "$(idno 19700101 174)")
"$FORGE" t6 upsert household "$h" 'address*=30000:A' || fail "forge address"
refused_at_hub 522701106 field

note "the county's status shows every refusal"
OUT=$(lika --data county status --no-color 2>&1) && fail "status at the county exits 0 with refusals"
for r in notice-period quota order step-backdated field; do expect_in "$OUT" "rule $r"; done
for c in 522701101 522701102 522701103 522701104 522701105 522701106; do expect_in "$OUT" "$c"; done

note "nothing refused is in the county's state, and its ledger verifies"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM review_step WHERE id = '$hg/01/11'")" = 0 ] \
    || fail "the early registration is in the county's state"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM review_step WHERE id = '$h2/01/06'")" = 0 ] \
    || fail "the quota-breaking review is in the county's state"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM household WHERE length(address) > 1000")" = 0 ] \
    || fail "the 30,000-byte address is in the county's state"
verify_ok county

note "each writing township's verify names its forged change set and the rule"
verify_names t 522701101 "$seq_a" notice-period
verify_names t2 522701102 "$(head_of t2 522701102)" quota
verify_names t3 522701103 "$(head_of t3 522701103)" order
verify_names t4 522701104 "$(head_of t4 522701104)" step-backdated
verify_names t5 522701105 "$(head_of t5 522701105)" field
verify_names t6 522701106 "$(head_of t6 522701106)" field
note "ok"
