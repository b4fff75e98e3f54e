#!/bin/sh
# Officials' key files are encrypted with a passphrase (deploy/PROVISIONING.md,
# "Official key files"): the file does not hold the secret key in the clear; a
# wrong passphrase is refused with a clear message and exit 2, and three wrong
# ones at the terminal end the command; what is typed is never echoed; without
# a terminal and without --passphrase-fd nothing is asked; a key file from
# before passphrases is refused, naming "lika official rekey-file", which
# encrypts it (and changes a passphrase) without changing the key.
. "$SRCDIR/tests/system/lib.sh"
mk_county county 522701 "$(free_port)"
H=522701101001001       # no such household: a step that opened the key is refused for it
tty() { OUT=$(/usr/bin/python3 "$SRCDIR/tests/system/terminal.py" "$@" 2>&1); RC=$?; }
approve() { lika --data county review county-approve $H --key "$@"; }

# official add, the passphrase on a descriptor, the default cost (Argon2id moderate)
expect_exit 0 lika --data county official add --role county-office --name 赵主任 --office 522701 \
    --out office.key --passphrase-fd 3 3<<EOF
赵主任的口令 first
EOF
pk=$(printf '%s\n' "$OUT" | sed -n 's/^public key //p')
[ ${#pk} = 64 ] || fail "no public key in: $OUT"
[ "$(stat -c %a office.key)" = 600 ] || fail "office.key mode $(stat -c %a office.key)"
[ "$(stat -c %s office.key)" = 140 ] || fail "office.key is $(stat -c %s office.key) bytes, want 140"
[ "$(head -c 8 office.key)" = LIKA-KEY ] || fail "office.key does not start with LIKA-KEY"
sk=$(echo "赵主任的口令 first" | "$LIKA_UNIT/test-tool" keyfile-open office.key) || fail "keyfile-open"
[ "$(echo "$sk" | cut -c65-128)" = "$pk" ] || fail "the sealed key is not the official's"
file=$(od -An -tx1 -v office.key | tr -d ' \n')
case "$file" in
*"$(echo "$sk" | cut -c1-64)"*|*"$pk"*) fail "office.key holds the secret key in the clear" ;;
esac

# a wrong passphrase on the descriptor: one try, a clear message, exit 2
expect_exit 2 approve office.key --passphrase-fd 3 3<<EOF
赵主任的口令 wrong
EOF
expect_in "$OUT" 'wrong passphrase'
expect_exit 2 approve office.key --passphrase-fd 3 3</dev/null
expect_in "$OUT" 'no passphrase'
expect_exit 2 approve office.key --passphrase-fd 9
expect_in "$OUT" 'passphrase-fd 9'
# the right one opens the key: the step goes on to look for the household
expect_exit 2 approve office.key --passphrase-fd 3 3<<EOF
赵主任的口令 first
EOF
expect_in "$OUT" "no household \"$H\""
# no terminal and no descriptor: nothing to ask, never the environment or argv
expect_exit 2 setsid -w lika --data county review county-approve $H --key office.key </dev/null
expect_in "$OUT" 'no terminal.*--passphrase-fd'

# at the terminal: three wrong passphrases end the command; nothing typed is echoed
tty 'bad one 1' 'bad two 2' 'bad three 3' -- lika --data county review county-approve $H --key office.key
[ "$RC" = 2 ] || fail "three wrong passphrases: exit $RC: $OUT"
expect_in "$OUT" 'wrong passphrase for "office.key"; 2 tries left'
expect_in "$OUT" '1 try left'
expect_in "$OUT" 'wrong passphrase 3 times; giving up'
[ "$(printf '%s\n' "$OUT" | grep -c 'passphrase for office.key: ')" = 3 ] || fail "not asked 3 times: $OUT"
case "$OUT" in *bad*) fail "the terminal echoed a passphrase: $OUT" ;; esac
tty 'bad one 1' '赵主任的口令 first' -- lika --data county review county-approve $H --key office.key
[ "$RC" = 2 ] && expect_in "$OUT" "no household" || fail "second try at the terminal: $RC $OUT"
case "$OUT" in *first*) fail "the terminal echoed a passphrase: $OUT" ;; esac

# official add at the terminal asks twice
tty '李乡长的口令 one' '李乡长的口令 two' -- lika --data county official add --role township-head \
    --name 李乡长 --office 522701101 --out head.key --kdf-cost interactive
[ "$RC" = 2 ] || fail "different passphrases accepted: $RC $OUT"
expect_in "$OUT" 'the two passphrases differ'
[ ! -e head.key ] || fail "a refused official add left head.key"
tty 'short' -- lika --data county official add --role township-head --name 李乡长 --office 522701101 \
    --out head.key --kdf-cost interactive
[ "$RC" = 2 ] && expect_in "$OUT" 'at least 8 bytes' || fail "short passphrase: $RC $OUT"
tty '李乡长的口令 one' '李乡长的口令 one' -- lika --data county official add --role township-head \
    --name 李乡长 --office 522701101 --out head.key --kdf-cost interactive
[ "$RC" = 0 ] || fail "official add at the terminal: $RC $OUT"
case "$OUT" in *one*) fail "the terminal echoed a passphrase: $OUT" ;; esac
echo "李乡长的口令 one" | "$LIKA_UNIT/test-tool" keyfile-open head.key >/dev/null || fail "head.key"

# a key file from before passphrases (64 raw bytes): refused, with the way out
rawpk=$("$LIKA_UNIT/test-tool" rawkey old.key) || fail "rawkey"
expect_exit 2 approve old.key --passphrase-fd 3 3<<EOF
anything at all
EOF
expect_in "$OUT" 'not encrypted'
expect_in "$OUT" 'lika official rekey-file old.key'
expect_exit 0 lika official rekey-file old.key --kdf-cost interactive --passphrase-fd 3 3<<EOF
旧钥匙的新口令
EOF
[ "$(stat -c %s old.key)" = 140 ] && [ "$(stat -c %a old.key)" = 600 ] || fail "rekey-file wrote $(ls -l old.key)"
sk=$(echo "旧钥匙的新口令" | "$LIKA_UNIT/test-tool" keyfile-open old.key) || fail "rekeyed old.key"
[ "$(echo "$sk" | cut -c65-128)" = "$rawpk" ] || fail "rekey-file changed the key"
# rekey-file changes a passphrase: the current one first, then the new
expect_exit 2 lika official rekey-file old.key --passphrase-fd 3 3<<EOF
not the passphrase
whatever new
EOF
expect_in "$OUT" 'wrong passphrase'
expect_exit 0 lika official rekey-file old.key --kdf-cost interactive --passphrase-fd 3 3<<EOF
旧钥匙的新口令
第三个口令 third
EOF
echo "旧钥匙的新口令" | "$LIKA_UNIT/test-tool" keyfile-open old.key >/dev/null 2>&1 && fail "old passphrase still opens"
sk=$(echo "第三个口令 third" | "$LIKA_UNIT/test-tool" keyfile-open old.key) || fail "new passphrase"
[ "$(echo "$sk" | cut -c65-128)" = "$rawpk" ] || fail "rekey-file changed the key"
ln -s old.key link.key
expect_exit 2 lika official rekey-file link.key --passphrase-fd 3 3<<EOF
第三个口令 third
第四个口令 fourth
EOF
expect_in "$OUT" 'symbolic link'
note "ok: key files sealed, wrong passphrases refused, nothing echoed, raw keys re-encrypted"
