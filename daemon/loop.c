/* loop.c — a zmq_poll loop over a table of sockets and timers */
#include "loop.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define LOOP_MAX_SOCKETS 8
#define LOOP_MAX_TIMERS  8

struct s_socket {
	void *socket;
	loop_fn fn;
	void *arg;
};
struct s_timer {
	int64_t interval, next;
	loop_fn fn;
	void *arg;
};
struct loop {
	struct s_socket s[LOOP_MAX_SOCKETS];
	int ns;
	struct s_timer t[LOOP_MAX_TIMERS];
	int nt;
};

struct loop *
loop_new(void)
{
	return calloc(1, sizeof(struct loop));
}

void
loop_destroy(struct loop **lp)
{
	if (!lp || !*lp)
		return;
	free(*lp);
	*lp = NULL;
}

int
loop_add_socket(struct loop *loop, void *socket, loop_fn fn, void *arg)
{
	if (loop->ns == LOOP_MAX_SOCKETS)
		return -1;
	loop->s[loop->ns++] = (struct s_socket){ socket, fn, arg };
	return 0;
}

void
loop_remove_socket(struct loop *loop, void *socket)
{
	for (int i = 0; i < loop->ns; i++)
		if (loop->s[i].socket == socket) {
			memmove(&loop->s[i], &loop->s[i + 1], (size_t)(loop->ns - i - 1) * sizeof loop->s[0]);
			loop->ns--;
			return;
		}
}

int
loop_add_timer(struct loop *loop, int64_t interval_ms, loop_fn fn, void *arg)
{
	if (loop->nt == LOOP_MAX_TIMERS)
		return -1;
	loop->t[loop->nt++] = (struct s_timer){ interval_ms, mono_ms() + interval_ms, fn, arg };
	return 0;
}

int
loop_run(struct loop *loop, int (*check)(void *arg), void *arg)
{
	zmq_pollitem_t items[LOOP_MAX_SOCKETS];
	struct s_socket polled[LOOP_MAX_SOCKETS];

	for (;;) {
		int64_t now = mono_ms(), wait = 1000;
		for (int i = 0; i < loop->nt; i++)
			if (loop->t[i].next - now < wait)
				wait = loop->t[i].next - now;
		if (wait < 0)
			wait = 0;
		int n = loop->ns;
		for (int i = 0; i < n; i++) {
			polled[i] = loop->s[i];
			items[i] = (zmq_pollitem_t){ loop->s[i].socket, 0, ZMQ_POLLIN, 0 };
		}
		int rc = zmq_poll(items, n, (long)wait);
		if (rc < 0 && errno != EINTR) {
			log_warnx("zmq_poll: %s", zmq_strerror(errno));
			return -1;
		}
		if (check && check(arg) < 0)
			return 0;
		for (int i = 0; rc > 0 && i < n; i++) {
			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			/* a handler may have removed a socket polled in this round */
			int still = 0;
			for (int j = 0; j < loop->ns; j++)
				still |= loop->s[j].socket == polled[i].socket;
			if (still && polled[i].fn(loop, polled[i].socket, polled[i].arg) < 0)
				return 0;
		}
		now = mono_ms();
		for (int i = 0; i < loop->nt; i++)
			if (loop->t[i].next <= now) {
				loop->t[i].next = now + loop->t[i].interval;
				if (loop->t[i].fn(loop, NULL, loop->t[i].arg) < 0)
					return 0;
			}
	}
}
