/*
 * likad.c — the lika daemon (replication arrives with the wire protocol).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "node.h"
#include "util.h"

static void
s_usage(FILE *f)
{
	fprintf(f, "usage: likad --data DIR [-f] [-n] [-v]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = getenv("LIKA_DATA");
	char err[ERRBUF_SIZE];
	int ch, check = 0, verbose = 0;
	struct node n;

	while ((ch = getopt_long(argc, argv, "d:fnvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'f': break;
		case 'n': check = 1; break;
		case 'v': verbose++; break;
		case 'h': s_usage(stdout); return 0;
		default: s_usage(stderr); return 2;
		}
	}
	log_init("likad", verbose);
	if (dir == NULL || !*dir)
		dir = "/var/lib/lika";
	if (node_open(&n, dir, 0, err, sizeof err) < 0)
		fatalx("%s", err);
	if (check) {
		printf("configuration OK\n");
		node_close(&n);
		return 0;
	}
	node_close(&n);
	fatalx("replication is not built yet");
}
