/* test_idcard.c — GB 11643-1999 check character, birth date and sex digit */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "idcard.h"

static const char *const s_valid[] = {
	"11010519491231002X", "440524188001010014", "513101198201130014",
};

static void
test_samples_pass(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char err[256] = "";
		int rc = idcard_check(s_valid[i], 20991231, err, sizeof err);
		if (rc != 0)
			fail_msg("%s: %s", s_valid[i], err);
		assert_int_equal(idcard_check_char(s_valid[i]), s_valid[i][17]);
	}
}

static void
test_lowercase_x(void **state)
{
	char out[IDCARD_LEN + 1];
	(void)state;
	assert_int_equal(idcard_check("11010519491231002x", 0, NULL, 0), 0);
	idcard_normalize(out, "11010519491231002x");
	assert_string_equal(out, "11010519491231002X");
}

/* Every position, every other character of 0-9 and X: refused. */
static void
test_every_single_corruption_fails(void **state)
{
	static const char alphabet[] = "0123456789Xx";
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		for (int pos = 0; pos < IDCARD_LEN; pos++) {
			for (const char *a = alphabet; *a; a++) {
				char s[IDCARD_LEN + 1];
				memcpy(s, s_valid[i], sizeof s);
				if (*a == s[pos] || (pos == 17 && (*a == 'x' || *a == 'X') && s[17] == 'X'))
					continue;
				s[pos] = *a;
				if (idcard_check(s, 20991231, NULL, 0) == 0)
					fail_msg("corrupted %s (position %d) was accepted", s, pos + 1);
			}
		}
	}
}

static void
test_bad_dates_fail(void **state)
{
	/* the check character is made right so only the date is wrong */
	static const char *const bodies[] = {
		"11010519990231001", "11010519990229001", "11010519000229001", "11010520011301001",
		"11010520010001001", "11010520010100001", "11010517991231001", "11010520010431001",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		char s[IDCARD_LEN + 1], err[256] = "";
		snprintf(s, sizeof s, "%s%c", bodies[i], idcard_check_char(bodies[i]));
		if (idcard_check(s, 20991231, err, sizeof err) == 0)
			fail_msg("%s with a bad date was accepted", s);
		assert_non_null(strstr(err, "date"));
	}
	/* 2000 and 2024 are leap years */
	char s[IDCARD_LEN + 1];
	snprintf(s, sizeof s, "11010520000229001%c", idcard_check_char("11010520000229001"));
	assert_int_equal(idcard_check(s, 20991231, NULL, 0), 0);
	/* a birth after today */
	snprintf(s, sizeof s, "11010520300101001%c", idcard_check_char("11010520300101001"));
	assert_int_equal(idcard_check(s, 20260101, NULL, 0), -1);
}

static void
test_form(void **state)
{
	(void)state;
	assert_int_equal(idcard_check("", 0, NULL, 0), -1);
	assert_int_equal(idcard_check("11010519491231002", 0, NULL, 0), -1);
	assert_int_equal(idcard_check("11010519491231002XX", 0, NULL, 0), -1);
	assert_int_equal(idcard_check("1101051949123100 X", 0, NULL, 0), -1);
	assert_int_equal(idcard_check("110105194912310０2X", 0, NULL, 0), -1);
	assert_int_equal(idcard_check(NULL, 0, NULL, 0), -1);
}

static void
test_sex_digit(void **state)
{
	(void)state;
	assert_int_equal(idcard_sex("11010519491231002X"), IDCARD_FEMALE);
	assert_int_equal(idcard_sex("440524188001010014"), IDCARD_MALE);
	assert_int_equal(idcard_sex("513101198201130014"), IDCARD_MALE);
	assert_int_equal(idcard_birth("11010519491231002X"), 19491231);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_pass),
		cmocka_unit_test(test_lowercase_x),
		cmocka_unit_test(test_every_single_corruption_fails),
		cmocka_unit_test(test_bad_dates_fail),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_sex_digit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
