#!/usr/bin/env python3
"""check_tls.py — checks portus's TLS records against the TLS lab's truth.

    check_tls.py --truth DIR/truth.json [--versions] [--no-banner] [--pem]
                 [--no-sni] [--no-ca] [--reference] [--server-log DIR/log/connections.ndjson]
                 FILE...

TRUTH: from tests/lab/tls_certs.py. FILE: portus -oJ NDJSON (or tls_probe.py
output with --reference). Record layout: include/tls_json.h.

For every endpoint of the truth (198.18.0.30-49, port 443):
  - port record (unless --reference): open, or closed for the closed endpoint
  - TLS records: exactly one per SNI name the truth's sni.txt gives for the
    address (one with "sni": null when none; with --no-sni, the scan had no
    --sni-file: one with null everywhere); none for a closed port; no record
    for anything else
  - outcome (ok / not-tls / timeout / reset / refused / alert + alert name)
  - ok: tls_version, cipher (IANA name), alpn (null or http/1.1), group
    (a name; null allowed with --reference), verify_ok + verify_error
    (against the lab CA; with --no-ca nothing verifies), hostname_match
    (null without SNI), every cert field (subject, issuer, subject_cn,
    san_dns, san_ip, serial, not_before, not_after, days_to_expiry, expired,
    not_yet_valid, self_signed, signature_algorithm, key_algorithm,
    key_bits, key_curve, sha256, sha1), chain (subject, issuer, sha256 of
    each certificate sent, in order) and chain_length, http_status
    "HTTP/1.1 200 OK" and http_server "lab-NAME" (null with --no-banner),
    truncated / truncated_fields (the 500-SAN certificate), invalid_utf8_fields
  - failures: no version, cipher, cert, chain, banner
  - --versions: versions_accepted / versions_rejected (absent without)
  - --pem: "pem" is the leaf's PEM (absent without)
--self-test: FILE must pass, then ~40 mutations of it (a record dropped or
  duplicated, one byte of a DN, a serial with 00, a flipped flag, a wrong
  fingerprint, verify/hostname results, chain, banner, outcome, versions...)
  must each fail: proves the checker is not vacuous.
--hostile: check the truth's hostile_endpoints (port 8443: garbage, a byte a
  second, a 1.3 MB chain, stalled / reset / huge / hostile HTTP answers)
  instead of its endpoints.
--legacy-main: the TLS 1.0/1.1-only server must give outcome ok in TLSv1.1 (a
  client whose main handshake allows 1.0-1.3 at SECLEVEL=0, as portus's does).
  Without it any of the truth's outcomes for that server passes, with a note.
--server-log: the lab servers' connection log must agree: every SNI the servers
  received is one the record had (none for null), every request is
  "HEAD / HTTP/1.1" with Host = the SNI name or the address, and no server got
  more connections than the records explain.

Prints each mismatch and a closing line `check_tls: N records, N endpoints,
N mismatches`; exits 1 on any mismatch, 2 on bad input.
Python standard library only.
"""
import argparse
import collections
import datetime
import ipaddress
import json
import math
import os
import re
import sys

TLS13_CIPHERS = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
                 "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"}
VERSION_NAMES = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
CERT_KEYS = ["subject", "issuer", "subject_cn", "san_dns", "san_ip", "serial", "not_before", "not_after",
             "days_to_expiry", "expired", "not_yet_valid", "self_signed", "signature_algorithm",
             "key_algorithm", "key_bits", "key_curve", "sha256", "sha1"]
MAX_NAMES = 100  # TLS_MAX_NAMES (include/tls_cert.h)
TLS_JSON_MAX_RECORD = 9000  # include/tls_json.h


def die(msg):
    print(f"check_tls: error: {msg}", file=sys.stderr)
    sys.exit(2)


def parse_time(s):
    if not isinstance(s, str) or not TIME_RE.match(s):
        return None
    main = s[:19]
    frac = s[19:-1]
    t = datetime.datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    if frac:
        t += datetime.timedelta(microseconds=int((frac[1:] + "000000")[:6]))
    return t


class Checker:
    def __init__(self, args, truth):
        self.a = args
        self.truth = truth
        self.errors = []

    def endpoints(self):
        return self.truth["hostile_endpoints"] if self.a.hostile else self.truth["endpoints"]

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def eq(self, where, key, got, want):
        if got != want:
            self.err(where, f"{key} = {json.dumps(got, ensure_ascii=False)}, expected "
                            f"{json.dumps(want, ensure_ascii=False)}")

    # ------------------------------------------------------------ records

    def expected_names(self, ep):
        if self.a.no_sni or not ep["sni"]:
            return [None]
        return list(ep["sni"])

    def check_cert(self, where, cert, ep, rec_time):
        tc = ep["cert"]
        if not isinstance(cert, dict):
            self.err(where, f"cert = {cert!r}, expected an object")
            return
        for k in CERT_KEYS:
            if k not in cert:
                self.err(where, f"cert.{k} missing")
        w = where + " cert"
        if cert.get("subject") != tc["subject"] and cert.get("subject") == tc["subject_esc_msb"]:
            self.err(w, "subject printed with ESC_MSB (\\XX for non-ASCII), tls_cert.h says UTF-8")
        self.eq(w, "subject", cert.get("subject"), tc["subject"])
        self.eq(w, "issuer", cert.get("issuer"), tc["issuer"])
        self.eq(w, "subject_cn", cert.get("subject_cn"), tc["subject_cn"][:MAX_NAMES])
        self.eq(w, "san_dns", cert.get("san_dns"), tc["san_dns"][:MAX_NAMES])
        got_ip = cert.get("san_ip")
        if not isinstance(got_ip, list):
            self.err(w, f"san_ip = {got_ip!r}")
        else:
            try:
                norm = [str(ipaddress.ip_address(x)) for x in got_ip]
            except ValueError:
                norm = got_ip
            if norm != tc["san_ip"]:
                self.eq(w, "san_ip", got_ip, tc["san_ip"])
            elif got_ip != tc["san_ip"]:
                self.err(w, f"san_ip {got_ip} right but not in canonical text form {tc['san_ip']}")
        self.eq(w, "serial", cert.get("serial"), tc["serial"])
        for k in ("not_before", "not_after"):
            got = parse_time(cert.get(k))
            want = parse_time(tc[k])
            if got is None:
                self.err(w, f"{k} = {cert.get(k)!r}: not RFC 3339 UTC")
            elif got != want:
                self.err(w, f"{k} = {cert.get(k)}, expected {tc[k]}")
        na = parse_time(tc["not_after"])
        nb = parse_time(tc["not_before"])
        if rec_time is not None:
            days = math.floor((na - rec_time).total_seconds() / 86400)
            d = cert.get("days_to_expiry")
            if not isinstance(d, int) or isinstance(d, bool) or abs(d - days) > 1:
                self.err(w, f"days_to_expiry = {d!r}, expected {days} (+-1) at the record's time")
            self.eq(w, "expired", cert.get("expired"), rec_time > na)
            self.eq(w, "not_yet_valid", cert.get("not_yet_valid"), rec_time < nb)
        for k in ("self_signed", "signature_algorithm", "key_algorithm", "key_bits", "key_curve",
                  "sha256", "sha1"):
            self.eq(w, k, cert.get(k), tc[k])

    def expected_verify(self, ep, sni):
        """(verify_ok, verify_error) the record must carry."""
        if self.a.no_ca:
            return False, None  # error text depends on the chain: any string
        if ep["verify_error"] is not None:
            return False, ep["verify_error"]
        if not ep["chain_ok"]:
            return False, None
        return True, None

    def check_record(self, rec, ep, sni):
        where = f"{ep['ip']} ({ep['name']}) sni={sni}"
        a = self.a
        want_outcome = ep["outcome"]
        if a.legacy_main and "ok" in ep.get("outcome_alternatives", []):
            want_outcome = "ok"
        elif rec.get("outcome") in ep.get("outcome_alternatives", []):
            # The TLS 1.0/1.1-only server: what the main handshake meets depends
            # on the client's protocol range and security level (see the truth).
            want_outcome = rec["outcome"]
            print(f"check_tls: note: {where}: outcome {want_outcome} (detail {rec.get('detail')!r}), "
                  f"the truth's first choice is {ep['outcome']}")
        self.eq(where, "outcome", rec.get("outcome"), want_outcome)
        if rec.get("outcome") != want_outcome:
            self.err(where, f"  (detail: {rec.get('detail')!r}, alert: {rec.get('alert')!r})")
            return
        rec_time = parse_time(rec.get("time"))
        if rec_time is None:
            self.err(where, f"time = {rec.get('time')!r}: not RFC 3339 UTC")
        self.eq(where, "port", rec.get("port"), ep["port"])
        self.eq(where, "sni", rec.get("sni"), sni)
        ok = want_outcome == "ok"
        if want_outcome == "alert":
            if rec.get("alert") not in ep["alert_names"]:
                self.err(where, f"alert = {rec.get('alert')!r}, expected {ep['alert_names'][0]!r}")
        elif "alert" in rec and rec.get("alert") is not None:
            self.err(where, f"alert = {rec.get('alert')!r}, expected null")
        if ok:
            self.eq(where, "detail", rec.get("detail"), None)
            v = rec.get("tls_version")
            self.eq(where, "tls_version", v, ep["server"]["max_version"])
            c = rec.get("cipher")
            if v == "TLSv1.3":
                if c not in TLS13_CIPHERS:
                    self.err(where, f"cipher = {c!r}, not a TLS 1.3 suite's IANA name")
            elif not (isinstance(c, str) and c.startswith("TLS_")):
                self.err(where, f"cipher = {c!r}, expected an IANA name (TLS_...)")
            if rec.get("alpn") not in (None, "http/1.1"):
                self.err(where, f"alpn = {rec.get('alpn')!r}, expected null or http/1.1")
            g = rec.get("group")
            if not (isinstance(g, str) and g) and not (a.reference and g is None):
                self.err(where, f"group = {g!r}, expected a group name")
            want_ok, want_err = self.expected_verify(ep, sni)
            got_ok = rec.get("verify_ok")
            # A stage that verifies the hostname too (SSL_set1_host) fails on a mismatch.
            hm_want = ep["hostname_match"].get(sni if sni is not None else "null") if not a.no_sni else None
            if sni is None:
                hm_want = None
            if want_ok and got_ok is False and hm_want is False and \
                    rec.get("verify_error") == "hostname mismatch":
                pass
            else:
                self.eq(where, "verify_ok", got_ok, want_ok)
                if want_ok:
                    self.eq(where, "verify_error", rec.get("verify_error"), None)
                elif want_err is not None:
                    self.eq(where, "verify_error", rec.get("verify_error"), want_err)
                elif not (isinstance(rec.get("verify_error"), str) and rec.get("verify_error")):
                    self.err(where, f"verify_error = {rec.get('verify_error')!r}, expected a message")
            self.eq(where, "hostname_match", rec.get("hostname_match"), hm_want)
            self.check_cert(where, rec.get("cert"), ep, rec_time)
            chain = rec.get("chain")
            want_chain = [{k: c[k] for k in ("subject", "issuer", "sha256")} for c in ep["chain"]]
            if chain != want_chain:
                if isinstance(chain, list) and len(chain) == len(want_chain):
                    for i, (g_, w_) in enumerate(zip(chain, want_chain)):
                        if g_ != w_:
                            self.err(where, f"chain[{i}] = {json.dumps(g_, ensure_ascii=False)}, expected "
                                            f"{json.dumps(w_, ensure_ascii=False)}")
                else:
                    self.err(where, f"chain has {len(chain) if isinstance(chain, list) else chain!r} "
                                    f"entries, expected {len(want_chain)}")
            self.eq(where, "chain_length", rec.get("chain_length"), ep["chain_length"])
            tf = {"san_dns"} if len(ep["cert"]["san_dns"]) > MAX_NAMES else set()
            bad = set(ep["cert"]["invalid_utf8_fields"])
            if a.no_banner:
                self.eq(where, "http_status", rec.get("http_status"), None)
                self.eq(where, "http_server", rec.get("http_server"), None)
            else:
                self.eq(where, "http_status", rec.get("http_status"), ep["http_status"])
                self.eq(where, "http_server", rec.get("http_server"), ep["http_server"])
                tf |= set(ep.get("expect_truncated_fields", []))
                bad |= set(ep.get("expect_invalid_utf8_fields", []))
            if a.pem:
                # tls_json.h: a record over TLS_JSON_MAX_RECORD drops the PEM first.
                pem_dropped = self.check_pem(where, rec, ep)
                if pem_dropped:
                    tf.add("pem")
            elif "pem" in rec:
                self.err(where, "pem present without --tls-pem")
            self.eq(where, "truncated", rec.get("truncated"), bool(tf))
            self.eq(where, "truncated_fields", sorted(rec.get("truncated_fields") or []), sorted(tf))
            self.eq(where, "invalid_utf8_fields", sorted(rec.get("invalid_utf8_fields") or []), sorted(bad))
        else:
            for k in ("tls_version", "cipher", "alpn", "group", "verify_ok", "verify_error", "hostname_match",
                      "cert", "http_status", "http_server"):
                if rec.get(k) is not None:
                    self.err(where, f"{k} = {rec.get(k)!r} on outcome {want_outcome}, expected null")
            if rec.get("chain") not in ([], None):
                self.err(where, f"chain = {rec.get('chain')!r} on outcome {want_outcome}, expected []")
            if rec.get("chain_length") not in (0, None):
                self.err(where, f"chain_length = {rec.get('chain_length')!r} on outcome {want_outcome}")
            if want_outcome != "alert" and not (isinstance(rec.get("detail"), str) and rec["detail"]) \
                    and not a.reference:
                self.err(where, f"detail = {rec.get('detail')!r}: a failure needs a reason")
            if "pem" in rec:
                self.err(where, "pem present without a certificate")
        if a.versions:
            if want_outcome != "ok" and (ep.get("versions_accepted") == [] or
                                         ep.get("versions_uncertain")):
                # Nothing accepted and the main handshake failed too: a stage may
                # skip the probes (keys absent) or list every version rejected.
                # versions_uncertain: the server takes the versions but the
                # client cannot finish (chain over its cap): either answer.
                acc = rec.get("versions_accepted")
                if acc not in (None, []) and acc != ep.get("versions_accepted"):
                    self.err(where, f"versions_accepted = {acc!r}, expected [] or {ep.get('versions_accepted')}")
            elif ep.get("versions_accepted") == [] and want_outcome != "ok":
                # Nothing accepted and the main handshake failed too: a stage may
                # skip the probes (keys absent) or list every version rejected.
                if rec.get("versions_accepted") not in (None, []):
                    self.err(where, f"versions_accepted = {rec.get('versions_accepted')!r}, expected []")
                if rec.get("versions_rejected") not in (None, ep["versions_rejected"]):
                    self.err(where, f"versions_rejected = {rec.get('versions_rejected')!r}, "
                                    f"expected {ep['versions_rejected']} or absent")
            elif "versions_accepted" in ep:
                self.eq(where, "versions_accepted", rec.get("versions_accepted"), ep["versions_accepted"])
                self.eq(where, "versions_rejected", rec.get("versions_rejected"), ep["versions_rejected"])
            elif rec.get("versions_accepted") not in (None, []):
                self.err(where, f"versions_accepted = {rec.get('versions_accepted')!r}, expected none")
        else:
            for k in ("versions_accepted", "versions_rejected"):
                if k in rec:
                    self.err(where, f"{k} present without --tls-versions")

    def check_pem(self, where, rec, ep):
        """The leaf PEM is in the record, or — only when the record would be
        over TLS_JSON_MAX_RECORD with it — dropped. Returns True if dropped."""
        base = os.path.dirname(os.path.abspath(self.a.truth))
        with open(os.path.join(base, ep["cert"]["file"]), encoding="ascii") as f:
            want = f.read()
        rest = {k: v for k, v in rec.items() if k != "pem"}
        size = len(json.dumps(rest, ensure_ascii=False, separators=(",", ":")).encode()) + \
            len(',"pem":') + len(json.dumps(want))
        if "pem" not in rec:
            if size < TLS_JSON_MAX_RECORD - 200:
                self.err(where, f"pem missing (the record with it would be ~{size} bytes, under the cap)")
            return True
        pem = rec["pem"]
        if size > TLS_JSON_MAX_RECORD + 200:
            self.err(where, f"pem kept in a record of ~{size} bytes, over the cap")
        if not isinstance(pem, str) or "-----BEGIN CERTIFICATE-----" not in pem:
            self.err(where, f"pem = {str(pem)[:40]!r}...: not a PEM certificate")
        elif pem.strip() != want.strip():
            self.err(where, "pem is not the leaf the server sends")
        return False

    # ------------------------------------------------------------ files

    def load(self, files):
        """Reads NDJSON files; returns the parsed records (bad lines are errors)."""
        recs = []
        for path in files:
            with open(path, "rb") as f:
                for n, raw in enumerate(f, 1):
                    where = f"{path}:{n}"
                    try:
                        line = raw.decode("utf-8")
                    except UnicodeDecodeError:
                        self.err(where, "line is not valid UTF-8")
                        continue
                    if not line.endswith("\n"):
                        self.err(where, "last line has no newline")
                    try:
                        r = json.loads(line)
                    except ValueError as e:
                        self.err(where, f"not JSON: {e}")
                        continue
                    if not isinstance(r, dict):
                        self.err(where, "not a JSON object")
                        continue
                    if r.get("type") == "tls" and len(raw) - 1 > TLS_JSON_MAX_RECORD:
                        self.err(where, f"TLS record of {len(raw) - 1} bytes, over TLS_JSON_MAX_RECORD")
                    recs.append(r)
        return recs

    def run(self, files):
        return self.check(self.load(files))

    def check(self, records, quiet=False):
        tls = collections.defaultdict(list)
        ports = collections.defaultdict(list)
        for r in records:
            if r.get("type") == "tls":
                tls[(r.get("ip"), r.get("port"))].append(r)
            elif r.get("type") == "port":
                ports[(r.get("ip"), r.get("port"))].append(r)
        eps = {(e["ip"], e["port"]): e for e in self.endpoints()}
        for key in tls:
            if key not in eps:
                self.err(f"{key[0]}:{key[1]}", f"{len(tls[key])} TLS records for an address/port "
                                               f"that is no TLS lab endpoint")
        nrec = 0
        for key, ep in eps.items():
            where = f"{ep['ip']} ({ep['name']})"
            if not self.a.reference:
                pr = ports.get(key, [])
                if len(pr) != 1:
                    self.err(where, f"{len(pr)} port records for {key[1]}, expected 1")
                else:
                    self.eq(where, "port state", pr[0].get("state"), ep["port_state"])
            recs = tls.get(key, [])
            nrec += len(recs)
            if ep["outcome"] is None:
                if recs:
                    self.err(where, f"{len(recs)} TLS records for a closed port, expected none")
                continue
            want = self.expected_names(ep)
            by_sni = collections.defaultdict(list)
            for r in recs:
                by_sni[r.get("sni")].append(r)
            for s in want:
                got = by_sni.pop(s, [])
                if len(got) != 1:
                    self.err(where, f"{len(got)} TLS records with sni={s!r}, expected 1")
                if got:
                    self.check_record(got[0], ep, s)
            for s, extra in by_sni.items():
                self.err(where, f"{len(extra)} unexpected TLS records with sni={s!r}")
        if self.a.server_log:
            self.check_server_log(tls)
        if quiet:
            return 1 if self.errors else 0
        for e in self.errors[:self.a.max_diff]:
            print(f"  {e}")
        if len(self.errors) > self.a.max_diff:
            print(f"  ... and {len(self.errors) - self.a.max_diff} more")
        print(f"check_tls: {nrec} TLS records, {len(eps)} endpoints, {len(self.errors)} mismatches")
        return 1 if self.errors else 0

    def check_server_log(self, tls):
        conns = collections.Counter()
        done = []
        with open(self.a.server_log, encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                e.setdefault("port", self.truth["port"])
                if e["ev"] == "accept":
                    conns[(e["ip"], e["port"])] += 1
                else:
                    done.append(e)
        for e in done:
            where = f"server log {e['ip']}:{e['port']} ({e['server']}) {e['peer']}"
            if not e["peer"].startswith(self.truth["scanner"] + ":"):
                self.err(where, "connection from someone else than the scanner")
            recs = tls.get((e["ip"], e["port"]), [])
            snis = {r.get("sni") for r in recs}
            if e.get("handshake") == "ok" and e.get("sni") not in snis:
                self.err(where, f"server received SNI {e.get('sni')!r}, records have {sorted(map(str, snis))}")
            if e.get("request") is not None:
                if e["request"] != "HEAD / HTTP/1.1":
                    self.err(where, f"request {e['request']!r}, expected 'HEAD / HTTP/1.1'")
                host = e.get("host")
                name = e.get("sni") or e["ip"]
                # RFC 9110: the port is in Host unless it is the scheme's default.
                want = {name} if e["port"] == 443 else {f"{name}:{e['port']}"}
                if host not in want:
                    self.err(where, f"Host: {host!r}, expected {sorted(want)}")
        # Per record: the main connection, a verification retry at most, 4
        # version probes (with --tls-versions), each retried once at most.
        per_rec = 2 + (8 if self.a.versions else 0)
        for key, recs in tls.items():
            if conns[key] > per_rec * len(recs):
                self.err(f"server log {key[0]}:{key[1]}", f"{conns[key]} connections for {len(recs)} records "
                                                         f"(at most {per_rec} each)")
        eps = {(e["ip"], e["port"]): e for e in self.endpoints()}
        for key, n in conns.items():
            if key not in tls and n > 0:
                ep = eps.get(key)
                if ep is None or ep["outcome"] is not None:
                    self.err(f"server log {key[0]}:{key[1]}", f"{n} connections but no TLS record")


def mutations(records):
    """(description, mutated copy of records) pairs, each of which a correct
    checker must reject. Built from a passing set of records."""
    def first(pred):
        for i, r in enumerate(records):
            if r.get("type") == "tls" and pred(r):
                return i
        return None

    def mutate(desc, pred, fn):
        i = first(pred)
        if i is None:
            return None
        recs = json.loads(json.dumps(records))
        fn(recs, i)
        return desc, recs

    ok = lambda r: r.get("outcome") == "ok"  # noqa: E731
    named = lambda n: (lambda r: r.get("ip") == n)  # noqa: E731

    def setc(k, v):
        return lambda recs, i: recs[i]["cert"].__setitem__(k, v)

    def setr(k, v):
        return lambda recs, i: recs[i].__setitem__(k, v)

    out = [
        mutate("record dropped", ok, lambda recs, i: recs.pop(i)),
        mutate("record duplicated", ok, lambda recs, i: recs.append(recs[i])),
        mutate("sni changed", lambda r: r.get("sni"), setr("sni", "other.lab.test")),
        mutate("subject one byte off", ok, lambda recs, i: recs[i]["cert"].__setitem__(
            "subject", recs[i]["cert"]["subject"][:-1] + "X")),
        mutate("issuer swapped", ok, lambda recs, i: recs[i]["cert"].__setitem__("issuer", recs[i]["cert"]["subject"])),
        mutate("NUL dropped from the CN", named("198.18.0.39"), setc("subject_cn", ["caf\u00e9evil"])),
        mutate("san_dns reordered", named("198.18.0.40"), lambda recs, i: recs[i]["cert"]["san_dns"].reverse()),
        mutate("san_ip missing", ok, setc("san_ip", [])),
        mutate("serial with leading 00", named("198.18.0.36"), setc("serial", "008000000000000001")),
        mutate("serial lowercase", ok, lambda recs, i: recs[i]["cert"].__setitem__("serial", recs[i]["cert"]["serial"].lower())),
        mutate("not_after 1 s off", ok, lambda recs, i: recs[i]["cert"].__setitem__(
            "not_after", (parse_time(recs[i]["cert"]["not_after"]) + datetime.timedelta(seconds=1))
            .strftime("%Y-%m-%dT%H:%M:%S.%fZ"))),
        mutate("days_to_expiry off by 5", ok, lambda recs, i: recs[i]["cert"].__setitem__(
            "days_to_expiry", recs[i]["cert"]["days_to_expiry"] + 5)),
        mutate("expired flipped", named("198.18.0.32"), setc("expired", False)),
        mutate("not_yet_valid flipped", named("198.18.0.33"), setc("not_yet_valid", False)),
        mutate("self_signed flipped", named("198.18.0.31"), setc("self_signed", False)),
        mutate("key_bits wrong", named("198.18.0.31"), setc("key_bits", 2048)),
        mutate("key_curve wrong", named("198.18.0.38"), setc("key_curve", "prime256v1")),
        mutate("sha256 wrong", ok, setc("sha256", "00" * 32)),
        mutate("sha1 wrong", ok, setc("sha1", "00" * 20)),
        mutate("signature_algorithm wrong", named("198.18.0.39"), setc("signature_algorithm", "sha256WithRSAEncryption")),
        mutate("verify_ok true on a self-signed leaf", named("198.18.0.31"), setr("verify_ok", True)),
        mutate("verify_ok false on the valid chain", named("198.18.0.30"), setr("verify_ok", False)),
        mutate("verify_error text wrong", named("198.18.0.32"), setr("verify_error", "some error")),
        mutate("hostname_match true on the SAN mismatch", named("198.18.0.35"), setr("hostname_match", True)),
        mutate("hostname_match true on the NUL SAN", named("198.18.0.39"), setr("hostname_match", True)),
        mutate("hostname_match set without SNI", named("198.18.0.36"), setr("hostname_match", True)),
        mutate("chain entry dropped", named("198.18.0.38"), lambda recs, i: recs[i]["chain"].pop()),
        mutate("chain_length wrong", named("198.18.0.38"), setr("chain_length", 2)),
        mutate("http_server wrong", ok, setr("http_server", "nginx")),
        mutate("http_status wrong", ok, setr("http_status", "HTTP/1.1 404 Not Found")),
        mutate("tls_version wrong", named("198.18.0.42"), setr("tls_version", "TLSv1.2")),
        mutate("cipher missing", ok, setr("cipher", None)),
        mutate("truncation not flagged", named("198.18.0.49"), setr("truncated", False)),
        mutate("invalid UTF-8 not flagged", named("198.18.0.40"), setr("invalid_utf8_fields", [])),
        mutate("outcome wrong (silent)", named("198.18.0.44"), setr("outcome", "reset")),
        mutate("outcome wrong (plain HTTP)", named("198.18.0.43"), setr("outcome", "timeout")),
        mutate("alert name wrong", named("198.18.0.46"), setr("alert", "protocol_version")),
        mutate("cert on a failure", named("198.18.0.47"), lambda recs, i: recs[i].__setitem__(
            "cert", next(r for r in recs if r.get("outcome") == "ok")["cert"])),
        mutate("TLS record for the closed port", named("198.18.0.30"), lambda recs, i: recs.append(
            dict(recs[i], ip="198.18.0.45"))),
        mutate("versions_accepted wrong (TLS 1.0/1.1-only)", named("198.18.0.41"),
               setr("versions_accepted", ["TLSv1.2"])),
        mutate("versions_accepted wrong (TLS 1.3-only)", named("198.18.0.42"),
               setr("versions_accepted", ["TLSv1.2", "TLSv1.3"])),
    ]
    return [m for m in out if m is not None]


def self_test(args, truth):
    """The records pass; every mutation of them fails."""
    base = Checker(args, truth)
    records = base.load(args.files)
    if base.check(records) != 0:
        print("check_tls: self-test: the unmutated records do not pass")
        return 1
    missed = []
    ms = mutations(records)
    for desc, recs in ms:
        if Checker(args, truth).check(recs, quiet=True) == 0:
            missed.append(desc)
    for d in missed:
        print(f"  mutation not caught: {d}")
    print(f"check_tls: self-test: {len(ms) - len(missed)} of {len(ms)} mutations caught")
    return 1 if missed or len(ms) < 30 else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True)
    ap.add_argument("--versions", action="store_true", help="the scan used --tls-versions")
    ap.add_argument("--no-banner", action="store_true", help="the scan used --no-banner")
    ap.add_argument("--pem", action="store_true", help="the scan used --tls-pem")
    ap.add_argument("--no-sni", action="store_true", help="the scan had no --sni-file")
    ap.add_argument("--no-ca", action="store_true", help="the scan had no --ca-file: nothing verifies")
    ap.add_argument("--legacy-main", action="store_true",
                    help="the client's main handshake allows TLS 1.0/1.1 at SECLEVEL=0 (portus's "
                         "src/tls/stage.c does): the TLS 1.0/1.1-only server must give ok in TLSv1.1")
    ap.add_argument("--hostile", action="store_true",
                    help="check the truth's hostile_endpoints (port 8443) instead of its endpoints")
    ap.add_argument("--reference", action="store_true",
                    help="FILE is tls_probe.py output: no port records, group may be null")
    ap.add_argument("--server-log", help="the lab servers' connections.ndjson")
    ap.add_argument("--max-diff", type=int, default=60)
    ap.add_argument("--self-test", action="store_true",
                    help="FILE passes; check that each of ~40 mutations of it is caught")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    try:
        with open(a.truth, encoding="utf-8") as f:
            truth = json.load(f)
    except (OSError, ValueError) as e:
        die(f"{a.truth}: {e}")
    for p in a.files:
        if not os.path.isfile(p):
            die(f"{p}: no such file")
    if a.hostile and not truth.get("hostile_endpoints"):
        die("--hostile: the truth has no hostile_endpoints (tls_certs.py --hostile)")
    if a.self_test:
        return self_test(a, truth)
    return Checker(a, truth).run(a.files)


if __name__ == "__main__":
    sys.exit(main())
