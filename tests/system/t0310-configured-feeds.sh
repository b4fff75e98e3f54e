#!/bin/sh
# Which other feeds a township receives is configuration: by default its own
# and the county's; "feeds = 110101001" adds that township's, "all" every one.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
fast_sync county
for t in 001 002 003 004; do
	mk_township t$t 110101$t county "$port"
	fast_sync t$t
	admit county t$t 110101$t
done
sed -i 's/^\[sync\]$/[sync]\nfeeds = 110101001/' t002/lika.conf
sed -i 's/^\[sync\]$/[sync]\nfeeds = all/' t003/lika.conf
lika --data t001 village add 110101001001 东村 >/dev/null
lika --data t004 village add 110101004001 北村 >/dev/null
start_likad county
for t in 001 002 003 004; do start_likad t$t; done
wait_for 20 "t001 at the hub" has_head county 110101001 1
wait_for 20 "t004 at the hub" has_head county 110101004 1
wait_for 20 "t001's feed at t002" has_head t002 110101001 1
wait_for 20 "t001's feed at t003" has_head t003 110101001 1
wait_for 20 "t004's feed at t003" has_head t003 110101004 1
note "a change set written later reaches the townships that want it"
lika --data t001 village add 110101001002 西村 >/dev/null
wait_for 20 "t001 seq 2 at t002" has_head t002 110101001 2
wait_for 20 "t001 seq 2 at t003" has_head t003 110101001 2
sleep 1
[ "$(head_of t004 110101001)" = 0 ] || fail "t004 got a feed it did not ask for"
[ "$(head_of t002 110101004)" = 0 ] || fail "t002 got a feed it did not ask for"
expect_in "$(lika --data t003 village list)" "110101004001  北村"
cleanup_daemons
for d in county t001 t002 t003 t004; do verify_ok $d; done
note "ok"
