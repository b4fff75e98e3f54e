# t0202: bad codes and bad options get clear errors naming the value, exit 2,
# and write nothing.
. "$SRCDIR/tests/system/lib.sh"

expect_exit 2 lika --data c init --role county --node 52260 --name 县
expect_in "$OUT" 52260
expect_exit 2 lika --data c init --role county --node 5226011 --name 县
expect_exit 2 lika --data c init --role village --node 522601 --name 县
expect_in "$OUT" village
expect_exit 2 lika --data c init --role county --node 522601
expect_in "$OUT" "name"
expect_exit 2 lika --data c init --bogus
[ ! -e c/lika.db ] || fail "a refused init left a database"

mk_county c 522601
expect_exit 2 lika --data t init --role township --node 522601100 --name 镇 --hub tcp://127.0.0.1:7700
expect_in "$OUT" "county-key"
expect_exit 2 lika --data t init --role township --node 522601100 --name 镇 --county-key abc --hub tcp://127.0.0.1:7700
expect_in "$OUT" "abc"
expect_exit 2 lika --data t init --role township --node 522601100 --name 镇 --county-key "$(county_key c)" --hub http://x
expect_in "$OUT" "http://x"
expect_exit 2 lika --data t init --role township --node 52260110 --name 镇 --county-key "$(county_key c)" --hub tcp://127.0.0.1:7700
expect_in "$OUT" 52260110
[ ! -e t/lika.db ] || fail "a refused township init left a database"
mk_township t 522601100 c

expect_exit 2 lika --data t village add 522601200001 外村
expect_in "$OUT" 522601200001
expect_exit 2 lika --data t village add 52260110001 短
expect_in "$OUT" 52260110001
expect_exit 2 lika --data t village add 522601100000 零
expect_exit 2 lika --data t village add 522601100001
expect_exit 2 lika --data t village group add 522601100009 一组
expect_in "$OUT" 522601100009
expect_exit 2 lika --data t nosuchcommand
expect_in "$OUT" nosuchcommand
expect_exit 2 lika --data t village frobnicate
expect_exit 2 lika --data t log --origin 12
expect_exit 2 lika --data c village add 522601100001 村
expect_exit 0 lika --data t log --json
[ "$OUT" = "[]" ] || fail "refused commands wrote change sets: $OUT"
expect_exit 0 lika --help
expect_in "$OUT" "village"
expect_exit 0 lika village --help
