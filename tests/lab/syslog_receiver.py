#!/usr/bin/env python3
"""syslog_receiver.py — a strict syslog receiver for portus --syslog, and a
CEF reader for --format cef files. Standard library only.

    syslog_receiver.py listen --proto udp|tcp --port PORT --out FILE
        [--ndjson FILE] [--hostname NAME] [--ready FILE] [--timeout S] [--grace S]
    syslog_receiver.py convert CEF_FILE NDJSON_FILE

listen binds 127.0.0.1:PORT (run it inside the scanner namespace), touches
--ready once bound, and takes RFC 5424 messages: one per UDP datagram (RFC
5426), or octet-counted frames "LEN SP MSG" on TCP (RFC 6587; several
connections one after the other are fine). Each message must be exactly

    <PRI>1 TIMESTAMP HOSTNAME portus PROCID MSGID - CEF:0|...

with PRI = local0 (16) * 8 + the syslog severity of the CEF severity (0-3 -> 6,
4-6 -> 4, 7-8 -> 3, 9-10 -> 2), TIMESTAMP RFC 3339 UTC with microseconds,
HOSTNAME --hostname (or "-"), PROCID digits, MSGID the CEF Signature ID, no
structured data and no BOM. MSG is checked as a CEF line (below) and written to
--out, one per line, in arrival order; --ndjson also gets it as a portus
NDJSON record (for tests/integration/check_results.py). The receiver stops
--grace seconds after a run-summary message, or at --timeout (an error).

A CEF line must be valid UTF-8 with no control character (C0, DEL, C1), at
most 7,600 bytes, "CEF:0|portus|portus|VERSION|SIG|NAME|SEV|EXT" with only \\\\
and \\| escapes in the header, and EXT a run of key=value pairs (keys
[A-Za-z0-9]+, each only once, every csNLabel-style label next to its field)
whose values use only the escapes \\\\ \\= \\n \\r. The signature must be one of
portus's with its documented name and severity (port-open 3, port-closed /
port-filtered / host-up / host-down / run-summary 1, tls-endpoint 2-7).

A forced disconnect (what a syslog daemon cannot be told to do on cue):
--close-idle S closes the first TCP connection once it has delivered messages
and then been quiet for S seconds (a scan's quiet wait between passes), so no
message is in flight; portus must reconnect and lose nothing. --then-stop also
stops listening and exits: portus's reconnect is refused and every later
message must be counted as lost. --min-connections N fails with fewer.

Targets: dst (IPv4) or c6a3 "Destination IPv6 Address" (IPv6), the scanner
in src or c6a2 "Source IPv6 Address", an IPv6 ICMP sender in c6a4 "reasonIp".

convert reads a --format cef file the same strict way and writes the NDJSON.
Exit status: 0 all good, 1 any violation (the first ones are printed), 2 usage.
"""
import argparse
import ipaddress
import json
import os
import re
import selectors
import socket
import sys
import time

MAX_LINE = 7600
FACILITY = 16
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
KEY_RE = re.compile(r"^[A-Za-z0-9]+$")
SIGS = {
    "port-open": ("TCP port open", {3}),
    "port-closed": ("TCP port closed", {1}),
    "port-filtered": ("TCP port filtered", {1}),
    "host-up": ("Host up", {1}),
    "host-down": ("Host down", {1}),
    "tls-endpoint": ("TLS endpoint", set(range(2, 8))),
    "run-summary": ("Scan summary", {1}),
    "name-unresolved": ("Host name not resolved", {2}),
}


class Bad(Exception):
    pass


def syslog_severity(cef):
    if cef >= 9:
        return 2
    if cef >= 7:
        return 3
    if cef >= 4:
        return 4
    return 6


def check_text(raw):
    """bytes -> str: valid UTF-8 without C0, DEL or C1 controls."""
    try:
        s = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise Bad(f"not UTF-8: {e}")
    for ch in s:
        o = ord(ch)
        if o < 0x20 or o == 0x7F or 0x80 <= o <= 0x9F:
            raise Bad(f"control character U+{o:04X}")
    return s


def parse_cef(raw):
    """Returns (header list of 7, {key: value}) of one CEF line (bytes)."""
    if len(raw) > MAX_LINE:
        raise Bad(f"line of {len(raw)} bytes")
    s = check_text(raw)
    hdr, cur, i = [], [], 0
    while i < len(s) and len(hdr) < 7:
        c = s[i]
        if c == "\\":
            if i + 1 >= len(s) or s[i + 1] not in "\\|":
                raise Bad(f"bad header escape at {i}")
            cur.append(s[i + 1])
            i += 2
            continue
        if c == "|":
            hdr.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    if len(hdr) != 7:
        raise Bad("fewer than 7 header fields")
    if hdr[0] != "CEF:0":
        raise Bad(f"version {hdr[0]!r}")
    ext = s[i:]
    # Unescaped '=' positions end keys.
    eqs, j = [], 0
    while j < len(ext):
        if ext[j] == "\\":
            j += 2
            continue
        if ext[j] == "=":
            eqs.append(j)
        j += 1
    pairs = {}
    for n, e in enumerate(eqs):
        ks = ext.rfind(" ", 0, e) + 1
        if n == 0 and ks != 0:
            raise Bad("text before the first key")
        key = ext[ks:e]
        if not KEY_RE.match(key):
            raise Bad(f"bad key {key!r}")
        if key in pairs:
            raise Bad(f"key {key} twice")
        if n + 1 < len(eqs):
            vend = ext.rfind(" ", 0, eqs[n + 1])
            if vend < e + 1:
                raise Bad(f"no value separator after {key}")
        else:
            vend = len(ext)
        if vend == e + 1:
            raise Bad(f"empty value for {key} (portus leaves such keys out)")
        pairs[key] = unescape(ext[e + 1:vend])
    if ext and not eqs:
        raise Bad("extension without key=value")
    for k in pairs:
        if k.endswith("Label") and k[:-5] not in pairs:
            raise Bad(f"{k} without {k[:-5]}")
    for k in pairs:
        if re.match(r"^(cs\d|cn\d|c6a\d|cfp\d|flexString\d|flexNumber\d|deviceCustomDate\d)$", k) \
                and k + "Label" not in pairs:
            raise Bad(f"{k} without a label")
    return hdr, pairs


def unescape(v):
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\":
            if i + 1 >= len(v):
                raise Bad("dangling backslash")
            n = v[i + 1]
            if n not in "\\=nr":
                raise Bad(f"bad escape \\{n}")
            out.append({"\\": "\\", "=": "=", "n": "\n", "r": "\r"}[n])
            i += 2
            continue
        if c == "=":
            raise Bad("unescaped '=' in a value")
        out.append(c)
        i += 1
    return "".join(out)


def labelled(pairs, label):
    for k, v in pairs.items():
        if k.endswith("Label") and v == label:
            return pairs[k[:-5]]
    return None


def check_sig(hdr):
    if hdr[1:3] != ["portus", "portus"]:
        raise Bad(f"vendor/product {hdr[1:3]}")
    sig = hdr[4]
    if sig not in SIGS:
        raise Bad(f"unknown signature {sig!r}")
    name, sevs = SIGS[sig]
    if hdr[5] != name:
        raise Bad(f"{sig}: name {hdr[5]!r}")
    if not re.match(r"^(10|[0-9])$", hdr[6]) or int(hdr[6]) not in sevs:
        raise Bad(f"{sig}: severity {hdr[6]!r}")
    return sig, int(hdr[6])


def target(p):
    """The target's address: dst (IPv4) or c6a3 "Destination IPv6 Address"
    (IPv6; src/output/cef.h), never both."""
    v4 = p.get("dst")
    v6 = p.get("c6a3")
    if (v4 is None) == (v6 is None):
        raise Bad("a record needs exactly one of dst and c6a3")
    if v6 is not None:
        if p.get("c6a3Label") != "Destination IPv6 Address":
            raise Bad(f"c6a3Label {p.get('c6a3Label')!r}")
        try:
            a = ipaddress.IPv6Address(v6)
        except ValueError:
            raise Bad(f"c6a3 {v6!r} is not an IPv6 address")
        if a.ipv4_mapped is not None or str(a) != v6:
            raise Bad(f"c6a3 {v6!r} is not an RFC 5952 IPv6 address")
        return v6
    try:
        ipaddress.IPv4Address(v4)
    except ValueError:
        raise Bad(f"dst {v4!r} is not an IPv4 address")
    return v4


def scanner(p, sig):
    """Checks the scanner's address fields: src (IPv4) and/or c6a2 "Source
    IPv6 Address"; a record of a target of one family carries that family's."""
    if "c6a2" in p and p.get("c6a2Label") != "Source IPv6 Address":
        raise Bad(f"c6a2Label {p.get('c6a2Label')!r}")
    if sig == "run-summary" or sig == "name-unresolved":
        if "src" not in p and "c6a2" not in p:
            raise Bad(f"{sig} without src or c6a2")
        return
    if "c6a3" in p and "src" in p:
        raise Bad("an IPv6 target with an IPv4 src")
    if "dst" in p and "c6a2" in p:
        raise Bad("an IPv4 target with an IPv6 c6a2")
    if "dst" in p and "src" not in p:
        raise Bad("an IPv4 target without src")


def to_native(hdr, p):
    """The portus NDJSON record a CEF line stands for (what check_results reads)."""
    sig = hdr[4]
    if sig == "name-unresolved":
        rec = {"type": "resolve", "hostname": p["dhost"], "error": p["outcome"]}
        if p.get("reason") not in (None, p["outcome"]):
            rec["detail"] = p["reason"]
        rec["family"] = labelled(p, "family")
        rec["time"] = int(p["rt"])
        return rec
    if sig.startswith("port-"):
        state = sig[5:]
        if p.get("act") != state or p.get("proto") != "TCP":
            raise Bad(f"{sig} with act={p.get('act')} proto={p.get('proto')}")
        ttl = labelled(p, "ttl")
        rec = {"type": "port", "ip": target(p), "port": int(p["dpt"]), "proto": "tcp",
               "state": state, "reason": p["reason"],
               "ttl": int(ttl) if ttl is not None else None}
        # cs1 (IPv4) or c6a4 (IPv6) labelled "reasonIp"
        rip = labelled(p, "reasonIp")
        if rip is not None:
            rec["reason_ip"] = rip
        rec["time"] = int(p["rt"])
        return rec
    if sig.startswith("host-"):
        if p.get("act") != sig[5:]:
            raise Bad(f"{sig} with act={p.get('act')}")
        return {"type": "host", "ip": target(p), "state": p["act"], "reason": p["reason"],
                "time": int(p["rt"])}
    if sig == "run-summary":
        return {"type": "summary", "open": int(labelled(p, "open")),
                "closed": int(labelled(p, "closed")),
                "filtered": int(labelled(p, "filtered")),
                "hosts_down": int(labelled(p, "hostsDown")),
                "targets": int(labelled(p, "targets")),
                "interrupted": p.get("outcome") == "interrupted"}
    return {"type": "tls", "ip": target(p), "port": int(p["dpt"]), "outcome": p["outcome"],
            "severity": int(hdr[6])}


def check_line(raw):
    """bytes of one CEF line -> (signature, severity, native record)."""
    hdr, pairs = parse_cef(raw)
    sig, sev = check_sig(hdr)
    if "rt" not in pairs:
        raise Bad("rt missing")
    scanner(pairs, sig)
    try:
        rec = to_native(hdr, pairs)
    except (KeyError, ValueError, TypeError) as e:
        raise Bad(f"{sig}: field missing or not a number: {e}")
    return sig, sev, rec


def check_5424(raw, hostname):
    """One RFC 5424 message (bytes) -> the CEF line (bytes) and its record."""
    m = re.match(rb"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) ", raw)
    if not m:
        raise Bad(f"not an RFC 5424 header: {raw[:80]!r}")
    pri, ts, host, app, procid, msgid, sd = (x.decode("ascii", "replace") for x in m.groups())
    msg = raw[m.end():]
    if not TS_RE.match(ts):
        raise Bad(f"TIMESTAMP {ts!r}")
    if hostname is not None and host != hostname:
        raise Bad(f"HOSTNAME {host!r}, want {hostname!r}")
    if app != "portus" or not procid.isdigit() or sd != "-":
        raise Bad(f"APP-NAME/PROCID/SD {app!r} {procid!r} {sd!r}")
    if msg.startswith(b"\xef\xbb\xbf") or not msg.startswith(b"CEF:0|"):
        raise Bad(f"MSG does not start with CEF:0| {msg[:20]!r}")
    sig, sev, rec = check_line(msg)
    if msgid != sig:
        raise Bad(f"MSGID {msgid!r} but signature {sig!r}")
    if int(pri) != FACILITY * 8 + syslog_severity(sev):
        raise Bad(f"PRI {pri} for CEF severity {sev}")
    return msg, sig, rec


class Receiver:
    def __init__(self, args):
        self.args = args
        self.out = open(args.out, "wb")
        self.nd = open(args.ndjson, "w") if args.ndjson else None
        self.errors = []
        self.count = 0
        self.done_at = None

    def take(self, raw):
        self.count += 1
        try:
            msg, sig, rec = check_5424(raw, self.args.hostname)
        except Bad as e:
            self.errors.append(f"message {self.count}: {e}")
            return
        self.out.write(msg + b"\n")
        if self.nd:
            self.nd.write(json.dumps(rec) + "\n")
        if sig == "run-summary" and self.done_at is None:
            self.done_at = time.monotonic() + self.args.grace

    def close(self):
        self.out.close()
        if self.nd:
            self.nd.close()


def serve(args):
    r = Receiver(args)
    sel = selectors.DefaultSelector()
    if args.proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # A scan's closed/filtered records arrive in one burst: a big buffer
        # (FORCE: root may pass rmem_max) so that none is dropped here.
        try:
            s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 64 << 20)
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", args.port))
    if args.proto == "tcp":
        s.listen(16)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, "listen")
    if args.ready:
        open(args.ready, "w").close()
    bufs, last = {}, {}
    conns, forced = 0, False
    deadline = time.monotonic() + args.timeout
    while True:
        now = time.monotonic()
        if r.done_at is not None and now >= r.done_at:
            break
        if args.close_idle is not None and not forced:
            # The forced disconnect: the first connection, once it has
            # delivered something and then been quiet for --close-idle
            # seconds (nothing sent is in flight, so nothing is lost here).
            for c in list(bufs):
                if r.count > 0 and now - last[c] >= args.close_idle:
                    if bufs[c]:
                        r.errors.append("forced close inside a frame")
                    sel.unregister(c)
                    c.close()
                    del bufs[c], last[c]
                    forced = True
                    print(f"syslog_receiver: closed connection 1 after {r.count} messages"
                          + (" and stopped listening" if args.then_stop else ""), file=sys.stderr)
                    if args.then_stop:
                        sel.unregister(s)
                        s.close()
            if forced and args.then_stop:
                break
        if now >= deadline:
            r.errors.append(f"timeout after {args.timeout}s without a run-summary message")
            break
        end = r.done_at if r.done_at is not None else deadline
        tick = 0.5 if args.close_idle is None or forced else 0.02
        for key, _ in sel.select(max(0.0, min(end - now, tick))):
            if key.data == "listen" and args.proto == "udp":
                while True:
                    try:
                        d = s.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        break
                    r.take(d)
            elif key.data == "listen":
                try:
                    c, _ = s.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                c.setblocking(False)
                conns += 1
                bufs[c] = bytearray()
                last[c] = time.monotonic()
                sel.register(c, selectors.EVENT_READ, "conn")
            else:
                c = key.fileobj
                try:
                    d = c.recv(1 << 16)
                except (BlockingIOError, InterruptedError):
                    continue
                except ConnectionError:
                    d = b""
                buf = bufs[c]
                buf += d
                last[c] = time.monotonic()
                frames(buf, r)
                if not d:
                    if buf:
                        r.errors.append(f"connection closed inside a frame: {bytes(buf[:40])!r}")
                    sel.unregister(c)
                    c.close()
                    del bufs[c]
    r.close()
    for e in r.errors[:20]:
        print(f"syslog_receiver: {e}", file=sys.stderr)
    print(f"syslog_receiver: {r.count} messages, {len(r.errors)} bad"
          + (f", {conns} connections" if args.proto == "tcp" else ""), file=sys.stderr)
    if args.min_connections and conns < args.min_connections:
        print(f"syslog_receiver: {conns} connections, want at least {args.min_connections}",
              file=sys.stderr)
        return 1
    return 1 if r.errors else 0


def frames(buf, r):
    """Takes every complete octet-counted frame off the front of buf."""
    while buf:
        sp = buf.find(b" ")
        if sp < 0:
            if len(buf) > 10 or not buf.isdigit():
                r.errors.append(f"bad frame start {bytes(buf[:20])!r}")
                buf.clear()
            return
        head = bytes(buf[:sp])
        if not head.isdigit() or head.startswith(b"0") or len(head) > 10:
            r.errors.append(f"bad octet count {head[:20]!r}")
            buf.clear()
            return
        n = int(head)
        if len(buf) < sp + 1 + n:
            return
        r.take(bytes(buf[sp + 1:sp + 1 + n]))
        del buf[:sp + 1 + n]


def convert(args):
    errors = []
    with open(args.cef, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        errors.append("last line has no newline")
    with open(args.ndjson, "w") as out:
        for n, raw in enumerate(data.split(b"\n")[:-1] if data else [], 1):
            try:
                _, _, rec = check_line(raw)
            except Bad as e:
                errors.append(f"{args.cef}:{n}: {e}")
                continue
            out.write(json.dumps(rec) + "\n")
    for e in errors[:20]:
        print(f"syslog_receiver: {e}", file=sys.stderr)
    return 1 if errors else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    li = sub.add_parser("listen")
    li.add_argument("--proto", choices=("udp", "tcp"), required=True)
    li.add_argument("--port", type=int, required=True)
    li.add_argument("--out", required=True)
    li.add_argument("--ndjson")
    li.add_argument("--hostname")
    li.add_argument("--ready")
    li.add_argument("--timeout", type=float, default=120.0)
    li.add_argument("--grace", type=float, default=1.0)
    li.add_argument("--close-idle", type=float, metavar="S",
                    help="tcp: close the first connection once it is quiet for S seconds")
    li.add_argument("--then-stop", action="store_true",
                    help="with --close-idle: also stop listening, and exit")
    li.add_argument("--min-connections", type=int, default=0)
    co = sub.add_parser("convert")
    co.add_argument("cef")
    co.add_argument("ndjson")
    args = ap.parse_args()
    if args.cmd == "listen":
        return serve(args)
    return convert(args)


if __name__ == "__main__":
    sys.exit(main())
