# tests/system/lib.sh — shared by the system tests (sourced, POSIX sh).
#
# Each test runs in its own empty directory ($TESTDIR) with bin/ on PATH.
# Helpers: fail MSG; expect_exit CODE CMD...; expect_out PATTERN CMD...;
# mk_county DIR CODE; mk_township DIR CODE COUNTYDIR [PORT].
set -u

FAILED=""
fail() { FAILED="$*"; echo "FAIL: $*" >&2; exit 1; }
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

# ---- daemons --------------------------------------------------------------
# Every likad started here is stopped when the test exits.
LIKAD_PIDS=""
cleanup_daemons() {
	# a sync held back (tests/tools/stall_sync.c) would hold a daemon's stop
	[ -n "${LIKA_STALL_SYNC:-}" ] && rm -f "$LIKA_STALL_SYNC"
	for p in $LIKAD_PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $LIKAD_PIDS; do wait "$p" 2>/dev/null; done
	LIKAD_PIDS=""
	# under SAN=1 a sanitizer report in any daemon log fails the test
	if grep -l "AddressSanitizer\|LeakSanitizer\|runtime error:" ./*.log 2>/dev/null; then
		grep -h -A30 "AddressSanitizer\|LeakSanitizer\|runtime error:" ./*.log | head -60
		echo "FAIL: sanitizer report in a daemon log" >&2
		exit 1
	fi
}
# Every ledger a passing test leaves must verify, and rebuild to the same
# state: the rules on apply hold for everything the test wrote.  A test that
# tampers with a ledger on purpose names it in TAMPERED ("dir1 dir2").
TAMPERED=""
final_verify() {
	for db in */lika.db; do
		[ -f "$db" ] || continue
		d=${db%/lika.db}
		case " $TAMPERED " in *" $d "*) continue ;; esac
		lika --data "$d" verify >/dev/null 2>&1 || {
			echo "FAIL: at the end, lika verify at $d: $(lika --data "$d" verify 2>&1)" >&2; exit 1; }
		lika --data "$d" rebuild >/dev/null 2>&1 && lika --data "$d" verify >/dev/null 2>&1 || {
			echo "FAIL: at the end, rebuild at $d: $(lika --data "$d" rebuild 2>&1)" >&2; exit 1; }
	done
}
# On a failure, what the daemons said last (a CI run keeps only the test's
# output): LOG_TAIL lines of each of the first 8 logs, without the per-batch
# debug lines.
daemon_logs() {
	n=0
	for f in ./*.log; do
		[ -f "$f" ] && [ "$n" -lt 8 ] || continue
		n=$((n + 1))
		echo "# ${f#./}, last lines:"
		grep -v "debug: \(feed\|sent\|peer state\)" "$f" | tail -n "${LOG_TAIL:-15}"
	done
}
on_exit() {
	rc=$?
	if [ "$rc" != 0 ]; then
		daemon_logs >&2
		[ -n "$FAILED" ] && echo "FAIL (again, after the logs): $FAILED" >&2
	fi
	cleanup_daemons
	[ "$rc" = 0 ] && final_verify
	exit "$rc"
}
trap on_exit EXIT

# hold_ledger DIR SECONDS : another writer (BEGIN IMMEDIATE, as a long
# command would) holds DIR's ledger for SECONDS, in the background ($holder);
# returns once it holds it.  The file "released" appears when it lets go.
hold_ledger() {
	rm -f locked released
	/usr/bin/python3 - "$1/lika.db" "$2" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN IMMEDIATE")
open("locked", "w").close()
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
open("released", "w").close()
PY
	holder=$!
	wait_for 10 "the lock on $1 to be taken" test -f locked
}

# fast_sync DIR : short heartbeats and timeouts for tests
fast_sync() {
	sed -i -e 's/^heartbeat_ms = .*/heartbeat_ms = 300/' \
	    -e 's/^timeout_ms = .*/timeout_ms = 2000\nreconnect_max_ms = 500/' "$1/lika.conf"
}

# start_likad DIR : likad in the background, log appended to DIR.log, pid in DIR.pid
# (under $LIKAD_WRAP, e.g. valgrind, when set: make valgrind)
start_likad() {
	${LIKAD_WRAP:-} likad --data "$1" -f -v >> "$1.log" 2>&1 &
	echo $! > "$1.pid"
	LIKAD_PIDS="$LIKAD_PIDS $!"
}

# start_likad_stalling DIR : start_likad with tests/tools/stall_sync.c preloaded: while
# the file $LIKA_STALL_SYNC exists, the syncs of the threads in $LIKA_STALL_THREADS
# (default: the log-sync thread) wait
start_likad_stalling() {
	# an instrumented likad (make test SAN=1) must let the preloaded library go first
	_asan=${ASAN_OPTIONS:-}
	export LD_PRELOAD="$LIKA_UNIT/stall_sync.so" ASAN_OPTIONS="${_asan:+$_asan:}verify_asan_link_order=0"
	start_likad "$1"
	unset LD_PRELOAD
	if [ -n "$_asan" ]; then ASAN_OPTIONS=$_asan; else unset ASAN_OPTIONS; fi
}

# stop_likad DIR [SIGNAL] : signal (TERM) and wait for it to exit; its status in $STATUS
stop_likad() {
	p=$(cat "$1.pid")
	kill -"${2:-TERM}" "$p" 2>/dev/null
	wait "$p" 2>/dev/null; STATUS=$?
	LIKAD_PIDS=$(echo "$LIKAD_PIDS" | tr ' ' '\n' | grep -v "^$p\$" | tr '\n' ' ')
}

# wait_for SECONDS WHAT CMD... : poll CMD every 0.2 s until it succeeds, else fail
wait_for() {
	secs=$1 what=$2; shift 2
	end=$(( $(date +%s) + secs ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && fail "timed out after ${secs}s waiting for $what"
		sleep 0.2
	done
}

# head_of DIR ORIGIN : the highest seq of ORIGIN held at DIR (0 if none)
head_of() {
	lika --data "$1" log --origin "$2" --json | tr '{' '\n' | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' \
	    | tail -1 | grep . || echo 0
}

# has_head DIR ORIGIN SEQ : true once DIR holds ORIGIN up to SEQ
has_head() { [ "$(head_of "$1" "$2")" -ge "$3" ]; }

# ids DIR ORIGIN : "seq id" lines of ORIGIN's feed at DIR
ids() {
	lika --data "$1" log --origin "$2" --json | tr '{' '\n' \
	    | sed -n 's/.*"seq":\([0-9]*\),"id":"\([0-9a-f]*\)".*/\1 \2/p'
}

# admit COUNTYDIR TOWNSHIPDIR CODE : put the township on the county roster
admit() {
	lika --data "$1" roster add-township "$3" "$(county_key "$2")" "乡镇$3" >/dev/null \
	    || fail "roster add $3"
}

# verify_ok DIR : lika verify passes
verify_ok() { lika --data "$1" verify >/dev/null 2>&1 || fail "lika verify at $1: $(lika --data "$1" verify 2>&1)"; }

# county_and_t1 [PORT]: county 110101 in ./county on a free port ($port) and
# township t1 (110101001) admitted, dialling PORT (default: the hub's; a
# relay's puts the relay between them), both with fast sync; no likad runs
county_and_t1() {
	port=$(free_port)
	mk_county county 110101 "$port"
	mk_township t1 110101001 county "${1:-$port}"
	fast_sync county; fast_sync t1
	admit county t1 110101001
}

# county_and_townships N…: county 110101 in ./county on a free port ($port)
# and townships tN (code 110101N) admitted, all with fast sync; no likad runs
county_and_townships() {
	port=$(free_port)
	mk_county county 110101 "$port"
	fast_sync county
	for t in "$@"; do
		mk_township t$t 110101$t county "$port"
		fast_sync t$t
		admit county t$t 110101$t
	done
}

# hub_and_townships N…: county_and_townships N…, their likad running
hub_and_townships() {
	county_and_townships "$@"
	start_likad county
	for t in "$@"; do start_likad t$t; done
}

# five_in_one_batch: county_and_townships 001 002, t002 taking t001's feed;
# t001 writes five change sets while no likad runs, so that they reach the
# hub in one batch (t0340, t0341: seq 3 is then tampered with)
five_in_one_batch() {
	county_and_townships 001 002
	sed -i 's/^\[sync\]$/[sync]\nfeeds = 110101001/' t002/lika.conf
	for v in 1 2 3 4 5; do
		lika --data t001 village add 11010100100$v "村$v" >/dev/null || fail "village add $v"
	done
}

# only_two_forwarded: t002 receives seqs 1 and 2 of t001's feed from the hub
# and, a second later, still nothing from seq 3 on
only_two_forwarded() {
	wait_for 20 "seqs 1 and 2 at t002" has_head t002 110101001 2
	sleep 1
	[ "$(head_of t002 110101001)" = 2 ] \
	    || fail "the hub forwarded seq 3 or later: t002 holds $(head_of t002 110101001) of t001"
}

# recovered_and_continues DIR CODE HEAD: once likad at township DIR has pulled
# its feed CODE back to HEAD, a write lands as HEAD + 1 there and at the hub,
# ids agree, the hub quarantined nothing, and both verify
recovered_and_continues() {
	wait_for 30 "township to recover its feed to $3" has_head "$1" "$2" "$3"
	wait_for 10 "writes allowed" lika --data "$1" village group add "${2}001" 一组
	[ "$(head_of "$1" "$2")" = $(($3 + 1)) ] || fail "the write is not seq $(($3 + 1))"
	wait_for 20 "hub to hold $(($3 + 1))" has_head county "$2" $(($3 + 1))
	cleanup_daemons
	ids "$1" "$2" > a; ids county "$2" > b
	cmp -s a b || fail "ids differ"
	[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "hub quarantined something"
	verify_ok "$1"; verify_ok county
}

# kill_during_catchup DIR: a township (t1) catches up 10,000 change sets while
# the likad of DIR (county or t1) is SIGKILLed five times, each kill as soon as
# the catch-up has moved on; at the end hub and township hold identical ids
# and lika verify passes on both (t0302, t0303).
kill_during_catchup() {
	port=$(free_port)
	mk_county county 110101 "$port"
	mk_township t1 110101001 county "$port"
	fast_sync county; fast_sync t1
	sed -i 's/^\[sync\]$/[sync]\nbatch_bytes = 4096\nwindow = 1/' t1/lika.conf
	admit county t1 110101001

	n=10000
	note "township writes $n change sets offline"
	lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
	"$LIKA_UNIT/test-tool" write t1 $((n - 1)) 5 >/dev/null || fail "test-tool write"
	start_likad t1
	start_likad county

	# the hub's head of the feed, read straight from its database (cheap enough to poll)
	hub_head() { sqlite3 county/lika.db "SELECT coalesce(max(head_seq), 0) FROM feed WHERE origin = '110101001'" 2>/dev/null || echo 0; }
	# moved on since the last kill, or already done (then nothing more can move)
	progressed() { h=$(hub_head); [ "$h" -gt "$1" ] || [ "$h" -ge "$n" ]; }

	# each kill comes as soon as the catch-up has moved on since the last one
	mid=0 last=0
	for i in 1 2 3 4 5; do
		wait_for 30 "the catch-up to move on after kill $((i - 1))" progressed $last
		last=$(hub_head)
		stop_likad "$1" KILL
		[ "$last" -lt "$n" ] && mid=$((mid + 1))
		note "kill -9 $1 likad ($i) with the hub at $last"
		start_likad "$1"
	done
	[ $mid -ge 3 ] || fail "only $mid of the kills came during the catch-up"
	wait_for 60 "hub to hold $n change sets" has_head county 110101001 "$n"
	stop_likad county; stop_likad t1
	ids t1 110101001 > t1.ids
	ids county 110101001 > county.ids
	cmp -s t1.ids county.ids || fail "ids differ between township and hub"
	[ "$(wc -l < county.ids)" = "$n" ] || fail "hub holds $(wc -l < county.ids)"
	verify_ok county; verify_ok t1
	note "ok: identical after 5 kills of $1"
}
