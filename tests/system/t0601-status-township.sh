#!/bin/sh
# lika status at a township, with real daemons: never connected; connected and
# in sync; 500 change sets written while the hub is down (counted exactly, with
# their age); back to ok after reconnection; a hub on a newer schema says
# "upgrade needed" in text, JSON and the HTML page.  JSON fields and exit codes.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1

# json FIELD : the first value of "FIELD": in $OUT
json() { printf '%s\n' "$OUT" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | head -1; }

note "never connected: health never, exit 1, the daemon is not running"
lika --data t1 village add 110101001001 东村 >/dev/null
expect_exit 1 lika --data t1 status --json
[ "$(json health)" = '"never"' ] || fail "health $(json health), want never: $OUT"
[ "$(json running)" = false ] || fail "daemon shown running"
[ "$(json count)" = 1 ] || fail "unsent count $(json count), want 1"
expect_exit 1 lika --data t1 status
expect_in "$OUT" "never"
expect_in "$OUT" "1 not yet at the county"

note "connected and in sync: ok, exit 0, live answer from the daemon"
start_likad county
start_likad t1
wait_for 20 "hub to hold the change set" has_head county 110101001 1
synced() { OUT=$(lika --data t1 status --json); [ "$(json count)" = 0 ] && [ "$(json connected)" = true ]; }
wait_for 20 "status to show the township in sync" synced
expect_exit 0 lika --data t1 status --json
[ "$(json health)" = '"ok"' ] || fail "health $(json health), want ok"
[ "$(json live)" = true ] || fail "the daemon did not answer on its control socket: $OUT"
[ "$(json pid)" = "$(cat t1.pid)" ] || fail "pid $(json pid), want $(cat t1.pid)"
expect_exit 0 lika --data t1 status
expect_in "$OUT" "all at the county"
expect_in "$OUT" "connected"
expect_in "$OUT" "hub          110101 county hub: "

note "the hub named as the county publishes its name"
lika --data county policy set county_name 2014 示范县 >/dev/null || fail "policy county_name"
wait_for 20 "the county feed at the township" has_head t1 110101 "$(head_of county 110101)"
expect_exit 0 lika --data t1 status
expect_in "$OUT" "hub          110101 示范县: "
expect_exit 0 lika --data t1 status --json
expect_in "$OUT" '"code":"110101","name":"示范县"'
lika --data t1 status --html page.html >/dev/null; grep -q "示范县" page.html || fail "the page does not name the hub"

note "hub down, 500 change sets written: exactly 500 unsent, with their age"
stop_likad county
"$LIKA_UNIT/test-tool" write t1 500 >/dev/null || fail "test-tool write"
sleep 1
down() { OUT=$(lika --data t1 status --json); [ "$(json connected)" = false ]; }
wait_for 10 "the township to notice the hub is gone" down
[ "$(json count)" = 500 ] || fail "unsent $(json count), want 500: $OUT"
[ "$(json acked)" = 1 ] || fail "acked $(json acked), want 1"
oldest=$(json oldest_ms); now=$(json now_ms)
age=$(( (now - oldest) / 1000 ))
[ "$age" -ge 1 ] && [ "$age" -lt 60 ] || fail "oldest unsent is ${age}s old, want 1..60"
expect_exit 0 lika --data t1 status
expect_in "$OUT" "500 not yet at the county"

note "hub back: all sent, ok again"
start_likad county
wait_for 30 "hub to hold 501" has_head county 110101001 501
wait_for 20 "status to show the township in sync" synced
expect_exit 0 lika --data t1 status

note "status keeps working when likad is stopped; the HTML page is written"
stop_likad t1
expect_exit 0 lika --data t1 status --json
[ "$(json running)" = false ] || fail "daemon shown running after it stopped"
expect_exit 0 lika --data t1 status --html page.html
grep -q '</html>' page.html || fail "no HTML page"
grep -q '110101' page.html || fail "the page does not name the hub"

note "with likad stopped and a change set waiting, the township is not ok"
OUT=$(lika --data t1 village add 110101001901 停村 2>&1) || fail "village add: $OUT"
expect_exit 1 lika --data t1 status --json
expect_in "$OUT" "\"health\":\"late\",\"exit\":1"
expect_exit 3 lika --data nowhere status
expect_exit 2 lika --data t1 status --watch 0

note "a hub that said it writes a newer schema: text, JSON and the HTML page say so"
# what likad records when the hub runs a newer release (t0532 runs the real
# releases the other way round: an old township under a new hub)
sqlite3 t1/lika.db "UPDATE peer SET schema = 99 WHERE feed = ''" || fail "sqlite3"
expect_exit 1 lika --data t1 status
expect_in "$OUT" "schema       upgrade needed: the county writes schema 99"
expect_exit 1 lika --data t1 status --json
expect_in "$OUT" '"schema":99,"upgrade_needed":true'
lika --data t1 status --html up.html >/dev/null
grep -q '<p class="late">需要升级 upgrade needed: the county writes schema 99' up.html \
    || fail "no upgrade line on the township's page: $(cat up.html)"
grep -q '<td>late · 需要升级 upgrade needed</td>' up.html || fail "no upgrade in the hub's row: $(cat up.html)"
verify_ok t1; verify_ok county
