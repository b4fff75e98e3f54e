/* procedure.c — steps, signed statements, record hash and the domain check */
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

/* ---- the signed statement ------------------------------------------------- */

static void
s_pack_str(msgpack_packer *pk, const char *s)
{
	if (!s) {
		msgpack_pack_nil(pk);
		return;
	}
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

void
procedure_statement(msgpack_sbuffer *out, const struct step_row *r)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 15);
	s_pack_str(&pk, "lika-step/1");
	s_pack_str(&pk, r->table);
	s_pack_str(&pk, r->key);
	s_pack_str(&pk, r->household);
	msgpack_pack_int64(&pk, r->round);
	s_pack_str(&pk, r->procedure);
	s_pack_str(&pk, r->step);
	s_pack_str(&pk, r->decision);
	s_pack_str(&pk, r->at);
	if (r->days < 0)
		msgpack_pack_nil(&pk);
	else
		msgpack_pack_int64(&pk, r->days);
	s_pack_str(&pk, r->reasons);
	s_pack_str(&pk, r->details);
	if (r->record_hash) {
		msgpack_pack_bin(&pk, HASH_BYTES);
		msgpack_pack_bin_body(&pk, r->record_hash, HASH_BYTES);
	} else {
		msgpack_pack_nil(&pk);
	}
	s_pack_str(&pk, r->official);
	s_pack_str(&pk, r->by_name);
}

/* ---- the household record hash --------------------------------------------- */

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
	s_pack_str(&pk, "lika-household/1");
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

/* ---- the domain check ------------------------------------------------------ */

static const char *
s_text(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(st, i);
}

/* Official ID in DBNAME: its key, role and office; 0, or -1 with the reason. */
static int
s_official(sqlite3 *db, const char *dbname, const char *id, uint8_t pk[PUBKEY_BYTES],
    char *role, size_t rolelen, char *office, size_t officelen, char *err, size_t errlen)
{
	char *sql = sqlite3_mprintf("SELECT pubkey, role, office FROM \"%w\".official WHERE id = ?1",
	    dbname);
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return errf(err, errlen, "official: %s", sqlite3_errmsg(db));
	}
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == PUBKEY_BYTES) {
		memcpy(pk, sqlite3_column_blob(st, 0), PUBKEY_BYTES);
		snprintf(role, rolelen, "%s", s_text(st, 1) ? s_text(st, 1) : "");
		snprintf(office, officelen, "%s", s_text(st, 2) ? s_text(st, 2) : "");
		rc = 0;
	} else {
		errf(err, errlen, "official \"%s\" is not on the county roster", id);
	}
	sqlite3_finalize(st);
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

static int
s_check_step(struct ledger *l, sqlite3 *db, const char *dbname, const char *table,
    const char *key, char *err, size_t errlen)
{
	char *sql = sqlite3_mprintf("SELECT household, round, procedure, step, decision, at, days, "
	    "reasons, details, record_hash, official, signer, sig, seal, by_name FROM \"%w\".\"%w\" "
	    "WHERE id = ?1",
	    dbname, table);
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return errf(err, errlen, "%s: %s", table, sqlite3_errmsg(db));
	}
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return errf(err, errlen, "%s row \"%s\" vanished", table, key);
	}
	struct step_row r = {
		.table = table, .key = key, .household = s_text(st, 0),
		.round = sqlite3_column_int64(st, 1), .procedure = s_text(st, 2), .step = s_text(st, 3),
		.decision = s_text(st, 4), .at = s_text(st, 5),
		.days = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6),
		.reasons = s_text(st, 7), .details = s_text(st, 8),
		.record_hash = sqlite3_column_bytes(st, 9) == HASH_BYTES ? sqlite3_column_blob(st, 9) : NULL,
		.official = s_text(st, 10), .by_name = s_text(st, 14),
	};
	const struct step_def *def = r.procedure && r.step ? procedure_step(r.procedure, r.step) : NULL;
	char want[KEY_MAX + 8];
	size_t hlen = r.household ? strlen(r.household) : 0;

	if (!def) {
		rc = errf(err, errlen, "rule step-known: %s \"%s\": no step \"%s\" in procedure \"%s\"",
		    table, key, r.step ? r.step : "", r.procedure ? r.procedure : "");
		goto out;
	}
	if (!r.household || hlen < 9 || procedure_step_key(want, sizeof want, r.household, (int)r.round,
	    def->number) < 0 || strcmp(want, key) != 0) {
		rc = errf(err, errlen, "rule step-key: %s \"%s\" must be keyed household/round/%02d",
		    table, key, def->number);
		goto out;
	}
	if (!!(def->flags & STEP_COUNTY) != (strcmp(table, "approval") == 0)) {
		rc = errf(err, errlen, "rule step-table: step \"%s\" belongs in table \"%s\"", def->name,
		    def->flags & STEP_COUNTY ? "approval" : "review_step");
		goto out;
	}
	if (!r.official) {
		if (def->role)
			rc = errf(err, errlen, "rule signature: step \"%s\" of %s must be signed by a %s",
			    def->name, r.household, def->role);
		goto out;
	}
	/* signed: by whom, and does the signature hold? */
	uint8_t pk[PUBKEY_BYTES];
	char role[32], office[CODE_MAX], township[CODE_MAX], county[CODE_MAX];
	if (s_official(db, dbname, r.official, pk, role, sizeof role, office, sizeof office,
	    err, errlen) < 0) {
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		rc = errf(err, errlen, "rule signature: step \"%s\" of %s: %s", def->name, r.household, why);
		goto out;
	}
	snprintf(township, sizeof township, "%.9s", r.household);
	snprintf(county, sizeof county, "%.6s", r.household);
	if (def->role && strcmp(role, def->role) != 0) {
		rc = errf(err, errlen, "rule signer-role: step \"%s\" of %s must be signed by a %s, "
		    "not by %s (%s)", def->name, r.household, def->role, r.official, role);
		goto out;
	}
	if (!procedure_office_fits(role, office, township, county)) {
		rc = errf(err, errlen, "rule signer-office: %s (%s of %s) may not sign for township %s",
		    r.official, role, office, township);
		goto out;
	}
	if (sqlite3_column_bytes(st, 11) != PUBKEY_BYTES ||
	    sodium_memcmp(sqlite3_column_blob(st, 11), pk, PUBKEY_BYTES) != 0) {
		rc = errf(err, errlen, "rule signature: step \"%s\" of %s names %s but carries another key",
		    def->name, r.household, r.official);
		goto out;
	}
	msgpack_sbuffer sb;
	procedure_statement(&sb, &r);
	if (sqlite3_column_bytes(st, 12) != SIG_BYTES ||
	    crypto_sign_verify_detached(sqlite3_column_blob(st, 12), (const unsigned char *)sb.data,
	    sb.size, pk) != 0) {
		rc = errf(err, errlen, "rule signature: step \"%s\" of %s: the signature of %s does not "
		    "verify (forged or altered)", def->name, r.household, r.official);
	} else if (def->flags & STEP_SEAL) {
		uint8_t npk[PUBKEY_BYTES];
		if (ledger_origin_key(l, township, npk) < 0)
			rc = errf(err, errlen, "rule seal: township %s has no key on the roster", township);
		else if (sqlite3_column_bytes(st, 13) != SIG_BYTES ||
		    crypto_sign_verify_detached(sqlite3_column_blob(st, 13), (const unsigned char *)sb.data,
		    sb.size, npk) != 0)
			rc = errf(err, errlen, "rule seal: step \"%s\" of %s is not sealed by township %s",
			    def->name, r.household, township);
	}
	msgpack_sbuffer_destroy(&sb);
out:
	sqlite3_finalize(st);
	return rc;
}

/* half_year rows: a signature, if present, must hold (cadre or township head). */
static int
s_check_half_year(sqlite3 *db, const char *dbname, const char *key, char *err, size_t errlen)
{
	char *sql = sqlite3_mprintf("SELECT household, period, decision, at, reasons, official, signer, "
	    "sig FROM \"%w\".half_year WHERE id = ?1", dbname);
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return errf(err, errlen, "half_year: %s", sqlite3_errmsg(db));
	}
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && s_text(st, 5)) {
		uint8_t pk[PUBKEY_BYTES];
		char role[32], office[CODE_MAX], township[CODE_MAX];
		const char *hh = s_text(st, 0) ? s_text(st, 0) : "";
		snprintf(township, sizeof township, "%.9s", hh);
		if (s_official(db, dbname, s_text(st, 5), pk, role, sizeof role, office, sizeof office,
		    err, errlen) < 0) {
			rc = -1;
		} else if (strcmp(role, ROLE_COUNTY_OFFICE) == 0 ||
		    !procedure_office_fits(role, office, township, "")) {
			rc = errf(err, errlen, "rule signer-role: half-year review of %s signed by %s (%s of %s)",
			    hh, s_text(st, 5), role, office);
		} else {
			msgpack_sbuffer sb;
			msgpack_packer pk2;
			msgpack_sbuffer_init(&sb);
			msgpack_packer_init(&pk2, &sb, msgpack_sbuffer_write);
			msgpack_pack_array(&pk2, 8);
			s_pack_str(&pk2, "lika-half-year/1");
			s_pack_str(&pk2, key);
			for (int i = 0; i < 5; i++)
				s_pack_str(&pk2, s_text(st, i));
			s_pack_str(&pk2, s_text(st, 5));
			if (sqlite3_column_bytes(st, 6) != PUBKEY_BYTES ||
			    sodium_memcmp(sqlite3_column_blob(st, 6), pk, PUBKEY_BYTES) != 0 ||
			    sqlite3_column_bytes(st, 7) != SIG_BYTES ||
			    crypto_sign_verify_detached(sqlite3_column_blob(st, 7),
			    (const unsigned char *)sb.data, sb.size, pk) != 0)
				rc = errf(err, errlen, "rule signature: half-year review of %s: the signature of %s "
				    "does not verify", hh, s_text(st, 5));
			msgpack_sbuffer_destroy(&sb);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* official rows: a known role, a 32-byte key, an office of the writing county. */
static int
s_check_official(sqlite3 *db, const char *dbname, const char *origin, const char *key,
    char *err, size_t errlen)
{
	char *sql = sqlite3_mprintf("SELECT pubkey, coalesce(role, ''), coalesce(office, '') FROM "
	    "\"%w\".official WHERE id = ?1", dbname);
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return errf(err, errlen, "official: %s", sqlite3_errmsg(db));
	}
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *role = s_text(st, 1), *office = s_text(st, 2);
		size_t olen = strlen(office);
		if (sqlite3_column_bytes(st, 0) != PUBKEY_BYTES)
			rc = errf(err, errlen, "rule official: official \"%s\" needs a 32-byte public key", key);
		else if (strcmp(role, ROLE_VILLAGE_CADRE) && strcmp(role, ROLE_TOWNSHIP_HEAD) &&
		    strcmp(role, ROLE_COUNTY_OFFICE))
			rc = errf(err, errlen, "rule official: official \"%s\" has unknown role \"%s\"", key, role);
		else if (strncmp(office, origin, strlen(origin)) != 0 || (olen != 6 && olen != 9 && olen != 12) ||
		    strncmp(key, office, olen) != 0 || key[olen] != '/')
			rc = errf(err, errlen, "rule official: official \"%s\" of office \"%s\" is not keyed "
			    "under an office of county %s", key, office, origin);
	}
	sqlite3_finalize(st);
	return rc;
}

int
procedure_check_row(struct ledger *l, sqlite3 *db, const char *dbname, const char *origin,
    const char *table, const char *key, size_t keylen, int deleted, char *err, size_t errlen)
{
	char k[KEY_MAX + 1];
	int signed_table = strcmp(table, "review_step") == 0 || strcmp(table, "approval") == 0;

	if (!signed_table && strcmp(table, "official") != 0 && strcmp(table, "half_year") != 0)
		return 0;
	if (deleted)
		return errf(err, errlen, "rule history: rows of \"%s\" are never deleted", table);
	if (keylen > KEY_MAX)
		return errf(err, errlen, "key too long");
	memcpy(k, key, keylen);
	k[keylen] = '\0';
	if (signed_table)
		return s_check_step(l, db, dbname, table, k, err, errlen);
	if (strcmp(table, "half_year") == 0)
		return s_check_half_year(db, dbname, k, err, errlen);
	return s_check_official(db, dbname, origin, k, err, errlen);
}

/* ---- dates and policy ------------------------------------------------------ */

/* Days from civil date (Howard Hinnant's algorithm), proleptic Gregorian. */
static long
s_days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* The first N bytes of S are ASCII digits. */
static int
s_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

long
procedure_day(const char *date)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-' ||
	    !s_digits(date, 4) || !s_digits(date + 5, 2) || !s_digits(date + 8, 2))
		return -1;
	long y = strtol(date, NULL, 10);
	unsigned m = (unsigned)strtoul(date + 5, NULL, 10), d = (unsigned)strtoul(date + 8, NULL, 10);
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || (int)d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	return s_days_from_civil(y, m, d);
}

void
procedure_date(char out[11], long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 11, "%04ld-%02u-%02u", y % 10000, m % 100, d % 100);
}

void
procedure_today(char out[11])
{
	const char *t = getenv("LIKA_TODAY");
	if (t && procedure_day(t) >= 0) {
		snprintf(out, 11, "%s", t);
		return;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int
procedure_policy(sqlite3 *db, const char *name, int year, char *value, size_t len, int *from)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT value, year FROM policy WHERE name = ?1 AND year <= ?2 "
	    "ORDER BY year DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, year);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(value, len, "%s", s_text(st, 0) ? s_text(st, 0) : "");
		if (from)
			*from = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int64_t
procedure_policy_int(sqlite3 *db, const char *name, int year, int64_t def)
{
	char v[64], *end;

	if (procedure_policy(db, name, year, v, sizeof v, NULL) != 1 || !v[0])
		return def;
	long long x = strtoll(v, &end, 10);
	return *end ? def : (int64_t)x;
}

int
procedure_parse_yuan(const char *s, int64_t *fen)
{
	int64_t y = 0;
	int frac = 0, nfrac = 0, digits = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (y > INT64_MAX / 1000)
			return -1;
		y = y * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nfrac < 2; p++, nfrac++)
			frac = frac * 10 + (*p - '0');
		if (nfrac == 0)
			return -1;
	}
	if (*p || digits == 0)
		return -1;
	if (nfrac == 1)
		frac *= 10;
	*fen = y * 100 + frac;
	return 0;
}

void
procedure_format_yuan(char *out, size_t len, int64_t fen)
{
	const char *sign = fen < 0 ? "-" : "";
	uint64_t a = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;
	snprintf(out, len, "%s%llu.%02llu", sign, (unsigned long long)(a / 100),
	    (unsigned long long)(a % 100));
}
