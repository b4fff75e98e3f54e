/*
 * config.c — lika.conf: INI parsed with libinih into struct config.
 */
#include <errno.h>
#include <fcntl.h>
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

/* inih handler: returns 1 to go on, 0 for an error on this line. */
static int
s_handler(void *arg, const char *section, const char *key, const char *value)
{
	struct s_parse *p = arg;
	struct config *c = p->c;
	int64_t x;

#define IS(s, k) (strcmp(section, (s)) == 0 && strcmp(key, (k)) == 0)
	if (IS("node", "code")) {
		if (s_str(c->code, sizeof(c->code), value) < 0 || code_role(value) == ROLE_NONE)
			goto bad;
	} else if (IS("node", "role")) {
		if ((c->role = role_parse(value)) == ROLE_NONE)
			goto bad;
	} else if (IS("node", "name")) {
		if (s_str(c->name, sizeof(c->name), value) < 0)
			goto bad;
	} else if (IS("hub", "endpoint")) {
		if (s_str(c->hub, sizeof(c->hub), value) < 0 || strncmp(value, "tcp://", 6) != 0)
			goto bad;
	} else if (IS("hub", "listen")) {
		if (s_str(c->listen, sizeof(c->listen), value) < 0 || strncmp(value, "tcp://", 6) != 0)
			goto bad;
	} else if (IS("hub", "county_key")) {
		uint8_t k[32];
		if (strlen(value) != 64 || hex_decode(k, 32, value) < 0)
			goto bad;
		strcpy(c->county_key, value);
	} else if (IS("upstream", "hub")) {
		if (s_str(c->up_hub, sizeof(c->up_hub), value) < 0 || strncmp(value, "tcp://", 6) != 0)
			goto bad;
	} else if (IS("upstream", "province_key")) {
		uint8_t k[32];
		if (strlen(value) != 64 || hex_decode(k, 32, value) < 0)
			goto bad;
		strcpy(c->province_key, value);
	} else if (IS("sync", "heartbeat_ms")) {
		if (s_int(value, 100, 3600000, &x) < 0)
			goto bad;
		c->heartbeat_ms = x;
	} else if (IS("sync", "timeout_ms")) {
		if (s_int(value, 300, 86400000, &x) < 0)
			goto bad;
		c->timeout_ms = x;
	} else if (IS("sync", "reconnect_max_ms")) {
		if (s_int(value, 100, 3600000, &x) < 0)
			goto bad;
		c->reconnect_max_ms = x;
	} else if (IS("sync", "batch_bytes")) {
		if (s_int(value, 4096, 16 << 20, &x) < 0)
			goto bad;
		c->batch_bytes = (size_t)x;
	} else if (IS("sync", "window")) {
		if (s_int(value, 1, 64, &x) < 0)
			goto bad;
		c->window = (unsigned)x;
	} else if (IS("sync", "feeds")) {
		if (s_str(c->feeds, sizeof(c->feeds), value) < 0)
			goto bad;
	} else if (IS("status", "late_after")) {
		if (s_int(value, 1, 365LL * 86400, &x) < 0)
			goto bad;
		c->late_after_s = x;
	} else if (IS("status", "stale_after")) {
		if (s_int(value, 1, 3650LL * 86400, &x) < 0)
			goto bad;
		c->stale_after_s = x;
	} else if (IS("ledger", "synchronous")) {
		if (strcmp(value, "full") != 0 && strcmp(value, "normal") != 0)
			goto bad;
		strcpy(c->synchronous, value);
	} else if (IS("ledger", "control")) {
		if (s_str(c->control, sizeof(c->control), value) < 0)
			goto bad;
	} else if (IS("web", "listen")) {
		if (s_str(c->web_listen, sizeof(c->web_listen), value) < 0 || !strchr(value, ':'))
			goto bad;
		c->web_by_likad = 1;
	} else if (IS("web", "allow_remote")) {
		if (strcmp(value, "yes") == 0)
			c->web_allow_remote = 1;
		else if (strcmp(value, "no") == 0)
			c->web_allow_remote = 0;
		else
			goto bad;
	} else if (IS("web", "session")) {
		if (s_int(value, 60, 7 * 86400, &x) < 0)
			goto bad;
		c->web_session_s = x;
	} else if (IS("web", "lockout")) {
		if (s_int(value, 1, 86400, &x) < 0)
			goto bad;
		c->web_lockout_s = x;
	} else if (IS("web", "upload_bytes")) {
		if (s_int(value, 4096, 1LL << 30, &x) < 0)
			goto bad;
		c->web_upload_bytes = (size_t)x;
	} else if (IS("sink", "postgres")) {
		if (s_str(c->sink_postgres, sizeof(c->sink_postgres), value) < 0)
			goto bad;
	} else if (IS("sink", "batch")) {
		if (s_int(value, 1, 100000, &x) < 0)
			goto bad;
		c->sink_batch = (unsigned)x;
	} else {
		errf(p->err, p->errlen, "unknown setting \"%s\" in section [%s]", key, section);
		p->failed = 1;
		return 0;
	}
	return 1;
#undef IS
bad:
	errf(p->err, p->errlen, "bad value \"%s\" for %s.%s", value, section, key);
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
