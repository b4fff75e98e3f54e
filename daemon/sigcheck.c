/*
 * sigcheck.c — the signatures the chain let the receiver skip, checked on a
 * thread of their own (proto/PROTOCOL.md, "One signature a run").  A batch
 * is applied once the last signature of each run is valid; every change
 * set's own signature is checked here afterwards, on a second connection to
 * the ledger, and nothing is forwarded past one not yet checked (table
 * sig_pending; sync_pump sends up to ledger_feed_heads' forwardable seq).
 * A bad one is quarantined and its feed frozen by ledger_sig_check.
 */
#include <stdlib.h>

#include "likad.h"
#include "log.h"
#include "util.h"
#include "worker.h"

#define SIGCHECK_STEP 4096          /* signatures checked a transaction: few short writes */
#define SIGCHECK_IDLE_MS 1000       /* look again this often without a kick */
#define SIGCHECK_NICE 10            /* below the loop: storing and answering come first */

struct sigcheck {
	struct worker *w;
	struct ledger *l;
};

/* Check until nothing waits (or we are told to stop). */
static void
s_drain(void *arg, int kicked)
{
	struct sigcheck *sc = arg;
	char bad[64], err[ERRBUF_SIZE];
	size_t n;

	(void)kicked;
	do {
		if (ledger_sig_check(sc->l, SIGCHECK_STEP, &n, bad, sizeof bad, err, sizeof err) < 0) {
			log_warnx("signature check: %s", err);
			return;         /* the next kick or timeout tries again */
		}
		if (bad[0])
			log_warnx("change set %s: bad signature, found after its apply: quarantined, "
			    "the feed frozen and not forwarded from there", bad);
	} while (n > 0 && !worker_stopping(sc->w));
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
	/* it starts with what a previous run left unchecked */
	if (ledger_set_synchronous(sc->l, "normal", err, errlen) < 0 ||
	    worker_start(&sc->w, "likad-sigcheck", SIGCHECK_NICE, SIGCHECK_IDLE_MS, s_drain, sc, err,
	    errlen) < 0) {
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
	if (d->sigcheck)
		worker_kick(d->sigcheck->w);
}

void
sigcheck_stop(struct daemon *d)
{
	struct sigcheck *sc = d->sigcheck;

	if (!sc)
		return;
	worker_stop(&sc->w);
	ledger_close(&sc->l);
	free(sc);
	d->sigcheck = NULL;
}
