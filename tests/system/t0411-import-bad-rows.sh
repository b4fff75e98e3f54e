#!/bin/sh
# A file with three bad rows: all three are reported with row, column, value
# and reason, and nothing is written (the log does not grow).  The same file
# saved in GB18030 gives the same report.  --skip-bad writes the good rows and
# lists the bad ones.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t
gen g --households 20 --villages 522701101001,522701101002

# row 5: a wrong check character; row 9: a village of another township;
# row 14: an unknown cause and a negative area (two reasons, one row)
/usr/bin/python3 - g/households.csv bad.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
h = rows[0]
def put(r, col, v): rows[r - 1][h.index(col)] = v
put(5, "户主身份证号", rows[4][h.index("户主身份证号")][:17] + ("0" if rows[4][h.index("户主身份证号")][17] != "0" else "1"))
put(9, "村代码", "522701102001")
put(14, "主要致贫原因", "懒")
put(14, "耕地面积(亩)", "-2")
csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8")).writerows(rows)
PY
n0=$(log_count)
expect_exit 2 lika import households bad.csv
expect_in "$OUT" 'row 5 (line 5): 户主身份证号 (head_idcard)'
expect_in "$OUT" 'row 9 (line 9): 村代码 (village): .*: "522701102001"'
expect_in "$OUT" 'row 14 (line 14): 主要致贫原因 (main_cause): .*: "懒"'
expect_in "$OUT" 'row 14 (line 14): 耕地面积(亩) (farmland): .*: "-2"'
expect_in "$OUT" "3 bad rows: nothing written"
[ "$(log_count)" = "$n0" ] || fail "a refused import wrote change sets"
expect_exit 0 lika household list --json
[ "$OUT" = "[]" ] || fail "households were written"

# the same file in GB18030, detected, and named explicitly
iconv -f UTF-8 -t GB18030 bad.csv > bad-gb.csv || fail "iconv"
cmp -s bad.csv bad-gb.csv && fail "iconv did not convert"
expect_exit 2 lika import households bad-gb.csv
expect_in "$OUT" 'row 9 (line 9): 村代码 (village): .*: "522701102001"'
expect_in "$OUT" 'row 14 (line 14): 主要致贫原因 (main_cause): .*: "懒"'
expect_in "$OUT" "3 bad rows: nothing written"
expect_exit 2 lika import households bad-gb.csv --encoding utf-8
expect_in "$OUT" "not valid UTF-8"
[ "$(log_count)" = "$n0" ] || fail "a refused import wrote change sets"

# --skip-bad: 17 good rows written, the 3 bad ones listed
expect_exit 0 lika import households bad-gb.csv --skip-bad
expect_in "$OUT" "row 5 (line 5)"
expect_in "$OUT" "row 9 (line 9)"
expect_in "$OUT" "row 14 (line 14)"
expect_in "$OUT" "17 rows written (17 new, 0 updated), 3 bad rows skipped; 1 change set"
expect_exit 0 lika household list
expect_in "$OUT" "522701101000017"
printf '%s\n' "$OUT" | grep -q 522701101000018 && fail "an 18th household was written"
[ "$(log_count)" = $((n0 + 1)) ] || fail "skip-bad should make one change set"

# members: a second head for a household and a person twice are refused, all rows reported
/usr/bin/python3 - g/members.csv badm.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
h = rows[0]
rows[3][h.index("与户主关系")] = "户主"          # row 4: a second head
rows[10][h.index("身份证号")] = rows[9][h.index("身份证号")]  # row 11: row 10's person again
rows[12][h.index("性别")] = "男" if rows[12][h.index("性别")] == "女" else "女"  # row 13: sex
csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8")).writerows(rows)
PY
n1=$(log_count)
expect_exit 2 lika import members badm.csv
expect_in "$OUT" "would have 2 heads"
expect_in "$OUT" 'row 11 (line 11): 身份证号 (idcard) .*also in row 10'
expect_in "$OUT" 'row 13 (line 13): 性别 (sex)'
[ "$(log_count)" = "$n1" ] || fail "a refused members import wrote change sets"
# --skip-bad: the household with two heads is left out whole (a second pass), the rest written
expect_exit 0 lika import members badm.csv --skip-bad
expect_in "$OUT" "row 2 (line 2): household 522701101000001 would have 2 heads"
expect_in "$OUT" "row 11 (line 11)"
expect_in "$OUT" "row 13 (line 13)"
expect_in "$OUT" "bad rows skipped; 1 change set"
expect_exit 0 lika household show 522701101000001
[ "$(printf '%s\n' "$OUT" | grep -c '^  522701101000001/')" = 1 ] || fail "household 1 got members"
expect_exit 0 lika household show 522701101000002
[ "$(printf '%s\n' "$OUT" | grep -c '^  522701101000002/')" = 4 ] || fail "household 2 lacks members"
[ "$(log_count)" = $((n1 + 1)) ] || fail "skip-bad members should make one change set"

# malformed CSV is refused with its line
printf '村代码,户主姓名,户主身份证号\n522701101001,"王,11010519491231002X\n' > open.csv
expect_exit 2 lika import households open.csv
expect_in "$OUT" "line 2: a quoted field is not closed"
expect_exit 0 lika verify

# a comma in an unquoted value shifts the row: refused, not read into the wrong columns
printf '村代码,户主姓名,户主身份证号,住址\n522701101001,王五,513101198201130014,3组,5号\n522701101001,王六,440524188001010014,,\n' > shifted.csv
expect_exit 2 lika import households shifted.csv
expect_in "$OUT" 'row 2 (line 2): 5 cells where the header has 4 ("5号" is in no column'
expect_in "$OUT" "1 bad row: nothing written"
