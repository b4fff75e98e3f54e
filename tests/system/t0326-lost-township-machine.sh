#!/bin/sh
# A township's machine is lost with its disk and its key.  A new machine is
# made with `lika init --restore-from-hub` (a new key); the county re-keys the
# township; likad pulls seqs 1..50 back from the hub (verified under the
# retired key) while `lika` is held, and the next write is seq 51 under the new
# key, which the hub accepts.  (That an old-key change set for seq 51 is
# refused is checked in tests/unit/test_ledger.c.)
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
start_likad county
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
"$LIKA_UNIT/test-tool" write t1 49 >/dev/null || fail "test-tool write"
wait_for 20 "hub to hold 50" has_head county 110101001 50
old_key=$(county_key t1)
stop_likad t1
rm -rf t1

note "a new machine, restored from the hub"
OUT=$(lika --data t1 init --role township --node 110101001 --name "乡镇110101001" \
    --county-key "$(county_key county)" --hub "tcp://127.0.0.1:$port" --restore-from-hub) \
    || fail "init --restore-from-hub: $OUT"
expect_in "$OUT" "rekey-township 110101001"
fast_sync t1
new_key=$(county_key t1)
[ "$new_key" != "$old_key" ] || fail "the new machine has the old key"
OUT=$(lika --data t1 village add 110101001002 西村 2>&1) && fail "write allowed before the pull-back: $OUT"
expect_in "$OUT" "restored from the hub"

note "the county re-keys the township"
OUT=$(lika --data county roster rekey-township 110101001 "$old_key" 2>&1) && fail "old key accepted: $OUT"
expect_in "$OUT" "already used"
OUT=$(lika --data county roster rekey-township 110101009 "$new_key" 2>&1) && fail "unknown township: $OUT"
expect_in "$OUT" "not on the roster"
OUT=$(lika --data county roster rekey-township 110101001 abcd 2>&1) && fail "short key: $OUT"
expect_in "$OUT" "64 hex digits"
OUT=$(lika --data county roster rekey-township 110101001 "$new_key") || fail "rekey: $OUT"
expect_in "$OUT" "110101001: seqs 1–50 stay under the old key; from seq 51 on, key $new_key"
OUT=$(lika --data county roster list)
expect_in "$OUT" "^110101001  $new_key"
expect_in "$OUT" "^  110101001  $old_key  retired after seq 50"
expect_in "$(lika --data county roster list --json)" "\"retired\":\[{\"pubkey\":\"$old_key\",\"upto\":50}\]"

note "likad pulls the feed back, then lifts the hold"
start_likad t1
wait_for 30 "township to recover its feed to 50" has_head t1 110101001 50
wait_for 10 "writes to be allowed" lika --data t1 village group add 110101001001 一组
[ "$(head_of t1 110101001)" = 51 ] || fail "new change set is not seq 51"
wait_for 20 "hub to hold 51" has_head county 110101001 51
ids t1 110101001 > t1.ids; ids county 110101001 > county.ids
cmp -s t1.ids county.ids || fail "ids differ"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "hub quarantined something"
[ "$(sqlite3 t1/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "township quarantined something"
expect_in "$(lika --data t1 roster list)" "retired after seq 50"
expect_in "$(lika --data county status 2>&1)" "110101001"

cleanup_daemons
verify_ok t1; verify_ok county
for line in "writes stay on hold: restored from a copy (a new machine, restored from the hub)" \
    "own feed: have 0, hub 50" "writes allowed: own feed recovered from the hub"; do
	grep -qF "$line" t1.log || fail "not in the township's log: \"$line\": $(cat t1.log)"
done
note "ok: 1..50 under the old key, 51 under the new one"
