#!/usr/bin/env bash
# 50-fault FAULT: one fixed schedule of one fault (partition, loss, delay, slow,
# kill, disk, clock) with the two stations in network namespaces, bursts both
# ways during the fault; then exactly-once, per-sender order, valid receipts,
# consistent witnessed logs, exports that verify. Skips (77) unless root.
# Registered once per fault in meson.build; see docs/faults.md.
set -euo pipefail
: "${LIAISON:?LIAISON must name the liaison binary}"
: "${LIAISOND:?LIAISOND must name the liaisond binary}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the fault suite needs root"; exit 77; }
exec python3 "$(dirname "$0")/../fault/run.py" --fault "${1:?which fault}"
