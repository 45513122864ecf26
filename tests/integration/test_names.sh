#!/bin/bash
# Host names as targets, resolved by a real DNS server in the lab: dnsmasq in
# the scanner namespace on 127.0.0.1 (the namespace's own resolv.conf names it
# and nothing else; its hosts file adds one name), forwarding one zone to a
# SERVFAIL server and one to a server that never answers (dns_servfail.py).
# Every name resolves into the lab only (198.18.0.0/15, 2001:db8::/32).
#
#  1. names + a literal, both families: every (address, port) against the
#     lab's truth; hostname/hostnames on every record of a named address (input
#     order; none for the literal); resolve records for NXDOMAIN, NODATA,
#     SERVFAIL and TIMEOUT; one warning each; CNAME chain and /etc/hosts; nmap
#     XML <hostname> and -oG "Host: ip (name)"; the terminal table's heading
#  2. -4 with ECS and CEF: A records only, destination.domain, related.hosts,
#     portus.resolve records, dhost=
#  3. an excluded resolved address: a note, and no record for it
#  4. --tls: one TLS record per name and address, the name sent as SNI and
#     checked against the certificate (TLS lab, tests/lab/tls_lab.sh)
#  5. nothing resolves: exit 2, one line
. "$(dirname "$0")/common.sh"
PY=$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
command -v dnsmasq >/dev/null || fail "dnsmasq missing (tools/deps.sh: dnsmasq-base)"
need_portus

DNS_PIDS=""
stop_dns() {
	local p
	for p in $DNS_PIDS; do kill "$p" 2>/dev/null; done
	for p in $DNS_PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	DNS_PIDS=""
}
LAB_ON_EXIT=stop_dns
lab_up --prefix 198.19.0.0/30
lab_truth "$ART/truth.json"

# The TLS lab for step 4.
TLS=$ART/tls
"$PY" "$LAB_DIR/tls_certs.py" "$TLS" >"$ART/tls_certs.log" 2>&1 || fail "tls_certs.py: $(tail -3 "$ART/tls_certs.log")"
lab_tls_up "$TLS" || fail "TLS namespace did not come up"

# DNS: dnsmasq on 127.0.0.1, a SERVFAIL server on 127.0.0.2, a silent one on 127.0.0.3.
DNS=$ART/dns
mkdir -p "$DNS"
cat >"$DNS/dnsmasq.conf" <<CONF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=127.0.0.1
port=53
user=root
log-queries
log-facility=$DNS/dnsmasq.log
host-record=dual.lab.test,198.19.0.1,2001:db8:100::1
host-record=v4only.lab.test,198.19.0.2
host-record=v6only.lab.test,2001:db8:100::2
host-record=many.lab.test,198.19.0.1
host-record=many.lab.test,198.19.0.2
host-record=many.lab.test,198.19.0.3
cname=alias2.lab.test,alias.lab.test
cname=alias.lab.test,v4only.lab.test
txt-record=txtonly.lab.test,"no address here"
host-record=www.lab.test,198.18.0.30
host-record=www.lab.test,198.18.0.34
host-record=www.lab.test,198.18.0.35
host-record=expired.lab.test,198.18.0.32
local=/lab.test/
server=/servfail.lab.test/127.0.0.2
server=/slow.lab.test/127.0.0.3
CONF
ip netns exec "$LAB_NS_SCAN" "$PY" "$LAB_DIR/dns_servfail.py" 127.0.0.2 53 &
DNS_PIDS="$DNS_PIDS $!"
ip netns exec "$LAB_NS_SCAN" "$PY" "$LAB_DIR/dns_servfail.py" 127.0.0.3 53 --silent &
DNS_PIDS="$DNS_PIDS $!"
ip netns exec "$LAB_NS_SCAN" dnsmasq --keep-in-foreground --conf-file="$DNS/dnsmasq.conf" \
	--pid-file="$DNS/dnsmasq.pid" 2>"$DNS/dnsmasq.err" &
DNS_PIDS="$DNS_PIDS $!"
# ip netns exec bind-mounts these over /etc/resolv.conf and /etc/hosts
# (lab_down removes /etc/netns/<ns> with the namespace).
printf 'nameserver 127.0.0.1\n' >"/etc/netns/$LAB_NS_SCAN/resolv.conf"
printf '127.0.0.1 localhost\n198.19.0.3 hostsfile.lab.test\n' >"/etc/netns/$LAB_NS_SCAN/hosts"
for _ in $(seq 50); do
	ip netns exec "$LAB_NS_SCAN" ss -Hlun 'sport = :53' | grep -q 127.0.0.1: && break
	sleep 0.1
done
ip netns exec "$LAB_NS_SCAN" ss -Hlun 'sport = :53' | grep -q 127.0.0.1: || fail "dnsmasq did not start: $(cat "$DNS/dnsmasq.err")"

R=(--resolve-timeout 300 --resolve-retries 1)
NAMES="dual.lab.test v4only.lab.test,v6only.lab.test many.lab.test alias2.lab.test hostsfile.lab.test nx.lab.test servfail.lab.test slow.lab.test txtonly.lab.test"

# 1. Both families, names and one literal.
start=$(date +%s%N)
# shellcheck disable=SC2086
portus_scan -p 22,80,443 --exclude-file /dev/null --no-status "${R[@]}" $NAMES 198.19.0.0 \
	-oJ "$ART/names.json" -oX "$ART/names.xml" -oG "$ART/names.gnmap" \
	>"$ART/names.out" 2>"$ART/names.err" || fail "names scan exited $? ($(tail -3 "$ART/names.err"))"
ms=$((($(date +%s%N) - start) / 1000000))
echo "  names scan: ${ms} ms"
[ "$ms" -lt 30000 ] || fail "names scan took ${ms} ms"
check --targets "198.19.0.0/30 2001:db8:100::1-2001:db8:100::2" --ports 22,80,443 "$ART/names.json" ||
	fail "states of the named addresses do not match the truth"
"$PY" - "$ART/names.json" "$ART/names.err" "$ART/names.xml" "$ART/names.gnmap" "$ART/names.out" <<'PYEOF' || fail "names in the records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
want = {
    "198.19.0.0": [],
    "198.19.0.1": ["dual.lab.test", "many.lab.test"],
    "198.19.0.2": ["v4only.lab.test", "many.lab.test", "alias2.lab.test"],
    "198.19.0.3": ["many.lab.test", "hostsfile.lab.test"],
    "2001:db8:100::1": ["dual.lab.test"],
    "2001:db8:100::2": ["v6only.lab.test"],
}
bad = []
ports = [r for r in recs if r["type"] == "port"]
if len(ports) != 18:
    bad.append("%d port records, want 18" % len(ports))
for r in ports:
    names = want.get(r["ip"])
    if names is None:
        bad.append("record for unexpected address %s" % r["ip"]); continue
    if not names:
        if "hostname" in r or "hostnames" in r:
            bad.append("literal %s has a hostname: %s" % (r["ip"], r))
        continue
    if r.get("hostname") != names[0]:
        bad.append("%s:%d hostname %r, want %r" % (r["ip"], r["port"], r.get("hostname"), names[0]))
    if len(names) > 1 and r.get("hostnames") != names:
        bad.append("%s:%d hostnames %r, want %r" % (r["ip"], r["port"], r.get("hostnames"), names))
    if len(names) == 1 and "hostnames" in r:
        bad.append("%s: hostnames with one name" % r["ip"])
res = {r["hostname"]: r for r in recs if r["type"] == "resolve"}
exp = {"nx.lab.test": "NXDOMAIN", "servfail.lab.test": "SERVFAIL", "slow.lab.test": "TIMEOUT",
       "txtonly.lab.test": "NODATA"}
for n, e in exp.items():
    if n not in res or res[n]["error"] != e or res[n]["family"] != "any":
        bad.append("resolve record for %s: %r, want error %s" % (n, res.get(n), e))
if len(res) != len(exp):
    bad.append("resolve records %s, want %s" % (sorted(res), sorted(exp)))
# Resolve records come first: before any port record.
first_port = next(i for i, r in enumerate(recs) if r["type"] == "port")
if any(r["type"] == "resolve" for r in recs[first_port:]):
    bad.append("a resolve record after a port record")
err = open(sys.argv[2]).read()
for n, e in exp.items():
    if ("warning: %s: %s" % (n, e)) not in err:
        bad.append("no warning for %s %s on stderr" % (n, e))
xml = open(sys.argv[3]).read()
if '<hostname name="many.lab.test" type="user"/>' not in xml or \
   '<hostname name="dual.lab.test" type="user"/>' not in xml:
    bad.append("nmap XML lacks the <hostname> elements")
gn = open(sys.argv[4]).read()
if "Host: 198.19.0.1 (dual.lab.test)" not in gn or "Host: 198.19.0.0 ()" not in gn:
    bad.append("-oG lacks Host: ip (name)")
out = open(sys.argv[5]).read()
if "scan report for v4only.lab.test (198.19.0.2)" not in out or \
   "Other names: many.lab.test, alias2.lab.test" not in out:
    bad.append("terminal table lacks the name heading")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PYEOF
xmllint --noout "$ART/names.xml" || fail "names.xml is not well-formed"

# 2. -4: A records only (v6only has none: NODATA), ECS and CEF.
# shellcheck disable=SC2086
portus_scan -4 -p 80 --exclude-file /dev/null --no-status "${R[@]}" dual.lab.test v6only.lab.test \
	many.lab.test nx.lab.test --format ecs -oJ "$ART/v4.ecs.json" 2>"$ART/v4.err" >/dev/null ||
	fail "-4 ECS scan exited $? ($(tail -3 "$ART/v4.err"))"
portus_scan -4 -p 80 --exclude-file /dev/null --no-status "${R[@]}" dual.lab.test nx.lab.test \
	--format cef -oJ "$ART/v4.cef" 2>>"$ART/v4.err" >/dev/null || fail "-4 CEF scan exited $?"
"$PY" - "$ART/v4.ecs.json" "$ART/v4.cef" <<'PYEOF' || fail "-4 ECS/CEF records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
bad = []
ports = [r for r in recs if r["event"]["dataset"] == "portus.port"]
ips = sorted(r["destination"]["ip"] for r in ports)
if ips != ["198.19.0.1", "198.19.0.2", "198.19.0.3"]:
    bad.append("ports of %s, want the three A addresses" % ips)
for r in ports:
    d = r["destination"]
    want = "dual.lab.test" if d["ip"] == "198.19.0.1" else "many.lab.test"
    if d.get("domain") != want:
        bad.append("%s destination.domain %r, want %r" % (d["ip"], d.get("domain"), want))
    if want not in r["related"].get("hosts", []):
        bad.append("%s related.hosts %r" % (d["ip"], r["related"].get("hosts")))
res = {r["dns"]["question"]["name"]: r for r in recs if r["event"]["dataset"] == "portus.resolve"}
if sorted(res) != ["nx.lab.test", "v6only.lab.test"]:
    bad.append("resolve records for %s" % sorted(res))
elif res["v6only.lab.test"]["portus"]["resolve"]["error"] != "NODATA" or \
        res["v6only.lab.test"]["portus"]["resolve"]["family"] != "ipv4" or \
        res["nx.lab.test"]["dns"].get("response_code") != "NXDOMAIN":
    bad.append("resolve records %r" % res)
cef = open(sys.argv[2]).read()
if "dhost=dual.lab.test" not in cef or "|name-unresolved|" not in cef or "dhost=nx.lab.test outcome=NXDOMAIN" not in cef:
    bad.append("CEF lacks dhost= or the name-unresolved line")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PYEOF

# 3. An excluded resolved address: a note, no record.
portus_scan -p 80 --exclude-file /dev/null --exclude 198.19.0.2 --no-status "${R[@]}" many.lab.test \
	-oJ "$ART/excl.json" 2>"$ART/excl.err" >/dev/null || fail "exclude scan exited $?"
grep -q "note: 198.19.0.2 (many.lab.test) is excluded" "$ART/excl.err" || fail "no note for the excluded address: $(cat "$ART/excl.err")"
grep -q '"ip":"198.19.0.2"' "$ART/excl.json" && fail "a record for the excluded 198.19.0.2"
[ "$(grep -c '"type":"port"' "$ART/excl.json")" = 2 ] || fail "excluded run: want 2 port records"

# 4. TLS: one record per name and address, SNI and the name checked.
portus_scan -p 443 --tls --ca-file "$TLS/ca.pem" --exclude-file /dev/null --no-status "${R[@]}" \
	www.lab.test expired.lab.test 198.18.0.31 -oJ "$ART/tls.json" 2>"$ART/tls.err" >/dev/null ||
	fail "TLS scan exited $? ($(tail -3 "$ART/tls.err"))"
"$PY" - "$ART/tls.json" <<'PYEOF' || fail "TLS records for names are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
tls = {(r["ip"], r["sni"]): r for r in recs if r["type"] == "tls"}
want = {  # (ip, sni): (verify_ok, hostname_match)
    ("198.18.0.30", "www.lab.test"): (True, True),       # valid
    ("198.18.0.34", "www.lab.test"): (True, True),       # wildcard *.lab.test
    ("198.18.0.35", "www.lab.test"): (True, False),      # SAN mismatch
    ("198.18.0.32", "expired.lab.test"): (False, True),  # expired
    ("198.18.0.31", None): (False, None),                # literal: no SNI
}
bad = []
if sorted(tls, key=str) != sorted(want, key=str):
    bad.append("TLS records %s, want %s" % (sorted(tls, key=str), sorted(want, key=str)))
for k, (ok, match) in want.items():
    r = tls.get(k)
    if r is None:
        continue
    if r["outcome"] != "ok" or r["verify_ok"] != ok or r["hostname_match"] != match:
        bad.append("%s: outcome %s verify_ok %s hostname_match %s" % (k, r["outcome"], r["verify_ok"], r["hostname_match"]))
for r in recs:
    if r["type"] == "port":
        want_name = None if r["ip"] == "198.18.0.31" else ("expired.lab.test" if r["ip"] == "198.18.0.32" else "www.lab.test")
        if r.get("hostname") != want_name:
            bad.append("port record %s hostname %r" % (r["ip"], r.get("hostname")))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PYEOF

# 5. Nothing resolves and no literal: exit 2, one line, nothing sent.
portus_scan -p 80 --exclude-file /dev/null "${R[@]}" nx.lab.test slow.lab.test -oJ "$ART/none.json" \
	>/dev/null 2>"$ART/none.err"
rc=$?
[ "$rc" = 2 ] || fail "nothing resolved: exit $rc, want 2"
[ "$(wc -l <"$ART/none.err")" = 1 ] || fail "nothing resolved: want one line: $(cat "$ART/none.err")"
grep -q "none of 2 host names resolved (nx.lab.test: NXDOMAIN, slow.lab.test: TIMEOUT)" "$ART/none.err" ||
	fail "nothing resolved: $(cat "$ART/none.err")"
[ -e "$ART/none.json" ] && fail "nothing resolved: left an output file"

# 6. merge, diff and report read the names back: merge keeps every record's
# names and the resolve records; a -6 rescan makes the IPv4-only names
# "name-unresolved" (their addresses left the plan without any other alert);
# the report lists the names of each 443 host and the names that failed.
# shellcheck disable=SC2086
portus_scan -6 -p 22,80,443 --exclude-file /dev/null --no-status "${R[@]}" $NAMES \
	-oJ "$ART/names6.json" >/dev/null 2>"$ART/names6.err" || fail "-6 rescan exited $?"
"$PORTUS" merge -o "$ART/merged.json" "$ART/names.json" 2>"$ART/merge.err" ||
	fail "merge of a named scan exited $?: $(cat "$ART/merge.err")"
"$PORTUS" diff "$ART/names.json" "$ART/names6.json" -o "$ART/names.diff.json" 2>"$ART/diff.err"
[ $? = 1 ] || fail "diff of the -6 rescan: want exit 1 (changes): $(cat "$ART/diff.err")"
"$PORTUS" report -o "$ART/names.html" "$ART/names.json" "$ART/tls.json" 2>"$ART/report.err" ||
	fail "report of named scans exited $?: $(cat "$ART/report.err")"
"$PY" "$ROOT/tests/integration/check_report.py" "$ART/names.html" "$ART/names.json" "$ART/tls.json" \
	>"$ART/check-report.txt" || fail "report page: $(cat "$ART/check-report.txt")"
"$PY" - "$ART/names.json" "$ART/merged.json" "$ART/names6.json" "$ART/names.diff.json" <<'PYEOF' ||
import json, sys

def recs(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]

def names_of(r):
    return r.get("hostnames", [r["hostname"]] if "hostname" in r else [])

scan, merged, scan6, diff = (recs(p) for p in sys.argv[1:])
bad = []
key = lambda r: (r["type"], r.get("ip"), r.get("port"), r.get("sni"), r.get("hostname"))
want = {key(r): names_of(r) for r in scan if r["type"] in ("port", "host", "resolve")}
got = {key(r): names_of(r) for r in merged if r["type"] in ("port", "host", "resolve")}
if want != got:
    bad.append(f"merge changed the names: {len(want)} records in, {len(got)} out, "
               f"first difference {sorted(set(want.items()) ^ set(got.items()), key=str)[:2]}")
if not any(r["type"] == "resolve" for r in merged):
    bad.append("merge dropped the resolve records")
resolved_before = {n.lower() for r in scan if r["type"] in ("port", "host") for n in names_of(r)}
failed_now = {r["hostname"].lower(): r["error"] for r in scan6 if r["type"] == "resolve"}
want_gone = {n: e for n, e in failed_now.items() if n in resolved_before}
got_gone = {a["hostname"].lower(): a["new"] for a in diff if a["alert"] == "name-unresolved"}
if not want_gone or got_gone != want_gone:
    bad.append(f"name-unresolved alerts {got_gone}, want {want_gone}")
ip_names = {r["ip"]: names_of(r) for r in scan + scan6 if r["type"] == "port" and "hostname" in r}
for a in diff:
    if "ip" in a and names_of(a) != ip_names.get(a["ip"], []):
        bad.append(f"alert for {a['ip']} names {names_of(a)}, want {ip_names.get(a['ip'])}")
for b in bad:
    print("  " + b)
print(f"  sweeps: {len(got)} records merged with their names, {len(got_gone)} name-unresolved alerts")
sys.exit(1 if bad else 0)
PYEOF
	fail "merge/diff lost or misreported names"
sed 's/^/  /' "$ART/check-report.txt"
# The integration kit on named records, resolve records and name alerts
# (Wazuh rules 100210-100214, the Splunk portus:resolve sourcetype).
"$PY" "$ROOT/tests/integration/check_kit.py" --native "$ART/names.json" --alerts "$ART/names.diff.json" \
	--ecs "$ART/v4.ecs.json" >"$ART/check-kit.txt" 2>&1 || fail "integration kit: $(cat "$ART/check-kit.txt")"
grep '^check_kit: wazuh' "$ART/check-kit.txt" | sed 's/^/  /'

# Every line against data/schemas/ (native-resolve, ecs-resolve, hostname keys).
for f in names.json tls.json excl.json merged.json; do
	"$PY" "$ROOT/tests/integration/check_schema.py" validate --format native "$ART/$f" >/dev/null ||
		fail "$f does not validate against data/schemas/"
done
"$PY" "$ROOT/tests/integration/check_schema.py" validate --format ecs "$ART/v4.ecs.json" >/dev/null ||
	fail "v4.ecs.json does not validate against data/schemas/"

grep -q "query\[AAAA\] dual.lab.test" "$DNS/dnsmasq.log" || fail "dnsmasq never saw the AAAA query"
stop_dns
rm -f "/etc/netns/$LAB_NS_SCAN/resolv.conf" "/etc/netns/$LAB_NS_SCAN/hosts"
echo "test_names: names, resolve errors, families, excludes and SNI per name all right"
