#!/bin/sh
# A township started before the county put it on the roster is refused by the
# hub; it says so once at warning level, keeps retrying with bounded backoff
# (not one attempt and then silence), and connects within a few seconds of
# "lika roster add-township".
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
mk_township t1 110101001 county "$port"
fast_sync county; fast_sync t1
start_likad county
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 20 "the township to report the refusal" grep -q "refused this township's key" t1.log
sleep 4
[ "$(grep -c "refused this township's key" t1.log)" = 1 ] || fail "refusal warned more than once: $(grep -c "refused this township's key" t1.log)"
tries=$(grep -c "refused connection from" county.log)
note "hub refusals logged while not admitted: $tries"
admit county t1 110101001
lika --data county roster list >/dev/null
start=$(date +%s)
wait_for 10 "the admitted township to connect" grep -q "connected to hub" t1.log
wait_for 10 "its feed at the hub" has_head county 110101001 1
note "connected $(( $(date +%s) - start )) s after add-township: $(grep 'connected to hub' t1.log | head -1)"
lines=$(wc -l < t1.log)
[ "$lines" -lt 200 ] || fail "township log has $lines lines while refused"
note "ok: a township admitted late connects"
