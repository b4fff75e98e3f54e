/*
 * checkpoint.c — copying the write-ahead log back into lika.db off the loop.
 *
 * SQLite checkpoints in the connection that commits, once the log passes
 * 1000 pages: the hub's loop would copy some 4 MB and fsync lika.db every
 * second or third batch of a catch-up, while every township waits.  Here the
 * loop's commits only wake a thread of its own, on its own connection, that
 * runs a PASSIVE checkpoint (it never blocks a writer, nor a reader).
 *
 * The log restarts from its beginning only when a write begins with every
 * frame copied back; a catch-up begins the next batch at once, so the thread
 * rarely gets there first and the log would grow for as long as the catch-up
 * lasts.  Past CKPT_INLINE_PAGES the loop therefore checkpoints itself, as
 * SQLite would, which copies only what the thread has not yet copied and
 * lets the next batch restart the log, unless another connection is reading
 * then (a status, the duplicate search): that keeps it long until it reads
 * no more.  That checkpoint syncs lika.db and takes the loop 15-20 ms, so
 * the bound is high: 16,000 pages (64 MB of log) hold some 30,000 change
 * sets of 10 ops; a catch-up of 10,000 writes 5,200 pages, and met the
 * earlier bound of 4,000 once, for a tenth of its time.  The log file is cut
 * back to CKPT_LOG_LIMIT once it restarts.
 */
#include <stdlib.h>

#include "likad.h"
#include "log.h"
#include "util.h"
#include "worker.h"

#define CKPT_PAGES 1000             /* wake the thread past this (SQLite's own default) */
#define CKPT_INLINE_PAGES 16000     /* the loop checkpoints itself past this */
#define CKPT_IDLE_MS 5000           /* look again this often without a kick */
#define CKPT_LOG_LIMIT "33554432"   /* bytes the log file keeps once it restarts */

struct checkpoint {
	struct worker *w;
	sqlite3 *db;                /* the thread's connection */
};

static void
s_copy(void *arg, int kicked)
{
	struct checkpoint *ck = arg;
	int log_pages, copied;

	/* BUSY: another checkpoint runs (the loop's, or a `lika` command's): fine */
	if (kicked && sqlite3_wal_checkpoint_v2(ck->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages,
	    &copied) != SQLITE_OK && (sqlite3_errcode(ck->db) & 0xff) != SQLITE_BUSY)
		log_debug("checkpoint: %s", sqlite3_errmsg(ck->db));
}

/* After each commit of the loop's connection, with the log's length in pages. */
static int
s_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct checkpoint *ck = arg;

	if (pages >= CKPT_INLINE_PAGES)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	else if (pages >= CKPT_PAGES)
		worker_kick(ck->w);
	return SQLITE_OK;
}

int
checkpoint_start(struct daemon *d, char *err, size_t errlen)
{
	struct checkpoint *ck = calloc(1, sizeof *ck);
	char path[1100];

	if (!ck)
		return errf(err, errlen, "out of memory");
	if (node_path(&d->node, "lika.db", path, sizeof path) < 0) {
		free(ck);
		return errf(err, errlen, "checkpoint: no ledger path");
	}
	if (sqlite3_open_v2(path, &ck->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		errf(err, errlen, "checkpoint: %s: %s", path, ck->db ? sqlite3_errmsg(ck->db) : "out of memory");
		sqlite3_close(ck->db);
		free(ck);
		return -1;
	}
	/* it reads each page once, to copy it: a small page cache */
	sqlite3_exec(ck->db, "PRAGMA cache_size = -256", NULL, NULL, NULL);
	if (worker_start(&ck->w, "likad-ckpt", 0, CKPT_IDLE_MS, s_copy, ck, err, errlen) < 0) {
		sqlite3_close(ck->db);
		free(ck);
		return -1;
	}
	sqlite3_wal_hook(ledger_db(d->node.ledger), s_wal_hook, ck);
	/* a catch-up read by other connections meanwhile can leave a long log: cut it back */
	sqlite3_exec(ledger_db(d->node.ledger), "PRAGMA journal_size_limit = " CKPT_LOG_LIMIT, NULL, NULL,
	    NULL);
	d->checkpoint = ck;
	return 0;
}

void
checkpoint_stop(struct daemon *d)
{
	struct checkpoint *ck = d->checkpoint;

	if (!ck)
		return;
	/* the loop's connection checkpoints as SQLite does again */
	sqlite3_wal_autocheckpoint(ledger_db(d->node.ledger), CKPT_PAGES);
	worker_stop(&ck->w);
	sqlite3_close(ck->db);
	free(ck);
	d->checkpoint = NULL;
}
