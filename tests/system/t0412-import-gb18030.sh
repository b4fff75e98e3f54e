#!/bin/sh
# The same spreadsheets saved in GB18030 (as Excel does on Chinese Windows)
# import to exactly the state the UTF-8 ones give; export and documents can
# write GB18030 too, and that reads back the same.
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

# export in GB18030: no BOM, iconv reads it, and it imports back to the same state
expect_exit 0 lika export households --encoding gb18030 -o h-gb.csv
expect_exit 0 lika export members --encoding gb18030 -o m-gb.csv
head -c 3 h-gb.csv | od -An -tx1 | grep -q "ef bb bf" && fail "GB18030 export has a BOM"
iconv -f GB18030 -t UTF-8 h-gb.csv > h-back.csv || fail "export is not GB18030"
lika export households -o h-utf.csv
printf '\357\273\277' | cat - h-back.csv | cmp - h-utf.csv || fail "GB18030 export differs from UTF-8 export"
mk_archive gb2
expect_exit 0 lika import households h-gb.csv
expect_exit 0 lika import members m-gb.csv
expect_exit 0 lika export members --format json
[ "$OUT" = "$utf" ] || fail "GB18030 export did not read back to the same members"
expect_exit 0 lika book --format csv --encoding gb18030 -o book-gb.csv
iconv -f GB18030 -t UTF-8 book-gb.csv | grep -q "合计" || fail "book in GB18030"
expect_exit 2 lika book --encoding gb18030
expect_exit 2 lika export members --format json --encoding gb18030
