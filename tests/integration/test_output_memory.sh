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

# count_is FILE WANT WHAT GREP-ARGS...: grep -c finds exactly WANT lines.
count_is() {
	local file=$1 want=$2 what=$3 n
	shift 3
	n=$(grep -c "$@" "$file")
	[ "$n" = "$want" ] || fail "$what: $n, want $want"
}

# 1. The reference: NDJSON streamed to stdout.
run json -oJ -
J=$ART/json.out
count_is "$J" "$FILTERED" "-oJ: no-response records" '"state":"filtered","reason":"no-response"'
count_is "$J" "$OPEN" "-oJ: open records" '"state":"open"'
count_is "$J" "$CLOSED" "-oJ: closed records" '"state":"closed"'
rm -f "$J" # ~600 MB

# 2. The table (stdout), -oX and -oG at once.
run nmap -oX "$ART/scan.xml" -oG "$ART/scan.gnmap"
ref=$(cat "$ART/json.kib")
got=$(cat "$ART/nmap.kib")
echo "peak RSS: -oJ - $ref KiB; table + -oX + -oG $got KiB (limit +$LIMIT_KIB KiB)" >&3
[ "$got" -le $((ref + LIMIT_KIB)) ] ||
	fail "table + -oX + -oG peaked at $got KiB, -oJ - at $ref KiB: more than $LIMIT_KIB KiB above"

# The table: one block per answering host, silence counted.
T=$ART/nmap.out
count_is "$T" 256 "table: host blocks" '^portus scan report for 198\.19\.0\.'
count_is "$T" 256 "table: 'Not shown: 100 filtered tcp ports (no-response)' lines" \
	-x 'Not shown: 100 filtered tcp ports (no-response)'
count_is "$T" 256 "table: open 80/tcp lines" '^80/tcp .* open .* syn-ack ttl 64$'
count_is "$T" "$CLOSED" "table: closed port lines" '^[0-9]*/tcp .* closed .* reset ttl 64$'
count_is "$T" 1 "table: '32768 hosts gave no response' lines" \
	-x "32768 hosts gave no response on any port (all filtered, no-response)."
count_is "$T" 1 "table: summary lines with every count" "^portus done: $HOSTS addresses x $NPORTS ports \
($((HOSTS * NPORTS)) targets) in .* s: $OPEN open, $CLOSED closed, $FILTERED filtered; "

# -oX: the same hosts, each with its extraports; the silent ones only counted.
X=$ART/scan.xml
count_is "$X" 256 "-oX: hosts" '^<host starttime='
count_is "$X" 256 "-oX: filtered extraports of 100" -x '<ports><extraports state="filtered" count="100">'
count_is "$X" 256 "-oX: no-response extrareasons for 1000-1099" \
	-x '<extrareasons reason="no-response" count="100" proto="tcp" ports="1000-1099"/>'
count_is "$X" "$CLOSED" "-oX: closed <port>s" \
	'<port protocol="tcp" portid="[0-9]*"><state state="closed" reason="reset" reason_ttl="64"/>'
count_is "$X" 1 "-oX: run statistics" "<hosts up=\"256\" down=\"32768\" total=\"$HOSTS\"/>"
if command -v xmllint >/dev/null; then
	timeout 120 xmllint --noout "$X" || fail "-oX is not well-formed XML"
fi

# -oG: one Ports line per answering host with the one summarised state.
G=$ART/scan.gnmap
count_is "$G" 256 "-oG: hosts up" $'^Host: 198\\.19\\.0\\.[0-9]* ()\tStatus: Up$'
count_is "$G" 256 "-oG: Ports lines with 80 open and 'Ignored State: filtered (100)'" \
	$'/open/tcp//http///.*\tIgnored State: filtered (100)$'
count_is "$G" 1 "-oG: closing lines" "^# portus done at .* -- $HOSTS IP addresses (256 hosts up) scanned in "
echo "PASS: test_output_memory (peak RSS -oJ - $ref KiB, table+-oX+-oG $got KiB)"
