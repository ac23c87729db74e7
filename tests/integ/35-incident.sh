#!/usr/bin/env bash
# 35-incident: an incident between japan and china, shared by tokyo and
# beijing. Tokyo opens it from a signal it received from beijing and attaches
# a message; beijing sees both. Tokyo proposes "contained": the state stays
# open at both ends until beijing confirms, then is contained at both;
# beijing proposes "closed" and tokyo confirms. Confirming one's own proposal,
# or something that is no proposal, is refused. The timeline is identical at
# both ends (compared as JSON), also after both daemons restart, and names
# the operator beijing's confirmation was signed for (--operator). An attach of
# a message beijing never received (tokyo's to osaka) is refused by beijing
# with an error frame, and the link stays up. The exported joint record,
# incident entries included, verifies offline.
. "$(dirname "$0")/lib.sh"

CATALOGUE="$(cd "$(dirname "$0")/../.." && pwd)/data/signals.json"
setup_mechanism tokyo:japan:station beijing:china:station osaka:japan:station
cp "$CATALOGUE" "$WORK/tokyo/signals.json"
cp "$CATALOGUE" "$WORK/beijing/signals.json"
start_node tokyo
start_node beijing
wait_link_up tokyo beijing

# wait_incident NODE ID PYTHON-CONDITION-ON-d: polls `incident show` until the condition holds.
wait_incident() {
	local n=$1 id=$2 cond=$3
	for _ in $(seq 1 100); do
		if cli "$n" --json incident show "$id" > "$WORK/$n-inc.json" 2>/dev/null &&
			python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($cond) else 1)" \
				"$WORK/$n-inc.json"; then
			return 0
		fi
		sleep 0.1
	done
	fail "incident $id at $n: ($cond) does not hold: $(cat "$WORK/$n-inc.json" 2>/dev/null)"
}
state_is() { python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["state"]==sys.argv[2] else 1)' "$WORK/$1-inc.json" "$2"; }

sig=$(cli beijing send-signal --to tokyo --at 31.50000,124.75000 D) || fail "signal not sent"
for _ in $(seq 1 100); do cli tokyo signals 2>/dev/null | grep -q "^$sig " && break; sleep 0.1; done
cli tokyo signals | grep -q "^$sig " || fail "tokyo did not receive signal $sig"

inc=$(cli tokyo incident open --signal "$sig" --at 31.50000,124.75000 Near collision east of the line) ||
	fail "incident open refused"
[[ "$inc" =~ ^tokyo/[0-9]+$ ]] || fail "incident open printed \"$inc\", not an id"
msg=$(cli tokyo send --to beijing "Our frigate keeps clear to starboard") || fail "message not sent"
att=$(cli tokyo incident attach "$inc" "$msg") || fail "attach refused"
wait_incident beijing "$inc" "len(d['timeline']) == 2 and d['timeline'][1]['entry']['text'].startswith('Our frigate')"
state_is beijing open || fail "new incident not open at beijing"
python3 - "$WORK/beijing-inc.json" "$sig" <<'PY' || fail "opening step wrong at beijing: $(cat "$WORK/beijing-inc.json")"
import json, sys
d = json.load(open(sys.argv[1]))
o = d["timeline"][0]
assert d["parties"] == ["japan", "china"] and o["action"] == "open", d
assert o["subject"] == sys.argv[2] and o["entry"]["signals"] == ["D"], o
assert o["lat"] == 3150000 and o["lon"] == 12475000, o
PY

# Tokyo proposes contained: pending, state open at both ends.
prop=$(cli tokyo incident propose "$inc" contained Both ships stopped, tugs alongside) || fail "propose refused"
wait_incident beijing "$inc" "len(d['pending']) == 1"
state_is beijing open || fail "beijing moved to contained before confirming"
cli tokyo --json incident show "$inc" > "$WORK/tokyo-inc.json"
state_is tokyo open || fail "tokyo moved to contained on its own proposal"
# Refused: tokyo confirms its own proposal; beijing confirms something that is no proposal.
if cli tokyo incident confirm "$inc" "$prop" 2> "$WORK/err1.txt"; then fail "own proposal confirmed"; fi
grep -q "a proposal of its own side (japan)" "$WORK/err1.txt" || fail "unclear refusal: $(cat "$WORK/err1.txt")"
if cli beijing incident confirm "$inc" "$att" 2> "$WORK/err2.txt"; then fail "an attach confirmed"; fi
grep -q "not a proposal stored here" "$WORK/err2.txt" || fail "unclear refusal: $(cat "$WORK/err2.txt")"
cli beijing incident confirm --operator "Lt. Wang" "$inc" "$prop" > /dev/null || fail "beijing could not confirm $prop"
wait_incident tokyo "$inc" "d['state'] == 'contained'"
cli beijing --json incident show "$inc" > "$WORK/beijing-inc.json"
state_is beijing contained || fail "beijing not contained after confirming"

# Beijing proposes closed; tokyo confirms.
prop2=$(cli beijing incident propose "$inc" closed Ships parted, no damage) || fail "propose closed refused"
wait_incident tokyo "$inc" "len(d['pending']) == 1 and d['state'] == 'contained'"
cli tokyo incident confirm "$inc" "$prop2" > /dev/null || fail "tokyo could not confirm $prop2"
wait_incident beijing "$inc" "d['state'] == 'closed' and len(d['timeline']) == 6"
if cli tokyo incident note "$inc" too late 2> "$WORK/err3.txt"; then fail "note on a closed incident accepted"; fi
grep -q "is closed" "$WORK/err3.txt" || fail "unclear refusal: $(cat "$WORK/err3.txt")"

same_at_both() {
	cli tokyo --json incident show "$inc" > "$WORK/t.json"
	cli beijing --json incident show "$inc" > "$WORK/b.json"
	cmp -s "$WORK/t.json" "$WORK/b.json" || fail "$1: timelines differ: $(diff "$WORK/t.json" "$WORK/b.json")"
}
wait_incident tokyo "$inc" "d['state'] == 'closed' and len(d['timeline']) == 6"
same_at_both "after closing"
# The confirming operator is signed into beijing's entry: both timelines name them, the rest name none.
python3 - "$WORK/t.json" "$prop" <<'PY' || fail "the confirming operator is not in the timeline: $(cat "$WORK/t.json")"
import json, sys
steps = json.load(open(sys.argv[1]))["timeline"]
named = [(s["action"], s.get("subject"), s["operator"]) for s in steps if "operator" in s]
assert named == [("confirm", sys.argv[2], "Lt. Wang")], named
PY
cli tokyo incident show "$inc" | grep -q "beijing (china)  Lt. Wang  confirm" || fail "show at tokyo: $(cli tokyo incident show "$inc")"
if cli beijing incident note --operator "$(printf 'Wang\033[2J')" "$inc" x 2> "$WORK/err4.txt"; then fail "a control character in --operator accepted"; fi
grep -q "control characters" "$WORK/err4.txt" || fail "unclear refusal: $(cat "$WORK/err4.txt")"
cp "$WORK/t.json" "$WORK/before-restart.json"

stop_node tokyo
stop_node beijing
start_node tokyo
start_node beijing
wait_link_up tokyo beijing
same_at_both "after a restart"
cmp -s "$WORK/t.json" "$WORK/before-restart.json" || fail "incident changed across the restart"
cli tokyo incident list | grep -q "^$inc  closed" || fail "list at tokyo: $(cli tokyo incident list)"

# Refused by the peer: tokyo attaches its message to osaka, which beijing never got.
inc2=$(cli tokyo incident open --to china Second encounter) || fail "second open refused"
m2=$(cli tokyo send --to osaka "internal: keep watch") || fail "message to osaka not sent"
a2=$(cli tokyo incident attach "$inc2" "$m2") || fail "tokyo refused to attach its own message"
for _ in $(seq 1 100); do grep -q "peer reports.*incident attach $a2" "$WORK/tokyo.log" && break; sleep 0.1; done
grep -q "rejected: incident attach $a2: attaches $m2, which is not stored here" "$WORK/beijing.log" ||
	fail "beijing did not refuse $a2"
grep -q "peer reports (code 2).*incident attach $a2" "$WORK/tokyo.log" || fail "tokyo got no error frame for $a2"
wait_incident beijing "$inc2" "len(d['timeline']) == 1"
wait_link_up tokyo beijing 1
# Incident entries are entries of the joint record like any other.
cli tokyo record export "$WORK/tokyo.bundle" > /dev/null || fail "record export failed"
cli tokyo record verify --charter "$WORK/charter" "$WORK/tokyo.bundle" > "$WORK/verify.txt" || fail "record verify failed: $(cat "$WORK/verify.txt")"
pass "incident $inc opened from $sig, attach, contained and closed by two-sided confirmation, timelines identical at both ends and across a restart; own confirmation refused; $a2 refused by the peer, link up"
