#!/bin/sh
# lika status counts the households changed by change sets not yet at the
# county from what the ledger keeps as it writes (table own_touch), not by
# decoding the backlog: three new households while the hub is down count 3;
# once they are at the county, 0; then one new and one edited household while
# the hub is down again count 2.  A ledger from before own_touch has it filled
# from its own feed on first open.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
port=$(free_port)
mk_county county 522701 "$port"
mk_township t 522701101 county "$port"
fast_sync county; fast_sync t
admit county t 522701101
lika --data t village add 522701101001 一村 >/dev/null || fail "village add"

# json FIELD : the first value of "FIELD": in $OUT
json() { printf '%s\n' "$OUT" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | head -1; }
# unsent_households: status --json into $OUT, its unsent households into $H
unsent_households() { OUT=$(lika --data t status --json); H=$(printf '%s\n' "$OUT" | sed -n 's/.*"unsent":{[^}]*"households":\([0-9]*\).*/\1/p'); }

note "three households written, nothing sent yet"
a=$(new_household 张一 "$(idno 19600101 011)" 1500)
new_household 张二 "$(idno 19610101 021)" 1600 >/dev/null
new_household 张三 "$(idno 19620101 031)" 1700 >/dev/null
unsent_households
[ "$H" = 3 ] || fail "households unsent $H, want 3: $OUT"
expect_exit 1 lika --data t status
expect_in "$OUT" "3 households changed"

note "a ledger from before table own_touch: filled on first open"
sqlite3 t/lika.db "DROP TABLE own_touch" || fail "sqlite3"
unsent_households
[ "$H" = 3 ] || fail "after the upgrade: $H, want 3: $OUT"

note "at the county: none unsent"
start_likad county
start_likad t
sent() { OUT=$(lika --data t status --json); [ "$(json count)" = 0 ]; }
wait_for 20 "the township's feed at the county" sent
unsent_households
[ "$H" = 0 ] || fail "households unsent $H after sync, want 0"

note "hub down: one new household, one edited"
stop_likad county
new_household 张四 "$(idno 19630101 041)" 1800 >/dev/null
lika --data t household edit "$a" --phone 13800000000 >/dev/null || fail "household edit"
unsent_households
[ "$H" = 2 ] || fail "households unsent $H, want 2: $OUT"
cleanup_daemons
verify_ok t
note "ok"
