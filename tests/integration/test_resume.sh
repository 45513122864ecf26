#!/bin/bash
# --resume: a scan interrupted (SIGINT) at several points — early in the first
# pass, late in it, and during a retry pass — and continued with --resume
# gives, over its parts, exactly the uninterrupted scan's result: every
# (address, port) right, each record once, no host record twice; the resumed
# run never probes what the interrupted one already answered (its first pass
# sends exactly the unanswered targets), and its summary names the same seed.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/22
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/22 198.18.0.10-198.18.0.23"
PORTS=22,80,443,8080,8081
PLAN=(--targets "$TARGETS" --ports "$PORTS")
# 5,190 targets at 4,000 pps: a first pass of ~1.3 s, then waits and retries.
COMMON=(-p "$PORTS" --rate 4000 --exclude-file /dev/null --no-status)

interrupt_after() { # SECONDS OUT -> runs portus, SIGINT after SECONDS; exit status 130 expected
	local secs=$1 out=$2 pid
	# shellcheck disable=SC2086
	portus_scan "${COMMON[@]}" -oJ "$out" $TARGETS >/dev/null 2>"$out.err" &
	pid=$!
	sleep "$secs"
	pkill -INT -f "^$PORTUS ${COMMON[*]} -oJ $out" || true
	wait "$pid"
}

n=0
for secs in 0.4 1.0 2.2; do
	n=$((n + 1))
	interrupt_after "$secs" "$ART/part$n-a.json"
	rc=$?
	[ "$rc" = 130 ] || fail "run $n: interrupted scan exited $rc, expected 130 ($(tail -2 "$ART/part$n-a.json.err"))"
	grep -q '"interrupted":true' "$ART/part$n-a.json" || fail "run $n: no interrupted summary"
	before=$(gw_syns)
	# shellcheck disable=SC2086
	portus_scan "${COMMON[@]}" --resume "$ART/part$n-a.json" -oJ "$ART/part$n-b.json" $TARGETS \
		>/dev/null 2>"$ART/part$n-b.err" || fail "run $n: resume exited $? ($(tail -2 "$ART/part$n-b.err"))"
	after=$(gw_syns)
	check "${PLAN[@]}" "$ART/part$n-a.json" "$ART/part$n-b.json" >"$ART/check$n.txt" ||
		fail "run $n (interrupted after ${secs}s): parts differ from the truth: $(tail -3 "$ART/check$n.txt")"
	python3 - "$ART/part$n-a.json" "$ART/part$n-b.json" "$((after - before))" <<'PY' || fail "run $n: resume bookkeeping wrong"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
syns = int(sys.argv[3])
key = lambda r: (r["type"], r["ip"], r.get("port"))
ka = {key(r) for r in a if r["type"] in ("port", "host")}
kb = [key(r) for r in b if r["type"] in ("port", "host")]
dup = ka & set(kb)
if dup or len(kb) != len(set(kb)):
    sys.exit(f"records written twice: {sorted(dup)[:5]}")
sa = [r for r in a if r["type"] == "summary"][-1]
sb = [r for r in b if r["type"] == "summary"][-1]
if sb["seed"] != sa["seed"] or sb["shard"] != sa["shard"] or sb["interrupted"]:
    sys.exit(f"resumed summary: seed {sb['seed']} shard {sb['shard']} interrupted {sb['interrupted']}")
# The gateway counts SYNs to routed targets; the resumed run's first pass sends
# exactly the routed targets the interrupted run left unanswered, retries
# only what stays silent (8080 drops: 1 of 5 ports), so it never reaches the
# number of answered ones plus 3 x unanswered.
answered = sum(1 for r in a if r["type"] == "port" and not r["ip"].startswith("198.18."))
routed = 1024 * 5
left = routed - answered
if not (left <= syns <= left * 3):
    sys.exit(f"resumed run sent {syns} SYNs to routed targets; {left} were unanswered")
print(f"interrupted part: {answered} routed answers; resumed part: {syns} SYNs for {left} left")
PY
done
# Misuse: a complete run, other ports than the interrupted run's, another seed.
expect_refused() { # PATTERN ARGS...
	local pat=$1
	shift
	# shellcheck disable=SC2086
	portus_scan "$@" -oJ "$ART/refused.json" >/dev/null 2>"$ART/refused.err"
	local rc=$?
	[ "$rc" = 2 ] || fail "--resume misuse ($pat): exit $rc, expected 2"
	grep -q "$pat" "$ART/refused.err" || fail "--resume misuse: '$(cat "$ART/refused.err")' lacks '$pat'"
	[ ! -e "$ART/refused.json" ] || fail "--resume misuse ($pat) left an output file"
}
# shellcheck disable=SC2086
expect_refused "is a complete run" "${COMMON[@]}" --resume "$ART/part1-b.json" $TARGETS
# shellcheck disable=SC2086
expect_refused "is not in this scan's targets and ports" -p 22,80 --rate 4000 --exclude-file /dev/null \
	--resume "$ART/part3-a.json" $TARGETS
# shellcheck disable=SC2086
expect_refused "the interrupted run used --seed" "${COMMON[@]}" --seed 1 --resume "$ART/part3-a.json" $TARGETS
echo "PASS: $TEST_NAME"
