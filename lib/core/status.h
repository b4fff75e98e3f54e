/*
 * status.h — what admins see of sync (`lika status`), read from a node's
 * database: feeds, quarantine, the peer table likad keeps, and (when the
 * daemon answers on its control socket) its live view.  Gathering is here;
 * rendering is the tool's.
 */
#ifndef LIKA_STATUS_H
#define LIKA_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

/* Health, worst last: the order sorts rows worst first and sets the exit status. */
enum health { HEALTH_OK = 0, HEALTH_NEVER, HEALTH_LATE, HEALTH_STALE, HEALTH_ERROR };
const char *health_name(enum health h);

struct status_issue {               /* a quarantined change set or a fork */
	char origin[CODE_MAX];
	uint64_t seq;
	char kind[16];                  /* "malformed", "refused", "fork" */
	char reason[256];
	char peer[CODE_MAX];
	int64_t at_ms;
};

/* One peer: the hub as a township sees it, or a township as the county sees it. */
struct status_peer {
	char code[CODE_MAX];
	char name[128];
	int removed;                    /* taken off the roster */
	int known;                      /* the daemon has a record of this peer */
	int connected;
	int64_t since_ms;               /* connected (or disconnected) since */
	int64_t last_contact_ms;        /* 0: never */
	uint64_t their_head;            /* the head of the peer's feed it told us */
	uint64_t held;                  /* what we hold of that feed */
	uint64_t lag;                   /* their_head - held, if positive */
	int64_t lag_ms;                 /* age of the newest change set we hold, when lagging */
	uint64_t households;            /* household rows of that township we hold */
	uint64_t quarantined;
	int frozen;
	char frozen_reason[256];
	uint64_t errors;
	char last_error[256];
	unsigned schema;                /* the schema the peer runs, as it last said or wrote (0: unknown) */
	int upgrade;                    /* "upgrade needed": 1 this node, 2 the peer, 0 neither */
	enum health health;
};

/* A hub's PostgreSQL copy ([sink] postgres), as likad's thread last saw it. */
struct status_sink {
	int configured;
	int live;                       /* likad said how it stands (else nothing is known here) */
	int connected;                  /* to PostgreSQL, now */
	int known;                      /* PostgreSQL told likad its position since it started */
	int64_t rowid, applied;         /* that position (table changeset's rowid, applied order) */
	uint64_t behind;                /* change sets stored here past it: not yet in the copy */
	int64_t oldest_ms;              /* when the oldest of them was stored (0: none) */
	uint64_t written;               /* change sets written since likad started */
	int64_t last_write_ms;          /* the last batch committed (0: none since likad started) */
	char last_error[200];           /* why PostgreSQL last failed, until a batch is written */
	enum health health;
};

struct status {
	char code[CODE_MAX];
	char name[128];
	enum role role;
	int64_t now_ms;
	int64_t late_after_s, stale_after_s;
	/* the daemon */
	int daemon_running;             /* 1 running, 0 not */
	int daemon_live;                /* it answered on its control socket */
	long daemon_pid;
	int64_t daemon_started_ms;
	/* own feed */
	uint64_t own_head;
	int64_t own_head_ms;
	/* township: the hub */
	uint64_t acked;                 /* own change sets the hub has stored */
	uint64_t unsent;                /* own_head - acked */
	int64_t oldest_unsent_ms;       /* when the oldest unsent one was written (0: none) */
	uint64_t households_unsent;     /* households changed in the unsent change sets */
	uint64_t county_head, county_applied, county_hub_head;
	char county_waits[256];         /* why the county feed is applied behind its head, "" if not */
	char write_hold[256];
	char hold_awaiting[256];        /* peers that must confirm our feed before it lifts */
	/*
	 * Stored change sets (every feed) whose own signature is still to be
	 * checked: a hub applies a run on the chain's authority and checks each
	 * signature after, on a thread (ledger_sig_unchecked)
	 */
	uint64_t sig_unchecked;
	/* peers: the hub (township) or every township on the roster (county) */
	struct status_peer *peers;
	size_t npeers;
	char under[CODE_MAX];           /* province: the county whose townships these are, or "" */
	/* county with [upstream]: its link up (as likad last recorded it); their_head: acked */
	int has_upstream;
	struct status_peer upstream;
	/* quarantined change sets and forks, newest first */
	struct status_issue *issues;
	size_t nissues;
	struct status_sink sink;
	enum health health;             /* the worst of everything */
};

/* Gather the status of node N.  Release with status_release. */
int status_gather(struct node *n, struct status *s, char *err, size_t errlen);
/*
 * The same at a province: UNDER NULL, one row per county on the roster (its
 * connection, the lag of its own feed, the households of all its townships);
 * UNDER a county's code, one row per township of that county as the province
 * sees it (what the county told of the township's feed, what the province
 * holds; the connection is the county's).
 */
int status_gather_under(struct node *n, const char *under, struct status *s, char *err,
    size_t errlen);
void status_release(struct status *s);

/* The monitoring exit status: 0 ok, 1 late (or never connected), 2 stale or errors. */
int status_exit_code(const struct status *s);

#endif
