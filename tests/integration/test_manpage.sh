#!/bin/bash
# The man page (man/portus.1) against the live program: every option that
# "portus --help" and "portus merge|diff|report --help" print has an entry in
# the page, and every entry is in --help (check_manpage.py says how each side
# is read); the page renders without a single warning through groff -ww and
# man -l; it is plain ASCII; its header names the version portus prints; the
# sections a reader looks for are there.
# portus runs only in an empty network namespace of its own (ip netns exec).
. "$(dirname "$0")/common.sh"
need_portus
MAN=$ROOT/man/portus.1
[ -f "$MAN" ] || fail "no $MAN"
command -v groff >/dev/null && command -v man >/dev/null || fail "groff/man missing (groff-base, man-db)"
NS=plab$$-man
ip netns add "$NS" || fail "ip netns add $NS"
trap 'ip netns del "$NS" 2>/dev/null' EXIT
bad=0
complain() { echo "  $*"; bad=$((bad + 1)); }

# ---- options: man page = --help, for the scan and each subcommand ----
args=()
for c in scan merge diff report; do
	if [ $c = scan ]; then ip netns exec "$NS" "$PORTUS" --help; else ip netns exec "$NS" "$PORTUS" $c --help; fi \
		>"$ART/help-$c.txt" 2>"$ART/help-$c.err" || fail "portus $c --help: exit $? ($(cat "$ART/help-$c.err"))"
	args+=("$c=$ART/help-$c.txt")
done
python3 "$ROOT/tests/integration/check_manpage.py" options "$MAN" "${args[@]}" >"$ART/options.txt"
rc=$?
cat "$ART/options.txt"
[ $rc = 0 ] || complain "the man page and --help differ (above)"

# ---- renders without warnings ----
LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z "$MAN" 2>"$ART/groff.err"
[ -s "$ART/groff.err" ] && complain "groff -ww -man -Tutf8: $(head -5 "$ART/groff.err")"
for width in 80 60; do
	LC_ALL=C.UTF-8 MANWIDTH=$width MANPAGER=cat PAGER=cat man --warnings -l "$MAN" >"$ART/man-$width.txt" 2>"$ART/man-$width.err" ||
		complain "man -l failed at width $width"
	[ -s "$ART/man-$width.err" ] && complain "man --warnings -l (width $width): $(head -5 "$ART/man-$width.err")"
done
LC_ALL=C grep -nP '[^\x00-\x7f]' "$MAN" >/dev/null && complain "non-ASCII bytes in the page: $(LC_ALL=C grep -nP '[^\x00-\x7f]' "$MAN" | head -3)"

# ---- header and sections ----
version=$(ip netns exec "$NS" "$PORTUS" --version | head -1) # "portus 0.1.0"
grep -q "^\.TH PORTUS 1 \"[0-9-]*\" \"$version\"" "$MAN" || complain ".TH does not name \"$version\": $(grep '^\.TH' "$MAN")"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS SUBCOMMANDS "OUTPUT FORMATS" "EXIT STATUS" PRIVILEGES \
	ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	grep -qx "$s" "$ART/man-80.txt" || complain "no section $s"
done
# Exit codes portus uses, privileges recipe, the three example jobs.
for want in "cap_net_raw+ep" "setcap" "portus diff" "--hec-url" "--syslog" "--format ecs" "-p 443"; do
	grep -qF -- "$want" "$ART/man-80.txt" || complain "the page never says $want"
done
sed -n '/^EXIT STATUS/,/^PRIVILEGES/p' "$ART/man-80.txt" >"$ART/exit.txt"
for code in 0 1 2 130; do
	grep -qE "^       $code\b" "$ART/exit.txt" || complain "EXIT STATUS lacks $code"
done
[ $bad = 0 ] || fail "$bad man page problems"
echo "PASS: $TEST_NAME"
