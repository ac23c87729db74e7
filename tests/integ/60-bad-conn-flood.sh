#!/usr/bin/env bash
# 60-bad-conn-flood: 1,500 connections trickling a TLS ClientHello at
# tokyo's peer port (no certificate needed), reopened as tokyo closes them,
# for 20 s on loopback. tokyo runs with a hard limit of 1,024 open files, as
# on a default system. Before the caps (net/admission.c) they filled every
# descriptor: beijing could not reconnect, the API stopped answering, and
# libevent's accept loop spun at 100 % CPU logging a line per turn. Now:
# tokyo's descriptors stay bounded, beijing reconnects during the flood and
# delivers a FLASH, the API answers within a second, the log stays small and
# the CPU is not spinning.
. "$(dirname "$0")/lib.sh"

FLOOD="$(dirname "$0")/flood.py"
setup_mechanism tokyo:japan:station beijing:china:station
# tokyo gets the default 1,024 descriptors (soft and hard), so raising the soft limit gains nothing.
( ulimit -n 1024; ulimit -Hn 1024; start_node tokyo )
start_node beijing
wait_link_up beijing tokyo
tpid=$(cat "$WORK/tokyo.pid")
port=$(awk '$1 == "node" && $2 == "tokyo" { split($NF, a, ":"); print a[2] }' "$WORK/charter")
log0=$(stat -c %s "$WORK/tokyo.log")

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
fds() { ls "/proc/$1/fd" | wc -l; }

python3 "$FLOOD" tls 127.0.0.1 "$port" --conns 1500 --seconds 20 --reopen-per-s 300 \
	> "$WORK/flood.json" &
flood=$!
sleep 4

# Mid-flood: descriptors, API latency, CPU over 3 s.
maxfd=$(fds "$tpid")
t0=$(date +%s%N)
cli tokyo status > /dev/null || fail "tokyo's API does not answer during the flood"
api_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
c0=$(cpu_ticks "$tpid"); sleep 3; c1=$(cpu_ticks "$tpid")
cpu=$(( (c1 - c0) * 100 / $(getconf CLK_TCK) / 3 ))
f=$(fds "$tpid"); [ "$f" -gt "$maxfd" ] && maxfd=$f

# beijing loses its link and must get back in through the flood.
stop_node beijing
start_node beijing
t0=$(date +%s)
wait_link_up beijing tokyo 12
reconnect_s=$(( $(date +%s) - t0 ))
id=$(cli beijing send --to tokyo --precedence FLASH "FLASH through the flood") || fail "beijing cannot send"
cli beijing wait "$id" --state delivered --timeout 10 || fail "$id was not delivered to tokyo during the flood"
f=$(fds "$tpid"); [ "$f" -gt "$maxfd" ] && maxfd=$f
node_alive tokyo || fail "tokyo died in the flood"
wait "$flood" || fail "the flood tool failed"
log_bytes=$(( $(stat -c %s "$WORK/tokyo.log") - log0 ))
echo "flood: $(cat "$WORK/flood.json")"
echo "tokyo: max $maxfd fds, API answered in $api_ms ms, CPU $cpu % over 3 s mid-flood," \
	"beijing back in $reconnect_s s, log grew $log_bytes bytes"

[ "$maxfd" -lt 400 ] || fail "tokyo held $maxfd descriptors in the flood (cap: 128 pending)"
[ "$api_ms" -lt 1000 ] || fail "tokyo's API took $api_ms ms to answer during the flood"
[ "$cpu" -lt 80 ] || fail "tokyo used $cpu % CPU during the flood (spinning?)"
[ "$log_bytes" -lt 200000 ] || fail "tokyo's log grew $log_bytes bytes during the flood"
grep -q "admission: " "$WORK/tokyo.log" || fail "tokyo's log says nothing of the closed connections"
cli tokyo --json inbox | grep -q "FLASH through the flood" || fail "the FLASH is not in tokyo's inbox"
cli tokyo --json status | python3 -c '
import json, sys
a = json.load(sys.stdin)["admission"]
print("tokyo admission:", json.dumps(a))
sys.exit(0 if a["closed_over_cap"] > 0 and a["pending_max"] <= 128 else 1)' \
	|| fail "tokyo's status does not show the connections it closed"
pass "1,500 trickling handshakes: tokyo bounded ($maxfd fds, $log_bytes log bytes, $cpu % CPU), peer back in ${reconnect_s} s, FLASH delivered, API in $api_ms ms"

# A few handshakes trickled below the caps: the absolute 5 s deadline closes
# them although a byte arrives every half second (libevent's own timeout
# starts again with each byte).
python3 "$FLOOD" tls 127.0.0.1 "$port" --conns 5 --seconds 8 --reopen-per-s 0 > "$WORK/slow.json"
echo "slow handshakes: $(cat "$WORK/slow.json")"
python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["closed_by_peer"] == 5 else 1)' \
	"$WORK/slow.json" || fail "tokyo did not close 5 trickling handshakes within 8 s"
cli tokyo --json status | python3 -c '
import json, sys
sys.exit(0 if json.load(sys.stdin)["admission"]["closed_deadline"] >= 5 else 1)' \
	|| fail "tokyo's status does not count the handshakes past their deadline"
pass "5 trickling handshakes closed at their absolute deadline"

# Out of descriptors all the same (tokyo restarted with 30): the listener
# pauses instead of spinning on EMFILE, and the log says so a few times.
stop_node tokyo
( ulimit -n 30; start_node tokyo )
tpid=$(cat "$WORK/tokyo.pid")
wait_link_up beijing tokyo
log0=$(stat -c %s "$WORK/tokyo.log")
python3 "$FLOOD" tls 127.0.0.1 "$port" --conns 200 --seconds 8 --reopen-per-s 100 > "$WORK/flood2.json" &
flood=$!
sleep 3
c0=$(cpu_ticks "$tpid"); sleep 3; c1=$(cpu_ticks "$tpid")
cpu=$(( (c1 - c0) * 100 / $(getconf CLK_TCK) / 3 ))
wait "$flood" || fail "the flood tool failed"
log_bytes=$(( $(stat -c %s "$WORK/tokyo.log") - log0 ))
echo "tokyo with 30 descriptors: CPU $cpu % mid-flood, log grew $log_bytes bytes; flood $(cat "$WORK/flood2.json")"
node_alive tokyo || fail "tokyo died out of descriptors"
[ "$cpu" -lt 50 ] || fail "tokyo spun at $cpu % CPU out of descriptors"
[ "$log_bytes" -lt 100000 ] || fail "tokyo's log grew $log_bytes bytes out of descriptors"
grep -q "out of file descriptors accepting TLS handshake connections.*listener paused" "$WORK/tokyo.log" \
	|| fail "tokyo did not pause its listener out of descriptors"
wait_link_up beijing tokyo 15
tokyo_flash=$(cli beijing send --to tokyo --precedence FLASH "FLASH after EMFILE") || fail "beijing cannot send"
cli beijing wait "$tokyo_flash" --state delivered --timeout 15 || fail "$tokyo_flash was not delivered after EMFILE"
pass "out of descriptors: no spin ($cpu % CPU), $log_bytes log bytes, and the link and a FLASH work afterwards"
