#!/bin/sh
# The hub's data directory is replaced by an older copy: it takes the county
# change sets it lost back from a township before the county writes again,
# so the county feed continues instead of forking.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
lika --data county policy set line 2021 2000 >/dev/null
cp -a county county.copy
note "copy of the hub taken at county seq $(head_of county 110101)"
start_likad county; start_likad t1
for y in 2022 2023 2024; do lika --data county policy set line $y 23$y >/dev/null; done
wait_for 20 "county feed at the township" has_head t1 110101 5
stop_likad county

note "hub disk replaced by the copy"
rm -rf county && mv county.copy county
[ "$(head_of county 110101)" = 2 ] || fail "copy is not at seq 2"
start_likad county
wait_for 20 "hub to take back its feed" has_head county 110101 5
grep -q "writes on hold: behind a township: 110101001 holds seq 5" county.log || fail "hub did not hold writes"
wait_for 10 "county writes allowed" lika --data county policy set line 2025 2500
[ "$(head_of county 110101)" = 6 ] || fail "new county change set is not seq 6"
wait_for 20 "seq 6 at the township" has_head t1 110101 6
[ "$(sqlite3 t1/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "township quarantined something"
expect_in "$(lika --data t1 policy list)" "line/2025 *2500"
cleanup_daemons
ids county 110101 > a; ids t1 110101 > b
cmp -s a b || fail "county feed differs"
verify_ok county; verify_ok t1
note "ok"
