/*
 * wire.h — the messages likad nodes exchange over ZeroMQ (proto/PROTOCOL.md, "Wire").
 *
 * Every message is one ZeroMQ frame holding one msgpack array
 *   [version, type, fields...]
 * A ROUTER adds the routing id frame in front; that is ZeroMQ's, not ours.
 * Decoding checks sizes first (msgpack_check before msgpack-c allocates),
 * then the exact number and type of fields of each type; an unknown type
 * is an error.
 */
#ifndef LIKA_WIRE_H
#define LIKA_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "codec.h"

#define WIRE_VERSION      1
/* largest message accepted (ZMQ_MAXMSGSIZE too): one batch at the largest batch_bytes plus slack */
#define WIRE_MAX_MSG      ((size_t)(17u << 20))
#define WIRE_MAX_HEADS    4096      /* feeds named in one HELLO or WELCOME */
#define WIRE_MAX_BATCH    16384     /* change sets in one CHANGESETS */
#define WIRE_DETAIL_MAX   256
#define WIRE_MAX_DEPTH    4
/*
 * msgpack objects in one message: a CHANGESETS of WIRE_MAX_BATCH change sets
 * takes 3 a change set, a HELLO 4 a head and 1 a wanted feed; anything more is
 * refused before it is unpacked, so a message decodes to at most ~1.5 MB.
 */
#define WIRE_MAX_OBJECTS  (4u * WIRE_MAX_BATCH)

enum wire_type {
	WIRE_HELLO = 1,         /* township → hub: who I am, what I have, what I want */
	WIRE_WELCOME = 2,       /* hub → township: what I have of those feeds */
	WIRE_CHANGESETS = 3,    /* a batch of consecutive change sets of one feed */
	WIRE_ACK = 4,           /* (origin, seq) durably stored */
	WIRE_NEED = 5,          /* resend ORIGIN from SEQ */
	WIRE_ERROR = 6,         /* (code, detail, origin or "") */
	WIRE_HEARTBEAT = 7,
};

enum wire_error {
	WERR_BAD_MESSAGE = 1,   /* did not decode; dropped */
	WERR_HELLO_FIRST = 2,   /* no session: send HELLO */
	WERR_NOT_ADMITTED = 3,  /* key not (or no longer) on the roster */
	WERR_FORBIDDEN = 4,     /* a feed this peer may not send */
	WERR_REFUSED = 5,       /* a change set was refused: that feed is stopped */
	WERR_SCHEMA = 6,        /* protocol version not spoken */
	WERR_INTERNAL = 7,      /* the receiver failed locally; try again later */
};
const char *wire_type_name(int type);
const char *wire_error_name(int code);

/* What a node holds of one feed. */
struct wire_head {
	char origin[CODE_MAX];
	uint64_t seq;
	uint8_t id[HASH_BYTES];
};

/* One change set in a batch: pointers into the decoded message. */
struct wire_cs {
	const uint8_t *body;
	size_t len;
	const uint8_t *sig;
	size_t siglen;
};

/* A decoded message; borrows the frame bytes, which must outlive it. */
struct wire_msg {
	enum wire_type type;
	char node[CODE_MAX];            /* HELLO, WELCOME */
	unsigned schema;                /* HELLO, WELCOME */
	struct wire_head *heads;        /* HELLO, WELCOME (malloc'd) */
	size_t nheads;
	char (*want)[CODE_MAX];         /* HELLO: feeds wanted besides own and county (malloc'd) */
	size_t nwant;
	int want_all;                   /* HELLO: "*" was among them */
	char origin[CODE_MAX];          /* CHANGESETS, ACK, NEED; ERROR: the feed it is about, or "" */
	uint64_t seq;                   /* ACK: stored through; NEED: resend from */
	struct wire_cs *cs;             /* CHANGESETS (malloc'd) */
	size_t ncs;
	unsigned code;                  /* ERROR */
	char detail[WIRE_DETAIL_MAX];   /* ERROR */
	msgpack_unpacked up;
};

/*
 * Decode one frame.  0 on success (release M with wire_msg_release), -1 with
 * the reason in ERR (M needs no release).
 */
int wire_decode(struct wire_msg *m, const void *data, size_t len, char *err, size_t errlen);
void wire_msg_release(struct wire_msg *m);

/* Encoders append one message to SB (caller owns it: msgpack_sbuffer_destroy). */
void wire_encode_hello(msgpack_sbuffer *sb, const char *node, unsigned schema,
    const struct wire_head *heads, size_t nheads, const char *const *want, size_t nwant);
void wire_encode_welcome(msgpack_sbuffer *sb, const char *node, unsigned schema,
    const struct wire_head *heads, size_t nheads);
void wire_encode_changesets(msgpack_sbuffer *sb, const char *origin,
    const struct wire_cs *cs, size_t n);
void wire_encode_ack(msgpack_sbuffer *sb, const char *origin, uint64_t seq);
void wire_encode_need(msgpack_sbuffer *sb, const char *origin, uint64_t from);
/* ORIGIN: the feed the error is about (WERR_REFUSED: the sender stops sending it), or NULL. */
void wire_encode_error(msgpack_sbuffer *sb, unsigned code, const char *origin, const char *detail);
void wire_encode_heartbeat(msgpack_sbuffer *sb);

#endif
