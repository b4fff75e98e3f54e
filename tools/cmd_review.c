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
#include "rank.h"
#include "util.h"
#include "village.h"

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

/* ---- ranking (三优先, 人均纯收入; lib/domain/rank.c) ------------------------------- */

/* Print the names of the priorities P as a JSON array. */
static void
s_print_priorities_json(int p)
{
	sqlite3_str *s = sqlite3_str_new(NULL);
	char *json;

	rank_priorities_json(s, p);
	json = sqlite3_str_finish(s);
	fputs(json ? json : "[]", stdout);
	sqlite3_free(json);
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
	int k = rank_village(ledger_db(n->ledger), "main", village, today, &a);
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
			s_print_priorities_json(a[i].priorities);
			printf(",\"net_per_capita\":%s,\"income_year\":%d,\"stage\":",
			    a[i].has_income ? yuan : "null", a[i].income_year);
			json_str(stdout, a[i].stage);
			printf("}");
		} else {
			printf("%3d  %s  %-10s  %10s  ", i + 1, a[i].id, a[i].head, yuan);
			for (int b = 0; b < RANK_PRIORITIES; b++)
				if (a[i].priorities & (1 << b))
					printf("%s ", rank_priority_names[b]);
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
	/* a batch: many households of a village in one change set */
	const char *village;
	const char *households;     /* H1,H2,…; NULL with --all-waiting */
	int all_waiting;
	/* village-eval */
	const char *panel;
	int votes_for, votes_against, votes_abstain;
	const char *assets, *consumption;
};

/* The group, votes and figures of a village_eval step (lib/domain/rank.c) as the details JSON. */
static int
s_eval_details(sqlite3 *db, const char *cmd, const struct procedure_state *h, const struct step_opts *o,
    const char *today, char **out)
{
	struct village_vote v = {
		.votes_for = o->votes_for, .votes_against = o->votes_against,
		.votes_abstain = o->votes_abstain, .assets = -1, .consumption = -1,
	};
	char rule[32], why[ERRBUF_SIZE];

	char group[1024];

	*out = NULL;
	if (!o->panel) {
		/* 评议小组: recorded once a year for the village (lika village eval-group set) */
		int year = proc_year(today);
		int found = village_eval_group(db, "main", h->village, year, group, sizeof group);
		if (found < 0)
			return tool_fail(EXIT_FAIL, cmd, "%s", sqlite3_errmsg(db));
		if (!found)
			return tool_fail(EXIT_USAGE, cmd, "no --panel, and no evaluation group of village %s "
			    "for %d is recorded (\"lika village eval-group set %s %d --members …\")",
			    h->village, year, h->village, year);
	}
	v.panel = rank_panel_parse(o->panel ? o->panel : group, v.names);
	if (v.panel < 0)
		return tool_fail(EXIT_USAGE, cmd, "--panel: a name is longer than 63 bytes or has a quote, "
		    "backslash or control character");
	switch (rank_vote_check(&v, o->reject, rule, sizeof rule, why, sizeof why)) {
	case 0: break;
	case -1: return proc_refuse(cmd, rule, "%s", why);
	default: return tool_fail(EXIT_USAGE, cmd, "%s", why);
	}
	if (o->assets && money_parse_yuan(o->assets, &v.assets) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--assets \"%s\" is not an amount of yuan", o->assets);
	if (o->consumption && money_parse_yuan(o->consumption, &v.consumption) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--consumption \"%s\" is not an amount of yuan",
		    o->consumption);
	if (rank_eval_details(db, "main", h->id, h->village, &v, today, out) < 0)
		return tool_fail(EXIT_FAIL, cmd, "out of memory");
	return EXIT_OK;
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
	int pending;                /* a batch: passed through this step before this household */
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

/* Every rule of the procedure (lib/domain) for the household loaded, then the details. */
static int
s_step_check_household(struct step_run *x)
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
		.clock_ms = clock_ms(), .record_hash = x->hash, .pending = x->pending,
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
	return EXIT_OK;
}

/* The signing official (--key): on the roster, of the step's role, posted where it may sign for TOWNSHIP. */
static int
s_step_signer(struct step_run *x, const char *township)
{
	sqlite3 *db = ledger_db(x->n->ledger);
	int rc;

	if ((rc = proc_signer_load(&x->sg, db, x->o->key, x->def->role, x->cmd)) != EXIT_OK)
		return rc;
	x->have_signer = 1;
	char county[CODE_MAX];
	snprintf(county, sizeof county, "%.6s", township);
	if (!procedure_office_fits(x->sg.role, x->sg.office, township, county))
		return proc_refuse(x->cmd, "signer-office", "%s (%s, %s of %s) may not sign for township %s",
		    x->sg.id, x->sg.name, x->sg.role, x->sg.office, township);
	return EXIT_OK;
}

/* Every rule of the procedure (lib/domain), then the details and the signer. */
static int
s_step_check(struct step_run *x)
{
	char township[CODE_MAX];
	int rc = s_step_check_household(x);

	if (rc != EXIT_OK || !x->o->key)
		return rc;
	snprintf(township, sizeof township, "%.9s", x->h.id);
	return s_step_signer(x, township);
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

/* The line that reports the step taken, appended to OUT. */
static void
s_step_print(const struct step_run *x, sqlite3_str *out)
{
	sqlite3_str_appendf(out, "%s: %s %s (%s) round %d step %d: %s", x->h.id, x->def->procedure,
	    x->def->name, x->def->label, x->round, x->def->number, x->decision);
	if (x->days >= 0) {
		char end[11];
		date_format(end, date_day(x->today) + x->days - 1);
		sqlite3_str_appendf(out, ", %d days %s to %s", x->days, x->today, end);
	} else {
		sqlite3_str_appendf(out, " on %s", x->today);
	}
	if (x->have_signer)
		sqlite3_str_appendf(out, ", signed by %s %s", x->sg.id, x->sg.name);
	if (x->def->flags & STEP_SEAL)
		sqlite3_str_appendf(out, ", sealed by %s", x->n->conf.code);
	sqlite3_str_appendf(out, "\n");
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
		if (rc == EXIT_OK) {
			sqlite3_str *line = sqlite3_str_new(NULL);
			s_step_print(&x, line);
			char *text = sqlite3_str_finish(line);
			fputs(text ? text : "", stdout);
			sqlite3_free(text);
		}
	}
	ledger_rollback(x.n->ledger);    /* nothing to undo after a commit */
	sqlite3_free(x.details);
	proc_signer_release(&x.sg);
	return rc;
}

/* ---- a batch: one step for many households of a village, one change set ---------------- */

/* Is H waiting for step DEF: no open round (apply), else the step before it done and nothing more? */
static int
s_waiting(const struct procedure_state *h, const struct step_def *def)
{
	if (def->number == 1)
		return !strcmp(def->procedure, "entry") && (h->round == 0 || h->rejected);
	return !strcmp(h->procedure, def->procedure) && !h->rejected && !h->complete &&
	    h->last == def->number - 1;
}

/* The ids of the batch into LIST (sqlite3_malloc'd, one a line): --households, or every waiting one. */
static int
s_batch_ids(struct step_run *x, const char *village, sqlite3_str *list)
{
	sqlite3 *db = ledger_db(x->n->ledger);

	if (x->o->households) {
		for (const char *p = x->o->households; *p; ) {
			size_t len = strcspn(p, ",");
			char line[17];
			if (len != 15 || strspn(p, "0123456789") < 15)
				return tool_fail(EXIT_USAGE, x->cmd, "--households: \"%.*s\" is not a 15-digit "
				    "household id", (int)(len > 20 ? 20 : len), p);
			snprintf(line, sizeof line, "%.15s\n", p);
			const char *seen = sqlite3_str_value(list);
			if (seen && strstr(seen, line))
				return tool_fail(EXIT_USAGE, x->cmd, "--households: %.15s is named twice", p);
			sqlite3_str_appendf(list, "%s", line);
			p += len;
			p += *p == ',';
		}
		return EXIT_OK;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT id FROM household WHERE village = ?1 ORDER BY id", -1, &st,
	    NULL) != SQLITE_OK)
		return tool_fail(EXIT_FAIL, x->cmd, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, village, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct procedure_state h;
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (procedure_load(db, "main", id, NULL, &h) == 1 && s_waiting(&h, x->def))
			sqlite3_str_appendf(list, "%s\n", id);
	}
	sqlite3_finalize(st);
	return EXIT_OK;
}

/* One household of the batch: loaded, of the village, every rule; its ops into OPS.  EXIT_OK when stepped. */
static int
s_batch_one(struct step_run *x, const char *id, const char *village, struct ops *ops, sqlite3_str *done)
{
	sqlite3 *db = ledger_db(x->n->ledger);
	int rc = procedure_load(db, "main", id, NULL, &x->h);

	if (rc < 0)
		return tool_fail(EXIT_FAIL, x->cmd, "%s", sqlite3_errmsg(db));
	if (rc == 0)
		return proc_refuse(x->cmd, "household-known", "no household \"%s\" in this archive", id);
	if (strcmp(x->h.village, village) != 0)
		return proc_refuse(x->cmd, "batch-village", "household %s is of village %s, not %s", id,
		    x->h.village, village);
	x->details = NULL;
	if ((rc = s_step_check_household(x)) == EXIT_OK) {
		s_step_ops(x, ops);
		s_step_print(x, done);
	}
	sqlite3_free(x->details);
	x->details = NULL;
	return rc;
}

/* The batch's village: of this township, or of this county for a county step. */
static int
s_batch_village(const struct step_run *x, const char *village)
{
	char err[ERRBUF_SIZE];
	const char *code = x->n->conf.code;

	if (strlen(village) != 12 || !is_digits(village, 12) || strncmp(village, code, strlen(code)) != 0)
		return tool_fail(EXIT_USAGE, x->cmd, "--village \"%s\" is not a 12-digit village code of %s",
		    village, code);
	if (code_role(code) == ROLE_TOWNSHIP && code_check_village_of(village, code, err, sizeof err) < 0)
		return tool_fail(EXIT_USAGE, x->cmd, "%s", err);
	return EXIT_OK;
}

/* Step DEF for the households of the batch, in one change set; the refused ones are left out. */
static int
s_batch_run(struct step_run *x, const char *village, int *stepped, int *refused)
{
	struct ops ops = OPS_INIT;
	sqlite3_str *ids = sqlite3_str_new(NULL), *done = sqlite3_str_new(NULL);
	char township[CODE_MAX];
	int rc;

	snprintf(township, sizeof township, "%.9s", village);
	char group[1024];
	/* the same for every household: said once, not once a household */
	if (!strcmp(x->def->name, "village_eval") && !x->o->panel &&
	    village_eval_group(ledger_db(x->n->ledger), "main", village, proc_year(x->today), group,
	    sizeof group) != 1) {
		rc = tool_fail(EXIT_USAGE, x->cmd, "no --panel, and no evaluation group of village %s for "
		    "%d is recorded (\"lika village eval-group set %s %d --members …\")", village,
		    proc_year(x->today), village, proc_year(x->today));
		goto out;
	}
	if ((x->o->key && (rc = s_step_signer(x, township)) != EXIT_OK) ||
	    (rc = s_batch_ids(x, village, ids)) != EXIT_OK)
		goto out;
	char *list = sqlite3_str_value(ids);
	ops_init(&ops);
	for (char *p = list; p && *p; p += strcspn(p, "\n") + 1) {
		char id[16];
		snprintf(id, sizeof id, "%.15s", p);
		rc = s_batch_one(x, id, village, &ops, done);
		if (rc == EXIT_FAIL)
			goto out;
		if (rc != EXIT_OK) {
			(*refused)++;
			continue;
		}
		(*stepped)++;
		if (!strcmp(x->decision, "pass"))
			x->pending++;
	}
	if (*stepped == 0) {
		rc = tool_fail(EXIT_USAGE, x->cmd, "no household of village %s %s: nothing written", village,
		    *refused ? "passed the step's rules" : "waits for this step");
		goto out;
	}
	if ((rc = proc_commit(x->n, x->cmd, &ops)) == EXIT_OK)
		fputs(sqlite3_str_value(done) ? sqlite3_str_value(done) : "", stdout);
out:
	ops_release(&ops);
	sqlite3_free(sqlite3_str_finish(ids));
	sqlite3_free(sqlite3_str_finish(done));
	return rc;
}

static int
s_do_batch(struct node *n, const char *cmd, const struct step_def *def, const struct step_opts *o)
{
	struct step_run x = { .cmd = cmd, .def = def, .o = o, .n = n };
	char err[ERRBUF_SIZE];
	int rc, stepped = 0, refused = 0;

	if ((rc = s_step_options(&x)) != EXIT_OK || (rc = s_batch_village(&x, o->village)) != EXIT_OK)
		return rc;
	/* one passphrase for the batch, asked before the write starts; one signature a household */
	if (o->key && (rc = proc_signer_unlock(&x.sg, o->key, o->passfd, cmd)) != EXIT_OK) {
		proc_signer_release(&x.sg);
		return rc;
	}
	if (ledger_begin(n->ledger, err, sizeof err) < 0)
		rc = tool_fail(EXIT_FAIL, cmd, "%s", err);
	else
		rc = s_batch_run(&x, o->village, &stepped, &refused);
	ledger_rollback(n->ledger);     /* nothing to undo after a commit */
	proc_signer_release(&x.sg);
	if (rc != EXIT_OK)
		return rc;
	printf("%s: %d household%s of village %s stepped in one change set, %d refused\n", def->name,
	    stepped, stepped == 1 ? "" : "s", o->village, refused);
	/* the refused ones were named above with their rules: the batch did not do all it was asked */
	return refused ? EXIT_FAIL : EXIT_OK;
}

/* The --help of step command NAME (lika review NAME), which takes step DEF. */
static void
s_step_usage(const char *name, const struct step_def *def)
{
	printf("usage: lika review %s HOUSEHOLD [--date YYYY-MM-DD] [--by WHO]%s%s%s\n\n"
	    "%s step %d: %s (%s).\n", name,
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
	printf("Refusals name their rule (exit 2); see proto/PROCEDURE.md.\n\n"
	    "A batch: \"lika review %s --village CODE --households H1,H2,…|--all-waiting\"\n"
	    "takes the step for many households of the village in one change set (one\n"
	    "signature a household where the step is signed), with the same options for\n"
	    "each.  Every household goes through every rule; a refused one is named with\n"
	    "its rule and left out, the rest are written (exit 1 if any was refused).\n"
	    "--all-waiting: every household of the village whose next step this is.\n", name);
	if (!strcmp(def->name, "village_eval"))
		printf("Without --panel the village's evaluation group of the year is named\n"
		    "(\"lika village eval-group set\").\n");
}

/* Option CH (of s_step_cmd's table) with its OPTARG into O; EXIT_OK or prints why as CMD. */
static int
s_step_option(int ch, const char *cmd, struct step_opts *o)
{
	char err[ERRBUF_SIZE], *end;
	long v;

	switch (ch) {
	case 'k': o->key = optarg; break;
	case 'P':
		if (passphrase_fd_arg(optarg, &o->passfd, err, sizeof err) < 0)
			return tool_fail(EXIT_USAGE, cmd, "%s", err);
		break;
	case 'r': o->reasons = optarg; break;
	case 'R': o->reject = 1; break;
	case 'd': o->date = optarg; break;
	case 'b': o->by = optarg; break;
	case 'p': o->panel = optarg; break;
	case 'F': case 'A': case 'B':
		v = strtol(optarg, &end, 10);
		if (*end || !*optarg || v < 0 || v > 15)
			return tool_fail(EXIT_USAGE, cmd, "votes \"%s\" is not a number 0-15", optarg);
		*(ch == 'F' ? &o->votes_for : ch == 'A' ? &o->votes_against : &o->votes_abstain) = (int)v;
		break;
	case 'a': o->assets = optarg; break;
	case 'c': o->consumption = optarg; break;
	case 'V': o->village = optarg; break;
	case 'H': o->households = optarg; break;
	case 'W': o->all_waiting = 1; break;
	default:
		return tool_fail(EXIT_USAGE, cmd, "see \"lika %s --help\"", cmd);
	}
	return EXIT_OK;
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
		{ "village", required_argument, NULL, 'V' },
		{ "households", required_argument, NULL, 'H' },
		{ "all-waiting", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct step_def *def = procedure_step(procedure, name);
	struct step_opts o = { .passfd = -1 };
	char cmd[64];
	int ch, rc;

	snprintf(cmd, sizeof cmd, "review %s", argv[0]);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			s_step_usage(argv[0], def);
			return EXIT_OK;
		}
		if ((rc = s_step_option(ch, cmd, &o)) != EXIT_OK)
			return rc;
	}
	if (force_reject)
		o.reject = 1;
	if (o.village || o.households || o.all_waiting) {
		if (!o.village || !!o.households == o.all_waiting || argc != optind)
			return tool_fail(EXIT_USAGE, cmd, "a batch is --village CODE with either "
			    "--households H1,H2,… or --all-waiting, and no HOUSEHOLD");
		return s_do_batch(n, cmd, def, &o);
	}
	if (argc - optind != 1)
		return tool_fail(EXIT_USAGE, cmd, "one HOUSEHOLD id required (see --help)");
	o.household = argv[optind];
	if (strlen(o.household) != 15 || !is_digits(o.household, 15))
		return tool_fail(EXIT_USAGE, cmd, "household \"%s\" is not a 15-digit household id",
		    o.household);
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
		{ "reasons", required_argument, NULL, 'c' },
		{ "content", required_argument, NULL, 'c' },    /* the old name, still read */
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
			printf("usage: lika review object HOUSEHOLD --by NAME --reasons TEXT [--date D]\n\n"
			    "Record an objection (异议) to the notice now running for the household\n"
			    "(village, township or county notice), with what it says (--reasons; the\n"
			    "older --content is still read).  The step after the notice is refused\n"
			    "until the objection has a finding.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !by || !content || !*by || !*content)
		return tool_fail(EXIT_USAGE, cmd, "HOUSEHOLD, --by NAME and --reasons TEXT are required");
	if (proc_check_text(cmd, "--by", by, 120) || proc_check_text(cmd, "--reasons", content, 2000))
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
		{ "reasons", required_argument, NULL, 'n' },
		{ "note", required_argument, NULL, 'n' },       /* the old name, still read */
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
			printf("usage: lika review finding OBJECTION --upheld|--dismissed --reasons TEXT\n\n"
			    "Record the finding of the investigation of an objection and why (--reasons;\n"
			    "the older --note is still read).  Upheld: the step after the notice can\n"
			    "only reject the file.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !finding || !note || !*note)
		return tool_fail(EXIT_USAGE, cmd, "OBJECTION, --upheld or --dismissed, and --reasons TEXT "
		    "are required");
	if (proc_check_text(cmd, "--reasons", note, 2000))
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
			    "registration.  --lift records that the finding was wrong.  KIND is the\n"
			    "English or the Chinese name: land_waste 土地撂荒 (撂荒), family_planning\n"
			    "违反计划生育政策 (计划生育), crime 赌博、吸毒等违法犯罪 (赌博, 吸毒).\n");
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
	const struct label *kl = label_find(label_exclusions, kind);
	if (!kl) {
		char names[256];
		label_names(label_exclusions, names, sizeof names);
		return tool_fail(EXIT_USAGE, cmd, "kind \"%s\" is none of %s", kind, names);
	}
	kind = kl->key;
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
		printf("%s: exclusion %s (%s) %s\n", hh, kind, kl->zh, lift ? "lifted" : "recorded");
	return rc;
}

/* ---- show ----------------------------------------------------------------------- */

/* Columns of s_show_steps' query. */
enum { SS_ID, SS_ROUND, SS_PROCEDURE, SS_STEP, SS_DECISION, SS_AT, SS_DAYS, SS_REASONS, SS_OFFICIAL,
	SS_HASH, SS_OFFICIAL_NAME, SS_TABLE, SS_DETAILS, SS_BY };

static void
s_show_step_json(sqlite3_stmt *st, const struct step_def *d, int first, int stale)
{
	printf("%s{\"id\":\"%s\",\"round\":%d,\"procedure\":\"%s\",\"step\":\"%s\",\"label\":",
	    first ? "" : ",", col_text(st, SS_ID), sqlite3_column_int(st, SS_ROUND),
	    col_text(st, SS_PROCEDURE), col_text(st, SS_STEP));
	json_str(stdout, d ? d->label : "");
	printf(",\"decision\":\"%s\",\"at\":\"%s\",", col_text(st, SS_DECISION), col_text(st, SS_AT));
	if (sqlite3_column_type(st, SS_DAYS) != SQLITE_NULL)
		printf("\"days\":%d,", sqlite3_column_int(st, SS_DAYS));
	printf("\"reasons\":");
	json_str(stdout, col_text(st, SS_REASONS));
	printf(",\"official\":");
	json_str(stdout, col_text(st, SS_OFFICIAL));
	printf(",\"official_name\":");
	json_str(stdout, col_text(st, SS_OFFICIAL_NAME));
	printf(",\"by\":");
	json_str(stdout, col_text(st, SS_BY));
	printf(",\"details\":%s,\"stale\":%s}", *col_text(st, SS_DETAILS) ? col_text(st, SS_DETAILS) : "null",
	    stale ? "true" : "false");
}

/* One step in Chinese: its label, decision, date (a notice: its days), who signed or did it, reasons. */
static void
s_show_step_text(sqlite3_stmt *st, const struct step_def *d, int stale)
{
	printf("  %s  ", col_text(st, SS_ID));
	proc_pad(stdout, d ? d->label : col_text(st, SS_STEP), 22);
	printf(" ");
	proc_pad(stdout, label_zh(label_decisions, col_text(st, SS_DECISION)), 8);
	printf(" %s", col_text(st, SS_AT));
	if (sqlite3_column_type(st, SS_DAYS) != SQLITE_NULL)
		printf(" 公示%d天", sqlite3_column_int(st, SS_DAYS));
	if (*col_text(st, SS_OFFICIAL))
		printf("  签字 %s %s", col_text(st, SS_OFFICIAL), col_text(st, SS_OFFICIAL_NAME));
	else if (*col_text(st, SS_BY))
		printf("  经办 %s", col_text(st, SS_BY));
	if (*col_text(st, SS_REASONS))
		printf("  理由：%s", col_text(st, SS_REASONS));
	if (stale)
		printf("  已失效：审批后档案有改动");
	printf("\n");
}

/*
 * Is the step of row ST a binding approval of the current round that no
 * longer matches the file (record hash HASH)?  Once the round completed
 * (registered), later edits are ordinary file updates.
 */
static int
s_show_stale(sqlite3_stmt *st, const struct procedure_state *h, const uint8_t hash[HASH_BYTES])
{
	int binding = !strcmp(col_text(st, SS_STEP), "county_approval") ||
	    !strcmp(col_text(st, SS_STEP), "exit_announce");

	return binding && !strcmp(col_text(st, SS_DECISION), "pass") &&
	    sqlite3_column_bytes(st, SS_HASH) == HASH_BYTES &&
	    memcmp(sqlite3_column_blob(st, SS_HASH), hash, HASH_BYTES) != 0 &&
	    sqlite3_column_int(st, SS_ROUND) == h->round && !h->complete;
}

/* Print every step of H's rounds; whether an approval is stale. */
static int
s_show_steps(sqlite3 *db, const struct procedure_state *h, const uint8_t hash[HASH_BYTES], int json)
{
	sqlite3_stmt *st = NULL;
	int first = 1, stale_any = 0;

	sqlite3_prepare_v2(db, "SELECT id, round, procedure, step, decision, at, days, "
	    "coalesce(reasons, ''), coalesce(official, ''), record_hash, (SELECT name FROM official o "
	    "WHERE o.id = s.official), tbl, coalesce(details, ''), coalesce(by_name, '') FROM (SELECT *, 'review_step' AS tbl "
	    "FROM review_step UNION ALL SELECT *, 'approval' FROM approval) s WHERE household = ?1 "
	    "ORDER BY round, id", -1, &st, NULL);
	sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const struct step_def *d = procedure_step(col_text(st, SS_PROCEDURE), col_text(st, SS_STEP));
		int stale = s_show_stale(st, h, hash);
		stale_any |= stale;
		if (json)
			s_show_step_json(st, d, first, stale);
		else
			s_show_step_text(st, d, stale);
		first = 0;
	}
	sqlite3_finalize(st);
	return stale_any;
}

static void
s_show_objections(sqlite3 *db, const char *hh, int json)
{
	sqlite3_stmt *st = NULL;
	int first = 1;

	sqlite3_prepare_v2(db, "SELECT id, at, by_name, content, coalesce(finding, 'open'), "
	    "coalesce(finding_note, '') FROM objection WHERE household = ?1 ORDER BY id", -1, &st, NULL);
	sqlite3_bind_text(st, 1, hh, -1, SQLITE_STATIC);
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
			printf("  异议 %s %s 提出人 %s：%s — %s%s%s\n", col_text(st, 0), col_text(st, 1),
			    col_text(st, 2), col_text(st, 3), label_zh(label_findings, col_text(st, 4)),
			    *col_text(st, 5) ? "：" : "", col_text(st, 5));
		}
		first = 0;
	}
	sqlite3_finalize(st);
}

/* The household, its status and where it stands, in Chinese ("识别 第1轮：驻村干部签字"). */
static void
s_show_head_text(sqlite3 *db, const struct procedure_state *h)
{
	char status[64];
	const struct step_def *d = procedure_step_no(h->procedure, h->last);

	if (proc_text(db, "SELECT name FROM code_status WHERE id = ?1", h->status, status, sizeof status) != 1)
		snprintf(status, sizeof status, "%s", h->status);
	printf("户 %s  状态 %s  ", h->id, status);
	if (h->round == 0)
		printf("%s\n", label_stages[STAGE_NONE].zh);
	else
		printf("%s 第%d轮：%s%s\n", label_zh(label_procedures, h->procedure), h->round,
		    d ? d->label : "?", h->rejected ? "（未通过，退回）" : h->complete ? "（已完成）" : "");
}

static int
s_show(struct node *n, int argc, char **argv)
{
	int json = 0;
	const char *hh = NULL;
	struct procedure_state h;
	char err[ERRBUF_SIZE];
	uint8_t hash[HASH_BYTES];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: lika review show HOUSEHOLD [--json]\n\nEvery step of every round, "
			    "who signed, objections, and whether a county approval still matches the file.\n"
			    "Printed in Chinese; --json gives the English keys.\n");
			return EXIT_OK;
		} else
			hh = argv[i];
	}
	if (!hh)
		return tool_fail(EXIT_USAGE, "review show", "HOUSEHOLD required");
	sqlite3 *db = ledger_db(n->ledger);
	if (procedure_load(db, "main", hh, NULL, &h) != 1)
		return tool_fail(EXIT_USAGE, "review show", "no household \"%s\" in this archive", hh);
	if (procedure_record_hash(db, "main", hh, hash, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, "review show", "%s", err);
	if (json) {
		printf("{\"household\":\"%s\",\"status\":\"%s\",\"stage\":", hh, h.status);
		json_str(stdout, review_stage(&h));
		printf(",\"steps\":[");
	} else {
		s_show_head_text(db, &h);
	}
	int stale_any = s_show_steps(db, &h, hash, json);
	if (json)
		printf("],\"objections\":[");
	s_show_objections(db, hh, json);
	if (json)
		printf("],\"approval_stale\":%s}\n", stale_any ? "true" : "false");
	else if (stale_any)
		printf("县级审批已失效：审批后档案有改动，须重新审批\n");
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
			    "and what it waits for (a notice running to its last day, objections without\n"
			    "a finding).  Printed in Chinese; --json gives the English keys.  Today is\n"
			    "$LIKA_TODAY if set.\n");
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
		/* what it waits for, in English (--json) and Chinese */
		char wait[160] = "", zh[160] = "";
		if (last->flags & STEP_NOTICE) {
			/* a notice of N days from AT runs through AT + N - 1, its last day */
			long end = date_day(h.s[h.last].at) + h.s[h.last].days;
			char lastday[11];
			date_format(lastday, end - 1);
			if (date_day(today) < end) {
				snprintf(wait, sizeof wait, "notice runs to %s (its last day)", lastday);
				snprintf(zh, sizeof zh, "公示期至 %s（最后一天）", lastday);
			}
			int64_t open = proc_int(db, "SELECT count(*) FROM objection WHERE step = ?1 AND "
			    "finding IS NULL", h.s[h.last].key, 0);
			if (open) {
				snprintf(wait + strlen(wait), sizeof wait - strlen(wait), "%s%lld objection(s) "
				    "without a finding", wait[0] ? "; " : "", (long long)open);
				snprintf(zh + strlen(zh), sizeof zh - strlen(zh), "%s%lld 条异议尚无调查结论",
				    zh[0] ? "；" : "", (long long)open);
			}
		}
		const char *where = next->flags & STEP_COUNTY ? "county" : "township";
		if (json) {
			printf("%s{\"household\":\"%s\",\"round\":%d,\"procedure\":\"%s\",\"next\":\"%s\","
			    "\"command\":\"%s\",\"at\":\"%s\",\"waits\":", first ? "" : ",", h.id, h.round,
			    h.procedure, next->name, next->command, where);
			json_str(stdout, wait);
			printf("}");
		} else {
			printf("%s  %s 第%d轮  下一步 %s（lika review %s，%s）%s%s\n", h.id,
			    label_zh(label_procedures, h.procedure), h.round, next->label, next->command,
			    label_zh(label_node_roles, where), zh[0] ? "  等待：" : "", zh);
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

/* One half-year review being made: its options, then what the open node says. */
struct half_year_run {
	const char *cmd;
	struct node *n;             /* opened by the dispatcher */
	const char *hh, *decision, *period, *reasons, *keyfile, *date;
	int passfd;                 /* --passphrase-fd; -1: the terminal */
	int agrees, assured;
	const char *role;           /* who signs the decision; NULL: no one */
	char today[11];
	char per[16];
	char key[KEY_MAX];
	struct procedure_state h;
	struct signer sg;
	int have_signer;
	const char *status;         /* the household's status after; NULL: unchanged */
};

static void
s_half_year_usage(void)
{
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
}

/* Options that need no node: the decision, date, period, reasons and key. */
static int
s_half_year_options(struct half_year_run *x)
{
	const char *cmd = x->cmd, *d = x->decision;

	const struct label *dl = label_find(label_half_year, d);
	if (!dl) {
		char names[256];
		label_names(label_half_year, names, sizeof names);
		return tool_fail(EXIT_USAGE, cmd, "decision \"%s\" is none of %s", d, names);
	}
	x->decision = d = dl->key;
	if (x->date && date_day(x->date) < 0)
		return tool_fail(EXIT_USAGE, cmd, "--date \"%s\" is not a date YYYY-MM-DD", x->date);
	if (x->date)
		snprintf(x->today, sizeof x->today, "%s", x->date);
	else
		date_today(x->today);
	if (x->period) {
		const char *p = x->period;
		if (strlen(p) != 6 || p[4] != '-' || strspn(p, "0123456789") != 4 || (p[5] != '1' && p[5] != '2'))
			return tool_fail(EXIT_USAGE, cmd, "--period \"%s\" is not YYYY-1 or YYYY-2", p);
		snprintf(x->per, sizeof x->per, "%s", p);
	} else {
		/* the first half year runs to June */
		date_half_year(x->per, x->today);
	}
	if (x->reasons && proc_check_text(cmd, "--reasons", x->reasons, 2000))
		return EXIT_USAGE;
	if (!strcmp(d, "remove") && (!x->reasons || !*x->reasons))
		return tool_fail(EXIT_USAGE, cmd, "removal (清退) needs --reasons TEXT");
	x->role = !strcmp(d, "exit") ? ROLE_VILLAGE_CADRE : !strcmp(d, "remove") ? ROLE_TOWNSHIP_HEAD : NULL;
	if (x->role && !x->keyfile)
		return tool_fail(EXIT_USAGE, cmd, "%s is signed by a %s: --key FILE is required", d, x->role);
	return EXIT_OK;
}

/* Start the write and load the household, not yet reviewed for the period (rolls back on failure). */
static int
s_half_year_open(struct half_year_run *x)
{
	char err[ERRBUF_SIZE];
	int rc;

	/* the passphrase is asked before the write starts (proc_signer_unlock) */
	if (x->keyfile && (rc = proc_signer_unlock(&x->sg, x->keyfile, x->passfd, x->cmd)) != EXIT_OK)
		return rc;
	if (ledger_begin(x->n->ledger, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, x->cmd, "%s", err);
	sqlite3 *db = ledger_db(x->n->ledger);
	snprintf(x->key, sizeof x->key, "%s/%s", x->hh, x->per);
	if (procedure_load(db, "main", x->hh, NULL, &x->h) != 1 || strncmp(x->hh, x->n->conf.code, 9) != 0)
		rc = tool_fail(EXIT_USAGE, x->cmd, "no household \"%s\" in this township", x->hh);
	else if (proc_int(db, "SELECT count(*) FROM half_year WHERE id = ?1", x->key, 0))
		rc = proc_refuse(x->cmd, "order", "household %s was already reviewed for %s", x->hh, x->per);
	else
		return EXIT_OK;
	ledger_rollback(x->n->ledger);
	return rc;
}

/* Exit: the exit procedure's first step may be taken, assured and agreed. */
static int
s_half_year_check_exit(struct half_year_run *x, sqlite3 *db)
{
	char rule[32], why[ERRBUF_SIZE];
	struct step_take t = {
		.def = procedure_step("exit", "exit_eval"), .round = x->h.round + 1, .decision = "pass",
		.at = x->today, .clock_ms = clock_ms(),
	};

	if (procedure_check_step(db, "main", &x->h, &t, CHECK_ALL, rule, sizeof rule, why, sizeof why) < 0)
		return s_refused(x->cmd, rule, why);
	if (!x->assured)
		return proc_refuse(x->cmd, "exit-assurances", "exit needs 两不愁三保障 verified (--assured)");
	if (!x->agrees)
		return proc_refuse(x->cmd, "exit-consent", "exit needs the household's agreement "
		    "(--household-agrees)");
	return EXIT_OK;
}

/* The decision fits the household's status and round; the status it leads to. */
static int
s_half_year_check(struct half_year_run *x, sqlite3 *db)
{
	const struct procedure_state *h = &x->h;
	char rule[32], why[ERRBUF_SIZE];

	if (!strcmp(x->decision, "return")) {
		if (strcmp(h->status, STATUS_EXITED) != 0)
			return proc_refuse(x->cmd, "order", "only an exited household returns to poverty; "
			    "%s has status %s", x->hh, h->status);
		if (procedure_check_eligible(db, "main", h, x->today, rule, sizeof rule, why, sizeof why) < 0)
			return s_refused(x->cmd, rule, why);
		x->status = STATUS_RETURNED;
	} else if (!household_status_registered(h->status)) {
		return proc_refuse(x->cmd, "order", "household %s is not registered (status %s)", x->hh,
		    h->status);
	} else if (h->round && !h->complete && !h->rejected) {
		return proc_refuse(x->cmd, "order", "household %s is in %s", x->hh, review_stage(h));
	}
	if (!strcmp(x->decision, "exit")) {
		int rc = s_half_year_check_exit(x, db);
		if (rc != EXIT_OK)
			return rc;
	}
	if (!strcmp(x->decision, "remove"))
		x->status = STATUS_REMOVED;
	return EXIT_OK;
}

/* The official of --key, who must be of the household's township. */
static int
s_half_year_signer(struct half_year_run *x, sqlite3 *db)
{
	char township[CODE_MAX];
	int rc;

	if ((rc = proc_signer_load(&x->sg, db, x->keyfile, x->role, x->cmd)) != EXIT_OK)
		return rc;
	x->have_signer = 1;
	snprintf(township, sizeof township, "%.9s", x->hh);
	if (!strcmp(x->sg.role, ROLE_COUNTY_OFFICE) ||
	    !procedure_office_fits(x->sg.role, x->sg.office, township, ""))
		return proc_refuse(x->cmd, "signer-office", "%s (%s, %s of %s) may not sign for township %s",
		    x->sg.id, x->sg.name, x->sg.role, x->sg.office, township);
	return EXIT_OK;
}

/* The half-year row, signed if a key was given. */
static void
s_half_year_row(const struct half_year_run *x, struct ops *ops)
{
	uint8_t sig[SIG_BYTES];

	if (x->have_signer) {
		msgpack_sbuffer sb;
		struct half_year_row hr = {
			.key = x->key, .household = x->hh, .period = x->per, .decision = x->decision,
			.at = x->today, .reasons = x->reasons, .official = x->sg.id,
		};
		statement_half_year(&sb, &hr);
		statement_sign(sig, &sb, x->sg.sk);
		msgpack_sbuffer_destroy(&sb);
	}
	struct colval cols[] = {
		COL_TEXT("household", x->hh), COL_TEXT("period", x->per), COL_TEXT("decision", x->decision),
		COL_TEXT("at", x->today),
		x->reasons ? (struct colval)COL_TEXT("reasons", x->reasons) : (struct colval)COL_NIL("reasons"),
		x->have_signer ? (struct colval)COL_TEXT("official", x->sg.id) : (struct colval)COL_NIL("official"),
		x->have_signer ? (struct colval)COL_BLOB("signer", x->sg.pk, PUBKEY_BYTES) :
		    (struct colval)COL_NIL("signer"),
		x->have_signer ? (struct colval)COL_BLOB("sig", sig, SIG_BYTES) : (struct colval)COL_NIL("sig"),
	};
	ops_upsert(ops, "half_year", x->key, cols, sizeof cols / sizeof cols[0]);
}

/* The exit procedure opens with its democratic evaluation, signed by the cadre. */
static int
s_half_year_exit_step(const struct half_year_run *x, sqlite3 *db, struct ops *ops)
{
	const struct step_def *def = procedure_step("exit", "exit_eval");
	const char *hh = x->hh, *details = "{\"household_agrees\":true,\"assured\":true}";
	char skey[KEY_MAX], err[ERRBUF_SIZE];
	uint8_t hash[HASH_BYTES], ssig[SIG_BYTES];
	int round = x->h.round + 1;

	if (procedure_record_hash(db, "main", hh, hash, err, sizeof err) < 0)
		return tool_fail(EXIT_FAIL, x->cmd, "%s", err);
	procedure_step_key(skey, sizeof skey, hh, round, def->number);
	struct step_row r = {
		.table = "review_step", .key = skey, .household = hh, .round = round,
		.procedure = "exit", .step = def->name, .decision = "pass", .at = x->today, .days = -1,
		.reasons = x->reasons, .details = details, .record_hash = hash, .official = x->sg.id,
		.by_name = x->sg.name,
	};
	msgpack_sbuffer sb;
	statement_step(&sb, &r);
	statement_sign(ssig, &sb, x->sg.sk);
	msgpack_sbuffer_destroy(&sb);
	struct colval sc[] = {
		COL_TEXT("household", hh), COL_INT("round", round), COL_TEXT("procedure", "exit"),
		COL_TEXT("step", def->name), COL_TEXT("decision", "pass"), COL_TEXT("at", x->today),
		COL_TEXT("by_name", x->sg.name), COL_NIL("days"),
		x->reasons ? (struct colval)COL_TEXT("reasons", x->reasons) : (struct colval)COL_NIL("reasons"),
		COL_TEXT("details", details), COL_BLOB("record_hash", hash, HASH_BYTES),
		COL_TEXT("official", x->sg.id), COL_BLOB("signer", x->sg.pk, PUBKEY_BYTES),
		COL_BLOB("sig", ssig, SIG_BYTES), COL_NIL("seal"),
	};
	ops_upsert(ops, "review_step", skey, sc, sizeof sc / sizeof sc[0]);
	return EXIT_OK;
}

/* Everything the review writes as OPS: its row, the exit step, the status. */
static int
s_half_year_ops(const struct half_year_run *x, sqlite3 *db, struct ops *ops)
{
	int rc;

	s_half_year_row(x, ops);
	if (!strcmp(x->decision, "exit") && (rc = s_half_year_exit_step(x, db, ops)) != EXIT_OK)
		return rc;
	if (x->status) {
		struct colval sc[] = { COL_TEXT("status", x->status) };
		ops_upsert(ops, "household", x->hh, sc, 1);
	}
	return EXIT_OK;
}

static void
s_half_year_print(const struct half_year_run *x)
{
	printf("%s: half-year %s: %s%s%s\n", x->hh, x->per, x->decision,
	    !strcmp(x->decision, "exit") ? " (exit procedure opened: next \"lika review exit-notice\")" : "",
	    x->status ? (!strcmp(x->status, STATUS_RETURNED) ? " (返贫)" : " (清退)") : "");
}

/* Check, write and print the review X (the write is open and ends here). */
static int
s_half_year_run(struct half_year_run *x)
{
	sqlite3 *db = ledger_db(x->n->ledger);
	struct ops ops = OPS_INIT;
	int rc;

	if ((rc = s_half_year_check(x, db)) != EXIT_OK ||
	    (x->keyfile && (rc = s_half_year_signer(x, db)) != EXIT_OK)) {
		ledger_rollback(x->n->ledger);
		return rc;
	}
	ops_init(&ops);
	if ((rc = s_half_year_ops(x, db, &ops)) != EXIT_OK) {
		ops_release(&ops);
		ledger_rollback(x->n->ledger);
		return rc;
	}
	rc = proc_commit(x->n, x->cmd, &ops);
	ops_release(&ops);
	if (rc == EXIT_OK)
		s_half_year_print(x);
	return rc;
}

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
	struct half_year_run x = { .cmd = "half-year review", .n = n, .passfd = -1 };
	char err[ERRBUF_SIZE];
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': x.period = optarg; break;
		case 'r': x.reasons = optarg; break;
		case 'k': x.keyfile = optarg; break;
		case 'P':
			if (passphrase_fd_arg(optarg, &x.passfd, err, sizeof err) < 0)
				return tool_fail(EXIT_USAGE, x.cmd, "%s", err);
			break;
		case 'd': x.date = optarg; break;
		case 'a': x.agrees = 1; break;
		case 'A': x.assured = 1; break;
		case 'h': s_half_year_usage(); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return tool_fail(EXIT_USAGE, x.cmd, "HOUSEHOLD and a decision stay|exit|return|remove required");
	x.hh = argv[optind];
	x.decision = argv[optind + 1];
	if ((rc = s_half_year_options(&x)) == EXIT_OK && (rc = s_half_year_open(&x)) == EXIT_OK)
		rc = s_half_year_run(&x);
	proc_signer_release(&x.sg);
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
