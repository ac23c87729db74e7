#!/usr/bin/env bash
# 50-console-https: a console off loopback (0.0.0.0) serves HTTPS only, with
# the ECDSA P-256 certificate `liaison console cert` issues; without it the
# daemon refuses to start and says which files it needs. Over HTTPS the
# session cookie is Secure, HttpOnly, SameSite=Strict; every answer carries
# the CSP; `liaison watch` follows an arrival; the daemon logs it.
. "$(dirname "$0")/lib.sh"

setup_mechanism tokyo:japan:station beijing:china:station
cport=$(free_port)
printf 'console 0.0.0.0:%s\n' "$cport" >> "$WORK/beijing/liaisond.conf"
start_node tokyo
# No certificate yet: beijing refuses to start, naming the files.
"$LIAISOND" -d "$WORK/beijing" > "$WORK/nocert.log" 2>&1 && fail "liaisond started a console off loopback without a certificate"
grep -q "console.crt" "$WORK/nocert.log" || fail "the refusal does not name console.crt: $(cat "$WORK/nocert.log")"

cli beijing console cert --host 127.0.0.1 > /dev/null || fail "console cert failed"
openssl x509 -in "$WORK/beijing/console.crt" -noout -text > "$WORK/crt.txt"
grep -q "prime256v1\|P-256" "$WORK/crt.txt" || fail "the console certificate is not ECDSA P-256"
grep -q "IP Address:127.0.0.1" "$WORK/crt.txt" || fail "the console certificate lacks its subjectAltName"
grep -q "TLS Web Server Authentication" "$WORK/crt.txt" || fail "the console certificate is not for serverAuth"
[ "$(stat -c %a "$WORK/beijing/console.key")" = 600 ] || fail "console.key is not 0600"
start_node beijing
wait_link_up tokyo beijing
printf 'wang-password-1\n' | cli beijing operator add "Lt. Wang" > /dev/null || fail "operator add"

url="https://127.0.0.1:$cport"
curl -sS --cacert "$WORK/beijing/console.crt" -D "$WORK/h.txt" -o "$WORK/index.html" "$url/console/me" || true
grep -qi "^content-security-policy: default-src 'self'" "$WORK/h.txt" || fail "no CSP over HTTPS: $(cat "$WORK/h.txt")"
curl -sS --max-time 3 "http://127.0.0.1:$cport/console/me" > /dev/null 2>&1 && fail "the console answered plain HTTP off loopback"
curl -sS --cacert "$WORK/beijing/console.crt" -D "$WORK/login.txt" -o /dev/null -H 'Content-Type: application/json' \
	-d '{"operator":"Lt. Wang","password":"wang-password-1"}' "$url/console/login" || fail "sign-in over HTTPS failed"
grep -i "^set-cookie:" "$WORK/login.txt" | grep -q "HttpOnly; SameSite=Strict; Secure" ||
	fail "the session cookie is not HttpOnly, SameSite=Strict and Secure: $(grep -i set-cookie "$WORK/login.txt")"

# liaison watch (polling the CLI's API) sees the FLASH arrive, with a bell.
cli beijing watch --count 1 > "$WORK/watch.txt" &
wpid=$!
sleep 1
id=$(cli tokyo send --to beijing --precedence FLASH "watch this")
for _ in $(seq 1 50); do kill -0 $wpid 2>/dev/null || break; sleep 0.1; done
kill $wpid 2>/dev/null && fail "liaison watch did not see the arrival"
grep -q "in message $id FLASH" "$WORK/watch.txt" || fail "watch printed: $(cat -v "$WORK/watch.txt")"
grep -q $'\a' "$WORK/watch.txt" || fail "no bell for a FLASH"
grep -q "arrival: FLASH message $id" "$WORK/beijing.log" || fail "no arrival log line"
pass "console over HTTPS with an ECDSA P-256 certificate; Secure cookie; watch and arrival log"
