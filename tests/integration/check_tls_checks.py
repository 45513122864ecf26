#!/usr/bin/env python3
"""check_tls_checks.py — portus's certificate and handshake checks against the
truth of tls_checks_lab.py: every new field of every endpoint's native record
(ocsp_stapled, ocsp, must_staple, sct_count, scts, tmp_key, hsts, findings),
the same values in the ECS record (portus.tls.*), and the CEF severity and
message (the worst finding, by the severity table written out here again,
independently of src/tls/findings.c).

    check_tls_checks.py --truth T --native N.ndjson --ecs E.ndjson --cef C.cef
    check_tls_checks.py ... --self-test   every broken copy of a record must fail
"""
import argparse
import copy
import datetime
import json
import re
import sys

SEVERITY = {"ocsp-revoked": 8, "md5-in-chain": 7, "weak-key": 6, "sha1-in-chain": 6,
            "must-staple-without-staple": 6, "missing-intermediate": 5, "ocsp-invalid": 5,
            "weak-tmp-key": 5, "chain-order": 4, "validity-over-398-days": 4, "hsts-invalid": 3}
ORDER = list(SEVERITY)  # the order records list findings in (include/tls_checks.h)
OCSP_DAYS = 7           # `openssl ocsp -ndays 7` in tls_checks_lab.py


def parse_time(s):
    return datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def check_native(ep, r, errs):
    w = ep["name"]
    x = ep["expect"]

    def eq(key, got, want):
        if got != want:
            errs.append(f"{w}: {key} = {json.dumps(got)}, expected {json.dumps(want)}")

    eq("outcome", r.get("outcome"), "ok")
    eq("findings", r.get("findings"), sorted(x["findings"], key=ORDER.index))
    eq("ocsp_stapled", r.get("ocsp_stapled"), x["ocsp_stapled"])
    eq("must_staple", r.get("must_staple"), x["must_staple"])
    eq("scts", r.get("scts"), x["scts"])
    eq("sct_count", r.get("sct_count"), sum(x["scts"].values()))
    eq("tmp_key", r.get("tmp_key"), x["tmp_key"])
    eq("hsts", r.get("hsts"), x["hsts"])
    if w in ("missing-intermediate", "out-of-order", "good"):
        eq("verify_ok", r.get("verify_ok"), True)  # the rules need a verified chain
    o, want = r.get("ocsp"), x["ocsp"]
    if want is None:
        eq("ocsp", o, None)
        return
    if not isinstance(o, dict):
        errs.append(f"{w}: ocsp = {o!r}, expected an object")
        return
    for k, v in want.items():
        eq("ocsp." + k, o.get(k), v)
    try:
        tu, nu = parse_time(o["this_update"]), parse_time(o["next_update"])
        rt = parse_time(r["time"])
    except (KeyError, TypeError, ValueError):
        errs.append(f"{w}: ocsp times unreadable: {o}")
        return
    if (nu - tu).total_seconds() != OCSP_DAYS * 86400:
        errs.append(f"{w}: ocsp next_update - this_update = {nu - tu}, expected {OCSP_DAYS} days")
    if not tu - datetime.timedelta(hours=1) <= rt <= nu:
        errs.append(f"{w}: record time {rt} outside the staple's {tu} .. {nu}")


def prune(v):
    """The native value as ECS writes it: nulls left out."""
    if isinstance(v, dict):
        return {k: prune(x) for k, x in v.items() if x is not None}
    return v


def check_ecs(ep, r, e, errs):
    w = ep["name"] + " (ECS)"
    pt = e.get("portus", {}).get("tls", {})
    for k in ("ocsp_stapled", "ocsp", "must_staple", "sct_count", "scts", "tmp_key", "hsts"):
        want = prune(r.get(k))
        if pt.get(k) != want:
            errs.append(f"{w}: portus.tls.{k} = {json.dumps(pt.get(k))}, expected {json.dumps(want)}")
    if pt.get("findings", []) != r["findings"] or ("findings" in pt) != bool(r["findings"]):
        errs.append(f"{w}: portus.tls.findings = {pt.get('findings')}, native {r['findings']}")
    sev = max((SEVERITY[f] for f in r["findings"]), default=None)
    if pt.get("severity") != sev:
        errs.append(f"{w}: portus.tls.severity = {pt.get('severity')}, expected {sev}")


CEF_RE = re.compile(r"^CEF:0\|portus\|portus\|[^|]*\|tls-endpoint\|TLS endpoint\|(\d+)\|(.*)$")


def check_cef(ep, r, line, errs):
    w = ep["name"] + " (CEF)"
    m = CEF_RE.match(line)
    if not m:
        errs.append(f"{w}: not a tls-endpoint line: {line[:120]}")
        return
    base = 3
    if not r["verify_ok"]:
        base = max(base, 5)
    if r["cert"]["self_signed"]:
        base = max(base, 6)
    want = max([base] + [SEVERITY[f] for f in r["findings"]])
    if int(m.group(1)) != want:
        errs.append(f"{w}: severity {m.group(1)}, expected {want} (findings {r['findings']})")
    msg = re.search(r"(?:^| )msg=(.*?)(?= [A-Za-z0-9]+=|$)", m.group(2))
    for f in r["findings"]:
        if not msg or f not in msg.group(1).split("; "):
            errs.append(f"{w}: {f} not in msg ({msg.group(1) if msg else None})")
    cn2 = re.search(r" cn2=(\d+)", m.group(2))
    if not cn2 or int(cn2.group(1)) != r["sct_count"]:
        errs.append(f"{w}: cn2 (sctCount) {cn2.group(1) if cn2 else None}, expected {r['sct_count']}")
    h = r["hsts"]
    cn3 = re.search(r" cn3=(\d+)", m.group(2))
    want3 = h["max_age"] if h and h["valid"] else None
    if (int(cn3.group(1)) if cn3 else None) != want3:
        errs.append(f"{w}: cn3 (hstsMaxAge) {cn3.group(1) if cn3 else None}, expected {want3}")


def run(truth, native, ecs, cef):
    errs = []
    for ep in truth["endpoints"]:
        r = native.get(ep["ip"])
        if r is None:
            errs.append(f"{ep['name']}: no native record for {ep['ip']}")
            continue
        check_native(ep, r, errs)
        if ecs is not None:
            e = ecs.get(ep["ip"])
            if e is None:
                errs.append(f"{ep['name']}: no ECS record")
            else:
                check_ecs(ep, r, e, errs)
        if cef is not None:
            if ep["ip"] not in cef:
                errs.append(f"{ep['name']}: no CEF line")
            else:
                check_cef(ep, r, cef[ep["ip"]], errs)
    return errs


def self_test(truth, native, ecs, cef):
    """Each mutation of a right record must be caught."""
    muts = [("findings", lambda r: r["findings"].append("chain-order")),
            ("findings", lambda r: r.__setitem__("findings", r["findings"][:-1] or ["md5-in-chain"])),
            ("ocsp_stapled", lambda r: r.__setitem__("ocsp_stapled", not r["ocsp_stapled"])),
            ("must_staple", lambda r: r.__setitem__("must_staple", not r["must_staple"])),
            ("scts", lambda r: r["scts"].__setitem__("embedded", r["scts"]["embedded"] + 1)),
            ("tmp_key", lambda r: r.__setitem__("tmp_key", {"type": "EC", "bits": 256})),
            ("hsts", lambda r: r.__setitem__("hsts", None if r["hsts"] else {"valid": True}))]
    caught = 0
    for ep in truth["endpoints"]:
        for name, f in muts:
            n2 = copy.deepcopy(native)
            f(n2[ep["ip"]])
            if not run(truth, n2, None, None):
                print(f"check_tls_checks: self-test: {ep['name']}: broken {name} not caught")
                return 1
            caught += 1
    print(f"check_tls_checks: self-test: {caught} broken records caught")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--native", required=True)
    ap.add_argument("--ecs")
    ap.add_argument("--cef")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    truth = json.load(open(a.truth))
    ips = {e["ip"] for e in truth["endpoints"]}
    native = {r["ip"]: r for r in map(json.loads, open(a.native))
              if r.get("type") == "tls" and r.get("ip") in ips}
    ecs = None
    if a.ecs:
        ecs = {}
        for e in map(json.loads, open(a.ecs)):
            if e.get("event", {}).get("dataset") == "portus.tls" and e["destination"]["ip"] in ips:
                ecs[e["destination"]["ip"]] = e
    cef = None
    if a.cef:
        cef = {}
        for line in open(a.cef, encoding="utf-8"):
            m = re.search(r" dst=([0-9.]+) ", line)
            if "|tls-endpoint|" in line and m and m.group(1) in ips:
                cef[m.group(1)] = line.rstrip("\n")
    if a.self_test:
        return self_test(truth, native, ecs, cef)
    errs = run(truth, native, ecs, cef)
    for e in errs:
        print("check_tls_checks: " + e, file=sys.stderr)
    if errs:
        return 1
    print(f"check_tls_checks: {len(native)} endpoints, every check field as built")
    return 0


if __name__ == "__main__":
    sys.exit(main())
