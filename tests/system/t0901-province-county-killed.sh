#!/bin/sh
# A province, three counties, two townships each, all real daemons on loopback.
# The counties hold their townships' feeds; the province catches up all nine
# feeds while one county hub is SIGKILLed and restarted three times mid
# catch-up: nothing is lost or duplicated up the tree (the ids at the province
# are the ids at the county and the township, nothing quarantined).  Each
# county's own poverty line and synonym are kept at the province under its code.  A
# province policy then reaches every township, and every node verifies and
# rebuilds to the same state (lib.sh final_verify).
. "$SRCDIR/tests/system/lib.sh"
pport=$(free_port)
counties="520102 520103 520111"
n=2000          # change sets a township

lika --data prov init --role province --node 520000 --name 贵州省 --listen "tcp://127.0.0.1:$pport" \
    >/dev/null || fail "province init"
fast_sync prov
for c in $counties; do
	cport=$(free_port)
	mk_county c$c $c "$cport"
	fast_sync c$c
	# small batches, one in flight: the catch-up up the tree takes many round trips
	sed -i 's/^\[sync\]$/[sync]\nbatch_bytes = 4096\nwindow = 1/' c$c/lika.conf
	printf '\n[upstream]\nhub = tcp://127.0.0.1:%s\nprovince_key = %s\n' "$pport" \
	    "$(county_key prov)" >> c$c/lika.conf
	lika --data prov roster add-county $c "$(county_key c$c)" "县$c" >/dev/null || fail "add-county $c"
	# each county its own line: at the province they do not overwrite each other
	lika --data c$c policy set poverty_line 2026 "23${c#5201}" >/dev/null || fail "policy set $c"
	lika --data c$c code synonym add code_migrant 县外打工 04 >/dev/null || fail "synonym add $c"
	for t in 101 102; do
		mk_township t$c$t $c$t c$c "$cport"
		fast_sync t$c$t
		admit c$c t$c$t $c$t
		lika --data t$c$t village add $c${t}001 东村 >/dev/null || fail "village add"
		"$LIKA_UNIT/test-tool" write t$c$t $((n - 1)) 5 >/dev/null || fail "test-tool write"
	done
done

note "the counties collect their townships' feeds ($n change sets each) before the province runs"
for c in $counties; do start_likad c$c; for t in 101 102; do start_likad t$c$t; done; done
for c in $counties; do for t in 101 102; do
	wait_for 60 "county $c to hold $c$t" has_head c$c $c$t "$n"
done; done

note "the province catches up; county 520102 is killed mid catch-up three times"
start_likad prov
at_prov() { sqlite3 prov/lika.db "SELECT coalesce(sum(head_seq), 0) FROM feed WHERE origin LIKE '520102%'" 2>/dev/null || echo 0; }
full=$(sqlite3 c520102/lika.db "SELECT sum(head_seq) FROM feed WHERE origin LIKE '520102%'")
# moved on since the last kill, or already holding all (then nothing more can move)
progressed() { h=$(at_prov); [ "$h" -gt "$1" ] || [ "$h" -ge "$full" ]; }
last=0 mid=0
for i in 1 2 3; do
	wait_for 60 "the province to move on after kill $((i - 1))" progressed $last
	last=$(at_prov)
	stop_likad c520102 KILL
	[ "$last" -lt "$full" ] && mid=$((mid + 1))
	note "kill -9 county 520102 ($i) with the province holding $last of its feeds"
	start_likad c520102
done
[ $mid -ge 2 ] || fail "only $mid of the kills came during the catch-up"
for c in $counties; do
	wait_for 120 "province to hold county $c's feed" has_head prov $c "$(head_of c$c $c)"
	for t in 101 102; do wait_for 120 "province to hold $c$t" has_head prov $c$t "$n"; done
done

note "a province policy reaches every township"
lika --data prov policy set province_poverty_line 2026 4000 省定标准 >/dev/null || fail "province policy"
for c in $counties; do for t in 101 102; do
	wait_for 60 "the province feed at township $c$t" has_head t$c$t 520000 "$(head_of prov 520000)"
	expect_in "$(lika --data t$c$t policy list)" "province_poverty_line/2026 *4000"
done; done
cleanup_daemons

note "nothing lost or duplicated up the tree"
for c in $counties; do
	ids c$c $c > a; ids prov $c > b
	cmp -s a b || fail "county $c's feed differs at the province"
	for t in 101 102; do
		ids t$c$t $c$t > a; ids c$c $c$t > b; ids prov $c$t > p
		[ "$(wc -l < a)" = "$n" ] || fail "township $c$t holds $(wc -l < a) of its change sets"
		cmp -s a b && cmp -s a p || fail "township $c$t's feed differs up the tree"
	done
done
for c in $counties; do
	[ "$(sqlite3 prov/lika.db "SELECT value FROM policy WHERE id = '$c:poverty_line/2026'")" = "23${c#5201}" ] \
	    || fail "county $c's poverty line is not kept under $c: at the province"
done
[ "$(sqlite3 prov/lika.db "SELECT count(*) FROM synonym WHERE word = '县外打工' AND id LIKE '5201__:code_migrant/%'")" = 3 ] \
    || fail "the counties' synonyms are not kept apart at the province"
[ "$(sqlite3 prov/lika.db "SELECT count(*) FROM quarantine")" = 0 ] || fail "the province quarantined something"
[ "$(sqlite3 prov/lika.db "SELECT count(*) FROM changeset_unverified")" = 0 ] || fail "left unverified"
[ "$(sqlite3 prov/lika.db "SELECT count(*) FROM village")" = \
  "$(for c in $counties; do for t in 101 102; do sqlite3 t$c$t/lika.db "SELECT count(*) FROM village"; done; done | awk '{s+=$1} END {print s}')" ] \
    || fail "the province's villages are not the townships'"
note "ok"
