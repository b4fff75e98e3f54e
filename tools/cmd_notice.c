/*
 * cmd_notice.c — `lika notice-list village|township|county`: the notice lists
 * (公示名单) of the three notices (三榜公示) that offices post, ready to sign,
 * seal and put up.
 *
 * A list carries exactly the households of one notice: those whose notice
 * step (村级公示 in the village, 乡镇公示 in the township, 县级公示 at the
 * county) was posted on that day in that village or township.  ID numbers
 * are masked but for the last four characters: a posted list is public.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "proc.h"
#include "util.h"

/* The three notices. */
struct notice_kind {
	const char *kind;       /* the command's word */
	const char *step;       /* the notice's step name */
	const char *table;      /* where its rows are */
	const char *ordinal;    /* 第一榜 … */
	const char *after;      /* what came before the notice, for its wording */
	const char *object_to;  /* where objections go unless --object-to */
	const char *issuer;     /* the issuing body, after the place's name */
	const char *sign[3];    /* signature and seal lines */
};

static const struct notice_kind s_kinds[] = {
	{ "village", "village_notice", "review_step", "第一榜", "农户申请、村民小组初评和村级民主评议",
	    "村民委员会或乡镇人民政府", "村民委员会",
	    { "村委会主任（签字）", "驻村干部（签字）", "村民委员会（盖章）" } },
	{ "township", "township_notice", "review_step", "第二榜", "村级评议公示和乡镇审核",
	    "乡镇人民政府", "人民政府", { "乡镇长（签字）", "乡镇人民政府（盖章）", NULL } },
	{ "county", "county_notice", "approval", "第三榜", "乡镇审核公示和县扶贫和移民办审批",
	    "县扶贫和移民办", "扶贫和移民办", { "县扶贫和移民办负责人（签字）", "县扶贫和移民办（盖章）", NULL } },
};

/* What one list is of. */
struct notice {
	const struct notice_kind *k;
	const char *scope;      /* village code, or township code ("" at the county: every township) */
	char date[11];          /* first day */
	int days;
	char place[160];        /* who posts it: the village, township or county by name */
	char body[160];         /* the issuing body's place: the village, township or county */
	const char *object_to, *phone;
};

/* "**************0014": all but the last four characters masked. */
static void
s_mask(char *out, size_t len, const char *idc)
{
	size_t n = strlen(idc), i;

	for (i = 0; i < n && i + 1 < len; i++)
		out[i] = i + 4 < n ? '*' : idc[i];
	out[i] = '\0';
}

/* SQL that picks the notice's rows: step, date (?2) and scope (?3, a prefix of the household id or a village). */
static char *
s_rows_sql(const struct notice *nt, const char *columns, const char *tail)
{
	return sqlite3_mprintf("SELECT %s FROM \"%w\" s JOIN household h ON h.id = s.household "
	    "WHERE s.step = ?1 AND s.at = ?2 AND %s %s", columns, nt->k->table,
	    strlen(nt->scope) == 12 ? "h.village = ?3" : "substr(h.id, 1, length(?3)) = ?3", tail);
}

static sqlite3_stmt *
s_prepare(sqlite3 *db, const struct notice *nt, const char *columns, const char *tail)
{
	char *sql = s_rows_sql(nt, columns, tail);
	sqlite3_stmt *st = NULL;

	if (sql)
		sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (st) {
		sqlite3_bind_text(st, 1, nt->k->step, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, nt->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, nt->scope, -1, SQLITE_STATIC);
	}
	return st;
}

/* The notice's day (the last posted, unless given) and length; 1, 0 if none, -1 on error. */
static int
s_notice_day(sqlite3 *db, struct notice *nt, const char *given)
{
	snprintf(nt->date, sizeof nt->date, "%s", given ? given : "");
	/* without a date: the latest notice day in scope (?2 is then unused but bound) */
	char *sql = sqlite3_mprintf("SELECT max(s.at), max(s.days) FROM \"%w\" s JOIN household h ON "
	    "h.id = s.household WHERE s.step = ?1 AND (?2 = '' OR s.at = ?2) AND %s", nt->k->table,
	    strlen(nt->scope) == 12 ? "h.village = ?3" : "substr(h.id, 1, length(?3)) = ?3");
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, nt->k->step, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, nt->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, nt->scope, -1, SQLITE_STATIC);
		rc = 0;
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			snprintf(nt->date, sizeof nt->date, "%s", (const char *)sqlite3_column_text(st, 0));
			nt->days = sqlite3_column_int(st, 1);
			rc = 1;
		}
	}
	sqlite3_free(sql);
	sqlite3_finalize(st);
	return rc;
}

/* The list itself: one row a household; the number of households and people into *HH, *PP. */
static int
s_notice_rows(struct doc *d, const struct household_ctx *c, const struct notice *nt, int *hh, int *pp)
{
	static const char *const head[] = { "序号", "村", "户主姓名", "身份证号（后四位）", "家庭人口",
		"人均纯收入(元)", "主要致贫原因", "村民小组（或住址）" };
	sqlite3_stmt *st = s_prepare(c->db, nt, "h.id, coalesce((SELECT name FROM village WHERE id = h.village), "
	    "h.village), (SELECT name FROM member WHERE household = h.id AND relation = '" RELATION_HEAD "' "
	    "ORDER BY id LIMIT 1), (SELECT idcard FROM member WHERE household = h.id AND relation = '"
	    RELATION_HEAD "' ORDER BY id LIMIT 1), (SELECT count(*) FROM member WHERE household = h.id), "
	    "(SELECT net_per_capita FROM income WHERE household = h.id ORDER BY year DESC LIMIT 1), "
	    "(SELECT cause FROM household_cause WHERE household = h.id AND main = 1), "
	    "coalesce((SELECT name FROM village_group g WHERE g.id = h.village || '/' || h.village_group), "
	    "h.address, '')",
	    "ORDER BY h.village, h.id");

	if (!st)
		return -1;
	doc_table(d, head, 8, "grid");
	*hh = *pp = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char no[16], size[16], net[32] = "", masked[32];
		const char *idc = (const char *)sqlite3_column_text(st, 3);
		snprintf(no, sizeof no, "%d", ++*hh);
		*pp += sqlite3_column_int(st, 4);
		snprintf(size, sizeof size, "%d", sqlite3_column_int(st, 4));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			household_format_hundredths(net, sizeof net, sqlite3_column_int64(st, 5));
		s_mask(masked, sizeof masked, idc ? idc : "");
		const char *name = (const char *)sqlite3_column_text(st, 2);
		const char *row[8] = { no, (const char *)sqlite3_column_text(st, 1), name ? name : "", masked,
			size, net, household_code_name(c, "code_cause", (const char *)sqlite3_column_text(st, 6)),
			(const char *)sqlite3_column_text(st, 7) };
		doc_row(d, row, 8, 1u | 1u << 4 | 1u << 5, 0);
	}
	sqlite3_finalize(st);
	char h[32], p[32];
	snprintf(h, sizeof h, "%d 户", *hh);
	snprintf(p, sizeof p, "%d", *pp);
	const char *total[8] = { "合计", "", h, "", p, "", "", "" };
	doc_row(d, total, 8, 1u << 4, 1);
	doc_table_end(d);
	return 0;
}

/* Title, wording, list, issuer, signatures. */
static int
s_notice_write(struct doc *d, const struct household_ctx *c, const struct notice *nt)
{
	char title[512], text[1024], last[11], phone[96] = "";
	int year = atoi(nt->date), hh, pp;

	date_format(last, date_day(nt->date) + nt->days - 1);
	snprintf(title, sizeof title, "%s%d年扶贫对象识别%s公示", nt->place, year, nt->k->ordinal);
	doc_begin(d, title);
	snprintf(text, sizeof text, "公示期：%s 至 %s（%d 天）", nt->date, last, nt->days);
	doc_para(d, text);
	if (nt->phone)
		snprintf(phone, sizeof phone, "（电话：%s）", nt->phone);
	/* the list first, the wording after it gives its totals */
	if (s_notice_rows(d, c, nt, &hh, &pp) < 0)
		return -1;
	snprintf(text, sizeof text, "经%s，拟将以上 %d 户 %d 人确定为%d年扶贫对象（建档立卡贫困户），现予公示。"
	    "公示期为 %s 至 %s。公示期间，任何单位和个人如有异议，可向%s实名反映%s；经调查核实后作出处理。",
	    nt->k->after, hh, pp, year, nt->date, last, nt->object_to, phone);
	doc_text(d, text);
	snprintf(text, sizeof text, "%s%s　%s", nt->body, nt->k->issuer, nt->date);
	doc_issuer(d, text);
	int nsign = nt->k->sign[2] ? 3 : 2;
	doc_signatures(d, nt->k->sign, nsign);
	doc_end(d);
	return 0;
}

/* KIND's scope into NT (village or township code; the county's own: every township); EXIT_OK or why. */
static int
s_notice_scope(struct node *n, sqlite3 *db, struct notice *nt, const char *code)
{
	char err[ERRBUF_SIZE], name[128];
	const char *cmd = "notice-list";

	if (!strcmp(nt->k->kind, "village")) {
		if (!code)
			return tool_fail(EXIT_USAGE, cmd, "a village notice list needs the VILLAGE code");
		if (code_check_village(code, err, sizeof err) < 0)
			return tool_fail(EXIT_USAGE, cmd, "%s", err);
		doc_name_of(db, "village", code, name, sizeof name);
		if (!name[0])
			return tool_fail(EXIT_USAGE, cmd, "village \"%s\" is not in this archive", code);
		snprintf(nt->place, sizeof nt->place, "%s", name);
		snprintf(nt->body, sizeof nt->body, "%s", name);
		nt->scope = code;
		return EXIT_OK;
	}
	if (!code && n->conf.role == ROLE_TOWNSHIP)
		code = n->conf.code;
	if (code && code_check_township(code, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, cmd, "%s", err);
	nt->scope = code ? code : "";
	char county[128], township[128] = "";
	doc_county_name(n, db, county, sizeof county);
	if (code) {
		doc_township_name(n, db, code, name, sizeof name);
		snprintf(township, sizeof township, "%s", name[0] ? name : code);
	}
	if (!strcmp(nt->k->kind, "township")) {
		/* the township posts its own list */
		snprintf(nt->place, sizeof nt->place, "%s", code ? township : county);
		snprintf(nt->body, sizeof nt->body, "%s", nt->place);
	} else {
		/* the county posts it, for one township or all */
		snprintf(nt->place, sizeof nt->place, "%s%s%s%s", county, code ? "（" : "", township,
		    code ? "）" : "");
		snprintf(nt->body, sizeof nt->body, "%s", county);
	}
	return EXIT_OK;
}

int
cmd_notice_list(struct node *n, int argc, char **argv)
{
	const char *usage =
	    "usage: lika notice-list village VILLAGE | township [TOWNSHIP] | county [TOWNSHIP]\n"
	    "                        [--date YYYY-MM-DD] [--object-to TEXT] [--phone PHONE]\n"
	    "                        [--format html|csv] [-o FILE]\n\n"
	    "The notice list (公示名单) of one of the three notices (三榜公示): the village's\n"
	    "first notice (村级公示), the township's second (乡镇公示), or the county's third\n"
	    "(县级公示, per township or, without TOWNSHIP, the whole county).  It lists every\n"
	    "household posted in that notice on its day (--date, else the latest) and no\n"
	    "other: head, ID number masked but for the last four characters, size,\n"
	    "per-capita income, main cause and address; then the notice period, where\n"
	    "objections go (--object-to, --phone), the issuing body and date, and\n"
	    "signature and seal lines.\n";
	const char *date = NULL, *object_to = NULL, *phone = NULL;
	const struct doc_extra extra[] = { { "date", 1, &date }, { "object-to", 1, &object_to },
		{ "phone", 1, &phone }, { NULL, 0, NULL } };
	struct doc_opts o;
	struct household_ctx c;
	struct doc d = { 0 };
	struct notice nt = { 0 };
	int rc;

	if ((rc = doc_opts(argc, argv, &o, extra, usage)))
		return rc - 1;
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < sizeof s_kinds / sizeof s_kinds[0]; k++)
		if (!strcmp(argv[optind], s_kinds[k].kind) || !strcmp(argv[optind], s_kinds[k].ordinal))
			nt.k = &s_kinds[k];
	if (!nt.k)
		return tool_fail(EXIT_USAGE, "notice-list", "\"%s\" is none of village, township, county",
		    argv[optind]);
	if (date && date_day(date) < 0)
		return tool_fail(EXIT_USAGE, "notice-list", "--date \"%s\" is not a date YYYY-MM-DD", date);
	if ((object_to && proc_check_text("notice-list", "--object-to", object_to, 200)) ||
	    (phone && proc_check_text("notice-list", "--phone", phone, 40)))
		return EXIT_USAGE;
	nt.object_to = object_to ? object_to : nt.k->object_to;
	nt.phone = phone;
	sqlite3 *db = ledger_db(n->ledger);
	if ((rc = s_notice_scope(n, db, &nt, argc - optind == 2 ? argv[optind + 1] : NULL)) != EXIT_OK)
		return rc;
	int found = s_notice_day(db, &nt, date);
	if (found < 0)
		return tool_fail(EXIT_FAIL, "notice-list", "%s", sqlite3_errmsg(db));
	if (!found)
		return tool_fail(EXIT_USAGE, "notice-list", "no %s notice (%s) %s%s in this archive", nt.k->kind,
		    nt.k->ordinal, date ? "on " : "", date ? date : "");
	if ((rc = doc_open(n, &c, &d, &o, "notice-list")) != EXIT_OK)
		return rc;
	rc = s_notice_write(&d, &c, &nt) < 0 ? tool_fail(EXIT_FAIL, "notice-list", "%s", sqlite3_errmsg(db)) :
	    EXIT_OK;
	return doc_close(&c, &d, rc, "notice-list");
}
