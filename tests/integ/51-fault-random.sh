#!/usr/bin/env bash
# 51-fault-random: FAULT_SCHEDULES (default 2) random fault schedules of STEPS
# (default 2) faults each, drawn from FAULT_SEED (default: the time, printed).
# A failure prints "FAILED seed=S schedule=N" and the command that reruns it.
# Skips (77) unless root. See docs/faults.md.
set -euo pipefail
: "${LIAISON:?LIAISON must name the liaison binary}"
: "${LIAISOND:?LIAISOND must name the liaisond binary}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the fault suite needs root"; exit 77; }
seed=${FAULT_SEED:-$(date +%s)}
echo "fault seed: $seed"
exec python3 "$(dirname "$0")/../fault/run.py" --seed "$seed" \
	--schedules "${FAULT_SCHEDULES:-2}" --steps "${STEPS:-2}"
