#!/bin/sh
# tests/tools/spec_block.sh — the generated block of a spec file.
#
#   sh tests/tools/spec_block.sh check FILE PROGRAM   exit 1 with a diff if they differ
#   sh tests/tools/spec_block.sh write FILE PROGRAM   replace the block with PROGRAM's output
#
# The block is everything between the lines "<!-- schema:begin -->" and
# "<!-- schema:end -->" of FILE; PROGRAM prints what belongs there
# (tests/tools/schema_doc.c).  `make spec` writes, tests/system/t0100 checks.
set -u
[ $# = 3 ] || { echo "usage: spec_block.sh check|write FILE PROGRAM" >&2; exit 2; }
mode=$1 file=$2 prog=$3
begin='<!-- schema:begin -->' end='<!-- schema:end -->'
tmp=$(mktemp "${TMPDIR:-/tmp}/spec_block.XXXXXX") || exit 1
trap 'rm -f "$tmp" "$tmp.old" "$tmp.new"' EXIT INT TERM

[ "$(grep -cxF "$begin" "$file")" = 1 ] && [ "$(grep -cxF "$end" "$file")" = 1 ] ||
	{ echo "$file: needs exactly one \"$begin\" line and one \"$end\" line" >&2; exit 1; }
"$prog" > "$tmp" || { echo "$prog failed" >&2; exit 1; }

case "$mode" in
check)
	awk -v b="$begin" -v e="$end" '$0 == e { on = 0 } on { print } $0 == b { on = 1 }' \
	    "$file" > "$tmp.old"
	if ! diff -u --label "$file" --label "$prog" "$tmp.old" "$tmp"; then
		echo "$file: the generated block is out of date; run \"make spec\" and commit the result" >&2
		exit 1
	fi ;;
write)
	awk -v b="$begin" -v e="$end" -v gen="$tmp" '
		$0 == e { while ((getline l < gen) > 0) print l; on = 0 }
		!on { print }
		$0 == b { on = 1 }' "$file" > "$tmp.new" || exit 1
	# beside the target, then renamed: never a half-written spec
	cp "$tmp.new" "$file.tmp.$$" && mv "$file.tmp.$$" "$file" ;;
*)
	echo "spec_block.sh: unknown mode \"$mode\"" >&2; exit 2 ;;
esac
