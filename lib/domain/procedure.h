/*
 * procedure.h — the identification procedure (三级复审，三榜公示) as data: its
 * steps, the household record hash a step binds, and the county policy the
 * steps read.  The statement an official signs for a step is statement.h's.
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
};

/* Every step of both procedures, terminated by { NULL }. */
extern const struct step_def procedure_steps[];

/* The step named NAME of PROCEDURE (or of either if PROCEDURE is NULL), or NULL. */
const struct step_def *procedure_step(const char *procedure, const char *name);
/* Step NUMBER of PROCEDURE, or NULL. */
const struct step_def *procedure_step_no(const char *procedure, int number);

/* Row key of a step: HOUSEHOLD/RR/NN into OUT (KEY_MAX bytes). */
int procedure_step_key(char *out, size_t len, const char *household, int round, int number);

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
/* An integer policy, DEF when not set. */
int64_t procedure_policy_int(sqlite3 *db, const char *dbname, const char *name, int year,
    int64_t def);

#endif
