#!/bin/bash
# 1% of the replies (SYN-ACK, RST, ICMP) are dropped in the responders' output
# hook (nftables numgen). With the default --retries 2 every answering target
# still gets an answer unless all 3 replies are lost: p = 0.01^3 = 1e-6 per
# target. The plan keeps the answering targets near 2,600 (so ~0.3% of runs
# could lose one by pure chance) while still covering every rule of the lab:
# 198.19.0.0/23 + a /26 of 198.19.2.0/24 (host-unreach) and of 198.19.3.0/24
# (RST from nftables), plus the on-link hosts.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/22 --loss 10
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/23 198.19.2.0/26 198.19.3.0/26 198.18.0.10-198.18.0.23"
PORTS=22,80,443,8080,8081

# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null \
	-oJ "$ART/scan.json" $TARGETS >"$ART/stdout.txt" 2>"$ART/stderr.txt" ||
	fail "portus exited $? (stderr: $(tail -3 "$ART/stderr.txt"))"
check --targets "$TARGETS" --ports "$PORTS" "$ART/scan.json" || fail "results wrong under 1% reply loss"
echo "PASS: $TEST_NAME"
