#!/bin/sh
# The half-yearly review (动态管理): a household whose income rose exits through
# its own evaluation, notice, county announcement and the head's signature;
# later it returns to poverty (返贫); another stays; a wrongly registered one
# is removed (清退).  Every node verifies afterwards.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes

h=$(new_household 张三 "$(idno 19600101 011)" 1500)
k=$(new_household 李四 "$(idno 19610101 013)" 1400)
m=$(new_household 王五 "$(idno 19620101 015)" 1300)
for x in "$h" "$k" "$m"; do walk_township "$x"; done
sync_to_county
for x in "$h" "$k" "$m"; do
	at 2014-06-16 lika --data county review county-approve "$x" --key office.key --passphrase-fd 3 3<office.pass >/dev/null || fail "approve"
	at 2014-06-16 lika --data county review county-notice "$x" --key office.key --passphrase-fd 3 3<office.pass >/dev/null || fail "notice"
done
sync_to_township
for x in "$h" "$k" "$m"; do
	at 2014-07-01 lika --data t review register "$x" >/dev/null || fail "register $x"
done

note "exit: refused while income is not above the line, without assurance or consent"
expect_exit 2 at 2014-12-20 lika --data t half-year review "$h" exit --key cadre.key --passphrase-fd 3 3<cadre.pass --household-agrees --assured
expect_in "$OUT" "refused (exit-income)"
lika --data t income set "$h" 2014 --wages 5200 >/dev/null || fail "income 2014"
expect_exit 2 at 2014-12-20 lika --data t half-year review "$h" exit --key cadre.key --passphrase-fd 3 3<cadre.pass --household-agrees
expect_in "$OUT" "refused (exit-assurances)"
expect_exit 2 at 2014-12-20 lika --data t half-year review "$h" exit --key cadre.key --passphrase-fd 3 3<cadre.pass --assured
expect_in "$OUT" "refused (exit-consent)"
expect_exit 2 at 2014-12-20 lika --data t half-year review "$h" exit --key head.key --passphrase-fd 3 3<head.pass --assured --household-agrees
expect_in "$OUT" "refused (signer-role)"
expect_exit 0 at 2014-12-20 lika --data t half-year review "$h" exit --key cadre.key --passphrase-fd 3 3<cadre.pass --assured --household-agrees
expect_in "$OUT" "2014-2: exit"

note "exit: notice, county announcement after it, the head's signature and seal"
expect_exit 0 at 2014-12-20 lika --data t review exit-notice "$h"
expect_exit 0 at 2014-12-22 lika --data t review object "$h" --by 村民 --reasons "收入不稳定"
obj=$(printf '%s' "$OUT" | sed -n 's/^objection \([^ ]*\) .*/\1/p')
expect_exit 0 at 2014-12-24 lika --data t review finding "$obj" --dismissed --reasons "务工合同两年, 收入稳定"
sync_to_county
expect_exit 2 at 2014-12-26 lika --data county review exit-announce "$h" --key office.key --passphrase-fd 3 3<office.pass
expect_in "$OUT" "refused (notice-period)"
expect_exit 0 at 2014-12-27 lika --data county review exit-announce "$h" --key office.key --passphrase-fd 3 3<office.pass
sync_to_township
expect_exit 0 at 2014-12-28 lika --data t review exit-confirm "$h" --key head.key --passphrase-fd 3 3<head.pass
expect_in "$OUT" "sealed by 522701101"
expect_exit 0 lika --data t review show "$h" --json
expect_in "$OUT" '"status":"05"'
expect_in "$OUT" '"step":"exit_confirm"'

note "the others: one stays, one is removed as wrongly registered"
expect_exit 0 at 2014-12-20 lika --data t half-year review "$k" stay
expect_exit 2 at 2014-12-20 lika --data t half-year review "$k" stay
expect_in "$OUT" "already reviewed"
expect_exit 2 at 2014-12-20 lika --data t half-year review "$m" remove --key head.key --passphrase-fd 3 3<head.pass
expect_exit 0 at 2014-12-20 lika --data t half-year review "$m" remove --key head.key --passphrase-fd 3 3<head.pass --reasons "隐瞒收入"
expect_exit 0 lika --data t review show "$m" --json
expect_in "$OUT" '"status":"07"'
expect_exit 2 at 2014-12-21 lika --data t measure add "$m" --category production --project 养鸡 \
    --funds 100 --deadline 2015-06-30
expect_in "$OUT" "refused (registered)"

note "return to poverty (返贫) in the next half year"
expect_exit 2 at 2015-06-20 lika --data t half-year review "$h" return
expect_in "$OUT" "refused (poverty-line)"
lika --data t income set "$h" 2015 --wages 1100 >/dev/null || fail "income 2015"
expect_exit 0 at 2015-06-20 lika --data t half-year review "$h" return --reasons "因病返贫"
expect_exit 0 lika --data t review show "$h" --json
expect_in "$OUT" '"status":"06"'
expect_exit 0 lika --data t half-year list
expect_in "$OUT" "2015-1  return"
expect_in "$OUT" "2014-2  exit"

sync_to_county
verify_ok t
verify_ok county
note "a replay of either ledger reproduces the signed history (every signature checked again)"
stop_likad t
stop_likad county
before=$(lika --data county review show "$h" --json)
expect_exit 0 lika --data county rebuild
expect_exit 0 lika --data t rebuild
[ "$(lika --data county review show "$h" --json)" = "$before" ] || fail "rebuilt history differs"
verify_ok t
verify_ok county
expect_exit 0 lika --data county review show "$h" --json
expect_in "$OUT" '"status":"06"'
note "ok"
