/* test_wire.c — the wire codec: round trips and malformed input */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>

#include "wire.h"

static int
s_decode(struct wire_msg *m, const msgpack_sbuffer *sb)
{
	char err[256];

	return wire_decode(m, sb->data, sb->size, err, sizeof err);
}

static void
test_hello_roundtrip(void **state)
{
	(void)state;
	msgpack_sbuffer sb;
	struct wire_head h[2];
	const char *want[] = { "*", "110101002" };
	struct wire_msg m;

	memset(h, 0, sizeof h);
	strcpy(h[0].origin, "110101001");
	h[0].seq = 42;
	memset(h[0].id, 0xab, HASH_BYTES);
	strcpy(h[1].origin, "110101");
	h[1].seq = 0;
	msgpack_sbuffer_init(&sb);
	wire_encode_hello(&sb, "110101001", 1, h, 2, want, 2);
	assert_int_equal(s_decode(&m, &sb), 0);
	assert_int_equal(m.type, WIRE_HELLO);
	assert_string_equal(m.node, "110101001");
	assert_int_equal(m.schema, 1);
	assert_int_equal(m.nheads, 2);
	assert_string_equal(m.heads[0].origin, "110101001");
	assert_int_equal(m.heads[0].seq, 42);
	assert_memory_equal(m.heads[0].id, h[0].id, HASH_BYTES);
	assert_int_equal(m.want_all, 1);
	assert_int_equal(m.nwant, 1);
	assert_string_equal(m.want[0], "110101002");
	wire_msg_release(&m);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_welcome_roundtrip(void **state)
{
	(void)state;
	msgpack_sbuffer sb;
	struct wire_msg m;

	msgpack_sbuffer_init(&sb);
	wire_encode_welcome(&sb, "110101", 1, NULL, 0);
	assert_int_equal(s_decode(&m, &sb), 0);
	assert_int_equal(m.type, WIRE_WELCOME);
	assert_string_equal(m.node, "110101");
	assert_int_equal(m.nheads, 0);
	wire_msg_release(&m);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_changesets_roundtrip(void **state)
{
	(void)state;
	msgpack_sbuffer sb;
	struct wire_msg m;
	uint8_t body[3][100], sig[3][SIG_BYTES];
	struct wire_cs cs[3];

	for (int i = 0; i < 3; i++) {
		memset(body[i], 'a' + i, sizeof body[i]);
		memset(sig[i], i, SIG_BYTES);
		cs[i] = (struct wire_cs){ body[i], 10 + (size_t)i, sig[i], SIG_BYTES };
	}
	msgpack_sbuffer_init(&sb);
	wire_encode_changesets(&sb, "110101001", cs, 3);
	assert_int_equal(s_decode(&m, &sb), 0);
	assert_int_equal(m.type, WIRE_CHANGESETS);
	assert_string_equal(m.origin, "110101001");
	assert_int_equal(m.ncs, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(m.cs[i].len, 10 + i);
		assert_memory_equal(m.cs[i].body, body[i], 10 + i);
		assert_int_equal(m.cs[i].siglen, SIG_BYTES);
		assert_memory_equal(m.cs[i].sig, sig[i], SIG_BYTES);
	}
	wire_msg_release(&m);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_small_messages(void **state)
{
	(void)state;
	msgpack_sbuffer sb;
	struct wire_msg m;

	msgpack_sbuffer_init(&sb);
	wire_encode_ack(&sb, "110101001", 7);
	assert_int_equal(s_decode(&m, &sb), 0);
	assert_int_equal(m.type, WIRE_ACK);
	assert_int_equal(m.seq, 7);
	wire_msg_release(&m);
	msgpack_sbuffer_clear(&sb);

	wire_encode_need(&sb, "110101", 3);
	assert_int_equal(s_decode(&m, &sb), 0);
	assert_int_equal(m.type, WIRE_NEED);
	assert_string_equal(m.origin, "110101");
	assert_int_equal(m.seq, 3);
	wire_msg_release(&m);
	msgpack_sbuffer_clear(&sb);

	wire_encode_error(&sb, WERR_REFUSED, "110101001", "bad\nsignature");
	assert_int_equal(s_decode(&m, &sb), 0);
	assert_int_equal(m.type, WIRE_ERROR);
	assert_int_equal(m.code, WERR_REFUSED);
	assert_string_equal(m.detail, "bad?signature");
	assert_string_equal(m.origin, "110101001");
	wire_msg_release(&m);
	msgpack_sbuffer_clear(&sb);

	wire_encode_error(&sb, WERR_HELLO_FIRST, NULL, "no session");
	assert_int_equal(s_decode(&m, &sb), 0);
	assert_string_equal(m.origin, "");
	wire_msg_release(&m);
	msgpack_sbuffer_clear(&sb);

	wire_encode_heartbeat(&sb);
	assert_int_equal(s_decode(&m, &sb), 0);
	assert_int_equal(m.type, WIRE_HEARTBEAT);
	wire_msg_release(&m);
	msgpack_sbuffer_destroy(&sb);
}

/*
 * An ERROR with an empty origin and an empty detail (what a hub sends before
 * it knows the peer): decoded with nothing copied from the empty strings,
 * whose pointers msgpack leaves NULL (memcmp/memcpy of NULL is undefined).
 */
static void
test_error_empty_strings(void **state)
{
	(void)state;
	msgpack_sbuffer sb;
	struct wire_msg m;

	msgpack_sbuffer_init(&sb);
	wire_encode_error(&sb, WERR_HELLO_FIRST, "", "");
	uint8_t *b = malloc(sb.size);
	memcpy(b, sb.data, sb.size);
	assert_int_equal(wire_decode(&m, b, sb.size, NULL, 0), 0);
	assert_int_equal(m.type, WIRE_ERROR);
	assert_int_equal(m.code, WERR_HELLO_FIRST);
	assert_string_equal(m.origin, "");
	assert_string_equal(m.detail, "");
	wire_msg_release(&m);
	free(b);
	msgpack_sbuffer_destroy(&sb);
}

/* Golden vectors: the bytes of the examples of proto/PROTOCOL.md, "Wire", byte for byte. */
static void
test_golden(void **state)
{
	(void)state;
	static const uint8_t ack[] = { 0x94, 0x01, 0x04, 0xa9, '1', '1', '0', '1', '0', '1', '0', '0',
	    '1', 0x2a };
	static const uint8_t heartbeat[] = { 0x92, 0x01, 0x07 };
	static const uint8_t error[] = { 0x95, 0x01, 0x06, 0x02, 0xa2, 'h', 'i', 0xa0 };
	msgpack_sbuffer sb;

	msgpack_sbuffer_init(&sb);
	wire_encode_ack(&sb, "110101001", 42);
	assert_int_equal(sb.size, sizeof ack);
	assert_memory_equal(sb.data, ack, sizeof ack);
	msgpack_sbuffer_clear(&sb);
	wire_encode_heartbeat(&sb);
	assert_int_equal(sb.size, sizeof heartbeat);
	assert_memory_equal(sb.data, heartbeat, sizeof heartbeat);
	msgpack_sbuffer_clear(&sb);
	wire_encode_error(&sb, WERR_HELLO_FIRST, NULL, "hi");
	assert_int_equal(sb.size, sizeof error);
	assert_memory_equal(sb.data, error, sizeof error);
	msgpack_sbuffer_destroy(&sb);
}

/* Every bad frame below must be refused without crashing or over-allocating. */
static void
test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
	} bad[] = {
		{ "empty", "", 0 },
		{ "not msgpack", "\xc1", 1 },
		{ "not an array", "\x01", 1 },
		{ "array of one", "\x91\x01", 2 },
		{ "wrong version", "\x92\x02\x07", 3 },
		{ "unknown type", "\x92\x01\x63", 3 },
		{ "negative type", "\x92\x01\xff", 3 },
		{ "heartbeat with a field", "\x93\x01\x07\x01", 4 },
		{ "huge declared array", "\xdd\xff\xff\xff\xff\x01\x07", 7 },
		{ "huge declared bin", "\x94\x01\x03\xa9" "110101001" "\xc6\xff\xff\xff\xff", 18 },
		{ "ack without seq", "\x93\x01\x04\xa9" "110101001", 13 },
		{ "ack bad origin", "\x94\x01\x04\xa3" "abc" "\x01", 8 },
		{ "need from zero", "\x94\x01\x05\xa6" "110101" "\x00", 11 },
		{ "ack negative seq", "\x94\x01\x04\xa6" "110101" "\xff", 11 },
		{ "empty batch", "\x94\x01\x03\xa6" "110101" "\x90", 11 },
		{ "batch item not pair", "\x94\x01\x03\xa6" "110101" "\x91\x01", 12 },
		{ "batch item str", "\x94\x01\x03\xa6" "110101" "\x91\x92\xa1x\xa1y", 16 },
		{ "trailing bytes", "\x92\x01\x07\x00", 4 },
		{ "float", "\x93\x01\x07\xca\x00\x00\x00\x00", 8 },
		{ "too deep", "\x93\x01\x03\x91\x91\x91\x91\x91\x91\x01", 11 },
		{ "error code str", "\x95\x01\x06\xa1x\xa1y\xa0", 8 },
		{ "error without origin", "\x94\x01\x06\x01\xa1y", 6 },
		{ "error bad origin", "\x95\x01\x06\x01\xa1y\xa2zz", 9 },
		{ "hello short", "\x93\x01\x01\xa6" "110101", 10 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct wire_msg m;
		char err[256] = "";
		int rc = wire_decode(&m, bad[i].bytes, bad[i].len, err, sizeof err);
		if (rc != -1)
			fail_msg("\"%s\" was accepted", bad[i].what);
		assert_true(err[0] != '\0');
	}
}

/* Every truncation of a good message is refused, and every single-byte change is handled. */
static void
test_truncate_and_flip(void **state)
{
	(void)state;
	msgpack_sbuffer sb;
	struct wire_head h = { "110101001", 5, { 1 } };
	const char *want[] = { "110101" };
	struct wire_msg m;
	char err[256];

	msgpack_sbuffer_init(&sb);
	wire_encode_hello(&sb, "110101001", 1, &h, 1, want, 1);
	for (size_t n = 0; n < sb.size; n++)
		assert_int_equal(wire_decode(&m, sb.data, n, err, sizeof err), -1);
	uint8_t *copy = malloc(sb.size);
	for (size_t i = 0; i < sb.size; i++)
		for (int b = 0; b < 256; b += 17) {
			memcpy(copy, sb.data, sb.size);
			copy[i] = (uint8_t)b;
			if (wire_decode(&m, copy, sb.size, err, sizeof err) == 0)
				wire_msg_release(&m);
		}
	free(copy);
	msgpack_sbuffer_destroy(&sb);
}

/* Random frames, and random frames behind a valid prefix: refused or decoded, never a crash. */
static void
test_random(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct wire_msg m;
	char err[256];
	static const uint8_t prefixes[][3] = {
		{ 0x94, 0x01, 0x03 }, { 0x96, 0x01, 0x01 }, { 0x95, 0x01, 0x02 }, { 0x95, 0x01, 0x06 },
	};

	randombytes_buf_deterministic(buf, sizeof buf, (const uint8_t *)"lika wire fuzz seed 0123456789ab");
	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + randombytes_uniform(sizeof buf);
		randombytes_buf(buf, len);
		if (round % 2 && len > 3)
			memcpy(buf, prefixes[round % 4], 3);
		if (wire_decode(&m, buf, len, err, sizeof err) == 0)
			wire_msg_release(&m);
	}
}

static void
test_oversize(void **state)
{
	(void)state;
	struct wire_msg m;
	char err[256];
	static const uint8_t one = 0x90;

	assert_int_equal(wire_decode(&m, &one, WIRE_MAX_MSG + 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "exceeds"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_roundtrip),
		cmocka_unit_test(test_welcome_roundtrip),
		cmocka_unit_test(test_changesets_roundtrip),
		cmocka_unit_test(test_small_messages),
		cmocka_unit_test(test_error_empty_strings),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncate_and_flip),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_oversize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
