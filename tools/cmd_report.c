/*
 * cmd_report.c — `lika progress` (专项督查: where every village's or
 * township's households stand against the plan's schedule) and `lika report`
 * (the summary, 总结: counts by stage, cause and measure).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "proc.h"
#include "util.h"

/* The stage (labels.h: its key and words) household H is counted in. */
static enum label_stage
s_bucket(const struct procedure_state *h)
{
	if (!strcmp(h->status, STATUS_REMOVED))
		return STAGE_REMOVED;
	if (!strcmp(h->status, STATUS_EXITED))
		return STAGE_EXITED;
	if (h->round && !strcmp(h->procedure, "exit") && !h->complete && !h->rejected)
		return STAGE_EXITING;
	if (household_status_registered(h->status))
		return STAGE_REGISTERED;
	if (h->round == 0)
		return STAGE_NONE;
	if (h->rejected)
		return STAGE_REJECTED;
	if (h->last <= 3)
		return STAGE_VILLAGE;
	if (h->last == 4)
		return STAGE_NOTICE1;
	if (h->last <= 7)
		return STAGE_TOWNSHIP;
	return STAGE_COUNTY;
}

struct group {
	char code[CODE_MAX];
	char name[128];
	int n;
	int bucket[STAGE_COUNT];
	int notices_running, notices_overdue, late;
	int64_t quota;          /* -1: none */
	int quota_used;
	int measures, measures_done, no_measure;
};

/* Schedule date NAME of YEAR: the policy value or the plan's default MMDD. */
static void
s_schedule(sqlite3 *db, const char *name, int year, const char *mmdd, char out[11])
{
	char v[32];
	if (procedure_policy(db, "main", name, year, v, sizeof v, NULL) == 1 && date_day(v) >= 0)
		snprintf(out, 11, "%s", v);
	else
		snprintf(out, 11, "%04d-%s", year % 10000, mmdd);
}

/* Collect the groups (villages at a township, townships at the county); malloc'd. */
static int
s_collect(const struct node *n, const char *today, int year, struct group **out)
{
	sqlite3 *db = ledger_db(n->ledger);
	int county = n->conf.role == ROLE_COUNTY, ng = 0, cap = 0;
	struct group *g = NULL;
	sqlite3_stmt *st = NULL;
	char ident_end[11], files_end[11];

	s_schedule(db, "schedule_identify_end", year, "06-15", ident_end);
	s_schedule(db, "schedule_files_end", year, "06-30", files_end);
	*out = NULL;
	/* the groups themselves, so one without households shows too */
	if (county)
		sqlite3_prepare_v2(db, "SELECT id, coalesce(name, '') FROM roster_node WHERE "
		    "coalesce(removed, 0) = 0 AND instr(id, '/') = 0 UNION SELECT DISTINCT substr(id, 1, 9), '' FROM household "
		    "ORDER BY 1", -1, &st, NULL);
	else
		sqlite3_prepare_v2(db, "SELECT id, coalesce(name, '') FROM village ORDER BY id", -1, &st, NULL);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		if (ng && !strcmp(g[ng - 1].code, col_text(st, 0))) {
			if (*col_text(st, 1))
				snprintf(g[ng - 1].name, sizeof g[0].name, "%s", col_text(st, 1));
			continue;
		}
		if (ng == cap) {
			cap = cap ? 2 * cap : 16;
			struct group *ng2 = realloc(g, (size_t)cap * sizeof *g);
			if (!ng2) {
				free(g);
				sqlite3_finalize(st);
				return -1;
			}
			g = ng2;
		}
		memset(&g[ng], 0, sizeof g[ng]);
		snprintf(g[ng].code, sizeof g[ng].code, "%s", col_text(st, 0));
		snprintf(g[ng].name, sizeof g[ng].name, "%s", col_text(st, 1));
		char key[48];
		snprintf(key, sizeof key, "%s/%d", g[ng].code, year);
		g[ng].quota = proc_int(db, "SELECT households FROM quota WHERE id = ?1", key, -1);
		ng++;
	}
	sqlite3_finalize(st);

	sqlite3_prepare_v2(db, "SELECT id, village, (SELECT count(*) FROM measure m WHERE "
	    "m.household = h.id), (SELECT count(*) FROM measure m WHERE m.household = h.id AND "
	    "m.status = '" MEASURE_DONE "') FROM household h ORDER BY id", -1, &st, NULL);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		char code[CODE_MAX];
		snprintf(code, sizeof code, "%s", county ? col_text(st, 0) : col_text(st, 1));
		if (county)
			code[9] = '\0';
		int k;
		for (k = 0; k < ng && strcmp(g[k].code, code) != 0; k++)
			;
		if (k == ng)
			continue;
		struct procedure_state h;
		if (procedure_load(db, "main", col_text(st, 0), NULL, &h) != 1)
			continue;
		enum label_stage b = s_bucket(&h);
		g[k].n++;
		g[k].bucket[b]++;
		g[k].measures += sqlite3_column_int(st, 2);
		g[k].measures_done += sqlite3_column_int(st, 3);
		if (b == STAGE_REGISTERED && sqlite3_column_int(st, 2) == 0 && strcmp(today, files_end) > 0)
			g[k].no_measure++;
		/* a notice is running, or ended over 7 days ago with its next step still not done */
		const struct step_def *d = h.round ? procedure_step_no(h.procedure, h.last) : NULL;
		if (d && (d->flags & STEP_NOTICE) && !h.rejected && !h.complete) {
			long end = date_day(h.s[h.last].at) + h.s[h.last].days;
			long now = date_day(today);
			if (now < end)
				g[k].notices_running++;
			else if (now >= end + 7)
				g[k].notices_overdue++;
		}
		if ((b == STAGE_VILLAGE || b == STAGE_NOTICE1 || b == STAGE_TOWNSHIP) && strcmp(today, ident_end) > 0)
			g[k].late++;
		/* quota used: through township review this year, not rejected */
		if (h.round && !strcmp(h.procedure, "entry") && !h.rejected && h.s[6].present &&
		    !strcmp(h.s[6].decision, "pass") && proc_year(h.s[6].at) == year)
			g[k].quota_used++;
	}
	sqlite3_finalize(st);
	*out = g;
	return ng;
}

/* Options of "lika progress": 0 to go on, else an exit status + 1. */
static int
s_progress_opts(int argc, char **argv, int *json, int *year, const char *today)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "year", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ys = NULL;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': *json = 1; break;
		case 'y': ys = optarg; break;
		case 'h':
			printf("usage: lika progress [--json] [--year YYYY]\n\n"
			    "Where the households stand (专项督查): at a township per village, at the county\n"
			    "per township: households per stage, notices running and overdue (ended over\n"
			    "7 days ago, next step not done), quota used, measures, and who is behind the\n"
			    "plan's schedule (county policy schedule_*; defaults: identification ends\n"
			    "06-15, files and assistance 06-30, review 07-15).\n");
			return EXIT_OK + 1;
		default: return EXIT_USAGE + 1;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "progress", "unexpected argument \"%s\"", argv[optind]) + 1;
	*year = proc_year(today);
	if (ys) {
		if (!is_digits(ys, 4))
			return tool_fail(EXIT_USAGE, "progress", "--year \"%s\" is not a year", ys) + 1;
		*year = atoi(ys);
	}
	return 0;
}

/* The plan's schedule of a progress report: its four deadlines in YEAR. */
struct schedule {
	int year;
	char end[4][11];        /* preparation, identification, files, review */
};

static void
s_progress_json(const struct node *n, const char *today, const struct schedule *s, const char *per,
    const struct group *g, int ng)
{
	printf("{\"node\":\"%s\",\"today\":\"%s\",\"year\":%d,\"schedule\":{\"prep_end\":\"%s\","
	    "\"identify_end\":\"%s\",\"files_end\":\"%s\",\"review_end\":\"%s\"},\"%ss\":[",
	    n->conf.code, today, s->year, s->end[0], s->end[1], s->end[2], s->end[3], per);
	for (int i = 0; i < ng; i++) {
		printf("%s{\"code\":\"%s\",\"name\":", i ? "," : "", g[i].code);
		json_str(stdout, g[i].name);
		printf(",\"households\":%d,\"stages\":{", g[i].n);
		for (int b = 0; b < STAGE_COUNT; b++)
			printf("%s\"%s\":%d", b ? "," : "", label_stages[b].key, g[i].bucket[b]);
		printf("},\"notices_running\":%d,\"notices_overdue\":%d,\"behind_schedule\":%d,"
		    "\"quota\":", g[i].notices_running, g[i].notices_overdue, g[i].late);
		if (g[i].quota < 0)
			printf("null");
		else
			printf("%lld", (long long)g[i].quota);
		printf(",\"quota_used\":%d,\"measures\":%d,\"measures_done\":%d,"
		    "\"registered_without_measure\":%d}", g[i].quota_used, g[i].measures,
		    g[i].measures_done, g[i].no_measure);
	}
	printf("],\"measures_by_category\":{");
}

static void
s_progress_text(const struct node *n, const char *today, const struct schedule *s, const char *per,
    const struct group *g, int ng)
{
	int county_per = !strcmp(per, "township");

	printf("进度 %s  %s（统计日期 %s）\n", n->conf.code, n->conf.name, today);
	printf("%d年计划：准备至 %s，识别至 %s，建档帮扶至 %s，复审至 %s\n\n", s->year, s->end[0], s->end[1],
	    s->end[2], s->end[3]);
	proc_pad(stdout, county_per ? "乡镇代码" : "村代码", 12);
	printf(" ");
	proc_pad(stdout, county_per ? "乡镇" : "村名", 10);
	printf(" ");
	proc_pad_left(stdout, "户数", 6);
	for (int b = 0; b < STAGE_COUNT; b++) {
		printf(" ");
		proc_pad_left(stdout, label_stages[b].also, 6);
	}
	printf("  公示(中/逾期) 滞后 规模(已用/下达) 措施\n");
	for (int i = 0; i < ng; i++) {
		printf("%-12s ", g[i].code);
		proc_pad(stdout, g[i].name, 10);
		printf(" %6d", g[i].n);
		for (int b = 0; b < STAGE_COUNT; b++)
			printf(" %6d", g[i].bucket[b]);
		char q[32], nt[32];
		if (g[i].quota < 0)
			snprintf(q, sizeof q, "%d/-", g[i].quota_used);
		else
			snprintf(q, sizeof q, "%d/%lld", g[i].quota_used, (long long)g[i].quota);
		snprintf(nt, sizeof nt, "%d/%d", g[i].notices_running, g[i].notices_overdue);
		printf("  %13s %4d %15s %4d\n", nt, g[i].late, q, g[i].measures);
	}
	printf("\n帮扶措施按类别：");
}

/* The measures by category, closing the report. */
static void
s_progress_measures(sqlite3 *db, int json)
{
	sqlite3_stmt *st = NULL;
	int first = 1;

	sqlite3_prepare_v2(db, "SELECT category, count(*) FROM measure GROUP BY category ORDER BY category",
	    -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (json)
			printf("%s\"%s\":%d", first ? "" : ",", col_text(st, 0), sqlite3_column_int(st, 1));
		else
			printf("%s%s %d", first ? "" : "，", measure_category_label(col_text(st, 0)),
			    sqlite3_column_int(st, 1));
		first = 0;
	}
	sqlite3_finalize(st);
	printf(json ? "}}\n" : "\n");
}

int
report_progress(struct node *n, int argc, char **argv)
{
	struct schedule s;
	struct group *g;
	char today[11];
	int json = 0, rc;

	date_today(today);
	if ((rc = s_progress_opts(argc, argv, &json, &s.year, today)))
		return rc - 1;
	sqlite3 *db = ledger_db(n->ledger);
	s_schedule(db, "schedule_prep_end", s.year, "05-31", s.end[0]);
	s_schedule(db, "schedule_identify_end", s.year, "06-15", s.end[1]);
	s_schedule(db, "schedule_files_end", s.year, "06-30", s.end[2]);
	s_schedule(db, "schedule_review_end", s.year, "07-15", s.end[3]);
	int ng = s_collect(n, today, s.year, &g);
	if (ng < 0)
		return tool_fail(EXIT_FAIL, "progress", "out of memory");
	const char *per = n->conf.role == ROLE_COUNTY ? "township" : "village";
	if (json)
		s_progress_json(n, today, &s, per, g, ng);
	else
		s_progress_text(n, today, &s, per, g, ng);
	s_progress_measures(db, json);
	free(g);
	return EXIT_OK;
}

/* ---- the summary (总结) ---------------------------------------------------------- */

enum fmt { F_TEXT, F_HTML, F_CSV };

static FILE *s_out;     /* the report being written */

static void
s_csv_text(const char *s)
{
	if (strpbrk(s, ",\"\n")) {
		fputc('"', s_out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', s_out);
			fputc(*s, s_out);
		}
		fputc('"', s_out);
	} else {
		fputs(s, s_out);
	}
}

/* One section: a title and rows of (label, count[, extra]). */
static void
s_section(enum fmt f, const char *title)
{
	if (f == F_HTML)
		fprintf(s_out, "<h2>%s</h2>\n<table>\n", title);
	else if (f == F_TEXT)
		fprintf(s_out, "\n%s\n", title);
}

static void
s_row(enum fmt f, const char *section, const char *label, long long count, const char *extra)
{
	switch (f) {
	case F_HTML:
		fprintf(s_out, "<tr><td>");
		html_str(s_out, label);
		fprintf(s_out, "</td><td class=\"n\">%lld</td><td>", count);
		html_str(s_out, extra ? extra : "");
		fprintf(s_out, "</td></tr>\n");
		break;
	case F_CSV:
		s_csv_text(section);
		fputc(',', s_out);
		s_csv_text(label);
		fprintf(s_out, ",%lld,", count);
		s_csv_text(extra ? extra : "");
		fprintf(s_out, "\r\n");
		break;
	default:
		fputs("  ", s_out);
		proc_pad(s_out, label, 24);
		fprintf(s_out, " %6lld%s%s\n", count, extra && *extra ? "  " : "", extra ? extra : "");
	}
}

static void
s_section_end(enum fmt f)
{
	if (f == F_HTML)
		fprintf(s_out, "</table>\n");
}

/* Options of "lika report": 0 to go on, else an exit status + 1. */
static int
s_report_opts(int argc, char **argv, enum fmt *f, int *gb18030, const char **out, int *force)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (!strcmp(optarg, "html"))
				*f = F_HTML;
			else if (!strcmp(optarg, "csv"))
				*f = F_CSV;
			else if (!strcmp(optarg, "text"))
				*f = F_TEXT;
			else
				return tool_fail(EXIT_USAGE, "report", "--format \"%s\" is none of text, html, csv",
				    optarg) + 1;
			break;
		case 'e':
			if (!strcmp(optarg, "gb18030"))
				*gb18030 = 1;
			else if (strcmp(optarg, "utf-8") != 0)
				return tool_fail(EXIT_USAGE, "report", "--encoding \"%s\" is neither utf-8 nor "
				    "gb18030", optarg) + 1;
			break;
		case 'o': *out = optarg; break;
		case 'F': *force = 1; break;
		case 'h':
			printf("usage: lika report [--format text|html|csv] [--encoding utf-8|gb18030] "
			    "[-o|--out FILE [--force]]\n\n"
			    "The summary (扶贫对象建档立卡工作总结) of this node's archive: households by\n"
			    "stage, registered households by main poverty cause, assistance measures by\n"
			    "category with funds, helpers, and half-year review decisions.  HTML prints on\n"
			    "A4; CSV is UTF-8 with BOM (or GB18030) for spreadsheets.  -o FILE is\n"
			    "replaced whole (mode 0600); a symbolic link there is refused unless --force.\n");
			return EXIT_OK + 1;
		default: return EXIT_USAGE + 1;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "report", "unexpected argument \"%s\"", argv[optind]) + 1;
	if (*gb18030 && *f != F_CSV)
		return tool_fail(EXIT_USAGE, "report", "--encoding gb18030 is for --format csv") + 1;
	return 0;
}

/* The households of DB per stage into COUNTS; returns their number. */
static int
s_count_stages(sqlite3 *db, int counts[STAGE_COUNT])
{
	sqlite3_stmt *st = NULL;
	int total = 0;

	sqlite3_prepare_v2(db, "SELECT id FROM household ORDER BY id", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct procedure_state h;
		if (procedure_load(db, "main", col_text(st, 0), NULL, &h) == 1) {
			counts[s_bucket(&h)]++;
			total++;
		}
	}
	sqlite3_finalize(st);
	return total;
}

/* The report's title and date (a page head in HTML, the header row in CSV). */
static void
s_report_head(enum fmt f, const struct node *n, const char *today, int total, int gb18030)
{
	char title[256];

	snprintf(title, sizeof title, "%s（%s）扶贫对象建档立卡工作总结", n->conf.name, n->conf.code);
	if (f == F_HTML) {
		fprintf(s_out, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
		html_str(s_out, title);
		fprintf(s_out, "</title>\n<style>@page { size: A4; margin: 18mm; } body { font-family: serif; } "
		    "table { border-collapse: collapse; width: 100%%; margin-bottom: 6mm; } td, th { border: "
		    "1px solid #000; padding: 2px 6px; } td.n { text-align: right; }</style>\n</head>\n"
		    "<body>\n<h1>");
		html_str(s_out, title);
		fprintf(s_out, "</h1>\n<p>统计日期：%s　户数合计：%d</p>\n", today, total);
	} else if (f == F_CSV) {
		fprintf(s_out, "%s分类,项目,数量,说明\r\n", gb18030 ? "" : "\xEF\xBB\xBF");
	} else {
		fprintf(s_out, "%s\n统计日期：%s　户数合计：%d\n", title, today, total);
	}
}

/* Sections 二 and 三: registered households by main cause, measures by category. */
static void
s_report_causes_measures(enum fmt f, sqlite3 *db)
{
	sqlite3_stmt *st = NULL;

	s_section(f, "二、已建档立卡户按主要致贫原因");
	sqlite3_prepare_v2(db, "SELECT coalesce(k.name, c.cause), count(*) FROM household h JOIN "
	    "household_cause c ON c.household = h.id AND c.main = 1 LEFT JOIN code_cause k ON k.id = c.cause "
	    "WHERE h.status IN (" STATUS_ON_REGISTER_SQL ") GROUP BY c.cause ORDER BY c.cause", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		s_row(f, "按致贫原因", col_text(st, 0), sqlite3_column_int(st, 1), NULL);
	sqlite3_finalize(st);
	s_section_end(f);

	s_section(f, "三、帮扶措施按类别");
	sqlite3_prepare_v2(db, "SELECT category, count(*), sum(funds), sum(status = '" MEASURE_DONE "') FROM measure "
	    "GROUP BY category ORDER BY category", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char extra[96], yuan[32];
		money_format_yuan(yuan, sizeof yuan, sqlite3_column_int64(st, 2));
		snprintf(extra, sizeof extra, "资金 %s 元，已完成 %d", yuan, sqlite3_column_int(st, 3));
		s_row(f, "按帮扶措施", measure_category_label(col_text(st, 0)), sqlite3_column_int(st, 1), extra);
	}
	sqlite3_finalize(st);
	s_section_end(f);
}

/* Section 四: helpers and the half-year review's decisions. */
static void
s_report_helpers(enum fmt f, sqlite3 *db)
{
	sqlite3_stmt *st = NULL;

	s_section(f, "四、结对帮扶与动态管理");
	s_row(f, "结对帮扶", "在帮帮扶责任人", proc_int(db, "SELECT count(*) FROM helper WHERE \"end\" IS NULL",
	    NULL, 0), NULL);
	s_row(f, "结对帮扶", "结对帮扶户", proc_int(db, "SELECT count(DISTINCT household) FROM helper "
	    "WHERE \"end\" IS NULL", NULL, 0), NULL);
	sqlite3_prepare_v2(db, "SELECT decision, count(*) FROM half_year GROUP BY decision ORDER BY "
	    "decision", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = col_text(st, 0);
		char label[96];
		snprintf(label, sizeof label, "半年审核：%s", label_zh(label_half_year, d));
		s_row(f, "动态管理", label, sqlite3_column_int(st, 1), f == F_CSV ? d : NULL);
	}
	sqlite3_finalize(st);
	s_section_end(f);
}

/* Section 五: spot checks (抽查暗访) by kind, the households they named, those with a follow-up. */
static void
s_report_checks(enum fmt f, sqlite3 *db)
{
	s_section(f, "五、抽查暗访");
	s_row(f, "抽查暗访", "抽查", proc_int(db, "SELECT count(*) FROM spot_check WHERE kind = 'spot'",
	    NULL, 0), "spot");
	s_row(f, "抽查暗访", "暗访", proc_int(db, "SELECT count(*) FROM spot_check WHERE kind = "
	    "'unannounced'", NULL, 0), "unannounced");
	s_row(f, "抽查暗访", "被抽查户次", proc_int(db, "SELECT coalesce(sum(length(households) - "
	    "length(replace(households, ',', '')) + 1), 0) FROM spot_check", NULL, 0), "households");
	s_row(f, "抽查暗访", "需整改", proc_int(db, "SELECT count(*) FROM spot_check WHERE "
	    "coalesce(follow_up, '') <> ''", NULL, 0), "follow_up");
	s_section_end(f);
}

int
report_summary(struct node *n, int argc, char **argv)
{
	enum fmt f = F_TEXT;
	int gb18030 = 0, force = 0, rc, counts[STAGE_COUNT] = { 0 };
	const char *out = NULL;
	char today[11];
	struct tool_out o;

	if ((rc = s_report_opts(argc, argv, &f, &gb18030, &out, &force)))
		return rc - 1;
	date_today(today);
	if (tool_out_open(&o, out, gb18030, force, "report") < 0)
		return EXIT_FAIL;
	s_out = o.f;
	sqlite3 *db = ledger_db(n->ledger);
	int total = s_count_stages(db, counts);
	s_report_head(f, n, today, total, gb18030);
	s_section(f, "一、按阶段");
	for (int b = 0; b < STAGE_COUNT; b++)
		s_row(f, "按阶段", label_stages[b].zh, counts[b], f == F_CSV ? label_stages[b].key : NULL);
	s_section_end(f);
	s_report_causes_measures(f, db);
	s_report_helpers(f, db);
	s_report_checks(f, db);
	if (f == F_HTML)
		fprintf(s_out, "</body>\n</html>\n");
	return tool_out_close(&o, EXIT_OK, "report");
}
