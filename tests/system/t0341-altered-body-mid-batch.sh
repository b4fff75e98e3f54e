#!/bin/sh
# A township's feed reaches the hub in one batch whose third change set's
# body was altered (one byte): its id no longer matches the fourth's prev, so
# the last signature cannot speak for it.  The hub stores seqs 1 and 2 only,
# refuses seq 3 (named in the quarantine), and nothing from seq 3 on is applied
# or forwarded.
. "$SRCDIR/tests/system/lib.sh"
TAMPERED="t001"     # seq 3's body is altered on purpose

note "t001 writes five change sets while nothing runs; seq 3's body is altered"
five_in_one_batch
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
only_two_forwarded
cleanup_daemons
verify_ok county
verify_ok t002
note "ok"
