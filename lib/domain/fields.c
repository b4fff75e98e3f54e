/*
 * fields.c — the form of every stored value, on every op the ledger applies.
 *
 * Invariants between calls:
 *  - s_rules[t][c] is the rule of column c of schema_tables[t], resolved once
 *    in fields_new from household.c's field declarations and s_stored below;
 *    every text column has at least the one-line text rule (FIELD_TEXT_MAX).
 *  - A code cache slot (one per database name) holds the codes of every
 *    code_* table as its database had them when loaded, and the ledger's
 *    epoch then (ledger.h).  An op on a code_* table drops the slot, so the
 *    next lookup reads the table with the new row; a rollback (a refused
 *    write, a quarantined change set) or a replay into fresh tables changes
 *    the epoch, so a code that is gone is not taken for current.
 *  - The hot path (a member row) allocates nothing and runs no SQL.
 */
#include "fields.h"
#include "household.h"
#include "idcard.h"
#include "dates.h"
#include "ledger.h"
#include "schema.h"
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rule kinds beyond household.h's field kinds, for stored columns only. */
enum {
	FX_NONE = 100,      /* not checked here (blobs) */
	FX_DATE,            /* YYYY-MM-DD, a real date */
	FX_INT,             /* an integer in [lo, hi] */
	FX_CODE_KEY,        /* the key of a code_* row: 1-7 ASCII letters or digits */
};

#define TEXT_NOTE_MAX   2000
#define CODE_KEY_MAX    7           /* household.c keeps codes in char[8] */
#define CODE_NAME_MAX   63          /* household.c keeps names in char[64] */
#define MONEY_MAX       INT64_C(100000000000000)   /* 10^12 yuan in fen (household_income_compute) */
#define HUNDREDTHS_MAX  INT64_C(9999999999999)     /* 13 digits (household_field_parse) */

/* A stored column without a command-line field, or one stored under another name. */
struct stored {
	const char *table, *column;
	const struct field *like;   /* take kind, code table and limit from this declaration */
	int kind;                   /* KIND_LIKE, or the kind */
	int64_t lo, hi;             /* FX_INT; text: hi = most bytes */
};
#define KIND_LIKE (-1)
#define LIKE(t, c, f)        { t, c, &(f), KIND_LIKE, 0, 0 }
#define LIKE_AS(t, c, f, k)  { t, c, &(f), k, 0, 0 }
#define TEXT(t, c, max)      { t, c, NULL, FK_TEXT, 0, max }
#define NOTE(t, c, max)      { t, c, NULL, FK_NOTE, 0, max }
#define KIND(t, c, k)        { t, c, NULL, k, 0, 0 }
#define INT(t, c, lo, hi)    { t, c, NULL, FX_INT, lo, hi }

static const struct stored s_stored[] = {
	/* the household file: columns the record code writes under other names */
	LIKE("member", "household", household_member_fields[MF_HOUSEHOLD]),
	LIKE("income", "household", household_income_fields[IF_HOUSEHOLD]),
	INT("income", "net_per_capita", -MONEY_MAX, MONEY_MAX),   /* negative when costs exceed income */
	LIKE("household_cause", "household", household_fields[HF_ID]),
	LIKE("household_cause", "cause", household_fields[HF_MAIN_CAUSE]),
	KIND("household_cause", "main", FK_BOOL),
	LIKE("household_flag", "household", household_fields[HF_ID]),
	LIKE_AS("household_flag", "flag", household_fields[HF_FLAGS], FK_CODE),  /* one flag a row */
	/* villages (tools/cmd_village.c) */
	TEXT("village", "name", 120),
	LIKE("village_group", "village", household_fields[HF_VILLAGE]),
	TEXT("village_group", "name", 120),
	/* county tables (tools/cmd_roster.c, cmd_official.c) */
	TEXT("roster_node", "name", 120),
	TEXT("roster_node", "role", 20),
	KIND("roster_node", "removed", FK_BOOL),
	TEXT("policy", "name", 64),
	KIND("policy", "year", FK_YEAR),
	TEXT("policy", "value", 200),
	NOTE("policy", "note", 500),
	TEXT("official", "role", 40),
	KIND("official", "name", FK_NAME),
	TEXT("official", "office", 12),
	KIND("official", "removed", FK_BOOL),
	TEXT("quota", "code", 12),
	KIND("quota", "year", FK_YEAR),
	INT("quota", "households", 0, 10000000),
	TEXT("duplicate_notice", "members", 4000),
	INT("duplicate_notice", "found_at", 0, INT64_MAX),
	INT("duplicate_notice", "resolved_at", 0, INT64_MAX),
	/* the procedure (tools/cmd_review.c): review_step and approval share columns */
#define STEP(t) \
	LIKE(t, "household", household_fields[HF_ID]), \
	INT(t, "round", 1, 99), \
	TEXT(t, "procedure", 20), \
	TEXT(t, "step", 40), \
	TEXT(t, "decision", 40), \
	KIND(t, "at", FX_DATE), \
	TEXT(t, "by_name", 120), \
	INT(t, "days", 0, 3650), \
	NOTE(t, "reasons", TEXT_NOTE_MAX), \
	TEXT(t, "details", 4000), \
	TEXT(t, "official", 40)
	STEP("review_step"),
	STEP("approval"),
#undef STEP
	LIKE("objection", "household", household_fields[HF_ID]),
	TEXT("objection", "step", KEY_MAX),
	KIND("objection", "at", FX_DATE),
	TEXT("objection", "by_name", 120),
	NOTE("objection", "content", TEXT_NOTE_MAX),
	TEXT("objection", "finding", 20),
	KIND("objection", "finding_at", FX_DATE),
	NOTE("objection", "finding_note", TEXT_NOTE_MAX),
	LIKE("exclusion", "household", household_fields[HF_ID]),
	TEXT("exclusion", "kind", 40),
	NOTE("exclusion", "source", 500),
	KIND("exclusion", "at", FX_DATE),
	KIND("exclusion", "lifted", FK_BOOL),
	/* who did it (tools/web.c): the clerk's account name */
	KIND("clerk_change", "clerk", FK_NAME),
	TEXT("clerk_change", "record", 40),
	/* assistance (tools/cmd_assist.c) */
	LIKE("measure", "household", household_fields[HF_ID]),
	TEXT("measure", "category", 40),
	NOTE("measure", "project", 500),
	INT("measure", "funds", 0, INT64_MAX),     /* fen; money_parse_yuan's range */
	KIND("measure", "start", FX_DATE),
	KIND("measure", "deadline", FX_DATE),
	TEXT("measure", "status", 20),
	LIKE("helper", "household", household_fields[HF_ID]),
	KIND("helper", "name", FK_NAME),
	TEXT("helper", "unit", 200),
	TEXT("helper", "level", 40),
	TEXT("helper", "phone", 20),
	KIND("helper", "start", FX_DATE),
	KIND("helper", "end", FX_DATE),
	/* schema 2: evaluation groups, spot checks, synonyms (lib/domain/village.c, household.c) */
	LIKE("eval_group", "village", household_fields[HF_VILLAGE]),
	KIND("eval_group", "year", FK_YEAR),
	TEXT("eval_group", "members", 1000),
	KIND("eval_group", "formed_at", FX_DATE),
	NOTE("eval_group", "note", 500),
	TEXT("spot_check", "kind", 20),
	KIND("spot_check", "at", FX_DATE),
	TEXT("spot_check", "by_name", 120),
	TEXT("spot_check", "households", 3200),
	NOTE("spot_check", "findings", TEXT_NOTE_MAX),
	NOTE("spot_check", "follow_up", TEXT_NOTE_MAX),
	TEXT("synonym", "list", 32),
	TEXT("synonym", "word", CODE_NAME_MAX),
	TEXT("synonym", "code", CODE_KEY_MAX),
	LIKE("half_year", "household", household_fields[HF_ID]),
	TEXT("half_year", "period", 10),
	TEXT("half_year", "decision", 20),
	KIND("half_year", "at", FX_DATE),
	NOTE("half_year", "reasons", TEXT_NOTE_MAX),
	TEXT("half_year", "official", 40),
};

struct col_rule {
	int16_t kind;
	int8_t codes;           /* index among the code tables, -1 if none */
	uint8_t most;           /* FK_CODESET: most codes */
	int64_t lo, hi;         /* FX_INT range; text: hi = most bytes */
};

/* ---- code lists -------------------------------------------------------------- */

#define CODE_TABLES_MAX 32
#define SLOTS 4

struct code_other {
	uint8_t table;
	uint8_t len;
	char code[CODE_KEY_MAX + 1];
};

struct code_slot {
	char dbname[32];        /* "" : unused */
	sqlite3 *db;
	sqlite3_stmt *load;
	int loaded;
	uint64_t epoch;         /* the ledger's epoch when loaded */
	uint8_t two[CODE_TABLES_MAX][13];  /* two-digit codes 00-99, a bit each */
	struct code_other *other;          /* any other code, in load order */
	size_t nother;
};

struct fields {
	size_t ntables;
	struct col_rule (*rules)[SCHEMA_MAX_COLS];
	int code_of_table[64];  /* table index -> code table index, -1 */
	const char *code_names[CODE_TABLES_MAX];
	int ncodes;
	size_t last_table;
	struct code_slot slots[SLOTS];
};

/* ---- clean text ---------------------------------------------------------------- */

/* The first unclean character of S at or after 0: its offset, length and kind; 0 if clean. */
enum unclean { CLEAN, U_NUL, U_CONTROL, U_C1, U_BIDI, U_BAD, U_OVERLONG, U_SURROGATE, U_TRUNCATED };

static enum unclean
s_scan(const unsigned char *p, size_t n, int newline, size_t *at, size_t *len, uint32_t *cpo)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		*at = i;
		*len = 1;
		*cpo = c;
		if (c < 0x80) {
			if (c == '\n' && newline) {
				i++;
				continue;
			}
			return c == 0 ? U_NUL : U_CONTROL;
		}
		size_t k;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			k = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 4;
			cp = c & 0x07;
		} else {
			return c == 0xc0 || c == 0xc1 ? U_OVERLONG : U_BAD;
		}
		if (n - i < k)
			return U_TRUNCATED;
		for (size_t j = 1; j < k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return U_BAD;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		*len = k;
		*cpo = cp;
		if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000))
			return U_OVERLONG;
		if (cp > 0x10ffff)
			return U_BAD;
		if (cp >= 0xd800 && cp <= 0xdfff)
			return U_SURROGATE;
		if (cp < 0xa0)
			return U_C1;
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return U_BIDI;
		i += k;
	}
	return CLEAN;
}

static void
s_unclean_why(char *why, size_t whylen, enum unclean u, size_t at, const unsigned char *p, size_t len,
    uint32_t cp)
{
	switch (u) {
	case CLEAN:
		snprintf(why, whylen, "clean");
		break;
	case U_NUL:
		snprintf(why, whylen, "a NUL byte at byte %zu", at);
		break;
	case U_CONTROL:
		snprintf(why, whylen, "a control character \\x%02x at byte %zu", (unsigned)cp, at);
		break;
	case U_C1:
		snprintf(why, whylen, "a C1 control character \\u%04x at byte %zu", (unsigned)cp, at);
		break;
	case U_BIDI:
		snprintf(why, whylen, "a bidirectional override or isolate \\u%04x at byte %zu",
		    (unsigned)cp, at);
		break;
	case U_OVERLONG:
		snprintf(why, whylen, "not valid UTF-8: an overlong form at byte %zu", at);
		break;
	case U_SURROGATE:
		snprintf(why, whylen, "not valid UTF-8: a surrogate \\u%04x at byte %zu", (unsigned)cp, at);
		break;
	case U_TRUNCATED:
		snprintf(why, whylen, "not valid UTF-8: a character cut short at byte %zu", at);
		break;
	case U_BAD:
		snprintf(why, whylen, "not valid UTF-8: byte \\x%02x at byte %zu", p[at], at);
		break;
	}
	(void)len;
}

int
fields_text_clean(const char *s, size_t len, int newline, char *why, size_t whylen)
{
	size_t at = 0, n = 0;
	uint32_t cp = 0;
	enum unclean u = s_scan((const unsigned char *)s, len, newline, &at, &n, &cp);

	if (u == CLEAN)
		return 0;
	if (why)
		s_unclean_why(why, whylen, u, at, (const unsigned char *)s, len, cp);
	return -1;
}

/* S need not end in a NUL: the ledger's values are msgpack strings. */
const char *
fields_phone_why(const char *s, size_t len)
{
	if (len < 5 || len > 20)
		return "a phone number has 5 to 20 characters";
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && !(i == 0 && s[i] == '+') && s[i] != '-' &&
		    s[i] != ' ')
			return "a phone number has digits, \"+\", \"-\" and spaces only";
	return NULL;
}

const char *
fields_account_why(const char *s, size_t len)
{
	if (len < 8 || len > 30)
		return "a bank account is 8 to 30 digits";
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return "a bank account is 8 to 30 digits";
	return NULL;
}

void
fields_escape(char *out, size_t outlen, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w = 0;

	if (outlen < 4) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	while (i < len) {
		char tmp[16];
		size_t tn, k, at = 0, ulen = 0;
		uint32_t cp = 0;
		/* one character: a window of 4 bytes holds any whole one */
		enum unclean u = s_scan(p + i, len - i < 4 ? len - i : 4, 0, &at, &ulen, &cp);
		if (i >= max)
			goto cut;
		if (u != CLEAN && at == 0) {
			if (u == U_C1 || u == U_BIDI || u == U_SURROGATE) {
				tn = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)cp);
				k = ulen;
			} else {
				tn = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
				k = 1;
			}
		} else {
			unsigned c = p[i];
			k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			tn = 0;
			/* quotes and backslashes escaped: the message quotes the value */
			if (c == '"' || c == '\\')
				tmp[tn++] = '\\';
			memcpy(tmp + tn, p + i, k);
			tn += k;
		}
		/* room for this and for "…" after it */
		if (w + tn + 4 > outlen)
			goto cut;
		memcpy(out + w, tmp, tn);
		w += tn;
		i += k;
	}
	out[w] = '\0';
	return;
cut:
	memcpy(out + w, "\xe2\x80\xa6", 3);
	out[w + 3] = '\0';
}

/* ---- context --------------------------------------------------------------------- */

static int
s_code_index(const struct fields *f, const char *table)
{
	for (int i = 0; table && i < f->ncodes; i++)
		if (strcmp(f->code_names[i], table) == 0)
			return i;
	return -1;
}

static int
s_table_index(const char *name)
{
	for (int t = 0; schema_tables[t]; t++)
		if (strcmp(schema_tables[t]->name, name) == 0)
			return t;
	return -1;
}

/* Set the rule of TABLE.COLUMN; a declaration naming no stored column is a programmer error. */
static void
s_set(struct fields *f, const char *table, const char *column, int kind, const char *codes, int max,
    int64_t lo, int64_t hi)
{
	int t = s_table_index(table);
	int c = t < 0 ? -1 : schema_column(schema_tables[t], column, strlen(column));
	struct col_rule *r;

	if (t < 0 || c < 0) {
		fprintf(stderr, "fields: no stored column %s.%s\n", table, column);
		abort();
	}
	r = &f->rules[t][c];
	r->kind = (int16_t)kind;
	r->codes = (int8_t)s_code_index(f, codes);
	r->most = (uint8_t)(max > 0 && max < 255 ? max : 16);
	r->lo = lo;
	r->hi = hi;
	switch (kind) {
	case FK_TEXT:
	case FK_NOTE:
		r->hi = max > 0 ? max : FIELD_TEXT_MAX;
		break;
	case FK_NAME:
		r->hi = FIELD_NAME_MAX;
		break;
	default:
		break;
	}
}

struct fields *
fields_new(void)
{
	struct fields *f = calloc(1, sizeof *f);
	size_t nt = 0;

	if (!f)
		return NULL;
	while (schema_tables[nt])
		nt++;
	if (nt > sizeof f->code_of_table / sizeof f->code_of_table[0] ||
	    !(f->rules = calloc(nt, sizeof *f->rules))) {
		free(f);
		return NULL;
	}
	f->ntables = nt;
	for (size_t t = 0; t < nt; t++) {
		const struct table_def *td = schema_tables[t];
		f->code_of_table[t] = -1;
		if (strncmp(td->name, "code_", 5) == 0 && f->ncodes < CODE_TABLES_MAX) {
			f->code_of_table[t] = f->ncodes;
			f->code_names[f->ncodes++] = td->name;
		}
	}
	/* defaults: one-line text, unchecked otherwise */
	for (size_t t = 0; t < nt; t++)
		for (int c = 0; schema_tables[t]->cols[c].name; c++) {
			struct col_rule *r = &f->rules[t][c];
			r->codes = -1;
			if (schema_tables[t]->cols[c].type == COL_T_TEXT) {
				r->kind = FK_TEXT;
				r->hi = FIELD_TEXT_MAX;
			} else {
				r->kind = FX_NONE;
			}
		}
	/* the household file's declarations, then the stored columns' */
	static const struct { const struct field *fs; int n; } decl[] = {
		{ household_fields, HF_COUNT },
		{ household_member_fields, MF_COUNT },
		{ household_income_fields, IF_COUNT },
	};
	for (size_t d = 0; d < sizeof decl / sizeof decl[0]; d++)
		for (int k = 0; k < decl[d].n; k++) {
			const struct field *fd = &decl[d].fs[k];
			if (fd->table)
				s_set(f, fd->table, fd->name, fd->kind, fd->codes, fd->max, 0, 0);
		}
	for (size_t k = 0; k < sizeof s_stored / sizeof s_stored[0]; k++) {
		const struct stored *s = &s_stored[k];
		if (s->like)
			s_set(f, s->table, s->column, s->kind == KIND_LIKE ? (int)s->like->kind : s->kind,
			    s->like->codes, s->like->max, 0, 0);
		else
			s_set(f, s->table, s->column, s->kind, NULL, (int)s->hi, s->lo, s->hi);
	}
	/* the name of a code */
	for (size_t t = 0; t < nt; t++)
		if (f->code_of_table[t] >= 0)
			s_set(f, schema_tables[t]->name, "name", FK_TEXT, NULL, CODE_NAME_MAX, 0, 0);
	return f;
}

static void
s_slot_clear(struct code_slot *s)
{
	sqlite3_finalize(s->load);
	free(s->other);
	memset(s, 0, sizeof *s);
}

void
fields_free(void *arg)
{
	struct fields *f = arg;

	if (!f)
		return;
	for (int i = 0; i < SLOTS; i++)
		s_slot_clear(&f->slots[i]);
	free(f->rules);
	free(f);
}

/* ---- code cache ------------------------------------------------------------------- */

static struct code_slot *
s_slot_find(struct fields *f, const struct ledger_rule_op *op)
{
	for (int i = 0; i < SLOTS; i++)
		if (f->slots[i].dbname[0] && f->slots[i].db == op->db &&
		    strcmp(f->slots[i].dbname, op->dbname) == 0)
			return &f->slots[i];
	return NULL;
}

static int
s_prepare(struct fields *f, struct code_slot *s, char *err, size_t errlen)
{
	sqlite3_str *load = sqlite3_str_new(s->db);
	char *sql;
	int rc;

	for (int i = 0; i < f->ncodes; i++)
		sqlite3_str_appendf(load, "%sSELECT %d, id FROM \"%w\".\"%w\"", i ? " UNION ALL " : "",
		    i, s->dbname, f->code_names[i]);
	sql = sqlite3_str_finish(load);
	rc = sql && sqlite3_prepare_v2(s->db, sql, -1, &s->load, NULL) == SQLITE_OK ? 0 : -1;
	sqlite3_free(sql);
	if (rc < 0)
		return errf(err, errlen, "rule field: reading the code lists of \"%s\": %s", s->dbname,
		    sqlite3_errmsg(s->db));
	return 0;
}

static int
s_code_key_ok(const char *s, size_t n)
{
	if (n < 1 || n > CODE_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z')))
			return 0;
	return 1;
}

static int
s_load(struct fields *f, struct code_slot *s, char *err, size_t errlen)
{
	size_t cap = 0;
	int rc;

	memset(s->two, 0, sizeof s->two);
	s->nother = 0;
	s->loaded = 0;
	while ((rc = sqlite3_step(s->load)) == SQLITE_ROW) {
		int t = sqlite3_column_int(s->load, 0);
		const char *code = (const char *)sqlite3_column_text(s->load, 1);
		size_t n = (size_t)sqlite3_column_bytes(s->load, 1);
		/* a row that broke the key rule (written before it) cannot be named */
		if (t < 0 || t >= f->ncodes || !code || !s_code_key_ok(code, n))
			continue;
		if (n == 2 && code[0] >= '0' && code[0] <= '9' && code[1] >= '0' && code[1] <= '9') {
			int v = (code[0] - '0') * 10 + (code[1] - '0');
			s->two[t][v >> 3] |= (uint8_t)(1u << (v & 7));
			continue;
		}
		if (s->nother == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *p = realloc(s->other, nc * sizeof *s->other);
			if (!p) {
				sqlite3_reset(s->load);
				return errf(err, errlen, "rule field: out of memory");
			}
			s->other = p;
			cap = nc;
		}
		struct code_other *o = &s->other[s->nother++];
		o->table = (uint8_t)t;
		o->len = (uint8_t)n;
		memcpy(o->code, code, n);
		o->code[n] = '\0';
	}
	sqlite3_reset(s->load);
	if (rc != SQLITE_DONE)
		return errf(err, errlen, "rule field: reading the code lists of \"%s\": %s", s->dbname,
		    sqlite3_errmsg(s->db));
	s->loaded = 1;
	return 0;
}

/* The code slot of OP's database, current for this change set; NULL with ERR set. */
static struct code_slot *
s_codes(struct fields *f, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	struct code_slot *s = s_slot_find(f, op);

	if (!s) {
		int i;
		for (i = 0; i < SLOTS && f->slots[i].dbname[0]; i++)
			;
		if (i == SLOTS)
			i = SLOTS - 1;      /* more databases than slots: reuse the last */
		s = &f->slots[i];
		s_slot_clear(s);
		if (strlcpy_checked(s->dbname, op->dbname, sizeof s->dbname) < 0) {
			s->dbname[0] = '\0';
			errf(err, errlen, "rule field: database name \"%s\" too long", op->dbname);
			return NULL;
		}
		s->db = op->db;
	}
	if (!s->load && s_prepare(f, s, err, errlen) < 0) {
		s_slot_clear(s);
		return NULL;
	}
	if (s->loaded && s->epoch != op->epoch)
		s->loaded = 0;
	if (!s->loaded) {
		s->epoch = op->epoch;
		if (s_load(f, s, err, errlen) < 0) {
			/* its database was detached and attached again: prepare afresh, once */
			char name[sizeof s->dbname];
			sqlite3 *db = s->db;
			memcpy(name, s->dbname, sizeof name);
			s_slot_clear(s);
			memcpy(s->dbname, name, sizeof name);
			s->db = db;
			s->epoch = op->epoch;
			if (s_prepare(f, s, err, errlen) < 0 || s_load(f, s, err, errlen) < 0) {
				s_slot_clear(s);
				return NULL;
			}
		}
	}
	return s;
}

static int
s_code_known(const struct code_slot *s, int t, const char *code, size_t n)
{
	if (n == 2 && code[0] >= '0' && code[0] <= '9' && code[1] >= '0' && code[1] <= '9') {
		int v = (code[0] - '0') * 10 + (code[1] - '0');
		return (s->two[t][v >> 3] >> (v & 7)) & 1;
	}
	for (size_t i = 0; i < s->nother; i++)
		if (s->other[i].table == t && s->other[i].len == n && memcmp(s->other[i].code, code, n) == 0)
			return 1;
	return 0;
}

/* ---- the check ---------------------------------------------------------------- */

struct where {
	const char *table, *column, *key;
	size_t key_len;
};

static int
s_refuse(char *err, size_t errlen, const struct where *w, const char *v, size_t vlen,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
s_refuse(char *err, size_t errlen, const struct where *w, const char *v, size_t vlen,
    const char *fmt, ...)
{
	char key[3 * KEY_MAX], val[200], why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	fields_escape(key, sizeof key, w->key, w->key_len, KEY_MAX);
	if (v) {
		fields_escape(val, sizeof val, v, vlen, 40);
		/* the reason before the value: a long value never hides it */
		return errf(err, errlen, "rule field: %s%s%s of \"%s\": %s: \"%s\"", w->table,
		    w->column ? "." : "", w->column ? w->column : "", key, why, val);
	}
	return errf(err, errlen, "rule field: %s%s%s of \"%s\": %s", w->table, w->column ? "." : "",
	    w->column ? w->column : "", key, why);
}

static int
s_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The N bytes at V as a C string in BUF, for the checks that want one; -1 if too long. */
static int
s_cstr(char *buf, size_t buflen, const char *v, size_t n)
{
	if (n >= buflen)
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return 0;
}

static int
s_check_idcard(const struct where *w, const char *v, size_t n, char *err, size_t errlen)
{
	char buf[IDCARD_LEN + 1], why[160];

	if (n != IDCARD_LEN)
		return s_refuse(err, errlen, w, v, n, "an ID number is %d characters, not %zu",
		    IDCARD_LEN, n);
	s_cstr(buf, sizeof buf, v, n);
	/* the birth date is not held against today: replay must not depend on the day */
	if (idcard_check(buf, 0, why, sizeof why) < 0)
		return s_refuse(err, errlen, w, v, n, "%s", why);
	if (buf[17] == 'x')
		return s_refuse(err, errlen, w, v, n, "an ID number is stored with X upper case");
	return 0;
}

/* The code at V+P..E-1 of a code set follows the one before it: sorted and unique. */
static int
s_code_after(const char *v, size_t p, size_t e)
{
	size_t q = p - 1;

	while (q > 0 && v[q - 1] != ',')
		q--;
	size_t pl = p - 1 - q, cl = e - p;
	int cmp = memcmp(v + q, v + p, pl < cl ? pl : cl);
	return !(cmp > 0 || (cmp == 0 && pl >= cl));
}

/* FK_CODE, FK_CODESET: known codes, sorted, unique, joined by "," (as household_field_parse). */
static int
s_check_codes(struct fields *f, const struct ledger_rule_op *op, const struct col_rule *r,
    const struct where *w, const char *v, size_t n, char *err, size_t errlen)
{
	struct code_slot *s = s_codes(f, op, err, errlen);
	const char *list = f->code_names[r->codes];
	int count = 0;

	if (!s)
		return -1;
	if (n == 0)
		return s_refuse(err, errlen, w, v, n, "an empty code");
	for (size_t p = 0; p <= n; ) {
		size_t e = p;
		while (e < n && v[e] != ',')
			e++;
		if (r->kind == FK_CODE && e < n)
			return s_refuse(err, errlen, w, v, n, "one code of %s, not a list", list);
		if (e == p || !s_code_known(s, r->codes, v + p, e - p)) {
			char code[32];
			fields_escape(code, sizeof code, v + p, e - p, 16);
			return s_refuse(err, errlen, w, v, n, "\"%s\" is not a code of %s", code, list);
		}
		if (p > 0 && !s_code_after(v, p, e))
			return s_refuse(err, errlen, w, v, n, "codes are sorted, unique and joined by \",\"");
		if (++count > r->most)
			return s_refuse(err, errlen, w, v, n, "at most %d codes of %s", r->most, list);
		p = e + 1;
	}
	return 0;
}

static int
s_check_village(const struct where *w, const char *v, size_t n, char *err, size_t errlen)
{
	char buf[64], township[CODE_MAX], why[160];

	if (n >= sizeof buf || w->key_len < 9)
		return s_refuse(err, errlen, w, v, n, "not a village code");
	s_cstr(buf, sizeof buf, v, n);
	memcpy(township, w->key, 9);
	township[9] = '\0';
	if (code_check_village_of(buf, township, why, sizeof why) < 0)
		return s_refuse(err, errlen, w, v, n, "%s", why);
	return 0;
}

static int
s_check_date(const struct where *w, const char *v, size_t n, char *err, size_t errlen)
{
	char buf[16];

	if (n != 10)
		return s_refuse(err, errlen, w, v, n, "not a date YYYY-MM-DD");
	s_cstr(buf, sizeof buf, v, n);
	if (date_day(buf) < 0)
		return s_refuse(err, errlen, w, v, n, "not a date YYYY-MM-DD");
	return 0;
}

/* A text value against its column's kind R: clean, and of the length and shape the kind has. */
static int
s_check_text(struct fields *f, const struct ledger_rule_op *op, const struct col_rule *r,
    const struct where *w, const char *v, size_t n, char *err, size_t errlen)
{
	size_t at = 0, k = 0;
	uint32_t cp = 0;
	enum unclean u = s_scan((const unsigned char *)v, n, r->kind == FK_NOTE, &at, &k, &cp);
	const char *why = NULL;

	if (u != CLEAN) {
		char unclean[160];
		s_unclean_why(unclean, sizeof unclean, u, at, (const unsigned char *)v, n, cp);
		return s_refuse(err, errlen, w, v, n, "%s", unclean);
	}
	switch (r->kind) {
	case FK_TEXT:
	case FK_NOTE:
		if (n > (size_t)r->hi)
			return s_refuse(err, errlen, w, v, n, "%zu bytes, longer than %lld", n, (long long)r->hi);
		return 0;
	case FK_NAME:
		if (n == 0 || n > (size_t)r->hi)
			return s_refuse(err, errlen, w, v, n, "a name is 1 to %lld bytes, not %zu",
			    (long long)r->hi, n);
		return 0;
	case FK_IDCARD:
		return s_check_idcard(w, v, n, err, errlen);
	case FK_CODE:
	case FK_CODESET:
		return s_check_codes(f, op, r, w, v, n, err, errlen);
	case FK_PHONE:
		why = fields_phone_why(v, n);
		break;
	case FK_ACCOUNT:
		why = fields_account_why(v, n);
		break;
	case FK_VILLAGE:
		return s_check_village(w, v, n, err, errlen);
	case FK_HOUSEHOLD:
		if (n != 15 || w->key_len < 9 || memcmp(v, w->key, 9) != 0 || !s_digits(v, 15) ||
		    memcmp(v + 9, "000000", 6) == 0)
			return s_refuse(err, errlen, w, v, n, "a household id is the township code %.9s "
			    "followed by 6 digits (not 000000)", w->key_len >= 9 && s_digits(w->key, 9) ?
			    w->key : "");
		return 0;
	case FK_MEMBER_NO:     /* household.village_group: 2 digits, 01-99 */
		if (n != 2 || !s_digits(v, 2) || memcmp(v, "00", 2) == 0)
			return s_refuse(err, errlen, w, v, n, "two digits 01 to 99");
		return 0;
	case FX_DATE:
		return s_check_date(w, v, n, err, errlen);
	default:
		/* a text value in a column of another kind: the ledger refuses its type */
		return 0;
	}
	return why ? s_refuse(err, errlen, w, v, n, "%s", why) : 0;
}

static int
s_check_int(const struct col_rule *r, const struct where *w, const msgpack_object *o,
    char *err, size_t errlen)
{
	int64_t lo, hi, x;
	const char *what;

	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 > (uint64_t)INT64_MAX)
		return s_refuse(err, errlen, w, NULL, 0, "%llu is out of range",
		    (unsigned long long)o->via.u64);
	x = o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t)o->via.u64 : o->via.i64;
	switch (r->kind) {
	case FK_YEAR: lo = 1949; hi = 2100; what = "a year between"; break;
	case FK_MONTHS: lo = 0; hi = 12; what = "months between"; break;
	case FK_COUNT: lo = 1; hi = 99; what = "a number of people between"; break;
	case FK_BOOL: lo = 0; hi = 1; what = "a flag (0 or 1) between"; break;
	case FK_MONEY: lo = 0; hi = MONEY_MAX; what = "an amount in fen between"; break;
	case FK_HUNDREDTHS: lo = 0; hi = HUNDREDTHS_MAX; what = "hundredths between"; break;
	case FX_INT: lo = r->lo; hi = r->hi; what = "between"; break;
	default:
		return 0;     /* an integer in a text column: the ledger refuses its type */
	}
	if (x < lo || x > hi)
		return s_refuse(err, errlen, w, NULL, 0, "%lld: %s %lld and %lld", (long long)x, what,
		    (long long)lo, (long long)hi);
	return 0;
}

int
fields_check_op(struct fields *f, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	if (op->phase != LEDGER_RULE_BEFORE || !op->table)
		return 0;
	if (!f)
		return errf(err, errlen, "rule field: no memory for the field rules");
	size_t t = f->last_table;
	/* the ledger passes the schema's own name: compare pointers first */
	if (t >= f->ntables || schema_tables[t]->name != op->table) {
		for (t = 0; t < f->ntables && schema_tables[t]->name != op->table; t++)
			;
		if (t == f->ntables) {
			int ti = s_table_index(op->table);
			if (ti < 0)
				return errf(err, errlen, "rule field: unknown table \"%s\"", op->table);
			t = (size_t)ti;
		}
		f->last_table = t;
	}
	const struct table_def *td = schema_tables[t];
	struct where w = { td->name, NULL, op->key, op->key_len ? op->key_len : strlen(op->key) };

	/* the key: clean one-line text; a code's key is short and plain (codes are joined by ",") */
	if (fields_text_clean(op->key, w.key_len, 0, NULL, 0) < 0) {
		char why[160];
		fields_text_clean(op->key, w.key_len, 0, why, sizeof why);
		return s_refuse(err, errlen, &w, NULL, 0, "the key: %s", why);
	}
	if (f->code_of_table[t] >= 0) {
		if (!s_code_key_ok(op->key, w.key_len))
			return s_refuse(err, errlen, &w, NULL, 0, "a code is 1 to %d ASCII letters or digits",
			    CODE_KEY_MAX);
		/* the code lists of this database change: reload before the next lookup */
		struct code_slot *s = s_slot_find(f, op);
		if (s)
			s->loaded = 0;
	}
	if (op->deleted || !op->cols)
		return 0;

	int guess = 0;
	for (uint32_t i = 0; i < op->cols->size; i++) {
		const msgpack_object *k = &op->cols->ptr[i].key, *v = &op->cols->ptr[i].val;
		int c;
		if (k->type != MSGPACK_OBJECT_STR)
			return s_refuse(err, errlen, &w, NULL, 0, "a column name that is not text");
		/* columns usually come in declaration order: try the next one first */
		const char *cn = td->cols[guess].name;
		if (cn && strncmp(cn, k->via.str.ptr, k->via.str.size) == 0 && cn[k->via.str.size] == '\0')
			c = guess;
		else if ((c = schema_column(td, k->via.str.ptr, k->via.str.size)) < 0)
			return 0;   /* the ledger refuses an unknown column */
		guess = td->cols[c + 1].name ? c + 1 : 0;
		w.column = td->cols[c].name;
		const struct col_rule *r = &f->rules[t][c];
		if (v->type == MSGPACK_OBJECT_STR) {
			if (td->cols[c].type == COL_T_TEXT &&
			    s_check_text(f, op, r, &w, v->via.str.ptr, v->via.str.size, err, errlen) < 0)
				return -1;
		} else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
			if (td->cols[c].type == COL_T_INT && s_check_int(r, &w, v, err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}
