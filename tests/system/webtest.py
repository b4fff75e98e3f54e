"""webtest.py — what the web console's python tests share: a plain HTTP
client (urllib, cookies, the CSRF token) and a headless Chromium driven by
Selenium (Debian chromium, chromium-driver, python3-selenium)."""
import http.cookiejar, json, os, subprocess, sys, time, urllib.parse, urllib.request


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def note(msg):
    print("# " + msg, flush=True)


class Client:
    """An HTTP client with its own cookie jar; req returns (status, headers, body)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None

    def req(self, method, path, form=None, body=None, csrf=True, headers=None):
        h = dict(headers or {})
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = body
            h["Content-Type"] = "application/octet-stream"
        if csrf and self.csrf and method == "POST":
            h["X-CSRF-Token"] = self.csrf
        r = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with self.op.open(r, timeout=120) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, method, path, **kw):
        st, h, b = self.req(method, path, **kw)
        try:
            return st, json.loads(b.decode())
        except ValueError:
            fail("%s %s: not JSON (%d): %r" % (method, path, st, b[:200]))

    def login(self, name, passphrase):
        st, d = self.json("POST", "/api/login", form={"name": name, "passphrase": passphrase})
        if st == 200:
            self.csrf = d["csrf"]
        return st, d


def lika(*args):
    """Run lika (bin/ is on PATH); its stdout."""
    return subprocess.run(["lika"] + list(args), capture_output=True, text=True).stdout


def log_count(data):
    return lika("--data", data, "log", "--json").count('"seq":')


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    o = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1000", "--lang=zh-CN"]:
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def wait(d, cond, what, secs=20):
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        return WebDriverWait(d, secs, poll_frequency=0.1).until(lambda d: cond(d))
    except Exception:
        shot(d, "timeout")
        fail("timed out after %ds waiting for %s" % (secs, what))


def shot(d, name):
    d.save_screenshot(os.path.join(os.environ.get("SHOTS", "."), name + ".png"))


def by_id(d, i):
    from selenium.webdriver.common.by import By
    found = d.find_elements(By.ID, i)
    return found[0] if found else None


def login(d, base, name, passphrase):
    d.get(base + "/")
    wait(d, lambda d: by_id(d, "login-name"), "the sign-in form")
    by_id(d, "login-name").send_keys(name)
    by_id(d, "login-pass").send_keys(passphrase)
    by_id(d, "login-btn").click()
    wait(d, lambda d: not by_id(d, "login-form"), "signing in")


def go(d, base, hash_):
    d.get(base + "/" + hash_)


def select(d, id_, text=None, value=None):
    from selenium.webdriver.support.ui import Select
    s = Select(by_id(d, id_))
    if value is not None:
        s.select_by_value(value)
    else:
        s.select_by_visible_text(text)


def fill(d, values):
    for k, v in values.items():
        e = by_id(d, "f-" + k)
        if e is None:
            fail("no form field " + k)
        if e.tag_name == "select":
            select(d, "f-" + k, text=v)
        else:
            e.clear()
            e.send_keys(v)


def table_rows(d, id_):
    """The cells' text of table ID_ but its header row, read in the page in one
    go (a page may redraw it meanwhile); [] if there is no such table."""
    return d.execute_script("const t = document.getElementById(arguments[0]); if (!t) return []; "
                            "return [...t.rows].slice(1).map(r => [...r.cells].map(c => c.innerText.trim()))", id_)
