#!/usr/bin/env bash
# 38-signal-forged-party: a unit of Japan (akizuki; the rogue holds its real
# key and certificate) sends China's unit haixun, over its authenticated
# link, signal entries that claim the origin of China's other unit haijing:
# signed with akizuki's own key, with a key of no certificate, and with
# haijing's real key (a copy of haijing's entry passed off on akizuki's
# link); then one of its own origin signed with a key of no certificate. Each
# is refused: haixun logs a reason naming the link's peer and the claimed
# origin, tells the rogue in an error frame, stores nothing, drops the link,
# and goes on serving: beijing's messages still arrive, and akizuki's own
# valid signal is stored afterwards (so the refusals were for the forgery).
# A valid broadcast of akizuki's own (no `to`) is refused too (as content:
# the link stays up): over TLS only a station takes one, from its own unit.
# ROUNDS (default 1) repeats the forged attacks.
. "$(dirname "$0")/lib.sh"
: "${ROGUE:?ROGUE must name the rogue binary}"
ROUNDS=${ROUNDS:-1}
CATALOGUE="$(cd "$(dirname "$0")/../.." && pwd)/data/signals.json"

setup_mechanism beijing:china:station haixun:china:unit haijing:china:unit akizuki:japan:unit
cp "$CATALOGUE" "$WORK/haixun/signals.json"
start_node beijing
start_node haixun
wait_link_up beijing haixun

addr_of() { awk -v n="$1" '$1 == "node" && $2 == n { print $NF }' "$WORK/charter"; }
entries() {
	cli haixun --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["entries"])' \
		|| fail "haixun status failed"
}
MARK=0
RUNS=0
# rogue WANT_EXIT ATTACK [options]: the rogue as akizuki against haixun; output in $OUT.
rogue() {
	local want=$1 attack=$2 rc=0
	shift 2
	RUNS=$((RUNS + 1))
	OUT="$WORK/rogue-$RUNS-$attack.out"
	MARK=$(wc -l < "$WORK/haixun.log")
	"$ROGUE" --key "$WORK/akizuki" --charter "$WORK/charter" --connect "$(addr_of haixun)" \
		--attack "$attack" "$@" > "$OUT" 2>&1 || rc=$?
	sed "s/^/  rogue $attack| /" "$OUT"
	[[ "$rc" =~ ^($want)$ ]] || fail "rogue $attack exited $rc, expected $want"
}
# logged REGEX: haixun logged a matching line since the last rogue run (waits up to 5 s).
logged() {
	local end=$((SECONDS + 5))
	until tail -n +"$((MARK + 1))" "$WORK/haixun.log" | grep -Eq -- "$1"; do
		[ "$SECONDS" -lt "$end" ] || fail "haixun's log does not say: $1"
		sleep 0.1
	done
}
# serves TEXT: beijing's message to haixun is delivered and receipted.
serves() {
	local id
	node_alive haixun || fail "haixun is not running"
	id=$(cli beijing send --to haixun --precedence FLASH "$1") || fail "beijing cannot send to haixun"
	cli beijing wait "$id" --state delivered --timeout 10 || fail "$id was not delivered to haixun"
}
# refused ATTACK REASON [options]: told in an error frame, logged, dropped, nothing stored, still serving.
refused() {
	local attack=$1 reason=$2 before after
	shift 2
	before=$(entries)
	rogue 0 "$attack" --wait 10000 "$@"
	grep -Eq -- "^rx error 1: $reason" "$OUT" || fail "$attack: no error frame saying: $reason"
	logged "link akizuki: dropped: $reason"
	after=$(entries)
	[ "$after" = "$before" ] || fail "$attack: haixun's store went from $before to $after entries"
	serves "after $attack"
	pass "$attack: refused ($reason), told, nothing stored, haixun still serves"
}

CLAIM='entry haijing/[0-9]+ is signed as haijing but arrived on the link with akizuki'
for _ in $(seq 1 "$ROUNDS"); do
	refused signal-claim "$CLAIM" --claim haijing
	refused signal-claim-nokey "$CLAIM" --claim haijing
	refused signal-claim-theirs "$CLAIM" --claim haijing --sign-as "$WORK/haijing"
	refused signal-nokey 'entry from akizuki fails its signature check'
done

cli haixun --json signals > "$WORK/signals.json" || fail "haixun signals failed"
grep -q '"haijing/' "$WORK/signals.json" && fail "a forged haijing signal is listed: $(cat "$WORK/signals.json")"

# The control: the same rogue, its own origin and key, a valid signal: stored, link kept.
before=$(entries)
rogue 3 signal-valid
grep -q "^rx seen 1" "$OUT" || fail "haixun did not confirm akizuki's valid signal"
cli haixun --json signals | grep -q '"akizuki/1"' || fail "akizuki's valid signal is not listed at haixun"
[ "$(entries)" -gt "$before" ] || fail "akizuki's valid signal was not stored"
pass "akizuki's own valid signal is stored and confirmed; the forged ones were refused for the forgery alone"

# Last (its seq is then seen): a broadcast of akizuki's own over TLS: refused as content (error 2, the link stays up), nothing stored.
BCAST='signal akizuki/[0-9]+ is a broadcast \(no `to`\): only the radio carries those'
before=$(entries)
rogue 3 signal-broadcast --wait 2000
grep -Eq -- "^rx error 2: $BCAST" "$OUT" || fail "signal-broadcast: no error frame saying: $BCAST"
logged "link akizuki: rejected: $BCAST"
[ "$(entries)" = "$before" ] || fail "signal-broadcast: haixun stored something"
pass "signal-broadcast: refused over TLS ($BCAST), told, nothing stored"
