#!/bin/sh
# An import row that updates a recorded household by 户编号 must name the same
# head (ID number, and the name when given): a row of another household (a
# shifted sheet, a wrong number) once overwrote a hand-entered household's
# village, phone and cause, even with --skip-bad.  Now it is refused with and
# without --skip-bad, and nothing of it is written; a row naming the right
# head updates, and the summary names the households updated.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t
expect_exit 0 lika household add --village 522701101001 --head-name 钱七 \
    --head-idcard 513101198201130014 --phone 13800000001 --main-cause 因病
h=$OUT
before=$(log_count)
show() { lika household show "$h" --json; }
was=$(show)

note "another head's name and ID number: refused, nothing written"
printf '户编号,村代码,户主姓名,户主身份证号,联系电话\n%s,522701101002,王五,440524188001010014,13999999999\n' \
    "$h" > other.csv
expect_exit 2 lika import households other.csv
expect_in "$OUT" "not the recorded head of $h"
# --skip-bad skips it like any bad row: reported, not written
expect_exit 0 lika import households other.csv --skip-bad
expect_in "$OUT" "not the recorded head of $h"
expect_in "$OUT" "0 rows written (0 new, 0 updated), 1 bad row skipped"
[ "$(log_count)" = "$before" ] || fail "a refused update wrote a change set"
[ "$(show)" = "$was" ] || fail "the household changed"

note "the right ID number under another name: refused"
printf '户编号,户主姓名,户主身份证号,联系电话\n%s,王五,513101198201130014,13999999999\n' "$h" > name.csv
expect_exit 2 lika import households name.csv
expect_in "$OUT" "the recorded head of $h is 钱七"

note "no ID number at all: refused (the row could be anyone's)"
printf '户编号,联系电话\n%s,13999999999\n' "$h" > bare.csv
expect_exit 2 lika import households bare.csv
expect_in "$OUT" "must name its head"
[ "$(show)" = "$was" ] || fail "the household changed"

note "the recorded head: updated, and the summary says which"
printf '户编号,户主姓名,户主身份证号,联系电话\n%s,钱七,513101198201130014,13999999999\n' "$h" > ok.csv
expect_exit 0 lika import households ok.csv
expect_in "$OUT" "1 updated"
expect_in "$OUT" "updated: $h"
expect_exit 0 lika household show "$h" --json
expect_in "$OUT" '13999999999'
verify_ok t
note "ok"
