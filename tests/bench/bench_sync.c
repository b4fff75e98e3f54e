/*
 * bench_sync.c — replication figures (make bench).
 *
 *  1. hub ingest: a township catches up 10,000 change sets of 10 ops each;
 *     change sets/s and rows/s at the hub, next to plain SQLite upserting the
 *     same rows (same transaction size, WAL, synchronous=FULL) in this run,
 *     and plain SQLite storing each change set's body beside its rows (the
 *     least a ledger writes); the hub loop's CPU apart from the signatures';
 *  2. latency: commit at the township → commit at the hub, median and p99;
 *  3. memory: the hub's RSS with 50 townships connected (50 CURVE DEALERs
 *     from this program, keys on the roster);
 *  4. 30 of them catch up 1,000 change sets each at once: time to store all,
 *     and the hub's peak RSS meanwhile.
 *
 * Runs the real likad ($LIKAD, default bin/likad) in a temporary directory.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "node.h"
#include "rules.h"
#include "schema.h"
#include "util.h"
#include "wire.h"

static uint64_t N_CS = 10000;         /* change sets of the catch-up: $BENCH_CS */
#define OPS_MAX   10
static int N_OPS = OPS_MAX;     /* ops a change set: $BENCH_OPS (1..10), 10 by default */
#define N_LAT     200
#define N_CLIENTS 50

static char s_dir[256];
static const char *s_likad;

static void
s_die(const char *what, const char *err)
{
	fprintf(stderr, "bench_sync: %s: %s\n", what, err);
	exit(1);
}

static int
s_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		s_die("port", strerror(errno));
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static pid_t
s_start(const char *dir)
{
	char log[512];
	pid_t p = fork();

	if (p == 0) {
		snprintf(log, sizeof log, "%s.log", dir);
		if (!freopen(log, "a", stderr))
			_exit(127);
		execl(s_likad, "likad", "--data", dir, "-f", (char *)NULL);
		_exit(127);
	}
	return p;
}

static void
s_stop(pid_t p)
{
	int st;

	kill(p, SIGTERM);
	waitpid(p, &st, 0);
}

static uint64_t
s_head(sqlite3 *db, const char *origin)
{
	sqlite3_stmt *st = NULL;
	uint64_t h = 0;

	if (sqlite3_prepare_v2(db, "SELECT head_seq FROM feed WHERE origin = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			h = (uint64_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return h;
}

static void
s_roster_add(struct node *county, const char *code, const uint8_t pk[PUBKEY_BYTES])
{
	char err[ERRBUF_SIZE];
	struct ops ops = OPS_INIT;
	struct colval cols[] = {
		COL_BLOB("pubkey", pk, PUBKEY_BYTES), COL_TEXT("name", code),
		COL_TEXT("role", "township"), COL_INT("removed", 0),
	};

	ops_init(&ops);
	ops_upsert(&ops, "roster_node", code, cols, 4);
	if (ledger_begin(county->ledger, err, sizeof err) < 0 ||
	    ledger_commit(county->ledger, &ops, NULL, err, sizeof err) < 0)
		s_die("roster", err);
	ops_release(&ops);
}

/* Row X: a village group, "VILLAGE/NN" (99,000 distinct keys, then updates). */
static void
s_row(const char *township, uint64_t x, char village[CODE_MAX], char key[32], char name[48])
{
	snprintf(village, CODE_MAX, "%s%03u", township, (unsigned)(x / 99 % 999 + 1));
	snprintf(key, 32, "%s/%02u", village, (unsigned)(x % 99 + 1));
	snprintf(name, 48, "group %" PRIu64, x);
}

/* One change set of N_OPS village-group upserts (the rows plain SQLite writes too). */
static void
s_write(struct node *t, uint64_t i)
{
	char err[ERRBUF_SIZE], village[OPS_MAX][CODE_MAX], key[OPS_MAX][32], name[OPS_MAX][48];
	struct ops ops = OPS_INIT;

	ops_init(&ops);
	for (int j = 0; j < N_OPS; j++) {
		s_row(t->conf.code, i * N_OPS + (uint64_t)j, village[j], key[j], name[j]);
		struct colval cols[] = { COL_TEXT("village", village[j]), COL_TEXT("name", name[j]) };
		ops_upsert(&ops, "village_group", key[j], cols, 2);
	}
	if (ledger_begin(t->ledger, err, sizeof err) < 0 ||
	    ledger_commit(t->ledger, &ops, NULL, err, sizeof err) < 0)
		s_die("write", err);
	ops_release(&ops);
}

/*
 * Plain SQLite: the same rows, upserted in transactions of TXROWS rows.  With
 * BODY (bytes), each change set's N_OPS rows also insert one row of that many
 * bytes, as a ledger must store the change set itself: the least any ledger
 * writes for the same rows.
 */
static double
s_plain(const char *code, int txrows, size_t body)
{
	char path[512], village[CODE_MAX], key[32], name[48];
	static uint8_t blob[4096];
	sqlite3 *db;
	sqlite3_stmt *st, *cs = NULL;

	snprintf(path, sizeof path, "%s/plain%zu.db", s_dir, body);
	sync();     /* what the hub left for the disk is not written during this run */
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE village_group (id TEXT PRIMARY KEY NOT NULL, village TEXT, name TEXT);"
	    "CREATE INDEX village_group_ix0 ON village_group (village);"
	    "CREATE TABLE changeset (origin TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL,"
	    "  PRIMARY KEY (origin, seq))", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO village_group (id, village, name) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (id) DO UPDATE SET village = excluded.village, name = excluded.name", -1, &st, NULL);
	if (body)
		sqlite3_prepare_v2(db, "INSERT INTO changeset (origin, seq, body) VALUES (?1, ?2, ?3)", -1,
		    &cs, NULL);
	randombytes_buf(blob, sizeof blob);
	if (body > sizeof blob)
		body = sizeof blob;
	int64_t t0 = mono_ms();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (uint64_t x = 0; x < (uint64_t)N_CS * N_OPS; x++) {
		s_row(code, x, village, key, name);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, village, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (cs && x % (uint64_t)N_OPS == 0) {
			sqlite3_bind_text(cs, 1, code, -1, SQLITE_STATIC);
			sqlite3_bind_int64(cs, 2, (int64_t)(x / (uint64_t)N_OPS + 1));
			sqlite3_bind_blob(cs, 3, blob, (int)body, SQLITE_STATIC);
			sqlite3_step(cs);
			sqlite3_reset(cs);
		}
		if ((x + 1) % (uint64_t)txrows == 0)
			sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	int64_t ms = mono_ms() - t0;
	sqlite3_finalize(st);
	sqlite3_finalize(cs);
	sqlite3_close(db);
	return ms > 0 ? (double)N_CS * N_OPS * 1000.0 / (double)ms : 0;
}

/* The average size of ORIGIN's change set bodies at the hub. */
static size_t
s_body_bytes(sqlite3 *db, const char *origin)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	if (sqlite3_prepare_v2(db, "SELECT avg(length(body)) FROM changeset WHERE origin = ?1", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = (size_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return n;
}

static long
s_rss_kb(pid_t p)
{
	char path[64], line[256];
	long kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)p);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* CPU milliseconds (user + system) process P has used. */
/* CPU ms of process P, or of its main thread alone (MAIN): the loop that stores */
static int64_t
s_cpu_of(pid_t p, int main)
{
	char path[64], buf[1024];
	unsigned long ut = 0, st = 0;

	if (main)
		snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)p, (int)p);
	else
		snprintf(path, sizeof path, "/proc/%d/stat", (int)p);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *q = strrchr(buf, ')');
	if (!q || sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (int64_t)(ut + st) * 1000 / sysconf(_SC_CLK_TCK);
}

static int64_t
s_cpu_ms(pid_t p)
{
	return s_cpu_of(p, 0);
}

static int
s_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Client I of the memory figure catches up: FANIN_CS change sets of its own
 * feed (N_OPS village-group upserts each, signed with its key and chained),
 * sent at once in batches of FANIN_BATCH, as a township back from a week
 * offline would.
 */
#define FANIN_CLIENTS 30
#define FANIN_CS      1000
#define FANIN_BATCH   250
static void
s_fanin_send(void *sock, int i, const uint8_t pk[PUBKEY_BYTES], const uint8_t sk[SECKEY_BYTES])
{
	static msgpack_sbuffer bodies[FANIN_BATCH];
	static uint8_t sigs[FANIN_BATCH][SIG_BYTES];
	struct wire_cs cs[FANIN_BATCH];
	struct changeset_header h;
	uint8_t prev[HASH_BYTES] = { 0 };
	char code[CODE_MAX];

	snprintf(code, sizeof code, "110101%03d", 100 + i);
	for (int from = 0; from < FANIN_CS; from += FANIN_BATCH) {
		for (int j = 0; j < FANIN_BATCH; j++) {
			struct ops ops = OPS_INIT;
			char village[CODE_MAX], key[32], name[48];
			ops_init(&ops);
			for (int k = 0; k < N_OPS; k++) {
				s_row(code, (uint64_t)(from + j) * (uint64_t)N_OPS + (uint64_t)k, village, key, name);
				struct colval cols[] = { COL_TEXT("village", village), COL_TEXT("name", name) };
				ops_upsert(&ops, "village_group", key, cols, 2);
			}
			memset(&h, 0, sizeof h);
			h.format = CHANGESET_FORMAT;
			snprintf(h.origin, sizeof h.origin, "%s", code);
			h.seq = (uint64_t)(from + j + 1);
			memcpy(h.prev, prev, HASH_BYTES);
			h.hlc = ((uint64_t)now_ms() << 16) + h.seq;
			h.schema = SCHEMA_VERSION;
			memcpy(h.author, pk, PUBKEY_BYTES);
			h.nops = ops.n;
			changeset_encode(&bodies[j], &h, &ops);
			ops_release(&ops);
			changeset_sign(sigs[j], bodies[j].data, bodies[j].size, sk);
			changeset_id(prev, bodies[j].data, bodies[j].size);
			cs[j] = (struct wire_cs){ (const uint8_t *)bodies[j].data, bodies[j].size, sigs[j], SIG_BYTES };
		}
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		wire_encode_changesets(&sb, code, cs, FANIN_BATCH);
		zmq_send(sock, sb.data, sb.size, 0);
		msgpack_sbuffer_destroy(&sb);
		for (int j = 0; j < FANIN_BATCH; j++)
			msgpack_sbuffer_destroy(&bodies[j]);
	}
}

static long
s_hwm_kb(pid_t p)
{
	char path[64], line[256];
	long kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)p);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void
s_cleanup(void)
{
	char cmd[400];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_sync: could not remove %s\n", s_dir);
}

/* The keys of the 50 more townships on the roster (figures 3 and 4). */
static uint8_t s_cpk[N_CLIENTS][PUBKEY_BYTES], s_csk[N_CLIENTS][SECKEY_BYTES];

/* A county (HEX: its key) and township 1 with N_CS change sets written, in CDIR and TDIR. */
static void
s_setup(const char *listen, const char *cdir, const char *tdir, struct node *town, char hex[65])
{
	char err[ERRBUF_SIZE];
	struct node county;

	struct node_init_args ca = { .role = ROLE_COUNTY, .code = "110101", .name = "bench county", .listen = listen };
	if (node_init(cdir, &ca, err, sizeof err) < 0 || node_open(&county, cdir, 0, rules_attach, err, sizeof err) < 0)
		s_die("county", err);
	hex_encode(hex, county.id.pk, PUBKEY_BYTES);
	struct node_init_args ta = { .role = ROLE_TOWNSHIP, .code = "110101001", .name = "bench township",
	    .county_key = hex, .hub = listen };
	if (node_init(tdir, &ta, err, sizeof err) < 0 || node_open(town, tdir, 0, rules_attach, err, sizeof err) < 0)
		s_die("township", err);
	s_roster_add(&county, "110101001", town->id.pk);
	/* 50 more townships: keys on the roster, for the memory figure */
	for (int i = 0; i < N_CLIENTS; i++) {
		char code[CODE_MAX];
		crypto_sign_keypair(s_cpk[i], s_csk[i]);
		snprintf(code, sizeof code, "110101%03d", 100 + i);
		s_roster_add(&county, code, s_cpk[i]);
	}
	node_close(&county);

	printf("bench_sync: writing %" PRIu64 " change sets of %d ops at the township ...\n", N_CS, N_OPS);
	sqlite3_exec(ledger_db(town->ledger), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	for (uint64_t i = 0; i < N_CS; i++)
		s_write(town, i);
	sqlite3_exec(ledger_db(town->ledger), "PRAGMA synchronous=FULL", NULL, NULL, NULL);
}

/*
 * When the hub opened TOWNSHIP's session (WELCOME sent: its peer row's
 * since_ms, wall clock), 0 if its row does not say within 3 s.
 */
static int64_t
s_session_since(sqlite3 *db, const char *township)
{
	sqlite3_stmt *st = NULL;
	int64_t since = 0;

	for (int i = 0; i < 300 && since == 0; i++) {
		if (sqlite3_prepare_v2(db, "SELECT max(since_ms) FROM peer WHERE peer = ?1 AND connected = 1",
		    -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, township, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW)
				since = sqlite3_column_int64(st, 0);
		}
		sqlite3_finalize(st);
		st = NULL;
		if (since == 0)
			usleep(10000);
	}
	return since;
}

/*
 * 1. ingest: township TDIR (started here, *TP) catches up with hub HP;
 * figures printed.  BATCH_BYTES: the township's [sync] batch_bytes.
 */
static void
s_ingest(pid_t hp, const char *tdir, sqlite3 *hubdb, pid_t *tp, size_t batch_bytes)
{
	sync();     /* nor what writing the township's feed left, during the catch-up */
	int64_t t0 = mono_ms(), cpu0 = s_cpu_ms(hp), started = t0;

	*tp = s_start(tdir);
	/* the clock starts with the first change set stored: start-up and handshake are not ingest */
	while (s_head(hubdb, "110101001") < 1) {
		if (mono_ms() - t0 > 60000)
			s_die("ingest", "no change set arrived");
		usleep(1000);
	}
	int64_t first = s_head(hubdb, "110101001");
	t0 = mono_ms();
	cpu0 = s_cpu_ms(hp);
	int64_t loop0 = s_cpu_of(hp, 1);
	while (s_head(hubdb, "110101001") < N_CS) {
		if (mono_ms() - t0 > 120000)
			s_die("ingest", "timed out");
		usleep(2000);
	}
	int64_t ingest_ms = mono_ms() - t0, whole_ms = mono_ms() - started, done = now_ms();
	int64_t hub_cpu = s_cpu_ms(hp) - cpu0, town_cpu = s_cpu_ms(*tp), loop_cpu = s_cpu_of(hp, 1) - loop0;
	double cs_s = (double)(N_CS - first) * 1000.0 / (double)ingest_ms;
	double rows_s = cs_s * N_OPS;
	/*
	 * The hub commits one batch a transaction: batch_bytes of bodies (the
	 * first ones of a session less, sync.c), at most 4096 change sets.
	 */
	size_t body = s_body_bytes(hubdb, "110101001");
	int64_t tx = body ? (int64_t)((batch_bytes + body - 1) / body) : 4096;
	if (tx > 4096)
		tx = 4096;
	double plain = s_plain("110101001", (int)tx * N_OPS, 0);
	double ledger = s_plain("110101001", (int)tx * N_OPS, body);
	printf("hub ingest:  %" PRId64 " change sets (%" PRId64 " rows) in %" PRId64 " ms after the first "
	    "arrived: %.0f change sets/s, %.0f rows/s\n", N_CS - first, (N_CS - first) * N_OPS,
	    ingest_ms, cs_s, rows_s);
	int64_t since = s_session_since(hubdb, "110101001");
	if (since > 0 && done > since)
		printf("  from the session's start (WELCOME sent) to everything held: %" PRId64 " ms for all "
		    "%" PRIu64 ": %.0f change sets/s\n", done - since, N_CS,
		    (double)N_CS * 1000.0 / (double)(done - since));
	printf("  everything held %" PRId64 " ms after the township started (start-up and handshake "
	    "included)\n", whole_ms);
	printf("  CPU during the catch-up: hub %" PRId64 " ms (its loop %" PRId64 " ms, the rest signature "
	    "checks), township %" PRId64 " ms\n", hub_cpu, loop_cpu, town_cpu);
	printf("plain SQLite, same rows, same transaction size (%" PRId64 " change sets): %.0f rows/s; "
	    "hub/plain = %.2f\n", tx,
	    plain, plain > 0 ? rows_s / plain : 0);
	printf("plain SQLite, the same plus each change set's body as a row: %.0f rows/s; hub/that = %.2f\n",
	    ledger, ledger > 0 ? rows_s / ledger : 0);
}

/* 2. latency: commit at the township → commit at the hub */
static void
s_latency(struct node *town, sqlite3 *hubdb)
{
	static int64_t lat[N_LAT], own[N_LAT];

	sqlite3_exec(ledger_db(town->ledger), "PRAGMA synchronous=FULL", NULL, NULL, NULL);
	for (int i = 0; i < N_LAT; i++) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		int64_t a = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		s_write(town, N_CS + (uint64_t)i);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		own[i] = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - a;
		while (s_head(hubdb, "110101001") < (uint64_t)(N_CS + i + 1))
			usleep(200);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		lat[i] = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - a;
		usleep((useconds_t)(5000 + randombytes_uniform(100000)));  /* not in step with the 100 ms tick */
	}
	qsort(lat, N_LAT, sizeof lat[0], s_cmp);
	qsort(own, N_LAT, sizeof own[0], s_cmp);
	printf("latency township commit -> hub commit (%d samples): median %.1f ms, p99 %.1f ms\n",
	    N_LAT, lat[N_LAT / 2] / 1000.0, lat[N_LAT * 99 / 100] / 1000.0);
	printf("  of which the clerk's commit at the township: median %.1f ms, p99 %.1f ms\n",
	    own[N_LAT / 2] / 1000.0, own[N_LAT * 99 / 100] / 1000.0);
}

/* 3. N_CLIENTS CURVE DEALERs (SOCKS, in CTX) say HELLO to the hub at LISTEN; how many welcomed. */
static int
s_clients(void *ctx, const char *listen, const char *hex, void *socks[N_CLIENTS])
{
	char err[ERRBUF_SIZE], server[41], pk[41], sk[41];
	uint8_t c[32], countypk[PUBKEY_BYTES];
	int welcomed = 0;

	hex_decode(countypk, PUBKEY_BYTES, hex);
	if (crypto_sign_ed25519_pk_to_curve25519(c, countypk) != 0)
		s_die("key", "county");
	zmq_z85_encode(server, c, 32);
	for (int i = 0; i < N_CLIENTS; i++) {
		char code[CODE_MAX];
		msgpack_sbuffer sb;
		socks[i] = zmq_socket(ctx, ZMQ_DEALER);
		if (crypto_sign_ed25519_pk_to_curve25519(c, s_cpk[i]) != 0)
			s_die("key", "client");
		zmq_z85_encode(pk, c, 32);
		crypto_sign_ed25519_sk_to_curve25519(c, s_csk[i]);
		zmq_z85_encode(sk, c, 32);
		int linger = 0;
		zmq_setsockopt(socks[i], ZMQ_LINGER, &linger, sizeof linger);
		zmq_setsockopt(socks[i], ZMQ_CURVE_SERVERKEY, server, 40);
		zmq_setsockopt(socks[i], ZMQ_CURVE_PUBLICKEY, pk, 40);
		zmq_setsockopt(socks[i], ZMQ_CURVE_SECRETKEY, sk, 40);
		zmq_connect(socks[i], listen);
		snprintf(code, sizeof code, "110101%03d", 100 + i);
		msgpack_sbuffer_init(&sb);
		wire_encode_hello(&sb, code, SCHEMA_VERSION, NULL, 0, NULL, 0);
		zmq_send(socks[i], sb.data, sb.size, 0);
		msgpack_sbuffer_destroy(&sb);
	}
	for (int i = 0; i < N_CLIENTS; i++) {
		zmq_pollitem_t it = { socks[i], 0, ZMQ_POLLIN, 0 };
		while (zmq_poll(&it, 1, 5000) > 0) {
			zmq_msg_t m;
			struct wire_msg w;
			zmq_msg_init(&m);
			zmq_msg_recv(&m, socks[i], 0);
			if (wire_decode(&w, zmq_msg_data(&m), zmq_msg_size(&m), err, sizeof err) == 0) {
				if (w.type == WIRE_WELCOME)
					welcomed++;
				wire_msg_release(&w);
			}
			zmq_msg_close(&m);
			if (zmq_poll(&it, 1, 50) <= 0)
				break;
		}
	}
	return welcomed;
}

/* 4. memory and ingest with 30 townships catching up at once */
static void
s_fanin(pid_t hp, sqlite3 *hubdb, void *socks[N_CLIENTS])
{
	long hwm0 = s_hwm_kb(hp), peak = 0;
	int64_t f0 = mono_ms();

	for (int i = 0; i < FANIN_CLIENTS; i++)
		s_fanin_send(socks[i], i, s_cpk[i], s_csk[i]);
	for (int i = 0; i < FANIN_CLIENTS; i++) {
		char code[CODE_MAX];
		snprintf(code, sizeof code, "110101%03d", 100 + i);
		while (s_head(hubdb, code) < FANIN_CS) {
			long r = s_rss_kb(hp);
			if (r > peak)
				peak = r;
			if (mono_ms() - f0 > 300000)
				s_die("fan-in", "timed out");
			usleep(5000);
		}
	}
	int64_t fanin_ms = mono_ms() - f0;
	printf("%d townships catching up %d change sets each at once: all stored in %" PRId64 " ms "
	    "(%.0f change sets/s); hub RSS peak %ld KiB (VmHWM %ld KiB, %ld KiB before)\n",
	    FANIN_CLIENTS, FANIN_CS, fanin_ms, (double)FANIN_CLIENTS * FANIN_CS * 1000.0 / (double)fanin_ms,
	    peak, s_hwm_kb(hp), hwm0);
}

int
main(void)
{
	char listen[64], hub[64], hex[65], tdir[300], cdir[300];
	struct node town;
	sqlite3 *hubdb;
	pid_t hp, tp;

	if (!(s_likad = getenv("LIKAD")))
		s_likad = "bin/likad";
	if (getenv("BENCH_CS") && (N_CS = strtoull(getenv("BENCH_CS"), NULL, 10)) < 2048)
		N_CS = 2048;
	if (getenv("BENCH_OPS") && (N_OPS = atoi(getenv("BENCH_OPS"))) < 1)
		N_OPS = 1;
	if (N_OPS > OPS_MAX)
		N_OPS = OPS_MAX;
	/* $BENCH_INGEST_ONLY: the ingest figure alone (make bench-peers) */
	int ingest_only = getenv("BENCH_INGEST_ONLY") != NULL;
	if (access(s_likad, X_OK) != 0)
		s_die(s_likad, "not executable (make first)");
	snprintf(s_dir, sizeof s_dir, "%s/lika-bench.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(s_dir))
		s_die("mkdtemp", strerror(errno));
	snprintf(listen, sizeof listen, "tcp://127.0.0.1:%d", s_free_port());
	snprintf(cdir, sizeof cdir, "%s/county", s_dir);
	snprintf(tdir, sizeof tdir, "%s/t1", s_dir);
	s_setup(listen, cdir, tdir, &town, hex);

	hp = s_start(cdir);
	snprintf(hub, sizeof hub, "%s/lika.db", cdir);
	if (sqlite3_open_v2(hub, &hubdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		s_die("hub db", sqlite3_errmsg(hubdb));
	sqlite3_busy_timeout(hubdb, 5000);
	usleep(300 * 1000);
	s_ingest(hp, tdir, hubdb, &tp, town.conf.batch_bytes);
	if (ingest_only) {
		s_stop(tp);
		s_stop(hp);
		node_close(&town);
		sqlite3_close(hubdb);
		s_cleanup();
		return 0;
	}
	s_latency(&town, hubdb);
	s_stop(tp);
	node_close(&town);

	long rss0 = s_rss_kb(hp);
	void *ctx = zmq_ctx_new();
	static void *socks[N_CLIENTS];
	int welcomed = s_clients(ctx, listen, hex, socks);
	usleep(500 * 1000);
	printf("hub RSS: %ld KiB idle after the catch-up, %ld KiB with %d townships connected "
	    "(%d welcomed)\n", rss0, s_rss_kb(hp), N_CLIENTS, welcomed);
	s_fanin(hp, hubdb, socks);
	for (int i = 0; i < N_CLIENTS; i++)
		zmq_close(socks[i]);
	zmq_ctx_term(ctx);
	s_stop(hp);
	sqlite3_close(hubdb);
	s_cleanup();
	return welcomed == N_CLIENTS ? 0 : 1;
}
