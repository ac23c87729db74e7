"""api_http.py - HTTP to a node's API on its Unix socket NODEDIR/api.sock, as
the CLI reaches it. A Unix socket is a file, so a node running in a network
namespace is reached the same way from outside it."""
import http.client, json, os, socket

class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over an AF_UNIX stream socket (kept alive like any HTTP/1.1 connection)."""
    def __init__(self, sock_path, timeout=30):
        super().__init__("liaisond", timeout=timeout)
        self.sock_path = sock_path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.sock_path)
        self.sock = s

def connect(node_dir, timeout=30):
    """A connection to NODE_DIR/api.sock (opened on the first request)."""
    return UnixHTTPConnection(os.path.join(node_dir, "api.sock"), timeout)

def headers(node_dir, body=False):
    """The Authorization header with NODE_DIR's token (and Content-Type when a body is sent)."""
    token = open(os.path.join(node_dir, "api.token")).read().strip()
    h = {"Authorization": "Bearer " + token}
    if body:
        h["Content-Type"] = "application/json"
    return h

def request(node_dir, method, path, body=None, timeout=30):
    """One request on a fresh connection: (status, raw reply bytes)."""
    c = connect(node_dir, timeout)
    try:
        c.request(method, path, body, headers(node_dir, body is not None))
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()

def get_json(node_dir, path, timeout=30):
    """GET path; the parsed JSON of a 200 reply, else RuntimeError naming the status."""
    status, body = request(node_dir, "GET", path, timeout=timeout)
    if status != 200:
        raise RuntimeError(f"{node_dir} GET {path}: {status} {body[:200]!r}")
    return json.loads(body)
