/* findings.c — which facts of the checks are findings, their tokens and
 * severities (rules and table in include/tls_checks.h). No OpenSSL here. */
#include <string.h>

#include "tls_checks.h"

static const struct {
	const char *name;
	int severity;
} table[TLS_FIND_COUNT] = {
	[TLS_FIND_OCSP_REVOKED] = { "ocsp-revoked", 8 },
	[TLS_FIND_MD5_IN_CHAIN] = { "md5-in-chain", 7 },
	[TLS_FIND_WEAK_KEY] = { "weak-key", 6 },
	[TLS_FIND_SHA1_IN_CHAIN] = { "sha1-in-chain", 6 },
	[TLS_FIND_MUST_STAPLE] = { "must-staple-without-staple", 6 },
	[TLS_FIND_MISSING_INTERMEDIATE] = { "missing-intermediate", 5 },
	[TLS_FIND_OCSP_INVALID] = { "ocsp-invalid", 5 },
	[TLS_FIND_WEAK_TMP_KEY] = { "weak-tmp-key", 5 },
	[TLS_FIND_CHAIN_ORDER] = { "chain-order", 4 },
	[TLS_FIND_VALIDITY] = { "validity-over-398-days", 4 },
	[TLS_FIND_HSTS_INVALID] = { "hsts-invalid", 3 },
};

_Static_assert(TLS_FIND_COUNT <= 32, "findings must fit a uint32_t mask");

const char *tls_finding_name(unsigned f)
{
	return f < TLS_FIND_COUNT ? table[f].name : NULL;
}

int tls_finding_severity(unsigned f)
{
	return f < TLS_FIND_COUNT ? table[f].severity : 0;
}

int tls_findings_worst(uint32_t mask)
{
	int worst = 0;

	for (unsigned f = 0; f < TLS_FIND_COUNT; f++)
		if ((mask & (1u << f)) && table[f].severity > worst)
			worst = table[f].severity;
	return worst;
}

static int is(const char *type, const char *name)
{
	return type != NULL && strcmp(type, name) == 0;
}

int tls_key_weak(const char *type, int bits)
{
	if (bits <= 0)
		return 0; /* unknown size: no verdict */
	if (is(type, "RSA") || is(type, "RSA-PSS") || is(type, "DSA") || is(type, "DH") ||
	    is(type, "DHX"))
		return bits < 2048;
	if (is(type, "EC") || is(type, "SM2"))
		return bits < 256;
	return 0; /* Ed25519, Ed448 and what OpenSSL cannot name */
}

int tls_tmp_key_weak(const char *type, int bits)
{
	if (is(type, "X25519") || is(type, "X448"))
		return 0;
	return tls_key_weak(type, bits);
}

void tls_validity_rule(int64_t not_before, int64_t not_after, int self_signed, int *checked,
		       int *over)
{
	*checked = !self_signed && not_before >= TLS_VALIDITY_RULE_START;
	*over = *checked && not_after - not_before > (int64_t)TLS_VALIDITY_MAX_DAYS * 86400;
}

uint32_t tls_checks_findings(const struct tls_checks *k, int hsts_invalid)
{
	uint32_t m = 0;

	if (!k->done)
		return 0;
	if (k->ocsp_stapled && k->ocsp_status == TLS_OCSP_REVOKED && k->ocsp_signature_ok)
		m |= 1u << TLS_FIND_OCSP_REVOKED;
	else if (k->ocsp_stapled && k->ocsp_error != NULL)
		m |= 1u << TLS_FIND_OCSP_INVALID;
	if (k->md5_sigs > 0)
		m |= 1u << TLS_FIND_MD5_IN_CHAIN;
	if (k->weak_keys > 0)
		m |= 1u << TLS_FIND_WEAK_KEY;
	if (k->sha1_sigs > 0)
		m |= 1u << TLS_FIND_SHA1_IN_CHAIN;
	if (k->must_staple && !k->ocsp_stapled)
		m |= 1u << TLS_FIND_MUST_STAPLE;
	if (k->missing_intermediates > 0)
		m |= 1u << TLS_FIND_MISSING_INTERMEDIATE;
	if (k->tmp_key_weak)
		m |= 1u << TLS_FIND_WEAK_TMP_KEY;
	if (k->chain_misordered)
		m |= 1u << TLS_FIND_CHAIN_ORDER;
	if (k->validity_over)
		m |= 1u << TLS_FIND_VALIDITY;
	if (hsts_invalid)
		m |= 1u << TLS_FIND_HSTS_INVALID;
	return m;
}
