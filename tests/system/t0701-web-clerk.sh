#!/bin/sh
# The clerks' pages in a real browser (headless Chromium) over lika serve at a
# township whose likad syncs with a real hub: sign in; add a household with
# two members through the form (a bad ID number shows its error beside the
# field and writes nothing); import a sheet with three bad rows (all shown,
# nothing written), then the fixed sheet; take the first steps of the
# procedure and sign one with an official's key file; the next step of two
# households at once from the waiting list (a batch); open the household
# card.  A head named with <script> is shown as text everywhere.  Every change
# set written names the clerk (lika log, the household's history) and reaches
# the hub.  Screenshots: build/test-output/t0701-web-clerk/.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
. "$SRCDIR/tests/system/web.sh"
proc_nodes
add_clerk t 王会计 "会计的口令 clerk passphrase"
port=$(free_port)
start_serve t "$port"

note "sheets: 5 households; the bad copy has 3 bad rows (2, 4 and 6)"
/usr/bin/python3 "$SRCDIR/tests/bench/gen_households.py" g --households 5 --villages 522701101001 \
    --seed 7 >/dev/null || fail "generator"
/usr/bin/python3 - g/households.csv bad.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
h = rows[0]
def put(r, col, v): rows[r - 1][h.index(col)] = v
idc = rows[1][h.index("户主身份证号")]
put(2, "户主身份证号", idc[:17] + ("0" if idc[17] != "0" else "1"))
put(4, "村代码", "522701102001")
put(6, "主要致贫原因", "懒")
csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8")).writerows(rows)
PY

n0=$(head_of t 522701101)
webpy web_clerk.py "http://127.0.0.1:$port" "$PWD" "$(idno 19800101 013)" "$(idno 19820304 024)" \
    "$(idno 19700101 035)"

note "every change set the console wrote names the clerk (three incomes were set by lika)"
lika --data t log --json > log.json
n1=$(head_of t 522701101)
clerked=$(grep -o '"clerk":"王会计"' log.json | wc -l)
[ "$clerked" = $((n1 - n0 - 3)) ] || fail "$clerked of $((n1 - n0)) change sets name the clerk: $(cat log.json)"
lika --data t log | grep -q "clerk 王会计" || fail "lika log does not show the clerk"
note "they reach the hub, clerk and all"
sync_to_county
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM clerk_change WHERE clerk = '王会计'")" = "$clerked" ] \
    || fail "the hub does not hold the clerk of every change set"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "the hub quarantined something"
