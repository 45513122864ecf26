#!/bin/sh
# Installs the Debian packages portus needs to build and test, only when missing.
# Idempotent and silent when everything is already there.
set -e
PKGS="gcc make libpcap-dev libdumbnet-dev libssl-dev libcmocka-dev pkg-config
      clang libclang-rt-14-dev valgrind iproute2 nftables python3 procps
      openssl python3-cryptography python3-jsonschema python3-yaml libcap2-bin libxml2-utils nmap ndiff chromium
      libc-ares-dev libcurl4-openssl-dev dnsmasq-base slurm-wlm munge rsyslog python3-kubernetes
      build-essential debhelper lintian man-db groff-base zsh bash-completion"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "portus: missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "portus: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
