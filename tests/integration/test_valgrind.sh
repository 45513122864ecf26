#!/bin/bash
# Memory: a small lab scan under valgrind (memcheck, leak check) reports no
# error and no leak, and its results are still every one right.
. "$(dirname "$0")/common.sh"
need_portus
command -v valgrind >/dev/null || fail "valgrind is not installed (tools/deps.sh installs it)"
lab_up --prefix 198.19.0.0/24
lab_truth "$ART/truth.json"
TARGETS="198.19.0.0/26 198.18.0.10-198.18.0.14"
PORTS=22,80,443,8080,8081
echo "+ valgrind portus -p $PORTS $TARGETS" >&3
# --vgdb=no: after the privilege drop valgrind could not remove its gdb pipes.
ip netns exec "$LAB_NS_SCAN" timeout -k 5 "$SCAN_TIMEOUT" valgrind --vgdb=no -q \
	--leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
	--error-exitcode=99 "$PORTUS" -p $PORTS --rate 2000 --exclude-file /dev/null --no-status \
	-oJ "$ART/scan.json" $TARGETS >"$ART/stdout.txt" 2>"$ART/valgrind.txt"
rc=$?
[ "$rc" = 0 ] || { sed 's/^/  | /' "$ART/valgrind.txt" | head -40; fail "valgrind run exited $rc"; }
[ ! -s "$ART/valgrind.txt" ] || { sed 's/^/  | /' "$ART/valgrind.txt" | head -40; fail "valgrind reported something"; }
check --targets "$TARGETS" --ports $PORTS "$ART/scan.json" || fail "results wrong"
echo "PASS: $TEST_NAME"
