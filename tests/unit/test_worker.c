/*
 * test_worker.c — likad's worker threads (daemon/worker.c): FN runs at once
 * and can already reach its worker through the pointer worker_start fills,
 * runs again on a kick or after IDLE_MS, and stops when told.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util.h"
#include "worker.h"

struct probe {
	struct worker *w;           /* filled by worker_start */
	atomic_int runs, kicked_runs, unset;
};

static void
s_fn(void *arg, int kicked)
{
	struct probe *p = arg;

	/* the first thing a drain does: ask its worker whether to stop */
	if (!p->w)
		atomic_fetch_add(&p->unset, 1);
	else
		(void)worker_stopping(p->w);
	if (kicked)
		atomic_fetch_add(&p->kicked_runs, 1);
	atomic_fetch_add(&p->runs, 1);
}

/* Wait up to MS for N runs in all. */
static int
s_wait_runs(struct probe *p, int n, int ms)
{
	int64_t end = mono_ms() + ms;

	while (atomic_load(&p->runs) < n && mono_ms() < end)
		usleep(20);
	return atomic_load(&p->runs) >= n;
}

/*
 * The pointer was once set after the thread started: a worker that found
 * work at start (likad's signature checks after a crash) read a NULL worker
 * about once in a few thousand starts.  Many starts make that show.
 */
static void
test_fn_sees_its_worker_at_once(void **state)
{
	char err[ERRBUF_SIZE];
	int unset = 0, starts = 20000;

	(void)state;
	if (getenv("TEST_WORKER_STARTS"))       /* make valgrind: fewer */
		starts = atoi(getenv("TEST_WORKER_STARTS"));
	for (int i = 0; i < starts; i++) {
		struct probe p = { 0 };
		assert_int_equal(worker_start(&p.w, "test-worker", 0, 60000, s_fn, &p, err, sizeof err), 0);
		assert_true(s_wait_runs(&p, 1, 5000));
		unset += atomic_load(&p.unset);
		worker_stop(&p.w);
		assert_null(p.w);
	}
	assert_int_equal(unset, 0);
}

static void
test_kick_and_idle(void **state)
{
	char err[ERRBUF_SIZE];
	struct probe p = { 0 };

	(void)state;
	assert_int_equal(worker_start(&p.w, "test-worker", 0, 50, s_fn, &p, err, sizeof err), 0);
	assert_true(s_wait_runs(&p, 1, 5000));
	assert_int_equal(atomic_load(&p.kicked_runs), 1);      /* the first run counts as kicked */
	/* no kick: it runs again after 50 ms, not kicked */
	assert_true(s_wait_runs(&p, 3, 5000));
	int kicked = atomic_load(&p.kicked_runs), runs = atomic_load(&p.runs);
	worker_kick(p.w);
	assert_true(s_wait_runs(&p, runs + 1, 5000));
	assert_true(atomic_load(&p.kicked_runs) > kicked);
	worker_stop(&p.w);
	assert_null(p.w);
	worker_stop(&p.w);          /* accepts NULL */
	worker_kick(NULL);          /* so does kick */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fn_sees_its_worker_at_once),
		cmocka_unit_test(test_kick_and_idle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
