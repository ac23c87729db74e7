# radio_lib.sh - helpers for the unit link tests (31-34): radio lines in
# liaisond.conf, and checks over `liaison signals --json`. Sourced after lib.sh.

# radio_conf NODE LISTEN RATE PEER:ADDR ... — appends the unit link lines.
radio_conf() {
	local n=$1 listen=$2 rate=$3 p
	shift 3
	{
		echo "radio listen $listen"
		echo "radio rate $rate"
		for p in "$@"; do echo "radio peer ${p%%=*} ${p#*=}"; done
	} >> "$WORK/$n/liaisond.conf"
}

# signal_ids NODE ORIGIN: the ids of ORIGIN's signals NODE holds, one a line, sorted.
signal_ids() {
	cli "$1" --json signals 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["signals"]:
    if s["id"].split("/")[0] == sys.argv[1]:
        print(s["id"])' "$2" | sort
}

# wait_signals NODE ORIGIN IDFILE SECONDS: NODE holds every id in IDFILE (origin ORIGIN), each once.
wait_signals() {
	local n=$1 origin=$2 want=$WORK/want-$1-$2 t=$4 i
	sort "$3" > "$want"
	for i in $(seq 1 "$t"); do
		signal_ids "$n" "$origin" > "$WORK/got-$n-$origin"
		if [ -z "$(comm -23 "$want" "$WORK/got-$n-$origin")" ]; then
			[ -z "$(sort "$WORK/got-$n-$origin" | uniq -d)" ] ||
				fail "$n holds some of $origin's signals twice"
			return 0
		fi
		sleep 1
	done
	fail "$n lacks $(comm -23 "$want" "$WORK/got-$n-$origin" | wc -l) of $origin's signals after $t s: $(comm -23 "$want" "$WORK/got-$n-$origin" | head -5 | tr '\n' ' ')"
}

# broadcast_ids NODE ORIGIN: like signal_ids, only the broadcasts (no `to`).
broadcast_ids() {
	cli "$1" --json signals 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["signals"]:
    if s["id"].split("/")[0] == sys.argv[1] and s["broadcast"] is True and s["to"] == "":
        print(s["id"])' "$2" | sort
}

# radio_field NODE PEER FIELD: one counter of `liaison radio --json`.
radio_field() {
	cli "$1" --json radio | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([p for p in d["peers"] if p["peer"] == sys.argv[1]][0][sys.argv[2]])' "$2" "$3"
}
