#!/bin/bash
# rate_blackhole.sh — does portus hold --rate up to the send ceiling? Rate per
# 100 ms window, counted where the probes arrive, with no capture taking CPU.
#
#   bench/rate_blackhole.sh [--rates "1000 10000 100000 1000000 1500000"]
#                           [--threads "1"] [--seconds S] [--out DIR]
#
# bench/rate_accuracy.sh measures on the lab with tcpdump, which takes one of
# the two CPUs and whose gateway caps any sender near 0.5 Mpps. Here portus
# sends into the blackhole (bench/blackhole.sh: a veth into a namespace that
# drops every frame) and bench/counter_rate.py reads the sink interface's
# rx_packets counter every 100 ms (one read per window). Each (rate, threads)
# runs about S seconds (default 3) of probes:
#   portus 198.19.128.0/17 -p 1-P (or 198.19.128.0/20 -p 1 below 32,768 probes)
#          --rate R --send-threads T --retries 0 --wait 100 --exclude-file /dev/null
#          --no-status --open -oJ /dev/null                (timeout 60)
# Per row: packets at the sink (must equal the plan), mean rate over the full
# windows, min/max window, the worst window's deviation from R, and how many
# windows are within 2% of R. Bursts inside a window are not visible here:
# rate_accuracy.sh measures them (1 ms windows) up to 0.5 Mpps.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RATES="1000 10000 100000 1000000 1500000"
THREADS=1
SECS=3
OUT=
PORTUS=${PORTUS:-$ROOT/portus}
while [ $# -gt 0 ]; do
	case $1 in
	--rates) RATES=$2; shift 2 ;;
	--threads) THREADS=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h | --help) sed -n '2,21p' "$0"; exit 0 ;;
	*) echo "rate_blackhole: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "rate_blackhole: needs root (network namespaces)" >&2; exit 1; }
[ -x "$PORTUS" ] || { echo "rate_blackhole: no portus binary at $PORTUS (make)" >&2; exit 1; }
case $SECS in [1-9] | 1[0-9]) ;; *) echo "rate_blackhole: --seconds 1..19" >&2; exit 2 ;; esac
OUT=${OUT:-$ROOT/bench/results/rate-bh-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$ROOT/bench/blackhole.sh"
bh_up || exit 1

run_one() { # RATE THREADS -> one table row
	local rate=$1 t=$2 want targets ports probes a log=$OUT/r$1-t$2
	want=$((rate * SECS))
	if [ "$want" -le 32768 ]; then
		targets=198.19.128.0/20 ports=1 probes=4096
		[ "$want" -le 4096 ] || ports=1-$(((want + 4095) / 4096))
		[ "$want" -le 4096 ] || probes=$((((want + 4095) / 4096) * 4096))
	else
		targets=198.19.128.0/17 ports=1-$(((want + 32767) / 32768)) probes=$((((want + 32767) / 32768) * 32768))
	fi
	a=$(bh_sink_frames)
	ip netns exec "$BH_NS_SINK" python3 "$ROOT/bench/counter_rate.py" \
		"/sys/class/net/$BH_IF/statistics/rx_packets" 100 $((SECS * 4 + 10)) "$log.samples.json" &
	local spid=$!
	sleep 0.3
	echo "+ portus $targets -p $ports --rate $rate --send-threads $t ($probes probes)" >"$log.portus.txt"
	bh_scan timeout -k 5 60 "$PORTUS" "$targets" -p "$ports" --rate "$rate" --send-threads "$t" \
		--retries 0 --wait 100 --exclude-file /dev/null --no-status --open -oJ /dev/null \
		>>"$log.portus.txt" 2>&1
	wait "$spid"
	python3 "$ROOT/bench/counter_rate.py" --analyze "$log.samples.json" "$rate" >"$log.json"
	python3 - "$log.json" "$rate" "$t" "$probes" $(($(bh_sink_frames) - a)) "$log.portus.txt" <<'EOF'
import json, re, sys
r = json.load(open(sys.argv[1]))
rate, t, probes, sink = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
notes = [] if sink == probes else [f"sink counted {sink:,}, plan {probes:,}"]
m = re.search(r"probes at (\d+) pps", open(sys.argv[6]).read())
notes.append(f"portus: {int(m.group(1)):,} pps" if m else "portus: no summary")
if "mean_pps" not in r:
    print(f"| {rate:,} | {t} | {sink:,} | | | | | | {'; '.join(notes + ['too short for one full window'])} |")
    sys.exit(0)
print(f"| {rate:,} | {t} | {sink:,} | {r['mean_pps']:,} | {r['mean_dev_pct']:+.2f}% | {r['min_pps']:,} "
      f"| {r['max_pps']:,} | {r['worst_dev_pct']:+.2f}% | {r['within_2pct']}/{r['windows']} | {'; '.join(notes)} |")
EOF
}

{
	echo "rate_blackhole: $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $("$PORTUS" --version 2>&1 | head -1)"
	echo
	echo "| --rate | threads | probes at sink | mean pps | mean dev | min / 100 ms (pps) | max / 100 ms (pps) | worst 100 ms dev | windows within 2% | note |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	for t in $THREADS; do
		for r in $RATES; do
			run_one "$r" "$t"
		done
	done
} | tee "$OUT/table.md"
echo "results: $OUT"
