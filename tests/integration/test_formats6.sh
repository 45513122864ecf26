#!/bin/bash
# Every output format on a mixed IPv4+IPv6 scan of the lab (issue 12, "Output"):
#   * native NDJSON, ECS and Splunk HEC: every line valid against its schema
#     (check_schema.py) and the three carrying the same ports, hosts, summary;
#   * CEF: IPv6 targets in c6a3 (Destination IPv6 Address) and the scanner in
#     c6a2, never in dst=/src= (which CEF keeps for IPv4); IPv4 targets in dst=;
#   * -oX valid against nmap's DTD, addrtype="ipv6" for IPv6 hosts, and -oX/-oG
#     right for every target (check_nmap_xml.py against the truth);
#   * nmap -6 on the same IPv6 hosts: ndiff finds no port that differs;
#   * -oL lines and the terminal table name IPv6 targets in RFC 5952 form;
#   * portus merge of two shards equals the single run, diff of a run with
#     itself reports no change, report renders the IPv6 hosts.
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
"$PY" -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema missing (tools/deps.sh)"
for tool in xmllint ndiff nmap; do
	command -v $tool >/dev/null || fail "$tool is not installed (tools/deps.sh)"
done
CHECK_SCHEMA=$ROOT/tests/integration/check_schema.py
NMAPCHECK=$ROOT/tests/integration/check_nmap_xml.py
DTD=/usr/share/nmap/nmap.dtd
need_portus
lab_up --prefix 198.19.0.0/28
lab_truth "$ART/truth.json"

PORTS=22,80,443
P6=2001:db8:100
SEG6=2001:db8:0:1
# Routed IPv6: plain, RST on 80, address unreachable from the target (::200)
# and from the gateway (::400); on-link IPv6: 3 up, 2 down; the same in IPv4.
V6="$P6::/125 $P6::200/126 $P6::300/126 $P6::400/126 $SEG6::10-$SEG6::14"
TARGETS="198.19.0.0/29 198.18.0.10-198.18.0.14 $V6"
COMMON=(-p "$PORTS" --rate 20000 --seed 5 --exclude-file /dev/null --no-status)

# --- the JSON formats and CEF, one run each
for f in json ecs splunk-hec cef; do
	# shellcheck disable=SC2086
	portus_scan "${COMMON[@]}" --format $f -oJ "$ART/scan-$f.out" $TARGETS \
		>/dev/null 2>"$ART/stderr-$f.txt" || fail "--format $f exited $? ($(tail -2 "$ART/stderr-$f.txt"))"
done
check --targets "$TARGETS" --ports "$PORTS" "$ART/scan-json.out" || fail "native NDJSON does not match the truth"
"$PY" "$CHECK_SCHEMA" validate --format native "$ART/scan-json.out" || fail "native records invalid"
"$PY" "$CHECK_SCHEMA" validate --format ecs "$ART/scan-ecs.out" || fail "ECS records invalid"
"$PY" "$CHECK_SCHEMA" validate --format hec "$ART/scan-splunk-hec.out" || fail "HEC envelopes invalid"
"$PY" "$CHECK_SCHEMA" compare "$ART/scan-json.out" "$ART/scan-ecs.out" || fail "ECS != native"
"$PY" "$CHECK_SCHEMA" compare "$ART/scan-json.out" "$ART/scan-splunk-hec.out" || fail "HEC != native"

# CEF: one line per port record; the address fields by family.
"$PY" - "$ART/scan-cef.out" "$ART/scan-json.out" "$LAB_SCANNER_IP6" <<'EOF' || fail "CEF address fields wrong"
import ipaddress, json, re, sys
cef = [l.rstrip("\n") for l in open(sys.argv[1]) if "|port-" in l]
ports = [json.loads(l) for l in open(sys.argv[2]) if '"type":"port"' in l]
scanner6 = sys.argv[3]
ext = lambda line: dict(re.findall(r"(\w+)=((?:[^=\\ ]|\\.)*(?: (?![\w]+=)[^=\\ ]*)*)", line.split("|", 7)[7]))
want = {(r["ip"], r["port"]) for r in ports}
got, bad = set(), []
for line in cef:
    e = ext(line)
    if "c6a3" in e:
        ip = e["c6a3"]
        if ipaddress.ip_address(ip).version != 6 or "dst" in e:
            bad.append("IPv6 target in the wrong field: " + line)
        if e.get("c6a3Label") != "Destination IPv6 Address" or e.get("c6a2") != scanner6 \
                or e.get("c6a2Label") != "Source IPv6 Address" or "src" in e:
            bad.append("IPv6 labels/source wrong: " + line)
        if str(ipaddress.ip_address(ip)) != ip:
            bad.append("not RFC 5952: " + ip)
    else:
        ip = e.get("dst", "")
        if ipaddress.ip_address(ip).version != 4 or "src" not in e:
            bad.append("IPv4 target without dst/src: " + line)
    got.add((ip, int(e["dpt"])))
if got != want:
    bad.append("CEF ports %d, native %d, differ: %s" % (len(got), len(want), sorted(got ^ want)[:5]))
if not any(ipaddress.ip_address(i).version == 6 for i, _ in got):
    bad.append("no IPv6 target in the CEF output")
print("\n".join(bad[:10]) or "cef: %d port lines, address fields right" % len(cef))
sys.exit(1 if bad else 0)
EOF

# --- -oX, -oG, -oL and the table, one run
# shellcheck disable=SC2086
portus_scan "${COMMON[@]}" -oX "$ART/scan.xml" -oG "$ART/scan.gnmap" -oL "$ART/scan.lst" $TARGETS \
	>"$ART/table.txt" 2>"$ART/stderr-nmap.txt" || fail "-oX/-oG/-oL run exited $?"
sed 's/^<nmaprun scanner="portus" /<nmaprun scanner="nmap" /' "$ART/scan.xml" >"$ART/scan.as-nmap.xml"
timeout 60 xmllint --noout --dtdvalid $DTD "$ART/scan.as-nmap.xml" 2>"$ART/xmllint.txt" ||
	fail "-oX is not valid against $DTD: $(head -5 "$ART/xmllint.txt")"
grep -q "<address addr=\"$P6::1\" addrtype=\"ipv6\"/>" "$ART/scan.xml" || fail "-oX: no addrtype=\"ipv6\" address for $P6::1"
"$PY" "$NMAPCHECK" --truth "$ART/truth.json" --targets "$TARGETS" --ports "$PORTS" --xml "$ART/scan.xml" \
	--grepable "$ART/scan.gnmap" >"$ART/check-nmap.txt" || fail "-oX/-oG wrong: $(tail -8 "$ART/check-nmap.txt")"
grep -q "^open tcp 80 $P6::1 " "$ART/scan.lst" || fail "-oL has no line for $P6::1:80"
grep -q "^portus scan report for $SEG6::10\$" "$ART/table.txt" || fail "the table has no report for $SEG6::10"
grep -q "^Host: $SEG6::13 ()	Status: Down" "$ART/scan.gnmap" || fail "-oG: $SEG6::13 not down"

# --- nmap -6 on the same IPv6 hosts: ndiff sees no port difference
SUB6="$P6::1 $P6::301 $P6::201 $P6::401 $SEG6::10 $SEG6::11 $SEG6::12"
echo "+ nmap -6 -sS -n --reason -p $PORTS $SUB6" >&3
# shellcheck disable=SC2086
ip netns exec "$LAB_NS_SCAN" timeout -k 5 120 nmap -6 -sS -n --reason -p $PORTS -oX "$ART/nmap6.xml" $SUB6 \
	>"$ART/nmap6.txt" 2>&1 || fail "nmap -6 exited $?"
# shellcheck disable=SC2086
portus_scan "${COMMON[@]}" -oX "$ART/sub6.xml" $SUB6 >/dev/null 2>&1 || fail "portus (IPv6 subset) exited $?"
timeout 60 ndiff "$ART/nmap6.xml" "$ART/sub6.xml" >"$ART/ndiff.txt" 2>&1
rc=$?
[ $rc -le 1 ] && ! grep -q Traceback "$ART/ndiff.txt" || fail "ndiff failed ($rc): $(tail -3 "$ART/ndiff.txt")"
# $P6::401 answers only through the gateway's ICMPv6 host-unreach: nmap finds it
# up by its ping (echo reply), portus sends none, and a router's error does not
# make a host up (scan_record.h, reply_from_target; docs/sweeps.md): portus does not
# list it. Its ports must still agree: filtered, host-unreach from the router,
# in nmap's XML and portus's records; the rest goes through ndiff.
"$PY" - "$ART/nmap6.xml" "$ART/sub6.xml" "$ART/scan-json.out" "$P6::401" <<'PY' ||
import json, sys, xml.etree.ElementTree as ET
nmap_xml, portus_xml, records, host = sys.argv[1:]
def hosts(path):
    return {h.find("address").get("addr"): h for h in ET.parse(path).getroot().iter("host")}
n = hosts(nmap_xml).get(host)
assert n is not None, f"nmap does not list {host}"
want = {}
for p in n.iter("port"):
    st = p.find("state")
    assert (st.get("state"), st.get("reason")) == ("filtered", "host-unreach"), st.attrib
    assert st.get("reason_ip") not in (None, host), st.attrib
    want[int(p.get("portid"))] = st.get("reason_ip")
assert host not in hosts(portus_xml), f"portus -oX lists {host} (only a router answered)"
got = {r["port"]: r.get("reason_ip") for r in map(json.loads, open(records))
       if r["type"] == "port" and r["ip"] == host and r["state"] == "filtered"
       and r["reason"] == "host-unreach"}
assert got == want, f"portus records {got}, nmap {want}"
print(f"{host}: {len(want)} ports filtered by the router's host-unreach in both; not up in portus")
PY
	fail "$P6::401 (only a router's ICMPv6 errors): nmap and portus disagree"
# Service names may differ (nmap-services vs /etc/services); states may not.
awk -v h="-$P6::401:" '$0 == h { skip = 1 } /^$/ { skip = 0 } !skip' "$ART/ndiff.txt" >"$ART/ndiff-listed.txt"
if grep -E '^[-+][0-9]+/tcp' "$ART/ndiff-listed.txt" |
	awk '{print $1, $2}' | sed 's/^[-+]//' | sort | uniq -u | grep -q .; then
	fail "nmap -6 and portus disagree on a port: $(grep -E '^[-+][0-9]+/tcp' "$ART/ndiff-listed.txt" | head -6)"
fi
n6=$(grep -c '<port protocol="tcp"' "$ART/nmap6.xml")
[ "$n6" -ge 12 ] || fail "nmap -6 listed only $n6 ports: the comparison would be vacuous"

# --- merge, diff and report
for k in 1 2; do
	# shellcheck disable=SC2086
	portus_scan "${COMMON[@]}" --shard $k/2 -oJ "$ART/shard$k.json" $TARGETS >/dev/null 2>&1 ||
		fail "shard $k/2 exited $?"
done
"$PORTUS" merge "$ART/shard1.json" "$ART/shard2.json" >"$ART/merged.json" 2>"$ART/merge.err" ||
	fail "merge of the mixed shards failed: $(cat "$ART/merge.err")"
check --targets "$TARGETS" --ports "$PORTS" "$ART/merged.json" || fail "merged shards do not match the truth"
"$PORTUS" diff "$ART/scan-json.out" "$ART/merged.json" >"$ART/diff.json" 2>"$ART/diff.err" ||
	fail "diff exited $?: $(cat "$ART/diff.err")"
[ ! -s "$ART/diff.json" ] || fail "diff of two identical mixed scans reports changes: $(head -3 "$ART/diff.json")"
"$PORTUS" report "$ART/scan-json.out" >"$ART/report.html" 2>"$ART/report.err" ||
	fail "report exited $?: $(cat "$ART/report.err")"
grep -q "$P6::1<\|$P6::1\"" "$ART/report.html" || fail "the report does not show $P6::1"
echo "PASS: $TEST_NAME"
