#!/usr/bin/env python3
"""check_delivery.py WORK SENDER RECEIVER TIMEOUT - waits until every message
SENDER committed is receipted, then checks that RECEIVER's inbox holds each of
them exactly once, in SENDER's order, and that each receipt's signature and
hash check (as reported by SENDER's API, which verifies them). The APIs are
reached on the nodes' Unix sockets (api_http.py), in a namespace or not."""
import json, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_http

def api(work, node):
    d = f"{work}/{node}"
    return lambda path: api_http.get_json(d, path)

def main():
    work, sender, receiver, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    sget, rget = api(work, sender), api(work, receiver)
    deadline = time.time() + timeout
    while True:
        out = [m for m in sget("/v1/messages?box=out&limit=1000000")["messages"] if m["to"] == receiver]
        queued = [m["id"] for m in out if m["state"] == "queued"]
        if not queued:
            break
        if time.time() > deadline:
            sys.exit(f"{len(queued)} of {len(out)} messages from {sender} still queued, e.g. {queued[:5]}")
        time.sleep(0.5)
    sent_ids = [m["id"] for m in out]
    client = [l.split()[0] for l in open(f"{work}/sent-{sender}")]
    missing = set(client) - set(sent_ids)
    assert not missing, f"ids the CLI printed but {sender} does not hold: {sorted(missing)[:5]}"
    inbox = [m["id"] for m in rget("/v1/messages?box=in&limit=1000000")["messages"] if m["origin"] == sender]
    dups = len(inbox) - len(set(inbox))
    assert dups == 0, f"{dups} duplicates in {receiver}'s inbox"
    assert set(inbox) == set(sent_ids), \
        f"{receiver} lacks {sorted(set(sent_ids) - set(inbox))[:5]}, has extra {sorted(set(inbox) - set(sent_ids))[:5]}"
    seqs = [int(i.split("/")[1]) for i in inbox]
    assert seqs == sorted(seqs), f"{receiver}'s inbox is not in {sender}'s order"
    texts = {l.split()[1] for l in open(f"{work}/sent-{sender}")}
    bad = 0
    for mid in sent_ids:
        d = sget(f"/v1/messages/{mid}")
        r = d["receipts"]
        if len(r) != 1 or not r[0]["signature"]["valid"] or not r[0]["hash_matches"] or not d["signature"]["valid"]:
            bad += 1
            print(f"bad receipt for {mid}: {r}", file=sys.stderr)
    assert bad == 0, f"{bad} messages without exactly one valid receipt"
    print(f"{sender} -> {receiver}: {len(sent_ids)} messages ({len(texts)} distinct texts), "
          f"each once in order at {receiver}, each with one valid receipt")

main()
