#!/bin/sh
# tests/bench/bench_import.sh — import 10,000 households and 40,000 members
# into a fresh township node; print seconds, change sets and database size.
#
#   sh tests/bench/bench_import.sh [HOUSEHOLDS]     (LIKA_BIN: the binaries)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${LIKA_BIN:=$here/../../bin}"
PATH=$LIKA_BIN:$PATH
n=${1:-10000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"

lika --data county init --role county --node 522701 --name 县 >/dev/null
key=$(lika --data county whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
lika --data t init --role township --node 522701101 --name 乡 --county-key "$key" \
    --hub tcp://127.0.0.1:7700 >/dev/null
villages=""
for v in 001 002 003 004 005 006 007 008 009 010; do
	lika --data t village add 522701101$v 村$v >/dev/null
	villages="$villages${villages:+,}522701101$v"
done
/usr/bin/python3 "$here/gen_households.py" g --households "$n" --villages "$villages"
before=$(lika --data t log --json | grep -o '"seq":' | wc -l)

now() { date +%s.%N; }
t0=$(now)
lika --data t import households g/households.csv >/dev/null
t1=$(now)
lika --data t import members g/members.csv >/dev/null
t2=$(now)
after=$(lika --data t log --json | grep -o '"seq":' | wc -l)
lika --data t export households -o out.csv
t3=$(now)
lika --data t book -o book.html
t4=$(now)
lika --data t verify >/dev/null
t5=$(now)
size=$(stat -c %s t/lika.db)
wal=$(stat -c %s t/lika.db-wal 2>/dev/null || echo 0)
members=$(($(wc -l < g/members.csv) - 1))
awk -v n="$n" -v m="$members" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" \
    -v t5="$t5" -v cs=$((after - before)) -v size="$size" -v wal="$wal" 'BEGIN {
	printf "bench import: %d households in %.2f s, %d members in %.2f s (%.2f s together)\n", n, t1 - t0, m, t2 - t1, t2 - t0
	printf "bench import: %d change sets; lika.db %.1f MB (+ WAL %.1f MB), %.0f bytes a record (household or member)\n", cs, size / 1e6, wal / 1e6, (size + wal) / (n + m)
	printf "bench export households %.2f s, township book %.2f s, verify %.2f s\n", t3 - t2, t4 - t3, t5 - t4
}'
