/*
 * rank.c — the three priorities, the applicants of a village in rank order,
 * and the village evaluation's group, votes and figures (rank.h).
 *
 * Read-only: nothing here writes.  The rank is computed when asked (by
 * "lika review rank" and when a village_eval step is taken), never stored
 * but in the step's details.
 */
#include "rank.h"
#include "household.h"
#include "procedure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rank_priority_names[RANK_PRIORITIES] = {
	"残疾子女的老人", "独生子女的老人", "纯女户老人",
};

/* ?1 household, ?2 today as YYYYMMDD; one row of three 0/1 columns, in bit order. */
static const char s_priorities_sql[] =
    "WITH m AS (SELECT relation, health, CAST(substr(idcard, 7, 8) AS INTEGER) <= ?2 - 600000 "
    "AS old FROM \"%w\".member WHERE household = ?1) SELECT "
    "(EXISTS (SELECT 1 FROM m WHERE old AND relation IN ('" RELATION_HEAD "', '" RELATION_SPOUSE "')) "
    "AND EXISTS (SELECT 1 FROM m WHERE relation IN ('" RELATION_SON "', '" RELATION_DAUGHTER "') "
    "AND health = '" HEALTH_DISABLED "')) OR (EXISTS (SELECT 1 FROM m WHERE old AND relation IN ('"
    RELATION_FATHER "', '" RELATION_MOTHER "')) AND EXISTS (SELECT 1 FROM m WHERE relation = '"
    RELATION_HEAD "' AND health = '" HEALTH_DISABLED "')), "
    "EXISTS (SELECT 1 FROM m WHERE old) AND EXISTS (SELECT 1 FROM \"%w\".household_flag WHERE "
    "household = ?1 AND flag = '" FLAG_ONLY_CHILD "'), "
    "EXISTS (SELECT 1 FROM m WHERE old) AND EXISTS (SELECT 1 FROM \"%w\".household_flag WHERE "
    "household = ?1 AND flag = '" FLAG_TWO_DAUGHTERS "')";

/* ?1 village: id, head's name, latest net income per head and its year. */
static const char s_village_sql[] =
    "SELECT h.id, coalesce((SELECT name FROM \"%w\".member m WHERE m.household = h.id AND "
    "m.relation = '" RELATION_HEAD "' LIMIT 1), ''), "
    "(SELECT net_per_capita FROM \"%w\".income i WHERE i.household = h.id ORDER BY year DESC LIMIT 1), "
    "(SELECT year FROM \"%w\".income i WHERE i.household = h.id ORDER BY year DESC LIMIT 1) "
    "FROM \"%w\".household h WHERE h.village = ?1 ORDER BY h.id";

static const char *
s_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

/* YYYY-MM-DD as the integer YYYYMMDD. */
static long
s_date_number(const char *date)
{
	return strtol(date, NULL, 10) * 10000 + strtol(date + 5, NULL, 10) * 100 +
	    strtol(date + 8, NULL, 10);
}

/* The priorities of HOUSEHOLD with s_priorities_sql prepared as ST (reset after). */
static int
s_priorities(sqlite3_stmt *st, const char *household, long today)
{
	int p = 0;

	sqlite3_bind_text(st, 1, household, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, today);
	if (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < RANK_PRIORITIES; i++)
			if (sqlite3_column_int(st, i))
				p |= 1 << i;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return p;
}

int
rank_priorities(sqlite3 *db, const char *dbname, const char *household, const char *today)
{
	sqlite3_stmt *st = procedure_prepare(db, dbname, s_priorities_sql);
	int p;

	if (!st)
		return 0;
	p = s_priorities(st, household, s_date_number(today));
	sqlite3_finalize(st);
	return p;
}

static int
s_applicant_cmp(const void *a, const void *b)
{
	const struct applicant *x = a, *y = b;
	int px = __builtin_popcount((unsigned)x->priorities);
	int py = __builtin_popcount((unsigned)y->priorities);

	if (px != py)
		return py - px;                 /* more priorities first */
	if (x->has_income != y->has_income)
		return y->has_income - x->has_income;
	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;   /* poorer first */
	return strcmp(x->id, y->id);
}

/* Is H an applicant: its current round is an open entry round? */
static int
s_is_applicant(const struct procedure_state *h)
{
	return h->round != 0 && strcmp(h->procedure, "entry") == 0 && !h->rejected && !h->complete;
}

/* Append the applicant of row ST (s_village_sql) in state H to *A; -1 out of memory. */
static int
s_append(struct applicant **a, int *n, int *cap, sqlite3_stmt *st, const struct procedure_state *h)
{
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		struct applicant *na = realloc(*a, (size_t)ncap * sizeof *na);
		if (!na)
			return -1;
		*a = na;
		*cap = ncap;
	}
	struct applicant *x = &(*a)[(*n)++];
	memset(x, 0, sizeof *x);
	snprintf(x->id, sizeof x->id, "%s", s_col(st, 0));
	snprintf(x->head, sizeof x->head, "%s", s_col(st, 1));
	x->has_income = sqlite3_column_type(st, 2) != SQLITE_NULL;
	x->net = sqlite3_column_int64(st, 2);
	x->income_year = sqlite3_column_int(st, 3);
	procedure_stage(h, x->stage, sizeof x->stage);
	return 0;
}

int
rank_village(sqlite3 *db, const char *dbname, const char *village, const char *today,
    struct applicant **out)
{
	sqlite3_stmt *st = procedure_prepare(db, dbname, s_village_sql);
	sqlite3_stmt *pst = procedure_prepare(db, dbname, s_priorities_sql);
	struct applicant *a = NULL;
	int n = 0, cap = 0, rc = 0;
	long t = s_date_number(today);

	*out = NULL;
	if (!st || !pst) {
		sqlite3_finalize(st);
		sqlite3_finalize(pst);
		return -1;
	}
	sqlite3_bind_text(st, 1, village, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct procedure_state h;
		if (procedure_load(db, dbname, s_col(st, 0), NULL, &h) != 1 || !s_is_applicant(&h))
			continue;
		if ((rc = s_append(&a, &n, &cap, st, &h)) == 0)
			a[n - 1].priorities = s_priorities(pst, a[n - 1].id, t);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(pst);
	if (rc < 0) {
		free(a);
		return -1;
	}
	if (n > 1)
		qsort(a, (size_t)n, sizeof *a, s_applicant_cmp);
	*out = a;
	return n;
}

void
rank_priorities_json(sqlite3_str *s, int p)
{
	int first = 1;

	sqlite3_str_appendchar(s, 1, '[');
	for (int i = 0; i < RANK_PRIORITIES; i++)
		if (p & (1 << i)) {
			sqlite3_str_appendf(s, "%s\"%s\"", first ? "" : ",", rank_priority_names[i]);
			first = 0;
		}
	sqlite3_str_appendchar(s, 1, ']');
}

/* ---- the village evaluation ------------------------------------------------------ */

/* Is C the start of a separator of panel names (, ; ， 、)?  Its length, or 0. */
static size_t
s_panel_separator(const char *c)
{
	if (*c == ',' || *c == ';')
		return 1;
	if (strncmp(c, "，", 3) == 0 || strncmp(c, "、", 3) == 0)
		return 3;
	return 0;
}

int
rank_panel_parse(const char *in, char names[RANK_PANEL_MAX][RANK_PANEL_NAME_MAX])
{
	int n = 0;
	const char *p = in;

	while (*p) {
		const char *q = p;
		while (*q && !s_panel_separator(q))
			q++;
		size_t len = (size_t)(q - p);
		while (len && p[0] == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (len) {
			if (n == RANK_PANEL_MAX)
				return RANK_PANEL_MAX;
			for (size_t i = 0; i < len; i++)
				if (p[i] == '"' || p[i] == '\\' || (unsigned char)p[i] < 0x20)
					return -1;
			if (len >= RANK_PANEL_NAME_MAX)
				return -1;
			memcpy(names[n], p, len);
			names[n][len] = '\0';
			n++;
		}
		if (!*q)
			break;
		p = q + s_panel_separator(q);
	}
	return n;
}

int
rank_vote_check(const struct village_vote *v, int reject, char *rule, size_t rulelen,
    char *why, size_t whylen)
{
	int np = v->panel;

	snprintf(rule, rulelen, "panel-size");
	if (np < 9 || np > 15) {
		snprintf(why, whylen, "the evaluation group (评议小组) has 9 to 15 members elected by "
		    "the village assembly; --panel names %d", np < 0 ? 0 : np);
		return -1;
	}
	for (int i = 0; i < np; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(v->names[i], v->names[j]) == 0) {
				snprintf(why, whylen, "panel member \"%s\" is named twice", v->names[i]);
				return -1;
			}
	if (v->votes_for < 0 || v->votes_against < 0 || v->votes_abstain < 0 ||
	    v->votes_for + v->votes_against + v->votes_abstain > np) {
		if (rulelen)
			rule[0] = '\0';
		snprintf(why, whylen, "votes %d for, %d against, %d abstaining do not fit a panel of %d",
		    v->votes_for, v->votes_against, v->votes_abstain, np);
		return -2;
	}
	if (!reject && v->votes_for * 2 <= np) {
		snprintf(rule, rulelen, "vote-majority");
		snprintf(why, whylen, "%d of %d panel members voted for: a pass needs more than half",
		    v->votes_for, np);
		return -1;
	}
	return 0;
}

/* The latest income year of HOUSEHOLD: year, net per head, size, main source. */
static void
s_income_figures(sqlite3 *db, const char *dbname, const char *household, sqlite3_str *s)
{
	static const char *const src[] = { "wages", "business", "property", "transfers" };
	sqlite3_stmt *st = procedure_prepare(db, dbname, "SELECT year, wages, business, property, "
	    "transfers, costs, size, net_per_capita FROM \"%w\".income WHERE household = ?1 "
	    "ORDER BY year DESC LIMIT 1");
	int best = 0;

	if (!st)
		return;
	sqlite3_bind_text(st, 1, household, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 1; i < 4; i++)
			if (sqlite3_column_int64(st, 1 + i) > sqlite3_column_int64(st, 1 + best))
				best = i;
		sqlite3_str_appendf(s, "\"income_year\":%d,\"net_per_capita_fen\":%lld,\"size\":%d,"
		    "\"main_source\":\"%s\",", sqlite3_column_int(st, 0),
		    (long long)sqlite3_column_int64(st, 7), sqlite3_column_int(st, 6), src[best]);
	}
	sqlite3_finalize(st);
}

/* Labour and the main cause of HOUSEHOLD. */
static void
s_labour_cause(sqlite3 *db, const char *dbname, const char *household, sqlite3_str *s)
{
	sqlite3_stmt *st = procedure_prepare(db, dbname, "SELECT (SELECT count(*) FROM \"%w\".member "
	    "WHERE household = ?1 AND labour IN ('" LABOUR_ORDINARY "', '" LABOUR_SKILLED "')), "
	    "(SELECT cause FROM \"%w\".household_cause WHERE household = ?1 AND main = 1)");
	long long labour = 0;
	char cause[16] = "";

	if (st) {
		sqlite3_bind_text(st, 1, household, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			labour = sqlite3_column_int64(st, 0);
			snprintf(cause, sizeof cause, "%s", s_col(st, 1));
		}
		sqlite3_finalize(st);
	}
	sqlite3_str_appendf(s, "\"labour\":%lld,\"main_cause\":\"%w\"", labour, cause);
}

int
rank_eval_details(sqlite3 *db, const char *dbname, const char *household, const char *village,
    const struct village_vote *v, const char *today, char **out)
{
	sqlite3_str *s = sqlite3_str_new(db);
	struct applicant *a;
	int k, rank = 0, pri = 0;

	sqlite3_str_appendf(s, "{\"panel\":[");
	for (int i = 0; i < v->panel; i++)
		sqlite3_str_appendf(s, "%s\"%w\"", i ? "," : "", v->names[i]);
	sqlite3_str_appendf(s, "],\"votes\":{\"for\":%d,\"against\":%d,\"abstain\":%d},\"figures\":{",
	    v->votes_for, v->votes_against, v->votes_abstain);
	s_income_figures(db, dbname, household, s);
	s_labour_cause(db, dbname, household, s);
	if (v->assets >= 0)
		sqlite3_str_appendf(s, ",\"assets_fen\":%lld", (long long)v->assets);
	if (v->consumption >= 0)
		sqlite3_str_appendf(s, ",\"consumption_fen\":%lld", (long long)v->consumption);

	/* rank among the village's applicants */
	k = rank_village(db, dbname, village, today, &a);
	for (int i = 0; i < k; i++)
		if (strcmp(a[i].id, household) == 0) {
			rank = i + 1;
			pri = a[i].priorities;
		}
	free(a);
	sqlite3_str_appendf(s, "},\"priorities\":");
	rank_priorities_json(s, pri);
	sqlite3_str_appendf(s, ",\"rank\":%d,\"of\":%d}", rank, k < 0 ? 0 : k);
	*out = sqlite3_str_finish(s);
	return *out ? 0 : -1;
}
