#!/bin/bash
# tls_ciphers.sh — cipher-suite enumeration: portus --tls-ciphers beside
# sslscan and nmap --script ssl-enum-ciphers on the same lab endpoints.
#
#   sudo bench/tls_ciphers.sh [--tools "portus sslscan nmap"] [--out DIR]
#   sudo bench/tls_ciphers.sh --nginx 198.19.0.0/24 [--sslscan-sample 8] ...
#
# --nginx PREFIX: scale instead: every address of PREFIX (lab AnyIP, gateway
# namespace) is one nginx 443 (worker_processes 2, RSA 2048, the common
# setting ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers HIGH:!aNULL:!MD5;
# ssl_prefer_server_ciphers on; ssl_ecdh_curve X25519:prime256v1:secp384r1);
# portus and nmap scan the whole prefix, sslscan the first --sslscan-sample
# addresses only (it takes one endpoint at a time).
#
# Builds the lab (tests/lab: lab_up, lab_tls_up with the TLS lab's servers on
# 198.18.0.30-49:443) and the cipher lab (tests/lab/tls_cipher_lab.py:
# openssl s_server and tls_responder.py on 198.18.0.60-68:443). Endpoints
# compared: every real server (the TLS lab's Python ssl servers whose truth
# lists accepted versions, and the cipher lab's s_server ones); the
# responders (which answer only a ServerHello) are scanned by portus alone.
#
#   portus   RANGES -p 443 --tls --tls-ciphers --no-banner -oJ    (one run, all
#            endpoints at once, SYN scan included)
#   sslscan  --no-colour --xml=F IP:443, one endpoint after the other
#   nmap     -Pn -n -p 443 --script ssl-enum-ciphers -oX F IPS   (one run)
#
# Prints per tool the wall time, endpoints per second, seconds per endpoint,
# and per endpoint and version whether the accepted suite sets agree with
# portus's (bench/tls_ciphers_compare.py). Outputs go to
# bench/results/ciphers-<UTC time>/ (git-ignored).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="portus sslscan nmap"
OUT=
NGINX_PREFIX=
SAMPLE=8
PORTUS=${PORTUS:-$ROOT/portus}
while [ $# -gt 0 ]; do
	case $1 in
	--tools) TOOLS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--nginx) NGINX_PREFIX=$2; shift 2 ;;
	--sslscan-sample) SAMPLE=$2; shift 2 ;;
	-h | --help) sed -n '2,32p' "$0"; exit 0 ;;
	*) echo "tls_ciphers: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "tls_ciphers: needs root (network namespaces)" >&2; exit 1; }
OUT=${OUT:-$ROOT/bench/results/ciphers-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LAB_DIR=$ROOT/tests/lab
. "$LAB_DIR/lab.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)

now() { date +%s.%N; }
if [ -n "$NGINX_PREFIX" ]; then
	lab_up --prefix "$NGINX_PREFIX" >"$OUT/lab.log" 2>&1 || { echo "tls_ciphers: lab_up failed" >&2; exit 1; }
	for pid in $(ip netns pids "$LAB_NS_GW"); do
		grep -q listener.py "/proc/$pid/cmdline" 2>/dev/null && kill "$pid"
	done
	sleep 0.3
	nohup ip netns exec "$LAB_NS_GW" "$PY" "$LAB_DIR/listener.py" 80 </dev/null >/dev/null 2>&1 &
	ip netns exec "$LAB_NS_GW" nft insert rule ip lab input tcp dport 443 accept
	NG=$OUT/nginx
	mkdir -p "$NG/tmp"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench.lab.test" \
		-keyout "$NG/key.pem" -out "$NG/cert.pem" 2>"$NG/openssl.log" || exit 1
	cat >"$NG/nginx.conf" <<NGX
worker_processes 2;
worker_rlimit_nofile $(ulimit -Hn);
pid $NG/nginx.pid;
error_log $NG/error.log warn;
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
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers HIGH:!aNULL:!MD5;
		ssl_prefer_server_ciphers on;
		ssl_ecdh_curve X25519:prime256v1:secp384r1;
		location / { return 200 "ok\n"; }
	}
}
NGX
	ip netns exec "$LAB_NS_GW" /usr/sbin/nginx -c "$NG/nginx.conf" || exit 1 # daemonizes; lab_down kills it
	sleep 0.5
	"$PY" -c "import ipaddress,sys; [print(a) for a in ipaddress.ip_network(sys.argv[1])]" "$NGINX_PREFIX" >"$OUT/endpoints.txt"
	N=$(wc -l <"$OUT/endpoints.txt")
	for tool in $TOOLS; do
		case $tool in
		portus)
			t0=$(now)
			ip netns exec "$LAB_NS_SCAN" timeout 900 "$PORTUS" "$NGINX_PREFIX" -p 443 --tls --tls-ciphers --no-banner \
				--rate 20000 --exclude-file /dev/null --no-status -oJ "$OUT/portus.ndjson" >"$OUT/portus.log" 2>&1
			echo "portus $(echo "$(now) - $t0" | bc) $N" >>"$OUT/times.txt" ;;
		sslscan)
			t0=$(now)
			for ip in $(head -n "$SAMPLE" "$OUT/endpoints.txt"); do
				ip netns exec "$LAB_NS_SCAN" timeout 300 sslscan --no-colour --xml="$OUT/sslscan-$ip.xml" "$ip:443" \
					>"$OUT/sslscan-$ip.log" 2>&1
			done
			echo "sslscan $(echo "$(now) - $t0" | bc) $SAMPLE" >>"$OUT/times.txt" ;;
		nmap)
			t0=$(now)
			ip netns exec "$LAB_NS_SCAN" timeout 1800 nmap -Pn -n -p 443 --script ssl-enum-ciphers -oX "$OUT/nmap.xml" \
				"$NGINX_PREFIX" >"$OUT/nmap.log" 2>&1
			echo "nmap $(echo "$(now) - $t0" | bc) $N" >>"$OUT/times.txt" ;;
		esac
	done
	"$PY" "$ROOT/bench/tls_ciphers_compare.py" "$OUT" "$N" | tee "$OUT/table.md"
	exit 0
fi

lab_up --prefix 198.19.0.0/30 >"$OUT/lab.log" 2>&1 || { echo "tls_ciphers: lab_up failed" >&2; exit 1; }
"$PY" "$LAB_DIR/tls_certs.py" "$OUT/tls" >>"$OUT/lab.log" 2>&1 && lab_tls_up "$OUT/tls" >>"$OUT/lab.log" 2>&1 ||
	{ echo "tls_ciphers: TLS lab failed" >&2; exit 1; }
CL=$OUT/ciphers
"$PY" "$LAB_DIR/tls_cipher_lab.py" truth "$CL"
for ip in $("$PY" -c 'import json,sys; [print(e["ip"]) for e in json.load(open(sys.argv[1]))["endpoints"]]' "$CL/cipher_truth.json"); do
	ip -n "$LAB_NS_TLS" addr add "$ip/24" dev eth0
done
cipher_lab_down() { ip netns exec "$LAB_NS_TLS" "$PY" "$LAB_DIR/tls_cipher_lab.py" down "$CL" 2>/dev/null || true; }
LAB_ON_EXIT=cipher_lab_down
ip netns exec "$LAB_NS_TLS" "$PY" "$LAB_DIR/tls_cipher_lab.py" up "$CL" || { echo "tls_ciphers: cipher lab failed" >&2; exit 1; }

# The real servers: TLS lab endpoints with accepted versions, cipher lab s_server ones.
"$PY" - "$OUT/tls/truth.json" "$CL/cipher_truth.json" >"$OUT/endpoints.txt" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for e in t["endpoints"]:
    if e["kind"] == "tls" and e.get("versions_accepted") and e["server"].get("refuse_connect_sports_outside") is None:
        print(e["ip"])
for e in json.load(open(sys.argv[2]))["endpoints"]:
    if e["kind"] == "s_server":
        print(e["ip"])
PY
IPS=$(tr '\n' ' ' <"$OUT/endpoints.txt")
N=$(wc -l <"$OUT/endpoints.txt")
for tool in $TOOLS; do
	case $tool in
	portus)
		t0=$(now)
		ip netns exec "$LAB_NS_SCAN" timeout 600 "$PORTUS" $IPS -p 443 --tls --tls-ciphers --no-banner \
			--exclude-file /dev/null --no-status -oJ "$OUT/portus.ndjson" >"$OUT/portus.log" 2>&1
		echo "portus $(echo "$(now) - $t0" | bc) $N" >>"$OUT/times.txt" ;;
	sslscan)
		t0=$(now)
		for ip in $IPS; do
			ip netns exec "$LAB_NS_SCAN" timeout 300 sslscan --no-colour --xml="$OUT/sslscan-$ip.xml" "$ip:443" \
				>"$OUT/sslscan-$ip.log" 2>&1
		done
		echo "sslscan $(echo "$(now) - $t0" | bc) $N" >>"$OUT/times.txt" ;;
	nmap)
		t0=$(now)
		ip netns exec "$LAB_NS_SCAN" timeout 900 nmap -Pn -n -p 443 --script ssl-enum-ciphers -oX "$OUT/nmap.xml" \
			$IPS >"$OUT/nmap.log" 2>&1
		echo "nmap $(echo "$(now) - $t0" | bc) $N" >>"$OUT/times.txt" ;;
	esac
done
cipher_lab_down
"$PY" "$ROOT/bench/tls_ciphers_compare.py" "$OUT" "$N" | tee "$OUT/table.md"
