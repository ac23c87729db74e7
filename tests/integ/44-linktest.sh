#!/usr/bin/env bash
# 44-linktest: with "linktest 1s" each link sends a signed link test every
# second and the peer answers with a signed answer; both are entries in both
# logs. /v1/links shows the last success, the round trip and the failures,
# and the recent tests from the store (linktest.history, also in liaison links);
# stopping the peer makes an unanswered test count as a failure.
. "$(dirname "$0")/lib.sh"

setup_mechanism tokyo:japan:station beijing:china:station
for n in tokyo beijing; do echo "linktest 1s" >> "$WORK/$n/liaisond.conf"; done
start_node tokyo
start_node beijing
wait_link_up tokyo beijing

# links_field NODE PEER EXPR: a Python expression over the link's "linktest" object t.
links_field() {
	cli "$1" --json links | python3 -c '
import json, sys
for l in json.load(sys.stdin)["links"]:
    if l["peer"] == sys.argv[1]:
        t = l["linktest"]
        print(eval(sys.argv[2]))' "$2" "$3"
}

for _ in $(seq 1 100); do
	[ "$(links_field tokyo beijing 't["answered"] >= 3')" = True ] && break
	sleep 0.1
done
[ "$(links_field tokyo beijing 't["answered"] >= 3')" = True ] || fail "tokyo: fewer than 3 link tests answered in 10 s"
[ "$(links_field beijing tokyo 't["answered"] >= 1')" = True ] || fail "beijing: no link test answered"
[ "$(links_field tokyo beijing 't["rtt_ms"] >= 0 and t["last_success"] is not None and t["failures"] == 0')" = True ] ||
	fail "tokyo: no round trip or last success shown, or failures: $(links_field tokyo beijing t)"
echo "tokyo -> beijing link tests: $(links_field tokyo beijing t)"
cli tokyo links | grep -q "link tests" || fail "liaison links does not show the link tests"
# The history from the store: the recent tests, newest first, answered with a round trip.
[ "$(links_field tokyo beijing 'len(t["history"]) >= 3 and all(h["id"].startswith("tokyo/") for h in t["history"]) and sum(h["result"] == "answered" and h["rtt_ms"] >= 0 for h in t["history"]) >= 3')" = True ] ||
	fail "tokyo: no history of answered link tests: $(links_field tokyo beijing 't["history"]')"
cli tokyo links | grep -Eq "link test tokyo/[0-9]+ .*: answered, rtt [0-9]+ ms" || fail "liaison links does not show the history: $(cli tokyo links)"

# Both entries are in the logs: tests by tokyo and beijing's answers, at both ends.
python3 - "$WORK" <<'PY' || fail "link tests are not in the logs"
import sqlite3, sys
for node in ("tokyo", "beijing"):
    db = sqlite3.connect(f"file:{sys.argv[1]}/{node}/liaison.db?mode=ro", uri=True)
    tests = db.execute("SELECT COUNT(*) FROM entries WHERE type = 7 AND origin = 'tokyo'").fetchone()[0]
    answers = db.execute("SELECT COUNT(*) FROM entries WHERE type = 8 AND origin = 'beijing'"
                         " AND ref_origin = 'tokyo'").fetchone()[0]
    assert tests >= 3 and answers >= 3, (node, tests, answers)
    print(f"{node}: {tests} link tests by tokyo, {answers} answers by beijing in the store")
PY

stop_node beijing
for _ in $(seq 1 200); do
	[ "$(links_field tokyo beijing 't["failures"] >= 1')" = True ] && break
	sleep 0.1
done
[ "$(links_field tokyo beijing 't["failures"] >= 1')" = True ] || fail "no link test failure counted with beijing stopped"
grep -q "link test tokyo/[0-9]* unanswered" "$WORK/tokyo.log" || fail "the failure is not logged"
for _ in $(seq 1 30); do  # the history judges by the wall clock, the figures by the monotonic one
	[ "$(links_field tokyo beijing '"failed" in [h["result"] for h in t["history"]]')" = True ] && break
	sleep 0.1
done
[ "$(links_field tokyo beijing '"failed" in [h["result"] for h in t["history"]]')" = True ] ||
	fail "the failed test is not in the history: $(links_field tokyo beijing 't["history"]')"
echo "with beijing stopped: $(links_field tokyo beijing t)"
pass "link tests every second answered and signed in both logs, rtt and last success shown, a failure counted with the peer stopped"
