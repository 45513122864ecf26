/*
 * report_model.c — the counts and lists behind `portus report` (report_model.h).
 * Everything is counted from the records themselves; only the scan's
 * targets, times and seeds come from the summaries.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_model.h"
#include "scan_record.h"
#include "table.h"
#include "tls_record.h"

const char *rp_version_name(int i)
{
	const char *name = i >= 0 ? tls_version_name((unsigned)i) : NULL;

	return name != NULL ? name : "?";
}

enum rp_bucket rp_bucket_of(int64_t days, int expired)
{
	if (expired || days < 0)
		return RP_EXPIRED;
	if (days < 7)
		return RP_LT7;
	if (days < 30)
		return RP_LT30;
	if (days < 90)
		return RP_LT90;
	return RP_LATER;
}

const char *rp_bucket_key(enum rp_bucket b)
{
	static const char *const keys[RP_NBUCKETS] = { "expired", "lt7", "lt30", "lt90", "later" };

	return b < RP_NBUCKETS ? keys[b] : "?";
}

const char *rp_bucket_label(enum rp_bucket b)
{
	static const char *const labels[RP_NBUCKETS] = { "expired", "< 7 days", "7-29 days",
							 "30-89 days", "90+ days" };

	return b < RP_NBUCKETS ? labels[b] : "?";
}

static int str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

int rp_is_weak(const struct rs_tls *t)
{
	if (t->versions_accepted & (TLS_V10 | TLS_V11))
		return 1;
	return str_eq(t->outcome, "ok") &&
	       (str_eq(t->version, "SSLv3") || str_eq(t->version, "TLSv1") ||
		str_eq(t->version, "TLSv1.1"));
}

int rp_is_plain_http(const struct rs_tls *t)
{
	return str_eq(t->outcome, "not-tls") && t->detail != NULL &&
	       strncmp(t->detail, "plain HTTP", 10) == 0;
}

/* NULL sorts first. */
static int key_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int key_ptr_cmp(const void *a, const void *b)
{
	return key_cmp(*(const char *const *)a, *(const char *const *)b);
}

static int count_cmp(const void *a, const void *b)
{
	const struct rp_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return key_cmp(x->key, y->key);
}

/* keys[0..n) (reordered) -> t: how many of each. */
static int table_from_keys(struct rp_table *t, const char **keys, size_t n)
{
	t->n = 0;
	t->v = n ? calloc(n, sizeof(*t->v)) : NULL;
	if (n && t->v == NULL)
		return -1;
	qsort(keys, n, sizeof(*keys), key_ptr_cmp);
	for (size_t i = 0; i < n; i++) {
		if (t->n > 0 && key_cmp(t->v[t->n - 1].key, keys[i]) == 0) {
			t->v[t->n - 1].n++;
		} else {
			t->v[t->n].key = keys[i];
			t->v[t->n++].n = 1;
		}
	}
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), count_cmp);
	return 0;
}

static int list_add(struct rp_list *l, const struct rs_tls *t, size_t cap)
{
	if (l->v == NULL && (l->v = calloc(cap ? cap : 1, sizeof(const struct rs_tls *))) == NULL)
		return -1;
	l->v[l->n++] = t;
	return 0;
}

/* Counts by state; with p443 NULL only counts the hosts exposing 443. */
static void count_ports(struct report_model *m, const struct result_set *rs, ip_addr *p443)
{
	const struct rs_port *last_open = NULL;

	m->open = m->closed = m->filtered = m->hosts_open = 0;
	m->np443 = 0;
	for (size_t i = 0; i < rs->nports; i++) {
		const struct rs_port *p = &rs->ports[i];

		if (p->state == PS_OPEN) {
			m->open++;
			/* Ports come in address order: a new address is a new host. */
			if (last_open == NULL || rs_port_addr_cmp(p, last_open) != 0)
				m->hosts_open++;
			last_open = p;
			if (p->port == 443 && p443 != NULL)
				p443[m->np443] = rs_port_ip(rs, p);
			m->np443 += p->port == 443;
		} else if (p->state == PS_CLOSED) {
			m->closed++;
		} else if (p->state == PS_FILTERED) {
			m->filtered++;
		}
	}
}

/* Addresses up as nmap means it: a port answered by the host itself (not a
 * router's ICMP error), or an ARP / neighbour discovery "up" record. Ports
 * and hosts come in address order (sweep_normalize). */
static void count_hosts_up(struct report_model *m, const struct result_set *rs)
{
	size_t i = 0, j = 0;

	while (i < rs->nports || j < rs->nhosts) {
		ip_addr pip = i < rs->nports ? rs_port_ip(rs, &rs->ports[i]) : addr_zero();
		ip_addr ip = i < rs->nports && (j >= rs->nhosts ||
						addr_order(pip, rs->hosts[j].ip) <= 0)
				     ? pip
				     : rs->hosts[j].ip;
		int up = 0;

		for (; i < rs->nports && addr_eq(rs_port_ip(rs, &rs->ports[i]), ip); i++)
			up |= rs->ports[i].ttl >= 0 &&
			      reply_from_target(ip, (enum reason)rs->ports[i].reason,
						rs_port_reason_ip(rs, &rs->ports[i]));
		for (; j < rs->nhosts && addr_eq(rs->hosts[j].ip, ip); j++)
			up |= rs->hosts[j].up && rs->hosts[j].reason != R_USER_SET;
		m->hosts_up += (uint64_t)up;
	}
}

static int seed_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int count_summaries(struct report_model *m, const struct result_set *rs)
{
	m->summaries = rs->nsums;
	if (rs->nsums == 0)
		return 0;
	if ((m->seeds = calloc(rs->nsums, sizeof(*m->seeds))) == NULL)
		return -1;
	for (size_t i = 0; i < rs->nsums; i++) {
		const struct rs_summary *s = &rs->sums[i];

		m->targets += s->targets;
		if (m->start_us == 0 || s->start_us < m->start_us)
			m->start_us = s->start_us;
		if (s->end_us > m->end_us)
			m->end_us = s->end_us;
		m->interrupted |= s->interrupted != 0;
		m->seeds[i] = s->seed;
	}
	qsort(m->seeds, rs->nsums, sizeof(*m->seeds), seed_cmp);
	for (size_t i = 0; i < rs->nsums; i++)
		if (m->nseeds == 0 || m->seeds[m->nseeds - 1] != m->seeds[i])
			m->seeds[m->nseeds++] = m->seeds[i];
	return 0;
}

/* Per record: the lists and the version counts. */
static int classify_tls(struct report_model *m, const struct result_set *rs)
{
	size_t n = rs->ntls;

	for (size_t i = 0; i < n; i++) {
		const struct rs_tls *t = &rs->tls[i];

		/* TLS records are in (address, port, SNI) order. */
		if (i == 0 || !addr_eq(t->ip, rs->tls[i - 1].ip) || t->port != rs->tls[i - 1].port)
			m->tls_endpoints++;
		m->tls_ok += str_eq(t->outcome, "ok");
		if (t->versions_tested != 0) {
			m->tested++;
			for (int v = 0; v < 4; v++) {
				m->accepted[v] += (t->versions_accepted >> v) & 1u;
				m->rejected[v] +=
					((t->versions_tested & ~t->versions_accepted) >> v) & 1u;
			}
		}
		if ((rp_is_weak(t) && list_add(&m->weak, t, n)) ||
		    (t->has_cert && t->self_signed && list_add(&m->self_signed, t, n)) ||
		    (t->hostname_match == 0 && list_add(&m->mismatched, t, n)) ||
		    (t->verify_ok == 0 && list_add(&m->untrusted, t, n)) ||
		    (rp_is_plain_http(t) && list_add(&m->plain_http, t, n)))
			return -1;
	}
	m->tls_records = n;
	return 0;
}

/* The per-record tables: outcome, negotiated version and cipher (of "ok"
 * records), verification error (of verify_ok false). */
static int tls_tables(struct report_model *m, const struct result_set *rs, const char **keys)
{
	size_t k = 0;

	for (size_t i = 0; i < rs->ntls; i++)
		keys[k++] = rs->tls[i].outcome;
	if (table_from_keys(&m->outcomes, keys, k))
		return -1;
	k = 0;
	for (size_t i = 0; i < rs->ntls; i++)
		if (str_eq(rs->tls[i].outcome, "ok"))
			keys[k++] = rs->tls[i].version;
	if (table_from_keys(&m->versions, keys, k))
		return -1;
	k = 0;
	for (size_t i = 0; i < rs->ntls; i++)
		if (str_eq(rs->tls[i].outcome, "ok"))
			keys[k++] = rs->tls[i].cipher;
	if (table_from_keys(&m->ciphers, keys, k))
		return -1;
	k = 0;
	for (size_t i = 0; i < m->untrusted.n; i++)
		keys[k++] = m->untrusted.v[i]->verify_error;
	return table_from_keys(&m->verify_errors, keys, k);
}

static int sha_cmp(const void *a, const void *b)
{
	const struct rs_tls *x = *(const struct rs_tls *const *)a;
	const struct rs_tls *y = *(const struct rs_tls *const *)b;
	int c = strcmp(x->sha256, y->sha256);

	if (c != 0)
		return c;
	/* The first record of a certificate: the earliest, then address order. */
	if (x->time_us != y->time_us)
		return x->time_us < y->time_us ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int expiry_cmp(const void *a, const void *b)
{
	const struct rp_cert *x = a, *y = b;

	if (x->days != y->days)
		return x->days < y->days ? -1 : 1;
	return strcmp(x->rec->sha256, y->rec->sha256);
}

/* Distinct leaf certificates, their expiry buckets and issuers. */
static int group_certs(struct report_model *m, const struct result_set *rs, const char **keys)
{
	const struct rs_tls **recs;
	struct rp_cert *c = NULL;
	size_t n = 0, nc = 0;

	if ((recs = calloc(rs->ntls ? rs->ntls : 1, sizeof(const struct rs_tls *))) == NULL)
		return -1;
	for (size_t i = 0; i < rs->ntls; i++)
		if (rs->tls[i].has_cert && rs->tls[i].sha256 != NULL)
			recs[n++] = &rs->tls[i];
	qsort(recs, n, sizeof(const struct rs_tls *), sha_cmp);
	if ((m->certs = calloc(n ? n : 1, sizeof(*m->certs))) == NULL) {
		free(recs);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rs_tls *t = recs[i];

		/* Sorted by fingerprint: a new one starts a new certificate. */
		if (c == NULL || strcmp(c->rec->sha256, t->sha256) != 0) {
			c = &m->certs[nc++];
			c->rec = t;
			c->days = t->days_to_expiry;
		}
		if (t->days_to_expiry < c->days)
			c->days = t->days_to_expiry;
		c->expired |= t->expired != 0;
		c->endpoints++;
	}
	free(recs);
	m->ncerts = nc;
	for (size_t i = 0; i < nc; i++) {
		c = &m->certs[i];
		c->expired |= c->days < 0;
		m->buckets[rp_bucket_of(c->days, c->expired)]++;
		keys[i] = c->rec->issuer;
	}
	if (table_from_keys(&m->issuers, keys, m->ncerts))
		return -1;
	qsort(m->certs, m->ncerts, sizeof(*m->certs), expiry_cmp);
	return 0;
}

int report_model_build(struct report_model *m, const struct result_set *rs)
{
	const char **keys = NULL;
	int r = -1;

	memset(m, 0, sizeof(*m));
	m->rs = rs;
	count_ports(m, rs, NULL); /* how many hosts expose 443: only those are kept */
	if ((m->p443 = calloc(m->np443 ? m->np443 : 1, sizeof(*m->p443))) == NULL ||
	    (keys = calloc(rs->ntls ? rs->ntls : 1, sizeof(*keys))) == NULL)
		goto out;
	count_ports(m, rs, m->p443);
	count_hosts_up(m, rs);
	if (count_summaries(m, rs) || classify_tls(m, rs) || tls_tables(m, rs, keys) ||
	    group_certs(m, rs, keys))
		goto out;
	r = 0;
out:
	free(keys);
	if (r != 0)
		report_model_free(m);
	return r;
}

void report_model_free(struct report_model *m)
{
	struct rp_table *tables[] = { &m->outcomes, &m->versions, &m->ciphers, &m->verify_errors,
				      &m->issuers };
	struct rp_list *lists[] = { &m->weak, &m->self_signed, &m->mismatched, &m->untrusted,
				    &m->plain_http };

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		free(tables[i]->v);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		free((void *)lists[i]->v);
	free(m->seeds);
	free(m->p443);
	free(m->certs);
	memset(m, 0, sizeof(*m));
}
