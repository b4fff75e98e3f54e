#!/bin/sh
# A township's session ends at the hub while another writer holds the hub's
# ledger: the hub cannot write then that the township is gone (its peer row,
# with the session's last counters), and the session's link is freed.  The
# row is kept and written once the ledger is free, so the table does not go
# on saying "connected" (what lika status reads with likad stopped).
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
start_likad county
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 20 "hub to hold seq 1" has_head county 110101001 1
row() { sqlite3 county/lika.db "SELECT connected FROM peer WHERE peer = '110101001' AND feed = '$1'"; }
row_is() { [ "$(row "$1")" = "$2" ]; }
wait_for 10 "the hub's row of the session" row_is '' 1

note "the township stops while a writer holds the hub's ledger"
hold_ledger county 6
stop_likad t1
wait_for 5 "the hub to end the session" grep -q 'township "110101001": silent: disconnected' county.log
[ -f released ] && fail "the lock was released before the session ended (machine too slow?)"
[ "$(row '')" = 1 ] || fail "the row changed while the ledger was held"
wait "$holder" || fail "lock holder"

note "released: the row says disconnected, for the session and each of its feeds"
wait_for 5 "the row to be written" row_is '' 0
[ "$(row 110101001)" = 0 ] || fail "the feed's row still says connected"
kill -0 "$(cat county.pid)" || fail "the hub stopped"
note "ok: the ended session's row was written once the ledger was free"
