/*
 * cmd_quarantine.c — `lika quarantine list|resolve`: the change sets this node
 * refused, and an admin's decision to let a stopped feed go on.
 */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "lika.h"
#include "util.h"

static int
s_list(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika quarantine list [--all] [--json]\n\n"
	    "The change sets this node refused (and fork evidence), newest first, with the\n"
	    "reason and the peer they came from.  --all includes resolved ones.\n";
	int ch, all = 0, json = 0, rc, first = 1;
	sqlite3_stmt *st;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': all = 1; break;
		case 'j': json = 1; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "quarantine list", "unexpected argument \"%s\"", argv[optind]);
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT n, origin, seq, kind, reason, peer, at, "
	    "resolved_at FROM quarantine WHERE ?1 OR resolved_at IS NULL ORDER BY n DESC", -1, &st,
	    NULL) != SQLITE_OK) {
		return tool_fail(EXIT_FAIL, "quarantine list", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	}
	sqlite3_bind_int(st, 1, all);
	if (json)
		printf("[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *origin = (const char *)sqlite3_column_text(st, 1);
		const char *kind = (const char *)sqlite3_column_text(st, 3);
		const char *reason = (const char *)sqlite3_column_text(st, 4);
		const char *peer = (const char *)sqlite3_column_text(st, 5);
		int64_t at = sqlite3_column_int64(st, 6);
		int resolved = sqlite3_column_type(st, 7) != SQLITE_NULL;
		char when[32];
		if (json) {
			printf("%s{\"n\":%" PRId64 ",\"origin\":", first ? "" : ",",
			    (int64_t)sqlite3_column_int64(st, 0));
			json_str(stdout, origin ? origin : "");
			printf(",\"seq\":%" PRId64 ",\"kind\":", (int64_t)sqlite3_column_int64(st, 2));
			json_str(stdout, kind ? kind : "");
			printf(",\"reason\":");
			json_str(stdout, reason ? reason : "");
			printf(",\"peer\":");
			json_str(stdout, peer ? peer : "");
			printf(",\"at_ms\":%" PRId64 ",\"resolved\":%s}", at, resolved ? "true" : "false");
			first = 0;
		} else {
			time_format(when, sizeof when, at);
			printf("%s  %-9s %7" PRId64 "  %-9s %s  (from %s)%s\n", when,
			    origin ? origin : "?", (int64_t)sqlite3_column_int64(st, 2), kind ? kind : "",
			    reason ? reason : "", peer ? peer : "?", resolved ? "  [resolved]" : "");
		}
	}
	if (json)
		printf("]\n");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? EXIT_OK : EXIT_FAIL;
}

static int
s_resolve(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika quarantine resolve ORIGIN | --unknown\n\n"
	    "After the cause of a refusal was dealt with (a township's key re-issued, a\n"
	    "fork investigated …): unfreeze ORIGIN's feed so likad accepts it again, and\n"
	    "mark its quarantined change sets resolved.  They are kept as evidence.\n"
	    "--unknown resolves the change sets whose origin could not be read.\n";
	char err[ERRBUF_SIZE];

	if (argc != 2)
		return tool_fail(EXIT_USAGE, "quarantine resolve", "%s", usage);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("%s", usage);
		return EXIT_OK;
	}
	const char *origin = strcmp(argv[1], "--unknown") == 0 ? NULL : argv[1];
	if (origin && code_role(origin) == ROLE_NONE)
		return tool_fail(EXIT_USAGE, "quarantine resolve", "origin \"%s\" is not a 6-digit "
		    "county or 9-digit township code", origin);
	int changed = ledger_feed_unfreeze(n->ledger, origin, err, sizeof err);
	if (changed < 0)
		return tool_fail(EXIT_FAIL, "quarantine resolve", "%s", err);
	printf("%s: %d quarantined change set%s resolved; the feed is accepted again\n",
	    origin ? origin : "unknown origin", changed, changed == 1 ? "" : "s");
	return EXIT_OK;
}

int
cmd_quarantine(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "list",    s_list,    NEED_NODE_RO, "refused change sets, newest first" },
		{ "resolve", s_resolve, NEED_NODE_RO, "unfreeze a feed after its refusal was dealt with" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("quarantine", sub, argc, argv);
}
