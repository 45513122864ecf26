#!/usr/bin/env python3
"""check_nmap_xml.py — checks portus -oX and -oG output against the lab's ground truth.

    check_nmap_xml.py --truth TRUTH.json --targets "198.19.0.0/22 ..." --ports 22,80,... \
        [--open-only] [--interrupted] [--xml FILE] [--grepable FILE]

What nmap itself would write (nmap -sS -n --reason, portus's choices where nmap
has none) is the expected answer for every (address, port) of the plan:

  * a host that answered itself (a TCP reply, or an ICMP error from its own
    address: not a router's) is listed up, each planned
    port exactly once: as a <port> with state, reason, reason_ttl (0 for
    no-response) and reason_ip when the ICMP error came from another address,
    or inside <extraports state> / <extrareasons reason count ports>, whose
    counts add up; the same ports and states in the grepable "Ports:" list or
    its "Ignored State: STATE (N)";
  * a dead on-link host is listed down with no ports (not at all with --open);
  * a host that gave no answer, or only ICMP errors from routers, is not
    listed (nmap without -Pn and -v);
  * with --open only hosts with an open port are listed and every <port> is open;
  * <runstats><hosts up down total> and the grepable done line count every host
    of the plan; --interrupted expects exit="error" errormsg="interrupted"
    and checks only the hosts written (a stopped run has not classified all);
  * every host has one <address>: addrtype "ipv4" with a dotted quad, or
    "ipv6" with the RFC 5952 text (as nmap -6 writes it); the grepable
    "Host:" lines give the same text;
  * the XML as DefectDojo's nmap parser reads it (ElementTree: nmaprun,
    host/address[@addrtype='ipv4'], ports/port/state) gives exactly the open
    ports of the truth on IPv4 hosts. (That parser reads only the ipv4
    address and fails on a host without one, nmap -6's output too: IPv6
    results need another importer.)

Prints the first mismatches and `check_nmap_xml: N targets, N correct, N wrong`;
exits 1 on any mismatch, 2 on usage or unreadable input. Standard library only.
"""
import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_results import (Truth, die, int2ip, ip2int, is_v6, parse_ports,  # noqa: E402
                           parse_targets, plan_iter)


class Problems:
    def __init__(self, limit):
        self.items = []
        self.count = 0
        self.limit = limit

    def add(self, msg):
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(msg)


def expand_ports(spec, probs, where):
    try:
        return parse_ports([spec]) if spec else []
    except SystemExit:
        probs.add(f"{where}: bad port list {spec!r}")
        return []


def expected_hosts(truth, ranges, ports):
    """ip -> {"down": bool, "ports": {port: rule}, "answered": bool, "open": bool}."""
    hosts = {}
    for ip, port in plan_iter(ranges, ports):
        r = truth.expect(ip, port)
        if r is None or "invalid" in r:
            die(f"no ground truth for {int2ip(ip)}:{port}")
        h = hosts.setdefault(ip, {"down": False, "ports": {}, "answered": False, "open": False})
        if r.get("down"):
            h["down"] = True
            continue
        h["ports"][port] = r
        # nmap's "up": the host itself answered; an ICMP error from a router
        # (reason_ip another address) does not count (scan_record.h, reply_from_target)
        if not (r["state"] == "filtered" and r["reason"] == "no-response") and \
                want_reason_ip(r, ip) is None:
            h["answered"] = True
        if r["state"] == "open":
            h["open"] = True
    return hosts


def listed_expected(h, open_only):
    if h["down"]:
        return None if open_only else "down"
    if open_only:
        return "up" if h["open"] else None
    return "up" if h["answered"] else None


def want_reason_ip(rule, ip):
    rip = rule.get("reason_ip")
    if rip in (None, "target") or rip == int2ip(ip):
        return None
    return rip


# ------------------------------------------------------------------ XML


def read_xml(path, ports, probs):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        die(f"{path}: {e}")
    if root.tag != "nmaprun":
        probs.add(f"{path}: root is <{root.tag}>, not <nmaprun>")
    for attr, want in (("scanner", "portus"), ("xmloutputversion", "1.05")):
        if root.get(attr) != want:
            probs.add(f"{path}: nmaprun {attr}={root.get(attr)!r}, expected {want!r}")
    if not (root.get("start") or "").isdigit():
        probs.add(f"{path}: nmaprun start is not a Unix time")
    si = root.find("scaninfo")
    if si is None or si.get("type") != "syn" or si.get("protocol") != "tcp":
        probs.add(f"{path}: no <scaninfo type=syn protocol=tcp>")
    elif (si.get("numservices") != str(len(ports))
          or expand_ports(si.get("services"), probs, path) != ports):
        probs.add(f"{path}: scaninfo says {si.get('numservices')} {si.get('services')}")
    hosts = {}
    for he in root.findall("host"):
        addrs = he.findall("address")
        st = he.find("status")
        if len(addrs) != 1 or st is None or addrs[0].get("addrtype") not in ("ipv4", "ipv6"):
            probs.add(f"{path}: a host without one ipv4 or ipv6 address and a status")
            continue
        text = addrs[0].get("addr") or ""
        try:
            ip = ip2int(text)
        except ValueError:
            probs.add(f"{path}: <address addr={text!r}> is not an address")
            continue
        if int2ip(ip) != text or addrs[0].get("addrtype") != ("ipv6" if is_v6(ip) else "ipv4"):
            probs.add(f"{path}: <address addr={text!r} addrtype={addrs[0].get('addrtype')!r}>: "
                      f"expected {int2ip(ip)!r} {'ipv6' if is_v6(ip) else 'ipv4'}")
        if ip in hosts:
            probs.add(f"{path}: {int2ip(ip)} listed twice")
        got = {"state": st.get("state"), "ports": {}, "extra": {}}
        pe = he.find("ports")
        for p in (pe.findall("port") if pe is not None else []):
            s = p.find("state")
            port = int(p.get("portid"))
            if port in got["ports"] or p.get("protocol") != "tcp" or s is None:
                probs.add(f"{path}: {int2ip(ip)}:{port} duplicate or malformed <port>")
                continue
            got["ports"][port] = {"state": s.get("state"), "reason": s.get("reason"),
                                  "ttl": s.get("reason_ttl"), "reason_ip": s.get("reason_ip"),
                                  "listed": True}
        for ex in (pe.findall("extraports") if pe is not None else []):
            total = 0
            for er in ex.findall("extrareasons"):
                plist = expand_ports(er.get("ports"), probs, path)
                if er.get("proto") != "tcp" or str(len(plist)) != er.get("count"):
                    probs.add(f"{path}: {int2ip(ip)} extrareasons count {er.get('count')} "
                              f"!= {len(plist)} ports listed")
                total += len(plist)
                for port in plist:
                    if port in got["ports"]:
                        probs.add(f"{path}: {int2ip(ip)}:{port} listed twice")
                    got["ports"][port] = {"state": ex.get("state"), "reason": er.get("reason"),
                                          "listed": False}
            got["extra"][ex.get("state")] = int(ex.get("count"))
            if str(total) != ex.get("count"):
                probs.add(f"{path}: {int2ip(ip)} extraports count {ex.get('count')} != {total}")
        hosts[ip] = got
    rs = root.find("runstats")
    fin = rs.find("finished") if rs is not None else None
    hs = rs.find("hosts") if rs is not None else None
    if fin is None or hs is None:
        probs.add(f"{path}: no <runstats> with <finished> and <hosts>")
        return root, hosts, None, None
    return root, hosts, fin, hs


def check_xml(path, exp, ranges, ports, args, probs):
    root, hosts, fin, hs = read_xml(path, ports, probs)
    correct = unwritten = 0
    for ip, got in hosts.items():
        if ip not in exp:
            probs.add(f"{path}: {int2ip(ip)} is not in the plan")
    for ip, h in exp.items():
        want = listed_expected(h, args.open_only)
        got = hosts.get(ip)
        n = len(ports)
        if got is None:
            if want is None:
                correct += n
            elif args.interrupted:
                unwritten += n
            else:
                probs.add(f"{path}: {int2ip(ip)} not listed, expected {want}")
            continue
        if want is None:
            probs.add(f"{path}: {int2ip(ip)} listed {got['state']}, expected absent")
            continue
        if got["state"] != want:
            probs.add(f"{path}: {int2ip(ip)} status {got['state']}, expected {want}")
            continue
        if want == "down":
            if got["ports"]:
                probs.add(f"{path}: {int2ip(ip)} is down but has ports")
            else:
                correct += n
            continue
        for port in ports:
            r, g = h["ports"][port], got["ports"].get(port)
            what = f"{path}: {int2ip(ip)}:{port}"
            if g is None:
                if args.interrupted:
                    unwritten += 1  # not classified before the signal: nothing to judge
                else:
                    probs.add(f"{what} missing")
                continue
            bad = []
            if g["state"] != r["state"]:
                bad.append(f"state {g['state']} != {r['state']}")
            if g["reason"] != r["reason"]:
                bad.append(f"reason {g['reason']} != {r['reason']}")
            if g["listed"]:
                ttl = str(r["ttl"]) if r["ttl"] is not None else "0"
                if g["ttl"] != ttl:
                    bad.append(f"reason_ttl {g['ttl']} != {ttl}")
                if g["reason_ip"] != want_reason_ip(r, ip):
                    bad.append(f"reason_ip {g['reason_ip']} != {want_reason_ip(r, ip)}")
                if args.open_only and g["state"] != "open":
                    bad.append("a non-open <port> under --open")
            if bad:
                probs.add(f"{what}: " + ", ".join(bad))
            else:
                correct += 1
        for port in got["ports"]:
            if port not in h["ports"]:
                probs.add(f"{path}: {int2ip(ip)}:{port} is not in the plan")
    if fin is not None:
        up = sum(1 for h in exp.values() if not h["down"] and h["answered"])
        total = len(exp)
        if (hs.get("up"), hs.get("down"), hs.get("total")) != (str(up), str(total - up),
                                                              str(total)):
            if not args.interrupted:
                probs.add(f"{path}: runstats hosts up={hs.get('up')} down={hs.get('down')} "
                          f"total={hs.get('total')}, expected {up}/{total - up}/{total}")
        want_exit = ("error", "interrupted") if args.interrupted else ("success", None)
        if (fin.get("exit"), fin.get("errormsg")) != want_exit:
            probs.add(f"{path}: finished exit={fin.get('exit')} errormsg={fin.get('errormsg')}")
        if not re.fullmatch(r"portus done at .+; \d+ IP address(es)? \(\d+ hosts? up\) "
                            r"scanned in \d+\.\d\d seconds", fin.get("summary") or ""):
            probs.add(f"{path}: finished summary {fin.get('summary')!r}")
    # DefectDojo's nmap parser: every host's ipv4 address, open ports/port. It
    # reads nothing else (and fails on a host without an ipv4 address: IPv6
    # hosts are left out here and of the expected set).
    opens = set()
    for host in root.findall("host"):
        a4 = host.find("address[@addrtype='ipv4']")
        if a4 is None:
            continue
        ip = a4.attrib["addr"]
        for pe in host.findall("ports/port"):
            if pe.find("state").attrib.get("state") == "open":
                opens.add((ip2int(ip), int(pe.attrib["portid"])))
    want_opens = {(ip, p) for ip, h in exp.items() for p, r in h["ports"].items()
                  if r["state"] == "open" and not is_v6(ip)}
    if args.interrupted:
        want_opens &= opens  # a stopped run may not have probed them all
    if opens != want_opens:
        probs.add(f"{path}: DefectDojo-style open ports differ: missing "
                  f"{sorted(want_opens - opens)[:5]}, extra {sorted(opens - want_opens)[:5]}")
    return correct, unwritten, hosts


# ------------------------------------------------------------------ grepable

HOST_RE = re.compile(r"Host: (\d+\.\d+\.\d+\.\d+|[0-9a-f:]*:[0-9a-f:.]*) \(\)\t(Status|Ports): (.*)")
PORT_RE = re.compile(r"(\d+)/(open|closed|filtered)/tcp//([^/]*)///")


def check_grepable(path, exp, ports, xml_hosts, args, probs):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        die(f"{path}: {e}")
    if not text.endswith("\n"):
        probs.add(f"{path}: does not end with a newline")
    lines = text.split("\n")[:-1]
    if not lines or not re.fullmatch(r"# portus \S+ scan initiated .+ as: .+", lines[0]):
        probs.add(f"{path}: first line is not the '# portus ... scan initiated' header")
    done = re.fullmatch(r"# portus done at .+ -- (\d+) IP address(?:es)? \((\d+) hosts? up\) "
                        r"scanned in \d+\.\d\d seconds( \(interrupted\))?",
                        lines[-1] if lines else "")
    if done is None:
        probs.add(f"{path}: last line is not the '# portus done at' line")
    elif not args.interrupted:
        up = sum(1 for h in exp.values() if not h["down"] and h["answered"])
        if (int(done.group(1)), int(done.group(2))) != (len(exp), up) or done.group(3):
            probs.add(f"{path}: done line says {done.group(1)} addresses, {done.group(2)} up; "
                      f"expected {len(exp)}, {up}")
    status, plists = {}, {}
    for n, line in enumerate(lines[1:-1], 2):
        m = HOST_RE.fullmatch(line)
        if m is None:
            probs.add(f"{path}:{n}: not a Host line: {line[:100]!r}")
            continue
        try:
            ip = ip2int(m.group(1))
        except ValueError:
            probs.add(f"{path}:{n}: {m.group(1)!r} is not an address")
            continue
        if int2ip(ip) != m.group(1):
            probs.add(f"{path}:{n}: {m.group(1)!r} is not written as {int2ip(ip)!r}")
        if m.group(2) == "Status":
            if ip in status or m.group(3) not in ("Up", "Down"):
                probs.add(f"{path}:{n}: duplicate or bad status")
            status[ip] = m.group(3).lower()
            continue
        if status.get(ip) != "up" or ip in plists:
            probs.add(f"{path}:{n}: Ports line without a Status: Up line just before")
        fields = m.group(3).split("\t")
        got, ignored = {}, None
        entries = fields[0].split(", ") if fields[0] else []
        for e in entries:
            pm = PORT_RE.fullmatch(e)
            if pm is None:
                probs.add(f"{path}:{n}: bad port entry {e!r}")
                continue
            got[int(pm.group(1))] = pm.group(2)
        for extra in fields[1:]:
            im = re.fullmatch(r"Ignored State: (closed|filtered) \((\d+)\)", extra)
            if im is None or ignored is not None:
                probs.add(f"{path}:{n}: bad field {extra!r}")
            else:
                ignored = (im.group(1), int(im.group(2)))
        plists[ip] = (got, ignored)
    # Same hosts and statuses as the XML; ports as the truth says.
    for ip in set(status) | set(xml_hosts):
        if status.get(ip) != (xml_hosts.get(ip) or {}).get("state"):
            probs.add(f"{path}: {int2ip(ip)} is {status.get(ip)} here, "
                      f"{(xml_hosts.get(ip) or {}).get('state')} in the XML")
    for ip, (got, ignored) in plists.items():
        h = exp.get(ip)
        if h is None:
            probs.add(f"{path}: {int2ip(ip)} is not in the plan")
            continue
        for port, state in got.items():
            r = h["ports"].get(port)
            if r is None or r["state"] != state:
                probs.add(f"{path}: {int2ip(ip)}:{port} {state}, truth "
                          f"{r and r['state']}")
            if args.open_only and state != "open":
                probs.add(f"{path}: {int2ip(ip)}:{port} {state} under --open")
        rest = [p for p in ports if p not in got]
        xml_extra = (xml_hosts.get(ip) or {}).get("extra", {})
        if ignored is not None:
            n_truth = sum(1 for p in rest if h["ports"][p]["state"] == ignored[0])
            if ignored[1] != len(rest) and not args.interrupted:
                probs.add(f"{path}: {int2ip(ip)} ignores {ignored[1]}, {len(rest)} not listed")
            if n_truth != ignored[1] and not args.interrupted:
                probs.add(f"{path}: {int2ip(ip)} Ignored State {ignored}, truth {n_truth}")
            if xml_extra != {ignored[0]: ignored[1]}:
                probs.add(f"{path}: {int2ip(ip)} Ignored State {ignored}, XML {xml_extra}")
        elif len(xml_extra) == 1 or (not xml_extra and rest and not args.interrupted):
            probs.add(f"{path}: {int2ip(ip)} has {len(rest)} ports neither listed nor ignored")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth", required=True)
    ap.add_argument("--targets", action="append", required=True)
    ap.add_argument("--ports", action="append", required=True)
    ap.add_argument("--open-only", action="store_true")
    ap.add_argument("--interrupted", action="store_true")
    ap.add_argument("--xml", required=True)
    ap.add_argument("--grepable")
    ap.add_argument("--max-diff", type=int, default=20)
    args = ap.parse_args()
    truth = Truth(args.truth)
    ranges = parse_targets(args.targets)
    ports = parse_ports(args.ports)
    exp = expected_hosts(truth, ranges, ports)
    probs = Problems(args.max_diff)
    correct, unwritten, xml_hosts = check_xml(args.xml, exp, ranges, ports, args, probs)
    if args.grepable:
        check_grepable(args.grepable, exp, ports, xml_hosts, args, probs)
    for p in probs.items:
        print("  " + p)
    if probs.count > len(probs.items):
        print(f"  ... and {probs.count - len(probs.items)} more")
    n = len(exp) * len(ports)
    tail = f", {unwritten} not written (interrupted)" if args.interrupted else ""
    print(f"check_nmap_xml: {n} targets, {correct} correct, {n - correct - unwritten} wrong"
          f"{tail}, {probs.count} problems")
    return 1 if probs.count or correct + unwritten != n else 0


if __name__ == "__main__":
    sys.exit(main())
