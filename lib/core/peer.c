/* peer.c — table peer: likad's view of each peer and feed */
#include "peer.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int
peer_table_create(sqlite3 *db, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db,
	    "CREATE TABLE IF NOT EXISTS peer ("
	    "  peer TEXT NOT NULL, feed TEXT NOT NULL,"
	    "  last_contact_ms INTEGER NOT NULL DEFAULT 0,"
	    "  connected INTEGER NOT NULL DEFAULT 0, since_ms INTEGER NOT NULL DEFAULT 0,"
	    "  have INTEGER NOT NULL DEFAULT 0, theirs INTEGER NOT NULL DEFAULT 0,"
	    "  acked INTEGER NOT NULL DEFAULT 0,"
	    "  bytes_in INTEGER NOT NULL DEFAULT 0, bytes_out INTEGER NOT NULL DEFAULT 0,"
	    "  errors INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	    "  quarantined INTEGER NOT NULL DEFAULT 0,"
	    "  schema INTEGER NOT NULL DEFAULT 0,"
	    "  PRIMARY KEY (peer, feed))", NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "peer table: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	/* a table made by lika of schema 1 lacks column schema */
	sqlite3_stmt *st = NULL;
	int have = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('peer') WHERE name = 'schema'", -1,
	    &st, NULL) == SQLITE_OK)
		have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!have && sqlite3_exec(db, "ALTER TABLE peer ADD COLUMN schema INTEGER NOT NULL DEFAULT 0",
	    NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "peer table: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
peer_save(sqlite3 *db, const struct peer_row *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO peer (peer, feed, last_contact_ms, "
	    "connected, since_ms, have, theirs, acked, bytes_in, bytes_out, errors, last_error, "
	    "quarantined, schema) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	    -1, &st,
	    NULL) != SQLITE_OK)
		return errf(err, errlen, "peer: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, r->peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->feed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->last_contact_ms);
	sqlite3_bind_int(st, 4, r->connected);
	sqlite3_bind_int64(st, 5, r->since_ms);
	sqlite3_bind_int64(st, 6, (int64_t)r->have);
	sqlite3_bind_int64(st, 7, (int64_t)r->theirs);
	sqlite3_bind_int64(st, 8, (int64_t)r->acked);
	sqlite3_bind_int64(st, 9, (int64_t)r->bytes_in);
	sqlite3_bind_int64(st, 10, (int64_t)r->bytes_out);
	sqlite3_bind_int64(st, 11, (int64_t)r->errors);
	if (r->last_error[0])
		sqlite3_bind_text(st, 12, r->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, (int64_t)r->quarantined);
	sqlite3_bind_int(st, 14, (int)r->schema);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : errf(err, errlen, "peer: %s", sqlite3_errmsg(db));
}

int
peer_all_disconnected(sqlite3 *db, int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "UPDATE peer SET connected = 0, since_ms = ?1 WHERE connected",
	    -1, &st, NULL) != SQLITE_OK)
		return errf(err, errlen, "peer: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : errf(err, errlen, "peer: %s", sqlite3_errmsg(db));
}

int
peer_load(sqlite3 *db, const char *peer, const char *feed, struct peer_row *r)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	memset(r, 0, sizeof *r);
	if (sqlite3_prepare_v2(db, "SELECT last_contact_ms, connected, since_ms, have, theirs, acked, "
	    "bytes_in, bytes_out, errors, last_error, quarantined, schema FROM peer WHERE peer = ?1 "
	    "AND feed = ?2",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, feed, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(r->peer, sizeof r->peer, "%s", peer);
		snprintf(r->feed, sizeof r->feed, "%s", feed);
		r->last_contact_ms = sqlite3_column_int64(st, 0);
		r->connected = sqlite3_column_int(st, 1);
		r->since_ms = sqlite3_column_int64(st, 2);
		r->have = (uint64_t)sqlite3_column_int64(st, 3);
		r->theirs = (uint64_t)sqlite3_column_int64(st, 4);
		r->acked = (uint64_t)sqlite3_column_int64(st, 5);
		r->bytes_in = (uint64_t)sqlite3_column_int64(st, 6);
		r->bytes_out = (uint64_t)sqlite3_column_int64(st, 7);
		r->errors = (uint64_t)sqlite3_column_int64(st, 8);
		if (sqlite3_column_text(st, 9))
			snprintf(r->last_error, sizeof r->last_error, "%s",
			    (const char *)sqlite3_column_text(st, 9));
		r->quarantined = (uint64_t)sqlite3_column_int64(st, 10);
		r->schema = (unsigned)sqlite3_column_int(st, 11);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}
