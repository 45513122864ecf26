#!/bin/bash
# --format cef and --syslog: a lab scan (IPv4 and IPv6 targets) writes CEF
# lines to a file (-oJ F --format cef) and sends the same lines as RFC 5424
# messages to rsyslog (Debian's rsyslogd, started by the test with its own
# configuration, pid file and work directory in a temporary directory, on
# 127.0.0.1 inside the lab's scanner namespace, UDP and TCP with octet-counted
# framing; not the system's rsyslog). rsyslog writes each message's MSG to one
# file and the RFC 5424 fields it parsed (PRI, facility, severity, version,
# timestamp, hostname, APP-NAME, PROCID, MSGID, SD, input) to another. The
# MSGs must equal F byte for byte; every field must be what portus meant
# (MSGID = the CEF signature, APP-NAME portus, local0 and the severity from
# the CEF severity); every port's state, reason and TTL must match the lab
# truth (check_results.py on the CEF lines turned into NDJSON by
# tests/lab/syslog_receiver.py convert, which also parses them strictly).
#   1. UDP, the whole scan        2. TCP, the whole scan
#   3. TCP to a name (localhost), --open
#   4. a wrong address fails before any probe is sent; a malformed URL too
#   5. TLS lab (hostile certificates too): CEF TLS records agree with NDJSON's
#   6. forced disconnects, which a syslog daemon does not do on cue
#      (tests/lab/syslog_receiver.py): the receiver drops the connection while
#      the scan is quiet -> portus reconnects, nothing lost; the receiver
#      goes away -> portus counts every later message as lost and exits 1
#   routed 198.19.0.0/22 (AnyIP) x 5 ports + on-link 198.18.0.10-23 (3 up, 11
#   down) + routed 2001:db8:100::/120 + on-link 2001:db8:0:1::10-::23 (3 up)
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
need_portus
command -v rsyslogd >/dev/null || fail "rsyslogd missing (tools/deps.sh installs rsyslog)"
lab_up --prefix 198.19.0.0/22 --prefix6 2001:db8:100::/120
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/22 198.18.0.10-198.18.0.23 $LAB_PREFIX6 $LAB_ONLINK_TARGETS6"
PORTS=22,80,443,8080,8081
PLAN=(--targets "$TARGETS" --ports "$PORTS")
RECV=$LAB_DIR/syslog_receiver.py
SYSLOG_PORT=5514
# Namespaces share the UTS name: what portus will put in HOSTNAME.
HOST=$(hostname)
case $HOST in *[!!-~]* | "") HOST=- ;; esac
RS=$(mktemp -d /tmp/portus-rsyslog.XXXXXX)

# rsyslogd in the scanner namespace, its own configuration: UDP and TCP on
# 127.0.0.1:SYSLOG_PORT into one ruleset writing NAME.received (MSG, one a
# line) and NAME.fields.json (what rsyslog parsed, one JSON object a line).
RSYSLOG_PID=
rsyslog_start() { # NAME
	local name=$1 d=$RS/$1
	mkdir -p "$d/work"
	rm -f "$ART/$name.received" "$ART/$name.fields.json"
	cat >"$d/rsyslog.conf" <<RSYSLOG_CONF
global(workDirectory="$d/work" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="msg" type="string" string="%msg%\n")
template(name="fields" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="facility" name="syslogfacility-text" format="jsonf")
  property(outname="severity" name="syslogseverity" format="jsonf")
  property(outname="version" name="protocol-version" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app_name" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="input" name="inputname" format="jsonf")
}
ruleset(name="portus") {
  action(type="omfile" file="$ART/$name.received" template="msg")
  action(type="omfile" file="$ART/$name.fields.json" template="fields")
}
input(type="imudp" address="127.0.0.1" port="$SYSLOG_PORT" ruleset="portus" rcvbufSize="64m")
input(type="imtcp" address="127.0.0.1" port="$SYSLOG_PORT" ruleset="portus")
RSYSLOG_CONF
	cp "$d/rsyslog.conf" "$ART/$name.rsyslog.conf"
	ip netns exec "$LAB_NS_SCAN" rsyslogd -n -f "$d/rsyslog.conf" -i "$d/rsyslogd.pid" \
		>"$ART/$name.rsyslogd.log" 2>&1 </dev/null &
	RSYSLOG_PID=$!
	for _ in $(seq 100); do
		if ip netns exec "$LAB_NS_SCAN" ss -Hltn "sport = :$SYSLOG_PORT" | grep -q . &&
			ip netns exec "$LAB_NS_SCAN" ss -Hlun "sport = :$SYSLOG_PORT" | grep -q .; then
			return 0
		fi
		kill -0 "$RSYSLOG_PID" 2>/dev/null ||
			fail "$name: rsyslogd exited: $(tail -3 "$ART/$name.rsyslogd.log")"
		sleep 0.05
	done
	fail "$name: rsyslogd is not listening after 5 s"
}
# Waits (bounded) until rsyslog has written WANT lines, then stops it by pid.
rsyslog_stop() { # NAME WANT
	local got=0
	for _ in $(seq 300); do # 30 s
		got=$(wc -l 2>/dev/null <"$ART/$1.received" || echo 0)
		[ "$got" -ge "$2" ] && break
		sleep 0.1
	done
	kill -TERM "$RSYSLOG_PID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$RSYSLOG_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$RSYSLOG_PID" 2>/dev/null
	wait "$RSYSLOG_PID" 2>/dev/null
	RSYSLOG_PID=
	[ "$got" -ge "$2" ] || fail "$1: rsyslog wrote $got of $2 messages in 30 s"
}
# The python receiver of step 6.
RECV_PID=
receiver_start() { # NAME RECEIVER_OPTIONS...
	local name=$1
	shift
	rm -f "$ART/$name.ready"
	ip netns exec "$LAB_NS_SCAN" timeout -k 5 150 "$PY" "$RECV" listen --proto tcp \
		--port "$SYSLOG_PORT" --hostname "$HOST" --out "$ART/$name.received" \
		--ready "$ART/$name.ready" --timeout 140 "$@" 2>"$ART/$name.receiver.err" &
	RECV_PID=$!
	for _ in $(seq 100); do
		[ -e "$ART/$name.ready" ] && return 0
		sleep 0.1
	done
	fail "$name: the receiver did not start: $(tail -3 "$ART/$name.receiver.err")"
}
stop_all() {
	if [ -n "$RSYSLOG_PID" ]; then
		kill -TERM "$RSYSLOG_PID" 2>/dev/null
		sleep 0.2
		kill -KILL "$RSYSLOG_PID" 2>/dev/null
	fi
	if [ -n "$RECV_PID" ]; then kill "$RECV_PID" 2>/dev/null; fi
	rm -rf "$RS"
}
# shellcheck disable=SC2034 # read by the traps of lab.sh
LAB_ON_EXIT=stop_all

# What rsyslog parsed out of each message, against the CEF line it carried.
check_fields() { # NAME INPUT(imudp|imtcp)
	"$PY" - "$RECV" "$ART/$1.cef" "$ART/$1.fields.json" "$2" "$HOST" <<'PY'
import importlib.util, json, re, sys
sys.dont_write_bytecode = True  # no __pycache__ in tests/lab
spec = importlib.util.spec_from_file_location("rx", sys.argv[1])
rx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rx)
cef_f, fields_f, want_input, host = sys.argv[2:]
lines = open(cef_f, "rb").read().split(b"\n")[:-1]
fields = [json.loads(l) for l in open(fields_f, encoding="utf-8")]
if len(lines) != len(fields):
    sys.exit(f"{len(lines)} CEF lines, rsyslog parsed {len(fields)} messages")
errors, procids, sevs = [], set(), {}
for n, (raw, f) in enumerate(zip(lines, fields), 1):
    hdr, _ = rx.parse_cef(raw)
    sig, cef_sev = hdr[4], int(hdr[6])
    sev = rx.syslog_severity(cef_sev)
    want = {"version": "1", "facility": "local0", "severity": str(sev),
            "pri": str(16 * 8 + sev), "app_name": "portus", "msgid": sig, "sd": "-",
            "input": want_input}
    if host != "-":
        want["hostname"] = host
    bad = {k: (f.get(k), v) for k, v in want.items() if f.get(k) != v}
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", f.get("timestamp", "")):
        bad["timestamp"] = (f.get("timestamp"), "RFC 3339 UTC, microseconds")
    if not f.get("procid", "").isdigit():
        bad["procid"] = (f.get("procid"), "digits")
    procids.add(f.get("procid"))
    if bad:
        errors.append(f"message {n} ({sig}): got/want {bad}")
    sevs[(sig, sev)] = sevs.get((sig, sev), 0) + 1
if len(procids) != 1:
    errors.append(f"PROCID differs between messages: {sorted(procids)[:5]}")
for e in errors[:10]:
    print(f"rsyslog fields: {e}", file=sys.stderr)
kinds = ", ".join(f"{s} severity {v} x{k}" for (s, v), k in sorted(sevs.items()))
print(f"rsyslog fields: {len(fields)} messages as meant ({kinds})")
sys.exit(1 if errors else 0)
PY
}

# NAME URL [--open]: rsyslog up, scan, every message in, compare and check.
scan_and_check() {
	local name=$1 url=$2 open=${3:-} checkopt=() input=imudp
	[ -n "$open" ] && checkopt=(--open-only)
	case $url in tcp://*) input=imtcp ;; esac
	rsyslog_start "$name"
	# shellcheck disable=SC2086
	portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null $open --format cef \
		-oJ "$ART/$name.cef" --syslog "$url" $TARGETS \
		>"$ART/$name.stdout" 2>"$ART/$name.stderr" ||
		fail "$name: portus exited $? (stderr: $(tail -3 "$ART/$name.stderr"))"
	[ -s "$ART/$name.cef" ] || fail "$name: empty CEF file"
	rsyslog_stop "$name" "$(wc -l <"$ART/$name.cef")"
	cmp "$ART/$name.cef" "$ART/$name.received" ||
		fail "$name: the MSGs rsyslog received differ from -oJ's CEF lines"
	echo "$name: rsyslog received all $(wc -l <"$ART/$name.received") CEF lines intact"
	check_fields "$name" "$input" ||
		fail "$name: rsyslog parsed other RFC 5424 fields than portus meant"
	"$PY" "$RECV" convert "$ART/$name.cef" "$ART/$name.ndjson" ||
		fail "$name: the CEF file does not parse strictly"
	grep -q '"ip": "2001:db8:' "$ART/$name.ndjson" || fail "$name: no IPv6 record"
	check "${PLAN[@]}" "${checkopt[@]}" "$ART/$name.ndjson" ||
		fail "$name: CEF port records do not match the truth"
}

# 1, 2, 3.
scan_and_check udp "udp://127.0.0.1:$SYSLOG_PORT"
scan_and_check tcp "tcp://127.0.0.1:$SYSLOG_PORT"
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
if [ "$(wc -l <"$ART/bad-url.stderr")" != 1 ] || ! grep -q "unterminated \[IPv6 address\]" "$ART/bad-url.stderr"; then
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
rsyslog_start tlscef
portus_scan "${TLS_ARGS[@]}" --format cef -oJ "$ART/tlscef.cef" \
	--syslog "udp://127.0.0.1:$SYSLOG_PORT" >"$ART/tlscef.stdout" 2>"$ART/tlscef.stderr" ||
	fail "tls (CEF): portus exited $? ($(tail -3 "$ART/tlscef.stderr"))"
rsyslog_stop tlscef "$(wc -l <"$ART/tlscef.cef")"
cmp "$ART/tlscef.cef" "$ART/tlscef.received" || fail "tls: the CEF lines rsyslog received differ from -oJ's"
check_fields tlscef imudp || fail "tls: rsyslog parsed other RFC 5424 fields than portus meant"
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

# 6. Forced disconnects (tests/lab/syslog_receiver.py; rsyslog closes no
# connection on cue). a: the receiver drops the connection while the scan
# waits between passes (nothing in flight): portus sees the close before its
# next send, reconnects, and every line arrives, in order, exit 0.
receiver_start drop --close-idle 0.15 --min-connections 2
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null --format cef -oJ "$ART/drop.cef" \
	--syslog "tcp://127.0.0.1:$SYSLOG_PORT" $TARGETS >"$ART/drop.stdout" 2>"$ART/drop.stderr" ||
	fail "drop: portus exited $? (stderr: $(tail -3 "$ART/drop.stderr"))"
wait "$RECV_PID" || fail "drop: receiver: $(tail -5 "$ART/drop.receiver.err")"
RECV_PID=
cmp "$ART/drop.cef" "$ART/drop.received" || fail "drop: lines lost or changed across the reconnect"
echo "drop: $(head -1 "$ART/drop.receiver.err"); $(tail -1 "$ART/drop.receiver.err"): all lines in"
# b: the receiver goes away for good: the reconnect is refused, every later
# message is counted as lost, one line says how many, exit 1 (the -oJ file
# is still complete).
receiver_start gone --close-idle 0.15 --then-stop
# shellcheck disable=SC2086
portus_scan -p "$PORTS" --rate 20000 --exclude-file /dev/null --format cef -oJ "$ART/gone.cef" \
	--syslog "tcp://127.0.0.1:$SYSLOG_PORT" $TARGETS >"$ART/gone.stdout" 2>"$ART/gone.stderr"
rc=$?
wait "$RECV_PID" || fail "gone: receiver: $(tail -5 "$ART/gone.receiver.err")"
RECV_PID=
[ "$rc" = 1 ] || fail "gone: portus exited $rc, want 1"
total=$(wc -l <"$ART/gone.cef")
got=$(wc -l <"$ART/gone.received")
if [ "$got" -eq 0 ] || [ "$got" -ge "$total" ]; then
	fail "gone: the receiver got $got of $total lines"
fi
head -n "$got" "$ART/gone.cef" | cmp - "$ART/gone.received" || fail "gone: the lines before the close differ"
grep -qx "portus: syslog tcp://127.0.0.1:$SYSLOG_PORT: $((total - got)) of $total messages not delivered (Connection refused)" \
	"$ART/gone.stderr" || fail "gone: want $((total - got)) of $total lost: $(tail -3 "$ART/gone.stderr")"
grep -q '|run-summary|' "$ART/gone.cef" || fail "gone: the -oJ file has no summary"
echo "gone: $got lines delivered, $((total - got)) of $total counted as lost, exit 1"
echo "PASS: $TEST_NAME"
