/*
 * outfile.c — a file replaced through an exclusively created temporary.
 *
 * The temporary is ".NAME.XXXXXXXXXXXX.tmp" in the target's directory (the
 * same file system, so rename is atomic), twelve random hex digits drawn
 * again on EEXIST: whoever can write the directory can plant links at names,
 * and O_EXCL|O_NOFOLLOW makes a planted name fail instead of being followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "outfile.h"
#include "util.h"

/* The directory of PATH into DIR ("." for a bare name); the base name's offset in PATH. */
static size_t
s_split(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, dirlen, ".");
		return 0;
	}
	if (slash == path)
		snprintf(dir, dirlen, "/");
	else
		snprintf(dir, dirlen, "%.*s", (int)(slash - path), path);
	return (size_t)(slash + 1 - path);
}

int
outfile_open(struct outfile *o, const char *path, mode_t mode, int flags, char *err, size_t errlen)
{
	char dir[1024], rnd[13];
	uint8_t r[6];
	struct stat st;
	size_t base;

	memset(o, 0, sizeof *o);
	o->fd = -1;
	if (strlcpy_checked(o->path, path, sizeof o->path) < 0 || !*path)
		return errf(err, errlen, "\"%s\": not a file name (empty or too long)", path);
	base = s_split(path, dir, sizeof dir);
	if (!path[base])
		return errf(err, errlen, "%s: names a directory, not a file", path);
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode) && !(flags & OUTFILE_FORCE))
			return errf(err, errlen, "refusing to write through the symbolic link %s; use "
			    "--force to replace the link", path);
		if (S_ISDIR(st.st_mode))
			return errf(err, errlen, "%s: is a directory", path);
		if (!S_ISLNK(st.st_mode) && !S_ISREG(st.st_mode))
			return errf(err, errlen, "%s: not a regular file (a device or pipe is not "
			    "replaced; write to standard output instead)", path);
	} else if (errno != ENOENT) {
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	}
	for (int tries = 0; ; tries++) {
		randombytes_buf(r, sizeof r);
		hex_encode(rnd, r, sizeof r);
		int n = snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.%s.tmp", (int)base, path, path + base, rnd);
		if (n < 0 || (size_t)n >= sizeof o->tmp) {
			o->tmp[0] = '\0';
			return errf(err, errlen, "%s: path too long", path);
		}
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (o->fd >= 0)
			break;
		if (errno != EEXIST || tries == 16) {
			int e = errno;
			o->tmp[0] = '\0';
			return errf(err, errlen, "%s: cannot create a file in %s: %s", path, dir, strerror(e));
		}
	}
	/* the mode asked for, not what the umask left of it */
	if (fchmod(o->fd, mode) != 0) {
		int e = errno;
		outfile_abort(o);
		return errf(err, errlen, "%s: %s", path, strerror(e));
	}
	return 0;
}

int
outfile_commit(struct outfile *o, char *err, size_t errlen)
{
	char dir[1024];
	int e, dfd;

	if (!o->tmp[0])
		return errf(err, errlen, "%s: nothing to commit", o->path);
	if (o->fd >= 0) {
		if (fsync(o->fd) != 0) {
			e = errno;
			goto fail;
		}
		if (close(o->fd) != 0) {
			o->fd = -1;
			e = errno;
			goto fail;
		}
		o->fd = -1;
	}
	if (rename(o->tmp, o->path) != 0) {
		e = errno;
		goto fail;
	}
	o->tmp[0] = '\0';
	/* the rename itself survives a power cut once the directory is on disk */
	s_split(o->path, dir, sizeof dir);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	outfile_abort(o);
	return errf(err, errlen, "%s: %s (not written)", o->path, strerror(e));
}

void
outfile_abort(struct outfile *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
	}
	if (o->tmp[0]) {
		unlink(o->tmp);
		o->tmp[0] = '\0';
	}
}
