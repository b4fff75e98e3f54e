# t0204: a change set deleted from the middle of a feed is named as a gap.
. "$SRCDIR/tests/system/lib.sh"
TAMPERED="t"     # its ledger is altered on purpose

mk_county c 522601
mk_township t 522601100 c
for i in 1 2 3 4 5; do
	lika --data t village add 52260110000$i 村$i >/dev/null || fail "village add $i"
done
expect_exit 0 lika --data t verify
sqlite3 t/lika.db "DELETE FROM changeset WHERE origin = '522601100' AND seq = 3"
expect_exit 1 lika --data t verify
expect_in "$OUT" "origin 522601100 seq 3"
expect_in "$OUT" "missing"
