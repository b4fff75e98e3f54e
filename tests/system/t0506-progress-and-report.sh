#!/bin/sh
# Progress against the plan's schedule (per village at the township, per
# township at the county) and the summary report in text, HTML and CSV.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes
lika --data county quota set 522701101001 2014 3 >/dev/null || fail "quota"

r=$(new_household 登记 "$(idno 19600101 011)" 1500)
walk_township "$r"
walk_county "$r"
at 2014-07-01 lika --data t review register "$r" >/dev/null || fail "register"
at 2014-07-01 lika --data t measure add "$r" --category training --project 电焊培训 --funds 800 \
    --deadline 2014-09-30 >/dev/null || fail "measure"
at 2014-07-01 lika --data t helper assign "$r" --name 刘帮扶 --unit 县农业局 --level 县级 \
    --phone 13900000000 >/dev/null || fail "helper"

n1=$(new_household 公示 "$(idno 19610101 013)" 1500)
for s in apply group-eval; do at 2014-06-20 lika --data t review $s "$n1" >/dev/null || fail "$s"; done
at 2014-06-20 lika --data t review village-eval "$n1" --panel "$PANEL" --for 9 >/dev/null || fail "eval"
at 2014-06-20 lika --data t review notice "$n1" >/dev/null || fail "notice"

n2=$(new_household 逾期 "$(idno 19620101 015)" 1500)
for s in apply group-eval; do at 2014-06-01 lika --data t review $s "$n2" >/dev/null || fail "$s"; done
at 2014-06-01 lika --data t review village-eval "$n2" --panel "$PANEL" --for 9 >/dev/null || fail "eval"
at 2014-06-01 lika --data t review notice "$n2" >/dev/null || fail "notice"

x=$(new_household 退回 "$(idno 19630101 017)" 1500)
at 2014-06-01 lika --data t review apply "$x" >/dev/null || fail "apply"
at 2014-06-01 lika --data t review group-eval "$x" --reject --reasons "收入核实不符" >/dev/null || fail "reject"

expect_exit 0 at 2014-06-22 lika --data t progress --json
note "$OUT"
expect_in "$OUT" '"code":"522701101001"'
expect_in "$OUT" '"households":4'
expect_in "$OUT" '"registered":1'
expect_in "$OUT" '"rejected":1'
expect_in "$OUT" '"village_notice":2'
expect_in "$OUT" '"notices_running":1,"notices_overdue":1,"behind_schedule":2'
expect_in "$OUT" '"quota":3,"quota_used":1'
expect_in "$OUT" '"training":1'
expect_exit 0 at 2014-06-22 lika --data t progress
expect_in "$OUT" "522701101001"

sync_to_county
expect_exit 0 at 2014-06-22 lika --data county progress --json
expect_in "$OUT" '"townships":\[{"code":"522701101"'
expect_in "$OUT" '"households":4'

expect_exit 0 lika --data t report
expect_in "$OUT" "扶贫对象建档立卡工作总结"
expect_in "$OUT" "已建档立卡 *1"
expect_in "$OUT" "因病 *1"
expect_in "$OUT" "劳动力转移培训 *1 *资金 800.00 元"
lika --data county report --format html > report.html || fail "report html"
html_ok report.html
grep -q "已建档立卡" report.html || fail "html report lacks stages"
lika --data county report --format csv > report.csv || fail "report csv"
head -c 3 report.csv | od -An -tx1 | grep -q "ef bb bf" || fail "csv has no BOM"
grep -q "按阶段,已建档立卡,1" report.csv || fail "csv: $(cat report.csv)"
lika --data county report --format csv --encoding gb18030 --out report-gb.csv || fail "report gb18030"
iconv -f GB18030 -t UTF-8 report-gb.csv | grep -q "按阶段,已建档立卡,1" || fail "gb18030 csv"
expect_exit 2 lika --data t report --format pdf
verify_ok t
verify_ok county
note "ok"
