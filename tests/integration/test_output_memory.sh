#!/bin/bash
# The terminal table, -oX and -oG at ~4 M targets, nearly all silent (issue 13):
# their memory must grow with what answered, not with the plan. Before, they
# kept a 64-byte record per written target (~250 MB each here); now a host
# with nothing but no-response ports is only counted (src/output/hostgroup.h).
#   answering: 198.19.0.0/24 (the lab's AnyIP prefix) x 121 ports: 1-20 closed
#     (RST), 80 open, 1000-1099 dropped by a rule this test adds (100 filtered,
#     no-response: the "Not shown" / extraports case)
#   silent: 198.19.128.0/17 (routed to the gateway, which forwards nothing)
#     x 121 ports = 3,964,928 targets
# Two runs of the same plan: -oJ - (streams, the reference), then the table,
# -oX and -oG together. Peak RSS (/usr/bin/time %M) of the second may exceed
# the first's by at most LIMIT_KIB (per-target storage would need hundreds of
# MB more). Both runs' contents are checked: counts of filtered records and
# silent hosts, every answering host's "Not shown" line / extraports /
# Ignored State, the run statistics.
. "$(dirname "$0")/common.sh"
need_portus
[ -x /usr/bin/time ] || fail "/usr/bin/time missing (apt-get install time)"
LIMIT_KIB=${LIMIT_KIB:-32768}
lab_up --prefix 198.19.0.0/24
ip netns exec "$LAB_NS_GW" nft add rule ip lab input ip daddr 198.19.0.0/24 tcp dport 1000-1099 drop ||
	fail "cannot add the drop rule for 1000-1099"

PORTS=1-20,80,1000-1099
TARGETS="198.19.0.0/24 198.19.128.0/17"
HOSTS=$((256 + 32768))
NPORTS=121
OPEN=256
CLOSED=$((256 * 20))
FILTERED=$((256 * 100 + 32768 * NPORTS))
# An empty exclude list of our own (the built-in one holds 198.18.0.0/15).
: >"$ART/no-exclude.conf"
COMMON=(-p "$PORTS" --rate 300000 --retries 1 --seed 13 --exclude-file "$ART/no-exclude.conf" --no-status)

# run NAME ARGS...: one scan, stdout to $ART/NAME.out, peak RSS to $ART/NAME.kib.
run() {
	local name=$1
	shift
	echo "+ portus ${COMMON[*]} $* $TARGETS" >&3
	# shellcheck disable=SC2086 # TARGETS is a word list
	ip netns exec "$LAB_NS_SCAN" timeout --foreground -k 5 300 /usr/bin/time -o "$ART/$name.time" \
		-f '%M' "$PORTUS" "${COMMON[@]}" "$@" $TARGETS >"$ART/$name.out" 2>"$ART/$name.err" ||
		fail "$name: portus exited $? ($(tail -3 "$ART/$name.err"))"
	tail -1 "$ART/$name.time" >"$ART/$name.kib"
}

# 1. The reference: NDJSON streamed to stdout.
run json -oJ -
grep -c '"state":"filtered","reason":"no-response"' "$ART/json.out" >"$ART/json.filtered"
[ "$(cat "$ART/json.filtered")" = "$FILTERED" ] ||
	fail "-oJ: $(cat "$ART/json.filtered") no-response records, want $FILTERED"
n=$(grep -c '"state":"open"' "$ART/json.out")
[ "$n" = "$OPEN" ] || fail "-oJ: $n open records, want $OPEN"
n=$(grep -c '"state":"closed"' "$ART/json.out")
[ "$n" = "$CLOSED" ] || fail "-oJ: $n closed records, want $CLOSED"
rm -f "$ART/json.out" # ~600 MB

# 2. The table (stdout), -oX and -oG at once.
run nmap -oX "$ART/scan.xml" -oG "$ART/scan.gnmap"
ref=$(cat "$ART/json.kib")
got=$(cat "$ART/nmap.kib")
echo "peak RSS: -oJ - $ref KiB; table + -oX + -oG $got KiB (limit +$LIMIT_KIB KiB)" >&3
[ "$got" -le $((ref + LIMIT_KIB)) ] ||
	fail "table + -oX + -oG peaked at $got KiB, -oJ - at $ref KiB: more than $LIMIT_KIB KiB above"

# The table: one block per answering host, silence counted.
T=$ART/nmap.out
n=$(grep -c '^portus scan report for 198\.19\.0\.' "$T")
[ "$n" = 256 ] || fail "table: $n host blocks, want 256"
n=$(grep -c '^Not shown: 100 filtered tcp ports (no-response)$' "$T")
[ "$n" = 256 ] || fail "table: $n 'Not shown: 100 filtered tcp ports (no-response)' lines, want 256"
n=$(grep -c '^80/tcp .* open .* syn-ack ttl 64$' "$T")
[ "$n" = 256 ] || fail "table: $n open 80/tcp lines, want 256"
n=$(grep -c '^[0-9]*/tcp .* closed .* reset ttl 64$' "$T")
[ "$n" = "$CLOSED" ] || fail "table: $n closed port lines, want $CLOSED"
grep -qx "32768 hosts gave no response on any port (all filtered, no-response)." "$T" ||
	fail "table: no '32768 hosts gave no response' line: $(grep -i 'no response' "$T" | head -3)"
grep -q "^portus done: $HOSTS addresses x $NPORTS ports ($((HOSTS * NPORTS)) targets) in .* s: $OPEN open, $CLOSED closed, $FILTERED filtered; " "$T" ||
	fail "table: summary line: $(grep '^portus done' "$T")"

# -oX: the same hosts, each with its extraports; the silent ones only counted.
X=$ART/scan.xml
n=$(grep -c '^<host starttime=' "$X")
[ "$n" = 256 ] || fail "-oX: $n hosts, want 256"
n=$(grep -c '^<ports><extraports state="filtered" count="100">$' "$X")
[ "$n" = 256 ] || fail "-oX: $n <extraports state=\"filtered\" count=\"100\">, want 256"
n=$(grep -cx '<extrareasons reason="no-response" count="100" proto="tcp" ports="1000-1099"/>' "$X")
[ "$n" = 256 ] || fail "-oX: $n no-response extrareasons for 1000-1099, want 256"
n=$(grep -c '<port protocol="tcp" portid="[0-9]*"><state state="closed" reason="reset" reason_ttl="64"/>' "$X")
[ "$n" = "$CLOSED" ] || fail "-oX: $n closed <port>s, want $CLOSED"
grep -q "<hosts up=\"256\" down=\"32768\" total=\"$HOSTS\"/>" "$X" ||
	fail "-oX: run statistics: $(grep '<hosts ' "$X")"
if command -v xmllint >/dev/null; then
	timeout 120 xmllint --noout "$X" || fail "-oX is not well-formed XML"
fi

# -oG: one Ports line per answering host with the one summarised state.
G=$ART/scan.gnmap
n=$(grep -c $'^Host: 198\\.19\\.0\\.[0-9]* ()\tStatus: Up$' "$G")
[ "$n" = 256 ] || fail "-oG: $n hosts up, want 256"
n=$(grep -c $'/open/tcp//http///.*\tIgnored State: filtered (100)$' "$G")
[ "$n" = 256 ] || fail "-oG: $n Ports lines with 80 open and 'Ignored State: filtered (100)', want 256"
grep -q "^# portus done at .* -- $HOSTS IP addresses (256 hosts up) scanned in " "$G" ||
	fail "-oG: closing line: $(tail -1 "$G")"
echo "PASS: test_output_memory (peak RSS -oJ - $ref KiB, table+-oX+-oG $got KiB)"
