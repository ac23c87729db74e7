#!/usr/bin/env bash
# 71-local-bad-user: another local user cannot stand in for liaisond or drive
# it. With liaisond down, a user of its own (made here with useradd) binds
# every TCP port it likes and tries to put a socket where the CLI looks; the
# CLI fails cleanly, never prints success for a FLASH that was not sent, and
# the token never reaches the impostor. With the node directory wrongly left
# writable, the impostor's socket is refused by name. With liaisond up and its
# socket opened to everyone by mistake, the other uid is refused (SO_PEERCRED),
# logged at most once per 10 s, and the node goes on serving its owner.
# Needs root (useradd, setpriv); skips (77) otherwise.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create a second user"; exit 77; }
command -v useradd >/dev/null && command -v setpriv >/dev/null ||
	{ echo "SKIP: needs useradd and setpriv"; exit 77; }
ATK=lia-atk-$$
IMPOSTORS=()
useradd --system --no-create-home --shell /usr/sbin/nologin "$ATK" || fail "useradd $ATK"
trap 'userdel -f "$ATK" 2>/dev/null || true' EXIT
AUID=$(id -u "$ATK")
# The system's python: one under root's home (pyenv) is out of the other user's reach.
ATKPY=/usr/bin/python3
[ -x "$ATKPY" ] || { echo "SKIP: needs /usr/bin/python3"; exit 77; }
as_atk() { setpriv --reuid="$AUID" --regid="$(id -g "$ATK")" --clear-groups "$@"; }
ATKDIR=$(mktemp -d "${TMPDIR:-/tmp}/lia-atk.XXXXXX")
chown "$ATK" "$ATKDIR"
# The impostors are gone (and waited for) before the user is deleted.
trap 'stop_impostors; cleanup; rm -rf "$ATKDIR"; userdel -f "$ATK" 2>/dev/null || true' EXIT

# impostor ADDR LOG: as the other user, listens on ADDR (a TCP port or a Unix
# path), answers any request "201 {"id":"tokyo/1"}" and appends what it got to LOG.
impostor() {
	# setpriv itself in the background (not the as_atk function, a subshell): $! is then
	# the impostor's pid, which stop_impostors kills.
	setpriv --reuid="$AUID" --regid="$(id -g "$ATK")" --clear-groups "$ATKPY" - "$1" "$2" <<'PY' &
import socket, sys, os
addr, log = sys.argv[1], sys.argv[2]
if addr.startswith("/"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(addr); os.chmod(addr, 0o777)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(addr)))
s.listen(16)
open(log, "a").write("listening\n")
while True:
    c, _ = s.accept()
    data = c.recv(65536)
    open(log, "ab").write(data + b"\n")
    c.sendall(b'HTTP/1.0 201 Created\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"id":"tokyo/1"}\n')
    c.close()
PY
	IMPOSTORS+=($!)
	for _ in $(seq 1 50); do grep -q listening "$2" 2>/dev/null && return 0; sleep 0.1; done
	fail "the impostor did not listen on $1"
}
stop_impostors() {
	local p
	for p in "${IMPOSTORS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	IMPOSTORS=()
}

setup_mechanism tokyo:japan:station beijing:china:station
d=$(dir_of tokyo)
start_node tokyo            # makes api.token
stop_node tokyo
token=$(cat "$d/api.token")

# expect_no_send LABEL WORDS: a FLASH from tokyo fails, prints no id, and says WORDS.
expect_no_send() {
	local label=$1 words=$2 rc=0
	cli tokyo send --to beijing --precedence FLASH "Request intentions" \
		> "$WORK/send.out" 2> "$WORK/send.err" || rc=$?
	[ "$rc" != 0 ] || fail "$label: the CLI reported success: $(cat "$WORK/send.out")"
	[ ! -s "$WORK/send.out" ] || fail "$label: the CLI printed \"$(cat "$WORK/send.out")\""
	grep -qF -- "$words" "$WORK/send.err" || fail "$label: the CLI said: $(cat "$WORK/send.err")"
	! grep -qF "$token" "$WORK/send.err" || fail "$label: the CLI printed the token"
	pass "$label: the CLI fails (exit $rc): $(head -1 "$WORK/send.err")"
}

# 1. liaisond down, the node directory 0700: the impostor binds TCP ports (any
#    one the old API could have used) but cannot put anything in the node directory.
chmod 711 "$WORK"           # the impostor may pass through WORK, not into tokyo/
for p in "$(free_port)" "$(free_port)"; do impostor "$p" "$ATKDIR/tcp-$p.log"; done
if as_atk "$ATKPY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$d/api.sock" 2>/dev/null; then
	fail "the other user could bind $d/api.sock"
fi
[ ! -e "$d/api.sock" ] || fail "a socket appeared in the node directory"
expect_no_send "liaisond down, impostor on TCP" "cannot reach liaisond at $d/api.sock"
cat "$ATKDIR"/tcp-*.log | grep -q "Bearer" && fail "the token went to a TCP impostor"
pass "the impostor on TCP got nothing, and cannot reach the node directory"

# 2. The node directory wrongly left writable by others: the impostor's socket is refused.
chmod 777 "$d"
impostor "$d/api.sock" "$ATKDIR/unix.log"
expect_no_send "impostor socket in a 0777 directory" "refusing to talk to $d/api.sock: its directory $d is writable by group or others (mode 0777)"
chmod 755 "$d"               # now only root and tokyo's owner could write it; the socket is still the impostor's
expect_no_send "impostor socket in a 0755 directory" "refusing to talk to $d/api.sock: it belongs to uid $AUID"
! grep -q "Bearer" "$ATKDIR/unix.log" || fail "the token went to the impostor's socket"
stop_impostors
rm -f "$d/api.sock"
chmod 700 "$d"
# A socket file of the right owner served by a process of another uid (it bound
# the file as root, then dropped to the other user before listening): SO_PEERCRED.
"$ATKPY" - "$d/api.sock" "$AUID" "$(id -g "$ATK")" "$ATKDIR/served.log" <<'PY' &
import os, socket, sys
path, uid, gid, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.setgroups([]); os.setgid(gid); os.setuid(uid)
s.listen(4)
open(log, "a").write("listening\n")
while True:
    c, _ = s.accept()
    open(log, "ab").write(c.recv(65536) + b"\n")
    c.close()
PY
IMPOSTORS+=($!)
for _ in $(seq 1 50); do grep -q listening "$ATKDIR/served.log" 2>/dev/null && break; sleep 0.1; done
expect_no_send "socket served by another uid" "the process serving it (pid"
! grep -q "Bearer" "$ATKDIR/served.log" || fail "the token went to a process of another uid"
stop_impostors
rm -f "$d/api.sock"
pass "no request, no token and no text reached the impostor"

# 3. liaisond up; its socket opened to everyone by mistake: the other uid is refused.
start_node tokyo
chmod 711 "$d"
chmod 666 "$d/api.sock"
cat > "$ATKDIR/probe.py" <<'PY'
import socket, sys
path, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    body = b'{"to":"beijing","precedence":"FLASH","text":"forged"}'
    s.sendall(b"POST /v1/messages HTTP/1.0\r\nAuthorization: Bearer " + token.encode() +
              b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    reply = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        reply += got
    status = reply.split(b" ", 2)[1]
    if status != b"403":
        sys.exit(f"attempt {i}: HTTP {status!r}: {reply[:200]!r}")
print("refused", n)
PY
# Even holding the token (stolen some other way), the other uid is refused, 30 times.
as_atk "$ATKPY" "$ATKDIR/probe.py" "$d/api.sock" "$token" 30 > "$WORK/probe.out" 2>&1 ||
	fail "the other uid was served: $(cat "$WORK/probe.out")"
lines=$(grep -c "refused a connection from uid $AUID" "$WORK/tokyo.log" || true)
[ "$lines" -ge 1 ] && [ "$lines" -le 2 ] || fail "$lines log lines for 30 refused connections (want 1, rate-limited)"
cli tokyo outbox | grep -q forged && fail "a forged message was stored"
chmod 700 "$d"; chmod 600 "$d/api.sock"
id=$(cli tokyo send --to beijing --precedence FLASH "Request intentions") || fail "the owner's send failed"
[[ "$id" =~ ^tokyo/[0-9]+$ ]] || fail "send printed \"$id\""
pass "uid $AUID refused 30 times with 403, logged $lines time(s); the owner is still served"
