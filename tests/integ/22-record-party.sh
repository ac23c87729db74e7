#!/usr/bin/env bash
# 22-record-party: the normal deployment, two stations of one party (tokyo and
# osaka of japan) and one of the other (beijing of china), all linked. Witnesses
# are other parties' nodes only: tokyo and osaka never cosign each other's
# checkpoints, beijing cosigns both, and each cosigns beijing's. An export of
# each of the three logs verifies, anchored by the charter, with every entry
# witnessed and no same-party cosignature in it (issue 10, "A party with a
# second node breaks verification").
. "$(dirname "$0")/lib.sh"

setup_mechanism tokyo:japan:station osaka:japan:station beijing:china:station
start_node tokyo; start_node osaka; start_node beijing
wait_link_up tokyo beijing; wait_link_up osaka beijing; wait_link_up tokyo osaka

ids=()
ids+=("$(cli tokyo send --to beijing "from tokyo to beijing")")
ids+=("$(cli osaka send --to beijing "from osaka to beijing")")
ids+=("$(cli tokyo send --to osaka "internal: tokyo to osaka")")
ids+=("$(cli beijing send --to tokyo "from beijing to tokyo")")
ids+=("$(cli beijing send --to osaka "from beijing to osaka")")
cli tokyo wait "${ids[0]}" --state delivered --timeout 20 >/dev/null || fail "${ids[0]} not delivered"
cli osaka wait "${ids[1]}" --state delivered --timeout 20 >/dev/null || fail "${ids[1]} not delivered"
cli tokyo wait "${ids[2]}" --state delivered --timeout 20 >/dev/null || fail "${ids[2]} not delivered"
cli beijing wait "${ids[3]}" --state delivered --timeout 20 >/dev/null || fail "${ids[3]} not delivered"
cli beijing wait "${ids[4]}" --state delivered --timeout 20 >/dev/null || fail "${ids[4]} not delivered"

# wait_witnessed NODE WITNESSES: NODE's latest checkpoint covers its whole log
# and is cosigned by exactly WITNESSES (comma-separated, sorted).
wait_witnessed() {
	for _ in $(seq 1 150); do
		cli "$1" --json record status > "$WORK/$1-status.json"
		python3 - "$WORK/$1-status.json" "$2" <<'PY' && return 0
import json, sys
r = json.load(open(sys.argv[1])); cp = r.get("checkpoint") or {}
sys.exit(0 if cp.get("size") == r["size"] and ",".join(sorted(cp.get("cosigned_by", []))) == sys.argv[2] else 1)
PY
		sleep 0.1
	done
	cat "$WORK/$1-status.json"; fail "$1: latest checkpoint not cosigned by exactly $2"
}
wait_witnessed tokyo beijing
wait_witnessed osaka beijing
wait_witnessed beijing osaka,tokyo

for n in tokyo osaka beijing; do
	cli "$n" record export "$WORK/$n.bundle" >/dev/null || fail "$n export"
	st=0; cli "$n" record verify --charter "$WORK/charter" "$WORK/$n.bundle" > "$WORK/$n.verify" 2>&1 || st=$?
	[ "$st" -eq 0 ] || { cat "$WORK/$n.verify"; fail "$n's export does not verify (exit $st)"; }
	grep -q "^verdict: *OK: nothing altered, dropped, reordered or forked in the [0-9]* entries, all under" "$WORK/$n.verify" \
		|| { cat "$WORK/$n.verify"; fail "$n: the verdict does not say every entry is witnessed"; }
	grep -q "carried, not counted" "$WORK/$n.verify" && { cat "$WORK/$n.verify"; fail "$n's export carries a same-party cosignature"; }
	# Without the anchor: every check holds, but it says so and exits 3.
	st=0; cli "$n" record verify "$WORK/$n.bundle" > "$WORK/$n.verify-bare" 2>&1 || st=$?
	[ "$st" -eq 3 ] || { cat "$WORK/$n.verify-bare"; fail "$n: verify without an anchor exited $st, not 3"; }
	grep -q "^verdict: *SELF-CONSISTENT ONLY, NOT ANCHORED" "$WORK/$n.verify-bare" || fail "$n: no unanchored verdict"
	grep "^verdict" "$WORK/$n.verify"
done
grep -q ALARM "$WORK/tokyo.log" "$WORK/osaka.log" "$WORK/beijing.log" && fail "an alarm on honest logs"
pass "two stations of japan and one of china: each log witnessed by the other party only, and each export verifies"
