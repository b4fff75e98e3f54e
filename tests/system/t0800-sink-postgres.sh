#!/bin/sh
# The hub keeps a PostgreSQL copy of its state ([sink] postgres): a real
# PostgreSQL server started by the test.  While a township catches up, the
# server is killed (as a crash: no checkpoint) and started again, twice; then
# the hub's likad is killed with SIGKILL while a batch is on its way; and a
# member is removed.  At the end every state table in PostgreSQL has exactly
# the hub's rows, each change set is recorded once, and the rows sit in the
# county's partition.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
. "$SRCDIR/tests/system/pg.sh"
pg_start
proc_nodes
stop_likad county
# small transactions, so that the kills below land while the sink catches up
printf '\n[sink]\npostgres = %s\nbatch = 40\n' "$PGCONN" >> county/lika.conf
likad --data county -n >/dev/null || fail "likad -n with [sink]"

note "a household whose second member is removed (a delete), and 3000 change sets to catch up"
h=$(new_household 张三 "$(idno 19500101 011)" 1800)
lika --data t member add "$h" --name 张小 --idcard "$(idno 19800101 022)" --relation 之女 >/dev/null \
    || fail "member add"
[ "$(sqlite3 t/lika.db "SELECT count(*) FROM member WHERE household = '$h'")" = 2 ] || fail "two members"
lika --data t member remove "$h/02" >/dev/null || fail "member remove"
stop_likad t
sed -i 's/^\[sync\]$/[sync]\nbatch_bytes = 4096\nwindow = 1/' t/lika.conf
"$LIKA_UNIT/test-tool" write t 3000 5 >/dev/null || fail "test-tool write"
total=$(head_of t 522701101)
start_likad county
start_likad t

sunk() { pg_q "SELECT coalesce(sum(changesets), 0) FROM lika_sink" 2>/dev/null || echo 0; }
applied() { sqlite3 county/lika.db "SELECT count(*) FROM changeset WHERE applied <> 0"; }
moved() { [ "$(sunk)" -gt "$1" ]; }
# moved on since LAST, or already holding all the hub applied (then nothing more can move)
moved_or_all() { moved "$1" || [ "$(sunk)" -ge "$(applied)" ]; }
# the PostgreSQL copy as lika status --json tells it (in $OUT) matches PATTERN
sink_says() { OUT=$(lika --data county status --json); printf '%s' "$OUT" | grep -q "\"sink\":{[^}]*$1"; }
# on a failure, what the sink said, and the last of what both daemons said
failed_logs() {
	grep "sink" county.log | grep -v debug | tail -20     # the logs' last lines: on_exit
	# where each daemon's threads stand (a stuck loop says nothing in its log)
	if command -v gdb >/dev/null; then
		for d in county t; do
			kill -0 "$(cat $d.pid)" 2>/dev/null || { echo "# $d: not running"; continue; }
			echo "# $d: threads"
			gdb -p "$(cat $d.pid)" -batch -ex "thread apply all bt 12" 2>/dev/null |
			    grep "^#\|^Thread" | head -60
		done
	fi
}
trap 'rc=$?; [ $rc = 0 ] || failed_logs; [ -n "$PG_DIR" ] && { pg_stop; rm -rf "$PG_DIR"; }; (exit $rc); on_exit' EXIT
last=0 mid=0
for i in 1 2; do
	wait_for 60 "the sink to write after restart $((i - 1))" moved_or_all "$last"
	last=$(sunk)
	[ "$last" -lt "$(applied)" ] && mid=$((mid + 1))
	note "PostgreSQL killed ($i) with $last change sets written, the hub at $(head_of county 522701101) of $total"
	pg_kill
	# lika status says the copy is down, and how far behind it is
	wait_for 15 "lika status to say PostgreSQL is down" sink_says '"connected":false,"known":true'
	sink_says '"health":"\(late\|stale\)"' || fail "a copy that cannot be written is not late: $OUT"
	behind=$(printf '%s' "$OUT" | sed -n 's/.*"sink":{[^}]*"behind":\([0-9]*\).*/\1/p')
	[ "$(sunk)" -lt "$(applied)" ] && [ "${behind:-0}" -lt 1 ] && fail "behind, but status says 0: $OUT"
	expect_in "$(lika --data county status)" "PostgreSQL   .* not connected; .*last error: "
	pg_start
done
wait_for 60 "the hub to hold the township's feed" has_head county 522701101 "$total"
[ $mid -ge 1 ] || fail "no kill of PostgreSQL came while the sink was behind the hub"

note "the hub's likad killed while it writes to PostgreSQL"
stop_likad county
"$LIKA_UNIT/test-tool" write t 500 5 >/dev/null || fail "test-tool write"
total=$(head_of t 522701101)
before=$(sunk)         # read while the hub is down: the sink cannot move before it starts
start_likad county
wait_for 60 "the sink to move on" moved "$before"
stop_likad county KILL
start_likad county
wait_for 60 "the hub to hold the township's feed" has_head county 522701101 "$total"

note "lika status while the hub's likad is down, and once it caught up"
stop_likad county
expect_in "$(lika --data county status)" "PostgreSQL   .* likad is not running: how far it got is in PostgreSQL"
start_likad county
in_pg() { pg_q "SELECT count(*) FROM lika_changeset"; }
caught_up() { [ "$(in_pg)" = "$(applied)" ]; }
wait_for 60 "PostgreSQL to hold every change set the hub applied" caught_up
wait_for 10 "lika status to say the copy is up to date" sink_says '"connected":true,"known":true,"behind":0,'
expect_in "$(lika --data county status)" "PostgreSQL   ok .*connected; up to date"
note "the web console's dashboard says the same"
. "$SRCDIR/tests/system/web.sh"
add_clerk county 县管理员 "县管理员的口令 county passphrase"
wport=$(free_port)
start_serve county "$wport"
webpy web_session.py "http://127.0.0.1:$wport" login 县管理员 "县管理员的口令 county passphrase" > session.json
OUT=$(webpy web_session.py "http://127.0.0.1:$wport" dash session.json) || fail "dashboard: $OUT"
expect_in "$OUT" '"sink":{"health":"ok","live":1,"connected":1,"known":1,"behind":0,'
webpy web_sink.py "http://127.0.0.1:$wport" 县管理员 "县管理员的口令 county passphrase" "已连接；已同步"
note "PostgreSQL killed while the copy has nothing to write: status says so all the same"
pg_kill
wait_for 20 "lika status to say the idle copy's PostgreSQL is down" sink_says '"connected":false,"known":true,"behind":0,'
pg_start
wait_for 30 "the copy to reconnect" sink_says '"connected":true,"known":true,"behind":0,'
cleanup_daemons
caught_up || fail "lika_changeset has $(in_pg) rows, the hub applied $(applied)"
[ "$(pg_q "SELECT count(*) FROM (SELECT origin, seq FROM lika_changeset GROUP BY 1, 2 HAVING count(*) > 1) d")" = 0 ] \
    || fail "a change set recorded twice"
pg_same_as county/lika.db || fail "PostgreSQL differs from the hub's state"
[ "$(pg_q "SELECT count(*) FROM member WHERE household = '$h'")" = 1 ] || fail "the removed member is still there"
villages=$(sqlite3 county/lika.db "SELECT count(*) FROM village")
[ "$villages" -gt 1 ] && [ "$(pg_q "SELECT count(*) FROM ONLY village_522701")" = "$villages" ] \
    || fail "villages not in the county's partition"
[ "$(pg_q "SELECT count(*) FROM ONLY member_522701")" = 1 ] || fail "member not in the county's partition"
grep -q "sink: cannot reach PostgreSQL\|sink: batch not written" county.log || fail "the outages left no trace in the log"
note "ok: $(in_pg) change sets, every table equal"
