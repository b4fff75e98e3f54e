/*
 * config.h — a node's lika.conf, parsed whole into a plain struct (libinih)
 * before anything is opened.  Errors name the file and the line.
 */
#ifndef LIKA_CONFIG_H
#define LIKA_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "codes.h"

#define CONFIG_STR 256
#define CONFIG_MAX_FEEDS 32

struct config {
	/* [node] */
	char code[CODE_MAX];
	enum role role;
	char name[CONFIG_STR];
	/* [hub]: a township's hub, or where the county hub listens */
	char hub[CONFIG_STR];           /* township: tcp://host:port to connect to */
	char listen[CONFIG_STR];        /* county: tcp://addr:port to bind */
	char county_key[2 * 32 + 1];    /* hex of the county's public key */
	/* [upstream]: a county hub's link up to its province hub (both empty: none) */
	char up_hub[CONFIG_STR];        /* tcp://host:port of the province hub */
	char province_key[2 * 32 + 1];  /* hex of the province's public key */
	/* [sync] */
	int64_t heartbeat_ms;           /* heartbeat interval */
	int64_t timeout_ms;             /* peer silent this long: connection lost */
	int64_t reconnect_max_ms;       /* reconnect backoff ceiling */
	size_t batch_bytes;             /* max bytes of change sets in one batch */
	unsigned window;                /* unacknowledged batches in flight */
	char feeds[CONFIG_STR];         /* extra feeds a township receives: "all" or codes */
	/* [status] */
	int64_t late_after_s;
	int64_t stale_after_s;
	/* [ledger] */
	char synchronous[16];           /* "full" or "normal" */
	char control[CONFIG_STR];       /* control socket path (empty: DIR/likad.sock) */
	/* [web]: the console (lika serve) */
	char web_listen[CONFIG_STR];    /* ADDR:PORT, default 127.0.0.1:8700 */
	int web_allow_remote;           /* 1: a non-loopback listen address is allowed */
	int web_by_likad;               /* [web] listen given: likad starts lika serve */
	int64_t web_session_s;          /* a login lasts this long idle */
	int64_t web_lockout_s;          /* an account locked after 5 wrong passphrases, this long */
	size_t web_upload_bytes;        /* the largest upload (a sheet, a key file) */
	/* [sink] */
	char sink_postgres[1024];       /* libpq connection string (empty: no sink) */
	unsigned sink_batch;            /* change sets one PostgreSQL transaction carries at most */
};

/* Defaults for every field. */
void config_defaults(struct config *c);
/*
 * Parse PATH into C (which config_defaults filled); 0 on success, -1 with
 * "PATH:LINE: reason" in ERR.  Unknown sections and keys are errors.
 */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* Write C to PATH (mode 0644, O_EXCL), with comments; -1 with reason. */
int config_write(const struct config *c, const char *path, char *err, size_t errlen);

#endif
