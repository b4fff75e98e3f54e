/* village.c — village groups, evaluation groups and spot checks on apply */
#include "village.h"
#include "dates.h"
#include "procedure.h"
#include "rank.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* N digits at S (S may go on); is_digits wants the whole string. */
static int
s_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static const char *
s_text(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(st, i);
}

/* The row KEY of a query FMT (%w: the database) prepared and stepped: ST on SQLITE_ROW. */
static int
s_row(sqlite3 *db, const char *dbname, const char *fmt, const char *key, sqlite3_stmt **st)
{
	*st = procedure_prepare(db, dbname, fmt);
	if (!*st)
		return -1;
	sqlite3_bind_text(*st, 1, key, -1, SQLITE_STATIC);
	return sqlite3_step(*st);
}

int
village_eval_group(sqlite3 *db, const char *dbname, const char *village, int year, char *out,
    size_t len)
{
	char key[48];
	sqlite3_stmt *st;

	snprintf(key, sizeof key, "%s/%d", village, year);
	int rc = s_row(db, dbname, "SELECT members FROM \"%w\".eval_group WHERE id = ?1", key, &st);
	if (rc == SQLITE_ROW)
		snprintf(out, len, "%s", s_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* 9 to 15 distinct names, as the panel of a village_eval step (rank.c). */
int
village_eval_members_check(const char *members, char *why, size_t whylen)
{
	char names[RANK_PANEL_MAX][RANK_PANEL_NAME_MAX];
	int n = rank_panel_parse(members, names);

	if (n < 0)
		return errf(why, whylen, "a member's name is 64 bytes or more, or has a quote, "
		    "backslash or control character");
	if (n < EVAL_GROUP_MIN || n > EVAL_GROUP_MAX)
		return errf(why, whylen, "%s%d members; an evaluation group has %d to %d",
		    n == RANK_PANEL_MAX ? "at least " : "", n, EVAL_GROUP_MIN, EVAL_GROUP_MAX);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) == 0)
				return errf(why, whylen, "\"%s\" is named twice", names[i]);
	return 0;
}

int
village_check_eval_group(sqlite3 *db, const char *dbname, const char *key, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char want[48], why[256];
	int rc = s_row(db, dbname, "SELECT coalesce(g.village, ''), g.year, coalesce(g.members, ''), "
	    "coalesce(g.formed_at, ''), v.id IS NOT NULL FROM \"%w\".eval_group g LEFT JOIN "
	    "\"%w\".village v ON v.id = g.village WHERE g.id = ?1", key, &st);

	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return errf(err, errlen, "eval_group row \"%s\": %s", key, sqlite3_errmsg(db));
	}
	int year = sqlite3_column_int(st, 1);
	snprintf(want, sizeof want, "%s/%d", s_text(st, 0), year);
	rc = 0;
	if (strcmp(want, key) != 0)
		rc = errf(err, errlen, "rule eval-group: row \"%s\" must be keyed VILLAGE/YEAR (%s)", key, want);
	else if (!sqlite3_column_int(st, 4))
		rc = errf(err, errlen, "rule eval-group: %s: no village %s in this archive", key,
		    s_text(st, 0));
	else if (date_day(s_text(st, 3)) < 0 || atoi(s_text(st, 3)) != year)
		rc = errf(err, errlen, "rule eval-group: %s: formed_at \"%s\" is not a date of %d", key,
		    s_text(st, 3), year);
	else if (village_eval_members_check(s_text(st, 2), why, sizeof why) < 0)
		rc = errf(err, errlen, "rule eval-group: %s: %s", key, why);
	sqlite3_finalize(st);
	return rc;
}

int
village_check_household_group(sqlite3 *db, const char *dbname, const char *key, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	int rc = s_row(db, dbname, "SELECT h.village, h.village_group, g.id IS NOT NULL FROM "
	    "\"%w\".household h LEFT JOIN \"%w\".village_group g ON g.id = h.village || '/' || "
	    "h.village_group WHERE h.id = ?1 AND h.village_group IS NOT NULL", key, &st);

	if (rc == SQLITE_ROW && !sqlite3_column_int(st, 2))
		rc = errf(err, errlen, "rule village-group: household %s: village %s has no group %s "
		    "(\"lika village group add\")", key, s_text(st, 0), s_text(st, 1));
	else
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
		    errf(err, errlen, "household %s: %s", key, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

const char *
village_spot_kind_label(const char *kind)
{
	if (strcmp(kind, "spot") == 0)
		return "抽查";
	if (strcmp(kind, "unannounced") == 0)
		return "暗访";
	return NULL;
}

/* HOUSEHOLDS: 1 to 200 distinct ids under CODE, each in DBNAME when HOLDS. */
static int
s_spot_households(sqlite3 *db, const char *dbname, const char *code, const char *households,
    const char *me, char *why, size_t whylen)
{
	size_t clen = strlen(code), n = 0;
	sqlite3_stmt *st = procedure_prepare(db, dbname, "SELECT 1 FROM \"%w\".household WHERE id = ?1");
	int rc = 0;

	if (!st)
		return errf(why, whylen, "%s", sqlite3_errmsg(db));
	for (const char *p = households; *p && rc == 0; ) {
		size_t len = strcspn(p, ",");
		char id[32];
		if (len != 15 || !s_digits(p, 15) || strncmp(p, code, clen) != 0) {
			rc = errf(why, whylen, "\"%.*s\" is not a household id of %s", (int)(len < 20 ? len : 20),
			    p, code);
			break;
		}
		snprintf(id, sizeof id, "%.15s", p);
		const char *q = strstr(households, id);
		if (q && q < p)
			rc = errf(why, whylen, "household %s is named twice", id);
		int holds = code_role(me) == ROLE_COUNTY || strncmp(id, me, strlen(me)) == 0;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		if (rc == 0 && holds && sqlite3_step(st) != SQLITE_ROW)
			rc = errf(why, whylen, "no household %s in this archive", id);
		n++;
		p += len;
		p += *p == ',';
	}
	sqlite3_finalize(st);
	if (rc == 0 && (n == 0 || n > SPOT_CHECK_MAX_HOUSEHOLDS))
		rc = errf(why, whylen, "%zu households; a check names 1 to %d", n, SPOT_CHECK_MAX_HOUSEHOLDS);
	return rc;
}

int
village_check_spot_check(sqlite3 *db, const char *dbname, const char *key, const char *me,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char code[CODE_MAX] = "", why[256];
	int rc = s_row(db, dbname, "SELECT coalesce(kind, ''), coalesce(at, ''), coalesce(by_name, ''), "
	    "coalesce(households, ''), coalesce(findings, '') FROM \"%w\".spot_check WHERE id = ?1",
	    key, &st);

	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return errf(err, errlen, "spot_check row \"%s\": %s", key, sqlite3_errmsg(db));
	}
	size_t clen = strcspn(key, "/");
	if (clen < sizeof code)
		snprintf(code, sizeof code, "%.*s", (int)clen, key);
	const char *at = s_text(st, 1);
	rc = 0;
	if (clen >= sizeof code || strlen(key) != clen + 9 || key[clen + 5] != '/' ||
	    !s_digits(key + clen + 1, 4) || !s_digits(key + clen + 6, 3))
		rc = errf(err, errlen, "rule spot-check: row \"%s\" must be keyed CODE/YEAR/NNN", key);
	else if (date_day(at) < 0 || strncmp(at, key + clen + 1, 4) != 0)
		rc = errf(err, errlen, "rule spot-check: %s: the date \"%s\" is not a day of %.4s", key, at,
		    key + clen + 1);
	else if (!village_spot_kind_label(s_text(st, 0)))
		rc = errf(err, errlen, "rule spot-check: %s: kind \"%s\" is neither spot (抽查) nor "
		    "unannounced (暗访)", key, s_text(st, 0));
	else if (!*s_text(st, 2) || !*s_text(st, 4))
		rc = errf(err, errlen, "rule spot-check: %s: who checked (by_name) and the findings are "
		    "required", key);
	else if (s_spot_households(db, dbname, code, s_text(st, 3), me, why, sizeof why) < 0)
		rc = errf(err, errlen, "rule spot-check: %s: %s", key, why);
	sqlite3_finalize(st);
	return rc;
}
