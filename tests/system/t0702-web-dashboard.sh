#!/bin/sh
# The county dashboard in a real browser over a real hub: every township's
# row goes ok once it syncs, shows its households by stage, turns late when
# its likad stops (late_after 2 s) and ok again when it is back; the page
# updates itself (polling) and draws its two charts (SVG from the server).
# Screenshots: build/test-output/t0702-web-dashboard/.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/web.sh"
hub_and_townships 001 002
# late after 2 s without contact; stale only after a minute, so late shows
sed -i -e 's/^late_after = .*/late_after = 2/' -e 's/^stale_after = .*/stale_after = 60/' county/lika.conf
cleanup_daemons
start_likad county
for t in 001 002; do
	start_likad t$t
	lika --data t$t village add 110101${t}001 村$t >/dev/null || fail "village add"
done
/usr/bin/python3 "$SRCDIR/tests/bench/gen_households.py" g --households 3 --villages 110101001001 \
    >/dev/null || fail "generator"
lika --data t001 import households g/households.csv >/dev/null || fail "import"
wait_for 30 "t001's feed at the hub" has_head county 110101001 "$(head_of t001 110101001)"
wait_for 30 "t002's feed at the hub" has_head county 110101002 1
add_clerk county 县管理员 "县管理员的口令 admin passphrase"
port=$(free_port)
start_serve county "$port"

# the browser waits for "late" while this shell stops t001's likad and
# starts it again, each when the script says so (files as signals)
webpy web_dash.py "http://127.0.0.1:$port" &
py=$!
wait_for 60 "the dashboard to show 110101001 ok" test -f saw-ok
stop_likad t001
note "t001's likad stopped"
wait_for 60 "the dashboard to show 110101001 late" test -f saw-late
start_likad t001
note "t001's likad started again"
wait "$py" || fail "web_dash.py failed"
