"""netns.py - the fault suite's network: two namespaces (one per station)
joined by a veth pair, and the faults that act on it: a partition and packet
loss with nftables, a slow link with tc tbf. Needs root, iproute2 and nft.

Each namespace holds one node; its API is the Unix socket in its node
directory, which the checks reach from outside any namespace; the CLI runs
inside its node's namespace (in_netns) only for the peer links it reports."""
import contextlib, ctypes, os, subprocess

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)

def run(*args, check=True, stdin=None):
    """Runs a command; on failure raises with its stderr (these are set-up steps, not the test)."""
    r = subprocess.run(list(args), input=stdin, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r

@contextlib.contextmanager
def in_netns(name):
    """Moves the calling thread (only it: setns is per thread) into netns NAME for the block."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {name}")
        yield
    finally:
        _libc.setns(home, CLONE_NEWNET)
        os.close(target)
        os.close(home)

class Net:
    """Two namespaces, `lia<tag>b` (beijing, 10.77.0.1) and `lia<tag>t` (tokyo, 10.77.0.2)."""
    ADDR = {"beijing": "10.77.0.1", "tokyo": "10.77.0.2"}

    def __init__(self, tag):
        self.ns = {"beijing": f"lia{tag}b", "tokyo": f"lia{tag}t"}
        self.veth = {"beijing": f"lf{tag}b", "tokyo": f"lf{tag}t"}

    def up(self):
        self.down()
        for node in self.ns:
            run("ip", "netns", "add", self.ns[node])
        run("ip", "link", "add", self.veth["beijing"], "type", "veth", "peer", "name", self.veth["tokyo"])
        for node, ns in self.ns.items():
            run("ip", "link", "set", self.veth[node], "netns", ns)
            run("ip", "-n", ns, "addr", "add", self.ADDR[node] + "/24", "dev", self.veth[node])
            run("ip", "-n", ns, "link", "set", self.veth[node], "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")

    def down(self):
        for ns in self.ns.values():
            run("ip", "netns", "del", ns, check=False)

    def exec_prefix(self, node):
        return ["ip", "netns", "exec", self.ns[node]]

    def _nft_drop(self, verdict):
        """Puts `verdict` on every packet crossing tokyo's veth, in and out (so each packet once)."""
        v = self.veth["tokyo"]
        rules = (f"table inet liafault {{\n"
                 f" chain in {{ type filter hook input priority 0; iifname \"{v}\" {verdict}; }}\n"
                 f" chain out {{ type filter hook output priority 0; oifname \"{v}\" {verdict}; }}\n}}\n")
        run(*self.exec_prefix("tokyo"), "nft", "-f", "-", stdin=rules)

    def partition(self):
        self._nft_drop("drop")

    def loss(self, percent):
        self._nft_drop(f"numgen random mod 100 < {int(percent)} drop")

    def slow(self, rate):
        for node, ns in self.ns.items():
            run("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", self.veth[node], "root",
                "tbf", "rate", rate, "burst", "16kbit", "latency", "500ms")

    def heal(self):
        run(*self.exec_prefix("tokyo"), "nft", "delete", "table", "inet", "liafault", check=False)
        for node, ns in self.ns.items():
            run("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", self.veth[node], "root",
                check=False)
