/* util.c — hex, clocks, error buffers */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void
hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int
s_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(uint8_t *out, size_t len, const char *in)
{
	if (strlen(in) != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int hi = s_nibble(in[2 * i]), lo = s_nibble(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_ms(void)
{
	const char *t = getenv("LIKA_TODAY");
	int64_t now = now_ms();
	int y, m, d;
	char tail;

	if (!t || sscanf(t, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return now;
	/* days from civil (proleptic Gregorian), as dates.c does */
	y -= m <= 2;
	int64_t era = y / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	return days * 86400000 + now % 86400000;
}

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
time_format(char *out, size_t outlen, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !localtime_r(&t, &tm)) {
		snprintf(out, outlen, "-");
		return;
	}
	strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm);
}

int
is_digits(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
strlcpy_checked(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src);

	if (n >= dstlen) {
		if (dstlen) {
			memcpy(dst, src, dstlen - 1);
			dst[dstlen - 1] = '\0';
		}
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
file_read(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return errf(err, errlen, "cannot open \"%s\": %s", path, strerror(errno));
	for (;;) {
		if (cap - n < 65536) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				return errf(err, errlen, "out of memory reading \"%s\"", path);
			}
			buf = nb;
			cap = ncap;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return errf(err, errlen, "cannot read \"%s\"", path);
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}
