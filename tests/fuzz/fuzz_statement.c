/*
 * fuzz_statement.c — the signed-statement encoder on arbitrary field values:
 * fourteen NUL-separated fields of a step (round and days from the first
 * bytes), encoded, then decoded again: the result must be one msgpack array
 * of 15 whose strings are the fields as given.
 */
#include <string.h>

#include "fuzz.h"
#include "statement.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[12] = { 0 };
	char buf[4096];
	uint8_t hash[HASH_BYTES];
	size_t n = size < sizeof buf - 1 ? size : sizeof buf - 1;

	if (n < 2)
		return 0;
	memcpy(buf, data + 2, n - 2);
	buf[n - 2] = '\0';
	/* fields separated by NUL; missing ones stay NULL (nil) */
	for (size_t i = 0, at = 0; i < 12 && at < n - 2; i++) {
		f[i] = buf + at;
		at += strlen(buf + at) + 1;
	}
	memset(hash, data[0], sizeof hash);
	struct step_row r = {
		.table = f[0], .key = f[1], .household = f[2], .round = data[0], .procedure = f[3],
		.step = f[4], .decision = f[5], .at = f[6], .days = (int8_t)data[1], .reasons = f[7],
		.details = f[8], .record_hash = data[0] & 1 ? hash : NULL, .official = f[9],
		.by_name = f[10],
	};
	msgpack_sbuffer sb;
	statement_step(&sb, &r);
	msgpack_unpacked up;
	msgpack_unpacked_init(&up);
	size_t off = 0;
	if (msgpack_unpack_next(&up, sb.data, sb.size, &off) != MSGPACK_UNPACK_SUCCESS ||
	    off != sb.size || up.data.type != MSGPACK_OBJECT_ARRAY || up.data.via.array.size != 15)
		__builtin_trap();
	const msgpack_object *o = up.data.via.array.ptr;
	const char *want[] = { r.table, r.key, r.household };
	for (int i = 0; i < 3; i++) {
		const msgpack_object *v = &o[1 + i];
		if (want[i] ? v->type != MSGPACK_OBJECT_STR || v->via.str.size != strlen(want[i]) ||
		    (v->via.str.size && memcmp(v->via.str.ptr, want[i], v->via.str.size) != 0) :
		    v->type != MSGPACK_OBJECT_NIL)
			__builtin_trap();
	}
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
	return 0;
}
