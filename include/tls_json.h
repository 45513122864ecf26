/*
 * tls_json.h — one TLS endpoint as one NDJSON object, next to the port
 * records of the ndjson writer (same "type" / "ip" / "port" / "time" keys).
 *
 * Layout (keys always present, in this order, unless marked "only when"):
 *
 *   {"type":"tls","ip":"198.18.0.10","port":443,
 *    "sni":"www.example.test"|null,
 *    "outcome":"ok"|"refused"|"timeout"|"reset"|"not-tls"|"alert"|"error",
 *    "alert":"handshake_failure"|null,"detail":"..."|null,
 *    "tls_version":"TLSv1.3"|null,"cipher":"TLS_AES_256_GCM_SHA384"|null,
 *    "alpn":"h2"|null,"group":"X25519"|null,
 *    "ja3s":"<32 lowercase hex>"|null,                  (main handshake's ServerHello;
 *    "ja4s":"t130200_1301_a56c5b993250"|null,            null when there was none)
 *    "verify_ok":true|false|null,       (null when there was no handshake and no leaf)
 *    "verify_error":"..."|null,
 *    "hostname_match":true|false|null,  (null when no name was checked)
 *    "cert":{"subject":"CN=a,O=b"|null,"issuer":...,     (RFC 4514)
 *            "subject_cn":[...],"san_dns":[...],"san_ip":[...],
 *            "serial":"0A1B..."|null,                    (uppercase hex, no colons)
 *            "not_before":"2026-01-01T00:00:00.000000Z","not_after":...,
 *            "days_to_expiry":89,"expired":false,"not_yet_valid":false,
 *            "self_signed":false,"signature_algorithm":"sha256WithRSAEncryption",
 *            "key_algorithm":"RSA","key_bits":2048|null,"key_curve":"prime256v1"|null,
 *            "sha256":"AB...","sha1":"..."}              (uppercase hex of the DER)
 *           |null,                                       (null without a leaf)
 *    "chain":[{"subject":...,"issuer":...,"sha256":...}],  (leaf first; [] without one)
 *    "chain_length":2,                  (certificates the server sent, even if fewer listed)
 *    "http_status":"HTTP/1.1 200 OK"|null,"http_server":"nginx"|null,
 *    -- certificate and handshake checks (tls_checks.h; null without a handshake) --
 *    "ocsp_stapled":true|false|null,
 *    "ocsp":{"valid":true,"status":"good"|"revoked"|"unknown"|null,
 *            "signature_ok":true,"time_ok":true,
 *            "this_update":"2026-...Z"|null,"next_update":"2026-...Z"|null,
 *            "error":"signature not verified"|null}|null,   (null: nothing stapled)
 *    "must_staple":true|false|null,                 (the leaf's TLS feature extension)
 *    "sct_count":3|null,                            (sum of the three sources below)
 *    "scts":{"embedded":2,"tls_extension":1,"ocsp":0}|null,
 *    "tmp_key":{"type":"X25519"|"EC"|"DH"|...,"bits":253|null}|null,  (null: none,
 *                                                   e.g. RSA key exchange)
 *    "hsts":{"valid":true,"max_age":31536000|null,"include_subdomains":true,
 *            "preload":false,"error":"max-age missing"|null}|null, (null: no header
 *                                                   or no banner; tls_hsts.h)
 *    "findings":["weak-key","sha1-in-chain",...],   (tls_checks.h tokens, in its
 *                                                   order; [] without a handshake)
 *    "versions_accepted":["TLSv1.2","TLSv1.3"],       only when versions were tested
 *    "versions_rejected":["TLSv1","TLSv1.1"],         only when versions were tested
 *    "ciphers":{"TLSv1":[...],"TLSv1.1":[],"TLSv1.2":["TLS_ECDHE_RSA_WITH_..."],
 *               "TLSv1.3":[...]},                       only with --tls-ciphers (and a
 *                                                       TLS answer to the main handshake):
 *                                                       IANA names (0x1234 outside portus's
 *                                                       table), per version, in the server's
 *                                                       order when cipher_order is "server",
 *                                                       else in portus's offer order
 *    "cipher_order":"server"|"client"|null,           only with --tls-ciphers (null: no
 *                                                       version accepted two suites)
 *    "groups":["x25519","secp256r1",...]|null,        only with --tls-ciphers: TLS 1.3
 *                                                       groups (HelloRetryRequest) when the
 *                                                       main handshake was TLS 1.3, else the
 *                                                       ECDHE curves; null when not probed
 *    "ciphers_complete":true|false,                   only with --tls-ciphers: false when a
 *                                                       limit (600 handshakes, 10 timeouts
 *                                                       of time) cut it short, a probe got
 *                                                       no answer in time, a server chose a
 *                                                       suite never offered, or the main
 *                                                       handshake's suite is not among those
 *                                                       found at its version
 *    "cipher_handshakes":31,                          only with --tls-ciphers
 *    "pem":"-----BEGIN CERTIFICATE-----\n...",        only when the leaf PEM is held
 *    "truncated":false,"truncated_fields":[],
 *    "invalid_utf8_fields":[],
 *    "time":"2026-11-23T10:00:00.123456Z"}            (r->end_us)
 *
 * Every string goes through json_append_string, so the line is valid UTF-8 and
 * valid JSON whatever bytes a certificate or server sent; empty strings are
 * written as null (entries inside lists stay strings). invalid_utf8_fields
 * names each field in which bytes were replaced by U+FFFD. Field names in
 * truncated_fields and invalid_utf8_fields are the keys above ("subject",
 * "san_dns", "sni", ...; "chain" for any chain entry, "banner" when the HTTP
 * status line or Server: value was cut by the TLS stage).
 *
 * Size cap: a record is at most TLS_JSON_MAX_RECORD bytes (newline excluded),
 * under Splunk's default TRUNCATE of 10,000. A larger record is rebuilt
 * dropping, in order: the PEM; chain entries after the first; subject_cn /
 * san_dns / san_ip entries beyond 10; then (only for hostile records) each
 * string to 256 bytes, then to 64 bytes and lists to one entry, then to 32
 * bytes. Cipher lists ("ciphers", "groups") are listed whole until the
 * levels after that: then 40 entries per version, then 16, 4 and 2 (named
 * "ciphers" in truncated_fields). Each rebuild sets "truncated":true and
 * names what it cut. The levels are shared with the ECS record (ecs_tls.c)
 * and rendered by the emitter (jsonw.h, jw_levels); should even the last
 * level not fit, it is rendered once more under the emitter's byte budget,
 * which drops whole list entries (names, chain entries, suites, groups) and
 * the PEM, marking them cut, so the record still closes within the cap.
 */
#ifndef PORTUS_TLS_JSON_H
#define PORTUS_TLS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "strbuf.h"
#include "tls_record.h"

#define TLS_JSON_MAX_RECORD 9000 /* bytes of one record, newline excluded */

/* Appends one JSON object (no trailing newline) describing r to b. On
 * allocation failure b->oom is set, as for every strbuf append. */
void tls_json_format(struct strbuf *b, const struct tls_result *r);

/* ---- shared by the native record and the ECS one (ecs_tls.c) ---- */

/* One rendering level of a TLS record (jw_levels); each tighter than the one
 * before. The table is the "Size cap" order above. */
struct tls_json_level {
	int drop_pem;
	size_t chain_cap;  /* chain entries listed */
	size_t list_cap;   /* entries of each certificate name list */
	size_t str_cap;    /* bytes of any one string (jsonw str_cap) */
	size_t cipher_cap; /* --tls-ciphers: suites listed per version, groups listed */
};

extern const struct tls_json_level tls_json_levels[];
extern const size_t tls_json_nlevels;

/* "key":[...] — the TLS_V* bits as version names in version order
 * (["TLSv1","TLSv1.2"]). */
void tls_json_versions(struct jsonw *w, const char *key, unsigned bits);

/* "chain":[{"subject":..,"issuer":..,"sha256":..},...],"chain_length":N — at
 * most cap entries (field marked cut beyond), the DNs as jw_text (null or
 * left out when empty, per w->empty), each entry dropped whole over budget. */
void tls_json_chain(struct jsonw *w, const struct tls_chain_info *ci, size_t cap, int field);

/* The --tls-ciphers keys ("ciphers":{...},"cipher_order":...,"groups":...,
 * "ciphers_complete":...,"cipher_handshakes":N) into the open object, listing
 * at most cap suites per version and cap groups (field marked cut when a list
 * was cut). ecs_keys names the versions tls1_0 .. tls1_3 (Elasticsearch
 * reads a dot in a key as an object path: "TLSv1.1" would clash with "TLSv1"). */
void tls_json_ciphers(struct jsonw *w, const struct tls_ciphers *c, size_t cap, int ecs_keys,
		      int field);

/* The checks' keys (tls_checks.h, layout above: "ocsp_stapled" ...
 * "findings") into the open object. An absent value is null, or left out when
 * w->empty is JW_EMPTY_OMIT (ECS; there an empty "findings" is left out
 * too). Bounded: numbers, flags and static
 * strings only, at most about 600 bytes. */
void tls_json_checks(struct jsonw *w, const struct tls_result *r);

#endif
