#!/bin/sh
# The documents an office signs: the card holds measures, helpers with their
# history, every step with its signer, whether the signature verifies and the
# seal, and the county's, township's and village's names; the notice list of
# each of the three notices carries every household of that notice and no
# other; the register lists registered households apart from applicants; the
# book prints villages one after another and leaves empty ones out; the
# county archive indexes every household and adds cards on request.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
. "$SRCDIR/tests/system/proc.sh"
. "$SRCDIR/tests/system/docs.sh"
docs_scenario
lika --data t village add 522701101003 三村 >/dev/null || fail "village 003"

# the heads named in a list's rows (third column), sorted
heads() { /usr/bin/python3 - "$1" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = []; self.cell = None; self.row = None; self.body = False
    def handle_starttag(self, t, a):
        if t == "tbody": self.body = True
        if t == "tr" and self.body and not dict(a).get("class"): self.row = []
        if t == "td" and self.row is not None: self.cell = ""
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, t):
        if t == "td" and self.row is not None: self.row.append(self.cell); self.cell = None
        if t == "tr" and self.row is not None: self.rows.append(self.row); self.row = None
        if t == "tbody": self.body = False
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
print(" ".join(sorted(r[2] for r in p.rows)))
PY
}

note "户卡: measures, helpers and their history, every step signed and verified, the seal"
expect_exit 0 lika --data t card "$REF" -o card.html
html_ok card.html
for s in 县522701 乡镇522701101 一村 养殖肉牛2头 教育资助 实施中 刘帮扶 陈帮扶 2014-09-01 至今 \
    驻村干部签字 王驻村 李乡长 赵主任 县级公示（第三榜） "2014-06-16 至 06-30" "乡镇公章 有效" \
    "户主（签字或按手印）" 家人13 家人21 县外省内 2011 2012 2013; do
	grep -q -- "$s" card.html || fail "card lacks \"$s\""
done
# every signed step verifies: 5 signatures (cadre, head, county approve, county notice)… none invalid
grep -q '无效' card.html && fail "a signature shows invalid on the card"
[ "$(grep -o '<td>有效</td>' card.html | wc -l)" = 4 ] || fail "card: not 4 verified signatures"
# the county names itself on its cards; a township by the county's policy county_name
lika --data county policy set county_name 2014 示范县 >/dev/null || fail "policy county_name"
expect_exit 0 lika --data county card "$REF" -o county-card.html
grep -q '县522701' county-card.html || fail "county card names the county"
sync_to_township
expect_exit 0 lika --data t card "$REF" -o card2.html
grep -q '示范县' card2.html || fail "township card does not name the county by its policy county_name"

note "公示名单: every household of that notice and no other"
expect_exit 0 lika --data t notice-list village 522701101001 --date 2014-06-01 --phone 0854-1234567 -o n1.html
html_ok n1.html
[ "$(heads n1.html)" = "张公示 李公示 王参考" ] || fail "first notice 06-01 lists: $(heads n1.html)"
grep -q '一村2014年扶贫对象识别第一榜公示' n1.html || fail "first notice title"
grep -q '2014-06-01 至 2014-06-07（7 天）' n1.html || fail "first notice period"
grep -q '0854-1234567' n1.html || fail "first notice objection phone"
grep -q '村民委员会（盖章）' n1.html || fail "first notice seal line"
grep -q '一村村民委员会　2014-06-01' n1.html || fail "first notice issuer and date"
grep -q "$(idno 19600101 011)" n1.html && fail "a full ID number on a posted list"
last4=$(idno 19600101 011 | cut -c15-18)
grep -q "<td>\*\{14\}$last4</td>" n1.html || fail "masked ID number: $(idno 19600101 011)"
expect_exit 0 lika --data t notice-list village 522701101001 -o n1-latest.html
[ "$(heads n1-latest.html)" = "赵晚到" ] || fail "latest first notice lists: $(heads n1-latest.html)"
expect_exit 0 lika --data t notice-list village 522701101002 -o n1-002.html
[ "$(heads n1-002.html)" = "孙二村" ] || fail "village 002's first notice lists: $(heads n1-002.html)"
expect_exit 0 lika --data t notice-list township -o n2.html
[ "$(heads n2.html)" = "张公示 李公示 王参考" ] || fail "second notice lists: $(heads n2.html)"
grep -q '乡镇人民政府（盖章）' n2.html || fail "second notice seal line"
grep -q '第二榜公示' n2.html || fail "second notice title"
expect_exit 0 lika --data county notice-list county 522701101 -o n3.html
[ "$(heads n3.html)" = "张公示 李公示 王参考" ] || fail "third notice lists: $(heads n3.html)"
grep -q '2014-06-16 至 2014-06-30（15 天）' n3.html || fail "third notice period"
grep -q '县扶贫和移民办（盖章）' n3.html || fail "third notice seal line"
expect_exit 0 lika --data t notice-list village 522701101001 --date 2014-06-01 --format csv
expect_in "$OUT" "合计,,3 户"
expect_exit 2 lika --data t notice-list village 522701101003
expect_in "$OUT" "no village notice"
expect_exit 2 lika --data t notice-list village 522701101001 --date 2014-06-02
expect_exit 2 lika --data t notice-list parish 522701101001

note "村花名册: registered households, then applicants, then the others, with totals"
expect_exit 0 lika --data t register 522701101001 -o reg.html
html_ok reg.html
/usr/bin/python3 - reg.html "$REF" "$NEVER" "$P2" <<'PY' || fail "register groups"
import sys
s = open(sys.argv[1], encoding="utf-8").read()
reg, app = s.index("在册贫困户"), s.index("申请户（")
assert reg < app < s.index("其他（"), "group order"
assert reg < s.index(sys.argv[2]) < app, "registered household not in its group"
assert app < s.index(sys.argv[3]) < s.index("其他（"), "applicant not in its group"
assert app < s.index(sys.argv[4]) < s.index("其他（"), "household under review not with the applicants"
assert "村委会主任（签字）" in s and "村民委员会（盖章）" in s, "signature lines"
assert "<td>1 户</td>" in s, "registered total"
PY

note "乡镇簿: villages follow each other, empty ones named, not printed"
expect_exit 0 lika --data t book -o book.html
html_ok book.html
grep -q 'break-before: page\|page-break-before: always' book.html && grep -q 'class="pb"' book.html \
    && fail "book breaks pages"
grep -q '<h2>522701101003' book.html && fail "book prints an empty village"
grep -q '尚无农户的村：三村' book.html || fail "book does not name the empty village"
grep -q '<h2>522701101002 二村</h2>' book.html || fail "book lacks village 002"
grep -q '乡镇人民政府（盖章）' book.html || fail "book seal line"

note "县电子档案: summary, index of every household, cards on request"
expect_exit 0 lika --data county archive --card "$REF,$P2" -o archive.html
html_ok archive.html
for h in "$REF" "$P2" "$P3" "$LATE" "$OTHER" "$NEVER"; do
	grep -q "<td>$h</td>" archive.html || fail "archive index lacks $h"
done
grep -q '二、农户索引' archive.html || fail "archive index heading"
[ "$(grep -c '<h1>扶贫对象建档立卡户卡</h1>' archive.html)" = 2 ] || fail "archive: not 2 cards"
expect_exit 2 lika --data county archive --card 522701101999999
