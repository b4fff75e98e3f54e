/* fuzz_idcard.c — the resident ID checker (GB 11643) on arbitrary strings */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "idcard.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256], norm[IDCARD_LEN + 1];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (idcard_check(s, 20261129, err, sizeof err) == 0) {
		idcard_normalize(norm, s);
		if (idcard_sex(norm) != IDCARD_MALE && idcard_sex(norm) != IDCARD_FEMALE)
			abort();
		if (idcard_birth(norm) < 18000101)
			abort();
	}
	free(s);
	return 0;
}
