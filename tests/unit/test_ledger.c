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
	assert_int_equal(ledger_feed_unfreeze(f->county, TOWN, err, sizeof err), 0);
	assert_int_equal(s_pass(f->town, TOWN, 4, f->county, reason), RECV_STORED);

	/* county feed down to the township: roster rows arrive, county key checks them */
	assert_int_equal(s_pass(f->county, COUNTY, 1, f->town, reason), RECV_STORED);
	assert_int_equal(ledger_verify(f->county, &rep, err, sizeof err), 0);
	assert_int_equal(ledger_verify(f->town, &rep, err, sizeof err), 0);
}

static void
test_refused_writes(void **state)
{
	struct fixture *f = *state;
	char reason[256];

	/* township 2 signs a change set touching township 1's village: refused at the hub */
	struct ledger *rogue = s_open(f, "rogue", TOWN2, f->t2pk, f->t2sk);
	/* its local ownership check is fooled by making it believe it is the county */
	struct ledger_identity id;
	memset(&id, 0, sizeof id);
	strcpy(id.code, TOWN2);
	strcpy(id.county, TOWN2);
	memcpy(id.pk, f->t2pk, PUBKEY_BYTES);
	memcpy(id.county_pk, f->t2pk, PUBKEY_BYTES);
	ledger_set_identity(rogue, &id, f->t2sk);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_and_verify, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_ownership_on_write, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_receive, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_refused_writes, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_fork_detected, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_quarantined, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_rekey, s_setup, s_teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
