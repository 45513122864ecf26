#!/usr/bin/env python3
"""Turns transmit checksum offload off on the given interfaces (what
`ethtool -K IF tx off` does, without needing ethtool installed).

Why: a veth pair hands packets over with CHECKSUM_PARTIAL, so a packet capture
on the receiving side (the scanner's libpcap) sees TCP checksums that were
never filled in. A real NIC fills them in on the wire. With offload off the
sending kernel computes them in software, and the lab looks like a real wire.

    txcsum_off.py IFNAME [IFNAME...]      (run inside the interface's namespace)
"""
import array
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
ETHTOOL_GTXCSUM = 0x00000016
ETHTOOL_STXCSUM = 0x00000017


def ethtool_value(sock, ifname, cmd, data=0):
    buf = array.array("I", [cmd, data])
    addr, _ = buf.buffer_info()
    ifr = struct.pack("16sP", ifname.encode(), addr)
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifr)
    return buf[1]


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for ifname in sys.argv[1:]:
        ethtool_value(s, ifname, ETHTOOL_STXCSUM, 0)
        if ethtool_value(s, ifname, ETHTOOL_GTXCSUM) != 0:
            print(f"txcsum_off: {ifname}: tx checksum offload still on", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
