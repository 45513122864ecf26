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

ARP modes (tests/integration/test_forged_arp.sh): run in the lab's switch
namespace on br0, where the scanner's ARP requests (broadcast) can be seen.
Every frame's Ethernet source is --src-mac (or the forged MAC in arp-claim),
never a real station's: the bridge must keep delivering real traffic. Only
addresses in 198.18.0.0/24 appear in the frames; bounded by --count frames and
--duration seconds.

    forger.py --mode arp-flood --iface br0 --dst-mac SCANNER_MAC --src-mac MAC \
        --scanner 198.18.0.1 --up 198.18.0.10,... --down 198.18.0.13,... \
        --unasked 198.18.0.99,... --count 20000 --duration 10 --late-secs 2

  arp-flood   Every frame is an ARP "answer" portus must not believe:
     reactive, during the ARP phase: for each request of the scanner for X,
     at once one frame of each flawed kind claiming X (racing the real
     answer), and, when X is up, --conflict-delay-ms later a valid reply with
     another MAC (a conflict: the real answer came first);
     steady, from the start: the flawed kinds and the unasked addresses;
     after the ARP phase (no scanner request for --quiet-secs): also valid
     replies claiming the down addresses and conflicting ones for the up
     addresses, for --late-secs, then it exits.
   kinds  valid-down, valid-conflict, unasked, tpa-other (target IP not the
          scanner), tha-other (target MAC broadcast/zero/other), eth-dst-bcast,
          eth-dst-other (unicast to an unknown MAC, flooded by the bridge),
          request (op 1), gratuitous (sender = target address), bad-header
          (htype/ptype/hlen/plen/op), truncated, bad-sha (zero, broadcast,
          multicast, the scanner's own), sha-scanner-ip (sender address = the
          scanner's), vlan (802.1Q-tagged reply)
  arp-claim   For each request of the scanner for a --claim address, one valid
              reply claiming it with --forged-mac (the in-phase forgery no
              check can catch); counts the TCP SYNs then sent to that MAC.

NDP modes (tests/integration/test_forged_nd.sh): the same for IPv6, on br0 of
the switch namespace, where the scanner's Neighbor Solicitations (multicast to
a solicited-node group, flooded by the bridge) can be seen. Same loop, same
options and JSON as the ARP modes; --scanner6 is the scanner's address, the
other addresses are IPv6. Every frame's Ethernet source is --src-mac (or
--forged-mac in nd-claim); the IPv6 header of every frame holds only
addresses of 2001:db8::/32, fe80::/10 (the forger's own link-local one) and
ff02::/16, and the forger refuses any other (arguments and frames alike); the
special values ::, ::1 and ::ffff:198.18.0.N appear only in the target field
of the target-* kinds. ICMPv6 checksums are computed (RFC 4443 2.3), over
the message as sent, for every kind.

    forger.py --mode nd-flood --iface br0 --dst-mac SCANNER_MAC --src-mac MAC \
        --scanner6 2001:db8:0:1::1 --up 2001:db8:0:1::10,... --down ... \
        --unasked 2001:db8:0:1::fe,... --count 20000 --duration 25 --late-secs 2

  nd-flood    Every frame is a Neighbor Advertisement portus must not believe,
              reactive / steady / late exactly as in arp-flood. A valid one is
              solicited (S and O flags), hop limit 255, code 0, unicast to the
              scanner's MAC and address, from the target's address or the
              forger's link-local one, with one target link-layer address
              option (--forged-mac). The flawed kinds differ from it in one
              respect:
     hop-limit (64, 254, 1, 0, 128), bad-code (1..255), not-solicited (S
     clear), target-multicast (ff02::1, the target's solicited-node group),
     target-unspecified (::), target-loopback (::1), target-scanner (our own
     address, as duplicate address detection defends it), target-mapped
     (::ffff:198.18.0.N), no-tlla (no option, or only a source link-layer
     address / nonce option), bad-tlla (zero, broadcast, multicast),
     tlla-scanner (our MAC), opt-len-zero (an option of length 0 before,
     after or instead of the TLLA), opt-past-end (an option running past the
     message), truncated, dst-not-scanner (ff02::1, our solicited-node group,
     another station), eth-dst-group (broadcast, 33:33:...), eth-dst-other
     (unicast to an unknown MAC), fragment (an atomic or first fragment),
     src-multicast (IPv6 source ff02::1), vlan (802.1Q-tagged)
  nd-claim    For each solicitation of the scanner for a --claim address, one
              valid advertisement claiming it with --forged-mac (also its
              Ethernet source); counts the IPv6 TCP SYNs then sent to that MAC.
"""
import argparse
import ipaddress
import json
import random
import select
import signal
import socket
import struct
import sys
import time

LAB = ipaddress.ip_network("198.18.0.0/15")
SEGMENT = ipaddress.ip_network("198.18.0.0/24")


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


# --------------------------------------------------------------------- ARP

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
BCAST = b"\xff" * 6
ZERO = b"\0" * 6


def seg_ip(a):
    """An address inside the on-link segment 198.18.0.0/24 (packed)."""
    addr = ipaddress.ip_address(a)
    if addr not in SEGMENT:
        sys.exit("forger: ARP modes use 198.18.0.0/24 only: %s" % a)
    return addr.packed


def mac(s):
    b = bytes.fromhex(s.replace(":", ""))
    if len(b) != 6:
        sys.exit("forger: bad MAC %s" % s)
    return b


def ip_list(s):
    return [seg_ip(t) for t in s.split(",") if t]


def arp_body(op, sha, spa, tha, tpa, htype=1, ptype=ETH_P_IP, hlen=6, plen=4):
    return struct.pack("!HHBBH6s4s6s4s", htype, ptype, hlen, plen, op, sha, spa, tha, tpa)


class ArpForger:
    """Frames for the ARP modes; claim(X) kinds return one frame claiming X."""

    def __init__(self, a):
        self.me = seg_ip(a.scanner)
        self.me_mac = mac(a.dst_mac)
        self.src = mac(a.src_mac)
        self.forged = mac(a.forged_mac)
        self.up = ip_list(a.up)
        self.down = ip_list(a.down)
        self.unasked = ip_list(a.unasked)
        self.claims = ip_list(a.claim)
        if a.mode == "arp-flood" and not (self.up and self.down and self.unasked):
            sys.exit("forger: arp-flood needs --up, --down and --unasked addresses")
        for m in (self.src, self.forged):
            if m[0] & 1 or m == ZERO or m == self.me_mac:
                sys.exit("forger: --src-mac/--forged-mac must be unicast and not the scanner's")

    def frame(self, body, dst=None, src=None):
        return (dst or self.me_mac) + (src or self.src) + struct.pack("!H", ETH_P_ARP) + body

    def reply(self, x, sha=None):
        """A reply claiming x, valid in every respect."""
        return self.frame(arp_body(2, sha or self.forged, x, self.me_mac, self.me))

    # --- flawed kinds: each differs from a valid reply in one respect ------
    def tpa_other(self, x):
        other = random.choice((seg_ip("198.18.0.2"), seg_ip("198.18.0.255"), x))
        return self.frame(arp_body(2, self.forged, x, self.me_mac, other))

    def tha_other(self, x):
        tha = random.choice((BCAST, ZERO, mac("02:f0:00:00:00:ee")))
        return self.frame(arp_body(2, self.forged, x, tha, self.me))

    def eth_dst_bcast(self, x):
        return self.frame(arp_body(2, self.forged, x, self.me_mac, self.me), dst=BCAST)

    def eth_dst_other(self, x):
        return self.frame(arp_body(2, self.forged, x, self.me_mac, self.me),
                          dst=mac("02:f0:00:00:00:ee"))

    def request(self, x):
        return self.frame(arp_body(1, self.forged, x, random.choice((ZERO, self.me_mac)), self.me))

    def gratuitous(self, x):
        op = random.choice((1, 2))
        return self.frame(arp_body(op, self.forged, x, random.choice((BCAST, ZERO)), x))

    def bad_header(self, x):
        bad = random.choice(({"htype": 6}, {"ptype": 0x86DD}, {"hlen": 8}, {"plen": 16},
                             {"htype": 0x0101}, {"ptype": ETH_P_ARP}))
        if random.random() < 0.3:
            return self.frame(arp_body(random.choice((0, 3, 4, 0x0102)), self.forged, x,
                                       self.me_mac, self.me))
        return self.frame(arp_body(2, self.forged, x, self.me_mac, self.me, **bad))

    def truncated(self, x):
        full = self.reply(x)
        return full[:random.randint(14, len(full) - 1)]

    def bad_sha(self, x):
        sha = random.choice((ZERO, BCAST, mac("01:00:5e:00:00:01"), mac("33:33:00:00:00:01"),
                             self.me_mac))
        return self.frame(arp_body(2, sha, x, self.me_mac, self.me))

    def sha_scanner_ip(self, _x):
        return self.frame(arp_body(2, self.forged, self.me, self.me_mac, self.me))

    def vlan(self, x):
        body = arp_body(2, self.forged, x, self.me_mac, self.me)
        return self.me_mac + self.src + struct.pack("!HHH", 0x8100, 5, ETH_P_ARP) + body

    FLAWED = ("tpa_other", "tha_other", "eth_dst_bcast", "eth_dst_other", "request",
              "gratuitous", "bad_header", "truncated", "bad_sha", "sha_scanner_ip", "vlan")

    def unasked_reply(self, _x):
        return self.reply(random.choice(self.unasked))

    def valid_down(self, _x):
        return self.reply(random.choice(self.down))

    def valid_conflict(self, _x):
        return self.reply(random.choice(self.up))

    STEADY = FLAWED + ("unasked_reply",)
    LATE = STEADY + ("valid_down", "valid_conflict")

    # --- hooks of the shared loop (neighbour_main) ---------------------------
    def request_of(self, pkt):
        return scanner_request(pkt, self)

    def syn_of(self, pkt):
        return syn_to(pkt, self.forged)

    def claim_frame(self, x):
        return self.frame(arp_body(2, self.forged, x, self.me_mac, self.me), src=self.forged)

    @staticmethod
    def fmt(x):
        return str(ipaddress.ip_address(x))

    def check(self, frame):
        if frame[6:12] not in (self.src, self.forged):
            sys.exit("forger: Ethernet source not ours")


def scanner_request(f, a):
    """The address an ARP request of the scanner asks about, or None."""
    if len(f) < 42 or f[6:12] != a.me_mac or struct.unpack("!H", f[12:14])[0] != ETH_P_ARP:
        return None
    if f[14:22] != struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1) or f[28:32] != a.me:
        return None
    return f[38:42]


def syn_to(f, dst_mac):
    """(dst ip, dport) of a TCP SYN sent to dst_mac, or None."""
    if len(f) < 54 or f[0:6] != dst_mac or struct.unpack("!H", f[12:14])[0] != ETH_P_IP:
        return None
    ihl = (f[14] & 0x0F) * 4
    if f[23] != 6 or len(f) < 14 + ihl + 14 or f[14 + ihl + 13] & 0x12 != 0x02:
        return None
    dport = struct.unpack("!H", f[14 + ihl + 2:14 + ihl + 4])[0]
    return str(ipaddress.ip_address(f[30:34])), dport


# --------------------------------------------------------------------- NDP

ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
NH_TCP = 6
NH_FRAGMENT = 44
NH_ICMPV6 = 58
ND_NS = 135
ND_NA = 136
ND_OPT_SLLA = 1
ND_OPT_TLLA = 2
ND_OPT_NONCE = 14
NAF_ROUTER, NAF_SOLICITED, NAF_OVERRIDE = 0x80, 0x40, 0x20
# Every IPv6 address a forged frame may carry in its IPv6 header.
ND_NETS = tuple(ipaddress.ip_network(n) for n in ("2001:db8::/32", "fe80::/10", "ff02::/16"))
ALL_NODES = ipaddress.ip_address("ff02::1").packed
UNSPEC6 = bytes(16)
LOOPBACK6 = ipaddress.ip_address("::1").packed


def addr6(a):
    """An IPv6 address the forger may use (packed); exits on any other."""
    try:
        addr = ipaddress.IPv6Address(a)
    except ValueError:
        sys.exit("forger: not an IPv6 address: %s" % a)
    if not any(addr in n for n in ND_NETS):
        sys.exit("forger: NDP modes use 2001:db8::/32, fe80::/10 and ff02::/16 only: %s" % a)
    return addr.packed


def addr6_list(s):
    return [addr6(t) for t in s.split(",") if t]


def solicited_node(x):
    return ipaddress.ip_address("ff02::1:ff00:0").packed[:13] + x[13:]


def link_local(m):
    """The EUI-64 link-local address of MAC m (RFC 4291 2.5.1)."""
    return b"\xfe\x80" + bytes(6) + bytes([m[0] ^ 2]) + m[1:3] + b"\xff\xfe" + m[3:6]


def icmp6_csum(src, dst, msg):
    """msg with its ICMPv6 checksum filled in (RFC 4443 2.3, RFC 8200 8.1)."""
    pseudo = src + dst + struct.pack("!IxxxB", len(msg), NH_ICMPV6)
    c = csum(pseudo + msg[:2] + b"\0\0" + msg[4:])
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def ipv6_header(src, dst, nh, plen, hlim=255):
    return struct.pack("!IHBB16s16s", 0x60000000, plen, nh, hlim, src, dst)


def opt(kind, data, length=None):
    """An ND option: type, length in 8-octet units (default: its real size)."""
    body = struct.pack("!BB", kind, (len(data) + 2 + 7) // 8 if length is None else length) + data
    return body + bytes(-len(body) % 8) if length is None else body


def na_body(target, flags=NAF_SOLICITED | NAF_OVERRIDE, code=0, opts=b""):
    return struct.pack("!BBHB3x16s", ND_NA, code, 0, flags, target) + opts


class NdForger:
    """Frames for the NDP modes (nd-flood, nd-claim): each flawed kind returns
    one Neighbor Advertisement claiming x that differs from a valid answer to
    the scanner's solicitation in one respect."""

    def __init__(self, a):
        self.me = addr6(a.scanner6)
        self.me_mac = mac(a.dst_mac)
        self.src = mac(a.src_mac)
        self.forged = mac(a.forged_mac)
        self.src_ll = link_local(self.src)
        self.up = addr6_list(a.up)
        self.down = addr6_list(a.down)
        self.unasked = addr6_list(a.unasked)
        self.claims = addr6_list(a.claim)
        if a.mode == "nd-flood" and not (self.up and self.down and self.unasked):
            sys.exit("forger: nd-flood needs --up, --down and --unasked addresses")
        for m in (self.src, self.forged):
            if m[0] & 1 or m == ZERO or m == self.me_mac:
                sys.exit("forger: --src-mac/--forged-mac must be unicast and not the scanner's")

    def frame(self, msg, x, src6=None, dst6=None, hlim=255, eth_dst=None, eth_src=None,
              frag=None):
        """Ethernet + IPv6 (+ fragment header) + the ICMPv6 message msg, its
        checksum computed. The IPv6 source is x itself (as Linux answers) or
        the forger's link-local address, unless src6."""
        src6 = src6 or random.choice((x, self.src_ll))
        dst6 = dst6 or self.me
        msg = icmp6_csum(src6, dst6, msg)
        if frag is not None:
            payload = struct.pack("!BBHI", NH_ICMPV6, 0, frag, random.getrandbits(32)) + msg
            nh = NH_FRAGMENT
        else:
            payload, nh = msg, NH_ICMPV6
        return ((eth_dst or self.me_mac) + (eth_src or self.src) + struct.pack("!H", ETH_P_IPV6) +
                ipv6_header(src6, dst6, nh, len(payload), hlim) + payload)

    def tlla(self, m=None):
        return opt(ND_OPT_TLLA, m or self.forged)

    def reply(self, x, eth_src=None):
        """An advertisement claiming x, valid in every respect."""
        return self.frame(na_body(x, opts=self.tlla()), x, eth_src=eth_src)

    # --- flawed kinds ------------------------------------------------------
    def hop_limit(self, x):
        return self.frame(na_body(x, opts=self.tlla()), x, hlim=random.choice((64, 254, 1, 0, 128)))

    def bad_code(self, x):
        return self.frame(na_body(x, code=random.randint(1, 255), opts=self.tlla()), x)

    def not_solicited(self, x):
        flags = random.choice((NAF_OVERRIDE, NAF_ROUTER | NAF_OVERRIDE, 0, NAF_ROUTER))
        return self.frame(na_body(x, flags=flags, opts=self.tlla()), x)

    def target_multicast(self, x):
        t = random.choice((ALL_NODES, solicited_node(x)))
        return self.frame(na_body(t, opts=self.tlla()), x, src6=self.src_ll)

    def target_unspecified(self, x):
        return self.frame(na_body(UNSPEC6, opts=self.tlla()), x, src6=self.src_ll)

    def target_loopback(self, x):
        return self.frame(na_body(LOOPBACK6, opts=self.tlla()), x, src6=self.src_ll)

    def target_scanner(self, x):
        # duplicate address detection's answer for our own address
        return self.frame(na_body(self.me, opts=self.tlla()), x, src6=self.src_ll)

    def target_mapped(self, x):
        # ::ffff:198.18.0.N (N: x's last byte) in the target field only: that
        # address is no IPv6 packet's source or destination
        t = bytes(10) + b"\xff\xff" + seg_ip("198.18.0.%d" % x[15])
        return self.frame(na_body(t, opts=self.tlla()), x, src6=self.src_ll)

    def no_tlla(self, x):
        # no option, or only options that are not a target link-layer address
        opts = random.choice((b"", opt(ND_OPT_SLLA, self.forged),
                              opt(ND_OPT_NONCE, bytes(random.getrandbits(8) for _ in range(6)))))
        return self.frame(na_body(x, opts=opts), x)

    def bad_tlla(self, x):
        m = random.choice((ZERO, BCAST, mac("33:33:00:00:00:01"), mac("01:00:5e:00:00:01"),
                           mac("01:80:c2:00:00:00")))
        return self.frame(na_body(x, opts=self.tlla(m)), x)

    def tlla_scanner(self, x):
        return self.frame(na_body(x, opts=self.tlla(self.me_mac)), x)

    def opt_len_zero(self, x):
        zero = random.choice((opt(ND_OPT_TLLA, self.forged, 0),
                              opt(ND_OPT_NONCE, bytes(6), 0)))
        opts = random.choice((zero + self.tlla(), self.tlla() + zero, zero))
        return self.frame(na_body(x, opts=opts), x)

    def opt_past_end(self, x):
        opts = random.choice((
            opt(ND_OPT_TLLA, self.forged, 2),              # claims 16 bytes, 8 there
            self.tlla() + opt(ND_OPT_NONCE, bytes(6), 3),  # the next one runs past
            self.tlla() + b"\x0e\x01\0",                   # 3 bytes of an 8-byte option
            self.tlla() + b"\x0e"))                         # a lone type byte
        return self.frame(na_body(x, opts=opts), x)

    def truncated(self, x):
        full = self.reply(x)
        return full[:random.randint(14, len(full) - 1)]

    def dst_not_scanner(self, x):
        # unsolicited (to all nodes, or our solicited-node group), or to another
        # station; the Ethernet destination is still our MAC
        d = random.choice((ALL_NODES, ALL_NODES, solicited_node(self.me),
                           addr6("2001:db8:0:1::99")))
        return self.frame(na_body(x, opts=self.tlla()), x, dst6=d)

    def eth_dst_group(self, x):
        d = random.choice((BCAST, mac("33:33:00:00:00:01"),
                           b"\x33\x33" + solicited_node(self.me)[12:]))
        return self.frame(na_body(x, opts=self.tlla()), x, eth_dst=d)

    def eth_dst_other(self, x):
        return self.frame(na_body(x, opts=self.tlla()), x, eth_dst=mac("02:f0:00:00:00:ee"))

    def fragment(self, x):
        # an atomic fragment (offset 0, M clear) or a first fragment (M set)
        return self.frame(na_body(x, opts=self.tlla()), x, frag=random.choice((0, 1)))

    def src_multicast(self, x):
        return self.frame(na_body(x, opts=self.tlla()), x, src6=ALL_NODES)

    def vlan(self, x):
        f = self.reply(x)
        return f[:12] + struct.pack("!HH", ETH_P_8021Q, 5) + f[12:]

    FLAWED = ("hop_limit", "bad_code", "not_solicited", "target_multicast",
              "target_unspecified", "target_loopback", "target_scanner", "target_mapped",
              "no_tlla", "bad_tlla", "tlla_scanner", "opt_len_zero", "opt_past_end",
              "truncated", "dst_not_scanner", "eth_dst_group", "eth_dst_other", "fragment",
              "src_multicast", "vlan")

    def unasked_reply(self, _x):
        return self.reply(random.choice(self.unasked))

    def valid_down(self, _x):
        return self.reply(random.choice(self.down))

    def valid_conflict(self, _x):
        return self.reply(random.choice(self.up))

    STEADY = FLAWED + ("unasked_reply",)
    LATE = STEADY + ("valid_down", "valid_conflict")

    # --- hooks of the shared loop (neighbour_main) ---------------------------
    def request_of(self, f):
        """The target of a Neighbor Solicitation of the scanner, or None."""
        if len(f) < 78 or f[6:12] != self.me_mac or f[12:14] != b"\x86\xdd":
            return None
        if f[20] != NH_ICMPV6 or f[22:38] != self.me or f[54] != ND_NS:
            return None
        return f[62:78]

    def syn_of(self, f):
        """(dst, dport) of an IPv6 TCP SYN sent to the forged MAC, or None."""
        if len(f) < 14 + 40 + 14 or f[0:6] != self.forged or f[12:14] != b"\x86\xdd":
            return None
        if f[20] != NH_TCP or f[54 + 13] & 0x12 != 0x02:
            return None
        return "[%s]" % ipaddress.ip_address(f[38:54]), struct.unpack("!H", f[56:58])[0]

    def claim_frame(self, x):
        return self.reply(x, eth_src=self.forged)

    @staticmethod
    def fmt(x):
        return str(ipaddress.ip_address(x))

    def check(self, frame):
        """Refuses to send a frame from a real station's MAC, or whose IPv6
        header holds an address outside ND_NETS."""
        if frame[6:12] not in (self.src, self.forged):
            sys.exit("forger: Ethernet source not ours")
        off = 18 if frame[12:14] == b"\x81\x00" else 14
        for a in (frame[off + 8:off + 24], frame[off + 24:off + 40]):
            if len(a) == 16 and not any(ipaddress.ip_address(a) in n for n in ND_NETS):
                sys.exit("forger: refusing to send to or from %s" % ipaddress.ip_address(a))


def neighbour_main(a):
    """The ARP and NDP modes: one loop, the protocol's frames from f."""
    if not 0 < a.count <= 100000 or not 0 < a.duration <= 60 or not 0 < a.late_secs <= 30:
        sys.exit("forger: --count 1..100000, --duration 0..60 s, --late-secs 0..30 s")
    random.seed(a.seed)
    f = ArpForger(a) if a.mode.startswith("arp-") else NdForger(a)
    flood = a.mode.endswith("-flood")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((a.iface, 0))
    if not flood:
        # SYNs to a MAC the bridge has not learnt are flooded, and reach the
        # bridge device only when it is promiscuous (undone when we exit).
        mreq = struct.pack("iHH8s", socket.if_nametoindex(a.iface), PACKET_MR_PROMISC, 0, b"")
        s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
    counts = {}
    errors = 0
    sent = 0
    requested = set()
    requests = 0
    syns = set()
    nsyns = 0
    pending = []  # (due, kind, frame): conflicts held back after the real answer
    phase = {"in": 0, "late": 0}
    start = time.monotonic()
    deadline = start + a.duration
    last_req = None
    late_start = None
    steady_due = start

    def send(kind, frame):
        nonlocal sent, errors
        if sent >= a.count:
            return
        f.check(frame)
        try:
            s.send(frame)
            counts[kind] = counts.get(kind, 0) + 1
            phase["late" if late_start is not None else "in"] += 1
        except OSError:
            errors += 1
        sent += 1

    stop = []
    # SIGTERM (the test is done with us): stop and still print the counts.
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print(json.dumps({"ready": True}), file=sys.stderr, flush=True)
    while not stop:
        now = time.monotonic()
        if now >= deadline or sent >= a.count:
            break
        if late_start is not None and now >= late_start + a.late_secs:
            break
        if flood and late_start is None and last_req is not None and \
                now - last_req >= a.quiet_secs:
            late_start = now
        try:
            r, _, _ = select.select([s], [], [], 0.002)
        except InterruptedError:
            continue
        if r:
            pkt, addr = s.recvfrom(2048)
            if addr[2] != PACKET_OUTGOING:
                x = f.request_of(pkt)
                if x is not None:
                    requests += 1
                    last_req = time.monotonic()
                    requested.add(f.fmt(x))
                    if not flood:
                        if x in f.claims:
                            send("claim", f.claim_frame(x))
                    elif x in f.up or x in f.down:
                        for kind in f.FLAWED:
                            send("race-" + kind, getattr(f, kind)(x))
                        if x in f.up:
                            pending.append((last_req + a.conflict_delay_ms / 1000.0,
                                            "phase-conflict", f.reply(x)))
                elif not flood:
                    hit = f.syn_of(pkt)
                    if hit is not None:
                        nsyns += 1
                        syns.add(hit)
        now = time.monotonic()
        for item in [p for p in pending if p[0] <= now]:
            pending.remove(item)
            send(item[1], item[2])
        if flood:
            kinds = f.LATE if late_start is not None else f.STEADY
            while steady_due <= now and sent < a.count:
                kind = kinds[sent % len(kinds)]
                x = random.choice(f.up + f.down)
                send(kind, getattr(f, kind)(x))
                steady_due += 1.0 / a.pps
    out = {"sent": sent, "errors": errors, "seconds": round(time.monotonic() - start, 3),
           "requests": requests,
           "requested": sorted(requested, key=lambda t: ipaddress.ip_address(t).packed),
           "late_started": late_start is not None,
           "late_seconds": round(time.monotonic() - late_start, 3) if late_start else 0,
           "frames_in_phase": phase["in"], "frames_late": phase["late"],
           "pending_unsent": len(pending), "kinds": counts}
    if not flood:
        out["syns_to_forged_mac"] = nsyns
        out["syn_targets"] = sorted("%s:%d" % h for h in syns)
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("tcp", "arp-flood", "arp-claim", "nd-flood", "nd-claim"),
                    default="tcp")
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--scanner", default="198.18.0.1")
    ap.add_argument("--scanner6", default="2001:db8:0:1::1", help="nd: the scanner's IPv6 address")
    ap.add_argument("--targets", help="comma-separated scanned addresses (tcp mode)")
    ap.add_argument("--up", default="", help="arp/nd: on-link targets that answer ARP/NS")
    ap.add_argument("--down", default="", help="arp/nd: on-link targets that do not")
    ap.add_argument("--unasked", default="",
                    help="arp/nd-flood: addresses outside the scan to answer for")
    ap.add_argument("--claim", default="", help="arp/nd-claim: addresses to answer for")
    ap.add_argument("--forged-mac", default="02:f0:00:00:00:01")
    ap.add_argument("--pps", type=float, default=2000.0, help="*-flood: steady frames per second")
    ap.add_argument("--quiet-secs", type=float, default=0.7,
                    help="*-flood: no scanner request this long = the ARP/NDP phase is over")
    ap.add_argument("--late-secs", type=float, default=2.0)
    ap.add_argument("--conflict-delay-ms", type=float, default=30.0)
    ap.add_argument("--unprobed", default="198.19.0.200,198.18.0.99")
    ap.add_argument("--icmp-from", default="198.18.0.254", help="routers that may send ICMP")
    ap.add_argument("--ports", default="22,80,443,8080,8081")
    ap.add_argument("--sport-range", default="40000-56383")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--duration", type=float, default=4.0)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    if a.mode != "tcp":
        neighbour_main(a)
        return
    if not a.targets:
        sys.exit("forger: --targets is required in tcp mode")
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
