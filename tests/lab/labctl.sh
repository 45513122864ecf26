#!/bin/sh
# labctl.sh — builds and removes the portus test network (network namespaces only).
#
#   labctl.sh up    ID PREFIX LOSS [PREFIX6]
#                          build lab ID; PREFIX = routed AnyIP prefix inside
#                          198.19.0.0/16; LOSS = replies dropped per mille
#                          (0 = none; IPv4 and IPv6 alike); PREFIX6 = routed
#                          IPv6 AnyIP prefix inside 2001:db8:100::/48, length
#                          112..126 (default 2001:db8:100::/112)
#   labctl.sh down  ID               remove lab ID (kills what runs inside it)
#   labctl.sh stale                  remove plab<PID>-* labs whose PID is dead
#   labctl.sh truth ID PREFIX LOSS [PREFIX6]
#                          print the ground-truth JSON for that lab (the IPv4
#                          and the IPv6 rules in one list)
#   labctl.sh list                   list lab namespaces
#
# Normally used through lab.sh (lab_up / lab_down / lab_truth). Runs as root.
#
# Topology (IPv4 from 198.18.0.0/15, RFC 2544; IPv6 from 2001:db8::/32,
# RFC 3849, plus link-local and ff02:: for neighbour discovery on the bridge):
#
#    plabID-scan  eth0 198.18.0.1/24       default + 198.19.0.0/16 via 198.18.0.254
#                      2001:db8:0:1::1/64  default + 2001:db8:100::/48 via 2001:db8:0:1::fe
#         |
#    plabID-sw    br0  (bridge, no address, IPv6 off)  <- "the on-link segment"
#         |            |             |             |      198.18.0.0/24 and 2001:db8:0:1::/64
#    plabID-gw    plabID-h10     plabID-h11    plabID-h12
#    .254/24      .10/24         .11/24        .12/24
#    ::fe/64      ::10/64        ::11/64       ::12/64      (2001:db8:0:1::X)
#    AnyIP: PREFIX via "ip route add local PREFIX dev lo", PREFIX6 via
#    "ip -6 route add local PREFIX6 dev lo"; listeners on 80,443 (both
#    families); nftables rules (tables ip lab and ip6 lab)
#
#    198.18.0.2-.9, .13-.253 answer nobody's ARP: hosts down. Every other
#    address of 2001:db8:0:1::/64 answers nobody's neighbour solicitation.
#
# The gateway does not forward (ip_forward=0, IPv6 forwarding=0): packets for
# anything that is not one of its own addresses are dropped silently, so
# nothing leaves the lab. (IPv6 needs a blackhole default route for the
# silence: without a route a non-forwarding IPv6 node answers ICMPv6 no-route.)
set -eu

LAB_SEG=198.18.0
SCANNER_IP=$LAB_SEG.1
GW_IP=$LAB_SEG.254
HOSTS="10 11 12"
# IPv6: the same segment is 2001:db8:0:1::/64, the hosts 2001:db8:0:1::10 ::11 ::12.
LAB_SEG6=2001:db8:0:1:
SCANNER_IP6=$LAB_SEG6:1
GW_IP6=$LAB_SEG6:fe
PREFIX6_DEFAULT=2001:db8:100::/112
# Fixed blocks of 2001:db8:100::/48 with rules of their own (as 198.19.1-3.0/24
# for IPv4): a PREFIX6 that contains them gets them. 2001:db8:100::/118 holds
# the plain, 443-dropped, unreachable and RST blocks, as 198.19.0.0/22 does.
B6_DROP443=2001:db8:100::100/120
B6_UNREACH=2001:db8:100::200/120
B6_RST80=2001:db8:100::300/120
B6_UNREACH_GW=2001:db8:100::400/120
# The first 120 bits of B6_UNREACH_GW, for a raw payload match in nftables.
B6_UNREACH_GW_HEX=0x20010db80100000000000000000004
# The ICMPv6 messages that answer a probe (not neighbour discovery, not MLD).
ICMP6_REPLIES="{ destination-unreachable, packet-too-big, time-exceeded, parameter-problem, echo-reply }"
HERE=$(cd "$(dirname "$0")" && pwd)
# A real interpreter, not a version-manager shim (faster start, same stdlib).
PY=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)

die() { echo "labctl: $*" >&2; exit 1; }

ns_names() { # ID -> all namespace names of that lab
	echo "plab$1-sw plab$1-scan plab$1-gw plab$1-h10 plab$1-h11 plab$1-h12"
}

# Namespaces a lab may have besides ns_names: plabID-tls (tls_lab.sh). Removed
# with the lab; never created by cmd_up.
ns_optional() { echo "plab$1-tls"; }

. "$HERE/ns_base.sh"

# A namespace that answers scans: no ICMP rate limit, SYN cookies always (no
# per-SYN state, so a flood of SYNs still gets a SYN-ACK each and no SYN-ACK
# is ever retransmitted), big accept queues, TTL of its replies. IPv6 alike:
# no ICMPv6 rate limit (icmp_msgs_per_sec/burst are shared with ICMPv6), the
# tcp_* sysctls cover TCP over IPv6 too, and the hop limit of its replies is
# the same number (a per-interface setting: every interface present and the
# default).
ns_target() {
	nsx "$1" sh -c '
		w() { echo "$2" > "/proc/sys/$1"; }
		w net/ipv4/icmp_ratelimit 0
		w net/ipv4/icmp_msgs_per_sec 1000000
		w net/ipv4/icmp_msgs_burst 1000000
		w net/ipv4/tcp_syncookies 2
		w net/ipv4/tcp_max_syn_backlog 65536
		w net/core/somaxconn 65535
		w net/ipv4/ip_default_ttl '"$2"'
		w net/ipv6/icmp/ratelimit 0
		for f in /proc/sys/net/ipv6/conf/*/hop_limit; do echo '"$2"' > "$f"; done
	'
}

# Joins namespace NS to the bridge as eth0 with ADDR/24 and ADDR6/64.
attach() { # ID NAME NS ADDR ADDR6
	ip -n "plab$1-sw" link add "p-$2" type veth peer name eth0 netns "$3"
	ip -n "plab$1-sw" link set "p-$2" master br0 up
	ip -n "$3" addr add "$4/24" dev eth0
	ip -n "$3" addr add "$5/64" dev eth0 nodad
	ip -n "$3" link set eth0 up
	# Checksums computed in software, as on a real wire (see txcsum_off.py).
	nsx "$3" "$PY" "$HERE/txcsum_off.py" eth0
}

# Loss: drop N per mille of the TCP and ICMP packets this namespace sends to
# the scanner (the reject/RST/SYN-ACK replies all pass the output hook).
loss_rules() { # N
	[ "$1" -gt 0 ] || return 0
	cat <<EOF
	chain loss {
		type filter hook output priority 0; policy accept;
		ip daddr $SCANNER_IP meta l4proto { tcp, icmp } $(loss_match "$1") drop
	}
EOF
}

# The random part of a loss rule: nothing for 1000 (every reply; nftables
# refuses "numgen random mod 1000 < 1000").
loss_match() { # N
	[ "$1" -ge 1000 ] || echo "numgen random mod 1000 < $1"
}

# The same for IPv6 (in table ip6 lab): TCP and the ICMPv6 answers to probes,
# never neighbour discovery (which stands for ARP, and ARP is not dropped).
loss_rules6() { # N
	[ "$1" -gt 0 ] || return 0
	cat <<EOF
	chain loss {
		type filter hook output priority 0; policy accept;
		ip6 daddr $SCANNER_IP6 meta l4proto tcp $(loss_match "$1") drop
		ip6 daddr $SCANNER_IP6 icmpv6 type $ICMP6_REPLIES $(loss_match "$1") drop
	}
EOF
}

# Counts the SYNs (probes) that reach a namespace, before any rule can drop
# them: `nft list counter ip lab syns` in that namespace (used by the bench).
# Also counts the TCP and ICMP replies it sends to the scanner (before the
# loss rule): `nft list counter ip lab replies`.
syn_counter() {
	cat <<EOF
	counter syns { }
	counter replies { }
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		tcp flags & (syn | ack) == syn counter name syns
	}
	chain post {
		type filter hook output priority -300; policy accept;
		ip daddr $SCANNER_IP meta l4proto { tcp, icmp } counter name replies
	}
EOF
}

# The same counters for IPv6, in table ip6 lab of each responder:
# `nft list counter ip6 lab syns` / `... replies` (IPv4 ones do not count them).
syn_counter6() {
	cat <<EOF
	counter syns { }
	counter replies { }
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		tcp flags & (syn | ack) == syn counter name syns
	}
	chain post {
		type filter hook output priority -300; policy accept;
		ip6 daddr $SCANNER_IP6 meta l4proto tcp counter name replies
		ip6 daddr $SCANNER_IP6 icmpv6 type $ICMP6_REPLIES counter name replies
	}
EOF
}

# Validates PREFIX: inside 198.19.0.0/16, length 16..30.
check_prefix() {
	case $1 in
	198.19.*/*) ;;
	*) die "routed prefix must be inside 198.19.0.0/16: $1" ;;
	esac
	len=${1#*/}
	[ "$len" -ge 16 ] && [ "$len" -le 30 ] || die "prefix length must be 16..30: $1"
}

# Validates PREFIX6 (inside 2001:db8:100::/48, length 112..126, no host bits
# set) and prints it in canonical form (RFC 5952, as Python's ipaddress).
check_prefix6() {
	"$PY" - "$1" <<'PY'
import ipaddress, sys
a = sys.argv[1]
try:
    n = ipaddress.IPv6Network(a, strict=True)
except ValueError as e:
    sys.exit(f"labctl: bad IPv6 prefix {a}: {e}")
if not n.subnet_of(ipaddress.IPv6Network("2001:db8:100::/48")):
    sys.exit(f"labctl: routed IPv6 prefix must be inside 2001:db8:100::/48: {a}")
if not 112 <= n.prefixlen <= 126:
    sys.exit(f"labctl: IPv6 prefix length must be 112..126: {a}")
print(n)
PY
}

cmd_up() { # ID PREFIX LOSS [PREFIX6]
	id=$1 prefix=$2 loss=$3
	check_prefix "$prefix"
	prefix6=$(check_prefix6 "${4:-$PREFIX6_DEFAULT}") || exit 1
	case $loss in *[!0-9]* | '') die "loss must be 0..1000 per mille" ;; esac
	[ "$loss" -le 1000 ] || die "loss must be 0..1000 per mille"
	sw=plab$id-sw scan=plab$id-scan gw=plab$id-gw
	for ns in $(ns_names "$id"); do
		ip netns add "$ns"
		ns_base "$ns"
		# IPv6 in every namespace with an address; the switch stays IPv6-off.
		[ "$ns" = "$sw" ] || ns_ipv6 "$ns"
	done
	# Name lookups in the scanner namespace (host-name targets) never reach
	# the host's resolvers: `ip netns exec` puts this file over
	# /etc/resolv.conf, and the lab gateway runs no DNS server, so a lookup
	# fails at once inside the lab. A test with its own DNS server rewrites it.
	mkdir -p "/etc/netns/$scan"
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$GW_IP" >"/etc/netns/$scan/resolv.conf"

	# The switch: a bridge alone in its namespace. No multicast snooping: the
	# neighbour solicitations (to solicited-node groups) are flooded like ARP
	# broadcasts, whether or not an MLD report was seen.
	ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	ip -n "$sw" link set br0 up

	attach "$id" scan "$scan" "$SCANNER_IP" "$SCANNER_IP6"
	attach "$id" gw "$gw" "$GW_IP" "$GW_IP6"
	for h in $HOSTS; do attach "$id" "h$h" "plab$id-h$h" "$LAB_SEG.$h" "$LAB_SEG6:$h"; done

	# Scanner: everything off-segment goes to the lab gateway, which does not forward.
	ip -n "$scan" route add 198.19.0.0/16 via "$GW_IP" dev eth0
	ip -n "$scan" route add default via "$GW_IP" dev eth0
	ip -n "$scan" -6 route add 2001:db8:100::/48 via "$GW_IP6" dev eth0
	ip -n "$scan" -6 route add default via "$GW_IP6" dev eth0

	# Responders know the scanner's MAC up front: no ARP or neighbour
	# solicitation (and its small unresolved-queue) in the path of the first
	# burst of replies.
	mac=$(nsx "$scan" cat /sys/class/net/eth0/address)
	for ns in "$gw" "plab$id-h10" "plab$id-h11" "plab$id-h12"; do
		ip -n "$ns" neigh replace "$SCANNER_IP" lladdr "$mac" dev eth0 nud permanent
		ip -n "$ns" -6 neigh replace "$SCANNER_IP6" lladdr "$mac" dev eth0 nud permanent
	done

	# Gateway / target: the whole routed prefix is local (AnyIP).
	ns_target "$gw" 64
	ip -n "$gw" route add local "$prefix" dev lo
	ip -n "$gw" -6 route add local "$prefix6" dev lo
	# Not forwarding is not enough for IPv6 silence: a packet without a route
	# gets an ICMPv6 no-route. The blackhole drops it without a word, as IPv4's
	# ip_forward=0 does. (Its own prefixes and the segment are more specific.)
	ip -n "$gw" -6 route add blackhole default
	nsx "$gw" nft -f - <<EOF
table ip lab {
$(syn_counter)
	chain input {
		type filter hook input priority 0; policy accept;
		meta l4proto tcp ip daddr 198.19.2.0/24 reject with icmp type host-unreachable
		ip daddr 198.19.1.0/24 tcp dport 443 drop
		ip daddr 198.19.3.0/24 tcp dport 80 reject with tcp reset
		tcp dport 8080 drop
		tcp dport 8081 reject with icmp type admin-prohibited
	}
$(loss_rules "$loss")
}
EOF
	# IPv6: the same rules; ICMPv6 code 3 (address unreachable) stands for
	# IPv4's host-unreachable. The kernel sends an ICMPv6 error about an AnyIP
	# address from its eth0 address (the address of the probe is not one of
	# its own): chain icmpsrc puts the probed address (the inner destination,
	# 32 bytes into the ICMPv6 message) back as the source, as IPv4 does,
	# except for B6_UNREACH_GW, whose errors come from the gateway's address
	# as a router's would.
	nsx "$gw" nft -f - <<EOF
table ip6 lab {
$(syn_counter6)
	chain input {
		type filter hook input priority 0; policy accept;
		meta l4proto tcp ip6 daddr $B6_UNREACH reject with icmpv6 type addr-unreachable
		meta l4proto tcp ip6 daddr $B6_UNREACH_GW reject with icmpv6 type addr-unreachable
		ip6 daddr $B6_DROP443 tcp dport 443 drop
		ip6 daddr $B6_RST80 tcp dport 80 reject with tcp reset
		tcp dport 8080 drop
		tcp dport 8081 reject with icmpv6 type admin-prohibited
	}
	chain icmpsrc {
		type filter hook output priority -350; policy accept;
		icmpv6 type destination-unreachable ip6 saddr $GW_IP6 @th,256,120 != $B6_UNREACH_GW_HEX ip6 saddr set @th,256,128
	}
$(loss_rules6 "$loss")
}
EOF

	# On-link hosts.
	ns_target "plab$id-h10" 64
	ns_target "plab$id-h11" 128
	ns_target "plab$id-h12" 255
	nsx "plab$id-h12" nft -f - <<EOF
table ip lab {
$(syn_counter)
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 8080 drop
		tcp dport 8081 reject with icmp type port-unreachable
	}
$(loss_rules "$loss")
}
table ip6 lab {
$(syn_counter6)
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 8080 drop
		tcp dport 8081 reject with icmpv6 type port-unreachable
	}
$(loss_rules6 "$loss")
}
EOF
	for h in 10 11; do
		nsx "plab$id-h$h" nft -f - <<EOF
table ip lab {
$(syn_counter)
$(loss_rules "$loss")
}
table ip6 lab {
$(syn_counter6)
$(loss_rules6 "$loss")
}
EOF
	done

	# Listeners (the processes die with lab_down, which kills every pid in the lab).
	start_listener "$gw" 80 443
	start_listener "plab$id-h10" 22 80
	start_listener "plab$id-h11" 80
	start_listener "plab$id-h12" 443
	for spec in "$gw:443" "plab$id-h10:80" "plab$id-h11:80" "plab$id-h12:443"; do
		wait_listen "${spec%:*}" "${spec##*:}" 4
		wait_listen "${spec%:*}" "${spec##*:}" 6
	done
}

start_listener() { # NS PORT...
	ns=$1; shift
	nohup ip netns exec "$ns" "$PY" "$HERE/listener.py" "$@" </dev/null >/dev/null 2>&1 &
	nohup ip netns exec "$ns" "$PY" "$HERE/listener6.py" "$@" </dev/null >/dev/null 2>&1 &
}

wait_listen() { # NS PORT FAMILY(4|6)
	i=0
	while [ $i -lt 100 ]; do
		if nsx "$1" ss -Hltn"$3" "sport = :$2" | grep -q LISTEN; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	die "IPv$3 listener on $1 port $2 did not start"
}

cmd_down() { # ID
	for ns in $(ns_names "$1") $(ns_optional "$1"); do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	done
	for ns in $(ns_names "$1") $(ns_optional "$1"); do
		rm -rf "/etc/netns/$ns"
		[ -e "/run/netns/$ns" ] || continue
		ip netns del "$ns" 2>/dev/null || true
	done
}

cmd_stale() {
	for id in $(ip netns list 2>/dev/null | sed -n 's/^plab\([0-9][0-9]*\)-[a-z0-9]*.*/\1/p' | sort -u); do
		if ! kill -0 "$id" 2>/dev/null; then
			echo "labctl: removing stale lab plab$id-*" >&2
			cmd_down "$id"
		fi
	done
}

cmd_truth() { # ID PREFIX LOSS [PREFIX6]
	check_prefix "$2"
	p6=$(check_prefix6 "${4:-$PREFIX6_DEFAULT}") || exit 1
	cat <<EOF
{
  "version": 1,
  "lab": "plab$1",
  "scanner": "$SCANNER_IP",
  "segment": "$LAB_SEG.0/24",
  "gateway": "$GW_IP",
  "routed_prefix": "$2",
  "scanner6": "$SCANNER_IP6",
  "segment6": "${LAB_SEG6}:/64",
  "gateway6": "$GW_IP6",
  "routed_prefix6": "$p6",
  "loss_per_mille": $3,
  "comment": "rules: first match wins. ports null = any port. reason_ip 'target' = the ICMP error comes from the probed address itself, else the address it comes from. down = on-link, nobody answers ARP (IPv4) or neighbour solicitation (IPv6): a host record, no port records. ttl = the IPv6 hop limit for IPv6.",
  "rules": [
    {"net": "$SCANNER_IP/32", "invalid": "the scanner itself"},
    {"net": "$LAB_SEG.10/32", "ports": [22, 80], "state": "open", "reason": "syn-ack", "ttl": 64},
    {"net": "$LAB_SEG.10/32", "ports": null, "state": "closed", "reason": "reset", "ttl": 64},
    {"net": "$LAB_SEG.11/32", "ports": [80], "state": "open", "reason": "syn-ack", "ttl": 128},
    {"net": "$LAB_SEG.11/32", "ports": null, "state": "closed", "reason": "reset", "ttl": 128},
    {"net": "$LAB_SEG.12/32", "ports": [443], "state": "open", "reason": "syn-ack", "ttl": 255},
    {"net": "$LAB_SEG.12/32", "ports": [8080], "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$LAB_SEG.12/32", "ports": [8081], "state": "filtered", "reason": "port-unreach", "ttl": 255, "reason_ip": "target"},
    {"net": "$LAB_SEG.12/32", "ports": null, "state": "closed", "reason": "reset", "ttl": 255},
    {"net": "$GW_IP/32", "ports": [80, 443], "state": "open", "reason": "syn-ack", "ttl": 64},
    {"net": "$GW_IP/32", "ports": [8080], "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$GW_IP/32", "ports": [8081], "state": "filtered", "reason": "admin-prohibited", "ttl": 64, "reason_ip": "target"},
    {"net": "$GW_IP/32", "ports": null, "state": "closed", "reason": "reset", "ttl": 64},
    {"net": "$LAB_SEG.0/24", "down": true},
    {"net": "$2", "within": "198.19.2.0/24", "ports": null, "state": "filtered", "reason": "host-unreach", "ttl": 64, "reason_ip": "target"},
    {"net": "$2", "within": "198.19.1.0/24", "ports": [443], "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$2", "within": "198.19.3.0/24", "ports": [80], "state": "closed", "reason": "reset", "ttl": 64},
    {"net": "$2", "ports": [80, 443], "state": "open", "reason": "syn-ack", "ttl": 64},
    {"net": "$2", "ports": [8080], "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$2", "ports": [8081], "state": "filtered", "reason": "admin-prohibited", "ttl": 64, "reason_ip": "target"},
    {"net": "$2", "ports": null, "state": "closed", "reason": "reset", "ttl": 64},
    {"net": "198.18.0.0/15", "ports": null, "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$SCANNER_IP6/128", "invalid": "the scanner itself"},
    {"net": "$LAB_SEG6:10/128", "ports": [22, 80], "state": "open", "reason": "syn-ack", "ttl": 64},
    {"net": "$LAB_SEG6:10/128", "ports": null, "state": "closed", "reason": "reset", "ttl": 64},
    {"net": "$LAB_SEG6:11/128", "ports": [80], "state": "open", "reason": "syn-ack", "ttl": 128},
    {"net": "$LAB_SEG6:11/128", "ports": null, "state": "closed", "reason": "reset", "ttl": 128},
    {"net": "$LAB_SEG6:12/128", "ports": [443], "state": "open", "reason": "syn-ack", "ttl": 255},
    {"net": "$LAB_SEG6:12/128", "ports": [8080], "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$LAB_SEG6:12/128", "ports": [8081], "state": "filtered", "reason": "port-unreach", "ttl": 255, "reason_ip": "target"},
    {"net": "$LAB_SEG6:12/128", "ports": null, "state": "closed", "reason": "reset", "ttl": 255},
    {"net": "$GW_IP6/128", "ports": [80, 443], "state": "open", "reason": "syn-ack", "ttl": 64},
    {"net": "$GW_IP6/128", "ports": [8080], "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$GW_IP6/128", "ports": [8081], "state": "filtered", "reason": "admin-prohibited", "ttl": 64, "reason_ip": "target"},
    {"net": "$GW_IP6/128", "ports": null, "state": "closed", "reason": "reset", "ttl": 64},
    {"net": "${LAB_SEG6}:/64", "down": true},
    {"net": "$p6", "within": "$B6_UNREACH", "ports": null, "state": "filtered", "reason": "host-unreach", "ttl": 64, "reason_ip": "target"},
    {"net": "$p6", "within": "$B6_UNREACH_GW", "ports": null, "state": "filtered", "reason": "host-unreach", "ttl": 64, "reason_ip": "$GW_IP6"},
    {"net": "$p6", "within": "$B6_DROP443", "ports": [443], "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$p6", "within": "$B6_RST80", "ports": [80], "state": "closed", "reason": "reset", "ttl": 64},
    {"net": "$p6", "ports": [80, 443], "state": "open", "reason": "syn-ack", "ttl": 64},
    {"net": "$p6", "ports": [8080], "state": "filtered", "reason": "no-response", "ttl": null},
    {"net": "$p6", "ports": [8081], "state": "filtered", "reason": "admin-prohibited", "ttl": 64, "reason_ip": "target"},
    {"net": "$p6", "ports": null, "state": "closed", "reason": "reset", "ttl": 64},
    {"net": "2001:db8::/32", "ports": null, "state": "filtered", "reason": "no-response", "ttl": null}
  ]
}
EOF
}

cmd_list() { ip netns list | grep '^plab' || true; }

[ $# -ge 1 ] || die "usage: labctl.sh up|down|stale|truth|list ..."
[ "$(id -u)" = 0 ] || die "must run as root"
c=$1; shift
case $c in
up) [ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: labctl.sh up ID PREFIX LOSS [PREFIX6]"; cmd_up "$@" ;;
down) [ $# -eq 1 ] || die "usage: labctl.sh down ID"; cmd_down "$1" ;;
stale) cmd_stale ;;
truth) [ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: labctl.sh truth ID PREFIX LOSS [PREFIX6]"; cmd_truth "$@" ;;
list) cmd_list ;;
*) die "unknown command $c" ;;
esac
