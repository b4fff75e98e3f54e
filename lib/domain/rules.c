/*
 * rules.c — every rule of the plan, on every op the ledger applies.
 *
 * Registered with ledger_set_rules by each program that opens a node, so a
 * local write, a received change set and the replay of verify and rebuild
 * pass through the same checks (see ledger.h, "rules").  A refusal names its
 * rule: "rule NAME: what is wrong", the names proto/PROCEDURE.md lists.
 *
 * What a node checks depends on what it can know (PROCEDURE.md, "Checked
 * wherever the row arrives"): the form of every row everywhere; the signatures of every step
 * everywhere; the order, dates and notices of a household's procedure at the
 * nodes that hold its whole file (its township and the county); eligibility,
 * quotas and the county-wide rules where the step is written and at the county.
 */
#include "rules.h"
#include "fields.h"
#include "ledger.h"
#include "household.h"
#include "procedure.h"
#include "schema.h"
#include "util.h"
#include "village.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int s_may_arrive(struct ledger *l, const struct changeset_header *cs, const char *owner);

/* Row KEY of TABLE in DBNAME, its columns COLS stepped onto in *STP: 0, or -1 with the reason. */
static int
s_row(sqlite3 *db, const char *dbname, const char *table, const char *cols, const char *key,
    sqlite3_stmt **stp, char *err, size_t errlen)
{
	char *sql = sqlite3_mprintf("SELECT %s FROM \"%w\".\"%w\" WHERE id = ?1", cols, dbname, table);
	sqlite3_stmt *st = NULL;

	*stp = NULL;
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
	*stp = st;
	return 0;
}

/* The columns of a step row s_step_row reads, in its order; signer, sig and seal are 11 to 13. */
#define STEP_COLUMNS "household, round, procedure, step, decision, at, days, reasons, details, " \
	"record_hash, official, signer, sig, seal, by_name"

/* The step row ST stands on, borrowed from it until it is finalized. */
static struct step_row
s_step_row(sqlite3_stmt *st, const char *table, const char *key)
{
	struct step_row r = {
		.table = table, .key = key, .household = s_text(st, 0),
		.round = sqlite3_column_int64(st, 1), .procedure = s_text(st, 2), .step = s_text(st, 3),
		.decision = s_text(st, 4), .at = s_text(st, 5),
		.days = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6),
		.reasons = s_text(st, 7), .details = s_text(st, 8),
		.record_hash = sqlite3_column_bytes(st, 9) == HASH_BYTES ? sqlite3_column_blob(st, 9) : NULL,
		.official = s_text(st, 10), .by_name = s_text(st, 14),
	};
	return r;
}

/* Step DEF is known, keyed household/round/number, in its table, and signed if it has a role. */
static int
s_check_step_form(const struct step_row *r, const struct step_def *def, char *err, size_t errlen)
{
	char want[KEY_MAX + 8];
	size_t hlen = r->household ? strlen(r->household) : 0;

	if (!def)
		return errf(err, errlen, "rule step-known: %s \"%s\": no step \"%s\" in procedure \"%s\"",
		    r->table, r->key, r->step ? r->step : "", r->procedure ? r->procedure : "");
	if (!r->household || hlen < 9 || procedure_step_key(want, sizeof want, r->household,
	    (int)r->round, def->number) < 0 || strcmp(want, r->key) != 0)
		return errf(err, errlen, "rule step-key: %s \"%s\" must be keyed household/round/%02d",
		    r->table, r->key, def->number);
	if (!!(def->flags & STEP_COUNTY) != (strcmp(r->table, "approval") == 0))
		return errf(err, errlen, "rule step-table: step \"%s\" belongs in table \"%s\"", def->name,
		    def->flags & STEP_COUNTY ? "approval" : "review_step");
	if (!r->official && def->role)
		return errf(err, errlen, "rule signature: step \"%s\" of %s must be signed by a %s",
		    def->name, r->household, def->role);
	return 0;
}

/*
 * The official who signed step R: on the roster, of the step's role, of an
 * office over the household's township, and the key the row names is theirs
 * (into PK).  ST stands on the row (column 11: signer).
 */
static int
s_check_signer(struct ledger *l, sqlite3 *db, const char *dbname, const struct changeset_header *cs,
    const struct step_row *r, const struct step_def *def, sqlite3_stmt *st,
    uint8_t pk[PUBKEY_BYTES], char *err, size_t errlen)
{
	char role[32], office[CODE_MAX], township[CODE_MAX], county[CODE_MAX];

	snprintf(township, sizeof township, "%.9s", r->household);
	snprintf(county, sizeof county, "%.6s", r->household);
	if (s_official(db, dbname, r->official, pk, role, sizeof role, office, sizeof office,
	    err, errlen) < 0) {
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		errf(err, errlen, "rule signature: step \"%s\" of %s: %s", def->name, r->household, why);
		/* the official's row is in the county feed, which may be behind here */
		return s_may_arrive(l, cs, county) ? LEDGER_RULE_WAIT : -1;
	}
	if (def->role && strcmp(role, def->role) != 0)
		return errf(err, errlen, "rule signer-role: step \"%s\" of %s must be signed by a %s, "
		    "not by %s (%s)", def->name, r->household, def->role, r->official, role);
	if (!procedure_office_fits(role, office, township, county))
		return errf(err, errlen, "rule signer-office: %s (%s of %s) may not sign for township %s",
		    r->official, role, office, township);
	if (sqlite3_column_bytes(st, 11) != PUBKEY_BYTES ||
	    sodium_memcmp(sqlite3_column_blob(st, 11), pk, PUBKEY_BYTES) != 0)
		return errf(err, errlen, "rule signature: step \"%s\" of %s names %s but carries another key",
		    def->name, r->household, r->official);
	return 0;
}

/*
 * The signature of step R by PK holds (ST column 12: sig) and a sealed step
 * carries its township's seal (column 13).  The key that seals is the one
 * that held for the change set that carries the row, if its origin is the
 * row's township (ledger_origin_key: a re-keyed township), else the current one.
 */
static int
s_check_signature(struct ledger *l, const struct changeset_header *cs, const struct step_row *r,
    const struct step_def *def, sqlite3_stmt *st, const uint8_t pk[PUBKEY_BYTES],
    char *err, size_t errlen)
{
	char township[CODE_MAX];
	msgpack_sbuffer sb;
	int rc = 0;

	snprintf(township, sizeof township, "%.9s", r->household);
	statement_step(&sb, r);
	if (sqlite3_column_bytes(st, 12) != SIG_BYTES ||
	    statement_verify(sqlite3_column_blob(st, 12), &sb, pk) != 0) {
		rc = errf(err, errlen, "rule signature: step \"%s\" of %s: the signature of %s does not "
		    "verify (forged or altered)", def->name, r->household, r->official);
	} else if (def->flags & STEP_SEAL) {
		uint8_t npk[PUBKEY_BYTES];
		uint64_t seq = cs && strcmp(cs->origin, township) == 0 ? cs->seq : UINT64_MAX;
		if (ledger_origin_key(l, township, seq, npk) < 0)
			rc = errf(err, errlen, "rule seal: township %s has no key on the roster", township);
		else if (sqlite3_column_bytes(st, 13) != SIG_BYTES ||
		    statement_verify(sqlite3_column_blob(st, 13), &sb, npk) != 0)
			rc = errf(err, errlen, "rule seal: step \"%s\" of %s is not sealed by township %s",
			    def->name, r->household, township);
	}
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* A step row: its form, then, if signed, its signer and signature (and seal). */
static int
s_check_step(struct ledger *l, sqlite3 *db, const char *dbname, const char *table,
    const char *key, const struct changeset_header *cs, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	uint8_t pk[PUBKEY_BYTES];
	int rc;

	if (s_row(db, dbname, table, STEP_COLUMNS, key, &st, err, errlen) < 0)
		return -1;
	struct step_row r = s_step_row(st, table, key);
	const struct step_def *def = r.procedure && r.step ? procedure_step(r.procedure, r.step) : NULL;

	rc = s_check_step_form(&r, def, err, errlen);
	if (rc == 0 && r.official)
		rc = s_check_signer(l, db, dbname, cs, &r, def, st, pk, err, errlen);
	if (rc == 0 && r.official)
		rc = s_check_signature(l, cs, &r, def, st, pk, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

int
rules_step_verify(struct ledger *l, const char *table, const char *key, uint64_t seq, char *err,
    size_t errlen)
{
	struct changeset_header cs = { .seq = seq };

	if (strcmp(table, "review_step") && strcmp(table, "approval"))
		return errf(err, errlen, "no step table \"%s\"", table);
	/* as carried by the township's change set SEQ; a wait (the official's row not here) fails too */
	snprintf(cs.origin, sizeof cs.origin, "%.9s", key);
	return s_check_step(l, ledger_db(l), "main", table, key, seq ? &cs : NULL, err, errlen) != 0 ? -1 : 0;
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
			struct half_year_row r = {
				.key = key, .household = s_text(st, 0), .period = s_text(st, 1),
				.decision = s_text(st, 2), .at = s_text(st, 3), .reasons = s_text(st, 4),
				.official = s_text(st, 5),
			};
			statement_half_year(&sb, &r);
			if (sqlite3_column_bytes(st, 6) != PUBKEY_BYTES ||
			    sodium_memcmp(sqlite3_column_blob(st, 6), pk, PUBKEY_BYTES) != 0 ||
			    sqlite3_column_bytes(st, 7) != SIG_BYTES ||
			    statement_verify(sqlite3_column_blob(st, 7), &sb, pk) != 0)
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

static int
s_check_row(struct ledger *l, sqlite3 *db, const char *dbname, const struct changeset_header *cs,
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
		return s_check_step(l, db, dbname, table, k, cs, err, errlen);
	if (strcmp(table, "half_year") == 0)
		return s_check_half_year(db, dbname, k, err, errlen);
	return s_check_official(db, dbname, cs->origin, k, err, errlen);
}


static int
s_no_memory(void *arg, struct ledger *l, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	(void)arg, (void)l, (void)op;
	return errf(err, errlen, "rules: out of memory");
}

/* ---- the procedure on apply ------------------------------------------------------ */

/* What this change set has done so far, for the rules that look across its ops. */
enum rules_stmt { RS_STEP_EXISTS_REVIEW, RS_STEP_EXISTS_APPROVAL, RS_STATUS, RS_COUNT };
struct rules {
	struct fields *fields;      /* the field rules' caches (fields.h) */
	sqlite3 *db;                /* the connection the cached statements belong to */
	sqlite3_stmt *st[RS_COUNT]; /* prepared on "main" once; other databases each time */
	char origin[CODE_MAX];      /* the change set being applied */
	uint64_t seq;
	int n, cap, oom;
	struct rules_expect {
		char household[KEY_MAX];
		char status[8];         /* the status the procedure leads to */
		char why[48];           /* the step or decision that leads there */
	} *expect;                  /* one a household of the change set (a batch step: many) */
};

/*
 * The statement SLOT of FMT (every %w is the database name) for OP: kept for
 * "main", which every op of a local write or receive uses; prepared anew for
 * the replay database of verify, which comes and goes.  Release with s_done.
 */
static sqlite3_stmt *
s_stmt(struct rules *r, const struct ledger_rule_op *op, enum rules_stmt slot, const char *fmt)
{
	int cache = strcmp(op->dbname, "main") == 0;
	sqlite3_stmt *st = NULL;

	if (cache && r->db == op->db && r->st[slot])
		return r->st[slot];
	if (cache && r->db != op->db) {
		for (int i = 0; i < RS_COUNT; i++)
			sqlite3_finalize(r->st[i]), r->st[i] = NULL;
		r->db = op->db;
	}
	char *sql = sqlite3_mprintf(fmt, op->dbname, op->dbname, op->dbname, op->dbname);
	if (!sql || sqlite3_prepare_v3(op->db, sql, -1, cache ? SQLITE_PREPARE_PERSISTENT : 0, &st,
	    NULL) != SQLITE_OK)
		st = NULL;
	sqlite3_free(sql);
	if (cache)
		r->st[slot] = st;
	return st;
}

static void
s_done(struct rules *r, sqlite3_stmt *st)
{
	for (int i = 0; i < RS_COUNT; i++)
		if (r->st[i] == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st);
}

static void
s_rules_free(void *arg)
{
	struct rules *r = arg;

	for (int i = 0; i < RS_COUNT; i++)
		sqlite3_finalize(r->st[i]);
	fields_free(r->fields);
	free(r->expect);
	free(r);
}

/* Forget what an earlier change set did. */
static void
s_rules_at(struct rules *r, const struct changeset_header *h)
{
	if (r->seq != h->seq || strcmp(r->origin, h->origin) != 0) {
		snprintf(r->origin, sizeof r->origin, "%s", h->origin);
		r->seq = h->seq;
		r->n = 0;
		r->oom = 0;
	}
}

static void
s_expect(struct rules *r, const char *household, const char *status, const char *why)
{
	int i;

	/* newest first: a step's status row follows the step row */
	for (i = r->n - 1; i >= 0 && strcmp(r->expect[i].household, household) != 0; i--)
		;
	if (i < 0) {
		if (r->n == r->cap) {
			int cap = r->cap ? r->cap * 2 : 64;
			void *p = realloc(r->expect, (size_t)cap * sizeof *r->expect);
			if (!p) {
				r->oom = 1;     /* s_check_status refuses: no status change goes unchecked */
				return;
			}
			r->expect = p;
			r->cap = cap;
		}
		i = r->n++;
	}
	snprintf(r->expect[i].household, sizeof r->expect[i].household, "%s", household);
	snprintf(r->expect[i].status, sizeof r->expect[i].status, "%s", status ? status : "");
	snprintf(r->expect[i].why, sizeof r->expect[i].why, "%s", why);
}

/*
 * Which of the procedure's rules this node applies to a step of HOUSEHOLD
 * written by ORIGIN: everything for its own steps; everything but the
 * county-wide rules at the county, which holds every feed and the county's
 * data the step depends on; the order and dates of the county's steps at the
 * household's township (their eligibility and record were the county's to
 * judge on what it held); at any other node, signatures only.
 */
static int
s_scope(struct ledger *l, const char *origin, const char *household)
{
	const struct ledger_identity *me = ledger_identity(l);
	size_t n = strlen(me->code);

	if (strcmp(origin, me->code) == 0)
		return CHECK_ALL;
	if (code_role(me->code) == ROLE_COUNTY)
		return CHECK_ALL & ~CHECK_COUNTY_WIDE;
	if (n && strncmp(household, me->code, n) == 0)
		return CHECK_ORDER;
	return 0;
}

/*
 * A rule found the household's file here behind the change set (the
 * household, or the step before, missing), and what is missing is OWNER's to
 * write.  Wait for it, rather than refuse, when it may yet arrive: OWNER is
 * not the change set's origin (whose feed is applied in order, so what it
 * lacks it never wrote), and OWNER is another node, or this node while it is
 * held as possibly behind its own feed (restored from a copy or from the hub).
 */
static int
s_may_arrive(struct ledger *l, const struct changeset_header *cs, const char *owner)
{
	char hold[256];

	if (!cs || strcmp(cs->origin, owner) == 0)
		return 0;
	if (strcmp(ledger_identity(l)->code, owner) != 0)
		return 1;
	return ledger_meta_get(l, "write_hold", hold, sizeof hold) == 0 && hold[0];
}

/* Whose is the step that must come before T in H (behind: the file here lacks it)?  NULL if none. */
static const char *
s_behind(const struct procedure_state *h, const struct step_take *t, char owner[CODE_MAX])
{
	const struct step_def *want;

	if (t->round > h->round)
		want = procedure_step_no(t->def->procedure, 1);
	else if (t->round == h->round && !h->rejected && !h->complete &&
	    !strcmp(h->procedure, t->def->procedure) && t->def->number > h->last + 1)
		want = procedure_step_no(t->def->procedure, h->last + 1);
	else
		return NULL;
	if (!want)
		return NULL;
	snprintf(owner, CODE_MAX, "%.*s", want->flags & STEP_COUNTY ? 6 : 9, h->id);
	return owner;
}

/* A step row as it now stands, against the household's history before it. */
static int
s_check_procedure(struct rules *r, struct ledger *l, const struct ledger_rule_op *op,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (s_row(op->db, op->dbname, op->table, "household, round, procedure, step, decision, at, "
	    "record_hash", op->key, &st, err, errlen) < 0)
		return -1;
	const char *household = s_text(st, 0) ? s_text(st, 0) : "";
	const char *decision = s_text(st, 4) ? s_text(st, 4) : "";
	struct step_take t = {
		.def = procedure_step(s_text(st, 2) ? s_text(st, 2) : "", s_text(st, 3) ? s_text(st, 3) : ""),
		.round = sqlite3_column_int(st, 1), .decision = decision,
		.at = s_text(st, 5) ? s_text(st, 5) : "",
		.clock_ms = (int64_t)(op->cs->hlc >> 16),
		.record_hash = sqlite3_column_bytes(st, 6) == HASH_BYTES ? sqlite3_column_blob(st, 6) : NULL,
	};
	int checks = s_scope(l, op->cs->origin, household);
	struct procedure_state h;
	char rule[32], why[ERRBUF_SIZE];

	if (!t.def)     /* s_check_step named it already */
		goto out;
	int found = procedure_load(op->db, op->dbname, household, op->key, &h);
	if (found < 0) {
		rc = errf(err, errlen, "procedure: %s", sqlite3_errmsg(op->db));
		goto out;
	}
	char owner[CODE_MAX];
	if (checks && !found) {
		snprintf(owner, sizeof owner, "%.9s", household);
		rc = errf(err, errlen, "rule order: step %s of %s: no such household", t.def->name, household);
		if (s_may_arrive(l, op->cs, owner))
			rc = LEDGER_RULE_WAIT;
		goto out;
	}
	if (checks && procedure_check_step(op->db, op->dbname, &h, &t, checks, rule, sizeof rule, why,
	    sizeof why) < 0) {
		rc = errf(err, errlen, "rule %s: %s", rule, why);
		if (!strcmp(rule, "order") && s_behind(&h, &t, owner) && s_may_arrive(l, op->cs, owner))
			rc = LEDGER_RULE_WAIT;
		goto out;
	}
	if (checks & CHECK_RECORD) {
		uint8_t now[HASH_BYTES];
		if (procedure_record_hash(op->db, op->dbname, household, now, why, sizeof why) < 0) {
			rc = errf(err, errlen, "%s", why);
			goto out;
		}
		if (!t.record_hash || sodium_memcmp(now, t.record_hash, HASH_BYTES) != 0) {
			rc = errf(err, errlen, "rule record-hash: step %s of %s does not bind the household's "
			    "record as it stands", t.def->name, household);
			goto out;
		}
	}
	s_expect(r, household, procedure_status_after(t.def, decision), t.def->name);
out:
	sqlite3_finalize(st);
	return rc;
}

/* A step row is written once: history is appended, never rewritten. */
static int
s_check_step_new(struct rules *r, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	int approval = strcmp(op->table, "approval") == 0;
	sqlite3_stmt *st = s_stmt(r, op, approval ? RS_STEP_EXISTS_APPROVAL : RS_STEP_EXISTS_REVIEW,
	    approval ? "SELECT 1 FROM \"%w\".approval WHERE id = ?1" :
	    "SELECT 1 FROM \"%w\".review_step WHERE id = ?1");
	int exists;

	if (!st)
		return errf(err, errlen, "%s: %s", op->table, sqlite3_errmsg(op->db));
	sqlite3_bind_text(st, 1, op->key, -1, SQLITE_STATIC);
	exists = sqlite3_step(st) == SQLITE_ROW;
	s_done(r, st);
	if (exists)
		return errf(err, errlen, "rule history: %s row \"%s\" is already recorded; a step is "
		    "written once", op->table, op->key);
	return 0;
}

/* The text of column NAME in the op's columns: 1 with it in OUT, 0 if not set. */
static int
s_op_text(const struct ledger_rule_op *op, const char *name, char *out, size_t len)
{
	if (!op->cols)
		return 0;
	for (uint32_t i = 0; i < op->cols->size; i++) {
		const msgpack_object *k = &op->cols->ptr[i].key, *v = &op->cols->ptr[i].val;
		if (!mp_str_eq(k, name))
			continue;
		if (v->type != MSGPACK_OBJECT_STR) {
			out[0] = '\0';
			return 1;
		}
		snprintf(out, len, "%.*s", (int)v->via.str.size, v->via.str.size ? v->via.str.ptr : "");
		return 1;
	}
	return 0;
}

/*
 * household.status follows the procedure: once a household has a procedure
 * round or a half-year decision, its status changes only with the step or
 * decision that leads there, in the same change set.  (A household created
 * with a status — an archive brought in from paper — starts where it is.)
 */
static int
s_check_status(struct rules *r, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	char now[16], old[16] = "";
	sqlite3_stmt *st;
	int exists = 0, history = 0;

	if (!s_op_text(op, "status", now, sizeof now))
		return 0;
	/* the history is looked at only when the status really changes */
	st = s_stmt(r, op, RS_STATUS, "SELECT coalesce(status, ''), EXISTS (SELECT 1 FROM "
	    "\"%w\".review_step WHERE household = ?1) OR EXISTS (SELECT 1 FROM \"%w\".approval WHERE "
	    "household = ?1) OR EXISTS (SELECT 1 FROM \"%w\".half_year WHERE household = ?1) FROM "
	    "\"%w\".household WHERE id = ?1 AND coalesce(status, '') <> ?2");
	if (!st)
		return errf(err, errlen, "household: %s", sqlite3_errmsg(op->db));
	sqlite3_bind_text(st, 1, op->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		exists = 1;
		snprintf(old, sizeof old, "%s", s_text(st, 0) ? s_text(st, 0) : "");
		history = sqlite3_column_int(st, 1);
	}
	s_done(r, st);
	if (!exists || strcmp(old, now) == 0)
		return 0;
	if (r->oom)
		return errf(err, errlen, "rules: out of memory");
	for (int i = r->n - 1; i >= 0; i--)
		if (strcmp(r->expect[i].household, op->key) == 0) {
			if (strcmp(r->expect[i].status, now) == 0)
				return 0;
			return errf(err, errlen, "rule status: household %s: %s leads to status \"%s\", "
			    "not \"%s\"", op->key, r->expect[i].why, r->expect[i].status, now);
		}
	if (!history)
		return 0;
	return errf(err, errlen, "rule status: household %s changes from status \"%s\" to \"%s\" "
	    "without the step or half-year decision that leads there", op->key, old, now);
}

/*
 * A policy row is keyed NAME/YEAR and holds a value of NAME's kind in its
 * stored form: the same check as "lika policy set" (procedure_policy_value).
 */
static int
s_check_policy(const struct ledger_rule_op *op, char *err, size_t errlen)
{
	char *sql = sqlite3_mprintf("SELECT coalesce(name, ''), year, coalesce(value, '') FROM "
	    "\"%w\".policy WHERE id = ?1", op->dbname);
	sqlite3_stmt *st = NULL;
	char key[KEY_MAX + 8], stored[256], why[ERRBUF_SIZE];
	int rc = 0;

	if (!sql || sqlite3_prepare_v2(op->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return errf(err, errlen, "policy: %s", sqlite3_errmsg(op->db));
	}
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, op->key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = s_text(st, 0), *value = s_text(st, 2);
		/* a county's policy kept at a province: "COUNTY:NAME/YEAR" (ledger_stored_key) */
		const char *own = strchr(op->key, ':') ? strchr(op->key, ':') + 1 : op->key;
		int year = sqlite3_column_int(st, 1);
		snprintf(key, sizeof key, "%s/%d", name, year);
		if (strcmp(key, own) != 0)
			rc = errf(err, errlen, "rule policy: policy row \"%s\" must be keyed NAME/YEAR (%s)",
			    op->key, key);
		else if (procedure_policy_value(name, year, value, stored, sizeof stored, why,
		    sizeof why) < 0)
			rc = errf(err, errlen, "rule policy: %s", why);
		else if (strcmp(stored, value) != 0)
			rc = errf(err, errlen, "rule policy: %s is stored as \"%s\", not \"%s\"", key,
			    stored, value);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The rows of schema 2: a household's group, evaluation groups, spot checks, synonyms. */
static int
s_check_schema2(struct ledger *l, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	char v[32];

	/* a household row is looked at when it sets its group or moves village (no SQL otherwise) */
	if (!strcmp(op->table, "household"))
		return s_op_text(op, "village_group", v, sizeof v) || s_op_text(op, "village", v, sizeof v) ?
		    village_check_household_group(op->db, op->dbname, op->key, err, errlen) : 0;
	if (!strcmp(op->table, "eval_group"))
		return village_check_eval_group(op->db, op->dbname, op->key, err, errlen);
	if (!strcmp(op->table, "spot_check"))
		return village_check_spot_check(op->db, op->dbname, op->key, ledger_identity(l)->code,
		    err, errlen);
	if (!strcmp(op->table, "synonym"))
		return household_check_synonym(op->db, op->dbname, op->key, err, errlen);
	return 0;
}

/* half_year decisions that set a status: return 返贫, remove 清退. */
static void
s_expect_half_year(struct rules *r, const struct ledger_rule_op *op)
{
	char decision[16], household[KEY_MAX];

	if (!s_op_text(op, "decision", decision, sizeof decision) ||
	    !s_op_text(op, "household", household, sizeof household))
		return;
	if (strcmp(decision, "return") == 0)
		s_expect(r, household, STATUS_RETURNED, "half-year return");
	else if (strcmp(decision, "remove") == 0)
		s_expect(r, household, STATUS_REMOVED, "half-year remove");
}

static int
s_rules(void *arg, struct ledger *l, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	struct rules *r = arg;
	int step_table;

	s_rules_at(r, op->cs);
	if (op->phase == LEDGER_RULE_END)
		return 0;
	step_table = !strcmp(op->table, "review_step") || !strcmp(op->table, "approval");
	switch (op->phase) {
	case LEDGER_RULE_BEFORE:
		/* the form of every value: the same field rules as a local write (fields.h) */
		if (fields_check_op(r->fields, op, err, errlen) < 0)
			return -1;
		if (step_table && !op->deleted)
			return s_check_step_new(r, op, err, errlen);
		if (!strcmp(op->table, "household") && !op->deleted)
			return s_check_status(r, op, err, errlen);
		return 0;
	case LEDGER_RULE_AFTER: {
		int rc = s_check_row(l, op->db, op->dbname, op->cs, op->table, op->key,
		    strlen(op->key), op->deleted, err, errlen);
		if (rc != 0)
			return rc;
		if (step_table)
			return s_check_procedure(r, l, op, err, errlen);
		if (!strcmp(op->table, "policy") && !op->deleted)
			return s_check_policy(op, err, errlen);
		if (!strcmp(op->table, "half_year"))
			s_expect_half_year(r, op);
		if (!op->deleted)
			return s_check_schema2(l, op, err, errlen);
		return 0;
	}
	case LEDGER_RULE_END:
		return 0;
	}
	return errf(err, errlen, "rule hook: unknown phase");
}

void
rules_attach(struct ledger *l)
{
	struct rules *r = calloc(1, sizeof *r);

	/* without memory for their state, no rule can run: refuse every op rather than check less */
	if (r && !(r->fields = fields_new())) {
		free(r);
		r = NULL;
	}
	ledger_set_rules(l, r ? s_rules : s_no_memory, r, r ? s_rules_free : NULL);
}
