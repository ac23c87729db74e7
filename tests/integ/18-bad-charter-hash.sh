#!/usr/bin/env bash
# 18-bad-charter-hash: a peer whose hello carries another charter hash is
# reported (a mismatch is never silent): in tokyo's log and in its links,
# while the link and its validly signed traffic go on (docs/design.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

# links_show true|false: within 6 s tokyo's links show beihai up, with that
# charter_mismatch (exit 1: up with the other value, 2: never up).
links_show() {
	python3 - "$LIAISON" "$WORK/tokyo" "$1" <<'PY'
import json, subprocess, sys, time
liaison, node_dir, want = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
end = time.monotonic() + 6
while time.monotonic() < end:
    out = subprocess.run([liaison, "-d", node_dir, "--json", "links"], capture_output=True, text=True)
    for link in json.loads(out.stdout)["links"] if out.returncode == 0 else []:
        if link["peer"] == "beihai" and link["state"] == "up":
            sys.exit(0 if link["charter_mismatch"] == want else 1)
    time.sleep(0.1)
sys.exit(2)
PY
}

rogue_start other-charter --wait 8000
links_show true || fail "tokyo's links do not show beihai's charter mismatch"
rogue_wait 3
tokyo_logged "link beihai: the peer's charter differs from ours"
rogue_said '^rx entry prev=[0-9]+ receipt tokyo/[0-9]+ of beihai/[0-9]+$'
inbox_is beihai "rogue other-charter"
tokyo_serves "after other-charter"
pass "other-charter: the mismatch is logged and shown in links; the link and its messages go on"

# A peer with the same charter is not reported.
rogue_start valid --wait 8000
links_show false || fail "tokyo's links show a charter mismatch for a peer with the same charter"
rogue_wait 3
if tail -n +"$((LOG_MARK + 1))" "$WORK/tokyo.log" | grep -q "charter differs"; then
	fail "tokyo logs a charter mismatch for a peer with the same charter"
fi
pass "same charter: no mismatch reported"
