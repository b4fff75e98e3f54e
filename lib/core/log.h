/*
 * log.h — one place for diagnostics.  Messages go to stderr (journald collects
 * them under systemd).  Lowercase, no full stop, subject in quotes.
 */
#ifndef LIKA_LOG_H
#define LIKA_LOG_H

#include <stdarg.h>

/* Prefix every line with NAME (e.g. "likad"); VERBOSE enables log_debug. */
void log_init(const char *name, int verbose);
void log_set_verbose(int verbose);
int  log_verbose(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* adds strerror(errno) */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Only programs call these; library code returns errors instead. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
