#!/bin/sh
# A township's feed reaches the hub in one batch whose last signature is
# valid but whose third change set carries a bad signature (a byte of it
# altered on the way; the body is intact).  The hub checks one signature a
# run: the chain authenticates the bodies, so it stores all five; the
# signature checked afterwards is found bad, quarantined and named, the feed
# frozen, and nothing from seq 3 on is forwarded to the township that wants
# that feed; lika status counts seqs 3 to 5 as still unchecked.  lika verify
# at the hub names it.
. "$SRCDIR/tests/system/lib.sh"
TAMPERED="t001 county"     # seq 3's signature is altered on purpose

note "t001 writes five change sets while nothing runs"
five_in_one_batch
sqlite3 t001/lika.db "UPDATE changeset SET sig = substr(sig, 1, 4) ||
    CASE WHEN substr(sig, 5, 1) = x'41' THEN x'42' ELSE x'41' END || substr(sig, 6)
    WHERE origin = '110101001' AND seq = 3" || fail "sqlite3"

start_likad county
start_likad t002
start_likad t001
wait_for 20 "t001's five change sets at the hub" has_head county 110101001 5
quarantined() {
	[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine WHERE origin = '110101001'
	    AND seq = 3 AND reason LIKE '%bad signature%'")" = 1 ]
}
wait_for 20 "the hub to quarantine seq 3" quarantined
sqlite3 county/lika.db "SELECT reason FROM quarantine" | sed 's/^/# /'
[ "$(sqlite3 county/lika.db "SELECT frozen IS NOT NULL FROM feed WHERE origin = '110101001'")" = 1 ] \
    || fail "the feed is not frozen at the hub"
grep -q "110101001 seq 3: bad signature" county.log || fail "the hub's log does not name seq 3"
only_two_forwarded
expect_exit 0 lika --data county quarantine list
expect_in "$OUT" "110101001"
expect_in "$OUT" "bad signature"
note "status counts what still waits for its own signature check: seq 3 (bad) and those after it"
OUT=$(lika --data county status --json)
expect_in "$OUT" '"sig_unchecked":3'
OUT=$(lika --data county status)
expect_in "$OUT" "signatures   3 stored change sets still wait for their own signature check"
wait_for 20 "t002 to have checked every signature" sh -c \
    "lika --data t002 status --json | grep -q '\"sig_unchecked\":0'"
expect_in "$(lika --data t002 status)" "signatures   every stored change set's own signature checked"

note "resolving it checks seq 3 again: still bad, so it is quarantined again and the feed frozen again"
expect_exit 0 lika --data county quarantine resolve 110101001
requarantined() {
	[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine WHERE origin = '110101001'
	    AND seq = 3 AND resolved_at IS NULL")" = 1 ]
}
wait_for 20 "the hub to check seq 3 again" requarantined
[ "$(sqlite3 county/lika.db "SELECT frozen IS NOT NULL FROM feed WHERE origin = '110101001'")" = 1 ] \
    || fail "the feed is not frozen again at the hub"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine WHERE origin = '110101001' AND seq = 3")" = 2 ] \
    || fail "the first quarantine row is not kept as evidence"
sleep 1
[ "$(head_of t002 110101001)" = 2 ] || fail "after the resolve the hub forwarded seq 3 or later"

cleanup_daemons
expect_exit 1 lika --data county verify
expect_in "$OUT" "seq 3"
expect_in "$OUT" "signature"
verify_ok t002
note "ok"
