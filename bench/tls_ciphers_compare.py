#!/usr/bin/env python3
"""tls_ciphers_compare.py — scores bench/tls_ciphers.sh's outputs.

    tls_ciphers_compare.py OUTDIR N

Reads OUTDIR/times.txt ("tool seconds endpoints" lines), portus.ndjson, sslscan-IP.xml
and nmap.xml, for the N endpoints of OUTDIR/endpoints.txt. Suites are compared
as IANA code points: portus's names through the table of src/tls/hello.c,
sslscan's id attribute, nmap's IANA names (TLS_AKE_WITH_* read as TLS 1.3
names). Prints a markdown table of times and, per endpoint and version,
whether the accepted sets (and, where the server has an order, the orders)
agree with portus's.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
VERS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


def portus_table():
    src = open(os.path.join(ROOT, "src", "tls", "hello.c")).read()
    return {name: int(code, 16) for code, name in re.findall(r'\{ (0x[0-9A-F]{4}), "(TLS_[A-Za-z0-9_]+)" \}', src)}


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    names = portus_table()
    ips = open(os.path.join(out, "endpoints.txt")).read().split()
    tp = os.path.join(out, "times.txt")
    times = {l.split()[0]: l.split()[1:] for l in open(tp) if l.strip()} if os.path.exists(tp) else {}

    got = {"portus": {}, "sslscan": {}, "nmap": {}}
    order = {"portus": {}, "nmap": {}}
    if os.path.exists(os.path.join(out, "portus.ndjson")):
        for line in open(os.path.join(out, "portus.ndjson")):
            r = json.loads(line)
            if r.get("type") == "tls" and "ciphers" in r:
                got["portus"][r["ip"]] = {v: [names.get(s, s) for s in l] for v, l in r["ciphers"].items()}
                order["portus"][r["ip"]] = r["cipher_order"]
    for ip in ips:
        p = os.path.join(out, "sslscan-%s.xml" % ip)
        if not os.path.exists(p):
            continue
        d = {v: [] for v in VERS}
        # Regular expressions, not an XML parser: sslscan 2.0.7 writes a NUL in a
        # certificate's CN raw into its XML, which is then not well-formed.
        for v, cid in re.findall(r'<cipher status="[a-z]+" sslversion="([^"]+)"[^>]* id="(0x[0-9A-Fa-f]{4})"',
                                 open(p, encoding="latin-1").read()):
            v = v.replace("TLSv1.0", "TLSv1")
            if v in d:
                d[v].append(int(cid, 16))
        got["sslscan"][ip] = d
    if os.path.exists(os.path.join(out, "nmap.xml")):
        for h in ET.parse(os.path.join(out, "nmap.xml")).getroot().iter("host"):
            ip = next(a.get("addr") for a in h.iter("address") if a.get("addrtype") == "ipv4")
            d, pref = {v: [] for v in VERS}, None
            for s in h.iter("script"):
                if s.get("id") != "ssl-enum-ciphers":
                    continue
                for vt in s.findall("table"):
                    v = vt.get("key")
                    if v not in d:
                        continue
                    for ct in vt.findall("table"):
                        if ct.get("key") == "ciphers":
                            for c in ct.findall("table"):
                                nm = next(e.text for e in c.findall("elem") if e.get("key") == "name")
                                nm = nm.replace("TLS_AKE_WITH_", "TLS_")
                                d[v].append(names.get(nm, nm))
                    for e in vt.findall("elem"):
                        if e.get("key") == "cipher preference":
                            pref = pref or e.text
            got["nmap"][ip] = d
            order["nmap"][ip] = pref

    print("| tool | wall s | endpoints | endpoints/s | s per endpoint |")
    print("|---|---|---|---|---|")
    for tool in ("portus", "sslscan", "nmap"):
        if tool in times:
            t = float(times[tool][0])
            k = int(times[tool][1]) if len(times[tool]) > 1 else n
            print("| %s | %.2f | %d | %.1f | %.3f |" % (tool, t, k, k / t, t / k))
    print()
    for peer in ("sslscan", "nmap"):
        if not got[peer]:
            continue
        same_set = same_order = total = ordered = 0
        diffs = []
        for ip in ips:
            a, b = got["portus"].get(ip), got[peer].get(ip)
            if b is None and peer == "sslscan":
                continue  # not in the sample
            if a is None or b is None:
                diffs.append("%s: missing in %s" % (ip, "portus" if a is None else peer))
                continue
            for v in VERS:
                total += 1
                if set(a.get(v, [])) == set(b.get(v, [])):
                    same_set += 1
                else:
                    diffs.append("%s %s: only portus %s, only %s %s" % (
                        ip, v, sorted("0x%04x" % x for x in set(a.get(v, [])) - set(b.get(v, []))), peer,
                        sorted("0x%04x" % x if isinstance(x, int) else x for x in set(b.get(v, [])) - set(a.get(v, [])))))
                if order["portus"].get(ip) == "server" and len(a.get(v, [])) > 1:
                    ordered += 1
                    same_order += a.get(v) == b.get(v)
        print("portus vs %s: accepted sets equal for %d of %d (endpoint, version) pairs; "
              "server order equal for %d of %d lists" % (peer, same_set, total, same_order, ordered))
        for d in diffs:
            print("  " + d)


if __name__ == "__main__":
    main()
