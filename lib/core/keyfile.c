/*
 * keyfile.c — officials' key files sealed under a passphrase (keyfile.h).
 *
 * The file, 140 bytes (deploy/PROVISIONING.md, "Official key files"):
 *   0  8   magic "LIKA-KEY"
 *   8  1   version 1
 *   9  1   KDF 2 = Argon2id v1.3
 *  10  2   reserved, zero
 *  12  4   opslimit, big-endian
 *  16  4   memlimit in KiB, big-endian
 *  20 16   salt
 *  36 24   nonce
 *  60 80   crypto_secretbox_easy(seed || public key) under the derived key
 * The limits are read from the file, so a file written at one cost opens
 * on any node; the reader refuses limits outside INTERACTIVE..SENSITIVE (a
 * damaged or hostile file must not make it allocate gigabytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile.h"
#include "util.h"

#define OFF_VERSION 8
#define OFF_KDF     9
#define OFF_RESERVED 10
#define OFF_OPS     12
#define OFF_MEM     16
#define OFF_SALT    20
#define OFF_NONCE   (OFF_SALT + crypto_pwhash_SALTBYTES)
#define OFF_BOX     (OFF_NONCE + crypto_secretbox_NONCEBYTES)

static void
s_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
s_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read PATH (at most KEYFILE_BYTES + 1 bytes) into BUF; the size, or -1 with ERR. */
static ssize_t
s_slurp(const char *path, uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t r, got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return errf(err, errlen, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return errf(err, errlen, "%s: not a regular file", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return errf(err, errlen, "%s: key file is readable by others (mode %03o; want 600)",
		    path, (unsigned)(st.st_mode & 0777));
	}
	while ((size_t)got < len && (r = read(fd, buf + got, len - (size_t)got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return errf(err, errlen, "%s: %s", path, strerror(e));
		}
		got += r;
	}
	close(fd);
	return got;
}

enum keyfile_status
keyfile_kind(const char *path, char *err, size_t errlen)
{
	uint8_t buf[KEYFILE_BYTES + 1];
	ssize_t n = s_slurp(path, buf, sizeof buf, err, errlen);
	enum keyfile_status k = KEYFILE_ERROR;

	if (n < 0)
		k = KEYFILE_ERROR;
	else if (n == (ssize_t)KEYFILE_BYTES && memcmp(buf, KEYFILE_MAGIC, 8) == 0)
		k = KEYFILE_OK;
	else if (n == (ssize_t)SECKEY_BYTES)
		k = KEYFILE_PLAIN;
	else
		errf(err, errlen, "%s: not a lika key file (%zd bytes)", path, n);
	sodium_memzero(buf, sizeof buf);
	return k;
}

/* The secretbox key from PASS, SALT and the limits; 0 or -1 (out of memory). */
static int
s_derive(uint8_t key[crypto_secretbox_KEYBYTES], const char *pass, size_t len,
    const uint8_t salt[crypto_pwhash_SALTBYTES], unsigned long long ops, size_t mem)
{
	return crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, len, salt, ops, mem,
	    crypto_pwhash_ALG_ARGON2ID13);
}

enum keyfile_status
keyfile_read(const char *path, const char *pass, size_t len, uint8_t sk[SECKEY_BYTES],
    char *err, size_t errlen)
{
	uint8_t buf[KEYFILE_BYTES + 1], key[crypto_secretbox_KEYBYTES];
	uint8_t pk[PUBKEY_BYTES], check[SECKEY_BYTES];
	enum keyfile_status rc = KEYFILE_ERROR;
	ssize_t n;

	sodium_memzero(sk, SECKEY_BYTES);
	if ((n = s_slurp(path, buf, sizeof buf, err, errlen)) < 0)
		return KEYFILE_ERROR;
	if (n == (ssize_t)SECKEY_BYTES) {
		sodium_memzero(buf, sizeof buf);
		errf(err, errlen, "%s: the key in this file is not encrypted (a key file from before "
		    "passphrases)", path);
		return KEYFILE_PLAIN;
	}
	unsigned long long ops = s_get32(buf + OFF_OPS);
	size_t mem = (size_t)s_get32(buf + OFF_MEM) * 1024;
	if (n != (ssize_t)KEYFILE_BYTES || memcmp(buf, KEYFILE_MAGIC, 8) != 0) {
		errf(err, errlen, "%s: not a lika key file", path);
	} else if (buf[OFF_VERSION] != KEYFILE_VERSION || buf[OFF_KDF] != KEYFILE_KDF_ARGON2ID13 ||
	    buf[OFF_RESERVED] || buf[OFF_RESERVED + 1]) {
		errf(err, errlen, "%s: key file version %u (KDF %u) is not one this lika reads", path,
		    buf[OFF_VERSION], buf[OFF_KDF]);
	} else if (ops < crypto_pwhash_OPSLIMIT_INTERACTIVE || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    mem < crypto_pwhash_MEMLIMIT_INTERACTIVE || mem > crypto_pwhash_MEMLIMIT_SENSITIVE) {
		errf(err, errlen, "%s: key file is damaged (Argon2id limits %llu, %zu KiB)", path, ops,
		    mem / 1024);
	} else if (s_derive(key, pass, len, buf + OFF_SALT, ops, mem) != 0) {
		errf(err, errlen, "%s: cannot derive the key (out of memory? Argon2id wants %zu MiB)",
		    path, mem >> 20);
	} else if (crypto_secretbox_open_easy(sk, buf + OFF_BOX, crypto_secretbox_MACBYTES +
	    SECKEY_BYTES, buf + OFF_NONCE, key) != 0) {
		errf(err, errlen, "%s: wrong passphrase", path);
		rc = KEYFILE_WRONG;
	} else {
		/* seed || pk: the public half must follow from the seed */
		crypto_sign_seed_keypair(pk, check, sk);
		if (sodium_memcmp(check, sk, SECKEY_BYTES) == 0)
			rc = KEYFILE_OK;
		else
			errf(err, errlen, "%s: key file is damaged (public half does not match)", path);
	}
	sodium_memzero(key, sizeof key);
	sodium_memzero(check, sizeof check);
	sodium_memzero(buf, sizeof buf);
	if (rc != KEYFILE_OK)
		sodium_memzero(sk, SECKEY_BYTES);
	return rc;
}

/* Write the LEN bytes of BUF to FD and sync; 0 or errno. */
static int
s_write_all(int fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		done += (size_t)w;
	}
	return fsync(fd) != 0 ? errno : 0;
}

int
keyfile_write(const char *path, const uint8_t sk[SECKEY_BYTES], const char *pass, size_t len,
    enum keyfile_cost cost, int replace, char *err, size_t errlen)
{
	uint8_t buf[KEYFILE_BYTES], key[crypto_secretbox_KEYBYTES];
	unsigned long long ops = cost == KEYFILE_COST_MODERATE ? crypto_pwhash_OPSLIMIT_MODERATE :
	    crypto_pwhash_OPSLIMIT_INTERACTIVE;
	size_t mem = cost == KEYFILE_COST_MODERATE ? crypto_pwhash_MEMLIMIT_MODERATE :
	    crypto_pwhash_MEMLIMIT_INTERACTIVE;
	char tmp[1100];
	struct stat st;
	int fd, e;

	memset(buf, 0, sizeof buf);
	memcpy(buf, KEYFILE_MAGIC, 8);
	buf[OFF_VERSION] = KEYFILE_VERSION;
	buf[OFF_KDF] = KEYFILE_KDF_ARGON2ID13;
	s_put32(buf + OFF_OPS, (uint32_t)ops);
	s_put32(buf + OFF_MEM, (uint32_t)(mem / 1024));
	randombytes_buf(buf + OFF_SALT, crypto_pwhash_SALTBYTES);
	randombytes_buf(buf + OFF_NONCE, crypto_secretbox_NONCEBYTES);
	if (s_derive(key, pass, len, buf + OFF_SALT, ops, mem) != 0)
		return errf(err, errlen, "%s: cannot derive the key (out of memory? Argon2id wants "
		    "%zu MiB)", path, mem >> 20);
	crypto_secretbox_easy(buf + OFF_BOX, sk, SECKEY_BYTES, buf + OFF_NONCE, key);
	sodium_memzero(key, sizeof key);

	if (!replace) {
		snprintf(tmp, sizeof tmp, "%s", path);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	} else if (lstat(path, &st) != 0) {
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		return errf(err, errlen, "%s: not a regular file (a symbolic link is not followed)", path);
	} else if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
		return errf(err, errlen, "%s: path too long", path);
	} else {
		fd = mkstemp(tmp);     /* O_EXCL, mode 0600 */
	}
	if (fd < 0)
		return errf(err, errlen, "%s: %s", tmp, strerror(errno));
	e = fchmod(fd, 0600) != 0 ? errno : s_write_all(fd, buf, sizeof buf);
	sodium_memzero(buf, sizeof buf);
	if (e != 0) {
		close(fd);
		unlink(tmp);
		return errf(err, errlen, "%s: %s", tmp, strerror(e));
	}
	close(fd);
	if (replace && rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return errf(err, errlen, "%s: %s", path, strerror(e));
	}
	return 0;
}
