# rogue.sh - shared steps of the hostile-input tests (1N-bad-*.sh), sourced
# after lib.sh. The mechanism has tokyo, beijing and a third china station,
# beihai, which never runs: the rogue (tests/tools/rogue) borrows its key and
# certificate. beihai sorts before tokyo, so tokyo expects beihai to dial it
# and accepts the rogue like a real peer. After each attack the checks are the
# same: the rogue's exit code says whether tokyo dropped the link, tokyo's log
# names the reason, its store holds what it should, and a real message from
# beijing is still delivered and receipted.
: "${ROGUE:?ROGUE must name the rogue binary}"

LOG_MARK=0      # lines of tokyo.log before the last rogue run
ROGUE_OUT=""    # output of the last rogue run
ROGUE_RUNS=0
SERVED=()       # texts beijing sent to tokyo, in order

# setup_bad [NODE:PARTY:ROLE...]: tokyo and beijing running and linked;
# beihai's directory (and those of the extra nodes, never started) exists.
setup_bad() {
	setup_mechanism tokyo:japan:station beijing:china:station beihai:china:station "$@"
	start_node tokyo
	start_node beijing
	wait_link_up beijing tokyo
}

# addr_of NODE: its HOST:PORT from the charter.
addr_of() { awk -v n="$1" '$1 == "node" && $2 == n { print $NF }' "$WORK/charter"; }

# rogue_start ATTACK [rogue options...]: starts the rogue against tokyo as
# beihai (a later --key in the options wins), in the background; its output
# goes to $ROGUE_OUT.
rogue_start() {
	local attack=$1
	shift
	ROGUE_RUNS=$((ROGUE_RUNS + 1))
	ROGUE_ATTACK=$attack
	ROGUE_OUT="$WORK/rogue-$ROGUE_RUNS-$attack.out"
	LOG_MARK=$(wc -l < "$WORK/tokyo.log")
	"$ROGUE" --key "$WORK/beihai" --charter "$WORK/charter" --connect "$(addr_of tokyo)" \
		--attack "$attack" "$@" > "$ROGUE_OUT" 2>&1 &
	ROGUE_PID=$!
}

# rogue_wait WANT_EXIT: waits for the rogue started last; its exit code must
# be WANT_EXIT (one code, or alternatives as "0|3").
rogue_wait() {
	local rc=0
	wait "$ROGUE_PID" || rc=$?
	sed "s/^/  rogue $ROGUE_ATTACK| /" "$ROGUE_OUT"
	[[ "$rc" =~ ^($1)$ ]] || fail "rogue $ROGUE_ATTACK exited $rc, expected $1"
}

# rogue_run ATTACK WANT_EXIT [rogue options...]: rogue_start, then rogue_wait.
rogue_run() {
	local attack=$1 want=$2
	shift 2
	rogue_start "$attack" "$@"
	rogue_wait "$want"
}

# rogue_said REGEX: the last rogue run printed a line matching it.
rogue_said() { grep -Eq -- "$1" "$ROGUE_OUT" || fail "the rogue did not print: $1"; }

# tokyo_logged REGEX: tokyo logged a matching line since the last rogue run
# (waiting up to 5 s: the daemon may log just after the rogue has exited).
tokyo_logged() {
	local end=$((SECONDS + 5))
	while :; do
		tail -n +"$((LOG_MARK + 1))" "$WORK/tokyo.log" | grep -Eq -- "$1" && return 0
		[ "$SECONDS" -lt "$end" ] || fail "tokyo's log does not say: $1"
		sleep 0.1
	done
}

# tokyo_entries: how many entries tokyo's store holds.
tokyo_entries() {
	cli tokyo --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["entries"])' \
		|| fail "tokyo status failed"
}

# tokyo_serves TEXT: beijing sends TEXT to tokyo and gets its receipt back.
tokyo_serves() {
	local id
	node_alive tokyo || fail "tokyo is not running"
	id=$(cli beijing send --to tokyo --precedence FLASH "$1") || fail "beijing cannot send to tokyo"
	[[ "$id" =~ ^beijing/[0-9]+$ ]] || fail "send printed \"$id\", not an id"
	cli beijing wait "$id" --state delivered --timeout 10 \
		|| fail "$id from beijing was not delivered to tokyo (\"$1\")"
	SERVED+=("$1")
}

# inbox_is ORIGIN [TEXT...]: tokyo's inbox holds exactly these texts from ORIGIN, in order.
inbox_is() {
	local origin=$1
	shift
	cli tokyo --json inbox --limit 1000 > "$WORK/inbox.json" || fail "tokyo inbox failed"
	python3 - "$WORK/inbox.json" "$origin" "$@" <<'PY' || fail "tokyo's inbox from $origin is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
msgs = d["messages"] if isinstance(d, dict) else d
got = [m["text"] for m in msgs if m["origin"] == sys.argv[2]]
want = sys.argv[3:]
if got != want:
    print(f"inbox from {sys.argv[2]}: {got!r}, expected {want!r}", file=sys.stderr)
    sys.exit(1)
PY
}

# expect_drop ATTACK REASON [rogue options...]: tokyo closes the link, logs
# "dropped: ...REASON", stores nothing, and goes on serving. (Whether the
# rogue was told why in an error frame is 17-bad-error-frame.sh's question.)
expect_drop() {
	local attack=$1 reason=$2 before after
	shift 2
	before=$(tokyo_entries)
	rogue_run "$attack" 0 --wait 10000 "$@"
	tokyo_logged "link beihai: dropped: .*$reason"
	after=$(tokyo_entries)
	[ "$after" = "$before" ] || fail "tokyo's store went from $before to $after entries after $attack"
	tokyo_serves "after $attack"
	pass "$attack: link dropped ($reason), store unchanged, tokyo still serves"
}

# expect_refusal ATTACK REASON [rogue options...]: tokyo refuses the rogue's
# validly signed entry in an error frame (code 2), logs "rejected: ...REASON",
# keeps the link, stores nothing, and goes on serving.
expect_refusal() {
	local attack=$1 reason=$2 before after
	shift 2
	before=$(tokyo_entries)
	rogue_run "$attack" 3 "$@"
	rogue_said "^rx error 2: $reason"
	tokyo_logged "link beihai: rejected: $reason"
	after=$(tokyo_entries)
	[ "$after" = "$before" ] || fail "tokyo's store went from $before to $after entries after $attack"
	tokyo_serves "after $attack"
	pass "$attack: refused in an error frame ($reason), link kept, nothing stored, tokyo still serves"
}

# tokyo_restarts_intact: tokyo stopped and started again holds the same
# entries, links up with beijing again and still serves: nothing bad was
# committed to its database.
tokyo_restarts_intact() {
	local before after
	before=$(tokyo_entries)
	stop_node tokyo
	start_node tokyo
	after=$(tokyo_entries)
	[ "$after" = "$before" ] || fail "tokyo held $before entries, $after after a restart"
	wait_link_up beijing tokyo
	tokyo_serves "after the restart"
	pass "tokyo restarted with its $before entries and serves"
}

# served_all: every message beijing sent during the test is in tokyo's inbox, once, in order.
served_all() { inbox_is beijing "${SERVED[@]}"; }
