#!/bin/sh
# sweep_scale.sh [SIZES] — `portus diff`, `merge` and `report` on result files
# of 1 M, 10 M and 100 M port records (default "1000000 10000000 100000000"):
# wall time and peak RSS of each, beside ndiff on the same two scans as nmap
# XML while they are at most NDIFF_MAX records (default 1000000; ndiff needs
# ~1.3 GB and ~50 s per million).
#
# The files come from bench/gen_results.c (synthetic, nothing is sent): OLD in
# address order, NEW as a scan writes it (open records first) with 0.1 % of
# the targets flipped, 10 ports per address, IPv4 then IPv6. They are written
# to TMPDIR (a 100 M file is ~15 GB) and removed after each size. Each output
# is checked: diff's port-opened + port-closed must equal the flips the
# generator made, merge must write every record once.
#
# Output: one line per run and a table in bench/results/sweep-<UTC time>/.
set -eu
SIZES=${1:-"1000000 10000000 100000000"}
NDIFF_MAX=${NDIFF_MAX:-1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PORTUS=${PORTUS:-$ROOT/portus}
OUT=$ROOT/bench/results/sweep-$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/portus-sweep.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
mkdir -p "$OUT"
[ -x "$PORTUS" ] || { echo "sweep_scale: no portus at $PORTUS (make first)" >&2; exit 2; }
cc -O2 -Wall -Wextra -o "$WORK/gen" "$HERE/gen_results.c"

# run NAME CMD...: wall seconds and peak RSS (KB) of CMD into the table.
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || true
	# (time says "Command exited with non-zero status 1" first for diff's
	# "changes found": the figures are the last line)
	read -r secs kb <<EOF
$(tail -n 1 "$WORK/time")
EOF
	printf '| %s | %s | %s | %.0f |\n' "$n" "$name" "$secs" "$((kb / 1024))" | tee -a "$OUT/table.md"
}

echo "$("$PORTUS" --version | head -1), $(nproc) CPUs, $(date -u +%FT%TZ)" | tee "$OUT/table.md"
printf '\n| records | command | seconds | peak RSS MB |\n|---|---|---|---|\n' | tee -a "$OUT/table.md"
for n in $SIZES; do
	"$WORK/gen" "$n" >"$WORK/old.json"
	"$WORK/gen" "$n" --change 0.001 --day 2 --scan-order >"$WORK/new.json"
	run "portus diff OLD NEW" "$PORTUS" diff "$WORK/old.json" "$WORK/new.json" -o "$WORK/diff.json"
	flips=$(grep -c '"alert":"port-\(opened\|closed\)"' "$WORK/diff.json" || true)
	run "portus merge NEW" "$PORTUS" merge "$WORK/new.json" -o "$WORK/merged.json"
	merged=$(grep -c '"type":"port"' "$WORK/merged.json" || true)
	rm -f "$WORK/merged.json"
	run "portus report NEW" "$PORTUS" report -o "$WORK/report.html" "$WORK/new.json"
	[ "$merged" = "$n" ] || { echo "sweep_scale: merge wrote $merged port records of $n" >&2; exit 1; }
	if [ "$n" -le "$NDIFF_MAX" ]; then
		"$WORK/gen" "$n" --xml >"$WORK/old.xml"
		"$WORK/gen" "$n" --change 0.001 --day 2 --xml >"$WORK/new.xml"
		run "ndiff OLD.xml NEW.xml" ndiff "$WORK/old.xml" "$WORK/new.xml"
		# ndiff prints each changed port as a -/+ pair of lines.
		nd=$(grep -c '^+.*tcp' "$WORK/stdout" || true)
		echo "  ndiff: $nd ports changed; portus diff: $flips port-opened/port-closed" | tee -a "$OUT/table.md"
		rm -f "$WORK/old.xml" "$WORK/new.xml"
	fi
	rm -f "$WORK/old.json" "$WORK/new.json" "$WORK/diff.json" "$WORK/report.html"
done
echo "sweep_scale: $OUT/table.md"
