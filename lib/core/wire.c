/* wire.c — encode and decode the messages of proto/PROTOCOL.md, "Wire" */
#include "wire.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *
wire_type_name(int type)
{
	switch (type) {
	case WIRE_HELLO: return "HELLO";
	case WIRE_WELCOME: return "WELCOME";
	case WIRE_CHANGESETS: return "CHANGESETS";
	case WIRE_ACK: return "ACK";
	case WIRE_NEED: return "NEED";
	case WIRE_ERROR: return "ERROR";
	case WIRE_HEARTBEAT: return "HEARTBEAT";
	default: return "?";
	}
}

const char *
wire_error_name(int code)
{
	switch (code) {
	case WERR_BAD_MESSAGE: return "bad message";
	case WERR_HELLO_FIRST: return "hello first";
	case WERR_NOT_ADMITTED: return "not admitted";
	case WERR_FORBIDDEN: return "forbidden";
	case WERR_REFUSED: return "refused";
	case WERR_SCHEMA: return "protocol version";
	case WERR_INTERNAL: return "internal";
	default: return "unknown";
	}
}

/* ---- encoding ------------------------------------------------------------------ */

static void
s_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static void
s_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

static void
s_head(msgpack_packer *pk, enum wire_type type, size_t nfields)
{
	msgpack_pack_array(pk, nfields + 2);
	msgpack_pack_uint32(pk, WIRE_VERSION);
	msgpack_pack_uint32(pk, type);
}

static void
s_heads(msgpack_packer *pk, const struct wire_head *heads, size_t n)
{
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(pk, 3);
		s_str(pk, heads[i].origin);
		msgpack_pack_uint64(pk, heads[i].seq);
		s_bin(pk, heads[i].id, HASH_BYTES);
	}
}

void
wire_encode_hello(msgpack_sbuffer *sb, const char *node, unsigned schema,
    const struct wire_head *heads, size_t nheads, const char *const *want, size_t nwant)
{
	msgpack_packer pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	s_head(&pk, WIRE_HELLO, 4);
	s_str(&pk, node);
	msgpack_pack_uint32(&pk, schema);
	s_heads(&pk, heads, nheads);
	msgpack_pack_array(&pk, nwant);
	for (size_t i = 0; i < nwant; i++)
		s_str(&pk, want[i]);
}

void
wire_encode_welcome(msgpack_sbuffer *sb, const char *node, unsigned schema,
    const struct wire_head *heads, size_t nheads)
{
	msgpack_packer pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	s_head(&pk, WIRE_WELCOME, 3);
	s_str(&pk, node);
	msgpack_pack_uint32(&pk, schema);
	s_heads(&pk, heads, nheads);
}

void
wire_encode_changesets(msgpack_sbuffer *sb, const char *origin, const struct wire_cs *cs, size_t n)
{
	msgpack_packer pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	s_head(&pk, WIRE_CHANGESETS, 2);
	s_str(&pk, origin);
	msgpack_pack_array(&pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(&pk, 2);
		s_bin(&pk, cs[i].body, cs[i].len);
		s_bin(&pk, cs[i].sig, cs[i].siglen);
	}
}

static void
s_origin_seq(msgpack_sbuffer *sb, enum wire_type type, const char *origin, uint64_t seq)
{
	msgpack_packer pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	s_head(&pk, type, 2);
	s_str(&pk, origin);
	msgpack_pack_uint64(&pk, seq);
}

void
wire_encode_ack(msgpack_sbuffer *sb, const char *origin, uint64_t seq)
{
	s_origin_seq(sb, WIRE_ACK, origin, seq);
}

void
wire_encode_need(msgpack_sbuffer *sb, const char *origin, uint64_t from)
{
	s_origin_seq(sb, WIRE_NEED, origin, from);
}

void
wire_encode_error(msgpack_sbuffer *sb, unsigned code, const char *origin, const char *detail)
{
	msgpack_packer pk;
	size_t n = strlen(detail);

	if (n >= WIRE_DETAIL_MAX)
		n = WIRE_DETAIL_MAX - 1;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	s_head(&pk, WIRE_ERROR, 3);
	msgpack_pack_uint32(&pk, code);
	msgpack_pack_str(&pk, n);
	msgpack_pack_str_body(&pk, detail, n);
	s_str(&pk, origin ? origin : "");
}

void
wire_encode_heartbeat(msgpack_sbuffer *sb)
{
	msgpack_packer pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	s_head(&pk, WIRE_HEARTBEAT, 0);
}

/* ---- decoding ------------------------------------------------------------------ */

/* A node code: a short string naming a county or township. */
static int
s_get_code(const msgpack_object *o, char out[CODE_MAX])
{
	if (o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 || o->via.str.size >= CODE_MAX)
		return -1;
	memcpy(out, o->via.str.ptr, o->via.str.size);
	out[o->via.str.size] = '\0';
	return code_role(out) == ROLE_NONE ? -1 : 0;
}

static int
s_get_seq(const msgpack_object *o, uint64_t *seq)
{
	return mp_get_uint(o, seq) < 0 || *seq > INT64_MAX ? -1 : 0;
}

static int
s_get_heads(struct wire_msg *m, const msgpack_object *o, char *err, size_t errlen)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return errf(err, errlen, "heads: not an array");
	if (o->via.array.size > WIRE_MAX_HEADS)
		return errf(err, errlen, "heads: %u feeds, at most %d", o->via.array.size, WIRE_MAX_HEADS);
	m->nheads = o->via.array.size;
	if (m->nheads && !(m->heads = calloc(m->nheads, sizeof *m->heads)))
		return errf(err, errlen, "out of memory");
	for (size_t i = 0; i < m->nheads; i++) {
		const msgpack_object *h = &o->via.array.ptr[i];
		if (h->type != MSGPACK_OBJECT_ARRAY || h->via.array.size != 3)
			return errf(err, errlen, "head %zu: not [origin, seq, id]", i);
		const msgpack_object *f = h->via.array.ptr;
		if (s_get_code(&f[0], m->heads[i].origin) < 0)
			return errf(err, errlen, "head %zu: origin is not a node code", i);
		if (s_get_seq(&f[1], &m->heads[i].seq) < 0)
			return errf(err, errlen, "head %zu: seq is not an unsigned integer", i);
		if (f[2].type != MSGPACK_OBJECT_BIN || f[2].via.bin.size != HASH_BYTES)
			return errf(err, errlen, "head %zu: id is not %d bytes", i, HASH_BYTES);
		memcpy(m->heads[i].id, f[2].via.bin.ptr, HASH_BYTES);
	}
	return 0;
}

static int
s_get_want(struct wire_msg *m, const msgpack_object *o, char *err, size_t errlen)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return errf(err, errlen, "want: not an array");
	if (o->via.array.size > WIRE_MAX_HEADS)
		return errf(err, errlen, "want: %u feeds, at most %d", o->via.array.size, WIRE_MAX_HEADS);
	if (o->via.array.size && !(m->want = calloc(o->via.array.size, sizeof *m->want)))
		return errf(err, errlen, "out of memory");
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		const msgpack_object *w = &o->via.array.ptr[i];
		if (mp_str_eq(w, "*")) {
			m->want_all = 1;
			continue;
		}
		if (s_get_code(w, m->want[m->nwant]) < 0)
			return errf(err, errlen, "want %u: not a node code or \"*\"", i);
		m->nwant++;
	}
	return 0;
}

static int
s_get_batch(struct wire_msg *m, const msgpack_object *o, char *err, size_t errlen)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return errf(err, errlen, "batch: not an array");
	if (o->via.array.size == 0 || o->via.array.size > WIRE_MAX_BATCH)
		return errf(err, errlen, "batch: %u change sets, 1 to %d allowed", o->via.array.size,
		    WIRE_MAX_BATCH);
	m->ncs = o->via.array.size;
	if (!(m->cs = calloc(m->ncs, sizeof *m->cs)))
		return errf(err, errlen, "out of memory");
	for (size_t i = 0; i < m->ncs; i++) {
		const msgpack_object *p = &o->via.array.ptr[i];
		if (p->type != MSGPACK_OBJECT_ARRAY || p->via.array.size != 2 ||
		    p->via.array.ptr[0].type != MSGPACK_OBJECT_BIN ||
		    p->via.array.ptr[1].type != MSGPACK_OBJECT_BIN)
			return errf(err, errlen, "batch item %zu: not [body bin, sig bin]", i);
		/* form, size and signature of each are the ledger's to judge */
		m->cs[i].body = (const uint8_t *)p->via.array.ptr[0].via.bin.ptr;
		m->cs[i].len = p->via.array.ptr[0].via.bin.size;
		m->cs[i].sig = (const uint8_t *)p->via.array.ptr[1].via.bin.ptr;
		m->cs[i].siglen = p->via.array.ptr[1].via.bin.size;
	}
	return 0;
}

void
wire_msg_release(struct wire_msg *m)
{
	free(m->heads);
	free(m->want);
	free(m->cs);
	m->heads = NULL;
	m->want = NULL;
	m->cs = NULL;
	msgpack_unpacked_destroy(&m->up);
}

/* HELLO, WELCOME: [node, schema, heads] and, in a HELLO, the feeds it wants. */
static int
s_get_greeting(struct wire_msg *m, uint64_t type, const msgpack_object *f, char *err, size_t errlen)
{
	uint64_t v;

	if (s_get_code(&f[0], m->node) < 0 || mp_get_uint(&f[1], &v) < 0 || v > 0xffff)
		return errf(err, errlen, "%s: bad node code or schema", wire_type_name((int)type));
	m->schema = (unsigned)v;
	if (s_get_heads(m, &f[2], err, errlen) < 0)
		return -1;
	return type == WIRE_HELLO ? s_get_want(m, &f[3], err, errlen) : 0;
}

/* CHANGESETS: [origin, batch]. */
static int
s_get_changesets(struct wire_msg *m, const msgpack_object *f, char *err, size_t errlen)
{
	if (s_get_code(&f[0], m->origin) < 0)
		return errf(err, errlen, "CHANGESETS: origin is not a node code");
	return s_get_batch(m, &f[1], err, errlen);
}

/* ACK, NEED: [origin, seq]; a NEED's seq is 1 or more. */
static int
s_get_origin_seq(struct wire_msg *m, uint64_t type, const msgpack_object *f, char *err,
    size_t errlen)
{
	if (s_get_code(&f[0], m->origin) < 0 || s_get_seq(&f[1], &m->seq) < 0 ||
	    (type == WIRE_NEED && m->seq == 0))
		return errf(err, errlen, "%s: bad origin or seq", wire_type_name((int)type));
	return 0;
}

/* ERROR: [code, detail, origin or ""]. */
static int
s_get_error(struct wire_msg *m, const msgpack_object *f, char *err, size_t errlen)
{
	uint64_t v;

	if (!mp_str_eq(&f[2], "") && s_get_code(&f[2], m->origin) < 0)
		return errf(err, errlen, "ERROR: origin is neither a node code nor empty");
	if (mp_get_uint(&f[0], &v) < 0 || v > 0xffff || f[1].type != MSGPACK_OBJECT_STR ||
	    f[1].via.str.size >= WIRE_DETAIL_MAX)
		return errf(err, errlen, "ERROR: bad code or detail");
	m->code = (unsigned)v;
	if (f[1].via.str.size)      /* an empty string's pointer is NULL */
		memcpy(m->detail, f[1].via.str.ptr, f[1].via.str.size);
	m->detail[f[1].via.str.size] = '\0';
	/* shown in logs: no control characters */
	for (char *p = m->detail; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	return 0;
}

/* The fields after [version, type] a message of TYPE has; -1: no such type. */
static int
s_nfields(uint64_t type)
{
	switch (type) {
	case WIRE_HELLO: return 4;
	case WIRE_WELCOME: return 3;
	case WIRE_CHANGESETS: return 2;
	case WIRE_ACK: return 2;
	case WIRE_NEED: return 2;
	case WIRE_ERROR: return 3;
	case WIRE_HEARTBEAT: return 0;
	default: return -1;
	}
}

/* The NF fields F of a message of TYPE: as many as the type has, each checked. */
static int
s_get_fields(struct wire_msg *m, uint64_t type, const msgpack_object *f, size_t nf,
    char *err, size_t errlen)
{
	int want = s_nfields(type);

	if (want < 0)
		return errf(err, errlen, "unknown message type %llu", (unsigned long long)type);
	if (nf != (size_t)want && want == 0)
		return errf(err, errlen, "%s: %zu fields, none expected", wire_type_name((int)type), nf);
	if (nf != (size_t)want)
		return errf(err, errlen, "%s: %zu fields, %d expected", wire_type_name((int)type), nf,
		    want);
	switch (type) {
	case WIRE_HELLO:
	case WIRE_WELCOME:
		return s_get_greeting(m, type, f, err, errlen);
	case WIRE_CHANGESETS:
		return s_get_changesets(m, f, err, errlen);
	case WIRE_ACK:
	case WIRE_NEED:
		return s_get_origin_seq(m, type, f, err, errlen);
	case WIRE_ERROR:
		return s_get_error(m, f, err, errlen);
	default:
		return 0;       /* HEARTBEAT: no fields */
	}
}

/* DATA (LEN bytes) unpacked into M->up: [version, type, ...], the fields after them into F, NF. */
static int
s_unpack(struct wire_msg *m, const void *data, size_t len, uint64_t *type,
    const msgpack_object **f, size_t *nf, char *err, size_t errlen)
{
	uint64_t v;
	size_t off = 0;

	if (len > WIRE_MAX_MSG)
		return errf(err, errlen, "message of %zu bytes exceeds %zu", len, WIRE_MAX_MSG);
	if (msgpack_check_objects(data, len, WIRE_MAX_DEPTH, WIRE_MAX_OBJECTS, err, errlen) < 0)
		return -1;
	if (msgpack_unpack_next(&m->up, data, len, &off) != MSGPACK_UNPACK_SUCCESS)
		return errf(err, errlen, "msgpack does not decode");
	const msgpack_object *o = &m->up.data;
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 2)
		return errf(err, errlen, "not an array [version, type, ...]");
	*f = o->via.array.ptr + 2;
	*nf = o->via.array.size - 2;
	if (mp_get_uint(&o->via.array.ptr[0], &v) < 0 || v != WIRE_VERSION)
		return errf(err, errlen, "protocol version is not %d", WIRE_VERSION);
	if (mp_get_uint(&o->via.array.ptr[1], type) < 0)
		return errf(err, errlen, "type is not an unsigned integer");
	return 0;
}

int
wire_decode(struct wire_msg *m, const void *data, size_t len, char *err, size_t errlen)
{
	const msgpack_object *f = NULL;
	size_t nf = 0;
	uint64_t type = 0;

	memset(m, 0, sizeof *m);
	msgpack_unpacked_init(&m->up);
	if (s_unpack(m, data, len, &type, &f, &nf, err, errlen) < 0 ||
	    s_get_fields(m, type, f, nf, err, errlen) < 0) {
		wire_msg_release(m);
		return -1;
	}
	m->type = (enum wire_type)type;
	return 0;
}
