#!/usr/bin/env bash
# 14-bad-replay: the rogue first proves it can talk (two valid messages are
# stored and receipted), then sends one message frame three times: twice in a
# row and again after tokyo confirmed it. The copies are logged and ignored,
# the link stays up, and the message is stored and receipted once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

rogue_run valid 3
rogue_said '^rx entry prev=[0-9]+ receipt tokyo/[0-9]+ of beihai/[0-9]+$'
[ "$(grep -cE '^rx entry .* receipt tokyo/[0-9]+ of beihai/' "$ROGUE_OUT")" = 2 ] \
	|| fail "the rogue did not get two receipts"
inbox_is beihai "rogue valid 1 of 2" "rogue valid 2 of 2"
pass "valid: two signed messages from the rogue stored and receipted, link kept"

rogue_run replay 3
seq=$(grep -oE '^tx entry prev=[0-9]+ message beihai/[0-9]+' "$ROGUE_OUT" | head -1 | grep -oE '[0-9]+$')
[ -n "$seq" ] || fail "the rogue did not say which entry it replayed"
[ "$(grep -c "^tx entry prev=[0-9]* message beihai/$seq " "$ROGUE_OUT")" = 3 ] \
	|| fail "the rogue did not send beihai/$seq three times"
rogue_said "^rx seen $seq\$"
tokyo_logged "link beihai: replayed entry beihai/$seq ignored"
[ "$(tail -n +"$((LOG_MARK + 1))" "$WORK/tokyo.log" | grep -c "replayed entry beihai/$seq ignored")" = 2 ] \
	|| fail "tokyo did not log both replays of beihai/$seq"
[ "$(grep -cE "^rx entry .* receipt tokyo/[0-9]+ of beihai/$seq\$" "$ROGUE_OUT")" = 1 ] \
	|| fail "beihai/$seq was not receipted exactly once"
inbox_is beihai "rogue valid 1 of 2" "rogue valid 2 of 2" "rogue replay"
tokyo_serves "after replay"
pass "replay: beihai/$seq stored and receipted once, both copies ignored, link kept"

tokyo_restarts_intact
served_all
pass "tokyo's inbox holds beijing's messages once each"
