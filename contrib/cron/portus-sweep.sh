#!/bin/sh
# portus-sweep.sh — one sweep: scan, diff against the last complete run, keep
# a bounded history. For cron or the systemd timer in contrib/systemd/.
#
#   portus-sweep.sh [-d STATE_DIR] [-k KEEP] [-e EXPIRY_DAYS] -- SCAN_ARGS...
#
#   STATE_DIR    runs/ and alerts/ live here (default /var/lib/portus-sweep)
#   KEEP         runs (and alert files) kept, oldest removed first (default 30)
#   EXPIRY_DAYS  portus diff --expiry-days (default 30)
#   SCAN_ARGS    what to scan: portus's own options and targets, e.g.
#                --seed 7 -p 22,80,443 --tls 10.0.0.0/16
#   PORTUS       environment: the portus binary (default: portus on PATH)
#
# Each run is STATE_DIR/runs/<UTC time>.json (-oJ, native NDJSON). A run
# without a summary, or interrupted, is not kept as a baseline. When there is
# a previous run, the alerts go to STATE_DIR/alerts/<UTC time>.json and the
# one-line summary of portus diff to stderr (cron mails it; journald keeps it).
#
# Exit: 0 no change (or first run), 1 changes, 2 failure. Only one sweep runs
# at a time per STATE_DIR (flock).
set -eu

PORTUS=${PORTUS:-portus}
STATE=/var/lib/portus-sweep
KEEP=30
EXPIRY=30

die() {
	echo "portus-sweep: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	-d) [ $# -ge 2 ] || die "-d needs a directory"; STATE=$2; shift 2 ;;
	-k) [ $# -ge 2 ] || die "-k needs a number"; KEEP=$2; shift 2 ;;
	-e) [ $# -ge 2 ] || die "-e needs a number"; EXPIRY=$2; shift 2 ;;
	--) shift; break ;;
	*) die "unknown option $1 (usage: portus-sweep.sh [-d DIR] [-k KEEP] [-e DAYS] -- SCAN_ARGS...)" ;;
	esac
done
case $KEEP in '' | *[!0-9]* | 0) die "-k: a number of runs >= 1 expected" ;; esac
[ $# -gt 0 ] || die "nothing to scan: give portus's scan arguments after --"

mkdir -p "$STATE/runs" "$STATE/alerts" || die "cannot create $STATE"
exec 9>"$STATE/.lock"
flock -n 9 || die "another sweep is running in $STATE"

# Names sort in time order: UTC, nanoseconds, so two sweeps never collide.
ts=$(date -u +%Y%m%dT%H%M%S.%NZ)
new=$STATE/runs/$ts.json
last=$(find "$STATE/runs" -maxdepth 1 -name '*.json' | sort | tail -n 1)

if ! "$PORTUS" -oJ "$new.part" "$@"; then
	rm -f "$new.part"
	die "the scan failed; $STATE/runs unchanged"
fi
# Only a complete run is a baseline for the next diff.
if ! grep -q '"type":"summary".*"interrupted":false' "$new.part"; then
	mv "$new.part" "$new.incomplete"
	die "the scan did not complete (kept as $new.incomplete, not used as a baseline)"
fi
mv "$new.part" "$new"

rc=0
if [ -n "$last" ]; then
	alerts=$STATE/alerts/$ts.json
	"$PORTUS" diff --expiry-days "$EXPIRY" -o "$alerts" "$last" "$new" || rc=$?
	[ "$rc" -le 1 ] || die "portus diff failed (exit $rc)"
	[ "$rc" = 1 ] || rm -f "$alerts"
fi

# Bounded history: the newest KEEP runs and alert files.
for d in runs alerts; do
	find "$STATE/$d" -maxdepth 1 -name '*.json' | sort | head -n "-$KEEP" |
		while IFS= read -r f; do rm -f -- "$f"; done
done
find "$STATE/runs" -maxdepth 1 -name '*.incomplete' | sort | head -n "-$KEEP" |
	while IFS= read -r f; do rm -f -- "$f"; done
exit "$rc"
