/*
 * keyfile.h — an official's signing key at rest: the Ed25519 secret key
 * (seed || public key, 64 bytes) sealed under a passphrase.  The key is
 * derived with Argon2id (crypto_pwhash) from the passphrase and a random salt,
 * and the secret key is encrypted and authenticated with crypto_secretbox
 * (XSalsa20-Poly1305).  The format is in deploy/PROVISIONING.md, "Official
 * key files"; every byte of it is written and read here only.
 *
 * Node keys (node.key) are not sealed: likad starts unattended (node.h).
 */
#ifndef LIKA_KEYFILE_H
#define LIKA_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#include "codec.h"

#define KEYFILE_MAGIC       "LIKA-KEY"      /* 8 bytes, no NUL in the file */
#define KEYFILE_VERSION     1
#define KEYFILE_KDF_ARGON2ID13 2            /* = crypto_pwhash_ALG_ARGON2ID13 */
#define KEYFILE_HEADER_BYTES (8 + 1 + 1 + 2 + 4 + 4 + crypto_pwhash_SALTBYTES + \
                              crypto_secretbox_NONCEBYTES)
#define KEYFILE_BYTES       (KEYFILE_HEADER_BYTES + crypto_secretbox_MACBYTES + SECKEY_BYTES)

/* The cost of deriving the key: INTERACTIVE (64 MiB, ~0.1 s) or MODERATE (256 MiB, ~0.7 s). */
enum keyfile_cost { KEYFILE_COST_INTERACTIVE, KEYFILE_COST_MODERATE };

/* What keyfile_read found. */
enum keyfile_status {
	KEYFILE_OK = 0,
	KEYFILE_ERROR = -1,         /* cannot read, bad mode, not a key file: ERR says */
	KEYFILE_WRONG = -2,         /* sealed, and the passphrase does not open it */
	KEYFILE_PLAIN = -3,         /* a raw 64-byte key from before keys were sealed */
};

/*
 * What PATH holds, without a passphrase: KEYFILE_OK for a sealed key file,
 * KEYFILE_PLAIN for a raw one, KEYFILE_ERROR (ERR says why) otherwise.
 */
enum keyfile_status keyfile_kind(const char *path, char *err, size_t errlen);

/*
 * Open the sealed key file PATH with the passphrase PASS (LEN bytes) into SK
 * (wiped unless KEYFILE_OK).  The file must be mode 0600 or stricter.
 */
enum keyfile_status keyfile_read(const char *path, const char *pass, size_t len,
    uint8_t sk[SECKEY_BYTES], char *err, size_t errlen);

/*
 * Seal SK under PASS (LEN bytes) into PATH, mode 0600.  REPLACE 0: PATH must
 * not exist (O_EXCL); REPLACE 1: written to a new file beside PATH and renamed
 * over it.  Symbolic links are never followed.  0 or -1 with ERR.
 */
int keyfile_write(const char *path, const uint8_t sk[SECKEY_BYTES], const char *pass, size_t len,
    enum keyfile_cost cost, int replace, char *err, size_t errlen);

#endif
