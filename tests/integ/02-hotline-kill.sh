#!/usr/bin/env bash
# 02-hotline-kill: 2,000 messages from each side at once while Beijing is
# killed with SIGKILL at random moments (at least five times) and restarted.
# At the end every message is in the receiver's inbox exactly once, in each
# sender's order, and the sender holds a valid signed receipt for each.
. "$(dirname "$0")/lib.sh"

COUNT=${COUNT:-2000}
KILLS=${KILLS:-6}
setup_mechanism tokyo:japan:station beijing:china:station
start_node tokyo
start_node beijing
wait_link_up tokyo beijing

# send_all FROM TO: sends FROM-1..FROM-COUNT; a send counts once the CLI prints
# an id (committed). A failed call is retried: if the daemon died after its
# commit but before answering, the text exists twice under two ids, which is
# the client's at-least-once, not the node's; the checks below are per id.
send_all() {
	local from=$1 to=$2 i=1 id
	while [ $i -le "$COUNT" ]; do
		if id=$(cli "$from" send --to "$to" --precedence PRIORITY "$from-$i" 2>/dev/null); then
			echo "$id $from-$i" >> "$WORK/sent-$from"
			i=$((i + 1))
		else
			sleep 0.2
		fi
	done
}

send_all tokyo beijing & tokyo_sender=$!
send_all beijing tokyo & beijing_sender=$!

sent_by() { wc -l < "$WORK/sent-$1" 2>/dev/null || echo 0; }

# Kill moments: KILLS thresholds of messages sent by tokyo, spread at random
# over the whole burst, each followed by a random delay of up to 0.5 s.
mapfile -t marks < <(for _ in $(seq 1 "$KILLS"); do echo $(( COUNT / 20 + RANDOM % (COUNT * 9 / 10) )); done | sort -n)
kills=0
for mark in "${marks[@]}"; do
	while [ "$(sent_by tokyo)" -lt "$mark" ]; do
		kill -0 $tokyo_sender 2>/dev/null || break
		sleep 0.05
	done
	sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
	kill_node beijing
	kills=$((kills + 1))
	echo "killed beijing ($kills) with $(sent_by tokyo) sent by tokyo and $(sent_by beijing) by beijing"
	sleep "0.$((RANDOM % 5))"
	start_node beijing
done
wait $tokyo_sender || fail "tokyo's sender failed"
wait $beijing_sender || fail "beijing's sender failed"
echo "senders done after $kills kills of beijing"

python3 "$(dirname "$0")/check_delivery.py" "$WORK" tokyo beijing 300 || fail "delivery check"
python3 "$(dirname "$0")/check_delivery.py" "$WORK" beijing tokyo 300 || fail "delivery check"
pass "$COUNT messages each way, $kills SIGKILLs of beijing: each delivered exactly once, in order, receipted"
