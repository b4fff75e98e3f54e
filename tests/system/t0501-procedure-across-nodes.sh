#!/bin/sh
# A household walks the whole identification procedure (三级复审，三榜公示)
# across a township node and the county node, with real likad daemons over
# the hub: application and two evaluations at the village, first notice,
# cadre's signature, township review and notice, the head's signature and
# seal, county approval and notice (county feed), registration at the
# township; then assistance and a helper.  Every node verifies afterwards.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes
lika --data county quota set 522701101 2014 10 >/dev/null || fail "quota"
lika --data county quota set 522701101001 2014 5 >/dev/null || fail "quota"
sync_to_township

h=$(new_household 张三 "$(idno 19500101 011)" 1800)
lika --data t member add "$h" --name 张小 --idcard "$(idno 19800101 022)" --relation 之女 \
    --health 残疾 >/dev/null || fail "member add"
lika --data t income set "$h" 2013 --wages 3000 --transfers 600 >/dev/null || fail "income"
note "household $h: per-capita 1800 yuan, elderly head with a disabled daughter"

expect_exit 0 at 2014-06-01 lika --data t review apply "$h"
expect_exit 0 at 2014-06-02 lika --data t review group-eval "$h" --by 一组村民小组
expect_exit 0 at 2014-06-02 lika --data t review rank 522701101001 --json
expect_in "$OUT" '"rank":1,"household":"'"$h"'"'
expect_in "$OUT" "残疾子女的老人"
expect_exit 0 at 2014-06-03 lika --data t review village-eval "$h" --panel "$PANEL" --for 8 --against 1 \
    --assets 12000 --consumption 3000
expect_exit 0 at 2014-06-03 lika --data t review notice "$h"
expect_in "$OUT" "7 days 2014-06-03 to 2014-06-09"
expect_exit 0 at 2014-06-10 lika --data t review cadre-sign "$h" --key cadre.key --passphrase-fd 3 3<cadre.pass
expect_in "$OUT" "signed by 522701101001/001 王驻村"
expect_exit 0 at 2014-06-10 lika --data t review township-review "$h"
expect_exit 0 at 2014-06-10 lika --data t review township-notice "$h"
expect_exit 0 at 2014-06-17 lika --data t review head-sign "$h" --key head.key --passphrase-fd 3 3<head.pass
expect_in "$OUT" "sealed by 522701101"

note "the file reaches the county; the county office approves and posts the third notice"
sync_to_county
expect_exit 0 lika --data county review show "$h"
expect_in "$OUT" "乡镇长签字并加盖公章"
expect_exit 0 at 2014-06-18 lika --data county review county-approve "$h" --key office.key --passphrase-fd 3 3<office.pass
expect_exit 0 at 2014-06-18 lika --data county review county-notice "$h" --key office.key --passphrase-fd 3 3<office.pass
expect_in "$OUT" "15 days 2014-06-18 to 2014-07-02"

note "the county's decision flows down; the township registers after the notice"
sync_to_township
expect_exit 2 at 2014-06-25 lika --data t review register "$h"
expect_in "$OUT" "refused (notice-period)"
expect_exit 0 at 2014-07-03 lika --data t review register "$h"
expect_exit 0 lika --data t review show "$h" --json
expect_in "$OUT" '"status":"03"'
expect_in "$OUT" '"approval_stale":false'
expect_in "$OUT" '"by":"一组村民小组"'
expect_in "$OUT" '"official_name":"赵主任","by":"赵主任"'
for s in apply group_eval village_eval village_notice cadre_sign township_review township_notice \
    head_sign county_approval county_notice register; do
	expect_in "$OUT" "\"step\":\"$s\""
done

note "after registration: a measure and a helper"
expect_exit 0 at 2014-07-05 lika --data t measure add "$h" --category production --project 养牛 \
    --funds 5000 --deadline 2014-12-31
expect_exit 0 at 2014-07-05 lika --data t helper assign "$h" --name 刘帮扶 --unit 县农业局 \
    --level 县级 --phone 13900000000
expect_exit 0 lika --data t helper list "$h"
expect_in "$OUT" "刘帮扶"

sync_to_county
expect_exit 0 lika --data county review show "$h" --json
expect_in "$OUT" '"status":"03"'
verify_ok t
verify_ok county
note "ok"
