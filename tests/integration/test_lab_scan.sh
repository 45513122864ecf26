#!/bin/bash
# The whole lab, no loss: portus must get every (address, port) right, with the
# right reason and TTL, report the dead on-link hosts down, and write the same
# opens to -oL; --open must write only the open ports. With --send-threads 3
# (and no retries) the threads' slices must cover the plan exactly once.
#   routed 198.19.0.0/22 (AnyIP) x 5 ports + on-link 198.18.0.10-23 (3 up, 11 down)
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/22
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/22 198.18.0.10-198.18.0.23"
PORTS=22,80,443,8080,8081
PLAN=(--targets "$TARGETS" --ports "$PORTS")

# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null \
	-oJ "$ART/scan.json" -oL "$ART/scan.txt" $TARGETS >"$ART/stdout.txt" 2>"$ART/stderr.txt" ||
	fail "portus exited $? (stderr: $(tail -3 "$ART/stderr.txt"))"
check "${PLAN[@]}" "$ART/scan.json" || fail "NDJSON does not match the truth"
check "${PLAN[@]}" --format portus-list "$ART/scan.txt" || fail "-oL opens do not match the truth"

# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null --open \
	-oJ "$ART/open.json" $TARGETS >"$ART/stdout-open.txt" 2>"$ART/stderr-open.txt" ||
	fail "portus --open exited $? (stderr: $(tail -3 "$ART/stderr-open.txt"))"
check "${PLAN[@]}" --open-only "$ART/open.json" || fail "--open output does not match the truth"
# Three sender threads, one pass: every routed target gets exactly one SYN at
# the gateway (4 x 256 x 5 = 5,120), and every state is still right.
syns0=$(gw_syns)
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 30000 --send-threads 3 --retries 0 --exclude-file /dev/null \
	-oJ "$ART/threads.json" $TARGETS >"$ART/stdout-threads.txt" 2>"$ART/stderr-threads.txt" ||
	fail "portus --send-threads 3 exited $? (stderr: $(tail -3 "$ART/stderr-threads.txt"))"
syns=$(($(gw_syns) - syns0))
[ "$syns" = 5120 ] || fail "--send-threads 3 sent $syns SYNs to the routed prefix, want 5120 (each once)"
check "${PLAN[@]}" "$ART/threads.json" || fail "--send-threads 3 output does not match the truth"
grep -q '"probes_sent":5135,' "$ART/threads.json" ||
	fail "--send-threads 3: summary does not count 5,135 probes (5,120 routed + 3 on-link hosts x 5)"
echo "PASS: $TEST_NAME"
