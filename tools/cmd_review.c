/*
 * cmd_review.c — `lika review …`: the identification procedure on one
 * household (三级复审，三榜公示), step by step, each step one signed change set,
 * each refusal naming its rule (proto/PROCEDURE.md, "Guards").
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "passphrase.h"
#include "proc.h"
#include "util.h"

const char *
review_stage(const struct procedure_state *h)
{
	static char buf[96];

	return procedure_stage(h, buf, sizeof buf);
}

/* Print the refusal of a rule of the procedure (lib/domain) and return EXIT_USAGE. */
static int
s_refused(const char *cmd, const char *rule, const char *why)
{
	if (!strcmp(rule, "database"))
		return tool_fail(EXIT_FAIL, cmd, "%s", why);
	return proc_refuse(cmd, rule, "%s", why);
}

/* ---- priorities and ranking (三优先, 人均纯收入) ---------------------------------- */

struct applicant {
	char id[KEY_MAX];
	char head[128];
	int priorities;         /* bit 0 残疾子女的老人, 1 独生子女的老人, 2 纯女户老人 */
	int has_income;
	int64_t net;
	int income_year;
	char stage[96];
};

static const char *const s_priority_names[] = { "残疾子女的老人", "独生子女的老人", "纯女户老人" };

/* The three priorities of household ID on TODAY (YYYYMMDD as an integer). */
static int
s_priorities(sqlite3 *db, const char *id, long today)
{
	sqlite3_stmt *st = NULL;
	int p = 0;
	/* elderly: 60 or older today, by the birth date in the ID number */
	const char *sql =
	    "WITH m AS (SELECT relation, health, CAST(substr(idcard, 7, 8) AS INTEGER) <= ?2 - 600000 "
	    "AS old FROM member WHERE household = ?1) SELECT "
	    "(EXISTS (SELECT 1 FROM m WHERE old AND relation IN ('01', '02')) AND EXISTS (SELECT 1 "
	    "FROM m WHERE relation IN ('03', '04') AND health = '04')) OR (EXISTS (SELECT 1 FROM m "
	    "WHERE old AND relation IN ('11', '12')) AND EXISTS (SELECT 1 FROM m WHERE relation = '01' "
	    "AND health = '04')), "
	    "EXISTS (SELECT 1 FROM m WHERE old) AND EXISTS (SELECT 1 FROM household_flag WHERE "
	    "household = ?1 AND flag = '01'), "
	    "EXISTS (SELECT 1 FROM m WHERE old) AND EXISTS (SELECT 1 FROM household_flag WHERE "
	    "household = ?1 AND flag = '02')";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, today);
	if (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < 3; i++)
			if (sqlite3_column_int(st, i))
				p |= 1 << i;
	sqlite3_finalize(st);
	return p;
}

static int
s_popcount(int x)
{
	return __builtin_popcount((unsigned)x);
}

static int
s_applicant_cmp(const void *a, const void *b)
{
	const struct applicant *x = a, *y = b;
	int px = s_popcount(x->priorities), py = s_popcount(y->priorities);

	if (px != py)
		return py - px;                 /* more priorities first */
	if (x->has_income != y->has_income)
		return y->has_income - x->has_income;
	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;   /* poorer first */
	return strcmp(x->id, y->id);
}

/*
 * The applicants of VILLAGE (households whose entry round is open) in rank
 * order; *OUT malloc'd.  Returns the count or -1.
 */
static int
s_rank(sqlite3 *db, const char *village, const char *today, struct applicant **out)
{
	sqlite3_stmt *st = NULL;
	struct applicant *a = NULL;
	int n = 0, cap = 0;
	long t = strtol(today, NULL, 10) * 10000 + strtol(today + 5, NULL, 10) * 100 +
	    strtol(today + 8, NULL, 10);

	*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT h.id, coalesce((SELECT name FROM member m WHERE "
	    "m.household = h.id AND m.relation = '01' LIMIT 1), ''), "
	    "(SELECT net_per_capita FROM income i WHERE i.household = h.id ORDER BY year DESC LIMIT 1), "
	    "(SELECT year FROM income i WHERE i.household = h.id ORDER BY year DESC LIMIT 1) "
	    "FROM household h WHERE h.village = ?1 ORDER BY h.id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, village, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct procedure_state h;
		if (procedure_load(db, "main", col_text(st, 0), NULL, &h) != 1 || h.round == 0 || strcmp(h.procedure, "entry") != 0 ||
		    h.rejected || h.complete)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct applicant *na = realloc(a, (size_t)cap * sizeof *a);
			if (!na) {
				free(a);
				sqlite3_finalize(st);
				return -1;
			}
			a = na;
		}
		memset(&a[n], 0, sizeof a[n]);
		snprintf(a[n].id, sizeof a[n].id, "%s", col_text(st, 0));
		snprintf(a[n].head, sizeof a[n].head, "%s", col_text(st, 1));
		a[n].has_income = sqlite3_column_type(st, 2) != SQLITE_NULL;
		a[n].net = sqlite3_column_int64(st, 2);
		a[n].income_year = sqlite3_column_int(st, 3);
		a[n].priorities = s_priorities(db, a[n].id, t);
		snprintf(a[n].stage, sizeof a[n].stage, "%s", review_stage(&h));
		n++;
	}
	sqlite3_finalize(st);
	if (n > 1)
		qsort(a, (size_t)n, sizeof *a, s_applicant_cmp);
	*out = a;
	return n;
}

static void
s_json_priorities(FILE *f, int p)
{
	int first = 1;
	fputc('[', f);
	for (int i = 0; i < 3; i++)
		if (p & (1 << i)) {
			fprintf(f, "%s\"%s\"", first ? "" : ",", s_priority_names[i]);
			first = 0;
		}
	fputc(']', f);
}

static int
s_cmd_rank(struct node *n, int argc, char **argv)
{
	int json = 0;
	const char *village = NULL;
	char today[11];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: lika review rank VILLAGE [--json]\n\n"
			    "The applicants of a village in the order the evaluation group considers\n"
			    "them: more of the three priorities (三优先) first, then lower per-capita\n"
			    "net income (latest year), then household id.\n");
			return EXIT_OK;
		} else if (!village)
			village = argv[i];
		else
			return tool_fail(EXIT_USAGE, "review rank", "unexpected argument \"%s\"", argv[i]);
	}
	if (!village)
		return tool_fail(EXIT_USAGE, "review rank", "VILLAGE code required");
	if (code_check_village(village, NULL, 0) < 0)
		return tool_fail(EXIT_USAGE, "review rank", "village \"%s\" is not a 12-digit village code",
		    village);
	date_today(today);
	struct applicant *a;
	int k = s_rank(ledger_db(n->ledger), village, today, &a);
	if (k < 0)
		return tool_fail(EXIT_FAIL, "review rank", "reading applicants failed");
	if (json)
		printf("[");
	for (int i = 0; i < k; i++) {
		char yuan[32] = "-";
		if (a[i].has_income)
			money_format_yuan(yuan, sizeof yuan, a[i].net);
		if (json) {
			printf("%s{\"rank\":%d,\"household\":\"%s\",\"head\":", i ? "," : "", i + 1, a[i].id);
			json_str(stdout, a[i].head);
			printf(",\"priorities\":");
			s_json_priorities(stdout, a[i].priorities);
			printf(",\"net_per_capita\":%s,\"income_year\":%d,\"stage\":",
			    a[i].has_income ? yuan : "null", a[i].income_year);
			json_str(stdout, a[i].stage);
			printf("}");
		} else {
			printf("%3d  %s  %-10s  %10s  ", i + 1, a[i].id, a[i].head, yuan);
			for (int b = 0; b < 3; b++)
				if (a[i].priorities & (1 << b))
					printf("%s ", s_priority_names[b]);
			printf(" %s\n", a[i].stage);
		}
	}
	if (json)
		printf("]\n");
	free(a);
	return EXIT_OK;
}

/* ---- one step ------------------------------------------------------------------ */

struct step_opts {
	const char *household;
	const char *key;
	int passfd;                 /* --passphrase-fd; -1: the terminal */
	const char *reasons;
	const char *date;
	const char *by;
	int reject;
	/* village-eval */
	const char *panel;
	int votes_for, votes_against, votes_abstain;
	const char *assets, *consumption;
};

/* Split a panel list on , ， 、 ; into NAMES; the count, or -1 if a name is bad. */
static int
s_panel(const char *in, char names[16][64])
{
	int n = 0;
	const char *p = in;

	while (*p) {
		size_t len = 0;
		const char *q = p;
		while (*q && *q != ',' && *q != ';' && strncmp(q, "，", 3) != 0 && strncmp(q, "、", 3) != 0)
			q++;
		len = (size_t)(q - p);
		while (len && p[0] == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (len) {
			if (n == 16)
				return 16;
			/* names go into the details JSON as they are */
			for (size_t i = 0; i < len; i++)
				if (p[i] == '"' || p[i] == '\\' || (unsigned char)p[i] < 0x20)
					return -1;
			if (len >= 64)
				return -1;
			memcpy(names[n], p, len);
			names[n][len] = '\0';
			n++;
		}
		if (!*q)
			break;
		p = q + (*q == ',' || *q == ';' ? 1 : 3);
	}
	return n;
}

/* The five-comparison figures and rank of H, as the details JSON of village_eval. */
static int
s_eval_details(sqlite3 *db, const char *cmd, const struct procedure_state *h, const struct step_opts *o,
    const char *today, char **out)
{
	char names[16][64];
	int np = s_panel(o->panel ? o->panel : "", names);
	int64_t assets = -1, consumption = -1;

	*out = NULL;
	if (np < 0)
		return tool_fail(EXIT_USAGE, cmd, "--panel: a name is longer than 63 bytes or has a quote, "
		    "backslash or control character");
	if (np < 9 || np > 15)
		return proc_refuse(cmd, "panel-size", "the evaluation group (评议小组) has 9 to 15 members "
		    "elected by the village assembly; --panel names %d", np < 0 ? 0 : np);
	for (int i = 0; i < np; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return proc_refuse(cmd, "panel-size", "panel member \"%s\" is named twice", names[i]);
	if (o->votes_for < 0 || o->votes_against < 0 || o->votes_abstain < 0 ||
	    o->votes_for + o->votes_against + o->votes_abstain > np)
		return tool_fail(EXIT_USAGE, cmd, "votes %d for, %d against, %d abstaining do not fit a "
		    "panel of %d", o->votes_for, o->votes_against, o->votes_abstain, np);
	if (!o->reject && o->votes_for * 2 <= np)
		return proc_refuse(cmd, "vote-majority", "%d of %d panel members voted for: a pass needs "
		    "more than half", o->votes_for, np);
	if (o->assets && money_parse_yuan(o->assets, &assets) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--assets \"%s\" is not an amount of yuan", o->assets);
	if (o->consumption && money_parse_yuan(o->consumption, &consumption) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--consumption \"%s\" is not an amount of yuan",
		    o->consumption);

	/* income and where it comes from; labour; the main cause */
	sqlite3_stmt *st = NULL;
	sqlite3_str *s = sqlite3_str_new(db);
	sqlite3_str_appendf(s, "{\"panel\":[");
	for (int i = 0; i < np; i++)
		sqlite3_str_appendf(s, "%s\"%w\"", i ? "," : "", names[i]);
	sqlite3_str_appendf(s, "],\"votes\":{\"for\":%d,\"against\":%d,\"abstain\":%d},\"figures\":{",
	    o->votes_for, o->votes_against, o->votes_abstain);
	if (sqlite3_prepare_v2(db, "SELECT year, wages, business, property, transfers, costs, size, "
	    "net_per_capita FROM income WHERE household = ?1 ORDER BY year DESC LIMIT 1", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			static const char *const src[] = { "wages", "business", "property", "transfers" };
			int best = 0;
			for (int i = 1; i < 4; i++)
				if (sqlite3_column_int64(st, 1 + i) > sqlite3_column_int64(st, 1 + best))
					best = i;
			sqlite3_str_appendf(s, "\"income_year\":%d,\"net_per_capita_fen\":%lld,\"size\":%d,"
			    "\"main_source\":\"%s\",", sqlite3_column_int(st, 0),
			    (long long)sqlite3_column_int64(st, 7), sqlite3_column_int(st, 6), src[best]);
		}
		sqlite3_finalize(st);
	}
	int64_t labour = proc_int(db, "SELECT count(*) FROM member WHERE household = ?1 AND "
	    "labour IN ('01', '02')", h->id, 0);
	char cause[16];
	proc_text(db, "SELECT cause FROM household_cause WHERE household = ?1 AND main = 1", h->id,
	    cause, sizeof cause);
	sqlite3_str_appendf(s, "\"labour\":%lld,\"main_cause\":\"%w\"", (long long)labour, cause);
	if (assets >= 0)
		sqlite3_str_appendf(s, ",\"assets_fen\":%lld", (long long)assets);
	if (consumption >= 0)
		sqlite3_str_appendf(s, ",\"consumption_fen\":%lld", (long long)consumption);

	/* rank among the village's applicants */
	struct applicant *a;
	int k = s_rank(db, h->village, today, &a), rank = 0, pri = 0;
	for (int i = 0; i < k; i++)
		if (strcmp(a[i].id, h->id) == 0) {
			rank = i + 1;
			pri = a[i].priorities;
		}
	free(a);
	sqlite3_str_appendf(s, "},\"priorities\":[");
	int first = 1;
	for (int i = 0; i < 3; i++)
		if (pri & (1 << i)) {
			sqlite3_str_appendf(s, "%s\"%s\"", first ? "" : ",", s_priority_names[i]);
			first = 0;
		}
	sqlite3_str_appendf(s, "],\"rank\":%d,\"of\":%d}", rank, k < 0 ? 0 : k);
	*out = sqlite3_str_finish(s);
	return *out ? EXIT_OK : tool_fail(EXIT_FAIL, cmd, "out of memory");
}

/* One step being taken: what the command knows once the node is open. */
struct step_run {
	const char *cmd;
	const struct step_def *def;
	const struct step_opts *o;
	struct node *n;             /* opened by the dispatcher */
	struct procedure_state h;
	struct signer sg;
	int have_signer;
	char today[11];
	char key[KEY_MAX];
	int round;
	const char *decision;
	int days;
	uint8_t hash[HASH_BYTES];
	char *details;
};

/* Options that need no node: dates, reasons, who. */
static int
s_step_options(struct step_run *x)
{
	const struct step_opts *o = x->o;
	const char *cmd = x->cmd;

	if (o->date) {
		if (date_day(o->date) < 0)
			return tool_fail(EXIT_USAGE, cmd, "--date \"%s\" is not a date YYYY-MM-DD", o->date);
		snprintf(x->today, sizeof x->today, "%s", o->date);
	} else {
		date_today(x->today);
	}
	if (o->reject && (x->def->flags & STEP_NOTICE))
		return tool_fail(EXIT_USAGE, cmd, "a notice is posted, not rejected");
	if (o->reject && x->def->number == 1)
		return tool_fail(EXIT_USAGE, cmd, "an application is made, not rejected");
	if (o->reject && (!o->reasons || !*o->reasons))
		return tool_fail(EXIT_USAGE, cmd, "a rejection returns the file with its reasons: "
		    "--reasons TEXT is required");
	if (o->reasons && proc_check_text(cmd, "reasons", o->reasons, 2000))
		return EXIT_USAGE;
	if (o->by && (!*o->by || proc_check_text(cmd, "--by", o->by, 120)))
		return tool_fail(EXIT_USAGE, cmd, "--by must be 1 to 120 bytes of text");
	if (x->def->role && !o->key)
		return tool_fail(EXIT_USAGE, cmd, "this step is signed by a %s: --key FILE (the "
		    "official's key) is required", x->def->role);
	return EXIT_OK;
}

/* Open the node, start the write and load the household (the node stays open on success). */
static int
s_step_open(struct step_run *x)
{
	char err[ERRBUF_SIZE];
	int county_step = (x->def->flags & STEP_COUNTY) != 0, rc;

	/* the command table put a county step at the county, a township step at a township */
	if (strncmp(x->o->household, x->n->conf.code, strlen(x->n->conf.code)) != 0)
		rc = tool_fail(EXIT_USAGE, x->cmd, "household \"%s\" is not of %s %s", x->o->household,
		    role_name(x->n->conf.role), x->n->conf.code);
	else if (ledger_begin(x->n->ledger, err, sizeof err) < 0)
		rc = tool_fail(EXIT_FAIL, x->cmd, "%s", err);
	else if ((rc = procedure_load(ledger_db(x->n->ledger), "main", x->o->household, NULL, &x->h)) == 1)
		return EXIT_OK;
	else
		rc = rc < 0 ? tool_fail(EXIT_FAIL, x->cmd, "%s", sqlite3_errmsg(ledger_db(x->n->ledger))) :
		    tool_fail(EXIT_USAGE, x->cmd, "no household \"%s\" in this archive%s", x->o->household,
		    county_step ? " (has the township's feed arrived?)" : "");
	ledger_rollback(x->n->ledger);
	return rc;
}

/* Every rule of the procedure (lib/domain), then the details and the signer. */
static int
s_step_check(struct step_run *x)
{
	sqlite3 *db = ledger_db(x->n->ledger);
	char rule[32], why[ERRBUF_SIZE];
	int rc;

	x->round = x->def->number == 1 ? x->h.round + 1 : x->h.round;
	x->decision = procedure_decision(x->def, x->o->reject);
	if (procedure_record_hash(db, "main", x->h.id, x->hash, why, sizeof why) < 0)
		return tool_fail(EXIT_FAIL, x->cmd, "%s", why);
	struct step_take t = {
		.def = x->def, .round = x->round, .decision = x->decision, .at = x->today,
		.clock_ms = clock_ms(), .record_hash = x->hash,
	};
	if (procedure_check_step(db, "main", &x->h, &t, CHECK_ALL, rule, sizeof rule, why, sizeof why) < 0)
		return s_refused(x->cmd, rule, why);
	x->days = -1;
	if (x->def->flags & STEP_NOTICE)
		x->days = (int)procedure_policy_int(db, "main", x->def->notice_policy,
		    proc_year(x->today), x->def->notice_default);
	if (!strcmp(x->def->name, "village_eval") &&
	    (rc = s_eval_details(db, x->cmd, &x->h, x->o, x->today, &x->details)) != EXIT_OK)
		return rc;
	if (!x->o->key)
		return EXIT_OK;
	if ((rc = proc_signer_load(&x->sg, db, x->o->key, x->def->role, x->cmd)) != EXIT_OK)
		return rc;
	x->have_signer = 1;
	char township[CODE_MAX], county[CODE_MAX];
	snprintf(township, sizeof township, "%.9s", x->h.id);
	snprintf(county, sizeof county, "%.6s", x->h.id);
	if (!procedure_office_fits(x->sg.role, x->sg.office, township, county))
		return proc_refuse(x->cmd, "signer-office", "%s (%s, %s of %s) may not sign for township %s",
		    x->sg.id, x->sg.name, x->sg.role, x->sg.office, township);
	return EXIT_OK;
}

/* The step row, its statement, signature and seal, and the status it leads to, as OPS. */
static void
s_step_ops(struct step_run *x, struct ops *ops)
{
	const struct step_opts *o = x->o;
	int county_step = (x->def->flags & STEP_COUNTY) != 0;

	procedure_step_key(x->key, sizeof x->key, x->h.id, x->round, x->def->number);
	struct step_row r = {
		.table = county_step ? "approval" : "review_step", .key = x->key, .household = x->h.id,
		.round = x->round, .procedure = x->def->procedure, .step = x->def->name,
		.decision = x->decision, .at = x->today, .days = x->days, .reasons = o->reasons,
		.details = x->details, .record_hash = x->hash,
		.official = x->have_signer ? x->sg.id : NULL,
		.by_name = o->by ? o->by : x->have_signer ? x->sg.name : x->n->conf.name,
	};
	uint8_t sig[SIG_BYTES], seal[SIG_BYTES];
	msgpack_sbuffer sb;
	statement_step(&sb, &r);
	if (x->have_signer)
		statement_sign(sig, &sb, x->sg.sk);
	if (x->def->flags & STEP_SEAL)
		statement_sign(seal, &sb, x->n->sk);
	msgpack_sbuffer_destroy(&sb);

	struct colval cols[] = {
		COL_TEXT("household", r.household), COL_INT("round", r.round),
		COL_TEXT("procedure", r.procedure), COL_TEXT("step", r.step),
		COL_TEXT("decision", r.decision), COL_TEXT("at", r.at), COL_TEXT("by_name", r.by_name),
		r.days >= 0 ? (struct colval)COL_INT("days", r.days) : (struct colval)COL_NIL("days"),
		r.reasons ? (struct colval)COL_TEXT("reasons", r.reasons) : (struct colval)COL_NIL("reasons"),
		r.details ? (struct colval)COL_TEXT("details", r.details) : (struct colval)COL_NIL("details"),
		COL_BLOB("record_hash", x->hash, HASH_BYTES),
		x->have_signer ? (struct colval)COL_TEXT("official", x->sg.id) : (struct colval)COL_NIL("official"),
		x->have_signer ? (struct colval)COL_BLOB("signer", x->sg.pk, PUBKEY_BYTES) :
		    (struct colval)COL_NIL("signer"),
		x->have_signer ? (struct colval)COL_BLOB("sig", sig, SIG_BYTES) : (struct colval)COL_NIL("sig"),
		(x->def->flags & STEP_SEAL) ? (struct colval)COL_BLOB("seal", seal, SIG_BYTES) :
		    (struct colval)COL_NIL("seal"),
	};
	ops_upsert(ops, r.table, x->key, cols, sizeof cols / sizeof cols[0]);
	/* the household's status follows the procedure (township rows only) */
	const char *status = procedure_status_after(x->def, x->decision);
	if (status && strcmp(status, x->h.status) != 0) {
		struct colval sc[] = { COL_TEXT("status", status) };
		ops_upsert(ops, "household", x->h.id, sc, 1);
	}
}

static void
s_step_print(const struct step_run *x)
{
	printf("%s: %s %s (%s) round %d step %d: %s", x->h.id, x->def->procedure, x->def->name,
	    x->def->label, x->round, x->def->number, x->decision);
	if (x->days >= 0) {
		char end[11];
		date_format(end, date_day(x->today) + x->days - 1);
		printf(", %d days %s to %s", x->days, x->today, end);
	} else {
		printf(" on %s", x->today);
	}
	if (x->have_signer)
		printf(", signed by %s %s", x->sg.id, x->sg.name);
	if (x->def->flags & STEP_SEAL)
		printf(", sealed by %s", x->n->conf.code);
	printf("\n");
}

/* Run step DEF (its pass or reject) on the household named in O. */
static int
s_do_step(struct node *n, const char *cmd, const struct step_def *def, const struct step_opts *o)
{
	struct step_run x = { .cmd = cmd, .def = def, .o = o, .n = n };
	struct ops ops = OPS_INIT;
	int rc;

	if ((rc = s_step_options(&x)) != EXIT_OK)
		return rc;
	/* the passphrase is asked before the write starts (proc_signer_unlock) */
	if ((o->key && (rc = proc_signer_unlock(&x.sg, o->key, o->passfd, cmd)) != EXIT_OK) ||
	    (rc = s_step_open(&x)) != EXIT_OK) {
		proc_signer_release(&x.sg);
		return rc;
	}
	if ((rc = s_step_check(&x)) == EXIT_OK) {
		ops_init(&ops);
		s_step_ops(&x, &ops);
		rc = proc_commit(x.n, cmd, &ops);
		ops_release(&ops);
		if (rc == EXIT_OK)
			s_step_print(&x);
	}
	ledger_rollback(x.n->ledger);    /* nothing to undo after a commit */
	sqlite3_free(x.details);
	proc_signer_release(&x.sg);
	return rc;
}

/* Parse the options of a step command and run it. */
static int
s_step_cmd(struct node *n, int argc, char **argv, const char *procedure, const char *name,
    int force_reject)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "reasons", required_argument, NULL, 'r' },
		{ "reject", no_argument, NULL, 'R' },
		{ "date", required_argument, NULL, 'd' },
		{ "by", required_argument, NULL, 'b' },
		{ "panel", required_argument, NULL, 'p' },
		{ "for", required_argument, NULL, 'F' },
		{ "against", required_argument, NULL, 'A' },
		{ "abstain", required_argument, NULL, 'B' },
		{ "assets", required_argument, NULL, 'a' },
		{ "consumption", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct step_def *def = procedure_step(procedure, name);
	struct step_opts o = { .passfd = -1 };
	char cmd[64], err[ERRBUF_SIZE];
	int ch;

	snprintf(cmd, sizeof cmd, "review %s", argv[0]);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': o.key = optarg; break;
		case 'P':
			if (passphrase_fd_arg(optarg, &o.passfd, err, sizeof err) < 0)
				return tool_fail(EXIT_USAGE, cmd, "%s", err);
			break;
		case 'r': o.reasons = optarg; break;
		case 'R': o.reject = 1; break;
		case 'd': o.date = optarg; break;
		case 'b': o.by = optarg; break;
		case 'p': o.panel = optarg; break;
		case 'F': case 'A': case 'B': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || !*optarg || v < 0 || v > 15)
				return tool_fail(EXIT_USAGE, cmd, "votes \"%s\" is not a number 0-15", optarg);
			*(ch == 'F' ? &o.votes_for : ch == 'A' ? &o.votes_against : &o.votes_abstain) = (int)v;
			break;
		}
		case 'a': o.assets = optarg; break;
		case 'c': o.consumption = optarg; break;
		case 'h':
			printf("usage: lika review %s HOUSEHOLD [--date YYYY-MM-DD] [--by WHO]%s%s%s\n\n"
			    "%s step %d: %s (%s).\n", argv[0],
			    def->role ? " --key FILE [--passphrase-fd N]" : "",
			    def->flags & STEP_NOTICE || def->number == 1 ? "" : " [--reject] [--reasons TEXT]",
			    !strcmp(def->name, "village_eval") ? "\n       --panel N1,N2,… --for N "
			    "[--against N] [--abstain N] [--assets YUAN] [--consumption YUAN]" : "",
			    def->procedure, def->number, def->name, def->label);
			if (def->role)
				printf("Signed with the key file of an official of role %s%s.\n"
				    "The key's passphrase is asked at the terminal, or read as one line\n"
				    "from file descriptor N.\n", def->role,
				    def->flags & STEP_SEAL ? ", and sealed by this township node (公章)" : "");
			if (def->flags & STEP_NOTICE)
				printf("The notice runs for the county policy's %s days (default %d) from\n"
				    "the date; objections are recorded with \"lika review object\".\n",
				    def->notice_policy, def->notice_default);
			printf("Refusals name their rule (exit 2); see proto/PROCEDURE.md.\n");
			return EXIT_OK;
		default:
			return tool_fail(EXIT_USAGE, cmd, "see \"lika review %s --help\"", argv[0]);
		}
	}
	if (argc - optind != 1)
		return tool_fail(EXIT_USAGE, cmd, "one HOUSEHOLD id required (see --help)");
	o.household = argv[optind];
	if (strlen(o.household) != 15 || !is_digits(o.household, 15))
		return tool_fail(EXIT_USAGE, cmd, "household \"%s\" is not a 15-digit household id",
		    o.household);
	if (force_reject)
		o.reject = 1;
	return s_do_step(n, cmd, def, &o);
}

#define STEP_CMD(fn, proc, name, rej) \
	static int fn(struct node *n, int argc, char **argv) \
	{ return s_step_cmd(n, argc, argv, proc, name, rej); }
STEP_CMD(s_apply, "entry", "apply", 0)
STEP_CMD(s_group_eval, "entry", "group_eval", 0)
STEP_CMD(s_village_eval, "entry", "village_eval", 0)
STEP_CMD(s_notice, "entry", "village_notice", 0)
STEP_CMD(s_cadre_sign, "entry", "cadre_sign", 0)
STEP_CMD(s_township_review, "entry", "township_review", 0)
STEP_CMD(s_township_notice, "entry", "township_notice", 0)
STEP_CMD(s_head_sign, "entry", "head_sign", 0)
STEP_CMD(s_county_approve, "entry", "county_approval", 0)
STEP_CMD(s_county_reject, "entry", "county_approval", 1)
STEP_CMD(s_county_notice, "entry", "county_notice", 0)
STEP_CMD(s_register, "entry", "register", 0)
STEP_CMD(s_exit_notice, "exit", "exit_notice", 0)
STEP_CMD(s_exit_announce, "exit", "exit_announce", 0)
STEP_CMD(s_exit_confirm, "exit", "exit_confirm", 0)

/* ---- objections, findings, exclusions ---------------------------------------------- */

static int
s_object(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "content", required_argument, NULL, 'c' },
		{ "date", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *by = NULL, *content = NULL, *date = NULL, *cmd = "review object";
	char today[11], err[ERRBUF_SIZE], key[KEY_MAX];
	struct procedure_state h;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': by = optarg; break;
		case 'c': content = optarg; break;
		case 'd': date = optarg; break;
		case 'h':
			printf("usage: lika review object HOUSEHOLD --by NAME --content TEXT [--date D]\n\n"
			    "Record an objection (异议) to the notice now running for the household\n"
			    "(village, township or county notice).  The step after the notice is\n"
			    "refused until the objection has a finding.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !by || !content || !*by || !*content)
		return tool_fail(EXIT_USAGE, cmd, "HOUSEHOLD, --by NAME and --content TEXT are required");
	if (proc_check_text(cmd, "--by", by, 120) || proc_check_text(cmd, "--content", content, 2000))
		return EXIT_USAGE;
	if (date && date_day(date) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--date \"%s\" is not a date YYYY-MM-DD", date);
	if (date)
		snprintf(today, sizeof today, "%s", date);
	else
		date_today(today);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	sqlite3 *db = ledger_db(n->ledger);
	if ((rc = procedure_load(db, "main", argv[optind], NULL, &h)) != 1 || strncmp(h.id, n->conf.code, 9) != 0) {
		rc = tool_fail(EXIT_USAGE, cmd, "no household \"%s\" in this township", argv[optind]);
		goto out;
	}
	const struct step_def *last = h.round ? procedure_step_no(h.procedure, h.last) : NULL;
	if (!last || !(last->flags & STEP_NOTICE) || h.rejected) {
		rc = proc_refuse(cmd, "order", "no notice of household %s is running (%s)", h.id, review_stage(&h));
		goto out;
	}
	if (date_day(today) < date_day(h.s[h.last].at)) {
		rc = proc_refuse(cmd, "notice-period", "the %s of %s starts on %s", last->name, h.id,
		    h.s[h.last].at);
		goto out;
	}
	int64_t next = proc_int(db, "SELECT count(*) + 1 FROM objection WHERE step = ?1",
	    h.s[h.last].key, 1);
	snprintf(key, sizeof key, "%s/%02d", h.s[h.last].key, (int)next);
	struct colval cols[] = { COL_TEXT("household", h.id), COL_TEXT("step", h.s[h.last].key),
		COL_TEXT("at", today), COL_TEXT("by_name", by), COL_TEXT("content", content) };
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	ops_upsert(&ops, "objection", key, cols, 5);
	rc = proc_commit(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("objection %s to the %s of %s recorded\n", key, last->name, h.id);
	return rc;
out:
	ledger_rollback(n->ledger);
	return rc;
}

static int
s_finding(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "upheld", no_argument, NULL, 'u' },
		{ "dismissed", no_argument, NULL, 'D' },
		{ "note", required_argument, NULL, 'n' },
		{ "date", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *finding = NULL, *note = NULL, *date = NULL, *cmd = "review finding";
	char today[11], err[ERRBUF_SIZE], old[16];
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': finding = "upheld"; break;
		case 'D': finding = "dismissed"; break;
		case 'n': note = optarg; break;
		case 'd': date = optarg; break;
		case 'h':
			printf("usage: lika review finding OBJECTION --upheld|--dismissed --note TEXT\n\n"
			    "Record the finding of the investigation of an objection.  Upheld: the\n"
			    "step after the notice can only reject the file.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !finding || !note || !*note)
		return tool_fail(EXIT_USAGE, cmd, "OBJECTION, --upheld or --dismissed, and --note TEXT "
		    "are required");
	if (proc_check_text(cmd, "--note", note, 2000))
		return EXIT_USAGE;
	if (date && date_day(date) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--date \"%s\" is not a date YYYY-MM-DD", date);
	if (date)
		snprintf(today, sizeof today, "%s", date);
	else
		date_today(today);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	rc = proc_text(ledger_db(n->ledger), "SELECT coalesce(finding, '') FROM objection WHERE id = ?1",
	    argv[optind], old, sizeof old);
	if (rc != 1 || old[0] || n->conf.role != ROLE_TOWNSHIP ||
	    strncmp(argv[optind], n->conf.code, strlen(n->conf.code)) != 0) {
		ledger_rollback(n->ledger);
		return rc != 1 || n->conf.role != ROLE_TOWNSHIP ? tool_fail(EXIT_USAGE, cmd, "no objection "
		    "\"%s\" of this township node", argv[optind])
		    : tool_fail(EXIT_USAGE, cmd, "objection \"%s\" already has a finding (%s)",
		    argv[optind], old);
	}
	struct colval cols[] = { COL_TEXT("finding", finding), COL_TEXT("finding_at", today),
		COL_TEXT("finding_note", note) };
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	ops_upsert(&ops, "objection", argv[optind], cols, 3);
	rc = proc_commit(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("objection %s: %s\n", argv[optind], finding);
	return rc;
}

static int
s_exclude(struct node *n, int argc, char **argv)
{
	static const char *const kinds[] = { "land_waste", "family_planning", "crime", NULL };
	const char *cmd = "review exclude", *source = NULL, *date = NULL;
	int lift = 0;
	char today[11], err[ERRBUF_SIZE], key[KEY_MAX];
	int rc, i, pos = 0;
	const char *hh = NULL, *kind = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--source") && i + 1 < argc)
			source = argv[++i];
		else if (!strcmp(argv[i], "--date") && i + 1 < argc)
			date = argv[++i];
		else if (!strcmp(argv[i], "--lift"))
			lift = 1;
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: lika review exclude HOUSEHOLD land_waste|family_planning|crime "
			    "--source TEXT [--lift]\n\n"
			    "Record one of the three exclusions (三不评) with its source: land left to\n"
			    "waste instead of being transferred; violation of the family-planning\n"
			    "policy since 2000; habitual gambling, drug use or other crimes.  It blocks\n"
			    "registration.  --lift records that the finding was wrong.\n");
			return EXIT_OK;
		} else if (argv[i][0] == '-')
			return tool_fail(EXIT_USAGE, cmd, "unknown option \"%s\"", argv[i]);
		else if (pos++ == 0)
			hh = argv[i];
		else
			kind = argv[i];
	}
	if (!hh || !kind || !source || !*source)
		return tool_fail(EXIT_USAGE, cmd, "HOUSEHOLD, KIND and --source TEXT are required");
	for (i = 0; kinds[i] && strcmp(kinds[i], kind) != 0; i++)
		;
	if (!kinds[i])
		return tool_fail(EXIT_USAGE, cmd, "kind \"%s\" is none of land_waste, family_planning, "
		    "crime", kind);
	if (proc_check_text(cmd, "--source", source, 500))
		return EXIT_USAGE;
	if (date && date_day(date) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--date \"%s\" is not a date YYYY-MM-DD", date);
	if (date)
		snprintf(today, sizeof today, "%s", date);
	else
		date_today(today);
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	if (n->conf.role != ROLE_TOWNSHIP || proc_int(ledger_db(n->ledger),
	    "SELECT count(*) FROM household WHERE id = ?1", hh, 0) != 1 ||
	    strncmp(hh, n->conf.code, 9) != 0) {
		ledger_rollback(n->ledger);
		return tool_fail(EXIT_USAGE, cmd, "no household \"%s\" in this township", hh);
	}
	snprintf(key, sizeof key, "%s/%s", hh, kind);
	struct colval cols[] = { COL_TEXT("household", hh), COL_TEXT("kind", kind),
		COL_TEXT("source", source), COL_TEXT("at", today), COL_INT("lifted", lift) };
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	ops_upsert(&ops, "exclusion", key, cols, 5);
	rc = proc_commit(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("%s: exclusion %s %s\n", hh, kind, lift ? "lifted" : "recorded");
	return rc;
}

/* ---- show ----------------------------------------------------------------------- */

static int
s_show(struct node *n, int argc, char **argv)
{
	int json = 0;
	const char *hh = NULL;
	struct procedure_state h;
	char err[ERRBUF_SIZE];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: lika review show HOUSEHOLD [--json]\n\nEvery step of every round, "
			    "who signed, objections, and whether a county approval still matches the file.\n");
			return EXIT_OK;
		} else
			hh = argv[i];
	}
	if (!hh)
		return tool_fail(EXIT_USAGE, "review show", "HOUSEHOLD required");
	sqlite3 *db = ledger_db(n->ledger);
	if (procedure_load(db, "main", hh, NULL, &h) != 1)
		return tool_fail(EXIT_USAGE, "review show", "no household \"%s\" in this archive", hh);
	uint8_t hash[HASH_BYTES];
	if (procedure_record_hash(db, "main", hh, hash, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "review show", "%s", err);
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(db, "SELECT id, round, procedure, step, decision, at, days, "
	    "coalesce(reasons, ''), coalesce(official, ''), record_hash, (SELECT name FROM official o "
	    "WHERE o.id = s.official), tbl, coalesce(details, ''), coalesce(by_name, '') FROM (SELECT *, 'review_step' AS tbl "
	    "FROM review_step UNION ALL SELECT *, 'approval' FROM approval) s WHERE household = ?1 "
	    "ORDER BY round, id", -1, &st, NULL);
	sqlite3_bind_text(st, 1, hh, -1, SQLITE_STATIC);
	if (json)
		printf("{\"household\":\"%s\",\"status\":\"%s\",\"stage\":", hh, h.status);
	else
		printf("household %s  status %s  %s\n", hh, h.status, review_stage(&h));
	if (json) {
		json_str(stdout, review_stage(&h));
		printf(",\"steps\":[");
	}
	int first = 1, stale_any = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const struct step_def *d = procedure_step(col_text(st, 2), col_text(st, 3));
		int binding = !strcmp(col_text(st, 3), "county_approval") || !strcmp(col_text(st, 3), "exit_announce");
		int stale = binding && !strcmp(col_text(st, 4), "pass") && sqlite3_column_bytes(st, 9) == HASH_BYTES &&
		    memcmp(sqlite3_column_blob(st, 9), hash, HASH_BYTES) != 0 &&
		    sqlite3_column_int(st, 1) == h.round && !h.complete;
		/* once the round completed (registered), later edits are ordinary file updates */
		stale_any |= stale;
		if (json) {
			printf("%s{\"id\":\"%s\",\"round\":%d,\"procedure\":\"%s\",\"step\":\"%s\",\"label\":",
			    first ? "" : ",", col_text(st, 0), sqlite3_column_int(st, 1), col_text(st, 2), col_text(st, 3));
			json_str(stdout, d ? d->label : "");
			printf(",\"decision\":\"%s\",\"at\":\"%s\",", col_text(st, 4), col_text(st, 5));
			if (sqlite3_column_type(st, 6) != SQLITE_NULL)
				printf("\"days\":%d,", sqlite3_column_int(st, 6));
			printf("\"reasons\":");
			json_str(stdout, col_text(st, 7));
			printf(",\"official\":");
			json_str(stdout, col_text(st, 8));
			printf(",\"official_name\":");
			json_str(stdout, col_text(st, 10));
			printf(",\"by\":");
			json_str(stdout, col_text(st, 13));
			printf(",\"details\":%s,\"stale\":%s}", *col_text(st, 12) ? col_text(st, 12) : "null",
			    stale ? "true" : "false");
		} else {
			printf("  %s  %-16s ", col_text(st, 0), col_text(st, 3));
			proc_pad(stdout, d ? d->label : "", 22);
			printf(" %-7s %s", col_text(st, 4), col_text(st, 5));
			if (sqlite3_column_type(st, 6) != SQLITE_NULL)
				printf(" +%dd", sqlite3_column_int(st, 6));
			if (*col_text(st, 8))
				printf("  signed %s %s", col_text(st, 8), col_text(st, 10));
			else if (*col_text(st, 13))
				printf("  by %s", col_text(st, 13));
			if (*col_text(st, 7))
				printf("  reasons: %s", col_text(st, 7));
			if (stale)
				printf("  STALE: the file changed after this approval");
			printf("\n");
		}
		first = 0;
	}
	sqlite3_finalize(st);
	sqlite3_prepare_v2(db, "SELECT id, at, by_name, content, coalesce(finding, 'open'), "
	    "coalesce(finding_note, '') FROM objection WHERE household = ?1 ORDER BY id", -1, &st, NULL);
	sqlite3_bind_text(st, 1, hh, -1, SQLITE_STATIC);
	if (json)
		printf("],\"objections\":[");
	first = 1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (json) {
			printf("%s{\"id\":\"%s\",\"at\":\"%s\",\"by\":", first ? "" : ",", col_text(st, 0), col_text(st, 1));
			json_str(stdout, col_text(st, 2));
			printf(",\"content\":");
			json_str(stdout, col_text(st, 3));
			printf(",\"finding\":\"%s\",\"note\":", col_text(st, 4));
			json_str(stdout, col_text(st, 5));
			printf("}");
		} else {
			printf("  objection %s %s by %s: %s — %s %s\n", col_text(st, 0), col_text(st, 1), col_text(st, 2),
			    col_text(st, 3), col_text(st, 4), col_text(st, 5));
		}
		first = 0;
	}
	sqlite3_finalize(st);
	if (json)
		printf("],\"approval_stale\":%s}\n", stale_any ? "true" : "false");
	else if (stale_any)
		printf("approval: stale\n");
	return EXIT_OK;
}

/* ---- the clerk's worklist ---------------------------------------------------------- */

static int
s_todo(struct node *n, int argc, char **argv)
{
	int json = 0, first = 1;
	char today[11];
	sqlite3_stmt *st = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: lika review todo [--json]\n\n"
			    "Every household with an open round: its next step, the node that takes it,\n"
			    "and what it waits for (a notice running until a date, objections without a\n"
			    "finding).  Today is $LIKA_TODAY if set.\n");
			return EXIT_OK;
		} else
			return tool_fail(EXIT_USAGE, "review todo", "unexpected argument \"%s\"", argv[i]);
	}
	date_today(today);
	sqlite3 *db = ledger_db(n->ledger);
	sqlite3_prepare_v2(db, "SELECT id FROM household ORDER BY id", -1, &st, NULL);
	if (json)
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct procedure_state h;
		if (procedure_load(db, "main", col_text(st, 0), NULL, &h) != 1 || h.round == 0 || h.rejected || h.complete)
			continue;
		const struct step_def *next = procedure_step_no(h.procedure, h.last + 1);
		const struct step_def *last = procedure_step_no(h.procedure, h.last);
		if (!next || !last)
			continue;
		char wait[160] = "";
		if (last->flags & STEP_NOTICE) {
			long end = date_day(h.s[h.last].at) + h.s[h.last].days;
			char from[11];
			date_format(from, end);
			if (date_day(today) < end)
				snprintf(wait, sizeof wait, "notice runs until the day before %s", from);
			int64_t open = proc_int(db, "SELECT count(*) FROM objection WHERE step = ?1 AND "
			    "finding IS NULL", h.s[h.last].key, 0);
			if (open)
				snprintf(wait + strlen(wait), sizeof wait - strlen(wait), "%s%lld objection(s) "
				    "without a finding", wait[0] ? "; " : "", (long long)open);
		}
		const char *where = next->flags & STEP_COUNTY ? "county" : "township";
		if (json) {
			printf("%s{\"household\":\"%s\",\"round\":%d,\"procedure\":\"%s\",\"next\":\"%s\","
			    "\"command\":\"%s\",\"at\":\"%s\",\"waits\":", first ? "" : ",", h.id, h.round,
			    h.procedure, next->name, next->command, where);
			json_str(stdout, wait);
			printf("}");
		} else {
			printf("%s  %-5s r%d  next %-16s (lika review %s, %s node)%s%s\n", h.id, h.procedure,
			    h.round, next->name, next->command, where, wait[0] ? "  waits: " : "", wait);
		}
		first = 0;
	}
	sqlite3_finalize(st);
	if (json)
		printf("]\n");
	return EXIT_OK;
}

int
cmd_review(int argc, char **argv)
{
	enum { T = NEED_NODE_RW | TOWNSHIP_ONLY, C = NEED_NODE_RW | COUNTY_ONLY, R = NEED_NODE_RO };
	static const struct tool_command sub[] = {
		{ "apply",           s_apply,           T, "1 申请: the household applies (township)" },
		{ "group-eval",      s_group_eval,      T, "2 村小组初评: village-group first evaluation" },
		{ "village-eval",    s_village_eval,    T, "3 村级评议: panel, votes, five comparisons, rank" },
		{ "notice",          s_notice,          T, "4 村级公示: first notice (policy days, default 7)" },
		{ "cadre-sign",      s_cadre_sign,      T, "5 驻村干部签字 (--key of a village cadre)" },
		{ "township-review", s_township_review, T, "6 乡镇审核 (quota checked)" },
		{ "township-notice", s_township_notice, T, "7 乡镇公示: second notice (default 7 days)" },
		{ "head-sign",       s_head_sign,       T, "8 乡镇长签字并加盖公章 (--key of the head; node seal)" },
		{ "county-approve",  s_county_approve,  C, "9 县级审批: approve (county node, --key)" },
		{ "county-reject",   s_county_reject,   C, "9 县级审批: reject with reasons (county node)" },
		{ "county-notice",   s_county_notice,   C, "10 县级公示: third notice (default 15 days)" },
		{ "register",        s_register,        T, "11 张榜公示·建档立卡: register (township)" },
		{ "exit-notice",     s_exit_notice,     T, "exit 2 脱贫公示 (after half-year review exit)" },
		{ "exit-announce",   s_exit_announce,   C, "exit 3 县级脱贫公告 (county node, --key)" },
		{ "exit-confirm",    s_exit_confirm,    T, "exit 4 脱贫退出 (--key of the head; node seal)" },
		{ "object",          s_object,          T, "record an objection to the running notice" },
		{ "finding",         s_finding,         T, "record an objection's finding" },
		{ "exclude",         s_exclude,         T, "record one of the three exclusions (三不评)" },
		{ "rank",            s_cmd_rank,        R, "a village's applicants in rank order" },
		{ "show",            s_show,            R, "a household's steps, signers and objections" },
		{ "todo",            s_todo,            R, "open rounds: each household's next step and what it waits for" },
		{ NULL, NULL, 0, NULL },
	};
	return tool_subcommand("review", sub, argc, argv);
}

/* ---- the half-yearly review (动态管理) ---------------------------------------------- */

static int
s_half_year_review(struct node *n, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "reasons", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "date", required_argument, NULL, 'd' },
		{ "household-agrees", no_argument, NULL, 'a' },
		{ "assured", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "half-year review", *period = NULL, *reasons = NULL, *keyfile = NULL,
	    *date = NULL;
	int agrees = 0, assured = 0, ch, rc, passfd = -1;
	char today[11], per[16], err[ERRBUF_SIZE], key[KEY_MAX];

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': period = optarg; break;
		case 'r': reasons = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'P':
			if (passphrase_fd_arg(optarg, &passfd, err, sizeof err) < 0)
				return tool_fail(EXIT_USAGE, cmd, "%s", err);
			break;
		case 'd': date = optarg; break;
		case 'a': agrees = 1; break;
		case 'A': assured = 1; break;
		case 'h':
			printf("usage: lika half-year review HOUSEHOLD stay|exit|return|remove\n"
			    "           [--period YYYY-1|YYYY-2] [--reasons TEXT] [--key FILE] [--date D]\n"
			    "           [--household-agrees] [--assured] [--passphrase-fd N]\n\n"
			    "The half-yearly review of a household (动态管理, 有进有出):\n"
			    "  stay    a registered household stays\n"
			    "  exit    income stably above the line, 两不愁三保障 (--assured), the household\n"
			    "          agrees (--household-agrees): opens the exit procedure with its\n"
			    "          democratic evaluation signed by a village cadre (--key); then\n"
			    "          \"review exit-notice\", \"review exit-announce\" (county), \"review exit-confirm\"\n"
			    "  return  an exited household is poor again (返贫): income not above the line\n"
			    "  remove  wrongly registered (清退): --reasons and a township head's --key\n"
			    "New households enter through the full procedure (\"lika review apply\").\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return tool_fail(EXIT_USAGE, cmd, "HOUSEHOLD and a decision stay|exit|return|remove required");
	const char *hh = argv[optind], *decision = argv[optind + 1];
	if (strcmp(decision, "stay") && strcmp(decision, "exit") && strcmp(decision, "return") &&
	    strcmp(decision, "remove"))
		return tool_fail(EXIT_USAGE, cmd, "decision \"%s\" is none of stay, exit, return, remove",
		    decision);
	if (date && date_day(date) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--date \"%s\" is not a date YYYY-MM-DD", date);
	if (date)
		snprintf(today, sizeof today, "%s", date);
	else
		date_today(today);
	if (period) {
		if (strlen(period) != 6 || period[4] != '-' || strspn(period, "0123456789") != 4 ||
		    (period[5] != '1' && period[5] != '2'))
			return tool_fail(EXIT_USAGE, cmd, "--period \"%s\" is not YYYY-1 or YYYY-2", period);
		snprintf(per, sizeof per, "%s", period);
	} else {
		snprintf(per, sizeof per, "%.4s-%c", today, strncmp(today + 5, "07", 2) < 0 ? '1' : '2');
	}
	if (reasons && proc_check_text(cmd, "--reasons", reasons, 2000))
		return EXIT_USAGE;
	if (!strcmp(decision, "remove") && (!reasons || !*reasons))
		return tool_fail(EXIT_USAGE, cmd, "removal (清退) needs --reasons TEXT");
	const char *role = !strcmp(decision, "exit") ? ROLE_VILLAGE_CADRE :
	    !strcmp(decision, "remove") ? ROLE_TOWNSHIP_HEAD : NULL;
	if (role && !keyfile)
		return tool_fail(EXIT_USAGE, cmd, "%s is signed by a %s: --key FILE is required", decision, role);

	struct procedure_state h;
	struct signer sg;
	int have_signer = 0;
	memset(&sg, 0, sizeof sg);
	/* the passphrase is asked before the write starts (proc_signer_unlock) */
	if (keyfile && (rc = proc_signer_unlock(&sg, keyfile, passfd, cmd)) != EXIT_OK) {
		proc_signer_release(&sg);
		return rc;
	}
	if (ledger_begin(n->ledger, err, sizeof err) < 0) {
		proc_signer_release(&sg);
		return tool_fail(EXIT_FAIL, cmd, "%s", err);
	}
	sqlite3 *db = ledger_db(n->ledger);
	if (procedure_load(db, "main", hh, NULL, &h) != 1 || strncmp(hh, n->conf.code, 9) != 0) {
		rc = tool_fail(EXIT_USAGE, cmd, "no household \"%s\" in this township", hh);
		goto out;
	}
	snprintf(key, sizeof key, "%s/%s", hh, per);
	if (proc_int(db, "SELECT count(*) FROM half_year WHERE id = ?1", key, 0)) {
		rc = proc_refuse(cmd, "order", "household %s was already reviewed for %s", hh, per);
		goto out;
	}
	int registered = !strcmp(h.status, STATUS_REGISTERED) || !strcmp(h.status, STATUS_RETURNED);
	const char *status = NULL;
	if (!strcmp(decision, "return")) {
		if (strcmp(h.status, STATUS_EXITED) != 0) {
			rc = proc_refuse(cmd, "order", "only an exited household returns to poverty; %s has "
			    "status %s", hh, h.status);
			goto out;
		}
		char rule[32], why[ERRBUF_SIZE];
		if (procedure_check_eligible(db, "main", &h, today, rule, sizeof rule, why, sizeof why) < 0) {
			rc = s_refused(cmd, rule, why);
			goto out;
		}
		status = STATUS_RETURNED;
	} else if (!registered) {
		rc = proc_refuse(cmd, "order", "household %s is not registered (status %s)", hh, h.status);
		goto out;
	} else if (h.round && !h.complete && !h.rejected) {
		rc = proc_refuse(cmd, "order", "household %s is in %s", hh, review_stage(&h));
		goto out;
	}
	if (!strcmp(decision, "exit")) {
		char rule[32], why[ERRBUF_SIZE];
		struct step_take t = {
			.def = procedure_step("exit", "exit_eval"), .round = h.round + 1, .decision = "pass",
			.at = today, .clock_ms = clock_ms(),
		};
		if (procedure_check_step(db, "main", &h, &t, CHECK_ALL, rule, sizeof rule, why,
		    sizeof why) < 0) {
			rc = s_refused(cmd, rule, why);
			goto out;
		}
		if (!assured) {
			rc = proc_refuse(cmd, "exit-assurances", "exit needs 两不愁三保障 verified (--assured)");
			goto out;
		}
		if (!agrees) {
			rc = proc_refuse(cmd, "exit-consent", "exit needs the household's agreement "
			    "(--household-agrees)");
			goto out;
		}
	}
	if (!strcmp(decision, "remove"))
		status = STATUS_REMOVED;
	if (keyfile) {
		char township[CODE_MAX];
		if ((rc = proc_signer_load(&sg, db, keyfile, role, cmd)) != EXIT_OK)
			goto out;
		have_signer = 1;
		snprintf(township, sizeof township, "%.9s", hh);
		if (!strcmp(sg.role, ROLE_COUNTY_OFFICE) ||
		    !procedure_office_fits(sg.role, sg.office, township, "")) {
			rc = proc_refuse(cmd, "signer-office", "%s (%s, %s of %s) may not sign for township %s",
			    sg.id, sg.name, sg.role, sg.office, township);
			goto out;
		}
	}

	/* the half-year row, signed if a key was given */
	uint8_t sig[SIG_BYTES];
	struct ops ops = OPS_INIT;
	ops_init(&ops);
	if (have_signer) {
		msgpack_sbuffer sb;
		struct half_year_row hr = {
			.key = key, .household = hh, .period = per, .decision = decision, .at = today,
			.reasons = reasons, .official = sg.id,
		};
		statement_half_year(&sb, &hr);
		statement_sign(sig, &sb, sg.sk);
		msgpack_sbuffer_destroy(&sb);
	}
	struct colval cols[] = {
		COL_TEXT("household", hh), COL_TEXT("period", per), COL_TEXT("decision", decision),
		COL_TEXT("at", today),
		reasons ? (struct colval)COL_TEXT("reasons", reasons) : (struct colval)COL_NIL("reasons"),
		have_signer ? (struct colval)COL_TEXT("official", sg.id) : (struct colval)COL_NIL("official"),
		have_signer ? (struct colval)COL_BLOB("signer", sg.pk, PUBKEY_BYTES) : (struct colval)COL_NIL("signer"),
		have_signer ? (struct colval)COL_BLOB("sig", sig, SIG_BYTES) : (struct colval)COL_NIL("sig"),
	};
	ops_upsert(&ops, "half_year", key, cols, sizeof cols / sizeof cols[0]);

	if (!strcmp(decision, "exit")) {
		/* the exit procedure opens with its democratic evaluation, signed by the cadre */
		const struct step_def *def = procedure_step("exit", "exit_eval");
		char skey[KEY_MAX];
		uint8_t hash[HASH_BYTES], ssig[SIG_BYTES];
		const char *details = "{\"household_agrees\":true,\"assured\":true}";
		int round = h.round + 1;
		if (procedure_record_hash(db, "main", hh, hash, err, sizeof err) < 0) {
			ops_release(&ops);
			rc = tool_fail(EXIT_FAIL, cmd, "%s", err);
			goto out;
		}
		procedure_step_key(skey, sizeof skey, hh, round, def->number);
		struct step_row r = {
			.table = "review_step", .key = skey, .household = hh, .round = round,
			.procedure = "exit", .step = def->name, .decision = "pass", .at = today, .days = -1,
			.reasons = reasons, .details = details, .record_hash = hash, .official = sg.id,
			.by_name = sg.name,
		};
		msgpack_sbuffer sb;
		statement_step(&sb, &r);
		statement_sign(ssig, &sb, sg.sk);
		msgpack_sbuffer_destroy(&sb);
		struct colval sc[] = {
			COL_TEXT("household", hh), COL_INT("round", round), COL_TEXT("procedure", "exit"),
			COL_TEXT("step", def->name), COL_TEXT("decision", "pass"), COL_TEXT("at", today),
			COL_TEXT("by_name", sg.name), COL_NIL("days"),
			reasons ? (struct colval)COL_TEXT("reasons", reasons) : (struct colval)COL_NIL("reasons"),
			COL_TEXT("details", details), COL_BLOB("record_hash", hash, HASH_BYTES),
			COL_TEXT("official", sg.id), COL_BLOB("signer", sg.pk, PUBKEY_BYTES),
			COL_BLOB("sig", ssig, SIG_BYTES), COL_NIL("seal"),
		};
		ops_upsert(&ops, "review_step", skey, sc, sizeof sc / sizeof sc[0]);
	}
	if (status) {
		struct colval sc[] = { COL_TEXT("status", status) };
		ops_upsert(&ops, "household", hh, sc, 1);
	}
	rc = proc_commit(n, cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		printf("%s: half-year %s: %s%s%s\n", hh, per, decision,
		    !strcmp(decision, "exit") ? " (exit procedure opened: next \"lika review exit-notice\")" : "",
		    status ? (!strcmp(status, STATUS_RETURNED) ? " (返贫)" : " (清退)") : "");
	proc_signer_release(&sg);
	return rc;
out:
	proc_signer_release(&sg);
	ledger_rollback(n->ledger);
	return rc;
}

static int
s_half_year_list(struct node *n, int argc, char **argv)
{
	sqlite3_stmt *st = NULL;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		printf("usage: lika half-year list [PERIOD]\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? EXIT_OK : EXIT_USAGE;
	}
	sqlite3_prepare_v2(ledger_db(n->ledger), "SELECT household, period, decision, at, "
	    "coalesce(reasons, ''), coalesce(official, '') FROM half_year WHERE ?1 IS NULL OR "
	    "period = ?1 ORDER BY period, household", -1, &st, NULL);
	if (argc == 2)
		sqlite3_bind_text(st, 1, argv[1], -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%s  %s  %-6s  %s  %s  %s\n", col_text(st, 0), col_text(st, 1), col_text(st, 2), col_text(st, 3),
		    col_text(st, 5), col_text(st, 4));
	sqlite3_finalize(st);
	return EXIT_OK;
}

int
cmd_half_year(int argc, char **argv)
{
	static const struct tool_command sub[] = {
		{ "review", s_half_year_review, NEED_NODE_RW | TOWNSHIP_ONLY,
		    "review a household: stay, exit, return, remove" },
		{ "list",   s_half_year_list, NEED_NODE_RO, "list half-year reviews" },
		{ NULL, NULL, 0, NULL },
	};
	return tool_subcommand("half-year", sub, argc, argv);
}
