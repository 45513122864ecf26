#!/bin/bash
# The TLS stage under load (issue 6): 2,000 endpoints on port 443
# (tests/lab/tls_load_lab.sh: AnyIP 198.19.64.1-198.19.71.208 in plab<ID>-tls,
# one asyncio server), by address index: a third complete TLS 1.2/1.3 with a
# fresh self-signed ECDSA certificate and answer HEAD, a third accept and
# never send a byte, a third accept and reset (SO_LINGER 0). Every endpoint
# has a listener, so the SYN scan finds all 2,000 open.
#
#  0. baseline: the same SYN scan without --tls (peak RSS for the memory bound)
#  1. portus --tls --tls-timeout T --tls-concurrency C on all 2,000:
#     - exactly one TLS record per endpoint, outcome by group: ok / timeout /
#       reset; ok ones carry the served certificate (sha256 of its DER),
#       TLSv1.2+ and the HEAD answer "HTTP/1.1 200 OK" / "lab-load"; the
#       summary agrees; the servers saw exactly one connection per endpoint
#     - time: wall <= ceil(stalls / C) * T + SLACK_S (printed); at least T
#       (a stalled endpoint cannot end before its deadline)
#     - memory: peak RSS <= baseline + TLS_FIXED_KIB + C * PER_CONN_KIB
#       (printed with the measured value)
#  2. the same run interrupted by SIGINT once TLS records are being written
#     (the stalled third still pending): exit 130 within 5 s, every line of
#     the -oJ file complete JSON, newline-terminated, summary "interrupted":
#     true; no endpoint twice; every record's outcome matches its group (so
#     every "ok" is a real ok endpoint, with the right certificate); fewer
#     than all stalls reported (the stop really was mid-stage).
#
# Peak RSS: VmHWM of /proc/PID/status sampled every 0.1 s, and GNU time's
# maximum resident set when /usr/bin/time is installed (package "time"); the
# larger of the two is checked. Bounded: each portus run under timeout 60,
# the whole test ~15 s on 2 cores (at most ~2.5 minutes).
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
command -v openssl >/dev/null || fail "openssl CLI missing (tools/deps.sh)"
need_portus
"$PORTUS" --help 2>&1 | grep -q -- '--tls-concurrency' || fail "portus has no TLS stage"

COUNT=2000
TIMEOUT_MS=3000
CONC=256
SLACK_S=10            # SYN scan (3 passes, ~1 s), 1,333 short connections, start and exit
TLS_FIXED_KIB=12288   # TLS contexts, trust store, queued jobs and records (~5 MiB measured)
PER_CONN_KIB=96       # one open connection: SSL object, buffers, banner (~45 KiB measured)
RUN_TIMEOUT=45        # per portus run: 3 runs + lab stay under 3 minutes

lab_up --prefix 198.19.0.0/30
LOAD=$ART/load
sh "$LAB_DIR/tls_load_lab.sh" up "$LAB_ID" "$LOAD" "$COUNT" || fail "the load lab did not come up"
TRUTH=$LOAD/truth.json
RANGE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["range"])' "$TRUTH")
STALLS=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["groups"]["stall"])' "$TRUTH")
echo "load lab: $COUNT endpoints $RANGE:443 ($(tr -d '\n ' <"$LOAD/truth.json" | sed 's/.*"groups":\({[^}]*}\).*/\1/'))"

# The lab itself: one handshake to the first (ok) address, from the scanner namespace.
ip netns exec "$LAB_NS_SCAN" timeout 10 openssl s_client -connect "${RANGE%-*}:443" </dev/null \
	>"$ART/sanity.log" 2>&1
grep -q 'BEGIN CERTIFICATE' "$ART/sanity.log" || fail "no TLS from ${RANGE%-*}: $(tail -3 "$ART/sanity.log")"
sleep 0.6 # stats.json is rewritten every 0.5 s
cp "$LOAD/log/stats.json" "$ART/stats-before.json"

# Runs portus (ARGS) in the scanner namespace, bounded. Sets RUN_RC, RUN_WALL
# (s), RUN_KIB (peak RSS: the larger of RUN_HWM_KIB, sampled VmHWM, and
# RUN_TIME_KIB, GNU time's maximum resident set, 0 without /usr/bin/time). With STOP_AFTER_TLS=N: SIGINT once the -oJ file
# OUT holds N TLS records.
run_portus() { # NAME OUT ARGS...
	local name=$1 out=$2 pidf=$ART/$1.pid timef=$ART/$1.time pid="" hwm=0 v t0 t1 runner sent=0
	shift 2
	local timecmd=()
	[ -x /usr/bin/time ] && timecmd=(/usr/bin/time -f %M -o "$timef")
	rm -f "$pidf" "$timef"
	echo "+ portus $*" >&3
	t0=$(date +%s.%N)
	ip netns exec "$LAB_NS_SCAN" "${timecmd[@]}" timeout -k 5 "$RUN_TIMEOUT" \
		sh -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$PORTUS" "$@" -oJ "$out" \
		>"$ART/$name.out" 2>"$ART/$name.err" &
	runner=$!
	while kill -0 "$runner" 2>/dev/null; do
		[ -n "$pid" ] || pid=$(cat "$pidf" 2>/dev/null)
		if [ -n "$pid" ]; then
			v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
			[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
			if [ -n "${STOP_AFTER_TLS:-}" ] && [ "$sent" = 0 ] &&
				[ "$(grep -c '"type":"tls"' "$out" 2>/dev/null)" -ge "$STOP_AFTER_TLS" ]; then
				kill -INT "$pid" && sent=$(date +%s.%N)
			fi
		fi
		sleep 0.1
	done
	wait "$runner"
	RUN_RC=$?
	t1=$(date +%s.%N)
	RUN_WALL=$("$PY" -c "print(round($t1 - $t0, 2))")
	[ "$sent" = 0 ] || RUN_STOP_S=$("$PY" -c "print(round($t1 - $sent, 2))")
	RUN_HWM_KIB=$hwm RUN_TIME_KIB=0
	[ -s "$timef" ] && v=$(tail -1 "$timef") && [ "$v" -gt 0 ] 2>/dev/null && RUN_TIME_KIB=$v
	RUN_KIB=$((RUN_HWM_KIB > RUN_TIME_KIB ? RUN_HWM_KIB : RUN_TIME_KIB))
	RUN_SIGNALLED=$sent
}

# 0. Baseline: the SYN scan alone.
run_portus base "$ART/base.ndjson" "$RANGE" -p 443 --exclude-file /dev/null --no-status
[ "$RUN_RC" = 0 ] || fail "portus (no --tls) exited $RUN_RC ($(tail -3 "$ART/base.err"))"
BASE_KIB=$RUN_KIB
echo "baseline (no --tls): ${RUN_WALL} s, peak RSS $BASE_KIB KiB"
[ "$BASE_KIB" -gt 0 ] || fail "could not measure portus's peak RSS"

# 1. The TLS stage on all 2,000.
run_portus tls "$ART/tls.ndjson" "$RANGE" -p 443 --tls --tls-timeout $TIMEOUT_MS \
	--tls-concurrency $CONC --exclude-file /dev/null --no-status
[ "$RUN_RC" = 0 ] || fail "portus --tls exited $RUN_RC ($(tail -3 "$ART/tls.err"))"
TLS_WALL=$RUN_WALL TLS_KIB=$RUN_KIB TLS_RSS_HOW="VmHWM sampled $RUN_HWM_KIB KiB, GNU time $RUN_TIME_KIB KiB"
sleep 0.6
cp "$LOAD/log/stats.json" "$ART/stats-after.json"
"$PY" - "$TRUTH" "$ART/tls.ndjson" "$ART/stats-before.json" "$ART/stats-after.json" <<'PY' ||
import json, sys
truth = json.load(open(sys.argv[1]))
eps, want_outcome, sha = truth["endpoints"], truth["expected_outcome"], truth["sha256"]
text = open(sys.argv[2]).read()
assert text.endswith("\n"), "output does not end with a newline"
recs = [json.loads(l) for l in text.split("\n")[:-1]]
tls = [r for r in recs if r["type"] == "tls"]
ports = {r["ip"]: r["state"] for r in recs if r["type"] == "port" and r["port"] == 443}
bad = [ip for ip in eps if ports.get(ip) != "open"]
assert not bad, f"{len(bad)} endpoints not reported open, e.g. {bad[:5]}"
seen, errs = {}, []
for r in tls:
    k = (r["ip"], r["port"])
    if k in seen:
        errs.append(f"{k}: two TLS records")
    seen[k] = r
    g = eps.get(r["ip"])
    if g is None or r["port"] != truth["port"]:
        errs.append(f"{k}: a TLS record for an endpoint the lab does not have")
        continue
    if r["outcome"] != want_outcome[g]:
        errs.append(f"{k} ({g}): outcome {r['outcome']} ({r['detail']}), expected {want_outcome[g]}")
        continue
    if g == "ok":
        c = r["cert"] or {}
        if c.get("sha256") != sha or r["chain"][0]["sha256"] != sha or r["chain_length"] != 1:
            errs.append(f"{k}: certificate {c.get('sha256')}, served {sha}")
        if r["tls_version"] not in ("TLSv1.2", "TLSv1.3") or r["sni"] is not None:
            errs.append(f"{k}: version {r['tls_version']} sni {r['sni']}")
        if (r["http_status"], r["http_server"]) != ("HTTP/1.1 200 OK", "lab-load"):
            errs.append(f"{k}: banner {r['http_status']!r} / {r['http_server']!r}")
    elif r["cert"] is not None or r["chain"] or r["tls_version"] is not None:
        errs.append(f"{k} ({g}): certificate or version without a handshake")
missing = [ip for ip in eps if (ip, truth["port"]) not in seen]
if missing:
    errs.append(f"{len(missing)} endpoints without a TLS record, e.g. {missing[:5]}")
if errs:
    sys.exit("\n".join(errs[:20]) + f"\n({len(errs)} problems)")
s = recs[-1]
assert s["type"] == "summary" and s["interrupted"] is False, "no final summary"
n_ok = sum(r["outcome"] == "ok" for r in tls)
assert (s["tls_endpoints"], s["tls_ok"]) == (len(tls), n_ok), \
    f"summary tls_endpoints/tls_ok {s['tls_endpoints']}/{s['tls_ok']}, records {len(tls)}/{n_ok}"
b, a = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
acc = {g: a["accepted"][g] - b["accepted"][g] for g in truth["groups"]}
assert acc == truth["groups"], f"connections accepted per group {acc}, endpoints {truth['groups']}"
answered = a["answered"] - b["answered"]
assert answered == truth["groups"]["ok"], f"{answered} HEAD requests answered"
by = {o: sum(r["outcome"] == o for r in tls) for o in ("ok", "timeout", "reset")}
print(f"records: {len(tls)} TLS records, one per endpoint: {by}; certificates right; "
      f"one connection per endpoint {acc}")
PY
	fail "TLS records under load wrong"

WAVES=$(( (STALLS + CONC - 1) / CONC )) # ceil(stalls / concurrency)
BOUND_S=$(( (WAVES * TIMEOUT_MS + 999) / 1000 + SLACK_S ))
MEM_BOUND_KIB=$((BASE_KIB + TLS_FIXED_KIB + CONC * PER_CONN_KIB))
echo "time: ${TLS_WALL} s; bound ceil($STALLS stalls / $CONC) * ${TIMEOUT_MS} ms + ${SLACK_S} s = ${BOUND_S} s"
echo "memory: peak RSS $TLS_KIB KiB ($TLS_RSS_HOW; $((TLS_KIB - BASE_KIB)) KiB over the baseline);" \
	"bound $BASE_KIB + $TLS_FIXED_KIB + $CONC * $PER_CONN_KIB = $MEM_BOUND_KIB KiB"
"$PY" -c "import sys; sys.exit(not ($TLS_WALL <= $BOUND_S))" ||
	fail "the TLS run took ${TLS_WALL} s, bound ${BOUND_S} s"
"$PY" -c "import sys; sys.exit(not ($TLS_WALL >= $TIMEOUT_MS / 1000))" ||
	fail "the TLS run took ${TLS_WALL} s: stalled endpoints cannot end before ${TIMEOUT_MS} ms"
[ "$TLS_KIB" -le "$MEM_BOUND_KIB" ] || fail "peak RSS $TLS_KIB KiB over the bound $MEM_BOUND_KIB KiB"

# 2. SIGINT mid-stage.
STOP_AFTER_TLS=50 run_portus int "$ART/int.ndjson" "$RANGE" -p 443 --tls --tls-timeout $TIMEOUT_MS \
	--tls-concurrency $CONC --exclude-file /dev/null --no-status
[ "$RUN_SIGNALLED" != 0 ] || fail "the run ended ($RUN_RC) before 50 TLS records were written: no SIGINT sent"
[ "$RUN_RC" = 130 ] || fail "SIGINT: exit $RUN_RC, expected 130 ($(tail -3 "$ART/int.err"))"
"$PY" -c "import sys; sys.exit(not ($RUN_STOP_S <= 5))" ||
	fail "SIGINT: portus took ${RUN_STOP_S} s to stop (limit 5 s)"
"$PY" - "$TRUTH" "$ART/int.ndjson" <<'PY' || fail "SIGINT: the interrupted output is wrong"
import json, sys
truth = json.load(open(sys.argv[1]))
eps, want_outcome, sha = truth["endpoints"], truth["expected_outcome"], truth["sha256"]
text = open(sys.argv[2]).read()
assert text.endswith("\n"), "output does not end with a newline (a record cut off)"
recs = [json.loads(l) for l in text.split("\n")[:-1]]  # each line complete JSON
assert recs[-1]["type"] == "summary" and recs[-1]["interrupted"] is True, \
    "last line is not a summary with interrupted true"
tls = [r for r in recs if r["type"] == "tls"]
seen = set()
for r in tls:
    k = (r["ip"], r["port"])
    assert k not in seen, f"{k}: two TLS records"
    seen.add(k)
    g = eps.get(r["ip"])
    assert g is not None, f"{k}: not a lab endpoint"
    assert r["outcome"] == want_outcome[g], f"{k} ({g}): outcome {r['outcome']}, expected {want_outcome[g]}"
    if g == "ok":  # a record is written whole: certificate and banner
        assert r["cert"]["sha256"] == sha, f"{k}: certificate {r['cert']['sha256']}, served {sha}"
        assert (r["http_status"], r["http_server"]) == ("HTTP/1.1 200 OK", "lab-load"), \
            f"{k}: banner {r['http_status']!r} / {r['http_server']!r}"
by = {o: sum(r["outcome"] == o for r in tls) for o in ("ok", "timeout", "reset")}
assert (recs[-1]["tls_endpoints"], recs[-1]["tls_ok"]) == (len(tls), by["ok"]), \
    f"summary tls_endpoints/tls_ok {recs[-1]['tls_endpoints']}/{recs[-1]['tls_ok']}, records {len(tls)}/{by['ok']}"
assert by["timeout"] < truth["groups"]["stall"], "every stall reported: the SIGINT came after the stage"
print(f"SIGINT: {len(tls)} TLS records written before the stop {by}, all complete and right")
PY
echo "SIGINT: exit 130, ${RUN_STOP_S} s after the signal, peak RSS $RUN_KIB KiB"
echo "PASS: $TEST_NAME"
