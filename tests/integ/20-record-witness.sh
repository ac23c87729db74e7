#!/usr/bin/env bash
# 20-record-witness: every entry sent or received is in the node's Merkle log;
# each side cosigns the other's checkpoints; for a message the CLI shows it in
# the sender's log and the receiver's, under checkpoints the other side
# cosigned; an export of each log verifies offline.
. "$(dirname "$0")/lib.sh"

setup_mechanism tokyo:japan:station beijing:china:station
start_node tokyo
start_node beijing
wait_link_up tokyo beijing

ids=()
for i in $(seq 1 20); do ids+=("$(cli tokyo send --to beijing --precedence IMMEDIATE "record test $i")"); done
for i in $(seq 1 5); do cli beijing send --to tokyo --precedence ROUTINE "reply $i" >/dev/null; done
for id in "${ids[@]}"; do cli tokyo wait "$id" --state delivered --timeout 20 >/dev/null || fail "$id not delivered"; done
cli beijing ack "${ids[0]}" --operator "Lt. Wang" >/dev/null
cli tokyo wait "${ids[0]}" --state acknowledged --timeout 10 >/dev/null || fail "ack did not arrive"

# 20 messages + 20 receipts + 5 replies + 5 receipts + 1 ack = 51 entries in each log.
for n in tokyo beijing; do
	for _ in $(seq 1 100); do
		cli "$n" --json record status > "$WORK/$n-record.json"
		python3 - "$WORK/$n-record.json" "$n" <<'PY' && break
import json, sys
r = json.load(open(sys.argv[1]))
other = {"tokyo": "beijing", "beijing": "tokyo"}[sys.argv[2]]
cp = r.get("checkpoint") or {}
ok = r["size"] == 51 and cp.get("size") == 51 and other in cp.get("cosigned_by", []) \
    and r["witnessed"].get(other, {}).get("size") == 51
sys.exit(0 if ok else 1)
PY
		sleep 0.1
	done
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sys.argv[2], "log size", r["size"], "checkpoint", (r.get("checkpoint") or {}).get("size"), "cosigned by", (r.get("checkpoint") or {}).get("cosigned_by"))' "$WORK/$n-record.json" "$n"
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if (r.get("checkpoint") or {}).get("size")==51 else 1)' "$WORK/$n-record.json" \
		|| fail "$n: the log of 51 entries is not under a checkpoint cosigned by the other side"
done

# The message in both logs, each under a checkpoint cosigned by the other side.
for n in tokyo beijing; do
	cli "$n" record proof "${ids[3]}" || fail "$n cannot show ${ids[3]} in both logs"
	cli "$n" --json record proof "${ids[3]}" > "$WORK/proof-$n.json"
	python3 - "$WORK/proof-$n.json" <<'PY' || fail "proof of ${ids[3]} as seen by $n"
import json, sys
d = json.load(open(sys.argv[1]))
logs = {l["node"]: l for l in d["logs"]}
assert set(logs) == {"tokyo", "beijing"}, logs.keys()
assert logs["tokyo"]["verified"] and "beijing" in logs["tokyo"]["cosigned_by"], logs["tokyo"]
assert logs["beijing"]["verified"] and "tokyo" in logs["beijing"]["cosigned_by"], logs["beijing"]
PY
done

# Offline verification of both exports.
for n in tokyo beijing; do
	cli "$n" record export "$WORK/$n.bundle" >/dev/null || fail "$n export"
	cli "$n" record verify --charter "$WORK/charter" "$WORK/$n.bundle" > "$WORK/$n.verify" || { cat "$WORK/$n.verify"; fail "$n's export does not verify"; }
	grep -q "^verdict: *OK" "$WORK/$n.verify" || fail "$n verify printed no OK verdict"
done
grep -q ALARM "$WORK/tokyo.log" "$WORK/beijing.log" && fail "a witness raised an alarm on an honest log"
pass "51 entries in each log, checkpoints cosigned both ways, proofs in both logs, exports verify"
