#!/usr/bin/python3
# tests/system/relay.py LISTEN_PORT TARGET_PORT CAPTURE_FILE
#
# A TCP relay on loopback for the system tests: put between a township and its
# hub, it copies every byte both ways into CAPTURE_FILE (to look for clear
# text), and killing it breaks the link like a cut cable.
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
