"""t0800: the PostgreSQL copy on the county dashboard, in headless Chromium.
argv: BASE NAME PASS WANT: the line #dash-sink must come to hold WANT."""
import sys
from webtest import *

base, name, passphrase, want = sys.argv[1:5]
d = browser()
try:
    login(d, base, name, passphrase)
    go(d, base, "#/dash")
    wait(d, lambda d: by_id(d, "dash-sink"), "the PostgreSQL line on the dashboard")
    wait(d, lambda d: want in by_id(d, "dash-sink").text, "\"%s\" on the PostgreSQL line" % want)
    note("dashboard: " + by_id(d, "dash-sink").text)
    shot(d, "dashboard-postgresql")
finally:
    d.quit()
