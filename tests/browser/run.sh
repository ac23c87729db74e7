#!/usr/bin/env bash
# run.sh - the console's browser tests: starts real daemons like the
# integration tests (tests/integ/lib.sh: tokyo and beijing stations, kaiyo a
# Japanese unit), each serving its console on a free loopback port, adds the
# operators, and runs Playwright (npm's @playwright/test from web/, pinned by
# web/package-lock.json) against Debian's Chromium (/usr/bin/chromium; never
# a downloaded browser). Screenshots go to $SHOTS (default
# build/browser-shots). Exits non-zero when any test fails.
# Needs LIAISON, LIAISOND (set by meson), WEBROOT (the built console) and
# optionally KILL_TEST=0 to skip the killed-peer test.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
: "${WEBROOT:?WEBROOT must name the built console (build/web/web)}"
: "${SHOTS:=$(dirname "$LIAISOND")/browser-shots}"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIP: $CHROMIUM not installed (scripts/deps.sh installs chromium)"; exit 77; }
. "$ROOT/tests/integ/lib.sh"

# Playwright from web/node_modules (npm ci from the lock file when missing).
if [ ! -d "$ROOT/web/node_modules/@playwright/test" ]; then
	(cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error)
fi

setup_mechanism tokyo:japan:station beijing:china:station kaiyo:japan:unit
CATALOGUE="$ROOT/data/signals.json"
for n in tokyo beijing kaiyo; do
	cp "$CATALOGUE" "$WORK/$n/signals.json"
	p=$(free_port)
	printf 'signals signals.json\nconsole 127.0.0.1:%s\nconsole-web %s\n' "$p" "$WEBROOT" >> "$WORK/$n/liaisond.conf"
	echo "$p" > "$WORK/$n.console"
done
# kaiyo's console ends idle sessions after 3 s, for the expired-session test.
echo "console-idle 3s" >> "$WORK/kaiyo/liaisond.conf"
# Beijing counts a link test unanswered after 2 s as failed, for the failed-link-test
# banner (tokyo is stopped for it). Tests are run from the console's Links view; the
# period stays 1 h so that no test lands in the logs before the FLASH (its place: #0).
echo "linktest-timeout 2s" >> "$WORK/beijing/liaisond.conf"
for n in tokyo beijing kaiyo; do start_node "$n"; done
wait_link_up tokyo beijing
wait_link_up kaiyo tokyo

# Operators: Beijing's Lt. Wang (en) and auditor Zhao, Tokyo's Sato (ja) and Ito (en), a disabled one.
add_op() { printf '%s\n' "$4" | cli "$1" operator add "$2" --role "$3" --lang "$5" >/dev/null || fail "operator add $2 at $1"; }
add_op beijing "Lt. Wang" operator "wang-password-1" en
add_op beijing "Zhao" auditor "zhao-password-1" zh
add_op beijing "Chen" supervisor "chen-password-1" zh
add_op beijing "Old Li" operator "li-password-1" en
cli beijing operator disable "Old Li" >/dev/null || fail "operator disable"
add_op tokyo "Sato" operator "sato-password-1" ja
add_op tokyo "Ito" operator "ito-password-1" en
add_op kaiyo "Mori" operator "mori-password-1" en

mkdir -p "$SHOTS"
ln -sfn "$ROOT/web/node_modules" "$HERE/node_modules"
export WORK LIAISON LIAISOND SHOTS CHROMIUM
export TOKYO_URL="http://127.0.0.1:$(cat "$WORK/tokyo.console")"
export BEIJING_URL="http://127.0.0.1:$(cat "$WORK/beijing.console")"
export KAIYO_DIR="$WORK/kaiyo" TOKYO_DIR="$WORK/tokyo" BEIJING_DIR="$WORK/beijing"
export TOKYO_PID_FILE="$WORK/tokyo.pid" KAIYO_URL="http://127.0.0.1:$(cat "$WORK/kaiyo.console")"
rc=0
(cd "$HERE" && "$ROOT/web/node_modules/.bin/playwright" test --config "$HERE/playwright.config.js") || rc=$?
rm -f "$HERE/node_modules"
[ $rc -eq 0 ] || fail "browser tests failed (rc $rc); screenshots in $SHOTS"
pass "browser tests; screenshots in $SHOTS"
