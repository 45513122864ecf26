#!/bin/sh
# replay.sh — build and run the receive-path replay benchmark (bench/replay.c).
#
#   bench/replay.sh [--no-callgrind] [replay options: --prefix CIDR --runs N
#                   --reps N --cpu N --garbage PERMILLE --dups PERMILLE]
#
# Builds build/libportus.a with the Makefile, then build/bench/replay with the
# Makefile's compiler flags (plus -Isrc: the benchmark compiles the receiver's
# src/receiver.c into itself). Runs it pinned to one CPU: the median of 5
# runs of 10 replays of a generated capture, every replay verified against
# the capture's truth. Then, if valgrind is installed, counts instructions
# per frame with callgrind over one replay (only replay_frames is collected)
# and keeps the annotated profile. Output goes to bench/results/replay-<UTC>/.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CALLGRIND=1
if [ "${1:-}" = --no-callgrind ]; then CALLGRIND=0; shift; fi
OUT=$ROOT/bench/results/replay-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT" build/bench

make --no-print-directory build/libportus.a >/dev/null
# The Makefile's flags (keep in step with its WARN/HARDEN/CPPFLAGS/LDFLAGS).
WARN="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
 -Wformat=2 -Wimplicit-fallthrough -Wvla -Wpointer-arith -Wcast-qual"
${CC:-cc} -Iinclude -Isrc -Ibuild/gen -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -O2 -g -std=c11 \
	$WARN -fstack-protector-strong -pthread -o build/bench/replay bench/replay.c \
	build/libportus.a -pthread -Wl,-z,relro -Wl,-z,now -lpcap -ldumbnet -lssl -lcrypto -lm

PCAP=$OUT/replies.pcap
{
	echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# build/bench/replay --pcap $PCAP $*"
} | tee "$OUT/replay.txt"
build/bench/replay --pcap "$PCAP" "$@" | tee -a "$OUT/replay.txt"

if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
	# One replay after the (uncollected) warm-up; Ir of replay_frames and
	# everything it calls, divided by the frames it handled.
	valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
		--toggle-collect=replay_frames build/bench/replay --pcap "$PCAP" --runs 1 --reps 1 \
		"$@" >"$OUT/callgrind.txt" 2>&1
	frames=$(sed -n 's/^capture: [^,]*, \([0-9]*\) frames.*/\1/p' "$OUT/callgrind.txt")
	# Collected = warm-up replay + 1 timed replay.
	ir=$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$OUT/callgrind.out")
	callgrind_annotate --inclusive=yes "$OUT/callgrind.out" >"$OUT/callgrind-inclusive.txt" 2>/dev/null || true
	callgrind_annotate "$OUT/callgrind.out" >"$OUT/callgrind-self.txt" 2>/dev/null || true
	# on_packet inclusive = the receiver's per-frame work (the ring drain,
	# the main thread's share, is outside it).
	rx=$(grep ':on_packet \[' "$OUT/callgrind-inclusive.txt" | head -1 | awk '{ gsub(",", "", $1); print $1 }')
	valid=$(sed -n 's/.*valid replies \([0-9]*\)$/\1/p' "$OUT/callgrind.txt")
	awk -v ir="$ir" -v rx="$rx" -v f="$frames" -v v="$valid" 'BEGIN {
		printf "callgrind: on_packet %s instructions for 2 replays of %s frames: %.1f instructions/frame, %.1f per valid reply (with the ring drain: %.1f/frame)\n",
			rx, f, rx / (2 * f), rx / (2 * v), ir / (2 * f) }' | tee -a "$OUT/replay.txt"
	echo "callgrind: top functions by self cost ($OUT/callgrind-self.txt):" | tee -a "$OUT/replay.txt"
	sed -n '/^Ir/,$p' "$OUT/callgrind-self.txt" | sed -n '3,16p' | tee -a "$OUT/replay.txt"
fi
echo "results: $OUT"
