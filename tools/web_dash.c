/*
 * web_dash.c — the county dashboard: every township's health, connection,
 * lag and refused change sets (lib/core/status.c, as `lika status` shows
 * them), households by stage, and two server-drawn SVG charts: lag over the
 * last 24 hours per township and households by stage per township.
 *
 * Lag history: a sample of every peer is kept in memory when the dashboard
 * is read, at most one a minute (a first one at once), for 24 hours.
 */
#include <stdlib.h>
#include <string.h>

#include "household.h"
#include "status.h"
#include "util.h"
#include "web.h"

#define SAMPLE_EVERY_MS  60000
#define SAMPLE_SPAN_MS   (24 * 3600 * 1000LL)
#define SAMPLES_MAX      1440
#define PEERS_MAX        512

struct sample {
	int64_t at_ms;
	uint64_t lag;
	int64_t lag_ms;
};
struct history {
	char code[CODE_MAX];
	struct sample s[SAMPLES_MAX];
	size_t n;
};
static struct history *s_hist;
static size_t s_nhist;
static int64_t s_last_sample;

static struct history *
s_history_of(const char *code)
{
	for (size_t i = 0; i < s_nhist; i++)
		if (!strcmp(s_hist[i].code, code))
			return &s_hist[i];
	if (s_nhist == PEERS_MAX)
		return NULL;
	struct history *h = realloc(s_hist, (s_nhist + 1) * sizeof *h);
	if (!h)
		return NULL;
	s_hist = h;
	h = &s_hist[s_nhist++];
	memset(h, 0, sizeof *h);
	snprintf(h->code, sizeof h->code, "%s", code);
	return h;
}

static void
s_sample(const struct status *st)
{
	if (s_last_sample && st->now_ms - s_last_sample < SAMPLE_EVERY_MS)
		return;
	s_last_sample = st->now_ms;
	for (size_t i = 0; i < st->npeers; i++) {
		struct history *h = s_history_of(st->peers[i].code);
		if (!h)
			continue;
		size_t drop = 0;
		while (drop < h->n && (st->now_ms - h->s[drop].at_ms > SAMPLE_SPAN_MS || h->n - drop >= SAMPLES_MAX))
			drop++;
		memmove(h->s, h->s + drop, (h->n - drop) * sizeof h->s[0]);
		h->n -= drop;
		h->s[h->n++] = (struct sample){ st->now_ms, st->peers[i].lag, st->peers[i].lag_ms };
	}
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
	s_sample(st);
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
	fputs("],\"stages\":", r->f);
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

/* Lag in change sets over the last 24 hours, one line per township. */
static void
s_chart_lag(FILE *f, const struct status *st)
{
	uint64_t max = 1;
	int64_t t1 = st->now_ms, t0 = t1 - SAMPLE_SPAN_MS;

	for (size_t i = 0; i < s_nhist; i++)
		for (size_t k = 0; k < s_hist[i].n; k++)
			if (s_hist[i].s[k].lag > max)
				max = s_hist[i].s[k].lag;
	s_svg_open(f, "同步滞后 lag (change sets), last 24 h");
	fprintf(f, "<text x=\"4\" y=\"%d\">%llu</text><text x=\"4\" y=\"%d\">0</text>\n", PAD_T + 4,
	    (unsigned long long)max, H - PAD_B);
	fprintf(f, "<text x=\"%d\" y=\"%d\">-24 h</text><text x=\"%d\" y=\"%d\">now</text>\n", PAD_L,
	    H - 10, W - 36, H - 10);
	for (size_t i = 0; i < s_nhist; i++) {
		const char *color = s_colors[i % NCOLORS];
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
		for (size_t k = 0; k < s_hist[i].n; k++) {
			double x = PAD_L + (double)(s_hist[i].s[k].at_ms - t0) * (W - 8 - PAD_L) / (double)(t1 - t0);
			double y = H - PAD_B - (double)s_hist[i].s[k].lag * (H - PAD_B - PAD_T) / (double)max;
			fprintf(f, "%.1f,%.1f ", x, y);
		}
		fputs("\"/>\n", f);
		fprintf(f, "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		    "<text x=\"%zu\" y=\"%d\">", PAD_L + (i % 6) * 110, H + 6 + (int)(i / 6) * 14, color,
		    PAD_L + (i % 6) * 110 + 14, H + 15 + (int)(i / 6) * 14);
		s_xml(f, s_hist[i].code);
		fputs("</text>\n", f);
	}
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
		s_chart_lag(r->f, &st);
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
