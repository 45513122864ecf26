#!/bin/bash
# Forged Neighbor Advertisements (issue 12): on-link IPv6 targets are found by
# portus's own Neighbor Solicitations, and the advertisements that answer them
# pass the same guard as ARP answers (include/onlink.h, the NA checks of
# include/reply.h). tests/lab/forger.py runs in the lab's switch namespace on
# br0, sees the scanner's solicitations (multicast, flooded by the bridge) and
# answers with frames written by hand. The IPv6 twin of test_forged_arp.sh.
#
# Scan 1, 2001:db8:0:1::10-::23 x 22,80,443 (3 up, 17 down) under an NA flood
# (forger.py --mode nd-flood): for every solicitation, at once, one
# advertisement of each flawed kind claiming the target (hop limit not 255,
# code not 0, Solicited flag clear, target multicast, ::, ::1, ours or
# IPv4-mapped, no target link-layer address option, that option zero,
# broadcast, multicast or our MAC, an option of length 0, an option running
# past the message, truncated, IPv6 destination not ours (ff02::1 ...),
# Ethernet destination a group or another station, behind a fragment header,
# IPv6 source multicast, VLAN-tagged); for the live hosts, 30 ms after the
# solicitation (after their real answer), a valid advertisement with another
# MAC (a conflict: first answer wins); all along, valid advertisements for
# addresses never asked about; after the neighbour phase, valid ones claiming
# the down hosts and conflicting ones for the live hosts.
# Expected: every state and host record exactly the truth (the down hosts
# no-nd-response), and one "NDP conflict" warning per live host on stderr
# naming its real MAC.
#
# Scan 2, the forgery no check can catch (forger.py --mode nd-claim): a valid
# solicited advertisement claiming the down host 2001:db8:0:1::20, unicast to
# us, during the neighbour phase, is believed. The probes then go to the
# forged MAC (the forger sees them) and nothing answers: ::20 comes out up
# (no host record) with 22, 80 and 443 filtered/no-response; everything else
# exactly the truth.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/28
lab_truth "$ART/truth.json"
# As test_forged.sh: br_netfilter off in this lab's switch namespace only.
BRNF=/proc/sys/net/bridge/bridge-nf-call-ip6tables
if ip netns exec "$LAB_NS_SW" test -e "$BRNF"; then
	ip netns exec "$LAB_NS_SW" sh -c "echo 0 >$BRNF" || fail "cannot turn off $BRNF in $LAB_NS_SW"
fi

SEG6=2001:db8:0:1
TARGETS=$SEG6::10-$SEG6::23
PORTS=22,80,443
UP=$SEG6::10,$SEG6::11,$SEG6::12
DOWN=$(python3 -c 'print(",".join("2001:db8:0:1::%x" % i for i in range(0x13, 0x24)))')
# Outside the plan: the router (not asked: every target is on-link), the
# neighbours of the range, an unused address, a link-local one.
UNASKED=$SEG6::fe,$SEG6::f,$SEG6::24,$SEG6::99,fe80::99
FORGER_SRC=02:f0:00:00:00:aa
CLAIM=$SEG6::20
CLAIM_MAC=02:f0:00:00:00:20

SCAN_MAC=$(ip netns exec "$LAB_NS_SCAN" cat "/sys/class/net/$LAB_IF/address")
# The scanner's kernel answers the live hosts' SYN-ACKs with RSTs, and would
# first solicit their MACs itself: frames the forger cannot tell from portus's
# solicitations. Its neighbour table gets their real MACs up front (as the
# responders know the scanner's). portus never reads that table for on-link
# targets: it solicits every one of them itself.
for h in 10 11 12; do
	mac=$(ip netns exec "plab$LAB_ID-h$h" cat "/sys/class/net/eth0/address")
	ip -n "$LAB_NS_SCAN" -6 neigh replace "$SEG6::$h" lladdr "$mac" dev "$LAB_IF" nud permanent ||
		fail "cannot add the neighbour entry of $SEG6::$h"
done
. "$ROOT/tests/integration/forger_common.sh"
# shellcheck disable=SC2016 # awk's $1 and $2
snmp6() { # NAME: a counter of the scanner namespace's IPv6 stack
	ip netns exec "$LAB_NS_SCAN" awk -v n="$1" '$1 == n { print $2 }' /proc/net/snmp6
}

# The forger refuses addresses outside 2001:db8::/32, fe80::/10, ff02::/16
# (no network needed: it exits before opening a socket).
for bad in "--up 2001:db9::10" "--down 2001:db8:0:1::13,fd00::1" "--unasked ::ffff:198.18.0.9" \
	"--claim 2002::1" "--scanner6 ::1"; do
	# shellcheck disable=SC2086
	if out=$(timeout 10 python3 "$LAB_DIR/forger.py" --mode nd-flood --iface lo --dst-mac "$SCAN_MAC" \
		--src-mac "$FORGER_SRC" --up "$UP" --down "$DOWN" --unasked "$UNASKED" $bad 2>&1); then
		fail "forger accepted $bad"
	fi
	case $out in *"2001:db8::/32, fe80::/10 and ff02::/16 only"*) ;;
	*) fail "forger refused $bad for another reason: $out" ;;
	esac
done

# ---- scan 1: the flood ---------------------------------------------------
rx0=$(rx_packets)
csum0=$(snmp6 Icmp6InCsumErrors)
na0=$(snmp6 Icmp6InNeighborAdvertisements)
start_forger "$ART/forger.json" "$ART/forger.err" --scanner6 "$LAB_SCANNER_IP6" --mode nd-flood --src-mac "$FORGER_SRC" \
	--up "$UP" --down "$DOWN" --unasked "$UNASKED" --count 20000 --duration 25 \
	--pps 2000 --late-secs 2
# --wait 4000: the scan lasts well past the neighbour phase, so the late
# forgeries (which the forger starts 0.7 s after the scanner's last
# solicitation) arrive while portus still listens, and a believed one would be
# probed in pass 2.
portus_scan -p "$PORTS" --rate 100 --wait 4000 --exclude-file /dev/null --no-status \
	-oJ "$ART/scan.json" "$TARGETS" >"$ART/stdout.txt" 2>"$ART/stderr.txt" &
scan_pid=$!
wait "$forger_pid" || fail "forger failed: $(tail -3 "$ART/forger.err")"
kill -0 "$scan_pid" 2>/dev/null || fail "portus ended before the flood did: the late forgeries did not overlap the scan"
wait "$scan_pid"
rc=$?
[ $rc = 0 ] || fail "portus exited $rc (stderr: $(tail -3 "$ART/stderr.txt"))"
rx1=$(rx_packets)
csum1=$(snmp6 Icmp6InCsumErrors)
na1=$(snmp6 Icmp6InNeighborAdvertisements)
echo "forger: $(cat "$ART/forger.json")" >&3

check --targets "$TARGETS" --ports "$PORTS" "$ART/scan.json" ||
	fail "a forged Neighbor Advertisement created or changed a state or host record"
down=$(grep -c '"state":"down","reason":"no-nd-response"' "$ART/scan.json")
[ "$down" = 17 ] || fail "$down hosts down by no-nd-response, want 17"

# Not vacuous: the forger saw every solicitation, raced each one with every
# flawed kind, sent the delayed conflicts and the late valid claims, and the
# scanner received every frame.
python3 "$ROOT/tests/integration/check_flood.py" "$ART/forger.json" "$UP" "$DOWN" --what solicitations \
	--kinds hop_limit,bad_code,not_solicited,target_multicast,target_unspecified,target_loopback,target_scanner,target_mapped,no_tlla,bad_tlla,tlla_scanner,opt_len_zero,opt_past_end,truncated,dst_not_scanner,eth_dst_group,eth_dst_other,fragment,src_multicast,vlan --count-cap 20000 || fail "the flood was not what the test needs"
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$ART/forger.json")
delta=$((rx1 - rx0))
echo "scanner $LAB_IF received $delta packets during scan 1 (forged $sent)" >&3
[ "$delta" -ge "$sent" ] || fail "scanner received only $delta packets, fewer than the $sent forged"
# The checksums are right: the scanner's own IPv6 stack, which sees every
# advertisement addressed to it, found no bad one and counted thousands.
echo "scanner kernel: $((na1 - na0)) advertisements in, $((csum1 - csum0)) checksum errors" >&3
[ "$csum1" = "$csum0" ] || fail "$((csum1 - csum0)) forged ICMPv6 checksums were wrong"
[ $((na1 - na0)) -ge 1000 ] || fail "the scanner's kernel counted only $((na1 - na0)) advertisements"

# One conflict warning per live host, keeping its real MAC; no other warning.
for h in 10 11 12; do
	mac=$(ip netns exec "plab$LAB_ID-h$h" cat "/sys/class/net/eth0/address")
	n=$(grep -c "^portus: warning: NDP conflict for $SEG6::$h: probed at $mac (first answer); ignored [0-9]* answer(s) from other MACs, first 02:f0:00:00:00:01 " "$ART/stderr.txt")
	[ "$n" = 1 ] || fail "want one conflict warning for $SEG6::$h at $mac, got $n: $(cat "$ART/stderr.txt")"
done
n=$(grep -c . "$ART/stderr.txt")
[ "$n" = 3 ] || fail "want exactly 3 stderr lines, got $n: $(cat "$ART/stderr.txt")"

# ---- scan 2: a forged claim for a down host, in the neighbour phase --------
start_forger "$ART/claim.json" "$ART/claim.err" --scanner6 "$LAB_SCANNER_IP6" --mode nd-claim --src-mac "$FORGER_SRC" \
	--claim "$CLAIM" --forged-mac "$CLAIM_MAC" --count 1000 --duration 25
portus_scan -p "$PORTS" --rate 1000 --exclude-file /dev/null --no-status \
	-oJ "$ART/claim-scan.json" "$TARGETS" >"$ART/claim-stdout.txt" 2>"$ART/claim-stderr.txt"
rc=$?
kill -TERM "$forger_pid" 2>/dev/null
wait "$forger_pid" || fail "claim forger failed: $(tail -3 "$ART/claim.err")"
[ $rc = 0 ] || fail "portus exited $rc (stderr: $(tail -3 "$ART/claim-stderr.txt"))"
echo "claim forger: $(cat "$ART/claim.json")" >&3
python3 - "$ART/claim.json" "$CLAIM" <<'EOF' || fail "the claim forgery did not happen as the test needs"
import json, sys
d = json.load(open(sys.argv[1]))
want = sorted("[%s]:%d" % (sys.argv[2], p) for p in (22, 80, 443))
ok = d["errors"] == 0 and d["kinds"].get("claim", 0) >= 1 and d["syn_targets"] == want
if not ok:
    print("claims %s, SYNs to the forged MAC %s, want %s" % (d["kinds"], d["syn_targets"], want),
          file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
# The truth, except ::20: up (no host record), every port no-response.
python3 - "$ART/truth.json" "$ART/claim-truth.json" "$CLAIM" <<'EOF' || fail "cannot write the claim truth"
import json, sys
t = json.load(open(sys.argv[1]))
t["rules"].insert(0, {"net": sys.argv[3] + "/128", "ports": None, "state": "filtered",
                      "reason": "no-response", "ttl": None})
json.dump(t, open(sys.argv[2], "w"), indent=1)
EOF
python3 "$CHECK" --truth "$ART/claim-truth.json" --targets "$TARGETS" --ports "$PORTS" \
	"$ART/claim-scan.json" || fail "the in-phase forged claim did not give the documented result"
down=$(grep -c '"state":"down","reason":"no-nd-response"' "$ART/claim-scan.json")
[ "$down" = 16 ] || fail "$down hosts down by no-nd-response in scan 2, want 16"
[ ! -s "$ART/claim-stderr.txt" ] || fail "unexpected stderr: $(cat "$ART/claim-stderr.txt")"
echo "PASS: $TEST_NAME"
