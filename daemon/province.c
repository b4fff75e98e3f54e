/*
 * province.c — what a hub does differently one level up.  A province hub is
 * likad with role province: the same hub (hub.c) with the counties on its
 * roster as its peers.  A county's session carries, up, the county feed and
 * every feed of its own townships (each checked against the key the county's
 * roster rows name: ledger_origin_key), and, down, the province feed.  A
 * county hub forwards the province feed to its townships.
 */
#include <string.h>

#include "likad.h"

/* May peer K (a county at a province) send the feed ORIGIN: one of its townships'? */
static int
s_township_of_peer(struct daemon *d, const struct link *k, const char *origin)
{
	return d->node.conf.role == ROLE_PROVINCE && code_role(origin) == ROLE_TOWNSHIP &&
	    strncmp(origin, k->peer, strlen(k->peer)) == 0;
}

void
hub_feeds_of_peer(struct daemon *d, struct link *k, const struct wire_msg *hello)
{
	struct feedlink *f;

	if (d->node.conf.role == ROLE_COUNTY) {
		/* the province feed down, if there is one (ledger_feed_head: empty otherwise) */
		if (d->node.id.province[0] && (f = link_feed(k, d->node.id.province, 1)))
			f->send = 1;
		return;
	}
	for (size_t i = 0; i < hello->nheads; i++)
		if (s_township_of_peer(d, k, hello->heads[i].origin) &&
		    (f = link_feed(k, hello->heads[i].origin, 1)))
			f->recv = 1;
}

void
hub_feed_of_peer(struct daemon *d, struct link *k, const char *origin)
{
	struct feedlink *f;

	if (!link_feed(k, origin, 0) && s_township_of_peer(d, k, origin) &&
	    (f = link_feed(k, origin, 1)))
		f->recv = 1;
}
