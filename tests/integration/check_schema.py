#!/usr/bin/env python3
"""check_schema.py — validates portus's JSON output against data/schemas/*.schema.json.

  check_schema.py validate --format native|ecs|hec [--open] FILE...
      Every line of every FILE must be valid UTF-8, valid JSON without duplicate
      keys, and match exactly one schema — the one of its record type in that
      format — plus what a schema cannot say: the same run id on every ECS line,
      event.id recomputed from (run id, dataset, key), related.* consistent with
      the record, the run start first and the run end / summary last with counts
      equal to the records written, the HEC "time" equal to the event's time,
      record size caps, every address in its one text form (a dotted quad, or
      RFC 5952 for IPv6: what Python's ipaddress prints; never ::ffff:a.b.c.d),
      the scanner's address of the target's family in source.ip / related.ip.
      --open: no closed/filtered port, no host-down record.

  check_schema.py compare A B
      A and B are outputs of the same scan in two formats (native, ecs or hec,
      detected from the first line): the same (type, ip, port, state) set, the
      same host set, and for each TLS endpoint (ip, port, SNI) the same outcome,
      SHA-256, serial, version, cipher and verdicts; the same summary counts.

  check_schema.py self-test FILE...
      Breaks valid records from FILE (one per record type) in ways the writers
      never do and checks the schemas reject every one: the schemas are not
      accepting everything.

Works with python3-jsonschema 4.10 (Debian 12: RefResolver) and newer releases
(referencing). Exits 0 when everything holds, 1 with the problems listed.
"""
import argparse
import datetime
import hashlib
import ipaddress
import json
import os
import sys

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "schemas")
NATIVE = ["native-port", "native-host", "native-summary", "native-tls", "native-resolve"]
ECS = ["ecs-port", "ecs-host", "ecs-tls", "ecs-run", "ecs-resolve"]
HEC = ["hec-envelope"]
FAMILY = {"native": NATIVE, "ecs": ECS, "hec": HEC}
ALL = NATIVE + ECS + HEC
MAX_TLS_RECORD = 9000  # tls_json.h / ecs.h: bytes of a TLS record, newline excluded
MAX_HEC_LINE = 10000   # Splunk's default TRUNCATE

problems = []


def problem(msg):
    problems.append(msg)
    if len(problems) <= 40:
        print("check_schema: " + msg, file=sys.stderr)


# ---- schemas ---------------------------------------------------------------

def load_validators(schema_dir):
    schemas = {}
    for name in ALL:
        path = os.path.join(schema_dir, name + ".schema.json")
        with open(path, encoding="utf-8") as f:
            schemas[name] = json.load(f)
    cls = jsonschema.validators.validator_for(schemas[ALL[0]])
    for name, s in schemas.items():
        cls.check_schema(s)  # the schema itself is valid draft 2020-12
    fmt = cls.FORMAT_CHECKER if hasattr(cls, "FORMAT_CHECKER") else jsonschema.FormatChecker()
    try:
        from referencing import Registry, Resource  # jsonschema >= 4.18
        reg = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in schemas.values())
        return {n: cls(s, registry=reg, format_checker=fmt) for n, s in schemas.items()}
    except ImportError:
        store = {s["$id"]: s for s in schemas.values()}
        return {n: cls(s, resolver=jsonschema.RefResolver.from_schema(s, store=store),
                       format_checker=fmt) for n, s in schemas.items()}


def first_error(v, rec):
    errs = sorted(v.iter_errors(rec), key=lambda e: len(list(e.absolute_path)))
    if not errs:
        return None
    e = errs[0]
    # The deepest cause of a failed if/then or $ref says more than the wrapper.
    while e.context:
        e = sorted(e.context, key=lambda c: -len(list(c.absolute_path)))[0]
    path = "/".join(str(p) for p in e.absolute_path)
    return "%s: %s" % (path or "(record)", e.message[:300])


# ---- reading ---------------------------------------------------------------

def no_dup_keys(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d


def walk_strings(x):
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from walk_strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk_strings(v)


def read_lines(path):
    """[(line number, raw bytes, record)]; problems for anything unreadable."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        problem("%s: the last line has no newline (a cut record)" % path)
    for n, raw in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"), 1):
        where = "%s:%d" % (path, n)
        try:
            text = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            problem("%s: invalid UTF-8 at byte %d" % (where, e.start))
            continue
        try:
            rec = json.loads(text, object_pairs_hook=no_dup_keys)
        except ValueError as e:
            problem("%s: not one JSON value: %s" % (where, e))
            continue
        bad = [s for s in walk_strings(rec) if not _utf8_ok(s)]
        if bad:
            problem("%s: a \\u escape makes a lone surrogate: %r" % (where, bad[0][:40]))
            continue
        out.append((where, raw, rec))
    return out


def _utf8_ok(s):
    try:
        s.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def detect(rec):
    if "@timestamp" in rec:
        return "ecs"
    if "sourcetype" in rec and "event" in rec:
        return "hec"
    return "native"


def expected_schema(fam, rec):
    if fam == "native":
        return {"port": "native-port", "host": "native-host", "summary": "native-summary",
                "tls": "native-tls", "resolve": "native-resolve"}.get(rec.get("type"))
    if fam == "ecs":
        ds = rec.get("event", {}).get("dataset") if isinstance(rec.get("event"), dict) else None
        return {"portus.port": "ecs-port", "portus.host": "ecs-host", "portus.tls": "ecs-tls",
                "portus.run": "ecs-run", "portus.resolve": "ecs-resolve"}.get(ds)
    return "hec-envelope"


def us(t):
    """RFC 3339 'YYYY-MM-DDTHH:MM:SS.ffffffZ' to Unix microseconds."""
    d = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return (d - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)) // datetime.timedelta(microseconds=1)


# ---- addresses -------------------------------------------------------------

def addr_family(s):
    """4 or 6 for an address in its one text form (addr.h's addr_to_str), else None."""
    try:
        a = ipaddress.ip_address(s)
    except ValueError:
        return None
    if a.version == 6 and (a.ipv4_mapped is not None or a.compressed != s):
        return None  # IPv4-mapped is written as the IPv4 address; RFC 5952 otherwise
    if a.version == 4 and str(a) != s:
        return None
    return a.version


def record_addresses(fam, rec):
    """(where in the record, text) of every address a record of that format holds."""
    out = []
    if fam == "hec":
        return record_addresses("native", rec.get("event", {}))
    if fam == "native":
        for k in ("ip", "reason_ip"):
            if k in rec:
                out.append((k, rec[k]))
        return out
    for obj, keys in (("destination", ("ip",)), ("source", ("ip",)), ("portus", ("reason_ip",))):
        for k in keys:
            if isinstance(rec.get(obj), dict) and k in rec[obj]:
                out.append(("%s.%s" % (obj, k), rec[obj][k]))
    for obj in ("related", "observer"):
        for i, a in enumerate((rec.get(obj) or {}).get("ip") or []):
            out.append(("%s.ip[%d]" % (obj, i), a))
    return out


def check_addresses(fam, where, rec):
    for key, a in record_addresses(fam, rec):
        if addr_family(a) is None:
            problem("%s: %s %r is not an address in its one text form (dotted quad, RFC 5952)" %
                    (where, key, a))


# ---- validate --------------------------------------------------------------

def validate_file(validators, fam, path, open_only):
    lines = read_lines(path)
    if not lines:
        problem("%s: no records" % path)
        return {}
    counts = {}
    for where, raw, rec in lines:
        if not isinstance(rec, dict):
            problem("%s: not a JSON object" % where)
            continue
        if detect(rec) != fam:
            problem("%s: a %s record in a %s file" % (where, detect(rec), fam))
            continue
        want = expected_schema(fam, rec)
        matched = [n for n in ALL if validators[n].is_valid(rec)]
        if want is None:
            problem("%s: no record type (type / event.dataset missing or unknown); matches %s" %
                    (where, matched or "no schema"))
            continue
        if matched != [want]:
            err = first_error(validators[want], rec)
            problem("%s: matches %s, expected exactly %s%s" %
                    (where, matched or "no schema", want, "; " + err if err else ""))
            continue
        counts[want] = counts.get(want, 0) + 1
        check_addresses(fam, where, rec)
    if problems:
        return counts
    recs = [r for _, _, r in lines]
    wheres = [w for w, _, _ in lines]
    raws = [r for _, r, _ in lines]
    if fam == "native":
        semantic_native(recs, wheres, raws, open_only)
    elif fam == "ecs":
        semantic_ecs(recs, wheres, raws, open_only)
    else:
        semantic_hec(recs, wheres, raws, open_only)
    return counts


def check_counts(where, summary, ports, hosts, tls, open_only):
    n = {s: sum(1 for p in ports if p == s) for s in ("open", "closed", "filtered")}
    if summary["open"] != n["open"]:
        problem("%s: summary open=%d but %d open port records" % (where, summary["open"], n["open"]))
    for s in ("closed", "filtered"):
        if open_only and n[s]:
            problem("%s: --open but %d %s port records" % (where, n[s], s))
        if not open_only and summary[s] != n[s]:
            problem("%s: summary %s=%d but %d records" % (where, s, summary[s], n[s]))
    down = sum(1 for h in hosts if h == "down")
    if open_only and down:
        problem("%s: --open but %d host-down records" % (where, down))
    if not open_only and summary["hosts_down"] != down:
        problem("%s: summary hosts_down=%d but %d host-down records" % (where, summary["hosts_down"], down))
    if summary.get("tls_endpoints", 0) != tls:
        problem("%s: summary tls_endpoints=%s but %d TLS records" % (where, summary.get("tls_endpoints"), tls))


def semantic_native(recs, wheres, raws, open_only):
    if recs[-1]["type"] != "summary" or sum(1 for r in recs if r["type"] == "summary") != 1:
        problem("%s: the summary is not the one last record" % wheres[-1])
        return
    for w, raw, r in zip(wheres, raws, recs):
        if r["type"] == "tls" and len(raw) > MAX_TLS_RECORD:
            problem("%s: TLS record of %d bytes (cap %d)" % (w, len(raw), MAX_TLS_RECORD))
        if r["type"] == "tls" and r.get("versions_accepted") is not None and \
                set(r["versions_accepted"]) & set(r["versions_rejected"]):
            problem("%s: a version both accepted and rejected" % w)
        if r["type"] == "tls":
            check_tls_audit(w, r, r["outcome"], r["tls_version"], r["cipher"], r["ja3s"], r["ja4s"])
    check_counts(wheres[-1], recs[-1], [r["state"] for r in recs if r["type"] == "port"],
                 [r["state"] for r in recs if r["type"] == "host"],
                 sum(1 for r in recs if r["type"] == "tls"), open_only)


def ecs_key(r):
    ds = r["event"]["dataset"]
    if ds == "portus.port":
        return "%s|%d" % (r["destination"]["ip"], r["destination"]["port"])
    if ds == "portus.host":
        return r["destination"]["ip"]
    if ds == "portus.tls":
        sni = r["tls"].get("client", {}).get("server_name", "")
        return "%s|%d|%s" % (r["destination"]["ip"], r["destination"]["port"], sni)
    if ds == "portus.resolve":
        return r["dns"]["question"]["name"]
    return "start" if r["event"]["type"] == ["start"] else "end"


def semantic_ecs(recs, wheres, raws, open_only):
    ds = [r["event"]["dataset"] for r in recs]
    if ds[0] != "portus.run" or recs[0]["event"]["type"] != ["start"]:
        problem("%s: the first record is not the run start" % wheres[0])
        return
    if ds[-1] != "portus.run" or recs[-1]["event"]["type"] != ["end"] or ds.count("portus.run") != 2:
        problem("%s: the run end is not the one last record" % wheres[-1])
        return
    run_id = recs[0]["portus"]["run"]["id"]
    scanners = recs[0]["observer"]["ip"]
    # The scanner's address of each family (observer.ip: IPv4 first, then IPv6).
    scanner_of = {addr_family(a): a for a in scanners}
    if len(scanner_of) != len(scanners):
        problem("%s: observer.ip %s: not one address per family" % (wheres[0], scanners))
    observer = recs[0]["observer"]
    ids = set()
    for w, raw, r in zip(wheres, raws, recs):
        if r["portus"]["run"]["id"] != run_id or r["observer"] != observer:
            problem("%s: another run id or observer than the first record's" % w)
        d = r["event"]["dataset"]
        sni_bad = d == "portus.tls" and "tls.client.server_name" in (
            r["portus"]["tls"]["invalid_utf8_fields"] + r["portus"]["tls"]["truncated_fields"])
        src = "%s|%s|%s" % (run_id, d, ecs_key(r))
        if not sni_bad and hashlib.sha256(src.encode()).hexdigest()[:32] != r["event"]["id"]:
            problem("%s: event.id is not SHA-256(%r)" % (w, src))
        if r["event"]["id"] in ids:
            problem("%s: event.id %s twice in one run" % (w, r["event"]["id"]))
        ids.add(r["event"]["id"])
        if d == "portus.resolve":
            # A name, no address: the name everywhere, the error twice alike.
            n = r["dns"]["question"]["name"]
            if r["destination"]["domain"] != n or r["related"]["hosts"] != [n] or \
                    r["event"]["reason"] != r["portus"]["resolve"]["error"]:
                problem("%s: resolve record disagrees with itself" % w)
            continue
        if "domain" in r.get("destination", {}) and \
                r["destination"]["domain"] != r["related"].get("hosts", [None])[0]:
            problem("%s: destination.domain is not the first of related.hosts" % w)
        rel = r["related"]["ip"]
        if d == "portus.run":
            if rel != scanners:
                problem("%s: related.ip %s, not the scanner (observer.ip)" % (w, rel))
            continue
        dst = r["destination"]["ip"]
        fam6 = addr_family(dst)
        scanner = scanner_of.get(fam6)
        if r["network"]["type"] != "ipv%s" % fam6:
            problem("%s: network.type %s for destination %s" % (w, r["network"]["type"], dst))
        head = [dst] + ([scanner] if scanner is not None else [])
        if rel[:len(head)] != head:
            problem("%s: related.ip %s does not start with destination, scanner" % (w, rel))
        if d != "portus.host" and (r.get("source") or {}).get("ip") != scanner:
            problem("%s: source.ip %s is not the scanner's address of the destination's family (%s)" %
                    (w, (r.get("source") or {}).get("ip"), scanner))
        if d in ("portus.port", "portus.host"):
            if r["event"]["reason"] != r["portus"]["reason"]:
                problem("%s: event.reason != portus.reason" % w)
        if d == "portus.port":
            extra = rel[len(head):]
            rip = r["portus"].get("reason_ip")
            if extra and extra != [rip]:
                problem("%s: the related.ip after destination and scanner is not portus.reason_ip" % w)
            if rip is not None and rip not in rel:
                problem("%s: portus.reason_ip %s not in related.ip" % (w, rip))
        if d == "portus.tls":
            semantic_ecs_tls(w, raw, r)
        if us(r["@timestamp"]) < us(recs[0]["@timestamp"]) - 1000000:
            problem("%s: @timestamp before the run started" % w)
    end = recs[-1]["portus"]["run"]
    if recs[-1]["event"]["start"] != recs[0]["event"]["start"]:
        problem("%s: run end's event.start differs from the run start's" % wheres[-1])
    if recs[-1]["event"]["duration"] != (us(recs[-1]["event"]["end"]) - us(recs[-1]["event"]["start"])) * 1000:
        problem("%s: event.duration is not end - start" % wheres[-1])
    for k in ("seed", "shard", "targets", "hosts", "ports", "rate", "retries"):
        if end[k] != recs[0]["portus"]["run"][k]:
            problem("%s: run setting %s differs between start and end" % (wheres[-1], k))
    check_counts(wheres[-1], end, [r["portus"]["state"] for r in recs if r["event"]["dataset"] == "portus.port"],
                 [r["portus"]["state"] for r in recs if r["event"]["dataset"] == "portus.host"],
                 ds.count("portus.tls"), open_only)


JA4S_VERSION = {"TLSv1.3": "13", "TLSv1.2": "12", "TLSv1.1": "11", "TLSv1": "10"}
ECS_VERSION_KEYS = {"tls1_0": "TLSv1", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}


def check_tls_audit(w, rec, outcome, version, cipher, ja3s, ja4s):
    """JA3S/JA4S and --tls-ciphers facts a schema cannot state (rec: the native
    record, or ECS portus.tls with the same cipher keys)."""
    if (ja3s is None) != (ja4s is None):
        problem("%s: ja3s and ja4s not both present" % w)
    if outcome == "ok" and ja4s is None:
        problem("%s: a completed handshake without ja3s/ja4s" % w)
    if outcome == "ok" and ja4s is not None and version in JA4S_VERSION and ja4s[1:3] != JA4S_VERSION[version]:
        problem("%s: ja4s %s is not %s" % (w, ja4s, version))
    if "ciphers" not in rec:
        return
    lists = {ECS_VERSION_KEYS.get(k, k): v for k, v in rec["ciphers"].items()}
    if rec["cipher_order"] is not None and not any(len(l) >= 2 for l in lists.values()):
        problem("%s: cipher_order %s without a version accepting two suites" % (w, rec["cipher_order"]))
    if any(s.startswith("TLS_") and (v == "TLSv1.3") != ("_WITH_" not in s) for v, l in lists.items() for s in l):
        problem("%s: a TLS 1.3 suite under an older version or the reverse" % w)
    if outcome == "ok" and version in lists and cipher is not None and cipher.startswith("TLS_") and \
            cipher not in lists[version] and "ciphers" not in rec.get("truncated_fields", []) and \
            "portus.tls.ciphers" not in rec.get("truncated_fields", []) and rec["ciphers_complete"]:
        problem("%s: the main handshake's %s %s is not among the accepted suites" % (w, version, cipher))


def semantic_ecs_tls(w, raw, r):
    t, p, ev = r["tls"], r["portus"]["tls"], r["event"]
    if len(raw) > MAX_TLS_RECORD:
        problem("%s: TLS record of %d bytes (cap %d)" % (w, len(raw), MAX_TLS_RECORD))
    want_reason = p["outcome"]
    if p["outcome"] == "alert" and "alert" in p:
        want_reason = "alert: " + p["alert"]
    if ev["reason"] != want_reason:
        problem("%s: event.reason %r, expected %r" % (w, ev["reason"], want_reason))
    if r["@timestamp"] != ev["end"]:
        problem("%s: @timestamp is not event.end" % w)
    if ev["duration"] != max(0, us(ev["end"]) - us(ev["start"])) * 1000:
        problem("%s: event.duration is not end - start" % w)
    check_tls_audit(w, p, p["outcome"], None if "version" not in t else
                    ("TLSv1" if t["version"] == "1.0" else "TLSv" + t["version"]), t.get("cipher"),
                    t.get("server", {}).get("ja3s"), p.get("ja4s"))
    if "hash" in t.get("server", {}) and r["related"]["hash"] != [t["server"]["hash"]["sha256"]]:
        problem("%s: related.hash is not the leaf's SHA-256" % w)
    if "client" in t and r["related"]["hosts"] != [t["client"]["server_name"]] and \
            "tls.client.server_name" not in p["truncated_fields"]:
        problem("%s: related.hosts is not the SNI name" % w)
    if "hash" in t.get("server", {}) and t["server"]["x509"]["not_after"] != t["server"]["not_after"]:
        problem("%s: x509.not_after != server.not_after" % w)
    if "versions_accepted" in p:
        weak = [v for v in p["versions_accepted"] if v in ("TLSv1", "TLSv1.1")]
        if p["weak_versions_accepted"] != weak:
            problem("%s: weak_versions_accepted %s, accepted %s" % (w, p["weak_versions_accepted"],
                                                                    p["versions_accepted"]))
        if set(p["versions_accepted"]) & set(p["versions_rejected"]):
            problem("%s: a version both accepted and rejected" % w)


def event_time(ev):
    return ev["end"] if ev["type"] == "summary" else ev["time"]


def semantic_hec(recs, wheres, raws, open_only):
    hosts = {r["host"] for r in recs}
    if len(hosts) != 1:
        problem("%s: more than one host in one run: %s" % (wheres[0], sorted(hosts)[:3]))
    for w, raw, r in zip(wheres, raws, recs):
        if len(raw) >= MAX_HEC_LINE:
            problem("%s: HEC line of %d bytes (Splunk TRUNCATE %d)" % (w, len(raw), MAX_HEC_LINE))
        if "portus:" + r["event"]["type"] != r["sourcetype"]:
            problem("%s: sourcetype %s for a %s event" % (w, r["sourcetype"], r["event"]["type"]))
        if round(r["time"] * 1e6) != us(event_time(r["event"])):
            problem("%s: time %r is not the event's %s" % (w, r["time"], event_time(r["event"])))
    semantic_native([r["event"] for r in recs], wheres, [json.dumps(r["event"]).encode() for r in recs],
                    open_only)


# ---- compare ---------------------------------------------------------------

def facts(path):
    """(format, {key: value}) of one output, in native terms."""
    recs = [r for _, _, r in read_lines(path)]
    if not recs:
        problem("%s: no records" % path)
        return None, {}
    fam = detect(recs[0])
    out = {}
    if fam == "hec":
        recs = [r["event"] for r in recs]
    if fam in ("native", "hec"):
        for r in recs:
            if r["type"] == "port":
                out[("port", r["ip"], r["port"])] = r["state"]
            elif r["type"] == "host":
                out[("host", r["ip"])] = r["state"]
            elif r["type"] == "tls":
                c = r["cert"] or {}
                out[("tls", r["ip"], r["port"], r["sni"])] = {
                    "outcome": r["outcome"], "sha256": c.get("sha256"), "serial": c.get("serial"),
                    "version": r["tls_version"], "cipher": r["cipher"], "verify_ok": r["verify_ok"],
                    "self_signed": c.get("self_signed"), "expired": c.get("expired"),
                    "hostname_match": r["hostname_match"], "versions": r.get("versions_accepted"),
                    "chain_length": r["chain_length"], "http_status": r["http_status"],
                    "ja3s": r["ja3s"], "ja4s": r["ja4s"], "ciphers": r.get("ciphers"),
                    "cipher_order": r.get("cipher_order"), "groups": r.get("groups")}
            elif r["type"] == "summary":
                out["summary"] = {k: r.get(k, 0) for k in
                                  ("open", "closed", "filtered", "hosts_down", "tls_endpoints", "tls_ok", "targets", "hosts")}
        return fam, out
    for r in recs:
        d = r["event"]["dataset"]
        if d == "portus.port":
            out[("port", r["destination"]["ip"], r["destination"]["port"])] = r["portus"]["state"]
        elif d == "portus.host":
            out[("host", r["destination"]["ip"])] = r["portus"]["state"]
        elif d == "portus.tls":
            t, p = r["tls"], r["portus"]["tls"]
            s = t.get("server", {})
            v = t.get("version")
            out[("tls", r["destination"]["ip"], r["destination"]["port"], t.get("client", {}).get("server_name"))] = {
                "outcome": p["outcome"], "sha256": s.get("hash", {}).get("sha256"),
                "serial": s.get("x509", {}).get("serial_number"),
                "version": None if v is None else ("TLSv1" if v == "1.0" else "TLSv" + v) if t["version_protocol"] == "tls" else "SSLv3",
                "cipher": t.get("cipher"), "verify_ok": p.get("verify", {}).get("ok"),
                "self_signed": p.get("self_signed"), "expired": p.get("expired"),
                "hostname_match": p.get("hostname_match"), "versions": p.get("versions_accepted"),
                "chain_length": p["chain_length"], "http_status": p.get("http_status"),
                "ja3s": s.get("ja3s"), "ja4s": p.get("ja4s"),
                "ciphers": None if "ciphers" not in p else
                {ECS_VERSION_KEYS[k]: v for k, v in p["ciphers"].items()},
                "cipher_order": p.get("cipher_order"), "groups": p.get("groups")}
        elif d == "portus.run" and r["event"]["type"] == ["end"]:
            run = r["portus"]["run"]
            out["summary"] = {k: run[k] for k in ("open", "closed", "filtered", "hosts_down", "tls_endpoints", "tls_ok", "targets", "hosts")}
    return fam, out


def compare(a, b):
    fa, A = facts(a)
    fb, B = facts(b)
    if not A or not B:
        return
    for k in sorted(set(A) | set(B), key=str):
        if A.get(k) != B.get(k):
            problem("%s (%s) vs %s (%s): %s: %s != %s" % (a, fa, b, fb, k, A.get(k), B.get(k)))
    n = {t: sum(1 for k in A if k[0] == t) for t in ("port", "host", "tls")}
    print("check_schema: %s = %s: %d ports, %d hosts, %d TLS records, summary equal" %
          (fa, fb, n["port"], n["host"], n["tls"]))


# ---- self-test -------------------------------------------------------------

def mutations(schema, rec):
    """(description, broken copy) pairs for one valid record."""
    def m(desc, f):
        r = json.loads(json.dumps(rec))
        f(r)
        return desc, r
    out = [m("an unknown top-level key", lambda r: r.__setitem__("extra", 1))]
    if schema.startswith("native") and schema != "native-summary":
        out += [m("ip not a dotted quad", lambda r: r.__setitem__("ip", "198.18.0.256")),
                m("ip IPv6 in upper case", lambda r: r.__setitem__("ip", "2001:DB8::1")),
                m("ip IPv6 with a zone id", lambda r: r.__setitem__("ip", "fe80::1%eth0")),
                m("ip IPv6 in brackets", lambda r: r.__setitem__("ip", "[2001:db8::1]")),
                m("ip IPv6 with too many groups", lambda r: r.__setitem__("ip", "1:2:3:4:5:6:7:8:9")),
                m("time without microseconds", lambda r: r.__setitem__("time", "2026-01-01T00:00:00Z")),
                m("no type", lambda r: r.pop("type"))]
    if schema == "native-port":
        out += [m("an IPv4 address with an ICMPv6 reason",
                  lambda r: r.update(ip="198.18.0.1", state="filtered", reason="no-route", ttl=64)),
                m("an IPv6 address with an ICMP-only reason",
                  lambda r: r.update(ip="2001:db8::1", state="filtered", reason="net-prohibited", ttl=64)),
                m("state unknown", lambda r: r.__setitem__("state", "unknown")),
                m("open with reason reset", lambda r: r.update(state="open", reason="reset")),
                m("ttl out of range", lambda r: r.__setitem__("ttl", 256))]
    if schema == "native-summary":
        out += [m("negative count", lambda r: r.__setitem__("open", -1)),
                m("tls_ok without tls_endpoints", lambda r: (r.pop("tls_endpoints", None), r.__setitem__("tls_ok", 1))),
                m("shard 0/1", lambda r: r.__setitem__("shard", "0/1"))]
    if schema == "native-tls":
        out += [m("outcome unknown", lambda r: r.__setitem__("outcome", "maybe")),
                m("empty string instead of null", lambda r: r.__setitem__("alpn", "")),
                m("truncated without fields", lambda r: r.update(truncated=True, truncated_fields=[])),
                m("ja3s in upper case", lambda r: r.__setitem__("ja3s", "A" * 32)),
                m("ja4s of QUIC", lambda r: r.__setitem__("ja4s", "q130200_1301_a56c5b993250")),
                m("ciphers without cipher_order", lambda r: (r.setdefault("ciphers", {}), r.pop("cipher_order", None))),
                m("ciphers for SSLv3", lambda r: r.__setitem__("ciphers", {"SSLv3": []})),
                m("a finding with no token", lambda r: r.__setitem__("findings", ["weak"])),
                m("a finding twice", lambda r: r.__setitem__("findings", ["weak-key", "weak-key"])),
                m("HSTS valid with an error", lambda r: r.__setitem__("hsts", {
                    "valid": True, "max_age": 1, "include_subdomains": False, "preload": False,
                    "error": "max-age missing"}))]
        if rec.get("outcome") == "ok":
            out += [m("checks missing after a handshake", lambda r: r.__setitem__("ocsp_stapled", None)),
                    m("stapled without the verdict", lambda r: r.update(ocsp_stapled=True, ocsp=None)),
                    m("OCSP valid but revoked", lambda r: r.update(ocsp_stapled=True, ocsp={
                        "valid": True, "status": "revoked", "signature_ok": True, "time_ok": True,
                        "this_update": None, "next_update": None, "error": None}))]
        else:
            out += [m("findings without a handshake", lambda r: r.__setitem__("findings", ["chain-order"]))]
        if rec.get("cert"):
            out += [m("lowercase fingerprint", lambda r: r["cert"].__setitem__("sha256", r["cert"]["sha256"].lower())),
                    m("serial with colons", lambda r: r["cert"].__setitem__("serial", "0A:1B")),
                    m("expired with days left", lambda r: r["cert"].update(expired=True, days_to_expiry=5))]
    if schema.startswith("ecs"):
        out += [m("host.* (the scanner is observer.*)", lambda r: r.__setitem__("host", {"name": "x"})),
                m("agent.*", lambda r: r.__setitem__("agent", {"type": "portus"})),
                m("ecs.version other", lambda r: r["ecs"].__setitem__("version", "1.0.0")),
                m("event.id uppercase", lambda r: r["event"].__setitem__("id", r["event"]["id"].upper())),
                m("@timestamp with offset", lambda r: r.__setitem__("@timestamp", r["@timestamp"][:-1] + "+00:00")),
                m("observer.mac with colons", lambda r: r["observer"].__setitem__("mac", ["00:11:22:33:44:55"])),
                m("event.category a string", lambda r: r["event"].__setitem__("category", "network"))]
        if "network" in rec:
            out += [m("network.packets", lambda r: r["network"].__setitem__("packets", 1)),
                    m("network.bytes", lambda r: r["network"].__setitem__("bytes", 1))]
    if schema in ("ecs-port", "ecs-host", "ecs-tls"):
        out += [m("network.type not the destination's family",
                  lambda r: r["network"].__setitem__("type", "ipv6" if ":" not in r["destination"]["ip"] else "ipv4")),
                m("destination.ip IPv6 in upper case", lambda r: r["destination"].__setitem__("ip", "2001:DB8::1"))]
    if schema == "ecs-host":
        out += [m("an IPv4 host found by neighbour discovery",
                  lambda r: (r["destination"].__setitem__("ip", "198.18.0.1"), r["network"].__setitem__("type", "ipv4"),
                             r["portus"].__setitem__("reason", "nd-response"), r["event"].__setitem__("reason", "nd-response")))]
    if schema == "ecs-port":
        out += [m("action does not match state", lambda r: r["event"].__setitem__("action", "port-open" if r["portus"]["state"] != "open" else "port-closed")),
                m("destination.port a string", lambda r: r["destination"].__setitem__("port", "80"))]
    if schema == "ecs-tls":
        out += [m("success with a failed outcome", lambda r: r["event"].__setitem__("outcome", "success" if r["portus"]["tls"]["outcome"] != "ok" else "failure")),
                m("tls.version TLSv1.3", lambda r: r["tls"].__setitem__("version", "TLSv1.3")),
                m("findings without a severity", lambda r: (r["portus"]["tls"].__setitem__("findings", ["weak-key"]),
                                                            r["portus"]["tls"].pop("severity", None))),
                m("an empty findings list", lambda r: (r["portus"]["tls"].__setitem__("findings", []),
                                                       r["portus"]["tls"].__setitem__("severity", 3)))]
        if "hash" in rec["tls"].get("server", {}):
            out += [m("lowercase sha1", lambda r: r["tls"]["server"]["hash"].__setitem__("sha1", r["tls"]["server"]["hash"]["sha1"].lower())),
                    m("leaf without related.hash", lambda r: r["related"].pop("hash"))]
    if schema == "ecs-run":
        out += [m("interrupted but finished", lambda r: r["portus"]["run"].__setitem__("interrupted", True)) if "interrupted" in rec["portus"]["run"]
                else m("start without settings", lambda r: r["portus"]["run"].pop("seed"))]
    if schema == "hec-envelope":
        out += [m("source other", lambda r: r.__setitem__("source", "nmap")),
                m("sourcetype of another event", lambda r: r.__setitem__("sourcetype", "portus:summary" if r["sourcetype"] != "portus:summary" else "portus:port")),
                m("index with uppercase", lambda r: r.__setitem__("index", "Main")),
                m("event broken inside", lambda r: r["event"].__setitem__("extra", 1))]
    return out


def self_test(validators, paths):
    seen = {}
    for path in paths:
        for where, _, rec in read_lines(path):
            fam = detect(rec)
            name = expected_schema(fam, rec)
            if name and name not in seen and validators[name].is_valid(rec):
                seen[name] = rec
    for name in ALL:
        # Resolve records only come from host names that fail, which the
        # literal-only lab scans of test_schemas have none of (test_names
        # validates them against a real DNS server's failures).
        if name not in seen and not name.endswith("-resolve"):
            problem("self-test: no valid %s record in %s" % (name, " ".join(paths)))
    total = 0
    for name, rec in seen.items():
        for desc, bad in mutations(name, rec):
            total += 1
            if validators[name].is_valid(bad):
                problem("self-test: %s accepts a record with %s" % (name, desc))
    print("check_schema: self-test: %d broken records over %d schemas, all rejected" % (total, len(seen))
          if not problems else "check_schema: self-test: %d broken records tried" % total)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schemas", default=SCHEMA_DIR)
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("validate")
    v.add_argument("--format", required=True, choices=sorted(FAMILY))
    v.add_argument("--open", action="store_true")
    v.add_argument("files", nargs="+")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    s = sub.add_parser("self-test")
    s.add_argument("files", nargs="+")
    args = ap.parse_args()

    validators = load_validators(args.schemas)
    if args.cmd == "validate":
        for path in args.files:
            before = len(problems)
            counts = validate_file(validators, args.format, path, args.open)
            if len(problems) == before:
                print("check_schema: %s: %d lines valid (%s)" % (
                    path, sum(counts.values()), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    elif args.cmd == "compare":
        compare(args.a, args.b)
    else:
        self_test(validators, args.files)
    if problems:
        print("check_schema: %d problem(s)" % len(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
