/*
 * lika.c — the command-line tool: `lika [--data DIR] COMMAND [ARGS]`.
 *
 * Commands parse, call and print; what they need is in their table entry
 * (NEED_NODE_RO, NEED_NODE_RW, COUNTY_ONLY, TOWNSHIP_ONLY,
 * PROVINCE_ONLY), and s_run opens
 * the node once, refuses a command at the wrong kind of node before anything
 * is written, runs it and closes the node.  Subcommand tables go through the
 * same s_run (tool_subcommand).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "rules.h"
#include "lika.h"
#include "proc.h"
#include "log.h"
#include "util.h"

const char *tool_data_dir;
ledger_stamp_fn tool_stamp;
void *tool_stamp_arg;

/*
 * The procedure's commands keep proc.h's argv-only signature: flag-less
 * entries reached through these; their subcommand tables carry the flags.
 */
#define ARGV_ONLY(fn) \
	static int s_##fn(struct node *n, int argc, char **argv) { (void)n; return fn(argc, argv); }
ARGV_ONLY(cmd_official)
ARGV_ONLY(cmd_policy)
ARGV_ONLY(cmd_quota)
ARGV_ONLY(cmd_review)
ARGV_ONLY(cmd_measure)
ARGV_ONLY(cmd_helper)
ARGV_ONLY(cmd_half_year)

static const struct tool_command s_commands[] = {
	{ "init",     cmd_init,     0,  "create a node: database, key and configuration" },
	{ "whoami",   cmd_whoami,   NEED_NODE_RO, "print this node's code, role, name and public key" },
	{ "village",  cmd_village,  0,  "add and list villages and village groups" },
	{ "household", cmd_household, 0, "household files (户卡): add, edit, cause, head, show, list" },
	{ "member",   cmd_member,   0,  "household members: add, edit, remove" },
	{ "income",   cmd_income,   0,  "a household's income of a year: set" },
	{ "import",   cmd_import,   NEED_NODE_RW | TOWNSHIP_ONLY,
	    "import households, members or incomes from a spreadsheet" },
	{ "export",   cmd_export,   NEED_NODE_RO, "export households, members or incomes (CSV or JSON)" },
	{ "card",     cmd_card,     NEED_NODE_RO, "print a household card (户卡)" },
	{ "register", cmd_register, NEED_NODE_RO, "print a village register (村花名册)" },
	{ "book",     cmd_book,     NEED_NODE_RO, "print the township book (乡镇簿)" },
	{ "archive",  cmd_archive,  NEED_NODE_RO, "print the county archive (县电子档案)" },
	{ "notice-list", cmd_notice_list, NEED_NODE_RO, "print a notice list (公示名单) of the three notices" },
	{ "official", s_cmd_official, 0, "the county roster of officials and their signing keys" },
	{ "policy",   s_cmd_policy, 0,  "county policy: poverty line, notice days, schedule" },
	{ "quota",    s_cmd_quota,  0,  "county quotas (扶贫规模) of townships and villages" },
	{ "review",   s_cmd_review, 0,  "the identification procedure, step by step (三级复审，三榜公示)" },
	{ "measure",  s_cmd_measure, 0, "assistance measures of registered households" },
	{ "helper",   s_cmd_helper, 0,  "helpers (帮扶责任人) paired with households" },
	{ "half-year", s_cmd_half_year, 0, "the half-yearly review: stay, exit, return, remove" },
	{ "progress", report_progress, NEED_NODE_RO, "households per stage, notices, quotas, measures" },
	{ "report",   report_summary, NEED_NODE_RO, "the summary (总结) by stage, cause and measure" },
	{ "log",      cmd_log,      NEED_NODE_RO, "list the change sets of every feed held" },
	{ "verify",   cmd_verify,   NEED_NODE_RO, "check every chain, signature and the state tables" },
	{ "rebuild",  cmd_rebuild,  NEED_NODE_RO, "replay the ledger into fresh state tables" },
	{ "status",   cmd_status,   0,  "sync status for admins (exit status for monitoring)" },
	{ "quarantine", cmd_quarantine, 0, "refused change sets; resolve a stopped feed" },
	{ "hold",     cmd_hold,     0,  "why local writes are held; lift a hold knowingly" },
	{ "backup",   cmd_backup,   NEED_NODE_RO, "a consistent copy of the database, also while likad runs" },
	{ "duplicates", cmd_duplicates, NEED_NODE_RO, "people the county found in more than one township" },
	{ "roster",   cmd_roster,   0,  "county: admit and remove townships (the roster)" },
	{ "check",    cmd_check,    0,  "spot checks (抽查) and unannounced visits (暗访): add, list" },
	{ "code",     cmd_code,     0,  "code lists: synonyms offices type (county)" },
	{ "user",     cmd_user,     0,  "clerk accounts of the web console: add, list, unlock, remove" },
	{ "serve",    cmd_serve,    NEED_NODE_RO, "the web console for clerks and the county dashboard" },
	{ NULL, NULL, 0, NULL },
};

static void
s_usage(FILE *f)
{
	fprintf(f,
	    "usage: lika [--data DIR] [-v] COMMAND [ARGS]\n"
	    "\n"
	    "The archive of poverty-household files (建档立卡) of one township or county node.\n"
	    "\n"
	    "options:\n"
	    "  --data DIR   node directory (default: $LIKA_DATA, then /var/lib/lika)\n"
	    "  -v           more diagnostics\n"
	    "  -h, --help   this help; \"lika COMMAND --help\" for a command\n"
	    "\n"
	    "commands:\n");
	for (const struct tool_command *c = s_commands; c->name; c++)
		if (c->summary)
			fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nexit status: 0 success, 1 failure, 2 bad usage or input (nothing written)\n");
}

int
tool_fail(int status, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lika %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int
tool_open(struct node *n, int flags)
{
	char err[ERRBUF_SIZE];

	if (node_open(n, tool_data_dir, flags, rules_attach, err, sizeof err) < 0) {
		fprintf(stderr, "lika: %s\n", err);
		return -1;
	}
	if (tool_stamp)
		ledger_set_stamp(n->ledger, tool_stamp, tool_stamp_arg);
	return 0;
}

void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

int
tool_out_open(struct tool_out *o, const char *path, int gb18030, int force, const char *cmd)
{
	char err[ERRBUF_SIZE];

	memset(o, 0, sizeof *o);
	o->file.fd = -1;
	o->path = path;
	o->gb18030 = gb18030;
	if (!path) {
		o->target = stdout;
	} else {
		if (outfile_open(&o->file, path, TOOL_OUT_MODE, force ? OUTFILE_FORCE : 0,
		    err, sizeof err) < 0) {
			tool_fail(EXIT_FAIL, cmd, "%s", err);
			return -1;
		}
		if (!(o->target = fdopen(o->file.fd, "w"))) {
			tool_fail(EXIT_FAIL, cmd, "%s: %s", path, strerror(errno));
			outfile_abort(&o->file);
			return -1;
		}
	}
	o->f = gb18030 ? open_memstream(&o->buf, &o->len) : o->target;
	if (!o->f) {
		tool_fail(EXIT_FAIL, cmd, "memory stream: %s", strerror(errno));
		if (path) {
			fclose(o->target);
			o->file.fd = -1;
			outfile_abort(&o->file);
		}
		return -1;
	}
	return 0;
}

int
tool_out_close(struct tool_out *o, int rc, const char *cmd)
{
	char err[ERRBUF_SIZE];
	const char *name = o->path ? o->path : "stdout";

	if (o->gb18030) {
		char *gb = NULL;
		size_t len = 0;
		if (fclose(o->f) != 0) {
			tool_fail(EXIT_FAIL, cmd, "memory stream: %s", strerror(errno));
			rc = EXIT_FAIL;
		} else if (rc == EXIT_OK && csv_to_gb18030(o->buf, o->len, &gb, &len, err, sizeof err) < 0) {
			tool_fail(EXIT_FAIL, cmd, "%s", err);
			rc = EXIT_FAIL;
		} else if (rc == EXIT_OK && fwrite(gb, 1, len, o->target) != len) {
			tool_fail(EXIT_FAIL, cmd, "%s: %s", name, strerror(errno));
			rc = EXIT_FAIL;
		}
		free(gb);
		free(o->buf);
	}
	if (!o->path) {
		if (fflush(stdout) != 0 && rc == EXIT_OK)
			rc = tool_fail(EXIT_FAIL, cmd, "stdout: %s", strerror(errno));
		return rc;
	}
	/* the stream's bytes reach the file before it is synced and renamed */
	if (fflush(o->target) != 0 && rc == EXIT_OK)
		rc = tool_fail(EXIT_FAIL, cmd, "%s: %s (not written)", name, strerror(errno));
	if (rc == EXIT_OK && fsync(o->file.fd) != 0)
		rc = tool_fail(EXIT_FAIL, cmd, "%s: %s (not written)", name, strerror(errno));
	if (fclose(o->target) != 0 && rc == EXIT_OK)
		rc = tool_fail(EXIT_FAIL, cmd, "%s: %s (not written)", name, strerror(errno));
	o->file.fd = -1;        /* closed with the stream */
	if (rc != EXIT_OK)
		outfile_abort(&o->file);
	else if (outfile_commit(&o->file, err, sizeof err) < 0)
		rc = tool_fail(EXIT_FAIL, cmd, "%s", err);
	return rc;
}

void
html_str(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

const char *
col_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? t : "";
}

/* Is this "CMD --help" or "CMD -h"?  Help runs without a node. */
static int
s_wants_help(int argc, char **argv)
{
	return argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

/* Run C, named CMD in messages, with the node its flags ask for; its exit status. */
static int
s_run(const char *cmd, const struct tool_command *c, int argc, char **argv)
{
	struct node n;
	int rc;

	optind = 0;     /* reset getopt for the command's own options */
	if (!(c->flags & (NEED_NODE_RO | NEED_NODE_RW | COUNTY_ONLY | TOWNSHIP_ONLY | PROVINCE_ONLY)) ||
	    s_wants_help(argc, argv))
		return c->run(NULL, argc, argv);
	if (tool_open(&n, c->flags & NEED_NODE_RW ? 0 : NODE_READONLY) < 0)
		return EXIT_FAIL;
	int want = c->flags & (COUNTY_ONLY | TOWNSHIP_ONLY | PROVINCE_ONLY);
	int have = n.conf.role == ROLE_COUNTY ? COUNTY_ONLY : n.conf.role == ROLE_TOWNSHIP ?
	    TOWNSHIP_ONLY : PROVINCE_ONLY;
	if (want && !(want & have))
		rc = tool_fail(EXIT_USAGE, cmd, "runs at %s", want == TOWNSHIP_ONLY ? "a township node" :
		    want == COUNTY_ONLY ? "the county node" : want == PROVINCE_ONLY ? "the province node" :
		    "the county or province node");
	else
		rc = c->run(&n, argc, argv);
	node_close(&n);
	return rc;
}

/* Start the list of subcommands of "lika CMD" (to stderr when CMD came alone). */
static FILE *
s_list_start(const char *cmd, int argc)
{
	FILE *f = argc < 2 ? stderr : stdout;

	fprintf(f, "usage: lika %s SUBCOMMAND [ARGS]\n\nsubcommands:\n", cmd);
	return f;
}

int
tool_subcommand(const char *cmd, const struct tool_command *table, int argc, char **argv)
{
	const struct tool_command *c;
	char name[128];

	if (argc < 2 || s_wants_help(argc, argv)) {
		FILE *f = s_list_start(cmd, argc);
		for (c = table; c->name; c++)
			fprintf(f, "  %-16s %s\n", c->name, c->summary);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (c = table; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0) {
			snprintf(name, sizeof name, "%s %s", cmd, c->name);
			return s_run(name, c, argc - 1, argv + 1);
		}
	return tool_fail(EXIT_USAGE, cmd, "unknown subcommand \"%s\" (see \"lika %s --help\")",
	    argv[1], cmd);
}

int
tool_command(int argc, char **argv)
{
	if (argc < 1)
		return EXIT_USAGE;
	for (const struct tool_command *c = s_commands; c->name; c++)
		if (strcmp(c->name, argv[0]) == 0)
			return s_run(c->name, c, argc, argv);
	fprintf(stderr, "lika: unknown command \"%s\" (see \"lika --help\")\n", argv[0]);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, verbose = 0;

	log_init("lika", 0);
	if ((tool_data_dir = getenv("LIKA_DATA")) == NULL || !*tool_data_dir)
		tool_data_dir = "/var/lib/lika";
	/* "+": stop at the command name; its options are its own */
	while ((ch = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			tool_data_dir = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			s_usage(stdout);
			return EXIT_OK;
		default:
			s_usage(stderr);
			return EXIT_USAGE;
		}
	}
	log_set_verbose(verbose);
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		s_usage(stderr);
		return EXIT_USAGE;
	}
	return tool_command(argc, argv);
}
