/*
 * onlink.c — targets on the scanner's own subnet, reached by their own MACs:
 * the lookup of an on-link target, and the ARP guard that decides which ARP
 * answers are believed (include/onlink.h).
 */
#include "onlink.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "json.h"

struct onlink_host *onlink_find(const struct engine *e, ip_addr ip)
{
	size_t lo = 0, hi = e->nonlink;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr_order(e->onlink[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nonlink && addr_eq(e->onlink[lo].ip, ip) ? &e->onlink[lo] : NULL;
}

static int cmp_claim(const void *a, const void *b)
{
	return addr_order(((const struct arp_claim *)a)->ip, ((const struct arp_claim *)b)->ip);
}

int arp_guard_init(struct arp_guard *g, const ip_addr *ips, size_t n)
{
	size_t k = 0;

	memset(g, 0, sizeof(*g));
	if (n == 0)
		return 0;
	g->claims = calloc(n, sizeof(*g->claims));
	if (g->claims == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		g->claims[i].ip = ips[i];
	qsort(g->claims, n, sizeof(*g->claims), cmp_claim);
	/* The gateway may also be a target: one claim per address. */
	for (size_t i = 0; i < n; i++)
		if (k == 0 || !addr_eq(g->claims[k - 1].ip, g->claims[i].ip))
			g->claims[k++] = g->claims[i];
	g->nclaims = k;
	return 0;
}

void arp_guard_free(struct arp_guard *g)
{
	free(g->claims);
	g->claims = NULL;
	g->nclaims = 0;
}

void arp_guard_close(struct arp_guard *g)
{
	g->closed = 1;
}

static struct arp_claim *claim_find(const struct arp_guard *g, ip_addr ip)
{
	size_t lo = 0, hi = g->nclaims;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr_order(g->claims[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nclaims && addr_eq(g->claims[lo].ip, ip) ? &g->claims[lo] : NULL;
}

/* Another MAC for a learnt address: remembered for the report. */
static void note_conflict(struct arp_guard *g, struct arp_claim *c, const uint8_t mac[6])
{
	struct arp_conflict *x;

	g->conflict_replies++;
	if (c->conflict == 0) {
		g->conflict_addrs++;
		if (g->nconflicts == ARP_CONFLICTS_SHOWN) {
			c->conflict = UINT8_MAX; /* counted, not shown */
			return;
		}
		x = &g->conflicts[g->nconflicts++];
		x->ip = c->ip;
		memcpy(x->kept, c->mac, 6);
		memcpy(x->other, mac, 6);
		c->conflict = (uint8_t)g->nconflicts;
	}
	if (c->conflict != UINT8_MAX)
		g->conflicts[c->conflict - 1].replies++;
}

static enum arp_verdict judge(struct arp_guard *g, ip_addr ip, const uint8_t mac[6])
{
	struct arp_claim *c = claim_find(g, ip);

	if (c == NULL)
		return ARP_UNASKED;
	if (c->learnt) {
		if (memcmp(c->mac, mac, 6) == 0)
			return ARP_DUPLICATE;
		/* Reported whenever it comes: a poisoner that keeps answering after
		 * the phase is as worth knowing about as one racing during it. */
		note_conflict(g, c, mac);
		return ARP_CONFLICT;
	}
	if (g->closed)
		return ARP_LATE;
	memcpy(c->mac, mac, 6);
	c->learnt = 1;
	return ARP_LEARN;
}

enum arp_verdict arp_guard_judge(struct arp_guard *g, ip_addr ip, const uint8_t mac[6])
{
	enum arp_verdict v = judge(g, ip, mac);

	g->counts[v]++;
	return v;
}

static void mac_to_str(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

uint64_t arp_guard_report(const struct arp_guard *g, FILE *f)
{
	for (size_t i = 0; i < g->nconflicts; i++) {
		const struct arp_conflict *x = &g->conflicts[i];
		const char *proto = addr_is_v4(x->ip) ? "ARP" : "NDP";
		char ip[ADDR_STR_MAX], kept[18], other[18];

		addr_to_str(x->ip, ip);
		mac_to_str(x->kept, kept);
		mac_to_str(x->other, other);
		fprintf(f,
			"portus: warning: %s conflict for %s: probed at %s (first answer); "
			"ignored %llu answer(s) from other MACs, first %s (%s spoofing, or a "
			"host answering from two interfaces)\n",
			proto, ip, kept, (unsigned long long)x->replies, other, proto);
	}
	if (g->conflict_addrs > g->nconflicts)
		fprintf(f,
			"portus: warning: ARP/NDP conflicts for %llu more address(es) not listed\n",
			(unsigned long long)(g->conflict_addrs - g->nconflicts));
	return g->conflict_addrs;
}
