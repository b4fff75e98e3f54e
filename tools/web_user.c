/*
 * web_user.c — `lika user add|list|unlock|remove`: the clerks who may sign in
 * to the web console of this node.
 *
 * Accounts are local to the node and never replicated: they live in web.db
 * beside lika.db (mode 0600), not in the ledger.  A passphrase is kept only as
 * an Argon2id hash (libsodium crypto_pwhash_str, which stores its own salt and
 * cost); WEB_LOCK_AFTER wrong passphrases in a row lock the account for
 * [web] lockout seconds, counted in the table so a restart does not reset it.
 * What a clerk does is recorded in the ledger (table clerk_change), not here.
 * web.db also keeps the console's sessions and lag samples (web_session.c);
 * its triggers end an account's sessions when it is removed, given a new
 * passphrase or locked.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <sqlite3.h>

#include "fields.h"
#include "passphrase.h"
#include "util.h"
#include "web.h"

static const char s_ddl[] =
    "CREATE TABLE IF NOT EXISTS clerk ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  hash TEXT NOT NULL,"             /* crypto_pwhash_str: $argon2id$… */
    "  failures INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER NOT NULL DEFAULT 0,"   /* unix s */
    "  created INTEGER NOT NULL);"
    /* a signed-in clerk: only a hash of the cookie's token, so a copy of web.db signs no one in */
    "CREATE TABLE IF NOT EXISTS session ("
    "  hash TEXT PRIMARY KEY NOT NULL,"    /* crypto_generichash of the token, in hex */
    "  clerk TEXT NOT NULL,"
    "  csrf TEXT NOT NULL,"                /* sent back in X-CSRF-Token with every write */
    "  expires INTEGER NOT NULL);"         /* unix s; pushed on as the clerk works */
    /* an account removed, given a new passphrase or locked is signed out everywhere */
    "CREATE TRIGGER IF NOT EXISTS session_end_removed AFTER DELETE ON clerk "
    "  BEGIN DELETE FROM session WHERE clerk = old.name; END;"
    "CREATE TRIGGER IF NOT EXISTS session_end_new_passphrase AFTER UPDATE OF hash ON clerk "
    "  BEGIN DELETE FROM session WHERE clerk = old.name; END;"
    "CREATE TRIGGER IF NOT EXISTS session_end_locked AFTER UPDATE OF locked_until ON clerk "
    "  WHEN new.locked_until > 0 BEGIN DELETE FROM session WHERE clerk = old.name; END;"
    /* the dashboard's lag of each township, one sample a minute for 24 hours */
    "CREATE TABLE IF NOT EXISTS lag_sample ("
    "  code TEXT NOT NULL,"
    "  at_ms INTEGER NOT NULL,"
    "  lag INTEGER NOT NULL,"
    "  lag_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (code, at_ms));"
    "CREATE INDEX IF NOT EXISTS lag_sample_at ON lag_sample (at_ms)";

int
web_db_open(const char *dir, sqlite3 **db, char *err, size_t errlen)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/web.db", dir);
	/* create it private before SQLite does, with the umask's mode */
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		errf(err, errlen, "%s: %s", path, sqlite3_errmsg(*db));
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, 5000);
	if (web_user_table(*db, err, errlen) < 0) {
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

int
web_user_table(sqlite3 *db, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, s_ddl, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "web.db: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* A clerk's name: a person's name as the household file takes it (clean text, 1-60 bytes). */
static int
s_name_ok(const char *name, char *err, size_t errlen)
{
	char why[128];
	size_t len = strlen(name);

	if (len == 0 || len > WEB_NAME_MAX)
		return errf(err, errlen, "account name \"%s\": 1 to %d bytes", name, WEB_NAME_MAX);
	if (fields_text_clean(name, len, 0, why, sizeof why) < 0)
		return errf(err, errlen, "account name: %s", why);
	if (strchr(name, '/'))
		return errf(err, errlen, "account name \"%s\": no \"/\"", name);
	return 0;
}

int
web_db_exec(sqlite3 *db, const char *sql, const char *a, const char *b, int64_t x, const char *c)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, x);
	if (c)
		sqlite3_bind_text(st, 4, c, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}

static int
s_user_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "replace", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika user add NAME [--passphrase-fd N] [--replace]\n\n"
	    "Add a clerk account for the web console of this node.  The passphrase (at\n"
	    "least 8 bytes) is asked twice at the terminal without echo, or read as one\n"
	    "line from file descriptor N; only its Argon2id hash is kept (web.db).\n"
	    "--replace sets a new passphrase for an existing account and unlocks it.\n";
	struct passphrase p;
	char err[ERRBUF_SIZE], hash[crypto_pwhash_STRBYTES];
	int ch, fd = -1, replace = 0, rc;
	sqlite3 *db;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			if (passphrase_fd_arg(optarg, &fd, err, sizeof err) < 0)
				return tool_fail(EXIT_USAGE, "user add", "%s", err);
			break;
		case 'r': replace = 1; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *name = argv[optind];
	if (s_name_ok(name, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "user add", "%s", err);
	if (passphrase_new(&p, fd, "the clerk's", err, sizeof err) < 0) {
		passphrase_wipe(&p);
		return tool_fail(EXIT_USAGE, "user add", "%s", err);
	}
	rc = crypto_pwhash_str(hash, p.buf, p.len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE);
	passphrase_wipe(&p);
	if (rc != 0)
		return tool_fail(EXIT_FAIL, "user add", "hashing the passphrase: out of memory");
	if (web_db_open(tool_data_dir, &db, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "user add", "%s", err);
	rc = web_db_exec(db, replace ?
	    "INSERT INTO clerk (name, hash, created) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO UPDATE "
	    "SET hash = excluded.hash, failures = 0, locked_until = 0" :
	    "INSERT OR IGNORE INTO clerk (name, hash, created) VALUES (?1, ?2, ?3)",
	    name, hash, (int64_t)time(NULL), NULL);
	sqlite3_close(db);
	sodium_memzero(hash, sizeof hash);
	if (rc < 0)
		return tool_fail(EXIT_FAIL, "user add", "writing web.db failed");
	if (rc == 0)
		return tool_fail(EXIT_USAGE, "user add", "account \"%s\" exists (--replace sets a new "
		    "passphrase)", name);
	printf("clerk %s added\n", name);
	return EXIT_OK;
}

static int
s_user_list(int argc, char **argv)
{
	char err[ERRBUF_SIZE];
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)argv;
	if (argc > 1) {
		printf("usage: lika user list\n\nThe clerk accounts: name, wrong passphrases in a row, "
		    "locked until.\n");
		return strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? EXIT_USAGE : EXIT_OK;
	}
	if (web_db_open(tool_data_dir, &db, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "user list", "%s", err);
	if (sqlite3_prepare_v2(db, "SELECT name, failures, locked_until FROM clerk ORDER BY name",
	    -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return tool_fail(EXIT_FAIL, "user list", "reading web.db failed");
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t until = sqlite3_column_int64(st, 2);
		char when[32] = "";
		if (until > time(NULL))
			time_format(when, sizeof when, until * 1000);
		printf("%s  %d%s%s\n", (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
		    when[0] ? "  locked until " : "", when);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return EXIT_OK;
}

/* unlock and remove: one NAME each */
static int
s_user_change(int argc, char **argv, const char *sql, const char *done)
{
	char err[ERRBUF_SIZE];
	sqlite3 *db;

	if (argc != 2 || argv[1][0] == '-') {
		printf("usage: lika user %s NAME\n", argv[0]);
		return argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? EXIT_OK :
		    EXIT_USAGE;
	}
	if (web_db_open(tool_data_dir, &db, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "user", "%s", err);
	int rc = web_db_exec(db, sql, argv[1], NULL, 0, NULL);
	sqlite3_close(db);
	if (rc < 0)
		return tool_fail(EXIT_FAIL, "user", "writing web.db failed");
	if (rc == 0)
		return tool_fail(EXIT_USAGE, "user", "no account \"%s\"", argv[1]);
	printf("clerk %s %s\n", argv[1], done);
	return EXIT_OK;
}

static int
s_cmd_add(struct node *n, int argc, char **argv) { (void)n; return s_user_add(argc, argv); }
static int
s_cmd_list(struct node *n, int argc, char **argv) { (void)n; return s_user_list(argc, argv); }
static int
s_cmd_unlock(struct node *n, int argc, char **argv)
{
	(void)n;
	return s_user_change(argc, argv, "UPDATE clerk SET failures = 0, locked_until = 0 "
	    "WHERE name = ?1 AND ?3 = 0", "unlocked");
}
static int
s_cmd_remove(struct node *n, int argc, char **argv)
{
	(void)n;
	return s_user_change(argc, argv, "DELETE FROM clerk WHERE name = ?1 AND ?3 = 0", "removed");
}

int
cmd_user(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add",    s_cmd_add,    NEED_NODE_RO, "add a clerk account (passphrase without echo)" },
		{ "list",   s_cmd_list,   NEED_NODE_RO, "list the accounts and which are locked" },
		{ "unlock", s_cmd_unlock, NEED_NODE_RO, "unlock an account locked by wrong passphrases" },
		{ "remove", s_cmd_remove, NEED_NODE_RO, "remove an account" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("user", sub, argc, argv);
}

int
web_user_check(const char *dir, const char *name, const char *pass, int64_t lockout_s,
    int64_t *until, char *err, size_t errlen)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char hash[crypto_pwhash_STRBYTES] = "";
	int64_t now = time(NULL), locked = 0;
	int failures = 0, found = 0, ok;

	*until = 0;
	if (web_db_open(dir, &db, err, errlen) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT hash, failures, locked_until FROM clerk WHERE name = ?1",
	    -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return errf(err, errlen, "web.db: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(hash, sizeof hash, "%s", (const char *)sqlite3_column_text(st, 0));
		failures = sqlite3_column_int(st, 1);
		locked = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (found && locked > now) {
		*until = locked;
		sqlite3_close(db);
		return 2;
	}
	if (!found) {
		/* as slow as a wrong passphrase, so a name's existence does not show */
		char dummy[crypto_pwhash_STRBYTES];
		if (crypto_pwhash_str(dummy, pass, strlen(pass), crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
			sodium_memzero(dummy, sizeof dummy);
		sqlite3_close(db);
		return 0;
	}
	ok = crypto_pwhash_str_verify(hash, pass, strlen(pass)) == 0;
	if (ok)
		web_db_exec(db, "UPDATE clerk SET failures = 0, locked_until = 0 WHERE name = ?1 AND ?3 = 0",
		    name, NULL, 0, NULL);
	else if (failures + 1 >= WEB_LOCK_AFTER) {
		*until = now + lockout_s;
		web_db_exec(db, "UPDATE clerk SET failures = 0, locked_until = ?3 WHERE name = ?1", name,
		    NULL, *until, NULL);
	} else
		web_db_exec(db, "UPDATE clerk SET failures = failures + 1 WHERE name = ?1 AND ?3 = 0", name,
		    NULL, 0, NULL);
	sqlite3_close(db);
	return ok ? 1 : *until ? 2 : 0;
}
