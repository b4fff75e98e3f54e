#!/bin/sh
# The network between a township and its hub breaks and comes back: both
# sides notice the silence (heartbeats, timeout), the township keeps
# working, reconnects with backoff and sends what it wrote meanwhile.
. "$SRCDIR/tests/system/lib.sh"
relayport=$(free_port)
county_and_t1 "$relayport"
hubport=$port

start_relay() { /usr/bin/python3 "$SRCDIR/tests/system/relay.py" "$relayport" "$hubport" /dev/null & relay=$!; }
trap 'kill $relay 2>/dev/null; cleanup_daemons' EXIT
peer_is() { [ "$(sqlite3 "$1/lika.db" "SELECT $4 FROM peer WHERE peer = '$2' AND feed = '$3'")" = "$5" ]; }

start_relay
start_likad county
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null
wait_for 20 "first change set at the hub" has_head county 110101001 1
wait_for 10 "hub to record the connection" peer_is county 110101001 "" connected 1

note "network breaks"
kill $relay; wait $relay 2>/dev/null
wait_for 10 "hub to notice the silence" grep -q '"110101001": silent: disconnected' county.log
wait_for 10 "township to notice" grep -q 'silent: connection lost' t1.log
wait_for 10 "hub peer row disconnected" peer_is county 110101001 "" connected 0
"$LIKA_UNIT/test-tool" write t1 50 >/dev/null || fail "township cannot write offline"
sleep 1
[ "$(head_of county 110101001)" = 1 ] || fail "change sets crossed a broken network"

note "network back"
start_relay
wait_for 30 "the 50 change sets at the hub" has_head county 110101001 51
n=$(grep -c "connected to hub" t1.log)
[ "$n" -ge 2 ] || fail "township connected $n times"
cleanup_daemons
ids t1 110101001 > a; ids county 110101001 > b
cmp -s a b || fail "ids differ"
verify_ok county; verify_ok t1
note "ok"
