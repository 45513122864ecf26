/*
 * test_tls_checks.c — the HSTS parser (src/tls/hsts.c: RFC 6797 grammar,
 * hostile input) and the finding / severity logic (src/tls/findings.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tls_checks.h"
#include "tls_hsts.h"

static struct tls_hsts parse(const char *v)
{
	struct tls_hsts h;

	(void)tls_hsts_parse((const unsigned char *)v, strlen(v), &h);
	assert_int_equal(h.present, 1);
	assert_int_equal(h.valid, h.error == NULL);
	return h;
}

static void test_hsts_valid_forms(void **state)
{
	static const struct {
		const char *v;
		int64_t age;
		int sub, pre;
	} ok[] = {
		{ "max-age=31536000", 31536000, 0, 0 },
		{ "max-age=31536000; includeSubDomains; preload", 31536000, 1, 1 },
		{ "MAX-AGE=0;INCLUDESUBDOMAINS", 0, 1, 0 },
		{ "  max-age = \"600\" ;\tpreload  ", 600, 0, 1 },
		{ ";;max-age=1;;", 1, 0, 0 },
		{ "max-age=5; unknown=\"a;b\\\"c\"; other=tok; includeSubDomains", 5, 1, 0 },
		{ "max-age=00010", 10, 0, 0 },
		/* over 2^31 - 1: kept at the cap (RFC 9111 delta-seconds) */
		{ "max-age=99999999999999999999999999999", TLS_HSTS_MAX_AGE_CAP, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct tls_hsts h = parse(ok[i].v);

		if (!h.valid)
			fail_msg("[%s] rejected: %s", ok[i].v, h.error);
		assert_int_equal(h.max_age, ok[i].age);
		assert_int_equal(h.include_subdomains, ok[i].sub);
		assert_int_equal(h.preload, ok[i].pre);
	}
}

static void test_hsts_invalid_forms(void **state)
{
	static const struct {
		const char *v, *why;
	} bad[] = {
		{ "", "max-age missing" },
		{ "includeSubDomains", "max-age missing" },
		{ "max-age", "max-age is not delta-seconds" },
		{ "max-age=", "directive value is neither token nor quoted-string" },
		{ "max-age=-1", "max-age is not delta-seconds" },
		{ "max-age=1.5", "max-age is not delta-seconds" },
		{ "max-age=\"\"", "max-age is not delta-seconds" },
		{ "max-age=\"12", "directive value is neither token nor quoted-string" },
		{ "max-age=1; max-age=2", "max-age given twice" },
		{ "max-age=1; includeSubDomains; includesubdomains",
		  "includeSubDomains given twice" },
		{ "max-age=1; preload; preload", "preload given twice" },
		{ "max-age=1; includeSubDomains=yes", "includeSubDomains has a value" },
		{ "max-age=1; preload=1", "preload has a value" },
		{ "max-age=1 2", "character outside the grammar" },
		{ "max-age=1, includeSubDomains", "character outside the grammar" },
		{ "max age=1", "character outside the grammar" },
		{ "max-age=1; \"x\"", "character outside the grammar" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tls_hsts h = parse(bad[i].v);

		if (h.valid)
			fail_msg("[%s] accepted", bad[i].v);
		assert_string_equal(h.error, bad[i].why);
	}
}

/* Hostile bytes: NUL, controls, high bytes, a quoted-pair at the very end,
 * a huge value; never read past len (ASan), never valid. */
static void test_hsts_hostile_bytes(void **state)
{
	static const unsigned char nul[] = { 'm', 'a', 'x', '-', 'a', 'g', 'e', '=', '1', 0, ';' };
	static const unsigned char esc[] = {
		'm', 'a', 'x', '-', 'a', 'g', 'e', '=', '"', '1', '\\'
	};
	static const unsigned char ctl[] = "max-age=\"1\x01\"";
	static const unsigned char hi[] = "max-age=1; x=\"\xff\xfe\"";
	struct tls_hsts h;
	size_t n = 1 << 20;
	unsigned char *big = malloc(n);

	(void)state;
	assert_int_equal(tls_hsts_parse(nul, sizeof(nul), &h), 0);
	assert_int_equal(tls_hsts_parse(esc, sizeof(esc), &h), 0);
	assert_int_equal(tls_hsts_parse(ctl, sizeof(ctl) - 1, &h), 0);
	/* obs-text inside an unknown directive's quoted-string is grammar */
	assert_int_equal(tls_hsts_parse(hi, sizeof(hi) - 1, &h), 1);
	assert_int_equal(tls_hsts_parse(NULL, 5, &h), 0);
	assert_string_equal(h.error, "max-age missing");
	assert_non_null(big);
	memcpy(big, "max-age=", 8);
	memset(big + 8, '9', n - 8);
	assert_int_equal(tls_hsts_parse(big, n, &h), 1);
	assert_int_equal(h.max_age, TLS_HSTS_MAX_AGE_CAP);
	memset(big, ';', n);
	assert_int_equal(tls_hsts_parse(big, n, &h), 0);
	free(big);
}

static void test_finding_table(void **state)
{
	static const char *const names[TLS_FIND_COUNT] = {
		"ocsp-revoked",
		"md5-in-chain",
		"weak-key",
		"sha1-in-chain",
		"must-staple-without-staple",
		"missing-intermediate",
		"ocsp-invalid",
		"weak-tmp-key",
		"chain-order",
		"validity-over-398-days",
		"hsts-invalid",
	};
	static const int sev[TLS_FIND_COUNT] = { 8, 7, 6, 6, 6, 5, 5, 5, 4, 4, 3 };

	(void)state;
	for (unsigned f = 0; f < TLS_FIND_COUNT; f++) {
		assert_string_equal(tls_finding_name(f), names[f]);
		assert_int_equal(tls_finding_severity(f), sev[f]);
		assert_int_equal(tls_findings_worst(1u << f), sev[f]);
	}
	assert_null(tls_finding_name(TLS_FIND_COUNT));
	assert_int_equal(tls_finding_severity(TLS_FIND_COUNT), 0);
	assert_int_equal(tls_findings_worst(0), 0);
	assert_int_equal(tls_findings_worst(1u << TLS_FIND_CHAIN_ORDER | 1u << TLS_FIND_WEAK_KEY),
			 6);
	assert_int_equal(tls_findings_worst(0xffffffffu), 8);
}

static void test_key_rules(void **state)
{
	(void)state;
	assert_true(tls_key_weak("RSA", 1024));
	assert_true(tls_key_weak("RSA", 2047));
	assert_false(tls_key_weak("RSA", 2048));
	assert_true(tls_key_weak("RSA-PSS", 1536));
	assert_true(tls_key_weak("DSA", 1024));
	assert_false(tls_key_weak("DSA", 3072));
	assert_true(tls_key_weak("EC", 224));
	assert_false(tls_key_weak("EC", 256));
	assert_false(tls_key_weak("ED25519", 253));
	assert_false(tls_key_weak("ED448", 456));
	assert_false(tls_key_weak("RSA", 0)); /* unknown size: no verdict */
	assert_false(tls_key_weak(NULL, 512));
	assert_false(tls_tmp_key_weak("X25519", 253));
	assert_false(tls_tmp_key_weak("X448", 448));
	assert_true(tls_tmp_key_weak("DH", 1024));
	assert_false(tls_tmp_key_weak("DH", 2048));
	assert_true(tls_tmp_key_weak("EC", 192));
	assert_false(tls_tmp_key_weak("EC", 384));
}

static void test_validity_rule(void **state)
{
	int checked, over;
	const int64_t d = 86400, start = TLS_VALIDITY_RULE_START;

	(void)state;
	tls_validity_rule(start, start + 398 * d, 0, &checked, &over);
	assert_true(checked);
	assert_false(over);
	tls_validity_rule(start, start + 398 * d + 1, 0, &checked, &over);
	assert_true(over);
	tls_validity_rule(start + 100 * d, start + 600 * d, 0, &checked, &over);
	assert_true(over);
	/* issued before 2020-09-01: the rule does not apply */
	tls_validity_rule(start - 1, start + 800 * d, 0, &checked, &over);
	assert_false(checked);
	assert_false(over);
	/* self-signed: no CA to hold to the rule */
	tls_validity_rule(start, start + 800 * d, 1, &checked, &over);
	assert_false(checked);
	assert_false(over);
}

static void test_findings_from_facts(void **state)
{
	struct tls_checks k;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.weak_keys = 2;
	k.chain_misordered = 1;
	assert_int_equal(tls_checks_findings(&k, 1), 0); /* no handshake: nothing */
	k.done = 1;
	assert_int_equal(tls_checks_findings(&k, 0),
			 1u << TLS_FIND_WEAK_KEY | 1u << TLS_FIND_CHAIN_ORDER);
	memset(&k, 0, sizeof(k));
	k.done = 1;
	assert_int_equal(tls_checks_findings(&k, 0), 0);
	assert_int_equal(tls_checks_findings(&k, 1), 1u << TLS_FIND_HSTS_INVALID);
	k.must_staple = 1;
	assert_int_equal(tls_checks_findings(&k, 0), 1u << TLS_FIND_MUST_STAPLE);
	k.ocsp_stapled = 1;
	k.ocsp_status = TLS_OCSP_GOOD;
	k.ocsp_signature_ok = 1;
	k.ocsp_time_ok = 1;
	assert_int_equal(tls_checks_findings(&k, 0), 0); /* stapled, valid */
	k.ocsp_error = "thisUpdate or nextUpdate out of range";
	assert_int_equal(tls_checks_findings(&k, 0), 1u << TLS_FIND_OCSP_INVALID);
	k.ocsp_status = TLS_OCSP_REVOKED;
	k.ocsp_error = "certificate revoked";
	assert_int_equal(tls_checks_findings(&k, 0), 1u << TLS_FIND_OCSP_REVOKED);
	k.ocsp_signature_ok = 0; /* a forged "revoked" is only an invalid staple */
	k.ocsp_error = "signature not verified";
	assert_int_equal(tls_checks_findings(&k, 0), 1u << TLS_FIND_OCSP_INVALID);
	memset(&k, 0, sizeof(k));
	k.done = 1;
	k.md5_sigs = 1;
	k.sha1_sigs = 1;
	k.missing_intermediates = 1;
	k.tmp_key_weak = 1;
	k.validity_over = 1;
	assert_int_equal(tls_checks_findings(&k, 0),
			 1u << TLS_FIND_MD5_IN_CHAIN | 1u << TLS_FIND_SHA1_IN_CHAIN |
				 1u << TLS_FIND_MISSING_INTERMEDIATE | 1u << TLS_FIND_WEAK_TMP_KEY |
				 1u << TLS_FIND_VALIDITY);
	assert_int_equal(tls_findings_worst(tls_checks_findings(&k, 0)), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hsts_valid_forms),
		cmocka_unit_test(test_hsts_invalid_forms),
		cmocka_unit_test(test_hsts_hostile_bytes),
		cmocka_unit_test(test_finding_table),
		cmocka_unit_test(test_key_rules),
		cmocka_unit_test(test_validity_rule),
		cmocka_unit_test(test_findings_from_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
