/*
 * plan.c — the target space: index <-> (address, port) without a per-address
 * allocation. Memory is O(ranges) plus a fixed 256 KiB port-to-slot table,
 * whether the plan holds one address, all of IPv4 or IPv6 blocks besides.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "portus.h"

#define PLAN_MAX_N (1ull << 62) /* the permutation's domain limit (permute.h) */
#define PORT_SLOTS 65536

int plan_init(struct plan *pl, const struct ip_set *targets, const struct port_list *ports,
	      char *err, size_t errlen)
{
	struct plan p = { 0 };

	if (targets->n == 0) {
		portus_err(err, errlen,
			   "no targets left to scan (check the target list and excludes)");
		return -1;
	}
	if (ports->n == 0) {
		portus_err(err, errlen, "no ports to scan");
		return -1;
	}
	for (size_t k = 0; k < targets->n; k++) {
		if (targets->r[k].first.v > targets->r[k].last.v ||
		    (k > 0 && targets->r[k].first.v <= targets->r[k - 1].last.v)) {
			portus_err(err, errlen, "internal: target ranges are not normalized");
			return -1;
		}
	}
	for (uint32_t k = 1; k < ports->n; k++) {
		if (ports->ports[k] <= ports->ports[k - 1]) {
			portus_err(err, errlen, "internal: port list is not sorted and unique");
			return -1;
		}
	}

	p.nranges = targets->n;
	p.nports = ports->n;
	p.ranges = malloc(p.nranges * sizeof(*p.ranges));
	p.base = malloc(p.nranges * sizeof(*p.base));
	p.ports = malloc(p.nports * sizeof(*p.ports));
	p.port_slot = malloc(PORT_SLOTS * sizeof(*p.port_slot));
	if (p.ranges == NULL || p.base == NULL || p.ports == NULL || p.port_slot == NULL) {
		portus_err(err, errlen, "out of memory building the scan plan");
		goto fail;
	}
	memcpy(p.ranges, targets->r, p.nranges * sizeof(*p.ranges));
	memcpy(p.ports, ports->ports, p.nports * sizeof(*p.ports));

	/* IPv6 ranges can be of any size (merged specs): the count is checked
	 * against the permutation's limit before it could wrap. */
	for (size_t k = 0; k < p.nranges; k++) {
		u128 span = p.ranges[k].last.v - p.ranges[k].first.v;

		p.base[k] = p.nhosts;
		if (span >= PLAN_MAX_N || p.nhosts + span >= PLAN_MAX_N) {
			portus_err(err, errlen, "more than 2^62 addresses to scan");
			goto fail;
		}
		p.nhosts += (uint64_t)span + 1;
	}

	for (uint32_t port = 0; port < PORT_SLOTS; port++)
		p.port_slot[port] = -1;
	for (uint32_t k = 0; k < p.nports; k++)
		p.port_slot[p.ports[k]] = (int32_t)k;

	/* nhosts < 2^62 but nhosts x nports may not be. */
	if (p.nhosts > PLAN_MAX_N / p.nports) {
		portus_err(err, errlen, "%llu addresses x %u ports is more than 2^62 probes",
			   (unsigned long long)p.nhosts, p.nports);
		goto fail;
	}
	p.n = p.nhosts * p.nports;
	*pl = p;
	return 0;

fail:
	free(p.ranges);
	free(p.base);
	free(p.ports);
	free(p.port_slot);
	return -1;
}

void plan_free(struct plan *pl)
{
	free(pl->ranges);
	free(pl->base);
	free(pl->ports);
	free(pl->port_slot);
	memset(pl, 0, sizeof(*pl));
}

uint64_t plan_bytes(const struct plan *pl)
{
	return (uint64_t)pl->nranges * (sizeof(*pl->ranges) + sizeof(*pl->base)) +
	       (uint64_t)pl->nports * sizeof(*pl->ports) + PORT_SLOTS * sizeof(*pl->port_slot);
}

ip_addr plan_host_ip(const struct plan *pl, uint64_t host_index)
{
	/* Last range whose base is <= host_index; base[0] == 0. */
	size_t lo = 0, hi = pl->nranges; /* answer in [lo, hi) */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (pl->base[mid] <= host_index)
			lo = mid;
		else
			hi = mid;
	}
	ip_addr a = { pl->ranges[lo].first.v + (host_index - pl->base[lo]) };
	return a;
}

int plan_host_index(const struct plan *pl, ip_addr ip, uint64_t *host_index)
{
	size_t lo = 0, hi = pl->nranges;

	if (pl->nranges == 0 || ip.v < pl->ranges[0].first.v)
		return -1;
	/* Last range whose first address is <= ip. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (pl->ranges[mid].first.v <= ip.v)
			lo = mid;
		else
			hi = mid;
	}
	if (ip.v > pl->ranges[lo].last.v)
		return -1; /* in a gap between ranges, or past the last */
	*host_index = pl->base[lo] + (uint64_t)(ip.v - pl->ranges[lo].first.v);
	return 0;
}

void plan_decode(const struct plan *pl, uint64_t i, ip_addr *ip, uint16_t *port)
{
	*ip = plan_host_ip(pl, i / pl->nports);
	*port = pl->ports[i % pl->nports];
}

int plan_encode(const struct plan *pl, ip_addr ip, uint16_t port, uint64_t *i)
{
	int32_t slot = pl->port_slot[port];
	uint64_t host;

	if (slot < 0 || plan_host_index(pl, ip, &host) != 0)
		return -1;
	*i = host * pl->nports + (uint32_t)slot;
	return 0;
}
