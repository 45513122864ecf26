#!/usr/bin/env python3
"""tls_probe.py — reference TLS prober for the portus TLS lab: writes, for
every endpoint of the lab, the NDJSON record portus -oJ writes (layout of
include/tls_json.h), using Python's ssl module and the openssl CLI instead of
portus. It validates the lab itself (servers, certificates, truth and
tests/integration/check_tls.py) independently of portus:

    ip netns exec plab<ID>-scan timeout 120 tls_probe.py DIR/truth.json OUT.ndjson [--versions]

Run ONLY inside the lab's scanner namespace: it connects to the addresses
of the truth (198.18.0.30-49) and refuses any other. Like portus it first
checks the port is open (a connect from a source port in the truth's
refused_scan_sports range, as the scan's SYNs come from there), and writes no
TLS record for a closed port. Then per endpoint and SNI name (the truth's
sni list; none: one record without SNI):
  - main handshake: TLS 1.2-1.3, no verification,
    ALPN http/1.1, SNI when given; outcome ok / refused / timeout / reset /
    not-tls / alert (name) / error; leaf and chain as sent; HEAD / with the
    SNI (or the address) as Host
  - verification: a second handshake against the lab CA alone (no system
    store); verify_ok and OpenSSL's verify error string
  - hostname_match: `openssl x509 -checkhost` (X509_check_host) on the leaf
  - --versions: one handshake per TLS 1.0/1.1/1.2/1.3 (1.0/1.1 at SECLEVEL=0)
What it cannot report: "group" (Python's ssl does not expose it): null.
Certificate fields come from tls_certs.py's functions applied to the leaf it
received, so they prove the servers send the intended certificates (the
fingerprints) rather than re-prove the DN printing.
"""
import argparse
import concurrent.futures
import datetime
import hashlib
import ipaddress
import json
import math
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tls_certs  # noqa: E402

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

TIMEOUT = 3.0
MAX_NAMES = 100  # TLS_MAX_NAMES of include/tls_cert.h
ALLOWED = ipaddress.ip_network("198.18.0.0/24")
VERSIONS = [("TLSv1", ssl.TLSVersion.TLSv1), ("TLSv1.1", ssl.TLSVersion.TLSv1_1),
            ("TLSv1.2", ssl.TLSVersion.TLSv1_2), ("TLSv1.3", ssl.TLSVersion.TLSv1_3)]

NOT_TLS_REASONS = {"WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE",
                   "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "UNKNOWN_PROTOCOL"}


def stdnames():
    """OpenSSL cipher name -> IANA name (for TLS 1.2 and older suites)."""
    out = subprocess.run(["openssl", "ciphers", "-stdname", "ALL:@SECLEVEL=0"], capture_output=True,
                         text=True).stdout
    m = {}
    for line in out.splitlines():
        parts = line.split(" - ")
        if len(parts) >= 2:
            m[parts[1].split()[0]] = parts[0].strip()
    return m


STDNAMES = {}


def connect(ip, port, sport_range=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    if sport_range:
        lo, hi = sport_range
        for p in range(lo, hi + 1):
            try:
                s.bind(("0.0.0.0", p))
                break
            except OSError:
                continue
    s.connect((ip, port))
    return s


def classify(exc):
    """Exception of connect/handshake -> (outcome, alert, detail)."""
    if isinstance(exc, ConnectionRefusedError):
        return "refused", None, "connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout", None, "timed out"
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason or ""
        for pfx in ("SSLV3_ALERT_", "TLSV1_ALERT_", "TLSV13_ALERT_"):
            if reason.startswith(pfx):
                name = reason[len(pfx):].lower()
                name = {"protocol_version": "protocol_version"}.get(name, name)
                return "alert", name, reason
        if reason in NOT_TLS_REASONS:
            return "not-tls", None, reason
        if isinstance(exc, ssl.SSLEOFError) or "EOF" in str(exc):
            return "reset", None, "closed during the handshake"
        return "error", None, reason or str(exc)
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return "reset", None, "connection reset"
    return "error", None, f"{type(exc).__name__}: {exc}"


def client_ctx(vmin=None, vmax=None, cafile=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    if cafile:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=cafile)  # the lab CA only: no system store
    else:
        ctx.verify_mode = ssl.CERT_NONE
    if vmin is not None and vmin < ssl.TLSVersion.TLSv1_2:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    if vmin is not None:
        ctx.minimum_version = vmin
    if vmax is not None:
        ctx.maximum_version = vmax
    return ctx


def handshake(ip, port, sni, ctx, alpn=None):
    raw = connect(ip, port)
    if alpn:
        ctx.set_alpn_protocols(alpn)
    s = ctx.wrap_socket(raw, server_hostname=sni, do_handshake_on_connect=False)
    try:
        s.do_handshake()
    except BaseException:
        s.close()
        raise
    return s


BANNER_CAP = 512  # TLS_MAX_BANNER_LINE: bytes kept of the status line and of Server:


def banner(s, host):
    """HEAD / -> (status, server, truncated, invalid_fields), parsed as
    src/tls/banner.c does: first line without its line end, first Server:
    value trimmed of spaces and tabs, each capped at BANNER_CAP bytes."""
    s.sendall(f"HEAD / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tls_probe\r\nConnection: close\r\n\r\n".encode())
    buf = b""
    try:
        while b"\r\n\r\n" not in buf and len(buf) < 8192:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
    except (OSError, ssl.SSLError):
        pass
    if not buf:
        return None, None, False, []
    head = buf.split(b"\r\n\r\n", 1)[0].split(b"\n")
    head = [ln[:-1] if ln.endswith(b"\r") else ln for ln in head]
    status, server = head[0], None
    for ln in head[1:]:
        name, colon, value = ln.partition(b":")
        if colon and name.rstrip(b" \t").lower() == b"server":
            server = value.strip(b" \t")
            break
    cut, bad, out = False, [], []
    for key, v in (("http_status", status), ("http_server", server)):
        if v is not None and len(v) > BANNER_CAP:
            v, cut = v[:BANNER_CAP], True
        if v:
            try:
                v.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(key)
        out.append(v.decode("utf-8", "replace") if v else None)
    return out[0], out[1], cut, bad


def check_host(der, name):
    with tempfile.NamedTemporaryFile(suffix=".pem") as f:
        f.write(x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM))
        f.flush()
        out = subprocess.run(["openssl", "x509", "-in", f.name, "-noout", "-checkhost", name],
                             capture_output=True, text=True).stdout
    return " does match certificate" in out


def cert_fields(der, now, tmpdir, tag):
    path = f"{tag}.pem"
    with open(os.path.join(tmpdir, path), "wb") as f:
        f.write(x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM))
    t = tls_certs.cert_truth(tmpdir, path, tls_certs.Issued(None, None, der), now)
    trunc = []
    for k in ("subject_cn", "san_dns", "san_ip"):
        if len(t[k]) > MAX_NAMES:
            t[k] = t[k][:MAX_NAMES]
            trunc.append(k)
    na = datetime.datetime.strptime(t["not_after"], "%Y-%m-%dT%H:%M:%SZ")
    cert = {
        "subject": t["subject"], "issuer": t["issuer"], "subject_cn": t["subject_cn"],
        "san_dns": t["san_dns"], "san_ip": t["san_ip"], "serial": t["serial"],
        "not_before": t["not_before"].replace("Z", ".000000Z"),
        "not_after": t["not_after"].replace("Z", ".000000Z"),
        "days_to_expiry": math.floor((na - now).total_seconds() / 86400),
        "expired": t["expired"], "not_yet_valid": t["not_yet_valid"], "self_signed": t["self_signed"],
        "signature_algorithm": t["signature_algorithm"], "key_algorithm": t["key_algorithm"],
        "key_bits": t["key_bits"], "key_curve": t["key_curve"], "sha256": t["sha256"], "sha1": t["sha1"],
    }
    return cert, trunc, t["invalid_utf8_fields"], t


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def probe(ep, sni, truth, base, do_versions, tmpdir):
    ip, port = ep["ip"], ep["port"]
    rec = {"type": "tls", "ip": ip, "port": port, "sni": sni, "outcome": "ok", "alert": None, "detail": None,
           "tls_version": None, "cipher": None, "alpn": None, "group": None, "verify_ok": None,
           "verify_error": None, "hostname_match": None, "cert": None, "chain": [], "chain_length": 0,
           "http_status": None, "http_server": None}
    trunc, bad = [], []
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    try:
        s = handshake(ip, port, sni, client_ctx(ssl.TLSVersion.TLSv1_2), alpn=["http/1.1"])
    except BaseException as e:  # noqa: BLE001
        rec["outcome"], rec["alert"], rec["detail"] = classify(e)
        s = None
    if s is not None:
        rec["tls_version"] = s.version()
        c = s.cipher()[0]
        rec["cipher"] = c if c.startswith("TLS_") else STDNAMES.get(c, c)
        rec["alpn"] = s.selected_alpn_protocol()
        chain = [c.public_bytes(ssl._ssl.ENCODING_DER) for c in s._sslobj.get_unverified_chain()]
        host = (sni or ip) + ("" if port == 443 else f":{port}")
        rec["http_status"], rec["http_server"], bcut, bbad = banner(s, host)
        s.close()
        leaf = chain[0]
        rec["cert"], trunc, bad, _ = cert_fields(leaf, now, tmpdir, f"{ip}-{port}-{sni}-leaf")
        trunc += ["banner"] if bcut else []
        bad = bad + bbad
        for i, der in enumerate(chain):
            _, _, _, t = cert_fields(der, now, tmpdir, f"{ip}-{port}-{sni}-{i}")
            rec["chain"].append({"subject": t["subject"], "issuer": t["issuer"], "sha256": t["sha256"]})
        rec["chain_length"] = len(chain)
        try:
            handshake(ip, port, sni, client_ctx(cafile=os.path.join(base, truth["ca_file"]))).close()
            rec["verify_ok"] = True
        except ssl.SSLCertVerificationError as e:
            rec["verify_ok"] = False
            rec["verify_error"] = e.verify_message
        if sni:
            rec["hostname_match"] = check_host(leaf, sni)
    if do_versions:
        acc = []
        for name, v in VERSIONS:
            try:
                handshake(ip, port, sni, client_ctx(v, v)).close()
                acc.append(name)
            except BaseException:  # noqa: BLE001
                pass
        rec["versions_accepted"] = acc
        rec["versions_rejected"] = [n for n, _ in VERSIONS if n not in acc]
    rec["truncated"] = bool(trunc)
    rec["truncated_fields"] = trunc
    rec["invalid_utf8_fields"] = bad
    rec["time"] = now_rfc3339()
    return rec


def port_open(ep, sports):
    try:
        connect(ep["ip"], ep["port"], sports).close()
        return True
    except ConnectionResetError:
        # The server accepted and reset at once (the "reset" endpoint), and
        # this thread woke after the RST: connect() reports it, but the
        # handshake completed, so the port is open. Seen under load in CI.
        return True
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth")
    ap.add_argument("out")
    ap.add_argument("--versions", action="store_true", help="test TLS 1.0/1.1/1.2/1.3 (as --tls-versions)")
    ap.add_argument("--hostile", action="store_true", help="probe the truth's hostile_endpoints instead")
    a = ap.parse_args()
    base = os.path.dirname(os.path.abspath(a.truth))
    with open(a.truth, encoding="utf-8") as f:
        truth = json.load(f)
    endpoints = truth["hostile_endpoints"] if a.hostile else truth["endpoints"]
    for ep in endpoints:
        if ipaddress.ip_address(ep["ip"]) not in ALLOWED:
            sys.exit(f"tls_probe: refusing address outside {ALLOWED}: {ep['ip']}")
    STDNAMES.update(stdnames())
    lo, hi = (int(x) for x in truth["refused_scan_sports"].split("-"))
    jobs = []
    with tempfile.TemporaryDirectory() as tmpdir, \
            concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        opens = dict(zip([e["ip"] for e in endpoints], pool.map(lambda e: port_open(e, (lo, hi)), endpoints)))
        for ep in endpoints:
            if not opens[ep["ip"]]:
                continue
            for sni in ep["sni"] or [None]:
                jobs.append(pool.submit(probe, ep, sni, truth, base, a.versions, tmpdir))
        recs = [j.result() for j in jobs]
    with open(a.out, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"tls_probe: {len(recs)} records, {sum(r['outcome'] == 'ok' for r in recs)} ok", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
