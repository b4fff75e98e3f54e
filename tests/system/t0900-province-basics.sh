#!/bin/sh
# A province hub (with its PostgreSQL sink) and one county with two townships: a
# township household reaches the province and its sink through its county,
# checked there against the key the
# county's roster names; a province policy (省定标准) reaches every township; a
# change set signed by a township key the county never published is refused
# at the province; a county taken off the province roster is cut off.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/pg.sh"
pg_start
pport=$(free_port) cport=$(free_port)

note "province 520000, county 520102 with [upstream], townships 520102101 and 520102102"
lika --data prov init --role province --node 520000 --name 贵州省 --listen "tcp://127.0.0.1:$pport" \
    >/dev/null || fail "province init"
expect_exit 2 lika --data bad init --role province --node 520102 --name x
expect_in "$OUT" "must be 6 digits ending in 0000"
expect_exit 2 lika --data bad init --role county --node 520000 --name x
expect_in "$OUT" "or a province"
printf '\n[sink]\npostgres = %s\n' "$PGCONN" >> prov/lika.conf
mk_county county 520102 "$cport"
printf '\n[upstream]\nhub = tcp://127.0.0.1:%s\nprovince_key = %s\n' "$pport" "$(county_key prov)" \
    >> county/lika.conf
for d in prov county; do fast_sync $d; done
for t in 101 102; do
	mk_township t$t 520102$t county "$cport"
	fast_sync t$t
	admit county t$t 520102$t
done
expect_exit 2 lika --data county roster add-county 520103 "$(county_key county)" 南明区
expect_in "$OUT" "runs at the province node"
expect_exit 2 lika --data prov roster add-county 530102 "$(county_key county)" 外省
expect_in "$OUT" "is not in province 520000"
lika --data prov roster add-county 520102 "$(county_key county)" 南明区 >/dev/null || fail "add-county"
expect_exit 2 lika --data county policy set province_poverty_line 2026 4000
expect_in "$OUT" "is set at the province node"
expect_exit 2 lika --data prov policy set poverty_line 2026 4000
expect_in "$OUT" "is set at the county node"

lika --data t101 village add 520102101001 东村 >/dev/null || fail "village add"
lika --data t101 household add --village 520102101001 --head-name 张三 --head-idcard 440524188001010014 \
    --main-cause 因病 --attribute 一般贫困户 >/dev/null || fail "household add"
lika --data t102 village add 520102102001 西村 >/dev/null || fail "village add"
for d in prov county t101 t102; do start_likad $d; done

note "the township household reaches the province"
h1=$(head_of t101 520102101)
wait_for 30 "township feed at the province" has_head prov 520102101 "$h1"
[ "$(sqlite3 prov/lika.db "SELECT count(*) FROM household WHERE id LIKE '520102101%'")" = 1 ] \
    || fail "the household is not in the province's state"
wait_for 30 "township 102's feed at the province" has_head prov 520102102 "$(head_of t102 520102102)"
grep -q "connected to province hub \"520000\"" county.log || fail "county log: no upstream session"
in_sink() { [ "$(pg_q "SELECT count(*) FROM household WHERE id LIKE '520102101%'")" = 1 ]; }
wait_for 30 "the household in the province's PostgreSQL sink" in_sink
[ "$(pg_q "SELECT county FROM household")" = 520102 ] || fail "the household is not in county 520102's partition"

note "a province policy reaches every township"
lika --data prov policy set province_poverty_line 2026 4000 省定标准 >/dev/null || fail "province policy"
for t in 101 102; do
	wait_for 30 "the province feed at township $t" has_head t$t 520000 "$(head_of prov 520000)"
	expect_in "$(lika --data t$t policy list)" "province_poverty_line/2026 *4000"
done
expect_in "$(lika --data county policy list)" "province_poverty_line/2026 *4000"

note "a change set signed by a key the county never published waits at the province, then is refused"
# a modified county hub sends seq 1 of township 520102199 (on no roster) signed by
# a key of its own: the province holds it unverified, acknowledges it, freezes nothing
stop_likad county
OUT=$("$LIKA_UNIT/test-tool" inject county unpublished) || fail "inject: $OUT"
expect_in "$OUT" "unpublished: ACK 520102199 1"
[ "$(sqlite3 prov/lika.db "SELECT count(*) FROM changeset_unverified WHERE origin = '520102199'")" = 1 ] \
    || fail "the change set of an unpublished key does not wait unverified"
[ "$(sqlite3 prov/lika.db "SELECT count(*) FROM village WHERE id = '520102199001'")" = 0 ] \
    || fail "a change set waiting for its key was applied"
[ -z "$(sqlite3 prov/lika.db "SELECT frozen FROM feed WHERE origin = '520102199'")" ] || fail "feed frozen"
OUT=$(lika --data prov verify) || fail "verify with a change set waiting for its key: $OUT"
note "the county publishes 520102199 with the real township's key: the waiting change set is refused"
lika --data county roster add-township 520102199 "$(county_key t101)" 乡镇520102199 >/dev/null || fail "add"
start_likad county
wait_for 30 "the waiting change set refused" sh -c \
    "sqlite3 prov/lika.db \"SELECT count(*) FROM quarantine WHERE origin = '520102199'\" | grep -q 1"
[ "$(sqlite3 prov/lika.db "SELECT count(*) FROM changeset WHERE origin = '520102199'")" = 0 ] \
    || fail "the forged change set stayed in the ledger"
expect_in "$(sqlite3 prov/lika.db "SELECT frozen FROM feed WHERE origin = '520102199'")" "refused"
expect_in "$(sqlite3 prov/lika.db "SELECT reason FROM quarantine WHERE origin = '520102199'")" \
    "not the key its county published"

note "lika status at the province: one row per county; --county for its townships"
# exit 2: the refused change set above is in the province's quarantine
expect_exit 2 lika --data prov status --json
expect_in "$OUT" '"code":"520102","name":"南明区","health":"ok","removed":false'
expect_in "$OUT" '"households":1'
expect_exit 2 lika --data prov status --no-color --county 520102
expect_in "$OUT" "^  520102101 .* ok .* 1 *0$"
expect_in "$OUT" "^  520102102 .* ok "
up_ok() { lika --data county status --no-color | grep -q "^  province     520000: connected .*; it holds $1 of the county feed's $1"; }
wait_for 10 "the county's status to show its province link" up_ok "$(head_of county 520102)"
expect_in "$(lika --data county status --json || true)" '"upstream":{"code":"520000","connected":true'
expect_exit 2 lika --data county status --county 520102
expect_in "$OUT" "is for the province node"
OUT=$(lika --data prov progress) || fail "progress at the province: $OUT"
expect_in "$OUT" "^520102101001 东村 *1 "
expect_in "$OUT" "^520102102001 西村 *0 "
expect_in "$(lika --data prov report)" "户数合计：1"

note "a county taken off the province roster is cut off"
lika --data prov roster remove-county 520102 >/dev/null || fail "remove-county"
wait_for 20 "the county cut off" grep -q "province hub refuses us\|refused this county's key" county.log
lika --data t101 village add 520102101002 南村 >/dev/null || fail "village add"
h1=$(head_of t101 520102101)
wait_for 20 "the new change set at the county" has_head county 520102101 "$h1"
sleep 2
has_head prov 520102101 "$h1" && fail "a removed county's feed still reaches the province"
note "the province's PostgreSQL sink holds its state, every table row by row"
wait_for 30 "the sink to hold the province's state" pg_same_as prov/lika.db
note "a fresh sink copies the same state whole: every row in the partition the change sets put it in"
stop_likad prov
pg_q "DROP TABLE lika_sink" >/dev/null || fail "drop lika_sink"
start_likad prov
wait_for 30 "the fresh sink's copy" sh -c "grep -c 'copying every table first' prov.log | grep -q 2"
wait_for 30 "the sink to hold the province's state again" pg_same_as prov/lika.db
[ "$(pg_q "SELECT count(*) FROM (SELECT id FROM policy GROUP BY id HAVING count(*) > 1) d")" = 0 ] \
    || fail "a row in two partitions after the fresh copy"
note "ok"
