/*
 * lika.h — what the lika tool's commands share: the data directory, opening
 * the node, exit statuses and the command table.
 */
#ifndef LIKA_TOOL_H
#define LIKA_TOOL_H

#include <stdio.h>

#include "node.h"
#include "outfile.h"

/* Exit statuses of every command. */
#define EXIT_OK     0
#define EXIT_FAIL   1       /* a runtime failure, or a check that did not hold */
#define EXIT_USAGE  2       /* bad options or bad input: nothing was written */

/* What a command needs before it runs: the dispatcher opens and checks it. */
#define NEED_NODE_RO   0x01     /* open the node read-only: no secret key */
#define NEED_NODE_RW   0x02     /* open the node with its secret key, for writes */
#define COUNTY_ONLY    0x04     /* refuse (exit 2) unless this is the county node */
#define TOWNSHIP_ONLY  0x08     /* refuse (exit 2) unless this is a township node */
#define PROVINCE_ONLY  0x10     /* refuse (exit 2) unless this is the province node */

/*
 * A command: ARGV[0] is its own name; returns an exit status.  N is the node
 * FLAGS ask for (a role flag alone opens it read-only), opened, checked and
 * closed by the dispatcher: the command never closes it.  N is NULL when
 * FLAGS ask for nothing, and for "CMD --help" or
 * "CMD -h", which must work without a data directory (so a command parses its
 * options before it touches N).
 */
struct tool_command {
	const char *name;
	int (*run)(struct node *n, int argc, char **argv);
	int flags;
	const char *summary;        /* NULL: left out of the help */
};

/*
 * Run the subcommand ARGV[1] of TABLE with what its flags ask for; CMD names
 * the parent for messages ("village group").  Without ARGV[1] or with
 * --help, lists the subcommands.
 */
int tool_subcommand(const char *cmd, const struct tool_command *table, int argc, char **argv);


/* The node directory chosen with --data, $LIKA_DATA or the default. */
extern const char *tool_data_dir;

/*
 * Run command ARGV[0] of the top-level table (argv as after "lika [--data
 * DIR]") with what its flags ask for, as main does: the web console runs
 * lika's own commands this way.  Its exit status.
 */
int tool_command(int argc, char **argv);

/* Set on every node tool_open opens (ledger_set_stamp); NULL: none. */
extern ledger_stamp_fn tool_stamp;
extern void *tool_stamp_arg;

/* Open the node or print why and return -1 (FLAGS: NODE_READONLY). */
int tool_open(struct node *n, int flags);

/* Print "lika CMD: message" to stderr; return STATUS. */
int tool_fail(int status, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print a JSON string literal (quotes and escapes) to F. */
void json_str(FILE *f, const char *s);
/* Print S to F as HTML text (& < > " ' escaped); NULL prints nothing. */
void html_str(FILE *f, const char *s);
/* Column I of the current row as text, "" for NULL. */
const char *col_text(sqlite3_stmt *st, int i);

/*
 * Output of a document, export or report: PATH (NULL: stdout), in UTF-8 or,
 * with GB18030 set, collected and converted when closed.  A file is written
 * to a temporary beside PATH, mode 0600 (documents and exports hold personal
 * data: names, ID numbers, incomes), and renamed over PATH only when the
 * command succeeded (outfile.h); a symbolic link at PATH is refused unless
 * FORCE (then the link is replaced, never its target written).
 * tool_out_close takes the command's exit status RC so far: EXIT_OK commits
 * the file, anything else removes the temporary and leaves PATH as it was;
 * it returns RC, or EXIT_FAIL with the reason printed for CMD.
 */
struct tool_out {
	FILE *f;            /* write here */
	FILE *target;
	const char *path;
	int gb18030;
	char *buf;
	size_t len;
	struct outfile file;
};
#define TOOL_OUT_MODE 0600
int tool_out_open(struct tool_out *o, const char *path, int gb18030, int force, const char *cmd);
int tool_out_close(struct tool_out *o, int rc, const char *cmd);

/* Commands (tools/cmd_*.c); proc.h has those of the procedure. */
int cmd_init(struct node *n, int argc, char **argv);
int cmd_whoami(struct node *n, int argc, char **argv);
int cmd_village(struct node *n, int argc, char **argv);
int cmd_log(struct node *n, int argc, char **argv);
int cmd_verify(struct node *n, int argc, char **argv);
int cmd_rebuild(struct node *n, int argc, char **argv);
int cmd_status(struct node *n, int argc, char **argv);
int cmd_quarantine(struct node *n, int argc, char **argv);
int cmd_hold(struct node *n, int argc, char **argv);
int cmd_backup(struct node *n, int argc, char **argv);
int cmd_duplicates(struct node *n, int argc, char **argv);
int cmd_roster(struct node *n, int argc, char **argv);
int cmd_check(struct node *n, int argc, char **argv);
int cmd_code(struct node *n, int argc, char **argv);
int cmd_household(struct node *n, int argc, char **argv);
int cmd_member(struct node *n, int argc, char **argv);
int cmd_income(struct node *n, int argc, char **argv);
int cmd_import(struct node *n, int argc, char **argv);
int cmd_export(struct node *n, int argc, char **argv);
int cmd_card(struct node *n, int argc, char **argv);
int cmd_register(struct node *n, int argc, char **argv);
int cmd_book(struct node *n, int argc, char **argv);
int cmd_archive(struct node *n, int argc, char **argv);
int cmd_notice_list(struct node *n, int argc, char **argv);
int report_progress(struct node *n, int argc, char **argv);
int report_summary(struct node *n, int argc, char **argv);
int cmd_user(struct node *n, int argc, char **argv);
int cmd_serve(struct node *n, int argc, char **argv);

#endif
