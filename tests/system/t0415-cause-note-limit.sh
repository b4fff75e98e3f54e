#!/bin/sh
# 致贫原因说明 (cause_note) holds up to 1,000 bytes, as proto/IMPORT.md says, by
# every way in (household edit --cause-note, household cause --note, import);
# 1,001 bytes are refused, and the message gives the reason before the value,
# which is cut on a character boundary with "…" (it used to be refused from
# 512 bytes, the value first and cut inside a character, the reason lost).
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t
expect_exit 0 lika household add --village 522701101001 --head-name 钱七 --head-idcard 513101198201130014
h=$OUT
n1000=$(/usr/bin/python3 -c "print('腿伤' * 166 + 'abcd')")      # 996 + 4 bytes
n1001=$(/usr/bin/python3 -c "print('腿伤' * 166 + 'abcde')")
[ "$(printf '%s' "$n1000" | wc -c)" = 1000 ] || fail "test note is not 1000 bytes"
expect_exit 0 lika household edit $h --cause-note "$n1000"
expect_exit 0 lika household cause $h --main 因病 --note "$n1000"
expect_exit 0 lika household show $h --json
expect_in "$OUT" "\"cause_note\":\"$n1000\""
expect_exit 2 lika household edit $h --cause-note "$n1001"
expect_in "$OUT" '^lika household edit: 致贫原因说明 (cause_note): 1001 bytes, longer than 1000: "腿伤腿伤'
expect_in "$OUT" '…"$'
# the quoted value is valid UTF-8 however it is cut
printf '%s' "$OUT" | iconv -f UTF-8 -t UTF-8 >/dev/null || fail "the message is not valid UTF-8"
expect_exit 2 lika household cause $h --main 因病 --note "$n1001"
expect_in "$OUT" "1001 bytes, longer than 1000"
# a 1,000-byte note with CRLF line breaks (the CRs are dropped) is not too long
crlf=$(/usr/bin/python3 -c "print('腿伤' * 150 + 'ab' + '\r\nx' * 40, end='')")
printf 'id,head_idcard,cause_note\n%s,513101198201130014,"%s"\n' $h "$crlf" > crlf.csv
expect_exit 0 lika import households crlf.csv
printf 'id,head_idcard,cause_note\n%s,513101198201130014,%s\n' $h "$n1000" > ok.csv
expect_exit 0 lika import households ok.csv
printf 'id,head_idcard,cause_note\n%s,513101198201130014,%s\n' $h "$n1001" > long.csv
expect_exit 2 lika import households long.csv
expect_in "$OUT" 'row 2 (line 2): 致贫原因说明 (cause_note): 1001 bytes, longer than 1000: "'
expect_exit 0 lika verify
