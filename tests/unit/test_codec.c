/*
 * test_codec.c — the change-set format: golden vectors from proto/PROTOCOL.md,
 * round trips, and refusal of malformed bodies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "codec.h"
#include "util.h"

/* Value of "NAME = HEX" from the vectors block of proto/PROTOCOL.md (static buffer). */
static const char *
s_vector(const char *name)
{
	static char *doc;
	static char value[4096];
	char pat[64];
	size_t len;

	if (!doc) {
		const char *src = getenv("LIKA_SRC");
		char path[1024];
		snprintf(path, sizeof path, "%s/proto/PROTOCOL.md", src ? src : ".");
		if (file_read(path, &doc, &len, NULL, 0) < 0)
			fail_msg("cannot read %s", path);
	}
	snprintf(pat, sizeof pat, "\n%s", name);
	for (const char *p = strstr(doc, pat); p; p = strstr(p + 1, pat)) {
		const char *q = p + strlen(pat);
		while (*q == ' ')
			q++;
		if (*q != '=')
			continue;
		q++;
		while (*q == ' ')
			q++;
		size_t n = strspn(q, "0123456789abcdef");
		assert_true(n < sizeof value);
		memcpy(value, q, n);
		value[n] = '\0';
		return value;
	}
	fail_msg("vector %s not in PROTOCOL.md", name);
	return NULL;
}

/* HEX vector NAME decoded into a malloc'd buffer. */
static uint8_t *
s_vector_bytes(const char *name, size_t *len)
{
	const char *hex = s_vector(name);
	*len = strlen(hex) / 2;
	uint8_t *b = malloc(*len + 1);
	assert_non_null(b);
	assert_int_equal(hex_decode(b, *len, hex), 0);
	return b;
}

static void
s_keys(uint8_t pk[PUBKEY_BYTES], uint8_t sk[SECKEY_BYTES])
{
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	crypto_sign_seed_keypair(pk, sk, seed);
}

static void
s_header(struct changeset_header *h, const uint8_t pk[PUBKEY_BYTES], uint64_t seq,
    const uint8_t *prev)
{
	memset(h, 0, sizeof *h);
	h->format = CHANGESET_FORMAT;
	strcpy(h->origin, "522601100");
	h->seq = seq;
	if (prev)
		memcpy(h->prev, prev, HASH_BYTES);
	h->hlc = (1764000000000ULL << 16) + seq - 1;
	h->schema = 1;
	memcpy(h->author, pk, PUBKEY_BYTES);
}

static void
test_golden_vectors(void **state)
{
	(void)state;
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], id[HASH_BYTES], sig[SIG_BYTES];
	struct changeset_header h;
	struct ops ops = OPS_INIT;
	msgpack_sbuffer b = { 0, NULL, 0 };
	size_t len;

	s_keys(pk, sk);
	uint8_t *want_pk = s_vector_bytes("pubkey", &len);
	assert_int_equal(len, PUBKEY_BYTES);
	assert_memory_equal(pk, want_pk, PUBKEY_BYTES);
	free(want_pk);

	/* change set 1: two upserts */
	s_header(&h, pk, 1, NULL);
	ops_init(&ops);
	struct colval c1[] = { COL_TEXT("name", "南哨村") };
	ops_upsert(&ops, "village", "522601100001", c1, 1);
	struct colval c2[] = { COL_TEXT("village", "522601100001"), COL_TEXT("name", "一组") };
	ops_upsert(&ops, "village_group", "522601100001/01", c2, 2);
	h.nops = ops.n;
	changeset_encode(&b, &h, &ops);
	ops_release(&ops);
	uint8_t *body1 = s_vector_bytes("body1", &len);
	assert_int_equal(b.size, len);
	assert_memory_equal(b.data, body1, len);
	changeset_id(id, b.data, b.size);
	uint8_t *id1 = s_vector_bytes("id1", &len);
	assert_memory_equal(id, id1, HASH_BYTES);
	changeset_sign(sig, b.data, b.size, sk);
	uint8_t *sig1 = s_vector_bytes("sig1", &len);
	assert_memory_equal(sig, sig1, SIG_BYTES);
	assert_int_equal(changeset_verify_sig(sig1, body1, b.size, pk), 0);
	msgpack_sbuffer_destroy(&b);

	/* change set 2: chained to 1, one delete */
	s_header(&h, pk, 2, id1);
	ops_init(&ops);
	ops_delete(&ops, "village_group", "522601100001/01");
	h.nops = ops.n;
	changeset_encode(&b, &h, &ops);
	ops_release(&ops);
	uint8_t *body2 = s_vector_bytes("body2", &len);
	assert_int_equal(b.size, len);
	assert_memory_equal(b.data, body2, len);
	changeset_id(id, b.data, b.size);
	uint8_t *id2 = s_vector_bytes("id2", &len);
	assert_memory_equal(id, id2, HASH_BYTES);
	changeset_sign(sig, b.data, b.size, sk);
	uint8_t *sig2 = s_vector_bytes("sig2", &len);
	assert_memory_equal(sig, sig2, SIG_BYTES);
	msgpack_sbuffer_destroy(&b);
	free(body1); free(id1); free(sig1); free(body2); free(id2); free(sig2);
}

static void
test_round_trip(void **state)
{
	(void)state;
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], blob[3] = { 0, 0xff, 7 };
	struct changeset_header h;
	struct ops ops = OPS_INIT;
	msgpack_sbuffer b = { 0, NULL, 0 };
	struct changeset cs;
	struct op_view op;
	char err[ERRBUF_SIZE];

	s_keys(pk, sk);
	s_header(&h, pk, 7, NULL);
	h.prev[0] = 0xaa;
	ops_init(&ops);
	struct colval cols[] = { COL_TEXT("name", "x"), COL_INT("year", -5), COL_NIL("note"),
		COL_BLOB("pubkey", blob, sizeof blob), COL_INT("big", INT64_MAX) };
	ops_upsert(&ops, "policy", "LINE/2014", cols, 5);
	ops_delete(&ops, "village", "522601100001");
	h.nops = ops.n;
	changeset_encode(&b, &h, &ops);
	ops_release(&ops);

	assert_int_equal(changeset_decode(&cs, b.data, b.size, err, sizeof err), 0);
	assert_string_equal(cs.h.origin, "522601100");
	assert_int_equal(cs.h.seq, 7);
	assert_int_equal(cs.h.hlc, h.hlc);
	assert_int_equal(cs.h.nops, 2);
	assert_int_equal(cs.h.prev[0], 0xaa);
	assert_memory_equal(cs.h.author, pk, PUBKEY_BYTES);
	assert_int_equal(changeset_op(&cs, 0, &op, err, sizeof err), 0);
	assert_int_equal(op.kind, OP_UPSERT);
	assert_int_equal(op.table_len, 6);
	assert_memory_equal(op.table, "policy", 6);
	assert_int_equal(op.cols->size, 5);
	assert_int_equal(op.cols->ptr[1].val.via.i64, -5);
	assert_int_equal(op.cols->ptr[2].val.type, MSGPACK_OBJECT_NIL);
	assert_int_equal(op.cols->ptr[3].val.via.bin.size, 3);
	assert_int_equal(changeset_op(&cs, 1, &op, err, sizeof err), 0);
	assert_int_equal(op.kind, OP_DELETE);
	assert_int_equal(op.key_len, 12);
	assert_int_not_equal(changeset_op(&cs, 2, &op, err, sizeof err), 0);
	changeset_release(&cs);

	/* signature: any flipped byte fails */
	uint8_t sig[SIG_BYTES];
	changeset_sign(sig, b.data, b.size, sk);
	assert_int_equal(changeset_verify_sig(sig, b.data, b.size, pk), 0);
	((uint8_t *)b.data)[b.size / 2] ^= 1;
	assert_int_not_equal(changeset_verify_sig(sig, b.data, b.size, pk), 0);
	msgpack_sbuffer_destroy(&b);
}

/* Each of these must be refused by msgpack_check or changeset_decode. */
static void
test_malformed_refused(void **state)
{
	(void)state;
	static const struct { const char *hex, *why; } bad[] = {
		{ "", "empty" },
		{ "dd7fffffff", "array declares 2^31 items" },
		{ "df0000ffff01", "map declares 65535 pairs in 1 byte" },
		{ "c6ffffffff00", "bin declares 4 GiB" },
		{ "cb3ff0000000000000", "float" },
		{ "d40100", "ext" },
		{ "c1", "never-used byte" },
		{ "9101", "array of 1" },
		{ "980000", "truncated array" },
		{ "91919191919191919191", "nested 10 deep" },
		{ "c0c0", "trailing bytes" },
		{ "9802a93532323630313130300100000000000090", "format 2, wrong fields" },
		{ "9801a93532323630313130300000cf00000000000000000101c42000000000000000000000000000000000000000000000000000000000000000000090", "seq 0 and prev not bin32" },
	};
	char err[ERRBUF_SIZE];
	struct changeset cs;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = strlen(bad[i].hex) / 2;
		uint8_t *b = malloc(n + 1);
		assert_int_equal(hex_decode(b, n, bad[i].hex), 0);
		err[0] = '\0';
		int rc = changeset_decode(&cs, b, n, err, sizeof err);
		if (rc == 0) {
			changeset_release(&cs);
			fail_msg("accepted: %s", bad[i].why);
		}
		assert_true(err[0] != '\0');
		free(b);
	}
}

/*
 * A change set whose origin is the empty string is refused as "not a node
 * code", and reading it copies nothing: msgpack hands an empty string over
 * with a NULL pointer, and memcpy(dst, NULL, 0) is undefined (UBSan).
 */
static void
test_empty_origin_refused(void **state)
{
	(void)state;
	static const uint8_t zero[64];
	char err[ERRBUF_SIZE];
	struct changeset cs;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 8);
	msgpack_pack_uint64(&pk, CHANGESET_FORMAT);
	msgpack_pack_str(&pk, 0);
	msgpack_pack_str_body(&pk, "", 0);
	msgpack_pack_uint64(&pk, 1);
	msgpack_pack_bin(&pk, HASH_BYTES);
	msgpack_pack_bin_body(&pk, zero, HASH_BYTES);
	msgpack_pack_uint64(&pk, 1);
	msgpack_pack_uint64(&pk, 1);
	msgpack_pack_bin(&pk, PUBKEY_BYTES);
	msgpack_pack_bin_body(&pk, zero, PUBKEY_BYTES);
	msgpack_pack_array(&pk, 0);
	err[0] = '\0';
	/* copied into a buffer of its own, so the decoder cannot lean on sb */
	uint8_t *b = malloc(sb.size);
	memcpy(b, sb.data, sb.size);
	assert_int_equal(changeset_decode(&cs, b, sb.size, err, sizeof err), -1);
	assert_non_null(strstr(err, "origin \"\" is not a node code"));
	free(b);
	msgpack_sbuffer_destroy(&sb);

	/* mp_str_eq of an empty string object, and against "" */
	msgpack_object o = { .type = MSGPACK_OBJECT_STR };
	o.via.str.ptr = NULL;
	o.via.str.size = 0;
	assert_true(mp_str_eq(&o, ""));
	assert_false(mp_str_eq(&o, "x"));
}

/* Ops with bad names, keys, kinds or an "id" column are refused when read. */
static void
test_bad_ops_refused(void **state)
{
	(void)state;
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES];
	struct changeset_header h;
	struct ops ops = OPS_INIT;
	msgpack_sbuffer b = { 0, NULL, 0 };
	struct changeset cs;
	struct op_view op;
	char err[ERRBUF_SIZE];
	const char *tables[] = { "Village", "", "village; drop", "village" };
	const char *keys[] = { "k", "k", "k", "has space" };

	s_keys(pk, sk);
	for (int i = 0; i < 5; i++) {
		s_header(&h, pk, 1, NULL);
		ops_init(&ops);
		if (i < 4) {
			struct colval c[] = { COL_TEXT("name", "x") };
			ops_upsert(&ops, tables[i], keys[i], c, 1);
		} else {
			struct colval c[] = { COL_TEXT("id", "x") };
			ops_upsert(&ops, "village", "k", c, 1);
		}
		h.nops = ops.n;
		changeset_encode(&b, &h, &ops);
		ops_release(&ops);
		assert_int_equal(changeset_decode(&cs, b.data, b.size, err, sizeof err), 0);
		assert_int_not_equal(changeset_op(&cs, 0, &op, err, sizeof err), 0);
		changeset_release(&cs);
		msgpack_sbuffer_destroy(&b);
	}
}

/*
 * The decoder does not insist on the shortest msgpack forms (PROTOCOL.md,
 * "Encodings"): body1 with its origin as str8 and its seq as uint8 decodes to
 * the same fields, but is another change set: its own id, and sig1 does not
 * verify over it.  Nothing is re-encoded, so nothing else can tell.
 */
static void
test_non_shortest_accepted(void **state)
{
	(void)state;
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], id[HASH_BYTES];
	struct changeset cs;
	struct op_view op;
	char err[256];
	size_t len, n = 0;

	s_keys(pk, sk);
	uint8_t *body1 = s_vector_bytes("body1", &len);
	uint8_t *id1 = s_vector_bytes("id1", &n);
	uint8_t *sig1 = s_vector_bytes("sig1", &n);
	/* 98 01 | a9 "522601100" | 01 | c4 20 … */
	assert_int_equal(body1[2], 0xa9);
	assert_int_equal(body1[12], 0x01);
	uint8_t *wide = malloc(len + 2);
	assert_non_null(wide);
	n = 0;
	wide[n++] = body1[0];
	wide[n++] = body1[1];
	wide[n++] = 0xd9;               /* str8 for a 9-byte string */
	wide[n++] = 9;
	memcpy(wide + n, body1 + 3, 9);
	n += 9;
	wide[n++] = 0xcc;               /* uint8 for seq 1 */
	wide[n++] = 0x01;
	memcpy(wide + n, body1 + 13, len - 13);
	n += len - 13;

	assert_int_equal(changeset_decode(&cs, wide, n, err, sizeof err), 0);
	assert_string_equal(cs.h.origin, "522601100");
	assert_int_equal(cs.h.seq, 1);
	assert_int_equal(cs.h.nops, 2);
	assert_int_equal(changeset_op(&cs, 1, &op, err, sizeof err), 0);
	assert_int_equal(op.key_len, strlen("522601100001/01"));
	changeset_release(&cs);

	changeset_id(id, wide, n);
	assert_memory_not_equal(id, id1, HASH_BYTES);
	assert_int_not_equal(changeset_verify_sig(sig1, wide, n, pk), 0);
	free(wide); free(body1); free(id1); free(sig1);
}

/* The chain is checked from the prefix alone: seq and prev, in any integer form. */
static void
test_peek(void **state)
{
	(void)state;
	size_t len1, len2, n;
	uint64_t seq;
	uint8_t prev[HASH_BYTES];
	uint8_t *body1 = s_vector_bytes("body1", &len1);
	uint8_t *body2 = s_vector_bytes("body2", &len2);
	uint8_t *id1 = s_vector_bytes("id1", &n);

	assert_int_equal(changeset_peek(body1, len1, &seq, prev), 0);
	assert_int_equal(seq, 1);
	assert_memory_equal(prev, (uint8_t[HASH_BYTES]){ 0 }, HASH_BYTES);
	assert_int_equal(changeset_peek(body2, len2, &seq, prev), 0);
	assert_int_equal(seq, 2);
	assert_memory_equal(prev, id1, HASH_BYTES);
	/* cut inside prev, and a negative seq: not a change set's prefix */
	assert_int_equal(changeset_peek(body2, 20, &seq, prev), -1);
	uint8_t neg[64];
	memcpy(neg, body2, sizeof neg);
	neg[12] = 0xd0;         /* int8 */
	neg[13] = 0xff;
	assert_int_equal(changeset_peek(neg, sizeof neg, &seq, prev), -1);
	/* str8 origin and uint16 seq, as another encoder may write them */
	uint8_t wide[128];
	n = 0;
	wide[n++] = 0x98;
	wide[n++] = 0x01;
	wide[n++] = 0xd9;
	wide[n++] = 9;
	memcpy(wide + n, "522601100", 9);
	n += 9;
	wide[n++] = 0xcd;
	wide[n++] = 0x01;
	wide[n++] = 0x02;
	wide[n++] = 0xc4;
	wide[n++] = HASH_BYTES;
	memcpy(wide + n, id1, HASH_BYTES);
	n += HASH_BYTES;
	assert_int_equal(changeset_peek(wide, n, &seq, prev), 0);
	assert_int_equal(seq, 258);
	assert_memory_equal(prev, id1, HASH_BYTES);
	free(body1); free(body2); free(id1);
}

/* Objects are counted before anything is unpacked: the container and each element. */
static void
test_check_objects(void **state)
{
	(void)state;
	uint8_t nils[1 + 3];
	char err[256];

	nils[0] = 0x93;         /* fixarray of 3 nils: 4 objects */
	memset(nils + 1, 0xc0, 3);
	assert_int_equal(msgpack_check_objects(nils, sizeof nils, 2, 4, err, sizeof err), 0);
	assert_int_equal(msgpack_check_objects(nils, sizeof nils, 2, 3, err, sizeof err), -1);
	assert_non_null(strstr(err, "more objects"));
	assert_int_equal(msgpack_check(nils, sizeof nils, 2, err, sizeof err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_empty_origin_refused),
		cmocka_unit_test(test_bad_ops_refused),
		cmocka_unit_test(test_non_shortest_accepted),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_check_objects),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
