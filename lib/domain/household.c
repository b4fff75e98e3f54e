/* household.c — household, member and income records: fields, checks, ops */
#include "household.h"
#include "fields.h"
#include "idcard.h"
#include "labels.h"
#include "util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Prepared statements kept for the context: an import asks the same few questions per row. */
#define STMT_CACHE 24
struct stmt_cache {
	char *sql;
	sqlite3_stmt *st;
};

/* One row of a code list, loaded once per command (a few hundred rows). */
struct code_entry {
	char table[32];
	char code[8];
	char name[64];
};

const struct field household_fields[HF_COUNT] = {
	[HF_ID]              = { "id", "户编号", FK_HOUSEHOLD, NULL, NULL, 0, "户号;户编码" },
	[HF_VILLAGE]         = { "village", "村代码", FK_VILLAGE, "household", NULL, 0, "行政村代码;村编码" },
	/* 村民小组: the group number within the village, two digits as a member number (schema 2) */
	[HF_GROUP]           = { "village_group", "村民小组", FK_MEMBER_NO, "household", NULL, 0, "组;小组;村民小组编号" },
	[HF_HEAD_NAME]       = { "head_name", "户主姓名", FK_NAME, NULL, NULL, 0, NULL },
	[HF_HEAD_IDCARD]     = { "head_idcard", "户主身份证号", FK_IDCARD, NULL, NULL, 0, "户主身份证号码;户主公民身份号码;户主证件号码" },
	[HF_HEAD_SEX]        = { "head_sex", "户主性别", FK_CODE, NULL, "code_sex", 0, NULL },
	[HF_ADDRESS]         = { "address", "住址", FK_TEXT, "household", NULL, 200, NULL },
	[HF_PHONE]           = { "phone", "联系电话", FK_PHONE, "household", NULL, 0, "电话;联系方式;手机号码" },
	[HF_BANK]            = { "bank", "开户银行", FK_TEXT, "household", NULL, 100, NULL },
	[HF_ACCOUNT]         = { "account", "银行账号", FK_ACCOUNT, "household", NULL, 0, "银行卡号;账号" },
	[HF_ATTRIBUTE]       = { "attribute", "贫困户属性", FK_CODE, "household", "code_attribute", 0, NULL },
	[HF_STANDARD]        = { "standard", "识别标准", FK_CODE, "household", "code_standard", 0, NULL },
	[HF_FIRST_YEAR]      = { "first_year", "识别年度", FK_YEAR, "household", NULL, 0, "识别年份;建档年度" },
	[HF_STATUS]          = { "status", "状态", FK_CODE, "household", "code_status", 0, NULL },
	[HF_FLAGS]           = { "flags", "户标识", FK_CODESET, NULL, "code_flag", 8, "户类型" },
	[HF_MAIN_CAUSE]      = { "main_cause", "主要致贫原因", FK_CODE, NULL, "code_cause", 0, NULL },
	[HF_OTHER_CAUSES]    = { "other_causes", "其他致贫原因", FK_CODESET, NULL, "code_cause", 2, NULL },
	[HF_CAUSE_NOTE]      = { "cause_note", "致贫原因说明", FK_NOTE, "household", NULL, FIELD_NOTE_MAX, NULL },
	[HF_FARMLAND]        = { "farmland", "耕地面积(亩)", FK_HUNDREDTHS, "household_condition", NULL, 0, NULL },
	[HF_IRRIGATED]       = { "irrigated", "有效灌溉面积(亩)", FK_HUNDREDTHS, "household_condition", NULL, 0, NULL },
	[HF_FOREST]          = { "forest", "林地面积(亩)", FK_HUNDREDTHS, "household_condition", NULL, 0, NULL },
	[HF_HOUSING_AREA]    = { "housing_area", "住房面积(平方米)", FK_HUNDREDTHS, "household_condition", NULL, 0, NULL },
	[HF_DANGEROUS_HOUSE] = { "dangerous_house", "是否危房", FK_BOOL, "household_condition", NULL, 0, NULL },
	[HF_SAFE_WATER]      = { "safe_water", "饮水是否安全", FK_BOOL, "household_condition", NULL, 0, NULL },
	[HF_ELECTRICITY]     = { "electricity", "是否通生活用电", FK_BOOL, "household_condition", NULL, 0, NULL },
	[HF_ROAD_DISTANCE]   = { "road_distance", "距村主干路(公里)", FK_HUNDREDTHS, "household_condition", NULL, 0, NULL },
};

const struct field household_member_fields[MF_COUNT] = {
	[MF_HOUSEHOLD]      = { "household", "户编号", FK_HOUSEHOLD, NULL, NULL, 0, "户号;户编码" },
	[MF_HEAD_IDCARD]    = { "head_idcard", "户主身份证号", FK_IDCARD, NULL, NULL, 0, "户主身份证号码;户主公民身份号码;户主证件号码" },
	[MF_NO]             = { "no", "成员编号", FK_MEMBER_NO, NULL, NULL, 0, NULL },
	[MF_NAME]           = { "name", "姓名", FK_NAME, "member", NULL, 0, NULL },
	[MF_IDCARD]         = { "idcard", "身份证号", FK_IDCARD, "member", NULL, 0, "身份证号码;公民身份号码;证件号码" },
	[MF_SEX]            = { "sex", "性别", FK_CODE, "member", "code_sex", 0, NULL },
	[MF_RELATION]       = { "relation", "与户主关系", FK_CODE, "member", "code_relation", 0, NULL },
	[MF_ETHNICITY]      = { "ethnicity", "民族", FK_CODE, "member", "code_ethnicity", 0, NULL },
	[MF_EDUCATION]      = { "education", "文化程度", FK_CODE, "member", "code_education", 0, NULL },
	[MF_SCHOOLING]      = { "schooling", "在校生状况", FK_CODE, "member", "code_schooling", 0, "在校生情况" },
	[MF_HEALTH]         = { "health", "健康状况", FK_CODE, "member", "code_health", 0, NULL },
	[MF_LABOUR]         = { "labour", "劳动技能", FK_CODE, "member", "code_labour", 0, "劳动能力" },
	[MF_MIGRANT]        = { "migrant", "务工状况", FK_CODE, "member", "code_migrant", 0, "务工情况" },
	[MF_MIGRANT_MONTHS] = { "migrant_months", "务工时间(月)", FK_MONTHS, "member", NULL, 0, "务工时间" },
	[MF_INSURANCE]      = { "insurance", "参加保险", FK_CODESET, "member", "code_insurance", 3, "参保情况" },
};

const struct field household_income_fields[IF_COUNT] = {
	[IF_HOUSEHOLD] = { "household", "户编号", FK_HOUSEHOLD, NULL, NULL, 0, "户号;户编码" },
	[IF_YEAR]      = { "year", "年度", FK_YEAR, "income", NULL, 0, "年份" },
	[IF_WAGES]     = { "wages", "工资性收入(元)", FK_MONEY, "income", NULL, 0, NULL },
	[IF_BUSINESS]  = { "business", "生产经营性收入(元)", FK_MONEY, "income", NULL, 0, NULL },
	[IF_PROPERTY]  = { "property", "财产性收入(元)", FK_MONEY, "income", NULL, 0, NULL },
	[IF_TRANSFERS] = { "transfers", "转移性收入(元)", FK_MONEY, "income", NULL, 0, NULL },
	[IF_COSTS]     = { "costs", "生产经营性支出(元)", FK_MONEY, "income", NULL, 0, NULL },
	[IF_SIZE]      = { "size", "家庭人口", FK_COUNT, "income", NULL, 0, "家庭人口数;家庭人数" },
};

/* The code lists fields refer to; loaded into the context. */
static const char *const s_code_tables[] = {
	"code_sex", "code_relation", "code_ethnicity", "code_education", "code_schooling",
	"code_health", "code_labour", "code_migrant", "code_insurance", "code_cause",
	"code_attribute", "code_standard", "code_flag", "code_status", NULL,
};

/* ---- context ------------------------------------------------------------------- */

int
household_ctx_init(struct household_ctx *c, sqlite3 *db, const char *township,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	time_t now = time(NULL);
	struct tm tm;

	memset(c, 0, sizeof *c);
	c->db = db;
	if (!(c->stmts = calloc(STMT_CACHE, sizeof *c->stmts)))
		return errf(err, errlen, "out of memory");
	snprintf(c->township, sizeof c->township, "%s", township);
	localtime_r(&now, &tm);
	c->today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;

	for (const char *const *t = s_code_tables; *t; t++) {
		char sql[96];
		snprintf(sql, sizeof sql, "SELECT id, name FROM %s ORDER BY id", *t);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			goto sqlfail;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (c->ncodes == cap) {
				cap = cap ? cap * 2 : 256;
				void *p = realloc(c->codes, cap * sizeof *c->codes);
				if (!p)
					goto nomem;
				c->codes = p;
			}
			struct code_entry *e = &c->codes[c->ncodes++];
			snprintf(e->table, sizeof e->table, "%s", *t);
			snprintf(e->code, sizeof e->code, "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(e->name, sizeof e->name, "%s", (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	cap = 0;
	if (sqlite3_prepare_v2(db, "SELECT list, word, code FROM synonym ORDER BY id", -1, &st,
	    NULL) != SQLITE_OK)
		goto sqlfail;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (c->nsynonyms == cap) {
			cap = cap ? cap * 2 : 64;
			void *p = realloc(c->synonyms, cap * sizeof *c->synonyms);
			if (!p)
				goto nomem;
			c->synonyms = p;
		}
		struct code_entry *e = &c->synonyms[c->nsynonyms++];
		snprintf(e->table, sizeof e->table, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(e->name, sizeof e->name, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(e->code, sizeof e->code, "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	st = NULL;
	cap = 0;
	if (sqlite3_prepare_v2(db, "SELECT id FROM village ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (c->nvillages == cap) {
			cap = cap ? cap * 2 : 64;
			void *p = realloc(c->villages, cap * sizeof *c->villages);
			if (!p)
				goto nomem;
			c->villages = p;
		}
		snprintf(c->villages[c->nvillages++], CODE_MAX, "%s",
		    (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return 0;
sqlfail:
	errf(err, errlen, "reading code lists: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	household_ctx_release(c);
	return -1;
nomem:
	errf(err, errlen, "out of memory");
	sqlite3_finalize(st);
	household_ctx_release(c);
	return -1;
}

void
household_ctx_release(struct household_ctx *c)
{
	for (size_t i = 0; c->stmts && i < STMT_CACHE && c->stmts[i].sql; i++) {
		sqlite3_finalize(c->stmts[i].st);
		free(c->stmts[i].sql);
	}
	free(c->stmts);
	c->stmts = NULL;
	free(c->codes);
	free(c->synonyms);
	free(c->villages);
	c->codes = NULL;
	c->synonyms = NULL;
	c->nsynonyms = 0;
	c->villages = NULL;
	c->ncodes = c->nvillages = 0;
}

int
household_field_find(const struct field *fs, int n, const char *header)
{
	char norm[64];
	size_t i;

	for (i = 0; header[i] && i < sizeof norm - 1; i++)
		norm[i] = header[i] == '-' ? '_' : (char)tolower((unsigned char)header[i]);
	norm[i] = '\0';
	for (int k = 0; k < n; k++) {
		if (strcmp(fs[k].name, norm) == 0 || strcmp(fs[k].label, header) == 0)
			return k;
		for (const char *p = fs[k].aliases; p && *p; ) {
			size_t len = strcspn(p, ";");
			if (strlen(header) == len && strncmp(p, header, len) == 0)
				return k;
			p += len;
			p += *p == ';';
		}
	}
	/* a label without its unit: "耕地面积" for "耕地面积(亩)" */
	for (int k = 0; k < n; k++) {
		const char *paren = strchr(fs[k].label, '(');
		if (paren && strlen(header) == (size_t)(paren - fs[k].label) &&
		    strncmp(fs[k].label, header, (size_t)(paren - fs[k].label)) == 0)
			return k;
	}
	return -1;
}

/* The entry of TABLE whose code or Chinese name is VALUE; NULL if none. */
static const struct code_entry *
s_code_exact(const struct household_ctx *c, const char *table, const char *value)
{
	for (size_t i = 0; i < c->ncodes; i++)
		if (strcmp(c->codes[i].table, table) == 0 &&
		    (strcmp(c->codes[i].code, value) == 0 || strcmp(c->codes[i].name, value) == 0))
			return &c->codes[i];
	return NULL;
}

/*
 * The one lookup of a typed code, for every field, option and import: the
 * code, its Chinese name as the county's list has it, a synonym the county
 * keeps as data (纯女户, 乡(镇)内务工), then its English name (labels.h).  NULL if none.
 */
static const struct code_entry *
s_code(const struct household_ctx *c, const char *table, const char *value)
{
	const struct code_entry *e = s_code_exact(c, table, value);
	const char *code;

	for (size_t i = 0; !e && i < c->nsynonyms; i++)
		if (strcmp(c->synonyms[i].table, table) == 0 && strcmp(c->synonyms[i].name, value) == 0)
			return s_code_exact(c, table, c->synonyms[i].code);
	if (!e && (code = label_code_find(table, value)))
		e = s_code_exact(c, table, code);
	return e;
}

const char *
household_code_lookup(const struct household_ctx *c, const char *table, const char *value)
{
	const struct code_entry *e = s_code(c, table, value);

	return e ? e->code : NULL;
}

void
household_synonym_key(char *out, size_t len, const char *list, const char *word)
{
	uint8_t h[8];
	char hex[17];

	crypto_generichash(h, sizeof h, (const unsigned char *)word, strlen(word), NULL, 0);
	hex_encode(hex, h, sizeof h);
	snprintf(out, len, "%s/%s", list, hex);
}

int
household_check_synonym(sqlite3 *db, const char *dbname, const char *key, char *err, size_t errlen)
{
	char *sql = sqlite3_mprintf("SELECT coalesce(list, ''), coalesce(word, ''), coalesce(code, '') "
	    "FROM \"%w\".synonym WHERE id = ?1", dbname);
	sqlite3_stmt *st = NULL;
	char want[192], list[40] = "", word[80] = "", code[16] = "";
	int rc;

	if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return errf(err, errlen, "synonym: %s", sqlite3_errmsg(db));
	}
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(list, sizeof list, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(word, sizeof word, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(code, sizeof code, "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return errf(err, errlen, "synonym row \"%s\": %s", key, sqlite3_errmsg(db));
	household_synonym_key(want, sizeof want, list, word);
	/* a county's synonym kept at a province: "COUNTY:LIST/HASH" (ledger_stored_key) */
	const char *own = strchr(key, ':') ? strchr(key, ':') + 1 : key;
	if (strcmp(want, own) != 0)
		return errf(err, errlen, "rule synonym: row \"%s\" must be keyed by its list and word (%s)",
		    key, want);
	int known = 0;
	for (const char *const *t = s_code_tables; *t; t++)
		known |= strcmp(*t, list) == 0;
	if (!known || !word[0])
		return errf(err, errlen, "rule synonym: %s: \"%s\" is not a code list", key, list);
	sql = sqlite3_mprintf("SELECT sum(id = ?1), sum(id = ?2 OR name = ?2) FROM \"%w\".\"%w\"",
	    dbname, list);
	st = NULL;
	if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return errf(err, errlen, "synonym: %s", sqlite3_errmsg(db));
	}
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, word, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : errf(err, errlen, "synonym: %s", sqlite3_errmsg(db));
	if (rc == 0 && sqlite3_column_int(st, 0) == 0)
		rc = errf(err, errlen, "rule synonym: %s: %s has no code \"%s\"", key, list, code);
	else if (rc == 0 && sqlite3_column_int(st, 1) > 0)
		rc = errf(err, errlen, "rule synonym: %s: \"%s\" is already a code or name of %s", key,
		    word, list);
	sqlite3_finalize(st);
	return rc;
}

const char *
household_code_name(const struct household_ctx *c, const char *table, const char *code)
{
	const struct code_entry *e = code ? s_code(c, table, code) : NULL;

	return e ? e->name : code ? code : "";
}

/* The names of TABLE's codes, for a message: "01 男, 02 女". */
static void
s_code_list(const struct household_ctx *c, const char *table, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < c->ncodes && used + 1 < len; i++)
		if (strcmp(c->codes[i].table, table) == 0) {
			const char *en = label_code_english(table, c->codes[i].code);
			int n = snprintf(out + used, len - used, "%s%s %s%s%s", used ? ", " : "",
			    c->codes[i].code, c->codes[i].name, en ? " " : "", en ? en : "");
			if (n < 0 || (size_t)n >= len - used) {
				out[used] = '\0';      /* whole entries only: no half a character */
				break;
			}
			used += (size_t)n;
		}
}

/* Decimal with up to 2 fraction digits, >= 0, at most 10^11 units; ×100 into OUT. */
static int
s_hundredths(const char *s, int64_t *out)
{
	int64_t v = 0;
	int digits = 0, frac = -1;

	if (*s == '+')
		s++;
	for (; *s; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s == ',' && frac < 0)      /* 1,234.50 as spreadsheets write it */
			continue;
		if (*s < '0' || *s > '9')
			return -1;
		if (frac >= 0 && ++frac > 2)
			return -1;
		if (++digits > 13)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	for (int f = frac < 0 ? 0 : frac; f < 2; f++)
		v *= 10;
	*out = v;
	return 0;
}

int
household_status_registered(const char *status)
{
	return status && (!strcmp(status, STATUS_REGISTERED) || !strcmp(status, STATUS_RETURNED));
}

void
household_format_hundredths(char *out, size_t len, int64_t v)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	snprintf(out, len, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / 100, a % 100);
}

/* Trim ASCII and ideographic (U+3000) spaces at both ends into OUT. */
static void
s_trim(char *out, size_t len, const char *in)
{
	const char *e;

	for (;;) {
		if (*in == ' ' || *in == '\t')
			in++;
		else if (strncmp(in, "\xe3\x80\x80", 3) == 0)
			in += 3;
		else
			break;
	}
	e = in + strlen(in);
	for (;;) {
		if (e > in && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		else if (e - in >= 3 && strncmp(e - 3, "\xe3\x80\x80", 3) == 0)
			e -= 3;
		else
			break;
	}
	size_t n = (size_t)(e - in);
	if (n >= len)
		n = len - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

/*
 * The reason first, then the value as typed, escaped (a control character is
 * named, never printed) and cut on a character boundary with "…": a long
 * value never pushes the reason out of the message.
 */
#define BAD(...) do { \
	char why_[256], in_[200]; \
	snprintf(why_, sizeof why_, __VA_ARGS__); \
	fields_escape(in_, sizeof in_, in, strlen(in), 60); \
	return errf(err, errlen, "%s (%s): %s: \"%s\"", f->label, f->name, why_, in_); \
} while (0)

static int
s_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* V as it is kept in OUT->s. */
static int
s_keep(struct field_value *out, const char *v)
{
	snprintf(out->s, sizeof out->s, "%s", v);
	return 0;
}

/*
 * IN trimmed into V (VLEN bytes) and held to the text rules every node applies
 * to what it stores (fields.h); a note's CRLF becomes LF.  1: IN is blank.
 */
static int
s_field_text(const struct field *f, const char *in, char *v, size_t vlen, char *err, size_t errlen)
{
	char unclean[160];

	s_trim(v, vlen, in);
	if (strlen(in) >= vlen)
		BAD("%zu bytes, longer than %d", strlen(in), f->max && f->kind == FK_NOTE ? f->max :
		    VALUE_MAX - 1);
	if (!*v)
		return 1;
	if (f->kind == FK_NOTE) {
		/* a line break is a line break: drop the CR of CRLF, refuse other controls */
		char *w = v;
		for (const char *p = v; *p; p++)
			if (!(p[0] == '\r' && p[1] == '\n'))
				*w++ = *p;
		*w = '\0';
	}
	if (fields_text_clean(v, strlen(v), f->kind == FK_NOTE, unclean, sizeof unclean) < 0)
		BAD("has %s", unclean);
	return 0;
}

static int
s_parse_text(const struct field *f, const char *in, const char *v, struct field_value *out,
    char *err, size_t errlen)
{
	if (f->kind == FK_NAME && strlen(v) > FIELD_NAME_MAX)
		BAD("a name is at most %d bytes", FIELD_NAME_MAX);
	if (f->kind != FK_NAME && strlen(v) > (size_t)(f->max ? f->max : FIELD_TEXT_MAX))
		BAD("%zu bytes, longer than %d", strlen(v), f->max ? f->max : FIELD_TEXT_MAX);
	return s_keep(out, v);
}

/* FK_YEAR, FK_MONTHS, FK_COUNT: a whole number in the kind's range. */
static int
s_parse_number(const struct field *f, const char *in, const char *v, struct field_value *out,
    char *err, size_t errlen)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || !isdigit((unsigned char)v[0]))
		BAD("not a whole number");
	if (f->kind == FK_YEAR && (n < 1949 || n > 2100))
		BAD("a year between 1949 and 2100");
	if (f->kind == FK_MONTHS && (n < 0 || n > 12))
		BAD("months between 0 and 12");
	if (f->kind == FK_COUNT && (n < 1 || n > 99))
		BAD("a number of people between 1 and 99");
	out->i = n;
	return 0;
}

/* FK_MONEY, FK_HUNDREDTHS: kept ×100. */
static int
s_parse_amount(const struct field *f, const char *in, const char *v, struct field_value *out,
    char *err, size_t errlen)
{
	if (v[0] == '-')
		BAD("must not be negative");
	if (s_hundredths(v, &out->i) < 0)
		BAD("not an amount (digits, at most 2 decimals, below 100000000000)");
	return 0;
}

static int
s_parse_bool(const struct field *f, const char *in, const char *v, struct field_value *out,
    char *err, size_t errlen)
{
	if (!strcmp(v, "是") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "y"))
		out->i = 1;
	else if (!strcmp(v, "否") || !strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "n"))
		out->i = 0;
	else
		BAD("must be 是 or 否 (yes/no, 1/0)");
	return 0;
}

/* WORD (NULL: the whole value) is no code of F's list: the refusal names the codes there are. */
static int
s_no_code(const struct household_ctx *c, const struct field *f, const char *in, const char *word,
    char *err, size_t errlen)
{
	char list[VALUE_MAX];

	s_code_list(c, f->codes, list, sizeof list);
	if (word)
		BAD("\"%s\" is not in the code list %s (%s)", word, f->codes, list);
	BAD("not in the code list %s (%s)", f->codes, list);
}

static int
s_parse_code(const struct household_ctx *c, const struct field *f, const char *in, const char *v,
    struct field_value *out, char *err, size_t errlen)
{
	const struct code_entry *e = s_code(c, f->codes, v);

	if (!e)
		return s_no_code(c, f, in, NULL, err, errlen);
	return s_keep(out, e->code);
}

/* The length of the separator of codes at P (, ; space 、 ， ；); 0 if none. */
static size_t
s_codeset_sep(const char *p)
{
	if (*p == ',' || *p == ';' || *p == ' ')
		return 1;
	if (!strncmp(p, "、", 3) || !strncmp(p, "，", 3) || !strncmp(p, "；", 3))
		return 3;
	return 0;
}

/* The N codes sorted and joined by ","; none is a blank. */
static void
s_codeset_join(struct field_value *out, const char **codes, int n)
{
	qsort(codes, (size_t)n, sizeof codes[0], s_cmp_str);
	for (int k = 0; k < n; k++) {
		size_t used = strlen(out->s);
		snprintf(out->s + used, sizeof out->s - used, "%s%s", k ? "," : "", codes[k]);
	}
	if (n == 0)
		out->null = 1;
}

/* FK_CODESET: codes split on , ; 、 ， and spaces; kept sorted and unique. */
static int
s_parse_codeset(const struct household_ctx *c, const struct field *f, const char *in,
    const char *v, struct field_value *out, char *err, size_t errlen)
{
	const char *codes[16];
	int n = 0;
	char buf[VALUE_MAX];

	snprintf(buf, sizeof buf, "%s", v);
	for (char *p = buf; *p; ) {
		size_t sep = s_codeset_sep(p);
		if (sep) {
			p += sep;
			continue;
		}
		char *start = p;
		while (*p && !s_codeset_sep(p))
			p++;
		char save = *p;
		*p = '\0';
		const struct code_entry *e = s_code(c, f->codes, start);
		if (!e)
			return s_no_code(c, f, in, start, err, errlen);
		int dup = 0;
		for (int k = 0; k < n; k++)
			dup |= strcmp(codes[k], e->code) == 0;
		if (!dup) {
			if (n == f->max || n == 16)
				BAD("at most %d", f->max);
			codes[n++] = e->code;
		}
		*p = save;
	}
	s_codeset_join(out, codes, n);
	return 0;
}

static int
s_parse_idcard(const struct household_ctx *c, const struct field *f, const char *in,
    const char *v, struct field_value *out, char *err, size_t errlen)
{
	char why[256];

	if (idcard_check(v, c->today, why, sizeof why) < 0)
		BAD("%s", why);
	idcard_normalize(out->s, v);
	return 0;
}

/* FK_PHONE, FK_ACCOUNT: the rules the ledger's field check holds them to. */
static int
s_parse_phone_or_account(const struct field *f, const char *in, const char *v, struct field_value *out,
    char *err, size_t errlen)
{
	const char *why = f->kind == FK_PHONE ? fields_phone_why(v, strlen(v)) :
	    fields_account_why(v, strlen(v));

	if (why)
		BAD("%s", why);
	return s_keep(out, v);
}

static int
s_parse_village(const struct household_ctx *c, const struct field *f, const char *in,
    const char *v, struct field_value *out, char *err, size_t errlen)
{
	char why[256];
	size_t k;

	if (code_check_village_of(v, c->township, why, sizeof why) < 0)
		BAD("%s", why);
	for (k = 0; k < c->nvillages; k++)
		if (strcmp(c->villages[k], v) == 0)
			break;
	if (k == c->nvillages)
		BAD("no such village in this township (add it with \"lika village add\")");
	return s_keep(out, v);
}

static int
s_parse_household(const struct household_ctx *c, const struct field *f, const char *in,
    const char *v, struct field_value *out, char *err, size_t errlen)
{
	size_t tl = strlen(c->township);

	if (strlen(v) != tl + 6 || strncmp(v, c->township, tl) != 0 || !is_digits(v + tl, 6) ||
	    strcmp(v + tl, "000000") == 0)
		BAD("a household id of this township is %s followed by 6 digits (not 000000)",
		    c->township);
	return s_keep(out, v);
}

static int
s_parse_member_no(const struct field *f, const char *in, const char *v, struct field_value *out,
    char *err, size_t errlen)
{
	if (!((strlen(v) == 2 && is_digits(v, 2)) || (strlen(v) == 1 && is_digits(v, 1))))
		BAD("a member number is 01 to 99");
	int no = atoi(v);
	if (no < 1)
		BAD("a member number is 01 to 99");
	out->i = no;
	snprintf(out->s, sizeof out->s, "%02d", no);
	return 0;
}

int
household_field_parse(const struct household_ctx *c, const struct field *f,
    const char *in, struct field_value *out, char *err, size_t errlen)
{
	char v[2 * VALUE_MAX];     /* room for a note's CRs, dropped below */
	int rc;

	memset(out, 0, sizeof *out);
	if (!in)
		return 0;
	out->given = 1;
	if ((rc = s_field_text(f, in, v, sizeof v, err, errlen)) != 0) {
		out->null = rc > 0;
		return rc > 0 ? 0 : -1;
	}
	switch (f->kind) {
	case FK_NOTE:
	case FK_TEXT:
	case FK_NAME:
		return s_parse_text(f, in, v, out, err, errlen);
	case FK_YEAR:
	case FK_MONTHS:
	case FK_COUNT:
		return s_parse_number(f, in, v, out, err, errlen);
	case FK_MONEY:
	case FK_HUNDREDTHS:
		return s_parse_amount(f, in, v, out, err, errlen);
	case FK_BOOL:
		return s_parse_bool(f, in, v, out, err, errlen);
	case FK_CODE:
		return s_parse_code(c, f, in, v, out, err, errlen);
	case FK_CODESET:
		return s_parse_codeset(c, f, in, v, out, err, errlen);
	case FK_IDCARD:
		return s_parse_idcard(c, f, in, v, out, err, errlen);
	case FK_PHONE:
	case FK_ACCOUNT:
		return s_parse_phone_or_account(f, in, v, out, err, errlen);
	case FK_VILLAGE:
		return s_parse_village(c, f, in, v, out, err, errlen);
	case FK_HOUSEHOLD:
		return s_parse_household(c, f, in, v, out, err, errlen);
	case FK_MEMBER_NO:
		return s_parse_member_no(f, in, v, out, err, errlen);
	}
	BAD("unknown field kind");
}

int
household_income_compute(const struct income_parts *p, int size, int64_t *net,
    char *err, size_t errlen)
{
	const int64_t limit = INT64_C(100000000000000);    /* 10^12 yuan in fen */

	if (size < 1)
		return errf(err, errlen, "household size %d: per-capita income needs at least one member", size);
	if (p->wages < 0 || p->business < 0 || p->property < 0 || p->transfers < 0 || p->costs < 0)
		return errf(err, errlen, "income amounts must not be negative");
	if (p->wages > limit || p->business > limit || p->property > limit || p->transfers > limit ||
	    p->costs > limit)
		return errf(err, errlen, "income amount too large");
	int64_t total = p->wages + p->business + p->property + p->transfers - p->costs;
	int64_t a = total < 0 ? -total : total;
	int64_t q = (a + size / 2) / size;     /* an exact half (even sizes) goes up */
	*net = total < 0 ? -q : q;
	return 0;
}

/* ---- database reads ------------------------------------------------------------- */


sqlite3_stmt *
household_stmt(const struct household_ctx *c, const char *sql)
{
	struct stmt_cache *e = c->stmts;
	size_t i;

	for (i = 0; e && i < STMT_CACHE && e[i].sql; i++)
		if (strcmp(e[i].sql, sql) == 0) {
			sqlite3_reset(e[i].st);
			sqlite3_clear_bindings(e[i].st);
			return e[i].st;
		}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (!e || i == STMT_CACHE) {
		/* full (never with this module's few queries): hand out a fresh one each time */
		sqlite3_finalize(st);
		return NULL;
	}
	if (!(e[i].sql = strdup(sql))) {
		sqlite3_finalize(st);
		return NULL;
	}
	e[i].st = st;
	return st;
}

int
household_row_exists(const struct household_ctx *c, const char *table, const char *id)
{
	char sql[96];
	sqlite3_stmt *st;

	snprintf(sql, sizeof sql, "SELECT 1 FROM \"%s\" WHERE id = ?1", table);
	if (!(st = household_stmt(c, sql)))
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int64_t
s_int_query(const struct household_ctx *c, const char *sql, const char *arg)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (!(st = household_stmt(c, sql)))
		return -1;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

int
household_next_id(const struct household_ctx *c, char *id, size_t len, char *err, size_t errlen)
{
	char lo[CODE_MAX + 8], hi[CODE_MAX + 8];
	sqlite3_stmt *st;
	int64_t next = 1;

	/* ids are ordered: the largest key of the township's range holds the largest sequence */
	snprintf(lo, sizeof lo, "%s000000", c->township);
	snprintf(hi, sizeof hi, "%s999999", c->township);
	if (!(st = household_stmt(c, "SELECT max(id) FROM household WHERE id >= ?1 AND id <= ?2")))
		return errf(err, errlen, "reading households: %s", sqlite3_errmsg(c->db));
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
		const char *max = (const char *)sqlite3_column_text(st, 0);
		next = atoll(max + strlen(c->township)) + 1;
	}
	sqlite3_reset(st);
	if (next > 999999)
		return errf(err, errlen, "township %s has used every household sequence", c->township);
	snprintf(id, len, "%s%06" PRId64, c->township, next);
	return 0;
}

int
household_next_member_no(const struct household_ctx *c, const char *household,
    char *err, size_t errlen)
{
	char lo[40], hi[40];
	sqlite3_stmt *st;
	int next = 1;

	snprintf(lo, sizeof lo, "%s/00", household);
	snprintf(hi, sizeof hi, "%s/99", household);
	if (!(st = household_stmt(c, "SELECT max(id) FROM member WHERE id > ?1 AND id <= ?2")))
		return errf(err, errlen, "reading members: %s", sqlite3_errmsg(c->db));
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
		const char *max = (const char *)sqlite3_column_text(st, 0);
		next = atoi(max + strlen(household) + 1) + 1;
	}
	sqlite3_reset(st);
	if (next > 99)
		return errf(err, errlen, "household %s already has 99 member numbers", household);
	return next;
}

int
household_head_count(const struct household_ctx *c, const char *household)
{
	return (int)s_int_query(c, "SELECT count(*) FROM member WHERE household = ?1 AND relation = '"
	    RELATION_HEAD "'", household);
}

int
household_size(const struct household_ctx *c, const char *household)
{
	return (int)s_int_query(c, "SELECT count(*) FROM member WHERE household = ?1", household);
}

/* The member (other than SELF) holding IDCARD: its key into OTHER; 1 found, 0 none, -1 error. */
static int
s_idcard_holder(const struct household_ctx *c, const char *idcard, const char *self,
    char *other, size_t len)
{
	sqlite3_stmt *st;
	int found = 0;

	if (!(st = household_stmt(c, "SELECT id FROM member WHERE idcard = ?1 AND id IS NOT ?2")))
		return -1;
	sqlite3_bind_text(st, 1, idcard, -1, SQLITE_STATIC);
	if (self)
		sqlite3_bind_text(st, 2, self, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(other, len, "%s", (const char *)sqlite3_column_text(st, 0));
		found = 1;
	} else if (rc != SQLITE_DONE) {
		found = -1;
	}
	sqlite3_reset(st);
	return found;
}

/* ---- records to ops ---------------------------------------------------------- */

/* The colval of a parsed field, for column NAME. */
static struct colval
s_colval(const struct field *f, const struct field_value *v)
{
	struct colval cv = COL_NIL(f->name);

	if (v->null)
		return cv;
	switch (f->kind) {
	case FK_YEAR: case FK_MONTHS: case FK_COUNT: case FK_MONEY: case FK_HUNDREDTHS: case FK_BOOL:
		cv.v.type = V_INT;
		cv.v.i = v->i;
		break;
	default:
		cv.v.type = V_TEXT;
		cv.v.p = v->s;
		cv.v.len = strlen(v->s);
	}
	return cv;
}

/* Replace the rows of TABLE (household_flag, household_cause) of household ID with CODES. */
static int
s_replace_set(const struct household_ctx *c, struct ops *ops, const char *table,
    const char *col, const char *id, const char *codes, const char *main_code,
    char *err, size_t errlen)
{
	char sql[128], key[64];
	sqlite3_stmt *st;

	snprintf(sql, sizeof sql, "SELECT id, %s FROM %s WHERE household = ?1", col, table);
	if (!(st = household_stmt(c, sql)))
		return errf(err, errlen, "reading %s: %s", table, sqlite3_errmsg(c->db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 1);
		int keep = main_code && strcmp(code, main_code) == 0;
		for (const char *p = codes; p && *p && !keep; p += strcspn(p, ","), p += *p == ',')
			keep = strncmp(p, code, strcspn(p, ",")) == 0 && strlen(code) == strcspn(p, ",");
		if (!keep)
			ops_delete(ops, table, (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	if (main_code) {
		snprintf(key, sizeof key, "%s/%s", id, main_code);
		struct colval cv[] = { COL_TEXT("household", id), COL_TEXT(col, main_code), COL_INT("main", 1) };
		ops_upsert(ops, table, key, cv, 3);
	}
	for (const char *p = codes; p && *p; ) {
		size_t n = strcspn(p, ",");
		char code[16];
		snprintf(code, sizeof code, "%.*s", (int)n, p);
		snprintf(key, sizeof key, "%s/%s", id, code);
		if (main_code) {
			struct colval cv[] = { COL_TEXT("household", id), COL_TEXT(col, code), COL_INT("main", 0) };
			ops_upsert(ops, table, key, cv, 3);
		} else {
			struct colval cv[] = { COL_TEXT("household", id), COL_TEXT(col, code) };
			ops_upsert(ops, table, key, cv, 2);
		}
		p += n;
		p += *p == ',';
	}
	return 0;
}

/* The recorded main cause of household ID into OUT ("" if none). */
static void
s_main_cause(const struct household_ctx *c, const char *id, char *out, size_t len)
{
	sqlite3_stmt *st;

	out[0] = '\0';
	if (!(st = household_stmt(c, "SELECT cause FROM household_cause WHERE household = ?1 AND main = 1")))
		return;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
}

/* V holds a value: given and not blank. */
static int
s_filled(const struct field_value *v)
{
	return v->given && !v->null;
}

/* The sex code ("01", "02") the ID number IDC encodes. */
static const char *
s_idcard_sex_code(const char *idc)
{
	return idcard_sex(idc) == IDCARD_MALE ? "01" : "02";
}

/* A new household names its village and head; no household loses its village or status. */
static int
s_put_required(const struct field_value *v, int create, char *err, size_t errlen)
{
	static const int need[] = { HF_VILLAGE, HF_HEAD_NAME, HF_HEAD_IDCARD };
	static const int keep[] = { HF_VILLAGE, HF_STATUS };
	const struct field *fs = household_fields;

	for (size_t k = 0; create && k < sizeof need / sizeof need[0]; k++)
		if (!s_filled(&v[need[k]]))
			return errf(err, errlen, "%s (%s) is required", fs[need[k]].label, fs[need[k]].name);
	for (size_t k = 0; !create && k < sizeof keep / sizeof keep[0]; k++)
		if (v[keep[k]].given && v[keep[k]].null)
			return errf(err, errlen, "%s (%s) cannot be cleared", fs[keep[k]].label,
			    fs[keep[k]].name);
	return 0;
}

/* 村民小组: a group of the household's (new or recorded) village. */
static int
s_check_group(const struct household_ctx *c, const char *id, const struct field_value *v,
    char *err, size_t errlen)
{
	const struct field *fs = household_fields;
	char key[CODE_MAX + 8], village[CODE_MAX] = "";
	sqlite3_stmt *st;

	if (!s_filled(&v[HF_GROUP]))
		return 0;
	if (s_filled(&v[HF_VILLAGE]))
		snprintf(village, sizeof village, "%s", v[HF_VILLAGE].s);
	else if ((st = household_stmt(c, "SELECT village FROM household WHERE id = ?1")) != NULL) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(village, sizeof village, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	snprintf(key, sizeof key, "%s/%s", village, v[HF_GROUP].s);
	if (s_int_query(c, "SELECT count(*) FROM village_group WHERE id = ?1", key) != 1)
		return errf(err, errlen, "%s (%s) \"%s\": village %s has no group %s (\"lika village "
		    "group add\")", fs[HF_GROUP].label, fs[HF_GROUP].name, v[HF_GROUP].s, village,
		    v[HF_GROUP].s);
	return 0;
}

/*
 * Causes: exactly one main, at most two others, none repeated.  The main
 * cause the household will have (given or recorded) into MAIN_CODE.
 */
static int
s_check_causes(const struct household_ctx *c, const char *id, const struct field_value *v,
    int create, char *main_code, size_t len, char *err, size_t errlen)
{
	const struct field *fs = household_fields;

	main_code[0] = '\0';
	if (s_filled(&v[HF_MAIN_CAUSE]))
		snprintf(main_code, len, "%s", v[HF_MAIN_CAUSE].s);
	else if (!create && !v[HF_MAIN_CAUSE].given)
		s_main_cause(c, id, main_code, len);
	if (!s_filled(&v[HF_OTHER_CAUSES]))
		return 0;
	if (!main_code[0])
		return errf(err, errlen, "%s (%s) \"%s\": give the %s (%s) first",
		    fs[HF_OTHER_CAUSES].label, fs[HF_OTHER_CAUSES].name, v[HF_OTHER_CAUSES].s,
		    fs[HF_MAIN_CAUSE].label, fs[HF_MAIN_CAUSE].name);
	for (const char *p = v[HF_OTHER_CAUSES].s; *p; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, main_code, strlen(main_code)) == 0 && strcspn(p, ",") == strlen(main_code))
			return errf(err, errlen, "%s (%s) \"%s\": repeats the main cause %s",
			    fs[HF_OTHER_CAUSES].label, fs[HF_OTHER_CAUSES].name,
			    household_code_name(c, "code_cause", main_code), main_code);
	return 0;
}

/* The ID number IDC of field F is held by no member but SELF: a person is in one household. */
static int
s_check_holder(const struct household_ctx *c, const struct field *f, const char *idc,
    const char *self, char *err, size_t errlen)
{
	char other[64];
	int rc = s_idcard_holder(c, idc, self, other, sizeof other);

	if (rc < 0)
		return errf(err, errlen, "reading members: %s", sqlite3_errmsg(c->db));
	if (rc > 0)
		return errf(err, errlen, "%s (%s) \"%s\": already member %s; a person is in one household only",
		    f->label, f->name, idc, other);
	return 0;
}

/* The head of a new household: sex as the ID number says, in no other household. */
static int
s_check_head(const struct household_ctx *c, const struct field_value *v, char *err, size_t errlen)
{
	const struct field *fs = household_fields;
	const char *sex = s_filled(&v[HF_HEAD_SEX]) ? v[HF_HEAD_SEX].s : NULL;
	const char *idc = v[HF_HEAD_IDCARD].s;
	const char *want = s_idcard_sex_code(idc);

	if (sex && strcmp(sex, want) != 0)
		return errf(err, errlen, "%s (%s) \"%s\": the ID number %s is of a %s",
		    fs[HF_HEAD_SEX].label, fs[HF_HEAD_SEX].name, household_code_name(c, "code_sex", sex),
		    idc, household_code_name(c, "code_sex", want));
	return s_check_holder(c, &fs[HF_HEAD_IDCARD], idc, NULL, err, errlen);
}

/* The given columns into the household and household_condition rows; a new one is an applicant. */
static void
s_put_rows(struct ops *ops, const char *id, const struct field_value *v, int create)
{
	const struct field *fs = household_fields;
	struct colval hcols[HF_COUNT], ccols[HF_COUNT];
	size_t nh = 0, nc = 0;
	int default_status = create && (!v[HF_STATUS].given || v[HF_STATUS].null);

	for (int k = 0; k < HF_COUNT; k++) {
		if (!fs[k].table || !v[k].given || (k == HF_STATUS && default_status))
			continue;
		if (strcmp(fs[k].table, "household") == 0)
			hcols[nh++] = s_colval(&fs[k], &v[k]);
		else
			ccols[nc++] = s_colval(&fs[k], &v[k]);
	}
	if (default_status) {
		struct colval st = COL_TEXT("status", STATUS_APPLICANT);
		hcols[nh++] = st;
	}
	if (nh || create)
		ops_upsert(ops, "household", id, hcols, nh);
	if (nc || create)
		ops_upsert(ops, "household_condition", id, ccols, nc);
}

/* The recorded other causes of household ID that differ from MAIN_CODE, joined by ",". */
static void
s_other_causes(const struct household_ctx *c, const char *id, const char *main_code,
    char *keep, size_t len)
{
	sqlite3_stmt *st;

	keep[0] = '\0';
	if (!(st = household_stmt(c, "SELECT cause FROM household_cause WHERE household = ?1 "
	    "AND main = 0 AND cause <> ?2 ORDER BY cause")))
		return;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, main_code, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t used = strlen(keep);
		snprintf(keep + used, len - used, "%s%s", used ? "," : "",
		    (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
}

/* The household_cause rows, when the main or other causes are given. */
static int
s_put_causes(const struct household_ctx *c, struct ops *ops, const char *id,
    const struct field_value *v, int create, const char *main_code, char *err, size_t errlen)
{
	const struct field *fs = household_fields;
	const char *others = v[HF_OTHER_CAUSES].given ? (v[HF_OTHER_CAUSES].null ? "" :
	    v[HF_OTHER_CAUSES].s) : NULL;
	char keep[VALUE_MAX];

	if (!v[HF_MAIN_CAUSE].given && !v[HF_OTHER_CAUSES].given)
		return 0;
	if (!others && !create) {
		/* only the main cause changed: keep the recorded others that differ from it */
		s_other_causes(c, id, main_code, keep, sizeof keep);
		others = keep;
	}
	/* a blank main cause clears the causes of an applicant not yet assessed, never leaves others alone */
	if (!main_code[0] && others && *others)
		return errf(err, errlen, "%s (%s) is blank but other causes (%s) are recorded: "
		    "a household with causes has exactly one main cause", fs[HF_MAIN_CAUSE].label,
		    fs[HF_MAIN_CAUSE].name, others);
	return s_replace_set(c, ops, "household_cause", "cause", id, others ? others : "",
	    main_code[0] ? main_code : NULL, err, errlen);
}

/* The head of a new household is its member 01. */
static void
s_put_head(struct ops *ops, const char *id, const struct field_value *v)
{
	char mid[64];
	const char *idc = v[HF_HEAD_IDCARD].s;
	const char *sex = s_filled(&v[HF_HEAD_SEX]) ? v[HF_HEAD_SEX].s : s_idcard_sex_code(idc);

	snprintf(mid, sizeof mid, "%s/01", id);
	struct colval mc[] = {
		COL_TEXT("household", id), COL_TEXT("name", v[HF_HEAD_NAME].s),
		COL_TEXT("idcard", idc), COL_TEXT("sex", sex), COL_TEXT("relation", RELATION_HEAD),
	};
	ops_upsert(ops, "member", mid, mc, 5);
}

int
household_put(const struct household_ctx *c, struct ops *ops, const char *id,
    const struct field_value *v, int create, char *err, size_t errlen)
{
	char main_code[16];

	if (s_put_required(v, create, err, errlen) < 0 || s_check_group(c, id, v, err, errlen) < 0 ||
	    s_check_causes(c, id, v, create, main_code, sizeof main_code, err, errlen) < 0 ||
	    (create && s_check_head(c, v, err, errlen) < 0))
		return -1;
	s_put_rows(ops, id, v, create);
	if (v[HF_FLAGS].given)
		if (s_replace_set(c, ops, "household_flag", "flag", id, v[HF_FLAGS].null ? "" : v[HF_FLAGS].s,
		    NULL, err, errlen) < 0)
			return -1;
	if (s_put_causes(c, ops, id, v, create, main_code, err, errlen) < 0)
		return -1;
	if (create)
		s_put_head(ops, id, v);
	return 0;
}

int
household_member_put(const struct household_ctx *c, struct ops *ops, const char *household,
    const char *member_id, const struct field_value *v, int create, char *err, size_t errlen)
{
	const struct field *fs = household_member_fields;
	struct colval cols[MF_COUNT + 1];
	size_t n = 0;
	char sex[8] = "";

	if (create) {
		static const int req[] = { MF_NAME, MF_IDCARD, MF_RELATION };
		for (size_t k = 0; k < sizeof req / sizeof req[0]; k++)
			if (!v[req[k]].given || v[req[k]].null)
				return errf(err, errlen, "%s (%s) is required", fs[req[k]].label, fs[req[k]].name);
	} else {
		static const int keep[] = { MF_NAME, MF_IDCARD, MF_RELATION, MF_SEX };
		for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
			if (v[keep[k]].given && v[keep[k]].null)
				return errf(err, errlen, "%s (%s) cannot be cleared", fs[keep[k]].label,
				    fs[keep[k]].name);
	}
	if (s_filled(&v[MF_SEX]))
		snprintf(sex, sizeof sex, "%s", v[MF_SEX].s);
	if (v[MF_IDCARD].given) {
		const char *idc = v[MF_IDCARD].s;
		const char *want = s_idcard_sex_code(idc);
		if (!sex[0] && !create) {
			sqlite3_stmt *st;
			if ((st = household_stmt(c, "SELECT sex FROM member WHERE id = ?1")) != NULL) {
				sqlite3_bind_text(st, 1, member_id, -1, SQLITE_STATIC);
				if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
					snprintf(sex, sizeof sex, "%s", (const char *)sqlite3_column_text(st, 0));
				sqlite3_reset(st);
			}
			if (sex[0] && strcmp(sex, want) != 0)
				return errf(err, errlen, "%s (%s) \"%s\": the sequence digit says %s, the recorded sex is %s",
				    fs[MF_IDCARD].label, fs[MF_IDCARD].name, idc,
				    household_code_name(c, "code_sex", want), household_code_name(c, "code_sex", sex));
		} else if (sex[0] && strcmp(sex, want) != 0) {
			return errf(err, errlen, "%s (%s) \"%s\": the ID number %s is of a %s",
			    fs[MF_SEX].label, fs[MF_SEX].name, household_code_name(c, "code_sex", sex),
			    idc, household_code_name(c, "code_sex", want));
		}
		if (create && !sex[0]) {
			struct colval cv = COL_TEXT("sex", want);
			cols[n++] = cv;
		}
		if (s_check_holder(c, &fs[MF_IDCARD], idc, member_id, err, errlen) < 0)
			return -1;
	} else if (sex[0]) {
		/* a new recorded sex must agree with the recorded number */
		sqlite3_stmt *st;
		char idc[32] = "";
		if ((st = household_stmt(c, "SELECT idcard FROM member WHERE id = ?1")) != NULL) {
			sqlite3_bind_text(st, 1, member_id, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
				snprintf(idc, sizeof idc, "%s", (const char *)sqlite3_column_text(st, 0));
			sqlite3_reset(st);
		}
		if (strlen(idc) == IDCARD_LEN) {
			const char *want = s_idcard_sex_code(idc);
			if (strcmp(sex, want) != 0)
				return errf(err, errlen, "%s (%s) \"%s\": the recorded ID number %s is of a %s",
				    fs[MF_SEX].label, fs[MF_SEX].name, household_code_name(c, "code_sex", sex),
				    idc, household_code_name(c, "code_sex", want));
		}
	}
	if (s_filled(&v[MF_MIGRANT_MONTHS]) && v[MF_MIGRANT_MONTHS].i > 0 &&
	    v[MF_MIGRANT].given && v[MF_MIGRANT].null)
		return errf(err, errlen, "%s (%s) \"%" PRId64 "\": no %s (%s) given",
		    fs[MF_MIGRANT_MONTHS].label, fs[MF_MIGRANT_MONTHS].name, v[MF_MIGRANT_MONTHS].i,
		    fs[MF_MIGRANT].label, fs[MF_MIGRANT].name);

	if (create) {
		struct colval hc = COL_TEXT("household", household);
		cols[n++] = hc;
	}
	/* a blank sex on create was taken from the ID number above */
	for (int k = 0; k < MF_COUNT; k++)
		if (fs[k].table && v[k].given && !(k == MF_SEX && v[k].null))
			cols[n++] = s_colval(&fs[k], &v[k]);
	if (n)
		ops_upsert(ops, "member", member_id, cols, n);
	return 0;
}

int
household_income_put(const struct household_ctx *c, struct ops *ops, const char *household,
    const struct field_value *v, char *err, size_t errlen)
{
	const struct field *fs = household_income_fields;
	struct income_parts p;
	char key[64];
	int64_t net;

	if (!v[IF_YEAR].given || v[IF_YEAR].null)
		return errf(err, errlen, "%s (%s) is required", fs[IF_YEAR].label, fs[IF_YEAR].name);
	int size = s_filled(&v[IF_SIZE]) ? (int)v[IF_SIZE].i : household_size(c, household);
	if (size < 0)
		return errf(err, errlen, "reading members: %s", sqlite3_errmsg(c->db));
	if (size == 0)
		return errf(err, errlen, "household %s has no members: per-capita income needs at least one",
		    household);
	/* an amount not given counts as 0: the form's blank cell */
	p.wages = v[IF_WAGES].given ? v[IF_WAGES].i : 0;
	p.business = v[IF_BUSINESS].given ? v[IF_BUSINESS].i : 0;
	p.property = v[IF_PROPERTY].given ? v[IF_PROPERTY].i : 0;
	p.transfers = v[IF_TRANSFERS].given ? v[IF_TRANSFERS].i : 0;
	p.costs = v[IF_COSTS].given ? v[IF_COSTS].i : 0;
	if (household_income_compute(&p, size, &net, err, errlen) < 0)
		return -1;
	snprintf(key, sizeof key, "%s/%04d", household, (int)v[IF_YEAR].i);
	struct colval cols[] = {
		COL_TEXT("household", household), COL_INT("year", v[IF_YEAR].i),
		COL_INT("wages", p.wages), COL_INT("business", p.business),
		COL_INT("property", p.property), COL_INT("transfers", p.transfers),
		COL_INT("costs", p.costs), COL_INT("size", size), COL_INT("net_per_capita", net),
	};
	ops_upsert(ops, "income", key, cols, sizeof cols / sizeof cols[0]);
	return 0;
}

/* ---- reading records back --------------------------------------------------------- */

/* Columns in field order; NULL-producing placeholders where a field is not stored. */
static const char s_household_sql[] =
    "SELECT h.id, h.village, h.village_group, m.name, m.idcard, m.sex, h.address, h.phone, h.bank, h.account,"
    " h.attribute, h.standard, h.first_year, h.status,"
    " (SELECT group_concat(flag, ',') FROM (SELECT flag FROM household_flag"
    "   WHERE household = h.id ORDER BY flag)),"
    " (SELECT cause FROM household_cause WHERE household = h.id AND main = 1),"
    " (SELECT group_concat(cause, ',') FROM (SELECT cause FROM household_cause"
    "   WHERE household = h.id AND main = 0 ORDER BY cause)),"
    " h.cause_note, c.farmland, c.irrigated, c.forest, c.housing_area, c.dangerous_house,"
    " c.safe_water, c.electricity, c.road_distance"
    " FROM household h LEFT JOIN household_condition c ON c.id = h.id"
    " LEFT JOIN member m ON m.id = (SELECT min(id) FROM member WHERE household = h.id AND relation = '"
    RELATION_HEAD "')"
    " WHERE (?1 IS NULL OR h.id = ?1) AND (?2 IS NULL OR h.village = ?2)"
    " AND (?3 IS NULL OR substr(h.id, 1, 9) = ?3) ORDER BY h.id";

static const char s_member_sql[] =
    "SELECT m.household, NULL, substr(m.id, -2), m.name, m.idcard, m.sex, m.relation, m.ethnicity,"
    " m.education, m.schooling, m.health, m.labour, m.migrant, m.migrant_months, m.insurance"
    " FROM member m JOIN household h ON h.id = m.household"
    " WHERE (?1 IS NULL OR m.household = ?1) AND (?2 IS NULL OR h.village = ?2)"
    " AND (?3 IS NULL OR substr(m.id, 1, 9) = ?3) ORDER BY m.id";

static const char s_income_sql[] =
    "SELECT i.household, i.year, i.wages, i.business, i.property, i.transfers, i.costs,"
    " i.size, i.net_per_capita"
    " FROM income i JOIN household h ON h.id = i.household"
    " WHERE (?1 IS NULL OR i.household = ?1) AND (?2 IS NULL OR h.village = ?2)"
    " AND (?3 IS NULL OR substr(i.id, 1, 9) = ?3) ORDER BY i.id";

const struct field *
household_record_fields(enum record_kind kind, int *n)
{
	switch (kind) {
	case RECORD_MEMBER:
		*n = MF_COUNT;
		return household_member_fields;
	case RECORD_INCOME:
		*n = IF_COUNT;
		return household_income_fields;
	default:
		*n = HF_COUNT;
		return household_fields;
	}
}

int
household_iter_open(struct record_iter *it, const struct household_ctx *c, enum record_kind kind,
    const char *household, const char *village, const char *township, char *err, size_t errlen)
{
	const char *sql = kind == RECORD_MEMBER ? s_member_sql : kind == RECORD_INCOME ? s_income_sql :
	    s_household_sql;

	memset(it, 0, sizeof *it);
	it->c = c;
	it->kind = kind;
	if (sqlite3_prepare_v2(c->db, sql, -1, &it->st, NULL) != SQLITE_OK)
		return errf(err, errlen, "reading records: %s", sqlite3_errmsg(c->db));
	if (household)
		sqlite3_bind_text(it->st, 1, household, -1, SQLITE_TRANSIENT);
	if (village)
		sqlite3_bind_text(it->st, 2, village, -1, SQLITE_TRANSIENT);
	if (township)
		sqlite3_bind_text(it->st, 3, township, -1, SQLITE_TRANSIENT);
	return 0;
}

int
household_iter_next(struct record_iter *it)
{
	int n, rc = sqlite3_step(it->st);
	const struct field *fs = household_record_fields(it->kind, &n);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	int ncols = sqlite3_column_count(it->st);
	for (int k = 0; k < ncols && k < RECORD_MAX_FIELDS; k++) {
		char *out = it->buf[k];
		int64_t i = sqlite3_column_int64(it->st, k);
		const char *s = (const char *)sqlite3_column_text(it->st, k);
		it->v[k] = out;
		out[0] = '\0';
		if (sqlite3_column_type(it->st, k) == SQLITE_NULL)
			continue;
		/* columns past the fields: income's computed net_per_capita, fen */
		enum field_kind fk = k < n ? fs[k].kind : FK_MONEY;
		switch (fk) {
		case FK_MONEY:
		case FK_HUNDREDTHS:
			household_format_hundredths(out, VALUE_MAX, i);
			break;
		case FK_BOOL:
			snprintf(out, VALUE_MAX, "%s", i ? "是" : "否");
			break;
		case FK_YEAR:
		case FK_MONTHS:
		case FK_COUNT:
			snprintf(out, VALUE_MAX, "%" PRId64, i);
			break;
		case FK_CODE:
			snprintf(out, VALUE_MAX, "%s", household_code_name(it->c, fs[k].codes, s));
			break;
		case FK_CODESET: {
			size_t used = 0;
			for (const char *p = s; *p; ) {
				size_t len = strcspn(p, ",");
				char code[16];
				snprintf(code, sizeof code, "%.*s", (int)len, p);
				int w = snprintf(out + used, VALUE_MAX - used, "%s%s", used ? "、" : "",
				    household_code_name(it->c, fs[k].codes, code));
				if (w < 0 || (size_t)w >= VALUE_MAX - used)
					break;
				used += (size_t)w;
				p += len;
				p += *p == ',';
			}
			break;
		}
		default:
			snprintf(out, VALUE_MAX, "%s", s ? s : "");
		}
	}
	return 1;
}

void
household_iter_close(struct record_iter *it)
{
	sqlite3_finalize(it->st);
	it->st = NULL;
}

int
household_member_add(const struct household_ctx *c, struct ops *ops, const char *household,
    const struct field_value *v, char *mid, size_t midlen, char *err, size_t errlen)
{
	const struct field *rf = &household_member_fields[MF_RELATION];
	int no = household_next_member_no(c, household, err, errlen);

	if (no < 0)
		return -1;
	snprintf(mid, midlen, "%s/%02d", household, no);
	if (v[MF_RELATION].given && strcmp(v[MF_RELATION].s, RELATION_HEAD) == 0 &&
	    household_head_count(c, household) > 0)
		return errf(err, errlen, "%s (%s) \"户主\": household %s already has its head; a "
		    "household has exactly one", rf->label, rf->name, household);
	return household_member_put(c, ops, household, mid, v, 1, err, errlen);
}
