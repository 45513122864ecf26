#!/bin/bash
# IPv6 and mixed runs on the lab: portus must get every (address, port) of a
# plan that mixes IPv4 and IPv6 right (state, reason, hop limit, the router or
# target that sent an ICMPv6 error), call the silent on-link IPv6 hosts down
# (no Neighbor Advertisement) and probe each IPv6 target exactly once per
# pass, whichever thread sends it.
#   IPv4: routed 198.19.0.0/22 + on-link 198.18.0.10-23 (3 up)
#   IPv6: routed 2001:db8:100::/117 (every rule block of the lab's /112:
#         plain, 443 dropped, address unreachable from the target, RST on 80,
#         address unreachable from the gateway), addresses outside the prefix
#         and the segment (dropped), on-link 2001:db8:0:1::10-::23 (3 up)
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/22
lab_truth "$ART/truth.json"

PORTS=22,80,443,8080,8081
P6=2001:db8:100
SEG6=2001:db8:0:1
TARGETS4="198.19.0.0/22 198.18.0.10-198.18.0.23"
OUTSIDE6="$P6::1:0 $P6:1::1 2001:db8:200::1 2001:db8:0:2::1"
TARGETS6="$P6::/117 $OUTSIDE6 $SEG6::10-$SEG6::23"
syns6() { lab_counter "$LAB_NS_GW" ip6 syns; }

# 1. One mixed run: both families in one plan, one permutation.
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null \
	-oJ "$ART/mixed.json" -oX "$ART/mixed.xml" $TARGETS4 $TARGETS6 \
	>"$ART/stdout-mixed.txt" 2>"$ART/stderr-mixed.txt" ||
	fail "mixed run exited $? (stderr: $(tail -3 "$ART/stderr-mixed.txt"))"
check --targets "$TARGETS4 $TARGETS6" --ports "$PORTS" "$ART/mixed.json" ||
	fail "mixed IPv4+IPv6 NDJSON does not match the truth"
# Hosts that answer nothing are counted, not listed, in -oX (nmap without
# -Pn): the XML is checked on the addresses that answer.
check --targets "$TARGETS4 $P6::/117 $SEG6::10-$SEG6::23" --ports "$PORTS" --format nmap-xml \
	"$ART/mixed.xml" || fail "mixed IPv4+IPv6 nmap XML does not match the truth"
grep -q '"scanner_ip6":"2001:db8:0:1::1"\|2001:db8:0:1::1' "$ART/mixed.json" ||
	fail "the summary/records never name the IPv6 source 2001:db8:0:1::1"

# 2. IPv6 only: the interface, source and router come from the IPv6 route.
# Three threads and no retry: every routed IPv6 target gets exactly one SYN.
routed6=$((2048 * 5))
s0=$(syns6)
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --send-threads 3 --retries 0 --exclude-file /dev/null \
	-oJ "$ART/v6.json" $P6::/117 >"$ART/stdout-v6.txt" 2>"$ART/stderr-v6.txt" ||
	fail "IPv6-only run exited $? (stderr: $(tail -3 "$ART/stderr-v6.txt"))"
s=$(($(syns6) - s0))
[ "$s" = "$routed6" ] || fail "--send-threads 3 sent $s IPv6 SYNs to the routed prefix, want $routed6 (each once)"
check --targets "$P6::/117" --ports "$PORTS" "$ART/v6.json" ||
	fail "IPv6-only NDJSON (3 threads) does not match the truth"
grep -q "\"probes_sent\":$routed6," "$ART/v6.json" ||
	fail "IPv6-only summary does not count $routed6 probes"

# 3. -S for both families, on-link IPv6 only (host discovery by NDP).
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null -S "$LAB_SCANNER_IP6" \
	-S "$LAB_SCANNER_IP" -oJ "$ART/onlink6.json" "$SEG6::10-$SEG6::23" 198.18.0.10-198.18.0.23 \
	>"$ART/stdout-onlink6.txt" 2>"$ART/stderr-onlink6.txt" ||
	fail "on-link run exited $? (stderr: $(tail -3 "$ART/stderr-onlink6.txt"))"
check --targets "$SEG6::10-$SEG6::23 198.18.0.10-198.18.0.23" --ports "$PORTS" "$ART/onlink6.json" ||
	fail "on-link IPv6+IPv4 NDJSON does not match the truth"
down6=$(grep -c '"reason":"no-nd-response"' "$ART/onlink6.json")
[ "$down6" = 17 ] || fail "$down6 on-link IPv6 hosts reported down by no-nd-response, want 17"

# 4. A source address that is not on the interface: the replies never come
# back, so everything routed is filtered (no-response), and nothing crashes.
portus_scan -p 80 --rate 20000 --retries 0 --wait 200 --exclude-file /dev/null \
	-S 2001:db8:0:1::99 -oJ "$ART/wrongsrc.json" "$P6::1" \
	>"$ART/stdout-wrongsrc.txt" 2>"$ART/stderr-wrongsrc.txt" ||
	fail "-S with a foreign IPv6 source exited $? (stderr: $(tail -3 "$ART/stderr-wrongsrc.txt"))"
grep -q '"ip":"2001:db8:100::1","port":80,"proto":"tcp","state":"filtered","reason":"no-response"' \
	"$ART/wrongsrc.json" ||
	fail "a probe from a foreign source was not reported filtered: $(head -c 300 "$ART/wrongsrc.json")"
# 5. Shards and resume on the mixed plan: two shards of one seed cover it
# exactly once; a run interrupted early and resumed gives the whole truth.
MIX="$TARGETS4 $P6::/118 $SEG6::10-$SEG6::23"
for k in 1 2; do
	# shellcheck disable=SC2086
	portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null --seed 7 --shard $k/2 \
		-oJ "$ART/shard$k.json" $MIX >/dev/null 2>"$ART/stderr-shard$k.txt" ||
		fail "shard $k/2 exited $? (stderr: $(tail -3 "$ART/stderr-shard$k.txt"))"
done
check --targets "$MIX" --ports "$PORTS" "$ART/shard1.json" "$ART/shard2.json" ||
	fail "two shards of the mixed plan do not add up to the truth"
COMMON=(-p "$PORTS" --rate 4000 --exclude-file /dev/null --no-status)
# shellcheck disable=SC2086
portus_scan "${COMMON[@]}" -oJ "$ART/part-a.json" $MIX >/dev/null 2>"$ART/part-a.err" &
pid=$!
sleep 0.8
pkill -INT -f "^$PORTUS ${COMMON[*]} -oJ $ART/part-a.json" || true
wait "$pid"
rc=$?
[ "$rc" = 130 ] || fail "interrupted mixed scan exited $rc, expected 130 ($(tail -2 "$ART/part-a.err"))"
# shellcheck disable=SC2086
portus_scan "${COMMON[@]}" --resume "$ART/part-a.json" -oJ "$ART/part-b.json" $MIX \
	>/dev/null 2>"$ART/part-b.err" || fail "resume of the mixed scan exited $? ($(tail -2 "$ART/part-b.err"))"
check --targets "$MIX" --ports "$PORTS" "$ART/part-a.json" "$ART/part-b.json" ||
	fail "interrupted + resumed mixed scan differs from the truth"
echo "PASS: $TEST_NAME"
