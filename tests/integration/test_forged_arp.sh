#!/bin/bash
# Forged ARP (issue 6): on-link targets are found by an ARP sweep, so forged
# ARP answers must not make a down host up nor change the MAC a live host is
# probed at. tests/lab/forger.py runs in the lab's switch namespace on br0,
# sees the scanner's ARP requests and answers with frames written by hand.
#
# Scan 1, 198.18.0.10-23 x 22,80,443 (3 up, 11 down) under an ARP flood
# (forger.py --mode arp-flood): for every request, at once, one frame of each
# flawed kind claiming the address (target IP or MAC not ours, broadcast or
# foreign Ethernet destination, requests, gratuitous ARP, bad htype/ptype/
# hlen/plen/op, truncated, sender MAC zero/broadcast/multicast/ours, sender IP
# ours, VLAN-tagged); for the live hosts, 30 ms after their real answer, a
# valid reply with another MAC (a conflict: first answer wins); all along,
# valid replies for addresses never asked about; after the ARP phase, valid
# replies claiming the down hosts and conflicting ones for the live hosts.
# Expected: every state and host record exactly the truth, and one conflict
# warning per live host on stderr naming its real MAC.
#
# Scan 2, the forgery no check can catch (forger.py --mode arp-claim): a
# valid reply claiming the down host 198.18.0.20, unicast to us, during the
# ARP phase, is believed. The probes then go to the forged MAC (the forger
# sees them) and nothing answers: 198.18.0.20 comes out up (no host record)
# with 22, 80 and 443 filtered/no-response, like a host that drops
# everything; everything else exactly the truth.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/28
lab_truth "$ART/truth.json"
# As test_forged.sh: br_netfilter off in this lab's switch namespace only.
BRNF=/proc/sys/net/bridge/bridge-nf-call-iptables
if ip netns exec "$LAB_NS_SW" test -e "$BRNF"; then
	ip netns exec "$LAB_NS_SW" sh -c "echo 0 >$BRNF" || fail "cannot turn off $BRNF in $LAB_NS_SW"
fi

TARGETS=198.18.0.10-198.18.0.23
PORTS=22,80,443
UP=198.18.0.10,198.18.0.11,198.18.0.12
DOWN=$(python3 -c 'print(",".join("198.18.0.%d" % i for i in range(13, 24)))')
# Outside the plan: the gateway (not asked: every target is on-link), the
# neighbours of the range, an unused address.
UNASKED=198.18.0.254,198.18.0.9,198.18.0.24,198.18.0.99
FORGER_SRC=02:f0:00:00:00:aa
CLAIM_MAC=02:f0:00:00:00:20

SCAN_MAC=$(ip netns exec "$LAB_NS_SCAN" cat "/sys/class/net/$LAB_IF/address")
. "$ROOT/tests/integration/forger_common.sh"

# ---- scan 1: the flood ---------------------------------------------------
rx0=$(rx_packets)
start_forger "$ART/forger.json" "$ART/forger.err" --scanner "$LAB_SCANNER_IP" --mode arp-flood --src-mac "$FORGER_SRC" \
	--up "$UP" --down "$DOWN" --unasked "$UNASKED" --count 20000 --duration 25 \
	--pps 2000 --late-secs 2
# --wait 4000: the scan lasts well past the ARP phase, so the late forgeries
# (which the forger starts 0.7 s after the scanner's last request) arrive
# while portus still listens, and a believed one would be probed in pass 2.
portus_scan -p "$PORTS" --rate 100 --wait 4000 --exclude-file /dev/null --no-status \
	-oJ "$ART/scan.json" "$TARGETS" >"$ART/stdout.txt" 2>"$ART/stderr.txt" &
scan_pid=$!
wait "$forger_pid" || fail "forger failed: $(tail -3 "$ART/forger.err")"
kill -0 "$scan_pid" 2>/dev/null || fail "portus ended before the flood did: the late forgeries did not overlap the scan"
wait "$scan_pid"
rc=$?
[ $rc = 0 ] || fail "portus exited $rc (stderr: $(tail -3 "$ART/stderr.txt"))"
rx1=$(rx_packets)
echo "forger: $(cat "$ART/forger.json")" >&3

check --targets "$TARGETS" --ports "$PORTS" "$ART/scan.json" ||
	fail "a forged ARP answer created or changed a state or host record"

# Not vacuous: the forger saw every request, raced each one with every flawed
# kind, sent the delayed conflicts and the late valid claims, and the scanner
# received every frame.
python3 "$ROOT/tests/integration/check_flood.py" "$ART/forger.json" "$UP" "$DOWN" --what requests \
	--kinds tpa_other,tha_other,eth_dst_bcast,eth_dst_other,request,gratuitous,bad_header,truncated,bad_sha,sha_scanner_ip,vlan || fail "the flood was not what the test needs"
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$ART/forger.json")
delta=$((rx1 - rx0))
echo "scanner $LAB_IF received $delta packets during scan 1 (forged $sent)" >&3
[ "$delta" -ge "$sent" ] || fail "scanner received only $delta packets, fewer than the $sent forged"

# One conflict warning per live host, keeping its real MAC; no other warning.
for h in 10 11 12; do
	mac=$(ip netns exec "plab$LAB_ID-h$h" cat "/sys/class/net/eth0/address")
	n=$(grep -c "^portus: warning: ARP conflict for 198.18.0.$h: probed at $mac (first answer); ignored [0-9]* answer(s) from other MACs, first 02:f0:00:00:00:01 " "$ART/stderr.txt")
	[ "$n" = 1 ] || fail "want one conflict warning for 198.18.0.$h at $mac, got $n: $(cat "$ART/stderr.txt")"
done
n=$(grep -c . "$ART/stderr.txt")
[ "$n" = 3 ] || fail "want exactly 3 stderr lines, got $n: $(cat "$ART/stderr.txt")"

# ---- scan 2: a forged claim for a down host, in the ARP phase ----------------
start_forger "$ART/claim.json" "$ART/claim.err" --scanner "$LAB_SCANNER_IP" --mode arp-claim --src-mac "$FORGER_SRC" \
	--claim 198.18.0.20 --forged-mac "$CLAIM_MAC" --count 1000 --duration 25
portus_scan -p "$PORTS" --rate 1000 --exclude-file /dev/null --no-status \
	-oJ "$ART/claim-scan.json" "$TARGETS" >"$ART/claim-stdout.txt" 2>"$ART/claim-stderr.txt"
rc=$?
kill -TERM "$forger_pid" 2>/dev/null
wait "$forger_pid" || fail "claim forger failed: $(tail -3 "$ART/claim.err")"
[ $rc = 0 ] || fail "portus exited $rc (stderr: $(tail -3 "$ART/claim-stderr.txt"))"
echo "claim forger: $(cat "$ART/claim.json")" >&3
python3 - "$ART/claim.json" <<'EOF' || fail "the claim forgery did not happen as the test needs"
import json, sys
d = json.load(open(sys.argv[1]))
want = ["198.18.0.20:22", "198.18.0.20:443", "198.18.0.20:80"]
ok = d["errors"] == 0 and d["kinds"].get("claim", 0) >= 1 and d["syn_targets"] == want
if not ok:
    print("claims %s, SYNs to the forged MAC %s, want %s" % (d["kinds"], d["syn_targets"], want),
          file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
# The truth, except 198.18.0.20: up (no host record), every port no-response.
python3 - "$ART/truth.json" "$ART/claim-truth.json" <<'EOF' || fail "cannot write the claim truth"
import json, sys
t = json.load(open(sys.argv[1]))
t["rules"].insert(0, {"net": "198.18.0.20/32", "ports": None, "state": "filtered",
                      "reason": "no-response", "ttl": None})
json.dump(t, open(sys.argv[2], "w"), indent=1)
EOF
python3 "$CHECK" --truth "$ART/claim-truth.json" --targets "$TARGETS" --ports "$PORTS" \
	"$ART/claim-scan.json" || fail "the in-phase forged claim did not give the documented result"
[ ! -s "$ART/claim-stderr.txt" ] || fail "unexpected stderr: $(cat "$ART/claim-stderr.txt")"
echo "PASS: $TEST_NAME"
