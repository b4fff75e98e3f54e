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

const struct table_def *const schema_tables[] = {
	&roster_node,
	&policy,
	&village,
	&village_group,
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
