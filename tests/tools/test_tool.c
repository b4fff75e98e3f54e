/*
 * test_tool.c — `test-tool`: helpers the system tests call as
 * "$LIKA_UNIT/test-tool"; built into build/…/tests/, never installed.
 *
 *   test-tool write DIR N [OPS]    N change sets of OPS village upserts each (at the county:
 *                                  policy rows), one process
 *   test-tool inject DIR KIND...   speak the wire to the hub with the key of the node in
 *                                  DIR and send a bad message: badsig, badchain, foreign,
 *                                  malformed (a change set that does not decode),
 *                                  garbage (a frame that is not msgpack),
 *                                  gap (a change set two beyond the hub's head),
 *                                  nils (the largest frame allowed, an array of nils),
 *                                  unpublished (seq 1 of township CODE199 of the
 *                                  county in DIR, signed by a key no roster names);
 *                                  a county node speaks to its province hub ([upstream])
 *   test-tool strangers DIR N SECS N connections to the hub of the township in DIR, each
 *                                  with a new random CURVE key (none on the roster),
 *                                  held SECS seconds
 *   test-tool rawkey FILE          an official's key as lika wrote it before passphrases
 *                                  (64 raw bytes, 0600); prints the public key in hex
 *   test-tool keyfile-open FILE    open a sealed key file with the passphrase on stdin
 *                                  (one line); prints the secret key (seed || pk) in hex
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "keyfile.h"
#include "node.h"
#include "rules.h"
#include "schema.h"
#include "util.h"
#include "wire.h"

#define EXIT_OK     0
#define EXIT_FAIL   1
#define EXIT_USAGE  2

/* Print "test-tool CMD: message" to stderr; return STATUS. */
static int __attribute__((format(printf, 3, 4)))
s_fail(int status, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "test-tool %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* Open the node in DIR with its key and the domain's rules, as lika does. */
static int
s_open(struct node *n, const char *dir, const char *cmd)
{
	char err[ERRBUF_SIZE];

	if (node_open(n, dir, 0, rules_attach, err, sizeof err) < 0)
		return s_fail(-1, cmd, "%s", err);
	return 0;
}

/* ---- write -------------------------------------------------------------------------- */

/* Commit change set I of OPS village upserts numbered on from BASE. */
static int
s_write_one(struct node *n, uint64_t base, long i, long nops, struct ledger_written *w,
    char *err, size_t errlen)
{
	char key[CODE_MAX], name[64];
	struct ops ops = OPS_INIT;

	ops_init(&ops);
	for (long j = 0; j < nops; j++) {
		uint64_t x = (base + (uint64_t)i) * (uint64_t)nops + (uint64_t)j;
		if (n->conf.role == ROLE_COUNTY) {
			/* the county writes policy rows: "test_N/2020" */
			snprintf(key, sizeof key, "test_%u/2020", (unsigned)(x % 1000));
			snprintf(name, sizeof name, "%" PRIu64, x);
			struct colval pc[] = { COL_TEXTN("name", key, strcspn(key, "/")),
				COL_INT("year", 2020), COL_TEXT("value", name) };
			ops_upsert(&ops, "policy", key, pc, 3);
			continue;
		}
		snprintf(key, sizeof key, "%s%03u", n->conf.code, (unsigned)(x % 1000));
		snprintf(name, sizeof name, "测试村%" PRIu64, x);
		struct colval cols[] = { COL_TEXT("name", name) };
		ops_upsert(&ops, "village", key, cols, 1);
	}
	int rc = ledger_begin(n->ledger, err, errlen);
	if (rc == 0)
		rc = ledger_commit(n->ledger, &ops, w, err, errlen);
	ops_release(&ops);
	return rc;
}

static int
s_write(int argc, char **argv)
{
	char err[ERRBUF_SIZE];
	struct node n;
	struct ledger_written w = { 0 };
	uint64_t base;
	uint8_t id[HASH_BYTES];

	if (argc < 3 || argc > 4)
		return s_fail(EXIT_USAGE, "write", "usage: test-tool write DIR N [OPS]");
	long count = atol(argv[2]), nops = argc == 4 ? atol(argv[3]) : 1;
	if (count <= 0 || nops <= 0 || nops > 1000)
		return s_fail(EXIT_USAGE, "write", "N > 0 and 1 <= OPS <= 1000");
	if (s_open(&n, argv[1], "write") < 0)
		return EXIT_FAIL;
	sqlite3_exec(ledger_db(n.ledger), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	ledger_feed_head(n.ledger, n.conf.code, &base, id);
	for (long i = 0; i < count; i++)
		if (s_write_one(&n, base, i, nops, &w, err, sizeof err) < 0) {
			node_close(&n);
			return s_fail(EXIT_FAIL, "write", "after %ld: %s", i, err);
		}
	printf("wrote %ld change sets, head %" PRIu64 "\n", count, w.seq);
	node_close(&n);
	return EXIT_OK;
}

/* ---- inject ------------------------------------------------------------------------- */

/* Receive one message within MS; 0 and decoded into M, or -1. */
static int
s_recv(void *sock, int ms, zmq_msg_t *frame, struct wire_msg *m)
{
	zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
	char err[256];

	if (zmq_poll(&it, 1, ms) <= 0)
		return -1;
	zmq_msg_init(frame);
	if (zmq_msg_recv(frame, sock, 0) < 0 ||
	    wire_decode(m, zmq_msg_data(frame), zmq_msg_size(frame), err, sizeof err) < 0) {
		zmq_msg_close(frame);
		return -1;
	}
	return 0;
}

/* A DEALER socket to the hub, speaking CURVE with the node's key; NULL if a key is bad. */
static void *
s_connect(struct node *n, void *ctx)
{
	char pk[41], sk[41], server[41];
	uint8_t c[32], county[PUBKEY_BYTES];

	if (crypto_sign_ed25519_pk_to_curve25519(c, n->id.pk) != 0) {
		s_fail(EXIT_FAIL, "inject", "bad node key");
		return NULL;
	}
	zmq_z85_encode(pk, c, 32);
	crypto_sign_ed25519_sk_to_curve25519(c, n->sk);
	zmq_z85_encode(sk, c, 32);
	/* a county speaks to its province hub, a township to its county hub */
	int up = n->conf.role == ROLE_COUNTY;
	hex_decode(county, PUBKEY_BYTES, up ? n->conf.province_key : n->conf.county_key);
	if (crypto_sign_ed25519_pk_to_curve25519(c, county) != 0) {
		s_fail(EXIT_FAIL, "inject", "bad county key");
		return NULL;
	}
	zmq_z85_encode(server, c, 32);

	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 500;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, 40);
	zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pk, 40);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sk, 40);
	zmq_connect(s, up ? n->conf.up_hub : n->conf.hub);
	return s;
}

/* Say HELLO and read the hub's head of our feed from its WELCOME; 0 or -1. */
static int
s_hello(struct node *n, void *s, msgpack_sbuffer *sb, uint64_t *hub_seq, uint8_t *hub_id)
{
	zmq_msg_t frame;
	struct wire_msg m;
	struct wire_head mine;

	memset(&mine, 0, sizeof mine);
	snprintf(mine.origin, sizeof mine.origin, "%s", n->conf.code);
	ledger_feed_head(n->ledger, n->conf.code, &mine.seq, mine.id);
	wire_encode_hello(sb, n->conf.code, SCHEMA_VERSION, &mine, 1, NULL, 0);
	zmq_send(s, sb->data, sb->size, 0);
	if (s_recv(s, 5000, &frame, &m) < 0)
		return -1;
	if (m.type != WIRE_WELCOME) {
		wire_msg_release(&m);
		zmq_msg_close(&frame);
		return -1;
	}
	for (size_t i = 0; i < m.nheads; i++)
		if (strcmp(m.heads[i].origin, n->conf.code) == 0) {
			*hub_seq = m.heads[i].seq;
			memcpy(hub_id, m.heads[i].id, HASH_BYTES);
		}
	wire_msg_release(&m);
	zmq_msg_close(&frame);
	return 0;
}

static int
s_known_kind(const char *kind)
{
	static const char *const kinds[] = {
		"badsig", "badchain", "foreign", "malformed", "gap", "garbage", "nils", "unpublished",
		NULL,
	};

	for (const char *const *k = kinds; *k; k++)
		if (strcmp(kind, *k) == 0)
			return 1;
	return 0;
}

/*
 * Into SB: the message of KIND, a change set following the hub's head
 * (HUB_SEQ, HUB_ID) spoilt as KIND says, or a frame that is not msgpack.
 */
static void
s_forge(struct node *n, const char *kind, uint64_t hub_seq, const uint8_t *hub_id,
    msgpack_sbuffer *sb)
{
	struct changeset_header h;
	struct ops ops = OPS_INIT;
	msgpack_sbuffer body;
	uint8_t sig[SIG_BYTES];
	char key[CODE_MAX];

	memset(&h, 0, sizeof h);
	h.format = CHANGESET_FORMAT;
	snprintf(h.origin, sizeof h.origin, "%s", n->conf.code);
	h.seq = hub_seq + 1;
	memcpy(h.prev, hub_id, HASH_BYTES);
	h.hlc = (uint64_t)now_ms() << 16;
	h.schema = SCHEMA_VERSION;
	memcpy(h.author, n->id.pk, PUBKEY_BYTES);
	ops_init(&ops);
	if (strcmp(kind, "foreign") == 0) {
		/* a village of the township whose code follows ours */
		snprintf(key, sizeof key, "%.6s%03d001", n->conf.code, (atoi(n->conf.code + 6) + 1) % 1000);
	} else {
		snprintf(key, sizeof key, "%s001", n->conf.code);
	}
	uint8_t rogue_pk[PUBKEY_BYTES], rogue_sk[SECKEY_BYTES];
	if (strcmp(kind, "unpublished") == 0) {
		/* a township under this county that no roster names, with a key of its own */
		crypto_sign_keypair(rogue_pk, rogue_sk);
		snprintf(h.origin, sizeof h.origin, "%.6s199", n->conf.code);
		snprintf(key, sizeof key, "%s001", h.origin);
		h.seq = 1;
		memset(h.prev, 0, HASH_BYTES);
		memcpy(h.author, rogue_pk, PUBKEY_BYTES);
	}
	struct colval cols[] = { COL_TEXT("name", "注入村") };
	ops_upsert(&ops, "village", key, cols, 1);
	h.nops = ops.n;
	if (strcmp(kind, "badchain") == 0)
		randombytes_buf(h.prev, HASH_BYTES);
	if (strcmp(kind, "gap") == 0)
		h.seq = hub_seq + 2;
	msgpack_sbuffer_init(&body);
	changeset_encode(&body, &h, &ops);
	ops_release(&ops);
	changeset_sign(sig, body.data, body.size, strcmp(kind, "unpublished") == 0 ? rogue_sk : n->sk);
	sodium_memzero(rogue_sk, sizeof rogue_sk);
	if (strcmp(kind, "badsig") == 0)
		sig[7] ^= 0x55;
	if (strcmp(kind, "malformed") == 0 && body.size > 20)
		memset(body.data + 14, 0xc1, 6);    /* 0xc1 is never valid msgpack */
	struct wire_cs cs = { (const uint8_t *)body.data, body.size, sig, SIG_BYTES };
	msgpack_sbuffer_clear(sb);
	if (strcmp(kind, "garbage") == 0) {
		msgpack_sbuffer_write(sb, "\xdd\xff\xff\xff\xff not msgpack", 17);
	} else if (strcmp(kind, "nils") == 0) {
		/* the largest frame the hub takes, all of it one array of nils: well formed */
		uint32_t count = (uint32_t)(WIRE_MAX_MSG - 4096);  /* room for CURVE framing */
		uint8_t head[5] = { 0xdd, count >> 24, count >> 16 & 0xff, count >> 8 & 0xff, count & 0xff };
		char *nils = malloc(count);
		if (nils) {
			memset(nils, 0xc0, count);
			msgpack_sbuffer_write(sb, (const char *)head, sizeof head);
			msgpack_sbuffer_write(sb, nils, count);
			free(nils);
		}
	} else
		wire_encode_changesets(sb, h.origin, &cs, 1);
	msgpack_sbuffer_destroy(&body);
}

/* Print the hub's answers to KIND: an ERROR, and an ACK of what the hub holds. */
static void
s_print_answers(void *s, const char *kind)
{
	zmq_msg_t frame;
	struct wire_msg m;
	int got = 0;

	/* a 17 MB frame takes the hub a while to receive and decrypt */
	int later = strcmp(kind, "nils") == 0 ? 5000 : 300;

	while (s_recv(s, got ? later : 3000, &frame, &m) == 0) {
		if (m.type == WIRE_ERROR)
			printf("%s: ERROR %s: %s\n", kind, wire_error_name((int)m.code), m.detail);
		else if (m.type == WIRE_ACK || m.type == WIRE_NEED)
			printf("%s: %s %s %" PRIu64 "\n", kind, wire_type_name(m.type), m.origin, m.seq);
		else
			printf("%s: %s\n", kind, wire_type_name(m.type));
		got = 1;
		wire_msg_release(&m);
		zmq_msg_close(&frame);
	}
	if (!got)
		printf("%s: no answer\n", kind);
}

static int
s_inject(int argc, char **argv)
{
	struct node n;
	msgpack_sbuffer sb;
	uint64_t hub_seq = 0;
	uint8_t hub_id[HASH_BYTES] = { 0 };
	int rc = EXIT_OK;

	if (argc < 3)
		return s_fail(EXIT_USAGE, "inject", "usage: test-tool inject DIR KIND...");
	if (s_open(&n, argv[1], "inject") < 0)
		return EXIT_FAIL;
	void *ctx = zmq_ctx_new(), *s = s_connect(&n, ctx);
	if (s == NULL) {
		zmq_ctx_term(ctx);
		node_close(&n);
		return EXIT_FAIL;
	}
	msgpack_sbuffer_init(&sb);
	if (s_hello(&n, s, &sb, &hub_seq, hub_id) < 0) {
		printf("no WELCOME from the hub\n");
		rc = EXIT_FAIL;
		goto out;
	}
	printf("welcome: hub has %s up to %" PRIu64 "\n", n.conf.code, hub_seq);
	for (int a = 2; a < argc; a++) {
		if (!s_known_kind(argv[a])) {
			printf("unknown kind \"%s\"\n", argv[a]);
			rc = EXIT_USAGE;
			break;
		}
		s_forge(&n, argv[a], hub_seq, hub_id, &sb);
		zmq_send(s, sb.data, sb.size, 0);
		s_print_answers(s, argv[a]);
	}
out:
	msgpack_sbuffer_destroy(&sb);
	zmq_close(s);
	zmq_ctx_term(ctx);
	node_close(&n);
	return rc;
}

/* ---- strangers ---------------------------------------------------------------------- */

static int
s_strangers(int argc, char **argv)
{
	struct node n;
	uint8_t ed[PUBKEY_BYTES], curve[32];
	char server[41], pub[41], sec[41];
	long count, secs;
	void **socks;

	if (argc != 4 || (count = atol(argv[2])) <= 0 || count > 1000 || (secs = atol(argv[3])) <= 0 ||
	    secs > 60)
		return s_fail(EXIT_USAGE, "strangers", "usage: test-tool strangers DIR N(1-1000) SECS(1-60)");
	if (s_open(&n, argv[1], "strangers") < 0)
		return EXIT_FAIL;
	if (hex_decode(ed, PUBKEY_BYTES, n.conf.county_key) < 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(curve, ed) != 0 || strncmp(n.conf.hub, "tcp://127.0.0.1:", 16)) {
		node_close(&n);
		return s_fail(EXIT_USAGE, "strangers", "a township with a hub on 127.0.0.1 is needed");
	}
	zmq_z85_encode(server, curve, 32);
	void *ctx = zmq_ctx_new();
	zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)count + 10);
	socks = calloc((size_t)count, sizeof *socks);
	for (long i = 0; socks && i < count; i++) {
		int zero = 0;
		socks[i] = zmq_socket(ctx, ZMQ_DEALER);
		zmq_curve_keypair(pub, sec);
		zmq_setsockopt(socks[i], ZMQ_CURVE_SERVERKEY, server, 40);
		zmq_setsockopt(socks[i], ZMQ_CURVE_PUBLICKEY, pub, 40);
		zmq_setsockopt(socks[i], ZMQ_CURVE_SECRETKEY, sec, 40);
		zmq_setsockopt(socks[i], ZMQ_LINGER, &zero, sizeof zero);
		zmq_connect(socks[i], n.conf.hub);
	}
	sleep((unsigned)secs);
	for (long i = 0; socks && i < count; i++)
		zmq_close(socks[i]);
	free(socks);
	zmq_ctx_term(ctx);
	node_close(&n);
	printf("%ld strangers held %ld s\n", count, secs);
	return EXIT_OK;
}

/* ---- key files ------------------------------------------------------------------------- */

static int
s_rawkey(int argc, char **argv)
{
	uint8_t pk[PUBKEY_BYTES], sk[SECKEY_BYTES];
	char err[ERRBUF_SIZE], hex[2 * PUBKEY_BYTES + 1];
	int rc;

	if (argc != 2)
		return s_fail(EXIT_USAGE, "rawkey", "usage: test-tool rawkey FILE");
	crypto_sign_keypair(pk, sk);
	rc = key_write(argv[1], sk, err, sizeof err);
	sodium_memzero(sk, sizeof sk);
	if (rc < 0)
		return s_fail(EXIT_FAIL, "rawkey", "%s", err);
	hex_encode(hex, pk, sizeof pk);
	printf("%s\n", hex);
	return EXIT_OK;
}

static int
s_keyfile_open(int argc, char **argv)
{
	uint8_t sk[SECKEY_BYTES];
	char pass[1100], err[ERRBUF_SIZE], hex[2 * SECKEY_BYTES + 1];
	size_t len;

	if (argc != 2)
		return s_fail(EXIT_USAGE, "keyfile-open", "usage: test-tool keyfile-open FILE");
	if (!fgets(pass, sizeof pass, stdin))
		return s_fail(EXIT_USAGE, "keyfile-open", "no passphrase on stdin");
	len = strcspn(pass, "\n");
	if (keyfile_read(argv[1], pass, len, sk, err, sizeof err) != KEYFILE_OK)
		return s_fail(EXIT_FAIL, "keyfile-open", "%s", err);
	hex_encode(hex, sk, sizeof sk);
	sodium_memzero(sk, sizeof sk);
	printf("%s\n", hex);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{

	if (argc >= 2 && strcmp(argv[1], "strangers") == 0)
		return s_strangers(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "rawkey") == 0)
		return s_rawkey(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "keyfile-open") == 0)
		return s_keyfile_open(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "write") == 0)
		return s_write(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "inject") == 0)
		return s_inject(argc - 1, argv + 1);
	fprintf(stderr, "usage: test-tool write DIR N [OPS]\n"
	    "       test-tool inject DIR KIND...   (badsig badchain foreign malformed garbage gap)\n"
	    "       test-tool strangers DIR N SECS\n"
	    "       test-tool rawkey FILE\n"
	    "       test-tool keyfile-open FILE    (passphrase on stdin)\n");
	return EXIT_USAGE;
}
