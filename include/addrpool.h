/*
 * addrpool.h — addresses interned as 32-bit indexes.
 *
 * Result files of large sweeps hold 10^8 records; a 16-byte address (plus
 * alignment) in each would be most of their memory. A record keeps a 32-bit
 * IPv4 address itself and an index into a pool for anything else (IPv6
 * targets, the senders of ICMP errors), each distinct address stored once.
 *
 * Lookup is an open-addressing hash table of indexes (load at most 1/2), so
 * interning is O(1) expected and a pool of n addresses costs about
 * 16 n + 8..16 n bytes. addrpool_sort puts the pool in address order and
 * says where each old index went, so that records can compare by index.
 *
 * Ownership: the pool owns its arrays; addrpool_free releases them.
 */
#ifndef PORTUS_ADDRPOOL_H
#define PORTUS_ADDRPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define ADDRPOOL_MAX UINT32_MAX /* indexes 0 .. ADDRPOOL_MAX - 1 */

struct addr_pool {
	ip_addr *v; /* distinct addresses, by index */
	size_t n, cap;
	uint32_t *slot; /* hash table: index + 1, 0 = empty */
	size_t nslot;   /* a power of two, at least 2 n; 0 before the first add */
};

void addrpool_init(struct addr_pool *p);
void addrpool_free(struct addr_pool *p);

/* The index of a, adding it when new. Returns 0, or -1 when out of memory
 * or the pool is full (ADDRPOOL_MAX addresses); the pool is then unchanged. */
int addrpool_intern(struct addr_pool *p, ip_addr a, uint32_t *idx);

/* The index of a when it is in the pool: 0 and *idx set, else -1. */
int addrpool_find(const struct addr_pool *p, ip_addr a, uint32_t *idx);

static inline ip_addr addrpool_get(const struct addr_pool *p, uint32_t idx)
{
	return p->v[idx];
}

/*
 * Sorts the pool by address (addr_order). When remap is not NULL, it gets a
 * malloc'd array of the old n entries: remap[old index] = new index (the
 * caller frees it). Returns 0, or -1 when out of memory (the pool is then
 * unchanged and *remap NULL).
 */
int addrpool_sort(struct addr_pool *p, uint32_t **remap);

#endif
