/*
 * cmd_check.c — `lika check add|list`: spot checks (抽查) and unannounced
 * visits (暗访) by the township or the county, and `lika code synonym
 * add|list|remove`: the words offices type for a code, kept by the county.
 * The rows' rules are lib/domain's (village.c, household.c), checked on apply.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "lika.h"
#include "proc.h"
#include "util.h"
#include "village.h"

/* Begin, commit OPS as one change set, and end the transaction either way. */
static int
s_write(struct node *n, const char *cmd, struct ops *ops)
{
	char err[ERRBUF_SIZE];
	int rc;

	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	rc = proc_commit(n, cmd, ops);
	ledger_rollback(n->ledger);     /* nothing to undo after a commit */
	return rc;
}

/* "spot", "unannounced", or their Chinese names; NULL if neither. */
static const char *
s_kind(const char *s)
{
	if (!strcmp(s, "spot") || !strcmp(s, "抽查"))
		return "spot";
	if (!strcmp(s, "unannounced") || !strcmp(s, "暗访"))
		return "unannounced";
	return NULL;
}

/* The next key CODE/YEAR/NNN of this node's checks of YEAR into KEY; 0 or -1. */
static int
s_next_key(sqlite3 *db, const char *code, int year, char *key, size_t len)
{
	char prefix[48];

	snprintf(prefix, sizeof prefix, "%s/%d/", code, year);
	int64_t n = proc_int(db, "SELECT count(*) FROM spot_check WHERE substr(id, 1, length(?1)) = ?1",
	    prefix, -1);
	if (n < 0 || n >= 999)
		return -1;
	snprintf(key, len, "%s%03d", prefix, (int)n + 1);
	return 0;
}

struct check_opts {
	const char *kind, *date, *by, *households, *findings, *follow_up;
};

static int
s_check_add_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "date", required_argument, NULL, 'd' },
		{ "by", required_argument, NULL, 'b' },
		{ "households", required_argument, NULL, 'H' },
		{ "findings", required_argument, NULL, 'f' },
		{ "follow-up", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] = "usage: lika check add --kind spot|unannounced --by WHO "
	    "--households H1,H2,… --findings TEXT\n       [--follow-up TEXT] [--date YYYY-MM-DD]\n\n"
	    "Record a spot check (抽查, --kind spot) or an unannounced visit (暗访, --kind\n"
	    "unannounced) of households: who checked, when (default today), what was found\n"
	    "and what is to follow.  A township checks its own households, the county any of\n"
	    "the county's.  Shown on the household card and counted in \"lika report\".\n";
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': o->kind = optarg; break;
		case 'd': o->date = optarg; break;
		case 'b': o->by = optarg; break;
		case 'H': o->households = optarg; break;
		case 'f': o->findings = optarg; break;
		case 'u': o->follow_up = optarg; break;
		case 'h': printf("%s", usage); return EXIT_OK + 1;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE + 1;
		}
	}
	if (optind != argc || !o->kind || !o->by || !o->households || !o->findings) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE + 1;
	}
	return 0;
}

static int
s_check_add(struct node *n, int argc, char **argv)
{
	const char *cmd = "check add";
	struct check_opts o = { 0 };
	char today[11], key[64];
	int rc;

	if ((rc = s_check_add_opts(argc, argv, &o)))
		return rc - 1;
	const char *kind = s_kind(o.kind);
	if (!kind)
		return tool_fail(EXIT_USAGE, cmd, "--kind \"%s\" is neither spot (抽查) nor unannounced (暗访)",
		    o.kind);
	if (o.date && date_day(o.date) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--date \"%s\" is not a date YYYY-MM-DD", o.date);
	if (!o.date)
		date_today(today), o.date = today;
	if (!*o.by || proc_check_text(cmd, "--by", o.by, 120) || proc_check_text(cmd, "--households",
	    o.households, 3200) || !*o.findings || proc_check_text(cmd, "--findings", o.findings, 2000) ||
	    (o.follow_up && proc_check_text(cmd, "--follow-up", o.follow_up, 2000)))
		return !*o.by || !*o.findings ? tool_fail(EXIT_USAGE, cmd, "--by and --findings must not "
		    "be empty") : EXIT_USAGE;
	if (s_next_key(ledger_db(n->ledger), n->conf.code, proc_year(o.date), key, sizeof key) < 0)
		return tool_fail(EXIT_FAIL, cmd, "cannot number the check (999 a year at most)");
	struct ops ops = OPS_INIT;
	struct colval cols[] = {
		COL_TEXT("kind", kind), COL_TEXT("at", o.date), COL_TEXT("by_name", o.by),
		COL_TEXT("households", o.households), COL_TEXT("findings", o.findings),
		o.follow_up ? (struct colval)COL_TEXT("follow_up", o.follow_up) :
		    (struct colval)COL_NIL("follow_up"),
	};
	ops_init(&ops);
	ops_upsert(&ops, "spot_check", key, cols, sizeof cols / sizeof cols[0]);
	rc = s_write(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("check %s (%s) on %s by %s: %s\n", key, village_spot_kind_label(kind), o.date, o.by,
		    o.households);
	return rc;
}

static int
s_check_list(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "household", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *household = NULL;
	int ch, json = 0, first = 1, rc;
	sqlite3_stmt *st;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': household = optarg; break;
		case 'j': json = 1; break;
		case 'h':
			printf("usage: lika check list [--household H] [--json]\n\n"
			    "Spot checks and unannounced visits held here, newest first.\n");
			return EXIT_OK;
		default: return tool_fail(EXIT_USAGE, "check list", "see \"lika check list --help\"");
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "check list", "unexpected argument \"%s\"", argv[optind]);
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT id, kind, at, by_name, households, findings, "
	    "coalesce(follow_up, '') FROM spot_check WHERE ?1 IS NULL OR instr(',' || households || ',', "
	    "',' || ?1 || ',') > 0 ORDER BY at DESC, id DESC", -1, &st, NULL) != SQLITE_OK)
		return tool_fail(EXIT_FAIL, "check list", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	if (household)
		sqlite3_bind_text(st, 1, household, -1, SQLITE_STATIC);
	if (json)
		printf("[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c[7];
		for (int i = 0; i < 7; i++)
			c[i] = (const char *)sqlite3_column_text(st, i);
		if (json) {
			static const char *const keys[] = { "id", "kind", "at", "by", "households", "findings",
			    "follow_up" };
			printf("%s{", first ? "" : ",");
			for (int i = 0; i < 7; i++) {
				printf("%s\"%s\":", i ? "," : "", keys[i]);
				json_str(stdout, c[i] ? c[i] : "");
			}
			printf("}");
		} else {
			const char *label = village_spot_kind_label(c[1] ? c[1] : "");
			printf("%s  %s  %s  %s\n  households: %s\n  findings:   %s\n", c[0], c[2],
			    label ? label : c[1], c[3], c[4], c[5]);
			if (c[6] && *c[6])
				printf("  follow-up:  %s\n", c[6]);
		}
		first = 0;
	}
	sqlite3_finalize(st);
	if (json)
		printf("]\n");
	return rc == SQLITE_DONE ? EXIT_OK : EXIT_FAIL;
}

int
cmd_check(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add", s_check_add, NEED_NODE_RW, "record a spot check (抽查) or unannounced visit (暗访)" },
		{ "list", s_check_list, NEED_NODE_RO, "the checks held here, newest first" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("check", sub, argc, argv);
}

/* ---- code-list synonyms (county) --------------------------------------------------- */

/*
 * Write WORD of LIST as a synonym of CODE.  A WORD that stands for another
 * code already is refused unless REPLACE: looked up inside the write, so no
 * other writer's synonym is overwritten unseen.
 */
static int
s_synonym_write(struct node *n, const char *cmd, const char *list, const char *word, const char *code,
    int replace)
{
	char key[160], old[64], err[ERRBUF_SIZE];
	int rc;

	household_synonym_key(key, sizeof key, list, word);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	int found = proc_text(ledger_db(n->ledger), "SELECT code FROM synonym WHERE id = ?1", key, old,
	    sizeof old);
	if (found < 0) {
		rc = tool_fail(EXIT_FAIL, cmd, "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	} else if (found && !strcmp(old, code)) {
		printf("%s: \"%s\" already stands for %s (nothing written)\n", list, word, code);
		rc = EXIT_OK;
	} else if (found && !replace) {
		rc = tool_fail(EXIT_USAGE, cmd, "%s: \"%s\" already stands for %s; to make it stand "
		    "for %s instead, add --replace", list, word, old, code);
	} else {
		struct ops ops = OPS_INIT;
		struct colval cols[] = { COL_TEXT("list", list), COL_TEXT("word", word), COL_TEXT("code", code) };
		ops_init(&ops);
		ops_upsert(&ops, "synonym", key, cols, 3);
		rc = proc_commit(n, cmd, &ops);      /* rule synonym checks the list, code and word */
		ops_release(&ops);
		if (rc == EXIT_OK)
			printf("%s: \"%s\" stands for %s%s%s%s\n", list, word, code, found ? " (was " : "",
			    found ? old : "", found ? ")" : "");
	}
	ledger_rollback(n->ledger);     /* nothing to undo after a commit */
	return rc;
}

static int
s_synonym_add(struct node *n, int argc, char **argv)
{
	const char *cmd = "code synonym add", *arg[3];
	int nargs = 0, replace = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: lika code synonym add LIST WORD CODE [--replace]\n\n"
			    "Accept WORD for CODE of code list LIST (code_migrant, code_flag …) wherever\n"
			    "that list is read: import, options.  County only; the townships receive it\n"
			    "with the county feed.  WORD must not be a code or name of LIST already.\n"
			    "A WORD that already stands for another code is refused, naming that code;\n"
			    "--replace makes it stand for CODE instead.\n");
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--replace")) {
			replace = 1;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return tool_fail(EXIT_USAGE, cmd, "unknown option \"%s\" (see --help)", argv[i]);
		} else if (nargs == 3) {
			return tool_fail(EXIT_USAGE, cmd, "unexpected argument \"%s\"", argv[i]);
		} else {
			arg[nargs++] = argv[i];
		}
	}
	if (nargs != 3)
		return tool_fail(EXIT_USAGE, cmd, "LIST WORD CODE required (see --help)");
	const char *list = arg[0], *word = arg[1];
	if (strlen(list) > 32 || strncmp(list, "code_", 5) != 0)
		return tool_fail(EXIT_USAGE, cmd, "\"%s\" is not a code list (code_migrant, code_flag …)", list);
	if (!*word || strlen(word) > 63 || strchr(word, ',') || proc_check_text(cmd, "WORD", word, 63))
		return tool_fail(EXIT_USAGE, cmd, "WORD must be 1 to 63 bytes without a comma");
	return s_synonym_write(n, cmd, list, word, arg[2], replace);
}

static int
s_synonym_remove(struct node *n, int argc, char **argv)
{
	const char *cmd = "code synonym remove";
	char key[160];

	if (argc != 3)
		return tool_fail(EXIT_USAGE, cmd, "LIST WORD required");
	household_synonym_key(key, sizeof key, argv[1], argv[2]);
	if (proc_int(ledger_db(n->ledger), "SELECT count(*) FROM synonym WHERE id = ?1", key, 0) == 0)
		return tool_fail(EXIT_USAGE, cmd, "no synonym \"%s\" in %s", argv[2], argv[1]);
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	ops_delete(&ops, "synonym", key);
	int rc = s_write(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("%s: \"%s\" removed\n", argv[1], argv[2]);
	return rc;
}

static int
s_synonym_list(struct node *n, int argc, char **argv)
{
	sqlite3_stmt *st;
	int rc;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		printf("usage: lika code synonym list [LIST]\n");
		return argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? EXIT_OK : EXIT_USAGE;
	}
	if (sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT list, word, code FROM synonym WHERE "
	    "?1 IS NULL OR list = ?1 ORDER BY list, code, word", -1, &st, NULL) != SQLITE_OK)
		return tool_fail(EXIT_FAIL, "code synonym list", "%s", sqlite3_errmsg(ledger_db(n->ledger)));
	if (argc == 2)
		sqlite3_bind_text(st, 1, argv[1], -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		printf("%-16s %-4s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 2),
		    sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? EXIT_OK : EXIT_FAIL;
}

static int
s_synonym(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add", s_synonym_add, NEED_NODE_RW | COUNTY_ONLY, "accept a word for a code (county)" },
		{ "remove", s_synonym_remove, NEED_NODE_RW | COUNTY_ONLY, "no longer accept a word (county)" },
		{ "list", s_synonym_list, NEED_NODE_RO, "the synonyms of every code list, or of LIST" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("code synonym", sub, argc, argv);
}

int
cmd_code(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "synonym", s_synonym, 0, "words offices type for a code: add, remove, list" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("code", sub, argc, argv);
}
