#!/bin/sh
# The household card, village register, township book and county archive
# hold the household's data, escape what they print, and are well-formed HTML
# (or CSV in UTF-8 with BOM).
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t
gen g --households 30 --villages 522701101001,522701101002
expect_exit 0 lika import households g/households.csv
expect_exit 0 lika import members g/members.csv
expect_exit 0 lika household add --village 522701101002 --head-name '王<b>大&lt;' --head-idcard 11010519491231002X \
    --address '后山 "3组" & <script>alert(1)</script>' --main-cause 因病 --status 已建档立卡 --farmland 2.5
h=$OUT
expect_exit 0 lika member add $h --name 王小二 --idcard 513101198201130014 --relation 之子 --education 初中
expect_exit 0 lika income set $h 2023 --wages 3000 --transfers 600.40 --costs 200
expect_exit 0 lika household edit 522701101000001 --status 已脱贫

for c in card register book archive; do expect_exit 0 lika $c --help; done

# 户卡
expect_exit 0 lika card $h -o card.html
html_ok card.html
grep -q '扶贫对象建档立卡户卡' card.html || fail "card title"
grep -q "户编号 $h" card.html || fail "card id"
grep -q '王&lt;b&gt;大&amp;lt;' card.html || fail "head name not escaped"
grep -q '&lt;script&gt;' card.html || fail "address not escaped"
grep -q '<script>' card.html && fail "a script tag got through"
grep -q '513101198201130014' card.html || fail "member ID number"
grep -q '王小二' card.html || fail "member name"
grep -q '初中' card.html || fail "member education"
grep -q '因病' card.html || fail "main cause"
grep -q '2.50' card.html || fail "farmland"
grep -q '1700.20' card.html || fail "per-capita income (3000 + 600.40 - 200) / 2"
grep -q '@page { size: A4;' card.html || fail "no A4 print CSS"
expect_exit 0 lika card $h --format csv -o card.csv
head -c 3 card.csv | od -An -tx1 | grep -q "ef bb bf" || fail "card CSV has no BOM"
grep -q '王小二' card.csv || fail "card CSV member"
grep -q '"后山 ""3组"" & <script>alert(1)</script>"' card.csv || fail "card CSV quoting"
# for Excel: ID numbers keep their digits (a leading tab), formulas are not run
printf '\t513101198201130014\n' > want.txt
grep -q "$(cat want.txt)" card.csv || fail "card CSV ID number not guarded for Excel"
expect_exit 0 lika household edit $h --bank '=HYPERLINK("http://x","y")'
lika card $h --format csv > card2.csv
grep -q "'=HYPERLINK" card2.csv || fail "a formula in card CSV is not guarded"
expect_exit 2 lika card 522701101999999
expect_exit 2 lika card $h --format pdf

# 村册
expect_exit 0 lika register 522701101002 -o register.html
html_ok register.html
grep -q '二村扶贫对象花名册' register.html || fail "register title"
grep -q '@page { size: A4 landscape' register.html || fail "register is not landscape A4"
grep -q "$h" register.html || fail "register lists the household"
grep -q '1700.20' register.html || fail "register per-capita income"
grep -q '522701101000001' register.html && fail "register lists another village's household"
n=$(lika household list --village 522701101002 | wc -l | tr -d ' ')
grep -q "共 $n 户" register.html || fail "register total of $n households"
# registered apart from applicants: the one registered household, the rest applicants
grep -q "<td>1 户</td>" register.html || fail "register: 1 registered household"
grep -q "<td>$((n - 1)) 户</td>" register.html || fail "register: $((n - 1)) applicants"
expect_exit 0 lika register 522701101002 --format csv
expect_in "$OUT" "合计,1 户"
expect_exit 2 lika register 522701101009

# 乡镇簿
expect_exit 0 lika book -o book.html
html_ok book.html
grep -q '乡镇522701101扶贫对象乡镇簿' book.html || fail "book title"
grep -q '一村' book.html || fail "book village 1"
grep -q '二村' book.html || fail "book village 2"
# 31 households, 30 × 4 + 2 people, one registered, one exited
grep -q '<tr class="total"><td>合计</td><td></td><td class="n">31</td><td class="n">122</td><td class="n">1</td><td class="n">1</td></tr>' book.html \
    || fail "book totals"
expect_exit 0 lika book --format csv
expect_in "$OUT" "合计,,31,122,1,1"

# 县电子档案 at the township (its own rows) and at the county (none received yet)
expect_exit 0 lika archive -o archive.html
html_ok archive.html
grep -q '<td>522701101</td>' archive.html || fail "archive township row"
expect_exit 0 lika archive --format csv
expect_in "$OUT" "522701101,乡镇522701101,31,122,1,1"
expect_exit 0 lika --data county archive --format csv
expect_in "$OUT" "合计,,0,0,0,0"
expect_exit 0 lika --data county archive -o county.html
html_ok county.html

# reading documents writes nothing
n0=$(log_count)
lika card $h >/dev/null; lika book >/dev/null
[ "$(log_count)" = "$n0" ] || fail "a document wrote a change set"
expect_exit 0 lika verify
