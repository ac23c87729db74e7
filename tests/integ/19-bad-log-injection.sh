#!/usr/bin/env bash
# 19-bad-log-injection: a peer cannot write into tokyo's log. Its error frame
# carries a newline followed by a forged log line, terminal escapes, and the
# bidi override U+202E and isolate U+2066 (issue 10). Whatever tokyo does with
# the frame (log it escaped, or refuse it and drop the link), no line of its
# log may come from the peer and no escape byte or bidi control may reach the
# file an operator reads on a terminal.
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
# U+202A..U+202E (E2 80 AA..AE) and U+2066..U+2069 (E2 81 A6..A9), as UTF-8.
if LC_ALL=C grep -a -n -P '\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$WORK/tokyo.log"; then
	fail "a bidi override or isolate from the peer reached tokyo's log"
fi
tokyo_serves "after log-injection"
pass "log-injection: the peer's sentence stayed on tokyo's line, without escapes"
