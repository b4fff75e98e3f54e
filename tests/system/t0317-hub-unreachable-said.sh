#!/bin/sh
# A township that cannot open a session says why, once, instead of retrying
# quietly: with no hub listening, that the hub cannot be reached; with
# another county's hub at its [hub] address, whose key is not the one in its
# lika.conf, that the hub answers but no CURVE handshake completes and
# [hub] county_key may be wrong.  With its own hub there the session opens.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"

note "no hub listening"
start_likad t1
wait_for 15 "the township to say the hub cannot be reached" \
    grep -q "hub tcp://127.0.0.1:$port cannot be reached after" t1.log
sleep 3         # more than timeout_ms again: said once an outage, not once a timeout
stop_likad t1
[ "$(grep -c "cannot be reached after" t1.log)" = 1 ] || fail "said more than once: $(grep -c "cannot be reached" t1.log)"

note "another county's hub at the address: its key is not the township's [hub] county_key"
mk_county other 110102 "$port"
: > t1.log
start_likad other
start_likad t1
wait_for 15 "the township to suspect its county_key" \
    grep -q "answers, but no CURVE handshake completes after .* is \[hub\] county_key in lika.conf its key" t1.log
[ "$(head_of other 110101001)" = 0 ] || fail "the feed reached a hub it could not authenticate"
said=$(grep -h "no CURVE handshake" t1.log | head -1)
stop_likad t1
stop_likad other

note "its own hub at the address: the session opens"
: > t1.log
start_likad county
start_likad t1
wait_for 20 "the township's feed at the hub" has_head county 110101001 1
grep -q "cannot be reached\|no CURVE handshake" t1.log && fail "a warning with the right hub: $(cat t1.log)"
cleanup_daemons
verify_ok county
verify_ok t1
note "ok: $said"
