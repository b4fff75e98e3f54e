/*
 * rules.h — the plan's rules as the ledger's apply hook.
 *
 * Every program that opens a node calls rules_attach right after opening its
 * ledger: lika, likad, the web console.  A program that does not (the test
 * tool that forges change sets) writes what the rules would refuse; every
 * node that receives it, and verify, refuse it.
 */
#ifndef LIKA_RULES_H
#define LIKA_RULES_H

struct ledger;

#include <stddef.h>
#include <stdint.h>

/* Register the rules on L (replacing any). */
void rules_attach(struct ledger *l);

/*
 * Check step row KEY of TABLE ("review_step" or "approval") in L's state as
 * the ledger checks it on apply: the signer's role and office, the
 * official's signature and, on a sealed step, the township's seal: by the
 * key the roster names for SEQ, the seq of the township's change set that
 * carried the row (a re-keyed township's old steps keep their old key), or
 * its current key if SEQ is 0.  For documents that say whether a signature
 * verifies.  0, or -1 with "rule NAME: …" in ERR.
 */
int rules_step_verify(struct ledger *l, const char *table, const char *key, uint64_t seq, char *err,
    size_t errlen);

#endif
