#!/bin/sh
# The township's likad is SIGKILLed five times while it catches up 10,000 change
# sets; at the end both hold identical ids and lika verify passes on both.
. "$SRCDIR/tests/system/lib.sh"
kill_during_catchup t1
