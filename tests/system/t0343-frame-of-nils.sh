#!/bin/sh
# An admitted township sends the largest frame the hub takes (17 MB), one
# well-formed msgpack array of nils.  The hub counts the objects before it
# unpacks anything and refuses the message as bad; its peak memory stays
# below 64 MB (unpacked, the frame would take some 400 MB), and it keeps
# serving: a write at another township still reaches it.
. "$SRCDIR/tests/system/lib.sh"
county_and_townships 001 002
start_likad county
start_likad t001
lika --data t001 village add 110101001001 东村 >/dev/null || fail "village add"
wait_for 20 "t001 at the hub" has_head county 110101001 1

note "t002 (admitted, its likad not running) sends a 17 MB frame of nils"
OUT=$("$LIKA_UNIT/test-tool" inject t002 nils) || fail "inject: $OUT"
printf '%s\n' "$OUT" | sed 's/^/# /'
expect_in "$OUT" "nils: ERROR bad message"
expect_in "$OUT" "more objects"
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$(cat county.pid)/status")
note "hub peak RSS: $hwm kB"
[ "$hwm" -lt 65536 ] || fail "the hub's peak RSS is $hwm kB, not below 64 MB"

note "the hub keeps serving"
lika --data t001 village add 110101001002 西村 >/dev/null || fail "village add"
wait_for 20 "t001 seq 2 at the hub" has_head county 110101001 2
cleanup_daemons
verify_ok county; verify_ok t001
note "ok"
