#!/usr/bin/env bash
# 16-bad-config: liaisond refuses to start on a broken charter or a broken
# liaisond.conf. It exits non-zero at once and its error names the file and
# the line at fault, so an operator can fix it without guessing.
. "$(dirname "$0")/lib.sh"

setup_mechanism tokyo:japan:station beijing:china:station
cp "$WORK/charter" "$WORK/charter.good"
cp "$WORK/tokyo/liaisond.conf" "$WORK/liaisond.conf.good"

# refuses FILE LABEL REGEX: liaisond for tokyo exits non-zero within 10 s and
# its error matches FILE:LINE: REGEX; then the good files are put back.
refuses() {
	local file=$1 label=$2 regex=$3 rc=0
	timeout 10 "$LIAISOND" -d "$WORK/tokyo" > "$WORK/start.out" 2>&1 || rc=$?
	sed "s/^/  liaisond| /" "$WORK/start.out"
	[ "$rc" != 0 ] || fail "$label: liaisond started"
	[ "$rc" != 124 ] || fail "$label: liaisond neither started nor exited within 10 s"
	grep -Eq -- "$file: ?$regex" "$WORK/start.out" || fail "$label: the error does not say $file: $regex"
	cp "$WORK/charter.good" "$WORK/charter"
	cp "$WORK/liaisond.conf.good" "$WORK/tokyo/liaisond.conf"
	pass "$label: liaisond exits $rc naming $file and the line"
}

# The good files start: the checks below can only fail because of the breakage.
start_node tokyo
stop_node tokyo

echo "node kyoto party japan role admiral address 127.0.0.1:1" >> "$WORK/charter"
line=$(wc -l < "$WORK/charter")
refuses "charter:$line" "charter with a bad role" ".*admiral"

sed -i '2i treaty signed 2018' "$WORK/charter"
refuses "charter:2" "charter with an unknown keyword" ".*treaty"

sed -i 's/^party japan ca .*/party japan ca missing-ca.crt/' "$WORK/charter"
line=$(grep -n '^party japan ' "$WORK/charter" | cut -d: -f1)
refuses "charter:$line" "charter naming a missing CA file" ".*missing-ca.crt"

sed -i 's/^node beijing .* address .*/node beijing party china role station address 127.0.0.1:99999/' "$WORK/charter"
line=$(grep -n '^node beijing ' "$WORK/charter" | cut -d: -f1)
refuses "charter:$line" "charter with a port out of range" ".*port"

sed -i 's/^heartbeat .*/heartbeat fast/' "$WORK/tokyo/liaisond.conf"
line=$(grep -n '^heartbeat ' "$WORK/tokyo/liaisond.conf" | cut -d: -f1)
refuses "liaisond.conf:$line" "liaisond.conf with a bad heartbeat" ".*heartbeat"

echo "api 127.0.0.1:7401" >> "$WORK/tokyo/liaisond.conf"
line=$(grep -n '^api ' "$WORK/tokyo/liaisond.conf" | cut -d: -f1)
refuses "liaisond.conf:$line" "liaisond.conf with an old api line (the API left TCP)" ".*no longer used.*api.sock"

echo "colour blue" >> "$WORK/tokyo/liaisond.conf"
line=$(wc -l < "$WORK/tokyo/liaisond.conf")
refuses "liaisond.conf:$line" "liaisond.conf with an unknown keyword" ".*colour"

# And the good files still start (nothing above was left behind).
start_node tokyo
pass "tokyo starts again with the good files"
