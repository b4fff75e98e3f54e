/*
 * bench_ledger.c — change sets committed per second (1-op and 100-op) against
 * plain SQLite inserting the same rows in the same run, same settings (WAL,
 * synchronous=FULL).  Prints figures and ratios; asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "rules.h"
#include "util.h"

#define TOWN "522601100"

static char s_dir[64];

static double
s_secs(int64_t t0)
{
	return (double)(mono_ms() - t0) / 1000.0;
}

/* Plain SQLite: NROWS rows in transactions of PER rows. */
static double
s_plain(const char *name, int nrows, int per)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(path, sizeof path, "%s/%s", s_dir, name);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		exit(1);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE village (id TEXT PRIMARY KEY, name TEXT)", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO village (id, name) VALUES (?1, ?2) ON CONFLICT (id) "
	    "DO UPDATE SET name = excluded.name", -1, &st, NULL);
	int64_t t0 = mono_ms();
	for (int i = 0; i < nrows; i += per) {
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		for (int j = i; j < i + per; j++) {
			char key[32], v[32];
			snprintf(key, sizeof key, TOWN "%09d", j);
			snprintf(v, sizeof v, "村%d", j);
			sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
			sqlite3_step(st);
			sqlite3_reset(st);
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	double s = s_secs(t0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return nrows / s;
}

/* A valid resident ID number (GB 11643) for person N. */
static void
s_idcard(char out[19], int n)
{
	static const int w[] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0;

	snprintf(out, 19, "5226011970%02d%02d%03d", 1 + n / 28 % 12, 1 + n % 28, 100 + n % 900);
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

/* Ops for rows I … I+PER-1: village rows, or household files (a household and its head). */
static void
s_rows(struct ops *ops, int i, int per, int households)
{
	for (int j = i; j < i + per; j++) {
		char key[32], v[32], id[19];
		if (!households) {
			snprintf(key, sizeof key, TOWN "%09d", j);
			snprintf(v, sizeof v, "村%d", j);
			struct colval c[] = { COL_TEXT("name", v) };
			ops_upsert(ops, "village", key, c, 1);
			continue;
		}
		snprintf(key, sizeof key, TOWN "%06d", j / 2 + 1);
		if (j % 2 == 0) {
			struct colval c[] = { COL_TEXT("village", TOWN "001"), COL_TEXT("address", "一组"),
				COL_TEXT("attribute", "01"), COL_TEXT("status", "01") };
			ops_upsert(ops, "household", key, c, 4);
		} else {
			char mkey[40];
			s_idcard(id, j / 2);
			snprintf(mkey, sizeof mkey, "%s/01", key);
			struct colval c[] = { COL_TEXT("household", key), COL_TEXT("name", "张三"),
				COL_TEXT("idcard", id), COL_TEXT("sex", (id[16] - '0') % 2 ? "01" : "02"),
				COL_TEXT("relation", "01"), COL_TEXT("ethnicity", "01") };
			ops_upsert(ops, "member", mkey, c, 6);
		}
	}
}

/*
 * The ledger: NROWS rows in change sets of PER ops each; HOUSEHOLDS: household
 * files instead of villages; RULES: with the domain's rules on apply.
 */
static double
s_ledger_rows(const char *name, int nrows, int per, int households, int rules)
{
	char path[128], err[ERRBUF_SIZE];
	struct ledger *l;
	struct ledger_identity id;
	uint8_t sk[SECKEY_BYTES];

	snprintf(path, sizeof path, "%s/%s", s_dir, name);
	if (ledger_open(&l, path, LEDGER_CREATE, err, sizeof err) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	memset(&id, 0, sizeof id);
	strcpy(id.code, TOWN);
	strcpy(id.county, "522601");
	crypto_sign_keypair(id.pk, sk);
	ledger_set_identity(l, &id, sk);
	if (rules)
		rules_attach(l);
	int64_t t0 = mono_ms();
	for (int i = 0; i < nrows; i += per) {
		struct ops ops = OPS_INIT;
		ops_init(&ops);
		s_rows(&ops, i, per, households);
		if (ledger_begin(l, err, sizeof err) < 0 || ledger_commit(l, &ops, NULL, err, sizeof err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			exit(1);
		}
		ops_release(&ops);
	}
	double s = s_secs(t0);
	ledger_close(&l);
	return nrows / s;
}

static double
s_ledger(const char *name, int nrows, int per)
{
	return s_ledger_rows(name, nrows, per, 0, 0);
}

static double
s_sign_rate(int n)
{
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES], sig[SIG_BYTES], body[300] = { 1 };

	crypto_sign_keypair(pk, sk);
	int64_t t0 = mono_ms();
	for (int i = 0; i < n; i++) {
		body[0] = (uint8_t)i;
		changeset_sign(sig, body, sizeof body, sk);
	}
	return n / s_secs(t0);
}

int
main(void)
{
	char cmd[128];

	if (sodium_init() < 0)
		return 1;
	strcpy(s_dir, "/tmp/lika-bench-XXXXXX");
	if (!mkdtemp(s_dir))
		return 1;

	printf("== ledger: change sets vs plain SQLite (WAL, synchronous=FULL) ==\n");
	double p1 = s_plain("plain1.db", 2000, 1);
	double l1 = s_ledger("ledger1.db", 2000, 1);
	printf("1-op:    ledger %8.0f change sets/s   plain SQLite %8.0f rows/s (1 row/commit)   ratio %.2f\n",
	    l1, p1, l1 / p1);
	double p100 = s_plain("plain100.db", 100000, 100);
	double l100 = s_ledger("ledger100.db", 100000, 100);
	printf("100-op:  ledger %8.0f change sets/s = %8.0f rows/s   plain SQLite %8.0f rows/s (100 rows/commit)   ratio %.2f\n",
	    l100 / 100, l100, p100, l100 / p100);
	double hn = s_ledger_rows("files-norules.db", 100000, 100, 1, 0);
	double hr = s_ledger_rows("files-rules.db", 100000, 100, 1, 1);
	printf("100-op household files (household + head rows): without rules %8.0f rows/s, with the "
	    "rules on apply %8.0f rows/s   ratio %.2f\n", hn, hr, hr / hn);
	double sr = s_sign_rate(20000);
	printf("signing alone: %.0f change sets/s (so 1-op commits are bound by commit latency: %.0f us/commit vs %.0f us/signature)\n",
	    sr, 1e6 / l1, 1e6 / sr);
	snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
	return system(cmd) == 0 ? 0 : 1;
}
