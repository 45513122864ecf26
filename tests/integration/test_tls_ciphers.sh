#!/bin/bash
# portus --tls-ciphers against endpoints with known cipher configurations
# (tests/lab/tls_cipher_lab.py, beside the TLS lab): openssl s_server processes
# with chosen -cipher/-ciphersuites/-groups/-serverpref (TLS 1.3 only with
# server order, TLS 1.2 with server order and DHE, client order for 1.2 and 1.3,
# NULL + anonymous at TLS 1.0-1.2 with -legacy_renegotiation) and
# tls_responder.py for what no server here can still speak (EXPORT, RC4, 3DES,
# X25519MLKEM768, a server that resets every hello, one that accepts every
# suite). Started and stopped by pid. --no-banner: s_server serves one
# connection at a time and -www answers GET only, so a HEAD would hold it
# for the whole --tls-timeout.
#
#  1. portus --tls --tls-ciphers -oJ (native) and --format ecs on the same
#     endpoints: exact suites per version and order, cipher_order, groups,
#     ja3s/ja4s (recomputed from the responder's logged ServerHellos),
#     ECS fields equal (check_tls_ciphers.py); every line valid against the
#     JSON Schemas (check_schema.py)
# 1b. sslscan on the s_server endpoints (when installed): the same sets and orders
#  2. without --tls-ciphers: no cipher keys, ja3s/ja4s still there, and the
#     servers saw no raw ClientHello (the responder's log: main handshakes only)
#  3. --tls-ciphers over the TLS lab, hostile endpoints included: valid records,
#     bounded time, accepted versions = the truth's
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
command -v openssl >/dev/null || fail "openssl CLI missing (tools/deps.sh)"
need_portus

lab_up --prefix 198.19.0.0/30
TLS=$ART/tls
"$PY" "$LAB_DIR/tls_certs.py" "$TLS" --hostile >"$ART/tls_certs.log" 2>&1 || fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$TLS" || fail "TLS namespace did not come up"

CL=$ART/ciphers
"$PY" "$LAB_DIR/tls_cipher_lab.py" truth "$CL" || fail "tls_cipher_lab.py truth"
TRUTH=$CL/cipher_truth.json
RANGE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["range"])' "$TRUTH")
for ip in $("$PY" -c 'import json,sys; [print(e["ip"]) for e in json.load(open(sys.argv[1]))["endpoints"]]' "$TRUTH"); do
	ip -n "$LAB_NS_TLS" addr add "$ip/24" dev eth0
done
cipher_lab_down() { ip netns exec "$LAB_NS_TLS" "$PY" "$LAB_DIR/tls_cipher_lab.py" down "$CL" 2>/dev/null || true; }
LAB_ON_EXIT=cipher_lab_down
ip netns exec "$LAB_NS_TLS" "$PY" "$LAB_DIR/tls_cipher_lab.py" up "$CL" || fail "cipher lab servers did not start"
RLOG=$CL/log/responder.ndjson
touch "$RLOG"

# 1. --tls-ciphers, native and ECS.
start=$(date +%s.%N)
portus_scan "$RANGE" -p 443 --tls --tls-ciphers --no-banner --exclude-file /dev/null --no-status \
	-oJ "$ART/ciphers.ndjson" >"$ART/ciphers.out" 2>"$ART/ciphers.err" ||
	fail "portus --tls-ciphers exited $? ($(tail -3 "$ART/ciphers.err"))"
end=$(date +%s.%N)
echo "portus --tls-ciphers: $(grep -c '"type":"tls"' "$ART/ciphers.ndjson") endpoints in $(echo "$end - $start" | bc) s"
portus_scan "$RANGE" -p 443 --tls --tls-ciphers --no-banner --exclude-file /dev/null --no-status --format ecs \
	-oJ "$ART/ciphers-ecs.ndjson" >"$ART/ciphers-ecs.out" 2>"$ART/ciphers-ecs.err" ||
	fail "portus --tls-ciphers --format ecs exited $? ($(tail -3 "$ART/ciphers-ecs.err"))"
"$PY" "$ROOT/tests/integration/check_tls_ciphers.py" --truth "$TRUTH" --native "$ART/ciphers.ndjson" \
	--ecs "$ART/ciphers-ecs.ndjson" --responder-log "$RLOG" || fail "--tls-ciphers records do not match the truth"
for f in native:ciphers ecs:ciphers-ecs; do
	"$PY" "$ROOT/tests/integration/check_schema.py" validate --format "${f%%:*}" "$ART/${f#*:}.ndjson" ||
		fail "--tls-ciphers ${f%%:*} records do not match the JSON Schemas"
done
"$PY" "$ROOT/tests/integration/check_schema.py" compare "$ART/ciphers.ndjson" "$ART/ciphers-ecs.ndjson" ||
	fail "--tls-ciphers: native and ECS records differ"

# 1b. sslscan (Debian package, when installed) on the real servers: the same
#     accepted sets and server orders per version.
if command -v sslscan >/dev/null; then
	rm -f "$ART/times.txt"
	"$PY" -c 'import json,sys; [print(e["ip"]) for e in json.load(open(sys.argv[1]))["endpoints"] if e["kind"] == "s_server"]' \
		"$TRUTH" >"$ART/endpoints.txt"
	for ip in $(cat "$ART/endpoints.txt"); do
		ip netns exec "$LAB_NS_SCAN" timeout 120 sslscan --no-colour --xml="$ART/sslscan-$ip.xml" "$ip:443" \
			>"$ART/sslscan-$ip.log" 2>&1 || fail "sslscan $ip exited $?"
	done
	cp "$ART/ciphers.ndjson" "$ART/portus.ndjson"
	"$PY" "$ROOT/bench/tls_ciphers_compare.py" "$ART" "$(wc -l <"$ART/endpoints.txt")" >"$ART/sslscan.txt"
	cat "$ART/sslscan.txt"
	n=$(wc -l <"$ART/endpoints.txt")
	grep -q "accepted sets equal for $((4 * n)) of $((4 * n)) " "$ART/sslscan.txt" ||
		fail "portus and sslscan disagree on accepted suites"
else
	echo "sslscan not installed: no cross-check (apt-get install sslscan)"
fi

# 2. Without --tls-ciphers: fingerprints only, and no raw hello reaches a server.
mark=$(wc -l <"$RLOG")
portus_scan "$RANGE" -p 443 --tls --no-banner --exclude-file /dev/null --no-status -oJ "$ART/plain.ndjson" \
	>"$ART/plain.out" 2>"$ART/plain.err" || fail "portus --tls exited $? ($(tail -3 "$ART/plain.err"))"
sleep 0.5
"$PY" - "$ART/plain.ndjson" "$ART/ciphers.ndjson" "$RLOG" "$mark" <<'PY' || fail "portus --tls (no --tls-ciphers) records wrong"
import json, sys
plain = [json.loads(l) for l in open(sys.argv[1]) if '"type":"tls"' in l]
full = {(r["ip"], r["port"]): r for r in map(json.loads, open(sys.argv[2])) if r.get("type") == "tls"}
for r in plain:
    for k in ("ciphers", "cipher_order", "groups", "ciphers_complete", "cipher_handshakes"):
        if k in r:
            sys.exit(f"{r['ip']}: {k} without --tls-ciphers")
    f = full[(r["ip"], r["port"])]
    if r["outcome"] == "ok" and (r["ja3s"], r["ja4s"]) != (f["ja3s"], f["ja4s"]):
        sys.exit(f"{r['ip']}: fingerprints differ between runs: {r['ja4s']} {f['ja4s']}")
new = [json.loads(l) for l in open(sys.argv[3]).readlines()[int(sys.argv[4]):]]
raw = [c for c in new if not c.get("alpn") and c.get("answer") != "no ClientHello"]
if raw:
    sys.exit(f"raw hellos without --tls-ciphers: {raw[:2]}")
print(f"no --tls-ciphers: {len(plain)} records, fingerprints as before, {len(new)} responder connections (main handshakes)")
PY
# 3. The TLS lab (20 endpoints on 443, hostile ones on 8443: garbage, a byte a
#    second, a 1.3 MB chain, stalls, resets): records valid, time bounded, and
#    the versions with accepted suites are the truth's versions_accepted.
TLSRANGE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["range"])' "$TLS/truth.json")
SPORTS=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["refused_scan_sports"])' "$TLS/truth.json")
start=$(date +%s.%N)
portus_scan "$TLSRANGE" -p 443,8443 --tls-ports 443,8443 --tls --tls-ciphers --tls-timeout 2000 --no-banner \
	--source-port "$SPORTS" --exclude-file /dev/null --no-status -oJ "$ART/lab.ndjson" \
	>"$ART/lab.out" 2>"$ART/lab.err" || fail "portus --tls-ciphers on the TLS lab exited $? ($(tail -3 "$ART/lab.err"))"
end=$(date +%s.%N)
"$PY" "$ROOT/tests/integration/check_schema.py" validate --format native "$ART/lab.ndjson" ||
	fail "--tls-ciphers on the TLS lab: records do not match the JSON Schemas"
"$PY" - "$TLS/truth.json" "$ART/lab.ndjson" "$(echo "$end - $start" | bc)" <<'PY' || fail "--tls-ciphers on the TLS lab: wrong versions"
import json, sys
truth = json.load(open(sys.argv[1]))
recs = {(r["ip"], r["port"]): r for r in map(json.loads, open(sys.argv[2])) if r.get("type") == "tls"}
bad, n, hs = [], 0, 0
for e in truth["endpoints"]:
    r = recs.get((e["ip"], e["port"]))
    want = e.get("versions_accepted")
    if r is None or want is None:
        continue
    got = [v for v, l in (r.get("ciphers") or {}).items() if l]
    if sorted(got) != sorted(want):
        bad.append(f'{e["name"]}: versions with suites {got}, truth {want}')
    if "ciphers" in r and not r["ciphers_complete"]:
        bad.append(f'{e["name"]}: incomplete')
    n += 1
    hs += r.get("cipher_handshakes", 0)
for r in recs.values():
    if r["port"] == 8443:
        print(f'hostile {r["ip"]}:8443 {r["outcome"]} ciphers={"ciphers" in r} handshakes={r.get("cipher_handshakes")}')
if bad:
    sys.exit("\n".join(bad))
print(f"TLS lab: {n} endpoints' accepted versions agree with the truth; {len(recs)} records, {hs} raw handshakes, {sys.argv[3]} s")
PY

cipher_lab_down
echo "PASS: $TEST_NAME"
