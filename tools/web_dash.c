/*
 * web_dash.c — the county dashboard: every township's health, connection,
 * lag and refused change sets (lib/core/status.c, as `lika status` shows
 * them), households by stage, and two server-drawn SVG charts: lag over the
 * last 24 hours per township and households by stage per township.
 *
 * Lag history: a sample of every peer is kept in web.db (table lag_sample)
 * when the dashboard is read, at most one a minute (a first one at once), so
 * a restart of lika serve keeps the chart; samples older than 24 hours are
 * deleted as new ones come, so the table holds at most a day's.
 */
#include <stdlib.h>
#include <string.h>

#include "household.h"
#include "status.h"
#include "util.h"
#include "web.h"

#define SAMPLE_EVERY_MS  60000
#define SAMPLE_SPAN_MS   (24 * 3600 * 1000LL)
#define PEERS_MAX        512

/* The time of the last sample, 0 if none. */
static int64_t
s_last_sample(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t last = 0;

	if (sqlite3_prepare_v2(db, "SELECT max(at_ms) FROM lag_sample", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			last = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return last;
}

/* Every peer's lag now into INS (prepared); 0 or -1. */
static int
s_sample_peers(sqlite3_stmt *ins, const struct status *st)
{
	for (size_t i = 0; i < st->npeers && i < PEERS_MAX; i++) {
		sqlite3_bind_text(ins, 1, st->peers[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, st->now_ms);
		sqlite3_bind_int64(ins, 3, (int64_t)st->peers[i].lag);
		sqlite3_bind_int64(ins, 4, st->peers[i].lag_ms);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return -1;
		sqlite3_reset(ins);
	}
	return 0;
}

/*
 * A sample of every peer's lag, unless the last is under a minute old (a
 * clock set back takes one at once); those over 24 hours old are deleted.
 */
static int
s_sample(sqlite3 *db, const struct status *st, char *err, size_t errlen)
{
	sqlite3_stmt *ins = NULL;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return errf(err, errlen, "web.db: %s", sqlite3_errmsg(db));
	int64_t last = s_last_sample(db);
	if (last && st->now_ms >= last && st->now_ms - last < SAMPLE_EVERY_MS) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	int ok = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO lag_sample (code, at_ms, lag, "
	    "lag_ms) VALUES (?1, ?2, ?3, ?4)", -1, &ins, NULL) == SQLITE_OK &&
	    s_sample_peers(ins, st) == 0;
	sqlite3_finalize(ins);
	ok = ok && web_db_exec(db, "DELETE FROM lag_sample WHERE at_ms < ?3", NULL, NULL,
	    st->now_ms - SAMPLE_SPAN_MS, NULL) >= 0;
	if (!ok || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		errf(err, errlen, "web.db: keeping a lag sample: %s", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Gather the status (and take a sample); -1 with the reply written. */
static int
s_gather(struct web_req *q, struct web_reply *r, struct status *st)
{
	char err[ERRBUF_SIZE];

	if (status_gather(q->n, st, err, sizeof err) < 0) {
		web_error(r, 500, "%s", err);
		return -1;
	}
	if (s_sample(q->webdb, st, err, sizeof err) < 0) {
		status_release(st);
		web_error(r, 500, "%s", err);
		return -1;
	}
	return 0;
}

/* Households by status of each township: {"CODE":{"01":n,…},…} */
static void
s_stages(FILE *f, sqlite3 *db)
{
	sqlite3_stmt *st;
	char last[CODE_MAX] = "";

	fputc('{', f);
	if (sqlite3_prepare_v2(db, "SELECT substr(id, 1, 9), coalesce(status, ''), count(*) FROM household "
	    "GROUP BY 1, 2 ORDER BY 1, 2", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *code = col_text(st, 0);
			if (strcmp(code, last)) {
				fprintf(f, "%s\"%s\":{", last[0] ? "}," : "", code);
				snprintf(last, sizeof last, "%s", code);
			} else {
				fputc(',', f);
			}
			web_json_str(f, col_text(st, 1));
			fprintf(f, ":%lld", (long long)sqlite3_column_int64(st, 2));
		}
		sqlite3_finalize(st);
	}
	fputs(last[0] ? "}}" : "}", f);
}

int
web_dash(struct web_req *q, struct web_reply *r)
{
	struct status st;

	if (s_gather(q, r, &st) < 0)
		return 0;
	fprintf(r->f, "{\"code\":\"%s\",\"name\":", st.code);
	web_json_str(r->f, st.name);
	fprintf(r->f, ",\"role\":\"%s\",\"now_ms\":%lld,\"health\":\"%s\",\"daemon_running\":%d,"
	    "\"late_after_s\":%lld,\"issues\":%zu,\"unsent\":%llu,\"peers\":[", role_name(st.role),
	    (long long)st.now_ms, health_name(st.health), st.daemon_running,
	    (long long)st.late_after_s, st.nissues, (unsigned long long)st.unsent);
	for (size_t i = 0; i < st.npeers; i++) {
		const struct status_peer *p = &st.peers[i];
		fprintf(r->f, "%s{\"code\":\"%s\",\"name\":", i ? "," : "", p->code);
		web_json_str(r->f, p->name);
		fprintf(r->f, ",\"health\":\"%s\",\"connected\":%d,\"removed\":%d,\"last_contact_ms\":%lld,"
		    "\"lag\":%llu,\"lag_ms\":%lld,\"held\":%llu,\"households\":%llu,\"quarantined\":%llu,"
		    "\"frozen\":%d,\"errors\":%llu,\"last_error\":", health_name(p->health), p->connected,
		    p->removed, (long long)p->last_contact_ms, (unsigned long long)p->lag,
		    (long long)p->lag_ms, (unsigned long long)p->held, (unsigned long long)p->households,
		    (unsigned long long)p->quarantined, p->frozen, (unsigned long long)p->errors);
		web_json_str(r->f, p->last_error);
		fprintf(r->f, ",\"schema\":%u,\"upgrade_needed\":%s}", p->schema,
		    p->upgrade && !p->removed ? "true" : "false");
	}
	fputs("],\"sink\":", r->f);
	if (st.sink.configured) {
		const struct status_sink *k = &st.sink;
		fprintf(r->f, "{\"health\":\"%s\",\"live\":%d,\"connected\":%d,\"known\":%d,\"behind\":%llu,"
		    "\"oldest_ms\":%lld,\"written\":%llu,\"last_write_ms\":%lld,\"last_error\":",
		    health_name(k->health), k->live, k->connected, k->known, (unsigned long long)k->behind,
		    (long long)k->oldest_ms, (unsigned long long)k->written, (long long)k->last_write_ms);
		web_json_str(r->f, k->last_error);
		fputc('}', r->f);
	} else {
		fputs("null", r->f);
	}
	fputs(",\"stages\":", r->f);
	s_stages(r->f, ledger_db(q->n->ledger));
	fputs(",\"statuses\":{", r->f);
	sqlite3_stmt *cs;
	if (sqlite3_prepare_v2(ledger_db(q->n->ledger), "SELECT id, name FROM code_status ORDER BY id",
	    -1, &cs, NULL) == SQLITE_OK) {
		for (int first = 1; sqlite3_step(cs) == SQLITE_ROW; first = 0) {
			fprintf(r->f, "%s", first ? "" : ",");
			web_json_str(r->f, col_text(cs, 0));
			fputc(':', r->f);
			web_json_str(r->f, col_text(cs, 1));
		}
		sqlite3_finalize(cs);
	}
	fputs("}}\n", r->f);
	status_release(&st);
	return 0;
}

/* ---- charts ------------------------------------------------------------------------ */

static void
s_xml(FILE *f, const char *s)
{
	html_str(f, s);
}

static const char *const s_colors[] = {
	"#1b6ac9", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d",
};
#define NCOLORS (sizeof s_colors / sizeof s_colors[0])

#define W 720
#define H 260
#define PAD_L 48
#define PAD_B 28
#define PAD_T 16

static void
s_svg_open(FILE *f, const char *title)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n<title>", W, H + 40, W,
	    H + 40);
	s_xml(f, title);
	fprintf(f, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H + 40);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", PAD_L, H - PAD_B,
	    W - 8, H - PAD_B);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", PAD_L, PAD_T,
	    PAD_L, H - PAD_B);
}

/* End township CODE's line (the I-th) and write its name under the chart. */
static void
s_lag_legend(FILE *f, const char *code, size_t i)
{
	fputs("\"/>\n", f);
	fprintf(f, "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
	    "<text x=\"%zu\" y=\"%d\">", PAD_L + (i % 6) * 110, H + 6 + (int)(i / 6) * 14,
	    s_colors[i % NCOLORS], PAD_L + (i % 6) * 110 + 14, H + 15 + (int)(i / 6) * 14);
	s_xml(f, code);
	fputs("</text>\n", f);
}

/* Lag in change sets over the last 24 hours, one line per township (web.db's samples). */
static void
s_chart_lag(FILE *f, sqlite3 *db, const struct status *st)
{
	sqlite3_stmt *q;
	uint64_t max = 1;
	int64_t t1 = st->now_ms, t0 = t1 - SAMPLE_SPAN_MS;
	char code[CODE_MAX] = "";
	size_t line = 0;

	if (sqlite3_prepare_v2(db, "SELECT max(lag) FROM lag_sample WHERE at_ms >= ?1", -1, &q,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, t0);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) > 1)
			max = (uint64_t)sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	s_svg_open(f, "同步滞后 lag (change sets), last 24 h");
	fprintf(f, "<text x=\"4\" y=\"%d\">%llu</text><text x=\"4\" y=\"%d\">0</text>\n", PAD_T + 4,
	    (unsigned long long)max, H - PAD_B);
	fprintf(f, "<text x=\"%d\" y=\"%d\">-24 h</text><text x=\"%d\" y=\"%d\">now</text>\n", PAD_L,
	    H - 10, W - 36, H - 10);
	if (sqlite3_prepare_v2(db, "SELECT code, at_ms, lag FROM lag_sample WHERE at_ms >= ?1 "
	    "ORDER BY code, at_ms", -1, &q, NULL) != SQLITE_OK) {
		fputs("</svg>\n", f);
		return;
	}
	sqlite3_bind_int64(q, 1, t0);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (strcmp(code, col_text(q, 0)) != 0) {
			if (code[0])
				s_lag_legend(f, code, line++);
			snprintf(code, sizeof code, "%s", col_text(q, 0));
			fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
			    s_colors[line % NCOLORS]);
		}
		double x = PAD_L + (double)(sqlite3_column_int64(q, 1) - t0) * (W - 8 - PAD_L) /
		    (double)(t1 - t0);
		double y = H - PAD_B - (double)sqlite3_column_int64(q, 2) * (H - PAD_B - PAD_T) /
		    (double)max;
		fprintf(f, "%.1f,%.1f ", x, y);
	}
	sqlite3_finalize(q);
	if (code[0])
		s_lag_legend(f, code, line);
	fputs("</svg>\n", f);
}

/* Households by stage (status), a stacked bar per township. */
static void
s_chart_stages(FILE *f, sqlite3 *db)
{
	sqlite3_stmt *st;
	struct bar { char code[CODE_MAX]; int64_t n[8]; int64_t total; } bars[64];
	size_t nb = 0;
	int64_t max = 1;

	memset(bars, 0, sizeof bars);
	/* every township on the roster (the county's), with or without households */
	if (sqlite3_prepare_v2(db, "SELECT id, NULL, 0 FROM roster_node WHERE role = 'township' AND "
	    "coalesce(removed, 0) = 0 UNION ALL SELECT substr(id, 1, 9), CAST(coalesce(status, '0') AS "
	    "INTEGER), count(*) FROM household GROUP BY 1, 2 ORDER BY 1, 2", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *code = col_text(st, 0);
			if (!nb || strcmp(bars[nb - 1].code, code)) {
				if (nb == 64)
					break;
				snprintf(bars[nb++].code, CODE_MAX, "%s", code);
			}
			int s = sqlite3_column_int(st, 1);
			int64_t n = sqlite3_column_int64(st, 2);
			bars[nb - 1].n[s >= 1 && s <= 7 ? s : 0] += n;
			bars[nb - 1].total += n;
			if (bars[nb - 1].total > max)
				max = bars[nb - 1].total;
		}
		sqlite3_finalize(st);
	}
	s_svg_open(f, "各乡镇户数（按状态） households by stage per township");
	fprintf(f, "<text x=\"4\" y=\"%d\">%lld</text>\n", PAD_T + 4, (long long)max);
	double bw = nb ? (double)(W - 8 - PAD_L) / (double)nb : 0;
	if (bw > 120)
		bw = 120;
	for (size_t i = 0; i < nb; i++) {
		double y = H - PAD_B;
		for (int s = 0; s < 8; s++) {
			double h = (double)bars[i].n[s] * (H - PAD_B - PAD_T) / (double)max;
			if (h <= 0)
				continue;
			y -= h;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
			    PAD_L + i * bw + 4, y, bw > 12 ? bw - 8 : bw, h, s_colors[s % NCOLORS]);
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">", PAD_L + i * bw + 4, H - 12);
		s_xml(f, bars[i].code);
		fprintf(f, " (%lld)</text>\n", (long long)bars[i].total);
	}
	static const char *const names[] = { "?", "申请", "审核中", "已建档立卡", "未通过", "已脱贫",
	    "返贫", "清退" };
	for (int s = 1; s < 8; s++)
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		    "<text x=\"%d\" y=\"%d\">%s</text>\n", PAD_L + (s - 1) * 92, H + 6, s_colors[s % NCOLORS],
		    PAD_L + (s - 1) * 92 + 14, H + 15, names[s]);
	fputs("</svg>\n", f);
}

int
web_chart(struct web_req *q, struct web_reply *r)
{
	struct status st;

	if (!strcmp(q->path, "/chart/lag.svg")) {
		if (s_gather(q, r, &st) < 0)
			return 0;
		s_chart_lag(r->f, q->webdb, &st);
		status_release(&st);
	} else if (!strcmp(q->path, "/chart/stages.svg")) {
		s_chart_stages(r->f, ledger_db(q->n->ledger));
	} else {
		return web_error(r, 404, "no chart %s", q->path);
	}
	r->type = "image/svg+xml";
	r->csp = "default-src 'none'; style-src 'unsafe-inline'";
	return 0;
}
