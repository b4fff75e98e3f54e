/*
 * loop.h — likad's event loop, in the manner of czmq's zloop: a table of
 * (socket or timer, handler, argument) polled with zmq_poll.  A handler
 * returns 0 to go on or -1 to stop the loop; no handler blocks.
 */
#ifndef LIKAD_LOOP_H
#define LIKAD_LOOP_H

#include <signal.h>
#include <stdint.h>

struct loop;
typedef int (*loop_fn)(struct loop *loop, void *socket, void *arg);

struct loop *loop_new(void);
void loop_destroy(struct loop **lp);

/* Call FN when SOCKET is readable.  A socket is in the table at most once. */
int loop_add_socket(struct loop *loop, void *socket, loop_fn fn, void *arg);
/* Take SOCKET out of the table (safe from within a handler). */
void loop_remove_socket(struct loop *loop, void *socket);
/* Call FN every INTERVAL_MS, first after one interval. */
int loop_add_timer(struct loop *loop, int64_t interval_ms, loop_fn fn, void *arg);
/*
 * Run until a handler returns -1 or CHECK (called after every wake-up,
 * including a signal interrupting zmq_poll) returns -1.  Returns 0 for a
 * stop asked by CHECK or a handler, -1 if zmq_poll failed.
 */
int loop_run(struct loop *loop, int (*check)(void *arg), void *arg);

#endif
