#!/usr/bin/env python3
"""counter_rate.py — achieved packet rate per window, from an interface counter.

    counter_rate.py COUNTER_FILE WINDOW_MS MAX_SECONDS OUT.json [--ready] [--wake-after N]

Reads COUNTER_FILE (e.g. /sys/class/net/eth0/statistics/rx_packets of the
blackhole's sink) every WINDOW_MS milliseconds, on absolute deadlines, until
the counter has not moved for 1 s after moving (or MAX_SECONDS pass), and
writes the samples (monotonic time, count) as JSON. Costs one small read per
window, so unlike tcpdump it leaves the CPU to the sender (bench/rate_accuracy.sh
--blackhole). The rate of a window is its packets divided by its *measured*
length, so the sampler's own wake-up jitter does not show up as rate error.
--ready creates OUT.json.ready once the first count is taken (start the
sender after it). --wake-after N (bench/send_path.sh, for masscan 1.3.2,
which exits only when a packet reaches its pcap): once N packets have
arrived, send a broadcast frame (ethertype 0x88b5, local experiments) out of
eth0 every 10 windows, and stop only once OUT.json.exited exists.

    counter_rate.py --analyze OUT.json RATE

prints one JSON object: mean rate over the send span, min/max of the full
windows (the first and last window, partly outside the send span, are
dropped), and the worst deviation of a full window from RATE.
"""
import json
import os
import socket
import sys
import time


def sample(path, window_ms, max_s, out, ready=False, wake_after=None):
    samples = []
    step = window_ms / 1000.0
    tx = None
    if wake_after is not None:
        tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        tx.bind(("eth0", 0))
    frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\xfd" + b"\x88\xb5" + bytes(46)
    with open(path, "rb", buffering=0) as f:
        def read():
            f.seek(0)
            return int(f.read().strip())
        first = read()
        if ready:
            open(out + ".ready", "w").close()
        start = deadline = time.monotonic()
        last_change = None
        prev = first
        while True:
            deadline += step
            pause = deadline - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            t = time.monotonic()
            v = read()
            samples.append((t, v))
            if v != prev:
                last_change = t
                prev = v
            if tx is not None and v - first >= wake_after and len(samples) % 10 == 0:
                tx.send(frame)
            idle = last_change is not None and t - last_change > 1.0
            if idle and (tx is None or os.path.exists(out + ".exited")):
                break
            if t - start > max_s:
                break
    with open(out, "w") as f:
        json.dump({"first": first, "samples": samples}, f)


def analyze(path, rate):
    d = json.load(open(path))
    s = d["samples"]
    prev = d["first"]
    # Send span: from the last sample before the first packet to the first
    # sample after the last one.
    lo = next(i for i, (_, v) in enumerate(s) if v != prev)
    hi = max(i for i, (_, v) in enumerate(s) if v != s[-1][1]) + 1
    total = s[hi][1] - (s[lo - 1][1] if lo > 0 else prev)
    rates = []
    for i in range(lo + 1, hi):  # full windows only: both ends inside the span
        (t0, v0), (t1, v1) = s[i - 1], s[i]
        rates.append((v1 - v0) / (t1 - t0))
    res = {"packets": total, "windows": len(rates)}
    if rates:
        mean = sum(rates) / len(rates)
        worst = max(rates, key=lambda r: abs(r - rate))
        res.update({
            "mean_pps": round(mean),
            "mean_dev_pct": round(100.0 * (mean - rate) / rate, 2),
            "min_pps": round(min(rates)),
            "max_pps": round(max(rates)),
            "worst_dev_pct": round(100.0 * (worst - rate) / rate, 2),
            "within_2pct": sum(1 for r in rates if abs(r - rate) <= 0.02 * rate),
        })
    print(json.dumps(res))


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "--analyze":
        analyze(a[1], float(a[2]))
        return
    ready = "--ready" in a
    if ready:
        a.remove("--ready")
    wake_after = None
    if "--wake-after" in a:
        i = a.index("--wake-after")
        wake_after = int(a[i + 1])
        del a[i:i + 2]
    if len(a) != 4:
        sys.exit(__doc__)
    sample(a[0], float(a[1]), float(a[2]), a[3], ready, wake_after)


if __name__ == "__main__":
    main()
