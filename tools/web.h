/*
 * web.h — what the web console's files share (tools/web.c: the server,
 * sessions and routes; web_user.c: clerk accounts; web_api.c: the JSON
 * resources; web_dash.c: the county dashboard and its charts).
 *
 * The console runs in `lika serve` on a small pool of threads (web.c says
 * which requests run side by side and which one at a time).  Each thread has
 * its own connections: the node held open read-only and web.db, handed to a
 * handler in struct web_req; nothing else here may be touched by two
 * threads at once.  Every write opens the node with its key the way a lika
 * command does (tool_open), and most writes are lika's own commands run
 * in-process (web_run), so the console never holds a copy of a rule.
 */
#ifndef LIKA_TOOL_WEB_H
#define LIKA_TOOL_WEB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lika.h"

#define WEB_NAME_MAX     60     /* a clerk's account name, bytes (a person's name: FK_NAME) */
#define WEB_LOCK_AFTER   5      /* wrong passphrases in a row before the account locks */
#define WEB_FORM_MAX     64     /* fields of one form */

/* A growing byte buffer (NUL-terminated). */
struct web_buf {
	char *p;
	size_t len, cap;
};
#define WEB_BUF_INIT { NULL, 0, 0 }
int web_buf_add(struct web_buf *b, const void *p, size_t n);
void web_buf_release(struct web_buf *b);

/* A parsed application/x-www-form-urlencoded body or query (copies). */
struct web_form {
	size_t n;
	char *name[WEB_FORM_MAX];
	char *value[WEB_FORM_MAX];
};
/* Parse LEN bytes at S; -1 if malformed or too many fields. */
int web_form_parse(struct web_form *f, const char *s, size_t len);
/* The value of NAME (NULL if absent). */
const char *web_form_get(const struct web_form *f, const char *name);
void web_form_release(struct web_form *f);

/* What a handler answers: status, type and body (a memstream). */
struct web_reply {
	int status;
	const char *type;           /* NULL: application/json */
	const char *csp;            /* NULL: the console's own policy */
	char *body;
	size_t len;
	FILE *f;                    /* write the body here */
	char cookie[256];           /* a Set-Cookie header, if any */
};

/* A request as the handlers see it. */
struct web_req {
	const char *method, *path;
	struct web_form query;
	const char *body;           /* the whole body (bounded by upload_bytes) */
	size_t body_len;
	const char *clerk;          /* signed-in clerk, NULL if none */
	struct node *n;             /* the node held open read-only (this thread's) */
	sqlite3 *webdb;             /* web.db (this thread's connection) */
	const struct config *conf;
};

/* JSON string literal of S with <, >, & escaped too (\u003c …). */
void web_json_str(FILE *f, const char *s);
/* An error reply: {"error": MSG} with STATUS; returns 0. */
int web_error(struct web_reply *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Run lika command ARGV (as after "lika --data DIR") in this process, the
 * clerk CLERK stamped on every change set it writes about RECORD; its stdout
 * and stderr into OUT and ERR.  Its exit status, or -1 if it could not run.
 */
int web_run(int argc, char **argv, const char *clerk, const char *record, struct web_buf *out,
    struct web_buf *err);
/* Stamp the change sets written from now until web_stamp_clear (tool_stamp). */
void web_stamp_set(const char *clerk, const char *record);
void web_stamp_clear(void);

/* A private directory for uploaded files (mode 0700), made once; NULL on error. */
const char *web_tmpdir(void);
/* Write LEN bytes at P to a new file (0600) in web_tmpdir named after WHAT; the path into OUT. */
int web_tmpfile(const char *what, const void *p, size_t len, char *out, size_t outlen);

/* ---- accounts (web_user.c) ---- */
/* Open DIR/web.db (created 0600 if missing) with its tables. */
int web_db_open(const char *dir, sqlite3 **db, char *err, size_t errlen);
/* Run SQL binding texts A, B as ?1, ?2, X as ?3 and text C as ?4 (NULL: left unbound).
 * Rows changed, or -1. */
int web_db_exec(sqlite3 *db, const char *sql, const char *a, const char *b, int64_t x,
    const char *c);
/* Make sure the account table exists in the node's database (a local table, never replicated). */
int web_user_table(sqlite3 *db, char *err, size_t errlen);
/*
 * Check NAME's passphrase PASS; 1 right, 0 wrong or no such account, 2 locked
 * (UNTIL gets when it unlocks, unix s), -1 error.  A wrong one counts against
 * the account; WEB_LOCK_AFTER in a row lock it for LOCKOUT_S.
 */
int web_user_check(const char *dir, const char *name, const char *pass, int64_t lockout_s,
    int64_t *until, char *err, size_t errlen);

/* ---- sessions (web_session.c) ---- */
#define WEB_TOKEN_HEX    64     /* a session's cookie and CSRF token: 32 random bytes in hex */

struct web_session {
	char csrf[WEB_TOKEN_HEX + 1];
	char clerk[WEB_NAME_MAX + 1];
	char hash[WEB_TOKEN_HEX + 1];   /* of the cookie's token, in hex: the row's key */
};
/*
 * A new session for CLERK lasting TTL_S idle: its cookie token into TOKEN
 * (WEB_TOKEN_HEX + 1 bytes, never stored), the row into S.  0, or -1 with ERR.
 */
int web_session_new(sqlite3 *db, const char *clerk, int64_t ttl_s, char *token,
    struct web_session *s, char *err, size_t errlen);
/*
 * The session of cookie TOKEN (may be NULL), its lease pushed on to TTL_S:
 * 1 found, 0 none, expired or its account locked or removed, -1 error.
 */
int web_session_find(sqlite3 *db, const char *token, int64_t ttl_s, struct web_session *s);
/* End session S (sign out): its row is deleted.  0 or -1. */
int web_session_end(sqlite3 *db, const struct web_session *s);

/* ---- resources (web_api.c, web_dash.c) ---- */
int web_api(struct web_req *q, struct web_reply *r);
int web_dash(struct web_req *q, struct web_reply *r);
int web_chart(struct web_req *q, struct web_reply *r);

/* ---- the embedded pages (generated from tools/web/ at build time) ---- */
struct web_asset {
	const char *path;           /* "/app.js" */
	const char *type;
	const unsigned char *data;
	size_t len;
};
extern const struct web_asset web_assets[];

#endif
