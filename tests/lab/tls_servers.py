#!/usr/bin/env python3
"""tls_servers.py — the servers of the portus TLS lab, one per address, port 443.

    tls_servers.py TRUTH.json LOGDIR        (run inside the TLS lab namespace)

TRUTH.json comes from tls_certs.py (certificate paths are relative to its
directory). For each endpoint, by its "kind":
  tls     python ssl server with that endpoint's chain and key, protocol range
          and cipher list; after the handshake reads one request (HEAD / ...)
          and answers "HTTP/1.1 200 OK\\r\\nServer: lab-NAME\\r\\n\\r\\n"
  http    plain HTTP on 443: reads what comes, answers "HTTP/1.1 400 Bad Request"
  silent  accepts and never speaks (closes after SILENT_HOLD seconds)
  reset   accepts and resets the connection at once (SO_LINGER 0)
  closed  nothing listens
Bounded: at most MAX_CONNS connections handled at once (more are closed at
accept), every read has a timeout, requests are capped at MAX_REQUEST bytes.

LOGDIR/connections.ndjson: one line when a connection is accepted
({"ev":"accept",...}) and one when it ends ({"ev":"done",...} with the TLS
version, cipher, SNI received, request line, Host header, or the error).
LOGDIR/ready is written (with the pid) once every socket listens.
Standard library only (the ssl module of Debian's python3 / OpenSSL 3).
"""
import json
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import warnings

MAX_CONNS = 256
MAX_REQUEST = 8192
IO_TIMEOUT = 10.0
SILENT_HOLD = 30.0

warnings.filterwarnings("ignore", category=DeprecationWarning)  # TLSv1 / TLSv1_1 on purpose

VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1, encoding="utf-8")
        self.lock = threading.Lock()

    def write(self, **rec):
        rec["t"] = round(time.time(), 6)
        line = json.dumps(rec, ensure_ascii=True)
        with self.lock:
            self.f.write(line + "\n")


def make_context(base, srv):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # Ciphers first: a security level set here also decides which versions work.
    if srv.get("ciphers"):
        ctx.set_ciphers(srv["ciphers"])
    ctx.minimum_version = VERSIONS[srv["min_version"]]
    ctx.maximum_version = VERSIONS[srv["max_version"]]
    ctx.load_cert_chain(os.path.join(base, srv["cert_chain"]), os.path.join(base, srv["key"]))
    ctx.set_alpn_protocols(["http/1.1"])

    def on_sni(sslsock, server_name, _ctx):
        sslsock.lab_sni = server_name
        return None

    ctx.sni_callback = on_sni
    return ctx


def read_request(sock):
    """Reads up to the end of the headers (or MAX_REQUEST bytes, or EOF)."""
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < MAX_REQUEST:
        chunk = sock.recv(MAX_REQUEST - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def parse_request(buf):
    head = buf.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    host = None
    for ln in lines[1:]:
        if ln.lower().startswith(b"host:"):
            host = ln[5:].strip().decode("latin-1")
    return lines[0].decode("latin-1") if lines and lines[0] else None, host


def handle_tls(conn, ep, ctx, rec):
    s = ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
    try:
        s.do_handshake()
    except (ssl.SSLError, OSError) as e:
        rec["handshake"] = "error"
        rec["error"] = str(e)
        rec["sni"] = getattr(s, "lab_sni", None)
        return
    rec["handshake"] = "ok"
    rec["version"] = s.version()
    rec["cipher"] = s.cipher()[0]
    rec["alpn"] = s.selected_alpn_protocol()
    rec["sni"] = getattr(s, "lab_sni", None)
    try:
        buf = read_request(s)
    except (ssl.SSLError, OSError) as e:
        rec["read_error"] = str(e)
        return
    rec["request"], rec["host"] = parse_request(buf)
    rec["request_bytes"] = len(buf)
    if rec["request"]:
        s.sendall(f"HTTP/1.1 200 OK\r\nServer: {ep['server']['http_server']}\r\n\r\n".encode())
        rec["answered"] = True
    try:
        s.unwrap()  # close_notify; bounded by the socket timeout
    except (ssl.SSLError, OSError):
        pass


def handle_http(conn, ep, rec):
    try:
        buf = conn.recv(MAX_REQUEST)
    except OSError as e:
        rec["error"] = str(e)
        return
    rec["first_bytes"] = buf[:16].hex()
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nServer: " + ep["server"]["http_server"].encode() +
                 b"\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    rec["answered"] = True


def handle_silent(conn, rec):
    end = time.monotonic() + SILENT_HOLD
    got = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        conn.settimeout(left)
        try:
            chunk = conn.recv(4096)
        except socket.timeout:
            break
        except OSError:
            break
        if not chunk:
            break
        got += len(chunk)
    rec["bytes_received"] = got


def serve_one(conn, peer, ep, ctx, log, slots):
    start = time.monotonic()
    rec = {"ev": "done", "server": ep["name"], "ip": ep["ip"], "peer": f"{peer[0]}:{peer[1]}"}
    try:
        conn.settimeout(IO_TIMEOUT)
        kind = ep["kind"]
        if kind == "tls":
            handle_tls(conn, ep, ctx, rec)
        elif kind == "http":
            handle_http(conn, ep, rec)
        elif kind == "silent":
            handle_silent(conn, rec)
    except Exception as e:  # noqa: BLE001 - a test server logs, never dies
        rec["error"] = f"{type(e).__name__}: {e}"
    finally:
        try:
            conn.close()
        except OSError:
            pass
        rec["ms"] = round((time.monotonic() - start) * 1000, 1)
        log.write(**rec)
        slots.release()


def accept_loop(lsock, ep, ctx, log, slots):
    while True:
        try:
            conn, peer = lsock.accept()
        except OSError:
            time.sleep(0.01)
            continue
        log.write(ev="accept", server=ep["name"], ip=ep["ip"], peer=f"{peer[0]}:{peer[1]}")
        if ep["kind"] == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            log.write(ev="done", server=ep["name"], ip=ep["ip"], peer=f"{peer[0]}:{peer[1]}", reset=True)
            continue
        if not slots.acquire(blocking=False):
            conn.close()
            log.write(ev="done", server=ep["name"], ip=ep["ip"], peer=f"{peer[0]}:{peer[1]}",
                      error="overload: closed at accept")
            continue
        threading.Thread(target=serve_one, args=(conn, peer, ep, ctx, log, slots), daemon=True).start()


def main():
    if len(sys.argv) != 3:
        print("usage: tls_servers.py TRUTH.json LOGDIR", file=sys.stderr)
        return 2
    truth_path, logdir = sys.argv[1], sys.argv[2]
    base = os.path.dirname(os.path.abspath(truth_path))
    with open(truth_path, encoding="utf-8") as f:
        truth = json.load(f)
    os.makedirs(logdir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    log = Log(os.path.join(logdir, "connections.ndjson"))
    slots = threading.BoundedSemaphore(MAX_CONNS)
    listeners = []
    for ep in truth["endpoints"]:
        if ep["kind"] == "closed":
            continue
        ctx = make_context(base, ep["server"]) if ep["kind"] == "tls" else None
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ep["ip"], ep["port"]))
        s.listen(1024)
        listeners.append((s, ep, ctx))
    for s, ep, ctx in listeners:
        threading.Thread(target=accept_loop, args=(s, ep, ctx, log, slots), daemon=True).start()
    with open(os.path.join(logdir, "ready.tmp"), "w", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    os.rename(os.path.join(logdir, "ready.tmp"), os.path.join(logdir, "ready"))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
