"""netns_http.py - HTTP to a node's API when the node runs in a network
namespace: NETNS_<node>=<name> in the environment names it. The socket is
created inside the namespace (setns around connect), then used from here."""
import ctypes, http.client, os

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)

def connect(node, host, port, timeout=30):
    ns = os.environ.get(f"NETNS_{node}")
    if not ns:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.connect()
        return conn
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {ns}")
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.connect()
    finally:
        _libc.setns(own, CLONE_NEWNET)
        os.close(own)
        os.close(target)
    return conn
