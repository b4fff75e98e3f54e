/*
 * procedure.h — the identification procedure (三级复审，三榜公示) as data: its
 * steps, the household record hash a step binds, the county policy the steps
 * read, and the one state machine that says whether a step may be taken: the
 * command that writes a step calls it before writing, and the ledger's rules
 * (rules.c) call it again for every step row that arrives.  The statement an
 * official signs for a step is statement.h's.
 *
 * proto/PROCEDURE.md is the specification; this is its implementation.
 */
#ifndef LIKA_PROCEDURE_H
#define LIKA_PROCEDURE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "codec.h"
#include "dates.h"
#include "money.h"
#include "statement.h"    /* struct step_row and the statement a step signs */

struct ledger;

/* Official roles (干部名册 role column). */
#define ROLE_VILLAGE_CADRE  "village-cadre"     /* 驻村干部 */
#define ROLE_TOWNSHIP_HEAD  "township-head"     /* 乡镇长 */
#define ROLE_COUNTY_OFFICE  "county-office"     /* 县扶贫和移民办 */

enum step_flags {
	STEP_NOTICE = 1,        /* a notice (公示): at = first day, days = length */
	STEP_COUNTY = 2,        /* written by the county (table approval) */
	STEP_SEAL = 4,          /* also sealed by the township node (盖章) */
	STEP_FINAL = 8,         /* completes the round */
	STEP_ELIGIBLE = 16,     /* a pass re-checks eligibility (line, 低保/五保, 三不评) */
};

struct step_def {
	const char *procedure;  /* "entry" or "exit" */
	int number;             /* 1 … in order within the procedure */
	const char *name;       /* as stored in the step column */
	const char *command;    /* `lika review COMMAND` */
	const char *label;      /* Chinese, for documents */
	const char *role;       /* official role that must sign, NULL: unsigned */
	int flags;
	const char *notice_policy;  /* STEP_NOTICE: policy name of its length */
	int notice_default;         /* days when the county has set none */
	const char *status;         /* household status a pass leads to (township steps), or NULL */
	int binds;                  /* a pass needs the record bound by this step unchanged (0: none) */
};

/* Every step of both procedures, terminated by { NULL }. */
extern const struct step_def procedure_steps[];

/* The step named NAME of PROCEDURE (or of either if PROCEDURE is NULL), or NULL. */
const struct step_def *procedure_step(const char *procedure, const char *name);
/* Step NUMBER of PROCEDURE, or NULL. */
const struct step_def *procedure_step_no(const char *procedure, int number);

/* Row key of a step: HOUSEHOLD/RR/NN into OUT (KEY_MAX bytes). */
int procedure_step_key(char *out, size_t len, const char *household, int round, int number);

/* ---- the state machine ------------------------------------------------------ */

#define PROCEDURE_MAX_STEPS 12

/* What the procedure tables say about one household. */
struct procedure_state {
	char id[KEY_MAX];
	char village[CODE_MAX];
	char status[8];
	char attribute[8];
	int round;              /* current (highest) round; 0: none yet */
	char procedure[8];
	int last;               /* highest step number present in the round */
	int rejected;           /* a step of the round rejected the file */
	int complete;           /* its final step is done */
	struct {
		int present;
		char key[KEY_MAX];
		char decision[16];
		char at[11];
		int days;
		int has_hash;
		uint8_t hash[HASH_BYTES];
	} s[PROCEDURE_MAX_STEPS];
};

/*
 * Load HOUSEHOLD's record and current round from database DBNAME, leaving out
 * the step row keyed SKIP (NULL: none; the ledger's rules check a row already
 * applied against the history before it).  1 found, 0 no such household, -1.
 */
int procedure_load(sqlite3 *db, const char *dbname, const char *household, const char *skip,
    struct procedure_state *h);
/*
 * Prepare FMT with every %w replaced by DBNAME (up to four times), so a query
 * runs on any attached database.  NULL on error (sqlite3_errmsg has why).
 */
sqlite3_stmt *procedure_prepare(sqlite3 *db, const char *dbname, const char *fmt);

/* The stage of H in words ("entry round 1: cadre_sign") into BUF. */
const char *procedure_stage(const struct procedure_state *h, char *buf, size_t len);

/* A step to be taken (by a command) or as recorded (checked on apply). */
struct step_take {
	const struct step_def *def;
	int round;
	const char *decision;       /* apply, posted, pass, reject */
	const char *at;             /* YYYY-MM-DD */
	int64_t clock_ms;           /* the clock of its change set (ms since the epoch) */
	const uint8_t *record_hash; /* the record as the step binds it (HASH_BYTES) */
	int pending;                /* households of the same village passed through this step
	                             * earlier in the change set being written, not yet in the
	                             * tables (a batch step, checked by the command); counts
	                             * against the quota.  0 on apply, where they are applied. */
};

/* Which rules to apply (PROCEDURE.md, "Rules on apply"). */
enum procedure_checks {
	CHECK_ORDER = 1,        /* order of steps and rounds, dates, notice periods */
	CHECK_OBJECTIONS = 2,   /* notices end without an open or upheld objection */
	CHECK_ELIGIBLE = 4,     /* poverty line, 低保/五保, 三不评 */
	CHECK_QUOTA = 8,        /* 扶贫规模 of village and township */
	CHECK_RECORD = 16,      /* the bound record unchanged (approval not stale) */
	CHECK_COUNTY_WIDE = 32, /* one person in one household, county-wide */
	CHECK_ALL = 63,
};

/*
 * May step T be taken for the household in state H (loaded from DBNAME)?
 * CHECKS selects the rules.  0, or -1 with the rule's name in RULE (e.g.
 * "notice-period") and what is wrong in ERR; a database failure is rule
 * "database".
 */
int procedure_check_step(sqlite3 *db, const char *dbname, const struct procedure_state *h,
    const struct step_take *t, int checks, char *rule, size_t rulelen, char *err, size_t errlen);

/* Entry eligibility of H on day AT (line, 低保/五保, 三不评), as procedure_check_step. */
int procedure_check_eligible(sqlite3 *db, const char *dbname, const struct procedure_state *h,
    const char *at, char *rule, size_t rulelen, char *err, size_t errlen);

/* The decision a step records when taken: apply, posted, or pass/reject. */
const char *procedure_decision(const struct step_def *def, int reject);
/* The household status after step DEF with DECISION (township steps), or NULL: unchanged. */
const char *procedure_status_after(const struct step_def *def, const char *decision);

/*
 * BLAKE2b-256 of the canonical serialization of HOUSEHOLD's record in database
 * DBNAME of DB (household without its status, conditions, causes, flags,
 * members, income).  0, or -1 with the reason.
 */
int procedure_record_hash(sqlite3 *db, const char *dbname, const char *household,
    uint8_t hash[HASH_BYTES], char *err, size_t errlen);

/*
 * May an official of ROLE posted to OFFICE sign for a household of TOWNSHIP
 * (in COUNTY)?  County office: OFFICE is the county; township head: the
 * township; village cadre: the township or one of its villages.  1 or 0.
 */
int procedure_office_fits(const char *role, const char *office, const char *township,
    const char *county);

/* ---- policy ------------------------------------------------------------------ */

/*
 * County policy NAME for YEAR in database DBNAME ("main"): the row with the greatest year <= YEAR.
 * 1 with VALUE copied (and *FROM the year it was set for), 0 if none, -1 error.
 */
int procedure_policy(sqlite3 *db, const char *dbname, const char *name, int year, char *value,
    size_t len, int *from);
/* The policy values lika interprets; any other name is kept as text. */
enum policy_kind { POLICY_YUAN, POLICY_BOOL, POLICY_DAYS, POLICY_DATE, POLICY_TEXT };
struct policy_def {
	const char *name;
	enum policy_kind kind;
	const char *what;       /* for --help */
};
extern const struct policy_def procedure_policies[];  /* terminated by { NULL } */

/*
 * Is VALUE a value of policy NAME set for YEAR?  0 with its stored form in OUT
 * (yuan as "2300" or "2736.50", days without leading zeros), or -1 with the
 * reason in WHY.  The same check refuses a policy row on apply.
 */
int procedure_policy_value(const char *name, int year, const char *value, char *out,
    size_t outlen, char *why, size_t whylen);

/* An integer policy, DEF when not set. */
int64_t procedure_policy_int(sqlite3 *db, const char *dbname, const char *name, int year,
    int64_t def);

#endif
