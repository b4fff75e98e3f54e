/*
 * sigcheck.c — the signatures the chain let the receiver skip, checked on a
 * thread of their own (proto/PROTOCOL.md, "One signature a run").  A batch
 * is applied once the last signature of each run is valid; every change
 * set's own signature is checked here afterwards, on a second connection to
 * the ledger, and nothing is forwarded past one not yet checked (table
 * sig_pending; sync_pump sends up to ledger_feed_heads' forwardable seq).
 * A bad one is quarantined and its feed frozen by ledger_sig_check.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "likad.h"
#include "log.h"
#include "util.h"

#define SIGCHECK_STEP 4096          /* signatures checked a transaction: few short writes */
#define SIGCHECK_IDLE_MS 1000       /* look again this often without a kick */
#define SIGCHECK_NICE 10            /* the thread's nice value (Linux: per thread) */

struct sigcheck {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, kicked;
	struct ledger *l;
};

/* Check until nothing waits (or we are told to stop). */
static void
s_drain(struct sigcheck *sc)
{
	char bad[64], err[ERRBUF_SIZE];
	size_t n;
	int stop;

	do {
		if (ledger_sig_check(sc->l, SIGCHECK_STEP, &n, bad, sizeof bad, err, sizeof err) < 0) {
			log_warnx("signature check: %s", err);
			return;         /* the next kick or timeout tries again */
		}
		if (bad[0])
			log_warnx("change set %s: bad signature, found after its apply: quarantined, "
			    "the feed frozen and not forwarded from there", bad);
		pthread_mutex_lock(&sc->mu);
		stop = sc->stop;
		pthread_mutex_unlock(&sc->mu);
	} while (n > 0 && !stop);
}

static void *
s_run(void *arg)
{
	struct sigcheck *sc = arg;

	/* below the loop: storing and answering come first, checking takes what is left */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SIGCHECK_NICE);
	pthread_setname_np(pthread_self(), "likad-sigcheck");
	pthread_mutex_lock(&sc->mu);
	while (!sc->stop) {
		if (!sc->kicked) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += SIGCHECK_IDLE_MS / 1000;
			pthread_cond_timedwait(&sc->cv, &sc->mu, &ts);
		}
		sc->kicked = 0;
		if (sc->stop)
			break;
		pthread_mutex_unlock(&sc->mu);
		s_drain(sc);
		pthread_mutex_lock(&sc->mu);
	}
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

int
sigcheck_start(struct daemon *d, char *err, size_t errlen)
{
	struct sigcheck *sc = calloc(1, sizeof *sc);
	char path[1100];

	err[0] = '\0';
	if (!sc)
		return errf(err, errlen, "out of memory");
	if (node_path(&d->node, "lika.db", path, sizeof path) < 0 ||
	    ledger_open(&sc->l, path, 0, err, errlen) < 0) {
		if (!err[0])
			errf(err, errlen, "signature check: no ledger path");
		free(sc);
		return -1;
	}
	ledger_set_identity(sc->l, ledger_identity(d->node.ledger), NULL);
	/*
	 * What it records is found again if a crash loses it: the write lock is
	 * held briefly.  It reads each change set once: a small page cache.
	 */
	sqlite3_exec(ledger_db(sc->l), "PRAGMA cache_size = -256", NULL, NULL, NULL);
	if (ledger_set_synchronous(sc->l, "normal", err, errlen) < 0) {
		ledger_close(&sc->l);
		free(sc);
		return -1;
	}
	pthread_mutex_init(&sc->mu, NULL);
	pthread_cond_init(&sc->cv, NULL);
	sc->kicked = 1;         /* what a previous run left unchecked */
	if ((errno = pthread_create(&sc->tid, NULL, s_run, sc)) != 0) {
		errf(err, errlen, "signature check thread: %s", strerror(errno));
		ledger_close(&sc->l);
		free(sc);
		return -1;
	}
	d->sigcheck = sc;
	return 0;
}

void
sigcheck_kick(struct daemon *d)
{
	struct sigcheck *sc = d->sigcheck;

	if (!sc)
		return;
	pthread_mutex_lock(&sc->mu);
	sc->kicked = 1;
	pthread_cond_signal(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
}

void
sigcheck_stop(struct daemon *d)
{
	struct sigcheck *sc = d->sigcheck;

	if (!sc)
		return;
	pthread_mutex_lock(&sc->mu);
	sc->stop = 1;
	pthread_cond_signal(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
	pthread_join(sc->tid, NULL);
	ledger_close(&sc->l);
	pthread_mutex_destroy(&sc->mu);
	pthread_cond_destroy(&sc->cv);
	free(sc);
	d->sigcheck = NULL;
}
