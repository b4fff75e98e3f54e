# tests/system/household.sh — set-up shared by the household tests (sourced after lib.sh).
#
# mk_archive DIR [TOWNSHIP]: a county in ./county and a township node in DIR with
# villages TOWNSHIP001 一村 and TOWNSHIP002 二村; LIKA_DATA points at DIR.
# log_count: change sets in the township's log.  html_ok FILE: tags balance.
# gen ARGS: the household generator.

mk_archive() {
	[ -d county ] || mk_county county 522701
	mk_township "$1" "${2:-522701101}" county
	LIKA_DATA=$PWD/$1
	export LIKA_DATA
	lika village add "${2:-522701101}001" 一村 >/dev/null || fail "village add"
	lika village add "${2:-522701101}002" 二村 >/dev/null || fail "village add"
}

log_count() { lika log --json | grep -o '"seq":' | wc -l | tr -d ' '; }

gen() { /usr/bin/python3 "$SRCDIR/tests/bench/gen_households.py" "$@" || fail "generator"; }

html_ok() {
	/usr/bin/python3 - "$1" <<'PY' || fail "$1 is not well-formed HTML"
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "hr", "img", "link", "input", "col", "area", "base", "wbr", "source"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []; self.bad = []; self.doctype = False
    def handle_decl(self, d):
        self.doctype = d.lower() == "doctype html"
    def handle_starttag(self, t, a):
        if t not in VOID: self.stack.append(t)
    def handle_startendtag(self, t, a): pass
    def handle_endtag(self, t):
        if not self.stack or self.stack[-1] != t:
            self.bad.append("unexpected </%s> with open %s" % (t, self.stack[-3:])); return
        self.stack.pop()
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close()
if not p.doctype: print("no <!DOCTYPE html>"); sys.exit(1)
if p.bad or p.stack: print(p.bad[:3], p.stack); sys.exit(1)
PY
}

# gen_sheets OUTDIR ARGS… : office sheets in the national form's one-sheet layout (examples/gen_sheets.py)
gen_sheets() { /usr/bin/python3 "$SRCDIR/examples/gen_sheets.py" "$@" || fail "sheet generator"; }
