#!/bin/sh
# The county office rejects a file with its reasons; the rejection flows down
# the county feed, the township sees the file returned with the reasons, can
# no longer register it, and the household may apply again in a new round.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes

h=$(new_household 张三 "$(idno 19600101 011)" 1500)
walk_township "$h"
sync_to_county
expect_exit 2 at 2014-06-16 lika --data county review county-reject "$h" --key office.key --passphrase-fd 3 3<office.pass
expect_in "$OUT" "reasons"
expect_exit 2 at 2014-06-16 lika --data t review county-approve "$h" --key office.key --passphrase-fd 3 3<office.pass
expect_in "$OUT" "county node"
expect_exit 0 at 2014-06-16 lika --data county review county-reject "$h" --key office.key --passphrase-fd 3 3<office.pass \
    --reasons "家庭有经营性货车一辆"
expect_exit 2 at 2014-06-16 lika --data county review county-notice "$h" --key office.key --passphrase-fd 3 3<office.pass
expect_in "$OUT" "refused (order)"
sync_to_township
expect_exit 0 lika --data t review show "$h"
expect_in "$OUT" "县级审批 *不通过 .*理由：家庭有经营性货车一辆"
expect_in "$OUT" "识别 第1轮：县级审批（未通过，退回）"
expect_exit 2 at 2014-07-02 lika --data t review register "$h"
expect_in "$OUT" "refused (order)"
expect_exit 0 at 2014-07-02 lika --data t review apply "$h"
expect_in "$OUT" "round 2 step 1"
verify_ok t
sync_to_county
verify_ok county
note "ok"
