/*
 * stall_sync.c — an LD_PRELOAD for system tests: while the file named by
 * $LIKA_STALL_SYNC exists, fdatasync called by likad's log-sync thread
 * (walsync.c, thread "likad-walsync") waits, so a test sees what likad does
 * with a batch committed but not yet on disk.  Every other caller, SQLite's
 * own syncs included, goes straight through.
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
	const char *stall = getenv("LIKA_STALL_SYNC");
	char name[16] = "";

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
	if (stall && prctl(PR_GET_NAME, name) == 0 && strcmp(name, "likad-walsync") == 0)
		while (access(stall, F_OK) == 0)
			usleep(10000);
	return real(fd);
}
