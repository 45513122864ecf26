#!/bin/bash
# send_profile.sh — user-space instructions per probe on portus's send path,
# by function: callgrind on one scan into the blackhole (bench/blackhole.sh).
#
#   bench/send_profile.sh [--prefix 198.19.128.0/17] [--ports 1-64] [--out DIR]
#                         [--perf]
#
# Runs, in the blackhole's scanner namespace (timeout 300):
#   valgrind --tool=callgrind --toggle-collect=tx_pass_thread
#            --callgrind-out-file=DIR/callgrind.out
#            portus PREFIX -p PORTS --rate 100000000 --retries 0 --wait 100
#                   --exclude-file /dev/null --no-status --open -oJ /dev/null
# Only tx_pass_thread and what it calls are counted (setup, receiver and
# output are not), and instruction counts do not depend on the machine's load,
# so two builds compare to the instruction. Prints, per function, self Ir /
# probe (what the compiler inlined into it included), where probes = the sink's counter, which must equal
# the plan (else the numbers are flagged). Kernel work (sendmmsg itself) is
# not counted by callgrind: --perf adds `perf stat` of a full-speed run
# (cycles in user and kernel space; this VM may have no hardware counters,
# then only task-clock) and `perf record` to DIR/perf.data.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=198.19.128.0/17
PORTS=1-64
OUT=
PERF=0
PORTUS=${PORTUS:-$ROOT/portus}
while [ $# -gt 0 ]; do
	case $1 in
	--prefix) PREFIX=$2; shift 2 ;;
	--ports) PORTS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--perf) PERF=1; shift ;;
	-h | --help) sed -n '2,21p' "$0"; exit 0 ;;
	*) echo "send_profile: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "send_profile: needs root (network namespaces)" >&2; exit 1; }
[ -x "$PORTUS" ] || { echo "send_profile: no portus binary at $PORTUS (make)" >&2; exit 1; }
command -v valgrind >/dev/null || apt-get install -y -q valgrind >/dev/null 2>&1 ||
	{ echo "send_profile: needs valgrind" >&2; exit 1; }
HOSTS=$(python3 -c 'import ipaddress,sys
n = ipaddress.ip_network(sys.argv[1], strict=True)
print(n.num_addresses if n.subnet_of(ipaddress.ip_network("198.19.0.0/16")) else 0)' "$PREFIX" 2>/dev/null)
[ "${HOSTS:-0}" -gt 0 ] || { echo "send_profile: --prefix must be inside 198.19.0.0/16" >&2; exit 2; }
case $PORTS in
[0-9]*-[0-9]*) NPORTS=$((${PORTS#*-} - ${PORTS%-*} + 1)) ;;
[0-9]*) NPORTS=1 ;;
*) echo "send_profile: --ports A-B or one port" >&2; exit 2 ;;
esac
PROBES=$((HOSTS * NPORTS))
OUT=${OUT:-$ROOT/bench/results/send-profile-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$ROOT/bench/blackhole.sh"
bh_up || exit 1

ARGS=("$PREFIX" -p "$PORTS" --rate 100000000 --retries 0 --wait 100 --exclude-file /dev/null
	--no-status --open -oJ /dev/null)
# portus gives up root for "nobody" once its sockets are open, and callgrind
# writes its file at exit: the file must exist and belong to nobody.
install -o nobody -m 0644 /dev/null "$OUT/callgrind.out" ||
	{ echo "send_profile: cannot create $OUT/callgrind.out for nobody" >&2; exit 1; }
a=$(bh_sink_frames)
echo "+ valgrind --tool=callgrind --toggle-collect=tx_pass_thread portus ${ARGS[*]}" | tee "$OUT/callgrind.log"
bh_scan timeout -k 5 300 valgrind --tool=callgrind --toggle-collect=tx_pass_thread \
	--callgrind-out-file="$OUT/callgrind.out" "$PORTUS" "${ARGS[@]}" >>"$OUT/callgrind.log" 2>&1
SINK=$(($(bh_sink_frames) - a))
NOTE=
[ "$SINK" = "$PROBES" ] || NOTE=" (SINK COUNTED $SINK, PLAN $PROBES: numbers doubtful)"
echo "$PREFIX x $PORTS: $PROBES probes, sink counted $SINK$NOTE; $("$PORTUS" --version 2>&1 | head -1)"
callgrind_annotate --auto=no --inclusive=no "$OUT/callgrind.out" >"$OUT/self.txt" 2>&1
# Self cost per function name, summed over the file:function lines that
# inlining splits it into (e.g. packet.c, extract.h, string_fortified.h).
python3 - "$OUT/self.txt" "$SINK" <<'EOF'
import re, sys
rows, total = {}, 0
for line in open(sys.argv[1]):
	m = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)", line)
	if not m:
		continue
	ir, what = int(m.group(1).replace(",", "")), m.group(2)
	if what.startswith("PROGRAM TOTALS"):
		total = ir
	elif ":" in what:
		name = what.split(":", 1)[1].split(" ")[0]
		rows[name] = rows.get(name, 0) + ir
probes = int(sys.argv[2]) or 1
print(f"tx_pass_thread and callees: {total:,} Ir = {total / probes:.1f} instructions per probe (user space)")
print()
print("| function (self, inlined callees included) | Ir / probe | share |")
print("|---|---:|---:|")
for name, v in sorted(rows.items(), key=lambda kv: -kv[1]):
	if v / probes >= 0.05:
		print(f"| {name} | {v / probes:.1f} | {100.0 * v / total:.1f}% |")
EOF

if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
	echo
	echo "+ perf stat -e task-clock,cycles:u,cycles:k,instructions:u portus ${ARGS[*]}"
	bh_scan timeout -k 5 60 perf stat -e task-clock,cycles:u,cycles:k,instructions:u \
		-o "$OUT/perf-stat.txt" "$PORTUS" "${ARGS[@]}" >/dev/null 2>&1
	cat "$OUT/perf-stat.txt"
	bh_scan timeout -k 5 60 perf record -q -g -o "$OUT/perf.data" "$PORTUS" "${ARGS[@]}" >/dev/null 2>&1
	perf report -i "$OUT/perf.data" --no-children --stdio 2>/dev/null | grep -v '^#' | grep '%' |
		head -25 >"$OUT/perf-report.txt"
	cat "$OUT/perf-report.txt"
fi
echo "results: $OUT"
