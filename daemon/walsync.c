/*
 * walsync.c — received batches acknowledged once they are on disk, with the
 * disk synced off the loop.
 *
 * A receiving transaction commits at synchronous=NORMAL
 * (ledger_set_recv_lazy): its frames are written to the write-ahead log,
 * lika.db-wal, and the loop goes on with the next batch at once.  This
 * thread then syncs the log (fdatasync) and tells the loop, which only then
 * sends the ACKs of what that sync covered.  At FULL, SQLite syncs inside
 * COMMIT and the loop waits for the disk on every batch of a catch-up (about
 * a sixth of the time a batch takes); here the disk works while the loop
 * checks and applies the next one.
 *
 * Generations count the receiving commits: WANT is the last one committed,
 * DONE the last one known on disk.  The log is written in order, so a sync
 * begun after commit N returned covers N and every commit before it; one
 * sync acknowledges every batch committed before it began.  A checkpoint
 * syncs the log before it copies it back, and every other transaction is
 * still FULL, so neither can put an unsynced commit behind a synced one.
 *
 * What is not acknowledged is not lost to the peer: it keeps its batches
 * until they are acknowledged and resends them after a timeout or at its
 * next session.  A crash of the machine before the sync can lose a batch the
 * ledger had committed but never acknowledged; a crash of likad alone loses
 * nothing (the operating system still writes what it was given).
 *
 * Heads sent in HELLO and WELCOME say what this node holds too, so the loop
 * syncs first when a commit is still unsynced (walsync_now; once a session).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zmq.h>

#include "likad.h"
#include "log.h"
#include "util.h"
#include "worker.h"

#define WALSYNC_IDLE_MS 1000        /* look again this often without a kick */

struct walsync {
	struct worker *w;
	char path[1100];            /* lika.db-wal */
	pthread_mutex_t mu;         /* the descriptor, and DONE as the two threads advance it */
	int fd;                     /* read-only: fdatasync syncs the file, whoever wrote it */
	_Atomic uint64_t want, done;
	void *tx, *rx;              /* inproc PAIR: the thread says "synced" to the loop */
	int failing;                /* the last sync failed (said once until one succeeds) */
};

/* The log's descriptor, opened again if the file is not the one we hold; -1 if none. */
static int
s_fd(struct walsync *ws)
{
	struct stat a, b;

	if (ws->fd >= 0 && (stat(ws->path, &a) < 0 || fstat(ws->fd, &b) < 0 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev)) {
		close(ws->fd);
		ws->fd = -1;
	}
	if (ws->fd < 0)
		ws->fd = open(ws->path, O_RDONLY | O_CLOEXEC);
	return ws->fd;
}

/* Sync the log past every commit so far; 0, or -1 (errno) with nothing marked done. */
static int
s_sync(struct walsync *ws)
{
	uint64_t want = atomic_load(&ws->want);
	int rc = 0;

	pthread_mutex_lock(&ws->mu);
	if (atomic_load(&ws->done) < want) {
		int fd = s_fd(ws);
		rc = fd < 0 || fdatasync(fd) < 0 ? -1 : 0;
		if (rc == 0 && atomic_load(&ws->done) < want)
			atomic_store(&ws->done, want);
	}
	pthread_mutex_unlock(&ws->mu);
	return rc;
}

/* The thread: sync while commits are unsynced, and tell the loop after each sync. */
static void
s_run(void *arg, int kicked)
{
	struct walsync *ws = arg;

	(void)kicked;
	while (atomic_load(&ws->done) < atomic_load(&ws->want) && !worker_stopping(ws->w)) {
		if (s_sync(ws) < 0) {
			if (!ws->failing++)
				log_warnx("sync of %s: %s: received batches are not acknowledged until it "
				    "succeeds", ws->path, strerror(errno));
			return;     /* again at the next kick, or after WALSYNC_IDLE_MS */
		}
		if (ws->failing) {
			log_info("sync of %s succeeds again (after %d failures)", ws->path, ws->failing);
			ws->failing = 0;
		}
		zmq_send(ws->tx, "", 0, ZMQ_DONTWAIT);  /* full: the loop has one to read already */
	}
}

/* The loop: a sync finished; acknowledge what it covered. */
static int
s_on_synced(struct loop *loop, void *sock, void *arg)
{
	char b;

	(void)loop;
	while (zmq_recv(sock, &b, sizeof b, ZMQ_DONTWAIT) >= 0)
		;
	sync_acks(arg);
	return 0;
}

static void
s_free(struct walsync *ws)
{
	int v = 0;

	for (int i = 0; i < 2; i++) {
		void *s = i ? ws->rx : ws->tx;
		if (s) {
			zmq_setsockopt(s, ZMQ_LINGER, &v, sizeof v);
			zmq_close(s);
		}
	}
	if (ws->fd >= 0)
		close(ws->fd);
	pthread_mutex_destroy(&ws->mu);
	free(ws);
}

int
walsync_start(struct daemon *d, char *err, size_t errlen)
{
	struct walsync *ws = calloc(1, sizeof *ws);
	sqlite3 *db = ledger_db(d->node.ledger);
	const char *main_db = sqlite3_db_filename(db, "main"), *wal;
	char ep[64];

	if (!ws)
		return errf(err, errlen, "out of memory");
	ws->fd = -1;
	pthread_mutex_init(&ws->mu, NULL);
	/* no log file to sync (another journal mode): every commit syncs itself, as before */
	if (!main_db || !(wal = sqlite3_filename_wal(main_db)) || !*wal ||
	    snprintf(ws->path, sizeof ws->path, "%s", wal) >= (int)sizeof ws->path || s_fd(ws) < 0) {
		log_info("received batches are synced as they commit (no write-ahead log to sync: %s)",
		    main_db ? strerror(errno) : "no file name");
		s_free(ws);
		return 0;
	}
	snprintf(ep, sizeof ep, "inproc://likad-walsync-%p", (void *)ws);
	if (!(ws->rx = zmq_socket(d->ctx, ZMQ_PAIR)) || zmq_bind(ws->rx, ep) < 0 ||
	    !(ws->tx = zmq_socket(d->ctx, ZMQ_PAIR)) || zmq_connect(ws->tx, ep) < 0) {
		errf(err, errlen, "log sync: %s", zmq_strerror(errno));
		s_free(ws);
		return -1;
	}
	/* the thread's socket is its own from here on: the thread start orders the two */
	if (worker_start(&ws->w, "likad-walsync", 0, WALSYNC_IDLE_MS, s_run, ws, err, errlen) < 0) {
		s_free(ws);
		return -1;
	}
	loop_add_socket(d->loop, ws->rx, s_on_synced, d);
	ledger_set_recv_lazy(d->node.ledger, 1);
	d->walsync = ws;
	return 0;
}

uint64_t
walsync_committed(struct daemon *d)
{
	struct walsync *ws = d->walsync;

	if (!ws)
		return 0;
	uint64_t gen = atomic_fetch_add(&ws->want, 1) + 1;
	worker_kick(ws->w);
	return gen;
}

int
walsync_synced(struct daemon *d, uint64_t gen)
{
	return !d->walsync || atomic_load(&d->walsync->done) >= gen;
}

void
walsync_now(struct daemon *d)
{
	struct walsync *ws = d->walsync;

	if (!ws || atomic_load(&ws->done) >= atomic_load(&ws->want))
		return;
	if (s_sync(ws) < 0)
		log_warnx("sync of %s: %s: heads sent unsynced", ws->path, strerror(errno));
	else
		sync_acks(d);
}

void
walsync_stop(struct daemon *d)
{
	struct walsync *ws = d->walsync;

	if (!ws)
		return;
	ledger_set_recv_lazy(d->node.ledger, 0);
	loop_remove_socket(d->loop, ws->rx);
	worker_stop(&ws->w);
	s_free(ws);
	d->walsync = NULL;
}
