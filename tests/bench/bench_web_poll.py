"""bench_web_poll.py BASE SHEET... (run by bench_web.sh): one client uploads
each SHEET through the console while another polls the first page of the
household list; prints the poll's latency with no import running and while
one runs (the worst is what a clerk waits behind an import)."""
import os, sys, threading, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "system"))
from webtest import *

base, sheets = sys.argv[1], sys.argv[2:]
writer, reader = Client(base), Client(base)
for c in (writer, reader):
    if c.login("测试", "bench web passphrase")[0] != 200:
        fail("sign in")


def poll(secs):
    """Latencies (ms) of polling the list for SECS, or while an import runs."""
    out, end = [], time.time() + secs
    while time.time() < end if secs else importing.is_set():
        t0 = time.time()
        st, h, b = reader.req("GET", "/api/households?page=0")
        if st != 200:
            fail("poll: %d" % st)
        out.append((time.time() - t0) * 1000)
        time.sleep(0.01)
    return out


importing = threading.Event()
idle, busy, took = poll(1.0), [], []
for sheet in sheets:
    body = open(sheet, "rb").read()
    importing.set()
    t = threading.Thread(target=lambda: busy.extend(poll(0)))
    t.start()
    t0 = time.time()
    st, d = writer.json("POST", "/api/import?kind=households&skip_bad=1", body=body)
    took.append(time.time() - t0)
    importing.clear()
    t.join()
    if st != 200:
        fail("import: %r" % d)
med = lambda v: sorted(v)[len(v) // 2]
print("bench web poll: household list while idle: worst %.1f ms, median %.1f ms (%d polls)"
      % (max(idle), med(idle), len(idle)))
print("bench web poll: household list during %d imports (%.2f s each): worst %.1f ms, median "
      "%.1f ms (%d polls)" % (len(sheets), sum(took) / len(took), max(busy), med(busy), len(busy)))
