#!/bin/sh
# The township's likad is SIGKILLed five times while it catches up 5,000 change
# sets; at the end both hold identical ids and lika verify passes on both.
. "$SRCDIR/tests/system/lib.sh"
port=$(free_port)
mk_county county 110101 "$port"
mk_township t1 110101001 county "$port"
fast_sync county; fast_sync t1
sed -i 's/^\[sync\]$/[sync]\nbatch_bytes = 4096/' t1/lika.conf
admit county t1 110101001

note "township writes 5000 change sets offline"
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
lika --data t1 debug write 4999 5 >/dev/null || fail "debug write"
start_likad t1
start_likad county

mid=0
for i in 1 2 3 4 5; do
	[ "$(head_of county 110101001)" -lt 5000 ] && mid=$((mid + 1))
	sleep 0.3
	note "kill -9 township likad ($i), it holds $(head_of county 110101001)"
	stop_likad t1 KILL
	start_likad t1
done
[ $mid -ge 3 ] || fail "only $mid of the kills came during the catch-up"
wait_for 50 "hub to hold 5000 change sets" has_head county 110101001 5000
stop_likad county; stop_likad t1
ids t1 110101001 > t1.ids
ids county 110101001 > county.ids
cmp -s t1.ids county.ids || fail "ids differ between township and hub"
[ "$(wc -l < county.ids)" = 5000 ] || fail "hub holds $(wc -l < county.ids)"
verify_ok county; verify_ok t1
note "ok: identical after 5 township kills"
