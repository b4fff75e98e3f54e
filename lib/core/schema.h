/*
 * schema.h — the state tables, declared once as data.
 *
 * Every state table has "id TEXT PRIMARY KEY" and the columns listed here;
 * the DDL is generated from these declarations, and a change set may name only
 * these tables and columns.  Ownership decides which origin may write a row:
 * a township owns the rows whose key starts with its code; only the county
 * writes county tables (proto/PROTOCOL.md, "Applying").  The notes, key forms
 * and descriptions are printed into proto/STORAGE.md by `make spec`.
 */
#ifndef LIKA_SCHEMA_H
#define LIKA_SCHEMA_H

#include <stddef.h>
#include <sqlite3.h>

/*
 * Bump when tables or columns are added; a change set of a newer schema is
 * held.  A table declares the columns a version adds after its older ones,
 * so an older database migrates by ALTER TABLE ... ADD COLUMN (schema_create).
 * 2: household.village_group, eval_group, spot_check, synonym.
 */
#define SCHEMA_VERSION 2
#define SCHEMA_MAX_COLS 63

enum col_type { COL_T_TEXT, COL_T_INT, COL_T_BLOB };
struct column_def {
	const char *name;
	enum col_type type;
	const char *note;               /* meaning, for the spec; NULL if the name says it */
};

enum table_owner {
	OWNER_TOWNSHIP,     /* key starts with the writing township's code */
	OWNER_COUNTY,       /* written by the county only */
	OWNER_NODE,         /* key starts with the writing node's code and "/" (county or township) */
};

struct table_def {
	const char *name;
	enum table_owner owner;
	const struct column_def *cols;  /* terminated by { NULL } */
	const char *indexes;            /* optional: "col" or "col1,col2;col3" */
	const char *seed;               /* optional: SQL VALUES rows, all columns in order, id first */
	const char *key;                /* the form of id, for the spec */
	const char *about;              /* one sentence, for the spec */
};

/* The state tables, NULL-terminated. */
extern const struct table_def *const schema_tables[];

const struct table_def *schema_table(const char *name, size_t len);
/* Column index in T, or -1. */
int schema_column(const struct table_def *t, const char *name, size_t len);
size_t schema_ncols(const struct table_def *t);

/*
 * Create every state table (and its seed rows) in database DBNAME ("main",
 * "replay"); on a database of an older schema, add the tables and columns
 * it lacks (the migration: every added column starts NULL).
 */
int schema_create(sqlite3 *db, const char *dbname, char *err, size_t errlen);
/* Drop every state table in DBNAME. */
int schema_drop(sqlite3 *db, const char *dbname, char *err, size_t errlen);

#endif
