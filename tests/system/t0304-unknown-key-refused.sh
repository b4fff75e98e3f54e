#!/bin/sh
# A node whose key is not on the roster cannot connect; the hub logs the refusal.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
mk_township t1 110101001 county "$port"
mk_township stranger 110101009 county "$port"
fast_sync county; fast_sync t1; fast_sync stranger
admit county t1 110101001
lika --data stranger village add 110101009001 外村 >/dev/null || fail "village add"

start_likad county
start_likad stranger
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 20 "admitted township to reach the hub" has_head county 110101001 1
wait_for 20 "the hub to log the refusal" grep -q "refused connection.*is not on the roster" county.log
sleep 1
[ "$(head_of county 110101009)" = 0 ] || fail "the stranger's feed reached the hub"
grep -q "connected to hub" stranger.log && fail "the stranger thinks it is connected"
note "$(grep 'refused connection' county.log | head -1)"
note "ok: key not on the roster refused"
