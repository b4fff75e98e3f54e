/* worker.c — a thread woken by the loop or by a timeout (worker.h) */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "worker.h"
#include "util.h"

struct worker {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, kicked;
	char name[16];              /* a thread's name: 15 bytes at most */
	int nice, idle_ms;
	worker_fn fn;
	void *arg;
};

static void *
s_run(void *arg)
{
	struct worker *w = arg;

	pthread_setname_np(pthread_self(), w->name);
	if (w->nice)
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), w->nice);
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		if (!w->kicked) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += w->idle_ms / 1000;
			ts.tv_nsec += (long)(w->idle_ms % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		}
		if (w->stop)
			break;
		int kicked = w->kicked;
		w->kicked = 0;
		pthread_mutex_unlock(&w->mu);
		w->fn(w->arg, kicked);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
worker_start(struct worker **wp, const char *name, int nice, int idle_ms, worker_fn fn,
    void *arg, char *err, size_t errlen)
{
	struct worker *w = calloc(1, sizeof *w);

	*wp = NULL;
	if (!w)
		return errf(err, errlen, "%s: out of memory", name);
	snprintf(w->name, sizeof w->name, "%s", name);
	w->nice = nice;
	w->idle_ms = idle_ms;
	w->fn = fn;
	w->arg = arg;
	w->kicked = 1;              /* what a previous run left */
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/*
	 * Set before the thread starts: FN runs at once and may ask through *WP
	 * whether it is stopping (sigcheck's drain at a start with work left did,
	 * and read a NULL worker).
	 */
	*wp = w;
	if ((errno = pthread_create(&w->tid, NULL, s_run, w)) != 0) {
		errf(err, errlen, "%s: cannot start its thread: %s", name, strerror(errno));
		*wp = NULL;
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return -1;
	}
	return 0;
}

void
worker_kick(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->kicked = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int
worker_stopping(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	int stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

void
worker_stop(struct worker **wp)
{
	struct worker *w = *wp;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->tid, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
	*wp = NULL;
}
