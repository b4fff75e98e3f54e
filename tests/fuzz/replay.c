/*
 * replay.c — runs a fuzz harness over its corpus as a regression test:
 * every file under FUZZ_CORPUS (set by the Makefile) or the directories and
 * files named on the command line.  Prints TAP ("ok N - FILE"); a file that
 * crashes the harness ends the run with the crash, which the runner counts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int s_n;

static int
s_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f || fstat(fileno(f), &st) != 0) {
		printf("not ok %d - %s: cannot read\n", ++s_n, path);
		if (f)
			fclose(f);
		return 1;
	}
	size_t len = (size_t)st.st_size;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != len) {
		printf("not ok %d - %s: cannot read\n", ++s_n, path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	printf("ok %d - %s\n", ++s_n, path);
	return 0;
}

static int
s_path(const char *path)
{
	struct stat st;
	struct dirent **names;
	int n, bad = 0;

	if (stat(path, &st) != 0) {
		printf("not ok %d - %s: missing\n", ++s_n, path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return s_file(path);
	if ((n = scandir(path, &names, NULL, alphasort)) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		char sub[4096];
		if (names[i]->d_name[0] != '.') {
			snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
			bad |= s_path(sub);
		}
		free(names[i]);
	}
	free(names);
	return bad;
}

int
main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2)
		bad = s_path(FUZZ_CORPUS);
	for (int i = 1; i < argc; i++)
		bad |= s_path(argv[i]);
	printf("1..%d\n", s_n);
	return bad;
}
