#!/bin/sh
# 300 connections, each with a new random CURVE key: the hub logs at most 10
# refusals one by one a minute (one budget for all keys, not one per key) and
# a count of the rest; an admitted township is unaffected.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
mk_township t1 110101001 county "$port"
mk_township stranger 110101009 county "$port"
fast_sync county; fast_sync t1
admit county t1 110101001
start_likad county
start_likad t1
wait_for 20 "the admitted township to connect" grep -q "connected to hub" t1.log
"$LIKA_UNIT/test-tool" strangers stranger 300 4 >/dev/null || fail "strangers"
wait_for 15 "the hub's count of what it did not log" grep -q "refused [0-9]* more connections" county.log
one=$(grep -c "refused connection from" county.log)
[ "$one" -le 10 ] || fail "$one refusals logged one by one, budget is 10 a minute"
[ "$one" -ge 1 ] || fail "no refusal logged at all"
more=$(sed -n 's/.*refused \([0-9]*\) more connections.*/\1/p' county.log | awk '{s += $1} END {print s}')
note "$one refusals logged, $more counted: $(grep 'more connections' county.log | head -1 | cut -c1-200)"
[ "$more" -ge 200 ] || fail "only $more refusals counted of 300 strangers"
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 10 "the township's feed at the hub" has_head county 110101001 1
note "ok: refusal log bounded"
