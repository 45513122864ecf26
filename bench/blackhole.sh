# blackhole.sh — sourceable (bash) library: a two-namespace "blackhole" for
# measuring the send path alone.
#
#   . bench/blackhole.sh
#   bh_up                  # builds pbh<PID>-scan and pbh<PID>-sink, traps EXIT/INT/TERM
#   bh_scan CMD ARGS...    # run CMD in the scanner namespace
#   bh_sink_frames         # frames the sink's interface has received so far
#   bh_down                # idempotent
#
#    pbh<PID>-scan  eth0 198.18.0.1/24, 198.19.0.0/16 via 198.18.0.254
#         |          (permanent neighbour entry: 198.18.0.254 is 02:00:00:00:00:fe)
#    pbh<PID>-sink  eth0 up, no address, no rules
#
# IPv6 is off in both (no router or neighbour solicitations in the counts).
# Nothing answers and nothing forwards: the sink's kernel takes each frame
# off the veth, counts it (rx_packets) and drops it at the first protocol
# check (the destination MAC is not its own), so the scanner's CPU pays only
# for its own send path plus one veth hop. The full lab (tests/lab) is not a
# blackhole for this purpose: its bridge (with br_netfilter), second veth
# and gateway IP stack run in the sender's softirq and hold any sender to
# ~0.4-0.5 Mpps on this machine. Addresses only from 198.18.0.0/15.

BH_SCANNER_IP=198.18.0.1
BH_GW_IP=198.18.0.254
BH_GW_MAC=02:00:00:00:00:fe
BH_IF=eth0
BH_ID=

bh_stale() {
	local id
	for id in $(ip netns list 2>/dev/null | sed -n 's/^pbh\([0-9][0-9]*\)-[a-z]*.*/\1/p' | sort -u); do
		kill -0 "$id" 2>/dev/null && continue
		ip netns del "pbh$id-scan" 2>/dev/null
		ip netns del "pbh$id-sink" 2>/dev/null
	done
}

bh_down() {
	[ -n "$BH_ID" ] || return 0
	ip netns del "pbh$BH_ID-scan" 2>/dev/null
	ip netns del "pbh$BH_ID-sink" 2>/dev/null
	BH_ID=
}

bh_up() {
	if [ "$(id -u)" != 0 ]; then
		echo "bh_up: needs root (network namespaces)" >&2
		return 1
	fi
	bh_stale
	BH_ID=$$
	BH_NS_SCAN=pbh$BH_ID-scan
	BH_NS_SINK=pbh$BH_ID-sink
	trap 'bh_down' EXIT
	trap 'bh_down; exit 130' INT
	trap 'bh_down; exit 143' TERM
	ip netns add "$BH_NS_SCAN" && ip netns add "$BH_NS_SINK" &&
		ip link add "$BH_IF" netns "$BH_NS_SCAN" type veth peer name "$BH_IF" netns "$BH_NS_SINK" &&
		ip netns exec "$BH_NS_SCAN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		ip netns exec "$BH_NS_SINK" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "$BH_NS_SCAN" link set lo up &&
		ip -n "$BH_NS_SCAN" addr add "$BH_SCANNER_IP/24" dev "$BH_IF" &&
		ip -n "$BH_NS_SCAN" link set "$BH_IF" up &&
		ip -n "$BH_NS_SINK" link set "$BH_IF" up &&
		ip -n "$BH_NS_SCAN" route add 198.19.0.0/16 via "$BH_GW_IP" &&
		ip -n "$BH_NS_SCAN" neigh add "$BH_GW_IP" lladdr "$BH_GW_MAC" dev "$BH_IF" nud permanent || {
		echo "bh_up: cannot build the blackhole namespaces" >&2
		bh_down
		return 1
	}
	export BH_ID BH_NS_SCAN BH_NS_SINK
}

bh_scan() {
	ip netns exec "$BH_NS_SCAN" "$@"
}

bh_sink_frames() {
	ip netns exec "$BH_NS_SINK" cat "/sys/class/net/$BH_IF/statistics/rx_packets"
}
