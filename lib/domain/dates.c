/* dates.c — calendar dates of the procedure: YYYY-MM-DD <-> days, the test clock */
#include "dates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Days from civil date (Howard Hinnant's algorithm), proleptic Gregorian. */
static long
s_days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* The first N bytes of S are ASCII digits. */
static int
s_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

long
date_day(const char *date)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-' ||
	    !s_digits(date, 4) || !s_digits(date + 5, 2) || !s_digits(date + 8, 2))
		return -1;
	long y = strtol(date, NULL, 10);
	unsigned m = (unsigned)strtoul(date + 5, NULL, 10), d = (unsigned)strtoul(date + 8, NULL, 10);
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || (int)d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	return s_days_from_civil(y, m, d);
}

void
date_format(char out[11], long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 11, "%04ld-%02u-%02u", y % 10000, m % 100, d % 100);
}

void
date_today(char out[11])
{
	const char *t = getenv("LIKA_TODAY");
	if (t && date_day(t) >= 0) {
		snprintf(out, 11, "%s", t);
		return;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}


void
date_half_year(char out[8], const char *date)
{
	snprintf(out, 8, "%.4s-%c", date, strncmp(date + 5, "07", 2) < 0 ? '1' : '2');
}
