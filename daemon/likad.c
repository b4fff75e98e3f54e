/*
 * likad.c — the lika daemon: one per node.  A county node is the hub its
 * townships connect to; a township node connects to its county hub; a
 * province node is the hub its counties connect to, a county with
 * [upstream] dialling it as a township dials the county.  Either
 * way the node's feed goes out and the feeds it keeps come in, through the
 * ledger (proto/PROTOCOL.md, "Wire").
 *
 *   likad --data DIR [-f] [-n] [-v]
 *
 * SIGTERM/SIGINT: the batch in hand is finished and committed, then likad
 * closes and exits 0.  SIGHUP: lika.conf and the roster are read again; the
 * new [sync] settings apply if the file is valid.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <zmq.h>

#include "likad.h"
#include "sink.h"
#include "rules.h"
#include "log.h"
#include "util.h"

static volatile sig_atomic_t s_stop, s_reload;

/*
 * The web console, when lika.conf has [web] listen: likad starts "lika --data
 * DIR serve" (the lika beside this likad) and stops it when it stops.  The
 * console is a process of its own, so a bad request can never stall sync.
 */
static pid_t
s_web_start(const char *dir)
{
	char self[1024], lika[1100];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	pid_t pid;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(lika, sizeof lika, "%s/lika", self);
	char *argv[] = { lika, "--data", (char *)dir, "serve", NULL };
	extern char **environ;
	if ((errno = posix_spawn(&pid, lika, NULL, NULL, argv, environ)) != 0) {
		log_warn("web console: cannot start \"%s\"", lika);
		return -1;
	}
	log_info("web console: %s serve started (pid %ld)", lika, (long)pid);
	return pid;
}

static void
s_web_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void
s_on_signal(int sig)
{
	if (sig == SIGHUP)
		s_reload = 1;
	else
		s_stop = 1;
}

static void
s_usage(FILE *f)
{
	fprintf(f, "usage: likad --data DIR [-f] [-n] [-v]\n"
	    "  --data DIR  node directory (default: $LIKA_DATA, then /var/lib/lika)\n"
	    "  -f          stay in the foreground (systemd); otherwise likad detaches\n"
	    "  -n          check the configuration, print \"configuration OK\" and exit\n"
	    "  -v          more log (each batch sent and stored)\n");
}

/* SIGHUP: parse a new configuration and take its [sync] settings only if it is valid. */
static void
s_reload_config(struct daemon *d)
{
	char path[1100], err[ERRBUF_SIZE];
	struct config c;

	config_defaults(&c);
	snprintf(path, sizeof path, "%s/lika.conf", d->dir);
	if (config_load(&c, path, err, sizeof err) < 0) {
		log_warnx("reload: %s; keeping the running configuration", err);
		return;
	}
	if (strcmp(c.code, d->node.conf.code) != 0 || c.role != d->node.conf.role ||
	    strcmp(c.county_key, d->node.conf.county_key) != 0 || strcmp(c.hub, d->node.conf.hub) != 0 ||
	    strcmp(c.listen, d->node.conf.listen) != 0 || strcmp(c.up_hub, d->node.conf.up_hub) != 0 ||
	    strcmp(c.province_key, d->node.conf.province_key) != 0)
		log_warnx("reload: node, role, keys and endpoints change only at restart");
	d->node.conf.heartbeat_ms = c.heartbeat_ms;
	d->node.conf.timeout_ms = c.timeout_ms;
	d->node.conf.reconnect_max_ms = c.reconnect_max_ms;
	d->node.conf.batch_bytes = c.batch_bytes;
	d->node.conf.window = c.window;
	snprintf(d->node.conf.feeds, sizeof d->node.conf.feeds, "%s", c.feeds);
	d->node.conf.late_after_s = c.late_after_s;
	d->node.conf.stale_after_s = c.stale_after_s;
	if (d->node.conf.role != ROLE_TOWNSHIP)
		hub_reload_roster(d);
	log_info("configuration and roster reloaded");
}

/*
 * Descriptors: one per township connection on the hub, plus SQLite and
 * libzmq.  Raise the soft limit to the hard one (systemd's default soft limit
 * is 1,024); hub_start warns if the result is short of what the roster needs.
 */
static void
s_fd_budget(struct daemon *d)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("getrlimit RLIMIT_NOFILE");
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("raising the descriptor limit from %llu to %llu", (unsigned long long)was,
			    (unsigned long long)rl.rlim_max);
			rl.rlim_cur = was;
		}
	}
	d->fd_limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	log_info("descriptor limit %llu", (unsigned long long)rl.rlim_cur);
}

static int
s_check(void *arg)
{
	struct daemon *d = arg;

	if (s_stop)
		return -1;
	if (s_reload) {
		s_reload = 0;
		s_reload_config(d);
	}
	return 0;
}

/* What the command line asks for. */
struct s_args {
	const char *dir;
	int check, foreground, verbose;
};

/* The arguments into A: -1 to go on, else the status to exit with (help, usage). */
static int
s_parse_args(int argc, char **argv, struct s_args *a)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(a, 0, sizeof *a);
	a->dir = getenv("LIKA_DATA");
	while ((ch = getopt_long(argc, argv, "d:fnvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': a->dir = optarg; break;
		case 'f': a->foreground = 1; break;
		case 'n': a->check = 1; break;
		case 'v': a->verbose++; break;
		case 'h': s_usage(stdout); return 0;
		default: s_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		s_usage(stderr);
		return 2;
	}
	if (a->dir == NULL || !*a->dir)
		a->dir = "/var/lib/lika";
	return -1;
}

/* The node at DIR opened into D (node_open parses lika.conf whole first); fatal if it cannot be. */
static void
s_open(struct daemon *d, const char *dir)
{
	char err[ERRBUF_SIZE];

	if (node_open(&d->node, dir, 0, rules_attach, err, sizeof err) < 0)
		fatalx("%s", err);
	if (d->node.conf.role == ROLE_TOWNSHIP && !d->node.conf.hub[0]) {
		node_close(&d->node);
		fatalx("%s/lika.conf: [hub] endpoint is missing", dir);
	}
}

/* Detach, keeping stderr for the log; no database connection crosses the fork. */
static void
s_detach(struct daemon *d, const char *dir)
{
	char err[ERRBUF_SIZE];

	node_close(&d->node);
	if (daemon(1, 1) < 0)
		fatal("daemon");
	if (node_open(&d->node, dir, 0, rules_attach, err, sizeof err) < 0)
		fatalx("%s", err);
}

/* One likad per node directory: the lock is held (its descriptor left open) until exit. */
static void
s_lock(struct daemon *d, const char *dir)
{
	char lock[1100];

	snprintf(lock, sizeof lock, "%s/likad.lock", dir);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		fatal("%s", lock);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		node_close(&d->node);
		fatalx("likad already runs for \"%s\"", dir);
	}
}

/* The peers all disconnected, a new epoch, and this likad's pid and start in the meta rows. */
static void
s_mark_start(struct daemon *d)
{
	char err[ERRBUF_SIZE], v[64];

	if (peer_table_create(ledger_db(d->node.ledger), err, sizeof err) < 0 ||
	    peer_all_disconnected(ledger_db(d->node.ledger), now_ms(), err, sizeof err) < 0) {
		node_close(&d->node);
		fatalx("%s", err);
	}
	/* a clean start: a copy of the database taken before now is known for one */
	if (node_epoch_renew(&d->node, err, sizeof err) < 0) {
		node_close(&d->node);
		fatalx("%s", err);
	}
	snprintf(v, sizeof v, "%ld", (long)getpid());
	ledger_meta_set(d->node.ledger, "likad_pid", v, err, sizeof err);
	snprintf(v, sizeof v, "%lld", (long long)now_ms());
	ledger_meta_set(d->node.ledger, "likad_started", v, err, sizeof err);
}

/* CURVE keys derived from the node's Ed25519 key. */
static void
s_curve_keys(struct daemon *d)
{
	uint8_t curve[32], csk[32];

	if (crypto_sign_ed25519_pk_to_curve25519(curve, d->node.id.pk) != 0)
		fatalx("node key cannot be converted to a CURVE key");
	zmq_z85_encode(d->curve_pk, curve, 32);
	crypto_sign_ed25519_sk_to_curve25519(csk, d->node.sk);
	zmq_z85_encode(d->curve_sk, csk, 32);
	sodium_memzero(csk, sizeof csk);
}

static void
s_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = s_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * The sockets of the node's role, the signature check, a county's duplicate
 * scan and the control socket.  -1 (logged, and the loop not entered) if
 * one of them cannot start.
 */
static int
s_start(struct daemon *d)
{
	char err[ERRBUF_SIZE];
	int rc;

	s_fd_budget(d);
	if (!(d->ctx = zmq_ctx_new()) || !(d->loop = loop_new()))
		fatalx("out of memory");
	if (d->node.conf.role != ROLE_TOWNSHIP) {
		rc = hub_start(d, err, sizeof err);
		if (rc == 0 && d->node.conf.up_hub[0])
			rc = upstream_start(d, err, sizeof err);
	} else {
		rc = township_start(d, err, sizeof err);
	}
	if (rc == 0)
		rc = walsync_start(d, err, sizeof err);
	if (rc == 0)
		rc = sigcheck_start(d, err, sizeof err);
	if (rc == 0)
		rc = checkpoint_start(d, err, sizeof err);
	if (rc == 0 && d->node.conf.role == ROLE_COUNTY)
		rc = dupscan_start(d, err, sizeof err);
	if (rc < 0) {
		log_warnx("%s", err);
		s_stop = 1;
	} else {
		control_start(d);      /* optional: status falls back to the database */
	}
	return rc;
}

/* The PostgreSQL sink, when lika.conf has [sink] postgres; sync goes on without it. */
static void
s_sink_start(struct daemon *d, const char *dir)
{
	char db[1100], err[ERRBUF_SIZE];

	snprintf(db, sizeof db, "%s/lika.db", dir);
	if (sink_start(&d->sink, db, d->node.conf.sink_postgres, d->node.conf.sink_batch,
	    d->node.conf.code, err, sizeof err) < 0)
		log_warnx("%s", err);
	else
		log_info("sink: keeping PostgreSQL in step with this node's state");
}

/* Everything s_start, s_sink_start and s_web_start began, stopped in reverse; the node closed. */
static void
s_shutdown(struct daemon *d, pid_t web)
{
	char err[ERRBUF_SIZE];

	log_info("stopping");
	s_web_stop(web);
	control_stop(d);
	sink_stop(&d->sink);
	checkpoint_stop(d);
	sigcheck_stop(d);
	walsync_stop(d);
	dupscan_stop(d);
	if (d->node.conf.role != ROLE_TOWNSHIP) {
		if (d->node.conf.up_hub[0])
			upstream_stop(d);
		hub_stop(d);
	} else {
		township_stop(d);
	}
	sqlite3_finalize(d->st_data_version);
	free(d->heads);
	free(d->unsaved);
	sqlite3_busy_timeout(ledger_db(d->node.ledger), 15000);     /* the last writes wait */
	sync_epoch_flush(d);
	ledger_meta_set(d->node.ledger, "likad_pid", "0", err, sizeof err);
	loop_destroy(&d->loop);
	sodium_memzero(d->curve_sk, sizeof d->curve_sk);
	node_close(&d->node);
	zmq_ctx_term(d->ctx);
}

int
main(int argc, char **argv)
{
	static struct daemon d;
	struct s_args a;
	int rc;

	if ((rc = s_parse_args(argc, argv, &a)) >= 0)
		return rc;
	d.dir = a.dir;
	log_init("likad", a.verbose);
	s_open(&d, a.dir);
	if (a.check) {
		printf("configuration OK\n");
		node_close(&d.node);
		return 0;
	}
	if (!a.foreground)
		s_detach(&d, a.dir);
	s_lock(&d, a.dir);
	s_mark_start(&d);
	s_curve_keys(&d);
	s_signals();
	rc = s_start(&d);
	if (!s_stop && d.node.conf.sink_postgres[0])
		s_sink_start(&d, a.dir);
	pid_t web = !s_stop && d.node.conf.web_by_likad ? s_web_start(a.dir) : -1;

	/*
	 * In the loop nothing waits for SQLite's write lock (a `lika import`, a
	 * backup, the signature-check thread may hold it): a batch is queued and
	 * stored on a later tick, other writes are tried again later.
	 */
	sqlite3_busy_timeout(ledger_db(d.node.ledger), 0);
	if (!s_stop && loop_run(d.loop, s_check, &d) < 0)
		rc = -1;
	s_shutdown(&d, web);
	return rc < 0 ? 1 : 0;
}
