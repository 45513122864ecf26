#!/usr/bin/env python3
"""check_flood.py — was a forger.py flood what the forged-neighbour tests need?

    check_flood.py FORGER.json UP,... DOWN,... --what requests|solicitations \
        --kinds KIND,... [--count-cap N]

FORGER.json is what forger.py printed for an arp-flood or nd-flood run; UP and
DOWN the live and silent on-link addresses. Not vacuous means: no send error;
every address asked about, the live ones once and the silent ones 3 times (the
neighbour phase's 3 rounds); every flawed kind raced once per request and also
sent steadily; one delayed conflict per live host; at least 100 unasked, late
down and late conflicting claims; a late flood of >= 1.9 s and 2000 frames;
no delayed conflict left unsent; with --count-cap, the cap never reached.
Exits 1 with the shortfalls on stderr.
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("forger_json")
    ap.add_argument("up")
    ap.add_argument("down")
    ap.add_argument("--what", required=True, help="what the scanner's requests are called")
    ap.add_argument("--kinds", required=True, help="the flawed kinds, comma-separated")
    ap.add_argument("--count-cap", type=int)
    a = ap.parse_args()
    d = json.load(open(a.forger_json))
    up, down = a.up.split(","), a.down.split(",")
    one = a.what[:-1]
    k = d["kinds"]
    bad = []
    if d["errors"]:
        bad.append("send errors: %d" % d["errors"])
    if sorted(d["requested"]) != sorted(up + down):
        bad.append("%s seen for %s" % (a.what, d["requested"]))
    if d["requests"] != len(up) + 3 * len(down):
        bad.append("%d %s seen, want %d" % (d["requests"], a.what, len(up) + 3 * len(down)))
    for f in a.kinds.split(","):
        if k.get("race-" + f) != d["requests"]:
            bad.append("race-%s: %s frames, want one per %s" % (f, k.get("race-" + f), one))
        if not k.get(f):
            bad.append("no steady %s frame" % f)
    if k.get("phase-conflict") != len(up):
        bad.append("phase-conflict: %s, want %d" % (k.get("phase-conflict"), len(up)))
    for f in ("unasked_reply", "valid_down", "valid_conflict"):
        if not k.get(f, 0) >= 100:
            bad.append("%s: only %s frames" % (f, k.get(f)))
    if not d["late_started"] or d["late_seconds"] < 1.9 or d["frames_late"] < 2000:
        bad.append("late flood too short: %s s, %d frames" % (d["late_seconds"], d["frames_late"]))
    if d["pending_unsent"]:
        bad.append("%d delayed conflicts never sent" % d["pending_unsent"])
    if a.count_cap is not None and d["sent"] >= a.count_cap:
        bad.append("the --count cap was reached: the flood stopped early")
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
