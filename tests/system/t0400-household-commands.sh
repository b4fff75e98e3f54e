#!/bin/sh
# A clerk opens a household file, adds members, records causes and incomes;
# every bad value is refused (exit 2) naming the field and value, with nothing
# written; every write is one change set and the ledger verifies.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t

for c in "household add" "household edit" "household show" "household list" "household cause" \
    "member add" "member edit" "member remove" "income set"; do
	expect_exit 0 lika $c --help
done

n0=$(log_count)
expect_exit 0 lika household add --village 522701101001 --head-name 张三 --head-idcard 440524188001010014 \
    --phone 13800000000 --main-cause 因病 --other-causes "缺技术、缺资金" --flags 军烈属 --farmland 3.5 \
    --dangerous-house 是 --attribute 一般贫困户
h=$OUT
[ "$h" = 522701101000001 ] || fail "first household id is $h"
[ "$(log_count)" = $((n0 + 1)) ] || fail "household add is not one change set"

# refusals: exit 2, the field and the value named, nothing written
n1=$(log_count)
expect_exit 2 lika household add --village 522701101009 --head-name 李 --head-idcard 513101198201130014
expect_in "$OUT" 'village): .*: "522701101009"'
expect_exit 2 lika household add --village 522701102001 --head-name 李 --head-idcard 513101198201130014
expect_exit 2 lika household add --village 522701101001 --head-name 李 --head-idcard 513101198201130015
expect_in "$OUT" '户主身份证号 (head_idcard): .*: "513101198201130015"'
expect_exit 2 lika household add --village 522701101001 --head-name 李 --head-idcard 11010519990231002X
expect_in "$OUT" "date"
expect_exit 2 lika household add --village 522701101001 --head-name 李 --head-idcard 513101198201130014 --head-sex 女
expect_in "$OUT" '户主性别 (head_sex) "女"'
expect_exit 2 lika household add --village 522701101001 --head-name 李 --head-idcard 440524188001010014
expect_in "$OUT" "one household only"
expect_exit 2 lika household add --village 522701101001 --head-name 李 --head-idcard 513101198201130014 --attribute 富裕户
expect_in "$OUT" '贫困户属性 (attribute): .*: "富裕户"'
expect_exit 2 lika household edit $h --farmland -1
expect_in "$OUT" '耕地面积(亩) (farmland): .*: "-1"'
expect_exit 2 lika household cause $h --main 因病 --other 因病
expect_exit 2 lika household cause $h --main 因病 --other 因学 --other 因灾 --other 缺水
expect_exit 2 lika member add $h --name 李四 --idcard 11010519491231002X --relation 配偶 --sex 男
expect_in "$OUT" '性别 (sex) "男"'
expect_exit 2 lika member add $h --name 李四 --idcard 11010519491231002X --relation 户主
expect_in "$OUT" "exactly one"
expect_exit 2 lika member add $h --name 李四 --idcard 11010519491231002X --relation 表亲
expect_exit 2 lika member remove $h/01
expect_exit 2 lika income set $h 2023 --wages -5
expect_exit 2 lika income set $h 2023 --wages 1.234
[ "$(log_count)" = "$n1" ] || fail "a refused command wrote a change set"

# household of one: per-capita = the whole net income
expect_exit 0 lika income set $h 2021 --wages 2300
expect_exit 0 lika household show $h --json
expect_in "$OUT" '"net_per_capita":"2300.00"'
# zero income
expect_exit 0 lika income set $h 2022
expect_exit 0 lika household show $h --json
expect_in "$OUT" '"size":"1","net_per_capita":"0.00"'

expect_exit 0 lika member add $h --name 李四 --idcard 11010519491231002X --relation 配偶 --education 小学
[ "$OUT" = "$h/02" ] || fail "second member is $OUT"
expect_exit 0 lika member add $h --name 王五 --idcard 513101198201130014 --relation 之子 --insurance "新农合、大病保险"
expect_exit 0 lika member edit $h/03 --health 残疾 --labour 丧失劳动力
expect_exit 2 lika member edit $h/03 --relation 户主
expect_exit 2 lika member edit $h/01 --relation 之子
expect_exit 2 lika member edit $h/03 --sex 女

# costs above income over 3 people: (1000 + 200.50 - 4000) / 3 = -933.17
expect_exit 0 lika income set $h 2023 --wages 1000 --business 200.50 --costs 4000
expect_exit 0 lika household show $h --json
expect_in "$OUT" '"year":"2023","wages":"1000.00","business":"200.50"'
expect_in "$OUT" '"size":"3","net_per_capita":"-933.17"'

expect_exit 0 lika household cause $h --main 因学 --other 因病 --note "孩子上学"
expect_exit 0 lika household show $h
expect_in "$OUT" "^主要致贫原因  *因学"
expect_in "$OUT" "^其他致贫原因  *因病"
expect_in "$OUT" "^户编号  *$h"
case "$OUT" in *main_cause*) fail "household show prints English keys: $OUT" ;; esac
expect_exit 2 lika household edit $h --status ""
expect_in "$OUT" "状态 (status) cannot be cleared"
expect_exit 0 lika household edit $h --phone "" --status 已建档立卡
expect_exit 0 lika household show $h --json
expect_in "$OUT" '"phone":"","bank"'
expect_in "$OUT" '"status":"已建档立卡"'
expect_exit 0 lika member remove $h/03
expect_exit 0 lika household list
expect_in "$OUT" "$h  522701101001  张三"
expect_exit 0 lika household list --json --village 522701101002
[ "$OUT" = "[]" ] || fail "village 002 has households: $OUT"

# one change set per write: 3 incomes, 2 members, a member edit, cause, edit, remove
[ "$(log_count)" = $((n1 + 9)) ] || fail "expected $((n1 + 9)) change sets, have $(log_count)"
expect_exit 0 lika verify
expect_exit 0 lika rebuild
expect_exit 0 lika verify

# the head changes in one change set and the household keeps exactly one
n2=$(log_count)
expect_exit 2 lika household head $h/02 --previous 户主
expect_exit 2 lika household head $h/01 --previous 配偶
expect_exit 2 lika household head $h/09 --previous 配偶
expect_exit 0 lika household head $h/02 --previous 配偶
expect_exit 0 lika household show $h --json
expect_in "$OUT" '"no":"01","name":"张三","idcard":"440524188001010014","sex":"男","relation":"配偶"'
expect_in "$OUT" '"no":"02","name":"李四","idcard":"11010519491231002X","sex":"女","relation":"户主"'
expect_in "$OUT" '"head_name":"李四"'
[ "$(log_count)" = $((n2 + 1)) ] || fail "household head is not one change set"
expect_exit 0 lika verify
