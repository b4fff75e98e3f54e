/*
 * test_ledger.c — local writes, chains, receiving (duplicate, gap, refused,
 * fork), verify and rebuild, on real SQLite files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ledger.h"
#include "schema.h"
#include "util.h"

#define COUNTY   "522601"
#define TOWN     "522601100"
#define TOWN2    "522601200"

struct fixture {
	char dir[64];
	struct ledger *county, *town, *town2;
	uint8_t cpk[PUBKEY_BYTES], csk[SECKEY_BYTES];
	uint8_t tpk[PUBKEY_BYTES], tsk[SECKEY_BYTES];
	uint8_t t2pk[PUBKEY_BYTES], t2sk[SECKEY_BYTES];
};

static struct ledger *
s_open(struct fixture *f, const char *name, const char *code, const uint8_t *pk,
    const uint8_t *sk)
{
	char path[128], err[ERRBUF_SIZE];
	struct ledger *l;
	struct ledger_identity id;

	snprintf(path, sizeof path, "%s/%s.db", f->dir, name);
	if (ledger_open(&l, path, LEDGER_CREATE, err, sizeof err) < 0)
		fail_msg("open: %s", err);
	memset(&id, 0, sizeof id);
	strcpy(id.code, code);
	strcpy(id.county, COUNTY);
	memcpy(id.pk, pk, PUBKEY_BYTES);
	memcpy(id.county_pk, f->cpk, PUBKEY_BYTES);
	ledger_set_identity(l, &id, sk);
	return l;
}

static void
s_write(struct ledger *l, const char *table, const char *key, const char *name)
{
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_TEXT("name", name) };

	ops_init(&ops);
	ops_upsert(&ops, table, key, c, 1);
	if (ledger_begin(l, err, sizeof err) < 0 || ledger_commit(l, &ops, NULL, err, sizeof err) < 0)
		fail_msg("write %s: %s", key, err);
	ops_release(&ops);
}

/* The county puts a township's key on its roster (a county-feed write). */
static void
s_roster(struct ledger *county, const char *code, const uint8_t pk[PUBKEY_BYTES])
{
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_BLOB("pubkey", pk, PUBKEY_BYTES), COL_TEXT("name", "乡"),
		COL_TEXT("role", "township"), COL_INT("removed", 0) };

	ops_init(&ops);
	ops_upsert(&ops, "roster_node", code, c, 4);
	assert_int_equal(ledger_begin(county, err, sizeof err), 0);
	if (ledger_commit(county, &ops, NULL, err, sizeof err) < 0)
		fail_msg("roster: %s", err);
	ops_release(&ops);
}

static int
s_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	strcpy(f->dir, "/tmp/lika-unit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	crypto_sign_keypair(f->cpk, f->csk);
	crypto_sign_keypair(f->tpk, f->tsk);
	crypto_sign_keypair(f->t2pk, f->t2sk);
	f->county = s_open(f, "county", COUNTY, f->cpk, f->csk);
	f->town = s_open(f, "town", TOWN, f->tpk, f->tsk);
	f->town2 = s_open(f, "town2", TOWN2, f->t2pk, f->t2sk);
	s_roster(f->county, TOWN, f->tpk);
	s_roster(f->county, TOWN2, f->t2pk);
	*state = f;
	return 0;
}

static int
s_teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	ledger_close(&f->county);
	ledger_close(&f->town);
	ledger_close(&f->town2);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Send change set SEQ of FROM's feed ORIGIN to TO; returns the result. */
static enum recv_result
s_pass(struct ledger *from, const char *origin, uint64_t seq, struct ledger *to, char *reason)
{
	uint8_t *body, sig[SIG_BYTES];
	size_t len;
	char err[ERRBUF_SIZE];
	enum recv_result r;

	assert_int_equal(ledger_changeset_get(from, origin, seq, &body, &len, sig), 0);
	assert_int_equal(ledger_recv_begin(to, err, sizeof err), 0);
	assert_int_equal(ledger_receive(to, body, len, sig, SIG_BYTES, "test", &r, reason, 256), 0);
	assert_int_equal(ledger_recv_commit(to, err, sizeof err), 0);
	free(body);
	return r;
}

static void
test_chain_and_verify(void **state)
{
	struct fixture *f = *state;
	struct verify_report rep;
	char err[ERRBUF_SIZE];
	uint64_t seq;
	uint8_t id[HASH_BYTES];

	s_write(f->town, "village", TOWN "001", "一村");
	s_write(f->town, "village", TOWN "002", "二村");
	s_write(f->town, "village", TOWN "001", "一村改名");
	assert_int_equal(ledger_feed_head(f->town, TOWN, &seq, id), 0);
	assert_int_equal(seq, 3);
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 0);
	assert_int_equal(rep.changesets, 3);

	/* an edited state row no longer matches the replay */
	assert_int_equal(sqlite3_exec(ledger_db(f->town),
	    "UPDATE village SET name = 'x' WHERE id = '" TOWN "002'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 1);
	assert_non_null(strstr(rep.reason, "village"));
	/* rebuild restores it from the ledger */
	uint64_t n = 0;
	assert_int_equal(ledger_rebuild(f->town, &n, err, sizeof err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 0);

	/* a changed stored body is named by (origin, seq) */
	assert_int_equal(sqlite3_exec(ledger_db(f->town),
	    "UPDATE changeset SET body = body || x'00' WHERE seq = 2", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 1);
	assert_string_equal(rep.origin, TOWN);
	assert_int_equal(rep.seq, 2);
}

static void
test_ownership_on_write(void **state)
{
	struct fixture *f = *state;
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_TEXT("name", "外村") };
	uint64_t seq;
	uint8_t id[HASH_BYTES];

	ops_init(&ops);
	ops_upsert(&ops, "village", TOWN2 "001", c, 1);
	assert_int_equal(ledger_begin(f->town, err, sizeof err), 0);
	assert_int_equal(ledger_commit(f->town, &ops, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, TOWN2 "001"));
	ops_release(&ops);
	/* nor may a township write a county table */
	ops_init(&ops);
	struct colval p[] = { COL_TEXT("value", "9999") };
	ops_upsert(&ops, "policy", "LINE/2014", p, 1);
	assert_int_equal(ledger_begin(f->town, err, sizeof err), 0);
	assert_int_equal(ledger_commit(f->town, &ops, NULL, err, sizeof err), -1);
	ops_release(&ops);
	assert_int_equal(ledger_feed_head(f->town, TOWN, &seq, id), 0);
	assert_int_equal(seq, 0);
}

static void
test_receive(void **state)
{
	struct fixture *f = *state;
	char reason[256], err[ERRBUF_SIZE];
	struct verify_report rep;
	uint64_t seq;
	uint8_t id[HASH_BYTES], tid[HASH_BYTES];

	for (int i = 1; i <= 4; i++) {
		char key[16], name[16];
		snprintf(key, sizeof key, TOWN "%03d", i);
		snprintf(name, sizeof name, "村%d", i);
		s_write(f->town, "village", key, name);
	}
	assert_int_equal(s_pass(f->town, TOWN, 1, f->county, reason), RECV_STORED);
	assert_int_equal(s_pass(f->town, TOWN, 1, f->county, reason), RECV_DUPLICATE);
	assert_int_equal(s_pass(f->town, TOWN, 3, f->county, reason), RECV_GAP);
	assert_int_equal(s_pass(f->town, TOWN, 2, f->county, reason), RECV_STORED);
	assert_int_equal(s_pass(f->town, TOWN, 3, f->county, reason), RECV_STORED);
	assert_int_equal(ledger_feed_head(f->county, TOWN, &seq, id), 0);
	assert_int_equal(seq, 3);
	assert_int_equal(ledger_feed_head(f->town, TOWN, &seq, tid), 0);
	assert_int_equal(ledger_verify(f->county, &rep, err, sizeof err), 0);

	/* a bad signature is refused, quarantined, and freezes that feed only */
	uint8_t *body, sig[SIG_BYTES];
	size_t len;
	enum recv_result r;
	assert_int_equal(ledger_changeset_get(f->town, TOWN, 4, &body, &len, sig), 0);
	sig[10] ^= 1;
	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), 0);
	assert_int_equal(ledger_receive(f->county, body, len, sig, SIG_BYTES, "test", &r, reason,
	    sizeof reason), 0);
	assert_int_equal(ledger_recv_commit(f->county, err, sizeof err), 0);
	assert_int_equal(r, RECV_REFUSED);
	assert_non_null(strstr(reason, "signature"));
	assert_int_equal(ledger_feed_frozen(f->county, TOWN, reason, sizeof reason), 1);
	sig[10] ^= 1;
	assert_int_equal(s_pass(f->town, TOWN, 4, f->county, reason), RECV_FROZEN);
	free(body);

	/* the other township's feed goes on */
	s_write(f->town2, "village", TOWN2 "001", "外村");
	assert_int_equal(s_pass(f->town2, TOWN2, 1, f->county, reason), RECV_STORED);

	/* after an admin unfreezes, the genuine change set is taken */
	assert_int_equal(ledger_feed_unfreeze(f->county, TOWN, err, sizeof err), 1);
	assert_int_equal(s_pass(f->town, TOWN, 4, f->county, reason), RECV_STORED);

	/* county feed down to the township: roster rows arrive, county key checks them */
	assert_int_equal(s_pass(f->county, COUNTY, 1, f->town, reason), RECV_STORED);
	assert_int_equal(ledger_verify(f->county, &rep, err, sizeof err), 0);
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 0);
}

/* Change set SEQ of FROM's feed ORIGIN received by TO, inside TO's receiving transaction. */
static enum recv_result
s_recv_in(struct ledger *from, const char *origin, uint64_t seq, struct ledger *to)
{
	uint8_t *body, sig[SIG_BYTES];
	size_t len;
	char reason[256];
	enum recv_result r;

	assert_int_equal(ledger_changeset_get(from, origin, seq, &body, &len, sig), 0);
	assert_int_equal(ledger_receive(to, body, len, sig, SIG_BYTES, "test", &r, reason, sizeof reason), 0);
	free(body);
	return r;
}

/*
 * Township 2 with its own key, made to believe it is its own county: its
 * local ownership check lets it write what only the county may (a rogue).
 */
static struct ledger *
s_rogue(struct fixture *f)
{
	struct ledger *rogue = s_open(f, "rogue", TOWN2, f->t2pk, f->t2sk);
	struct ledger_identity id;

	memset(&id, 0, sizeof id);
	strcpy(id.code, TOWN2);
	strcpy(id.county, TOWN2);
	memcpy(id.pk, f->t2pk, PUBKEY_BYTES);
	memcpy(id.county_pk, f->t2pk, PUBKEY_BYTES);
	ledger_set_identity(rogue, &id, f->t2sk);
	return rogue;
}

/* ORIGIN's head as SQL on DB reads it from the feed table (-1: no row). */
static int64_t
s_head_in(sqlite3 *db, const char *origin)
{
	sqlite3_stmt *st;
	int64_t head = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT head_seq FROM feed WHERE origin = ?1", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		head = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return head;
}

/* ORIGIN's head in the ledger at PATH, read by a connection of its own (what is committed). */
static int64_t
s_head_committed(const char *path, const char *origin)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	int64_t head = s_head_in(db, origin);
	sqlite3_close(db);
	return head;
}

/*
 * A receiving transaction writes a feed's row once, not once a change set:
 * what is committed, what SQL on the same connection reads meanwhile, a
 * second origin in the same transaction, a rollback, and a change set
 * refused in the middle of a run all see the head they would row by row.
 */
static void
test_batch_feed_row(void **state)
{
	struct fixture *f = *state;
	char err[ERRBUF_SIZE], path[128];
	uint64_t seq;
	uint8_t id[HASH_BYTES];

	snprintf(path, sizeof path, "%s/county.db", f->dir);
	for (int i = 1; i <= 6; i++) {
		char key[16];
		snprintf(key, sizeof key, TOWN "%03d", i);
		s_write(f->town, "village", key, "村");
	}
	s_write(f->town2, "village", TOWN2 "001", "外村");

	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), 0);
	for (uint64_t s = 1; s <= 3; s++)
		assert_int_equal(s_recv_in(f->town, TOWN, s, f->county), RECV_STORED);
	assert_int_equal(ledger_feed_head(f->county, TOWN, &seq, id), 0);
	assert_int_equal(seq, 3);
	assert_int_equal(s_head_committed(path, TOWN), -1);       /* nothing committed yet */
	assert_int_equal(s_head_in(ledger_db(f->county), TOWN), 3);         /* SQL on the connection sees it */
	assert_int_equal(s_recv_in(f->town2, TOWN2, 1, f->county), RECV_STORED);
	assert_int_equal(s_recv_in(f->town, TOWN, 4, f->county), RECV_STORED);
	assert_int_equal(s_recv_in(f->town, TOWN, 4, f->county), RECV_DUPLICATE);
	assert_int_equal(s_recv_in(f->town, TOWN, 6, f->county), RECV_GAP);
	assert_int_equal(ledger_recv_commit(f->county, err, sizeof err), 0);
	assert_int_equal(s_head_committed(path, TOWN), 4);
	assert_int_equal(s_head_committed(path, TOWN2), 1);

	/* rolled back: the head stays, and the same change set is taken again */
	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), 0);
	assert_int_equal(s_recv_in(f->town, TOWN, 5, f->county), RECV_STORED);
	ledger_rollback(f->county);
	assert_int_equal(ledger_feed_head(f->county, TOWN, &seq, id), 0);
	assert_int_equal(seq, 4);
	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), 0);
	assert_int_equal(s_recv_in(f->town, TOWN, 5, f->county), RECV_STORED);
	assert_int_equal(ledger_recv_commit(f->county, err, sizeof err), 0);
	assert_int_equal(s_head_committed(path, TOWN), 5);

	/*
	 * A township's own feed whose third change set breaks a rule (a policy
	 * row, the county's): the first two are stored, the third refused after
	 * its apply was rolled back to its savepoint, the feed frozen at 2.
	 */
	struct ledger *rogue = s_rogue(f);
	struct ledger *fresh = s_open(f, "fresh", COUNTY, f->cpk, f->csk);
	s_roster(fresh, TOWN2, f->t2pk);
	s_write(rogue, "village", TOWN2 "001", "一村");
	s_write(rogue, "village", TOWN2 "002", "二村");
	s_write(rogue, "policy", "LINE/2014", "steal");
	assert_int_equal(ledger_recv_begin(fresh, err, sizeof err), 0);
	assert_int_equal(s_recv_in(rogue, TOWN2, 1, fresh), RECV_STORED);
	assert_int_equal(s_recv_in(rogue, TOWN2, 2, fresh), RECV_STORED);
	assert_int_equal(s_recv_in(rogue, TOWN2, 3, fresh), RECV_REFUSED);
	assert_int_equal(ledger_recv_commit(fresh, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/fresh.db", f->dir);
	assert_int_equal(s_head_committed(path, TOWN2), 2);
	char why[256];
	assert_int_equal(ledger_feed_frozen(fresh, TOWN2, why, sizeof why), 1);
	ledger_close(&fresh);
	ledger_close(&rogue);
}

/* ledger_changeset_each's callback in test_changeset_each: counts, stops at STOP_AT. */
struct each_seen {
	uint64_t seqs[16];
	size_t n;
	uint64_t stop_at;
};

static int
s_each_fn(void *arg, uint64_t seq, const uint8_t *body, size_t len, const uint8_t *sig)
{
	struct each_seen *e = arg;

	assert_non_null(body);
	assert_true(len > 0);
	assert_non_null(sig);
	if (e->n < 16)
		e->seqs[e->n++] = seq;
	return seq == e->stop_at;
}

struct each_copy {
	uint8_t *body, sig[SIG_BYTES];
	size_t len;
};

static int
s_each_copy(void *arg, uint64_t seq, const uint8_t *body, size_t len, const uint8_t *sig)
{
	struct each_copy *c = arg;

	(void)seq;
	assert_non_null(c->body = malloc(len));
	memcpy(c->body, body, len);
	memcpy(c->sig, sig, SIG_BYTES);
	c->len = len;
	return 0;
}

/* A range of a feed in one read: every seq in order, the same bytes as one by one, a stop, a hole. */
/* PRAGMA synchronous of DB: 1 NORMAL, 2 FULL. */
static int
s_synchronous(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * ledger_set_recv_lazy: a receiving transaction runs unsynced (NORMAL) and
 * every other one synced (FULL), after a commit, a rollback, or a begin that
 * found another writer (said as LEDGER_BUSY, not as any error); so does one
 * begun by ledger_begin_unsynced.
 */
static void
test_recv_lazy(void **state)
{
	struct fixture *f = *state;
	char err[ERRBUF_SIZE], path[128];
	sqlite3 *other;

	snprintf(path, sizeof path, "%s/county.db", f->dir);
	for (int i = 1; i <= 3; i++) {
		char key[16];
		snprintf(key, sizeof key, TOWN "%03d", i);
		s_write(f->town, "village", key, "村");
	}
	assert_int_equal(s_synchronous(ledger_db(f->county)), 2);
	ledger_set_recv_lazy(f->county, 1);
	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), 0);
	assert_int_equal(s_recv_in(f->town, TOWN, 1, f->county), RECV_STORED);
	assert_int_equal(s_synchronous(ledger_db(f->county)), 1);
	assert_int_equal(ledger_recv_commit(f->county, err, sizeof err), 0);
	assert_int_equal(s_synchronous(ledger_db(f->county)), 2);
	assert_int_equal(s_head_committed(path, TOWN), 1);

	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), 0);
	assert_int_equal(s_recv_in(f->town, TOWN, 2, f->county), RECV_STORED);
	ledger_rollback(f->county);
	assert_int_equal(s_synchronous(ledger_db(f->county)), 2);

	/* another writer: LEDGER_BUSY, at once, and synced again */
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_busy_timeout(ledger_db(f->county), 0);
	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), LEDGER_BUSY);
	assert_int_equal(s_synchronous(ledger_db(f->county)), 2);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);

	/* bookkeeping begun unsynced, whatever ledger_set_recv_lazy says */
	assert_int_equal(ledger_begin_unsynced(f->county, err, sizeof err), 0);
	assert_int_equal(s_synchronous(ledger_db(f->county)), 1);
	assert_int_equal(ledger_end(f->county, err, sizeof err), 0);
	assert_int_equal(s_synchronous(ledger_db(f->county)), 2);

	/* a write of its own is synced */
	s_roster(f->county, TOWN2, f->t2pk);
	assert_int_equal(s_synchronous(ledger_db(f->county)), 2);
	ledger_set_recv_lazy(f->county, 0);
	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), 0);
	assert_int_equal(s_synchronous(ledger_db(f->county)), 2);
	assert_int_equal(s_recv_in(f->town, TOWN, 2, f->county), RECV_STORED);
	assert_int_equal(ledger_recv_commit(f->county, err, sizeof err), 0);
	assert_int_equal(s_head_committed(path, TOWN), 2);
}

static void
test_changeset_each(void **state)
{
	struct fixture *f = *state;
	struct each_seen e = { .n = 0 };
	uint64_t missing;

	for (int i = 1; i <= 6; i++) {
		char key[16];
		snprintf(key, sizeof key, TOWN "%03d", i);
		s_write(f->town, "village", key, "村");
	}
	assert_int_equal(ledger_changeset_each(f->town, TOWN, 2, 5, s_each_fn, &e, &missing), 0);
	assert_int_equal(e.n, 4);
	for (size_t i = 0; i < e.n; i++)
		assert_int_equal(e.seqs[i], 2 + i);
	assert_int_equal(missing, 6);

	/* the same bytes as ledger_changeset_get */
	uint8_t *body, sig[SIG_BYTES];
	size_t len;
	struct each_copy got = { 0 };
	assert_int_equal(ledger_changeset_get(f->town, TOWN, 3, &body, &len, sig), 0);
	assert_int_equal(ledger_changeset_each(f->town, TOWN, 3, 3, s_each_copy, &got, &missing), 0);
	assert_int_equal(got.len, len);
	assert_memory_equal(got.body, body, len);
	assert_memory_equal(got.sig, sig, SIG_BYTES);
	free(got.body);
	free(body);

	/* stopped by the callback: 0, nothing missing */
	memset(&e, 0, sizeof e);
	e.stop_at = 3;
	assert_int_equal(ledger_changeset_each(f->town, TOWN, 1, 6, s_each_fn, &e, &missing), 0);
	assert_int_equal(e.n, 3);

	/* past the head: -1, the first seq not there named */
	memset(&e, 0, sizeof e);
	assert_int_equal(ledger_changeset_each(f->town, TOWN, 5, 9, s_each_fn, &e, &missing), -1);
	assert_int_equal(e.n, 2);
	assert_int_equal(missing, 7);

	/* a hole (a row removed behind the ledger's back): stops before it, names it */
	assert_int_equal(sqlite3_exec(ledger_db(f->town), "DELETE FROM changeset WHERE seq = 4", NULL, NULL,
	    NULL), SQLITE_OK);
	memset(&e, 0, sizeof e);
	assert_int_equal(ledger_changeset_each(f->town, TOWN, 1, 6, s_each_fn, &e, &missing), -1);
	assert_int_equal(e.n, 3);
	assert_int_equal(missing, 4);
}

static void
test_refused_writes(void **state)
{
	struct fixture *f = *state;
	char reason[256];

	/* township 2 signs a change set touching township 1's village: refused at the hub */
	struct ledger *rogue = s_rogue(f);
	s_write(rogue, "policy", "LINE/2014", "steal");
	assert_int_equal(s_pass(rogue, TOWN2, 1, f->county, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "county"));
	ledger_close(&rogue);
}

static void
test_fork_detected(void **state)
{
	struct fixture *f = *state;
	char reason[256];

	s_write(f->town, "village", TOWN "001", "一村");
	assert_int_equal(s_pass(f->town, TOWN, 1, f->county, reason), RECV_STORED);
	/* the same township restored without its feed writes seq 1 again */
	struct ledger *again = s_open(f, "again", TOWN, f->tpk, f->tsk);
	s_write(again, "village", TOWN "001", "另一个");
	assert_int_equal(s_pass(again, TOWN, 1, f->county, reason), RECV_FORK);
	assert_int_equal(ledger_feed_frozen(f->county, TOWN, reason, sizeof reason), 1);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(ledger_db(f->county),
	    "SELECT count(*) FROM quarantine WHERE kind = 'fork'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	ledger_close(&again);
}

static void
test_malformed_quarantined(void **state)
{
	struct fixture *f = *state;
	char reason[256], err[ERRBUF_SIZE];
	enum recv_result r;
	const uint8_t junk[] = { 0xdd, 0x7f, 0xff, 0xff, 0xff, 0x01 };
	uint8_t sig[SIG_BYTES] = { 0 };

	assert_int_equal(ledger_recv_begin(f->county, err, sizeof err), 0);
	assert_int_equal(ledger_receive(f->county, junk, sizeof junk, sig, SIG_BYTES, "test", &r,
	    reason, sizeof reason), 0);
	assert_int_equal(ledger_recv_commit(f->county, err, sizeof err), 0);
	assert_int_equal(r, RECV_REFUSED);
	assert_non_null(strstr(reason, "msgpack"));
}

/*
 * A re-keyed township (lika roster rekey-township): retired row "CODE/UPTO"
 * with the old key, row CODE with the new one.  The old key signs seqs <=
 * UPTO, the new key the rest; verify holds over a feed signed by both.
 */
/*
 * A test rule: a county policy row keyed "needs/…" waits until TOWN's village
 * 001 is applied here; one whose value is "no" is refused once it may apply.
 */
static int
s_wait_rule(void *arg, struct ledger *l, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int have;

	(void)arg, (void)l;
	if (op->phase != LEDGER_RULE_BEFORE || strcmp(op->table, "policy") != 0 ||
	    strncmp(op->key, "needs/", 6) != 0)
		return 0;
	assert_int_equal(sqlite3_prepare_v2(op->db, "SELECT 1 FROM village WHERE id = '" TOWN "001'",
	    -1, &st, NULL), SQLITE_OK);
	have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!have) {
		snprintf(err, errlen, "rule test: village " TOWN "001 is not here yet");
		return LEDGER_RULE_WAIT;
	}
	for (uint32_t i = 0; op->cols && i < op->cols->size; i++) {
		const msgpack_object *k = &op->cols->ptr[i].key, *v = &op->cols->ptr[i].val;
		if (k->via.str.size == 5 && !memcmp(k->via.str.ptr, "value", 5) &&
		    v->type == MSGPACK_OBJECT_STR && v->via.str.size == 2 && !memcmp(v->via.str.ptr, "no", 2)) {
			snprintf(err, errlen, "rule test: value no");
			return -1;
		}
	}
	return 0;
}

static void
s_policy(struct ledger *county, const char *key, const char *value)
{
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_TEXT("value", value) };

	ops_init(&ops);
	ops_upsert(&ops, "policy", key, c, 1);
	assert_int_equal(ledger_begin(county, err, sizeof err), 0);
	if (ledger_commit(county, &ops, NULL, err, sizeof err) < 0)
		fail_msg("policy: %s", err);
	ops_release(&ops);
}

/*
 * "Wait, don't refuse": a change set a rule finds missing what another feed
 * brings is held (with its feed behind it) and applies once that arrives;
 * replay follows the order it was applied in.  Held, then refused: frozen.
 */
static void
test_wait(void **state)
{
	struct fixture *f = *state;
	struct ledger *t2 = f->town2;
	char reason[256], why[256], err[ERRBUF_SIZE];
	struct verify_report rep;
	uint64_t replayed;

	ledger_set_rules(t2, s_wait_rule, NULL, NULL);
	s_policy(f->county, "needs/1", "yes");          /* county seq 3 */
	s_policy(f->county, "other/1", "x");            /* county seq 4 */
	s_write(f->town, "village", TOWN "001", "东村");
	for (uint64_t seq = 1; seq <= 2; seq++)
		assert_int_equal(s_pass(f->county, COUNTY, seq, t2, reason), RECV_STORED);
	assert_int_equal(s_pass(f->county, COUNTY, 3, t2, reason), RECV_HELD);
	assert_non_null(strstr(reason, "village " TOWN "001 is not here yet"));
	assert_int_equal(s_pass(f->county, COUNTY, 4, t2, reason), RECV_HELD);
	assert_non_null(strstr(reason, "behind seq 3"));
	assert_int_equal(ledger_feed_waits(t2, COUNTY, why, sizeof why), 1);
	assert_non_null(strstr(why, "seq 3: "));
	assert_int_equal(ledger_feed_frozen(t2, COUNTY, why, sizeof why), 0);

	/* what it waits for arrives in another feed: both apply in the same commit */
	assert_int_equal(s_pass(f->town, TOWN, 1, t2, reason), RECV_STORED);
	assert_int_equal(ledger_feed_waits(t2, COUNTY, why, sizeof why), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(ledger_db(t2), "SELECT count(*) FROM policy", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
	assert_int_equal(ledger_verify(t2, &rep, err, sizeof err), 0);
	assert_int_equal(ledger_rebuild(t2, &replayed, err, sizeof err), 0);

	/* a local write that would wait fails like a refusal */
	struct ledger *c = f->county;
	ledger_set_rules(c, s_wait_rule, NULL, NULL);
	struct ops ops = OPS_INIT;
	struct colval cv[] = { COL_TEXT("value", "yes") };
	ops_init(&ops);
	ops_upsert(&ops, "policy", "needs/2", cv, 1);
	assert_int_equal(ledger_begin(c, err, sizeof err), 0);
	assert_int_equal(ledger_commit(c, &ops, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "is not here yet"));
	ops_release(&ops);
	ledger_set_rules(c, NULL, NULL, NULL);

	/* held, then refused once it may apply: quarantined, the feed frozen, nothing applied */
	s_policy(c, "needs/3", "no");                   /* county seq 5 */
	struct ledger *t = s_open(f, "town3", "522601300", f->t2pk, f->t2sk);
	ledger_set_rules(t, s_wait_rule, NULL, NULL);
	for (uint64_t seq = 1; seq <= 2; seq++)
		assert_int_equal(s_pass(c, COUNTY, seq, t, reason), RECV_STORED);
	assert_int_equal(s_pass(c, COUNTY, 3, t, reason), RECV_HELD);
	assert_int_equal(s_pass(c, COUNTY, 4, t, reason), RECV_HELD);
	assert_int_equal(s_pass(c, COUNTY, 5, t, reason), RECV_HELD);
	assert_int_equal(s_pass(f->town, TOWN, 1, t, reason), RECV_STORED);
	assert_int_equal(ledger_feed_frozen(t, COUNTY, why, sizeof why), 1);
	assert_non_null(strstr(why, "seq 5 refused: op 0: rule test: value no"));
	assert_int_equal(ledger_feed_waits(t, COUNTY, why, sizeof why), 1);
	assert_non_null(strstr(why, "seq 5: the feed is frozen"));
	assert_int_equal(ledger_verify(t, &rep, err, sizeof err), 0);
	ledger_close(&t);
}

/*
 * Wait, don't refuse: a township receives another township's feed before the
 * county feed brings its roster row.  The change sets wait unverified (held,
 * never sent on, verify counts them apart); the row arrives and they are
 * checked and applied.  One signed by a key the county never published waits
 * too, and is refused when the county's row names another key: it leaves the
 * ledger for the quarantine and the feed is frozen.
 */
static void
test_wait_for_key(void **state)
{
	struct fixture *f = *state;
	char reason[256], err[ERRBUF_SIZE];
	struct verify_report rep;
	uint64_t seq, fwd;

	s_write(f->town2, "village", TOWN2 "001", "外村");
	s_write(f->town2, "village", TOWN2 "002", "外二村");
	assert_int_equal(s_pass(f->town2, TOWN2, 1, f->town, reason), RECV_HELD);
	assert_non_null(strstr(reason, "not known here yet"));
	assert_int_equal(s_pass(f->town2, TOWN2, 2, f->town, reason), RECV_HELD);
	assert_int_equal(ledger_feed_head(f->town, TOWN2, &seq, NULL), 0);
	assert_int_equal(seq, 2);
	assert_int_equal(ledger_feed_heads(f->town, TOWN2, &seq, &fwd), 0);
	assert_int_equal(seq, 2);
	assert_int_equal(fwd, 0);              /* nothing of it may be sent on */
	assert_int_equal(ledger_feed_waits(f->town, TOWN2, reason, sizeof reason), 1);
	memset(&rep, 0, sizeof rep);
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 0);
	assert_int_equal(rep.unverified, 2);

	/* a third township, whose key is not the one its county will publish */
	uint8_t xpk[PUBKEY_BYTES], xsk[SECKEY_BYTES];
	crypto_sign_keypair(xpk, xsk);
	struct ledger *rogue = s_open(f, "rogue", "522601300", xpk, xsk);
	s_write(rogue, "village", "522601300001", "冒村");
	assert_int_equal(s_pass(rogue, "522601300", 1, f->town, reason), RECV_HELD);
	s_roster(f->county, "522601300", f->t2pk);

	/* the county feed: its roster rows arrive, the held change sets are checked */
	for (uint64_t i = 1; i <= 3; i++)
		assert_int_equal(s_pass(f->county, COUNTY, i, f->town, reason), RECV_STORED);
	assert_int_equal(ledger_feed_heads(f->town, TOWN2, &seq, &fwd), 0);
	assert_int_equal(fwd, 2);
	assert_int_equal(ledger_feed_waits(f->town, TOWN2, reason, sizeof reason), 0);
	assert_int_equal(ledger_feed_frozen(f->town, "522601300", reason, sizeof reason), 1);
	assert_non_null(strstr(reason, "not the key its county published"));
	assert_int_equal(ledger_feed_head(f->town, "522601300", &seq, NULL), 0);
	assert_int_equal(seq, 0);
	memset(&rep, 0, sizeof rep);
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 0);
	assert_int_equal(rep.unverified, 0);
	ledger_close(&rogue);
}

/* A roster row ID with key PK and ROLE, written at L (its own feed). */
static void
s_roster_as(struct ledger *l, const char *id, const uint8_t pk[PUBKEY_BYTES], const char *role)
{
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_BLOB("pubkey", pk, PUBKEY_BYTES), COL_TEXT("name", "x"),
		COL_TEXT("role", role), COL_INT("removed", 0) };

	ops_init(&ops);
	ops_upsert(&ops, "roster_node", id, c, 4);
	assert_int_equal(ledger_begin(l, err, sizeof err), 0);
	if (ledger_commit(l, &ops, NULL, err, sizeof err) < 0)
		fail_msg("roster %s: %s", id, err);
	ops_release(&ops);
}

/*
 * At a province: a county's change sets are checked with the key the
 * province's roster holds, its townships' with the keys its roster rows name;
 * its roster rows are of its own townships only; its rows of other names are
 * kept as "COUNTY:KEY".  Below: the province's feed writes "province_" keys.
 */
static void
test_province(void **state)
{
	struct fixture *f = *state;
	char path[128], reason[256], err[ERRBUF_SIZE];
	uint8_t ppk[PUBKEY_BYTES], psk[SECKEY_BYTES];
	struct ledger_identity id;
	struct ledger *prov;
	struct verify_report rep;
	uint64_t seq;

	crypto_sign_keypair(ppk, psk);
	snprintf(path, sizeof path, "%s/prov.db", f->dir);
	assert_int_equal(ledger_open(&prov, path, LEDGER_CREATE, err, sizeof err), 0);
	memset(&id, 0, sizeof id);
	strcpy(id.code, "520000");
	strcpy(id.county, "520000");
	strcpy(id.province, "520000");
	memcpy(id.pk, ppk, PUBKEY_BYTES);
	memcpy(id.county_pk, ppk, PUBKEY_BYTES);
	memcpy(id.province_pk, ppk, PUBKEY_BYTES);
	id.has_province_pk = 1;
	ledger_set_identity(prov, &id, psk);
	s_roster_as(prov, COUNTY, f->cpk, "county");

	/* the county feed (its roster: TOWN, TOWN2), then a township's */
	assert_int_equal(s_pass(f->county, COUNTY, 1, prov, reason), RECV_STORED);
	assert_int_equal(s_pass(f->county, COUNTY, 2, prov, reason), RECV_STORED);
	s_write(f->town, "village", TOWN "001", "东村");
	assert_int_equal(s_pass(f->town, TOWN, 1, prov, reason), RECV_STORED);
	/* the county's policy: kept under its code */
	s_policy(f->county, "poverty_line/2026", "2300");
	assert_int_equal(s_pass(f->county, COUNTY, 3, prov, reason), RECV_STORED);
	assert_int_equal(ledger_table_exists(ledger_db(prov), "policy"), 1);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(ledger_db(prov), "SELECT value FROM policy WHERE id = '"
	    COUNTY ":poverty_line/2026'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "2300");
	sqlite3_finalize(st);

	/* a roster row of another county's township: refused, the county feed frozen */
	s_roster_as(f->county, "522602100", f->tpk, "township");
	assert_int_equal(s_pass(f->county, COUNTY, 4, prov, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "is not of a township of county " COUNTY));
	assert_int_equal(ledger_feed_head(prov, COUNTY, &seq, NULL), 0);
	assert_int_equal(seq, 3);
	memset(&rep, 0, sizeof rep);
	assert_int_equal(ledger_verify(prov, &rep, err, sizeof err), 0);
	uint64_t replayed;
	assert_int_equal(ledger_rebuild(prov, &replayed, err, sizeof err), 0);
	assert_int_equal(ledger_verify(prov, &rep, err, sizeof err), 0);

	/* below: the province's feed writes "province_" keys, nothing else of the county's */
	s_policy(prov, "province_poverty_line/2026", "4000");
	struct ledger_identity cid = *ledger_identity(f->county);
	strcpy(cid.province, "520000");
	memcpy(cid.province_pk, ppk, PUBKEY_BYTES);
	cid.has_province_pk = 1;
	ledger_set_identity(f->county, &cid, f->csk);
	assert_int_equal(s_pass(prov, "520000", 1, f->county, reason), RECV_STORED);   /* its roster's county row */
	assert_int_equal(s_pass(prov, "520000", 2, f->county, reason), RECV_STORED);
	s_policy(prov, "poverty_line/2026", "9999");
	assert_int_equal(s_pass(prov, "520000", 3, f->county, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "the province writes keys beginning"));
	ledger_close(&prov);
}

static void
test_rekey(void **state)
{
	struct fixture *f = *state;
	struct verify_report rep;
	char reason[256], err[ERRBUF_SIZE];
	uint8_t npk[PUBKEY_BYTES], nsk[SECKEY_BYTES], pk[PUBKEY_BYTES];
	uint64_t seq;
	uint8_t id[HASH_BYTES];

	s_write(f->town, "village", TOWN "001", "一村");
	s_write(f->town, "village", TOWN "002", "二村");
	s_write(f->town, "village", TOWN "003", "三村");
	for (seq = 1; seq <= 3; seq++)
		assert_int_equal(s_pass(f->town, TOWN, seq, f->county, reason), RECV_STORED);

	/* the county re-keys the township after seq 3 */
	crypto_sign_keypair(npk, nsk);
	struct ops ops = OPS_INIT;
	struct colval rc[] = { COL_BLOB("pubkey", f->tpk, PUBKEY_BYTES), COL_TEXT("name", "乡"),
		COL_TEXT("role", "retired"), COL_INT("removed", 1) };
	struct colval nc[] = { COL_BLOB("pubkey", npk, PUBKEY_BYTES) };
	ops_init(&ops);
	ops_upsert(&ops, "roster_node", TOWN "/0000000003", rc, 4);
	ops_upsert(&ops, "roster_node", TOWN, nc, 1);
	assert_int_equal(ledger_begin(f->county, err, sizeof err), 0);
	if (ledger_commit(f->county, &ops, NULL, err, sizeof err) < 0)
		fail_msg("rekey: %s", err);
	ops_release(&ops);
	assert_int_equal(ledger_origin_key(f->county, TOWN, 1, pk), 0);
	assert_memory_equal(pk, f->tpk, PUBKEY_BYTES);
	assert_int_equal(ledger_origin_key(f->county, TOWN, 3, pk), 0);
	assert_memory_equal(pk, f->tpk, PUBKEY_BYTES);
	assert_int_equal(ledger_origin_key(f->county, TOWN, 4, pk), 0);
	assert_memory_equal(pk, npk, PUBKEY_BYTES);
	assert_int_equal(ledger_origin_key(f->county, COUNTY, 1, pk), 0);
	assert_memory_equal(pk, f->cpk, PUBKEY_BYTES);
	/* how far each key holds: the retired one up to its UPTO, the current one on */
	uint64_t last = 0;
	assert_int_equal(ledger_origin_key_upto(f->county, TOWN, 2, pk, &last), 0);
	assert_memory_equal(pk, f->tpk, PUBKEY_BYTES);
	assert_int_equal(last, 3);
	assert_int_equal(ledger_origin_key_upto(f->county, TOWN, 4, pk, &last), 0);
	assert_memory_equal(pk, npk, PUBKEY_BYTES);
	assert_true(last == UINT64_MAX);

	/* the lost machine's key writes on: seq 4 under the old key is refused */
	s_write(f->town, "village", TOWN "004", "旧钥匙");
	ledger_feed_head(f->county, COUNTY, &seq, id);
	for (uint64_t s = 1; s <= seq; s++)
		assert_int_equal(s_pass(f->county, COUNTY, s, f->town2, reason), RECV_STORED);
	for (uint64_t s = 1; s <= 3; s++)
		assert_int_equal(s_pass(f->town, TOWN, s, f->town2, reason), RECV_STORED);
	assert_int_equal(s_pass(f->town, TOWN, 4, f->town2, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "author is not the key of " TOWN " for seq 4"));

	/* the new machine: the county feed, then its own feed back, then seq 4 under the new key */
	struct ledger *fresh = s_open(f, "fresh", TOWN, npk, nsk);
	for (uint64_t s = 1; s <= seq; s++)
		assert_int_equal(s_pass(f->county, COUNTY, s, fresh, reason), RECV_STORED);
	for (uint64_t s = 1; s <= 3; s++)
		assert_int_equal(s_pass(f->town, TOWN, s, fresh, reason), RECV_STORED);
	s_write(fresh, "village", TOWN "004", "新钥匙");
	assert_int_equal(s_pass(fresh, TOWN, 4, f->county, reason), RECV_STORED);
	assert_int_equal(ledger_verify(f->county, &rep, err, sizeof err), 0);
	assert_int_equal(ledger_verify(fresh, &rep, err, sizeof err), 0);

	ledger_close(&fresh);
}

/* The first column of SQL on DB as an integer. */
static int64_t
s_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* County change set SEQ after PREV written for SCHEMA by hand (a county a version ahead), received by TO. */
static enum recv_result
s_county_cs(struct fixture *f, struct ledger *to, uint64_t seq, const uint8_t prev[HASH_BYTES],
    unsigned schema, uint8_t id[HASH_BYTES], char *reason)
{
	struct changeset_header h = { .format = CHANGESET_FORMAT, .seq = seq, .schema = schema,
		.hlc = (uint64_t)clock_ms() << 16, .nops = 1 };
	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_TEXT("name", "poverty_line"), COL_INT("year", 2014),
		COL_TEXT("value", "2300") };
	msgpack_sbuffer body;
	uint8_t sig[SIG_BYTES];
	char err[ERRBUF_SIZE];
	enum recv_result r;

	strcpy(h.origin, COUNTY);
	memcpy(h.prev, prev, HASH_BYTES);
	memcpy(h.author, f->cpk, PUBKEY_BYTES);
	ops_init(&ops);
	ops_upsert(&ops, "policy", "poverty_line/2014", c, 3);
	changeset_encode(&body, &h, &ops);
	ops_release(&ops);
	changeset_id(id, body.data, body.size);
	changeset_sign(sig, body.data, body.size, f->csk);
	assert_int_equal(ledger_recv_begin(to, err, sizeof err), 0);
	assert_int_equal(ledger_receive(to, body.data, body.size, sig, SIG_BYTES, "test", &r, reason,
	    256), 0);
	assert_int_equal(ledger_recv_commit(to, err, sizeof err), 0);
	msgpack_sbuffer_destroy(&body);
	return r;
}

/*
 * A township a schema behind holds the county's newer change sets, and every
 * later one of that feed: stored, not applied, never refused or frozen; its
 * own feed and verify go on.
 */
static void
test_held_newer_schema(void **state)
{
	struct fixture *f = *state;
	char reason[256], err[ERRBUF_SIZE];
	uint8_t id[HASH_BYTES], id4[HASH_BYTES];
	uint64_t seq;
	struct verify_report rep;

	for (uint64_t s = 1; s <= 2; s++)
		assert_int_equal(s_pass(f->county, COUNTY, s, f->town, reason), RECV_STORED);
	assert_int_equal(ledger_feed_head(f->county, COUNTY, &seq, id), 0);
	assert_int_equal(s_county_cs(f, f->town, 3, id, SCHEMA_VERSION + 1, id, reason), RECV_HELD);
	assert_non_null(strstr(reason, "held until upgrade"));
	/* a later one of the current schema waits behind it */
	assert_int_equal(s_county_cs(f, f->town, 4, id, SCHEMA_VERSION, id4, reason), RECV_HELD);
	assert_int_equal(ledger_feed_frozen(f->town, COUNTY, reason, sizeof reason), 0);
	assert_int_equal(ledger_feed_head(f->town, COUNTY, &seq, id), 0);
	assert_int_equal(seq, 4);
	assert_int_equal(s_rows(ledger_db(f->town), "SELECT count(*) FROM policy"), 0);
	assert_int_equal(s_rows(ledger_db(f->town), "SELECT count(*) FROM quarantine"), 0);
	/* opening again (as after a restart) applies nothing it does not know */
	assert_int_equal(ledger_apply_held(f->town, err, sizeof err), 0);
	assert_int_equal(s_rows(ledger_db(f->town), "SELECT count(*) FROM policy"), 0);
	s_write(f->town, "village", TOWN "001", "一村");
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 0);
}

/* The last column of TABLE in DB (into OUT). */
static void
s_last_column(sqlite3 *db, const char *table, char *out, size_t len)
{
	char sql[128];
	sqlite3_stmt *st = NULL;

	snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid DESC LIMIT 1",
	    table);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/*
 * A database of schema 1 (household without village_group, no tables of
 * schema 2) gains them on open, in the order a new one has, and verifies.
 */
static void
test_migration(void **state)
{
	struct fixture *f = *state;
	char err[ERRBUF_SIZE], path[128], col[64];
	struct verify_report rep;
	sqlite3 *db;

	s_write(f->town, "village", TOWN "001", "一村");
	ledger_close(&f->town);
	snprintf(path, sizeof path, "%s/town.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE household DROP COLUMN village_group; "
	    "DROP TABLE eval_group; DROP TABLE spot_check; DROP TABLE synonym", NULL, NULL, NULL), SQLITE_OK);
	s_last_column(db, "household", col, sizeof col);
	assert_string_equal(col, "cause_note");
	sqlite3_close(db);

	f->town = s_open(f, "town", TOWN, f->tpk, f->tsk);
	db = ledger_db(f->town);
	s_last_column(db, "household", col, sizeof col);
	assert_string_equal(col, "village_group");
	assert_true(ledger_table_exists(db, "eval_group"));
	assert_true(ledger_table_exists(db, "spot_check"));
	assert_true(ledger_table_exists(db, "synonym"));
	if (ledger_verify(f->town, &rep, err, sizeof err) != 0)
		fail_msg("verify after migration: %s %s", err, rep.reason);
	s_write(f->town, "village", TOWN "002", "二村");
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 0);
}

/* spot_check rows: each node writes only keys of its own code and "/". */
static void
test_node_owned(void **state)
{
	struct fixture *f = *state;
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_TEXT("kind", "spot") };
	static const struct { int county; const char *key; int ok; } cases[] = {
		{ 0, TOWN "/2014/001", 0 }, { 1, COUNTY "/2014/001", 0 }, { 0, COUNTY "/2014/002", -1 },
		{ 1, TOWN "/2014/002", -1 }, { 0, TOWN "2014/003", -1 }, { 1, COUNTY, -1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ledger *l = cases[i].county ? f->county : f->town;
		ops_init(&ops);
		ops_upsert(&ops, "spot_check", cases[i].key, c, 1);
		assert_int_equal(ledger_begin(l, err, sizeof err), 0);
		int rc = ledger_commit(l, &ops, NULL, err, sizeof err);
		if (rc != cases[i].ok)
			fail_msg("%s writes spot_check \"%s\": %d (%s)", cases[i].county ? "county" : "town",
			    cases[i].key, rc, err);
		if (rc < 0)
			ledger_rollback(l);
		ops_release(&ops);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_and_verify, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_ownership_on_write, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_receive, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_refused_writes, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_batch_feed_row, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_changeset_each, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_recv_lazy, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_fork_detected, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_quarantined, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_rekey, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_wait, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_wait_for_key, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_province, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_migration, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_held_newer_schema, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_node_owned, s_setup, s_teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
