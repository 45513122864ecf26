#!/bin/sh
# tools/deps.sh GROUP... — installs the Debian packages a make target needs,
# only those missing. Idempotent and silent when everything is there; not as
# root, it names what is missing (and the apt-get line) and fails.
#
#   build        compile portus: gcc, make, and debian/control's Build-Depends
#                that are not marked <!nocheck> (the list a package build uses)
#   unit         the unit tests: the <!nocheck> Build-Depends (cmocka)
#   fuzz         the libFuzzer harnesses (clang and its runtime)
#   lab          the namespace lab of `make scan` (SYN and TLS targets)
#   integration  the integration tests: the lab, the peers and checkers they
#                compare with (nmap, Chromium, Slurm, ...), and a package build
#   bench        `make bench`
#   lint         `make lint` (cppcheck, clang-tidy)
#   format       `make format-check` (clang-format)
#
# The Makefile keeps one stamp per group (build/.deps/GROUP), so each check
# runs once per tree; NO_DEPS=1 skips them all.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# debian/control's Build-Depends, one name a line (alternatives: the first;
# versions and profiles dropped; debhelper-compat left out). $1 "build": those
# without <!nocheck>, "check": only those.
build_depends() {
	awk -v want="$1" '
		/^[^ \t]/ { on = ($0 ~ /^Build-Depends:/); if (on) sub(/^Build-Depends:/, "") }
		on { text = text " " $0 }
		END {
			n = split(text, items, ",")
			for (i = 1; i <= n; i++) {
				item = items[i]
				gsub(/^[ \t]+|[ \t]+$/, "", item)
				name = item
				sub(/[ \t(<\[|].*/, "", name)
				if (name == "" || name == "debhelper-compat")
					continue
				if ((item ~ /<!nocheck>/) == (want == "check"))
					print name
			}
		}' "$ROOT/debian/control"
}

LAB="iproute2 nftables procps python3 python3-cryptography openssl"
pkgs=""
for group in "$@"; do
	case $group in
	build) pkgs="$pkgs gcc libc6-dev make $(build_depends build)" ;;
	unit) pkgs="$pkgs $(build_depends check)" ;;
	fuzz) pkgs="$pkgs clang libclang-rt-14-dev" ;;
	lab) pkgs="$pkgs $LAB" ;;
	integration)
		pkgs="$pkgs $LAB valgrind python3-jsonschema python3-yaml libcap2-bin libxml2-utils
		      nmap ndiff chromium dnsmasq-base slurm-wlm munge rsyslog python3-kubernetes nginx-light
		      build-essential debhelper lintian man-db groff-base zsh bash-completion
		      $(build_depends build) $(build_depends check)" ;;
	bench) pkgs="$pkgs $LAB time" ;;
	lint) pkgs="$pkgs cppcheck clang-tidy" ;;
	format) pkgs="$pkgs clang-format" ;;
	*)
		echo "tools/deps.sh: unknown group '$group' (build unit fuzz lab integration bench lint format)" >&2
		exit 2
		;;
	esac
done
missing=""
for p in $pkgs; do
	case " $missing " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "portus: missing Debian packages for $*:$missing (run as root, or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "portus: installing ($*)$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
