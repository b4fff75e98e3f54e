"""t0702: the county dashboard in headless Chromium.  argv: BASE.  Touches
saw-ok and saw-late (in the current folder) as it sees them, for the shell
that stops and starts the township's likad."""
import sys, time
from webtest import *

base = sys.argv[1]
d = browser()


def health(code):
    # read in the page in one go: the table is redrawn every 5 s
    return d.execute_script("const r = document.querySelector(\"#dash-table tr[data-code='%s']\"); "
                            "return r ? r.dataset.health : null" % code)


try:
    login(d, base, "县管理员", "县管理员的口令 admin passphrase")
    go(d, base, "#/dash")
    wait(d, lambda d: by_id(d, "dash-table"), "the dashboard")
    wait(d, lambda d: health("110101001") == "ok" and health("110101002") == "ok", "both townships ok", 60)
    rows = {r[0]: r for r in table_rows(d, "dash-table")}
    if "申请 3" not in rows["110101001"][8] or rows["110101001"][3] != "已连接":
        fail("t001's row: %r" % rows["110101001"])
    wait(d, lambda d: d.execute_script("return document.getElementById('chart-lag').naturalWidth > 0 && "
                                       "document.getElementById('chart-stages').naturalWidth > 0"), "the charts")
    wait(d, lambda d: [r for r in table_rows(d, "progress-table") if r[0] == "110101001" and r[2] == "3"],
         "t001's 3 households in the progress against the schedule")
    shot(d, "01-dashboard-ok")
    open("saw-ok", "w").close()
    note("saw ok; waiting for late (the page polls by itself)")
    wait(d, lambda d: health("110101001") == "late", "110101001 late", 60)
    if health("110101002") != "ok":
        fail("t002 is %s while t001 is late" % health("110101002"))
    rows = {r[0]: r for r in table_rows(d, "dash-table")}
    if rows["110101001"][3] != "未连接":
        fail("t001 late but connected: %r" % rows["110101001"])
    shot(d, "02-dashboard-late")
    open("saw-late", "w").close()
    note("saw late; waiting for ok again")
    wait(d, lambda d: health("110101001") == "ok", "110101001 ok again", 60)
    shot(d, "03-dashboard-ok-again")
    st, h, body = Client(base).req("GET", "/chart/lag.svg")
    if st != 401:
        fail("a chart without signing in: %d" % st)
finally:
    d.quit()
note("ok")
