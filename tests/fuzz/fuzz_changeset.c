/* fuzz_changeset.c — the change-set decoder on arbitrary bytes (as received) */
#include "codec.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct changeset cs;
	char err[256];

	if (changeset_decode(&cs, data, size, err, sizeof err) < 0)
		return 0;
	for (uint32_t i = 0; i < cs.h.nops; i++) {
		struct op_view op;
		if (changeset_op(&cs, i, &op, err, sizeof err) < 0)
			break;
	}
	changeset_release(&cs);
	return 0;
}
