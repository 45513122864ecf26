#!/bin/bash
# Sweeps (issue 7): 3 shard processes + `portus merge` give exactly the single
# run's records (times aside); merge refuses an incomplete or doubled set;
# `portus diff` reports exactly the change made to the lab between two scans
# (a port closed by an nftables drop rule, a port opened by an nftables
# redirect) and exits 1, and exits 0 for two scans of an unchanged lab; the
# cron script contrib/cron/portus-sweep.sh keeps a bounded history.
# merge and diff never touch the network: they run under `unshare -n`.
. "$(dirname "$0")/common.sh"
need_portus
lab_up --prefix 198.19.0.0/22

TARGETS="198.19.0.0/27 198.18.0.10-198.18.0.15"
PORTS=22,80,443,8080,8081
COMMON=(-p "$PORTS" --rate 20000 --exclude-file /dev/null --seed 777)

offline() { # portus merge|diff ... in an empty network namespace, bounded
	echo "+ unshare -n portus $*" >&3
	timeout 60 unshare -n "$PORTUS" "$@"
}

scan() { # NAME [ARGS...]
	local name=$1
	shift
	# shellcheck disable=SC2086
	portus_scan "${COMMON[@]}" "$@" -oJ "$ART/$name.json" $TARGETS \
		>"$ART/stdout-$name.txt" 2>"$ART/stderr-$name.txt" || fail "portus ($name) exited $?"
}

# --- shards + merge == single run ---
scan single
for k in 1 2 3; do scan "shard$k" --shard "$k/3"; done
offline merge -o "$ART/merged.json" "$ART/shard2.json" "$ART/shard3.json" "$ART/shard1.json" \
	2>"$ART/stderr-merge.txt" || fail "merge of 3 shards exited $? ($(cat "$ART/stderr-merge.txt"))"
python3 "$ROOT/tests/integration/check_schema.py" validate --format native "$ART/merged.json" \
	>"$ART/schema-merged.txt" 2>&1 || fail "merged output does not match data/schemas: $(tail -3 "$ART/schema-merged.txt")"

python3 - "$ART" <<'PY' || fail "merged shards differ from the single run"
import ipaddress, json, sys
art = sys.argv[1]

def load(name):
    recs, summ, order = set(), None, []
    for line in open(f"{art}/{name}"):
        r = json.loads(line)
        if r["type"] == "summary":
            summ = r
            continue
        r.pop("time", None)
        recs.add(json.dumps(r, sort_keys=True))
        if r["type"] == "port":
            # portus's address order: every IPv4 address before every IPv6 one
            a = ipaddress.ip_address(r["ip"])
            order.append((a.version, int(a), r["port"]))
    return recs, summ, order

single, ssum, _ = load("single.json")
merged, msum, order = load("merged.json")
if single != merged:
    sys.exit(f"records: {len(merged - single)} only merged, {len(single - merged)} only single")
if order != sorted(order) or len(order) != len(set(order)):
    sys.exit("merged port records are not in address/port order, once each")
for k in ("targets", "hosts", "hosts_down", "open", "closed", "filtered", "seed", "shard",
          "interrupted"):
    if ssum[k] != msum[k]:
        sys.exit(f"summary {k}: single {ssum[k]} merged {msum[k]}")
if msum["shards_merged"] != 3 or msum["shards_missing"] != []:
    sys.exit(f"merged summary: {msum}")
print(f"merge: {len(merged)} records == single run, summary counts equal")
PY

# An incomplete set and a doubled shard are refused (exit 2), one line each.
offline merge -o "$ART/bad.json" "$ART/shard1.json" "$ART/shard3.json" 2>"$ART/stderr-missing.txt"
[ $? = 2 ] || fail "merge with shard 2 missing did not exit 2"
grep -qx "portus: merge: shard 2 of 3 (seed 777) missing" "$ART/stderr-missing.txt" ||
	fail "missing shard message: $(cat "$ART/stderr-missing.txt")"
offline merge -o "$ART/bad.json" "$ART/shard1.json" "$ART/shard2.json" "$ART/shard3.json" \
	"$ART/shard2.json" 2>"$ART/stderr-dup.txt"
[ $? = 2 ] || fail "merge with shard 2 twice did not exit 2"
grep -q "^portus: merge: shard 2/3 given twice" "$ART/stderr-dup.txt" ||
	fail "duplicate shard message: $(cat "$ART/stderr-dup.txt")"
[ ! -e "$ART/bad.json" ] || fail "a refused merge left an output file"

# Options anywhere among the files, as GNU tools take them (issue 13 item 3);
# "--" ends the options; -o=FILE and --output=FILE: byte for byte the same file.
offline merge "$ART/shard2.json" "$ART/shard3.json" "$ART/shard1.json" -o "$ART/merged-late.json" \
	2>"$ART/stderr-merge-late.txt" || fail "merge FILES... -o OUT exited $? ($(cat "$ART/stderr-merge-late.txt"))"
offline merge --output="$ART/merged-eq.json" -- "$ART/shard2.json" "$ART/shard3.json" "$ART/shard1.json" \
	2>"$ART/stderr-merge-eq.txt" || fail "merge --output=OUT -- FILES... exited $? ($(cat "$ART/stderr-merge-eq.txt"))"
offline merge "$ART/shard2.json" -o="$ART/merged-oeq.json" "$ART/shard3.json" "$ART/shard1.json" \
	2>"$ART/stderr-merge-oeq.txt" || fail "merge -o=OUT exited $? ($(cat "$ART/stderr-merge-oeq.txt"))"
for f in merged-late merged-eq merged-oeq; do
	cmp -s "$ART/merged.json" "$ART/$f.json" || fail "$f.json differs from merge -o OUT FILES..."
done
offline report "$ART/merged.json" -o "$ART/report.html" 2>"$ART/stderr-report.txt" ||
	fail "report FILE -o OUT exited $? ($(cat "$ART/stderr-report.txt"))"
grep -q '<html' "$ART/report.html" || fail "report FILE -o OUT wrote no page"

# --- diff: unchanged lab -> exit 0 ---
scan again
offline diff "$ART/single.json" "$ART/again.json" >"$ART/diff-same.json" 2>"$ART/stderr-diff-same.txt"
rc=$?
[ $rc = 0 ] || fail "diff of an unchanged lab exited $rc: $(cat "$ART/stderr-diff-same.txt") $(cat "$ART/diff-same.json")"
[ ! -s "$ART/diff-same.json" ] || fail "diff of an unchanged lab wrote alerts"
grep -qx "portus: diff: no changes" "$ART/stderr-diff-same.txt" || fail "no-change summary line"
# Any shard layout: the merged shards against the single run, shards as a list.
offline diff "$ART/shard1.json,$ART/shard2.json,$ART/shard3.json" "$ART/again.json" \
	>"$ART/diff-layout.json" 2>/dev/null || fail "diff of shard list vs single run found changes"

# --- change the lab: 198.19.0.5:80 open -> filtered, 198.19.0.6:22 closed -> open ---
ip netns exec "$LAB_NS_GW" nft add rule ip lab input ip daddr 198.19.0.5 tcp dport 80 drop ||
	fail "nft drop rule"
ip netns exec "$LAB_NS_GW" nft -f - <<'NFT' || fail "nft redirect rule"
table ip sweep {
	chain pre {
		type nat hook prerouting priority -100; policy accept;
		ip daddr 198.19.0.6 tcp dport 22 redirect to :80
	}
}
NFT
scan changed
offline diff -o "$ART/diff.json" "$ART/again.json" "$ART/changed.json" 2>"$ART/stderr-diff.txt"
rc=$?
[ $rc = 1 ] || fail "diff of a changed lab exited $rc: $(cat "$ART/stderr-diff.txt")"
python3 - "$ART/diff.json" <<'PY' || fail "diff alerts differ from the change made"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = [
    {"type": "alert", "alert": "port-closed", "ip": "198.19.0.5", "port": 80, "old": "open",
     "new": "filtered"},
    {"type": "alert", "alert": "port-opened", "ip": "198.19.0.6", "port": 22, "old": "closed",
     "new": "open"},
]
for g in got:
    g.pop("time")
if got != want:
    sys.exit(f"got {got}")
print("diff: exactly the two changes")
PY
grep -qx "portus: diff: 2 changes: 1 port opened, 1 port closed" "$ART/stderr-diff.txt" ||
	fail "diff summary line: $(cat "$ART/stderr-diff.txt")"
# The same with the options after OLD and NEW.
offline diff "$ART/again.json" "$ART/changed.json" --expiry-days 30 -o "$ART/diff-late.json" \
	2>"$ART/stderr-diff-late.txt"
rc=$?
[ $rc = 1 ] || fail "diff OLD NEW --expiry-days 30 -o OUT exited $rc: $(cat "$ART/stderr-diff-late.txt")"
cmp -s "$ART/diff.json" "$ART/diff-late.json" || fail "diff with options last wrote other alerts"
offline diff --format ecs "$ART/again.json" "$ART/changed.json" >"$ART/diff-ecs.json" 2>/dev/null
[ $? = 1 ] || fail "diff --format ecs did not exit 1"
python3 - "$ART/diff-ecs.json" <<'PY' || fail "ECS alerts"
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    e = r["event"]
    assert e["kind"] == "alert" and e["category"] == ["network"] and e["type"] == ["change"], e
    assert e["dataset"] == "portus.diff" and r["destination"]["ip"].startswith("198.19.0."), r
    assert "observer" not in r
PY

# --- host up as nmap means it (issue 13 item 2): 198.19.0.7's open ports (80,
# 443) now answer RST. The host still answers, so it is up: diff says its
# ports closed and its exposure is gone, never host-disappeared; -oX and -oG
# list it up, and the report counts it among the hosts up. ---
ip netns exec "$LAB_NS_GW" nft -f - <<'NFT' || fail "nft reset rule"
table ip exposure {
	chain input {
		type filter hook input priority -10; policy accept;
		ip daddr 198.19.0.7 tcp dport { 80, 443 } reject with tcp reset
	}
}
NFT
scan rst -oX "$ART/rst.xml" -oG "$ART/rst.gnmap"
ip netns exec "$LAB_NS_GW" nft delete table ip exposure || fail "nft delete exposure"
offline diff "$ART/changed.json" "$ART/rst.json" -o "$ART/diff-rst.json" 2>"$ART/stderr-diff-rst.txt"
rc=$?
[ $rc = 1 ] || fail "diff after closing 198.19.0.7's open ports exited $rc: $(cat "$ART/stderr-diff-rst.txt")"
python3 - "$ART/diff-rst.json" <<'PY' || fail "diff of a host whose open ports now answer RST"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
for g in got:
    g.pop("time")
want = [
    {"type": "alert", "alert": "host-exposure-gone", "ip": "198.19.0.7", "old": "exposed",
     "new": "not-exposed"},
    {"type": "alert", "alert": "port-closed", "ip": "198.19.0.7", "port": 80, "old": "open",
     "new": "closed"},
    {"type": "alert", "alert": "port-closed", "ip": "198.19.0.7", "port": 443, "old": "open",
     "new": "closed"},
]
if any(g["alert"] == "host-disappeared" for g in got):
    sys.exit(f"a host that answers RST was reported disappeared: {got}")
if got != want:
    sys.exit(f"got {got}")
print("diff: 198.19.0.7 closed, still up: exposure gone, not disappeared")
PY
grep -qx "portus: diff: 3 changes: 1 host no longer exposed, 2 ports closed" "$ART/stderr-diff-rst.txt" ||
	fail "diff summary line: $(cat "$ART/stderr-diff-rst.txt")"
grep -q '<address addr="198.19.0.7"' "$ART/rst.xml" &&
	python3 - "$ART/rst.xml" <<'PY' || fail "-oX does not list 198.19.0.7 up with reason reset"
import sys, xml.etree.ElementTree as ET
for h in ET.parse(sys.argv[1]).getroot().iter("host"):
    if h.find("address").get("addr") == "198.19.0.7":
        st = h.find("status")
        assert (st.get("state"), st.get("reason")) == ("up", "reset"), st.attrib
        break
else:
    sys.exit("198.19.0.7 not listed")
PY
grep -qP '^Host: 198\.19\.0\.7 \(\)\tStatus: Up$' "$ART/rst.gnmap" || fail "-oG does not list 198.19.0.7 up"
# The report counts the same hosts up as the XML's runstats.
offline report "$ART/rst.json" -o "$ART/rst.html" 2>"$ART/stderr-report-rst.txt" ||
	fail "report of the RST scan exited $? ($(cat "$ART/stderr-report-rst.txt"))"
xml_up=$(sed -n 's/.*<hosts up="\([0-9]*\)".*/\1/p' "$ART/rst.xml")
page_up=$(sed -n 's/.*data-count="hosts-up">\([0-9]*\)<.*/\1/p' "$ART/rst.html")
[ -n "$xml_up" ] && [ "$xml_up" = "$page_up" ] ||
	fail "hosts up: -oX says '$xml_up', the report '$page_up'"

# --- the cron script: first run 0, unchanged 0, history bounded to -k ---
cat >"$ART/portus-wrapper.sh" <<WRAP
#!/bin/sh
# scans in the lab's scanner namespace, merge/diff in an empty one
case \$1 in
merge|diff) exec timeout 60 unshare -n "$PORTUS" "\$@" ;;
*) exec ip netns exec "$LAB_NS_SCAN" timeout -k 5 "$SCAN_TIMEOUT" "$PORTUS" "\$@" ;;
esac
WRAP
chmod +x "$ART/portus-wrapper.sh"
SWEEP=$ROOT/contrib/cron/portus-sweep.sh
# shellcheck disable=SC2086
sweep() { PORTUS=$ART/portus-wrapper.sh sh "$SWEEP" -d "$ART/state" -k 2 -- "${COMMON[@]}" $TARGETS 2>>"$ART/stderr-sweep.txt"; }
sweep || fail "first sweep exited $?"
sweep || fail "sweep of an unchanged lab exited $?"
ip netns exec "$LAB_NS_GW" nft delete table ip sweep || fail "nft delete"
sweep
rc=$?
[ $rc = 1 ] || fail "sweep after a change exited $rc"
n=$(find "$ART/state/runs" -name '*.json' | wc -l)
[ "$n" = 2 ] || fail "history holds $n runs, -k 2 wanted"
a=$(find "$ART/state/alerts" -name '*.json')
[ "$(grep -c '"alert":"port-closed","ip":"198.19.0.6","port":22' "$a")" = 1 ] ||
	fail "the sweep's alert file: $(cat "$a")"
echo "PASS: $TEST_NAME"
