# t0100: the state tables printed in proto/STORAGE.md are the ones
# lib/core/schema.c declares (table, owner, key form, columns in order,
# types, seed rows).  On a difference: the diff, and "run make spec".
. "$SRCDIR/tests/system/lib.sh"

sh "$SRCDIR/tests/tools/spec_block.sh" check "$SRCDIR/proto/STORAGE.md" "$LIKA_UNIT/schema_doc" ||
	fail "proto/STORAGE.md does not match lib/core/schema.c"
