/*
 * config.c — lika.conf: INI parsed with libinih into struct config.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ini.h>

#include "config.h"
#include "util.h"

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->role = ROLE_NONE;
	c->sink_batch = 2000;
	strcpy(c->listen, "tcp://0.0.0.0:7700");
	c->heartbeat_ms = 5000;
	c->timeout_ms = 20000;
	c->reconnect_max_ms = 30000;
	c->batch_bytes = 1024 * 1024;
	c->window = 4;
	c->late_after_s = 86400;
	c->stale_after_s = 7 * 86400;
	strcpy(c->synchronous, "full");
	strcpy(c->web_listen, "127.0.0.1:8700");
	c->web_session_s = 8 * 3600;
	c->web_lockout_s = 15 * 60;
	c->web_upload_bytes = 32u << 20;
}

struct s_parse {
	struct config *c;
	char *err;
	size_t errlen;
	int failed;
};

static int
s_int(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;

	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || end == v || *end != '\0' || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int
s_str(char *dst, size_t len, const char *v)
{
	return strlcpy_checked(dst, v, len);
}

/*
 * A setting of lika.conf: [SECTION] KEY, the field of struct config it sets
 * (OFF, SIZE) and how; an integer's range is LO..HI and its C type TYPE.
 * PARSE returns 0, or -1 for a bad value (the field may be half set then:
 * config_load fails and the struct is thrown away).
 */
struct setting {
	const char *section, *key;
	int (*parse)(struct config *c, void *field, const struct setting *s, const char *v);
	size_t off, size;
	int64_t lo, hi;
	enum { INT_64, INT_SIZE, INT_UNSIGNED } type;
};

static int
s_set_text(struct config *c, void *field, const struct setting *s, const char *v)
{
	(void)c;
	return s_str(field, s->size, v);
}

static int
s_set_code(struct config *c, void *field, const struct setting *s, const char *v)
{
	return s_set_text(c, field, s, v) < 0 || code_role(v) == ROLE_NONE ? -1 : 0;
}

static int
s_set_role(struct config *c, void *field, const struct setting *s, const char *v)
{
	(void)field;
	(void)s;
	return (c->role = role_parse(v)) == ROLE_NONE ? -1 : 0;
}

/* tcp://HOST:PORT, to connect to or to bind */
static int
s_set_endpoint(struct config *c, void *field, const struct setting *s, const char *v)
{
	return s_set_text(c, field, s, v) < 0 || strncmp(v, "tcp://", 6) != 0 ? -1 : 0;
}

/* the hex of a public key */
static int
s_set_key(struct config *c, void *field, const struct setting *s, const char *v)
{
	uint8_t k[32];

	(void)c;
	(void)s;
	if (strlen(v) != 64 || hex_decode(k, 32, v) < 0)
		return -1;
	strcpy(field, v);
	return 0;
}

/* an integer in LO..HI, into a field of the type S->type names */
static int
s_set_int(struct config *c, void *field, const struct setting *s, const char *v)
{
	int64_t x;

	(void)c;
	if (s_int(v, s->lo, s->hi, &x) < 0)
		return -1;
	if (s->type == INT_SIZE)
		*(size_t *)field = (size_t)x;
	else if (s->type == INT_UNSIGNED)
		*(unsigned *)field = (unsigned)x;
	else
		*(int64_t *)field = x;
	return 0;
}

static int
s_set_synchronous(struct config *c, void *field, const struct setting *s, const char *v)
{
	(void)c;
	(void)s;
	if (strcmp(v, "full") != 0 && strcmp(v, "normal") != 0)
		return -1;
	strcpy(field, v);
	return 0;
}

/* ADDR:PORT of the console; giving it has likad start lika serve */
static int
s_set_web_listen(struct config *c, void *field, const struct setting *s, const char *v)
{
	if (s_set_text(c, field, s, v) < 0 || !strchr(v, ':'))
		return -1;
	c->web_by_likad = 1;
	return 0;
}

static int
s_set_yes_no(struct config *c, void *field, const struct setting *s, const char *v)
{
	(void)c;
	(void)s;
	if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
		return -1;
	*(int *)field = strcmp(v, "yes") == 0;
	return 0;
}

#define SET(sec, key, parse, field, lo, hi, type) { sec, key, parse, \
	offsetof(struct config, field), sizeof(((struct config *)0)->field), lo, hi, type }
#define SET_VALUE(sec, key, parse, field) SET(sec, key, parse, field, 0, 0, INT_64)
#define SET_INT(sec, key, field, lo, hi, type) SET(sec, key, s_set_int, field, lo, hi, type)

static const struct setting s_settings[] = {
	SET_VALUE("node", "code", s_set_code, code),
	SET_VALUE("node", "role", s_set_role, role),
	SET_VALUE("node", "name", s_set_text, name),
	SET_VALUE("hub", "endpoint", s_set_endpoint, hub),
	SET_VALUE("hub", "listen", s_set_endpoint, listen),
	SET_VALUE("hub", "county_key", s_set_key, county_key),
	SET_VALUE("upstream", "hub", s_set_endpoint, up_hub),
	SET_VALUE("upstream", "province_key", s_set_key, province_key),
	SET_INT("sync", "heartbeat_ms", heartbeat_ms, 100, 3600000, INT_64),
	SET_INT("sync", "timeout_ms", timeout_ms, 300, 86400000, INT_64),
	SET_INT("sync", "reconnect_max_ms", reconnect_max_ms, 100, 3600000, INT_64),
	SET_INT("sync", "batch_bytes", batch_bytes, 4096, 16 << 20, INT_SIZE),
	SET_INT("sync", "window", window, 1, 64, INT_UNSIGNED),
	SET_VALUE("sync", "feeds", s_set_text, feeds),
	SET_INT("status", "late_after", late_after_s, 1, 365LL * 86400, INT_64),
	SET_INT("status", "stale_after", stale_after_s, 1, 3650LL * 86400, INT_64),
	SET_VALUE("ledger", "synchronous", s_set_synchronous, synchronous),
	SET_VALUE("ledger", "control", s_set_text, control),
	SET_VALUE("web", "listen", s_set_web_listen, web_listen),
	SET_VALUE("web", "allow_remote", s_set_yes_no, web_allow_remote),
	SET_INT("web", "session", web_session_s, 60, 7 * 86400, INT_64),
	SET_INT("web", "lockout", web_lockout_s, 1, 86400, INT_64),
	SET_INT("web", "upload_bytes", web_upload_bytes, 4096, 1LL << 30, INT_SIZE),
	SET_VALUE("sink", "postgres", s_set_text, sink_postgres),
	SET_INT("sink", "batch", sink_batch, 1, 100000, INT_UNSIGNED),
};

/* inih handler: returns 1 to go on, 0 for an error on this line. */
static int
s_handler(void *arg, const char *section, const char *key, const char *value)
{
	struct s_parse *p = arg;

	for (size_t i = 0; i < sizeof s_settings / sizeof s_settings[0]; i++) {
		const struct setting *s = &s_settings[i];
		if (strcmp(section, s->section) != 0 || strcmp(key, s->key) != 0)
			continue;
		if (s->parse(p->c, (char *)p->c + s->off, s, value) == 0)
			return 1;
		errf(p->err, p->errlen, "bad value \"%s\" for %s.%s", value, section, key);
		p->failed = 1;
		return 0;
	}
	errf(p->err, p->errlen, "unknown setting \"%s\" in section [%s]", key, section);
	p->failed = 1;
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	char why[ERRBUF_SIZE] = "";
	struct s_parse p = { c, why, sizeof(why), 0 };
	FILE *f;
	int line;

	if ((f = fopen(path, "r")) == NULL)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	line = ini_parse_file(f, s_handler, &p);
	fclose(f);
	if (line != 0) {
		if (!p.failed)
			strcpy(why, "syntax error");
		return errf(err, errlen, "%s:%d: %s", path, line, why);
	}
	if (c->code[0] == '\0')
		return errf(err, errlen, "%s: [node] code is missing", path);
	if (c->role == ROLE_NONE)
		return errf(err, errlen, "%s: [node] role is missing", path);
	if (code_role(c->code) != c->role)
		return errf(err, errlen, "%s: node code \"%s\" is not a %s code", path, c->code,
		    role_name(c->role));
	if (c->role == ROLE_TOWNSHIP && c->county_key[0] == '\0')
		return errf(err, errlen, "%s: [hub] county_key is missing", path);
	if ((c->up_hub[0] != '\0') != (c->province_key[0] != '\0'))
		return errf(err, errlen, "%s: [upstream] needs both hub and province_key", path);
	if (c->up_hub[0] && c->role != ROLE_COUNTY)
		return errf(err, errlen, "%s: [upstream] is for a county hub, not a %s", path,
		    role_name(c->role));
	if (c->stale_after_s < c->late_after_s)
		return errf(err, errlen, "%s: [status] stale_after is shorter than late_after", path);
	return 0;
}

int
config_write(const struct config *c, const char *path, char *err, size_t errlen)
{
	int fd;
	FILE *f;

	/* 0600 like every file of the data directory (node.c) */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	}
	fprintf(f, "# lika node configuration (see config/ for every setting)\n\n");
	fprintf(f, "[node]\ncode = %s\nrole = %s\nname = %s\n\n", c->code, role_name(c->role),
	    c->name);
	fprintf(f, "[hub]\n");
	if (c->role == ROLE_TOWNSHIP)
		fprintf(f, "# the county hub this township sends its feed to\nendpoint = %s\n",
		    c->hub);
	else
		fprintf(f, "# where the hub accepts %s\nlisten = %s\n",
		    c->role == ROLE_PROVINCE ? "counties" : "townships", c->listen);
	fprintf(f, "county_key = %s\n\n", c->county_key);
	fprintf(f, "[sync]\nheartbeat_ms = %lld\ntimeout_ms = %lld\n\n",
	    (long long)c->heartbeat_ms, (long long)c->timeout_ms);
	fprintf(f, "[status]\n# seconds without contact before a peer shows late, then stale\n"
	    "late_after = %lld\nstale_after = %lld\n\n",
	    (long long)c->late_after_s, (long long)c->stale_after_s);
	fprintf(f, "[ledger]\nsynchronous = %s\n", c->synchronous);
	if (fclose(f) != 0) {
		unlink(path);
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	}
	return 0;
}
