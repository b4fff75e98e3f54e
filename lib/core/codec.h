/*
 * codec.h — the change-set format (proto/PROTOCOL.md, "Change sets").
 *
 * A change set body is one msgpack array, encoded once by its origin:
 *   [format, origin, seq, prev, hlc, schema, author, ops]
 * and an op is [table, kind, key, cols].  The stored body bytes are what is
 * hashed (BLAKE2b-256: the change set's id) and signed (Ed25519, detached);
 * they are never re-encoded.
 */
#ifndef LIKA_CODEC_H
#define LIKA_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>
#include <sodium.h>

#include "codes.h"

#define CHANGESET_FORMAT  1
#define HASH_BYTES        32      /* crypto_generichash BLAKE2b-256 */
#define PUBKEY_BYTES      crypto_sign_PUBLICKEYBYTES
#define SECKEY_BYTES      crypto_sign_SECRETKEYBYTES
#define SIG_BYTES         crypto_sign_BYTES

#define CHANGESET_MAX_BYTES (4u << 20)  /* a body larger than this is refused */
#define CHANGESET_MAX_OPS   100000u
#define KEY_MAX           64            /* primary key bytes */
#define NAME_MAX_LEN      48            /* table and column name bytes */
#define MSGPACK_MAX_DEPTH 8

enum op_kind { OP_UPSERT = 1, OP_DELETE = 2 };

/* A column value as written into an op. */
enum value_type { V_NIL = 0, V_INT, V_TEXT, V_BLOB };
struct value {
	enum value_type type;
	int64_t i;
	const void *p;      /* V_TEXT (UTF-8) or V_BLOB bytes; borrowed */
	size_t len;
};
struct colval {
	const char *name;
	struct value v;
};
#define COL_NIL(n)         { (n), { V_NIL, 0, NULL, 0 } }
#define COL_INT(n, x)      { (n), { V_INT, (int64_t)(x), NULL, 0 } }
#define COL_TEXT(n, s)     { (n), { V_TEXT, 0, (s), strlen(s) } }
#define COL_TEXTN(n, s, l) { (n), { V_TEXT, 0, (s), (l) } }
#define COL_BLOB(n, b, l)  { (n), { V_BLOB, 0, (b), (l) } }

/*
 * The operations of a change set being written.  The ops are encoded as they
 * are added; the header is put in front when the ledger commits.
 */
struct ops {
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint32_t n;
};
#define OPS_INIT { { 0, NULL, 0 }, { NULL, NULL }, 0 }

void ops_init(struct ops *ops);
void ops_release(struct ops *ops);
/* Upsert: set the N named columns of row KEY of TABLE (others are kept). */
void ops_upsert(struct ops *ops, const char *table, const char *key,
    const struct colval *cols, size_t n);
void ops_delete(struct ops *ops, const char *table, const char *key);

/* The header fields of a change set. */
struct changeset_header {
	unsigned format;
	char origin[CODE_MAX];
	uint64_t seq;
	uint8_t prev[HASH_BYTES];
	uint64_t hlc;
	unsigned schema;
	uint8_t author[PUBKEY_BYTES];
	uint32_t nops;
};

/* Encode header H followed by the ops into a fresh buffer OUT (caller frees with msgpack_sbuffer_destroy). */
void changeset_encode(msgpack_sbuffer *out, const struct changeset_header *h,
    const struct ops *ops);

/* One decoded op: pointers into the body (not NUL-terminated). */
struct op_view {
	const char *table;
	size_t table_len;
	enum op_kind kind;
	const char *key;
	size_t key_len;
	const msgpack_object_map *cols;
};

/* A decoded change set; borrows BODY, which must outlive it. */
struct changeset {
	struct changeset_header h;
	msgpack_unpacked up;
	const msgpack_object *ops;
};

/*
 * Decode and check the form of BODY (sizes first, unknown types refused).
 * On success CS must be released with changeset_release().
 */
int changeset_decode(struct changeset *cs, const void *body, size_t len,
    char *err, size_t errlen);
void changeset_release(struct changeset *cs);
/* Op I of a decoded change set, its form checked. */
int changeset_op(const struct changeset *cs, uint32_t i, struct op_view *op,
    char *err, size_t errlen);

/*
 * The seq and prev of BODY read from its fixed prefix without decoding the
 * rest (the sender's chain is checked before anything is decoded): 0, or -1
 * if the prefix is not in the forms a change set takes.  Nothing else of the
 * body is checked; changeset_decode still decides whether it is well formed.
 */
int changeset_peek(const void *body, size_t len, uint64_t *seq, uint8_t prev[HASH_BYTES]);

/* id = BLAKE2b-256(body); sign/verify are Ed25519 detached over the body. */
void changeset_id(uint8_t id[HASH_BYTES], const void *body, size_t len);
void changeset_sign(uint8_t sig[SIG_BYTES], const void *body, size_t len,
    const uint8_t sk[SECKEY_BYTES]);
int changeset_verify_sig(const uint8_t sig[SIG_BYTES], const void *body,
    size_t len, const uint8_t pk[PUBKEY_BYTES]);

/*
 * Walk msgpack bytes without allocating and refuse anything whose declared
 * container sizes exceed the bytes that follow, that nests deeper than
 * MAX_DEPTH, or that uses ext or float types.  Run it before msgpack_unpack_next
 * on anything that arrived from outside: msgpack-c allocates a container's
 * declared size up front.  Returns 0 if DATA is exactly one well-formed object.
 */
int msgpack_check(const void *data, size_t len, unsigned max_depth,
    char *err, size_t errlen);
/*
 * As msgpack_check, and refuse more than MAX_OBJECTS objects in all (each
 * element of a container, and the container, counts one): what msgpack-c
 * will allocate is then bounded before it allocates (17 MB of nils would
 * otherwise unpack to 17 M objects, some 400 MB).
 */
int msgpack_check_objects(const void *data, size_t len, unsigned max_depth,
    uint64_t max_objects, char *err, size_t errlen);

/* Helpers for reading msgpack objects. */
int mp_str_eq(const msgpack_object *o, const char *s);
int mp_get_uint(const msgpack_object *o, uint64_t *out);
int mp_get_int(const msgpack_object *o, int64_t *out);

#endif
