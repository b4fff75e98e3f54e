/* test_csv.c — RFC 4180 parsing and the UTF-8 / GB18030 decision */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csv.h"

static int
s_parse(struct csv *csv, const char *text)
{
	char *t = strdup(text);
	return csv_parse(csv, &t, strlen(text), NULL, 0);
}

static void
test_quotes_commas_newlines(void **state)
{
	struct csv csv;
	(void)state;
	assert_int_equal(s_parse(&csv, "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n,,\n"), 0);
	assert_int_equal(csv.nrows, 3);
	assert_int_equal(csv.rows[1].n, 3);
	assert_string_equal(csv.rows[1].fields[0], "x,1");
	assert_string_equal(csv.rows[1].fields[1], "say \"hi\"");
	assert_string_equal(csv.rows[1].fields[2], "two\nlines");
	assert_int_equal(csv.rows[1].line, 2);
	assert_int_equal(csv.rows[2].line, 4);
	assert_string_equal(csv.rows[2].fields[2], "");
	csv_release(&csv);
}

static void
test_no_final_newline_and_blank_lines(void **state)
{
	struct csv csv;
	(void)state;
	assert_int_equal(s_parse(&csv, "a\n\n\nb"), 0);
	assert_int_equal(csv.nrows, 2);
	assert_string_equal(csv.rows[1].fields[0], "b");
	assert_int_equal(csv.rows[1].line, 4);
	csv_release(&csv);
	assert_int_equal(s_parse(&csv, ""), 0);
	assert_int_equal(csv.nrows, 0);
	csv_release(&csv);
}

static void
test_lone_cr(void **state)
{
	struct csv csv;
	(void)state;
	assert_int_equal(s_parse(&csv, "a,b\r1,\"x\ry\"\r2,3"), 0);
	assert_int_equal(csv.nrows, 3);
	assert_string_equal(csv.rows[1].fields[1], "x\ry");
	assert_string_equal(csv.rows[2].fields[1], "3");
	assert_int_equal(csv.rows[2].line, 3);
	csv_release(&csv);
}

static void
test_malformed(void **state)
{
	struct csv csv;
	char err[128];
	char *t;
	(void)state;
	t = strdup("a,\"open\n");
	assert_int_equal(csv_parse(&csv, &t, 8, err, sizeof err), -1);
	assert_non_null(strstr(err, "line 1"));
	t = strdup("a,b\nx\"y,z\n");
	assert_int_equal(csv_parse(&csv, &t, 10, err, sizeof err), -1);
	assert_non_null(strstr(err, "line 2"));
	t = strdup("\"a\"b\n");
	assert_int_equal(csv_parse(&csv, &t, 5, err, sizeof err), -1);
}

static void
test_encodings(void **state)
{
	/* 户主 in GB18030 is not valid UTF-8 and converts */
	static const char gb[] = "\xbb\xa7\xd6\xf7";
	static const char bom[] = "\xef\xbb\xbf\xe6\x88\xb7\xe4\xb8\xbb";
	char *out;
	size_t len;
	const char *used;
	(void)state;
	assert_false(csv_utf8_valid(gb, 4));
	assert_int_equal(csv_to_utf8(gb, 4, NULL, &out, &len, &used, NULL, 0), 0);
	assert_string_equal(used, "gb18030");
	assert_string_equal(out, "户主");
	free(out);
	assert_int_equal(csv_to_utf8(bom, 9, NULL, &out, &len, &used, NULL, 0), 0);
	assert_string_equal(used, "utf-8");
	assert_string_equal(out, "户主");
	free(out);
	assert_int_equal(csv_to_utf8(gb, 4, "utf-8", &out, &len, &used, NULL, 0), -1);
	assert_int_equal(csv_to_utf8(gb, 4, "latin1", &out, &len, &used, NULL, 0), -1);
	/* overlong and surrogate forms are not UTF-8 */
	assert_false(csv_utf8_valid("\xc0\xaf", 2));
	assert_false(csv_utf8_valid("\xed\xa0\x80", 3));
}

/* A NUL in a cell would cut it short (王\0<script> kept as 王): refused with line and column. */
static void
test_nul_refused(void **state)
{
	static const char text[] = "姓名,身份证号\n张三,x\n李四,\"王\0<script>\"\n王\0<b>,y\n";
	struct csv csv;
	char err[128];
	char *t;
	(void)state;
	t = malloc(sizeof text);
	memcpy(t, text, sizeof text);
	assert_int_equal(csv_parse(&csv, &t, sizeof text - 1, err, sizeof err), -1);
	if (!strstr(err, "line 3, column 2") || !strstr(err, "NUL"))
		fail_msg("%s", err);
	/* unquoted, first column */
	static const char text2[] = "a,b\n王\0<b>,y\n";
	t = malloc(sizeof text2);
	memcpy(t, text2, sizeof text2);
	assert_int_equal(csv_parse(&csv, &t, sizeof text2 - 1, err, sizeof err), -1);
	if (!strstr(err, "line 2, column 1"))
		fail_msg("%s", err);
}

static void
test_json(void **state)
{
	struct csv csv;
	char *t;
	(void)state;
	t = strdup("[\n{\"id\":\"1\",\"name\":\"\\u6237\\u4e3b \\\"x\\\"\\n\",\"n\":12},\n"
	    "{\"name\":null,\"id\":\"2\"}\n]\n");
	assert_int_equal(csv_parse_json(&csv, &t, NULL, 0), 0);
	assert_int_equal(csv.nrows, 3);
	assert_int_equal(csv.rows[0].n, 3);
	assert_string_equal(csv.rows[0].fields[1], "name");
	assert_string_equal(csv.rows[1].fields[1], "户主 \"x\"\n");
	assert_string_equal(csv.rows[1].fields[2], "12");
	/* keys in another order, a missing key blank */
	assert_string_equal(csv.rows[2].fields[0], "2");
	assert_string_equal(csv.rows[2].fields[1], "");
	assert_string_equal(csv.rows[2].fields[2], "");
	assert_int_equal(csv.rows[2].line, 2);
	csv_release(&csv);

	static const char *const bad[] = {
		"", "[", "[{", "{}", "[1]", "[{\"a\"}]", "[{\"a\":}]", "[{\"a\":\"b\"}", "[{\"a\":\"\\u12\"}]",
		"[{\"a\":\"\\ud800\"}]", "[{\"a\":\"x\"},{\"b\":\"y\"}]", "[{\"a\":tru}]", "[{\"a\":\"\\q\"}]",
		"[{\"a\":\"\x01\"}]", "[{\"a\":\"\\u0000\"}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = strdup(bad[i]);
		if (csv_parse_json(&csv, &t, NULL, 0) == 0)
			fail_msg("malformed JSON accepted: %s", bad[i]);
	}
}

/* Random text of the characters that matter never crashes either parser (run under ASan). */
static void
test_random_input(void **state)
{
	static const char alphabet[] = "a,\"\r\n{}[]:\\u0 -9nul";
	uint32_t x = 12345;
	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(round % 40);
		char *t = malloc(len + 1), *j;
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			t[i] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
		}
		t[len] = '\0';
		j = strdup(t);
		struct csv csv;
		if (csv_parse(&csv, &t, len, NULL, 0) == 0)
			csv_release(&csv);
		if (csv_parse_json(&csv, &j, NULL, 0) == 0)
			csv_release(&csv);
	}
}

static void
test_excel_guard(void **state)
{
	static const char *const in[] = { "11010519491231002X", "522701101000001", "=1+1", "+86 851",
		"-933.17", "-2+3", "@x", "12345", "李四", "a,b", NULL };
	static const char *const out[] = { "\t11010519491231002X", "\t522701101000001", "'=1+1", "'+86 851",
		"-933.17", "'-2+3", "'@x", "12345", "李四", "\"a,b\"", NULL };
	(void)state;
	for (int i = 0; in[i]; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		csv_write_field_excel(f, in[i]);
		fclose(f);
		assert_string_equal(buf, out[i]);
		free(buf);
	}
	assert_string_equal(csv_excel_unguard("'=1+1"), "=1+1");
	assert_string_equal(csv_excel_unguard("\t11010519491231002X"), "11010519491231002X");
	assert_string_equal(csv_excel_unguard("'abc"), "'abc");
	assert_string_equal(csv_excel_unguard("-933.17"), "-933.17");
}

/* Mixed UTF-8 is refused with the line and byte offset of the first bad byte (BOM counted). */
static void
test_mixed_encoding_refused(void **state)
{
	/* BOM, "a\r\n", "b\r", "李" + GB18030 啊 (B0 A1) + "\n" */
	static const char mixed[] = "\xef\xbb\xbf" "a\r\nb\r\xe6\x9d\x8e\xb0\xa1\n";
	char *out = NULL, err[512];
	const char *used;
	size_t len;
	(void)state;

	assert_int_equal(csv_utf8_invalid_at(mixed, sizeof mixed - 1), 11);
	assert_int_equal(csv_line_at(mixed, 11), 3);
	assert_int_equal(csv_to_utf8(mixed, sizeof mixed - 1, NULL, &out, &len, &used, err, sizeof err), -1);
	assert_null(out);
	assert_non_null(strstr(err, "line 3, byte offset 11 (\\xb0): not valid UTF-8, though the rest"));
	assert_int_equal(csv_to_utf8(mixed, sizeof mixed - 1, "utf-8", &out, &len, &used, err, sizeof err), -1);
	assert_non_null(strstr(err, "line 3, byte offset 11 (\\xb0)"));
	/* GB18030 throughout with 路 (C2 B7), 村 (B4 E5): mostly not UTF-8, read as GB18030 */
	static const char gb[] = "\xd0\xd2\xb8\xa3\xc2\xb7\xb4\xe5";
	assert_int_equal(csv_to_utf8(gb, sizeof gb - 1, NULL, &out, &len, &used, err, sizeof err), 0);
	assert_string_equal(used, "gb18030");
	assert_string_equal(out, "幸福路村");
	free(out);
}

/*
 * The default export (csv_write_field_safe): a formula-like value gets a
 * leading ' (OWASP CSV injection), a value that starts with ' and a formula
 * character gets one more, and parse + unguard gives every value back.
 */
static void
test_formula_guard_round_trip(void **state)
{
	static const char *const in[] = { "=1+1", "+86 851", "-2+3", "@SUM(A1)", "\tx", "\r=x",
		"-933.17", "'=1+1", "''+1", "'abc", "''", "=cmd|' /C calc'!A0", "=\"a,b\"",
		"11010519491231002X", "李四", "a,b", "'", NULL };
	static const char *const out[] = { "'=1+1", "'+86 851", "'-2+3", "'@SUM(A1)", "'\tx",
		"\"'\r=x\"", "-933.17", "''=1+1", "'''+1", "'abc", "''", "'=cmd|' /C calc'!A0",
		"\"'=\"\"a,b\"\"\"", "11010519491231002X", "李四", "\"a,b\"", "'", NULL };
	(void)state;
	for (int i = 0; in[i]; i++) {
		char *buf = NULL, err[256];
		size_t len = 0;
		struct csv c;
		FILE *f = open_memstream(&buf, &len);
		csv_write_field_safe(f, in[i]);
		fclose(f);
		assert_string_equal(buf, out[i]);
		assert_int_equal(csv_parse(&c, &buf, len, err, sizeof err), 0);
		assert_int_equal(c.nrows, 1);
		assert_string_equal(csv_excel_unguard(c.rows[0].fields[0]), in[i]);
		csv_release(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quotes_commas_newlines),
		cmocka_unit_test(test_no_final_newline_and_blank_lines),
		cmocka_unit_test(test_lone_cr),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_refused),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_random_input),
		cmocka_unit_test(test_excel_guard),
		cmocka_unit_test(test_formula_guard_round_trip),
		cmocka_unit_test(test_mixed_encoding_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
