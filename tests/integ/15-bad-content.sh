#!/usr/bin/env bash
# 15-bad-content: validly signed entries whose content is wrong. Text that is
# not UTF-8 makes the entry malformed: the link is dropped. A well-formed
# entry that makes no sense here (a message to a name the charter does not
# know or to another node, a receipt or an ack for a message tokyo never sent
# to beihai) is refused in an error frame; the link stays, and tokyo's cursor
# moves past the entry so the peer does not send it again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

expect_drop bad-utf8 'malformed entry from beihai: .*UTF-8'

expect_refusal unknown-recipient 'message beihai/[0-9]+ is addressed to atlantis, which does not include tokyo'
seq=$(grep -oE '^tx entry prev=[0-9]+ message beihai/[0-9]+' "$ROGUE_OUT" | grep -oE '[0-9]+$')
rogue_said "^rx seen $seq\$"

expect_refusal valid 'message beihai/[0-9]+ is addressed to beijing, which does not include tokyo' --to beijing
rogue_said "^rx hello node=tokyo version=[0-9]+ seen=$seq\$"
[ "$(grep -cE '^rx error 2: ' "$ROGUE_OUT")" = 2 ] || fail "tokyo did not refuse both messages to beijing"
pass "misaddressed: the cursor had moved past the refused beihai/$seq"

expect_refusal bogus-receipt 'receipt beihai/[0-9]+ refers to tokyo/1, which was not sent to beihai'
expect_refusal bogus-ack 'ack beihai/[0-9]+ refers to tokyo/1, which was not sent to beihai'

inbox_is beihai
tokyo_restarts_intact
served_all
pass "tokyo's inbox holds beijing's messages only"
