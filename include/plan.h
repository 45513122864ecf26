/*
 * plan.h — the target space: index i in [0, n) <-> (address, port).
 *
 * i = host_index * nports + port_slot, where host_index counts addresses in
 * ascending order across the ranges (IPv4 first: addr.h orders them below
 * every IPv6 address we scan) and port_slot indexes the sorted ports.
 * Decoding is a binary search over range prefix sums; encoding (for replies)
 * is a binary search over ranges plus a 65536-entry port-to-slot table.
 */
#ifndef PORTUS_PLAN_H
#define PORTUS_PLAN_H

#include <stdint.h>

#include "ipset.h"
#include "ports.h"

struct plan {
	struct ip_range *ranges; /* owned copy of the normalized target set */
	uint64_t *base;          /* owned; base[k] = host index of ranges[k].first */
	size_t nranges;
	uint64_t nhosts;
	uint16_t *ports; /* owned copy, sorted */
	uint32_t nports;
	int32_t *port_slot; /* owned, 65536 entries: slot of a port or -1 */
	uint64_t n;         /* nhosts * nports */
};

/* Copies targets (normalized, non-empty) and ports (non-empty).
 * Returns 0 or -1 with err (empty input, allocation failure). */
int plan_init(struct plan *pl, const struct ip_set *targets, const struct port_list *ports,
	      char *err, size_t errlen);
void plan_free(struct plan *pl);

/* Bytes plan_init allocated for pl (its ranges, bases, ports and the fixed
 * 256 KiB port-to-slot table): what the plan costs, reported in the summary. */
uint64_t plan_bytes(const struct plan *pl);

/* i must be < pl->n. */
void plan_decode(const struct plan *pl, uint64_t i, ip_addr *ip, uint16_t *port);

/* Returns 0 and sets *i when (ip, port) is in the plan, else -1. */
int plan_encode(const struct plan *pl, ip_addr ip, uint16_t port, uint64_t *i);

/* Host index <-> address (host_index < pl->nhosts). */
ip_addr plan_host_ip(const struct plan *pl, uint64_t host_index);
/* Returns 0 and sets *host_index when ip is a target, else -1. */
int plan_host_index(const struct plan *pl, ip_addr ip, uint64_t *host_index);

#endif
