/*
 * status.c — gathering what `lika status` shows.
 *
 * Everything comes from the node's database, so status works whether or not
 * likad runs: feed heads and quarantine are the ledger's, the per-peer rows
 * are what likad records in table "peer" (lib/peer.c).  When likad answers on
 * its control socket (proto/PROTOCOL.md, "Control socket") its live view of
 * the connections replaces the recorded one.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "status.h"
#include "schema.h"
#include "util.h"

#define CONTROL_TIMEOUT_MS 500
#define MAX_ISSUES 100

const char *
health_name(enum health h)
{
	switch (h) {
	case HEALTH_OK:    return "ok";
	case HEALTH_NEVER: return "never";
	case HEALTH_LATE:  return "late";
	case HEALTH_STALE: return "stale";
	case HEALTH_ERROR: return "error";
	}
	return "?";
}

int
status_exit_code(const struct status *s)
{
	switch (s->health) {
	case HEALTH_OK:    return 0;
	case HEALTH_NEVER:
	case HEALTH_LATE:  return 1;
	default:           return 2;
	}
}

/* One integer from SQL with up to two text parameters; DFLT if no row. */
static int64_t
s_int(sqlite3 *db, const char *sql, const char *a, const char *b, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One text value from SQL into OUT (cut to LEN); 0, or -1 if no row or no value. */
static int
s_text(sqlite3 *db, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc = -1;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The recorded peer row (PEER, FEED) into P's fields; 1 if there was one. */
static int
s_peer_row(sqlite3 *db, int have_peer, const char *peer, const char *feed,
    struct status_peer *p, uint64_t *theirs, uint64_t *acked)
{
	sqlite3_stmt *st;
	int found = 0;

	/* a peer table of a likad not yet restarted after an upgrade has no column schema */
	if (!have_peer || (sqlite3_prepare_v2(db, "SELECT last_contact_ms, connected, since_ms, "
	    "theirs, acked, errors, last_error, schema FROM peer WHERE peer = ?1 AND feed = ?2", -1,
	    &st, NULL) != SQLITE_OK && sqlite3_prepare_v2(db, "SELECT last_contact_ms, connected, "
	    "since_ms, theirs, acked, errors, last_error, 0 FROM peer WHERE peer = ?1 AND feed = ?2",
	    -1, &st, NULL) != SQLITE_OK))
		return 0;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, feed, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		if (p) {
			p->known = 1;
			p->last_contact_ms = sqlite3_column_int64(st, 0);
			p->connected = sqlite3_column_int(st, 1);
			p->since_ms = sqlite3_column_int64(st, 2);
			p->errors = (uint64_t)sqlite3_column_int64(st, 5);
			const unsigned char *e = sqlite3_column_text(st, 6);
			snprintf(p->last_error, sizeof p->last_error, "%s", e ? (const char *)e : "");
			p->schema = (unsigned)sqlite3_column_int(st, 7);
		}
		if (theirs)
			*theirs = (uint64_t)sqlite3_column_int64(st, 3);
		if (acked)
			*acked = (uint64_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return found;
}

/* ---- the daemon's live view ------------------------------------------------ */

struct s_live_peer {
	char code[CODE_MAX];
	int connected;
	int64_t since_ms, last_contact_ms;
};

/* The "sink" map of likad's answer (proto/PROTOCOL.md, "Control socket"). */
static void
s_live_sink(const msgpack_object *v, struct status_sink *k)
{
	k->live = 1;
	for (uint32_t i = 0; i < v->via.map.size; i++) {
		const msgpack_object *key = &v->via.map.ptr[i].key, *val = &v->via.map.ptr[i].val;
		int64_t x;
		if (mp_str_eq(key, "last_error") && val->type == MSGPACK_OBJECT_STR) {
			size_t n = val->via.str.size < sizeof k->last_error ? val->via.str.size :
			    sizeof k->last_error - 1;
			if (n)
				memcpy(k->last_error, val->via.str.ptr, n);
			k->last_error[n] = '\0';
		} else if (mp_get_int(val, &x) < 0) {
			continue;
		} else if (mp_str_eq(key, "connected")) {
			k->connected = x != 0;
		} else if (mp_str_eq(key, "known")) {
			k->known = x != 0;
		} else if (mp_str_eq(key, "rowid")) {
			k->rowid = x;
		} else if (mp_str_eq(key, "applied")) {
			k->applied = x;
		} else if (mp_str_eq(key, "written")) {
			k->written = x > 0 ? (uint64_t)x : 0;
		} else if (mp_str_eq(key, "last_write_ms")) {
			k->last_write_ms = x;
		}
	}
}

/*
 * How far the copy is behind: the change sets past its position, those
 * stored since (rowid: change sets are appended, so the rowids past it count
 * them without reading the 100,000 rows a long outage leaves) and those
 * applied later than stored (held, then applied; a partial index).  Its
 * health: late once the oldest waits longer than late_after_s or PostgreSQL
 * is down, stale past stale_after_s.
 */
static void
s_sink(sqlite3 *db, struct status *s)
{
	struct status_sink *k = &s->sink;
	sqlite3_stmt *st = NULL;

	if (!k->live || !k->known) {
		/* not known: likad stopped (the hub is late for that) or silent; known down: late */
		k->health = k->live && !k->connected ? HEALTH_LATE : HEALTH_OK;
		return;
	}
	if (sqlite3_prepare_v2(db, "SELECT max((SELECT coalesce(max(rowid), 0) FROM changeset) - ?1, 0) + "
	    "(SELECT count(*) FROM changeset WHERE applied > 1 AND applied > ?2 AND rowid <= ?1), "
	    "(SELECT stored_at FROM changeset WHERE rowid > ?1 ORDER BY rowid LIMIT 1)", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, k->rowid);
		sqlite3_bind_int64(st, 2, k->applied);
		if (sqlite3_step(st) == SQLITE_ROW) {
			k->behind = (uint64_t)sqlite3_column_int64(st, 0);
			k->oldest_ms = sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_finalize(st);
	int64_t age = k->behind && k->oldest_ms ? (s->now_ms - k->oldest_ms) / 1000 : 0;
	k->health = age > s->stale_after_s ? HEALTH_STALE :
	    age > s->late_after_s || !k->connected ? HEALTH_LATE : HEALTH_OK;
}

/* Ask likad on its control socket; 0 with the answer, -1 if it did not answer. */
static int
s_ask_daemon(const struct node *n, struct status *s, struct s_live_peer **peers, size_t *npeers)
{
	char endpoint[1200], path[1100];
	void *ctx = NULL, *sock = NULL;
	int rc = -1, linger = 0, timeout = CONTROL_TIMEOUT_MS;
	zmq_msg_t reply;
	msgpack_unpacked up;

	*peers = NULL;
	*npeers = 0;
	if (n->conf.control[0])
		snprintf(path, sizeof path, "%s", n->conf.control);
	else if (node_path(n, "likad.ctl", path, sizeof path) < 0)
		return -1;
	if (access(path, F_OK) != 0)
		return -1;
	snprintf(endpoint, sizeof endpoint, "ipc://%s", path);
	if (!(ctx = zmq_ctx_new()) || !(sock = zmq_socket(ctx, ZMQ_REQ)))
		goto out;
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
	if (zmq_connect(sock, endpoint) != 0)
		goto out;
	/* request: the msgpack array ["status"] */
	static const uint8_t req[] = { 0x91, 0xa6, 's', 't', 'a', 't', 'u', 's' };
	if (zmq_send(sock, req, sizeof req, 0) != (int)sizeof req)
		goto out;
	zmq_msg_init(&reply);
	if (zmq_msg_recv(&reply, sock, 0) < 0) {
		zmq_msg_close(&reply);
		goto out;
	}
	const char *data = zmq_msg_data(&reply);
	size_t len = zmq_msg_size(&reply), off = 0;
	if (len <= 65536 && msgpack_check(data, len, 4, NULL, 0) == 0) {
		msgpack_unpacked_init(&up);
		if (msgpack_unpack_next(&up, data, len, &off) == MSGPACK_UNPACK_SUCCESS &&
		    up.data.type == MSGPACK_OBJECT_MAP) {
			const msgpack_object_map *m = &up.data.via.map;
			for (uint32_t i = 0; i < m->size; i++) {
				const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
				int64_t x;
				if (mp_str_eq(k, "pid") && mp_get_int(v, &x) == 0)
					s->daemon_pid = (long)x;
				else if (mp_str_eq(k, "started_ms") && mp_get_int(v, &x) == 0)
					s->daemon_started_ms = x;
				else if (mp_str_eq(k, "sink") && v->type == MSGPACK_OBJECT_MAP)
					s_live_sink(v, &s->sink);
				else if (mp_str_eq(k, "peers") && v->type == MSGPACK_OBJECT_ARRAY) {
					*peers = calloc(v->via.array.size + 1, sizeof **peers);
					for (uint32_t j = 0; *peers && j < v->via.array.size; j++) {
						const msgpack_object *p = &v->via.array.ptr[j];
						if (p->type != MSGPACK_OBJECT_MAP)
							continue;
						struct s_live_peer *lp = &(*peers)[*npeers];
						for (uint32_t f = 0; f < p->via.map.size; f++) {
							const msgpack_object *pk = &p->via.map.ptr[f].key;
							const msgpack_object *pv = &p->via.map.ptr[f].val;
							if (mp_str_eq(pk, "code") && pv->type == MSGPACK_OBJECT_STR &&
							    pv->via.str.size > 0 && pv->via.str.size < CODE_MAX)
								memcpy(lp->code, pv->via.str.ptr, pv->via.str.size);
							else if (mp_str_eq(pk, "connected") && mp_get_int(pv, &x) == 0)
								lp->connected = x != 0;
							else if (mp_str_eq(pk, "since_ms") && mp_get_int(pv, &x) == 0)
								lp->since_ms = x;
							else if (mp_str_eq(pk, "last_contact_ms") && mp_get_int(pv, &x) == 0)
								lp->last_contact_ms = x;
						}
						if (lp->code[0])
							(*npeers)++;
					}
				}
			}
			rc = 0;
		}
		msgpack_unpacked_destroy(&up);
	}
	zmq_msg_close(&reply);
out:
	if (sock)
		zmq_close(sock);
	if (ctx)
		zmq_ctx_term(ctx);
	return rc;
}

/* ---- pieces ------------------------------------------------------------------ */

static void
s_issue_add(struct status *s, sqlite3_stmt *st)
{
	struct status_issue *is = &s->issues[s->nissues++];
	const unsigned char *t;

	memset(is, 0, sizeof *is);
	if ((t = sqlite3_column_text(st, 0)))
		snprintf(is->origin, sizeof is->origin, "%s", (const char *)t);
	else
		strcpy(is->origin, "?");
	is->seq = (uint64_t)sqlite3_column_int64(st, 1);
	if ((t = sqlite3_column_text(st, 2)))
		snprintf(is->kind, sizeof is->kind, "%s", (const char *)t);
	if ((t = sqlite3_column_text(st, 3)))
		snprintf(is->reason, sizeof is->reason, "%s", (const char *)t);
	if ((t = sqlite3_column_text(st, 4)))
		snprintf(is->peer, sizeof is->peer, "%s", (const char *)t);
	is->at_ms = sqlite3_column_int64(st, 5);
}

static int
s_issues(sqlite3 *db, struct status *s)
{
	sqlite3_stmt *st;

	s->issues = calloc(MAX_ISSUES, sizeof *s->issues);
	if (!s->issues)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT origin, seq, kind, reason, peer, at FROM quarantine "
	    "WHERE resolved_at IS NULL ORDER BY n DESC LIMIT ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(st, 1, MAX_ISSUES);
	while (sqlite3_step(st) == SQLITE_ROW)
		s_issue_add(s, st);
	sqlite3_finalize(st);
	return 0;
}

/* Health from contact age and errors. */
static enum health
s_health(const struct status *s, const struct status_peer *p)
{
	if (p->frozen || p->quarantined)
		return HEALTH_ERROR;
	if (p->connected)
		return HEALTH_OK;
	if (p->last_contact_ms == 0)
		return HEALTH_NEVER;
	int64_t age = (s->now_ms - p->last_contact_ms) / 1000;
	if (age > s->stale_after_s)
		return HEALTH_STALE;
	if (age > s->late_after_s)
		return HEALTH_LATE;
	return HEALTH_OK;
}

static void
s_apply_live(struct status_peer *p, const struct s_live_peer *live, size_t nlive, int answered)
{
	if (!answered)
		return;
	p->connected = 0;
	for (size_t i = 0; i < nlive; i++) {
		if (strcmp(live[i].code, p->code) != 0)
			continue;
		p->connected = live[i].connected;
		if (live[i].since_ms)
			p->since_ms = live[i].since_ms;
		if (live[i].last_contact_ms > p->last_contact_ms)
			p->last_contact_ms = live[i].last_contact_ms;
	}
}

static int64_t
s_hlc_ms(sqlite3 *db, const char *origin, uint64_t seq)
{
	sqlite3_stmt *st;
	int64_t ms = 0;

	if (sqlite3_prepare_v2(db, "SELECT hlc FROM changeset WHERE origin = ?1 AND seq = ?2", -1,
	    &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		ms = (int64_t)((uint64_t)sqlite3_column_int64(st, 0) >> 16);
	sqlite3_finalize(st);
	return ms;
}

static void
s_feed_state(sqlite3 *db, struct status_peer *p)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT head_seq, frozen FROM feed WHERE origin = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		p->held = (uint64_t)sqlite3_column_int64(st, 0);
		const unsigned char *fz = sqlite3_column_text(st, 1);
		if (fz && *fz) {
			p->frozen = 1;
			snprintf(p->frozen_reason, sizeof p->frozen_reason, "%s", (const char *)fz);
		}
	}
	sqlite3_finalize(st);
}

static int
s_peer_cmp(const void *a, const void *b)
{
	const struct status_peer *x = a, *y = b;

	if (x->removed != y->removed)
		return x->removed - y->removed;
	if (x->health != y->health)
		return (int)y->health - (int)x->health;
	if (x->lag != y->lag)
		return x->lag < y->lag ? 1 : -1;
	return strcmp(x->code, y->code);
}

/* ---- the two roles ------------------------------------------------------------ */

static int
s_township(struct node *n, struct status *s, int have_peer, const struct s_live_peer *live,
    size_t nlive, int answered)
{
	sqlite3 *db = ledger_db(n->ledger);
	struct status_peer *hub;

	if (!(s->peers = calloc(1, sizeof *s->peers)))
		return -1;
	s->npeers = 1;
	hub = &s->peers[0];
	snprintf(hub->code, sizeof hub->code, "%s", n->id.county);
	/* named as the county publishes its name (policy county_name), else by its role */
	if (s_text(db, "SELECT value FROM policy WHERE name = 'county_name' ORDER BY year DESC LIMIT 1",
	    hub->name, sizeof hub->name) < 0 || !hub->name[0])
		snprintf(hub->name, sizeof hub->name, "county hub");
	s_peer_row(db, have_peer, hub->code, "", hub, NULL, NULL);
	s_apply_live(hub, live, nlive, answered);
	s_peer_row(db, have_peer, hub->code, n->id.code, NULL, NULL, &s->acked);
	if (s->acked > s->own_head)
		s->acked = s->own_head;
	s->unsent = s->own_head - s->acked;
	if (s->unsent) {
		s->oldest_unsent_ms = s_hlc_ms(db, n->id.code, s->acked + 1);
		/* kept as the ledger writes (table own_touch): no decoding of the backlog */
		ledger_households_since(n->ledger, s->acked, &s->households_unsent);
	}
	s->county_head = (uint64_t)s_int(db, "SELECT head_seq FROM feed WHERE origin = ?1",
	    n->id.county, NULL, 0);
	s->county_applied = (uint64_t)s_int(db, "SELECT applied_seq FROM feed WHERE origin = ?1",
	    n->id.county, NULL, 0);
	if (ledger_feed_waits(n->ledger, n->id.county, s->county_waits, sizeof s->county_waits) != 1)
		s->county_waits[0] = '\0';
	s_peer_row(db, have_peer, hub->code, n->id.county, NULL, &s->county_hub_head, NULL);
	hub->their_head = s->county_hub_head;
	hub->held = s->county_head;
	hub->lag = hub->their_head > hub->held ? hub->their_head - hub->held : 0;
	hub->quarantined = (uint64_t)s_int(db, "SELECT count(*) FROM quarantine WHERE resolved_at IS NULL",
	    NULL, NULL, 0);
	hub->frozen = s_int(db, "SELECT count(*) FROM feed WHERE frozen IS NOT NULL AND frozen != ''",
	    NULL, NULL, 0) > 0;
	if (hub->frozen)
		snprintf(hub->frozen_reason, sizeof hub->frozen_reason, "a feed is frozen");
	/* the county's change sets of a newer schema wait here until lika is upgraded */
	unsigned newest = (unsigned)s_int(db, "SELECT coalesce(max(schema), 0) FROM changeset "
	    "WHERE origin = ?1", n->id.county, NULL, 0);
	if (newest > hub->schema)
		hub->schema = newest;
	hub->upgrade = hub->schema > SCHEMA_VERSION;
	hub->health = s_health(s, hub);
	if (hub->upgrade && hub->health < HEALTH_LATE)
		hub->health = HEALTH_LATE;
	s->health = hub->health;
	return 0;
}

static int
s_county(struct node *n, struct status *s, int have_peer, const struct s_live_peer *live,
    size_t nlive, int answered)
{
	sqlite3 *db = ledger_db(n->ledger);
	sqlite3_stmt *st;
	size_t cap = 0;
	int have_households = ledger_table_exists(db, "household");

	/* a county's townships; a province's counties, or the townships of one (s->under) */
	const char *sql = s->under[0] ? "SELECT id, name, removed FROM roster_node WHERE length(id) = 9 "
	    "AND substr(id, 1, 6) = ?1 AND instr(id, '/') = 0 ORDER BY id" : s->role == ROLE_PROVINCE ?
	    "SELECT id, name, removed FROM roster_node WHERE role = 'county' AND length(id) = 6 "
	    "ORDER BY id" : "SELECT id, name, removed FROM roster_node "
	    "WHERE (role = 'township' OR length(id) = 9) AND instr(id, '/') = 0 ORDER BY id";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (s->under[0])
		sqlite3_bind_text(st, 1, s->under, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (s->npeers == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct status_peer *np = realloc(s->peers, ncap * sizeof *np);
			if (!np) {
				sqlite3_finalize(st);
				return -1;
			}
			s->peers = np;
			cap = ncap;
		}
		struct status_peer *p = &s->peers[s->npeers++];
		memset(p, 0, sizeof *p);
		snprintf(p->code, sizeof p->code, "%s", (const char *)sqlite3_column_text(st, 0));
		const unsigned char *nm = sqlite3_column_text(st, 1);
		snprintf(p->name, sizeof p->name, "%s", nm ? (const char *)nm : "");
		p->removed = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_finalize(st);

	s->health = HEALTH_OK;
	for (size_t i = 0; i < s->npeers; i++) {
		struct status_peer *p = &s->peers[i];
		char hi[CODE_MAX + 1];
		/* the link the feed comes over: the peer's own, or its county's at a province */
		const char *link = s->under[0] ? s->under : p->code;
		s_peer_row(db, have_peer, link, "", p, NULL, NULL);
		if (s->under[0]) {
			struct status_peer c = { .connected = p->connected };
			snprintf(c.code, sizeof c.code, "%s", link);
			s_apply_live(&c, live, nlive, answered);
			p->connected = c.connected;
			p->since_ms = c.since_ms ? c.since_ms : p->since_ms;
			if (c.last_contact_ms > p->last_contact_ms)
				p->last_contact_ms = c.last_contact_ms;
		} else {
			s_apply_live(p, live, nlive, answered);
		}
		s_peer_row(db, have_peer, link, p->code, NULL, &p->their_head, NULL);
		s_feed_state(db, p);
		p->lag = p->their_head > p->held ? p->their_head - p->held : 0;
		if (p->lag)
			p->lag_ms = s->now_ms - s_hlc_ms(db, p->code, p->held);
		if (p->lag && p->held == 0)
			p->lag_ms = 0;
		p->quarantined = (uint64_t)s_int(db, "SELECT count(*) FROM quarantine WHERE origin = ?1 "
		    "AND resolved_at IS NULL",
		    p->code, NULL, 0);
		if (have_households) {
			snprintf(hi, sizeof hi, "%s:", p->code);   /* ':' sorts after every digit */
			p->households = (uint64_t)s_int(db, "SELECT count(*) FROM household "
			    "WHERE id > ?1 AND id < ?2", p->code, hi, 0);
		}
		/* what it said when it connected, else what its change sets carry */
		if (!p->schema)
			p->schema = (unsigned)s_int(db, "SELECT coalesce(max(schema), 0) FROM changeset "
			    "WHERE origin = ?1", p->code, NULL, 0);
		p->upgrade = p->schema && p->schema < SCHEMA_VERSION ? 2 : 0;
		p->health = s_health(s, p);
		if (!p->removed && p->health > s->health)
			s->health = p->health;
	}
	/* a change set no origin could be read from counts too */
	if (s_int(db, "SELECT count(*) FROM quarantine WHERE origin IS NULL "
	    "AND resolved_at IS NULL", NULL, NULL, 0) > 0)
		s->health = HEALTH_ERROR;
	qsort(s->peers, s->npeers, sizeof *s->peers, s_peer_cmp);
	/* a county's link up to its province, as recorded (the live view has the townships only) */
	struct status_peer *u = &s->upstream;
	if (s->role == ROLE_COUNTY && n->conf.up_hub[0]) {
		snprintf(u->code, sizeof u->code, "%s", n->id.province);
		s->has_upstream = 1;
		s_peer_row(db, have_peer, u->code, "", u, NULL, NULL);
		s_peer_row(db, have_peer, u->code, n->id.code, NULL, NULL, &u->their_head);
		u->held = s->own_head;
		u->lag = u->held > u->their_head ? u->held - u->their_head : 0;
	}
	return 0;
}

int
status_gather(struct node *n, struct status *s, char *err, size_t errlen)
{
	return status_gather_under(n, NULL, s, err, errlen);
}

int
status_gather_under(struct node *n, const char *under, struct status *s, char *err, size_t errlen)
{
	sqlite3 *db = ledger_db(n->ledger);
	struct s_live_peer *live = NULL;
	size_t nlive = 0;
	char v[64];
	int rc;

	memset(s, 0, sizeof *s);
	if (under && (n->conf.role != ROLE_PROVINCE || code_check_county(under, NULL, 0) < 0 ||
	    strncmp(under, n->conf.code, 2) != 0))
		return errf(err, errlen, "--county %s: the townships of a county of this province are "
		    "shown at the province node", under);
	snprintf(s->under, sizeof s->under, "%s", under ? under : "");
	snprintf(s->code, sizeof s->code, "%s", n->conf.code);
	snprintf(s->name, sizeof s->name, "%s", n->conf.name);
	s->role = n->conf.role;
	s->now_ms = now_ms();
	s->late_after_s = n->conf.late_after_s;
	s->stale_after_s = n->conf.stale_after_s;

	/* a consistent snapshot of the database while likad writes */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return errf(err, errlen, "status: %s", sqlite3_errmsg(db));
	int answered = s_ask_daemon(n, s, &live, &nlive) == 0;
	if (answered) {
		s->daemon_running = s->daemon_live = 1;
	} else if (ledger_meta_get(n->ledger, "likad_pid", v, sizeof v) == 0 && atol(v) > 0) {
		s->daemon_pid = atol(v);
		s->daemon_running = kill((pid_t)s->daemon_pid, 0) == 0 || errno == EPERM;
	}
	if (s->daemon_running && !s->daemon_started_ms &&
	    ledger_meta_get(n->ledger, "likad_started", v, sizeof v) == 0)
		s->daemon_started_ms = atoll(v);
	if (ledger_meta_get(n->ledger, "write_hold", s->write_hold, sizeof s->write_hold) < 0)
		s->write_hold[0] = '\0';
	if (!s->write_hold[0] || ledger_meta_get(n->ledger, "hold_awaiting", s->hold_awaiting,
	    sizeof s->hold_awaiting) < 0)
		s->hold_awaiting[0] = '\0';
	s->own_head = (uint64_t)s_int(db, "SELECT head_seq FROM feed WHERE origin = ?1", n->id.code,
	    NULL, 0);
	/* a ledger too old to have the table (opened read-only, not migrated) has none waiting */
	if (ledger_sig_unchecked(n->ledger, &s->sig_unchecked) < 0)
		s->sig_unchecked = 0;
	if (s->own_head)
		s->own_head_ms = s_hlc_ms(db, n->id.code, s->own_head);

	int have_peer = ledger_table_exists(db, "peer");
	if (s->role == ROLE_TOWNSHIP)
		rc = s_township(n, s, have_peer, live, nlive, answered);
	else
		rc = s_county(n, s, have_peer, live, nlive, answered);
	if (rc == 0)
		rc = s_issues(db, s);
	if (rc == 0 && s->role != ROLE_TOWNSHIP && n->conf.sink_postgres[0]) {
		s->sink.configured = 1;
		s_sink(db, s);
		if (s->sink.health > s->health)
			s->health = s->sink.health;
	}
	/*
	 * A node whose likad is not running syncs nothing: a hub never is "ok"
	 * then, nor a township with change sets waiting for the county.
	 */
	if (rc == 0 && !s->daemon_running && s->health < HEALTH_LATE &&
	    (s->role == ROLE_COUNTY || s->unsent > 0))
		s->health = HEALTH_LATE;
	if (rc == 0 && s->nissues && s->health < HEALTH_ERROR)
		s->health = HEALTH_ERROR;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	free(live);
	if (rc < 0) {
		status_release(s);
		return errf(err, errlen, "status: %s", sqlite3_errmsg(db));
	}
	return 0;
}

void
status_release(struct status *s)
{
	free(s->peers);
	free(s->issues);
	s->peers = NULL;
	s->issues = NULL;
	s->npeers = s->nissues = 0;
}
