# netns.sh - two nodes in two network namespaces joined by two veth pairs
# (two subnets, so each node has two addresses: two paths). Sourced after
# lib.sh by the failover tests; needs root, ip and nft (skips with 77).
#   netns_setup A B      namespaces, veths, charter addresses, cli/start_node in the namespaces
#   path_cut N / path_restore N   drop / pass everything on path N (1 or 2) at A's end (nft)
#   switch_gap_ms NODE PEER CUT_MS   receiver's largest gap in stored times ending after CUT_MS

[ "$(id -u)" = 0 ] || { echo "SKIP: network namespaces need root"; exit 77; }
command -v ip >/dev/null && command -v nft >/dev/null || { echo "SKIP: needs ip and nft"; exit 77; }

NETNS_PREFIX="lk$$"
NETNS_PORT=7400

netns_cleanup() {
	ip netns del "${NETNS_PREFIX}a" 2>/dev/null || true
	ip netns del "${NETNS_PREFIX}b" 2>/dev/null || true
}

# netns_setup A B: A is 10.77.N.1, B is 10.77.N.2 on path N (N = 1, 2).
netns_setup() {
	local a=$1 b=$2 i
	NS_A="${NETNS_PREFIX}a"; NS_B="${NETNS_PREFIX}b"; NODE_A=$a; NODE_B=$b
	trap 'cleanup; netns_cleanup' EXIT
	ip netns add "$NS_A" && ip netns add "$NS_B" || { echo "SKIP: cannot create network namespaces"; exit 77; }
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	for i in 1 2; do
		ip link add "${NETNS_PREFIX}a$i" netns "$NS_A" type veth peer name "${NETNS_PREFIX}b$i" netns "$NS_B"
		ip -n "$NS_A" addr add "10.77.$i.1/24" dev "${NETNS_PREFIX}a$i"
		ip -n "$NS_B" addr add "10.77.$i.2/24" dev "${NETNS_PREFIX}b$i"
		ip -n "$NS_A" link set "${NETNS_PREFIX}a$i" up
		ip -n "$NS_B" link set "${NETNS_PREFIX}b$i" up
	done
	sed -i -e "s/^\(node $a .*address \).*/\110.77.1.1:$NETNS_PORT,10.77.2.1:$NETNS_PORT/" \
	    -e "s/^\(node $b .*address \).*/\110.77.1.2:$NETNS_PORT,10.77.2.2:$NETNS_PORT/" "$WORK/charter"
	export "NETNS_$a=$NS_A" "NETNS_$b=$NS_B"
	ip netns exec "$NS_A" nft add table inet liacut
	ip netns exec "$NS_A" nft add chain inet liacut in '{ type filter hook input priority 0; }'
	ip netns exec "$NS_A" nft add chain inet liacut out '{ type filter hook output priority 0; }'
}

ns_of() { if [ "$1" = "$NODE_A" ]; then echo "$NS_A"; else echo "$NS_B"; fi; }

# Overrides of lib.sh: the CLI and the daemon run inside the node's namespace.
cli() { local n=$1; shift; ip netns exec "$(ns_of "$n")" "$LIAISON" -d "$WORK/$n" "$@"; }
start_node() {
	local n=$1 i
	ip netns exec "$(ns_of "$n")" "$LIAISOND" -d "$WORK/$n" >> "$WORK/$n.log" 2>&1 &
	echo $! > "$WORK/$n.pid"
	for i in $(seq 1 100); do
		cli "$n" status >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$WORK/$n.pid")" 2>/dev/null || fail "liaisond $n exited at start"
		sleep 0.1
	done
	fail "liaisond $n did not answer its API within 10 s"
}

path_cut() {
	ip netns exec "$NS_A" nft add rule inet liacut in iifname "${NETNS_PREFIX}a$1" drop
	ip netns exec "$NS_A" nft add rule inet liacut out oifname "${NETNS_PREFIX}a$1" drop
}
path_restore() { ip netns exec "$NS_A" nft flush chain inet liacut in; ip netns exec "$NS_A" nft flush chain inet liacut out; }

now_ms() { date +%s%3N; }

# active_path A B: the path number A's link to B is on (empty when down).
active_path() {
	cli "$1" --json links | python3 -c '
import json, sys
for l in json.load(sys.stdin)["links"]:
    if l["peer"] == sys.argv[1] and l.get("active_path"):
        print(l["active_path"])' "$2"
}

# switch_gap_ms RECEIVER SENDER CUT_MS [UNTIL_MS]: the largest gap between consecutive
# stored times of SENDER's messages at RECEIVER that ends after CUT_MS (and before UNTIL_MS), as
# "cut_to_first_delivery_ms gap_ms" (delivery stopped at the cut, resumed on the other path).
switch_gap_ms() {
	# Runs in a process substitution: no fail here (its exit would not stop the test).
	cli "$1" --json inbox --limit 100000 > "$WORK/inbox.json" || { echo "-1 -1"; return 0; }
	python3 - "$WORK/inbox.json" "$2" "$3" ${4:+"$4"} <<'PY'

import json, sys, datetime
def ms(t):
    return int(datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1000)
d = json.load(open(sys.argv[1]))
msgs = d["messages"] if isinstance(d, dict) else d
t = sorted(ms(m["stored"]) for m in msgs if m["origin"] == sys.argv[2])
cut = int(sys.argv[3])
until = int(sys.argv[4]) if len(sys.argv) > 4 else 1 << 62
best = None
for a, b in zip(t, t[1:]):
    if cut <= b < until and (best is None or b - a > best[1] - best[0]):
        best = (a, b)
print(best[1] - cut if best else -1, best[1] - best[0] if best else -1)
PY
}
