#!/bin/sh
# Export → import into a fresh node of the same township gives identical
# state: the exports (CSV and JSON) and the household list match byte for
# byte, through CSV and through JSON, and both nodes verify.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive a
gen g --households 60 --villages 522701101001,522701101002
expect_exit 0 lika import households g/households.csv
expect_exit 0 lika import members g/members.csv
# a household with every kind of field, a gap in member numbers, and awkward text
expect_exit 0 lika household add --village 522701101002 --head-name '欧阳"娜娜"' --head-idcard 11010519491231002X \
    --head-sex 女 --address '幸福村3组, "老屋" <后山> & 对面' --phone '+86 851-1234567' --bank 农村信用社 --account 6210987654321098 --attribute 低保贫困户 \
    --standard 省定标准 --first-year 2014 --status 已建档立卡 --flags "独生子女户、双女户" --main-cause 因残 \
    --other-causes 缺劳力 --cause-note '腿伤，不能干重活
丈夫常年生病, "全靠" 低保' --farmland 1.25 --irrigated 0.5 --forest 10 \
    --housing-area 80.5 --dangerous-house 否 --safe-water 是 --electricity 1 --road-distance 2.75
h=$OUT
expect_exit 0 lika member add $h --name 丈夫 --idcard 440524188001010014 --relation 配偶 --ethnicity 苗族 \
    --education 文盲或半文盲 --schooling 非在校生 --health 长期慢性病 --labour 无劳动力 --migrant 省外 \
    --migrant-months 6 --insurance "新农合,大病保险"
grandson=$(/usr/bin/python3 -c "
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]; b = '11010520100101001'
print(b + '10X98765432'[sum(int(d) * w for d, w in zip(b, W)) % 11])")
expect_exit 0 lika member add $h --name 孙子 --idcard "$grandson" --relation 之孙子 --schooling 小学
expect_exit 0 lika income set $h 2022 --wages 1200 --transfers 3000.75 --costs 100
expect_exit 0 lika member remove $h/02
expect_exit 0 lika income set $h 2023 --wages 5000 --business 1000 --property 10.01 --transfers 3600 --costs 2000
expect_exit 0 lika income set 522701101000001 2023 --wages 100
# an applicant with no causes and no conditions yet
plain=$(/usr/bin/python3 -c "
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]; b = '52270119700505002'
print(b + '10X98765432'[sum(int(d) * w for d, w in zip(b, W)) % 11])")
expect_exit 0 lika household add --village 522701101001 --head-name 申请人 --head-idcard "$plain"
expect_exit 0 lika verify

for k in households members incomes; do
	lika export $k --format csv -o a-$k.csv || fail "export $k csv"
	lika export $k --format json -o a-$k.json || fail "export $k json"
done
head -c 3 a-households.csv | od -An -tx1 | grep -q "ef bb bf" || fail "CSV export has no BOM"
lika household list --json > a-list.json

# through CSV
mk_archive b
for k in households members incomes; do
	expect_exit 0 lika import $k a-$k.csv
done
for k in households members incomes; do
	lika export $k --format csv -o b-$k.csv
	cmp a-$k.csv b-$k.csv || { diff a-$k.csv b-$k.csv | head; fail "CSV round trip changed $k"; }
	lika export $k --format json -o b-$k.json
	cmp a-$k.json b-$k.json || fail "JSON export after CSV round trip changed $k"
done
lika household list --json > b-list.json
cmp a-list.json b-list.json || fail "household list differs after the round trip"
expect_exit 0 lika verify

# through JSON
mk_archive c
for k in households members incomes; do
	expect_exit 0 lika import $k a-$k.json
done
for k in households members incomes; do
	lika export $k --format json -o c-$k.json
	cmp a-$k.json c-$k.json || { diff a-$k.json c-$k.json | head; fail "JSON round trip changed $k"; }
done
expect_exit 0 lika verify

# importing the export into the node it came from changes nothing but adds change sets
LIKA_DATA=$PWD/a; export LIKA_DATA
expect_exit 0 lika import households a-households.csv
expect_in "$OUT" "(0 new, 62 updated)"
lika export households --format csv -o a2.csv
cmp a-households.csv a2.csv || fail "re-import changed the households"

# the Excel-guarded CSV reads back to the same state
mk_archive e
for k in households members incomes; do
	LIKA_DATA=$PWD/a lika export $k --excel -o x-$k.csv || fail "export --excel"
done
grep -q "'+86 851-1234567" x-households.csv || fail "phone not guarded"
for k in households members incomes; do
	expect_exit 0 lika import $k x-$k.csv
done
for k in households members incomes; do
	lika export $k --format csv -o e-$k.csv
	cmp a-$k.csv e-$k.csv || { diff a-$k.csv e-$k.csv | head; fail "--excel round trip changed $k"; }
done

# English headers read back too
lika export members --header en -o en.csv
mk_archive d
expect_exit 0 lika import households a-households.csv
expect_exit 0 lika import members en.csv
lika export members --format csv -o d-members.csv
cmp a-members.csv d-members.csv || fail "English-header round trip changed members"
