/*
 * passphrase.c — passphrases from the terminal or a named descriptor, and
 * opening an official's key file with one (passphrase.h).
 *
 * At the terminal the line is read from /dev/tty (not stdin, which may be a
 * pipe) with ECHO off; a signal while echo is off restores the terminal and
 * is then delivered as usual, so an interrupted prompt never leaves the
 * terminal silent.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "keyfile.h"
#include "lika.h"
#include "passphrase.h"
#include "util.h"

static volatile sig_atomic_t s_signo;

static void
s_on_signal(int sig)
{
	s_signo = sig;
}

int
passphrase_fd_arg(const char *arg, int *fd, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v < 0 || v > 65535)
		return errf(err, errlen, "--passphrase-fd \"%s\" is not a file descriptor number", arg);
	if (fcntl((int)v, F_GETFD) < 0)
		return errf(err, errlen, "--passphrase-fd %ld: %s", v, strerror(errno));
	*fd = (int)v;
	return 0;
}

static void
s_lock(struct passphrase *p)
{
	if (!p->locked)
		p->locked = sodium_mlock(p->buf, sizeof p->buf) == 0;
}

void
passphrase_wipe(struct passphrase *p)
{
	if (p->locked)
		sodium_munlock(p->buf, sizeof p->buf);     /* wipes, then unlocks */
	sodium_memzero(p->buf, sizeof p->buf);
	p->len = 0;
	p->locked = 0;
}

/* One line from FD into P, a byte at a time (what follows the line stays unread). */
static int
s_read_line(struct passphrase *p, int fd, char *err, size_t errlen)
{
	char c;
	ssize_t r;

	p->len = 0;
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR && !s_signo)
			continue;
		if (r < 0)
			return errf(err, errlen, "%s", s_signo ? "interrupted" : strerror(errno));
		if (r == 0 || c == '\n')
			break;
		if (p->len >= PASSPHRASE_MAX) {
			sodium_memzero(&c, sizeof c);
			return errf(err, errlen, "passphrase longer than %d bytes", PASSPHRASE_MAX);
		}
		p->buf[p->len++] = c;
	}
	if (r == 0 && p->len == 0)
		return errf(err, errlen, "no passphrase (end of input)");
	if (p->len && p->buf[p->len - 1] == '\r')
		p->len--;
	p->buf[p->len] = '\0';
	sodium_memzero(&c, sizeof c);
	return 0;
}

/* PROMPT on the terminal and a line read with echo off. */
static int
s_read_tty(struct passphrase *p, const char *prompt, char *err, size_t errlen)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction sa, old[sizeof sigs / sizeof sigs[0]];
	struct termios saved, quiet;
	int fd, rc;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return errf(err, errlen, "no terminal to ask the passphrase on (%s); give it on a "
		    "file descriptor with --passphrase-fd N", strerror(errno));
	if (tcgetattr(fd, &saved) != 0) {
		close(fd);
		return errf(err, errlen, "/dev/tty: %s", strerror(errno));
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = s_on_signal;      /* no SA_RESTART: read returns EINTR */
	sigemptyset(&sa.sa_mask);
	s_signo = 0;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, &old[i]);
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL;
	/* echo off before the prompt: nothing typed after it is ever shown */
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0 || write(fd, prompt, strlen(prompt)) < 0)
		rc = errf(err, errlen, "/dev/tty: %s", strerror(errno));
	else
		rc = s_read_line(p, fd, err, errlen);
	tcsetattr(fd, TCSAFLUSH, &saved);
	close(fd);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (s_signo) {
		passphrase_wipe(p);
		raise(s_signo);
	}
	return rc;
}

int
passphrase_read(struct passphrase *p, int fd, const char *prompt, char *err, size_t errlen)
{
	s_lock(p);
	s_signo = 0;
	if (fd >= 0)
		return s_read_line(p, fd, err, errlen);
	return s_read_tty(p, prompt, err, errlen);
}

int
passphrase_new(struct passphrase *p, int fd, const char *what, char *err, size_t errlen)
{
	struct passphrase again = { .len = 0 };
	char prompt[256];
	int rc;

	snprintf(prompt, sizeof prompt, "new passphrase for %s: ", what);
	if (passphrase_read(p, fd, prompt, err, errlen) < 0)
		return -1;
	if (p->len < PASSPHRASE_MIN)
		return errf(err, errlen, "the passphrase must be at least %d bytes", PASSPHRASE_MIN);
	if (fd >= 0)
		return 0;
	snprintf(prompt, sizeof prompt, "the same passphrase again: ");
	rc = passphrase_read(&again, -1, prompt, err, errlen);
	if (rc == 0 && (again.len != p->len || sodium_memcmp(again.buf, p->buf, p->len) != 0))
		rc = errf(err, errlen, "the two passphrases differ");
	passphrase_wipe(&again);
	return rc;
}

int
passphrase_open_key(const char *cmd, const char *path, int fd, uint8_t sk[SECKEY_BYTES])
{
	struct passphrase p = { .len = 0 };
	char err[ERRBUF_SIZE], prompt[1200];
	enum keyfile_status k;
	int tries = fd >= 0 ? 1 : PASSPHRASE_TRIES;

	sodium_memzero(sk, SECKEY_BYTES);
	/* a raw key or no key file at all is refused before anyone types */
	if ((k = keyfile_kind(path, err, sizeof err)) == KEYFILE_PLAIN)
		return tool_fail(EXIT_USAGE, cmd, "--key \"%s\": the key in this file is not encrypted "
		    "(made before key files had passphrases); encrypt it with \"lika official "
		    "rekey-file %s\" and run again", path, path);
	if (k != KEYFILE_OK)
		return tool_fail(EXIT_USAGE, cmd, "--key: %s", err);
	snprintf(prompt, sizeof prompt, "passphrase for %s: ", path);
	for (int i = 1; i <= tries; i++) {
		if (passphrase_read(&p, fd, prompt, err, sizeof err) < 0) {
			passphrase_wipe(&p);
			return tool_fail(EXIT_USAGE, cmd, "--key \"%s\": %s", path, err);
		}
		k = keyfile_read(path, p.buf, p.len, sk, err, sizeof err);
		passphrase_wipe(&p);
		if (k == KEYFILE_OK)
			return EXIT_OK;
		if (k != KEYFILE_WRONG)
			return tool_fail(EXIT_USAGE, cmd, "--key: %s", err);
		if (i < tries)
			fprintf(stderr, "lika %s: wrong passphrase for \"%s\"; %d %s left\n", cmd, path,
			    tries - i, tries - i == 1 ? "try" : "tries");
	}
	if (tries > 1)
		return tool_fail(EXIT_USAGE, cmd, "--key \"%s\": wrong passphrase %d times; giving up",
		    path, tries);
	return tool_fail(EXIT_USAGE, cmd, "--key \"%s\": wrong passphrase", path);
}
