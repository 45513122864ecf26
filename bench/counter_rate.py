#!/usr/bin/env python3
"""counter_rate.py — achieved packet rate per window, from an interface counter.

    counter_rate.py COUNTER_FILE WINDOW_MS MAX_SECONDS OUT.json

Reads COUNTER_FILE (e.g. /sys/class/net/eth0/statistics/rx_packets of the
blackhole's sink) every WINDOW_MS milliseconds, on absolute deadlines, until
the counter has not moved for 1 s after moving (or MAX_SECONDS pass), and
writes the samples (monotonic time, count) as JSON. Costs one small read per
window, so unlike tcpdump it leaves the CPU to the sender (bench/rate_accuracy.sh
--blackhole). The rate of a window is its packets divided by its *measured*
length, so the sampler's own wake-up jitter does not show up as rate error.

    counter_rate.py --analyze OUT.json RATE

prints one JSON object: mean rate over the send span, min/max of the full
windows (the first and last window, partly outside the send span, are
dropped), and the worst deviation of a full window from RATE.
"""
import json
import sys
import time


def sample(path, window_ms, max_s, out):
    samples = []
    step = window_ms / 1000.0
    with open(path, "rb", buffering=0) as f:
        def read():
            f.seek(0)
            return int(f.read().strip())
        start = time.monotonic()
        deadline = start
        last_change = None
        first = read()
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
            if last_change is not None and t - last_change > 1.0:
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
    if len(sys.argv) == 4 and sys.argv[1] == "--analyze":
        analyze(sys.argv[2], float(sys.argv[3]))
    elif len(sys.argv) == 5:
        sample(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
