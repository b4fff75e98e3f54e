/*
 * doc.h — the documents offices print and file, written through one small
 * interface: HTML that prints on A4 (print CSS, every value escaped) or CSV
 * in UTF-8 with BOM (or GB18030) for spreadsheets.  cmd_docs.c (card,
 * register, book, archive) and cmd_notice.c (the notice lists) use it.
 */
#ifndef LIKA_DOC_H
#define LIKA_DOC_H

#include <stdio.h>

#include "household.h"
#include "lika.h"

struct doc {
	FILE *f;
	int csv;
	int cols;
	int landscape;          /* wide tables (register, book) print across the page */
	struct tool_out out;
};

/* The options every document takes. */
struct doc_opts {
	const char *format;
	const char *out;
	int gb18030;
	int force;              /* --force: replace a symbolic link at -o FILE */
};

/* Extra long options a document adds to the common ones (ended by { NULL }). */
struct doc_extra {
	const char *name;
	int has_arg;
	const char **value;     /* the argument, or "1" for a flag */
};

/*
 * Parse the common options (--format, -o/--out/--output, --encoding,
 * --force, --help) and EXTRA into O; 0 to go on (optind at the operands),
 * else an exit status + 1.  USAGE is printed for --help and errors.
 */
int doc_opts(int argc, char **argv, struct doc_opts *o, const struct doc_extra *extra,
    const char *usage);
/* Open the rules' context on node N and the output; EXIT_OK or prints why. */
int doc_open(struct node *n, struct household_ctx *c, struct doc *d, const struct doc_opts *o,
    const char *cmd);
/* Close the output (committing it on EXIT_OK) and the context; the exit status. */
int doc_close(struct household_ctx *c, struct doc *d, int rc, const char *cmd);

/* The page head: the print CSS (A4, portrait or d->landscape) and TITLE as h1. */
void doc_begin(struct doc *d, const char *title);
/* A title (h1) in a document already begun: a card after the archive's index. */
void doc_title(struct doc *d, const char *title);
/* A centred line under the title. */
void doc_para(struct doc *d, const char *text);
/* A paragraph of running text (a notice's wording). */
void doc_text(struct doc *d, const char *text);
/* A line at the right: who issues a notice, and when. */
void doc_issuer(struct doc *d, const char *text);
void doc_heading(struct doc *d, const char *text);
/* A heading under a heading (a register's groups within a village). */
void doc_subheading(struct doc *d, const char *text);
/* A table with header HEAD of N columns; CLASS (NULL: none) picks its CSS. */
void doc_table(struct doc *d, const char *const *head, int n, const char *cls);
/* A row of N cells; NUMERIC: a mask of right-aligned columns; TOTAL: a totals row. */
void doc_row(struct doc *d, const char *const *cells, int n, unsigned numeric, int total);
void doc_table_end(struct doc *d);
/* Label/value pairs, PER_ROW pairs a row on paper (one a line in CSV). */
void doc_pairs(struct doc *d, const char *const *labels, const char *const *values, int n, int per_row);
/* Signature and seal lines: LINES[k] is what signs ("村委会主任（签字）"), with a blank and a date. */
void doc_signatures(struct doc *d, const char *const *lines, int n);
/* A part that starts on a new page when printed (a card after an index); nothing in CSV. */
void doc_page_break(struct doc *d);
/* The print time, then the end of the page. */
void doc_end(struct doc *d);

/* The name of row ID of TABLE (village, roster_node) into OUT, "" if unknown. */
void doc_name_of(sqlite3 *db, const char *table, const char *id, char *out, size_t len);
/* The county's name (its config at the county; the roster or policy county_name at a township). */
void doc_county_name(const struct node *n, sqlite3 *db, char *out, size_t len);
/* Township TOWNSHIP's name (this node's config, else the county's roster), "" if unknown. */
void doc_township_name(const struct node *n, sqlite3 *db, const char *township, char *out, size_t len);

#endif
