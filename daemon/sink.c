/*
 * sink.c — keep a PostgreSQL copy of the hub's state, for analysts.
 *
 * A thread of its own (the event loop never waits on PostgreSQL) follows the
 * ledger's change sets and, for each batch of them, writes in one PostgreSQL
 * transaction:
 *
 *   - the rows as they now stand of every (table, key) the batch touched:
 *     COPY into a staging table, then INSERT … ON CONFLICT DO UPDATE; a key
 *     no longer in the state is deleted;
 *   - one row per change set in lika_changeset, by (origin, seq), ON
 *     CONFLICT DO NOTHING;
 *   - how far it got, in lika_sink (one row per node).
 *
 * Whole rows, not ops: a batch written twice (either side crashed before the
 * commit was known) leaves the same tables, and the position commits with the
 * rows, so nothing is lost or doubled.  The first run copies every state row
 * (the seeded code tables included) and starts after the last change set of
 * that snapshot.
 *
 * Change sets are followed by two cursors over table changeset: rowid, for
 * those applied when stored, and the `applied` order key, for those applied
 * later (held ones: a newer schema, or a rule that waited).  Every table is
 * partitioned by county code (LIST): the first six digits of the key for
 * township tables, of the writing origin for county tables.
 */
#include "sink.h"
#include "ledger.h"
#include "codec.h"
#include "log.h"
#include "schema.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <msgpack.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * libpq, loaded when a sink starts: with it linked in, every likad -- a
 * township's too, which never has a sink -- carried some 5 MB more resident
 * memory (libpq brings OpenSSL, Kerberos, LDAP and GnuTLS along).
 */
#define SINK_LIBPQ "libpq.so.5"
static struct {
	void (*clear)(PGresult *);
	PGconn *(*connectdb)(const char *);
	char *(*errorMessage)(const PGconn *);
	char *(*escapeLiteral)(PGconn *, const char *, size_t);
	PGresult *(*exec)(PGconn *, const char *);
	PGresult *(*execParams)(PGconn *, const char *, int, const Oid *, const char *const *,
	    const int *, const int *, int);
	void (*finish)(PGconn *);
	void (*freemem)(void *);
	PGresult *(*getResult)(PGconn *);
	char *(*getvalue)(const PGresult *, int, int);
	int (*ntuples)(const PGresult *);
	int (*putCopyData)(PGconn *, const char *, int);
	int (*putCopyEnd)(PGconn *, const char *);
	ExecStatusType (*resultStatus)(const PGresult *);
	ConnStatusType (*status)(const PGconn *);
} s_pq;

/* Load libpq into s_pq (once); 0, or -1 with ERR. */
static int
s_libpq(char *err, size_t errlen)
{
	static const struct { const char *name; size_t off; } sym[] = {
#define SYM(f) { "PQ" #f, offsetof(__typeof__(s_pq), f) }
		SYM(clear), SYM(connectdb), SYM(errorMessage), SYM(escapeLiteral), SYM(exec),
		SYM(execParams), SYM(finish), SYM(freemem), SYM(getResult), SYM(getvalue),
		SYM(ntuples), SYM(putCopyData), SYM(putCopyEnd), SYM(resultStatus), SYM(status),
#undef SYM
	};
	static void *lib;

	if (lib)
		return 0;
	if (!(lib = dlopen(SINK_LIBPQ, RTLD_NOW | RTLD_LOCAL)))
		return errf(err, errlen, "sink: cannot load %s (Debian package libpq5): %s", SINK_LIBPQ,
		    dlerror());
	for (size_t i = 0; i < sizeof sym / sizeof sym[0]; i++) {
		void *f = dlsym(lib, sym[i].name);
		if (!f) {
			errf(err, errlen, "sink: %s has no %s", SINK_LIBPQ, sym[i].name);
			dlclose(lib);
			lib = NULL;
			return -1;
		}
		memcpy((char *)&s_pq + sym[i].off, &f, sizeof f);
	}
	return 0;
}

#define SINK_IDLE_MS 200        /* nothing new: look again after this */
#define SINK_PING_MS 5000       /* idle this long: ask PostgreSQL whether it is still there */
#define SINK_RETRY_MS 500       /* first wait after PostgreSQL failed; doubles */
#define SINK_RETRY_MAX_MS 10000
#define COUNTY_LEN 6

struct touched {
	unsigned table;             /* index in schema_tables */
	char county[COUNTY_LEN + 1];
	char *key;
};

struct cs_row {
	char origin[CODE_MAX];
	uint64_t seq, hlc;
	uint32_t nops;
};

struct batch {
	struct touched *t;
	size_t n, cap;
	struct cs_row *cs;
	size_t ncs, cscap;
	int64_t rowid, applied;     /* the cursors once this batch is written */
	int snapshot;               /* every row of every table, not what change sets touched */
};

struct sink {
	pthread_t tid;
	atomic_int stop;
	char *dbpath, *conninfo;
	char node[CODE_MAX];
	char county[COUNTY_LEN + 1];        /* the node's county, or the province itself */
	char province[COUNTY_LEN + 1];      /* the province above it */
	sqlite3 *db;
	PGconn *pg;
	int64_t rowid, applied;     /* committed in PostgreSQL */
	unsigned batch;             /* change sets a transaction carries at most */
	int fresh;                  /* no lika_sink row yet: copy everything first */
	char (*counties)[COUNTY_LEN + 1];   /* partitions made on this connection */
	size_t ncounties;
	int down_logged;
	uint64_t written;
	pthread_mutex_t view_lock;  /* view: written by the thread, read by the loop */
	struct sink_view view;
};

/*
 * Publish what the thread now knows into s->view.  ERROR: why PostgreSQL
 * failed (kept until a batch is written), "" once one is, NULL unchanged.
 */
static void
s_view(struct sink *s, const char *error)
{
	pthread_mutex_lock(&s->view_lock);
	s->view.connected = s->pg != NULL;
	if (s->pg && !s->fresh) {
		s->view.known = 1;
		s->view.rowid = s->rowid;
		s->view.applied = s->applied;
	}
	s->view.written = s->written;
	if (error && !error[0])
		s->view.last_write_ms = now_ms();
	if (error) {
		snprintf(s->view.last_error, sizeof s->view.last_error, "%s", error);
		s->view.last_error[strcspn(s->view.last_error, "\n")] = '\0';
	}
	pthread_mutex_unlock(&s->view_lock);
}

void
sink_view(struct sink *s, struct sink_view *v)
{
	pthread_mutex_lock(&s->view_lock);
	*v = s->view;
	pthread_mutex_unlock(&s->view_lock);
}

/* ---- PostgreSQL --------------------------------------------------------------- */

static const char *
s_pgtype(enum col_type t)
{
	return t == COL_T_INT ? "bigint" : t == COL_T_BLOB ? "bytea" : "text";
}

/* Run SQL; 0, or -1 with the error logged. */
static int
s_pg(struct sink *s, const char *sql)
{
	PGresult *r = s_pq.exec(s->pg, sql);
	ExecStatusType st = s_pq.resultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;

	if (rc < 0)
		log_warnx("sink: PostgreSQL: %s", s_pq.errorMessage(s->pg));
	s_pq.clear(r);
	return rc;
}

/* The tables, each partitioned by county, and a staging table for each. */
static int
s_pg_schema(struct sink *s)
{
	char *sql = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sql, &len);
	int rc;

	if (!f)
		return -1;
	fprintf(f, "CREATE TABLE IF NOT EXISTS lika_sink (node text PRIMARY KEY, last_rowid bigint "
	    "NOT NULL, last_applied bigint NOT NULL, changesets bigint NOT NULL, at timestamptz NOT NULL);"
	    "CREATE TABLE IF NOT EXISTS lika_changeset (county text NOT NULL, origin text NOT NULL, "
	    "seq bigint NOT NULL, hlc bigint NOT NULL, nops integer NOT NULL, "
	    "PRIMARY KEY (county, origin, seq)) PARTITION BY LIST (county);"
	    "CREATE TEMP TABLE IF NOT EXISTS stage_lika_changeset (LIKE lika_changeset) "
	    "ON COMMIT DELETE ROWS;");
	for (const struct table_def *const *tp = schema_tables; *tp; tp++) {
		const struct table_def *t = *tp;
		fprintf(f, "CREATE TABLE IF NOT EXISTS \"%s\" (county text NOT NULL, id text NOT NULL",
		    t->name);
		for (int i = 0; t->cols[i].name; i++)
			fprintf(f, ", \"%s\" %s", t->cols[i].name, s_pgtype(t->cols[i].type));
		fprintf(f, ", PRIMARY KEY (county, id)) PARTITION BY LIST (county);"
		    "CREATE TEMP TABLE IF NOT EXISTS \"stage_%s\" (LIKE \"%s\") ON COMMIT DELETE ROWS;",
		    t->name, t->name);
	}
	if (fclose(f) != 0)
		return -1;
	rc = s_pg(s, sql);
	free(sql);
	return rc;
}

/* Where we got to (a new node: a row at 0, and the snapshot first). */
static int
s_pg_position(struct sink *s)
{
	const char *v[1] = { s->node };
	PGresult *r = s_pq.execParams(s->pg, "SELECT last_rowid, last_applied FROM lika_sink WHERE "
	    "node = $1", 1, NULL, v, NULL, NULL, 0);
	int rc = -1;

	if (s_pq.resultStatus(r) == PGRES_TUPLES_OK) {
		s->fresh = s_pq.ntuples(r) == 0;
		s->rowid = s->fresh ? 0 : strtoll(s_pq.getvalue(r, 0, 0), NULL, 10);
		s->applied = s->fresh ? 0 : strtoll(s_pq.getvalue(r, 0, 1), NULL, 10);
		rc = 0;
	} else {
		log_warnx("sink: PostgreSQL: %s", s_pq.errorMessage(s->pg));
	}
	s_pq.clear(r);
	return rc;
}

static void
s_disconnect(struct sink *s)
{
	char why[200];

	snprintf(why, sizeof why, "%s", s_pq.errorMessage(s->pg));
	s_pq.finish(s->pg);
	s->pg = NULL;
	s_view(s, why[0] ? why : "connection closed");
	s->ncounties = 0;       /* partitions are checked again on the next connection */
}

static int
s_connect(struct sink *s)
{
	s->pg = s_pq.connectdb(s->conninfo);
	if (s_pq.status(s->pg) != CONNECTION_OK) {
		if (!s->down_logged)
			log_warnx("sink: cannot reach PostgreSQL: %s(trying again, up to every %d s)",
			    s_pq.errorMessage(s->pg), SINK_RETRY_MAX_MS / 1000);
		s->down_logged = 1;
		s_disconnect(s);
		return -1;
	}
	if (s_pg(s, "SET client_min_messages = warning") < 0 || s_pg_schema(s) < 0 ||
	    s_pg_position(s) < 0) {
		s_disconnect(s);
		return -1;
	}
	log_info("sink: PostgreSQL connected; %s", s->fresh ? "copying every table first" :
	    "going on after the last batch written");
	s->down_logged = 0;
	s_view(s, NULL);
	return 0;
}

/* ---- what a batch touched ------------------------------------------------------- */

static void
s_batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->t[i].key);
	free(b->t);
	free(b->cs);
	memset(b, 0, sizeof *b);
}

static int
s_touch(struct batch *b, unsigned table, const char *county, const char *key, size_t keylen)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		void *p = realloc(b->t, cap * sizeof *b->t);
		if (!p)
			return -1;
		b->t = p;
		b->cap = cap;
	}
	struct touched *t = &b->t[b->n];
	if (!(t->key = strndup(key, keylen)))
		return -1;
	t->table = table;
	snprintf(t->county, sizeof t->county, "%.*s", COUNTY_LEN, county);
	b->n++;
	return 0;
}

static unsigned
s_table_index(const struct table_def *t)
{
	unsigned i = 0;

	while (schema_tables[i] && schema_tables[i] != t)
		i++;
	return i;
}

static int
s_digits6(const char *key, size_t keylen)
{
	return keylen >= COUNTY_LEN && strspn(key, "0123456789") >= COUNTY_LEN;
}

/*
 * The county a row of T keyed KEY (as stored) belongs to: a township's row by
 * its key, any other by the ORIGIN that wrote it.  A snapshot (ORIGIN NULL)
 * knows keys only and finds the same writer from them (ledger_key_stored): at
 * a province a county's row is under its code or kept as "COUNTY:KEY", the
 * province's are keyed "province_…" or are its roster's rows; at a county,
 * "province_…" rows and the roster's rows of other counties are the
 * province's, every other row the county's.
 */
static const char *
s_county_of(const struct sink *s, const struct table_def *t, const char *key, size_t keylen,
    const char *origin)
{
	if (t->owner == OWNER_TOWNSHIP && keylen >= COUNTY_LEN)
		return key;
	if (origin)
		return origin;
	if (s_digits6(key, keylen) && keylen > COUNTY_LEN && key[COUNTY_LEN] == ':')
		return key;
	if (strcmp(s->county + 2, "0000") == 0)
		return s_digits6(key, keylen) && keylen > COUNTY_LEN && (key[COUNTY_LEN] == '/' ||
		    (key[COUNTY_LEN] >= '0' && key[COUNTY_LEN] <= '9')) ? key : s->county;
	if (strncmp(key, LEDGER_PROVINCE_KEY_PREFIX, strlen(LEDGER_PROVINCE_KEY_PREFIX)) == 0 ||
	    (strcmp(t->name, "roster_node") == 0 && keylen == COUNTY_LEN && s_digits6(key, keylen) &&
	    memcmp(key, s->county, COUNTY_LEN) != 0))
		return s->province;
	return s->county;
}

/* Every op of the change set BODY: its (table, key as stored). */
static int
s_collect(const struct sink *s, struct batch *b, const void *body, size_t len)
{
	struct changeset cs;
	char err[ERRBUF_SIZE];
	int rc = 0;

	if (changeset_decode(&cs, body, len, err, sizeof err) < 0)
		return 0;       /* applied, so it decoded once: nothing to copy if it does not now */
	if (b->ncs == b->cscap) {
		size_t cap = b->cscap ? 2 * b->cscap : 256;
		void *p = realloc(b->cs, cap * sizeof *b->cs);
		if (!p) {
			changeset_release(&cs);
			return -1;
		}
		b->cs = p;
		b->cscap = cap;
	}
	struct cs_row *r = &b->cs[b->ncs++];
	snprintf(r->origin, sizeof r->origin, "%s", cs.h.origin);
	r->seq = cs.h.seq;
	r->hlc = cs.h.hlc;
	r->nops = cs.h.nops;
	for (uint32_t i = 0; i < cs.h.nops && rc == 0; i++) {
		struct op_view op;
		const struct table_def *t;
		if (changeset_op(&cs, i, &op, err, sizeof err) < 0 ||
		    !(t = schema_table(op.table, op.table_len)))
			continue;
		char key[LEDGER_STORED_KEY_MAX];
		ledger_key_stored(s->county, cs.h.origin, t, op.key, op.key_len, key, sizeof key);
		rc = s_touch(b, s_table_index(t), s_county_of(s, t, key, strlen(key), cs.h.origin), key,
		    strlen(key));
	}
	changeset_release(&cs);
	return rc;
}

static int
s_touched_cmp(const void *a, const void *b)
{
	const struct touched *x = a, *y = b;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	int c = strcmp(x->county, y->county);
	return c ? c : strcmp(x->key, y->key);
}

/* Sort by table, drop repeats. */
static void
s_dedupe(struct batch *b)
{
	size_t j = 0;

	if (b->n == 0)
		return;
	qsort(b->t, b->n, sizeof *b->t, s_touched_cmp);
	for (size_t i = 0; i < b->n; i++) {
		if (j > 0 && s_touched_cmp(&b->t[j - 1], &b->t[i]) == 0) {
			free(b->t[i].key);
			continue;
		}
		b->t[j++] = b->t[i];
	}
	b->n = j;
}

/*
 * The next change sets after the cursors, from the read transaction the
 * caller opened.  On a fresh start: no change sets, every row instead, and
 * the cursors at the end of the ledger as it stands.
 */
static int
s_read_batch(struct sink *s, struct batch *b)
{
	static const char *const q[2] = {
		"SELECT rowid, body, applied FROM changeset WHERE rowid > ?1 AND applied <> 0 "
		"ORDER BY rowid LIMIT ?2",
		"SELECT rowid, body, applied FROM changeset WHERE applied > ?1 AND applied > 1 "
		"ORDER BY applied LIMIT ?2",
	};
	sqlite3_stmt *st = NULL;

	b->rowid = s->rowid;
	b->applied = s->applied;
	if (s->fresh) {
		b->snapshot = 1;
		if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(rowid), 0), coalesce(max(applied), 0) "
		    "FROM changeset", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return -1;
		}
		b->rowid = sqlite3_column_int64(st, 0);
		b->applied = sqlite3_column_int64(st, 1);
		sqlite3_finalize(st);
		return 0;
	}
	for (int k = 0; k < 2; k++) {
		if (sqlite3_prepare_v2(s->db, q[k], -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_int64(st, 1, k == 0 ? s->rowid : s->applied);
		sqlite3_bind_int(st, 2, (int)s->batch);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (s_collect(s, b, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)) < 0) {
				sqlite3_finalize(st);
				return -1;
			}
			int64_t v = sqlite3_column_int64(st, k == 0 ? 0 : 2);
			if (k == 0 && v > b->rowid)
				b->rowid = v;
			if (k == 1 && v > b->applied)
				b->applied = v;
		}
		sqlite3_finalize(st);
	}
	s_dedupe(b);
	return 0;
}

/* ---- COPY ------------------------------------------------------------------------ */

#define COPY_CHUNK (1 << 20)    /* bytes of COPY text sent at once */

static void
s_put(msgpack_sbuffer *b, const char *p, size_t n)
{
	msgpack_sbuffer_write(b, p, n);
}

/* One text value in COPY's text format. */
static void
s_copy_text(msgpack_sbuffer *b, const unsigned char *p, int n)
{
	int from = 0;

	for (int i = 0; i < n; i++) {
		const char *esc = p[i] == '\\' ? "\\\\" : p[i] == '\t' ? "\\t" : p[i] == '\n' ? "\\n" :
		    p[i] == '\r' ? "\\r" : NULL;
		if (!esc)
			continue;
		s_put(b, (const char *)p + from, (size_t)(i - from));
		s_put(b, esc, 2);
		from = i + 1;
	}
	s_put(b, (const char *)p + from, (size_t)(n - from));
}

/* Column I of ST, of TYPE, in COPY's text format. */
static void
s_copy_value(msgpack_sbuffer *b, sqlite3_stmt *st, int i, enum col_type type)
{
	static const char hex[] = "0123456789abcdef";
	int vt = sqlite3_column_type(st, i);
	char num[24];

	if (vt == SQLITE_NULL || (type == COL_T_INT && vt != SQLITE_INTEGER)) {
		s_put(b, "\\N", 2);
	} else if (type == COL_T_INT) {
		s_put(b, num, (size_t)snprintf(num, sizeof num, "%lld",
		    (long long)sqlite3_column_int64(st, i)));
	} else if (type == COL_T_BLOB) {
		const unsigned char *p = sqlite3_column_blob(st, i);
		int n = sqlite3_column_bytes(st, i);
		s_put(b, "\\\\x", 3);
		for (int k = 0; k < n; k++) {
			char h[2] = { hex[p[k] >> 4], hex[p[k] & 15] };
			s_put(b, h, 2);
		}
	} else {
		s_copy_text(b, sqlite3_column_text(st, i), sqlite3_column_bytes(st, i));
	}
}

/* The row ST stands on (id, then T's columns), its COUNTY first. */
static void
s_copy_row(msgpack_sbuffer *b, const struct table_def *t, sqlite3_stmt *st, const char *county)
{
	s_put(b, county, strlen(county));
	s_put(b, "\t", 1);
	s_copy_value(b, st, 0, COL_T_TEXT);
	for (int i = 0; t->cols[i].name; i++) {
		s_put(b, "\t", 1);
		s_copy_value(b, st, i + 1, t->cols[i].type);
	}
	s_put(b, "\n", 1);
}

static int
s_copy_begin(struct sink *s, const char *stage)
{
	char sql[128];
	PGresult *r;
	int rc = 0;

	snprintf(sql, sizeof sql, "COPY \"%s\" FROM STDIN", stage);
	r = s_pq.exec(s->pg, sql);
	if (s_pq.resultStatus(r) != PGRES_COPY_IN) {
		log_warnx("sink: PostgreSQL: %s", s_pq.errorMessage(s->pg));
		rc = -1;
	}
	s_pq.clear(r);
	return rc;
}

/* Send what B holds (all of it if LAST, else once it is a chunk). */
static int
s_copy_flush(struct sink *s, msgpack_sbuffer *b, int last)
{
	if ((b->size >= COPY_CHUNK || (last && b->size)) &&
	    s_pq.putCopyData(s->pg, b->data, (int)b->size) != 1) {
		log_warnx("sink: PostgreSQL: %s", s_pq.errorMessage(s->pg));
		return -1;
	}
	if (b->size >= COPY_CHUNK || last)
		msgpack_sbuffer_clear(b);
	return 0;
}

static int
s_copy_end(struct sink *s, msgpack_sbuffer *b)
{
	PGresult *r;
	int rc = 0;

	if (s_copy_flush(s, b, 1) < 0 || s_pq.putCopyEnd(s->pg, NULL) != 1) {
		log_warnx("sink: PostgreSQL: %s", s_pq.errorMessage(s->pg));
		rc = -1;
	}
	while ((r = s_pq.getResult(s->pg))) {
		if (s_pq.resultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
			log_warnx("sink: PostgreSQL: %s", s_pq.errorMessage(s->pg));
			rc = -1;
		}
		s_pq.clear(r);
	}
	return rc;
}

/* From the staging table into the table: new rows, and changed ones replaced whole. */
static int
s_merge(struct sink *s, const struct table_def *t)
{
	msgpack_sbuffer b;
	int rc;

	msgpack_sbuffer_init(&b);
	char head[256];
	s_put(&b, head, (size_t)snprintf(head, sizeof head, "INSERT INTO \"%s\" SELECT * FROM "
	    "\"stage_%s\" ON CONFLICT (county, id) DO %s", t->name, t->name,
	    t->cols[0].name ? "UPDATE SET " : "NOTHING"));
	for (int i = 0; t->cols[i].name; i++) {
		char set[160];
		s_put(&b, set, (size_t)snprintf(set, sizeof set, "%s\"%s\" = EXCLUDED.\"%s\"",
		    i ? ", " : "", t->cols[i].name, t->cols[i].name));
	}
	s_put(&b, "", 1);
	rc = s_pg(s, b.data);
	msgpack_sbuffer_destroy(&b);
	return rc;
}

/* ---- one batch ----------------------------------------------------------------- */

static int
s_is_county(const char *c)
{
	for (int i = 0; i < COUNTY_LEN; i++)
		if (c[i] < '0' || c[i] > '9')
			return 0;
	return c[COUNTY_LEN] == '\0';
}

/* The partitions of COUNTY (digits) or the default one (anything else), once a connection. */
static int
s_partition(struct sink *s, const char *county, char (*made)[COUNTY_LEN + 1], size_t *nmade)
{
	const char *name = s_is_county(county) ? county : "other";

	for (size_t i = 0; i < s->ncounties; i++)
		if (!strcmp(s->counties[i], name))
			return 0;
	for (size_t i = 0; i < *nmade; i++)
		if (!strcmp(made[i], name))
			return 0;
	msgpack_sbuffer b;
	char sql[256];
	msgpack_sbuffer_init(&b);
	s_put(&b, sql, (size_t)snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS "
	    "\"lika_changeset_%s\" PARTITION OF lika_changeset %s%s%s;", name,
	    s_is_county(county) ? "FOR VALUES IN ('" : "DEFAULT", s_is_county(county) ? county : "",
	    s_is_county(county) ? "')" : ""));
	for (const struct table_def *const *tp = schema_tables; *tp; tp++)
		s_put(&b, sql, (size_t)snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS \"%s_%s\" "
		    "PARTITION OF \"%s\" %s%s%s;", (*tp)->name, name, (*tp)->name,
		    s_is_county(county) ? "FOR VALUES IN ('" : "DEFAULT", s_is_county(county) ? county : "",
		    s_is_county(county) ? "')" : ""));
	s_put(&b, "", 1);
	int rc = s_pg(s, b.data);
	msgpack_sbuffer_destroy(&b);
	if (rc == 0)
		snprintf(made[(*nmade)++], COUNTY_LEN + 1, "%s", name);
	return rc;
}

/* Delete the rows of T that K[GONE[0..N)] name: no longer in the hub's state. */
static int
s_delete(struct sink *s, const struct table_def *t, const struct touched *k, const size_t *gone,
    size_t n)
{
	msgpack_sbuffer b;
	char head[160];
	int rc = 0;

	msgpack_sbuffer_init(&b);
	s_put(&b, head, (size_t)snprintf(head, sizeof head, "DELETE FROM \"%s\" WHERE (county, id) IN "
	    "(VALUES ", t->name));
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *c = s_pq.escapeLiteral(s->pg, k[gone[i]].county, strlen(k[gone[i]].county));
		char *id = s_pq.escapeLiteral(s->pg, k[gone[i]].key, strlen(k[gone[i]].key));
		if (c && id) {
			s_put(&b, i ? ", (" : "(", i ? 3 : 1);
			s_put(&b, c, strlen(c));
			s_put(&b, ", ", 2);
			s_put(&b, id, strlen(id));
			s_put(&b, ")", 1);
		} else {
			rc = -1;
		}
		s_pq.freemem(c);
		s_pq.freemem(id);
	}
	s_put(&b, ")", 2);      /* and the NUL */
	if (rc == 0)
		rc = s_pg(s, b.data);
	msgpack_sbuffer_destroy(&b);
	return rc;
}

/* SELECT of T's id and columns, in the order of the PostgreSQL table (ONE: by id). */
static char *
s_select(const struct table_def *t, int one)
{
	sqlite3_str *q = sqlite3_str_new(NULL);

	sqlite3_str_appendall(q, "SELECT id");
	for (int i = 0; t->cols[i].name; i++)
		sqlite3_str_appendf(q, ", \"%w\"", t->cols[i].name);
	sqlite3_str_appendf(q, " FROM \"%w\"%s", t->name, one ? " WHERE id = ?1" : "");
	return sqlite3_str_finish(q);
}

/*
 * Table T into PostgreSQL: every row (SNAPSHOT), or the keys K[0..N) (one
 * table, sorted): present ones copied and merged, absent ones deleted.
 */
static int
s_write_rows(struct sink *s, const struct table_def *t, const struct touched *k, size_t n,
    int snapshot)
{
	char stage[96], county[COUNTY_LEN + 1];
	msgpack_sbuffer b;
	sqlite3_stmt *st = NULL;
	char *sql = s_select(t, !snapshot);
	size_t *gone = calloc(n ? n : 1, sizeof *gone), ngone = 0;
	int rc = -1;

	msgpack_sbuffer_init(&b);
	snprintf(stage, sizeof stage, "stage_%s", t->name);
	if (!sql || !gone || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    s_copy_begin(s, stage) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; rc == 0 && (snapshot || i < n); i++) {
		if (!snapshot)
			sqlite3_bind_text(st, 1, k[i].key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			if (snapshot)
				break;
			gone[ngone++] = i;
		} else {
			const char *id = (const char *)sqlite3_column_text(st, 0);
			snprintf(county, sizeof county, "%s", snapshot ? s_county_of(s, t, id, strlen(id),
			    NULL) : k[i].county);
			s_copy_row(&b, t, st, county);
			rc = s_copy_flush(s, &b, 0);
		}
		if (!snapshot)
			sqlite3_reset(st);
	}
	if (s_copy_end(s, &b) < 0 || rc < 0)
		rc = -1;
	if (rc == 0)
		rc = s_merge(s, t);
	if (rc == 0 && ngone)
		rc = s_delete(s, t, k, gone, ngone);
out:
	sqlite3_free(sql);
	sqlite3_finalize(st);
	free(gone);
	msgpack_sbuffer_destroy(&b);
	return rc;
}

/* One row per change set, kept once by (origin, seq); then how far we got. */
static int
s_write_changesets(struct sink *s, const struct batch *b)
{
	msgpack_sbuffer m;
	char row[160], sql[512];
	int rc;

	sqlite3_stmt *st = NULL;
	size_t n = 0;

	msgpack_sbuffer_init(&m);
	rc = s_copy_begin(s, "stage_lika_changeset");
	/* the first run records every change set applied so far, the rows it copied */
	if (rc == 0 && b->snapshot && sqlite3_prepare_v2(s->db, "SELECT origin, seq, hlc, nops FROM "
	    "changeset WHERE applied <> 0 AND rowid <= ?1", -1, &st, NULL) != SQLITE_OK)
		rc = -1;
	sqlite3_bind_int64(st, 1, b->rowid);
	for (size_t i = 0; rc == 0; i++, n++) {
		struct cs_row c;
		if (st && sqlite3_step(st) == SQLITE_ROW) {
			snprintf(c.origin, sizeof c.origin, "%s", (const char *)sqlite3_column_text(st, 0));
			c.seq = (uint64_t)sqlite3_column_int64(st, 1);
			c.hlc = (uint64_t)sqlite3_column_int64(st, 2);
			c.nops = (uint32_t)sqlite3_column_int64(st, 3);
		} else if (!st && i < b->ncs) {
			c = b->cs[i];
		} else {
			break;
		}
		s_put(&m, row, (size_t)snprintf(row, sizeof row, "%.6s\t%s\t%llu\t%llu\t%u\n",
		    c.origin, c.origin, (unsigned long long)c.seq, (unsigned long long)c.hlc, c.nops));
		rc = s_copy_flush(s, &m, 0);
	}
	sqlite3_finalize(st);
	if (s_copy_end(s, &m) < 0)
		rc = -1;
	msgpack_sbuffer_destroy(&m);
	if (rc == 0 && n)
		rc = s_pg(s, "INSERT INTO lika_changeset SELECT * FROM stage_lika_changeset "
		    "ON CONFLICT DO NOTHING");
	if (rc < 0)
		return -1;
	char *node = s_pq.escapeLiteral(s->pg, s->node, strlen(s->node));
	if (!node)
		return -1;
	snprintf(sql, sizeof sql, "INSERT INTO lika_sink VALUES (%s, %lld, %lld, %zu, now()) "
	    "ON CONFLICT (node) DO UPDATE SET last_rowid = EXCLUDED.last_rowid, last_applied = "
	    "EXCLUDED.last_applied, changesets = lika_sink.changesets + EXCLUDED.changesets, "
	    "at = now()", node, (long long)b->rowid, (long long)b->applied, n);
	s_pq.freemem(node);
	return s_pg(s, sql);
}

/* The counties of B's rows: their partitions exist before the rows go in. */
static int
s_partitions(struct sink *s, const struct batch *b, char (**made)[COUNTY_LEN + 1], size_t *nmade)
{
	size_t cap = b->n + b->ncs + 2;
	sqlite3_stmt *st = NULL;

	*nmade = 0;
	/* a snapshot: every county a feed here belongs to (a province holds many) */
	if (b->snapshot && sqlite3_prepare_v2(s->db, "SELECT DISTINCT substr(origin, 1, 6) FROM feed",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (st && sqlite3_step(st) == SQLITE_ROW)
		cap++;
	if (!(*made = calloc(cap, sizeof **made))) {
		sqlite3_finalize(st);
		return -1;
	}
	int rc = b->snapshot ? s_partition(s, s->county, *made, nmade) : 0;
	if (rc == 0 && b->snapshot)
		rc = s_partition(s, s->province, *made, nmade);
	if (st)
		sqlite3_reset(st);
	while (rc == 0 && st && sqlite3_step(st) == SQLITE_ROW)
		rc = s_partition(s, (const char *)sqlite3_column_text(st, 0), *made, nmade);
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		if (s_partition(s, b->t[i].county, *made, nmade) < 0)
			return -1;
	for (size_t i = 0; i < b->ncs; i++) {
		char c[COUNTY_LEN + 1];
		snprintf(c, sizeof c, "%.6s", b->cs[i].origin);
		if (s_partition(s, c, *made, nmade) < 0)
			return -1;
	}
	return 0;
}

/* Batch B in one PostgreSQL transaction. */
static int
s_write_batch(struct sink *s, const struct batch *b)
{
	char (*made)[COUNTY_LEN + 1] = NULL;
	size_t nmade = 0;
	int rc = s_pg(s, "BEGIN");

	if (rc == 0)
		rc = s_partitions(s, b, &made, &nmade);
	for (unsigned ti = 0; rc == 0 && schema_tables[ti]; ti++) {
		size_t lo = 0, hi;
		while (lo < b->n && b->t[lo].table < ti)
			lo++;
		for (hi = lo; hi < b->n && b->t[hi].table == ti; hi++)
			;
		if (b->snapshot || hi > lo)
			rc = s_write_rows(s, schema_tables[ti], b->t + lo, hi - lo, b->snapshot);
	}
	if (rc == 0)
		rc = s_write_changesets(s, b);
	if (rc == 0)
		rc = s_pg(s, "COMMIT");
	if (rc == 0 && nmade) {
		void *p = realloc(s->counties, (s->ncounties + nmade) * sizeof *s->counties);
		if (p) {
			s->counties = p;
			memcpy(s->counties + s->ncounties, made, nmade * sizeof *made);
			s->ncounties += nmade;
		}
	}
	free(made);
	return rc;
}

/* ---- the thread ------------------------------------------------------------------ */

/*
 * What a batch read is on disk before PostgreSQL gets it: likad commits the
 * batches it receives without syncing and syncs the log before it
 * acknowledges them (walsync.c).  A copy must not hold a change set that a
 * crash of the machine could take from the ledger: its rowid would go to
 * another one, which the copy would then skip.  The read began after those
 * commits, so a sync now covers them; with nothing left unsynced it costs
 * little.  0, or -1 (errno).
 */
static int
s_synced(struct sink *s)
{
	const char *wal = sqlite3_filename_wal(sqlite3_db_filename(s->db, "main"));
	int fd;

	if (!wal || !*wal)
		return 0;           /* no log file (not WAL): commits sync themselves */
	if ((fd = open(wal, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;    /* no log: nothing in it unsynced */
	int rc = fdatasync(fd);
	close(fd);
	return rc;
}

/* One round: >0 change sets written, 0 nothing new, -1 PostgreSQL failed. */
static int
s_step(struct sink *s)
{
	struct batch b;
	int rc;

	memset(&b, 0, sizeof b);
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return 0;       /* the ledger is busy (a checkpoint): next round */
	rc = s_read_batch(s, &b);
	if (rc < 0) {
		log_warnx("sink: reading the ledger: %s", sqlite3_errmsg(s->db));
		rc = 0;
	} else if (!b.snapshot && b.ncs == 0) {
		rc = 0;
	} else if (s_synced(s) < 0) {
		log_warnx("sink: syncing the ledger's log: %s: copied once it can be", strerror(errno));
		rc = 0;
	} else if (s_write_batch(s, &b) < 0) {
		rc = -1;
	} else {
		s->rowid = b.rowid;
		s->applied = b.applied;
		s->written += b.ncs;
		if (b.snapshot)
			log_info("sink: every table copied to PostgreSQL");
		s->fresh = 0;
		s_view(s, "");
		rc = b.snapshot ? 1 : (int)b.ncs;
	}
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	s_batch_clear(&b);
	return rc;
}

/* Sleep MS, waking early when asked to stop. */
static void
s_nap(struct sink *s, int64_t ms)
{
	for (int64_t slept = 0; slept < ms && !atomic_load(&s->stop); slept += 50) {
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static void *
s_run(void *arg)
{
	struct sink *s = arg;
	int64_t wait = SINK_RETRY_MS, idle_since = mono_ms();

	pthread_setname_np(pthread_self(), "likad-sink");
	while (!atomic_load(&s->stop)) {
		if (!s->pg && s_connect(s) < 0) {
			s_nap(s, wait);
			wait = wait * 2 > SINK_RETRY_MAX_MS ? SINK_RETRY_MAX_MS : wait * 2;
			continue;
		}
		int n = s_step(s);
		if (n < 0) {
			log_warnx("sink: batch not written; reconnecting to PostgreSQL");
			s_disconnect(s);
			continue;
		}
		wait = SINK_RETRY_MS;
		if (n > 0) {
			idle_since = mono_ms();
		} else if (mono_ms() - idle_since >= SINK_PING_MS) {
			/* nothing to write for a while: is it still there?  (lika status says so) */
			idle_since = mono_ms();
			if (s_pg(s, "SELECT 1") < 0) {
				s_disconnect(s);
				continue;
			}
		}
		if (n == 0)
			s_nap(s, SINK_IDLE_MS);
	}
	return NULL;
}

int
sink_start(struct sink **sp, const char *dbpath, const char *conninfo, unsigned batch,
    const char *node, char *err, size_t errlen)
{
	struct sink *s;

	*sp = NULL;
	if (s_libpq(err, errlen) < 0)
		return -1;
	if (!(s = calloc(1, sizeof *s)))
		return errf(err, errlen, "sink: out of memory");
	pthread_mutex_init(&s->view_lock, NULL);
	if (!(s->dbpath = strdup(dbpath)) || !(s->conninfo = strdup(conninfo))) {
		sink_stop(&s);
		return errf(err, errlen, "sink: out of memory");
	}
	snprintf(s->node, sizeof s->node, "%s", node);
	s->batch = batch ? batch : 2000;
	snprintf(s->county, sizeof s->county, "%.6s", node);
	snprintf(s->province, sizeof s->province, "%.2s0000", node);
	if (sqlite3_open_v2(dbpath, &s->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		errf(err, errlen, "sink: %s: %s", dbpath, sqlite3_errmsg(s->db));
		sink_stop(&s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 1000);
	/* signals are the main thread's: the thread starts with every one blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&s->tid, NULL, s_run, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		sink_stop(&s);
		return errf(err, errlen, "sink: cannot start its thread");
	}
	*sp = s;
	return 0;
}

void
sink_stop(struct sink **sp)
{
	struct sink *s = *sp;

	if (!s)
		return;
	if (s->tid) {
		atomic_store(&s->stop, 1);
		pthread_join(s->tid, NULL);
	}
	if (s->pg)
		s_pq.finish(s->pg);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->view_lock);
	free(s->counties);
	free(s->dbpath);
	free(s->conninfo);
	free(s);
	*sp = NULL;
}
