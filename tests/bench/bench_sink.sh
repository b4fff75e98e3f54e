#!/bin/sh
# tests/bench/bench_sink.sh — the PostgreSQL sink against the hub it follows.
#
# A county hub with [sink] postgres (a server of the bench's own) and one
# township that imports HOUSEHOLDS households (4 members each) while offline;
# then the township's likad starts.  Prints when the hub holds the whole feed
# and when PostgreSQL does (the sink's lag behind the hub), rows/s into
# PostgreSQL, and a fresh sink's first copy of the same state.
#
#   sh tests/bench/bench_sink.sh [HOUSEHOLDS]     (LIKA_BIN: the binaries)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${LIKA_BIN:=$here/../../bin}"
PATH=$LIKA_BIN:$PATH
n=${1:-10000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-bench.XXXXXX")
chmod 755 "$tmp"
cd "$tmp"
fail() { echo "bench_sink: $*" >&2; exit 1; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TESTDIR=$tmp
. "$here/../system/pg.sh"
trap 'for p in $(cat *.pid 2>/dev/null); do kill $p 2>/dev/null; done; sleep 1; pg_stop; rm -rf "$PG_DIR" "$tmp"' EXIT INT TERM
pg_start

port=$(free_port)
lika --data county init --role county --node 522701 --name 县 --listen "tcp://127.0.0.1:$port" >/dev/null
key=$(lika --data county whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
lika --data t init --role township --node 522701101 --name 乡 --county-key "$key" \
    --hub "tcp://127.0.0.1:$port" >/dev/null
tkey=$(lika --data t whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
lika --data county roster add-township 522701101 "$tkey" 乡 >/dev/null
printf '\n[sink]\npostgres = %s\n' "$PGCONN" >> county/lika.conf
villages=""
for v in 001 002 003 004 005 006 007 008 009 010; do
	lika --data t village add 522701101$v 村$v >/dev/null
	villages="$villages${villages:+,}522701101$v"
done
/usr/bin/python3 "$here/gen_households.py" g --households "$n" --villages "$villages"
lika --data t import households g/households.csv >/dev/null
lika --data t import members g/members.csv >/dev/null
head=$(lika --data t log --origin 522701101 --json | tr '{' '\n' | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' | tail -1)

now() { date +%s.%N; }
hub_head() { sqlite3 county/lika.db "SELECT coalesce(max(head_seq), 0) FROM feed WHERE origin = '522701101'"; }
applied() { sqlite3 county/lika.db "SELECT count(*) FROM changeset WHERE applied <> 0"; }
in_pg() { pg_q "SELECT coalesce(sum(changesets), 0) FROM lika_sink" 2>/dev/null || echo 0; }
likad --data county -f >county.log 2>&1 & echo $! > county.pid
until [ "$(in_pg)" -ge "$(applied)" ] && [ "$(in_pg)" -gt 0 ]; do sleep 0.1; done
t0=$(now)
likad --data t -f >t.log 2>&1 & echo $! > t.pid
until [ "$(hub_head)" -ge "$head" ]; do sleep 0.05; done
t1=$(now)
until [ "$(in_pg)" -ge "$(applied)" ]; do sleep 0.05; done
t2=$(now)
rows=$(sqlite3 county/lika.db "SELECT (SELECT count(*) FROM household) + (SELECT count(*) FROM member) + (SELECT count(*) FROM income)")
kill "$(cat county.pid)"; wait "$(cat county.pid)" 2>/dev/null || true; rm county.pid

pg_q "DROP TABLE lika_sink" >/dev/null
t3=$(now)
likad --data county -f >county2.log 2>&1 & echo $! > county.pid
until [ "$(in_pg)" -ge "$(applied)" ]; do sleep 0.05; done
t4=$(now)
/usr/bin/python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$head" "$rows" <<'PY'
import sys
t0, t1, t2, t3, t4 = map(float, sys.argv[1:6]); cs, rows = int(sys.argv[6]), int(sys.argv[7])
print(f"sink: {cs} change sets, {rows} household/member/income rows")
print(f"sink: hub holds the feed after {t1 - t0:.2f} s; PostgreSQL after {t2 - t0:.2f} s "
      f"(lag behind the hub {t2 - t1:.2f} s); {rows / (t2 - t0):,.0f} rows/s end to end")
print(f"sink: a fresh sink copies the same state in {t4 - t3:.2f} s ({rows / (t4 - t3):,.0f} rows/s)")
PY
