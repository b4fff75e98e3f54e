#!/bin/sh
# The documents as Chromium prints them (headless, --print-to-pdf on A4): the
# card of the reference household (6 members, 3 income years, the whole
# procedure, two measures, two helpers) fits A4 portrait in 2 pages, its
# file (everything up to the incomes) on the first; a card without history
# takes 1; nothing runs over its cell or the page in the card, the notice
# list, the register, the book or the archive.  Skipped (not passed) only
# when chromium is absent; make deps installs it.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
. "$SRCDIR/tests/system/proc.sh"
. "$SRCDIR/tests/system/docs.sh"
need_chromium
docs_scenario

lika --data t card "$REF" -o card.html || fail "card"
pages=$(chromium_pages card.html)
note "reference card: $pages pages"
[ "$pages" -le 2 ] || fail "the reference household's card takes $pages A4 pages, not at most 2"
# the file up to the incomes alone (no history yet): one page
lika --data t card "$NEVER" -o card-new.html || fail "card new"
pages=$(chromium_pages card-new.html)
[ "$pages" = 1 ] || fail "a card without history takes $pages pages, not 1"

lika --data t notice-list village 522701101001 --date 2014-06-01 -o notice.html || fail "notice list"
lika --data t register 522701101001 -o register.html || fail "register"
lika --data t book -o book.html || fail "book"
lika --data county archive --card "$REF" -o archive.html || fail "archive"
for f in card.html:718 card-new.html:718 notice.html:718 archive.html:718 register.html:1047 book.html:1047; do
	over=$(chromium_overflow "${f%:*}" "${f#*:}")
	[ -z "$over" ] || fail "${f%:*} runs over: $over"
done
# the probe finds what runs over: a name too long for its cell's line
sed 's|<td>王参考</td>|<td>王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考王参考</td>|' \
    notice.html > wide.html
[ -n "$(chromium_overflow wide.html 718)" ] || fail "the overflow probe misses a row wider than the page"
pages=$(chromium_pages register.html)
note "register of village 001 (5 households): $pages page(s)"
[ "$pages" = 1 ] || fail "register of 5 households takes $pages pages"
pages=$(chromium_pages book.html)
note "book of 2 villages, 6 households: $pages page(s)"
[ "$pages" -le 2 ] || fail "book of 2 villages, 6 households takes $pages pages (villages must follow each other)"
