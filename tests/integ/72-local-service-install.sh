#!/usr/bin/env bash
# 72-local-service-install: `meson install` puts the two programs, the man pages,
# liaisond@.service and the sysusers.d file for its user where a distribution
# expects them; the unit runs the installed liaisond on /var/lib/liaison/%i as
# the user liaison, its node directory the only writable path; and, when
# systemd-analyze is here, the unit's exposure is at most EXPOSURE_MAX (2.0:
# the score is 1.1 today: the network is the exposure it must keep).
set -euo pipefail
: "${BUILD_ROOT:?BUILD_ROOT must name the build directory}"
DEST=$(mktemp -d "${TMPDIR:-/tmp}/lia-install.XXXXXX")
trap 'rm -rf "$DEST"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }

meson install -C "$BUILD_ROOT" --no-rebuild --quiet --destdir "$DEST" > "$DEST.log" 2>&1 ||
	{ cat "$DEST.log"; rm -f "$DEST.log"; fail "meson install"; }
rm -f "$DEST.log"
prefix=$(meson introspect "$BUILD_ROOT" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
root=$DEST$prefix
for f in bin/liaison bin/liaisond share/man/man1/liaison.1 share/man/man8/liaisond.8 \
	share/man/man5/liaison-charter.5 lib/systemd/system/liaisond@.service lib/sysusers.d/liaison.conf; do
	[ -e "$root/$f" ] || fail "$prefix/$f was not installed"
done
[ -x "$root/bin/liaisond" ] || fail "liaisond is not executable"
pass "programs, man pages, liaisond@.service and sysusers.d/liaison.conf installed under $prefix"

unit=$root/lib/systemd/system/liaisond@.service
want() { grep -qx -- "$1" "$unit" || fail "the unit has no line \"$1\""; }
want "ExecStart=$prefix/bin/liaisond -d /var/lib/liaison/%i"
want "User=liaison"
want "StateDirectory=liaison/%i"
want "StateDirectoryMode=0700"
want "ReadWritePaths=/var/lib/liaison/%i"
want "UMask=0077"
want "ProtectSystem=strict"
want "NoNewPrivileges=yes"
want "CapabilityBoundingSet="
want "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"
want "SystemCallFilter=@system-service"
want "SystemCallFilter=~@privileged @resources"
grep -qx "u liaison - .*" "$root/lib/sysusers.d/liaison.conf" || fail "sysusers.d/liaison.conf makes no user liaison"
pass "the unit runs $prefix/bin/liaisond as liaison on /var/lib/liaison/%i, sandboxed"

if command -v systemd-analyze >/dev/null; then
	# Its verdict is the last line: "→ Overall exposure level for liaisond@….service: 1.0 OK".
	score=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	[ -n "$score" ] || fail "systemd-analyze security gave no exposure level"
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' \
		"$score" "${EXPOSURE_MAX:-2.0}" || fail "exposure $score is above ${EXPOSURE_MAX:-2.0}"
	pass "systemd-analyze security: exposure $score (at most ${EXPOSURE_MAX:-2.0})"
else
	echo "systemd-analyze is not installed: the exposure check is skipped"
fi
