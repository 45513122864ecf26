/*
 * policy_endpoint.c — a TLS record's facts in a policy's terms
 * (tls_policy_endpoint_from_result, include/tls_policy.h). What the main
 * handshake negotiated counts as accepted even without --tls-versions or
 * --tls-ciphers, so a policy can find violations on every endpoint; what
 * was not enumerated in full is left "unknown" for the verdict's unjudged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_policy.h"

static int version_bit(const char *name)
{
	for (unsigned i = 0; i < TLS_NVERSIONS; i++)
		if (strcmp(tls_version_name(i), name) == 0)
			return (int)i;
	return -1;
}

static void add_unique(uint16_t *list, uint16_t *n, size_t cap, uint16_t id)
{
	for (size_t i = 0; i < *n; i++)
		if (list[i] == id)
			return;
	if (*n < cap)
		list[(*n)++] = id;
}

/* The record's group name as an id: a name of the table, or the "0x11ec"
 * form conn.c writes for a group OpenSSL cannot name. "DH-2048" (TLS 1.2
 * finite-field DHE, no named group) is none. */
static int group_id(const char *name, uint16_t *id)
{
	if (tls_policy_group_id(name, strlen(name), id) == 0)
		return 0;
	if (strlen(name) != 6 || strncmp(name, "0x", 2) != 0 ||
	    strspn(name + 2, "0123456789abcdefABCDEF") != 4)
		return -1;
	*id = (uint16_t)strtoul(name + 2, NULL, 16);
	return 0;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	(void)snprintf(dst, cap, "%s", src);
}

static void from_ciphers(struct tls_policy_endpoint *e, const struct tls_ciphers *c)
{
	unsigned full = c->incomplete ? 0 : c->tested;

	for (unsigned i = 0; i < TLS_NVERSIONS; i++) {
		uint16_t n = c->n[i] < TLS_ENUM_MAX_SUITES ? c->n[i] : TLS_ENUM_MAX_SUITES;

		memcpy(e->suite[i], c->suite[i], n * sizeof(c->suite[i][0]));
		e->nsuites[i] = n;
		if (n > 0)
			e->versions_accepted |= 1u << i;
	}
	e->suites_known = full;
	e->versions_known |= full;
	e->ngroups = c->ngroups < TLS_ENUM_MAX_GROUPS ? c->ngroups : TLS_ENUM_MAX_GROUPS;
	memcpy(e->group, c->group, e->ngroups * sizeof(c->group[0]));
	e->groups_known = c->groups_tested && !c->incomplete;
}

void tls_policy_endpoint_from_result(struct tls_policy_endpoint *e, const struct tls_result *r)
{
	const struct tls_cert_info *leaf = &r->certs.leaf;
	int v;
	uint16_t id;

	memset(e, 0, sizeof(*e));
	e->versions_known = r->versions_tested;
	e->versions_accepted = r->versions_accepted & r->versions_tested;
	if (r->ciphers != NULL)
		from_ciphers(e, r->ciphers);

	if (r->outcome == TLS_OK && (v = version_bit(r->version)) >= 0) {
		e->versions_accepted |= 1u << v;
		if (tls_policy_suite_id(r->cipher, strlen(r->cipher), &id) == 0)
			add_unique(e->suite[v], &e->nsuites[v], TLS_ENUM_MAX_SUITES, id);
	}
	if (r->outcome == TLS_OK && group_id(r->group, &id) == 0)
		add_unique(e->group, &e->ngroups, TLS_ENUM_MAX_GROUPS, id);

	if (r->certs.has_leaf) {
		e->cert_known = 1;
		copy_text(e->key_type, sizeof(e->key_type), leaf->key_alg);
		e->key_bits = leaf->key_bits;
		copy_text(e->key_curve, sizeof(e->key_curve), leaf->key_curve);
		copy_text(e->sig_alg, sizeof(e->sig_alg), leaf->sig_alg);
		/* An unreadable time is 0 (tls_cert.h): no lifetime then. */
		if (leaf->not_before != 0 && leaf->not_after > leaf->not_before)
			e->validity_days = (leaf->not_after - leaf->not_before) / 86400;
	}
	copy_text(e->tmp_key_type, sizeof(e->tmp_key_type), r->checks.tmp_key_type);
	e->tmp_key_bits = r->checks.tmp_key_bits;

	e->http = r->banner_done && r->http_status.len >= 5 && r->http_status.p != NULL &&
		  memcmp(r->http_status.p, "HTTP/", 5) == 0;
	e->hsts_present = r->hsts.present;
	e->hsts_valid = r->hsts.valid;
	e->hsts_max_age = r->hsts.present ? r->hsts.max_age : -1;
}
