#!/bin/sh
# tests/bench/bench_status.sh — `lika status` at a township with 100,000 change
# sets not yet at the county: ms per call (median of 5), beside `lika whoami`
# (the same process start and ledger open, no status) in the same run.
#
#   sh tests/bench/bench_status.sh [CHANGESETS]    (LIKA_BIN, LIKA_UNIT: the binaries)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${LIKA_BIN:=$here/../../bin}"
: "${LIKA_UNIT:=$here/../../build/rel/tests}"
PATH=$LIKA_BIN:$PATH
n=${1:-100000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"

lika --data county init --role county --node 522701 --name 县 >/dev/null
key=$(lika --data county whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
lika --data t init --role township --node 522701101 --name 乡 --county-key "$key" \
    --hub tcp://127.0.0.1:7700 >/dev/null
"$LIKA_UNIT/test-tool" write t "$n" 1 >/dev/null

# median of 5 runs of CMD..., in ms
median_ms() {
	for i in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		echo $(( ($(date +%s%N) - t0) / 1000 ))
	done | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 / 1000 }'
}
base=$(median_ms lika --data t whoami)
st=$(median_ms lika --data t status)
echo "status with $n change sets unsent: $st ms (lika whoami, the same start and open: $base ms;" \
    "status beyond it: $(echo "$st $base" | awk '{ printf "%.1f", $1 - $2 }') ms)"
