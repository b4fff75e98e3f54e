#!/bin/sh
# The same spreadsheets saved in GB18030 (as Excel does on Chinese Windows)
# import to exactly the state the UTF-8 ones give.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
gen g --households 40 --villages 522701101001,522701101002
for f in households members; do
	iconv -f UTF-8 -t GB18030 g/$f.csv > g/$f-gb.csv || fail "iconv"
done
mk_archive u
expect_exit 0 lika import households g/households.csv
expect_exit 0 lika import members g/members.csv
expect_exit 0 lika export members --format json
utf=$OUT
mk_archive gb
expect_exit 0 lika import households g/households-gb.csv
expect_in "$OUT" "gb18030"
expect_exit 0 lika import members g/members-gb.csv
expect_in "$OUT" "gb18030"
expect_exit 0 lika export members --format json
[ "$OUT" = "$utf" ] || fail "GB18030 import differs from UTF-8 import"
expect_in "$OUT" '"relation":"之子"'
LIKA_DATA=$PWD/u lika household list --json > a.json
LIKA_DATA=$PWD/gb lika household list --json > b.json
cmp a.json b.json || fail "household lists differ"
expect_exit 0 lika verify
