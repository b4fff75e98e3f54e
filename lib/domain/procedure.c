/* procedure.c — steps, record hash, signing offices and policy */
#include "procedure.h"
#include "household.h"
#include "ledger.h"
#include "schema.h"
#include "util.h"

#include <stdarg.h>
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
	/* procedure, no, name, command, label, role, flags, notice policy, days, status, binds */
	{ "entry", 1, "apply", "apply", "申请", NULL, 0, NULL, 0, STATUS_APPLICANT, 0 },
	{ "entry", 2, "group_eval", "group-eval", "村小组初评", NULL, STEP_ELIGIBLE, NULL, 0,
	    STATUS_REVIEW, 0 },
	{ "entry", 3, "village_eval", "village-eval", "村级评议", NULL, STEP_ELIGIBLE, NULL, 0,
	    NULL, 0 },
	{ "entry", 4, "village_notice", "notice", "村级公示（第一榜）", NULL, STEP_NOTICE,
	    "notice_days_village", 7, NULL, 0 },
	{ "entry", 5, "cadre_sign", "cadre-sign", "驻村干部签字", ROLE_VILLAGE_CADRE, 0, NULL, 0,
	    NULL, 0 },
	{ "entry", 6, "township_review", "township-review", "乡镇审核", NULL, STEP_ELIGIBLE, NULL, 0,
	    NULL, 0 },
	{ "entry", 7, "township_notice", "township-notice", "乡镇公示（第二榜）", NULL, STEP_NOTICE,
	    "notice_days_township", 7, NULL, 0 },
	{ "entry", 8, "head_sign", "head-sign", "乡镇长签字并加盖公章", ROLE_TOWNSHIP_HEAD,
	    STEP_SEAL | STEP_ELIGIBLE, NULL, 0, NULL, 0 },
	{ "entry", 9, "county_approval", "county-approve", "县级审批", ROLE_COUNTY_OFFICE,
	    STEP_COUNTY | STEP_ELIGIBLE, NULL, 0, NULL, 8 },
	{ "entry", 10, "county_notice", "county-notice", "县级公示（第三榜）", ROLE_COUNTY_OFFICE,
	    STEP_COUNTY | STEP_NOTICE, "notice_days_county", 15, NULL, 0 },
	{ "entry", 11, "register", "register", "张榜公示·建档立卡", NULL, STEP_FINAL | STEP_ELIGIBLE,
	    NULL, 0, STATUS_REGISTERED, 9 },
	{ "exit", 1, "exit_eval", "exit-eval", "脱贫民主评议", ROLE_VILLAGE_CADRE, 0, NULL, 0,
	    NULL, 0 },
	{ "exit", 2, "exit_notice", "exit-notice", "脱贫公示", NULL, STEP_NOTICE,
	    "notice_days_exit", 7, NULL, 0 },
	{ "exit", 3, "exit_announce", "exit-announce", "县级脱贫公告", ROLE_COUNTY_OFFICE,
	    STEP_COUNTY, NULL, 0, NULL, 0 },
	{ "exit", 4, "exit_confirm", "exit-confirm", "脱贫退出（乡镇长签字并加盖公章）",
	    ROLE_TOWNSHIP_HEAD, STEP_SEAL | STEP_FINAL, NULL, 0, STATUS_EXITED, 3 },
	{ NULL, 0, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, 0 },
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
			/*
			 * status is procedure state; the village group is where the household is
			 * evaluated (schema 2), not what it is: a step signed on schema 1 binds
			 * the same record on a node of schema 2
			 */
			if (strcmp(t->name, "household") == 0 && (strcmp(t->cols[c].name, "status") == 0 ||
			    strcmp(t->cols[c].name, "village_group") == 0))
				continue;
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

const struct policy_def procedure_policies[] = {
	{ "poverty_line", POLICY_YUAN, "identification line, yuan per person a year (e.g. 2300)" },
	{ "exclude_dibao_wubao", POLICY_BOOL, "低保户 and 五保户 outside this registration (default 1)" },
	{ "notice_days_village", POLICY_DAYS, "first notice, days (default 7)" },
	{ "notice_days_township", POLICY_DAYS, "second notice, days (default 7)" },
	{ "notice_days_county", POLICY_DAYS, "third notice, days (default 15)" },
	{ "notice_days_exit", POLICY_DAYS, "exit notice, days (default 7)" },
	{ "max_backdate_days", POLICY_DAYS, "a step may be dated this many days before it is recorded "
	    "(default 30)" },
	{ "schedule_prep_end", POLICY_DATE, "preparation ends (default YEAR-05-31)" },
	{ "schedule_identify_end", POLICY_DATE, "identification ends (default YEAR-06-15)" },
	{ "schedule_files_end", POLICY_DATE, "files and assistance end (default YEAR-06-30)" },
	{ "schedule_review_end", POLICY_DATE, "review and summary end (default YEAR-07-15)" },
	{ NULL, POLICY_TEXT, NULL },
};

int
procedure_policy_value(const char *name, int year, const char *v, char *out, size_t outlen,
    char *why, size_t whylen)
{
	const struct policy_def *d = procedure_policies;
	int64_t x;
	size_t n = strlen(v);

	while (d->name && strcmp(d->name, name) != 0)
		d++;
	switch (d->kind) {
	case POLICY_TEXT:
		if (!n || n > 200)
			return errf(why, whylen, "value \"%.40s\" must be 1 to 200 bytes", v);
		snprintf(out, outlen, "%s", v);
		return 0;
	case POLICY_YUAN:
		if (money_parse_yuan(v, &x) < 0 || x <= 0)
			return errf(why, whylen, "%s \"%.40s\" is not an amount of yuan (e.g. 2300 or "
			    "2736.00)", name, v);
		/* kept in yuan as offices write it: "2300", "2736.50" */
		if (x % 100)
			snprintf(out, outlen, "%lld.%02lld", (long long)(x / 100), (long long)(x % 100));
		else
			snprintf(out, outlen, "%lld", (long long)(x / 100));
		return 0;
	case POLICY_BOOL:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return errf(why, whylen, "%s \"%.40s\" is neither 0 nor 1", name, v);
		snprintf(out, outlen, "%s", v);
		return 0;
	case POLICY_DAYS:
		if (!n || n > 2 || strspn(v, "0123456789") != n || atoi(v) < 1 || atoi(v) > 60)
			return errf(why, whylen, "%s \"%.40s\" is not 1-60 days", name, v);
		snprintf(out, outlen, "%d", atoi(v));
		return 0;
	case POLICY_DATE:
		if (date_day(v) < 0 || atoi(v) != year)
			return errf(why, whylen, "%s \"%.40s\" is not a date YYYY-MM-DD in %d", name, v, year);
		snprintf(out, outlen, "%s", v);
		return 0;
	}
	return errf(why, whylen, "%s: unknown kind of policy", name);
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


/* ---- the state machine ---------------------------------------------------------- */

static const char *
s_col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(st, i);
}

sqlite3_stmt *
procedure_prepare(sqlite3 *db, const char *dbname, const char *fmt)
{
	sqlite3_stmt *st = NULL;
	char *sql = sqlite3_mprintf(fmt, dbname, dbname, dbname, dbname);

	if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	sqlite3_free(sql);
	return st;
}

/* One integer from SQL (?1 = A, ?2 = B, ?3 = C as text, NULL: unbound); DEF if no row. */
static int64_t
s_int(sqlite3 *db, const char *dbname, const char *fmt, const char *a, const char *b,
    const char *c, int64_t def)
{
	sqlite3_stmt *st = procedure_prepare(db, dbname, fmt);
	int64_t v = def;

	if (!st)
		return def;
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (c)
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
procedure_load(sqlite3 *db, const char *dbname, const char *household, const char *skip,
    struct procedure_state *h)
{
	sqlite3_stmt *st;
	int rc;

	memset(h, 0, sizeof *h);
	snprintf(h->id, sizeof h->id, "%s", household);
	if (!skip)
		skip = "";
	st = procedure_prepare(db, dbname, "SELECT village, coalesce(status, ''), coalesce(attribute, '') "
	    "FROM \"%w\".household WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, household, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(h->village, sizeof h->village, "%s", s_col(st, 0));
		snprintf(h->status, sizeof h->status, "%s", s_col(st, 1));
		snprintf(h->attribute, sizeof h->attribute, "%s", s_col(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;

	h->round = (int)s_int(db, dbname, "SELECT max(r) FROM (SELECT max(round) r FROM "
	    "\"%w\".review_step WHERE household = ?1 AND id <> ?2 UNION ALL SELECT max(round) FROM "
	    "\"%w\".approval WHERE household = ?1 AND id <> ?2)", household, skip, NULL, 0);
	if (h->round <= 0) {
		h->round = 0;
		return 1;
	}
	st = procedure_prepare(db, dbname, "SELECT procedure, step, decision, at, days, id, record_hash FROM "
	    "(SELECT * FROM \"%w\".review_step UNION ALL SELECT * FROM \"%w\".approval) "
	    "WHERE household = ?1 AND round = ?2 AND id <> ?3");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, household, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, h->round);
	sqlite3_bind_text(st, 3, skip, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const struct step_def *d = procedure_step(s_col(st, 0), s_col(st, 1));
		if (!d || d->number >= PROCEDURE_MAX_STEPS)
			continue;
		snprintf(h->procedure, sizeof h->procedure, "%s", d->procedure);
		h->s[d->number].present = 1;
		snprintf(h->s[d->number].decision, sizeof h->s[0].decision, "%s", s_col(st, 2));
		snprintf(h->s[d->number].at, sizeof h->s[0].at, "%s", s_col(st, 3));
		h->s[d->number].days = sqlite3_column_int(st, 4);
		snprintf(h->s[d->number].key, sizeof h->s[0].key, "%s", s_col(st, 5));
		if (sqlite3_column_bytes(st, 6) == HASH_BYTES) {
			h->s[d->number].has_hash = 1;
			memcpy(h->s[d->number].hash, sqlite3_column_blob(st, 6), HASH_BYTES);
		}
		if (d->number > h->last)
			h->last = d->number;
		if (strcmp(s_col(st, 2), "reject") == 0)
			h->rejected = 1;
		if (d->flags & STEP_FINAL)
			h->complete = 1;
	}
	sqlite3_finalize(st);
	return 1;
}

const char *
procedure_stage(const struct procedure_state *h, char *buf, size_t len)
{
	if (h->round == 0) {
		snprintf(buf, len, "no procedure yet");
		return buf;
	}
	const struct step_def *d = procedure_step_no(h->procedure, h->last);
	snprintf(buf, len, "%s round %d: %s%s", h->procedure, h->round, d ? d->name : "?",
	    h->rejected ? " (rejected: file returned)" : h->complete ? " (complete)" : "");
	return buf;
}

const char *
procedure_decision(const struct step_def *def, int reject)
{
	if (def->number == 1 && strcmp(def->procedure, "entry") == 0)
		return "apply";
	if (def->flags & STEP_NOTICE)
		return "posted";
	return reject ? "reject" : "pass";
}

const char *
procedure_status_after(const struct step_def *def, const char *decision)
{
	if (def->flags & STEP_COUNTY)
		return NULL;    /* the county writes no township row */
	if (strcmp(decision, "reject") == 0)
		return strcmp(def->procedure, "entry") == 0 ? STATUS_REJECTED : NULL;
	return def->status;
}

/* A refusal: the rule's name into RULE, the message into ERR; returns -1. */
static int
s_refuse(char *rule, size_t rulelen, const char *name, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
s_refuse(char *rule, size_t rulelen, const char *name, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	snprintf(rule, rulelen, "%s", name);
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

#define REFUSE(name, ...) s_refuse(rule, rulelen, (name), err, errlen, __VA_ARGS__)

/* The order of steps and rounds. */
static int
s_check_order(const struct procedure_state *h, const struct step_take *t, char *rule,
    size_t rulelen, char *err, size_t errlen)
{
	const struct step_def *def = t->def;
	const char *proc = def->procedure;
	char stage[96];

	procedure_stage(h, stage, sizeof stage);
	if (def->number == 1) {
		int registered = household_status_registered(h->status);
		if (h->round > 0 && !h->rejected && !h->complete)
			return REFUSE("order", "household %s is in %s; a new %s round starts only after it "
			    "completes or is rejected", h->id, stage, proc);
		if (!strcmp(proc, "entry") && (registered || !strcmp(h->status, STATUS_REMOVED)))
			return REFUSE("order", "household %s is already %s", h->id,
			    registered ? "registered (已建档立卡)" : "removed (清退)");
		if (!strcmp(proc, "exit") && !registered)
			return REFUSE("order", "only a registered household exits; %s has status %s",
			    h->id, h->status);
		if (t->round != h->round + 1)
			return REFUSE("order", "household %s: a new round is round %d, not %d", h->id,
			    h->round + 1, t->round);
		return 0;
	}
	const struct step_def *want = NULL;
	if (h->round > 0 && !h->rejected && !h->complete && !strcmp(h->procedure, proc))
		want = procedure_step_no(proc, h->last + 1);
	if (want != def || t->round != h->round) {
		const struct step_def *lastd = h->round ? procedure_step_no(h->procedure, h->last) : NULL;
		return REFUSE("order", "step %s (%s) of household %s does not follow %s%s", def->name,
		    def->label, h->id, lastd ? "its last step, " : "nothing: ",
		    lastd ? stage : "no application recorded");
	}
	const struct step_def *prev = procedure_step_no(proc, def->number - 1);
	const char *pd = h->s[def->number - 1].decision;
	if (prev && !(prev->flags & STEP_NOTICE) && strcmp(pd, "pass") != 0 && strcmp(pd, "apply") != 0)
		return REFUSE("order", "step %s of %s was not passed", prev->name, h->id);
	return 0;
}

/* The step's date: after the previous step's, within the county's window of its clock. */
static int
s_check_date(sqlite3 *db, const char *dbname, const struct procedure_state *h,
    const struct step_take *t, char *rule, size_t rulelen, char *err, size_t errlen)
{
	long day = date_day(t->at);
	char clock[11];

	if (day < 0)
		return REFUSE("step-date", "step %s of %s: \"%s\" is not a date YYYY-MM-DD",
		    t->def->name, h->id, t->at);
	if (t->def->number > 1 && h->s[t->def->number - 1].present &&
	    day < date_day(h->s[t->def->number - 1].at))
		return REFUSE("step-date", "step %s of %s is dated %s, before its previous step (%s)",
		    t->def->name, h->id, t->at, h->s[t->def->number - 1].at);
	if (t->clock_ms <= 0)
		return 0;
	long now = (long)(t->clock_ms / 86400000);
	int64_t window = procedure_policy_int(db, dbname, "max_backdate_days", (int)strtol(t->at, NULL, 10),
	    30);
	date_format(clock, now);
	if (day < now - window)
		return REFUSE("step-backdated", "step %s of %s is dated %s, %ld days before it was "
		    "recorded (%s); the county allows %lld (policy max_backdate_days)", t->def->name,
		    h->id, t->at, now - day, clock, (long long)window);
	if (day > now + 1)
		return REFUSE("step-future", "step %s of %s is dated %s, after the day it was recorded (%s)",
		    t->def->name, h->id, t->at, clock);
	return 0;
}

/* The notice that step T follows has ended (and, with OBJECTIONS, none is open or upheld). */
static int
s_check_notice(sqlite3 *db, const char *dbname, const struct procedure_state *h,
    const struct step_take *t, int objections, char *rule, size_t rulelen, char *err, size_t errlen)
{
	int n = t->def->number;
	const struct step_def *nd = procedure_step_no(t->def->procedure, n - 1);

	if (n < 2 || !nd || !(nd->flags & STEP_NOTICE) || !h->s[n - 1].present)
		return 0;
	long start = date_day(h->s[n - 1].at), now = date_day(t->at);
	char last[11], next[11];
	date_format(last, start + h->s[n - 1].days - 1);
	date_format(next, start + h->s[n - 1].days);
	if (now < start + h->s[n - 1].days)
		return REFUSE("notice-period", "the %s (%s) of %s runs %d days from %s to %s; the next "
		    "step may follow on %s (today is %s)", nd->name, nd->label, h->id, h->s[n - 1].days,
		    h->s[n - 1].at, last, next, t->at);
	if (!objections)
		return 0;

	int passing = strcmp(t->decision, "pass") == 0;
	sqlite3_stmt *st = procedure_prepare(db, dbname, "SELECT id, coalesce(by_name, ''), finding FROM "
	    "\"%w\".objection WHERE household = ?1 AND step = ?2 ORDER BY id");
	int rc = 0;
	if (!st)
		return REFUSE("database", "objections: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, h->s[n - 1].key, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			rc = REFUSE("objection-open", "objection %s (by %s) to the %s of %s has no finding "
			    "yet (\"lika review finding\")", s_col(st, 0), s_col(st, 1), nd->name, h->id);
		else if (passing && strcmp(s_col(st, 2), "upheld") == 0)
			rc = REFUSE("objection-upheld", "objection %s (by %s) was upheld: the %s of %s can "
			    "only reject (--reject --reasons …)", s_col(st, 0), s_col(st, 1),
			    t->def->name, h->id);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Latest income year and per-capita net income of H: 1, or 0 if none is recorded. */
static int
s_latest_income(sqlite3 *db, const char *dbname, const char *id, int *year, int64_t *net)
{
	sqlite3_stmt *st = procedure_prepare(db, dbname, "SELECT year, net_per_capita FROM \"%w\".income "
	    "WHERE household = ?1 AND net_per_capita IS NOT NULL ORDER BY year DESC LIMIT 1");
	int found = 0;

	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		*year = sqlite3_column_int(st, 0);
		*net = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return found;
}

/* The poverty line of YEAR in fen: 1, 0 if none is set, -1 if it is not an amount. */
static int
s_line(sqlite3 *db, const char *dbname, int year, int64_t *fen, int *from, char *raw, size_t rawlen)
{
	if (procedure_policy(db, dbname, "poverty_line", year, raw, rawlen, from) != 1)
		return 0;
	return money_parse_yuan(raw, fen) < 0 ? -1 : 1;
}

/* Eligibility: the poverty line, 低保/五保, 三不评 (entry); income above the line (exit). */
static int
s_check_eligible(sqlite3 *db, const char *dbname, const struct procedure_state *h,
    const struct step_take *t, char *rule, size_t rulelen, char *err, size_t errlen)
{
	char raw[32], yuan[32], lyuan[32];
	int year = 0, from = 0;
	int64_t net = 0, line = 0;
	int exit = strcmp(t->def->procedure, "exit") == 0;

	if (!s_latest_income(db, dbname, h->id, &year, &net))
		return REFUSE(exit ? "exit-income" : "income-recorded", "household %s has no income "
		    "recorded (\"lika income\"): the line cannot be checked", h->id);
	int r = s_line(db, dbname, year, &line, &from, raw, sizeof raw);
	if (r == 0)
		return REFUSE(exit ? "exit-income" : "poverty-line", "no poverty line is set for %d "
		    "(\"lika policy set poverty_line %d YUAN\" at the county)", year, year);
	if (r < 0)
		return REFUSE(exit ? "exit-income" : "poverty-line", "policy poverty_line/%d \"%s\" is "
		    "not an amount of yuan", from, raw);
	money_format_yuan(yuan, sizeof yuan, net);
	money_format_yuan(lyuan, sizeof lyuan, line);
	if (exit) {
		if (net <= line)
			return REFUSE("exit-income", "household %s: per-capita net income %s yuan (%d) is "
			    "not above the line of %s yuan", h->id, yuan, year, lyuan);
		return 0;
	}
	if (net > line)
		return REFUSE("poverty-line", "household %s: per-capita net income %s yuan (%d) is "
		    "above the line of %s yuan for %d", h->id, yuan, year, lyuan, year);
	if ((!strcmp(h->attribute, "02") || !strcmp(h->attribute, "03")) &&
	    procedure_policy_int(db, dbname, "exclude_dibao_wubao", (int)strtol(t->at, NULL, 10), 1) == 1)
		return REFUSE("dibao-wubao", "household %s is a %s household; county policy "
		    "exclude_dibao_wubao puts 低保户 and 五保户 outside this registration", h->id,
		    strcmp(h->attribute, "02") == 0 ? "低保" : "五保");

	sqlite3_stmt *st = procedure_prepare(db, dbname, "SELECT kind, coalesce(source, ''), coalesce(at, '') "
	    "FROM \"%w\".exclusion WHERE household = ?1 AND coalesce(lifted, 0) = 0 ORDER BY id LIMIT 1");
	int rc = 0;
	if (!st)
		return REFUSE("database", "exclusions: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = REFUSE("three-exclusions", "household %s has the exclusion \"%s\" recorded (三不评), "
		    "source: %s (%s)", h->id, s_col(st, 0), s_col(st, 1), s_col(st, 2));
	sqlite3_finalize(st);
	return rc;
}

int
procedure_check_eligible(sqlite3 *db, const char *dbname, const struct procedure_state *h,
    const char *at, char *rule, size_t rulelen, char *err, size_t errlen)
{
	struct step_take t = { .def = procedure_step("entry", "group_eval"), .decision = "pass", .at = at };
	return s_check_eligible(db, dbname, h, &t, rule, rulelen, err, errlen);
}

/* Quota of CODE (township or village) for the step's year: one more must fit. */
static int
s_check_quota(sqlite3 *db, const char *dbname, const char *code, const struct procedure_state *h,
    const struct step_take *t, char *rule, size_t rulelen, char *err, size_t errlen)
{
	char key[48], year[8];
	int county_step = (t->def->flags & STEP_COUNTY) != 0;

	snprintf(year, sizeof year, "%.4s", t->at);
	snprintf(key, sizeof key, "%s/%s", code, year);
	int64_t q = s_int(db, dbname, "SELECT households FROM \"%w\".quota WHERE id = ?1", key, NULL,
	    NULL, -1);
	if (q < 0)
		return 0;       /* no scale set: nothing to keep within */
	const char *sql = county_step ?
	    "SELECT count(DISTINCT a.household) FROM \"%w\".approval a WHERE a.step = 'county_approval' "
	    "AND a.decision = 'pass' AND substr(a.at, 1, 4) = ?2 AND a.household LIKE ?1 || '%%' "
	    "AND a.household <> ?3" :
	    "SELECT count(DISTINCT r.household) FROM \"%w\".review_step r WHERE "
	    "r.step = 'township_review' AND r.decision = 'pass' AND substr(r.at, 1, 4) = ?2 AND "
	    "r.household <> ?3 AND (length(?1) = 9 AND r.household LIKE ?1 || '%%' OR length(?1) = 12 "
	    "AND r.household IN (SELECT id FROM \"%w\".household WHERE village = ?1)) "
	    "AND NOT EXISTS (SELECT 1 FROM \"%w\".review_step x WHERE x.household = r.household AND "
	    "x.round = r.round AND x.decision = 'reject') AND NOT EXISTS (SELECT 1 FROM "
	    "\"%w\".approval x WHERE x.household = r.household AND x.round = r.round AND "
	    "x.decision = 'reject')";
	int64_t used = s_int(db, dbname, sql, code, year, h->id, 0) + t->pending;
	if (used + 1 > q)
		return REFUSE("quota", "the quota of %s %s for %s is %lld households and %lld are already "
		    "%s", strlen(code) == 9 ? "township" : "village", code, year, (long long)q,
		    (long long)used, county_step ? "approved" : "through township review");
	return 0;
}

/* The record a passing step binds must be the one its earlier step bound. */
static int
s_check_record(const struct procedure_state *h, const struct step_take *t, char *rule,
    size_t rulelen, char *err, size_t errlen)
{
	int b = t->def->binds;

	if (!b || !t->record_hash || !h->s[b].present || !h->s[b].has_hash ||
	    sodium_memcmp(h->s[b].hash, t->record_hash, HASH_BYTES) == 0)
		return 0;
	char was[17], now[17];
	const char *name = procedure_step_no(t->def->procedure, b)->name;
	hex_encode(was, h->s[b].hash, 8);
	hex_encode(now, t->record_hash, 8);
	return REFUSE("approval-stale", "the %s of household %s bound its record %s…; the file has "
	    "changed since (now %s…): the %s is stale, review the file again", name, h->id, was, now,
	    name);
}

/* One person in one household: no member of H is a member of another household. */
static int
s_check_county_wide(sqlite3 *db, const char *dbname, const struct procedure_state *h,
    char *rule, size_t rulelen, char *err, size_t errlen)
{
	sqlite3_stmt *st = procedure_prepare(db, dbname, "SELECT m.idcard, m.name, o.household, "
	    "coalesce(oh.status, '') FROM \"%w\".member m JOIN \"%w\".member o ON o.idcard = m.idcard "
	    "AND o.household <> m.household LEFT JOIN \"%w\".household oh ON oh.id = o.household "
	    "WHERE m.household = ?1 ORDER BY m.id, o.household LIMIT 1");
	int rc = 0;

	if (!st)
		return REFUSE("database", "members: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char masked[24];
		const char *id = s_col(st, 0);
		size_t n = strlen(id);
		snprintf(masked, sizeof masked, "%.6s…%s", id, n > 4 ? id + n - 4 : "");
		rc = REFUSE("member-elsewhere", "%s (%s) of household %s is also a member of household %s "
		    "(status %s): a person is in one household only (\"lika duplicates\")", s_col(st, 1),
		    masked, h->id, s_col(st, 2), s_col(st, 3)[0] ? s_col(st, 3) : "none");
	}
	sqlite3_finalize(st);
	return rc;
}

int
procedure_check_step(sqlite3 *db, const char *dbname, const struct procedure_state *h,
    const struct step_take *t, int checks, char *rule, size_t rulelen, char *err, size_t errlen)
{
	const struct step_def *def = t->def;
	int entry = strcmp(def->procedure, "entry") == 0;
	char township[CODE_MAX];

	if (strcmp(t->decision, procedure_decision(def, 0)) != 0 &&
	    strcmp(t->decision, procedure_decision(def, 1)) != 0)
		return REFUSE("step-decision", "step %s records \"%s\", not %s", def->name, t->decision,
		    procedure_decision(def, 0));
	if ((checks & CHECK_ORDER) && (s_check_order(h, t, rule, rulelen, err, errlen) < 0 ||
	    s_check_date(db, dbname, h, t, rule, rulelen, err, errlen) < 0 ||
	    s_check_notice(db, dbname, h, t, (checks & CHECK_OBJECTIONS) != 0, rule, rulelen, err,
	    errlen) < 0))
		return -1;
	/* what follows holds for a step that passes the file on */
	if (strcmp(t->decision, "pass") != 0)
		return 0;
	if ((checks & CHECK_ELIGIBLE) && (entry ? (def->flags & STEP_ELIGIBLE) != 0 : def->number == 1) &&
	    s_check_eligible(db, dbname, h, t, rule, rulelen, err, errlen) < 0)
		return -1;
	snprintf(township, sizeof township, "%.9s", h->id);
	if ((checks & CHECK_QUOTA) && !strcmp(def->name, "township_review") &&
	    (s_check_quota(db, dbname, h->village, h, t, rule, rulelen, err, errlen) < 0 ||
	    s_check_quota(db, dbname, township, h, t, rule, rulelen, err, errlen) < 0))
		return -1;
	if ((checks & CHECK_QUOTA) && !strcmp(def->name, "county_approval") &&
	    s_check_quota(db, dbname, township, h, t, rule, rulelen, err, errlen) < 0)
		return -1;
	if ((checks & CHECK_RECORD) && s_check_record(h, t, rule, rulelen, err, errlen) < 0)
		return -1;
	if ((checks & CHECK_COUNTY_WIDE) && !strcmp(def->name, "county_approval") &&
	    s_check_county_wide(db, dbname, h, rule, rulelen, err, errlen) < 0)
		return -1;
	return 0;
}
