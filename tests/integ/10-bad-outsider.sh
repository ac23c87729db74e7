#!/usr/bin/env bash
# 10-bad-outsider: certificates the charter does not vouch for never get a
# link to tokyo: a node of a party that is not in the charter (its CA is
# unknown, so the TLS handshake fails), a node that a charter party issued
# under a name the charter does not list, and a japan certificate that calls
# itself beijing. And a charter node that tokyo dials itself (xiamen sorts
# after tokyo) may not dial tokyo. Each time tokyo logs the refusal and goes
# on serving.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rogue.sh"

setup_bad xiamen:china:station

"$LIAISON" party create --name russia --dir "$WORK/party-russia" >/dev/null
"$LIAISON" node issue --party "$WORK/party-russia" --name vladivostok --role station \
	--dir "$WORK/vladivostok" >/dev/null
rogue_run valid 4 --key "$WORK/vladivostok"
rogue_said '^refused'
tokyo_logged 'refused an incoming connection: TLS handshake failed'
tokyo_serves "after the outsider"
pass "outsider: a certificate from a party CA not in the charter fails the TLS handshake"

"$LIAISON" node issue --party "$WORK/party-china" --name shanghai --role station \
	--dir "$WORK/shanghai" >/dev/null
rogue_run valid 4 --key "$WORK/shanghai"
rogue_said "^refused before the peer's hello: "
tokyo_logged 'refused an incoming connection: .*shanghai'
tokyo_serves "after the unlisted node"
pass "unlisted: a china certificate for a node the charter does not list is refused"

"$LIAISON" node issue --party "$WORK/party-japan" --name beijing --role station \
	--dir "$WORK/fake-beijing" >/dev/null
rogue_run valid 4 --key "$WORK/fake-beijing"
rogue_said "^refused before the peer's hello: "
tokyo_logged 'refused an incoming connection: .*beijing'
if tail -n +"$((LOG_MARK + 1))" "$WORK/tokyo.log" | grep -E 'link beijing: (dropped|a new connection)'; then
	fail "the impostor disturbed tokyo's link with the real beijing"
fi
tokyo_serves "after the impostor"
pass "impostor: a japan certificate named beijing is refused; the real beijing keeps its link"

rogue_run valid 4 --key "$WORK/xiamen"
rogue_said "^refused before the peer's hello: "
tokyo_logged 'refused an incoming connection: xiamen dialled us, but tokyo dials xiamen'
tokyo_serves "after the wrong dialler"
pass "wrong dialler: xiamen, which tokyo dials, may not dial tokyo"

inbox_is beihai
inbox_is xiamen
inbox_is vladivostok
inbox_is shanghai
served_all
pass "tokyo's inbox holds beijing's messages only"
