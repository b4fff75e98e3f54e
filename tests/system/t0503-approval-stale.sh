#!/bin/sh
# A county approval binds the hash of the household record it approved: an
# edit of the file at the township afterwards shows the approval as stale
# (at the township and, once the edit arrives, at the county) and
# registration is refused until the file is reviewed again in a new round.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes

h=$(new_household 张三 "$(idno 19600101 011)" 1500)
walk_township "$h"
walk_county "$h"
expect_exit 0 lika --data t review show "$h" --json
expect_in "$OUT" '"approval_stale":false'

note "the township edits the file after the county approved it"
lika --data t member add "$h" --name 张四 --idcard "$(idno 19900101 033)" --relation 之子 >/dev/null \
    || fail "member add"
expect_exit 0 lika --data t review show "$h"
expect_in "$OUT" "县级审批 .*已失效：审批后档案有改动"
expect_in "$OUT" "^县级审批已失效"
expect_exit 2 at 2014-07-02 lika --data t review register "$h"
expect_in "$OUT" "refused (approval-stale)"
note "$OUT"

note "the county sees the approval stale too once the edit arrives"
sync_to_county
expect_exit 0 lika --data county review show "$h" --json
expect_in "$OUT" '"approval_stale":true'

note "the file is returned and goes through the procedure again"
expect_exit 0 at 2014-07-02 lika --data t review register "$h" --reject --reasons "户卡已修改, 重新评议"
lika --data t income set "$h" 2013 --wages 3000 >/dev/null || fail "income"
# the second round is dated back in June again: the county allows it
expect_exit 0 lika --data county policy set max_backdate_days 2014 60
sync_to_township
walk_township "$h"
expect_exit 0 lika --data t review show "$h" --json
expect_in "$OUT" '"id":"'"$h"'/02/08"'
walk_county "$h"
expect_exit 0 at 2014-07-02 lika --data t review register "$h"
expect_exit 0 lika --data t review show "$h" --json
expect_in "$OUT" '"status":"03"'
verify_ok t
sync_to_county
verify_ok county
note "ok"
