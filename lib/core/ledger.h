/*
 * ledger.h — the signed, hash-chained ledger and the state it produces.
 *
 * One SQLite database (WAL) holds every feed's change sets (table changeset),
 * each feed's head (feed), refused change sets (quarantine), node facts (meta)
 * and the state tables of schema.h.  State is a pure function of the verified
 * feeds: a local write and a received change set both go through one apply
 * routine, which is also what rebuild and verify replay.
 */
#ifndef LIKA_LEDGER_H
#define LIKA_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "codec.h"

struct ledger;

#define LEDGER_CREATE 1      /* create the database and its tables if missing */

/* Open the ledger at PATH.  On success *LP owns it. */
int ledger_open(struct ledger **lp, const char *path, int flags, char *err, size_t errlen);
/* Close; accepts NULL or *LP == NULL and clears the caller's pointer. */
void ledger_close(struct ledger **lp);

/* Does table NAME exist in the main database of DB?  1 or 0 (0 on an error too). */
int ledger_table_exists(sqlite3 *db, const char *name);

/* The connection, for reading state (queries only outside ledger_begin/commit). */
sqlite3 *ledger_db(struct ledger *l);

/* SQLite's synchronous setting: "full" (default) or "normal". */
int ledger_set_synchronous(struct ledger *l, const char *mode, char *err, size_t errlen);

/* Node facts kept in table meta.  get returns 0 and copies VALUE, -1 if absent. */
int ledger_meta_get(struct ledger *l, const char *key, char *value, size_t len);
int ledger_meta_set(struct ledger *l, const char *key, const char *value, char *err, size_t errlen);

/*
 * The identity the ledger signs with and checks against: this node's code and
 * key pair, the county's code and public key.  SK is copied (and wiped at
 * close); pass NULL for a read-only node.
 */
struct ledger_identity {
	char code[CODE_MAX];
	char county[CODE_MAX];
	uint8_t pk[PUBKEY_BYTES];
	uint8_t county_pk[PUBKEY_BYTES];
	/*
	 * The province above (code_province_of); its key where this node knows
	 * it first hand (the province itself; a county with [upstream]).  Elsewhere
	 * the county's roster row for the province names it.
	 */
	char province[CODE_MAX];
	uint8_t province_pk[PUBKEY_BYTES];
	int has_province_pk;
};
void ledger_set_identity(struct ledger *l, const struct ledger_identity *id,
    const uint8_t *sk);
/* The identity set with ledger_set_identity (zeroed until then). */
const struct ledger_identity *ledger_identity(const struct ledger *l);

/* ---- rules: the application's say on every op the ledger applies ----------- */

/*
 * The ledger knows tables, change sets and keys; what the rows mean is the
 * application's (lib/domain).  Like sqlite3_set_authorizer, the program
 * registers a hook at open, and the ledger calls it for every op of every
 * change set it applies, whoever wrote it: a local write, a received change
 * set, a held one applied after an upgrade, and the replay of rebuild and
 * verify.  A refusal is treated as any other: a local write is rolled back,
 * a received change set is quarantined and its feed frozen, verify names the
 * (origin, seq) and the rule.
 *
 * Each op is offered twice: LEDGER_RULE_BEFORE with the state as it stands
 * before the op (so a rule can see whether the row existed), and
 * LEDGER_RULE_AFTER once the op is applied (so a rule can read the row as it
 * now stands).  After the last op, LEDGER_RULE_END once for the change set.
 * Rules read database DBNAME ("main", or "replay" while verify replays), never
 * another: the replay is checked against its own state.
 */
enum ledger_rule_phase { LEDGER_RULE_BEFORE, LEDGER_RULE_AFTER, LEDGER_RULE_END };
struct ledger_rule_op {
	enum ledger_rule_phase phase;
	sqlite3 *db;
	const char *dbname;
	const struct changeset_header *cs;  /* origin, seq, hlc, author … */
	uint32_t index;                     /* op number within the change set */
	const char *table;                  /* NULL at LEDGER_RULE_END */
	const char *key;                    /* NUL-terminated copy of the row key */
	int deleted;
	const msgpack_object_map *cols;     /* columns as written; NULL for a delete */
	size_t key_len;                     /* bytes of the key as written (a NUL in it
	                                       makes strlen(key) shorter) */
	/*
	 * Changes whenever state a rule has seen may have been undone or replaced:
	 * a rollback (a refused local write, a quarantined change set, a failed
	 * batch) or a replay into fresh tables (verify, rebuild).  A rule that
	 * caches what it read (code lists) keeps the epoch it read at and reads
	 * again when it differs.
	 */
	uint64_t epoch;
};
/*
 * 0 to go on, or -1 with the rule broken in ERR ("rule NAME: …"), or
 * LEDGER_RULE_WAIT with what is missing in ERR: the change set needs rows
 * another feed brings that this node has not applied yet (a county step for
 * a household whose own feed is still on its way).  A received change set
 * that waits is stored but held, with the rest of its feed behind it, and is
 * tried again whenever a later receive commits; a local write or a replay
 * that waits fails as a refusal would.
 */
#define LEDGER_RULE_WAIT 1
typedef int (*ledger_rule_fn)(void *arg, struct ledger *l, const struct ledger_rule_op *op,
    char *err, size_t errlen);
/*
 * Register FN with ARG (NULL FN: no rules).  RELEASE (may be NULL) is called
 * with ARG when the rules are replaced or the ledger closes.
 */
void ledger_set_rules(struct ledger *l, ledger_rule_fn fn, void *arg, void (*release)(void *arg));
/*
 * Apply change sets held for a newer schema that this build now knows (after
 * an upgrade); run once the identity is set.
 */
int ledger_apply_held(struct ledger *l, char *err, size_t errlen);
/*
 * Why ORIGIN's feed is held (applied behind its head): 1 with "seq N: why"
 * in WHY, 0 if nothing of it is held.
 */
int ledger_feed_waits(struct ledger *l, const char *origin, char *why, size_t len);

/* ---- local writes --------------------------------------------------------- */

/*
 * A stamp: FN (may be NULL: none) is called for every change set this node
 * writes, once its seq is known and before it is encoded, and may add ops to
 * EXTRA (a copy of the caller's ops), which are signed and applied with them.
 * The console uses it to put the clerk's name into each change set it makes
 * (lib/domain: rows of table clerk_change); the ledger knows nothing of them.
 */
typedef void (*ledger_stamp_fn)(void *arg, const char *origin, uint64_t seq, struct ops *extra);
void ledger_set_stamp(struct ledger *l, ledger_stamp_fn fn, void *arg);

/*
 * ledger_begin starts the write transaction (BEGIN IMMEDIATE, waiting on other
 * writers as the connection's busy handler says); reads made after it see
 * what the commit will build on.  0, LEDGER_BUSY (another connection still
 * holds the write lock) or -1, with ERR.
 * ledger_commit appends one signed change set of OPS to the node's own feed
 * and applies it, then commits; on any error everything is rolled back.
 * OUT (may be NULL) gets the seq and id written.
 */
#define LEDGER_BUSY (-2)
int ledger_begin(struct ledger *l, char *err, size_t errlen);
struct ledger_written {
	uint64_t seq;
	uint8_t id[HASH_BYTES];
};
int ledger_commit(struct ledger *l, const struct ops *ops, struct ledger_written *out,
    char *err, size_t errlen);
/*
 * For a bulk write (import) that must be all or nothing but is too large for
 * one change set: ledger_append signs, appends and applies one change set
 * inside the open transaction (each append is seq + 1 of the one before);
 * ledger_end commits them all.  On any error the whole transaction is rolled
 * back.  ledger_commit = ledger_append + ledger_end.
 */
int ledger_append(struct ledger *l, const struct ops *ops, struct ledger_written *out,
    char *err, size_t errlen);
int ledger_end(struct ledger *l, char *err, size_t errlen);
void ledger_rollback(struct ledger *l);

/* ---- received change sets -------------------------------------------------- */

enum recv_result {
	RECV_STORED,      /* appended and applied */
	RECV_HELD,        /* appended, not applied: newer schema, a rule waits for another
	                     feed (LEDGER_RULE_WAIT), or behind one held */
	RECV_DUPLICATE,   /* already held, same id: nothing to do */
	RECV_GAP,         /* seq beyond head + 1: ask for a resend from head + 1 */
	RECV_REFUSED,     /* quarantined with a reason; the feed is frozen */
	RECV_FORK,        /* a second, validly signed change set for a held seq: kept, frozen */
	RECV_FROZEN,      /* the feed is frozen: not looked at */
};
const char *recv_result_name(enum recv_result r);

/*
 * Check and store one change set that arrived from PEER (for the record).
 * Runs inside a transaction the caller opened with ledger_recv_begin and ends
 * with ledger_recv_commit, so a batch costs one commit.  ledger_recv_begin
 * returns as ledger_begin does.  ledger_receive returns 0 with *RES set
 * (REASON says why for REFUSED, FORK, GAP, FROZEN), or -1 on a local error
 * (database), after which the caller rolls back.
 */
int ledger_recv_begin(struct ledger *l, char *err, size_t errlen);
/*
 * With ON, a receiving transaction commits at synchronous=NORMAL: written to
 * the write-ahead log but not synced, so the committer goes on at once.  The
 * caller then syncs the log (lika.db-wal) itself before it tells anyone the
 * change sets are stored.  The log is written in order, so a sync begun after
 * a commit returned covers it and every commit before it.  Every other
 * transaction stays synced (FULL) and so also covers the unsynced ones
 * before it.
 */
void ledger_set_recv_lazy(struct ledger *l, int on);
/*
 * A write transaction (ended by ledger_end or ledger_rollback) whose commit is
 * not synced: for bookkeeping a crash of the machine may lose (likad's
 * counters of its peers), made durable by the next synced commit.  0,
 * LEDGER_BUSY or -1 with ERR.
 */
int ledger_begin_unsynced(struct ledger *l, char *err, size_t errlen);
int ledger_receive(struct ledger *l, const void *body, size_t len, const uint8_t *sig,
    size_t siglen, const char *peer, enum recv_result *res, char *reason, size_t reasonlen);
int ledger_recv_commit(struct ledger *l, char *err, size_t errlen);
/* A change set as it arrived, for ledger_receive_verified. */
struct ledger_recv {
	const void *body;
	size_t len;
	const uint8_t *sig;
	size_t siglen;
	const uint8_t *id;          /* its id (changeset_id) if the caller has it, or NULL */
	const uint8_t *verified_pk; /* see below, or NULL */
	const char *peer;           /* who sent it (for the record) */
};
/*
 * As ledger_receive.  VERIFIED_PK: the caller has already found the detached
 * signature valid for that key (or the signature of a later change set
 * chained on this one: proto/PROTOCOL.md, "One signature a run").  The ledger
 * still looks up the origin's key and verifies the signature itself unless
 * that key equals VERIFIED_PK.
 */
int ledger_receive_verified(struct ledger *l, const struct ledger_recv *in, enum recv_result *res,
    char *reason, size_t reasonlen);

/*
 * Signatures checked after the apply (proto/PROTOCOL.md, "One signature a
 * run").  A receiver that stored change sets of ORIGIN from seq FIRST on
 * because a later change set's valid signature authenticates them through
 * the chain calls ledger_sig_defer inside that receiving transaction; their
 * own signatures are then still to be checked, and until they are, nothing
 * from FIRST on is forwarded (ledger_feed_heads).  0, or -1 (database).
 */
int ledger_sig_defer(struct ledger *l, const char *origin, uint64_t first, char *err,
    size_t errlen);
/*
 * Check up to MAX deferred signatures of one feed, in its own transaction
 * (a worker's connection: ledger_open a second handle, same identity).  A
 * bad one is quarantined (kind "refused", the reason names seq and "bad
 * signature"), the feed frozen, and checking of that feed stops there; its
 * "ORIGIN seq N" goes into BAD (else BAD is "").  *CHECKED: how many were
 * checked; 0 when nothing waits.  0, or -1 (database, ERR).
 */
int ledger_sig_check(struct ledger *l, size_t max, size_t *checked, char *bad, size_t badlen,
    char *err, size_t errlen);
/* Change sets of every feed whose own signature is still to be checked. */
int ledger_sig_unchecked(struct ledger *l, uint64_t *count);
/*
 * ORIGIN's head (seq; 0 if none held) and the highest seq that may be
 * forwarded to another peer: the head, or the last seq before the first one
 * whose own signature is still to be checked or was found bad, or that waits
 * unverified for its key (a township's, stored before its county published
 * its key: proto/PROTOCOL.md, "Wait for the key, too").
 */
int ledger_feed_heads(struct ledger *l, const char *origin, uint64_t *head, uint64_t *forwardable);

/*
 * The table whose rows lika status counts as changed by unsent change sets
 * (table own_touch, written by ledger_append).
 */
#define LEDGER_TOUCHED_TABLE "household"
/* Rows of LEDGER_TOUCHED_TABLE changed by this node's own change sets after SEQ. */
int ledger_households_since(struct ledger *l, uint64_t seq, uint64_t *count);

/* Head of ORIGIN's feed: seq 0 and a zero id if we hold none of it. */
int ledger_feed_head(struct ledger *l, const char *origin, uint64_t *seq,
    uint8_t id[HASH_BYTES]);
/* Is ORIGIN's feed frozen?  1 with the reason copied, 0 if not. */
int ledger_feed_frozen(struct ledger *l, const char *origin, char *reason, size_t len);
/*
 * Unfreeze ORIGIN's feed and mark its quarantined change sets resolved (an
 * admin's decision after a refusal was dealt with; the evidence is kept).
 * ORIGIN NULL resolves the change sets whose origin could not be read.  A
 * signature found bad after the apply is checked again from its seq.  How
 * many quarantined change sets were resolved, or -1 with ERR.
 */
int ledger_feed_unfreeze(struct ledger *l, const char *origin, char *err, size_t errlen);

/*
 * ORIGIN's change sets from seq FROM to TO, in seq order and in one read:
 * FN(ARG, SEQ, BODY, LEN, SIG) for each (BODY and SIG valid only during the
 * call) until FN returns non-zero.  0 when FN stopped it or TO was reached;
 * -1 on a read error or a seq missing, with *MISSING the first seq not read.
 */
typedef int (*ledger_cs_fn)(void *arg, uint64_t seq, const uint8_t *body, size_t len,
    const uint8_t *sig);
int ledger_changeset_each(struct ledger *l, const char *origin, uint64_t from, uint64_t to,
    ledger_cs_fn fn, void *arg, uint64_t *missing);

/* The stored body and signature of (ORIGIN, SEQ): malloc'd, caller frees. */
int ledger_changeset_get(struct ledger *l, const char *origin, uint64_t seq,
    uint8_t **body, size_t *len, uint8_t sig[SIG_BYTES]);

/*
 * A consistent copy of the whole database into the SQLite database at PATH
 * (an empty file the caller made), with the online backup API: one read
 * transaction, so writers (likad) go on meanwhile.
 */
int ledger_backup(struct ledger *l, const char *path, char *err, size_t errlen);

/* ---- whole-ledger checks ------------------------------------------------------ */

struct verify_report {
	uint64_t feeds, changesets, tables;
	uint64_t unverified;    /* held until their key arrives: chained, signature not yet checked */
	char origin[CODE_MAX];   /* first bad (origin, seq), if any */
	uint64_t seq;
	char reason[384];
};
/* 0: every chain, signature and state table holds; 1: REP names the first fault; -1: error. */
int ledger_verify(struct ledger *l, struct verify_report *rep, char *err, size_t errlen);
/* Replay every applied change set into fresh state tables, in one transaction. */
int ledger_rebuild(struct ledger *l, uint64_t *replayed, char *err, size_t errlen);

/*
 * The public key that must sign ORIGIN's change set SEQ: 0, or -1 if unknown.
 * A re-keyed township (lika roster rekey-township) has retired rows in
 * roster_node, id "ORIGIN/UPTO" (UPTO: 10 digits, zero-padded), role
 * "retired", holding the key that signed seqs <= UPTO: the row with the
 * smallest UPTO >= SEQ gives the key; without one, the current key (the
 * node's own, the county's, or roster_node row ORIGIN).  The county key is
 * never retired.
 */
/*
 * The key row KEY (LEN bytes) of table T written by ORIGIN is stored under,
 * into OUT: KEY itself, but at a province, a county-owned row a county
 * writes whose key does not begin with the county's code (policy NAME/YEAR,
 * a code list entry, a duplicate notice) is kept as "COUNTY:KEY", so that
 * the counties' rows of one name do not overwrite each other.  Roster rows
 * are checked instead (a county's are its townships'), but for each county's
 * row for the province itself ("COUNTY:PROVINCE").  Applied alike by a
 * write, a receive, replay and the sink, so verify and rebuild agree.
 */
#define LEDGER_STORED_KEY_MAX (KEY_MAX + CODE_MAX + 2)
struct table_def;
void ledger_stored_key(const struct ledger *l, const char *origin, const struct table_def *t,
    const char *key, size_t len, char *out, size_t outlen);
/* The same for a node whose top code (its county's; a province's own) is TOP, without a ledger. */
void ledger_key_stored(const char *top, const char *origin, const struct table_def *t, const char *key,
    size_t len, char *out, size_t outlen);
/* County-owned rows keyed so are the province's (its policy): see s_owner_county. */
#define LEDGER_PROVINCE_KEY_PREFIX "province_"
#define LEDGER_RETIRED_SEQ_MAX 9999999999ULL
int ledger_origin_key(struct ledger *l, const char *origin, uint64_t seq, uint8_t pk[PUBKEY_BYTES]);
/*
 * As ledger_origin_key, and *LAST: the last seq the same key signs as the
 * roster stands (a retired key's UPTO; UINT64_MAX for the current key), so a
 * receiver looks the key up once for a run of seqs.
 */
int ledger_origin_key_upto(struct ledger *l, const char *origin, uint64_t seq,
    uint8_t pk[PUBKEY_BYTES], uint64_t *last);

#endif
