#!/bin/sh
# Schema 2 rolled out as counties do: the county upgrades first, a township
# runs the previous release (the last commit on schema 1, built from git) for
# a while, then upgrades on the same data directory.  The old township holds
# the county's change sets of schema 2 (no refusal, no frozen feed) and keeps
# writing; the upgraded hub accepts its change sets of schema 1; the hub's
# status says "upgrade needed" (text, JSON and the HTML page); after its
# upgrade the township applies what it held, and both verify and rebuild.
. "$SRCDIR/tests/system/lib.sh"

note "the previous release: the last commit on schema 1, built once into build/"
git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1 || fail "no git history at $SRCDIR to build the previous release from"
first2=$(git -C "$SRCDIR" log --format=%H -S'#define SCHEMA_VERSION 2' -- lib/core/schema.h | tail -1)
[ -n "$first2" ] || fail "no commit introduces schema 2"
old=$(git -C "$SRCDIR" rev-parse "$first2^") || fail "no parent of $first2"
git -C "$SRCDIR" show "$old:lib/core/schema.h" | grep -q '#define SCHEMA_VERSION 1' || fail "$old is not on schema 1"
OLD="$SRCDIR/build/schema1-$(printf %.12s "$old")"
if [ ! -x "$OLD/bin/likad" ] || [ ! -x "$OLD/bin/lika" ]; then
	rm -rf "$OLD.tmp" && mkdir -p "$OLD.tmp" || fail "mkdir $OLD.tmp"
	git -C "$SRCDIR" archive "$old" | tar -x -C "$OLD.tmp" || fail "git archive $old"
	# no sanitizer and no optimisation: only the two programs, built quickly
	# (a make of its own: not the jobserver or variables of the make running the tests)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL nice make -C "$OLD.tmp" -j2 CFLAGS="-O0 -g" SAN= \
	    bin/lika bin/likad > old-build.log 2>&1 \
	    || fail "building $old: $(tail -20 old-build.log)"
	mv "$OLD.tmp" "$OLD" || fail "mv $OLD"
fi
olika() { "$OLD/bin/lika" "$@"; }
ohead_of() {
	olika --data "$1" log --origin "$2" --json | tr '{' '\n' | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' \
	    | tail -1 | grep . || echo 0
}
ohas_head() { [ "$(ohead_of "$1" "$2")" -ge "$3" ]; }
json_num() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":{[^}]*\"$3\":\([0-9]*\).*/\1/p"; }

note "a county on schema 2 and a township on schema 1"
port=$(free_port)
mk_county county 522701 "$port"
fast_sync county
olika --data t init --role township --node 522701101 --name 乡镇522701101 \
    --county-key "$(county_key county)" --hub "tcp://127.0.0.1:$port" >/dev/null || fail "old init"
fast_sync t
admit county t 522701101
start_likad county
"$OLD/bin/likad" --data t -f -v >> t.log 2>&1 &
echo $! > t.pid
LIKAD_PIDS="$LIKAD_PIDS $!"

note "the old township writes; the upgraded hub accepts its change sets of schema 1"
olika --data t village add 522701101001 一村 >/dev/null || fail "old village add"
H1=$(olika --data t household add --village 522701101001 --head-name 张一 \
    --head-idcard 440524188001010014 --main-cause 因病) || fail "old household add"
wait_for 30 "the old township's feed at the county" has_head county 522701101 "$(ohead_of t 522701101)"
expect_in "$(lika --data county household show "$H1")" "张一"

note "the county writes on schema 2; the old township holds it: no refusal, no frozen feed"
lika --data county code synonym add code_migrant 外出务工 04 >/dev/null || fail "synonym add"
lika --data county policy set poverty_line 2013 2300 >/dev/null || fail "policy set"
chead=$(head_of county 522701)
wait_for 30 "the county feed at the old township" ohas_head t 522701 "$chead"
OUT=$(olika --data t status --json) || true
[ "$(json_num "$OUT" county_feed held)" = "$chead" ] || fail "old township holds $(json_num "$OUT" county_feed held) of $chead: $OUT"
[ "$(json_num "$OUT" county_feed applied)" -lt "$chead" ] || fail "old township applied schema 2: $OUT"
expect_in "$(olika --data t status)" "applied [0-9]* of $chead held"
[ -z "$(olika --data t quarantine list 2>/dev/null | grep 522701)" ] || fail "old township quarantined: $(olika --data t quarantine list)"
expect_in "$OUT" '"frozen":false'
olika --data t policy list | grep -q poverty_line && fail "schema 2 change sets applied at the old township"

note "the hub's status names the township that needs an upgrade"
wait_for 10 "upgrade needed at the county" sh -c "lika --data county status | grep -q 'upgrade needed: 522701101'"
expect_in "$(lika --data county status --json)" '"upgrade_needed":true'
note "the HTML page says it too, in the township's row and below the table"
lika --data county status --html county.html >/dev/null 2>&1
grep -q '<td>522701101</td>.*upgrade needed' county.html || fail "no upgrade in the township's row: $(cat county.html)"
grep -q '<p class="late">需要升级 upgrade needed: 522701101 .* runs schema 1, this hub 2' county.html \
    || fail "no upgrade line on the page: $(cat county.html)"

note "the old township keeps writing; the hub keeps accepting"
H2=$(olika --data t household add --village 522701101001 --head-name 李二 \
    --head-idcard 11010519491231002X --main-cause 因学) || fail "old household add 2"
olika --data t income set "$H2" 2013 --wages 1200 >/dev/null || fail "old income"
wait_for 30 "the old township's later feed at the county" has_head county 522701101 "$(ohead_of t 522701101)"
[ -z "$(lika --data county quarantine list 2>/dev/null | grep 522701101)" ] || fail "hub quarantined: $(lika --data county quarantine list)"

note "the township upgrades: the new likad on the same data directory applies what it held"
stop_likad t
start_likad t
wait_for 30 "held change sets applied" sh -c "lika --data t status --json | grep -q '\"county_feed\":{\"held\":$chead,\"applied\":$chead'"
expect_in "$(lika --data t policy list)" "poverty_line/2013"
expect_in "$(lika --data t code synonym list code_migrant)" "外出务工"
lika --data t status | grep -q "upgrade needed" && fail "township still says upgrade needed"
lika --data t status --html t.html >/dev/null 2>&1
grep -q "upgrade needed" t.html && fail "township page still says upgrade needed"
wait_for 15 "the hub sees schema 2" sh -c "! lika --data county status | grep -q 'upgrade needed'"

note "schema 2 at the township: groups, synonyms, an evaluation group; the county receives them"
lika --data t village group add 522701101001 一组 >/dev/null || fail "group add"
lika --data t household edit "$H1" --village-group 01 >/dev/null || fail "household edit --village-group"
lika --data t member add "$H1" --name 张小一 --idcard 513101198201130014 --relation 之子 --migrant 外出务工 \
    >/dev/null || fail "member add with a synonym"
wait_for 30 "the upgraded township's feed at the county" has_head county 522701101 "$(head_of t 522701101)"
OUT=$(lika --data county household show "$H1" --json) || fail "county show"
expect_in "$OUT" '"village_group":"01"'
expect_in "$OUT" '"migrant":"省外"'
verify_ok t
verify_ok county
note "ok"
