#!/usr/bin/env bash
# 23-bad-record-poison: a rival cannot make tokyo's honest record fail. The
# rogue (a china station) offers a validly signed checkpoint of its own log
# whose note also carries a bogus line under tokyo's own cosignature name and
# key ID, put first, and a line of an unknown outside witness. Tokyo cosigns
# it, but keeps only the checkpoint, the rogue's line and its own
# cosignature: its export still verifies, anchored, with the rogue's
# checkpoint among those it witnessed (issue 10, "A rival can poison our record").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad
tokyo_serves "before the poisoned checkpoint"

rogue_run poison-checkpoint 3
rogue_said "^rx cosignature"

# Tokyo's own log is witnessed by beijing as usual.
for _ in $(seq 1 100); do
	cli tokyo --json record status > "$WORK/st.json"
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); cp = r.get("checkpoint") or {}
sys.exit(0 if cp.get("size") == r["size"] and "beijing" in cp.get("cosigned_by", []) and "beihai" in r["witnessed"] else 1)' "$WORK/st.json" && break
	sleep 0.1
done
cli tokyo record export "$WORK/tokyo.bundle" >/dev/null || fail "export"
python3 - "$WORK/tokyo.bundle" <<'PY' || fail "the witnessed note kept lines the rogue added"
import json, sys
b = json.load(open(sys.argv[1]))
notes = b["witnessed"]["beihai"]
assert len(notes) == 1, notes
sigs = notes[0].split("\n\n", 1)[1].splitlines()
names = [l.split(" ")[1] for l in sigs]
assert names == ["jp-cn-maritime/beihai", "jp-cn-maritime/tokyo"], names
PY
st=0; cli tokyo record verify --charter "$WORK/charter" "$WORK/tokyo.bundle" > "$WORK/verify.txt" 2>&1 || st=$?
[ "$st" -eq 0 ] || { cat "$WORK/verify.txt"; fail "tokyo's honest record does not verify after the poisoned checkpoint (exit $st)"; }
grep -Eq "^witnessed: *([0-9]+) of \1 checkpoints of other logs verified" "$WORK/verify.txt" || { cat "$WORK/verify.txt"; fail "the witnessed checkpoint is not counted"; }
tokyo_serves "after the poisoned checkpoint"
pass "poison-checkpoint: tokyo cosigned, kept only the checkpoint, beihai's line and its own; its record verifies"
