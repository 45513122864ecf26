#!/usr/bin/env python3
"""check_tls_ciphers.py — portus --tls-ciphers records against the cipher lab's truth.

    check_tls_ciphers.py --truth cipher_truth.json --native N.ndjson [--ecs E.ndjson]
                         [--responder-log responder.ndjson]

For every endpoint of the truth (tests/lab/tls_cipher_lab.py):
  - exactly one native TLS record; "ciphers" (every version, exact lists in
    exact order), "cipher_order", "groups" as the truth says, or no cipher
    keys at all ("absent": the server never answered with TLS);
    ciphers_complete true and cipher_handshakes <= 600;
  - the server that accepts everything: every list cut to the record's cap,
    "ciphers" named in truncated_fields, the line under 9,000 bytes;
  - ja3s / ja4s: their shapes; the JA4S version and cipher agree with
    tls_version and cipher; for responder endpoints, equal to JA3S / JA4S
    computed here (FoxIO / Salesforce algorithms reimplemented) from the
    ServerHello the responder logged for the main handshake (the connection
    that offered ALPN), or null when it sent none;
  - ECS: tls.server.ja3s, portus.tls.ja4s and portus.tls.ciphers / groups /
    cipher_order equal to the native record's.
Prints one line per endpoint; exit 1 on the first list of mismatches.
"""
import argparse
import hashlib
import json
import re
import sys

SUITE_HEX = {
    "TLS_AES_128_GCM_SHA256": "1301", "TLS_AES_256_GCM_SHA384": "1302",
    "TLS_CHACHA20_POLY1305_SHA256": "1303", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "c030",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "c02f", "TLS_RSA_WITH_AES_128_CBC_SHA": "002f",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "cca8",
}
JA4_VER = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3"}
REC_VER = {"TLSv1.3": "13", "TLSv1.2": "12", "TLSv1.1": "11", "TLSv1": "10"}


def parse_sh(msg):
    """(legacy_version, version, cipher, [ext types], alpn) of a ServerHello message."""
    o = 4
    legacy = int.from_bytes(msg[o:o + 2], "big")
    o += 2 + 32
    o += 1 + msg[o]
    cipher = int.from_bytes(msg[o:o + 2], "big")
    o += 3
    exts, version, alpn = [], legacy, b""
    if o < len(msg):
        end = o + 2 + int.from_bytes(msg[o:o + 2], "big")
        o += 2
        while o < end:
            t = int.from_bytes(msg[o:o + 2], "big")
            n = int.from_bytes(msg[o + 2:o + 4], "big")
            d = msg[o + 4:o + 4 + n]
            exts.append(t)
            if t == 0x002B:
                version = int.from_bytes(d[:2], "big")
            if t == 0x0010:
                alpn = d[3:3 + d[2]]
            o += 4 + n
    return legacy, version, cipher, exts, alpn


def ja3s(msg):
    legacy, _, cipher, exts, _ = parse_sh(msg)
    s = "%d,%d,%s" % (legacy, cipher, "-".join(str(e) for e in exts))
    return hashlib.md5(s.encode()).hexdigest()


def ja4s(msg):
    _, version, cipher, exts, alpn = parse_sh(msg)
    a = "00"
    if alpn:
        f, l = chr(alpn[0]), chr(alpn[-1])
        a = f + l if f.isalnum() and l.isalnum() else "%x%x" % (alpn[0] >> 4, alpn[-1] & 0xF)
    h = hashlib.sha256(",".join("%04x" % e for e in exts).encode()).hexdigest()[:12] if exts else "0" * 12
    return "t%s%02d%s_%04x_%s" % (JA4_VER.get(version, "00"), min(len(exts), 99), a, cipher, h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--native", required=True)
    ap.add_argument("--ecs")
    ap.add_argument("--responder-log")
    a = ap.parse_args()
    truth = json.load(open(a.truth))
    lines = [l for l in open(a.native, encoding="utf-8")]
    recs = {}
    for line in lines:
        r = json.loads(line)
        if r.get("type") == "tls":
            if (r["ip"], r["port"]) in recs:
                sys.exit("check_tls_ciphers: two records for %s:%d" % (r["ip"], r["port"]))
            r["_len"] = len(line.rstrip("\n").encode())
            recs[(r["ip"], r["port"])] = r
    main_hello = {}
    if a.responder_log:
        for line in open(a.responder_log):
            c = json.loads(line)
            if c.get("alpn"):  # the main handshake (portus's raw hellos offer no ALPN)
                main_hello[c["name"]] = c.get("server_hello")
    ecs = {}
    if a.ecs:
        for line in open(a.ecs, encoding="utf-8"):
            e = json.loads(line)
            if e.get("event", {}).get("dataset") == "portus.tls":
                ecs[(e["destination"]["ip"], e["destination"]["port"])] = e

    bad = []
    for ep in truth["endpoints"]:
        key = (ep["ip"], ep["port"])
        r = recs.get(key)
        name = ep["name"]
        if r is None:
            bad.append("%s: no TLS record" % name)
            continue
        exp = ep["expect"]
        if exp == "absent":
            for k in ("ciphers", "cipher_order", "groups", "ciphers_complete", "cipher_handshakes"):
                if k in r:
                    bad.append("%s: %s present (no TLS answer)" % (name, k))
        elif exp == "accept-all":
            c = r.get("ciphers", {})
            for v in ("TLSv1", "TLSv1.1", "TLSv1.2"):
                if not 2 <= len(c.get(v, [])) <= 40:
                    bad.append("%s: %s has %d suites (want 2-40 after the cap)" % (name, v, len(c.get(v, []))))
            if c.get("TLSv1.3") != []:
                bad.append("%s: TLSv1.3 %s" % (name, c.get("TLSv1.3")))
            if "ciphers" not in r.get("truncated_fields", []) or r.get("truncated") is not True:
                bad.append("%s: cut cipher lists not named in truncated_fields" % name)
            if r.get("ciphers_complete") is not True:
                bad.append("%s: ciphers_complete %s" % (name, r.get("ciphers_complete")))
            if len(r.get("groups") or []) != 9:
                bad.append("%s: groups %s (want all 9 curves)" % (name, r.get("groups")))
        else:
            for k in ("ciphers", "cipher_order", "groups"):
                if r.get(k, "MISSING") != exp[k]:
                    bad.append("%s: %s = %s, want %s" % (name, k, json.dumps(r.get(k, "MISSING")),
                                                      json.dumps(exp[k])))
            if r.get("ciphers_complete") is not exp.get("complete", True):
                bad.append("%s: ciphers_complete %s" % (name, r.get("ciphers_complete")))
            if "handshakes" in exp and r.get("cipher_handshakes") != exp["handshakes"]:
                bad.append("%s: cipher_handshakes %s, want %s" % (name, r.get("cipher_handshakes"),
                                                               exp["handshakes"]))
            for k in ("tls_version", "outcome"):
                if k in exp and r.get(k) != exp[k]:
                    bad.append("%s: %s = %s, want %s" % (name, k, r.get(k), exp[k]))
        if "cipher_handshakes" in r and not 0 < r["cipher_handshakes"] <= 600:
            bad.append("%s: cipher_handshakes %s" % (name, r["cipher_handshakes"]))
        if r["_len"] > 9000:
            bad.append("%s: record of %d bytes" % (name, r["_len"]))
        # Fingerprints.
        j3, j4 = r.get("ja3s"), r.get("ja4s")
        if j3 is not None and not re.fullmatch(r"[0-9a-f]{32}", j3):
            bad.append("%s: ja3s %r" % (name, j3))
        if j4 is not None and not re.fullmatch(r"t(1[0-3]|s3|00)\d\d[0-9a-zA-Z]{2}_[0-9a-f]{4}_[0-9a-f]{12}", j4):
            bad.append("%s: ja4s %r" % (name, j4))
        if r["outcome"] == "ok":
            if j3 is None or j4 is None:
                bad.append("%s: handshake done but no ja3s/ja4s" % name)
            else:
                if REC_VER.get(r["tls_version"]) != j4[1:3]:
                    bad.append("%s: ja4s %s vs tls_version %s" % (name, j4, r["tls_version"]))
                if r["cipher"] in SUITE_HEX and SUITE_HEX[r["cipher"]] != j4[8:12]:
                    bad.append("%s: ja4s %s vs cipher %s" % (name, j4, r["cipher"]))
        if ep["kind"] == "responder" and a.responder_log:
            sh = main_hello.get(name)
            want3 = ja3s(bytes.fromhex(sh)) if sh else None
            want4 = ja4s(bytes.fromhex(sh)) if sh else None
            if (j3, j4) != (want3, want4):
                bad.append("%s: ja3s/ja4s %s %s, computed from the responder's ServerHello %s %s"
                           % (name, j3, j4, want3, want4))
        # ECS.
        if a.ecs:
            e = ecs.get(key)
            if e is None:
                bad.append("%s: no ECS record" % name)
            else:
                pt = e.get("portus", {}).get("tls", {})
                if e.get("tls", {}).get("server", {}).get("ja3s") != j3:
                    bad.append("%s: ECS tls.server.ja3s %s" % (name, e.get("tls", {}).get("server", {}).get("ja3s")))
                if pt.get("ja4s") != j4:
                    bad.append("%s: ECS portus.tls.ja4s %s" % (name, pt.get("ja4s")))
                keys = {"tls1_0": "TLSv1", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}
                if "ciphers" in pt:
                    pt["ciphers"] = {keys[k]: v for k, v in pt["ciphers"].items()}
                for k in ("ciphers", "cipher_order", "groups", "ciphers_complete"):
                    if pt.get(k, "MISSING") != r.get(k, "MISSING"):
                        bad.append("%s: ECS portus.tls.%s differs" % (name, k))
        print("check_tls_ciphers: %-15s %s  %s  order=%s groups=%s handshakes=%s ja4s=%s" % (
            name, r["outcome"], " ".join("%s:%d" % (v, len(l)) for v, l in (r.get("ciphers") or {}).items()),
            r.get("cipher_order"), r.get("groups"), r.get("cipher_handshakes"), j4))
    if bad:
        for b in bad:
            print("check_tls_ciphers: " + b, file=sys.stderr)
        sys.exit(1)
    print("check_tls_ciphers: %d endpoints match the truth" % len(truth["endpoints"]))


if __name__ == "__main__":
    main()
