#!/bin/bash
# --format cef and --syslog: a lab scan writes CEF lines to a file (-oJ F
# --format cef) and sends the same lines as RFC 5424 messages to a receiver
# (tests/lab/syslog_receiver.py) on 127.0.0.1 inside the scanner namespace.
# The receiver checks every message and CEF line strictly; the lines it got
# must equal F byte for byte, and every port's state, reason and TTL must match
# the lab truth (check_results.py on the CEF lines turned into NDJSON).
#   1. UDP, the whole scan        2. TCP, the whole scan
#   3. TCP to a name (localhost), --open
#   4. a wrong address fails before any probe is sent; a malformed URL too
#   5. TLS lab (hostile certificates too): CEF TLS records agree with NDJSON's
#   routed 198.19.0.0/22 (AnyIP) x 5 ports + on-link 198.18.0.10-23 (3 up, 11 down)
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
need_portus
lab_up --prefix 198.19.0.0/22
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/22 198.18.0.10-198.18.0.23"
PORTS=22,80,443,8080,8081
PLAN=(--targets "$TARGETS" --ports "$PORTS")
RECV=$LAB_DIR/syslog_receiver.py
SYSLOG_PORT=5514
# Namespaces share the UTS name: what portus will put in HOSTNAME.
HOST=$(hostname)
case $HOST in *[!!-~]* | "") HOST=- ;; esac

# Starts the receiver in the scanner namespace and waits until it is bound.
RECV_PID=
receiver_start() { # PROTO NAME
	rm -f "$ART/$2.ready"
	ip netns exec "$LAB_NS_SCAN" timeout -k 5 150 "$PY" "$RECV" listen --proto "$1" \
		--port "$SYSLOG_PORT" --hostname "$HOST" --out "$ART/$2.received" \
		--ndjson "$ART/$2.received.ndjson" --ready "$ART/$2.ready" --timeout 140 \
		2>"$ART/$2.receiver.err" &
	RECV_PID=$!
	for _ in $(seq 100); do
		[ -e "$ART/$2.ready" ] && return 0
		sleep 0.1
	done
	fail "$2: the receiver did not start: $(tail -3 "$ART/$2.receiver.err")"
}
stop_receiver() {
	if [ -n "$RECV_PID" ]; then kill "$RECV_PID" 2>/dev/null; fi
}
# shellcheck disable=SC2034 # read by the traps of lab.sh
LAB_ON_EXIT=stop_receiver

# NAME [--open] URL: scan, wait for the receiver, compare and check.
scan_and_check() {
	local name=$1 url=$2 open=${3:-} checkopt=()
	[ -n "$open" ] && checkopt=(--open-only)
	# shellcheck disable=SC2086
	portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null $open --format cef \
		-oJ "$ART/$name.cef" --syslog "$url" $TARGETS \
		>"$ART/$name.stdout" 2>"$ART/$name.stderr" ||
		fail "$name: portus exited $? (stderr: $(tail -3 "$ART/$name.stderr"))"
	wait "$RECV_PID" || fail "$name: receiver: $(tail -5 "$ART/$name.receiver.err")"
	RECV_PID=
	tail -1 "$ART/$name.receiver.err"
	[ -s "$ART/$name.cef" ] || fail "$name: empty CEF file"
	cmp "$ART/$name.cef" "$ART/$name.received" ||
		fail "$name: the syslog receiver's CEF lines differ from -oJ's"
	"$PY" "$RECV" convert "$ART/$name.cef" "$ART/$name.ndjson" ||
		fail "$name: the CEF file does not parse strictly"
	check "${PLAN[@]}" "${checkopt[@]}" "$ART/$name.ndjson" ||
		fail "$name: CEF port records do not match the truth"
	check "${PLAN[@]}" "${checkopt[@]}" "$ART/$name.received.ndjson" ||
		fail "$name: received records do not match the truth"
}

# 1, 2, 3.
receiver_start udp udp
scan_and_check udp "udp://127.0.0.1:$SYSLOG_PORT"
receiver_start tcp tcp
scan_and_check tcp "tcp://127.0.0.1:$SYSLOG_PORT"
receiver_start tcp open
scan_and_check open "tcp://localhost:$SYSLOG_PORT" --open
grep -q '^CEF:0|portus|portus|[^|]*|port-closed|' "$ART/open.cef" &&
	fail "--open: a closed port was written"

# 4. Errors: exit 2, one line, before the first probe.
before=$(gw_syns)
portus_scan -p 80 --exclude-file /dev/null --syslog "tcp://127.0.0.1:$SYSLOG_PORT" \
	198.19.0.1 >"$ART/refused.stdout" 2>"$ART/refused.stderr"
rc=$?
[ "$rc" = 2 ] || fail "nothing listening: exit $rc, want 2"
grep -qx "portus: --syslog tcp://127.0.0.1:$SYSLOG_PORT: cannot connect: Connection refused" \
	"$ART/refused.stderr" || fail "nothing listening: stderr $(cat "$ART/refused.stderr")"
portus_scan -p 80 --exclude-file /dev/null --syslog "udp://[::1:514" \
	198.19.0.1 >"$ART/bad-url.stdout" 2>"$ART/bad-url.stderr"
rc=$?
[ "$rc" = 2 ] || fail "malformed URL: exit $rc, want 2"
if [ "$(wc -l <"$ART/bad-url.stderr")" != 1 ] || ! grep -q "missing ']'" "$ART/bad-url.stderr"; then
	fail "malformed URL: stderr $(cat "$ART/bad-url.stderr")"
fi
after=$(gw_syns)
[ "$before" = "$after" ] || fail "a failed --syslog open still sent $((after - before)) SYNs"

# 5. TLS records from the TLS lab, hostile certificates included (port 8443):
# the CEF run (file + UDP syslog) against an NDJSON run of the same endpoints —
# same records, the same strings (controls as U+FFFD) unless either cut one,
# and the severity and findings the table in src/output/cef.h gives.
"$PY" -c 'import cryptography' 2>/dev/null || fail "python3-cryptography missing (tools/deps.sh)"
TLS=$ART/tls
"$PY" "$LAB_DIR/tls_certs.py" --hostile "$TLS" >"$ART/tls_certs.log" 2>&1 ||
	fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$TLS" || fail "TLS namespace did not come up"
# shellcheck disable=SC2054 # commas inside port lists
TLS_ARGS=(198.18.0.30-198.18.0.49 -p 443,8443 --tls-ports 443,8443 --tls --tls-versions
	--tls-timeout 2000 --ca-file "$TLS/ca.pem" --sni-file "$TLS/sni.txt" --source-port 61000-61999
	--exclude-file /dev/null --no-status)
portus_scan "${TLS_ARGS[@]}" -oJ "$ART/tls.ndjson" >"$ART/tls-json.out" 2>"$ART/tls-json.err" ||
	fail "tls (NDJSON): portus exited $? ($(tail -3 "$ART/tls-json.err"))"
receiver_start udp tlscef
portus_scan "${TLS_ARGS[@]}" --format cef -oJ "$ART/tlscef.cef" \
	--syslog "udp://127.0.0.1:$SYSLOG_PORT" >"$ART/tlscef.stdout" 2>"$ART/tlscef.stderr" ||
	fail "tls (CEF): portus exited $? ($(tail -3 "$ART/tlscef.stderr"))"
wait "$RECV_PID" || fail "tls: receiver: $(tail -5 "$ART/tlscef.receiver.err")"
RECV_PID=
cmp "$ART/tlscef.cef" "$ART/tlscef.received" || fail "tls: received CEF lines differ from -oJ's"
"$PY" - "$RECV" "$ART/tls.ndjson" "$ART/tlscef.cef" <<'PY' || fail "tls: CEF records disagree with NDJSON"
import importlib.util, json, sys
sys.dont_write_bytecode = True  # no __pycache__ in tests/lab
spec = importlib.util.spec_from_file_location("rx", sys.argv[1])
rx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rx)

def cefstr(s):
    return "".join("\ufffd" if (ord(c) < 0x20 and c not in "\r\n") or ord(c) == 0x7F
                   or 0x80 <= ord(c) <= 0x9F else c for c in s)

def expect(j):
    ok = j["outcome"] == "ok"
    cert, cut = j["cert"], j["truncated_fields"]
    sev, msg = (3 if ok else 2), []
    def f(level, what):
        nonlocal sev
        msg.append(what)
        sev = max(sev, level)
    if cert and "not_after" not in cut:
        if cert["expired"]:
            f(7, "certificate expired")
        elif cert["days_to_expiry"] < 30:
            f(4, f"certificate expires in {cert['days_to_expiry']} days")
    if cert and cert["not_yet_valid"] and "not_before" not in cut:
        f(6, "certificate not yet valid")
    if cert and cert["self_signed"]:
        f(6, "self-signed certificate")
    if (ok or cert) and not j["verify_ok"]:
        f(5, "certificate not verified")
    if j["hostname_match"] is False:
        f(5, "hostname mismatch")
    v = j["tls_version"] or ""
    if ok and (v in ("TLSv1", "TLSv1.1") or v.startswith("SSL")):
        f(6, f"{v} negotiated")
    for w in ("TLSv1", "TLSv1.1"):
        if w in j.get("versions_accepted", []):
            f(6, f"{w} accepted")
    return sev, "; ".join(msg) or None

key = lambda ip, port, sni: (ip, int(port), sni or None)
js = {}
for line in open(sys.argv[2], encoding="utf-8"):
    r = json.loads(line)
    if r["type"] == "tls":
        js[key(r["ip"], r["port"], r["sni"])] = r
cefs, errors = {}, []
for raw in open(sys.argv[3], "rb").read().split(b"\n")[:-1]:
    hdr, p = rx.parse_cef(raw)
    if hdr[4] == "tls-endpoint":
        # IPv4 in dst, IPv6 in c6a3 (src/output/cef.h)
        dst = p["dst"] if "dst" in p else rx.labelled(p, "Destination IPv6 Address")
        cefs[key(dst, p["dpt"], p.get("dhost"))] = (hdr, p)
if set(js) != set(cefs) or len(js) < 20:
    sys.exit(f"TLS endpoints: NDJSON {len(js)}, CEF {len(cefs)}: {set(js) ^ set(cefs)}")
for k, j in sorted(js.items(), key=str):
    hdr, p = cefs[k]
    where = f"{k[0]}:{k[1]} {k[2]}"
    sev, msg = expect(j)
    if int(hdr[6]) != sev or p.get("msg") != msg:
        errors.append(f"{where}: severity {hdr[6]} msg {p.get('msg')!r}, want {sev} {msg!r}")
    if p["outcome"] != j["outcome"]:
        errors.append(f"{where}: outcome {p['outcome']}")
    cut = set(j["truncated_fields"]) | set((rx.labelled(p, "truncated") or "").split(","))
    cert = j["cert"] or {}
    pairs = [("tlsVersion", j["tls_version"], "tls_version"), ("tlsCipher", j["cipher"], "cipher"),
             ("certSubject", cert.get("subject"), "subject"),
             ("certIssuer", cert.get("issuer"), "issuer"),
             ("certSha256", cert.get("sha256"), "sha256")]
    if j["cert"] or j["outcome"] == "ok":
        pairs.append(("verifyResult", "ok" if j["verify_ok"] else j["verify_error"] or "failed",
                      "verify_error"))
    for label, want, field in pairs:
        got = rx.labelled(p, label)
        if field in cut:
            continue
        if got != (cefstr(want) if want else None):
            errors.append(f"{where}: {label} {got!r}, want {want!r}")
    if j["cert"] and "not_after" not in cut and \
            int(rx.labelled(p, "certDaysToExpiry")) != cert["days_to_expiry"]:
        errors.append(f"{where}: certDaysToExpiry")
for e in errors[:20]:
    print(f"tls: {e}", file=sys.stderr)
sevs = sorted(int(h[6]) for h, _ in cefs.values())
print(f"tls: {len(cefs)} TLS records agree (severities {sevs})")
sys.exit(1 if errors else 0)
PY
echo "PASS: $TEST_NAME"
