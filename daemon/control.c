/*
 * control.c — likad's control socket: a ZeroMQ REP socket on ipc://DIR/likad.ctl
 * where `lika status` asks for the daemon's live view (proto/PROTOCOL.md,
 * "Control socket").  Local only: the file is mode 0600 like the key.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "likad.h"
#include "log.h"
#include "sink.h"
#include "util.h"

#define CONTROL_MAX_REQUEST 256
/* a key that is a string literal */
#define PACK_KEY(pk, k) msgpack_pack_str_with_body((pk), (k), sizeof(k) - 1)

static void
s_pack_peer(msgpack_packer *pk, const char *code, const struct link *k)
{
	msgpack_pack_map(pk, 4);
	PACK_KEY(pk, "code");
	msgpack_pack_str_with_body(pk, code, strlen(code));
	PACK_KEY(pk, "connected");
	msgpack_pack_int(pk, k && k->conn.connected);
	PACK_KEY(pk, "since_ms");
	msgpack_pack_int64(pk, k ? k->conn.since_ms : 0);
	PACK_KEY(pk, "last_contact_ms");
	msgpack_pack_int64(pk, k ? k->conn.last_contact_ms : 0);
}

/* The PostgreSQL copy, as its thread last saw it (sink.h, struct sink_view). */
static void
s_pack_sink(msgpack_packer *pk, struct sink *s)
{
	struct sink_view v;

	sink_view(s, &v);
	msgpack_pack_map(pk, 7);
	PACK_KEY(pk, "connected");
	msgpack_pack_int(pk, v.connected);
	PACK_KEY(pk, "known");
	msgpack_pack_int(pk, v.known);
	PACK_KEY(pk, "rowid");
	msgpack_pack_int64(pk, v.rowid);
	PACK_KEY(pk, "applied");
	msgpack_pack_int64(pk, v.applied);
	PACK_KEY(pk, "written");
	msgpack_pack_uint64(pk, v.written);
	PACK_KEY(pk, "last_write_ms");
	msgpack_pack_int64(pk, v.last_write_ms);
	PACK_KEY(pk, "last_error");
	msgpack_pack_str_with_body(pk, v.last_error, strlen(v.last_error));
}

static void
s_reply_status(struct daemon *d, msgpack_sbuffer *sb)
{
	msgpack_packer pk;
	char started[32] = "0";

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	ledger_meta_get(d->node.ledger, "likad_started", started, sizeof started);
	msgpack_pack_map(&pk, d->sink ? 5 : 4);
	if (d->sink) {
		PACK_KEY(&pk, "sink");
		s_pack_sink(&pk, d->sink);
	}
	PACK_KEY(&pk, "pid");
	msgpack_pack_int64(&pk, (int64_t)getpid());
	PACK_KEY(&pk, "started_ms");
	msgpack_pack_int64(&pk, atoll(started));
	PACK_KEY(&pk, "role");
	const char *role = role_name(d->node.conf.role);
	msgpack_pack_str_with_body(&pk, role, strlen(role));
	PACK_KEY(&pk, "peers");
	if (d->node.conf.role == ROLE_TOWNSHIP) {
		msgpack_pack_array(&pk, 1);
		s_pack_peer(&pk, d->node.id.county, &d->up);
	} else {
		msgpack_pack_array(&pk, d->nlinks);
		for (size_t i = 0; i < d->nlinks; i++)
			s_pack_peer(&pk, d->links[i]->peer, d->links[i]);
	}
}

static int
s_on_control(struct loop *loop, void *sock, void *arg)
{
	struct daemon *d = arg;
	uint8_t req[CONTROL_MAX_REQUEST];
	msgpack_sbuffer sb;
	int n;

	(void)loop;
	/* REP must answer every request, a bad one with an error */
	while ((n = zmq_recv(sock, req, sizeof req, ZMQ_DONTWAIT)) >= 0) {
		msgpack_sbuffer_init(&sb);
		/* ["status"] is the only request */
		static const uint8_t status_req[] = { 0x91, 0xa6, 's', 't', 'a', 't', 'u', 's' };
		if ((size_t)n == sizeof status_req && memcmp(req, status_req, sizeof status_req) == 0) {
			s_reply_status(d, &sb);
		} else {
			msgpack_packer pk;
			msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
			msgpack_pack_map(&pk, 1);
			PACK_KEY(&pk, "error");
			msgpack_pack_str_with_body(&pk, "unknown request", 15);
			log_debug("control: unknown request of %d bytes", n);
		}
		if (zmq_send(sock, sb.data, sb.size, ZMQ_DONTWAIT) < 0)
			log_warnx("control: reply not sent: %s", zmq_strerror(zmq_errno()));
		msgpack_sbuffer_destroy(&sb);
	}
	return 0;
}

int
control_start(struct daemon *d)
{
	char path[1100], endpoint[1200];
	int linger = 0;

	if (d->node.conf.control[0])
		snprintf(path, sizeof path, "%s", d->node.conf.control);
	else if (node_path(&d->node, "likad.ctl", path, sizeof path) < 0)
		return -1;
	snprintf(endpoint, sizeof endpoint, "ipc://%s", path);
	unlink(path);   /* left by a daemon that did not stop cleanly */
	if (!(d->control = zmq_socket(d->ctx, ZMQ_REP)))
		return -1;
	zmq_setsockopt(d->control, ZMQ_LINGER, &linger, sizeof linger);
	mode_t old = umask(077);
	int rc = zmq_bind(d->control, endpoint);
	umask(old);
	if (rc != 0) {
		log_warnx("control socket \"%s\": %s; lika status reads the database only",
		    endpoint, zmq_strerror(zmq_errno()));
		zmq_close(d->control);
		d->control = NULL;
		return -1;
	}
	snprintf(d->control_path, sizeof d->control_path, "%s", path);
	return loop_add_socket(d->loop, d->control, s_on_control, d);
}

void
control_stop(struct daemon *d)
{
	if (!d->control)
		return;
	loop_remove_socket(d->loop, d->control);
	zmq_close(d->control);
	d->control = NULL;
	unlink(d->control_path);
}
