#!/bin/sh
# tests/run.sh — run every unit test binary and every system test script.
#
#   sh tests/run.sh [--list] [--test NAME] [-v]
#
# Unit tests are the cmocka binaries in $LIKA_UNIT (TAP output, one line per
# test); system tests are tests/system/t*.sh, one scenario a file, each
# started with the binaries in $LIKA_BIN on PATH.  A system test that exits 77
# could not run here (e.g. chromium absent) and is counted as skipped, not
# passed.  The last line is always "N passed, N failed" (", N skipped" if any).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${LIKA_BIN:=$here/../bin}"
: "${LIKA_UNIT:=$here/../build/rel/tests}"
export LIKA_BIN LIKA_UNIT
list=0 only="" verbose=0
while [ $# -gt 0 ]; do
	case "$1" in
	--list) list=1 ;;
	--test) shift; only="${1:-}" ;;
	-v) verbose=1 ;;
	-h|--help) echo "usage: tests/run.sh [--list] [--test NAME] [-v]"; exit 0 ;;
	*) echo "run.sh: unknown option \"$1\"" >&2; exit 2 ;;
	esac
	shift
done

passed=0 failed=0 skipped=0 failures=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

units=""
for u in "$LIKA_UNIT"/test_*; do
	[ -x "$u" ] && units="$units $u"
done
systems=$(ls "$here"/system/t[0-9]*.sh 2>/dev/null)

if [ $list = 1 ]; then
	for u in $units; do echo "unit/$(basename "$u")"; done
	for s in $systems; do echo "system/$(basename "$s" .sh)"; done
	exit 0
fi

selected() {
	[ -z "$only" ] && return 0
	case "$1" in *"$only"*) return 0 ;; esac
	return 1
}

for u in $units; do
	name=unit/$(basename "$u")
	selected "$name" || continue
	CMOCKA_MESSAGE_OUTPUT=TAP "$u" > "$tmp/out" 2>&1
	rc=$?
	ok=$(grep -c '^ok ' "$tmp/out")
	bad=$(grep -c '^not ok ' "$tmp/out")
	if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then bad=1; fi
	passed=$((passed + ok)); failed=$((failed + bad))
	if [ "$bad" != 0 ]; then
		echo "FAIL $name"; cat "$tmp/out"; failures="$failures $name"
	else
		echo "ok   $name ($ok tests)"
		[ $verbose = 1 ] && cat "$tmp/out"
	fi
done

for s in $systems; do
	name=system/$(basename "$s" .sh)
	selected "$name" || continue
	start=$(date +%s)
	d="$tmp/$(basename "$s" .sh)"
	mkdir -p "$d"
	( cd "$d" && PATH="$LIKA_BIN:$PATH" TESTDIR="$d" SRCDIR="$here/.." \
	    timeout 600 sh "$s" ) > "$tmp/out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc = 0 ]; then
		passed=$((passed + 1)); echo "ok   $name (${secs}s)"
		[ $verbose = 1 ] && cat "$tmp/out"
	elif [ $rc = 77 ]; then
		# exit 77: the test could not run here (what it needs is missing); it says why
		skipped=$((skipped + 1)); echo "skip $name: $(grep '^skip' "$tmp/out" | head -1)"
	else
		failed=$((failed + 1)); failures="$failures $name"
		echo "FAIL $name (exit $rc, ${secs}s)"
		# the test's own lines (notes, the failure) whole; of the daemons' logs the end
		n=$(wc -l < "$tmp/out")
		if [ "$n" -le 200 ]; then
			sed 's/^/    /' "$tmp/out"
		else
			sed 's/^/    /' "$tmp/out" | head -170
			echo "    … $((n - 200)) lines left out …"
			sed 's/^/    /' "$tmp/out" | tail -30
		fi
	fi
done

[ -n "$failures" ] && echo "failed:$failures"
if [ $skipped = 0 ]; then
	echo "$passed passed, $failed failed"
else
	echo "$passed passed, $failed failed, $skipped skipped"
fi
[ $failed = 0 ]
