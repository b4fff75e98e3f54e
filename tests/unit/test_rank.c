/*
 * test_rank.c — the three priorities (三优先) read from the household file,
 * the applicants of a village in rank order (priorities, then an income
 * recorded, lower per-capita income, then id), the evaluation group's rules
 * and the details of a village evaluation.  The files live in an attached
 * database, so every query must name the database it reads.
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
#include "rank.h"
#include "schema.h"

#define VILLAGE "522701101001"
#define TODAY   "2014-06-20"
#define OLD     "522701195001010011"    /* born 1950-01-01: 64 */
#define SIXTY   "522701195406200011"    /* 60 today */
#define YOUNG   "522701195406210011"    /* 60 tomorrow */
#define CHILD   "522701198001010011"

static void
s_exec(sqlite3 *db, const char *fmt, ...)
{
	va_list ap;
	char *err = NULL;

	va_start(ap, fmt);
	char *sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_free(sql);
}

/* Household N of the village (id 522701101000NNN) with its head (IDCARD, HEALTH). */
static void
s_household(sqlite3 *db, int n, const char *idcard, const char *health)
{
	s_exec(db, "INSERT INTO county.household (id, village, status) VALUES "
	    "('522701101000%03d', '" VILLAGE "', '" STATUS_REVIEW "')", n);
	s_exec(db, "INSERT INTO county.member (id, household, name, idcard, relation, health) VALUES "
	    "('522701101000%03d/01', '522701101000%03d', '户主%d', '%s', '" RELATION_HEAD "', '%s')",
	    n, n, n, idcard, health);
}

static void
s_member(sqlite3 *db, int n, int no, const char *idcard, const char *relation, const char *health)
{
	s_exec(db, "INSERT INTO county.member (id, household, name, idcard, relation, health) VALUES "
	    "('522701101000%03d/%02d', '522701101000%03d', '成员', '%s', '%s', '%s')",
	    n, no, n, idcard, relation, health);
}

static void
s_flag(sqlite3 *db, int n, const char *flag)
{
	s_exec(db, "INSERT INTO county.household_flag (id, household, flag) VALUES "
	    "('522701101000%03d/%s', '522701101000%03d', '%s')", n, flag, n, flag);
}

static void
s_income(sqlite3 *db, int n, int year, int64_t net)
{
	s_exec(db, "INSERT INTO county.income (id, household, year, wages, business, property, "
	    "transfers, costs, size, net_per_capita) VALUES ('522701101000%03d/%d', "
	    "'522701101000%03d', %d, 100, 900, 0, 50, 0, 3, %lld)", n, year, n, year, (long long)net);
}

/* Step STEP of round 1 of the entry procedure of household N. */
static void
s_step(sqlite3 *db, int n, int no, const char *step, const char *decision)
{
	s_exec(db, "INSERT INTO county.review_step (id, household, round, procedure, step, decision, at) "
	    "VALUES ('522701101000%03d/01/%02d', '522701101000%03d', 1, 'entry', '%s', '%s', '2014-06-01')",
	    n, no, n, step, decision);
}

static int
s_setup(void **state)
{
	sqlite3 *db;
	char err[256];

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	s_exec(db, "ATTACH ':memory:' AS county");
	if (schema_create(db, "main", err, sizeof err) < 0 || schema_create(db, "county", err, sizeof err) < 0)
		fail_msg("schema: %s", err);
	*state = db;
	return 0;
}

static int
s_teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

static int
s_priorities(sqlite3 *db, int n)
{
	char id[32];

	snprintf(id, sizeof id, "522701101000%03d", n);
	return rank_priorities(db, "county", id, TODAY);
}

static void
test_priorities(void **state)
{
	sqlite3 *db = *state;

	s_household(db, 1, OLD, "01");                                  /* old head, disabled son */
	s_member(db, 1, 2, CHILD, RELATION_SON, HEALTH_DISABLED);
	s_household(db, 2, CHILD, HEALTH_DISABLED);                     /* old father, disabled head */
	s_member(db, 2, 2, OLD, RELATION_FATHER, "01");
	s_household(db, 3, SIXTY, "01");                                /* 独生子女户 and 双女户 */
	s_flag(db, 3, FLAG_ONLY_CHILD);
	s_flag(db, 3, FLAG_TWO_DAUGHTERS);
	s_household(db, 4, YOUNG, "01");                                /* no one elderly */
	s_member(db, 4, 2, CHILD, RELATION_DAUGHTER, HEALTH_DISABLED);
	s_flag(db, 4, FLAG_ONLY_CHILD);
	s_household(db, 5, CHILD, "01");                                /* disabled son, but young head */
	s_member(db, 5, 2, OLD, RELATION_MOTHER, "01");
	s_member(db, 5, 3, CHILD, RELATION_SON, HEALTH_DISABLED);

	assert_int_equal(s_priorities(db, 1), RANK_PRIORITY_DISABLED_CHILD);
	assert_int_equal(s_priorities(db, 2), RANK_PRIORITY_DISABLED_CHILD);
	assert_int_equal(s_priorities(db, 3), RANK_PRIORITY_ONLY_CHILD | RANK_PRIORITY_DAUGHTERS);
	assert_int_equal(s_priorities(db, 4), 0);
	assert_int_equal(s_priorities(db, 5), 0);
	/* the files are in "county": main has none */
	assert_int_equal(rank_priorities(db, "main", "522701101000001", TODAY), 0);
}

static void
test_rank_order(void **state)
{
	sqlite3 *db = *state;
	struct applicant *a;

	/* 1, 2: one priority; 2 poorer.  3: two priorities.  4, 5: none, same income, by id.
	 * 6: none and no income.  7 rejected, 8 registered, 9 no round: not applicants. */
	s_household(db, 1, OLD, "01");
	s_flag(db, 1, FLAG_ONLY_CHILD);
	s_income(db, 1, 2013, 250000);
	s_household(db, 2, OLD, "01");
	s_flag(db, 2, FLAG_TWO_DAUGHTERS);
	s_income(db, 2, 2012, 100000);
	s_income(db, 2, 2013, 200000);          /* the latest year counts */
	s_household(db, 3, OLD, "01");
	s_flag(db, 3, FLAG_ONLY_CHILD);
	s_flag(db, 3, FLAG_TWO_DAUGHTERS);
	s_income(db, 3, 2013, 900000);
	for (int n = 4; n <= 9; n++) {
		s_household(db, n, CHILD, "01");
		if (n != 6)
			s_income(db, n, 2013, 150000);
	}
	for (int n = 1; n <= 8; n++)
		s_step(db, n, 1, "apply", "pass");
	s_step(db, 7, 2, "group_eval", "reject");
	s_step(db, 8, 11, "register", "pass");

	int k = rank_village(db, "county", VILLAGE, TODAY, &a);
	assert_int_equal(k, 6);
	static const char *const want[] = { "522701101000003", "522701101000002", "522701101000001",
		"522701101000004", "522701101000005", "522701101000006" };
	for (int i = 0; i < k; i++)
		assert_string_equal(a[i].id, want[i]);
	assert_int_equal(a[1].net, 200000);
	assert_int_equal(a[1].income_year, 2013);
	assert_string_equal(a[0].head, "户主3");
	assert_false(a[5].has_income);
	assert_string_equal(a[0].stage, "entry round 1: apply");
	free(a);

	assert_int_equal(rank_village(db, "main", VILLAGE, TODAY, &a), 0);
	free(a);

	/* the details of the village evaluation of household 2 carry its rank */
	struct village_vote v = { .votes_for = 7, .votes_against = 2, .assets = 120000, .consumption = -1 };
	char rule[32], why[256], *details;
	v.panel = rank_panel_parse("甲, 乙，丙、丁;戊,己,庚,辛,壬", v.names);
	assert_int_equal(v.panel, 9);
	assert_int_equal(rank_vote_check(&v, 0, rule, sizeof rule, why, sizeof why), 0);
	assert_int_equal(rank_eval_details(db, "county", "522701101000002", VILLAGE, &v, TODAY, &details), 0);
	assert_string_equal(details, "{\"panel\":[\"甲\",\"乙\",\"丙\",\"丁\",\"戊\",\"己\",\"庚\",\"辛\",\"壬\"],"
	    "\"votes\":{\"for\":7,\"against\":2,\"abstain\":0},\"figures\":{\"income_year\":2013,"
	    "\"net_per_capita_fen\":200000,\"size\":3,\"main_source\":\"business\",\"labour\":0,"
	    "\"main_cause\":\"\",\"assets_fen\":120000},\"priorities\":[\"纯女户老人\"],\"rank\":2,\"of\":6}");
	sqlite3_free(details);
}

static void
test_panel_and_votes(void **state)
{
	struct village_vote v = { .votes_for = 5 };
	char rule[32], why[256];

	(void)state;
	assert_int_equal(rank_panel_parse("a\"b", v.names), -1);
	assert_int_equal(rank_panel_parse(" , ;", v.names), 0);
	assert_int_equal(rank_panel_parse("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", v.names), RANK_PANEL_MAX);

	v.panel = rank_panel_parse("1,2,3,4,5,6,7,8", v.names);
	assert_int_equal(rank_vote_check(&v, 0, rule, sizeof rule, why, sizeof why), -1);
	assert_string_equal(rule, "panel-size");
	v.panel = rank_panel_parse("1,2,3,4,5,6,7,8,1", v.names);
	assert_int_equal(rank_vote_check(&v, 0, rule, sizeof rule, why, sizeof why), -1);
	assert_string_equal(why, "panel member \"1\" is named twice");
	v.panel = rank_panel_parse("1,2,3,4,5,6,7,8,9,10", v.names);
	assert_int_equal(rank_vote_check(&v, 0, rule, sizeof rule, why, sizeof why), -1);
	assert_string_equal(rule, "vote-majority");             /* 5 of 10 is not more than half */
	assert_int_equal(rank_vote_check(&v, 1, rule, sizeof rule, why, sizeof why), 0);
	v.votes_against = 6;
	assert_int_equal(rank_vote_check(&v, 1, rule, sizeof rule, why, sizeof why), -2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_priorities, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_rank_order, s_setup, s_teardown),
		cmocka_unit_test(test_panel_and_votes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
