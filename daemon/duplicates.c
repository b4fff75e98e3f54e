/*
 * duplicates.c — the hub's search for people registered in households of
 * more than one township.  A township checks its own households; only the
 * hub holds every township's members, so it publishes what it finds as
 * duplicate_notice rows in the county feed, which every township receives
 * (`lika duplicates` there).  A notice that no longer holds is marked resolved.
 *
 * The search runs on a worker thread (worker.c) with its own connection (a
 * second node handle, as a `lika` command would open), never in the event
 * loop.  It
 * is incremental: it reads the change sets stored since its last look
 * (changeset rowid above its watermark), collects the members they touched,
 * and looks again only at the ID numbers those members hold or held (open
 * notices naming them).  A full search runs at start and every
 * DUP_FULL_EVERY_MS, which also catches change sets applied late (held ones).
 */
#include <stdlib.h>
#include <string.h>

#include "likad.h"
#include "log.h"
#include "rules.h"
#include "util.h"
#include "worker.h"

#define DUP_EVERY_MS 5000       /* at most this often, and only after the data changed */
#define DUP_FULL_EVERY_MS (10 * 60 * 1000)
#define DUP_MAX_BATCH 2000      /* notices written in one change set */
#define DUP_NICE 10             /* the thread's nice value (Linux: per thread) */
#define DUP_IDLE_MS 1000        /* the thread looks whether a search is due this often */

struct dupscan {
	struct worker *w;
	int pending;                /* the data changed since the last search */
	int64_t last;               /* mono ms of the last search */
	struct node node;           /* the thread's own handle on the node */
	int64_t watermark;          /* changeset rowid looked at so far (-1: never) */
	int64_t full_at;            /* mono ms of the last full search */
	int held;                   /* said once that it waits for a write hold */
	char **ids;                 /* ID numbers to look at again (incremental) */
	size_t nids, capids;
};

/* The members holding each ID number found in more than one township, ordered. */
static const char s_found_sql[] =
    "SELECT idcard, group_concat(id, ',') FROM ("
    "  SELECT idcard, id FROM member WHERE idcard IS NOT NULL AND idcard != '' ORDER BY idcard, id)"
    " GROUP BY idcard HAVING count(DISTINCT substr(id, 1, 9)) > 1";
/* The same for one ID number: members and townships. */
static const char s_one_sql[] =
    "SELECT group_concat(id, ','), count(DISTINCT substr(id, 1, 9)) FROM ("
    "  SELECT id FROM member WHERE idcard = ?1 ORDER BY id)";

static void
s_want(struct dupscan *ds, const char *idcard)
{
	if (!idcard || !*idcard || strlen(idcard) > KEY_MAX)
		return;
	for (size_t i = 0; i < ds->nids; i++)
		if (strcmp(ds->ids[i], idcard) == 0)
			return;
	if (ds->nids == ds->capids) {
		size_t cap = ds->capids ? ds->capids * 2 : 64;
		char **n = realloc(ds->ids, cap * sizeof *n);
		if (!n)
			return;
		ds->ids = n;
		ds->capids = cap;
	}
	if ((ds->ids[ds->nids] = strdup(idcard)))
		ds->nids++;
}

static void
s_ids_clear(struct dupscan *ds)
{
	for (size_t i = 0; i < ds->nids; i++)
		free(ds->ids[i]);
	ds->nids = 0;
}

/* ID numbers member KEY holds now or an open notice names it under. */
static void
s_member_ids(struct dupscan *ds, sqlite3_stmt *now, sqlite3_stmt *named, const char *key, size_t len)
{
	sqlite3_bind_text(now, 1, key, (int)len, SQLITE_TRANSIENT);
	if (sqlite3_step(now) == SQLITE_ROW)
		s_want(ds, (const char *)sqlite3_column_text(now, 0));
	sqlite3_reset(now);
	sqlite3_bind_text(named, 1, key, (int)len, SQLITE_TRANSIENT);
	while (sqlite3_step(named) == SQLITE_ROW)
		s_want(ds, (const char *)sqlite3_column_text(named, 0));
	sqlite3_reset(named);
}

/* Collect the ID numbers touched by change sets stored after the watermark, up to TOP. */
static int
s_collect(struct dupscan *ds, int64_t top)
{
	sqlite3 *db = ledger_db(ds->node.ledger);
	sqlite3_stmt *st = NULL, *now = NULL, *named = NULL;
	char why[ERRBUF_SIZE];
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT body FROM changeset WHERE rowid > ?1 AND rowid <= ?2 "
	    "AND applied <> 0", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT idcard FROM member WHERE id = ?1", -1, &now, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id FROM duplicate_notice WHERE resolved_at IS NULL AND "
	    "instr(',' || members || ',', ',' || ?1 || ',') > 0", -1, &named, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, ds->watermark);
	sqlite3_bind_int64(st, 2, top);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct changeset cs;
		if (changeset_decode(&cs, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
		    why, sizeof why) < 0)
			continue;
		for (uint32_t i = 0; i < cs.h.nops; i++) {
			struct op_view op;
			if (changeset_op(&cs, i, &op, why, sizeof why) == 0 && op.table_len == 6 &&
			    memcmp(op.table, "member", 6) == 0)
				s_member_ids(ds, now, named, op.key, op.key_len);
		}
		changeset_release(&cs);
	}
	rc = 0;
out:
	if (rc < 0)
		log_warnx("duplicate notices: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_finalize(now);
	sqlite3_finalize(named);
	return rc;
}

/* Upsert the notice for IDCARD unless it already says MEMBERS and is open. */
static int
s_notice(sqlite3_stmt *old, struct ops *ops, const char *idcard, const char *members)
{
	int same = 0;

	sqlite3_bind_text(old, 1, idcard, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(old) == SQLITE_ROW)
		same = sqlite3_column_type(old, 1) == SQLITE_NULL &&
		    strcmp((const char *)sqlite3_column_text(old, 0), members) == 0;
	sqlite3_reset(old);
	if (same)
		return 0;
	struct colval c[] = { COL_TEXT("members", members), COL_INT("found_at", now_ms()),
		COL_NIL("resolved_at") };
	ops_upsert(ops, "duplicate_notice", idcard, c, 3);
	log_info("duplicate: ID number %.6s… held by members %s", idcard, members);
	return 1;
}

/* Notices for the ID numbers collected: new, changed, or no longer holding. */
static int
s_incremental(struct dupscan *ds, sqlite3 *db, struct ops *ops, size_t *n)
{
	sqlite3_stmt *one = NULL, *old = NULL;

	if (sqlite3_prepare_v2(db, s_one_sql, -1, &one, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT members, resolved_at FROM duplicate_notice WHERE id = ?1",
	    -1, &old, NULL) != SQLITE_OK) {
		sqlite3_finalize(one);
		return -1;
	}
	for (size_t i = 0; i < ds->nids && *n < DUP_MAX_BATCH; i++) {
		sqlite3_bind_text(one, 1, ds->ids[i], -1, SQLITE_STATIC);
		if (sqlite3_step(one) == SQLITE_ROW && sqlite3_column_int(one, 1) > 1) {
			*n += (size_t)s_notice(old, ops, ds->ids[i], (const char *)sqlite3_column_text(one, 0));
		} else {
			sqlite3_bind_text(old, 1, ds->ids[i], -1, SQLITE_STATIC);
			if (sqlite3_step(old) == SQLITE_ROW && sqlite3_column_type(old, 1) == SQLITE_NULL) {
				struct colval c[] = { COL_INT("resolved_at", now_ms()) };
				ops_upsert(ops, "duplicate_notice", ds->ids[i], c, 1);
				(*n)++;
			}
			sqlite3_reset(old);
		}
		sqlite3_reset(one);
	}
	sqlite3_finalize(one);
	sqlite3_finalize(old);
	return 0;
}

/* Every ID number held in more than one township, and every notice that no longer holds. */
static int
s_full(sqlite3 *db, struct ops *ops, size_t *n)
{
	sqlite3_stmt *found = NULL, *old = NULL, *stale = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, s_found_sql, -1, &found, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT members, resolved_at FROM duplicate_notice WHERE id = ?1",
	    -1, &old, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(found) == SQLITE_ROW && *n < DUP_MAX_BATCH) {
		const char *idcard = (const char *)sqlite3_column_text(found, 0);
		if (strlen(idcard) <= KEY_MAX)
			*n += (size_t)s_notice(old, ops, idcard, (const char *)sqlite3_column_text(found, 1));
	}
	if (sqlite3_prepare_v2(db, "SELECT id FROM duplicate_notice WHERE resolved_at IS NULL "
	    "AND id NOT IN (SELECT idcard FROM member WHERE idcard IS NOT NULL "
	    "GROUP BY idcard HAVING count(DISTINCT substr(id, 1, 9)) > 1)", -1, &stale, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(stale) == SQLITE_ROW && *n < DUP_MAX_BATCH) {
		struct colval c[] = { COL_INT("resolved_at", now_ms()) };
		ops_upsert(ops, "duplicate_notice", (const char *)sqlite3_column_text(stale, 0), c, 1);
		(*n)++;
	}
	rc = 0;
out:
	sqlite3_finalize(found);
	sqlite3_finalize(old);
	sqlite3_finalize(stale);
	return rc;
}

/* One look: full or incremental; notices written in one change set of the county feed. */
static void
s_scan(struct dupscan *ds)
{
	struct ledger *l = ds->node.ledger;
	sqlite3 *db = ledger_db(l);
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], hold[512];
	size_t n = 0;
	int64_t now = mono_ms(), top = 0;

	/*
	 * Notices go into the county feed through ledger_append, which refuses
	 * while writes are held (a restored hub may be behind its own feed):
	 * wait, and look again once the hold is lifted.
	 */
	if (ledger_meta_get(l, "write_hold", hold, sizeof hold) == 0 && hold[0]) {
		if (!ds->held)
			log_info("duplicate notices wait: writes are on hold: %s", hold);
		ds->held = 1;
		return;
	}
	ds->held = 0;
	if (ledger_begin(l, err, sizeof err) < 0) {
		log_warnx("duplicate notices: %s", err);
		return;
	}
	ops_init(&ops);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(rowid), 0) FROM changeset", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		top = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	int full = ds->watermark < 0 || now - ds->full_at >= DUP_FULL_EVERY_MS;
	int rc = full ? s_full(db, &ops, &n) :
	    s_collect(ds, top) < 0 ? -1 : s_incremental(ds, db, &ops, &n);
	if (rc < 0) {
		log_warnx("duplicate notices: %s", sqlite3_errmsg(db));
		ledger_rollback(l);
	} else if (n == 0) {
		ledger_rollback(l);
	} else if (ledger_commit(l, &ops, NULL, err, sizeof err) < 0) {
		log_warnx("duplicate notices: %s", err);
		rc = -1;
	}
	ops_release(&ops);
	if (rc == 0) {
		ds->watermark = top;
		s_ids_clear(ds);
		if (full)
			ds->full_at = now;
	}
}

/*
 * The worker's turn: after a kick (the loop saw the data change) or every
 * DUP_IDLE_MS.  A search when something is due (a change, a hold that may be
 * lifted, the first or the periodic full one), at most every DUP_EVERY_MS.
 */
static void
s_work(void *arg, int kicked)
{
	struct dupscan *ds = arg;
	int64_t now = mono_ms();

	ds->pending |= kicked;
	if (!(ds->pending || ds->held || ds->watermark < 0 || now - ds->full_at >= DUP_FULL_EVERY_MS) ||
	    now - ds->last < DUP_EVERY_MS)
		return;
	ds->pending = 0;
	ds->last = now;
	s_scan(ds);
}

int
dupscan_start(struct daemon *d, char *err, size_t errlen)
{
	struct dupscan *ds;

	/* a county's own: a province's feed may not write county rows (proto/PROTOCOL.md) */
	if (d->node.conf.role != ROLE_COUNTY)
		return 0;
	if (!(ds = calloc(1, sizeof *ds)))
		return errf(err, errlen, "out of memory");
	if (node_open(&ds->node, d->dir, 0, rules_attach, err, errlen) < 0) {
		free(ds);
		return -1;
	}
	/* a small page cache: the thread's memory stays small beside the loop's */
	sqlite3_exec(ledger_db(ds->node.ledger), "PRAGMA cache_size = -512", NULL, NULL, NULL);
	ds->watermark = -1;
	ds->last = mono_ms() - DUP_EVERY_MS;
	/* below the loop, as the signature checks: a catch-up is stored first, searched after */
	if (worker_start(&ds->w, "likad-dups", DUP_NICE, DUP_IDLE_MS, s_work, ds, err, errlen) < 0) {
		node_close(&ds->node);
		free(ds);
		return -1;
	}
	d->dupscan = ds;
	return 0;
}

void
dupscan_kick(struct daemon *d)
{
	struct dupscan *ds = d->dupscan;

	if (ds)
		worker_kick(ds->w);
}

void
dupscan_stop(struct daemon *d)
{
	struct dupscan *ds = d->dupscan;

	if (!ds)
		return;
	worker_stop(&ds->w);
	s_ids_clear(ds);
	free(ds->ids);
	node_close(&ds->node);
	free(ds);
	d->dupscan = NULL;
}
