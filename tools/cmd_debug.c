/*
 * cmd_debug.c — `lika debug …`: test helpers, left out of the help.
 *
 *   lika debug write N [OPS]      N change sets of OPS village upserts each, one process
 *   lika debug inject KIND...     speak the wire to the hub with this node's key and
 *                                 send a bad message: badsig, badchain, foreign,
 *                                 malformed (a change set that does not decode),
 *                                 garbage (a frame that is not msgpack),
 *                                 gap (a change set two beyond the hub's head)
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "lika.h"
#include "schema.h"
#include "util.h"
#include "wire.h"

static int
s_write(int argc, char **argv)
{
	char err[ERRBUF_SIZE], key[CODE_MAX], name[64];
	struct node n;
	struct ledger_written w = { 0 };

	if (argc < 2 || argc > 3)
		return tool_fail(EXIT_USAGE, "debug write", "usage: lika debug write N [OPS]");
	long count = atol(argv[1]), nops = argc == 3 ? atol(argv[2]) : 1;
	if (count <= 0 || nops <= 0 || nops > 1000)
		return tool_fail(EXIT_USAGE, "debug write", "N > 0 and 1 <= OPS <= 1000");
	if (tool_open(&n, 0) < 0)
		return EXIT_FAIL;
	if (n.conf.role != ROLE_TOWNSHIP) {
		node_close(&n);
		return tool_fail(EXIT_USAGE, "debug write", "townships only");
	}
	sqlite3_exec(ledger_db(n.ledger), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	uint64_t base;
	uint8_t id[HASH_BYTES];
	ledger_feed_head(n.ledger, n.conf.code, &base, id);
	for (long i = 0; i < count; i++) {
		struct ops ops = OPS_INIT;
		ops_init(&ops);
		for (long j = 0; j < nops; j++) {
			uint64_t x = (base + (uint64_t)i) * (uint64_t)nops + (uint64_t)j;
			snprintf(key, sizeof key, "%s%03u", n.conf.code, (unsigned)(x % 1000));
			snprintf(name, sizeof name, "测试村%" PRIu64, x);
			struct colval cols[] = { COL_TEXT("name", name) };
			ops_upsert(&ops, "village", key, cols, 1);
		}
		int rc = ledger_begin(n.ledger, err, sizeof err);
		if (rc == 0)
			rc = ledger_commit(n.ledger, &ops, &w, err, sizeof err);
		ops_release(&ops);
		if (rc < 0) {
			node_close(&n);
			return tool_fail(EXIT_FAIL, "debug write", "after %ld: %s", i, err);
		}
	}
	printf("wrote %ld change sets, head %" PRIu64 "\n", count, w.seq);
	node_close(&n);
	return EXIT_OK;
}

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

static int
s_inject(int argc, char **argv)
{
	char pk[41], sk[41], server[41];
	uint8_t c[32], county[PUBKEY_BYTES];
	struct node n;
	int rc = EXIT_OK;

	if (argc < 2)
		return tool_fail(EXIT_USAGE, "debug inject", "usage: lika debug inject KIND...");
	if (tool_open(&n, 0) < 0)
		return EXIT_FAIL;
	if (crypto_sign_ed25519_pk_to_curve25519(c, n.id.pk) != 0) {
		node_close(&n);
		return tool_fail(EXIT_FAIL, "debug inject", "bad node key");
	}
	zmq_z85_encode(pk, c, 32);
	crypto_sign_ed25519_sk_to_curve25519(c, n.sk);
	zmq_z85_encode(sk, c, 32);
	hex_decode(county, PUBKEY_BYTES, n.conf.county_key);
	if (crypto_sign_ed25519_pk_to_curve25519(c, county) != 0) {
		node_close(&n);
		return tool_fail(EXIT_FAIL, "debug inject", "bad county key");
	}
	zmq_z85_encode(server, c, 32);

	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 500;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, 40);
	zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pk, 40);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sk, 40);
	zmq_connect(s, n.conf.hub);

	msgpack_sbuffer sb;
	zmq_msg_t frame;
	struct wire_msg m;
	struct wire_head mine;
	uint64_t hub_seq = 0;
	uint8_t hub_id[HASH_BYTES] = { 0 };
	msgpack_sbuffer_init(&sb);
	memset(&mine, 0, sizeof mine);
	snprintf(mine.origin, sizeof mine.origin, "%s", n.conf.code);
	ledger_feed_head(n.ledger, n.conf.code, &mine.seq, mine.id);
	wire_encode_hello(&sb, n.conf.code, SCHEMA_VERSION, &mine, 1, NULL, 0);
	zmq_send(s, sb.data, sb.size, 0);
	if (s_recv(s, 5000, &frame, &m) < 0 || m.type != WIRE_WELCOME) {
		printf("no WELCOME from the hub\n");
		rc = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < m.nheads; i++)
		if (strcmp(m.heads[i].origin, n.conf.code) == 0) {
			hub_seq = m.heads[i].seq;
			memcpy(hub_id, m.heads[i].id, HASH_BYTES);
		}
	wire_msg_release(&m);
	zmq_msg_close(&frame);
	printf("welcome: hub has %s up to %" PRIu64 "\n", n.conf.code, hub_seq);

	for (int a = 1; a < argc; a++) {
		const char *kind = argv[a];
		struct changeset_header h;
		struct ops ops = OPS_INIT;
		msgpack_sbuffer body;
		uint8_t sig[SIG_BYTES];
		char key[CODE_MAX];

		memset(&h, 0, sizeof h);
		h.format = CHANGESET_FORMAT;
		snprintf(h.origin, sizeof h.origin, "%s", n.conf.code);
		h.seq = hub_seq + 1;
		memcpy(h.prev, hub_id, HASH_BYTES);
		h.hlc = (uint64_t)now_ms() << 16;
		h.schema = SCHEMA_VERSION;
		memcpy(h.author, n.id.pk, PUBKEY_BYTES);
		ops_init(&ops);
		if (strcmp(kind, "foreign") == 0) {
			/* a village of the township whose code follows ours */
			snprintf(key, sizeof key, "%.6s%03d001", n.conf.code, (atoi(n.conf.code + 6) + 1) % 1000);
		} else {
			snprintf(key, sizeof key, "%s001", n.conf.code);
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
		changeset_sign(sig, body.data, body.size, n.sk);
		if (strcmp(kind, "badsig") == 0)
			sig[7] ^= 0x55;
		if (strcmp(kind, "malformed") == 0 && body.size > 20)
			memset(body.data + 14, 0xc1, 6);    /* 0xc1 is never valid msgpack */
		struct wire_cs cs = { (const uint8_t *)body.data, body.size, sig, SIG_BYTES };
		msgpack_sbuffer_clear(&sb);
		if (strcmp(kind, "garbage") == 0)
			msgpack_sbuffer_write(&sb, "\xdd\xff\xff\xff\xff not msgpack", 17);
		else if (strcmp(kind, "badsig") && strcmp(kind, "badchain") && strcmp(kind, "foreign") &&
		    strcmp(kind, "malformed") && strcmp(kind, "gap")) {
			printf("unknown kind \"%s\"\n", kind);
			msgpack_sbuffer_destroy(&body);
			rc = EXIT_USAGE;
			break;
		} else
			wire_encode_changesets(&sb, n.conf.code, &cs, 1);
		zmq_send(s, sb.data, sb.size, 0);
		msgpack_sbuffer_destroy(&body);
		/* the answers: an ERROR, and an ACK of what the hub holds */
		int got = 0;
		while (s_recv(s, got ? 300 : 3000, &frame, &m) == 0) {
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
out:
	msgpack_sbuffer_destroy(&sb);
	zmq_close(s);
	zmq_ctx_term(ctx);
	node_close(&n);
	return rc;
}

int
cmd_debug(int argc, char **argv)
{
	static const struct command sub[] = {
		{ "write",  s_write,  "N change sets in one process" },
		{ "inject", s_inject, "send bad messages to the hub" },
		{ NULL, NULL, NULL },
	};
	return tool_dispatch("debug", sub, argc, argv);
}
