#!/usr/bin/env bash
# 20-bad-receipt: receipts are checked against what was sent. tokyo sends a
# message to beihai; the rogue, as beihai, receipts it first with a wrong
# hash (refused in an error frame, the message stays queued), then correctly
# twice (the first one delivers it, the second is refused). The link stays up
# throughout and nothing refused is stored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

# state_is ID STATE: tokyo shows its message ID in STATE.
state_is() {
	cli tokyo --json show "$1" | python3 -c '
import json, sys
state = json.load(sys.stdin)["message"]["state"]
sys.exit(0 if state == sys.argv[1] else f"state {state}, expected {sys.argv[1]}")' "$2" \
		|| fail "$1 is not $2 at tokyo"
}

id=$(cli tokyo send --to beihai --precedence IMMEDIATE "for beihai")
[[ "$id" =~ ^tokyo/[0-9]+$ ]] || fail "send printed \"$id\", not an id"

expect_refusal receipt-bad-hash "receipt beihai/[0-9]+ names a hash of $id that does not match ours"
rogue_said "^rx entry prev=[0-9]+ message $id to beihai\$"
state_is "$id" queued

before=$(tokyo_entries)
rogue_run receipt-twice 3
rogue_said "^rx entry prev=[0-9]+ message $id to beihai\$"
[ "$(grep -c '^tx entry prev=[0-9]* receipt beihai/[0-9]* of '"$id"'$' "$ROGUE_OUT")" = 2 ] \
	|| fail "the rogue did not send two receipts of $id"
rogue_said "^rx error 2: .*already receipted by beihai"
tokyo_logged "link beihai: rejected: .*already receipted by beihai"
cli tokyo wait "$id" --state delivered --timeout 10 || fail "$id not delivered by beihai's first receipt"
after=$(tokyo_entries)
[ "$after" = "$((before + 1))" ] || fail "tokyo went from $before to $after entries, expected one receipt more"
pass "receipt-twice: the first receipt delivers $id, the second is refused and not stored"

tokyo_restarts_intact
state_is "$id" delivered
served_all
pass "tokyo's store holds $id delivered once and beijing's messages"
