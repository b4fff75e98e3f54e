#!/bin/sh
# Sessions and the dashboard's lag samples live in web.db, so restarting
# lika serve signs no clerk out: after a restart the same cookie opens the
# same session and its CSRF token still lets a write through (a wrong token
# still does not).  web.db holds a hash of the cookie's token, never the
# token.  Signing out deletes the row and the cookie stops working; an
# expired session is refused and deleted; locking, removing or re-keying an
# account ends its sessions.  Lag samples survive the restart, and ones older
# than 24 hours are deleted when the next is taken.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
. "$SRCDIR/tests/system/web.sh"
mk_archive t
unset LIKA_DATA
printf '\n[web]\nlockout = 600\n' >> t/lika.conf
add_clerk t 王会计 "会计的口令 clerk passphrase"
add_clerk t 李出纳 "出纳的口令 second passphrase"
sessions() { sqlite3 t/web.db "SELECT count(*) FROM session WHERE clerk = '$1'"; }
port=$(free_port)
base="http://127.0.0.1:$port"
start_serve t "$port"

note "sign in; web.db keeps a hash of the token, not the token"
webpy web_session.py "$base" login 王会计 "会计的口令 clerk passphrase" > wang.json
token=$(sed 's/.*"cookie": "\([0-9a-f]*\)".*/\1/' wang.json)
[ ${#token} = 64 ] || fail "no token: $(cat wang.json)"
[ "$(sessions 王会计)" = 1 ] || fail "sessions of 王会计: $(sessions 王会计)"
grep -q "$token" t/web.db && fail "the cookie's token is in web.db"
sqlite3 t/web.db "SELECT hash FROM session" | grep -q "$token" && fail "the row's key is the token"

note "a lag sample of 26 hours ago and one of 2 minutes ago, kept over the restart"
now=$(date +%s)
sqlite3 t/web.db "INSERT INTO lag_sample VALUES ('522701199', ($now - 26 * 3600) * 1000, 9, 0),
    ('522701188', ($now - 120) * 1000, 7, 0)" || fail "inserting samples"

note "restart lika serve: the same cookie and CSRF token still work"
stop_likad t-serve
[ "$STATUS" = 0 ] || fail "lika serve exited $STATUS"
start_serve t "$port"
webpy web_session.py "$base" reuse wang.json
lika --data t log --json | grep -q "赵五\|clerk" || fail "no change set from the write after the restart"

note "the lag chart after the restart: the recent sample drawn, the old one deleted"
webpy web_session.py "$base" chart wang.json 522701188 > lag.svg
grep -q "522701199" lag.svg && fail "a sample of 26 hours ago is drawn"
[ "$(sqlite3 t/web.db "SELECT count(*) FROM lag_sample WHERE code = '522701199'")" = 0 ] ||
    fail "a sample of 26 hours ago is still in web.db"
[ "$(sqlite3 t/web.db "SELECT count(*) FROM lag_sample WHERE code = '522701188'")" = 1 ] ||
    fail "the recent sample is gone"

note "sign out: the row goes and the cookie no longer works"
webpy web_session.py "$base" logout wang.json
[ "$(sessions 王会计)" = 0 ] || fail "the session row outlived signing out"
webpy web_session.py "$base" refused wang.json

note "an expired session is refused and its row deleted"
webpy web_session.py "$base" login 王会计 "会计的口令 clerk passphrase" > wang.json
sqlite3 t/web.db "UPDATE session SET expires = $now - 1 WHERE clerk = '王会计'"
webpy web_session.py "$base" refused wang.json
[ "$(sessions 王会计)" = 0 ] || fail "the expired row is still there"

note "five wrong passphrases lock the account and end its sessions"
webpy web_session.py "$base" login 王会计 "会计的口令 clerk passphrase" > wang.json
webpy web_session.py "$base" lockout 王会计
[ "$(sessions 王会计)" = 0 ] || fail "a locked account's session is still in web.db"
webpy web_session.py "$base" refused wang.json
lika --data t user unlock 王会计 >/dev/null || fail "unlock"
webpy web_session.py "$base" refused wang.json

note "a new passphrase, or removing the account, ends its sessions"
webpy web_session.py "$base" login 李出纳 "出纳的口令 second passphrase" > li.json
add_clerk_replace() {
	printf '%s\n' "$2" > clerk.pass
	lika --data t user add "$1" --replace --passphrase-fd 3 3<clerk.pass >/dev/null || fail "replace"
	rm -f clerk.pass
}
add_clerk_replace 李出纳 "出纳的新口令 new passphrase"
webpy web_session.py "$base" refused li.json
webpy web_session.py "$base" login 李出纳 "出纳的新口令 new passphrase" > li.json
lika --data t user remove 李出纳 >/dev/null || fail "remove"
[ "$(sessions 李出纳)" = 0 ] || fail "a removed account's session is still in web.db"
webpy web_session.py "$base" refused li.json
