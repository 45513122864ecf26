#!/bin/bash
# 5% of the replies (SYN-ACK, RST, ICMP) are dropped in the responders' output
# hook (nftables numgen). With the default --retries 2 an answering target is
# lost only when all 3 of its replies are: p = 0.05^3 = 1.25e-4 per target, so
# ~99.99% is expected and issue 6 asks for >= 99.9%. Every answer portus does
# report must still be exactly right (state, reason, TTL): loss may only turn
# an answer into "filtered, no-response", never into a wrong state.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/22 --loss 50
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/22 198.18.0.10-198.18.0.23"
PORTS=22,80,443,8080,8081

# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null \
	-oJ "$ART/scan.json" $TARGETS >"$ART/stdout.txt" 2>"$ART/stderr.txt" ||
	fail "portus exited $? (stderr: $(tail -3 "$ART/stderr.txt"))"
check --targets "$TARGETS" --ports "$PORTS" --min-correct 0.999 --max-diff 50 "$ART/scan.json" \
	>"$ART/check.txt" || fail "under 5% reply loss: $(tail -2 "$ART/check.txt")"
# Every mismatch must be a lost answer reported as filtered (no-response).
if grep -E '^  ' "$ART/check.txt" | grep -v 'got filtered' | grep -q .; then
	fail "a wrong state other than a lost answer: $(grep -E '^  ' "$ART/check.txt" | grep -v 'got filtered' | head -3)"
fi
tail -1 "$ART/check.txt"
echo "PASS: $TEST_NAME"
