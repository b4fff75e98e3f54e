#!/bin/sh
# The README's walk-through, as a newcomer pastes it: the commands between its
# markers run as they are (from a directory holding bin/ and examples/, as the
# top of the repository does after make), on the sample sheets, with every
# command succeeding; only the hub's port is moved to a free one.
. "$SRCDIR/tests/system/lib.sh"
sed -n '/^<!-- walk-through begin -->$/,/^<!-- walk-through end -->$/p' "$SRCDIR/README.md" > block.md
[ "$(sed -n 2p block.md)" = '```sh' ] || fail "README walk-through is not a sh block between its markers"
sed '1,2d;$d' block.md | sed '$d' > walk.sh
[ "$(wc -l < walk.sh)" -gt 20 ] || fail "README walk-through too short: $(cat walk.sh)"
grep -q '…\|<[A-Z]*>' walk.sh && fail "README walk-through has a placeholder: $(grep '…\|<[A-Z]*>' walk.sh)"
port=$(free_port)
mkdir top
ln -s "$LIKA_BIN" top/bin
ln -s "$SRCDIR/examples" top/examples
# the daemons it starts are stopped whatever happens
{ echo 'trap '\''kill $county_pid $t1_pid 2>/dev/null'\'' EXIT'; sed "s/7700/$port/g" walk.sh; } > top/walk.sh
(cd top && sh -ex walk.sh) > walk.out 2>&1 || { tail -30 walk.out; fail "the README walk-through stopped"; }
cd top/demo || fail "no demo directory"
for f in 户卡.html 花名册.html 花名册.csv 乡镇簿.html 县电子档案.html 第一榜公示.html t1-copy.db; do
	[ -s "$f" ] || fail "the walk-through wrote no $f"
done
[ "$(lika --data t1 household list | wc -l | tr -d ' ')" = 20 ] || fail "not the sample's 20 households"
grep -q "$(lika --data t1 household show 522701101000001 --json | sed 's/.*"head_name":"\([^"]*\)".*/\1/')" \
    第一榜公示.html || fail "the notice list lacks the household posted"
grep -q '第一榜公示' 第一榜公示.html || fail "notice list title"
expect_in "$(cat ../../walk.out)" "incomes: 20 household-years written"
expect_in "$(cat ../../walk.out)" "等待：公示期至"
lika --data t1 verify >/dev/null || fail "verify t1"
lika --data county verify >/dev/null || fail "verify county"
