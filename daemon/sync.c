/*
 * sync.c — feeds over a link: sending what the peer lacks within a window of
 * unacknowledged batches, storing what arrives through the ledger one batch a
 * transaction, acknowledging only once that is on disk.  Used by both roles.
 *
 * Receiving a CHANGESETS message (sync_changesets):
 *   1. checks before the ledger: the feed may come from this peer, it is not
 *      stopped, every body names the batch's origin;
 *   2. ledger_recv_begin with no wait for the write lock: if another writer
 *      holds it the frame is queued on the link and sync_retry stores it on a
 *      later tick, in order (nothing acknowledged meanwhile);
 *   3. s_authenticate, inside the transaction (the keys it reads are those
 *      the ledger checks against): each change set is hashed once, the batch
 *      is cut into runs of chained change sets under one key, and the
 *      signature of each run's last change set is checked (proto/PROTOCOL.md,
 *      "One signature a run");
 *   4. ledger_receive_verified for each change set, given the run's key when
 *      its run was authenticated (else the ledger checks its own signature);
 *      stored, held and duplicate go on, a gap or refusal stops the batch;
 *   5. ledger_sig_defer for the change sets stored on their run's authority,
 *      in the same transaction; ledger_recv_commit; the signature-check
 *      thread is woken (sigcheck.c);
 *   6. ACK of the head once the write-ahead log is synced past the commit
 *      (walsync.c: the commit itself does not wait for the disk), NEED on a
 *      gap, ERROR on a refusal; the role's after_changesets hook.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "likad.h"
#include "log.h"
#include "util.h"

struct feedlink *
link_feed(struct link *k, const char *origin, int create)
{
	for (size_t i = 0; i < k->nfeeds; i++)
		if (strcmp(k->feeds[i].origin, origin) == 0)
			return &k->feeds[i];
	if (!create)
		return NULL;
	struct feedlink *f = realloc(k->feeds, (k->nfeeds + 1) * sizeof *f);
	if (!f)
		return NULL;
	k->feeds = f;
	f = &k->feeds[k->nfeeds++];
	memset(f, 0, sizeof *f);
	snprintf(f->origin, sizeof f->origin, "%s", origin);
	snprintf(f->stat.peer, sizeof f->stat.peer, "%s", k->peer);
	snprintf(f->stat.feed, sizeof f->stat.feed, "%s", origin);
	return f;
}

void
link_reset(struct link *k)
{
	for (size_t i = 0; i < k->nqueued; i++)
		free(k->queued[i].data);
	free(k->queued);
	k->queued = NULL;
	k->nqueued = 0;
	free(k->feeds);
	k->feeds = NULL;
	k->nfeeds = 0;
	k->ready = 0;
	k->want_all = 0;
}

void
link_free(struct link **kp)
{
	if (!kp || !*kp)
		return;
	link_reset(*kp);
	free(*kp);
	*kp = NULL;
}

int
link_send(struct daemon *d, struct link *k, const msgpack_sbuffer *sb)
{
	void *sock = k->sock ? k->sock : d->sock;

	if (!sock)
		return -1;
	if (k->ridlen && zmq_send(sock, k->rid, k->ridlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
		log_debug("send to \"%s\": %s", k->peer, zmq_strerror(errno));
		return -1;
	}
	if (zmq_send(sock, sb->data, sb->size, ZMQ_DONTWAIT) < 0) {
		log_debug("send to \"%s\": %s", k->peer, zmq_strerror(errno));
		return -1;
	}
	k->last_out = mono_ms();
	k->conn.bytes_out += sb->size;
	k->dirty = 1;
	return 0;
}

int
link_send_error(struct daemon *d, struct link *k, unsigned code, const char *origin,
    const char *fmt, ...)
{
	char detail[WIRE_DETAIL_MAX];
	msgpack_sbuffer sb;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	msgpack_sbuffer_init(&sb);
	wire_encode_error(&sb, code, origin, detail);
	int rc = link_send(d, k, &sb);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

void
sync_head(struct daemon *d, const char *origin, struct wire_head *h)
{
	walsync_now(d);     /* a head the peer is told of is on disk: a received one too */
	memset(h, 0, sizeof *h);
	snprintf(h->origin, sizeof h->origin, "%s", origin);
	if (ledger_feed_head(d->node.ledger, origin, &h->seq, h->id) < 0)
		h->seq = 0;
}

int
sync_heads(struct daemon *d, const char *origin, uint64_t *have, uint64_t *forwardable)
{
	sqlite3 *db = ledger_db(d->node.ledger);
	int64_t key = d->data_version * 1000003 + sqlite3_total_changes64(db);

	if (key != d->heads_key) {
		d->nheads = 0;
		d->heads_key = key;
	}
	for (size_t i = 0; i < d->nheads; i++)
		if (strcmp(d->heads[i].origin, origin) == 0) {
			*have = d->heads[i].have;
			*forwardable = d->heads[i].forwardable;
			return 0;
		}
	if (ledger_feed_heads(d->node.ledger, origin, have, forwardable) < 0)
		return -1;
	struct head_cache *h = realloc(d->heads, (d->nheads + 1) * sizeof *h);
	if (h) {
		d->heads = h;
		h = &d->heads[d->nheads++];
		snprintf(h->origin, sizeof h->origin, "%s", origin);
		h->have = *have;
		h->forwardable = *forwardable;
	}
	return 0;
}

/*
 * Change sets in one batch we send, at most: the hub stores a batch in one
 * transaction, so batch_bytes bounds how long it holds the write lock, and
 * this only bounds the count.  It was 1024: a catch-up of one-op change sets
 * (some 250 bytes each) then committed every quarter of batch_bytes, and the
 * hub stored 46-61k of them a second; at 4096, 90-100k.
 */
#define BATCH_MAX_CS 4096
/*
 * A session's first batches are smaller: 1/16, 1/8, 1/4 and 1/2 of
 * batch_bytes, then whole.  The receiver stores nothing before the first
 * batch has arrived whole: with 4,096 one-op change sets in it, the hub sat
 * idle while the township read, encoded and sent them all.  A small one
 * starts the receiver at once, and the ones behind it are read meanwhile.
 */
#define BATCH_RAMP 4

/* A batch being filled from the ledger (s_fill). */
struct s_fill {
	struct wire_cs *cs;
	uint8_t (*sigs)[SIG_BYTES];
	size_t n, bytes, max_bytes;
};

/* One change set into the batch: 1 when the batch is full (it is left out then, unless first). */
static int
s_fill(void *arg, uint64_t seq, const uint8_t *body, size_t len, const uint8_t *sig)
{
	struct s_fill *b = arg;
	uint8_t *copy;

	(void)seq;
	if (b->n > 0 && b->bytes + len > b->max_bytes)
		return 1;
	if (!(copy = malloc(len ? len : 1)))
		return 1;
	memcpy(copy, body, len);
	memcpy(b->sigs[b->n], sig, SIG_BYTES);
	b->cs[b->n] = (struct wire_cs){ copy, len, b->sigs[b->n], SIG_BYTES };
	b->bytes += len;
	b->n++;
	return b->bytes >= b->max_bytes;
}

/* Send one batch of ORIGIN from seq FROM (at most batch_bytes, at least one). */
static int
s_send_batch(struct daemon *d, struct link *k, struct feedlink *f, uint64_t from, uint64_t head)
{
	/* static: ~400 KiB is too much for the stack, and likad sends from one thread */
	static struct wire_cs cs[BATCH_MAX_CS];
	static uint8_t sigs[BATCH_MAX_CS][SIG_BYTES];
	unsigned ramp = f->batches < BATCH_RAMP ? BATCH_RAMP - f->batches : 0;
	struct s_fill b = { cs, sigs, 0, 0, d->node.conf.batch_bytes >> ramp };
	uint64_t to = head - from < BATCH_MAX_CS ? head : from + BATCH_MAX_CS - 1, missing;
	size_t n;
	int rc = -1;

	if (from > head)
		return -1;
	/* what was read before a missing seq still goes */
	if (ledger_changeset_each(d->node.ledger, f->origin, from, to, s_fill, &b, &missing) < 0)
		log_warnx("feed \"%s\" seq %" PRIu64 ": cannot be read", f->origin, missing);
	n = b.n;
	if (n > 0) {
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		wire_encode_changesets(&sb, f->origin, cs, n);
		if (link_send(d, k, &sb) == 0) {
			if (f->ninflight == 0)
				f->inflight_at = mono_ms();
			f->sent = from + n - 1;
			f->inflight[f->ninflight++] = f->sent;
			f->batches++;
			f->stat.bytes_out += sb.size;
			log_debug("sent \"%s\" %" PRIu64 "..%" PRIu64 " to \"%s\" (%zu bytes)", f->origin,
			    from, f->sent, k->peer, sb.size);
			rc = 0;
		}
		msgpack_sbuffer_destroy(&sb);
	}
	for (size_t i = 0; i < n; i++)
		free((void *)cs[i].body);
	return rc;
}

void
sync_pump(struct daemon *d, struct link *k)
{
	unsigned window = d->node.conf.window;

	if (!k->ready)
		return;
	if (window > WINDOW_MAX)
		window = WINDOW_MAX;
	/*
	 * A township can check another township's change sets only with its
	 * roster entry, which the county feed brings: send those feeds once the
	 * peer holds the whole county feed, lest they be refused as unknown.  Its
	 * own feed too when it holds none of it (a new machine, `lika init
	 * --restore-from-hub`): the first seqs are under a retired key that only
	 * the county feed's roster names.
	 */
	int gated = 0;
	struct feedlink *g = k->gate[0] ? link_feed(k, k->gate, 0) : NULL;
	if (g) {
		uint64_t gh, gfwd;
		gated = sync_heads(d, g->origin, &gh, &gfwd) == 0 && g->theirs < gh;
	}
	for (size_t i = 0; i < k->nfeeds; i++) {
		struct feedlink *f = &k->feeds[i];
		uint64_t have, head;
		/* HEAD: what may leave, every signature up to it checked (ledger_sig_check) */
		if (!f->send || f->refused || sync_heads(d, f->origin, &have, &head) < 0)
			continue;
		if (gated && f != g && (strcmp(f->origin, k->peer) != 0 || f->theirs == 0))
			continue;
		if (f->stat.have != have) {
			f->stat.have = have;
			k->dirty = 1;
		}
		while (f->ninflight < window) {
			uint64_t from = (f->sent > f->theirs ? f->sent : f->theirs) + 1;
			if (from > head || s_send_batch(d, k, f, from, head) < 0)
				break;
		}
	}
}

/* The origin a change set body names, read from its fixed prefix: [1, "code", ...]. */
static int
s_body_origin(const uint8_t *b, size_t len, char out[CODE_MAX])
{
	if (len < 3 || b[0] != 0x98 || b[1] != CHANGESET_FORMAT || (b[2] & 0xe0) != 0xa0)
		return -1;
	size_t n = b[2] & 0x1f;
	if (n == 0 || n >= CODE_MAX || len < 3 + n)
		return -1;
	memcpy(out, b + 3, n);
	out[n] = '\0';
	return 0;
}

static void
s_feed_error(struct link *k, struct feedlink *f, const char *msg)
{
	struct peer_row *r = f ? &f->stat : &k->conn;

	r->errors++;
	snprintf(r->last_error, sizeof r->last_error, "%s", msg);
	k->dirty = 1;
}

/* ---- one signature a run (proto/PROTOCOL.md, "One signature a run") ------------- */

/*
 * What the chain lets a receiver skip.  A change set's prev is the id
 * (BLAKE2b-256) of the body before it, so a valid signature on the last
 * change set of a run of linked change sets under one key authenticates the
 * bodies of the whole run.  AUTH[i] is the key that authenticated change set
 * i (NULL: not authenticated; the ledger checks its signature itself); OWN[i]
 * is 1 if its own signature was the one checked.
 */
struct s_batch_auth {
	uint8_t (*id)[HASH_BYTES];  /* each change set's id, hashed once for the batch */
	uint8_t (*key)[PUBKEY_BYTES];
	const uint8_t **auth;
	uint8_t *own;
};

static void
s_auth_release(struct s_batch_auth *a)
{
	free(a->id);
	free(a->key);
	free(a->auth);
	free(a->own);
	memset(a, 0, sizeof *a);
}

/* The key for SEQ into KEY, looked up only past *LAST (the last seq the key held for). */
static int
s_key(struct ledger *l, const char *origin, uint64_t seq, const uint8_t *prev_key, uint8_t *key,
    uint64_t *last)
{
	if (prev_key && seq <= *last) {
		memcpy(key, prev_key, PUBKEY_BYTES);
		return 0;
	}
	return ledger_origin_key_upto(l, origin, seq, key, last);
}

/* May change set I+1 of M continue the run of change set I (linked, same key)? */
static int
s_links(struct ledger *l, const struct wire_msg *m, size_t i, const uint8_t id[HASH_BYTES],
    uint64_t seq, struct s_batch_auth *a, uint64_t *last)
{
	uint64_t next;
	uint8_t prev[HASH_BYTES];

	if (i + 1 >= m->ncs || changeset_peek(m->cs[i + 1].body, m->cs[i + 1].len, &next, prev) < 0)
		return 0;
	if (next != seq + 1 || memcmp(prev, id, HASH_BYTES) != 0)
		return 0;
	if (s_key(l, m->origin, next, a->key[i], a->key[i + 1], last) < 0)
		return 0;
	return memcmp(a->key[i + 1], a->key[i], PUBKEY_BYTES) == 0;
}

/*
 * Split batch M into runs (linked change sets under one key) and check the
 * signature of each run's last change set.  -1: out of memory (the ledger
 * then checks every signature itself).
 */
static int
s_authenticate(struct ledger *l, const struct wire_msg *m, struct s_batch_auth *a)
{
	size_t n = m->ncs ? m->ncs : 1, first = 0;
	uint64_t seq = 0, last = 0;     /* the last seq KEY of the current run holds for */
	uint8_t prev[HASH_BYTES];

	a->id = calloc(n, sizeof *a->id);
	a->key = calloc(n, sizeof *a->key);
	a->auth = calloc(n, sizeof *a->auth);
	a->own = calloc(n, 1);
	if (!a->id || !a->key || !a->auth || !a->own) {
		s_auth_release(a);
		return -1;
	}
	for (size_t i = 0; i < m->ncs; i++) {
		const struct wire_cs *c = &m->cs[i];
		changeset_id(a->id[i], c->body, c->len);
		/* a run starts with a fresh look-up: LAST then goes with KEY[i] */
		if (i == first && (changeset_peek(c->body, c->len, &seq, prev) < 0 ||
		    s_key(l, m->origin, seq, NULL, a->key[i], &last) < 0)) {
			first = i + 1;      /* the ledger says what is wrong with it */
			continue;
		}
		if (s_links(l, m, i, a->id[i], seq, a, &last)) {
			seq++;
			continue;
		}
		/* change set I ends a run: its signature speaks for FIRST..I */
		if (c->siglen == SIG_BYTES && changeset_verify_sig(c->sig, c->body, c->len, a->key[i]) == 0) {
			for (size_t j = first; j <= i; j++)
				a->auth[j] = a->key[i];
			a->own[i] = 1;
		}
		first = i + 1;
	}
	return 0;
}

/*
 * May batch M of K's feed be stored?  1 if so; 0 if not, after saying why
 * to the sender (a feed it may not send, one with a malformed change set) or
 * not (a feed stopped after a refusal).
 */
static int
s_batch_admissible(struct daemon *d, struct link *k, struct feedlink *f, const struct wire_msg *m,
    size_t bytes)
{
	char origin[CODE_MAX];

	if (!f || !f->recv) {
		log_warnx("\"%s\" sent change sets of feed \"%s\", which it may not send: dropped",
		    k->peer, m->origin);
		s_feed_error(k, NULL, "sent a feed it may not send");
		link_send_error(d, k, WERR_FORBIDDEN, NULL, "feed %s is not yours to send", m->origin);
		return 0;
	}
	f->stat.bytes_in += bytes;
	if (f->stopped) {
		char why[256];
		/* an admin may have dealt with it (lika quarantine resolve) */
		if (ledger_feed_frozen(d->node.ledger, m->origin, why, sizeof why) == 1) {
			log_debug("feed \"%s\" from \"%s\" is stopped: batch ignored", m->origin, k->peer);
			return 0;
		}
		log_info("feed \"%s\" from \"%s\" was unfrozen: accepting it again", m->origin, k->peer);
		f->stopped = 0;
	}
	for (size_t i = 0; i < m->ncs; i++)
		if (s_body_origin(m->cs[i].body, m->cs[i].len, origin) < 0 || strcmp(origin, m->origin)) {
			log_warnx("\"%s\": change set %zu of a batch of feed \"%s\" is malformed or of "
			    "another feed: batch dropped", k->peer, i, m->origin);
			s_feed_error(k, f, "malformed change set or one of another feed");
			link_send_error(d, k, WERR_BAD_MESSAGE, m->origin, "change set %zu is malformed or not of feed %s",
			    i, m->origin);
			return 0;
		}
	return 1;
}

/* What storing a batch came to. */
struct s_batch_result {
	uint64_t head_before;       /* the feed's head before the batch */
	size_t stored, dup, held;
	uint64_t deferred;          /* the first seq stored on the chain's authority alone */
	enum recv_result res;       /* of the change set that stopped it */
	int stop;                   /* 0 all taken, 1 a gap, 2 refused (the feed stops) */
	char reason[ERRBUF_SIZE];
};

/* Each change set of M into the open transaction; -1 on a ledger error (R->reason). */
static int
s_batch_receive(struct ledger *l, struct link *k, const struct wire_msg *m,
    const struct s_batch_auth *auth, struct s_batch_result *r)
{
	uint8_t prev[HASH_BYTES];

	for (size_t i = 0; i < m->ncs && !r->stop; i++) {
		const uint8_t *pk = auth->auth ? auth->auth[i] : NULL;
		struct ledger_recv in = {
			.body = m->cs[i].body, .len = m->cs[i].len, .sig = m->cs[i].sig,
			.siglen = m->cs[i].siglen, .id = auth->id ? auth->id[i] : NULL, .verified_pk = pk,
			.peer = k->peer,
		};
		if (ledger_receive_verified(l, &in, &r->res, r->reason, sizeof r->reason) < 0)
			return -1;
		switch (r->res) {
		case RECV_STORED:
		case RECV_HELD:
			r->stored++;
			if (r->res == RECV_HELD && !r->held++)      /* once a batch: the rest wait behind it */
				log_info("feed \"%s\": %s", m->origin, r->reason);
			/* stored on the chain's authority: its own signature is checked later */
			if (pk && !auth->own[i] && !r->deferred &&
			    changeset_peek(m->cs[i].body, m->cs[i].len, &r->deferred, prev) < 0)
				r->deferred = r->head_before + 1;   /* not reached: it was stored */
			break;
		case RECV_DUPLICATE:
			r->dup++;
			break;
		case RECV_GAP:
			r->stop = 1;
			break;
		case RECV_REFUSED:
		case RECV_FORK:
		case RECV_FROZEN:
			r->stop = 2;
			break;
		default:
			r->stop = 2;
			snprintf(r->reason, sizeof r->reason, "unknown result");
			break;
		}
	}
	return 0;
}

/* Send the ACK of F's head SEQ over K. */
static void
s_ack(struct daemon *d, struct link *k, const struct feedlink *f, uint64_t seq)
{
	msgpack_sbuffer sb;

	msgpack_sbuffer_init(&sb);
	wire_encode_ack(&sb, f->origin, seq);
	link_send(d, k, &sb);
	msgpack_sbuffer_destroy(&sb);
}

static void
s_acks_link(struct daemon *d, struct link *k)
{
	for (size_t i = 0; i < k->nfeeds; i++) {
		struct feedlink *f = &k->feeds[i];
		if (f->ack_gen && walsync_synced(d, f->ack_gen)) {
			f->ack_gen = 0;
			s_ack(d, k, f, f->ack_seq);
		}
	}
}

void
sync_acks(struct daemon *d)
{
	for (size_t i = 0; i < d->nlinks; i++)
		s_acks_link(d, d->links[i]);
	s_acks_link(d, &d->up);
}

/*
 * After a batch is stored (up to HEAD) by the commit of generation GEN:
 * acknowledge it once that is synced, ask for a gap, stop a refused feed.
 */
static void
s_batch_answer(struct daemon *d, struct link *k, struct feedlink *f, const struct wire_msg *m,
    uint64_t head_before, uint64_t head, uint64_t gen, const struct s_batch_result *r)
{
	if (r->stop == 2) {
		f->stopped = 1;
		f->stat.quarantined += r->res == RECV_FROZEN ? 0 : 1;
		log_warnx("feed \"%s\" from \"%s\": change set %s: %s; feed stopped",
		    m->origin, k->peer, recv_result_name(r->res), r->reason);
		s_feed_error(k, f, r->reason);
		link_send_error(d, k, WERR_REFUSED, m->origin, "feed %s: %s: %s", m->origin,
		    recv_result_name(r->res), r->reason);
	}
	/*
	 * Acknowledge what is durably stored, even if nothing new: the sender
	 * moves on.  A later batch's ACK stands for an earlier one still waiting.
	 */
	f->ack_seq = head;
	f->ack_gen = gen;
	if (walsync_synced(d, gen)) {
		f->ack_gen = 0;
		s_ack(d, k, f, head);
	}
	if (r->stop == 1) {
		int64_t now = mono_ms();
		/* one NEED per gap until it is answered or times out */
		if (f->need_from != head + 1 || now - f->need_at > d->node.conf.timeout_ms) {
			msgpack_sbuffer sb;
			log_debug("feed \"%s\" from \"%s\": %s; asking from %" PRIu64, m->origin, k->peer,
			    r->reason, head + 1);
			msgpack_sbuffer_init(&sb);
			wire_encode_need(&sb, m->origin, head + 1);
			if (link_send(d, k, &sb) == 0) {
				f->need_from = head + 1;
				f->need_at = now;
			}
			msgpack_sbuffer_destroy(&sb);
		}
	} else if (head != head_before) {
		f->need_from = 0;
	}
}

/* Store batch M; 1 if the ledger is busy (another writer): nothing done, nothing sent. */
static int
s_store(struct daemon *d, struct link *k, const struct wire_msg *m, size_t bytes)
{
	struct ledger *l = d->node.ledger;
	struct feedlink *f = link_feed(k, m->origin, 0);
	struct s_batch_auth auth = { 0 };
	struct s_batch_result r = { .res = RECV_STORED };
	char err[ERRBUF_SIZE];
	uint64_t head_before, head;
	uint8_t id[HASH_BYTES];
	int rc;

	if (!s_batch_admissible(d, k, f, m, bytes))
		return 0;
	ledger_feed_head(l, m->origin, &head_before, id);
	r.head_before = head_before;
	if ((rc = ledger_recv_begin(l, err, sizeof err)) < 0) {
		if (rc == LEDGER_BUSY) {
			f->stat.bytes_in -= bytes;      /* counted when it is stored */
			return 1;
		}
		log_warnx("\"%s\": %s", k->peer, err);
		link_send_error(d, k, WERR_INTERNAL, NULL, "could not store: try again");
		return 0;
	}
	/* inside the transaction: the keys it looks up are the ones the ledger checks against */
	s_authenticate(l, m, &auth);
	rc = s_batch_receive(l, k, m, &auth, &r);
	s_auth_release(&auth);
	if (rc < 0 || (r.deferred && ledger_sig_defer(l, m->origin, r.deferred, r.reason,
	    sizeof r.reason) < 0)) {
		ledger_rollback(l);
		log_warnx("feed \"%s\" from \"%s\": %s", m->origin, k->peer, r.reason);
		s_feed_error(k, f, r.reason);
		link_send_error(d, k, WERR_INTERNAL, NULL, "could not store: try again");
		return 0;
	}
	if (ledger_recv_commit(l, err, sizeof err) < 0) {
		log_warnx("feed \"%s\" from \"%s\": %s", m->origin, k->peer, err);
		s_feed_error(k, f, err);
		link_send_error(d, k, WERR_INTERNAL, NULL, "could not commit: try again");
		return 0;
	}
	uint64_t gen = walsync_committed(d);
	/*
	 * The ACKs of earlier batches whose sync ended meanwhile, now: in a
	 * catch-up the loop goes from batch to batch without polling, and the
	 * sender's window waits for them.
	 */
	sync_acks(d);
	if (r.deferred)
		sigcheck_kick(d);
	ledger_feed_head(l, m->origin, &head, id);
	if (head > f->theirs)
		f->theirs = head;
	f->stat.have = head;
	f->stat.theirs = f->theirs;
	k->dirty = 1;
	if (r.stored)
		log_debug("feed \"%s\" from \"%s\": %zu stored, %zu duplicate, head %" PRIu64,
		    m->origin, k->peer, r.stored, r.dup, head);
	s_batch_answer(d, k, f, m, head_before, head, gen, &r);
	if (d->after_changesets)
		d->after_changesets(d, m->origin);
	return 0;
}

void
sync_changesets(struct daemon *d, struct link *k, const struct wire_msg *m, const void *frame,
    size_t len)
{
	struct sync_frame *q;

	if (k->nqueued == 0 && s_store(d, k, m, len) == 0)
		return;
	if (k->nqueued == QUEUE_MAX || !(q = realloc(k->queued, (k->nqueued + 1) * sizeof *q))) {
		/* not acknowledged: the sender sends it again when its window times out */
		log_debug("\"%s\": ledger busy and %zu batches queued: batch dropped", k->peer, k->nqueued);
		return;
	}
	k->queued = q;
	q = &k->queued[k->nqueued];
	if (!(q->data = malloc(len ? len : 1)))
		return;
	memcpy(q->data, frame, len);
	q->len = len;
	if (k->nqueued++ == 0)
		log_debug("\"%s\": ledger busy (another writer): batch of \"%s\" queued", k->peer, m->origin);
}

void
sync_retry(struct daemon *d, struct link *k)
{
	char err[ERRBUF_SIZE];
	size_t done = 0;

	while (done < k->nqueued) {
		struct sync_frame *q = &k->queued[done];
		struct wire_msg m;
		if (wire_decode(&m, q->data, q->len, err, sizeof err) == 0) {
			int busy = s_store(d, k, &m, q->len);
			wire_msg_release(&m);
			if (busy)
				break;
		}
		free(q->data);
		done++;
	}
	if (done) {
		memmove(k->queued, k->queued + done, (k->nqueued - done) * sizeof *k->queued);
		k->nqueued -= done;
		log_debug("\"%s\": %zu queued batches stored, %zu still queued", k->peer, done, k->nqueued);
	}
}

void
sync_on_ack(struct daemon *d, struct link *k, const struct wire_msg *m)
{
	struct feedlink *f = link_feed(k, m->origin, 0);
	unsigned j = 0;

	if (!f || !f->send)
		return;         /* an ack for a feed we do not send: nothing to do */
	if (strcmp(m->origin, d->node.conf.code) == 0)
		d->epoch_due = 1;       /* a peer holds more of our feed: a copy from before is behind */
	if (m->seq > f->stat.acked)
		f->stat.acked = m->seq;
	if (m->seq > f->theirs)
		f->theirs = m->seq;
	f->stat.theirs = f->theirs;
	for (unsigned i = 0; i < f->ninflight; i++)
		if (f->inflight[i] > m->seq)
			f->inflight[j++] = f->inflight[i];
	if (j != f->ninflight)
		f->inflight_at = mono_ms();
	f->ninflight = j;
	/* an ack below what we sent, with nothing left in flight: the rest was lost */
	if (f->ninflight == 0 && f->sent > m->seq)
		f->sent = m->seq;
	k->dirty = 1;
}

void
sync_on_need(struct daemon *d, struct link *k, const struct wire_msg *m)
{
	struct feedlink *f = link_feed(k, m->origin, 0);

	(void)d;
	if (!f || !f->send) {
		log_debug("\"%s\" asked for feed \"%s\", which we do not send it", k->peer, m->origin);
		return;
	}
	log_debug("\"%s\" asks for \"%s\" from %" PRIu64, k->peer, m->origin, m->seq);
	f->sent = m->seq - 1;
	f->theirs = m->seq - 1;
	f->ninflight = 0;
}

void
sync_on_error(struct daemon *d, struct link *k, const struct wire_msg *m)
{
	struct feedlink *f = m->origin[0] ? link_feed(k, m->origin, 0) : NULL;

	(void)d;
	k->conn.errors++;
	snprintf(k->conn.last_error, sizeof k->conn.last_error, "%s: %s", wire_error_name((int)m->code),
	    m->detail);
	k->dirty = 1;
	if (f && f->send && (m->code == WERR_REFUSED || m->code == WERR_BAD_MESSAGE)) {
		/* sending it again would only be refused again: wait for the next session */
		f->refused = 1;
		f->ninflight = 0;
		f->stat.errors++;
		snprintf(f->stat.last_error, sizeof f->stat.last_error, "%s", m->detail);
		log_warnx("\"%s\" refuses feed \"%s\": %s; not sending it this session", k->peer,
		    m->origin, m->detail);
	} else if (m->code != WERR_HELLO_FIRST) {
		log_warnx("\"%s\" reports: %s: %s", k->peer, wire_error_name((int)m->code), m->detail);
	}
}

void
sync_timers(struct daemon *d, struct link *k)
{
	int64_t now = mono_ms();

	if (!k->ready)
		return;
	for (size_t i = 0; i < k->nfeeds; i++) {
		struct feedlink *f = &k->feeds[i];
		if (f->ninflight && now - f->inflight_at > d->node.conf.timeout_ms) {
			log_info("feed \"%s\" to \"%s\": no ack for %" PRId64 " ms, resending from %" PRIu64,
			    f->origin, k->peer, now - f->inflight_at, f->theirs + 1);
			f->ninflight = 0;
			f->sent = f->theirs;
		}
	}
	if (now - k->last_out >= d->node.conf.heartbeat_ms) {
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		wire_encode_heartbeat(&sb);
		link_send(d, k, &sb);
		msgpack_sbuffer_destroy(&sb);
	}
}

/* The row of (PEER, FEED) a busy ledger refused, or NULL. */
static struct peer_row *
s_unsaved(struct daemon *d, const char *peer, const char *feed)
{
	for (size_t i = 0; i < d->nunsaved; i++)
		if (strcmp(d->unsaved[i].peer, peer) == 0 && strcmp(d->unsaved[i].feed, feed) == 0)
			return &d->unsaved[i];
	return NULL;
}

/* Keep ROW for the next sync_flush, unless NEWER only and a newer one is kept already. */
static void
s_keep(struct daemon *d, const struct peer_row *row, int newer)
{
	struct peer_row *u = s_unsaved(d, row->peer, row->feed);

	if (u && newer)
		return;
	if (!u) {
		struct peer_row *grown = realloc(d->unsaved, (d->nunsaved + 1) * sizeof *grown);
		if (!grown)
			return;
		d->unsaved = grown;
		u = &d->unsaved[d->nunsaved++];
	}
	*u = *row;
}

/*
 * Write ROW of table peer; if the ledger refuses it, keep it for the next
 * sync_flush: a session that just ended has no link left to write it from.
 */
static int
s_peer_save(struct daemon *d, const struct peer_row *row)
{
	char err[ERRBUF_SIZE];

	if (peer_save(ledger_db(d->node.ledger), row, err, sizeof err) == 0)
		return 0;
	log_debug("%s", err);
	s_keep(d, row, 0);
	return -1;
}

static void
s_restore(struct daemon *d, const char *peer, const char *feed, struct peer_row *r)
{
	struct peer_row old, *u = s_unsaved(d, peer, feed);

	if (u)
		old = *u;       /* newer than the table's */
	else if (peer_load(ledger_db(d->node.ledger), peer, feed, &old) < 0)
		return;
	r->bytes_in = old.bytes_in;
	r->bytes_out = old.bytes_out;
	r->errors = old.errors;
	r->quarantined = old.quarantined;
	if (!r->schema)
		r->schema = old.schema;
	if (feed[0])
		r->acked = old.acked;
	snprintf(r->last_error, sizeof r->last_error, "%s", old.last_error);
}

void
sync_restore_stats(struct daemon *d, struct link *k)
{
	if (!k->conn.peer[0]) {
		snprintf(k->conn.peer, sizeof k->conn.peer, "%s", k->peer);
		s_restore(d, k->peer, "", &k->conn);
	}
	for (size_t i = 0; i < k->nfeeds; i++)
		if (!k->feeds[i].restored) {
			s_restore(d, k->peer, k->feeds[i].origin, &k->feeds[i].stat);
			k->feeds[i].restored = 1;
		}
}

void
sync_save_link(struct daemon *d, struct link *k)
{
	int failed = 0;

	snprintf(k->conn.peer, sizeof k->conn.peer, "%s", k->peer);
	k->conn.feed[0] = '\0';
	if (s_peer_save(d, &k->conn) < 0)
		failed = 1;
	for (size_t i = 0; i < k->nfeeds; i++) {
		struct feedlink *f = &k->feeds[i];
		f->stat.connected = k->conn.connected;
		f->stat.since_ms = k->conn.since_ms;
		f->stat.last_contact_ms = k->conn.last_contact_ms;
		if (s_peer_save(d, &f->stat) < 0)
			failed = 1;
	}
	k->dirty = failed;          /* written again on the next flush */
}

int
sync_data_changed(struct daemon *d)
{
	sqlite3 *db = ledger_db(d->node.ledger);
	int64_t v = -1;

	if (!d->st_data_version &&
	    sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &d->st_data_version, NULL) != SQLITE_OK)
		return 1;
	sqlite3_reset(d->st_data_version);
	if (sqlite3_step(d->st_data_version) == SQLITE_ROW)
		v = sqlite3_column_int64(d->st_data_version, 0);
	sqlite3_reset(d->st_data_version);
	if (v == d->data_version)
		return 0;
	d->data_version = v;
	return 1;
}

void
sync_flush(struct daemon *d, int force)
{
	int64_t now = mono_ms();
	int any = 0;
	struct ledger *l = d->node.ledger;
	char err[ERRBUF_SIZE];

	if (!force && now < d->next_flush)
		return;
	d->next_flush = now + 1000;
	for (size_t i = 0; i < d->nlinks; i++)
		any |= d->links[i]->dirty;
	any |= d->up.dirty && d->up.peer[0];
	if (!any && !force && !d->nunsaved)
		return;
	/* counters: the loop does not wait for the disk once a second for them */
	if (ledger_begin_unsynced(l, err, sizeof err) < 0) {
		log_debug("peer state: %s", err);
		return;
	}
	/* first the rows refused before (ended sessions'), then the live ones, newer */
	size_t refused = d->nunsaved;
	struct peer_row *rows = d->unsaved;
	d->unsaved = NULL;
	d->nunsaved = 0;
	for (size_t i = 0; i < refused; i++)
		s_peer_save(d, &rows[i]);
	for (size_t i = 0; i < d->nlinks; i++)
		if (d->links[i]->dirty || force)
			sync_save_link(d, d->links[i]);
	if (d->up.peer[0] && (d->up.dirty || force))
		sync_save_link(d, &d->up);
	if (ledger_end(l, err, sizeof err) < 0) {
		log_debug("peer state: %s", err);
		for (size_t i = 0; i < d->nlinks; i++)
			d->links[i]->dirty = 1;     /* nothing was written: all again next time */
		d->up.dirty = 1;
		for (size_t i = 0; i < refused; i++)
			s_keep(d, &rows[i], 1);
	}
	free(rows);
}

/* ---- write hold (meta write_hold: ledger_append refuses to write while it is set) ---- */

int
sync_hold_kept(const char *why)
{
	return strncmp(why, HOLD_BEHIND, strlen(HOLD_BEHIND)) == 0 ||
	    strncmp(why, NODE_HOLD_RESTORED, strlen(NODE_HOLD_RESTORED)) == 0;
}

/*
 * The ledger's hold rows as D has them.  The loop never waits for the write
 * lock (busy timeout 0): if another writer holds it (a clerk's write, an
 * import), the rows are written again on the next tick.  Until then the
 * ledger errs on the safe side only when lifting: a hold not yet written lets
 * the tool write for those ticks, so it is retried at once.  A hold the
 * ledger had and no longer has was lifted by an administrator: it is not
 * written back (sync_hold_lifted).
 */
void
sync_hold_save(struct daemon *d)
{
	char err[ERRBUF_SIZE];

	if (sync_hold_lifted(d))
		return;
	int rc = d->hold ? node_hold_set(&d->node, d->hold_why, d->hold == 2 ? d->awaiting :
	    d->node.id.county, err, sizeof err) : node_hold_clear(&d->node, err, sizeof err);

	if (rc == 0) {
		if (d->hold_unsaved == 2)
			log_info("write hold: written (%s)", d->hold ? "held" : "lifted");
		d->hold_unsaved = 0;
		return;
	}
	if (d->hold_unsaved != 2)
		log_warnx("write hold: %s: written again once the ledger is free", err);
	d->hold_unsaved = 2;
}

int
sync_hold_lifted(struct daemon *d)
{
	char v[512];

	/* while our own write is pending the ledger does not say our hold yet */
	if (!d->hold || d->hold_unsaved ||
	    (ledger_meta_get(d->node.ledger, "write_hold", v, sizeof v) == 0 && v[0]))
		return 0;
	log_info("writes allowed: the hold was lifted by hand (lika hold lift)");
	d->hold = 0;
	d->hold_why[0] = d->awaiting[0] = '\0';
	return 1;
}

void
sync_hold(struct daemon *d, int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->hold_why, sizeof d->hold_why, fmt, ap);
	va_end(ap);
	if (kind == 2 && !d->awaiting[0])
		node_hold_peers(&d->node, d->awaiting, sizeof d->awaiting);
	if (kind != d->hold)
		log_info("writes on hold: %s", d->hold_why);
	d->hold = kind;
	d->hold_unsaved = 1;        /* ours to write, whatever the ledger has */
	sync_hold_save(d);
}

void
sync_unhold(struct daemon *d, const char *why)
{
	if (!d->hold)
		return;
	log_info("writes allowed: %s", why);
	d->hold = 0;
	d->hold_why[0] = '\0';
	d->awaiting[0] = '\0';
	d->hold_unsaved = 1;
	sync_hold_save(d);
}

int
sync_awaiting_has(struct daemon *d, const char *code)
{
	size_t n = strlen(code);

	for (const char *p = d->awaiting; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strncmp(p, code, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

int
sync_awaiting_drop(struct daemon *d, const char *code)
{
	char out[sizeof d->awaiting] = "", *save = NULL;
	int dropped = 0;

	for (char *t = strtok_r(d->awaiting, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, code) == 0) {
			dropped = 1;
			continue;
		}
		size_t used = strlen(out);
		snprintf(out + used, sizeof out - used, "%s%s", used ? "," : "", t);
	}
	snprintf(d->awaiting, sizeof d->awaiting, "%s", out);
	if (dropped && d->hold)
		sync_hold_save(d);
	return dropped;
}

/*
 * Each renewal holds the write lock for a commit and two fsyncs of
 * lika.epoch, so a clerk's write that comes then waits: once a second is
 * enough, since any renewal after an acknowledgement tells a copy from
 * before it (PROTOCOL.md, "Restores").
 */
#define EPOCH_EVERY_MS 1000

static void
s_epoch_renew(struct daemon *d)
{
	char err[ERRBUF_SIZE];

	d->epoch_at = mono_ms();
	if (node_epoch_renew(&d->node, err, sizeof err) < 0) {
		if (!d->epoch_failing++)
			log_warnx("epoch: %s: tried again every second", err);
		return;
	}
	if (d->epoch_failing)
		log_info("epoch renewed after %d tries", d->epoch_failing + 1);
	d->epoch_failing = 0;
	d->epoch_due = 0;
}

void
sync_epoch_tick(struct daemon *d)
{
	if (d->epoch_due && mono_ms() - d->epoch_at >= EPOCH_EVERY_MS)
		s_epoch_renew(d);
}

void
sync_epoch_flush(struct daemon *d)
{
	if (d->epoch_due)
		s_epoch_renew(d);
}
