#!/usr/bin/env bash
# 18-bad-charter-hash: a peer whose hello carries another charter hash is
# reported (a mismatch is never silent): in tokyo's log and in its links,
# while the link and its validly signed traffic go on (docs/design.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

# mismatch_shown: tokyo's links show beihai up with a charter mismatch (within 2.5 s).
mismatch_shown() {
	local i
	for i in $(seq 1 25); do
		cli tokyo --json links | python3 -c '
import json, sys
links = json.load(sys.stdin)["links"]
sys.exit(0 if any(l["peer"] == "beihai" and l["state"] == "up" and l["charter_mismatch"]
                  for l in links) else 1)' && return 0
		sleep 0.1
	done
	return 1
}

rogue_start other-charter
mismatch_shown || fail "tokyo's links do not show beihai's charter mismatch"
rogue_wait 3
tokyo_logged "link beihai: the peer's charter differs from ours"
rogue_said '^rx entry prev=[0-9]+ receipt tokyo/[0-9]+ of beihai/[0-9]+$'
inbox_is beihai "rogue other-charter"
tokyo_serves "after other-charter"
pass "other-charter: the mismatch is logged and shown in links; the link and its messages go on"

# A peer with the same charter is not reported.
rogue_start valid
if mismatch_shown; then fail "tokyo shows a charter mismatch for a peer with the same charter"; fi
rogue_wait 3
if tail -n +"$((LOG_MARK + 1))" "$WORK/tokyo.log" | grep -q "charter differs"; then
	fail "tokyo logs a charter mismatch for a peer with the same charter"
fi
pass "same charter: no mismatch reported"
