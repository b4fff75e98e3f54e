/*
 * hub.c — the county hub: a CURVE ROUTER that admits only the townships on
 * the roster (ZAP handler on inproc://zeromq.zap.01, in this thread), one
 * link per township, the township's own feed up and the feeds it asks for
 * down.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "likad.h"
#include "schema.h"
#include "log.h"
#include "util.h"

static const struct roster_entry *
s_roster_find_curve(struct daemon *d, const uint8_t curve[32])
{
	for (size_t i = 0; i < d->nroster; i++)
		if (sodium_memcmp(d->roster[i].curve, curve, 32) == 0)
			return &d->roster[i];
	return NULL;
}

static const struct roster_entry *
s_roster_find(struct daemon *d, const char *code)
{
	for (size_t i = 0; i < d->nroster; i++)
		if (strcmp(d->roster[i].code, code) == 0)
			return &d->roster[i];
	return NULL;
}

static int
s_admitted(struct daemon *d, const char *code)
{
	const struct roster_entry *e = s_roster_find(d, code);

	return e && !e->removed;
}

static void
s_drop_link(struct daemon *d, size_t i, const char *why)
{
	struct link *k = d->links[i];

	log_info("township \"%s\": %s", k->peer, why);
	k->conn.connected = 0;
	k->conn.since_ms = now_ms();
	sync_save_link(d, k);
	link_free(&d->links[i]);
	d->links[i] = d->links[--d->nlinks];
}

int
hub_reload_roster(struct daemon *d)
{
	sqlite3 *db = ledger_db(d->node.ledger);
	sqlite3_stmt *st = NULL;
	struct roster_entry *r = NULL;
	size_t n = 0, cap = 0;

	/*
	 * Not the retired keys "CODE/UPTO" of re-keyed townships: they admit
	 * nobody.  A county hub admits its townships, a province hub its counties
	 * (not the townships' rows their feeds bring, nor the province's row).
	 */
	int province = d->node.conf.role == ROLE_PROVINCE;
	if (sqlite3_prepare_v2(db, province ? "SELECT id, pubkey, removed FROM roster_node "
	    "WHERE role = 'county' AND length(id) = 6 ORDER BY id" : "SELECT id, pubkey, removed "
	    "FROM roster_node WHERE instr(id, '/') = 0 AND coalesce(role, 'township') = 'township' "
	    "ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		log_warnx("roster: %s", sqlite3_errmsg(db));
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		if (!code || strlen(code) >= CODE_MAX || sqlite3_column_bytes(st, 1) != PUBKEY_BYTES)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct roster_entry *nr = realloc(r, cap * sizeof *r);
			if (!nr)
				break;
			r = nr;
		}
		struct roster_entry *e = &r[n];
		snprintf(e->code, sizeof e->code, "%s", code);
		memcpy(e->pk, sqlite3_column_blob(st, 1), PUBKEY_BYTES);
		e->removed = sqlite3_column_int(st, 2) != 0;
		/* the roster is read again whenever another connection commits: convert new keys only */
		const struct roster_entry *was = s_roster_find(d, e->code);
		if (was && memcmp(was->pk, e->pk, PUBKEY_BYTES) == 0)
			memcpy(e->curve, was->curve, sizeof e->curve);
		else if (crypto_sign_ed25519_pk_to_curve25519(e->curve, e->pk) != 0) {
			log_warnx("roster: key of \"%s\" is not a valid Ed25519 key: ignored", code);
			continue;
		}
		n++;
	}
	sqlite3_finalize(st);
	/*
	 * Held after a restore: a township that reaches the roster only now came
	 * with county change sets pulled back, so it may have synced after the
	 * copy and hold more of the county feed: wait for it too.
	 */
	if (d->hold == 2 && d->nroster) {
		int added = 0;
		for (size_t i = 0; i < n; i++)
			if (!r[i].removed && !s_roster_find(d, r[i].code) && !sync_awaiting_has(d, r[i].code)) {
				size_t used = strlen(d->awaiting);
				snprintf(d->awaiting + used, sizeof d->awaiting - used, "%s%s", used ? "," : "",
				    r[i].code);
				added = 1;
			}
		if (added)
			sync_hold_save(d);
	}
	free(d->roster);
	d->roster = r;
	d->nroster = n;
	/* a township taken off the roster is cut off at once */
	for (size_t i = 0; i < d->nlinks;) {
		struct link *k = d->links[i];
		if (!s_admitted(d, k->peer)) {
			link_send_error(d, k, WERR_NOT_ADMITTED, NULL, "%s is not on the roster of %s", k->peer,
			    d->node.conf.code);
			s_drop_link(d, i, "removed from the roster: disconnected");
			continue;
		}
		i++;
	}
	log_debug("roster: %zu townships", n);
	return 0;
}

/*
 * The log of refused and failed connections has one budget for all of them:
 * keys change for free, so a budget per key is no budget.  At most
 * REFUSAL_LOG_BUDGET refusals are logged one by one a minute; the rest, and
 * connections dropped before their handshake or not accepted at all, are
 * counted and summed up in one line every REFUSAL_SUMMARY_MS.
 */
#define REFUSAL_LOG_BUDGET  10
#define REFUSAL_WINDOW_MS   60000
#define REFUSAL_SUMMARY_MS  10000
static struct {
	int64_t window_at;          /* mono ms the current minute began */
	unsigned logged;            /* refusals logged in it */
	uint64_t quiet;             /* refusals not logged since the last summary */
	uint64_t no_handshake;      /* connections closed before their handshake completed */
	uint64_t accept_failed;     /* connections not accepted (descriptors?) */
	int accept_errno;
	int64_t summary_at;
} s_budget;

/* May one more refusal be logged now? Counts it otherwise. */
static int
s_refusal_should_log(void)
{
	int64_t now = mono_ms();

	if (now - s_budget.window_at >= REFUSAL_WINDOW_MS) {
		s_budget.window_at = now;
		s_budget.logged = 0;
	}
	if (s_budget.logged < REFUSAL_LOG_BUDGET) {
		s_budget.logged++;
		return 1;
	}
	s_budget.quiet++;
	return 0;
}

/* The summary line of what was not logged one by one, if anything and if it is time. */
static void
s_refusal_summary(struct daemon *d, int64_t now)
{
	char line[512];
	size_t n = 0;

	if (now - s_budget.summary_at < REFUSAL_SUMMARY_MS)
		return;
	line[0] = '\0';
	if (s_budget.quiet)
		n += (size_t)snprintf(line + n, sizeof line - n, "; refused %" PRIu64 " more connections "
		    "not on the roster (not logged one by one: at most %d a minute)", s_budget.quiet,
		    REFUSAL_LOG_BUDGET);
	if (s_budget.no_handshake && n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, "; %" PRIu64 " connections closed before "
		    "completing a handshake in %d s", s_budget.no_handshake, HANDSHAKE_IVL_MS / 1000);
	if (s_budget.accept_failed && n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, "; %" PRIu64 " connections not accepted "
		    "(%s; descriptor limit %" PRIu64 ")", s_budget.accept_failed,
		    strerror(s_budget.accept_errno), d->fd_limit);
	if (n)
		log_warnx("in the last %d s%s", (int)((now - s_budget.summary_at) / 1000), line);
	s_budget.quiet = s_budget.no_handshake = s_budget.accept_failed = 0;
	s_budget.summary_at = now;
}

/* Events of the ROUTER's connections, counted for the summary. */
static int
s_on_monitor(struct loop *loop, void *sock, void *arg)
{
	unsigned event;
	uint32_t value;

	(void)loop;
	(void)arg;
	while (monitor_next(sock, &event, &value)) {
		if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
			s_budget.no_handshake++;
		else if (event == ZMQ_EVENT_ACCEPT_FAILED) {
			s_budget.accept_failed++;
			s_budget.accept_errno = (int)value;
		}
	}
	return 0;
}

/* ZAP (RFC 27): admit a CURVE client whose key is on the roster; User-Id = its code. */
static int
s_on_zap(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;
	zmq_msg_t f[8];
	int n = 0, more = 1;

	(void)loop;
	while (more && n < 8) {
		zmq_msg_init(&f[n]);
		if (zmq_msg_recv(&f[n], sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&f[n]);
			break;
		}
		more = zmq_msg_more(&f[n]);
		n++;
	}
	while (more) {         /* more frames than a request has: drain */
		zmq_msg_t x;
		zmq_msg_init(&x);
		if (zmq_msg_recv(&x, sock, ZMQ_DONTWAIT) < 0)
			more = 0;
		else
			more = zmq_msg_more(&x);
		zmq_msg_close(&x);
	}
	if (n < 2) {
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
		return 0;
	}
	const char *status = "400", *text = "not on the roster", *user = "";
	char addr[64] = "?";
	if (n >= 4 && zmq_msg_size(&f[3]) < sizeof addr) {
		memcpy(addr, zmq_msg_data(&f[3]), zmq_msg_size(&f[3]));
		addr[zmq_msg_size(&f[3])] = '\0';
	}
	const struct roster_entry *e = NULL;
	if (n == 7 && zmq_msg_size(&f[5]) == 5 && memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
	    zmq_msg_size(&f[6]) == 32) {
		e = s_roster_find_curve(d, zmq_msg_data(&f[6]));
		if (e && !e->removed) {
			status = "200";
			text = "OK";
			user = e->code;
		}
	}
	if (*status != '2') {
		char hex[65] = "?";
		if (n == 7 && zmq_msg_size(&f[6]) == 32)
			hex_encode(hex, zmq_msg_data(&f[6]), 32);
		if (s_refusal_should_log())
			log_warnx("refused connection from %s: CURVE key %s %s", addr, hex,
			    e ? "belongs to a township removed from the roster" : "is not on the roster");
	} else {
		log_debug("admitted \"%s\" from %s", user, addr);
	}
	/* reply: version, request id, status code, status text, user id, metadata */
	zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(sock, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), ZMQ_SNDMORE);
	zmq_send(sock, status, 3, ZMQ_SNDMORE);
	zmq_send(sock, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(sock, "", 0, 0);
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	return 0;
}

static struct link *
s_link_by_rid(struct daemon *d, const void *rid, size_t len, size_t *index)
{
	for (size_t i = 0; i < d->nlinks; i++)
		if (d->links[i]->ridlen == len && memcmp(d->links[i]->rid, rid, len) == 0) {
			if (index)
				*index = i;
			return d->links[i];
		}
	return NULL;
}

/*
 * Restores of the hub (proto/PROTOCOL.md, "Restores").  A hold of kind 2
 * (restored from a copy, or behind a township) lifts only when every
 * township it awaits (d->awaiting: every township on the roster,
 * node_hold_peers, and any the pulled-back county feed adds to the roster)
 * has said HELLO since and reported a head of the
 * county feed this hub now holds, with the same change set at that seq --
 * not merely when the townships connected now agree: one still offline may
 * hold more.  What a township reports beyond our head is pulled back first.
 */
/* Does the township's head H of the county feed name a change set other than ours there? */
static int
s_county_differs(struct daemon *d, const struct wire_head *h)
{
	uint8_t *body, sig[SIG_BYTES], id[HASH_BYTES];
	size_t len;

	if (h->seq == 0 || ledger_changeset_get(d->node.ledger, d->node.conf.code, h->seq, &body, &len,
	    sig) < 0)
		return 0;       /* beyond our head: pulled back, and checked by the ledger then */
	changeset_id(id, body, len);
	free(body);
	return sodium_memcmp(id, h->id, HASH_BYTES) != 0;
}

static void
s_county_check(struct daemon *d)
{
	struct wire_head ch;
	uint64_t most = 0;
	char who[CODE_MAX] = "";

	if (sync_hold_lifted(d))
		return;
	sync_head(d, d->node.conf.code, &ch);
	for (size_t i = 0; i < d->nlinks; i++) {
		struct link *k = d->links[i];
		if (!k->reported)
			continue;
		if (k->county_reported > ch.seq) {
			if (k->county_reported > most) {
				most = k->county_reported;
				snprintf(who, sizeof who, "%s", k->peer);
			}
		} else if (!k->county_differs && sync_awaiting_drop(d, k->peer)) {
			log_info("township \"%s\" confirms the county feed (it holds seq %" PRIu64
			    ", this hub %" PRIu64 ")", k->peer, k->county_reported, ch.seq);
		}
	}
	/* a township taken off the roster is not waited for */
	for (size_t i = 0; i < d->nroster; i++)
		if (d->roster[i].removed)
			sync_awaiting_drop(d, d->roster[i].code);
	if (most > ch.seq)
		return;                 /* still pulling back: the hold says from whom */
	if (!d->awaiting[0]) {
		sync_unhold(d, "every township that held the county feed confirms it");
		return;
	}
	/* pulled back: what remains is waiting (a "restored" hold already says so) */
	if (strncmp(d->hold_why, HOLD_BEHIND " a township:", strlen(HOLD_BEHIND " a township:")) == 0 &&
	    !strstr(d->hold_why, "(fork)"))
		sync_hold(d, 2, HOLD_BEHIND ": waiting for townships %s to reconnect and confirm the county "
		    "feed (this hub holds seq %" PRIu64 ")", d->awaiting, ch.seq);
}

/*
 * The feeds of a session: the township's own both ways (up, and down after a
 * restore), ours down, and what it asks for.
 */
static int
s_hello_feeds(struct daemon *d, struct link *k, const struct wire_msg *m)
{
	const char *county = d->node.conf.code;
	struct feedlink *f = link_feed(k, k->peer, 1);

	if (!f)
		return -1;
	f->send = f->recv = 1;
	if ((f = link_feed(k, county, 1)))
		f->send = 1;
	hub_feeds_of_peer(d, k, m);
	for (size_t i = 0; i < m->nwant; i++)
		if ((f = link_feed(k, m->want[i], 1)))
			f->send = 1;
	if (k->want_all) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(ledger_db(d->node.ledger), "SELECT origin FROM feed ORDER BY origin",
		    -1, &st, NULL) == SQLITE_OK)
			while (sqlite3_step(st) == SQLITE_ROW)
				if ((f = link_feed(k, (const char *)sqlite3_column_text(st, 0), 1)))
					f->send = 1;
		sqlite3_finalize(st);
	}
	return 0;
}

/* The heads the township reports: where each feed stands there, and its head of the county feed. */
static void
s_hello_heads(struct daemon *d, struct link *k, const struct wire_msg *m)
{
	const char *county = d->node.conf.code;
	struct feedlink *f;

	k->reported = 1;
	k->county_reported = 0;
	k->county_differs = 0;
	for (size_t i = 0; i < m->nheads; i++) {
		if ((f = link_feed(k, m->heads[i].origin, 0))) {
			f->theirs = m->heads[i].seq;
			f->sent = f->theirs;
			f->stat.theirs = f->theirs;
		}
		if (strcmp(m->heads[i].origin, county) == 0) {
			k->county_reported = m->heads[i].seq;
			k->county_differs = s_county_differs(d, &m->heads[i]);
		}
	}
	/* the township's head of the county feed acknowledges it: a copy from before is behind */
	if (k->county_reported)
		d->epoch_due = 1;
	if (k->county_differs) {
		log_warnx("township \"%s\" holds another change set at seq %" PRIu64 " of the county feed "
		    "than this hub: the county feed forked", k->peer, k->county_reported);
		sync_hold(d, 2, HOLD_BEHIND " a township: %s holds another change set at seq %" PRIu64
			    " of the county feed (fork): an administrator must resolve it", k->peer,
			    k->county_reported);
	}
}

/*
 * A township holding more of the county feed than we do: this hub was
 * restored from an old copy.  Take the rest back from it before the
 * county writes again (which would fork its feed).
 */
static void
s_hello_county_ahead(struct daemon *d, struct link *k)
{
	const char *county = d->node.conf.code;
	struct feedlink *f = link_feed(k, county, 0);
	struct wire_head ch;

	if (!f)
		return;
	sync_head(d, county, &ch);
	if (f->theirs > ch.seq) {
		f->recv = 1;
		if (f->theirs > d->hub_own)
			d->hub_own = f->theirs;
		sync_hold(d, 2, HOLD_BEHIND " a township: %s holds seq %" PRIu64 " of the county "
		    "feed, this hub %" PRIu64 "; likad is pulling the rest back", k->peer, f->theirs,
		    ch.seq);
	} else if (d->hold == 2) {
		s_county_check(d);
	}
}

/* WELCOME with our heads of the session's feeds; once it is sent the session is ready. */
static void
s_welcome(struct daemon *d, struct link *k, const struct wire_msg *m)
{
	struct wire_head *heads;
	size_t nh = 0;
	msgpack_sbuffer sb;

	if (!(heads = calloc(k->nfeeds, sizeof *heads)))
		return;
	for (size_t i = 0; i < k->nfeeds; i++) {
		sync_head(d, k->feeds[i].origin, &heads[nh]);
		k->feeds[i].stat.have = heads[nh].seq;
		nh++;
	}
	msgpack_sbuffer_init(&sb);
	wire_encode_welcome(&sb, d->node.conf.code, SCHEMA_VERSION, heads, nh);
	free(heads);
	if (link_send(d, k, &sb) == 0) {
		k->ready = 1;
		k->conn.connected = 1;
		k->conn.since_ms = now_ms();
		k->conn.schema = m->schema;
		if (m->schema < SCHEMA_VERSION)
			log_warnx("township \"%s\" runs schema %u, this hub %d: it holds the county's "
			    "change sets until it is upgraded", k->peer, m->schema, SCHEMA_VERSION);
		log_info("township \"%s\" connected (schema %u, %zu feeds)", k->peer, m->schema, nh);
		sync_pump(d, k);
	}
	msgpack_sbuffer_destroy(&sb);
}

/* A session begins: what the township has, what it wants; answer with what we have. */
static void
s_on_hello(struct daemon *d, struct link *k, const struct wire_msg *m)
{
	if (strcmp(m->node, k->peer) != 0) {
		log_warnx("\"%s\" says it is \"%s\": refused", k->peer, m->node);
		link_send_error(d, k, WERR_FORBIDDEN, NULL, "your key is that of %s, not %s", k->peer, m->node);
		return;
	}
	if (k->nfeeds)
		sync_save_link(d, k);   /* counters of the old session */
	link_reset(k);
	k->want_all = m->want_all;
	snprintf(k->gate, sizeof k->gate, "%s", d->node.conf.code);
	if (s_hello_feeds(d, k, m) < 0)
		return;
	sync_restore_stats(d, k);
	s_hello_heads(d, k, m);
	s_hello_county_ahead(d, k);
	s_welcome(d, k, m);
}

/*
 * The next message on SOCK into RID and BODY, one frame each (a message of
 * more frames is drained and dropped): 1 to read, 0 to drop, -1 when none
 * waits (RID and BODY closed then).
 */
static int
s_recv(void *sock, zmq_msg_t *rid, zmq_msg_t *body)
{
	zmq_msg_init(rid);
	zmq_msg_init(body);
	if (zmq_msg_recv(rid, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(rid);
		zmq_msg_close(body);
		return -1;
	}
	int ok = zmq_msg_more(rid) && zmq_msg_recv(body, sock, ZMQ_DONTWAIT) >= 0;
	while (ok && zmq_msg_more(body)) {     /* we send one frame a message: drain extras */
		zmq_msg_t x;
		zmq_msg_init(&x);
		zmq_msg_recv(&x, sock, ZMQ_DONTWAIT);
		zmq_msg_close(&x);
		ok = -1;
	}
	return ok == 1;
}

/*
 * Is message M from USER refused before it is handled?  USER must be on the
 * roster (else its link, unless FRESH, index IDX, is dropped), and a
 * township not in session (FRESH) may only say HELLO.
 */
static int
s_refused(struct daemon *d, struct link *k, int fresh, size_t idx, const char *user,
    const struct wire_msg *m)
{
	if (!s_admitted(d, user)) {
		link_send_error(d, k, WERR_NOT_ADMITTED, NULL, "%s is not on the roster", user);
		if (!fresh)
			s_drop_link(d, idx, "not on the roster: disconnected");
		return 1;
	}
	if (fresh && m->type != WIRE_HELLO) {
		if (m->type != WIRE_ERROR)
			link_send_error(d, k, WERR_HELLO_FIRST, NULL, "no session: send HELLO");
		return 1;
	}
	return 0;
}

/* The link of the session TMP of USER opens, replacing an old session of USER; NULL: no memory. */
static struct link *
s_session_open(struct daemon *d, const struct link *tmp, const char *user)
{
	struct link *k = NULL;

	for (size_t i = 0; i < d->nlinks; i++)
		if (strcmp(d->links[i]->peer, user) == 0) {
			s_drop_link(d, i, "reconnected: old session closed");
			break;
		}
	struct link **nl = realloc(d->links, (d->nlinks + 1) * sizeof *nl);
	if (!nl || !(k = calloc(1, sizeof *k))) {
		if (nl)
			d->links = nl;
		return NULL;
	}
	d->links = nl;
	*k = *tmp;
	d->links[d->nlinks++] = k;
	return k;
}

/* Message M of a township in session on link K (BODY: its frame, as received). */
static void
s_dispatch(struct daemon *d, struct link *k, const struct wire_msg *m, zmq_msg_t *body)
{
	switch (m->type) {
	case WIRE_HELLO:
		s_on_hello(d, k, m);
		break;
	case WIRE_CHANGESETS:
		if (!k->ready)
			link_send_error(d, k, WERR_HELLO_FIRST, NULL, "no session: send HELLO");
		else {
			hub_feed_of_peer(d, k, m->origin);
			sync_changesets(d, k, m, zmq_msg_data(body), zmq_msg_size(body));
		}
		break;
	case WIRE_ACK:
		sync_on_ack(d, k, m);
		break;
	case WIRE_NEED:
		sync_on_need(d, k, m);
		break;
	case WIRE_ERROR:
		sync_on_error(d, k, m);
		break;
	case WIRE_HEARTBEAT:
		break;
	case WIRE_WELCOME:
		log_warnx("\"%s\" sent WELCOME, which only a hub sends: dropped", k->peer);
		link_send_error(d, k, WERR_BAD_MESSAGE, NULL, "WELCOME is the hub's");
		break;
	default:
		link_send_error(d, k, WERR_BAD_MESSAGE, NULL, "unexpected message");
		break;
	}
}

/* One message from township USER (routing id RID): decoded, its sender checked, then handled. */
static void
s_on_message(struct daemon *d, const char *user, zmq_msg_t *rid, zmq_msg_t *body)
{
	char err[ERRBUF_SIZE];
	size_t idx = 0;
	struct link tmp, *k = s_link_by_rid(d, zmq_msg_data(rid), zmq_msg_size(rid), &idx);
	struct wire_msg m;

	if (!k) {
		/* not in session: only a HELLO opens one */
		memset(&tmp, 0, sizeof tmp);
		snprintf(tmp.peer, sizeof tmp.peer, "%s", user);
		memcpy(tmp.rid, zmq_msg_data(rid), zmq_msg_size(rid));
		tmp.ridlen = zmq_msg_size(rid);
		k = &tmp;
	}
	if (wire_decode(&m, zmq_msg_data(body), zmq_msg_size(body), err, sizeof err) < 0) {
		log_warnx("\"%s\": bad message dropped: %s", user, err);
		k->conn.errors++;
		snprintf(k->conn.last_error, sizeof k->conn.last_error, "bad message: %s", err);
		k->dirty = 1;
		link_send_error(d, k, WERR_BAD_MESSAGE, NULL, "%s", err);
		return;
	}
	if (s_refused(d, k, k == &tmp, idx, user, &m) ||
	    (k == &tmp && !(k = s_session_open(d, &tmp, user)))) {
		wire_msg_release(&m);
		return;
	}
	k->last_in = mono_ms();
	k->conn.last_contact_ms = now_ms();
	k->conn.bytes_in += zmq_msg_size(body);
	k->dirty = 1;
	s_dispatch(d, k, &m, body);
	if (k->ready)
		sync_pump(d, k);
	wire_msg_release(&m);
}

static int
s_on_router(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;

	(void)loop;
	for (int round = 0; round < 64; round++) {
		zmq_msg_t rid, body;
		int got = s_recv(sock, &rid, &body);
		if (got < 0)
			return 0;
		const char *user = got ? zmq_msg_gets(&body, "User-Id") : NULL;
		if (!got || zmq_msg_size(&rid) > sizeof d->links[0]->rid || !user || !*user)
			log_debug("dropped a message without routing id, user or with extra frames");
		else
			s_on_message(d, user, &rid, &body);
		zmq_msg_close(&rid);
		zmq_msg_close(&body);
	}
	return 0;
}

/* After a batch is stored: our own feed back from a township may lift a hold. */
static void
s_after_changesets(struct daemon *d, const char *origin)
{
	if (d->hold == 2 && strcmp(origin, d->node.conf.code) == 0)
		s_county_check(d);
}

/* Every tick: notice new commits (roster, county feed), pump, time out silent townships. */
static int
s_on_tick(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;
	int64_t now = mono_ms();

	(void)loop;
	(void)sock;
	if (sync_data_changed(d))
		hub_reload_roster(d);
	/* what changed since: other connections' commits, and our own (received batches) */
	int64_t version = d->data_version * 1000003 +
	    sqlite3_total_changes64(ledger_db(d->node.ledger));
	int changed = version != d->dup_version;
	if (changed) {
		d->dup_version = version;
		dupscan_kick(d);
	}
	s_refusal_summary(d, now);
	if (d->hold_unsaved)
		sync_hold_save(d);
	sync_epoch_tick(d);
	for (size_t i = 0; i < d->nlinks;) {
		struct link *k = d->links[i];
		if (now - k->last_in > d->node.conf.timeout_ms) {
			s_drop_link(d, i, "silent: disconnected");
			continue;
		}
		if (k->want_all && (changed || !k->nfeeds)) {     /* a new feed comes with a change */
			sqlite3_stmt *st = NULL;
			if (sqlite3_prepare_v2(ledger_db(d->node.ledger), "SELECT origin FROM feed", -1, &st,
			    NULL) == SQLITE_OK)
				while (sqlite3_step(st) == SQLITE_ROW) {
					const char *o = (const char *)sqlite3_column_text(st, 0);
					struct feedlink *f = link_feed(k, o, 0);
					if (!f && (f = link_feed(k, o, 1)))
						f->send = 1;
				}
			sqlite3_finalize(st);
		}
		sync_retry(d, k);
		sync_timers(d, k);
		sync_pump(d, k);
		i++;
	}
	sync_flush(d, 0);
	return 0;
}

static int
s_setsockopt_int(void *s, int opt, int v)
{
	return zmq_setsockopt(s, opt, &v, sizeof v);
}

int
hub_start(struct daemon *d, char *err, size_t errlen)
{
	int64_t maxmsg = (int64_t)WIRE_MAX_MSG;

	d->after_changesets = s_after_changesets;
	if (hub_reload_roster(d) < 0)
		return errf(err, errlen, "cannot read the roster");
	char v[512];
	if (ledger_meta_get(d->node.ledger, "write_hold", v, sizeof v) == 0 && sync_hold_kept(v)) {
		d->hold = 2;
		snprintf(d->hold_why, sizeof d->hold_why, "%s", v);
		ledger_meta_get(d->node.ledger, "hold_awaiting", d->awaiting, sizeof d->awaiting);
		log_info("writes stay on hold: %s (awaiting townships %s)", v,
		    d->awaiting[0] ? d->awaiting : "none");
	}
	/* the ZAP handler must be bound before the ROUTER accepts anyone */
	if (!(d->zap = zmq_socket(d->ctx, ZMQ_REP)) ||
	    zmq_bind(d->zap, "inproc://zeromq.zap.01") < 0)
		return errf(err, errlen, "ZAP handler: %s", zmq_strerror(errno));
	if (!(d->sock = zmq_socket(d->ctx, ZMQ_ROUTER)))
		return errf(err, errlen, "router: %s", zmq_strerror(errno));
	s_setsockopt_int(d->sock, ZMQ_CURVE_SERVER, 1);
	zmq_setsockopt(d->sock, ZMQ_CURVE_SECRETKEY, d->curve_sk, 40);
	zmq_setsockopt(d->sock, ZMQ_ZAP_DOMAIN, "lika", 4);
	s_setsockopt_int(d->sock, ZMQ_ROUTER_MANDATORY, 1);
	s_setsockopt_int(d->sock, ZMQ_LINGER, 1000);
	s_setsockopt_int(d->sock, ZMQ_SNDHWM, 10000);
	/*
	 * Received messages wait decrypted in libzmq's queue of each township
	 * until the loop reads them: a few a township, and the rest stays in TCP
	 * (the township's window and its socket), so 30 townships catching up at
	 * once do not pile their batches up in the hub's memory.
	 */
	s_setsockopt_int(d->sock, ZMQ_RCVHWM, HUB_RCVHWM);
	s_setsockopt_int(d->sock, ZMQ_HANDSHAKE_IVL, HANDSHAKE_IVL_MS);
	zmq_setsockopt(d->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	/* what libzmq does not tell the ZAP handler: timeouts and failed accepts */
	monitor_start(d, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_ACCEPT_FAILED, s_on_monitor);
	if (zmq_bind(d->sock, d->node.conf.listen) < 0)
		return errf(err, errlen, "cannot listen on \"%s\": %s", d->node.conf.listen,
		    zmq_strerror(errno));
	s_budget.summary_at = s_budget.window_at = mono_ms();
	loop_add_socket(d->loop, d->zap, s_on_zap, d);
	loop_add_socket(d->loop, d->sock, s_on_router, d);
	loop_add_timer(d->loop, TICK_MS, s_on_tick, d);
	sync_data_changed(d);
	log_info("%s hub \"%s\" listening on %s, %zu %s on the roster", role_name(d->node.conf.role),
	    d->node.conf.code, d->node.conf.listen, d->nroster,
	    d->node.conf.role == ROLE_PROVINCE ? "counties" : "townships");
	if (d->fd_limit && d->fd_limit < d->nroster + FD_RESERVE)
		log_warnx("descriptor limit %" PRIu64 " is below the %zu this hub needs (%zu townships on "
		    "the roster + %d): raise LimitNOFILE in likad.service", d->fd_limit,
		    d->nroster + FD_RESERVE, d->nroster, FD_RESERVE);
	return 0;
}

void
hub_stop(struct daemon *d)
{
	for (size_t i = 0; i < d->nlinks; i++) {
		d->links[i]->conn.connected = 0;
		d->links[i]->conn.since_ms = now_ms();
		d->links[i]->dirty = 1;
	}
	sync_flush(d, 1);
	while (d->nlinks)
		link_free(&d->links[--d->nlinks]);
	free(d->links);
	d->links = NULL;
	free(d->roster);
	d->roster = NULL;
	monitor_stop(d);
	if (d->sock)
		zmq_close(d->sock);
	if (d->zap)
		zmq_close(d->zap);
	d->sock = d->zap = NULL;
}
