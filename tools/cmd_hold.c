/*
 * cmd_hold.c — `lika hold show|lift`: why local writes are held (meta
 * write_hold, hold_since, hold_awaiting), and an administrator's decision to
 * lift a hold knowingly, saying first what that may lose (proto/PROTOCOL.md,
 * "Restores").
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lika.h"
#include "util.h"

struct s_hold {
	char why[512];
	char awaiting[1024];
	int64_t since_ms;
	uint64_t own_head;
};

static void
s_hold_read(struct node *n, struct s_hold *h)
{
	char v[32];
	uint8_t id[HASH_BYTES];

	memset(h, 0, sizeof *h);
	if (ledger_meta_get(n->ledger, "write_hold", h->why, sizeof h->why) < 0)
		h->why[0] = '\0';
	if (ledger_meta_get(n->ledger, "hold_awaiting", h->awaiting, sizeof h->awaiting) < 0)
		h->awaiting[0] = '\0';
	if (ledger_meta_get(n->ledger, "hold_since", v, sizeof v) == 0)
		h->since_ms = atoll(v);
	ledger_feed_head(n->ledger, n->id.code, &h->own_head, id);
}

/* What PEER last told this node of FEED (table peer), or -1 if nothing. */
static int64_t
s_peer_theirs(struct node *n, const char *peer, const char *feed)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT theirs FROM peer WHERE peer = ?1 AND "
	    "feed = ?2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, feed, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* "townships X, Y have not confirmed …; … beyond seq N will be forked" */
static void
s_loss(FILE *f, struct node *n, const struct s_hold *h)
{
	if (!h->awaiting[0]) {
		fprintf(f, "no peer is awaited: lifting loses nothing known to this node\n");
		return;
	}
	if (n->conf.role == ROLE_COUNTY)
		fprintf(f, "townships %s have not confirmed the county feed; any county change set "
		    "they hold beyond seq %" PRIu64 " will be forked\n", h->awaiting, h->own_head);
	else
		fprintf(f, "the hub (%s) has not confirmed this township's feed; any change set of %s "
		    "it holds beyond seq %" PRIu64 " will be forked\n", h->awaiting, n->id.code,
		    h->own_head);
}

static int
s_show(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika hold show [--json]\n\n"
	    "Whether local writes are held, why, since when, and which peers must confirm this\n"
	    "node's feed before likad lifts the hold.\n";
	struct s_hold h;
	char when[32], *save = NULL, list[sizeof h.awaiting];
	int ch, json = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = 1; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "hold show", "unexpected argument \"%s\"", argv[optind]);
	s_hold_read(n, &h);
	/* the feed the awaited peers confirm: the county's at the county, ours at a township */
	const char *feed = n->id.code;
	if (json) {
		printf("{\"held\":%s,\"why\":", h.why[0] ? "true" : "false");
		json_str(stdout, h.why);
		printf(",\"since_ms\":%" PRId64 ",\"own_head\":%" PRIu64 ",\"awaiting\":[", h.since_ms,
		    h.own_head);
		snprintf(list, sizeof list, "%s", h.why[0] ? h.awaiting : "");
		int first = 1;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			printf("%s{\"peer\":", first ? "" : ",");
			json_str(stdout, t);
			printf(",\"last_reported\":%" PRId64 "}", s_peer_theirs(n, t, feed));
			first = 0;
		}
		printf("]}\n");
		return EXIT_OK;
	}
	if (!h.why[0]) {
		printf("writes    allowed\n");
		return EXIT_OK;
	}
	printf("writes    held: %s\n", h.why);
	if (h.since_ms) {
		time_format(when, sizeof when, h.since_ms);
		printf("since     %s\n", when);
	}
	printf("own feed  head seq %" PRIu64 "\n", h.own_head);
	if (!h.awaiting[0])
		printf("awaiting  no peer\n");
	snprintf(list, sizeof list, "%s", h.awaiting);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int64_t theirs = s_peer_theirs(n, t, feed);
		if (theirs < 0)
			printf("awaiting  %s (no report of feed %s on record)\n", t, feed);
		else
			printf("awaiting  %s (last reported seq %" PRId64 " of feed %s)\n", t, theirs, feed);
	}
	printf("lifting   ");
	s_loss(stdout, n, &h);
	return EXIT_OK;
}

static int
s_lift(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "i-know", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika hold lift --i-know\n\n"
	    "Lift the write hold although the peers it waits for have not confirmed this node's\n"
	    "feed (they are gone for good).  Says what that may lose; without --i-know it only\n"
	    "says so and changes nothing.  A running likad holds again if a peer reports more.\n";
	struct s_hold h;
	char err[ERRBUF_SIZE];
	int ch, know = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': know = 1; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "hold lift", "unexpected argument \"%s\"", argv[optind]);
	s_hold_read(n, &h);
	if (!h.why[0]) {
		printf("writes are not held: nothing to lift\n");
		return EXIT_OK;
	}
	fprintf(know ? stdout : stderr, "held: %s\n", h.why);
	s_loss(know ? stdout : stderr, n, &h);
	if (!know)
		return tool_fail(EXIT_USAGE, "hold lift", "nothing changed: say --i-know to lift it anyway");
	if (node_hold_clear(n, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "hold lift", "%s", err);
	printf("hold lifted: local writes allowed\n");
	return EXIT_OK;
}

int
cmd_hold(struct node *n, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "show", s_show, NEED_NODE_RO, "why writes are held, since when, which peers are awaited" },
		{ "lift", s_lift, NEED_NODE_RW, "lift the hold knowingly (--i-know); says what it may lose" },
		{ NULL, NULL, 0, NULL },
	};

	(void)n;
	return tool_subcommand("hold", sub, argc, argv);
}

int
cmd_backup(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika backup FILE\n\n"
	    "A consistent copy of this node's database (lika.db) into FILE, also while likad\n"
	    "runs.  FILE must not exist.  Restored (deploy/PROVISIONING.md), the copy holds\n"
	    "writes until the peers confirm the node's feed, so it never forks it.\n";
	char err[ERRBUF_SIZE];
	uint64_t head;
	uint8_t id[HASH_BYTES];
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	if (node_backup(n, argv[optind], err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "backup", "%s", err);
	ledger_feed_head(n->ledger, n->id.code, &head, id);
	printf("backup of %s (own feed at seq %" PRIu64 ") written to %s\n", n->id.code, head,
	    argv[optind]);
	return EXIT_OK;
}
