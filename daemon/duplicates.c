/*
 * duplicates.c — the hub's search for people registered in households of
 * more than one township.  A township checks its own households; only the
 * hub holds every township's members, so it publishes what it finds as
 * duplicate_notice rows in the county feed, which every township receives
 * (`lika duplicates` there).  A notice that no longer holds is marked resolved.
 */
#include <stdlib.h>
#include <string.h>

#include "likad.h"
#include "log.h"
#include "util.h"

#define DUP_EVERY_MS 5000       /* at most this often, and only after the data changed */
#define DUP_MAX_BATCH 2000      /* notices written in one change set */

/* The members holding each ID number found in more than one township, ordered. */
static const char s_found_sql[] =
    "SELECT idcard, group_concat(id, ',') FROM ("
    "  SELECT idcard, id FROM member WHERE idcard IS NOT NULL AND idcard != '' ORDER BY idcard, id)"
    " GROUP BY idcard HAVING count(DISTINCT substr(id, 1, 9)) > 1";

static int
s_write(struct daemon *d, struct ops *ops, size_t *n)
{
	char err[ERRBUF_SIZE];

	if (*n == 0)
		return 0;
	if (ledger_commit(d->node.ledger, ops, NULL, err, sizeof err) < 0) {
		log_warnx("duplicate notices: %s", err);
		return -1;
	}
	return 0;
}

int
hub_check_duplicates(struct daemon *d, int64_t now)
{
	sqlite3 *db = ledger_db(d->node.ledger);
	sqlite3_stmt *found = NULL, *old = NULL, *stale = NULL;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE];
	size_t n = 0;
	int rc = -1;

	/* a county's own: a province's feed may not write county rows (proto/STORAGE.md) */
	if (d->node.conf.role != ROLE_COUNTY)
		return 0;

	/* what changed since: other connections' commits, and our own (received batches) */
	int64_t version = d->data_version * 1000003 + sqlite3_total_changes64(db);
	if (now - d->dup_checked_at < DUP_EVERY_MS || d->dup_version == version)
		return 0;
	d->dup_checked_at = now;
	/*
	 * Notices go into the county feed through ledger_append, which refuses
	 * while writes are held (a restored hub may be behind its own feed):
	 * wait, and look again once the hold is lifted.
	 */
	char hold[512];
	if (ledger_meta_get(d->node.ledger, "write_hold", hold, sizeof hold) == 0 && hold[0]) {
		if (!d->dup_held)
			log_info("duplicate notices wait: writes are on hold: %s", hold);
		d->dup_held = 1;
		return 0;
	}
	d->dup_held = 0;
	if (ledger_begin(d->node.ledger, err, sizeof err) < 0) {
		log_warnx("duplicate notices: %s", err);
		return -1;
	}
	ops_init(&ops);
	if (sqlite3_prepare_v2(db, s_found_sql, -1, &found, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT members, resolved_at FROM duplicate_notice WHERE id = ?1",
	    -1, &old, NULL) != SQLITE_OK)
		goto out;
	/* new and changed notices */
	while (sqlite3_step(found) == SQLITE_ROW && n < DUP_MAX_BATCH) {
		const char *idcard = (const char *)sqlite3_column_text(found, 0);
		const char *members = (const char *)sqlite3_column_text(found, 1);
		int same = 0;
		if (strlen(idcard) > KEY_MAX)
			continue;
		sqlite3_bind_text(old, 1, idcard, -1, SQLITE_STATIC);
		if (sqlite3_step(old) == SQLITE_ROW)
			same = sqlite3_column_type(old, 1) == SQLITE_NULL &&
			    strcmp((const char *)sqlite3_column_text(old, 0), members) == 0;
		sqlite3_reset(old);
		if (same)
			continue;
		struct colval c[] = { COL_TEXT("members", members), COL_INT("found_at", now_ms()),
			COL_NIL("resolved_at") };
		ops_upsert(&ops, "duplicate_notice", idcard, c, 3);
		n++;
		log_info("duplicate: ID number %.6s… held by members %s", idcard, members);
	}
	/* notices that no longer hold */
	if (sqlite3_prepare_v2(db, "SELECT id FROM duplicate_notice WHERE resolved_at IS NULL "
	    "AND id NOT IN (SELECT idcard FROM member WHERE idcard IS NOT NULL "
	    "GROUP BY idcard HAVING count(DISTINCT substr(id, 1, 9)) > 1)", -1, &stale, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(stale) == SQLITE_ROW && n < DUP_MAX_BATCH) {
		struct colval c[] = { COL_INT("resolved_at", now_ms()) };
		ops_upsert(&ops, "duplicate_notice", (const char *)sqlite3_column_text(stale, 0), c, 1);
		n++;
	}
	sqlite3_finalize(found);
	sqlite3_finalize(old);
	sqlite3_finalize(stale);
	found = old = stale = NULL;
	if (n == 0) {
		ledger_rollback(d->node.ledger);
		rc = 0;
	} else {
		rc = s_write(d, &ops, &n);      /* commits, or rolls back */
	}
	ops_release(&ops);
	d->dup_version = d->data_version * 1000003 + sqlite3_total_changes64(db);
	return rc;
out:
	log_warnx("duplicate notices: %s", sqlite3_errmsg(db));
	sqlite3_finalize(found);
	sqlite3_finalize(old);
	sqlite3_finalize(stale);
	ledger_rollback(d->node.ledger);
	ops_release(&ops);
	return -1;
}
