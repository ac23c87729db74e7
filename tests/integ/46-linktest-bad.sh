#!/usr/bin/env bash
# 46-linktest-bad: link tests from a hostile peer. The rogue (as beihai) sends
# a valid signed link test: tokyo stores it and answers with a signed answer
# naming it. A link test addressed to another node, and an answer naming an
# entry of tokyo's that is no link test it sent to beihai, are refused in an
# error frame, not stored, and the link stays up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

before=$(tokyo_entries)
rogue_run linktest 3
rogue_said "^rx entry prev=[0-9]+ link test answer tokyo/[0-9]+ of beihai/[0-9]+\$"
after=$(tokyo_entries)
[ "$after" = "$((before + 2))" ] || fail "tokyo went from $before to $after entries, expected the test and its answer"
pass "linktest: stored and answered with a signed answer naming it"

expect_refusal linktest "link test beihai/[0-9]+ is for beijing, not tokyo" --to beijing
expect_refusal linktest-forged-answer \
	"link test answer beihai/[0-9]+ names tokyo/1, which is not a link test we sent to beihai"
tokyo_restarts_intact
