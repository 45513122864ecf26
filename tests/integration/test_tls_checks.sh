#!/bin/bash
# The TLS stage's certificate and handshake checks (include/tls_checks.h, no
# option needed) against endpoints built with known defects
# (tests/lab/tls_checks_lab.py, beside the TLS lab, 198.18.0.80-90): a good
# one (valid OCSP staple made with `openssl ocsp`, 2 embedded SCTs, HSTS with
# every attribute), an RSA-1024 leaf, a SHA-1-signed intermediate, a chain
# served out of order, a missing intermediate, must-staple without a staple,
# a leaf valid 500 days, a staple saying "revoked", a staple signed by a
# rogue CA, a self-signed SHA-1 leaf with a duplicate HSTS max-age, and an
# s_server with a 1024-bit DHE key and an SCT in the TLS extension. The CA
# file trusts the root and the intermediate (so the missing intermediate still
# verifies, through the store).
#
#  1. --tls -oJ (native), --format ecs and --format cef of the same endpoints:
#     every check field of every endpoint as the lab built it, ECS equal to
#     native, CEF severity = the worst finding (check_tls_checks.py, and its
#     self-test proves it catches wrong records); every line valid against the
#     JSON Schemas (check_schema.py)
#     The kit (contrib/) checked against these records: index template,
#     Splunk props, the Wazuh rules for the worst findings fire on them.
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
command -v openssl >/dev/null || fail "openssl CLI missing (tools/deps.sh)"
command -v nginx >/dev/null || fail "nginx missing (apt-get install nginx-light or nginx)"
need_portus

lab_up --prefix 198.19.0.0/30
TLS=$ART/tls
"$PY" "$LAB_DIR/tls_certs.py" "$TLS" >"$ART/tls_certs.log" 2>&1 || fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$TLS" || fail "TLS namespace did not come up"

CL=$ART/checks
"$PY" "$LAB_DIR/tls_checks_lab.py" truth "$CL" || fail "tls_checks_lab.py truth"
TRUTH=$CL/checks_truth.json
RANGE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["range"])' "$TRUTH")
N=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["endpoints"]))' "$TRUTH")
for ip in $("$PY" -c 'import json,sys; [print(e["ip"]) for e in json.load(open(sys.argv[1]))["endpoints"]]' "$TRUTH"); do
	ip -n "$LAB_NS_TLS" addr add "$ip/24" dev eth0
done
checks_lab_down() { "$PY" "$LAB_DIR/tls_checks_lab.py" down "$CL" 2>/dev/null || true; }
LAB_ON_EXIT=checks_lab_down
ip netns exec "$LAB_NS_TLS" "$PY" "$LAB_DIR/tls_checks_lab.py" up "$CL" || fail "checks lab servers did not start"

# s_server answers GET only: its HEAD waits for the deadline, hence 2 s.
for f in json ecs cef; do
	start=$(date +%s.%N)
	portus_scan "$RANGE" -p 443 --tls --tls-timeout 2000 --ca-file "$CL/ca.pem" --exclude-file /dev/null \
		--no-status --format "$f" -oJ "$ART/checks-$f.out" >"$ART/checks-$f.stdout" 2>"$ART/checks-$f.err" ||
		fail "portus --tls --format $f exited $? ($(tail -3 "$ART/checks-$f.err"))"
	end=$(date +%s.%N)
	echo "--format $f: $N endpoints in $(echo "$end - $start" | bc) s"
done
"$PY" "$ROOT/tests/integration/check_tls_checks.py" --truth "$TRUTH" --native "$ART/checks-json.out" \
	--ecs "$ART/checks-ecs.out" --cef "$ART/checks-cef.out" || fail "the checks' fields do not match the lab"
"$PY" "$ROOT/tests/integration/check_tls_checks.py" --truth "$TRUTH" --native "$ART/checks-json.out" --self-test ||
	fail "check_tls_checks.py misses wrong records"
"$PY" "$ROOT/tests/integration/check_schema.py" validate --format native "$ART/checks-json.out" ||
	fail "native records do not match the JSON Schemas"
"$PY" "$ROOT/tests/integration/check_schema.py" validate --format ecs "$ART/checks-ecs.out" ||
	fail "ECS records do not match the JSON Schemas"
"$PY" "$ROOT/tests/integration/check_schema.py" compare "$ART/checks-json.out" "$ART/checks-ecs.out" ||
	fail "native and ECS records differ"
# The kit: the template maps the new fields, the Splunk severity's source
# exists, the Wazuh rules for the worst findings fire exactly on them.
"$PY" "$ROOT/tests/integration/check_kit.py" --native "$ART/checks-json.out" --ecs "$ART/checks-ecs.out" \
	>"$ART/kit.txt" 2>&1 || fail "contrib/ kit: $(grep -v '^check_kit: [a-z]*[.a-z]*: [0-9]' "$ART/kit.txt" | head -5)"
for rid in 100215 100216 100217; do
	grep -q "$rid x" "$ART/kit.txt" || fail "Wazuh rule $rid fired on nothing: $(tail -1 "$ART/kit.txt")"
done
tail -1 "$ART/kit.txt"

"$PY" -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"tls\"" in l]; print(len(r), "TLS records,", sum(1 for x in r if x["findings"]), "with findings")' "$ART/checks-json.out"
checks_lab_down
echo "PASS: $TEST_NAME"
