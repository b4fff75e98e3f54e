# tests/system/web.sh — set-up shared by the web console tests (sourced after lib.sh).
#
# start_serve DIR PORT [ARGS]: lika serve of node DIR on 127.0.0.1:PORT in the
#   background (log DIR-serve.log, pid DIR-serve.pid, stopped when the test
#   exits: stop_likad DIR-serve stops it earlier); waits until it answers.
# add_clerk DIR NAME PASS: a clerk account, the passphrase given on fd 3.
# webpy SCRIPT ARGS: a python script beside the tests, run by Debian's python
#   (python3-selenium); SHOTS is the folder its screenshots go to,
#   build/test-output/TEST (kept after the run).

SHOTS="$SRCDIR/build/test-output/$(basename "$0" .sh)"
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
export SHOTS

answers() {
	/usr/bin/python3 -c "import urllib.request, sys
try: urllib.request.urlopen(sys.argv[1], timeout=2)
except Exception as e: sys.exit(0 if hasattr(e, 'code') else 1)" "$1"
}

start_serve() {
	_d=$1 _p=$2; shift 2
	lika --data "$_d" serve --listen "127.0.0.1:$_p" "$@" >> "$_d-serve.log" 2>&1 &
	echo $! > "$_d-serve.pid"
	LIKAD_PIDS="$LIKAD_PIDS $!"
	wait_for 30 "lika serve of $_d on port $_p" answers "http://127.0.0.1:$_p/"
}

add_clerk() {
	printf '%s\n' "$3" > clerk.pass
	lika --data "$1" user add "$2" --passphrase-fd 3 3<clerk.pass >/dev/null || fail "user add $2"
	rm -f clerk.pass
}

webpy() {
	_s=$1; shift
	/usr/bin/python3 "$SRCDIR/tests/system/$_s" "$@" || fail "$_s failed"
}
