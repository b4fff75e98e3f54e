/*
 * test_codes.c — division codes and roles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "codes.h"
#include "util.h"

static void
test_codes(void **state)
{
	(void)state;
	char err[ERRBUF_SIZE];

	assert_int_equal(code_check_county("522601", err, sizeof err), 0);
	assert_int_not_equal(code_check_county("52260", err, sizeof err), 0);
	assert_int_not_equal(code_check_county("52260a", err, sizeof err), 0);
	assert_int_equal(code_check_township("522601100", err, sizeof err), 0);
	assert_int_not_equal(code_check_township("522601000", err, sizeof err), 0);
	assert_int_not_equal(code_check_township("5226011000", err, sizeof err), 0);
	assert_int_equal(code_check_village("522601100001", err, sizeof err), 0);
	assert_int_not_equal(code_check_village("522601100000", err, sizeof err), 0);
	assert_int_equal(code_check_village_of("522601100001", "522601100", err, sizeof err), 0);
	assert_int_not_equal(code_check_village_of("522601200001", "522601100", err, sizeof err), 0);
	assert_int_equal(code_role("522601"), ROLE_COUNTY);
	assert_int_equal(code_role("522601100"), ROLE_TOWNSHIP);
	assert_int_equal(code_role("5226011"), ROLE_NONE);
	assert_int_equal(role_parse("county"), ROLE_COUNTY);
	assert_int_equal(role_parse("township"), ROLE_TOWNSHIP);
	assert_int_equal(role_parse("village"), ROLE_NONE);
}

static void
test_hex(void **state)
{
	(void)state;
	uint8_t b[3];
	char s[7];

	assert_int_equal(hex_decode(b, 3, "00ff7A"), 0);
	hex_encode(s, b, 3);
	assert_string_equal(s, "00ff7a");
	assert_int_not_equal(hex_decode(b, 3, "00ff7"), 0);
	assert_int_not_equal(hex_decode(b, 3, "00ff7g"), 0);
	assert_int_not_equal(hex_decode(b, 3, "00ff7a00"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
