#!/bin/sh
# A township is re-keyed after the head signed and sealed a household's step
# (乡镇长签字并加盖公章).  The county's household card still shows that seal
# as valid: it was made with the key the roster names for the seq of the
# change set that carried the step, not with the township's current key.  A
# seal altered afterwards shows as invalid.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
proc_nodes
h=$(new_household 张三 "$(idno 19500101 011)" 1500)
walk_township "$h"
sync_to_county
expect_exit 0 lika --data county card "$h" -o before.html
grep -q "乡镇公章 有效" before.html || fail "the seal is not valid before the re-key: $(cat before.html)"
stop_likad t

note "the county re-keys the township (a new machine's key)"
lika --data spare init --role township --node 522701101 --name 乡镇522701101 \
    --county-key "$(county_key county)" --hub "tcp://127.0.0.1:$port" >/dev/null || fail "spare init"
expect_exit 0 lika --data county roster rekey-township 522701101 "$(county_key spare)"
expect_in "$OUT" "from seq $(( $(head_of county 522701101) + 1 )) on, key $(county_key spare)"

note "the card checks the old step's seal against the key of its change set"
expect_exit 0 lika --data county card "$h" -o after.html
grep -q "乡镇公章 有效" after.html || fail "the old step's seal is not valid after the re-key: $(grep -o '乡镇公章 [^<]*' after.html)"
grep -q "乡镇公章 无效" after.html && fail "a seal shows as invalid after the re-key"

note "an altered seal is invalid"
TAMPERED="county"     # its likad runs: the edit waits for its write lock
sqlite3 -cmd ".timeout 10000" county/lika.db "UPDATE review_step SET seal = zeroblob(64) WHERE household = '$h' AND step = 'head_sign'" \
    || fail "sqlite3"
expect_exit 0 lika --data county card "$h" -o altered.html
grep -q "乡镇公章 无效" altered.html || fail "the altered seal shows as valid: $(grep -o '乡镇公章 [^<]*' altered.html)"
note "ok"
