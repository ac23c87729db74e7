#!/usr/bin/env bash
# 64-bad-peer-time: times a peer signs into its entries are checked by one
# rule (format/peertime.c). Impossible ones are refused like any entry that
# makes no sense here (error frame code 2, not stored, link kept): an ack
# dated 2 h before the message it acknowledges, a message dated 2 h ahead.
# A message 10 min ahead is merely skewed: stored, logged once, and shown as
# the link's clock_skew_ms.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad
id=$(cli tokyo send --to beihai --precedence IMMEDIATE "for beihai")
[[ "$id" =~ ^tokyo/[0-9]+$ ]] || fail "send printed \"$id\", not an id"

expect_refusal ack-before "ack beihai/[0-9]+ is dated [0-9]+ s before $id, which it answers"
expect_refusal future-message "message beihai/[0-9]+ is dated [0-9]+ s in the future"

before=$(tokyo_entries)
rogue_run skewed-message 3
rogue_said "^rx entry prev=[0-9]+ receipt tokyo/[0-9]+ of beihai/"
tokyo_logged "link beihai: the peer's clock looks off: message beihai/[0-9]+ is dated [0-9]+ s ahead"
[ "$(tokyo_entries)" -gt "$before" ] || fail "tokyo did not store the skewed message"
cli tokyo --json links | python3 -c '
import json, sys
d = json.load(sys.stdin)
links = d.get("links", d) if isinstance(d, dict) else d
skew = [l.get("clock_skew_ms") for l in links if l["peer"] == "beihai"][0]
sys.exit(0 if skew is not None and 590000 <= skew <= 610000 else f"clock_skew_ms {skew}")' \
	|| fail "tokyo's link status does not show beihai's skew"
pass "skewed-message: stored, flagged once, clock_skew_ms in link status"

tokyo_serves "after the time attacks"
tokyo_restarts_intact
pass "tokyo still serves beijing"
