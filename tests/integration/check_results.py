#!/usr/bin/env python3
"""check_results.py — checks a scan's output against the lab's ground truth.

    check_results.py --truth TRUTH.json --targets "198.19.0.0/22 198.18.0.10-198.18.0.23" \
        --ports 22,80,443,8080-8081 [--format FMT] [--open-only] [--score] FILE...

TRUTH.json comes from lab_truth (tests/lab/lab.sh). The plan is every
(address, port) of --targets x --ports (targets: CIDR, a.b.c.d-e.f.g.h or a
single address; several separated by spaces or commas; --targets may repeat).
IPv6 targets alike, and mixed with IPv4 in one plan: 2001:db8:100::/118,
2001:db8:0:1::10-2001:db8:0:1::23, 2001:db8:0:1::fe (a range is within one
family; an IPv6 plan may hold at most 2^24 addresses).

Addresses in results are compared as addresses (Python's ipaddress), never as
text; portus-json must also write IPv6 in RFC 5952 form (what ipaddress's
str() gives: 2001:db8::1, not 2001:DB8:0::1), which is checked. In messages an
IPv6 address with a port is written [2001:db8::1]:80.

Formats (--format, default portus-json):
  portus-json   portus -oJ NDJSON. Strict check (the default mode): every planned
                (address, port) has exactly one port record with the expected
                state, reason and ttl (an int for replies, null for no-response),
                reason_ip for ICMP reasons; no record outside the plan, no
                duplicate; on-link hosts that do not exist have a host record
                {"state": "down"} and no port record; each file ends with a
                summary record whose counts equal that file's records. Several
                files (shards) are checked as one union.
  portus-list   portus -oL: only open ports; the set must equal the truth's opens.
  nmap-xml      nmap -oX. Even with -Pn, nmap ARP-pings on-link targets and
                reports the ones that do not answer as down (status down with
                -v, or absent from the file): that is the expected answer for
                dead on-link hosts, as for portus. A host that answers nothing
                itself (only a router's ICMP errors, or silence) is not up:
                absent from portus -oX, its ports then count as filtered.
  masscan-list  masscan -oL (open, and closed with --show closed).
  masscan-json  masscan -oJ.
  zmap-csv      zmap CSV with saddr, sport and classification fields (synack,
                rst); several files (one per port) are merged.
masscan and zmap never say "filtered": for them an unreported target counts as
filtered (marked * in the score); dead on-link hosts count as filtered too.

--open-only   (portus) the run used --open: only open port records may appear,
              all of them must; host-down records may be left out; summary
              counts must equal the truth's (the whole scan's).
--score       do not fail; print one line of per-state scores (and, with
              --score-json FILE, write them as JSON) for the benchmark.

--emit-expected FILE
              write the NDJSON a perfect portus run would produce for this plan
              (for the checker's self-test and as an example), then exit.

Prints the first mismatches (--max-diff, default 20) and a closing line
`check: N targets, N correct, N wrong`; exits 1 on any mismatch, 2 on usage or
unreadable input. Python standard library only.
"""
import argparse
import ipaddress
import json
import sys
import xml.etree.ElementTree as ET

STATES = ("open", "closed", "filtered")
ICMP_REASONS = {
    "net-unreach", "host-unreach", "proto-unreach", "port-unreach",
    "net-prohibited", "host-prohibited", "admin-prohibited",
    # ICMPv6 destination unreachable codes without an IPv4 twin (nmap's names)
    "no-route", "beyond-scope", "reject-route",
}
DOWN = "down"
# One ordered number space for both families: an IPv4 address is its 32-bit
# value (as it always was here), an IPv6 address V6_BASE + its 128-bit value.
V6_BASE = 1 << 128
MAX_PLAN6 = 1 << 24


def die(msg):
    print(f"check: error: {msg}", file=sys.stderr)
    sys.exit(2)


def ip2int(s):
    """IPv4 text -> 0..2^32-1; IPv6 text -> V6_BASE + value. ValueError if neither."""
    if isinstance(s, str) and ":" in s:
        return V6_BASE + int(ipaddress.IPv6Address(s))
    return int(ipaddress.IPv4Address(s))


def int2ip(n):
    """The inverse of ip2int; IPv6 in RFC 5952 form."""
    if n >= V6_BASE:
        return str(ipaddress.IPv6Address(n - V6_BASE))
    return str(ipaddress.IPv4Address(n))


def is_v6(n):
    return n >= V6_BASE


def ipport(n, port):
    """'198.19.0.1:80' or '[2001:db8::1]:80', for messages."""
    return f"[{int2ip(n)}]:{port}" if n >= V6_BASE else f"{int2ip(n)}:{port}"


def net_range(text, strict=False):
    """CIDR text of either family -> (lo, hi) in the ip2int number space."""
    if ":" in text:
        net = ipaddress.IPv6Network(text, strict=strict)
        base = V6_BASE
    else:
        net = ipaddress.IPv4Network(text, strict=strict)
        base = 0
    return base + int(net.network_address), base + int(net.broadcast_address)


def noncanonical6(text):
    """For IPv6 text that parses but is not in RFC 5952 form: the form it should
    have; else None (IPv4, canonical IPv6, or not an address at all)."""
    if not isinstance(text, str) or ":" not in text:
        return None
    try:
        canon = str(ipaddress.IPv6Address(text))
    except ValueError:
        return None
    return canon if canon != text else None


def same_ip(text, n):
    """True if text is an address (either family) equal to n."""
    if not isinstance(text, str):
        return False
    try:
        return ip2int(text) == n
    except ValueError:
        return False


# ---------------------------------------------------------------- plan


def parse_targets(specs):
    """Returns a sorted list of disjoint (lo, hi) address ranges."""
    ranges = []
    for spec in specs:
        for tok in spec.replace(",", " ").split():
            try:
                if "/" in tok:
                    ranges.append(net_range(tok))
                elif "-" in tok:
                    a, b = tok.split("-", 1)
                    lo, hi = ip2int(a), ip2int(b)
                    if is_v6(lo) != is_v6(hi):
                        die(f"range {tok} mixes IPv4 and IPv6")
                    if lo > hi:
                        die(f"empty range {tok}")
                    ranges.append((lo, hi))
                else:
                    n = ip2int(tok)
                    ranges.append((n, n))
            except ValueError as e:
                die(f"bad target {tok}: {e}")
    ranges.sort()
    merged = []
    for lo, hi in ranges:
        # (IPv4 and IPv6 never merge: V6_BASE is far above the last IPv4 address.)
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    n6 = sum(hi - lo + 1 for lo, hi in merged if is_v6(lo))
    if n6 > MAX_PLAN6:
        die(f"the plan has {n6} IPv6 addresses, more than {MAX_PLAN6} (a /104)")
    return merged


def parse_ports(specs):
    ports = set()
    for spec in specs:
        for tok in spec.replace(" ", ",").split(","):
            if not tok:
                continue
            try:
                if "-" in tok:
                    a, b = tok.split("-", 1)
                    ports.update(range(int(a), int(b) + 1))
                else:
                    ports.add(int(tok))
            except ValueError:
                die(f"bad port {tok}")
    if not ports or min(ports) < 1 or max(ports) > 65535:
        die("ports must be 1..65535")
    return sorted(ports)


# ---------------------------------------------------------------- truth


class Truth:
    def __init__(self, path):
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            die(f"truth {path}: {e}")
        self.doc = doc
        self.rules = []
        for r in doc["rules"]:
            # IPv4 or IPv6 ("net" and "within" of one rule are of one family).
            lo, hi = net_range(r["net"])
            wlo, whi = net_range(r["within"], strict=True) if r.get("within") else (None, None)
            ports = set(r["ports"]) if r.get("ports") is not None else None
            self.rules.append((lo, hi, wlo, whi, ports, r))

    def host_rule_kind(self, ip):
        """'down' if ip is a dead on-link host, else None."""
        for lo, hi, wlo, whi, _ports, r in self.rules:
            if lo <= ip <= hi and (wlo is None or wlo <= ip <= whi):
                if r.get("down"):
                    return DOWN
                if "invalid" in r:
                    return None
                return None
        return None

    def expect(self, ip, port):
        """Returns the rule dict for (ip, port): has state/reason/ttl, or down, or invalid."""
        for lo, hi, wlo, whi, ports, r in self.rules:
            if not (lo <= ip <= hi):
                continue
            if wlo is not None and not (wlo <= ip <= whi):
                continue
            if r.get("down") or "invalid" in r:
                return r
            if ports is None or port in ports:
                return r
        return None


# ---------------------------------------------------------------- readers
# Each reader returns (ports, hosts, summaries, errors):
#   ports: list of dicts {ip:int, port:int, state, reason?, ttl?, reason_ip?, raw, src}
#   hosts: list of dicts {ip:int, state, reason?, src}
#   summaries: list of (src, summary dict, port counts of that file, down hosts of that file)


def read_portus_json(paths):
    ports, hosts, summaries, errors = [], [], [], []
    for path in paths:
        counts = {s: 0 for s in STATES}
        ndown = 0
        last = None
        try:
            f = open(path, encoding="utf-8", errors="strict")
        except OSError as e:
            die(f"{path}: {e}")
        with f:
            try:
                lines = f.read().split("\n")
            except UnicodeDecodeError as e:
                errors.append(f"{path}: not valid UTF-8: {e}")
                continue
        if lines and lines[-1] == "":
            lines.pop()
        elif lines:
            errors.append(f"{path}: last line has no newline")
        for n, line in enumerate(lines, 1):
            where = f"{path}:{n}"
            try:
                rec = json.loads(line)
            except ValueError as e:
                errors.append(f"{where}: not JSON: {e}: {line[:100]}")
                continue
            if not isinstance(rec, dict):
                errors.append(f"{where}: not an object")
                continue
            last = rec
            t = rec.get("type")
            if t == "port":
                try:
                    p = dict(rec)
                    p["ip"] = ip2int(rec["ip"])
                    p["port"] = int(rec["port"])
                    p["src"] = where
                except (KeyError, ValueError, TypeError) as e:
                    errors.append(f"{where}: bad port record ({e}): {line[:120]}")
                    continue
                for k in ("ip", "reason_ip"):
                    canon = noncanonical6(rec.get(k))
                    if canon:
                        errors.append(f"{where}: {k} {rec[k]} is not in RFC 5952 form ({canon})")
                ports.append(p)
                if rec.get("state") in counts:
                    counts[rec["state"]] += 1
            elif t == "host":
                try:
                    h = dict(rec)
                    h["ip"] = ip2int(rec["ip"])
                    h["src"] = where
                except (KeyError, ValueError, TypeError) as e:
                    errors.append(f"{where}: bad host record ({e}): {line[:120]}")
                    continue
                canon = noncanonical6(rec.get("ip"))
                if canon:
                    errors.append(f"{where}: ip {rec['ip']} is not in RFC 5952 form ({canon})")
                hosts.append(h)
                if rec.get("state") == "down":
                    ndown += 1
            elif t == "summary":
                summaries.append((where, rec, counts, ndown))
        if last is None or last.get("type") != "summary":
            errors.append(f"{path}: last record is not a summary")
        if sum(1 for s in summaries if s[0].startswith(path + ":")) > 1:
            errors.append(f"{path}: more than one summary record")
    return ports, hosts, summaries, errors


def read_list(paths):
    """masscan -oL style: 'open tcp 80 198.19.0.5 1700000000'. Tolerant: takes the
    first state word, the first IPv4 or IPv6 address ([2001:db8::1] or
    [2001:db8::1]:80 too) and the first other integer 1..65535."""
    ports, errors = [], []
    for path in paths:
        try:
            lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError as e:
            die(f"{path}: {e}")
        for n, line in enumerate(lines, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            toks = s.replace(",", " ").replace("/", " ").split()
            state = ip = port = None
            for t in toks:
                if state is None and t in STATES:
                    state = t
                elif ip is None and t.count(".") == 3 and ":" not in t:
                    try:
                        ip = ip2int(t)
                    except ValueError:
                        pass
                elif ip is None and ":" in t:
                    a, pt = t, None
                    if t.startswith("[") and "]" in t:
                        a, rest = t[1:].split("]", 1)
                        if rest.startswith(":") and rest[1:].isdigit():
                            pt = int(rest[1:])
                    try:
                        ip = ip2int(a)
                        if ":" not in a:
                            raise ValueError(a)
                    except ValueError:
                        ip = None
                        continue
                    if port is None and pt is not None and 1 <= pt <= 65535:
                        port = pt
                elif port is None and t.isdigit() and 1 <= int(t) <= 65535:
                    port = int(t)
            if ip is None or port is None:
                errors.append(f"{path}:{n}: cannot parse: {line[:100]}")
                continue
            ports.append({"ip": ip, "port": port, "state": state or "open", "src": f"{path}:{n}"})
    return ports, errors


def read_masscan_json(paths):
    ports, errors = [], []
    for path in paths:
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError as e:
            die(f"{path}: {e}")
        objs = []
        try:
            doc = json.loads(text)
            objs = doc if isinstance(doc, list) else [doc]
        except ValueError:
            # masscan 1.3 writes one object per line with trailing commas.
            for line in text.splitlines():
                s = line.strip().rstrip(",")
                if s.startswith("{"):
                    try:
                        objs.append(json.loads(s))
                    except ValueError as e:
                        errors.append(f"{path}: bad JSON line: {e}")
        for o in objs:
            for p in o.get("ports", []):
                state = p.get("status")
                ports.append({"ip": ip2int(o["ip"]), "port": int(p["port"]),
                              "state": state, "reason": p.get("reason"), "ttl": p.get("ttl"),
                              "src": path})
    return ports, errors


ZMAP_CLASS = {"synack": "open", "rst": "closed"}


def read_zmap_csv(paths):
    import csv
    ports, errors = [], []
    for path in paths:
        try:
            f = open(path, newline="", encoding="utf-8", errors="replace")
        except OSError as e:
            die(f"{path}: {e}")
        with f:
            rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
        if not rows:
            continue
        head = rows[0]
        try:
            i_ip, i_port = head.index("saddr"), head.index("sport")
        except ValueError:
            errors.append(f"{path}: CSV header lacks saddr/sport: {head}")
            continue
        i_cls = head.index("classification") if "classification" in head else None
        for n, r in enumerate(rows[1:], 2):
            try:
                cls = r[i_cls] if i_cls is not None else "synack"
                ports.append({"ip": ip2int(r[i_ip]), "port": int(r[i_port]),
                              "state": ZMAP_CLASS.get(cls, cls), "src": f"{path}:{n}"})
            except (ValueError, IndexError) as e:
                errors.append(f"{path}:{n}: {e}")
    return ports, errors


def read_nmap_xml(paths, plan_ports):
    """Returns (ports, hosts, errors); hosts: {ip, state} from <status>."""
    ports, hosts, errors = [], [], []
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as e:
            die(f"{path}: {e}")
        for host in root.iter("host"):
            addr = None
            for a in host.findall("address"):
                if a.get("addrtype") in ("ipv4", "ipv6"):
                    addr = ip2int(a.get("addr"))
            if addr is None:
                continue
            st = host.find("status")
            if st is not None:
                hosts.append({"ip": addr, "state": st.get("state"), "src": path})
            pe = host.find("ports")
            if pe is None:
                continue
            seen = set()
            for p in pe.findall("port"):
                if p.get("protocol") != "tcp":
                    continue
                st = p.find("state")
                port = int(p.get("portid"))
                seen.add(port)
                ttl = st.get("reason_ttl")
                ports.append({"ip": addr, "port": port, "state": st.get("state"),
                              "reason": st.get("reason"),
                              "ttl": int(ttl) if ttl not in (None, "") else None,
                              "reason_ip": st.get("reason_ip"), "src": path})
            extras = pe.findall("extraports")
            for ex in extras:
                listed = False
                for er in ex.findall("extrareasons"):
                    if er.get("ports"):
                        listed = True
                        for port in parse_ports([er.get("ports")]):
                            seen.add(port)
                            ports.append({"ip": addr, "port": port, "state": ex.get("state"),
                                          "reason": er.get("reason"), "src": path})
                if not listed and len(extras) == 1:
                    for port in plan_ports:
                        if port not in seen:
                            ports.append({"ip": addr, "port": port, "state": ex.get("state"),
                                          "reason": None, "src": path})
    return ports, hosts, errors


# ---------------------------------------------------------------- checking


def plan_iter(ranges, ports):
    for lo, hi in ranges:
        for ip in range(lo, hi + 1):
            for port in ports:
                yield ip, port


def in_plan(ranges, ip):
    for lo, hi in ranges:
        if lo <= ip <= hi:
            return True
    return False


def fmt_rec(p):
    s = f"{p.get('state')}/{p.get('reason')}"
    if "ttl" in p:
        s += f" ttl={p.get('ttl')}"
    if p.get("reason_ip") is not None:
        s += f" reason_ip={p.get('reason_ip')}"
    return s


def fmt_exp(r):
    if r.get("down"):
        return "host down (no port record)"
    s = f"{r['state']}/{r['reason']} ttl={r.get('ttl')}"
    if r.get("reason_ip"):
        s += " reason_ip=" + r["reason_ip"]
    return s


def expected_reason_ip(r, ip):
    """The reason_ip text a perfect record has for rule r and target ip."""
    rip = r.get("reason_ip", "target")
    return int2ip(ip) if rip == "target" else int2ip(ip2int(rip))


def strict_portus(args, truth, ranges, ports):
    recs, hosts, summaries, errors = read_portus_json(args.files)
    diffs = []
    byip = {}
    dups = 0
    for p in recs:
        key = (p["ip"], p["port"])
        if key in byip:
            dups += 1
            errors.append(f"duplicate record {ipport(key[0], key[1])} at {p['src']} "
                          f"(first at {byip[key]['src']})")
            continue
        byip[key] = p
    host_by_ip = {}
    for h in hosts:
        prev = host_by_ip.get(h["ip"])
        if prev is not None:
            # Shards: each shard that holds a target of the host reports the
            # host; they must agree. Within one file a host appears once.
            if prev["src"].rsplit(":", 1)[0] == h["src"].rsplit(":", 1)[0]:
                errors.append(f"duplicate host record {int2ip(h['ip'])} at {h['src']}")
            elif prev.get("state") != h.get("state"):
                errors.append(f"host {int2ip(h['ip'])}: {prev.get('state')} at {prev['src']}, "
                              f"{h.get('state')} at {h['src']}")
        host_by_ip[h["ip"]] = h
        if not in_plan(ranges, h["ip"]):
            errors.append(f"host record outside the plan: {int2ip(h['ip'])} at {h['src']}")
    nplan = correct = 0
    counts_expected = {s: 0 for s in STATES}
    down_expected = set()
    planned = set()
    for ip, port in plan_iter(ranges, ports):
        nplan += 1
        planned.add((ip, port))
        r = truth.expect(ip, port)
        if r is None or "invalid" in r:
            die(f"no ground truth for {ipport(ip, port)} (not part of the lab)")
        got = byip.get((ip, port))
        if r.get("down"):
            down_expected.add(ip)
            h = host_by_ip.get(ip)
            if got is not None:
                diffs.append(f"{ipport(ip, port)} expected {fmt_exp(r)}, got {fmt_rec(got)}")
            elif args.open_only and h is None:
                correct += 1  # --open may leave host records out
            elif h is None or h.get("state") != "down":
                diffs.append(f"{ipport(ip, port)} expected host down, got "
                             + ("no host record" if h is None else f"host {h.get('state')}"))
            else:
                correct += 1
            continue
        counts_expected[r["state"]] += 1
        if args.open_only and r["state"] != "open":
            if got is not None:
                diffs.append(f"{ipport(ip, port)} --open: expected no record ({fmt_exp(r)}), "
                             f"got {fmt_rec(got)}")
            else:
                correct += 1
            continue
        if got is None:
            diffs.append(f"{ipport(ip, port)} expected {fmt_exp(r)}, missing")
            continue
        bad = []
        if got.get("state") != r["state"] or got.get("reason") != r["reason"]:
            bad.append("state/reason")
        if got.get("proto") != "tcp":
            bad.append("proto")
        if "ttl" not in got:
            bad.append("ttl missing")
        elif r.get("ttl") is None:
            if got["ttl"] is not None:
                bad.append("ttl not null")
        elif type(got["ttl"]) is not int or got["ttl"] != r["ttl"]:
            bad.append("ttl")
        if r["reason"] in ICMP_REASONS:
            rip = got.get("reason_ip")
            want_rip = r.get("reason_ip")
            if rip is None:
                bad.append("reason_ip missing")
            elif want_rip == "target" and not same_ip(rip, ip):
                bad.append("reason_ip")
            elif want_rip not in (None, "target") and not same_ip(rip, ip2int(want_rip)):
                bad.append("reason_ip")
        elif got.get("reason_ip") is not None:
            bad.append("reason_ip set")
        if "time" not in got:
            bad.append("time missing")
        if bad:
            diffs.append(f"{ipport(ip, port)} expected {fmt_exp(r)}, got {fmt_rec(got)} "
                         f"[{', '.join(bad)}]")
        else:
            correct += 1
    for key, p in byip.items():
        if key not in planned:
            errors.append(f"record outside the plan: {ipport(key[0], key[1])} at {p['src']}")
    for ip in down_expected:
        pass
    for ip, h in host_by_ip.items():
        if h.get("state") == "down" and ip not in down_expected and in_plan(ranges, ip):
            errors.append(f"host {int2ip(ip)} reported down but is up ({h['src']})")
    # Summaries: each file's counts equal its records.
    for where, s, counts, ndown in summaries:
        for st in STATES:
            want = counts[st]
            if args.open_only and st != "open" and len(args.files) == 1:
                want = counts_expected[st]
            if s.get(st) != want:
                errors.append(f"summary {where}: {st}={s.get(st)} but expected {want}")
        if args.open_only and len(args.files) == 1:
            ndown = len(down_expected)
        if s.get("hosts_down") != ndown:
            errors.append(f"summary {where}: hosts_down={s.get('hosts_down')} but the file "
                          f"has {ndown} host-down records")
    if len(args.files) == 1 and summaries:
        s = summaries[-1][1]
        if s.get("targets") not in (None, nplan):
            print(f"check: note: summary targets={s.get('targets')}, plan has {nplan}")
    return nplan, correct, diffs, errors


def detail_mismatch(r, g):
    """For tools that report a reason and a TTL: what disagrees with the truth."""
    if g is None:
        return None
    bad = []
    if g.get("reason") is not None and g["reason"] != r["reason"]:
        bad.append("reason")
    if g.get("ttl") is not None and r.get("ttl") is not None and g["ttl"] != r["ttl"]:
        bad.append("ttl")
    return ", ".join(bad)


def score(args, truth, ranges, ports):
    fmt = args.format
    errors = []
    hosts = []
    absent_filtered = fmt in ("masscan-list", "masscan-json", "zmap-csv")
    # Tools that say "down": a dead on-link host is expected down, no ports.
    says_down = fmt in ("portus-json", "nmap-xml")
    if fmt == "portus-json":
        recs, hosts, _s, errors = read_portus_json(args.files)
    elif fmt in ("portus-list", "masscan-list"):
        recs, errors = read_list(args.files)
    elif fmt == "masscan-json":
        recs, errors = read_masscan_json(args.files)
    elif fmt == "zmap-csv":
        recs, errors = read_zmap_csv(args.files)
    elif fmt == "nmap-xml":
        recs, hosts, errors = read_nmap_xml(args.files, ports)
    else:
        die(f"unknown format {fmt}")
    down_reported = {h["ip"] for h in hosts if h.get("state") == "down"}
    if fmt == "nmap-xml":
        # nmap leaves hosts found down out of the file unless -v.
        up = {h["ip"] for h in hosts if h.get("state") == "up"}
        for ip, _port in plan_iter(ranges, ports[:1]):
            if ip not in up:
                down_reported.add(ip)
    # Hosts the truth has answering nothing themselves (silence, or ICMP errors
    # from a router only) are not up as nmap means it (scan_record.h,
    # reply_from_target): portus -oX leaves them out, so their ports are
    # expected absent there (filtered); nmap may still list them (a ping).
    not_self = set()
    if fmt == "nmap-xml":
        answered = set()
        for ip, port in plan_iter(ranges, ports):
            r = truth.expect(ip, port)
            if r is None or "invalid" in r or r.get("down"):
                continue
            if not (r["state"] == "filtered" and r["reason"] == "no-response") and \
                    expected_reason_ip(r, ip) == int2ip(ip):
                answered.add(ip)
            not_self.add(ip)
        not_self -= answered
    got = {}
    dups = extra = 0
    planned_ips = ranges
    for p in recs:
        key = (p["ip"], p["port"])
        if key in got:
            if got[key]["state"] != p["state"]:
                # masscan/zmap can see both a RST and a SYN-ACK; count a conflict.
                dups += 1
            elif fmt not in ("masscan-list", "masscan-json", "zmap-csv"):
                dups += 1
            # open wins, as nmap's precedence
            if p["state"] == "open":
                got[key] = p
            continue
        got[key] = p
    sc = {s: [0, 0] for s in STATES + (DOWN,)}  # state -> [correct, expected]
    wrong = missing = 0
    diffs = []
    nplan = 0
    planned = set()
    for ip, port in plan_iter(ranges, ports):
        nplan += 1
        planned.add((ip, port))
        r = truth.expect(ip, port)
        if r is None or "invalid" in r:
            die(f"no ground truth for {ipport(ip, port)}")
        if r.get("down"):
            want = DOWN if says_down else "filtered"
        else:
            want = r["state"]
        g = got.get((ip, port))
        if want == DOWN:
            have = DOWN if (ip in down_reported and g is None) else (g and g["state"])
        elif g is None:
            have = "filtered" if absent_filtered or ip in not_self else None
        else:
            have = g["state"]
        key = want
        sc[key][1] += 1
        # Reasons and TTLs are compared for tools that use nmap's reason names.
        detail = (detail_mismatch(r, g) if (have == want and want != DOWN and says_down)
                  else None)
        if have == want and detail:
            wrong += 1
            if len(diffs) < args.max_diff:
                diffs.append(f"{ipport(ip, port)} expected {fmt_exp(r)}, got {fmt_rec(g)} "
                             f"[{detail}]")
        elif have == want:
            sc[key][0] += 1
        elif have is None:
            missing += 1
            if len(diffs) < args.max_diff:
                diffs.append(f"{ipport(ip, port)} expected {want}, missing")
        else:
            wrong += 1
            if len(diffs) < args.max_diff:
                diffs.append(f"{ipport(ip, port)} expected {want}, got {have}")
    for key in got:
        if key not in planned:
            extra += 1
    correct = sum(v[0] for v in sc.values())
    res = {
        "format": fmt, "targets": nplan, "correct": correct, "wrong": wrong,
        "missing": missing, "extra": extra, "duplicates": dups,
        "open": sc["open"], "closed": sc["closed"], "filtered": sc["filtered"],
        "down": sc[DOWN],
        "filtered_by_absence": absent_filtered, "errors": len(errors),
    }
    for d in diffs:
        print("  " + d)
    for e in errors[: args.max_diff]:
        print("  " + e)
    star = "*" if absent_filtered else ""
    down = f"down {sc[DOWN][0]}/{sc[DOWN][1]}, " if sc[DOWN][1] else ""
    print(f"score: {fmt}: open {sc['open'][0]}/{sc['open'][1]}, "
          f"closed {sc['closed'][0]}/{sc['closed'][1]}, "
          f"filtered{star} {sc['filtered'][0]}/{sc['filtered'][1]}, {down}"
          f"wrong {wrong}, missing {missing}, extra {extra}, duplicates {dups}")
    print(f"check: {nplan} targets, {correct} correct, {nplan - correct} wrong")
    if args.score_json:
        with open(args.score_json, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
    return res


def check_list_opens(args, truth, ranges, ports):
    recs, errors = read_list(args.files)
    opens = set()
    nplan = 0
    for ip, port in plan_iter(ranges, ports):
        nplan += 1
        r = truth.expect(ip, port)
        if r is None or "invalid" in r:
            die(f"no ground truth for {ipport(ip, port)}")
        if not r.get("down") and r["state"] == "open":
            opens.add((ip, port))
    seen = set()
    diffs = []
    for p in recs:
        key = (p["ip"], p["port"])
        if p["state"] != "open":
            diffs.append(f"{p['src']}: non-open line {ipport(key[0], key[1])} {p['state']}")
        elif key in seen:
            errors.append(f"{p['src']}: duplicate {ipport(key[0], key[1])}")
        elif key not in opens:
            diffs.append(f"{ipport(key[0], key[1])} listed open, truth: "
                         f"{fmt_exp(truth.expect(*key) or {'state': '?', 'reason': '?'})}")
        seen.add(key)
    for key in sorted(opens - seen):
        diffs.append(f"{ipport(key[0], key[1])} open in truth, missing")
    correct = len(opens & seen)
    return len(opens), correct, diffs, errors


def emit_expected(path, truth, ranges, ports):
    """The NDJSON a perfect run produces (records in plan order)."""
    counts = {s: 0 for s in STATES}
    down = 0
    t = 1700000000.0
    with open(path, "w") as f:
        for lo, hi in ranges:
            for ip in range(lo, hi + 1):
                r0 = truth.expect(ip, ports[0])
                if r0 is not None and r0.get("down"):
                    down += 1
                    f.write(json.dumps({"type": "host", "ip": int2ip(ip), "state": "down",
                                        "reason": "no-nd-response" if is_v6(ip)
                                        else "no-arp-response", "time": t}) + "\n")
                    continue
                for port in ports:
                    r = truth.expect(ip, port)
                    if r is None or "invalid" in r:
                        die(f"no ground truth for {ipport(ip, port)}")
                    rec = {"type": "port", "ip": int2ip(ip), "port": port, "proto": "tcp",
                           "state": r["state"], "reason": r["reason"], "ttl": r.get("ttl")}
                    if r["reason"] in ICMP_REASONS:
                        rec["reason_ip"] = expected_reason_ip(r, ip)
                    rec["time"] = t
                    counts[r["state"]] += 1
                    f.write(json.dumps(rec) + "\n")
        f.write(json.dumps({"type": "summary", "targets": sum(hi - lo + 1 for lo, hi in ranges)
                            * len(ports), **counts, "hosts_down": down}) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth", required=True)
    ap.add_argument("--targets", action="append", required=True)
    ap.add_argument("--ports", action="append", required=True)
    ap.add_argument("--format", default="portus-json",
                    choices=["portus-json", "portus-list", "nmap-xml", "masscan-list",
                             "masscan-json", "zmap-csv"])
    ap.add_argument("--open-only", action="store_true")
    ap.add_argument("--score", action="store_true")
    ap.add_argument("--score-json")
    ap.add_argument("--max-diff", type=int, default=20)
    ap.add_argument("--min-correct", type=float, default=1.0, metavar="FRACTION",
                    help="pass when at least this fraction of targets is right "
                         "(portus-json; format errors still fail)")
    ap.add_argument("--emit-expected", metavar="FILE")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    truth = Truth(args.truth)
    ranges = parse_targets(args.targets)
    ports = parse_ports(args.ports)
    if args.emit_expected:
        emit_expected(args.emit_expected, truth, ranges, ports)
        return 0
    if not args.files:
        die("no output file to check")

    if args.score or args.format not in ("portus-json", "portus-list"):
        res = score(args, truth, ranges, ports)
        if args.score:
            return 0
        return 0 if res["correct"] == res["targets"] and not res["extra"] else 1

    if args.format == "portus-list":
        n, correct, diffs, errors = check_list_opens(args, truth, ranges, ports)
        label = "open targets"
    else:
        n, correct, diffs, errors = strict_portus(args, truth, ranges, ports)
        label = "targets"
    for d in diffs[: args.max_diff]:
        print("  " + d)
    if len(diffs) > args.max_diff:
        print(f"  ... and {len(diffs) - args.max_diff} more mismatches")
    for e in errors[: args.max_diff]:
        print("  " + e)
    if len(errors) > args.max_diff:
        print(f"  ... and {len(errors) - args.max_diff} more errors")
    wrong = n - correct
    tail = f", {len(errors)} other errors" if errors else ""
    print(f"check: {n} {label}, {correct} correct, {wrong} wrong{tail}")
    if args.min_correct < 1.0:
        frac = correct / n if n else 0.0
        print(f"check: {100.0 * frac:.4f}% correct, at least {100.0 * args.min_correct:.4f}% needed")
        return 1 if (errors or frac < args.min_correct) else 0
    return 1 if (wrong or errors or diffs) else 0


if __name__ == "__main__":
    sys.exit(main())
