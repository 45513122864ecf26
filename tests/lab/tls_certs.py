#!/usr/bin/env python3
"""tls_certs.py — certificates and ground truth for the portus TLS lab.

    tls_certs.py OUTDIR [--scanner 198.18.0.1] [--hostile]

Writes into OUTDIR (created if missing):
  ca.pem, ca.key              test root CA "Portus Lab Root CA" (RSA 2048, self-signed)
  inter.pem, inter.key        intermediate "Portus Lab Intermediate CA" (RSA 2048)
  long-i1..6.pem              the six intermediates of the long chain
  NAME.pem NAME.key           each endpoint's leaf certificate and key
  NAME.chain.pem              what that endpoint's server sends: leaf + intermediates
  sni.txt                     the --sni-file for the scan ("ADDRESS NAME" lines)
  truth.json                  every endpoint: address, what its server does, what
                              portus must record (see tests/lab/README.md, "TLS lab")

--hostile adds "hostile_endpoints": servers on port 8443 of 198.18.0.30-36
that send garbage, drip a byte a second, send a ~1.3 MB certificate chain,
stall or reset after the handshake, or answer HEAD with a huge or hostile
status line and Server: header (table HOSTILE below).

The endpoints are 198.18.0.30-198.18.0.49, port 443, one per address (table
ENDPOINTS below). Certificates are made fresh on every run, valid relative to
now (the truth is written in the same run), so dates and fingerprints are
always consistent with the servers.

DNs in the truth ("subject", "issuer") are what
`openssl x509 -noout -subject -nameopt RFC2253,-esc_msb` prints, i.e.
X509_NAME_print_ex with XN_FLAG_RFC2253 minus ASN1_STRFLGS_ESC_MSB, as portus
writes them (src/tls/cert.c): RFC 4514 order and escapes (\\" \\, \\+ ...,
control bytes as \\XX, \\00 for NUL), non-ASCII left as UTF-8, T61String read
as Latin-1. "subject_esc_msb" / "issuer_esc_msb" are the plain -nameopt RFC2253
form (every byte above 0x7F as \\XX). This script runs the openssl CLI on each
certificate to get them. Raw names: subject_cn (every CN in certificate order;
UTF8String/PrintableString/IA5String bytes as they are, T61String/BMPString
converted to UTF-8) and san_dns (dNSName bytes) as text with U+FFFD for
invalid UTF-8, and as hex of the bytes (*_hex).

Two certificates are patched after signing (the DER is edited, then signed
again with the issuer's key): the hostile one gets a T61String CN and a SAN
dNSName with bytes that are not UTF-8 (OpenSSL refuses a UTF8String that is not
valid UTF-8 when parsing a certificate, so invalid UTF-8 can only arrive in
string types it does not check). NUL bytes in a UTF8String CN and in a SAN
dNSName need no patch: python-cryptography (38) encodes them as given.

Needs Debian's python3-cryptography and the openssl CLI.
"""
import argparse
import datetime
import hashlib
import ipaddress
import json
import math
import os
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PORT = 443
SEG = "198.18.0."

# --------------------------------------------------------------- the endpoints
#
# name, last octet, server kind, and what portus must find there. "sni" lists
# the names the SNI file gives for the address ([] = none: one record without
# SNI). "versions": the server's min/max protocol. "chain_ok": the chain
# verifies against the lab CA alone (hostname aside).
ENDPOINTS = [
    dict(name="valid", octet=30, kind="tls", sni=["www.lab.test"]),
    dict(name="selfsigned", octet=31, kind="tls", sni=[]),
    dict(name="expired", octet=32, kind="tls", sni=["expired.lab.test"]),
    dict(name="notyet", octet=33, kind="tls", sni=[]),
    dict(name="wildcard", octet=34, kind="tls", sni=["www.lab.test", "a.b.lab.test"]),
    dict(name="mismatch", octet=35, kind="tls", sni=["www.lab.test"]),
    dict(name="rsa2048", octet=36, kind="tls", sni=[]),
    dict(name="ecdsa", octet=37, kind="tls", sni=["ecdsa.lab.test"]),
    dict(name="longchain", octet=38, kind="tls", sni=["long.lab.test"]),
    dict(name="nulcn", octet=39, kind="tls", sni=["www.lab.test"]),
    dict(name="hostile", octet=40, kind="tls", sni=[]),
    dict(name="tls10", octet=41, kind="tls", sni=[], min_version="TLSv1", max_version="TLSv1.1",
         ciphers="DEFAULT:@SECLEVEL=0"),
    dict(name="tls13", octet=42, kind="tls", sni=["tls13.lab.test"], min_version="TLSv1.3",
         max_version="TLSv1.3"),
    dict(name="plainhttp", octet=43, kind="http", sni=[]),
    dict(name="silent", octet=44, kind="silent", sni=[]),
    dict(name="closed", octet=45, kind="closed", sni=[]),
    # TLS 1.2 only, ECDSA-only cipher suites with an RSA key: no shared cipher,
    # the server answers the ClientHello with a handshake_failure alert.
    dict(name="alert", octet=46, kind="tls", sni=[], min_version="TLSv1.2", max_version="TLSv1.2",
         ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"),
    dict(name="reset", octet=47, kind="reset", sni=[]),
    # A TLS server behind an nftables rule that resets every SYN whose source
    # port is outside REFUSED_SCAN_SPORTS: the scan's SYNs (--source-port in that
    # range) see it open, the kernel's connect() from an ephemeral port is refused.
    dict(name="refused", octet=48, kind="tls", sni=[], refuse_connect=True),
    dict(name="bigsan", octet=49, kind="tls", sni=[]),
]
REFUSED_SCAN_SPORTS = (61000, 61999)  # outside the kernel's ephemeral range 32768-60999
BIGSAN_COUNT = 500

# Hostile servers (tests/integration/test_tls_hostile.sh): port 8443 of some of
# the same addresses. "banner" says how a TLS server answers HEAD /.
HOSTILE_PORT = 8443
HOSTILE = [
    # Random bytes (first byte 0x00: no TLS record type) at once, then close.
    dict(name="garbage", octet=30, kind="garbage"),
    # A TLS record header announcing 255 bytes, then one byte a second.
    dict(name="drip", octet=31, kind="drip"),
    # leaf + ~1 MiB of extra certificates in the Certificate message.
    dict(name="bigchain", octet=32, kind="tls", cert="bigchain"),
    # Handshake fine, then never answers HEAD / (holds the connection).
    dict(name="stall", octet=33, kind="tls", cert="valid", banner="stall"),
    # A 3000-byte status line and Server: value (portus keeps 512 bytes of each).
    dict(name="bigbanner", octet=34, kind="tls", cert="valid", banner="big"),
    # Control bytes, NUL, quotes and invalid UTF-8 in the status line and Server:.
    dict(name="badbanner", octet=35, kind="tls", cert="valid", banner="hostile"),
    # Handshake fine, then a TCP reset instead of an answer.
    dict(name="rstbanner", octet=36, kind="tls", cert="valid", banner="rst"),
]
BIGCHAIN_EXTRA = 16          # extra certificates sent by "bigchain"
BIGCHAIN_SANS = 2600         # SAN entries in each (about 64 KiB per certificate)
BANNER_CAP = 512             # TLS_MAX_BANNER_LINE (include/tls_record.h)
BIG_STATUS = b"HTTP/1.1 200 " + b"O" * 2987
BIG_SERVER = b"lab-bigbanner-" + b"x" * 2986
HOSTILE_STATUS = b'HTTP/1.1 200 \x01\x1b[2J"q"\\ \xff\xfe \xc3\x28 OK\x7f'
HOSTILE_SERVER = b'lab-badbanner \x00nul \x1b]0;title\x07 "quoted" \xe2\x82 caf\xc3\xa9'

# Alert names as OpenSSL's SSL_alert_desc_string_long prints them are given too,
# for a checker that accepts either spelling.
ALERTS = {40: ("handshake_failure", "handshake failure"), 70: ("protocol_version", "protocol version")}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def name(*pairs):
    """pairs: (oid, value) or (oid, value, asn1type)."""
    attrs = []
    for p in pairs:
        if len(p) == 3:
            attrs.append(x509.NameAttribute(p[0], p[1], p[2]))
        else:
            attrs.append(x509.NameAttribute(p[0], p[1]))
    return x509.Name(attrs)


def lab_name(cn, ou="Portus Lab"):
    return name((NameOID.COUNTRY_NAME, "ZZ"), (NameOID.ORGANIZATION_NAME, "Portus Test Lab"),
                (NameOID.ORGANIZATIONAL_UNIT_NAME, ou), (NameOID.COMMON_NAME, cn))


class Issued:
    """A certificate (as built, and its final DER, which differs when patched)
    and its private key."""

    def __init__(self, cert, key, der=None):
        self.cert = cert
        self.key = key
        self.der = der if der is not None else cert.public_bytes(serialization.Encoding.DER)
        self.patched = der is not None


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_read_tlv(buf, off):
    """Returns (tag, header_len, content_len) at off."""
    tag = buf[off]
    first = buf[off + 1]
    if first < 0x80:
        return tag, 2, first
    n = first & 0x7F
    return tag, 2 + n, int.from_bytes(buf[off + 2:off + 2 + n], "big")


def sign_bytes(key, data, hash_alg):
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hash_alg)
    return key.sign(data, ec.ECDSA(hash_alg))


def patch_and_resign(cert, issuer_key, replacements):
    """Replaces byte strings (same length) in the TBSCertificate and signs it
    again. Returns the new DER."""
    tbs = cert.tbs_certificate_bytes
    for old, new in replacements:
        assert len(old) == len(new), (old, new)
        assert tbs.count(old) >= 1, old  # twice when self-signed (subject = issuer)
        tbs = tbs.replace(old, new)
    der = cert.public_bytes(serialization.Encoding.DER)
    _, hl, _ = der_read_tlv(der, 0)
    _, thl, tcl = der_read_tlv(der, hl)
    off = hl + thl + tcl
    _, ahl, acl = der_read_tlv(der, off)
    algid = der[off:off + ahl + acl]
    sig = sign_bytes(issuer_key, tbs, cert.signature_hash_algorithm)
    bits = b"\x03" + der_len(len(sig) + 1) + b"\x00" + sig
    body = tbs + algid + bits
    return b"\x30" + der_len(len(body)) + body


def make_cert(subject, key, issuer=None, *, serial, not_before, not_after, ca=False, pathlen=None,
              san_dns=(), san_ip=(), replacements=None):
    """issuer: an Issued (CA) or None for self-signed. Returns an Issued."""
    pub = key.public_key()
    issuer_name = subject if issuer is None else issuer.cert.subject
    issuer_key = key if issuer is None else issuer.key
    b = (x509.CertificateBuilder()
         .subject_name(subject).issuer_name(issuer_name).public_key(pub)
         .serial_number(serial).not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False))
    if issuer is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                            critical=False)
    else:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(pub), critical=False)
    if ca:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=pathlen), critical=True)
        b = b.add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                                          encipher_only=False, decipher_only=False), critical=True)
    else:
        b = b.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                                          data_encipherment=False, key_agreement=False,
                                          key_cert_sign=False, crl_sign=False,
                                          encipher_only=False, decipher_only=False), critical=True)
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    sans = [x509.DNSName(d) for d in san_dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in san_ip]
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = b.sign(issuer_key, hashes.SHA256())
    if not replacements:
        return Issued(cert, key)
    der = patch_and_resign(cert, issuer_key, replacements)
    return Issued(cert, key, der)


# ------------------------------------------------------------------- truth


def openssl_field(pem_path, what, nameopt="RFC2253"):
    """what: 'subject' / 'issuer' / 'serial' as the openssl CLI prints them.
    Names with -nameopt NAMEOPT: "RFC2253" (every byte above 0x7F as \\XX,
    ASCII only) or "RFC2253,-esc_msb" (non-ASCII left as UTF-8)."""
    args = ["openssl", "x509", "-in", pem_path, "-noout", "-" + what]
    if what in ("subject", "issuer"):
        args += ["-nameopt", nameopt]
    out = subprocess.run(args, check=True, capture_output=True).stdout
    line = out.rstrip(b"\n")
    prefix = what.encode() + b"="
    if not line.startswith(prefix) or b"\n" in line:
        sys.exit(f"tls_certs: unexpected openssl output for {what} of {pem_path}: {out!r}")
    return line[len(prefix):].decode("utf-8")  # OpenSSL converts every string type to UTF-8 here


def raw_names(values):
    """Byte strings -> (text list, hex list, any_invalid). Text is what a JSON
    writer that replaces invalid UTF-8 with U+FFFD shows."""
    text, hx, bad = [], [], False
    for v in values:
        try:
            text.append(v.decode("utf-8"))
        except UnicodeDecodeError:
            text.append(v.decode("utf-8", errors="replace"))
            bad = True
        hx.append(v.hex().upper())
    return text, hx, bad


# ASN.1 string tags of a name attribute, and how portus (src/tls/cert.c) turns
# one into bytes: BMPString, UniversalString and T61String converted to UTF-8
# (T61String read as Latin-1, as OpenSSL's ASN1_STRING_to_UTF8 does), every
# other type as its raw bytes.
ASN1_T61, ASN1_BMP, ASN1_UNIVERSAL = 0x14, 0x1E, 0x1C


def attr_bytes(tag, raw):
    if tag == ASN1_T61:
        return raw.decode("latin-1").encode("utf-8")
    if tag == ASN1_BMP:
        return raw.decode("utf-16-be").encode("utf-8")
    if tag == ASN1_UNIVERSAL:
        return raw.decode("utf-32-be").encode("utf-8")
    return raw


def der_name_values(der_name, oid_der):
    """(tag, raw value bytes) of every attribute with the given OID in a DER
    Name, in certificate order (parsed here: cryptography refuses to decode
    some of the hostile ones)."""
    out = []
    _, hl, cl = der_read_tlv(der_name, 0)
    off, end = hl, hl + cl
    while off < end:  # SET
        _, shl, scl = der_read_tlv(der_name, off)
        soff, send = off + shl, off + shl + scl
        while soff < send:  # SEQUENCE {oid, value}
            _, ahl, acl = der_read_tlv(der_name, soff)
            a = der_name[soff + ahl:soff + ahl + acl]
            _, ohl, ocl = der_read_tlv(a, 0)
            oid = a[:ohl + ocl]
            vtag, vhl, vcl = der_read_tlv(a, ohl + ocl)
            if oid == oid_der:
                out.append((vtag, a[ohl + ocl + vhl:ohl + ocl + vhl + vcl]))
            soff += ahl + acl
        off += shl + scl
    return out


def der_san_dns(der_cert):
    """Raw bytes of every dNSName in the SAN extension, parsed from DER."""
    san_oid = bytes.fromhex("0603551d11")
    i = der_cert.find(san_oid)
    if i < 0:
        return []
    off = i + len(san_oid)
    if der_cert[off] == 0x01:  # critical BOOLEAN
        _, h, c = der_read_tlv(der_cert, off)
        off += h + c
    _, h, c = der_read_tlv(der_cert, off)  # OCTET STRING
    inner = der_cert[off + h:off + h + c]
    _, h, c = der_read_tlv(inner, 0)  # GeneralNames SEQUENCE
    p, end, out = h, h + c, []
    while p < end:
        tag, gh, gc = der_read_tlv(inner, p)
        if tag == 0x82:
            out.append(inner[p + gh:p + gh + gc])
        p += gh + gc
    return out


def subject_der(der_cert):
    """DER of the subject Name of a certificate (6th field of the TBS, after
    [0] version, serial, signature, issuer, validity)."""
    _, hl, _ = der_read_tlv(der_cert, 0)
    off = hl
    _, thl, _ = der_read_tlv(der_cert, off)
    p = off + thl
    for _ in range(5):
        _, h, c = der_read_tlv(der_cert, p)
        p += h + c
    _, h, c = der_read_tlv(der_cert, p)
    return der_cert[p:p + h + c]


CN_OID_DER = bytes.fromhex("0603550403")


def cert_truth(outdir, fname, issued, now):
    """Everything portus must report about one certificate."""
    der = issued.der
    path = os.path.join(outdir, fname)
    c = x509.load_der_x509_certificate(der)
    nb = c.not_valid_before
    na = c.not_valid_after
    key = c.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_alg, bits, curve = "RSA", key.key_size, None
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_alg, bits = "EC", key.curve.key_size
        curve = {"secp256r1": "prime256v1", "secp384r1": "secp384r1"}[key.curve.name]
    else:
        raise SystemExit("tls_certs: unexpected key type")
    cn_attrs = der_name_values(subject_der(der), CN_OID_DER)
    cn_text, cn_hex, cn_bad = raw_names([attr_bytes(t, v) for t, v in cn_attrs])
    dns_raw = der_san_dns(der)
    dns_text, dns_hex, dns_bad = raw_names(dns_raw)
    try:
        san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        ips = [str(i) for i in san.get_values_for_type(x509.IPAddress)]
    except (x509.ExtensionNotFound, ValueError):
        ips = []
    subject = openssl_field(path, "subject", "RFC2253,-esc_msb")
    issuer = openssl_field(path, "issuer", "RFC2253,-esc_msb")
    sig_oid = c.signature_algorithm_oid.dotted_string
    sig_alg = {"1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
               "1.2.840.10045.4.3.2": "ecdsa-with-SHA256"}[sig_oid]
    self_signed = subject == issuer
    if self_signed:  # and the signature verifies with its own key
        try:
            if isinstance(key, rsa.RSAPublicKey):
                key.verify(c.signature, c.tbs_certificate_bytes, padding.PKCS1v15(), c.signature_hash_algorithm)
            else:
                key.verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
        except Exception:  # noqa: BLE001 - any failure means "not self-signed"
            self_signed = False
    t = {
        "file": fname,
        "subject": subject,
        "issuer": issuer,
        "subject_esc_msb": openssl_field(path, "subject"),
        "issuer_esc_msb": openssl_field(path, "issuer"),
        "subject_cn": cn_text,
        "subject_cn_hex": cn_hex,
        "subject_cn_types": [{0x0C: "UTF8String", 0x13: "PrintableString", 0x16: "IA5String",
                              ASN1_T61: "T61String", ASN1_BMP: "BMPString"}.get(t, hex(t))
                             for t, _ in cn_attrs],
        "san_dns": dns_text,
        "san_dns_hex": dns_hex,
        "invalid_utf8_fields": (["subject_cn"] if cn_bad else []) + (["san_dns"] if dns_bad else []),
        "san_ip": ips,
        "serial": openssl_field(path, "serial"),
        "serial_int": str(c.serial_number),
        "not_before": rfc3339(nb),
        "not_after": rfc3339(na),
        "days_to_expiry_at_generation": math.floor((na - now).total_seconds() / 86400),
        "expired": na < now,
        "not_yet_valid": nb > now,
        "self_signed": self_signed,
        "signature_algorithm": sig_alg,
        "key_algorithm": key_alg,
        "key_bits": bits,
        "key_curve": curve,
        "sha256": hashlib.sha256(der).hexdigest().upper(),
        "sha1": hashlib.sha1(der).hexdigest().upper(),
    }
    return t


def write(outdir, fname, data, mode=0o644):
    path = os.path.join(outdir, fname)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--scanner", default="198.18.0.1")
    ap.add_argument("--hostile", action="store_true",
                    help="also the hostile servers on port 8443 (hostile_endpoints; ~10 s more)")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    out = a.outdir
    now = utcnow()
    day = datetime.timedelta(days=1)
    # Leaves: valid from an hour ago, for 90 days and 12 hours (so days_to_expiry
    # is 90 for the next 12 hours whatever the second the scan reads it).
    nb_ok = now - datetime.timedelta(hours=1)
    na_ok = now + 90 * day + datetime.timedelta(hours=12)

    ca = make_cert(lab_name("Portus Lab Root CA"), rsa_key(), None, serial=1,
                   not_before=now - 30 * day, not_after=now + 3650 * day, ca=True)
    inter = make_cert(lab_name("Portus Lab Intermediate CA"), rsa_key(), ca, serial=2,
                      not_before=now - 30 * day, not_after=now + 1825 * day, ca=True, pathlen=0)
    longs = []
    parent = ca
    for i in range(1, 7):
        parent = make_cert(lab_name(f"Portus Lab Long Chain CA {i}"), rsa_key(), parent, serial=0x100 + i,
                           not_before=now - 30 * day, not_after=now + 1825 * day, ca=True)
        longs.append(parent)

    ip = {e["name"]: SEG + str(e["octet"]) for e in ENDPOINTS}
    leaves = {}  # name -> (Issued, [intermediates sent])

    def leaf(nm, cn, issuer, sends, *, key=None, serial=None, nb=nb_ok, na=na_ok, dns=None, ips=None,
             subject=None, replacements=None):
        k = key if key is not None else rsa_key()
        subj = subject if subject is not None else lab_name(cn, "Portus Lab Servers")
        c = make_cert(subj, k, issuer, serial=serial if serial is not None else x509.random_serial_number(),
                      not_before=nb, not_after=na, san_dns=dns if dns is not None else [cn],
                      san_ip=ips if ips is not None else [ip[nm]], replacements=replacements)
        leaves[nm] = (c, sends)

    leaf("valid", "www.lab.test", inter, [inter], dns=["www.lab.test"])
    leaf("selfsigned", "selfsigned.lab.test", None, [], key=rsa_key(3072))
    leaf("expired", "expired.lab.test", inter, [inter], nb=now - 400 * day,
         na=now - 30 * day - datetime.timedelta(hours=12))
    leaf("notyet", "notyet.lab.test", inter, [inter], nb=now + 30 * day, na=now + 400 * day)
    leaf("wildcard", "*.lab.test", inter, [inter], dns=["*.lab.test"],
         ips=[ip["wildcard"], "2001:db8::34"])
    leaf("mismatch", "other.test", inter, [inter], dns=["other.test"], ips=[])
    # Serial 0x80...01: the DER INTEGER needs a leading 00 that must not show.
    leaf("rsa2048", "rsa.lab.test", inter, [inter], serial=0x8000000000000001)
    # Serial 0xABC: an odd number of hex digits (OpenSSL prints 0ABC).
    leaf("ecdsa", "ecdsa.lab.test", inter, [inter], key=ec.generate_private_key(ec.SECP256R1()), serial=0xABC)
    leaf("longchain", "long.lab.test", longs[-1], list(reversed(longs)),
         key=ec.generate_private_key(ec.SECP384R1()))
    # NUL and UTF-8 in the CN (UTF8String "caf\u00e9\0evil") and the classic
    # NUL-prefix SAN: "www.lab.test\0.evil.test" must not match www.lab.test.
    nul_cn = "caf\u00e9\u0000evil"
    leaf("nulcn", nul_cn, None, [], key=ec.generate_private_key(ec.SECP256R1()),
         subject=name((NameOID.ORGANIZATION_NAME, "Portus Test Lab"), (NameOID.COMMON_NAME, nul_cn)),
         dns=["www.lab.test\u0000.evil.test"], ips=[])
    # Quotes, backslash, RFC 4514 specials and control characters (tab, ^A, ESC,
    # newline, DEL) in the CN; a second CN as T61String with bytes that are not
    # UTF-8; SAN dNSNames with a quote and with non-UTF-8 bytes.
    hostile_cn = 'He said "hi"\t\x01\x1b[31mred\x1b[0m\n\\,+;<>#=\x7f end'
    leaf("hostile", hostile_cn, None, [],
         subject=name((NameOID.ORGANIZATION_NAME, 'Lab "Quoted", Inc.'), (NameOID.COMMON_NAME, hostile_cn),
                      (NameOID.COMMON_NAME, "t61-@@@@-end", _ASN1Type.T61String)),
         dns=['quo"te.lab.test', "bad-%%%%.lab.test", "hostile.lab.test"], ips=[],
         replacements=[(b"t61-@@@@-end", b"t61-\xc3\x28\xff\xfe-end"),
                       (b"bad-%%%%.lab.test", b"bad-\xff\xfe\xc3\x28.lab.test")])
    leaf("tls10", "tls10.lab.test", inter, [inter])
    leaf("tls13", "tls13.lab.test", inter, [inter])
    leaf("alert", "alert.lab.test", inter, [inter])
    leaf("refused", "refused.lab.test", inter, [inter])
    leaf("bigsan", "bigsan.lab.test", inter, [inter],
         dns=["bigsan.lab.test"] + [f"n{i:03d}.bigsan.lab.test" for i in range(1, BIGSAN_COUNT)])

    # bigchain: its own leaf, sent with BIGCHAIN_EXTRA unrelated self-signed
    # certificates of ~64 KiB each (one EC key signs them all: fast).
    junk_key = ec.generate_private_key(ec.SECP256R1())
    junk = []
    for j in range(BIGCHAIN_EXTRA if a.hostile else 0):
        junk.append(make_cert(lab_name(f"Portus Lab Junk {j}"), junk_key, None, serial=0x1000 + j,
                              not_before=nb_ok, not_after=na_ok,
                              san_dns=[f"j{j:02d}-{i:04d}.junk.lab.test" for i in range(BIGCHAIN_SANS)]))
    bc = make_cert(lab_name("bigchain.lab.test", "Portus Lab Servers"), rsa_key(), inter,
                   serial=x509.random_serial_number(), not_before=nb_ok, not_after=na_ok,
                   san_dns=["bigchain.lab.test"], san_ip=[SEG + "32"])
    leaves["bigchain"] = (bc, junk)

    # ---- files
    def pem_of(issued):
        return x509.load_der_x509_certificate(issued.der).public_bytes(serialization.Encoding.PEM) \
            if issued.patched else issued.cert.public_bytes(serialization.Encoding.PEM)

    write(out, "ca.pem", pem_of(ca))
    write(out, "ca.key", key_pem(ca.key), 0o600)
    write(out, "inter.pem", pem_of(inter))
    write(out, "inter.key", key_pem(inter.key), 0o600)
    for i, c in enumerate(longs, 1):
        write(out, f"long-i{i}.pem", pem_of(c))
    certs = {"ca": cert_truth(out, "ca.pem", ca, now), "inter": cert_truth(out, "inter.pem", inter, now)}
    for i, c in enumerate(longs, 1):
        certs[f"long-i{i}"] = cert_truth(out, f"long-i{i}.pem", c, now)
    for nm, (c, sends) in leaves.items():
        write(out, f"{nm}.pem", pem_of(c))
        write(out, f"{nm}.key", key_pem(c.key), 0o600)
        write(out, f"{nm}.chain.pem", pem_of(c) + b"".join(pem_of(s) for s in sends))
        if nm != "bigchain":
            certs[nm] = cert_truth(out, f"{nm}.pem", c, now)
    def sent_name(s):
        if s is inter:
            return "inter"
        if s in longs:
            return f"long-i{longs.index(s) + 1}"
        return None  # junk of bigchain: not in the truth's certs

    chain_names = {nm: [nm] + [sent_name(s) for s in sends] for nm, (_, sends) in leaves.items()}

    # ---- endpoints
    chain_ok = {"valid", "expired", "notyet", "wildcard", "mismatch", "rsa2048", "ecdsa", "longchain",
                "tls10", "tls13", "alert", "refused", "bigsan"}
    verify_errors = {  # leaf problems, as X509_verify_cert_error_string prints them (OpenSSL 3)
        "selfsigned": (18, "self-signed certificate"),
        "nulcn": (18, "self-signed certificate"),
        "hostile": (18, "self-signed certificate"),
        "expired": (10, "certificate has expired"),
        "notyet": (9, "certificate is not yet valid"),
    }
    endpoints = []
    for e in ENDPOINTS:
        nm = e["name"]
        ep = {
            "name": nm,
            "ip": ip[nm],
            "port": PORT,
            "kind": e["kind"],
            "port_state": "closed" if e["kind"] == "closed" else "open",
            "sni": e["sni"],
        }
        server = {"kind": e["kind"], "http_server": f"lab-{nm}"}
        if e["kind"] == "tls":
            server.update({
                "cert_chain": f"{nm}.chain.pem",
                "key": f"{nm}.key",
                "min_version": e.get("min_version", "TLSv1.2"),
                "max_version": e.get("max_version", "TLSv1.3"),
                "ciphers": e.get("ciphers"),
            })
        if e.get("refuse_connect"):
            server["refuse_connect_sports_outside"] = list(REFUSED_SCAN_SPORTS)
        ep["server"] = server
        if e["kind"] == "tls":
            vmin, vmax = server["min_version"], server["max_version"]
            order = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
            acc = order[order.index(vmin):order.index(vmax) + 1]
            if nm == "alert" or e.get("refuse_connect"):
                acc = []  # no shared cipher in any version / no connection at all
            ep["versions_accepted"] = acc
            ep["versions_rejected"] = [v for v in order if v not in acc]
            ep["cert"] = certs[nm]
            ep["chain"] = [{"name": cn_, "subject": certs[cn_]["subject"], "issuer": certs[cn_]["issuer"],
                            "sha256": certs[cn_]["sha256"]} for cn_ in chain_names[nm]]
            ep["chain_length"] = len(chain_names[nm])
            ep["chain_ok"] = nm in chain_ok
            ep["verify_code"], ep["verify_error"] = verify_errors.get(nm, (0, None))
            ep["http_status"] = "HTTP/1.1 200 OK"
            ep["http_server"] = f"lab-{nm}"
        # What the default client (OpenSSL 3 defaults: TLS 1.2-1.3 at security
        # level 1+) meets in the main handshake.
        if e["kind"] == "closed":
            ep["outcome"] = None  # closed port: no TLS record at all
        elif e["kind"] == "http":
            ep["outcome"] = "not-tls"
        elif e["kind"] == "silent":
            ep["outcome"] = "timeout"
        elif e["kind"] == "reset":
            ep["outcome"] = "reset"
        elif e.get("refuse_connect"):
            ep["outcome"] = "refused"
        elif nm == "alert":
            ep["outcome"], ep["alert"], ep["alert_code"] = "alert", ALERTS[40][0], 40
            ep["alert_names"] = list(ALERTS[40])
        elif nm == "tls10":
            # A client offering TLS 1.2-1.3 only: the server answers with a
            # protocol_version alert. Other clients meet other outcomes, listed in
            # outcome_alternatives: OpenSSL 3's defaults offer 1.0-1.3 but, at
            # security level 1, reject the server's TLS 1.1 (MD5-SHA1) signature
            # themselves ("error", "legacy sigalg disallowed or unsupported"); a
            # client at security level 0 completes the handshake in TLS 1.1 ("ok").
            ep["outcome"], ep["alert"], ep["alert_code"] = "alert", ALERTS[70][0], 70
            ep["alert_names"] = list(ALERTS[70])
            ep["outcome_alternatives"] = ["error", "ok"]
        else:
            ep["outcome"] = "ok"
        if e["kind"] == "tls":
            # hostname_match per SNI name (null: no SNI, no check)
            hm = {}
            for s in e["sni"] or [None]:
                if s is None:
                    hm["null"] = None
                else:
                    hm[s] = host_matches(certs[nm], s)
            ep["hostname_match"] = hm
        if nm == "bigsan":
            ep["san_dns_total"] = BIGSAN_COUNT
        endpoints.append(ep)

    hostile = []
    for e in HOSTILE if a.hostile else []:
        nm = e["name"]
        ep = {"name": nm, "ip": SEG + str(e["octet"]), "port": HOSTILE_PORT, "kind": e["kind"],
              "port_state": "open", "sni": []}
        server = {"kind": e["kind"], "http_server": f"lab-{nm}"}
        if e["kind"] == "tls":
            cn_ = e["cert"]
            server.update({"cert_chain": f"{cn_}.chain.pem", "key": f"{cn_}.key", "min_version": "TLSv1.2",
                           "max_version": "TLSv1.3", "ciphers": None, "banner": e.get("banner", "ok")})
            ep["versions_accepted"] = ["TLSv1.2", "TLSv1.3"]
            ep["versions_rejected"] = ["TLSv1", "TLSv1.1"]
        ep["server"] = server
        if e["kind"] == "garbage":
            ep["outcome"] = "not-tls"
        elif e["kind"] == "drip":
            ep["outcome"] = "timeout"
        elif nm == "bigchain":
            ep["outcome"] = "error"  # a Certificate message over the client's cap
            ep["versions_uncertain"] = True  # the probes may stop at the chain too
        else:
            ep["outcome"] = "ok"
            cn_ = e["cert"]
            ep["cert"] = certs[cn_]
            ep["chain"] = [{"name": c_, "subject": certs[c_]["subject"], "issuer": certs[c_]["issuer"],
                            "sha256": certs[c_]["sha256"]} for c_ in chain_names[cn_]]
            ep["chain_length"] = len(chain_names[cn_])
            ep["chain_ok"] = True
            ep["verify_code"], ep["verify_error"] = 0, None
            ep["hostname_match"] = {"null": None}
            banner = e.get("banner", "ok")
            ep["expect_truncated_fields"] = []
            ep["expect_invalid_utf8_fields"] = []
            if banner in ("stall", "rst"):
                ep["http_status"], ep["http_server"] = None, None
            elif banner == "big":
                ep["http_status"] = BIG_STATUS[:BANNER_CAP].decode()
                ep["http_server"] = BIG_SERVER[:BANNER_CAP].decode()
                ep["expect_truncated_fields"] = ["banner"]
            elif banner == "hostile":
                ep["http_status"] = HOSTILE_STATUS.decode("utf-8", "replace")
                ep["http_server"] = HOSTILE_SERVER.decode("utf-8", "replace")
                ep["expect_invalid_utf8_fields"] = ["http_server", "http_status"]
        hostile.append(ep)

    sni_lines = ["# SNI names for the portus TLS lab (tests/lab/tls_certs.py)"]
    for ep in endpoints:
        for s in ep["sni"]:
            sni_lines.append(f"{ep['ip']} {s}")
    write(out, "sni.txt", ("\n".join(sni_lines) + "\n").encode())

    truth = {
        "version": 1,
        "generated": rfc3339(now),
        "scanner": a.scanner,
        "port": PORT,
        "ca_file": "ca.pem",
        "sni_file": "sni.txt",
        "range": f"{SEG}{ENDPOINTS[0]['octet']}-{SEG}{ENDPOINTS[-1]['octet']}",
        "refused_scan_sports": f"{REFUSED_SCAN_SPORTS[0]}-{REFUSED_SCAN_SPORTS[1]}",
        "comment": "outcome: what a TLS 1.2-1.3 client meets in the main handshake (null: "
                   "port closed, no TLS record). chain_ok: the chain verifies against ca.pem alone, "
                   "hostname aside. hostname_match: per SNI name, key 'null' = no SNI. Raw names: "
                   "subject_cn / san_dns as text (null when not UTF-8) and *_hex as raw bytes. "
                   "DNs as `openssl x509 -nameopt RFC2253` prints them.",
        "endpoints": endpoints,
        "hostile_endpoints": hostile,
        "hostile_banners": {"big_status": BIG_STATUS.hex(), "big_server": BIG_SERVER.hex(),
                            "hostile_status": HOSTILE_STATUS.hex(), "hostile_server": HOSTILE_SERVER.hex()},
        "certs": certs,
    }
    write(out, "truth.json", (json.dumps(truth, indent=1, ensure_ascii=True) + "\n").encode())
    return 0


def host_matches(cert, host):
    """RFC 6125 as OpenSSL's X509_check_host does it with default flags: SAN
    dNSNames only when there are any (CN otherwise), case-insensitive, a
    wildcard only as the whole leftmost label and matching exactly one label,
    no match for a name with an embedded NUL."""
    names = []
    for t, hx in zip(cert["san_dns"], cert["san_dns_hex"]):
        names.append(bytes.fromhex(hx))
    if not names:
        names = [bytes.fromhex(h) for h in cert["subject_cn_hex"]]
    h = host.lower().encode()
    for n in names:
        if b"\x00" in n:
            continue
        n = n.lower()
        if n == h:
            return True
        if n.startswith(b"*.") and b"." in h:
            if h.split(b".", 1)[1] == n[2:] and n[2:].count(b".") >= 1:
                return True
    return False


if __name__ == "__main__":
    sys.exit(main())
