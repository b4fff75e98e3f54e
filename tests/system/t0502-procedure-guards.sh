#!/bin/sh
# Each guard of the procedure refuses with exit 2 and names its rule, and a
# refused step writes nothing: order, notice period, open and upheld
# objections, the poverty line, 低保/五保 policy, the three exclusions, the
# quota, the signer's role and office, the panel size and the vote.
. "$SRCDIR/tests/system/lib.sh"
. "$SRCDIR/tests/system/proc.sh"
for c in "official add" "official list" "official remove" "policy set" "policy list" "quota set" \
    "review apply" "review village-eval" "review cadre-sign" "review head-sign" "review county-approve" \
    "review notice" "review object" "review finding" "review exclude" "review rank" "review show" \
    "measure add" "measure list" "helper assign" "helper list" "half-year review" "progress" "report"; do
	expect_exit 0 lika $c --help
done
proc_nodes
note "officials' keys: mode 0600, never overwritten, officials only at the county"
[ "$(stat -c %a cadre.key)" = 600 ] || fail "cadre.key mode $(stat -c %a cadre.key)"
expect_exit 2 lika --data county official add --role village-cadre --name 重复 --office 522701101001 --out cadre.key --passphrase-fd 3 3<cadre.pass
expect_in "$OUT" "never overwritten"
expect_exit 2 lika --data t official add --role village-cadre --name 乡里 --office 522701101001 --out x.key
expect_in "$OUT" "county node"
[ ! -e x.key ] || fail "a refused official add left a key file"
expect_exit 2 lika --data county official add --role township-head --name 错 --office 522701101001 --out y.key
expect_in "$OUT" "does not fit role"
expect_exit 2 lika --data county policy set poverty_line 2014 abc
expect_exit 2 lika --data county policy set notice_days_village 2014 0
expect_exit 2 lika --data county quota set 110101001 2014 5
lika --data county quota set 522701101001 2014 1 >/dev/null || fail "quota"
keypass other
lika --data county official add --role village-cadre --name 外乡干部 --office 522701102 \
    --out other.key --kdf-cost interactive --passphrase-fd 3 3<other.pass >/dev/null || fail "official add other"
sync_to_township

seqs() { head_of t 522701101; }

# refused DATE RULE CMD... : exit 2, "refused (RULE)" in the message, nothing written
refused() {
	_day=$1 rule=$2; shift 2
	before=$(seqs)
	expect_exit 2 at "$_day" "$@"
	expect_in "$OUT" "refused ($rule)"
	[ "$(seqs)" = "$before" ] || fail "refused \"$*\" wrote a change set"
	note "$rule: $(printf '%s' "$OUT" | head -1)"
}

# through DATE H: apply, group-eval, village-eval, notice on DATE
through_notice() {
	at "$1" lika --data t review apply "$2" >/dev/null || fail "apply $2"
	at "$1" lika --data t review group-eval "$2" >/dev/null || fail "group-eval $2"
	at "$1" lika --data t review village-eval "$2" --panel "$PANEL" --for 9 >/dev/null || fail "eval $2"
	at "$1" lika --data t review notice "$2" >/dev/null || fail "notice $2"
}

a=$(new_household 甲 "$(idno 19700101 013)" 1500)
b=$(new_household 乙 "$(idno 19710101 015)" 1600)

note "order"
refused 2014-06-01 order lika --data t review group-eval "$a"
at 2014-06-01 lika --data t review apply "$a" >/dev/null || fail "apply"
refused 2014-06-01 order lika --data t review apply "$a"
refused 2014-06-01 order lika --data t review village-eval "$a" --panel "$PANEL" --for 9
at 2014-06-01 lika --data t review group-eval "$a" >/dev/null || fail "group-eval"

note "panel size and vote"
refused 2014-06-01 panel-size lika --data t review village-eval "$a" --panel "赵一,钱二,孙三" --for 3
refused 2014-06-01 vote-majority lika --data t review village-eval "$a" --panel "$PANEL" --for 4 --against 5
at 2014-06-01 lika --data t review village-eval "$a" --panel "$PANEL" --for 9 >/dev/null || fail "eval"
refused 2014-06-01 order lika --data t review cadre-sign "$a" --key cadre.key --passphrase-fd 3 3<cadre.pass
at 2014-06-01 lika --data t review notice "$a" >/dev/null || fail "notice"

expect_exit 0 at 2014-06-03 lika --data t review todo
# in Chinese, naming the notice's last day (7 days from 2014-06-01: through 2014-06-07)
expect_in "$OUT" "$a  识别 第1轮  下一步 驻村干部签字（lika review cadre-sign，乡镇）  等待：公示期至 2014-06-07（最后一天）"
expect_exit 0 at 2014-06-03 lika --data t review todo --json
expect_in "$OUT" '"next":"cadre_sign","command":"cadre-sign","at":"township","waits":"notice runs to 2014-06-07 (its last day)"'
note "notice period: 7 days from 2014-06-01, the next step on 2014-06-08"
refused 2014-06-07 notice-period lika --data t review cadre-sign "$a" --key cadre.key --passphrase-fd 3 3<cadre.pass
expect_in "$OUT" "2014-06-01 to 2014-06-07"

note "objections"
# the older option names (--content, --note) are still read; t0504 uses --reasons
expect_exit 0 at 2014-06-03 lika --data t review object "$a" --by 村民丙 --content "家有轿车"
obj=$(printf '%s' "$OUT" | sed -n 's/^objection \([^ ]*\) .*/\1/p')
refused 2014-06-08 objection-open lika --data t review cadre-sign "$a" --key cadre.key --passphrase-fd 3 3<cadre.pass
expect_exit 0 at 2014-06-08 lika --data t review todo --json
expect_in "$OUT" '"next":"cadre_sign","command":"cadre-sign","at":"township","waits":"1 objection(s) without a finding"'
expect_exit 0 lika --data t review finding "$obj" --upheld --note "核实: 轿车属实"
refused 2014-06-08 objection-upheld lika --data t review cadre-sign "$a" --key cadre.key --passphrase-fd 3 3<cadre.pass

note "signer role: a township head's key cannot sign for the resident cadre"
through_notice 2014-06-01 "$b"
refused 2014-06-08 signer-role lika --data t review cadre-sign "$b" --key head.key --passphrase-fd 3 3<head.pass
note "signer office: a cadre posted to another township cannot sign here"
refused 2014-06-08 signer-office lika --data t review cadre-sign "$b" --key other.key --passphrase-fd 3 3<other.pass

note "the upheld objection: the cadre can only reject, which returns the file"
expect_exit 2 at 2014-06-08 lika --data t review cadre-sign "$a" --key cadre.key --passphrase-fd 3 3<cadre.pass --reject
expect_in "$OUT" "reasons"
expect_exit 0 at 2014-06-08 lika --data t review cadre-sign "$a" --key cadre.key --passphrase-fd 3 3<cadre.pass --reject --reasons "异议属实"
expect_exit 0 lika --data t review show "$a" --json
expect_in "$OUT" '"status":"04"'
expect_in "$OUT" "rejected: file returned"

note "quota: village 522701101001 may register 1 household in 2014"
at 2014-06-08 lika --data t review cadre-sign "$b" --key cadre.key --passphrase-fd 3 3<cadre.pass >/dev/null || fail "cadre-sign b"
at 2014-06-08 lika --data t review township-review "$b" >/dev/null || fail "township-review b"
c=$(new_household 丙 "$(idno 19720101 017)" 1700)
through_notice 2014-06-01 "$c"
at 2014-06-08 lika --data t review cadre-sign "$c" --key cadre.key --passphrase-fd 3 3<cadre.pass >/dev/null || fail "cadre-sign c"
refused 2014-06-08 quota lika --data t review township-review "$c"
expect_in "$OUT" "522701101001"

note "poverty line: 2500 yuan a head is above 2300"
d=$(new_household 丁 "$(idno 19730101 019)" 2500)
at 2014-06-01 lika --data t review apply "$d" >/dev/null || fail "apply d"
refused 2014-06-01 poverty-line lika --data t review group-eval "$d"
expect_in "$OUT" "2500.00 yuan (2013) is above the line of 2300.00"
note "at the line is not above it"
lika --data t income set "$d" 2013 --wages 2300 >/dev/null || fail "income"
expect_exit 0 at 2014-06-01 lika --data t review group-eval "$d"

note "低保/五保 outside this registration (county policy)"
e=$(new_household 戊 "$(idno 19740101 021)" 1000)
lika --data t household edit "$e" --attribute 低保贫困户 >/dev/null || fail "edit attribute"
at 2014-06-01 lika --data t review apply "$e" >/dev/null || fail "apply e"
refused 2014-06-01 dibao-wubao lika --data t review group-eval "$e"

note "the three exclusions (三不评)"
f=$(new_household 己 "$(idno 19750101 023)" 1000)
at 2014-06-01 lika --data t review apply "$f" >/dev/null || fail "apply f"
expect_exit 0 lika --data t review exclude "$f" crime --source "派出所记录: 赌博"
refused 2014-06-01 three-exclusions lika --data t review group-eval "$f"
expect_in "$OUT" "crime"
expect_exit 0 lika --data t review exclude "$f" crime --source "复核: 记录有误" --lift
expect_exit 0 at 2014-06-01 lika --data t review group-eval "$f"

note "the county turns the 低保/五保 exclusion off from 2014"
lika --data county policy set exclude_dibao_wubao 2014 0 >/dev/null || fail "policy"
sync_to_township
expect_exit 0 at 2014-06-01 lika --data t review group-eval "$e"

note "a removed official signs nothing new; what was signed stays valid"
g=$(new_household 庚 "$(idno 19760101 025)" 1000)
through_notice 2014-06-01 "$g"
lika --data county official remove 522701101001/001 >/dev/null || fail "official remove"
sync_to_township
refused 2014-06-08 signer-removed lika --data t review cadre-sign "$g" --key cadre.key --passphrase-fd 3 3<cadre.pass

verify_ok t
sync_to_county
verify_ok county
note "ok"
