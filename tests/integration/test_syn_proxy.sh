#!/bin/bash
# A SYN proxy answers SYN-ACK on every port of the hosts behind it (here:
# nftables synproxy in the lab gateway for 198.19.4.0/24, a real SYN-cookie
# proxy, not a fake). portus must still report what it saw (every port open,
# as nmap would) and flag each such host with a host record whose reason is
# "all-ports-open"; real hosts with some ports open are never flagged, and
# neither is a host scanned on fewer than 10 ports (ALL_OPEN_MIN_PORTS).
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/21
ip netns exec "$LAB_NS_GW" sysctl -qw net.ipv4.tcp_timestamps=1 || fail "sysctl"
ip netns exec "$LAB_NS_GW" nft -f - <<'NFT' || fail "nftables synproxy rules"
table ip synproxy_lab {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip daddr 198.19.4.0/24 tcp flags syn notrack
	}
	chain in {
		type filter hook input priority filter - 10; policy accept;
		ip daddr 198.19.4.0/24 ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
		ip daddr 198.19.4.0/24 ct state invalid drop
	}
}
NFT

PORTS=1-20,80,443
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null -oJ "$ART/scan.json" \
	198.19.4.0/30 198.19.0.0/30 >"$ART/stdout.txt" 2>"$ART/stderr.txt" ||
	fail "portus exited $? (stderr: $(tail -3 "$ART/stderr.txt"))"
portus_scan -p 1-5 --rate 20000 --exclude-file /dev/null -oJ "$ART/few.json" \
	198.19.4.0/30 >"$ART/stdout-few.txt" 2>"$ART/stderr-few.txt" ||
	fail "portus exited $? (stderr: $(tail -3 "$ART/stderr-few.txt"))"
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null --format ecs -oJ "$ART/ecs.json" \
	198.19.4.1 >"$ART/stdout-ecs.txt" 2>"$ART/stderr-ecs.txt" ||
	fail "portus exited $? (stderr: $(tail -3 "$ART/stderr-ecs.txt"))"

portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null 198.19.4.2 198.19.0.2 \
	>"$ART/table.txt" 2>"$ART/stderr-table.txt" || fail "portus (table) exited $?"
[ "$(grep -c '^Warning: all 22 scanned ports answered SYN-ACK' "$ART/table.txt")" = 1 ] ||
	fail "the terminal table does not warn exactly once about the SYN proxy"
python3 - "$ART" <<'PY' || fail "SYN proxy flagging wrong"
import json, sys
art = sys.argv[1]
def load(name):
    return [json.loads(l) for l in open(f"{art}/{name}")]
ports = list(range(1, 21)) + [80, 443]
recs = load("scan.json")
bad = []
for h in range(4):
    ip = f"198.19.4.{h}"
    states = {r["port"]: r["state"] for r in recs if r["type"] == "port" and r["ip"] == ip}
    if sorted(states) != sorted(ports) or set(states.values()) != {"open"}:
        bad.append(f"{ip}: expected all {len(ports)} ports open, got {states}")
    flags = [r for r in recs if r["type"] == "host" and r["ip"] == ip]
    if [(f["state"], f["reason"]) for f in flags] != [("up", "all-ports-open")]:
        bad.append(f"{ip}: expected one host record up/all-ports-open, got {flags}")
for h in range(4):
    ip = f"198.19.0.{h}"
    if any(r["type"] == "host" and r["ip"] == ip for r in recs):
        bad.append(f"{ip}: a real host was flagged")
    opened = sorted(r["port"] for r in recs if r["type"] == "port" and r["ip"] == ip and r["state"] == "open")
    if opened != [80, 443]:
        bad.append(f"{ip}: expected 80,443 open, got {opened}")
few = load("few.json")
if any(r["type"] == "host" for r in few):
    bad.append("flagged with only 5 ports scanned")
if sum(1 for r in few if r["type"] == "port" and r["state"] == "open") != 20:
    bad.append("5 ports x 4 hosts behind the proxy should all be open")
ecs = load("ecs.json")
hosts = [r for r in ecs if r["event"]["dataset"] == "portus.host"]
if [(r["event"]["action"], r["event"]["reason"], r["destination"]["ip"]) for r in hosts] != \
        [("host-up", "all-ports-open", "198.19.4.1")]:
    bad.append(f"ECS host records: {hosts}")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
echo "PASS: $TEST_NAME"
