#!/bin/sh
# run-all.sh — runs tests/integration/test_*.sh (or the ones named) one after
# the other, each in its own lab network, and prints PASS/FAIL per test and a
# closing line `integration: N passed, N failed`. Exits 1 if any failed.
#
#   sh tests/integration/run-all.sh [test_lab_scan ...]
#
# Needs root (network namespaces). Not root: every test is skipped (a failure
# instead when $CI is set). Logs and scan outputs: tests/artifacts/integration/.
# PORTUS=/path/to/portus overrides the binary (default ./portus).
cd "$(dirname "$0")/../.." || exit 1
ART_ROOT=tests/artifacts/integration
TEST_TIMEOUT=${TEST_TIMEOUT:-600}

tests=""
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t%.sh}
		t=${t##*/}
		[ -f "tests/integration/$t.sh" ] || { echo "integration: no test $t" >&2; exit 2; }
		tests="$tests tests/integration/$t.sh"
	done
else
	tests=$(ls tests/integration/test_*.sh)
fi
count=$(echo "$tests" | wc -w)

if [ "$(id -u)" != 0 ]; then
	if [ -n "${CI:-}" ]; then
		echo "integration: FAIL: must run as root in CI (network namespaces)"
		echo "integration: 0 passed, $count failed"
		exit 1
	fi
	echo "integration: SKIPPED $count tests: they need root (network namespaces); run: sudo make integration"
	echo "integration: 0 passed, 0 failed"
	exit 0
fi

mkdir -p "$ART_ROOT"
passed=0
failed=0
failed_names=""
for t in $tests; do
	name=$(basename "$t" .sh)
	log=$ART_ROOT/$name.log
	start=$(date +%s)
	# The test's own traps remove its lab; the timeout bounds a hang (TERM, then KILL).
	timeout --foreground -k 10 "$TEST_TIMEOUT" bash "$t" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		printf 'PASS  %-20s %4ss\n' "$name" "$secs"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		why=""
		[ $rc = 124 ] && why=" (timed out after ${TEST_TIMEOUT}s)"
		printf 'FAIL  %-20s %4ss  exit %s%s, log: %s\n' "$name" "$secs" "$rc" "$why" "$log"
		tail -n 25 "$log" | sed 's/^/      | /'
	fi
done
# Anything a killed test left behind (labs are named plab<PID>-*; only dead PIDs).
sh tests/lab/labctl.sh stale
echo "integration: $passed passed, $failed failed"
[ $failed = 0 ]
