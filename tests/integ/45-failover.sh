#!/usr/bin/env bash
# 45-failover: Tokyo and Beijing in two network namespaces joined by two veth
# pairs (two subnets: two paths). During a burst of FAILOVER_COUNT FLASH
# messages from Tokyo the active path is cut (nft drop at Tokyo's end). The
# link moves to the other path; every message is delivered exactly once, in
# order, with a valid receipt; the switch time is printed. When path 1 is
# restored the link returns to it (probe). Needs root (77 otherwise).
. "$(dirname "$0")/lib.sh"
HEARTBEAT=${HEARTBEAT:-0.2}
. "$(dirname "$0")/netns.sh"

COUNT=${FAILOVER_COUNT:-${COUNT:-5000}} # the ASan run sets COUNT (500)
setup_mechanism tokyo:japan:station beijing:china:station
netns_setup tokyo beijing
start_node tokyo
start_node beijing
wait_link_up tokyo beijing
[ "$(active_path tokyo beijing)" = 1 ] || fail "the link did not start on path 1"

: > "$WORK/sent-tokyo"
python3 "$(dirname "$0")/burst.py" "$WORK" tokyo beijing "$COUNT" FLASH & burst=$!
while [ "$(wc -l < "$WORK/sent-tokyo" 2>/dev/null || echo 0)" -lt $((COUNT / 3)) ]; do
	kill -0 $burst 2>/dev/null || break
	sleep 0.05
done
cut=$(now_ms)
path_cut 1
echo "cut path 1 at $(wc -l < "$WORK/sent-tokyo") of $COUNT sent"
wait $burst || fail "the burst sender failed"
for _ in $(seq 1 100); do [ "$(active_path tokyo beijing)" = 2 ] && break; sleep 0.1; done
[ "$(active_path tokyo beijing)" = 2 ] || fail "tokyo's link to beijing is not on path 2 after the cut"

python3 "$(dirname "$0")/check_delivery.py" "$WORK" tokyo beijing 120 || fail "delivery check"
read -r first gap < <(switch_gap_ms beijing tokyo "$cut")
[ "$first" -ge 0 ] || fail "no delivery after the cut at beijing"
grep -ho "failover from path 1 .* took [0-9]* ms" "$WORK/tokyo.log" "$WORK/beijing.log" | sed 's/^/logged: /'
cli beijing links
cli beijing --json links | python3 -c '
import json, sys
l = json.load(sys.stdin)["links"][0]
assert l["switches"] >= 1 and l["last_switch_ms"] >= 0, l
assert [p["state"] for p in l["paths"]] == ["failed", "active"], l["paths"]' || fail "beijing's links do not show the switch"

echo "switch time: ${first} ms from the cut to the first message stored at beijing over path 2 (longest gap ${gap} ms; heartbeat ${HEARTBEAT} s)"

# Path 1 comes back: beijing's probe (every 10 s) finds it and the link returns to it.
path_restore
for _ in $(seq 1 300); do [ "$(active_path tokyo beijing)" = 1 ] && break; sleep 0.1; done
[ "$(active_path tokyo beijing)" = 1 ] || fail "the link did not return to path 1 within 30 s of its restoration"
grep -q "preferred path 1 (10.77.1.1:$NETNS_PORT) answers again" "$WORK/beijing.log" || fail "the return to path 1 is not logged"
id=$(cli tokyo send --to beijing --precedence FLASH "after the return to path 1")
cli tokyo wait "$id" --state delivered --timeout 10 || fail "$id not delivered on path 1"
echo "path 1 restored: the link is back on it and $id was delivered"
pass "$COUNT FLASH messages, active path cut during the burst: each delivered once, in order, receipted; switch ${first} ms"
