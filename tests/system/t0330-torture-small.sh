#!/bin/sh
# The torture scenario, small (tests/torture/torture.sh; `make torture` runs
# it with 100 kills and 20 cuts): a county and three townships writing through
# 20 SIGKILLs of random daemons, 5 link cuts, a township's disk filling up (a
# tmpfs, where mounting is permitted) and the hub restored from a backup while
# its staff write; at the end every acknowledged write is there exactly once
# everywhere, no fork, no hold, verify passes everywhere.
CONVERGE_SECS=60 exec sh "$SRCDIR/tests/torture/torture.sh" 20 5 25
