/*
 * fields.h — the form of every stored value, checked on every op the ledger
 * applies (a local write, a received change set, the replay of verify and
 * rebuild), so that a node that skips the command-line checks cannot put into
 * the county's archive what lika itself would refuse.
 *
 * The rules are the household file's field declarations (household.h:
 * household_fields, household_member_fields, household_income_fields: their
 * kinds, code tables and byte limits); a stored column without a command-line
 * field has its rule in one table in fields.c.  Every text value and every key
 * is valid UTF-8 (shortest forms, no surrogates) without NUL, C0 controls
 * (a note may hold a line break), DEL, C1 controls or bidirectional overrides
 * and isolates (U+202A–U+202E, U+2066–U+2069).
 *
 * A refusal reads "rule field: TABLE.COLUMN of \"KEY\": what is wrong", the
 * offending bytes escaped (\x1b, \u202e), never printed raw.
 */
#ifndef LIKA_FIELDS_H
#define LIKA_FIELDS_H

#include <stddef.h>

struct fields;
struct ledger_rule_op;

/*
 * A context for fields_check_op: the rules of every column, resolved once,
 * and per database ("main", "replay") the code lists of the code_* tables,
 * loaded on first use.  NULL if out of memory.
 */
struct fields *fields_new(void);
/*
 * Free F and finalize its statements; accepts NULL.  Takes void * so it can
 * be the release function of ledger_set_rules (call it before the database
 * closes, as the ledger does).
 */
void fields_free(void *f);

/*
 * Check the key and columns of OP (phase LEDGER_RULE_BEFORE; other phases
 * pass) against the rules.  Values of the wrong type are left to the ledger,
 * which refuses them.  An op on a code_* table drops the code lists of its
 * database, and so does a new ledger epoch (a rollback, a replay into fresh
 * tables), so a rolled-back code is never taken for current.  No allocation
 * and no SQL per row otherwise.  0, or -1 with ERR set.
 */
int fields_check_op(struct fields *f, const struct ledger_rule_op *op, char *err, size_t errlen);

/*
 * 0 if the LEN bytes at S are clean text (see above; NEWLINE: a line feed is
 * allowed); else -1 with WHY ("a control character \x1b at byte 3").
 */
int fields_text_clean(const char *s, size_t len, int newline, char *why, size_t whylen);

/*
 * Why the LEN bytes at S are not a phone number (FK_PHONE: 5 to 20 digits,
 * "+" first, "-" and spaces) or a bank account (FK_ACCOUNT: 8 to 30 digits);
 * NULL if they are.  Import and the ledger's check give the same reason.
 */
const char *fields_phone_why(const char *s, size_t len);
const char *fields_account_why(const char *s, size_t len);

/* S (LEN bytes) for a message: at most MAX bytes of it, anything unclean escaped. */
void fields_escape(char *out, size_t outlen, const char *s, size_t len, size_t max);

#endif
