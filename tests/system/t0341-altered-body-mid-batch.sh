#!/bin/sh
# A township's feed reaches the hub in one batch whose third change set's
# body was altered (one byte): its id no longer matches the fourth's prev, so
# the last signature cannot speak for it.  The hub stores seqs 1 and 2 only,
# refuses seq 3 (named in the quarantine), and nothing from seq 3 on is applied
# or forwarded.
. "$SRCDIR/tests/system/lib.sh"
TAMPERED="t001"     # seq 3's body is altered on purpose

port=$(free_port)
mk_county county 110101 "$port"
fast_sync county
for t in 001 002; do
	mk_township t$t 110101$t county "$port"
	fast_sync t$t
	admit county t$t 110101$t
done
sed -i 's/^\[sync\]$/[sync]\nfeeds = 110101001/' t002/lika.conf

note "t001 writes five change sets while nothing runs; seq 3's body is altered"
for v in 1 2 3 4 5; do
	lika --data t001 village add 11010100100$v "村$v" >/dev/null || fail "village add $v"
done
sqlite3 t001/lika.db "UPDATE changeset SET body = CAST(replace(CAST(body AS TEXT), '村3', '村8') AS BLOB)
    WHERE origin = '110101001' AND seq = 3" || fail "sqlite3"
[ "$(sqlite3 t001/lika.db "SELECT count(*) FROM changeset WHERE seq = 3 AND instr(body, CAST('村8' AS BLOB))")" = 1 ] \
    || fail "the body was not altered"

start_likad county
start_likad t002
start_likad t001
quarantined() {
	[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine WHERE origin = '110101001' AND seq = 3")" = 1 ]
}
wait_for 20 "the hub to refuse seq 3" quarantined
sqlite3 county/lika.db "SELECT reason FROM quarantine" | sed 's/^/# /'
[ "$(head_of county 110101001)" = 2 ] || fail "the hub holds $(head_of county 110101001) of t001, not 2"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM village WHERE id LIKE '110101001%'")" = 2 ] \
    || fail "the hub applied more than seqs 1 and 2"
wait_for 20 "seqs 1 and 2 at t002" has_head t002 110101001 2
sleep 1
[ "$(head_of t002 110101001)" = 2 ] || fail "t002 holds $(head_of t002 110101001) of t001"
cleanup_daemons
verify_ok county
verify_ok t002
note "ok"
