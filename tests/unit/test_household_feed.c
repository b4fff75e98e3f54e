/*
 * test_household_feed.c — a township's household change sets, received by
 * its county hub, pass the hub's ownership check and give the county the
 * same household rows (what the county archive, 县电子档案, reads); a batch
 * appended with ledger_append is stored and chained like single commits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "household.h"
#include "rules.h"
#include "node.h"
#include "util.h"

struct fixture {
	char dir[64];
	struct node county, township;
};

static int
s_setup(void **state)
{
	static struct fixture fx;
	char err[ERRBUF_SIZE], path[128], hex[2 * PUBKEY_BYTES + 1];

	memset(&fx, 0, sizeof fx);
	snprintf(fx.dir, sizeof fx.dir, "/tmp/lika-feed.XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(path, sizeof path, "%s/county", fx.dir);
	struct node_init_args ca = { .role = ROLE_COUNTY, .code = "522701", .name = "县" };
	if (node_init(path, &ca, err, sizeof err) < 0 || node_open(&fx.county, path, 0, rules_attach, err, sizeof err) < 0) {
		fprintf(stderr, "county: %s\n", err);
		return -1;
	}
	hex_encode(hex, fx.county.id.pk, PUBKEY_BYTES);
	snprintf(path, sizeof path, "%s/township", fx.dir);
	struct node_init_args ta = { .role = ROLE_TOWNSHIP, .code = "522701101", .name = "乡",
		.county_key = hex, .hub = "tcp://127.0.0.1:7700" };
	if (node_init(path, &ta, err, sizeof err) < 0 || node_open(&fx.township, path, 0, rules_attach, err, sizeof err) < 0) {
		fprintf(stderr, "township: %s\n", err);
		return -1;
	}
	*state = &fx;
	return 0;
}

static int
s_teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	node_close(&fx->county);
	node_close(&fx->township);
	snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int64_t
s_count(struct node *n, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(ledger_db(n->ledger), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Parse the values VALS (NULL: not given) of FS into V. */
static void
s_parse(const struct household_ctx *c, const struct field *fs, int n, const char *const *vals,
    struct field_value *v)
{
	char err[ERRBUF_SIZE];

	for (int k = 0; k < n; k++)
		if (household_field_parse(c, &fs[k], vals[k], &v[k], err, sizeof err) < 0)
			fail_msg("%s", err);
}

static void
test_county_receives_households(void **state)
{
	struct fixture *fx = *state;
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;

	/* the county admits the township: its roster row */
	assert_int_equal(ledger_begin(fx->county.ledger, err, sizeof err), 0);
	ops_init(&ops);
	struct colval roster[] = { COL_BLOB("pubkey", fx->township.id.pk, PUBKEY_BYTES),
		COL_TEXT("name", "乡"), COL_TEXT("role", "township"), COL_INT("removed", 0) };
	ops_upsert(&ops, "roster_node", "522701101", roster, 4);
	if (ledger_commit(fx->county.ledger, &ops, NULL, err, sizeof err) < 0)
		fail_msg("roster: %s", err);
	ops_release(&ops);

	/* the township: a village, then two households in two change sets of one transaction */
	struct ledger *tl = fx->township.ledger;
	assert_int_equal(ledger_begin(tl, err, sizeof err), 0);
	ops_init(&ops);
	struct colval village[] = { COL_TEXT("name", "一村") };
	ops_upsert(&ops, "village", "522701101001", village, 1);
	assert_int_equal(ledger_commit(tl, &ops, NULL, err, sizeof err), 0);
	ops_release(&ops);

	struct household_ctx c;
	assert_int_equal(ledger_begin(tl, err, sizeof err), 0);
	assert_int_equal(household_ctx_init(&c, ledger_db(tl), "522701101", err, sizeof err), 0);
	static const char *const heads[2] = { "440524188001010014", "11010519491231002X" };
	for (int i = 0; i < 2; i++) {
		const char *hv[HF_COUNT] = { NULL };
		struct field_value v[HF_COUNT];
		char id[32];
		hv[HF_VILLAGE] = "522701101001";
		hv[HF_HEAD_NAME] = i ? "李四" : "张三";
		hv[HF_HEAD_IDCARD] = heads[i];
		hv[HF_MAIN_CAUSE] = "因病";
		hv[HF_FLAGS] = "军烈属";
		hv[HF_FARMLAND] = "2.5";
		s_parse(&c, household_fields, HF_COUNT, hv, v);
		snprintf(id, sizeof id, "522701101%06d", i + 1);
		ops_init(&ops);
		if (household_put(&c, &ops, id, v, 1, err, sizeof err) < 0)
			fail_msg("%s", err);
		const char *iv[IF_COUNT] = { NULL };
		struct field_value w[IF_COUNT];
		iv[IF_YEAR] = "2023";
		iv[IF_WAGES] = "1000";
		iv[IF_SIZE] = "1";
		s_parse(&c, household_income_fields, IF_COUNT, iv, w);
		if (household_income_put(&c, &ops, id, w, err, sizeof err) < 0)
			fail_msg("%s", err);
		if (ledger_append(tl, &ops, NULL, err, sizeof err) < 0)
			fail_msg("append: %s", err);
		ops_release(&ops);
	}
	household_ctx_release(&c);
	assert_int_equal(ledger_end(tl, err, sizeof err), 0);

	/* the hub receives the township's feed: stored and applied, ownership holds */
	uint64_t head;
	uint8_t hid[HASH_BYTES];
	assert_int_equal(ledger_feed_head(tl, "522701101", &head, hid), 0);
	assert_int_equal(head, 3);
	assert_int_equal(ledger_recv_begin(fx->county.ledger, err, sizeof err), 0);
	for (uint64_t seq = 1; seq <= head; seq++) {
		uint8_t *body, sig[SIG_BYTES];
		size_t len;
		enum recv_result res;
		char reason[256] = "";
		assert_int_equal(ledger_changeset_get(tl, "522701101", seq, &body, &len, sig), 0);
		assert_int_equal(ledger_receive(fx->county.ledger, body, len, sig, SIG_BYTES, "test", &res,
		    reason, sizeof reason), 0);
		free(body);
		if (res != RECV_STORED)
			fail_msg("seq %llu: %s: %s", (unsigned long long)seq, recv_result_name(res), reason);
	}
	assert_int_equal(ledger_recv_commit(fx->county.ledger, err, sizeof err), 0);

	static const char *const tables[] = { "household", "household_condition", "household_cause",
		"household_flag", "member", "income", NULL };
	for (const char *const *t = tables; *t; t++) {
		char sql[96];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", *t);
		int64_t a = s_count(&fx->township, sql), b = s_count(&fx->county, sql);
		if (a != b || a != 2)
			fail_msg("%s: township %lld rows, county %lld", *t, (long long)a, (long long)b);
	}
	assert_int_equal(s_count(&fx->county, "SELECT net_per_capita FROM income WHERE id = '522701101000002/2023'"),
	    100000);

	struct verify_report rep;
	assert_int_equal(ledger_verify(fx->county.ledger, &rep, err, sizeof err), 0);
	assert_int_equal(ledger_verify(fx->township.ledger, &rep, err, sizeof err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_county_receives_households),
	};
	return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
