#!/usr/bin/env bash
# 13-bad-order: frames out of the protocol's order drop the link: an entry
# before the hello, a hello that names another node than the certificate, a
# second hello, an entry whose prev shows entries missing, and a "seen" for
# entries tokyo never sent. And a peer that falls silent (answers no ping for
# three heartbeats) is dropped as dead.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

expect_drop before-hello 'beihai sent a frame of kind entry before its hello'
expect_drop bad-hello 'hello claims node tokyo but the certificate says beihai'
expect_drop second-hello 'beihai sent a second hello'
expect_drop gap 'entries missing from beihai'
expect_drop bad-seen 'beihai confirms tokyo/[0-9]+ but only up to [0-9]+ was sent'
expect_drop silent 'no frame from beihai for [0-9]+ ms'

inbox_is beihai
tokyo_restarts_intact
served_all
pass "tokyo's inbox holds beijing's messages only"
