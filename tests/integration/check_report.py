#!/usr/bin/env python3
"""check_report.py — the numbers on a `portus report` page against counts
computed here, independently, from the same NDJSON (docs/report.md gives the
rules both follow).

    check_report.py [--top N] [--self-test] PAGE.html RESULTS.ndjson...

PAGE is the page as a browser has it (chromium --dump-dom) or the file
portus wrote. Every data-count, every table row (data-table / data-key /
data-n / data-sni), every "and N more" (data-more) and every chart bar
(data-bucket) must match; the page must load nothing from anywhere (a
Content-Security-Policy forbidding it, no script, no src/href/url()).
--self-test: also breaks the parsed page in several ways and fails unless
each break is caught. Exit 0 when everything matches; else one line per
difference.
"""
import argparse
import ipaddress
import json
import re
import sys
from collections import Counter, defaultdict
from html.parser import HTMLParser

TEXT_MAX = 300
VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
WEAK_NEGOTIATED = {"SSLv3", "TLSv1", "TLSv1.1"}
STATE_RANK = {"open": 0, "closed": 1, "filtered": 2}


def shown(s):
    """A string as the page shows it: controls replaced, cut at TEXT_MAX."""
    if s is None:
        return ""
    s = "".join("\ufffd" if ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF else c
                for c in s)
    return s if len(s) <= TEXT_MAX else s[:TEXT_MAX] + "\u2026"


def ip_key(ip):
    """Address order as portus sorts (addr.h): every IPv4 address before every IPv6 one."""
    a = ipaddress.ip_address(ip)
    if a.version == 6 and a.ipv4_mapped is not None:
        a = a.ipv4_mapped
    return (a.version, int(a))


def canon(ip):
    """The one text form portus writes: a dotted quad, or RFC 5952 (::ffff:a.b.c.d is IPv4)."""
    a = ipaddress.ip_address(ip)
    if a.version == 6 and a.ipv4_mapped is not None:
        a = a.ipv4_mapped
    return a.compressed


def endpoint(ip, port):
    """ADDRESS:PORT as the page writes it; an IPv6 address in brackets (RFC 3986)."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def sni_key(sni):
    return (sni is not None, (sni or "").encode())


def load(paths):
    ports, tls, sums, up = {}, {}, [], set()
    names, resolves = {}, {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                t = r.get("type")
                if "ip" in r:
                    r["ip"] = canon(r["ip"])  # merge's and the page's view: one text per address
                if t in ("port", "host") and "hostname" in r:
                    have = names.setdefault(r["ip"], [])
                    for n in r.get("hostnames", [r["hostname"]]):
                        if n.lower() not in (h.lower() for h in have):
                            have.append(n)
                if t == "resolve":
                    k = (r["hostname"].lower(), r["family"])
                    if k not in resolves or (r["time"], r["hostname"].encode()) < \
                            (resolves[k]["time"], resolves[k]["hostname"].encode()):
                        resolves[k] = r
                if t == "port":
                    k = (r["ip"], r["port"])
                    old = ports.get(k)
                    if old is None or (STATE_RANK[r["state"]], r["time"]) < (STATE_RANK[old["state"]], old["time"]):
                        ports[k] = r
                elif t == "tls":
                    k = (r["ip"], r["port"], r["sni"])
                    if k not in tls or r["time"] < tls[k]["time"]:
                        tls[k] = r
                elif t == "summary":
                    sums.append(r)
                elif t == "host" and r["state"] == "up" and r["reason"] != "user-set":
                    up.add(r["ip"])  # ARP / neighbour discovery
    ports = [ports[k] for k in sorted(ports, key=lambda k: (ip_key(k[0]), k[1]))]
    tls = [tls[k] for k in sorted(tls, key=lambda k: (ip_key(k[0]), k[1], sni_key(k[2])))]
    resolves = [resolves[k] for k in sorted(resolves, key=lambda k: (k[0].encode(), k[1]))]
    return ports, tls, sums, up, names, resolves


def is_weak(r):
    acc = set(r.get("versions_accepted") or [])
    return bool(acc & {"TLSv1", "TLSv1.1"}) or (r["outcome"] == "ok" and r["tls_version"] in WEAK_NEGOTIATED)


def bucket(days, expired):
    if expired or days < 0:
        return "expired"
    return "lt7" if days < 7 else "lt30" if days < 30 else "lt90" if days < 90 else "later"


def count_rows(values, top):
    """A count table: (key, n) rows sorted as the page sorts them, and the rest."""
    c = Counter(values)
    rows = sorted(c.items(), key=lambda kv: (-kv[1], kv[0] is not None, (kv[0] or "").encode()))
    return [(shown(k), n) for k, n in rows[:top]], max(0, len(rows) - top)


def expected(paths, top):
    ports, tls, sums, arp_up, names, resolves = load(paths)
    exp = {"counts": {}, "tables": {}, "more": {}, "bars": {}}
    cnt = exp["counts"]
    opn = [p for p in ports if p["state"] == "open"]
    cnt["open"] = len(opn)
    cnt["closed"] = sum(p["state"] == "closed" for p in ports)
    cnt["filtered"] = sum(p["state"] == "filtered" for p in ports)
    cnt["hosts-open"] = len({p["ip"] for p in opn})
    # nmap's "up": the host itself answered (SYN-ACK, RST, an ICMP error from
    # its own address, not a router's) or ARP / neighbour discovery found it.
    cnt["hosts-up"] = len(arp_up | {
        p["ip"] for p in ports
        if p["reason"] in ("syn-ack", "reset")
        or (p.get("reason_ip") is not None and p["ttl"] is not None
            and canon(p["reason_ip"]) == p["ip"])})
    h443 = [p["ip"] for p in opn if p["port"] == 443]
    cnt["hosts-443"] = len(h443)
    cnt["summaries"] = len(sums)
    cnt["targets"] = sum(s["targets"] for s in sums)
    cnt["tls-records"] = len(tls)
    cnt["tls-endpoints"] = len({(r["ip"], r["port"]) for r in tls})
    ok = [r for r in tls if r["outcome"] == "ok"]
    cnt["tls-ok"] = len(ok)
    tested = [r for r in tls if r.get("versions_accepted") or r.get("versions_rejected")]
    cnt["versions-tested"] = len(tested)

    def ep(r):
        return (endpoint(r["ip"], r["port"]), None if r["sni"] is None else shown(r["sni"]))

    lists = {
        "weak": [r for r in tls if is_weak(r)],
        "self-signed": [r for r in tls if r["cert"] and r["cert"]["self_signed"]],
        "mismatched": [r for r in tls if r["hostname_match"] is False],
        "untrusted": [r for r in tls if r["verify_ok"] is False],
        "plain-http": [r for r in tls if r["outcome"] == "not-tls" and (r["detail"] or "").startswith("plain HTTP")],
    }
    for name, recs in lists.items():
        cnt[name] = len(recs)
        exp["tables"][name] = [ep(r) for r in recs[:top]]
        exp["more"][name] = max(0, len(recs) - top)
    exp["tables"]["hosts-443"] = [(ip, ",".join(names[ip]) if ip in names else None)
                                  for ip in h443[:top]]
    exp["more"]["hosts-443"] = max(0, len(h443) - top)
    cnt["unresolved"] = len(resolves)
    exp["tables"]["unresolved"] = [(r["hostname"], r["error"]) for r in resolves[:top]]
    exp["more"]["unresolved"] = max(0, len(resolves) - top)

    for name, values in (("outcomes", [r["outcome"] for r in tls]),
                         ("versions", [r["tls_version"] for r in ok]),
                         ("ciphers", [r["cipher"] for r in ok]),
                         ("verify-errors", [r["verify_error"] for r in lists["untrusted"]])):
        exp["tables"][name], exp["more"][name] = count_rows(values, top)

    exp["tables"]["accepted"] = [
        (v, sum(v in (r.get("versions_accepted") or []) for r in tls),
         sum(v in (r.get("versions_rejected") or []) for r in tls)) for v in VERSIONS]

    certs = {}
    for r in tls:
        c = r["cert"]
        if not c:
            continue
        e = certs.setdefault(c["sha256"], {"days": c["days_to_expiry"], "expired": False, "n": 0,
                                           "first": r})
        e["days"] = min(e["days"], c["days_to_expiry"])
        e["expired"] |= c["expired"]
        e["n"] += 1
        if r["time"] < e["first"]["time"]:
            e["first"] = r
    cnt["certs"] = len(certs)
    bars = Counter({b: 0 for b in ("expired", "lt7", "lt30", "lt90", "later")})
    for e in certs.values():
        e["bucket"] = bucket(e["days"], e["expired"])
        bars[e["bucket"]] += 1
    exp["bars"] = dict(bars)
    cnt["expired"] = bars["expired"]
    exp["tables"]["issuers"], exp["more"]["issuers"] = count_rows(
        [e["first"]["cert"]["issuer"] for e in certs.values()], top)
    order = sorted(certs.items(), key=lambda kv: (kv[1]["days"], kv[0]))
    exp["tables"]["certs"] = [(sha, e["days"], e["bucket"], e["n"]) for sha, e in order[:top]]
    exp["more"]["certs"] = max(0, len(certs) - top)
    cnt["untrusted"] = len(lists["untrusted"])
    return exp


class Page(HTMLParser):
    """The data- attributes of a report page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.counts = defaultdict(list)  # name -> [text of each occurrence]
        self.rows = defaultdict(list)    # table -> [attrs of each keyed row]
        self.more = {}
        self.bars = {}
        self.csp = None
        self.bad = []
        self.table = None
        self.in_count = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.bad.append("a <script> element")
        for k in ("src", "href", "srcset", "action", "formaction", "ping"):
            if k in a:
                self.bad.append(f"<{tag} {k}={a[k]!r}>")
        if "url(" in (a.get("style") or ""):
            self.bad.append(f"<{tag} style=url(...)>")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = a.get("content")
        if tag == "table" and "data-table" in a:
            self.table = a["data-table"]
        if tag == "tr" and self.table is not None:
            if "data-key" in a:
                self.rows[self.table].append(a)
            if "data-more" in a:
                self.more[a["data-more"]] = int(a["data-n"])
        if tag == "rect" and "data-bucket" in a:
            self.bars[a["data-bucket"]] = int(a["data-n"])
        if "data-count" in a:
            self.in_count = a["data-count"]
            self.text = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        if self.in_count is not None and tag == "span":
            self.counts[self.in_count].append(self.text)
            self.in_count = None

    def handle_data(self, data):
        if self.in_count is not None:
            self.text += data


def page_rows(page):
    """Rows per table, in the shape expected() gives them."""
    got = {}
    for table, rows in page.rows.items():
        if table in ("outcomes", "versions", "ciphers", "verify-errors", "issuers"):
            got[table] = [(r["data-key"], int(r["data-n"])) for r in rows]
        elif table == "accepted":
            got[table] = [(r["data-key"], int(r["data-n"]), int(r["data-refused"])) for r in rows]
        elif table == "hosts-443":
            got[table] = [(r["data-key"], r.get("data-names")) for r in rows]
        elif table == "unresolved":
            got[table] = [(r["data-key"], r["data-error"]) for r in rows]
        elif table == "certs":
            got[table] = [(r["data-key"], int(r["data-days"]), r["data-bucket"], int(r["data-n"])) for r in rows]
        else:
            got[table] = [(r["data-key"], r.get("data-sni")) for r in rows]
    return got


def compare(page, exp):
    errs = list(page.bad)
    csp = re.sub(r"\s+", " ", page.csp or "")
    for need in ("default-src 'none'", "style-src 'unsafe-inline'", "img-src data:"):
        if need not in csp:
            errs.append(f"Content-Security-Policy {page.csp!r} lacks {need!r}")
    for name, want in exp["counts"].items():
        got = page.counts.get(name)
        if not got:
            errs.append(f"count {name}: not on the page (expected {want})")
        elif any(g.strip() != str(want) for g in got):
            errs.append(f"count {name}: page says {got}, expected {want}")
    got_rows = page_rows(page)
    for table, want in exp["tables"].items():
        got = got_rows.get(table, [])
        if got != want:
            errs.append(f"table {table}: page has {got[:8]}{'...' if len(got) > 8 else ''}, expected {want[:8]}")
    for table, want in exp["more"].items():
        got = page.more.get(table, 0)
        if got != want:
            errs.append(f"table {table}: 'and {got} more' on the page, expected {want}")
    if page.bars != exp["bars"]:
        errs.append(f"expiry chart bars {page.bars}, expected {exp['bars']}")
    return errs


def self_test(page, exp):
    """Each break of the page must be caught; returns the ones that were not."""
    import copy

    breaks = []

    def brk(what, fn):
        p = copy.deepcopy(page)
        fn(p)
        if not compare(p, exp):
            breaks.append(what)

    for name in list(exp["counts"]):
        if page.counts.get(name):
            brk(f"count {name} + 1", lambda p, n=name: p.counts[n].__setitem__(0, str(int(p.counts[n][0]) + 1)))
    for table in page.rows:
        if page.rows[table]:
            brk(f"row dropped from {table}", lambda p, t=table: p.rows[t].pop())
            brk(f"row key changed in {table}", lambda p, t=table: p.rows[t][0].__setitem__("data-key", p.rows[t][0]["data-key"] + "x"))
    for b in page.bars:
        brk(f"bar {b} + 1", lambda p, b=b: p.bars.__setitem__(b, p.bars[b] + 1))
    brk("a script", lambda p: p.bad.append("<script>"))
    brk("no CSP", lambda p: setattr(p, "csp", None))
    brk("more changed", lambda p: p.more.__setitem__("hosts-443", p.more.get("hosts-443", 0) + 1))
    return breaks


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--top", type=int, default=50)
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("page")
    ap.add_argument("results", nargs="+")
    a = ap.parse_args()
    exp = expected(a.results, a.top)
    page = Page()
    with open(a.page, encoding="utf-8", errors="strict") as f:
        page.feed(f.read())
    page.close()
    errs = compare(page, exp)
    for e in errs:
        print(f"check_report: {e}")
    if errs:
        return 1
    c = exp["counts"]
    print(f"check_report: page matches: {c['hosts-443']} hosts on 443, {c['tls-records']} TLS records, "
          f"{c['certs']} certificates, {c['weak']} weak, {c['self-signed']} self-signed, "
          f"{c['mismatched']} mismatched, {c['plain-http']} plain HTTP, {c['expired']} expired, "
          f"{sum(len(v) for v in page.rows.values())} table rows")
    if a.self_test:
        missed = self_test(page, exp)
        for m in missed:
            print(f"check_report: self-test: a page with {m} passed")
        if missed:
            return 1
        print("check_report: self-test: every broken page caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
