/*
 * cmd_duplicates.c — `lika duplicates`: people the county hub found in
 * households of more than one township (its duplicate_notice rows, which
 * reach every township with the county feed).
 */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "lika.h"
#include "util.h"

int
cmd_duplicates(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika [--data DIR] duplicates [--all] [--json]\n\n"
	    "People registered in households of more than one township, as the county hub\n"
	    "found them (重复人员): the resident ID number and the members holding it.  At a\n"
	    "township, those that concern its households; --all also lists resolved ones.\n"
	    "Exit status 1 when there is an open notice.\n";
	int ch, all = 0, json = 0, rc, first = 1, open_notices = 0;
	sqlite3_stmt *st;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': all = 1; break;
		case 'j': json = 1; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "duplicates", "unexpected argument \"%s\"", argv[optind]);
	/* a township's members all have ids starting with its code */
	char like[CODE_MAX + 2];
	snprintf(like, sizeof like, "%s%%", n->conf.role == ROLE_TOWNSHIP ? n->conf.code : "");
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT id, members, found_at, resolved_at "
	    "FROM duplicate_notice WHERE (?1 OR resolved_at IS NULL) AND "
	    "(',' || members) LIKE ('%,' || ?2) ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		return tool_fail(EXIT_FAIL, "duplicates", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	}
	sqlite3_bind_int(st, 1, all);
	sqlite3_bind_text(st, 2, like, -1, SQLITE_STATIC);
	if (json)
		printf("[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *idcard = (const char *)sqlite3_column_text(st, 0);
		const char *members = (const char *)sqlite3_column_text(st, 1);
		int64_t found = sqlite3_column_int64(st, 2);
		int resolved = sqlite3_column_type(st, 3) != SQLITE_NULL;
		char when[32];
		if (!resolved)
			open_notices++;
		if (json) {
			printf("%s{\"idcard\":", first ? "" : ",");
			json_str(stdout, idcard);
			printf(",\"members\":");
			json_str(stdout, members ? members : "");
			printf(",\"found_ms\":%" PRId64 ",\"resolved\":%s}", found, resolved ? "true" : "false");
			first = 0;
		} else {
			time_format(when, sizeof when, found);
			printf("%s  %s  found %s%s\n", idcard, members ? members : "", when,
			    resolved ? "  [resolved]" : "");
		}
	}
	if (json)
		printf("]\n");
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return EXIT_FAIL;
	return open_notices ? EXIT_FAIL : EXIT_OK;
}
