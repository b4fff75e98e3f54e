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

/* Register the rules on L (replacing any). */
void rules_attach(struct ledger *l);

#endif
