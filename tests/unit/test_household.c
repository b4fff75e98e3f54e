/* test_household.c — the income formula, field parsing and the member rules */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "household.h"
#include "schema.h"

static int64_t
s_net(int64_t w, int64_t b, int64_t p, int64_t t, int64_t c, int size)
{
	struct income_parts parts = { w, b, p, t, c };
	int64_t net = INT64_MIN;
	assert_int_equal(household_income_compute(&parts, size, &net, NULL, 0), 0);
	return net;
}

static void
test_income_household_of_one(void **state)
{
	(void)state;
	/* 2300 yuan of wages alone: 230000 fen a head */
	assert_int_equal(s_net(230000, 0, 0, 0, 0, 1), 230000);
	assert_int_equal(s_net(100000, 50000, 1000, 20000, 30000, 1), 141000);
}

static void
test_income_zero(void **state)
{
	(void)state;
	assert_int_equal(s_net(0, 0, 0, 0, 0, 1), 0);
	assert_int_equal(s_net(0, 0, 0, 0, 0, 7), 0);
}

static void
test_income_costs_above_income(void **state)
{
	(void)state;
	/* (1000 − 4000) yuan over 3 people: −1000 yuan each */
	assert_int_equal(s_net(100000, 0, 0, 0, 400000, 3), -100000);
	/* −1 fen over 2 people rounds away from zero: −1 */
	assert_int_equal(s_net(0, 0, 0, 0, 1, 2), -1);
}

static void
test_income_rounding(void **state)
{
	(void)state;
	/* 10 fen over 3 people: 3.33 → 3; 20 over 3: 6.67 → 7; 1 over 2: 0.5 → 1 */
	assert_int_equal(s_net(10, 0, 0, 0, 0, 3), 3);
	assert_int_equal(s_net(20, 0, 0, 0, 0, 3), 7);
	assert_int_equal(s_net(1, 0, 0, 0, 0, 2), 1);
	assert_int_equal(s_net(300000, 120050, 0, 0, 50000, 2), 185025);
}

static void
test_income_refused(void **state)
{
	struct income_parts p = { 100, 0, 0, 0, 0 };
	struct income_parts neg = { -1, 0, 0, 0, 0 };
	int64_t net;
	char err[256];
	(void)state;
	assert_int_equal(household_income_compute(&p, 0, &net, err, sizeof err), -1);
	assert_non_null(strstr(err, "size"));
	assert_int_equal(household_income_compute(&neg, 1, &net, err, sizeof err), -1);
}

/* ---- fields against a real schema --------------------------------------------------- */

struct fixture {
	sqlite3 *db;
	struct household_ctx c;
};

static int
s_setup(void **state)
{
	static struct fixture fx;
	char err[256];

	memset(&fx, 0, sizeof fx);
	if (sqlite3_open(":memory:", &fx.db) != SQLITE_OK)
		return -1;
	if (schema_create(fx.db, "main", err, sizeof err) < 0)
		return -1;
	sqlite3_exec(fx.db, "INSERT INTO village (id, name) VALUES ('522701101001', '一村')", NULL, NULL, NULL);
	if (household_ctx_init(&fx.c, fx.db, "522701101", err, sizeof err) < 0)
		return -1;
	*state = &fx;
	return 0;
}

static int
s_teardown(void **state)
{
	struct fixture *fx = *state;
	household_ctx_release(&fx->c);
	sqlite3_close(fx->db);
	return 0;
}

static int
s_parse(struct fixture *fx, const struct field *f, const char *in, struct field_value *v, char *err)
{
	return household_field_parse(&fx->c, f, in, v, err, 512);
}

static void
test_fields(void **state)
{
	struct fixture *fx = *state;
	struct field_value v;
	char err[512];

	/* money: yuan with at most 2 decimals into fen; never negative */
	assert_int_equal(s_parse(fx, &household_income_fields[IF_WAGES], "1200.5", &v, err), 0);
	assert_int_equal(v.i, 120050);
	assert_int_equal(s_parse(fx, &household_income_fields[IF_WAGES], "1,200", &v, err), 0);
	assert_int_equal(v.i, 120000);
	assert_int_equal(s_parse(fx, &household_income_fields[IF_WAGES], "-3", &v, err), -1);
	assert_non_null(strstr(err, "工资性收入"));
	assert_non_null(strstr(err, "\"-3\""));
	assert_int_equal(s_parse(fx, &household_income_fields[IF_WAGES], "1.234", &v, err), -1);
	/* codes: by code or by name; anything else refused naming the field and value */
	assert_int_equal(s_parse(fx, &household_member_fields[MF_RELATION], "配偶", &v, err), 0);
	assert_string_equal(v.s, "02");
	assert_int_equal(s_parse(fx, &household_member_fields[MF_RELATION], "02", &v, err), 0);
	assert_string_equal(v.s, "02");
	assert_int_equal(s_parse(fx, &household_member_fields[MF_RELATION], "表哥", &v, err), -1);
	/* the reason first, the value last: "LABEL (name): REASON: \"VALUE\"" */
	assert_non_null(strstr(err, "与户主关系 (relation): not in the code list"));
	assert_non_null(strstr(err, ": \"表哥\""));
	/* code sets sorted, at most MAX */
	assert_int_equal(s_parse(fx, &household_fields[HF_OTHER_CAUSES], "缺资金、因病", &v, err), 0);
	assert_string_equal(v.s, "01,09");
	assert_int_equal(s_parse(fx, &household_fields[HF_OTHER_CAUSES], "因病,因残,因学", &v, err), -1);
	/* a village of this township that exists */
	assert_int_equal(s_parse(fx, &household_fields[HF_VILLAGE], "522701101001", &v, err), 0);
	assert_int_equal(s_parse(fx, &household_fields[HF_VILLAGE], "522701101002", &v, err), -1);
	assert_int_equal(s_parse(fx, &household_fields[HF_VILLAGE], "522701102001", &v, err), -1);
	/* blank is given-and-null; absent is not given */
	assert_int_equal(s_parse(fx, &household_fields[HF_PHONE], "  ", &v, err), 0);
	assert_true(v.given && v.null);
	assert_int_equal(s_parse(fx, &household_fields[HF_PHONE], NULL, &v, err), 0);
	assert_false(v.given);
	assert_int_equal(s_parse(fx, &household_fields[HF_DANGEROUS_HOUSE], "是", &v, err), 0);
	assert_int_equal(v.i, 1);
	assert_int_equal(s_parse(fx, &household_fields[HF_DANGEROUS_HOUSE], "maybe", &v, err), -1);
}

static void
test_member_rules(void **state)
{
	struct fixture *fx = *state;
	struct field_value v[MF_COUNT], h[HF_COUNT];
	struct ops ops = OPS_INIT;
	char err[512];
	const char *hv[HF_COUNT] = { NULL };

	hv[HF_VILLAGE] = "522701101001";
	hv[HF_HEAD_NAME] = "张三";
	hv[HF_HEAD_IDCARD] = "440524188001010014";
	for (int k = 0; k < HF_COUNT; k++)
		assert_int_equal(household_field_parse(&fx->c, &household_fields[k], hv[k], &h[k], err, sizeof err), 0);
	ops_init(&ops);
	assert_int_equal(household_put(&fx->c, &ops, "522701101000001", h, 1, err, sizeof err), 0);
	ops_release(&ops);

	/* the head's recorded sex must agree with the number */
	hv[HF_HEAD_SEX] = "女";
	assert_int_equal(household_field_parse(&fx->c, &household_fields[HF_HEAD_SEX], "女", &h[HF_HEAD_SEX],
	    err, sizeof err), 0);
	ops_init(&ops);
	assert_int_equal(household_put(&fx->c, &ops, "522701101000001", h, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "户主性别"));
	ops_release(&ops);

	/* a member's sex mismatch is refused naming the field */
	const char *mv[MF_COUNT] = { NULL };
	mv[MF_NAME] = "李四";
	mv[MF_IDCARD] = "11010519491231002X";
	mv[MF_SEX] = "男";
	mv[MF_RELATION] = "配偶";
	for (int k = 0; k < MF_COUNT; k++)
		assert_int_equal(household_field_parse(&fx->c, &household_member_fields[k], mv[k], &v[k], err,
		    sizeof err), 0);
	ops_init(&ops);
	assert_int_equal(household_member_put(&fx->c, &ops, "522701101000001", "522701101000001/02", v, 1,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "性别 (sex) \"男\""));
	ops_release(&ops);

	/* a person in another household of the township is refused */
	sqlite3_exec(fx->db, "INSERT INTO member (id, household, idcard, relation) VALUES "
	    "('522701101000009/01', '522701101000009', '11010519491231002X', '01')", NULL, NULL, NULL);
	mv[MF_SEX] = NULL;
	assert_int_equal(household_field_parse(&fx->c, &household_member_fields[MF_SEX], NULL, &v[MF_SEX],
	    err, sizeof err), 0);
	ops_init(&ops);
	assert_int_equal(household_member_put(&fx->c, &ops, "522701101000001", "522701101000001/02", v, 1,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "522701101000009/01"));
	ops_release(&ops);
}

/* Synonyms: one lookup for options and import; the rule on a synonym row. */
static void
test_synonyms(void **state)
{
	struct fixture *fx = *state;
	struct field_value v;
	char err[512], key[KEY_MAX], sql[512];

	assert_string_equal(household_code_lookup(&fx->c, "code_migrant", "乡(镇)内务工"), "01");
	assert_string_equal(household_code_lookup(&fx->c, "code_migrant", "省外务工"), "04");
	assert_string_equal(household_code_lookup(&fx->c, "code_migrant", "省外"), "04");
	assert_string_equal(household_code_lookup(&fx->c, "code_migrant", "04"), "04");
	assert_string_equal(household_code_lookup(&fx->c, "code_flag", "纯女户"), "02");
	assert_null(household_code_lookup(&fx->c, "code_migrant", "纯女户"));   /* another list's */
	assert_null(household_code_lookup(&fx->c, "code_migrant", "出国务工"));
	assert_int_equal(s_parse(fx, &household_member_fields[MF_MIGRANT], "县外省内务工", &v, err), 0);
	assert_string_equal(v.s, "03");
	assert_int_equal(s_parse(fx, &household_fields[HF_FLAGS], "纯女户、军烈属", &v, err), 0);
	assert_string_equal(v.s, "02,03");

	/* the seeded rows pass their own rule; a wrong key, code or word does not */
	household_synonym_key(key, sizeof key, "code_migrant", "省外务工");
	assert_int_equal(household_check_synonym(fx->db, "main", key, err, sizeof err), 0);
	static const struct { const char *key, *list, *word, *code, *want; } bad[] = {
		{ "code_migrant/0000000000000000", "code_migrant", "外出", "04", "keyed" },
		{ NULL, "code_migrant", "外出", "09", "no code" },
		{ NULL, "code_migrant", "省外", "04", "already a code or name" },
		{ NULL, "code_status", "x", "01", NULL },     /* fine: a list and a code of it */
		{ NULL, "village", "x", "01", "not a code list" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (bad[i].key)
			snprintf(key, sizeof key, "%s", bad[i].key);
		else
			household_synonym_key(key, sizeof key, bad[i].list, bad[i].word);
		snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO synonym VALUES ('%s', '%s', '%s', '%s')",
		    key, bad[i].list, bad[i].word, bad[i].code);
		assert_int_equal(sqlite3_exec(fx->db, sql, NULL, NULL, NULL), SQLITE_OK);
		int rc = household_check_synonym(fx->db, "main", key, err, sizeof err);
		if (!bad[i].want) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, -1);
		if (!strstr(err, bad[i].want) || !strstr(err, "rule synonym"))
			fail_msg("case %zu: \"%s\"", i, err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_income_household_of_one),
		cmocka_unit_test(test_income_zero),
		cmocka_unit_test(test_income_costs_above_income),
		cmocka_unit_test(test_income_rounding),
		cmocka_unit_test(test_income_refused),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_member_rules),
		cmocka_unit_test(test_synonyms),
	};
	return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
