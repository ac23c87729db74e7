#!/usr/bin/env bash
# 70-local-bad-modes: every file a node writes is private and liaisond refuses to
# start on one that is not: a node directory open to group or others, a
# node.key or a database others may read, each with a sentence naming the file
# and its mode. `node issue` makes the directory 0700 and the key 0600 with
# O_EXCL; `record export FILE` refuses a FILE.new left over (or planted as a
# link) instead of reusing it, and writes FILE 0600.
. "$(dirname "$0")/lib.sh"

mode() { stat -c %a "$1"; }

setup_mechanism tokyo:japan:station beijing:china:station
d=$(dir_of tokyo)
[ "$(mode "$d")" = 700 ] || fail "node issue made $d $(mode "$d"), not 700"
[ "$(mode "$d/node.key")" = 600 ] || fail "node issue made node.key $(mode "$d/node.key"), not 600"
pass "node issue: directory 0700, node.key 0600"

# O_EXCL: a second issue into the same directory overwrites nothing.
sum=$(sha256sum < "$d/node.key")
if "$LIAISON" node issue --party "$WORK/party-japan" --name tokyo --role station --dir "$d" \
	> "$WORK/issue.out" 2>&1; then fail "node issue over an existing node.key succeeded"; fi
grep -q "already exists" "$WORK/issue.out" || fail "node issue again: $(cat "$WORK/issue.out")"
[ "$(sha256sum < "$d/node.key")" = "$sum" ] || fail "node issue again changed node.key"
mkdir -m 755 "$WORK/open"
if "$LIAISON" node issue --party "$WORK/party-japan" --name kyoto --role station --dir "$WORK/open" \
	> "$WORK/issue.out" 2>&1; then fail "node issue into a 0755 directory succeeded"; fi
grep -q "$WORK/open is open to group or others (mode 0755)" "$WORK/issue.out" ||
	fail "node issue into 0755: $(cat "$WORK/issue.out")"
[ ! -e "$WORK/open/node.key" ] || fail "node issue wrote a key into a 0755 directory"
pass "node issue: refuses to overwrite a key and to put one in a directory others can open"

# A fresh start: the database, its -wal and -shm, the token and the socket are all private.
start_node tokyo
cli tokyo send --to beijing --precedence ROUTINE "mode check" >/dev/null || fail "send"
for f in liaison.db liaison.db-wal liaison.db-shm api.token api.sock; do
	[ -e "$d/$f" ] || fail "$f was not created"
	[ "$(mode "$d/$f")" = 600 ] || fail "$f is $(mode "$d/$f"), not 600"
done
pass "liaisond creates liaison.db, -wal, -shm, api.token and api.sock 0600"

# record export: FILE.new left over from a crash is refused, never reused.
echo "leftover" > "$WORK/t.bundle.new"
if cli tokyo record export "$WORK/t.bundle" > "$WORK/export.out" 2>&1; then
	fail "export reused an existing t.bundle.new"
fi
grep -q "t.bundle.new already exists.*remove it" "$WORK/export.out" || fail "export: $(cat "$WORK/export.out")"
[ ! -e "$WORK/t.bundle" ] && [ "$(cat "$WORK/t.bundle.new")" = leftover ] ||
	fail "the refused export touched t.bundle or t.bundle.new"
rm "$WORK/t.bundle.new"
echo "not yours" > "$WORK/victim"
ln -s "$WORK/victim" "$WORK/t.bundle.new"
if cli tokyo record export "$WORK/t.bundle" > "$WORK/export.out" 2>&1; then
	fail "export followed a t.bundle.new symbolic link"
fi
[ "$(cat "$WORK/victim")" = "not yours" ] || fail "export wrote through the t.bundle.new link"
rm "$WORK/t.bundle.new"
cli tokyo record export "$WORK/t.bundle" >/dev/null || fail "export after removing t.bundle.new"
[ "$(mode "$WORK/t.bundle")" = 600 ] || fail "the export is $(mode "$WORK/t.bundle"), not 600"
[ ! -e "$WORK/t.bundle.new" ] || fail "export left t.bundle.new behind"
cli tokyo record verify --charter "$WORK/charter" "$WORK/t.bundle" >/dev/null || fail "the export does not verify"
pass "record export refuses a leftover or linked FILE.new, then writes FILE 0600 that verifies"
stop_node tokyo

# refuses LABEL WORDS: liaisond exits non-zero at once with a sentence holding WORDS.
refuses() {
	local label=$1 words=$2 rc=0
	timeout 10 "$LIAISOND" -d "$d" > "$WORK/start.out" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "$label: liaisond started"
	[ "$rc" != 124 ] || fail "$label: liaisond neither started nor exited within 10 s"
	grep -qF -- "$words" "$WORK/start.out" || fail "$label: the error does not say \"$words\": $(cat "$WORK/start.out")"
	[ ! -S "$d/api.sock" ] || fail "$label: liaisond made its socket before refusing"
	pass "$label: liaisond refuses, saying \"$words\""
}

chmod 755 "$d"
refuses "node directory 0755" "node directory $d is open to group or others (mode 0755); it must be 0700"
chmod 750 "$d"
refuses "node directory 0750" "(mode 0750)"
chmod 700 "$d"
chmod 644 "$d/node.key"
refuses "node.key 0644" "$d/node.key is open to group or others (mode 0644); it must be 0600"
chmod 640 "$d/node.key"
refuses "node.key 0640" "$d/node.key is open to group or others (mode 0640)"
chmod 600 "$d/node.key"
chmod 644 "$d/liaison.db"
refuses "liaison.db 0644" "$d/liaison.db is open to group or others (mode 0644); it must be 0600"
chmod 600 "$d/liaison.db"
if [ -e "$d/liaison.db-wal" ]; then
	chmod 604 "$d/liaison.db-wal"
	refuses "liaison.db-wal 0604" "$d/liaison.db-wal is open to group or others (mode 0604)"
	chmod 600 "$d/liaison.db-wal"
fi
chmod 644 "$d/api.token"
refuses "api.token 0644" "$d/api.token is open to group or others (mode 644)"
chmod 600 "$d/api.token"

# With every mode put right the node starts again and still holds its message.
start_node tokyo
cli tokyo outbox | grep -q "mode check" || fail "tokyo lost its message"
pass "tokyo starts again once every mode is private"
