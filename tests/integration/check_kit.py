#!/usr/bin/env python3
"""check_kit.py — offline checks of the SIEM integration kit (contrib/) against
real portus output of one scan.

  check_kit.py --native N.json --ecs E.json [--hec H.json] [--truth truth.json]

  Elasticsearch  contrib/elasticsearch/portus-index-template.json is a composable
                 template whose mappings give every leaf field of E.json, and
                 every field the ECS schemas allow, a compatible type (keyword,
                 ip, date, long, unsigned_long, double, boolean); it maps
                 nothing else but Filebeat's own fields.
  Filebeat       contrib/filebeat/filebeat.yml parses (python3-yaml; skipped
                 with a message when missing), reads with a filestream input and
                 an ndjson parser (target "", overwrite_keys) and writes to an
                 index the template matches.
  Splunk         contrib/splunk/*.conf: every sourcetype stanza has TRUNCATE
                 10000, SHOULD_LINEMERGE false, KV_MODE json, a LINE_BREAKER;
                 TIME_PREFIX + TIME_FORMAT find each native record's own time;
                 transforms.conf sends each line to portus:<type>; no line (nor
                 HEC envelope) reaches TRUNCATE; the CIM fields are defined and
                 their source fields exist in the records.
  Wazuh          contrib/wazuh/*.xml: rule ids unique and >= 100000, every
                 if_sid defined before use, decoded_as the decoder's name; the
                 decoder and rules, evaluated the way Wazuh does (child of the
                 "json" decoder, JSON_Decoder flattening, OS_Regex) over N.json,
                 fire on exactly the expected records (with --truth: the
                 expired, self-signed and TLS 1.0/1.1 endpoints of the lab; the
                 worst findings of the certificate checks from the records).

Exits 0 when everything holds, 1 with the problems listed.
"""
import argparse
import datetime
import fnmatch
import ipaddress
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CONTRIB = os.path.join(ROOT, "contrib")
SCHEMAS = os.path.join(ROOT, "data", "schemas")
FILEBEAT_FIELDS = ("agent.", "host.", "log.", "input.", "error.", "data_stream.")
problems = []


def problem(msg):
    if msg in problems:
        return
    problems.append(msg)
    print("check_kit: " + msg, file=sys.stderr)


def records(path):
    with open(path, "rb") as f:
        return [(raw, json.loads(raw)) for raw in f.read().split(b"\n") if raw]


# ---- Elasticsearch ---------------------------------------------------------

def mapping_leaves(props, prefix=""):
    out = {}
    for k, v in props.items():
        if "properties" in v:
            out.update(mapping_leaves(v["properties"], prefix + k + "."))
        else:
            out[prefix + k] = v["type"]
    return out


def value_fits(es_type, v):
    if v is None:
        return True
    if es_type in ("keyword", "constant_keyword", "match_only_text"):
        return isinstance(v, str)
    if es_type == "ip":
        try:
            ipaddress.ip_address(v)
            return True
        except (ValueError, TypeError):
            return False
    if es_type == "date":
        try:
            datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%fZ")
            return True
        except (ValueError, TypeError):
            return False
    if es_type == "long":
        return isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63
    if es_type == "unsigned_long":
        return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**64
    if es_type == "double":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if es_type == "boolean":
        return isinstance(v, bool)
    return False


def json_leaves(x, prefix=""):
    """(path, scalar) for every leaf; list entries share their list's path."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield from json_leaves(v, prefix + k + ".")
    elif isinstance(x, list):
        for v in x:
            yield from json_leaves(v, prefix)
    else:
        yield prefix[:-1], x


def schema_leaves(schema):
    """Field paths an ECS schema allows (following local $refs and conditionals)."""
    defs = schema.get("$defs", {})
    out = set()

    def walk(node, path, depth=0):
        if not isinstance(node, dict) or depth > 40:
            return
        if "$ref" in node:
            walk(defs[node["$ref"].split("/")[-1]], path, depth + 1)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []):
                walk(sub, path, depth + 1)
        for key in ("if", "then", "else"):
            if key in node and key != "if":
                walk(node[key], path, depth + 1)
        if "items" in node:
            walk(node["items"], path, depth + 1)
        props = node.get("properties")
        if props:
            for k, v in props.items():
                walk(v, path + [k], depth + 1)
        elif path and "$ref" not in node and not any(k in node for k in ("allOf", "anyOf", "oneOf", "items")) \
                and node.get("type") != "object" and (node.get("type") or "const" in node or "enum" in node or "pattern" in node):
            out.add(".".join(path))

    walk(schema, [])
    return out


def check_template(ecs_recs):
    path = os.path.join(CONTRIB, "elasticsearch", "portus-index-template.json")
    try:
        t = json.load(open(path))
    except ValueError as e:
        problem("%s: not JSON: %s" % (path, e))
        return
    for k in ("index_patterns", "template", "priority"):
        if k not in t:
            problem("%s: no %s (not a composable index template)" % (path, k))
            return
    m = t["template"]["mappings"]
    leaves = mapping_leaves(m["properties"])
    seen = {}
    for raw, r in ecs_recs:
        for p, v in json_leaves(r):
            if p not in leaves:
                problem("template: %s (%r) has no mapping" % (p, v))
                leaves[p] = "missing"
            elif not value_fits(leaves[p], v):
                problem("template: %s is mapped %s but holds %r" % (p, leaves[p], v))
            seen[p] = seen.get(p, 0) + 1
    allowed = set()
    for name in ("ecs-port", "ecs-host", "ecs-tls", "ecs-run", "ecs-resolve"):
        allowed |= schema_leaves(json.load(open(os.path.join(SCHEMAS, name + ".schema.json"))))
    for p in sorted(allowed):
        if p not in leaves:
            problem("template: %s (allowed by the ECS schemas) has no mapping" % p)
    for p in sorted(leaves):
        if p not in allowed and not p.startswith(FILEBEAT_FIELDS) and leaves[p] != "missing":
            problem("template: maps %s, which portus never writes" % p)
    print("check_kit: index template: %d mapped fields; %d field paths in the ECS output, %d allowed by the schemas, all mapped"
          % (len(leaves), len(seen), len(allowed)))
    return t


# ---- Filebeat --------------------------------------------------------------

def check_filebeat(template):
    path = os.path.join(CONTRIB, "filebeat", "filebeat.yml")
    try:
        import yaml
    except ImportError:
        print("check_kit: SKIP filebeat.yml parse: python3-yaml is not installed (apt-get install python3-yaml)")
        return
    try:
        c = yaml.safe_load(open(path))
    except yaml.YAMLError as e:
        problem("%s: YAML: %s" % (path, e))
        return
    inputs = [i for i in c.get("filebeat.inputs", []) if i.get("type") == "filestream"]
    if len(inputs) != 1 or not inputs[0].get("id"):
        problem("%s: not one filestream input with an id" % path)
        return
    nd = [p["ndjson"] for p in inputs[0].get("parsers", []) if "ndjson" in p]
    if not nd or nd[0].get("target") != "" or nd[0].get("overwrite_keys") is not True:
        problem("%s: no ndjson parser with target \"\" and overwrite_keys: true" % path)
    index = c.get("output.elasticsearch", {}).get("index", "")
    if template and not any(fnmatch.fnmatch(index, p) for p in template["index_patterns"]):
        problem("%s: index %r is not matched by the template's %s" % (path, index, template["index_patterns"]))
    print("check_kit: filebeat.yml: filestream + ndjson (target \"\", overwrite_keys) -> %s" % index)


# ---- Splunk ----------------------------------------------------------------

def read_conf(path):
    conf, stanza = {}, None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^\[(.+)\]$", line)
        if m:
            stanza = m.group(1)
            if stanza in conf:
                problem("%s:%d: stanza [%s] twice" % (path, n, stanza))
            conf[stanza] = {}
            continue
        m = re.match(r"^([^=\s][^=]*?)\s*=\s*(.*)$", line)
        if not m or stanza is None:
            problem("%s:%d: not 'key = value' inside a stanza: %r" % (path, n, line))
            continue
        if m.group(1) in conf[stanza]:
            problem("%s:%d: %s set twice in [%s]" % (path, n, m.group(1), stanza))
        conf[stanza][m.group(1)] = m.group(2)
    return conf


def splunk_fields(rec):
    """Field names Splunk's KV_MODE = json gives a record: a.b, lists a{}."""
    out = set()

    def walk(x, p):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, p + "." + k if p else k)
        elif isinstance(x, list):
            for v in x:
                walk(v, p + "{}")
            out.add(p + "{}")
        else:
            out.add(p)

    walk(rec, "")
    return out


def splunk_strptime(fmt, s):
    return datetime.datetime.strptime(s, fmt.replace("%6N", "%f"))


def check_splunk(native, hec):
    d = os.path.join(CONTRIB, "splunk")
    props = read_conf(os.path.join(d, "props.conf"))
    transforms = read_conf(os.path.join(d, "transforms.conf"))
    eventtypes = read_conf(os.path.join(d, "eventtypes.conf"))
    tags = read_conf(os.path.join(d, "tags.conf"))
    types = ["port", "host", "tls", "summary", "resolve"]
    before = len(problems)
    for st in ["portus"] + ["portus:" + t for t in types]:
        p = props.get(st)
        if p is None:
            problem("props.conf: no [%s]" % st)
            continue
        want = {"TRUNCATE": "10000", "SHOULD_LINEMERGE": "false", "KV_MODE": "json", "TZ": "UTC"}
        for k, v in want.items():
            if p.get(k) != v:
                problem("props.conf [%s]: %s = %r, expected %s" % (st, k, p.get(k), v))
        for k in ("LINE_BREAKER", "TIME_PREFIX", "TIME_FORMAT", "MAX_TIMESTAMP_LOOKAHEAD"):
            if k not in p:
                problem("props.conf [%s]: no %s" % (st, k))
    if len(problems) > before:
        return
    # Timestamps and the per-line sourcetype of a monitored native file.
    tnames = props["portus"]["TRANSFORMS-portus_sourcetype"].split(",")
    fields = {t: set() for t in types}
    for raw, r in native:
        line = raw.decode("utf-8")
        if len(raw) >= int(props["portus"]["TRUNCATE"]):
            problem("splunk: a %d-byte line reaches TRUNCATE" % len(raw))
        hit = [n.strip() for n in tnames if re.search(transforms[n.strip()]["REGEX"], line)]
        if len(hit) != 1 or transforms[hit[0]]["FORMAT"] != "sourcetype::portus:" + r["type"]:
            problem("splunk: a %s record goes to transforms %s" % (r["type"], hit))
            continue
        want_time = r["end"] if r["type"] == "summary" else r["time"]
        for st in ("portus", "portus:" + r["type"]):
            p = props[st]
            m = re.search(p["TIME_PREFIX"], line)
            if not m:
                problem("splunk [%s]: TIME_PREFIX finds nothing in a %s record" % (st, r["type"]))
                continue
            text = line[m.end():m.end() + int(p["MAX_TIMESTAMP_LOOKAHEAD"])]
            try:
                got = splunk_strptime(p["TIME_FORMAT"], text[:27])
            except ValueError:
                problem("splunk [%s]: TIME_FORMAT does not read %r" % (st, text))
                continue
            if got != splunk_strptime(p["TIME_FORMAT"], want_time):
                problem("splunk [%s]: a %s record read as %s, its time is %s" % (st, r["type"], got, want_time))
        fields[r["type"]] |= splunk_fields(r)
    for raw, _ in hec:
        if len(raw) >= 10000:
            problem("splunk: a %d-byte HEC envelope reaches TRUNCATE" % len(raw))
    # CIM: the fields, and the record fields they come from.
    cim = {"portus:port": ["dest", "dest_ip", "dest_port", "src", "transport", "action", "protocol",
                           "protocol_version", "vendor_product"],
           "portus:tls": ["dest", "dest_ip", "dest_port", "src", "ssl_subject", "ssl_issuer", "ssl_serial",
                          "ssl_end_time", "ssl_start_time", "ssl_version", "ssl_cipher", "ssl_hash",
                          "ssl_subject_common_name", "ssl_is_valid"],
           "portus:host": ["dest", "dest_ip"]}
    for st, want in cim.items():
        p = props[st]
        defined = {}
        for k, v in p.items():
            if k.startswith("FIELDALIAS-"):
                src, _, dst = v.partition(" AS ")
                defined[dst.strip()] = [src.strip()]
            elif k.startswith("EVAL-"):
                defined[k[5:]] = re.findall(r"'([^']+)'", v) + re.findall(r"\b(state|verify_ok)\b", v)
        have = fields[st.split(":")[1]]
        for f in want:
            if f not in defined:
                problem("props.conf [%s]: no CIM field %s" % (st, f))
        for f, srcs in defined.items():
            for s in srcs if have else []:  # (no record of that type in this scan)
                if s not in have:
                    problem("props.conf [%s]: %s comes from %s, which no %s record has" % (st, f, s, st))
    if eventtypes.get("portus_port", {}).get("search") != 'sourcetype="portus:port"' or \
            tags.get("eventtype=portus_port", {}).get("communicate") != "enabled" or \
            tags.get("eventtype=portus_tls", {}).get("certificate") != "enabled":
        problem("eventtypes.conf / tags.conf: portus:port is not tagged network communicate, or portus:tls certificate")
    print("check_kit: splunk: %d native lines split and time-stamped right, CIM fields defined from existing fields"
          % len(native))


# ---- Wazuh -----------------------------------------------------------------

def os_regex(pattern):
    """Wazuh OS_Regex (the subset the kit uses: ^ $ | \\d \\. literals) as a Python regex."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            n = pattern[i + 1]
            if n == "d":
                out.append("[0-9]")
            elif n == ".":
                out.append(".")
            else:
                raise ValueError("OS_Regex \\%s not simulated" % n)
            i += 2
            continue
        if c in "^$|":
            out.append(c)
        elif c in "()+*":
            raise ValueError("OS_Regex %r not simulated" % c)
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def wazuh_fields(rec):
    """JSON_Decoder with json_null_field discard, json_array_structure csv."""
    out = {}

    def walk(x, p):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, p + "." + k if p else k)
        elif isinstance(x, list):
            if all(not isinstance(v, (dict, list)) and v is not None for v in x):
                out[p] = ",".join(scalar(v) for v in x)
        elif x is not None:
            out[p] = scalar(x)

    def scalar(v):
        return ("true" if v else "false") if isinstance(v, bool) else str(v)

    walk(rec, "")
    return out


def wrapped(path):
    """A Wazuh XML file holds several top-level elements: parse it under one root."""
    with open(path, encoding="utf-8") as f:
        return ET.fromstring("<root>" + f.read() + "</root>")


def check_wazuh(native, truth, versions):
    d = os.path.join(CONTRIB, "wazuh")
    dec = wrapped(os.path.join(d, "portus_decoders.xml"))
    rules_xml = wrapped(os.path.join(d, "portus_rules.xml"))
    decoders = dec.findall("decoder")
    mine = [x for x in decoders if x.findtext("parent") == "json" and x.findtext("prematch")]
    if len(mine) != 1 or mine[0].get("name") != "portus" or mine[0].findtext("use_own_name") != "true":
        problem("portus_decoders.xml: not one decoder 'portus' (child of json, use_own_name) with a prematch")
        return
    catch_all = [x for x in decoders if x.findtext("parent") == "json" and not x.findtext("prematch")]
    if decoders.index(mine[0]) > (decoders.index(catch_all[0]) if catch_all else 99):
        problem("portus_decoders.xml: the catch-all json child comes before portus (it would win)")
    prematch = os_regex(mine[0].findtext("prematch"))
    rules, order = {}, []
    before = len(problems)
    for r in rules_xml.iter("rule"):
        rid = int(r.get("id"))
        if rid in rules:
            problem("portus_rules.xml: rule id %d twice" % rid)
        if rid < 100000:
            problem("portus_rules.xml: rule id %d below the local range 100000" % rid)
        parent = r.findtext("if_sid")
        if parent is not None and int(parent) not in rules:
            problem("portus_rules.xml: rule %d: if_sid %s not defined before it" % (rid, parent))
        if r.findtext("decoded_as") not in (None, "portus"):
            problem("portus_rules.xml: rule %d: decoded_as %s" % (rid, r.findtext("decoded_as")))
        rules[rid] = {"parent": int(parent) if parent else None, "decoded_as": r.findtext("decoded_as"),
                      "fields": [(f.get("name"), os_regex(f.text)) for f in r.findall("field")],
                      "level": int(r.get("level")), "desc": r.findtext("description")}
        order.append(rid)
    if len(problems) > before:
        return

    def fires(rid, decoder, f):
        ru = rules[rid]
        if ru["parent"] is not None and not fires(ru["parent"], decoder, f):
            return False
        if ru["decoded_as"] is not None and ru["decoded_as"] != decoder:
            return False
        return all(name in f and rx.search(f[name]) for name, rx in ru["fields"])

    fired = {rid: set() for rid in order}
    for raw, r in native:
        if not prematch.search(raw.decode("utf-8")):
            problem("wazuh: the portus decoder does not take a %s record" % r["type"])
            continue
        f = wazuh_fields(r)
        for rid in order:
            if fires(rid, "portus", f):
                fired[rid].add((r["type"], r.get("ip"), r.get("port"), r.get("sni"), r.get("hostname"),
                                r.get("alert")))
    # What must fire, from the records (decoder + regexes) and, with --truth, from the lab.
    def recs(pred):
        return {(r["type"], r.get("ip"), r.get("port"), r.get("sni"), r.get("hostname"), r.get("alert"))
                for _, r in native if pred(r)}
    tls = lambda r: r["type"] == "tls"
    cert = lambda r: tls(r) and r["cert"] is not None
    want = {
        100201: recs(lambda r: r["type"] == "port" and r["state"] == "open"),
        100203: recs(lambda r: cert(r) and r["cert"]["expired"]),
        100204: recs(lambda r: cert(r) and r["cert"]["self_signed"]),
        100205: recs(lambda r: tls(r) and bool(set(r.get("versions_accepted") or []) & {"TLSv1", "TLSv1.1"})),
        100206: recs(lambda r: cert(r) and not r["cert"]["expired"] and r["cert"]["days_to_expiry"] < 30),
        100207: recs(lambda r: tls(r) and r["hostname_match"] is False),
        100209: recs(lambda r: r["type"] == "summary" and r["interrupted"]),
        100210: recs(lambda r: r["type"] == "resolve"),
        100211: recs(lambda r: r["type"] == "port" and r["state"] == "open" and "hostname" in r),
        100212: recs(lambda r: r["type"] == "alert"),
        100213: recs(lambda r: r["type"] == "alert" and r["alert"] in ("port-opened", "host-exposed")),
        100214: recs(lambda r: r["type"] == "alert" and r["alert"] == "name-unresolved"),
        100215: recs(lambda r: tls(r) and "ocsp-revoked" in r["findings"]),
        100216: recs(lambda r: tls(r) and bool({"weak-key", "md5-in-chain", "sha1-in-chain"} & set(r["findings"]))),
        100217: recs(lambda r: tls(r) and bool({"must-staple-without-staple", "missing-intermediate",
                                                 "ocsp-invalid"} & set(r["findings"]))),
    }
    for rid, w in want.items():
        if fired.get(rid) != w:
            problem("wazuh rule %d (%s) fires on %s, expected %s" % (rid, rules[rid]["desc"],
                                                                     sorted(fired.get(rid, set()), key=str)[:5],
                                                                     sorted(w, key=str)[:5]))
    if truth:
        t = json.load(open(truth))
        tls_ips = {r["ip"] for _, r in native if tls(r) and r["cert"] is not None}
        lab = {
            100203: {e["ip"] for e in t["endpoints"] if e.get("verify_code") == 10},
            100204: {e["ip"] for e in t["endpoints"] if e.get("verify_code") == 18},
        }
        if versions:
            lab[100205] = {e["ip"] for e in t["endpoints"]
                           if set(e.get("versions_accepted") or []) & {"TLSv1", "TLSv1.1"}}
        for rid, ips in lab.items():
            got = {k[1] for k in fired[rid]}
            if got != ips & tls_ips or not got:
                problem("wazuh rule %d fires on %s, the lab has %s" % (rid, sorted(got), sorted(ips)))
    print("check_kit: wazuh: %d rules, ids unique; fired: %s" %
          (len(rules), ", ".join("%d x%d" % (rid, len(fired[rid])) for rid in order if fired[rid])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--native", required=True)
    ap.add_argument("--ecs", required=True)
    ap.add_argument("--hec")
    ap.add_argument("--alerts", help="records of portus diff, for the Wazuh rules of alerts")
    ap.add_argument("--truth")
    ap.add_argument("--versions", action="store_true", help="the scan used --tls-versions")
    a = ap.parse_args()
    native = records(a.native)
    ecs = records(a.ecs)
    hec = records(a.hec) if a.hec else []
    t = check_template(ecs)
    check_filebeat(t)
    check_splunk(native, hec)
    check_wazuh(native + (records(a.alerts) if a.alerts else []), a.truth, a.versions)
    if problems:
        print("check_kit: %d problem(s)" % len(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
