#!/usr/bin/env bash
# 21-record-tamper: Tokyo's operator rewrites Tokyo's own store after its log
# was cosigned: one byte of one entry changed, an entry deleted, two entries
# swapped. The log is rebuilt from the altered entries and Tokyo signs new
# checkpoints, so a second checkpoint exists for a size Beijing already
# cosigned (or a smaller one). Each time: Beijing, the witness, refuses to
# cosign, raises an alarm and keeps both checkpoints as evidence; and an
# export of the altered record fails `record verify`, which names the entry.
# A tail cut with its receipts verifies only as NOT WITNESSED; a last own
# message deleted while beijing's receipt of it stays fails on that receipt.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed (scripts/deps.sh installs it)"

setup_mechanism tokyo:japan:station beijing:china:station

# wait_cosigned NODE SIZE: NODE's checkpoint of SIZE is cosigned by the other node.
wait_cosigned() {
	for _ in $(seq 1 100); do
		cli "$1" --json record status | python3 -c '
import json, sys
r = json.load(sys.stdin); cp = r.get("checkpoint") or {}
sys.exit(0 if cp.get("size") == int(sys.argv[1]) and cp.get("cosigned_by") else 1)' "$2" && return 0
		sleep 0.1
	done
	fail "$1: checkpoint $2 not cosigned"
}

# rewrite SQL: stops Tokyo, alters its entries with SQL, drops the log so the
# store rebuilds it from the altered entries (as a tamperer would), restarts.
# Each rewrite starts from the honest store.
rewrite() {
	stop_node tokyo
	rm -f "$WORK/tokyo/liaison.db-wal" "$WORK/tokyo/liaison.db-shm"
	cp "$WORK/honest.db" "$WORK/tokyo/liaison.db"
	sqlite3 "$WORK/tokyo/liaison.db" "DROP TRIGGER entries_fixed; DROP TRIGGER entries_kept; $1
		DROP TABLE cosignatures; DROP TABLE checkpoints; DROP TABLE witnessed;
		DROP TABLE evidence; DROP TABLE tree; DROP TABLE log;
		DROP TABLE incident_steps; DROP TABLE incidents; DROP TABLE deadlines;
		PRAGMA user_version = 1;" \
		|| fail "sqlite3 could not alter the store"
	start_node tokyo
}

# expect_alarm N WORDS: Beijing holds N evidence records, the last naming WORDS.
expect_alarm() {
	for _ in $(seq 1 100); do
		cli beijing --json record status > "$WORK/bst.json"
		python3 - "$WORK/bst.json" "$1" "$2" <<'PY' && return 0
import json, sys
ev = json.load(open(sys.argv[1]))["evidence"]
sys.exit(0 if len(ev) >= int(sys.argv[2]) and sys.argv[3] in ev[-1]["reason"] else 1)
PY
		sleep 0.1
	done
	cat "$WORK/bst.json"; fail "beijing kept no evidence naming \"$2\""
}

# expect_verify_fails WORDS: an export of Tokyo's altered record fails, naming WORDS.
expect_verify_fails() {
	cli tokyo record export "$WORK/t.bundle" >/dev/null || fail "export after tampering"
	if cli tokyo record verify --charter "$WORK/charter" "$WORK/t.bundle" > "$WORK/t.verify" 2>&1; then
		cat "$WORK/t.verify"; fail "verify accepted a tampered record"
	fi
	grep -q "$1" "$WORK/t.verify" || { cat "$WORK/t.verify"; fail "verify did not name \"$1\""; }
	grep "^verdict" "$WORK/t.verify"
}

start_node tokyo; start_node beijing; wait_link_up tokyo beijing
for i in $(seq 1 6); do
	id=$(cli tokyo send --to beijing --precedence PRIORITY "tamper test $i")
	cli tokyo wait "$id" --state delivered --timeout 10 >/dev/null || fail "$id not delivered"
done
wait_cosigned tokyo 12
cli tokyo record export "$WORK/honest.bundle" >/dev/null
cli tokyo record verify --charter "$WORK/charter" "$WORK/honest.bundle" >/dev/null || fail "the honest record does not verify"
stop_node tokyo
sqlite3 "$WORK/tokyo/liaison.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp "$WORK/tokyo/liaison.db" "$WORK/honest.db"
start_node tokyo

# 1. One byte of one entry (tokyo/3, the second message) changed.
rewrite "UPDATE entries SET cose = substr(cose, 1, 60) || x'58' || substr(cose, 62) WHERE origin = 'tokyo' AND seq = 3;"
wait_link_up tokyo beijing
expect_alarm 1 "fork"
expect_verify_fails "entry 4"
grep -q "ALARM: log of tokyo" "$WORK/beijing.log" || fail "beijing logged no alarm"

# 2. An entry deleted (tokyo/4, an own message): the rebuilt log is smaller than what Beijing cosigned.
rewrite "DELETE FROM entries WHERE origin = 'tokyo' AND seq = 4;"
wait_link_up tokyo beijing
expect_alarm 2 "shrank"
expect_verify_fails "tokyo/4"

# 3. Two entries swapped (tokyo/2 and tokyo/5 trade places in the log).
rewrite "CREATE TEMP TABLE sw AS SELECT seq, n FROM entries WHERE origin = 'tokyo' AND seq IN (2, 5);
	UPDATE entries SET n = -n WHERE origin = 'tokyo' AND seq IN (2, 5);
	UPDATE entries SET n = (SELECT n FROM sw WHERE seq = 5) WHERE origin = 'tokyo' AND seq = 2;
	UPDATE entries SET n = (SELECT n FROM sw WHERE seq = 2) WHERE origin = 'tokyo' AND seq = 5;"
wait_link_up tokyo beijing
expect_alarm 3 "fork"
expect_verify_fails "tokyo/5"
cp "$WORK/t.bundle" "$WORK/swapped.bundle" # its checkpoints fork the honest ones (case 6)

# 4. The tail cut: the last message (tokyo/6) and its receipt (beijing/6) deleted, and a
#    checkpoint of the shorter log signed anew. Nothing in the export contradicts it, so it
#    verifies, but the verdict must not claim more than was witnessed: no checkpoint of it is
#    cosigned by beijing.
rewrite "DELETE FROM entries WHERE (origin = 'tokyo' AND seq = 6) OR (origin = 'beijing' AND seq = 6);"
wait_link_up tokyo beijing
expect_alarm 4 "shrank"
for _ in $(seq 1 50); do
	cli tokyo --json record status | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if (r.get("checkpoint") or {}).get("size") == r["size"] else 1)' && break
	sleep 0.1
done
cli tokyo record export "$WORK/cut.bundle" >/dev/null || fail "export after the cut"
st=0; cli tokyo record verify --charter "$WORK/charter" "$WORK/cut.bundle" > "$WORK/cut.verify" 2>&1 || st=$?
grep "^verdict" "$WORK/cut.verify"
[ "$st" -eq 0 ] || { cat "$WORK/cut.verify"; fail "the cut record should verify as consistent (exit $st)"; }
grep -q "^verdict: *NOT WITNESSED" "$WORK/cut.verify" || { cat "$WORK/cut.verify"; fail "the verdict of a cut tail claims it was witnessed"; }
grep -q "nothing altered, dropped" "$WORK/cut.verify" && fail "the verdict of a cut tail says nothing was dropped"

# 5. Only the last message (tokyo/6) deleted: tokyo's own seqs still run 1..5 without a gap,
#    but beijing's signed receipt of tokyo/6 is still in the log and names it.
rewrite "DELETE FROM entries WHERE origin = 'tokyo' AND seq = 6;"
wait_link_up tokyo beijing
expect_alarm 5 "shrank"
expect_verify_fails "tokyo/6, which the record does not hold"

# 6. The honest bundle with a second, forged checkpoint for an existing size.
python3 - "$WORK/honest.bundle" "$WORK/swapped.bundle" "$WORK/forked.bundle" <<'PY'
import json, sys
honest, altered = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
honest["checkpoints"] = honest["checkpoints"] + [c for c in altered["checkpoints"]]
json.dump(honest, open(sys.argv[3], "w"))
PY
if cli tokyo record verify --charter "$WORK/charter" "$WORK/forked.bundle" > "$WORK/f.verify" 2>&1; then fail "verify accepted two histories"; fi
grep "^verdict" "$WORK/f.verify"
pass "byte change, deletion, a cut tail and forged checkpoints each caught by the witness and by verify (the cut tail as not witnessed)"
