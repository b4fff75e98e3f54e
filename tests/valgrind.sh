#!/bin/sh
# tests/valgrind.sh TEST... : system tests with every likad they start under
# valgrind (memcheck, full leak check); a test fails if it fails or if
# valgrind reports anything.  Part of `make valgrind`, not of `make test`
# (valgrind makes likad some 20 times slower).  Needs LIKA_BIN and LIKA_UNIT.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-valgrind.XXXXXX")
failed=0
for t in "$@"; do
	d="$tmp/$t"
	mkdir -p "$d"
	( cd "$d" && PATH="$LIKA_BIN:$PATH" TESTDIR="$d" SRCDIR="$here/.." LIKA_UNIT="$LIKA_UNIT" \
	    LIKAD_WRAP="valgrind -q --leak-check=full --log-file=$d/valgrind.%p" \
	    timeout 900 sh "$here/system/$t.sh" ) > "$d/out" 2>&1
	rc=$?
	reports=$(cat "$d"/valgrind.* 2>/dev/null | wc -l)
	if [ $rc = 77 ]; then
		echo "skip valgrind system/$t: $(grep '^skip' "$d/out" | head -1)"
	elif [ $rc != 0 ] || [ "$reports" != 0 ]; then
		failed=1
		echo "FAIL valgrind system/$t (exit $rc, $reports lines from valgrind; kept in $d)"
		tail -20 "$d/out"; cat "$d"/valgrind.* 2>/dev/null | head -60
	else
		echo "ok   valgrind system/$t"
	fi
done
[ $failed = 0 ] && rm -rf "$tmp"
exit $failed
