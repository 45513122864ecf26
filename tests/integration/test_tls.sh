#!/bin/bash
# The TLS stage against the TLS lab (tests/lab/tls_*.{py,sh}): 20 endpoints on
# 198.18.0.30-49 port 443 in namespace plab<ID>-tls — valid chain, self-signed,
# expired, not-yet-valid, wildcard, SAN mismatch, RSA 2048, ECDSA P-256, long
# chain, NUL/UTF-8 CN, quotes/control characters/invalid UTF-8, TLS 1.0/1.1-only,
# TLS 1.3-only, plain HTTP, silent, closed, handshake alert, reset, refused,
# 500 SANs. Certificates and truth are generated fresh (tls_certs.py).
#
#  1. the lab against its truth, with a reference client (tls_probe.py: Python
#     ssl + openssl CLI) — proves servers, certificates, truth and checker
#  2. portus without --tls: SYNs only, no connection reaches a server
#  3. portus --tls --ca-file --tls-versions --sni-file: every field of every
#     record (check_tls.py), and the servers' log agrees (SNI, HEAD, Host)
#  4. portus --tls --no-banner --tls-pem, no --sni-file, no --ca-file: no
#     banner, the leaf PEM, no SNI, nothing verifies (the lab CA is trusted
#     only through --ca-file)
#
# --source-port: the scan's SYNs come from 61000-61999; the "refused" endpoint
# resets every SYN from another port, so the TLS stage's connect() is refused.
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
"$PY" -c 'import cryptography' 2>/dev/null || fail "python3-cryptography missing (tools/deps.sh)"
command -v openssl >/dev/null || fail "openssl CLI missing (tools/deps.sh)"

lab_up --prefix 198.19.0.0/30
TLS=$ART/tls
"$PY" "$LAB_DIR/tls_certs.py" "$TLS" >"$ART/tls_certs.log" 2>&1 || fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$TLS" || fail "TLS namespace did not come up"
TRUTH=$TLS/truth.json
RANGE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["range"])' "$TRUTH")
SPORTS=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["refused_scan_sports"])' "$TRUTH")
SLOG=$TLS/log/connections.ndjson
touch "$SLOG"

check_tls() {
	"$PY" "$ROOT/tests/integration/check_tls.py" --truth "$TRUTH" "$@"
}
counter() { # NAME -> packets so far
	sh "$LAB_DIR/tls_lab.sh" counters "$LAB_ID" | sed -n "s/^$1 //p"
}
log_lines() { wc -l <"$SLOG"; }
log_since() { # LINE FILE: the server log after line LINE
	tail -n +"$(($1 + 1))" "$SLOG" >"$2"
}
# Waits (at most 10 s) until the scanner namespace holds no TCP connection to
# port 443 short of TIME-WAIT: a half-closed connection of an earlier step
# still sends its last ACK, which step 2 would count against the scan.
quiesce() {
	local i
	for i in $(seq 50); do
		[ -z "$(ip netns exec "$LAB_NS_SCAN" ss -Htn state syn-sent state established \
			state fin-wait-1 state fin-wait-2 state close-wait state last-ack state closing \
			'( dport = :443 )')" ] && return 0
		sleep 0.2
	done
	fail "connections of an earlier step to port 443 are still open after 10 s"
}

# 1. The lab itself.
echo "+ tls_probe.py (reference client)" >&3
mark=$(log_lines)
ip netns exec "$LAB_NS_SCAN" timeout -k 5 120 "$PY" "$LAB_DIR/tls_probe.py" "$TRUTH" \
	"$ART/reference.ndjson" --versions 2>"$ART/reference.err" || fail "tls_probe.py: $(tail -3 "$ART/reference.err")"
log_since "$mark" "$ART/reference-server.log"
check_tls --reference --versions --server-log "$ART/reference-server.log" "$ART/reference.ndjson" ||
	fail "the TLS lab does not match its truth (reference client)"
check_tls --reference --versions --self-test "$ART/reference.ndjson" >"$ART/self-test.txt" ||
	fail "check_tls.py misses wrong records: $(grep -v '^check_tls: [0-9]' "$ART/self-test.txt")"
tail -1 "$ART/self-test.txt"

# 2. No --tls: the SYN scan finds the ports and nothing connects.
need_portus
quiesce
mark=$(log_lines)
syns0=$(counter syns) others0=$(counter others)
portus_scan "$RANGE" -p 443 --exclude-file /dev/null --source-port "$SPORTS" --no-status \
	-oJ "$ART/notls.ndjson" >"$ART/notls.out" 2>"$ART/notls.err" ||
	fail "portus (no --tls) exited $? ($(tail -3 "$ART/notls.err"))"
sleep 1 # let a late connection show up in the log
log_since "$mark" "$ART/notls-server.log"
syns=$(($(counter syns) - syns0)) others=$(($(counter others) - others0))
echo "no --tls: $syns SYNs, $others other segments, $(wc -l <"$ART/notls-server.log") server log lines"
[ "$syns" -ge 19 ] || fail "no --tls: only $syns SYNs reached the TLS namespace"
[ "$others" = 0 ] || fail "no --tls: $others TCP segments beyond SYN/RST reached the servers"
[ ! -s "$ART/notls-server.log" ] || fail "no --tls: the servers accepted connections: $(head -3 "$ART/notls-server.log")"
"$PY" - "$TRUTH" "$ART/notls.ndjson" <<'PY' || fail "no --tls: port records wrong"
import json, sys
truth = json.load(open(sys.argv[1]))
recs = [json.loads(l) for l in open(sys.argv[2])]
if any(r.get("type") == "tls" for r in recs):
    sys.exit("TLS records without --tls")
ports = {r["ip"]: r["state"] for r in recs if r.get("type") == "port" and r.get("port") == 443}
bad = [(e["ip"], ports.get(e["ip"]), e["port_state"]) for e in truth["endpoints"] if ports.get(e["ip"]) != e["port_state"]]
if bad:
    sys.exit(f"port 443 states (ip, got, expected): {bad}")
print(f"no --tls: {len(ports)} port records right, no TLS record")
PY

if ! "$PORTUS" --help 2>&1 | grep -q -- '--tls-versions'; then
	fail "portus has no --tls yet (lab and reference client passed; rebuild portus with the TLS stage)"
fi

# 3. The full TLS stage.
mark=$(log_lines)
portus_scan "$RANGE" -p 443 --tls --ca-file "$TLS/ca.pem" --tls-versions --sni-file "$TLS/sni.txt" \
	--exclude-file /dev/null --source-port "$SPORTS" --no-status -oJ "$ART/tls.ndjson" \
	>"$ART/tls.out" 2>"$ART/tls.err" || fail "portus --tls exited $? ($(tail -3 "$ART/tls.err"))"
log_since "$mark" "$ART/tls-server.log"
check_tls --versions --legacy-main --server-log "$ART/tls-server.log" "$ART/tls.ndjson" ||
	fail "portus --tls records do not match the truth"

# 4. --no-banner, --tls-pem, no SNI file, no CA file.
mark=$(log_lines)
portus_scan "$RANGE" -p 443 --tls --no-banner --tls-pem --exclude-file /dev/null --source-port "$SPORTS" \
	--no-status -oJ "$ART/tls2.ndjson" >"$ART/tls2.out" 2>"$ART/tls2.err" ||
	fail "portus --tls --no-banner --tls-pem exited $? ($(tail -3 "$ART/tls2.err"))"
log_since "$mark" "$ART/tls2-server.log"
check_tls --no-banner --pem --no-sni --no-ca --legacy-main --server-log "$ART/tls2-server.log" "$ART/tls2.ndjson" ||
	fail "portus --tls --no-banner --tls-pem (no SNI, no CA) records do not match the truth"
if grep -q '"request": "' "$ART/tls2-server.log"; then
	fail "--no-banner: a server got an HTTP request"
fi
echo "PASS: $TEST_NAME"
