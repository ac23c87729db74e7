#!/usr/bin/env bash
# 63-bad-hello-seen: a link without a hello is closed 5 s after its
# handshake, whatever else the peer sends. A peer's hello says how far it holds our entries, and
# tokyo drops its outbox up to there. A rival (the rogue as beihai) claimed
# entries it was never sent and so erased tokyo's outbox for it. Now a
# hello claiming more than tokyo ever sent that peer is refused (error
# frame, logged, link dropped) and nothing is dropped: the message queued
# for beihai is still delivered afterwards, also after a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad
id=$(cli tokyo send --to beihai --precedence FLASH "queued for beihai")
[[ "$id" =~ ^tokyo/([0-9]+)$ ]] || fail "send printed \"$id\", not an id"
seq=${BASH_REMATCH[1]}

# The exact seq of the message never sent, then a huge one.
for claim in "$seq" 1099511627776; do
	rogue_run hello-seen 0 --seen "$claim"
	rogue_said "^rx error 1: hello from beihai claims our entries up to $claim"
	tokyo_logged "link beihai: dropped: hello from beihai claims our entries up to $claim"
	if grep -q "^rx entry prev=[0-9]* message $id" "$ROGUE_OUT"; then
		fail "tokyo sent $id on a connection whose hello it refused"
	fi
done
pass "hellos claiming unsent entries refused"

# No hello at all, only error frames: closed at the absolute hello deadline.
t0=$(date +%s)
rogue_run hello-stall 0 --wait 1
took=$(( $(date +%s) - t0 ))
tokyo_logged "link beihai: dropped: no hello within 5 s of the handshake"
[ "$took" -le 8 ] || fail "a peer without hello kept its link for $took s"
pass "a link without hello closed at its deadline ($took s)"

# The outbox is intact: an honest hello (seen 0) gets the message.
rogue_run silent "0|3"
rogue_said "^rx entry prev=[0-9]+ message $id to beihai\$"
pass "$id still delivered after the refused hellos"

# What was sent survives a clean restart: beihai got up to $seq, more is refused.
stop_node tokyo
start_node tokyo
rogue_run hello-seen 0 --seen "$((seq + 5))"
rogue_said "^rx error 1: hello from beihai claims our entries up to $((seq + 5)), but no more than $seq"
wait_link_up beijing tokyo
tokyo_serves "after the refused hellos"
served_all
pass "the bound on a hello's seen holds across a restart; tokyo still serves"
