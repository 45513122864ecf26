#!/usr/bin/env python3
"""tls_checks_lab.py — endpoints with known certificate and handshake defects
for the TLS stage's checks (include/tls_checks.h), beside the TLS lab, and
their truth.

    tls_checks_lab.py truth DIR   a test PKI made with the openssl CLI, the
                                  OCSP responses made with `openssl ocsp`, the
                                  nginx configuration, DIR/checks_truth.json
    tls_checks_lab.py up DIR      (inside plab<ID>-tls, addresses already added)
                                  start nginx and openssl s_server; pids in
                                  DIR/pids; returns once every port listens
    tls_checks_lab.py down DIR    stop them (by the pids in DIR/pids)

Endpoints 198.18.0.80-198.18.0.90, port 443 (table ENDPOINTS). "nginx" ones
are server blocks of one nginx (HEAD / answered, HSTS sent with add_header,
the chain served exactly in the order of its file, a staple from
ssl_stapling_file); "s_server" is `openssl s_server` for what nginx cannot
do: a finite-field DHE key of 1024 bits and an SCT in the TLS extension
(-serverinfo). nginx runs with an OpenSSL configuration at security level 0
so it can load the RSA-1024 and SHA-1 certificates at all.

Each entry's "expect" is derived from how the entry was built: the findings,
the staple's verdict, the SCT counts, the HSTS attributes, the temporary key.
The scan trusts DIR/ca.pem (the root and the intermediate: the intermediate
is how "missing-intermediate" still verifies).
"""
import base64
import datetime
import json
import os
import signal
import subprocess
import sys
import time

# Started and stopped the same way as the cipher lab: ports checked with ss,
# processes stopped by the pids in DIR/pids.
from tls_cipher_lab import cmd_down, started

SEG = "198.18.0."
X25519 = {"type": "X25519", "bits": 253}
NO_HSTS = None


def hsts(max_age, sub=False, pre=False, valid=True, error=None):
    return {"valid": valid, "max_age": max_age, "include_subdomains": sub, "preload": pre, "error": error}


# name, octet, how the leaf is made, what is served, staple, HSTS header, expectations
ENDPOINTS = [
    {"name": "good", "octet": 80, "kind": "nginx",
     "leaf": {"issuer": "int", "days": 90, "scts": 2}, "serve": ["leaf", "int"], "staple": "good",
     "hsts": "max-age=31536000; includeSubDomains; preload",
     "expect": {"findings": [], "ocsp": "good", "must_staple": False,
                "scts": {"embedded": 2, "tls_extension": 0, "ocsp": 0},
                "hsts": hsts(31536000, True, True), "tmp_key": X25519}},
    {"name": "weak-key", "octet": 81, "kind": "nginx",
     "leaf": {"issuer": "int", "days": 90, "bits": 1024}, "serve": ["leaf", "int"],
     "hsts": "max-age=600",
     "expect": {"findings": ["weak-key"], "ocsp": None, "must_staple": False,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": hsts(600), "tmp_key": X25519}},
    {"name": "sha1-intermediate", "octet": 82, "kind": "nginx",
     "leaf": {"issuer": "int_sha1", "days": 90}, "serve": ["leaf", "int_sha1", "root"],
     "expect": {"findings": ["sha1-in-chain"], "ocsp": None, "must_staple": False,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": NO_HSTS, "tmp_key": X25519}},
    {"name": "out-of-order", "octet": 83, "kind": "nginx",
     "leaf": {"issuer": "int", "days": 90}, "serve": ["leaf", "root", "int"],
     "expect": {"findings": ["chain-order"], "ocsp": None, "must_staple": False,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": NO_HSTS, "tmp_key": X25519}},
    {"name": "missing-intermediate", "octet": 84, "kind": "nginx",
     "leaf": {"issuer": "int", "days": 90}, "serve": ["leaf"],
     "expect": {"findings": ["missing-intermediate"], "ocsp": None, "must_staple": False,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": NO_HSTS, "tmp_key": X25519}},
    {"name": "must-staple", "octet": 85, "kind": "nginx",
     "leaf": {"issuer": "int", "days": 90, "must_staple": True}, "serve": ["leaf", "int"],
     "expect": {"findings": ["must-staple-without-staple"], "ocsp": None, "must_staple": True,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": NO_HSTS, "tmp_key": X25519}},
    {"name": "validity-500", "octet": 86, "kind": "nginx",
     "leaf": {"issuer": "int", "days": 500}, "serve": ["leaf", "int"],
     "expect": {"findings": ["validity-over-398-days"], "ocsp": None, "must_staple": False,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": NO_HSTS, "tmp_key": X25519}},
    {"name": "revoked", "octet": 87, "kind": "nginx",
     "leaf": {"issuer": "int", "days": 90, "must_staple": True}, "serve": ["leaf", "int"],
     "staple": "revoked",
     "expect": {"findings": ["ocsp-revoked"], "ocsp": "revoked", "must_staple": True,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": NO_HSTS, "tmp_key": X25519}},
    # A self-signed SHA-1 leaf: its own signature is no finding (tls_checks.h),
    # nor is its lifetime; the duplicate max-age makes the HSTS header invalid.
    {"name": "self-signed-sha1", "octet": 88, "kind": "nginx",
     "leaf": {"issuer": "self", "days": 800, "md": "sha1"}, "serve": ["leaf"],
     "hsts": "max-age=1; max-age=2",
     "expect": {"findings": ["hsts-invalid"], "ocsp": None, "must_staple": False,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": hsts(1, valid=False, error="max-age given twice"), "tmp_key": X25519}},
    {"name": "rogue-staple", "octet": 89, "kind": "nginx",
     "leaf": {"issuer": "int", "days": 90}, "serve": ["leaf", "int"], "staple": "rogue",
     "expect": {"findings": ["ocsp-invalid"], "ocsp": "rogue", "must_staple": False,
                "scts": {"embedded": 0, "tls_extension": 0, "ocsp": 0},
                "hsts": NO_HSTS, "tmp_key": X25519}},
    {"name": "dhe1024-sct-ext", "octet": 90, "kind": "s_server",
     "leaf": {"issuer": "int", "days": 90}, "serve": ["leaf", "int"],
     "expect": {"findings": ["weak-tmp-key"], "ocsp": None, "must_staple": False,
                "scts": {"embedded": 0, "tls_extension": 1, "ocsp": 0},
                "hsts": NO_HSTS, "tmp_key": {"type": "DH", "bits": 1024}}},
]

# What each staple kind must give ("ocsp" of the record).
STAPLES = {
    None: None,
    "good": {"valid": True, "status": "good", "signature_ok": True, "time_ok": True, "error": None},
    "revoked": {"valid": False, "status": "revoked", "signature_ok": True, "time_ok": True,
                "error": "certificate revoked"},
    "rogue": {"valid": False, "status": "good", "signature_ok": False, "time_ok": True,
              "error": "signature not verified"},
}


def sh(*args, **kw):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def sct(i):
    """One RFC 6962 SCT (v1, log id i*32, no extensions, a 70-byte dummy
    ECDSA-SHA256 signature): parsed by OpenSSL, never valid for a log."""
    body = bytes([0]) + bytes([i]) * 32 + (1700000000000 + i).to_bytes(8, "big") + b"\x00\x00"
    body += b"\x04\x03" + (70).to_bytes(2, "big") + bytes([0x30]) + bytes(69)
    return len(body).to_bytes(2, "big") + body


def sct_ext(n):
    lst = b"".join(sct(i + 1) for i in range(n))
    lst = len(lst).to_bytes(2, "big") + lst
    # extnValue holds an OCTET STRING of the TLS-encoded list (RFC 6962 3.3)
    return "DER:04" + ("%02x" % len(lst) if len(lst) < 128 else "81%02x" % len(lst)) + lst.hex()


def make_ca(d, name, subj, issuer=None, md="sha256"):
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    sh("openssl", "genrsa", "-out", key, "2048")
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                "subjectKeyIdentifier=hash\n" + ("authorityKeyIdentifier=keyid\n" if issuer else ""))
    if issuer is None:
        sh("openssl", "req", "-x509", "-new", "-key", key, "-out", crt, "-days", "3650", "-subj", subj,
           "-" + md, "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    else:
        csr = os.path.join(d, name + ".csr")
        sh("openssl", "req", "-new", "-key", key, "-out", csr, "-subj", subj)
        sh("openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(d, issuer + ".pem"),
           "-CAkey", os.path.join(d, issuer + ".key"), "-CAcreateserial", "-out", crt, "-days", "1825",
           "-" + md, "-extfile", ext)


def make_leaf(d, e):
    name, spec = e["name"], e["leaf"]
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    sh("openssl", "genrsa", "-out", key, str(spec.get("bits", 2048)))
    ext = os.path.join(d, name + ".ext")
    lines = ["basicConstraints=CA:FALSE", "subjectAltName=DNS:%s.checks.test" % name]
    if spec["issuer"] != "self":
        lines += ["keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth",
                  "authorityKeyIdentifier=keyid"]
    if spec.get("must_staple"):
        lines.append("tlsfeature=status_request")
    if spec.get("scts"):
        lines.append("1.3.6.1.4.1.11129.2.4.2=" + sct_ext(spec["scts"]))
    with open(ext, "w") as f:
        f.write("\n".join(lines) + "\n")
    subj = "/CN=%s.checks.test" % name
    md = "-" + spec.get("md", "sha256")
    if spec["issuer"] == "self":
        sh("openssl", "req", "-x509", "-new", "-key", key, "-out", crt, "-days", str(spec["days"]),
           "-subj", subj, md, "-addext", "subjectAltName=DNS:%s.checks.test" % name)
        return
    csr = os.path.join(d, name + ".csr")
    sh("openssl", "req", "-new", "-key", key, "-out", csr, "-subj", subj)
    sh("openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(d, spec["issuer"] + ".pem"),
       "-CAkey", os.path.join(d, spec["issuer"] + ".key"), "-CAcreateserial", "-out", crt,
       "-days", str(spec["days"]), md, "-extfile", ext)


def serial_of(path):
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", path],
                         check=True, capture_output=True, text=True).stdout
    return out.strip().split("=", 1)[1]


def make_staple(d, e):
    """`openssl ocsp` as a responder over a one-line index: the leaf good or
    revoked, signed by its issuer (int), or by a rogue CA nobody trusts."""
    name, kind = e["name"], e["staple"]
    leaf = os.path.join(d, name + ".pem")
    ser = serial_of(leaf)
    now = datetime.datetime.now(datetime.timezone.utc)
    exp = (now + datetime.timedelta(days=90)).strftime("%y%m%d%H%M%SZ")
    idx = os.path.join(d, name + ".index")
    with open(idx, "w") as f:
        if kind == "revoked":
            rev = (now - datetime.timedelta(days=1)).strftime("%y%m%d%H%M%SZ")
            f.write("R\t%s\t%s\t%s\tunknown\t/CN=%s.checks.test\n" % (exp, rev, ser, name))
        else:
            f.write("V\t%s\t\t%s\tunknown\t/CN=%s.checks.test\n" % (exp, ser, name))
    signer = "rogue" if kind == "rogue" else "int"
    req = os.path.join(d, name + ".ocspreq")
    sh("openssl", "ocsp", "-issuer", os.path.join(d, "int.pem"), "-cert", leaf, "-no_nonce",
       "-reqout", req)
    sh("openssl", "ocsp", "-index", idx, "-rsigner", os.path.join(d, signer + ".pem"),
       "-rkey", os.path.join(d, signer + ".key"), "-CA", os.path.join(d, "int.pem"),
       "-reqin", req, "-respout", os.path.join(d, name + ".ocsp.der"), "-ndays", "7")


def serverinfo(d):
    """An SCT in the signed_certificate_timestamp extension (type 18) for
    s_server -serverinfo (PEM "SERVERINFO FOR" v1: type, length, data)."""
    lst = sct(9)
    data = len(lst).to_bytes(2, "big") + lst
    blob = (18).to_bytes(2, "big") + len(data).to_bytes(2, "big") + data
    path = os.path.join(d, "serverinfo.pem")
    with open(path, "w") as f:
        f.write("-----BEGIN SERVERINFO FOR signed_certificate_timestamp-----\n")
        b = base64.b64encode(blob).decode()
        f.write("\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + "\n")
        f.write("-----END SERVERINFO FOR signed_certificate_timestamp-----\n")


NGINX_CONF = """user root root;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/log/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {d}/log/nginx-access.log;
    client_body_temp_path {d}/nginx-tmp/body;
    proxy_temp_path {d}/nginx-tmp/proxy;
    fastcgi_temp_path {d}/nginx-tmp/fastcgi;
    uwsgi_temp_path {d}/nginx-tmp/uwsgi;
    scgi_temp_path {d}/nginx-tmp/scgi;
    server_tokens off;
{servers}}}
"""

SERVER = """    server {{
        listen {ip}:443 ssl;
        ssl_certificate {d}/{name}.served.pem;
        ssl_certificate_key {d}/{name}.key;
        ssl_protocols TLSv1.2 TLSv1.3;
{extra}        location / {{ return 200 "ok\\n"; }}
    }}
"""

# nginx and s_server read this instead of the system's (level 2 refuses the
# RSA-1024 and SHA-1 certificates these endpoints must serve).
OPENSSL_CNF = """openssl_conf = init
[init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = sysdef
[sysdef]
CipherString = DEFAULT:@SECLEVEL=0
"""


def cmd_truth(d):
    os.makedirs(d, exist_ok=True)
    make_ca(d, "root", "/CN=Checks Root")
    make_ca(d, "int", "/CN=Checks Intermediate", "root")
    make_ca(d, "int_sha1", "/CN=Checks SHA-1 Intermediate", "root", md="sha1")
    make_ca(d, "rogue", "/CN=Rogue OCSP Signer")
    with open(os.path.join(d, "ca.pem"), "w") as f:
        for n in ("root", "int"):
            f.write(open(os.path.join(d, n + ".pem")).read())
    servers, eps = [], []
    for e in ENDPOINTS:
        make_leaf(d, e)
        with open(os.path.join(d, e["name"] + ".served.pem"), "w") as f:
            for part in e["serve"]:
                f.write(open(os.path.join(d, (e["name"] if part == "leaf" else part) + ".pem")).read())
        extra = ""
        if e.get("staple"):
            make_staple(d, e)
            extra += "        ssl_stapling on;\n        ssl_stapling_file %s/%s.ocsp.der;\n" % (d, e["name"])
        if e.get("hsts"):
            extra += "        add_header Strict-Transport-Security \"%s\" always;\n" % e["hsts"]
        x = dict(e)
        x["ip"], x["port"] = SEG + str(e["octet"]), 443
        x["expect"] = dict(e["expect"], ocsp=STAPLES[e["expect"]["ocsp"]], ocsp_stapled=bool(e.get("staple")))
        eps.append(x)
        if e["kind"] == "nginx":
            servers.append(SERVER.format(ip=x["ip"], d=d, name=e["name"], extra=extra))
    serverinfo(d)
    sh("openssl", "dhparam", "-out", os.path.join(d, "dh1024.pem"), "1024")
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(d=d, servers="".join(servers)))
    with open(os.path.join(d, "openssl.cnf"), "w") as f:
        f.write(OPENSSL_CNF)
    lo, hi = min(e["octet"] for e in ENDPOINTS), max(e["octet"] for e in ENDPOINTS)
    with open(os.path.join(d, "checks_truth.json"), "w") as f:
        json.dump({"range": "%s%d-%s%d" % (SEG, lo, SEG, hi), "endpoints": eps}, f, indent=1)


def cmd_up(d):
    truth = json.load(open(os.path.join(d, "checks_truth.json")))
    logdir = os.path.join(d, "log")
    os.makedirs(logdir, exist_ok=True)
    os.makedirs(os.path.join(d, "nginx-tmp"), exist_ok=True)
    env = dict(os.environ, OPENSSL_CONF=os.path.join(d, "openssl.cnf"))
    pids, want = [], []
    p = subprocess.Popen(["nginx", "-c", os.path.join(d, "nginx.conf"), "-g", "daemon off;"],
                         stdin=subprocess.DEVNULL, stdout=open(os.path.join(logdir, "nginx.out"), "w"),
                         stderr=subprocess.STDOUT, env=env, start_new_session=True)
    pids.append(p.pid)
    for e in truth["endpoints"]:
        want.append(e["ip"] + ":443")
        if e["kind"] != "s_server":
            continue
        # TLS 1.2 only: the DHE suite, and serverinfo v1 (ServerHello extensions).
        p = subprocess.Popen(["openssl", "s_server", "-quiet", "-accept", e["ip"] + ":443",
                              "-cert", os.path.join(d, e["name"] + ".pem"),
                              "-key", os.path.join(d, e["name"] + ".key"),
                              "-cert_chain", os.path.join(d, "int.pem"),
                              "-no_tls1_3", "-cipher", "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
                              "-dhparam", os.path.join(d, "dh1024.pem"),
                              "-serverinfo", os.path.join(d, "serverinfo.pem"), "-www"],
                             stdin=subprocess.DEVNULL, stdout=open(os.path.join(logdir, e["name"] + ".out"), "w"),
                             stderr=subprocess.STDOUT, env=env, start_new_session=True)
        pids.append(p.pid)
    started(d, pids, want, "tls_checks_lab", open(os.path.join(logdir, "nginx.out")).read()[-2000:])


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("truth", "up", "down"):
        sys.exit("usage: tls_checks_lab.py truth|up|down DIR")
    try:
        {"truth": cmd_truth, "up": cmd_up, "down": cmd_down}[sys.argv[1]](sys.argv[2])
    except subprocess.CalledProcessError as ex:
        sys.exit("tls_checks_lab: %s: %s" % (" ".join(ex.cmd), (ex.stderr or b"").decode()[-500:]))
