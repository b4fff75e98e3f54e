/*
 * client.c — the dialling side of a link: a CURVE DEALER to a hub that works
 * without it, reconnects with backoff, says HELLO with the heads of every
 * feed this node holds, and dispatches what the hub sends.  A township uses
 * it for its county hub (township.c), a county hub for its province hub
 * (upstream.c); each owner says in its hooks what the session carries.
 *
 * Between calls: c->sock is NULL (waiting until c->connect_at) or a DEALER
 * connecting or connected; c->link->sock is c->sock; c->link->ready is set
 * once the owner accepted the WELCOME.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "likad.h"
#include "log.h"
#include "schema.h"
#include "util.h"

#define BACKOFF_MIN_MS 100
/*
 * The hub refused our key (not on the roster yet, or removed): libzmq then
 * gives the connection up for good, so likad makes a new one, after
 * REFUSED_FIRST_MS doubling to [sync] reconnect_max_ms (at most REFUSED_MAX_MS):
 * a node admitted later connects within that time.
 */
#define REFUSED_FIRST_MS 1000
#define REFUSED_MAX_MS 30000

static int s_on_dealer(struct loop *loop, void *sock, void *arg);

int
client_init(struct daemon *d, struct client *c, const char *server_key_hex, char *err,
    size_t errlen)
{
	uint8_t curve[32], ed[PUBKEY_BYTES];

	c->d = d;
	if (!c->endpoint || !c->endpoint[0])
		return errf(err, errlen, "%s endpoint is missing in lika.conf", c->what);
	if (hex_decode(ed, PUBKEY_BYTES, server_key_hex) < 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(curve, ed) != 0)
		return errf(err, errlen, "the %s's key is not a valid Ed25519 key", c->what);
	zmq_z85_encode(c->server_pk, curve, 32);
	c->backoff_ms = BACKOFF_MIN_MS;
	c->connect_at = 0;
	return 0;
}

void
client_close(struct daemon *d, struct client *c, const char *why, int64_t backoff)
{
	struct link *k = c->link;

	monitor_unwatch(d, c->sock, &c->monitor);
	c->handshaken = 0;
	c->refusal_pending = 0;
	if (c->sock) {
		loop_remove_socket(d->loop, c->sock);
		zmq_close(c->sock);
		c->sock = NULL;
	}
	k->sock = NULL;
	if (k->ready || k->conn.connected) {
		log_info("%s \"%s\": %s", c->what, k->peer, why);
		k->conn.connected = 0;
		k->conn.since_ms = now_ms();
		k->dirty = 1;
	} else {
		log_debug("%s: %s", c->what, why);
	}
	k->ready = 0;
	c->hello_pending = 0;
	c->backoff_ms = backoff;
	c->connect_at = mono_ms() + backoff;
}

/* Events of the DEALER's connection: handshake done, or refused by the hub's ZAP handler. */
static int
s_on_monitor(struct loop *loop, void *sock, void *arg)
{
	struct client *c = arg;
	unsigned event;
	uint32_t value;

	(void)loop;
	while (monitor_next(sock, &event, &value)) {
		if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			c->handshaken = 1;
		else if (event == ZMQ_EVENT_CONNECTED)
			c->reached = 1;
		else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			c->refusal_pending = 1;     /* value: the ZAP status code (400) */
	}
	return 0;
}

/* The hub refused our key: say so once, retry with backoff. */
static void
s_refused(struct daemon *d, struct client *c)
{
	int64_t cap = d->node.conf.reconnect_max_ms < REFUSED_MAX_MS ? d->node.conf.reconnect_max_ms :
	    REFUSED_MAX_MS;
	int64_t b = c->refused ? c->backoff_ms * 2 : REFUSED_FIRST_MS;

	if (b > cap)
		b = cap;
	if (!c->refused)
		log_warnx("%s %s refused this %s's key (not on the %s roster yet, or removed): "
		    "trying again every %lld s at most, without logging each refusal", c->what,
		    c->endpoint, role_name(d->node.conf.role),
		    d->node.conf.role == ROLE_COUNTY ? "province" : "county", (long long)((cap + 999) / 1000));
	c->refused++;
	client_close(d, c, "refused by the hub", b);
}

static int
s_connect(struct daemon *d, struct client *c)
{
	int64_t maxmsg = (int64_t)WIRE_MAX_MSG;
	int v;

	if (!(c->sock = zmq_socket(d->ctx, ZMQ_DEALER))) {
		log_warnx("dealer: %s", zmq_strerror(errno));
		return -1;
	}
	zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, c->server_pk, 40);
	zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, d->curve_pk, 40);
	zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, d->curve_sk, 40);
	v = 0;
	zmq_setsockopt(c->sock, ZMQ_LINGER, &v, sizeof v);
	v = 1;
	zmq_setsockopt(c->sock, ZMQ_IMMEDIATE, &v, sizeof v);
	v = BACKOFF_MIN_MS;
	zmq_setsockopt(c->sock, ZMQ_RECONNECT_IVL, &v, sizeof v);
	v = (int)d->node.conf.reconnect_max_ms;
	zmq_setsockopt(c->sock, ZMQ_RECONNECT_IVL_MAX, &v, sizeof v);
	zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	v = HANDSHAKE_IVL_MS;
	zmq_setsockopt(c->sock, ZMQ_HANDSHAKE_IVL, &v, sizeof v);
	c->handshaken = c->refusal_pending = c->reached = 0;
	monitor_watch(d, c->sock, &c->monitor, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_CONNECTED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, s_on_monitor, c);
	if (zmq_connect(c->sock, c->endpoint) < 0) {
		log_warnx("cannot connect to \"%s\": %s", c->endpoint, zmq_strerror(errno));
		monitor_unwatch(d, c->sock, &c->monitor);
		zmq_close(c->sock);
		c->sock = NULL;
		return -1;
	}
	c->link->sock = c->sock;
	loop_add_socket(d->loop, c->sock, s_on_dealer, c);
	c->hello_pending = 1;
	c->session_at = mono_ms();
	log_debug("connecting to %s", c->endpoint);
	return 0;
}

static int
s_send_hello(struct daemon *d, struct client *c)
{
	char want[CONFIG_MAX_FEEDS][CODE_MAX];
	const char *wp[CONFIG_MAX_FEEDS];
	struct wire_head *heads = NULL;
	size_t nw = c->wants ? c->wants(d, want, CONFIG_MAX_FEEDS) : 0, nh = 0;
	sqlite3_stmt *st = NULL;
	int rc;

	for (size_t i = 0; i < nw; i++)
		wp[i] = want[i];
	/* every feed we hold: the hub resends from there */
	if (sqlite3_prepare_v2(ledger_db(d->node.ledger), "SELECT origin FROM feed ORDER BY origin", -1,
	    &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW && nh < WIRE_MAX_HEADS) {
			struct wire_head *nhp = realloc(heads, (nh + 1) * sizeof *heads);
			if (!nhp)
				break;
			heads = nhp;
			sync_head(d, (const char *)sqlite3_column_text(st, 0), &heads[nh++]);
		}
		sqlite3_finalize(st);
	}
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	wire_encode_hello(&sb, d->node.conf.code, SCHEMA_VERSION, heads, nh, wp, nw);
	rc = link_send(d, c->link, &sb);
	msgpack_sbuffer_destroy(&sb);
	free(heads);
	return rc;
}

/* A session opens: the server must be who we dialled; the owner sets up the feeds. */
static void
s_on_welcome(struct daemon *d, struct client *c, const struct wire_msg *m)
{
	if (strcmp(m->node, c->expect) != 0) {
		log_warnx("%s says it is \"%s\", ours is \"%s\": closing", c->what, m->node, c->expect);
		client_close(d, c, "wrong hub", d->node.conf.reconnect_max_ms);
		return;
	}
	c->on_welcome(d, c, m);
	if (!c->link->ready)
		return;
	c->link->conn.connected = 1;
	c->link->conn.since_ms = now_ms();
	c->link->dirty = 1;
	c->backoff_ms = BACKOFF_MIN_MS;
	c->refused = 0;
	if (c->unreached_said)
		log_info("%s %s reached: session open", c->what, c->endpoint);
	c->unreached_at = 0;
	c->unreached_said = c->reached = 0;
	sync_pump(d, c->link);
}

/* One message from the hub, decoded from FRAME (BYTES on the wire). */
static void
s_dispatch(struct daemon *d, struct client *c, const struct wire_msg *m, const void *frame,
    size_t bytes)
{
	struct link *k = c->link;

	switch (m->type) {
	case WIRE_WELCOME:
		s_on_welcome(d, c, m);
		break;
	case WIRE_CHANGESETS:
		if (!k->ready)
			break;
		if (c->on_batch)
			c->on_batch(d, c, m);
		sync_changesets(d, k, m, frame, bytes);     /* then d->after_changesets */
		break;
	case WIRE_ACK:
		sync_on_ack(d, k, m);
		break;
	case WIRE_NEED:
		sync_on_need(d, k, m);
		break;
	case WIRE_ERROR:
		sync_on_error(d, k, m);
		if (m->code == WERR_HELLO_FIRST) {
			log_info("%s has no session for us (restarted?): saying hello again", c->what);
			k->ready = 0;
			c->hello_pending = 1;
			c->session_at = mono_ms();
		} else if (m->code == WERR_NOT_ADMITTED) {
			log_warnx("%s refuses us: %s", c->what, m->detail);
			client_close(d, c, "not admitted", d->node.conf.reconnect_max_ms);
		}
		break;
	case WIRE_HEARTBEAT:
		break;
	case WIRE_HELLO:
		log_warnx("%s sent HELLO, which only a client sends: dropped", c->what);
		break;
	default:
		log_warnx("%s: unexpected message dropped", c->what);
		break;
	}
}

static int
s_on_dealer(struct loop *loop, void *sock, void *arg)
{
	struct client *c = arg;
	struct daemon *d = c->d;
	char err[ERRBUF_SIZE];

	(void)loop;
	for (int round = 0; round < 64 && c->sock == sock; round++) {
		zmq_msg_t body;
		struct wire_msg m;
		zmq_msg_init(&body);
		if (zmq_msg_recv(&body, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&body);
			return 0;
		}
		struct link *k = c->link;
		k->last_in = mono_ms();
		k->conn.last_contact_ms = now_ms();
		k->conn.bytes_in += zmq_msg_size(&body);
		k->dirty = 1;
		if (zmq_msg_more(&body) || wire_decode(&m, zmq_msg_data(&body), zmq_msg_size(&body), err,
		    sizeof err) < 0) {
			if (zmq_msg_more(&body))
				snprintf(err, sizeof err, "more than one frame");
			log_warnx("%s: bad message dropped: %s", c->what, err);
			k->conn.errors++;
			snprintf(k->conn.last_error, sizeof k->conn.last_error, "bad message: %s", err);
			zmq_msg_close(&body);
			continue;
		}
		s_dispatch(d, c, &m, zmq_msg_data(&body), zmq_msg_size(&body));
		if (c->sock == sock && k->ready)
			sync_pump(d, k);
		wire_msg_release(&m);
		zmq_msg_close(&body);
	}
	return 0;
}

/*
 * No session for timeout_ms: say once why it may be, since libzmq retries
 * quietly.  A TCP connection made but no CURVE handshake is most often a
 * wrong server key in lika.conf (the server cannot read our HELLO and drops
 * it); no connection at all, a server down or out of reach.
 */
static void
s_unreached(struct daemon *d, struct client *c, int64_t now)
{
	const char *key = d->node.conf.role == ROLE_COUNTY ? "[upstream] province_key" :
	    "[hub] county_key";

	if (!c->unreached_at)
		c->unreached_at = now;
	/* refused (our key not on its roster): s_refused said so */
	if (c->unreached_said || c->handshaken || c->refused ||
	    now - c->unreached_at < d->node.conf.timeout_ms)
		return;
	c->unreached_said = 1;
	if (c->reached)
		log_warnx("%s %s answers, but no CURVE handshake completes after %lld s: is %s in "
		    "lika.conf its key?  Trying on", c->what, c->endpoint,
		    (long long)((now - c->unreached_at) / 1000), key);
	else
		log_warnx("%s %s cannot be reached after %lld s (down, or no route): working offline, "
		    "trying on", c->what, c->endpoint, (long long)((now - c->unreached_at) / 1000));
}

void
client_tick(struct daemon *d, struct client *c)
{
	int64_t now = mono_ms();

	if (c->sock && c->refusal_pending) {
		s_refused(d, c);
	} else if (!c->sock) {
		if (now >= c->connect_at)
			s_connect(d, c);
	} else if (c->hello_pending) {
		/* no connection yet (ZMQ_IMMEDIATE): wait for the handshake, quietly */
		if ((c->handshaken || !c->monitor) && s_send_hello(d, c) == 0)
			c->hello_pending = 0;
		else if (c->handshaken && now - c->session_at > d->node.conf.timeout_ms)
			client_close(d, c, "hello could not be sent", BACKOFF_MIN_MS);
		else
			s_unreached(d, c, now);
	} else if (!c->link->ready) {
		if (now - c->session_at > d->node.conf.timeout_ms) {
			int64_t b = c->backoff_ms * 2;
			client_close(d, c, "no answer to hello", b > d->node.conf.reconnect_max_ms ?
			    d->node.conf.reconnect_max_ms : b);
		}
	} else if (now - c->link->last_in > d->node.conf.timeout_ms) {
		client_close(d, c, "silent: connection lost", BACKOFF_MIN_MS);
	} else {
		/* a local commit goes out within one tick: heads are re-read once the data changed */
		sync_retry(d, c->link);
		sync_timers(d, c->link);
		sync_pump(d, c->link);
	}
}

void
client_stop(struct daemon *d, struct client *c)
{
	struct link *k = c->link;

	if (!k)
		return;
	k->conn.connected = 0;
	k->conn.since_ms = now_ms();
	k->dirty = 1;
	sync_flush(d, 1);
	link_reset(k);
	monitor_unwatch(d, c->sock, &c->monitor);
	if (c->sock) {
		loop_remove_socket(d->loop, c->sock);
		zmq_close(c->sock);
		c->sock = NULL;
	}
	k->sock = NULL;
}
