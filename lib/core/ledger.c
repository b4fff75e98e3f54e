/* ledger.c — feeds of signed change sets and the state they produce */
#include "ledger.h"
#include "schema.h"
#include "util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STMT_CACHE 64
#define BUSY_TIMEOUT_MS 15000

/* Prepared upserts and deletes, one per (table, set of columns). */
struct stmt_entry {
	const struct table_def *t;
	uint64_t mask;          /* columns set; UINT64_MAX for the delete */
	sqlite3_stmt *st;
};
struct applier {
	sqlite3 *db;
	char dbname[16];
	struct stmt_entry e[STMT_CACHE];
	int n;
};

/* A feed's row: where its chain stands here. */
struct feed_row {
	uint64_t head_seq, applied_seq;
	uint8_t head_id[HASH_BYTES];
	char frozen[256];
	int exists;
};

/*
 * The feed row of the origin being received, kept in memory inside a
 * receiving transaction (ledger_recv_begin to its commit or rollback) and
 * written once, not once a change set: a batch is one origin's run.  Written
 * when the commit begins (before the held change sets are retried, which read
 * the table), before another origin's row is read or written, before
 * ledger_feed_heads reads the table, and whenever ledger_db() hands the
 * connection out.  SAVEPOINT recv keeps a copy (fc_sp): a rollback to it may
 * undo a write of the row made since, so it restores the copy too.
 */
struct feed_cache {
	int on, valid, dirty;
	int failed;                 /* a write failed where it could not say so */
	char origin[CODE_MAX];
	struct feed_row f;
};

struct ledger {
	sqlite3 *db;
	struct applier main;
	struct ledger_identity id;
	uint8_t sk[SECKEY_BYTES];
	int have_sk;
	sqlite3_stmt *st_head;
	sqlite3_stmt *st_cs_insert;
	sqlite3_stmt *st_feed_put;
	sqlite3_stmt *st_cs_id;
	sqlite3_stmt *st_roster_key;
	sqlite3_stmt *st_retired_key;
	sqlite3_stmt *st_meta_get, *st_meta_set;
	sqlite3_stmt *st_held;      /* feeds with change sets held (applied behind head) */
	sqlite3_stmt *st_unverified;    /* the first seq of a feed held unverified */
	sqlite3_stmt *st_heads, *st_sig_defer, *st_touch, *st_cs_get, *st_cs_each;
	sqlite3_stmt *st_sp[3];     /* SAVEPOINT recv, RELEASE recv, ROLLBACK TO recv */
	/*
	 * The last key ledger_origin_key_upto found: ORIGIN's for seqs FROM..LAST.
	 * Kept only inside one write transaction (no other connection can change
	 * the roster meanwhile), dropped when it ends or writes roster_node.
	 */
	struct {
		int valid;
		char origin[CODE_MAX];
		uint64_t from, last;
		uint8_t pk[PUBKEY_BYTES];
	} keys;
	struct feed_cache fc, fc_sp;    /* fc_sp: fc at SAVEPOINT recv */
	char sig_last[CODE_MAX];    /* the feed ledger_sig_check looked at last */
	uint64_t recv_hlc;          /* highest clock received in this transaction */
	ledger_rule_fn rules;       /* the application's rules (ledger_set_rules) */
	uint64_t epoch;             /* bumped whenever applied state may be undone or rebuilt */
	void *rules_arg;
	void (*rules_release)(void *);
	ledger_stamp_fn stamp;      /* ledger_set_stamp */
	void *stamp_arg;
	int sync_normal;            /* ledger_set_synchronous "normal": nothing is synced at commit */
	int recv_lazy;              /* ledger_set_recv_lazy: receiving commits are not synced */
	int lazy_open;              /* this transaction runs at synchronous=NORMAL */
};

#define LEDGER_INDEX_APPLIED_LATER \
    "CREATE INDEX IF NOT EXISTS changeset_applied_later ON changeset (applied) WHERE applied > 1"

#define LEDGER_TABLE_UNVERIFIED \
    "CREATE TABLE IF NOT EXISTS changeset_unverified (" \
    "  origin TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (origin, seq)) WITHOUT ROWID"

static const char s_ledger_ddl[] =
    "CREATE TABLE IF NOT EXISTS meta ("
    "  key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    /*
     * one row per change set of every feed we hold; body and sig as received.
     * applied: 0 held (newer schema, or a rule waits); 1 applied when stored; N > 1 applied
     * later.  Replay order: rowid << 20 for 1, N itself otherwise; a row
     * applied later gets one more than every order key so far.
     */
    "CREATE TABLE IF NOT EXISTS changeset ("
    "  origin TEXT NOT NULL, seq INTEGER NOT NULL, id BLOB NOT NULL, prev BLOB NOT NULL,"
    "  hlc INTEGER NOT NULL, schema INTEGER NOT NULL, author BLOB NOT NULL,"
    "  nops INTEGER NOT NULL, body BLOB NOT NULL, sig BLOB NOT NULL,"
    "  stored_at INTEGER NOT NULL, applied INTEGER NOT NULL DEFAULT 1,"
    "  PRIMARY KEY (origin, seq));"
    /* the change sets applied after they were stored, in that order (a sink follows them) */
    LEDGER_INDEX_APPLIED_LATER ";"
    /*
     * change sets held before their signature could be checked: a township's
     * whose key its county has not published here yet ("wait, don't refuse").
     * Checked, then applied, when the key arrives; never sent on before.
     */
    LEDGER_TABLE_UNVERIFIED ";"
    "CREATE TABLE IF NOT EXISTS feed ("
    "  origin TEXT PRIMARY KEY NOT NULL, head_seq INTEGER NOT NULL, head_id BLOB NOT NULL,"
    "  applied_seq INTEGER NOT NULL, frozen TEXT, updated_at INTEGER NOT NULL);"
    /* refused change sets and fork evidence: never applied */
    "CREATE TABLE IF NOT EXISTS quarantine ("
    "  n INTEGER PRIMARY KEY, origin TEXT, seq INTEGER, id BLOB, body BLOB, sig BLOB,"
    "  kind TEXT NOT NULL, reason TEXT NOT NULL, peer TEXT, at INTEGER NOT NULL,"
    "  resolved_at INTEGER);";

/*
 * Feeds with change sets stored on the chain's authority whose own
 * signatures are still to be checked: every seq <= checked has been; bad is
 * the seq whose signature was found bad (checking stops there).  No row: every
 * signature of the feed checked.  Created at every open (older ledgers lack it).
 */
static const char s_sig_pending_ddl[] =
    "CREATE TABLE IF NOT EXISTS sig_pending ("
    "  origin TEXT PRIMARY KEY NOT NULL, checked INTEGER NOT NULL, bad INTEGER);";

/*
 * For lika status in constant time: each household this node's own change
 * sets changed, with the last own seq that changed it.  Households changed in
 * change sets the county has not acknowledged (seq > acked) are counted from
 * the index instead of decoding the backlog.  Written by ledger_append;
 * filled from the own feed when an older ledger is first opened.
 */
static const char s_own_touch_ddl[] =
    "CREATE TABLE IF NOT EXISTS own_touch ("
    "  key TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS own_touch_seq ON own_touch (seq);";

static const uint8_t s_zero_hash[HASH_BYTES];

const char *
recv_result_name(enum recv_result r)
{
	switch (r) {
	case RECV_STORED: return "stored";
	case RECV_HELD: return "held";
	case RECV_DUPLICATE: return "duplicate";
	case RECV_GAP: return "gap";
	case RECV_REFUSED: return "refused";
	case RECV_FORK: return "fork";
	case RECV_FROZEN: return "frozen";
	}
	return "?";
}

static int
s_sqlerr(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	return errf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
}

static int
s_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Waiting for another writer's lock.  SQLite's own handler sleeps 1, 2, 5,
 * 10 ... ms, so a clerk's write that meets likad's few-millisecond
 * transaction waits 8 ms or more; these steps wake close to the release.
 */
static int
s_busy(void *arg, int n)
{
	static const int step_us[] = { 100, 200, 400, 800, 1600, 3200, 6400, 10000 };
	const int last = (int)(sizeof step_us / sizeof step_us[0]) - 1;
	int64_t waited = 0;

	(void)arg;
	for (int i = 0; i < n; i++)
		waited += step_us[i < last ? i : last];
	if (waited >= (int64_t)BUSY_TIMEOUT_MS * 1000)
		return 0;
	int us = step_us[n < last ? n : last];
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
	return 1;
}

/* Prepare once and keep (statements on ledger tables survive for the connection). */
static sqlite3_stmt *
s_prep(struct ledger *l, sqlite3_stmt **slot, const char *sql)
{
	if (!*slot && sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(*slot);
	sqlite3_clear_bindings(*slot);
	return *slot;
}

/* ---- keys of origins, cached inside a write transaction ------------------------ */

static int
s_keys_commit(void *arg)
{
	struct ledger *l = arg;

	l->keys.valid = 0;
	/* a feed row not yet written would be lost: refuse the commit (cannot happen) */
	return l->fc.dirty;
}

static void
s_keys_rollback(void *arg)
{
	struct ledger *l = arg;

	l->keys.valid = 0;
	memset(&l->fc, 0, sizeof l->fc);
}

/* Run savepoint statement I (SAVEPOINT, RELEASE, ROLLBACK TO recv), prepared once. */
static int
s_savepoint(struct ledger *l, int i)
{
	static const char *const sql[] = { "SAVEPOINT recv", "RELEASE recv", "ROLLBACK TO recv" };
	sqlite3_stmt *st = s_prep(l, &l->st_sp[i], sql[i]);

	if (i == 2)
		l->keys.valid = 0;      /* a roster row it read may be undone */
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (i == 0)
		l->fc_sp = l->fc;
	else if (i == 2)
		l->fc = l->fc_sp;       /* a write of the feed row since may be undone */
	return 0;
}

/* ---- applying ops ------------------------------------------------------------ */

static void
s_applier_init(struct applier *a, sqlite3 *db, const char *dbname)
{
	memset(a, 0, sizeof *a);
	a->db = db;
	snprintf(a->dbname, sizeof a->dbname, "%s", dbname);
}

static void
s_applier_clear(struct applier *a)
{
	for (int i = 0; i < a->n; i++)
		sqlite3_finalize(a->e[i].st);
	a->n = 0;
}

static sqlite3_stmt *
s_applier_stmt(struct applier *a, const struct table_def *t, uint64_t mask)
{
	/* reset after each step; every parameter is bound again before the next */
	for (int i = 0; i < a->n; i++)
		if (a->e[i].t == t && a->e[i].mask == mask)
			return a->e[i].st;
	if (a->n == STMT_CACHE)
		s_applier_clear(a);

	sqlite3_str *s = sqlite3_str_new(a->db);
	if (mask == UINT64_MAX) {
		sqlite3_str_appendf(s, "DELETE FROM \"%w\".\"%w\" WHERE id = ?1", a->dbname, t->name);
	} else {
		sqlite3_str_appendf(s, "INSERT INTO \"%w\".\"%w\" (id", a->dbname, t->name);
		for (int c = 0; t->cols[c].name; c++)
			if (mask & (UINT64_C(1) << c))
				sqlite3_str_appendf(s, ", \"%w\"", t->cols[c].name);
		sqlite3_str_appendf(s, ") VALUES (?1");
		int p = 2;
		for (int c = 0; t->cols[c].name; c++)
			if (mask & (UINT64_C(1) << c))
				sqlite3_str_appendf(s, ", ?%d", p++);
		sqlite3_str_appendf(s, ") ON CONFLICT (id) DO ");
		if (mask == 0) {
			sqlite3_str_appendf(s, "NOTHING");
		} else {
			sqlite3_str_appendf(s, "UPDATE SET ");
			const char *sep = "";
			for (int c = 0; t->cols[c].name; c++)
				if (mask & (UINT64_C(1) << c)) {
					sqlite3_str_appendf(s, "%s\"%w\" = excluded.\"%w\"", sep,
					    t->cols[c].name, t->cols[c].name);
					sep = ", ";
				}
		}
	}
	char *sql = sqlite3_str_finish(s);
	sqlite3_stmt *st = NULL;
	if (!sql || sqlite3_prepare_v3(a->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return NULL;
	}
	sqlite3_free(sql);
	a->e[a->n].t = t;
	a->e[a->n].mask = mask;
	a->e[a->n].st = st;
	a->n++;
	return st;
}

void
ledger_key_stored(const char *top, const char *origin, const struct table_def *t, const char *key,
    size_t len, char *out, size_t outlen)
{
	size_t olen = strlen(origin);

	/* a county's roster rows are checked instead (its townships'), but for the province's */
	int roster = strcmp(t->name, "roster_node") == 0 &&
	    !(len == strlen(top) && memcmp(key, top, len) == 0);
	if (t->owner == OWNER_COUNTY && code_role(top) == ROLE_PROVINCE &&
	    code_role(origin) == ROLE_COUNTY && !roster && (len < olen || memcmp(key, origin, olen) != 0))
		snprintf(out, outlen, "%s:%.*s", origin, (int)len, key);
	else if (outlen) {
		/* every op of every change set passes here: no snprintf for a plain copy */
		if (len >= outlen)
			len = outlen - 1;
		memcpy(out, key, len);
		out[len] = '\0';
	}
}

void
ledger_stored_key(const struct ledger *l, const char *origin, const struct table_def *t,
    const char *key, size_t len, char *out, size_t outlen)
{
	ledger_key_stored(l->id.county, origin, t, key, len, out, outlen);
}

/* Is column NAME of OP the bytes VALUE (LEN bytes)? */
static int
s_op_blob_is(const struct op_view *op, const char *name, const uint8_t *value, size_t len)
{
	for (uint32_t c = 0; op->cols && c < op->cols->size; c++) {
		const msgpack_object *k = &op->cols->ptr[c].key, *v = &op->cols->ptr[c].val;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(name) &&
		    memcmp(k->via.str.ptr, name, k->via.str.size) == 0)
			return v->type == MSGPACK_OBJECT_BIN && v->via.bin.size == len &&
			    memcmp(v->via.bin.ptr, value, len) == 0;
	}
	return 0;
}

/*
 * County-owned rows in a province (proto/STORAGE.md, "Owners"): at a
 * province, every county of it writes them, and a county's roster rows are
 * those of its own townships (key: a township code under it, or its retired
 * key "CODE/UPTO"), or the province's own row carrying the province's key,
 * so that no county can admit or re-key anyone else.  Everywhere, the
 * province's feed writes county-owned rows keyed "province_…" (province
 * policy), and no county writes such a key; its roster rows (of counties)
 * come down with it and are kept, never used below (a county's key is its
 * own at the county, lika.conf's at a township).  0, or -1 with the rule in ERR.
 */
static int
s_owner_county(const struct ledger *l, const char *origin, const struct table_def *t,
    const struct op_view *op, char *err, size_t errlen)
{
	static const char pfx[] = LEDGER_PROVINCE_KEY_PREFIX;
	int province_key = op->key_len >= sizeof pfx - 1 && memcmp(op->key, pfx, sizeof pfx - 1) == 0;
	size_t olen = strlen(origin);

	if (l->id.province[0] && strcmp(origin, l->id.province) == 0) {
		char key[CODE_MAX];
		/* its roster (the counties' rows) comes down with its feed: harmless below */
		int county_row = strcmp(t->name, "roster_node") == 0 && op->key_len == 6 &&
		    (memcpy(key, op->key, 6), key[6] = '\0', code_role(key) == ROLE_COUNTY);
		if (strcmp(origin, l->id.county) == 0 || province_key || county_row)
			return 0;
		return errf(err, errlen, "row \"%.*s\" of \"%s\": the province writes keys beginning "
		    "\"%s\" (and its roster's county rows) only", (int)op->key_len, op->key, t->name, pfx);
	}
	if (province_key)
		return errf(err, errlen, "row \"%.*s\" of \"%s\" is the province's to write, not %s's",
		    (int)op->key_len, op->key, t->name, origin);
	if (strcmp(origin, l->id.county) == 0)
		return 0;
	if (code_role(l->id.county) != ROLE_PROVINCE || code_role(origin) != ROLE_COUNTY ||
	    strncmp(origin, l->id.county, 2) != 0)
		return errf(err, errlen, "table \"%s\" is written by the county (%s) only, not by %s",
		    t->name, l->id.county, origin);
	if (strcmp(t->name, "roster_node") != 0)
		return 0;
	if (op->key_len == strlen(l->id.county) && memcmp(op->key, l->id.county, op->key_len) == 0) {
		if (op->kind == OP_UPSERT && s_op_blob_is(op, "pubkey", l->id.county_pk, PUBKEY_BYTES))
			return 0;
		return errf(err, errlen, "county %s's roster row for the province must carry the "
		    "province's key", origin);
	}
	if (op->key_len < olen + 3 || memcmp(op->key, origin, olen) != 0 ||
	    op->key[olen] < '0' || op->key[olen] > '9')
		return errf(err, errlen, "roster row \"%.*s\" is not of a township of county %s",
		    (int)op->key_len, op->key, origin);
	return 0;
}

/* May ORIGIN write row KEY of table T?  0 if so, else -1 with the rule in ERR. */
static int
s_owner_check(const struct ledger *l, const char *origin, const struct table_def *t,
    const struct op_view *op, char *err, size_t errlen)
{
	size_t olen = strlen(origin);

	switch (t->owner) {
	case OWNER_COUNTY:
		return s_owner_county(l, origin, t, op, err, errlen);
	case OWNER_TOWNSHIP:
		if (code_role(origin) != ROLE_TOWNSHIP)
			return errf(err, errlen, "table \"%s\" is written by townships, not by %s",
			    t->name, origin);
		if (op->key_len < olen || memcmp(op->key, origin, olen) != 0)
			return errf(err, errlen, "row \"%.*s\" of \"%s\" does not belong to township %s",
			    (int)op->key_len, op->key, t->name, origin);
		return 0;
	case OWNER_NODE:
		if (op->key_len <= olen || memcmp(op->key, origin, olen) != 0 || op->key[olen] != '/')
			return errf(err, errlen, "row \"%.*s\" of \"%s\" is not keyed by its writer %s",
			    (int)op->key_len, op->key, t->name, origin);
		return 0;
	}
	return errf(err, errlen, "table \"%s\": unknown owner", t->name);
}

static int
s_bind_value(sqlite3_stmt *st, int p, const struct column_def *c, const msgpack_object *v,
    char *err, size_t errlen)
{
	int rc;

	switch (v->type) {
	case MSGPACK_OBJECT_NIL:
		rc = sqlite3_bind_null(st, p);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		if (c->type != COL_T_INT)
			return errf(err, errlen, "column \"%s\" takes %s, not an integer", c->name,
			    c->type == COL_T_TEXT ? "text" : "bytes");
		rc = sqlite3_bind_int64(st, p, v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ?
		    (int64_t)v->via.u64 : v->via.i64);
		break;
	case MSGPACK_OBJECT_STR:
		if (c->type != COL_T_TEXT)
			return errf(err, errlen, "column \"%s\" does not take text", c->name);
		rc = sqlite3_bind_text(st, p, v->via.str.ptr, (int)v->via.str.size, SQLITE_STATIC);
		break;
	case MSGPACK_OBJECT_BIN:
		if (c->type != COL_T_BLOB)
			return errf(err, errlen, "column \"%s\" does not take bytes", c->name);
		rc = sqlite3_bind_blob(st, p, v->via.bin.ptr, (int)v->via.bin.size, SQLITE_STATIC);
		break;
	default:
		return errf(err, errlen, "column \"%s\": value of unknown type", c->name);
	}
	return rc == SQLITE_OK ? 0 : errf(err, errlen, "column \"%s\": cannot bind", c->name);
}

/* Offer an op (or the change set's end) to the application's rules. */
static int
s_rule(struct ledger *l, struct applier *a, const struct changeset *cs, struct ledger_rule_op *ro,
    enum ledger_rule_phase phase, char *err, size_t errlen)
{
	if (!l->rules)
		return 0;
	ro->phase = phase;
	ro->db = a->db;
	ro->dbname = a->dbname;
	ro->cs = &cs->h;
	ro->epoch = l->epoch;
	return l->rules(l->rules_arg, l, ro, err, errlen);
}

/* What a rule said of op I (UINT32_MAX: the change set's end): -1, or LEDGER_RULE_WAIT. */
static int
s_said(int rc, char *err, size_t errlen, uint32_t i, const char *why)
{
	if (i == UINT32_MAX)
		errf(err, errlen, "%s", why);
	else
		errf(err, errlen, "op %u: %s", i, why);
	return rc == LEDGER_RULE_WAIT ? LEDGER_RULE_WAIT : -1;
}

/*
 * Apply every op of CS into A's database.  Nothing is rolled back here.
 * 0, -1 (ERR says why), or LEDGER_RULE_WAIT (a rule waits for another feed).
 */
static int
s_apply(struct ledger *l, struct applier *a, const struct changeset *cs, char *err, size_t errlen)
{
	char why[ERRBUF_SIZE];
	char key[LEDGER_STORED_KEY_MAX];
	int rc;

	for (uint32_t i = 0; i < cs->h.nops; i++) {
		struct op_view op;
		if (changeset_op(cs, i, &op, why, sizeof why) < 0)
			return errf(err, errlen, "%s", why);
		const struct table_def *t = schema_table(op.table, op.table_len);
		if (!t)
			return errf(err, errlen, "op %u: unknown table \"%.*s\"", i, (int)op.table_len, op.table);
		if (s_owner_check(l, cs->h.origin, t, &op, why, sizeof why) < 0)
			return errf(err, errlen, "op %u: %s", i, why);

		uint64_t mask = 0;
		int colidx[SCHEMA_MAX_COLS + 1];
		if (op.cols->size > SCHEMA_MAX_COLS)
			return errf(err, errlen, "op %u: too many columns", i);
		for (uint32_t c = 0; c < op.cols->size; c++) {
			const msgpack_object *k = &op.cols->ptr[c].key;
			int ci = schema_column(t, k->via.str.ptr, k->via.str.size);
			if (ci < 0)
				return errf(err, errlen, "op %u: table \"%s\" has no column \"%.*s\"", i, t->name,
				    (int)k->via.str.size, k->via.str.ptr);
			if (mask & (UINT64_C(1) << ci))
				return errf(err, errlen, "op %u: column \"%s\" given twice", i, t->cols[ci].name);
			mask |= UINT64_C(1) << ci;
			colidx[c] = ci;
		}
		/* the codec bounds keys to KEY_MAX bytes; a province may put "CODE:" before it */
		ledger_stored_key(l, cs->h.origin, t, op.key, op.key_len, key, sizeof key);
		op.key = key;
		op.key_len = strlen(key);
		struct ledger_rule_op ro = {
			.index = i, .table = t->name, .key = key, .deleted = op.kind == OP_DELETE,
			.cols = op.kind == OP_DELETE ? NULL : op.cols, .key_len = op.key_len,
		};
		if ((rc = s_rule(l, a, cs, &ro, LEDGER_RULE_BEFORE, why, sizeof why)) != 0)
			return s_said(rc, err, errlen, i, why);

		sqlite3_stmt *st = s_applier_stmt(a, t, op.kind == OP_DELETE ? UINT64_MAX : mask);
		if (!st)
			return s_sqlerr(a->db, err, errlen, "prepare apply");
		sqlite3_bind_text(st, 1, op.key, (int)op.key_len, SQLITE_STATIC);
		if (op.kind == OP_UPSERT) {
			for (uint32_t c = 0; c < op.cols->size; c++) {
				int ci = colidx[c];
				/* parameter = 2 + number of set columns before this one */
				int p = 2 + __builtin_popcountll(mask & ((UINT64_C(1) << ci) - 1));
				if (s_bind_value(st, p, &t->cols[ci], &op.cols->ptr[c].val, why, sizeof why) < 0)
					return errf(err, errlen, "op %u: %s", i, why);
			}
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (strcmp(t->name, "roster_node") == 0)
			l->keys.valid = 0;
		if (rc != SQLITE_DONE)
			return s_sqlerr(a->db, err, errlen, "apply");
		if ((rc = s_rule(l, a, cs, &ro, LEDGER_RULE_AFTER, why, sizeof why)) != 0)
			return s_said(rc, err, errlen, i, why);
	}
	struct ledger_rule_op end = { .index = cs->h.nops };
	if ((rc = s_rule(l, a, cs, &end, LEDGER_RULE_END, why, sizeof why)) != 0)
		return s_said(rc, err, errlen, UINT32_MAX, why);
	return 0;
}

/* ---- open and close -------------------------------------------------------- */

static int s_unverified_first(struct ledger *l, const char *origin, uint64_t *seq);
static int s_roster_key(struct ledger *l, const char *origin, uint8_t pk[PUBKEY_BYTES]);
static int s_apply_held(struct ledger *l, char *err, size_t errlen);
static int s_retry_held(struct ledger *l, char *err, size_t errlen);
static int s_wait_note(struct ledger *l, const char *origin, uint64_t seq, const char *why);
static int s_local_tables(struct ledger *l, char *err, size_t errlen);

int
ledger_open(struct ledger **lp, const char *path, int flags, char *err, size_t errlen)
{
	struct ledger *l;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	*lp = NULL;
	if (sodium_init() < 0)
		return errf(err, errlen, "libsodium failed to initialise");
	if (flags & LEDGER_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (!(l = calloc(1, sizeof *l)))
		return errf(err, errlen, "out of memory");
	if (sqlite3_open_v2(path, &l->db, oflags, NULL) != SQLITE_OK) {
		errf(err, errlen, "cannot open ledger \"%s\": %s", path,
		    l->db ? sqlite3_errmsg(l->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_handler(l->db, s_busy, NULL);
	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_commit_hook(l->db, s_keys_commit, l);
	sqlite3_rollback_hook(l->db, s_keys_rollback, l);
	if (s_exec(l->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;",
	    err, errlen) < 0)
		goto fail;
	if (flags & LEDGER_CREATE) {
		if (s_exec(l->db, "BEGIN IMMEDIATE", err, errlen) < 0)
			goto fail;
		if (s_exec(l->db, s_ledger_ddl, err, errlen) < 0 ||
		    schema_create(l->db, "main", err, errlen) < 0 ||
		    s_exec(l->db, "COMMIT", err, errlen) < 0) {
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
			goto fail;
		}
	} else {
		sqlite3_stmt *st = NULL;
		/* added after the first release: made on the first open that can write */
		if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM sqlite_master WHERE name = "
		    "'changeset_applied_later'", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) != SQLITE_ROW)
			sqlite3_exec(l->db, LEDGER_INDEX_APPLIED_LATER, NULL, NULL, NULL);
		sqlite3_finalize(st);
		st = NULL;
		int ok = sqlite3_prepare_v2(l->db, "SELECT 1 FROM meta LIMIT 1", -1, &st, NULL) == SQLITE_OK;
		sqlite3_finalize(st);
		if (!ok) {
			errf(err, errlen, "\"%s\" is not a lika ledger: %s", path, sqlite3_errmsg(l->db));
			goto fail;
		}
		/*
		 * tables added by a newer schema appear on first open after an
		 * upgrade; otherwise opening writes nothing, so it does not wait for
		 * another writer's lock
		 */
		if (!schema_present(l->db) && schema_create(l->db, "main", err, errlen) < 0)
			goto fail;
	}
	if (s_local_tables(l, err, errlen) < 0)
		goto fail;
	s_applier_init(&l->main, l->db, "main");
	*lp = l;
	return 0;
fail:
	sqlite3_close(l->db);
	free(l);
	return -1;
}

void
ledger_close(struct ledger **lp)
{
	struct ledger *l;

	if (!lp || !(l = *lp))
		return;
	ledger_set_rules(l, NULL, NULL, NULL);     /* its statements go before the database */
	s_applier_clear(&l->main);
	sqlite3_finalize(l->st_head);
	sqlite3_finalize(l->st_cs_insert);
	sqlite3_finalize(l->st_feed_put);
	sqlite3_finalize(l->st_cs_id);
	sqlite3_finalize(l->st_roster_key);
	sqlite3_finalize(l->st_retired_key);
	sqlite3_finalize(l->st_meta_get);
	sqlite3_finalize(l->st_meta_set);
	sqlite3_finalize(l->st_held);
	sqlite3_finalize(l->st_unverified);
	sqlite3_finalize(l->st_heads);
	sqlite3_finalize(l->st_sig_defer);
	sqlite3_finalize(l->st_touch);
	sqlite3_finalize(l->st_cs_get);
	sqlite3_finalize(l->st_cs_each);
	for (size_t i = 0; i < sizeof l->st_sp / sizeof l->st_sp[0]; i++)
		sqlite3_finalize(l->st_sp[i]);
	sqlite3_close(l->db);
	sodium_memzero(l->sk, sizeof l->sk);
	free(l);
	*lp = NULL;
}

int
ledger_table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int yes;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static int s_feed_flush(struct ledger *l);

sqlite3 *
ledger_db(struct ledger *l)
{
	/* whoever asks may read the feed table */
	if (s_feed_flush(l) < 0)
		l->fc.failed = 1;
	return l->db;
}

int
ledger_set_synchronous(struct ledger *l, const char *mode, char *err, size_t errlen)
{
	if (strcmp(mode, "full") == 0) {
		l->sync_normal = 0;
		return s_exec(l->db, "PRAGMA synchronous=FULL", err, errlen);
	}
	if (strcmp(mode, "normal") == 0) {
		l->sync_normal = 1;
		return s_exec(l->db, "PRAGMA synchronous=NORMAL", err, errlen);
	}
	return errf(err, errlen, "synchronous \"%s\" is neither \"full\" nor \"normal\"", mode);
}

void
ledger_set_identity(struct ledger *l, const struct ledger_identity *id, const uint8_t *sk)
{
	l->id = *id;
	if (sk) {
		memcpy(l->sk, sk, SECKEY_BYTES);
		l->have_sk = 1;
	}
}

const struct ledger_identity *
ledger_identity(const struct ledger *l)
{
	return &l->id;
}

void
ledger_set_rules(struct ledger *l, ledger_rule_fn fn, void *arg, void (*release)(void *arg))
{
	if (l->rules_release)
		l->rules_release(l->rules_arg);
	l->rules = fn;
	l->rules_arg = arg;
	l->rules_release = release;
}

int
ledger_apply_held(struct ledger *l, char *err, size_t errlen)
{
	return s_apply_held(l, err, errlen);
}

int
ledger_meta_get(struct ledger *l, const char *key, char *value, size_t len)
{
	sqlite3_stmt *st = s_prep(l, &l->st_meta_get, "SELECT value FROM meta WHERE key = ?1");
	int rc = -1;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(value, len, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int
ledger_meta_set(struct ledger *l, const char *key, const char *value, char *err, size_t errlen)
{
	sqlite3_stmt *st = s_prep(l, &l->st_meta_set, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
	int rc;

	if (!st)
		return s_sqlerr(l->db, err, errlen, "meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : s_sqlerr(l->db, err, errlen, "meta");
}

/* ---- feeds ------------------------------------------------------------------- */

/* Write F as ORIGIN's feed row. */
static int
s_feed_write(struct ledger *l, const char *origin, const struct feed_row *f)
{
	sqlite3_stmt *st = s_prep(l, &l->st_feed_put,
	    "INSERT INTO feed (origin, head_seq, head_id, applied_seq, frozen, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (origin) DO UPDATE SET "
	    "head_seq = excluded.head_seq, head_id = excluded.head_id, "
	    "applied_seq = excluded.applied_seq, frozen = excluded.frozen, updated_at = excluded.updated_at");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)f->head_seq);
	sqlite3_bind_blob(st, 3, f->head_id, HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)f->applied_seq);
	if (f->frozen[0])
		sqlite3_bind_text(st, 5, f->frozen, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, now_ms());
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Write the cached feed row if it changed (struct feed_cache). */
static int
s_feed_flush(struct ledger *l)
{
	if (!l->fc.dirty)
		return 0;
	if (s_feed_write(l, l->fc.origin, &l->fc.f) < 0)
		return -1;
	l->fc.dirty = 0;
	return 0;
}

static int
s_feed_get(struct ledger *l, const char *origin, struct feed_row *f)
{
	if (l->fc.valid && strcmp(l->fc.origin, origin) == 0) {
		*f = l->fc.f;
		return 0;
	}
	if (s_feed_flush(l) < 0)
		return -1;
	sqlite3_stmt *st = s_prep(l, &l->st_head,
	    "SELECT head_seq, head_id, applied_seq, frozen FROM feed WHERE origin = ?1");

	memset(f, 0, sizeof *f);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		f->exists = 1;
		f->head_seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == HASH_BYTES)
			memcpy(f->head_id, sqlite3_column_blob(st, 1), HASH_BYTES);
		f->applied_seq = (uint64_t)sqlite3_column_int64(st, 2);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			snprintf(f->frozen, sizeof f->frozen, "%s", sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (l->fc.on && strlen(origin) < sizeof l->fc.origin) {
		snprintf(l->fc.origin, sizeof l->fc.origin, "%s", origin);
		l->fc.f = *f;
		l->fc.valid = 1;
	}
	return 0;
}

/* ORIGIN's feed row is F: in the cache inside a receiving transaction, else written. */
static int
s_feed_put(struct ledger *l, const char *origin, const struct feed_row *f)
{
	if (!l->fc.on || strlen(origin) >= sizeof l->fc.origin)
		return s_feed_write(l, origin, f);
	if (l->fc.valid && strcmp(l->fc.origin, origin) != 0 && s_feed_flush(l) < 0)
		return -1;
	snprintf(l->fc.origin, sizeof l->fc.origin, "%s", origin);
	l->fc.f = *f;
	l->fc.f.exists = 1;
	l->fc.valid = l->fc.dirty = 1;
	return 0;
}

int
ledger_feed_head(struct ledger *l, const char *origin, uint64_t *seq, uint8_t id[HASH_BYTES])
{
	struct feed_row f;

	if (s_feed_get(l, origin, &f) < 0)
		return -1;
	*seq = f.head_seq;
	if (id)
		memcpy(id, f.head_id, HASH_BYTES);
	return 0;
}

int
ledger_feed_heads(struct ledger *l, const char *origin, uint64_t *head, uint64_t *forwardable)
{
	*head = *forwardable = 0;
	if (s_feed_flush(l) < 0)
		return -1;
	sqlite3_stmt *st = s_prep(l, &l->st_heads, "SELECT f.head_seq, p.checked FROM feed f "
	    "LEFT JOIN sig_pending p USING (origin) WHERE f.origin = ?1");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*head = *forwardable = (uint64_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    (uint64_t)sqlite3_column_int64(st, 1) < *head)
			*forwardable = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	/* nor what waits for its key, unverified (a township's before its county's roster row) */
	uint64_t first;
	int u = rc == SQLITE_ROW ? s_unverified_first(l, origin, &first) : 0;
	if (u < 0)
		return -1;
	if (u == 1 && first - 1 < *forwardable)
		*forwardable = first - 1;
	return 0;
}

int
ledger_feed_frozen(struct ledger *l, const char *origin, char *reason, size_t len)
{
	struct feed_row f;

	if (s_feed_get(l, origin, &f) < 0 || !f.frozen[0])
		return 0;
	snprintf(reason, len, "%s", f.frozen);
	return 1;
}

int
ledger_feed_unfreeze(struct ledger *l, const char *origin, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, resolved = 0;

	if (s_exec(l->db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if (sqlite3_prepare_v2(l->db, "UPDATE feed SET frozen = NULL WHERE origin IS ?1", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || sqlite3_prepare_v2(l->db, "UPDATE quarantine SET resolved_at = ?2 "
	    "WHERE origin IS ?1 AND resolved_at IS NULL", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms());
	rc = sqlite3_step(st);
	resolved = sqlite3_changes(l->db);
	sqlite3_finalize(st);
	/*
	 * A signature found bad after the apply is checked again from there (its
	 * key may have arrived since): found bad again, it freezes the feed again.
	 */
	if (rc != SQLITE_DONE || sqlite3_prepare_v2(l->db, "UPDATE sig_pending SET "
	    "checked = min(checked, bad - 1), bad = NULL WHERE origin IS ?1 AND bad IS NOT NULL", -1,
	    &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || s_exec(l->db, "COMMIT", err, errlen) < 0)
		goto fail;
	return resolved;
fail:
	s_sqlerr(l->db, err, errlen, "unfreeze");
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	l->epoch++;
	return -1;
}

static int
s_cs_insert(struct ledger *l, const struct changeset_header *h, const uint8_t id[HASH_BYTES],
    const void *body, size_t len, const uint8_t sig[SIG_BYTES], int applied)
{
	sqlite3_stmt *st = s_prep(l, &l->st_cs_insert,
	    "INSERT INTO changeset (origin, seq, id, prev, hlc, schema, author, nops, body, sig, "
	    "stored_at, applied) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, h->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)h->seq);
	sqlite3_bind_blob(st, 3, id, HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, h->prev, HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)h->hlc);
	sqlite3_bind_int(st, 6, (int)h->schema);
	sqlite3_bind_blob(st, 7, h->author, PUBKEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, h->nops);
	sqlite3_bind_blob(st, 9, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, sig, SIG_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, now_ms());
	sqlite3_bind_int(st, 12, applied);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
ledger_changeset_each(struct ledger *l, const char *origin, uint64_t from, uint64_t to,
    ledger_cs_fn fn, void *arg, uint64_t *missing)
{
	/*
	 * One statement, so one read transaction: a look-up a change set, each
	 * in a read transaction of its own, took ten times as long (4.7 µs
	 * against 0.4 µs a change set of a catch-up).
	 */
	sqlite3_stmt *st = s_prep(l, &l->st_cs_each, "SELECT seq, body, sig FROM changeset "
	    "WHERE origin = ?1 AND seq >= ?2 AND seq <= ?3 ORDER BY seq");
	uint64_t next = from;
	int rc = 0, step;

	*missing = from;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)from);
	sqlite3_bind_int64(st, 3, (int64_t)to);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
		const uint8_t *body = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		if (seq != next || sqlite3_column_bytes(st, 2) != SIG_BYTES) {
			rc = -1;
			break;
		}
		next++;
		if (fn(arg, seq, body ? body : (const uint8_t *)"", len, sqlite3_column_blob(st, 2)) != 0) {
			next = to + 1;      /* stopped by FN: nothing missing */
			break;
		}
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = -1;
	if (rc == 0 && next <= to)
		rc = -1;                /* the rows ended before TO */
	sqlite3_reset(st);
	*missing = next;
	return rc;
}

int
ledger_changeset_get(struct ledger *l, const char *origin, uint64_t seq,
    uint8_t **body, size_t *len, uint8_t sig[SIG_BYTES])
{
	/* prepared once: a catch-up reads every change set it sends through here */
	sqlite3_stmt *st = s_prep(l, &l->st_cs_get, "SELECT body, sig FROM changeset "
	    "WHERE origin = ?1 AND seq = ?2");
	int rc = -1;

	*body = NULL;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)seq);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == SIG_BYTES) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if ((*body = malloc(n ? n : 1))) {
			memcpy(*body, sqlite3_column_blob(st, 0), n);
			memcpy(sig, sqlite3_column_blob(st, 1), SIG_BYTES);
			*len = n;
			rc = 0;
		}
	}
	sqlite3_reset(st);
	return rc;
}

/*
 * The retired key of ORIGIN that signed SEQ: the roster_node row
 * "ORIGIN/UPTO" (UPTO 10 digits, zero-padded, so text order is seq order,
 * role "retired") with the smallest UPTO >= SEQ.  1: found, 0: none, -1: error.
 */
static int
s_retired_key(struct ledger *l, const char *origin, uint64_t seq, uint8_t pk[PUBKEY_BYTES],
    uint64_t *upto)
{
	char from[CODE_MAX + 16], to[CODE_MAX + 2];
	int rc = 0;

	if (seq > LEDGER_RETIRED_SEQ_MAX)
		return 0;
	snprintf(from, sizeof from, "%s/%010" PRIu64, origin, seq);
	snprintf(to, sizeof to, "%s0", origin);         /* '0' follows '/' */
	sqlite3_stmt *st = s_prep(l, &l->st_retired_key, "SELECT pubkey, id FROM roster_node "
	    "WHERE id >= ?1 AND id < ?2 AND role = 'retired' ORDER BY id LIMIT 1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == PUBKEY_BYTES) {
		memcpy(pk, sqlite3_column_blob(st, 0), PUBKEY_BYTES);
		const char *id = (const char *)sqlite3_column_text(st, 1), *slash = id ? strchr(id, '/') : NULL;
		*upto = slash ? strtoull(slash + 1, NULL, 10) : seq;
		if (*upto < seq)
			*upto = seq;
		rc = 1;
	}
	sqlite3_reset(st);
	return rc;
}

int
ledger_origin_key(struct ledger *l, const char *origin, uint64_t seq, uint8_t pk[PUBKEY_BYTES])
{
	uint64_t last;

	return ledger_origin_key_upto(l, origin, seq, pk, &last);
}

int
ledger_origin_key_upto(struct ledger *l, const char *origin, uint64_t seq, uint8_t pk[PUBKEY_BYTES],
    uint64_t *last)
{
	*last = UINT64_MAX;     /* no retired key from SEQ on: the key holds for every later seq */
	/* the county key is never retired, nor the province's */
	if (strcmp(origin, l->id.county) == 0) {
		memcpy(pk, l->id.county_pk, PUBKEY_BYTES);
		return 0;
	}
	if (l->id.has_province_pk && strcmp(origin, l->id.province) == 0) {
		memcpy(pk, l->id.province_pk, PUBKEY_BYTES);
		return 0;
	}
	int cache = !sqlite3_get_autocommit(l->db);
	if (cache && l->keys.valid && seq >= l->keys.from && seq <= l->keys.last &&
	    strcmp(origin, l->keys.origin) == 0) {
		memcpy(pk, l->keys.pk, PUBKEY_BYTES);
		*last = l->keys.last;
		return 0;
	}
	int r = s_retired_key(l, origin, seq, pk, last);
	if (r < 0)
		return -1;
	if (r == 0 && s_roster_key(l, origin, pk) < 0)
		return -1;
	if (cache) {
		l->keys.valid = 1;
		snprintf(l->keys.origin, sizeof l->keys.origin, "%s", origin);
		l->keys.from = seq;
		l->keys.last = *last;
		memcpy(l->keys.pk, pk, PUBKEY_BYTES);
	}
	return 0;
}

/*
 * ORIGIN's key as the county's roster row names it, for this node too: a new
 * machine restored from the hub receives its own earlier seqs, signed by the
 * lost machine's key, which the roster names until the re-key arrives.
 */
static int
s_roster_key(struct ledger *l, const char *origin, uint8_t pk[PUBKEY_BYTES])
{
	sqlite3_stmt *st = s_prep(l, &l->st_roster_key, "SELECT pubkey FROM roster_node WHERE id = ?1");
	int rc = -1;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == PUBKEY_BYTES) {
		memcpy(pk, sqlite3_column_blob(st, 0), PUBKEY_BYTES);
		rc = 0;
	}
	sqlite3_reset(st);
	if (rc < 0 && strcmp(origin, l->id.code) == 0) {
		/* not on a roster yet (a new township): its own key */
		memcpy(pk, l->id.pk, PUBKEY_BYTES);
		rc = 0;
	}
	return rc;
}

/* ---- local writes ------------------------------------------------------------- */

/* Record the households CS (of our own feed) changes, at its seq (table own_touch). */
static int
s_touch(struct ledger *l, const struct changeset *cs)
{
	sqlite3_stmt *st = s_prep(l, &l->st_touch, "INSERT INTO own_touch (key, seq) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET seq = excluded.seq");
	char why[ERRBUF_SIZE];

	if (!st)
		return -1;
	for (uint32_t i = 0; i < cs->h.nops; i++) {
		struct op_view op;
		if (changeset_op(cs, i, &op, why, sizeof why) < 0)
			return -1;
		if (op.table_len != strlen(LEDGER_TOUCHED_TABLE) ||
		    memcmp(op.table, LEDGER_TOUCHED_TABLE, op.table_len) != 0)
			continue;
		sqlite3_bind_text(st, 1, op.key, (int)op.key_len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)cs->h.seq);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* A ledger from before table own_touch: fill it from the own feed (once). */
static int
s_touch_fill(struct ledger *l, char *err, size_t errlen)
{
	char code[CODE_MAX], why[ERRBUF_SIZE];
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (ledger_meta_get(l, "code", code, sizeof code) < 0)
		return 0;       /* a ledger being created: nothing written yet */
	if (sqlite3_prepare_v2(l->db, "SELECT body FROM changeset WHERE origin = ?1 ORDER BY seq",
	    -1, &st, NULL) != SQLITE_OK)
		return s_sqlerr(l->db, err, errlen, "own_touch");
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct changeset cs;
		if (changeset_decode(&cs, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
		    why, sizeof why) < 0)
			continue;       /* verify names it; status counts what it can read */
		rc = s_touch(l, &cs);
		changeset_release(&cs);
	}
	sqlite3_finalize(st);
	return rc < 0 ? s_sqlerr(l->db, err, errlen, "own_touch") : 0;
}

/* Tables every open makes sure of (older ledgers lack them); no write when present. */
static int
s_local_tables(struct ledger *l, char *err, size_t errlen)
{
	if (!ledger_table_exists(l->db, "sig_pending") && s_exec(l->db, s_sig_pending_ddl, err, errlen) < 0)
		return -1;
	if (!ledger_table_exists(l->db, "changeset_unverified") &&
	    s_exec(l->db, LEDGER_TABLE_UNVERIFIED, err, errlen) < 0)
		return -1;
	if (ledger_table_exists(l->db, "own_touch"))
		return 0;
	if (s_exec(l->db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if (s_exec(l->db, s_own_touch_ddl, err, errlen) < 0 || s_touch_fill(l, err, errlen) < 0 ||
	    s_exec(l->db, "COMMIT", err, errlen) < 0) {
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int
ledger_households_since(struct ledger *l, uint64_t seq, uint64_t *count)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*count = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT count(*) FROM own_touch WHERE seq > ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)seq);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
ledger_begin(struct ledger *l, char *err, size_t errlen)
{
	if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		int busy = (sqlite3_extended_errcode(l->db) & 0xff) == SQLITE_BUSY;
		s_sqlerr(l->db, err, errlen, "cannot start a write (another writer holds the ledger?)");
		return busy ? LEDGER_BUSY : -1;
	}
	return 0;
}

/* A transaction begun unsynced has ended: later ones are synced again. */
static void
s_lazy_end(struct ledger *l)
{
	if (l->lazy_open && sqlite3_get_autocommit(l->db)) {
		sqlite3_exec(l->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
		l->lazy_open = 0;
	}
}

void
ledger_rollback(struct ledger *l)
{
	l->epoch++;     /* even if SQLite rolled back already: what the rules cached is gone */
	memset(&l->fc, 0, sizeof l->fc);
	if (!sqlite3_get_autocommit(l->db))
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	s_lazy_end(l);
}

/* Next hybrid-logical-clock value: physical ms in the high 48 bits, a counter below. */
static int
s_hlc_next(struct ledger *l, uint64_t *out, char *err, size_t errlen)
{
	char buf[32];
	uint64_t last = 0, now = (uint64_t)clock_ms() << 16;

	if (ledger_meta_get(l, "hlc", buf, sizeof buf) == 0)
		last = strtoull(buf, NULL, 10);
	*out = now > last ? now : last + 1;
	snprintf(buf, sizeof buf, "%" PRIu64, *out);
	return ledger_meta_set(l, "hlc", buf, err, errlen);
}

/*
 * Raise our clock past a received one, so our next writes order after it --
 * but never more than HLC_MAX_AHEAD_MS past our own wall clock: one node with
 * a clock set ahead must not carry every node's clock (and with it the dates
 * the procedure's rules compare against) into its future.
 */
#define HLC_MAX_AHEAD_MS (10 * 60 * 1000)
static int
s_hlc_observe(struct ledger *l, uint64_t seen, char *err, size_t errlen)
{
	char buf[32];
	uint64_t last = 0, limit = (uint64_t)(clock_ms() + HLC_MAX_AHEAD_MS) << 16;

	if (seen > limit)
		seen = limit;
	if (ledger_meta_get(l, "hlc", buf, sizeof buf) == 0)
		last = strtoull(buf, NULL, 10);
	if (seen <= last)
		return 0;
	snprintf(buf, sizeof buf, "%" PRIu64, seen);
	return ledger_meta_set(l, "hlc", buf, err, errlen);
}

int
ledger_commit(struct ledger *l, const struct ops *ops, struct ledger_written *out,
    char *err, size_t errlen)
{
	if (ledger_append(l, ops, out, err, errlen) < 0)
		return -1;
	return ledger_end(l, err, errlen);
}

int
ledger_end(struct ledger *l, char *err, size_t errlen)
{
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		s_sqlerr(l->db, err, errlen, "commit");
		ledger_rollback(l);
		return -1;
	}
	s_lazy_end(l);
	return 0;
}

int
ledger_append(struct ledger *l, const struct ops *ops, struct ledger_written *out,
    char *err, size_t errlen)
{
	struct changeset_header h;
	struct feed_row f;
	msgpack_sbuffer body = { 0, NULL, 0 };
	struct changeset cs;
	struct ops stamped = OPS_INIT;
	uint8_t id[HASH_BYTES], sig[SIG_BYTES];
	char why[ERRBUF_SIZE];

	if (!l->have_sk) {
		errf(err, errlen, "this node's key is not loaded: cannot sign");
		goto fail;
	}
	if (!ops || ops->n == 0) {
		errf(err, errlen, "nothing to write");
		goto fail;
	}
	if (ledger_meta_get(l, "write_hold", why, sizeof why) == 0 && why[0]) {
		errf(err, errlen, "writes are on hold: %s", why);
		goto fail;
	}
	if (s_feed_get(l, l->id.code, &f) < 0) {
		s_sqlerr(l->db, err, errlen, "read feed head");
		goto fail;
	}
	if (f.frozen[0]) {
		errf(err, errlen, "this node's own feed is frozen: %s", f.frozen);
		goto fail;
	}
	memset(&h, 0, sizeof h);
	h.format = CHANGESET_FORMAT;
	snprintf(h.origin, sizeof h.origin, "%s", l->id.code);
	h.seq = f.head_seq + 1;
	memcpy(h.prev, f.exists ? f.head_id : s_zero_hash, HASH_BYTES);
	if (s_hlc_next(l, &h.hlc, err, errlen) < 0)
		goto fail;
	h.schema = SCHEMA_VERSION;
	memcpy(h.author, l->id.pk, PUBKEY_BYTES);
	if (l->stamp) {
		ops_init(&stamped);
		msgpack_sbuffer_write(&stamped.sb, ops->sb.data, ops->sb.size);
		stamped.n = ops->n;
		l->stamp(l->stamp_arg, h.origin, h.seq, &stamped);
		ops = &stamped;
	}
	h.nops = ops->n;

	changeset_encode(&body, &h, ops);
	if (body.size > CHANGESET_MAX_BYTES) {
		errf(err, errlen, "change set of %zu bytes exceeds %u: write fewer rows at once",
		    body.size, CHANGESET_MAX_BYTES);
		goto fail;
	}
	changeset_id(id, body.data, body.size);
	changeset_sign(sig, body.data, body.size, l->sk);

	/* apply from the encoded bytes, exactly as a replay will */
	if (changeset_decode(&cs, body.data, body.size, why, sizeof why) < 0) {
		errf(err, errlen, "encoded change set does not decode: %s", why);
		goto fail;
	}
	int rc = s_apply(l, &l->main, &cs, err, errlen);
	if (rc == 0 && s_touch(l, &cs) < 0)
		rc = s_sqlerr(l->db, err, errlen, "own_touch");
	changeset_release(&cs);
	if (rc != 0)
		goto fail;      /* a wait too: a node's own write needs nothing it lacks */
	if (s_cs_insert(l, &h, id, body.data, body.size, sig, 1) < 0) {
		s_sqlerr(l->db, err, errlen, "append change set");
		goto fail;
	}
	f.head_seq = h.seq;
	f.applied_seq = h.seq;
	memcpy(f.head_id, id, HASH_BYTES);
	if (s_feed_put(l, h.origin, &f) < 0) {
		s_sqlerr(l->db, err, errlen, "advance feed head");
		goto fail;
	}
	if (out) {
		out->seq = h.seq;
		memcpy(out->id, id, HASH_BYTES);
	}
	msgpack_sbuffer_destroy(&body);
	ops_release(&stamped);
	return 0;
fail:
	msgpack_sbuffer_destroy(&body);
	ops_release(&stamped);
	ledger_rollback(l);
	return -1;
}

void
ledger_set_stamp(struct ledger *l, ledger_stamp_fn fn, void *arg)
{
	l->stamp = fn;
	l->stamp_arg = arg;
}

/* ---- received change sets ------------------------------------------------------ */

void
ledger_set_recv_lazy(struct ledger *l, int on)
{
	l->recv_lazy = on;
}

int
ledger_begin_unsynced(struct ledger *l, char *err, size_t errlen)
{
	/* the safety level cannot change inside a transaction: set before, reset after */
	if (!l->sync_normal && sqlite3_get_autocommit(l->db) &&
	    sqlite3_exec(l->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) == SQLITE_OK)
		l->lazy_open = 1;
	int rc = ledger_begin(l, err, errlen);
	if (rc < 0)
		s_lazy_end(l);
	return rc;
}

int
ledger_recv_begin(struct ledger *l, char *err, size_t errlen)
{
	int rc;

	l->recv_hlc = 0;
	memset(&l->fc, 0, sizeof l->fc);
	rc = l->recv_lazy ? ledger_begin_unsynced(l, err, errlen) : ledger_begin(l, err, errlen);
	if (rc == 0)
		l->fc.on = 1;
	return rc;
}

int
ledger_recv_commit(struct ledger *l, char *err, size_t errlen)
{
	/* the feed row, once; what follows reads the feed table itself */
	if (l->fc.failed || s_feed_flush(l) < 0) {
		s_sqlerr(l->db, err, errlen, "feed");
		ledger_rollback(l);
		return -1;
	}
	memset(&l->fc, 0, sizeof l->fc);
	/* our clock moves past what we received, once per transaction */
	if (l->recv_hlc && s_hlc_observe(l, l->recv_hlc, err, errlen) < 0) {
		ledger_rollback(l);
		return -1;
	}
	l->recv_hlc = 0;
	/* what this batch applied may be what a held change set waits for */
	if (s_retry_held(l, err, errlen) < 0) {
		ledger_rollback(l);
		return -1;
	}
	return ledger_end(l, err, errlen);
}

static int
s_quarantine(struct ledger *l, const char *origin, uint64_t seq, const uint8_t *id,
    const void *body, size_t len, const uint8_t *sig, size_t siglen, const char *kind,
    const char *reason, const char *peer)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(l->db, "INSERT INTO quarantine (origin, seq, id, body, sig, kind, "
	    "reason, peer, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (origin)
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (seq)
		sqlite3_bind_int64(st, 2, (int64_t)seq);
	if (id)
		sqlite3_bind_blob(st, 3, id, HASH_BYTES, SQLITE_STATIC);
	/* keep at most what a change set may be: evidence, not a dump */
	sqlite3_bind_blob(st, 4, body, (int)(len > CHANGESET_MAX_BYTES ? CHANGESET_MAX_BYTES : len),
	    SQLITE_STATIC);
	if (sig)
		sqlite3_bind_blob(st, 5, sig, (int)(siglen > SIG_BYTES ? SIG_BYTES : siglen), SQLITE_STATIC);
	sqlite3_bind_text(st, 6, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
	if (peer)
		sqlite3_bind_text(st, 8, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, now_ms());
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
s_stored_id(struct ledger *l, const char *origin, uint64_t seq, uint8_t id[HASH_BYTES])
{
	sqlite3_stmt *st = s_prep(l, &l->st_cs_id, "SELECT id FROM changeset WHERE origin = ?1 AND seq = ?2");
	int rc = -1;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)seq);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == HASH_BYTES) {
		memcpy(id, sqlite3_column_blob(st, 0), HASH_BYTES);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

/* Refuse: keep the evidence, freeze the feed (if we know whose it is). */
static int
s_refuse(struct ledger *l, const struct changeset_header *h, const uint8_t *id,
    const void *body, size_t len, const uint8_t *sig, size_t siglen, const char *kind,
    const char *reason, const char *peer)
{
	if (s_quarantine(l, h ? h->origin : NULL, h ? h->seq : 0, id, body, len, sig, siglen,
	    kind, reason, peer) < 0)
		return -1;
	if (h) {
		struct feed_row f;
		if (s_feed_get(l, h->origin, &f) < 0)
			return -1;
		if (!f.frozen[0]) {
			snprintf(f.frozen, sizeof f.frozen, "seq %" PRIu64 " %s: %s", h->seq,
			    strcmp(kind, "fork") == 0 ? "forks the feed" : "refused", reason);
			if (s_feed_put(l, h->origin, &f) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * A fork of this node's own feed: our change set at SEQ goes into the
 * quarantine too (kind "fork", peer: this node), so the evidence holds both
 * sides even if ours is later given up.  Other feeds: nothing (ours of their
 * seq stays in table changeset).
 */
static int
s_own_evidence(struct ledger *l, const char *origin, uint64_t seq, const char *reason)
{
	uint8_t *body = NULL, sig[SIG_BYTES], id[HASH_BYTES];
	size_t len = 0;
	int rc;

	if (strcmp(origin, l->id.code) != 0)
		return 0;
	if (ledger_changeset_get(l, origin, seq, &body, &len, sig) < 0)
		return 0;       /* nothing held at SEQ: the received one is the evidence */
	changeset_id(id, body, len);
	rc = s_quarantine(l, origin, seq, id, body, len, sig, SIG_BYTES, "fork", reason, l->id.code);
	free(body);
	return rc;
}

/* ---- change sets held unverified ------------------------------------------------ */

/*
 * May ORIGIN's key yet arrive here, so that a change set of it whose key is
 * unknown waits rather than is refused?  A township's, other than this
 * node's, and at a township the province's: its county publishes the key in
 * its roster (the county feed), which may come after (proto/PROTOCOL.md,
 * "Wait for the key, too").
 */
static int
s_key_may_arrive(const struct ledger *l, const char *origin)
{
	/* the province's: a township learns it from its county's roster row, too */
	if (l->id.province[0] && strcmp(origin, l->id.province) == 0)
		return !l->id.has_province_pk;
	return code_role(origin) == ROLE_TOWNSHIP && strcmp(origin, l->id.code) != 0;
}

static int
s_unverified_mark(struct ledger *l, const char *origin, uint64_t seq)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(l->db, "INSERT OR IGNORE INTO changeset_unverified (origin, seq) "
	    "VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)seq);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The lowest seq of ORIGIN held unverified: 1 with *SEQ, 0 none, -1 error. */
static int
s_unverified_first(struct ledger *l, const char *origin, uint64_t *seq)
{
	sqlite3_stmt *st = s_prep(l, &l->st_unverified,
	    "SELECT min(seq) FROM changeset_unverified WHERE origin = ?1");
	int rc = 0;

	/* a database opened read-only before the table existed has none */
	if (!st)
		return ledger_table_exists(l->db, "changeset_unverified") ? -1 : 0;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 1;
	}
	sqlite3_reset(st);
	return rc;
}

/*
 * Held change set SEQ of ORIGIN (BODY, SIG as stored) was stored before its
 * key was known: check it now.  1 checked (go on and apply it), 0 still no
 * key (it waits), 2 refused: it and what the feed holds after it (chained on
 * it, so never valid either) leave table changeset for the quarantine, the
 * feed head goes back to SEQ - 1 and the feed is frozen; -1 error.
 */
static int
s_unverified_check(struct ledger *l, const char *origin, uint64_t seq, const void *body, size_t len,
    const void *sig, size_t siglen)
{
	struct changeset cs;
	uint8_t pk[PUBKEY_BYTES], id[HASH_BYTES];
	char why[ERRBUF_SIZE], *sql;
	uint64_t first;
	int rc;

	if ((rc = s_unverified_first(l, origin, &first)) < 0)
		return -1;
	if (rc == 0 || first != seq)
		return 1;               /* checked when it arrived */
	if (ledger_origin_key(l, origin, seq, pk) < 0)
		return 0;
	if (changeset_decode(&cs, body, len, why, sizeof why) < 0)
		return -1;              /* it decoded when it was stored */
	int good = memcmp(pk, cs.h.author, PUBKEY_BYTES) == 0;
	changeset_release(&cs);
	if (good && siglen == SIG_BYTES && changeset_verify_sig(sig, body, len, pk) == 0) {
		sql = sqlite3_mprintf("DELETE FROM changeset_unverified WHERE origin = %Q AND seq = %lld",
		    origin, (long long)seq);
		rc = s_exec(l->db, sql, why, sizeof why);
		sqlite3_free(sql);
		return rc < 0 ? -1 : 1;
	}
	errf(why, sizeof why, good ? "bad signature (checked when the key of %s arrived)" :
	    "author is not the key its county published for %s", origin);
	struct changeset_header h = { .seq = seq };
	snprintf(h.origin, sizeof h.origin, "%s", origin);
	changeset_id(id, body, len);
	if (s_quarantine(l, origin, seq, id, body, len, sig, siglen, "refused", why, l->id.code) < 0)
		return -1;
	struct feed_row f;
	uint8_t *pbody = NULL, psig[SIG_BYTES];
	size_t plen = 0;
	if (s_feed_get(l, origin, &f) < 0)
		return -1;
	memset(f.head_id, 0, HASH_BYTES);
	f.head_seq = seq - 1;
	if (seq > 1 && ledger_changeset_get(l, origin, seq - 1, &pbody, &plen, psig) == 0) {
		changeset_id(f.head_id, pbody, plen);
		free(pbody);
	}
	snprintf(f.frozen, sizeof f.frozen, "seq %" PRIu64 " refused: %s", seq, why);
	if (s_feed_put(l, origin, &f) < 0)
		return -1;
	sql = sqlite3_mprintf("DELETE FROM changeset WHERE origin = %Q AND seq >= %lld;"
	    "DELETE FROM changeset_unverified WHERE origin = %Q", origin, (long long)seq, origin);
	rc = s_exec(l->db, sql, why, sizeof why);
	sqlite3_free(sql);
	return rc < 0 || s_wait_note(l, origin, seq, NULL) < 0 ? -1 : 2;
}

int
ledger_receive(struct ledger *l, const void *body, size_t len, const uint8_t *sig,
    size_t siglen, const char *peer, enum recv_result *res, char *reason, size_t reasonlen)
{
	struct ledger_recv in = { .body = body, .len = len, .sig = sig, .siglen = siglen, .peer = peer };

	return ledger_receive_verified(l, &in, res, reason, reasonlen);
}

/* One received change set on its way in: what ledger_receive_verified knows of it. */
struct s_recv {
	const struct ledger_recv *in;
	struct changeset cs;
	struct feed_row f;
	uint8_t id[HASH_BYTES];
	enum recv_result *res;
	char *reason;
	size_t reasonlen;
	char why[ERRBUF_SIZE];
	int unverified;             /* stored before its origin's key is known here */
	int held;                   /* 0 applied; 1 held behind an earlier one; 2 waits itself */
};

/* Refuse R: RES and REASON say why; it goes to the quarantine and its feed freezes. */
static int
s_recv_refuse(struct ledger *l, struct s_recv *r, const char *kind, const char *fmt, ...)
{
	va_list ap;

	*r->res = RECV_REFUSED;
	va_start(ap, fmt);
	vsnprintf(r->reason, r->reasonlen, fmt, ap);
	va_end(ap);
	return s_refuse(l, &r->cs.h, r->id, r->in->body, r->in->len, r->in->sig, r->in->siglen, kind,
	    r->reason, r->in->peer);
}

/* Is SIG over R's body valid for PK, and PK the author's?  The caller may have checked. */
static int
s_recv_signed_by(const struct s_recv *r, const uint8_t pk[PUBKEY_BYTES])
{
	return memcmp(pk, r->cs.h.author, PUBKEY_BYTES) == 0 &&
	    changeset_verify_sig(r->in->sig, r->in->body, r->in->len, pk) == 0;
}

/* R's seq is one we hold: a duplicate, a fork its origin signed, or a forgery. */
static int
s_recv_known(struct ledger *l, struct s_recv *r)
{
	const struct changeset_header *h = &r->cs.h;
	uint8_t stored[HASH_BYTES], pk[PUBKEY_BYTES];

	if (s_stored_id(l, h->origin, h->seq, stored) < 0)
		return -1;
	if (memcmp(stored, r->id, HASH_BYTES) == 0) {
		*r->res = RECV_DUPLICATE;
		return 0;
	}
	/* only a change set its origin really signed is evidence of a fork */
	if (ledger_origin_key(l, h->origin, h->seq, pk) < 0 || !s_recv_signed_by(r, pk)) {
		*r->res = RECV_REFUSED;
		errf(r->reason, r->reasonlen, "seq %" PRIu64 " differs from the one held and is not "
		    "signed by %s", h->seq, h->origin);
		return s_quarantine(l, h->origin, h->seq, r->id, r->in->body, r->in->len, r->in->sig,
		    r->in->siglen, "refused", r->reason, r->in->peer);
	}
	*r->res = RECV_FORK;
	errf(r->reason, r->reasonlen, "two different change sets signed by %s for seq %" PRIu64,
	    h->origin, h->seq);
	if (s_own_evidence(l, h->origin, h->seq, r->reason) < 0)
		return -1;
	return s_refuse(l, h, r->id, r->in->body, r->in->len, r->in->sig, r->in->siglen, "fork",
	    r->reason, r->in->peer);
}

/* R's prev is not our head: a broken chain, or our own feed written anew on a copy. */
static int
s_recv_unchained(struct ledger *l, struct s_recv *r)
{
	const struct changeset_header *h = &r->cs.h;

	/*
	 * Our own feed, validly signed with our key, continuing another seq
	 * head_seq than ours: a copy of this node (a restore) wrote that seq
	 * anew.  That is a fork, with both change sets as evidence, not a
	 * broken chain.
	 */
	if (r->f.exists && strcmp(h->origin, l->id.code) == 0 && s_recv_signed_by(r, l->id.pk)) {
		*r->res = RECV_FORK;
		errf(r->reason, r->reasonlen, "seq %" PRIu64 " of %s continues another seq %" PRIu64
		    " than the one held here: the feed forked (written anew on a restored copy?)",
		    h->seq, h->origin, r->f.head_seq);
		if (s_own_evidence(l, h->origin, r->f.head_seq, r->reason) < 0)
			return -1;
		return s_refuse(l, h, r->id, r->in->body, r->in->len, r->in->sig, r->in->siglen, "fork",
		    r->reason, r->in->peer);
	}
	return s_recv_refuse(l, r, "refused", "broken chain: prev is not the id of seq %" PRIu64,
	    r->f.head_seq);
}

/*
 * Is R signed by the key its origin holds for its seq?  1 yes, 0 refused (R
 * quarantined), -1 database error.  No key yet, but one may arrive: yes, R
 * stored unverified (checked when the key arrives).
 */
static int
s_recv_key(struct ledger *l, struct s_recv *r)
{
	const struct changeset_header *h = &r->cs.h;
	const uint8_t *checked = r->in->verified_pk;
	uint8_t pk[PUBKEY_BYTES];

	if (ledger_origin_key(l, h->origin, h->seq, pk) < 0) {
		if (!s_key_may_arrive(l, h->origin))
			return s_recv_refuse(l, r, "refused", "origin %s is not on the roster", h->origin);
		r->unverified = 1;      /* its county's roster row may yet arrive: wait */
		return 1;
	}
	/* keys and ids are public: memcmp, not a constant-time compare (3 % of the hub's loop) */
	if (memcmp(pk, h->author, PUBKEY_BYTES) != 0)
		return s_recv_refuse(l, r, "refused", "author is not the key of %s for seq %" PRIu64,
		    h->origin, h->seq);
	/* the caller may have checked the signature already, with the key that counts */
	if ((!checked || memcmp(checked, pk, PUBKEY_BYTES) != 0) &&
	    changeset_verify_sig(r->in->sig, r->in->body, r->in->len, pk) < 0)
		return s_recv_refuse(l, r, "refused", "bad signature");
	return 1;
}

/* Apply R's ops inside a savepoint: 0 applied or held (R->held), 1 refused, -1 error. */
static int
s_recv_apply(struct ledger *l, struct s_recv *r)
{
	const struct changeset_header *h = &r->cs.h;

	r->held = r->unverified || h->schema > SCHEMA_VERSION || r->f.applied_seq < r->f.head_seq;
	if (r->held)
		return 0;
	if (s_savepoint(l, 0) < 0)
		return -1;
	int rc = s_apply(l, &l->main, &r->cs, r->why, sizeof r->why);
	if (rc == 0)
		return s_savepoint(l, 1);
	s_savepoint(l, 2);
	s_savepoint(l, 1);
	l->epoch++;
	if (rc < 0)
		return s_recv_refuse(l, r, "refused", "%s", r->why) < 0 ? -1 : 1;
	/* LEDGER_RULE_WAIT: stored, held until what it needs arrives */
	r->held = 2;
	return s_wait_note(l, h->origin, h->seq, r->why);
}

/* Store R as received (applied or held) and move its feed's head to it. */
static int
s_recv_store(struct ledger *l, struct s_recv *r)
{
	const struct changeset_header *h = &r->cs.h;
	struct feed_row *f = &r->f;

	if (s_cs_insert(l, h, r->id, r->in->body, r->in->len, r->in->sig, !r->held) < 0)
		return -1;
	if (r->unverified) {
		errf(r->why, sizeof r->why, "the key of %s is not known here yet (its county's roster row "
		    "has not arrived): signature checked when it does", h->origin);
		if (s_unverified_mark(l, h->origin, h->seq) < 0)
			return -1;
		if (f->applied_seq == f->head_seq) {
			if (s_wait_note(l, h->origin, h->seq, r->why) < 0)
				return -1;
			r->held = 2;
		}
	}
	f->head_seq = h->seq;
	memcpy(f->head_id, r->id, HASH_BYTES);
	if (!r->held)
		f->applied_seq = h->seq;
	if (s_feed_put(l, h->origin, f) < 0)
		return -1;
	if (h->hlc > l->recv_hlc)
		l->recv_hlc = h->hlc;
	*r->res = r->held ? RECV_HELD : RECV_STORED;
	if (r->held == 2)
		errf(r->reason, r->reasonlen, "seq %" PRIu64 " held until what it needs arrives: %s",
		    h->seq, r->why);
	else if (h->schema > SCHEMA_VERSION)
		errf(r->reason, r->reasonlen, "schema %u is newer than ours (%d): held until upgrade",
		    h->schema, SCHEMA_VERSION);
	else if (r->held)
		errf(r->reason, r->reasonlen, "seq %" PRIu64 " held behind seq %" PRIu64 ", which waits",
		    h->seq, f->applied_seq + 1);
	return 0;
}

/* Check R against its feed, then store it; 0 with *RES, -1 database error. */
static int
s_recv(struct ledger *l, struct s_recv *r)
{
	const struct changeset_header *h = &r->cs.h;
	int rc;

	if (s_feed_get(l, h->origin, &r->f) < 0)
		return -1;
	if (r->f.frozen[0]) {
		*r->res = RECV_FROZEN;
		errf(r->reason, r->reasonlen, "feed %s is frozen: %s", h->origin, r->f.frozen);
		return 0;
	}
	if (r->in->siglen != SIG_BYTES)
		return s_recv_refuse(l, r, "refused", "signature is %zu bytes, not %d", r->in->siglen,
		    SIG_BYTES);
	if (h->seq <= r->f.head_seq)
		return s_recv_known(l, r);
	if (h->seq > r->f.head_seq + 1) {
		*r->res = RECV_GAP;
		errf(r->reason, r->reasonlen, "seq %" PRIu64 " arrived, %" PRIu64 " expected", h->seq,
		    r->f.head_seq + 1);
		return 0;
	}
	if (memcmp(h->prev, r->f.exists ? r->f.head_id : s_zero_hash, HASH_BYTES) != 0)
		return s_recv_unchained(l, r);
	if ((rc = s_recv_key(l, r)) <= 0)
		return rc;
	if ((rc = s_recv_apply(l, r)) != 0)
		return rc < 0 ? -1 : 0;
	return s_recv_store(l, r);
}

int
ledger_receive_verified(struct ledger *l, const struct ledger_recv *in, enum recv_result *res,
    char *reason, size_t reasonlen)
{
	struct s_recv r = { .in = in, .res = res, .reason = reason, .reasonlen = reasonlen };

	reason[0] = '\0';
	if (in->id)
		memcpy(r.id, in->id, HASH_BYTES);
	else
		changeset_id(r.id, in->body, in->len);
	if (changeset_decode(&r.cs, in->body, in->len, r.why, sizeof r.why) < 0) {
		/* no trustworthy origin: keep it, freeze nothing */
		*res = RECV_REFUSED;
		errf(reason, reasonlen, "%s", r.why);
		return s_refuse(l, NULL, r.id, in->body, in->len, in->sig, in->siglen, "malformed", r.why,
		    in->peer);
	}
	int rc = s_recv(l, &r);
	if (rc < 0)
		errf(reason, reasonlen, "ledger: %s", sqlite3_errmsg(l->db));
	changeset_release(&r.cs);
	return rc;
}

/* Note why ORIGIN's feed waits at SEQ (meta "wait/ORIGIN"), or clear it (WHY NULL). */
static int
s_wait_note(struct ledger *l, const char *origin, uint64_t seq, const char *why)
{
	char key[CODE_MAX + 8], value[ERRBUF_SIZE + 32], err[ERRBUF_SIZE];
	sqlite3_stmt *st = NULL;

	snprintf(key, sizeof key, "wait/%s", origin);
	if (why) {
		snprintf(value, sizeof value, "seq %" PRIu64 ": %s", seq, why);
		return ledger_meta_set(l, key, value, err, sizeof err);
	}
	if (sqlite3_prepare_v2(l->db, "DELETE FROM meta WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
ledger_feed_waits(struct ledger *l, const char *origin, char *why, size_t len)
{
	struct feed_row f;
	char key[CODE_MAX + 8];

	if (s_feed_get(l, origin, &f) < 0 || f.applied_seq >= f.head_seq)
		return 0;
	snprintf(key, sizeof key, "wait/%s", origin);
	if (ledger_meta_get(l, key, why, len) == 0)
		return 1;
	if (f.frozen[0])
		snprintf(why, len, "seq %" PRIu64 ": the feed is frozen: %s", f.applied_seq + 1, f.frozen);
	else
		snprintf(why, len, "seq %" PRIu64 ": held for a newer schema", f.applied_seq + 1);
	return 1;
}

/*
 * Try ORIGIN's next held change set (seq applied_seq + 1): 1 if it applied,
 * 0 if it still waits (or is for a newer schema, or was refused now: then it
 * is quarantined and the feed frozen, the change set staying stored as
 * received), -1 on a database error.
 */
static int
s_apply_next_held(struct ledger *l, const char *origin, char *err, size_t errlen)
{
	struct feed_row f;
	struct changeset cs;
	sqlite3_stmt *st = NULL;
	char why[ERRBUF_SIZE];
	int rc = 0;

	if (s_feed_get(l, origin, &f) < 0)
		return s_sqlerr(l->db, err, errlen, "held");
	uint64_t seq = f.applied_seq + 1;
	if (f.frozen[0] || seq > f.head_seq)
		return 0;
	if (sqlite3_prepare_v2(l->db, "SELECT body, schema, id, sig FROM changeset WHERE origin = ?1 "
	    "AND seq = ?2 AND applied = 0", -1, &st, NULL) != SQLITE_OK)
		return s_sqlerr(l->db, err, errlen, "held");
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)seq);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 1) > SCHEMA_VERSION)
		goto out;
	const void *body = sqlite3_column_blob(st, 0);
	size_t len = (size_t)sqlite3_column_bytes(st, 0);
	int checked = s_unverified_check(l, origin, seq, body, len, sqlite3_column_blob(st, 3),
	    (size_t)sqlite3_column_bytes(st, 3));
	if (checked != 1) {
		rc = checked;           /* -1 error, 0 still waits, 2 refused (nothing applied) */
		if (rc == 2)
			rc = 0;
		goto out;
	}
	if (changeset_decode(&cs, body, len, why, sizeof why) < 0) {
		rc = -1;
	} else {
		if (sqlite3_exec(l->db, "SAVEPOINT held", NULL, NULL, NULL) != SQLITE_OK) {
			changeset_release(&cs);
			sqlite3_finalize(st);
			return s_sqlerr(l->db, err, errlen, "held");
		}
		rc = s_apply(l, &l->main, &cs, why, sizeof why);
		changeset_release(&cs);
		if (rc != 0) {
			sqlite3_exec(l->db, "ROLLBACK TO held", NULL, NULL, NULL);
			l->keys.valid = 0;
			l->epoch++;
		}
		sqlite3_exec(l->db, "RELEASE held", NULL, NULL, NULL);
	}
	if (rc == 0) {
		/* applied now, after every row stored or applied so far: replay keeps that order */
		char *sql = sqlite3_mprintf("UPDATE changeset SET applied = (SELECT max(max(rowid) << 20, "
		    "coalesce(max(CASE WHEN applied > 1 THEN applied END), 0)) + 1 FROM changeset) "
		    "WHERE origin = %Q AND seq = %lld;"
		    "UPDATE feed SET applied_seq = %lld WHERE origin = %Q", origin, (long long)seq,
		    (long long)seq, origin);
		rc = s_exec(l->db, sql, err, errlen) < 0 || s_wait_note(l, origin, seq, NULL) < 0 ? -1 : 1;
		sqlite3_free(sql);
	} else if (rc == LEDGER_RULE_WAIT) {
		rc = s_wait_note(l, origin, seq, why) < 0 ? -1 : 0;
	} else {
		struct changeset_header h = { .seq = seq };
		snprintf(h.origin, sizeof h.origin, "%s", origin);
		const void *sig = sqlite3_column_blob(st, 3);
		rc = s_refuse(l, &h, sqlite3_column_blob(st, 2), body, len, sig,
		    (size_t)sqlite3_column_bytes(st, 3), "refused", why, l->id.code) < 0 ||
		    s_wait_note(l, origin, seq, NULL) < 0 ? -1 : 0;
	}
out:
	sqlite3_finalize(st);
	return rc < 0 ? s_sqlerr(l->db, err, errlen, "held") : rc;
}

/*
 * Apply what is held and now may be: change sets held behind a rule's wait,
 * or for a schema this build now knows.  Each feed in its own order; pass
 * after pass while any moves, since one feed's change set may be what
 * another's waits for.  Inside the caller's transaction.
 */
static int
s_retry_held(struct ledger *l, char *err, size_t errlen)
{
	sqlite3_stmt *st = s_prep(l, &l->st_held,
	    "SELECT origin FROM feed WHERE applied_seq < head_seq AND frozen IS NULL ORDER BY origin");
	char (*origins)[CODE_MAX] = NULL;
	size_t n, cap = 0;
	int moved, rc = 0;

	if (!st)
		return s_sqlerr(l->db, err, errlen, "held");
	do {
		moved = 0;
		for (n = 0; sqlite3_step(st) == SQLITE_ROW; n++) {
			if (n == cap) {
				void *p = realloc(origins, (cap = cap ? 2 * cap : 8) * sizeof *origins);
				if (!p) {
					sqlite3_reset(st);
					free(origins);
					return errf(err, errlen, "held: out of memory");
				}
				origins = p;
			}
			snprintf(origins[n], CODE_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
		}
		sqlite3_reset(st);
		for (size_t i = 0; i < n && rc >= 0; i++)
			while ((rc = s_apply_next_held(l, origins[i], err, errlen)) == 1)
				moved = 1;
	} while (moved && rc >= 0);
	free(origins);
	return rc < 0 ? -1 : 0;
}

/* At open: apply what was held for a schema this build now knows, or waits no longer. */
static int
s_apply_held(struct ledger *l, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int any = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM feed WHERE applied_seq < head_seq AND frozen IS NULL",
	    -1, &st, NULL) != SQLITE_OK)
		return s_sqlerr(l->db, err, errlen, "held");
	any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!any)
		return 0;
	if (ledger_begin(l, err, errlen) < 0)
		return -1;
	if (s_retry_held(l, err, errlen) < 0) {
		ledger_rollback(l);
		return -1;
	}
	return s_exec(l->db, "COMMIT", err, errlen);
}

/* ---- signatures checked after the apply ------------------------------------------ */

int
ledger_sig_defer(struct ledger *l, const char *origin, uint64_t first, char *err, size_t errlen)
{
	sqlite3_stmt *st = s_prep(l, &l->st_sig_defer, "INSERT INTO sig_pending (origin, checked) "
	    "VALUES (?1, ?2) ON CONFLICT (origin) DO UPDATE SET checked = min(checked, excluded.checked)");

	if (!st || first == 0)
		return st ? 0 : s_sqlerr(l->db, err, errlen, "sig_pending");
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)(first - 1));
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : s_sqlerr(l->db, err, errlen, "sig_pending");
}

/* The next feed (after the one looked at last) with signatures to check: 1, 0 none, -1. */
static int
s_sig_next(struct ledger *l, char origin[CODE_MAX], uint64_t *checked)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT origin, checked FROM sig_pending WHERE bad IS NULL "
	    "ORDER BY origin > ?1 DESC, origin LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, l->sig_last, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		snprintf(origin, CODE_MAX, "%s", sqlite3_column_text(st, 0));
		*checked = (uint64_t)sqlite3_column_int64(st, 1);
		rc = 1;
	} else if (step != SQLITE_DONE) {
		rc = -1;
	}
	sqlite3_finalize(st);
	if (rc == 1)
		snprintf(l->sig_last, sizeof l->sig_last, "%s", origin);
	return rc;
}

/* The change set found with a bad signature: kept as evidence. */
struct s_sig_bad {
	uint64_t seq;
	uint8_t *body;
	size_t len;
	uint8_t sig[SIG_BYTES];
	char reason[160];
};

/* Check the signatures of ORIGIN after seq FROM, at most MAX; *LAST: the last good one. */
static int
s_sig_scan(struct ledger *l, const char *origin, uint64_t from, size_t max, uint64_t *last,
    size_t *checked, struct s_sig_bad *bad)
{
	sqlite3_stmt *st = NULL;
	uint8_t pk[PUBKEY_BYTES];
	int step;

	*last = from;
	if (sqlite3_prepare_v2(l->db, "SELECT seq, body, sig FROM changeset WHERE origin = ?1 "
	    "AND seq > ?2 ORDER BY seq LIMIT ?3", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)from);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
		const void *body = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		const uint8_t *sig = sqlite3_column_blob(st, 2);
		int keyed = ledger_origin_key(l, origin, seq, pk) == 0;
		(*checked)++;
		if (keyed && sqlite3_column_bytes(st, 2) == SIG_BYTES &&
		    changeset_verify_sig(sig, body, len, pk) == 0) {
			*last = seq;
			continue;
		}
		bad->seq = seq;
		bad->len = len;
		if ((bad->body = malloc(len ? len : 1)))
			memcpy(bad->body, body, len);
		memset(bad->sig, 0, SIG_BYTES);
		if (sqlite3_column_bytes(st, 2) == SIG_BYTES)
			memcpy(bad->sig, sig, SIG_BYTES);
		snprintf(bad->reason, sizeof bad->reason, "seq %" PRIu64 ": %s (found after the apply: "
		    "a later signature authenticated its body through the chain)", seq,
		    keyed ? "bad signature" : "no key for it on the roster");
		break;
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
}

/* Record what s_sig_scan found, in one transaction. */
static int
s_sig_record(struct ledger *l, const char *origin, uint64_t last, const struct s_sig_bad *bad,
    char *err, size_t errlen)
{
	char *sql;

	if (ledger_begin(l, err, errlen) < 0)
		return -1;
	if (bad->seq) {
		struct changeset_header h = { .seq = bad->seq };
		uint8_t id[HASH_BYTES];
		snprintf(h.origin, sizeof h.origin, "%s", origin);
		changeset_id(id, bad->body ? bad->body : (const uint8_t *)"", bad->body ? bad->len : 0);
		if (s_refuse(l, &h, id, bad->body ? bad->body : (const uint8_t *)"", bad->body ? bad->len : 0,
		    bad->sig, SIG_BYTES, "refused", bad->reason, NULL) < 0)
			goto fail;
	}
	sql = sqlite3_mprintf("UPDATE sig_pending SET checked = max(checked, %lld), bad = nullif(%lld, 0) "
	    "WHERE origin = %Q; DELETE FROM sig_pending WHERE origin = %Q AND bad IS NULL AND "
	    "checked >= (SELECT head_seq FROM feed WHERE origin = %Q)", (long long)last,
	    (long long)bad->seq, origin, origin, origin);
	int rc = s_exec(l->db, sql, err, errlen);
	sqlite3_free(sql);
	if (rc < 0)
		goto fail;
	return s_exec(l->db, "COMMIT", err, errlen) < 0 ? (ledger_rollback(l), -1) : 0;
fail:
	if (!err[0])
		s_sqlerr(l->db, err, errlen, "sig_pending");
	ledger_rollback(l);
	return -1;
}

int
ledger_sig_check(struct ledger *l, size_t max, size_t *checked, char *bad, size_t badlen,
    char *err, size_t errlen)
{
	char origin[CODE_MAX];
	uint64_t from, last;
	struct s_sig_bad found = { 0 };
	int rc;

	*checked = 0;
	bad[0] = err[0] = '\0';
	if ((rc = s_sig_next(l, origin, &from)) <= 0)
		return rc < 0 ? s_sqlerr(l->db, err, errlen, "sig_pending") : 0;
	if (s_sig_scan(l, origin, from, max, &last, checked, &found) < 0) {
		free(found.body);
		return s_sqlerr(l->db, err, errlen, "signatures");
	}
	rc = s_sig_record(l, origin, last, &found, err, errlen);
	if (rc == 0 && found.seq)
		snprintf(bad, badlen, "%s seq %" PRIu64, origin, found.seq);
	free(found.body);
	return rc;
}

int
ledger_sig_unchecked(struct ledger *l, uint64_t *count)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*count = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT coalesce(sum(f.head_seq - p.checked), 0) FROM sig_pending p "
	    "JOIN feed f USING (origin)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- verify and rebuild -------------------------------------------------------- */

/* Replay every applied change set into database A (already holding empty tables). */
static int
s_replay(struct ledger *l, struct applier *a, uint64_t *count, struct verify_report *rep,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	*count = 0;
	l->epoch++;     /* fresh state tables: nothing cached from before holds */
	/*
	 * In the order this node applied them: rules that read other feeds' rows
	 * (a county step after the township's steps) see what they saw then.
	 */
	if (sqlite3_prepare_v2(l->db, "SELECT origin, seq, body FROM changeset WHERE applied <> 0 "
	    "ORDER BY CASE applied WHEN 1 THEN rowid << 20 ELSE applied END", -1, &st,
	    NULL) != SQLITE_OK)
		return s_sqlerr(l->db, err, errlen, "replay");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct changeset cs;
		char why[ERRBUF_SIZE];
		if (changeset_decode(&cs, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
		    why, sizeof why) < 0 || (s_apply(l, a, &cs, why, sizeof why) != 0 &&
		    (changeset_release(&cs), 1))) {
			if (rep) {
				snprintf(rep->origin, sizeof rep->origin, "%s", sqlite3_column_text(st, 0));
				rep->seq = (uint64_t)sqlite3_column_int64(st, 1);
				snprintf(rep->reason, sizeof rep->reason, "replay fails: %s", why);
			}
			errf(err, errlen, "%s seq %lld: replay fails: %s", sqlite3_column_text(st, 0),
			    sqlite3_column_int64(st, 1), why);
			sqlite3_finalize(st);
			return 1;
		}
		changeset_release(&cs);
		(*count)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : s_sqlerr(l->db, err, errlen, "replay");
}

static int
s_bad(struct verify_report *rep, const char *origin, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
s_bad(struct verify_report *rep, const char *origin, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	snprintf(rep->origin, sizeof rep->origin, "%s", origin);
	rep->seq = seq;
	va_start(ap, fmt);
	vsnprintf(rep->reason, sizeof rep->reason, fmt, ap);
	va_end(ap);
	return 1;
}

/* Every feed head must match its last change set: 0, 1 (in REP), -1 (ERR). */
static int
s_verify_heads(struct ledger *l, struct verify_report *rep, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, result = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT f.origin, f.head_seq, f.head_id, "
	    "(SELECT max(seq) FROM changeset c WHERE c.origin = f.origin), "
	    "(SELECT id FROM changeset c WHERE c.origin = f.origin AND c.seq = f.head_seq) "
	    "FROM feed f ORDER BY f.origin", -1, &st, NULL) != SQLITE_OK)
		return s_sqlerr(l->db, err, errlen, "verify");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 0);
		uint64_t head = (uint64_t)sqlite3_column_int64(st, 1);
		uint64_t max = (uint64_t)sqlite3_column_int64(st, 3);
		if (head != max) {
			result = s_bad(rep, o, head > max ? max + 1 : head + 1,
			    "feed head says seq %llu, ledger holds up to %llu",
			    (unsigned long long)head, (unsigned long long)max);
			break;
		}
		if (head && (sqlite3_column_bytes(st, 4) != HASH_BYTES ||
		    memcmp(sqlite3_column_blob(st, 2), sqlite3_column_blob(st, 4), HASH_BYTES) != 0)) {
			result = s_bad(rep, o, head, "feed head id is not the id of its last change set");
			break;
		}
	}
	sqlite3_finalize(st);
	return result;
}

/* Check every feed's chain and signatures, and the feed table's heads. */
static int
s_verify_chains(struct ledger *l, struct verify_report *rep, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char origin[CODE_MAX] = "";
	uint64_t expect = 0;
	uint8_t prev[HASH_BYTES], pk[PUBKEY_BYTES];
	int havekey = 0, rc, result = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT origin, seq, id, body, sig, prev, hlc, schema, author, "
	    "nops FROM changeset ORDER BY origin, seq", -1, &st, NULL) != SQLITE_OK)
		return s_sqlerr(l->db, err, errlen, "verify");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 0);
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 1);
		const void *body = sqlite3_column_blob(st, 3);
		size_t len = (size_t)sqlite3_column_bytes(st, 3);
		uint8_t id[HASH_BYTES];
		struct changeset cs;
		char why[ERRBUF_SIZE];
		uint64_t uv = 0;

		if (strcmp(o, origin) != 0) {
			/* the previous feed's head must be what the feed table says */
			snprintf(origin, sizeof origin, "%s", o);
			expect = 1;
			memset(prev, 0, sizeof prev);
			rep->feeds++;
		}
		/* the key that signs (origin, seq): a re-keyed township changes it mid-feed */
		havekey = ledger_origin_key(l, origin, seq, pk) == 0;
		if (seq != expect) {
			result = s_bad(rep, origin, expect, seq > expect ?
			    "change set missing (next held is seq %llu)" : "seq %llu out of order",
			    (unsigned long long)seq);
			break;
		}
		changeset_id(id, body, len);
		if (sqlite3_column_bytes(st, 2) != HASH_BYTES || memcmp(id, sqlite3_column_blob(st, 2), HASH_BYTES) != 0) {
			result = s_bad(rep, origin, seq, "stored bytes do not hash to the recorded id (altered)");
			break;
		}
		if (changeset_decode(&cs, body, len, why, sizeof why) < 0) {
			result = s_bad(rep, origin, seq, "does not decode: %s", why);
			break;
		}
		int bad = 0;
		if (strcmp(cs.h.origin, origin) != 0 || cs.h.seq != seq)
			bad = s_bad(rep, origin, seq, "body says %s seq %llu", cs.h.origin,
			    (unsigned long long)cs.h.seq);
		else if (memcmp(cs.h.prev, prev, HASH_BYTES) != 0)
			bad = s_bad(rep, origin, seq, "broken chain: prev is not the id of seq %llu",
			    (unsigned long long)(seq - 1));
		else if (sqlite3_column_bytes(st, 5) != HASH_BYTES ||
		    memcmp(sqlite3_column_blob(st, 5), cs.h.prev, HASH_BYTES) != 0 ||
		    (uint64_t)sqlite3_column_int64(st, 6) != cs.h.hlc ||
		    (unsigned)sqlite3_column_int(st, 7) != cs.h.schema ||
		    sqlite3_column_bytes(st, 8) != PUBKEY_BYTES ||
		    memcmp(sqlite3_column_blob(st, 8), cs.h.author, PUBKEY_BYTES) != 0 ||
		    (uint32_t)sqlite3_column_int64(st, 9) != cs.h.nops)
			bad = s_bad(rep, origin, seq, "stored header columns (prev, hlc, schema, author, "
			    "nops) differ from the body (altered)");
		else if (!havekey && s_unverified_first(l, origin, &uv) == 1 && uv <= seq)
			rep->unverified++;      /* held until its key arrives: chain checked, not the signature */
		else if (!havekey)
			bad = s_bad(rep, origin, seq, "no key known for origin %s (not on the roster)", origin);
		else if (memcmp(cs.h.author, pk, PUBKEY_BYTES) != 0)
			bad = s_bad(rep, origin, seq, "author is not the key of %s for seq %llu", origin,
			    (unsigned long long)seq);
		else if (sqlite3_column_bytes(st, 4) != SIG_BYTES ||
		    changeset_verify_sig(sqlite3_column_blob(st, 4), body, len, pk) < 0)
			bad = s_bad(rep, origin, seq, "bad signature");
		changeset_release(&cs);
		if (bad) {
			result = 1;
			break;
		}
		memcpy(prev, id, HASH_BYTES);
		expect = seq + 1;
		rep->changesets += havekey;
	}
	sqlite3_finalize(st);
	if (!result && rc != SQLITE_DONE)
		return s_sqlerr(l->db, err, errlen, "verify");
	return result ? result : s_verify_heads(l, rep, err, errlen);
}

/* Compare each state table of main with replay: 0 equal, 1 a difference (in REP). */
static int
s_compare_state(struct ledger *l, struct verify_report *rep, char *err, size_t errlen)
{
	for (const struct table_def *const *tp = schema_tables; *tp; tp++) {
		for (int dir = 0; dir < 2; dir++) {
			const char *a = dir ? "replay" : "main", *b = dir ? "main" : "replay";
			char *sql = sqlite3_mprintf("SELECT id FROM (SELECT * FROM \"%w\".\"%w\" EXCEPT "
			    "SELECT * FROM \"%w\".\"%w\") LIMIT 1", a, (*tp)->name, b, (*tp)->name);
			sqlite3_stmt *st = NULL;
			int rc = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);
			sqlite3_free(sql);
			if (rc != SQLITE_OK)
				return s_sqlerr(l->db, err, errlen, "compare state");
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				snprintf(rep->origin, sizeof rep->origin, "-");
				rep->seq = 0;
				snprintf(rep->reason, sizeof rep->reason,
				    "state table \"%s\" row \"%s\" %s the replay of the ledger (changed outside it)",
				    (*tp)->name, sqlite3_column_text(st, 0),
				    dir ? "is missing though in" : "differs from");
				sqlite3_finalize(st);
				return 1;
			}
			sqlite3_finalize(st);
			if (rc != SQLITE_DONE)
				return s_sqlerr(l->db, err, errlen, "compare state");
		}
		rep->tables++;
	}
	return 0;
}

int
ledger_verify(struct ledger *l, struct verify_report *rep, char *err, size_t errlen)
{
	struct applier a;
	uint64_t n;
	int rc;

	memset(rep, 0, sizeof *rep);
	/* one read transaction: chains, state and replay all see the same snapshot */
	if (s_exec(l->db, "BEGIN", err, errlen) < 0)
		return -1;
	if ((rc = s_verify_chains(l, rep, err, errlen)) != 0)
		goto out;
	if ((rc = s_exec(l->db, "ATTACH DATABASE '' AS replay", err, errlen)) < 0)
		goto out;
	s_applier_init(&a, l->db, "replay");
	rc = schema_create(l->db, "replay", err, errlen);
	if (rc == 0)
		rc = s_replay(l, &a, &n, rep, err, errlen);
	if (rc == 0)
		rc = s_compare_state(l, rep, err, errlen);
	s_applier_clear(&a);
	sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_exec(l->db, "DETACH DATABASE replay", NULL, NULL, NULL);
	return rc;
out:
	sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

int
ledger_rebuild(struct ledger *l, uint64_t *replayed, char *err, size_t errlen)
{
	int rc;

	s_applier_clear(&l->main);
	sqlite3_finalize(l->st_roster_key);
	l->st_roster_key = NULL;
	sqlite3_finalize(l->st_retired_key);
	l->st_retired_key = NULL;
	if (ledger_begin(l, err, errlen) < 0)
		return -1;
	if (schema_drop(l->db, "main", err, errlen) < 0 || schema_create(l->db, "main", err, errlen) < 0) {
		ledger_rollback(l);
		return -1;
	}
	rc = s_replay(l, &l->main, replayed, NULL, err, errlen);
	s_applier_clear(&l->main);
	if (rc != 0) {
		ledger_rollback(l);
		return -1;
	}
	return s_exec(l->db, "COMMIT", err, errlen);
}

int
ledger_backup(struct ledger *l, const char *path, char *err, size_t errlen)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		errf(err, errlen, "%s: %s", path, dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return -1;
	}
	if (!(b = sqlite3_backup_init(dst, "main", l->db, "main"))) {
		s_sqlerr(dst, err, errlen, "backup");
		sqlite3_close(dst);
		return -1;
	}
	/* all pages in one step: one read transaction, a consistent snapshot */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
		sqlite3_sleep(50);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		errf(err, errlen, "backup: %s", sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	if (sqlite3_close(dst) != SQLITE_OK)
		return errf(err, errlen, "%s: cannot close the copy", path);
	return 0;
}
