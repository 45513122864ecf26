#!/bin/bash
# scale.sh — is portus's cost per target flat from a /20 to a /8's worth of
# targets, and how much memory does the plan + table take? (issue 5, "Scale")
#
#   bench/scale.sh [--rates "100000000 1000000"] [--modes "json open table xml grep"]
#                  [--steps "198.19.128.0/20:1 198.19.0.0/16:1 ..."] [--runs N]
#                  [--out DIR] [--memory-only | --no-plan-memory]
#
# Two parts, no traffic outside namespaces this script builds:
# 1. build/bench/plan_memory (bench/plan_memory.c, linked against
#    build/libportus.a): the real plan and table of 0.0.0.0/0 x 1 port, every
#    table page touched; bytes accounted, peak RSS, times. No network.
#    --no-plan-memory skips this part.
# 2. portus into the blackhole (bench/blackhole.sh), growing target counts.
#    Only 198.18.0.0/15 may be used, and in the blackhole only 198.19.0.0/16
#    is routed (198.18.0.0/24 is the scanner's own on-link subnet, where ARP
#    would decide), so /8-sized counts come from more ports: 198.19.0.0/16 x
#    256 ports = 16,777,216 targets, the size of a /8 x 1 port. Default steps:
#      /20 x 1 (4,096)  /16 x 1 (65,536)  /16 x 4 (262,144)
#      /16 x 32 (2,097,152)  /16 x 256 (16,777,216)
#    Each run:
#      timeout 600 /usr/bin/time -f '%e %M' portus TARGETS -p 1-P --rate R
#        --retries 0 --wait 200 --exclude-file /dev/null --no-status MODE...
#    MODE json:  -oJ FILE -oL -   every target written to FILE (nothing
#                answers: all "filtered, no-response", written at the end);
#                -oL - takes stdout, so the terminal table is not built
#    MODE open:  --open -oJ FILE -oL -   only the summary is written
#    MODE table: -oJ FILE, stdout to a file: the default terminal table too
#    MODE xml:   -oJ FILE -oL - -oX FILE.xml   nmap XML beside the NDJSON
#    MODE grep:  -oJ FILE -oL - -oG FILE.gnmap nmap grepable beside it
#                (table, -oX and -oG print per host at close; since issue 13
#                they keep what answered and count the silence, hostgroup.h)
#    --exclude-file /dev/null: the built-in exclude list holds 198.18.0.0/15.
#    (The runs give an empty file of their own, OUT/no-exclude.conf, instead:
#    a /dev/null replaced by a regular file on a shared machine must not
#    turn into an unreadable exclude list.)
#    No --allow-no-exclude: it is needed above 2^24 addresses only.
# Per row (median of --runs, default 3): targets, wall s, ns per target, ns
# per target above the first row (the slope: the first row is mostly fixed
# cost), send ns per target (1 / the summary's rate_pps: time in the send
# loop only), peak RSS (/usr/bin/time %M), RSS above the first row per
# target, output bytes per target (the NDJSON file), the mode's own output
# (table: stdout; xml, grep: the file) per target, plan_bytes and table_bytes (from
# the summary; "f:" = computed from plan.c / table.c's formulas when the
# summary does not carry them yet), and the check: probes at the sink ==
# probes_sent == targets in every run (any difference is printed and makes
# the exit status 1).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RATES="100000000 1000000"
MODES="json open table xml grep"
STEPS="198.19.128.0/20:1 198.19.0.0/16:1 198.19.0.0/16:1-4 198.19.0.0/16:1-32 198.19.0.0/16:1-256"
RUNS=3
OUT=
MEMONLY=0
PLANMEM=1
PORTUS=${PORTUS:-$ROOT/portus}
while [ $# -gt 0 ]; do
	case $1 in
	--rates) RATES=$2; shift 2 ;;
	--modes) MODES=$2; shift 2 ;;
	--steps) STEPS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--memory-only) MEMONLY=1; shift ;;
	--no-plan-memory) PLANMEM=0; shift ;;
	-h | --help) sed -n '2,40p' "$0"; exit 0 ;;
	*) echo "scale: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "scale: needs root (network namespaces)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "scale: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
case $RUNS in [1-9]) ;; *) echo "scale: --runs 1..9" >&2; exit 2 ;; esac
OUT=${OUT:-$ROOT/bench/results/scale-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT" "$ROOT/build/bench"
OUT=$(cd "$OUT" && pwd)
cd "$ROOT"

# 1. plan_memory, with the Makefile's flags (keep in step with its WARN etc.).
mem_rc=0
[ "$PLANMEM" = 1 ] && {
make --no-print-directory build/libportus.a >/dev/null || exit 1
WARN="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
 -Wformat=2 -Wimplicit-fallthrough -Wvla -Wpointer-arith -Wcast-qual"
${CC:-cc} -Iinclude -Ibuild/gen -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -O2 -g -std=c11 $WARN \
	-fstack-protector-strong -pthread -o build/bench/plan_memory bench/plan_memory.c \
	build/libportus.a -pthread -Wl,-z,relro -Wl,-z,now -lpcap -ldumbnet -lcurl -lssl -lcrypto -lcares -lm || exit 1
{
	echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# /usr/bin/time -f '%e s wall, %M KiB peak RSS' build/bench/plan_memory --targets 0.0.0.0/0 --ports 80"
} | tee "$OUT/plan_memory.txt"
/usr/bin/time -f '%e s wall, %M KiB peak RSS' build/bench/plan_memory --targets 0.0.0.0/0 --ports 80 \
	>>"$OUT/plan_memory.txt" 2>&1
mem_rc=$?
sed -n '3,$p' "$OUT/plan_memory.txt"
}
[ "$MEMONLY" = 1 ] && { echo "results: $OUT"; exit $mem_rc; }

#    --no-plan-memory skips this part.
# 2. portus into the blackhole.
[ -x "$PORTUS" ] || { echo "scale: no portus binary at $PORTUS (make)" >&2; exit 1; }
. "$ROOT/bench/blackhole.sh"
bh_up || exit 1
RUNLOG=$OUT/runs.tsv
: >"$RUNLOG"
NOEXCL=$OUT/no-exclude.conf
: >"$NOEXCL"

# run_one RATE MODE TARGETS PORTS K: one scan, one line of runs.tsv.
run_one() {
	local rate=$1 mode=$2 targets=$3 ports=$4 k=$5 tag a sink json extra own
	tag=$OUT/r$rate-$mode-$(echo "$targets" | tr ./ __)-p$ports-$k
	json=$OUT/scan.json # one at a time; removed after each run (up to ~2.5 GB)
	own=$json           # the mode's own output, for its bytes per target
	case $mode in
	json) extra="-oJ $json -oL -" ;;
	open) extra="--open -oJ $json -oL -" ;;
	table) extra="-oJ $json"; own=$tag.stdout ;;
	xml) own=$OUT/scan.xml; extra="-oJ $json -oL - -oX $own" ;;
	grep) own=$OUT/scan.gnmap; extra="-oJ $json -oL - -oG $own" ;;
	*) echo "scale: unknown mode $mode" >&2; exit 2 ;;
	esac
	echo "+ portus $targets -p $ports --rate $rate --retries 0 --wait 200" \
		"--exclude-file $NOEXCL --no-status $extra" >"$tag.cmd"
	rm -f "$json" "$OUT/scan.xml" "$OUT/scan.gnmap"
	a=$(bh_sink_frames)
	# shellcheck disable=SC2086 # $extra is a word list
	bh_scan timeout -k 5 600 /usr/bin/time -o "$tag.time" -f '%e %M' "$PORTUS" "$targets" \
		-p "$ports" --rate "$rate" --retries 0 --wait 200 --exclude-file "$NOEXCL" \
		--no-status $extra >"$tag.stdout" 2>"$tag.stderr"
	echo "exit $?" >>"$tag.cmd"
	sink=$(($(bh_sink_frames) - a))
	python3 - "$json" "$tag.time" "$sink" "$rate" "$mode" "$targets" "$ports" "$k" \
		"$tag.stdout" "$own" >>"$RUNLOG" <<'EOF'
import json, os, sys
path, tfile, sink, rate, mode, targets, ports, k, stdout, own = sys.argv[1:]
wall, kib = open(tfile).read().split()[-2:]
size = os.path.getsize(path) if os.path.exists(path) else -1
summ = {}
if size > 0:
    with open(path, "rb") as f:  # the summary is the last line
        f.seek(max(0, size - 4096))
        for line in f.read().splitlines():
            if line.startswith(b'{"type":"summary"'):
                summ = json.loads(line)
print("\t".join(str(x) for x in (rate, mode, targets, ports, k, summ.get("targets", -1),
      summ.get("probes_sent", -1), sink, wall, kib, size, summ.get("rate_pps", 0),
      summ.get("plan_bytes", ""), summ.get("table_bytes", ""), os.path.getsize(stdout),
      os.path.getsize(own) if os.path.exists(own) else -1)))
EOF
	rm -f "$json" "$OUT/scan.xml" "$OUT/scan.gnmap"
}

{
	echo "scale: $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
		"$("$PORTUS" --version 2>&1 | head -1), $RUNS run(s) per row"
	for rate in $RATES; do
		for mode in $MODES; do
			for step in $STEPS; do
				for k in $(seq 1 "$RUNS"); do
					run_one "$rate" "$mode" "${step%%:*}" "${step#*:}" "$k"
				done
			done
		done
	done
	echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/log.txt" 2>&1
cat "$OUT/log.txt"

python3 - "$RUNLOG" <<'EOF' | tee "$OUT/table.md"
import statistics, sys
rows, bad = {}, []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    rate, mode, targets, ports = f[0], f[1], f[2], f[3]
    plan_t, probes, sink = int(f[5]), int(f[6]), int(f[7])
    wall, kib, size, rpps = float(f[8]), int(f[9]), int(f[10]), float(f[11])
    if not (plan_t > 0 and probes == plan_t and sink == plan_t):
        bad.append(f"{mode} {targets} -p {ports} --rate {rate} run {f[4]}: targets {plan_t}, "
                   f"probes_sent {probes}, sink {sink}, output {size} B")
    rows.setdefault((rate, mode), []).append(dict(step=(targets, ports), n=plan_t, wall=wall,
        kib=kib, size=size, send=probes / rpps if rpps > 0 else 0.0, pb=f[12], tb=f[13],
        own=int(f[15]) if len(f) > 15 else size))

def nports(spec):
    lo, _, hi = spec.partition("-")
    return int(hi or lo) - int(lo) + 1

def plan_bytes(ports):  # plan.c: 1 range (8 + 8 B), 2 B a port, 65536 x 4 B slots
    return 16 + 2 * nports(ports) + 65536 * 4

def table_bytes(n):     # table.c: 2 bits a cell in 64-bit words
    return (n + 31) // 32 * 8

for (rate, mode), runs in rows.items():
    print(f"\n### --rate {int(rate):,}, mode {mode}\n")
    print("| targets | cmd | wall s (runs) | ns / target | ns / target above first row | send ns / target "
          "| peak RSS MiB | RSS above first row, B / target | output B / target | mode's output B / target "
          "| plan_bytes | table_bytes |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    steps = []
    for r in runs:
        if r["step"] not in steps:
            steps.append(r["step"])
    base = None
    for st in steps:
        rs = [r for r in runs if r["step"] == st]
        n = max(r["n"] for r in rs)
        wall = statistics.median(r["wall"] for r in rs)
        kib = statistics.median(r["kib"] for r in rs)
        send = statistics.median(r["send"] for r in rs)
        size = statistics.median(r["size"] for r in rs)
        own = statistics.median(r["own"] for r in rs)
        # The first row is mostly fixed cost (start-up, --wait 200, exit):
        # the slope above it is the cost that grows with the target count.
        base = base if base is not None else (kib, n, wall)
        above = (kib - base[0]) * 1024 / (n - base[1]) if n > base[1] else 0.0
        slope = f"{(wall - base[2]) * 1e9 / (n - base[1]):,.0f}" if n > base[1] else ""
        pb = rs[0]["pb"] or f"f:{plan_bytes(st[1])}"
        tb = rs[0]["tb"] or f"f:{table_bytes(n)}"
        walls = "/".join(f"{r['wall']:.2f}" for r in rs)
        print(f"| {n:,} | `{st[0]} -p {st[1]}` | {wall:.2f} ({walls}) | {wall * 1e9 / n:,.0f} "
              f"| {slope} | {send * 1e9 / n:,.0f} | {kib / 1024:.1f} | {above:.2f} | {size / n:.1f} "
              f"| {own / n:.4f} | {pb} | {tb} |")
print()
if bad:
    print("CHECK FAILED (probes at the sink / probes_sent / targets differ):")
    for b in bad:
        print("  " + b)
    sys.exit(1)
print(f"check: in all {sum(len(v) for v in rows.values())} runs, probes at the sink == probes_sent == targets")
EOF
rc=$?
echo "results: $OUT"
[ $rc = 0 ] && [ $mem_rc = 0 ]
