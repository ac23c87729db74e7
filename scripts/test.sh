#!/usr/bin/env bash
# test.sh - builds Liaison and runs every test: unit and integration tests in a
# normal build, the same again under ASan+UBSan, and a short run of each fuzz
# target. Prints a timing summary per stage, then "N passed, N failed" last;
# exits non-zero on any failure or build failure.
# FUZZ_SECONDS (default 12) sets each fuzz target's run; SKIP_SANITIZE=1 and
# SKIP_FUZZ=1 skip those stages for quick local runs. The sanitizer stage runs
# every test again with smaller loads (it looks for memory and undefined
# behaviour, not throughput): 500 messages for the kill, failover and fault
# tests (SANITIZE_COUNT), 20 radio signals, FLASH and ROUTINE deadlines, one
# random fault schedule.
#
# The order keeps 2 cores busy (CI's budget is 35 minutes): the normal
# integration tests mostly wait on timers and the network (the netns radio
# test alone is ~320 s of a 2,400 bit/s channel), so while they run, a
# background job (niced, so the tests' daemons get the CPU first) builds the
# ASan+UBSan tree and runs its unit tests, then builds the fuzz tree and runs
# the fuzz targets one at a time. The sanitizer integration tests come last,
# alone. Each stage's output is printed whole when it ends, never interleaved.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh || { echo "test.sh: cannot install dependencies"; exit 1; }

LOGS=build-test-logs
rm -rf "$LOGS"; mkdir -p "$LOGS"
passed=0 failed=0
START=$SECONDS

# stage_time NAME SECONDS: one line of the summary (a file, so the background job can add to it).
stage_time() { printf '%-34s %4d min %02d s\n' "$1" $(($2 / 60)) $(($2 % 60)) >> "$LOGS/timing"; }

# count_results LOG: adds a meson test log's results to $LOGS/counts ("P F"); a missing log is a failure.
count_results() {
	local log=$1 p f
	if [ ! -f "$log" ]; then echo "0 1" >> "$LOGS/counts"; return; fi
	p=$(grep -c '"result": "OK"' "$log" || true)
	f=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log" || true)
	echo "$p $f" >> "$LOGS/counts"
}
fail_one() { echo "0 1" >> "$LOGS/counts"; }

# build DIR SETUP-ARGS...: configures DIR once and builds it; 1 (and a counted failure) when it fails.
build() {
	local dir=$1; shift
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >/dev/null || { echo "test.sh: cannot configure $dir"; fail_one; return 1; }
	fi
	ninja -C "$dir" || { echo "test.sh: build failed in $dir"; fail_one; return 1; }
}

# tests DIR NAME MESON-TEST-ARGS...: one meson test run, logged as DIR/meson-logs/NAME.json.
tests() {
	local dir=$1 name=$2; shift 2
	meson test -C "$dir" --print-errorlogs --no-rebuild --logbase "$name" ${SUITE_ARGS:-} "$@"
	count_results "$dir/meson-logs/$name.json"
}

export_sanitize_env() {
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
}

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

# The fuzz stage: build, then each target in turn (one core: the other is the tests').
fuzz_stage() {
	local t0=$SECONDS targets=() t name
	echo "== fuzz targets, ${FUZZ_SECONDS:-12} s each"
	if ! CC=clang run_fuzz=1 meson setup build-fuzz -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null 2>&1 && [ ! -d build-fuzz ]; then
		echo "test.sh: cannot configure the fuzz build"; fail_one; return
	fi
	# Only the fuzz targets: the programs, benchmarks and tools are built (and tested) above.
	targets=($(ninja -C build-fuzz -t targets all | sed -n 's|^\(fuzz/fuzz_[a-z_]*\): .*|\1|p' | sort -u))
	[ ${#targets[@]} -gt 0 ] || { echo "test.sh: no fuzz targets in build-fuzz"; fail_one; return; }
	ninja -C build-fuzz "${targets[@]}" || { echo "test.sh: build failed in build-fuzz"; fail_one; return; }
	targets=()
	stage_time "fuzz build" $((SECONDS - t0)); t0=$SECONDS
	rm -f build-fuzz/fuzz-*.result
	for t in build-fuzz/fuzz/fuzz_*; do
		[ -f "$t" ] && [ -x "$t" ] && targets+=("$t")
	done
	for t in "${targets[@]}"; do fuzz_one "$t"; done
	for t in "${targets[@]}"; do
		name=${t##*/fuzz_}
		if [ "$(cat "build-fuzz/fuzz-$name.result" 2>/dev/null)" = ok ]; then
			echo "fuzz $name: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "build-fuzz/fuzz-$name.log" || tail -1 "build-fuzz/fuzz-$name.log"))"
			echo "1 0" >> "$LOGS/counts"
		else
			echo "fuzz $name: FAILED"; tail -30 "build-fuzz/fuzz-$name.log"; fail_one
		fi
	done
	stage_time "fuzz runs (${#targets[@]} targets)" $((SECONDS - t0))
}

# The background job: the ASan+UBSan build and its unit tests, then the fuzz
# stage; niced from its first line, so every process it starts is too.
background() {
	local t0=$SECONDS
	renice -n 10 -p "$BASHPID" >/dev/null
	if [ -z "${SKIP_SANITIZE:-}" ]; then
		echo "== ASan + UBSan build (in the background)"
		if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
			stage_time "asan build" $((SECONDS - t0)); t0=$SECONDS
			echo "== ASan + UBSan unit tests"
			( export_sanitize_env; tests build-asan asan-unit --suite unit )
			stage_time "asan unit tests" $((SECONDS - t0))
			touch "$LOGS/asan-built"
		fi
	fi
	[ -n "${SKIP_FUZZ:-}" ] || fuzz_stage
}

t0=$SECONDS
echo "== build (debugoptimized)"
if build build-test; then
	stage_time "build" $((SECONDS - t0))
	background > "$LOGS/background.log" 2>&1 &
	bg=$!
	t0=$SECONDS
	echo "== unit and integration tests (debugoptimized)"
	tests build-test normal
	stage_time "unit + integration tests" $((SECONDS - t0))
	t0=$SECONDS
	wait "$bg"
	stage_time "waiting for the background job" $((SECONDS - t0))
	cat "$LOGS/background.log"
	if [ -z "${SKIP_SANITIZE:-}" ] && [ -f "$LOGS/asan-built" ]; then
		t0=$SECONDS
		echo "== ASan + UBSan integration tests"
		( export_sanitize_env
		  export COUNT="${SANITIZE_COUNT:-500}" RADIO_COUNT="${SANITIZE_RADIO_COUNT:-20}" \
			PRECEDENCES="FLASH ROUTINE" FAULT_SCHEDULES=1
		  tests build-asan asan-other --no-suite unit )
		stage_time "asan integration tests" $((SECONDS - t0))
	fi
fi

while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < "$LOGS/counts" 2>/dev/null
echo "== timing"
cat "$LOGS/timing" 2>/dev/null
stage_time "total" $((SECONDS - START))
tail -1 "$LOGS/timing"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
