#!/bin/sh
# Another writer holds the hub's ledger (BEGIN IMMEDIATE, as a long county
# command would) for 8 s while three townships write and sync.  The hub's loop
# never waits for the lock: heartbeats go on (timeouts are 2 s here, so a
# stalled loop would drop every session), lika status is answered on the
# control socket, batches are queued and stored once the lock is released,
# and no township loses its session.
. "$SRCDIR/tests/system/lib.sh"
hub_and_townships 001 002 003
for t in 001 002 003; do
	lika --data t$t village add 110101${t}001 "村$t" >/dev/null || fail "village add t$t"
done
for t in 001 002 003; do wait_for 20 "t$t at the hub" has_head county 110101$t 1; done

note "a writer holds the hub's ledger for 8 s"
hold_ledger county 8
for t in 001 002 003; do
	lika --data t$t village add 110101${t}002 "村${t}2" >/dev/null || fail "village add t$t"
done
sleep 1.5
note "while it is held: status from the loop, nothing stored yet"
start=$(date +%s%N)
expect_exit 0 lika --data county status
took=$(( ($(date +%s%N) - start) / 1000000 ))
note "lika status answered in $took ms"
printf '%s\n' "$OUT" | grep -q "not answering on its control socket" && fail "the hub's loop did not answer: $OUT"
[ -f released ] && fail "the lock was released before the checks (machine too slow?)"
for t in 001 002 003; do
	[ "$(head_of county 110101$t)" = 1 ] || fail "t$t stored at the hub while its ledger was locked"
done
grep -q "ledger busy (another writer)" county.log || fail "the hub did not queue a batch"

wait "$holder" || fail "lock holder"
note "released: storing resumes"
for t in 001 002 003; do wait_for 10 "t$t's writes at the hub" has_head county 110101$t 2; done
for t in 001 002 003; do
	grep -E "silent|connection lost|reconnect|no answer" t$t.log && fail "t$t lost its session"
done
grep -E "silent: disconnected|reconnected" county.log && fail "the hub dropped a session"
cleanup_daemons
for d in county t001 t002 t003; do verify_ok $d; done
note "ok"
