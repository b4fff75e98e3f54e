/*
 * passphrase.h — reading an official's passphrase and opening a key file with
 * it.  The passphrase comes from the terminal (/dev/tty, echo off) or from a
 * file descriptor the caller names (--passphrase-fd N: tests and the web
 * console); never from argv or the environment.
 */
#ifndef LIKA_TOOL_PASSPHRASE_H
#define LIKA_TOOL_PASSPHRASE_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define PASSPHRASE_MAX   1024   /* bytes; a longer line is refused */
#define PASSPHRASE_MIN   8      /* bytes, for a new passphrase */
#define PASSPHRASE_TRIES 3      /* wrong passphrases at the terminal before giving up */

/* A passphrase: on the stack, locked in memory if possible, wiped by passphrase_wipe. */
struct passphrase {
	char buf[PASSPHRASE_MAX + 2];
	size_t len;
	int locked;
};

/* Parse the argument of --passphrase-fd: FD into *FD; 0 or -1 with ERR. */
int passphrase_fd_arg(const char *arg, int *fd, char *err, size_t errlen);

/*
 * Read one passphrase into P: from FD (>= 0; one line, without its newline)
 * or, with FD -1, from the terminal after PROMPT with echo off.  0 or -1 with
 * ERR.  Call passphrase_wipe in every case.
 */
int passphrase_read(struct passphrase *p, int fd, const char *prompt, char *err, size_t errlen);
void passphrase_wipe(struct passphrase *p);

/*
 * A new passphrase into P: from FD (one line), or asked twice at the terminal
 * (WHAT names it in the prompt).  At least PASSPHRASE_MIN bytes.  0 or -1 with ERR.
 */
int passphrase_new(struct passphrase *p, int fd, const char *what, char *err, size_t errlen);

/*
 * Open the official's key file PATH into SK: the passphrase from FD (one
 * try) or the terminal (PASSPHRASE_TRIES tries).  EXIT_OK, or prints why as
 * "lika CMD: --key …" and returns EXIT_USAGE (wrong passphrase, a key file from
 * before passphrases, no such file, a damaged file).
 */
int passphrase_open_key(const char *cmd, const char *path, int fd, uint8_t sk[SECKEY_BYTES]);

#endif
