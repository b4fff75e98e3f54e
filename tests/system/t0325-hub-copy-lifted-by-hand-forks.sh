#!/bin/sh
# An administrator lifts the hold of a restored hub by hand (`lika hold lift
# --i-know`, told what it may lose) and the county writes on the old copy.
# When a township brings back the county change sets the copy lacked, the
# divergence is recorded as a fork of the county's own feed, with both
# change sets as evidence, and `lika status` shows a fork, not a broken chain.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
start_likad county; start_likad t1
wait_for 20 "t1 to connect" grep -q "connected to hub" t1.log
lika --data county backup county.bak >/dev/null || fail "backup"
base=$(head_of county 110101)
"$LIKA_UNIT/test-tool" write county 20 >/dev/null || fail "test-tool write"
wait_for 20 "t1 to hold county seq $((base + 20))" has_head t1 110101 $((base + 20))
stop_likad t1; stop_likad county

note "hub restored; the hold is lifted by hand and the county writes on the copy"
rm -f county/lika.db-wal county/lika.db-shm
cp county.bak county/lika.db
OUT=$(lika --data county hold lift --i-know 2>&1) || fail "hold lift: $OUT"
expect_in "$OUT" "townships 110101001 have not confirmed the county feed; any county change set they hold beyond seq $base will be forked"
lika --data county policy set line 2027 2700 >/dev/null || fail "write after lift"

note "the township comes back with the change sets the copy lacked"
start_likad county; start_likad t1
forked() { [ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine WHERE origin = '110101' AND kind = 'fork'")" = 2 ]; }
wait_for 20 "the hub to record the fork with both change sets" forked
[ "$(sqlite3 county/lika.db "SELECT count(DISTINCT id) FROM quarantine WHERE kind = 'fork'")" = 2 ] \
    || fail "evidence is not two different change sets"
OUT=$(lika --data county status 2>&1)
expect_in "$OUT" "110101 seq .*(fork, from"
printf '%s\n' "$OUT" | grep -q "broken chain" && fail "shown as a broken chain: $OUT"
expect_in "$(lika --data county hold show)" "held"
cleanup_daemons
note "ok: the fork is recorded as one, with its evidence"
