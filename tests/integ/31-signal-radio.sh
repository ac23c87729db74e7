#!/usr/bin/env bash
# 31-signal-radio: two units of different parties (kaiyo of japan, haixun of
# china) exchange signals over the unit link (UDP on loopback), with no TLS
# link between them. Each signal arrives once, is receipted, and reaches both
# parties' stations: the sender's own copy over its hotline link, the
# receiver's relay (type 9) to its station. haixun is killed while kaiyo
# sends: kaiyo's outstanding signals survive and arrive after the restart.
# RADIO31_COUNT signals each way (default 5), then one broadcast (no `to`)
# from kaiyo, which haixun and both stations hold; a station may not broadcast.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radio_lib.sh"

COUNT=${RADIO31_COUNT:-5}
CATALOGUE="$(cd "$(dirname "$0")/../.." && pwd)/data/signals.json"
setup_mechanism tokyo:japan:station beijing:china:station kaiyo:japan:unit haixun:china:unit
for n in tokyo beijing kaiyo haixun; do cp "$CATALOGUE" "$WORK/$n/signals.json"; done
pk=$(free_port); ph=$(free_port)
radio_conf kaiyo "127.0.0.1:$pk" 200000 "haixun=127.0.0.1:$ph"
radio_conf haixun "127.0.0.1:$ph" 200000 "kaiyo=127.0.0.1:$pk"
for n in tokyo beijing kaiyo haixun; do start_node "$n"; done
wait_link_up kaiyo tokyo
wait_link_up haixun beijing
cli kaiyo --json links | grep -q '"peer": "haixun"' && fail "kaiyo has a TLS link to haixun beside the unit link"

send_some() { # FROM TO N FILE
	local i id
	for i in $(seq 1 "$3"); do
		id=$(cli "$1" send-signal --to "$2" --at 31.5,124.75 "L-MV4:0$((i % 9))5,12.5") ||
			fail "send-signal from $1 refused"
		echo "$id" >> "$4"
	done
}
: > "$WORK/k.ids"; : > "$WORK/h.ids"
send_some kaiyo haixun "$COUNT" "$WORK/k.ids"
send_some haixun kaiyo "$COUNT" "$WORK/h.ids"
wait_signals haixun kaiyo "$WORK/k.ids" 30
wait_signals kaiyo haixun "$WORK/h.ids" 30

# A restart of the receiver: what kaiyo sends meanwhile waits in its outbox.
kill_node haixun
send_some kaiyo haixun "$COUNT" "$WORK/k.ids"
sort -o "$WORK/k.ids" "$WORK/k.ids"; sort -o "$WORK/h.ids" "$WORK/h.ids"
[ "$(radio_field kaiyo haixun outbox)" -ge "$COUNT" ] || fail "kaiyo's outbox for haixun lacks the signals sent while haixun was down"
start_node haixun
wait_signals haixun kaiyo "$WORK/k.ids" 60

# Both stations end up with both units' signals.
for st in tokyo beijing; do
	wait_signals "$st" kaiyo "$WORK/k.ids" 30
	wait_signals "$st" haixun "$WORK/h.ids" 30
done
for _ in $(seq 1 30); do
	[ "$(radio_field kaiyo haixun outbox)" = 0 ] && [ "$(radio_field haixun kaiyo outbox)" = 0 ] && break
	sleep 1
done
[ "$(radio_field kaiyo haixun outbox)" = 0 ] || fail "kaiyo still has signals without haixun's receipt"
[ "$(radio_field haixun kaiyo outbox)" = 0 ] || fail "haixun still has signals without kaiyo's receipt"
grep -q "relay haixun/[0-9]*: signal kaiyo/[0-9]* heard by haixun" "$WORK/beijing.log" ||
	fail "beijing did not log a relay from haixun"
# A broadcast (no --to): heard by haixun, relayed to beijing, forwarded to tokyo.
bid=$(cli kaiyo send-signal --at 31.5,124.75 "L-MV4:045,12.5") || fail "kaiyo refused a broadcast"
echo "$bid" > "$WORK/b.ids"
for n in haixun tokyo beijing; do
	wait_signals "$n" kaiyo "$WORK/b.ids" 30
	[ "$(broadcast_ids "$n" kaiyo)" = "$bid" ] || fail "$n does not hold $bid as a broadcast"
done
cli beijing signals | grep -q "^$bid .* kaiyo -> (all) " || fail "beijing's listing does not show $bid to (all): $(cli beijing signals | grep "^$bid")"
cli tokyo send-signal --at 31.5,124.75 "L-MV4:045,12.5" 2> "$WORK/st.err" && fail "a station sent a broadcast"
grep -q "a station addresses its signals: give --to" "$WORK/st.err" || fail "station's broadcast refusal unclear: $(cat "$WORK/st.err")"
for _ in $(seq 1 30); do [ "$(radio_field kaiyo haixun outbox)" = 0 ] && break; sleep 1; done
[ "$(radio_field kaiyo haixun outbox)" = 0 ] || fail "haixun did not receipt kaiyo's broadcast"

cli kaiyo radio > "$WORK/radio.txt" || fail "liaison radio failed"
grep -q "haixun" "$WORK/radio.txt" || fail "liaison radio does not show haixun: $(cat "$WORK/radio.txt")"
pass "$((2 * COUNT)) + $COUNT signals over the unit link, each once, through a restart of haixun; at tokyo and beijing too; a broadcast at haixun, tokyo and beijing; $(radio_field kaiyo haixun retransmissions) retransmissions by kaiyo"
