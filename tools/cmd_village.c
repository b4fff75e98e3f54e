/*
 * cmd_village.c — `lika village add|list`, `lika village group add` and
 * `lika village eval-group set|show`: the township's villages (行政村),
 * village groups (村民小组) and each year's evaluation group (评议小组).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "lika.h"
#include "proc.h"
#include "util.h"
#include "village.h"

/* Parse only --help (and --json if JSON is not NULL); 0 to go on, else an exit status + 1. */
static int
s_opts(int argc, char **argv, int *json, const char *usage)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'j' && json) {
			*json = 1;
		} else if (ch == 'h') {
			printf("%s", usage);
			return EXIT_OK + 1;
		} else {
			fprintf(stderr, "%s", usage);
			return EXIT_USAGE + 1;
		}
	}
	return 0;
}

static int
s_write_one(struct node *n, const char *cmd, struct ops *ops)
{
	char err[ERRBUF_SIZE];
	struct ledger_written w;

	if (ledger_commit(n->ledger, ops, &w, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	return EXIT_OK;
}

/* Is there a row KEY in TABLE?  1 yes (NAME copied), 0 no, -1 error. */
static int
s_row_name(sqlite3 *db, const char *table, const char *key, char *name, size_t len)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "SELECT name FROM %s WHERE id = ?1", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && name)
		snprintf(name, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int
s_check_name(const char *cmd, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 120)
		return tool_fail(EXIT_USAGE, cmd, "name \"%s\" must be 1 to 120 bytes", name);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return tool_fail(EXIT_USAGE, cmd, "name \"%s\" has a control character", name);
	return 0;
}

static int
s_village_add(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika village add CODE NAME\n\n"
	    "Add a village (行政村) of this township.  CODE is the 12-digit division code\n"
	    "and starts with the township's 9-digit code.\n";
	char err[ERRBUF_SIZE], old[256];
	int rc;

	if ((rc = s_opts(argc, argv, NULL, usage)))
		return rc - 1;
	if (argc - optind != 2) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *code = argv[optind], *name = argv[optind + 1];
	if (s_check_name("village add", name))
		return EXIT_USAGE;
	if (code_check_village_of(code, n->conf.code, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "village add", "%s", err);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "village add", "%s", err);
	if ((rc = s_row_name(ledger_db(n->ledger), "village", code, old, sizeof old)) != 0) {
		ledger_rollback(n->ledger);
		if (rc < 0)
			return tool_fail(EXIT_FAIL, "village add", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
		return tool_fail(EXIT_USAGE, "village add", "village \"%s\" already exists (%s)", code, old);
	}
	struct ops ops = OPS_INIT;
	struct colval cols[] = { COL_TEXT("name", name) };
	ops_init(&ops);
	ops_upsert(&ops, "village", code, cols, 1);
	rc = s_write_one(n, "village add", &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("village %s %s added\n", code, name);
	return rc;
}

static int
s_group_add(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika village group add VILLAGE_CODE NAME\n\n"
	    "Add a village group (村民小组) to a village of this township; groups are\n"
	    "numbered 01, 02 … in the order they are added.\n";
	char err[ERRBUF_SIZE], key[64];
	sqlite3_stmt *st;
	int rc, next = 0;

	if ((rc = s_opts(argc, argv, NULL, usage)))
		return rc - 1;
	if (argc - optind != 2) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *village = argv[optind], *name = argv[optind + 1];
	if (s_check_name("village group add", name))
		return EXIT_USAGE;
	if (code_check_village_of(village, n->conf.code, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "village group add", "%s", err);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "village group add", "%s", err);
	sqlite3 *db = ledger_db(n->ledger);
	if ((rc = s_row_name(db, "village", village, NULL, 0)) != 1) {
		ledger_rollback(n->ledger);
		return rc < 0 ? tool_fail(EXIT_FAIL, "village group add", "reading villages failed")
		    : tool_fail(EXIT_USAGE, "village group add",
		    "village \"%s\" is not in this township's archive (add it with \"lika village add\")",
		    village);
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM village_group WHERE village = ?1", -1,
	    &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, village, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			next = sqlite3_column_int(st, 0) + 1;
		sqlite3_finalize(st);
	}
	if (next <= 0 || next > 99) {
		ledger_rollback(n->ledger);
		return tool_fail(next > 99 ? EXIT_USAGE : EXIT_FAIL, "village group add",
		    next > 99 ? "village \"%s\" already has 99 groups" : "reading groups of \"%s\" failed",
		    village);
	}
	snprintf(key, sizeof key, "%s/%02d", village, next);
	struct ops ops = OPS_INIT;
	struct colval cols[] = { COL_TEXT("village", village), COL_TEXT("name", name) };
	ops_init(&ops);
	ops_upsert(&ops, "village_group", key, cols, 2);
	rc = s_write_one(n, "village group add", &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("village group %s %s added\n", key, name);
	return rc;
}

static int
s_group(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add", s_group_add, NEED_NODE_RW | TOWNSHIP_ONLY, "add a village group to a village" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("village group", sub, argc, argv);
}

/* ---- 评议小组: the evaluation group of a year ----------------------------------------- */

static int
s_eval_set(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "members", required_argument, NULL, 'm' },
		{ "date", required_argument, NULL, 'd' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika village eval-group set VILLAGE YEAR --members N1,N2,… "
	    "[--date YYYY-MM-DD] [--note TEXT]\n\n"
	    "Record the village's evaluation group (评议小组) of YEAR: 9 to 15 members\n"
	    "(separated by , ， 、 or ;), formed on --date (default today, in YEAR).\n"
	    "\"lika review village-eval\" without --panel names this group.  Setting it\n"
	    "again replaces the group for the steps that follow.\n";
	const char *cmd = "village eval-group set", *members = NULL, *date = NULL, *note = NULL;
	char err[ERRBUF_SIZE], today[11], key[48];
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': members = optarg; break;
		case 'd': date = optarg; break;
		case 'n': note = optarg; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (argc - optind != 2 || !members) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *village = argv[optind];
	int year = proc_year(argv[optind + 1]);
	if (strlen(argv[optind + 1]) != 4 || !is_digits(argv[optind + 1], 4) || year < 1949 || year > 2100)
		return tool_fail(EXIT_USAGE, cmd, "YEAR \"%s\" is not a year", argv[optind + 1]);
	if (code_check_village_of(village, n->conf.code, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, cmd, "%s", err);
	if (date && date_day(date) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--date \"%s\" is not a date YYYY-MM-DD", date);
	if (!date)
		date_today(today), date = today;
	if (proc_year(date) != year)
		return tool_fail(EXIT_USAGE, cmd, "--date %s is not in %d", date, year);
	if (proc_check_text(cmd, "--members", members, 1000) || (note && proc_check_text(cmd, "--note",
	    note, 500)))
		return EXIT_USAGE;
	if (village_eval_members_check(members, err, sizeof err) < 0)
		return proc_refuse(cmd, "eval-group", "%s", err);
	snprintf(key, sizeof key, "%s/%d", village, year);
	struct ops ops = OPS_INIT;
	struct colval cols[] = {
		COL_TEXT("village", village), COL_INT("year", year), COL_TEXT("members", members),
		COL_TEXT("formed_at", date), note ? (struct colval)COL_TEXT("note", note) :
		    (struct colval)COL_NIL("note"),
	};
	ops_init(&ops);
	ops_upsert(&ops, "eval_group", key, cols, sizeof cols / sizeof cols[0]);
	/* the rules on apply (lib/domain/village.c) check the village and the members */
	int rc = ledger_begin(n->ledger, err, sizeof err) < 0 ? tool_fail(EXIT_FAIL, cmd, "%s", err) :
	    proc_commit(n, cmd, &ops);
	ledger_rollback(n->ledger);     /* nothing to undo after a commit */
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("evaluation group %s: %s\n", key, members);
	return rc;
}

static int
s_eval_show(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika village eval-group show VILLAGE [YEAR]\n\n"
	    "The village's evaluation groups (评议小组), or the one of YEAR.\n";
	sqlite3_stmt *st;
	int rc, found = 0;

	if ((rc = s_opts(argc, argv, NULL, usage)))
		return rc - 1;
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT year, formed_at, members, coalesce(note, '') "
	    "FROM eval_group WHERE village = ?1 AND (?2 IS NULL OR year = ?2) ORDER BY year", -1, &st,
	    NULL) != SQLITE_OK)
		return tool_fail(EXIT_FAIL, "village eval-group show", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	sqlite3_bind_text(st, 1, argv[optind], -1, SQLITE_STATIC);
	if (argc - optind == 2)
		sqlite3_bind_int(st, 2, atoi(argv[optind + 1]));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		printf("%d  formed %s  %s%s%s\n", sqlite3_column_int(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), *sqlite3_column_text(st, 3) ? "  — " : "",
		    sqlite3_column_text(st, 3));
		found++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return EXIT_FAIL;
	if (!found)
		return tool_fail(EXIT_USAGE, "village eval-group show", "no evaluation group of %s recorded",
		    argv[optind]);
	return EXIT_OK;
}

static int
s_eval_group(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "set", s_eval_set, NEED_NODE_RW | TOWNSHIP_ONLY, "record a village's evaluation group of a year" },
		{ "show", s_eval_show, NEED_NODE_RO, "a village's evaluation groups" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("village eval-group", sub, argc, argv);
}

static int
s_village_list(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika village list [--json]\n\n"
	    "List the villages held by this node with their groups.\n";
	sqlite3_stmt *st;
	int rc, json = 0, first = 1;
	char last[CODE_MAX] = "";

	if ((rc = s_opts(argc, argv, &json, usage)))
		return rc - 1;
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "village list", "unexpected argument \"%s\"", argv[optind]);
	if (sqlite3_prepare_v2(ledger_db(n->ledger),
	    "SELECT v.id, v.name, g.id, g.name FROM village v "
	    "LEFT JOIN village_group g ON g.village = v.id ORDER BY v.id, g.id", -1, &st, NULL) != SQLITE_OK) {
		return tool_fail(EXIT_FAIL, "village list", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	}
	if (json)
		printf("[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *vid = (const char *)sqlite3_column_text(st, 0);
		const char *vname = (const char *)sqlite3_column_text(st, 1);
		const char *gid = (const char *)sqlite3_column_text(st, 2);
		const char *gname = (const char *)sqlite3_column_text(st, 3);
		int newv = strcmp(vid, last) != 0;
		snprintf(last, sizeof last, "%s", vid);
		if (json) {
			if (newv) {
				printf("%s{\"code\":\"%s\",\"name\":", first ? "" : "]},", vid);
				json_str(stdout, vname ? vname : "");
				printf(",\"groups\":[");
				first = 0;
			}
			if (gid) {
				printf("%s{\"id\":\"%s\",\"name\":", newv ? "" : ",", gid);
				json_str(stdout, gname ? gname : "");
				printf("}");
			}
		} else {
			if (newv)
				printf("%s  %s\n", vid, vname ? vname : "");
			if (gid)
				printf("  %s  %s\n", gid, gname ? gname : "");
		}
	}
	sqlite3_finalize(st);
	if (json)
		printf("%s]\n", first ? "" : "]}");
	return rc == SQLITE_DONE ? EXIT_OK : EXIT_FAIL;
}

int
cmd_village(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add",   s_village_add,  NEED_NODE_RW | TOWNSHIP_ONLY, "add a village of this township" },
		{ "group", s_group,        0, "village groups: \"group add VILLAGE NAME\"" },
		{ "eval-group", s_eval_group, 0, "评议小组 of a year: \"eval-group set VILLAGE YEAR --members …\"" },
		{ "list",  s_village_list, NEED_NODE_RO, "list villages and their groups" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("village", sub, argc, argv);
}
