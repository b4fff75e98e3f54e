/* codes.c — division codes (GB/T 2260 and the statistical 12-digit codes) */
#include "codes.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

const char *
role_name(enum role r)
{
	switch (r) {
	case ROLE_TOWNSHIP:
		return "township";
	case ROLE_COUNTY:
		return "county";
	case ROLE_PROVINCE:
		return "province";
	default:
		return "none";
	}
}

enum role
role_parse(const char *s)
{
	if (s && strcmp(s, "township") == 0)
		return ROLE_TOWNSHIP;
	if (s && strcmp(s, "county") == 0)
		return ROLE_COUNTY;
	if (s && strcmp(s, "province") == 0)
		return ROLE_PROVINCE;
	return ROLE_NONE;
}

int
code_check_province(const char *s, char *err, size_t errlen)
{
	if (!is_digits(s, 6) || strcmp(s + 2, "0000") != 0)
		return errf(err, errlen, "province code \"%s\" must be 6 digits ending in 0000", s ? s : "");
	/* GB/T 2260: 11 Beijing .. 65 Xinjiang (71, 81, 82 are not served here) */
	if (s[0] < '1' || s[0] > '6' || (s[0] == '1' && s[1] == '0'))
		return errf(err, errlen, "province code \"%s\": %.2s is not a province", s, s);
	return 0;
}

int
code_check_county(const char *s, char *err, size_t errlen)
{
	if (!is_digits(s, 6))
		return errf(err, errlen, "county code \"%s\" must be 6 digits", s ? s : "");
	if (strcmp(s + 4, "00") == 0)
		return errf(err, errlen, "county code \"%s\" ends in 00: that is a prefecture%s", s,
		    strcmp(s + 2, "0000") == 0 ? " or a province" : "");
	return 0;
}

int
code_check_township(const char *s, char *err, size_t errlen)
{
	if (!is_digits(s, 9))
		return errf(err, errlen, "township code \"%s\" must be 9 digits", s ? s : "");
	/* 001–099 street offices, 100–199 towns, 200–399 townships, 400–599 similar */
	int part = (s[6] - '0') * 100 + (s[7] - '0') * 10 + (s[8] - '0');
	if (part < 1 || part > 599)
		return errf(err, errlen,
		    "township code \"%s\": township part %03d is outside 001-599", s, part);
	char county[7];
	memcpy(county, s, 6);
	county[6] = '\0';
	if (code_check_county(county, NULL, 0) < 0)
		return errf(err, errlen, "township code \"%s\" does not start with a county code", s);
	return 0;
}

int
code_check_village(const char *s, char *err, size_t errlen)
{
	if (!is_digits(s, 12))
		return errf(err, errlen, "village code \"%s\" must be 12 digits", s ? s : "");
	if (strcmp(s + 9, "000") == 0)
		return errf(err, errlen, "village code \"%s\": village part 000 is not a village", s);
	return 0;
}

int
code_check_village_of(const char *s, const char *township, char *err, size_t errlen)
{
	if (code_check_village(s, err, errlen) < 0)
		return -1;
	if (strncmp(s, township, 9) != 0)
		return errf(err, errlen,
		    "village code \"%s\" does not belong to township %s (must start with %s)",
		    s, township, township);
	return 0;
}

enum role
code_role(const char *s)
{
	if (is_digits(s, 6))
		return strcmp(s + 2, "0000") == 0 ? ROLE_PROVINCE : ROLE_COUNTY;
	if (is_digits(s, 9))
		return ROLE_TOWNSHIP;
	return ROLE_NONE;
}

int
code_province_of(const char *s, char out[CODE_MAX])
{
	if (!s || (!is_digits(s, 6) && !is_digits(s, 9)))
		return -1;
	snprintf(out, CODE_MAX, "%.2s0000", s);
	return 0;
}
