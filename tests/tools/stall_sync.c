/*
 * stall_sync.c — an LD_PRELOAD for system tests: while the file named by
 * $LIKA_STALL_SYNC exists, fdatasync called by one of likad's threads named
 * in $LIKA_STALL_THREADS (by default the log-sync thread, "likad-walsync")
 * waits, so a test sees what likad does with a batch committed but not yet
 * on disk.  Every other caller, the loop's own syncs included, goes straight
 * through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

int fdatasync(int fd);

int
fdatasync(int fd)
{
	static int (*real)(int);
	const char *stall = getenv("LIKA_STALL_SYNC"), *threads = getenv("LIKA_STALL_THREADS");
	char name[17] = "", *at;
	size_t n;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
	if (!threads)
		threads = "likad-walsync";
	if (stall && prctl(PR_GET_NAME, name) == 0 && (n = strlen(name)) > 0 &&
	    (at = strstr(threads, name)) && (at == threads || at[-1] == ',') &&
	    (at[n] == '\0' || at[n] == ','))
		while (access(stall, F_OK) == 0)
			usleep(10000);
	return real(fd);
}
