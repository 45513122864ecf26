#!/usr/bin/env python3
"""rate_analyze.py — achieved probe rate from a capture's timestamps.

    rate_analyze.py PCAP REQUESTED_PPS [--tcp-only] [--json]

Reads a classic pcap file (micro- or nanosecond timestamps; bench/rate_accuracy.sh
writes one with tcpdump -s 14 --time-stamp-precision=nano on the gateway side of
the lab) and reports, for the probes in it:

  count, span      packets, first to last timestamp
  mean             (count - 1) / span
  win100 min/max   packets per 100 ms window, windows counted from the first
                   packet; only full windows (the last, partial one is left out)
  dev              (mean - requested) / requested, and the worst full window's
                   deviation from the requested rate (requested 0 = unlimited:
                   both against the mean instead)
  burst1ms         the most packets in any 1 ms window (aligned on the first
                   packet) against the requested rate's 1 ms share
  burst_gap        the longest gap between two consecutive packets

--tcp-only keeps IPv4/TCP records only (UDP filler packets flushed the
capture). Only the standard library: the file is read in one piece and fixed-size
records are walked with struct (about 1 s per million).
"""
import json
import struct
import sys


def timestamps(path, tcp_only=False):
    """Timestamps (ns) of the records; with tcp_only, of IPv4/TCP records only
    (the snap length must cover the IP header: 34 bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic == 0xA1B2C3D4:
        scale = 1000  # microseconds -> ns
    elif magic == 0xA1B23C4D:
        scale = 1
    else:
        raise SystemExit(f"rate_analyze: {path}: not a little-endian pcap file")
    out = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, cl, _ = struct.unpack_from("<IIII", data, off)
        rec = data[off + 16 : off + 16 + cl]
        off += 16 + cl
        if tcp_only and (len(rec) < 34 or rec[12:14] != b"\x08\x00" or rec[23] != 6):
            continue
        out.append(sec * 1_000_000_000 + frac * scale)
    return out


def analyze(ts, requested):
    r = {"requested": requested, "count": len(ts)}
    if len(ts) < 2:
        return r
    ts.sort()  # capture order is already time order; sorting is cheap insurance
    t0, t1 = ts[0], ts[-1]
    span = (t1 - t0) / 1e9
    r["span_s"] = span
    r["mean"] = (len(ts) - 1) / span if span > 0 else float("inf")
    win = 100_000_000
    nfull = (t1 - t0) // win
    w100 = [0] * (nfull + 1)
    ms = [0] * ((t1 - t0) // 1_000_000 + 1)
    gap = 0
    prev = t0
    for t in ts:
        d = t - t0
        w100[d // win] += 1
        ms[d // 1_000_000] += 1
        if t - prev > gap:
            gap = t - prev
        prev = t
    # Requested 0 (an unlimited --rate): windows are compared with the mean.
    ref = requested if requested > 0 else r["mean"]
    r["reference"] = ref
    full = w100[:nfull]
    if full:
        r["windows"] = len(full)
        r["win_min"] = min(full) * 10
        r["win_max"] = max(full) * 10
        worst = max(full, key=lambda c: abs(c * 10 - ref))
        r["win_worst_dev_pct"] = (worst * 10 - ref) * 100.0 / ref
    r["dev_pct"] = (r["mean"] - ref) * 100.0 / ref
    r["burst1ms"] = max(ms)
    r["per_ms"] = ref / 1000.0
    r["max_gap_ms"] = gap / 1e6
    return r


def main():
    if len(sys.argv) < 3:
        raise SystemExit("usage: rate_analyze.py PCAP REQUESTED_PPS [--tcp-only] [--json]")
    ts = timestamps(sys.argv[1], "--tcp-only" in sys.argv[3:])
    r = analyze(ts, float(sys.argv[2]))
    if "--json" in sys.argv[3:]:
        print(json.dumps(r))
        return
    for k, v in r.items():
        print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")


if __name__ == "__main__":
    main()
