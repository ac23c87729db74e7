#!/usr/bin/env bash
# 01-hotline-flash: a FLASH message from Tokyo to Beijing is stored, delivered
# (signed receipt), acknowledged by an operator (signed ack), and every
# signature checks on both sides.
. "$(dirname "$0")/lib.sh"

setup_mechanism tokyo:japan:station beijing:china:station
start_node tokyo
start_node beijing
wait_link_up tokyo beijing

id=$(cli tokyo send --to beijing --precedence FLASH "Collision risk near 30N 125E: hold course")
[[ "$id" =~ ^tokyo/[0-9]+$ ]] || fail "send printed \"$id\", not an id"
cli tokyo wait "$id" --state delivered --timeout 10 || fail "$id not delivered"

cli beijing --json show "$id" > "$WORK/b.json"
python3 - "$WORK/b.json" <<'PY' || fail "beijing's view of the message is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
m = d["message"]
assert m["precedence"] == "FLASH", m
assert m["text"].startswith("Collision risk"), m
assert m["direction"] == "in" and m["state"] == "received", m
assert d["signature"]["valid"] is True and d["signature"]["signer"] == "tokyo", d["signature"]
PY

ack=$(cli beijing ack "$id" --operator "Lt. Wang")
[[ "$ack" =~ ^beijing/[0-9]+$ ]] || fail "ack printed \"$ack\""
cli tokyo wait "$id" --state acknowledged --timeout 10 || fail "$id not acknowledged"

cli tokyo --json show "$id" > "$WORK/t.json"
python3 - "$WORK/t.json" <<'PY' || fail "tokyo's view of the message is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
m = d["message"]
assert m["state"] == "acknowledged", m
assert d["signature"]["valid"] is True, d
assert len(d["receipts"]) == 1 and d["receipts"][0]["signature"]["valid"] is True, d["receipts"]
assert d["receipts"][0]["hash_matches"] is True, d["receipts"]
assert len(d["acks"]) == 1 and d["acks"][0]["operator"] == "Lt. Wang", d["acks"]
assert d["acks"][0]["signature"]["valid"] is True, d["acks"]
PY

# A second ack of the same message is refused.
if cli beijing ack "$id" --operator "Lt. Wang" 2>/dev/null; then fail "second ack accepted"; fi
pass "FLASH $id delivered and acknowledged ($ack), all signatures valid"
