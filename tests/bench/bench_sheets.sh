#!/bin/sh
# tests/bench/bench_sheets.sh — the national form's one-sheet layout at scale:
# import HOUSEHOLDS households with their incomes on the same rows (GB18030,
# as offices save it) and their members into a fresh township node, then
# print the card, a village register and the township book and count their
# A4 pages in headless Chromium (when installed; BENCH_PAGES=0 skips them).
#
#   sh tests/bench/bench_sheets.sh [HOUSEHOLDS]     (LIKA_BIN: the binaries)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${LIKA_BIN:=$here/../../bin}"
PATH=$LIKA_BIN:$PATH
n=${1:-10000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"

lika --data county init --role county --node 522701 --name 县 >/dev/null
lika --data t init --role township --node 522701101 --name 乡 --county-key "$(lika --data county whoami --key)" \
    --hub tcp://127.0.0.1:7700 >/dev/null
villages=""
for v in 001 002 003 004 005 006 007 008 009 010; do
	lika --data t village add 522701101$v 村$v >/dev/null
	villages="$villages${villages:+,}522701101$v"
done
/usr/bin/python3 "$here/../../examples/gen_sheets.py" g --households "$n" --villages "$villages" --gb18030

now() { date +%s.%N; }
t0=$(now)
lika --data t import households g/households.csv > h.out 2>/dev/null
t1=$(now)
lika --data t import members g/members.csv > m.out 2>/dev/null
t2=$(now)
incomes=$(sed -n 's/^incomes: \([0-9]*\) .*/\1/p' h.out)
members=$(sed -n 's/^import members: \([0-9]*\) rows.*/\1/p' m.out)

# the baseline in the same run: the same rows as two sheets (households, then incomes by 户编号)
lika --data b init --role township --node 522701101 --name 乡 --county-key "$(lika --data county whoami --key)" \
    --hub tcp://127.0.0.1:7700 >/dev/null
for v in $(echo "$villages" | tr ',' ' '); do lika --data b village add "$v" 村 >/dev/null; done
/usr/bin/python3 - g/households.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="gb18030")))[1:]
head, cut = rows[0], rows[0].index("年度")
with open("g/h2.csv", "w", encoding="gb18030", newline="") as h, open("g/i2.csv", "w", encoding="gb18030", newline="") as i:
    hw, iw = csv.writer(h), csv.writer(i)
    hw.writerow(head[:cut]); iw.writerow(["户编号", "家庭人口"] + head[cut:])
    for k, r in enumerate(rows[1:]):
        hw.writerow(r[:cut]); iw.writerow(["522701101%06d" % (k + 1), r[head.index("家庭人口数")]] + r[cut:])
PY
t5=$(now)
lika --data b import households g/h2.csv >/dev/null 2>&1
lika --data b import incomes g/i2.csv >/dev/null 2>&1
t6=$(now)
awk -v n="$n" -v inc="$incomes" -v m="$members" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t5="$t5" -v t6="$t6" 'BEGIN {
	printf "bench sheets: %d households with %d incomes (one sheet, GB18030) in %.2f s; %d members in %.2f s\n", n, inc, t1 - t0, m, t2 - t1
	printf "bench sheets: the same as two sheets (households, then incomes) %.2f s: one sheet takes %.2fx of that\n", t6 - t5, (t1 - t0) / (t6 - t5)
}'
lika --data t card 522701101000001 -o card.html
lika --data t register 522701101001 -o register.html
t3=$(now)
lika --data t book -o book.html
t4=$(now)
chromium=$(command -v chromium || true)
[ "${BENCH_PAGES:-1}" = 1 ] || chromium=""
if [ -z "$chromium" ]; then
	echo "bench sheets: no page counts (chromium not installed, or BENCH_PAGES=0)"
	exit 0
fi
pages() {
	"$chromium" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$tmp/.chromium" \
	    --no-pdf-header-footer --print-to-pdf="$tmp/$1.pdf" "file://$tmp/$1" >/dev/null 2>&1
	/usr/bin/python3 -c 'import re, sys
print(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", open(sys.argv[1], "rb").read())))' "$tmp/$1.pdf"
}
t5=$(now)
c=$(pages card.html); r=$(pages register.html); b=$(pages book.html)
t6=$(now)
awk -v n="$n" -v c="$c" -v r="$r" -v b="$b" -v t3="$t3" -v t4="$t4" -v t5="$t5" -v t6="$t6" 'BEGIN {
	printf "bench sheets: A4 pages: card %d, register of one village (%d households) %d, township book (%d households) %d; book written in %.2f s, printed in %.1f s\n", c, n / 10, r, n, b, t4 - t3, t6 - t5
}'
