#!/bin/sh
# A restored hub holds the county's writes until its townships confirm the
# county feed.  An administrator lifts that hold by hand while likad runs
# (`lika hold lift --i-know`).  What likad does next -- here, taking a new
# township onto the roster, which a held hub adds to the townships it awaits
# -- must not put the hold back: the county goes on writing.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
start_likad county; start_likad t1
wait_for 20 "t1 to connect" grep -q "connected to hub" t1.log
lika --data county backup county.bak >/dev/null || fail "backup"
"$LIKA_UNIT/test-tool" write county 3 >/dev/null || fail "test-tool write"
wait_for 20 "the county feed at the township" has_head t1 110101 "$(head_of county 110101)"
stop_likad t1; stop_likad county

note "the hub restored from the backup, its township away: writes held"
rm -f county/lika.db-wal county/lika.db-shm
cp county.bak county/lika.db
start_likad county
wait_for 10 "the hub's hold" grep -q "writes stay on hold" county.log
OUT=$("$LIKA_UNIT/test-tool" write county 1 2>&1) && fail "write allowed while held: $OUT"

note "lifted by hand while likad runs; then a township is added to the roster"
OUT=$(lika --data county hold lift --i-know 2>&1) || fail "hold lift: $OUT"
mk_township t2 110101002 county "$port"
admit county t2 110101002
wait_for 10 "likad to read the new roster" grep -q "roster: 2 townships" county.log
sleep 0.5
expect_in "$(lika --data county hold show)" "writes    allowed"
"$LIKA_UNIT/test-tool" write county 1 >/dev/null || fail "the hold came back: $(lika --data county hold show)"
grep -q "writes allowed: the hold was lifted by hand" county.log \
    || fail "likad did not notice the hold was lifted: $(tail -5 county.log)"
cleanup_daemons
TAMPERED="t1"   # it holds a county seq 3 the lifted hub wrote anew: a fork, on purpose
note "ok"
