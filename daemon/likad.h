/*
 * likad.h — what the daemon's parts share: the daemon, its links to peers and
 * the per-feed state of each link (proto/PROTOCOL.md, "Wire" describes the exchange).
 */
#ifndef LIKAD_H
#define LIKAD_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "loop.h"
#include "node.h"
#include "peer.h"
#include "wire.h"

struct daemon;

#define WINDOW_MAX 64
#define HUB_RCVHWM 2        /* messages libzmq keeps received for the hub, each township */
/*
 * A local commit leaves within one tick; a tick with nothing changed costs a
 * PRAGMA data_version and a look at cached heads.
 */
#define TICK_MS 5
/*
 * A TCP connection must finish its ZMTP greeting and CURVE handshake in this
 * time (ZMQ_HANDSHAKE_IVL; libzmq's default is 30 s): idle connections that
 * never greet do not hold the hub's descriptors for long.
 */
#define HANDSHAKE_IVL_MS 5000
/* Descriptors likad needs besides one a township: SQLite, libzmq, control, slack. */
#define FD_RESERVE 256

/* One feed on one link: what we send of it and what we accept of it. */
struct feedlink {
	char origin[CODE_MAX];
	int send;                   /* we send this feed to the peer */
	int recv;                   /* we accept this feed from the peer */
	int stopped;                /* a change set was refused: nothing more accepted */
	int refused;                /* the peer refused one of ours: not sent again this session */
	uint64_t theirs;            /* the peer's head as far as we know */
	uint64_t sent;              /* last seq sent in this session */
	unsigned batches;           /* batches sent in this session (the first ones are smaller) */
	uint64_t inflight[WINDOW_MAX];  /* last seq of each unacknowledged batch */
	unsigned ninflight;
	int64_t inflight_at;        /* when the oldest unacknowledged batch left */
	uint64_t need_from;         /* a NEED we sent and wait for */
	int64_t need_at;
	uint64_t ack_seq;           /* the head to acknowledge once the log is synced ... */
	uint64_t ack_gen;           /* ... past this commit (walsync.c); 0: none waits */
	struct peer_row stat;       /* persisted in table peer */
	int restored;               /* counters carried on from table peer */
};

/* A CHANGESETS frame kept while another writer holds the ledger (sync_changesets). */
struct sync_frame {
	uint8_t *data;
	size_t len;
};
#define QUEUE_MAX WINDOW_MAX    /* frames kept a link; a sender has no more in flight */

/* A feed's heads as last read (sync_heads): refreshed when the database changes. */
struct head_cache {
	char origin[CODE_MAX];
	uint64_t have, forwardable;
};

/* A session with one peer: the hub has one per township, a township one. */
struct link {
	char peer[CODE_MAX];
	void *sock;                 /* the socket it sends on (a client's DEALER); NULL: d->sock */
	uint8_t rid[256];           /* hub: the ROUTER's routing id of the peer */
	size_t ridlen;
	int ready;                  /* HELLO/WELCOME done */
	int want_all;               /* hub: the township asked for every feed */
	char gate[CODE_MAX];        /* hub: feeds of other townships wait until the peer
	                               has all of this one (the county feed: their keys) */
	int64_t last_in, last_out;  /* mono ms */
	struct feedlink *feeds;
	size_t nfeeds;
	struct peer_row conn;       /* the row with feed "" */
	int dirty;
	struct sync_frame *queued;  /* CHANGESETS not yet stored: the ledger was busy */
	size_t nqueued;
	/* hub: the township's head of the county feed in its HELLO (this session) */
	int reported;
	uint64_t county_reported;
	int county_differs;         /* its change set at that seq is not ours: a fork */
};

struct roster_entry {
	char code[CODE_MAX];
	uint8_t pk[PUBKEY_BYTES];
	uint8_t curve[32];
	int removed;
};

/*
 * The dialling side of a link (client.c): a township to its county hub, a
 * county hub to its province hub ([upstream]).  The same CURVE DEALER, the
 * same backoff, HELLO and dispatch; the owner says what the session carries.
 */
struct client {
	struct daemon *d;           /* its owner (client_init) */
	struct link *link;          /* the session (d->up) */
	void *sock;                 /* DEALER, NULL while waiting to connect */
	void *monitor;              /* its connection events */
	const char *endpoint;       /* tcp://host:port */
	const char *what;           /* the server in the log: "hub", "province hub" */
	char expect[CODE_MAX];      /* the code the server must say it is in WELCOME */
	char server_pk[41];         /* its CURVE key (z85) */
	int hello_pending;
	int handshaken;             /* the monitor saw the CURVE handshake succeed */
	int refusal_pending;        /* the monitor saw a refusal; the tick acts on it */
	int refused;                /* refusals by the server since we last connected */
	int reached;                /* a TCP connection was made, handshaken or not */
	int64_t unreached_at;       /* mono ms since no session could be opened (0: one is) */
	int unreached_said;         /* that was logged */
	int64_t session_at;         /* mono ms the socket was made */
	int64_t backoff_ms, connect_at;
	/* the owner's part of a session: it opens (WELCOME, checked), a batch arrives */
	void (*on_welcome)(struct daemon *d, struct client *c, const struct wire_msg *m);
	/* a batch arrived, before it is stored (after: d->after_changesets) */
	void (*on_batch)(struct daemon *d, struct client *c, const struct wire_msg *m);
	/* the feeds to ask for in HELLO besides those the session carries anyway */
	size_t (*wants)(struct daemon *d, char list[][CODE_MAX], size_t max);
};

struct daemon {
	struct node node;
	const char *dir;
	void *ctx;
	void *sock;                 /* hub: ROUTER; township: DEALER (NULL while waiting) */
	void *zap;                  /* hub: the ZAP handler's REP socket */
	struct loop *loop;
	void *control;              /* REP on ipc://DIR/likad.ctl for lika status */
	char control_path[1100];
	char curve_pk[41], curve_sk[41];    /* z85 */
	sqlite3_stmt *st_data_version;
	int64_t data_version;
	struct head_cache *heads;   /* sync_heads: every feed's heads, valid for heads_key */
	size_t nheads;
	int64_t heads_key;
	/* role: after a batch of ORIGIN was stored (hub: the county check; township: caught up) */
	void (*after_changesets)(struct daemon *d, const char *origin);
	int64_t next_flush;
	struct dupscan *dupscan;    /* hub: the duplicate search thread (duplicates.c) */
	int64_t dup_version;        /* hub: the data it was last told of */
	/* hub */
	struct link **links;
	size_t nlinks;
	struct roster_entry *roster;
	size_t nroster;
	/* township: the link to the county hub; county: to the province hub ([upstream]) */
	struct link up;
	struct client client;       /* its dialling side (client.c) */
	int upstream_key_done;      /* county: its roster row for the province is published */
	uint64_t hub_own;           /* the highest head of our own feed a peer reported:
	                               township: the hub's; hub: a township's of the county feed */
	int hold;                   /* 0 none, 1 waiting for the hub at start, 2 behind a peer
	                               or restored from a copy (kept across restarts) */
	char hold_why[512];         /* its reason (meta write_hold) */
	int hold_unsaved;           /* the ledger's hold rows are ours to write: 1 now, 2 again on the
	                               tick (the ledger was busy); 0 written (an empty write_hold
	                               then means an administrator lifted it) */
	int64_t hold_until;
	int hub_seen_due;           /* township: meta hub_seen to write (the ledger was busy) */
	/* both */
	void *monitor;              /* PAIR with the events of sock (monitor.c), or NULL */
	uint64_t fd_limit;          /* RLIMIT_NOFILE as likad raised it at start */
	char awaiting[1024];        /* peers whose confirmation a hold of kind 2 waits for
	                               (meta hold_awaiting, comma-separated) */
	int epoch_due;              /* a peer acknowledged our feed: renew the epoch */
	int64_t epoch_at;           /* mono ms of the last renewal */
	int epoch_failing;          /* the last renewal failed (said once until one succeeds) */
	struct sink *sink;          /* [sink] postgres: the PostgreSQL copy (sink.c), or NULL */
	struct sigcheck *sigcheck;  /* the thread checking deferred signatures (sigcheck.c) */
	struct checkpoint *checkpoint;  /* the thread copying the log back (checkpoint.c) */
	struct walsync *walsync;    /* the thread syncing the log for acknowledgements (walsync.c) */
	struct peer_row *unsaved;   /* rows of table peer a busy ledger refused, one per (peer, feed):
	                               sync_flush writes them (a session's link is gone by then) */
	size_t nunsaved;
};

/* ---- sync.c: feeds over a link, both roles ---- */
struct feedlink *link_feed(struct link *k, const char *origin, int create);
void link_reset(struct link *k);
void link_free(struct link **kp);
/* Send one encoded message over K; 0, or -1 if it could not be queued now. */
int link_send(struct daemon *d, struct link *k, const msgpack_sbuffer *sb);
/* ORIGIN: the feed the error is about, or NULL. */
int link_send_error(struct daemon *d, struct link *k, unsigned code, const char *origin,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Send what the peer lacks of every feed we send it, within the window. */
void sync_pump(struct daemon *d, struct link *k);
/*
 * A CHANGESETS message M in FRAME (LEN bytes): stored through the ledger, then
 * ACK, NEED or ERROR.  While another connection holds the ledger's write lock
 * nothing waits: the frame is queued on K and stored by sync_retry on a later
 * tick (in order: a link with frames queued queues the next ones too).
 */
void sync_changesets(struct daemon *d, struct link *k, const struct wire_msg *m,
    const void *frame, size_t len);
/* Store what K has queued, in order, until the ledger is busy again. */
void sync_retry(struct daemon *d, struct link *k);
/* Send the ACKs whose batches the log's last sync covered (walsync.c), on every link. */
void sync_acks(struct daemon *d);
/*
 * ORIGIN's head here (HAVE) and the seq up to which it may be forwarded,
 * from a cache refreshed when the database changed (sync_data_changed, our
 * own commits): the loop does not re-read every feed's head every tick.
 */
int sync_heads(struct daemon *d, const char *origin, uint64_t *have, uint64_t *forwardable);
void sync_on_ack(struct daemon *d, struct link *k, const struct wire_msg *m);
void sync_on_need(struct daemon *d, struct link *k, const struct wire_msg *m);
/* An ERROR: counted and logged; a refused feed is not sent again this session. */
void sync_on_error(struct daemon *d, struct link *k, const struct wire_msg *m);
/* Resend batches unacknowledged for too long; heartbeat an idle link. */
void sync_timers(struct daemon *d, struct link *k);
/* Counters of K and its feeds carried on from table peer (they count across sessions). */
void sync_restore_stats(struct daemon *d, struct link *k);
/* Write the rows of table peer of K (inside the caller's transaction). */
void sync_save_link(struct daemon *d, struct link *k);
/*
 * Hold local writes (meta write_hold) with the reason, or lift the hold.
 * KIND 1: waiting for the hub at start; 2: behind a peer on our own feed
 * (kept across restarts: the reason starts with HOLD_BEHIND).
 */
#define HOLD_BEHIND "behind"
/* Is the hold WHY (meta write_hold) one of kind 2: behind a peer, or restored from a copy? */
int sync_hold_kept(const char *why);
void sync_hold(struct daemon *d, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sync_unhold(struct daemon *d, const char *why);
/* Write the hold as D has it (reason, awaited peers); on the tick while d->hold_unsaved. */
void sync_hold_save(struct daemon *d);
/* Did an administrator lift D's hold (lika hold lift: gone from the ledger)?  Then D drops it. */
int sync_hold_lifted(struct daemon *d);
/* Heads of our feeds for HELLO/WELCOME. */
void sync_head(struct daemon *d, const char *origin, struct wire_head *h);
/* Awaited peers: is CODE among them; drop it (0 if it was not there). */
int sync_awaiting_has(struct daemon *d, const char *code);
int sync_awaiting_drop(struct daemon *d, const char *code);
/*
 * The epoch (node.h) changes when a peer acknowledges our feed: ACK of it,
 * WELCOME (township), a township's county head in HELLO (hub).  Renewed on
 * the tick, at most every EPOCH_EVERY_MS; sync_epoch_flush renews one still
 * due at once (likad stopping: a copy put in place meanwhile must not match).
 */
void sync_epoch_tick(struct daemon *d);
void sync_epoch_flush(struct daemon *d);
/* 1 if the database changed since the last call (another connection committed). */
int sync_data_changed(struct daemon *d);
/* Persist every link's rows if it is time (FORCE: now). */
void sync_flush(struct daemon *d, int force);

/* ---- checkpoint.c: the write-ahead log copied back into lika.db off the loop ---- */

int checkpoint_start(struct daemon *d, char *err, size_t errlen);
void checkpoint_stop(struct daemon *d);

/* ---- walsync.c: received batches acknowledged once synced, the log synced off the loop ---- */
/*
 * Start the thread and make the ledger's receiving commits unsynced; 0 (also
 * when there is no log to sync: commits then sync themselves), or -1 with ERR.
 */
int walsync_start(struct daemon *d, char *err, size_t errlen);
/* A receiving transaction committed: the generation whose sync covers it (0: synced already). */
uint64_t walsync_committed(struct daemon *d);
/* Is generation GEN synced? */
int walsync_synced(struct daemon *d, uint64_t gen);
/* Sync every commit so far before going on (the loop waits): before heads leave in HELLO, WELCOME. */
void walsync_now(struct daemon *d);
void walsync_stop(struct daemon *d);

/* ---- sigcheck.c: signatures the chain let a batch skip, checked off the loop ---- */
/* Start the thread (its own connection to the ledger); 0, or -1 with ERR. */
int sigcheck_start(struct daemon *d, char *err, size_t errlen);
/* Change sets were stored with signatures still to check: look now. */
void sigcheck_kick(struct daemon *d);
/* Stop and join the thread (accepts a daemon that never started it). */
void sigcheck_stop(struct daemon *d);

/* ---- monitor.c: events of the hub's or township's socket ---- */
/* Watch EVENTS (ZMQ_EVENT_*) of D->sock on D->monitor, handled by FN in the loop; 0 or -1. */
int monitor_start(struct daemon *d, int events, loop_fn fn);
/* Stop watching and close D->monitor (before D->sock is closed). */
void monitor_stop(struct daemon *d);
/* The same for any socket SOCK, its monitor in *MON, FN called with ARG. */
int monitor_watch(struct daemon *d, void *sock, void **mon, int events, loop_fn fn, void *arg);
void monitor_unwatch(struct daemon *d, void *sock, void **mon);
/* The next event on the monitor socket SOCK: 1 with *EVENT and *VALUE, 0 if none is waiting. */
int monitor_next(void *sock, unsigned *event, uint32_t *value);

/* ---- control.c: the local control socket ---- */
int control_start(struct daemon *d);
void control_stop(struct daemon *d);

/* ---- hub.c ---- */
int hub_start(struct daemon *d, char *err, size_t errlen);
int hub_reload_roster(struct daemon *d);
/*
 * duplicates.c: people found in more than one township, published as notices
 * in the county feed by a thread of its own (its own node handle), at most
 * every 5 s after the data changed.  Start (0, or -1 with ERR), tell it the
 * data changed, stop and join.
 */
int dupscan_start(struct daemon *d, char *err, size_t errlen);
void dupscan_kick(struct daemon *d);
void dupscan_stop(struct daemon *d);
void hub_stop(struct daemon *d);
/*
 * province.c: the feeds a peer's session carries besides its own and ours.
 * At a province, a county sends its townships' feeds (those in its HELLO, and
 * any that arrive later: hub_feed_of_peer); at a county with a province
 * above, the province feed goes down to every township.
 */
void hub_feeds_of_peer(struct daemon *d, struct link *k, const struct wire_msg *hello);
void hub_feed_of_peer(struct daemon *d, struct link *k, const char *origin);

/* ---- client.c: the dialling side of a link ---- */
/* Set up C (its owner filled link, endpoint, what, expect and the hooks) with server key HEX. */
int client_init(struct daemon *d, struct client *c, const char *server_key_hex, char *err,
    size_t errlen);
/* Connect, say HELLO, time out, pump: from the owner's tick. */
void client_tick(struct daemon *d, struct client *c);
/* Close the session and the socket; try again after BACKOFF ms. */
void client_close(struct daemon *d, struct client *c, const char *why, int64_t backoff);
void client_stop(struct daemon *d, struct client *c);

/* ---- upstream.c: a county hub's link up to its province hub ---- */
int upstream_start(struct daemon *d, char *err, size_t errlen);
void upstream_stop(struct daemon *d);

/* ---- township.c ---- */
int township_start(struct daemon *d, char *err, size_t errlen);
void township_stop(struct daemon *d);

#endif
