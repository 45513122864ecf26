/* hostgroup.c — records gathered per host with nmap's host conclusions (see hostgroup.h). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostgroup.h"

/* Marks "looked up, no name" in the cache; never written. */
static char svc_none[] = "";

void hg_init(struct hostgroup *g)
{
	memset(g, 0, sizeof(*g));
}

void hg_free(struct hostgroup *g)
{
	if (g->svc != NULL) {
		for (size_t i = 0; i < 65536; i++)
			if (g->svc[i] != svc_none)
				free(g->svc[i]);
		free(g->svc);
	}
	free(g->ports);
	free(g->hosts);
	memset(g, 0, sizeof(*g));
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	if (ncap > SIZE_MAX / size)
		return -1;
	q = realloc(*p, ncap * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = ncap;
	return 0;
}

int hg_add_port(struct hostgroup *g, const struct port_record *r)
{
	if (grow((void **)&g->ports, &g->capports, g->nports, sizeof(*r)) != 0)
		return -1;
	g->ports[g->nports++] = *r;
	return 0;
}

int hg_add_host(struct hostgroup *g, const struct host_record *h)
{
	if (grow((void **)&g->hosts, &g->caphosts, g->nhosts, sizeof(*h)) != 0)
		return -1;
	g->hosts[g->nhosts++] = *h;
	return 0;
}

static int cmp_port(const void *a, const void *b)
{
	const struct port_record *x = a, *y = b;
	int c = addr_order(x->ip, y->ip);

	if (c != 0)
		return c;
	return (x->port > y->port) - (x->port < y->port);
}

/* By address; for one address "up" sorts last, so that it wins. */
static int cmp_host(const void *a, const void *b)
{
	const struct host_record *x = a, *y = b;
	int c = addr_order(x->ip, y->ip);

	if (c != 0)
		return c;
	if (x->up != y->up)
		return x->up < y->up ? -1 : 1;
	/* The last record of a host is the one used. A packet-level reason
	 * (arp-response) outranks the all-ports-open flag, which is a conclusion
	 * drawn afterwards: sort the flag first. qsort is not stable, so the tie
	 * must be broken here for the same input to give the same output. */
	if ((x->reason == R_ALL_PORTS_OPEN) != (y->reason == R_ALL_PORTS_OPEN))
		return x->reason == R_ALL_PORTS_OPEN ? -1 : 1;
	return (x->reason > y->reason) - (x->reason < y->reason);
}

void hg_begin(struct hostgroup *g)
{
	if (g->nports > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(g->ports, g->nports, sizeof(*g->ports), cmp_port);
	if (g->nhosts > 0)
		qsort(g->hosts, g->nhosts, sizeof(*g->hosts), cmp_host);
	g->pi = g->hi = 0;
}

unsigned hg_state(const struct port_record *r)
{
	return r->state < HG_NSTATES ? r->state : PS_UNKNOWN;
}

unsigned hg_reason(const struct port_record *r)
{
	return r->reason < R_COUNT ? r->reason : R_NONE;
}

/* nmap's numbering of the states (closed 1, open 2, filtered 3) breaks ties
 * between two summarised states with as many ports. */
static unsigned nmap_rank(unsigned state)
{
	switch (state) {
	case PS_CLOSED: return 1;
	case PS_OPEN: return 2;
	case PS_FILTERED: return 3;
	default: return 0;
	}
}

static void find_ignored(struct hg_host *h, int open_only)
{
	size_t cnt[HG_NSTATES] = {0};
	unsigned s, i, j;

	for (size_t k = 0; h->ports != NULL && k < h->n; k++)
		cnt[hg_state(&h->ports[k])]++;
	h->nignored = 0;
	for (s = 0; s < HG_NSTATES; s++) {
		if (s == PS_OPEN || s == PS_UNKNOWN || cnt[s] == 0)
			continue; /* open and unknown are always listed */
		if (!open_only && cnt[s] <= HG_COLLAPSE)
			continue;
		/* insertion: most ports first, then nmap's state order */
		for (i = h->nignored; i > 0; i--) {
			j = h->ignored[i - 1];
			if (cnt[j] > cnt[s] || (cnt[j] == cnt[s] && nmap_rank(j) < nmap_rank(s)))
				break;
			h->ignored[i] = h->ignored[i - 1];
			h->ignored_count[i] = h->ignored_count[i - 1];
		}
		h->ignored[i] = (uint8_t)s;
		h->ignored_count[i] = cnt[s];
		h->nignored++;
	}
}

/* Status, its reason and the host's time span. */
static void find_status(struct hg_host *h, const struct host_record *hr)
{
	const struct port_record *tcp = NULL, *any = NULL;
	int timed = hr != NULL; /* start/end hold a record's time */
	size_t k;

	h->nopen = 0;
	h->start_us = h->end_us = hr != NULL ? hr->time_us : 0;
	for (k = 0; h->ports != NULL && k < h->n; k++) {
		const struct port_record *p = &h->ports[k];

		if (!timed || p->time_us < h->start_us)
			h->start_us = p->time_us;
		if (!timed || p->time_us > h->end_us)
			h->end_us = p->time_us;
		timed = 1;
		h->nopen += hg_state(p) == PS_OPEN;
		if (!port_record_from_target(p))
			continue; /* silence, or an ICMP error from a router (result.h) */
		if (any == NULL)
			any = p;
		if (tcp == NULL && (p->reason == R_SYN_ACK || p->reason == R_RESET))
			tcp = p;
	}
	h->reason_ttl = 0;
	if (hr != NULL && hr->up) {
		h->status = HG_UP;
		h->reason = reason_name((enum reason)hr->reason);
	} else if (tcp != NULL || any != NULL) {
		const struct port_record *p = tcp != NULL ? tcp : any;

		h->status = HG_UP;
		h->reason = reason_name((enum reason)hg_reason(p));
		h->reason_ttl = p->ttl;
	} else {
		h->status = hr != NULL ? HG_DOWN : HG_SILENT;
		h->reason = "no-response"; /* nmap's word for a host that did not answer */
	}
}

int hg_next(struct hostgroup *g, int open_only, struct hg_host *out)
{
	size_t pe, he;
	ip_addr ip;

	if (g->pi >= g->nports && g->hi >= g->nhosts)
		return 0;
	if (g->hi >= g->nhosts ||
	    (g->pi < g->nports && addr_order(g->ports[g->pi].ip, g->hosts[g->hi].ip) <= 0))
		ip = g->ports[g->pi].ip;
	else
		ip = g->hosts[g->hi].ip;
	for (pe = g->pi; pe < g->nports && addr_eq(g->ports[pe].ip, ip); pe++)
		;
	for (he = g->hi; he < g->nhosts && addr_eq(g->hosts[he].ip, ip); he++)
		;
	memset(out, 0, sizeof(*out));
	out->ip = ip;
	out->ports = pe > g->pi ? &g->ports[g->pi] : NULL;
	out->n = pe - g->pi;
	out->rec = he > g->hi ? &g->hosts[he - 1] : NULL;
	/* Every record of one address carries the same names. */
	out->names = out->n > 0 ? out->ports[0].names : out->rec != NULL ? out->rec->names : NULL;
	find_status(out, out->rec);
	find_ignored(out, open_only);
	g->pi = pe;
	g->hi = he;
	return 1;
}

int hg_listed(const struct hg_host *h, int open_only)
{
	if (h->status == HG_UP)
		return !open_only || h->nopen > 0;
	return h->status == HG_DOWN && !open_only;
}

int hg_is_ignored(const struct hg_host *h, unsigned state)
{
	for (unsigned i = 0; i < h->nignored; i++)
		if (h->ignored[i] == state)
			return 1;
	return 0;
}

const char *hg_service(struct hostgroup *g, uint16_t port)
{
	struct servent *se;
	char *name = NULL;

	if (g->svc == NULL) {
		g->svc = calloc(65536, sizeof(*g->svc));
		if (g->svc == NULL)
			return NULL;
	}
	if (g->svc[port] == NULL) {
		se = getservbyport(htons(port), "tcp");
		if (se != NULL && se->s_name != NULL && se->s_name[0] != '\0')
			name = strdup(se->s_name);
		g->svc[port] = name != NULL ? name : svc_none;
	}
	return g->svc[port] != svc_none ? g->svc[port] : NULL;
}

void hg_ctime(int64_t time_us, char out[32])
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(time_us / 1000000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11) {
		snprintf(out, 32, "%s", "unknown time");
		return;
	}
	snprintf(out, 32, "%s %s %2d %02d:%02d:%02d %d", days[tm.tm_wday], months[tm.tm_mon],
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}
