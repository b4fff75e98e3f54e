/*
 * web.c — `lika serve`: the web console of this node, a small HTTP server on
 * libmicrohttpd (Debian libmicrohttpd-dev).
 *
 * Safe by default: it listens on 127.0.0.1:8700 unless [web] listen says
 * otherwise, and refuses an address that is not loopback unless [web]
 * allow_remote = yes.  Requests are bounded (connection limits, an idle
 * timeout, [web] upload_bytes for a body); a bad request gets an error reply
 * and the server goes on.  Every /api and /doc resource but login needs a
 * signed-in clerk (an HttpOnly SameSite=Strict session cookie), and every
 * POST but login the session's CSRF token in header X-CSRF-Token.
 *
 * Sessions live in web.db (web_session.c), so a restart signs no one out.
 *
 * Threads: libmicrohttpd gives each connection a thread of its own, so no
 * request waits behind another connection's (with a pool, a connection stays
 * on the thread that took it, and a read that shared a thread with an import
 * waited for all of it).  A request borrows one of WORKERS workers (a
 * read-only node and web.db, struct worker) while it runs.  Reads that touch
 * nothing else (s_concurrent: the household list, a household's file, the
 * field list, /api/me, the page's files) run beside one another and beside a
 * write.  Everything else takes s_run_lock first and runs one at a time, as
 * the whole server did before: lika's commands run in-process (web_run)
 * redirect the process's stdout and stderr and use getopt's and the stamp's
 * globals, and two writes to the ledger would only queue on its lock.  Taking
 * the lock before a worker, the queued writes hold none, so a read always
 * finds one within a read's time.  Nothing the concurrent requests run writes
 * to stderr while s_run_lock is held elsewhere: their log lines take the
 * lock, and libmicrohttpd's go to a copy of stderr made at start, so no line
 * lands in a command's captured output.
 * The main thread waits for SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <microhttpd.h>
#include <sodium.h>

#include "log.h"
#include "util.h"
#include "web.h"

#define WORKERS          4
#define CONNECTIONS_MAX  64
#define PER_IP_MAX       16
#define IDLE_TIMEOUT_S   30

/* What one of the server's threads uses alone. */
struct worker {
	struct node n;                       /* opened read-only */
	sqlite3 *webdb;
	int taken;                           /* by a request */
};

struct server {
	const struct config *conf;
	int loopback;                        /* listening on loopback only */
	char port[8];
	struct worker workers[WORKERS];
	pthread_mutex_t pick;                /* guards workers[].taken */
	pthread_cond_t given;                /* a worker was given back */
};

/* lika's commands and every write, one at a time (see the top of the file) */
static pthread_mutex_t s_run_lock = PTHREAD_MUTEX_INITIALIZER;
static int s_stderr_copy = -1;          /* libmicrohttpd's messages: never captured by web_run */

/* One request's body while it arrives. */
struct conn {
	struct web_buf body;
	int too_big;
};

/* ---- small pieces -------------------------------------------------------------- */

int
web_buf_add(struct web_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		while (nc < b->len + n + 1)
			nc *= 2;
		char *q = realloc(b->p, nc);
		if (!q)
			return -1;
		b->p = q;
		b->cap = nc;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void
web_buf_release(struct web_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static int
s_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode LEN bytes at S ('+' is a space); malloc'd, NULL if malformed. */
static char *
s_unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len || s_hexval(s[i + 1]) < 0 || s_hexval(s[i + 2]) < 0) {
				free(out);
				return NULL;
			}
			*o++ = (char)(s_hexval(s[i + 1]) << 4 | s_hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	if ((size_t)(o - out) != strlen(out)) {     /* a %00 inside */
		free(out);
		return NULL;
	}
	return out;
}

int
web_form_parse(struct web_form *f, const char *s, size_t len)
{
	const char *end = s + len;

	memset(f, 0, sizeof *f);
	while (s && s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(s, '=', (size_t)(stop - s));
		if (stop > s) {
			if (f->n == WEB_FORM_MAX)
				return -1;
			const char *ne = eq ? eq : stop;
			f->name[f->n] = s_unescape(s, (size_t)(ne - s));
			f->value[f->n] = eq ? s_unescape(eq + 1, (size_t)(stop - eq - 1)) : strdup("");
			f->n++;
			if (!f->name[f->n - 1] || !f->value[f->n - 1])
				return -1;
		}
		s = amp ? amp + 1 : NULL;
	}
	return 0;
}

const char *
web_form_get(const struct web_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->name[i] && strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

void
web_form_release(struct web_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->value[i]);
	}
	f->n = 0;
}

void
web_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '<': case '>': case '&': case '\'':
			fprintf(f, "\\u%04x", *p);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

int
web_error(struct web_reply *r, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->status = status;
	r->type = NULL;
	fflush(r->f);
	rewind(r->f);
	fputs("{\"error\":", r->f);
	web_json_str(r->f, msg);
	fputs("}\n", r->f);
	return 0;
}

/* ---- running lika's commands in this process ---------------------------------- */

static struct {
	int on;
	char clerk[WEB_NAME_MAX + 1];
	char record[40];
} s_stamp;

/* tool_stamp: the clerk signed in goes into every change set written for the request */
static void
s_stamp_fn(void *arg, const char *origin, uint64_t seq, struct ops *extra)
{
	char key[48];

	(void)arg;
	if (!s_stamp.on)
		return;
	snprintf(key, sizeof key, "%s/%010llu", origin, (unsigned long long)seq);
	struct colval cols[] = { COL_TEXT("clerk", s_stamp.clerk), COL_TEXT("record", s_stamp.record) };
	ops_upsert(extra, "clerk_change", key, cols, 2);
}

void
web_stamp_set(const char *clerk, const char *record)
{
	s_stamp.on = clerk != NULL;
	snprintf(s_stamp.clerk, sizeof s_stamp.clerk, "%s", clerk ? clerk : "");
	snprintf(s_stamp.record, sizeof s_stamp.record, "%s", record ? record : "");
}

void
web_stamp_clear(void)
{
	s_stamp.on = 0;
}

/* Read the whole of FD (from its start) into B. */
static int
s_slurp(int fd, struct web_buf *b)
{
	char chunk[65536];
	ssize_t got;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((got = read(fd, chunk, sizeof chunk)) > 0)
		if (web_buf_add(b, chunk, (size_t)got) < 0)
			return -1;
	if (!b->p && web_buf_add(b, "", 0) < 0)
		return -1;
	return got < 0 ? -1 : 0;
}

int
web_run(int argc, char **argv, const char *clerk, const char *record, struct web_buf *out,
    struct web_buf *err)
{
	int fo = memfd_create("lika-out", MFD_CLOEXEC), fe = memfd_create("lika-err", MFD_CLOEXEC);
	int save1 = -1, save2 = -1, rc = -1;

	if (fo < 0 || fe < 0)
		goto done;
	fflush(stdout);
	fflush(stderr);
	if ((save1 = dup(1)) < 0 || (save2 = dup(2)) < 0)
		goto done;
	if (dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
		goto restore;
	web_stamp_set(clerk, record);
	rc = tool_command(argc, argv);
	web_stamp_clear();
	fflush(stdout);
	fflush(stderr);
restore:
	dup2(save1, 1);
	dup2(save2, 2);
	if (s_slurp(fo, out) < 0 || s_slurp(fe, err) < 0)
		rc = -1;
done:
	if (save1 >= 0)
		close(save1);
	if (save2 >= 0)
		close(save2);
	if (fo >= 0)
		close(fo);
	if (fe >= 0)
		close(fe);
	return rc;
}

const char *
web_tmpdir(void)
{
	static char dir[4096];

	if (!dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/lika-web.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(dir)) {
			dir[0] = '\0';
			return NULL;
		}
	}
	return dir;
}

int
web_tmpfile(const char *what, const void *p, size_t len, char *out, size_t outlen)
{
	static unsigned counter;
	const char *dir = web_tmpdir();
	int fd;

	if (!dir)
		return -1;
	snprintf(out, outlen, "%s/%s.%u", dir, what, ++counter);
	if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return -1;
	const char *c = p;
	while (len) {
		ssize_t w = write(fd, c, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(out);
			return -1;
		}
		c += w;
		len -= (size_t)w;
	}
	return close(fd);
}

/* ---- sessions ------------------------------------------------------------------ */

static void
s_me(struct web_reply *r, const struct web_session *s, const struct node *n)
{
	fputs("{\"clerk\":", r->f);
	web_json_str(r->f, s->clerk);
	fputs(",\"csrf\":", r->f);
	web_json_str(r->f, s->csrf);
	fprintf(r->f, ",\"role\":\"%s\",\"code\":", role_name(n->conf.role));
	web_json_str(r->f, n->conf.code);
	fputs(",\"name\":", r->f);
	web_json_str(r->f, n->conf.name);
	fputs("}\n", r->f);
}

static int
s_login(struct server *sv, struct web_req *q, struct web_reply *r)
{
	struct web_form f;
	struct web_session s;
	char err[ERRBUF_SIZE], token[WEB_TOKEN_HEX + 1];
	int64_t until;

	if (web_form_parse(&f, q->body, q->body_len) < 0) {
		web_form_release(&f);
		return web_error(r, 400, "malformed form");
	}
	const char *name = web_form_get(&f, "name"), *pass = web_form_get(&f, "passphrase");
	if (!name || !pass || !*name || strlen(name) > WEB_NAME_MAX || strlen(pass) > 1024) {
		web_form_release(&f);
		return web_error(r, 400, "name and passphrase are required");
	}
	int rc = web_user_check(tool_data_dir, name, pass, sv->conf->web_lockout_s, &until, err,
	    sizeof err);
	if (rc == 1 && web_session_new(q->webdb, name, sv->conf->web_session_s, token, &s, err,
	    sizeof err) < 0) {
		web_error(r, 500, "%s", err);
	} else if (rc == 1) {
		snprintf(r->cookie, sizeof r->cookie, "lika_session=%s; Path=/; HttpOnly; "
		    "SameSite=Strict; Max-Age=%lld", token, (long long)sv->conf->web_session_s);
		sodium_memzero(token, sizeof token);
		s_me(r, &s, q->n);
		log_info("web: clerk \"%s\" signed in", name);
	} else if (rc == 2) {
		char when[32];
		time_format(when, sizeof when, until * 1000);
		web_error(r, 423, "账户已锁定 account locked after %d wrong passphrases, until %s",
		    WEB_LOCK_AFTER, when);
		log_warnx("web: clerk \"%s\" locked", name);
	} else if (rc == 0) {
		web_error(r, 401, "用户名或口令错误 wrong name or passphrase");
	} else {
		web_error(r, 500, "%s", err);
	}
	for (size_t i = 0; i < f.n; i++)
		if (f.value[i])
			sodium_memzero(f.value[i], strlen(f.value[i]));
	web_form_release(&f);
	return 0;
}

/* ---- the embedded pages ---------------------------------------------------------- */

static int
s_static(const char *path, struct web_reply *r)
{
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	if (strcmp(path, "/favicon.ico") == 0) {
		r->status = 204;
		r->type = "image/x-icon";
		return 1;
	}
	for (const struct web_asset *a = web_assets; a->path; a++)
		if (strcmp(a->path, path) == 0) {
			fwrite(a->data, 1, a->len, r->f);
			r->type = a->type;
			r->status = 200;
			return 1;
		}
	return 0;
}

/* ---- dispatch -------------------------------------------------------------------- */

static const char s_csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/*
 * Requests that run beside any other: SQL on the worker's own connection
 * (the household file through a household_ctx of its own), no process-wide
 * state, nothing written to stderr.  The page's own files are among them.
 */
static int
s_concurrent(const struct web_req *q)
{
	static const char *const reads[] = { "/api/me", "/api/households", "/api/household",
	    "/api/fields", NULL };

	if (strcmp(q->method, "GET") != 0)
		return 0;
	if (strncmp(q->path, "/api/", 5) && strncmp(q->path, "/doc/", 5) &&
	    strncmp(q->path, "/chart/", 7))
		return 1;
	for (int i = 0; reads[i]; i++)
		if (strcmp(q->path, reads[i]) == 0)
			return 1;
	return 0;
}

/* A signed-in request: the resource it names. */
static void
s_dispatch(struct web_req *q, struct web_reply *r, struct web_session *s)
{
	if (strcmp(q->path, "/api/me") == 0) {
		s_me(r, s, q->n);
	} else if (strcmp(q->path, "/api/logout") == 0 && strcmp(q->method, "POST") == 0) {
		if (web_session_end(q->webdb, s) < 0) {
			web_error(r, 500, "web.db: ending the session: %s", sqlite3_errmsg(q->webdb));
			return;
		}
		snprintf(r->cookie, sizeof r->cookie, "lika_session=; Path=/; HttpOnly; SameSite=Strict; "
		    "Max-Age=0");
		fputs("{\"ok\":true}\n", r->f);
	} else if (strncmp(q->path, "/chart/", 7) == 0) {
		web_chart(q, r);
	} else if (strncmp(q->path, "/api/dash", 9) == 0) {
		web_dash(q, r);
	} else {
		web_api(q, r);
	}
}

static void
s_route(struct server *sv, struct MHD_Connection *c, struct web_req *q, struct web_reply *r)
{
	int post = strcmp(q->method, "POST") == 0;
	struct web_session s;

	if (!post && strcmp(q->method, "GET") != 0) {
		web_error(r, 405, "method %s not allowed", q->method);
		return;
	}
	if (!post && s_static(q->path, r))
		return;
	if (strcmp(q->path, "/api/login") == 0) {
		if (!post)
			web_error(r, 405, "POST a name and a passphrase");
		else
			s_login(sv, q, r);
		return;
	}
	if (strncmp(q->path, "/api/", 5) && strncmp(q->path, "/doc/", 5) &&
	    strncmp(q->path, "/chart/", 7)) {
		web_error(r, 404, "no such page");
		return;
	}
	int found = web_session_find(q->webdb, MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
	    "lika_session"), sv->conf->web_session_s, &s);
	if (found < 0) {
		web_error(r, 500, "web.db: reading the session: %s", sqlite3_errmsg(q->webdb));
		return;
	}
	if (!found) {
		web_error(r, 401, "请先登录 sign in first");
		return;
	}
	if (post) {
		const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
		if (!tok || strlen(tok) != WEB_TOKEN_HEX ||
		    sodium_memcmp(tok, s.csrf, WEB_TOKEN_HEX) != 0) {
			log_warnx("web: %s without a valid CSRF token refused", q->path);
			web_error(r, 403, "CSRF token missing or wrong: nothing written");
			return;
		}
	}
	q->clerk = s.clerk;
	s_dispatch(q, r, &s);
}

static enum MHD_Result
s_send(struct MHD_Connection *c, struct web_reply *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(r->len, r->body,
	    MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	r->body = NULL;
	MHD_add_response_header(resp, "Content-Type", r->type ? r->type :
	    "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Content-Security-Policy", r->csp ? r->csp : s_csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * On loopback, the Host header must name loopback too: a page of another site
 * whose name was re-pointed at 127.0.0.1 (DNS rebinding) gets nothing.
 */
static int
s_host_ok(const struct server *sv, struct MHD_Connection *c)
{
	static const char *const names[] = { "127.0.0.1", "localhost", "[::1]", NULL };
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");

	if (!sv->loopback)
		return 1;
	if (!host)
		return 0;
	for (int i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		if (strncmp(host, names[i], n) == 0 && (host[n] == '\0' ||
		    (host[n] == ':' && strcmp(host + n + 1, sv->port) == 0)))
			return 1;
	}
	return 0;
}

static enum MHD_Result
s_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct web_form *f = cls;

	(void)kind;
	if (f->n == WEB_FORM_MAX)
		return MHD_NO;
	f->name[f->n] = strdup(key);
	f->value[f->n] = strdup(value ? value : "");
	f->n++;
	return MHD_YES;
}

/* A worker for one request: waits while all are taken. */
static struct worker *
s_worker_take(struct server *sv)
{
	struct worker *w = NULL;

	pthread_mutex_lock(&sv->pick);
	for (;;) {
		for (int i = 0; i < WORKERS && !w; i++)
			if (!sv->workers[i].taken)
				w = &sv->workers[i];
		if (w)
			break;
		pthread_cond_wait(&sv->given, &sv->pick);
	}
	w->taken = 1;
	pthread_mutex_unlock(&sv->pick);
	return w;
}

static void
s_worker_give(struct server *sv, struct worker *w)
{
	pthread_mutex_lock(&sv->pick);
	w->taken = 0;
	pthread_cond_signal(&sv->given);
	pthread_mutex_unlock(&sv->pick);
}

/*
 * The request, its body whole: routed with a worker, one at a time unless
 * s_concurrent (s_run_lock is taken before the worker, see the top).
 */
static void
s_answer(struct server *sv, struct MHD_Connection *c, struct web_req *q, struct web_reply *r)
{
	int serial = !s_concurrent(q);

	if (serial)
		pthread_mutex_lock(&s_run_lock);
	struct worker *w = s_worker_take(sv);
	q->n = &w->n;
	q->webdb = w->webdb;
	s_route(sv, c, q, r);
	s_worker_give(sv, w);
	if (serial)
		pthread_mutex_unlock(&s_run_lock);
}

static enum MHD_Result
s_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *sv = cls;
	struct conn *cn = *con_cls;
	struct web_reply r = { .status = 200 };
	struct web_req q = { .method = method, .path = url, .conf = sv->conf };
	enum MHD_Result ret;
	int64_t t0 = mono_ms();

	(void)version;
	if (!cn) {
		if (!(cn = calloc(1, sizeof *cn)))
			return MHD_NO;
		*con_cls = cn;
		/* a body announced over the cap is refused before it is read */
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > sv->conf->web_upload_bytes)
			cn->too_big = 1;
		else
			return MHD_YES;
	}
	if (*upload_size) {
		if (!cn->too_big && cn->body.len + *upload_size > sv->conf->web_upload_bytes)
			cn->too_big = 1;
		if (!cn->too_big && web_buf_add(&cn->body, upload, *upload_size) < 0)
			cn->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (!(r.f = open_memstream(&r.body, &r.len)))
		return MHD_NO;
	q.body = cn->body.p ? cn->body.p : "";
	q.body_len = cn->body.len;
	/* libmicrohttpd has split the query from URL and decoded it */
	memset(&q.query, 0, sizeof q.query);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, s_query_arg, &q.query);
	if (cn->too_big)
		web_error(&r, 413, "request body over %zu bytes: refused, nothing written",
		    sv->conf->web_upload_bytes);
	else if (!s_host_ok(sv, c))
		web_error(&r, 421, "Host is not this console's loopback address");
	else
		s_answer(sv, c, &q, &r);
	web_form_release(&q.query);
	if (fclose(r.f) != 0) {
		free(r.body);
		return MHD_NO;
	}
	if (log_verbose()) {
		pthread_mutex_lock(&s_run_lock);
		log_debug("web: %s %s %d %lld ms", method, url, r.status, (long long)(mono_ms() - t0));
		pthread_mutex_unlock(&s_run_lock);
	}
	ret = s_send(c, &r);
	free(r.body);
	return ret;
}

static void
s_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct conn *cn = *con_cls;

	(void)cls;
	(void)c;
	(void)t;
	if (cn) {
		web_buf_release(&cn->body);
		free(cn);
		*con_cls = NULL;
	}
}

/* ---- lika serve -------------------------------------------------------------------- */

/* Parse "ADDR:PORT" (IPv4, or [IPv6]:PORT) into SA; LOOPBACK set.  0 or -1 with ERR. */
static int
s_listen_addr(const char *spec, struct sockaddr_storage *sa, int *loopback, char *err, size_t errlen)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	char *end;
	long port;

	memset(sa, 0, sizeof *sa);
	if (!colon || (size_t)(colon - spec) >= sizeof host)
		return errf(err, errlen, "listen \"%s\" is not ADDR:PORT", spec);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || !colon[1] || port < 1 || port > 65535)
		return errf(err, errlen, "listen \"%s\": port is not 1-65535", spec);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
		host[strlen(host) - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return errf(err, errlen, "listen \"%s\": not an IPv6 address", spec);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return errf(err, errlen, "listen \"%s\": \"%s\" is not an IPv4 address", spec, host);
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	return 0;
}

static int
s_serve_opts(int argc, char **argv, const char **listen)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika serve [--listen ADDR:PORT]\n\n"
	    "Serve the web console of this node: clerks' pages (households, import, the\n"
	    "procedure, documents) at a township, the dashboard at the county.  Listens\n"
	    "on [web] listen of lika.conf (default 127.0.0.1:8700); an address that is\n"
	    "not loopback is refused unless [web] allow_remote = yes.  Clerks sign in\n"
	    "with accounts made by \"lika user add\"; their sessions are kept in web.db,\n"
	    "so a restart signs no one out.  Each connection has a thread of its own: the\n"
	    "household list and a household's file are answered while an import or\n"
	    "another write runs; writes run one at a time.  Runs until SIGINT or SIGTERM.\n";
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': *listen = optarg; break;
		case 'h': printf("%s", usage); return EXIT_OK + 1;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE + 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE + 1;
	}
	return 0;
}

/* libmicrohttpd's messages, written to the copy of stderr so web_run never captures them */
static void
s_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[1024];

	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	if (s_stderr_copy >= 0)
		dprintf(s_stderr_copy, "lika: web: %s\n", line);
}

/* The workers' connections, opened before any thread runs.  0 or -1 (said why). */
static int
s_workers_open(struct server *sv)
{
	char err[ERRBUF_SIZE];

	for (int i = 0; i < WORKERS; i++) {
		struct worker *w = &sv->workers[i];
		if (tool_open(&w->n, NODE_READONLY) < 0)
			return -1;
		if (web_db_open(tool_data_dir, &w->webdb, err, sizeof err) < 0) {
			tool_fail(EXIT_FAIL, "serve", "%s", err);
			return -1;
		}
	}
	return 0;
}

static void
s_workers_close(struct server *sv)
{
	for (int i = 0; i < WORKERS; i++) {
		node_close(&sv->workers[i].n);
		sqlite3_close(sv->workers[i].webdb);
		sv->workers[i].webdb = NULL;
	}
}

int
cmd_serve(struct node *n, int argc, char **argv)
{
	static struct server sv;
	struct sockaddr_storage sa;
	const char *listen = NULL;
	char err[ERRBUF_SIZE];
	sigset_t set;
	int rc, loopback = 0, sig;

	if ((rc = s_serve_opts(argc, argv, &listen)))
		return rc - 1;
	if (!listen)
		listen = n->conf.web_listen;
	if (s_listen_addr(listen, &sa, &loopback, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "serve", "%s", err);
	if (!loopback && !n->conf.web_allow_remote)
		return tool_fail(EXIT_USAGE, "serve", "listen address \"%s\" is not loopback: other "
		    "machines could reach the archive; set [web] allow_remote = yes in lika.conf to "
		    "allow it", listen);
	if (sodium_init() < 0 || !web_tmpdir())
		return tool_fail(EXIT_FAIL, "serve", "cannot start: libsodium or a private temporary "
		    "directory failed");
	memset(&sv, 0, sizeof sv);
	pthread_mutex_init(&sv.pick, NULL);
	pthread_cond_init(&sv.given, NULL);
	if (s_workers_open(&sv) < 0) {
		s_workers_close(&sv);
		return EXIT_FAIL;
	}
	s_stderr_copy = fcntl(2, F_DUPFD_CLOEXEC, 3);
	sv.conf = &n->conf;
	sv.loopback = loopback;
	snprintf(sv.port, sizeof sv.port, "%s", strrchr(listen, ':') + 1);
	tool_stamp = s_stamp_fn;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);     /* the server's thread inherits the mask */
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
	    (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, s_handler, &sv,
	    MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, s_completed, NULL,
	    MHD_OPTION_END);
	if (!d) {
		rc = errno;
		s_workers_close(&sv);
		return tool_fail(EXIT_FAIL, "serve", "cannot listen on %s: %s", listen, strerror(rc));
	}
	printf("lika serve: http://%s/ (%s %s)\n", listen, role_name(n->conf.role), n->conf.code);
	fflush(stdout);
	sigdelset(&set, SIGPIPE);
	while (sigwait(&set, &sig) != 0 || (sig != SIGINT && sig != SIGTERM))
		;
	MHD_stop_daemon(d);
	s_workers_close(&sv);
	close(s_stderr_copy);
	s_stderr_copy = -1;
	tool_stamp = NULL;
	char rmdir_cmd[4200];
	snprintf(rmdir_cmd, sizeof rmdir_cmd, "%s", web_tmpdir());
	rmdir(rmdir_cmd);
	printf("lika serve: stopped\n");
	return EXIT_OK;
}
