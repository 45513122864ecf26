#!/usr/bin/env python3
"""IPv6 twin of listener.py for the portus lab: listens on [::] (IPv6 only,
IPV6_V6ONLY, so the IPv4 listener.py keeps its own sockets) on every port given
on the command line (so, in the target namespace, on every address of the IPv6
AnyIP prefix), accepts whatever completes the handshake and closes it at once.

    listener6.py PORT [PORT...]

The port is "open" because the kernel answers SYNs with SYN-ACK for a listening
socket; this process only keeps the accept queue drained. Standard library only.
"""
import os
import selectors
import signal
import socket
import sys


def main():
    ports = [int(p) for p in sys.argv[1:]]
    if not ports:
        print("usage: listener6.py PORT [PORT...]", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    sel = selectors.DefaultSelector()
    for port in ports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::", port))
        s.listen(65535)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            try:
                while True:
                    c, _ = key.fileobj.accept()
                    c.close()
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
