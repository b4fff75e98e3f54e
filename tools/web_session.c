/*
 * web_session.c — the console's sessions, kept in web.db so that restarting
 * lika serve (or likad, which starts it) signs no clerk out.
 *
 * A row holds a hash of the cookie's token (crypto_generichash), never the
 * token itself: whoever reads web.db cannot sign in as anyone.  The CSRF
 * token is kept as it is: the page asks for it again after a reload, and
 * without the cookie it opens nothing.  A session lasts [web] session seconds
 * idle; its lease is pushed on at most once a minute, so reading pages does
 * not write web.db at every request.  A session whose account is locked or
 * removed is refused here too (the triggers in web_user.c also delete it).
 * At most SESSIONS_MAX rows: a new one pushes out the one closest to expiry.
 */
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <sqlite3.h>

#include "util.h"
#include "web.h"

#define SESSIONS_MAX     256
#define RENEW_AFTER_S    60     /* a lease is pushed on once it has run this long */

static void
s_token(char *out)
{
	uint8_t raw[WEB_TOKEN_HEX / 2];

	randombytes_buf(raw, sizeof raw);
	hex_encode(out, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
}

static void
s_hash(char *out, const char *token)
{
	unsigned char raw[WEB_TOKEN_HEX / 2];

	crypto_generichash(raw, sizeof raw, (const unsigned char *)token, WEB_TOKEN_HEX, NULL, 0);
	hex_encode(out, raw, sizeof raw);
}

int
web_session_new(sqlite3 *db, const char *clerk, int64_t ttl_s, char *token,
    struct web_session *s, char *err, size_t errlen)
{
	int64_t now = time(NULL);

	memset(s, 0, sizeof *s);
	s_token(token);
	s_token(s->csrf);
	s_hash(s->hash, token);
	snprintf(s->clerk, sizeof s->clerk, "%s", clerk);
	if (web_db_exec(db, "DELETE FROM session WHERE expires < ?3", NULL, NULL, now, NULL) < 0 ||
	    web_db_exec(db, "DELETE FROM session WHERE hash IN (SELECT hash FROM session ORDER BY "
	    "expires DESC LIMIT -1 OFFSET ?3)", NULL, NULL, SESSIONS_MAX - 1, NULL) < 0 ||
	    web_db_exec(db, "INSERT INTO session (hash, clerk, expires, csrf) VALUES (?1, ?2, ?3, ?4)",
	    s->hash, clerk, now + ttl_s, s->csrf) < 0)
		return errf(err, errlen, "web.db: keeping the session: %s", sqlite3_errmsg(db));
	return 0;
}

int
web_session_find(sqlite3 *db, const char *token, int64_t ttl_s, struct web_session *s)
{
	int64_t now = time(NULL), expires = 0, locked = 0;
	sqlite3_stmt *st;
	int rc;

	memset(s, 0, sizeof *s);
	if (!token || strlen(token) != WEB_TOKEN_HEX)
		return 0;
	s_hash(s->hash, token);
	if (sqlite3_prepare_v2(db, "SELECT s.clerk, s.csrf, s.expires, coalesce(c.locked_until, -1) "
	    "FROM session s LEFT JOIN clerk c ON c.name = s.clerk WHERE s.hash = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, s->hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(s->clerk, sizeof s->clerk, "%s", col_text(st, 0));
		snprintf(s->csrf, sizeof s->csrf, "%s", col_text(st, 1));
		expires = sqlite3_column_int64(st, 2);
		locked = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	if (expires < now || locked < 0 || locked > now || strlen(s->csrf) != WEB_TOKEN_HEX) {
		/* expired, or its account locked or gone: the row goes, the cookie never works again */
		web_db_exec(db, "DELETE FROM session WHERE hash = ?1", s->hash, NULL, 0, NULL);
		return 0;
	}
	if (now + ttl_s - expires >= RENEW_AFTER_S &&
	    web_db_exec(db, "UPDATE session SET expires = ?3 WHERE hash = ?1", s->hash, NULL,
	    now + ttl_s, NULL) < 0)
		return -1;
	return 1;
}

int
web_session_end(sqlite3 *db, const struct web_session *s)
{
	return web_db_exec(db, "DELETE FROM session WHERE hash = ?1", s->hash, NULL, 0, NULL) < 0 ?
	    -1 : 0;
}
