#!/usr/bin/env bash
# demo.sh - builds Liaison and shows one FLASH message from Tokyo to Beijing:
# stored, delivered with a signed receipt, acknowledged by an operator, every
# signature checked. Two real daemons on loopback; everything under demo-run/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build liaison liaisond >/dev/null

BIN=$PWD/build
RUN=$PWD/demo-run
rm -rf "$RUN"; mkdir -p "$RUN"
cli() { local n=$1; shift; "$BIN/liaison" -d "$RUN/$n" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() { for p in "$RUN"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; true; }
trap cleanup EXIT

step "Create the parties (each an Ed25519 X.509 CA) and one station each"
"$BIN/liaison" party create --name japan --dir "$RUN/party-japan"
"$BIN/liaison" party create --name china --dir "$RUN/party-china"
cp "$RUN/party-japan/ca.crt" "$RUN/japan-ca.crt"; cp "$RUN/party-china/ca.crt" "$RUN/china-ca.crt"
"$BIN/liaison" node issue --party "$RUN/party-japan" --name tokyo --role station --dir "$RUN/tokyo"
"$BIN/liaison" node issue --party "$RUN/party-china" --name beijing --role station --dir "$RUN/beijing"
cat > "$RUN/charter" <<CHARTER
# The Japan-China maritime and aerial communication mechanism (demo charter)
mechanism jp-cn-maritime
party japan ca japan-ca.crt
party china ca china-ca.crt
node tokyo party japan role station address 127.0.0.1:27101
node beijing party china role station address 127.0.0.1:27201
CHARTER
# No API port: the CLI reaches each daemon on NODEDIR/api.sock.
printf 'node tokyo\ncharter ../charter\n' > "$RUN/tokyo/liaisond.conf"
printf 'node beijing\ncharter ../charter\n' > "$RUN/beijing/liaisond.conf"
"$BIN/liaison" charter check "$RUN/charter"

step "Start Tokyo's daemon only; Beijing is not up yet"
"$BIN/liaisond" -d "$RUN/tokyo" > "$RUN/tokyo.log" 2>&1 & echo $! > "$RUN/tokyo.pid"
for i in $(seq 1 100); do cli tokyo status >/dev/null 2>&1 && break; sleep 0.1; done
cli tokyo links

step "Tokyo sends a FLASH message to Beijing: on disk, so it counts as sent, and queued"
id=$(cli tokyo send --to beijing --precedence FLASH --lang en \
	"FLASH: JS Kirishima and PLAN Nanchang at 1.2 nm, closing. Request intentions.")
echo "sent $id"
cli tokyo show "$id"

step "Beijing starts: TLS 1.3 link, both sides authenticated by certificate; the outbox drains"
"$BIN/liaisond" -d "$RUN/beijing" > "$RUN/beijing.log" 2>&1 & echo $! > "$RUN/beijing.pid"
for i in $(seq 1 100); do cli beijing status >/dev/null 2>&1 && break; sleep 0.1; done
for i in $(seq 1 100); do cli tokyo links | grep -q ' up' && break; sleep 0.1; done
cli tokyo links

step "Beijing commits it and returns a signed receipt"
cli tokyo wait "$id" --state delivered --timeout 10
cli beijing inbox
cli beijing show "$id"

step "The Beijing operator acknowledges; the signed acknowledgement travels back"
cli beijing ack "$id" --operator "Lt. Wang Lei"
cli tokyo wait "$id" --state acknowledged --timeout 10

step "Tokyo's record of the message: state, receipt, acknowledgement, each signature checked"
cli tokyo show "$id"
step "The joint record: the message in Tokyo's log and Beijing's, each cosigned by the other side"
for i in $(seq 1 50); do cli tokyo record proof "$id" >/dev/null 2>&1 && break; sleep 0.1; done
cli tokyo record proof "$id"
cli tokyo record status
cli tokyo record export "$RUN/tokyo.record"
"$BIN/liaison" record verify --charter "$RUN/charter" "$RUN/tokyo.record"

step "Logs"
tail -n 5 "$RUN/tokyo.log" "$RUN/beijing.log"
echo; echo "demo complete: $id sent, delivered, acknowledged; files in $RUN"
