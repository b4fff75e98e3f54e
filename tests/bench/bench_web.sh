#!/bin/sh
# tests/bench/bench_web.sh — the web console with 10,000 households: the same
# sheet imported by lika import (the baseline) and through the console's
# upload, the household list's first page (server time and time in headless
# Chromium) against the same query run by sqlite3, lika serve's memory, and
# whether an import stalls the other clerks: the list polled by one client
# while another uploads two more sheets (bench_web_poll.py).
#
#   sh tests/bench/bench_web.sh [HOUSEHOLDS]     (LIKA_BIN: the binaries)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${LIKA_BIN:=$here/../../bin}"
PATH=$LIKA_BIN:$PATH
n=${1:-10000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-bench.XXXXXX")
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"

lika --data county init --role county --node 522701 --name 县 >/dev/null
key=$(lika --data county whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
for t in base web; do
	lika --data $t init --role township --node 522701101 --name 乡 --county-key "$key" \
	    --hub tcp://127.0.0.1:7700 >/dev/null
	for v in 001 002 003 004 005 006 007 008 009 010; do
		lika --data $t village add 522701101$v 村$v >/dev/null
	done
done
villages=522701101001,522701101002,522701101003,522701101004,522701101005,522701101006,522701101007,522701101008,522701101009,522701101010
/usr/bin/python3 "$here/gen_households.py" g --households "$n" --villages $villages >/dev/null
for i in 2 3; do
	/usr/bin/python3 "$here/gen_households.py" g$i --households "$n" --villages $villages \
	    --seed $i --first $(( (i - 1) * n )) >/dev/null
done
printf 'bench web passphrase\n' > pass
lika --data web user add 测试 --passphrase-fd 3 3<pass >/dev/null

now() { date +%s.%N; }
t0=$(now)
lika --data base import households g/households.csv >/dev/null
t1=$(now)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
lika --data web serve --listen "127.0.0.1:$port" > serve.log 2>&1 &
spid=$!
sleep 0.5
rss0=$(awk '/VmRSS/ {print $2}' /proc/$spid/status)
/usr/bin/python3 "$here/bench_web.py" "http://127.0.0.1:$port" g/households.csv > figures
/usr/bin/python3 "$here/bench_web_poll.py" "http://127.0.0.1:$port" g2/households.csv \
    g3/households.csv > poll
rss1=$(awk '/VmRSS/ {print $2}' /proc/$spid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$spid/status)
# the raw baseline of the list: the same first page straight from sqlite3
q="SELECT h.id, h.village, m.name, m.idcard, h.status FROM household h LEFT JOIN member m ON m.household = h.id AND m.relation = '01' ORDER BY h.id LIMIT 50"
t2=$(now)
for i in 1 2 3 4 5 6 7 8 9 10; do sqlite3 web/lika.db "$q" >/dev/null; done
t3=$(now)
awk -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v rss0="$rss0" -v rss1="$rss1" -v hwm="$hwm" '
	/^upload / { up = $2; upsrv = $3 }
	/^list / { srv = $2; page = $3; fetch = $4 }
	END {
	raw = (t3 - t2) / 10 * 1000
	printf "bench web: import of %d households: lika import %.2f s, through the upload %.2f s (server %.2f s), ratio %.2f\n", n, t1 - t0, up, upsrv, up / (t1 - t0)
	printf "bench web: household list, first page of %d: server %.1f ms, API round trip %.1f ms, page in Chromium %.1f ms; sqlite3 process for the same query %.1f ms\n", n, srv, fetch, page, raw
	printf "bench web: lika serve RSS %.1f MB at start, %.1f MB after, peak %.1f MB\n", rss0 / 1024, rss1 / 1024, hwm / 1024
}' figures
cat poll
