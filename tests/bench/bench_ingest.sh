#!/bin/sh
# tests/bench/bench_ingest.sh — the hub's ingest of a 10,000 × 10-op catch-up
# against plain SQLite with the same rows and transaction size, RUNS times
# (default 3), each ratio taken within its own run; prints every run and the
# min / median / max (make bench-ingest; not part of make test).  The figures
# swing from run to run on a small machine, so one run says little.
#
#   sh tests/bench/bench_ingest.sh BENCH_SYNC LIKAD [RUNS]
set -eu
bench=$1 likad=$2 runs=${3:-3}
rows="" bodies="" rates=""
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	out=$(BENCH_INGEST_ONLY=1 LIKAD="$likad" "$bench")
	r=$(printf '%s\n' "$out" | sed -n 's/.*hub\/plain = \([0-9.]*\).*/\1/p')
	b=$(printf '%s\n' "$out" | sed -n 's/.*hub\/that = \([0-9.]*\).*/\1/p')
	s=$(printf '%s\n' "$out" | sed -n 's/.*session.s start.*: \([0-9]*\) change sets\/s.*/\1/p')
	[ -n "$r" ] && [ -n "$b" ] && [ -n "$s" ] || { printf '%s\n' "$out"; echo "bench-ingest: no figures in run $i" >&2; exit 1; }
	echo "run $i: hub/plain $r, hub/(plain + bodies) $b, $s change sets/s from the session's start"
	rows="$rows $r" bodies="$bodies $b" rates="$rates $s"
done
# min median max of a list of numbers
mmm() { printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "min %s, median %s, max %s", v[1], m, v[NR] }'; }
echo "hub/plain SQLite (rows only), $runs runs: $(mmm "$rows") (goal >= 0.75)"
echo "hub/plain SQLite (rows and bodies): $(mmm "$bodies")"
echo "change sets/s, the whole session: $(mmm "$rates")"
