#!/bin/sh
# likad's loop never waits for the ledger's write lock.  When the hub confirms
# the township's feed while another writer (a clerk's command, an import)
# holds that lock, the hold cannot be lifted in the ledger at that moment: it
# must be lifted once the lock is free, not left until the start-up timeout
# (or, for a hold behind the hub, for good).  The three rows of the hold
# change together or not at all.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
# a long start-up timeout: a hold lifted by it would take 60 s
sed -i 's/^timeout_ms = .*/timeout_ms = 60000/' t1/lika.conf
start_likad county
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 20 "hub to hold seq 1" has_head county 110101001 1
stop_likad t1
stop_likad county
seen() { sqlite3 t1/lika.db "SELECT value FROM meta WHERE key = 'hub_seen'"; }
seen_before=$(seen)
sleep 1     # hub_seen is to the second

note "the township starts with the hub down: writes held until it confirms"
start_likad t1
wait_for 10 "the township's hold" grep -q "writes on hold: likad is starting" t1.log
sleep 0.5
OUT=$(lika --data t1 village add 110101001002 西村 2>&1) && fail "write allowed while held: $OUT"

note "a writer holds the township's ledger while the hub comes back"
hold_ledger t1 4
start_likad county
wait_for 10 "the hub to confirm the feed" grep -q "writes allowed: the hub confirms" t1.log
[ -f released ] && fail "the lock was released before the hub confirmed (machine too slow?)"
grep -q "write hold: .*written again once the ledger is free" t1.log \
    || fail "the busy ledger was not noticed: $(tail -5 t1.log)"
[ "$(sqlite3 t1/lika.db "SELECT value FROM meta WHERE key = 'write_hold'")" != "" ] \
    || fail "the hold is gone while another writer held the ledger"

wait "$holder" || fail "lock holder"
note "released: the hold is lifted in the ledger"
wait_for 5 "writes to be allowed" lika --data t1 village add 110101001002 西村
grep -q "write hold: written (lifted)" t1.log || fail "no word that the hold was lifted: $(tail -5 t1.log)"
for k in write_hold hold_since hold_awaiting; do
	[ "$(sqlite3 t1/lika.db "SELECT value FROM meta WHERE key = '$k'")" = "" ] || fail "meta $k left set"
done
wait_for 20 "hub to hold seq 2" has_head county 110101001 2
grep -q "hub not reachable: working offline" t1.log && fail "lifted by the timeout, not by the hub"
[ "$(seen)" != "$seen_before" ] || fail "that the hub was reached is not recorded (hub_seen $(seen))"
note "ok: the hold was lifted once the ledger was free"
