#!/bin/sh
# tests/bench/bench_province.sh — a province catching up its counties (make bench-province).
#
# COUNTIES county hubs with TOWNSHIPS townships each; every township imports
# HOUSEHOLDS households (4 members each) offline, as signed change sets through
# the real import (a few large ones), and writes CHANGESETS small ones (a
# village row each: test-tool write), the per-change-set cost; the counties collect their townships' feeds; then the
# province hub (with its PostgreSQL sink, a server of the bench's own) starts
# and catches up every feed through the counties' [upstream] links.  Prints the
# catch-up time, change sets/s and rows/s at the province, the province likad's
# peak RSS, its disk, and the sink's lag behind the hub.  Not in make test: the
# full province (21 counties x 15 townships x ~5,000 households) is too much
# for a small machine, so it runs scaled down; README.md, "Province",
# extrapolates.
#
#   sh tests/bench/bench_province.sh [COUNTIES [TOWNSHIPS [HOUSEHOLDS [CHANGESETS]]]]
#   (defaults 3 3 1000 1000; LIKA_BIN, LIKA_UNIT: the binaries, test-tool;
#   SINK=0: no PostgreSQL)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${LIKA_BIN:=$here/../../bin}"
: "${LIKA_UNIT:=$here/../../build/rel/tests}"
PATH=$LIKA_BIN:$PATH
ncounties=${1:-3} ntownships=${2:-3} nhouseholds=${3:-1000} nchangesets=${4:-1000}
sink=${SINK:-1}
[ "$ncounties" -ge 1 ] && [ "$ncounties" -le 89 ] && [ "$ntownships" -ge 1 ] && [ "$ntownships" -le 99 ] ||
    { echo "bench_province: 1-89 counties, 1-99 townships" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-bench.XXXXXX")
chmod 755 "$tmp"
cd "$tmp"
fail() { echo "bench_province: $*" >&2; exit 1; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
key() { lika --data "$1" whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/'; }
TESTDIR=$tmp
PG_DIR=""
[ "$sink" = 1 ] && . "$here/../system/pg.sh"
trap 'for p in $(cat *.pid 2>/dev/null); do kill $p 2>/dev/null; done; sleep 1;
    [ -n "$PG_DIR" ] && pg_stop; rm -rf "$PG_DIR" "$tmp"' EXIT INT TERM
[ "$sink" = 1 ] && pg_start

pport=$(free_port)
lika --data prov init --role province --node 520000 --name 省 --listen "tcp://127.0.0.1:$pport" >/dev/null
[ "$sink" = 1 ] && printf '\n[sink]\npostgres = %s\n' "$PGCONN" >> prov/lika.conf
pkey=$(key prov)
counties=""
i=0
while [ $i -lt "$ncounties" ]; do
	i=$((i + 1))
	c=$(printf '52%02d%02d' $((i / 20 + 1)) $((i % 20 + 1)))
	counties="$counties $c"
	cport=$(free_port)
	lika --data c$c init --role county --node $c --name 县$c --listen "tcp://127.0.0.1:$cport" >/dev/null
	printf '\n[upstream]\nhub = tcp://127.0.0.1:%s\nprovince_key = %s\n' "$pport" "$pkey" >> c$c/lika.conf
	lika --data prov roster add-county $c "$(key c$c)" 县$c >/dev/null
	j=0
	while [ $j -lt "$ntownships" ]; do
		j=$((j + 1))
		t=$c$(printf '%03d' $((100 + j)))
		lika --data t$t init --role township --node $t --name 乡$t --county-key "$(key c$c)" \
		    --hub "tcp://127.0.0.1:$cport" >/dev/null
		lika --data c$c roster add-township $t "$(key t$t)" 乡$t >/dev/null
		lika --data t$t village add ${t}001 村 >/dev/null
		/usr/bin/python3 "$here/gen_households.py" g$t --households "$nhouseholds" \
		    --villages ${t}001 --seed $((i * 100 + j)) --first $(( ((i - 1) * ntownships + j - 1) * nhouseholds * 4 )) \
		    >/dev/null
		lika --data t$t import households g$t/households.csv >/dev/null
		lika --data t$t import members g$t/members.csv >/dev/null
		"$LIKA_UNIT/test-tool" write t$t "$nchangesets" >/dev/null
		rm -rf g$t
	done
done

now() { date +%s.%N; }
held() { sqlite3 "$1/lika.db" "SELECT coalesce(sum(head_seq), 0) FROM feed"; }
# every feed of the counties' and their townships', as the counties hold them
want=0
t0=$(now)
for c in $counties; do
	likad --data c$c -f >c$c.log 2>&1 & echo $! > c$c.pid
	for d in t$c[0-9][0-9][0-9]; do t=${d#t}
		likad --data t$t -f >t$t.log 2>&1 & echo $! > t$t.pid
	done
done
for c in $counties; do
	for d in t$c[0-9][0-9][0-9]; do t=${d#t}
		h=$(sqlite3 t$t/lika.db "SELECT head_seq FROM feed WHERE origin = '$t'")
		until [ "$(sqlite3 c$c/lika.db "SELECT coalesce(max(head_seq), 0) FROM feed WHERE origin = '$t'")" -ge "$h" ]; do
			sleep 0.2
		done
	done
done
t1=$(now)
for c in $counties; do
	for d in t$c[0-9][0-9][0-9]; do t=${d#t}; kill "$(cat t$t.pid)"; rm t$t.pid; done
	want=$((want + $(sqlite3 c$c/lika.db "SELECT coalesce(sum(head_seq), 0) FROM feed WHERE origin LIKE '$c%'")))
done
applied() { sqlite3 prov/lika.db "SELECT count(*) FROM changeset WHERE applied <> 0"; }
in_pg() { pg_q "SELECT coalesce(sum(changesets), 0) FROM lika_sink" 2>/dev/null || echo 0; }
t2=$(now)
likad --data prov -f >prov.log 2>&1 & echo $! > prov.pid
until [ "$(sqlite3 prov/lika.db "SELECT coalesce(sum(head_seq), 0) FROM feed WHERE origin <> '520000'" 2>/dev/null || echo 0)" -ge "$want" ]; do
	sleep 0.1
done
t3=$(now)
t4=$t3
if [ "$sink" = 1 ]; then
	until [ "$(in_pg)" -ge "$(applied)" ]; do sleep 0.1; done
	t4=$(now)
fi
rss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$(cat prov.pid)"/status)
rows=$(sqlite3 prov/lika.db "SELECT (SELECT count(*) FROM household) + (SELECT count(*) FROM member) + (SELECT count(*) FROM income)")
for p in $(cat *.pid); do kill "$p" 2>/dev/null || true; done
sleep 1; rm -f ./*.pid
disk=$(du -sk prov | cut -f1)
lika --data prov verify >/dev/null || fail "lika verify at the province: $(lika --data prov verify 2>&1)"
/usr/bin/python3 - "$ncounties" "$ntownships" "$nhouseholds" "$want" "$rows" "$t0" "$t1" "$t2" "$t3" \
    "$t4" "$rss" "$disk" "$sink" <<'PY'
import sys
nc, nt, nh, cs, rows = map(int, sys.argv[1:6])
t0, t1, t2, t3, t4 = map(float, sys.argv[6:11])
rss, disk, sink = int(sys.argv[11]), int(sys.argv[12]), sys.argv[13] == "1"
print(f"province: {nc} counties x {nt} townships x {nh} households: {cs} change sets "
      f"(with the small ones), {rows} household/member/income rows")
print(f"province: counties collect their townships in {t1 - t0:.2f} s (all at once, "
      f"{rows / (t1 - t0):,.0f} rows/s together: the baseline)")
print(f"province: catch-up of every feed through {nc} county links: {t3 - t2:.2f} s, "
      f"{cs / (t3 - t2):,.0f} change sets/s, {rows / (t3 - t2):,.0f} rows/s "
      f"({(t1 - t0) / (t3 - t2):.2f}x the counties' rate together)")
print(f"province: likad peak RSS {rss / 1024:.1f} MiB; node directory {disk / 1024:.1f} MiB "
      f"({disk * 1024 / max(rows, 1):.0f} bytes a row)")
if sink:
    print(f"province: PostgreSQL holds it {t4 - t2:.2f} s after the start (lag behind the hub "
          f"{t4 - t3:.2f} s)")
PY
