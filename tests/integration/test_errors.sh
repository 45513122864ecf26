#!/bin/bash
# Usage errors: exit status 2, exactly one line on stderr, no probe sent.
# Run inside the lab's scanner namespace (never in the host's).
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/24
bad=0
n=0

expect_usage_error() { # PATTERN DESCRIPTION ARGS...
	local pat=$1 what=$2
	shift 2
	n=$((n + 1))
	local before after rc lines
	before=$(gw_syns)
	portus_scan "$@" >"$ART/out$n.txt" 2>"$ART/err$n.txt"
	rc=$?
	after=$(gw_syns)
	lines=$(wc -l <"$ART/err$n.txt")
	if [ "$rc" != 2 ]; then
		echo "  $what: exit $rc, expected 2 (stderr: $(head -c 300 "$ART/err$n.txt"))"
		bad=$((bad + 1))
	elif [ "$lines" != 1 ]; then
		echo "  $what: $lines lines on stderr, expected one:"
		sed 's/^/    | /' "$ART/err$n.txt" | head -5
		bad=$((bad + 1))
	elif [ -n "$pat" ] && ! grep -qiE "$pat" "$ART/err$n.txt"; then
		echo "  $what: message does not match /$pat/: $(cat "$ART/err$n.txt")"
		bad=$((bad + 1))
	elif [ "$before" != "$after" ]; then
		echo "  $what: sent $((after - before)) probes before failing"
		bad=$((bad + 1))
	else
		echo "  ok: $what: $(cat "$ART/err$n.txt")"
	fi
}

expect_usage_error "target" "no target" -p 80 --exclude-file /dev/null
expect_usage_error "port" "-p 0" -p 0 --exclude-file /dev/null 198.19.0.1
expect_usage_error "" "-p 65536" -p 65536 --exclude-file /dev/null 198.19.0.1
expect_usage_error "" "198.18.0.0/33" -p 80 --exclude-file /dev/null 198.18.0.0/33
expect_usage_error "" "bad range" -p 80 --exclude-file /dev/null 198.19.0.9-198.19.0.1
expect_usage_error "" "unknown option" --no-such-option -p 80 198.19.0.1
expect_usage_error "exclu" "all targets excluded (default list has 198.18.0.0/15)" -p 80 198.19.0.0/24
expect_usage_error "" "--shard 4/3" -p 80 --exclude-file /dev/null --shard 4/3 198.19.0.1
expect_usage_error "allow-no-exclude" "/7 with an empty exclude list" -p 80 --exclude-file /dev/null 198.0.0.0/7
expect_usage_error "" "--rate 0" -p 80 --exclude-file /dev/null --rate 0 198.19.0.1

[ "$bad" = 0 ] || fail "$bad of $n error cases wrong"
echo "PASS: $TEST_NAME"
