#!/usr/bin/env python3
"""tls_load_servers.py — many TLS-stage endpoints from one process, for the
load test (tests/integration/test_tls_load.sh, tests/lab/tls_load_lab.sh).

    tls_load_servers.py TRUTH.json LOGDIR        (run inside the load namespace)

One listening socket on 0.0.0.0:PORT serves every address of the AnyIP range
in TRUTH.json; what a connection meets depends on the address it was made to
(getsockname), by its index i in the range (TRUTH "rule"):
  i % 3 == 0  ok     TLS handshake with TRUTH's certificate (cert.pem/key.pem
                     next to TRUTH.json), reads the request head, answers
                     "HTTP/1.1 200 OK\\r\\nServer: lab-load\\r\\n\\r\\n", closes
  i % 3 == 1  stall  accepts and never sends a byte; closed after HOLD seconds
  i % 3 == 2  reset  accepts and resets at once (SO_LINGER 0, then close)
Any address outside the range is reset too (and counted as "stray").

Why one asyncio process: 2,000 endpoints with a thread each (tls_servers.py's
model) would cost 2,000 threads; here a stalled connection is just a socket
in a list and a TLS one a protocol object. Accepting is done by hand
(loop.sock_accept) so a reset or stalled connection never gets a transport,
and an ok one is handed to loop.connect_accepted_socket(ssl=...) before any
byte is read (no ClientHello can be consumed by a plain transport first).

Bounded: at most MAX_OPEN connections open (more are reset at accept), TLS
handshake and request each have a timeout, requests are capped at MAX_REQUEST
bytes, stalled connections are closed after HOLD seconds.

LOGDIR/stats.json (rewritten at most every 0.5 s, atomically): counters by
group — accepted, tls_ok (handshakes done), answered (HEAD answered), reset,
tls_failed, held now, stray, over_limit. LOGDIR/ready (with the pid) once the
socket listens. Standard library only.
"""
import asyncio
import ipaddress
import json
import os
import signal
import socket
import ssl
import struct
import sys
import time

MAX_OPEN = 8192
MAX_REQUEST = 8192
IO_TIMEOUT = 10.0
HOLD = 30.0
ANSWER = b"HTTP/1.1 200 OK\r\nServer: lab-load\r\n\r\n"
GROUPS = ("ok", "stall", "reset")


class Stats:
    def __init__(self, path):
        self.path = path
        self.c = {"accepted": {g: 0 for g in GROUPS}, "tls_ok": 0, "answered": 0,
                  "reset": 0, "tls_failed": 0, "held": 0, "stray": 0, "over_limit": 0}
        self.dirty = True

    def bump(self, key, group=None):
        if group is None:
            self.c[key] += 1
        else:
            self.c[key][group] += 1
        self.dirty = True

    def write(self):
        if not self.dirty:
            return
        self.dirty = False
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.c, f, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.path)


class Answer(asyncio.Protocol):
    """One ok connection after its handshake: read the head, answer, close."""

    def __init__(self, srv):
        self.srv = srv
        self.buf = b""
        self.t = None
        self.timer = None

    def connection_made(self, transport):
        self.t = transport
        self.srv.stats.bump("tls_ok")
        self.timer = asyncio.get_running_loop().call_later(IO_TIMEOUT, transport.abort)

    def data_received(self, data):
        self.buf += data
        if b"\r\n\r\n" in self.buf or len(self.buf) > MAX_REQUEST:
            self.t.write(ANSWER)
            self.srv.stats.bump("answered")
            self.t.close()

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        if self.timer is not None:
            self.timer.cancel()
        self.srv.open -= 1


class Server:
    def __init__(self, truth, logdir):
        base = os.path.dirname(os.path.abspath(truth))
        with open(truth, encoding="utf-8") as f:
            t = json.load(f)
        self.first = int(ipaddress.IPv4Address(t["first"]))
        self.count = int(t["count"])
        self.port = int(t["port"])
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ctx.load_cert_chain(os.path.join(base, t["cert_file"]), os.path.join(base, t["key_file"]))
        self.ctx.set_alpn_protocols(["http/1.1"])
        self.stats = Stats(os.path.join(logdir, "stats.json"))
        self.logdir = logdir
        self.held = []  # (close time, socket), in accept order
        self.open = 0

    def group(self, addr):
        i = int(ipaddress.IPv4Address(addr)) - self.first
        if 0 <= i < self.count:
            return GROUPS[i % 3]
        return None

    @staticmethod
    def reset(conn):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    async def tls(self, conn):
        loop = asyncio.get_running_loop()
        try:
            await loop.connect_accepted_socket(lambda: Answer(self), conn, ssl=self.ctx,
                                               ssl_handshake_timeout=IO_TIMEOUT)
        except Exception:  # pylint: disable=broad-except  # any failed handshake
            self.stats.bump("tls_failed")
            self.open -= 1
            conn.close()

    async def housekeeping(self):
        while True:
            now = time.monotonic()
            while self.held and self.held[0][0] <= now:
                _, s = self.held.pop(0)
                s.close()
                self.open -= 1
            self.stats.c["held"] = len(self.held)
            self.stats.dirty = True
            self.stats.write()
            await asyncio.sleep(0.5)

    async def serve(self):
        loop = asyncio.get_running_loop()
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("0.0.0.0", self.port))
        ls.listen(4096)
        ls.setblocking(False)
        loop.create_task(self.housekeeping())
        with open(os.path.join(self.logdir, "ready"), "w", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
        tasks = set()
        while True:
            conn, _ = await loop.sock_accept(ls)
            conn.setblocking(False)
            group = self.group(conn.getsockname()[0])
            if group is None:
                self.stats.bump("stray")
                self.reset(conn)
                continue
            self.stats.bump("accepted", group)
            if self.open >= MAX_OPEN:
                self.stats.bump("over_limit")
                self.reset(conn)
                continue
            if group == "reset":
                self.stats.bump("reset")
                self.reset(conn)
            elif group == "stall":
                self.open += 1
                self.held.append((time.monotonic() + HOLD, conn))
            else:
                self.open += 1
                task = loop.create_task(self.tls(conn))
                tasks.add(task)
                task.add_done_callback(tasks.discard)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: tls_load_servers.py TRUTH.json LOGDIR")
    srv = Server(sys.argv[1], sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        asyncio.run(srv.serve())
    finally:
        srv.stats.write()


if __name__ == "__main__":
    main()
