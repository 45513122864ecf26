#!/bin/bash
# hec_throughput.sh — HEC output throughput: events/s that the --hec-url
# writer delivers to the test collector (tests/lab/hec_receiver.py, which
# parses and checks every event), end to end (envelopes, batches, the sender
# thread, HTTP). Both run in a network namespace made here (loopback only)
# and removed at the end.
#
#   sudo bench/hec_throughput.sh [--events N] [--runs R]
#
# Builds build/bench/hec_throughput (bench/hec_throughput.c) against
# build/libportus.a, runs it R times (default 3) with N events (default
# 300000), checks that the receiver got exactly N events, none twice, each
# time, and prints one line per run (events/s, the writer's CPU seconds,
# requests) plus the median events/s.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EVENTS=300000
RUNS=3
while [ $# -gt 0 ]; do
	case $1 in
	--events) EVENTS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	*) echo "usage: $0 [--events N] [--runs R]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "hec_throughput: needs root (network namespace)" >&2; exit 1; }
cd "$ROOT" || exit 1
mkdir -p build/bench
make --no-print-directory build/libportus.a >/dev/null || exit 1
WARN="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
 -Wformat=2 -Wimplicit-fallthrough -Wvla -Wpointer-arith -Wcast-qual"
LIBS=$(sed -n 's/^LDLIBS *:= *//p' Makefile)
# shellcheck disable=SC2086
${CC:-cc} -Iinclude -Ibuild/gen -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -O2 -g -std=c11 $WARN \
	-fstack-protector-strong -pthread -o build/bench/hec_throughput bench/hec_throughput.c \
	build/libportus.a -pthread $LIBS || exit 1

NS=portus-hecbench-$$
TMP=$(mktemp -d /tmp/portus-hecbench.XXXXXX)
RPID=""
cleanup() {
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up || exit 1
TOKEN=bench-token

echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
	"commit $(git rev-parse --short HEAD 2>/dev/null)"
echo "# sudo bench/hec_throughput.sh --events $EVENTS --runs $RUNS"
rates=""
for r in $(seq "$RUNS"); do
	rm -f "$TMP/port"
	ip netns exec "$NS" timeout 600 python3 tests/lab/hec_receiver.py --token "$TOKEN" \
		--port-file "$TMP/port" --events "$TMP/events" --log "$TMP/log" \
		--max-seconds 590 --max-requests 1000000 2>"$TMP/receiver.err" &
	RPID=$!
	for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
	[ -s "$TMP/port" ] || { echo "receiver did not start: $(cat "$TMP/receiver.err")" >&2; exit 1; }
	# The writer's own CPU (user + system s): what the HTTP client costs, apart
	# from how fast the receiver is.
	line=$(ip netns exec "$NS" /usr/bin/time -f "cpu_s %U+%S" -o "$TMP/cpu" \
		build/bench/hec_throughput "http://127.0.0.1:$(cat "$TMP/port")" "$TOKEN" "$EVENTS") ||
		{ echo "run $r failed: $line" >&2; exit 1; }
	line="$line $(cat "$TMP/cpu")"
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=""
	got=$(wc -l <"$TMP/events")
	uniq=$(sort -u "$TMP/events" | wc -l)
	reqs=$(wc -l <"$TMP/log")
	[ "$got" = "$EVENTS" ] && [ "$uniq" = "$EVENTS" ] ||
		{ echo "run $r: receiver got $got events ($uniq distinct), want $EVENTS" >&2; exit 1; }
	echo "run $r: $line requests $reqs"
	rates="$rates $(echo "$line" | sed -n 's/.*events_per_s \([0-9]*\).*/\1/p')"
done
# shellcheck disable=SC2086
echo "median events/s: $(printf '%s\n' $rates | sort -n | sed -n "$(((RUNS + 1) / 2))p")"
