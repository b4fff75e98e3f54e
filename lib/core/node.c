/*
 * node.c — creating and opening a node's data directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node.h"
#include "util.h"

static const char *const s_files[] = { "lika.db", "lika.db-wal", "lika.db-shm",
	"node.key", "lika.conf", NULL };

static int
s_join(char *out, size_t len, const char *dir, const char *file)
{
	int n = snprintf(out, len, "%s/%s", dir, file);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * mkdir -p DIR: parents made 0755, DIR itself 0700, also when it existed
 * (the data directory holds the node's secret key and personal data).
 */
static int
s_mkdirs(const char *dir, char *err, size_t errlen)
{
	char p[1024];

	if (strlcpy_checked(p, dir, sizeof p) < 0)
		return errf(err, errlen, "%s: path too long", dir);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, c == '\0' ? 0700 : 0755) != 0 && errno != EEXIST)
				return errf(err, errlen, "%s: %s", p, strerror(errno));
			*s = c;
			if (c == '\0')
				break;
		}
	}
	if (chmod(dir, 0700) != 0)
		return errf(err, errlen, "%s: %s", dir, strerror(errno));
	return 0;
}

int
node_path(const struct node *n, const char *file, char *out, size_t len)
{
	return s_join(out, len, n->dir, file);
}

int
key_write(const char *path, const uint8_t sk[SECKEY_BYTES], char *err, size_t errlen)
{
	int fd;
	ssize_t w;

	/* O_EXCL: never over an existing file or through a link planted at PATH */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	w = write(fd, sk, SECKEY_BYTES);
	if (w != (ssize_t)SECKEY_BYTES || fsync(fd) != 0) {
		int e = w < 0 ? errno : EIO;
		close(fd);
		unlink(path);
		return errf(err, errlen, "%s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

int
key_read(const char *path, uint8_t sk[SECKEY_BYTES], char *err, size_t errlen)
{
	struct stat st;
	uint8_t pk[PUBKEY_BYTES], seed[crypto_sign_SEEDBYTES], check[SECKEY_BYTES];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (st.st_mode & 077) {
		close(fd);
		return errf(err, errlen, "%s: key file is readable by others (mode %03o; want 600)",
		    path, (unsigned)(st.st_mode & 0777));
	}
	r = read(fd, sk, SECKEY_BYTES);
	close(fd);
	if (r != (ssize_t)SECKEY_BYTES || st.st_size != (off_t)SECKEY_BYTES)
		return errf(err, errlen, "%s: not a key file (want %u bytes)", path,
		    (unsigned)SECKEY_BYTES);
	/* The file holds seed || pk: rebuild from the seed and compare. */
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	crypto_sign_seed_keypair(pk, check, seed);
	sodium_memzero(seed, sizeof seed);
	int ok = sodium_memcmp(check, sk, SECKEY_BYTES) == 0;
	sodium_memzero(check, sizeof check);
	if (!ok) {
		sodium_memzero(sk, SECKEY_BYTES);
		return errf(err, errlen, "%s: key file is damaged (public half does not match)", path);
	}
	return 0;
}

/* ---- epoch: was lika.db started from a copy? ------------------------------------ */

#define EPOCH_HEX 32    /* 16 random bytes */

/* DIR/lika.epoch into OUT: 1 read, 0 absent, -1 unreadable (reason in ERR). */
static int
s_epoch_read(const char *dir, char *out, size_t len, char *err, size_t errlen)
{
	char path[1100];
	ssize_t r;
	int fd;

	if (s_join(path, sizeof path, dir, NODE_EPOCH_FILE) < 0)
		return errf(err, errlen, "%s: path too long", dir);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT)
			return 0;
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	}
	r = read(fd, out, len - 1);
	close(fd);
	if (r < 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	out[r] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 1;
}

/* EPOCH into DIR/lika.epoch: a temporary made exclusively beside it, fsync, rename. */
static int
s_epoch_write(const char *dir, const char *epoch, char *err, size_t errlen)
{
	char path[1100], tmp[1100];
	size_t n = strlen(epoch);
	int fd, e;

	if (s_join(path, sizeof path, dir, NODE_EPOCH_FILE) < 0 ||
	    s_join(tmp, sizeof tmp, dir, NODE_EPOCH_FILE ".tmpXXXXXX") < 0)
		return errf(err, errlen, "%s: path too long", dir);
	if ((fd = mkstemp(tmp)) < 0)        /* O_CREAT|O_EXCL, mode 0600 */
		return errf(err, errlen, "%s: %s", tmp, strerror(errno));
	if (write(fd, epoch, n) != (ssize_t)n || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return errf(err, errlen, "%s: %s", tmp, strerror(e ? e : EIO));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return errf(err, errlen, "%s: %s", path, strerror(e));
	}
	/* the rename itself must survive a crash */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/*
 * A new epoch into meta and the file, inside the caller's write transaction;
 * HEX gets it.  While the transaction may still roll back (a crash before the
 * commit), the file names the epoch before it too ("NEW PREV"): the caller
 * rewrites it to the new one alone after the commit (s_epoch_write).
 */
static int
s_epoch_new(struct ledger *l, const char *dir, char hex[EPOCH_HEX + 1], char *err, size_t errlen)
{
	uint8_t r[EPOCH_HEX / 2];
	char prev[64], both[2 * EPOCH_HEX + 72];

	randombytes_buf(r, sizeof r);
	hex_encode(hex, r, sizeof r);
	if (ledger_meta_get(l, "epoch", prev, sizeof prev) < 0)
		prev[0] = '\0';
	if (ledger_meta_set(l, "epoch", hex, err, errlen) < 0)
		return -1;
	snprintf(both, sizeof both, "%s%s%s", hex, prev[0] ? " " : "", prev);
	return s_epoch_write(dir, both, err, errlen);
}

/* Does the database's epoch DB match FILE ("NEW" or "NEW PREV")?  2: PREV (a renewal cut short). */
static int
s_epoch_match(const char *db, const char *file)
{
	size_t n = strcspn(file, " ");

	if (strlen(db) == n && strncmp(db, file, n) == 0)
		return 1;
	return file[n] == ' ' && strcmp(db, file + n + 1) == 0 ? 2 : 0;
}

int
node_epoch_renew(struct node *n, char *err, size_t errlen)
{
	char hex[EPOCH_HEX + 1];

	if (ledger_begin(n->ledger, err, errlen) < 0)
		return -1;
	if (s_epoch_new(n->ledger, n->dir, hex, err, errlen) < 0) {
		ledger_rollback(n->ledger);
		return -1;
	}
	if (ledger_end(n->ledger, err, errlen) < 0)
		return -1;
	/* committed: the file names the new epoch alone (a crash before this is harmless) */
	return s_epoch_write(n->dir, hex, err, errlen);
}

/* The codes SQL selects, comma-separated, appended to OUT; how many. */
static int
s_codes(sqlite3 *db, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st = NULL;
	int count = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", used ? "," : "", sqlite3_column_text(st, 0));
		count++;
	}
	sqlite3_finalize(st);
	return count;
}

int
node_hold_peers(struct node *n, char *out, size_t len)
{
	sqlite3 *db = ledger_db(n->ledger);

	out[0] = '\0';
	if (n->conf.role != ROLE_COUNTY) {
		snprintf(out, len, "%s", n->id.county);
		return 0;
	}
	if (!ledger_table_exists(db, "roster_node"))
		return 0;
	/*
	 * Every township on the roster, not only those table peer names: a copy's
	 * peer table is as old as the copy (and flushed once a second), so a
	 * township that first synced just before or after it would be missed.
	 */
	s_codes(db, "SELECT id FROM roster_node WHERE coalesce(removed, 0) = 0 AND "
	    "instr(id, '/') = 0 ORDER BY id", out, len);
	return 0;
}

/*
 * The hold's three meta rows as one write: inside the caller's transaction,
 * or one of their own, so that a busy ledger leaves all three as they were.
 * WHY empty lifts the hold.
 */
static int
s_hold_write(struct node *n, const char *why, const char *awaiting, char *err, size_t errlen)
{
	int own = sqlite3_get_autocommit(ledger_db(n->ledger));
	char v[512] = "", since[32] = "";

	if (own && ledger_begin(n->ledger, err, errlen) < 0)
		return -1;
	if (why[0] && (ledger_meta_get(n->ledger, "write_hold", v, sizeof v) < 0 || !v[0]))
		snprintf(since, sizeof since, "%" PRId64, now_ms());
	if (((since[0] || !why[0]) && ledger_meta_set(n->ledger, "hold_since", since, err, errlen) < 0) ||
	    ledger_meta_set(n->ledger, "hold_awaiting", awaiting, err, errlen) < 0 ||
	    ledger_meta_set(n->ledger, "write_hold", why, err, errlen) < 0) {
		if (own)
			ledger_rollback(n->ledger);
		return -1;
	}
	return own ? ledger_end(n->ledger, err, errlen) : 0;
}

int
node_hold_set(struct node *n, const char *why, const char *awaiting, char *err, size_t errlen)
{
	return s_hold_write(n, why, awaiting ? awaiting : "", err, errlen);
}

int
node_hold_clear(struct node *n, char *err, size_t errlen)
{
	return s_hold_write(n, "", "", err, errlen);
}

/*
 * Compare meta epoch with lika.epoch under the write lock (a renewal in
 * another process is seen whole or not at all).  Neither present: a node
 * from before epochs (or just made): both are written.  Different, or only
 * one present: a copy; hold writes until the peers confirm the feed.
 */
static int
s_epoch_check(struct node *n, char *err, size_t errlen)
{
	char db[64] = "", file[2 * EPOCH_HEX + 8] = "", awaiting[1024], why[ERRBUF_SIZE];
	int have_db, have_file;

	/* the common case, without the write lock: they agree */
	if (ledger_meta_get(n->ledger, "epoch", db, sizeof db) == 0 &&
	    s_epoch_read(n->dir, file, sizeof file, NULL, 0) == 1 && s_epoch_match(db, file) == 1)
		return 0;
	if (ledger_begin(n->ledger, err, errlen) < 0)
		return -1;
	db[0] = file[0] = '\0';
	have_db = ledger_meta_get(n->ledger, "epoch", db, sizeof db) == 0;
	if ((have_file = s_epoch_read(n->dir, file, sizeof file, err, errlen)) < 0)
		goto fail;
	if (have_db && have_file && s_epoch_match(db, file)) {
		ledger_rollback(n->ledger);
		/* a renewal stopped before its commit: the database's epoch stands */
		return s_epoch_match(db, file) == 2 ? s_epoch_write(n->dir, db, err, errlen) : 0;
	}
	if (have_db || have_file) {
		node_hold_peers(n, awaiting, sizeof awaiting);
		snprintf(why, sizeof why, NODE_HOLD_RESTORED ": waiting for peers to confirm this "
		    "node's feed (epoch of lika.db %s, of " NODE_EPOCH_FILE " %s)", have_db ? db : "none",
		    have_file ? file : "none");
		/* nobody could hold more of a feed no peer was ever sent: nothing to wait for */
		if (awaiting[0] && node_hold_set(n, why, awaiting, err, errlen) < 0)
			goto fail;
	}
	char hex[EPOCH_HEX + 1];
	if (s_epoch_new(n->ledger, n->dir, hex, err, errlen) < 0)
		goto fail;
	if (ledger_end(n->ledger, err, errlen) < 0)
		return -1;
	return s_epoch_write(n->dir, hex, err, errlen);
fail:
	ledger_rollback(n->ledger);
	return -1;
}

int
node_backup(struct node *n, const char *path, char *err, size_t errlen)
{
	char tmp[1100], why[ERRBUF_SIZE];
	struct ledger *copy = NULL;
	struct stat st;
	int fd, e;

	if (lstat(path, &st) == 0)
		return errf(err, errlen, "%s already exists: not overwritten", path);
	if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp)
		return errf(err, errlen, "%s: path too long", path);
	if ((fd = mkstemp(tmp)) < 0)        /* O_CREAT|O_EXCL, mode 0600, beside PATH */
		return errf(err, errlen, "%s: %s", tmp, strerror(errno));
	close(fd);
	if (ledger_backup(n->ledger, tmp, err, errlen) < 0)
		goto fail;
	/* the copy is a copy: restored, it holds writes until peers confirm (s_epoch_check) */
	if (ledger_open(&copy, tmp, 0, err, errlen) < 0)
		goto fail;
	if (ledger_meta_set(copy, "epoch", NODE_EPOCH_BACKUP, why, sizeof why) < 0 ||
	    ledger_meta_set(copy, "likad_pid", "0", why, sizeof why) < 0 ||
	    sqlite3_exec(ledger_db(copy), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
		errf(err, errlen, "%s: %s", tmp, why);
		ledger_close(&copy);
		goto fail;
	}
	ledger_close(&copy);
	if ((fd = open(tmp, O_RDONLY | O_NOFOLLOW)) < 0 || fsync(fd) != 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		errf(err, errlen, "%s: %s", tmp, strerror(e));
		goto fail;
	}
	close(fd);
	/* link, not rename: an existing PATH (made meanwhile) is refused, never replaced */
	if (link(tmp, path) != 0) {
		errf(err, errlen, "%s: %s", path, errno == EEXIST ? "already exists: not overwritten" :
		    strerror(errno));
		goto fail;
	}
	unlink(tmp);
	{
		char dir[1100], *slash;
		snprintf(dir, sizeof dir, "%s", path);
		slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		if ((fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY)) >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	return 0;
fail:
	unlink(tmp);
	for (const char *ext = "-wal"; ext; ext = strcmp(ext, "-wal") == 0 ? "-shm" : NULL) {
		char side[1110];
		snprintf(side, sizeof side, "%s%s", tmp, ext);
		unlink(side);
	}
	return -1;
}

/* A bad argument: the reason into ERR, and -2 so the tool exits with usage status. */
static int __attribute__((format(printf, 3, 4)))
s_badarg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -2;
}

/* The arguments of node_init, checked before anything is made; a township's county key into CPK. */
static int
s_init_args(const struct node_init_args *a, uint8_t cpk[PUBKEY_BYTES], char *err, size_t errlen)
{
	if (a->role == ROLE_PROVINCE ? code_check_province(a->code, err, errlen) < 0
	    : a->role == ROLE_COUNTY ? code_check_county(a->code, err, errlen) < 0
	    : code_check_township(a->code, err, errlen) < 0)
		return -2;
	if (a->name == NULL || a->name[0] == '\0')
		return s_badarg(err, errlen, "--name is required");
	if (strlen(a->name) >= CONFIG_STR || strchr(a->name, '\n'))
		return s_badarg(err, errlen, "name \"%s\" is too long or has a line break", a->name);
	if (a->role == ROLE_TOWNSHIP) {
		if (a->county_key == NULL)
			return s_badarg(err, errlen, "a township needs --county-key HEX (the county's public key)");
		if (strlen(a->county_key) != 64 || hex_decode(cpk, PUBKEY_BYTES, a->county_key) < 0)
			return s_badarg(err, errlen, "county key \"%s\" is not 64 hex digits", a->county_key);
		if (a->hub == NULL)
			return s_badarg(err, errlen, "a township needs --hub tcp://HOST:PORT");
		if (strncmp(a->hub, "tcp://", 6) != 0 || strlen(a->hub) >= CONFIG_STR || !strchr(a->hub + 6, ':'))
			return s_badarg(err, errlen, "hub endpoint \"%s\" is not tcp://HOST:PORT", a->hub);
	}
	if (a->restore_from_hub && a->role != ROLE_TOWNSHIP)
		return s_badarg(err, errlen, "--restore-from-hub is for a township (a county is its own hub)");
	if (a->listen && (strncmp(a->listen, "tcp://", 6) != 0 || strlen(a->listen) >= CONFIG_STR))
		return s_badarg(err, errlen, "listen endpoint \"%s\" is not tcp://ADDR:PORT", a->listen);
	return 0;
}

/* DIR, made if need be, holds none of a node's files: init never overwrites one. */
static int
s_init_dir(const char *dir, char *err, size_t errlen)
{
	char path[1100];
	struct stat st;

	if (s_mkdirs(dir, err, errlen) < 0)
		return -1;
	for (const char *const *f = s_files; *f; f++) {
		if (s_join(path, sizeof path, dir, *f) < 0)
			return errf(err, errlen, "%s: path too long", dir);
		if (lstat(path, &st) == 0)
			return errf(err, errlen, "%s already exists: this directory holds a node; "
			    "nothing was changed", path);
	}
	return 0;
}

/* The lika.conf of the new node: its code, role and name, its hub, and the county key CPK. */
static void
s_init_config(struct config *c, const struct node_init_args *a, const uint8_t cpk[PUBKEY_BYTES])
{
	config_defaults(c);
	strcpy(c->code, a->code);
	c->role = a->role;
	strlcpy_checked(c->name, a->name, sizeof c->name);
	if (a->hub)
		strlcpy_checked(c->hub, a->hub, sizeof c->hub);
	if (a->listen)
		strlcpy_checked(c->listen, a->listen, sizeof c->listen);
	hex_encode(c->county_key, cpk, PUBKEY_BYTES);
}

/* The meta rows of the new ledger L: who the node is, its epoch, and a township's hold. */
static int
s_init_meta(struct ledger *l, const char *dir, const struct node_init_args *a,
    const uint8_t pk[PUBKEY_BYTES], const char *county_key, char *err, size_t errlen)
{
	char hex[2 * PUBKEY_BYTES + 1], epoch[EPOCH_HEX + 1];

	hex_encode(hex, pk, PUBKEY_BYTES);
	if (ledger_meta_set(l, "code", a->code, err, errlen) < 0 ||
	    ledger_meta_set(l, "role", role_name(a->role), err, errlen) < 0 ||
	    ledger_meta_set(l, "pubkey", hex, err, errlen) < 0 ||
	    ledger_meta_set(l, "county_key", county_key, err, errlen) < 0 ||
	    s_epoch_new(l, dir, epoch, err, errlen) < 0)
		return -1;
	if (a->restore_from_hub) {
		/* likad's pull-back of a township behind the hub lifts it (daemon/township.c) */
		char since[32], county[CODE_MAX];
		snprintf(since, sizeof since, "%" PRId64, now_ms());
		snprintf(county, sizeof county, "%.6s", a->code);
		if (ledger_meta_set(l, "hold_since", since, err, errlen) < 0 ||
		    ledger_meta_set(l, "hold_awaiting", county, err, errlen) < 0 ||
		    ledger_meta_set(l, "write_hold", NODE_HOLD_FROM_HUB, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* The ledger of the new node, created at DIR/lika.db with its files 0600 and its meta rows. */
static int
s_init_ledger(const char *dir, const struct node_init_args *a, const uint8_t pk[PUBKEY_BYTES],
    const char *county_key, char *err, size_t errlen)
{
	char path[1100];
	struct ledger *l = NULL;
	int rc = -1;

	s_join(path, sizeof path, dir, "lika.db");
	if (ledger_open(&l, path, LEDGER_CREATE, err, errlen) < 0)
		goto out;
	for (int i = 0; i < 3; i++) {
		s_join(path, sizeof path, dir, s_files[i]);
		if (chmod(path, 0600) != 0 && errno != ENOENT) {
			errf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
	}
	rc = s_init_meta(l, dir, a, pk, county_key, err, errlen);
out:
	ledger_close(&l);
	return rc;
}

/* What a failed node_init made goes: the key (MADE_KEY), the ledger and its epoch (MADE_DB). */
static void
s_init_undo(const char *dir, int made_key, int made_db)
{
	char path[1100];

	if (made_key && s_join(path, sizeof path, dir, "node.key") == 0)
		unlink(path);
	if (made_db && s_join(path, sizeof path, dir, NODE_EPOCH_FILE) == 0)
		unlink(path);
	if (made_db)
		for (int i = 0; i < 3; i++) {
			s_join(path, sizeof path, dir, s_files[i]);
			unlink(path);
		}
}

int
node_init(const char *dir, const struct node_init_args *a, char *err, size_t errlen)
{
	char keypath[1100], confpath[1100];
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], cpk[PUBKEY_BYTES];
	struct config c;
	int made_key = 0, made_db = 0, rc = -1;
	mode_t old_umask;

	if ((rc = s_init_args(a, cpk, err, errlen)) < 0)
		return rc;
	if (s_init_dir(dir, err, errlen) < 0)
		return -1;
	s_join(keypath, sizeof keypath, dir, "node.key");
	s_join(confpath, sizeof confpath, dir, "lika.conf");

	crypto_sign_keypair(pk, sk);
	if (a->role != ROLE_TOWNSHIP)
		memcpy(cpk, pk, sizeof cpk);    /* a hub is its own county (a province its own top) */
	s_init_config(&c, a, cpk);

	/*
	 * Every file of the node 0600 whatever the caller's umask: SQLite creates
	 * lika.db with 0644 less the umask, and its -wal and -shm files later with
	 * the mode of lika.db.  lika is single-threaded here: the umask is ours.
	 */
	old_umask = umask(077);
	rc = -1;
	if (key_write(keypath, sk, err, errlen) < 0)
		goto out;
	made_key = 1;
	made_db = 1;
	if (s_init_ledger(dir, a, pk, c.county_key, err, errlen) < 0 ||
	    config_write(&c, confpath, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	umask(old_umask);
	sodium_memzero(sk, sizeof sk);
	if (rc < 0)
		s_init_undo(dir, made_key, made_db);
	return rc;
}

int
node_open(struct node *n, const char *dir, int flags, void (*rules)(struct ledger *),
    char *err, size_t errlen)
{
	char path[1100], why[ERRBUF_SIZE], v[128];
	struct stat st;

	memset(n, 0, sizeof(*n));
	if (strlcpy_checked(n->dir, dir, sizeof n->dir) < 0)
		return errf(err, errlen, "%s: path too long", dir);
	if (stat(dir, &st) != 0)
		return errf(err, errlen, "%s: %s (no node here; run \"lika --data %s init\")", dir,
		    strerror(errno), dir);
	config_defaults(&n->conf);
	s_join(path, sizeof path, dir, "lika.conf");
	if (config_load(&n->conf, path, err, errlen) < 0)
		return -1;
	s_join(path, sizeof path, dir, "lika.db");
	if (stat(path, &st) != 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	if (ledger_open(&n->ledger, path, 0, err, errlen) < 0)
		return -1;
	if (ledger_set_synchronous(n->ledger, n->conf.synchronous, err, errlen) < 0)
		goto fail;
	if (ledger_meta_get(n->ledger, "code", v, sizeof v) < 0 || strcmp(v, n->conf.code) != 0) {
		errf(err, errlen, "%s: database belongs to node \"%s\", configuration says \"%s\"",
		    path, v, n->conf.code);
		goto fail;
	}
	if (ledger_meta_get(n->ledger, "county_key", v, sizeof v) < 0 ||
	    strcmp(v, n->conf.county_key) != 0) {
		errf(err, errlen, "%s: county key in lika.conf differs from the one the node was "
		    "created with", dir);
		goto fail;
	}
	strcpy(n->id.code, n->conf.code);
	if (n->conf.role != ROLE_TOWNSHIP)
		strcpy(n->id.county, n->conf.code);
	else
		snprintf(n->id.county, sizeof n->id.county, "%.6s", n->conf.code);
	hex_decode(n->id.county_pk, PUBKEY_BYTES, n->conf.county_key);
	/* the province: its key from [upstream] at a county, its own at the province */
	code_province_of(n->conf.code, n->id.province);
	if (n->conf.role == ROLE_PROVINCE) {
		memcpy(n->id.province_pk, n->id.county_pk, PUBKEY_BYTES);
		n->id.has_province_pk = 1;
	} else if (n->conf.province_key[0]) {
		hex_decode(n->id.province_pk, PUBKEY_BYTES, n->conf.province_key);
		n->id.has_province_pk = 1;
	}
	if (ledger_meta_get(n->ledger, "pubkey", v, sizeof v) < 0 ||
	    hex_decode(n->id.pk, PUBKEY_BYTES, v) < 0) {
		errf(err, errlen, "%s: database has no node public key", path);
		goto fail;
	}
	if (!(flags & NODE_READONLY)) {
		s_join(path, sizeof path, dir, "node.key");
		if (key_read(path, n->sk, why, sizeof why) < 0) {
			errf(err, errlen, "%s", why);
			goto fail;
		}
		if (sodium_memcmp(n->sk + crypto_sign_SEEDBYTES, n->id.pk, PUBKEY_BYTES) != 0) {
			errf(err, errlen, "%s: key does not belong to node \"%s\"", path, n->conf.code);
			goto fail;
		}
		n->has_key = 1;
	}
	ledger_set_identity(n->ledger, &n->id, n->has_key ? n->sk : NULL);
	if (s_epoch_check(n, err, errlen) < 0)
		goto fail;
	if (rules)
		rules(n->ledger);
	if (!(flags & NODE_READONLY) && ledger_apply_held(n->ledger, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	node_close(n);
	return -1;
}

void
node_close(struct node *n)
{
	ledger_close(&n->ledger);
	sodium_memzero(n->sk, sizeof n->sk);
	n->has_key = 0;
}
