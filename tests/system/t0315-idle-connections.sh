#!/bin/sh
# 1,100 idle TCP connections that never send a ZMTP greeting, against a hub
# limited to 1,024 descriptors (systemd's default): the hub drops each after
# its handshake interval (5 s, not libzmq's 30 s), a township restarted
# meanwhile still connects within 10 s, and the hub's log says what happened.
# Loopback only.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
(ulimit -n 1024 && start_likad county && wait)  &
wait_for 10 "the hub to listen" grep -q "listening on" county.log
grep -q "descriptor limit 1024" county.log || fail "no descriptor limit in the log: $(cat county.log)"
/usr/bin/python3 "$SRCDIR/tests/system/idle_connections.py" "$port" 1100 15 > idle.out 2>&1 &
idle=$!
wait_for 10 "1,100 idle connections" grep -q "opened 1100" idle.out
sleep 1
start=$(date +%s)
start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 10 "the township to connect during the flood" grep -q "connected to hub" t1.log
note "township connected $(( $(date +%s) - start )) s after start, during the flood"
wait_for 10 "its feed at the hub" has_head county 110101001 1
wait "$idle"
note "$(tail -1 idle.out)"
wait_for 15 "the hub to log the dropped connections" grep -q "closed before completing a handshake" county.log
note "$(grep 'closed before completing a handshake' county.log | head -1 | cut -c1-300)"
kill -TERM "$(cat county.pid)" 2>/dev/null
note "ok: idle connections do not lock townships out"
