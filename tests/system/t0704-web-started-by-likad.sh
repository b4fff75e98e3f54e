#!/bin/sh
# With [web] listen in lika.conf, likad starts the web console (lika serve)
# and stops it when it stops; without it, likad starts none.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/web.sh"
port=$(free_port)
mk_county county 522701 "$port"
web=$(free_port)
start_likad county
sleep 1
answers "http://127.0.0.1:$web/" && fail "a console answers without [web] listen"
stop_likad county
printf '\n[web]\nlisten = 127.0.0.1:%s\n' "$web" >> county/lika.conf
expect_exit 0 likad --data county -n
start_likad county
wait_for 30 "the console started by likad" answers "http://127.0.0.1:$web/"
grep -q "web console: .*lika serve started" county.log || fail "no start in the log: $(cat county.log)"
stop_likad county
[ "$STATUS" = 0 ] || fail "likad exited $STATUS"
answers "http://127.0.0.1:$web/" && fail "the console outlived likad"
printf 'listen = 0.0.0.0:%s\n' "$web" >> county/lika.conf
start_likad county
sleep 1
answers "http://127.0.0.1:$web/" && fail "a non-loopback console started without allow_remote"
grep -q "not loopback" county.log || fail "the refusal is not in the log: $(tail -5 county.log)"
stop_likad county
