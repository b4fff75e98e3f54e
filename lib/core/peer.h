/*
 * peer.h — what likad knows of each peer and feed, kept in table "peer" of
 * the node's database for `lika status`.  Not replicated state: the table is
 * created here, not in schema.c, and never enters a change set.
 */
#ifndef LIKA_PEER_H
#define LIKA_PEER_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "codes.h"

/* One (peer, feed) row; feed "" is the connection itself. */
struct peer_row {
	char peer[CODE_MAX];
	char feed[CODE_MAX];
	int64_t last_contact_ms;    /* last message from the peer */
	int connected;
	int64_t since_ms;           /* connected (or disconnected) since */
	uint64_t have;              /* our head of FEED */
	uint64_t theirs;            /* the head the peer told us it has */
	uint64_t acked;             /* what the peer acknowledged as stored */
	uint64_t bytes_in, bytes_out;
	uint64_t errors;
	char last_error[256];
	uint64_t quarantined;       /* change sets of FEED from this peer refused */
	unsigned schema;            /* connection row: the schema the peer last said it runs (0: unknown) */
};

/* Create table peer if missing (and add the columns a newer lika keeps). */
int peer_table_create(sqlite3 *db, char *err, size_t errlen);
/* Insert or replace ROW (inside the caller's transaction, if any). */
int peer_save(sqlite3 *db, const struct peer_row *row, char *err, size_t errlen);
/* Mark every row disconnected (a daemon starting, or stopping). */
int peer_all_disconnected(sqlite3 *db, int64_t now, char *err, size_t errlen);
/* Read the row of (PEER, FEED): 0, or -1 if there is none. */
int peer_load(sqlite3 *db, const char *peer, const char *feed, struct peer_row *row);

#endif
