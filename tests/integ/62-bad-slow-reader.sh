#!/usr/bin/env bash
# 62-bad-slow-reader: a peer (the rogue as beihai) sends 14 MB of proof
# requests and never reads a reply. Each reply is ~25 times its request;
# before back-pressure tokyo buffered them all (RSS from 10 to 361 MB). Now
# tokyo stops reading a peer whose output does not drain, so its memory
# stays bounded; the silent link is dropped, and beijing is still served.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad
tokyo_serves "before the flood"
tpid=$(cat "$WORK/tokyo.pid")
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
rss0=$(kb "$tpid" VmRSS)
before=$(tokyo_entries)
rogue_run proof-flood "0|3" --to beijing
rogue_said "^tx [0-9]+ proof requests"
hwm=$(kb "$tpid" VmHWM)
grown=$(( (hwm - rss0) / 1024 ))
echo "tokyo: RSS $((rss0 / 1024)) MB before, peak $((hwm / 1024)) MB during the flood (+$grown MB)"
[ "$grown" -lt 48 ] || fail "tokyo grew by $grown MB for a peer that does not read"
after=$(tokyo_entries)
[ "$after" = "$before" ] || fail "tokyo's store went from $before to $after entries"
tokyo_serves "after the flood"
served_all
pass "a peer that never reads: tokyo grew $grown MB at most, still serves beijing"
