#!/usr/bin/env bash
# 32-signal-radio-netns: the unit link over a bad radio. kaiyo (japan) and
# haixun (china) run in network namespaces joined by a veth pair that drops
# 30% of datagrams each way (nftables numgen) and carries 2,400 bit/s (tc
# tbf). Each unit also has a clean veth to the root namespace, where the
# stations tokyo and beijing run (the hotline side). RADIO_COUNT broadcast
# signals (no `to`: the 120-byte form) in all (default 200, half each way) must arrive exactly once at the other unit
# and at both stations. Prints the time taken and the retransmissions
# (about 6.5 minutes for 200 signals: the channel is the limit).
# Needs root (network namespaces); skipped (77) otherwise.
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
for t in ip nft tc; do command -v "$t" >/dev/null || { echo "SKIP: no $t"; exit 77; }; done
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radio_lib.sh"

# Under ASan (scripts/test.sh sets ASAN_OPTIONS) 40 signals unless RADIO_COUNT says otherwise.
COUNT=${RADIO_COUNT:-$([ -n "${ASAN_OPTIONS:-}" ] && echo 40 || echo 200)}
LOSS=${RADIO_LOSS:-30}
RATE=${RADIO_RATE:-2400}
TIMEOUT=${RADIO_TIMEOUT:-900}
PER=$((COUNT / 2))
CATALOGUE="$(cd "$(dirname "$0")/../.." && pwd)/data/signals.json"
NSA=lr$$a; NSB=lr$$b
X=$((20 + RANDOM % 200))
declare -A NS=([kaiyo]=$NSA [haixun]=$NSB)

netns_down() {
	ip netns del "$NSA" 2>/dev/null || true
	ip netns del "$NSB" 2>/dev/null || true
	ip link del "h$$a" 2>/dev/null || true
	ip link del "h$$b" 2>/dev/null || true
}
trap 'cleanup; netns_down' EXIT

# The CLI and the daemon of a unit run in its namespace (its API is on its loopback).
cli() { local n=$1; shift; if [ -n "${NS[$n]:-}" ]; then ip netns exec "${NS[$n]}" "$LIAISON" -d "$WORK/$n" "$@"; else "$LIAISON" -d "$WORK/$n" "$@"; fi; }
REAL_LIAISOND=$LIAISOND
start_unit() {
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "${NS[$1]}" "$REAL_LIAISOND" > "$WORK/liaisond-$1"
	chmod +x "$WORK/liaisond-$1"
	LIAISOND="$WORK/liaisond-$1" start_node "$1"
}

# Namespaces: radio veth r$$a <-> r$$b (10.X.3.1 - .2), hotline veths h$$a/h$$b to the root.
ip netns add "$NSA"; ip netns add "$NSB"
ip link add "r$$a" type veth peer name "r$$b"
ip link set "r$$a" netns "$NSA"; ip link set "r$$b" netns "$NSB"
ip link add "h$$a" type veth peer name "i$$a"; ip link set "i$$a" netns "$NSA"
ip link add "h$$b" type veth peer name "i$$b"; ip link set "i$$b" netns "$NSB"
ip addr add "10.$X.1.1/30" dev "h$$a"; ip link set "h$$a" up
ip addr add "10.$X.2.1/30" dev "h$$b"; ip link set "h$$b" up
for s in a b; do
	ns=lr$$$s; i=$([ $s = a ] && echo 1 || echo 2)
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "10.$X.3.$i/30" dev "r$$$s"; ip -n "$ns" link set "r$$$s" up
	ip -n "$ns" addr add "10.$X.$i.2/30" dev "i$$$s"; ip -n "$ns" link set "i$$$s" up
	ip -n "$ns" route add default via "10.$X.$i.1"
	# Loss on what leaves over the radio (so both directions), then the rate.
	ip netns exec "$ns" nft -f - <<NFT || { echo "SKIP: nftables unusable here"; exit 77; }
table inet radio {
	chain out {
		type filter hook output priority 0; policy accept;
		oifname "r$$$s" udp dport 7000 numgen random mod 100 < $LOSS drop
	}
}
NFT
	ip netns exec "$ns" tc qdisc add dev "r$$$s" root tbf rate "${RATE}bit" burst 1540 latency 2s ||
		{ echo "SKIP: tc tbf unusable here"; exit 77; }
done
ip netns exec "$NSA" ping -c 1 -W 2 "10.$X.3.2" >/dev/null 2>&1 ||
	ip netns exec "$NSA" ping -c 1 -W 2 "10.$X.3.2" >/dev/null 2>&1 || true

setup_mechanism tokyo:japan:station beijing:china:station kaiyo:japan:unit haixun:china:unit
for n in tokyo beijing kaiyo haixun; do cp "$CATALOGUE" "$WORK/$n/signals.json"; done
# Addresses: stations on the root side of kaiyo's hotline veth, units on their own.
python3 - "$WORK/charter" "$X" <<'PY'
import re, sys
path, x = sys.argv[1], sys.argv[2]
ip = {"tokyo": f"10.{x}.1.1", "beijing": f"10.{x}.1.1", "kaiyo": f"10.{x}.1.2", "haixun": f"10.{x}.2.2"}
out = []
for line in open(path):
    m = re.match(r"node (\S+) (.*) address 127\.0\.0\.1:(\d+)$", line.rstrip("\n"))
    out.append(f"node {m[1]} {m[2]} address {ip[m[1]]}:{m[3]}\n" if m else line)
open(path, "w").write("".join(out))
PY
# Our pacing sits a little under the channel's rate, which counts the same headers.
radio_conf kaiyo "10.$X.3.1:7000" $((RATE * 9 / 10)) "haixun=10.$X.3.2:7000"
radio_conf haixun "10.$X.3.2:7000" $((RATE * 9 / 10)) "kaiyo=10.$X.3.1:7000"
start_node tokyo; start_node beijing
start_unit kaiyo; start_unit haixun
wait_link_up kaiyo tokyo 30
wait_link_up haixun beijing 30

# Broadcasts (no --to): the 120-byte form a unit sends to every radio peer.
send_all() { # FROM N FILE (run in the background: the EXIT trap is the parent's)
	local i
	trap - EXIT
	for i in $(seq 1 "$2"); do
		cli "$1" send-signal --at 31.5,124.75 "L-MV4:0$((i % 9))5,12.5" >> "$3" ||
			{ echo "send-signal from $1 refused" >&2; return 1; }
	done
}
start=$(date +%s)
: > "$WORK/k.ids"; : > "$WORK/h.ids"
send_all kaiyo "$PER" "$WORK/k.ids" & sk=$!
send_all haixun "$PER" "$WORK/h.ids" & sh=$!
wait $sk || fail "sending from kaiyo failed"
wait $sh || fail "sending from haixun failed"
[ "$(wc -l < "$WORK/k.ids")" -eq "$PER" ] && [ "$(wc -l < "$WORK/h.ids")" -eq "$PER" ] ||
	fail "not every signal was committed by its sender"

# Done when the other unit and both stations hold every signal and each
# sender holds every receipt (its outbox for the other unit is empty).
complete() {
	local st
	for st in haixun tokyo beijing; do
		signal_ids "$st" kaiyo | cmp -s - <(sort "$WORK/k.ids") || return 1
	done
	for st in kaiyo tokyo beijing; do
		signal_ids "$st" haixun | cmp -s - <(sort "$WORK/h.ids") || return 1
	done
	[ "$(radio_field kaiyo haixun outbox)" = 0 ] && [ "$(radio_field haixun kaiyo outbox)" = 0 ]
}
arrived=""
while :; do
	now=$(($(date +%s) - start))
	if [ -z "$arrived" ] && signal_ids haixun kaiyo | cmp -s - <(sort "$WORK/k.ids") &&
	    signal_ids kaiyo haixun | cmp -s - <(sort "$WORK/h.ids"); then
		arrived=$now
	fi
	complete && break
	[ "$now" -lt "$TIMEOUT" ] || break
	sleep 2
done
took=$(($(date +%s) - start))
# Exactly once, and nothing missing, at each node (wait_signals names what lacks).
for st in haixun tokyo beijing; do wait_signals "$st" kaiyo "$WORK/k.ids" 1; done
for st in kaiyo tokyo beijing; do wait_signals "$st" haixun "$WORK/h.ids" 1; done
# Every one of them is a broadcast where it arrived (heard on the air, or relayed).
for st in haixun tokyo beijing; do
	broadcast_ids "$st" kaiyo | cmp -s - <(sort "$WORK/k.ids") || fail "$st holds kaiyo's signals not as broadcasts"
done
for st in kaiyo tokyo beijing; do
	broadcast_ids "$st" haixun | cmp -s - <(sort "$WORK/h.ids") || fail "$st holds haixun's signals not as broadcasts"
done
[ "$(radio_field kaiyo haixun outbox)" = 0 ] || fail "kaiyo still waits for receipts of $(radio_field kaiyo haixun outbox) signals"
[ "$(radio_field haixun kaiyo outbox)" = 0 ] || fail "haixun still waits for receipts of $(radio_field haixun kaiyo outbox) signals"
cli kaiyo radio; cli haixun radio
rk=$(radio_field kaiyo haixun retransmissions); rh=$(radio_field haixun kaiyo retransmissions)
dk=$(radio_field kaiyo haixun duplicates); dh=$(radio_field haixun kaiyo duplicates)
pass "$COUNT broadcast signals over a ${LOSS}%-loss ${RATE} bit/s unit link: all at the other unit after ${arrived:-?} s, all receipted and at both stations after ${took} s (from the first send), each once at the other unit and both stations; retransmissions: kaiyo $rk, haixun $rh; duplicates received (receipt re-sent): kaiyo $dk, haixun $dh"
