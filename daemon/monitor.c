/*
 * monitor.c — the events libzmq reports about a socket's connections
 * (zmq_socket_monitor): handshakes that failed or timed out, accepts that
 * failed (out of descriptors), a ZAP refusal seen from the client side.
 * These are what the hub summarises in its log and what tells a township
 * that the hub refused its key (libzmq then stops reconnecting by itself).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "likad.h"
#include "log.h"

int
monitor_watch(struct daemon *d, void *sock, void **mon, int events, loop_fn fn, void *arg)
{
	static unsigned serial;
	char ep[64];

	snprintf(ep, sizeof ep, "inproc://likad-monitor-%u", ++serial);
	if (zmq_socket_monitor(sock, ep, events) < 0) {
		log_warnx("socket monitor: %s", zmq_strerror(errno));
		return -1;
	}
	if (!(*mon = zmq_socket(d->ctx, ZMQ_PAIR)) || zmq_connect(*mon, ep) < 0) {
		log_warnx("socket monitor: %s", zmq_strerror(errno));
		if (*mon)
			zmq_close(*mon);
		*mon = NULL;
		zmq_socket_monitor(sock, NULL, 0);
		return -1;
	}
	loop_add_socket(d->loop, *mon, fn, arg);
	return 0;
}

void
monitor_unwatch(struct daemon *d, void *sock, void **mon)
{
	int v = 0;

	if (!*mon)
		return;
	loop_remove_socket(d->loop, *mon);
	if (sock)
		zmq_socket_monitor(sock, NULL, 0);
	zmq_setsockopt(*mon, ZMQ_LINGER, &v, sizeof v);
	zmq_close(*mon);
	*mon = NULL;
}

int
monitor_start(struct daemon *d, int events, loop_fn fn)
{
	return monitor_watch(d, d->sock, &d->monitor, events, fn, d);
}

void
monitor_stop(struct daemon *d)
{
	monitor_unwatch(d, d->sock, &d->monitor);
}

int
monitor_next(void *sock, unsigned *event, uint32_t *value)
{
	zmq_msg_t m;
	int more, got = 0;

	/* two frames: 6 bytes (uint16 event, uint32 value, host order), then the endpoint */
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&m);
		return 0;
	}
	if (zmq_msg_size(&m) >= 6) {
		const uint8_t *p = zmq_msg_data(&m);
		uint16_t e;
		memcpy(&e, p, 2);
		memcpy(value, p + 2, 4);
		*event = e;
		got = 1;
	}
	more = zmq_msg_more(&m);
	zmq_msg_close(&m);
	while (more) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0)
			more = 0;
		else
			more = zmq_msg_more(&m);
		zmq_msg_close(&m);
	}
	if (!got) {
		*event = 0;
		*value = 0;
	}
	return 1;
}
