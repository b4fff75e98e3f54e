#!/bin/sh
# A tampered township appends, behind lika's back, a cadre_sign step naming
# the resident cadre but signed with another key; its change set is validly
# signed by the township node.  The hub refuses it on receive (rule
# signature), quarantines it and freezes that feed; the county's state never
# holds the step and its ledger still verifies.
. "$SRCDIR/tests/system/lib.sh"
TAMPERED="t"     # its ledger is altered on purpose
. "$SRCDIR/tests/system/proc.sh"
proc_nodes

h=$(new_household 张三 "$(idno 19600101 011)" 1500)
at 2014-06-01 lika --data t review apply "$h" >/dev/null || fail "apply"
sync_to_county
good=$(head_of county 522701101)

note "a forged cadre signature leaves the township"
OUT=$("$LIKA_UNIT/forge_step" t "$h" 522701101001/001) || fail "forge: $OUT"
note "$OUT"

quarantined() {
	[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine WHERE reason LIKE '%rule signature%'")" -ge 1 ]
}
wait_for 30 "the hub to quarantine the forged step" quarantined
sqlite3 county/lika.db "SELECT reason FROM quarantine" | sed 's/^/# /'
[ "$(sqlite3 county/lika.db "SELECT frozen IS NOT NULL FROM feed WHERE origin = '522701101'")" = 1 ] \
    || fail "the township's feed is not frozen at the hub"
[ "$(head_of county 522701101)" = "$good" ] || fail "the forged change set was stored at the hub"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM review_step WHERE step = 'cadre_sign'")" = 0 ] \
    || fail "the forged step is in the county's state"
verify_ok county
note "the county clerk sees why"
expect_exit 0 lika --data county quarantine list
expect_in "$OUT" "rule signature"
expect_in "$OUT" "522701101"
note "the township's own ledger no longer matches a replay: verify names the forged change set"
expect_exit 1 lika --data t verify
expect_in "$OUT" "rule signature"
note "ok"
