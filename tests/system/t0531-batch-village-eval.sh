#!/bin/sh
# A batch step: village-eval for the 50 households of a village in one change
# set, 3 of them ineligible (two above the poverty line, one with a recorded
# exclusion): 47 stepped, the 3 named with their rules and left out.  The
# evaluation group (评议小组) is recorded once and named by every step; the
# cadre signs 47 households in one change set with one passphrase.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes
seqs() { head_of t 522701101; }

note "50 households of village 001"
i=0
while [ $i -lt 50 ]; do
	i=$((i + 1))
	new_household "户主$i" "$(idno 19700101 "$(printf %03d $((i * 2 - 1)))")" 1500 >/dev/null
done
[ "$(lika --data t household list | wc -l)" -ge 50 ] || fail "50 households"

note "apply and group-eval as batches: every waiting household, one change set each"
before=$(seqs)
at 2014-06-01 lika --data t review apply --village 522701101001 --all-waiting > out.txt || fail "batch apply: $(cat out.txt)"
expect_in "$(cat out.txt)" "50 households of village 522701101001 stepped in one change set, 0 refused"
[ "$(seqs)" -eq $((before + 1)) ] || fail "batch apply wrote $(( $(seqs) - before )) change sets"
at 2014-06-01 lika --data t review group-eval --village 522701101001 --all-waiting >/dev/null || fail "batch group-eval"

H1=522701101000001 H2=522701101000002 H3=522701101000003 H10=522701101000010
note "three become ineligible: two above the line, one excluded (三不评)"
lika --data t income set $H2 2013 --wages 9000 >/dev/null || fail "income $H2"
lika --data t income set $H3 2013 --wages 8000 >/dev/null || fail "income $H3"
at 2014-06-01 lika --data t review exclude $H10 crime --source "县公安局" >/dev/null || fail "exclude"

note "no evaluation group yet: refused before anything is written"
before=$(seqs)
expect_exit 2 at 2014-06-01 lika --data t review village-eval --village 522701101001 --all-waiting --for 9
expect_in "$OUT" "no evaluation group of village 522701101001 for 2014"
[ "$(seqs)" = "$before" ] || fail "a refused batch wrote"
expect_exit 0 lika --data t village eval-group set 522701101001 2014 --members "$PANEL" --date 2014-05-20
expect_exit 2 lika --data t village eval-group set 522701101001 2014 --members "赵一,钱二" --date 2014-05-20
expect_in "$OUT" "refused (eval-group)"

note "the batch village-eval: 47 in one change set, 3 refused with their rules"
before=$(seqs)
expect_exit 1 at 2014-06-01 lika --data t review village-eval --village 522701101001 --all-waiting --for 9
expect_in "$OUT" "47 households of village 522701101001 stepped in one change set, 3 refused"
[ "$(printf '%s\n' "$OUT" | grep -c 'refused (poverty-line)')" = 2 ] || fail "two poverty-line refusals: $OUT"
[ "$(printf '%s\n' "$OUT" | grep -c 'refused (three-exclusions)')" = 1 ] || fail "one exclusion: $OUT"
for h in $H2 $H3 $H10; do expect_in "$OUT" "$h"; done
[ "$(seqs)" -eq $((before + 1)) ] || fail "the batch wrote $(( $(seqs) - before )) change sets, not 1"
[ "$(lika --data t log --origin 522701101 --json | tr '{' '\n' | grep -c '"seq":'"$(seqs)"',')" = 1 ] \
    || fail "no change set $(seqs)"
OUT=$(lika --data t review show $H1) || fail "show $H1"
expect_in "$OUT" "村级评议"
OUT=$(lika --data t review show $H2)
printf '%s\n' "$OUT" | grep -q "村级评议" && fail "refused $H2 was stepped"
OUT=$(lika --data t review show $H1 --json)
expect_in "$OUT" "冯九"

note "named households: one not of the village, one not waiting"
expect_exit 1 at 2014-06-01 lika --data t review notice --village 522701101001 --households $H1,$H2,522701101000099
expect_in "$OUT" "refused (household-known)"
expect_in "$OUT" "refused (order)"
expect_in "$OUT" "1 household of village 522701101001 stepped in one change set, 2 refused"
expect_exit 2 lika --data t review notice --village 522701101001 --households $H1 --all-waiting
expect_exit 2 lika --data t review notice --village 522701102001 --all-waiting
expect_exit 2 lika --data t review notice --village 522701101001 --households "$H1,$H1"
expect_in "$OUT" "named twice"

note "the rest of the first notice, then the cadre signs 47 in one change set"
at 2014-06-01 lika --data t review notice --village 522701101001 --all-waiting >/dev/null || fail "batch notice"
before=$(seqs)
expect_exit 0 at 2014-06-08 lika --data t review cadre-sign --village 522701101001 --all-waiting \
    --key cadre.key --passphrase-fd 3 3<cadre.pass
expect_in "$OUT" "47 households of village 522701101001 stepped in one change set, 0 refused"
expect_in "$OUT" "signed by 522701101001/001 王驻村"
[ "$(seqs)" -eq $((before + 1)) ] || fail "cadre-sign batch: $(( $(seqs) - before )) change sets"
verify_ok t
sync_to_county
verify_ok county
OUT=$(lika --data county review show $H1) || fail "county show"
expect_in "$OUT" "驻村干部签字"
note "ok"
