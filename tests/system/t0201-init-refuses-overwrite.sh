# t0201: init creates the three files; a second init on the same directory
# refuses, names the file, and changes nothing.
. "$SRCDIR/tests/system/lib.sh"

mk_county c 522601
[ -f c/lika.db ] && [ -f c/node.key ] && [ -f c/lika.conf ] || fail "init did not create the files"
mode=$(stat -c %a c/node.key)
[ "$mode" = 600 ] || fail "node.key has mode $mode, want 600"
before=$(cat c/node.key c/lika.conf c/lika.db | sha256sum)
key=$(county_key c)

expect_exit 1 lika --data c init --role county --node 522601 --name 另一个
expect_in "$OUT" "already exists"
expect_exit 1 lika --data c init --role county --node 522602 --name 别的县
after=$(cat c/node.key c/lika.conf c/lika.db | sha256sum)
[ "$before" = "$after" ] || fail "a refused init changed the node"
[ "$(county_key c)" = "$key" ] || fail "the key changed"

# a key file readable by others is refused when the node is opened
mk_township t 522601100 c
chmod 644 t/node.key
expect_exit 1 lika --data t village add 522601100001 村
expect_in "$OUT" "readable by others"
chmod 600 t/node.key
expect_exit 0 lika --data t village add 522601100001 村
expect_exit 0 lika --data c whoami
expect_in "$OUT" 522601
expect_exit 0 lika --data c whoami --json
expect_in "$OUT" '"role":"county"'
