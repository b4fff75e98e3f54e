/*
 * rank.h — the village evaluation (村级评议) as the plan has it: the three
 * priorities (三优先) read from the household file, the applicants of a
 * village in the order the evaluation group considers them, the group
 * (评议小组) and its votes, and the five-comparison figures (五看) a
 * village_eval step records as its details.
 *
 * Every query names the database it reads (DBNAME: "main" or an attached
 * one), as procedure.h's do.
 */
#ifndef LIKA_RANK_H
#define LIKA_RANK_H

#include <stdint.h>
#include <sqlite3.h>

#include "codec.h"

/* The three priorities, bits of struct applicant's priorities. */
#define RANK_PRIORITY_DISABLED_CHILD 0x1    /* 残疾子女的老人 */
#define RANK_PRIORITY_ONLY_CHILD     0x2    /* 独生子女的老人 */
#define RANK_PRIORITY_DAUGHTERS      0x4    /* 纯女户老人 */
#define RANK_PRIORITIES 3

/* The Chinese names of the priorities, bit 0 first. */
extern const char *const rank_priority_names[RANK_PRIORITIES];

/* An applicant of a village: a household whose entry round is open. */
struct applicant {
	char id[KEY_MAX];
	char head[128];         /* the head's name, "" if none recorded */
	int priorities;         /* RANK_PRIORITY_* */
	int has_income;         /* an income year is recorded: net, income_year */
	int64_t net;            /* 人均纯收入 of the latest year, fen */
	int income_year;
	char stage[96];         /* procedure_stage */
};

/*
 * The priorities of HOUSEHOLD on TODAY (YYYY-MM-DD): an elderly member is 60
 * or older by the birth date in the ID number.  Elderly head or spouse with a
 * disabled son or daughter, or an elderly parent of a disabled head; elderly
 * in an 独生子女户; elderly in a 双女户.  0 also when the query fails.
 */
int rank_priorities(sqlite3 *db, const char *dbname, const char *household, const char *today);

/*
 * The applicants of VILLAGE on TODAY in rank order: more priorities first,
 * then those with an income recorded, lower per-capita net income, then id.
 * *OUT is malloc'd (free it; NULL when none or on error).  The count or -1.
 */
int rank_village(sqlite3 *db, const char *dbname, const char *village, const char *today,
    struct applicant **out);

/* Append the names of the priorities P to S as a JSON array. */
void rank_priorities_json(sqlite3_str *s, int p);

/* ---- the village evaluation's group, votes and figures ------------------------- */

#define RANK_PANEL_MAX 16           /* names kept; more make the size check fail */
#define RANK_PANEL_NAME_MAX 64      /* bytes with the NUL */

/* What the evaluation decided, as the command parsed it. */
struct village_vote {
	char names[RANK_PANEL_MAX][RANK_PANEL_NAME_MAX];
	int panel;                  /* names in NAMES */
	int votes_for, votes_against, votes_abstain;
	int64_t assets, consumption;    /* fen; -1: not given */
};

/*
 * Split a panel list IN on , ， 、 ; (spaces trimmed) into NAMES: the count
 * (RANK_PANEL_MAX when there are that many or more), or -1 if a name has 64
 * bytes or more, or a quote, backslash or control character (the names go
 * into the details JSON as they are).
 */
int rank_panel_parse(const char *in, char names[RANK_PANEL_MAX][RANK_PANEL_NAME_MAX]);

/*
 * The rules of the group and its votes: 9 to 15 distinct members (rule
 * "panel-size"), the votes fit the panel, and a pass (REJECT 0) has more than
 * half the panel for it ("vote-majority").  0; -1 refused by a rule (RULE,
 * WHY); -2 the votes do not fit the panel (WHY; bad input, not a rule).
 */
int rank_vote_check(const struct village_vote *v, int reject, char *rule, size_t rulelen,
    char *why, size_t whylen);

/*
 * The details JSON of HOUSEHOLD's village_eval step on TODAY: the panel and
 * votes of V, the figures (latest income year, per-capita net income, size
 * and main source; labour; main cause; V's assets and consumption), the
 * priorities and the rank among VILLAGE's applicants.  *OUT from
 * sqlite3_malloc (sqlite3_free it).  0, or -1 when out of memory.
 */
int rank_eval_details(sqlite3 *db, const char *dbname, const char *household, const char *village,
    const struct village_vote *v, const char *today, char **out);

#endif
