#!/bin/sh
# Nothing travels in clear: the bytes between a township and its hub (caught
# by a relay) never show a distinctive village name.
. "$SRCDIR/tests/system/lib.sh"
hubport=$(free_port)
relayport=$(free_port)
mk_county county 110101 "$hubport"
mk_township t1 110101001 county "$relayport"
fast_sync county; fast_sync t1
admit county t1 110101001
cat > relay.py <<'PY'
import socket, sys, threading
lport, rport, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = open(path, "ab", buffering=0)
lock = threading.Lock()
def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            with lock:
                out.write(d)
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", lport)); srv.listen(8)
while True:
    c, _ = srv.accept()
    try:
        u = socket.create_connection(("127.0.0.1", rport))
    except OSError:     # the hub is not up yet: the township will retry
        c.close()
        continue
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
PY
/usr/bin/python3 relay.py "$relayport" "$hubport" wire.bin &
relay=$!
trap 'kill $relay 2>/dev/null; cleanup_daemons' EXIT
start_likad county
start_likad t1
lika --data t1 village add 110101001001 甲乙丙丁戊己村 >/dev/null || fail "village add"
lika --data county policy set poverty_line 2024 2300 "ZXQWVK-UNMISTAKABLE" >/dev/null
wait_for 20 "village at the hub" has_head county 110101001 1
wait_for 20 "policy at the township" sh -c 'lika --data t1 policy list | grep -q ZXQWVK'
expect_in "$(lika --data county village list)" "甲乙丙丁戊己村"
size=$(wc -c < wire.bin)
[ "$size" -gt 500 ] || fail "relay caught only $size bytes"
grep -q "甲乙丙丁戊己村" wire.bin && fail "village name in clear on the wire"
grep -q "ZXQWVK" wire.bin && fail "policy value in clear on the wire"
grep -q "110101001001" wire.bin && fail "village code in clear on the wire"
note "ok: $size bytes caught, none in clear"
