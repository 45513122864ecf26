# forger_common.sh — what test_forged_arp.sh and test_forged_nd.sh share:
# sourced after common.sh and lab_up. Needs SCAN_MAC (the scanner's MAC).

rx_packets() { # scanner eth0 rx packets
	ip -n "$LAB_NS_SCAN" -s -j link show dev "$LAB_IF" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}

# Starts forger.py in the switch namespace on br0 (bounded: 30 s at most),
# aimed at the scanner's MAC, and waits until it listens. Sets forger_pid.
start_forger() { # OUT ERR ARGS...
	out=$1 err=$2
	shift 2
	ip netns exec "$LAB_NS_SW" timeout -k 2 30 python3 "$LAB_DIR/forger.py" --iface br0 \
		--dst-mac "$SCAN_MAC" "$@" >"$out" 2>"$err" &
	forger_pid=$!
	for _ in $(seq 50); do
		grep -q '"ready"' "$err" && return 0
		kill -0 "$forger_pid" 2>/dev/null || fail "forger did not start: $(tail -3 "$err")"
		sleep 0.1
	done
	fail "forger not ready after 5 s"
}
