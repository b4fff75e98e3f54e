/*
 * proc.h — what the procedure commands share (cmd_official.c, cmd_review.c,
 * cmd_assist.c, cmd_report.c): option checks, one-row queries, the signing
 * official's key and the "refused (rule)" message (proc.c), the household's
 * procedure state (cmd_review.c).
 */
#ifndef LIKA_TOOL_PROC_H
#define LIKA_TOOL_PROC_H

#include <stdint.h>
#include <sqlite3.h>

#include "lika.h"
#include "household.h"
#include "procedure.h"
#include "labels.h"

/* The official a --key file belongs to, looked up on the roster. */
struct signer {
	uint8_t sk[SECKEY_BYTES];   /* wiped by proc_signer_release */
	uint8_t pk[PUBKEY_BYTES];
	char id[32];
	char role[32];
	char name[128];
	char office[CODE_MAX];
	int unlocked;               /* sk holds the opened key */
};

/*
 * Open the official's key file PATH into S (passphrase from PASSFD, -1: the
 * terminal; passphrase.h).  Call it before the write starts: nobody types a
 * passphrase while the ledger is held.  EXIT_OK, or prints why (as CMD) and
 * returns an exit status; release S with proc_signer_release in every case.
 */
int proc_signer_unlock(struct signer *s, const char *path, int passfd, const char *cmd);
/*
 * Find the official of the key unlocked in S (from the file PATH, named in
 * messages) on the roster of DB: must not be removed and must hold ROLE
 * (NULL: any).  0, or prints why (as CMD) and returns an exit status.
 */
int proc_signer_load(struct signer *s, sqlite3 *db, const char *path, const char *role,
    const char *cmd);
void proc_signer_release(struct signer *s);

/* Print "lika CMD: refused (RULE): message" and return EXIT_USAGE. */
int proc_refuse(const char *cmd, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Commit OPS as one change set; EXIT_OK or prints why and EXIT_FAIL. */
int proc_commit(struct node *n, const char *cmd, struct ops *ops);

/* First column of SQL with ?1 = ARG (may be NULL) as an integer; DEF if no row. */
int64_t proc_int(sqlite3 *db, const char *sql, const char *arg, int64_t def);
/* First column of SQL with ?1 = ARG as text into OUT; 1 row, 0 none, -1 error. */
int proc_text(sqlite3 *db, const char *sql, const char *arg, char *out, size_t len);

/* Check a free-text option: at most MAX bytes, no control characters but newline. */
int proc_check_text(const char *cmd, const char *what, const char *s, size_t max);

/* Print S to F padded with spaces to WIDTH display columns (CJK counts two). */
void proc_pad(FILE *f, const char *s, int width);
/* S right-aligned in WIDTH terminal columns. */
void proc_pad_left(FILE *f, const char *s, int width);
/* The terminal columns S takes (CJK characters two). */
int proc_width(const char *s);

/* The year of a YYYY-MM-DD date. */
int proc_year(const char *date);


/* The stage of H in words ("entry round 1: cadre_sign"), in a static buffer. */
const char *review_stage(const struct procedure_state *h);

/* Commands. */
int cmd_official(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_quota(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_exclusion(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_helper(int argc, char **argv);
int cmd_half_year(int argc, char **argv);

#endif
