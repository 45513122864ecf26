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
  garbage reads the ClientHello, answers 4 KiB of random bytes (first 0x00), closes
  drip    answers a TLS record header announcing 255 bytes, then one byte a second
and a "tls" server's "banner" (hostile endpoints) changes its answer to HEAD /:
  ok (the default), stall (never answers, holds the connection), big and
  hostile (the status line and Server: value of the truth's hostile_banners),
  rst (resets the connection instead of answering).
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
import random
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


def hold(sock, seconds):
    """Reads and discards until EOF, an error or `seconds` have passed."""
    end = time.monotonic() + seconds
    got = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, OSError):
            break
        if not chunk:
            break
        got += len(chunk)
    return got


def handle_tls(conn, ep, ctx, rec, banners):
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
    mode = ep["server"].get("banner", "ok")
    if not rec["request"]:
        pass
    elif mode == "stall":
        rec["held_bytes"] = hold(s, SILENT_HOLD)
        return
    elif mode == "rst":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        rec["reset"] = True
        return  # serve_one closes: RST
    elif mode in ("big", "hostile"):
        st = bytes.fromhex(banners[f"{mode}_status"])
        sv = bytes.fromhex(banners[f"{mode}_server"])
        s.sendall(st + b"\r\nServer: " + sv + b"\r\n\r\n")
        rec["answered"] = True
    else:
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
    rec["bytes_received"] = hold(conn, SILENT_HOLD)


def handle_garbage(conn, rec):
    conn.settimeout(2.0)
    try:
        rec["first_bytes"] = conn.recv(MAX_REQUEST)[:16].hex()
    except OSError:
        pass
    junk = bytearray(random.Random(4242).randbytes(4096))
    junk[0] = 0x00  # no TLS content type
    conn.sendall(bytes(junk))
    rec["sent"] = len(junk)


def handle_drip(conn, rec):
    conn.sendall(b"\x16\x03\x03\x00\xff")  # handshake record, TLS 1.2, 255 bytes follow
    sent = 5
    end = time.monotonic() + SILENT_HOLD
    try:
        while time.monotonic() < end and sent < 5 + 255:
            time.sleep(1.0)
            conn.sendall(b"\x00")
            sent += 1
    except OSError:
        pass
    rec["sent"] = sent


def serve_one(conn, peer, ep, ctx, log, slots, banners):
    start = time.monotonic()
    rec = {"ev": "done", "server": ep["name"], "ip": ep["ip"], "port": ep["port"], "peer": f"{peer[0]}:{peer[1]}"}
    try:
        conn.settimeout(IO_TIMEOUT)
        kind = ep["kind"]
        if kind == "tls":
            handle_tls(conn, ep, ctx, rec, banners)
        elif kind == "http":
            handle_http(conn, ep, rec)
        elif kind == "silent":
            handle_silent(conn, rec)
        elif kind == "garbage":
            handle_garbage(conn, rec)
        elif kind == "drip":
            handle_drip(conn, rec)
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


def accept_loop(lsock, ep, ctx, log, slots, banners):
    while True:
        try:
            conn, peer = lsock.accept()
        except OSError:
            time.sleep(0.01)
            continue
        who = dict(server=ep["name"], ip=ep["ip"], port=ep["port"], peer=f"{peer[0]}:{peer[1]}")
        log.write(ev="accept", **who)
        if ep["kind"] == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            log.write(ev="done", reset=True, **who)
            continue
        if not slots.acquire(blocking=False):
            conn.close()
            log.write(ev="done", error="overload: closed at accept", **who)
            continue
        threading.Thread(target=serve_one, args=(conn, peer, ep, ctx, log, slots, banners), daemon=True).start()


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
    banners = truth.get("hostile_banners", {})
    for ep in truth["endpoints"] + truth.get("hostile_endpoints", []):
        if ep["kind"] == "closed":
            continue
        ctx = make_context(base, ep["server"]) if ep["kind"] == "tls" else None
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ep["ip"], ep["port"]))
        s.listen(1024)
        listeners.append((s, ep, ctx))
    for s, ep, ctx in listeners:
        threading.Thread(target=accept_loop, args=(s, ep, ctx, log, slots, banners), daemon=True).start()
    with open(os.path.join(logdir, "ready.tmp"), "w", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    os.rename(os.path.join(logdir, "ready.tmp"), os.path.join(logdir, "ready"))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
