#!/usr/bin/env bash
# bench/failover.sh [CUTS] - failover time of a redundant link. Tokyo and
# Beijing run in two network namespaces joined by two veth pairs (as in
# tests/integ/45-failover.sh); during one long burst of FLASH messages the
# active path is cut CUTS times (default 5; the other path restored first),
# and for each cut the time from the cut to the first message stored at
# Beijing over the other path is taken. Prints each, the median and the max.
# Needs root. HEARTBEAT (default 0.2 s; a dead path is noticed after 3),
# LIAISON and LIAISOND (default build/liaison, build/liaisond), KEEP_WORK=1.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export LIAISON=${LIAISON:-$here/build/liaison} LIAISOND=${LIAISOND:-$here/build/liaisond}
CUTS=${1:-5}
GAP_S=${GAP_S:-3}
. "$here/tests/integ/lib.sh"
HEARTBEAT=${HEARTBEAT:-0.2}
. "$here/tests/integ/netns.sh"

setup_mechanism tokyo:japan:station beijing:china:station
netns_setup tokyo beijing
start_node tokyo
start_node beijing
wait_link_up tokyo beijing
count=$(( (CUTS + 1) * GAP_S * 400 ))
: > "$WORK/sent-tokyo"
python3 "$here/tests/integ/burst.py" "$WORK" tokyo beijing "$count" FLASH & burst=$!
cuts=()
for i in $(seq 1 "$CUTS"); do
	sleep "$GAP_S"
	kill -0 $burst 2>/dev/null || { echo "the burst ended before cut $i; raise GAP_S" >&2; break; }
	p=$(active_path tokyo beijing)
	[ -n "$p" ] || { sleep 1; p=$(active_path tokyo beijing); }
	path_restore
	cuts+=("$(now_ms)")
	path_cut "$p"
	for _ in $(seq 1 100); do
		q=$(active_path tokyo beijing)
		[ -n "$q" ] && [ "$q" != "$p" ] && break
		sleep 0.1
	done
	echo "cut $i: path $p cut, link now on path ${q:-none}"
done
kill $burst 2>/dev/null || true
wait $burst 2>/dev/null || true
sleep 1
cuts+=("$(now_ms)")
times=()
for i in $(seq 0 $((${#cuts[@]} - 2))); do
	read -r first gap < <(switch_gap_ms beijing tokyo "${cuts[$i]}" "${cuts[$((i + 1))]}")
	echo "cut $((i + 1)): ${first} ms from the cut to the first message over the other path (gap ${gap} ms)"
	times+=("$first")
done
grep -o "failover from path .* took [0-9]* ms" "$WORK/beijing.log" | sed 's/^/beijing (dialer): /' || true
printf '%s\n' "${times[@]}" | sort -n | awk -v hb="$HEARTBEAT" '{ t[NR] = $1 } END {
	if (NR == 0) exit 1
	printf "failover over %d cuts (heartbeat %s s): median %d ms, max %d ms\n", NR, hb,
	    (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2, t[NR] }'
