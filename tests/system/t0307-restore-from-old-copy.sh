#!/bin/sh
# A township's data directory is replaced by a copy taken 200 change sets
# earlier.  On restart it holds writes, recovers those 200 from the hub, and
# its next change set continues the chain: no fork.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
start_likad county
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
"$LIKA_UNIT/test-tool" write t1 99 >/dev/null
wait_for 20 "hub to hold 100" has_head county 110101001 100

note "copy taken at seq 100"
stop_likad t1
cp -a t1 t1.copy
start_likad t1
wait_for 10 "likad to reconnect" sh -c '[ "$(grep -c "connected to hub" t1.log)" -ge 2 ]'
wait_for 10 "writes allowed" sh -c '[ -z "$(sqlite3 t1/lika.db "SELECT value FROM meta WHERE key = '"'write_hold'"'")" ]'
"$LIKA_UNIT/test-tool" write t1 200 >/dev/null || fail "test-tool write"
wait_for 20 "hub to hold 300" has_head county 110101001 300
stop_likad t1

note "disk replaced by the copy; likad restarts"
rm -rf t1 && mv t1.copy t1
[ "$(head_of t1 110101001)" = 100 ] || fail "copy does not end at 100"
: > t1.log
start_likad t1
wait_for 10 "likad to start" grep -q "township \"110101001\"" t1.log
wait_for 20 "township to recover its feed to 300" has_head t1 110101001 300
grep -q "writes on hold: behind the hub: have seq 100 of this township's feed, the hub has 300" t1.log \
    || fail "likad did not hold writes while behind the hub"
note "$(grep 'writes on hold: behind' t1.log)"
wait_for 10 "writes to be allowed" lika --data t1 village group add 110101001001 一组
[ "$(head_of t1 110101001)" = 301 ] || fail "new change set is not seq 301"

note "a write while behind is refused with the reason"
# (likad may be writing: the shell waits for the lock instead of failing with "database is locked")
sqlite3 -cmd ".timeout 10000" t1/lika.db "UPDATE meta SET value = 'behind the hub: test' WHERE key = 'write_hold'" \
    || fail "could not set the hold"
OUT=$(lika --data t1 village group add 110101001001 二组 2>&1) && fail "write allowed on hold: $OUT"
expect_in "$OUT" "writes are on hold: behind the hub"
sqlite3 -cmd ".timeout 10000" t1/lika.db "UPDATE meta SET value = '' WHERE key = 'write_hold'"
wait_for 20 "hub to hold 301" has_head county 110101001 301
ids t1 110101001 > t1.ids; ids county 110101001 > county.ids
cmp -s t1.ids county.ids || fail "ids differ"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "hub quarantined something"
[ "$(sqlite3 county/lika.db "SELECT frozen IS NULL FROM feed WHERE origin = '110101001'")" = 1 ] \
    || fail "feed frozen at the hub"
cleanup_daemons
verify_ok t1; verify_ok county
note "ok: recovered 200, continued at 301"
