/* addrpool.c — addresses interned as 32-bit indexes (see include/addrpool.h). */
#include <stdlib.h>
#include <string.h>

#include "addrpool.h"

void addrpool_init(struct addr_pool *p)
{
	memset(p, 0, sizeof(*p));
}

void addrpool_free(struct addr_pool *p)
{
	free(p->v);
	free(p->slot);
	addrpool_init(p);
}

static size_t hash(ip_addr a)
{
	return (size_t)addr_hash(a);
}

static void place(uint32_t *slot, size_t nslot, ip_addr a, uint32_t idx)
{
	size_t i = hash(a) & (nslot - 1);

	while (slot[i] != 0)
		i = (i + 1) & (nslot - 1);
	slot[i] = idx + 1;
}

/* A table of nslot slots holding every address of the pool. */
static int rehash(struct addr_pool *p, size_t nslot)
{
	uint32_t *slot = calloc(nslot, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < p->n; i++)
		place(slot, nslot, p->v[i], (uint32_t)i);
	free(p->slot);
	p->slot = slot;
	p->nslot = nslot;
	return 0;
}

int addrpool_find(const struct addr_pool *p, ip_addr a, uint32_t *idx)
{
	if (p->nslot == 0)
		return -1;
	for (size_t i = hash(a) & (p->nslot - 1); p->slot[i] != 0; i = (i + 1) & (p->nslot - 1))
		if (addr_eq(p->v[p->slot[i] - 1], a)) {
			*idx = p->slot[i] - 1;
			return 0;
		}
	return -1;
}

int addrpool_intern(struct addr_pool *p, ip_addr a, uint32_t *idx)
{
	if (addrpool_find(p, a, idx) == 0)
		return 0;
	if (p->n >= ADDRPOOL_MAX)
		return -1;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		ip_addr *v;

		if (cap > SIZE_MAX / sizeof(*v) || (v = realloc(p->v, cap * sizeof(*v))) == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	if (2 * (p->n + 1) > p->nslot) {
		size_t nslot = p->nslot ? p->nslot * 2 : 512;

		if (nslot > SIZE_MAX / sizeof(*p->slot) || rehash(p, nslot) != 0)
			return -1;
	}
	p->v[p->n] = a;
	place(p->slot, p->nslot, a, (uint32_t)p->n);
	*idx = (uint32_t)p->n++;
	return 0;
}

struct ranked {
	ip_addr a;
	uint32_t old;
};

static int cmp_ranked(const void *x, const void *y)
{
	return addr_order(((const struct ranked *)x)->a, ((const struct ranked *)y)->a);
}

int addrpool_sort(struct addr_pool *p, uint32_t **remap)
{
	struct ranked *r = malloc((p->n ? p->n : 1) * sizeof(*r));
	uint32_t *map = malloc((p->n ? p->n : 1) * sizeof(*map));

	if (remap != NULL)
		*remap = NULL;
	if (r == NULL || map == NULL) {
		free(r);
		free(map);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++) {
		r[i].a = p->v[i];
		r[i].old = (uint32_t)i;
	}
	qsort(r, p->n, sizeof(*r), cmp_ranked);
	for (size_t i = 0; i < p->n; i++) {
		p->v[i] = r[i].a;
		map[r[i].old] = (uint32_t)i;
	}
	free(r);
	/* The table holds old indexes: rebuilt for the new ones. */
	if (p->nslot > 0) {
		memset(p->slot, 0, p->nslot * sizeof(*p->slot));
		for (size_t i = 0; i < p->n; i++)
			place(p->slot, p->nslot, p->v[i], (uint32_t)i);
	}
	if (remap != NULL)
		*remap = map;
	else
		free(map);
	return 0;
}
