#!/usr/bin/env python3
"""dns_servfail.py ADDR PORT [--silent] — a DNS server that answers SERVFAIL to
every query (--silent: reads every query and never answers).

A lab fixture for tests/integration/test_names.sh: dnsmasq forwards one zone
here, so the resolver sees a real SERVFAIL (dnsmasq itself never makes one: an
upstream that is down gives REFUSED or silence). Echoes the question; no
parsing beyond the 12-byte header. Runs until killed.
"""
import socket
import sys


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    silent = "--silent" in sys.argv[3:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        q, peer = s.recvfrom(4096)
        if silent:
            continue
        if len(q) < 12 or q[2] & 0x80:  # too short, or a response
            continue
        flags = bytes([0x80 | (q[2] & 0x79), 0x82])  # QR, opcode/RD kept; RA, SERVFAIL
        # Header with ANCOUNT = NSCOUNT = ARCOUNT = 0; the question as sent.
        s.sendto(q[:2] + flags + b"\0\1" + b"\0\0\0\0\0\0" + question(q), peer)


def question(q):
    """The first question of q (name + type + class), or b"" when malformed."""
    i = 12
    while i < len(q) and q[i] != 0:
        i += 1 + q[i]
    return q[12:i + 5] if i + 5 <= len(q) else b""


if __name__ == "__main__":
    main()
