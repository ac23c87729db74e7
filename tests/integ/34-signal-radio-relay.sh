#!/usr/bin/env bash
# 34-signal-radio-relay: a station believes a relay (type 9) only as far as
# the inner signal's own signature goes. The rogue, as kaiyo (a unit of
# japan), sends tokyo a relay around a signal that claims haixun (a unit of
# china) as origin but is signed with kaiyo's key, kaiyo's certificate
# enclosed: refused in an error frame, nothing stored. The same relay made by
# haixun (not of tokyo's party) is refused too. tokyo goes on serving.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

CATALOGUE="$(cd "$(dirname "$0")/../.." && pwd)/data/signals.json"
setup_mechanism tokyo:japan:station beijing:china:station beihai:china:station \
	kaiyo:japan:unit haixun:china:unit
cp "$CATALOGUE" "$WORK/tokyo/signals.json"
start_node tokyo
start_node beijing
wait_link_up beijing tokyo

relay_refused() { # KEYNODE SIGN-AS REASON
	local before after
	before=$(tokyo_entries)
	rogue_run forged-relay 3 --key "$WORK/$1" --sign-as "$WORK/$2"
	rogue_said "^rx error 2: $3"
	tokyo_logged "link $1: rejected: $3"
	after=$(tokyo_entries)
	[ "$after" = "$before" ] || fail "tokyo's store went from $before to $after entries"
	cli tokyo --json signals | grep -q "\"$2/77\"" && fail "the forged signal $2/77 was stored"
	tokyo_serves "after a forged relay from $1"
}
relay_refused kaiyo haixun "relay kaiyo/[0-9]+: enclosed certificate is kaiyo's, the inner entry claims haixun"
relay_refused haixun kaiyo "relay haixun/[0-9]+: only a unit of japan relays to tokyo"
pass "forged relays refused at tokyo (a signal claiming haixun signed by kaiyo; a relay from china's unit), nothing stored, tokyo still serves"
