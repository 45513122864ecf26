#!/bin/bash
# --shard 1/3, 2/3, 3/3 with the same --seed (the third given the way a
# Kubernetes Indexed Job does, --shard-from-env JOB_COMPLETION_INDEX/3):
# together exactly the single run's result, each (address, port) in exactly
# one shard.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/22
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/22 198.18.0.10-198.18.0.23"
PORTS=22,80,443,8080,8081
PLAN=(--targets "$TARGETS" --ports "$PORTS")
COMMON=(-p "$PORTS" --rate 20000 --exclude-file /dev/null --seed 4242)

# shellcheck disable=SC2086
portus_scan "${COMMON[@]}" -oJ "$ART/single.json" $TARGETS >"$ART/stdout-single.txt" 2>"$ART/stderr-single.txt" ||
	fail "portus (single) exited $?"
check "${PLAN[@]}" "$ART/single.json" || fail "single run does not match the truth"
for k in 1 2; do
	# shellcheck disable=SC2086
	portus_scan "${COMMON[@]}" --shard "$k/3" -oJ "$ART/shard$k.json" $TARGETS \
		>"$ART/stdout-shard$k.txt" 2>"$ART/stderr-shard$k.txt" || fail "portus --shard $k/3 exited $?"
done
# The third as a Kubernetes Indexed Job runs it: index 2 (from 0) of 3.
# shellcheck disable=SC2086
JOB_COMPLETION_INDEX=2 portus_scan "${COMMON[@]}" --shard-from-env JOB_COMPLETION_INDEX/3 \
	-oJ "$ART/shard3.json" $TARGETS >"$ART/stdout-shard3.txt" 2>"$ART/stderr-shard3.txt" ||
	fail "portus --shard-from-env JOB_COMPLETION_INDEX/3 exited $?"
grep -q '"shard":"3/3"' "$ART/shard3.json" || fail "--shard-from-env index 2 of 3 is not shard 3/3"
# The union: every target exactly once, right, and each shard's summary
# consistent with its own records (check_results.py does both).
check "${PLAN[@]}" "$ART/shard1.json" "$ART/shard2.json" "$ART/shard3.json" ||
	fail "the union of the shards does not match the truth"

python3 - "$ART" <<'PY' || fail "the shards differ from the single run"
import json, sys
art = sys.argv[1]

def load(name):
    ports, hosts, summ = set(), set(), None
    for line in open(f"{art}/{name}"):
        r = json.loads(line)
        if r["type"] == "port":
            ports.add((r["ip"], r["port"], r["state"], r["reason"]))
        elif r["type"] == "host" and r.get("state") == "down":
            hosts.add(r["ip"])
        elif r["type"] == "summary":
            summ = r
    return ports, hosts, summ

single, sdown, ssum = load("single.json")
union, udown, sizes, targets = set(), set(), [], 0
for k in (1, 2, 3):
    p, h, s = load(f"shard{k}.json")
    if union & p:
        sys.exit(f"shard {k} repeats {len(union & p)} records of earlier shards")
    union |= p
    udown |= h
    sizes.append(len(p))
    targets += s.get("targets") or 0
if union != single:
    sys.exit(f"union != single: {len(union - single)} only in shards, {len(single - union)} only in single")
if udown != sdown:
    sys.exit(f"down hosts differ: shards {sorted(udown)} single {sorted(sdown)}")
if ssum.get("targets") is not None and targets != ssum["targets"]:
    sys.exit(f"summary targets: shards sum to {targets}, single run has {ssum['targets']}")
if min(sizes) == 0:
    sys.exit(f"a shard is empty: {sizes}")
print(f"shards: {sizes} port records, union == single run ({len(single)})")
PY
echo "PASS: $TEST_NAME"
