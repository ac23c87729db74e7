#!/usr/bin/env bash
# deps.sh - installs the Debian packages Liaison needs to build, test, fuzz
# and benchmark, when any is missing. Needs root (or sudo) only then.
set -euo pipefail

PACKAGES=(gcc clang libclang-rt-14-dev pkg-config meson ninja-build
	libssl-dev libevent-dev libsqlite3-dev libjansson-dev libcbor-dev libcmocka-dev
	openssl sqlite3 python3 mosquitto libmosquitto-dev librabbitmq-dev nodejs
	libsodium-dev chromium fonts-noto-cjk
	iproute2 nftables iptables iputils-ping faketime)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
