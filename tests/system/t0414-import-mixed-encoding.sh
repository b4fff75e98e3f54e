#!/bin/sh
# A UTF-8 sheet into which one cell was pasted from a GB18030 sheet (one
# stray byte pair), and one whose character was cut short: refused, naming
# the line and the byte offset of the first bad byte, nothing written.  It
# used to be decoded whole as GB18030 and stored garbled with exit 0.  A
# sheet that is GB18030 throughout is still read as GB18030, also when some
# of its byte pairs happen to be valid UTF-8 (路 is C2 B7).
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t
gen g --households 8 --villages 522701101001
n0=$(log_count)

# line 5 gets 啊 in GB18030 (B0 A1) at the start of the address cell
/usr/bin/python3 - <<'PY' || fail "sheet"
raw = open("g/households.csv", "rb").read()
lines = raw.split(b"\n")
i = lines[4].index("第".encode())
lines[4] = lines[4][:i] + b"\xb0\xa1" + lines[4][i:]
out = b"\n".join(lines)
open("mixed.csv", "wb").write(out)
open("mixed.off", "w").write(str(out.index(b"\xb0\xa1")))
PY
off=$(cat mixed.off)
expect_exit 2 lika import households mixed.csv
expect_in "$OUT" "mixed.csv: line 5, byte offset $off (\\\\xb0): not valid UTF-8, though the rest of the file is UTF-8"
expect_in "$OUT" "2 bytes in all"
[ "$(log_count)" = "$n0" ] || fail "a refused sheet wrote change sets"

# a character cut short (the last byte of 村 dropped) on line 3
/usr/bin/python3 - <<'PY' || fail "sheet"
raw = open("g/households.csv", "rb").read()
lines = raw.split(b"\n")
i = lines[2].index("组".encode())
lines[2] = lines[2][:i + 2] + lines[2][i + 3:]
out = b"\n".join(lines)
open("cut.csv", "wb").write(out)
open("cut.off", "w").write(str(raw.split(b"\n")[0].__len__() + 1 + len(raw.split(b"\n")[1]) + 1 + i))
PY
expect_exit 2 lika import households cut.csv
expect_in "$OUT" "line 3, byte offset $(cat cut.off) (\\\\xe7): not valid UTF-8"
expect_exit 2 lika import households cut.csv --encoding utf-8
expect_in "$OUT" "line 3, byte offset $(cat cut.off) (\\\\xe7): not valid UTF-8 (try --encoding gb18030)"
[ "$(log_count)" = "$n0" ] || fail "a refused sheet wrote change sets"

# GB18030 throughout, with 路 (C2 B7: valid UTF-8 on its own) in an address
sed 's/第\([0-9]*\)组/幸福路\1号/' g/households.csv | iconv -f UTF-8 -t GB18030 > gb.csv || fail "iconv"
expect_exit 0 lika import households gb.csv
expect_in "$OUT" "8 rows written.*gb18030"
expect_exit 0 lika household show 522701101000001 --json
expect_in "$OUT" '"address":"幸福路'
# GB18030 named but broken at the end
printf '\201' >> gb.csv
expect_exit 2 lika import households gb.csv --encoding gb18030
expect_in "$OUT" "byte offset $(($(stat -c %s gb.csv) - 1)): not valid GB18030"
expect_exit 0 lika verify
