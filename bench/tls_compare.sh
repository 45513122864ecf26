#!/bin/bash
# tls_compare.sh — TLS certificate grab: portus --tls against nmap ssl-cert and
# masscan --banners on the same lab network.
#
#   bench/tls_compare.sh [--prefix CIDR] [--rate PPS] [--tools "portus nmap masscan"]
#                        [--out DIR]
#
# Builds the lab (tests/lab) with a routed AnyIP prefix (default 198.19.0.0/20
# = 4,096 addresses), then in the gateway namespace replaces the lab
# listener's port 443 with nginx (self-signed RSA 2048 certificate made with
# openssl at start, worker_processes 2, "return 200", Server: nginx) bound to
# 0.0.0.0:443, and inserts an nftables "tcp dport 443 accept" ahead of the
# lab's rules so every address of the prefix serves 443 (the lab otherwise
# drops 443 in 198.19.1.0/24 and rejects 198.19.2.0/24). nginx accepts TLS
# 1.0-1.3 with DEFAULT:@SECLEVEL=0 (masscan offers only 1.0/1.1). Port 80 keeps the
# lab's listener.py. Each scanner runs in the scanner namespace under timeout:
#
#   portus   PREFIX -p 443 --tls --exclude-file /dev/null --rate R --no-status -oJ
#            certificates = records type "tls", outcome "ok" with a cert sha256
#   nmap     -Pn -n -p 443 --script ssl-cert -T4 PREFIX -oX
#            certificates = hosts whose ssl-cert output has a SHA-1/SHA-256 fingerprint
#   masscan  PREFIX -p443 --banners --rate R --wait W --source-ip 198.18.0.2 -oL
#            (its own TCP stack needs an address the scanner kernel does not
#            own; .2 is on the lab segment, masscan answers ARP for it; the
#            gateway resolves it by ARP: a permanent neighbour entry for it
#            instead made masscan send no hello at all)
#            certificates = addresses with an X509 banner
#
# endpoints = addresses the tool reported with 443 open. wall = start to exit
# (masscan: to the end of its --wait; it then needs packets to exit at all,
# as in bench/compare.sh). Prints a markdown table; raw outputs, logs and
# table.md go to bench/results/tls-<UTC time>/ (git-ignored).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RATE=20000
PREFIX=198.19.0.0/20
TOOLS="portus nmap masscan"
OUT=
PORTUS=${PORTUS:-$ROOT/portus}
TOOL_TIMEOUT=${TOOL_TIMEOUT:-900}
MASSCAN_WAIT=${MASSCAN_WAIT:-5}
MASSCAN_SRC=198.18.0.2
while [ $# -gt 0 ]; do
	case $1 in
	--rate) RATE=$2; shift 2 ;;
	--prefix) PREFIX=$2; shift 2 ;;
	--tools) TOOLS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h | --help) sed -n '2,30p' "$0"; exit 0 ;;
	*) echo "tls_compare: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "tls_compare: needs root (network namespaces)" >&2; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || {
	echo "tls_compare: nginx missing: apt-get install nginx-light (or nginx)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
OUT=${OUT:-$ROOT/bench/results/tls-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
NADDR=$(python3 -c "import ipaddress; print(ipaddress.ip_network('$PREFIX').num_addresses)")

LAB_DIR=$ROOT/tests/lab
. "$LAB_DIR/lab.sh"
lab_up --prefix "$PREFIX" || exit 1
in_gw() { ip netns exec "$LAB_NS_GW" "$@"; }
in_scan() { ip netns exec "$LAB_NS_SCAN" "$@"; }
now() { date +%s.%N; }

# --- the TLS server: nginx on 0.0.0.0:443 in the gateway namespace ---------
# The lab's listener.py there holds 80 and 443: kill it (by the pids of that
# namespace running listener.py) and start it again on 80 only.
for pid in $(ip netns pids "$LAB_NS_GW"); do
	grep -q listener.py "/proc/$pid/cmdline" 2>/dev/null && kill "$pid"
done
sleep 0.3
nohup ip netns exec "$LAB_NS_GW" python3 "$LAB_DIR/listener.py" 80 </dev/null >/dev/null 2>&1 &
disown
in_gw nft insert rule ip lab input tcp dport 443 accept

NG=$OUT/nginx
mkdir -p "$NG/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench.lab.test" \
	-addext "subjectAltName=DNS:bench.lab.test" \
	-keyout "$NG/key.pem" -out "$NG/cert.pem" 2>"$NG/openssl.log" || exit 1
CERT_SHA256=$(openssl x509 -in "$NG/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
cat >"$NG/nginx.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile $(ulimit -Hn);
pid $NG/nginx.pid;
error_log $NG/error.log ${NGINX_LOG_LEVEL:-warn};
events { worker_connections 16384; multi_accept on; }
http {
	access_log off;
	client_body_temp_path $NG/tmp/body;
	proxy_temp_path $NG/tmp/proxy;
	fastcgi_temp_path $NG/tmp/fastcgi;
	uwsgi_temp_path $NG/tmp/uwsgi;
	scgi_temp_path $NG/tmp/scgi;
	server {
		listen 0.0.0.0:443 ssl backlog=65535;
		ssl_certificate $NG/cert.pem;
		ssl_certificate_key $NG/key.pem;
		# masscan's hello offers TLS 1.0/1.1 only: accept them too (SECLEVEL=0)
		ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
		ssl_ciphers DEFAULT:@SECLEVEL=0;
		location / { return 200 "ok\n"; }
	}
}
EOF
in_gw "$NGINX" -t -c "$NG/nginx.conf" >"$NG/test.log" 2>&1 || { cat "$NG/test.log" >&2; exit 1; }
in_gw "$NGINX" -c "$NG/nginx.conf" || exit 1   # daemonizes; lab_down kills it
i=0
until in_gw ss -Hltn "sport = :443" | grep -q LISTEN && in_gw ss -Hltn "sport = :80" | grep -q LISTEN; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "tls_compare: servers did not start" >&2; exit 1; }
	sleep 0.05
done
# sanity: one handshake from the scanner namespace to the first address
FIRST=$(python3 -c "import ipaddress; print(ipaddress.ip_network('$PREFIX')[0])")
in_scan timeout 10 openssl s_client -connect "$FIRST:443" </dev/null >"$NG/sanity.log" 2>&1
grep -q 'BEGIN CERTIFICATE' "$NG/sanity.log" || { echo "tls_compare: nginx sanity handshake failed" >&2; exit 1; }

ROWS=
row() { # TOOL VERSION WALL ENDPOINTS CERTS NOTE
	local line
	line=$(python3 - "$@" <<'PY'
import sys
tool, ver, wall, ep, certs, note = sys.argv[1:7]
wall = float(wall); ep = int(ep); certs = int(certs)
print(f"| {tool} | {ver} | {wall:.1f} | {ep:,} | {certs:,} | {certs / wall:,.0f} | {note} |")
PY
)
	ROWS="$ROWS$line
"
	echo "$line"
}
settle() { sleep 2; }

run_portus() {
	[ -x "$PORTUS" ] || { echo "tls_compare: portus: no binary at $PORTUS, skipped"; return; }
	local ver t0 t1 rc counts
	ver=$("$PORTUS" --version 2>/dev/null | head -1 | awk '{print $NF}')
	t0=$(now)
	in_scan timeout -k 5 "$TOOL_TIMEOUT" "$PORTUS" "$PREFIX" -p 443 --tls --exclude-file /dev/null \
		--rate "$RATE" --no-status -oJ "$OUT/portus.json" >"$OUT/portus.stdout" 2>"$OUT/portus.log"
	rc=$?
	t1=$(now)
	counts=$(python3 - "$OUT/portus.json" "$CERT_SHA256" <<'PY'
import json, sys
opened, certs = set(), set()
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("port") != 443:
        continue
    if r.get("type") == "tls":
        c = r.get("cert") or {}
        if r.get("outcome") == "ok" and c.get("sha256"):
            certs.add(r["ip"])
    elif r.get("state") == "open":
        opened.add(r["ip"])
print(len(opened | certs), len(certs))
PY
)
	# shellcheck disable=SC2086
	row portus "${ver:-?}" "$(echo "$t1 - $t0" | bc)" $counts "$([ $rc = 0 ] || echo "exit $rc")"
	settle
}

run_nmap() {
	command -v nmap >/dev/null || { echo "tls_compare: nmap not installed, skipped"; return; }
	local ver t0 t1 rc counts
	ver=$(nmap --version | awk '/Nmap version/ {print $3}')
	t0=$(now)
	in_scan timeout -k 5 "$TOOL_TIMEOUT" nmap -Pn -n -p 443 --script ssl-cert -T4 "$PREFIX" \
		-oX "$OUT/nmap.xml" >"$OUT/nmap.log" 2>&1
	rc=$?
	t1=$(now)
	counts=$(python3 - "$OUT/nmap.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
opened = certs = 0
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0, 0); sys.exit()
for h in root.iter("host"):
    for p in h.iter("port"):
        st = p.find("state")
        if p.get("portid") != "443" or st is None or st.get("state") != "open":
            continue
        opened += 1
        for s in p.iter("script"):
            out = s.get("output") or ""
            if s.get("id") == "ssl-cert" and ("SHA-1" in out or "SHA-256" in out):
                certs += 1
                break
print(opened, certs)
PY
)
	# shellcheck disable=SC2086
	row nmap "${ver:-?}" "$(echo "$t1 - $t0" | bc)" $counts "$([ $rc = 0 ] || echo "exit $rc")"
	settle
}

run_masscan() {
	command -v masscan >/dev/null || { echo "tls_compare: masscan not installed, skipped"; return; }
	local ver t0 t1 pid tpid="" note="" counts
	ver=$(masscan --version 2>/dev/null | sed -n 's/.*version \([0-9.]*\).*/\1/ip' | head -1)
	t0=$(now)
	in_scan timeout -k 5 "$TOOL_TIMEOUT" masscan "$PREFIX" -p443 --banners --rate "$RATE" \
		--wait "$MASSCAN_WAIT" --source-ip "$MASSCAN_SRC" -oL "$OUT/masscan.txt" \
		>"$OUT/masscan.log" 2>&1 &
	pid=$!
	t1=
	while kill -0 $pid 2>/dev/null; do
		if [ -z "$t1" ] && grep -q 'waiting -' "$OUT/masscan.log"; then
			# As in bench/compare.sh: after its --wait masscan's receive thread
			# blocks in a pcap read until a packet arrives.
			t1=$(now)
			note="--wait $MASSCAN_WAIT; needed packets to exit after it"
			ip netns exec "$LAB_NS_GW" timeout 30 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    s.sendto(b"x", ("'"$MASSCAN_SRC"'", 9)); time.sleep(0.05)' &
			tpid=$!
		fi
		sleep 0.1
	done
	wait $pid
	[ -z "$tpid" ] || { kill $tpid 2>/dev/null; wait $tpid 2>/dev/null; }
	[ -n "$t1" ] || { t1=$(now); note="--wait $MASSCAN_WAIT"; }
	counts=$(python3 - "$OUT/masscan.txt" <<'PY'
import sys
opened, certs = set(), set()
try:
    lines = open(sys.argv[1], errors="replace").read().splitlines()
except OSError:
    lines = []
for l in lines:
    f = l.split()
    if len(f) >= 4 and f[0] == "open" and f[2] == "443":
        opened.add(f[3])
    elif len(f) >= 6 and f[0] == "banner" and f[2] == "443" and f[5] == "X509":
        certs.add(f[3])
print(len(opened | certs), len(certs))
PY
)
	# shellcheck disable=SC2086
	row masscan "${ver:-?}" "$(echo "$t1 - $t0" | bc)" $counts "$note"
	settle
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "tls_compare: $PREFIX ($NADDR addresses) port 443, nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), rate $RATE pps, results in $OUT"
for t in $TOOLS; do
	case $t in
	portus | nmap | masscan) "run_$t" ;;
	*) echo "tls_compare: unknown tool $t" >&2 ;;
	esac
done

{
	echo "Lab: $PREFIX (AnyIP, $NADDR addresses, port 443 open on all) served by one nginx" \
		"$("$NGINX" -v 2>&1 | sed 's/.*\///') (worker_processes 2, RSA 2048 self-signed);" \
		"--rate $RATE; $(nproc) CPUs; kernel $(uname -r); $(date -u +%Y-%m-%d);" \
		"load average at start $LOAD0."
	echo
	echo "| tool | version | wall s | endpoints | certificates | certificates/s | note |"
	echo "|---|---|---:|---:|---:|---:|---|"
	printf '%s' "$ROWS"
} >"$OUT/table.md"
echo
cat "$OUT/table.md"
