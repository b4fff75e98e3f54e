/*
 * doc.c — writing the documents (doc.h): HTML for A4 or CSV for spreadsheets.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "doc.h"
#include "util.h"

/*
 * Print CSS.  Headers never wrap (a narrow column broke them one character a
 * line); cells of grid tables (members, incomes, lists) keep to one line, so
 * the columns are chosen to fit the page and the tests check nothing runs
 * over in Chromium.  Villages of a book follow each other without page breaks.
 */
static const char s_css[] =
    "body { font-family: \"Noto Serif CJK SC\", \"SimSun\", \"Songti SC\", serif; font-size: 9pt;"
    " color: #000; margin: 0; }\n"
    "h1 { font-size: 15pt; text-align: center; margin: 0 0 2mm; }\n"
    "h2 { font-size: 10.5pt; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }\n"
    "h3 { font-size: 9pt; margin: 2mm 0 1mm; break-after: avoid; page-break-after: avoid; }\n"
    "p.sub { text-align: center; margin: 0 0 2mm; }\n"
    "p.text { text-indent: 2em; margin: 1mm 0; line-height: 1.6; }\n"
    "table { border-collapse: collapse; width: 100%; margin-bottom: 1mm; }\n"
    "th, td { border: 0.25mm solid #000; padding: 0.5mm 1mm; vertical-align: top; }\n"
    "th { background: #eee; font-weight: bold; white-space: nowrap; }\n"
    "tr { break-inside: avoid; page-break-inside: avoid; }\n"
    "thead { display: table-header-group; }\n"
    "tr.total td { font-weight: bold; }\n"
    "td.n { text-align: right; }\n"
    "table.grid td { white-space: nowrap; }\n"
    "table.pairs th { text-align: left; width: 1%; }\n"
    "table.wide { font-size: 8pt; }\n"
    "table.members td:last-child { white-space: normal; }\n"
    "div.sign { display: flex; flex-wrap: wrap; margin: 5mm 0 2mm; break-inside: avoid;"
    " page-break-inside: avoid; }\n"
    "div.sign span { width: 50%; padding: 2.5mm 0; }\n"
    "div.pb { break-before: page; page-break-before: always; }\n"
    "p.printed { text-align: right; font-size: 8pt; margin: 2mm 0 0; }\n"
    "p.issuer { text-align: right; margin: 3mm 0 0; }\n"
    "@media print { .noprint { display: none; } }\n";

void
doc_begin(struct doc *d, const char *title)
{
	if (d->csv) {
		fputs("\xef\xbb\xbf", d->f);
		csv_write_field_excel(d->f, title);
		fputs("\r\n", d->f);
		return;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>", d->f);
	html_str(d->f, title);
	fputs("</title>\n<style>\n", d->f);
	fputs(d->landscape ? "@page { size: A4 landscape; margin: 10mm; }\n" :
	    "@page { size: A4; margin: 10mm 10mm 12mm; }\n", d->f);
	fputs(s_css, d->f);
	fputs("</style>\n</head>\n<body>\n<h1>", d->f);
	html_str(d->f, title);
	fputs("</h1>\n", d->f);
}

void
doc_title(struct doc *d, const char *title)
{
	if (d->csv) {
		fputs("\r\n", d->f);
		csv_write_field_excel(d->f, title);
		fputs("\r\n", d->f);
		return;
	}
	fputs("<h1>", d->f);
	html_str(d->f, title);
	fputs("</h1>\n", d->f);
}

static void
s_line(struct doc *d, const char *cls, const char *text)
{
	if (d->csv) {
		csv_write_field_excel(d->f, text);
		fputs("\r\n", d->f);
		return;
	}
	fprintf(d->f, "<p class=\"%s\">", cls);
	html_str(d->f, text);
	fputs("</p>\n", d->f);
}

void
doc_para(struct doc *d, const char *text)
{
	s_line(d, "sub", text);
}

void
doc_text(struct doc *d, const char *text)
{
	s_line(d, "text", text);
}

static void
s_heading(struct doc *d, const char *tag, const char *text)
{
	if (d->csv) {
		fputs("\r\n", d->f);
		csv_write_field_excel(d->f, text);
		fputs("\r\n", d->f);
		return;
	}
	fprintf(d->f, "<%s>", tag);
	html_str(d->f, text);
	fprintf(d->f, "</%s>\n", tag);
}

void
doc_issuer(struct doc *d, const char *text)
{
	s_line(d, "issuer", text);
}

void
doc_heading(struct doc *d, const char *text)
{
	s_heading(d, "h2", text);
}

void
doc_subheading(struct doc *d, const char *text)
{
	s_heading(d, "h3", text);
}

/* One CSV record of N fields. */
static void
s_csv_record(struct doc *d, const char *const *cells, int n)
{
	for (int k = 0; k < n; k++) {
		if (k)
			fputc(',', d->f);
		csv_write_field_excel(d->f, cells[k]);
	}
	fputs("\r\n", d->f);
}

void
doc_table(struct doc *d, const char *const *head, int n, const char *cls)
{
	d->cols = n;
	if (d->csv) {
		s_csv_record(d, head, n);
		return;
	}
	if (cls)
		fprintf(d->f, "<table class=\"%s\">\n<thead><tr>", cls);
	else
		fputs("<table>\n<thead><tr>", d->f);
	for (int k = 0; k < n; k++) {
		fputs("<th>", d->f);
		html_str(d->f, head[k]);
		fputs("</th>", d->f);
	}
	fputs("</tr></thead>\n<tbody>\n", d->f);
}

void
doc_row(struct doc *d, const char *const *cells, int n, unsigned numeric, int total)
{
	if (d->csv) {
		s_csv_record(d, cells, n);
		return;
	}
	fputs(total ? "<tr class=\"total\">" : "<tr>", d->f);
	for (int k = 0; k < n; k++) {
		fputs(numeric & (1u << k) ? "<td class=\"n\">" : "<td>", d->f);
		html_str(d->f, cells[k]);
		fputs("</td>", d->f);
	}
	fputs("</tr>\n", d->f);
}

void
doc_table_end(struct doc *d)
{
	if (!d->csv)
		fputs("</tbody>\n</table>\n", d->f);
}

void
doc_pairs(struct doc *d, const char *const *labels, const char *const *values, int n, int per_row)
{
	if (d->csv) {
		for (int k = 0; k < n; k++) {
			const char *rec[2] = { labels[k], values[k] };
			s_csv_record(d, rec, 2);
		}
		return;
	}
	fputs("<table class=\"pairs\">\n<tbody>\n", d->f);
	for (int k = 0; k < n; k += per_row) {
		fputs("<tr>", d->f);
		for (int j = k; j < k + per_row; j++) {
			fputs("<th>", d->f);
			if (j < n)
				html_str(d->f, labels[j]);
			fputs("</th><td>", d->f);
			if (j < n)
				html_str(d->f, values[j]);
			fputs("</td>", d->f);
		}
		fputs("</tr>\n", d->f);
	}
	fputs("</tbody>\n</table>\n", d->f);
}

void
doc_signatures(struct doc *d, const char *const *lines, int n)
{
	if (d->csv) {
		fputs("\r\n", d->f);
		for (int k = 0; k < n; k++) {
			const char *rec[3] = { lines[k], "", "年　月　日" };
			s_csv_record(d, rec, 3);
		}
		return;
	}
	fputs("<div class=\"sign\">\n", d->f);
	for (int k = 0; k < n; k++) {
		fputs("<span>", d->f);
		html_str(d->f, lines[k]);
		fputs("：＿＿＿＿＿＿＿＿　　年　月　日</span>\n", d->f);
	}
	fputs("</div>\n", d->f);
}

void
doc_page_break(struct doc *d)
{
	if (!d->csv)
		fputs("<div class=\"pb\"></div>\n", d->f);
}

void
doc_end(struct doc *d)
{
	if (!d->csv) {
		char when[32];
		time_format(when, sizeof when, now_ms());
		fputs("<p class=\"printed\">打印时间 ", d->f);
		html_str(d->f, when);
		fputs("</p>\n</body>\n</html>\n", d->f);
	}
}

/* ---- options, output ------------------------------------------------------------ */

int
doc_opts(int argc, char **argv, struct doc_opts *o, const struct doc_extra *extra,
    const char *usage)
{
	struct option opts[24] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "out", required_argument, NULL, 'o' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
	};
	const char *encoding = "utf-8";
	int nopts = 6, ch, idx;

	for (int k = 0; extra && extra[k].name && nopts < 23; k++, nopts++)
		opts[nopts] = (struct option){ extra[k].name, extra[k].has_arg, NULL, 1000 + k };
	opts[nopts] = (struct option){ NULL, 0, NULL, 0 };
	o->format = "html";
	o->out = NULL;
	o->force = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "ho:", opts, &idx)) != -1) {
		switch (ch) {
		case 'f': o->format = optarg; break;
		case 'o': o->out = optarg; break;
		case 'e': encoding = optarg; break;
		case 'F': o->force = 1; break;
		case 'h':
			printf("%s\noptions:\n  --format html|csv  HTML for A4 printing (default) or CSV (UTF-8 with BOM)\n"
			    "  --encoding utf-8|gb18030  CSV in GB18030 for spreadsheets that want it\n"
			    "  -o, --out FILE     write to FILE instead of standard output (mode 0600, replaced\n"
			    "                     whole: a temporary beside it is renamed over it)\n"
			    "  --force            replace a symbolic link at FILE (refused otherwise; the\n"
			    "                     link is replaced, the file it points to never written)\n", usage);
			return EXIT_OK + 1;
		default:
			if (ch >= 1000 && extra) {
				*extra[ch - 1000].value = optarg ? optarg : "1";
				break;
			}
			fprintf(stderr, "%s", usage);
			return EXIT_USAGE + 1;
		}
	}
	if (strcmp(o->format, "html") && strcmp(o->format, "csv")) {
		fprintf(stderr, "lika %s: format \"%s\" is neither html nor csv\n", argv[0], o->format);
		return EXIT_USAGE + 1;
	}
	o->gb18030 = !strcasecmp(encoding, "gb18030");
	if (!o->gb18030 && strcasecmp(encoding, "utf-8")) {
		fprintf(stderr, "lika %s: encoding \"%s\" is neither utf-8 nor gb18030\n", argv[0], encoding);
		return EXIT_USAGE + 1;
	}
	if (o->gb18030 && strcmp(o->format, "csv")) {
		fprintf(stderr, "lika %s: --encoding gb18030 is for --format csv (HTML is UTF-8)\n", argv[0]);
		return EXIT_USAGE + 1;
	}
	return 0;
}

int
doc_open(struct node *n, struct household_ctx *c, struct doc *d, const struct doc_opts *o,
    const char *cmd)
{
	char err[ERRBUF_SIZE];
	int landscape = d->landscape;

	if (household_ctx_init(c, ledger_db(n->ledger), n->conf.code, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	memset(d, 0, sizeof *d);
	d->landscape = landscape;
	d->csv = strcmp(o->format, "csv") == 0;
	if (tool_out_open(&d->out, o->out, o->gb18030, o->force, cmd) < 0) {
		household_ctx_release(c);
		return EXIT_FAIL;
	}
	d->f = d->out.f;
	return EXIT_OK;
}

int
doc_close(struct household_ctx *c, struct doc *d, int rc, const char *cmd)
{
	rc = tool_out_close(&d->out, rc, cmd);
	household_ctx_release(c);
	return rc;
}

void
doc_name_of(sqlite3 *db, const char *table, const char *id, char *out, size_t len)
{
	char sql[96];
	sqlite3_stmt *st;

	out[0] = '\0';
	snprintf(sql, sizeof sql, "SELECT name FROM %s WHERE id = ?1", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

void
doc_county_name(const struct node *n, sqlite3 *db, char *out, size_t len)
{
	char county[CODE_MAX];
	sqlite3_stmt *st;

	snprintf(county, sizeof county, "%.6s", n->conf.code);
	if (n->conf.role == ROLE_COUNTY) {
		snprintf(out, len, "%s", n->conf.name);
		return;
	}
	doc_name_of(db, "roster_node", county, out, len);
	if (out[0])
		return;
	/* a township learns its county's name from the county's policy county_name */
	if (sqlite3_prepare_v2(db, "SELECT value FROM policy WHERE name = 'county_name' ORDER BY year DESC "
	    "LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	if (!out[0])
		snprintf(out, len, "县%s", county);
}

void
doc_township_name(const struct node *n, sqlite3 *db, const char *township, char *out, size_t len)
{
	if (!strcmp(township, n->conf.code)) {
		snprintf(out, len, "%s", n->conf.name);
		return;
	}
	doc_name_of(db, "roster_node", township, out, len);
}
