#!/bin/bash
# compare.sh — portus against masscan, zmap and nmap on the same lab network.
#
#   bench/compare.sh [--rate PPS] [--prefix CIDR] [--tools "portus masscan zmap nmap"]
#                    [--ports 22,80,443,8080,8081] [--out DIR]
#                    [--portus-args "ARGS"] [--loss PERMILLE]
#   --portus-args  extra portus options, e.g. "--send-threads 2"
#   --loss         the lab drops this many replies per mille (nftables numgen)
#
# Builds the lab (tests/lab) with a routed AnyIP prefix (default 198.19.0.0/16,
# x 5 ports = 327,680 targets), runs each scanner in the lab's scanner
# namespace (bounded by timeout), and scores its output against the lab's
# ground truth with tests/integration/check_results.py. Prints a markdown
# table; raw outputs, logs and the table go to bench/results/<date>/.
#
#   wall      seconds from start to exit (for masscan: to the end of its --wait,
#             see below)
#   probes    SYNs that reached the target namespace (nftables counter there),
#             the same count for every tool; probes/s = probes / wall
#   open, closed, filtered: correct answers / truth. masscan and zmap never
#             say "filtered": what they do not report counts as filtered (*).
#   replies   SYN-ACK, RST and ICMP packets the target namespace sent back (its
#             nftables counter); the row gets a note if the scanner's
#             interface received fewer packets than that (loss in the lab)
#   wrong     targets with a wrong or missing answer (all states)
#
# Tool settings (defaults otherwise; same --rate for all):
#   portus   -p PORTS --rate R --exclude-file /dev/null   (retries 2: its default)
#   masscan  --rate R --wait 2 --show closed -oL          (retries 0: its default)
#   zmap     one run per port, -r R -c 2, CSV saddr,sport,classification with
#            --output-filter "repeat = 0" (SYN-ACK and RST), empty blocklist
#   nmap     -sS -Pn -n -T4 --min-rate R --max-retries 2 --reason -oX
# masscan 1.3.2 here never exits after its --wait ("waiting -N-secs", as in
# masscan issues #144/#813): its receive thread blocks in a pcap read that
# returns only with a packet, and SIGINT does not help. When the countdown goes
# negative the bench stops the clock and sends a trickle of UDP packets from
# the target namespace to the scanner; masscan then exits normally.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RATE=100000
PREFIX=198.19.0.0/16
PORTS=22,80,443,8080,8081
TOOLS="portus masscan zmap nmap"
OUT=
PORTUS=${PORTUS:-$ROOT/portus}
TOOL_TIMEOUT=${TOOL_TIMEOUT:-600}
PORTUS_ARGS=
LOSS=0
while [ $# -gt 0 ]; do
	case $1 in
	--rate) RATE=$2; shift 2 ;;
	--prefix) PREFIX=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--ports) PORTS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--portus-args) PORTUS_ARGS=$2; shift 2 ;;
	--loss) LOSS=$2; shift 2 ;;
	-h | --help) sed -n '2,33p' "$0"; exit 0 ;;
	*) echo "compare: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "compare: needs root (network namespaces)" >&2; exit 1; }
OUT=${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CHECK=$ROOT/tests/integration/check_results.py

LAB_DIR=$ROOT/tests/lab
. "$LAB_DIR/lab.sh"
lab_up --prefix "$PREFIX" --loss "$LOSS" || exit 1
lab_truth "$OUT/truth.json"
GWMAC=$(ip netns exec "$LAB_NS_GW" cat /sys/class/net/eth0/address)
NPORTS=$(python3 -c "import sys; sys.path.insert(0, '$ROOT/tests/integration'); \
from check_results import parse_ports; print(len(parse_ports(['$PORTS'])))")
NTARGETS=$(python3 -c "import ipaddress; print(ipaddress.ip_network('$PREFIX').num_addresses * $NPORTS)")

counter() { # NAME -> packets
	ip netns exec "$LAB_NS_GW" nft list counter ip lab "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
now() { date +%s.%N; }
scan_rx() { ip netns exec "$LAB_NS_SCAN" cat /sys/class/net/eth0/statistics/rx_packets; }
# mark / since: replies the target namespace sent and packets the scanner's
# interface received since mark (a lossless lab: rx >= replies).
mark() { R0=$(counter replies); X0=$(scan_rx); }
since() { echo "$(($(counter replies) - R0)) $(($(scan_rx) - X0))"; }
in_scan() { ip netns exec "$LAB_NS_SCAN" "$@"; }

ROWS=
# row TOOL VERSION WALL PROBES SCOREJSON NOTE  (replies/rx from since())
row() {
	local line
	# shellcheck disable=SC2046 # since prints two numbers
	line=$(python3 - "$@" $(since) <<'PY'
import json, sys
tool, ver, wall, probes, sj, note, replies, rx = sys.argv[1:9]
wall = float(wall); probes = int(probes)
if int(rx) < int(replies):
    note = (note + "; " if note else "") + f"lab lost {int(replies) - int(rx)} replies"
try:
    s = json.load(open(sj))
except (OSError, ValueError):
    print(f"| {tool} | {ver} | {wall:.1f} | {probes:,} | {probes / wall:,.0f} | {int(replies):,} | - | - | - | - | {note or 'no output'} |")
    sys.exit()
star = "*" if s["filtered_by_absence"] else ""
def cell(k):
    c, n = s[k]
    return f"{c:,}/{n:,}" + (" ✓" if c == n else "")
wrong = s["targets"] - s["correct"]
print(f"| {tool} | {ver} | {wall:.1f} | {probes:,} | {probes / wall:,.0f} | {int(replies):,} | {cell('open')} | "
      f"{cell('closed')} | {cell('filtered')}{star} | {wrong:,} | {note} |")
PY
)
	ROWS="$ROWS$line
"
	echo "$line"
}

score() { # FORMAT SCOREJSON FILE...
	local fmt=$1 sj=$2
	shift 2
	python3 "$CHECK" --truth "$OUT/truth.json" --targets "$PREFIX" --ports "$PORTS" \
		--format "$fmt" --score --score-json "$sj" --max-diff 5 "$@" >"${sj%.json}.txt" 2>&1
	tail -2 "${sj%.json}.txt" | head -1
}

settle() { sleep 2; }

run_portus() {
	[ -x "$PORTUS" ] || { echo "compare: portus: no binary at $PORTUS, skipped"; return; }
	local ver s0 t0 t1 s1 rc
	ver=$("$PORTUS" --version 2>/dev/null | head -1 | awk '{print $NF}')
	mark; s0=$(counter syns); t0=$(now)
	# shellcheck disable=SC2086 # PORTUS_ARGS is a list of options
	in_scan timeout -k 5 "$TOOL_TIMEOUT" "$PORTUS" -p "$PORTS" --rate "$RATE" --exclude-file /dev/null \
		$PORTUS_ARGS --no-status -oJ "$OUT/portus.json" "$PREFIX" >"$OUT/portus.stdout" 2>"$OUT/portus.log"
	rc=$?
	t1=$(now); s1=$(counter syns)
	score portus-json "$OUT/portus.score.json" "$OUT/portus.json"
	row portus "${ver:-?}" "$(echo "$t1 - $t0" | bc)" $((s1 - s0)) "$OUT/portus.score.json" \
		"$([ $rc = 0 ] || echo "exit $rc")"
	settle
}

run_masscan() {
	command -v masscan >/dev/null || { echo "compare: masscan not installed, skipped"; return; }
	local ver s0 t0 t1 s1 pid tpid="" note=""
	ver=$(masscan --version 2>/dev/null | sed -n 's/.*version \([0-9.]*\).*/\1/ip' | head -1)
	mark; s0=$(counter syns); t0=$(now)
	in_scan timeout -k 5 "$TOOL_TIMEOUT" masscan "$PREFIX" -p"$PORTS" --rate "$RATE" --wait 2 \
		--show closed -oL "$OUT/masscan.txt" >"$OUT/masscan.log" 2>&1 &
	pid=$!
	t1=
	while kill -0 $pid 2>/dev/null; do
		if [ -z "$t1" ] && grep -q 'waiting -' "$OUT/masscan.log"; then
			# Its --wait is over but its receive thread sits in a pcap read that
			# only returns with a packet: a few packets to the scanner let it
			# see that it is done, and it exits normally, writing everything.
			t1=$(now)
			note="needed packets to exit after its --wait"
			ip netns exec "$LAB_NS_GW" timeout 30 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    s.sendto(b"x", ("'"$LAB_SCANNER_IP"'", 9)); time.sleep(0.05)' &
			tpid=$!
		fi
		sleep 0.1
	done
	wait $pid
	[ -z "$tpid" ] || { kill $tpid 2>/dev/null; wait $tpid 2>/dev/null; }
	[ -n "$t1" ] || t1=$(now)
	s1=$(counter syns)
	score masscan-list "$OUT/masscan.score.json" "$OUT/masscan.txt"
	row masscan "${ver:-?}" "$(echo "$t1 - $t0" | bc)" $((s1 - s0)) "$OUT/masscan.score.json" "$note"
	settle
}

run_zmap() {
	command -v zmap >/dev/null || { echo "compare: zmap not installed, skipped"; return; }
	local ver s0 t0 t1 s1 p files=
	ver=$(zmap --version 2>/dev/null | awk '{print $2}' | head -1)
	: >"$OUT/zmap-blocklist.conf"
	mark; s0=$(counter syns); t0=$(now)
	for p in $(echo "$PORTS" | tr ',' ' '); do
		case $p in *-*) echo "compare: zmap: port ranges not supported" >&2; return ;; esac
		in_scan timeout -k 5 "$TOOL_TIMEOUT" zmap -q -p "$p" -r "$RATE" -c 2 -i "$LAB_IF" \
			-G "$GWMAC" -S "$LAB_SCANNER_IP" -b "$OUT/zmap-blocklist.conf" -O csv \
			--output-fields=saddr,sport,classification --output-filter="repeat = 0" \
			-o "$OUT/zmap-$p.csv" "$PREFIX" >>"$OUT/zmap.log" 2>&1
		files="$files $OUT/zmap-$p.csv"
	done
	t1=$(now); s1=$(counter syns)
	# shellcheck disable=SC2086
	score zmap-csv "$OUT/zmap.score.json" $files
	row zmap "${ver:-?}" "$(echo "$t1 - $t0" | bc)" $((s1 - s0)) "$OUT/zmap.score.json" \
		"one run per port, -c 2"
	settle
}

run_nmap() {
	command -v nmap >/dev/null || { echo "compare: nmap not installed, skipped"; return; }
	local ver s0 t0 t1 s1 rc
	ver=$(nmap --version | awk '/Nmap version/ {print $3}')
	mark; s0=$(counter syns); t0=$(now)
	in_scan timeout -k 5 "$TOOL_TIMEOUT" nmap -sS -Pn -n -T4 --min-rate "$RATE" --max-retries 2 \
		--reason -p "$PORTS" -oX "$OUT/nmap.xml" "$PREFIX" >"$OUT/nmap.log" 2>&1
	rc=$?
	t1=$(now); s1=$(counter syns)
	score nmap-xml "$OUT/nmap.score.json" "$OUT/nmap.xml"
	row nmap "${ver:-?}" "$(echo "$t1 - $t0" | bc)" $((s1 - s0)) "$OUT/nmap.score.json" \
		"$([ $rc = 0 ] || echo "exit $rc")"
	settle
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "compare: $PREFIX x $PORTS = $NTARGETS targets, rate $RATE pps, results in $OUT"
for t in $TOOLS; do
	case $t in
	portus | masscan | zmap | nmap) "run_$t" ;;
	*) echo "compare: unknown tool $t" >&2 ;;
	esac
done

{
	echo "Lab: $PREFIX (AnyIP, one target namespace) x ports $PORTS = $NTARGETS targets;" \
		"--rate $RATE; $(nproc) CPUs; kernel $(uname -r); $(date -u +%Y-%m-%d);" \
		"load average at start $LOAD0."
	echo
	echo "| tool | version | wall s | probes | probes/s | replies | open | closed | filtered | wrong | note |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	printf '%s' "$ROWS"
	echo
	echo "\* never reports filtered: unreported targets counted as filtered."
} >"$OUT/table.md"
echo
cat "$OUT/table.md"
