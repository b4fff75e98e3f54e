/*
 * lika.h — what the lika tool's commands share: the data directory, opening
 * the node, exit statuses and the command table.
 */
#ifndef LIKA_TOOL_H
#define LIKA_TOOL_H

#include <stdio.h>

#include "node.h"

/* Exit statuses of every command. */
#define EXIT_OK     0
#define EXIT_FAIL   1       /* a runtime failure, or a check that did not hold */
#define EXIT_USAGE  2       /* bad options or bad input: nothing was written */

/* A command: ARGV[0] is the command's own name; returns an exit status. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* The node directory chosen with --data, $LIKA_DATA or the default. */
extern const char *tool_data_dir;

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
 * Output of a document or export: PATH (NULL: stdout), in UTF-8 or, with
 * GB18030 set, collected and converted when closed.  tool_out_close returns
 * 0 or -1 with the reason printed for CMD.
 */
struct tool_out {
	FILE *f;            /* write here */
	FILE *target;
	const char *path;
	int gb18030;
	char *buf;
	size_t len;
};
int tool_out_open(struct tool_out *o, const char *path, int gb18030, const char *cmd);
int tool_out_close(struct tool_out *o, const char *cmd);

/* Run a subcommand from TABLE by ARGV[1]; CMD names the parent for messages. */
int tool_dispatch(const char *cmd, const struct command *table, int argc, char **argv);

/* Commands (tools/cmd_*.c). */
int cmd_init(int argc, char **argv);
int cmd_whoami(int argc, char **argv);
int cmd_village(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_rebuild(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);
int cmd_duplicates(int argc, char **argv);
int cmd_roster(int argc, char **argv);
int cmd_household(int argc, char **argv);
int cmd_member(int argc, char **argv);
int cmd_income(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_card(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_book(int argc, char **argv);
int cmd_archive(int argc, char **argv);

#endif
