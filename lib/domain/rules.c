/*
 * rules.c — every rule of the plan, on every op the ledger applies.
 *
 * Registered with ledger_set_rules by each program that opens a node, so a
 * local write, a received change set and the replay of verify and rebuild
 * pass through the same checks (see ledger.h, "rules").  A refusal names its
 * rule: "rule NAME: what is wrong", the names proto/PROCEDURE.md lists.
 *
 * What a node checks depends on what it can know (PROCEDURE.md, "Rules on
 * apply"): the form of every row everywhere; the signatures of every step
 * everywhere; the order, dates and notices of a household's procedure at the
 * nodes that hold its whole file (its township and the county); eligibility,
 * quotas and the county-wide rules where the step is written and at the county.
 */
#include "rules.h"
#include "fields.h"
#include "ledger.h"
#include "procedure.h"
#include "schema.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s_pack_str for the half-year statement (until one encoder serves all) */
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

static int
s_check_row(struct ledger *l, sqlite3 *db, const char *dbname, const char *origin,
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


static int
s_rules(void *arg, struct ledger *l, const struct ledger_rule_op *op, char *err, size_t errlen)
{
	(void)arg;
	switch (op->phase) {
	case LEDGER_RULE_BEFORE:
		/* the form of every value: the same field rules as a local write (fields.h) */
		return fields_check_op(arg, op, err, errlen);
	case LEDGER_RULE_AFTER:
		return s_check_row(l, op->db, op->dbname, op->cs->origin, op->table, op->key,
		    strlen(op->key), op->deleted, err, errlen);
	case LEDGER_RULE_END:
		return 0;
	}
	return errf(err, errlen, "rule hook: unknown phase");
}

void
rules_attach(struct ledger *l)
{
	/* without memory for the field rules' context, refuse everything rather than check less */
	ledger_set_rules(l, s_rules, fields_new(), fields_free);
}
