#!/bin/bash
# ipv6.sh — IPv6 on the lab: portus (IPv6, IPv4 of the same size, and a mixed
# IPv4+IPv6 plan of the same size) beside masscan, nmap -6 and zmap (issue 12).
#
#   bench/ipv6.sh [--rates "50000 100000 200000"] [--runs N] [--nmap-runs N]
#                 [--tools "portus6 portus4 mixed masscan nmap zmap"]
#                 [--prefix6 2001:db8:100::/112] [--prefix 198.19.0.0/16]
#                 [--ports 22,80,443,8080,8081]
#                 [--big-ports 1-12,80,443,8080,8081] [--big-rate 200000]
#                 [--big-tools "portus6 portus4 mixed masscan"]
#                 [--ceil-rate 1000000] [--ceil-args "--send-threads 2"]
#                 [--ceil-tools "portus6 portus4 mixed"]
#                 [--bh-runs 3] [--bh-ports 1-32] [--budget SECONDS] [--out DIR]
#   --big-tools "" / --ceil-tools "" / --bh-runs 0 leave those parts out.
#
# The lab (tests/lab, lab_up --prefix PREFIX --prefix6 PREFIX6: namespaces
# only, addresses from 198.18.0.0/15 and 2001:db8::/32) is built once; every
# scanner runs in its scanner namespace (ip netns exec) under timeout and
# /usr/bin/time -v. Plans (same size, 65,536 addresses x 5 ports by default):
#   portus6  PREFIX6 x PORTS                     (2001:db8:100::/112: 327,680)
#   portus4  PREFIX x PORTS                      (198.19.0.0/16:      327,680)
#   mixed    first half of PREFIX + first half of PREFIX6, one portus run
#            (198.19.0.0/17 2001:db8:100::/113:                     327,680)
#   masscan  PREFIX6 x PORTS     nmap  PREFIX6 x PORTS     zmap  PREFIX6 x PORTS
# Parts:
#   standard  every tool at every --rates, --runs rounds (nmap: --nmap-runs);
#             a round goes through all rates and tools in turn, so a change of
#             machine load hits all of them alike
#   big       the largest plan the lab holds: PREFIX6 (max /112) x --big-ports
#             (16 ports = 1,048,576 targets), --big-tools at --big-rate, once;
#             portus4 and mixed get the same-size IPv4 / mixed plans
#   ceiling   --ceil-tools at --ceil-rate with --ceil-args (portus's own
#             ceiling in this lab: is IPv6 as fast as IPv4?), --runs rounds
#   blackhole the send path alone, without the lab's gateway (whose IPv4 and
#             IPv6 stacks differ in cost): two namespaces of this script's
#             own, pv6bh<PID>-scan (198.18.0.1/24 + 2001:db8:0:1::1/64,
#             198.19.0.0/16 and 2001:db8:100::/48 via a permanent neighbour
#             02:00:00:00:00:fe) and pv6bh<PID>-sink (drops every frame, counts
#             rx_packets). portus PREFIX or PREFIX6 x --bh-ports (2,097,152
#             probes) --rate 100000000 --retries 0 --wait 200 --exclude-file
#             /dev/null --no-status --open -oJ FILE [--send-threads 2],
#             --bh-runs rounds alternating IPv4 and IPv6; user and system CPU
#             seconds from /usr/bin/time -v
# Tool settings (defaults otherwise; the same --rate for all):
#   portus   -p PORTS --rate R --exclude-file /dev/null --no-status -oJ FILE
#            (retries 2, its default; the built-in exclude list holds the lab's
#            own 198.18.0.0/15 and 2001:db8::/32)
#   masscan  -pPORTS --rate R --wait 2 --show closed --source-ip SCANNER_IP6
#            --router-mac-ipv6 GWMAC -oL FILE
#            (1.3.2 skips 2001:db8::/32 addresses when it looks for the
#            interface's IPv6 address and waits for a Router Advertisement for
#            the router's MAC: without these two options it cannot scan the
#            lab; what it says then is in preflight.txt). It never exits after
#            --wait until a packet reaches its pcap (masscan issues #144/#813):
#            when its countdown goes negative the clock stops and the target
#            namespace sends it a trickle of UDP over IPv6, as in compare.sh.
#   nmap     -6 -sS -Pn -n -T4 --min-rate R --max-retries 2 --reason -oX FILE
#   zmap     needs IPv6 support (--ipv6-target-file, zmap >= 3); Debian 12's
#            2.1.1 has none: preflight.txt shows its error and the table says so.
#            With a zmap that has it: one run per port, -M ipv6_tcp_synscan
#            --ipv6-source-ip SCANNER_IP6 --ipv6-target-file FILE -r R -c 2
#            (untested here).
# Per run: wall (start to exit; masscan: to the end of its --wait), probes =
# SYNs counted by nftables in the target namespace (table ip6 lab, + ip lab for
# IPv4 plans), probes/s = probes / wall, replies the target namespace sent vs
# packets the scanner's interface received (a note if the lab lost any), peak
# RSS (/usr/bin/time -v), the 1-minute load average before the run, portus's
# summary (rate_pps, pcap_received, pcap_dropped, if_dropped). After all
# runs every output is scored against lab_truth by
# tests/integration/check_results.py --score (2 at a time; nothing is timed
# then). Bounded: a fixed number of runs, each under timeout (TOOL_TIMEOUT,
# default 300 s; nmap 900 s), and --budget (default 3600 s) for all scans:
# runs that would start later are skipped and listed. The lab is torn down on
# exit (lab.sh's trap). Results: bench/results/ipv6-<UTC>/ (runs.tsv,
# table.md, preflight.txt, per run the command, log, time -v and output).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RATES="50000 100000 200000"
RUNS=3
NMAP_RUNS=1
TOOLS="portus6 portus4 mixed masscan nmap zmap"
PREFIX=198.19.0.0/16
PREFIX6=2001:db8:100::/112
PORTS=22,80,443,8080,8081
BIG_PORTS=1-12,80,443,8080,8081
BIG_RATE=200000
BIG_TOOLS="portus6 portus4 mixed masscan"
CEIL_RATE=1000000
CEIL_ARGS="--send-threads 2"
CEIL_TOOLS="portus6 portus4 mixed"
BH_RUNS=3
BH_PORTS=1-32
BUDGET=3600
OUT=
PORTUS=${PORTUS:-$ROOT/portus}
TOOL_TIMEOUT=${TOOL_TIMEOUT:-300}
while [ $# -gt 0 ]; do
	case $1 in
	--rates) RATES=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--nmap-runs) NMAP_RUNS=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--prefix6) PREFIX6=$2; shift 2 ;;
	--prefix) PREFIX=$2; shift 2 ;;
	--ports) PORTS=$2; shift 2 ;;
	--big-ports) BIG_PORTS=$2; shift 2 ;;
	--big-rate) BIG_RATE=$2; shift 2 ;;
	--big-tools) BIG_TOOLS=$2; shift 2 ;;
	--ceil-rate) CEIL_RATE=$2; shift 2 ;;
	--ceil-args) CEIL_ARGS=$2; shift 2 ;;
	--ceil-tools) CEIL_TOOLS=$2; shift 2 ;;
	--bh-runs) BH_RUNS=$2; shift 2 ;;
	--bh-ports) BH_PORTS=$2; shift 2 ;;
	--budget) BUDGET=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h | --help) sed -n '2,66p' "$0"; exit 0 ;;
	*) echo "ipv6: unknown option $1" >&2; exit 2 ;;
	esac
done
die() { echo "ipv6: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install time)"
case $RUNS in [1-9]) ;; *) die "--runs 1..9" ;; esac
case $NMAP_RUNS in [0-9]) ;; *) die "--nmap-runs 0..9" ;; esac
case $BH_RUNS in [0-9]) ;; *) die "--bh-runs 0..9" ;; esac
case $BUDGET in *[!0-9]* | '') die "--budget SECONDS" ;; esac
for r in $RATES $BIG_RATE $CEIL_RATE; do
	case $r in *[!0-9]* | '' | 0) die "bad rate $r" ;; esac
done
OUT=${OUT:-$ROOT/bench/results/ipv6-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CHECK=$ROOT/tests/integration/check_results.py

# The mixed plan: the first half of each prefix (same size as either alone).
read -r HALF4 HALF6 < <(python3 -c '
import ipaddress, sys
a = ipaddress.ip_network(sys.argv[1]); b = ipaddress.ip_network(sys.argv[2])
print(next(a.subnets(1)), next(b.subnets(1)))' "$PREFIX" "$PREFIX6") || die "bad prefixes"
MIXED="$HALF4 $HALF6"

LAB_DIR=$ROOT/tests/lab
. "$LAB_DIR/lab.sh"
lab_up --prefix "$PREFIX" --prefix6 "$PREFIX6" || exit 1
PREFIX6=$LAB_PREFIX6
lab_truth "$OUT/truth.json"
GWMAC=$(ip netns exec "$LAB_NS_GW" cat /sys/class/net/eth0/address)
T_START=$(date +%s)
DEADLINE=$((T_START + BUDGET))

in_scan() { ip netns exec "$LAB_NS_SCAN" "$@"; }
now() { date +%s.%N; }
cnt() { lab_counter "$LAB_NS_GW" "$1" "$2"; }
# Counters of the target (gateway) namespace: both families.
syns() { echo $(($(cnt ip syns) + $(cnt ip6 syns))); }
replies() { echo $(($(cnt ip replies) + $(cnt ip6 replies))); }
scan_rx() { in_scan cat /sys/class/net/eth0/statistics/rx_packets; }
load1() { cut -d' ' -f1 /proc/loadavg; }
nports() {
	python3 -c "import sys; sys.path.insert(0, '$ROOT/tests/integration'); \
from check_results import parse_ports; print(len(parse_ports(['$1'])))"
}
naddrs() { # "CIDR ..." -> addresses
	# shellcheck disable=SC2086 # a word list
	python3 -c 'import ipaddress, sys; print(sum(ipaddress.ip_network(a).num_addresses for a in sys.argv[1:]))' $1
}

ver_portus=$("$PORTUS" --version 2>/dev/null | head -1 | awk '{print $NF}')
ver_masscan=$(masscan --version 2>/dev/null | sed -n 's/.*version \([0-9.]*\).*/\1/ip' | head -1)
ver_nmap=$(nmap --version 2>/dev/null | awk '/Nmap version/ {print $3}')
ver_zmap=$(zmap --version 2>/dev/null | awk '{print $2}' | head -1)

# --- Preflight: what masscan and zmap say about IPv6 here (bounded, tiny).
ZMAP6=0
{
	echo "# $(date -u +%FT%TZ) lab plab$LAB_ID, $PREFIX + $PREFIX6"
	if command -v masscan >/dev/null; then
		echo "## masscan $ver_masscan, defaults: masscan ${PREFIX6%/*} -p80 --rate 100 --wait 0"
		in_scan timeout -k 2 15 masscan "${PREFIX6%/*}" -p80 --rate 100 --wait 0 -oL /dev/null 2>&1 |
			tr '\r' '\n' | grep -v '^ *$' | head -8
		echo "(exit ${PIPESTATUS[0]})"
		echo "## masscan with --source-ip $LAB_SCANNER_IP6 only (no --router-mac-ipv6), 10 s"
		in_scan timeout -k 2 10 masscan "${PREFIX6%/*}" -p80 --rate 100 --wait 0 \
			--source-ip "$LAB_SCANNER_IP6" -oL /dev/null 2>&1 | tr '\r' '\n' | grep -v '^ *$' | head -8
		echo "(exit ${PIPESTATUS[0]}; 124 = still waiting when timeout stopped it)"
	else
		echo "## masscan: not installed"
	fi
	if command -v zmap >/dev/null; then
		if zmap --help 2>&1 | grep -q -- '--ipv6-target-file'; then
			ZMAP6=1
			echo "## zmap $ver_zmap: has --ipv6-target-file"
		else
			echo "## zmap $ver_zmap: zmap --help has no --ipv6-target-file; zmap -p 80 -r 100 -i eth0 -G GWMAC ${PREFIX6%/*}"
			in_scan timeout -k 2 10 zmap -p 80 -r 100 -i "$LAB_IF" -G "$GWMAC" "${PREFIX6%/*}" \
				-o /dev/null 2>&1 | grep -v WARN | head -4
			echo "## zmap --ipv6-target-file=FILE -M ipv6_tcp_synscan -p 80"
			in_scan timeout -k 2 10 zmap --ipv6-target-file=/dev/null -M ipv6_tcp_synscan -p 80 2>&1 | head -2
			echo "## zmap -M ipv6_tcp_synscan -p 80 ${PREFIX6%/*}"
			in_scan timeout -k 2 10 zmap -M ipv6_tcp_synscan -p 80 "${PREFIX6%/*}" 2>&1 | grep -v WARN | head -2
		fi
	else
		echo "## zmap: not installed"
	fi
} >"$OUT/preflight.txt" 2>&1
cat "$OUT/preflight.txt"

RUNLOG=$OUT/runs.tsv
printf 'part\ttool\tversion\trate\tk\ttargets_spec\tports\ttargets\twall\tprobes\treplies\trx\trc\trss_kib\tload1\tformat\tfiles\tnote\n' >"$RUNLOG"

# record PART TOOL VER RATE K SPEC PORTS WALL PROBES RC TAG FORMAT FILES NOTE
record() {
	local part=$1 tool=$2 ver=$3 rate=$4 k=$5 spec=$6 ports=$7 wall=$8 probes=$9 rc=${10} tag=${11}
	local fmt=${12} files=${13} note=${14} rss n
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tag.time" 2>/dev/null | tail -1)
	n=$(($(naddrs "$spec") * $(nports "$ports")))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$part" "$tool" "${ver:-?}" "$rate" "$k" "$spec" "$ports" "$n" "$wall" "$probes" \
		"$(($(replies) - R0))" "$(($(scan_rx) - X0))" "$rc" "${rss:-}" "$LOAD" "$fmt" "$files" \
		"$note" >>"$RUNLOG"
	printf '%-8s %-8s rate %-7s k%s  %s targets  wall %.2f s  probes %s  rc %s  rss %s KiB  load %s  %s\n' \
		"$part" "$tool" "$rate" "$k" "$n" "$wall" "$probes" "$rc" "${rss:-?}" "$LOAD" "$note"
}

mark() { R0=$(replies); X0=$(scan_rx); S0=$(syns); LOAD=$(load1); }

run_portus() { # PART TOOL RATE K SPEC PORTS EXTRA
	local part=$1 tool=$2 rate=$3 k=$4 spec=$5 ports=$6 extra=$7 tag t0 t1 rc
	[ -x "$PORTUS" ] || { echo "ipv6: no portus at $PORTUS, skipped"; return; }
	tag=$OUT/$part-$tool-r$rate-k$k
	# shellcheck disable=SC2086 # spec and extra are word lists
	echo "portus -p $ports --rate $rate --exclude-file /dev/null $extra --no-status -oJ $tag.json $spec" >"$tag.cmd"
	mark; t0=$(now)
	# shellcheck disable=SC2086
	in_scan /usr/bin/time -v -o "$tag.time" timeout -k 5 "$TOOL_TIMEOUT" "$PORTUS" -p "$ports" \
		--rate "$rate" --exclude-file /dev/null $extra --no-status -oJ "$tag.json" $spec \
		>"$tag.stdout" 2>"$tag.log"
	rc=$?
	t1=$(now)
	record "$part" "$tool" "$ver_portus" "$rate" "$k" "$spec" "$ports" "$(echo "$t1 - $t0" | bc)" \
		$(($(syns) - S0)) $rc "$tag" portus-json "$tag.json" "$extra"
}

run_masscan() { # PART RATE K SPEC PORTS
	local part=$1 rate=$2 k=$3 spec=$4 ports=$5 tag t0 t1 pid tpid="" note="" rc
	command -v masscan >/dev/null || { echo "ipv6: masscan not installed, skipped"; return; }
	tag=$OUT/$part-masscan-r$rate-k$k
	echo "masscan $spec -p$ports --rate $rate --wait 2 --show closed --source-ip $LAB_SCANNER_IP6" \
		"--router-mac-ipv6 $GWMAC -oL $tag.txt" >"$tag.cmd"
	mark; t0=$(now)
	# shellcheck disable=SC2086
	in_scan /usr/bin/time -v -o "$tag.time" timeout -k 5 "$TOOL_TIMEOUT" masscan $spec -p"$ports" \
		--rate "$rate" --wait 2 --show closed --source-ip "$LAB_SCANNER_IP6" \
		--router-mac-ipv6 "$GWMAC" -oL "$tag.txt" >"$tag.log" 2>&1 &
	pid=$!
	t1=
	while kill -0 $pid 2>/dev/null; do
		if [ -z "$t1" ] && grep -q 'waiting -' "$tag.log"; then
			t1=$(now)
			note="needed packets to exit after its --wait"
			ip netns exec "$LAB_NS_GW" timeout 30 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
while True:
    s.sendto(b"x", (sys.argv[1], 9)); time.sleep(0.05)' "$LAB_SCANNER_IP6" &
			tpid=$!
		fi
		sleep 0.1
	done
	wait $pid
	rc=$?
	[ -z "$tpid" ] || { kill "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null; }
	[ -n "$t1" ] || t1=$(now)
	record "$part" masscan "$ver_masscan" "$rate" "$k" "$spec" "$ports" "$(echo "$t1 - $t0" | bc)" \
		$(($(syns) - S0)) $rc "$tag" masscan-list "$tag.txt" "$note"
}

run_nmap() { # PART RATE K SPEC PORTS
	local part=$1 rate=$2 k=$3 spec=$4 ports=$5 tag t0 t1 rc
	command -v nmap >/dev/null || { echo "ipv6: nmap not installed, skipped"; return; }
	tag=$OUT/$part-nmap-r$rate-k$k
	echo "nmap -6 -sS -Pn -n -T4 --min-rate $rate --max-retries 2 --reason -p $ports -oX $tag.xml $spec" >"$tag.cmd"
	mark; t0=$(now)
	# shellcheck disable=SC2086
	in_scan /usr/bin/time -v -o "$tag.time" timeout -k 5 $((TOOL_TIMEOUT * 3)) nmap -6 -sS -Pn -n -T4 \
		--min-rate "$rate" --max-retries 2 --reason -p "$ports" -oX "$tag.xml" $spec >"$tag.log" 2>&1
	rc=$?
	t1=$(now)
	record "$part" nmap "$ver_nmap" "$rate" "$k" "$spec" "$ports" "$(echo "$t1 - $t0" | bc)" \
		$(($(syns) - S0)) $rc "$tag" nmap-xml "$tag.xml" ""
}

run_zmap() { # PART RATE K SPEC PORTS
	local part=$1 rate=$2 k=$3 spec=$4 ports=$5 tag t0 t1 p files="" rc=0
	command -v zmap >/dev/null || { echo "ipv6: zmap not installed, skipped"; return; }
	if [ "$ZMAP6" != 1 ]; then
		[ "$k" = 1 ] && [ "$part" = standard ] && [ "$rate" = "${RATES%% *}" ] &&
			printf 'zmap\t%s\tcannot scan IPv6 (see preflight.txt)\n' "$ver_zmap" >"$OUT/zmap-unsupported.txt"
		return
	fi
	tag=$OUT/$part-zmap-r$rate-k$k
	# shellcheck disable=SC2086
	python3 -c 'import ipaddress, sys
for a in sys.argv[1:]:
    for h in ipaddress.ip_network(a):
        print(h)' $spec >"$tag.targets"
	mark; t0=$(now)
	for p in $(echo "$ports" | tr ',' ' '); do
		in_scan /usr/bin/time -v -a -o "$tag.time" timeout -k 5 "$TOOL_TIMEOUT" zmap -q -M ipv6_tcp_synscan \
			-p "$p" -r "$rate" -c 2 -i "$LAB_IF" -G "$GWMAC" --ipv6-source-ip="$LAB_SCANNER_IP6" \
			--ipv6-target-file="$tag.targets" -O csv --output-fields=saddr,sport,classification \
			--output-filter="repeat = 0" -o "$tag-$p.csv" >>"$tag.log" 2>&1 || rc=$?
		files="$files $tag-$p.csv"
	done
	t1=$(now)
	record "$part" zmap "$ver_zmap" "$rate" "$k" "$spec" "$ports" "$(echo "$t1 - $t0" | bc)" \
		$(($(syns) - S0)) $rc "$tag" zmap-csv "${files# }" "one run per port, -c 2"
}

SKIPPED=
# one PART TOOL RATE K PORTS [PORTUS_EXTRA]: one run of TOOL on its plan.
one() {
	local part=$1 tool=$2 rate=$3 k=$4 ports=$5 extra=${6:-}
	if [ "$(date +%s)" -ge "$DEADLINE" ]; then
		SKIPPED="$SKIPPED $part/$tool/$rate/k$k"
		echo "ipv6: budget of $BUDGET s used up: $part $tool $rate k$k skipped"
		return
	fi
	case $tool in
	portus6) run_portus "$part" "$tool" "$rate" "$k" "$PREFIX6" "$ports" "$extra" ;;
	portus4) run_portus "$part" "$tool" "$rate" "$k" "$PREFIX" "$ports" "$extra" ;;
	mixed) run_portus "$part" "$tool" "$rate" "$k" "$MIXED" "$ports" "$extra" ;;
	masscan) run_masscan "$part" "$rate" "$k" "$PREFIX6" "$ports" ;;
	nmap) [ "$k" -le "$NMAP_RUNS" ] && run_nmap "$part" "$rate" "$k" "$PREFIX6" "$ports" ;;
	zmap) run_zmap "$part" "$rate" "$k" "$PREFIX6" "$ports" ;;
	*) echo "ipv6: unknown tool $tool" >&2 ;;
	esac
	sleep 2 # let the lab settle (as compare.sh)
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "ipv6: $PREFIX6 / $PREFIX / $MIXED x $PORTS, rates $RATES, $RUNS round(s); results in $OUT"
for k in $(seq 1 "$RUNS"); do
	for rate in $RATES; do
		for t in $TOOLS; do one standard "$t" "$rate" "$k" "$PORTS"; done
	done
	for t in $CEIL_TOOLS; do one ceiling "$t" "$CEIL_RATE" "$k" "$PORTS" "$CEIL_ARGS"; done
done
for t in $BIG_TOOLS; do one big "$t" "$BIG_RATE" 1 "$BIG_PORTS"; done

# --- The send path alone: IPv4 vs IPv6 into a blackhole (after the lab runs).
bh6_down() {
	[ -n "${BH6:-}" ] || return 0
	ip netns del "$BH6-scan" 2>/dev/null
	ip netns del "$BH6-sink" 2>/dev/null
	BH6=
}
bh6_up() {
	BH6=pv6bh$$
	. "$LAB_DIR/ns_base.sh"
	ip netns add "$BH6-scan" && ip netns add "$BH6-sink" && ns_base "$BH6-scan" && ns_base "$BH6-sink" &&
		ns_ipv6 "$BH6-scan" &&
		ip link add eth0 netns "$BH6-scan" type veth peer name eth0 netns "$BH6-sink" &&
		ip -n "$BH6-scan" addr add 198.18.0.1/24 dev eth0 &&
		ip -n "$BH6-scan" addr add 2001:db8:0:1::1/64 dev eth0 nodad &&
		ip -n "$BH6-scan" link set eth0 up && ip -n "$BH6-sink" link set eth0 up &&
		ip -n "$BH6-scan" neigh add 198.18.0.254 lladdr 02:00:00:00:00:fe dev eth0 nud permanent &&
		ip -n "$BH6-scan" -6 neigh add 2001:db8:0:1::fe lladdr 02:00:00:00:00:fe dev eth0 nud permanent &&
		ip -n "$BH6-scan" route add 198.19.0.0/16 via 198.18.0.254 &&
		ip -n "$BH6-scan" -6 route add 2001:db8:100::/48 via 2001:db8:0:1::fe || {
		echo "ipv6: cannot build the blackhole namespaces" >&2
		bh6_down
		return 1
	}
	sleep 0.5 # the MLD reports of the new address are over
}
bh_frames() { ip netns exec "$BH6-sink" cat /sys/class/net/eth0/statistics/rx_packets; }
BHLOG=$OUT/blackhole.tsv
if [ "$BH_RUNS" -gt 0 ] && [ -x "$PORTUS" ] && [ "$(date +%s)" -lt "$DEADLINE" ]; then
	lab_down
	trap 'bh6_down' EXIT
	if bh6_up; then
		printf 'family\tthreads\tk\ttargets\tprobes_sent\tsink\twall\trate_pps\tuser_s\tsys_s\trss_kib\tload1\n' >"$BHLOG"
		for k in $(seq 1 "$BH_RUNS"); do
			for th in 1 2; do
				for fam in 4 6; do
					[ "$fam" = 4 ] && tgt=$PREFIX || tgt=$PREFIX6
					tag=$OUT/bh-v$fam-t$th-k$k
					echo "portus $tgt -p $BH_PORTS --rate 100000000 --retries 0 --wait 200 --exclude-file /dev/null" \
						"--no-status --open --send-threads $th -oJ $tag.json" >"$tag.cmd"
					l=$(load1); a=$(bh_frames); t0=$(now)
					ip netns exec "$BH6-scan" /usr/bin/time -v -o "$tag.time" timeout -k 5 "$TOOL_TIMEOUT" \
						"$PORTUS" "$tgt" -p "$BH_PORTS" --rate 100000000 --retries 0 --wait 200 \
						--exclude-file /dev/null --no-status --open --send-threads "$th" -oJ "$tag.json" \
						>"$tag.stdout" 2>"$tag.log"
					t1=$(now); b=$(bh_frames)
					python3 - "$fam" "$th" "$k" "$tag" "$((b - a))" "$(echo "$t1 - $t0" | bc)" "$l" >>"$BHLOG" <<'PY'
import json, re, sys
fam, th, k, tag, sink, wall, load = sys.argv[1:]
summ = {}
for line in open(tag + ".json"):
    if line.startswith('{"type":"summary"'):
        summ = json.loads(line)
t = open(tag + ".time").read()
g = lambda pat: re.search(pat, t).group(1)
print("\t".join(map(str, (fam, th, k, summ.get("targets"), summ.get("probes_sent"), sink, wall,
      summ.get("rate_pps"), g(r"User time \(seconds\): ([0-9.]+)"),
      g(r"System time \(seconds\): ([0-9.]+)"), g(r"Maximum resident set size \(kbytes\): (\d+)"), load))))
PY
					tail -1 "$BHLOG"
					sleep 1
				done
			done
		done
		bh6_down
	fi
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
T_SCANS=$(($(date +%s) - T_START))
lab_down

# --- Scoring, after the timed part (2 at a time), then the tables.
echo "ipv6: scoring $(($(wc -l <"$RUNLOG") - 1)) outputs (nothing timed now)"
python3 - "$RUNLOG" "$CHECK" "$OUT/truth.json" <<'PY'
import csv, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
runlog, check, truth = sys.argv[1:4]
rows = list(csv.DictReader(open(runlog), delimiter="\t"))
def score(r):
    base = r["files"].split()[0].rsplit(".", 1)[0]
    base = base.rsplit("-", 1)[0] if r["tool"] == "zmap" else base
    cmd = ["python3", check, "--truth", truth, "--targets", r["targets_spec"], "--ports",
           r["ports"], "--format", r["format"], "--score", "--score-json", base + ".score.json",
           "--max-diff", "5"] + r["files"].split()
    with open(base + ".score.txt", "w") as f:
        subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
with ThreadPoolExecutor(2) as ex:
    list(ex.map(score, rows))
PY

python3 - "$RUNLOG" "$OUT" "$SKIPPED" <<'PY' | tee "$OUT/table.md"
import csv, json, os, statistics, sys
runlog, out, skipped = sys.argv[1:4]
rows = list(csv.DictReader(open(runlog), delimiter="\t"))
def base(r):
    b = r["files"].split()[0].rsplit(".", 1)[0]
    return b.rsplit("-", 1)[0] if r["tool"] == "zmap" else b
for r in rows:
    try:
        r["score"] = json.load(open(base(r) + ".score.json"))
    except (OSError, ValueError):
        r["score"] = None
    r["summary"] = {}
    if r["format"] == "portus-json" and os.path.exists(r["files"]):
        with open(r["files"], "rb") as f:
            f.seek(max(0, os.path.getsize(r["files"]) - 4096))
            for line in f.read().splitlines():
                if line.startswith(b'{"type":"summary"'):
                    r["summary"] = json.loads(line)
    r["wall"] = float(r["wall"]); r["probes"] = int(r["probes"])
    r["pps"] = r["probes"] / r["wall"] if r["wall"] > 0 else 0
def med(xs, fmt="{:,.0f}"):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    m = statistics.median(xs)
    return fmt.format(m) if len(xs) == 1 else f"{fmt.format(m)} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"
def cell(rs, k):
    vals = [r["score"][k] for r in rs if r["score"]]
    if not vals:
        return "-"
    worst = min(vals, key=lambda v: v[0])
    return f"{worst[0]:,}/{worst[1]:,}" + (" ✓" if all(v[0] == v[1] for v in vals) else "")
NAMES = {"portus6": "portus IPv6", "portus4": "portus IPv4", "mixed": "portus IPv4+IPv6",
         "masscan": "masscan -6", "nmap": "nmap -6", "zmap": "zmap"}
print("Columns: median (min-max) over the runs; open/closed/filtered = correct/truth of the "
      "worst run (✓ = every run exact); wrong = per run. * = never reports filtered "
      "(absent = filtered).\n")
for part in ("standard", "ceiling", "big"):
    prs = [r for r in rows if r["part"] == part]
    if not prs:
        continue
    print(f"### {part}\n")
    print("| tool | version | plan | targets | --rate | runs | wall s | probes | probes/s | open | closed "
          "| filtered | wrong | peak RSS MiB | rate_pps (summary) | pcap_dropped / if_dropped | load | note |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    keys = []
    for r in prs:
        k = (r["tool"], r["rate"])
        if k not in keys:
            keys.append(k)
    for tool, rate in keys:
        rs = [r for r in prs if (r["tool"], r["rate"]) == (tool, rate)]
        r0 = rs[0]
        star = "*" if r0["score"] and r0["score"]["filtered_by_absence"] else ""
        wrong = ", ".join(f"{r['score']['targets'] - r['score']['correct']:,}" if r["score"] else "?"
                          for r in rs)
        notes = sorted({r["note"] for r in rs if r["note"]} |
                       {f"exit {r['rc']}" for r in rs if r["rc"] != "0"} |
                       {f"lab lost {int(r['replies']) - int(r['rx']):,} replies" for r in rs
                        if int(r["rx"]) < int(r["replies"])})
        sm = [r["summary"] for r in rs if r["summary"]]
        drops = ", ".join(f"{s.get('pcap_dropped', '?')} / {s.get('if_dropped', '?')}" for s in sm) or "-"
        print(f"| {NAMES.get(tool, tool)} | {r0['version']} | {r0['targets_spec']} x {r0['ports']} | "
              f"{int(r0['targets']):,} | {int(rate):,} | {len(rs)} | {med([r['wall'] for r in rs], '{:.2f}')} | "
              f"{med([r['probes'] for r in rs])} | {med([r['pps'] for r in rs])} | {cell(rs, 'open')} | "
              f"{cell(rs, 'closed')} | {cell(rs, 'filtered')}{star} | {wrong} | "
              f"{med([int(r['rss_kib']) / 1024 if r['rss_kib'] else None for r in rs], '{:.1f}')} | "
              f"{med([s.get('rate_pps') for s in sm]) if sm else '-'} | {drops} | "
              f"{', '.join(r['load1'] for r in rs)} | {'; '.join(notes)} |")
    print()
# IPv4 vs IPv6, portus, same-size plans, same rate.
pr = [r for r in rows if r["tool"] in ("portus4", "portus6", "mixed")]
if pr:
    print("### portus: IPv6 vs IPv4 (same plan size, same rate)\n")
    print("| part | --rate | IPv4 wall s | IPv6 wall s | mixed wall s | IPv6 / IPv4 wall | IPv4 rate_pps | "
          "IPv6 rate_pps | mixed rate_pps | wrong IPv4 / IPv6 / mixed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    seen = []
    for r in pr:
        k = (r["part"], r["rate"])
        if k in seen:
            continue
        seen.append(k)
        by = {t: [x for x in pr if (x["part"], x["rate"], x["tool"]) == (k[0], k[1], t)]
              for t in ("portus4", "portus6", "mixed")}
        mw = {t: statistics.median([x["wall"] for x in v]) if v else None for t, v in by.items()}
        ratio = f"{mw['portus6'] / mw['portus4']:.2f}" if mw["portus6"] and mw["portus4"] else "-"
        def rp(t):
            v = [x["summary"].get("rate_pps") for x in by[t] if x["summary"]]
            return med(v)
        def wr(t):
            return "+".join(str(x["score"]["targets"] - x["score"]["correct"]) if x["score"] else "?"
                            for x in by[t]) or "-"
        print(f"| {k[0]} | {int(k[1]):,} | {med([x['wall'] for x in by['portus4']], '{:.2f}')} | "
              f"{med([x['wall'] for x in by['portus6']], '{:.2f}')} | "
              f"{med([x['wall'] for x in by['mixed']], '{:.2f}')} | {ratio} | {rp('portus4')} | "
              f"{rp('portus6')} | {rp('mixed')} | {wr('portus4')} / {wr('portus6')} / {wr('mixed')} |")
    print()
z = os.path.join(out, "zmap-unsupported.txt")
if os.path.exists(z):
    ver = open(z).read().split("\t")[1]
    print(f"zmap {ver}: cannot scan IPv6 (no --ipv6-target-file, no ipv6_tcp_synscan module; "
          "see preflight.txt): no row.\n")
if skipped.strip():
    print(f"Skipped (budget): {skipped.strip()}\n")
PY
if [ -s "$BHLOG" ]; then
	python3 - "$BHLOG" "$PREFIX" "$PREFIX6" "$BH_PORTS" <<'PY' | tee -a "$OUT/table.md"
import csv, statistics, sys
log, p4, p6, ports = sys.argv[1:]
rows = list(csv.DictReader(open(log), delimiter="\t"))
print("### blackhole: the send path alone (no lab gateway), --rate 100000000 --retries 0\n")
print("| family | plan | --send-threads | runs | probes at sink = probes_sent | wall s | rate_pps (summary) "
      "| user s | sys s | user ns / probe | peak RSS MiB | load |")
print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
def med(xs, f="{:,.0f}"):
    m = statistics.median(xs)
    return f.format(m) if len(xs) == 1 else f"{f.format(m)} ({f.format(min(xs))}-{f.format(max(xs))})"
for th in ("1", "2"):
    for fam in ("4", "6"):
        rs = [r for r in rows if r["family"] == fam and r["threads"] == th]
        if not rs:
            continue
        ok = all(r["probes_sent"] == r["sink"] == r["targets"] for r in rs)
        n = int(rs[0]["targets"])
        print(f"| IPv{fam} | {p4 if fam == '4' else p6} x {ports} | {th} | {len(rs)} | "
              f"{'yes' if ok else 'no: ' + ', '.join(r['sink'] for r in rs)} | "
              f"{med([float(r['wall']) for r in rs], '{:.2f}')} | {med([float(r['rate_pps']) for r in rs])} | "
              f"{med([float(r['user_s']) for r in rs], '{:.2f}')} | {med([float(r['sys_s']) for r in rs], '{:.2f}')} | "
              f"{med([float(r['user_s']) * 1e9 / n for r in rs])} | "
              f"{med([int(r['rss_kib']) / 1024 for r in rs], '{:.1f}')} | {', '.join(r['load1'] for r in rs)} |")
print()
PY
fi
{
	echo
	echo "Lab: $PREFIX6 + $PREFIX (AnyIP, one target namespace); $(nproc) CPUs; kernel $(uname -r);" \
		"$(date -u +%Y-%m-%d); load average at start $LOAD0, after the scans $LOAD1;" \
		"$T_SCANS s of scans; portus $PORTUS ($ver_portus), masscan $ver_masscan, nmap $ver_nmap, zmap $ver_zmap."
} | tee -a "$OUT/table.md"
# The largest outputs (1 M targets x ~150 B) are not kept once scored.
find "$OUT" -name 'big-*.json' ! -name '*.score.json' -size +50M -delete
echo "results: $OUT"
