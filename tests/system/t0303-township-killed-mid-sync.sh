#!/bin/sh
# The township's likad is SIGKILLed five times while it catches up 5,000 change
# sets; at the end both hold identical ids and lika verify passes on both.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
mk_township t1 110101001 county "$port"
fast_sync county; fast_sync t1
sed -i 's/^\[sync\]$/[sync]\nbatch_bytes = 4096\nwindow = 1/' t1/lika.conf
admit county t1 110101001

note "township writes 5000 change sets offline"
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
lika --data t1 debug write 4999 5 >/dev/null || fail "debug write"
start_likad t1
start_likad county

# the hub's head of the feed, read straight from its database (cheap enough to poll)
hub_head() { sqlite3 county/lika.db "SELECT coalesce(max(head_seq), 0) FROM feed WHERE origin = '110101001'" 2>/dev/null || echo 0; }
progressed() { h=$(hub_head); [ "$h" -gt "$1" ]; }

# each kill comes as soon as the catch-up has moved on since the last one
mid=0 last=0
for i in 1 2 3 4 5; do
	wait_for 30 "the catch-up to move on after kill $((i - 1))" progressed $last
	last=$(hub_head)
	stop_likad t1 KILL
	[ "$last" -lt 5000 ] && mid=$((mid + 1))
	note "kill -9 township likad ($i) with the hub at $last"
	start_likad t1
done
[ $mid -ge 3 ] || fail "only $mid of the kills came during the catch-up"
wait_for 50 "hub to hold 5000 change sets" has_head county 110101001 5000
stop_likad county; stop_likad t1
ids t1 110101001 > t1.ids
ids county 110101001 > county.ids
cmp -s t1.ids county.ids || fail "ids differ between township and hub"
[ "$(wc -l < county.ids)" = 5000 ] || fail "hub holds $(wc -l < county.ids)"
verify_ok county; verify_ok t1
note "ok: identical after 5 township kills"
