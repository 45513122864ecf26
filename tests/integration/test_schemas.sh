#!/bin/bash
# Every JSON line portus writes matches its schema in data/schemas/, and the
# SIEM kit in contrib/ fits that output. Lab: routed (198.19.0.0/30 behind the
# gateway), on-link (198.18.0.10-23: three hosts up, the rest down) and the TLS
# lab with its hostile servers (tls_certs.py --hostile: NUL / quotes / control
# bytes / invalid UTF-8 in names and banners, 500 SANs, a ~1 MiB chain, a
# 3,000-byte status line, drip and stall servers).
#
# Three scans, each written in every JSON format (--format json, ecs,
# splunk-hec):
#   A  all three parts, --tls --tls-versions --tls-pem --ca-file, port 8443 too
#   B  the TLS lab, --tls --sni-file --source-port, no PEM, no CA, no versions
#   C  --open: routed + on-link + TLS lab, --tls
# For each output, check_schema.py validates EVERY line (UTF-8, JSON, exactly
# one schema, the cross-field rules a schema cannot state) and compares the
# formats of one scan with each other (same ports, hosts, TLS endpoints and
# verdicts, same counts); its self-test proves the schemas reject broken
# records. check_kit.py checks contrib/ against scan A and B (index template
# mappings, Filebeat YAML, Splunk props/transforms/CIM, Wazuh decoder/rules
# fired the way Wazuh evaluates them), and contrib/splunk/hec-example.sh runs
# against a small HEC receiver on the scanner namespace's loopback: what it
# received must be exactly the envelopes of the local copy, all valid.
#
# While a writer is still a placeholder ("not built yet"), its part is skipped
# with a message; any other failure fails the test.
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
"$PY" -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema missing (tools/deps.sh)"
"$PY" -c 'import cryptography' 2>/dev/null || fail "python3-cryptography missing (tools/deps.sh)"
command -v xmllint >/dev/null || fail "xmllint missing (libxml2-utils, tools/deps.sh)"
CHECK_SCHEMA=$ROOT/tests/integration/check_schema.py
CHECK_KIT=$ROOT/tests/integration/check_kit.py
need_portus

# 0. Offline: the schemas are valid draft 2020-12 (loading them checks that),
# the Wazuh files are well-formed XML (several top-level elements, as Wazuh
# reads them: parsed under one root), the HEC example is valid sh.
for f in "$ROOT"/contrib/wazuh/*.xml; do
	{ echo '<root>'; cat "$f"; echo '</root>'; } | xmllint --noout - || fail "$f is not well-formed XML"
done
sh -n "$ROOT/contrib/splunk/hec-example.sh" || fail "hec-example.sh: sh syntax"
"$PY" -c 'import json,sys; [json.load(open(f)) for f in sys.argv[1:]]' "$ROOT"/data/schemas/*.schema.json \
	"$ROOT/contrib/elasticsearch/portus-index-template.json" || fail "a schema or the index template is not JSON"

lab_up --prefix 198.19.0.0/30
TLS=$ART/tls
"$PY" "$LAB_DIR/tls_certs.py" --hostile "$TLS" >"$ART/tls_certs.log" 2>&1 || fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$TLS" || fail "TLS namespace did not come up"
TRUTH=$TLS/truth.json
RANGE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["range"])' "$TRUTH")
SPORTS=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["refused_scan_sports"])' "$TRUTH")

FORMATS="json ecs splunk-hec"
HEC_BUILT=1
# scan NAME ARGS...: NAME-json.json, NAME-ecs.json, NAME-splunk-hec.json
scan() {
	local name=$1 f rc
	shift
	for f in $FORMATS; do
		[ "$f" = splunk-hec ] && [ $HEC_BUILT = 0 ] && continue
		portus_scan "$@" --exclude-file /dev/null --no-status --format "$f" -oJ "$ART/$name-$f.json" \
			>"$ART/$name-$f.out" 2>"$ART/$name-$f.err"
		rc=$?
		if [ $rc != 0 ] && [ "$f" = splunk-hec ] && grep -q "not built yet" "$ART/$name-$f.err"; then
			echo "SKIP: --format splunk-hec is not built yet: the HEC envelope part is skipped"
			HEC_BUILT=0
			continue
		fi
		[ $rc = 0 ] || fail "scan $name --format $f exited $rc ($(tail -3 "$ART/$name-$f.err"))"
	done
}
# validate NAME [--open]: every line of the three files, then the formats against each other.
validate() {
	local name=$1 open=${2:-}
	"$PY" "$CHECK_SCHEMA" validate --format native ${open:+"$open"} "$ART/$name-json.json" || fail "scan $name: native records"
	"$PY" "$CHECK_SCHEMA" validate --format ecs ${open:+"$open"} "$ART/$name-ecs.json" || fail "scan $name: ECS records"
	"$PY" "$CHECK_SCHEMA" compare "$ART/$name-json.json" "$ART/$name-ecs.json" || fail "scan $name: ECS != native"
	[ $HEC_BUILT = 1 ] || return 0
	"$PY" "$CHECK_SCHEMA" validate --format hec ${open:+"$open"} "$ART/$name-splunk-hec.json" || fail "scan $name: HEC envelopes"
	"$PY" "$CHECK_SCHEMA" compare "$ART/$name-json.json" "$ART/$name-splunk-hec.json" || fail "scan $name: HEC != native"
}

# A. Everything, with PEM, versions, verification against the lab CA, hostile servers.
scan A -p 22,80,443,8080,8081,8443 --rate 20000 --tls --tls-ports 443,8443 --tls-versions --tls-pem \
	--tls-timeout 2000 --ca-file "$TLS/ca.pem" 198.19.0.0/30 198.18.0.10-198.18.0.23 "$RANGE"
validate A
grep -q '"truncated":true' "$ART/A-json.json" || fail "scan A: no truncated TLS record (the hostile servers should cause some)"
grep -q '"invalid_utf8_fields":\["' "$ART/A-json.json" || fail "scan A: no record with invalid UTF-8 replaced"

# B. SNI names, the refused endpoint (--source-port), no PEM, no CA, no version probes.
scan B -p 22,443 --rate 20000 --tls --sni-file "$TLS/sni.txt" --source-port "$SPORTS" "$RANGE" 198.18.0.10-198.18.0.12
validate B

# C. --open: only open ports (and up hosts) besides the run records.
scan C -p 22,80,443,8080,8081 --rate 20000 --open --tls 198.19.0.0/30 198.18.0.10-198.18.0.23 "$RANGE"
validate C --open

# The schemas reject what the writers never write.
self=("$ART/A-json.json" "$ART/A-ecs.json")
[ $HEC_BUILT = 1 ] && self+=("$ART/A-splunk-hec.json")
"$PY" "$CHECK_SCHEMA" self-test "${self[@]}" || fail "the schemas accept broken records"

# The integration kit against the real output.
hec_a=()
[ $HEC_BUILT = 1 ] && hec_a=(--hec "$ART/A-splunk-hec.json")
"$PY" "$CHECK_KIT" --native "$ART/A-json.json" --ecs "$ART/A-ecs.json" "${hec_a[@]}" --truth "$TRUTH" --versions ||
	fail "contrib/ does not fit scan A"
"$PY" "$CHECK_KIT" --native "$ART/B-json.json" --ecs "$ART/B-ecs.json" --truth "$TRUTH" ||
	fail "contrib/ does not fit scan B"

# hec-example.sh against a HEC receiver on the scanner namespace's loopback:
# every POST must carry the token, and the events received must be exactly the
# envelopes of the local copy (-oJ ... --format splunk-hec) that the script keeps.
HEC_PORT=18088
TOKEN=portus-test-token-0123456789
cat >"$ART/hec_receiver.py" <<'PY'
import http.server, json, sys
port, token, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/services/collector/event" or self.headers.get("Authorization") != "Splunk " + token:
            self.send_response(401 if self.path == "/services/collector/event" else 404)
            self.end_headers()
            with open(out + ".bad", "a") as f:
                f.write("%s %s\n" % (self.path, self.headers.get("Authorization")))
            return
        text, pos, events = body.decode("utf-8"), 0, []
        dec = json.JSONDecoder()
        while pos < len(text):
            while pos < len(text) and text[pos] in " \r\n\t":
                pos += 1
            if pos == len(text):
                break
            ev, pos = dec.raw_decode(text, pos)
            events.append(json.dumps(ev, ensure_ascii=False, separators=(",", ":")))
        with open(out, "a", encoding="utf-8") as f:
            f.write("".join(e + "\n" for e in events))
        reply = b'{"text":"Success","code":0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
: >"$ART/hec-received.json"
ip netns exec "$LAB_NS_SCAN" timeout 300 "$PY" "$ART/hec_receiver.py" $HEC_PORT $TOKEN "$ART/hec-received.json" &
recv_pid=$!
LAB_ON_EXIT="eval kill $recv_pid 2>/dev/null" # lab.sh's EXIT/INT/TERM traps run it
sleep 0.5
echo "+ hec-example.sh http://127.0.0.1:$HEC_PORT" >&3
(cd "$ART" && PORTUS_HEC_TOKEN=$TOKEN PORTUS=$PORTUS PORTUS_PORTS=22,80,443 OUT="$ART/hec-local.json" \
	ip netns exec "$LAB_NS_SCAN" timeout -k 5 "$SCAN_TIMEOUT" sh "$ROOT/contrib/splunk/hec-example.sh" \
	"http://127.0.0.1:$HEC_PORT" --rate 20000 --exclude-file /dev/null 198.19.0.0/30 198.18.0.10-198.18.0.12 "$RANGE" \
	>"$ART/hec-example.out" 2>"$ART/hec-example.err")
rc=$?
kill $recv_pid 2>/dev/null
wait $recv_pid 2>/dev/null
if [ $rc != 0 ] && grep -q "not built yet" "$ART/hec-example.err"; then
	echo "SKIP: --hec-url is not built yet: hec-example.sh not run against a receiver"
else
	[ $rc = 0 ] || fail "hec-example.sh exited $rc ($(tail -3 "$ART/hec-example.err"))"
	[ ! -s "$ART/hec-received.json.bad" ] || fail "HEC requests without the token or to another path: $(head -3 "$ART/hec-received.json.bad")"
	"$PY" "$CHECK_SCHEMA" validate --format hec "$ART/hec-received.json" || fail "hec-example.sh: the events received"
	"$PY" - "$ART/hec-local.json" "$ART/hec-received.json" <<'PY' || fail "hec-example.sh: received != the local copy"
import json, sys
local = sorted(json.dumps(json.loads(l), sort_keys=True) for l in open(sys.argv[1], encoding="utf-8"))
got = sorted(json.dumps(json.loads(l), sort_keys=True) for l in open(sys.argv[2], encoding="utf-8"))
if local != got:
    sys.exit("local copy %d envelopes, received %d; first difference: %s" % (
        len(local), len(got), next((a for a, b in zip(local, got) if a != b), "(lengths differ)")[:300]))
print("hec-example.sh: %d envelopes POSTed with the token, identical to the local copy" % len(got))
PY
fi
echo "PASS: $TEST_NAME"
