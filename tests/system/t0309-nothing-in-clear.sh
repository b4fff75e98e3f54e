#!/bin/sh
# Nothing travels in clear: the bytes between a township and its hub (caught
# by a relay) never show a distinctive village name.
. "$SRCDIR/tests/system/lib.sh"
relayport=$(free_port)
county_and_t1 "$relayport"
hubport=$port
/usr/bin/python3 "$SRCDIR/tests/system/relay.py" "$relayport" "$hubport" wire.bin &
relay=$!
trap 'kill $relay 2>/dev/null; cleanup_daemons' EXIT
start_likad county
start_likad t1
lika --data t1 village add 110101001001 甲乙丙丁戊己村 >/dev/null || fail "village add"
lika --data county policy set poverty_line 2024 2300 "ZXQWVK-UNMISTAKABLE" >/dev/null
wait_for 20 "village at the hub" has_head county 110101001 1
wait_for 20 "policy at the township" sh -c 'lika --data t1 policy list | grep -q ZXQWVK'
expect_in "$(lika --data county village list)" "甲乙丙丁戊己村"
size=$(wc -c < wire.bin)
[ "$size" -gt 500 ] || fail "relay caught only $size bytes"
grep -q "甲乙丙丁戊己村" wire.bin && fail "village name in clear on the wire"
grep -q "ZXQWVK" wire.bin && fail "policy value in clear on the wire"
grep -q "110101001001" wire.bin && fail "village code in clear on the wire"
note "ok: $size bytes caught, none in clear"
