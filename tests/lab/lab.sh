# lab.sh — sourceable (sh, dash, bash) library for the portus test network.
#
#   LAB_DIR=/path/to/tests/lab   # needed under dash/sh; bash finds it itself
#   . "$LAB_DIR/lab.sh"
#   lab_up [--prefix 198.19.0.0/22] [--prefix6 2001:db8:100::/112]
#          [--loss PERMILLE] [--id ID] [--no-trap]
#   lab_scan CMD ARGS...         # run CMD inside the scanner namespace
#   lab_truth FILE               # ground truth JSON for tests/integration/check_results.py
#                                # (IPv4 and IPv6 rules)
#   lab_counter NS FAMILY NAME   # packets of nftables counter NAME (syns, replies)
#                                # in table FAMILY lab (ip: IPv4 only, ip6: IPv6 only)
#   lab_down                     # idempotent
#   lab_tls_up DIR               # after lab_up: the TLS namespace plab<ID>-tls with
#                                # the servers of DIR (tls_certs.py DIR, tls_lab.sh)
#
# lab_up removes stale labs first (plab<PID>-* whose PID is dead), builds lab
# plab<ID>-* (ID defaults to the calling shell's PID, so parallel runs do not
# clash) and, unless --no-trap, installs traps on EXIT, INT and TERM that call
# lab_down (then run "$LAB_ON_EXIT" if set), so the namespaces go away even
# when a test fails or is interrupted.
#
# After lab_up these are set:
#   LAB_ID LAB_NS_SCAN LAB_NS_GW LAB_NS_SW LAB_IF (scanner interface, eth0)
#   LAB_SCANNER_IP (198.18.0.1) LAB_GW_IP (198.18.0.254) LAB_PREFIX LAB_LOSS
#   LAB_ONLINK_TARGETS (198.18.0.10-198.18.0.23: .10 .11 .12 up, .13-.23 down)
# and for IPv6 (same interface, same namespaces, same --loss):
#   LAB_SCANNER_IP6 (2001:db8:0:1::1) LAB_GW_IP6 (2001:db8:0:1::fe)
#   LAB_PREFIX6 (canonical form, default 2001:db8:100::/112)
#   LAB_ONLINK_TARGETS6 (2001:db8:0:1::10-2001:db8:0:1::23: ::10 ::11 ::12 up,
#                        ::13-::23 down; hexadecimal: 20 addresses)
#
# Topology and rules: see labctl.sh and README.md. Addresses only from
# 198.18.0.0/15 and 2001:db8::/32 (plus IPv6 link-local and ff02:: on the
# lab's bridge for neighbour discovery).

if [ -z "${LAB_DIR:-}" ]; then
	if [ -n "${BASH_VERSION:-}" ]; then
		eval 'LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)'
	elif [ -f tests/lab/labctl.sh ]; then
		LAB_DIR=$(pwd)/tests/lab
	else
		echo "lab.sh: set LAB_DIR to the tests/lab directory before sourcing" >&2
		return 1 2>/dev/null || exit 1
	fi
fi

LAB_SCANNER_IP=198.18.0.1
LAB_GW_IP=198.18.0.254
LAB_IF=eth0
LAB_ONLINK_TARGETS=198.18.0.10-198.18.0.23
LAB_SCANNER_IP6=2001:db8:0:1::1
LAB_GW_IP6=2001:db8:0:1::fe
LAB_ONLINK_TARGETS6=2001:db8:0:1::10-2001:db8:0:1::23
LAB_ID=
LAB_UP=0

lab_up() {
	LAB_PREFIX=198.19.0.0/22
	LAB_PREFIX6=2001:db8:100::/112
	LAB_LOSS=0
	LAB_ID=$$
	_lab_trap=1
	while [ $# -gt 0 ]; do
		case $1 in
		--prefix) LAB_PREFIX=$2; shift 2 ;;
		--prefix6) LAB_PREFIX6=$2; shift 2 ;;
		--loss) LAB_LOSS=$2; shift 2 ;;
		--id) LAB_ID=$2; shift 2 ;;
		--no-trap) _lab_trap=0; shift ;;
		*) echo "lab_up: unknown option $1" >&2; return 2 ;;
		esac
	done
	if [ "$(id -u)" != 0 ]; then
		echo "lab_up: needs root (network namespaces)" >&2
		return 1
	fi
	LAB_NS_SCAN=plab$LAB_ID-scan
	LAB_NS_GW=plab$LAB_ID-gw
	LAB_NS_SW=plab$LAB_ID-sw
	# The canonical text of the IPv6 prefix (what results and the truth print).
	# (labctl.sh checks that it is inside 2001:db8:100::/48, length 112..126.)
	_lab_p6=$(python3 -c '
import ipaddress, sys
try:
    print(ipaddress.IPv6Network(sys.argv[1]))
except ValueError as e:
    sys.exit("lab_up: bad --prefix6: %s" % e)' "$LAB_PREFIX6") || return 2
	LAB_PREFIX6=$_lab_p6
	export LAB_ID LAB_NS_SCAN LAB_NS_GW LAB_NS_SW LAB_IF LAB_PREFIX LAB_LOSS \
		LAB_SCANNER_IP LAB_GW_IP LAB_ONLINK_TARGETS LAB_DIR \
		LAB_PREFIX6 LAB_SCANNER_IP6 LAB_GW_IP6 LAB_ONLINK_TARGETS6
	if [ "$_lab_trap" = 1 ]; then
		trap 'lab_down; ${LAB_ON_EXIT:-:}' EXIT
		trap 'lab_down; trap - EXIT; ${LAB_ON_EXIT:-:}; exit 130' INT
		trap 'lab_down; trap - EXIT; ${LAB_ON_EXIT:-:}; exit 143' TERM
	fi
	sh "$LAB_DIR/labctl.sh" stale
	sh "$LAB_DIR/labctl.sh" down "$LAB_ID" # a leftover with our own id
	LAB_UP=1
	if ! sh "$LAB_DIR/labctl.sh" up "$LAB_ID" "$LAB_PREFIX" "$LAB_LOSS" "$LAB_PREFIX6"; then
		echo "lab_up: building the lab failed" >&2
		lab_down
		return 1
	fi
	return 0
}

lab_down() {
	[ "$LAB_UP" = 1 ] || return 0
	sh "$LAB_DIR/labctl.sh" down "$LAB_ID"
	LAB_UP=0
}

lab_scan() {
	ip netns exec "$LAB_NS_SCAN" "$@"
}

lab_truth() {
	sh "$LAB_DIR/labctl.sh" truth "$LAB_ID" "$LAB_PREFIX" "$LAB_LOSS" "$LAB_PREFIX6" >"$1"
}

lab_counter() { # NS FAMILY NAME -> packets
	ip netns exec "$1" nft list counter "$2" lab "$3" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

lab_tls_up() {
	LAB_NS_TLS=plab$LAB_ID-tls
	export LAB_NS_TLS
	sh "$LAB_DIR/tls_lab.sh" up "$LAB_ID" "$1"
}
