#!/usr/bin/env python3
"""tls_cipher_lab.py — endpoints with known cipher-suite configurations for
portus --tls-ciphers, beside the TLS lab (tls_lab.sh), and their truth.

    tls_cipher_lab.py truth DIR     certificates and DIR/cipher_truth.json
    tls_cipher_lab.py up DIR        (inside plab<ID>-tls, addresses already added)
                                    start every server; pids in DIR/pids;
                                    returns once every port listens
    tls_cipher_lab.py down DIR      stop them (by the pids in DIR/pids)

Endpoints: 198.18.0.60-198.18.0.70, port 443 (table ENDPOINTS). "s_server"
ones are `openssl s_server` processes (Debian's OpenSSL 3.0: no RC4, 3DES or
EXPORT suites any more); "responder" ones are tls_responder.py, which answers
a ClientHello the way the configured server would (EXPORT, RC4, 3DES, NULL,
anonymous suites, X25519MLKEM768). Each entry's "expect" is what portus must
report: per version, the accepted suites (IANA names) in the server's order
when it has one ("cipher_order": "server"), else in portus's offer order
(src/tls/hello.c's table order: "client"); the groups in the order the
server picks them (TLS 1.3: its preference; below: portus's curve probe
order x25519, secp256r1, secp384r1, secp521r1, x448, ...); None where the
key is null; "absent" where the record has no cipher keys at all.

Needs the openssl CLI; the standard library otherwise.
"""
import json
import os
import signal
import subprocess
import sys
import time

SEG = "198.18.0."
T13 = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]

ENDPOINTS = [
    {"name": "s13-serverpref", "octet": 60, "kind": "s_server",
     "args": ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
              "-serverpref", "-groups", "X25519:P-256"],
     "expect": {"ciphers": {"TLSv1": [], "TLSv1.1": [], "TLSv1.2": [],
                            "TLSv1.3": ["TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]},
                "cipher_order": "server", "groups": ["x25519", "secp256r1"], "tls_version": "TLSv1.3"}},
    {"name": "s12-serverpref", "octet": 61, "kind": "s_server",
     "args": ["-tls1_2", "-cipher",
              "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
              "DHE-RSA-AES128-GCM-SHA256:AES128-SHA",
              "-serverpref", "-groups", "P-384:X25519"],
     "expect": {"ciphers": {"TLSv1": [], "TLSv1.1": [], "TLSv1.3": [],
                            "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                                        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
                                        "TLS_RSA_WITH_AES_128_CBC_SHA"]},
                "cipher_order": "server", "groups": ["x25519", "secp384r1"], "tls_version": "TLSv1.2"}},
    {"name": "s-clientorder", "octet": 62, "kind": "s_server",
     "args": ["-no_tls1", "-no_tls1_1", "-cipher", "AES256-SHA:AES128-SHA:ECDHE-RSA-AES128-SHA",
              "-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256",
              "-groups", "X448:P-521:ffdhe2048"],
     "expect": {"ciphers": {"TLSv1": [], "TLSv1.1": [],
                            "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
                                        "TLS_RSA_WITH_AES_256_CBC_SHA"],
                            "TLSv1.3": ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]},
                "cipher_order": "client", "groups": ["x448", "secp521r1", "ffdhe2048"],
                "tls_version": "TLSv1.3"}},
    {"name": "s-legacy", "octet": 63, "kind": "s_server",
     "args": ["-no_tls1_3", "-cipher", "NULL-SHA:ADH-AES128-SHA:AES128-SHA:@SECLEVEL=0", "-serverpref",
              "-legacy_renegotiation"],
     "expect": {"ciphers": {v: ["TLS_RSA_WITH_NULL_SHA", "TLS_DH_anon_WITH_AES_128_CBC_SHA",
                                "TLS_RSA_WITH_AES_128_CBC_SHA"] for v in ("TLSv1", "TLSv1.1", "TLSv1.2")}
                | {"TLSv1.3": []},
                "cipher_order": "server", "groups": [], "tls_version": "TLSv1.2"}},
    {"name": "r-export", "octet": 64, "kind": "responder",
     "config": {"min": "TLSv1", "max": "TLSv1", "server_order": True, "groups": [],
                "suites": {"TLSv1": ["TLS_RSA_EXPORT_WITH_RC4_40_MD5", "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
                                     "TLS_RSA_WITH_RC4_128_MD5", "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",
                                     "TLS_RSA_WITH_NULL_MD5"]}},
     "expect": {"ciphers": {"TLSv1": ["TLS_RSA_EXPORT_WITH_RC4_40_MD5", "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
                                      "TLS_RSA_WITH_RC4_128_MD5", "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",
                                      "TLS_RSA_WITH_NULL_MD5"],
                            "TLSv1.1": [], "TLSv1.2": [], "TLSv1.3": []},
                "cipher_order": "server", "groups": None, "outcome": "alert"}},
    {"name": "r-rc4-3des", "octet": 65, "kind": "responder",
     "config": {"min": "TLSv1", "max": "TLSv1.2", "server_order": False, "groups": ["secp256r1"],
                "suites": {v: ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA",
                               "TLS_ECDHE_RSA_WITH_RC4_128_SHA"] for v in ("TLSv1", "TLSv1.1")}
                | {"TLSv1.2": ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA",
                               "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]}},
     "expect": {"ciphers": {v: ["TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
                                "TLS_RSA_WITH_RC4_128_SHA"] for v in ("TLSv1", "TLSv1.1")}
                | {"TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
                               "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"],
                   "TLSv1.3": []},
                "cipher_order": "client", "groups": ["secp256r1"]}},
    {"name": "r-pq", "octet": 66, "kind": "responder",
     "config": {"min": "TLSv1.2", "max": "TLSv1.3", "server_order": True,
                "groups": ["X25519MLKEM768", "x25519", "secp384r1"],
                "suites": {"TLSv1.3": ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"],
                           "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]}},
     "expect": {"ciphers": {"TLSv1": [], "TLSv1.1": [], "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"],
                            "TLSv1.3": ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]},
                "cipher_order": "server", "groups": ["X25519MLKEM768", "x25519", "secp384r1"]}},
    {"name": "r-reset", "octet": 67, "kind": "responder",
     "config": {"min": "TLSv1", "max": "TLSv1.3", "behavior": "reset", "suites": {}},
     "expect": "absent"},
    {"name": "r-accept-all", "octet": 68, "kind": "responder",
     "config": {"min": "TLSv1", "max": "TLSv1.2", "behavior": "accept-all", "suites": {}},
     "expect": "accept-all"},
    {"name": "r-lie-raw", "octet": 69, "kind": "responder",
     "config": {"min": "TLSv1", "max": "TLSv1.3", "behavior": "lie-raw", "suites": {}},
     "expect": {"ciphers": {"TLSv1": [], "TLSv1.1": [], "TLSv1.2": [], "TLSv1.3": []},
                "cipher_order": None, "groups": None, "outcome": "alert", "complete": False,
                "handshakes": 4}},
    {"name": "r-endless-raw", "octet": 70, "kind": "responder",
     "config": {"min": "TLSv1", "max": "TLSv1.3", "behavior": "endless-raw", "suites": {}},
     "expect": {"ciphers": {"TLSv1": [], "TLSv1.1": [], "TLSv1.2": [], "TLSv1.3": []},
                "cipher_order": None, "groups": None, "outcome": "alert", "complete": False,
                "handshakes": 4}},
]


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cmd_truth(d):
    os.makedirs(d, exist_ok=True)
    key, crt = os.path.join(d, "rsa.key"), os.path.join(d, "rsa.pem")
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
       "-days", "30", "-subj", "/CN=cipher.lab.test")
    eps = []
    for e in ENDPOINTS:
        x = dict(e)
        x["ip"] = SEG + str(e["octet"])
        x["port"] = 443
        eps.append(x)
    with open(os.path.join(d, "cipher_truth.json"), "w") as f:
        json.dump({"range": SEG + "60-" + SEG + str(max(e["octet"] for e in ENDPOINTS)), "endpoints": eps}, f, indent=1)


def listening(ports):
    out = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout
    return all(any(p + " " in line or p + "\t" in line for line in out.splitlines()) for p in ports)


def cmd_up(d):
    here = os.path.dirname(os.path.abspath(__file__))
    truth = json.load(open(os.path.join(d, "cipher_truth.json")))
    logdir = os.path.join(d, "log")
    os.makedirs(logdir, exist_ok=True)
    pids, want = [], []
    responders = []
    for e in truth["endpoints"]:
        want.append(e["ip"] + ":443")
        if e["kind"] == "s_server":
            out = open(os.path.join(logdir, e["name"] + ".out"), "w")
            p = subprocess.Popen(["openssl", "s_server", "-quiet", "-accept", e["ip"] + ":443",
                                  "-cert", os.path.join(d, "rsa.pem"), "-key", os.path.join(d, "rsa.key"),
                                  "-www"] + e["args"],
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
            pids.append(p.pid)
        else:
            c = dict(e["config"])
            c.update(name=e["name"], ip=e["ip"], port=443)
            responders.append(c)
    with open(os.path.join(d, "responders.json"), "w") as f:
        json.dump({"responders": responders}, f)
    p = subprocess.Popen([sys.executable, os.path.join(here, "tls_responder.py"),
                          os.path.join(d, "responders.json"), logdir],
                         stdin=subprocess.DEVNULL, stdout=open(os.path.join(logdir, "responder.out"), "w"),
                         stderr=subprocess.STDOUT, start_new_session=True)
    pids.append(p.pid)
    started(d, pids, want, "tls_cipher_lab")


def started(d, pids, want, who, log=""):
    """Writes DIR/pids (for cmd_down) and waits, at most 10 s, until every
    ADDRESS:PORT of want listens; else exits naming them (and log's text)."""
    with open(os.path.join(d, "pids"), "w") as f:
        f.write("\n".join(map(str, pids)) + "\n")
    for _ in range(200):
        if listening(want):
            return
        time.sleep(0.05)
    sys.exit(who + ": servers did not all listen: " + " ".join(want) + ("\n" + log if log else ""))


def cmd_down(d):
    try:
        pids = [int(x) for x in open(os.path.join(d, "pids")).read().split()]
    except OSError:
        return
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    os.remove(os.path.join(d, "pids"))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("truth", "up", "down"):
        sys.exit("usage: tls_cipher_lab.py truth|up|down DIR")
    {"truth": cmd_truth, "up": cmd_up, "down": cmd_down}[sys.argv[1]](sys.argv[2])
