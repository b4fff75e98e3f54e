/*
 * forge.c — a test tool playing a modified township (or county): it appends
 * to the node's own feed one change set of the rows given, validly signed by
 * the node's key, behind lika's back.  It links lib/core only and opens the
 * node without the rules hook, so nothing of the plan is checked here: the
 * change set is what a node that skips the rules would write.  Every node
 * that applies it (the hub on receive, verify here) must refuse it.
 *
 *   forge DIR upsert TABLE KEY COL=VALUE … [upsert TABLE KEY …]
 *
 * VALUE forms:
 *   COL=TEXT      text; \xHH and \\ are decoded (so \x1b, \x00 reach the row)
 *   COL:=N        integer
 *   COL@=SQL      the first column of SQL run on the node's database, with
 *                 its type (a step's record_hash copied from the one before)
 *   COL*=N:C      text of N copies of the ASCII character C
 *
 * Prints "forged ORIGIN seq N"; exit 0, 1 on failure, 2 on bad arguments.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "util.h"

#define MAX_COLS 32

struct buf {
	char *p;
	size_t len;
};

/* Decode \xHH and \\ of IN into a fresh buffer. */
static struct buf
s_unescape(const char *in)
{
	struct buf b = { malloc(strlen(in) + 1), 0 };

	for (const char *s = in; *s; s++) {
		unsigned v;
		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			b.p[b.len++] = (char)v;
			s += 3;
		} else if (s[0] == '\\' && s[1] == '\\') {
			b.p[b.len++] = '\\';
			s++;
		} else {
			b.p[b.len++] = *s;
		}
	}
	return b;
}

/* COL@=SQL: the first column of SQL's first row, as a value (bytes kept in KEEP). */
static int
s_query(sqlite3 *db, const char *sql, struct value *v, struct buf *keep)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "forge: %s: %s\n", sql, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 0);
		rc = 0;
		switch (sqlite3_column_type(st, 0)) {
		case SQLITE_INTEGER:
			*v = (struct value){ V_INT, sqlite3_column_int64(st, 0), NULL, 0 };
			break;
		case SQLITE_NULL:
			*v = (struct value){ V_NIL, 0, NULL, 0 };
			break;
		default:
			keep->p = malloc((size_t)n + 1);
			memcpy(keep->p, sqlite3_column_blob(st, 0), (size_t)n);
			keep->len = (size_t)n;
			*v = (struct value){ sqlite3_column_type(st, 0) == SQLITE_BLOB ? V_BLOB : V_TEXT, 0,
			    keep->p, keep->len };
		}
	} else {
		fprintf(stderr, "forge: %s: no row\n", sql);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Parse one COL…VALUE argument into C (its bytes kept in KEEP). */
static int
s_column(sqlite3 *db, const char *arg, struct colval *c, struct buf *keep)
{
	const char *eq = strchr(arg, '=');
	static char names[MAX_COLS * 8][64];
	static int nnames;

	if (!eq || eq == arg || nnames == MAX_COLS * 8)
		return -1;
	const char *name_end = strchr(":@*", eq[-1]) ? eq - 1 : eq;
	snprintf(names[nnames], sizeof names[0], "%.*s", (int)(name_end - arg), arg);
	c->name = names[nnames++];
	const char *val = eq + 1;
	switch (eq[-1]) {
	case ':':
		c->v = (struct value){ V_INT, strtoll(val, NULL, 10), NULL, 0 };
		return 0;
	case '@':
		return s_query(db, val, &c->v, keep);
	case '*': {
		long n = strtol(val, NULL, 10);
		const char *ch = strchr(val, ':');
		if (n <= 0 || !ch || !ch[1])
			return -1;
		keep->p = malloc((size_t)n);
		memset(keep->p, ch[1], (size_t)n);
		keep->len = (size_t)n;
		break;
	}
	default:
		*keep = s_unescape(val);
	}
	c->v = (struct value){ V_TEXT, 0, keep->p, keep->len };
	return 0;
}

int
main(int argc, char **argv)
{
	struct node n;
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	static struct buf keep[MAX_COLS * 8];     /* zeroed: freed whether used or not */
	int nkeep = 0, rc = 1;

	if (argc < 5 || strcmp(argv[2], "upsert") != 0) {
		fprintf(stderr, "usage: forge DIR upsert TABLE KEY COL=VALUE … [upsert …]\n");
		return 2;
	}
	if (node_open(&n, argv[1], 0, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "forge: %s\n", err);
		return 1;
	}
	sqlite3 *db = ledger_db(n.ledger);
	ops_init(&ops);
	for (int i = 2; i < argc; ) {
		struct colval cols[MAX_COLS];
		int nc = 0;
		if (strcmp(argv[i], "upsert") != 0 || i + 2 >= argc) {
			fprintf(stderr, "forge: expected \"upsert TABLE KEY\" at \"%s\"\n", argv[i]);
			goto out;
		}
		const char *table = argv[i + 1], *key = argv[i + 2];
		for (i += 3; i < argc && strcmp(argv[i], "upsert") != 0; i++) {
			if (nc == MAX_COLS || nkeep == MAX_COLS * 8 ||
			    s_column(db, argv[i], &cols[nc], &keep[nkeep]) < 0) {
				fprintf(stderr, "forge: bad column \"%s\"\n", argv[i]);
				goto out;
			}
			nc++;
			nkeep++;
		}
		ops_upsert(&ops, table, key, cols, (size_t)nc);
	}
	struct ledger_written w;
	if (ledger_begin(n.ledger, err, sizeof err) < 0 ||
	    ledger_commit(n.ledger, &ops, &w, err, sizeof err) < 0) {
		fprintf(stderr, "forge: %s\n", err);
		goto out;
	}
	printf("forged %s seq %" PRIu64 "\n", n.conf.code, w.seq);
	rc = 0;
out:
	for (int i = 0; i < nkeep; i++)
		free(keep[i].p);
	ops_release(&ops);
	node_close(&n);
	return rc;
}
