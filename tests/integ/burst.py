#!/usr/bin/env python3
"""burst.py WORK FROM TO COUNT PRECEDENCE - posts COUNT messages FROM -> TO
through FROM's API on one kept-alive connection (fast enough for bursts of
thousands), appending "id text" to WORK/sent-FROM as each is committed, as
the CLI-driven tests do. The API is FROM's Unix socket (api_http.py)."""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_http

def main():
    work, src, dst, count, prec = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    conn = api_http.connect(f"{work}/{src}")
    hdrs = api_http.headers(f"{work}/{src}", body=True)
    out = open(f"{work}/sent-{src}", "a", buffering=1)
    for i in range(1, count + 1):
        text = f"{src}-{i}"
        body = json.dumps({"to": dst, "precedence": prec, "text": text})
        conn.request("POST", "/v1/messages", body=body, headers=hdrs)
        r = conn.getresponse()
        reply = r.read()
        if r.status != 201:
            sys.exit(f"send {i}: {r.status} {reply[:200]!r}")
        out.write(f"{json.loads(reply)['id']} {text}\n")

main()
