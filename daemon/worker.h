/*
 * worker.h — a thread of likad's that works when the loop wakes it (a kick)
 * and otherwise every IDLE_MS, until it is stopped: the signature checks
 * (sigcheck.c) and the checkpoints (checkpoint.c).  Each keeps its own SQLite
 * connection; the loop only kicks.
 */
#ifndef LIKAD_WORKER_H
#define LIKAD_WORKER_H

#include <stddef.h>

struct worker;
/* FN(ARG, KICKED): KICKED is 0 when it runs because IDLE_MS passed. */
typedef void (*worker_fn)(void *arg, int kicked);

/*
 * Start thread NAME (at nice NICE, Linux: per thread) running FN at once,
 * then after every kick or IDLE_MS; 0, or -1 with ERR.
 */
int worker_start(struct worker **wp, const char *name, int nice, int idle_ms, worker_fn fn,
    void *arg, char *err, size_t errlen);
/* Wake it (from the loop): FN runs again soon. */
void worker_kick(struct worker *w);
/* Has it been told to stop?  For an FN that works in steps. */
int worker_stopping(struct worker *w);
/* Stop and join it (accepts NULL). */
void worker_stop(struct worker **wp);

#endif
