#!/bin/sh
# The evaluation group's order (排序): households with more of the three
# priorities (三优先) first, then lower per-capita income; households not in an
# open application are not ranked.  The village evaluation records the rank
# and the five-comparison figures it was made with.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes

poor=$(new_household 甲 "$(idno 19700101 013)" 1000)
poorer=$(new_household 乙 "$(idno 19710101 015)" 800)
old=$(lika --data t household add --village 522701101001 --head-name 丙 --head-idcard "$(idno 19450101 017)" \
    --main-cause 缺劳力 --attribute 一般贫困户 --flags 独生子女户) || fail "household add: $old"
lika --data t income set "$old" 2013 --wages 2000 >/dev/null || fail "income"
gone=$(new_household 丁 "$(idno 19720101 019)" 500)
for x in "$poor" "$poorer" "$old" "$gone"; do
	at 2014-06-01 lika --data t review apply "$x" >/dev/null || fail "apply $x"
done
at 2014-06-01 lika --data t review group-eval "$gone" --reject --reasons "外出务工收入未申报" >/dev/null \
    || fail "reject"

expect_exit 0 at 2014-06-02 lika --data t review rank 522701101001 --json
note "$OUT"
expect_in "$OUT" '"rank":1,"household":"'"$old"'","head":"丙","priorities":\["独生子女的老人"\]'
expect_in "$OUT" '"rank":2,"household":"'"$poorer"'"'
expect_in "$OUT" '"rank":3,"household":"'"$poor"'"'
printf '%s' "$OUT" | grep -q "$gone" && fail "a rejected household is ranked"
expect_exit 0 at 2014-06-02 lika --data t review rank 522701101001
expect_in "$OUT" "独生子女的老人"

at 2014-06-02 lika --data t review group-eval "$poor" >/dev/null || fail "group-eval"
expect_exit 0 at 2014-06-02 lika --data t review village-eval "$poor" --panel "$PANEL" --for 7 --against 1 \
    --abstain 1 --assets 8000 --consumption 2500
expect_exit 0 lika --data t review show "$poor" --json
expect_in "$OUT" '"rank":3,"of":3'
expect_in "$OUT" '"votes":{"for":7,"against":1,"abstain":1}'
expect_in "$OUT" '"net_per_capita_fen":100000'
expect_in "$OUT" '"main_source":"wages"'
expect_in "$OUT" '"assets_fen":800000,"consumption_fen":250000'
expect_exit 2 lika --data t review rank 52270110100
verify_ok t
note "ok"
