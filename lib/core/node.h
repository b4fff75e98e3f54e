/*
 * node.h — a node's data directory: lika.db (the ledger), node.key (Ed25519,
 * mode 0600) and lika.conf.  node_init creates the three or nothing;
 * node_open loads them and checks that they belong together.
 */
#ifndef LIKA_NODE_H
#define LIKA_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "config.h"
#include "ledger.h"

struct node {
	char dir[1024];
	struct config conf;
	struct ledger *ledger;
	struct ledger_identity id;
	uint8_t sk[SECKEY_BYTES];   /* wiped at close */
	int has_key;
};

struct node_init_args {
	enum role role;
	const char *code;
	const char *name;
	const char *county_key;     /* township: hex of the county's public key */
	const char *hub;            /* township: tcp://host:port */
	const char *listen;         /* county: tcp://addr:port (NULL: default) */
	int restore_from_hub;       /* township: a new machine for a lost one (NODE_HOLD_FROM_HUB) */
};

/*
 * Create DIR (if missing) and the node in it; refuses if any of its files exist.
 * Returns 0, -2 for bad arguments (nothing touched) or -1 for a failure.
 */
int node_init(const char *dir, const struct node_init_args *a, char *err, size_t errlen);

#define NODE_READONLY 1     /* do not load the secret key */
/*
 * Open the node in DIR: configuration, ledger, key.  RULES (may be NULL only
 * for tools that must bypass them) registers the application's apply hook on
 * the ledger before anything is applied (ledger_set_rules; lib/domain's
 * rules_attach).  Release with node_close.
 */
int node_open(struct node *n, const char *dir, int flags, void (*rules)(struct ledger *),
    char *err, size_t errlen);
void node_close(struct node *n);

/*
 * Restores (proto/PROTOCOL.md, "Restores").  The node keeps a random epoch in
 * meta `epoch` and in the file DIR/lika.epoch; likad changes both at every
 * clean start and whenever a peer acknowledges this node's feed.  node_open
 * compares them (under the write lock, so a renewal is seen whole or not at
 * all): if they differ, or one is missing while the other exists, lika.db is
 * a copy that may be behind what peers hold of this node's feed, and
 * write_hold is set (NODE_HOLD_RESTORED …) before anything can write.
 */
#define NODE_EPOCH_FILE "lika.epoch"
#define NODE_EPOCH_BACKUP "backup"      /* the epoch `lika backup` leaves in a copy */
#define NODE_HOLD_RESTORED "restored from a copy"
/*
 * `lika init --restore-from-hub`: a new machine (with a new key) for a
 * township whose machine was lost.  Its write_hold, set at init, starts with
 * NODE_HOLD_RESTORED, so likad keeps it until it has pulled the township's
 * whole feed back from the hub (daemon/township.c): no write can fork it.
 */
#define NODE_HOLD_FROM_HUB NODE_HOLD_RESTORED " (a new machine, restored from the hub): waiting " \
	"for this township's feed from the hub (start likad once the county has run \"lika roster " \
	"rekey-township\" with this node's key)"
/* A new epoch into meta and lika.epoch (file written to a temp, fsync'd, renamed). */
int node_epoch_renew(struct node *n, char *err, size_t errlen);

/*
 * The write hold (meta write_hold, hold_since, hold_awaiting): WHY is the
 * reason every local write is refused with; AWAITING the peers (codes,
 * comma-separated, may be "") whose confirmation lifts it.  hold_since is
 * kept when a hold is only re-worded.  node_hold_clear lifts it.  The rows
 * are written together, in the caller's transaction or one of their own: a
 * ledger another writer holds changes none of them (-1, SQLITE_BUSY).
 */
int node_hold_set(struct node *n, const char *why, const char *awaiting, char *err, size_t errlen);
int node_hold_clear(struct node *n, char *err, size_t errlen);
/*
 * The peers a restored node waits for, comma-separated, into OUT: at a
 * township the county; at the county every township on the roster (not
 * removed): a copy's table peer is as old as the copy, so it cannot say
 * which townships have synced since.
 */
int node_hold_peers(struct node *n, char *out, size_t len);

/*
 * A consistent copy of lika.db into PATH while likad runs: written to a
 * temporary made exclusively in PATH's directory, its epoch set to
 * NODE_EPOCH_BACKUP (so a restore of it is always found to be a copy),
 * fsync'd and linked to PATH, which must not exist (refused, nothing made).
 */
int node_backup(struct node *n, const char *path, char *err, size_t errlen);

/* Path of FILE inside the node directory into OUT. */
int node_path(const struct node *n, const char *file, char *out, size_t len);

/* Read a 64-byte Ed25519 secret key file (refused if group/other can read it). */
int key_read(const char *path, uint8_t sk[SECKEY_BYTES], char *err, size_t errlen);
/* Create a new key file (O_EXCL, 0600) holding SK. */
int key_write(const char *path, const uint8_t sk[SECKEY_BYTES], char *err, size_t errlen);

#endif
