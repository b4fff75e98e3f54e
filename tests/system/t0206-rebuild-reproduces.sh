# t0206: rebuild replays the ledger into fresh state tables equal to the old.
. "$SRCDIR/tests/system/lib.sh"

mk_county c 522601
mk_township t 522601100 c
lika --data t village add 522601100001 南哨村 >/dev/null
lika --data t village add 522601100002 北村 >/dev/null
lika --data t village group add 522601100001 一组 >/dev/null
lika --data t village group add 522601100002 一组 >/dev/null
lika --data t village group add 522601100001 二组 >/dev/null
before=$(lika --data t village list --json)
sqlite3 t/lika.db "DELETE FROM village; DELETE FROM village_group"
expect_exit 1 lika --data t verify
expect_exit 0 lika --data t rebuild
expect_in "$OUT" "replayed 5"
after=$(lika --data t village list --json)
[ "$before" = "$after" ] || fail "rebuilt state differs: $before vs $after"
expect_exit 0 lika --data t verify
