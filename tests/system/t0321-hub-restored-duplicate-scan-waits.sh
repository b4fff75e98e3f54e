#!/bin/sh
# The county hub's database is replaced by a backup 300 county change sets
# old while nobody writes, but the hub's duplicate scan has something to
# publish (one person in households of two townships).  The scan writes into
# the county feed through the same gate as staff: it waits while the hub is
# held, also after the townships connected now have confirmed, because a
# third township that held the county feed is still offline.  Once it
# reconnects the hold lifts and the notice follows the county feed: no fork.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
for t in 001 002 003; do
	mk_township t$t 110101$t county "$port"
	fast_sync t$t
	admit county t$t 110101$t
	lika --data t$t village add 110101${t}001 村$t >/dev/null || fail "village add"
done
fast_sync county
LOG_TAIL=35     # on a failure, more of what the hub said last
start_likad county; start_likad t001; start_likad t002; start_likad t003
base=$(head_of county 110101)
for t in 001 002 003; do wait_for 20 "t$t to hold the county feed" has_head t$t 110101 "$base"; done
lika --data county backup county.bak >/dev/null || fail "backup"
note "backup of the hub at county seq $base"
"$LIKA_UNIT/test-tool" write county 300 >/dev/null || fail "test-tool write"
top=$((base + 300))
for t in 001 002 003; do wait_for 30 "t$t to hold county seq $top" has_head t$t 110101 $top; done
for t in 001 002 003; do ids t$t 110101 > before.t$t; done
stop_likad t003
stop_likad county

note "while the hub is down, the same person is registered in 001 and 002"
for t in 001 002; do
	lika --data t$t household add --village 110101${t}001 --head-name 张三 \
	    --head-idcard 440524188001010014 --head-sex 男 >/dev/null || fail "household add at $t"
done

note "hub database replaced by the backup; nobody writes; t003 stays offline"
rm -f county/lika.db-wal county/lika.db-shm
cp county.bak county/lika.db
start_likad county
wait_for 30 "hub to take back its county feed" has_head county 110101 $top
hub_has_household() { [ "$(sqlite3 county/lika.db "SELECT count(*) FROM household WHERE id LIKE '$1%'")" -ge 1 ]; }
wait_for 20 "households of 001 at the hub" hub_has_household 110101001
wait_for 20 "households of 002 at the hub" hub_has_household 110101002
wait_for 20 "the duplicate scan to wait" grep -q "duplicate notices wait: writes are on hold" county.log
sleep 6         # longer than the scan's period: it must still not write
[ "$(head_of county 110101)" = $top ] || fail "the hub wrote while 110101003 had not confirmed"
expect_in "$(lika --data county hold show)" "awaiting  110101003"
expect_in "$(lika --data county status)" "awaiting     110101003"

note "t003 reconnects and confirms: the hold lifts, the notice is published after seq $top"
start_likad t003
noticed() { lika --data "$1" duplicates --json | grep -q '"idcard":"440524188001010014"'; }
wait_for 30 "the hub to publish the notice" noticed county
grep -q "township \"110101003\" confirms the county feed" county.log || fail "t003 did not confirm"
[ "$(head_of county 110101)" = $((top + 1)) ] || fail "the notice is not county seq $((top + 1))"
for t in 001 002; do wait_for 30 "t$t to see the notice" noticed t$t; done
wait_for 30 "t003 to hold county seq $((top + 1))" has_head t003 110101 $((top + 1))
cleanup_daemons
for t in t001 t002 t003; do
	ids $t 110101 | head -n "$(wc -l < before.$t)" | cmp -s - before.$t || fail "$t: county feed rewritten"
	[ "$(sqlite3 $t/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "$t quarantined something"
done
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "hub quarantined something"
for n in county t001 t002 t003; do
	expect_in "$(lika --data $n hold show)" "writes *allowed"
	verify_ok $n
done
note "ok: the scan waited for every township, then published at $((top + 1))"
