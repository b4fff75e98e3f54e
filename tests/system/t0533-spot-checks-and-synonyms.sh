#!/bin/sh
# Spot checks (抽查/暗访) at the township and the county: checked on apply,
# on the household card, counted in the report.  Code-list synonyms: the
# seeded ones and the county's own are accepted wherever a code is read
# (options, import), a township cannot add one, a bad one is refused by rule.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes
H1=$(new_household 张一 "$(idno 19700101 001)" 1500)
H2=$(new_household 李二 "$(idno 19700101 003)" 1500)

note "a township spot check of its own households"
expect_exit 0 lika --data t check add --kind 抽查 --by "乡督查组 王某" --households "$H1,$H2" \
    --findings "收入与台账一致" --date 2014-07-01
expect_in "$OUT" "522701101/2014/001"
expect_exit 2 lika --data t check add --kind 巡查 --by x --households "$H1" --findings y
expect_in "$OUT" "neither spot"
expect_exit 2 lika --data t check add --kind spot --by x --households "$H1"
expect_exit 2 lika --data t check add --kind spot --by "" --households "$H1" --findings y
before=$(head_of t 522701101)
expect_exit 1 lika --data t check add --kind spot --by x --households 522701102000001 --findings y
expect_in "$OUT" "rule spot-check"
expect_exit 1 lika --data t check add --kind spot --by x --households "$H1,522701101000099" --findings y
expect_in "$OUT" "no household 522701101000099"
[ "$(head_of t 522701101)" = "$before" ] || fail "a refused check was written"

note "the county's unannounced visit reaches the township"
sync_to_county
expect_exit 0 lika --data county check add --kind unannounced --by "县扶贫办 赵某" --households "$H2" \
    --findings "住房未达安全标准" --follow-up "一个月内整改" --date 2014-07-05
sync_to_township
OUT=$(lika --data t check list --household "$H2") || fail "check list"
expect_in "$OUT" "522701/2014/001"
expect_in "$OUT" "522701101/2014/001"
expect_in "$OUT" "一个月内整改"
OUT=$(lika --data t check list --household "$H1")
printf '%s\n' "$OUT" | grep -q "522701/2014" && fail "the county's check of $H2 listed for $H1"
lika --data t card "$H2" -o card.html >/dev/null 2>&1 || lika --data t card "$H2" > card.html || fail "card"
grep -q "抽查暗访" card.html || fail "no spot-check section on the card"
grep -q "住房未达安全标准" card.html || fail "the county's finding is not on the card"
grep -q "暗访" card.html || fail "kind not on the card"
OUT=$(lika --data county report) || fail "report"
expect_in "$OUT" "抽查 *1"
expect_in "$OUT" "暗访 *1"
expect_in "$OUT" "被抽查户次 *3"
expect_in "$OUT" "需整改 *1"

note "synonyms: seeded, the county's own, never a township's, checked by rule"
expect_exit 2 lika --data t code synonym add code_migrant 外出务工 04
expect_in "$OUT" "county"
expect_exit 1 lika --data county code synonym add code_migrant 外出 09
expect_in "$OUT" "rule synonym"
expect_exit 1 lika --data county code synonym add code_migrant 省外 04
expect_in "$OUT" "already a code or name"
expect_exit 2 lika --data county code synonym add migrant 外出 04
expect_exit 0 lika --data county code synonym add code_migrant 外出务工 04
note "a word that stands for a code already: the same code is nothing to do, another is refused without --replace"
head=$(head_of county 522701)
expect_exit 0 lika --data county code synonym add code_migrant 外出务工 04
expect_in "$OUT" "already stands for 04 (nothing written)"
expect_exit 2 lika --data county code synonym add code_migrant 外出务工 03
expect_in "$OUT" 'code_migrant: "外出务工" already stands for 04; to make it stand for 03 instead, add --replace'
[ "$(head_of county 522701)" = "$head" ] || fail "a refused or idle synonym add wrote a change set"
expect_in "$(lika --data county code synonym list code_migrant)" "04 *外出务工"
expect_exit 0 lika --data county code synonym add code_migrant 外出务工 03 --replace
expect_in "$OUT" '"外出务工" stands for 03 (was 04)'
expect_in "$(lika --data county code synonym list code_migrant)" "03 *外出务工"
expect_exit 0 lika --data county code synonym add --replace code_migrant 外出务工 04
expect_exit 2 lika --data county code synonym add code_migrant 外出务工 04 --replace-all
expect_in "$OUT" 'unknown option "--replace-all"'
sync_to_township
expect_exit 0 lika --data t member add "$H1" --name 张小一 --idcard "$(idno 19950101 011)" \
    --relation 之子 --migrant 外出务工
expect_exit 0 lika --data t member add "$H2" --name 李小二 --idcard "$(idno 19960101 014)" \
    --relation 之女 --migrant '乡(镇)内务工' --labour 普通劳动力
expect_exit 2 lika --data t member add "$H2" --name 李小三 --idcard "$(idno 19970101 015)" \
    --relation 之女 --migrant 出国务工
OUT=$(lika --data t export members --format json) || fail "export"
expect_in "$OUT" '"migrant":"省外"'
expect_in "$OUT" '"migrant":"乡镇内"'
note "import reads the same synonyms"
printf '户编号,姓名,身份证号,与户主关系,务工状况\n%s,张小二,%s,之女,县外省内务工\n' "$H1" \
    "$(idno 19980101 016)" > m.csv
expect_exit 0 lika --data t import members m.csv
OUT=$(lika --data t export members --format json)
expect_in "$OUT" '"migrant":"县外省内"'
note "ok"
