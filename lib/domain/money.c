/* money.c — amounts of yuan, kept as integer fen (分) */
#include "money.h"

#include <stdio.h>

int
money_parse_yuan(const char *s, int64_t *fen)
{
	int64_t y = 0;
	int frac = 0, nfrac = 0, digits = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (y > INT64_MAX / 1000)
			return -1;
		y = y * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nfrac < 2; p++, nfrac++)
			frac = frac * 10 + (*p - '0');
		if (nfrac == 0)
			return -1;
	}
	if (*p || digits == 0)
		return -1;
	if (nfrac == 1)
		frac *= 10;
	*fen = y * 100 + frac;
	return 0;
}

void
money_format_yuan(char *out, size_t len, int64_t fen)
{
	const char *sign = fen < 0 ? "-" : "";
	uint64_t a = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;
	snprintf(out, len, "%s%llu.%02llu", sign, (unsigned long long)(a / 100),
	    (unsigned long long)(a % 100));
}
