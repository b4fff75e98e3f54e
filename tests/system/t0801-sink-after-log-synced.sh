#!/bin/sh
# A hub's PostgreSQL copy never gets a change set before it is on the hub's
# disk.  The hub commits a received batch without syncing its log (a thread
# syncs it before the ACK); the sink syncs the log itself before it writes a
# batch to PostgreSQL, or a crash of the machine could take from the ledger a
# change set the copy holds, and give its place (rowid) to another, which the
# copy would then skip.  Here every sync of the log-sync thread and of the
# sink is held back (tests/tools/stall_sync.c): the hub stores the change
# set, PostgreSQL does not get it; let go, it does.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/pg.sh"
pg_start
county_and_t1
printf '\n[sink]\npostgres = %s\n' "$PGCONN" >> county/lika.conf
export LIKA_STALL_SYNC="$PWD/stall" LIKA_STALL_THREADS=likad-walsync,likad-sink

sunk() { pg_q "SELECT coalesce(sum(changesets), 0) FROM lika_sink" 2>/dev/null || echo 0; }
in_pg() { [ "$(pg_q "SELECT count(*) FROM village WHERE id = '$1'" 2>/dev/null)" = 1 ]; }

start_likad_stalling county
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 30 "the first village in PostgreSQL" in_pg 110101001001
before=$(sunk)

note "the log's syncs held back: the hub stores the change set, PostgreSQL does not get it"
touch stall
lika --data t1 village add 110101001002 西村 >/dev/null || fail "village add 2"
wait_for 20 "hub to hold seq 2" has_head county 110101001 2
sleep 2
in_pg 110101001002 && fail "PostgreSQL has a change set the hub has not synced"
[ "$(sunk)" = "$before" ] || fail "the sink wrote $(($(sunk) - before)) change sets before the hub's sync"

note "let go: PostgreSQL gets it"
rm stall
wait_for 20 "the second village in PostgreSQL" in_pg 110101001002
stop_likad t1; stop_likad county
note "ok: the copy waited for the hub's disk"
