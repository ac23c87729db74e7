#!/usr/bin/env bash
# 40-deadline: deadlines by precedence on a shortened clock (charter deadlines
# of seconds). For each precedence a message left unacknowledged produces, in
# order: overdue at the sender, the signed notice at the receiving station
# (re-announced in its log, overdue in its list and inbox), the notice at the
# escalation target, step 2 one period later; an ack then stops the steps and
# closes it everywhere. A message acked in time never goes overdue, and a
# receipt deadline passes while the receiver is down. Every notice is in the
# logs of the joint record.
# PRECEDENCES (default all four) picks which precedences run.
. "$(dirname "$0")/lib.sh"

PRECEDENCES=${PRECEDENCES:-FLASH IMMEDIATE PRIORITY ROUTINE}
# The system's interpreter: a version manager's shim costs seconds a call on a loaded machine.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
declare -A ACK=([FLASH]=3 [IMMEDIATE]=4 [PRIORITY]=5 [ROUTINE]=6)
RECEIPT=2

setup_mechanism tokyo:japan:station beijing:china:station beijing-hq:china:station
for p in FLASH IMMEDIATE PRIORITY ROUTINE; do
	echo "deadline $p receipt ${RECEIPT}s ack ${ACK[$p]}s" >> "$WORK/charter"
done
echo "escalate china to beijing-hq" >> "$WORK/charter"
cli tokyo charter check "$WORK/charter" >/dev/null || fail "the charter with deadlines is refused"

start_node tokyo
start_node beijing
start_node beijing-hq
wait_link_up tokyo beijing
wait_link_up tokyo beijing-hq

# check_due ID DEADLINE SECONDS: tokyo's overdue item is due exactly SECONDS after the message's time.
check_due() {
	cli tokyo --json show "$1" > "$WORK/show.json"
	cli tokyo --json overdue | "$PY" -c '
import json, sys
from datetime import datetime
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
m = json.load(open(sys.argv[4]))["message"]
item = [i for i in json.load(sys.stdin)["overdue"] if i["id"] == sys.argv[1] and i["deadline"] == sys.argv[2]][0]
assert abs(t(item["due"]) - t(m["time"]) - float(sys.argv[3])) < 0.001, (item, m["time"])
' "$1" "$2" "$3" "$WORK/show.json" || fail "$1: the $2 deadline is not $3 s after the message's time"
}

# step_late ID DEADLINE STEP: how late tokyo logged that step (whole seconds past due).
step_late() {
	grep -E "OVERDUE $1 \([A-Z]+\) to beijing: no $2, [0-9]+ s past due; notice [^ ]+ \(step $3\)" \
		"$WORK/tokyo.log" | head -1 | sed -E 's/.* no [a-z]+, ([0-9]+) s past due.*/\1/'
}

# overdue_steps NODE ID DEADLINE: the steps of that overdue item at NODE (-1 when not listed).
overdue_steps() {
	cli "$1" --json overdue | "$PY" -c '
import json, sys
items = [i for i in json.load(sys.stdin)["overdue"] if i["id"] == sys.argv[1] and i["deadline"] == sys.argv[2]]
print(items[0]["steps"] if items else -1)' "$2" "$3"
}

# wait_steps NODE ID DEADLINE MIN SECONDS: until NODE lists it overdue with at least MIN steps.
wait_steps() {
	local i s
	for i in $(seq 1 $(($5 * 10))); do
		s=$(overdue_steps "$1" "$2" "$3")
		[ "$s" -ge "$4" ] && return 0
		sleep 0.1
	done
	fail "$1 does not list $2 ($3) overdue with $4 step(s) after $5 s (steps: $s)"
}

# wait_clear NODE ID SECONDS: until NODE lists nothing overdue for ID.
wait_clear() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		cli "$1" --json overdue | "$PY" -c '
import json, sys
sys.exit(any(i["id"] == sys.argv[1] for i in json.load(sys.stdin)["overdue"]))' "$2" && return 0
		sleep 0.1
	done
	fail "$1 still lists $2 overdue after $3 s"
}

# notices NODE DIRECTION: overdue notices in NODE's log of the joint record.
notices() {
	cli "$1" --json record log 0 1000 | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
leaves = d if isinstance(d, list) else next(v for v in d.values() if isinstance(v, list))
print(sum(1 for l in leaves if l["type"] == "overdue" and l["direction"] == sys.argv[1]))' "$2"
}

# A message acknowledged in time never goes overdue.
id=$(cli tokyo send --to beijing --precedence FLASH "Acknowledge promptly")
cli tokyo wait "$id" --state delivered --timeout 10 || fail "$id not delivered"
cli beijing ack "$id" --operator "Lt. Wang" >/dev/null
cli tokyo wait "$id" --state acknowledged --timeout 10 || fail "$id not acknowledged"
sleep $((ACK[FLASH] + 1))
for n in tokyo beijing beijing-hq; do
	[ "$(overdue_steps $n "$id" ack)" = -1 ] || fail "$n lists $id overdue though it was acked in time"
done
[ "$(notices tokyo out)" = 0 ] || fail "tokyo made a notice for a message acked in time"
pass "FLASH $id acked in time: never overdue"

# Each precedence, unacknowledged: every escalation step in order.
declare -A IDS
for p in $PRECEDENCES; do
	IDS[$p]=$(cli tokyo send --to beijing --precedence "$p" "Unanswered $p message")
done
for p in $PRECEDENCES; do
	id=${IDS[$p]}
	cli tokyo wait "$id" --state delivered --timeout 10 || fail "$id not delivered"
	wait_steps tokyo "$id" ack 1 $((ACK[$p] + 5))
	check_due "$id" ack "${ACK[$p]}"
	[ "$(step_late "$id" ack 1)" -lt "${ACK[$p]}" ] || fail "step 1 of $id came a period late"
	wait_steps beijing "$id" ack 1 5
	grep -q "OVERDUE HERE.*$id" "$WORK/beijing.log" || fail "beijing did not re-announce $id"
	cli beijing inbox | grep "^$id " | grep -q OVERDUE || fail "beijing's inbox does not mark $id OVERDUE"
	cli tokyo outbox | grep "^$id " | grep -q OVERDUE || fail "tokyo's outbox does not mark $id OVERDUE"
	wait_steps beijing-hq "$id" ack 1 5
	grep -q "OVERDUE NOTICE.*$id.*escalated" "$WORK/beijing-hq.log" || fail "beijing-hq did not log the escalation of $id"
	wait_steps tokyo "$id" ack 2 $((ACK[$p] + 5))
	late=$(step_late "$id" ack 2)
	[ "$late" -ge "${ACK[$p]}" ] || fail "step 2 of $id came $late s past due, before one ${ACK[$p]} s interval"
	wait_steps beijing "$id" ack 2 5
	wait_steps beijing-hq "$id" ack 2 5
	pass "$p $id: overdue at tokyo, notice at beijing (re-announced) and beijing-hq, step 2 after the interval (${late} s past due)"
done

# The schedule survives a restart of the sender: still overdue, and the next step comes.
first=${PRECEDENCES%% *}
stop_node tokyo
start_node tokyo
wait_link_up tokyo beijing
[ "$(overdue_steps tokyo "${IDS[$first]}" ack)" -ge 2 ] || fail "tokyo lost ${IDS[$first]}'s overdue state in a restart"
wait_steps tokyo "${IDS[$first]}" ack 3 $((ACK[$first] * 2 + 5))
wait_steps beijing-hq "${IDS[$first]}" ack 3 5
pass "tokyo restarted: ${IDS[$first]} still overdue, step 3 came"

# An ack stops the steps and closes the deadline at all three nodes.
for p in $PRECEDENCES; do
	cli beijing ack "${IDS[$p]}" --operator "Lt. Wang" >/dev/null || fail "ack of ${IDS[$p]} refused"
done
for p in $PRECEDENCES; do
	cli tokyo wait "${IDS[$p]}" --state acknowledged --timeout 10 || fail "${IDS[$p]} not acknowledged"
	for n in tokyo beijing beijing-hq; do wait_clear $n "${IDS[$p]}" 10; done
done
made=$(notices tokyo out)
sleep $((ACK[FLASH] * 2 + 1))
[ "$(notices tokyo out)" = "$made" ] || fail "tokyo made notices after the acks ($made, then $(notices tokyo out))"
grep -q "answered late" "$WORK/tokyo.log" || fail "tokyo did not log the late answers"
# show: the notices are listed apart from the one receipt, signed, naming the message's hash.
for n in tokyo beijing; do
	cli $n --json show "${IDS[$first]}" > "$WORK/show-$n.json"
	"$PY" - "$WORK/show-$n.json" <<'PY' || fail "$n's show of the late message is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["acks"]) == 1, d["acks"]
if d["message"]["direction"] == "out":
    assert len(d["receipts"]) == 1, d["receipts"]
n = d["overdue_notices"]
steps = [x["step"] for x in n]
assert steps[:3] == [1, 2, 3] and steps[-1] == 0, steps
assert all(x["signature"]["valid"] and x["hash_matches"] and x["late_node"] == "beijing" for x in n), n
PY
done
cli beijing show "${IDS[$first]}" | grep -q "overdue.*ack of beijing overdue" || fail "beijing's show does not list the notices"
pass "acks stopped the steps; closed at tokyo, beijing and beijing-hq ($made notices made)"

# A receipt deadline passes while the receiver is down.
kill_node beijing
id=$(cli tokyo send --to beijing --precedence FLASH "Are you there?")
wait_steps tokyo "$id" receipt 1 $((RECEIPT + 5))
wait_steps beijing-hq "$id" receipt 1 5
start_node beijing
wait_link_up tokyo beijing
cli tokyo wait "$id" --state delivered --timeout 10 || fail "$id not delivered after the restart"
for i in $(seq 1 50); do [ "$(overdue_steps tokyo "$id" receipt)" = -1 ] && break; sleep 0.1; done
[ "$(overdue_steps tokyo "$id" receipt)" = -1 ] || fail "tokyo still lists the receipt of $id overdue"
for i in $(seq 1 50); do [ "$(overdue_steps beijing-hq "$id" receipt)" = -1 ] && break; sleep 0.1; done
[ "$(overdue_steps beijing-hq "$id" receipt)" = -1 ] || fail "beijing-hq still lists the receipt of $id overdue"
cli beijing ack "$id" --operator "Lt. Wang" >/dev/null
pass "FLASH $id: receipt overdue while beijing was down, closed once it receipted"

# Every notice made by tokyo is in its log, and heard in the others' logs.
sleep 1
out=$(notices tokyo out); in_b=$(notices beijing in); in_hq=$(notices beijing-hq in)
[ "$out" -gt 0 ] && [ "$in_b" = "$out" ] && [ "$in_hq" = "$out" ] ||
	fail "notices in the logs: tokyo made $out, beijing holds $in_b, beijing-hq $in_hq"
pass "all $out notices are in tokyo's, beijing's and beijing-hq's logs"
