#!/bin/sh
# A township whose households already have county steps loses its machine and
# is restored from the hub.  The new machine receives the county feed before
# its own, so the county's approval of a household arrives before the
# household: it waits (held, not refused), and applies once the township's own
# feed brings the household; the township's registration, written after the
# county's approval, waits in turn for that approval.  Nothing is quarantined,
# the restored file equals the lost one, and the township goes on writing.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes
h1=$(new_household 张三 "$(idno 19500101 011)" 1500)
h2=$(new_household 李四 "$(idno 19600202 022)" 1600)
walk_township "$h1"
walk_township "$h2"
walk_county "$h1"
at 2014-07-03 lika --data t review register "$h1" >/dev/null || fail "register $h1"
note "a new cadre joins after the approval and signs for a third household"
keypass cadre2
lika --data county official add --role village-cadre --name 孙驻村 --office 522701101001 \
    --out cadre2.key --kdf-cost interactive --passphrase-fd 3 3<cadre2.pass >/dev/null || fail "official add"
sync_to_township
h3=$(new_household 王五 "$(idno 19700303 033)" 1700)
for s in apply group-eval; do
	at 2014-06-10 lika --data t review $s "$h3" >/dev/null || fail "$s $h3"
done
at 2014-06-10 lika --data t review village-eval "$h3" --panel "$PANEL" --for 9 >/dev/null || fail "village-eval"
at 2014-06-10 lika --data t review notice "$h3" >/dev/null || fail "notice $h3"
at 2014-06-17 lika --data t review cadre-sign "$h3" --key cadre2.key --passphrase-fd 3 3<cadre2.pass \
    >/dev/null || fail "cadre-sign $h3 by the new cadre"
walk_county "$h2"
at 2014-07-03 lika --data t review register "$h2" >/dev/null || fail "register $h2"
at 2014-07-05 lika --data t measure add "$h1" --category production --project 养牛 --funds 5000 \
    --deadline 2014-12-31 >/dev/null || fail "measure add"
sync_to_county
lika --data t review show "$h1" --json > before1.json
lika --data t review show "$h2" --json > before2.json
lika --data t review show "$h3" --json > before3.json
old_head=$(head_of t 522701101)
old_key=$(county_key t)
stop_likad t
rm -rf t

note "a new machine, restored from the hub; the county re-keys the township"
OUT=$(lika --data t init --role township --node 522701101 --name "乡镇522701101" \
    --county-key "$(county_key county)" --hub "tcp://127.0.0.1:$port" --restore-from-hub) \
    || fail "init --restore-from-hub: $OUT"
fast_sync t
lika --data county roster rekey-township 522701101 "$(county_key t)" >/dev/null || fail "rekey"
start_likad t
wait_for 30 "township to recover its feed to $old_head" has_head t 522701101 "$old_head"
wait_for 30 "county feed at the township" has_head t 522701 "$(head_of county 522701)"
wait_for 20 "everything held to apply" sh -c \
    "[ \"\$(sqlite3 t/lika.db 'SELECT count(*) FROM changeset WHERE applied = 0')\" = 0 ]"

[ "$(sqlite3 t/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || \
    fail "township quarantined: $(sqlite3 t/lika.db "SELECT origin, seq, reason FROM quarantine")"
[ "$(sqlite3 county/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "hub quarantined something"
grep -q "held until what it needs arrives" t.log || fail "nothing waited: the test did not exercise the wait"
lika --data t review show "$h1" --json > after1.json
lika --data t review show "$h2" --json > after2.json
lika --data t review show "$h3" --json > after3.json
cmp -s before1.json after1.json || fail "h1 differs after the restore: $(diff before1.json after1.json)"
cmp -s before2.json after2.json || fail "h2 differs after the restore: $(diff before2.json after2.json)"
cmp -s before3.json after3.json || fail "h3 differs after the restore: $(diff before3.json after3.json)"
expect_in "$(cat after3.json)" "孙驻村"
expect_in "$(cat after1.json)" '"status":"03"'
expect_in "$(lika --data t measure list "$h1")" "养牛"

note "the township goes on: a helper for h2, seq $((old_head + 1)) under the new key"
wait_for 10 "writes to be allowed" at 2014-07-10 lika --data t helper assign "$h2" --name 王帮扶 \
    --unit 县农业局 --level 县级 --phone 13900000000
[ "$(head_of t 522701101)" = $((old_head + 1)) ] || fail "new change set is not seq $((old_head + 1))"
wait_for 20 "hub to hold it" has_head county 522701101 $((old_head + 1))
cleanup_daemons
verify_ok t; verify_ok county
note "ok: restored with county steps; the county's approval waited for the household"
