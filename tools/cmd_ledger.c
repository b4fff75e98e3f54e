/*
 * cmd_ledger.c — `lika log`, `lika verify`, `lika rebuild`: inspecting and
 * replaying the ledger.
 */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "lika.h"
#include "util.h"

int
cmd_log(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "origin", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika [--data DIR] log [--origin CODE] [--json]\n\n"
	    "List the change sets held, per feed in order: origin, seq, id, time, author\n"
	    "key and number of operations, and the clerk who made it in the web console\n"
	    "(table clerk_change), if any.  --origin shows one feed.\n";
	const char *origin = NULL;
	sqlite3_stmt *st;
	int ch, json = 0, rc, first = 1;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': origin = optarg; break;
		case 'j': json = 1; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "log", "unexpected argument \"%s\"", argv[optind]);
	if (origin && code_role(origin) == ROLE_NONE)
		return tool_fail(EXIT_USAGE, "log", "origin \"%s\" is not a 6-digit county or "
		    "9-digit township code", origin);
	if (sqlite3_prepare_v2(ledger_db(n->ledger),
	    "SELECT c.origin, c.seq, c.id, c.hlc, c.author, c.nops, c.applied, k.clerk FROM changeset c "
	    "LEFT JOIN clerk_change k ON k.id = c.origin || '/' || printf('%010d', c.seq) "
	    "WHERE ?1 IS NULL OR c.origin = ?1 ORDER BY c.origin, c.seq", -1, &st, NULL) != SQLITE_OK) {
		return tool_fail(EXIT_FAIL, "log", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	}
	if (origin)
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (json)
		printf("[");
	else
		printf("%-9s %7s  %-16s  %-19s  %-16s  %s\n", "origin", "seq", "id", "time", "author", "ops");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char id[2 * HASH_BYTES + 1] = "", author[2 * PUBKEY_BYTES + 1] = "", when[32];
		if (sqlite3_column_bytes(st, 2) == HASH_BYTES)
			hex_encode(id, sqlite3_column_blob(st, 2), HASH_BYTES);
		if (sqlite3_column_bytes(st, 4) == PUBKEY_BYTES)
			hex_encode(author, sqlite3_column_blob(st, 4), PUBKEY_BYTES);
		int64_t ms = (int64_t)((uint64_t)sqlite3_column_int64(st, 3) >> 16);
		time_format(when, sizeof when, ms);
		if (json) {
			printf("%s{\"origin\":\"%s\",\"seq\":%" PRId64 ",\"id\":\"%s\",\"time_ms\":%" PRId64
			    ",\"author\":\"%s\",\"ops\":%d,\"applied\":%s", first ? "" : ",",
			    (const char *)sqlite3_column_text(st, 0), (int64_t)sqlite3_column_int64(st, 1),
			    id, ms, author, sqlite3_column_int(st, 5),
			    sqlite3_column_int(st, 6) ? "true" : "false");
			if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
				printf(",\"clerk\":");
				json_str(stdout, col_text(st, 7));
			}
			printf("}");
			first = 0;
		} else {
			printf("%-9s %7" PRId64 "  %.16s  %-19s  %.16s  %d%s%s%s\n",
			    (const char *)sqlite3_column_text(st, 0), (int64_t)sqlite3_column_int64(st, 1),
			    id, when, author, sqlite3_column_int(st, 5),
			    sqlite3_column_int(st, 6) ? "" : "  (held: newer schema)",
			    sqlite3_column_type(st, 7) != SQLITE_NULL ? "  clerk " : "", col_text(st, 7));
		}
	}
	if (json)
		printf("]\n");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? EXIT_OK : EXIT_FAIL;
}

int
cmd_verify(struct node *n, int argc, char **argv)
{
	char err[ERRBUF_SIZE];
	struct verify_report rep;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: lika [--data DIR] verify\n\n"
		    "Check every feed's chain (gapless seqs, each change set's previous hash),\n"
		    "every stored change set's id and signature, and that the state tables equal\n"
		    "a replay of the ledger.  Exit 0 only when all hold; otherwise the first bad\n"
		    "(origin, seq) is named with the reason and the exit status is 1.\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return tool_fail(EXIT_USAGE, "verify", "unexpected argument \"%s\"", argv[1]);
	int rc = ledger_verify(n->ledger, &rep, err, sizeof err);
	if (rc < 0)
		return tool_fail(EXIT_FAIL, "verify", "%s", err);
	if (rc > 0) {
		if (rep.origin[0])
			fprintf(stderr, "lika verify: FAILED at origin %s seq %" PRIu64 ": %s\n",
			    rep.origin, rep.seq, rep.reason);
		else
			fprintf(stderr, "lika verify: FAILED: %s\n", rep.reason);
		return EXIT_FAIL;
	}
	printf("verify: ok: %" PRIu64 " feeds, %" PRIu64 " change sets, %" PRIu64
	    " state tables equal to a replay\n", rep.feeds, rep.changesets, rep.tables);
	return EXIT_OK;
}

int
cmd_rebuild(struct node *n, int argc, char **argv)
{
	char err[ERRBUF_SIZE];
	uint64_t n_replayed = 0;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: lika [--data DIR] rebuild\n\n"
		    "Drop the state tables and replay every applied change set into fresh ones,\n"
		    "in one transaction (stop likad first for a quiet database).\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return tool_fail(EXIT_USAGE, "rebuild", "unexpected argument \"%s\"", argv[1]);
	int rc = ledger_rebuild(n->ledger, &n_replayed, err, sizeof err);
	if (rc < 0)
		return tool_fail(EXIT_FAIL, "rebuild", "%s", err);
	printf("rebuild: replayed %" PRIu64 " change sets\n", n_replayed);
	return EXIT_OK;
}
