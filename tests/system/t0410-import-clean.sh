#!/bin/sh
# An office's spreadsheets import cleanly: households (Chinese headers, UTF-8
# with BOM), members linked by the head's ID number, then incomes by 户编号;
# a bounded number of change sets, the state verifies, and a second import of
# the same members updates instead of adding.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t
gen g --households 120 --members 4 --villages 522701101001,522701101002

expect_exit 0 lika import --help
n0=$(log_count)
expect_exit 0 lika import households g/households.csv
expect_in "$OUT" "120 rows written (120 new, 0 updated), 0 bad rows skipped; 1 change set"
expect_exit 0 lika import members g/members.csv
expect_in "$OUT" "480 rows written (360 new, 120 updated)"
[ "$(log_count)" = $((n0 + 2)) ] || fail "two imports should be two change sets"
expect_exit 0 lika household list --json
[ "$(printf '%s' "$OUT" | grep -o '"id":"522701101000[0-9]*"' | wc -l)" = 120 ] || fail "not 120 households"
expect_exit 0 lika household show 522701101000120
expect_in "$OUT" "522701101000120/04"

# again: every member is found by ID number and updated, none added
expect_exit 0 lika import members g/members.csv
expect_in "$OUT" "480 rows written (0 new, 480 updated)"

# incomes, by 户编号 with English headers; per-capita computed over 4 members
cat > inc.csv <<'CSV'
household,year,wages,business,property,transfers,costs
522701101000001,2023,4000,1000.50,0,300,1200
522701101000002,2023,0,0,0,0,0
CSV
expect_exit 0 lika import incomes inc.csv
expect_exit 0 lika household show 522701101000001 --json
expect_in "$OUT" '"size":"4","net_per_capita":"1025.13"'

# English headers for households too, and a row naming its own 户编号
cat > en.csv <<'CSV'
id,village,head_name,head_idcard,main_cause,phone
522701101000500,522701101002,赵六,11010519491231002X,缺水,0851-1234567
CSV
expect_exit 0 lika import households en.csv
expect_exit 0 lika household show 522701101000500
expect_in "$OUT" "0851-1234567"
# the next new household continues after it
expect_exit 0 lika household add --village 522701101001 --head-name 钱七 --head-idcard 513101198201130014
[ "$OUT" = 522701101000501 ] || fail "next id after an imported one is $OUT"
expect_exit 0 lika verify

# a blank 性别 is read from the ID number; a blank optional cell is simply not recorded
cat > blank.csv <<'CSV'
户编号,姓名,身份证号,性别,与户主关系,民族,务工时间(月)
522701101000500,赵小,513101198201130014,,之子,,
CSV
expect_exit 2 lika import members blank.csv
expect_in "$OUT" "already member 522701101000501/01"
sed -i 's/513101198201130014/11010520000229001X/' blank.csv
expect_exit 2 lika import members blank.csv
expect_in "$OUT" '身份证号 (idcard): .*: "11010520000229001X"'
fix=$(/usr/bin/python3 -c "
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]; b = '11010520000229001'
print(b + '10X98765432'[sum(int(d) * w for d, w in zip(b, W)) % 11])")
sed -i "s/11010520000229001X/$fix/" blank.csv
expect_exit 0 lika import members blank.csv
expect_exit 0 lika household show 522701101000500 --json
expect_in "$OUT" '"name":"赵小","idcard":"'"$fix"'","sex":"男","relation":"之子","ethnicity":""'
expect_exit 0 lika verify

# an office sheet with a title row above the header: the header is found, rows numbered as in the sheet
fix2=$(/usr/bin/python3 -c "
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]; b = '52270119650101004'
print(b + '10X98765432'[sum(int(d) * w for d, w in zip(b, W)) % 11])")
printf '一村扶贫对象花名册,,,\n填报日期：2024年3月,,,\n序号,村代码,户主姓名,户主身份证号\n1,522701101001,孙八,%s\n2,522701101001,周九,123\n' "$fix2" > titled.csv
expect_exit 2 lika import households titled.csv
expect_in "$OUT" "the header is row 3"
expect_in "$OUT" 'row 5 (line 5): 户主身份证号 (head_idcard): .*: "123"'
expect_in "$OUT" 'column 1 "序号" is not a field: ignored'
expect_exit 0 lika import households titled.csv --skip-bad
expect_in "$OUT" "1 row written (1 new, 0 updated), 1 bad row skipped"

# headers offices also use: 户号, 身份证号码
printf '户号,姓名,身份证号码,与户主关系\n522701101000500,钱小,%s,之女\n' "$(/usr/bin/python3 -c "
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]; b = '52270120100101002'
print(b + '10X98765432'[sum(int(d) * w for d, w in zip(b, W)) % 11])")" > alias.csv
expect_exit 0 lika import members alias.csv
expect_exit 0 lika household show 522701101000500
expect_in "$OUT" "钱小"
