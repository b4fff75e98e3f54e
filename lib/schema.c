/* schema.c — state-table declarations and DDL */
#include "schema.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- county tables: the trust root and policy --------------------------- */

/* Township nodes the county admits (its roster); the key verifies their feeds. */
static const struct column_def roster_node_cols[] = {
	{ "pubkey", COL_T_BLOB },    /* Ed25519 public key, 32 bytes */
	{ "name", COL_T_TEXT },
	{ "role", COL_T_TEXT },      /* "township" */
	{ "removed", COL_T_INT },    /* 1: no longer admitted (its past feed stays valid) */
	{ NULL, 0 },
};
static const struct table_def roster_node = {
	"roster_node", OWNER_COUNTY, roster_node_cols, NULL, NULL,
};

/* County policy values, versioned by year: id = "NAME/YEAR", e.g. "poverty_line/2023". */
static const struct column_def policy_cols[] = {
	{ "name", COL_T_TEXT },
	{ "year", COL_T_INT },
	{ "value", COL_T_TEXT },
	{ "note", COL_T_TEXT },
	{ NULL, 0 },
};
static const struct table_def policy = {
	"policy", OWNER_COUNTY, policy_cols, "name", NULL,
};

/* ---- the identification procedure (proto/PROCEDURE.md) -------------------- */

/*
 * 干部名册: officials who sign procedure steps (驻村干部, 乡镇长, 县扶贫和移民办).
 * id = office code + "/" + 3-digit number.  A row is never re-keyed: a new key
 * for a person is a new row, so every past signature stays verifiable.
 */
static const struct column_def official_cols[] = {
	{ "pubkey", COL_T_BLOB },    /* Ed25519 public key, 32 bytes */
	{ "role", COL_T_TEXT },      /* village-cadre, township-head, county-office */
	{ "name", COL_T_TEXT },
	{ "office", COL_T_TEXT },    /* division code: county, township or village */
	{ "removed", COL_T_INT },    /* 1: may sign no new step (past ones stay valid) */
	{ NULL, 0 },
};
static const struct table_def official = {
	"official", OWNER_COUNTY, official_cols, "office", NULL,
};

/* 扶贫规模: households a township or village may register in a year; id = CODE/YEAR. */
static const struct column_def quota_cols[] = {
	{ "code", COL_T_TEXT },      /* 9-digit township or 12-digit village */
	{ "year", COL_T_INT },
	{ "households", COL_T_INT },
	{ NULL, 0 },
};
static const struct table_def quota = {
	"quota", OWNER_COUNTY, quota_cols, "code", NULL,
};

/*
 * County steps of a household's procedure (县级审批, 第三榜公示, 脱贫公告):
 * id = household id + "/" + 2-digit round + "/" + 2-digit step number, the
 * same columns as review_step.  The county owns these rows; they flow down.
 */
static const struct column_def step_cols[] = {
	{ "household", COL_T_TEXT },
	{ "round", COL_T_INT },      /* 1, 2 …: a new application or an exit opens a round */
	{ "procedure", COL_T_TEXT }, /* "entry" (识别) or "exit" (脱贫退出) */
	{ "step", COL_T_TEXT },      /* step name, e.g. "village_eval" */
	{ "decision", COL_T_TEXT },  /* pass, reject, or the step's own word */
	{ "at", COL_T_TEXT },        /* YYYY-MM-DD: the day of the step (notice: first day) */
	{ "days", COL_T_INT },       /* notices: length in days */
	{ "reasons", COL_T_TEXT },
	{ "details", COL_T_TEXT },   /* step-specific JSON object (votes, panel, figures) */
	{ "record_hash", COL_T_BLOB },/* BLAKE2b-256 of the household record when signed */
	{ "official", COL_T_TEXT },  /* official id of the signer, NULL if unsigned */
	{ "signer", COL_T_BLOB },    /* that official's public key */
	{ "sig", COL_T_BLOB },       /* official's Ed25519 signature of the statement */
	{ "seal", COL_T_BLOB },      /* township node's signature of the statement (公章) */
	{ NULL, 0 },
};
static const struct table_def approval = {
	"approval", OWNER_COUNTY, step_cols, "household", NULL,
};

/* ---- township tables ------------------------------------------------------ */

/* 村: id = 12-digit village code. */
static const struct column_def village_cols[] = {
	{ "name", COL_T_TEXT },
	{ NULL, 0 },
};
static const struct table_def village = {
	"village", OWNER_TOWNSHIP, village_cols, NULL, NULL,
};

/* 村民小组: id = village code + "/" + 2-digit group number. */
static const struct column_def village_group_cols[] = {
	{ "village", COL_T_TEXT },
	{ "name", COL_T_TEXT },
	{ NULL, 0 },
};
static const struct table_def village_group = {
	"village_group", OWNER_TOWNSHIP, village_group_cols, "village", NULL,
};

/* ---- the identification procedure, township side ----------------------------- */

/* Township steps (申请 … 乡镇长签字, 登记): id and columns as approval. */
static const struct table_def review_step = {
	"review_step", OWNER_TOWNSHIP, step_cols, "household", NULL,
};

/* 异议: an objection raised during a notice and its finding; id = step id + "/" + NN. */
static const struct column_def objection_cols[] = {
	{ "household", COL_T_TEXT },
	{ "step", COL_T_TEXT },      /* id of the notice step (review_step or approval) */
	{ "at", COL_T_TEXT },
	{ "by_name", COL_T_TEXT },   /* who objected (may be 匿名) */
	{ "content", COL_T_TEXT },
	{ "finding", COL_T_TEXT },   /* NULL while open; "upheld" or "dismissed" */
	{ "finding_at", COL_T_TEXT },
	{ "finding_note", COL_T_TEXT },
	{ NULL, 0 },
};
static const struct table_def objection = {
	"objection", OWNER_TOWNSHIP, objection_cols, "household", NULL,
};

/* 三不评: a recorded exclusion finding; id = household id + "/" + kind. */
static const struct column_def exclusion_cols[] = {
	{ "household", COL_T_TEXT },
	{ "kind", COL_T_TEXT },      /* land_waste, family_planning, crime */
	{ "source", COL_T_TEXT },    /* where the finding comes from */
	{ "at", COL_T_TEXT },
	{ "lifted", COL_T_INT },     /* 1: found wrong and lifted */
	{ NULL, 0 },
};
static const struct table_def exclusion = {
	"exclusion", OWNER_TOWNSHIP, exclusion_cols, "household", NULL,
};

/* 帮扶措施: id = household id + "/M" + 3-digit number. */
static const struct column_def measure_cols[] = {
	{ "household", COL_T_TEXT },
	{ "category", COL_T_TEXT },  /* production, training, infrastructure, relocation, health, schooling, housing */
	{ "project", COL_T_TEXT },
	{ "funds", COL_T_INT },      /* fen */
	{ "start", COL_T_TEXT },
	{ "deadline", COL_T_TEXT },
	{ "status", COL_T_TEXT },    /* planned, running, done, cancelled */
	{ NULL, 0 },
};
static const struct table_def measure = {
	"measure", OWNER_TOWNSHIP, measure_cols, "household", NULL,
};

/* 帮扶责任人: id = household id + "/H" + 3-digit number; a change adds a row. */
static const struct column_def helper_cols[] = {
	{ "household", COL_T_TEXT },
	{ "name", COL_T_TEXT },
	{ "unit", COL_T_TEXT },      /* work unit */
	{ "level", COL_T_TEXT },     /* its level: county, township, village … */
	{ "phone", COL_T_TEXT },
	{ "start", COL_T_TEXT },
	{ "end", COL_T_TEXT },       /* NULL while paired */
	{ NULL, 0 },
};
static const struct table_def helper = {
	"helper", OWNER_TOWNSHIP, helper_cols, "household;name", NULL,
};

/* 半年审核: id = household id + "/" + YYYY-H (half 1 or 2). */
static const struct column_def half_year_cols[] = {
	{ "household", COL_T_TEXT },
	{ "period", COL_T_TEXT },    /* "2014-2" */
	{ "decision", COL_T_TEXT },  /* stay, exit, return, remove */
	{ "at", COL_T_TEXT },
	{ "reasons", COL_T_TEXT },
	{ "official", COL_T_TEXT },
	{ "signer", COL_T_BLOB },
	{ "sig", COL_T_BLOB },
	{ NULL, 0 },
};
static const struct table_def half_year = {
	"half_year", OWNER_TOWNSHIP, half_year_cols, "household", NULL,
};

const struct table_def *const schema_tables[] = {
	&roster_node,
	&policy,
	&village,
	&village_group,
	/* the procedure and assistance (proto/PROCEDURE.md) */
	&official,
	&quota,
	&approval,
	&review_step,
	&objection,
	&exclusion,
	&measure,
	&helper,
	&half_year,
	NULL,
};

const struct table_def *
schema_table(const char *name, size_t len)
{
	for (const struct table_def *const *t = schema_tables; *t; t++)
		if (strlen((*t)->name) == len && memcmp((*t)->name, name, len) == 0)
			return *t;
	return NULL;
}

int
schema_column(const struct table_def *t, const char *name, size_t len)
{
	for (int i = 0; t->cols[i].name; i++)
		if (strlen(t->cols[i].name) == len && memcmp(t->cols[i].name, name, len) == 0)
			return i;
	return -1;
}

size_t
schema_ncols(const struct table_def *t)
{
	size_t n = 0;

	while (t->cols[n].name)
		n++;
	return n;
}

static const char *
s_type(enum col_type t)
{
	switch (t) {
	case COL_T_INT:
		return "INTEGER";
	case COL_T_BLOB:
		return "BLOB";
	default:
		return "TEXT";
	}
}

static int
s_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "sqlite: %s (in \"%.80s\")", msg ? msg : "?", sql);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
schema_create(sqlite3 *db, const char *dbname, char *err, size_t errlen)
{
	for (const struct table_def *const *tp = schema_tables; *tp; tp++) {
		const struct table_def *t = *tp;
		sqlite3_str *s = sqlite3_str_new(db);

		sqlite3_str_appendf(s, "CREATE TABLE IF NOT EXISTS \"%w\".\"%w\" (id TEXT PRIMARY KEY NOT NULL",
		    dbname, t->name);
		for (int i = 0; t->cols[i].name; i++)
			sqlite3_str_appendf(s, ", \"%w\" %s", t->cols[i].name, s_type(t->cols[i].type));
		sqlite3_str_appendf(s, ");");
		if (t->indexes) {
			char *list = strdup(t->indexes), *save = NULL;
			int n = 0;
			for (char *ix = strtok_r(list, ";", &save); ix; ix = strtok_r(NULL, ";", &save))
				sqlite3_str_appendf(s, "CREATE INDEX IF NOT EXISTS \"%w\".\"%w_ix%d\" ON \"%w\" (%s);",
				    dbname, t->name, n++, t->name, ix);
			free(list);
		}
		if (t->seed) {
			sqlite3_str_appendf(s, "INSERT OR IGNORE INTO \"%w\".\"%w\" VALUES %s;",
			    dbname, t->name, t->seed);
		}
		char *sql = sqlite3_str_finish(s);
		if (!sql)
			return errf(err, errlen, "out of memory");
		int rc = s_exec(db, sql, err, errlen);
		sqlite3_free(sql);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
schema_drop(sqlite3 *db, const char *dbname, char *err, size_t errlen)
{
	for (const struct table_def *const *tp = schema_tables; *tp; tp++) {
		char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w\";", dbname, (*tp)->name);
		int rc = s_exec(db, sql, err, errlen);
		sqlite3_free(sql);
		if (rc < 0)
			return -1;
	}
	return 0;
}
