#!/bin/bash
# `portus report` on a real TLS scan, checked in a real browser: the TLS lab
# with its hostile servers (tls_certs.py --hostile: port 443 of
# 198.18.0.30-49 — valid, self-signed, expired, mismatch, TLS 1.0-only, plain
# HTTP, hostile certificate names... — and port 8443 of 198.18.0.30-36)
# scanned with --tls --tls-versions -oJ, then:
#
#  1. portus report (in an empty network namespace: it must not need one),
#     and the page's numbers against check_report.py's own count of the
#     NDJSON, with --self-test (the checker catches a broken page)
#  2. the same with --top 3: tables cut, "and N more" right
#  3. headless Chromium, offline (an empty network namespace, a fresh
#     profile): --dump-dom, and the numbers in the rendered DOM match too;
#     --screenshot kept as $ART/report.png (a PNG, 1280x2000, not blank)
#  4. bad input: one-line error, exit 2, no page written
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
command -v chromium >/dev/null ||
	fail "chromium missing: the page is checked in headless Chromium (apt-get install chromium; tools/deps.sh)"
command -v unshare >/dev/null || fail "unshare missing (util-linux)"
"$PY" -c 'import cryptography' 2>/dev/null || fail "python3-cryptography missing (tools/deps.sh)"
command -v openssl >/dev/null || fail "openssl CLI missing (tools/deps.sh)"
need_portus

CHECK_REPORT="$PY $ROOT/tests/integration/check_report.py"
PROFILE=$(mktemp -d /tmp/portus-report-chromium.XXXXXX)
LAB_ON_EXIT="rm -rf $PROFILE"

lab_up --prefix 198.19.0.0/30
TLS=$ART/tls
"$PY" "$LAB_DIR/tls_certs.py" --hostile "$TLS" >"$ART/tls_certs.log" 2>&1 ||
	fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$TLS" || fail "TLS namespace did not come up"
TRUTH=$TLS/truth.json
RANGE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["range"])' "$TRUTH")
SPORTS=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["refused_scan_sports"])' "$TRUTH")

portus_scan "$RANGE" -p 443,8443 --tls --tls-ports 443,8443 --tls-versions --tls-timeout 2000 --ca-file "$TLS/ca.pem" \
	--sni-file "$TLS/sni.txt" --exclude-file /dev/null --source-port "$SPORTS" --no-status \
	-oJ "$ART/scan.ndjson" >"$ART/scan.out" 2>"$ART/scan.err" ||
	fail "portus --tls exited $? ($(tail -3 "$ART/scan.err"))"
grep -q '"type":"tls"' "$ART/scan.ndjson" || fail "the scan wrote no TLS record"

# portus report never needs a network: an empty namespace proves it.
report() {
	echo "+ portus report $*" >&3
	unshare -n timeout -k 5 60 "$PORTUS" report "$@"
}
# Chromium offline: an empty network namespace, a fresh profile, bounded.
chromium_run() {
	echo "+ chromium $*" >&3
	unshare -n timeout -k 5 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --user-data-dir="$PROFILE" "$@"
}

# 1. The page, checked as written.
report -o "$ART/report.html" --title "portus lab audit" "$ART/scan.ndjson" 2>"$ART/report.err" ||
	fail "portus report exited $? ($(cat "$ART/report.err"))"
[ ! -s "$ART/report.err" ] || fail "portus report said: $(head -3 "$ART/report.err")"
$CHECK_REPORT --self-test "$ART/report.html" "$ART/scan.ndjson" >"$ART/check.txt" ||
	fail "report.html: $(grep -v ': page matches' "$ART/check.txt" | head -5)"
cat "$ART/check.txt"
size=$(wc -c <"$ART/report.html")
[ "$size" -lt 1000000 ] || fail "report.html is $size bytes for $(wc -l <"$ART/scan.ndjson") records"
# The hostile certificate's CN, escaped, and no markup of it left raw.
grep -qF 'He said \&quot;hi\&quot;' "$ART/report.html" || fail "the hostile CN is not on the page, escaped"
! grep -q 'said "hi"' "$ART/report.html" || fail "a quote from a certificate reached the page unescaped"

# 2. Bounded tables.
report --top 3 -o "$ART/report-top3.html" "$ART/scan.ndjson" 2>"$ART/report-top3.err" ||
	fail "portus report --top 3 exited $? ($(cat "$ART/report-top3.err"))"
$CHECK_REPORT --top 3 "$ART/report-top3.html" "$ART/scan.ndjson" >"$ART/check-top3.txt" ||
	fail "report --top 3: $(grep -v ': page matches' "$ART/check-top3.txt" | head -5)"
grep -q 'data-more="hosts-443"' "$ART/report-top3.html" || fail "--top 3: no \"and N more\" under hosts-443"

# 3. In the browser.
chromium_run --dump-dom "file://$ART/report.html" >"$ART/report.dom" 2>"$ART/chromium-dom.err" ||
	fail "chromium --dump-dom exited $? ($(tail -3 "$ART/chromium-dom.err"))"
grep -q '<rect data-bucket="expired"' "$ART/report.dom" || fail "the rendered DOM has no expiry chart"
$CHECK_REPORT "$ART/report.dom" "$ART/scan.ndjson" >"$ART/check-dom.txt" ||
	fail "rendered DOM: $(grep -v ': page matches' "$ART/check-dom.txt" | head -5)"
sed 's/^check_report: /rendered DOM: /' "$ART/check-dom.txt"
rm -f "$ART/report.png"
chromium_run --screenshot="$ART/report.png" --window-size=1280,2000 "file://$ART/report.html" \
	>"$ART/chromium-shot.out" 2>"$ART/chromium-shot.err" ||
	fail "chromium --screenshot exited $? ($(tail -3 "$ART/chromium-shot.err"))"
"$PY" - "$ART/report.png" <<'PY' || fail "report.png is not a real screenshot"
import struct, sys
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
    sys.exit("not a PNG")
w, h = struct.unpack(">II", data[16:24])
if (w, h) != (1280, 2000):
    sys.exit(f"{w}x{h}, expected 1280x2000")
if len(data) < 30000:  # a blank 1280x2000 page compresses to a few KB
    sys.exit(f"only {len(data)} bytes: a blank page?")
print(f"screenshot: {w}x{h} PNG, {len(data)} bytes")
PY

# 4. Bad input.
head -c 200 "$ART/scan.ndjson" | tr '"' "'" >"$ART/bad.ndjson"
echo '{"type":"port"}' >>"$ART/bad.ndjson"
report -o "$ART/bad.html" "$ART/bad.ndjson" 2>"$ART/bad.err"
rc=$?
[ "$rc" = 2 ] || fail "portus report on a bad file exited $rc, expected 2"
[ "$(wc -l <"$ART/bad.err")" = 1 ] && grep -q '^portus: report: .*bad.ndjson:1: ' "$ART/bad.err" ||
	fail "bad input: expected one 'portus: report: FILE:LINE: ...' line, got: $(cat "$ART/bad.err")"
[ ! -e "$ART/bad.html" ] && [ ! -e "$ART/bad.html.tmp" ] || fail "bad input: a page was written"
echo "PASS: $TEST_NAME"
