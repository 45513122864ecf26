#!/bin/sh
# tls_load_lab.sh — the TLS load lab: COUNT endpoints (default 2,000) on an
# AnyIP range 198.19.64.1... port 443 in namespace plab<ID>-tls, a third of
# them completing TLS, a third stalling, a third resetting
# (tests/lab/tls_load_servers.py; see TLS.md "Load lab").
#
#   tls_load_lab.sh up ID DIR [COUNT]   build it; DIR gets cert.pem, key.pem,
#                                       truth.json, log/ (stats.json, servers.out)
#   tls_load_lab.sh down ID             remove the namespace (labctl.sh down ID
#                                       removes it too, with the rest of the lab)
#
#  plab<ID>-scan eth0 198.18.0.1/24 ---- br0 (plab<ID>-sw) ---- plab<ID>-tls eth0 198.18.0.30/24
#    route 198.19.64.0/21 via 198.18.0.30                         local 198.19.64.0/21 dev lo
#
# The scanner's route for the range is more specific than the lab's
# 198.19.0.0/16 via the gateway, so both the SYN scan (portus takes the next
# hop from the route of its first target) and the TLS stage's kernel connect()
# reach the load namespace. Nothing forwards: the range ends there.
#
# Index i of an address in the range (first = 198.19.64.1): i % 3 == 0 ok,
# 1 stall, 2 reset. Every endpoint has a listener (one socket on 0.0.0.0:443),
# so the SYN scan finds all COUNT open; the behaviour starts after accept.
# The certificate: self-signed ECDSA P-256 (cheap handshakes: one Python
# process serves them on a 2-core box), made fresh by the openssl CLI.
#
# Used by tests/integration/test_tls_load.sh after lab_up (tests/lab/lab.sh);
# the name plab<ID>-tls is the lab's optional TLS namespace, so lab_down and
# labctl.sh stale clean it up. Not to be combined with tls_lab.sh (same name).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PY=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
SCANNER_IP=198.18.0.1
LOAD_IP=198.18.0.30
NET=198.19.64.0/21
FIRST=198.19.64.1
PORT=443

die() { echo "tls_load_lab: $*" >&2; exit 1; }
. "$HERE/ns_base.sh"

cmd_up() { # ID DIR [COUNT]
	id=$1 count=${3:-2000}
	sw=plab$id-sw scan=plab$id-scan ns=plab$id-tls
	case $count in *[!0-9]* | '') die "COUNT must be a number" ;; esac
	[ "$count" -ge 3 ] && [ "$count" -le 2046 ] || die "COUNT must be 3..2046 (198.19.64.1 .. 198.19.71.254)"
	[ -e "/run/netns/$sw" ] || die "no lab $id (plab$id-sw missing): lab_up first"
	[ ! -e "/run/netns/$ns" ] || die "$ns exists already"
	mkdir -p "$2/log"
	dir=$(cd "$2" && pwd)

	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=load.lab.test" -addext "subjectAltName=DNS:load.lab.test" \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" >"$dir/log/openssl.log" 2>&1 ||
		die "openssl req failed: $(tail -2 "$dir/log/openssl.log")"
	sha=$(openssl x509 -in "$dir/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
	"$PY" - "$FIRST" "$count" "$PORT" "$sha" >"$dir/truth.json" <<'PY'
import ipaddress, json, sys
first, count, port, sha = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
f = ipaddress.IPv4Address(first)
groups = ("ok", "stall", "reset")
eps = {str(f + i): groups[i % 3] for i in range(count)}
json.dump({
    "first": first, "count": count, "port": port,
    "range": f"{first}-{f + count - 1}",
    "rule": "index i from first: i % 3 == 0 ok, 1 stall, 2 reset",
    "groups": {g: sum(1 for v in eps.values() if v == g) for g in groups},
    "expected_outcome": {"ok": "ok", "stall": "timeout", "reset": "reset"},
    "cert_file": "cert.pem", "key_file": "key.pem", "sha256": sha,
    "endpoints": eps,
}, sys.stdout, indent=1, sort_keys=True)
PY

	ip netns add "$ns"
	ns_base "$ns"
	# Deep queues: the SYN scan and 256 connect()s arrive at once. SYN
	# cookies only on overflow (1), never always (2, as the lab's targets):
	# with cookies always, the ClientHello that arrives after a "reset"
	# endpoint's RST carries a valid cookie in its ACK and the kernel
	# rebuilds the connection from it (a second accept the client never made).
	nsx "$ns" sh -c '
		echo 8192 > /proc/sys/net/core/somaxconn
		echo 65536 > /proc/sys/net/ipv4/tcp_max_syn_backlog
		echo 1 > /proc/sys/net/ipv4/tcp_syncookies'
	ip -n "$sw" link add p-tls type veth peer name eth0 netns "$ns"
	ip -n "$sw" link set p-tls master br0 up
	ip -n "$ns" addr add "$LOAD_IP/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add local "$NET" dev lo
	nsx "$ns" "$PY" "$HERE/txcsum_off.py" eth0
	mac=$(nsx "$scan" cat /sys/class/net/eth0/address)
	ip -n "$ns" neigh replace "$SCANNER_IP" lladdr "$mac" dev eth0 nud permanent
	ip -n "$scan" route replace "$NET" via "$LOAD_IP" dev eth0

	rm -f "$dir/log/ready"
	nohup ip netns exec "$ns" "$PY" "$HERE/tls_load_servers.py" "$dir/truth.json" "$dir/log" \
		</dev/null >"$dir/log/servers.out" 2>&1 &
	i=0
	while [ ! -f "$dir/log/ready" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$dir/log/servers.out" >&2; die "servers did not start"; }
		sleep 0.05
	done
	nsx "$ns" ss -Hltn "sport = :$PORT" | grep -q LISTEN || die "nothing listens on $PORT"
}

cmd_down() { # ID
	ns=plab$1-tls
	ip -n "plab$1-scan" route del "$NET" 2>/dev/null || true
	[ -e "/run/netns/$ns" ] || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}

[ $# -ge 2 ] || die "usage: tls_load_lab.sh up ID DIR [COUNT] | down ID"
[ "$(id -u)" = 0 ] || die "must run as root"
c=$1; shift
case $1 in *[!a-zA-Z0-9]* | '') die "bad lab id: $1" ;; esac
case $c in
up) [ $# -ge 2 ] && [ $# -le 3 ] || die "usage: tls_load_lab.sh up ID DIR [COUNT]"; cmd_up "$@" ;;
down) [ $# -eq 1 ] || die "usage: tls_load_lab.sh down ID"; cmd_down "$1" ;;
*) die "unknown command $c" ;;
esac
