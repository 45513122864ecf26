#!/bin/sh
# tls_lab.sh — the TLS part of the portus lab: namespace plab<ID>-tls on the
# lab's bridge, with the addresses 198.18.0.30-198.18.0.49 and one server per
# address on port 443 (tests/lab/tls_servers.py).
#
#   tls_lab.sh up ID DIR       DIR holds what tls_certs.py wrote (truth.json,
#                              certificates); server logs go to DIR/log/
#   tls_lab.sh counters ID     nftables counters of the TLS namespace, one
#                              "NAME PACKETS" line each (syns, rsts, others)
#   tls_lab.sh down ID         remove the TLS namespace only (labctl.sh down
#                              ID removes it too, with the rest of the lab)
#
# Needs a lab built by labctl.sh up ID ... (the bridge plab<ID>-sw). Normally
# used through lab.sh: lab_up, then lab_tls_up DIR; lab_down removes it all.
#
# nftables table "ip labtls" in the TLS namespace counts what the scanner
# (198.18.0.1) sends to port 443 of any address there, before any rule:
#   syns    SYN without ACK (the scan's probes, the kernel's connect()s)
#   rsts    anything with RST (the scanner kernel's answer to a SYN-ACK)
#   others  every other TCP segment: the ACK that completes a handshake, data,
#           FIN. Without --tls a SYN scan must leave this at 0.
# and resets SYNs to the "refused" endpoint whose source port is outside the
# range the truth gives (refused_scan_sports): the scan (--source-port in that
# range) sees the port open, the TLS stage's connect() is refused.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PY=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
SCANNER_IP=198.18.0.1

die() { echo "tls_lab: $*" >&2; exit 1; }
. "$HERE/ns_base.sh"

# The lab's base settings plus a deep accept queue for the TLS servers.
ns_base_tls() {
	ns_base "$1"
	nsx "$1" sh -c 'echo 4096 > /proc/sys/net/core/somaxconn'
}

# truth.json -> "IP" lines of every endpoint, and the refused endpoint's "IP LO-HI".
truth_ips() {
	"$PY" -c 'import json,sys; [print(e["ip"]) for e in json.load(open(sys.argv[1]))["endpoints"]]' "$1"
}
truth_refused() {
	"$PY" -c '
import json, sys
t = json.load(open(sys.argv[1]))
for e in t["endpoints"]:
    if e["server"].get("refuse_connect_sports_outside"):
        lo, hi = e["server"]["refuse_connect_sports_outside"]
        print(e["ip"], f"{lo}-{hi}")
' "$1"
}

cmd_up() { # ID DIR
	id=$1 dir=$(cd "$2" && pwd)
	sw=plab$id-sw scan=plab$id-scan ns=plab$id-tls
	[ -e "/run/netns/$sw" ] || die "no lab $id (plab$id-sw missing): lab_up first"
	[ -f "$dir/truth.json" ] || die "$dir/truth.json missing: run tls_certs.py $dir first"
	[ ! -e "/run/netns/$ns" ] || die "$ns exists already"
	ips=$(truth_ips "$dir/truth.json")
	for a in $ips; do
		case $a in 198.18.0.*) ;; *) die "address outside 198.18.0.0/24: $a" ;; esac
	done

	ip netns add "$ns"
	ns_base_tls "$ns"
	ip -n "$sw" link add p-tls type veth peer name eth0 netns "$ns"
	ip -n "$sw" link set p-tls master br0 up
	for a in $ips; do ip -n "$ns" addr add "$a/24" dev eth0; done
	ip -n "$ns" link set eth0 up
	nsx "$ns" "$PY" "$HERE/txcsum_off.py" eth0
	mac=$(nsx "$scan" cat /sys/class/net/eth0/address)
	ip -n "$ns" neigh replace "$SCANNER_IP" lladdr "$mac" dev eth0 nud permanent

	refused=$(truth_refused "$dir/truth.json")
	reject=""
	if [ -n "$refused" ]; then
		# shellcheck disable=SC2086 # "IP LO-HI": two words on purpose
		set -- $refused
		reject="ip saddr $SCANNER_IP ip daddr $1 tcp dport 443 tcp flags & (syn | ack) == syn tcp sport != $2 reject with tcp reset"
	fi
	nsx "$ns" nft -f - <<EOF
table ip labtls {
	counter syns { }
	counter rsts { }
	counter others { }
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip saddr $SCANNER_IP tcp dport 443 tcp flags & (syn | ack | rst) == syn counter name syns
		ip saddr $SCANNER_IP tcp dport 443 tcp flags & rst == rst counter name rsts
		ip saddr $SCANNER_IP tcp dport 443 tcp flags & (syn | rst) == 0 counter name others
	}
	chain input {
		type filter hook input priority 0; policy accept;
		$reject
	}
}
EOF

	mkdir -p "$dir/log"
	rm -f "$dir/log/ready"
	nohup ip netns exec "$ns" "$PY" "$HERE/tls_servers.py" "$dir/truth.json" "$dir/log" \
		</dev/null >"$dir/log/servers.out" 2>&1 &
	i=0
	while [ ! -f "$dir/log/ready" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$dir/log/servers.out" >&2; die "servers did not start"; }
		sleep 0.05
	done
	n=$(nsx "$ns" ss -Hltn | wc -l)
	want=$(
		"$PY" -c '
import json, sys
t = json.load(open(sys.argv[1]))
print(sum(e["kind"] != "closed" for e in t["endpoints"] + t.get("hostile_endpoints", [])))' "$dir/truth.json"
	)
	[ "$n" = "$want" ] || die "$n listening sockets, expected $want"
}

cmd_counters() { # ID
	for c in syns rsts others; do
		printf '%s %s\n' "$c" "$(nsx "plab$1-tls" nft list counter ip labtls "$c" |
			sed -n 's/.*packets \([0-9]*\).*/\1/p')"
	done
}

cmd_down() { # ID
	ns=plab$1-tls
	[ -e "/run/netns/$ns" ] || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}

[ $# -ge 2 ] || die "usage: tls_lab.sh up ID DIR | counters ID | down ID"
[ "$(id -u)" = 0 ] || die "must run as root"
c=$1; shift
case $1 in *[!a-zA-Z0-9]* | '') die "bad lab id: $1" ;; esac
case $c in
up) [ $# -eq 2 ] || die "usage: tls_lab.sh up ID DIR"; cmd_up "$@" ;;
counters) cmd_counters "$1" ;;
down) cmd_down "$1" ;;
*) die "unknown command $c" ;;
esac
