#!/bin/sh
# What a clerk types and reads is Chinese: every option taking a code takes
# the code, the Chinese name and the English name (三不评 kinds, measure
# categories and statuses, household flags, causes, statuses, half-year
# decisions, officials' roles); household show, report, progress, review todo
# and review show print Chinese labels, and --json keeps the English keys.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes

r=$(new_household 登记 "$(idno 19600101 011)" 1500)
walk_township "$r"
walk_county "$r"
at 2014-07-01 lika --data t review register "$r" >/dev/null || fail "register"

note "measure categories and statuses: English, Chinese, another name"
expect_exit 0 at 2014-07-01 lika --data t measure add "$r" --category 产业发展 --project 养牛 --funds 3000 \
    --deadline 2014-12-31 --status 实施中
expect_in "$OUT" "production (产业发展)"
expect_exit 0 at 2014-07-01 lika --data t measure add "$r" --category training --project 电焊培训 --funds 800 \
    --deadline 2014-09-30
expect_exit 0 at 2014-07-01 lika --data t measure add "$r" --category 易地扶贫搬迁 --project 搬迁 --funds 100 \
    --deadline 2014-09-30
expect_exit 2 at 2014-07-01 lika --data t measure add "$r" --category 修路 --project x --funds 1 --deadline 2014-09-30
expect_in "$OUT" '"修路" is none of production 产业发展, training 劳动力转移培训'
expect_exit 0 lika --data t measure list --json
expect_in "$OUT" '"category":"production"'
expect_in "$OUT" '"category":"relocation"'
expect_in "$OUT" '"status":"running"'
expect_exit 0 lika --data t measure set "$r/M002" --status 已完成
expect_in "$OUT" "计划 -> 已完成"

note "household flags, causes and status: code, Chinese, English, 纯女户 for 双女户"
expect_exit 0 lika --data t household edit "$r" --flags "纯女户、only-child" --other-causes lack_of_skills
expect_exit 0 lika --data t household show "$r" --json
expect_in "$OUT" '"flags":"独生子女户、双女户"'
expect_in "$OUT" '"other_causes":"缺技术"'
expect_exit 2 lika --data t household edit "$r" --flags 独女户
expect_in "$OUT" "02 双女户 two_daughters"

note "三不评: 赌博 names the crime exclusion"
x=$(new_household 赌徒 "$(idno 19610101 013)" 1000)
at 2014-06-01 lika --data t review apply "$x" >/dev/null || fail "apply"
expect_exit 0 lika --data t review exclude "$x" 赌博 --source "派出所记录"
expect_in "$OUT" "exclusion crime"
expect_exit 0 lika --data t review exclude "$x" 土地撂荒 --source "村委会核实"
expect_in "$OUT" "exclusion land_waste"
expect_exit 2 lika --data t review exclude "$x" 懒惰 --source x
expect_in "$OUT" "none of land_waste 土地撂荒"

note "officials' roles in Chinese"
keypass cadre2
expect_exit 0 lika --data county official add --role 驻村干部 --name 孙驻村 --office 522701101001 \
    --out cadre2.key --kdf-cost interactive --passphrase-fd 3 3<cadre2.pass
expect_exit 0 lika --data county official list --json
expect_in "$OUT" '"role":"village-cadre","name":"孙驻村"'

note "human output in Chinese, --json in English"
expect_exit 0 lika --data t household show "$r"
expect_in "$OUT" "^户主姓名  *登记"
expect_in "$OUT" "^户标识  *独生子女户、双女户"
printf '%s\n' "$OUT" | grep -q '^head_name\|^flags\|members$' && fail "household show prints English keys: $OUT"
expect_exit 0 lika --data t household show "$r" --json
expect_in "$OUT" '"head_name":"登记"'

expect_exit 0 at 2014-07-01 lika --data t report
expect_in "$OUT" "已建档立卡 *1$"
expect_in "$OUT" "产业发展 *1"
printf '%s\n' "$OUT" | grep -qw 'registered\|none\|village_notice' && fail "report prints English stage keys: $OUT"

expect_exit 0 at 2014-07-01 lika --data t progress
expect_in "$OUT" "村代码 *村名 *户数 *未申请 *村评议 *村公示"
expect_in "$OUT" "帮扶措施按类别：产业发展 1，扶贫搬迁 1，劳动力转移培训 1"
printf '%s\n' "$OUT" | grep -q 'measures by category\|schedule' && fail "progress prints English: $OUT"
expect_exit 0 at 2014-07-01 lika --data t progress --json
expect_in "$OUT" '"village_notice":0'
expect_in "$OUT" '"production":1'

expect_exit 0 at 2014-06-01 lika --data t review todo
expect_in "$OUT" "$x  识别 第1轮  下一步 村小组初评"

note "review show: steps, decisions, signers and objections in Chinese, --json keeps the keys"
expect_exit 0 lika --data t review show "$r"
expect_in "$OUT" "^户 $r  状态 已建档立卡  识别 第1轮：.*（已完成）$"
expect_in "$OUT" "村级公示（第一榜） *已公示 *2014-06-01 公示7天  经办 "
expect_in "$OUT" "驻村干部签字 *通过 *2014-06-08  签字 [0-9/]* 王驻村$"
printf '%s\n' "$OUT" | grep -qw 'apply\|pass\|posted\|cadre_sign\|village_notice\|signed\|by\|household\|status\|round' \
    && fail "review show prints English: $OUT"
y=$(new_household 异议 "$(idno 19620101 015)" 1000)
for s in apply group-eval; do at 2014-06-01 lika --data t review $s "$y" >/dev/null || fail "$s"; done
at 2014-06-01 lika --data t review village-eval "$y" --panel "$PANEL" --for 9 >/dev/null || fail "village-eval"
at 2014-06-01 lika --data t review notice "$y" >/dev/null || fail "notice"
expect_exit 0 at 2014-06-03 lika --data t review object "$y" --by 村民丙 --reasons "家有轿车"
obj=$(printf '%s' "$OUT" | sed -n 's/^objection \([^ ]*\) .*/\1/p')
expect_exit 0 lika --data t review show "$y"
expect_in "$OUT" "^户 $y  状态 .*  识别 第1轮：村级公示（第一榜）$"
expect_in "$OUT" "异议 $obj 2014-06-03 提出人 村民丙：家有轿车 — 尚无调查结论$"
expect_exit 0 at 2014-06-04 lika --data t review finding "$obj" --dismissed --reasons "核实：车属他人"
expect_exit 0 lika --data t review show "$y"
expect_in "$OUT" "异议 $obj .* — 异议不成立：核实：车属他人$"
expect_exit 0 lika --data t review show "$y" --json
expect_in "$OUT" '"step":"village_notice","label":"村级公示（第一榜）","decision":"posted"'
expect_in "$OUT" '"finding":"dismissed"'

note "a node's role: township or 乡镇, county or 县"
expect_exit 0 lika --data c2 init --role 县 --node 522702 --name 另一县
expect_in "$(lika --data c2 whoami)" "role    county"
expect_exit 2 lika --data c3 init --role 村 --node 522703
expect_in "$OUT" '"township" (乡镇) nor "county" (县)'
