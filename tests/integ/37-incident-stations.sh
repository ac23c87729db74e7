#!/usr/bin/env bash
# 37-incident-stations: a party with two stations. Tokyo opens an incident
# with china; beijing and shanghai both get it. Shanghai confirms tokyo's
# proposal and beijing, which did not confirm, learns it from its colleague:
# the incident is contained at all three. Beijing attaches its own message to
# tokyo; shanghai, which never held that message, keeps the attach (its own
# side vouches for it) and shows the entry as not held. Tokyo and beijing
# render identical timelines.
. "$(dirname "$0")/lib.sh"

setup_mechanism tokyo:japan:station beijing:china:station shanghai:china:station
start_node tokyo
start_node beijing
start_node shanghai
wait_link_up tokyo beijing
wait_link_up tokyo shanghai
wait_link_up beijing shanghai

# wait_for NODE ID PYTHON-CONDITION-ON-d
wait_for() {
	local n=$1 id=$2 cond=$3
	for _ in $(seq 1 100); do
		if cli "$n" --json incident show "$id" > "$WORK/$n.json" 2>/dev/null &&
			python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($cond) else 1)" \
				"$WORK/$n.json"; then
			return 0
		fi
		sleep 0.1
	done
	fail "incident $id at $n: ($cond) does not hold: $(cat "$WORK/$n.json" 2>/dev/null)"
}

inc=$(cli tokyo incident open --to china Fishing fleet and coast guard) || fail "open refused"
prop=$(cli tokyo incident propose "$inc" contained Fleet dispersed) || fail "propose refused"
wait_for shanghai "$inc" "len(d['pending']) == 1"
wait_for beijing "$inc" "len(d['pending']) == 1"
cli shanghai incident confirm "$inc" "$prop" > /dev/null || fail "shanghai could not confirm"
wait_for tokyo "$inc" "d['state'] == 'contained'"
wait_for beijing "$inc" "d['state'] == 'contained' and d['timeline'][-1]['by'] == 'shanghai'"
if cli beijing incident confirm "$inc" "$prop" 2> "$WORK/err.txt"; then fail "a second confirmation accepted"; fi
grep -q "already confirmed" "$WORK/err.txt" || fail "unclear refusal: $(cat "$WORK/err.txt")"

msg=$(cli beijing send --to tokyo "Coast guard withdrawing") || fail "message not sent"
cli beijing wait "$msg" --state delivered --timeout 20 || fail "$msg not delivered"
att=$(cli beijing incident attach "$inc" "$msg") || fail "attach refused at beijing"
wait_for tokyo "$inc" "len(d['timeline']) == 4 and d['timeline'][3]['entry']['text'] == 'Coast guard withdrawing'"
wait_for shanghai "$inc" "len(d['timeline']) == 4 and d['timeline'][3]['entry'] is None and d['state'] == 'contained'"
cli beijing --json incident show "$inc" > "$WORK/beijing.json"
cmp -s "$WORK/tokyo.json" "$WORK/beijing.json" ||
	fail "timelines differ: $(diff "$WORK/tokyo.json" "$WORK/beijing.json")"
pass "incident $inc: shanghai's confirmation reached beijing, contained at all three; $att kept at shanghai without the message; tokyo and beijing identical"
