"""t0703: the console's error paths over plain HTTP.  argv: BASE PORT."""
import socket, sys
from webtest import *

base, port = sys.argv[1], int(sys.argv[2])
clerk, pw = "王会计", "会计的口令 clerk passphrase"


def expect(got, want, what):
    if got != want:
        fail("%s: got %r, expected %r" % (what, got, want))


def serving():
    st, h, b = Client(base).req("GET", "/")
    expect(st, 200, "still serving")


note("nothing but the pages and login without a session")
c = Client(base)
for path in ["/api/households", "/api/me", "/api/dash", "/doc/card?id=522701101000001", "/chart/lag.svg"]:
    expect(c.req("GET", path)[0], 401, "GET " + path + " signed out")
expect(c.req("POST", "/api/household", form={"village": "522701101001"})[0], 401, "POST signed out")
st, h, body = c.req("GET", "/")
expect(st, 200, "the page")
for k in ["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"]:
    if not h.get(k):
        fail("no %s header" % k)
if "script-src 'self'" not in h["Content-Security-Policy"]:
    fail("CSP: " + h["Content-Security-Policy"])

note("sign in: the cookie is HttpOnly and SameSite=Strict")
st, h, body = c.req("POST", "/api/login", form={"name": clerk, "passphrase": pw})
expect(st, 200, "sign in")
cookie = h.get("Set-Cookie")
if "HttpOnly" not in cookie or "SameSite=Strict" not in cookie:
    fail("cookie: " + cookie)
c.csrf = json.loads(body)["csrf"]

note("a write without the CSRF token, or with a wrong one, is refused; nothing written")
n0 = log_count("t")
form = {"village": "522701101001", "head_name": "赵五", "head_idcard": "11010519491231002X", "main_cause": "因病"}
st, d = c.json("POST", "/api/household", form=form, csrf=False)
expect(st, 403, "no CSRF token")
if "CSRF" not in d["error"]:
    fail(d["error"])
st, d = c.json("POST", "/api/household", form=form, csrf=False, headers={"X-CSRF-Token": "0" * 64})
expect(st, 403, "a wrong CSRF token")
st, d = c.json("POST", "/api/import?kind=households", body=b"a,b\n1,2\n", csrf=False)
expect(st, 403, "import without the token")
other = Client(base)
other.login("李出纳", "出纳的口令 second passphrase")
st, d = c.json("POST", "/api/household", form=form, csrf=False, headers={"X-CSRF-Token": other.csrf})
expect(st, 403, "another session's token")
expect(log_count("t"), n0, "change sets after refused writes")

note("a bad form: errors by field, nothing written")
st, d = c.json("POST", "/api/household", form=dict(form, village="522701102001"))
expect(st, 422, "a village of another township")
if "village" not in d["fields"]:
    fail("no error beside the village: %r" % d)
st, d = c.json("POST", "/api/household", form=dict(form, head_idcard="110105194912310021",
                                                     m1_name="钱六", m1_idcard="123"))
expect(st, 422, "bad ID numbers")
if "head_idcard" not in d["fields"] or "m1_idcard" not in d["fields"]:
    fail("errors: %r" % d["fields"])
expect(log_count("t"), n0, "change sets after refused forms")
st, d = c.json("POST", "/api/household", form=form)
expect(st, 200, "the good form")
hid = d["id"]

note("malformed requests get 400, unknown ones 404 or 405")
st, h, b = c.req("POST", "/api/household", body=b"village=%zz&x", headers={"Content-Type": "application/x-www-form-urlencoded"})
expect(st, 400, "a malformed form")
st, h, b = c.req("POST", "/api/household", body=b"a=%00b")
expect(st, 400, "a NUL in a form")
expect(c.req("GET", "/api/household?id=abc")[0], 400, "a bad household id")
expect(c.req("GET", "/api/household?id=522701101999999")[0], 404, "no such household")
expect(c.req("GET", "/api/nothing")[0], 404, "an unknown resource")
expect(c.req("GET", "/etc/passwd")[0], 404, "a path outside")
expect(c.req("GET", "/../../etc/passwd")[0], 404, "a path with ..")
expect(c.req("DELETE", "/api/households")[0], 405, "DELETE")
expect(c.req("GET", "/doc/card?id=1;rm")[0], 400, "a document id that is not digits")
st, d = c.json("POST", "/api/step", form={"household": hid, "step": "--help"})
expect(st, 400, "a step that is not one")
st, d = c.json("POST", "/api/step", form={"household": hid, "step": "apply", "date": "2014-13-45"})
expect(st, 422, "a bad date")
st, d = c.json("POST", "/api/import?kind=passwd", body=b"x")
expect(st, 400, "an unknown import kind")
st, d = c.json("GET", "/api/households?page=-1")
expect(st, 400, "a negative page")
serving()

note("an upload over upload_bytes is refused, and the server goes on")
st, d = c.json("POST", "/api/import?kind=households", body=b"x" * 20000)
expect(st, 413, "an upload of 20000 bytes")
expect(log_count("t"), n0 + 1, "change sets after the refused upload")
serving()

note("a Host that is not loopback (DNS rebinding) gets nothing")
st, h, b = c.req("GET", "/api/me", headers={"Host": "evil.example:%d" % port})
expect(st, 421, "Host evil.example")
st, h, b = c.req("GET", "/", headers={"Host": "127.0.0.1:1"})
expect(st, 421, "Host on another port")
expect(c.req("GET", "/api/me", headers={"Host": "localhost:%d" % port})[0], 200, "Host localhost")

note("garbage on the socket: an error or a close, and the server goes on")
for junk in [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
             b"\x00\xff" * 1000 + b"\r\n\r\n", b"GET /" + b"a" * 200000 + b" HTTP/1.1\r\n\r\n"]:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(junk)
        s.shutdown(socket.SHUT_WR)
        reply = s.recv(200)
    except OSError:
        reply = b""
    s.close()
    if reply and not reply.startswith(b"HTTP/1.1 4"):
        fail("garbage %r answered %r" % (junk[:20], reply[:40]))
    serving()

note("escaping: a < in data is \\u003c in JSON")
st, d = c.json("POST", "/api/household/edit?id=" + hid, form={"address": "<img src=x onerror=alert(1)>"})
expect(st, 200, "edit the address")
st, h, b = c.req("GET", "/api/household?id=" + hid)
if b"<img" in b or b"\\u003cimg" not in b:
    fail("household JSON: %r" % b[:400])
st, h, b = c.req("GET", "/doc/card?id=" + hid)
if b"<img src=x" in b or b"&lt;img" not in b:
    fail("the card does not escape the address")

note("the documents open as HTML for printing, with no script allowed")
for path in ["/doc/register?id=522701101001", "/doc/book", "/doc/report"]:
    st, h, b = c.req("GET", path)
    expect(st, 200, path)
    if not b.startswith(b"<!DOCTYPE html>") or "script-src" in h["Content-Security-Policy"] \
            or "default-src 'none'" not in h["Content-Security-Policy"]:
        fail("%s: %r %r" % (path, b[:40], h["Content-Security-Policy"]))
expect(c.req("GET", "/doc/register?id=522701102001")[0], 422, "a register of another township's village")
expect(c.req("GET", "/doc/passwd")[0], 404, "an unknown document")

note("five wrong passphrases lock the account, also against the right one, and end its session")
lock = Client(base)
for i in range(4):
    expect(lock.login(clerk, "wrong %d" % i)[0], 401, "wrong passphrase %d" % (i + 1))
st, d = lock.login(clerk, "wrong 5")
expect(st, 423, "the fifth wrong passphrase")
st, d = lock.login(clerk, pw)
expect(st, 423, "the right passphrase while locked")
if "锁定" not in d["error"]:
    fail(d["error"])
expect(c.req("GET", "/api/me")[0], 401, "the locked account's session")
if "locked until" not in lika("--data", "t", "user", "list"):
    fail("lika user list does not show the lock")
expect(Client(base).login("李出纳", "出纳的口令 second passphrase")[0], 200, "another account")
expect(Client(base).login("nobody", "x" * 10)[0], 401, "an unknown account")
lika("--data", "t", "user", "unlock", clerk)
expect(c.req("GET", "/api/me")[0], 401, "the session from before the lock, after unlock")
expect(c.login(clerk, pw)[0], 200, "after lika user unlock")

note("sign out ends the session")
st, d = c.json("POST", "/api/logout", form={})
expect(st, 200, "sign out")
expect(c.req("GET", "/api/me")[0], 401, "after signing out")
note("ok")
