/*
 * proc.c — what the procedure commands share (tools/proc.h): refusals that
 * name their rule, one-row queries, text checks and the signing official.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "passphrase.h"
#include "proc.h"
#include "util.h"

int
proc_refuse(const char *cmd, const char *rule, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lika %s: refused (%s): ", cmd, rule);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int
proc_commit(struct node *n, const char *cmd, struct ops *ops)
{
	char err[ERRBUF_SIZE];

	if (ledger_commit(n->ledger, ops, NULL, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	return EXIT_OK;
}

int64_t
proc_int(sqlite3 *db, const char *sql, const char *arg, int64_t def)
{
	sqlite3_stmt *st = NULL;
	int64_t v = def;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return def;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
proc_text(sqlite3 *db, const char *sql, const char *arg, char *out, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
proc_check_text(const char *cmd, const char *what, const char *s, size_t max)
{
	if (strlen(s) > max)
		return tool_fail(EXIT_USAGE, cmd, "%s \"%.40s…\" is longer than %zu bytes", what, s, max);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return tool_fail(EXIT_USAGE, cmd, "%s \"%s\" has a control character", what, s);
	return 0;
}

int
proc_year(const char *date)
{
	return (int)strtol(date, NULL, 10);
}

int
proc_signer_unlock(struct signer *s, const char *path, int passfd, const char *cmd)
{
	int rc;

	memset(s, 0, sizeof *s);
	if ((rc = passphrase_open_key(cmd, path, passfd, s->sk)) != EXIT_OK)
		return rc;
	crypto_sign_ed25519_sk_to_pk(s->pk, s->sk);
	s->unlocked = 1;
	return EXIT_OK;
}

int
proc_signer_load(struct signer *s, sqlite3 *db, const char *path, const char *role, const char *cmd)
{
	sqlite3_stmt *st = NULL;
	int removed = 0, found = 0;

	if (!s->unlocked)
		return tool_fail(EXIT_FAIL, cmd, "--key \"%s\": key not unlocked", path);
	if (sqlite3_prepare_v2(db, "SELECT id, role, name, office, removed FROM official "
	    "WHERE pubkey = ?1 ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		proc_signer_release(s);
		return tool_fail(EXIT_FAIL, cmd, "%s", sqlite3_errmsg(db));
	}
	sqlite3_bind_blob(st, 1, s->pk, PUBKEY_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(s->id, sizeof s->id, "%s", sqlite3_column_text(st, 0));
		snprintf(s->role, sizeof s->role, "%s", sqlite3_column_text(st, 1));
		snprintf(s->name, sizeof s->name, "%s", sqlite3_column_text(st, 2));
		snprintf(s->office, sizeof s->office, "%s", sqlite3_column_text(st, 3));
		removed = sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	if (!found) {
		proc_signer_release(s);
		return proc_refuse(cmd, "signer-roster", "the key in \"%s\" belongs to no official on "
		    "the county roster (\"lika official add\" at the county; has its feed arrived?)", path);
	}
	if (removed) {
		proc_signer_release(s);
		return proc_refuse(cmd, "signer-removed", "official %s (%s) was removed from the roster",
		    s->id, s->name);
	}
	if (role && strcmp(role, s->role) != 0) {
		int rc = proc_refuse(cmd, "signer-role", "this step is signed by a %s; %s (%s) is a %s",
		    role, s->id, s->name, s->role);
		proc_signer_release(s);
		return rc;
	}
	return EXIT_OK;
}

void
proc_signer_release(struct signer *s)
{
	sodium_memzero(s->sk, sizeof s->sk);
	s->unlocked = 0;
}

int
proc_width(const char *s)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; ) {
		unsigned cp = *p;
		int n = cp < 0x80 ? 1 : (cp >> 5) == 6 ? 2 : (cp >> 4) == 14 ? 3 : (cp >> 3) == 30 ? 4 : 1;
		for (int i = 1; i < n; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		if (n == 3)
			cp &= 0xffff;
		else if (n == 2)
			cp &= 0x7ff;
		else if (n == 4)
			cp &= 0x1fffff;
		/* CJK, fullwidth forms and the like take two columns */
		w += cp >= 0x1100 && (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) ||
		    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
		    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
		    (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000) ? 2 : 1;
		for (int i = 0; i < n && *p; i++)
			p++;
	}
	return w;
}

void
proc_pad(FILE *f, const char *s, int width)
{
	fputs(s, f);
	for (int w = proc_width(s); w < width; w++)
		fputc(' ', f);
}

void
proc_pad_left(FILE *f, const char *s, int width)
{
	for (int w = proc_width(s); w < width; w++)
		fputc(' ', f);
	fputs(s, f);
}
