#!/bin/bash
# Forged replies (issue 6): while portus scans, the lab gateway floods the
# scanner with frames written by hand (tests/lab/forger.py, AF_PACKET on the
# gateway's bridge port): SYN-ACKs and RSTs from the scanned (address, port)s
# with wrong acks, bare RSTs, ICMP unreachables (codes 13, 1, 3, 10) quoting
# probes we never sent, replies from addresses never probed, truncated and
# oversized frames, IP fragments, garbage TCP options. None of them may create
# or change a state: the result must equal the truth exactly — above all the
# filtered 8080 (dropped) and 8081 (admin-prohibited / port-unreach), the
# closed 22 and the open 80/443.
# Not vacuous: the forger must have sent all its frames, the scanner's
# interface must have received them, and portus must still be scanning when
# the flood ends.
#   routed 198.19.0.0/28 (AnyIP) x 5 ports + on-link 198.18.0.10-12
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/28
lab_truth "$ART/truth.json"
# br_netfilter (when loaded) validates IPv4 headers on the bridge and drops the
# truncated and oversized frames before they reach the scanner; a real wire
# does not. Turned off in this lab's switch namespace only (a per-namespace
# setting, gone with the lab).
BRNF=/proc/sys/net/bridge/bridge-nf-call-iptables
if ip netns exec "$LAB_NS_SW" test -e "$BRNF"; then
	ip netns exec "$LAB_NS_SW" sh -c "echo 0 >$BRNF" || fail "cannot turn off $BRNF in $LAB_NS_SW"
fi

TARGETS="198.19.0.0/28 198.18.0.10-198.18.0.12"
PORTS=22,80,443,8080,8081
FORGED=20000
FORGE_SECS=4
FORGE_TARGETS=$(python3 -c 'import ipaddress as i
print(",".join([str(a) for a in i.ip_network("198.19.0.0/28")] + ["198.18.0.10", "198.18.0.11", "198.18.0.12"]))')

rx_packets() { # scanner eth0 rx packets
	ip -n "$LAB_NS_SCAN" -s -j link show dev "$LAB_IF" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}
SCAN_MAC=$(ip netns exec "$LAB_NS_SCAN" cat "/sys/class/net/$LAB_IF/address")
GW_MAC=$(ip netns exec "$LAB_NS_GW" cat "/sys/class/net/$LAB_IF/address")

rx0=$(rx_packets)
# ~95 probes at 20/s: the first pass alone lasts ~5 s, longer than the flood.
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20 --exclude-file /dev/null --no-status \
	-oJ "$ART/scan.json" $TARGETS >"$ART/stdout.txt" 2>"$ART/stderr.txt" &
scan_pid=$!
sleep 0.5 # capture open and probes under way before the first forged frame
kill -0 "$scan_pid" 2>/dev/null || fail "portus ended before the flood started (stderr: $(tail -3 "$ART/stderr.txt"))"

ip netns exec "$LAB_NS_GW" timeout -k 2 $((FORGE_SECS + 20)) python3 "$LAB_DIR/forger.py" \
	--iface "$LAB_IF" --dst-mac "$SCAN_MAC" --src-mac "$GW_MAC" --scanner "$LAB_SCANNER_IP" \
	--targets "$FORGE_TARGETS" --unprobed 198.19.0.200,198.19.0.16,198.18.0.99 \
	--ports "$PORTS" --count "$FORGED" --duration "$FORGE_SECS" \
	>"$ART/forger.json" 2>"$ART/forger.err" || fail "forger failed: $(tail -3 "$ART/forger.err")"
kill -0 "$scan_pid" 2>/dev/null || fail "portus ended before the flood did: the flood did not overlap the scan"

wait "$scan_pid"
rc=$?
[ $rc = 0 ] || fail "portus exited $rc (stderr: $(tail -3 "$ART/stderr.txt"))"
rx1=$(rx_packets)

echo "forger: $(cat "$ART/forger.json")" >&3
sent=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["sent"] if d["errors"] == 0 else -1)' "$ART/forger.json")
[ "$sent" = "$FORGED" ] || fail "forger sent $sent of $FORGED frames (errors?): $(cat "$ART/forger.json")"
delta=$((rx1 - rx0))
echo "scanner $LAB_IF received $delta packets during the scan (forged $FORGED)" >&3
[ "$delta" -ge "$FORGED" ] || fail "scanner received only $delta packets, fewer than the $FORGED forged"

check --targets "$TARGETS" --ports "$PORTS" "$ART/scan.json" || fail "a forged reply created or changed a state"
echo "PASS: $TEST_NAME"
