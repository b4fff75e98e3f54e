#!/bin/sh
# Someone who can write the office's shared folder plants symbolic links where
# a clerk writes an export or the admin writes the status page: at the file
# itself or at the old temporary name FILE.tmp.  No output is ever written
# through a link: a link at the target is refused (--force replaces the link
# itself), and the temporary is created exclusively, so a planted name is
# never followed.  A failed command leaves the old file as it was and no
# temporary behind.  Exports are 0600 (personal data), the status page 0644.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/household.sh"
umask 022
mk_archive t
expect_exit 0 lika household add --village 522701101001 --head-name 钱七 --head-idcard 513101198201130014
printf 'precious\n' > victim

# a link at the target: refused, the file it points to untouched
ln -s victim out.csv
expect_exit 1 lika export households -o out.csv
expect_in "$OUT" "refusing to write through the symbolic link out.csv; use --force to replace the link"
[ "$(cat victim)" = precious ] || fail "export wrote through a link"
[ -L out.csv ] || fail "the link was replaced without --force"
for cmd in "card 522701101000001" "register 522701101001" "book" "report --format csv"; do
	ln -sf victim doc.out
	case $cmd in report*) o=--out ;; *) o=-o ;; esac
	expect_exit 1 lika $cmd $o doc.out
	expect_in "$OUT" "refusing to write through the symbolic link doc.out"
done
ln -s victim page.html
expect_exit 3 lika status --html page.html
expect_in "$OUT" "refusing to write through the symbolic link page.html"
[ "$(cat victim)" = precious ] || fail "a document or the status page wrote through a link"

# --force replaces the link with a file; the file it pointed to is untouched
expect_exit 0 lika export households -o out.csv --force
[ -L out.csv ] && fail "--force kept the link"
grep -q 钱七 out.csv || fail "export not written"
expect_exit 0 lika book -o doc.out --force
grep -q '<html' doc.out || fail "book not written"
lika status --html page.html --force >/dev/null
[ -L page.html ] && fail "--force kept the status link"
grep -q '<html' page.html || fail "status page not written"
[ "$(cat victim)" = precious ] || fail "--force wrote through a link"

# links planted at the temporary names of the old code: never followed
ln -s victim status.html.tmp
ln -s victim .status.html.tmp
lika status --html status.html >/dev/null
grep -q '<html' status.html || fail "status page not written beside a planted link"
[ "$(cat victim)" = precious ] || fail "a planted temporary link was followed"
[ -L status.html.tmp ] || fail "the planted link was removed or replaced"

# modes whatever the umask: personal data 0600, the status page 0644
expect_exit 0 lika export members -o members.csv
[ "$(stat -c %a members.csv)" = 600 ] || fail "export is $(stat -c %a members.csv), not 600"
[ "$(stat -c %a status.html)" = 644 ] || fail "status page is $(stat -c %a status.html), not 644"
expect_exit 0 lika card 522701101000001 -o card.html
[ "$(stat -c %a card.html)" = 600 ] || fail "card is $(stat -c %a card.html), not 600"

# a command that fails leaves the old file and no temporary
expect_exit 2 lika card 522701101000999 -o card.html
grep -q 钱七 card.html || fail "a failed card replaced the old one"
ls -A | grep '\.tmp$' | grep -v '^status.html.tmp$\|^\.status.html.tmp$' && fail "a temporary was left behind"
# a directory or a device at the target is refused, not replaced
mkdir adir
expect_exit 1 lika export households -o adir
expect_in "$OUT" "is a directory"
expect_exit 0 lika verify
