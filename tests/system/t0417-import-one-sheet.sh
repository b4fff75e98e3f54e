#!/bin/sh
# The national collection form's one-sheet layout, as offices keep it: a title
# row, 户主证件号码 and 家庭人口数 beside the household's columns, and the
# year's income (年度, 工资性收入 … 生产经营性支出) on the same row.  1,000
# households saved in GB18030 import as they are, households and incomes in one
# go; five households' per-capita incomes are worked out here from the sheet.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t
gen_sheets g --households 1000 --gb18030
expect_exit 0 lika import households g/households.csv
expect_in "$OUT" "1000 rows written (1000 new, 0 updated), 0 bad rows"
expect_in "$OUT" "gb18030"
expect_in "$OUT" "incomes: 1000 household-years written"
expect_exit 0 lika import members g/members.csv
expect_in "$OUT" "0 bad rows"
[ "$(lika household list | wc -l | tr -d ' ')" = 1000 ] || fail "not 1000 households"

# every row in: members as many as the sheet's 家庭人口数 add up to
lika export members --format csv --header en -o m.csv || fail "export members"
lika export incomes --format csv --header en -o i.csv || fail "export incomes"
/usr/bin/python3 - g/households.csv m.csv i.csv <<'PY' || fail "imported rows differ from the sheet"
import csv, sys
from decimal import Decimal, ROUND_HALF_UP
sheet = list(csv.reader(open(sys.argv[1], encoding="gb18030")))[1:]
head, rows = sheet[0], sheet[1:]
col = {h: k for k, h in enumerate(head)}
members = list(csv.DictReader(open(sys.argv[2], encoding="utf-8-sig")))
incomes = {r["household"]: r for r in csv.DictReader(open(sys.argv[3], encoding="utf-8-sig"))}
want_members = sum(int(r[col["家庭人口数"]]) for r in rows)
assert len(members) == want_members, (len(members), want_members)
assert len(incomes) == len(rows), (len(incomes), len(rows))
def amount(r, name):
    v = r[col[name]].strip()
    return Decimal(v) if v else Decimal(0)
# five households by hand: households are numbered in sheet order
for i in (0, 1, 249, 776, 999):
    r = rows[i]
    total = sum(amount(r, n) for n in ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入")) \
        - amount(r, "生产经营性支出")
    want = (total / int(r[col["家庭人口数"]])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    got = incomes["522701101%06d" % (i + 1)]
    assert Decimal(got["net_per_capita"]) == want, (i, got, want)
    assert got["year"] == r[col["年度"]] and got["size"] == r[col["家庭人口数"]], (i, got)
print("ok")
PY

# a new household's incomes need its 家庭人口数 (its members are not written yet): nothing written
n0=$(log_count)
printf '村代码,户主姓名,户主证件号码,年度,工资性收入\n522701101001,张三,11010519491231002X,2013,3000\n' > nosize.csv
expect_exit 2 lika import households nosize.csv
expect_in "$OUT" "row 2.*家庭人口 (size) is required"
# a bad amount refuses the row, household too, even with --skip-bad
printf '村代码,户主姓名,户主证件号码,家庭人口数,年度,工资性收入\n522701101001,张三,11010519491231002X,2,2013,三千\n' > badamount.csv
expect_exit 0 lika import households badamount.csv --skip-bad
expect_in "$OUT" "0 rows written"
expect_in "$OUT" "工资性收入"
# amounts without a 年度 column: refused, naming it
printf '村代码,户主姓名,户主证件号码,工资性收入\n522701101001,张三,11010519491231002X,3000\n' > noyear.csv
expect_exit 2 lika import households noyear.csv
expect_in "$OUT" "年度 (year)"
[ "$(log_count)" = "$n0" ] || fail "a refused sheet wrote a change set"
expect_exit 0 lika verify
