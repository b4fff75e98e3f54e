/*
 * cmd_docs.c — the documents offices print, sign and file:
 * `lika card` 户卡 household card, `lika register` 村花名册 village register,
 * `lika book` 乡镇簿 township book, `lika archive` 县电子档案 county archive.
 * (The notice lists, 公示名单, are cmd_notice.c's.)
 *
 * Each is HTML that prints on A4 or CSV for spreadsheets (doc.h).  They read
 * whatever rows the node holds, so the county's archive covers every
 * township that has sent its feed.  Reading writes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "measure.h"
#include "proc.h"
#include "rules.h"
#include "util.h"
#include "village.h"

/* ---- 户卡 ------------------------------------------------------------------------- */

/* The card's title and the places it belongs to: county, township, village. */
static void
s_card_title(struct doc *d, struct node *n, sqlite3 *db, const char *id, const char *village, int begin)
{
	char county[128], township[128], tcode[CODE_MAX], vname[128], line[512];

	doc_county_name(n, db, county, sizeof county);
	snprintf(tcode, sizeof tcode, "%.9s", id);
	doc_township_name(n, db, tcode, township, sizeof township);
	doc_name_of(db, "village", village, vname, sizeof vname);
	if (begin)
		doc_begin(d, "扶贫对象建档立卡户卡");
	else
		doc_title(d, "扶贫对象建档立卡户卡");
	snprintf(line, sizeof line, "%s　%s（%s）　%s（%s）　户编号 %s", county, township[0] ? township : tcode,
	    tcode, vname[0] ? vname : village, village, id);
	doc_para(d, line);
}

/* The card's file (基本情况, 致贫原因, 生产生活条件): the household's fields V, three pairs a row. */
static void
s_card_file(struct doc *d, const char *const *v)
{
	static const struct { const char *heading; int from, to; } parts[] = {
		{ "基本情况", HF_GROUP, HF_FLAGS },
		{ "致贫原因", HF_MAIN_CAUSE, HF_CAUSE_NOTE },
		{ "生产生活条件", HF_FARMLAND, HF_ROAD_DISTANCE },
	};
	const char *labels[HF_COUNT], *values[HF_COUNT];

	for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
		int k = 0;
		for (int f = parts[p].from; f <= parts[p].to; f++, k++) {
			labels[k] = household_fields[f].label;
			values[k] = v[f];
		}
		doc_heading(d, parts[p].heading);
		doc_pairs(d, labels, values, k, 3);
	}
}

/* The card's 家庭成员: household ID's members, with headers short enough for a portrait page. */
static void
s_card_members(struct doc *d, const struct household_ctx *c, const char *id)
{
	static const int mcols[] = { MF_NO, MF_NAME, MF_IDCARD, MF_SEX, MF_RELATION, MF_ETHNICITY,
		MF_EDUCATION, MF_SCHOOLING, MF_HEALTH, MF_LABOUR, MF_MIGRANT, MF_MIGRANT_MONTHS, MF_INSURANCE };
	/* the national form's short headers: 13 columns on a portrait page */
	static const char *const head[] = { "编号", "姓名", "身份证号", "性别", "关系", "民族",
		"文化程度", "在校情况", "健康状况", "劳动技能", "务工状况", "务工月数", "参加保险" };
	enum { NM = sizeof mcols / sizeof mcols[0] };
	const char *cells[NM];
	struct record_iter it;
	char err[ERRBUF_SIZE], count[64];
	int members = 0;

	doc_heading(d, "家庭成员");
	doc_table(d, head, NM, "grid wide members");
	if (household_iter_open(&it, c, RECORD_MEMBER, id, NULL, NULL, err, sizeof err) == 0) {
		while (household_iter_next(&it) == 1) {
			for (int k = 0; k < NM; k++)
				cells[k] = it.v[mcols[k]];
			doc_row(d, cells, NM, 1u << 11, 0);
			members++;
		}
		household_iter_close(&it);
	}
	snprintf(count, sizeof count, "家庭人口 %d 人", members);
	const char *total[NM] = { "合计", count };
	for (int k = 2; k < NM; k++)
		total[k] = "";
	doc_row(d, total, NM, 0, 1);
	doc_table_end(d);
}

/* The card's 年度收入: household ID's incomes by year, and how 人均纯收入 is worked out. */
static void
s_card_incomes(struct doc *d, const struct household_ctx *c, const char *id)
{
	static const char *const ihead[] = { "年度", "工资性收入", "生产经营性收入", "财产性收入",
		"转移性收入", "生产经营性支出", "家庭人口", "人均纯收入" };
	struct record_iter it;
	char err[ERRBUF_SIZE];

	doc_heading(d, "年度收入（元）");
	doc_table(d, ihead, 8, "grid");
	if (household_iter_open(&it, c, RECORD_INCOME, id, NULL, NULL, err, sizeof err) == 0) {
		while (household_iter_next(&it) == 1) {
			const char *row[8] = { it.v[IF_YEAR], it.v[IF_WAGES], it.v[IF_BUSINESS], it.v[IF_PROPERTY],
				it.v[IF_TRANSFERS], it.v[IF_COSTS], it.v[IF_SIZE], it.v[IF_COUNT] };
			doc_row(d, row, 8, 0xfe, 0);
		}
		household_iter_close(&it);
	}
	doc_table_end(d);
	doc_text(d, "人均纯收入 = (工资性收入 + 生产经营性收入 + 财产性收入 + 转移性收入 − 生产经营性支出) ÷ 家庭人口");
}

static const char *
s_col(sqlite3_stmt *st, int k)
{
	const unsigned char *s = sqlite3_column_text(st, k);
	return s ? (const char *)s : "";
}

/* A row saying the table has none, when ROWS is 0. */
static void
s_none_row(struct doc *d, int rows, int n)
{
	const char *cells[8] = { "（无）", "", "", "", "", "", "", "" };

	if (!rows)
		doc_row(d, cells, n, 0, 0);
}

/* The card's 帮扶措施 and 帮扶责任人 (every helper, past ones with their end: the history). */
static void
s_card_assistance(struct doc *d, sqlite3 *db, const char *id)
{
	static const char *const mhead[] = { "类别", "项目", "资金(元)", "开始", "期限", "状态" };
	static const char *const hhead[] = { "姓名", "工作单位", "单位级别", "联系电话", "开始", "结束" };
	sqlite3_stmt *st = NULL;

	doc_heading(d, "帮扶措施");
	doc_table(d, mhead, 6, NULL);
	sqlite3_prepare_v2(db, "SELECT category, project, funds, start, deadline, status FROM measure "
	    "WHERE household = ?1 ORDER BY id", -1, &st, NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rows = 0;
	while (st && sqlite3_step(st) == SQLITE_ROW && ++rows) {
		char yuan[32];
		money_format_yuan(yuan, sizeof yuan, sqlite3_column_int64(st, 2));
		const char *row[6] = { measure_category_label(s_col(st, 0)), s_col(st, 1), yuan, s_col(st, 3),
			s_col(st, 4), label_zh(label_measure_statuses, s_col(st, 5)) };
		doc_row(d, row, 6, 1u << 2, 0);
	}
	sqlite3_finalize(st);
	s_none_row(d, rows, 6);
	doc_table_end(d);

	doc_heading(d, "帮扶责任人");
	doc_table(d, hhead, 6, NULL);
	sqlite3_prepare_v2(db, "SELECT name, unit, level, phone, start, coalesce(\"end\", '至今') FROM helper "
	    "WHERE household = ?1 ORDER BY start, id", -1, &st, NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rows = 0;
	while (st && sqlite3_step(st) == SQLITE_ROW && ++rows) {
		const char *row[6] = { s_col(st, 0), s_col(st, 1), s_col(st, 2), s_col(st, 3), s_col(st, 4),
			s_col(st, 5) };
		doc_row(d, row, 6, 0, 0);
	}
	sqlite3_finalize(st);
	s_none_row(d, rows, 6);
	doc_table_end(d);
}

/* Columns of s_card_history's query. */
enum { CH_KEY, CH_TABLE, CH_ROUND, CH_PROCEDURE, CH_STEP, CH_DECISION, CH_AT, CH_DAYS, CH_REASONS,
	CH_OFFICIAL, CH_NAME, CH_BY };

/* The last seq a retired key of TOWNSHIP signed; 0 if it was never re-keyed. */
static uint64_t
s_retired_upto(struct ledger *l, const char *township)
{
	uint8_t pk[PUBKEY_BYTES];
	uint64_t seq = 1, last, upto = 0;

	while (ledger_origin_key_upto(l, township, seq, pk, &last) == 0 && last != UINT64_MAX && last >= seq) {
		upto = last;
		seq = last + 1;
	}
	return upto;
}

/* Does the change set BODY write row KEY of TABLE? */
static int
s_writes_row(const void *body, size_t len, const char *table, const char *key)
{
	char err[ERRBUF_SIZE];
	struct changeset cs;
	struct op_view op;
	int found = 0;

	if (changeset_decode(&cs, body, len, err, sizeof err) < 0)
		return 0;
	for (uint32_t i = 0; i < cs.h.nops && !found; i++)
		found = changeset_op(&cs, i, &op, err, sizeof err) == 0 &&
		    op.table_len == strlen(table) && memcmp(op.table, table, op.table_len) == 0 &&
		    op.key_len == strlen(key) && memcmp(op.key, key, op.key_len) == 0;
	changeset_release(&cs);
	return found;
}

/*
 * The seq of the change set of TOWNSHIP's feed that last wrote row KEY of
 * TABLE, whose key sealed it; 0 (its current key) if the township was never
 * re-keyed or no change set held here wrote it.  Nothing records which
 * change set wrote a row, so the stored bodies are searched for the key's
 * bytes, newest first, and a match is confirmed by decoding it: only for
 * a re-keyed township, whose old steps would otherwise be checked against
 * a key that did not exist when they were sealed.
 */
static uint64_t
s_sealed_seq(struct ledger *l, const char *township, const char *table, const char *key)
{
	sqlite3_stmt *st = NULL;
	uint64_t seq = 0;

	if (!s_retired_upto(l, township) || sqlite3_prepare_v2(ledger_db(l), "SELECT seq, body FROM "
	    "changeset WHERE origin = ?1 AND applied > 0 AND instr(body, CAST(?2 AS BLOB)) > 0 "
	    "ORDER BY seq DESC", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, township, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	while (!seq && sqlite3_step(st) == SQLITE_ROW)
		if (s_writes_row(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), table, key))
			seq = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return seq;
}

/* Whether step row ST's signature and seal verify, as the ledger checks them, into SIG and SEAL. */
static void
s_step_checks(struct ledger *l, sqlite3_stmt *st, const struct step_def *def, char *sig, size_t siglen,
    char *seal, size_t seallen)
{
	char err[ERRBUF_SIZE], township[CODE_MAX];
	uint64_t seq = 0;
	int ok = 1;

	snprintf(sig, siglen, "—");
	snprintf(seal, seallen, "—");
	if (!*s_col(st, CH_OFFICIAL))
		return;
	/* the seal is the township's node key of the change set that carried the step */
	snprintf(township, sizeof township, "%.9s", s_col(st, CH_KEY));
	if (def && (def->flags & STEP_SEAL))
		seq = s_sealed_seq(l, township, s_col(st, CH_TABLE), s_col(st, CH_KEY));
	if (rules_step_verify(l, s_col(st, CH_TABLE), s_col(st, CH_KEY), seq, err, sizeof err) < 0)
		ok = 0;
	int seal_bad = !ok && strncmp(err, "rule seal", 9) == 0;
	snprintf(sig, siglen, "%s", ok || seal_bad ? "有效" : "无效");
	if (def && (def->flags & STEP_SEAL))
		snprintf(seal, seallen, "%s", seal_bad ? "乡镇公章 无效" : "乡镇公章 有效");
}

/* The card's 识别与退出记录: every step of every round, who signed, whether it verifies, the seal. */
static void
s_card_history(struct doc *d, struct ledger *l, sqlite3 *db, const char *id)
{
	static const char *const head[] = { "轮次", "步骤", "日期", "决定", "签字人（经办）", "签名核验", "公章" };
	sqlite3_stmt *st = NULL;

	doc_heading(d, "识别与退出记录");
	doc_table(d, head, 7, NULL);
	sqlite3_prepare_v2(db, "SELECT s.id, s.tbl, s.round, s.procedure, s.step, s.decision, s.at, s.days, "
	    "coalesce(s.reasons, ''), coalesce(s.official, ''), coalesce((SELECT name FROM official o "
	    "WHERE o.id = s.official), ''), coalesce(s.by_name, '') FROM (SELECT *, 'review_step' AS tbl "
	    "FROM review_step UNION ALL SELECT *, 'approval' FROM approval) s WHERE s.household = ?1 "
	    "ORDER BY s.round, s.id", -1, &st, NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rows = 0;
	while (st && sqlite3_step(st) == SQLITE_ROW && ++rows) {
		const struct step_def *def = procedure_step(s_col(st, CH_PROCEDURE), s_col(st, CH_STEP));
		char round[48], when[40], decision[256], who[160], sig[32], seal[48];
		snprintf(round, sizeof round, "%s 第%d轮", label_zh(label_procedures, s_col(st, CH_PROCEDURE)),
		    sqlite3_column_int(st, CH_ROUND));
		snprintf(when, sizeof when, "%s", s_col(st, CH_AT));
		if (sqlite3_column_type(st, CH_DAYS) != SQLITE_NULL && date_day(s_col(st, CH_AT)) >= 0) {
			char last[11];
			date_format(last, date_day(s_col(st, CH_AT)) + sqlite3_column_int(st, CH_DAYS) - 1);
			snprintf(when, sizeof when, "%s 至 %s", s_col(st, CH_AT), last + 5);
		}
		snprintf(decision, sizeof decision, "%s%s%s", label_zh(label_decisions, s_col(st, CH_DECISION)),
		    *s_col(st, CH_REASONS) ? "：" : "", s_col(st, CH_REASONS));
		snprintf(who, sizeof who, "%s", *s_col(st, CH_NAME) ? s_col(st, CH_NAME) : s_col(st, CH_BY));
		s_step_checks(l, st, def, sig, sizeof sig, seal, sizeof seal);
		const char *row[7] = { round, def ? def->label : s_col(st, CH_STEP), when, decision, who, sig, seal };
		doc_row(d, row, 7, 0, 0);
	}
	sqlite3_finalize(st);
	s_none_row(d, rows, 7);
	doc_table_end(d);
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
			doc_heading(d, "抽查暗访");
			doc_table(d, head, 5, NULL);
		}
		doc_row(d, row, 5, 0, 0);
	}
	if (n)
		doc_table_end(d);
	sqlite3_finalize(st);
}

/* The whole card of household ID into D (BEGIN: the document starts with it); EXIT_OK or prints why. */
static int
s_card(struct doc *d, struct node *n, const struct household_ctx *c, const char *id, int begin)
{
	static const char *const sign[] = { "户主（签字或按手印）", "填表人（签字）", "村委会（盖章）",
		"乡镇人民政府（盖章）" };
	struct record_iter it;
	char err[ERRBUF_SIZE];

	if (household_iter_open(&it, c, RECORD_HOUSEHOLD, id, NULL, NULL, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "card", "%s", err);
	if (household_iter_next(&it) != 1) {
		household_iter_close(&it);
		return tool_fail(EXIT_USAGE, "card", "household \"%s\" is not in this archive", id);
	}
	s_card_title(d, n, c->db, id, it.v[HF_VILLAGE], begin);
	s_card_file(d, it.v);
	household_iter_close(&it);
	s_card_members(d, c, id);
	s_card_incomes(d, c, id);
	s_card_assistance(d, c->db, id);
	s_card_history(d, n->ledger, c->db, id);
	s_card_checks(d, c->db, id);
	doc_signatures(d, sign, 4);
	return EXIT_OK;
}

int
cmd_card(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika card HOUSEHOLD [--format html|csv] [-o FILE]\n\n"
	    "The household card (户卡) of one household, for A4 portrait: the county,\n"
	    "township and village; its file (basic data, causes, living and production\n"
	    "conditions), members, incomes by year with the computed per-capita net\n"
	    "income, assistance measures, helpers with their history, and every step of\n"
	    "identification and exit with its date, decision, who signed, whether the\n"
	    "signature verifies and the township's seal, the spot checks (抽查暗访) that\n"
	    "named it; then signature and seal lines.\n";
	struct doc_opts o;
	struct household_ctx c;
	struct doc d = { 0 };
	int rc;

	if ((rc = doc_opts(argc, argv, &o, NULL, usage)))
		return rc - 1;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *id = argv[optind];
	if ((rc = doc_open(n, &c, &d, &o, "card")) != EXIT_OK)
		return rc;
	if ((rc = s_card(&d, n, &c, id, 1)) == EXIT_OK)
		doc_end(&d);
	return doc_close(&c, &d, rc, "card");
}

/* ---- 村花名册 and 乡镇簿: a village's households, registered apart from applicants ---- */

static const char s_roll_sql[] =
    "SELECT h.id, m.name, m.idcard, (SELECT count(*) FROM member WHERE household = h.id),"
    " h.attribute, (SELECT cause FROM household_cause WHERE household = h.id AND main = 1),"
    " h.status, i.year, i.net_per_capita"
    " FROM household h"
    " LEFT JOIN member m ON m.id = (SELECT min(id) FROM member WHERE household = h.id AND relation = '"
    RELATION_HEAD "')"
    " LEFT JOIN income i ON i.id = (SELECT max(id) FROM income WHERE household = h.id)"
    " WHERE h.village = ?1 AND %s ORDER BY h.id";

/* The groups a register lists apart, in order. */
static const struct {
	const char *heading;
	const char *where;
} s_roll_groups[] = {
	{ "在册贫困户（已建档立卡、返贫）", "h.status IN (" STATUS_ON_REGISTER_SQL ")" },
	{ "申请户（申请、审核中）", "h.status IN ('" STATUS_APPLICANT "', '" STATUS_REVIEW "')" },
	{ "其他（未通过、已脱贫、清退）", "(h.status IS NULL OR h.status NOT IN (" STATUS_ON_REGISTER_SQL
	    ", '" STATUS_APPLICANT "', '" STATUS_REVIEW "'))" },
};
enum { ROLL_GROUPS = 3 };

struct totals {
	int64_t households, people, registered, exited;
};

static void
s_totals_add(struct totals *t, const struct totals *v)
{
	t->households += v->households;
	t->people += v->people;
	t->registered += v->registered;
	t->exited += v->exited;
}

/* One household row of a roll from ST (s_roll_sql), numbered NO; adds to V. */
static void
s_roll_row(struct doc *d, const struct household_ctx *c, sqlite3_stmt *st, struct totals *v)
{
	char no[16], size[16], year[16] = "", net[32] = "";
	int64_t people = sqlite3_column_int64(st, 3);
	const char *status = (const char *)sqlite3_column_text(st, 6);

	v->households++;
	v->people += people;
	if (household_status_registered(status))
		v->registered++;
	if (status && !strcmp(status, STATUS_EXITED))
		v->exited++;
	snprintf(no, sizeof no, "%" PRId64, v->households);
	snprintf(size, sizeof size, "%" PRId64, people);
	if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
		snprintf(year, sizeof year, "%d", sqlite3_column_int(st, 7));
		household_format_hundredths(net, sizeof net, sqlite3_column_int64(st, 8));
	}
	const char *cell[10] = { no, s_col(st, 0), s_col(st, 1), s_col(st, 2), size,
		household_code_name(c, "code_attribute", (const char *)sqlite3_column_text(st, 4)),
		household_code_name(c, "code_cause", (const char *)sqlite3_column_text(st, 5)),
		household_code_name(c, "code_status", status), year, net };
	doc_row(d, cell, 10, 1u << 0 | 1u << 4 | 1u << 9, 0);
}

/*
 * Group G of VILLAGE's households as a table with a totals row; adds to T.
 * An empty group prints "（无）" when SHOW_EMPTY, else nothing.  -1 on a database error.
 */
static int
s_roll_group(struct doc *d, const struct household_ctx *c, const char *village, int g, int show_empty,
    struct totals *t)
{
	static const char *const head[] = { "序号", "户编号", "户主姓名", "户主身份证号", "家庭人口",
		"贫困户属性", "主要致贫原因", "状态", "收入年度", "人均纯收入(元)" };
	struct totals v = { 0, 0, 0, 0 };
	char *sql = sqlite3_mprintf(s_roll_sql, s_roll_groups[g].where);
	sqlite3_stmt *st = NULL;
	int rc;

	if (!sql || sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return -1;
	}
	sqlite3_free(sql);
	sqlite3_bind_text(st, 1, village, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (show_empty) {
			doc_subheading(d, s_roll_groups[g].heading);
			doc_text(d, "（无）");
		}
		return rc == SQLITE_DONE ? 0 : -1;
	}
	doc_subheading(d, s_roll_groups[g].heading);
	doc_table(d, head, 10, "grid");
	do
		s_roll_row(d, c, st, &v);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW);
	sqlite3_finalize(st);
	char hh[32], pp[32];
	snprintf(hh, sizeof hh, "%" PRId64 " 户", v.households);
	snprintf(pp, sizeof pp, "%" PRId64, v.people);
	const char *total[10] = { "合计", hh, "", "", pp, "", "", "", "", "" };
	doc_row(d, total, 10, 1u << 4, 1);
	doc_table_end(d);
	s_totals_add(t, &v);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Every group of VILLAGE; -1 on a database error. */
static int
s_village_roll(struct doc *d, const struct household_ctx *c, const char *village, int show_empty,
    struct totals *t)
{
	for (int g = 0; g < ROLL_GROUPS; g++)
		if (s_roll_group(d, c, village, g, show_empty, t) < 0)
			return -1;
	return 0;
}

/* "共 N 户 M 人，其中在册 R 户、已脱贫 E 户" for T into OUT. */
static void
s_totals_line(char *out, size_t len, const struct totals *t)
{
	snprintf(out, len, "共 %" PRId64 " 户 %" PRId64 " 人，其中在册 %" PRId64 " 户、已脱贫 %" PRId64 " 户",
	    t->households, t->people, t->registered, t->exited);
}

int
cmd_register(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika register VILLAGE [--format html|csv] [-o FILE]\n\n"
	    "The village register (村花名册): the registered households (在册: 已建档立卡,\n"
	    "返贫), then the applicants (申请, 审核中), then the others (未通过, 已脱贫,\n"
	    "清退), each with its head, size, attribute, main cause, status and latest\n"
	    "per-capita net income and a totals row; the village's totals and signature\n"
	    "and seal lines close it.\n";
	static const char *const sign[] = { "村委会主任（签字）", "驻村干部（签字）", "制表人（签字）",
		"村民委员会（盖章）" };
	struct doc_opts o;
	struct household_ctx c;
	struct totals t = { 0, 0, 0, 0 };
	struct doc d = { .landscape = 1 };
	char err[ERRBUF_SIZE], title[256], vname[128], township[128];
	int rc;

	if ((rc = doc_opts(argc, argv, &o, NULL, usage)))
		return rc - 1;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *village = argv[optind];
	if (code_check_village(village, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "register", "%s", err);
	if ((rc = doc_open(n, &c, &d, &o, "register")) != EXIT_OK)
		return rc;
	doc_name_of(c.db, "village", village, vname, sizeof vname);
	if (!vname[0] && household_row_exists(&c, "village", village) != 1) {
		rc = tool_fail(EXIT_USAGE, "register", "village \"%s\" is not in this archive", village);
		return doc_close(&c, &d, rc, "register");
	}
	char tcode[CODE_MAX];
	snprintf(tcode, sizeof tcode, "%.9s", village);
	doc_township_name(n, c.db, tcode, township, sizeof township);
	snprintf(title, sizeof title, "%s扶贫对象花名册", vname);
	doc_begin(&d, title);
	snprintf(title, sizeof title, "%s　村代码 %s", township, village);
	doc_para(&d, title);
	rc = s_village_roll(&d, &c, village, 1, &t) < 0 ? tool_fail(EXIT_FAIL, "register", "%s",
	    sqlite3_errmsg(c.db)) : EXIT_OK;
	s_totals_line(title, sizeof title, &t);
	doc_text(&d, title);
	doc_signatures(&d, sign, 4);
	doc_end(&d);
	return doc_close(&c, &d, rc, "register");
}

/* One summary row: code, name, households, people, registered, exited. */
static void
s_summary_row(struct doc *d, const char *code, const char *name, const struct totals *t, int total)
{
	char hh[32], pp[32], rr[32], ee[32];
	snprintf(hh, sizeof hh, "%" PRId64, t->households);
	snprintf(pp, sizeof pp, "%" PRId64, t->people);
	snprintf(rr, sizeof rr, "%" PRId64, t->registered);
	snprintf(ee, sizeof ee, "%" PRId64, t->exited);
	const char *cells[6] = { code, name, hh, pp, rr, ee };
	doc_row(d, cells, 6, 0x3c, total);
}

/* The book's summary: villages with households and the township's totals into ALL; -1 on error. */
static int
s_book_summary(struct doc *d, sqlite3 *db, struct totals *all)
{
	static const char *const shead[] = { "村代码", "村名", "户数", "人数", "在册户数(已建档立卡、返贫)",
		"已脱贫户数" };
	static const char sum_sql[] =
	    "SELECT v.id, v.name, count(h.id),"
	    " (SELECT count(*) FROM member m JOIN household h2 ON h2.id = m.household WHERE h2.village = v.id),"
	    " sum(h.status IN (" STATUS_ON_REGISTER_SQL ")), sum(h.status = '" STATUS_EXITED "')"
	    " FROM village v JOIN household h ON h.village = v.id GROUP BY v.id ORDER BY v.id";
	sqlite3_stmt *st;

	doc_heading(d, "汇总");
	doc_table(d, shead, 6, NULL);
	if (sqlite3_prepare_v2(db, sum_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct totals t = { sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
			sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5) };
		s_summary_row(d, s_col(st, 0), s_col(st, 1), &t, 0);
		s_totals_add(all, &t);
	}
	sqlite3_finalize(st);
	s_summary_row(d, "合计", "", all, 1);
	doc_table_end(d);
	return 0;
}

int
cmd_book(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika book [--format html|csv] [-o FILE]\n\n"
	    "The township book (乡镇簿): a summary by village with totals, then every\n"
	    "village that has households, one after the other (no page break between\n"
	    "them), its registered households apart from its applicants; signature and\n"
	    "seal lines close it.  Villages without households are named, not printed.\n";
	static const char *const sign[] = { "乡镇长（签字）", "制表人（签字）", "乡镇人民政府（盖章）" };
	struct doc_opts o;
	struct household_ctx c;
	struct totals all = { 0, 0, 0, 0 }, t = { 0, 0, 0, 0 };
	struct doc d = { .landscape = 1 };
	sqlite3_stmt *st;
	char title[256];
	int rc;

	if ((rc = doc_opts(argc, argv, &o, NULL, usage)))
		return rc - 1;
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "book", "unexpected argument \"%s\"", argv[optind]);
	if ((rc = doc_open(n, &c, &d, &o, "book")) != EXIT_OK)
		return rc;
	snprintf(title, sizeof title, "%s扶贫对象乡镇簿", n->conf.name);
	doc_begin(&d, title);
	snprintf(title, sizeof title, "乡镇代码 %s", n->conf.code);
	doc_para(&d, title);
	if (s_book_summary(&d, c.db, &all) < 0 || sqlite3_prepare_v2(c.db, "SELECT id, name, EXISTS (SELECT 1 "
	    "FROM household WHERE village = v.id) FROM village v ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		rc = tool_fail(EXIT_FAIL, "book", "%s", sqlite3_errmsg(c.db));
		return doc_close(&c, &d, rc, "book");
	}
	rc = EXIT_OK;
	char empty[512] = "";
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!sqlite3_column_int(st, 2)) {
			size_t used = strlen(empty);
			snprintf(empty + used, sizeof empty - used, "%s%s", used ? "、" : "", s_col(st, 1));
			continue;
		}
		char heading[256];
		snprintf(heading, sizeof heading, "%s %s", s_col(st, 0), s_col(st, 1));
		doc_heading(&d, heading);
		if (s_village_roll(&d, &c, s_col(st, 0), 0, &t) < 0)
			rc = tool_fail(EXIT_FAIL, "book", "%s", sqlite3_errmsg(c.db));
	}
	sqlite3_finalize(st);
	if (empty[0]) {
		snprintf(title, sizeof title, "尚无农户的村：%s", empty);
		doc_text(&d, title);
	}
	s_totals_line(title, sizeof title, &all);
	doc_text(&d, title);
	doc_signatures(&d, sign, 3);
	doc_end(&d);
	return doc_close(&c, &d, rc, "book");
}

/* ---- 县电子档案 ------------------------------------------------------------------------ */

/* The archive's summary: one row a township, then the county's totals. */
static int
s_archive_summary(struct doc *d, struct node *n, sqlite3 *db)
{
	static const char *const head[] = { "乡镇代码", "乡镇", "户数", "人数", "在册户数(已建档立卡、返贫)",
		"已脱贫户数" };
	static const char sql[] =
	    "SELECT substr(h.id, 1, 9) AS t, count(*),"
	    " sum((SELECT count(*) FROM member WHERE household = h.id)),"
	    " sum(h.status IN (" STATUS_ON_REGISTER_SQL ")), sum(h.status = '" STATUS_EXITED "')"
	    " FROM household h GROUP BY t ORDER BY t";
	struct totals all = { 0, 0, 0, 0 };
	sqlite3_stmt *st;

	doc_heading(d, "一、各乡镇汇总");
	doc_table(d, head, 6, NULL);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char name[128];
		struct totals t = { sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
			sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4) };
		doc_township_name(n, db, s_col(st, 0), name, sizeof name);
		s_summary_row(d, s_col(st, 0), name, &t, 0);
		s_totals_add(&all, &t);
	}
	sqlite3_finalize(st);
	s_summary_row(d, "合计", "", &all, 1);
	doc_table_end(d);
	return 0;
}

/* The archive's index: every household with its township, village, head, size and status. */
static int
s_archive_index(struct doc *d, const struct household_ctx *c)
{
	static const char *const head[] = { "序号", "户编号", "乡镇代码", "村", "户主姓名", "家庭人口",
		"状态", "人均纯收入(元)" };
	static const char sql[] =
	    "SELECT h.id, substr(h.id, 1, 9), coalesce(v.name, h.village),"
	    " (SELECT name FROM member WHERE household = h.id AND relation = '" RELATION_HEAD "' ORDER BY id LIMIT 1),"
	    " (SELECT count(*) FROM member WHERE household = h.id), h.status,"
	    " (SELECT net_per_capita FROM income WHERE household = h.id ORDER BY year DESC LIMIT 1)"
	    " FROM household h LEFT JOIN village v ON v.id = h.village ORDER BY h.id";
	sqlite3_stmt *st;
	int no = 0;

	doc_heading(d, "二、农户索引");
	doc_table(d, head, 8, "grid");
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char nb[16], size[16], net[32] = "";
		snprintf(nb, sizeof nb, "%d", ++no);
		snprintf(size, sizeof size, "%d", sqlite3_column_int(st, 4));
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			household_format_hundredths(net, sizeof net, sqlite3_column_int64(st, 6));
		const char *row[8] = { nb, s_col(st, 0), s_col(st, 1), s_col(st, 2), s_col(st, 3), size,
			household_code_name(c, "code_status", s_col(st, 5)), net };
		doc_row(d, row, 8, 1u | 1u << 5 | 1u << 7, 0);
	}
	sqlite3_finalize(st);
	doc_table_end(d);
	return 0;
}

int
cmd_archive(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika archive [--card HOUSEHOLD[,HOUSEHOLD…]] [--format html|csv] [-o FILE]\n\n"
	    "The county's electronic archive (县电子档案): a summary per township (households,\n"
	    "people, registered and exited, and the county's totals), then an index of\n"
	    "every household with its township, village, head, size, status and latest\n"
	    "per-capita income; --card adds the card (户卡) of each household named, each\n"
	    "on a new page.  Run at the county hub it covers every township that has sent\n"
	    "its feed.\n";
	const char *cards = NULL;
	const struct doc_extra extra[] = { { "card", 1, &cards }, { NULL, 0, NULL } };
	struct doc_opts o;
	struct household_ctx c;
	struct doc d = { 0 };
	char title[256], county[128], code[CODE_MAX];
	int rc;

	if ((rc = doc_opts(argc, argv, &o, extra, usage)))
		return rc - 1;
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "archive", "unexpected argument \"%s\"", argv[optind]);
	if ((rc = doc_open(n, &c, &d, &o, "archive")) != EXIT_OK)
		return rc;
	doc_county_name(n, c.db, county, sizeof county);
	snprintf(code, sizeof code, "%.6s", n->conf.code);
	snprintf(title, sizeof title, "%s扶贫对象电子档案", county);
	doc_begin(&d, title);
	snprintf(title, sizeof title, "县代码 %s", code);
	doc_para(&d, title);
	if (s_archive_summary(&d, n, c.db) < 0 || s_archive_index(&d, &c) < 0) {
		rc = tool_fail(EXIT_FAIL, "archive", "%s", sqlite3_errmsg(c.db));
		return doc_close(&c, &d, rc, "archive");
	}
	for (const char *p = cards; rc == EXIT_OK && p && *p; ) {
		char id[32];
		size_t len = strcspn(p, ",");
		snprintf(id, sizeof id, "%.*s", (int)(len < sizeof id ? len : sizeof id - 1), p);
		doc_page_break(&d);
		rc = s_card(&d, n, &c, id, 0);
		p += len;
		p += *p == ',';
	}
	if (rc == EXIT_OK)
		doc_end(&d);
	return doc_close(&c, &d, rc, "archive");
}
