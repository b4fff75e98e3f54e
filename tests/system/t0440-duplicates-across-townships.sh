#!/bin/sh
# A person registered in households of two townships: neither township can see
# it alone; the hub finds it, publishes a notice in the county feed, and both
# townships see it with `lika duplicates`.  Once one household drops the
# person, the notice is marked resolved everywhere.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
for t in 001 002; do
	mk_township t$t 110101$t county "$port"
	fast_sync t$t
	admit county t$t 110101$t
	lika --data t$t village add 110101${t}001 村$t >/dev/null || fail "village add"
done
fast_sync county
start_likad county
start_likad t001
start_likad t002

note "the same resident ID number heads a household in each township"
h1=$(lika --data t001 household add --village 110101001001 --head-name 张三 \
    --head-idcard 440524188001010014 --head-sex 男) || fail "household add at 001: $h1"
lika --data t002 household add --village 110101002001 --head-name 张三 \
    --head-idcard 440524188001010014 --head-sex 男 >/dev/null || fail "household add at 002"
lika --data t001 household add --village 110101001001 --head-name 李四 \
    --head-idcard 513101198201130014 --head-sex 男 >/dev/null || fail "household add"

noticed() { lika --data "$1" duplicates --json | grep -q '"idcard":"440524188001010014"'; }
wait_for 30 "the hub to publish the notice" noticed county
wait_for 30 "township 001 to see it" noticed t001
wait_for 30 "township 002 to see it" noticed t002
expect_exit 1 lika --data t001 duplicates
expect_in "$OUT" "110101001000001/01"
expect_in "$OUT" "110101002000001/01"
lika --data t001 duplicates --json | grep -q 513101198201130014 && fail "a person in one township only was noticed"
grep -q "duplicate: ID number 440524" county.log || fail "the hub did not log it"

note "township 002 corrects its record: the notice is resolved everywhere"
lika --data t002 member edit 110101002000001/01 --idcard 11010519491231002X --sex 女 >/dev/null \
    || fail "member edit"
resolved() { lika --data "$1" duplicates >/dev/null; }
wait_for 30 "the notice to be resolved at the hub" resolved county
wait_for 30 "township 001 to see it resolved" resolved t001
expect_exit 0 lika --data t001 duplicates --all --json
expect_in "$OUT" '"resolved":true'
cleanup_daemons
verify_ok county; verify_ok t001; verify_ok t002
