# t0205: two lika processes writing at the same moment both succeed (busy
# timeout) and the feed stays gapless.
. "$SRCDIR/tests/system/lib.sh"

mk_county c 522601
mk_township t 522601100 c
writer() {
	i=1
	while [ $i -le 40 ]; do
		lika --data t village add "$(printf '522601100%d%02d' "$1" "$i")" "村$1-$i" >/dev/null \
		    || { echo "writer $1 failed at $i" >&2; exit 1; }
		i=$((i + 1))
	done
}
writer 1 & p1=$!
writer 2 & p2=$!
writer 3 & p3=$!
wait $p1 || fail "writer 1"
wait $p2 || fail "writer 2"
wait $p3 || fail "writer 3"
n=$(sqlite3 t/lika.db "SELECT count(*), min(seq), max(seq) FROM changeset WHERE origin = '522601100'")
[ "$n" = "120|1|120" ] || fail "feed is not 1..120 without gaps: $n"
[ "$(sqlite3 t/lika.db 'SELECT count(*) FROM village')" = 120 ] || fail "not 120 villages"
expect_exit 0 lika --data t verify
