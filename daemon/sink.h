/*
 * sink.h — a PostgreSQL copy of a hub's state, kept in step by likad.
 *
 * With `[sink] postgres = "CONNINFO"` in lika.conf, likad runs a thread that
 * follows the ledger and writes the state tables into PostgreSQL (libpq),
 * partitioned by county code, idempotently and restartably: see sink.c and
 * the README ("A PostgreSQL copy for analysts").
 */
#ifndef LIKAD_SINK_H
#define LIKAD_SINK_H

#include <stddef.h>
#include <stdint.h>

struct sink;

/*
 * Start the sink thread for the ledger at DBPATH (opened read-only by the
 * thread), writing to the PostgreSQL database CONNINFO under the name NODE,
 * at most BATCH change sets a PostgreSQL transaction
 * (its row in lika_sink).  The thread connects (and reconnects) by itself:
 * PostgreSQL being down is logged, not an error here.
 */
int sink_start(struct sink **sp, const char *dbpath, const char *conninfo, unsigned batch,
    const char *node, char *err, size_t errlen);
/* Ask the thread to stop, wait for it, free; accepts NULL. */
void sink_stop(struct sink **sp);

/* What the thread last did, for `lika status` (likad's control socket). */
struct sink_view {
	int connected;              /* to PostgreSQL, now */
	int known;                  /* its position is known: PostgreSQL answered since likad started */
	int64_t rowid, applied;     /* the ledger cursors committed in PostgreSQL (table changeset) */
	uint64_t written;           /* change sets written since likad started */
	int64_t last_write_ms;      /* wall clock of the last batch committed (0: none yet) */
	char last_error[200];       /* why PostgreSQL last failed ("" none since it last connected) */
};
void sink_view(struct sink *s, struct sink_view *v);

#endif
