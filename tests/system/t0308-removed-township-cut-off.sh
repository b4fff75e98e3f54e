#!/bin/sh
# Removing a connected township from the roster cuts it off within seconds.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
mk_township t1 110101001 county "$port"
mk_township t2 110101002 county "$port"
fast_sync county; fast_sync t1; fast_sync t2
admit county t1 110101001; admit county t2 110101002
start_likad county; start_likad t1; start_likad t2
lika --data t1 village add 110101001001 东村 >/dev/null
wait_for 20 "t1 to reach the hub" has_head county 110101001 1

note "county removes 110101001"
lika --data county roster remove-township 110101001 >/dev/null || fail "remove"
wait_for 5 "hub to cut it off" grep -q '"110101001": removed from the roster: disconnected' county.log
wait_for 5 "township to be told" grep -q "hub refuses us" t1.log
lika --data t1 village add 110101001002 西村 >/dev/null
lika --data t2 village add 110101002001 南村 >/dev/null
wait_for 20 "t2 still served" has_head county 110101002 1
sleep 2
[ "$(head_of county 110101001)" = 1 ] || fail "removed township's change set arrived"
grep -q "refused connection.*removed from the roster" county.log || fail "reconnect not refused by ZAP"
expect_in "$(lika --data county roster list)" "110101001.*(removed)"
note "ok"
