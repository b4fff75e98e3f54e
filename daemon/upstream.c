/*
 * upstream.c — a county hub's link up to its province hub ([upstream] hub
 * and province_key in lika.conf).  The county dials the province as a
 * township dials the county (client.c: CURVE with the province's key, the
 * province's ZAP handler admits the counties on its roster), sends its own
 * feed and every township feed it holds, each change set exactly as its
 * origin signed it, and receives the province feed, which its hub forwards to
 * its townships (hub.c).
 *
 * Order: the county feed first (the gate, as at the hub): the province checks
 * a township's change sets with the key the county's roster rows name, so
 * they are sent once the province holds the whole county feed; one that
 * arrives before its key anyway waits there (proto/PROTOCOL.md, "Wait,
 * don't refuse").  Only what this hub holds verified is sent
 * (ledger_feed_heads, in sync_pump).
 *
 * The county publishes the province's key in its own roster (row PROVINCE,
 * role "province"), so that its townships can check the province feed: done
 * at start, and on the tick until it is written (a write hold delays it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "likad.h"
#include "log.h"
#include "util.h"

/* Is ORIGIN a feed this county sends up: its own, or one of its townships'? */
static int
s_sends_up(struct daemon *d, const char *origin)
{
	size_t n = strlen(d->node.conf.code);

	return strcmp(origin, d->node.conf.code) == 0 ||
	    (code_role(origin) == ROLE_TOWNSHIP && strncmp(origin, d->node.conf.code, n) == 0);
}

/* Every feed this county sends up that the link does not carry yet. */
static void
s_add_feeds(struct daemon *d)
{
	sqlite3_stmt *st = NULL;
	struct feedlink *f;

	if (sqlite3_prepare_v2(ledger_db(d->node.ledger), "SELECT origin FROM feed ORDER BY origin", -1,
	    &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 0);
		if (o && s_sends_up(d, o) && !link_feed(&d->up, o, 0) && (f = link_feed(&d->up, o, 1)))
			f->send = 1;
	}
	sqlite3_finalize(st);
}

static void
s_on_welcome(struct daemon *d, struct client *c, const struct wire_msg *m)
{
	struct feedlink *f;

	if (d->up.nfeeds)
		sync_save_link(d, &d->up);      /* counters of the old session */
	link_reset(&d->up);
	snprintf(d->up.gate, sizeof d->up.gate, "%s", d->node.conf.code);
	s_add_feeds(d);
	/* our own feed back from the province, if it holds more (a county restored from a copy) */
	if ((f = link_feed(&d->up, d->node.conf.code, 1)))
		f->recv = 1;
	if ((f = link_feed(&d->up, d->node.id.province, 1)))
		f->recv = 1;
	sync_restore_stats(d, &d->up);
	for (size_t i = 0; i < m->nheads; i++) {
		const struct wire_head *h = &m->heads[i];
		if (!(f = link_feed(&d->up, h->origin, 0)))
			continue;
		f->theirs = f->sent = h->seq;
		f->stat.theirs = h->seq;
	}
	d->up.ready = 1;
	d->up.conn.schema = m->schema;
	log_info("connected to province hub \"%s\" at %s (%zu feeds)%s", m->node, c->endpoint,
	    d->up.nfeeds, c->refused ? " after the province admitted this county" : "");
}

/* The province's key in this county's roster, for its townships (see the top). */
static void
s_publish_province_key(struct daemon *d)
{
	sqlite3_stmt *st = NULL;
	char err[ERRBUF_SIZE];
	int have = 0;

	if (sqlite3_prepare_v2(ledger_db(d->node.ledger), "SELECT 1 FROM roster_node WHERE id = ?1 AND "
	    "pubkey = ?2 AND role = 'province' AND coalesce(removed, 0) = 0", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, d->node.id.province, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, d->node.id.province_pk, PUBKEY_BYTES, SQLITE_STATIC);
	have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (have) {
		d->upstream_key_done = 1;
		return;
	}
	struct ops ops = OPS_INIT;
	struct colval cols[] = {
		COL_BLOB("pubkey", d->node.id.province_pk, PUBKEY_BYTES), COL_TEXT("name", "province"),
		COL_TEXT("role", "province"), COL_INT("removed", 0),
	};
	ops_init(&ops);
	ops_upsert(&ops, "roster_node", d->node.id.province, cols, 4);
	if (ledger_begin(d->node.ledger, err, sizeof err) < 0 ||
	    ledger_commit(d->node.ledger, &ops, NULL, err, sizeof err) < 0) {
		if (d->upstream_key_done == 0)
			log_warnx("the province's key is not in the roster yet: %s; trying again", err);
		d->upstream_key_done = -1;     /* said once */
	} else {
		log_info("province %s's key published in this county's roster", d->node.id.province);
		d->upstream_key_done = 1;
	}
	ops_release(&ops);
}

static int
s_on_tick(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;

	(void)loop;
	(void)sock;
	if (d->upstream_key_done != 1)
		s_publish_province_key(d);
	if (d->up.ready)
		s_add_feeds(d);         /* a township's first change sets arrived since */
	client_tick(d, &d->client);
	return 0;
}

int
upstream_start(struct daemon *d, char *err, size_t errlen)
{
	struct client *c = &d->client;

	c->link = &d->up;
	c->endpoint = d->node.conf.up_hub;
	c->what = "province hub";
	snprintf(c->expect, sizeof c->expect, "%s", d->node.id.province);
	c->on_welcome = s_on_welcome;
	if (client_init(d, c, d->node.conf.province_key, err, errlen) < 0)
		return -1;
	snprintf(d->up.peer, sizeof d->up.peer, "%s", d->node.id.province);
	sync_restore_stats(d, &d->up);
	s_publish_province_key(d);
	loop_add_timer(d->loop, TICK_MS, s_on_tick, d);
	log_info("county \"%s\" sends up to province hub %s", d->node.conf.code, c->endpoint);
	return 0;
}

void
upstream_stop(struct daemon *d)
{
	client_stop(d, &d->client);
}
