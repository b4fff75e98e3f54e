/*
 * test_procedure.c — signed procedure steps through the ledger: a properly
 * signed step travels from township to county; a forged, wrong-role or
 * unsealed step is refused at local write and on receive (quarantined, feed
 * frozen); signed history is never deleted; the record hash ignores the
 * status and follows every other field; dates.
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

#include "household.h"
#include "ledger.h"
#include "procedure.h"
#include "rules.h"
#include "schema.h"
#include "util.h"

#define COUNTY  "522701"
#define TOWN    "522701101"
#define HH      TOWN "000001"

struct key {
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES];
};

static struct ledger *s_hash_from;     /* the ledger whose record the steps bind */

struct fixture {
	char dir[64];
	struct ledger *county, *town;
	struct key c, t, cadre, head, office, stranger;
};

static struct ledger *
s_open(struct fixture *f, const char *name, const char *code, const struct key *k)
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
	memcpy(id.pk, k->pk, PUBKEY_BYTES);
	memcpy(id.county_pk, f->c.pk, PUBKEY_BYTES);
	ledger_set_identity(l, &id, k->sk);
	rules_attach(l);
	return l;
}

static int
s_commit(struct ledger *l, struct ops *ops, char *err)
{
	if (ledger_begin(l, err, ERRBUF_SIZE) < 0)
		return -1;
	int rc = ledger_commit(l, ops, NULL, err, ERRBUF_SIZE);
	ops_release(ops);
	return rc;
}

static void
s_official(struct ledger *county, const char *id, const char *role, const char *office,
    const struct key *k)
{
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_BLOB("pubkey", k->pk, PUBKEY_BYTES), COL_TEXT("role", role),
		COL_TEXT("name", id), COL_TEXT("office", office), COL_INT("removed", 0) };

	ops_init(&ops);
	ops_upsert(&ops, "official", id, c, 5);
	if (s_commit(county, &ops, err) < 0)
		fail_msg("official: %s", err);
}

/* Pass every change set of ORIGIN that TO lacks; the last result. */
static enum recv_result
s_sync(struct ledger *from, struct ledger *to, const char *origin, char *reason)
{
	uint64_t have, head;
	enum recv_result r = RECV_DUPLICATE;
	char err[ERRBUF_SIZE];

	assert_int_equal(ledger_feed_head(to, origin, &have, NULL), 0);
	assert_int_equal(ledger_feed_head(from, origin, &head, NULL), 0);
	for (uint64_t s = have + 1; s <= head; s++) {
		uint8_t *body, sig[SIG_BYTES];
		size_t len;
		assert_int_equal(ledger_changeset_get(from, origin, s, &body, &len, sig), 0);
		assert_int_equal(ledger_recv_begin(to, err, sizeof err), 0);
		assert_int_equal(ledger_receive(to, body, len, sig, SIG_BYTES, "test", &r, reason, 256), 0);
		assert_int_equal(ledger_recv_commit(to, err, sizeof err), 0);
		free(body);
	}
	return r;
}

static int
s_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[ERRBUF_SIZE], reason[256];

	/* the test clock: steps of June 2014, recorded then */
	setenv("LIKA_TODAY", "2014-06-20", 1);
	s_hash_from = NULL;
	strcpy(f->dir, "/tmp/lika-proc-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	struct key *keys[] = { &f->c, &f->t, &f->cadre, &f->head, &f->office, &f->stranger };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		crypto_sign_keypair(keys[i]->pk, keys[i]->sk);
	f->county = s_open(f, "county", COUNTY, &f->c);
	f->town = s_open(f, "town", TOWN, &f->t);

	struct ops ops = OPS_INIT;
	struct colval c[] = { COL_BLOB("pubkey", f->t.pk, PUBKEY_BYTES), COL_TEXT("name", "乡"),
		COL_TEXT("role", "township"), COL_INT("removed", 0) };
	ops_init(&ops);
	ops_upsert(&ops, "roster_node", TOWN, c, 4);
	if (s_commit(f->county, &ops, err) < 0)
		fail_msg("roster: %s", err);
	s_official(f->county, TOWN "001/001", ROLE_VILLAGE_CADRE, TOWN "001", &f->cadre);
	s_official(f->county, TOWN "/001", ROLE_TOWNSHIP_HEAD, TOWN, &f->head);
	s_official(f->county, COUNTY "/001", ROLE_COUNTY_OFFICE, COUNTY, &f->office);
	assert_int_equal(s_sync(f->county, f->town, COUNTY, reason), RECV_STORED);
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
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/*
 * The ops of step STEP (entry procedure) of HH, round 1, signed with SIGNER
 * but naming OFFICIAL with OFFICIAL_PK, sealed with SEAL (NULL: none).
 */
/* The date of step N in the fixture's history: notices of 7 days from 06-01, 06-10, 06-17. */
static const char *
s_date(int n)
{
	return n <= 4 ? "2014-06-01" : n <= 7 ? "2014-06-10" : "2014-06-17";
}


static void
s_step_ops(struct ops *ops, const char *step, const char *official, const uint8_t *official_pk,
    const uint8_t *signer_sk, const uint8_t *seal_sk)
{
	const struct step_def *d = procedure_step("entry", step);
	char key[KEY_MAX], err[ERRBUF_SIZE];
	uint8_t hash[HASH_BYTES], sig[SIG_BYTES], seal[SIG_BYTES];
	msgpack_sbuffer sb;

	assert_non_null(d);
	memset(hash, 7, sizeof hash);
	if (s_hash_from)
		assert_int_equal(procedure_record_hash(ledger_db(s_hash_from), "main", HH, hash, err,
		    sizeof err), 0);
	procedure_step_key(key, sizeof key, HH, 1, d->number);
	struct step_row r = { .table = "review_step", .key = key, .household = HH, .round = 1,
		.procedure = "entry", .step = step, .decision = "pass", .at = s_date(d->number), .days = -1,
		.record_hash = hash, .official = official };
	statement_step(&sb, &r);
	statement_sign(sig, &sb, signer_sk);
	if (seal_sk)
		statement_sign(seal, &sb, seal_sk);
	msgpack_sbuffer_destroy(&sb);
	struct colval c[] = {
		COL_TEXT("household", HH), COL_INT("round", 1), COL_TEXT("procedure", "entry"),
		COL_TEXT("step", step), COL_TEXT("decision", "pass"), COL_TEXT("at", s_date(d->number)),
		COL_BLOB("record_hash", hash, HASH_BYTES), COL_TEXT("official", official),
		COL_BLOB("signer", official_pk, PUBKEY_BYTES), COL_BLOB("sig", sig, SIG_BYTES),
		seal_sk ? (struct colval)COL_BLOB("seal", seal, SIG_BYTES) : (struct colval)COL_NIL("seal"),
	};
	ops_init(ops);
	ops_upsert(ops, "review_step", key, c, sizeof c / sizeof c[0]);
}

/* An unsigned step N of HH (round 1) as the township would write it. */
static void
s_plain_step(struct fixture *f, int n)
{
	const struct step_def *d = procedure_step_no("entry", n);
	char key[KEY_MAX], err[ERRBUF_SIZE];
	uint8_t hash[HASH_BYTES];
	struct ops ops = OPS_INIT;

	assert_int_equal(procedure_record_hash(ledger_db(f->town), "main", HH, hash, err, sizeof err), 0);
	procedure_step_key(key, sizeof key, HH, 1, n);
	struct colval c[] = {
		COL_TEXT("household", HH), COL_INT("round", 1), COL_TEXT("procedure", "entry"),
		COL_TEXT("step", d->name), COL_TEXT("decision", procedure_decision(d, 0)),
		COL_TEXT("at", s_date(n)),
		(d->flags & STEP_NOTICE) ? (struct colval)COL_INT("days", 7) : (struct colval)COL_NIL("days"),
		COL_BLOB("record_hash", hash, HASH_BYTES),
	};
	ops_init(&ops);
	ops_upsert(&ops, "review_step", key, c, sizeof c / sizeof c[0]);
	if (s_commit(f->town, &ops, err) < 0)
		fail_msg("step %d: %s", n, err);
}

/*
 * HH in village 001 with its head and an income under the county's line of
 * 2300 yuan, and its unsigned steps 1 … UPTO (no signed step in between).
 */
static void
s_history(struct fixture *f, int upto)
{
	char err[ERRBUF_SIZE], reason[256];
	struct ops ops = OPS_INIT;
	struct colval p[] = { COL_TEXT("name", "poverty_line"), COL_INT("year", 2013),
		COL_TEXT("value", "2300") };
	struct colval hh[] = { COL_TEXT("village", TOWN "001"), COL_TEXT("attribute", "01") };
	struct colval m[] = { COL_TEXT("household", HH), COL_TEXT("name", "张三"),
		COL_TEXT("idcard", "440524188001010014"), COL_TEXT("relation", "01") };
	struct colval in[] = { COL_TEXT("household", HH), COL_INT("year", 2013),
		COL_INT("wages", 180000), COL_INT("size", 1), COL_INT("net_per_capita", 180000) };

	ops_init(&ops);
	ops_upsert(&ops, "policy", "poverty_line/2013", p, 3);
	if (s_commit(f->county, &ops, err) < 0)
		fail_msg("policy: %s", err);
	assert_int_equal(s_sync(f->county, f->town, COUNTY, reason), RECV_STORED);
	ops_init(&ops);
	ops_upsert(&ops, "household", HH, hh, 2);
	ops_upsert(&ops, "member", HH "/01", m, 4);
	ops_upsert(&ops, "income", HH "/2013", in, 5);
	if (s_commit(f->town, &ops, err) < 0)
		fail_msg("household: %s", err);
	for (int n = 1; n <= upto; n++)
		s_plain_step(f, n);
	s_hash_from = f->town;
}

/* Encode OPS as FROM's next change set (ORIGIN, key K) and offer it to TO. */
static enum recv_result
s_forge(struct ledger *from, const char *origin, const struct key *k, struct ledger *to,
    struct ops *ops, char *reason)
{
	struct changeset_header h;
	msgpack_sbuffer body = { 0, NULL, 0 };
	uint8_t sig[SIG_BYTES];
	uint64_t seq;
	char err[ERRBUF_SIZE];
	enum recv_result r;

	memset(&h, 0, sizeof h);
	h.format = CHANGESET_FORMAT;
	strcpy(h.origin, origin);
	assert_int_equal(ledger_feed_head(from, origin, &seq, h.prev), 0);
	h.seq = seq + 1;
	h.hlc = (uint64_t)clock_ms() << 16;
	h.schema = SCHEMA_VERSION;
	memcpy(h.author, k->pk, PUBKEY_BYTES);
	h.nops = ops->n;
	changeset_encode(&body, &h, ops);
	changeset_sign(sig, body.data, body.size, k->sk);
	assert_int_equal(ledger_recv_begin(to, err, sizeof err), 0);
	assert_int_equal(ledger_receive(to, body.data, body.size, sig, SIG_BYTES, "test", &r,
	    reason, 256), 0);
	assert_int_equal(ledger_recv_commit(to, err, sizeof err), 0);
	msgpack_sbuffer_destroy(&body);
	ops_release(ops);
	return r;
}

static enum recv_result
s_forge_to_county(struct fixture *f, struct ops *ops, char *reason)
{
	return s_forge(f->town, TOWN, &f->t, f->county, ops, reason);
}

static int
s_count(struct ledger *l, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_prepare_v2(ledger_db(l), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
s_verify_ok(struct ledger *l)
{
	struct verify_report rep;
	char err[ERRBUF_SIZE];

	if (ledger_verify(l, &rep, err, sizeof err) != 0)
		fail_msg("verify: %s %s", err, rep.reason);
}

static void
test_signed_step_travels(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], reason[256];

	s_history(f, 4);
	s_step_ops(&ops, "cadre_sign", TOWN "001/001", f->cadre.pk, f->cadre.sk, NULL);
	if (s_commit(f->town, &ops, err) < 0)
		fail_msg("signed step refused: %s", err);
	s_plain_step(f, 6);
	s_plain_step(f, 7);
	s_step_ops(&ops, "head_sign", TOWN "/001", f->head.pk, f->head.sk, f->t.sk);
	if (s_commit(f->town, &ops, err) < 0)
		fail_msg("sealed step refused: %s", err);
	assert_int_equal(s_sync(f->town, f->county, TOWN, reason), RECV_STORED);
	assert_int_equal(s_count(f->county, "SELECT count(*) FROM review_step"), 8);
	s_verify_ok(f->town);
	s_verify_ok(f->county);
	uint64_t replayed;
	assert_int_equal(ledger_rebuild(f->county, &replayed, err, sizeof err), 0);
	s_verify_ok(f->county);
}

static void
test_forged_refused_at_write(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE];

	/* names the cadre, carries the cadre's public key, signed by someone else */
	s_step_ops(&ops, "cadre_sign", TOWN "001/001", f->cadre.pk, f->stranger.sk, NULL);
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule signature"));
	assert_int_equal(s_count(f->town, "SELECT count(*) FROM review_step"), 0);
	assert_int_equal(s_count(f->town, "SELECT count(*) FROM changeset WHERE origin = '" TOWN "'"), 0);
}

static void
test_forged_refused_on_receive(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char reason[256], why[256];

	s_step_ops(&ops, "cadre_sign", TOWN "001/001", f->cadre.pk, f->stranger.sk, NULL);
	assert_int_equal(s_forge_to_county(f, &ops, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "rule signature"));
	assert_non_null(strstr(reason, "forged or altered"));
	assert_int_equal(s_count(f->county, "SELECT count(*) FROM review_step"), 0);
	assert_int_equal(s_count(f->county, "SELECT count(*) FROM quarantine WHERE kind = 'refused' "
	    "AND reason LIKE '%rule signature%'"), 1);
	assert_int_equal(ledger_feed_frozen(f->county, TOWN, why, sizeof why), 1);
	s_verify_ok(f->county);
}

static void
test_stranger_key_refused_on_receive(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char reason[256];

	/* a key not on the roster, posing as the cadre */
	s_step_ops(&ops, "cadre_sign", TOWN "001/001", f->stranger.pk, f->stranger.sk, NULL);
	assert_int_equal(s_forge_to_county(f, &ops, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "carries another key"));
}

static void
test_wrong_role_refused(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], reason[256];

	/* the cadre signs the head's step: a valid signature by the wrong role */
	s_step_ops(&ops, "head_sign", TOWN "001/001", f->cadre.pk, f->cadre.sk, f->t.sk);
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule signer-role"));
	s_step_ops(&ops, "head_sign", TOWN "001/001", f->cadre.pk, f->cadre.sk, f->t.sk);
	assert_int_equal(s_forge_to_county(f, &ops, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "rule signer-role"));
	/* a county-office official may not sign for the township either */
}

static void
test_seal_required(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], reason[256];

	s_step_ops(&ops, "head_sign", TOWN "/001", f->head.pk, f->head.sk, NULL);
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule seal"));
	/* sealed by a key that is not the township's */
	s_step_ops(&ops, "head_sign", TOWN "/001", f->head.pk, f->head.sk, f->stranger.sk);
	assert_int_equal(s_forge_to_county(f, &ops, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "rule seal"));
}

static void
test_unsigned_step_refused(void **state)
{
	struct fixture *f = *state;
	char err[ERRBUF_SIZE];
	char key[KEY_MAX];
	struct ops ops = OPS_INIT;

	procedure_step_key(key, sizeof key, HH, 1, 5);
	struct colval c[] = { COL_TEXT("household", HH), COL_INT("round", 1),
		COL_TEXT("procedure", "entry"), COL_TEXT("step", "cadre_sign"), COL_TEXT("decision", "pass"),
		COL_TEXT("at", "2014-06-10") };
	ops_init(&ops);
	ops_upsert(&ops, "review_step", key, c, 6);
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "must be signed by a village-cadre"));

	/* a step under a key that does not match its number */
	ops_init(&ops);
	ops_upsert(&ops, "review_step", HH "/01/07", c, 6);
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule step-key"));
}

static void
test_history_never_deleted(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], key[KEY_MAX];

	s_history(f, 4);
	s_step_ops(&ops, "cadre_sign", TOWN "001/001", f->cadre.pk, f->cadre.sk, NULL);
	assert_int_equal(s_commit(f->town, &ops, err), 0);
	procedure_step_key(key, sizeof key, HH, 1, 5);
	ops_init(&ops);
	ops_delete(&ops, "review_step", key);
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule history"));
}

static void
test_record_hash(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE];
	uint8_t h0[HASH_BYTES], h1[HASH_BYTES], h2[HASH_BYTES], hc[HASH_BYTES];
	char reason[256];

	struct colval c[] = { COL_TEXT("village", TOWN "001"), COL_TEXT("phone", "13800000000"),
		COL_TEXT("status", "01") };
	ops_init(&ops);
	ops_upsert(&ops, "household", HH, c, 3);
	assert_int_equal(s_commit(f->town, &ops, err), 0);
	assert_int_equal(procedure_record_hash(ledger_db(f->town), "main", HH, h0, err, sizeof err), 0);

	struct colval st[] = { COL_TEXT("status", "03") };
	ops_init(&ops);
	ops_upsert(&ops, "household", HH, st, 1);
	assert_int_equal(s_commit(f->town, &ops, err), 0);
	assert_int_equal(procedure_record_hash(ledger_db(f->town), "main", HH, h1, err, sizeof err), 0);
	assert_memory_equal(h0, h1, HASH_BYTES);    /* the status is procedure state */

	struct colval m[] = { COL_TEXT("household", HH), COL_TEXT("name", "张三"),
		COL_TEXT("idcard", "440524188001010014"), COL_TEXT("relation", "01") };
	ops_init(&ops);
	ops_upsert(&ops, "member", HH "/01", m, 4);
	assert_int_equal(s_commit(f->town, &ops, err), 0);
	assert_int_equal(procedure_record_hash(ledger_db(f->town), "main", HH, h2, err, sizeof err), 0);
	assert_memory_not_equal(h1, h2, HASH_BYTES);

	/* the county computes the same hash from its replica */
	assert_int_equal(s_sync(f->town, f->county, TOWN, reason), RECV_STORED);
	assert_int_equal(procedure_record_hash(ledger_db(f->county), "main", HH, hc, err, sizeof err), 0);
	assert_memory_equal(h2, hc, HASH_BYTES);
}

/*
 * The county approval of HH (round 1, 2014-06-16) binding HASH, naming the
 * county office and signed with SK, as the ops of OPS.
 */
static void
s_approval_ops(struct fixture *f, struct ops *ops, const uint8_t hash[HASH_BYTES], const uint8_t *sk)
{
	static char key[KEY_MAX];
	static uint8_t h[HASH_BYTES], sig[SIG_BYTES];
	msgpack_sbuffer sb;

	memcpy(h, hash, HASH_BYTES);
	procedure_step_key(key, sizeof key, HH, 1, 9);
	struct step_row r = { .table = "approval", .key = key, .household = HH, .round = 1,
		.procedure = "entry", .step = "county_approval", .decision = "pass", .at = "2014-06-16",
		.days = -1, .record_hash = h, .official = COUNTY "/001" };
	statement_step(&sb, &r);
	statement_sign(sig, &sb, sk);
	msgpack_sbuffer_destroy(&sb);
	struct colval c[] = {
		COL_TEXT("household", HH), COL_INT("round", 1), COL_TEXT("procedure", "entry"),
		COL_TEXT("step", "county_approval"), COL_TEXT("decision", "pass"),
		COL_TEXT("at", "2014-06-16"), COL_BLOB("record_hash", h, HASH_BYTES),
		COL_TEXT("official", COUNTY "/001"), COL_BLOB("signer", f->office.pk, PUBKEY_BYTES),
		COL_BLOB("sig", sig, SIG_BYTES),
	};
	ops_init(ops);
	ops_upsert(ops, "approval", key, c, sizeof c / sizeof c[0]);
}

/* A county approval "signed" by a key that is not the county office's, sent down. */
static void
test_forged_approval_refused_at_township(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char reason[256], err[ERRBUF_SIZE];
	uint8_t hash[HASH_BYTES];

	memset(hash, 9, sizeof hash);
	s_approval_ops(f, &ops, hash, f->stranger.sk);
	assert_int_equal(s_commit(f->county, &ops, err), -1);
	assert_non_null(strstr(err, "rule signature"));
	s_approval_ops(f, &ops, hash, f->stranger.sk);
	assert_int_equal(s_forge(f->county, COUNTY, &f->c, f->town, &ops, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "rule signature"));
	assert_int_equal(s_count(f->town, "SELECT count(*) FROM approval"), 0);
	assert_int_equal(s_count(f->town, "SELECT count(*) FROM quarantine"), 1);
}

static void
test_official_rules(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE];
	struct colval bad_role[] = { COL_BLOB("pubkey", f->stranger.pk, PUBKEY_BYTES),
		COL_TEXT("role", "mayor"), COL_TEXT("office", TOWN) };
	struct colval other_county[] = { COL_BLOB("pubkey", f->stranger.pk, PUBKEY_BYTES),
		COL_TEXT("role", ROLE_TOWNSHIP_HEAD), COL_TEXT("office", "110101001") };

	ops_init(&ops);
	ops_upsert(&ops, "official", TOWN "/002", bad_role, 3);
	assert_int_equal(s_commit(f->county, &ops, err), -1);
	assert_non_null(strstr(err, "unknown role"));
	ops_init(&ops);
	ops_upsert(&ops, "official", "110101001/001", other_county, 3);
	assert_int_equal(s_commit(f->county, &ops, err), -1);
	assert_non_null(strstr(err, "rule official"));
	/* removal keeps the row; deletion is refused */
	ops_init(&ops);
	ops_delete(&ops, "official", TOWN "/001");
	assert_int_equal(s_commit(f->county, &ops, err), -1);
	assert_non_null(strstr(err, "rule history"));
}

/* A step row N of HH as a township would write it, with DATE and DAYS (-1: none); not committed. */
static void
s_step_row(struct fixture *f, struct ops *ops, int n, const char *decision, const char *date)
{
	const struct step_def *d = procedure_step_no("entry", n);
	char key[KEY_MAX], err[ERRBUF_SIZE];
	uint8_t hash[HASH_BYTES];

	assert_int_equal(procedure_record_hash(ledger_db(f->town), "main", HH, hash, err, sizeof err), 0);
	procedure_step_key(key, sizeof key, HH, 1, n);
	struct colval c[] = {
		COL_TEXT("household", HH), COL_INT("round", 1), COL_TEXT("procedure", "entry"),
		COL_TEXT("step", d->name), COL_TEXT("decision", decision), COL_TEXT("at", date),
		(d->flags & STEP_NOTICE) ? (struct colval)COL_INT("days", 7) : (struct colval)COL_NIL("days"),
		COL_BLOB("record_hash", hash, HASH_BYTES),
	};
	ops_init(ops);
	ops_upsert(ops, "review_step", key, c, sizeof c / sizeof c[0]);
}

static void
test_order_and_dates_on_apply(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE];

	s_history(f, 1);
	/* village evaluation before the group's */
	s_step_row(f, &ops, 3, "pass", "2014-06-01");
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule order"));
	/* the group's evaluation dated before the application */
	s_step_row(f, &ops, 2, "pass", "2014-05-30");
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule step-date"));
	/* dated after the day its change set is recorded (the test clock: 2014-06-20) */
	s_step_row(f, &ops, 2, "pass", "2014-06-25");
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule step-future"));
	/* an application decision on a step that passes or rejects */
	s_step_row(f, &ops, 2, "apply", "2014-06-01");
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule step-decision"));
	s_step_row(f, &ops, 2, "pass", "2014-06-01");
	assert_int_equal(s_commit(f->town, &ops, err), 0);
	/* written once: the same step again is refused */
	s_step_row(f, &ops, 2, "pass", "2014-06-02");
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule history"));
	s_verify_ok(f->town);
}

static void
test_status_follows_the_procedure(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], reason[256];
	struct colval reg[] = { COL_TEXT("status", STATUS_REGISTERED) };
	struct colval rev[] = { COL_TEXT("status", STATUS_REVIEW) };

	s_history(f, 1);
	/* registered without the procedure: refused */
	ops_init(&ops);
	ops_upsert(&ops, "household", HH, reg, 1);
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule status"));
	/* the group's evaluation leads to 审核中, not to 已建档立卡 */
	s_step_row(f, &ops, 2, "pass", "2014-06-01");
	ops_upsert(&ops, "household", HH, reg, 1);
	assert_int_equal(s_commit(f->town, &ops, err), -1);
	assert_non_null(strstr(err, "rule status"));
	s_step_row(f, &ops, 2, "pass", "2014-06-01");
	ops_upsert(&ops, "household", HH, rev, 1);
	assert_int_equal(s_commit(f->town, &ops, err), 0);
	/* the county checks the same on receive */
	assert_int_equal(s_sync(f->town, f->county, TOWN, reason), RECV_STORED);
	ops_init(&ops);
	ops_upsert(&ops, "household", HH, reg, 1);
	assert_int_equal(s_forge_to_county(f, &ops, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "rule status"));
	s_verify_ok(f->county);
}

/* At the household's township, a county step out of order is refused; elsewhere the county's. */
static void
test_county_step_order_at_township(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char reason[256], err[ERRBUF_SIZE];
	uint8_t hash[HASH_BYTES];

	s_history(f, 4);
	assert_int_equal(procedure_record_hash(ledger_db(f->town), "main", HH, hash, err, sizeof err), 0);
	/* validly signed by the county office, but the township has only reached step 4 */
	s_approval_ops(f, &ops, hash, f->office.sk);
	assert_int_equal(s_forge(f->county, COUNTY, &f->c, f->town, &ops, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "rule order"));
}

/* Policy rows carry values of their kind, on apply as at "lika policy set". */
static void
test_policy_on_apply(void **state)
{
	struct fixture *f = *state;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], reason[256];
	struct colval zero[] = { COL_TEXT("name", "notice_days_village"), COL_INT("year", 2014),
		COL_TEXT("value", "0") };
	struct colval line[] = { COL_TEXT("name", "poverty_line"), COL_INT("year", 2014),
		COL_TEXT("value", "2736.50") };

	ops_init(&ops);
	ops_upsert(&ops, "policy", "notice_days_village/2014", zero, 3);
	assert_int_equal(s_commit(f->county, &ops, err), -1);
	assert_non_null(strstr(err, "rule policy"));
	/* keyed under another name */
	ops_init(&ops);
	ops_upsert(&ops, "policy", "max_backdate_days/2014", line, 3);
	assert_int_equal(s_commit(f->county, &ops, err), -1);
	assert_non_null(strstr(err, "rule policy"));
	/* a county that skips the check: the township refuses it */
	ops_init(&ops);
	ops_upsert(&ops, "policy", "notice_days_village/2014", zero, 3);
	assert_int_equal(s_forge(f->county, COUNTY, &f->c, f->town, &ops, reason), RECV_REFUSED);
	assert_non_null(strstr(reason, "rule policy"));
	ops_init(&ops);
	ops_upsert(&ops, "policy", "poverty_line/2014", line, 3);
	assert_int_equal(s_commit(f->county, &ops, err), 0);
}

static void
test_dates(void **state)
{
	char d[11];
	int64_t fen;

	(void)state;
	assert_int_equal(date_day("1970-01-01"), 0);
	assert_int_equal(date_day("2014-06-27") - date_day("2014-06-20"), 7);
	assert_int_equal(date_day("2016-03-01") - date_day("2016-02-28"), 2);
	assert_int_equal(date_day("2014-02-29"), -1);
	assert_int_equal(date_day("2014-13-01"), -1);
	assert_int_equal(date_day("2014-6-1"), -1);
	date_format(d, date_day("2014-12-25") + 15);
	assert_string_equal(d, "2015-01-09");
	assert_int_equal(money_parse_yuan("2300", &fen), 0);
	assert_int_equal(fen, 230000);
	assert_int_equal(money_parse_yuan("2736.5", &fen), 0);
	assert_int_equal(fen, 273650);
	assert_int_equal(money_parse_yuan("1.234", &fen), -1);
	assert_int_equal(money_parse_yuan("-1", &fen), -1);
	assert_int_equal(money_parse_yuan("", &fen), -1);
	money_format_yuan(d, sizeof d, 273650);
	assert_string_equal(d, "2736.50");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signed_step_travels, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_forged_refused_at_write, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_forged_refused_on_receive, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_stranger_key_refused_on_receive, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_role_refused, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_seal_required, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_step_refused, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_history_never_deleted, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_record_hash, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_forged_approval_refused_at_township, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_official_rules, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_order_and_dates_on_apply, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_status_follows_the_procedure, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_county_step_order_at_township, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_policy_on_apply, s_setup, s_teardown),
		cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
