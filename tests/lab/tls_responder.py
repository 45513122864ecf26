#!/usr/bin/env python3
"""tls_responder.py — answers a TLS ClientHello the way a configured server would,
without finishing any handshake: for cipher suites no real server here can
still speak (EXPORT, RC4 with MD5, NULL, anonymous) and for choices OpenSSL 3.0
cannot make (X25519MLKEM768).

    tls_responder.py CONFIG.json LOGDIR        (run inside the TLS lab namespace)

CONFIG.json: {"responders": [{"name", "ip", "port", "min", "max",
  "suites": {"TLSv1": ["TLS_RSA_EXPORT_WITH_RC4_40_MD5", ...], ...} (each version's
  list in the server's preference order), "server_order": true|false,
  "groups": ["X25519MLKEM768", "x25519", ...] (preference order),
  "behavior": "normal"|"reset"|"accept-all"}, ...]}

For each connection: reads one ClientHello (bounded: 64 KiB, 10 s), picks
  - the version: the highest of supported_versions both sides allow (a server
    whose max is below TLS 1.3 ignores supported_versions, as real ones do),
    else legacy_version capped at max; below min: alert protocol_version;
  - the suite: the server's first one the client offers (server_order), or
    the client's first one the server has; ECDHE suites only with a common
    curve; none: alert handshake_failure;
  - TLS 1.3: the server's first group the client lists; a key share for it:
    ServerHello (key_share with a random key of that group's size), none:
    HelloRetryRequest naming it; no common group: alert handshake_failure;
then sends that one ServerHello (TLS <= 1.2: renegotiation_info,
ec_point_formats for ECDHE, ALPN http/1.1 when offered) or alert, and closes.
"reset" resets every connection after its ClientHello; "accept-all" picks the
client's first suite whatever it is, at the client's version (the server that
accepts every suite); "lie-raw" and "endless-raw" answer a hello that offers
ALPN (OpenSSL's: portus's main handshake) with an alert and any other (portus's
raw probes) with a ServerHello whose extension length lies by 200 bytes, or with
an endless stream of one-byte handshake records (up to 1 MiB).

LOGDIR/responder.ndjson: one line per connection: the ClientHello's offer
(version, suites, groups, ALPN offered) and the answer (hex of the
ServerHello message, or the alert). LOGDIR/responder.ready when listening.
Standard library only.
"""
import json
import os
import socket
import struct
import sys
import threading
import time

MAX_CONNS = 512
MAX_READ = 65536
IO_TIMEOUT = 10.0

V = {"TLSv1": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303, "TLSv1.3": 0x0304}

SUITES = {
    "TLS_AES_128_GCM_SHA256": 0x1301, "TLS_AES_256_GCM_SHA384": 0x1302,
    "TLS_CHACHA20_POLY1305_SHA256": 0x1303, "TLS_AES_128_CCM_SHA256": 0x1304,
    "TLS_AES_128_CCM_8_SHA256": 0x1305,
    "TLS_RSA_EXPORT_WITH_RC4_40_MD5": 0x0003, "TLS_RSA_WITH_RC4_128_MD5": 0x0004,
    "TLS_RSA_WITH_RC4_128_SHA": 0x0005, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5": 0x0006,
    "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA": 0x0008, "TLS_RSA_WITH_DES_CBC_SHA": 0x0009,
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA": 0x000A, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA": 0x0014,
    "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5": 0x0017, "TLS_DH_anon_WITH_RC4_128_MD5": 0x0018,
    "TLS_DH_anon_WITH_AES_128_CBC_SHA": 0x0034, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA": 0xC018,
    "TLS_RSA_WITH_NULL_MD5": 0x0001, "TLS_RSA_WITH_NULL_SHA": 0x0002,
    "TLS_RSA_WITH_NULL_SHA256": 0x003B, "TLS_ECDHE_RSA_WITH_NULL_SHA": 0xC010,
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA": 0xC011, "TLS_RSA_WITH_AES_128_CBC_SHA": 0x002F,
    "TLS_RSA_WITH_AES_256_CBC_SHA": 0x0035, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": 0xC02F,
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": 0xC030, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": 0xC013,
    "TLS_RSA_WITH_AES_128_GCM_SHA256": 0x009C,
}

GROUPS = {
    "secp256r1": (0x0017, 65), "secp384r1": (0x0018, 97), "secp521r1": (0x0019, 133),
    "x25519": (0x001D, 32), "x448": (0x001E, 56), "ffdhe2048": (0x0100, 256),
    "ffdhe3072": (0x0101, 384), "X25519MLKEM768": (0x11EC, 1120),
    "SecP256r1MLKEM768": (0x11EB, 1153),
}

HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1, encoding="utf-8")
        self.lock = threading.Lock()

    def write(self, **rec):
        rec["t"] = round(time.time(), 6)
        with self.lock:
            self.f.write(json.dumps(rec) + "\n")


def read_client_hello(sock):
    """The first handshake message, from records (bounded); None when it is not one."""
    buf, msg = b"", b""
    need = None
    while len(buf) < MAX_READ:
        while len(buf) >= 5:
            ctype, _, ln = struct.unpack(">BHH", buf[:5])
            if ctype != 22 or ln > 16384 + 2048:
                return None
            if len(buf) < 5 + ln:
                break
            msg += buf[5:5 + ln]
            buf = buf[5 + ln:]
            if need is None and len(msg) >= 4:
                if msg[0] != 1:
                    return None
                need = 4 + int.from_bytes(msg[1:4], "big")
            if need is not None and len(msg) >= need:
                return msg[:need]
        chunk = sock.recv(4096)
        if not chunk:
            return None
        buf += chunk
    return None


def parse_client_hello(m):
    """Offer of a ClientHello message (header included); raises on bad input."""
    o = 4
    legacy = struct.unpack(">H", m[o:o + 2])[0]
    o += 2 + 32
    sid = m[o + 1:o + 1 + m[o]]
    o += 1 + m[o]
    n = struct.unpack(">H", m[o:o + 2])[0]
    suites = list(struct.unpack(">%dH" % (n // 2), m[o + 2:o + 2 + n]))
    o += 2 + n
    o += 1 + m[o]
    offer = {"legacy": legacy, "sid": sid, "suites": suites, "versions": [], "groups": [],
             "shares": [], "alpn": [], "exts": []}
    if o + 2 > len(m):
        return offer
    end = o + 2 + struct.unpack(">H", m[o:o + 2])[0]
    o += 2
    while o + 4 <= end:
        t, ln = struct.unpack(">HH", m[o:o + 4])
        d = m[o + 4:o + 4 + ln]
        offer["exts"].append(t)
        if t == 0x002B:
            offer["versions"] = list(struct.unpack(">%dH" % (d[0] // 2), d[1:1 + d[0]]))
        elif t == 0x000A:
            k = struct.unpack(">H", d[:2])[0]
            offer["groups"] = list(struct.unpack(">%dH" % (k // 2), d[2:2 + k]))
        elif t == 0x0033:
            p = 2
            while p + 4 <= len(d):
                g, kl = struct.unpack(">HH", d[p:p + 4])
                offer["shares"].append(g)
                p += 4 + kl
        elif t == 0x0010:
            p = 2
            while p < len(d):
                offer["alpn"].append(d[p + 1:p + 1 + d[p]].decode("latin-1"))
                p += 1 + d[p]
        o += 4 + ln
    return offer


def ext(t, data):
    return struct.pack(">HH", t, len(data)) + data


def server_hello(version, sid, suite, exts, random=None):
    body = struct.pack(">H", min(version, 0x0303)) + (random or os.urandom(32))
    body += bytes([len(sid)]) + sid + struct.pack(">HB", suite, 0)
    e = b"".join(exts)
    body += struct.pack(">H", len(e)) + e
    return b"\x02" + len(body).to_bytes(3, "big") + body


def record(ctype, version, payload):
    return struct.pack(">BHH", ctype, min(version, 0x0303), len(payload)) + payload


def is_ecdhe(name):
    return name.startswith("TLS_ECDHE_")


def decide(cfg, offer):
    """(kind, payload, note): kind "hello" with the ServerHello message, or "alert" with the code."""
    vmin, vmax = V[cfg["min"]], V[cfg["max"]]
    if vmax >= 0x0304 and offer["versions"]:
        both = [v for v in offer["versions"] if vmin <= v <= vmax]
        version = max(both) if both else None
    else:
        version = min(offer["legacy"], vmax)
        if version < vmin:
            version = None
    if version is None:
        return "alert", 70, "protocol_version"
    vname = [k for k, v in V.items() if v == version][0]
    names = {v: k for k, v in SUITES.items()}
    server = [SUITES[s] for s in cfg["suites"].get(vname, [])]
    sgroups = [GROUPS[g][0] for g in cfg.get("groups", [])]
    common_curve = any(g in offer["groups"] for g in sgroups)

    if cfg.get("behavior") == "accept-all":
        pick = offer["suites"][0] if offer["suites"] else None
    else:
        usable = [s for s in server if not is_ecdhe(names.get(s, "")) or common_curve]
        if cfg.get("server_order"):
            pick = next((s for s in usable if s in offer["suites"]), None)
        else:
            pick = next((s for s in offer["suites"] if s in usable), None)
    if pick is None:
        return "alert", 40, "handshake_failure: no common suite"

    sid = offer["sid"]
    if version == 0x0304:
        group = next((g for g in sgroups if g in offer["groups"]), None)
        if group is None and cfg.get("behavior") == "accept-all" and offer["groups"]:
            group = offer["groups"][0]
        if group is None:
            return "alert", 40, "handshake_failure: no common group"
        sv = ext(0x002B, struct.pack(">H", 0x0304))
        if group in offer["shares"]:
            size = next((s for g, s in GROUPS.values() if g == group), 32)
            ks = ext(0x0033, struct.pack(">HH", group, size) + os.urandom(size))
            return "hello", server_hello(version, sid, pick, [sv, ks]), "ServerHello group 0x%04x" % group
        ks = ext(0x0033, struct.pack(">H", group))
        return "hello", server_hello(version, sid, pick, [sv, ks], HRR_RANDOM), "HelloRetryRequest 0x%04x" % group
    exts = []
    if 0xFF01 in offer["exts"] or 0x00FF in offer["suites"]:
        exts.append(ext(0xFF01, b"\x00"))
    if is_ecdhe(names.get(pick, "")) and 0x000B in offer["exts"]:
        exts.append(ext(0x000B, b"\x01\x00"))
    if "http/1.1" in offer["alpn"]:
        exts.append(ext(0x0010, b"\x00\x09\x08http/1.1"))
    return "hello", server_hello(version, b"", pick, exts), "ServerHello"


def handle(conn, peer, cfg, log, slots):
    rec = {"ev": "conn", "name": cfg["name"], "peer": peer[0]}
    try:
        conn.settimeout(IO_TIMEOUT)
        m = read_client_hello(conn)
        if m is None:
            rec["answer"] = "no ClientHello"
            return
        offer = parse_client_hello(m)
        rec.update(legacy=offer["legacy"], versions=offer["versions"], nsuites=len(offer["suites"]),
                   groups=offer["groups"], shares=offer["shares"], alpn=offer["alpn"])
        if cfg.get("behavior") == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            rec["answer"] = "reset"
            return
        if cfg.get("behavior") in ("lie-raw", "endless-raw") and not offer["alpn"]:
            if cfg["behavior"] == "lie-raw":
                # A ServerHello whose extensions block claims 200 bytes more than there are.
                sh = bytearray(server_hello(0x0303, b"", 0x002F, [ext(0xFF01, b"\x00")]))
                at = 4 + 2 + 32 + 1 + 3
                struct.pack_into(">H", sh, at, struct.unpack(">H", sh[at:at + 2])[0] + 200)
                conn.sendall(record(22, 0x0303, bytes(sh)))
                rec["answer"] = "lying ServerHello"
            else:
                # Handshake records of one byte each, without end (until the client
                # goes, or 1 MiB): the start of a ServerHello that never finishes.
                head = b"\x02\x00\x0f\xfc"
                sent, n = 0, 0
                try:
                    while sent < 1 << 20:
                        b = head[n] if n < len(head) else 0
                        conn.sendall(record(22, 0x0303, bytes([b])))
                        sent += 6
                        n += 1
                except OSError:
                    pass
                rec["answer"] = "endless records (%d bytes)" % sent
            return
        if cfg.get("behavior") in ("lie-raw", "endless-raw"):
            conn.sendall(record(21, 0x0303, bytes([2, 40])))
            rec["answer"] = "alert to the main handshake"
            return
        kind, payload, note = decide(cfg, offer)
        rec["answer"] = note
        if kind == "alert":
            conn.sendall(record(21, 0x0303, bytes([2, payload])))
        else:
            rec["server_hello"] = payload.hex()
            conn.sendall(record(22, 0x0303, payload))
        try:
            conn.shutdown(socket.SHUT_WR)
            conn.recv(1)  # the client closes after reading
        except OSError:
            pass
    except (OSError, ValueError, IndexError, struct.error) as e:
        rec["error"] = repr(e)[:200]
    finally:
        log.write(**rec)
        conn.close()
        slots.release()


def serve(cfg, log):
    fam = socket.AF_INET6 if ":" in cfg["ip"] else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((cfg["ip"], cfg.get("port", 443)))
    s.listen(512)
    slots = threading.BoundedSemaphore(MAX_CONNS)

    def loop():
        while True:
            c, peer = s.accept()
            if not slots.acquire(blocking=False):
                c.close()
                continue
            threading.Thread(target=handle, args=(c, peer, cfg, log, slots), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def main():
    cfg = json.load(open(sys.argv[1]))
    logdir = sys.argv[2]
    log = Log(os.path.join(logdir, "responder.ndjson"))
    for r in cfg["responders"]:
        serve(r, log)
    with open(os.path.join(logdir, "responder.ready"), "w") as f:
        f.write(str(os.getpid()) + "\n")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
