#!/bin/bash
# The TLS stage against hostile servers (tls_certs.py --hostile: port 8443 of
# 198.18.0.30-36 in the TLS lab): garbage instead of a ServerHello, a TLS
# record header then one byte a second, a ~1.3 MB certificate chain, a server
# that stalls or resets after the handshake, a 3000-byte status line and
# Server: value, control bytes / NUL / invalid UTF-8 in them. Each costs
# bounded time and memory, and the records are right (check_tls.py --hostile):
# not-tls, timeout, error (chain over the cap), ok with no banner, ok with the
# banner cut at 512 bytes ("banner" in truncated_fields), ok with U+FFFD and
# escapes (http_status / http_server in invalid_utf8_fields).
#
#  1. the hostile servers against the truth, with the reference client (tls_probe.py)
#  2. portus --tls --tls-versions --tls-timeout 2000: records right, the scan
#     done in under 30 s, its peak RSS within 64 MiB of the same scan without --tls
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
"$PY" -c 'import cryptography' 2>/dev/null || fail "python3-cryptography missing (tools/deps.sh)"
command -v openssl >/dev/null || fail "openssl CLI missing (tools/deps.sh)"
[ -x /usr/bin/time ] || fail "/usr/bin/time missing (Debian package time)"

lab_up --prefix 198.19.0.0/30
TLS=$ART/tls
"$PY" "$LAB_DIR/tls_certs.py" --hostile "$TLS" >"$ART/tls_certs.log" 2>&1 ||
	fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$TLS" || fail "TLS namespace did not come up"
TRUTH=$TLS/truth.json
TARGETS=198.18.0.30-198.18.0.36
PORT=8443
SLOG=$TLS/log/connections.ndjson
touch "$SLOG"
check_tls() {
	"$PY" "$ROOT/tests/integration/check_tls.py" --truth "$TRUTH" --hostile "$@"
}
log_lines() { wc -l <"$SLOG"; }

# 1. The hostile servers themselves.
echo "+ tls_probe.py --hostile (reference client)" >&3
mark=$(log_lines)
ip netns exec "$LAB_NS_SCAN" timeout -k 5 120 "$PY" "$LAB_DIR/tls_probe.py" --hostile --versions "$TRUTH" \
	"$ART/reference.ndjson" 2>"$ART/reference.err" || fail "tls_probe.py: $(tail -3 "$ART/reference.err")"
tail -n +"$((mark + 1))" "$SLOG" >"$ART/reference-server.log"
check_tls --reference --versions --server-log "$ART/reference-server.log" "$ART/reference.ndjson" ||
	fail "the hostile servers do not match the truth (reference client)"

need_portus
"$PORTUS" --help 2>&1 | grep -q -- '--tls-versions' ||
	fail "portus has no --tls yet (the hostile servers passed with the reference client)"
# Wall time (s) and peak RSS (KiB) of a portus run: "SECONDS KIB" in $1.
timed_scan() { # OUTFILE ARGS...
	local out=$1
	shift
	echo "+ portus $*" >&3
	ip netns exec "$LAB_NS_SCAN" /usr/bin/time -f '%e %M' -o "$out" \
		timeout -k 5 "$SCAN_TIMEOUT" "$PORTUS" "$@"
}

# Baseline: the same scan without --tls.
timed_scan "$ART/base.time" $TARGETS -p $PORT --exclude-file /dev/null --no-status \
	-oJ "$ART/base.ndjson" >"$ART/base.out" 2>"$ART/base.err" || fail "portus (no --tls) exited $?"

# 2. The TLS stage.
mark=$(log_lines)
timed_scan "$ART/tls.time" $TARGETS -p $PORT --tls-ports $PORT --tls --tls-versions --tls-timeout 2000 \
	--ca-file "$TLS/ca.pem" --exclude-file /dev/null --no-status -oJ "$ART/tls.ndjson" \
	>"$ART/tls.out" 2>"$ART/tls.err" || fail "portus --tls exited $? ($(tail -3 "$ART/tls.err"))"
tail -n +"$((mark + 1))" "$SLOG" >"$ART/tls-server.log"
read -r base_s base_kb <"$ART/base.time"
read -r tls_s tls_kb <"$ART/tls.time"
echo "without --tls: ${base_s}s, ${base_kb} KiB peak; with --tls: ${tls_s}s, ${tls_kb} KiB peak"
check_tls --versions --legacy-main --server-log "$ART/tls-server.log" "$ART/tls.ndjson" ||
	fail "portus --tls records for the hostile servers do not match the truth"
awk -v s="$tls_s" 'BEGIN { exit !(s < 30) }' || fail "the scan took ${tls_s}s (limit 30 s with --tls-timeout 2000)"
[ $((tls_kb - base_kb)) -lt 65536 ] ||
	fail "the TLS stage took $((tls_kb - base_kb)) KiB more than the scan without it (limit 64 MiB)"
echo "PASS: $TEST_NAME"
