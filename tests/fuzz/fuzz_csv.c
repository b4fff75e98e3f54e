/*
 * fuzz_csv.c — the spreadsheet reader on arbitrary files: encoding detection
 * (UTF-8, else GB18030) as import does it, then CSV, and the same bytes as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fuzz.h"

static char *
s_copy(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		if (size)
			memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct csv csv;
	char *text = NULL;
	size_t len = 0;
	const char *used;

	/* as import reads a sheet: valid UTF-8 is UTF-8, anything else GB18030 */
	if (csv_to_utf8((const char *)data, size, NULL, &text, &len, &used, err, sizeof err) == 0) {
		memset(&csv, 0, sizeof csv);
		if (csv_parse(&csv, &text, len, err, sizeof err) == 0)
			csv_release(&csv);
		free(text);
	}
	if ((text = s_copy(data, size))) {
		memset(&csv, 0, sizeof csv);
		if (csv_parse_json(&csv, &text, err, sizeof err) == 0)
			csv_release(&csv);
		free(text);
	}
	return 0;
}
