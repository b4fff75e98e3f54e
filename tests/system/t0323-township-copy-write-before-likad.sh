#!/bin/sh
# A township's database is replaced by a backup 100 change sets old, and a
# clerk writes with lika before anyone has started likad.  lika itself finds
# that lika.db is a copy (its epoch is not lika.epoch's) and refuses with the
# reason, instead of writing a seq the hub already holds.  Once likad has
# pulled the feed back from the hub the hold lifts and the write continues
# the chain.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
start_likad county; start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
"$LIKA_UNIT/test-tool" write t1 49 >/dev/null || fail "test-tool write"
wait_for 20 "hub to hold 50" has_head county 110101001 50
lika --data t1 backup t1.bak >/dev/null || fail "backup"
note "backup of the township at seq 50"
"$LIKA_UNIT/test-tool" write t1 100 >/dev/null || fail "test-tool write"
wait_for 20 "hub to hold 150" has_head county 110101001 150
stop_likad t1

note "disk replaced by the backup; the clerk writes before likad is started"
rm -f t1/lika.db-wal t1/lika.db-shm
cp t1.bak t1/lika.db
OUT=$(lika --data t1 village group add 110101001001 一组 2>&1) && fail "write allowed on the copy: $OUT"
expect_in "$OUT" "writes are on hold: restored from a copy: waiting for peers to confirm this node's feed"
[ "$(head_of t1 110101001)" = 50 ] || fail "the copy wrote"
expect_in "$(lika --data t1 status)" "writes       on hold: restored from a copy"
expect_in "$(lika --data t1 hold show)" "awaiting  110101"
OUT=$(lika --data t1 hold lift 2>&1) && fail "hold lift without --i-know: $OUT"
expect_in "$OUT" "any change set of 110101001 it holds beyond seq 50 will be forked"

note "likad starts, pulls the feed back from the hub and lifts the hold"
start_likad t1
recovered_and_continues t1 110101001 150
note "ok: held on the copy, recovered 100, continued at 151"
