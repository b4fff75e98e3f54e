/*
 * township.c — a township's link to its county hub (the dialling side is
 * client.c's): it sends its own feed as the hub lacks it and receives the
 * county feed, the province feed the county forwards, and any configured
 * others.
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

/*
 * Record that the hub was reached (meta hub_seen: at the next start, writes
 * wait for it to confirm our feed); again on the tick while the ledger is busy.
 */
static void
s_hub_seen(struct daemon *d)
{
	char when[32], err[ERRBUF_SIZE];

	time_format(when, sizeof when, now_ms());
	if (ledger_meta_set(d->node.ledger, "hub_seen", when, err, sizeof err) == 0)
		d->hub_seen_due = 0;
}

static void
s_on_welcome(struct daemon *d, struct client *c, const struct wire_msg *m)
{
	const char *own = d->node.conf.code;
	uint64_t mine = 0;
	uint8_t id[HASH_BYTES];
	struct feedlink *f;

	if (d->up.nfeeds)
		sync_save_link(d, &d->up);      /* counters of the old session */
	link_reset(&d->up);
	char want[CONFIG_MAX_FEEDS][CODE_MAX];
	size_t nw = s_wanted(d, want, CONFIG_MAX_FEEDS);
	if ((f = link_feed(&d->up, own, 1)))
		f->send = f->recv = 1;
	if ((f = link_feed(&d->up, d->node.id.county, 1)))
		f->recv = f->send = 1;     /* send: only if the hub has less of it (restored) */
	if ((f = link_feed(&d->up, d->node.id.province, 1)))
		f->recv = 1;               /* the province feed, which the county hub forwards */
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
		/*
		 * The hub holds it, on disk (it syncs before it says): as good as
		 * an ACK of a batch whose ACK it never sent (it stopped first).
		 */
		if (f->send && h->seq > f->stat.acked)
			f->stat.acked = h->seq;
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
	d->hub_seen_due = 1;
	s_hub_seen(d);
	d->up.ready = 1;
	d->up.conn.schema = m->schema;
	if (m->schema > SCHEMA_VERSION)
		log_warnx("hub \"%s\" runs schema %u, this township %d: its change sets are held until "
		    "lika is upgraded here", m->node, m->schema, SCHEMA_VERSION);
	log_info("connected to hub \"%s\" at %s (own feed: have %" PRIu64 ", hub %" PRIu64 ")%s", m->node,
	    d->node.conf.hub, mine, d->hub_own, c->refused ? " after the hub admitted this township" : "");
}

/* "all": feeds the hub came to hold after the WELCOME. */
static void
s_on_batch(struct daemon *d, struct client *c, const struct wire_msg *m)
{
	struct link *k = c->link;

	if (!link_feed(k, m->origin, 0) && s_wants_all(d)) {
		struct feedlink *f = link_feed(k, m->origin, 1);
		if (f)
			f->recv = 1;
	}
}

/* After a batch is stored: our own feed back from the hub may lift a hold. */
static void
s_after_changesets(struct daemon *d, const char *origin)
{
	if (strcmp(origin, d->node.conf.code) == 0)
		s_check_caught_up(d);
}

static int
s_on_tick(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;
	int64_t now = mono_ms();

	(void)loop;
	(void)sock;
	sync_data_changed(d);       /* another connection committed: heads are read anew */
	if (d->hold_unsaved)
		sync_hold_save(d);
	if (d->hub_seen_due)
		s_hub_seen(d);
	if (d->hold == 1 && now > d->hold_until)
		sync_unhold(d, "hub not reachable: working offline");
	client_tick(d, &d->client);
	sync_epoch_tick(d);
	sync_flush(d, 0);
	return 0;
}

int
township_start(struct daemon *d, char *err, size_t errlen)
{
	struct client *c = &d->client;
	char v[512];

	d->after_changesets = s_after_changesets;
	if (!d->node.conf.hub[0])
		return errf(err, errlen, "[hub] endpoint is missing in lika.conf");
	c->link = &d->up;
	c->endpoint = d->node.conf.hub;
	c->what = "hub";
	snprintf(c->expect, sizeof c->expect, "%s", d->node.id.county);
	c->on_welcome = s_on_welcome;
	c->on_batch = s_on_batch;
	c->wants = s_wanted;
	if (client_init(d, c, d->node.conf.county_key, err, errlen) < 0)
		return errf(err, errlen, "[hub] county_key is not a valid Ed25519 key");
	snprintf(d->up.peer, sizeof d->up.peer, "%s", d->node.id.county);
	sync_restore_stats(d, &d->up);
	/* restart rule: see the top of this file */
	if (ledger_meta_get(d->node.ledger, "write_hold", v, sizeof v) == 0 && sync_hold_kept(v)) {
		d->hold = 2;
		snprintf(d->hold_why, sizeof d->hold_why, "%s", v);
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
	log_info("township \"%s\", hub %s", d->node.conf.code, d->node.conf.hub);
	return 0;
}

void
township_stop(struct daemon *d)
{
	if (d->hold == 1)
		sync_unhold(d, "likad stopping");
	client_stop(d, &d->client);
}
