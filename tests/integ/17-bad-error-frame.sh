#!/usr/bin/env bash
# 17-bad-error-frame: when tokyo drops a link for bad input, the peer is told
# why before the connection closes: an error frame (code 1) whose sentence is
# the reason tokyo logged (docs/design.md, "Refusals"). One attack of each
# kind: a bad signature, a bad frame length, a frame out of order, a bad hello.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad

missing=()
# told ATTACK REASON: the rogue's link was dropped and it received "error 1: ...REASON".
told() {
	rogue_run "$1" 0 --wait 10000
	tokyo_logged "link beihai: dropped: .*$2"
	if grep -Eq "^rx error 1: .*$2" "$ROGUE_OUT"; then
		pass "$1: the rogue was told why: $2"
	else
		echo "no error frame for $1 (tokyo logged the drop, the rogue got only the close)"
		missing+=("$1")
	fi
}

told altered 'entry from beihai fails its signature check'
told oversize 'frame from beihai refused'
told before-hello 'frame of kind entry before its hello'
told bad-hello 'hello claims node tokyo but the certificate says beihai'
tokyo_serves "after the drops"
[ ${#missing[@]} = 0 ] || fail "dropped without an error frame: ${missing[*]}"
