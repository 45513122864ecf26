#!/bin/bash
# Ctrl-C: SIGINT in the middle of a scan stops it with exit 130; every NDJSON
# line is complete valid JSON, the last is a summary with "interrupted":true
# whose counts match the records, and every record written is right (no
# guessed "filtered" for targets it never finished). Also SIGTERM.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/20
lab_truth "$ART/truth.json"
TARGETS="198.19.0.0/20 198.18.0.10-198.18.0.23"
PORTS=22,80,443,8080,8081
check --targets "$TARGETS" --ports $PORTS --emit-expected "$ART/expected.json" /dev/null >/dev/null 2>&1 || true
[ -s "$ART/expected.json" ] || fail "checker did not write the expected results"

for sig in INT TERM; do
	out=$ART/scan-$sig.json
	# 20,550 targets at 5,000 pps take ~4 s: the signal lands mid-pass.
	portus_scan -p $PORTS --rate 5000 --exclude-file /dev/null --no-status -oJ "$out" \
		$TARGETS >"$ART/stdout-$sig.txt" 2>"$ART/stderr-$sig.txt" &
	runner=$!
	sleep 2
	pkill -"$sig" -f "^$PORTUS -p $PORTS --rate 5000" || fail "no portus to signal"
	wait "$runner"
	rc=$?
	[ "$rc" = 130 ] || fail "SIG$sig: exit $rc, expected 130 ($(cat "$ART/stderr-$sig.txt"))"
	python3 - "$out" "$ART/expected.json" "$sig" <<'PY' || fail "SIG$sig: output check failed"
import json, sys
out, expected, sig = sys.argv[1], sys.argv[2], sys.argv[3]
want = {}
for line in open(expected):
    r = json.loads(line)
    if r.get("type") == "port":
        want[(r["ip"], r["port"])] = (r["state"], r["reason"])
lines = open(out).read().split("\n")
assert lines[-1] == "", "output does not end with a newline"
recs = [json.loads(l) for l in lines[:-1]]          # every line complete JSON
assert recs and recs[-1]["type"] == "summary", "last record is not the summary"
s = recs[-1]
assert s["interrupted"] is True, "summary not marked interrupted"
ports = [r for r in recs if r["type"] == "port"]
seen = set()
for r in ports:
    k = (r["ip"], r["port"])
    assert k not in seen, f"duplicate record {k}"
    seen.add(k)
    assert (r["state"], r["reason"]) == want[k], f"{k}: {r['state']}/{r['reason']}, truth {want[k]}"
counts = {st: sum(1 for r in ports if r["state"] == st) for st in ("open", "closed", "filtered")}
for st, n in counts.items():
    assert s[st] == n, f"summary {st}={s[st]} but {n} records"
assert 0 < len(ports) < len(want), f"{len(ports)} records of {len(want)}: not interrupted mid-scan?"
print(f"SIG{sig}: {len(ports)} of {len(want)} targets written before the stop, all correct")
PY
done
echo "PASS: $TEST_NAME"
