# lib.sh - shared set-up for integration tests: two parties (japan, china),
# their stations (tokyo, beijing), a charter and node directories (0700, the
# API on NODEDIR/api.sock) with peers on free loopback ports, and helpers to
# start, kill and query real daemons.
# Sourced by tests/integ/NN-*.sh; needs LIAISON and LIAISOND (set by meson).
set -euo pipefail

: "${LIAISON:?LIAISON must name the liaison binary}"
: "${LIAISOND:?LIAISOND must name the liaisond binary}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lia-integ.XXXXXX")
PIDS=()

fail() { echo "FAIL: $*" >&2; for n in "${NODES[@]:-}"; do [ -f "$WORK/$n.log" ] && { echo "--- $n.log (tail)" >&2; tail -20 "$WORK/$n.log" >&2; }; done; exit 1; }
pass() { echo "PASS: $*"; }

cleanup() {
	for n in "${NODES[@]:-}"; do stop_node "$n" 2>/dev/null || true; done
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# A TCP port nobody listens on now and not handed out before in this test
# (setup_mechanism picks every port before any daemon binds one). Taken below
# the kernel's ephemeral range, so no outgoing connection (ours or another
# program's) can be holding it when a daemon binds it. Racy by nature against
# other programs; ports are spread to make clashes rare.
free_port() {
	local p lo
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$lo" -gt 12000 ] || lo=32768
	while :; do
		p=$(( 10000 + (RANDOM * 7 + $$) % (lo - 10000) ))
		grep -qx "$p" "$WORK/ports" 2>/dev/null && continue
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p" >> "$WORK/ports"
			echo "$p"
			return
		fi
	done
}

# setup_mechanism NODE:PARTY:ROLE ... — parties are created once each.
setup_mechanism() {
	NODES=()
	local spec name party role
	echo "mechanism jp-cn-maritime" > "$WORK/charter"
	for spec in "$@"; do
		IFS=: read -r name party role <<< "$spec"
		if [ ! -d "$WORK/party-$party" ]; then
			"$LIAISON" party create --name "$party" --dir "$WORK/party-$party" >/dev/null
			cp "$WORK/party-$party/ca.crt" "$WORK/$party-ca.crt"
			echo "party $party ca $party-ca.crt" >> "$WORK/charter"
		fi
	done
	for spec in "$@"; do
		IFS=: read -r name party role <<< "$spec"
		local port
		port=$(free_port)
		echo "node $name party $party role $role address 127.0.0.1:$port" >> "$WORK/charter"
		"$LIAISON" node issue --party "$WORK/party-$party" --name "$name" --role "$role" --dir "$WORK/$name" >/dev/null
		printf 'node %s\ncharter ../charter\nheartbeat %s\n' \
			"$name" "${HEARTBEAT:-1}" > "$WORK/$name/liaisond.conf"
		NODES+=("$name")
	done
}

dir_of() { echo "$WORK/$1"; }
cli() { local n=$1; shift; "$LIAISON" -d "$WORK/$n" "$@"; }

start_node() {
	local n=$1 i
	"$LIAISOND" -d "$WORK/$n" >> "$WORK/$n.log" 2>&1 &
	echo $! > "$WORK/$n.pid"
	for i in $(seq 1 100); do
		cli "$n" status >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$WORK/$n.pid")" 2>/dev/null || fail "liaisond $n exited at start"
		sleep 0.1
	done
	fail "liaisond $n did not answer its API within 10 s"
}

stop_node() {
	local n=$1 pid
	[ -f "$WORK/$n.pid" ] || return 0
	pid=$(cat "$WORK/$n.pid"); rm -f "$WORK/$n.pid"
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
}

kill_node() {
	local n=$1 pid
	pid=$(cat "$WORK/$n.pid"); rm -f "$WORK/$n.pid"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
}

node_alive() { [ -f "$WORK/$1.pid" ] && kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null; }

# wait_link_up A B [SECONDS]: A reports its link to B as up.
wait_link_up() {
	local a=$1 b=$2 t=${3:-15} i
	for i in $(seq 1 $((t * 10))); do
		cli "$a" --json links 2>/dev/null | python3 -c '
import json,sys
links=json.load(sys.stdin)
links=links.get("links",links) if isinstance(links,dict) else links
sys.exit(0 if any(l["peer"]==sys.argv[1] and l["state"]=="up" for l in links) else 1)' "$b" && return 0
		sleep 0.1
	done
	fail "link $a -> $b not up after $t s"
}
