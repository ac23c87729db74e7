#!/usr/bin/env bash
# 19-bad-log-injection: a peer cannot write into tokyo's log. Its error frame
# carries a newline followed by a forged log line, and terminal escapes.
# Whatever tokyo does with the frame (log it escaped, or refuse it and drop
# the link), no line of its log may come from the peer and no escape byte may
# reach the file an operator reads on a terminal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

rogue_start log-injection
rogue_wait '0|3'
tokyo_logged 'link beihai: (peer reports|dropped)'
if grep -a -n '^2000-01-01T00:00:00.000Z' "$WORK/tokyo.log"; then
	fail "a line of tokyo's log was written by the peer"
fi
if grep -a -n -P '\x1b' "$WORK/tokyo.log"; then
	fail "a terminal escape from the peer reached tokyo's log"
fi
tokyo_serves "after log-injection"
pass "log-injection: the peer's sentence stayed on tokyo's line, without escapes"
