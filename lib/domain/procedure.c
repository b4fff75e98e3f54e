/* procedure.c — steps, record hash, signing offices and policy */
#include "procedure.h"
#include "ledger.h"
#include "schema.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The two procedures.  Entry (识别): 申请 → 村小组初评 → 村级评议 → 第一榜公示 →
 * 驻村干部签字 → 乡镇审核 → 第二榜公示 → 乡镇长签字盖章 → 县级审批 → 第三榜公示 →
 * 登记.  Exit (脱贫退出): 民主评议 (驻村干部签字) → 公示 → 县级公告 → 乡镇长签字盖章.
 */
const struct step_def procedure_steps[] = {
	{ "entry", 1, "apply", "apply", "申请", NULL, 0, NULL, 0 },
	{ "entry", 2, "group_eval", "group-eval", "村小组初评", NULL, STEP_ELIGIBLE, NULL, 0 },
	{ "entry", 3, "village_eval", "village-eval", "村级评议", NULL, STEP_ELIGIBLE, NULL, 0 },
	{ "entry", 4, "village_notice", "notice", "村级公示（第一榜）", NULL, STEP_NOTICE,
	    "notice_days_village", 7 },
	{ "entry", 5, "cadre_sign", "cadre-sign", "驻村干部签字", ROLE_VILLAGE_CADRE, 0, NULL, 0 },
	{ "entry", 6, "township_review", "township-review", "乡镇审核", NULL, STEP_ELIGIBLE, NULL, 0 },
	{ "entry", 7, "township_notice", "township-notice", "乡镇公示（第二榜）", NULL, STEP_NOTICE,
	    "notice_days_township", 7 },
	{ "entry", 8, "head_sign", "head-sign", "乡镇长签字并加盖公章", ROLE_TOWNSHIP_HEAD,
	    STEP_SEAL | STEP_ELIGIBLE, NULL, 0 },
	{ "entry", 9, "county_approval", "county-approve", "县级审批", ROLE_COUNTY_OFFICE,
	    STEP_COUNTY | STEP_ELIGIBLE, NULL, 0 },
	{ "entry", 10, "county_notice", "county-notice", "县级公示（第三榜）", ROLE_COUNTY_OFFICE,
	    STEP_COUNTY | STEP_NOTICE, "notice_days_county", 15 },
	{ "entry", 11, "register", "register", "张榜公示·建档立卡", NULL, STEP_FINAL | STEP_ELIGIBLE,
	    NULL, 0 },
	{ "exit", 1, "exit_eval", "exit-eval", "脱贫民主评议", ROLE_VILLAGE_CADRE, 0, NULL, 0 },
	{ "exit", 2, "exit_notice", "exit-notice", "脱贫公示", NULL, STEP_NOTICE,
	    "notice_days_exit", 7 },
	{ "exit", 3, "exit_announce", "exit-announce", "县级脱贫公告", ROLE_COUNTY_OFFICE,
	    STEP_COUNTY, NULL, 0 },
	{ "exit", 4, "exit_confirm", "exit-confirm", "脱贫退出（乡镇长签字并加盖公章）",
	    ROLE_TOWNSHIP_HEAD, STEP_SEAL | STEP_FINAL, NULL, 0 },
	{ NULL, 0, NULL, NULL, NULL, NULL, 0, NULL, 0 },
};

const struct step_def *
procedure_step(const char *procedure, const char *name)
{
	for (const struct step_def *s = procedure_steps; s->name; s++)
		if ((!procedure || strcmp(s->procedure, procedure) == 0) && strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

const struct step_def *
procedure_step_no(const char *procedure, int number)
{
	for (const struct step_def *s = procedure_steps; s->name; s++)
		if (strcmp(s->procedure, procedure) == 0 && s->number == number)
			return s;
	return NULL;
}

int
procedure_step_key(char *out, size_t len, const char *household, int round, int number)
{
	int n = snprintf(out, len, "%s/%02d/%02d", household, round, number);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- the household record hash --------------------------------------------- */

static const char s_record_tag[] = "lika-household/1";

/* The tables of a household file, in hash order; "household" is keyed by id. */
static const char *const s_record_tables[] = {
	"household", "household_condition", "household_cause", "household_flag", "member",
	"income", NULL,
};

static void
s_pack_column(msgpack_packer *pk, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		msgpack_pack_int64(pk, sqlite3_column_int64(st, i));
		break;
	case SQLITE_TEXT: {
		int n = sqlite3_column_bytes(st, i);
		msgpack_pack_str(pk, (size_t)n);
		msgpack_pack_str_body(pk, sqlite3_column_text(st, i), (size_t)n);
		break;
	}
	case SQLITE_BLOB: {
		int n = sqlite3_column_bytes(st, i);
		msgpack_pack_bin(pk, (size_t)n);
		msgpack_pack_bin_body(pk, sqlite3_column_blob(st, i), (size_t)n);
		break;
	}
	default:    /* NULL; REAL never occurs (change sets carry no floats) */
		msgpack_pack_nil(pk);
	}
}

int
procedure_record_hash(sqlite3 *db, const char *dbname, const char *household,
    uint8_t hash[HASH_BYTES], char *err, size_t errlen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 7);
	msgpack_pack_str(&pk, sizeof s_record_tag - 1);
	msgpack_pack_str_body(&pk, s_record_tag, sizeof s_record_tag - 1);
	for (const char *const *tn = s_record_tables; *tn && rc == 0; tn++) {
		const struct table_def *t = schema_table(*tn, strlen(*tn));
		if (!t) {
			msgpack_pack_array(&pk, 0);
			continue;
		}
		/* a keyed-by-household table has a "household" column; the others are keyed by it */
		int by_column = schema_column(t, "household", 9) >= 0;
		sqlite3_str *s = sqlite3_str_new(db);
		sqlite3_str_appendf(s, "SELECT id");
		int ncols = 1;
		for (int c = 0; t->cols[c].name; c++) {
			if (strcmp(t->name, "household") == 0 && strcmp(t->cols[c].name, "status") == 0)
				continue;   /* procedure state, not the record */
			sqlite3_str_appendf(s, ", \"%w\"", t->cols[c].name);
			ncols++;
		}
		sqlite3_str_appendf(s, " FROM \"%w\".\"%w\" WHERE %s = ?1 ORDER BY id", dbname, t->name,
		    by_column ? "household" : "id");
		char *sql = sqlite3_str_finish(s);
		sqlite3_stmt *st = NULL;
		if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			rc = errf(err, errlen, "record hash: %s", sqlite3_errmsg(db));
			sqlite3_free(sql);
			break;
		}
		sqlite3_free(sql);
		sqlite3_bind_text(st, 1, household, -1, SQLITE_STATIC);
		/* count first: msgpack arrays carry their length */
		uint32_t nrows = 0;
		while (sqlite3_step(st) == SQLITE_ROW)
			nrows++;
		sqlite3_reset(st);
		msgpack_pack_array(&pk, nrows);
		int r;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			msgpack_pack_array(&pk, (size_t)ncols);
			for (int i = 0; i < ncols; i++)
				s_pack_column(&pk, st, i);
		}
		if (r != SQLITE_DONE)
			rc = errf(err, errlen, "record hash: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	if (rc == 0)
		crypto_generichash(hash, HASH_BYTES, (const unsigned char *)sb.data, sb.size, NULL, 0);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

int
procedure_office_fits(const char *role, const char *office, const char *township, const char *county)
{
	if (strcmp(role, ROLE_COUNTY_OFFICE) == 0)
		return strcmp(office, county) == 0;
	if (strcmp(role, ROLE_TOWNSHIP_HEAD) == 0)
		return strcmp(office, township) == 0;
	/* a resident cadre is posted to the township or to one of its villages */
	return strncmp(office, township, strlen(township)) == 0;
}

/* ---- policy ------------------------------------------------------------------ */

int
procedure_policy(sqlite3 *db, const char *dbname, const char *name, int year, char *value,
    size_t len, int *from)
{
	sqlite3_stmt *st = NULL;
	int rc;
	char *sql = sqlite3_mprintf("SELECT value, year FROM \"%w\".policy WHERE name = ?1 AND "
	    "year <= ?2 ORDER BY year DESC LIMIT 1", dbname);

	rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, year);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(value, len, "%s", sqlite3_column_type(st, 0) == SQLITE_NULL ? "" :
		    (const char *)sqlite3_column_text(st, 0));
		if (from)
			*from = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int64_t
procedure_policy_int(sqlite3 *db, const char *dbname, const char *name, int year, int64_t def)
{
	char v[64], *end;

	if (procedure_policy(db, dbname, name, year, v, sizeof v, NULL) != 1 || !v[0])
		return def;
	long long x = strtoll(v, &end, 10);
	return *end ? def : (int64_t)x;
}

