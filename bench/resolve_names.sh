#!/bin/sh
# resolve_names.sh [N] — resolution of N (default 10000) dual-stack host names
# through dnsmasq, the way portus resolves targets (c-ares, A + AAAA at once,
# --resolve-concurrency in flight): wall time, names/s, queries in flight, for
# concurrency 1 (names in series), 16, 256 (the default) and 1024.
# Needs root: a namespace of its own (pbench-dns<PID>) with dnsmasq on
# 127.0.0.1 and its own resolv.conf; the names are NAME.bench.test ->
# 198.18.x.y and 2001:db8:bench::x:y. No packet leaves the namespace.
set -eu
N=${1:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NS=pbench-dns$$
DIR=$(mktemp -d)
BIN=$DIR/resolve_names
DNSPID=""
cleanup() {
	[ -z "$DNSPID" ] || kill "$DNSPID" 2>/dev/null || true
	sleep 0.2
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "/etc/netns/$NS" "$DIR"
}
trap cleanup EXIT INT TERM
make -C "$ROOT" -s build/libportus.a || [ -f "$ROOT/build/libportus.a" ]
cc -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$BIN" "$HERE/resolve_names.c" "$ROOT/build/libportus.a" \
	-lpcap -ldumbnet -lssl -lcrypto -lcares -lm -pthread
{
	echo "no-resolv"; echo "no-hosts"; echo "bind-interfaces"; echo "listen-address=127.0.0.1"
	echo "user=root"; echo "cache-size=0"; echo "dns-forward-max=4096"; echo "local=/bench.test/"
	i=0
	while [ "$i" -lt "$N" ]; do
		echo "host-record=h$i.bench.test,198.18.$((i / 250)).$((i % 250 + 1)),2001:db8:ffff::$((i / 250)):$((i % 250 + 1))"
		i=$((i + 1))
	done
} >"$DIR/dnsmasq.conf"
i=0
while [ "$i" -lt "$N" ]; do echo "h$i.bench.test"; i=$((i + 1)); done >"$DIR/names.txt"
ip netns add "$NS"
ip -n "$NS" link set lo up
mkdir -p "/etc/netns/$NS"
echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"
ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file="$DIR/dnsmasq.conf" &
DNSPID=$!
sleep 1
for c in ${CONC:-1 16 64 256 1024}; do
	printf 'concurrency %-5s ' "$c"
	ip netns exec "$NS" timeout 300 "$BIN" "$DIR/names.txt" "$c" 1000 2
done
