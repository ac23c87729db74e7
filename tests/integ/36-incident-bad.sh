#!/usr/bin/env bash
# 36-incident-bad: a peer station (the rogue, as china's beihai) sends tokyo
# validly signed incident entries: an open and a proposal, which tokyo
# stores, then a confirmation of its own proposal and an attach of an entry
# tokyo never received, which tokyo refuses in error frames (code 2) while
# keeping the link. The incident stays open with the proposal pending, and
# the hostile API bodies for incidents are refused with 400/404/409.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad
before=$(tokyo_entries)
rogue_run incident 3 --to tokyo
rogue_said "^rx error 2: incident confirm beihai/[0-9]+: confirms beihai/[0-9]+, a proposal of its own side \(china\)"
rogue_said "^rx error 2: incident attach beihai/[0-9]+: attaches beihai/[0-9]+, which is not stored here"
tokyo_logged "link beihai: rejected: incident confirm beihai/[0-9]+: .*its own side"
after=$(tokyo_entries)
[ "$after" = "$((before + 2))" ] || fail "tokyo went from $before to $after entries (expected the open and the proposal only)"
inc=$(cli tokyo --json incident list | python3 -c 'import json,sys; print([i["id"] for i in json.load(sys.stdin)["incidents"] if i["opened_by"]=="beihai"][0])') ||
	fail "beihai's incident not listed at tokyo"
cli tokyo --json incident show "$inc" > "$WORK/inc.json"
python3 - "$WORK/inc.json" <<'PY' || fail "beihai's incident wrong at tokyo: $(cat "$WORK/inc.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "open" and d["parties"] == ["china", "japan"], d
assert [s["action"] for s in d["timeline"]] == ["open", "propose"], d
assert len(d["pending"]) == 1 and d["pending"][0]["state"] == "contained", d
PY
tokyo_serves "after the incident attack"
pass "rogue incident: open and proposal stored, own confirmation and phantom attach refused, link kept"

# Hostile API requests: each refused with a reason, nothing stored.
api() { # api METHOD PATH [BODY] -> prints "STATUS BODY"
	PYTHONPATH="$(dirname "$0")" python3 - "$WORK/tokyo" "$@" <<'PY'
import sys, api_http
d, method, path = sys.argv[1], sys.argv[2], sys.argv[3]
body = sys.argv[4] if len(sys.argv) > 4 else None
c = api_http.connect(d, timeout=10)
h = api_http.headers(d)
h["Content-Type"] = "application/json"
c.request(method, path, body, h)
r = c.getresponse()
print(r.status, r.read().decode())
PY
}
expect_api() { # expect_api STATUS WORDS METHOD PATH [BODY]
	local want=$1 words=$2 got
	shift 2
	got=$(api "$@") || fail "API request $* failed"
	[[ "$got" == "$want "* ]] || fail "$*: expected $want, got $got"
	grep -qF -- "$words" <<< "$got" || fail "$*: the reason does not say \"$words\": $got"
}
before=$(tokyo_entries)
expect_api 400 'must hold 1 to 256 bytes' POST /v1/incidents '{"to":"china","title":""}'
expect_api 400 'is required (the other party' POST /v1/incidents '{"title":"x"}'
expect_api 409 'japan' POST /v1/incidents '{"to":"japan","title":"x"}'
expect_api 400 'go together' POST /v1/incidents '{"to":"china","title":"x","lat":1}'
expect_api 400 'is not known here' POST /v1/incidents '{"to":"china","title":"x","extra":1}'
expect_api 404 'no entry' POST /v1/incidents '{"to":"china","title":"x","signal":"beijing/999"}'
expect_api 404 'no incident' POST /v1/incidents/tokyo/999/note '{"text":"x"}'
expect_api 404 'not of the form' GET /v1/incidents/nonsense
expect_api 404 'actions' POST "/v1/incidents/$inc/reopen" '{}'
expect_api 400 'contained or closed' POST "/v1/incidents/$inc/propose" '{"state":"open","reason":"x"}'
expect_api 409 'not a proposal stored here' POST "/v1/incidents/$inc/confirm" "{\"proposal\":\"$inc\"}"
expect_api 400 'control character' POST "/v1/incidents/$inc/note" '{"text":"a\u0007b"}'
expect_api 405 '' GET "/v1/incidents/$inc/note"
# The operator signed into an incident entry follows an ack's rules.
expect_api 400 'must not hold control characters' POST "/v1/incidents/$inc/note" '{"text":"x","operator":"Wang\u001b[2J"}'
expect_api 400 'must not hold control characters' POST "/v1/incidents/$inc/note" '{"text":"x","operator":"Wang\u202egnaW"}'
expect_api 400 'must hold 1 to 64 bytes' POST "/v1/incidents/$inc/note" '{"text":"x","operator":""}'
expect_api 400 'must hold 1 to 64 bytes' POST /v1/incidents "{\"to\":\"china\",\"title\":\"x\",\"operator\":\"$(printf 'x%.0s' $(seq 65))\"}"
expect_api 400 'operator' POST "/v1/incidents/$inc/note" '{"text":"x","operator":7}'
after=$(tokyo_entries)
[ "$after" = "$before" ] || fail "refused API requests stored entries ($before -> $after)"
pass "hostile incident API requests refused with reasons, nothing stored"
