#!/bin/sh
# A hub acknowledges change sets only once they are on its disk.  Its loop
# commits a received batch without waiting for the disk; a thread of its own
# syncs the write-ahead log and the ACK goes out after that sync.  Here that
# thread's sync is held back (tests/tools/stall_sync.c, an LD_PRELOAD): the
# hub has stored the change set, yet the township still counts it as not at
# the county.  A likad killed meanwhile loses nothing: the system still writes
# what it was given, and the township has its change set acknowledged by the
# hub that comes back.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
export LIKA_STALL_SYNC="$PWD/stall"
touch stall

# json FIELD : the first value of "FIELD": in $OUT
json() { printf '%s\n' "$OUT" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | head -1; }
unsent() { OUT=$(lika --data t1 status --json); [ "$(json count)" = "$1" ]; }

start_likad_stalling county
start_likad t1
wait_for 20 "the session" grep -q 'township "110101001" connected' county.log

note "the hub stores the change set, its log's sync held back: no ACK"
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 20 "hub to hold seq 1" has_head county 110101001 1
sleep 1
unsent 1 || fail "the township counts $(json count) unsent, want 1: acknowledged before the hub's sync: $OUT"

note "the sync goes through: acknowledged"
rm stall
wait_for 10 "the ACK" unsent 0

note "held back again, the hub killed before the sync: nothing is lost"
touch stall
lika --data t1 village add 110101001002 西村 >/dev/null || fail "village add 2"
wait_for 20 "hub to hold seq 2" has_head county 110101001 2
sleep 0.5
unsent 1 || fail "unsent $(json count), want 1: $OUT"
stop_likad county KILL
rm stall
start_likad county
wait_for 20 "the ACK from the hub started again" unsent 0
has_head county 110101001 2 || fail "the hub lost seq 2"
stop_likad t1; stop_likad county
verify_ok county; verify_ok t1
note "ok: acknowledged only after the sync; a killed hub kept what it had stored"
