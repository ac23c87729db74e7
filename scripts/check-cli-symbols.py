#!/usr/bin/env python3
"""check-cli-symbols.py - the CLI `liaison` holds no daemon code.

Runs `nm` on the built CLI and fails, naming each symbol, when it defines or
references any symbol of the daemon: the TLS session and link, the radio, the
API server, the store, the engine (node, record witnessing, relay, link tests,
deadline timers), SQLite or libssl. The CLI may use base/, format/ and
verify/ only, and reaches the daemon through its HTTP API (cli/httpc.c).

Usage: check-cli-symbols.py LIAISON [DAEMON_LIB.a ...]
Every global symbol defined in a DAEMON_LIB (the store, engine, net and api
static libraries) is forbidden too, so that a new daemon module is covered
without editing this list. Exit status 0 when clean, 1 otherwise.
Standard library only, plus nm from binutils.
"""
import re
import subprocess
import sys

# Symbols of the daemon by name (issue 9): a prefix match unless it ends in $.
FORBIDDEN = [
    r"lia_session_", r"lia_link_", r"lia_net_", r"lia_radio_", r"lia_node_", r"lia_signer_",
    r"lia_admission_", r"lia_listen_pause_", r"lia_api_", r"lia_store_",
    r"lia_record_", r"lia_relay_", r"lia_linktest_", r"lia_deadline_(start|stop|rearm|sent|received"
    r"|answered|acked_here|notice_in)$", r"lia_incident_(party_of|decide|accept)$",
    r"sqlite3_", r"SSL_", r"bufferevent_openssl_", r"evconnlistener_", r"evhttp_bind_", r"evhttp_new$",
]


def nm(path, *flags):
    out = subprocess.run(["nm", *flags, path], check=True, capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.endswith(":"):
            syms.add(parts[-1].split("@")[0])
    return syms


def main(argv):
    if len(argv) < 2:
        print("usage: check-cli-symbols.py LIAISON [DAEMON_LIB.a ...]")
        return 2
    cli = nm(argv[1])
    daemon = set()
    for lib in argv[2:]:
        daemon |= {s for s in nm(lib, "-g", "--defined-only") if not s.startswith("__")}
    pattern = re.compile("^(" + "|".join(FORBIDDEN) + ")")
    bad = sorted(s for s in cli if pattern.match(s) or s in daemon)
    for s in bad:
        print(f"{argv[1]}: daemon symbol {s}")
    if bad:
        print(f"check-cli-symbols: {len(bad)} daemon symbol(s) in the CLI")
        return 1
    print(f"check-cli-symbols: {len(cli)} symbols in {argv[1]}, none of the daemon "
          f"({len(daemon)} daemon-library symbols and {len(FORBIDDEN)} patterns checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
