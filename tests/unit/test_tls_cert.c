/*
 * test_tls_cert.c — certificate chain extraction (src/tls/cert.c) against
 * certificates built here with OpenSSL: every field of tls_cert_info is
 * compared with what the test put in the certificate.
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
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_cert.h"

#define DAY 86400
#define NOW 1800000000LL /* 2027-01-15T08:00:00Z: the fixed "now" of every test */

static EVP_PKEY *rsa_ca, *rsa_leaf, *ec_key;

static int keys_setup(void **state)
{
	(void)state;
	rsa_ca = EVP_RSA_gen(2048);
	rsa_leaf = EVP_RSA_gen(2048);
	ec_key = EVP_EC_gen("P-256");
	return rsa_ca != NULL && rsa_leaf != NULL && ec_key != NULL ? 0 : -1;
}

static int keys_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(rsa_ca);
	EVP_PKEY_free(rsa_leaf);
	EVP_PKEY_free(ec_key);
	return 0;
}

/* ---- building certificates ---- */

/* Adds one attribute with raw bytes (type is an ASN.1 string type, not MBSTRING_*). */
static void name_add_raw(X509_NAME *n, int nid, int type, const void *bytes, size_t len)
{
	assert_int_equal(X509_NAME_add_entry_by_NID(n, nid, type, (const unsigned char *)bytes,
						    (int)len, -1, 0),
			 1);
}

/* C=ZZ, O=Portus Test, CN=<cn> (cn as a UTF8String of cnlen raw bytes). */
static X509_NAME *name_make(const char *cn, size_t cnlen)
{
	X509_NAME *n = X509_NAME_new();

	assert_non_null(n);
	name_add_raw(n, NID_countryName, V_ASN1_PRINTABLESTRING, "ZZ", 2);
	name_add_raw(n, NID_organizationName, V_ASN1_UTF8STRING, "Portus Test", 11);
	if (cn != NULL)
		name_add_raw(n, NID_commonName, V_ASN1_UTF8STRING, cn, cnlen);
	return n;
}

/* Serial number with magnitude bytes[0..len), big-endian. */
static void set_serial(X509 *x, const unsigned char *bytes, size_t len)
{
	ASN1_INTEGER *sn = ASN1_INTEGER_new();

	assert_non_null(sn);
	assert_int_equal(ASN1_STRING_set(sn, bytes, (int)len), 1);
	assert_int_equal(X509_set_serialNumber(x, sn), 1);
	ASN1_INTEGER_free(sn);
}

static void set_serial_int(X509 *x, int64_t v)
{
	ASN1_INTEGER *sn = ASN1_INTEGER_new();

	assert_non_null(sn);
	assert_int_equal(ASN1_INTEGER_set_int64(sn, v), 1);
	assert_int_equal(X509_set_serialNumber(x, sn), 1);
	ASN1_INTEGER_free(sn);
}

/* A v3 certificate for key with subject `subject` (taken), valid [nb, na]. */
static X509 *cert_new(EVP_PKEY *key, X509_NAME *subject, int64_t nb, int64_t na)
{
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	set_serial_int(x, 1);
	assert_int_equal(X509_set_subject_name(x, subject), 1);
	X509_NAME_free(subject);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	return x;
}

/* Sets the issuer name to issuer's subject (or x's own) and signs with key. */
static void cert_sign(X509 *x, const X509 *issuer, EVP_PKEY *key)
{
	X509_NAME *in = X509_get_subject_name(issuer != NULL ? issuer : x);

	assert_int_equal(X509_set_issuer_name(x, in), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
}

/* Starts a GENERAL_NAMES list. */
static GENERAL_NAMES *sans_new(void)
{
	GENERAL_NAMES *g = GENERAL_NAMES_new();

	assert_non_null(g);
	return g;
}

static void san_add(GENERAL_NAMES *g, int type, const void *bytes, size_t len)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_STRING *s = ASN1_STRING_type_new(type == GEN_DNS ? V_ASN1_IA5STRING
							      : V_ASN1_OCTET_STRING);

	assert_non_null(gn);
	assert_non_null(s);
	assert_int_equal(ASN1_STRING_set(s, bytes, (int)len), 1);
	GENERAL_NAME_set0_value(gn, type, s);
	assert_true(sk_GENERAL_NAME_push(g, gn) > 0);
}

static void san_dns(GENERAL_NAMES *g, const char *name)
{
	san_add(g, GEN_DNS, name, strlen(name));
}

static void sans_attach(X509 *x, GENERAL_NAMES *g)
{
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, g, 0, X509V3_ADD_APPEND), 1);
	GENERAL_NAMES_free(g);
}

/* ---- checking ---- */

static void assert_bytes(const struct tls_bytes *b, const void *want, size_t len)
{
	assert_non_null(b->p);
	if (b->len != len || memcmp(b->p, want, len) != 0)
		fail_msg("got %zu bytes [%.*s], want %zu bytes [%.*s]", b->len, (int)b->len,
			 (const char *)b->p, len, (int)len, (const char *)want);
	assert_int_equal(b->p[len], '\0');
}

static void assert_str(const struct tls_bytes *b, const char *want)
{
	assert_bytes(b, want, strlen(want));
}

/* The fingerprint computed independently of X509_digest: a hash of i2d_X509. */
static void assert_fp(const uint8_t *got, X509 *x, const EVP_MD *md)
{
	unsigned char *der = NULL, want[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int len = i2d_X509(x, &der);

	assert_true(len > 0);
	assert_int_equal(EVP_Digest(der, (size_t)len, want, &n, md, NULL), 1);
	assert_memory_equal(got, want, n);
	OPENSSL_free(der);
}

static void extract(struct tls_chain_info *ci, X509 *leaf, STACK_OF(X509) * chain, int pem)
{
	assert_int_equal(tls_chain_extract(ci, leaf, chain, NOW, pem), 0);
}

static STACK_OF(X509) * stack_of(X509 *a, X509 *b)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	assert_non_null(sk);
	assert_true(sk_X509_push(sk, a) > 0);
	if (b != NULL)
		assert_true(sk_X509_push(sk, b) > 0);
	return sk;
}

static X509 *make_ca(void)
{
	X509 *ca = cert_new(rsa_ca, name_make("Portus Test CA", 14), NOW - 1000 * DAY,
			    NOW + 3000 * DAY);

	cert_sign(ca, NULL, rsa_ca);
	return ca;
}

/* ---- cases ---- */

static void test_cert_ca_signed_rsa_leaf_every_field(void **state)
{
	static const unsigned char serial[] = { 0x0a, 0x1b, 0x2c, 0x3d };
	static const unsigned char ip4[] = { 198, 18, 0, 10 };
	static const unsigned char ip6[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					     0,    0,    0,    0,    0, 0, 0, 1 };
	const int64_t nb = NOW - 30 * DAY, na = NOW + 89 * DAY + 3600;
	X509 *ca = make_ca();
	X509 *leaf = cert_new(rsa_leaf, name_make("www.example.test", 16), nb, na);
	GENERAL_NAMES *g = sans_new();
	STACK_OF(X509) * sk;
	struct tls_chain_info ci;
	const struct tls_cert_info *c = &ci.leaf;

	(void)state;
	set_serial(leaf, serial, sizeof(serial));
	san_dns(g, "www.example.test");
	san_dns(g, "example.test");
	san_add(g, GEN_IPADD, ip4, 4);
	san_add(g, GEN_IPADD, ip6, 16);
	sans_attach(leaf, g);
	cert_sign(leaf, ca, rsa_ca);
	sk = stack_of(leaf, ca);

	extract(&ci, leaf, sk, 0);
	assert_true(ci.has_leaf);
	assert_str(&c->subject_dn, "CN=www.example.test,O=Portus Test,C=ZZ");
	assert_str(&c->issuer_dn, "CN=Portus Test CA,O=Portus Test,C=ZZ");
	assert_int_equal(c->subject_cn.n, 1);
	assert_str(&c->subject_cn.v[0], "www.example.test");
	assert_int_equal(c->san_dns.n, 2);
	assert_str(&c->san_dns.v[0], "www.example.test");
	assert_str(&c->san_dns.v[1], "example.test");
	assert_int_equal(c->san_ip.n, 2);
	assert_str(&c->san_ip.v[0], "198.18.0.10");
	assert_str(&c->san_ip.v[1], "2001:db8::1");
	assert_string_equal(c->serial_hex, "0A1B2C3D");
	assert_int_equal(c->not_before, nb);
	assert_int_equal(c->not_after, na);
	assert_int_equal(c->days_to_expiry, 89);
	assert_false(c->expired);
	assert_false(c->not_yet_valid);
	assert_false(c->self_signed);
	assert_string_equal(c->sig_alg, "sha256WithRSAEncryption");
	assert_string_equal(c->key_alg, "RSA");
	assert_int_equal(c->key_bits, 2048);
	assert_string_equal(c->key_curve, "");
	assert_fp(c->sha256, leaf, EVP_sha256());
	assert_fp(c->sha1, leaf, EVP_sha1());

	assert_int_equal(ci.chain_len, 2);
	assert_int_equal(ci.chain_total, 2);
	assert_str(&ci.chain[0].subject_dn, "CN=www.example.test,O=Portus Test,C=ZZ");
	assert_str(&ci.chain[0].issuer_dn, "CN=Portus Test CA,O=Portus Test,C=ZZ");
	assert_fp(ci.chain[0].sha256, leaf, EVP_sha256());
	assert_str(&ci.chain[1].subject_dn, "CN=Portus Test CA,O=Portus Test,C=ZZ");
	assert_str(&ci.chain[1].issuer_dn, "CN=Portus Test CA,O=Portus Test,C=ZZ");
	assert_fp(ci.chain[1].sha256, ca, EVP_sha256());
	assert_null(ci.pem);
	assert_false(ci.truncated);
	assert_string_equal(ci.truncated_fields, "");

	tls_chain_free(&ci);
	assert_int_equal(ci.chain_len, 0);
	assert_null(ci.chain);
	tls_chain_free(&ci); /* a freed struct frees again harmlessly */
	sk_X509_free(sk);
	X509_free(leaf);
	X509_free(ca);
}

static void test_cert_pem_decodes_to_the_same_certificate(void **state)
{
	X509 *x = cert_new(ec_key, name_make("pem.test", 8), NOW - DAY, NOW + DAY);
	struct tls_chain_info ci;
	X509 *back;
	BIO *bio;

	(void)state;
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 1);
	assert_non_null(ci.pem);
	assert_true(strncmp(ci.pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	bio = BIO_new_mem_buf(ci.pem, -1);
	back = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	assert_non_null(back);
	assert_int_equal(X509_cmp(back, x), 0);
	X509_free(back);
	BIO_free(bio);
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_self_signed_ecdsa_p256(void **state)
{
	const int64_t nb = NOW - 2 * DAY, na = NOW + 10 * DAY - 1;
	X509 *x = cert_new(ec_key, name_make("self.test", 9), nb, na);
	struct tls_chain_info ci;
	const struct tls_cert_info *c = &ci.leaf;

	(void)state;
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_str(&c->subject_dn, "CN=self.test,O=Portus Test,C=ZZ");
	assert_str(&c->issuer_dn, "CN=self.test,O=Portus Test,C=ZZ");
	assert_int_equal(c->subject_cn.n, 1);
	assert_str(&c->subject_cn.v[0], "self.test");
	assert_int_equal(c->san_dns.n, 0);
	assert_int_equal(c->san_ip.n, 0);
	assert_string_equal(c->serial_hex, "01");
	assert_int_equal(c->not_before, nb);
	assert_int_equal(c->not_after, na);
	assert_int_equal(c->days_to_expiry, 9); /* 10 days minus one second */
	assert_false(c->expired);
	assert_false(c->not_yet_valid);
	assert_true(c->self_signed);
	assert_string_equal(c->sig_alg, "ecdsa-with-SHA256");
	assert_string_equal(c->key_alg, "EC");
	assert_int_equal(c->key_bits, 256);
	assert_string_equal(c->key_curve, "prime256v1");
	assert_fp(c->sha256, x, EVP_sha256());
	assert_fp(c->sha1, x, EVP_sha1());
	/* A lone leaf is a chain of one. */
	assert_int_equal(ci.chain_len, 1);
	assert_int_equal(ci.chain_total, 1);
	assert_memory_equal(ci.chain[0].sha256, c->sha256, 32);
	assert_false(ci.truncated);
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_self_signed_despite_key_usage_without_certsign(void **state)
{
	X509 *x = cert_new(ec_key, name_make("ku.test", 7), NOW - DAY, NOW + DAY);
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	struct tls_chain_info ci;

	(void)state;
	assert_non_null(ku);
	assert_int_equal(ASN1_BIT_STRING_set_bit(ku, 0, 1), 1); /* digitalSignature only */
	assert_int_equal(X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT), 1);
	ASN1_BIT_STRING_free(ku);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_true(ci.leaf.self_signed);
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_same_names_other_key_is_not_self_signed(void **state)
{
	X509 *x = cert_new(ec_key, name_make("forged.test", 11), NOW - DAY, NOW + DAY);
	struct tls_chain_info ci;

	(void)state;
	cert_sign(x, NULL, rsa_ca); /* issuer name == subject, but another key signed it */
	extract(&ci, x, NULL, 0);
	assert_str(&ci.leaf.issuer_dn, "CN=forged.test,O=Portus Test,C=ZZ");
	assert_false(ci.leaf.self_signed);
	assert_string_equal(ci.leaf.sig_alg, "sha256WithRSAEncryption");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_ed25519_key_and_signature(void **state)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x;
	struct tls_chain_info ci;

	(void)state;
	assert_non_null(ed);
	x = cert_new(ed, name_make("ed.test", 7), NOW - DAY, NOW + DAY);
	assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(x)), 1);
	assert_true(X509_sign(x, ed, NULL) > 0); /* EdDSA: no separate digest */
	extract(&ci, x, NULL, 0);
	assert_string_equal(ci.leaf.sig_alg, "ED25519");
	assert_string_equal(ci.leaf.key_alg, "ED25519");
	assert_int_equal(ci.leaf.key_bits, EVP_PKEY_get_bits(ed));
	assert_string_equal(ci.leaf.key_curve, "");
	assert_true(ci.leaf.self_signed);
	tls_chain_free(&ci);
	X509_free(x);
	EVP_PKEY_free(ed);
}

/* A time OpenSSL cannot read: 0, named in truncated_fields, no verdict. */
static void test_cert_unreadable_not_after(void **state)
{
	X509 *x = cert_new(ec_key, name_make("t.test", 6), NOW - DAY, NOW + DAY);
	struct tls_chain_info ci;

	(void)state;
	assert_int_equal(ASN1_STRING_set(X509_getm_notAfter(x), "20271301000000Z", 15), 1);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_int_equal(ci.leaf.not_before, NOW - DAY);
	assert_int_equal(ci.leaf.not_after, 0);
	assert_false(ci.leaf.expired);
	assert_int_equal(ci.leaf.days_to_expiry, 0);
	assert_true(ci.truncated);
	assert_string_equal(ci.truncated_fields, "not_after");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_expired(void **state)
{
	const int64_t nb = NOW - 400 * DAY, na = NOW - 10 * DAY - 1;
	X509 *x = cert_new(ec_key, name_make("old.test", 8), nb, na);
	struct tls_chain_info ci;

	(void)state;
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_int_equal(ci.leaf.not_before, nb);
	assert_int_equal(ci.leaf.not_after, na);
	assert_int_equal(ci.leaf.days_to_expiry, -11); /* floor, not truncation toward 0 */
	assert_true(ci.leaf.expired);
	assert_false(ci.leaf.not_yet_valid);
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_validity_bounds_are_inclusive(void **state)
{
	X509 *x = cert_new(ec_key, name_make("edge.test", 9), NOW, NOW);
	struct tls_chain_info ci;

	(void)state;
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_false(ci.leaf.expired);
	assert_false(ci.leaf.not_yet_valid);
	assert_int_equal(ci.leaf.days_to_expiry, 0);
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_not_yet_valid_generalized_time(void **state)
{
	/* 2051 and later are GeneralizedTime, not UTCTime. */
	const int64_t nb = NOW + 5 * DAY, na = 2600000000LL;
	X509 *x = cert_new(ec_key, name_make("future.test", 11), nb, na);
	struct tls_chain_info ci;

	(void)state;
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(x)), V_ASN1_GENERALIZEDTIME);
	assert_int_equal(ci.leaf.not_before, nb);
	assert_int_equal(ci.leaf.not_after, na);
	assert_int_equal(ci.leaf.days_to_expiry, (na - NOW) / DAY);
	assert_false(ci.leaf.expired);
	assert_true(ci.leaf.not_yet_valid);
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_wildcard_san_kept_verbatim(void **state)
{
	X509 *x = cert_new(ec_key, name_make("*.example.test", 14), NOW - DAY, NOW + DAY);
	GENERAL_NAMES *g = sans_new();
	struct tls_chain_info ci;

	(void)state;
	san_dns(g, "*.example.test");
	san_dns(g, "example.test");
	sans_attach(x, g);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_str(&ci.leaf.subject_dn, "CN=*.example.test,O=Portus Test,C=ZZ");
	assert_str(&ci.leaf.subject_cn.v[0], "*.example.test");
	assert_int_equal(ci.leaf.san_dns.n, 2);
	assert_str(&ci.leaf.san_dns.v[0], "*.example.test");
	assert_str(&ci.leaf.san_dns.v[1], "example.test");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_500_sans_capped_at_max_names(void **state)
{
	X509 *x = cert_new(ec_key, name_make("many.test", 9), NOW - DAY, NOW + DAY);
	GENERAL_NAMES *g = sans_new();
	struct tls_chain_info ci;
	char name[64];
	unsigned char ip[4] = { 10, 0, 0, 0 };

	(void)state;
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "h%03d.example.test", i);
		san_dns(g, name);
	}
	for (int i = 0; i < 150; i++) {
		ip[2] = (unsigned char)(i >> 8);
		ip[3] = (unsigned char)i;
		san_add(g, GEN_IPADD, ip, 4);
	}
	sans_attach(x, g);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_int_equal(ci.leaf.san_dns.n, TLS_MAX_NAMES);
	for (int i = 0; i < TLS_MAX_NAMES; i++) {
		snprintf(name, sizeof(name), "h%03d.example.test", i);
		assert_str(&ci.leaf.san_dns.v[i], name);
	}
	assert_int_equal(ci.leaf.san_ip.n, TLS_MAX_NAMES);
	assert_str(&ci.leaf.san_ip.v[99], "10.0.0.99");
	assert_true(ci.truncated);
	assert_string_equal(ci.truncated_fields, "san_dns,san_ip");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_san_ip_of_odd_length_is_skipped(void **state)
{
	static const unsigned char bad[8] = {
		10, 0, 0, 0, 255, 0, 0, 0
	}; /* a name-constraint form */
	static const unsigned char ok[4] = { 192, 0, 2, 1 };
	X509 *x = cert_new(ec_key, name_make("ip.test", 7), NOW - DAY, NOW + DAY);
	GENERAL_NAMES *g = sans_new();
	struct tls_chain_info ci;

	(void)state;
	san_add(g, GEN_IPADD, bad, sizeof(bad));
	san_add(g, GEN_IPADD, ok, sizeof(ok));
	san_add(g, GEN_IPADD, bad, 0);
	sans_attach(x, g);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_int_equal(ci.leaf.san_ip.n, 1);
	assert_str(&ci.leaf.san_ip.v[0], "192.0.2.1");
	assert_true(ci.truncated);
	assert_string_equal(ci.truncated_fields, "san_ip");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_cn_with_embedded_nul_keeps_every_byte(void **state)
{
	static const char cn[] = "evil.test\0.good.test";
	X509 *x = cert_new(ec_key, name_make(cn, sizeof(cn) - 1), NOW - DAY, NOW + DAY);
	GENERAL_NAMES *g = sans_new();
	struct tls_chain_info ci;

	(void)state;
	san_add(g, GEN_DNS, cn, sizeof(cn) - 1);
	sans_attach(x, g);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_int_equal(ci.leaf.subject_cn.n, 1);
	assert_bytes(&ci.leaf.subject_cn.v[0], cn, sizeof(cn) - 1);
	assert_int_equal(ci.leaf.san_dns.n, 1);
	assert_bytes(&ci.leaf.san_dns.v[0], cn, sizeof(cn) - 1);
	/* RFC 4514: NUL is written as \00. */
	assert_str(&ci.leaf.subject_dn, "CN=evil.test\\00.good.test,O=Portus Test,C=ZZ");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_cn_utf8_is_kept_readable(void **state)
{
	static const char cn[] = "caf\xc3\xa9.\xe4\xbe\x8b\xe5\xad\x90.test"; /* café.例子.test */
	X509 *x = cert_new(ec_key, name_make(cn, sizeof(cn) - 1), NOW - DAY, NOW + DAY);
	struct tls_chain_info ci;

	(void)state;
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_bytes(&ci.leaf.subject_cn.v[0], cn, sizeof(cn) - 1);
	assert_str(&ci.leaf.subject_dn,
		   "CN=caf\xc3\xa9.\xe4\xbe\x8b\xe5\xad\x90.test,O=Portus Test,C=ZZ");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_cn_bmpstring_becomes_utf8(void **state)
{
	static const unsigned char bmp[] = {
		0, 'h', 0, 'i', 0, '.', 0x00, 0xe9
	}; /* "hi.é" in UTF-16BE */
	X509_NAME *n = X509_NAME_new();
	X509 *x;
	struct tls_chain_info ci;

	(void)state;
	assert_non_null(n);
	name_add_raw(n, NID_commonName, V_ASN1_BMPSTRING, bmp, sizeof(bmp));
	x = cert_new(ec_key, n, NOW - DAY, NOW + DAY);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_str(&ci.leaf.subject_cn.v[0], "hi.\xc3\xa9");
	assert_str(&ci.leaf.subject_dn, "CN=hi.\xc3\xa9");
	tls_chain_free(&ci);
	X509_free(x);
}

/*
 * OpenSSL refuses to decode a name whose UTF8String is not UTF-8 (it
 * canonicalises every name on decoding), so a server cannot deliver one; an
 * IA5String is decoded as bytes, so that is how invalid UTF-8 arrives.
 */
static void test_cert_cn_invalid_utf8_quotes_controls_kept_raw(void **state)
{
	static const char cn[] = "\xff\xfe\"q\"\x01\n<x>,y\\";
	X509_NAME *n = X509_NAME_new();
	X509 *x;
	struct tls_chain_info ci;

	(void)state;
	assert_non_null(n);
	name_add_raw(n, NID_commonName, V_ASN1_IA5STRING, cn, sizeof(cn) - 1);
	x = cert_new(ec_key, n, NOW - DAY, NOW + DAY);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_int_equal(ci.leaf.subject_cn.n, 1);
	assert_bytes(&ci.leaf.subject_cn.v[0], cn, sizeof(cn) - 1);
	/* The DN escapes RFC 4514 specials and controls; the printer reads an
	 * IA5String's high bytes as Latin-1, so the DN is UTF-8 ("\xff" is "ÿ"). */
	assert_str(&ci.leaf.subject_dn, "CN=\xc3\xbf\xc3\xbe\\\"q\\\"\\01\\0A\\<x\\>\\,y\\\\");
	tls_chain_free(&ci);
	X509_free(x);
}

/* T61String is read as Latin-1 (as OpenSSL does) and converted to UTF-8. */
static void test_cert_cn_t61string_becomes_utf8(void **state)
{
	X509_NAME *n = X509_NAME_new();
	X509 *x;
	struct tls_chain_info ci;

	(void)state;
	assert_non_null(n);
	name_add_raw(n, NID_commonName, V_ASN1_T61STRING, "caf\xe9", 4);
	x = cert_new(ec_key, n, NOW - DAY, NOW + DAY);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_str(&ci.leaf.subject_cn.v[0], "caf\xc3\xa9");
	assert_str(&ci.leaf.subject_dn, "CN=caf\xc3\xa9");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_every_cn_and_long_names_capped(void **state)
{
	X509_NAME *n = X509_NAME_new();
	char *long_cn = malloc(2000);
	X509 *x;
	struct tls_chain_info ci;

	(void)state;
	assert_non_null(n);
	assert_non_null(long_cn);
	memset(long_cn, 'a', 2000);
	/* A 2-byte character straddling the cap is dropped whole. */
	long_cn[TLS_MAX_NAME_BYTES - 1] = (char)0xc3;
	long_cn[TLS_MAX_NAME_BYTES] = (char)0xa9;
	name_add_raw(n, NID_commonName, V_ASN1_UTF8STRING, long_cn, 2000);
	for (int i = 0; i < 150; i++)
		name_add_raw(n, NID_commonName, V_ASN1_UTF8STRING, "c", 1);
	x = cert_new(ec_key, n, NOW - DAY, NOW + DAY);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_int_equal(ci.leaf.subject_cn.n, TLS_MAX_NAMES);
	assert_bytes(&ci.leaf.subject_cn.v[0], long_cn, TLS_MAX_NAME_BYTES - 1);
	assert_str(&ci.leaf.subject_cn.v[1], "c");
	assert_int_equal(ci.leaf.subject_dn.len, TLS_MAX_NAME_BYTES);
	assert_true(ci.truncated);
	assert_string_equal(ci.truncated_fields, "subject,issuer,subject_cn,chain");
	/* The chain entry's copies of those DNs are capped too. */
	assert_int_equal(ci.chain[0].subject_dn.len, TLS_MAX_NAME_BYTES);
	tls_chain_free(&ci);
	X509_free(x);
	free(long_cn);
}

static void test_cert_serial_30_bytes_and_leading_zero(void **state)
{
	unsigned char sn[30];
	char want[61];
	X509 *x = cert_new(ec_key, name_make("sn.test", 7), NOW - DAY, NOW + DAY);
	struct tls_chain_info ci;

	(void)state;
	for (int i = 0; i < 30; i++) {
		sn[i] = (unsigned char)(0x9a + 7 * i);
		snprintf(want + 2 * i, 3, "%02X", sn[i]);
	}
	set_serial(x, sn, sizeof(sn)); /* high bit set: DER adds a 00 the output drops */
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_string_equal(ci.leaf.serial_hex, want);
	assert_false(ci.truncated);
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_serial_over_cap_and_negative(void **state)
{
	unsigned char sn[70];
	char want[2 * TLS_MAX_SERIAL_BYTES + 1];
	X509 *x = cert_new(ec_key, name_make("sn.test", 7), NOW - DAY, NOW + DAY);
	struct tls_chain_info ci;

	(void)state;
	memset(sn, 0x5c, sizeof(sn));
	memset(want, '5', sizeof(want));
	for (int i = 1; i < 2 * TLS_MAX_SERIAL_BYTES; i += 2)
		want[i] = 'C';
	want[2 * TLS_MAX_SERIAL_BYTES] = '\0';
	set_serial(x, sn, sizeof(sn));
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_string_equal(ci.leaf.serial_hex, want);
	assert_string_equal(ci.truncated_fields, "serial");
	tls_chain_free(&ci);

	set_serial_int(x, -0x0102);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_string_equal(ci.leaf.serial_hex, "-0102");
	tls_chain_free(&ci);
	X509_free(x);
}

static void test_cert_chain_of_11_keeps_10(void **state)
{
	X509 *certs[11];
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct tls_chain_info ci;
	char cn[32], dn[80];

	(void)state;
	assert_non_null(sk);
	/* certs[i] is issued by certs[i + 1]; certs[10] is self-signed. */
	for (int i = 10; i >= 0; i--) {
		snprintf(cn, sizeof(cn), "level %d", i);
		certs[i] = cert_new(ec_key, name_make(cn, strlen(cn)), NOW - DAY, NOW + DAY);
		cert_sign(certs[i], i < 10 ? certs[i + 1] : NULL, ec_key);
	}
	for (int i = 0; i < 11; i++)
		assert_true(sk_X509_push(sk, certs[i]) > 0);
	extract(&ci, NULL, sk, 0); /* the leaf is chain[0] */
	assert_true(ci.has_leaf);
	assert_str(&ci.leaf.subject_cn.v[0], "level 0");
	assert_int_equal(ci.chain_len, TLS_MAX_CHAIN);
	assert_int_equal(ci.chain_total, 11);
	for (int i = 0; i < TLS_MAX_CHAIN; i++) {
		snprintf(dn, sizeof(dn), "CN=level %d,O=Portus Test,C=ZZ", i);
		assert_str(&ci.chain[i].subject_dn, dn);
		snprintf(dn, sizeof(dn), "CN=level %d,O=Portus Test,C=ZZ", i + 1);
		assert_str(&ci.chain[i].issuer_dn, dn);
		assert_fp(ci.chain[i].sha256, certs[i], EVP_sha256());
	}
	assert_true(ci.truncated);
	assert_string_equal(ci.truncated_fields, "chain");
	tls_chain_free(&ci);
	for (int i = 0; i < 11; i++)
		X509_free(certs[i]);
	sk_X509_free(sk);
}

static void test_cert_leaf_missing_from_chain_is_put_first(void **state)
{
	X509 *ca = make_ca();
	X509 *leaf = cert_new(ec_key, name_make("a.test", 6), NOW - DAY, NOW + DAY);
	STACK_OF(X509) *sk = stack_of(ca, NULL);
	struct tls_chain_info ci;

	(void)state;
	cert_sign(leaf, ca, rsa_ca);
	extract(&ci, leaf, sk, 0);
	assert_str(&ci.leaf.subject_cn.v[0], "a.test");
	assert_int_equal(ci.chain_len, 2);
	assert_int_equal(ci.chain_total, 2);
	assert_fp(ci.chain[0].sha256, leaf, EVP_sha256());
	assert_fp(ci.chain[1].sha256, ca, EVP_sha256());
	tls_chain_free(&ci);
	sk_X509_free(sk);
	X509_free(leaf);
	X509_free(ca);
}

static void test_cert_nothing_gives_empty_record(void **state)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct tls_chain_info ci;

	(void)state;
	assert_non_null(sk);
	memset(&ci, 0x55, sizeof(ci)); /* garbage in: extract starts from zero */
	extract(&ci, NULL, NULL, 0);
	assert_false(ci.has_leaf);
	assert_int_equal(ci.chain_len, 0);
	assert_int_equal(ci.chain_total, 0);
	assert_null(ci.chain);
	assert_null(ci.leaf.subject_dn.p);
	assert_false(ci.truncated);
	extract(&ci, NULL, sk, 1);
	assert_false(ci.has_leaf);
	assert_null(ci.pem);
	tls_chain_free(&ci);
	sk_X509_free(sk);
}

static void test_cert_empty_subject_with_only_sans(void **state)
{
	X509 *x = cert_new(ec_key, X509_NAME_new(), NOW - DAY, NOW + DAY);
	GENERAL_NAMES *g = sans_new();
	struct tls_chain_info ci;

	(void)state;
	san_dns(g, "only-san.test");
	sans_attach(x, g);
	cert_sign(x, NULL, ec_key);
	extract(&ci, x, NULL, 0);
	assert_str(&ci.leaf.subject_dn, "");
	assert_int_equal(ci.leaf.subject_cn.n, 0);
	assert_str(&ci.leaf.san_dns.v[0], "only-san.test");
	assert_false(ci.truncated);
	tls_chain_free(&ci);
	X509_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_ca_signed_rsa_leaf_every_field),
		cmocka_unit_test(test_cert_pem_decodes_to_the_same_certificate),
		cmocka_unit_test(test_cert_self_signed_ecdsa_p256),
		cmocka_unit_test(test_cert_self_signed_despite_key_usage_without_certsign),
		cmocka_unit_test(test_cert_same_names_other_key_is_not_self_signed),
		cmocka_unit_test(test_cert_ed25519_key_and_signature),
		cmocka_unit_test(test_cert_unreadable_not_after),
		cmocka_unit_test(test_cert_expired),
		cmocka_unit_test(test_cert_validity_bounds_are_inclusive),
		cmocka_unit_test(test_cert_not_yet_valid_generalized_time),
		cmocka_unit_test(test_cert_wildcard_san_kept_verbatim),
		cmocka_unit_test(test_cert_500_sans_capped_at_max_names),
		cmocka_unit_test(test_cert_san_ip_of_odd_length_is_skipped),
		cmocka_unit_test(test_cert_cn_with_embedded_nul_keeps_every_byte),
		cmocka_unit_test(test_cert_cn_utf8_is_kept_readable),
		cmocka_unit_test(test_cert_cn_bmpstring_becomes_utf8),
		cmocka_unit_test(test_cert_cn_invalid_utf8_quotes_controls_kept_raw),
		cmocka_unit_test(test_cert_cn_t61string_becomes_utf8),
		cmocka_unit_test(test_cert_every_cn_and_long_names_capped),
		cmocka_unit_test(test_cert_serial_30_bytes_and_leading_zero),
		cmocka_unit_test(test_cert_serial_over_cap_and_negative),
		cmocka_unit_test(test_cert_chain_of_11_keeps_10),
		cmocka_unit_test(test_cert_leaf_missing_from_chain_is_put_first),
		cmocka_unit_test(test_cert_nothing_gives_empty_record),
		cmocka_unit_test(test_cert_empty_subject_with_only_sans),
	};

	return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
