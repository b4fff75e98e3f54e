/*
 * cmd_household.c — `lika household add|edit|show|list|cause`, `lika member
 * add|edit|remove` and `lika income set`: one household file (户卡) at a time,
 * each command one change set.  The rules are lib/household.c's.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "household.h"
#include "lika.h"
#include "proc.h"
#include "util.h"

#define OPT_FIELD 1000
#define OPT_JSON  900

/* Options of a record command: one per field of FS (except SKIP), --json, --help. */
struct field_opts {
	const struct field *fs;
	int n;
	const char *vals[RECORD_MAX_FIELDS];
	int json;
};

static void
s_field_help(FILE *f, const struct field *fs, int n, const int *skip)
{
	for (int k = 0; k < n; k++) {
		int skipped = 0;
		for (const int *s = skip; s && *s >= 0; s++)
			skipped |= *s == k;
		if (skipped)
			continue;
		char opt[48];
		snprintf(opt, sizeof opt, "--%s", fs[k].name);
		for (char *p = opt + 2; *p; p++)
			if (*p == '_')
				*p = '-';
		fprintf(f, "  %-20s %s%s%s%s\n", opt, fs[k].label, fs[k].codes ? " (" : "",
		    fs[k].codes ? fs[k].codes : "", fs[k].codes ? ": code or name)" : "");
	}
}

/* 0 to go on, else an exit status + 1.  Field values land in FO->vals (borrowed from ARGV). */
static int
s_parse_opts(int argc, char **argv, struct field_opts *fo, const int *skip, const char *usage,
    int want_json)
{
	struct option opts[RECORD_MAX_FIELDS + 3];
	char names[RECORD_MAX_FIELDS][48];
	int no = 0, ch;

	for (int k = 0; k < fo->n; k++) {
		int skipped = 0;
		for (const int *s = skip; s && *s >= 0; s++)
			skipped |= *s == k;
		if (skipped)
			continue;
		snprintf(names[k], sizeof names[k], "%s", fo->fs[k].name);
		for (char *p = names[k]; *p; p++)
			if (*p == '_')
				*p = '-';
		opts[no++] = (struct option){ names[k], required_argument, NULL, OPT_FIELD + k };
	}
	if (want_json)
		opts[no++] = (struct option){ "json", no_argument, NULL, OPT_JSON };
	opts[no++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[no] = (struct option){ NULL, 0, NULL, 0 };

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch >= OPT_FIELD && ch < OPT_FIELD + fo->n) {
			fo->vals[ch - OPT_FIELD] = optarg;
		} else if (ch == OPT_JSON) {
			fo->json = 1;
		} else if (ch == 'h') {
			printf("%s", usage);
			if (fo->n) {
				printf("\nfields (a blank value clears one):\n");
				s_field_help(stdout, fo->fs, fo->n, skip);
			}
			return EXIT_OK + 1;
		} else {
			fprintf(stderr, "%s", usage);
			return EXIT_USAGE + 1;
		}
	}
	return 0;
}

/* Start the write at the township node and load the rules' context. */
static int
s_begin(struct node *n, struct household_ctx *c, const char *cmd)
{
	char err[ERRBUF_SIZE];

	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	if (household_ctx_init(c, ledger_db(n->ledger), n->conf.code, err, sizeof err) < 0) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	}
	return EXIT_OK;
}

/* End a write: commit OPS (unless STATUS says otherwise) and release the context. */
static int
s_end(struct node *n, struct household_ctx *c, struct ops *ops, int status, const char *cmd)
{
	char err[ERRBUF_SIZE];

	if (status == EXIT_OK && ledger_commit(n->ledger, ops, NULL, err, sizeof err) < 0)
		status = tool_fail(EXIT_FAIL, cmd, "%s", err);
	if (status != EXIT_OK)
		ledger_rollback(n->ledger);
	ops_release(ops);
	household_ctx_release(c);
	return status;
}

/* Parse every given value of FO; on a bad one print it and return EXIT_USAGE. */
static int
s_parse_values(const struct household_ctx *c, const struct field_opts *fo, struct field_value *v,
    const char *cmd)
{
	char err[ERRBUF_SIZE];

	for (int k = 0; k < fo->n; k++)
		if (household_field_parse(c, &fo->fs[k], fo->vals[k], &v[k], err, sizeof err) < 0)
			return tool_fail(EXIT_USAGE, cmd, "%s", err);
	return EXIT_OK;
}

/* Is HOUSEHOLD (an argument) a household of this archive?  EXIT_OK or a failure printed. */
static int
s_existing(const struct household_ctx *c, const char *table, const char *id, const char *what,
    const char *cmd)
{
	int rc = household_row_exists(c, table, id);

	if (rc < 0)
		return tool_fail(EXIT_FAIL, cmd, "reading %s: %s", table, sqlite3_errmsg(c->db));
	if (rc == 0)
		return tool_fail(EXIT_USAGE, cmd, "%s \"%s\" is not in this township's archive", what, id);
	return EXIT_OK;
}

static int
s_household_add(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika household add --village CODE --head-name NAME --head-idcard ID\n"
	    "                         [--head-sex 男|女] [FIELD OPTIONS]\n\n"
	    "Open a household file (户卡): a new household id (township code + 6-digit\n"
	    "sequence) is printed; the head becomes member 01 with relation 户主.  The\n"
	    "status starts as 申请 unless given.  One change set.\n";
	static const int skip[] = { HF_ID, -1 };
	struct field_opts fo = { .fs = household_fields, .n = HF_COUNT };
	struct field_value v[HF_COUNT];
	struct household_ctx c;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], id[32];
	int rc;

	if ((rc = s_parse_opts(argc, argv, &fo, skip, usage, 0)))
		return rc - 1;
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "household add", "unexpected argument \"%s\"", argv[optind]);
	if ((rc = s_begin(n, &c, "household add")) != EXIT_OK)
		return rc;
	ops_init(&ops);
	if ((rc = s_parse_values(&c, &fo, v, "household add")) == EXIT_OK) {
		if (household_next_id(&c, id, sizeof id, err, sizeof err) < 0)
			rc = tool_fail(EXIT_FAIL, "household add", "%s", err);
		else if (household_put(&c, &ops, id, v, 1, err, sizeof err) < 0)
			rc = tool_fail(EXIT_USAGE, "household add", "%s", err);
	}
	rc = s_end(n, &c, &ops, rc, "household add");
	if (rc == EXIT_OK)
		printf("%s\n", id);
	return rc;
}

static int
s_household_edit(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika household edit HOUSEHOLD [FIELD OPTIONS]\n\n"
	    "Change fields of a household file; fields not given are kept.  The head is\n"
	    "changed with \"lika member edit\".  One change set.\n";
	static const int skip[] = { HF_ID, HF_HEAD_NAME, HF_HEAD_IDCARD, HF_HEAD_SEX, -1 };
	struct field_opts fo = { .fs = household_fields, .n = HF_COUNT };
	struct field_value v[HF_COUNT];
	struct household_ctx c;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE];
	int rc;

	if ((rc = s_parse_opts(argc, argv, &fo, skip, usage, 0)))
		return rc - 1;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *id = argv[optind];
	if ((rc = s_begin(n, &c, "household edit")) != EXIT_OK)
		return rc;
	ops_init(&ops);
	if ((rc = s_existing(&c, "household", id, "household", "household edit")) == EXIT_OK &&
	    (rc = s_parse_values(&c, &fo, v, "household edit")) == EXIT_OK) {
		if (household_put(&c, &ops, id, v, 0, err, sizeof err) < 0)
			rc = tool_fail(EXIT_USAGE, "household edit", "%s", err);
		else if (ops.n == 0)
			rc = tool_fail(EXIT_USAGE, "household edit", "no field given (see --help)");
	}
	rc = s_end(n, &c, &ops, rc, "household edit");
	if (rc == EXIT_OK)
		printf("household %s changed\n", id);
	return rc;
}

static int
s_household_cause(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "main", required_argument, NULL, 'm' },
		{ "other", required_argument, NULL, 'o' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika household cause HOUSEHOLD --main CAUSE [--other CAUSE]... [--note TEXT]\n\n"
	    "Record the poverty causes (致贫原因): exactly one main cause, at most two other\n"
	    "causes (they replace the recorded ones; none given: none kept) and a\n"
	    "description.  CAUSE is a code or name of code_cause: 因病 因残 因学 因灾 缺土地\n"
	    "缺水 缺技术 缺劳力 缺资金 交通条件落后 自身发展动力不足 其他.  One change set.\n";
	char others[VALUE_MAX] = "", err[ERRBUF_SIZE];
	const char *main_cause = NULL, *note = NULL;
	struct field_value v[HF_COUNT];
	struct household_ctx c;
	struct ops ops = OPS_INIT;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': main_cause = optarg; break;
		case 'o': {
			size_t used = strlen(others);
			snprintf(others + used, sizeof others - used, "%s%s", used ? "," : "", optarg);
			break;
		}
		case 'n': note = optarg; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !main_cause) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *id = argv[optind];
	if ((rc = s_begin(n, &c, "household cause")) != EXIT_OK)
		return rc;
	ops_init(&ops);
	memset(v, 0, sizeof v);
	if ((rc = s_existing(&c, "household", id, "household", "household cause")) == EXIT_OK) {
		if (household_field_parse(&c, &household_fields[HF_MAIN_CAUSE], main_cause,
		    &v[HF_MAIN_CAUSE], err, sizeof err) < 0 ||
		    household_field_parse(&c, &household_fields[HF_OTHER_CAUSES], others,
		    &v[HF_OTHER_CAUSES], err, sizeof err) < 0 ||
		    household_field_parse(&c, &household_fields[HF_CAUSE_NOTE], note,
		    &v[HF_CAUSE_NOTE], err, sizeof err) < 0 ||
		    household_put(&c, &ops, id, v, 0, err, sizeof err) < 0)
			rc = tool_fail(EXIT_USAGE, "household cause", "%s", err);
	}
	rc = s_end(n, &c, &ops, rc, "household cause");
	if (rc == EXIT_OK)
		printf("household %s causes recorded\n", id);
	return rc;
}

static int s_member_row(const struct household_ctx *c, const char *mid, char *household, size_t hlen,
    char *relation, size_t rlen, const char *cmd);

/* ---- reading -------------------------------------------------------------------- */

static int
s_open_read(struct node *n, struct household_ctx *c, const char *cmd)
{
	char err[ERRBUF_SIZE];

	if (household_ctx_init(c, ledger_db(n->ledger), n->conf.code, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	return EXIT_OK;
}

/* One record as a JSON object of English names; OPEN: leave the object open for more keys. */
static void
s_json_fields(FILE *f, const struct field *fs, int n, const char *const *v, int open)
{
	fputc('{', f);
	for (int k = 0; k < n; k++) {
		if (k)
			fputc(',', f);
		json_str(f, fs[k].name);
		fputc(':', f);
		json_str(f, v[k] ? v[k] : "");
	}
	if (!open)
		fputc('}', f);
}

static void
s_json_record(FILE *f, const struct field *fs, int n, const char *const *v)
{
	s_json_fields(f, fs, n, v, 0);
}

static int
s_household_show(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika household show HOUSEHOLD [--json]\n\n"
	    "Print a household file: its fields, members, causes and incomes.\n";
	struct field_opts fo = { .fs = NULL, .n = 0 };
	struct household_ctx c;
	struct record_iter it;
	char err[ERRBUF_SIZE];
	int rc, found = 0;

	if ((rc = s_parse_opts(argc, argv, &fo, NULL, usage, 1)))
		return rc - 1;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *id = argv[optind];
	if ((rc = s_open_read(n, &c, "household show")) != EXIT_OK)
		return rc;
	for (enum record_kind kind = RECORD_HOUSEHOLD; kind <= RECORD_INCOME; kind++) {
		int nf, first = 1;
		const struct field *fs = household_record_fields(kind, &nf);
		if (household_iter_open(&it, &c, kind, id, NULL, NULL, err, sizeof err) < 0) {
			rc = tool_fail(EXIT_FAIL, "household show", "%s", err);
			break;
		}
		if (fo.json && kind != RECORD_HOUSEHOLD)
			printf(",\"%s\":[", kind == RECORD_MEMBER ? "members" : "incomes");
		else if (!fo.json && kind != RECORD_HOUSEHOLD)
			printf("\n%s\n", kind == RECORD_MEMBER ? "家庭成员" : "年度收入（元）");
		while ((rc = household_iter_next(&it)) == 1) {
			if (kind == RECORD_HOUSEHOLD) {
				found = 1;
				if (fo.json) {
					printf("{\"household\":");
					s_json_record(stdout, fs, nf, it.v);
				} else {
					/* Chinese labels for the clerk; the English keys are --json's */
					for (int k = 0; k < nf; k++) {
						proc_pad(stdout, fs[k].label, 18);
						printf(" %s\n", it.v[k]);
					}
				}
				continue;
			}
			if (fo.json) {
				printf("%s", first ? "" : ",");
				if (kind == RECORD_INCOME) {
					/* the computed figure rides along */
					s_json_fields(stdout, fs, nf, it.v, 1);
					printf(",\"net_per_capita\":");
					json_str(stdout, it.v[IF_COUNT]);
					printf("}");
				} else {
					s_json_record(stdout, fs, nf, it.v);
				}
			} else if (kind == RECORD_MEMBER) {
				printf("  %s/%s  %s  %s  %s  %s  %s  %s\n", it.v[MF_HOUSEHOLD], it.v[MF_NO], it.v[MF_NAME],
				    it.v[MF_IDCARD], it.v[MF_SEX], it.v[MF_RELATION], it.v[MF_HEALTH], it.v[MF_LABOUR]);
			} else {
				printf("  %s  工资 %s  经营 %s  财产 %s  转移 %s  支出 %s  人口 %s  人均纯收入 %s\n",
				    it.v[IF_YEAR], it.v[IF_WAGES], it.v[IF_BUSINESS], it.v[IF_PROPERTY],
				    it.v[IF_TRANSFERS], it.v[IF_COSTS], it.v[IF_SIZE], it.v[IF_COUNT]);
			}
			first = 0;
		}
		household_iter_close(&it);
		if (fo.json && kind != RECORD_HOUSEHOLD)
			printf("]");
		if (rc < 0) {
			rc = tool_fail(EXIT_FAIL, "household show", "%s", sqlite3_errmsg(c.db));
			break;
		}
		rc = EXIT_OK;
		if (!found) {
			rc = tool_fail(EXIT_USAGE, "household show", "household \"%s\" is not in this archive", id);
			break;
		}
	}
	if (fo.json && found)
		printf("}\n");
	household_ctx_release(&c);
	return rc;
}

static int
s_household_list(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "village", required_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika household list [--village CODE] [--json]\n\n"
	    "List the households held: id, village, head, ID number, status, main cause.\n"
	    "--json prints every field of each household.\n";
	const char *village = NULL;
	struct household_ctx c;
	struct record_iter it;
	char err[ERRBUF_SIZE];
	int ch, rc, json = 0, first = 1;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'V': village = optarg; break;
		case 'j': json = 1; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "household list", "unexpected argument \"%s\"", argv[optind]);
	if (village && code_check_village(village, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, "household list", "%s", err);
	if ((rc = s_open_read(n, &c, "household list")) != EXIT_OK)
		return rc;
	if (household_iter_open(&it, &c, RECORD_HOUSEHOLD, NULL, village, NULL, err, sizeof err) < 0) {
		household_ctx_release(&c);
		return tool_fail(EXIT_FAIL, "household list", "%s", err);
	}
	if (json)
		printf("[");
	while ((rc = household_iter_next(&it)) == 1) {
		if (json) {
			printf("%s", first ? "" : ",\n");
			s_json_record(stdout, household_fields, HF_COUNT, it.v);
		} else {
			printf("%s  %s  %-8s %s  %s  %s\n", it.v[HF_ID], it.v[HF_VILLAGE], it.v[HF_HEAD_NAME],
			    it.v[HF_HEAD_IDCARD], it.v[HF_STATUS], it.v[HF_MAIN_CAUSE]);
		}
		first = 0;
	}
	if (json)
		printf("]\n");
	household_iter_close(&it);
	household_ctx_release(&c);
	return rc < 0 ? tool_fail(EXIT_FAIL, "household list", "reading households failed") : EXIT_OK;
}

static int
s_household_head(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "previous", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "usage: lika household head HOUSEHOLD/NN --previous RELATION\n\n"
	    "Make member HOUSEHOLD/NN the head (户主) of its household, and give the\n"
	    "previous head the relation RELATION (code_relation, not 户主): the household\n"
	    "keeps exactly one head.  The other members' relations are as recorded; change\n"
	    "them with \"lika member edit\".  One change set.\n";
	const char *previous = NULL;
	struct field_value rel;
	struct household_ctx c;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], hid[32], cur[16], old[64] = "";
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': previous = optarg; break;
		case 'h': printf("%s", usage); return EXIT_OK;
		default: fprintf(stderr, "%s", usage); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !previous) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *mid = argv[optind];
	if ((rc = s_begin(n, &c, "household head")) != EXIT_OK)
		return rc;
	ops_init(&ops);
	const struct field *rf = &household_member_fields[MF_RELATION];
	if ((rc = s_member_row(&c, mid, hid, sizeof hid, cur, sizeof cur, "household head")) != EXIT_OK)
		goto done;
	if (household_field_parse(&c, rf, previous, &rel, err, sizeof err) < 0 || rel.null) {
		rc = tool_fail(EXIT_USAGE, "household head", "%s", rel.null ? "--previous is blank" : err);
		goto done;
	}
	if (strcmp(rel.s, RELATION_HEAD) == 0) {
		rc = tool_fail(EXIT_USAGE, "household head", "%s (%s) \"%s\": the previous head cannot stay 户主",
		    rf->label, rf->name, previous);
		goto done;
	}
	if (strcmp(cur, RELATION_HEAD) == 0) {
		rc = tool_fail(EXIT_USAGE, "household head", "member \"%s\" is the head already", mid);
		goto done;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(c.db, "SELECT id FROM member WHERE household = ?1 AND relation = '"
	    RELATION_HEAD "'", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, hid, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(old, sizeof old, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	struct colval to_head[] = { COL_TEXT("relation", RELATION_HEAD) };
	ops_upsert(&ops, "member", mid, to_head, 1);
	if (old[0]) {
		struct colval from_head[] = { COL_TEXT("relation", rel.s) };
		ops_upsert(&ops, "member", old, from_head, 1);
	}
done:
	rc = s_end(n, &c, &ops, rc, "household head");
	if (rc == EXIT_OK)
		printf("%s is the head of %s%s%s\n", mid, hid, old[0] ? "; previous head " : "", old);
	return rc;
}

int
cmd_household(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add",   s_household_add,   NEED_NODE_RW | TOWNSHIP_ONLY,
		    "open a household file; prints its id" },
		{ "edit",  s_household_edit,  NEED_NODE_RW | TOWNSHIP_ONLY,
		    "change fields of a household" },
		{ "cause", s_household_cause, NEED_NODE_RW | TOWNSHIP_ONLY,
		    "record the main and other poverty causes" },
		{ "head",  s_household_head,  NEED_NODE_RW | TOWNSHIP_ONLY,
		    "make a member the head (户主)" },
		{ "show",  s_household_show,  NEED_NODE_RO, "print one household file" },
		{ "list",  s_household_list,  NEED_NODE_RO, "list households" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("household", sub, argc, argv);
}

/* ---- members ---------------------------------------------------------------------- */

static int
s_member_add(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika member add HOUSEHOLD --name NAME --idcard ID --relation REL [FIELD OPTIONS]\n\n"
	    "Add a member (家庭成员) to a household; the next free number is taken and the\n"
	    "member's key (HOUSEHOLD/NN) printed.  The sex is read from the ID number when\n"
	    "not given, and must agree with it when given.  A household has exactly one\n"
	    "户主.  One change set.\n";
	static const int skip[] = { MF_HOUSEHOLD, MF_HEAD_IDCARD, MF_NO, -1 };
	struct field_opts fo = { .fs = household_member_fields, .n = MF_COUNT };
	struct field_value v[MF_COUNT];
	struct household_ctx c;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], mid[64];
	int rc;

	if ((rc = s_parse_opts(argc, argv, &fo, skip, usage, 0)))
		return rc - 1;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *hid = argv[optind];
	if ((rc = s_begin(n, &c, "member add")) != EXIT_OK)
		return rc;
	ops_init(&ops);
	if ((rc = s_existing(&c, "household", hid, "household", "member add")) == EXIT_OK &&
	    (rc = s_parse_values(&c, &fo, v, "member add")) == EXIT_OK) {
		if (household_member_add(&c, &ops, hid, v, mid, sizeof mid, err, sizeof err) < 0)
			rc = tool_fail(EXIT_USAGE, "member add", "%s", err);
	}
	rc = s_end(n, &c, &ops, rc, "member add");
	if (rc == EXIT_OK)
		printf("%s\n", mid);
	return rc;
}

/* The household and current relation of member MID; EXIT_OK or a failure printed. */
static int
s_member_row(const struct household_ctx *c, const char *mid, char *household, size_t hlen,
    char *relation, size_t rlen, const char *cmd)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(c->db, "SELECT household, relation FROM member WHERE id = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return tool_fail(EXIT_FAIL, cmd, "%s", sqlite3_errmsg(c->db));
	sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(household, hlen, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(relation, rlen, "%s", sqlite3_column_text(st, 1) ?
		    (const char *)sqlite3_column_text(st, 1) : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return tool_fail(EXIT_USAGE, cmd, "member \"%s\" is not in this township's archive "
		    "(a member is HOUSEHOLD/NN)", mid);
	return EXIT_OK;
}

static int
s_member_edit(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika member edit HOUSEHOLD/NN [FIELD OPTIONS]\n\n"
	    "Change fields of a member; fields not given are kept.  The head's relation\n"
	    "cannot be changed away from 户主, nor a second 户主 made.  One change set.\n";
	static const int skip[] = { MF_HOUSEHOLD, MF_HEAD_IDCARD, MF_NO, -1 };
	struct field_opts fo = { .fs = household_member_fields, .n = MF_COUNT };
	struct field_value v[MF_COUNT];
	struct household_ctx c;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE], hid[32], rel[16];
	int rc;

	if ((rc = s_parse_opts(argc, argv, &fo, skip, usage, 0)))
		return rc - 1;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *mid = argv[optind];
	if ((rc = s_begin(n, &c, "member edit")) != EXIT_OK)
		return rc;
	ops_init(&ops);
	if ((rc = s_member_row(&c, mid, hid, sizeof hid, rel, sizeof rel, "member edit")) == EXIT_OK &&
	    (rc = s_parse_values(&c, &fo, v, "member edit")) == EXIT_OK) {
		int to_head = v[MF_RELATION].given && strcmp(v[MF_RELATION].s, RELATION_HEAD) == 0;
		int was_head = strcmp(rel, RELATION_HEAD) == 0;
		if (was_head && v[MF_RELATION].given && !to_head)
			rc = tool_fail(EXIT_USAGE, "member edit", "%s (%s) \"%s\": %s is the head of %s; "
			    "a household has exactly one 户主", household_member_fields[MF_RELATION].label,
			    household_member_fields[MF_RELATION].name, fo.vals[MF_RELATION], mid, hid);
		else if (!was_head && to_head)
			rc = tool_fail(EXIT_USAGE, "member edit", "%s (%s) \"%s\": household %s already has "
			    "its head; a household has exactly one 户主", household_member_fields[MF_RELATION].label,
			    household_member_fields[MF_RELATION].name, fo.vals[MF_RELATION], hid);
		else if (household_member_put(&c, &ops, hid, mid, v, 0, err, sizeof err) < 0)
			rc = tool_fail(EXIT_USAGE, "member edit", "%s", err);
		else if (ops.n == 0)
			rc = tool_fail(EXIT_USAGE, "member edit", "no field given (see --help)");
	}
	rc = s_end(n, &c, &ops, rc, "member edit");
	if (rc == EXIT_OK)
		printf("member %s changed\n", mid);
	return rc;
}

static int
s_member_remove(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika member remove HOUSEHOLD/NN\n\n"
	    "Remove a member from a household (died, married out …); the ledger keeps the\n"
	    "record of it.  The head cannot be removed.  One change set.\n";
	struct field_opts fo = { .fs = NULL, .n = 0 };
	struct household_ctx c;
	struct ops ops = OPS_INIT;
	char hid[32], rel[16];
	int rc;

	if ((rc = s_parse_opts(argc, argv, &fo, NULL, usage, 0)))
		return rc - 1;
	if (argc - optind != 1) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *mid = argv[optind];
	if ((rc = s_begin(n, &c, "member remove")) != EXIT_OK)
		return rc;
	ops_init(&ops);
	if ((rc = s_member_row(&c, mid, hid, sizeof hid, rel, sizeof rel, "member remove")) == EXIT_OK) {
		if (strcmp(rel, RELATION_HEAD) == 0)
			rc = tool_fail(EXIT_USAGE, "member remove", "member \"%s\" is the head (户主) of %s; "
			    "a household has exactly one", mid, hid);
		else
			ops_delete(&ops, "member", mid);
	}
	rc = s_end(n, &c, &ops, rc, "member remove");
	if (rc == EXIT_OK)
		printf("member %s removed\n", mid);
	return rc;
}

int
cmd_member(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "add",    s_member_add,    NEED_NODE_RW | TOWNSHIP_ONLY,
		    "add a member to a household" },
		{ "edit",   s_member_edit,   NEED_NODE_RW | TOWNSHIP_ONLY,
		    "change fields of a member" },
		{ "remove", s_member_remove, NEED_NODE_RW | TOWNSHIP_ONLY,
		    "remove a member (not the head)" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("member", sub, argc, argv);
}

/* ---- income ------------------------------------------------------------------------ */

static int
s_income_set(struct node *n, int argc, char **argv)
{
	const char *usage = "usage: lika income set HOUSEHOLD YEAR [--wages YUAN] [--business YUAN]\n"
	    "                       [--property YUAN] [--transfers YUAN] [--costs YUAN] [--size N]\n\n"
	    "Record a household's income of YEAR (年度收入), amounts in yuan with up to two\n"
	    "decimals, none negative; one not given counts as 0.  Transfers include\n"
	    "family-planning, 低保, 五保, pension and ecological-compensation payments.\n"
	    "The per-capita net income (人均纯收入) is computed, never typed:\n\n"
	    "  (wages + business + property + transfers - costs) / household size\n\n"
	    "with the size --size N (家庭人口 of that year) or else the number of members\n"
	    "recorded now, rounded half away from zero to the fen; it is negative when\n"
	    "costs exceed income.  Setting a year again replaces it.  One change set.\n";
	static const int skip[] = { IF_HOUSEHOLD, IF_YEAR, -1 };
	struct field_opts fo = { .fs = household_income_fields, .n = IF_COUNT };
	struct field_value v[IF_COUNT];
	struct household_ctx c;
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE];
	int rc;

	if ((rc = s_parse_opts(argc, argv, &fo, skip, usage, 0)))
		return rc - 1;
	if (argc - optind != 2) {
		fprintf(stderr, "%s", usage);
		return EXIT_USAGE;
	}
	const char *hid = argv[optind];
	fo.vals[IF_YEAR] = argv[optind + 1];
	if ((rc = s_begin(n, &c, "income set")) != EXIT_OK)
		return rc;
	ops_init(&ops);
	if ((rc = s_existing(&c, "household", hid, "household", "income set")) == EXIT_OK &&
	    (rc = s_parse_values(&c, &fo, v, "income set")) == EXIT_OK) {
		if (household_income_put(&c, &ops, hid, v, err, sizeof err) < 0)
			rc = tool_fail(EXIT_USAGE, "income set", "%s", err);
	}
	rc = s_end(n, &c, &ops, rc, "income set");
	if (rc == EXIT_OK)
		printf("income %s/%s recorded\n", hid, argv[optind + 1]);
	return rc;
}

int
cmd_income(struct node *none, int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "set", s_income_set, NEED_NODE_RW | TOWNSHIP_ONLY,
		    "record a household's income of a year" },
		{ NULL, NULL, 0, NULL },
	};
	(void)none;
	return tool_subcommand("income", sub, argc, argv);
}
