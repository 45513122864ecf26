#!/usr/bin/env python3
"""pods.py — what an Indexed Job manifest of contrib/kubernetes/ would run:
checks its shard arithmetic and writes each pod's command line.

    pods.py MANIFEST OUTDIR TARGETS [RESULTS_DIR]

Checks (exit 1 with one line each): kind Job, completionMode Indexed, one
container whose args hold "--shard-from-env JOB_COMPLETION_INDEX/N" with N ==
completions, 1 <= parallelism <= completions, --seed given (one value for
every pod), restartPolicy Never or OnFailure, JOB_COMPLETION_INDEX not set by
the manifest itself (the Job controller sets it: 0..completions-1), and a
"-oJ" path of a volume variant inside a mounted volume.

Writes OUTDIR/pod-<i>.args (one argument a line) for i = 0..N-1: the
container's args as the kubelet passes them, $(VAR) references expanded the
Kubernetes way ($(JOB_COMPLETION_INDEX) -> i, $$ -> $, unknown references
kept), with the TARGETS argument (the one after the comment "# TARGETS",
i.e. the last) replaced by the words of TARGETS and a mount path of a volume
replaced by RESULTS_DIR; and OUTDIR/single.args, the same scan unsharded.
"""
import os
import re
import sys

import yaml


def expand(s, env):
    """Kubernetes' $(VAR) expansion of container args (expansion.go)."""
    out, i = [], 0
    while i < len(s):
        if s.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        m = re.match(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", s[i:])
        if m:
            out.append(env.get(m.group(1), m.group(0)))
            i += m.end()
            continue
        out.append(s[i])
        i += 1
    return "".join(out)


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    manifest, outdir, targets = sys.argv[1:4]
    results = sys.argv[4] if len(sys.argv) == 5 else None
    docs = [d for d in yaml.safe_load_all(open(manifest)) if d]
    errors = []
    if len(docs) != 1 or docs[0].get("kind") != "Job":
        print(f"{manifest}: want one Job document", file=sys.stderr)
        return 1
    job = docs[0]
    spec = job["spec"]
    pod = spec["template"]["spec"]
    if spec.get("completionMode") != "Indexed":
        errors.append(f"completionMode {spec.get('completionMode')!r}, want Indexed")
    completions = spec.get("completions")
    parallelism = spec.get("parallelism", 1)
    if not isinstance(completions, int) or completions < 1:
        errors.append(f"completions {completions!r}")
        completions = 1
    if not 1 <= parallelism <= completions:
        errors.append(f"parallelism {parallelism} not within 1..completions ({completions})")
    if pod.get("restartPolicy") not in ("Never", "OnFailure"):
        errors.append(f"restartPolicy {pod.get('restartPolicy')!r}")
    if len(pod["containers"]) != 1:
        errors.append("want one container")
    c = pod["containers"][0]
    args = [str(a) for a in c.get("args", [])]
    if any(e.get("name") == "JOB_COMPLETION_INDEX" for e in c.get("env", [])):
        errors.append("the manifest sets JOB_COMPLETION_INDEX itself")
    n = None
    for k, a in enumerate(args):
        if a == "--shard-from-env" and k + 1 < len(args):
            m = re.fullmatch(r"JOB_COMPLETION_INDEX/(\d+)", args[k + 1])
            if not m:
                errors.append(f"--shard-from-env {args[k + 1]!r}: want JOB_COMPLETION_INDEX/N")
            else:
                n = int(m.group(1))
    if n is None:
        errors.append("no --shard-from-env JOB_COMPLETION_INDEX/N")
    elif n != completions:
        errors.append(f"--shard-from-env .../{n} but completions {completions}")
    if "--seed" not in args or "$(" in args[args.index("--seed") + 1]:
        errors.append("no fixed --seed: the shards would not share one permutation")
    mounts = {m["mountPath"].rstrip("/") for m in c.get("volumeMounts", [])}
    if "-oJ" in args:
        path = args[args.index("-oJ") + 1]
        if path != "-" and not any(path.startswith(mp + "/") for mp in mounts):
            errors.append(f"-oJ {path} is not on a mounted volume")
        if path != "-" and "$(JOB_COMPLETION_INDEX)" not in path:
            errors.append(f"-oJ {path}: every pod would write the same file")
    for e in errors:
        print(f"{manifest}: {e}", file=sys.stderr)
    if errors:
        return 1
    # The TARGETS argument: the last one (commented "# TARGETS" in the file).
    text = open(manifest).read()
    if not re.search(r'- "?' + re.escape(args[-1]) + r'"?\s+# TARGETS', text):
        print(f"{manifest}: the last argument is not the one marked # TARGETS", file=sys.stderr)
        return 1
    os.makedirs(outdir, exist_ok=True)

    def pod_args(env):
        out = []
        for a in args[:-1]:
            a = expand(a, env)
            for mp in mounts:
                if results and a.startswith(mp + "/"):
                    a = results + a[len(mp):]
            out.append(a)
        return out + targets.split()

    for i in range(completions):
        with open(f"{outdir}/pod-{i}.args", "w") as f:
            f.write("\n".join(pod_args({"JOB_COMPLETION_INDEX": str(i)})) + "\n")
    single = pod_args({})
    k = single.index("--shard-from-env")
    del single[k:k + 2]
    if "-oJ" in single:
        single[single.index("-oJ") + 1] = f"{outdir}/single.json"
    with open(f"{outdir}/single.args", "w") as f:
        f.write("\n".join(single) + "\n")
    print(f"{manifest}: Indexed, completions {completions} == --shard-from-env "
          f"JOB_COMPLETION_INDEX/{n}, parallelism {parallelism}: pods 0..{completions - 1} "
          f"are shards 1..{n} of {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
