/*
 * cmd_import.c — `lika import households|members|incomes FILE` and `lika
 * export households|members|incomes`: spreadsheets in and out.
 *
 * Import reads CSV (UTF-8 with or without BOM, or GB18030) or the JSON that
 * export writes, checks every row with the same rules as the commands, and
 * writes in change sets of a bounded size, all inside one SQLite transaction
 * (ledger_append … ledger_end): a bad row means nothing is written unless
 * --skip-bad, and a failure half-way leaves nothing behind either.
 * proto/IMPORT.md documents the columns and the batching.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "household.h"
#include "lika.h"
#include "util.h"

/* Rows per change set; proto/IMPORT.md.  A set is also cut at 3 MiB of ops. */
#define BATCH_HOUSEHOLDS 500
#define BATCH_ROWS       2000
#define BATCH_BYTES      (3u << 20)
#define MAX_REPORTED     1000       /* bad rows printed; the count is always exact */

/* ---- a small string map (open addressing): keys copied, int values ---------- */

struct strmap {
	char **keys;
	int *vals;
	size_t cap, n;
};

static uint64_t
s_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot of KEY: its own or the empty one where it would go. */
static size_t
s_map_slot(const struct strmap *m, const char *key)
{
	size_t i = s_hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int *
s_map_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = s_map_slot(m, key);
	return m->keys[i] ? &m->vals[i] : NULL;
}

static int
s_map_put(struct strmap *m, const char *key, int val)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct strmap g = { NULL, NULL, m->cap ? m->cap * 2 : 1024, 0 };
		g.keys = calloc(g.cap, sizeof *g.keys);
		g.vals = calloc(g.cap, sizeof *g.vals);
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return -1;
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i]) {
				size_t j = s_map_slot(&g, m->keys[i]);
				g.keys[j] = m->keys[i];
				g.vals[j] = m->vals[i];
				g.n++;
			}
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	size_t i = s_map_slot(m, key);
	if (!m->keys[i]) {
		if (!(m->keys[i] = strdup(key)))
			return -1;
		m->n++;
	}
	m->vals[i] = val;
	return 0;
}

static void
s_map_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/* ---- import ------------------------------------------------------------------- */

struct import {
	const char *cmd;
	enum record_kind kind;
	const struct field *fs;
	int nf;
	struct household_ctx *c;
	struct ledger *ledger;
	struct csv rows;
	size_t header;                          /* the header's row; data follow it */
	int colfield[RECORD_MAX_FIELDS * 2];    /* column → field, -1 ignored */
	/* households in the national form's one-sheet layout: income columns on the row */
	int colincome[RECORD_MAX_FIELDS * 2];   /* column → income field, -1 none */
	int with_incomes;                       /* 年度 and an amount are columns */
	size_t incomes;                         /* income years written with the households */
	int is_json;
	int skip_bad;
	/* per pass */
	struct ops ops;
	size_t batch_rows;
	uint64_t first_seq, last_seq, changesets;
	size_t written, created, updated, bad;
	char updated_ids[10][24];               /* the first households updated, for the summary */
	size_t nupdated_ids;
	struct report *reports;
	size_t nreports, capreports;
	size_t last_bad;                        /* the row last counted bad: one count a row */
	unsigned char *row_bad;                 /* rows refused in an earlier pass (skip-bad) */
	char (*row_hid)[24];                    /* members: the household a row went to */
	struct strmap keys;                     /* ids and ID numbers seen in the file → row */
	struct strmap next_no;                  /* household → last member number assigned */
	struct strmap touched;                  /* households whose members changed → a row */
	char next_id[32];
	/* household sequences the file names itself (sorted, unique): not handed out */
	long *named;
	size_t nnamed, named_at;
};

/* A bad row's message, kept until the last pass so a rerun does not repeat it. */
struct report {
	size_t row;
	int sticky;             /* from the heads check: kept for the --skip-bad rerun */
	size_t seq;             /* order of reporting, within a row */
	char *msg;
};

static void
s_report_add(struct import *im, size_t row, const char *msg, int sticky)
{
	if (row != im->last_bad) {
		im->bad++;
		im->last_bad = row;
	}
	if (im->nreports == im->capreports) {
		size_t nc = im->capreports ? im->capreports * 2 : 64;
		void *p = realloc(im->reports, nc * sizeof *im->reports);
		if (!p)
			return;         /* the count stays exact; only the text is lost */
		im->reports = p;
		im->capreports = nc;
	}
	char *copy = strdup(msg);
	if (copy) {
		im->reports[im->nreports] = (struct report){ row, sticky, im->nreports, copy };
		im->nreports++;
	}
}

static void
s_report(struct import *im, size_t row, const char *msg)
{
	s_report_add(im, row, msg, 0);
}

static int
s_report_cmp(const void *a, const void *b)
{
	const struct report *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Forget the reports of a pass, keeping the sticky ones when KEEP_STICKY. */
static void
s_reports_clear(struct import *im, int keep_sticky)
{
	size_t w = 0;

	for (size_t i = 0; i < im->nreports; i++) {
		if (keep_sticky && im->reports[i].sticky)
			im->reports[w++] = im->reports[i];
		else
			free(im->reports[i].msg);
	}
	im->nreports = w;
}

/* Print the reports in row order, at most MAX_REPORTED. */
static void
s_reports_print(struct import *im)
{
	if (im->nreports)
		qsort(im->reports, im->nreports, sizeof *im->reports, s_report_cmp);
	for (size_t i = 0; i < im->nreports && i < MAX_REPORTED; i++) {
		const struct csv_row *r = &im->rows.rows[im->reports[i].row];
		if (im->is_json)
			fprintf(stderr, "lika %s: record %zu: %s\n", im->cmd, r->line, im->reports[i].msg);
		else
			fprintf(stderr, "lika %s: row %zu (line %zu): %s\n", im->cmd, im->reports[i].row + 1,
			    r->line, im->reports[i].msg);
	}
	if (im->nreports > MAX_REPORTED)
		fprintf(stderr, "lika %s: … and %zu more\n", im->cmd, im->nreports - MAX_REPORTED);
}

/* Is every cell of ROW blank?  Spreadsheets leave ",,,," rows behind. */
static int
s_blank_row(const struct csv_row *r)
{
	for (size_t k = 0; k < r->n; k++)
		if (r->fields[k][0] && strspn(r->fields[k], " \t") != strlen(r->fields[k]))
			return 0;
	return 1;
}

static int
s_flush(struct import *im, char *err, size_t errlen)
{
	struct ledger_written w;

	if (im->ops.n == 0)
		return 0;
	if (ledger_append(im->ledger, &im->ops, &w, err, errlen) < 0)
		return -1;
	if (!im->changesets++)
		im->first_seq = w.seq;
	im->last_seq = w.seq;
	ops_release(&im->ops);
	ops_init(&im->ops);
	im->batch_rows = 0;
	return 0;
}

/*
 * A household sheet's column K named S that is an income field (the national
 * collection form keeps 年度 and the amounts on the household's row): 1 taken,
 * 0 not an income field, -1 named twice (printed).
 */
static int
s_income_column(struct import *im, size_t k, const char *s, int *seen_i)
{
	int f = household_field_find(household_income_fields, IF_COUNT, s);

	if (f < 0 || f == IF_HOUSEHOLD)
		return 0;
	if (seen_i[f]++) {
		tool_fail(EXIT_USAGE, im->cmd, "column \"%s\" appears twice (%s)", s,
		    household_income_fields[f].label);
		return -1;
	}
	im->colincome[k] = f;
	return 1;
}

/* With a 年度 column and an amount, the rows carry incomes; an amount without 年度 is refused. */
static int
s_income_columns_check(struct import *im, const int *seen_i)
{
	int amounts = 0;

	for (int f = IF_WAGES; f <= IF_COSTS; f++)
		amounts += seen_i[f] > 0;
	if (!amounts && !seen_i[IF_YEAR])
		return 0;
	if (!seen_i[IF_YEAR]) {
		tool_fail(EXIT_USAGE, im->cmd, "income columns without %s (%s): the year they are of is needed",
		    household_income_fields[IF_YEAR].label, household_income_fields[IF_YEAR].name);
		return -1;
	}
	im->with_incomes = amounts > 0;
	if (im->with_incomes)
		fprintf(stderr, "lika %s: income columns on the household rows: each row's income of its %s "
		    "is written too\n", im->cmd, household_income_fields[IF_YEAR].label);
	return 0;
}

/* Map the header row to fields; unknown columns are named and ignored. */
static int
s_map_header(struct import *im)
{
	/*
	 * Offices' sheets often carry a title row or two ("XX村扶贫对象花名册")
	 * above the header: the header is the first of the first rows that names at
	 * least two fields.
	 */
	for (size_t row = 0; row < im->rows.nrows && row < 10; row++) {
		const struct csv_row *r = &im->rows.rows[row];
		int known = 0;
		for (size_t k = 0; k < r->n; k++)
			known += household_field_find(im->fs, im->nf, r->fields[k]) >= 0;
		if (known >= 2) {
			im->header = row;
			break;
		}
	}
	if (im->header)
		fprintf(stderr, "lika %s: the header is row %zu; the rows above it are not read\n", im->cmd,
		    im->header + 1);
	/* cells past the header's columns belong to no field */
	for (size_t k = 0; k < sizeof im->colfield / sizeof im->colfield[0]; k++)
		im->colfield[k] = im->colincome[k] = -1;
	const struct csv_row *h = &im->rows.rows[im->header];
	int seen[RECORD_MAX_FIELDS] = { 0 }, seen_i[IF_COUNT] = { 0 };

	if (h->n > sizeof im->colfield / sizeof im->colfield[0])
		return tool_fail(EXIT_USAGE, im->cmd, "%zu columns: at most %zu", h->n,
		    sizeof im->colfield / sizeof im->colfield[0]);
	for (size_t k = 0; k < h->n; k++) {
		char name[128];
		snprintf(name, sizeof name, "%s", h->fields[k]);
		/* trim spaces a spreadsheet may keep around a header */
		char *s = name, *e;
		while (*s == ' ')
			s++;
		for (e = s + strlen(s); e > s && e[-1] == ' '; e--)
			;
		*e = '\0';
		int f = household_field_find(im->fs, im->nf, s);
		im->colfield[k] = f;
		if (f < 0 && im->kind == RECORD_HOUSEHOLD) {
			int taken = s_income_column(im, k, s, seen_i);
			if (taken < 0)
				return EXIT_USAGE;
			if (taken)
				continue;
		}
		if (f < 0) {
			/* computed figures that export adds are read as notes, not input */
			if (im->kind == RECORD_INCOME && (!strcmp(s, "net_per_capita") ||
			    !strcmp(s, "人均纯收入(元)") || !strcmp(s, "人均纯收入")))
				continue;
			if (*s)
				fprintf(stderr, "lika %s: column %zu \"%s\" is not a field: ignored\n", im->cmd, k + 1, s);
			continue;
		}
		if (seen[f]++)
			return tool_fail(EXIT_USAGE, im->cmd, "column \"%s\" appears twice (%s)", s, im->fs[f].label);
	}
	if (im->kind == RECORD_HOUSEHOLD && s_income_columns_check(im, seen_i) < 0)
		return EXIT_USAGE;
	/* the columns a row cannot do without */
	static const int need_h[] = { HF_VILLAGE, HF_HEAD_NAME, HF_HEAD_IDCARD, -1 };
	static const int need_m[] = { MF_NAME, MF_IDCARD, MF_RELATION, -1 };
	static const int need_i[] = { IF_HOUSEHOLD, IF_YEAR, -1 };
	const int *need = im->kind == RECORD_HOUSEHOLD ? need_h : im->kind == RECORD_MEMBER ? need_m : need_i;
	for (; *need >= 0; need++)
		if (!seen[*need] && !(im->kind == RECORD_HOUSEHOLD && seen[HF_ID]))
			return tool_fail(EXIT_USAGE, im->cmd, "no column %s (%s)", im->fs[*need].label,
			    im->fs[*need].name);
	if (im->kind == RECORD_MEMBER && !seen[MF_HOUSEHOLD] && !seen[MF_HEAD_IDCARD])
		return tool_fail(EXIT_USAGE, im->cmd, "no column %s (%s) or %s (%s) to find the household",
		    im->fs[MF_HOUSEHOLD].label, im->fs[MF_HOUSEHOLD].name, im->fs[MF_HEAD_IDCARD].label,
		    im->fs[MF_HEAD_IDCARD].name);
	return EXIT_OK;
}

/* The household of the head with ID number IDC (relation 户主); 1 found, 0 none. */
static int
s_household_of_head(const struct household_ctx *c, const char *idc, char *out, size_t len)
{
	sqlite3_stmt *st;
	int found = 0;

	if (!(st = household_stmt(c, "SELECT household FROM member WHERE idcard = ?1 AND relation = '"
	    RELATION_HEAD "'")))
		return -1;
	sqlite3_bind_text(st, 1, idc, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
		found = 1;
	}
	sqlite3_reset(st);
	return found;
}

/* The member key holding IDC, if any (any household). */
static int
s_member_of(const struct household_ctx *c, const char *idc, char *out, size_t len)
{
	sqlite3_stmt *st;
	int found = 0;

	if (!(st = household_stmt(c, "SELECT id FROM member WHERE idcard = ?1")))
		return -1;
	sqlite3_bind_text(st, 1, idc, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
		found = 1;
	}
	sqlite3_reset(st);
	return found;
}

/* The head (户主) of HOUSEHOLD: its ID number and name; 1 found, 0 none, -1 error. */
static int
s_head_of(const struct household_ctx *c, const char *household, char *idc, size_t idclen,
    char *name, size_t namelen)
{
	sqlite3_stmt *st;
	int found = 0;

	if (!(st = household_stmt(c, "SELECT idcard, name FROM member WHERE household = ?1 AND "
	    "relation = '" RELATION_HEAD "' ORDER BY id LIMIT 1")))
		return -1;
	sqlite3_bind_text(st, 1, household, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(idc, idclen, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(name, namelen, "%s", (const char *)sqlite3_column_text(st, 1));
		found = 1;
	}
	sqlite3_reset(st);
	return found;
}

/* What a row's steps say: s_row_values, s_row_household … */
enum {
	ROW_FAILED = -1,        /* a failure: the import stops (reason in ERR) */
	ROW_OK = 0,
	ROW_BAD = 1,            /* refused and reported */
	ROW_REFUSED = 2,        /* refused by the rules with MSG: drop its ops, then report */
};

/* Report row ROW bad with a formatted message; returns ROW_BAD. */
static int __attribute__((format(printf, 3, 4)))
s_reportf(struct import *im, size_t row, const char *fmt, ...)
{
	char msg[ERRBUF_SIZE + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s_report(im, row, msg);
	return ROW_BAD;
}

/* The cells of row ROW by field into VALS, parsed into V; ROW_OK or ROW_BAD (reported). */
static int
s_row_values(struct import *im, size_t row, const char **vals, struct field_value *v)
{
	const struct csv_row *r = &im->rows.rows[row];
	char msg[ERRBUF_SIZE + 64];
	int nbad = 0;

	size_t ncols = im->rows.rows[im->header].n;
	/* more cells than headers, not blank: likely a comma in an unquoted value shifted the row */
	for (size_t k = ncols; k < r->n; k++)
		if (r->fields[k][strspn(r->fields[k], " \t")])
			return s_reportf(im, row, "%zu cells where the header has %zu (\"%s\" is in no column; "
			    "a comma in a value that is not quoted?)", r->n, ncols, r->fields[k]);
	for (size_t k = 0; k < r->n && k < ncols; k++)
		if (im->colfield[k] >= 0)
			vals[im->colfield[k]] = im->is_json ? r->fields[k] : csv_excel_unguard(r->fields[k]);
	/* a column missing from a short row is blank */
	for (size_t k = r->n; k < ncols; k++)
		if (im->colfield[k] >= 0)
			vals[im->colfield[k]] = "";
	for (int k = 0; k < im->nf; k++)
		if (household_field_parse(im->c, &im->fs[k], vals[k], &v[k], msg, sizeof msg) < 0) {
			s_report(im, row, msg);
			nbad++;
		}
	/* cells a member or income row cannot leave blank (a household's depend on create) */
	static const int need_m[] = { MF_NAME, MF_IDCARD, MF_RELATION, -1 };
	static const int need_i[] = { IF_HOUSEHOLD, IF_YEAR, -1 };
	for (const int *k = im->kind == RECORD_MEMBER ? need_m : im->kind == RECORD_INCOME ? need_i : NULL;
	    k && *k >= 0; k++)
		if (!v[*k].given || v[*k].null)
			nbad += s_reportf(im, row, "%s (%s) is required", im->fs[*k].label, im->fs[*k].name);
	return nbad ? ROW_BAD : ROW_OK;
}

/*
 * Does the file name household sequence SEQ of this township?  SEQ only grows
 * within a pass, so a cursor walks the sorted list once: linear in the rows.
 */
static int
s_named(struct import *im, long long seq)
{
	while (im->named_at < im->nnamed && im->named[im->named_at] < seq)
		im->named_at++;
	return im->named_at < im->nnamed && im->named[im->named_at] == seq;
}

/* Move IM's next new household id past the one just used and past ids the file names. */
static int
s_next_household_id(struct import *im, char *err, size_t errlen)
{
	char key[64];
	size_t tl = strlen(im->c->township);
	long long seq = atoll(im->next_id + tl) + 1;

	for (;; seq++) {
		if (s_named(im, seq))
			continue;
		snprintf(im->next_id, sizeof im->next_id, "%s%06lld", im->c->township, seq);
		snprintf(key, sizeof key, "H%s", im->next_id);
		if (!s_map_get(&im->keys, key) && household_row_exists(im->c, "household", im->next_id) == 0)
			break;
	}
	if (seq > 999999)
		return errf(err, errlen, "township %s has used every household sequence", im->c->township);
	return ROW_OK;
}

/* Check a household row whose id is ID against the file so far; ROW_OK or ROW_BAD. */
static int
s_household_unseen(struct import *im, size_t row, const struct field_value *v, const char *id,
    int create)
{
	const struct field *fs = im->fs;
	char key[64];
	int *prev;

	snprintf(key, sizeof key, "H%s", id);
	if ((prev = s_map_get(&im->keys, key)))
		return s_reportf(im, row, "%s (%s) \"%s\": also in row %d", fs[HF_ID].label,
		    fs[HF_ID].name, id, *prev + 1);
	if (create) {
		if (!v[HF_HEAD_IDCARD].given || v[HF_HEAD_IDCARD].null)
			return ROW_OK;
		snprintf(key, sizeof key, "I%s", v[HF_HEAD_IDCARD].s);
		if ((prev = s_map_get(&im->keys, key)))
			return s_reportf(im, row, "%s (%s) \"%s\": also in row %d; a person is in one "
			    "household only", fs[HF_HEAD_IDCARD].label, fs[HF_HEAD_IDCARD].name,
			    v[HF_HEAD_IDCARD].s, *prev + 1);
		return ROW_OK;
	}
	/*
	 * An update by 户编号 names the same head, so that a row of another
	 * household (a shifted sheet, a wrong number) cannot overwrite this one.
	 */
	char hid[32], hname[128];
	int found = s_head_of(im->c, id, hid, sizeof hid, hname, sizeof hname);
	if (found < 0)
		return s_reportf(im, row, "%s", sqlite3_errmsg(im->c->db));
	if (!v[HF_HEAD_IDCARD].given || v[HF_HEAD_IDCARD].null)
		return s_reportf(im, row, "%s (%s) \"%s\" is a recorded household: the row must name its "
		    "head's %s (%s) too, so that no other household's row overwrites it",
		    fs[HF_ID].label, fs[HF_ID].name, id, fs[HF_HEAD_IDCARD].label, fs[HF_HEAD_IDCARD].name);
	if (!found || strcmp(hid, v[HF_HEAD_IDCARD].s) != 0)
		return s_reportf(im, row, "%s (%s) \"%s\": not the recorded head of %s (change "
		    "members with \"lika member\" or \"lika import members\")",
		    fs[HF_HEAD_IDCARD].label, fs[HF_HEAD_IDCARD].name, v[HF_HEAD_IDCARD].s, id);
	if (v[HF_HEAD_NAME].given && !v[HF_HEAD_NAME].null && strcmp(hname, v[HF_HEAD_NAME].s) != 0)
		return s_reportf(im, row, "%s (%s) \"%s\": the recorded head of %s is %s",
		    fs[HF_HEAD_NAME].label, fs[HF_HEAD_NAME].name, v[HF_HEAD_NAME].s, id, hname);
	return ROW_OK;
}

/* A household row: a new household (the next id) or one named by 户编号. */
static int
s_row_household(struct import *im, size_t row, const struct field_value *v, int *create,
    char *hid, char *msg, size_t msglen, char *err, size_t errlen)
{
	const char *id = im->next_id;
	char key[64];
	int rc;

	if (v[HF_ID].given && !v[HF_ID].null) {
		id = v[HF_ID].s;
		int ex = household_row_exists(im->c, "household", id);
		if (ex < 0)
			return errf(err, errlen, "%s", sqlite3_errmsg(im->c->db));
		*create = !ex;
	}
	if ((rc = s_household_unseen(im, row, v, id, *create)) != ROW_OK)
		return rc;
	if (household_put(im->c, &im->ops, id, v, *create, msg, msglen) < 0)
		return ROW_REFUSED;
	snprintf(hid, 24, "%s", id);
	if (!*create && im->nupdated_ids < sizeof im->updated_ids / sizeof im->updated_ids[0])
		snprintf(im->updated_ids[im->nupdated_ids++], sizeof im->updated_ids[0], "%s", id);
	snprintf(key, sizeof key, "H%s", id);
	if (s_map_put(&im->keys, key, (int)row) < 0)
		return errf(err, errlen, "out of memory");
	if (*create) {
		snprintf(key, sizeof key, "I%s", v[HF_HEAD_IDCARD].s);
		if (s_map_put(&im->keys, key, (int)row) < 0)
			return errf(err, errlen, "out of memory");
	}
	return id == im->next_id ? s_next_household_id(im, err, errlen) : ROW_OK;
}

/* The household of a member row into HID (by 户编号 or the head's ID number). */
static int
s_member_household(struct import *im, size_t row, const struct field_value *v, char *hid,
    size_t hlen, char *err, size_t errlen)
{
	const struct field *fs = im->fs;

	if (v[MF_HOUSEHOLD].given && !v[MF_HOUSEHOLD].null) {
		snprintf(hid, hlen, "%s", v[MF_HOUSEHOLD].s);
		int ex = household_row_exists(im->c, "household", hid);
		if (ex < 0)
			return errf(err, errlen, "%s", sqlite3_errmsg(im->c->db));
		if (!ex)
			return s_reportf(im, row, "%s (%s) \"%s\": no such household (import households first)",
			    fs[MF_HOUSEHOLD].label, fs[MF_HOUSEHOLD].name, hid);
	} else if (v[MF_HEAD_IDCARD].given && !v[MF_HEAD_IDCARD].null) {
		if (s_household_of_head(im->c, v[MF_HEAD_IDCARD].s, hid, hlen) <= 0)
			return s_reportf(im, row, "%s (%s) \"%s\": no household has this head",
			    fs[MF_HEAD_IDCARD].label, fs[MF_HEAD_IDCARD].name, v[MF_HEAD_IDCARD].s);
	} else {
		return s_reportf(im, row, "%s (%s) or %s (%s) is required", fs[MF_HOUSEHOLD].label,
		    fs[MF_HOUSEHOLD].name, fs[MF_HEAD_IDCARD].label, fs[MF_HEAD_IDCARD].name);
	}
	return ROW_OK;
}

/*
 * The member's key into MID: the number given, the member of household HID
 * with this ID number, or the next free number; *CREATE says which.
 */
static int
s_member_key(struct import *im, size_t row, const struct field_value *v, const char *hid,
    char *mid, size_t mlen, int *create, char *msg, size_t msglen, char *err, size_t errlen)
{
	char key[64], other[64];
	int found = s_member_of(im->c, v[MF_IDCARD].s, other, sizeof other);

	if (found < 0)
		return errf(err, errlen, "%s", sqlite3_errmsg(im->c->db));
	snprintf(key, sizeof key, "%s/", hid);
	if (v[MF_NO].given && !v[MF_NO].null) {
		snprintf(mid, mlen, "%s/%s", hid, v[MF_NO].s);
		int ex = household_row_exists(im->c, "member", mid);
		snprintf(key, sizeof key, "M%s", mid);
		if (s_map_get(&im->keys, key))
			return s_reportf(im, row, "%s (%s) \"%s\": member %s is also in row %d",
			    im->fs[MF_NO].label, im->fs[MF_NO].name, v[MF_NO].s, mid,
			    *s_map_get(&im->keys, key) + 1);
		*create = ex == 0;
	} else if (found && strncmp(other, key, strlen(key)) == 0) {
		snprintf(mid, mlen, "%s", other);
		*create = 0;
	} else {
		int *last = s_map_get(&im->next_no, hid);
		int no = last ? *last + 1 : household_next_member_no(im->c, hid, msg, msglen);
		if (no < 0 || no > 99) {
			if (no > 99)
				snprintf(msg, msglen, "household %s has no free member number", hid);
			return ROW_REFUSED;
		}
		snprintf(mid, mlen, "%s/%02d", hid, no);
	}
	return ROW_OK;
}

/* Remember member number MID of household HID as used, so it is never handed out again. */
static int
s_member_no_used(struct import *im, const char *hid, const char *mid, char *err, size_t errlen)
{
	int no = atoi(mid + strlen(hid) + 1);
	int *last = s_map_get(&im->next_no, hid);

	if (!last || *last < no) {
		/* never hand out a number at or below one already used */
		int dbno = household_next_member_no(im->c, hid, NULL, 0) - 1;
		if (s_map_put(&im->next_no, hid, no > dbno ? no : dbno) < 0)
			return errf(err, errlen, "out of memory");
	}
	return ROW_OK;
}

/* A member row: added to or updated in its household. */
static int
s_row_member(struct import *im, size_t row, const struct field_value *v, int *create,
    char *msg, size_t msglen, char *err, size_t errlen)
{
	const char *idc = v[MF_IDCARD].s;
	char hid[32], mid[64], key[64];
	int *prev, rc;

	if ((rc = s_member_household(im, row, v, hid, sizeof hid, err, errlen)) != ROW_OK)
		return rc;
	snprintf(key, sizeof key, "I%s", idc);
	if ((prev = s_map_get(&im->keys, key)))
		return s_reportf(im, row, "%s (%s) \"%s\": also in row %d; a person is in one household only",
		    im->fs[MF_IDCARD].label, im->fs[MF_IDCARD].name, idc, *prev + 1);
	rc = s_member_key(im, row, v, hid, mid, sizeof mid, create, msg, msglen, err, errlen);
	if (rc != ROW_OK)
		return rc;
	if (*create && s_member_no_used(im, hid, mid, err, errlen) < 0)
		return ROW_FAILED;
	if (household_member_put(im->c, &im->ops, hid, mid, v, *create, msg, msglen) < 0)
		return ROW_REFUSED;
	snprintf(im->row_hid[row], sizeof im->row_hid[row], "%s", hid);
	snprintf(key, sizeof key, "I%s", idc);
	if (s_map_put(&im->keys, key, (int)row) < 0)
		return errf(err, errlen, "out of memory");
	snprintf(key, sizeof key, "M%s", mid);
	if (s_map_put(&im->keys, key, (int)row) < 0 || s_map_put(&im->touched, hid, (int)row) < 0)
		return errf(err, errlen, "out of memory");
	return ROW_OK;
}

/* An income row: a household's income of a year, set. */
static int
s_row_income(struct import *im, size_t row, const char **vals, const struct field_value *v,
    int *create, char *msg, size_t msglen, char *err, size_t errlen)
{
	char hid[32], key[64], iid[48];

	snprintf(hid, sizeof hid, "%s", v[IF_HOUSEHOLD].s);
	int ex = household_row_exists(im->c, "household", hid);
	if (ex < 0)
		return errf(err, errlen, "%s", sqlite3_errmsg(im->c->db));
	if (ex == 0)
		return s_reportf(im, row, "%s (%s) \"%s\": no such household", im->fs[IF_HOUSEHOLD].label,
		    im->fs[IF_HOUSEHOLD].name, hid);
	snprintf(key, sizeof key, "Y%s/%04d", hid, (int)v[IF_YEAR].i);
	int *prev = s_map_get(&im->keys, key);
	if (prev)
		return s_reportf(im, row, "%s (%s) \"%s\": household %s's year is also in row %d",
		    im->fs[IF_YEAR].label, im->fs[IF_YEAR].name, vals[IF_YEAR], hid, *prev + 1);
	snprintf(iid, sizeof iid, "%s/%04d", hid, (int)v[IF_YEAR].i);
	*create = household_row_exists(im->c, "income", iid) == 0;
	if (household_income_put(im->c, &im->ops, hid, v, msg, msglen) < 0)
		return ROW_REFUSED;
	if (s_map_put(&im->keys, key, (int)row) < 0)
		return errf(err, errlen, "out of memory");
	return ROW_OK;
}

/*
 * The income on household row ROW (one-sheet layout) of household HID, just
 * put (CREATE: new in this row, so 家庭人口 must be given: its members are not
 * written yet).  A row whose 年度 is blank has none.  ROW_OK, ROW_BAD or ROW_REFUSED.
 */
static int
s_row_household_income(struct import *im, size_t row, const char *hid, int create, char *msg,
    size_t msglen)
{
	const struct field *fs = household_income_fields;
	const struct csv_row *r = &im->rows.rows[row];
	const char *vals[IF_COUNT] = { NULL };
	struct field_value v[IF_COUNT];
	int nbad = 0;

	for (size_t k = 0; k < r->n && k < im->rows.rows[im->header].n; k++)
		if (im->colincome[k] >= 0)
			vals[im->colincome[k]] = im->is_json ? r->fields[k] : csv_excel_unguard(r->fields[k]);
	vals[IF_HOUSEHOLD] = hid;
	for (int k = 0; k < IF_COUNT; k++)
		if (household_field_parse(im->c, &fs[k], vals[k], &v[k], msg, msglen) < 0) {
			s_report(im, row, msg);
			nbad++;
		}
	if (nbad)
		return ROW_BAD;
	if (!v[IF_YEAR].given || v[IF_YEAR].null)
		return ROW_OK;
	if (create && (!v[IF_SIZE].given || v[IF_SIZE].null))
		return s_reportf(im, row, "%s (%s) is required with the incomes of a new household", fs[IF_SIZE].label,
		    fs[IF_SIZE].name);
	if (household_income_put(im->c, &im->ops, hid, v, msg, msglen) < 0)
		return ROW_REFUSED;
	im->incomes++;
	return ROW_OK;
}

/* Check row ROW and add its ops; 0 ok, 1 bad (reported), -1 failure. */
static int
s_row(struct import *im, size_t row, char *err, size_t errlen)
{
	const char *vals[RECORD_MAX_FIELDS] = { NULL };
	struct field_value v[RECORD_MAX_FIELDS];
	char msg[ERRBUF_SIZE + 64], hid[24];
	int create = 1, rc;

	if (s_row_values(im, row, vals, v) != ROW_OK)
		return 1;
	size_t mark_size = im->ops.sb.size;
	uint32_t mark_n = im->ops.n;
	switch (im->kind) {
	case RECORD_HOUSEHOLD:
		rc = s_row_household(im, row, v, &create, hid, msg, sizeof msg, err, errlen);
		if (rc == ROW_OK && im->with_incomes)
			rc = s_row_household_income(im, row, hid, create, msg, sizeof msg);
		break;
	case RECORD_MEMBER:
		rc = s_row_member(im, row, v, &create, msg, sizeof msg, err, errlen);
		break;
	default:
		rc = s_row_income(im, row, vals, v, &create, msg, sizeof msg, err, errlen);
		break;
	}
	if (rc == ROW_FAILED)
		return rc;
	if (rc == ROW_BAD) {
		/* a household row's income may be bad after its household's ops were added */
		im->ops.sb.size = mark_size;
		im->ops.n = mark_n;
		return rc;
	}
	if (rc == ROW_REFUSED) {
		/* drop what the refused row added: ops are appended at the end of the buffer */
		im->ops.sb.size = mark_size;
		im->ops.n = mark_n;
		s_report(im, row, msg);
		return 1;
	}
	im->written++;
	if (create)
		im->created++;
	else
		im->updated++;
	im->batch_rows++;
	return 0;
}

static int
s_cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/*
 * The household sequences of this township the file's 户编号 cells name (as a
 * spreadsheet may guard or pad them) into IM->named, sorted and unique;
 * -1 out of memory.  Sorting once replaces a rescan of the file per named id,
 * which made a sheet naming its own consecutive ids quadratic.
 */
static int
s_collect_named(struct import *im)
{
	size_t ncols = im->rows.rows[im->header].n, tl = strlen(im->c->township), n = 0;

	free(im->named);
	im->named = NULL;
	im->nnamed = im->named_at = 0;
	if (im->rows.nrows <= im->header + 1)
		return 0;
	if (!(im->named = malloc((im->rows.nrows - im->header - 1) * sizeof *im->named)))
		return -1;
	for (size_t row = im->header + 1; row < im->rows.nrows; row++)
		for (size_t k = 0; k < im->rows.rows[row].n && k < ncols; k++) {
			if (im->colfield[k] != HF_ID)
				continue;
			const char *cell = csv_excel_unguard(im->rows.rows[row].fields[k]);
			cell += strspn(cell, " \t");
			if (strncmp(cell, im->c->township, tl) != 0 || strspn(cell + tl, "0123456789") != 6 ||
			    strspn(cell + tl + 6, " \t") != strlen(cell + tl + 6))
				continue;
			im->named[n++] = strtol(cell + tl, NULL, 10);
			break;
		}
	qsort(im->named, n, sizeof *im->named, s_cmp_long);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || im->named[u - 1] != im->named[i])
			im->named[u++] = im->named[i];
	im->nnamed = u;
	return 0;
}

/* One pass over the rows; 0 done (bad rows counted), -1 failure (rolled back). */
static int
s_pass(struct import *im, char *err, size_t errlen)
{
	size_t batch = im->kind == RECORD_HOUSEHOLD ? BATCH_HOUSEHOLDS : BATCH_ROWS;

	if (ledger_begin(im->ledger, err, errlen) < 0)
		return -1;
	ops_init(&im->ops);
	if (im->kind == RECORD_HOUSEHOLD &&
	    household_next_id(im->c, im->next_id, sizeof im->next_id, err, errlen) < 0)
		goto fail;
	if (im->kind == RECORD_HOUSEHOLD) {
		/* ids the file names itself are not handed out to rows without one
		 * (anywhere in the file, before or after the row: s_named) */
		if (s_collect_named(im) < 0) {
			errf(err, errlen, "out of memory");
			goto fail;
		}
		size_t tl = strlen(im->c->township);
		long long seq = atoll(im->next_id + tl);
		while (s_named(im, seq))
			seq++;
		snprintf(im->next_id + tl, sizeof im->next_id - tl, "%06lld", seq);
	}
	for (size_t row = im->header + 1; row < im->rows.nrows; row++) {
		if (s_blank_row(&im->rows.rows[row]))
			continue;
		if (im->row_bad[row]) {
			im->bad++;
			continue;
		}
		if (s_row(im, row, err, errlen) < 0)
			goto fail;
		if (im->batch_rows >= batch || im->ops.sb.size >= BATCH_BYTES)
			if (s_flush(im, err, errlen) < 0)
				goto fail_rolled;
	}
	if (s_flush(im, err, errlen) < 0)
		goto fail_rolled;
	ops_release(&im->ops);
	return 0;
fail:
	ledger_rollback(im->ledger);
fail_rolled:
	ops_release(&im->ops);
	return -1;
}

/* After the members pass: every touched household has exactly one head; else mark its rows. */
static int
s_check_heads(struct import *im)
{
	int broken = 0;

	for (size_t i = 0; i < im->touched.cap; i++) {
		if (!im->touched.keys[i])
			continue;
		const char *hid = im->touched.keys[i];
		int heads = household_head_count(im->c, hid);
		if (heads == 1)
			continue;
		char msg[256];
		snprintf(msg, sizeof msg, "household %s would have %d heads (户主): a household has exactly one",
		    hid, heads);
		broken++;
		/* every row of that household is refused in a --skip-bad rerun */
		size_t first = 0;
		for (size_t row = im->header + 1; row < im->rows.nrows; row++)
			if (strcmp(im->row_hid[row], hid) == 0) {
				im->row_bad[row] = 1;
				if (!first)
					first = row;
			}
		s_report_add(im, first ? first : (size_t)im->touched.vals[i], msg, 1);
	}
	return broken;
}

static void
s_pass_reset(struct import *im)
{
	s_map_free(&im->keys);
	s_map_free(&im->next_no);
	s_map_free(&im->touched);
	im->changesets = im->written = im->created = im->updated = im->bad = im->incomes = 0;
	im->nupdated_ids = 0;
	im->first_seq = im->last_seq = 0;
	im->last_bad = 0;
}

static const char s_import_usage[] =
    "usage: lika import households|members|incomes FILE [--encoding utf-8|gb18030] [--skip-bad]\n\n"
    "Read a spreadsheet saved as CSV (or the JSON \"lika export\" writes) and write\n"
    "its rows.  Headers are the Chinese column names offices use or the English\n"
    "field names (proto/IMPORT.md lists them; \"lika household add --help\" too).\n"
    "The encoding is detected (valid UTF-8 is UTF-8, else GB18030) unless given.\n\n"
    "Every row is checked; each bad one is reported with its row, column, value\n"
    "and reason, and then nothing is written (exit 2).  With --skip-bad the good\n"
    "rows are written and the bad ones listed.  Rows go in change sets of 500\n"
    "households or 2000 members or incomes, all committed together.\n\n"
    "households: a row without 户编号 opens a new household (its head from 户主姓名\n"
    "  and 户主身份证号); a row with one creates or updates that household.\n"
    "members: found by 户编号 or 户主身份证号; a member with the same ID number in\n"
    "  that household is updated, else added with the next number (or 成员编号).\n"
    "incomes: 户编号, 年度, the amounts and optionally 家庭人口 (else the members\n"
    "  recorded now); 人均纯收入 is computed.\n";

/* The kind of records WHAT names (households, members, incomes); -1 if none. */
static int
s_record_kind(const char *what)
{
	if (!strcmp(what, "households"))
		return RECORD_HOUSEHOLD;
	if (!strcmp(what, "members"))
		return RECORD_MEMBER;
	if (!strcmp(what, "incomes"))
		return RECORD_INCOME;
	return -1;
}

/* Options into IM and ENCODING, arguments into WHAT and PATH: 0 to go on, else an exit status + 1. */
static int
s_import_opts(int argc, char **argv, struct import *im, const char **encoding, const char **what,
    const char **path)
{
	static const struct option opts[] = {
		{ "encoding", required_argument, NULL, 'e' },
		{ "skip-bad", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, kind;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'e': *encoding = optarg; break;
		case 's': im->skip_bad = 1; break;
		case 'h': printf("%s", s_import_usage); return EXIT_OK + 1;
		default: fprintf(stderr, "%s", s_import_usage); return EXIT_USAGE + 1;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "%s", s_import_usage);
		return EXIT_USAGE + 1;
	}
	*what = argv[optind];
	*path = argv[optind + 1];
	if ((kind = s_record_kind(*what)) < 0)
		return tool_fail(EXIT_USAGE, "import", "\"%s\" is not households, members or incomes",
		    *what) + 1;
	im->kind = (enum record_kind)kind;
	return 0;
}

/*
 * Read PATH in ENCODING (NULL: detect; the one used into USED) into IM's rows
 * and map its header; EXIT_OK, or prints why with everything released.
 */
static int
s_import_load(struct import *im, const char *path, const char *encoding, const char **used)
{
	char err[ERRBUF_SIZE], *raw = NULL, *text = NULL;
	size_t rawlen, textlen;
	int rc;

	if (file_read(path, &raw, &rawlen, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, im->cmd, "%s", err);
	rc = csv_to_utf8(raw, rawlen, encoding, &text, &textlen, used, err, sizeof err);
	free(raw);
	if (rc < 0)
		return tool_fail(EXIT_USAGE, im->cmd, "%s: %s", path, err);
	const char *start = text + strspn(text, " \t\r\n");
	im->is_json = *start == '[';
	if ((im->is_json ? csv_parse_json(&im->rows, &text, err, sizeof err) :
	    csv_parse(&im->rows, &text, textlen, err, sizeof err)) < 0) {
		free(text);
		return tool_fail(EXIT_USAGE, im->cmd, "%s: %s", path, err);
	}
	if (im->rows.nrows < 1) {
		csv_release(&im->rows);
		return tool_fail(EXIT_USAGE, im->cmd, "%s: no header row", path);
	}
	if ((rc = s_map_header(im)) != EXIT_OK) {
		csv_release(&im->rows);
		return rc;
	}
	im->row_bad = calloc(im->rows.nrows, 1);
	im->row_hid = calloc(im->rows.nrows, sizeof *im->row_hid);
	if (!im->row_bad || !im->row_hid) {
		free(im->row_bad);
		free(im->row_hid);
		csv_release(&im->rows);
		return tool_fail(EXIT_FAIL, im->cmd, "out of memory");
	}
	return EXIT_OK;
}

/* Check IM's rows and write them in the transaction begun, until ledger_end. */
static int
s_import_passes(struct import *im, const char *path)
{
	char err[ERRBUF_SIZE];

	for (int pass = 0; ; pass++) {
		s_pass_reset(im);
		if (s_pass(im, err, sizeof err) < 0)
			return tool_fail(EXIT_FAIL, im->cmd, "%s (nothing written)", err);
		int broken = im->kind == RECORD_MEMBER ? s_check_heads(im) : 0;
		if (im->bad && (!im->skip_bad || broken)) {
			ledger_rollback(im->ledger);
			if (im->skip_bad && pass == 0) {
				/* again without the households whose heads do not add up */
				s_reports_clear(im, 1);
				continue;
			}
		}
		s_reports_print(im);
		if (im->bad && !im->skip_bad)
			return tool_fail(EXIT_USAGE, im->cmd, "%s: %zu bad row%s: nothing written", path,
			    im->bad, im->bad == 1 ? "" : "s");
		break;
	}
	if (sqlite3_get_autocommit(im->c->db))
		return tool_fail(EXIT_FAIL, im->cmd, "the import could not be completed: nothing written");
	if (ledger_end(im->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, im->cmd, "%s (nothing written)", err);
	return EXIT_OK;
}

/* Write IM's rows at the township node N; EXIT_OK or prints why (nothing written). */
static int
s_import_write(struct node *n, struct import *im, const char *path)
{
	char err[ERRBUF_SIZE];
	struct household_ctx c;

	if (household_ctx_init(&c, ledger_db(n->ledger), n->conf.code, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, im->cmd, "%s", err);
	im->c = &c;
	im->ledger = n->ledger;
	int rc = s_import_passes(im, path);
	household_ctx_release(&c);
	im->c = NULL;
	return rc;
}

static void
s_import_release(struct import *im)
{
	s_pass_reset(im);
	s_reports_clear(im, 0);
	free(im->reports);
	free(im->row_bad);
	free(im->row_hid);
	free(im->named);
	csv_release(&im->rows);
}

int
cmd_import(struct node *n, int argc, char **argv)
{
	const char *encoding = NULL, *used = NULL, *what, *path;
	char cmdname[32];
	struct import im;
	int rc;

	memset(&im, 0, sizeof im);
	if ((rc = s_import_opts(argc, argv, &im, &encoding, &what, &path)))
		return rc - 1;
	snprintf(cmdname, sizeof cmdname, "import %s", what);
	im.cmd = cmdname;
	im.fs = household_record_fields(im.kind, &im.nf);
	if ((rc = s_import_load(&im, path, encoding, &used)) != EXIT_OK)
		return rc;
	int64_t t0 = mono_ms();
	if ((rc = s_import_write(n, &im, path)) == EXIT_OK) {
		printf("import %s: %zu row%s written (%zu new, %zu updated), %zu bad row%s skipped; %"
		    PRIu64 " change set%s", what, im.written, im.written == 1 ? "" : "s", im.created,
		    im.updated, im.bad, im.bad == 1 ? "" : "s", im.changesets, im.changesets == 1 ? "" : "s");
		if (im.changesets)
			printf(" (seq %" PRIu64 "-%" PRIu64 ")", im.first_seq, im.last_seq);
		printf("; %s; %.2f s\n", used, (double)(mono_ms() - t0) / 1000.0);
		if (im.with_incomes)
			printf("incomes: %zu household-year%s written from the same rows\n", im.incomes,
			    im.incomes == 1 ? "" : "s");
		if (im.kind == RECORD_HOUSEHOLD && im.nupdated_ids) {
			printf("updated:");
			for (size_t i = 0; i < im.nupdated_ids; i++)
				printf(" %s", im.updated_ids[i]);
			printf("%s\n", im.updated > im.nupdated_ids ? " …" : "");
		}
	}
	s_import_release(&im);
	return rc;
}

/* ---- export ------------------------------------------------------------------------- */

static const char s_export_usage[] =
    "usage: lika export households|members|incomes [--format csv|json] [--village CODE]\n"
    "                   [--header zh|en] [--excel | --raw] [--encoding utf-8|gb18030]\n"
    "                   [-o FILE [--force]]\n\n"
    "Write the records held as CSV (UTF-8 with BOM, Chinese headers unless\n"
    "--header en, for spreadsheets) or JSON (an array of objects with the English\n"
    "field names).  \"lika import\" reads either back unchanged.  Incomes also carry\n"
    "the computed 人均纯收入, which import ignores (it computes it again).\n"
    "A CSV cell starting with = + - @, a tab or a carriage return (and not a plain\n"
    "number) gets a leading ' so that a spreadsheet shows it instead of running it\n"
    "as a formula (CSV injection); so does one starting with ' and one of those.\n"
    "Import drops that one ' again.  --raw writes every cell as it is (for programs,\n"
    "not spreadsheets).  --excel also keeps ID numbers and other long digit strings\n"
    "whole in Excel and WPS (a leading tab, which import drops too).\n"
    "--encoding gb18030 writes CSV in GB18030 (no BOM) for spreadsheets that want it.\n"
    "-o FILE is replaced whole (mode 0600: a temporary beside it renamed over it);\n"
    "a symbolic link at FILE is refused unless --force, which replaces the link.\n";

struct export_opts {
	enum record_kind kind;
	const char *village;    /* NULL: every village */
	const char *out;        /* NULL: stdout */
	int json, gb18030, excel;
	int raw;                /* --raw: formula-like cells as they are */
	int force;              /* --force: replace a symbolic link at -o FILE */
	int zh;                 /* CSV headers: the Chinese labels, else the field names */
};

/* Check the option values of "lika export"; 0 or prints why and returns EXIT_USAGE. */
static int
s_export_check(struct export_opts *o, const char *what, const char *format, const char *encoding,
    const char *header)
{
	char err[ERRBUF_SIZE];
	int kind;

	if ((kind = s_record_kind(what)) < 0)
		return tool_fail(EXIT_USAGE, "export", "\"%s\" is not households, members or incomes", what);
	o->kind = (enum record_kind)kind;
	o->json = !strcmp(format, "json");
	if (!o->json && strcmp(format, "csv"))
		return tool_fail(EXIT_USAGE, "export", "format \"%s\" is neither csv nor json", format);
	o->gb18030 = !strcasecmp(encoding, "gb18030");
	if (!o->gb18030 && strcasecmp(encoding, "utf-8"))
		return tool_fail(EXIT_USAGE, "export", "encoding \"%s\" is neither utf-8 nor gb18030", encoding);
	if (o->gb18030 && o->json)
		return tool_fail(EXIT_USAGE, "export", "JSON is UTF-8: --encoding gb18030 is for CSV");
	if (strcmp(header, "zh") && strcmp(header, "en"))
		return tool_fail(EXIT_USAGE, "export", "header \"%s\" is neither zh nor en", header);
	if (o->raw && o->excel)
		return tool_fail(EXIT_USAGE, "export", "--raw and --excel exclude each other");
	o->zh = header[0] == 'z';
	if (o->village && code_check_village(o->village, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "export", "%s", err);
	return 0;
}

/* Options and argument of "lika export" into O: 0 to go on, else an exit status + 1. */
static int
s_export_opts(int argc, char **argv, struct export_opts *o)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "village", required_argument, NULL, 'V' },
		{ "header", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "out", required_argument, NULL, 'o' },
		{ "excel", no_argument, NULL, 'x' },
		{ "raw", no_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "csv", *header = "zh", *encoding = "utf-8";
	int ch;

	memset(o, 0, sizeof *o);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'x': o->excel = 1; break;
		case 'r': o->raw = 1; break;
		case 'F': o->force = 1; break;
		case 'e': encoding = optarg; break;
		case 'f': format = optarg; break;
		case 'V': o->village = optarg; break;
		case 'H': header = optarg; break;
		case 'o': o->out = optarg; break;
		case 'h': printf("%s", s_export_usage); return EXIT_OK + 1;
		default: fprintf(stderr, "%s", s_export_usage); return EXIT_USAGE + 1;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s", s_export_usage);
		return EXIT_USAGE + 1;
	}
	if (s_export_check(o, argv[optind], format, encoding, header))
		return EXIT_USAGE + 1;
	return 0;
}

/*
 * Columns of an export: the fields of FS (NF of them) but the members' head
 * ID number, which links rows in offices' sheets (export has the id); incomes
 * add the computed net income per head (field NF).
 */
static int
s_export_skips(const struct export_opts *o, int k)
{
	return o->kind == RECORD_MEMBER && k == MF_HEAD_IDCARD;
}

static void
s_export_head(FILE *f, const struct export_opts *o, const struct field *fs, int nf)
{
	int col = 0;

	if (o->json) {
		fputc('[', f);
		return;
	}
	fputs("\xef\xbb\xbf", f);
	for (int k = 0; k < nf; k++) {
		if (s_export_skips(o, k))
			continue;
		if (col++)
			fputc(',', f);
		csv_write_field(f, o->zh ? fs[k].label : fs[k].name);
	}
	if (o->kind == RECORD_INCOME)
		fputs(o->zh ? ",人均纯收入(元)" : ",net_per_capita", f);
	fputs("\r\n", f);
}

static void
s_export_row(FILE *f, const struct export_opts *o, const struct field *fs, int nf,
    const char *const *v, int first)
{
	int col = 0, extra = o->kind == RECORD_INCOME ? 1 : 0;

	if (!o->json) {
		for (int k = 0; k < nf + extra; k++) {
			if (s_export_skips(o, k))
				continue;
			if (col++)
				fputc(',', f);
			if (o->excel)
				csv_write_field_excel(f, v[k]);
			else if (o->raw)
				csv_write_field(f, v[k]);
			else
				csv_write_field_safe(f, v[k]);
		}
		fputs("\r\n", f);
		return;
	}
	fputs(first ? "\n{" : ",\n{", f);
	for (int k = 0; k < nf; k++) {
		if (s_export_skips(o, k))
			continue;
		if (col++)
			fputc(',', f);
		json_str(f, fs[k].name);
		fputc(':', f);
		json_str(f, v[k]);
	}
	if (extra) {
		fputs(",\"net_per_capita\":", f);
		json_str(f, v[IF_COUNT]);
	}
	fputc('}', f);
}

/* Every record of O's kind (and village) of context C to F. */
static int
s_export_records(FILE *f, const struct export_opts *o, const struct household_ctx *c)
{
	char err[ERRBUF_SIZE];
	struct record_iter it;
	int rc, nf, first = 1;
	const struct field *fs = household_record_fields(o->kind, &nf);

	if (household_iter_open(&it, c, o->kind, NULL, o->village, NULL, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "export", "%s", err);
	s_export_head(f, o, fs, nf);
	while ((rc = household_iter_next(&it)) == 1) {
		s_export_row(f, o, fs, nf, it.v, first);
		first = 0;
	}
	if (o->json)
		fputs("\n]\n", f);
	household_iter_close(&it);
	return rc < 0 ? tool_fail(EXIT_FAIL, "export", "reading records failed") : EXIT_OK;
}

int
cmd_export(struct node *n, int argc, char **argv)
{
	struct export_opts o;
	struct household_ctx c;
	struct tool_out to;
	char err[ERRBUF_SIZE];
	int rc;

	if ((rc = s_export_opts(argc, argv, &o)))
		return rc - 1;
	if (household_ctx_init(&c, ledger_db(n->ledger), n->conf.code, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "export", "%s", err);
	if (tool_out_open(&to, o.out, o.gb18030, o.force, "export") < 0) {
		household_ctx_release(&c);
		return EXIT_FAIL;
	}
	rc = s_export_records(to.f, &o, &c);
	rc = tool_out_close(&to, rc, "export");
	household_ctx_release(&c);
	return rc;
}
