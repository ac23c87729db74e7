#!/usr/bin/env bash
# 11-bad-signature: entries whose signature does not hold are refused and the
# link dropped: a message altered by one byte after signing, a message of the
# link's peer signed with another node's key, and another node's own signed
# message sent on the wrong link. Nothing of them reaches tokyo's store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

expect_drop altered 'entry from beihai fails its signature check'
expect_drop forged 'entry from beihai fails its signature check' --sign-as "$WORK/beijing"
expect_drop wrong-signer 'entry beijing/[0-9]+ is signed as beijing but arrived on the link with beihai' \
	--sign-as "$WORK/beijing"

inbox_is beihai
tokyo_restarts_intact
served_all
pass "tokyo's inbox holds beijing's real messages only"
