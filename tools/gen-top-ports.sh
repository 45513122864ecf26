#!/bin/sh
# gen-top-ports.sh - regenerates data/top-ports.txt from nmap's nmap-services.
#
# Usage: sh tools/gen-top-ports.sh [NMAP_SERVICES] > data/top-ports.txt
#
# Takes the tcp entries of nmap-services (Debian package nmap-common), sorts
# them by the third column (open-frequency: the fraction of scanned hosts on
# which nmap's research found the port open) descending, breaks ties by port
# number ascending, and prints the first 1000 port numbers, one per line.
# With that tie-break the set equals the one `nmap --top-ports 1000` scans.
set -eu

services=${1:-/usr/share/nmap/nmap-services}
count=1000

if [ ! -r "$services" ]; then
	echo "gen-top-ports.sh: $services: not readable (apt-get install -y nmap)" >&2
	exit 1
fi

pkg=$(dpkg-query -S "$services" 2>/dev/null | cut -d: -f1 || true)
ver=""
[ -n "$pkg" ] && ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
id=$(sed -n 's/^# \$Id: \(.*\) \$$/\1/p' "$services" | head -n 1)

cat <<HDR
# top-ports.txt - TCP ports ranked by how often they are found open, most
# frequent first. One port number per line; '#' lines are comments.
#
# Source: $services from Debian's ${pkg:-nmap-common} package, version ${ver:-unknown}
#         (nmap-services \$Id: ${id:-unknown} \$).
# Column: the third field, open-frequency, of the entries whose second field
#         is PORT/tcp; sorted descending, ties broken by port number ascending.
# Produced by: sh tools/gen-top-ports.sh $services > data/top-ports.txt
#   awk '\$2 ~ /\\/tcp\$/ { split(\$2, a, "/"); print a[1], \$3 }' nmap-services |
#   LC_ALL=C sort -k2,2gr -k1,1n | head -n $count | cut -d' ' -f1
# The frequency data is (C) Insecure.Com LLC, from the Nmap Security Scanner
# (https://nmap.org/); only the resulting port ranking is kept here.
HDR

awk '$2 ~ /\/tcp$/ { split($2, a, "/"); print a[1], $3 }' "$services" |
	LC_ALL=C sort -k2,2gr -k1,1n | head -n "$count" | cut -d' ' -f1
