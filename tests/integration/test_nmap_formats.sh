#!/bin/bash
# -oX and -oG against the lab truth and against nmap itself:
#   * one scan writes -oJ, -oX and -oG; the NDJSON matches the truth (sanity),
#     the XML validates against nmap's DTD (/usr/share/nmap/nmap.dtd, which
#     only knows scanner="nmap": that one attribute is swapped for the check),
#     and check_nmap_xml.py finds every port's state/reason/ttl right in both
#     files, hosts listed as nmap would, run statistics right, and the open
#     ports DefectDojo's parser would import;
#   * ndiff reads two portus runs of the same lab and reports no difference;
#   * nmap -sS -n --reason scans a few lab hosts, portus the same: ndiff reads
#     both and no port differs in state (service names may: portus names ports
#     from /etc/services, nmap from nmap-services);
#   * --open lists only hosts with open ports, like nmap --open;
#   * SIGTERM mid-scan still writes both files whole, marked interrupted.
. "$(dirname "$0")/common.sh"
need_portus
for tool in xmllint ndiff nmap; do
	command -v $tool >/dev/null || fail "$tool is not installed (tools/deps.sh)"
done
DTD=/usr/share/nmap/nmap.dtd
[ -r $DTD ] || fail "no $DTD"
lab_up --prefix 198.19.0.0/22
lab_truth "$ART/truth.json"

TARGETS="198.19.0.0/22 198.18.0.10-198.18.0.23"
PORTS=22,80,443,8080,8081
NMAPCHECK=$ROOT/tests/integration/check_nmap_xml.py

nmapcheck() {
	python3 "$NMAPCHECK" --truth "$ART/truth.json" "$@"
}

# Valid against nmap's own DTD but for the scanner's name.
dtd_valid() {
	sed 's/^<nmaprun scanner="portus" /<nmaprun scanner="nmap" /' "$1" >"$1.as-nmap"
	grep -q '^<nmaprun scanner="nmap" ' "$1.as-nmap" || fail "$1: no <nmaprun scanner=\"portus\""
	timeout 60 xmllint --noout --dtdvalid $DTD "$1.as-nmap" 2>"$1.xmllint" ||
		fail "$1 is not valid against $DTD: $(head -5 "$1.xmllint")"
}

# ndiff must read both files: exit 0 (same) or 1 (different), never 2.
ndiff_ok() {
	local rc
	timeout 60 ndiff "$@" >"$ART/ndiff.out" 2>"$ART/ndiff.err"
	rc=$?
	if [ $rc -gt 1 ] || grep -q Traceback "$ART/ndiff.err"; then
		fail "ndiff $* failed ($rc): $(tail -3 "$ART/ndiff.err")"
	fi
	return $rc
}

# --- one scan, three formats
# shellcheck disable=SC2086
portus_scan -p $PORTS --rate 20000 --exclude-file /dev/null --no-status -oJ "$ART/scan.json" \
	-oX "$ART/scan.xml" -oG "$ART/scan.gnmap" $TARGETS >"$ART/stdout.txt" 2>"$ART/stderr.txt" ||
	fail "portus exited $? (stderr: $(tail -3 "$ART/stderr.txt"))"
check --targets "$TARGETS" --ports $PORTS "$ART/scan.json" >"$ART/check-json.txt" ||
	fail "NDJSON does not match the truth: $(tail -5 "$ART/check-json.txt")"
dtd_valid "$ART/scan.xml"
nmapcheck --targets "$TARGETS" --ports $PORTS --xml "$ART/scan.xml" --grepable "$ART/scan.gnmap" \
	>"$ART/check-nmap.txt" || fail "-oX/-oG do not match the truth: $(tail -8 "$ART/check-nmap.txt")"

# --- ndiff: a second identical run shows no difference
# shellcheck disable=SC2086
portus_scan -p $PORTS --rate 20000 --exclude-file /dev/null --no-status -oX "$ART/scan2.xml" \
	$TARGETS >/dev/null 2>"$ART/stderr2.txt" || fail "second portus run exited $?"
ndiff_ok "$ART/scan.xml" "$ART/scan2.xml" ||
	fail "ndiff sees differences between two runs: $(head -20 "$ART/ndiff.out")"

# --- nmap on a few hosts of each kind, portus on the same; ndiff both ways
SUB="198.19.0.0/30 198.19.1.0/31 198.19.2.0/31 198.19.3.0/31 198.19.4.0/31 198.18.0.10-198.18.0.14"
NMAP_SUB="198.19.0.0/30 198.19.1.0/31 198.19.2.0/31 198.19.3.0/31 198.19.4.0/31 198.18.0.10-14"
echo "+ nmap -sS -n --reason -p $PORTS $NMAP_SUB" >&3
# shellcheck disable=SC2086
ip netns exec "$LAB_NS_SCAN" timeout -k 5 120 nmap -sS -n --reason -p $PORTS \
	-oX "$ART/nmap.xml" $NMAP_SUB >"$ART/nmap.txt" 2>&1 || fail "nmap exited $?"
# shellcheck disable=SC2086
portus_scan -p $PORTS --rate 20000 --exclude-file /dev/null --no-status -oX "$ART/sub.xml" \
	-oG "$ART/sub.gnmap" $SUB >/dev/null 2>"$ART/stderr-sub.txt" || fail "portus (subset) exited $?"
dtd_valid "$ART/sub.xml"
nmapcheck --targets "$SUB" --ports $PORTS --xml "$ART/sub.xml" --grepable "$ART/sub.gnmap" \
	>"$ART/check-sub.txt" || fail "subset -oX/-oG wrong: $(tail -8 "$ART/check-sub.txt")"
ndiff_ok "$ART/sub.xml" "$ART/nmap.xml"
ndiff_ok --xml "$ART/nmap.xml" "$ART/sub.xml"
cp "$ART/ndiff.out" "$ART/ndiff-nmap.xml"
python3 - "$ART/ndiff-nmap.xml" "$ART/nmap.xml" "$ART/sub.xml" <<'PY' || fail "portus and nmap disagree"
import sys
import xml.etree.ElementTree as ET
diff, nm, pt = (ET.parse(p).getroot() for p in sys.argv[1:])
# ndiff: a port whose state differs carries <a><state/> or <b><state/>.
for pd in diff.iter("portdiff"):
    for port in pd.findall("port"):
        if port.find("a/state") is not None or port.find("b/state") is not None:
            sys.exit(f"ndiff: port {port.get('portid')} changes state")
def ports(root):
    out = {}
    for h in root.findall("host"):
        ip = h.find("address[@addrtype='ipv4']").get("addr")
        for p in h.findall("ports/port"):
            s = p.find("state")
            out[(ip, p.get("portid"))] = (s.get("state"), s.get("reason"), s.get("reason_ttl"))
    return out
a, b = ports(nm), ports(pt)
both = set(a) & set(b)
if not both:
    sys.exit("no port listed by both nmap and portus")
bad = [(k, a[k], b[k]) for k in sorted(both) if a[k] != b[k]]
if bad:
    sys.exit(f"state/reason/ttl differ: {bad[:5]}")
print(f"nmap and portus agree on {len(both)} ports")
PY

# --- --open
# shellcheck disable=SC2086
portus_scan -p $PORTS --rate 20000 --exclude-file /dev/null --no-status --open \
	-oX "$ART/open.xml" -oG "$ART/open.gnmap" $TARGETS >/dev/null 2>"$ART/stderr-open.txt" ||
	fail "portus --open exited $?"
dtd_valid "$ART/open.xml"
nmapcheck --open-only --targets "$TARGETS" --ports $PORTS --xml "$ART/open.xml" \
	--grepable "$ART/open.gnmap" >"$ART/check-open.txt" ||
	fail "--open -oX/-oG wrong: $(tail -8 "$ART/check-open.txt")"

# --- SIGTERM mid-scan: ~5,200 probes at 500 pps take ~10 s; the signal lands at 2 s.
# timeout(1) passes the signal on to portus; only that process is signalled.
# shellcheck disable=SC2086,SC2153
ip netns exec "$LAB_NS_SCAN" timeout -k 5 60 "$PORTUS" -p $PORTS --rate 500 \
	--exclude-file /dev/null --no-status -oX "$ART/term.xml" -oG "$ART/term.gnmap" \
	$TARGETS >/dev/null 2>"$ART/stderr-term.txt" &
runner=$!
sleep 2
kill -TERM $runner || fail "no portus to signal"
wait $runner
rc=$?
[ $rc = 130 ] || fail "SIGTERM: exit $rc, expected 130 ($(cat "$ART/stderr-term.txt"))"
dtd_valid "$ART/term.xml"
nmapcheck --interrupted --targets "$TARGETS" --ports $PORTS --xml "$ART/term.xml" \
	--grepable "$ART/term.gnmap" >"$ART/check-term.txt" ||
	fail "interrupted -oX/-oG wrong: $(tail -8 "$ART/check-term.txt")"
tail -1 "$ART/term.gnmap" | grep -q ' (interrupted)$' || fail "-oG done line not marked interrupted"
echo "PASS: $TEST_NAME"
