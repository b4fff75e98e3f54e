"""t0705: one step against lika serve with a session kept in a file.
argv: BASE STEP ARGS.  login NAME PASS prints {"cookie", "csrf"}; reuse,
logout, refused, chart, dash (prints /api/dash) and lockout take that file
(lockout: the NAME)."""
import json, sys
from webtest import *

base, step, args = sys.argv[1], sys.argv[2], sys.argv[3:]


def expect(got, want, what):
    if got != want:
        fail("%s: got %r, expected %r" % (what, got, want))


def client(path):
    """A client with the cookie and CSRF token kept in PATH."""
    s = json.load(open(path))
    c = Client(base)
    c.csrf = s["csrf"]
    c.cookie = s["cookie"]
    return c


def req(c, method, path, **kw):
    h = kw.pop("headers", {})
    h["Cookie"] = "lika_session=" + c.cookie
    return c.req(method, path, headers=h, **kw)


if step == "login":
    c = Client(base)
    st, d = c.login(args[0], args[1])
    expect(st, 200, "sign in")
    cookie = [k.value for k in c.jar if k.name == "lika_session"][0]
    print(json.dumps({"cookie": cookie, "csrf": c.csrf}))
elif step == "reuse":
    c = client(args[0])
    st, h, b = req(c, "GET", "/api/me")
    expect(st, 200, "the cookie after a restart")
    expect(json.loads(b)["csrf"], c.csrf, "the CSRF token after a restart")
    form = {"village": "522701101001", "head_name": "赵五", "head_idcard": "11010519491231002X",
            "main_cause": "因病"}
    st, h, b = req(c, "POST", "/api/household", form=form, csrf=False,
                   headers={"X-CSRF-Token": "0" * 64})
    expect(st, 403, "a wrong CSRF token after a restart")
    st, h, b = req(c, "POST", "/api/household", form=form)
    expect(st, 200, "a write with the session's CSRF token after a restart: %r" % b)
elif step == "chart":
    c = client(args[0])
    expect(req(c, "GET", "/api/dash")[0], 200, "the dashboard")
    st, h, b = req(c, "GET", "/chart/lag.svg")
    expect(st, 200, "the lag chart")
    if args[1].encode() not in b:
        fail("township %s is not on the lag chart: %r" % (args[1], b[:400]))
    sys.stdout.write(b.decode())
elif step == "dash":
    c = client(args[0])
    st, h, b = req(c, "GET", "/api/dash")
    expect(st, 200, "the dashboard")
    sys.stdout.write(b.decode())
elif step == "logout":
    c = client(args[0])
    st, h, b = req(c, "POST", "/api/logout")
    expect(st, 200, "sign out")
elif step == "refused":
    c = client(args[0])
    expect(req(c, "GET", "/api/me")[0], 401, "GET with the cookie")
    expect(req(c, "GET", "/api/households")[0], 401, "the household list with the cookie")
    expect(req(c, "POST", "/api/logout")[0], 401, "POST with the cookie and its CSRF token")
elif step == "lockout":
    c = Client(base)
    for i in range(5):
        st, d = c.login(args[0], "wrong passphrase %d" % i)
    expect(st, 423, "the fifth wrong passphrase")
else:
    fail("unknown step " + step)
