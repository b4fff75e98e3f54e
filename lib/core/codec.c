/* codec.c — change-set encoding, decoding and form checks */
#include "codec.h"
#include "util.h"

#include <string.h>

/* ---- msgpack structural check (no allocation) -------------------------- */

static uint64_t
s_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Returns the byte after the object starting at P, or NULL (reason in ERR). */
static const uint8_t *
s_check(const uint8_t *p, const uint8_t *end, unsigned depth, uint64_t *budget, char *err,
    size_t errlen)
{
	uint64_t n = 0, items = 0;
	unsigned lenbytes = 0;
	int container = 0;

	if (p >= end) {
		errf(err, errlen, "msgpack: truncated");
		return NULL;
	}
	/* msgpack-c allocates a msgpack_object (24 bytes) for each: count them first */
	if (*budget == 0) {
		errf(err, errlen, "msgpack: more objects than a message of this kind holds");
		return NULL;
	}
	(*budget)--;
	uint8_t b = *p++;

	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return p;
	if ((b & 0xf0) == 0x80) {
		items = (uint64_t)(b & 0x0f) * 2;
		container = 1;
	} else if ((b & 0xf0) == 0x90) {
		items = b & 0x0f;
		container = 1;
	} else if ((b & 0xe0) == 0xa0) {
		n = b & 0x1f;
	} else {
		switch (b) {
		case 0xcc: case 0xd0: n = 1; goto fixed;
		case 0xcd: case 0xd1: n = 2; goto fixed;
		case 0xce: case 0xd2: n = 4; goto fixed;
		case 0xcf: case 0xd3: n = 8; goto fixed;
		case 0xc4: case 0xd9: lenbytes = 1; break;
		case 0xc5: case 0xda: lenbytes = 2; break;
		case 0xc6: case 0xdb: lenbytes = 4; break;
		case 0xdc: lenbytes = 2; container = 1; break;
		case 0xdd: lenbytes = 4; container = 1; break;
		case 0xde: lenbytes = 2; container = 2; break;
		case 0xdf: lenbytes = 4; container = 2; break;
		default:
			errf(err, errlen, "msgpack: type 0x%02x is not allowed here", b);
			return NULL;
		}
		if ((size_t)(end - p) < lenbytes) {
			errf(err, errlen, "msgpack: truncated length");
			return NULL;
		}
		uint64_t v = s_be(p, lenbytes);
		p += lenbytes;
		if (container == 1)
			items = v;
		else if (container == 2)
			items = v * 2;
		else
			n = v;
		if (container)
			container = 1;
	}
	if (container) {
		if (depth == 0) {
			errf(err, errlen, "msgpack: nested too deep");
			return NULL;
		}
		/* every element takes at least one byte: sizes first */
		if (items > (uint64_t)(end - p)) {
			errf(err, errlen, "msgpack: container declares %llu items, only %zu bytes follow",
			    (unsigned long long)items, (size_t)(end - p));
			return NULL;
		}
		for (uint64_t i = 0; i < items; i++)
			if (!(p = s_check(p, end, depth - 1, budget, err, errlen)))
				return NULL;
		return p;
	}
fixed:
	if (n > (uint64_t)(end - p)) {
		errf(err, errlen, "msgpack: %llu bytes declared, only %zu follow",
		    (unsigned long long)n, (size_t)(end - p));
		return NULL;
	}
	return p + n;
}

int
msgpack_check(const void *data, size_t len, unsigned max_depth, char *err, size_t errlen)
{
	return msgpack_check_objects(data, len, max_depth, UINT64_MAX, err, errlen);
}

int
msgpack_check_objects(const void *data, size_t len, unsigned max_depth, uint64_t max_objects,
    char *err, size_t errlen)
{
	const uint8_t *p = data, *end = p + len;
	uint64_t budget = max_objects;

	if (!(p = s_check(p, end, max_depth, &budget, err, errlen)))
		return -1;
	if (p != end)
		return errf(err, errlen, "msgpack: %zu bytes after the object", (size_t)(end - p));
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

int
mp_str_eq(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	/* msgpack leaves an empty string's pointer NULL: memcmp(NULL, s, 0) is undefined */
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	    (n == 0 || memcmp(o->via.str.ptr, s, n) == 0);
}

int
mp_get_uint(const msgpack_object *o, uint64_t *out)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return -1;
	*out = o->via.u64;
	return 0;
}

int
mp_get_int(const msgpack_object *o, int64_t *out)
{
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > INT64_MAX)
			return -1;
		*out = (int64_t)o->via.u64;
		return 0;
	}
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*out = o->via.i64;
		return 0;
	}
	return -1;
}

static void
s_pack_str(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

/* ---- ops ------------------------------------------------------------------ */

void
ops_init(struct ops *ops)
{
	msgpack_sbuffer_init(&ops->sb);
	msgpack_packer_init(&ops->pk, &ops->sb, msgpack_sbuffer_write);
	ops->n = 0;
}

void
ops_release(struct ops *ops)
{
	msgpack_sbuffer_destroy(&ops->sb);
	ops->sb.data = NULL;
	ops->sb.size = ops->sb.alloc = 0;
	ops->n = 0;
}

static void
s_pack_value(msgpack_packer *pk, const struct value *v)
{
	switch (v->type) {
	case V_NIL:
		msgpack_pack_nil(pk);
		break;
	case V_INT:
		msgpack_pack_int64(pk, v->i);
		break;
	case V_TEXT:
		s_pack_str(pk, v->p, v->len);
		break;
	case V_BLOB:
		msgpack_pack_bin(pk, v->len);
		msgpack_pack_bin_body(pk, v->p, v->len);
		break;
	}
}

void
ops_upsert(struct ops *ops, const char *table, const char *key,
    const struct colval *cols, size_t n)
{
	msgpack_pack_array(&ops->pk, 4);
	s_pack_str(&ops->pk, table, strlen(table));
	msgpack_pack_uint8(&ops->pk, OP_UPSERT);
	s_pack_str(&ops->pk, key, strlen(key));
	msgpack_pack_map(&ops->pk, n);
	for (size_t i = 0; i < n; i++) {
		s_pack_str(&ops->pk, cols[i].name, strlen(cols[i].name));
		s_pack_value(&ops->pk, &cols[i].v);
	}
	ops->n++;
}

void
ops_delete(struct ops *ops, const char *table, const char *key)
{
	msgpack_pack_array(&ops->pk, 4);
	s_pack_str(&ops->pk, table, strlen(table));
	msgpack_pack_uint8(&ops->pk, OP_DELETE);
	s_pack_str(&ops->pk, key, strlen(key));
	msgpack_pack_map(&ops->pk, 0);
	ops->n++;
}

/* ---- change sets ------------------------------------------------------------ */

void
changeset_encode(msgpack_sbuffer *out, const struct changeset_header *h,
    const struct ops *ops)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 8);
	msgpack_pack_uint32(&pk, h->format);
	s_pack_str(&pk, h->origin, strlen(h->origin));
	msgpack_pack_uint64(&pk, h->seq);
	msgpack_pack_bin(&pk, HASH_BYTES);
	msgpack_pack_bin_body(&pk, h->prev, HASH_BYTES);
	msgpack_pack_uint64(&pk, h->hlc);
	msgpack_pack_uint32(&pk, h->schema);
	msgpack_pack_bin(&pk, PUBKEY_BYTES);
	msgpack_pack_bin_body(&pk, h->author, PUBKEY_BYTES);
	msgpack_pack_array(&pk, ops ? ops->n : 0);
	if (ops && ops->sb.size)
		msgpack_sbuffer_write(out, ops->sb.data, ops->sb.size);
}

/* A msgpack integer at B (>= 0, any width) into *V; bytes used, or 0. */
static size_t
s_peek_uint(const uint8_t *b, size_t len, uint64_t *v)
{
	static const uint8_t width[8] = { 1, 2, 4, 8, 1, 2, 4, 8 };    /* cc..cf, d0..d3 */

	if (len < 1)
		return 0;
	if (b[0] < 0x80) {
		*v = b[0];
		return 1;
	}
	if (b[0] < 0xcc || b[0] > 0xd3)
		return 0;
	size_t n = width[b[0] - 0xcc];
	if (len < 1 + n || (b[0] >= 0xd0 && (b[1] & 0x80)))
		return 0;       /* a negative value is no seq */
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | b[1 + i];
	return 1 + n;
}

int
changeset_peek(const void *body, size_t len, uint64_t *seq, uint8_t prev[HASH_BYTES])
{
	const uint8_t *b = body;
	size_t off, n;
	uint64_t format;

	/* [format, origin (fixstr or str8), seq, prev (bin8 32), ...]: array of 8 */
	if (len < 3 || b[0] != 0x98 || !(n = s_peek_uint(b + 1, len - 1, &format)) ||
	    format != CHANGESET_FORMAT)
		return -1;
	off = 1 + n;
	if (off + 1 < len && b[off] == 0xd9)           /* str8 */
		off += 2 + b[off + 1];
	else if (off < len && (b[off] & 0xe0) == 0xa0) /* fixstr */
		off += 1 + (b[off] & 0x1f);
	else
		return -1;
	if (off >= len || !(n = s_peek_uint(b + off, len - off, seq)))
		return -1;
	off += n;
	if (len < off + 2 + HASH_BYTES || b[off] != 0xc4 || b[off + 1] != HASH_BYTES)
		return -1;
	memcpy(prev, b + off + 2, HASH_BYTES);
	return 0;
}

static int
s_get_bin(const msgpack_object *o, uint8_t *out, size_t n)
{
	if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
		return -1;
	memcpy(out, o->via.bin.ptr, n);
	return 0;
}

int
changeset_decode(struct changeset *cs, const void *body, size_t len,
    char *err, size_t errlen)
{
	struct changeset_header *h = &cs->h;
	uint64_t v;

	memset(cs, 0, sizeof *cs);
	msgpack_unpacked_init(&cs->up);
	if (len > CHANGESET_MAX_BYTES) {
		errf(err, errlen, "change set of %zu bytes exceeds %u", len, CHANGESET_MAX_BYTES);
		goto bad;
	}
	if (msgpack_check(body, len, MSGPACK_MAX_DEPTH, err, errlen) < 0)
		goto bad;
	size_t off = 0;
	if (msgpack_unpack_next(&cs->up, body, len, &off) != MSGPACK_UNPACK_SUCCESS) {
		errf(err, errlen, "change set: msgpack does not decode");
		goto bad;
	}
	const msgpack_object *o = &cs->up.data;
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 8) {
		errf(err, errlen, "change set: not an array of 8 fields");
		goto bad;
	}
	const msgpack_object *f = o->via.array.ptr;
	if (mp_get_uint(&f[0], &v) < 0 || v != CHANGESET_FORMAT) {
		errf(err, errlen, "change set: format version is not %d", CHANGESET_FORMAT);
		goto bad;
	}
	h->format = (unsigned)v;
	if (f[1].type != MSGPACK_OBJECT_STR || f[1].via.str.size >= CODE_MAX) {
		errf(err, errlen, "change set: origin is not a short string");
		goto bad;
	}
	if (f[1].via.str.size)      /* an empty string's pointer is NULL */
		memcpy(h->origin, f[1].via.str.ptr, f[1].via.str.size);
	h->origin[f[1].via.str.size] = '\0';
	if (code_role(h->origin) == ROLE_NONE) {
		errf(err, errlen, "change set: origin \"%s\" is not a node code", h->origin);
		goto bad;
	}
	if (mp_get_uint(&f[2], &h->seq) < 0 || h->seq == 0 || h->seq > INT64_MAX) {
		errf(err, errlen, "change set: seq is not a positive integer");
		goto bad;
	}
	if (s_get_bin(&f[3], h->prev, HASH_BYTES) < 0) {
		errf(err, errlen, "change set: prev is not %d bytes", HASH_BYTES);
		goto bad;
	}
	if (mp_get_uint(&f[4], &h->hlc) < 0 || h->hlc > INT64_MAX) {
		errf(err, errlen, "change set: hlc is not an unsigned integer");
		goto bad;
	}
	if (mp_get_uint(&f[5], &v) < 0 || v == 0 || v > 0xffff) {
		errf(err, errlen, "change set: schema is not a version number");
		goto bad;
	}
	h->schema = (unsigned)v;
	if (s_get_bin(&f[6], h->author, PUBKEY_BYTES) < 0) {
		errf(err, errlen, "change set: author is not a %d-byte key", PUBKEY_BYTES);
		goto bad;
	}
	if (f[7].type != MSGPACK_OBJECT_ARRAY || f[7].via.array.size > CHANGESET_MAX_OPS) {
		errf(err, errlen, "change set: ops is not an array of at most %u", CHANGESET_MAX_OPS);
		goto bad;
	}
	h->nops = f[7].via.array.size;
	cs->ops = f[7].via.array.ptr;
	return 0;
bad:
	msgpack_unpacked_destroy(&cs->up);
	memset(cs, 0, sizeof *cs);
	return -1;
}

void
changeset_release(struct changeset *cs)
{
	msgpack_unpacked_destroy(&cs->up);
	cs->ops = NULL;
}

static int
s_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' || (i && s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static int
s_key_ok(const char *s, size_t n)
{
	if (n == 0 || n > KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
}

int
changeset_op(const struct changeset *cs, uint32_t i, struct op_view *op,
    char *err, size_t errlen)
{
	uint64_t kind;

	if (i >= cs->h.nops)
		return errf(err, errlen, "op %u: out of range", i);
	const msgpack_object *o = &cs->ops[i];
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 4)
		return errf(err, errlen, "op %u: not an array of 4 fields", i);
	const msgpack_object *f = o->via.array.ptr;
	if (f[0].type != MSGPACK_OBJECT_STR || !s_name_ok(f[0].via.str.ptr, f[0].via.str.size))
		return errf(err, errlen, "op %u: table name is not a lowercase identifier", i);
	if (mp_get_uint(&f[1], &kind) < 0 || (kind != OP_UPSERT && kind != OP_DELETE))
		return errf(err, errlen, "op %u: kind is neither upsert (1) nor delete (2)", i);
	if (f[2].type != MSGPACK_OBJECT_STR || !s_key_ok(f[2].via.str.ptr, f[2].via.str.size))
		return errf(err, errlen, "op %u: key is not 1-%d printable ASCII bytes", i, KEY_MAX);
	if (f[3].type != MSGPACK_OBJECT_MAP)
		return errf(err, errlen, "op %u: columns are not a map", i);
	if (kind == OP_DELETE && f[3].via.map.size != 0)
		return errf(err, errlen, "op %u: a delete carries columns", i);
	const msgpack_object_map *m = &f[3].via.map;
	for (uint32_t c = 0; c < m->size; c++) {
		const msgpack_object *k = &m->ptr[c].key, *v = &m->ptr[c].val;
		if (k->type != MSGPACK_OBJECT_STR || !s_name_ok(k->via.str.ptr, k->via.str.size))
			return errf(err, errlen, "op %u: column %u name is not a lowercase identifier", i, c);
		if (strncmp(k->via.str.ptr, "id", k->via.str.size) == 0 && k->via.str.size == 2)
			return errf(err, errlen, "op %u: column \"id\" is the key, not a column", i);
		switch (v->type) {
		case MSGPACK_OBJECT_NIL:
		case MSGPACK_OBJECT_POSITIVE_INTEGER:
		case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		case MSGPACK_OBJECT_STR:
		case MSGPACK_OBJECT_BIN:
			break;
		default:
			return errf(err, errlen, "op %u: column \"%.*s\" has a value of type %d",
			    i, (int)k->via.str.size, k->via.str.ptr, (int)v->type);
		}
		if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 > INT64_MAX)
			return errf(err, errlen, "op %u: column \"%.*s\" integer out of range",
			    i, (int)k->via.str.size, k->via.str.ptr);
	}
	op->table = f[0].via.str.ptr;
	op->table_len = f[0].via.str.size;
	op->kind = (enum op_kind)kind;
	op->key = f[2].via.str.ptr;
	op->key_len = f[2].via.str.size;
	op->cols = m;
	return 0;
}

void
changeset_id(uint8_t id[HASH_BYTES], const void *body, size_t len)
{
	crypto_generichash(id, HASH_BYTES, body, len, NULL, 0);
}

void
changeset_sign(uint8_t sig[SIG_BYTES], const void *body, size_t len,
    const uint8_t sk[SECKEY_BYTES])
{
	crypto_sign_detached(sig, NULL, body, len, sk);
}

int
changeset_verify_sig(const uint8_t sig[SIG_BYTES], const void *body, size_t len,
    const uint8_t pk[PUBKEY_BYTES])
{
	return crypto_sign_verify_detached(sig, body, len, pk) == 0 ? 0 : -1;
}
