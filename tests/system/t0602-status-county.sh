#!/bin/sh
# lika status at the county: one row per township, worst first, with a
# quarantined change set's reason; late and stale by the configured
# thresholds; exit codes 0 / 1 / 2; all ok after reconnection.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
for t in 001 002 003; do
	mk_township t$t 110101$t county "$port"
	fast_sync t$t
	admit county t$t 110101$t
done
fast_sync county
# thresholds in seconds, so that a test can see late and stale
sed -i -e 's/^late_after = .*/late_after = 2/' -e 's/^stale_after = .*/stale_after = 4/' county/lika.conf

json() { printf '%s\n' "$OUT" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | head -1; }
# row CODE : the JSON object of township CODE in $OUT
row() { printf '%s\n' "$OUT" | tr '{' '\n' | grep "\"code\":\"$1\""; }

note "nobody connected yet: never, exit 1"
expect_exit 1 lika --data county status --json
row 110101001 | grep -q '"health":"never"' || fail "110101001 not never: $(row 110101001)"

note "all three connected and in sync: ok, exit 0"
start_likad county
for t in 001 002 003; do
	start_likad t$t
	lika --data t$t village add 110101${t}001 村$t >/dev/null
done
for t in 001 002 003; do wait_for 20 "110101$t at the hub" has_head county 110101$t 1; done
allok() { lika --data county status >/dev/null; }
wait_for 20 "every township ok" allok
expect_exit 0 lika --data county status --json
for t in 001 002 003; do
	row 110101$t | grep -q '"health":"ok"' || fail "110101$t: $(row 110101$t)"
	row 110101$t | grep -q '"connected":true' || fail "110101$t not connected"
	row 110101$t | grep -q '"held":1,' || fail "110101$t held: $(row 110101$t)"
done
expect_exit 0 lika --data county status
expect_in "$OUT" "3 townships: 3 ok"

note "a refused change set: error, exit 2, the reason shows, worst first"
"$LIKA_UNIT/test-tool" inject t003 badsig >/dev/null || fail "inject"
expect_exit 2 lika --data county status --json
row 110101003 | grep -q '"health":"error"' || fail "110101003: $(row 110101003)"
row 110101003 | grep -q '"quarantined":1' || fail "quarantine not counted"
expect_in "$OUT" '"reason":"bad signature"'
first=$(printf '%s\n' "$OUT" | tr '{' '\n' | grep -m1 '"code":"1101010' | sed 's/.*"code":"\([0-9]*\)".*/\1/')
[ "$first" = 110101003 ] || fail "worst is not first: $first"
expect_exit 2 lika --data county status
expect_in "$OUT" "bad signature"
expect_exit 0 lika --data county quarantine list --json
expect_in "$OUT" '"origin":"110101003"'
expect_exit 0 lika --data county quarantine resolve 110101003
expect_in "$OUT" "1 quarantined change set resolved"
expect_exit 0 lika --data county quarantine list
[ -z "$OUT" ] || fail "resolved change set still listed: $OUT"
note "after resolving, the township's next change set is accepted"
lika --data t003 village add 110101003002 新村 >/dev/null
wait_for 20 "110101003's change set after the resolve" has_head county 110101003 2

note "a township stops: late after 2 s, stale after 4 s"
stop_likad t002
late() { OUT=$(lika --data county status --json); row 110101002 | grep -q '"health":"late"'; }
wait_for 10 "110101002 late" late
expect_exit 1 lika --data county status
stale() { OUT=$(lika --data county status --json); row 110101002 | grep -q '"health":"stale"'; }
wait_for 10 "110101002 stale" stale
expect_exit 2 lika --data county status

note "it comes back: all ok again"
start_likad t002
wait_for 20 "every township ok again" allok
expect_exit 0 lika --data county status

note "a hub whose likad is not running is not ok"
stop_likad county
expect_exit 1 lika --data county status
verify_ok county
