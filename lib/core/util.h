/*
 * util.h — small helpers shared by every module: hex, clocks, error buffers.
 */
#ifndef LIKA_UTIL_H
#define LIKA_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* An error message buffer the caller owns; functions fill it on failure. */
#define ERRBUF_SIZE 512

/* Write "fmt" into ERR (may be NULL); returns -1 so callers can `return errf(...)`. */
int errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Lowercase hex of LEN bytes into OUT (2*LEN+1 bytes). */
void hex_encode(char *out, const uint8_t *in, size_t len);
/* Exactly 2*LEN hex digits from IN into OUT; 0 on success, -1 otherwise. */
int hex_decode(uint8_t *out, size_t len, const char *in);

/* Milliseconds since the epoch (CLOCK_REALTIME) and a monotonic clock. */
int64_t now_ms(void);
int64_t mono_ms(void);
/*
 * The wall clock change sets are stamped with: now_ms(), or, under the test
 * clock ($LIKA_TODAY=YYYY-MM-DD), that day (UTC) at the current time of day,
 * so that a step dated by the test clock and its change set's clock agree.
 */
int64_t clock_ms(void);

/* Format a unix-ms time as local "YYYY-MM-DD HH:MM:SS" into OUT (20 bytes). */
void time_format(char *out, size_t outlen, int64_t ms);

/* 1 if S is exactly N ASCII digits. */
int is_digits(const char *s, size_t n);

/* Copy at most DSTLEN-1 bytes; returns -1 if SRC did not fit. */
int strlcpy_checked(char *dst, const char *src, size_t dstlen);

/* Read a whole file into a NUL-terminated malloc'd buffer; LEN gets the size. */
int file_read(const char *path, char **out, size_t *len, char *err, size_t errlen);

#endif
