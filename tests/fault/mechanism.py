"""mechanism.py - two stations (tokyo of japan, beijing of china) in the fault
suite's namespaces: parties, certificates, the charter, configs, each node
directory on its own small tmpfs (so its disk can be filled), the delay relay,
and starting, killing and querying the daemons.

Beijing sorts first, so it dials. The charter gives tokyo the relay's address
(in beijing's namespace), which forwards to where tokyo listens: the delay is
switched on and off without touching the charter, whose hash must not change."""
import glob, json, os, shutil, signal, subprocess, sys, time

from netns import Net, in_netns, run

HERE_INTEG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integ")
sys.path.insert(0, HERE_INTEG)
import api_http  # tests/integ/api_http.py

HERE = os.path.dirname(os.path.abspath(__file__))
NODES = ("beijing", "tokyo")
PARTY = {"beijing": "china", "tokyo": "japan"}
PEER_PORT, RELAY_PORT = 7000, 7001

def faketime_preload(liaisond):
    """LD_PRELOAD that runs liaisond under libfaketime, or None when it is not installed.
    Preloaded directly rather than through the faketime program, which forks (a signal
    to it would not reach liaisond). An ASan build linked with a shared libasan needs
    libasan first in the list, so it is named first then."""
    found = glob.glob("/usr/lib/*/faketime/libfaketime.so.1") + glob.glob("/usr/lib/faketime/libfaketime.so.1")
    if not found:
        return None
    r = subprocess.run(["ldd", liaisond], capture_output=True, text=True)
    asan = [w for line in r.stdout.splitlines() if "libasan" in line for w in line.split() if w.startswith("/")]
    return ":".join(asan[:1] + found[:1])

def other(node):
    return "tokyo" if node == "beijing" else "beijing"

class Mechanism:
    def __init__(self, work, net, liaison, liaisond, disk_mb=16, heartbeat=1):
        self.work, self.net, self.liaison, self.liaisond = work, net, liaison, liaisond
        self.disk_mb, self.heartbeat = disk_mb, heartbeat
        self.procs, self.skew, self.relay = {}, {}, None
        self.mounted = []

    def dir(self, node):
        return os.path.join(self.work, node)

    def setup(self):
        charter = ["mechanism jp-cn-maritime"]
        for node in NODES:
            party = PARTY[node]
            run(self.liaison, "party", "create", "--name", party, "--dir", f"{self.work}/party-{party}")
            os.link(f"{self.work}/party-{party}/ca.crt", f"{self.work}/{party}-ca.crt")
            charter.append(f"party {party} ca {party}-ca.crt")
        charter.append(f"node beijing party china role station address {Net.ADDR['beijing']}:{PEER_PORT}")
        charter.append(f"node tokyo party japan role station address {Net.ADDR['beijing']}:{RELAY_PORT}")
        with open(f"{self.work}/charter", "w") as f:
            f.write("\n".join(charter) + "\n")
        for node in NODES:
            d = self.dir(node)
            os.mkdir(d)
            # mode=0700: liaisond refuses a node directory open to others (tmpfs defaults to 1777).
            run("mount", "-t", "tmpfs", "-o", f"size={self.disk_mb}m,mode=0700", "tmpfs", d)
            self.mounted.append(d)
            run(self.liaison, "node", "issue", "--party", f"{self.work}/party-{PARTY[node]}",
                "--name", node, "--role", "station", "--dir", d)
            conf = f"node {node}\ncharter ../charter\nheartbeat {self.heartbeat}\n"
            if node == "tokyo":
                conf += f"listen {Net.ADDR['tokyo']}:{PEER_PORT}\n"
            with open(f"{d}/liaisond.conf", "w") as f:
                f.write(conf)

    # --- processes -------------------------------------------------------
    def start_relay(self, delay_s):
        log = open(f"{self.work}/relay.log", "a")
        self.relay = subprocess.Popen(
            self.net.exec_prefix("beijing") + [sys.executable, f"{HERE}/relay.py",
            f"{Net.ADDR['beijing']}:{RELAY_PORT}", f"{Net.ADDR['tokyo']}:{PEER_PORT}", str(delay_s)],
            stdout=log, stderr=subprocess.STDOUT)
        # Wait until it listens: a SIGUSR1 that came before its handler would kill it.
        for _ in range(100):
            with open(f"{self.work}/relay.log") as f:
                if "relay: " in f.read():
                    return
            if self.relay.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError("the relay did not start (see relay.log)")

    def relay_delay(self, on):
        self.relay.send_signal(signal.SIGUSR1 if on else signal.SIGUSR2)

    def start(self, node, skew=None):
        """Starts NODE's liaisond (under faketime when skew, e.g. "+7m") and waits for its API."""
        if skew is not None:
            self.skew[node] = skew
        skew = self.skew.get(node)
        # The preload goes through env(1) so that it reaches liaisond only, not ip(8):
        # libasan preloaded into a program built without it hangs.
        faked = ["env", f"LD_PRELOAD={faketime_preload(self.liaisond)}", f"FAKETIME={skew}"] if skew else []
        cmd = self.net.exec_prefix(node) + faked + [self.liaisond, "-d", self.dir(node)]
        log = open(f"{self.work}/{node}.log", "a")
        log.write(f"=== fault suite: start {node}{' with clock ' + skew if skew else ''}\n")
        log.flush()
        self.procs[node] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(150):
            if self.cli(node, "status").returncode == 0:
                return
            if self.procs[node].poll() is not None:
                raise AssertionError(f"liaisond {node} exited at start ({self.procs[node].returncode})")
            time.sleep(0.1)
        raise AssertionError(f"liaisond {node} did not answer its API within 15 s")

    def kill(self, node, sig=signal.SIGKILL):
        p = self.procs.pop(node, None)
        if p is None:
            return
        p.send_signal(sig)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def check_alive(self):
        """Raises if a daemon the suite did not stop has exited (a crash, an abort, ASan)."""
        for node, p in self.procs.items():
            if p.poll() is not None:
                raise AssertionError(f"liaisond {node} died by itself (exit {p.returncode}); see {node}.log")
        if self.relay is not None and self.relay.poll() is not None:
            raise AssertionError(f"the relay exited ({self.relay.returncode}); see relay.log")

    def stop_nodes(self):
        for node in list(self.procs):
            self.kill(node, signal.SIGTERM)

    def stop_all(self, keep=False):
        """Stops everything; with keep, each node directory is copied off its tmpfs first."""
        self.stop_nodes()
        if self.relay is not None:
            self.relay.kill()
            self.relay.wait()
            self.relay = None
        for d in self.mounted:
            if keep:
                shutil.copytree(d, d + ".kept", ignore_dangling_symlinks=True,
                                ignore=shutil.ignore_patterns("fill"))
            run("umount", "-l", d, check=False)
        self.mounted = []

    # --- disk --------------------------------------------------------------
    def fill_disk(self, node):
        """Fills NODE's tmpfs with one file, leaving no free block."""
        path = f"{self.dir(node)}/fill"
        with open(path, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * (1 << 20))
                    f.flush()
            except OSError:
                pass
            try:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
            except OSError:
                pass

    def free_disk(self, node):
        try:
            os.unlink(f"{self.dir(node)}/fill")
        except FileNotFoundError:
            pass

    # --- CLI and API ---------------------------------------------------------
    def cli(self, node, *args, timeout=30):
        """Runs the CLI in NODE's namespace: forked from this thread while it is in there
        (the child inherits the thread's namespace), cheaper than `ip netns exec` per call."""
        cmd = [self.liaison, "-d", self.dir(node), *args]
        try:
            with in_netns(self.net.ns[node]):
                return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(cmd, 124, "", "timed out")

    def api_get(self, node, path):
        """GET on NODE's API on its Unix socket (a file: reached from any namespace); the parsed JSON."""
        status, body = api_http.request(self.dir(node), "GET", path)
        if status != 200:
            raise AssertionError(f"{node} GET {path}: {status} {body[:200]!r}")
        return json.loads(body)
