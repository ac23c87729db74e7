#!/usr/bin/env bash
# 41-deadline-bad: validly signed overdue notices that make no sense at tokyo
# are refused in an error frame, the link kept and nothing stored: a notice
# blaming tokyo for a message it never received, a notice about beijing's
# lateness (tokyo is not its escalation target), a notice blaming a node the
# charter does not know. tokyo lists nothing overdue afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

expect_refusal overdue-never-sent 'overdue notice beihai/[0-9]+ is about beihai/1, which tokyo did not receive as named'
expect_refusal overdue-elsewhere 'overdue notice beihai/[0-9]+ is about beijing, and tokyo is neither it nor its escalation target'
expect_refusal overdue-unknown-node 'overdue notice beihai/[0-9]+ names late node atlantis, not in the charter'

[ "$(cli tokyo --json overdue | tr -d ' \n')" = '{"overdue":[]}' ] || fail "tokyo lists something overdue: $(cli tokyo overdue)"
tokyo_restarts_intact
served_all
pass "tokyo refused every bogus notice and lists nothing overdue"
