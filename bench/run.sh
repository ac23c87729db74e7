#!/usr/bin/env bash
# run.sh - the hotline benchmark end to end: builds the project (build-bench,
# release), sets up two parties (japan, china) and their stations (tokyo,
# beijing) with the CLI in a temporary directory, runs hotline_bench from
# tokyo to beijing through two real liaisond, then the same load through a
# Mosquitto broker with persistence (mqtt_bench), and prints both result
# blocks side by side with the ratios Liaison / Mosquitto.
#
# Usage: bench/run.sh [MESSAGES] [WINDOW]      (defaults 10000 and 64)
# Loopback only; every step is bounded by a timeout; KEEP_WORK=1 keeps the
# temporary directory (logs, databases) for a look afterwards.
set -euo pipefail

N=${1:-10000}
WINDOW=${2:-64}
RUN_TIMEOUT=${RUN_TIMEOUT:-900}   # seconds allowed to each benchmark
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build-bench"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lia-bench.XXXXXX")
PIDS=()

cleanup() {
	local pid
	for pid in "${PIDS[@]:-}"; do
		[ -n "$pid" ] && stop_pid "$pid"
	done
	[ -n "${KEEP_WORK:-}" ] && echo "work directory kept: $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "run.sh: $*" >&2; exit 1; }

# Installs the Debian packages the build and the reference need, when missing.
need_packages() {
	local pkg missing=()
	for pkg in meson ninja-build gcc pkg-config libssl-dev libevent-dev libjansson-dev \
		libsqlite3-dev libcbor-dev libmosquitto-dev mosquitto coreutils; do
		dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (install as root): ${missing[*]}"
	echo "installing ${missing[*]}" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

build() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$ROOT" -Dbuildtype=release -Dtests=false >/dev/null
	fi
	ninja -C "$BUILD" >/dev/null || die "the build failed (ninja -C $BUILD)"
	for f in liaison liaisond bench/hotline_bench bench/mqtt_bench; do
		[ -x "$BUILD/$f" ] || die "$BUILD/$f was not built"
	done
}

# A TCP port on 127.0.0.1 nobody listens on now, below the kernel's ephemeral
# range so that no outgoing connection holds it (racy by nature all the same).
free_port() {
	local p low
	read -r low _ < /proc/sys/net/ipv4/ip_local_port_range
	[ "$low" -gt 12000 ] || die "the ephemeral port range starts at $low; no room below it"
	while :; do
		p=$(( 10000 + (RANDOM * 7 + $$) % (low - 10000) ))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
	done
}

# wait_port PORT PID NAME: until something accepts on PORT, while PID lives (10 s).
wait_port() {
	local i
	for i in $(seq 1 100); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || die "$3 exited at start (see $WORK/$3.log)"
		sleep 0.1
	done
	die "$3 does not listen on port $1 after 10 s (see $WORK/$3.log)"
}

# stop_pid PID: TERM, then KILL after 5 s.
stop_pid() {
	local i
	kill -TERM "$1" 2>/dev/null || return 0
	for i in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

lia() { timeout 30 "$BUILD/liaison" "$@"; }

# Parties japan and china, stations tokyo and beijing, one charter for both.
setup_nodes() {
	local party node port
	printf 'mechanism bench-jp-cn\n' > "$WORK/charter"
	for party in japan china; do
		lia party create --name "$party" --dir "$WORK/party-$party" >/dev/null
		cp "$WORK/party-$party/ca.crt" "$WORK/$party-ca.crt"
		printf 'party %s ca %s-ca.crt\n' "$party" "$party" >> "$WORK/charter"
	done
	for spec in tokyo:japan beijing:china; do
		node=${spec%%:*}; party=${spec#*:}
		port=$(free_port)
		printf 'node %s party %s role station address 127.0.0.1:%s\n' "$node" "$party" "$port" \
			>> "$WORK/charter"
		lia node issue --party "$WORK/party-$party" --name "$node" --role station \
			--dir "$WORK/$node" >/dev/null
		printf 'node %s\ncharter ../charter\nlisten 127.0.0.1:%s\n' \
			"$node" "$port" > "$WORK/$node/liaisond.conf"
	done
}

# start_node NODE: liaisond in the background; its pid into PID_NODE.
start_node() {
	local node=$1 pid i
	"$BUILD/liaisond" -d "$WORK/$node" >> "$WORK/$node.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	eval "PID_$node=$pid"
	# The API is the Unix socket NODEDIR/api.sock: up once the CLI gets an answer there.
	for i in $(seq 1 100); do
		lia -d "$WORK/$node" status >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || die "$node exited at start (see $WORK/$node.log)"
		[ "$i" -lt 100 ] || die "$node does not answer on $WORK/$node/api.sock after 10 s"
		sleep 0.1
	done
	[ -s "$WORK/$node/api.token" ] || die "$node wrote no api.token"
}

run_liaison() {
	setup_nodes
	start_node tokyo
	start_node beijing
	timeout $((RUN_TIMEOUT + 60)) "$BUILD/bench/hotline_bench" -n "$N" -w "$WINDOW" \
		-t "$RUN_TIMEOUT" -P "tokyo=$PID_tokyo" -P "beijing=$PID_beijing" \
		"$WORK/tokyo" "$WORK/beijing" > "$WORK/liaison.out" \
		|| die "hotline_bench failed (logs: $WORK/tokyo.log, $WORK/beijing.log)"
	stop_pid "$PID_tokyo"
	stop_pid "$PID_beijing"
}

# The broker's configuration: persistence saved after every change (see README.md).
mosquitto_conf() {
	cat <<-EOF
	listener $1 127.0.0.1
	allow_anonymous true
	user $(id -un)
	persistence true
	persistence_location $WORK/mosquitto/
	autosave_on_changes true
	autosave_interval 1
	max_inflight_messages $WINDOW
	max_queued_messages 0
	set_tcp_nodelay true
	log_dest stderr
	log_type error
	log_type warning
	EOF
}

run_mosquitto() {
	local port pid
	port=$(free_port)
	mkdir -p "$WORK/mosquitto"
	mosquitto_conf "$port" > "$WORK/mosquitto.conf"
	mosquitto -c "$WORK/mosquitto.conf" >> "$WORK/mosquitto.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_port "$port" "$pid" mosquitto
	timeout $((RUN_TIMEOUT + 60)) "$BUILD/bench/mqtt_bench" -n "$N" -w "$WINDOW" \
		-t "$RUN_TIMEOUT" -p "$port" -P "mosquitto=$pid" > "$WORK/mosquitto.out" \
		|| die "mqtt_bench failed (log: $WORK/mosquitto.log)"
	stop_pid "$pid"
}

# Both result blocks side by side, then the ratios Liaison / Mosquitto.
report() {
	echo "hotline benchmark: $N FLASH messages, window $WINDOW, $(nproc) CPUs, load at start $LOAD"
	awk '
	FNR == 1 { f++ }
	{ if (!($1 in seen)) { seen[$1] = 1; keys[++n] = $1 } v[f, $1] = $2 }
	END {
		for (i = 1; i <= n; i++) {
			k = keys[i]
			a = ((1, k) in v) ? v[1, k] : "-"; b = ((2, k) in v) ? v[2, k] : "-"
			printf "%-24s %14s %14s\n", k, a, b
		}
		printf "\nLiaison / Mosquitto\n"
		split("msgs_per_s p50_ms p99_ms", r, " ")
		for (i = 1; i <= 3; i++)
			if (v[2, r[i]] + 0 > 0)
				printf "  %-12s %8.2f\n", r[i], v[1, r[i]] / v[2, r[i]]
	}' "$WORK/liaison.out" "$WORK/mosquitto.out"
}

need_packages
build
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
run_liaison
run_mosquitto
report
