/*
 * household.h — the domain rules of a household file (户卡): its fields as
 * data, their validation, the income formula and the change-set ops a
 * household, member or income record becomes.
 *
 * One field list per record kind serves every way in: command options
 * (--name with '_' as '-'), spreadsheet headers (the Chinese label or the
 * English name), documents (the label) and export (both).  A refusal names
 * the field and the value.
 */
#ifndef LIKA_HOUSEHOLD_H
#define LIKA_HOUSEHOLD_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "codec.h"
#include "codes.h"

enum field_kind {
	FK_TEXT,        /* free text, one line, no control characters */
	FK_NOTE,        /* free text that may run over lines (CRLF kept as LF) */
	FK_NAME,        /* a person's name: 1-60 bytes */
	FK_YEAR,        /* 1949..2100 */
	FK_MONTHS,      /* 0..12 */
	FK_MONEY,       /* yuan with up to 2 decimals, >= 0; stored in fen */
	FK_HUNDREDTHS,  /* a quantity with up to 2 decimals, >= 0; stored ×100 */
	FK_BOOL,        /* 是/否, 1/0, yes/no */
	FK_CODE,        /* a code (or its name) of table CODES */
	FK_CODESET,     /* up to MAX codes separated by , ; 、 or space */
	FK_IDCARD,      /* GB 11643-1999 */
	FK_PHONE,       /* digits, optional +, - and spaces; 5-20 characters */
	FK_ACCOUNT,     /* bank account: 8-30 digits */
	FK_VILLAGE,     /* 12-digit code of a village held by this township */
	FK_HOUSEHOLD,   /* a household id: township code + 6 digits */
	FK_MEMBER_NO,   /* 01..99 */
	FK_COUNT,       /* a number of people: 1..99 */
};

#define FIELD_TEXT_MAX 200     /* FK_TEXT, FK_NOTE without a max: most bytes */
/* 致贫原因说明 (cause_note), the longest field: proto/IMPORT.md says 1000 bytes */
#define FIELD_NOTE_MAX 1000
#define FIELD_NAME_MAX 60      /* FK_NAME: most bytes */

struct field {
	const char *name;       /* English name: header, option (with '-'), JSON key */
	const char *label;      /* Chinese header and document label */
	enum field_kind kind;
	const char *table;      /* where the column lives; NULL: handled by the record code */
	const char *codes;      /* FK_CODE, FK_CODESET: the code table */
	int max;                /* FK_CODESET: most codes; FK_TEXT: most bytes (0: 200) */
	const char *aliases;    /* other headers offices use, ";"-separated (NULL: none) */
};

/* Household fields (户). */
enum {
	HF_ID, HF_VILLAGE, HF_GROUP, HF_HEAD_NAME, HF_HEAD_IDCARD, HF_HEAD_SEX, HF_ADDRESS, HF_PHONE,
	HF_BANK, HF_ACCOUNT, HF_ATTRIBUTE, HF_STANDARD, HF_FIRST_YEAR, HF_STATUS, HF_FLAGS,
	HF_MAIN_CAUSE, HF_OTHER_CAUSES, HF_CAUSE_NOTE, HF_FARMLAND, HF_IRRIGATED, HF_FOREST,
	HF_HOUSING_AREA, HF_DANGEROUS_HOUSE, HF_SAFE_WATER, HF_ELECTRICITY, HF_ROAD_DISTANCE,
	HF_COUNT
};
/* Member fields (家庭成员). */
enum {
	MF_HOUSEHOLD, MF_HEAD_IDCARD, MF_NO, MF_NAME, MF_IDCARD, MF_SEX, MF_RELATION,
	MF_ETHNICITY, MF_EDUCATION, MF_SCHOOLING, MF_HEALTH, MF_LABOUR, MF_MIGRANT,
	MF_MIGRANT_MONTHS, MF_INSURANCE,
	MF_COUNT
};
/* Income fields (年度收入). */
enum {
	IF_HOUSEHOLD, IF_YEAR, IF_WAGES, IF_BUSINESS, IF_PROPERTY, IF_TRANSFERS, IF_COSTS, IF_SIZE,
	IF_COUNT
};

extern const struct field household_fields[HF_COUNT];
extern const struct field household_member_fields[MF_COUNT];
extern const struct field household_income_fields[IF_COUNT];

/* code_relation: a member's relation to the head */
#define RELATION_HEAD     "01"  /* 户主 */
#define RELATION_SPOUSE   "02"  /* 配偶 */
#define RELATION_SON      "03"  /* 之子 */
#define RELATION_DAUGHTER "04"  /* 之女 */
#define RELATION_FATHER   "11"  /* 之父 */
#define RELATION_MOTHER   "12"  /* 之母 */
/* code_health */
#define HEALTH_DISABLED   "04"  /* 残疾 */
/* code_labour: the two that count as labour (劳动力) */
#define LABOUR_ORDINARY   "01"  /* 普通劳动力 */
#define LABOUR_SKILLED    "02"  /* 技能劳动力 */
/* code_flag */
#define FLAG_ONLY_CHILD   "01"  /* 独生子女户 */
#define FLAG_TWO_DAUGHTERS "02" /* 双女户 */
/* code_status: a household's status, which the procedure's steps set */
#define STATUS_APPLICANT  "01"  /* 申请 */
#define STATUS_REVIEW     "02"  /* 审核中 */
#define STATUS_REGISTERED "03"  /* 已建档立卡 */
#define STATUS_REJECTED   "04"  /* 未通过 */
#define STATUS_EXITED     "05"  /* 已脱贫 */
#define STATUS_RETURNED   "06"  /* 返贫 */
#define STATUS_REMOVED    "07"  /* 清退 */
/* The statuses on the register (在册): for SQL, "status IN (" STATUS_ON_REGISTER_SQL ")" */
#define STATUS_ON_REGISTER_SQL "'" STATUS_REGISTERED "', '" STATUS_RETURNED "'"
/* the longest field value (FIELD_NOTE_MAX) and its NUL */
#define VALUE_MAX (FIELD_NOTE_MAX + 1)

/* A parsed field value.  given = 0: not supplied (an edit keeps the column). */
struct field_value {
	int given;
	int null;               /* supplied blank: the column is cleared */
	int64_t i;              /* FK_YEAR, FK_MONTHS, FK_MONEY, FK_HUNDREDTHS, FK_BOOL */
	char s[VALUE_MAX];      /* text, the code, codes joined by ",", normalized id */
};

/* What validation needs from the database, loaded once (code lists, villages). */
struct household_ctx {
	sqlite3 *db;
	char township[CODE_MAX];
	int today;              /* YYYYMMDD, for birth dates */
	struct code_entry *codes;
	size_t ncodes;
	struct code_entry *synonyms;    /* table "synonym": name = the word offices type */
	size_t nsynonyms;
	char (*villages)[CODE_MAX];
	size_t nvillages;
	struct stmt_cache *stmts;   /* household_stmt's prepared statements */
};

/* Load the code lists and villages of DB; TOWNSHIP is this node's code. */
int household_ctx_init(struct household_ctx *c, sqlite3 *db, const char *township,
    char *err, size_t errlen);
void household_ctx_release(struct household_ctx *c);

/*
 * A prepared statement of SQL, kept until household_ctx_release (so release
 * the context before closing the database); reset and unbound.  Reset it after
 * use: a statement left on a row keeps its read open.  NULL on error.
 */
sqlite3_stmt *household_stmt(const struct household_ctx *c, const char *sql);

/* Find a field by English name (either '_' or '-') or Chinese label; -1 if none. */
int household_field_find(const struct field *fs, int n, const char *header);

/*
 * Parse and check IN (NULL: not given; "" : blank) for field F into OUT.
 * ERR gets "LABEL (name) \"value\": reason".
 */
int household_field_parse(const struct household_ctx *c, const struct field *f,
    const char *in, struct field_value *out, char *err, size_t errlen);

/*
 * The code VALUE stands for in code table TABLE: the code itself, its name,
 * or a synonym the county keeps (table synonym: 乡(镇)内务工 for 01 of
 * code_migrant).  The one lookup import and options use.  NULL if none.
 */
const char *household_code_lookup(const struct household_ctx *c, const char *table,
    const char *value);

/* The key of synonym WORD of LIST: LIST/ + 16 hex digits of BLAKE2b-64 of WORD (OUT: KEY_MAX). */
void household_synonym_key(char *out, size_t len, const char *list, const char *word);

/*
 * Rule "synonym": row KEY of table synonym (in DBNAME) is keyed LIST/WORD by
 * its own columns (household_synonym_key), LIST is a code table, CODE one of its codes, and WORD is
 * not already a code or name of LIST.  0, or -1 with "rule synonym: …".
 */
int household_check_synonym(sqlite3 *db, const char *dbname, const char *key, char *err,
    size_t errlen);

/* The Chinese name of CODE in code table TABLE (CODE itself if unknown). */
const char *household_code_name(const struct household_ctx *c, const char *table,
    const char *code);

/* Is STATUS one on the register: 已建档立卡 or 返贫 (NULL: no)? */
int household_status_registered(const char *status);

/* Format fen or hundredths as "1234.50" (2 decimals, sign if negative). */
void household_format_hundredths(char *out, size_t len, int64_t v);

/* Amounts of a year's income, fen. */
struct income_parts {
	int64_t wages, business, property, transfers, costs;
};
/*
 * 人均纯收入: (wages + business + property + transfers − costs) / size, in fen,
 * rounded half away from zero.  Refuses SIZE < 1 and negative amounts.
 * The result is negative when costs exceed income.
 */
int household_income_compute(const struct income_parts *p, int size, int64_t *net,
    char *err, size_t errlen);

/* ---- records to ops ---------------------------------------------------------- */

/* The next free household id of the township (max sequence + 1) into ID (16 bytes). */
int household_next_id(const struct household_ctx *c, char *id, size_t len, char *err, size_t errlen);
/* Next free member number of HOUSEHOLD: 1..99, or -1 (reason in ERR). */
int household_next_member_no(const struct household_ctx *c, const char *household,
    char *err, size_t errlen);
/* Does row ID exist in TABLE?  1, 0, or -1 on a database error. */
int household_row_exists(const struct household_ctx *c, const char *table, const char *id);

/*
 * Check a household record V (HF_COUNT values) and add its ops: the household
 * row, its conditions, flags and causes, and on CREATE the head as member 01.
 * On CREATE the village and head are required.  Cross-record rules (the head
 * in only one household) are checked against the database.
 */
int household_put(const struct household_ctx *c, struct ops *ops, const char *id,
    const struct field_value *v, int create, char *err, size_t errlen);

/*
 * Check a member record V (MF_COUNT values) of HOUSEHOLD, key MEMBER_ID (the
 * household id + "/NN"), and add its upsert.  CREATE: name, idcard and relation
 * are required.  The ID number must be valid, its sex digit match a recorded
 * sex, and the person be in no other household of the township.  The "one
 * head" rule is the caller's (household_head_count after the write).
 */
int household_member_put(const struct household_ctx *c, struct ops *ops, const char *household,
    const char *member_id, const struct field_value *v, int create, char *err, size_t errlen);

/*
 * Add member record V (MF_COUNT values) to HOUSEHOLD under the next free
 * number, its key (HOUSEHOLD/NN) into MID: the number taken, "a household has
 * exactly one 户主" against the members recorded, then household_member_put.
 * What `lika member add` and the web console's forms both call.
 */
int household_member_add(const struct household_ctx *c, struct ops *ops, const char *household,
    const struct field_value *v, char *mid, size_t midlen, char *err, size_t errlen);

/* Members of HOUSEHOLD with relation 户主 (-1 on error). */
int household_head_count(const struct household_ctx *c, const char *household);
/* Members of HOUSEHOLD (-1 on error). */
int household_size(const struct household_ctx *c, const char *household);

/*
 * Compute and add the income row of HOUSEHOLD for V[IF_YEAR].  The household
 * size is V[IF_SIZE] when given (家庭人口 of that year, as the form records it),
 * else the number of members recorded now (so members come first).
 */
int household_income_put(const struct household_ctx *c, struct ops *ops, const char *household,
    const struct field_value *v, char *err, size_t errlen);


/* ---- reading records back --------------------------------------------------------- */

enum record_kind { RECORD_HOUSEHOLD, RECORD_MEMBER, RECORD_INCOME };
#define RECORD_MAX_FIELDS 32

/*
 * Iterate over records of KIND in key order, as strings in the form import
 * reads: code names (Chinese), amounts with 2 decimals, 是/否, "" for NULL.
 * v[k] is field k of the kind's field list.  Filters (NULL: any): one
 * household, one village, one township (first 9 digits of the key).
 * Income rows also give the computed net_per_capita in v[IF_COUNT].
 */
struct record_iter {
	const struct household_ctx *c;
	enum record_kind kind;
	sqlite3_stmt *st;
	const char *v[RECORD_MAX_FIELDS];
	char buf[RECORD_MAX_FIELDS][VALUE_MAX];
};
int household_iter_open(struct record_iter *it, const struct household_ctx *c, enum record_kind kind,
    const char *household, const char *village, const char *township, char *err, size_t errlen);
/* 1: a record in it->v; 0: done; -1: error. */
int household_iter_next(struct record_iter *it);
void household_iter_close(struct record_iter *it);

/* The field list and count of KIND. */
const struct field *household_record_fields(enum record_kind kind, int *n);

#endif
