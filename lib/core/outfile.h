/*
 * outfile.h — replacing a file the way a reader never sees half of it and a
 * planted link never redirects it: the bytes go to a temporary created
 * exclusively beside the target (O_CREAT|O_EXCL|O_NOFOLLOW, a random name),
 * are fsynced, and the temporary is renamed over the target.  rename()
 * replaces a link at the target, never what it points to; a link planted at
 * a temporary's name makes the exclusive create fail and another name is
 * drawn.  An existing symbolic link at the target is refused unless the
 * caller says to replace it (OUTFILE_FORCE).
 *
 *	struct outfile o;
 *	if (outfile_open(&o, path, 0600, 0, err, sizeof err) < 0) …
 *	write(o.fd, …);
 *	if (outfile_commit(&o, err, sizeof err) < 0) …     (or outfile_abort(&o))
 */
#ifndef LIKA_OUTFILE_H
#define LIKA_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

#define OUTFILE_FORCE 0x01      /* replace a symbolic link at the target (the link itself) */

struct outfile {
	int fd;                 /* write here; -1 once closed */
	char path[1024];        /* the target */
	char tmp[1100];         /* the temporary beside it; "" once renamed or removed */
};

/*
 * Create the temporary for PATH with MODE (exactly MODE, whatever the umask)
 * into O.  -1 with the reason in ERR: a symbolic link at PATH without
 * OUTFILE_FORCE, PATH a directory or another file that is not a regular
 * file, or the directory not writable.
 */
int outfile_open(struct outfile *o, const char *path, mode_t mode, int flags, char *err, size_t errlen);

/*
 * fsync and close O's temporary (unless the caller closed O->fd and set it to
 * -1 after its own fsync), rename it over the target and fsync the directory.
 * On failure the temporary is removed and the target left as it was.
 */
int outfile_commit(struct outfile *o, char *err, size_t errlen);

/* Close and remove O's temporary; the target is left as it was.  Safe to call twice. */
void outfile_abort(struct outfile *o);

#endif
