#!/bin/sh
# An office machine with umask 022 and a data directory made beforehand with
# mode 0755 (as an installer would): "lika init" leaves the directory 0700
# and every file in it 0600 (the database holds personal data, node.key the
# node's secret key), also the -wal and -shm files SQLite makes later.
. "$SRCDIR/tests/system/lib.sh"
umask 022
mkdir -m 0755 data
lika --data data init --role county --node 522701 --name 县 >/dev/null || fail "init"
[ "$(stat -c %a data)" = 700 ] || fail "data directory is $(stat -c %a data), not 700"
lika --data data village list >/dev/null 2>&1
for f in data/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f is $(stat -c %a "$f"), not 600"
done
[ -f data/lika.db ] && [ -f data/node.key ] && [ -f data/lika.conf ] || fail "files missing: $(ls data)"

# a directory init makes itself, with its parents, under umask 022
lika --data new/nested/node init --role county --node 522702 --name 县 >/dev/null || fail "init"
[ "$(stat -c %a new/nested/node)" = 700 ] || fail "new data directory is $(stat -c %a new/nested/node)"
# a write makes -wal and -shm: they take lika.db's mode
LIKA_DATA=$PWD/new/nested/node
export LIKA_DATA
lika official add --role county --name 张三 --office 522702 --out k.key >/dev/null 2>&1 || true
lika policy set poverty_line 2023 2300 >/dev/null 2>&1 || true
ls new/nested/node/lika.db-wal >/dev/null 2>&1 || echo "note: no -wal file to check"
for f in new/nested/node/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f is $(stat -c %a "$f"), not 600"
done
