/*
 * cmd_docs.c — the documents offices print and file:
 * `lika card` 户卡 household card, `lika register` 村册 village register,
 * `lika book` 乡镇簿 township book, `lika archive` 县电子档案 county archive.
 *
 * Each is HTML that prints on A4 (print CSS, every value escaped) or CSV in
 * UTF-8 with BOM for Excel.  They read whatever rows the node holds, so the
 * county's archive covers every township that has sent its feed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "household.h"
#include "lika.h"
#include "util.h"
#include "village.h"

/* ---- a document: HTML or CSV, written through one small interface ----------------- */

struct doc {
	FILE *f;
	int csv;
	int in_table;
	int cols;
	int landscape;      /* wide tables (register, book) print across the page */
	struct tool_out out;
};

static void
s_doc_begin(struct doc *d, const char *title)
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
	fputs(d->landscape ? "@page { size: A4 landscape; margin: 12mm; }\n" :
	    "@page { size: A4; margin: 15mm 12mm; }\n", d->f);
	fputs("body { font-family: \"SimSun\", \"Songti SC\", \"Noto Serif CJK SC\", serif; font-size: 10.5pt; color: #000; }\n"
	    "h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }\n"
	    "h2 { font-size: 12pt; margin: 5mm 0 2mm; page-break-after: avoid; }\n"
	    "p.sub { text-align: center; margin: 0 0 4mm; }\n"
	    "table { border-collapse: collapse; width: 100%; page-break-inside: auto; }\n"
	    "th, td { border: 0.3mm solid #000; padding: 1mm 1.5mm; vertical-align: top; }\n"
	    "th { background: #eee; font-weight: bold; }\n"
	    "tr { page-break-inside: avoid; }\n"
	    "thead { display: table-header-group; }\n"
	    "tr.total td { font-weight: bold; }\n"
	    "td.n { text-align: right; }\n"
	    "table.wide { font-size: 8.5pt; }\n"
	    "table.wide td { white-space: nowrap; }\n"
	    "section.village { page-break-before: always; }\n"
	    "section.village:first-of-type { page-break-before: auto; }\n"
	    "@media print { .noprint { display: none; } }\n"
	    "</style>\n</head>\n<body>\n<h1>", d->f);
	html_str(d->f, title);
	fputs("</h1>\n", d->f);
}

static void
s_doc_para(struct doc *d, const char *text)
{
	if (d->csv) {
		csv_write_field_excel(d->f, text);
		fputs("\r\n", d->f);
		return;
	}
	fputs("<p class=\"sub\">", d->f);
	html_str(d->f, text);
	fputs("</p>\n", d->f);
}

static void
s_doc_heading(struct doc *d, const char *text)
{
	if (d->csv) {
		fputs("\r\n", d->f);
		csv_write_field_excel(d->f, text);
		fputs("\r\n", d->f);
		return;
	}
	fputs("<h2>", d->f);
	html_str(d->f, text);
	fputs("</h2>\n", d->f);
}

static void
s_doc_table(struct doc *d, const char *const *head, int n)
{
	d->cols = n;
	d->in_table = 1;
	if (d->csv) {
		for (int k = 0; k < n; k++) {
			if (k)
				fputc(',', d->f);
			csv_write_field_excel(d->f, head[k]);
		}
		fputs("\r\n", d->f);
		return;
	}
	/* many columns on a portrait page: a smaller type keeps an ID number on one line */
	fputs(n > 8 && !d->landscape ? "<table class=\"wide\">\n<thead><tr>" : "<table>\n<thead><tr>", d->f);
	for (int k = 0; k < n; k++) {
		fputs("<th>", d->f);
		html_str(d->f, head[k]);
		fputs("</th>", d->f);
	}
	fputs("</tr></thead>\n<tbody>\n", d->f);
}

/* A row of N cells; NUMERIC: a mask of right-aligned columns; TOTAL: a totals row. */
static void
s_doc_row(struct doc *d, const char *const *cells, int n, unsigned numeric, int total)
{
	if (d->csv) {
		for (int k = 0; k < n; k++) {
			if (k)
				fputc(',', d->f);
			csv_write_field_excel(d->f, cells[k]);
		}
		fputs("\r\n", d->f);
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

static void
s_doc_table_end(struct doc *d)
{
	d->in_table = 0;
	if (!d->csv)
		fputs("</tbody>\n</table>\n", d->f);
}

/* Label/value pairs, two pairs a row on paper (one a line in CSV). */
static void
s_doc_pairs(struct doc *d, const char *const *labels, const char *const *values, int n)
{
	if (d->csv) {
		for (int k = 0; k < n; k++) {
			csv_write_field_excel(d->f, labels[k]);
			fputc(',', d->f);
			csv_write_field_excel(d->f, values[k]);
			fputs("\r\n", d->f);
		}
		return;
	}
	fputs("<table class=\"pairs\">\n<tbody>\n", d->f);
	for (int k = 0; k < n; k += 2) {
		fputs("<tr>", d->f);
		for (int j = k; j < k + 2; j++) {
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

static void
s_doc_end(struct doc *d)
{
	if (!d->csv) {
		char when[32];
		time_format(when, sizeof when, now_ms());
		fputs("<p class=\"sub\">打印时间 ", d->f);
		html_str(d->f, when);
		fputs("</p>\n</body>\n</html>\n", d->f);
	}
}

/* ---- options shared by the four documents ------------------------------------------- */

struct doc_opts {
	const char *format;
	const char *out;
	int gb18030;
	int force;              /* --force: replace a symbolic link at -o FILE */
};

/* 0 to go on, else an exit status + 1. */
static int
s_doc_opts(int argc, char **argv, struct doc_opts *o, const char *usage)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *encoding = "utf-8";
	int ch;

	o->format = "html";
	o->out = NULL;
	o->force = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': o->format = optarg; break;
		case 'o': o->out = optarg; break;
		case 'e': encoding = optarg; break;
		case 'F': o->force = 1; break;
		case 'h':
			printf("%s\noptions:\n  --format html|csv  HTML for A4 printing (default) or CSV (UTF-8 with BOM)\n"
			    "  --encoding utf-8|gb18030  CSV in GB18030 for spreadsheets that want it\n"
			    "  -o FILE            write to FILE instead of standard output (mode 0600, replaced\n"
			    "                     whole: a temporary beside it is renamed over it)\n"
			    "  --force            replace a symbolic link at FILE (refused otherwise; the\n"
			    "                     link is replaced, the file it points to never written)\n", usage);
			return EXIT_OK + 1;
		default:
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

/* The options and the one argument (into ARG) of a document: 0 to go on, else an exit status + 1. */
static int
s_doc_opts_arg(int argc, char **argv, struct doc_opts *o, const char *usage, const char **arg)
{
	int rc;

	if ((rc = s_doc_opts(argc, argv, o, usage)))
		return rc;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE + 1;
	}
	*arg = argv[optind];
	return 0;
}

/* Open the rules' context on node N and the output. */
static int
s_doc_open(struct node *n, struct household_ctx *c, struct doc *d, const struct doc_opts *o,
    const char *cmd)
{
	char err[ERRBUF_SIZE];

	if (household_ctx_init(c, ledger_db(n->ledger), n->conf.code, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	memset(d, 0, sizeof *d);
	d->csv = strcmp(o->format, "csv") == 0;
	if (tool_out_open(&d->out, o->out, o->gb18030, o->force, cmd) < 0) {
		household_ctx_release(c);
		return EXIT_FAIL;
	}
	d->f = d->out.f;
	return EXIT_OK;
}

static int
s_doc_close(struct household_ctx *c, struct doc *d, int rc, const char *cmd)
{
	rc = tool_out_close(&d->out, rc, cmd);
	household_ctx_release(c);
	return rc;
}

/* The name of row ID of TABLE (village, roster_node) into OUT, "" if unknown. */
static void
s_name_of(sqlite3 *db, const char *table, const char *id, char *out, size_t len)
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

/* ---- 户卡 ------------------------------------------------------------------------- */

/* The card's file (基本情况, 致贫原因, 生产生活条件): the household's fields V in their order. */
static void
s_card_file(struct doc *d, const char *const *v, const char *id, const char *vname)
{
	static const struct { const char *heading; int from, to; } parts[] = {
		{ "基本情况", HF_VILLAGE, HF_FLAGS },
		{ "致贫原因", HF_MAIN_CAUSE, HF_CAUSE_NOTE },
		{ "生产生活条件", HF_FARMLAND, HF_ROAD_DISTANCE },
	};
	const char *labels[HF_COUNT], *values[HF_COUNT];
	char vbuf[VALUE_MAX], title[256];

	snprintf(title, sizeof title, "扶贫对象建档立卡户卡");
	s_doc_begin(d, title);
	snprintf(title, sizeof title, "户编号 %s　　%s %s", id, v[HF_VILLAGE], vname);
	s_doc_para(d, title);
	for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
		int k = 0;
		for (int f = parts[p].from; f <= parts[p].to; f++, k++) {
			labels[k] = household_fields[f].label;
			values[k] = v[f];
			if (f == HF_VILLAGE) {
				snprintf(vbuf, sizeof vbuf, "%s %s", v[f], vname);
				values[k] = vbuf;
			}
		}
		s_doc_heading(d, parts[p].heading);
		s_doc_pairs(d, labels, values, k);
	}
}

/* The card's 家庭成员: household ID's members and their number. */
static void
s_card_members(struct doc *d, const struct household_ctx *c, const char *id)
{
	static const int mcols[] = { MF_NO, MF_NAME, MF_IDCARD, MF_SEX, MF_RELATION, MF_ETHNICITY,
		MF_EDUCATION, MF_SCHOOLING, MF_HEALTH, MF_LABOUR, MF_MIGRANT, MF_MIGRANT_MONTHS, MF_INSURANCE };
	enum { NM = sizeof mcols / sizeof mcols[0] };
	const char *head[NM + 2], *cells[NM + 2];
	struct record_iter it;
	char err[ERRBUF_SIZE], count[64];
	int members = 0;

	for (int k = 0; k < NM; k++)
		head[k] = household_member_fields[mcols[k]].label;
	s_doc_heading(d, "家庭成员");
	s_doc_table(d, head, NM);
	if (household_iter_open(&it, c, RECORD_MEMBER, id, NULL, NULL, err, sizeof err) == 0) {
		while (household_iter_next(&it) == 1) {
			for (int k = 0; k < NM; k++)
				cells[k] = it.v[mcols[k]];
			s_doc_row(d, cells, NM, 1u << 11, 0);
			members++;
		}
		household_iter_close(&it);
	}
	s_doc_table_end(d);
	snprintf(count, sizeof count, "家庭人口 %d 人", members);
	s_doc_para(d, count);
}

/* The card's 年度收入: household ID's incomes by year. */
static void
s_card_incomes(struct doc *d, const struct household_ctx *c, const char *id)
{
	static const char *const ihead[] = { "年度", "工资性收入(元)", "生产经营性收入(元)", "财产性收入(元)",
		"转移性收入(元)", "生产经营性支出(元)", "家庭人口", "人均纯收入(元)" };
	struct record_iter it;
	char err[ERRBUF_SIZE];

	s_doc_heading(d, "年度收入");
	s_doc_table(d, ihead, 8);
	if (household_iter_open(&it, c, RECORD_INCOME, id, NULL, NULL, err, sizeof err) == 0) {
		while (household_iter_next(&it) == 1) {
			const char *row[8] = { it.v[IF_YEAR], it.v[IF_WAGES], it.v[IF_BUSINESS], it.v[IF_PROPERTY],
				it.v[IF_TRANSFERS], it.v[IF_COSTS], it.v[IF_SIZE], it.v[IF_COUNT] };
			s_doc_row(d, row, 8, 0xfe, 0);
		}
		household_iter_close(&it);
	}
	s_doc_table_end(d);
}

/*
 * 抽查暗访: the spot checks that named household ID (table spot_check), oldest
 * first; no section when there are none.  A section of its own, for any card.
 */
static void
s_card_checks(struct doc *d, sqlite3 *db, const char *id)
{
	static const char *const head[] = { "日期", "方式", "检查人", "发现问题", "整改要求" };
	sqlite3_stmt *st = NULL;
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT at, kind, by_name, findings, coalesce(follow_up, '') FROM "
	    "spot_check WHERE instr(',' || households || ',', ',' || ?1 || ',') > 0 ORDER BY at, id", -1,
	    &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row[5];
		for (int k = 0; k < 5; k++)
			row[k] = (const char *)sqlite3_column_text(st, k);
		const char *label = village_spot_kind_label(row[1] ? row[1] : "");
		row[1] = label ? label : row[1];
		if (!n++) {
			s_doc_heading(d, "抽查暗访");
			s_doc_table(d, head, 5);
		}
		s_doc_row(d, row, 5, 0, 0);
	}
	if (n)
		s_doc_table_end(d);
	sqlite3_finalize(st);
}

int
cmd_card(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika card HOUSEHOLD [--format html|csv] [-o FILE]\n\n"
	    "The household card (户卡) of one household: its file, members, causes,\n"
	    "conditions and incomes with the computed per-capita net income, and the\n"
	    "spot checks (抽查暗访) that named it.\n";
	struct doc_opts o;
	struct household_ctx c;
	struct record_iter it;
	struct doc d;
	char err[ERRBUF_SIZE], vname[128];
	int rc;

	const char *id;
	if ((rc = s_doc_opts_arg(argc, argv, &o, usage, &id)))
		return rc - 1;
	if ((rc = s_doc_open(n, &c, &d, &o, "card")) != EXIT_OK)
		return rc;
	if (household_iter_open(&it, &c, RECORD_HOUSEHOLD, id, NULL, NULL, err, sizeof err) < 0) {
		rc = tool_fail(EXIT_FAIL, "card", "%s", err);
		return s_doc_close(&c, &d, rc, "card");
	}
	if (household_iter_next(&it) != 1) {
		household_iter_close(&it);
		rc = tool_fail(EXIT_USAGE, "card", "household \"%s\" is not in this archive", id);
		return s_doc_close(&c, &d, rc, "card");
	}
	s_name_of(c.db, "village", it.v[HF_VILLAGE], vname, sizeof vname);
	s_card_file(&d, it.v, id, vname);
	household_iter_close(&it);
	s_card_members(&d, &c, id);
	s_card_incomes(&d, &c, id);
	s_card_checks(&d, c.db, id);
	s_doc_para(&d, "人均纯收入 = (工资性收入 + 生产经营性收入 + 财产性收入 + 转移性收入 − 生产经营性支出) ÷ 家庭人口");
	s_doc_end(&d);
	return s_doc_close(&c, &d, EXIT_OK, "card");
}

/* ---- 村册 and 乡镇簿: a table of households per village ------------------------------ */

static const char s_roll_sql[] =
    "SELECT h.id, m.name, m.idcard, (SELECT count(*) FROM member WHERE household = h.id),"
    " h.attribute, (SELECT cause FROM household_cause WHERE household = h.id AND main = 1),"
    " h.status, i.year, i.net_per_capita"
    " FROM household h"
    " LEFT JOIN member m ON m.id = (SELECT min(id) FROM member WHERE household = h.id AND relation = '"
    RELATION_HEAD "')"
    " LEFT JOIN income i ON i.id = (SELECT max(id) FROM income WHERE household = h.id)"
    " WHERE h.village = ?1 ORDER BY h.id";

struct totals {
	int64_t households, people, registered, exited;
};

/* The households of VILLAGE as a table with a totals row; adds to T. */
static int
s_village_roll(struct doc *d, const struct household_ctx *c, const char *village, struct totals *t)
{
	static const char *const head[] = { "序号", "户编号", "户主姓名", "户主身份证号", "家庭人口",
		"贫困户属性", "主要致贫原因", "状态", "收入年度", "人均纯收入(元)" };
	sqlite3_stmt *st;
	struct totals v = { 0, 0, 0, 0 };
	int rc;

	if (sqlite3_prepare_v2(c->db, s_roll_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, village, -1, SQLITE_STATIC);
	s_doc_table(d, head, 10);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char no[16], size[16], year[16] = "", net[32] = "";
		const char *cell[10];
		int64_t people = sqlite3_column_int64(st, 3);
		const char *status = (const char *)sqlite3_column_text(st, 6);
		v.households++;
		v.people += people;
		if (household_status_registered(status))
			v.registered++;
		if (status && !strcmp(status, STATUS_EXITED))
			v.exited++;
		snprintf(no, sizeof no, "%" PRId64, v.households);
		snprintf(size, sizeof size, "%" PRId64, people);
		if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
			snprintf(year, sizeof year, "%d", sqlite3_column_int(st, 7));
			household_format_hundredths(net, sizeof net, sqlite3_column_int64(st, 8));
		}
		cell[0] = no;
		cell[1] = (const char *)sqlite3_column_text(st, 0);
		cell[2] = sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "";
		cell[3] = sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "";
		cell[4] = size;
		cell[5] = household_code_name(c, "code_attribute", (const char *)sqlite3_column_text(st, 4));
		cell[6] = household_code_name(c, "code_cause", (const char *)sqlite3_column_text(st, 5));
		cell[7] = household_code_name(c, "code_status", status);
		cell[8] = year;
		cell[9] = net;
		s_doc_row(d, cell, 10, 1u << 0 | 1u << 4 | 1u << 9, 0);
	}
	sqlite3_finalize(st);
	char hh[32], pp[32];
	snprintf(hh, sizeof hh, "%" PRId64 " 户", v.households);
	snprintf(pp, sizeof pp, "%" PRId64, v.people);
	const char *total[10] = { "合计", hh, "", "", pp, "", "", "", "", "" };
	s_doc_row(d, total, 10, 1u << 4, 1);
	s_doc_table_end(d);
	t->households += v.households;
	t->people += v.people;
	t->registered += v.registered;
	t->exited += v.exited;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
cmd_register(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika register VILLAGE [--format html|csv] [-o FILE]\n\n"
	    "The village register (村册): every household of the village with its head,\n"
	    "size, attribute, main cause, status and latest per-capita net income.\n";
	struct doc_opts o;
	struct household_ctx c;
	struct totals t = { 0, 0, 0, 0 };
	struct doc d;
	char err[ERRBUF_SIZE], title[256], vname[128];
	int rc;

	const char *village;
	if ((rc = s_doc_opts_arg(argc, argv, &o, usage, &village)))
		return rc - 1;
	if (code_check_village(village, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "register", "%s", err);
	if ((rc = s_doc_open(n, &c, &d, &o, "register")) != EXIT_OK)
		return rc;
	s_name_of(c.db, "village", village, vname, sizeof vname);
	if (!vname[0] && household_row_exists(&c, "village", village) != 1) {
		rc = tool_fail(EXIT_USAGE, "register", "village \"%s\" is not in this archive", village);
		return s_doc_close(&c, &d, rc, "register");
	}
	snprintf(title, sizeof title, "%s扶贫对象村册", vname);
	d.landscape = 1;
	s_doc_begin(&d, title);
	snprintf(title, sizeof title, "村代码 %s", village);
	s_doc_para(&d, title);
	rc = s_village_roll(&d, &c, village, &t) < 0 ? tool_fail(EXIT_FAIL, "register", "%s",
	    sqlite3_errmsg(c.db)) : EXIT_OK;
	s_doc_end(&d);
	return s_doc_close(&c, &d, rc, "register");
}

/* One summary row: name, households, people, registered, exited. */
static void
s_summary_row(struct doc *d, const char *code, const char *name, const struct totals *t, int total)
{
	char hh[32], pp[32], rr[32], ee[32];
	snprintf(hh, sizeof hh, "%" PRId64, t->households);
	snprintf(pp, sizeof pp, "%" PRId64, t->people);
	snprintf(rr, sizeof rr, "%" PRId64, t->registered);
	snprintf(ee, sizeof ee, "%" PRId64, t->exited);
	const char *cells[6] = { code, name, hh, pp, rr, ee };
	s_doc_row(d, cells, 6, 0x3c, total);
}

int
cmd_book(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika book [--format html|csv] [-o FILE]\n\n"
	    "The township book (乡镇簿): a summary by village with totals, then every\n"
	    "village's households (one village a page when printed).\n";
	static const char *const shead[] = { "村代码", "村名", "户数", "人数", "在册户数(已建档立卡、返贫)",
		"已脱贫户数" };
	struct doc_opts o;
	struct household_ctx c;
	struct totals all = { 0, 0, 0, 0 };
	struct doc d;
	sqlite3_stmt *st;
	char title[256];
	int rc;

	if ((rc = s_doc_opts(argc, argv, &o, usage)))
		return rc - 1;
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "book", "unexpected argument \"%s\"", argv[optind]);
	if ((rc = s_doc_open(n, &c, &d, &o, "book")) != EXIT_OK)
		return rc;
	snprintf(title, sizeof title, "%s扶贫对象乡镇簿", n->conf.name);
	d.landscape = 1;
	s_doc_begin(&d, title);
	snprintf(title, sizeof title, "乡镇代码 %s", n->conf.code);
	s_doc_para(&d, title);

	/* summary first, from the same counts the village tables give */
	static const char sum_sql[] =
	    "SELECT v.id, v.name, count(h.id),"
	    " (SELECT count(*) FROM member m JOIN household h2 ON h2.id = m.household WHERE h2.village = v.id),"
	    " sum(h.status IN (" STATUS_ON_REGISTER_SQL ")), sum(h.status = '" STATUS_EXITED "')"
	    " FROM village v LEFT JOIN household h ON h.village = v.id GROUP BY v.id ORDER BY v.id";
	s_doc_heading(&d, "汇总");
	s_doc_table(&d, shead, 6);
	if (sqlite3_prepare_v2(c.db, sum_sql, -1, &st, NULL) != SQLITE_OK) {
		rc = tool_fail(EXIT_FAIL, "book", "%s", sqlite3_errmsg(c.db));
		return s_doc_close(&c, &d, rc, "book");
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct totals t = { sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
			sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5) };
		s_summary_row(&d, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), &t, 0);
		all.households += t.households;
		all.people += t.people;
		all.registered += t.registered;
		all.exited += t.exited;
	}
	sqlite3_finalize(st);
	s_summary_row(&d, "合计", "", &all, 1);
	s_doc_table_end(&d);

	if (sqlite3_prepare_v2(c.db, "SELECT id, name FROM village ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		rc = tool_fail(EXIT_FAIL, "book", "%s", sqlite3_errmsg(c.db));
		return s_doc_close(&c, &d, rc, "book");
	}
	struct totals t = { 0, 0, 0, 0 };
	rc = EXIT_OK;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char heading[256];
		snprintf(heading, sizeof heading, "%s %s", (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
		if (!d.csv)
			fputs("<section class=\"village\">\n", d.f);
		s_doc_heading(&d, heading);
		if (s_village_roll(&d, &c, (const char *)sqlite3_column_text(st, 0), &t) < 0)
			rc = tool_fail(EXIT_FAIL, "book", "%s", sqlite3_errmsg(c.db));
		if (!d.csv)
			fputs("</section>\n", d.f);
	}
	sqlite3_finalize(st);
	s_doc_end(&d);
	return s_doc_close(&c, &d, rc, "book");
}

/* ---- 县电子档案 ------------------------------------------------------------------------ */

int
cmd_archive(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika archive [--format html|csv] [-o FILE]\n\n"
	    "The county's electronic archive (县电子档案): every township whose households\n"
	    "this node holds, with its households, people, registered and exited counts,\n"
	    "and the county totals.  Run at the county hub it covers every township that\n"
	    "has sent its feed.\n";
	static const char *const head[] = { "乡镇代码", "乡镇", "户数", "人数", "在册户数(已建档立卡、返贫)",
		"已脱贫户数" };
	static const char sql[] =
	    "SELECT substr(h.id, 1, 9) AS t, count(*),"
	    " sum((SELECT count(*) FROM member WHERE household = h.id)),"
	    " sum(h.status IN (" STATUS_ON_REGISTER_SQL ")), sum(h.status = '" STATUS_EXITED "')"
	    " FROM household h GROUP BY t ORDER BY t";
	struct doc_opts o;
	struct household_ctx c;
	struct totals all = { 0, 0, 0, 0 };
	struct doc d;
	sqlite3_stmt *st;
	char title[256], county[CODE_MAX];
	int rc;

	if ((rc = s_doc_opts(argc, argv, &o, usage)))
		return rc - 1;
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "archive", "unexpected argument \"%s\"", argv[optind]);
	if ((rc = s_doc_open(n, &c, &d, &o, "archive")) != EXIT_OK)
		return rc;
	snprintf(county, sizeof county, "%.6s", n->conf.code);
	snprintf(title, sizeof title, "%s扶贫对象电子档案", n->conf.role == ROLE_COUNTY ? n->conf.name : county);
	s_doc_begin(&d, title);
	snprintf(title, sizeof title, "县代码 %s", county);
	s_doc_para(&d, title);
	s_doc_table(&d, head, 6);
	if (sqlite3_prepare_v2(c.db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = tool_fail(EXIT_FAIL, "archive", "%s", sqlite3_errmsg(c.db));
		return s_doc_close(&c, &d, rc, "archive");
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		char name[128];
		struct totals t = { sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
			sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4) };
		/* a township's name is on the county's roster; this node's own from its config */
		s_name_of(c.db, "roster_node", code, name, sizeof name);
		if (!name[0] && strcmp(code, n->conf.code) == 0)
			snprintf(name, sizeof name, "%s", n->conf.name);
		s_summary_row(&d, code, name, &t, 0);
		all.households += t.households;
		all.people += t.people;
		all.registered += t.registered;
		all.exited += t.exited;
	}
	sqlite3_finalize(st);
	s_summary_row(&d, "合计", "", &all, 1);
	s_doc_table_end(&d);
	s_doc_end(&d);
	return s_doc_close(&c, &d, EXIT_OK, "archive");
}
