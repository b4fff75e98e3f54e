#!/bin/sh
# `lika backup FILE` while likad runs and a writer commits: the copy is
# consistent (verify passes on it), private (0600), never overwrites a file,
# leaves no temporary behind; restored, it holds writes until the hub has
# confirmed the township's feed, then carries on without a fork.
. "$SRCDIR/tests/system/lib.sh"
county_and_t1
start_likad county; start_likad t1
lika --data t1 village add 110101001001 东村 >/dev/null || fail "village add"

note "backup while 4000 change sets are being written"
"$LIKA_UNIT/test-tool" write t1 4000 5 >writer.out 2>&1 &
writer=$!
sleep 0.1
lika --data t1 backup t1.bak >/dev/null || fail "backup: $(lika --data t1 backup t1.bak 2>&1)"
wait $writer || fail "writer: $(cat writer.out)"
[ "$(stat -c %a t1.bak)" = 600 ] || fail "backup mode $(stat -c %a t1.bak)"
ls t1.bak.tmp* 2>/dev/null && fail "temporary left behind"
OUT=$(lika --data t1 backup t1.bak 2>&1) && fail "existing file overwritten: $OUT"
expect_in "$OUT" "already exists"
ln -s elsewhere link.bak
OUT=$(lika --data t1 backup link.bak 2>&1) && fail "symlink followed: $OUT"
[ ! -e elsewhere ] || fail "symlink target written"

note "the copy is a whole ledger: verify passes on it"
mkdir copy && cp t1/lika.conf t1/node.key copy/ && cp t1.bak copy/lika.db
verify_ok copy
at=$(head_of copy 110101001)
note "backup holds the own feed up to seq $at"
wait_for 30 "hub to hold 4001" has_head county 110101001 4001

note "restore from the backup"
stop_likad t1
rm -f t1/lika.db-wal t1/lika.db-shm
cp t1.bak t1/lika.db
OUT=$(lika --data t1 village group add 110101001001 一组 2>&1) && fail "write allowed on the copy: $OUT"
expect_in "$OUT" "restored from a copy"
start_likad t1
recovered_and_continues t1 110101001 4001
note "ok: backup at seq $at while writing, restored, continued at 4002"
