#!/bin/sh
# Bad signature, broken chain, a row of another township and malformed input
# are each refused (quarantined or dropped, with the reason logged) while the
# hub keeps serving a good township.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
for t in 001 002 003 004 005 006; do
	mk_township t$t 110101$t county "$port"
	fast_sync t$t
	admit county t$t 110101$t
done
fast_sync county
start_likad county
start_likad t001
lika --data t001 village add 110101001001 东村 >/dev/null
wait_for 20 "good township to reach the hub" has_head county 110101001 1

quarantined() {
	sqlite3 county/lika.db "SELECT count(*) FROM quarantine WHERE kind = '$1' AND reason LIKE '%$2%'"
}

note "bad signature from 110101002"
OUT=$("$LIKA_UNIT/test-tool" inject t002 badsig) || fail "inject: $OUT"
expect_in "$OUT" "ERROR refused.*bad signature"
[ "$(quarantined refused 'bad signature')" = 1 ] || fail "bad signature not quarantined"

note "broken chain from 110101003"
OUT=$("$LIKA_UNIT/test-tool" inject t003 badchain) || fail "inject: $OUT"
expect_in "$OUT" "ERROR refused.*broken chain"
[ "$(quarantined refused 'broken chain')" = 1 ] || fail "broken chain not quarantined"

note "110101004 writes a village of 110101005"
OUT=$("$LIKA_UNIT/test-tool" inject t004 foreign) || fail "inject: $OUT"
expect_in "$OUT" "ERROR refused.*does not belong to township"
[ "$(quarantined refused 'does not belong')" = 1 ] || fail "foreign row not quarantined"

note "malformed change set and a frame that is not msgpack from 110101005"
OUT=$("$LIKA_UNIT/test-tool" inject t005 malformed garbage) || fail "inject: $OUT"
expect_in "$OUT" "malformed: ERROR"
expect_in "$OUT" "garbage: ERROR bad message"
grep -q 'bad message dropped' county.log || fail "garbage frame not logged"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine WHERE kind = 'malformed'")" = 1 ] || fail "malformed change set not quarantined"
grep -q "110101005.*refused: msgpack" county.log || fail "malformed change set not logged"

note "a change set beyond the head from 110101006: acknowledged up to the head, resend asked"
OUT=$("$LIKA_UNIT/test-tool" inject t006 gap) || fail "inject: $OUT"
expect_in "$OUT" "gap: ACK 110101006 0"
expect_in "$OUT" "gap: NEED 110101006 1"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM feed WHERE origin = '110101006' AND frozen IS NOT NULL")" = 0 ] \
    || fail "a gap froze the feed"

note "refused feeds are frozen at the hub"
for t in 002 003 004; do
	[ "$(sqlite3 county/lika.db "SELECT frozen IS NOT NULL FROM feed WHERE origin = '110101$t'")" = 1 ] \
	    || fail "feed 110101$t not frozen"
done
note "the hub still serves the good township"
lika --data t001 village add 110101001002 西村 >/dev/null
wait_for 20 "good township's new change set" has_head county 110101001 2
kill -0 "$(cat county.pid)" || fail "hub died"
verify_ok county

note "110101002's own likad sends to its frozen feed: refused once, then no more this session"
lika --data t002 village add 110101002001 南村 >/dev/null
start_likad t002
wait_for 20 "township to stop sending" grep -q 'refuses feed "110101002"' t002.log
sleep 3
n=$(grep -c 'feed "110101002" from "110101002": change set' county.log)
[ "$n" = 2 ] || fail "hub refused feed 110101002 $n times, expected 2 (injector, likad)"
grep 'refused\|frozen' county.log | sed 's/^/# /'
note "ok"
