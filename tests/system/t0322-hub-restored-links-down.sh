#!/bin/sh
# The county hub is restored from a backup 300 county change sets old while
# the links to its townships are down.  A clerk writes 3 s after likad
# starts: refused, the hub holds until the townships confirm.  When the first
# township comes back the hub takes its county feed back but still holds (the
# second has not confirmed); when the second comes back it lifts, and the
# clerk's write becomes the next seq: no fork, no lost write.
. "$SRCDIR/tests/system/lib.sh"
hub_and_townships 001 002
base=$(head_of county 110101)
wait_for 20 "t001 to connect" grep -q "connected to hub" t001.log
wait_for 20 "t002 to connect" grep -q "connected to hub" t002.log
lika --data county backup county.bak >/dev/null || fail "backup"
note "backup of the hub at county seq $base"
"$LIKA_UNIT/test-tool" write county 300 >/dev/null || fail "test-tool write"
top=$((base + 300))
wait_for 30 "t001 to hold county seq $top" has_head t001 110101 $top
wait_for 30 "t002 to hold county seq $top" has_head t002 110101 $top
for t in t001 t002; do ids $t 110101 > before.$t; done

note "links down: townships stopped, hub restored from the backup"
stop_likad t001; stop_likad t002; stop_likad county
rm -f county/lika.db-wal county/lika.db-shm
cp county.bak county/lika.db
start_likad county
wait_for 10 "likad to listen" grep -q "listening on" county.log
sleep 3
OUT=$(lika --data county policy set line 2026 2600 2>&1) && fail "clerk's write allowed: $OUT"
expect_in "$OUT" "writes are on hold: restored from a copy"
expect_in "$(lika --data county hold show)" "awaiting  110101001"
expect_in "$(lika --data county hold show)" "awaiting  110101002"

note "t001 comes back: the feed is taken back, but t002 has not confirmed yet"
start_likad t001
wait_for 30 "hub to take back its county feed" has_head county 110101 $top
wait_for 10 "t001 to confirm" grep -q "township \"110101001\" confirms the county feed" county.log
OUT=$(lika --data county policy set line 2026 2600 2>&1) && fail "write allowed before t002 confirmed: $OUT"
expect_in "$OUT" "writes are on hold"
expect_in "$(lika --data county hold show)" "awaiting  110101002"

note "t002 comes back: the hold lifts and the clerk's write is seq $((top + 1))"
start_likad t002
wait_for 20 "county writes allowed" lika --data county policy set line 2026 2600
[ "$(head_of county 110101)" = $((top + 1)) ] || fail "the write is not county seq $((top + 1))"
wait_for 20 "t001 to hold it" has_head t001 110101 $((top + 1))
wait_for 20 "t002 to hold it" has_head t002 110101 $((top + 1))
cleanup_daemons
for t in t001 t002; do
	ids $t 110101 | head -n "$(wc -l < before.$t)" | cmp -s - before.$t || fail "$t: county feed rewritten"
	[ "$(sqlite3 $t/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "$t quarantined something"
done
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "hub quarantined something"
for n in county t001 t002; do
	expect_in "$(lika --data $n hold show)" "writes *allowed"
	verify_ok $n
done
note "ok"
