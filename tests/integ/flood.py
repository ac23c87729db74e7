#!/usr/bin/env python3
"""flood.py - hostile load on loopback only, bounded in count and time.

  flood.py tls HOST PORT --conns N --seconds S [--reopen-per-s R]
      keeps up to N TCP connections open to HOST:PORT, each trickling a TLS
      ClientHello one byte at a time (a record header that promises 512
      bytes, then a byte every second or so), reopening closed ones at most
      R a second. Prints a JSON summary: opened, closed_by_peer, max_open.
  flood.py http HOST PORT --conns N --seconds S [--reopen-per-s R]
      the same with an HTTP request line trickled byte by byte.
  flood.py http-unix PATH 0 --conns N --seconds S [--reopen-per-s R]
      the same on the Unix socket PATH (a node's api.sock).
  flood.py udp HOST PORT --count N [--seconds S]
      sends N datagrams of random garbage (1..1400 bytes), as fast as it can
      but within S seconds. Prints {"sent": N}.

Refuses any address that is not 127.0.0.1 or ::1 (or, for http-unix, a
path that is not a socket). Raises its own open-file
limit to the hard limit (the point is to open more than the daemon may).
"""
import argparse
import json
import os
import random
import resource
import selectors
import socket
import sys
import time

LOOPBACK = ("127.0.0.1", "::1")


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def stream_flood(kind, host, port, conns, seconds, reopen_per_s):
    family = socket.AF_UNIX if kind == "http-unix" else \
        socket.AF_INET6 if ":" in host else socket.AF_INET
    target = host if kind == "http-unix" else (host, port)
    if kind == "tls":
        # TLS record: handshake (22), TLS 1.0 legacy version, 512 bytes to come; then ClientHello (1).
        prefix = bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])
    else:
        prefix = b"GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: "
    sel = selectors.DefaultSelector()
    live = {}  # sock -> bytes sent
    stats = {"opened": 0, "closed_by_peer": 0, "max_open": 0, "open_failed": 0}
    end = time.monotonic() + seconds
    tokens = float(conns)  # the first N at once, then reopen_per_s
    last = time.monotonic()
    next_trickle = 0.0

    def open_one():
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect_ex(target)
        except OSError:
            s.close()
            stats["open_failed"] += 1
            return
        live[s] = 0
        sel.register(s, selectors.EVENT_READ)
        stats["opened"] += 1

    def close(s, by_peer):
        sel.unregister(s)
        del live[s]
        s.close()
        if by_peer:
            stats["closed_by_peer"] += 1

    while time.monotonic() < end:
        now = time.monotonic()
        tokens = min(float(conns), tokens + (now - last) * reopen_per_s)
        last = now
        while len(live) < conns and tokens >= 1:
            tokens -= 1
            open_one()
        stats["max_open"] = max(stats["max_open"], len(live))
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                close(s, True)
        if now >= next_trickle:
            next_trickle = now + 0.5
            for s in list(live):
                n = live[s]
                byte = prefix[n:n + 1] if n < len(prefix) else b"a"
                try:
                    s.send(byte)
                    live[s] = n + 1
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    close(s, True)
    for s in list(live):
        close(s, False)
    return stats


def udp_flood(host, port, count, seconds):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    rnd = random.Random(1)
    end = time.monotonic() + seconds
    sent = 0
    blobs = [os.urandom(rnd.randint(1, 1400)) for _ in range(64)]
    while sent < count and time.monotonic() < end:
        try:
            s.sendto(blobs[sent % 64], (host, port))
            sent += 1
        except (BlockingIOError, InterruptedError, ConnectionRefusedError):
            pass
        except OSError:
            time.sleep(0.001)
    return {"sent": sent}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["tls", "http", "http-unix", "udp"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--conns", type=int, default=1500)
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--reopen-per-s", type=float, default=200)
    a = ap.parse_args()
    if a.kind == "http-unix":
        import stat
        if not stat.S_ISSOCK(os.stat(a.host).st_mode):
            sys.exit("flood.py: %s is not a socket" % a.host)
    elif a.host not in LOOPBACK:
        sys.exit("flood.py: only 127.0.0.1 or ::1")
    if a.seconds > 60 or a.conns > 5000 or a.count > 1000000:
        sys.exit("flood.py: bounded to 60 s, 5000 connections, 1,000,000 datagrams")
    nofile = raise_nofile()
    if a.kind == "udp":
        out = udp_flood(a.host, a.port, a.count, a.seconds)
    else:
        out = stream_flood(a.kind, a.host, a.port, a.conns, a.seconds, a.reopen_per_s)
    out["nofile"] = nofile
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
