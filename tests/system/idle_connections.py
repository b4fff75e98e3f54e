# tests/system/idle_connections.py — open COUNT TCP connections to 127.0.0.1:PORT
# that never send a byte (no ZMTP greeting), hold them SECS seconds, then print
# how many the peer closed meanwhile.  Loopback only; COUNT and SECS bounded.
#
#   python3 idle_connections.py PORT COUNT SECS
import resource
import select
import socket
import sys
import time

port, count, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
assert 0 < count <= 5000 and 0 < secs <= 60
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = min(hard, count + 64) if hard != resource.RLIM_INFINITY else count + 64
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
socks = []
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    socks.append(s)
print("opened %d" % len(socks), flush=True)
end, closed, poll = time.time() + secs, set(), select.poll()
for s in socks:
    poll.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
fds = {s.fileno(): s for s in socks}
while time.time() < end:
    for fd, _ in poll.poll(200):
        poll.unregister(fd)
        closed.add(fd)
for s in socks:
    s.close()
print("closed by the peer %d" % len(closed), flush=True)
