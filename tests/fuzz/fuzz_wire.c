/* fuzz_wire.c — the wire decoder on arbitrary frames (as a peer may send) */
#include "fuzz.h"
#include "wire.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_msg m;
	char err[256];

	if (wire_decode(&m, data, size, err, sizeof err) == 0)
		wire_msg_release(&m);
	return 0;
}
