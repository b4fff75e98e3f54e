#!/bin/sh
# tests/bench/bench_procedure.sh — the identification procedure (识别, 11
# steps) for the households of a village, once a household at a time and once
# with batch steps (lika review STEP --village CODE --all-waiting), on a
# county and a township with their likad running: commands and seconds each.
#
#   sh tests/bench/bench_procedure.sh [HOUSEHOLDS]     (LIKA_BIN: the binaries)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${LIKA_BIN:=$here/../../bin}"
PATH=$LIKA_BIN:$PATH
n=${1:-200}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lika-bench.XXXXXX")
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait; rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"
export LIKA_TODAY=2014-06-01

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
lika --data county init --role county --node 522701 --name 县 --listen "tcp://127.0.0.1:$port" >/dev/null
key=$(lika --data county whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
lika --data t init --role township --node 522701101 --name 乡 --county-key "$key" \
    --hub "tcp://127.0.0.1:$port" >/dev/null
tkey=$(lika --data t whoami --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
for d in county t; do
	sed -i -e 's/^heartbeat_ms = .*/heartbeat_ms = 300/' \
	    -e 's/^timeout_ms = .*/timeout_ms = 2000\nreconnect_max_ms = 500/' "$d/lika.conf"
done
lika --data county roster add-township 522701101 "$tkey" 乡 >/dev/null
likad --data county -f >> county.log 2>&1 & pids="$pids $!"
likad --data t -f >> t.log 2>&1 & pids="$pids $!"
official() {
	printf '%s\n' "$1 passphrase" > "$1.pass"
	lika --data county official add --role "$2" --name "$1" --office "$3" --out "$1.key" \
	    --kdf-cost interactive --passphrase-fd 3 3<"$1.pass" >/dev/null
}
official cadre1 village-cadre 522701101001
official cadre2 village-cadre 522701101002
official head township-head 522701101
official office county-office 522701
lika --data county policy set poverty_line 2013 2300 >/dev/null
head_of() {
	lika --data "$1" log --origin "$2" --json | tr '{' '\n' | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' | tail -1
}
synced() {     # synced FROM TO ORIGIN: TO holds ORIGIN's feed as FROM does
	want=$(head_of "$1" "$3")
	while [ "$(head_of "$2" "$3" || echo 0)" != "$want" ]; do sleep 0.1; done
}
synced county t 522701
PANEL="赵一,钱二,孙三,李四,周五,吴六,郑七,王八,冯九"
for v in 001 002; do
	lika --data t village add 522701101$v 村$v >/dev/null
	lika --data t village eval-group set 522701101$v 2014 --members "$PANEL" --date 2014-05-20 >/dev/null
done
/usr/bin/python3 - "$n" <<'PY'
import sys
n = int(sys.argv[1]); W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def idno(seq):
    body = "522701" + "1970%02d%02d" % (seq // 800 % 12 + 1, seq // 4 % 28 + 1) + "%03d" % (seq % 4 * 2 + 1 + seq // 4 // 28 // 12 * 8 % 992)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, W)) % 11]
seen = set()
with open("h.csv", "w") as f:
    f.write("村代码,户主姓名,户主身份证号,主要致贫原因,贫困户属性\n")
    seq = 0
    for v in ("001", "002"):
        for i in range(n):
            while idno(seq) in seen: seq += 1
            seen.add(idno(seq))
            f.write("522701101%s,户主%s%d,%s,因病,一般贫困户\n" % (v, v, i, idno(seq)))
PY
lika --data t import households h.csv >/dev/null
lika --data t household list | awk '{print $1 ",2013,1500"}' | sed '1i 户编号,年度,工资性收入(元)' > i.csv
lika --data t import incomes i.csv >/dev/null

now() { date +%s.%N; }
cmds=0
run() { cmds=$((cmds + 1)); "$@" >/dev/null; }
# the dates of a run: the clock only moves on, so the second run is a month later
D1=2014-06-01 D2=2014-06-08 D3=2014-06-15 D4=2014-06-16 D5=2014-07-03
# the steps of one household, one command each
one() {
	h=$1 k=$2
	LIKA_TODAY=$D1 run lika --data t review apply "$h"
	LIKA_TODAY=$D1 run lika --data t review group-eval "$h"
	LIKA_TODAY=$D1 run lika --data t review village-eval "$h" --panel "$PANEL" --for 9
	LIKA_TODAY=$D1 run lika --data t review notice "$h"
	LIKA_TODAY=$D2 run lika --data t review cadre-sign "$h" --key "$k.key" --passphrase-fd 3 3<"$k.pass"
	LIKA_TODAY=$D2 run lika --data t review township-review "$h"
	LIKA_TODAY=$D2 run lika --data t review township-notice "$h"
	LIKA_TODAY=$D3 run lika --data t review head-sign "$h" --key head.key --passphrase-fd 3 3<head.pass
}
county_one() {
	LIKA_TODAY=$D4 run lika --data county review county-approve "$1" --key office.key --passphrase-fd 3 3<office.pass
	LIKA_TODAY=$D4 run lika --data county review county-notice "$1" --key office.key --passphrase-fd 3 3<office.pass
}

# before: one household at a time (village 001)
ids=$(lika --data t household list | awk '$2 == "522701101001" {print $1}')
t0=$(now)
for h in $ids; do one "$h" cadre1; done
synced t county 522701101
for h in $ids; do county_one "$h"; done
synced county t 522701
for h in $ids; do LIKA_TODAY=$D5 run lika --data t review register "$h"; done
t1=$(now)
before=$cmds

# after: a batch a step (village 002)
cmds=0
D1=2014-07-04 D2=2014-07-11 D3=2014-07-18 D4=2014-07-19 D5=2014-08-05
V="--village 522701101002 --all-waiting"
t2=$(now)
for s in apply group-eval; do LIKA_TODAY=$D1 run lika --data t review $s $V; done
LIKA_TODAY=$D1 run lika --data t review village-eval $V --for 9
LIKA_TODAY=$D1 run lika --data t review notice $V
LIKA_TODAY=$D2 run lika --data t review cadre-sign $V --key cadre2.key --passphrase-fd 3 3<cadre2.pass
for s in township-review township-notice; do LIKA_TODAY=$D2 run lika --data t review $s $V; done
LIKA_TODAY=$D3 run lika --data t review head-sign $V --key head.key --passphrase-fd 3 3<head.pass
synced t county 522701101
for s in county-approve county-notice; do
	LIKA_TODAY=$D4 run lika --data county review $s $V --key office.key --passphrase-fd 3 3<office.pass
done
synced county t 522701
LIKA_TODAY=$D5 run lika --data t review register $V
t3=$(now)
after=$cmds
reg1=$(lika --data t household list | awk '$2 == "522701101001"' | grep -c 已建档立卡 || true)
reg2=$(lika --data t household list | awk '$2 == "522701101002"' | grep -c 已建档立卡 || true)
lika --data t verify >/dev/null && lika --data county verify >/dev/null
/usr/bin/python3 - "$n" "$before" "$t0" "$t1" "$reg1" "$after" "$t2" "$t3" "$reg2" <<'PY'
import sys
n, b, t0, t1, r1, a, t2, t3, r2 = sys.argv[1:]
s1, s2 = float(t1) - float(t0), float(t3) - float(t2)
print("procedure for a village of %s households (11 steps to 已建档立卡, county and township likad running):" % n)
print("  one household a command: %6s commands  %7.1f s  (%s registered)" % (b, s1, r1))
print("  batch steps:              %6s commands  %7.1f s  (%s registered)" % (a, s2, r2))
print("  ratio: %.0fx fewer commands, %.1fx less time" % (int(b) / int(a), s1 / s2 if s2 else 0))
PY
