#!/bin/sh
# A township writes 1,000 change sets while its hub is down; the hub starts;
# all arrive in order, exactly once.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1

note "township writes 1000 change sets with the hub down (likad running)"
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
"$LIKA_UNIT/test-tool" write t1 999 >/dev/null || fail "test-tool write"
[ "$(head_of t1 110101001)" = 1000 ] || fail "township head is not 1000"

note "hub starts"
start_likad county
wait_for 40 "hub to hold 1000 change sets" has_head county 110101001 1000

ids t1 110101001 > t1.ids
ids county 110101001 > county.ids
[ "$(wc -l < county.ids)" = 1000 ] || fail "hub holds $(wc -l < county.ids) change sets, not 1000"
cmp -s t1.ids county.ids || fail "ids differ between township and hub"
# in order and exactly once: seqs 1..1000 each once
seq 1 1000 > want
cut -d' ' -f1 county.ids | cmp -s - want || fail "hub seqs are not 1..1000 exactly once"
note "peer state: what each side knows of the other"
peer_is() {     # peer_is DIR PEER FEED EXPR VALUE
	[ "$(sqlite3 "$1/lika.db" "SELECT $4 FROM peer WHERE peer = '$2' AND feed = '$3'")" = "$5" ]
}
wait_for 10 "township to record the hub's ack" peer_is t1 110101 110101001 acked 1000
wait_for 10 "hub peer row" peer_is county 110101001 110101001 "have || ' ' || theirs || ' ' || connected" "1000 1000 1"
peer_is county 110101001 "" "bytes_in > 100000" 1 || fail "hub counted no bytes in"
stop_likad county; [ "$STATUS" = 0 ] || fail "hub exited $STATUS on SIGTERM"
stop_likad t1; [ "$STATUS" = 0 ] || fail "township likad exited $STATUS on SIGTERM"
peer_is t1 110101 "" connected 0 || fail "peer row still connected after stop"
verify_ok county; verify_ok t1
grep -q "refused\|bad message" county.log && fail "hub log shows refusals"
note "ok: 1000 change sets arrived in order, exactly once"
