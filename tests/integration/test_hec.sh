#!/bin/bash
# Splunk HEC output against the lab: -oJ F --format splunk-hec and --hec-url
# to tests/lab/hec_receiver.py, which runs inside the scanner namespace on
# 127.0.0.1 (bounded by timeout), checks the Authorization header and records
# every event.
#
#  1. http: the receiver answers the first 3 POSTs with 503 (the second also
#     closes the connection), so portus must retry; the events it finally got
#     equal the lines of F (same set, none twice, none lost), every envelope is
#     right (time = the record's time, host = this host, source, sourcetype by
#     record type, no index), and the unwrapped events match the lab truth
#     (check_results.py).
#  2. https with a self-signed certificate made here (openssl) and --ca-file,
#     with --hec-index: every event arrives, each with "index".
#  3. https without --ca-file: the certificate is rejected, one line, exit 1.
#  4. a wrong token: the receiver answers 403; portus reports
#     "HEC URL: 403 Invalid token" once and exits 1, posting nothing more.
#  5. a malformed URL: one line at open, exit 2.
. "$(dirname "$0")/common.sh"
need_portus
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
command -v openssl >/dev/null || fail "openssl CLI missing (tools/deps.sh)"
RECEIVER=$LAB_DIR/hec_receiver.py
TOKEN=5d1f4c4e-1b7a-4d8e-9c43-7f0e2a6b9d10

RPIDS=""
stop_receivers() {
	for p in $RPIDS; do kill "$p" 2>/dev/null; done
	RPIDS=""
}
# shellcheck disable=SC2034 # lab.sh's traps run it
LAB_ON_EXIT=stop_receivers
lab_up --prefix 198.19.0.0/24
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/24 198.18.0.10-198.18.0.23"
# An empty exclude list of our own rather than /dev/null, which a concurrent
# job on a shared machine may have replaced with a regular file.
NOEXCL=$ART/no-excludes.conf
: >"$NOEXCL"
PORTS=22,80,443,8080,8081
PLAN=(--targets "$TARGETS" --ports "$PORTS")

# start_receiver NAME ARGS...: receiver in the scanner namespace; sets RPORT.
start_receiver() {
	local name=$1
	shift
	rm -f "$ART/$name.port"
	ip netns exec "$LAB_NS_SCAN" timeout -k 5 150 "$PY" "$RECEIVER" --token "$TOKEN" \
		--port-file "$ART/$name.port" --events "$ART/$name.events" --log "$ART/$name.log" \
		--max-seconds 140 "$@" 2>"$ART/$name.err" &
	RPIDS="$RPIDS $!"
	for _ in $(seq 50); do
		[ -s "$ART/$name.port" ] && break
		sleep 0.1
	done
	[ -s "$ART/$name.port" ] || fail "$name receiver did not start: $(tail -3 "$ART/$name.err")"
	RPORT=$(cat "$ART/$name.port")
}

# check_envelopes FILE [INDEX]: every line a HEC envelope of this run.
check_envelopes() {
	"$PY" - "$1" "$(hostname)" "${2:-}" <<'PY'
import datetime, json, sys
path, host, index = sys.argv[1], sys.argv[2], sys.argv[3]
types = {"port": "portus:port", "host": "portus:host", "tls": "portus:tls", "summary": "portus:summary"}
keys = ["time", "host", "source", "sourcetype"] + (["index"] if index else []) + ["event"]
n = 0
for line in open(path, "rb"):
    if len(line) >= 10000:
        sys.exit(f"line of {len(line)} bytes: over Splunk's TRUNCATE")
    e = json.loads(line)
    if list(e) != keys:
        sys.exit(f"keys {list(e)} != {keys}")
    ev = e["event"]
    if e["host"] != host[:64] or e["source"] != "portus" or e["sourcetype"] != types[ev["type"]]:
        sys.exit(f"bad envelope: {line[:200]!r}")
    if index and e["index"] != index:
        sys.exit(f"index {e['index']!r} != {index!r}")
    t = ev["end"] if ev["type"] == "summary" else ev["time"]
    dt = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    us = int(dt.timestamp()) * 1000000 + dt.microsecond
    raw = line.split(b'"time":', 1)[1].split(b",", 1)[0].decode()
    sec, frac = raw.split(".")
    if len(frac) != 6 or int(sec) * 1000000 + int(frac) != us:
        sys.exit(f"time {raw} != the record's {t}")
    n += 1
print(f"envelopes: {n} ok")
PY
}

# same_lines A B: the same lines, none twice in either.
same_lines() {
	"$PY" - "$1" "$2" <<'PY'
import collections, sys
a = open(sys.argv[1], "rb").read().splitlines()
b = open(sys.argv[2], "rb").read().splitlines()
for name, l in (("file", a), ("receiver", b)):
    d = [k for k, v in collections.Counter(l).items() if v > 1]
    if d:
        sys.exit(f"{name}: {len(d)} events twice, e.g. {d[0][:150]!r}")
if set(a) != set(b):
    sys.exit(f"{len(set(a) - set(b))} events lost, {len(set(b) - set(a))} unexpected")
print(f"same {len(a)} events")
PY
}

unwrap() {
	"$PY" -c 'import json,sys
for l in open(sys.argv[1]): print(json.dumps(json.loads(l)["event"]))' "$1" >"$2"
}

# 1. http, retries, file and collector agree, truth.
start_receiver http --fail-first 3
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file "$NOEXCL" --no-status \
	-oJ "$ART/scan.hec" --format splunk-hec \
	--hec-url "http://127.0.0.1:$RPORT" --hec-token "$TOKEN" $TARGETS \
	>"$ART/stdout.txt" 2>"$ART/stderr.txt" ||
	fail "portus exited $? (stderr: $(tail -3 "$ART/stderr.txt"))"
[ ! -s "$ART/stderr.txt" ] || fail "stderr not empty: $(head -3 "$ART/stderr.txt")"
check_envelopes "$ART/scan.hec" || fail "-oJ envelopes wrong"
same_lines "$ART/scan.hec" "$ART/http.events" || fail "the collector's events differ from -oJ"
unwrap "$ART/scan.hec" "$ART/scan.native"
check "${PLAN[@]}" "$ART/scan.native" || fail "events do not match the truth"
"$PY" - "$ART/http.log" <<'PY' || fail "receiver log: retries, keep-alive or headers wrong"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
st = [r["status"] for r in log]
if st[:3] != [503, 503, 503] or any(s != 200 for s in st[3:]) or len(st) < 4:
    sys.exit(f"statuses {st}")
if not all(r["auth_ok"] and r["content_type"] == "application/json" for r in log):
    sys.exit("Authorization or Content-Type wrong")
if not any(r["conn_request"] > 1 for r in log):
    sys.exit("no connection carried two requests (keep-alive)")
print(f"receiver: {len(log)} requests, statuses {st[:5]}..., {sum(r['events'] for r in log)} events")
PY

# 2. https, self-signed certificate for 127.0.0.1 trusted with --ca-file, an index.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hec.test \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$ART/hec.key" -out "$ART/hec.crt" \
	>"$ART/openssl.log" 2>&1 || fail "openssl: $(tail -3 "$ART/openssl.log")"
start_receiver https --tls-cert "$ART/hec.crt" --tls-key "$ART/hec.key"
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file "$NOEXCL" --no-status --open \
	-oJ "$ART/open.hec" --format splunk-hec --hec-url "https://127.0.0.1:$RPORT/" \
	--hec-token "$TOKEN" --hec-index portus_test --ca-file "$ART/hec.crt" $TARGETS \
	>"$ART/stdout-https.txt" 2>"$ART/stderr-https.txt" ||
	fail "portus (https) exited $? (stderr: $(tail -3 "$ART/stderr-https.txt"))"
check_envelopes "$ART/https.events" portus_test || fail "https envelopes wrong"
"$PY" -c 'import json,sys
a = sorted(json.dumps(json.loads(l)["event"]) for l in open(sys.argv[1]))
b = sorted(json.dumps(json.loads(l)["event"]) for l in open(sys.argv[2]))
sys.exit(0 if a == b else "https events differ from -oJ")' "$ART/open.hec" "$ART/https.events" ||
	fail "https: the collector's events differ from -oJ"
unwrap "$ART/https.events" "$ART/https.native"
check "${PLAN[@]}" --open-only "$ART/https.native" || fail "https events do not match the truth"

# 3. https without --ca-file: nothing is trusted, one line, exit 1.
portus_scan 198.18.0.10 -p 80 --exclude-file "$NOEXCL" --no-status -oJ "$ART/noca.json" \
	--hec-url "https://127.0.0.1:$RPORT" --hec-token "$TOKEN" \
	>"$ART/stdout-noca.txt" 2>"$ART/stderr-noca.txt"
rc=$?
[ "$rc" = 1 ] || fail "untrusted certificate: exit $rc, want 1"
n=$(grep -c "^portus: HEC https://127.0.0.1:$RPORT/services/collector/event: server certificate rejected: self-signed certificate$" "$ART/stderr-noca.txt")
[ "$n" = 1 ] || fail "untrusted certificate: $n rejection lines: $(cat "$ART/stderr-noca.txt")"

# 4. a wrong token: 403, reported once, exit 1.
start_receiver token
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file "$NOEXCL" --no-status -oJ "$ART/token.json" \
	--hec-url "http://127.0.0.1:$RPORT" --hec-token wrong-token $TARGETS \
	>"$ART/stdout-token.txt" 2>"$ART/stderr-token.txt"
rc=$?
[ "$rc" = 1 ] || fail "wrong token: exit $rc, want 1"
n=$(grep -c "^portus: HEC http://127.0.0.1:$RPORT/services/collector/event: 403 Invalid token$" "$ART/stderr-token.txt")
[ "$n" = 1 ] || fail "wrong token: $n '403 Invalid token' lines: $(cat "$ART/stderr-token.txt")"
! grep -q wrong-token "$ART/stderr-token.txt" || fail "the token shows on stderr"
reqs=$(wc -l <"$ART/token.log")
[ "$reqs" = 1 ] || fail "wrong token: $reqs requests, want 1 (a 403 is not retried)"
stop_receivers

# 5. a bad URL: one line at open, before any packet, usage exit status; the
# -oJ file opened before it is removed again. (Never -oJ /dev/null here: as
# root that cleanup would unlink the device node.)
portus_scan 198.18.0.10 -p 80 --exclude-file "$NOEXCL" --no-status -oJ "$ART/url.json" \
	--hec-url "http://u@127.0.0.1:1" --hec-token "$TOKEN" >"$ART/stdout-url.txt" 2>"$ART/stderr-url.txt"
rc=$?
[ "$rc" = 2 ] || fail "bad URL: exit $rc, want 2"
[ "$(cat "$ART/stderr-url.txt")" = "portus: --hec-url http://u@127.0.0.1:1: user information (user@) is not allowed; give the token with --hec-token" ] ||
	fail "bad URL: stderr $(cat "$ART/stderr-url.txt")"
[ ! -e "$ART/url.json" ] || fail "bad URL: the -oJ file was left behind"
echo "PASS: $TEST_NAME"
