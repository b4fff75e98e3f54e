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

/* Path of FILE inside the node directory into OUT. */
int node_path(const struct node *n, const char *file, char *out, size_t len);

/* Read a 64-byte Ed25519 secret key file (refused if group/other can read it). */
int key_read(const char *path, uint8_t sk[SECKEY_BYTES], char *err, size_t errlen);
/* Create a new key file (O_EXCL, 0600) holding SK. */
int key_write(const char *path, const uint8_t sk[SECKEY_BYTES], char *err, size_t errlen);

#endif
