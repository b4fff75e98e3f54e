#!/bin/sh
# tests/bench/bench_peers.sh — lika's hub ingest beside PouchDB replicating the
# same records, in the same run (make bench-peers; not part of make test).
#
# 10,000 one-record change sets (bench_sync with BENCH_OPS=1: one village-group
# upsert each, signed, chained, stored with full fsync and every rule checked)
# against PouchDB (installed from npm into build/peers) replicating the same
# 10,000 records as documents local→local and over HTTP on loopback.
#
#   sh tests/bench/bench_peers.sh BENCH_SYNC LIKAD PEERS_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bench=$1 likad=$2 peers=$3
mkdir -p "$peers"
cp "$here/peers/package.json" "$here/peers/bench_peers.js" "$peers/"
if [ ! -d "$peers/node_modules/pouchdb" ] || [ "$here/peers/package.json" -nt "$peers/node_modules" ]; then
	echo "bench-peers: installing PouchDB into $peers (npm) ..."
	(cd "$peers" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-peers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

out=$(BENCH_OPS=1 BENCH_INGEST_ONLY=1 LIKAD="$likad" "$bench")
printf '%s\n' "$out"
# all 10,000 from the hub's WELCOME to the last stored, as PouchDB's replicate() is timed
# whole; the township's start-up and CURVE handshake are left out, as node's start is
lika=$(printf '%s\n' "$out" | sed -n 's/.*session.s start.*: \([0-9]*\) change sets\/s.*/\1/p')
[ -n "$lika" ] || lika=$(printf '%s\n' "$out" | sed -n 's/.*arrived: \([0-9]*\) change sets\/s.*/\1/p')
pout=$(node "$peers/bench_peers.js" "$tmp" 10000)
printf '%s\n' "$pout" | grep -v '^pouchdb_'
eval "$(printf '%s\n' "$pout" | grep '^pouchdb_')"
awk -v l="$lika" -v p="$pouchdb_local_docs_s" -v h="$pouchdb_http_docs_s" 'BEGIN {
	printf "lika hub ingest %d change sets/s = %.1fx PouchDB local->local, %.1fx PouchDB over HTTP\n",
	    l, l / p, l / h }'
