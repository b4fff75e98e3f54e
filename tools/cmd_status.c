/*
 * cmd_status.c — `lika status`: what admins see of sync, as a terminal table,
 * JSON (fields documented in README.md, "lika status"), or an HTML page; with
 * a monitoring exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lika.h"
#include "rules.h"
#include "status.h"
#include "schema.h"
#include "util.h"

#define EXIT_UNREADABLE 3

static volatile sig_atomic_t s_stop;

static void
s_on_signal(int sig)
{
	(void)sig;
	s_stop = 1;
}

/* Columns a UTF-8 string takes on a terminal: CJK and fullwidth count 2. */
static int
s_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p) {
		uint32_t c;
		int n;
		if (*p < 0x80) { c = *p; n = 1; }
		else if ((*p & 0xe0) == 0xc0) { c = *p & 0x1f; n = 2; }
		else if ((*p & 0xf0) == 0xe0) { c = *p & 0x0f; n = 3; }
		else { c = *p & 0x07; n = 4; }
		for (int i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80) { n = i; break; }
			c = c << 6 | (p[i] & 0x3f);
		}
		p += n;
		w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
		    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
		    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
		    (c >= 0xffe0 && c <= 0xffe6) || c >= 0x20000 ? 2 : 1;
	}
	return w;
}

/* Print S left-aligned in WIDTH terminal columns. */
static void
s_cell(FILE *f, const char *s, int width)
{
	fputs(s, f);
	for (int w = s_width(s); w < width; w++)
		fputc(' ', f);
}

/* "5s", "3m", "2h", "4d" for a duration in ms. */
static void
s_age(char *out, size_t len, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, len, "%" PRId64 "s", s);
	else if (s < 7200)
		snprintf(out, len, "%" PRId64 "m", s / 60);
	else if (s < 172800)
		snprintf(out, len, "%" PRId64 "h", s / 3600);
	else
		snprintf(out, len, "%" PRId64 "d", s / 86400);
}

static const char *
s_colour(enum health h, int on)
{
	if (!on)
		return "";
	switch (h) {
	case HEALTH_OK:    return "\033[32m";
	case HEALTH_NEVER:
	case HEALTH_LATE:  return "\033[33m";
	default:           return "\033[31m";
	}
}

static void
s_health_cell(FILE *f, enum health h, int colour, int width)
{
	fputs(s_colour(h, colour), f);
	s_cell(f, health_name(h), width);
	if (colour)
		fputs("\033[0m", f);
}

static void
s_connection(char *out, size_t len, const struct status *s, const struct status_peer *p)
{
	char age[32];

	if (p->connected) {
		s_age(age, sizeof age, s->now_ms - p->since_ms);
		snprintf(out, len, "connected %s", age);
	} else if (p->last_contact_ms == 0) {
		snprintf(out, len, "never");
	} else {
		s_age(age, sizeof age, s->now_ms - p->last_contact_ms);
		snprintf(out, len, "seen %s ago", age);
	}
}

/* The PostgreSQL copy in words into OUT, the same in text and HTML. */
static void
s_sink_line(char *out, size_t len, const struct status *s)
{
	const struct status_sink *k = &s->sink;
	char age[32], last[64] = "", err[sizeof k->last_error + 16] = "";

	if (!k->live) {
		snprintf(out, len, "%s", s->daemon_running ? "likad does not say (an older likad?)" :
		    "likad is not running: how far it got is in PostgreSQL (table lika_sink)");
		return;
	}
	if (k->last_error[0])
		snprintf(err, sizeof err, "; last error: %s", k->last_error);
	if (!k->known) {
		snprintf(out, len, "%s%s", k->connected ? "connected, copying every table first" :
		    "PostgreSQL not reached since likad started", err);
		return;
	}
	if (k->last_write_ms) {
		s_age(age, sizeof age, s->now_ms - k->last_write_ms);
		snprintf(last, sizeof last, ", the last batch %s ago", age);
	}
	if (k->behind && k->oldest_ms) {
		s_age(age, sizeof age, s->now_ms - k->oldest_ms);
		snprintf(out, len, "%s; %" PRIu64 " change sets behind (the oldest stored %s ago); "
		    "since likad started %" PRIu64 " written%s%s", k->connected ? "connected" :
		    "not connected", k->behind, age, k->written, last, err);
	} else {
		snprintf(out, len, "%s; up to date; since likad started %" PRIu64 " change sets written%s%s",
		    k->connected ? "connected" : "not connected", k->written, last, err);
	}
}

/*
 * "upgrade needed: …" of peer P into OUT, the same words in text and HTML:
 * P the hub seen from a township (this node must upgrade), or a township
 * seen from its county (it must).  "" if neither.
 */
static void
s_upgrade(char *out, size_t len, const struct status *s, const struct status_peer *p)
{
	out[0] = '\0';
	if (!p->upgrade || p->removed)
		return;
	if (s->role == ROLE_TOWNSHIP)
		snprintf(out, len, "upgrade needed: the county writes schema %u, this node knows %d; "
		    "its change sets are held (%" PRIu64 " of %" PRIu64 " applied) until lika is upgraded "
		    "here", p->schema, SCHEMA_VERSION, s->county_applied, s->county_head);
	else
		snprintf(out, len, "upgrade needed: %s %s runs schema %u, this hub %d; it holds the "
		    "county's change sets until lika is upgraded there", p->code, p->name, p->schema,
		    SCHEMA_VERSION);
}

/* A township's lines: its hub, its own feed, the county feed. */
static void
s_render_township(FILE *f, const struct status *s)
{
	const struct status_peer *hub = &s->peers[0];
	char when[32], age[32], buf[256];

	s_connection(buf, sizeof buf, s, hub);
	fprintf(f, "  hub          %s %s: %s", hub->code, hub->name, buf);
	if (hub->last_contact_ms) {
		time_format(when, sizeof when, hub->last_contact_ms);
		fprintf(f, "; last exchange %s", when);
	}
	fputc('\n', f);
	fprintf(f, "  own feed     head %" PRIu64 "; the county has %" PRIu64, s->own_head, s->acked);
	if (s->unsent) {
		s_age(age, sizeof age, s->now_ms - s->oldest_unsent_ms);
		fprintf(f, "; %" PRIu64 " not yet at the county (oldest written %s ago; "
		    "%" PRIu64 " households changed)\n", s->unsent, age, s->households_unsent);
	} else {
		fprintf(f, "; all at the county\n");
	}
	fprintf(f, "  county feed  applied %" PRIu64 " of %" PRIu64 " held", s->county_applied,
	    s->county_head);
	if (hub->their_head > s->county_head)
		fprintf(f, "; the hub has %" PRIu64, hub->their_head);
	if (s->county_waits[0])
		fprintf(f, "; waits at %s", s->county_waits);
	fputc('\n', f);
	s_upgrade(buf, sizeof buf, s, hub);
	if (buf[0])
		fprintf(f, "  schema       %s\n", buf);
	if (hub->errors)
		fprintf(f, "  errors       %" PRIu64 "%s%s\n", hub->errors,
		    hub->last_error[0] ? "; last: " : "", hub->last_error);
}

/* The county's table of townships and its totals. */
static void
s_render_county(FILE *f, const struct status *s, int colour)
{
	char buf[256];
	size_t ok = 0, bad = 0, removed = 0;
	uint64_t hh = 0, lag = 0, q = 0;

	/* a province lists its counties, or (--county) one county's townships */
	const char *what = s->role == ROLE_PROVINCE && !s->under[0] ? "county" : "township";
	fprintf(f, "\n  ");
	s_cell(f, what, 10); s_cell(f, "name", 14); s_cell(f, "health", 7);
	s_cell(f, "connection", 16); s_cell(f, "theirs", 8); s_cell(f, "held", 8);
	s_cell(f, "lag", 6); s_cell(f, "lag time", 9); s_cell(f, "households", 11);
	fprintf(f, "refused\n");
	for (size_t i = 0; i < s->npeers; i++) {
		const struct status_peer *p = &s->peers[i];
		fprintf(f, "  ");
		s_cell(f, p->code, 10);
		s_cell(f, p->name, 14);
		if (p->removed) {
			s_cell(f, "removed", 7);
			removed++;
		} else {
			s_health_cell(f, p->health, colour, 7);
			if (p->health == HEALTH_OK)
				ok++;
			else
				bad++;
		}
		s_connection(buf, sizeof buf, s, p);
		s_cell(f, buf, 16);
		snprintf(buf, sizeof buf, "%" PRIu64, p->their_head); s_cell(f, buf, 8);
		snprintf(buf, sizeof buf, "%" PRIu64, p->held); s_cell(f, buf, 8);
		snprintf(buf, sizeof buf, "%" PRIu64, p->lag); s_cell(f, buf, 6);
		if (p->lag && p->lag_ms)
			s_age(buf, sizeof buf, p->lag_ms);
		else
			snprintf(buf, sizeof buf, "-");
		s_cell(f, buf, 9);
		snprintf(buf, sizeof buf, "%" PRIu64, p->households); s_cell(f, buf, 11);
		fprintf(f, "%" PRIu64 "%s\n", p->quarantined, p->frozen ? " (feed frozen)" : "");
		hh += p->households;
		lag += p->lag;
		q += p->quarantined;
	}
	fprintf(f, "  total: %zu %s: %zu ok, %zu need attention%s; lag %" PRIu64
	    " change sets; %" PRIu64 " households; %" PRIu64 " refused\n", ok + bad,
	    strcmp(what, "county") == 0 ? "counties" : "townships", ok, bad,
	    removed ? " (and removed ones)" : "", lag, hh, q);
	if (s->under[0])
		fprintf(f, "  as seen from the province: the townships of county %s, over its link\n",
		    s->under);
	else
		fprintf(f, "  %s feed  head %" PRIu64 "\n", role_name(s->role), s->own_head);
	if (s->has_upstream) {
		s_connection(buf, sizeof buf, s, &s->upstream);
		fprintf(f, "  province     %s: %s; it holds %" PRIu64 " of the county feed's %" PRIu64 "%s%s\n",
		    s->upstream.code, buf, s->upstream.their_head, s->own_head,
		    s->upstream.last_error[0] ? "; last error: " : "", s->upstream.last_error);
	}
	for (size_t i = 0; i < s->npeers; i++) {
		s_upgrade(buf, sizeof buf, s, &s->peers[i]);
		if (buf[0])
			fprintf(f, "  %s\n", buf);
	}
}

static void
s_render_text(FILE *f, const struct status *s, int colour)
{
	char when[32], buf[256];

	time_format(when, sizeof when, s->now_ms);
	fprintf(f, "%s (%s), %s node — %s\n", s->name, s->code, role_name(s->role), when);
	if (s->daemon_running) {
		time_format(buf, sizeof buf, s->daemon_started_ms);
		fprintf(f, "  daemon       running (pid %ld%s%s)%s\n", s->daemon_pid,
		    s->daemon_started_ms ? ", started " : "", s->daemon_started_ms ? buf : "",
		    s->daemon_live ? "" : "; not answering on its control socket");
	} else {
		fprintf(f, "  daemon       not running\n");
	}
	if (s->write_hold[0])
		fprintf(f, "  writes       on hold: %s\n", s->write_hold);
	if (s->write_hold[0] && s->hold_awaiting[0])
		fprintf(f, "  awaiting     %s (to confirm %s; \"lika hold show\")\n", s->hold_awaiting,
		    s->role == ROLE_COUNTY ? "the county feed" : "this township's feed");

	if (s->role == ROLE_TOWNSHIP)
		s_render_township(f, s);
	else
		s_render_county(f, s, colour);
	if (s->nissues) {
		fprintf(f, "  quarantine   %zu:\n", s->nissues);
		for (size_t i = 0; i < s->nissues && i < 20; i++) {
			const struct status_issue *is = &s->issues[i];
			time_format(when, sizeof when, is->at_ms);
			fprintf(f, "    %s %s seq %" PRIu64 " (%s, from %s): %s\n", when, is->origin, is->seq,
			    is->kind, is->peer[0] ? is->peer : "?", is->reason);
		}
	} else {
		fprintf(f, "  quarantine   none\n");
	}
	if (s->sink.configured) {
		char line[512];
		s_sink_line(line, sizeof line, s);
		fprintf(f, "  PostgreSQL   ");
		s_health_cell(f, s->sink.health, colour, 0);
		fprintf(f, " %s\n", line);
	}
	if (s->sig_unchecked)
		fprintf(f, "  signatures   %" PRIu64 " stored change sets still wait for their own signature "
		    "check (likad checks them after applying; none is forwarded before)\n", s->sig_unchecked);
	else
		fprintf(f, "  signatures   every stored change set's own signature checked\n");
	fprintf(f, "  health       ");
	s_health_cell(f, s->health, colour, 0);
	fputc('\n', f);
}

static void
s_render_json(FILE *f, const struct status *s)
{
	fprintf(f, "{\"node\":");
	json_str(f, s->code);
	fprintf(f, ",\"name\":");
	json_str(f, s->name);
	fprintf(f, ",\"role\":\"%s\",\"now_ms\":%" PRId64 ",\"health\":\"%s\",\"exit\":%d,"
	    "\"daemon\":{\"running\":%s,\"live\":%s,\"pid\":%ld,\"started_ms\":%" PRId64 "},"
	    "\"write_hold\":", role_name(s->role), s->now_ms, health_name(s->health),
	    status_exit_code(s), s->daemon_running ? "true" : "false",
	    s->daemon_live ? "true" : "false", s->daemon_running ? s->daemon_pid : 0,
	    s->daemon_started_ms);
	json_str(f, s->write_hold);
	fprintf(f, ",\"hold_awaiting\":");
	json_str(f, s->hold_awaiting);
	fprintf(f, ",\"own_feed\":{\"head\":%" PRIu64 ",\"head_ms\":%" PRId64 "},\"sig_unchecked\":%"
	    PRIu64, s->own_head, s->own_head_ms, s->sig_unchecked);
	if (s->role == ROLE_TOWNSHIP)
		fprintf(f, ",\"unsent\":{\"count\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"oldest_ms\":%" PRId64
		    ",\"households\":%" PRIu64 "},\"county_feed\":{\"held\":%" PRIu64 ",\"applied\":%" PRIu64
		    ",\"hub_head\":%" PRIu64 ",\"waits\":", s->unsent, s->acked, s->oldest_unsent_ms,
		    s->households_unsent, s->county_head, s->county_applied, s->county_hub_head);
	if (s->role == ROLE_TOWNSHIP) {
		json_str(f, s->county_waits);
		fputc('}', f);
	}
	if (s->has_upstream)
		fprintf(f, ",\"upstream\":{\"code\":\"%s\",\"connected\":%s,\"last_contact_ms\":%" PRId64
		    ",\"acked\":%" PRIu64 "}", s->upstream.code, s->upstream.connected ? "true" : "false",
		    s->upstream.last_contact_ms, s->upstream.their_head);
	if (s->sink.configured) {
		const struct status_sink *k = &s->sink;
		fprintf(f, ",\"sink\":{\"health\":\"%s\",\"live\":%s,\"connected\":%s,\"known\":%s,"
		    "\"behind\":%" PRIu64 ",\"oldest_ms\":%" PRId64 ",\"written\":%" PRIu64
		    ",\"last_write_ms\":%" PRId64 ",\"last_error\":", health_name(k->health),
		    k->live ? "true" : "false", k->connected ? "true" : "false",
		    k->known ? "true" : "false", k->behind, k->oldest_ms, k->written, k->last_write_ms);
		json_str(f, k->last_error);
		fputc('}', f);
	}
	fprintf(f, ",\"peers\":[");
	for (size_t i = 0; i < s->npeers; i++) {
		const struct status_peer *p = &s->peers[i];
		fprintf(f, "%s{\"code\":\"%s\",\"name\":", i ? "," : "", p->code);
		json_str(f, p->name);
		fprintf(f, ",\"health\":\"%s\",\"removed\":%s,\"connected\":%s,\"since_ms\":%" PRId64
		    ",\"last_contact_ms\":%" PRId64 ",\"their_head\":%" PRIu64 ",\"held\":%" PRIu64
		    ",\"lag\":%" PRIu64 ",\"lag_ms\":%" PRId64 ",\"households\":%" PRIu64
		    ",\"quarantined\":%" PRIu64 ",\"frozen\":%s,\"errors\":%" PRIu64 ",\"last_error\":",
		    p->removed ? "removed" : health_name(p->health), p->removed ? "true" : "false",
		    p->connected ? "true" : "false", p->since_ms, p->last_contact_ms, p->their_head,
		    p->held, p->lag, p->lag_ms, p->households, p->quarantined,
		    p->frozen ? "true" : "false", p->errors);
		json_str(f, p->last_error);
		fprintf(f, ",\"schema\":%u,\"upgrade_needed\":%s}", p->schema, p->upgrade ? "true" : "false");
	}
	fprintf(f, "],\"quarantine\":[");
	for (size_t i = 0; i < s->nissues; i++) {
		const struct status_issue *is = &s->issues[i];
		fprintf(f, "%s{\"origin\":\"%s\",\"seq\":%" PRIu64 ",\"kind\":\"%s\",\"peer\":\"%s\","
		    "\"at_ms\":%" PRId64 ",\"reason\":", i ? "," : "", is->origin, is->seq, is->kind,
		    is->peer, is->at_ms);
		json_str(f, is->reason);
		fputc('}', f);
	}
	fprintf(f, "]}\n");
}

static void
s_render_html(FILE *f, const struct status *s)
{
	char when[32], buf[256];

	time_format(when, sizeof when, s->now_ms);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"refresh\" content=\"60\">\n<title>同步状态 ");
	html_str(f, s->name);
	fprintf(f, "</title>\n<style>\nbody{font-family:sans-serif;margin:1.5em}"
	    "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25em .6em;text-align:left}"
	    ".ok{background:#cfc}.late,.never{background:#ffc}.stale,.error{background:#fcc}"
	    ".removed{color:#888}\n</style>\n</head>\n<body>\n<h1>");
	html_str(f, s->name);
	fprintf(f, " (%s) 同步状态 sync status</h1>\n<p>%s · %s · 守护进程 daemon: %s · "
	    "总体 health: <span class=\"%s\">%s</span></p>\n", s->code, role_name(s->role), when,
	    s->daemon_running ? "running" : "not running", health_name(s->health),
	    health_name(s->health));
	fprintf(f, "<table>\n<tr><th>节点 node</th><th>名称 name</th><th>状态 health</th>"
	    "<th>连接 connection</th><th>对方 theirs</th><th>本地 held</th><th>滞后 lag</th>"
	    "<th>户数 households</th><th>拒收 refused</th></tr>\n");
	for (size_t i = 0; i < s->npeers; i++) {
		const struct status_peer *p = &s->peers[i];
		const char *h = p->removed ? "removed" : health_name(p->health);
		s_connection(buf, sizeof buf, s, p);
		fprintf(f, "<tr class=\"%s\"><td>%s</td><td>", h, p->code);
		html_str(f, p->name);
		fprintf(f, "</td><td>%s%s</td><td>%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%"
		    PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n", h,
		    p->upgrade && !p->removed ? " · 需要升级 upgrade needed" : "", buf, p->their_head,
		    p->held, p->lag, p->households, p->quarantined);
	}
	fprintf(f, "</table>\n");
	for (size_t i = 0; i < s->npeers; i++) {
		s_upgrade(buf, sizeof buf, s, &s->peers[i]);
		if (buf[0]) {
			fprintf(f, "<p class=\"late\">需要升级 ");
			html_str(f, buf);
			fprintf(f, "</p>\n");
		}
	}
	if (s->sink.configured) {
		s_sink_line(buf, sizeof buf, s);
		fprintf(f, "<p class=\"%s\">PostgreSQL 副本 copy: ", health_name(s->sink.health));
		html_str(f, buf);
		fprintf(f, "</p>\n");
	}
	if (s->role == ROLE_TOWNSHIP) {
		fprintf(f, "<p>本乡镇变更 own feed: %" PRIu64 "; 未上传 not yet at the county: %" PRIu64,
		    s->own_head, s->unsent);
		if (s->unsent) {
			s_age(buf, sizeof buf, s->now_ms - s->oldest_unsent_ms);
			fprintf(f, "; 最早一条已等待 oldest written %s ago; 涉及 %" PRIu64 " 户 households changed",
			    buf, s->households_unsent);
		}
		fprintf(f, "</p>\n");
	}
	if (s->nissues) {
		fprintf(f, "<h2>隔离 quarantine</h2>\n<table>\n<tr><th>时间 at</th><th>来源 origin</th>"
		    "<th>seq</th><th>kind</th><th>原因 reason</th></tr>\n");
		for (size_t i = 0; i < s->nissues; i++) {
			const struct status_issue *is = &s->issues[i];
			time_format(when, sizeof when, is->at_ms);
			fprintf(f, "<tr class=\"error\"><td>%s</td><td>%s</td><td>%" PRIu64 "</td><td>%s</td><td>",
			    when, is->origin, is->seq, is->kind);
			html_str(f, is->reason);
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</table>\n");
	}
	fprintf(f, "</body>\n</html>\n");
}

/*
 * Write the page to a temporary beside PATH, then rename (outfile.h): a
 * screen never shows half a page, and a link planted at PATH or at a
 * temporary's name is never written through.  Mode 0644: the page is meant
 * to be read by a browser or a web server on the office machine; it holds
 * node codes, sync figures and refusal reasons, not household files (a
 * refusal reason may quote the refused value: keep the page off shared
 * folders).
 */
static int
s_write_html(const char *path, const struct status *s, int force)
{
	char err[ERRBUF_SIZE];
	struct outfile o;
	FILE *f;

	if (outfile_open(&o, path, 0644, force ? OUTFILE_FORCE : 0, err, sizeof err) < 0)
		return tool_fail(EXIT_UNREADABLE, "status", "%s", err);
	if (!(f = fdopen(o.fd, "w"))) {
		int e = errno;
		outfile_abort(&o);
		return tool_fail(EXIT_UNREADABLE, "status", "%s: %s", path, strerror(e));
	}
	s_render_html(f, s);
	int bad = fflush(f) != 0 || ferror(f);
	int e = errno;
	if (!bad && fsync(o.fd) != 0) {
		bad = 1;
		e = errno;
	}
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	o.fd = -1;      /* closed with the stream */
	if (bad) {
		outfile_abort(&o);
		return tool_fail(EXIT_UNREADABLE, "status", "%s: %s (not written)", path, strerror(e));
	}
	if (outfile_commit(&o, err, sizeof err) < 0)
		return tool_fail(EXIT_UNREADABLE, "status", "%s", err);
	return 0;
}

static void
s_usage(FILE *f)
{
	fprintf(f,
	    "usage: lika [--data DIR] status [--json] [--html FILE [--force]] [--watch SECONDS] [--no-color]\n"
	    "                                [--county CODE]\n"
	    "\n"
	    "Sync status of this node, read from its database (likad need not run; when it\n"
	    "does, its live view is asked for on its control socket).  A township shows its\n"
	    "hub connection, what the county has not received yet, the county feed and\n"
	    "anything refused; the county shows one row per township, worst first; a\n"
	    "province one row per county (health, lag of its feed, households of all its\n"
	    "townships).  Every node says how many stored change sets still wait for their\n"
	    "own signature check, and which peer needs an upgrade.\n"
	    "\n"
	    "  --county CODE  at a province: the townships of county CODE as the province\n"
	    "                 sees them (what the county told of each feed, what is held)\n"
	    "  --json         machine-readable (fields in README.md, \"lika status\")\n"
	    "  --html FILE    write a self-contained page (refreshes itself every minute),\n"
	    "                 replaced whole; a symbolic link at FILE is refused\n"
	    "  --force        replace a symbolic link at the --html FILE (the link itself)\n"
	    "  --watch N      redraw every N seconds until interrupted\n"
	    "  --no-color     no colour even on a terminal (also: NO_COLOR set)\n"
	    "\n"
	    "exit status: 0 all ok, 1 some late or never connected, 2 stale or errors,\n"
	    "3 the node could not be read\n");
}

/*
 * Flag-less: status opens the node itself, once per redraw, and an unreadable
 * node is its own exit status (3) for monitoring.
 */
int
cmd_status(struct node *none, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "force", no_argument, NULL, 'F' },
		{ "watch", required_argument, NULL, 'w' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "county", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *html = NULL, *under = NULL;
	int ch, json = 0, watch = 0, force = 0, colour, rc = EXIT_UNREADABLE;
	char err[ERRBUF_SIZE];

	(void)none;
	colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = 1; break;
		case 'H': html = optarg; break;
		case 'F': force = 1; break;
		case 'w': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 86400)
				return tool_fail(EXIT_USAGE, "status", "--watch \"%s\" is not a number "
				    "of seconds from 1 to 86400", optarg);
			watch = (int)v;
			break;
		}
		case 'C': colour = 0; break;
		case 'c': under = optarg; break;
		case 'h': s_usage(stdout); return EXIT_OK;
		default: s_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return tool_fail(EXIT_USAGE, "status", "unexpected argument \"%s\"", argv[optind]);
	if (watch) {
		signal(SIGINT, s_on_signal);
		signal(SIGTERM, s_on_signal);
	}
	do {
		struct node n;
		struct status s;
		if (node_open(&n, tool_data_dir, NODE_READONLY, rules_attach, err, sizeof err) < 0)
			return tool_fail(EXIT_UNREADABLE, "status", "%s", err);
		if (under && n.conf.role != ROLE_PROVINCE) {
			node_close(&n);
			return tool_fail(EXIT_USAGE, "status", "--county is for the province node");
		}
		if (status_gather_under(&n, under, &s, err, sizeof err) < 0) {
			node_close(&n);
			return tool_fail(EXIT_UNREADABLE, "status", "%s", err);
		}
		node_close(&n);
		rc = status_exit_code(&s);
		if (html && s_write_html(html, &s, force) != 0)
			rc = EXIT_UNREADABLE;
		if (watch && colour && !json)
			fputs("\033[H\033[2J", stdout);
		if (json)
			s_render_json(stdout, &s);
		else if (!html || watch)
			s_render_text(stdout, &s, colour);
		fflush(stdout);
		status_release(&s);
		for (int i = 0; watch && i < watch * 10 && !s_stop; i++)
			usleep(100000);
	} while (watch && !s_stop);
	return rc;
}
