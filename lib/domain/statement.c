/*
 * statement.c — the signed statements: one encoder per kind, and their signature.
 *
 * Invariant: the bytes of a statement are a pure function of the row's values.
 * msgpack-c's packer always picks the shortest form of each int, str and
 * array header, and nothing here chooses a form by hand, so a signer and a
 * verifier (or another implementation following proto/PROCEDURE.md) that
 * encode the same values agree byte for byte.  Changing what a kind encodes
 * means a new tag (STATEMENT_*), never new bytes under an old one: signatures
 * already in the archive are checked again on every replay.
 */
#include "statement.h"

#include <string.h>

/* str, or nil for NULL */
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
statement_step(msgpack_sbuffer *out, const struct step_row *r)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 15);
	s_pack_str(&pk, STATEMENT_STEP);
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

void
statement_half_year(msgpack_sbuffer *out, const struct half_year_row *r)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 8);
	s_pack_str(&pk, STATEMENT_HALF_YEAR);
	s_pack_str(&pk, r->key);
	s_pack_str(&pk, r->household);
	s_pack_str(&pk, r->period);
	s_pack_str(&pk, r->decision);
	s_pack_str(&pk, r->at);
	s_pack_str(&pk, r->reasons);
	s_pack_str(&pk, r->official);
}

void
statement_sign(uint8_t sig[SIG_BYTES], const msgpack_sbuffer *sb, const uint8_t sk[SECKEY_BYTES])
{
	crypto_sign_detached(sig, NULL, (const unsigned char *)sb->data, sb->size, sk);
}

int
statement_verify(const uint8_t sig[SIG_BYTES], const msgpack_sbuffer *sb,
    const uint8_t pk[PUBKEY_BYTES])
{
	return crypto_sign_verify_detached(sig, (const unsigned char *)sb->data, sb->size, pk) == 0 ?
	    0 : -1;
}
