#!/usr/bin/env bash
# 15-bad-content: validly signed entries whose content is wrong. Text that is
# not UTF-8 makes the entry malformed: the link is dropped. A well-formed
# message to a name the charter does not know, or to another node, makes no
# sense here: tokyo refuses it in an error frame, keeps the link, and moves
# its cursor past it so the peer does not send it again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

expect_drop bad-utf8 'malformed entry from beihai: .*UTF-8'

rogue_run unknown-recipient 3
seq=$(grep -oE '^tx entry prev=[0-9]+ message beihai/[0-9]+' "$ROGUE_OUT" | grep -oE '[0-9]+$')
rogue_said "^rx error 2: message beihai/$seq is addressed to atlantis, which does not include tokyo"
rogue_said "^rx seen $seq\$"
tokyo_logged "link beihai: rejected: message beihai/$seq is addressed to atlantis"
inbox_is beihai
tokyo_serves "after unknown-recipient"
pass "unknown-recipient: refused with an error frame, link kept, nothing stored"

rogue_run valid 3 --to beijing
rogue_said "^rx hello node=tokyo version=[0-9]+ seen=$seq\$"
[ "$(grep -cE '^rx error 2: message beihai/[0-9]+ is addressed to beijing, which does not include tokyo' "$ROGUE_OUT")" = 2 ] \
	|| fail "tokyo did not refuse both messages addressed to beijing"
tokyo_logged 'link beihai: rejected: message beihai/[0-9]+ is addressed to beijing'
inbox_is beihai
tokyo_serves "after misaddressed"
pass "misaddressed: messages for beijing refused on tokyo's link, which kept its cursor past the refused entry"

served_all
pass "tokyo's inbox holds beijing's messages only"
