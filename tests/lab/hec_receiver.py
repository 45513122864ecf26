#!/usr/bin/env python3
"""hec_receiver.py — a small Splunk HTTP Event Collector for the tests.

    hec_receiver.py --token T --port-file F --events OUT.ndjson --log LOG.ndjson
                    [--port 0] [--fail-first N] [--tls-cert C --tls-key K]
                    [--max-seconds 120] [--max-requests 10000]

Listens on 127.0.0.1 (run it inside the scanner namespace), writes the port it
got to --port-file once it listens, and answers POSTs the way Splunk's HEC
does (services/collector/event, HTTP/1.1 keep-alive):
  - wrong path                       -> 404 {"text":"The requested URL was not found on this server.","code":404}
  - no Authorization: Splunk header  -> 401 {"text":"Token is required","code":2}
  - another token                    -> 403 {"text":"Invalid token","code":4}
  - the first --fail-first requests  -> 503 {"text":"Server is busy","code":9}
                                        (the second of them also closes the connection)
  - a body that is not stacked JSON envelopes with time (number), host,
    source, sourcetype (strings) and event (object) -> 400 {"text":"Invalid data format","code":6}
  - otherwise                        -> 200 {"text":"Success","code":0}, and every
    event line of the body is appended, as received, to --events.
Each request adds one JSON line to --log: path, status, events, the
connection's request number (keep-alive reuse), whether the
Authorization header matched, the Content-Type. It stops after --max-seconds
or --max-requests. Python standard library only.
"""
import argparse
import http.server
import json
import os
import ssl
import sys
import threading
import time

LOCK = threading.Lock()
STATE = {"requests": 0}


def envelope_ok(obj):
    if not isinstance(obj, dict):
        return False
    if not isinstance(obj.get("time"), (int, float)) or isinstance(obj.get("time"), bool):
        return False
    for k in ("host", "source", "sourcetype"):
        if not isinstance(obj.get(k), str):
            return False
    return isinstance(obj.get("event"), dict)


def split_events(body):
    """The envelopes of a body, one per line (portus stacks them with '\\n');
    None when any line is not a valid envelope."""
    lines = [l for l in body.split(b"\n") if l.strip()]
    out = []
    for l in lines:
        try:
            obj = json.loads(l.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not envelope_ok(obj):
            return None
        out.append(l)
    return out or None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server_version = "hec-receiver"

    def log_message(self, *args):
        pass

    def reply(self, status, text, code, close=False):
        body = json.dumps({"text": text, "code": code}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        opts = self.server.opts
        self.conn_requests = getattr(self, "conn_requests", 0) + 1
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length > 0 else b""
        auth = self.headers.get("Authorization")
        with LOCK:
            STATE["requests"] += 1
            nreq = STATE["requests"]
        events = []
        if self.path != "/services/collector/event":
            status = 404
            self.reply(404, "The requested URL was not found on this server.", 404)
        elif auth is None or not auth.startswith("Splunk "):
            status = 401
            self.reply(401, "Token is required", 2)
        elif auth != "Splunk " + opts.token:
            status = 403
            self.reply(403, "Invalid token", 4)
        elif nreq <= opts.fail_first:
            status = 503
            self.reply(503, "Server is busy", 9, close=(nreq == 2))
        else:
            events = split_events(body)
            if events is None:
                status = 400
                events = []
                self.reply(400, "Invalid data format", 6)
            else:
                status = 200
                self.reply(200, "Success", 0)
        with LOCK:
            if events:
                with open(opts.events, "ab") as f:
                    for e in events:
                        f.write(e + b"\n")
            with open(opts.log, "a") as f:
                f.write(json.dumps({
                    "n": nreq, "path": self.path, "status": status, "events": len(events),
                    "conn_request": self.conn_requests,
                    "auth_ok": auth == "Splunk " + opts.token,
                    "content_type": self.headers.get("Content-Type"),
                    "bytes": len(body),
                }) + "\n")
        if nreq >= opts.max_requests:
            threading.Thread(target=self.server.shutdown, daemon=True).start()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--max-seconds", type=float, default=120)
    ap.add_argument("--max-requests", type=int, default=10000)
    opts = ap.parse_args()

    for p in (opts.events, opts.log):
        open(p, "w").close()
    srv = Server(("127.0.0.1", opts.port), Handler)
    srv.opts = opts
    if opts.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, opts.port_file)
    stop = threading.Timer(opts.max_seconds, srv.shutdown)
    stop.daemon = True
    stop.start()
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
