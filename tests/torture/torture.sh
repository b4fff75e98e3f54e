#!/bin/sh
# tests/torture/torture.sh KILLS CUTS [SECONDS]
#
# The torture scenario (issue 12, item 7): a county hub and three townships,
# each township linked to the hub through its own TCP relay (tests/system/
# relay.py: killing the relay cuts the link).  At the county and at each
# township a writer loop runs real `lika` commands and logs every write whose
# command exited 0 (acknowledged).  Meanwhile, over about SECONDS seconds
# (default 2.4 s a kill), a chaos loop sends KILLS SIGKILLs to a random likad
# (restarted after a short random pause) and cuts a random link CUTS times
# (for a random 0.5-3 s); once, a township's disk fills up (its data directory
# is a small tmpfs, when mounting is permitted) and is freed again; once, the
# hub is replaced by a `lika backup` taken near the start while the county
# writer keeps trying.  Then the chaos stops, the links heal, every node is
# waited for (bounded) until it holds every feed it should, and:
#
#   - every acknowledged write is in exactly one change set and one state row
#     at its origin, at the hub, and (county writes) at every township;
#   - no write, acknowledged or not, is there twice;
#   - every feed has the same ids at every node that holds it;
#   - no quarantined fork anywhere, no write hold left, lika verify passes.
#
# Run by `make torture` (100 kills, 20 cuts) and, small, by the system test
# t0330-torture-small.  Expects $SRCDIR and lika/likad on PATH, and runs in the
# current (empty) directory.  Every wait is bounded, so it always ends.
. "$SRCDIR/tests/system/lib.sh"

KILLS=${1:-100} CUTS=${2:-20}
SECS=${3:-$((KILLS * 12 / 5))}
CONVERGE_SECS=${CONVERGE_SECS:-180}
RELAY="$SRCDIR/tests/system/relay.py"
COUNTY=110101
TOWNS="t1 t2 t3"
NODES="county $TOWNS"
FULLDISK=t3

now_ms() { date +%s%3N; }
# rnd N : a random number 0..N-1
rnd() { echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 )); }
# msleep MS
msleep() { sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }
code_of() { case $1 in county) echo $COUNTY ;; t*) echo ${COUNTY}00${1#t} ;; esac; }
# sql DIR QUERY : one query on DIR's database (read only)
sql() { sqlite3 -cmd ".timeout 5000" "$1/lika.db" "$2" 2>/dev/null; }
alive() {
	p=$(cat "$1.pid" 2>/dev/null) || return 1
	s=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$s" ] && [ "$s" != Z ]
}

# ---- cleanup: writers, relays, daemons, the tmpfs; then verify every ledger
WRITERS="" MOUNTED=""
unmount_full() {
	[ -n "$MOUNTED" ] || return 0
	# keep the township's data: copied out, unmounted, moved back
	mkdir -p "$FULLDISK.copy" && cp -a "$FULLDISK/." "$FULLDISK.copy/" &&
	    umount "$FULLDISK" && rmdir "$FULLDISK" && mv "$FULLDISK.copy" "$FULLDISK" ||
	    { echo "torture: could not unmount $FULLDISK" >&2; umount -l "$FULLDISK" 2>/dev/null; }
	MOUNTED=""
}
torture_exit() {
	rc=$?
	touch stop
	for t in $TOWNS; do eval "p=\${relay_$t:-}"; [ -n "$p" ] && kill "$p" 2>/dev/null; done
	for w in $WRITERS; do wait "$w" 2>/dev/null; done
	cleanup_daemons
	unmount_full
	if [ "$rc" = 0 ]; then (final_verify) || rc=1; fi
	exit "$rc"
}
trap torture_exit EXIT

# ---- setup ----------------------------------------------------------------
hubport=$(free_port)
mk_county county $COUNTY "$hubport"
fast_sync county
for t in $TOWNS; do
	eval "rport_$t=$(free_port)"
	if [ $t = $FULLDISK ]; then
		mkdir $t
		if [ "$(id -u)" != 0 ]; then
			why="not root (uid $(id -u))"
		elif mount -t tmpfs -o size=24m,mode=0700 tmpfs $t 2>mount.err; then
			MOUNTED=1 why=""
		else
			why="mount: $(tr '\n' ' ' < mount.err)"
		fi
		[ -n "$MOUNTED" ] || { rmdir $t; note "full disk skipped: cannot mount a tmpfs for $t: $why"; }
	fi
	eval "mk_township $t $(code_of $t) county \$rport_$t"
	fast_sync $t
	admit county $t "$(code_of $t)"
done

start_relay() {
	eval "/usr/bin/python3 \"$RELAY\" \$rport_$1 $hubport /dev/null & relay_$1=\$!"
}
stop_relay() { eval "kill \$relay_$1 2>/dev/null; wait \$relay_$1 2>/dev/null; relay_$1="; }
relay_up() { eval "[ -n \"\${relay_$1:-}\" ]"; }

# ---- writers: every write whose lika exited 0 goes to NODE.acked -----------
# A writer pauses while the file pause.NODE exists (it says so with
# paused.NODE), and ends when the file stop exists.
t_writer() {	# DIR: village groups, named by a unique token, 90 a village
	dir=$1 code=$(code_of $1) i=${1#t} n=0 v=0 g=90 need=1 vc=""
	while [ ! -e stop ]; do
		if [ -e pause.$dir ]; then touch paused.$dir; sleep 0.05; continue; fi
		if [ $need = 1 ]; then
			v=$((v + 1)) vc=$code$(printf %03d $v) g=0
			until [ -e stop ] || timeout 20 lika --data $dir village add $vc "村$v" >/dev/null 2>&1 \
			    || lika --data $dir village list 2>/dev/null | grep -q "^ *$vc"; do
				sleep 0.1
			done
			need=0
		fi
		n=$((n + 1)) tok=$(printf 'w%sn%06d' "$i" $n)
		echo "$tok" >> $dir.tried
		if out=$(timeout 20 lika --data $dir village group add $vc $tok 2>&1); then
			echo "$tok" >> $dir.acked
		else
			echo "$tok ${out:-exit $?}" | tr '\n' ' ' >> $dir.refused; echo >> $dir.refused
		fi
		g=$((g + 1)); [ $g -ge 90 ] && need=1
		sleep 0.05
	done
}
c_writer() {	# policy values; the note is a unique token; 666 keys in turn
	n=0
	while [ ! -e stop ]; do
		if [ -e pause.county ]; then touch paused.county; sleep 0.05; continue; fi
		rm -f paused.county
		n=$((n + 1)) tok=$(printf 'w0n%06d' $n) k=$((n % 666))
		set -- poverty_line notice_days_village notice_days_township notice_days_county \
		    notice_days_exit max_backdate_days
		shift $((k % 6)); name=$1 year=$((1990 + k / 6))
		echo "$tok $name/$year" >> county.tried
		if out=$(timeout 20 lika --data county policy set $name $year $((1 + n % 28)) $tok 2>&1); then
			echo "$tok" >> county.acked
		else
			echo "$tok ${out:-exit $?}" | tr '\n' ' ' >> county.refused; echo >> county.refused
		fi
		sleep 0.05
	done
}
touch county.acked county.refused county.tried
for t in $TOWNS; do touch $t.acked $t.refused $t.tried; done

note "torture: $KILLS kills, $CUTS cuts over about ${SECS}s; county $COUNTY, townships $TOWNS"
for t in $TOWNS; do start_relay $t; done
for n in $NODES; do start_likad $n; done
for t in $TOWNS; do t_writer $t & WRITERS="$WRITERS $!"; done
c_writer & WRITERS="$WRITERS $!"

# ---- the chaos ------------------------------------------------------------
for n in $NODES; do eval "kills_$n=0 exits_$n=0"; done
cuts=0 fulldone=0 diskfull=0 full_msgs=0 full_example="" restored=0 bak_at=0 bak_ms=0 restore_top=0
for t in $TOWNS; do eval "cut_until_$t=0"; done

heal_links() {	# every relay up, every daemon running
	for t in $TOWNS; do relay_up $t || start_relay $t; eval "cut_until_$t=0"; done
	keep_alive
}
# a likad that ended by itself is counted, its last lines shown, and restarted
# (only expected of the township while its disk is full)
keep_alive() {
	for n in $NODES; do
		alive $n && continue
		stop_likad $n
		eval "exits_$n=\$((exits_$n + 1))"
		note "likad of $n ended by itself (status $STATUS): $(tail -2 $n.log | tr '\n' ' ')"
		start_likad $n
	done
}
restore_cuts() {
	t_now=$(now_ms)
	for t in $TOWNS; do
		eval "u=\$cut_until_$t"
		[ "$u" != 0 ] && [ "$t_now" -ge "$u" ] && { start_relay $t; eval "cut_until_$t=0"; }
	done
}
do_kill() {
	n=$(set -- $NODES; shift $(rnd 4); echo $1)
	stop_likad $n KILL
	eval "kills_$n=\$((kills_$n + 1))"
	msleep $((50 + $(rnd 700)))
	start_likad $n
}
do_cut() {	# a random link among those up (all cut: wait for one to come back)
	up=""
	end=$(( $(date +%s) + 10 ))
	while :; do
		for t in $TOWNS; do relay_up $t && up="$up $t"; done
		[ -n "$up" ] || [ "$(date +%s)" -ge $end ] && break
		sleep 0.1; restore_cuts
	done
	[ -n "$up" ] || fail "no link came back"
	t=$(set -- $up; shift $(rnd $#); echo $1)
	stop_relay $t
	cuts=$((cuts + 1))
	eval "cut_until_$t=$(( $(now_ms) + 500 + $(rnd 2500) ))"
}
county_held() { [ -n "$(sql county "SELECT value FROM meta WHERE key = 'write_hold'")" ]; }
feed_head() { sql "$1" "SELECT coalesce(max(head_seq), 0) FROM feed WHERE origin = '$2'"; }
towns_hold_county() {
	h=$(feed_head county $COUNTY)
	for t in $TOWNS; do [ "$(feed_head $t $COUNTY)" = "$h" ] || return 1; done
}

do_backup() {
	lika --data county backup county.bak >/dev/null 2>backup.err || fail "backup: $(cat backup.err)"
	bak_ms=$(now_ms)
	mkdir bakcheck && cp county/lika.conf county/node.key bakcheck/ && cp county.bak bakcheck/lika.db
	bak_at=$(head_of bakcheck $COUNTY); rm -rf bakcheck
	note "backup of the hub at county seq $bak_at"
}
# The hub's disk is replaced by the backup.  A county write acknowledged but
# at no township yet would be lost with the disk by any restore, so the county
# writer pauses while the townships catch up (bounded) and the hub stops; it
# writes again as soon as the copy is in place: refused until the townships
# confirm the county feed.
do_restore() {
	rm -f paused.county; touch pause.county
	end=$(( $(date +%s) + 30 ))
	while [ ! -e paused.county ] && [ "$(date +%s)" -lt $end ]; do sleep 0.05; done
	[ -e paused.county ] || fail "county writer did not pause"
	heal_links
	wait_for 60 "the townships to hold the county feed before the restore" towns_hold_county
	restore_top=$(feed_head county $COUNTY)
	stop_likad county
	rm -f county/lika.db-wal county/lika.db-shm
	cp county.bak county/lika.db
	rm -f pause.county
	start_likad county
	restored=1
	note "hub restored from a copy $(( ($(now_ms) - bak_ms) / 1000 ))s old: county seq $bak_at, the townships hold $restore_top"
}
do_diskfull() {
	[ -n "$MOUNTED" ] || return 0
	before=$(wc -l < $FULLDISK.refused)
	acked_before=$(wc -l < $FULLDISK.acked)
	dd if=/dev/zero of=$FULLDISK/fill bs=64k 2>/dev/null
	dd if=/dev/zero of=$FULLDISK/fill2 bs=512 2>/dev/null
	note "disk of $FULLDISK full: $(df -k $FULLDISK | awk 'NR==2 {print $4}') KiB free"
	end=$(( $(date +%s) + 20 ))
	while [ "$(grep -c 'full' $FULLDISK.refused)" -lt 3 ] && [ "$(date +%s)" -lt $end ]; do sleep 0.2; done
	sleep 1
	full_msgs=$(tail -n +$((before + 1)) $FULLDISK.refused | grep -c 'full')
	full_example=$(tail -n +$((before + 1)) $FULLDISK.refused | grep 'full' | head -1 | cut -d' ' -f2-)
	diskfull=$(( $(wc -l < $FULLDISK.refused) - before ))
	note "$FULLDISK: $diskfull writes refused on the full disk ($full_msgs saying so), e.g.: $full_example"
	note "$FULLDISK: $(( $(wc -l < $FULLDISK.acked) - acked_before )) writes acknowledged meanwhile"
	rm -f $FULLDISK/fill $FULLDISK/fill2
	sleep 0.5
	keep_alive
	fulldone=1
	note "disk of $FULLDISK freed"
}

events=$(( KILLS + CUTS ))
start_ms=$(now_ms)
sleep 2
do_backup
i=0 k=0 c=0
while [ $k -lt "$KILLS" ] || [ $c -lt "$CUTS" ]; do
	i=$((i + 1))
	# the next event is a kill or a cut, in random order, spread over SECS
	if [ $c -ge "$CUTS" ] || { [ $k -lt "$KILLS" ] && [ "$(rnd $((KILLS - k + CUTS - c)))" -lt $((KILLS - k)) ]; }; then
		ev=kill k=$((k + 1))
	else
		ev=cut c=$((c + 1))
	fi
	due=$(( start_ms + SECS * 1000 * i / events - 300 + $(rnd 600) ))
	while [ "$(now_ms)" -lt $due ]; do restore_cuts; sleep 0.1; done
	restore_cuts
	keep_alive
	[ $i = $((events / 4)) ] && do_diskfull
	[ $i = $((events / 2)) ] && do_restore
	if [ $ev = kill ]; then do_kill; else do_cut; fi
done
[ $restored = 1 ] || do_restore
chaos_secs=$(( ($(now_ms) - start_ms) / 1000 ))

# ---- the end: stop writing, heal, converge ---------------------------------
touch stop
for w in $WRITERS; do wait "$w"; done
WRITERS=""
heal_links
note "chaos over after ${chaos_secs}s; links healed, waiting for every node to hold every feed"
conv0=$(now_ms)
converged() {
	towns_hold_county || return 1
	for n in $NODES; do
		[ -z "$(sql $n "SELECT value FROM meta WHERE key = 'write_hold'")" ] || return 1
	done
	for t in $TOWNS; do
		tc=$(code_of $t)
		[ "$(feed_head county $tc)" = "$(feed_head $t $tc)" ] || return 1
	done
}
end=$(( $(date +%s) + CONVERGE_SECS ))
until converged; do
	if [ "$(date +%s)" -ge $end ]; then
		for n in $NODES; do note "$n: hold: $(sql $n "SELECT value FROM meta WHERE key = 'write_hold'")"; done
		for t in $TOWNS; do tc=$(code_of $t)
			note "$t: own head $(feed_head $t $tc), at the hub $(feed_head county $tc), county feed $(feed_head $t $COUNTY) of $(feed_head county $COUNTY)"; done
		fail "no convergence within ${CONVERGE_SECS}s"
	fi
	keep_alive
	sleep 0.2
done
conv_secs=$(( ($(now_ms) - conv0 + 999) / 1000 ))
cleanup_daemons
for t in $TOWNS; do stop_relay $t; done
unmount_full

# ---- checks ---------------------------------------------------------------
bad=""
# count DIR TOKENFILE : "token count" of change sets carrying each token at DIR
count() {
	{ echo "CREATE TEMP TABLE w(tok TEXT);"; sed "s/^\\([a-z0-9]*\\).*/INSERT INTO w VALUES('\\1');/" "$2"
	  echo "SELECT tok, (SELECT count(*) FROM changeset WHERE instr(body, CAST(tok AS BLOB)) > 0) FROM w;"
	} | sqlite3 -separator ' ' "$1/lika.db"
}
lost=0 dup=0
check_tokens() {	# NODE(origin) DIR : change sets at DIR for the origin's writes
	count "$2" "$1.tried" > cnt.$1.$2
	l=$(awk 'NR == FNR { a[$1] = 1; next } ($1 in a) && $2 == 0' "$1.acked" cnt.$1.$2 | wc -l)
	d=$(awk '$2 > 1' cnt.$1.$2 | wc -l)
	[ "$l" = 0 ] || { bad="$bad; $l acked writes of $1 missing at $2"; awk 'NR == FNR { a[$1] = 1; next } ($1 in a) && $2 == 0' "$1.acked" cnt.$1.$2 | head -3; }
	[ "$d" = 0 ] || { bad="$bad; $d writes of $1 twice at $2"; awk '$2 > 1' cnt.$1.$2 | head -3; }
	lost=$((lost + l)) dup=$((dup + d))
}
for t in $TOWNS; do
	check_tokens $t $t; check_tokens $t county
	# state: one village group row named by each acknowledged token
	for d in $t county; do
		sql $d "SELECT name, count(*) FROM village_group GROUP BY name" | tr '|' ' ' > rows.$t.$d
		l=$(awk 'NR == FNR { r[$1] = $2; next } !($1 in r)' rows.$t.$d $t.acked | wc -l)
		dd=$(awk '$2 > 1' rows.$t.$d | wc -l)
		[ "$l" = 0 ] || bad="$bad; $l acked groups of $t not in the state at $d"
		[ "$dd" = 0 ] || bad="$bad; $dd groups of $t twice in the state at $d"
	done
done
for n in $NODES; do check_tokens county $n; done
# state: each key holds the note of its last attempt, if that one was acknowledged
awk '{ last[$2] = $1 } END { for (k in last) print last[k], k }' county.tried | sort > last.keys
awk 'NR == FNR { a[$1] = 1; next } ($1 in a)' county.acked last.keys > last.acked
for n in $NODES; do
	sql $n "SELECT note, id FROM policy" | tr '|' ' ' | sort > pol.$n
	m=$(awk 'NR == FNR { p[$2] = $1; next } p[$2] != $1' pol.$n last.acked | wc -l)
	[ "$m" = 0 ] || bad="$bad; $m county policy values at $n not the last acknowledged"
done
# the same ids for every feed at every node that holds it
for t in $TOWNS; do
	ids $t "$(code_of $t)" > ids.$t.own; ids county "$(code_of $t)" > ids.$t.hub
	cmp -s ids.$t.own ids.$t.hub || bad="$bad; feed of $t differs between $t and the hub"
	ids $t $COUNTY > ids.county.$t
done
ids county $COUNTY > ids.county.county
for t in $TOWNS; do cmp -s ids.county.county ids.county.$t || bad="$bad; county feed differs at $t"; done
forks=0 quar=""
for n in $NODES; do
	f=$(sql $n "SELECT count(*) FROM quarantine WHERE kind = 'fork'")
	forks=$((forks + f))
	q=$(sql $n "SELECT kind || ':' || count(*) FROM quarantine GROUP BY kind" | tr '\n' ' ')
	[ -n "$q" ] && quar="$quar $n($q)"
	fr=$(sql $n "SELECT origin || ': ' || frozen FROM feed WHERE frozen IS NOT NULL" | tr '\n' ' ')
	[ -z "$fr" ] || bad="$bad; feeds frozen at $n: $fr"
	lika --data $n hold show | grep -q "writes *allowed" || bad="$bad; a hold left at $n: $(lika --data $n hold show | tr '\n' ' ')"
	lika --data $n verify >/dev/null 2>&1 || bad="$bad; lika verify fails at $n: $(lika --data $n verify 2>&1 | head -3 | tr '\n' ' ')"
done
[ $forks = 0 ] || bad="$bad; $forks forks quarantined"

# ---- figures --------------------------------------------------------------
echo "torture figures"
printf '  kills:            %s (county %s, t1 %s, t2 %s, t3 %s)\n' \
    $((kills_county + kills_t1 + kills_t2 + kills_t3)) $kills_county $kills_t1 $kills_t2 $kills_t3
printf '  link cuts:        %s\n' $cuts
printf '  likad ended by itself: county %s, t1 %s, t2 %s, t3 %s\n' $exits_county $exits_t1 $exits_t2 $exits_t3
printf '  chaos:            %ss\n' "$chaos_secs"
for n in $NODES; do
	printf '  %-7s change sets of its own feed %6s; writes tried %5s, acknowledged %5s, refused %4s (held %s, full disk %s)\n' \
	    $n "$(feed_head $n "$(code_of $n)")" "$(wc -l < $n.tried)" "$(wc -l < $n.acked)" "$(wc -l < $n.refused)" \
	    "$(grep -c 'on hold' $n.refused)" "$(grep -c 'full' $n.refused)"
done
echo "  refusals by reason (numbers as N):"
for n in $NODES; do
	cut -d' ' -f2- $n.refused | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | sort -rn | head -5 | sed "s/^ */    $n: /"
done
# a township nobody restored, held as "restored from a copy": a SIGKILL between the
# rename of lika.epoch and the commit (documented in node.c: a false copy, never a miss)
printf '  townships held as a copy though never restored (distinct holds writers met): t1 %s, t2 %s, t3 %s\n' \
    "$(grep -o 'restored from a copy.*' t1.refused | sort -u | wc -l)" \
    "$(grep -o 'restored from a copy.*' t2.refused | sort -u | wc -l)" \
    "$(grep -o 'restored from a copy.*' t3.refused | sort -u | wc -l)"
acked=$(cat county.acked t1.acked t2.acked t3.acked | wc -l)
printf '  acknowledged:     %s\n' $acked
printf '  lost:             %s\n' $lost
printf '  duplicated:       %s\n' $dup
printf '  forks:            %s\n' $forks
printf '  quarantined:      %s\n' "${quar:- none}"
printf '  hub restore:      copy at county seq %s, townships held %s; county writes refused while held: %s\n' \
    $bak_at $restore_top "$(grep -c 'on hold' county.refused)"
if [ $fulldone = 1 ]; then
	printf '  full disk (%s):   %s writes refused (%s saying the disk is full): %s\n' $FULLDISK $diskfull $full_msgs "$full_example"
else
	printf '  full disk:        skipped (no tmpfs)\n'
fi
printf '  converged in:     %ss\n' $conv_secs
[ -z "$bad" ] || fail "${bad#; }"
[ $exits_county = 0 ] && [ $exits_t1 = 0 ] && [ $exits_t2 = 0 ] || fail "a likad ended by itself"
note "ok: torture survived"
