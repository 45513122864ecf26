#!/bin/bash
# contrib/kubernetes/*.yaml checked offline (issue 17): no Kubernetes cluster
# runs here, so nothing is applied to one.
#   1. Each manifest is a valid batch/v1 Job under a strict JSON Schema
#      (tests/kubernetes/batch-v1-job.schema.json, generated from the models of
#      Debian's python3-kubernetes by tests/kubernetes/job_schema.py, and
#      regenerated and compared here when the package is installed); a typo'd
#      field and a wrongly typed value are rejected.
#   2. The shard arithmetic (tests/kubernetes/pods.py): Indexed, completions ==
#      the N of --shard-from-env JOB_COMPLETION_INDEX/N, 1 <= parallelism <=
#      completions, a fixed --seed, -oJ on a mounted volume, one file per pod.
#   3. The pods' command lines, $(JOB_COMPLETION_INDEX) expanded as Kubernetes
#      does, run for every index 0..N-1 against the lab's TLS servers (the
#      manifests' own options, TARGETS replaced): the volume variant's files
#      merge into exactly the unsharded run's records; the stdout (ECS)
#      variant's pods are shards 1..N of one seed, together every
#      (address, port) of the unsharded run once.
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
need_portus
K8S=$ROOT/tests/kubernetes
SCHEMA=$K8S/batch-v1-job.schema.json
ECS_JOB=$ROOT/contrib/kubernetes/portus-indexed-job.yaml
VOL_JOB=$ROOT/contrib/kubernetes/portus-indexed-job-volume.yaml
"$PY" -c 'import jsonschema, yaml' 2>/dev/null || fail "python3-jsonschema and python3-yaml needed (tools/deps.sh)"

# 1. Schema.
if "$PY" -c 'import kubernetes' 2>/dev/null; then
	"$PY" "$K8S/job_schema.py" generate "$ART/schema.json" || fail "job_schema.py generate"
	cmp "$SCHEMA" "$ART/schema.json" ||
		fail "$SCHEMA is not what python3-kubernetes gives (job_schema.py generate $SCHEMA)"
	echo "kubernetes: schema == generated from python3-kubernetes $("$PY" -c 'import kubernetes; print(kubernetes.__version__)')"
else
	echo "kubernetes: python3-kubernetes not installed: using the committed schema as is"
fi
"$PY" "$K8S/job_schema.py" validate "$SCHEMA" "$ECS_JOB" "$VOL_JOB" || fail "a manifest is not a valid batch/v1 Job"
sed 's/^  parallelism:/  paralellism:/; s/runAsUser: 65534/runAsUser: "65534"/' "$VOL_JOB" >"$ART/bad.yaml"
"$PY" "$K8S/job_schema.py" validate "$SCHEMA" "$ART/bad.yaml" 2>"$ART/bad.err" &&
	fail "a manifest with a typo'd field passed"
grep -q "'paralellism' was unexpected" "$ART/bad.err" && grep -q "runAsUser: '65534' is not of type 'integer'" "$ART/bad.err" ||
	fail "bad manifest: $(cat "$ART/bad.err")"

# 2. Shard arithmetic, and each pod's command line.
lab_up --prefix 198.19.0.0/22
TARGETS="198.18.0.30-198.18.0.49"
"$PY" "$K8S/pods.py" "$ECS_JOB" "$ART/ecs" "$TARGETS" || fail "$ECS_JOB: shard arithmetic"
"$PY" "$K8S/pods.py" "$VOL_JOB" "$ART/vol" "$TARGETS" "$ART/vol/results" || fail "$VOL_JOB: shard arithmetic"
for bad in 's/^  completions: 8/  completions: 7/; s/^  parallelism: 8/  parallelism: 7/' 's/^  completionMode: Indexed/  completionMode: NonIndexed/' \
	's/^  parallelism: 8/  parallelism: 9/' 's|/results/shard-\$(JOB_COMPLETION_INDEX).json|/results/shard.json|'; do
	sed "$bad" "$VOL_JOB" >"$ART/bad.yaml"
	"$PY" "$K8S/pods.py" "$ART/bad.yaml" "$ART/bad" "$TARGETS" 2>"$ART/bad.err" &&
		fail "pods.py accepted a manifest changed by $bad"
	echo "kubernetes: refused ($bad): $(head -1 "$ART/bad.err" | sed 's/^[^:]*: //')"
done
mkdir -p "$ART/vol/results"

# 3. The pods, one after the other, in the lab (TLS servers on 198.18.0.30-49).
"$PY" -c 'import cryptography' 2>/dev/null || fail "python3-cryptography missing (tools/deps.sh)"
"$PY" "$LAB_DIR/tls_certs.py" "$ART/tls" >"$ART/tls_certs.log" 2>&1 || fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$ART/tls" || fail "TLS namespace did not come up"
# (--exclude-file /dev/null: the lab's addresses are in the built-in excludes.)
run_pod() { # DIR NAME [ENV...]: runs DIR/NAME.args, stdout to DIR/NAME.out
	local dir=$1 name=$2 args
	shift 2
	mapfile -t args <"$dir/$name.args"
	env "$@" ip netns exec "$LAB_NS_SCAN" timeout -k 5 "$SCAN_TIMEOUT" "$PORTUS" --exclude-file /dev/null "${args[@]}" \
		>"$dir/$name.out" 2>"$dir/$name.err" || fail "$dir/$name: portus exited $? ($(tail -3 "$dir/$name.err"))"
}
N=$(ls "$ART/vol"/pod-*.args | wc -l)
t0=$(date +%s)
for dir in "$ART/vol" "$ART/ecs"; do
	run_pod "$dir" single
	for ((i = 0; i < N; i++)); do
		run_pod "$dir" "pod-$i" JOB_COMPLETION_INDEX="$i"
	done
done
echo "kubernetes: 2 x ($N pods + 1 unsharded) runs in $(($(date +%s) - t0)) s"

# Volume variant: merge the pods' files, compare with the unsharded run.
timeout 60 unshare -n "$PORTUS" merge -o "$ART/vol/merged.json" "$ART/vol/results"/shard-*.json \
	2>"$ART/vol/merge.err" || fail "merge of the volume variant's files exited $? ($(cat "$ART/vol/merge.err"))"
"$PY" - "$ART/vol" "$N" <<'PY' || fail "volume variant: merged pods != unsharded run"
import json, sys
d, n = sys.argv[1], int(sys.argv[2])

def load(path):
    recs, summ = [], None
    for line in open(path):
        r = json.loads(line)
        if r["type"] == "summary":
            summ = r
            continue
        r.pop("time", None)
        if r["type"] == "tls":  # the handshake's own timings differ run to run
            r = {k: r[k] for k in ("ip", "port", "sni", "outcome", "tls_version", "cipher",
                                   "verify_ok", "hostname_match") if k in r}
            r["type"] = "tls"
        recs.append(json.dumps(r, sort_keys=True))
    return recs, summ

single, ssum = load(f"{d}/single.json")
merged, msum = load(f"{d}/merged.json")
if sorted(single) != sorted(merged):
    sys.exit(f"{len(set(merged) - set(single))} records only merged, "
             f"{len(set(single) - set(merged))} only unsharded")
if msum["shards_merged"] != n or msum["shards_missing"] != [] or msum["seed"] != ssum["seed"]:
    sys.exit(f"merged summary {msum}")
tls = sum('"type": "tls"' in r for r in merged)
if tls == 0:
    sys.exit("no TLS record")
print(f"kubernetes: volume variant: {n} pods merged == unsharded run "
      f"({len(merged)} records, {tls} TLS)")
PY

# stdout (ECS) variant: each pod one shard of one seed; together the
# unsharded run's (address, port) states, each once.
"$PY" - "$ART/ecs" "$N" <<'PY' || fail "ECS variant: pods != unsharded run"
import json, sys
d, n = sys.argv[1], int(sys.argv[2])

def load(path):
    ports, run = {}, None
    for line in open(path):
        r = json.loads(line)
        ds = r["event"]["dataset"]
        if ds == "portus.port":
            k = (r["destination"]["ip"], r["destination"]["port"])
            if k in ports:
                sys.exit(f"{path}: {k} twice")
            ports[k] = r["portus"]["state"]
        elif ds == "portus.run" and r["event"]["action"] == "scan-finished":
            run = r["portus"]["run"]
    return ports, run

single, srun = load(f"{d}/single.out")
union, seeds = {}, set()
for i in range(n):
    p, run = load(f"{d}/pod-{i}.out")
    if run is None or run["shard"] != f"{i + 1}/{n}":
        sys.exit(f"pod {i}: shard {run and run['shard']}, want {i + 1}/{n}")
    seeds.add(run["seed"])
    both = set(p) & set(union)
    if both:
        sys.exit(f"pod {i} repeats {sorted(both)[:3]}")
    union.update(p)
if seeds != {srun["seed"]}:
    sys.exit(f"seeds {seeds}, unsharded {srun['seed']}")
if union != single:
    sys.exit(f"union of the pods != unsharded: {len(set(union) ^ set(single))} differ")
print(f"kubernetes: ECS variant: pods 0..{n - 1} = shards 1..{n}/{n} of seed {srun['seed']}, "
      f"together the unsharded run's {len(single)} ports once each")
PY
echo "PASS: $TEST_NAME"
