/*
 * township.c — a township's link to its county hub: a CURVE DEALER that
 * works without the hub, reconnects with backoff, sends its own feed as the
 * hub lacks it and receives the county feed (and any configured others).
 *
 * Never fork: a township restored from an old copy must not write before it
 * has its whole own feed back.  The rule (proto/PROTOCOL.md, "Restores"):
 *  - the hub reports a higher head of our own feed than we hold: write_hold
 *    is set ("behind the hub") and stays, across restarts, until the feed has
 *    been pulled back to that head;
 *  - a township that has reached a hub before holds writes for at most
 *    timeout_ms after likad starts, until the hub answers; if the hub cannot
 *    be reached in that time it works offline as usual;
 *  - a township that has never reached a hub never holds;
 *  - node_open found lika.db to be a copy (its epoch is not lika.epoch's):
 *    write_hold "restored from a copy" is set before anything can write and
 *    kept, like "behind", until the hub's WELCOME shows that we hold our
 *    whole feed as the hub knows it (or we pulled the rest back).
 * The epoch changes at every WELCOME and at every ACK of our feed, so a copy
 * taken before the hub acknowledged more of our feed is known for one.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "likad.h"
#include "log.h"
#include "schema.h"
#include "util.h"

#define HOLD_START  "likad is starting"
#define BACKOFF_MIN_MS 100
/*
 * The hub refused our key (not on the roster yet, or removed): libzmq then
 * gives the connection up for good, so likad makes a new one, after
 * REFUSED_FIRST_MS doubling to [sync] reconnect_max_ms (at most REFUSED_MAX_MS):
 * a township admitted later connects within that time.
 */
#define REFUSED_FIRST_MS 1000
#define REFUSED_MAX_MS 30000

static int s_on_dealer(struct loop *loop, void *sock, void *arg);

static void
s_close(struct daemon *d, const char *why, int64_t backoff)
{
	monitor_stop(d);
	d->handshaken = 0;
	d->refusal_pending = 0;
	if (d->sock) {
		loop_remove_socket(d->loop, d->sock);
		zmq_close(d->sock);
		d->sock = NULL;
	}
	if (d->up.ready || d->up.conn.connected) {
		log_info("hub \"%s\": %s", d->up.peer, why);
		d->up.conn.connected = 0;
		d->up.conn.since_ms = now_ms();
		d->up.dirty = 1;
	} else {
		log_debug("hub: %s", why);
	}
	d->up.ready = 0;
	d->hello_pending = 0;
	d->backoff_ms = backoff;
	d->connect_at = mono_ms() + backoff;
}

/* Events of the DEALER's connection: handshake done, or refused by the hub's ZAP handler. */
static int
s_on_monitor(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;
	unsigned event;
	uint32_t value;

	(void)loop;
	while (monitor_next(sock, &event, &value)) {
		if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			d->handshaken = 1;
		else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			d->refusal_pending = 1;     /* value: the ZAP status code (400) */
	}
	return 0;
}

/* The hub refused our key: say so once, retry with backoff. */
static void
s_refused(struct daemon *d)
{
	int64_t cap = d->node.conf.reconnect_max_ms < REFUSED_MAX_MS ? d->node.conf.reconnect_max_ms :
	    REFUSED_MAX_MS;
	int64_t b = d->refused ? d->backoff_ms * 2 : REFUSED_FIRST_MS;

	if (b > cap)
		b = cap;
	if (!d->refused)
		log_warnx("hub %s refused this township's key (not on the county roster yet, or removed): "
		    "trying again every %lld s at most, without logging each refusal",
		    d->node.conf.hub, (long long)((cap + 999) / 1000));
	d->refused++;
	s_close(d, "refused by the hub", b);
}

static int
s_connect(struct daemon *d)
{
	int64_t maxmsg = (int64_t)WIRE_MAX_MSG;
	int v;

	if (!(d->sock = zmq_socket(d->ctx, ZMQ_DEALER))) {
		log_warnx("dealer: %s", zmq_strerror(errno));
		return -1;
	}
	zmq_setsockopt(d->sock, ZMQ_CURVE_SERVERKEY, d->server_pk, 40);
	zmq_setsockopt(d->sock, ZMQ_CURVE_PUBLICKEY, d->curve_pk, 40);
	zmq_setsockopt(d->sock, ZMQ_CURVE_SECRETKEY, d->curve_sk, 40);
	v = 0;
	zmq_setsockopt(d->sock, ZMQ_LINGER, &v, sizeof v);
	v = 1;
	zmq_setsockopt(d->sock, ZMQ_IMMEDIATE, &v, sizeof v);
	v = BACKOFF_MIN_MS;
	zmq_setsockopt(d->sock, ZMQ_RECONNECT_IVL, &v, sizeof v);
	v = (int)d->node.conf.reconnect_max_ms;
	zmq_setsockopt(d->sock, ZMQ_RECONNECT_IVL_MAX, &v, sizeof v);
	zmq_setsockopt(d->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	v = HANDSHAKE_IVL_MS;
	zmq_setsockopt(d->sock, ZMQ_HANDSHAKE_IVL, &v, sizeof v);
	d->handshaken = d->refusal_pending = 0;
	monitor_start(d, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, s_on_monitor);
	if (zmq_connect(d->sock, d->node.conf.hub) < 0) {
		log_warnx("cannot connect to \"%s\": %s", d->node.conf.hub, zmq_strerror(errno));
		monitor_stop(d);
		zmq_close(d->sock);
		d->sock = NULL;
		return -1;
	}
	loop_add_socket(d->loop, d->sock, s_on_dealer, d);
	d->hello_pending = 1;
	d->session_at = mono_ms();
	log_debug("connecting to %s", d->node.conf.hub);
	return 0;
}

/* The feeds we want from the hub besides our own and the county's. */
static size_t
s_wanted(struct daemon *d, char list[][CODE_MAX], size_t max)
{
	char buf[CONFIG_STR], *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof buf, "%s", d->node.conf.feeds);
	for (char *t = strtok_r(buf, " ,", &save); t && n < max; t = strtok_r(NULL, " ,", &save)) {
		if (strcmp(t, "all") == 0)
			snprintf(list[n++], CODE_MAX, "*");
		else if (code_role(t) != ROLE_NONE && strlen(t) < CODE_MAX)
			snprintf(list[n++], CODE_MAX, "%s", t);
	}
	return n;
}

static int
s_wants_all(struct daemon *d)
{
	char want[CONFIG_MAX_FEEDS][CODE_MAX];
	size_t n = s_wanted(d, want, CONFIG_MAX_FEEDS);

	for (size_t i = 0; i < n; i++)
		if (strcmp(want[i], "*") == 0)
			return 1;
	return 0;
}

static int
s_send_hello(struct daemon *d)
{
	char want[CONFIG_MAX_FEEDS][CODE_MAX];
	const char *wp[CONFIG_MAX_FEEDS];
	struct wire_head *heads = NULL;
	size_t nw = s_wanted(d, want, CONFIG_MAX_FEEDS), nh = 0;
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
	rc = link_send(d, &d->up, &sb);
	msgpack_sbuffer_destroy(&sb);
	free(heads);
	return rc;
}

static void
s_check_caught_up(struct daemon *d)
{
	uint64_t mine;
	uint8_t id[HASH_BYTES];

	if (d->hold != 2)
		return;
	ledger_feed_head(d->node.ledger, d->node.conf.code, &mine, id);
	if (mine >= d->hub_own)
		sync_unhold(d, "own feed recovered from the hub");
}

static void
s_on_welcome(struct daemon *d, const struct wire_msg *m)
{
	const char *own = d->node.conf.code;
	char err[ERRBUF_SIZE], when[32];
	uint64_t mine = 0;
	uint8_t id[HASH_BYTES];
	struct feedlink *f;

	if (strcmp(m->node, d->node.id.county) != 0) {
		log_warnx("hub says it is \"%s\", our county is \"%s\": closing", m->node, d->node.id.county);
		s_close(d, "wrong county", d->node.conf.reconnect_max_ms);
		return;
	}
	if (d->up.nfeeds)
		sync_save_link(d, &d->up);      /* counters of the old session */
	link_reset(&d->up);
	char want[CONFIG_MAX_FEEDS][CODE_MAX];
	size_t nw = s_wanted(d, want, CONFIG_MAX_FEEDS);
	if ((f = link_feed(&d->up, own, 1)))
		f->send = f->recv = 1;
	if ((f = link_feed(&d->up, d->node.id.county, 1)))
		f->recv = f->send = 1;     /* send: only if the hub has less of it (restored) */
	for (size_t i = 0; i < nw; i++)
		if (strcmp(want[i], "*") && (f = link_feed(&d->up, want[i], 1)))
			f->recv = 1;
	d->hub_own = 0;
	sync_restore_stats(d, &d->up);
	for (size_t i = 0; i < m->nheads; i++) {
		const struct wire_head *h = &m->heads[i];
		f = link_feed(&d->up, h->origin, 0);
		if (!f && s_wants_all(d) && (f = link_feed(&d->up, h->origin, 1)))
			f->recv = 1;
		if (!f)
			continue;
		f->theirs = f->sent = h->seq;
		f->stat.theirs = h->seq;
		if (strcmp(h->origin, own) == 0)
			d->hub_own = h->seq;
	}
	int forked = 0;
	ledger_feed_head(d->node.ledger, own, &mine, id);
	/* the hub holds our seq at our head or beyond: is it the same change set? */
	if (d->hub_own && d->hub_own <= mine) {
		uint8_t *body, sig[SIG_BYTES], hid[HASH_BYTES];
		size_t len;
		for (size_t i = 0; i < m->nheads; i++)
			if (strcmp(m->heads[i].origin, own) == 0 &&
			    ledger_changeset_get(d->node.ledger, own, d->hub_own, &body, &len, sig) == 0) {
				changeset_id(hid, body, len);
				free(body);
				if (sodium_memcmp(hid, m->heads[i].id, HASH_BYTES) != 0) {
					log_warnx("own feed forks from the hub's copy at seq %" PRIu64 ": not "
					    "sending it; resolve before writing", d->hub_own);
					if ((f = link_feed(&d->up, own, 0)))
						f->send = f->recv = 0;
					forked = 1;
					sync_hold(d, 2, HOLD_BEHIND " the hub: own feed differs from the hub's at seq %" PRIu64
					    " (fork): an administrator must resolve it", d->hub_own);
				}
			}
	}
	if (!forked && d->hub_own > mine)
		sync_hold(d, 2, HOLD_BEHIND " the hub: have seq %" PRIu64 " of this township's feed, the hub has %"
		    PRIu64 "; likad is pulling the rest back", mine, d->hub_own);
	else if (!forked)
		sync_unhold(d, "the hub confirms this township's feed");
	d->epoch_due = 1;          /* the hub told us what it holds of our feed */
	time_format(when, sizeof when, now_ms());
	if (ledger_meta_set(d->node.ledger, "hub_seen", when, err, sizeof err) < 0)
		log_warnx("%s", err);
	d->up.ready = 1;
	d->up.conn.connected = 1;
	d->up.conn.since_ms = now_ms();
	d->up.conn.schema = m->schema;
	if (m->schema > SCHEMA_VERSION)
		log_warnx("hub \"%s\" runs schema %u, this township %d: its change sets are held until "
		    "lika is upgraded here", m->node, m->schema, SCHEMA_VERSION);
	d->up.dirty = 1;
	d->backoff_ms = BACKOFF_MIN_MS;
	log_info("connected to hub \"%s\" at %s (own feed: have %" PRIu64 ", hub %" PRIu64 ")%s", m->node,
	    d->node.conf.hub, mine, d->hub_own, d->refused ? " after the hub admitted this township" : "");
	d->refused = 0;
	sync_pump(d, &d->up);
}

static int
s_on_dealer(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;
	char err[ERRBUF_SIZE];

	(void)loop;
	for (int round = 0; round < 64 && d->sock == sock; round++) {
		zmq_msg_t body;
		struct wire_msg m;
		zmq_msg_init(&body);
		if (zmq_msg_recv(&body, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&body);
			return 0;
		}
		struct link *k = &d->up;
		k->last_in = mono_ms();
		k->conn.last_contact_ms = now_ms();
		k->conn.bytes_in += zmq_msg_size(&body);
		k->dirty = 1;
		if (zmq_msg_more(&body) || wire_decode(&m, zmq_msg_data(&body), zmq_msg_size(&body), err,
		    sizeof err) < 0) {
			if (zmq_msg_more(&body))
				snprintf(err, sizeof err, "more than one frame");
			log_warnx("hub: bad message dropped: %s", err);
			k->conn.errors++;
			snprintf(k->conn.last_error, sizeof k->conn.last_error, "bad message: %s", err);
			zmq_msg_close(&body);
			continue;
		}
		switch (m.type) {
		case WIRE_WELCOME:
			s_on_welcome(d, &m);
			break;
		case WIRE_CHANGESETS:
			/* "all": feeds the hub came to hold after the WELCOME */
			if (k->ready && !link_feed(k, m.origin, 0) && s_wants_all(d)) {
				struct feedlink *f = link_feed(k, m.origin, 1);
				if (f)
					f->recv = 1;
			}
			if (k->ready) {
				sync_on_changesets(d, k, &m, zmq_msg_size(&body));
				if (strcmp(m.origin, d->node.conf.code) == 0)
					s_check_caught_up(d);
			}
			break;
		case WIRE_ACK:
			sync_on_ack(d, k, &m);
			break;
		case WIRE_NEED:
			sync_on_need(d, k, &m);
			break;
		case WIRE_ERROR:
			sync_on_error(d, k, &m);
			if (m.code == WERR_HELLO_FIRST) {
				log_info("hub has no session for us (restarted?): saying hello again");
				k->ready = 0;
				d->hello_pending = 1;
				d->session_at = mono_ms();
			} else if (m.code == WERR_NOT_ADMITTED) {
				log_warnx("hub refuses us: %s", m.detail);
				s_close(d, "not admitted", d->node.conf.reconnect_max_ms);
			}
			break;
		case WIRE_HEARTBEAT:
			break;
		case WIRE_HELLO:
			log_warnx("hub sent HELLO, which only a township sends: dropped");
			break;
		default:
			log_warnx("hub: unexpected message dropped");
			break;
		}
		if (d->sock == sock && k->ready)
			sync_pump(d, k);
		wire_msg_release(&m);
		zmq_msg_close(&body);
	}
	return 0;
}

static int
s_on_tick(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;
	int64_t now = mono_ms();

	(void)loop;
	(void)sock;
	if (d->hold == 1 && now > d->hold_until)
		sync_unhold(d, "hub not reachable: working offline");
	if (d->sock && d->refusal_pending) {
		s_refused(d);
	} else if (!d->sock) {
		if (now >= d->connect_at)
			s_connect(d);
	} else if (d->hello_pending) {
		/* no connection yet (ZMQ_IMMEDIATE): wait for the handshake, quietly */
		if ((d->handshaken || !d->monitor) && s_send_hello(d) == 0)
			d->hello_pending = 0;
		else if (d->handshaken && now - d->session_at > d->node.conf.timeout_ms)
			s_close(d, "hello could not be sent", BACKOFF_MIN_MS);
	} else if (!d->up.ready) {
		if (now - d->session_at > d->node.conf.timeout_ms) {
			int64_t b = d->backoff_ms * 2;
			s_close(d, "no answer to hello", b > d->node.conf.reconnect_max_ms ?
			    d->node.conf.reconnect_max_ms : b);
		}
	} else if (now - d->up.last_in > d->node.conf.timeout_ms) {
		s_close(d, "silent: connection lost", BACKOFF_MIN_MS);
	} else {
		/* a local commit goes out within one tick: the pump reads feed heads (indexed) */
		sync_timers(d, &d->up);
		sync_pump(d, &d->up);
	}
	sync_epoch_tick(d);
	sync_flush(d, 0);
	return 0;
}

int
township_start(struct daemon *d, char *err, size_t errlen)
{
	char v[512];
	uint8_t curve[32];
	uint8_t ed[PUBKEY_BYTES];

	if (!d->node.conf.hub[0])
		return errf(err, errlen, "[hub] endpoint is missing in lika.conf");
	if (hex_decode(ed, PUBKEY_BYTES, d->node.conf.county_key) < 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(curve, ed) != 0)
		return errf(err, errlen, "[hub] county_key is not a valid Ed25519 key");
	zmq_z85_encode(d->server_pk, curve, 32);
	snprintf(d->up.peer, sizeof d->up.peer, "%s", d->node.id.county);
	sync_restore_stats(d, &d->up);
	/* restart rule: see the top of this file */
	if (ledger_meta_get(d->node.ledger, "write_hold", v, sizeof v) == 0 && sync_hold_kept(v)) {
		d->hold = 2;
		ledger_meta_get(d->node.ledger, "hold_awaiting", d->awaiting, sizeof d->awaiting);
		log_info("writes stay on hold: %s", v);
	} else if (ledger_meta_get(d->node.ledger, "hub_seen", v, sizeof v) == 0 && v[0]) {
		d->hold_until = mono_ms() + d->node.conf.timeout_ms;
		sync_hold(d, 1, HOLD_START ": waiting (at most %" PRId64 " ms) for the hub to confirm this "
		    "township's feed (if likad is not running, start it)", d->node.conf.timeout_ms);
	} else {
		d->hold = 1;
		sync_unhold(d, "this township has not reached a hub yet");
	}
	loop_add_timer(d->loop, TICK_MS, s_on_tick, d);
	d->backoff_ms = BACKOFF_MIN_MS;
	d->connect_at = 0;
	log_info("township \"%s\", hub %s", d->node.conf.code, d->node.conf.hub);
	return 0;
}

void
township_stop(struct daemon *d)
{
	if (d->hold == 1)
		sync_unhold(d, "likad stopping");
	d->up.conn.connected = 0;
	d->up.conn.since_ms = now_ms();
	d->up.dirty = 1;
	sync_flush(d, 1);
	link_reset(&d->up);
	monitor_stop(d);
	if (d->sock) {
		loop_remove_socket(d->loop, d->sock);
		zmq_close(d->sock);
		d->sock = NULL;
	}
}
