#!/usr/bin/env bash
# test.sh - builds Liaison and runs every test: unit and integration tests in a
# normal build, the same again under ASan+UBSan, and a short run of each fuzz
# target. Prints "N passed, N failed" last; exits non-zero on any failure.
# FUZZ_SECONDS (default 12) sets each fuzz target's run; SKIP_SANITIZE=1 and
# SKIP_FUZZ=1 skip those stages for quick local runs. The sanitizer stage runs
# every test again with smaller loads (it looks for memory and undefined
# behaviour, not throughput), so that CI stays under 30 minutes on 2 cores:
# 500 messages for the kill, failover and fault tests (SANITIZE_COUNT), 20
# radio signals, FLASH and ROUTINE deadlines, one random fault schedule.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh || { echo "test.sh: cannot install dependencies"; exit 1; }

passed=0 failed=0
count_results() { # meson test log -> passed/failed counters
	local log=$1/meson-logs/testlog.json p f
	[ -f "$log" ] || { failed=$((failed + 1)); return; }
	p=$(grep -c '"result": "OK"' "$log" || true)
	f=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log" || true)
	passed=$((passed + p)); failed=$((failed + f))
}

run_suite() { # build-dir setup-args...
	local dir=$1; shift
	if [ ! -d "$dir" ]; then meson setup "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return; }; fi
	ninja -C "$dir" || { echo "test.sh: build failed in $dir"; failed=$((failed + 1)); return; }
	meson test -C "$dir" --print-errorlogs --no-rebuild ${SUITE_ARGS:-}
	count_results "$dir"
}

echo "== build and test (debugoptimized)"
run_suite build-test

if [ -z "${SKIP_SANITIZE:-}" ]; then
	echo "== ASan + UBSan build"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	COUNT=${SANITIZE_COUNT:-500} RADIO_COUNT=${SANITIZE_RADIO_COUNT:-20} \
		PRECEDENCES="FLASH ROUTINE" FAULT_SCHEDULES=1 \
		run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false
fi

fuzz_one() { # fuzz target: runs it on a copy of its corpus; "ok" or "FAILED" in build-fuzz/fuzz-NAME.result
	local t=$1 name=${1##*/fuzz_} corpus result=FAILED
	local dict=()
	corpus=$(mktemp -d); cp -r fuzz/corpus/"$name"/. "$corpus"/ 2>/dev/null || true
	[ -f fuzz/"$name".dict ] && dict=(-dict=fuzz/"$name".dict)
	if "$t" "${dict[@]}" -max_total_time="${FUZZ_SECONDS:-12}" -print_final_stats=1 \
		"$corpus" > "build-fuzz/fuzz-$name.log" 2>&1; then
		result=ok
	fi
	echo "$result" > "build-fuzz/fuzz-$name.result"
	rm -rf "$corpus"
}

if [ -z "${SKIP_FUZZ:-}" ]; then
	echo "== fuzz targets, ${FUZZ_SECONDS:-12} s each"
	if CC=clang run_fuzz=1 meson setup build-fuzz -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null 2>&1 || [ -d build-fuzz ]; then
		ninja -C build-fuzz || failed=$((failed + 1))
		targets=()
		rm -f build-fuzz/fuzz-*.result
		for t in build-fuzz/fuzz/fuzz_*; do
			[ -f "$t" ] && [ -x "$t" ] && targets+=("$t")
		done
		# Two at a time: one per core.
		for ((i = 0; i < ${#targets[@]}; i += 2)); do
			fuzz_one "${targets[i]}" &
			[ -z "${targets[i + 1]:-}" ] || fuzz_one "${targets[i + 1]}" &
			wait
		done
		for t in "${targets[@]}"; do
			name=${t##*/fuzz_}
			if [ "$(cat "build-fuzz/fuzz-$name.result" 2>/dev/null)" = ok ]; then
				echo "fuzz $name: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "build-fuzz/fuzz-$name.log" || tail -1 "build-fuzz/fuzz-$name.log"))"
				passed=$((passed + 1))
			else
				echo "fuzz $name: FAILED"; tail -30 "build-fuzz/fuzz-$name.log"; failed=$((failed + 1))
			fi
		done
	else
		echo "test.sh: cannot configure the fuzz build"; failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
