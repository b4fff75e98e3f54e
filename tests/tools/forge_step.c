/*
 * forge_step.c — a test tool playing a tampered township: it appends to the
 * node's own feed, behind lika's back, a change set whose cadre_sign step
 * names a real official but carries a signature made with another key.  The
 * change set itself is validly signed by the township node, so only the
 * domain check can refuse it; likad then ships it to the hub.
 *
 *   forge_step DIR HOUSEHOLD OFFICIAL_ID
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "procedure.h"
#include "schema.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct node n;
	char err[ERRBUF_SIZE], key[KEY_MAX];
	uint8_t pk[PUBKEY_BYTES], fake_pk[PUBKEY_BYTES], fake_sk[SECKEY_BYTES];
	uint8_t hash[HASH_BYTES], sig[SIG_BYTES], csig[SIG_BYTES], id[HASH_BYTES];

	if (argc != 4) {
		fprintf(stderr, "usage: forge_step DIR HOUSEHOLD OFFICIAL_ID\n");
		return 2;
	}
	if (node_open(&n, argv[1], 0, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "forge_step: %s\n", err);
		return 1;
	}
	sqlite3 *db = ledger_db(n.ledger);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "SELECT pubkey FROM official WHERE id = ?1", -1, &st, NULL);
	sqlite3_bind_text(st, 1, argv[3], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 0) != PUBKEY_BYTES) {
		fprintf(stderr, "forge_step: no official %s\n", argv[3]);
		return 1;
	}
	memcpy(pk, sqlite3_column_blob(st, 0), PUBKEY_BYTES);
	sqlite3_finalize(st);

	/* the step, "signed" with a key that is not the official's */
	crypto_sign_keypair(fake_pk, fake_sk);
	if (procedure_record_hash(db, "main", argv[2], hash, err, sizeof err) < 0)
		return 1;
	procedure_step_key(key, sizeof key, argv[2], 1, 5);
	struct step_row r = { .table = "review_step", .key = key, .household = argv[2], .round = 1,
		.procedure = "entry", .step = "cadre_sign", .decision = "pass", .at = "2014-06-10",
		.days = -1, .record_hash = hash, .official = argv[3] };
	msgpack_sbuffer sb;
	statement_step(&sb, &r);
	statement_sign(sig, &sb, fake_sk);
	msgpack_sbuffer_destroy(&sb);
	struct colval c[] = {
		COL_TEXT("household", argv[2]), COL_INT("round", 1), COL_TEXT("procedure", "entry"),
		COL_TEXT("step", "cadre_sign"), COL_TEXT("decision", "pass"), COL_TEXT("at", "2014-06-10"),
		COL_BLOB("record_hash", hash, HASH_BYTES), COL_TEXT("official", argv[3]),
		COL_BLOB("signer", pk, PUBKEY_BYTES), COL_BLOB("sig", sig, SIG_BYTES),
	};
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	ops_upsert(&ops, "review_step", key, c, sizeof c / sizeof c[0]);

	/* the township's next change set, appended without applying it */
	struct changeset_header h;
	uint64_t seq;
	memset(&h, 0, sizeof h);
	h.format = CHANGESET_FORMAT;
	snprintf(h.origin, sizeof h.origin, "%s", n.conf.code);
	ledger_feed_head(n.ledger, h.origin, &seq, h.prev);
	h.seq = seq + 1;
	h.hlc = (uint64_t)now_ms() << 16;
	h.schema = SCHEMA_VERSION;
	memcpy(h.author, n.id.pk, PUBKEY_BYTES);
	h.nops = ops.n;
	msgpack_sbuffer body = { 0, NULL, 0 };
	changeset_encode(&body, &h, &ops);
	changeset_id(id, body.data, body.size);
	changeset_sign(csig, body.data, body.size, n.sk);
	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO changeset (origin, seq, id, prev, hlc, schema, author, nops, "
	    "body, sig, stored_at, applied) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1)",
	    -1, &st, NULL);
	sqlite3_bind_text(st, 1, h.origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)h.seq);
	sqlite3_bind_blob(st, 3, id, HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, h.prev, HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)h.hlc);
	sqlite3_bind_int(st, 6, SCHEMA_VERSION);
	sqlite3_bind_blob(st, 7, h.author, PUBKEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, h.nops);
	sqlite3_bind_blob(st, 9, body.data, (int)body.size, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, csig, SIG_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, now_ms());
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	sqlite3_prepare_v2(db, "UPDATE feed SET head_seq = ?2, head_id = ?3, applied_seq = ?2 "
	    "WHERE origin = ?1", -1, &st, NULL);
	sqlite3_bind_text(st, 1, h.origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)h.seq);
	sqlite3_bind_blob(st, 3, id, HASH_BYTES, SQLITE_STATIC);
	int rc2 = sqlite3_step(st);
	sqlite3_finalize(st);
	sqlite3_exec(db, rc == SQLITE_DONE && rc2 == SQLITE_DONE ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	msgpack_sbuffer_destroy(&body);
	ops_release(&ops);
	sodium_memzero(fake_sk, sizeof fake_sk);
	node_close(&n);
	if (rc != SQLITE_DONE || rc2 != SQLITE_DONE) {
		fprintf(stderr, "forge_step: could not append\n");
		return 1;
	}
	printf("forged %s seq %" PRIu64 "\n", h.origin, h.seq);
	return 0;
}
