/*
 * village.h — village groups (村民小组), the village's evaluation group of a
 * year (评议小组) and spot checks (抽查/暗访): the rules their rows obey on
 * apply (rules.c calls them for every op, local or received) and the lookups
 * the commands share.  Rows of schema 2 (lib/core/schema.c).
 */
#ifndef LIKA_VILLAGE_H
#define LIKA_VILLAGE_H

#include <stddef.h>
#include <sqlite3.h>

#define EVAL_GROUP_MIN 9        /* members of an evaluation group (as the panel of a step) */
#define EVAL_GROUP_MAX 15
#define SPOT_CHECK_MAX_HOUSEHOLDS 200

/*
 * The members of VILLAGE's evaluation group for YEAR in database DBNAME
 * ("main"), comma-separated, into OUT.  1 found, 0 none recorded, -1 error.
 */
int village_eval_group(sqlite3 *db, const char *dbname, const char *village, int year,
    char *out, size_t len);

/* 9 to 15 distinct names in MEMBERS (separated as a panel): 0, or -1 with WHY. */
int village_eval_members_check(const char *members, char *why, size_t whylen);

/*
 * Rule "eval-group": row KEY of eval_group is keyed VILLAGE/YEAR by its own
 * columns, of a village this database holds, formed in its year, with 9 to
 * 15 distinct members.  0, or -1 with "rule eval-group: …" in ERR.
 */
int village_check_eval_group(sqlite3 *db, const char *dbname, const char *key, char *err,
    size_t errlen);

/*
 * Rule "village-group": household KEY's village_group, when set, names a
 * group of its own village (village_group row VILLAGE/NN).  0 or -1.
 */
int village_check_household_group(sqlite3 *db, const char *dbname, const char *key, char *err,
    size_t errlen);

/* Spot-check kinds: "spot" 抽查, "unannounced" 暗访; NULL if KIND is neither. */
const char *village_spot_kind_label(const char *kind);

/*
 * Rule "spot-check": row KEY of spot_check is keyed CODE/YEAR/NNN with YEAR
 * the year of its date, of a known kind, by someone, with findings, naming 1
 * to 200 distinct households of the writer's county or township (CODE), each
 * held here when this node holds that township's file (HOLDS_ALL: a county
 * node, or the township itself).  0 or -1.
 */
int village_check_spot_check(sqlite3 *db, const char *dbname, const char *key, const char *me,
    char *err, size_t errlen);

#endif
