#!/bin/sh
# A county roster entry and a county policy row reach every township.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
fast_sync county
for t in 001 002 003; do
	mk_township t$t 110101$t county "$port"
	fast_sync t$t
	admit county t$t 110101$t
done
start_likad county
for t in 001 002 003; do start_likad t$t; done

note "county sets the poverty line while the townships are connected"
lika --data county policy set poverty_line 2023 2300 "扶贫标准" >/dev/null || fail "policy set"
county_head=$(head_of county 110101)
for t in 001 002 003; do
	wait_for 20 "county feed at township $t" has_head t$t 110101 "$county_head"
	OUT=$(lika --data t$t policy list) || fail "policy list at $t"
	expect_in "$OUT" "poverty_line/2023 *2300"
	OUT=$(lika --data t$t roster list --json)
	for u in 001 002 003; do expect_in "$OUT" "\"code\":\"110101$u\""; done
done

note "a township stopped meanwhile gets the later roster entry when it comes back"
stop_likad t003
mk_township t004 110101004 county "$port"
admit county t004 110101004
county_head=$(head_of county 110101)
start_likad t003
wait_for 20 "county feed at township 003" has_head t003 110101 "$county_head"
expect_in "$(lika --data t003 roster list)" "110101004"
cleanup_daemons
for d in county t001 t002 t003; do verify_ok $d; done
note "ok"
