# tests/system/pg.sh — a PostgreSQL server of the test's own (sourced after lib.sh).
#
# pg_start: initdb into a fresh folder (first call) and start the server on a
#   free port, listening on a Unix socket in that folder only; as the user
#   postgres when the test runs as root (the server refuses root).  Sets
#   PGCONN (a libpq connection string) and PGPORT.
# pg_kill: stop it at once (-m immediate: as a crash would, no checkpoint).
# pg_stop: stop it cleanly.  The server is stopped when the test exits.
# pg_q SQL: run SQL, print the rows unaligned (psql -At).
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/initdb" ] || fail "PostgreSQL server binaries not found (make deps installs postgresql)"
PG_DIR=""
PG_AS=""
cd_tmp() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || fail "running as root and there is no user postgres to run the server"
	PG_AS="runuser -u postgres --"
	cd_tmp() { (cd /tmp && "$@"); }     # the server's user cannot enter the test's folder
fi

pg_start() {
	if [ -z "$PG_DIR" ]; then
		PG_DIR=$(mktemp -d /tmp/lika-pg.XXXXXX)
		PGPORT=$(free_port)
		[ -n "$PG_AS" ] && chown postgres "$PG_DIR"
		cd_tmp $PG_AS "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U lika --no-sync -E UTF8 \
		    --locale=C >"$TESTDIR/pg-init.log" 2>&1 || fail "initdb: $(tail -5 "$TESTDIR/pg-init.log")"
		PGCONN="host=$PG_DIR port=$PGPORT user=lika dbname=postgres connect_timeout=5"
	fi
	cd_tmp $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
	    -o "-p $PGPORT -k $PG_DIR -c listen_addresses=''" start >/dev/null \
	    || fail "PostgreSQL did not start: $(tail -5 "$PG_DIR/server.log")"
}
pg_kill() { cd_tmp $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1; }
pg_stop() { cd_tmp $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1; }
pg_q() { "$PG_BIN/psql" "$PGCONN" -X -At -v ON_ERROR_STOP=1 -c "$1"; }

# pg_same_as DB: every state table of the SQLite database DB has exactly the
# rows (id and every column; bytes as hex) of its PostgreSQL copy
pg_same_as() {
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN
	    ('meta', 'changeset', 'feed', 'quarantine', 'peer') AND name NOT LIKE 'sqlite%' ORDER BY name"); do
		lite="id" pg="id"
		for c in $(sqlite3 "$1" "SELECT name || ':' || type FROM pragma_table_info('$t') WHERE name <> 'id'"); do
			n=${c%%:*} ty=${c#*:}
			case $ty in
			BLOB) lite="$lite || char(9) || coalesce(lower(hex(\"$n\")), '-')"
			      pg="$pg || chr(9) || coalesce(encode(\"$n\", 'hex'), '-')" ;;
			*)    lite="$lite || char(9) || coalesce(\"$n\", '-')"
			      pg="$pg || chr(9) || coalesce(\"$n\"::text, '-')" ;;
			esac
		done
		sqlite3 "$1" "SELECT $lite FROM \"$t\" ORDER BY id" > "lite.$t" || fail "read $t"
		pg_q "SELECT $pg FROM \"$t\" ORDER BY id COLLATE \"C\"" > "pg.$t" || fail "read $t in PostgreSQL"
		cmp -s "lite.$t" "pg.$t" || { echo "table $t differs: $(diff "lite.$t" "pg.$t" | head -5)"; return 1; }
	done
}

trap 'rc=$?; [ -n "$PG_DIR" ] && { pg_stop; rm -rf "$PG_DIR"; }; (exit $rc); on_exit' EXIT
