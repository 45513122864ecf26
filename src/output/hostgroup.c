/* hostgroup.c — records gathered per host with nmap's host conclusions (see hostgroup.h). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/hostgroup.h"
#include "portus.h"

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
	free(g->sil);
	free(g->ranges);
	free(g->spans);
	memset(g, 0, sizeof(*g));
}

static int keep_port(struct hostgroup *g, const struct port_record *r)
{
	if (portus_grow((void **)&g->ports, &g->capports, g->nports, sizeof(*r)) != 0)
		return -1;
	g->ports[g->nports++] = *r;
	return 0;
}

static int keep_host(struct hostgroup *g, const struct host_record *h)
{
	if (portus_grow((void **)&g->hosts, &g->caphosts, g->nhosts, sizeof(*h)) != 0)
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

/* ---- the silent remainder ---- */

/* Whether ip is in the sorted prefix [0, n) of the records (element size
 * size, address at offset 0 of each: port_record and host_record both start
 * with it). */
static int sorted_has(const void *base, size_t n, size_t size, ip_addr ip)
{
	const unsigned char *p = base;
	size_t lo = 0, hi = n;
	ip_addr at;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		memcpy(&at, p + mid * size, sizeof(at));
		if (addr_order(at, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= n)
		return 0;
	memcpy(&at, p + lo * size, sizeof(at));
	return addr_eq(at, ip);
}

/* Whether ip was counted as a silent host. */
static int counted_silent(const struct hostgroup *g, ip_addr ip)
{
	size_t lo = 0, hi = g->nspans;

	while (lo < hi) { /* the first span whose end is not below ip */
		size_t mid = lo + (hi - lo) / 2;

		if (g->spans[mid].hi.v < ip.v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nspans && g->spans[lo].lo.v <= ip.v;
}

static int count_silent(struct hostgroup *g, ip_addr ip)
{
	struct hg_span *last = g->nspans > 0 ? &g->spans[g->nspans - 1] : NULL;

	if (last != NULL && last->hi.v + 1 == ip.v) {
		last->hi = ip;
	} else {
		if (portus_grow((void **)&g->spans, &g->capspans, g->nspans, sizeof(*g->spans)) !=
		    0)
			return -1;
		g->spans[g->nspans].lo = g->spans[g->nspans].hi = ip;
		g->nspans++;
	}
	g->silent_hosts++;
	return 0;
}

/* Ends the pending host: its silent ports are kept when it has other records
 * (or keep is set), else the host is counted silent and its ranges dropped. */
static int flush_pending(struct hostgroup *g, int keep)
{
	struct hg_pending *p = &g->pend;
	struct hg_silent *s;

	if (!p->active)
		return 0;
	p->active = 0;
	if (p->nports == 0)
		return 0;
	if (!keep && !p->answered &&
	    !sorted_has(g->ports, g->nports_sorted, sizeof(*g->ports), p->ip) &&
	    !sorted_has(g->hosts, g->nhosts_sorted, sizeof(*g->hosts), p->ip)) {
		g->nranges = p->off;
		return count_silent(g, p->ip);
	}
	if (portus_grow((void **)&g->sil, &g->capsil, g->nsil, sizeof(*g->sil)) != 0)
		return -1;
	s = &g->sil[g->nsil++];
	s->ip = p->ip;
	s->names = p->names;
	s->tmin = p->tmin;
	s->tmax = p->tmax;
	s->off = p->off;
	s->nranges = g->nranges - p->off;
	s->nports = p->nports;
	return 0;
}

/* The first record other than an open port: every open record is in, so
 * they (and any host record) are sorted once for flush_pending's look-ups. */
static void start_stream(struct hostgroup *g)
{
	if (g->streaming)
		return;
	g->streaming = 1;
	if (g->nports > 0)
		qsort(g->ports, g->nports, sizeof(*g->ports), cmp_port);
	if (g->nhosts > 0)
		qsort(g->hosts, g->nhosts, sizeof(*g->hosts), cmp_host);
	g->nports_sorted = g->nports;
	g->nhosts_sorted = g->nhosts;
}

/* Out of collect.c's order: from now on every record is kept whole. */
static int go_unordered(struct hostgroup *g)
{
	g->unordered = 1;
	return flush_pending(g, 1);
}

/*
 * Makes ip the pending host if the order allows (1), or switches to keeping
 * everything (0). -1: out of memory.
 */
static int pend_on(struct hostgroup *g, ip_addr ip, const char *const *names)
{
	struct hg_pending *p = &g->pend;

	if (g->unordered)
		return 0;
	if (p->active && addr_eq(p->ip, ip))
		return 1;
	if (p->active && addr_order(ip, p->ip) < 0)
		return go_unordered(g) != 0 ? -1 : 0;
	if (flush_pending(g, 0) != 0)
		return -1;
	memset(p, 0, sizeof(*p));
	p->active = 1;
	p->ip = ip;
	p->names = names;
	p->off = g->nranges;
	return 1;
}

static int is_silent(const struct port_record *r)
{
	return !r->has_reply && hg_state(r) == PS_FILTERED && hg_reason(r) == R_NO_RESPONSE;
}

/* Appends r's port to the pending host's ranges; 0 when it had to be kept whole. */
static int add_silent(struct hostgroup *g, const struct port_record *r)
{
	struct hg_pending *p = &g->pend;
	struct hg_range *last;

	if (p->nports > 0 && r->port <= p->last)
		return go_unordered(g) != 0 ? -1 : 0;
	last = g->nranges > p->off ? &g->ranges[g->nranges - 1] : NULL;
	if (last != NULL && last->hi + 1 == r->port) {
		last->hi = r->port;
	} else {
		if (portus_grow((void **)&g->ranges, &g->capranges, g->nranges,
				sizeof(*g->ranges)) != 0)
			return -1;
		g->ranges[g->nranges].lo = g->ranges[g->nranges].hi = r->port;
		g->nranges++;
	}
	if (p->nports == 0 || r->time_us < p->tmin)
		p->tmin = r->time_us;
	if (p->nports == 0 || r->time_us > p->tmax)
		p->tmax = r->time_us;
	p->nports++;
	p->last = r->port;
	return 1;
}

int hg_add_port(struct hostgroup *g, const struct port_record *r)
{
	int on;

	if (g->nspans > 0 && counted_silent(g, r->ip))
		return -1;
	if (hg_state(r) == PS_OPEN) {
		if (!g->streaming || g->unordered)
			return keep_port(g, r);
		/* An open record after the others began (not collect.c's order). */
		if (g->pend.active && addr_eq(g->pend.ip, r->ip))
			g->pend.answered = 1;
		else if (g->pend.active && addr_order(r->ip, g->pend.ip) > 0 &&
			 go_unordered(g) != 0)
			return -1; /* a later host would not find it among the sorted opens */
		return keep_port(g, r);
	}
	start_stream(g);
	on = pend_on(g, r->ip, r->names);
	if (on < 0)
		return -1;
	if (on && is_silent(r)) {
		on = add_silent(g, r);
		if (on != 0)
			return on > 0 ? 0 : -1;
	} else if (on) {
		g->pend.answered = 1;
	}
	return keep_port(g, r);
}

int hg_add_host(struct hostgroup *g, const struct host_record *h)
{
	int on;

	if (g->nspans > 0 && counted_silent(g, h->ip))
		return -1;
	if (!g->streaming || g->unordered)
		return keep_host(g, h); /* a later host's look-up finds it among the sorted */
	on = pend_on(g, h->ip, h->names);
	if (on < 0)
		return -1;
	if (on)
		g->pend.answered = 1;
	return keep_host(g, h);
}

int hg_begin(struct hostgroup *g)
{
	int r = flush_pending(g, 0);

	if (g->nports > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(g->ports, g->nports, sizeof(*g->ports), cmp_port);
	if (g->nhosts > 0)
		qsort(g->hosts, g->nhosts, sizeof(*g->hosts), cmp_host);
	g->pi = g->hi = g->si = 0;
	if (r != 0) /* hand out nothing rather than a host without its ports */
		g->pi = g->nports, g->hi = g->nhosts, g->si = g->nsil;
	return r;
}

uint64_t hg_silent_hosts(const struct hostgroup *g)
{
	return g->silent_hosts;
}

/* ---- one host at a time ---- */

unsigned hg_state(const struct port_record *r)
{
	return r->state < HG_NSTATES ? r->state : PS_UNKNOWN;
}

unsigned hg_reason(const struct port_record *r)
{
	return r->reason < R_COUNT ? r->reason : R_NONE;
}

/* The next port from the host's silent ranges (range r, port next). */
static const struct port_record *silent_port(struct hg_port_iter *it)
{
	const struct hg_host *h = it->h;
	struct port_record *t = &it->tmp;
	uint16_t port = (uint16_t)it->next;

	if (it->next >= h->ranges[it->r].hi) {
		it->r++;
		it->next = it->r < h->silent->nranges ? h->ranges[it->r].lo : 0;
	} else {
		it->next++;
	}
	memset(t, 0, sizeof(*t));
	t->ip = h->ip;
	t->port = port;
	t->state = PS_FILTERED;
	t->reason = R_NO_RESPONSE;
	t->time_us = h->silent->tmax;
	t->names = h->names;
	return t;
}

const struct port_record *hg_port_next(struct hg_port_iter *it)
{
	const struct hg_host *h = it->h;
	int have_rec = it->k < h->nrec;
	int have_sil = h->silent != NULL && it->r < h->silent->nranges;

	/* A kept record before a silent one of the same port (none in practice). */
	if (have_rec && (!have_sil || h->ports[it->k].port <= it->next))
		return &h->ports[it->k++];
	if (have_sil)
		return silent_port(it);
	return NULL;
}

const struct port_record *hg_port_first(struct hg_port_iter *it, const struct hg_host *h)
{
	memset(it, 0, sizeof(*it));
	it->h = h;
	if (h->silent != NULL && h->silent->nranges > 0)
		it->next = h->ranges[0].lo;
	return hg_port_next(it);
}

/* nmap's numbering of the states (closed 1, open 2, filtered 3) breaks ties
 * between two summarised states with as many ports. */
static unsigned nmap_rank(unsigned state)
{
	switch (state) {
	case PS_CLOSED:
		return 1;
	case PS_OPEN:
		return 2;
	case PS_FILTERED:
		return 3;
	default:
		return 0;
	}
}

static void find_ignored(struct hg_host *h, int open_only)
{
	size_t cnt[HG_NSTATES] = { 0 };
	unsigned s, i, j;

	for (size_t k = 0; k < h->nrec; k++)
		cnt[hg_state(&h->ports[k])]++;
	cnt[PS_FILTERED] += h->n - h->nrec; /* the compact no-response ports */
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

/* Widens [start, end] (empty while !*timed) to t. */
static void span_time(struct hg_host *h, int *timed, int64_t t)
{
	if (!*timed || t < h->start_us)
		h->start_us = t;
	if (!*timed || t > h->end_us)
		h->end_us = t;
	*timed = 1;
}

/* Status, its reason and the host's time span. No-response ports never
 * answer, so only the kept records can give a reason. */
static void find_status(struct hg_host *h, const struct host_record *hr)
{
	const struct port_record *tcp = NULL, *any = NULL;
	int timed = hr != NULL; /* start/end hold a record's time */
	size_t k;

	h->nopen = 0;
	h->start_us = h->end_us = hr != NULL ? hr->time_us : 0;
	if (h->silent != NULL) {
		span_time(h, &timed, h->silent->tmin);
		span_time(h, &timed, h->silent->tmax);
	}
	for (k = 0; k < h->nrec; k++) {
		const struct port_record *p = &h->ports[k];

		span_time(h, &timed, p->time_us);
		h->nopen += hg_state(p) == PS_OPEN;
		if (!port_record_from_target(p))
			continue; /* silence, or an ICMP error from a router (scan_record.h) */
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

/* The lowest address among the three sorted lists' heads. */
static int next_ip(const struct hostgroup *g, ip_addr *ip)
{
	int have = 0;

	if (g->pi < g->nports) {
		*ip = g->ports[g->pi].ip;
		have = 1;
	}
	if (g->hi < g->nhosts && (!have || addr_order(g->hosts[g->hi].ip, *ip) < 0)) {
		*ip = g->hosts[g->hi].ip;
		have = 1;
	}
	if (g->si < g->nsil && (!have || addr_order(g->sil[g->si].ip, *ip) < 0)) {
		*ip = g->sil[g->si].ip;
		have = 1;
	}
	return have;
}

int hg_next(struct hostgroup *g, int open_only, struct hg_host *out)
{
	size_t pe, he;
	ip_addr ip;

	if (!next_ip(g, &ip))
		return 0;
	for (pe = g->pi; pe < g->nports && addr_eq(g->ports[pe].ip, ip); pe++)
		;
	for (he = g->hi; he < g->nhosts && addr_eq(g->hosts[he].ip, ip); he++)
		;
	memset(out, 0, sizeof(*out));
	out->ip = ip;
	out->ports = pe > g->pi ? &g->ports[g->pi] : NULL;
	out->nrec = pe - g->pi;
	out->n = out->nrec;
	if (g->si < g->nsil && addr_eq(g->sil[g->si].ip, ip)) {
		out->silent = &g->sil[g->si++];
		out->ranges = &g->ranges[out->silent->off];
		out->n += out->silent->nports;
	}
	out->rec = he > g->hi ? &g->hosts[he - 1] : NULL;
	/* Every record of one address carries the same names. */
	out->names = pe > g->pi            ? g->ports[g->pi].names
		     : out->rec != NULL    ? out->rec->names
		     : out->silent != NULL ? out->silent->names
					   : NULL;
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
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
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
