#!/bin/bash
# send_path.sh — the send path alone, side by side: tx_ceiling (the kernel's
# floor), portus, masscan and zmap, all into the blackhole (bench/blackhole.sh).
#
#   bench/send_path.sh [--runs N] [--prefix CIDR] [--ports A-B] [--threads "1 2"]
#                      [--tools "tx_ceiling portus masscan zmap"] [--batch 64]
#                      [--out DIR]
#
# Defaults: 5 runs, 198.19.128.0/17 x ports 1-64 = 2,097,152 probes, threads 1.
# Each run goes once through every tool (interleaved, so a change of machine
# load hits all of them alike), each under timeout, in the blackhole's scanner
# namespace:
#   tx_ceiling  IF GWMAC 198.18.0.1 PREFIX 1.5 BATCH        (time-bounded)
#   portus      PREFIX -p PORTS --rate 100000000 --retries 0 --wait 200
#               --exclude-file /dev/null --no-status --open -oJ FILE
#               [--send-threads T for each T of --threads]
#   masscan     PREFIX -pPORTS --rate 100000000 --router-mac GWMAC
#               --source-ip 198.18.0.1 --adapter eth0 --wait 0 -oL FILE
#   zmap        -p FIRST_PORT -P NPORTS -r 0 -c 0 -i eth0 -G GWMAC -S 198.18.0.1
#               -b EMPTY_FILE -o /dev/null PREFIX
# zmap 2.1.1 scans one port per run; -P NPORTS sends NPORTS probes (distinct
# source ports) to each address, the same probe count and per-probe work as
# NPORTS ports.
# masscan 1.3.2 does not exit after --wait until a packet reaches its pcap
# (masscan issues #144/#813): once the sink has counted every probe, the
# watcher sends a few broadcast frames (ethertype 0x88b5, local
# experimental) from the sink to the scanner's veth, and masscan exits.
#
# Per run: the sink's rx counter before/after (must equal the intended probe
# count; tx_ceiling intends what it says it sent), the wall time (start to
# exit, including start-up and portus's 200 ms wait), and the send rate seen
# at the sink: the counter sampled every 10 ms, packets between the first and
# the last full window divided by their time (start-up and waits excluded).
# The table gives median (min-max) over the runs. portus's own rate is the
# rate_pps of its -oJ summary line; tx_ceiling's is the pps it prints.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=5
PREFIX=198.19.128.0/17
PORTS=1-64
THREADS=1
TOOLS="tx_ceiling portus masscan zmap"
BATCH=64
OUT=
PORTUS=${PORTUS:-$ROOT/portus}
TXC=$ROOT/build/bench/tx_ceiling
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--prefix) PREFIX=$2; shift 2 ;;
	--ports) PORTS=$2; shift 2 ;;
	--threads) THREADS=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--batch) BATCH=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h | --help) sed -n '2,35p' "$0"; exit 0 ;;
	*) echo "send_path: unknown option $1" >&2; exit 2 ;;
	esac
done
die() { echo "send_path: $*" >&2; exit "${2:-2}"; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)" 1
case $RUNS in [1-9] | [1-2][0-9]) ;; *) die "--runs 1..29" ;; esac
# The blackhole routes 198.19.0.0/16 only (addresses from 198.18.0.0/15).
HOSTS=$(python3 -c 'import ipaddress,sys
n = ipaddress.ip_network(sys.argv[1], strict=True)
print(n.num_addresses if n.subnet_of(ipaddress.ip_network("198.19.0.0/16")) else 0)' "$PREFIX" 2>/dev/null)
[ "${HOSTS:-0}" -gt 0 ] || die "--prefix must be a network inside 198.19.0.0/16"
case $PORTS in
[0-9]*-[0-9]*) NPORTS=$((${PORTS#*-} - ${PORTS%-*} + 1)) FIRST_PORT=${PORTS%-*} ;;
[0-9]*) NPORTS=1 FIRST_PORT=$PORTS ;;
*) die "--ports A-B or one port" ;;
esac
[ "$NPORTS" -ge 1 ] && [ "$NPORTS" -le 1024 ] || die "--ports: 1..1024 ports"
PROBES=$((HOSTS * NPORTS))

OUT=${OUT:-$ROOT/bench/results/send-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if echo "$TOOLS" | grep -qw tx_ceiling; then
	mkdir -p "$(dirname "$TXC")" && cc -O2 -o "$TXC" "$ROOT/bench/tx_ceiling.c" ||
		die "cannot build tx_ceiling" 1
fi
for t in masscan zmap; do
	if echo "$TOOLS" | grep -qw $t && ! command -v $t >/dev/null; then
		apt-get install -y -q $t >"$OUT/apt-$t.log" 2>&1 || echo "send_path: apt-get install $t failed" >&2
	fi
done
if echo "$TOOLS" | grep -qw portus; then
	[ -x "$PORTUS" ] || die "no portus binary at $PORTUS (make)" 1
	if [ "$THREADS" != 1 ] && ! "$PORTUS" --help 2>&1 | grep -q -- --send-threads; then
		echo "send_path: this portus has no --send-threads: threads 1 only" >&2
		THREADS=1
	fi
fi
: >"$OUT/empty-blocklist.conf"

. "$ROOT/bench/blackhole.sh"
bh_up || exit 1

# Runs one tool once: LABEL INTENDED WAKE CMD... Appends
# "label intended sink wall send_pps own_pps" to $OUT/runs.txt.
measure() {
	local label=$1 intended=$2 wake=$3 a b t0 t1 wpid own=
	shift 3
	local log=$OUT/$label.$RUN
	echo "+ $*" >"$log.log"
	a=$(bh_sink_frames)
	# The sink-side watcher (bench/counter_rate.py): rx_packets every 10 ms;
	# for masscan it also sends the frames that let it exit.
	local wake_args=()
	[ "$wake" = 1 ] && wake_args=(--wake-after "${intended:-0}")
	ip netns exec "$BH_NS_SINK" python3 "$ROOT/bench/counter_rate.py" \
		"/sys/class/net/$BH_IF/statistics/rx_packets" 10 90 "$log.samples.json" --ready "${wake_args[@]}" &
	wpid=$!
	# The tool starts only once the watcher has read the counter.
	for _ in $(seq 100); do
		[ -e "$log.samples.json.ready" ] && break
		sleep 0.05
	done
	t0=$(date +%s.%N)
	bh_scan timeout -k 5 60 "$@" >>"$log.log" 2>&1
	echo "exit $?" >>"$log.log"
	t1=$(date +%s.%N)
	: >"$log.samples.json.exited"
	wait "$wpid"
	b=$(bh_sink_frames)
	case $label in
	tx_ceiling) own=$(sed -n 's/^frames \([0-9]*\) .* pps \([0-9]*\)$/\2/p' "$log.log")
		intended=$(sed -n 's/^frames \([0-9]*\) .*/\1/p' "$log.log") ;;
	portus*) own=$(sed -n 's/.*"type":"summary".*"rate_pps":\([0-9.]*\).*/\1/p' "$OUT/$label.$RUN.json") ;;
	esac
	python3 - "$log.samples.json" "$label" "${intended:-0}" $((b - a)) "$t0" "$t1" "${own:-}" \
		>>"$OUT/runs.txt" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s, first = d["samples"], d["first"]
moved = [i for i, (_, v) in enumerate(s) if v != (s[i - 1][1] if i else first)]
pps = 0
if len(moved) >= 3:
	# Full windows only: from the end of the first moving window to the start
	# of the last one.
	lo, hi = moved[0], moved[-1] - 1
	if hi > lo:
		pps = (s[hi][1] - s[lo][1]) / (s[hi][0] - s[lo][0])
wall = float(sys.argv[6]) - float(sys.argv[5])
print(sys.argv[2], sys.argv[3], sys.argv[4], f"{wall:.3f}", round(pps), sys.argv[7] or "-")
EOF
	tail -1 "$OUT/runs.txt" >&2
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$OUT/runs.txt"
for RUN in $(seq 1 "$RUNS"); do
	for tool in $TOOLS; do
		case $tool in
		tx_ceiling)
			measure tx_ceiling "" 0 "$TXC" "$BH_IF" "$BH_GW_MAC" "$BH_SCANNER_IP" "$PREFIX" 1.5 "$BATCH" ;;
		portus)
			for t in $THREADS; do
				targs=
				[ "$t" = 1 ] || targs="--send-threads $t"
				# shellcheck disable=SC2086
				measure "portus-t$t" "$PROBES" 0 "$PORTUS" "$PREFIX" -p "$PORTS" --rate 100000000 \
					--retries 0 --wait 200 --exclude-file /dev/null --no-status --open \
					$targs -oJ "$OUT/portus-t$t.$RUN.json"
			done ;;
		masscan)
			command -v masscan >/dev/null || { echo "send_path: no masscan, skipped" >&2; continue; }
			measure masscan "$PROBES" 1 masscan "$PREFIX" -p"$PORTS" --rate 100000000 \
				--router-mac "$BH_GW_MAC" --source-ip "$BH_SCANNER_IP" --adapter "$BH_IF" \
				--wait 0 -oL "$OUT/masscan.$RUN.txt" ;;
		zmap)
			command -v zmap >/dev/null || { echo "send_path: no zmap, skipped" >&2; continue; }
			measure zmap "$PROBES" 0 zmap -p "$FIRST_PORT" -P "$NPORTS" -r 0 -c 0 -i "$BH_IF" \
				-G "$BH_GW_MAC" -S "$BH_SCANNER_IP" -b "$OUT/empty-blocklist.conf" \
				-o /dev/null "$PREFIX" ;;
		*) echo "send_path: unknown tool $tool" >&2 ;;
		esac
	done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

{
	echo "send_path: $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, load $LOAD0 at start, $LOAD1 at end;" \
		"$("$PORTUS" --version 2>&1 | head -1); $RUNS runs; $PREFIX x ports $PORTS = $PROBES probes"
	echo
	python3 - "$OUT/runs.txt" "$OUT" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
	label, intended, sink, wall, pps, own = line.split()
	rows.setdefault(label, []).append((int(intended), int(sink), float(wall), int(pps), own))
def mm(xs, fmt):
	return f"{fmt(statistics.median(xs))} ({fmt(min(xs))}-{fmt(max(xs))})"
print("| tool | runs | probes at sink | = intended | wall s | probes / wall (pps) | send rate at sink (pps) | own report (pps) |")
print("|---|---:|---:|---|---:|---:|---:|---:|")
for label, rs in rows.items():
	bad = sum(1 for r in rs if r[0] != r[1])
	sinks = sorted({r[1] for r in rs})
	sink = f"{sinks[0]:,}" if len(sinks) == 1 else f"{sinks[0]:,}-{sinks[-1]:,}"
	ok = "yes" if bad == 0 else f"**no in {bad} run(s)**"
	own = [float(r[4]) for r in rs if r[4] != "-"]
	i0 = lambda x: f"{x:,.0f}"
	print(f"| {label} | {len(rs)} | {sink} | {ok} | {mm([r[2] for r in rs], lambda x: f'{x:.2f}')} "
	      f"| {mm([r[1] / r[2] for r in rs], i0)} | {mm([r[3] for r in rs], i0)} "
	      f"| {mm(own, i0) if own else '-'} |")
EOF
	echo
	echo "Commands: see the first line of $OUT/<tool>.<run>.log."
} | tee "$OUT/table.md"
echo "results: $OUT"
