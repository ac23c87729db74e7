#!/usr/bin/env bash
# 33-signal-radio-forged: hostile datagrams on the unit link are refused and
# logged, and the link goes on. kaiyo (japan) has haixun (china) as radio
# peer. akizuki, a unit of japan, signs a signal claiming to be haixun (party
# china); haijing, another unit of china, does the same; akizuki signs as
# itself (not a radio peer) and offers its certificate; garbage, oversized
# and wrong-kind datagrams follow. None is stored; haixun's real signals
# still arrive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radio_lib.sh"
: "${RADIO_ROGUE:?RADIO_ROGUE must name the radio_rogue tool}"

CATALOGUE="$(cd "$(dirname "$0")/../.." && pwd)/data/signals.json"
setup_mechanism tokyo:japan:station beijing:china:station kaiyo:japan:unit haixun:china:unit \
	akizuki:japan:unit haijing:china:unit
for n in kaiyo haixun; do cp "$CATALOGUE" "$WORK/$n/signals.json"; done
pk=$(free_port); ph=$(free_port)
radio_conf kaiyo "127.0.0.1:$pk" 200000 "haixun=127.0.0.1:$ph"
radio_conf haixun "127.0.0.1:$ph" 200000 "kaiyo=127.0.0.1:$pk"
start_node kaiyo; start_node haixun
K=127.0.0.1:$pk

first=$(cli haixun send-signal --to kaiyo --at 31.5,124.75 D) || fail "haixun cannot send"
echo "$first" > "$WORK/h.ids"
wait_signals kaiyo haixun "$WORK/h.ids" 20

expect_refusal() { # WHAT GREP-PATTERN
	local i
	for i in $(seq 1 50); do
		grep -q "refused a datagram from 127.0.0.1:[0-9]*: $2" "$WORK/kaiyo.log" && return 0
		sleep 0.1
	done
	fail "kaiyo did not log the refusal of $1 (looked for: $2)"
}
"$RADIO_ROGUE" signal "$WORK/akizuki" haixun kaiyo 900 "$K" || fail "rogue could not send"
expect_refusal "a japan unit's signal claiming haixun of china" \
	"entry claiming origin haixun fails the signature check with haixun's certificate (party china)"
"$RADIO_ROGUE" signal "$WORK/haijing" haixun kaiyo 901 "$K"
grep -c "entry claiming origin haixun fails the signature check" "$WORK/kaiyo.log" | grep -q 2 ||
	{ sleep 1; grep -c "entry claiming origin haixun fails the signature check" "$WORK/kaiyo.log" | grep -q 2; } ||
	fail "kaiyo did not refuse haijing's signal claiming haixun"
"$RADIO_ROGUE" signal "$WORK/akizuki" akizuki kaiyo 902 "$K"
expect_refusal "akizuki as itself" "entry akizuki/902 claims origin akizuki, which is not a radio peer of kaiyo"
"$RADIO_ROGUE" cert "$WORK/akizuki" "$K"
expect_refusal "akizuki's certificate" "certificate offered for akizuki of japan, which is not a radio peer"
"$RADIO_ROGUE" big 2000 "$K"
expect_refusal "an oversized datagram" "2000 bytes, over the limit of 1400"
"$RADIO_ROGUE" raw ff00ff "$K"
expect_refusal "bytes that are not CBOR" "datagram"
"$RADIO_ROGUE" raw 820941ff "$K"
expect_refusal "an unknown kind" "datagram kind is not 1"
"$RADIO_ROGUE" raw 82014400010203 "$K"
expect_refusal "an entry that is no COSE" "malformed entry"
node_alive kaiyo || fail "kaiyo died"
signal_ids kaiyo haixun | grep -q "haixun/90" && fail "a forged signal was stored"
signal_ids kaiyo akizuki | grep -q . && fail "akizuki's signal was stored"

second=$(cli haixun send-signal --to kaiyo --at 31.5,124.75 D) || fail "haixun cannot send"
echo "$second" >> "$WORK/h.ids"
wait_signals kaiyo haixun "$WORK/h.ids" 20
[ "$(radio_field kaiyo haixun refused)" -ge 2 ] || fail "kaiyo's radio status does not count the refusals against haixun"
pass "forged party (japan unit as haixun), forged node (haijing as haixun), non-peer entry and certificate, oversized, non-CBOR, unknown kind and non-COSE datagrams refused and logged; $second still arrives"
