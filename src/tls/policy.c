/*
 * policy.c — judging one endpoint against a TLS policy (include/tls_policy.h).
 * Pure: no I/O, no allocation. Rules run in the order of enum tls_policy_rule,
 * so a verdict lists its violations in a stable order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tls_hello.h"
#include "tls_policy.h"

static const char *const rule_names[TLS_POL_NRULES] = {
	"versions",    "suites",     "groups",        "key-types",   "key-min-bits",
	"cert-curves", "signatures", "max-cert-days", "dh-min-bits", "hsts-min-age",
};

const char *tls_policy_rule_name(unsigned i)
{
	return i < TLS_POL_NRULES ? rule_names[i] : NULL;
}

/* The code point of the table entry (count, at, name) named s[0..len), by
 * cmp (strncmp or strncasecmp). */
static int find_id(size_t count, uint16_t (*at)(size_t), const char *(*name)(uint16_t),
		   int (*cmp)(const char *, const char *, size_t), const char *s, size_t len,
		   uint16_t *id)
{
	for (size_t i = 0; i < count; i++) {
		uint16_t v = at(i);
		const char *n = name(v);

		if (n != NULL && strlen(n) == len && cmp(n, s, len) == 0) {
			*id = v;
			return 0;
		}
	}
	return -1;
}

int tls_policy_suite_id(const char *name, size_t len, uint16_t *id)
{
	return find_id(tlsh_suite_count(), tlsh_suite_at, tlsh_suite_name, strncmp, name, len, id);
}

int tls_policy_group_id(const char *name, size_t len, uint16_t *id)
{
	/* OpenSSL (and Mozilla's guidelines) call P-256 prime256v1. */
	if (len == 10 && strncasecmp(name, "prime256v1", 10) == 0) {
		*id = 0x0017;
		return 0;
	}
	return find_id(tlsh_group_count(), tlsh_group_at, tlsh_group_name, strncasecmp, name, len,
		       id);
}

static void add(struct tls_policy_verdict *v, const char *token, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct tls_policy_verdict *v, const char *token, const char *fmt, ...)
{
	va_list ap;

	v->total++;
	if (v->n >= TLS_POLICY_MAX_VIOLATIONS)
		return;
	v->v[v->n].token = token;
	va_start(ap, fmt);
	(void)vsnprintf(v->v[v->n].reason, sizeof(v->v[v->n].reason), fmt, ap);
	va_end(ap);
	v->n++;
}

static int has_id(const uint16_t *list, size_t n, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == id)
			return 1;
	return 0;
}

static int has_name(const struct tls_policy_names *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* Every version untested, or tested and refused, is known; unknown ones
 * could hide an accepted version the policy forbids. */
#define ALL_VERSIONS ((1u << TLS_NVERSIONS) - 1)

static void check_versions(const struct tls_policy *p, const struct tls_policy_endpoint *e,
			   struct tls_policy_verdict *v)
{
	for (unsigned i = 0; i < TLS_NVERSIONS; i++)
		if ((e->versions_accepted & (1u << i)) && !(p->versions & (1u << i)))
			add(v, "version-not-allowed", "version %s accepted", tls_version_name(i));
	if ((e->versions_known | p->versions) != ALL_VERSIONS)
		v->unjudged |= TLS_POL_VERSIONS;
}

static void check_suites(const struct tls_policy *p, const struct tls_policy_endpoint *e,
			 struct tls_policy_verdict *v)
{
	for (unsigned i = 0; i < TLS_NVERSIONS; i++) {
		if (!(p->suite_versions & (1u << i)))
			continue;
		/* A version the endpoint may accept but whose suites were not all
		 * enumerated leaves the rule unjudged. */
		if (!(e->suites_known & (1u << i)) &&
		    (e->versions_accepted & (1u << i) || !(e->versions_known & (1u << i))))
			v->unjudged |= TLS_POL_SUITES;
		for (size_t k = 0; k < e->nsuites[i] && k < TLS_ENUM_MAX_SUITES; k++) {
			uint16_t s = e->suite[i][k];
			const char *n;
			char hex[8];

			if (has_id(p->suite[i], p->nsuites[i], s))
				continue;
			n = tlsh_suite_name(s);
			if (n == NULL) {
				(void)snprintf(hex, sizeof(hex), "0x%04X", s);
				n = hex;
			}
			add(v, "suite-not-allowed", "suite %s accepted under %s", n,
			    tls_version_name(i));
		}
	}
}

static void check_groups(const struct tls_policy *p, const struct tls_policy_endpoint *e,
			 struct tls_policy_verdict *v)
{
	for (size_t k = 0; k < e->ngroups && k < TLS_ENUM_MAX_GROUPS; k++) {
		const char *n = tlsh_group_name(e->group[k]);
		char hex[8];

		if (has_id(p->group, p->ngroups, e->group[k]))
			continue;
		if (n == NULL) {
			(void)snprintf(hex, sizeof(hex), "0x%04X", e->group[k]);
			n = hex;
		}
		add(v, "group-not-allowed", "group %s accepted", n);
	}
	if (!e->groups_known)
		v->unjudged |= TLS_POL_GROUPS;
}

/* Index into key_min_bits for an EVP type name, -1 for a type without a
 * minimum (EdDSA keys have one fixed size). */
static int key_bits_slot(const char *type)
{
	if (strcmp(type, "RSA") == 0 || strcmp(type, "RSA-PSS") == 0)
		return TLS_POL_KEY_RSA;
	if (strcmp(type, "EC") == 0)
		return TLS_POL_KEY_EC;
	if (strcmp(type, "DSA") == 0)
		return TLS_POL_KEY_DSA;
	return -1;
}

static void check_cert(const struct tls_policy *p, const struct tls_policy_endpoint *e,
		       struct tls_policy_verdict *v)
{
	const unsigned cert_rules = TLS_POL_KEY_TYPES | TLS_POL_KEY_BITS | TLS_POL_CURVES |
				    TLS_POL_SIGNATURES | TLS_POL_LIFETIME;
	int slot = key_bits_slot(e->key_type);

	if (!e->cert_known) {
		v->unjudged |= p->rules & cert_rules;
		return;
	}
	if ((p->rules & TLS_POL_KEY_TYPES) && !has_name(&p->key_types, e->key_type))
		add(v, "key-type-not-allowed", "certificate key type %.31s not allowed",
		    e->key_type);
	if ((p->rules & TLS_POL_KEY_BITS) && slot >= 0 && p->key_min_bits[slot] > 0) {
		if (e->key_bits <= 0)
			v->unjudged |= TLS_POL_KEY_BITS;
		else if ((unsigned)e->key_bits < p->key_min_bits[slot])
			add(v, "key-too-small", "%.31s key %d bits < %u", e->key_type, e->key_bits,
			    p->key_min_bits[slot]);
	}
	if ((p->rules & TLS_POL_CURVES) && strcmp(e->key_type, "EC") == 0) {
		if (e->key_curve[0] == '\0')
			v->unjudged |= TLS_POL_CURVES;
		else if (!has_name(&p->curves, e->key_curve))
			add(v, "curve-not-allowed", "certificate curve %.31s not allowed",
			    e->key_curve);
	}
	if ((p->rules & TLS_POL_SIGNATURES) && !has_name(&p->signatures, e->sig_alg))
		add(v, "signature-not-allowed", "signature %.63s not allowed", e->sig_alg);
	if ((p->rules & TLS_POL_LIFETIME) && e->validity_days > p->max_cert_days)
		add(v, "lifetime-too-long", "certificate valid %lld days > %lld",
		    (long long)e->validity_days, (long long)p->max_cert_days);
}

static void check_dh(const struct tls_policy *p, const struct tls_policy_endpoint *e,
		     struct tls_policy_verdict *v)
{
	/* Only the main handshake's temporary key is seen: a DHE suite accepted
	 * but not negotiated hides its group size. */
	if (strcmp(e->tmp_key_type, "DH") != 0 || e->tmp_key_bits <= 0) {
		v->unjudged |= TLS_POL_DH;
		return;
	}
	if ((unsigned)e->tmp_key_bits < p->dh_min_bits)
		add(v, "dh-too-small", "DH key %d bits < %u", e->tmp_key_bits, p->dh_min_bits);
}

static void check_hsts(const struct tls_policy *p, const struct tls_policy_endpoint *e,
		       struct tls_policy_verdict *v)
{
	/* HSTS is an HTTP header: a TLS endpoint that answered no HTTP has none
	 * to judge (SMTPS, LDAPS ...). */
	if (!e->http) {
		v->unjudged |= TLS_POL_HSTS;
		return;
	}
	if (!e->hsts_present || !e->hsts_valid)
		add(v, "hsts-missing", "no valid Strict-Transport-Security header");
	else if (e->hsts_max_age < p->hsts_min_age)
		add(v, "hsts-max-age-too-short", "HSTS max-age %lld < %lld",
		    (long long)e->hsts_max_age, (long long)p->hsts_min_age);
}

void tls_policy_check(const struct tls_policy *p, const struct tls_policy_endpoint *e,
		      struct tls_policy_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (p->rules & TLS_POL_VERSIONS)
		check_versions(p, e, v);
	if (p->rules & TLS_POL_SUITES)
		check_suites(p, e, v);
	if (p->rules & TLS_POL_GROUPS)
		check_groups(p, e, v);
	check_cert(p, e, v);
	if (p->rules & TLS_POL_DH)
		check_dh(p, e, v);
	if (p->rules & TLS_POL_HSTS)
		check_hsts(p, e, v);
	v->compliant = v->total == 0;
}
