/*
 * statement.h — every statement an official (or a township node, as its seal)
 * signs: the one encoder of each kind, used by the signer and the verifier
 * alike, and the signature over the encoded bytes.
 *
 * A statement is never stored: the signer encodes it from the row it writes,
 * the verifier re-encodes it from the row as stored.  Both must produce the same
 * bytes, so there is exactly one encoder per kind, here, pinned by the test
 * vectors of proto/PROCEDURE.md ("Signatures", "Test vectors") that
 * tests/unit/test_statement.c reads and checks byte for byte.
 */
#ifndef LIKA_STATEMENT_H
#define LIKA_STATEMENT_H

#include <stdint.h>

#include "codec.h"

/* The tag, element 0, of each kind; a new layout is a new tag. */
#define STATEMENT_STEP       "lika-step/1"
#define STATEMENT_HALF_YEAR  "lika-half-year/1"

/* A step row as stored (review_step or approval); strings borrowed. */
struct step_row {
	const char *table, *key, *household;
	int64_t round;
	const char *procedure, *step, *decision, *at;
	int64_t days;           /* < 0: NULL */
	const char *reasons, *details;  /* NULL: SQL NULL */
	const uint8_t *record_hash;     /* HASH_BYTES or NULL */
	const char *official;
	const char *by_name;            /* NULL: SQL NULL */
};

/* A half_year row as stored; strings borrowed, NULL: SQL NULL. */
struct half_year_row {
	const char *key;        /* household/YYYY-H */
	const char *household, *period, *decision, *at;
	const char *reasons;
	const char *official;
};

/*
 * The statement of a step: ["lika-step/1", table, key, household, round,
 * procedure, step, decision, at, days|nil, reasons|nil, details|nil,
 * record_hash|nil, official, by_name|nil], msgpack in its shortest forms.
 * A NULL string encodes as nil (a verifier meeting a NULL where a value is
 * required gets bytes no signer produced, so the signature fails).  OUT is
 * initialised here; the caller destroys it with msgpack_sbuffer_destroy.
 */
void statement_step(msgpack_sbuffer *out, const struct step_row *r);

/*
 * The statement of a half-year review: ["lika-half-year/1", key, household,
 * period, decision, at, reasons|nil, official].  OUT as for statement_step.
 */
void statement_half_year(msgpack_sbuffer *out, const struct half_year_row *r);

/* Ed25519 detached signature of the statement SB with secret key SK. */
void statement_sign(uint8_t sig[SIG_BYTES], const msgpack_sbuffer *sb,
    const uint8_t sk[SECKEY_BYTES]);

/*
 * Does SIG (SIG_BYTES, checked by the caller) verify over the statement SB
 * with public key PK?  0 if it does, -1 if not.
 */
int statement_verify(const uint8_t sig[SIG_BYTES], const msgpack_sbuffer *sb,
    const uint8_t pk[PUBKEY_BYTES]);

#endif
