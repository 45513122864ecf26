#!/bin/bash
# lab6_selftest.sh — checks the IPv6 side of the lab against its own ground
# truth without portus: nmap -6 (and the kernel's TCP client) in the scanner
# namespace must see exactly what lab_truth says, the lab's links must carry
# nothing but lab addresses, and --loss must drop IPv6 replies but never
# neighbour discovery.
#
#   sudo bash tests/lab/lab6_selftest.sh        (exit 0 = the lab is right)
#
# Needs root, nmap and python3. Bounded: the whole run is killed after 300 s
# (typically ~20 s). Artifacts: tests/artifacts/lab6_selftest/ (or $ART).
#
#  1. lab_up (default prefixes: 198.19.0.0/22, 2001:db8:100::/112). nmap -6 -sS
#     -Pn -n --reason -p 22,80,443,8080,8081 on the edge addresses of every rule
#     block of the routed prefix, addresses just outside it and off the
#     segment, the gateway and 2001:db8:0:1::10-::23 (3 up, 17 down). The XML
#     is scored by check_results.py --format nmap-xml (state, reason, hop
#     limit, host down); reason_ip (nmap writes it when the ICMPv6 error came
#     from another address than the target) is checked against the truth too.
#  2. The same plan probed by a small SYN prober in Python (one SYN each from a
#     raw IPv6 socket, replies read from a packet socket, a dead on-link host
#     told by its FAILED neighbour entry), written as portus -oJ NDJSON and
#     checked by check_results.py in its strict portus-json mode. (Not
#     connect(): on veth the ICMPv6 error can arrive while connect() still
#     holds the socket lock, and the kernel keeps it only as a soft error,
#     TcpExtLockDroppedIcmps; the connect then just times out.)
#  3. nftables: the ip6 lab counters count the IPv6 SYNs, the ip lab (IPv4)
#     ones none of them; responders hold a permanent neighbour entry for the
#     scanner.
#  4. All along 1-3, every frame on the lab bridge (seen from its namespace) is
#     IPv4 within 198.18.0.0/15, ARP for it, or IPv6 between 2001:db8::/32,
#     fe80::/10, ff02::/16 (and :: as a source).
#  5. lab_up --loss 1000: the on-link hosts still answer neighbour
#     solicitations (nmap: up, nd-response), every port is no-response, and the
#     gateway's ip6 replies counter shows the replies it sent (and dropped).
set -u
if [ -z "${LAB6_SELFTEST_BOUNDED:-}" ]; then
	LAB6_SELFTEST_BOUNDED=1 exec timeout -k 10 300 bash "$0" "$@"
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_DIR=$ROOT/tests/lab
CHECK=$ROOT/tests/integration/check_results.py
ART=${ART:-$ROOT/tests/artifacts/lab6_selftest}
. "$LAB_DIR/lab.sh"

fail() {
	echo "FAIL: lab6_selftest: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || { echo "lab6_selftest: needs root (network namespaces)" >&2; exit 2; }
command -v nmap >/dev/null || { echo "lab6_selftest: needs nmap (apt-get install nmap)" >&2; exit 2; }
rm -rf "$ART"
mkdir -p "$ART"

PORTS=22,80,443,8080,8081
P6=2001:db8:100
SEG6=2001:db8:0:1
# Edge addresses of each block of 2001:db8:100::/112: plain, 443 dropped (::100),
# address unreachable from the target (::200), RST on 80 (::300), address
# unreachable from the gateway (::400), plain again (::500, the last ::ffff).
ROUTED="$P6:: $P6::1 $P6::ff $P6::100 $P6::101 $P6::1ff $P6::200 $P6::201 $P6::2ff
	$P6::300 $P6::301 $P6::3ff $P6::400 $P6::401 $P6::4ff $P6::500 $P6::ffff"
# Outside the prefix and off the segment (the gateway drops: no answer), and
# an address far into the segment (nobody's: down).
OUTSIDE="$P6::1:0 $P6:1::1 2001:db8:200::1 2001:db8:0:2::1 $SEG6:1:0:0:1"
ONLINK=$(for i in $(seq 16 35); do printf '%s::%x ' "$SEG6" "$i"; done)
GW6=$SEG6::fe
# One line, single spaces (word splitting does it).
# shellcheck disable=SC2086,SC2116
TARGETS=$(echo $ROUTED $OUTSIDE $ONLINK $GW6)

# --- the bridge watcher (step 4) --------------------------------------------
WATCH_PY='
import ipaddress as I, json, signal, socket, struct, sys, time
ok4 = [I.ip_network("198.18.0.0/15")]
ok6s = [I.ip_network(n) for n in ("2001:db8::/32", "fe80::/10", "::/128")]
ok6d = [I.ip_network(n) for n in ("2001:db8::/32", "fe80::/10", "ff02::/16")]
stop = []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # every interface
s.settimeout(0.2)
count = {}
bad = []
end = time.time() + float(sys.argv[1])
print("ready", file=sys.stderr, flush=True)
def inn(a, nets): return any(a in n for n in nets)
while not stop and time.time() < end:
    try:
        f = s.recv(65535)
    except (socket.timeout, InterruptedError):
        continue
    et = struct.unpack("!H", f[12:14])[0]
    p = f[14:]
    if et == 0x8100:
        et, p = struct.unpack("!H", f[16:18])[0], f[18:]
    kind, good = hex(et), False
    if et == 0x0800 and len(p) >= 20:
        src, dst = I.ip_address(p[12:16]), I.ip_address(p[16:20])
        kind, good = "ipv4", inn(src, ok4) and inn(dst, ok4)
    elif et == 0x0806 and len(p) >= 28:
        src, dst = I.ip_address(p[14:18]), I.ip_address(p[24:28])
        kind, good = "arp", inn(src, ok4) and inn(dst, ok4)
    elif et == 0x86dd and len(p) >= 40:
        src, dst = I.ip_address(p[8:24]), I.ip_address(p[24:40])
        kind, good = "ipv6", inn(src, ok6s) and inn(dst, ok6d)
        if dst.is_multicast:
            kind = "ipv6-multicast"
    else:
        src = dst = None
    count[kind] = count.get(kind, 0) + 1
    if not good and len(bad) < 20:
        bad.append(f"{kind} {src} -> {dst}")
print(json.dumps({"frames": count, "bad": bad}))
sys.exit(1 if bad else 0)
'
start_watch() { # OUT -> watch_pid
	ip netns exec "$LAB_NS_SW" timeout -k 2 200 python3 -c "$WATCH_PY" 180 >"$1" 2>"$1.err" &
	watch_pid=$!
	for _ in $(seq 100); do
		grep -q ready "$1.err" 2>/dev/null && return 0
		kill -0 "$watch_pid" 2>/dev/null || fail "bridge watcher did not start: $(cat "$1.err")"
		sleep 0.05
	done
	fail "bridge watcher did not start"
}
stop_watch() { # OUT
	kill -TERM "$watch_pid" 2>/dev/null
	wait "$watch_pid"
	rc=$?
	echo "bridge: $(cat "$1")"
	[ $rc = 0 ] || fail "frames outside the lab's addresses on the bridge: $(cat "$1")"
}

nmap6() { # XML TARGETS... (nmap -6 in the scanner namespace, bounded)
	xml=$1
	shift
	lab_scan timeout -k 5 120 nmap -6 -sS -Pn -n --reason -p "$PORTS" -oX "$xml" "$@"
}

# --- 1-4: the lab as built ------------------------------------------------------
lab_up || fail "lab_up failed"
lab_truth "$ART/truth.json"
echo "lab $LAB_ID: prefix6 $LAB_PREFIX6, scanner $LAB_SCANNER_IP6, gateway $LAB_GW_IP6"
start_watch "$ART/bridge.json"
gw6_syns0=$(lab_counter "$LAB_NS_GW" ip6 syns)
gw4_syns0=$(lab_counter "$LAB_NS_GW" ip syns)

# shellcheck disable=SC2086
nmap6 "$ART/nmap.xml" $TARGETS >"$ART/nmap.txt" 2>"$ART/nmap.err" ||
	fail "nmap exited $? ($(tail -3 "$ART/nmap.err"))"
python3 "$CHECK" --truth "$ART/truth.json" --targets "$TARGETS" --ports "$PORTS" \
	--format nmap-xml "$ART/nmap.xml" >"$ART/check.txt" 2>&1 ||
	fail "nmap -6 does not see the truth: $(tail -25 "$ART/check.txt")"
cat "$ART/check.txt"
# reason_ip: nmap writes it only when the ICMPv6 error came from another
# address than the target; the truth says which.
python3 - "$ART/truth.json" "$ART/nmap.xml" "$ROOT/tests/integration" <<'PY' || fail "reason_ip differs from the truth"
import sys, xml.etree.ElementTree as ET
sys.path.insert(0, sys.argv[3])
from check_results import Truth, ip2int, ICMP_REASONS
truth = Truth(sys.argv[1])
bad = n = 0
for host in ET.parse(sys.argv[2]).getroot().iter("host"):
    addrs = [a.get("addr") for a in host.findall("address") if a.get("addrtype") == "ipv6"]
    if not addrs:
        continue
    ip = ip2int(addrs[0])
    for p in host.iter("port"):
        st = p.find("state")
        r = truth.expect(ip, int(p.get("portid")))
        if st.get("reason") not in ICMP_REASONS:
            continue
        n += 1
        want = None if r.get("reason_ip") == "target" else ip2int(r["reason_ip"])
        got = ip2int(st.get("reason_ip")) if st.get("reason_ip") else None
        if got != want:
            bad += 1
            print(f"  [{addrs[0]}]:{p.get('portid')} reason_ip {st.get('reason_ip')}, truth {r.get('reason_ip')}")
print(f"reason_ip: {n} ICMPv6 answers, {n - bad} from the right address")
sys.exit(1 if bad or not n else 0)
PY

# 2: an independent SYN prober (raw IPv6 socket out, packet socket in) writes
# what a perfect portus -oJ would for the same plan; check_results.py checks
# it strictly (state, reason, hop limit, reason_ip, RFC 5952 text, host down).
# shellcheck disable=SC2086
lab_scan timeout -k 2 60 python3 - "$ART/probe.json" "$PORTS" $TARGETS <<'PY' ||
import ipaddress as I, json, os, random, socket, struct, subprocess, sys, time
out, ports, targets = sys.argv[1], [int(p) for p in sys.argv[2].split(",")], sys.argv[3:]
SCANNER, SEG = "2001:db8:0:1::1", I.ip_network("2001:db8:0:1::/64")
REASON6 = {0: "no-route", 1: "admin-prohibited", 2: "beyond-scope", 3: "host-unreach",
           4: "port-unreach", 5: "admin-prohibited", 6: "reject-route"}
sport, seq = random.randint(40000, 60000), random.getrandbits(32)
rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x86DD))
rx.bind(("eth0", 0))
rx.settimeout(0.1)
tx = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
tx.setsockopt(socket.IPPROTO_IPV6, 7, 16)  # IPV6_CHECKSUM: the kernel fills in offset 16
tx.bind((SCANNER, 0))
for t in targets:
    for p in ports:
        tx.sendto(struct.pack("!HHIIBBHHH", sport, p, seq, 0, 5 << 4, 0x02, 1024, 0, 0), (t, 0))
got = {}
end = time.time() + 3.5  # a dead on-link host: 3 neighbour solicitations, 1 s apart
while time.time() < end:
    try:
        f, a = rx.recvfrom(65535)
    except socket.timeout:
        continue
    if a[2] == socket.PACKET_OUTGOING or len(f) < 54:
        continue
    ip = f[14:]
    src, hlim, nh = str(I.ip_address(ip[8:24])), ip[7], ip[6]
    if str(I.ip_address(ip[24:40])) != SCANNER:
        continue
    if nh == 6:
        sp, dp, _s, ack, _o, flags = struct.unpack("!HHIIBB", ip[40:54])
        if dp != sport or ack != (seq + 1) & 0xFFFFFFFF:
            continue
        if flags & 0x12 == 0x12:
            rec = ("open", "syn-ack", None)
        elif flags & 0x04:
            rec = ("closed", "reset", None)
        else:
            continue
        got.setdefault((src, sp), rec + (hlim,))
    elif nh == 58 and ip[40] == 1 and len(ip) >= 48 + 40 + 8 and ip[48 + 6] == 6:
        inner = ip[48:]
        t = str(I.ip_address(inner[24:40]))
        sp, dp = struct.unpack("!HH", inner[40:44])
        if sp != sport:
            continue
        got.setdefault((t, dp), ("filtered", REASON6.get(ip[41], "icmp6-%d" % ip[41]), src, hlim))
neigh = subprocess.run(["ip", "-6", "neigh", "show", "dev", "eth0"], capture_output=True,
                       text=True).stdout
failed = {l.split()[0] for l in neigh.splitlines() if "FAILED" in l or "INCOMPLETE" in l}
counts, down = {"open": 0, "closed": 0, "filtered": 0}, 0
with open(out, "w") as f:
    for t in targets:
        ta = I.ip_address(t)
        if ta in SEG and str(ta) in failed and not any((str(ta), p) in got for p in ports):
            f.write(json.dumps({"type": "host", "ip": str(ta), "state": "down",
                                "reason": "no-nd-response", "time": time.time()}) + "\n")
            down += 1
            continue
        for p in ports:
            st, reason, rip, hl = got.get((str(ta), p), ("filtered", "no-response", None, None))
            rec = {"type": "port", "ip": str(ta), "port": p, "proto": "tcp", "state": st,
                   "reason": reason, "ttl": hl}
            if rip is not None:
                rec["reason_ip"] = rip
            rec["time"] = time.time()
            counts[st] += 1
            f.write(json.dumps(rec) + "\n")
    f.write(json.dumps({"type": "summary", "targets": len(targets) * len(ports), **counts,
                        "hosts_down": down}) + "\n")
print(f"probe: {len(targets) * len(ports)} SYNs, {len(got)} answers, {down} hosts down")
PY
	fail "the SYN prober failed"
python3 "$CHECK" --truth "$ART/truth.json" --targets "$TARGETS" --ports "$PORTS" \
	"$ART/probe.json" >"$ART/check-probe.txt" 2>&1 ||
	fail "the SYN prober does not see the truth: $(tail -25 "$ART/check-probe.txt")"
cat "$ART/check-probe.txt"

# 3: counters and neighbour entries.
gw6_syns=$(($(lab_counter "$LAB_NS_GW" ip6 syns) - gw6_syns0))
gw4_syns=$(($(lab_counter "$LAB_NS_GW" ip syns) - gw4_syns0))
h10_syns=$(lab_counter "plab$LAB_ID-h10" ip6 syns)
gw6_replies=$(lab_counter "$LAB_NS_GW" ip6 replies)
echo "counters: gateway ip6 syns +$gw6_syns, ip syns +$gw4_syns, ip6 replies $gw6_replies; h10 ip6 syns $h10_syns"
[ "$gw6_syns" -ge 100 ] || fail "the gateway's ip6 lab syns counter saw $gw6_syns SYNs"
[ "$gw4_syns" = 0 ] || fail "IPv6 SYNs counted in the IPv4 table ($gw4_syns)"
[ "$h10_syns" -ge 5 ] || fail "h10's ip6 lab syns counter saw $h10_syns SYNs"
[ "$gw6_replies" -ge 50 ] || fail "the gateway's ip6 lab replies counter: $gw6_replies"
for ns in "$LAB_NS_GW" "plab$LAB_ID-h10" "plab$LAB_ID-h11" "plab$LAB_ID-h12"; do
	ip -n "$ns" -6 neigh show "$LAB_SCANNER_IP6" | grep -q PERMANENT ||
		fail "$ns has no permanent neighbour entry for $LAB_SCANNER_IP6"
done
stop_watch "$ART/bridge.json"
lab_down

# --- 5: every reply lost, neighbour discovery intact ------------------------
lab_up --loss 1000 || fail "lab_up --loss 1000 failed"
start_watch "$ART/bridge-loss.json"
lab_scan timeout -k 5 60 nmap -6 -sS -Pn -n --reason -p "$PORTS" --max-retries 1 \
	--initial-rtt-timeout 200ms --max-rtt-timeout 200ms -oX "$ART/nmap-loss.xml" \
	"$SEG6::10" "$SEG6::11" "$SEG6::12" "$SEG6::13" "$GW6" "$P6::1" "$P6::201" \
	>"$ART/nmap-loss.txt" 2>&1 || fail "nmap (loss) exited $?"
python3 - "$ART/nmap-loss.xml" <<'PY' || fail "--loss 1000: $(cat "$ART/nmap-loss.txt")"
import sys, xml.etree.ElementTree as ET
up, ports, bad = {}, 0, []
for host in ET.parse(sys.argv[1]).getroot().iter("host"):
    a = [x.get("addr") for x in host.findall("address") if x.get("addrtype") == "ipv6"][0]
    st = host.find("status")
    up[a] = (st.get("state"), st.get("reason"))
    for p in host.iter("port"):
        ports += 1
        s = p.find("state")
        if (s.get("state"), s.get("reason")) != ("filtered", "no-response"):
            bad.append(f"{a}:{p.get('portid')} {s.get('state')}/{s.get('reason')}")
    for ex in host.iter("extraports"):
        ports += int(ex.get("count"))
        for er in ex.iter("extrareasons"):
            if (ex.get("state"), er.get("reason")) != ("filtered", "no-response"):
                bad.append(f"{a}: {er.get('count')} {ex.get('state')}/{er.get('reason')}")
for a in ("2001:db8:0:1::10", "2001:db8:0:1::11", "2001:db8:0:1::12", "2001:db8:0:1::fe"):
    if up.get(a) != ("up", "nd-response"):
        bad.append(f"{a} is {up.get(a)}, expected up by nd-response")
if "2001:db8:0:1::13" in up and up["2001:db8:0:1::13"][0] != "down":
    bad.append(f"2001:db8:0:1::13 is {up['2001:db8:0:1::13']}")
if ports != 30:
    bad.append(f"{ports} ports reported, expected 30 (6 hosts up x 5)")
for b in bad:
    print("  " + b)
print(f"loss 1000: {len(up)} hosts listed, {ports} ports, all filtered/no-response: {not bad}")
sys.exit(1 if bad else 0)
PY
replies=$(lab_counter "$LAB_NS_GW" ip6 replies)
echo "loss 1000: the gateway sent (and dropped) $replies IPv6 replies"
[ "$replies" -ge 10 ] || fail "--loss 1000: the gateway's ip6 replies counter is $replies"
stop_watch "$ART/bridge-loss.json"
lab_down
echo "PASS: lab6_selftest"
