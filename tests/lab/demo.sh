#!/bin/sh
# demo.sh — what `make scan` runs: builds a small lab network in network
# namespaces, scans it with ./portus from the lab's scanner namespace, shows
# the result table, removes the lab (also on Ctrl-C or failure).
#
#   sh tests/lab/demo.sh [PORTUS-ARGS...]       (make scan ARGS="--rate 5000")
#
# Default: -p 22,80,443,8080,8081, 16 addresses of each rule block of the routed
# 198.19.0.0/20 and 198.18.0.10-198.18.0.23, --rate 50000.
# Your arguments are added; if they name targets or ports, those replace the
# defaults. --exclude-file /dev/null is added unless you give --exclude-file
# (the built-in exclude list contains 198.18.0.0/15, the lab's addresses).
# Needs root. No packet leaves the namespaces.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_DIR=$ROOT/tests/lab
PORTUS=${PORTUS:-$ROOT/portus}
PREFIX=198.19.0.0/20
# A sample of each kind of routed block (16 addresses from each /24 of the
# lab's rules) keeps the table readable; pass your own targets to scan it all.
DEF_TARGETS="198.19.0.0/28 198.19.1.0/28 198.19.2.0/28 198.19.3.0/28 198.18.0.10-198.18.0.23 198.18.0.30-198.18.0.49"
DEF_PORTS=22,80,443,8080,8081

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root to build network namespaces: sudo make scan" >&2
	exit 1
fi
if [ ! -x "$PORTUS" ]; then
	echo "demo: no portus binary at $PORTUS (run make)" >&2
	exit 1
fi

has_target=0 has_ports=0 has_excl=0 has_rate=0 prev=
for a in "$@"; do
	case $prev in
	-S | --source-ip | --exclude | --interface | -e | --gateway-mac | --router-mac) prev=$a; continue ;;
	esac
	case $a in
	-p | --ports | --top-ports | -p*) has_ports=1 ;;
	--exclude-file | --exclude) has_excl=1 ;;
	--rate) has_rate=1 ;;
	-iL | --input-list) has_target=1 ;;
	[0-9]*.*) has_target=1 ;;
	esac
	prev=$a
done
set -- "$@"
[ $has_excl = 1 ] || set -- --exclude-file /dev/null "$@"
[ $has_rate = 1 ] || set -- --rate 50000 "$@"
[ $has_ports = 1 ] || set -- -p "$DEF_PORTS" "$@"
# The default run also shows the TLS stage on the TLS lab (198.18.0.30-49:
# valid, self-signed, expired, ... certificates; see tests/lab/TLS.md).
TLS_DEFAULTS=0
if [ $has_target = 0 ]; then
	TLS_DEFAULTS=1
fi
# shellcheck disable=SC2086
[ $has_target = 1 ] || set -- "$@" $DEF_TARGETS

. "$LAB_DIR/lab.sh"
echo "demo: building the lab network (namespaces plab$$-*) ..."
lab_up --prefix "$PREFIX" || exit 1
if [ $TLS_DEFAULTS = 1 ]; then
	TLS_DIR=$(mktemp -d /tmp/portus-demo-tls.XXXXXX)
	python3 "$LAB_DIR/tls_certs.py" "$TLS_DIR" >"$TLS_DIR/certs.log" 2>&1 &&
		lab_tls_up "$TLS_DIR" >/dev/null || { echo "demo: TLS lab failed (see $TLS_DIR)" >&2; exit 1; }
	set -- "$@" --tls --tls-timeout 2000 --ca-file "$TLS_DIR/ca.pem" --sni-file "$TLS_DIR/sni.txt" \
		--source-port "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["refused_scan_sports"])' "$TLS_DIR/truth.json")"
fi
cat <<EOF

  scanner  198.18.0.1 (namespace $LAB_NS_SCAN), default route via the lab gateway only
  on-link  198.18.0.10  22, 80 open                 (TTL 64)
           198.18.0.11  80 open, rest closed        (TTL 128)
           198.18.0.12  443 open, 8080 dropped, 8081 ICMP port-unreachable (TTL 255)
           198.18.0.13-23  nobody: hosts down (no ARP answer)
  routed   $PREFIX answered by one namespace (AnyIP):
           80, 443 open; 22 closed; 8080 dropped; 8081 ICMP admin-prohibited;
           198.19.1.0/24: 443 dropped; 198.19.2.0/24: everything ICMP host-unreachable;
           198.19.3.0/24: 80 closed by an nftables RST
  TLS      198.18.0.30-49:443, one server each: valid chain, self-signed, expired,
           not-yet-valid, wildcard, SAN mismatch, TLS 1.0/1.1-only, plain HTTP, ...
           (portus --tls; the lab CA is trusted via --ca-file)

EOF
echo "demo: ip netns exec $LAB_NS_SCAN portus $*"
echo
# --foreground: Ctrl-C reaches portus (which prints what it has); the trap
# then removes the lab.
ip netns exec "$LAB_NS_SCAN" timeout --foreground -k 5 300 "$PORTUS" "$@"
rc=$?
echo
[ -n "${TLS_DIR:-}" ] && rm -rf "$TLS_DIR"
echo "demo: portus exited $rc; removing the lab"
exit $rc
