# t0203: one byte of a stored change set flipped with the sqlite3 shell makes
# verify fail naming (origin, seq) and the reason; so does an edited state row.
. "$SRCDIR/tests/system/lib.sh"
TAMPERED="t"     # its ledger is altered on purpose

mk_county c 522601
mk_township t 522601100 c
lika --data t village add 522601100001 南哨村 >/dev/null || fail "village add"
lika --data t village add 522601100002 北村 >/dev/null || fail "village add"
lika --data t village group add 522601100001 一组 >/dev/null || fail "group add"
expect_exit 0 lika --data t verify
expect_in "$OUT" "3 change sets"

cp t/lika.db pristine.db
sqlite3 t/lika.db "UPDATE changeset SET body = substr(body, 1, 59) ||
    CASE WHEN substr(body, 60, 1) = x'41' THEN x'42' ELSE x'41' END || substr(body, 61)
    WHERE origin = '522601100' AND seq = 2" || fail "sqlite3"
expect_exit 1 lika --data t verify
expect_in "$OUT" "origin 522601100 seq 2"
expect_in "$OUT" "altered"

# a state row edited behind the ledger's back
cp pristine.db t/lika.db; rm -f t/lika.db-wal t/lika.db-shm
expect_exit 0 lika --data t verify
sqlite3 t/lika.db "UPDATE village SET name = '假村' WHERE id = '522601100002'"
expect_exit 1 lika --data t verify
expect_in "$OUT" "village"
# a forged signature
cp pristine.db t/lika.db; rm -f t/lika.db-wal t/lika.db-shm
sqlite3 t/lika.db "UPDATE changeset SET sig = zeroblob(64) WHERE seq = 3"
expect_exit 1 lika --data t verify
expect_in "$OUT" "seq 3"
expect_in "$OUT" "signature"
