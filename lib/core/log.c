/* log.c — stderr logging in the manner of relayd's log.c */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

static const char *s_name = "lika";
static int s_verbose;

void
log_init(const char *name, int verbose)
{
	s_name = name;
	s_verbose = verbose;
}

void
log_set_verbose(int verbose)
{
	s_verbose = verbose;
}

int
log_verbose(void)
{
	return s_verbose;
}

static void
s_vlog(const char *level, const char *fmt, va_list ap, const char *suffix)
{
	char line[2048];
	int n = vsnprintf(line, sizeof line, fmt, ap);

	if (n < 0)
		return;
	if (suffix)
		fprintf(stderr, "%s: %s%s: %s\n", s_name, level, line, suffix);
	else
		fprintf(stderr, "%s: %s%s\n", s_name, level, line);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	s_vlog("", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vlog("", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vlog("", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!s_verbose)
		return;
	va_start(ap, fmt);
	s_vlog("debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	s_vlog("fatal: ", fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vlog("fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
