/*
 * schema_doc.c — print the state tables of lib/core/schema.c as the markdown
 * block of proto/STORAGE.md ("State tables").
 *
 *   schema_doc            the block, without its marker lines, on stdout
 *
 * `make spec` puts it between the markers; tests/system/t0100 fails when the
 * file and this output differ, so the spec cannot drift from the code.
 */
#include "schema.h"

#include <stdio.h>
#include <string.h>

static const char *
s_type(enum col_type t)
{
	switch (t) {
	case COL_T_INT:
		return "INTEGER";
	case COL_T_BLOB:
		return "BLOB";
	case COL_T_TEXT:
		return "TEXT";
	}
	return "?";
}

/* The seed, a list of SQL tuples of quoted strings, as "`01` 男 · `02` 女 …"; returns the count. */
static int
s_seed(FILE *f, const char *sql, int print)
{
	int rows = 0, field = 0;

	for (const char *p = sql; *p; p++) {
		if (*p == '(') {
			field = 0;
			if (print)
				fputs(rows ? " · " : "", f);
			rows++;
		} else if (*p == '\'') {
			const char *q = ++p;
			while (*p && !(*p == '\'' && p[1] != '\''))
				p += *p == '\'' ? 2 : 1;
			if (print)
				fprintf(f, field == 0 ? "`%.*s`" : " %.*s", (int)(p - q), q);
			field++;
			if (!*p)
				break;
		}
	}
	return rows;
}

int
main(void)
{
	FILE *f = stdout;

	fprintf(f, "### Schema version %d\n\n", SCHEMA_VERSION);
	fprintf(f, "Every table starts with `id TEXT PRIMARY KEY NOT NULL` (an op's key), then "
	    "the columns below, in this order. Owner: `county` tables are written by the "
	    "county's feed only; `township` tables by townships, each only rows whose key "
	    "starts with its own 9-digit code; `county or township` tables by either, each only rows "
	    "whose key starts with its own code and `/`.\n");
	for (const struct table_def *const *tp = schema_tables; *tp; tp++) {
		const struct table_def *t = *tp;

		fprintf(f, "\n#### `%s` (%s)\n\n", t->name,
		    t->owner == OWNER_COUNTY ? "county" : t->owner == OWNER_NODE ? "county or township" :
		    "township");
		fprintf(f, "%s Key: %s.\n\n", t->about ? t->about : "", t->key ? t->key : "?");
		fprintf(f, "| # | column | type | meaning |\n| --- | --- | --- | --- |\n");
		fprintf(f, "| 0 | `id` | TEXT | the key |\n");
		for (int i = 0; t->cols[i].name; i++)
			fprintf(f, "| %d | `%s` | %s | %s |\n", i + 1, t->cols[i].name,
			    s_type(t->cols[i].type), t->cols[i].note ? t->cols[i].note : "");
		if (t->seed) {
			fprintf(f, "\nSeed rows (%d), created with the table and in no change set: ",
			    s_seed(f, t->seed, 0));
			s_seed(f, t->seed, 1);
			fputs(".\n", f);
		}
	}
	return ferror(f) || fflush(f) != 0 ? 1 : 0;
}
