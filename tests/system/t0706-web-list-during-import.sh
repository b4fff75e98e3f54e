#!/bin/sh
# One clerk's import does not stall another's reading: while a sheet of
# 10,000 households is imported through the console, the household list, a
# household's file and the field list are answered before the import is
# (one thread used to serve them only after it), and the import then writes
# every household.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
. "$SRCDIR/tests/system/web.sh"
mk_archive t
unset LIKA_DATA
add_clerk t 王会计 "会计的口令 clerk passphrase"
add_clerk t 李出纳 "出纳的口令 second passphrase"
gen g1 --households 50 --villages 522701101001,522701101002 >/dev/null
gen g2 --households 10000 --villages 522701101001,522701101002 --seed 2 --first 50 >/dev/null
lika --data t import households g1/households.csv >/dev/null || fail "the first sheet"
port=$(free_port)
start_serve t "$port"
webpy web_concurrent.py "http://127.0.0.1:$port" g2/households.csv
[ "$(sqlite3 t/lika.db "SELECT count(*) FROM household")" -gt 9000 ] ||
    fail "the import wrote $(sqlite3 t/lika.db "SELECT count(*) FROM household") households"
