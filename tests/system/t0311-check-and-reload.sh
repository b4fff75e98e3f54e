#!/bin/sh
# likad -n checks the configuration; SIGHUP reloads it (a broken file is
# refused and the running configuration kept); SIGTERM stops with status 0.
. "$SRCDIR/tests/system/lib.sh"
TAMPERED="county"     # its lika.conf is left broken on purpose
port=$(free_port)
mk_county county 110101 "$port"
OUT=$(likad --data county -n 2>&1) || fail "likad -n: $OUT"
[ "$OUT" = "configuration OK" ] || fail "likad -n printed: $OUT"
cp county/lika.conf good.conf
printf '[sync]\nwindow = banana\n' >> county/lika.conf
OUT=$(likad --data county -n 2>&1) && fail "likad -n accepted a bad file"
expect_in "$OUT" "lika.conf:.*window"
cp good.conf county/lika.conf

start_likad county
wait_for 10 "hub to listen" grep -q "listening on" county.log
[ "$(sqlite3 county/lika.db "SELECT value FROM meta WHERE key = 'likad_pid'")" = "$(cat county.pid)" ] \
    || fail "likad_pid not recorded"
sed -i 's/^heartbeat_ms = .*/heartbeat_ms = 1234/' county/lika.conf
kill -HUP "$(cat county.pid)"
wait_for 10 "reload" grep -q "configuration and roster reloaded" county.log
printf 'nonsense\n' >> county/lika.conf
kill -HUP "$(cat county.pid)"
wait_for 10 "refused reload" grep -q "keeping the running configuration" county.log
kill -0 "$(cat county.pid)" || fail "likad died on a bad reload"
stop_likad county
[ "$STATUS" = 0 ] || fail "likad exited $STATUS on SIGTERM"
[ "$(sqlite3 county/lika.db "SELECT value FROM meta WHERE key = 'likad_pid'")" = 0 ] \
    || fail "likad_pid not cleared"
note "ok"
