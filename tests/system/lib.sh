# tests/system/lib.sh — shared by the system tests (sourced, POSIX sh).
#
# Each test runs in its own empty directory ($TESTDIR) with bin/ on PATH.
# Helpers: fail MSG; expect_exit CODE CMD...; expect_out PATTERN CMD...;
# mk_county DIR CODE; mk_township DIR CODE COUNTYDIR [PORT].
set -u

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }

# expect_exit CODE CMD... : run CMD, require its exit status; output in $OUT.
expect_exit() {
	want=$1; shift
	OUT=$("$@" 2>&1); got=$?
	[ "$got" = "$want" ] || fail "\"$*\" exited $got, expected $want: $OUT"
	return 0
}

# expect_in TEXT PATTERN : grep -q PATTERN in TEXT, else fail.
expect_in() {
	printf '%s\n' "$1" | grep -q -- "$2" || fail "expected \"$2\" in: $1"
}

county_key() { lika --data "$1" whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/'; }

mk_county() {
	lika --data "$1" init --role county --node "$2" --name "县$2" \
	    --listen "tcp://127.0.0.1:${3:-7700}" >/dev/null || fail "county init $1"
}

mk_township() {
	lika --data "$1" init --role township --node "$2" --name "乡镇$2" \
	    --county-key "$(county_key "$3")" --hub "tcp://127.0.0.1:${4:-7700}" >/dev/null \
	    || fail "township init $1"
}

# A free TCP port on loopback (best effort).
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
