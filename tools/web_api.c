/*
 * web_api.c — the console's JSON resources for clerks and its documents.
 *
 * Reads query the node held open read-only.  Writes call what lika calls:
 * the household form goes through lib/domain's household_field_parse,
 * household_next_id, household_put and household_member_add inside one
 * ledger transaction (as `lika household add` then `lika member add`);
 * import, procedure steps, the waiting list and documents run lika's own
 * commands in-process (web_run), so their checks and messages are lika's.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "household.h"
#include "util.h"
#include "web.h"

#define PAGE_MAX        200     /* households a list page holds at most */
#define FORM_MEMBERS    8       /* extra members the add form takes (m1_… m8_) */

/* ---- the field declarations, for the forms -------------------------------------- */

static const char *
s_kind_name(enum field_kind k)
{
	static const char *const names[] = {
		[FK_TEXT] = "text", [FK_NOTE] = "note", [FK_NAME] = "name", [FK_YEAR] = "year",
		[FK_MONTHS] = "months", [FK_MONEY] = "money", [FK_HUNDREDTHS] = "hundredths",
		[FK_BOOL] = "bool", [FK_CODE] = "code", [FK_CODESET] = "codeset",
		[FK_IDCARD] = "idcard", [FK_PHONE] = "phone", [FK_ACCOUNT] = "account",
		[FK_VILLAGE] = "village", [FK_HOUSEHOLD] = "household", [FK_MEMBER_NO] = "member_no",
		[FK_COUNT] = "count",
	};
	return (size_t)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "text";
}

/* "[[code, name], …]" of SQL's two columns. */
static void
s_pairs(FILE *f, sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int first = 1;

	fputc('[', f);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			fputs(first ? "[" : ",[", f);
			web_json_str(f, col_text(st, 0));
			fputc(',', f);
			web_json_str(f, col_text(st, 1));
			fputc(']', f);
			first = 0;
		}
		sqlite3_finalize(st);
	}
	fputc(']', f);
}

static void
s_field_list(FILE *f, sqlite3 *db, const struct field *fs, int n, const int *skip)
{
	int first = 1;

	fputc('[', f);
	for (int k = 0; k < n; k++) {
		int skipped = 0;
		for (const int *s = skip; *s >= 0; s++)
			skipped |= *s == k;
		if (skipped)
			continue;
		fprintf(f, "%s{\"name\":", first ? "" : ",");
		web_json_str(f, fs[k].name);
		fputs(",\"label\":", f);
		web_json_str(f, fs[k].label);
		fprintf(f, ",\"kind\":\"%s\",\"max\":%d", s_kind_name(fs[k].kind), fs[k].max);
		if (fs[k].codes) {
			char *sql = sqlite3_mprintf("SELECT id, name FROM \"%w\" ORDER BY id", fs[k].codes);
			fputs(",\"options\":", f);
			s_pairs(f, db, sql);
			sqlite3_free(sql);
		} else if (fs[k].kind == FK_VILLAGE) {
			fputs(",\"options\":", f);
			s_pairs(f, db, "SELECT id, name FROM village ORDER BY id");
		}
		fputc('}', f);
		first = 0;
	}
	fputc(']', f);
}

static int
s_fields(struct web_req *q, struct web_reply *r)
{
	static const int hskip[] = { HF_ID, -1 };
	static const int mskip[] = { MF_HOUSEHOLD, MF_HEAD_IDCARD, MF_NO, -1 };
	sqlite3 *db = ledger_db(q->n->ledger);

	fputs("{\"household\":", r->f);
	s_field_list(r->f, db, household_fields, HF_COUNT, hskip);
	fputs(",\"member\":", r->f);
	s_field_list(r->f, db, household_member_fields, MF_COUNT, mskip);
	fputs(",\"statuses\":", r->f);
	s_pairs(r->f, db, "SELECT id, name FROM code_status ORDER BY id");
	fputs("}\n", r->f);
	return 0;
}

/* ---- the households list --------------------------------------------------------- */

static int
s_households(struct web_req *q, struct web_reply *r)
{
	const char *text = web_form_get(&q->query, "q"), *village = web_form_get(&q->query, "village");
	const char *status = web_form_get(&q->query, "status"), *page_s = web_form_get(&q->query, "page");
	long page = page_s ? strtol(page_s, NULL, 10) : 0, per = 50;
	sqlite3 *db = ledger_db(q->n->ledger);
	sqlite3_stmt *st;
	char like[256];
	int64_t t0 = mono_ms();

	if (page < 0 || page > 1000000)
		return web_error(r, 400, "page \"%s\" is out of range", page_s);
	if (text && strlen(text) > 120)
		return web_error(r, 400, "search text over 120 bytes");
	snprintf(like, sizeof like, "%%%s%%", text && *text ? text : "");
	/* head name or ID number of any member; village; status (code or name) */
	static const char where[] =
	    " FROM household h LEFT JOIN member m ON m.household = h.id AND m.relation = '01'"
	    " LEFT JOIN village v ON v.id = h.village LEFT JOIN code_status s ON s.id = h.status"
	    " WHERE (?1 IS NULL OR m.name LIKE ?2 OR h.id = ?1 OR h.id IN"
	    "        (SELECT household FROM member WHERE idcard = upper(?1)))"
	    "   AND (?3 IS NULL OR h.village = ?3 OR v.name = ?3)"
	    "   AND (?4 IS NULL OR h.status = ?4 OR s.name = ?4)";
	char *sql = sqlite3_mprintf("SELECT count(*) %s", where);
	int64_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			sqlite3_free(sql);
			return web_error(r, 500, "%s", sqlite3_errmsg(db));
		}
		sqlite3_free(sql);
		if (text && *text) {
			sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, like, -1, SQLITE_STATIC);
		}
		if (village && *village)
			sqlite3_bind_text(st, 3, village, -1, SQLITE_STATIC);
		if (status && *status)
			sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
		if (pass == 0) {
			if (sqlite3_step(st) == SQLITE_ROW)
				total = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
			sql = sqlite3_mprintf("SELECT h.id, h.village, v.name, m.name, m.idcard, h.status, "
			    "s.name, (SELECT count(*) FROM member x WHERE x.household = h.id) %s "
			    "ORDER BY h.id LIMIT %ld OFFSET %ld", where, per, page * per);
			continue;
		}
		fprintf(r->f, "{\"total\":%lld,\"page\":%ld,\"per\":%ld,\"rows\":[", (long long)total, page, per);
		for (int first = 1; sqlite3_step(st) == SQLITE_ROW; first = 0) {
			static const char *const keys[] = { "id", "village", "village_name", "head_name",
			    "head_idcard", "status", "status_name", "members" };
			fputs(first ? "{" : ",{", r->f);
			for (int k = 0; k < 8; k++) {
				fprintf(r->f, "%s\"%s\":", k ? "," : "", keys[k]);
				web_json_str(r->f, col_text(st, k));
			}
			fputc('}', r->f);
		}
		sqlite3_finalize(st);
	}
	fprintf(r->f, "],\"server_ms\":%lld}\n", (long long)(mono_ms() - t0));
	return 0;
}

/* ---- one household file ------------------------------------------------------------ */

/* The rows of SQL (?1 = ID) as JSON objects keyed by the column names. */
static void
s_rows(FILE *f, sqlite3 *db, const char *sql, const char *id)
{
	sqlite3_stmt *st;
	int first = 1;

	fputc('[', f);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			fputs(first ? "{" : ",{", f);
			for (int k = 0; k < sqlite3_column_count(st); k++) {
				fprintf(f, "%s", k ? "," : "");
				web_json_str(f, sqlite3_column_name(st, k));
				fputc(':', f);
				web_json_str(f, col_text(st, k));
			}
			fputc('}', f);
			first = 0;
		}
		sqlite3_finalize(st);
	}
	fputc(']', f);
}

/* Records of KIND of household ID as [{name: value}] in the form import reads. */
static int
s_records(FILE *f, struct household_ctx *c, enum record_kind kind, const char *id, int *found)
{
	struct record_iter it;
	char err[ERRBUF_SIZE];
	int nf, rc, first = 1;
	const struct field *fs = household_record_fields(kind, &nf);

	if (household_iter_open(&it, c, kind, id, NULL, NULL, err, sizeof err) < 0)
		return -1;
	fputc('[', f);
	while ((rc = household_iter_next(&it)) == 1) {
		fputs(first ? "{" : ",{", f);
		for (int k = 0; k < nf; k++) {
			fprintf(f, "%s", k ? "," : "");
			web_json_str(f, fs[k].name);
			fputc(':', f);
			web_json_str(f, it.v[k]);
		}
		if (kind == RECORD_INCOME) {
			fputs(",\"net_per_capita\":", f);
			web_json_str(f, it.v[IF_COUNT]);
		}
		fputc('}', f);
		first = 0;
		(*found)++;
	}
	fputc(']', f);
	household_iter_close(&it);
	return rc < 0 ? -1 : 0;
}

static int
s_household(struct web_req *q, struct web_reply *r)
{
	const char *id = web_form_get(&q->query, "id");
	struct household_ctx c;
	char err[ERRBUF_SIZE];
	sqlite3 *db = ledger_db(q->n->ledger);
	int found = 0, rc = 0;

	if (!id || strlen(id) != 15 || !is_digits(id, 15))
		return web_error(r, 400, "household id \"%s\" is not 15 digits", id ? id : "");
	if (household_ctx_init(&c, db, q->n->conf.code, err, sizeof err) < 0)
		return web_error(r, 500, "%s", err);
	fputs("{\"household\":", r->f);
	rc |= s_records(r->f, &c, RECORD_HOUSEHOLD, id, &found);
	if (!found) {
		household_ctx_release(&c);
		return web_error(r, 404, "household \"%s\" is not in this archive", id);
	}
	fputs(",\"members\":", r->f);
	rc |= s_records(r->f, &c, RECORD_MEMBER, id, &found);
	fputs(",\"incomes\":", r->f);
	rc |= s_records(r->f, &c, RECORD_INCOME, id, &found);
	household_ctx_release(&c);
	fputs(",\"measures\":", r->f);
	s_rows(r->f, db, "SELECT id, category, project, printf('%.2f', funds / 100.0) AS funds, start, "
	    "deadline, status FROM measure WHERE household = ?1 ORDER BY id", id);
	fputs(",\"helpers\":", r->f);
	s_rows(r->f, db, "SELECT id, name, unit, level, phone, start, end FROM helper "
	    "WHERE household = ?1 ORDER BY id", id);
	fputs(",\"steps\":", r->f);
	s_rows(r->f, db, "SELECT id, procedure, step, decision, at, by_name, "
	    "CASE WHEN official IS NULL THEN '' ELSE official END AS official FROM review_step "
	    "WHERE household = ?1 UNION ALL SELECT id, procedure, step, decision, at, by_name, "
	    "official FROM approval WHERE household = ?1 ORDER BY 1", id);
	fputs(",\"history\":", r->f);
	s_rows(r->f, db, "SELECT k.id AS changeset, k.clerk, c.hlc >> 16 AS time_ms, c.nops AS ops "
	    "FROM clerk_change k LEFT JOIN changeset c ON c.origin = substr(k.id, 1, instr(k.id, '/') - 1) "
	    "AND c.seq = CAST(substr(k.id, instr(k.id, '/') + 1) AS INTEGER) "
	    "WHERE k.record = ?1 OR (k.record = 'import' AND 0) ORDER BY k.id", id);
	fputs("}\n", r->f);
	if (rc < 0)
		return web_error(r, 500, "reading household \"%s\" failed", id);
	return 0;
}

/* ---- the household form ------------------------------------------------------------- */

/* Put a field error into the errors object E (a memstream). */
static void
s_field_error(FILE *e, int *n, const char *field, const char *msg)
{
	fprintf(e, "%s", (*n)++ ? "," : "");
	web_json_str(e, field);
	fputc(':', e);
	web_json_str(e, msg);
}

/*
 * The field a rule's message names: household.c writes "LABEL (name) …".
 * PREFIX goes in front ("m1_").  The form shows it beside that field.
 */
static void
s_error_field(const char *msg, const struct field *fs, int n, const char *prefix, char *out,
    size_t len)
{
	snprintf(out, len, "_form");
	for (int k = 0; k < n; k++) {
		char needle[80];
		snprintf(needle, sizeof needle, "(%s)", fs[k].name);
		if (strstr(msg, needle)) {
			snprintf(out, len, "%s%s", prefix, fs[k].name);
			return;
		}
	}
}

/* Parse the form's values of FS (names with PREFIX) into V; errors into E; how many bad. */
static int
s_parse_form(const struct household_ctx *c, const struct web_form *f, const struct field *fs, int n,
    const int *skip, const char *prefix, struct field_value *v, FILE *e, int *nerr)
{
	char err[ERRBUF_SIZE], name[80];
	int bad = 0;

	for (int k = 0; k < n; k++) {
		int skipped = 0;
		for (const int *s = skip; *s >= 0; s++)
			skipped |= *s == k;
		snprintf(name, sizeof name, "%s%s", prefix, fs[k].name);
		const char *val = skipped ? NULL : web_form_get(f, name);
		if (val && !*val)
			val = NULL;     /* a form sends every field: blank means not given */
		if (household_field_parse(c, &fs[k], val, &v[k], err, sizeof err) < 0) {
			s_field_error(e, nerr, name, err);
			bad++;
		}
	}
	return bad;
}

/* A household form being written: the node opened for it, the rules' context, the errors. */
struct form_write {
	struct web_form f;
	struct node wn;
	struct household_ctx c;
	FILE *e;                /* errors by field, a JSON object's members */
	int nerr;
	char id[32];
};

/*
 * The household's own fields, checked and appended as one change set (as
 * `lika household add` or `edit`); -1 if the append failed (rolled back).
 */
static int
s_write_household(struct form_write *w, const char *edit_id, const char *clerk)
{
	static const int skip_add[] = { HF_ID, -1 };
	static const int skip_edit[] = { HF_ID, HF_HEAD_NAME, HF_HEAD_IDCARD, HF_HEAD_SEX, -1 };
	struct field_value v[HF_COUNT];
	struct ops ops = OPS_INIT;
	char err[ERRBUF_SIZE];
	int rc = 0;

	ops_init(&ops);
	s_parse_form(&w->c, &w->f, household_fields, HF_COUNT, edit_id ? skip_edit : skip_add, "", v,
	    w->e, &w->nerr);
	if (edit_id) {
		snprintf(w->id, sizeof w->id, "%s", edit_id);
		if (household_row_exists(&w->c, "household", w->id) != 1)
			s_field_error(w->e, &w->nerr, "_form", "这户不在本乡镇档案中 not a household of this township");
	} else if (!w->nerr && household_next_id(&w->c, w->id, sizeof w->id, err, sizeof err) < 0) {
		s_field_error(w->e, &w->nerr, "_form", err);
	}
	if (!w->nerr && household_put(&w->c, &ops, w->id, v, !edit_id, err, sizeof err) < 0) {
		char field[80];
		s_error_field(err, household_fields, HF_COUNT, "", field, sizeof field);
		s_field_error(w->e, &w->nerr, field, err);
	}
	if (!w->nerr && edit_id && ops.n == 0)
		s_field_error(w->e, &w->nerr, "_form", "no field given");
	web_stamp_set(clerk, w->id);
	if (!w->nerr && ops.n && ledger_append(w->wn.ledger, &ops, NULL, err, sizeof err) < 0) {
		s_field_error(w->e, &w->nerr, "_form", err);
		rc = -1;
	}
	ops_release(&ops);
	return rc;
}

/*
 * The members m1_… m8_ of a new household, each checked and appended as its
 * own change set (as `lika member add`); every member's field errors are
 * collected.  -1 if an append failed (rolled back).
 */
static int
s_write_members(struct form_write *w)
{
	static const int skip[] = { MF_HOUSEHOLD, MF_HEAD_IDCARD, MF_NO, -1 };
	struct field_value v[MF_COUNT];
	char err[ERRBUF_SIZE], mid[64];

	for (int m = 1; m <= FORM_MEMBERS; m++) {
		char prefix[8], name[32], idcard[32];
		snprintf(prefix, sizeof prefix, "m%d_", m);
		snprintf(name, sizeof name, "m%d_name", m);
		snprintf(idcard, sizeof idcard, "m%d_idcard", m);
		const char *a = web_form_get(&w->f, name), *b = web_form_get(&w->f, idcard);
		if ((!a || !*a) && (!b || !*b))
			continue;       /* a member block left empty */
		if (s_parse_form(&w->c, &w->f, household_member_fields, MF_COUNT, skip, prefix, v, w->e,
		    &w->nerr) || w->nerr)
			continue;
		struct ops ops = OPS_INIT;
		ops_init(&ops);
		int rc = 0;
		if (household_member_add(&w->c, &ops, w->id, v, mid, sizeof mid, err, sizeof err) < 0) {
			char field[80];
			s_error_field(err, household_member_fields, MF_COUNT, prefix, field, sizeof field);
			s_field_error(w->e, &w->nerr, field, err);
		} else if (ledger_append(w->wn.ledger, &ops, NULL, err, sizeof err) < 0) {
			s_field_error(w->e, &w->nerr, "_form", err);
			rc = -1;
		}
		ops_release(&ops);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * The household add or edit form, and on add its members, in one transaction
 * (the household's change set, then one per member); any error and nothing is
 * written.  Errors are answered by field, so the page shows each beside it.
 */
static int
s_household_write(struct web_req *q, struct web_reply *r, const char *edit_id)
{
	struct form_write w = { .nerr = 0 };
	char err[ERRBUF_SIZE], *ebuf = NULL;
	size_t elen = 0;
	int status = 200;

	if (web_form_parse(&w.f, q->body, q->body_len) < 0) {
		web_form_release(&w.f);
		return web_error(r, 400, "malformed form");
	}
	if (!(w.e = open_memstream(&ebuf, &elen)) || tool_open(&w.wn, 0) < 0) {
		if (w.e)
			fclose(w.e);
		free(ebuf);
		web_form_release(&w.f);
		return web_error(r, 500, "cannot open the node for writing");
	}
	if (ledger_begin(w.wn.ledger, err, sizeof err) < 0 ||
	    household_ctx_init(&w.c, ledger_db(w.wn.ledger), w.wn.conf.code, err, sizeof err) < 0) {
		ledger_rollback(w.wn.ledger);
		s_field_error(w.e, &w.nerr, "_form", err);
		status = 500;
	} else {
		if (s_write_household(&w, edit_id, q->clerk) < 0 || (!edit_id && s_write_members(&w) < 0))
			status = 422;   /* rolled back */
		household_ctx_release(&w.c);
		if (status == 200 && w.nerr) {
			ledger_rollback(w.wn.ledger);
			status = 422;
		} else if (status == 200 && ledger_end(w.wn.ledger, err, sizeof err) < 0) {
			s_field_error(w.e, &w.nerr, "_form", err);
			status = 500;
		}
	}
	web_stamp_clear();
	node_close(&w.wn);
	web_form_release(&w.f);
	fclose(w.e);
	if (status == 200) {
		fputs("{\"id\":", r->f);
		web_json_str(r->f, w.id);
		fputs("}\n", r->f);
	} else {
		r->status = status;
		fprintf(r->f, "{\"error\":\"表单有误 the form has errors: nothing written\",\"fields\":{%s}}\n",
		    ebuf ? ebuf : "");
	}
	free(ebuf);
	return 0;
}

/* ---- lika's own commands ------------------------------------------------------------- */

/* Reply with what a command printed: {"exit": N, "out": …, "err": …}. */
static void
s_command_reply(struct web_reply *r, int rc, const struct web_buf *out, const struct web_buf *err)
{
	r->status = rc == EXIT_OK ? 200 : rc == EXIT_USAGE ? 422 : 500;
	fprintf(r->f, "{\"exit\":%d,\"out\":", rc);
	web_json_str(r->f, out->p);
	fputs(",\"err\":", r->f);
	web_json_str(r->f, err->p);
}

/*
 * One bad row of import's report as JSON: "lika import K: row N (line L): MSG",
 * MSG in household.c's form "LABEL (name): reason: \"value\"".
 */
static void
s_bad_row(FILE *f, const char *line, int first)
{
	const char *p = strstr(line, ": row ");
	unsigned long row = 0, lno = 0;
	int used = 0;
	char column[128] = "", value[1100] = "", reason[2048];

	if (!p || sscanf(p, ": row %lu (line %lu): %n", &row, &lno, &used) < 2 || !used)
		return;
	const char *msg = p + used, *end = msg + strlen(msg);
	const char *col = strstr(msg, "): ");
	if (col && (size_t)(col + 1 - msg) < sizeof column) {
		snprintf(column, sizeof column, "%.*s", (int)(col + 1 - msg), msg);
		msg = col + 3;
	}
	const char *q = end > msg + 2 && end[-1] == '"' ? strstr(msg, ": \"") : NULL;
	for (const char *next = q; next; next = strstr(next + 1, ": \""))
		q = next;
	if (q && q + 3 < end) {
		snprintf(value, sizeof value, "%.*s", (int)(end - 1 - (q + 3)), q + 3);
		snprintf(reason, sizeof reason, "%.*s", (int)(q - msg), msg);
	} else {
		snprintf(reason, sizeof reason, "%s", msg);
	}
	fprintf(f, "%s{\"row\":%lu,\"line\":%lu,\"column\":", first ? "" : ",", row, lno);
	web_json_str(f, column);
	fputs(",\"value\":", f);
	web_json_str(f, value);
	fputs(",\"reason\":", f);
	web_json_str(f, reason);
	fputs("}", f);
}

/* Replace PATH (a server's temporary file) by NAME in B: the page names the upload. */
static void
s_hide_path(struct web_buf *b, const char *path, const char *name)
{
	struct web_buf out = WEB_BUF_INIT;
	size_t plen = strlen(path);
	const char *p = b->p, *hit;

	if (!p)
		return;
	while ((hit = strstr(p, path))) {
		web_buf_add(&out, p, (size_t)(hit - p));
		web_buf_add(&out, name, strlen(name));
		p = hit + plen;
	}
	if (web_buf_add(&out, p, strlen(p)) < 0) {
		web_buf_release(&out);
		return;
	}
	web_buf_release(b);
	*b = out;
}

static int
s_import(struct web_req *q, struct web_reply *r)
{
	const char *kind = web_form_get(&q->query, "kind"), *skip = web_form_get(&q->query, "skip_bad");
	struct web_buf out = WEB_BUF_INIT, err = WEB_BUF_INIT;
	char path[4200];

	if (!kind || (strcmp(kind, "households") && strcmp(kind, "members") && strcmp(kind, "incomes")))
		return web_error(r, 400, "kind must be households, members or incomes");
	if (q->body_len == 0)
		return web_error(r, 400, "the sheet is empty");
	if (web_tmpfile("import", q->body, q->body_len, path, sizeof path) < 0)
		return web_error(r, 500, "cannot keep the upload");
	char *argv[] = { "import", (char *)kind, path, skip && !strcmp(skip, "1") ? "--skip-bad" : NULL,
	    NULL };
	int64_t t0 = mono_ms();
	int rc = web_run(argv[3] ? 4 : 3, argv, q->clerk, "import", &out, &err);
	unlink(path);
	s_hide_path(&err, path, "上传的表格");
	s_command_reply(r, rc, &out, &err);
	fprintf(r->f, ",\"server_ms\":%lld,\"bad\":[", (long long)(mono_ms() - t0));
	int first = 1;
	for (char *line = err.p, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(line, ": row ")) {
			s_bad_row(r->f, line, first);
			first = 0;
		}
		if (!nl)
			break;
	}
	fputs("]}\n", r->f);
	web_buf_release(&out);
	web_buf_release(&err);
	return 0;
}

/* The waiting list (lika review todo --json) with each household's village and head. */
static int
s_todo(struct web_req *q, struct web_reply *r)
{
	struct web_buf out = WEB_BUF_INIT, err = WEB_BUF_INIT;
	char *argv[] = { "review", "todo", "--json", NULL };
	sqlite3 *db = ledger_db(q->n->ledger);
	sqlite3_stmt *st = NULL;
	int first = 1;

	int rc = web_run(3, argv, NULL, NULL, &out, &err);
	if (rc != EXIT_OK) {
		s_command_reply(r, rc, &out, &err);
		fputs("}\n", r->f);
	} else {
		fprintf(r->f, "{\"todo\":%s,\"households\":{", out.p);
		sqlite3_prepare_v2(db, "SELECT h.village, v.name, m.name FROM household h LEFT JOIN village v "
		    "ON v.id = h.village LEFT JOIN member m ON m.household = h.id AND m.relation = '01' "
		    "WHERE h.id = ?1", -1, &st, NULL);
		for (const char *p = out.p; st && (p = strstr(p, "\"household\":\"")); ) {
			char id[16];
			p += 13;
			snprintf(id, sizeof id, "%.15s", p);
			if (!is_digits(id, 15))
				continue;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_ROW)
				continue;
			fprintf(r->f, "%s\"%s\":{\"village\":", first ? "" : ",", id);
			web_json_str(r->f, col_text(st, 0));
			fputs(",\"village_name\":", r->f);
			web_json_str(r->f, col_text(st, 1));
			fputs(",\"head_name\":", r->f);
			web_json_str(r->f, col_text(st, 2));
			fputc('}', r->f);
			first = 0;
		}
		sqlite3_finalize(st);
		fputs("}}\n", r->f);
	}
	web_buf_release(&out);
	web_buf_release(&err);
	return 0;
}

/* Progress against the plan's schedule (lika progress --json), passed on as it is. */
static int
s_progress(struct web_reply *r)
{
	struct web_buf out = WEB_BUF_INIT, err = WEB_BUF_INIT;
	char *argv[] = { "progress", "--json", NULL };
	int rc = web_run(2, argv, NULL, NULL, &out, &err);

	if (rc != EXIT_OK) {
		s_command_reply(r, rc, &out, &err);
		fputs("}\n", r->f);
	} else {
		fwrite(out.p, 1, out.len, r->f);
	}
	web_buf_release(&out);
	web_buf_release(&err);
	return 0;
}

/* The steps the console offers: lika review's commands (a county's at the county node). */
static const char *const s_steps[] = {
	"apply", "group-eval", "village-eval", "notice", "cadre-sign", "township-review",
	"township-notice", "head-sign", "register", "exit-notice", "exit-confirm",
	"county-approve", "county-reject", "county-notice", "exit-announce", NULL,
};

/* Add "--NAME=VALUE" to ARGV if the form has a non-blank NAME. */
static void
s_opt(char **argv, int *argc, char (*store)[1100], const struct web_form *f, const char *name)
{
	const char *v = web_form_get(f, name);

	if (v && *v) {
		snprintf(store[*argc], sizeof store[0], "--%s=%s", name, v);
		argv[*argc] = store[*argc];
		(*argc)++;
	}
}

static int
s_step(struct web_req *q, struct web_reply *r)
{
	static char store[24][1100];
	struct web_buf out = WEB_BUF_INIT, err = WEB_BUF_INIT;
	struct web_form f;
	char *argv[24], keypath[4200] = "", fdarg[32];
	int argc = 0, pfd[2] = { -1, -1 }, rc;

	if (web_form_parse(&f, q->body, q->body_len) < 0) {
		web_form_release(&f);
		return web_error(r, 400, "malformed form");
	}
	const char *hid = web_form_get(&f, "household"), *step = web_form_get(&f, "step");
	const char *key = web_form_get(&f, "key"), *pass = web_form_get(&f, "passphrase");
	int known = 0;
	for (int i = 0; step && s_steps[i]; i++)
		known |= strcmp(step, s_steps[i]) == 0;
	if (!known || !hid || strlen(hid) != 15 || !is_digits(hid, 15)) {
		web_form_release(&f);
		return web_error(r, 400, "a household (15 digits) and a step of the procedure are required");
	}
	argv[argc++] = "review";
	argv[argc++] = (char *)step;
	static const char *const opts[] = { "date", "by", "reasons", "panel", "for", "against",
	    "abstain", "assets", "consumption", NULL };
	for (int i = 0; opts[i]; i++)
		s_opt(argv, &argc, store, &f, opts[i]);
	if (web_form_get(&f, "reject") && !strcmp(web_form_get(&f, "reject"), "1"))
		argv[argc++] = "--reject";
	if (key && *key) {
		/* the official's key file, as the browser read it (base64), and its passphrase */
		unsigned char raw[4096];
		size_t rawlen;
		if (sodium_base642bin(raw, sizeof raw, key, strlen(key), NULL, &rawlen, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    web_tmpfile("key", raw, rawlen, keypath, sizeof keypath) < 0 || pipe(pfd) < 0) {
			sodium_memzero(raw, sizeof raw);
			if (keypath[0])
				unlink(keypath);
			web_form_release(&f);
			return web_error(r, 400, "the key file could not be read");
		}
		sodium_memzero(raw, sizeof raw);
		size_t plen = pass ? strlen(pass) : 0;
		if ((pass && write(pfd[1], pass, plen) != (ssize_t)plen) || write(pfd[1], "\n", 1) != 1) {
			close(pfd[0]);
			pfd[0] = -1;
		}
		close(pfd[1]);
		snprintf(store[argc], sizeof store[0], "--key=%s", keypath);
		argv[argc] = store[argc];
		argc++;
		snprintf(fdarg, sizeof fdarg, "--passphrase-fd=%d", pfd[0]);
		argv[argc++] = fdarg;
	}
	argv[argc++] = "--";
	argv[argc++] = (char *)hid;
	argv[argc] = NULL;
	rc = web_run(argc, argv, q->clerk, hid, &out, &err);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (keypath[0])
		unlink(keypath);
	for (size_t i = 0; i < f.n; i++)
		sodium_memzero(f.value[i], strlen(f.value[i]));
	web_form_release(&f);
	s_command_reply(r, rc, &out, &err);
	fputs("}\n", r->f);
	web_buf_release(&out);
	web_buf_release(&err);
	return 0;
}

/* A document for printing: lika card | register | book | report as HTML. */
static int
s_document(struct web_req *q, struct web_reply *r)
{
	struct web_buf out = WEB_BUF_INIT, err = WEB_BUF_INIT;
	const char *doc = q->path + 5, *id = web_form_get(&q->query, "id");
	char *argv[6] = { NULL };
	int argc = 0;

	if (!strcmp(doc, "card") || !strcmp(doc, "register")) {
		if (!id || !*id || !is_digits(id, strlen(id)))
			return web_error(r, 400, "%s needs an id of digits", doc);
		argv[argc++] = (char *)doc;
		argv[argc++] = "--format=html";
		argv[argc++] = "--";
		argv[argc++] = (char *)id;
	} else if (!strcmp(doc, "book") || !strcmp(doc, "report") || !strcmp(doc, "archive")) {
		argv[argc++] = (char *)doc;
		argv[argc++] = "--format=html";
	} else {
		return web_error(r, 404, "no document \"%s\"", doc);
	}
	int rc = web_run(argc, argv, NULL, NULL, &out, &err);
	if (rc != EXIT_OK) {
		web_error(r, rc == EXIT_USAGE ? 422 : 500, "%s", err.p ? err.p : "failed");
	} else {
		/* lika's documents escape what they print (html_str); no script runs in them */
		fwrite(out.p, 1, out.len, r->f);
		r->type = "text/html; charset=utf-8";
		r->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
	}
	web_buf_release(&out);
	web_buf_release(&err);
	return 0;
}

int
web_api(struct web_req *q, struct web_reply *r)
{
	int post = strcmp(q->method, "POST") == 0;
	int township = q->n->conf.role == ROLE_TOWNSHIP;

	if (strncmp(q->path, "/doc/", 5) == 0 && !post)
		return s_document(q, r);
	if (!strcmp(q->path, "/api/fields") && !post)
		return s_fields(q, r);
	if (!strcmp(q->path, "/api/households") && !post)
		return s_households(q, r);
	if (!strcmp(q->path, "/api/household") && !post)
		return s_household(q, r);
	if (!strcmp(q->path, "/api/todo") && !post)
		return s_todo(q, r);
	if (!strcmp(q->path, "/api/progress") && !post)
		return s_progress(r);
	if (!strcmp(q->path, "/api/step") && post)
		return s_step(q, r);
	if (post && !township)
		return web_error(r, 403, "households are written at their township's node");
	if (!strcmp(q->path, "/api/household") && post)
		return s_household_write(q, r, NULL);
	if (!strcmp(q->path, "/api/household/edit") && post) {
		const char *id = web_form_get(&q->query, "id");
		if (!id || strlen(id) != 15 || !is_digits(id, 15))
			return web_error(r, 400, "household id is not 15 digits");
		return s_household_write(q, r, id);
	}
	if (!strcmp(q->path, "/api/import") && post)
		return s_import(q, r);
	return web_error(r, 404, "no resource %s %s", q->method, q->path);
}
