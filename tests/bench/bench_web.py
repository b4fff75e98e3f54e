"""bench_web.py BASE SHEET: import SHEET through the console's upload, then time
the household list: the server's own time, the API round trip, and the page in
headless Chromium.  Prints "upload SECONDS SERVER_SECONDS" and
"list SERVER_MS PAGE_MS FETCH_MS" (medians of 5)."""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "system"))
from webtest import *

base, sheet = sys.argv[1:3]
c = Client(base)
if c.login("测试", "bench web passphrase")[0] != 200:
    fail("sign in")
body = open(sheet, "rb").read()
t0 = time.time()
st, d = c.json("POST", "/api/import?kind=households", body=body)
t1 = time.time()
if st != 200:
    fail("upload: %r" % d)
print("upload %.3f %.3f" % (t1 - t0, d["server_ms"] / 1000))

fetch, server = [], []
for i in range(5):
    t0 = time.time()
    st, d = c.json("GET", "/api/households?page=0")
    fetch.append((time.time() - t0) * 1000)
    server.append(d["server_ms"])
drv = browser()
pages = []
try:
    login(drv, base, "测试", "bench web passphrase")
    for i in range(5):
        go(drv, base, "#/households?page=%d" % (i + 1))
        wait(drv, lambda d: by_id(d, "hh-timing"), "the list")
        t0 = time.time()
        go(drv, base, "#/households?page=0&i=%d" % i)
        wait(drv, lambda d: by_id(d, "hh-timing") and "page=0&i=%d" % i in d.current_url
             and by_id(d, "hh-timing").get_attribute("data-browser-ms"), "the list")
        pages.append(float(by_id(drv, "hh-timing").get_attribute("data-browser-ms")))
finally:
    drv.quit()
med = lambda v: sorted(v)[len(v) // 2]
print("list %.1f %.1f %.1f" % (med(server), med(pages), med(fetch)))
