/*
 * test_fields.c — the field rules every node applies to every op: clean
 * UTF-8 text, the household file's kinds and limits, ID numbers, codes known
 * to the code tables (and a code added later), integer ranges and keys; then
 * the auditor's case end to end: a township that skips the command line is
 * refused at home, and what it forges is quarantined by the hub.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fields.h"
#include "household.h"
#include "ledger.h"
#include "node.h"
#include "rules.h"
#include "schema.h"
#include "util.h"

#define HH  "522701101000001"
#define MEM HH "/01"

struct fx {
	sqlite3 *db;
	struct fields *f;
	uint32_t index;         /* op index: 0 starts a change set */
	uint64_t epoch;         /* the ledger's epoch: bumped by a rollback */
	char err[ERRBUF_SIZE];
};

static int
s_setup(void **state)
{
	static struct fx fx;
	char err[ERRBUF_SIZE];

	memset(&fx, 0, sizeof fx);
	if (sqlite3_open(":memory:", &fx.db) != SQLITE_OK || schema_create(fx.db, "main", err, sizeof err) < 0)
		return -1;
	if (!(fx.f = fields_new()))
		return -1;
	*state = &fx;
	return 0;
}

static int
s_teardown(void **state)
{
	struct fx *fx = *state;

	fields_free(fx->f);
	sqlite3_close(fx->db);
	return 0;
}

/*
 * Offer one op of TABLE row KEY (KEYLEN bytes) with one column COL: text
 * S (LEN bytes) if S, else the integer I.  Returns fields_check_op's result.
 */
static int
s_op(struct fx *fx, const char *table, const char *key, size_t keylen, const char *col,
    const char *s, size_t len, int64_t i)
{
	static const struct changeset_header cs = { .origin = "522701101" };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked up;
	char k[KEY_MAX + 1];
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	msgpack_pack_str(&pk, strlen(col));
	msgpack_pack_str_body(&pk, col, strlen(col));
	if (s) {
		msgpack_pack_str(&pk, len);
		msgpack_pack_str_body(&pk, s, len);
	} else {
		msgpack_pack_int64(&pk, i);
	}
	msgpack_unpacked_init(&up);
	assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
	memcpy(k, key, keylen);
	k[keylen] = '\0';
	const struct table_def *t = schema_table(table, strlen(table));
	assert_non_null(t);
	struct ledger_rule_op op = {
		.phase = LEDGER_RULE_BEFORE, .db = fx->db, .dbname = "main", .cs = &cs, .index = fx->index,
		.epoch = fx->epoch, .table = t->name, .key = k, .key_len = keylen, .cols = &up.data.via.map,
	};
	fx->err[0] = '\0';
	rc = fields_check_op(fx->f, &op, fx->err, sizeof fx->err);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

static int
s_text(struct fx *fx, const char *table, const char *key, const char *col, const char *s, size_t len)
{
	return s_op(fx, table, key, strlen(key), col, s, len, 0);
}

static int
s_str(struct fx *fx, const char *table, const char *key, const char *col, const char *s)
{
	return s_text(fx, table, key, col, s, strlen(s));
}

static int
s_int(struct fx *fx, const char *table, const char *key, const char *col, int64_t i)
{
	return s_op(fx, table, key, strlen(key), col, NULL, 0, i);
}

/* Refused, with "rule field: TABLE.COLUMN of \"KEY\"" and WANT in the message, no raw control byte. */
static void
s_refused(struct fx *fx, int rc, const char *where, const char *want)
{
	if (rc == 0)
		fail_msg("accepted; expected a refusal with \"%s\"", want);
	if (strncmp(fx->err, "rule field: ", 12) != 0 || !strstr(fx->err, where) || !strstr(fx->err, want))
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", fx->err, where, want);
	for (const unsigned char *p = (const unsigned char *)fx->err; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == 0xff)
			fail_msg("message holds raw byte 0x%02x: %s", *p, fx->err);
	if (strstr(fx->err, "\xe2\x80\xae") || strstr(fx->err, "\xc2\x85"))
		fail_msg("message holds a raw bidi or C1 character");
}

static void
s_ok(struct fx *fx, int rc)
{
	if (rc != 0)
		fail_msg("refused: %s", fx->err);
}

static void
test_clean_member_row(void **state)
{
	struct fx *fx = *state;

	s_ok(fx, s_str(fx, "member", MEM, "household", HH));
	s_ok(fx, s_str(fx, "member", MEM, "name", "王小明"));
	s_ok(fx, s_str(fx, "member", MEM, "name", "阿依古丽·买买提"));
	s_ok(fx, s_str(fx, "member", MEM, "idcard", "11010519491231002X"));
	s_ok(fx, s_str(fx, "member", MEM, "sex", "01"));
	s_ok(fx, s_str(fx, "member", MEM, "ethnicity", "56"));
	s_ok(fx, s_str(fx, "member", MEM, "insurance", "01,03"));
	s_ok(fx, s_int(fx, "member", MEM, "migrant_months", 12));
	s_ok(fx, s_str(fx, "household", HH, "cause_note", "因病致贫\n长期服药"));
	s_ok(fx, s_str(fx, "household", HH, "village", "522701101001"));
	s_ok(fx, s_str(fx, "household", HH, "phone", "+86 851-1234567"));
}

static void
test_control_characters(void **state)
{
	struct fx *fx = *state;
	const char where[] = "member.name of \"" MEM "\"";

	s_refused(fx, s_str(fx, "member", MEM, "name", "王\x1b[31m红\x1b[0m"), where, "\\x1b");
	s_refused(fx, s_text(fx, "member", MEM, "name", "王\0<script>", 11), where, "NUL");
	s_refused(fx, s_str(fx, "member", MEM, "name", "王\x7f"), where, "\\x7f");
	s_refused(fx, s_str(fx, "member", MEM, "name", "王\t五"), where, "\\x09");
	s_refused(fx, s_str(fx, "member", MEM, "name", "王\n五"), where, "control");
	s_refused(fx, s_str(fx, "member", MEM, "name", "王\xc2\x85五"), where, "\\u0085");
	/* a note may break lines, never carry a carriage return or an escape */
	s_refused(fx, s_str(fx, "household", HH, "cause_note", "因病\r\n"), "household.cause_note", "\\x0d");
	s_refused(fx, s_str(fx, "household", HH, "address", "一组\n二组"), "household.address", "\\x0a");
}

static void
test_invalid_utf8(void **state)
{
	struct fx *fx = *state;
	const char where[] = "member.name of \"" MEM "\"";

	s_refused(fx, s_str(fx, "member", MEM, "name", "王\xff"), where, "not valid UTF-8");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\xc0\xaf"), where, "overlong");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\xe0\x80\xaf"), where, "overlong");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\xf0\x80\x80\xaf"), where, "overlong");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\xed\xa0\x80"), where, "surrogate");
	s_refused(fx, s_str(fx, "member", MEM, "name", "王\xe7\x8e"), where, "cut short");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\xf4\x90\x80\x80"), where, "not valid UTF-8");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\x80"), where, "not valid UTF-8");
}

static void
test_bidi_overrides(void **state)
{
	struct fx *fx = *state;
	const char where[] = "member.name of \"" MEM "\"";

	s_refused(fx, s_str(fx, "member", MEM, "name", "王\xe2\x80\xae三"), where, "\\u202e");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\xe2\x80\xaa王"), where, "\\u202a");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\xe2\x81\xa6王"), where, "\\u2066");
	s_refused(fx, s_str(fx, "member", MEM, "name", "\xe2\x81\xa9王"), where, "\\u2069");
	s_refused(fx, s_str(fx, "policy", "poverty_line/2023", "note", "x\xe2\x80\xaey"), "policy.note",
	    "bidirectional");
	/* U+2028 and U+200F are not overrides */
	s_ok(fx, s_str(fx, "member", MEM, "name", "王\xe2\x80\x8f三"));
}

static void
test_lengths(void **state)
{
	struct fx *fx = *state;
	char *big = malloc(30000);

	assert_non_null(big);
	memset(big, 'a', 30000);
	s_refused(fx, s_text(fx, "member", MEM, "name", big, 30000), "member.name", "a name is 1 to 60 bytes");
	s_refused(fx, s_text(fx, "member", MEM, "idcard", big, 20000), "member.idcard", "18 characters");
	s_refused(fx, s_text(fx, "household", HH, "cause_note", big, 30000), "household.cause_note",
	    "longer than 1000");
	s_ok(fx, s_text(fx, "household", HH, "cause_note", big, 1000));
	s_refused(fx, s_text(fx, "household", HH, "address", big, 201), "household.address", "longer than 200");
	s_ok(fx, s_text(fx, "household", HH, "address", big, 200));
	s_refused(fx, s_text(fx, "household", HH, "bank", big, 101), "household.bank", "longer than 100");
	s_ok(fx, s_text(fx, "member", MEM, "name", big, 60));
	s_refused(fx, s_text(fx, "member", MEM, "name", big, 61), "member.name", "60");
	s_refused(fx, s_text(fx, "member", MEM, "name", big, 0), "member.name", "1 to 60");
	/* a column without a command-line field: its rule in fields.c, or one-line text of 200 */
	s_ok(fx, s_text(fx, "review_step", HH "/01/01", "reasons", big, 2000));
	s_refused(fx, s_text(fx, "review_step", HH "/01/01", "reasons", big, 2001), "review_step.reasons",
	    "longer than 2000");
	s_refused(fx, s_text(fx, "code_sex", "01", "name", big, 64), "code_sex.name", "longer than 63");
	free(big);
}

static void
test_idcard(void **state)
{
	struct fx *fx = *state;

	s_ok(fx, s_str(fx, "member", MEM, "idcard", "440524188001010014"));
	s_refused(fx, s_str(fx, "member", MEM, "idcard", "440524188001010015"), "member.idcard", "check");
	s_refused(fx, s_str(fx, "member", MEM, "idcard", "11010519491231002x"), "member.idcard", "upper case");
	s_refused(fx, s_str(fx, "member", MEM, "idcard", "110105194902300021"), "member.idcard",
	    "\"110105194902300021\"");
	s_refused(fx, s_str(fx, "member", MEM, "idcard", "11010519491231002"), "member.idcard", "18 characters");
}

static void
test_codes(void **state)
{
	struct fx *fx = *state;

	s_refused(fx, s_str(fx, "member", MEM, "sex", "09"), "member.sex", "\"09\" is not a code of code_sex");
	s_refused(fx, s_str(fx, "member", MEM, "sex", "男"), "member.sex", "not a code of code_sex");
	s_refused(fx, s_str(fx, "member", MEM, "sex", "01,02"), "member.sex", "one code");
	s_refused(fx, s_str(fx, "member", MEM, "relation", ""), "member.relation", "empty");
	s_refused(fx, s_str(fx, "household", HH, "status", "99"), "household.status", "code_status");
	s_refused(fx, s_str(fx, "household_flag", HH "/09", "flag", "09"), "household_flag.flag", "code_flag");
	s_refused(fx, s_str(fx, "household_cause", HH "/13", "cause", "13"), "household_cause.cause",
	    "code_cause");
	/* code sets: sorted, unique, at most the declared number */
	s_ok(fx, s_str(fx, "member", MEM, "insurance", "01,02,03"));
	s_refused(fx, s_str(fx, "member", MEM, "insurance", "03,01"), "member.insurance", "sorted");
	s_refused(fx, s_str(fx, "member", MEM, "insurance", "01,01"), "member.insurance", "unique");
	s_refused(fx, s_str(fx, "member", MEM, "insurance", "01,"), "member.insurance", "not a code");
	s_refused(fx, s_str(fx, "member", MEM, "insurance", "01,09"), "member.insurance",
	    "\"09\" is not a code of code_insurance");
}

/* The county adds a code: accepted from the op on; a rolled-back or vanished code is not. */
static void
test_code_added(void **state)
{
	struct fx *fx = *state;

	fx->index = 0;
	s_refused(fx, s_str(fx, "member", MEM, "sex", "09"), "member.sex", "code_sex");
	/* the op adding it: the ledger applies it right after this hook */
	fx->index = 0;
	s_ok(fx, s_str(fx, "code_sex", "09", "name", "未说明"));
	assert_int_equal(sqlite3_exec(fx->db, "INSERT INTO code_sex VALUES ('09', '未说明')", NULL, NULL, NULL),
	    SQLITE_OK);
	fx->index = 1;
	s_ok(fx, s_str(fx, "member", MEM, "sex", "09"));
	/* a longer code, kept outside the two-digit bitmap */
	fx->index = 0;
	s_ok(fx, s_str(fx, "code_ethnicity", "97A", "name", "其他"));
	assert_int_equal(sqlite3_exec(fx->db, "INSERT INTO code_ethnicity VALUES ('97A', '其他')", NULL, NULL,
	    NULL), SQLITE_OK);
	fx->index = 1;
	s_ok(fx, s_str(fx, "member", MEM, "ethnicity", "97A"));
	/* rolled back: the ledger's epoch moves on, and the code is gone */
	assert_int_equal(sqlite3_exec(fx->db, "DELETE FROM code_sex WHERE id = '09'", NULL, NULL, NULL),
	    SQLITE_OK);
	fx->epoch++;
	fx->index = 0;
	s_refused(fx, s_str(fx, "member", MEM, "sex", "09"), "member.sex", "code_sex");
	/* a code's key: short and plain, since code sets join with "," */
	s_refused(fx, s_str(fx, "code_flag", "0,1", "name", "x"), "code_flag", "ASCII letters or digits");
	s_refused(fx, s_str(fx, "code_flag", "12345678", "name", "x"), "code_flag", "1 to 7");
	fx->index = 0;
}

static void
test_integers(void **state)
{
	struct fx *fx = *state;

	s_ok(fx, s_int(fx, "household", HH, "first_year", 2014));
	s_refused(fx, s_int(fx, "household", HH, "first_year", 1948), "household.first_year", "1949 and 2100");
	s_refused(fx, s_int(fx, "household", HH, "first_year", 2101), "household.first_year", "1949 and 2100");
	s_refused(fx, s_int(fx, "member", MEM, "migrant_months", 13), "member.migrant_months", "0 and 12");
	s_refused(fx, s_int(fx, "member", MEM, "migrant_months", -1), "member.migrant_months", "0 and 12");
	s_refused(fx, s_int(fx, "income", HH "/2023", "wages", -100), "income.wages", "fen");
	s_ok(fx, s_int(fx, "income", HH "/2023", "net_per_capita", -100));
	s_refused(fx, s_int(fx, "income", HH "/2023", "size", 0), "income.size", "1 and 99");
	s_refused(fx, s_int(fx, "household_condition", HH, "dangerous_house", 2),
	    "household_condition.dangerous_house", "0 and 1");
	s_refused(fx, s_int(fx, "household_condition", HH, "farmland", -1), "household_condition.farmland",
	    "hundredths");
	s_refused(fx, s_int(fx, "measure", HH "/M001", "funds", -1), "measure.funds", "between");
}

static void
test_forms(void **state)
{
	struct fx *fx = *state;

	s_refused(fx, s_str(fx, "household", HH, "village", "522701102001"), "household.village", "522701101");
	s_refused(fx, s_str(fx, "member", MEM, "household", "522701101000000"), "member.household", "6 digits");
	s_refused(fx, s_str(fx, "member", MEM, "household", "522701102000001"), "member.household",
	    "township code 522701101");
	s_refused(fx, s_str(fx, "household", HH, "account", "6222-0001"), "household.account", "8 to 30 digits");
	s_refused(fx, s_str(fx, "household", HH, "phone", "call me"), "household.phone", "phone");
	s_ok(fx, s_str(fx, "objection", HH "/01/05/01", "at", "2024-02-29"));
	s_refused(fx, s_str(fx, "objection", HH "/01/05/01", "at", "2023-02-29"), "objection.at", "YYYY-MM-DD");
	/* a value of the wrong type is the ledger's to refuse */
	s_ok(fx, s_int(fx, "member", MEM, "name", 7));
	s_ok(fx, s_str(fx, "member", MEM, "migrant_months", "x"));
}

static void
test_keys(void **state)
{
	struct fx *fx = *state;

	s_refused(fx, s_str(fx, "member", HH "/\x1b" "1", "name", "王"), "member of \"" HH "/\\x1b1\"", "key");
	s_refused(fx, s_op(fx, "member", HH "/0\0" "1", 18, "name", "王", 3, 0), "member of", "NUL");
	s_refused(fx, s_str(fx, "village", "522701101\xff", "name", "村"), "village of", "UTF-8");
	s_refused(fx, s_str(fx, "village", "522701101\xe2\x80\xae", "name", "村"), "village of", "\\u202e");
}

static void
test_escape(void **state)
{
	char out[64];
	(void)state;

	fields_escape(out, sizeof out, "王\x1b[1m\"\\", 9, 40);
	assert_string_equal(out, "王\\x1b[1m\\\"\\\\");
	fields_escape(out, sizeof out, "a\0b", 3, 40);
	assert_string_equal(out, "a\\x00b");
	fields_escape(out, sizeof out, "\xe2\x80\xae\xff", 4, 40);
	assert_string_equal(out, "\\u202e\\xff");
	fields_escape(out, sizeof out, "王王王王", 12, 6);
	assert_string_equal(out, "王王…");
	fields_escape(out, 8, "abcdefghij", 10, 40);
	assert_string_equal(out, "abcd…");
	assert_int_equal(fields_text_clean("王", 3, 0, NULL, 0), 0);
}

/* ---- the auditor's case, end to end -------------------------------------------- */

static void
test_forged_changeset_quarantined(void **state)
{
	char dir[] = "/tmp/lika-fields.XXXXXX", path[128], err[ERRBUF_SIZE], hex[2 * PUBKEY_BYTES + 1];
	struct node county, township;
	struct ops ops = OPS_INIT;
	(void)state;

	memset(&county, 0, sizeof county);
	memset(&township, 0, sizeof township);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/county", dir);
	struct node_init_args ca = { .role = ROLE_COUNTY, .code = "522701", .name = "县" };
	if (node_init(path, &ca, err, sizeof err) < 0 || node_open(&county, path, 0, rules_attach, err,
	    sizeof err) < 0)
		fail_msg("county: %s", err);
	hex_encode(hex, county.id.pk, PUBKEY_BYTES);
	snprintf(path, sizeof path, "%s/township", dir);
	struct node_init_args ta = { .role = ROLE_TOWNSHIP, .code = "522701101", .name = "乡",
		.county_key = hex, .hub = "tcp://127.0.0.1:7700" };
	if (node_init(path, &ta, err, sizeof err) < 0 || node_open(&township, path, 0, rules_attach, err,
	    sizeof err) < 0)
		fail_msg("township: %s", err);

	assert_int_equal(ledger_begin(county.ledger, err, sizeof err), 0);
	ops_init(&ops);
	struct colval roster[] = { COL_BLOB("pubkey", township.id.pk, PUBKEY_BYTES),
		COL_TEXT("name", "乡"), COL_TEXT("role", "township"), COL_INT("removed", 0) };
	ops_upsert(&ops, "roster_node", "522701101", roster, 4);
	if (ledger_commit(county.ledger, &ops, NULL, err, sizeof err) < 0)
		fail_msg("roster: %s", err);
	ops_release(&ops);

	/* a local write with an escape in a name: refused at home */
	static const char evil[] = "王\x1b[2J\xff";
	struct colval member[] = { COL_TEXT("household", HH), COL_TEXTN("name", evil, sizeof evil - 1) };
	assert_int_equal(ledger_begin(township.ledger, err, sizeof err), 0);
	ops_init(&ops);
	ops_upsert(&ops, "member", MEM, member, 2);
	assert_int_equal(ledger_commit(township.ledger, &ops, NULL, err, sizeof err), -1);
	if (!strstr(err, "rule field: member.name of \"" MEM "\""))
		fail_msg("local write: %s", err);

	/* the modified township: no rules, a validly signed change set */
	ledger_set_rules(township.ledger, NULL, NULL, NULL);
	assert_int_equal(ledger_begin(township.ledger, err, sizeof err), 0);
	if (ledger_commit(township.ledger, &ops, NULL, err, sizeof err) < 0)
		fail_msg("forged write: %s", err);
	ops_release(&ops);

	uint8_t *body, sig[SIG_BYTES];
	size_t len;
	enum recv_result res;
	char reason[384] = "";
	assert_int_equal(ledger_changeset_get(township.ledger, "522701101", 1, &body, &len, sig), 0);
	assert_int_equal(ledger_recv_begin(county.ledger, err, sizeof err), 0);
	assert_int_equal(ledger_receive(county.ledger, body, len, sig, SIG_BYTES, "test", &res, reason,
	    sizeof reason), 0);
	assert_int_equal(ledger_recv_commit(county.ledger, err, sizeof err), 0);
	free(body);
	assert_int_equal(res, RECV_REFUSED);
	if (!strstr(reason, "rule field: member.name of \"" MEM "\"") || !strstr(reason, "\\x1b"))
		fail_msg("reason: %s", reason);
	assert_int_equal(ledger_feed_frozen(county.ledger, "522701101", reason, sizeof reason), 1);

	/* and the township's own verify names the change set */
	struct verify_report rep;
	rules_attach(township.ledger);
	assert_int_equal(ledger_verify(township.ledger, &rep, err, sizeof err), 1);
	assert_string_equal(rep.origin, "522701101");
	assert_int_equal(rep.seq, 1);
	if (!strstr(rep.reason, "rule field: member.name"))
		fail_msg("verify: %s", rep.reason);

	node_close(&county);
	node_close(&township);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_member_row),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_bidi_overrides),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_idcard),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_code_added),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_forged_changeset_quarantined),
	};
	return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
