/*
 * test_statement.c — the signed statements: the test vectors of
 * proto/PROCEDURE.md ("Signatures", "Test vectors"), read from that file and
 * checked byte for byte, so the document cannot drift from the encoder; and
 * that every field is in the signed bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "statement.h"
#include "util.h"

#define FIELDS_MAX 24

/* One vector of PROCEDURE.md: its "NAME = VALUE" lines; value NULL for nil. */
struct vector {
	int n;
	struct {
		char name[32];
		char *value;
	} f[FIELDS_MAX];
};

static char *s_doc;

static void
s_doc_load(void)
{
	const char *src = getenv("LIKA_SRC");
	char path[1024];
	size_t len;

	if (s_doc)
		return;
	snprintf(path, sizeof path, "%s/proto/PROCEDURE.md", src ? src : ".");
	if (file_read(path, &s_doc, &len, NULL, 0) < 0)
		fail_msg("cannot read %s", path);
}

/*
 * The lines under heading HEADING ("#### step-notice") up to the next heading.
 * A value is "text" (everything between the first and the last quote of the
 * line: details hold JSON), nil, or a token of digits and lowercase hex.
 */
static void
s_vector_load(struct vector *v, const char *heading)
{
	char pat[64];

	s_doc_load();
	memset(v, 0, sizeof *v);
	snprintf(pat, sizeof pat, "\n%s\n", heading);
	const char *p = strstr(s_doc, pat);
	if (!p)
		fail_msg("no \"%s\" in PROCEDURE.md", heading);
	p += strlen(pat);
	const char *end = strstr(p, "\n#");
	if (!end)
		end = p + strlen(p);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		size_t nl = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
		const char *q = p + nl;
		while (q < eol && *q == ' ')
			q++;
		if (nl > 0 && nl < sizeof v->f[0].name && q < eol && *q == '=') {
			assert_true(v->n < FIELDS_MAX);
			memcpy(v->f[v->n].name, p, nl);
			for (q++; q < eol && *q == ' '; q++)
				;
			const char *last = eol;
			if (*q == '"') {
				while (last > q + 1 && last[-1] != '"')
					last--;
				assert_true(last > q + 1);     /* a closing quote */
				q++;
				last--;
			} else if ((size_t)(eol - q) == 3 && memcmp(q, "nil", 3) == 0) {
				last = q = NULL;
			} else {
				last = q + strspn(q, "0123456789abcdef");
				assert_ptr_equal(last, eol);
			}
			if (q) {
				v->f[v->n].value = malloc((size_t)(last - q) + 1);
				assert_non_null(v->f[v->n].value);
				memcpy(v->f[v->n].value, q, (size_t)(last - q));
				v->f[v->n].value[last - q] = '\0';
			}
			v->n++;
		}
		p = eol + 1;
	}
}

static void
s_vector_release(struct vector *v)
{
	for (int i = 0; i < v->n; i++)
		free(v->f[i].value);
	v->n = 0;
}

/* Index of FIELD in V, -1 if absent. */
static int
s_find(const struct vector *v, const char *field)
{
	for (int i = 0; i < v->n; i++)
		if (strcmp(v->f[i].name, field) == 0)
			return i;
	return -1;
}

/* Text of FIELD (NULL for nil); the vector must have it. */
static const char *
s_text(const struct vector *v, const char *field)
{
	int i = s_find(v, field);
	if (i < 0)
		fail_msg("vector field %s missing", field);
	return v->f[i].value;
}

/* Integer FIELD, -1 for nil. */
static int64_t
s_int(const struct vector *v, const char *field)
{
	const char *t = s_text(v, field);
	char *end;

	if (!t)
		return -1;
	long long x = strtoll(t, &end, 10);
	assert_true(*t && !*end);
	return (int64_t)x;
}

/* Hex FIELD decoded into a malloc'd buffer of *LEN bytes; NULL for nil. */
static uint8_t *
s_hex(const struct vector *v, const char *field, size_t *len)
{
	const char *t = s_text(v, field);

	*len = 0;
	if (!t)
		return NULL;
	assert_int_equal(strlen(t) % 2, 0);
	*len = strlen(t) / 2;
	uint8_t *b = malloc(*len + 1);
	assert_non_null(b);
	assert_int_equal(hex_decode(b, *len, t), 0);
	return b;
}

/* The key pair of seed FIRST, FIRST+1, … (00…1f the official, 20…3f the township node). */
static void
s_keys(uint8_t first, uint8_t pk[PUBKEY_BYTES], uint8_t sk[SECKEY_BYTES])
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	for (size_t i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(first + i);
	crypto_sign_seed_keypair(pk, sk, seed);
}

/* The step row of vector V; strings borrowed from V, HASH must stay alive. */
static void
s_step_row(struct step_row *r, const struct vector *v, uint8_t **hash)
{
	size_t n;

	*hash = s_hex(v, "record_hash", &n);
	assert_true(!*hash || n == HASH_BYTES);
	*r = (struct step_row){
		.table = s_text(v, "table"), .key = s_text(v, "key"), .household = s_text(v, "household"),
		.round = s_int(v, "round"), .procedure = s_text(v, "procedure"), .step = s_text(v, "step"),
		.decision = s_text(v, "decision"), .at = s_text(v, "at"), .days = s_int(v, "days"),
		.reasons = s_text(v, "reasons"), .details = s_text(v, "details"), .record_hash = *hash,
		.official = s_text(v, "official"), .by_name = s_text(v, "by_name"),
	};
}

static void
s_half_year_row(struct half_year_row *r, const struct vector *v)
{
	*r = (struct half_year_row){
		.key = s_text(v, "key"), .household = s_text(v, "household"), .period = s_text(v, "period"),
		.decision = s_text(v, "decision"), .at = s_text(v, "at"), .reasons = s_text(v, "reasons"),
		.official = s_text(v, "official"),
	};
}

/* SB against the vector's bytes, blake2b, sig (official's key) and seal if given. */
static void
s_check_result(const msgpack_sbuffer *sb, const struct vector *v)
{
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], npk[PUBKEY_BYTES], nsk[SECKEY_BYTES];
	uint8_t hash[HASH_BYTES], sig[SIG_BYTES];
	size_t n;

	s_keys(0x00, pk, sk);
	s_keys(0x20, npk, nsk);
	uint8_t *want = s_hex(v, "bytes", &n);
	assert_non_null(want);
	assert_int_equal(sb->size, n);
	assert_memory_equal(sb->data, want, n);
	free(want);

	crypto_generichash(hash, HASH_BYTES, (const unsigned char *)sb->data, sb->size, NULL, 0);
	want = s_hex(v, "blake2b", &n);
	assert_int_equal(n, HASH_BYTES);
	assert_memory_equal(hash, want, HASH_BYTES);
	free(want);

	statement_sign(sig, sb, sk);
	want = s_hex(v, "sig", &n);
	assert_int_equal(n, SIG_BYTES);
	assert_memory_equal(sig, want, SIG_BYTES);
	assert_int_equal(statement_verify(want, sb, pk), 0);
	assert_int_equal(statement_verify(want, sb, npk), -1);
	free(want);

	if (s_find(v, "seal") >= 0) {
		statement_sign(sig, sb, nsk);
		want = s_hex(v, "seal", &n);
		assert_int_equal(n, SIG_BYTES);
		assert_memory_equal(sig, want, SIG_BYTES);
		assert_int_equal(statement_verify(want, sb, npk), 0);
		assert_int_equal(statement_verify(want, sb, pk), -1);
		free(want);
	}
}

static void
test_keys(void **state)
{
	(void)state;
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES];
	struct vector v;
	size_t n;

	s_vector_load(&v, "### Test vectors");
	s_keys(0x00, pk, sk);
	uint8_t *want = s_hex(&v, "pubkey", &n);
	assert_int_equal(n, PUBKEY_BYTES);
	assert_memory_equal(pk, want, PUBKEY_BYTES);
	free(want);
	s_keys(0x20, pk, sk);
	want = s_hex(&v, "node_pubkey", &n);
	assert_int_equal(n, PUBKEY_BYTES);
	assert_memory_equal(pk, want, PUBKEY_BYTES);
	free(want);
	s_vector_release(&v);
}

static void
test_step_vectors(void **state)
{
	(void)state;
	static const char *const names[] = {
		"#### step-notice", "#### step-details", "#### step-sealed",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct vector v;
		struct step_row r;
		uint8_t *hash;
		msgpack_sbuffer sb;

		s_vector_load(&v, names[i]);
		s_step_row(&r, &v, &hash);
		statement_step(&sb, &r);
		s_check_result(&sb, &v);
		msgpack_sbuffer_destroy(&sb);
		free(hash);
		s_vector_release(&v);
	}
}

static void
test_half_year_vector(void **state)
{
	(void)state;
	struct vector v;
	struct half_year_row r;
	msgpack_sbuffer sb;

	s_vector_load(&v, "#### half-year");
	s_half_year_row(&r, &v);
	statement_half_year(&sb, &r);
	s_check_result(&sb, &v);
	msgpack_sbuffer_destroy(&sb);
	s_vector_release(&v);
}

/* Is SB other bytes than WANT, and does SIG (over WANT) fail over it? */
static void
s_check_differs(const msgpack_sbuffer *sb, const msgpack_sbuffer *want, const uint8_t *sig,
    const uint8_t pk[PUBKEY_BYTES], const char *what)
{
	if (sb->size == want->size && memcmp(sb->data, want->data, sb->size) == 0)
		fail_msg("changing %s leaves the statement's bytes as they were", what);
	assert_int_equal(statement_verify(sig, sb, pk), -1);
}

/* Each of the 14 fields of a step, changed alone (to another value, and to nil), changes the bytes. */
static void
test_step_every_field_signed(void **state)
{
	(void)state;
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], sig[SIG_BYTES], other[HASH_BYTES], *hash;
	struct vector v;
	struct step_row base;
	msgpack_sbuffer want;

	s_keys(0x00, pk, sk);
	s_vector_load(&v, "#### step-details");
	s_step_row(&base, &v, &hash);
	assert_non_null(hash);
	memcpy(other, hash, HASH_BYTES);
	other[HASH_BYTES - 1] ^= 1;
	statement_step(&want, &base);
	statement_sign(sig, &want, sk);
	for (int field = 0; field < 14; field++) {
		for (int to_nil = 0; to_nil < 2; to_nil++) {
			struct step_row r = base;
			const char **s = NULL;
			switch (field) {
			case 0: s = &r.table; break;
			case 1: s = &r.key; break;
			case 2: s = &r.household; break;
			case 3: r.round = to_nil ? r.round - 1 : r.round + 1; break;
			case 4: s = &r.procedure; break;
			case 5: s = &r.step; break;
			case 6: s = &r.decision; break;
			case 7: s = &r.at; break;
			case 8: r.days = to_nil ? 0 : 7; break;     /* nil in the vector */
			case 9: s = &r.reasons; break;
			case 10: s = &r.details; break;
			case 11: r.record_hash = to_nil ? NULL : other; break;
			case 12: s = &r.official; break;
			case 13: s = &r.by_name; break;
			}
			if (s)
				*s = to_nil ? NULL : "X";
			char what[64];
			snprintf(what, sizeof what, "step field %d%s", field, to_nil ? " (nil)" : "");
			msgpack_sbuffer sb;
			statement_step(&sb, &r);
			s_check_differs(&sb, &want, sig, pk, what);
			msgpack_sbuffer_destroy(&sb);
		}
	}
	msgpack_sbuffer_destroy(&want);
	free(hash);
	s_vector_release(&v);
}

/* Each of the 7 fields of a half-year review, changed alone, changes the bytes. */
static void
test_half_year_every_field_signed(void **state)
{
	(void)state;
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], sig[SIG_BYTES];
	struct vector v;
	struct half_year_row base;
	msgpack_sbuffer want;

	s_keys(0x00, pk, sk);
	s_vector_load(&v, "#### half-year");
	s_half_year_row(&base, &v);
	statement_half_year(&want, &base);
	statement_sign(sig, &want, sk);
	for (int field = 0; field < 7; field++) {
		for (int to_nil = 0; to_nil < 2; to_nil++) {
			struct half_year_row r = base;
			const char **s[] = { &r.key, &r.household, &r.period, &r.decision, &r.at,
				&r.reasons, &r.official };
			*s[field] = to_nil ? NULL : "X";
			char what[64];
			snprintf(what, sizeof what, "half-year field %d%s", field, to_nil ? " (nil)" : "");
			msgpack_sbuffer sb;
			statement_half_year(&sb, &r);
			s_check_differs(&sb, &want, sig, pk, what);
			msgpack_sbuffer_destroy(&sb);
		}
	}
	msgpack_sbuffer_destroy(&want);
	s_vector_release(&v);
}

/*
 * A signature holds only over its own statement: not over another step, not
 * over the other kind, not with a value moved to the neighbouring field, and an
 * empty text is not nil.
 */
static void
test_verify_refuses_other_statement(void **state)
{
	(void)state;
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], sig[SIG_BYTES], *hash_a, *hash_b;
	struct vector va, vb, vh;
	struct step_row a, b;
	struct half_year_row h;
	msgpack_sbuffer sa, sb2, sh;

	s_keys(0x00, pk, sk);
	s_vector_load(&va, "#### step-notice");
	s_vector_load(&vb, "#### step-sealed");
	s_vector_load(&vh, "#### half-year");
	s_step_row(&a, &va, &hash_a);
	s_step_row(&b, &vb, &hash_b);
	s_half_year_row(&h, &vh);
	statement_step(&sa, &a);
	statement_step(&sb2, &b);
	statement_half_year(&sh, &h);

	statement_sign(sig, &sa, sk);
	assert_int_equal(statement_verify(sig, &sa, pk), 0);
	assert_int_equal(statement_verify(sig, &sb2, pk), -1);
	assert_int_equal(statement_verify(sig, &sh, pk), -1);
	statement_sign(sig, &sh, sk);
	assert_int_equal(statement_verify(sig, &sh, pk), 0);
	assert_int_equal(statement_verify(sig, &sa, pk), -1);

	/* the same text as reasons or as details: two statements */
	struct step_row r1 = a, r2 = a;
	r1.reasons = "x";
	r2.details = "x";
	msgpack_sbuffer s1, s2;
	statement_step(&s1, &r1);
	statement_step(&s2, &r2);
	statement_sign(sig, &s1, sk);
	assert_int_equal(statement_verify(sig, &s2, pk), -1);
	msgpack_sbuffer_destroy(&s1);
	msgpack_sbuffer_destroy(&s2);

	/* empty reasons are not absent reasons */
	r1 = a;
	r1.reasons = "";
	statement_step(&s1, &r1);
	statement_sign(sig, &s1, sk);
	assert_int_equal(statement_verify(sig, &sa, pk), -1);
	msgpack_sbuffer_destroy(&s1);

	msgpack_sbuffer_destroy(&sa);
	msgpack_sbuffer_destroy(&sb2);
	msgpack_sbuffer_destroy(&sh);
	free(hash_a);
	free(hash_b);
	s_vector_release(&va);
	s_vector_release(&vb);
	s_vector_release(&vh);
}

static int
s_teardown(void **state)
{
	(void)state;
	free(s_doc);
	s_doc = NULL;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_step_vectors),
		cmocka_unit_test(test_half_year_vector),
		cmocka_unit_test(test_step_every_field_signed),
		cmocka_unit_test(test_half_year_every_field_signed),
		cmocka_unit_test(test_verify_refuses_other_statement),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, s_teardown);
}
