#!/usr/bin/env bash
# 30-signal: a coded signal from Tokyo to Beijing (same COSE/CBOR entry format
# as messages, over the hotline link) is checked against the catalogue,
# stored at Beijing and shown there in Japanese and Chinese with its code; an
# unknown code and an out-of-range value are refused by the sender's CLI
# before anything is signed; a received signal whose code the receiver's
# catalogue lacks is refused with an error frame and the link stays up.
. "$(dirname "$0")/lib.sh"

CATALOGUE="$(cd "$(dirname "$0")/../.." && pwd)/data/signals.json"
setup_mechanism tokyo:japan:station beijing:china:station
cp "$CATALOGUE" "$WORK/tokyo/signals.json"
# Beijing's catalogue lacks L-RQ1 (as an older catalogue would).
python3 - "$CATALOGUE" "$WORK/beijing/signals.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
entries = d["signals"] if isinstance(d, dict) else d
kept = [e for e in entries if e["code"] != "L-RQ1"]
assert len(kept) == len(entries) - 1, "L-RQ1 not in the catalogue"
if isinstance(d, dict):
    d["signals"] = kept
else:
    d = kept
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
start_node tokyo
start_node beijing
wait_link_up tokyo beijing

id=$(cli tokyo send-signal --to beijing --at 31.50000,124.75000 L-MV4:045,12.5 D) ||
	fail "send-signal refused a good signal"
[[ "$id" =~ ^tokyo/[0-9]+$ ]] || fail "send-signal printed \"$id\", not an id"

for _ in $(seq 1 100); do
	cli beijing signals --lang ja > "$WORK/ja.txt" 2>&1 || true
	grep -q "$id" "$WORK/ja.txt" && break
	sleep 0.1
done
grep -q "$id" "$WORK/ja.txt" || fail "signal $id not shown at beijing: $(cat "$WORK/ja.txt")"
grep -q "at 31.50000,124.75000" "$WORK/ja.txt" || fail "position not shown: $(cat "$WORK/ja.txt")"
grep -q "L-MV4 — 本船は針路045°（真）、速力12.5ノットを保持する。" "$WORK/ja.txt" ||
	fail "Japanese rendering with the code missing: $(cat "$WORK/ja.txt")"
cli beijing signals --lang zh > "$WORK/zh.txt" || fail "signals --lang zh failed"
grep -q "L-MV4 — 我船保持航向045°（真）、航速12.5节。" "$WORK/zh.txt" ||
	fail "Chinese rendering with the code missing: $(cat "$WORK/zh.txt")"
grep -q "^    D — " "$WORK/zh.txt" || fail "second signal D not shown: $(cat "$WORK/zh.txt")"
cli tokyo --json signals --lang en > "$WORK/t.json" || fail "tokyo signals failed"
python3 - "$WORK/t.json" "$id" <<'PY' || fail "tokyo's view of its sent signal is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
s = [e for e in d["signals"] if e["id"] == sys.argv[2]]
assert len(s) == 1 and s[0]["box"] == "out" and s[0]["to"] == "beijing", d
assert s[0]["lat"] == 3150000 and s[0]["lon"] == 12475000, s
assert s[0]["signals"][0].startswith("L-MV4 — I am holding course 045"), s
PY

# Refused by the sender before signing: unknown code, value out of range, bad position.
if cli tokyo send-signal --to beijing --at 31.5,124.75 QQQ 2> "$WORK/err1.txt"; then
	fail "unknown code QQQ accepted"
fi
grep -q 'unknown signal code "QQQ"' "$WORK/err1.txt" || fail "unclear refusal: $(cat "$WORK/err1.txt")"
if cli tokyo send-signal --to beijing --at 31.5,124.75 L-MV4:360,12.5 2> "$WORK/err2.txt"; then
	fail "course 360 accepted"
fi
grep -q "L-MV4.*course.*360" "$WORK/err2.txt" || fail "unclear refusal: $(cat "$WORK/err2.txt")"
if cli tokyo send-signal --to beijing --at 95,124.75 D 2> "$WORK/err3.txt"; then
	fail "latitude 95 accepted"
fi

# Refused on receipt: beijing's catalogue lacks L-RQ1, which travels as its
# catalogue number (docs/wire.md, narrow form); the link stays up.
rqn=$(python3 -c 'import json,sys; print([e["number"] for e in json.load(open(sys.argv[1]))["signals"] if e["code"] == "L-RQ1"][0])' "$CATALOGUE")
rq=$(cli tokyo send-signal --to beijing --at 31.5,124.75 L-RQ1) || fail "L-RQ1 not sent"
for _ in $(seq 1 100); do
	grep -q "unknown signal number $rqn" "$WORK/tokyo.log" && break
	sleep 0.1
done
grep -q "rejected: signal $rq refused: unknown signal number $rqn" "$WORK/beijing.log" ||
	fail "beijing did not log the refusal of $rq"
grep -q "peer reports.*unknown signal number $rqn" "$WORK/tokyo.log" ||
	fail "tokyo did not get the error frame for $rq"
cli beijing signals | grep -q "$rq" && fail "refused signal $rq was stored"
cli tokyo --json links | python3 -c 'import json,sys; l=json.load(sys.stdin); l=l["links"] if isinstance(l,dict) else l; assert l[0]["state"]=="up", l' ||
	fail "link dropped after a refused signal"
pass "signal $id shown at beijing in ja and zh with codes; QQQ and course 360 refused by the CLI; $rq refused on receipt, link up"
