# shellcheck shell=bash
# common.sh — sourced by tests/integration/test_*.sh (bash).
#
# Sets ROOT (repo root), PORTUS (binary, default $ROOT/portus), ART (this
# test's artifact directory under tests/artifacts/integration/), CHECK (the
# checker), and sources the lab library. Helpers:
#   need_portus           fail unless $PORTUS is executable
#   portus_scan ARGS...   timeout 120 portus ARGS... inside the scanner namespace
#   check ARGS...         check_results.py with this lab's truth file
#   fail MSG              print and exit 1 (the lab trap cleans up)

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PORTUS=${PORTUS:-$ROOT/portus}
TEST_NAME=$(basename "$0" .sh)
ART=${ART:-$ROOT/tests/artifacts/integration/$TEST_NAME}
CHECK=$ROOT/tests/integration/check_results.py
SCAN_TIMEOUT=${SCAN_TIMEOUT:-120}
LAB_DIR=$ROOT/tests/lab
. "$LAB_DIR/lab.sh"

exec 3>&2 # the test's stderr, for traces while 2 is redirected
rm -rf "$ART"
mkdir -p "$ART"

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

need_portus() {
	[ -x "$PORTUS" ] || fail "no portus binary at $PORTUS (run make first)"
}

# Runs portus in the scanner namespace, bounded in time. Returns portus's status
# (124 if it had to be killed).
portus_scan() {
	echo "+ portus $*" >&3
	ip netns exec "$LAB_NS_SCAN" timeout --foreground -k 5 "$SCAN_TIMEOUT" "$PORTUS" "$@"
}

check() {
	python3 "$CHECK" --truth "$ART/truth.json" "$@"
}

# SYN probes the target namespace has received so far (nftables counter).
gw_syns() {
	ip netns exec "$LAB_NS_GW" nft list counter ip lab syns |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
