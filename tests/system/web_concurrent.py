"""t0706: reads answered while an import runs.  argv: BASE SHEET."""
import sys, threading, time
from webtest import *

base, sheet = sys.argv[1], sys.argv[2]
writer, reader = Client(base), Client(base)
if writer.login("王会计", "会计的口令 clerk passphrase")[0] != 200:
    fail("sign in")
if reader.login("李出纳", "出纳的口令 second passphrase")[0] != 200:
    fail("sign in")
st, d = reader.json("GET", "/api/households?page=0")
hid = d["rows"][0]["id"]
body = open(sheet, "rb").read()
result = {}


def upload():
    result["start"] = time.time()
    result["reply"] = writer.json("POST", "/api/import?kind=households&skip_bad=1", body=body)
    result["end"] = time.time()


note("reads while an import of 10,000 households runs")
t = threading.Thread(target=upload)
t.start()
while "start" not in result:
    time.sleep(0.005)
answered = []      # (path, when sent, when answered)
while t.is_alive():
    for path in ["/api/households?page=0", "/api/household?id=" + hid, "/api/fields"]:
        t0 = time.time()
        st, h, b = reader.req("GET", path)
        if st != 200:
            fail("GET %s during the import: %d %r" % (path, st, b[:200]))
        answered.append((path, t0, time.time()))
t.join()
st, d = result["reply"]
if st != 200 or d.get("exit") != 0:
    fail("the import: %d %r" % (st, str(d)[:300]))
took = result["end"] - result["start"]
during = [(p, a, b) for p, a, b in answered if b < result["end"]]
worst = max(b - a for p, a, b in answered)
note("the import took %.2f s; %d reads answered before it, the slowest in %.2f s"
     % (took, len(during), worst))
# one thread for all made a read sent during the import wait for all of it
if worst > took / 2:
    fail("a read waited %.2f s of the import's %.2f s: reads wait for writes" % (worst, took))
for path in ["/api/households?page=0", "/api/household?id=" + hid, "/api/fields"]:
    if path not in [p for p, a, b in during]:
        fail("%s was not answered while the import ran" % path)
