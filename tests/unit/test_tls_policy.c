/*
 * test_tls_policy.c — the TLS policy engine (include/tls_policy.h): the
 * built-in Mozilla profiles (data/policies/, embedded) against endpoints built
 * to pass and to fail them, every violation token and reason exactly; the
 * file parser's errors; the nginx "HIGH:!aNULL:!MD5" example; the endpoint
 * facts taken from a TLS record. Run from the source tree (make unit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "portus.h"
#include "tls_cert.h"
#include "tls_hello.h"
#include "tls_policy.h"

#define V10 0
#define V11 1
#define V12 2
#define V13 3
#define ALLV (TLS_V10 | TLS_V11 | TLS_V12 | TLS_V13)

static uint16_t suite(const char *name)
{
	uint16_t id = 0;

	if (tls_policy_suite_id(name, strlen(name), &id) != 0)
		fail_msg("no suite %s in the table", name);
	return id;
}

static uint16_t group(const char *name)
{
	uint16_t id = 0;

	if (tls_policy_group_id(name, strlen(name), &id) != 0)
		fail_msg("no group %s in the table", name);
	return id;
}

static void load(struct tls_policy *p, const char *arg)
{
	char err[PORTUS_ERRLEN] = "";

	if (tls_policy_load(p, arg, err, sizeof(err)) != 0)
		fail_msg("%s: %s", arg, err);
}

/* Judges e against the policy loaded from arg. */
static void judge(const char *arg, const struct tls_policy_endpoint *e,
		  struct tls_policy_verdict *v)
{
	struct tls_policy p;

	load(&p, arg);
	tls_policy_check(&p, e, v);
}

static void accept_suite(struct tls_policy_endpoint *e, int v, const char *name)
{
	e->suite[v][e->nsuites[v]++] = suite(name);
	e->versions_accepted |= 1u << v;
}

static void accept_group(struct tls_policy_endpoint *e, const char *name)
{
	e->group[e->ngroups++] = group(name);
}

/* Everything measured: every version tested, every suite and group list a
 * full enumeration, a leaf, an HTTP answer. */
static void known_everything(struct tls_policy_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->versions_known = ALLV;
	e->suites_known = ALLV;
	e->groups_known = 1;
	e->cert_known = 1;
	e->http = 1;
	e->hsts_present = e->hsts_valid = 1;
	e->hsts_max_age = 63072000;
}

static void set_cert(struct tls_policy_endpoint *e, const char *type, int bits, const char *curve,
		     const char *sig, int64_t days)
{
	snprintf(e->key_type, sizeof(e->key_type), "%s", type);
	e->key_bits = bits;
	snprintf(e->key_curve, sizeof(e->key_curve), "%s", curve);
	snprintf(e->sig_alg, sizeof(e->sig_alg), "%s", sig);
	e->validity_days = days;
}

struct want {
	const char *token, *reason;
};

/* The verdict holds exactly these violations, in this order. */
static void expect(const struct tls_policy_verdict *v, const struct want *w, size_t n)
{
	for (size_t i = 0; i < v->n && i < n; i++) {
		if (strcmp(v->v[i].token, w[i].token) != 0 ||
		    strcmp(v->v[i].reason, w[i].reason) != 0)
			fail_msg("violation %zu: got %s \"%s\", want %s \"%s\"", i, v->v[i].token,
				 v->v[i].reason, w[i].token, w[i].reason);
	}
	if (v->n != n) {
		for (size_t i = 0; i < v->n; i++)
			print_message("  got %s \"%s\"\n", v->v[i].token, v->v[i].reason);
		fail_msg("%zu violations, want %zu", v->n, n);
	}
	assert_int_equal(v->total, n);
	assert_int_equal(v->compliant, n == 0);
}

/* ---- the built-in profiles as parsed ---- */

static void test_builtin_profiles_parsed(void **state)
{
	struct tls_policy p;

	(void)state;
	load(&p, "modern");
	assert_string_equal(p.name, "modern");
	assert_int_equal(p.versions, TLS_V13);
	assert_int_equal(p.suite_versions, TLS_V13);
	assert_int_equal(p.nsuites[V13], 3);
	assert_int_equal(p.suite[V13][0], 0x1301);
	assert_int_equal(p.suite[V13][2], 0x1303);
	assert_int_equal(p.ngroups, 3);
	assert_int_equal(p.group[0], 0x001D);
	assert_int_equal(p.group[1], 0x0017); /* prime256v1 = secp256r1 */
	assert_int_equal(p.key_types.n, 1);
	assert_string_equal(p.key_types.v[0], "EC");
	assert_int_equal(p.curves.n, 2);
	assert_int_equal(p.signatures.n, 3);
	assert_int_equal(p.max_cert_days, 90);
	assert_int_equal(p.hsts_min_age, 63072000);
	assert_int_equal(p.rules & (TLS_POL_DH | TLS_POL_KEY_BITS), 0);

	load(&p, "intermediate");
	assert_string_equal(p.name, "intermediate");
	assert_int_equal(p.versions, TLS_V12 | TLS_V13);
	assert_int_equal(p.nsuites[V12], 9);
	assert_int_equal(p.suite[V12][0], 0xC02B);
	assert_int_equal(p.suite[V12][8], 0xCCAA); /* 5.7 appended DHE-RSA-CHACHA20 */
	assert_int_equal(p.nsuites[V13], 3);
	assert_int_equal(p.nsuites[V10] + p.nsuites[V11], 0);
	assert_int_equal(p.key_types.n, 2);
	assert_int_equal(p.key_min_bits[TLS_POL_KEY_RSA], 2048);
	assert_int_equal(p.key_min_bits[TLS_POL_KEY_EC], 0);
	assert_int_equal(p.signatures.n, 4);
	assert_int_equal(p.max_cert_days, 366);
	assert_int_equal(p.dh_min_bits, 2048);

	load(&p, "old");
	assert_int_equal(p.versions, ALLV);
	for (int v = V10; v <= V12; v++)
		assert_int_equal(p.nsuites[v], 26);
	assert_int_equal(p.suite[V12][25], 0x000A); /* DES-CBC3-SHA last */
	assert_int_equal(p.nsuites[V13], 3);
	assert_int_equal(p.key_types.n, 1);
	assert_string_equal(p.key_types.v[0], "RSA");
	assert_int_equal(p.signatures.n, 1);
	assert_int_equal(p.dh_min_bits, 1024);
	assert_int_equal(p.rules, (1u << TLS_POL_NRULES) - 1);

	assert_null(tls_policy_builtin_text("Modern"));
	assert_null(tls_policy_builtin_text("mozilla"));
}

/* ---- modern ---- */

static void modern_pass(struct tls_policy_endpoint *e)
{
	known_everything(e);
	accept_suite(e, V13, "TLS_AES_128_GCM_SHA256");
	accept_suite(e, V13, "TLS_AES_256_GCM_SHA384");
	accept_suite(e, V13, "TLS_CHACHA20_POLY1305_SHA256");
	accept_group(e, "x25519");
	accept_group(e, "secp256r1");
	set_cert(e, "EC", 256, "prime256v1", "ecdsa-with-SHA256", 89);
	snprintf(e->tmp_key_type, sizeof(e->tmp_key_type), "X25519");
	e->tmp_key_bits = 253;
}

static void test_modern_pass(void **state)
{
	struct tls_policy_endpoint e;
	struct tls_policy_verdict v;

	(void)state;
	modern_pass(&e);
	judge("modern", &e, &v);
	expect(&v, NULL, 0);
	assert_int_equal(v.unjudged, 0);
	e.validity_days = 90; /* the limit itself is allowed */
	judge("modern", &e, &v);
	expect(&v, NULL, 0);
}

static void test_modern_fail(void **state)
{
	static const struct want want[] = {
		{ "version-not-allowed", "version TLSv1.2 accepted" },
		{ "suite-not-allowed", "suite TLS_AES_128_CCM_SHA256 accepted under TLSv1.3" },
		{ "group-not-allowed", "group secp521r1 accepted" },
		{ "key-type-not-allowed", "certificate key type RSA not allowed" },
		{ "signature-not-allowed", "signature sha256WithRSAEncryption not allowed" },
		{ "lifetime-too-long", "certificate valid 91 days > 90" },
		{ "hsts-max-age-too-short", "HSTS max-age 31536000 < 63072000" },
	};
	struct tls_policy_endpoint e;
	struct tls_policy_verdict v;

	(void)state;
	modern_pass(&e);
	/* modern sets no TLS 1.2 suite rule: the suite below is judged only
	 * through the version it came with */
	accept_suite(&e, V12, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	accept_suite(&e, V13, "TLS_AES_128_CCM_SHA256");
	accept_group(&e, "secp521r1");
	set_cert(&e, "RSA", 2048, "", "sha256WithRSAEncryption", 91);
	e.hsts_max_age = 31536000;
	judge("modern", &e, &v);
	expect(&v, want, sizeof(want) / sizeof(want[0]));

	/* an EC key on a curve modern does not list; then no header at all */
	modern_pass(&e);
	set_cert(&e, "EC", 521, "secp521r1", "ecdsa-with-SHA512", 30);
	e.hsts_present = 0;
	e.hsts_max_age = -1;
	judge("modern", &e, &v);
	{
		static const struct want w2[] = {
			{ "curve-not-allowed", "certificate curve secp521r1 not allowed" },
			{ "hsts-missing", "no valid Strict-Transport-Security header" },
		};
		expect(&v, w2, 2);
	}
	/* a header browsers ignore is as good as none */
	e.hsts_present = 1;
	e.hsts_valid = 0;
	judge("modern", &e, &v);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[1].token, "hsts-missing");
}

/* ---- intermediate ---- */

static void intermediate_pass(struct tls_policy_endpoint *e)
{
	known_everything(e);
	accept_suite(e, V12, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	accept_suite(e, V12, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
	accept_suite(e, V12, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
	accept_suite(e, V13, "TLS_AES_256_GCM_SHA384");
	accept_group(e, "x25519");
	accept_group(e, "secp384r1");
	set_cert(e, "RSA", 2048, "", "sha256WithRSAEncryption", 365);
	snprintf(e->tmp_key_type, sizeof(e->tmp_key_type), "DH");
	e->tmp_key_bits = 2048;
}

static void test_intermediate(void **state)
{
	static const struct want want[] = {
		{ "version-not-allowed", "version TLSv1 accepted" },
		{ "version-not-allowed", "version TLSv1.1 accepted" },
		{ "suite-not-allowed",
		  "suite TLS_RSA_WITH_3DES_EDE_CBC_SHA accepted under TLSv1.2" },
		{ "suite-not-allowed",
		  "suite TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA accepted under TLSv1.2" },
		{ "group-not-allowed", "group ffdhe2048 accepted" },
		{ "key-too-small", "RSA key 1024 bits < 2048" },
		{ "signature-not-allowed", "signature sha1WithRSAEncryption not allowed" },
		{ "lifetime-too-long", "certificate valid 825 days > 366" },
		{ "dh-too-small", "DH key 1024 bits < 2048" },
		{ "hsts-missing", "no valid Strict-Transport-Security header" },
	};
	struct tls_policy_endpoint e;
	struct tls_policy_verdict v;

	(void)state;
	intermediate_pass(&e);
	judge("intermediate", &e, &v);
	expect(&v, NULL, 0);
	assert_int_equal(v.unjudged, 0);
	/* an EC leaf is allowed too, with any key size on a listed curve */
	set_cert(&e, "EC", 384, "secp384r1", "ecdsa-with-SHA384", 90);
	judge("intermediate", &e, &v);
	expect(&v, NULL, 0);

	intermediate_pass(&e);
	accept_suite(&e, V10, "TLS_RSA_WITH_AES_128_CBC_SHA");
	accept_suite(&e, V11, "TLS_RSA_WITH_AES_128_CBC_SHA");
	accept_suite(&e, V12, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
	accept_suite(&e, V12, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
	accept_group(&e, "ffdhe2048");
	set_cert(&e, "RSA", 1024, "", "sha1WithRSAEncryption", 825);
	e.tmp_key_bits = 1024;
	e.hsts_present = 0;
	judge("intermediate", &e, &v);
	expect(&v, want, sizeof(want) / sizeof(want[0]));

	/* RSA-PSS keys fall under the RSA minimum, and are not "RSA" */
	intermediate_pass(&e);
	set_cert(&e, "RSA-PSS", 1024, "", "rsassaPss", 90);
	judge("intermediate", &e, &v);
	{
		static const struct want w2[] = {
			{ "key-type-not-allowed", "certificate key type RSA-PSS not allowed" },
			{ "key-too-small", "RSA-PSS key 1024 bits < 2048" },
			{ "signature-not-allowed", "signature rsassaPss not allowed" },
		};
		expect(&v, w2, 3);
	}
}

/* ---- old ---- */

static void test_old(void **state)
{
	static const struct want want[] = {
		{ "suite-not-allowed", "suite TLS_RSA_WITH_RC4_128_SHA accepted under TLSv1" },
		{ "key-type-not-allowed", "certificate key type EC not allowed" },
		{ "signature-not-allowed", "signature ecdsa-with-SHA256 not allowed" },
		{ "dh-too-small", "DH key 512 bits < 1024" },
	};
	struct tls_policy_endpoint e;
	struct tls_policy_verdict v;

	(void)state;
	known_everything(&e);
	accept_suite(&e, V10, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
	accept_suite(&e, V10, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"); /* listed for 1.0 too */
	accept_suite(&e, V11, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
	accept_suite(&e, V12, "TLS_RSA_WITH_AES_256_GCM_SHA384");
	accept_suite(&e, V13, "TLS_CHACHA20_POLY1305_SHA256");
	accept_group(&e, "secp256r1");
	set_cert(&e, "RSA", 4096, "", "sha256WithRSAEncryption", 366);
	snprintf(e.tmp_key_type, sizeof(e.tmp_key_type), "DH");
	e.tmp_key_bits = 1024;
	judge("old", &e, &v);
	expect(&v, NULL, 0);
	assert_int_equal(v.unjudged, 0);

	accept_suite(&e, V10, "TLS_RSA_WITH_RC4_128_SHA");
	set_cert(&e, "EC", 256, "prime256v1", "ecdsa-with-SHA256", 90);
	e.tmp_key_bits = 512;
	judge("old", &e, &v);
	expect(&v, want, sizeof(want) / sizeof(want[0]));
}

/* ---- what could not be judged ---- */

static void test_unjudged(void **state)
{
	struct tls_policy p;
	struct tls_policy_endpoint e;
	struct tls_policy_verdict v;

	(void)state;
	load(&p, "intermediate");
	/* only the main handshake: TLS 1.2, one suite, one group, no HTTP, no
	 * leaf, an ECDHE key (the DH rule cannot be seen) */
	memset(&e, 0, sizeof(e));
	accept_suite(&e, V12, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	accept_group(&e, "x25519");
	snprintf(e.tmp_key_type, sizeof(e.tmp_key_type), "X25519");
	tls_policy_check(&p, &e, &v);
	expect(&v, NULL, 0);
	assert_int_equal(v.unjudged, p.rules);

	/* versions: the untested ones are exactly the allowed ones -> judged */
	e.versions_known = TLS_V10 | TLS_V11;
	e.suites_known = TLS_V12 | TLS_V13;
	e.groups_known = 1;
	tls_policy_check(&p, &e, &v);
	assert_int_equal(v.unjudged & (TLS_POL_VERSIONS | TLS_POL_SUITES | TLS_POL_GROUPS), 0);
	/* a violation found on partial facts still counts */
	e.groups_known = 0;
	accept_group(&e, "secp521r1");
	tls_policy_check(&p, &e, &v);
	assert_int_equal(v.compliant, 0);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].token, "group-not-allowed");
	assert_true(v.unjudged & TLS_POL_GROUPS);
	/* TLS 1.3 accepted but its suites not enumerated */
	e.suites_known = TLS_V12;
	e.versions_accepted |= TLS_V13;
	tls_policy_check(&p, &e, &v);
	assert_true(v.unjudged & TLS_POL_SUITES);

	for (unsigned i = 0; i < TLS_POL_NRULES; i++)
		assert_non_null(tls_policy_rule_name(i));
	assert_string_equal(tls_policy_rule_name(0), "versions");
	assert_string_equal(tls_policy_rule_name(9), "hsts-min-age");
	assert_null(tls_policy_rule_name(TLS_POL_NRULES));
}

static void test_violation_list_bounded(void **state)
{
	struct tls_policy p;
	struct tls_policy_endpoint e;
	struct tls_policy_verdict v;
	char err[PORTUS_ERRLEN];
	const char *text = "suites TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n";
	size_t n = 0;

	(void)state;
	assert_int_equal(tls_policy_parse(&p, text, strlen(text), "one", err, sizeof(err)), 0);
	memset(&e, 0, sizeof(e));
	for (size_t i = 0; i < tlsh_suite_count() && n < TLS_ENUM_MAX_SUITES - 1; i++) {
		uint16_t s = tlsh_suite_at(i);

		if (!tlsh_suite_is_tls13(s) && s != 0xC02F)
			e.suite[V12][n++] = s;
	}
	e.suite[V12][n++] = 0xFEFE; /* not in the table: shown in hex */
	e.nsuites[V12] = (uint16_t)n;
	tls_policy_check(&p, &e, &v);
	assert_int_equal(v.total, n);
	assert_int_equal(v.n, TLS_POLICY_MAX_VIOLATIONS);
	assert_int_equal(v.compliant, 0);
	assert_string_equal(v.v[0].reason,
			    "suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 accepted under TLSv1.2");
	/* the hex form, at the head of a short list */
	e.suite[V12][0] = 0xFEFE;
	e.nsuites[V12] = 1;
	tls_policy_check(&p, &e, &v);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].reason, "suite 0xFEFE accepted under TLSv1.2");
}

/* ---- the file format ---- */

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "versions TLSv1.2\nfoo bar\n", "p.conf:2: unknown key 'foo'" },
		{ "versions SSLv3\n",
		  "p.conf:1: unknown version 'SSLv3' (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)" },
		{ "versions\n", "p.conf:1: versions: missing value" },
		{ "versions TLSv1.2 TLSv1.2\n", "p.conf:1: version TLSv1.2 listed twice" },
		{ "versions TLSv1.2\nversions TLSv1.3\n", "p.conf:2: versions given twice" },
		{ "# c\n\n  suites TLSv1.2 TLS_RSA_WITH_FOO\n",
		  "p.conf:3: unknown cipher suite 'TLS_RSA_WITH_FOO' (IANA names, TLS_...)" },
		{ "suites TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256\n",
		  "p.conf:1: unknown cipher suite 'ECDHE-RSA-AES128-GCM-SHA256' (IANA names, TLS_...)" },
		{ "suites TLSv1.2 TLS_AES_128_GCM_SHA256\n",
		  "p.conf:1: suite TLS_AES_128_GCM_SHA256 cannot be used under TLSv1.2" },
		{ "suites TLSv1.3 TLS_RSA_WITH_AES_128_CBC_SHA\n",
		  "p.conf:1: suite TLS_RSA_WITH_AES_128_CBC_SHA cannot be used under TLSv1.3" },
		{ "suites TLSv1.2\n", "p.conf:1: suites: no suite named" },
		{ "suites\n", "p.conf:1: suites: missing version" },
		{ "suites TLSv1.2, TLS_RSA_WITH_AES_128_CBC_SHA\n",
		  "p.conf:1: suites: empty version after ','" },
		{ "suites TLSv1.2,TLSv9 TLS_RSA_WITH_AES_128_CBC_SHA\n",
		  "p.conf:1: unknown version 'TLSv9' (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)" },
		{ "suites TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA\nsuites TLSv1.1,TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA\n",
		  "p.conf:2: suite TLS_RSA_WITH_AES_128_CBC_SHA listed twice" },
		{ "groups x25519 bogus\n", "p.conf:1: unknown group 'bogus'" },
		{ "groups x25519 X25519\n", "p.conf:1: group X25519 listed twice" },
		{ "key-types RSA ECDSA\n",
		  "p.conf:1: unknown key type 'ECDSA' (RSA, RSA-PSS, EC, ED25519, ED448, DSA)" },
		{ "key-types rsa RSA\n", "p.conf:1: key type RSA listed twice" },
		{ "cert-curves secp999r1\n",
		  "p.conf:1: unknown curve 'secp999r1' (OpenSSL short names: prime256v1, secp384r1)" },
		{ "signatures sha256WithRSA\n",
		  "p.conf:1: unknown signature algorithm 'sha256WithRSA' (OpenSSL long names: "
		  "sha256WithRSAEncryption, ecdsa-with-SHA256)" },
		{ "key-min-bits RSA\n",
		  "p.conf:1: key-min-bits: expected a key type and a number of bits" },
		{ "key-min-bits RSA 2048 4096\n",
		  "p.conf:1: key-min-bits: expected a key type and a number of bits only" },
		{ "key-min-bits ED25519 256\n",
		  "p.conf:1: key-min-bits: unknown key type 'ED25519' (RSA, EC, DSA)" },
		{ "key-min-bits RSA 2048\nkey-min-bits rsa 3072\n",
		  "p.conf:2: key-min-bits RSA given twice" },
		{ "key-min-bits EC 0x100\n", "p.conf:1: key-min-bits: '0x100' is not a number" },
		{ "key-min-bits EC 99999\n",
		  "p.conf:1: key-min-bits: 99999 is out of range (1-16384)" },
		{ "max-cert-days 12x\n", "p.conf:1: max-cert-days: '12x' is not a number" },
		{ "max-cert-days -1\n", "p.conf:1: max-cert-days: '-1' is not a number" },
		{ "max-cert-days 0\n", "p.conf:1: max-cert-days: 0 is out of range (1-100000)" },
		{ "max-cert-days\n", "p.conf:1: max-cert-days: missing value" },
		{ "max-cert-days 90 366\n", "p.conf:1: max-cert-days: one value expected" },
		{ "dh-min-bits 99999999999999999999999\n",
		  "p.conf:1: dh-min-bits: 99999999999999999999999 is out of range (1-16384)" },
		{ "hsts-min-age 1\nhsts-min-age 2\n", "p.conf:2: hsts-min-age given twice" },
		{ "hsts-min-age 2147483648\n",
		  "p.conf:1: hsts-min-age: 2147483648 is out of range (0-2147483647)" },
		{ "name a b\n", "p.conf:1: name: one value expected" },
		{ "Versions TLSv1.2\n", "p.conf:1: unknown key 'Versions'" },
		{ "# nothing but comments\n\n   # and blanks\n",
		  "p.conf: no rules (a policy needs at least one key)" },
		{ "", "p.conf: no rules (a policy needs at least one key)" },
		{ "versions TLSv1.2\x01\n",
		  "p.conf:1: unknown version 'TLSv1.2?' (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)" },
	};
	struct tls_policy p;
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (tls_policy_parse(&p, bad[i].text, strlen(bad[i].text), "p.conf", err,
				     sizeof(err)) != -1)
			fail_msg("accepted: [%s]", bad[i].text);
		if (strcmp(err, bad[i].err) != 0)
			fail_msg("[%s]\n got: %s\nwant: %s", bad[i].text, err, bad[i].err);
	}
	/* a NUL byte inside */
	assert_int_equal(
		tls_policy_parse(&p, "versions TLSv1.2\0x\n", 19, "p.conf", err, sizeof(err)), -1);
	assert_string_equal(err, "p.conf: binary file (NUL bytes), expected a policy");
}

static void test_parse_forms(void **state)
{
	const char *text = "# a policy\n"
			   "name   team-A   # trailing comment\n"
			   "\n"
			   "versions TLSv1.0 TLSv1.2\t TLSv1.3\n"
			   "suites TLSv1,TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA\n"
			   "suites TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
			   "groups X25519 Prime256v1 ffdhe2048 X25519MLKEM768\n"
			   "key-types ec ed25519 rsa-pss\n"
			   "key-min-bits dsa 3072\n"
			   "hsts-min-age 0\n";
	struct tls_policy p;
	char err[PORTUS_ERRLEN];

	(void)state;
	if (tls_policy_parse(&p, text, strlen(text), "x.policy", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(p.name, "team-A");
	assert_int_equal(p.versions, TLS_V10 | TLS_V12 | TLS_V13);
	assert_int_equal(p.suite_versions, TLS_V10 | TLS_V12);
	assert_int_equal(p.nsuites[V10], 1);
	assert_int_equal(p.nsuites[V11], 0);
	assert_int_equal(p.nsuites[V12], 2);
	assert_int_equal(p.suite[V12][0], 0x002F);
	assert_int_equal(p.suite[V12][1], 0xC02F);
	assert_int_equal(p.ngroups, 4);
	assert_int_equal(p.group[1], 0x0017);
	assert_int_equal(p.group[2], 0x0100);
	assert_int_equal(p.group[3], 0x11EC);
	assert_int_equal(p.key_types.n, 3);
	assert_string_equal(p.key_types.v[0], "EC");
	assert_string_equal(p.key_types.v[1], "ED25519");
	assert_string_equal(p.key_types.v[2], "RSA-PSS");
	assert_int_equal(p.key_min_bits[TLS_POL_KEY_DSA], 3072);
	assert_int_equal(p.rules, TLS_POL_VERSIONS | TLS_POL_SUITES | TLS_POL_GROUPS |
					  TLS_POL_KEY_TYPES | TLS_POL_KEY_BITS | TLS_POL_HSTS);
	assert_int_equal(p.hsts_min_age, 0);

	/* without a name line, the name is where the text came from */
	text = "versions TLSv1.3";
	assert_int_equal(tls_policy_parse(&p, text, strlen(text), "/etc/p", err, sizeof(err)), 0);
	assert_string_equal(p.name, "/etc/p");
	assert_int_equal(p.rules, TLS_POL_VERSIONS);
}

static void test_load_files(void **state)
{
	char path[] = "/tmp/portus-policy-XXXXXX", err[PORTUS_ERRLEN], want[PORTUS_ERRLEN + 64];
	struct tls_policy p;
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("versions TLSv1.2\nmax-cert-days 10 # short\nbogus 1\n", fp);
	fclose(fp);
	assert_int_equal(tls_policy_load(&p, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: unknown key 'bogus'", path);
	assert_string_equal(err, want);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("versions TLSv1.2\nmax-cert-days 10 # short\n", fp);
	fclose(fp);
	assert_int_equal(tls_policy_load(&p, path, err, sizeof(err)), 0);
	assert_string_equal(p.name, path);
	assert_int_equal(p.max_cert_days, 10);

	/* one byte over the cap */
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i <= TLS_POLICY_FILE_MAX; i++)
		fputc('#', fp);
	fclose(fp);
	assert_int_equal(tls_policy_load(&p, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: larger than 65536 bytes", path);
	assert_string_equal(err, want);
	unlink(path);

	assert_int_equal(tls_policy_load(&p, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: cannot open: No such file or directory (built-in policies: modern, "
		 "intermediate, old)",
		 path);
	assert_string_equal(err, want);
}

/* ---- the nginx setting ---- */

static void test_nginx_example(void **state)
{
	struct tls_policy p;
	struct tls_policy_endpoint e;
	struct tls_policy_verdict v;
	static const struct want want[] = {
		{ "version-not-allowed", "version TLSv1.1 accepted" },
		{ "suite-not-allowed",
		  "suite TLS_RSA_WITH_3DES_EDE_CBC_SHA accepted under TLSv1.2" },
		{ "suite-not-allowed", "suite TLS_RSA_WITH_RC4_128_MD5 accepted under TLSv1.2" },
		{ "suite-not-allowed",
		  "suite TLS_DH_anon_WITH_AES_128_GCM_SHA256 accepted under TLSv1.2" },
		{ "suite-not-allowed", "suite TLS_AES_128_CCM_SHA256 accepted under TLSv1.3" },
	};

	(void)state;
	load(&p, "data/policies/nginx-high.policy");
	assert_string_equal(p.name, "nginx-high");
	assert_int_equal(p.rules, TLS_POL_VERSIONS | TLS_POL_SUITES);
	assert_int_equal(p.versions, TLS_V12 | TLS_V13);
	assert_int_equal(p.nsuites[V13], 3);
	assert_int_equal(p.nsuites[V12], 71);
	/* HIGH:!aNULL:!MD5 never lets in anonymous, MD5, RC4, 3DES, NULL or EXPORT */
	for (size_t i = 0; i < p.nsuites[V12]; i++) {
		const char *n = tlsh_suite_name(p.suite[V12][i]);

		assert_non_null(n);
		if (strstr(n, "anon") || strstr(n, "MD5") || strstr(n, "RC4") ||
		    strstr(n, "3DES") || strstr(n, "NULL") || strstr(n, "EXPORT") ||
		    strstr(n, "_DES_"))
			fail_msg("%s in HIGH:!aNULL:!MD5", n);
	}

	/* a server configured that way */
	known_everything(&e);
	accept_suite(&e, V12, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
	accept_suite(&e, V12, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA");
	accept_suite(&e, V12, "TLS_RSA_WITH_AES_128_CBC_SHA");
	accept_suite(&e, V13, "TLS_AES_256_GCM_SHA384");
	accept_suite(&e, V13, "TLS_CHACHA20_POLY1305_SHA256");
	accept_group(&e, "secp521r1"); /* no groups rule: anything goes */
	set_cert(&e, "RSA", 1024, "", "sha1WithRSAEncryption", 3650); /* nor certificate rules */
	e.hsts_present = 0;
	tls_policy_check(&p, &e, &v);
	expect(&v, NULL, 0);
	assert_int_equal(v.unjudged, 0);

	/* and one that is not */
	accept_suite(&e, V11, "TLS_RSA_WITH_AES_128_CBC_SHA");
	accept_suite(&e, V12, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
	accept_suite(&e, V12, "TLS_RSA_WITH_RC4_128_MD5");
	accept_suite(&e, V12, "TLS_DH_anon_WITH_AES_128_GCM_SHA256");
	accept_suite(&e, V13, "TLS_AES_128_CCM_SHA256");
	tls_policy_check(&p, &e, &v);
	expect(&v, want, sizeof(want) / sizeof(want[0]));
}

/* ---- facts from a TLS record ---- */

static void test_endpoint_from_result(void **state)
{
	struct tls_result r;
	struct tls_ciphers c;
	struct tls_policy_endpoint e;
	static unsigned char status[] = "HTTP/1.1 200 OK";

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	r.outcome = TLS_OK;
	snprintf(r.version, sizeof(r.version), "TLSv1.2");
	snprintf(r.cipher, sizeof(r.cipher), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	snprintf(r.group, sizeof(r.group), "x25519");
	r.versions_tested = TLS_V10 | TLS_V11;
	r.versions_accepted = TLS_V11 | TLS_V12; /* V12 untested: not taken from here */
	c.tested = TLS_V12 | TLS_V13;
	c.n[V12] = 2;
	c.suite[V12][0] = 0xC030;
	c.suite[V12][1] = 0x009C;
	c.n[V13] = 1;
	c.suite[V13][0] = 0x1302;
	c.groups_tested = 1;
	c.ngroups = 1;
	c.group[0] = 0x0017;
	r.ciphers = &c;
	r.certs.has_leaf = 1;
	snprintf(r.certs.leaf.key_alg, sizeof(r.certs.leaf.key_alg), "RSA");
	r.certs.leaf.key_bits = 3072;
	snprintf(r.certs.leaf.sig_alg, sizeof(r.certs.leaf.sig_alg), "sha384WithRSAEncryption");
	r.certs.leaf.not_before = 1700000000;
	r.certs.leaf.not_after = 1700000000 + 90 * 86400 - 1;
	snprintf(r.checks.tmp_key_type, sizeof(r.checks.tmp_key_type), "X25519");
	r.checks.tmp_key_bits = 253;
	r.banner_done = 1;
	r.http_status.p = status;
	r.http_status.len = sizeof(status) - 1;
	r.hsts.present = 1;
	r.hsts.valid = 1;
	r.hsts.max_age = 600;

	tls_policy_endpoint_from_result(&e, &r);
	assert_int_equal(e.versions_known, TLS_V10 | TLS_V11 | TLS_V12 | TLS_V13);
	assert_int_equal(e.versions_accepted, TLS_V11 | TLS_V12 | TLS_V13);
	assert_int_equal(e.suites_known, TLS_V12 | TLS_V13);
	assert_int_equal(e.nsuites[V12], 3); /* the negotiated suite added */
	assert_int_equal(e.suite[V12][2], 0xC02F);
	assert_int_equal(e.nsuites[V13], 1);
	assert_int_equal(e.groups_known, 1);
	assert_int_equal(e.ngroups, 2);
	assert_int_equal(e.group[0], 0x0017);
	assert_int_equal(e.group[1], 0x001D);
	assert_int_equal(e.cert_known, 1);
	assert_string_equal(e.key_type, "RSA");
	assert_int_equal(e.key_bits, 3072);
	assert_string_equal(e.key_curve, "");
	assert_string_equal(e.sig_alg, "sha384WithRSAEncryption");
	assert_int_equal(e.validity_days, 89);
	assert_string_equal(e.tmp_key_type, "X25519");
	assert_int_equal(e.tmp_key_bits, 253);
	assert_int_equal(e.http, 1);
	assert_int_equal(e.hsts_present, 1);
	assert_int_equal(e.hsts_valid, 1);
	assert_int_equal(e.hsts_max_age, 600);

	/* an enumeration cut short knows nothing in full; the negotiated suite is
	 * not added twice; no HTTP status line, no HSTS to judge */
	c.incomplete = 1;
	snprintf(r.cipher, sizeof(r.cipher), "TLS_RSA_WITH_AES_128_GCM_SHA256");
	r.http_status.len = 3;
	r.hsts.present = 0;
	r.ciphers = &c;
	tls_policy_endpoint_from_result(&e, &r);
	assert_int_equal(e.suites_known, 0);
	assert_int_equal(e.versions_known, TLS_V10 | TLS_V11);
	assert_int_equal(e.groups_known, 0);
	assert_int_equal(e.nsuites[V12], 2);
	assert_int_equal(e.http, 0);
	assert_int_equal(e.hsts_max_age, -1);

	/* a group OpenSSL cannot name (conn.c's "0x11ec" form) counts; a
	 * finite-field DHE handshake's "DH-2048" is no group */
	snprintf(r.group, sizeof(r.group), "0x11eC");
	tls_policy_endpoint_from_result(&e, &r);
	assert_int_equal(e.ngroups, 2);
	assert_int_equal(e.group[1], 0x11EC);
	snprintf(r.group, sizeof(r.group), "0xfefe");
	tls_policy_endpoint_from_result(&e, &r);
	assert_int_equal(e.group[1], 0xFEFE);
	for (size_t i = 0; i < 4; i++) {
		static const char *const none[] = { "DH-2048", "0x12g4", "0x123", "" };

		snprintf(r.group, sizeof(r.group), "%s", none[i]);
		tls_policy_endpoint_from_result(&e, &r);
		assert_int_equal(e.ngroups, 1);
	}

	/* a failed handshake: nothing negotiated counts */
	memset(&r, 0, sizeof(r));
	r.outcome = TLS_ALERT;
	snprintf(r.version, sizeof(r.version), "TLSv1.2");
	tls_policy_endpoint_from_result(&e, &r);
	assert_int_equal(e.versions_accepted, 0);
	assert_int_equal(e.cert_known, 0);
	assert_null(r.ciphers);
}

/* A self-signed certificate for key, valid `days` days (+ 1 s short, as CAs
 * issue them), signed with md. */
static X509 *self_signed(EVP_PKEY *key, const EVP_MD *md, int64_t days)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	const int64_t nb = 1767225600; /* 2026-01-01 */

	assert_non_null(x);
	assert_non_null(n);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
						    (const unsigned char *)"policy.test", -1, -1,
						    0),
			 1);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	X509_NAME_free(n);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(nb + days * 86400 - 1)));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, md) > 0);
	return x;
}

/* The names cert.c reads from a real certificate (key type, curve, signature
 * long name) are the names a policy uses: judged through a whole record. */
static void judge_cert(const char *policy, X509 *x, struct tls_policy_verdict *v)
{
	struct tls_result r;
	struct tls_policy_endpoint e;

	memset(&r, 0, sizeof(r));
	r.outcome = TLS_OK;
	assert_int_equal(tls_chain_extract(&r.certs, x, NULL, 1767225600, 0), 0);
	tls_policy_endpoint_from_result(&e, &r);
	judge(policy, &e, v);
	tls_result_free(&r);
}

static void test_real_certificates(void **state)
{
	static const struct want rsa_weak[] = {
		{ "key-too-small", "RSA key 1024 bits < 2048" },
		{ "signature-not-allowed", "signature sha1WithRSAEncryption not allowed" },
		{ "lifetime-too-long", "certificate valid 824 days > 366" }, /* 825 d - 1 s */
	};
	static const struct want p521[] = {
		{ "curve-not-allowed", "certificate curve secp521r1 not allowed" },
	};
	struct tls_policy_verdict v;
	EVP_PKEY *k;
	X509 *x;

	(void)state;
	k = EVP_EC_gen("P-256");
	assert_non_null(k);
	x = self_signed(k, EVP_sha256(), 90);
	judge_cert("modern", x, &v);
	expect(&v, NULL, 0);
	judge_cert("intermediate", x, &v);
	expect(&v, NULL, 0);
	judge_cert("old", x, &v);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0].reason, "certificate key type EC not allowed");
	assert_string_equal(v.v[1].reason, "signature ecdsa-with-SHA256 not allowed");
	X509_free(x);
	EVP_PKEY_free(k);

	k = EVP_EC_gen("P-521");
	assert_non_null(k);
	x = self_signed(k, EVP_sha512(), 30);
	judge_cert("intermediate", x, &v);
	expect(&v, p521, 1);
	X509_free(x);
	EVP_PKEY_free(k);

	k = EVP_RSA_gen(1024);
	assert_non_null(k);
	x = self_signed(k, EVP_sha1(), 825);
	judge_cert("intermediate", x, &v);
	expect(&v, rsa_weak, sizeof(rsa_weak) / sizeof(rsa_weak[0]));
	X509_free(x);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_profiles_parsed),
		cmocka_unit_test(test_modern_pass),
		cmocka_unit_test(test_modern_fail),
		cmocka_unit_test(test_intermediate),
		cmocka_unit_test(test_old),
		cmocka_unit_test(test_unjudged),
		cmocka_unit_test(test_violation_list_bounded),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_nginx_example),
		cmocka_unit_test(test_endpoint_from_result),
		cmocka_unit_test(test_real_certificates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
