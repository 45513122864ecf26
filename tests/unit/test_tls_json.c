/*
 * test_tls_json.c — the TLS NDJSON record (src/output/tls_json.c): exact bytes
 * for records built by hand, hostile certificate strings, the size cap, and a
 * strict JSON validator run over every record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "strbuf.h"
#include "tls_json.h"
#include "tls_record.h"

#include "json_validator.h"
#include "tls_checks_fill.h"

static void test_validator_rejects_bad_json(void **state)
{
	static const char *const bad[] = {
		"{",
		"{\"a\":1,}",
		"{\"a\":1,\"a\":2}",
		"{\"a\":\"\x01\"}",
		"{\"a\":\"\xff\"}",
		"{\"a\":01}",
		"{\"a\":\"\\x\"}",
		"{\"a\":tru}",
		"{\"a\":1} x",
		"[1,]",
		"{\"a\":\"\xed\xa0\x80\"}",
	};
	static const char *const good[] = {
		"{}",
		"{\"a\":[1,-2.5e3,true,false,null,\"\\u0000\\\"\"],\"b\":{\"a\":1}}",
	};
	struct strbuf b;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jp p = { (const unsigned char *)bad[i], strlen(bad[i]), 0, 0 };

		if (jv_value(&p) == 0 && p.i == p.n)
			fail_msg("accepted [%s]", bad[i]);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		sb_init(&b);
		sb_puts(&b, good[i]);
		assert_valid_record(&b);
		sb_free(&b);
	}
}

/* ---- building records by hand ---- */

static void bytes_set(struct tls_bytes *b, const void *p, size_t len)
{
	b->p = malloc(len + 1);
	assert_non_null(b->p);
	memcpy(b->p, p, len);
	b->p[len] = '\0';
	b->len = len;
}

static void list_add(struct tls_name_list *l, const void *p, size_t len)
{
	struct tls_bytes *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	assert_non_null(v);
	l->v = v;
	bytes_set(&l->v[l->n++], p, len);
}

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* An IPv6 address from its text (the test's own constants: must parse). */
static ip_addr A6(const char *s)
{
	const char *why = NULL;
	ip_addr a = addr_zero();

	if (addr_parse(s, strlen(s), &a, &why) != 0)
		fail_msg("bad test address %s: %s", s, why);
	return a;
}
#define T2026 1767225600LL /* 2026-01-01T00:00:00Z */

/* The ok record whose exact bytes test_json_ok_record_exact_bytes expects. */
static void make_ok_record(struct tls_result *r)
{
	struct tls_chain_info *ci = &r->certs;
	struct tls_cert_info *c = &ci->leaf;

	memset(r, 0, sizeof(*r));
	r->ip = addr_from_v4(IP(198, 18, 0, 10));
	r->port = 443;
	strcpy(r->sni, "www.example.test");
	r->outcome = TLS_OK;
	strcpy(r->version, "TLSv1.3");
	strcpy(r->cipher, "TLS_AES_256_GCM_SHA384");
	strcpy(r->group, "X25519");
	r->verify_ok = 1;
	r->hostname_checked = 1;
	r->hostname_match = 1;
	ci->has_leaf = 1;
	bytes_set(&c->subject_dn, "CN=www.example.test", 19);
	bytes_set(&c->issuer_dn, "CN=Test CA", 10);
	list_add(&c->subject_cn, "www.example.test", 16);
	list_add(&c->san_dns, "www.example.test", 16);
	list_add(&c->san_dns, "*.example.test", 14);
	list_add(&c->san_ip, "198.18.0.10", 11);
	strcpy(c->serial_hex, "0A1B");
	c->not_before = T2026;
	c->not_after = T2026 + 90 * 86400;
	c->days_to_expiry = 89;
	strcpy(c->sig_alg, "sha256WithRSAEncryption");
	strcpy(c->key_alg, "RSA");
	c->key_bits = 2048;
	for (int i = 0; i < 32; i++)
		c->sha256[i] = (uint8_t)i;
	for (int i = 0; i < 20; i++)
		c->sha1[i] = (uint8_t)(0xa0 + i);
	ci->chain = calloc(2, sizeof(*ci->chain));
	assert_non_null(ci->chain);
	ci->chain_len = ci->chain_total = 2;
	bytes_set(&ci->chain[0].subject_dn, "CN=www.example.test", 19);
	bytes_set(&ci->chain[0].issuer_dn, "CN=Test CA", 10);
	memcpy(ci->chain[0].sha256, c->sha256, 32);
	bytes_set(&ci->chain[1].subject_dn, "CN=Test CA", 10);
	bytes_set(&ci->chain[1].issuer_dn, "CN=Test CA", 10);
	memset(ci->chain[1].sha256, 0xcc, 32);
	bytes_set(&r->http_status, "HTTP/1.1 200 OK", 15);
	bytes_set(&r->http_server, "nginx", 5);
	r->banner_done = 1;
	r->hsts = (struct tls_hsts){
		.present = 1, .valid = 1, .max_age = 31536000, .include_subdomains = 1
	};
	r->checks.done = 1;
	r->checks.ocsp_stapled = 1;
	r->checks.ocsp_status = TLS_OCSP_GOOD;
	r->checks.ocsp_signature_ok = 1;
	r->checks.ocsp_time_ok = 1;
	r->checks.ocsp_this_update = T2026;
	r->checks.sct_embedded = 2;
	r->checks.sct_tls = 1;
	strcpy(r->checks.tmp_key_type, "X25519");
	r->checks.tmp_key_bits = 253;
	r->checks.chain_misordered = 1; /* one finding */
	r->versions_tested = TLS_V10 | TLS_V11 | TLS_V12 | TLS_V13;
	r->versions_accepted = TLS_V12 | TLS_V13;
	r->start_us = T2026 * 1000000;
	r->end_us = T2026 * 1000000 + 123456;
}

#define SHA_0_31 "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
#define SHA_CC "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"

static const char ok_json[] =
	"{\"type\":\"tls\",\"ip\":\"198.18.0.10\",\"port\":443,\"sni\":\"www.example.test\","
	"\"outcome\":\"ok\",\"alert\":null,\"detail\":null,\"tls_version\":\"TLSv1.3\","
	"\"cipher\":\"TLS_AES_256_GCM_SHA384\",\"alpn\":null,\"group\":\"X25519\","
	"\"ja3s\":null,\"ja4s\":null,"
	"\"verify_ok\":true,\"verify_error\":null,\"hostname_match\":true,"
	"\"cert\":{\"subject\":\"CN=www.example.test\",\"issuer\":\"CN=Test CA\","
	"\"subject_cn\":[\"www.example.test\"],"
	"\"san_dns\":[\"www.example.test\",\"*.example.test\"],\"san_ip\":[\"198.18.0.10\"],"
	"\"serial\":\"0A1B\",\"not_before\":\"2026-01-01T00:00:00.000000Z\","
	"\"not_after\":\"2026-04-01T00:00:00.000000Z\",\"days_to_expiry\":89,"
	"\"expired\":false,\"not_yet_valid\":false,\"self_signed\":false,"
	"\"signature_algorithm\":\"sha256WithRSAEncryption\",\"key_algorithm\":\"RSA\","
	"\"key_bits\":2048,\"key_curve\":null,\"sha256\":\"" SHA_0_31 "\","
	"\"sha1\":\"A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3\"},"
	"\"chain\":[{\"subject\":\"CN=www.example.test\",\"issuer\":\"CN=Test CA\","
	"\"sha256\":\"" SHA_0_31 "\"},"
	"{\"subject\":\"CN=Test CA\",\"issuer\":\"CN=Test CA\",\"sha256\":\"" SHA_CC "\"}],"
	"\"chain_length\":2,\"http_status\":\"HTTP/1.1 200 OK\",\"http_server\":\"nginx\","
	"\"ocsp_stapled\":true,\"ocsp\":{\"valid\":true,\"status\":\"good\","
	"\"signature_ok\":true,\"time_ok\":true,\"this_update\":\"2026-01-01T00:00:00.000000Z\","
	"\"next_update\":null,\"error\":null},\"must_staple\":false,\"sct_count\":3,"
	"\"scts\":{\"embedded\":2,\"tls_extension\":1,\"ocsp\":0},"
	"\"tmp_key\":{\"type\":\"X25519\",\"bits\":253},"
	"\"hsts\":{\"valid\":true,\"max_age\":31536000,\"include_subdomains\":true,"
	"\"preload\":false,\"error\":null},\"findings\":[\"chain-order\"],"
	"\"versions_accepted\":[\"TLSv1.2\",\"TLSv1.3\"],"
	"\"versions_rejected\":[\"TLSv1\",\"TLSv1.1\"],"
	"\"truncated\":false,\"truncated_fields\":[],\"invalid_utf8_fields\":[],"
	"\"time\":\"2026-01-01T00:00:00.123456Z\"}";

static void format(struct strbuf *b, const struct tls_result *r)
{
	sb_init(b);
	tls_json_format(b, r);
	assert_valid_record(b);
	assert_true(b->len <= TLS_JSON_MAX_RECORD);
}

static void assert_has(const struct strbuf *b, const char *frag)
{
	if (strstr(b->p, frag) == NULL)
		fail_msg("[%s] not in [%s]", frag, b->p);
}

static void assert_lacks(const struct strbuf *b, const char *frag)
{
	if (strstr(b->p, frag) != NULL)
		fail_msg("[%s] unexpectedly in [%s]", frag, b->p);
}

static size_t count(const struct strbuf *b, const char *frag)
{
	size_t n = 0;

	for (const char *p = b->p; (p = strstr(p, frag)) != NULL; p += strlen(frag))
		n++;
	return n;
}

/* ---- cases ---- */

static void test_json_ok_record_exact_bytes(void **state)
{
	struct tls_result r;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	format(&b, &r);
	if (strcmp(b.p, ok_json) != 0)
		fail_msg("got\n%s\nwant\n%s", b.p, ok_json);
	sb_free(&b);
	tls_result_free(&r);
}

static void test_json_appends_to_what_the_buffer_holds(void **state)
{
	struct tls_result r;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	sb_init(&b);
	sb_puts(&b, "prev\n");
	tls_json_format(&b, &r);
	assert_int_equal(b.len, 5 + strlen(ok_json));
	assert_memory_equal(b.p, "prev\n", 5);
	assert_string_equal(b.p + 5, ok_json);
	sb_free(&b);
	tls_result_free(&r);
}

static void test_json_timeout_record(void **state)
{
	static const char want[] =
		"{\"type\":\"tls\",\"ip\":\"198.18.0.11\",\"port\":8443,\"sni\":null,"
		"\"outcome\":\"timeout\",\"alert\":null,\"detail\":\"connect timed out\","
		"\"tls_version\":null,\"cipher\":null,\"alpn\":null,\"group\":null,"
		"\"ja3s\":null,\"ja4s\":null,"
		"\"verify_ok\":null,\"verify_error\":null,\"hostname_match\":null,"
		"\"cert\":null,\"chain\":[],\"chain_length\":0,"
		"\"http_status\":null,\"http_server\":null,"
		"\"ocsp_stapled\":null,\"ocsp\":null,\"must_staple\":null,\"sct_count\":null,"
		"\"scts\":null,\"tmp_key\":null,\"hsts\":null,\"findings\":[],"
		"\"truncated\":false,\"truncated_fields\":[],\"invalid_utf8_fields\":[],"
		"\"time\":\"2026-01-01T00:00:01.000000Z\"}";
	struct tls_result r;
	struct strbuf b;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.ip = addr_from_v4(IP(198, 18, 0, 11));
	r.port = 8443;
	r.outcome = TLS_TIMEOUT;
	strcpy(r.detail, "connect timed out");
	r.end_us = (T2026 + 1) * 1000000;
	format(&b, &r);
	if (strcmp(b.p, want) != 0)
		fail_msg("got\n%s\nwant\n%s", b.p, want);
	sb_free(&b);
	tls_result_free(&r);
}

/* An IPv6 endpoint: "ip" in RFC 5952 form, the rest as for IPv4. */
static void test_json_ipv6_record(void **state)
{
	static const char want[] =
		"{\"type\":\"tls\",\"ip\":\"2001:db8::11\",\"port\":8443,\"sni\":null,"
		"\"outcome\":\"timeout\",\"alert\":null,\"detail\":\"connect timed out\","
		"\"tls_version\":null,\"cipher\":null,\"alpn\":null,\"group\":null,"
		"\"ja3s\":null,\"ja4s\":null,"
		"\"verify_ok\":null,\"verify_error\":null,\"hostname_match\":null,"
		"\"cert\":null,\"chain\":[],\"chain_length\":0,"
		"\"http_status\":null,\"http_server\":null,"
		"\"ocsp_stapled\":null,\"ocsp\":null,\"must_staple\":null,\"sct_count\":null,"
		"\"scts\":null,\"tmp_key\":null,\"hsts\":null,\"findings\":[],"
		"\"truncated\":false,\"truncated_fields\":[],\"invalid_utf8_fields\":[],"
		"\"time\":\"2026-01-01T00:00:01.000000Z\"}";
	struct tls_result r;
	struct strbuf b;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.ip = A6("2001:DB8:0:0:0:0:0:11");
	r.port = 8443;
	r.outcome = TLS_TIMEOUT;
	strcpy(r.detail, "connect timed out");
	r.end_us = (T2026 + 1) * 1000000;
	format(&b, &r);
	if (strcmp(b.p, want) != 0)
		fail_msg("got\n%s\nwant\n%s", b.p, want);
	sb_free(&b);
	tls_result_free(&r);
}

static void test_json_alert_record_with_versions_and_sni(void **state)
{
	struct tls_result r;
	struct strbuf b;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.ip = addr_from_v4(IP(10, 0, 0, 1));
	r.port = 443;
	strcpy(r.sni, "old.example.test");
	r.outcome = TLS_ALERT;
	strcpy(r.alert, "protocol_version");
	r.hostname_checked = 1; /* a name was sent, but there was no certificate */
	r.hostname_match = 0;
	r.versions_tested = TLS_V10 | TLS_V11 | TLS_V12 | TLS_V13;
	r.versions_accepted = TLS_V10;
	format(&b, &r);
	assert_has(&b, "\"sni\":\"old.example.test\",\"outcome\":\"alert\","
		       "\"alert\":\"protocol_version\",\"detail\":null,");
	assert_has(&b, "\"verify_ok\":null,\"verify_error\":null,\"hostname_match\":false,"
		       "\"cert\":null,\"chain\":[],\"chain_length\":0,");
	assert_has(&b, "\"versions_accepted\":[\"TLSv1\"],"
		       "\"versions_rejected\":[\"TLSv1.1\",\"TLSv1.2\",\"TLSv1.3\"],");
	assert_has(&b, "\"time\":\"1970-01-01T00:00:00.000000Z\"}");
	sb_free(&b);
	tls_result_free(&r);
}

static void test_json_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(tls_outcome_name(TLS_OK), "ok");
	assert_string_equal(tls_outcome_name(TLS_REFUSED), "refused");
	assert_string_equal(tls_outcome_name(TLS_TIMEOUT), "timeout");
	assert_string_equal(tls_outcome_name(TLS_RESET), "reset");
	assert_string_equal(tls_outcome_name(TLS_NOT_TLS), "not-tls");
	assert_string_equal(tls_outcome_name(TLS_ALERT), "alert");
	assert_string_equal(tls_outcome_name(TLS_ERROR), "error");
}

static void test_json_hostile_strings_by_hand(void **state)
{
	static const char cn[] = "a\0\"q\"\xff\\\n";
	struct tls_result r;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	free(r.certs.leaf.subject_cn.v[0].p);
	bytes_set(&r.certs.leaf.subject_cn.v[0], cn, sizeof(cn) - 1);
	free(r.http_server.p);
	bytes_set(&r.http_server, "x\xc3", 2); /* a truncated 2-byte sequence */
	strcpy(r.alpn, "h2\x7f");
	format(&b, &r);
	assert_has(&b, "\"subject_cn\":[\"a\\u0000\\\"q\\\"\xef\xbf\xbd\\\\\\n\"]");
	assert_has(&b, "\"http_server\":\"x\xef\xbf\xbd\"");
	assert_has(&b, "\"alpn\":\"h2\\u007f\"");
	/* DEL is escaped, not replaced: alpn is valid UTF-8 and not listed. */
	assert_has(&b, "\"invalid_utf8_fields\":[\"subject_cn\",\"http_server\"]");
	assert_has(&b, "\"truncated\":false");
	sb_free(&b);
	tls_result_free(&r);
}

/* A certificate the way a hostile server sends it, through the extractor. */
static void test_json_hostile_certificate_gives_valid_json(void **state)
{
	static const char cn[] = "evil\0\"q\"\xff.test";
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	GENERAL_NAMES *g = GENERAL_NAMES_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
	struct tls_result r;
	struct strbuf b;

	(void)state;
	assert_non_null(key);
	assert_non_null(x);
	assert_non_null(n);
	assert_non_null(g);
	assert_non_null(gn);
	assert_non_null(ia5);
	assert_int_equal(X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_IA5STRING,
						    (const unsigned char *)cn, sizeof(cn) - 1, -1,
						    0),
			 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	X509_NAME_free(n);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)T2026));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(T2026 + 86400)));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_int_equal(ASN1_STRING_set(ia5, cn, sizeof(cn) - 1), 1);
	GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
	assert_true(sk_GENERAL_NAME_push(g, gn) > 0);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, g, 0, X509V3_ADD_DEFAULT), 1);
	GENERAL_NAMES_free(g);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);

	memset(&r, 0, sizeof(r));
	r.ip = addr_from_v4(IP(198, 18, 0, 66));
	r.port = 443;
	r.outcome = TLS_OK;
	assert_int_equal(tls_chain_extract(&r.certs, x, NULL, T2026, 1), 0);
	format(&b, &r);
	assert_has(&b, "\"subject_cn\":[\"evil\\u0000\\\"q\\\"\xef\xbf\xbd.test\"]");
	assert_has(&b, "\"san_dns\":[\"evil\\u0000\\\"q\\\"\xef\xbf\xbd.test\"]");
	/* The DN printer reads the IA5String's 0xFF as Latin-1: valid UTF-8 there. */
	assert_has(&b, "\"subject\":\"CN=evil\\\\00\\\\\\\"q\\\\\\\"\xc3\xbf.test\"");
	assert_has(&b, "\"invalid_utf8_fields\":[\"subject_cn\",\"san_dns\"]");
	assert_has(&b, "\"self_signed\":true");
	assert_has(&b, "\"key_curve\":\"prime256v1\"");
	assert_has(&b, "\"pem\":\"-----BEGIN CERTIFICATE-----\\n");
	assert_has(&b, "\"truncated\":false");
	sb_free(&b);
	tls_result_free(&r);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void test_json_small_pem_is_kept_large_pem_dropped_first(void **state)
{
	struct tls_result r;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	r.certs.pem = strdup("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
	assert_non_null(r.certs.pem);
	format(&b, &r);
	assert_has(&b,
		   "\"versions_rejected\":[\"TLSv1\",\"TLSv1.1\"],\"pem\":\"-----BEGIN "
		   "CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n\",\"truncated\":false");
	sb_free(&b);

	free(r.certs.pem);
	r.certs.pem = malloc(20001);
	assert_non_null(r.certs.pem);
	memset(r.certs.pem, 'A', 20000);
	r.certs.pem[20000] = '\0';
	format(&b, &r);
	assert_lacks(&b, "\"pem\":");
	assert_has(&b, "\"truncated\":true,\"truncated_fields\":[\"pem\"],");
	/* Nothing else was cut: the record is the exact one without the PEM. */
	assert_has(&b, "\"chain_length\":2,");
	assert_int_equal(b.len, strlen(ok_json) - strlen("false,\"truncated_fields\":[]") +
					strlen("true,\"truncated_fields\":[\"pem\"]"));
	sb_free(&b);
	tls_result_free(&r);
}

/* A record with names of `len` bytes: chain entries, SANs, as asked. */
static void fill_long(struct tls_result *r, size_t chain, size_t sans, size_t len)
{
	struct tls_chain_info *ci = &r->certs;
	char *s = malloc(len + 1);

	assert_non_null(s);
	tls_chain_free(ci);
	ci->has_leaf = 1;
	ci->chain = calloc(chain, sizeof(*ci->chain));
	assert_non_null(ci->chain);
	ci->chain_len = ci->chain_total = chain;
	for (size_t i = 0; i < chain; i++) {
		memset(s, 'a' + (int)(i % 26), len);
		memcpy(s, "CN=", 3);
		bytes_set(&ci->chain[i].subject_dn, s, len);
		bytes_set(&ci->chain[i].issuer_dn, s, len);
	}
	for (size_t i = 0; i < sans; i++) {
		memset(s, 'x', len);
		snprintf(s, len, "san%03zu.", i);
		s[strlen(s)] = 'x';
		list_add(&ci->leaf.san_dns, s, len);
	}
	free(s);
}

static void test_json_long_chain_keeps_the_leaf_entry(void **state)
{
	struct tls_result r;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	fill_long(&r, 10, 0, 1000);
	format(&b, &r);
	assert_has(&b, "\"chain\":[{\"subject\":\"CN=aaa");
	assert_has(&b, "}],\"chain_length\":10,");
	assert_int_equal(count(&b, "\"issuer\":\"CN=bbb"), 0);
	assert_has(&b, "\"truncated\":true,\"truncated_fields\":[\"chain\"],");
	sb_free(&b);
	tls_result_free(&r);
}

static void test_json_many_sans_cut_to_ten_fields_listed_once(void **state)
{
	struct tls_result r;
	struct strbuf b;
	char frag[32];

	(void)state;
	make_ok_record(&r);
	fill_long(&r, 1, 100, 200);
	/* The extractor already cut something: its names come first, each once. */
	r.certs.truncated = 1;
	strcpy(r.certs.truncated_fields, "san_dns,chain");
	r.banner_truncated = 1;
	format(&b, &r);
	for (int i = 0; i < 10; i++) {
		snprintf(frag, sizeof(frag), "\"san%03d.xxx", i);
		assert_has(&b, frag);
	}
	assert_lacks(&b, "\"san010.");
	assert_has(&b,
		   "\"truncated\":true,\"truncated_fields\":[\"san_dns\",\"chain\",\"banner\"],");
	sb_free(&b);
	tls_result_free(&r);
}

/* Everything at its cap and every byte one that expands to 6 ("\u0001"). */
static void fill_worst(struct tls_result *r, unsigned char byte)
{
	struct tls_chain_info *ci = &r->certs;
	struct tls_cert_info *c = &ci->leaf;
	unsigned char big[TLS_MAX_NAME_BYTES];
	char *fixed[] = { r->sni,     r->alert,   r->detail,    r->version,
			  r->cipher,  r->alpn,    r->group,     r->verify_error,
			  c->sig_alg, c->key_alg, c->key_curve, c->serial_hex };
	size_t sizes[] = { sizeof(r->sni),     sizeof(r->alert),        sizeof(r->detail),
			   sizeof(r->version), sizeof(r->cipher),       sizeof(r->alpn),
			   sizeof(r->group),   sizeof(r->verify_error), sizeof(c->sig_alg),
			   sizeof(c->key_alg), sizeof(c->key_curve),    sizeof(c->serial_hex) };

	memset(r, 0, sizeof(*r));
	memset(big, byte, sizeof(big));
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		memset(fixed[i], byte, sizes[i] - 1);
		fixed[i][sizes[i] - 1] = '\0';
	}
	r->ip = addr_from_v4(0xffffffffu);
	r->port = 65535;
	r->outcome = TLS_OK;
	r->verify_ok = 1;
	r->hostname_checked = 1;
	ci->has_leaf = 1;
	bytes_set(&c->subject_dn, big, sizeof(big));
	bytes_set(&c->issuer_dn, big, sizeof(big));
	for (int i = 0; i < TLS_MAX_NAMES; i++) {
		list_add(&c->subject_cn, big, sizeof(big));
		list_add(&c->san_dns, big, sizeof(big));
		list_add(&c->san_ip, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 45);
	}
	c->not_before = INT64_MIN;
	c->not_after = INT64_MAX;
	c->days_to_expiry = INT64_MIN;
	c->key_bits = 0x7fffffff;
	ci->chain = calloc(TLS_MAX_CHAIN, sizeof(*ci->chain));
	assert_non_null(ci->chain);
	ci->chain_len = TLS_MAX_CHAIN;
	ci->chain_total = SIZE_MAX;
	for (int i = 0; i < TLS_MAX_CHAIN; i++) {
		bytes_set(&ci->chain[i].subject_dn, big, sizeof(big));
		bytes_set(&ci->chain[i].issuer_dn, big, sizeof(big));
	}
	ci->pem = malloc(100001);
	assert_non_null(ci->pem);
	memset(ci->pem, byte == 0 ? 1 : byte, 100000);
	ci->pem[100000] = '\0';
	ci->truncated = 1;
	memset(ci->truncated_fields, 'z', sizeof(ci->truncated_fields) - 1);
	for (size_t i = 1; i < sizeof(ci->truncated_fields) - 1; i += 2)
		ci->truncated_fields[i] = ',';
	ci->truncated_fields[sizeof(ci->truncated_fields) - 1] = '\0';
	bytes_set(&r->http_status, big, TLS_MAX_BANNER_LINE);
	bytes_set(&r->http_server, big, TLS_MAX_BANNER_LINE);
	r->banner_truncated = 1;
	r->versions_tested = 0xffffffffu;
	r->versions_accepted = 0x5;
	r->end_us = INT64_MAX;
	tls_checks_fill_worst(r);
}

static void test_json_worst_case_record_stays_under_cap(void **state)
{
	static const unsigned char bytes[] = { 0x01, 0x00, '"', 0xff, 0xc3, 'a' };
	struct tls_result r;
	struct strbuf b;

	(void)state;
	/* Each byte with the longest IPv4 address, then with the longest IPv6 one. */
	for (size_t i = 0; i < 2 * sizeof(bytes); i++) {
		fill_worst(&r, bytes[i % sizeof(bytes)]);
		if (i >= sizeof(bytes))
			r.ip = A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
		format(&b, &r); /* valid and <= TLS_JSON_MAX_RECORD */
		assert_has(&b, "\"truncated\":true,");
		assert_lacks(&b, "\"pem\":");
		assert_has(&b, "\"chain_length\":18446744073709551615,");
		assert_has(&b, "\"not_before\":\"0000-01-01T00:00:00.000000Z\"");
		assert_has(&b, "\"not_after\":\"9999-12-31T23:59:59.999999Z\"");
		sb_free(&b);
		tls_result_free(&r);
	}
}

/* The worst record again, with every --tls-ciphers list full of the longest
 * suite name and both fingerprints: still under the cap. */
static void test_json_worst_case_with_ciphers_stays_under_cap(void **state)
{
	static const unsigned char bytes[] = { 0x01, '"', 0xff };
	struct tls_result r;
	struct strbuf b;

	(void)state;
	for (size_t i = 0; i < sizeof(bytes); i++) {
		fill_worst(&r, bytes[i]);
		r.ip = A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
		r.ciphers = calloc(1, sizeof(*r.ciphers));
		assert_non_null(r.ciphers);
		r.ciphers->tested = 0xf;
		for (int v = 0; v < TLS_NVERSIONS; v++) {
			r.ciphers->n[v] = TLS_ENUM_MAX_SUITES;
			for (int k = 0; k < TLS_ENUM_MAX_SUITES; k++)
				r.ciphers->suite[v][k] =
					0xCCA9; /* TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
		}
		r.ciphers->groups_tested = 1;
		r.ciphers->ngroups = TLS_ENUM_MAX_GROUPS;
		for (int k = 0; k < TLS_ENUM_MAX_GROUPS; k++)
			r.ciphers->group[k] = 0x0022; /* unknown: "0x0022" */
		r.ciphers->group[0] = 0x11ED;
		r.ciphers->order = TLS_ORDER_SERVER;
		r.ciphers->handshakes = 4294967295u;
		memset(r.ja3s, 'a', 32);
		memcpy(r.ja4s, "t130299h2_1301_a56c5b993250", 25);
		format(&b, &r); /* valid and <= TLS_JSON_MAX_RECORD */
		assert_has(&b, "\"truncated\":true,");
		assert_has(
			&b,
			"\"ciphers\":{\"TLSv1\":[\"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\"");
		assert_has(&b, "\"cipher_order\":\"server\",\"groups\":[\"SecP384r1MLKEM1024\"");
		assert_has(&b, "\"cipher_handshakes\":4294967295");
		assert_has(&b, "\"ciphers\"]"); /* named in truncated_fields */
		sb_free(&b);
		tls_result_free(&r);
	}
}

/* The shared chain and cipher writers under the emitter's budget (what the
 * last level falls back to): whole entries dropped, the field marked cut,
 * chain_length and the cipher keys still written, the object valid. */
static void test_json_chain_and_ciphers_under_a_budget(void **state)
{
	struct tls_result r;
	struct tls_ciphers c;
	struct strbuf b;
	struct jsonw w;

	(void)state;
	make_ok_record(&r);
	fill_long(&r, 10, 0, 100);
	sb_init(&b);
	jw_init(&w, &b);
	jw_budget(&w, 700);
	jw_obj(&w, NULL);
	tls_json_chain(&w, &r.certs, SIZE_MAX, 5);
	assert_int_equal(jw_end(&w), 0);
	assert_valid_record(&b);
	assert_true(b.len <= 700);
	assert_int_equal(w.cut, 1u << 5);
	assert_has(&b, "\"chain\":[{\"subject\":\"CN=aaa");
	assert_has(&b, "}],\"chain_length\":10}");
	assert_int_equal(count(&b, "\"sha256\":"), 2); /* two entries of ~300 bytes fit */

	memset(&c, 0, sizeof(c));
	c.tested = TLS_V12 | TLS_V13;
	c.n[2] = c.n[3] = 100;
	for (int i = 0; i < 100; i++)
		c.suite[2][i] = c.suite[3][i] = 0xc02f; /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
	c.groups_tested = 1;
	c.ngroups = 3;
	c.group[0] = 0x001d;
	c.group[1] = 0x0017;
	c.group[2] = 0x4242;
	sb_reset(&b);
	jw_init(&w, &b);
	jw_budget(&w, 300);
	jw_reserve(&w, 100); /* cipher_order, groups, ciphers_complete, handshakes */
	jw_obj(&w, NULL);
	tls_json_ciphers(&w, &c, SIZE_MAX, 1, 7);
	assert_int_equal(jw_end(&w), 0);
	assert_valid_record(&b);
	assert_true(b.len <= 300);
	assert_int_equal(w.cut, 1u << 7);
	assert_has(&b, "{\"ciphers\":{\"tls1_2\":[\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"");
	assert_has(&b, "],\"tls1_3\":[]},\"cipher_order\":null,\"groups\":[");
	assert_has(&b, "\"ciphers_complete\":true,\"cipher_handshakes\":0}");
	sb_free(&b);
	tls_result_free(&r);
}

static void test_json_random_records_are_valid(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	struct tls_result r;
	struct strbuf b;

	(void)state;
	for (int iter = 0; iter < 300; iter++) {
		size_t nsans, len;
		unsigned char s[700];

		make_ok_record(&r);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		nsans = (size_t)(x % 60);
		len = (size_t)((x >> 8) % sizeof(s));
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			s[i] = (unsigned char)x;
		}
		for (size_t i = 0; i < nsans; i++)
			list_add(&r.certs.leaf.san_dns, s, len - (i % (len + 1)));
		free(r.certs.leaf.subject_dn.p);
		bytes_set(&r.certs.leaf.subject_dn, s, len);
		memcpy(r.sni, s, len < sizeof(r.sni) ? len : sizeof(r.sni) - 1);
		format(&b, &r);
		sb_free(&b);
		tls_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator_rejects_bad_json),
		cmocka_unit_test(test_json_ok_record_exact_bytes),
		cmocka_unit_test(test_json_appends_to_what_the_buffer_holds),
		cmocka_unit_test(test_json_timeout_record),
		cmocka_unit_test(test_json_ipv6_record),
		cmocka_unit_test(test_json_alert_record_with_versions_and_sni),
		cmocka_unit_test(test_json_outcome_names),
		cmocka_unit_test(test_json_hostile_strings_by_hand),
		cmocka_unit_test(test_json_hostile_certificate_gives_valid_json),
		cmocka_unit_test(test_json_small_pem_is_kept_large_pem_dropped_first),
		cmocka_unit_test(test_json_long_chain_keeps_the_leaf_entry),
		cmocka_unit_test(test_json_many_sans_cut_to_ten_fields_listed_once),
		cmocka_unit_test(test_json_worst_case_record_stays_under_cap),
		cmocka_unit_test(test_json_worst_case_with_ciphers_stays_under_cap),
		cmocka_unit_test(test_json_chain_and_ciphers_under_a_budget),
		cmocka_unit_test(test_json_random_records_are_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
