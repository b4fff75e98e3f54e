# tests/system/docs.sh — the documents' scenario and Chromium checks (sourced after lib.sh,
# household.sh and proc.sh).
#
# docs_scenario: proc_nodes, then the reference household $REF (6 members, incomes of
#   2011-2013, the whole procedure to registration, two measures, a helper replaced
#   by another), two more households posted with it ($P2 $P3: first notice
#   2014-06-01, second 2014-06-08, third 2014-06-16), $LATE posted in the same
#   village on 2014-06-05, $OTHER of village 002 posted on 2014-06-01, and
#   $NEVER, an applicant never posted.
# chromium_pages FILE.html: the pages Chromium prints FILE on (A4, its @page).
# chromium_overflow FILE.html WIDTH_PX: what runs over, "" if nothing does: every
#   cell or line whose content is wider than its box, and the page if wider than
#   WIDTH_PX (the printable width: A4 portrait 190 mm = 718 px, landscape 277 mm
#   = 1047 px at 10 mm margins).
# need_chromium: skip the test (exit 77, counted as skipped) when chromium is absent.

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

need_chromium() {
	if [ -z "$CHROMIUM" ]; then
		echo "skip: chromium is not installed (make deps installs it)"
		exit 77
	fi
}

chromium_run() {
	# a private profile a test run can throw away; no GPU, no sandbox (root in CI)
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage \
	    --user-data-dir="$PWD/.chromium" "$@" 2>/dev/null
}

chromium_pages() {
	rm -f "$1.pdf"
	chromium_run --no-pdf-header-footer --print-to-pdf="$PWD/$1.pdf" "file://$PWD/$1" >/dev/null
	[ -s "$1.pdf" ] || fail "chromium printed no PDF of $1"
	/usr/bin/python3 -c 'import re, sys
print(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", open(sys.argv[1], "rb").read())))' "$1.pdf"
}

chromium_overflow() {
	sed 's|</body>|<script>var bad = [];\
document.querySelectorAll("td, th, p, h1, h2, span").forEach(function (e) {\
  if (e.scrollWidth > e.clientWidth + 1) bad.push(e.tagName + ":" + e.textContent.slice(0, 30)); });\
if (document.documentElement.scrollWidth > '"$2"') bad.push("page " + document.documentElement.scrollWidth + "px");\
document.body.setAttribute("data-overflow", bad.join(" / "));</script></body>|' "$1" > "$1.probe.html"
	chromium_run --dump-dom --window-size="$2,1000" --virtual-time-budget=2000 "file://$PWD/$1.probe.html" \
	    > "$1.dom" || fail "chromium could not load $1"
	grep -q 'data-overflow=' "$1.dom" || fail "the overflow probe did not run on $1"
	sed -n 's/.*data-overflow="\([^"]*\)".*/\1/p' "$1.dom"
}

docs_scenario() {
	proc_nodes
	lika --data t village add 522701101002 二村 >/dev/null || fail "village 002"
	REF=$(new_household 王参考 "$(idno 19600101 011)" 1500 2011)
	for y in 2012 2013; do
		lika --data t income set "$REF" $y --wages $((1200 + y - 2012)) --business 300 --costs 100 \
		    --size 6 >/dev/null || fail "income $y"
	done
	lika --data t household edit "$REF" --address "第三村民小组12号" --phone 13800001234 --bank 农村信用社 \
	    --account 6228480000000000011 --standard 国家标准 --first-year 2014 --other-causes 缺技术 \
	    --cause-note "户主长期患病，子女上学" --farmland 2.5 --irrigated 1 --forest 5 --housing-area 80 \
	    --dangerous-house 是 --safe-water 否 --electricity 是 --road-distance 1.5 >/dev/null || fail "edit"
	k=13
	for m in "配偶 19620101 女" "之子 19850101 男" "之女 19900101 女" "之母 19350101 女" "之孙子 20100101 男"; do
		set -- $m
		seq=$k; [ "$3" = 女 ] && seq=$((k + 1))
		lika --data t member add "$REF" --name "家人$k" --idcard "$(idno "$2" "0$seq")" --relation "$1" \
		    --sex "$3" --education 初中 --health 健康 --labour 普通劳动力 --migrant 县外省内 \
		    --migrant-months 6 --insurance "新农合、大病保险" >/dev/null || fail "member $m"
		k=$((k + 2))
	done
	P2=$(new_household 张公示 "$(idno 19610101 031)" 1400)
	P3=$(new_household 李公示 "$(idno 19620101 033)" 1300)
	for h in "$REF" "$P2" "$P3"; do walk_township "$h"; done
	LATE=$(new_household 赵晚到 "$(idno 19630101 035)" 1200)
	for s in apply group-eval; do at 2014-06-05 lika --data t review $s "$LATE" >/dev/null || fail "$s"; done
	at 2014-06-05 lika --data t review village-eval "$LATE" --panel "$PANEL" --for 9 >/dev/null || fail "eval"
	at 2014-06-05 lika --data t review notice "$LATE" >/dev/null || fail "notice late"
	OTHER=$(lika --data t household add --village 522701101002 --head-name 孙二村 --head-idcard \
	    "$(idno 19640101 037)" --main-cause 缺水) || fail "household 002"
	lika --data t income set "$OTHER" 2013 --wages 1000 >/dev/null || fail "income other"
	for s in apply group-eval; do at 2014-06-01 lika --data t review $s "$OTHER" >/dev/null || fail "$s"; done
	at 2014-06-01 lika --data t review village-eval "$OTHER" --panel "$PANEL" --for 9 >/dev/null || fail "eval"
	at 2014-06-01 lika --data t review notice "$OTHER" >/dev/null || fail "notice other"
	NEVER=$(new_household 钱未报 "$(idno 19650101 039)" 1000)
	at 2014-06-01 lika --data t review apply "$NEVER" >/dev/null || fail "apply never"
	sync_to_county
	for h in "$REF" "$P2" "$P3"; do walk_county "$h"; done
	at 2014-07-01 lika --data t review register "$REF" >/dev/null || fail "register"
	at 2014-07-01 lika --data t measure add "$REF" --category 产业发展 --project 养殖肉牛2头 --funds 6000 \
	    --deadline 2014-12-31 >/dev/null || fail "measure 1"
	at 2014-07-01 lika --data t measure add "$REF" --category 教育资助 --project 子女就学资助 --funds 1500 \
	    --deadline 2015-06-30 --status 实施中 >/dev/null || fail "measure 2"
	at 2014-07-01 lika --data t helper assign "$REF" --name 刘帮扶 --unit 县农业局 --level 县级 \
	    --phone 13900000001 >/dev/null || fail "helper 1"
	at 2014-09-01 lika --data t helper assign "$REF" --name 陈帮扶 --unit 县教育局 --level 县级 \
	    --phone 13900000002 --replace "$REF/H001" >/dev/null || fail "helper 2"

	sync_to_county
}
