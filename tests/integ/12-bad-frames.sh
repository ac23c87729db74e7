#!/usr/bin/env bash
# 12-bad-frames: frames that are not what the wire allows are refused before
# anything is stored, and the link dropped: a length over the limit, random
# bytes, CBOR cut in half, and an entry whose COSE bytes are not a COSE_Sign1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

expect_drop oversize 'frame from beihai refused'
expect_drop malformed 'malformed frame from beihai'
expect_drop truncated 'malformed frame from beihai'
expect_drop bad-cose 'malformed entry from beihai'

inbox_is beihai
tokyo_restarts_intact
served_all
pass "tokyo's inbox holds beijing's messages only"
