#!/bin/sh
# The console's error paths over plain HTTP (no browser): nothing without
# signing in; a write without the CSRF token (or with a wrong one) refused and
# nothing written; five wrong passphrases lock the account (also against the
# right one; its session ends) until "lika user unlock"; an upload over [web] upload_bytes
# refused; malformed forms, bad ids, unknown paths and methods, garbage on the
# socket each get an error and the server keeps serving; responses carry the
# security headers and an HttpOnly SameSite=Strict cookie.  lika serve refuses
# a non-loopback address unless [web] allow_remote = yes; lika user add
# refuses a bad name and a short passphrase.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
. "$SRCDIR/tests/system/web.sh"
mk_archive t
unset LIKA_DATA
printf '\n[web]\nupload_bytes = 8192\nlockout = 600\n' >> t/lika.conf
add_clerk t 王会计 "会计的口令 clerk passphrase"
add_clerk t 李出纳 "出纳的口令 second passphrase"

note "lika user add refuses a bad name, a short passphrase and a second account of a name"
printf 'short\n' > short.pass
expect_exit 2 lika --data t user add 王会计2 --passphrase-fd 3 3<short.pass
expect_in "$OUT" "at least"
printf 'long enough passphrase\n' > ok.pass
expect_exit 2 lika --data t user add "a/b" --passphrase-fd 3 3<ok.pass
expect_exit 2 lika --data t user add "$(printf 'bad\033name')" --passphrase-fd 3 3<ok.pass
expect_exit 2 lika --data t user add 王会计 --passphrase-fd 3 3<ok.pass
expect_in "$OUT" "exists"
[ "$(stat -c %a t/web.db)" = 600 ] || fail "web.db is not private: $(stat -c %a t/web.db)"
sqlite3 t/web.db "SELECT hash FROM clerk" | grep -qv '^\$argon2id\$' && fail "a hash is not Argon2id"

note "a non-loopback listen is refused without [web] allow_remote = yes"
port=$(free_port)
expect_exit 2 lika --data t serve --listen "0.0.0.0:$port"
expect_in "$OUT" "not loopback"
expect_in "$OUT" "allow_remote = yes"
expect_exit 2 lika --data t serve --listen "127.0.0.1:99999"
expect_exit 2 lika --data t serve --listen "localhost"
cp -r t t-remote
printf 'allow_remote = yes\nlisten = 0.0.0.0:%s\n' "$port" >> t-remote/lika.conf
lika --data t-remote serve > remote.log 2>&1 &
rpid=$!
LIKAD_PIDS="$LIKAD_PIDS $rpid"
wait_for 20 "serve on 0.0.0.0:$port" answers "http://127.0.0.1:$port/"
kill -TERM "$rpid"; wait "$rpid" || fail "lika serve did not stop cleanly on SIGTERM"
grep -q "stopped" remote.log || fail "no stop message: $(cat remote.log)"
rm -rf t-remote

port=$(free_port)
start_serve t "$port"
webpy web_http.py "http://127.0.0.1:$port" "$port"
