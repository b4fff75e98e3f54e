/*
 * cmd_assist.c — after registration: assistance measures by category
 * (分类分档: 产业, 转移培训, 基础设施, 搬迁, 医疗/教育/住房) and helpers
 * (帮扶责任人, 一帮一 or 二帮一) with their history.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "proc.h"
#include "util.h"

/* Start the write and check HH is a registered household of this township. */
static int
s_begin_registered(struct node *n, const char *cmd, const char *hh)
{
	char err[ERRBUF_SIZE], status[8];

	if (strncmp(hh, n->conf.code, 9) != 0)
		return tool_fail(EXIT_USAGE, cmd, "household \"%s\" is not of this township node", hh);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	int r = proc_text(ledger_db(n->ledger), "SELECT coalesce(status, '') FROM household WHERE id = ?1",
	    hh, status, sizeof status);
	if (r != 1 || !household_status_registered(status)) {
		ledger_rollback(n->ledger);
		return r != 1 ? tool_fail(EXIT_USAGE, cmd, "no household \"%s\" in this township", hh) :
		    proc_refuse(cmd, "registered", "household %s is not registered (status %s): "
		    "assistance follows registration", hh, status);
	}
	return EXIT_OK;
}

static int
s_date_opt(const char *cmd, const char *what, const char *v)
{
	if (v && date_day(v) < 0)
		return tool_fail(EXIT_USAGE, cmd, "%s \"%s\" is not a date YYYY-MM-DD", what, v);
	return 0;
}

static int
s_measure_add(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "category", required_argument, NULL, 'c' },
		{ "project", required_argument, NULL, 'p' },
		{ "funds", required_argument, NULL, 'f' },
		{ "start", required_argument, NULL, 's' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "status", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "measure add", *cat = NULL, *project = NULL, *funds = NULL, *start = NULL,
	    *deadline = NULL, *status = MEASURE_PLANNED;
	char today[11], key[KEY_MAX];
	int ch, rc;
	int64_t fen = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': cat = optarg; break;
		case 'p': project = optarg; break;
		case 'f': funds = optarg; break;
		case 's': start = optarg; break;
		case 'd': deadline = optarg; break;
		case 'S': status = optarg; break;
		case 'h':
			printf("usage: lika measure add HOUSEHOLD --category C --project TEXT --funds YUAN\n"
			    "                         [--start DATE] --deadline DATE [--status S]\n\n"
			    "Add an assistance measure (帮扶措施) to a registered household.\n"
			    "Categories: production 产业发展, training 劳动力转移培训, infrastructure\n"
			    "基础设施, relocation 扶贫搬迁, health 医疗救助, schooling 教育资助, housing\n"
			    "危房改造 (the English or the Chinese name).  Status: planned 计划,\n"
			    "running 实施中, done 已完成, cancelled 已取消.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !cat || !project || !funds || !deadline)
		return tool_fail(EXIT_USAGE, cmd, "HOUSEHOLD, --category, --project, --funds and "
		    "--deadline are required");
	const char *hh = argv[optind];
	char names[512];
	const char *typed = cat;
	if (!(cat = measure_category_parse(typed))) {
		label_names(label_measure_categories, names, sizeof names);
		return tool_fail(EXIT_USAGE, cmd, "category \"%s\" is none of %s", typed, names);
	}
	if (!*project || proc_check_text(cmd, "--project", project, 500))
		return tool_fail(EXIT_USAGE, cmd, "--project must be 1 to 500 bytes of text");
	if (money_parse_yuan(funds, &fen) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--funds \"%s\" is not an amount of yuan", funds);
	const struct label *sl = label_find(label_measure_statuses, status);
	if (!sl) {
		label_names(label_measure_statuses, names, sizeof names);
		return tool_fail(EXIT_USAGE, cmd, "status \"%s\" is none of %s", status, names);
	}
	status = sl->key;
	if (s_date_opt(cmd, "--start", start) || s_date_opt(cmd, "--deadline", deadline))
		return EXIT_USAGE;
	date_today(today);
	if (!start)
		start = today;
	if (date_day(deadline) < date_day(start))
		return tool_fail(EXIT_USAGE, cmd, "--deadline %s is before the start %s", deadline, start);

	if ((rc = s_begin_registered(n, cmd, hh)) != EXIT_OK)
		return rc;
	int64_t next = proc_int(ledger_db(n->ledger), "SELECT count(*) + 1 FROM measure WHERE "
	    "household = ?1", hh, 1);
	snprintf(key, sizeof key, "%s/M%03d", hh, (int)next);
	struct colval cols[] = { COL_TEXT("household", hh), COL_TEXT("category", cat),
		COL_TEXT("project", project), COL_INT("funds", fen), COL_TEXT("start", start),
		COL_TEXT("deadline", deadline), COL_TEXT("status", status) };
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	ops_upsert(&ops, "measure", key, cols, 7);
	rc = proc_commit(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("measure %s %s (%s) %s added\n", key, cat, measure_category_label(cat), project);
	return rc;
}

static int
s_measure_set(struct node *n, int argc, char **argv)
{
	const char *cmd = "measure set";
	char err[ERRBUF_SIZE], old[16];
	int rc;

	if (argc != 4 || argv[1][0] == '-' || strcmp(argv[2], "--status") != 0) {
		printf("usage: lika measure set MEASURE --status planned|running|done|cancelled\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? EXIT_OK : EXIT_USAGE;
	}
	const struct label *sl = label_find(label_measure_statuses, argv[3]);
	if (!sl) {
		char names[256];
		label_names(label_measure_statuses, names, sizeof names);
		return tool_fail(EXIT_USAGE, cmd, "status \"%s\" is none of %s", argv[3], names);
	}
	argv[3] = (char *)sl->key;
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	if (proc_text(ledger_db(n->ledger), "SELECT status FROM measure WHERE id = ?1", argv[1], old,
	    sizeof old) != 1 || strncmp(argv[1], n->conf.code, 9) != 0) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_USAGE, cmd, "no measure \"%s\" of this township", argv[1]);
	}
	struct colval cols[] = { COL_TEXT("status", argv[3]) };
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	ops_upsert(&ops, "measure", argv[1], cols, 1);
	rc = proc_commit(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("measure %s: %s -> %s\n", argv[1], label_zh(label_measure_statuses, old),
		    label_zh(label_measure_statuses, argv[3]));
	return rc;
}

static int
s_measure_list(struct node *n, int argc, char **argv)
{
	int json = 0, first = 1;
	const char *filter = NULL;
	sqlite3_stmt *st = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: lika measure list [HOUSEHOLD|VILLAGE] [--json]\n");
			return EXIT_OK;
		} else
			filter = argv[i];
	}
	sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT m.id, m.household, m.category, m.project, "
	    "m.funds, m.start, m.deadline, m.status FROM measure m LEFT JOIN household h ON "
	    "h.id = m.household WHERE ?1 IS NULL OR m.household = ?1 OR h.village = ?1 ORDER BY m.id",
	    -1, &st, NULL);
	if (filter)
		sqlite3_bind_text(st, 1, filter, -1, SQLITE_STATIC);
	if (json)
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char yuan[32];
		money_format_yuan(yuan, sizeof yuan, sqlite3_column_int64(st, 4));
		if (json) {
			printf("%s{\"id\":\"%s\",\"household\":\"%s\",\"category\":\"%s\",\"project\":",
			    first ? "" : ",", col_text(st, 0), col_text(st, 1), col_text(st, 2));
			json_str(stdout, col_text(st, 3));
			printf(",\"funds\":%s,\"start\":\"%s\",\"deadline\":\"%s\",\"status\":\"%s\"}", yuan,
			    col_text(st, 5), col_text(st, 6), col_text(st, 7));
		} else {
			printf("%s  %-14s %-10s %12s  %s..%s  %s\n", col_text(st, 0), col_text(st, 2), col_text(st, 7),
			    yuan, col_text(st, 5), col_text(st, 6), col_text(st, 3));
		}
		first = 0;
	}
	if (json)
		printf("]\n");
	sqlite3_finalize(st);
	return EXIT_OK;
}

int
cmd_measure(int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add",  s_measure_add,  NEED_NODE_RW | TOWNSHIP_ONLY,
		    "add an assistance measure to a registered household" },
		{ "set",  s_measure_set,  NEED_NODE_RW | TOWNSHIP_ONLY, "change a measure's status" },
		{ "list", s_measure_list, NEED_NODE_RO, "list measures (of a household or village)" },
		{ NULL, NULL, 0, NULL },
	};
	return tool_subcommand("measure", sub, argc, argv);
}

/* ---- helpers ------------------------------------------------------------------- */

/*
 * May NAME (PHONE) become a helper of HH from START?  One helper helps one
 * household, a household has two helpers at most; --replace (REPLACE) ends a
 * current pairing first, in OPS.  EXIT_OK or prints the refusal.
 */
static int
s_helper_pairing(sqlite3 *db, struct ops *ops, const char *hh, const char *name, const char *phone,
    const char *replace, const char *start)
{
	const char *cmd = "helper assign";
	char other[KEY_MAX];
	int current = (int)proc_int(db, "SELECT count(*) FROM helper WHERE household = ?1 AND "
	    "\"end\" IS NULL", hh, 0);

	if (replace) {
		char rh[KEY_MAX];
		if (proc_text(db, "SELECT household FROM helper WHERE id = ?1 AND \"end\" IS NULL", replace,
		    rh, sizeof rh) != 1 || strcmp(rh, hh) != 0)
			return tool_fail(EXIT_USAGE, cmd, "--replace \"%s\" is no current helper of %s", replace, hh);
		struct colval ec[] = { COL_TEXT("end", start) };
		ops_upsert(ops, "helper", replace, ec, 1);
		current--;
	}
	if (current >= 2)
		return proc_refuse(cmd, "helper-pairing", "household %s already has two helpers (二帮一 at "
		    "most); end one with --replace", hh);
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(db, "SELECT household FROM helper WHERE name = ?1 AND phone = ?2 AND "
	    "\"end\" IS NULL AND household <> ?3 LIMIT 1", -1, &st, NULL);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hh, -1, SQLITE_STATIC);
	other[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(other, sizeof other, "%s", col_text(st, 0));
	sqlite3_finalize(st);
	if (other[0])
		return proc_refuse(cmd, "helper-pairing", "%s (%s) already helps household %s (一帮一: one "
		    "household a helper)", name, phone, other);
	return EXIT_OK;
}

static int
s_helper_assign(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "unit", required_argument, NULL, 'u' },
		{ "level", required_argument, NULL, 'l' },
		{ "phone", required_argument, NULL, 'p' },
		{ "start", required_argument, NULL, 's' },
		{ "replace", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "helper assign", *name = NULL, *unit = NULL, *level = NULL, *phone = NULL,
	    *start = NULL, *replace = NULL;
	char today[11], key[KEY_MAX];
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 'u': unit = optarg; break;
		case 'l': level = optarg; break;
		case 'p': phone = optarg; break;
		case 's': start = optarg; break;
		case 'r': replace = optarg; break;
		case 'h':
			printf("usage: lika helper assign HOUSEHOLD --name N --unit U --level L --phone P\n"
			    "                           [--start DATE] [--replace HELPER_ID]\n\n"
			    "Pair a helper (帮扶责任人) with a registered household: one helper helps one\n"
			    "household, a household has one or two helpers (一帮一, 二帮一).  --replace ends\n"
			    "a current pairing in the same change; ended pairings stay as history.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !name || !unit || !level || !phone)
		return tool_fail(EXIT_USAGE, cmd, "HOUSEHOLD, --name, --unit, --level and --phone are required");
	const char *hh = argv[optind];
	if (!*name || proc_check_text(cmd, "--name", name, 60) || proc_check_text(cmd, "--unit", unit, 200) ||
	    proc_check_text(cmd, "--level", level, 40) || proc_check_text(cmd, "--phone", phone, 20))
		return EXIT_USAGE;
	if (s_date_opt(cmd, "--start", start))
		return EXIT_USAGE;
	date_today(today);
	if (!start)
		start = today;

	if ((rc = s_begin_registered(n, cmd, hh)) != EXIT_OK)
		return rc;
	sqlite3 *db = ledger_db(n->ledger);
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	if ((rc = s_helper_pairing(db, &ops, hh, name, phone, replace, start)) != EXIT_OK) {
		ops_release(&ops);
		ledger_rollback(n->ledger);
		return rc;
	}
	int64_t next = proc_int(db, "SELECT count(*) + 1 FROM helper WHERE household = ?1", hh, 1);
	snprintf(key, sizeof key, "%s/H%03d", hh, (int)next);
	struct colval cols[] = { COL_TEXT("household", hh), COL_TEXT("name", name),
		COL_TEXT("unit", unit), COL_TEXT("level", level), COL_TEXT("phone", phone),
		COL_TEXT("start", start), COL_NIL("end") };
	ops_upsert(&ops, "helper", key, cols, 7);
	rc = proc_commit(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("helper %s %s (%s) paired with %s from %s\n", key, name, unit, hh, start);
	return rc;
}

static int
s_helper_end(struct node *n, int argc, char **argv)
{
	const char *cmd = "helper end";
	char err[ERRBUF_SIZE], today[11], hh[KEY_MAX];
	int rc;

	if (argc < 2 || argv[1][0] == '-') {
		printf("usage: lika helper end HELPER_ID [DATE]\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? EXIT_OK : EXIT_USAGE;
	}
	if (argc > 2 && date_day(argv[2]) < 0)
		return tool_fail(EXIT_USAGE, cmd, "date \"%s\" is not YYYY-MM-DD", argv[2]);
	date_today(today);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	if (proc_text(ledger_db(n->ledger), "SELECT household FROM helper WHERE id = ?1 AND \"end\" IS NULL",
	    argv[1], hh, sizeof hh) != 1 || strncmp(argv[1], n->conf.code, 9) != 0) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_USAGE, cmd, "no current helper \"%s\" of this township", argv[1]);
	}
	struct colval cols[] = { COL_TEXT("end", argc > 2 ? argv[2] : today) };
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	ops_upsert(&ops, "helper", argv[1], cols, 1);
	rc = proc_commit(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("helper %s ended\n", argv[1]);
	return rc;
}

static int
s_helper_list(struct node *n, int argc, char **argv)
{
	int json = 0, first = 1;
	const char *filter = NULL;
	sqlite3_stmt *st = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: lika helper list [HOUSEHOLD] [--json]\n\nHelpers with their history "
			    "(ended pairings show their end date).\n");
			return EXIT_OK;
		} else
			filter = argv[i];
	}
	sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT id, household, name, unit, level, phone, start, "
	    "coalesce(\"end\", '') FROM helper WHERE ?1 IS NULL OR household = ?1 ORDER BY id", -1, &st, NULL);
	if (filter)
		sqlite3_bind_text(st, 1, filter, -1, SQLITE_STATIC);
	if (json)
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (json) {
			printf("%s{\"id\":\"%s\",\"household\":\"%s\",\"name\":", first ? "" : ",", col_text(st, 0),
			    col_text(st, 1));
			json_str(stdout, col_text(st, 2));
			printf(",\"unit\":");
			json_str(stdout, col_text(st, 3));
			printf(",\"level\":");
			json_str(stdout, col_text(st, 4));
			printf(",\"phone\":");
			json_str(stdout, col_text(st, 5));
			printf(",\"start\":\"%s\",\"end\":%s%s%s}", col_text(st, 6), *col_text(st, 7) ? "\"" : "null",
			    col_text(st, 7), *col_text(st, 7) ? "\"" : "");
		} else {
			printf("%s  %-8s %-20s %-8s %-14s %s..%s\n", col_text(st, 0), col_text(st, 2), col_text(st, 3),
			    col_text(st, 4), col_text(st, 5), col_text(st, 6), *col_text(st, 7) ? col_text(st, 7) : "");
		}
		first = 0;
	}
	if (json)
		printf("]\n");
	sqlite3_finalize(st);
	return EXIT_OK;
}

int
cmd_helper(int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "assign", s_helper_assign, NEED_NODE_RW | TOWNSHIP_ONLY,
		    "pair a helper with a registered household" },
		{ "end",    s_helper_end,    NEED_NODE_RW | TOWNSHIP_ONLY, "end a pairing (kept as history)" },
		{ "list",   s_helper_list,   NEED_NODE_RO, "list helpers and their history" },
		{ NULL, NULL, 0, NULL },
	};
	return tool_subcommand("helper", sub, argc, argv);
}
