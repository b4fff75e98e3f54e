#!/bin/sh
# Options are the same across commands: every command that writes a file
# takes -o FILE, --out FILE and --output FILE; free text that says why is
# --reasons everywhere (the older --content and --note are still read, see
# t0502); whoami --key prints the key alone.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
mk_archive t
gen_sheets g --households 5
expect_exit 0 lika import households g/households.csv
expect_exit 0 lika import members g/members.csv
for cmd in "card 522701101000001" "register 522701101001" "book" "archive" "report" \
    "export households" "export incomes"; do
	for o in -o --out --output; do
		rm -f out.file
		expect_exit 0 lika $cmd $o out.file
		[ -s out.file ] || fail "lika $cmd $o FILE wrote nothing"
	done
done
printf '%s\n' "一个足够长的口令" > p.pass
for o in -o --out --output; do
	rm -f k.key
	expect_exit 0 lika --data county official add --role 驻村干部 --name "王$o" --office 522701101001 \
	    $o k.key --kdf-cost interactive --passphrase-fd 3 3<p.pass
	[ -s k.key ] || fail "official add $o FILE wrote no key"
done
for c in "review object" "review finding"; do
	expect_exit 0 lika $c --help
	expect_in "$OUT" "--reasons TEXT"
done
key=$(lika whoami --key)
expect_in "$(lika whoami --json)" "\"pubkey\":\"$key\""
