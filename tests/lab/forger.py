#!/usr/bin/env python3
"""forger.py — floods the lab scanner with forged replies (tests/integration/test_forged.sh).

Run inside a lab namespace that sits on the bridge (the gateway, an on-link
host). Writes Ethernet frames by hand on an AF_PACKET socket bound to IFACE,
addressed to the scanner's MAC and IP: nothing is routed, nothing leaves the
lab segment. Bounded: exactly --count frames spread over --duration seconds,
then it exits; it refuses any address outside 198.18.0.0/15.

    forger.py --iface eth0 --dst-mac MAC --scanner 198.18.0.1 \
        --targets 198.19.0.0,...  --ports 22,80,443,8080,8081 \
        --count 20000 --duration 4 [--seed N] [--stats FILE]

Every frame is a reply portus must ignore (none answers a probe it sent):
  synack-bad-ack   SYN-ACK from a scanned (address, port), random ack
  rst-bad-ack      RST-ACK from a scanned (address, port), random ack
  rst-no-ack       bare RST (no ACK flag), random ack field
  icmp-forged      ICMP unreachable (code 13, 1, 3, 10) quoting a TCP probe
                   198.18.0.1 -> scanned (address, port) with a random sequence
  synack-unprobed  SYN-ACK / RST from addresses never probed (198.19.0.200,
                   198.18.0.99, just outside the plan)
  truncated        a SYN-ACK / ICMP frame cut inside its IP, TCP or quote header
  oversized        IP total length, IP header length or TCP data offset claiming
                   more bytes than the frame has
  fragment         MF set (offset 0) or nonzero offset, carrying a SYN-ACK header
  garbage-opts     SYN-ACK with 40 bytes of garbage TCP options, random ack
Source ports of the "replies" and quoted probes are random in the scanner's
source-port range (40000-56383 by default). Prints JSON counts on stdout.
"""
import argparse
import ipaddress
import json
import random
import socket
import struct
import sys
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    addr = ipaddress.ip_address(a)
    if addr not in LAB:
        sys.exit("forger: address outside 198.18.0.0/15: %s" % a)
    return addr.packed


def ip_header(src, dst, proto, payload_len, frag=0, tot=None, ihl=5, opts=b""):
    total = tot if tot is not None else 4 * ihl + payload_len
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total & 0xFFFF,
                    random.getrandbits(16), frag, 64, proto, 0, src, dst) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def tcp_segment(src, dst, sport, dport, seq, ack, flags, opts=b"", doff=None):
    d = doff if doff is not None else 5 + len(opts) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, d << 4, flags, 64240, 0, 0) + opts
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(h))
    c = csum(pseudo + h)
    return h[:16] + struct.pack("!H", c) + h[18:]


SYN, RST, ACK = 0x02, 0x04, 0x10


class Forger:
    def __init__(self, a):
        self.me = ip4(a.scanner)
        self.targets = [ip4(t) for t in a.targets.split(",") if t]
        self.unprobed = [ip4(t) for t in a.unprobed.split(",") if t]
        self.ports = [int(p) for p in a.ports.split(",")]
        self.sp_lo, self.sp_hi = (int(x) for x in a.sport_range.split("-"))
        self.icmp_from = [ip4(t) for t in a.icmp_from.split(",") if t]
        self.eth = bytes.fromhex(a.dst_mac.replace(":", "")) + \
            bytes.fromhex(a.src_mac.replace(":", "")) + b"\x08\x00"

    def sport(self):
        return random.randint(self.sp_lo, self.sp_hi)

    def tgt(self):
        return random.choice(self.targets), random.choice(self.ports)

    def tcp_frame(self, src, port, flags, ack, opts=b"", frag=0):
        seg = tcp_segment(src, self.me, port, self.sport(), random.getrandbits(32), ack, flags, opts)
        return self.eth + ip_header(src, self.me, 6, len(seg), frag=frag) + seg

    def icmp_frame(self, code=None, outer=None, quote_len=8):
        dst, port = self.tgt()
        probe = tcp_segment(self.me, dst, self.sport(), port, random.getrandbits(32), 0, SYN)
        q = ip_header(self.me, dst, 6, len(probe)) + probe[:quote_len]
        if code is None:
            code = random.choice((13, 13, 1, 1, 3, 10))
        icmp = struct.pack("!BBHI", 3, code, 0, 0) + q
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        src = outer or random.choice(self.icmp_from + [dst])
        return self.eth + ip_header(src, self.me, 1, len(icmp)) + icmp

    # --- the kinds -------------------------------------------------------
    def synack_bad_ack(self):
        src, port = self.tgt()
        return self.tcp_frame(src, port, SYN | ACK, random.getrandbits(32))

    def rst_bad_ack(self):
        src, port = self.tgt()
        return self.tcp_frame(src, port, RST | ACK, random.getrandbits(32))

    def rst_no_ack(self):
        src, port = self.tgt()
        return self.tcp_frame(src, port, RST, random.choice((0, random.getrandbits(32))))

    def icmp_forged(self):
        return self.icmp_frame()

    def synack_unprobed(self):
        src = random.choice(self.unprobed)
        flags = random.choice((SYN | ACK, SYN | ACK, RST | ACK))
        return self.tcp_frame(src, random.choice(self.ports), flags, random.getrandbits(32))

    def truncated(self):
        full = random.choice((self.synack_bad_ack, self.icmp_forged))()
        # cut anywhere from inside the IP header to just before the end
        return full[:random.randint(15, len(full) - 1)]

    def oversized(self):
        src, port = self.tgt()
        how = random.randrange(4)
        if how == 0:  # IP total length beyond the frame
            seg = tcp_segment(src, self.me, port, self.sport(), 1, random.getrandbits(32), SYN | ACK)
            tot = random.choice((len(seg) + 21, 1500, 65535))
            return self.eth + ip_header(src, self.me, 6, len(seg), tot=tot) + seg
        if how == 1:  # IP header length 60 with a 20-byte header + short payload
            seg = tcp_segment(src, self.me, port, self.sport(), 1, random.getrandbits(32), SYN | ACK)
            h = ip_header(src, self.me, 6, 0, ihl=15, tot=40)
            return self.eth + h + seg[:20]
        if how == 2:  # TCP data offset 15 in a 20-byte segment
            seg = tcp_segment(src, self.me, port, self.sport(), 1, random.getrandbits(32), SYN | ACK, doff=15)
            return self.eth + ip_header(src, self.me, 6, len(seg)) + seg
        # ICMP whose quoted IP header claims 60 bytes but only 28 are quoted
        f = bytearray(self.icmp_frame())
        f[14 + 20 + 8] = 0x4F
        return bytes(f)

    def fragment(self):
        src, port = self.tgt()
        frag = random.choice((0x2000, 0x2000 | random.randint(1, 0x1FFF), random.randint(1, 0x1FFF)))
        flags = random.choice((SYN | ACK, RST | ACK))
        return self.tcp_frame(src, port, flags, random.getrandbits(32), frag=frag)

    def garbage_opts(self):
        src, port = self.tgt()
        opts = bytes(random.getrandbits(8) for _ in range(40))
        return self.tcp_frame(src, port, SYN | ACK, random.getrandbits(32), opts=opts)

    KINDS = ("synack_bad_ack", "rst_bad_ack", "rst_no_ack", "icmp_forged", "synack_unprobed",
             "truncated", "oversized", "fragment", "garbage_opts")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--scanner", default="198.18.0.1")
    ap.add_argument("--targets", required=True, help="comma-separated scanned addresses")
    ap.add_argument("--unprobed", default="198.19.0.200,198.18.0.99")
    ap.add_argument("--icmp-from", default="198.18.0.254", help="routers that may send ICMP")
    ap.add_argument("--ports", default="22,80,443,8080,8081")
    ap.add_argument("--sport-range", default="40000-56383")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--duration", type=float, default=4.0)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    if not 0 < a.count <= 100000 or not 0 < a.duration <= 60:
        sys.exit("forger: --count 1..100000, --duration 0..60 s")
    random.seed(a.seed)
    f = Forger(a)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    counts = {k: 0 for k in Forger.KINDS}
    errors = 0
    batch = 50
    start = time.monotonic()
    sent = 0
    while sent < a.count:
        for _ in range(min(batch, a.count - sent)):
            kind = Forger.KINDS[sent % len(Forger.KINDS)]
            frame = getattr(f, kind)()
            try:
                s.send(frame)
                counts[kind] += 1
            except OSError:
                errors += 1
            sent += 1
        due = start + a.duration * sent / a.count
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    out = {"sent": sum(counts.values()), "errors": errors,
           "seconds": round(time.monotonic() - start, 3), "kinds": counts}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
