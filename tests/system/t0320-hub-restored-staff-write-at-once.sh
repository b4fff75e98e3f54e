#!/bin/sh
# The county hub's database is replaced by a backup 300 county change sets
# old, and county staff write the moment likad listens, before any township
# has reconnected.  The hub knows it started from a copy (the epoch in
# lika.db is not the one in lika.epoch): the write is refused with the
# reason, the hub takes its county feed back from the townships, lifts the
# hold once every township that held the county feed has confirmed it, and
# the next county write continues the chain: no fork, no lost write.
. "$SRCDIR/tests/system/lib.sh"
hub_and_townships 001 002
lika --data county policy set line 2021 2000 >/dev/null || fail "policy set"
base=$(head_of county 110101)
wait_for 20 "t001 to hold the county feed" has_head t001 110101 "$base"
wait_for 20 "t002 to hold the county feed" has_head t002 110101 "$base"

note "backup of the hub at county seq $base, taken while likad runs"
lika --data county backup county.bak >/dev/null || fail "backup"
"$LIKA_UNIT/test-tool" write county 300 >/dev/null || fail "test-tool write"
top=$((base + 300))
wait_for 30 "t001 to hold county seq $top" has_head t001 110101 $top
wait_for 30 "t002 to hold county seq $top" has_head t002 110101 $top
ids t001 110101 > before.t001; ids t002 110101 > before.t002
stop_likad county

note "hub database replaced by the backup; likad starts and staff write at once"
rm -f county/lika.db-wal county/lika.db-shm
cp county.bak county/lika.db
OUT=$(lika --data county policy set line 2025 2500 2>&1) && fail "write allowed on the copy: $OUT"
expect_in "$OUT" "writes are on hold: restored from a copy"
start_likad county
wait_for 10 "likad to listen" grep -q "listening on" county.log
OUT=$(lika --data county policy set line 2025 2500 2>&1) && fail "write allowed while behind: $OUT"
expect_in "$OUT" "writes are on hold"

wait_for 30 "hub to take back its county feed" has_head county 110101 $top
wait_for 20 "county writes allowed" lika --data county policy set line 2025 2500
[ "$(head_of county 110101)" = $((top + 1)) ] || fail "new county change set is not seq $((top + 1))"
grep -q "township \"110101001\" confirms the county feed" county.log || fail "t001 did not confirm"
grep -q "township \"110101002\" confirms the county feed" county.log || fail "t002 did not confirm"
wait_for 20 "t001 to hold the new write" has_head t001 110101 $((top + 1))
wait_for 20 "t002 to hold the new write" has_head t002 110101 $((top + 1))
expect_in "$(lika --data t002 policy list)" "line/2025 *2500"
cleanup_daemons

note "every county change set the townships held is still at its seq"
for t in t001 t002; do
	ids $t 110101 | head -n "$(wc -l < before.$t)" | cmp -s - before.$t || fail "$t: county feed rewritten"
	[ "$(sqlite3 $t/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "$t quarantined something"
done
ids county 110101 > a; ids t001 110101 > b
cmp -s a b || fail "county feed differs between hub and t001"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "hub quarantined something"
for n in county t001 t002; do
	expect_in "$(lika --data $n hold show)" "writes *allowed"
	verify_ok $n
done
note "ok: the copy waited, took back $((top - base)) change sets and continued at $((top + 1))"
