/* hostnames.c — address -> host names it came from (see include/hostnames.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hostnames.h"

struct hostname_pair {
	ip_addr ip;
	size_t order; /* input order: qsort is not stable */
	size_t name;  /* index into pool */
};

void hostnames_init(struct hostnames *h)
{
	memset(h, 0, sizeof(*h));
}

void hostnames_free(struct hostnames *h)
{
	for (size_t i = 0; i < h->npool; i++)
		free(h->pool[i]);
	free(h->pool);
	free(h->addr);
	free(h->first);
	free(h->count);
	free(h->name_ptr);
	free(h->pairs);
	free(h->name_slot);
	free(h->pair_slot);
	hostnames_init(h);
}

/* FNV-1a of the name, case folded (names compare case-insensitively). */
static size_t name_hash(const char *s, size_t len)
{
	uint64_t x = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		x = (x ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * UINT64_C(0x100000001b3);
	}
	return (size_t)x;
}

static size_t pair_hash(ip_addr ip, size_t name)
{
	return (size_t)(addr_hash(ip) ^ (uint64_t)name * UINT64_C(0x9e3779b97f4a7c15));
}

/* Open-addressing sets of indexes (+1; 0 empty), at most half full. */
static int set_grow(size_t **slot, size_t *nslot, size_t n,
		    size_t (*hash_of)(const struct hostnames *, size_t), const struct hostnames *h)
{
	size_t ns = *nslot ? *nslot * 2 : 256, *v;

	if (2 * (n + 1) <= *nslot)
		return 0;
	if (ns > SIZE_MAX / sizeof(*v) || (v = calloc(ns, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t k = hash_of(h, i) & (ns - 1);

		while (v[k] != 0)
			k = (k + 1) & (ns - 1);
		v[k] = i + 1;
	}
	free(*slot);
	*slot = v;
	*nslot = ns;
	return 0;
}

static size_t pool_hash_at(const struct hostnames *h, size_t i)
{
	return name_hash(h->pool[i], strlen(h->pool[i]));
}

static size_t pair_hash_at(const struct hostnames *h, size_t i)
{
	return pair_hash(h->pairs[i].ip, h->pairs[i].name);
}

/* The pool index of name (without a trailing dot, any case), copying it
 * when new: a name is stored once however many records carry it. */
static int intern(struct hostnames *h, const char *name, size_t *idx)
{
	size_t len = strlen(name), k;
	char *copy, **np;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (set_grow(&h->name_slot, &h->name_nslot, h->npool, pool_hash_at, h) != 0)
		return -1;
	for (k = name_hash(name, len) & (h->name_nslot - 1); h->name_slot[k] != 0;
	     k = (k + 1) & (h->name_nslot - 1)) {
		const char *have = h->pool[h->name_slot[k] - 1];

		if (strlen(have) == len && strncasecmp(have, name, len) == 0) {
			*idx = h->name_slot[k] - 1;
			return 0;
		}
	}
	if ((np = realloc(h->pool, (h->npool + 1) * sizeof(*np))) == NULL)
		return -1;
	h->pool = np;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, name, len);
	copy[len] = '\0';
	h->pool[h->npool] = copy;
	h->name_slot[k] = h->npool + 1;
	*idx = h->npool++;
	return 0;
}

int hostnames_add(struct hostnames *h, ip_addr ip, const char *name)
{
	size_t idx, k;

	if (h->npairs == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 64;
		struct hostname_pair *np = realloc(h->pairs, ncap * sizeof(*np));

		if (np == NULL)
			return -1;
		h->pairs = np;
		h->cap = ncap;
	}
	if (intern(h, name, &idx) != 0 ||
	    set_grow(&h->pair_slot, &h->pair_nslot, h->npairs, pair_hash_at, h) != 0)
		return -1;
	/* A result file repeats an address's names on each of its records:
	 * a pair already there is kept once, at its first position. */
	for (k = pair_hash(ip, idx) & (h->pair_nslot - 1); h->pair_slot[k] != 0;
	     k = (k + 1) & (h->pair_nslot - 1)) {
		const struct hostname_pair *q = &h->pairs[h->pair_slot[k] - 1];

		if (q->name == idx && addr_eq(q->ip, ip))
			return 0;
	}
	h->pair_slot[k] = h->npairs + 1;
	h->pairs[h->npairs].ip = ip;
	h->pairs[h->npairs].order = h->next_order++;
	h->pairs[h->npairs].name = idx;
	h->npairs++;
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct hostname_pair *x = a, *y = b;

	if (!addr_eq(x->ip, y->ip))
		return addr_order(x->ip, y->ip);
	return x->order < y->order ? -1 : x->order > y->order;
}

/* By ip, then name (case-insensitive), then input order: equal pairs meet. */
static const struct hostnames *sort_map; /* qsort has no context argument */

static int cmp_pair_name(const void *a, const void *b)
{
	const struct hostname_pair *x = a, *y = b;
	int c;

	if (!addr_eq(x->ip, y->ip))
		return addr_order(x->ip, y->ip);
	if (x->name != y->name &&
	    (c = strcasecmp(sort_map->pool[x->name], sort_map->pool[y->name])) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Drops repeated (ip, name) pairs, keeping the first given. */
static size_t drop_repeats(struct hostnames *h)
{
	size_t out = 0;

	sort_map = h;
	qsort(h->pairs, h->npairs, sizeof(*h->pairs), cmp_pair_name);
	for (size_t i = 0; i < h->npairs; i++) {
		const struct hostname_pair *p = &h->pairs[i];

		if (out > 0 && addr_eq(h->pairs[out - 1].ip, p->ip) &&
		    strcasecmp(h->pool[h->pairs[out - 1].name], h->pool[p->name]) == 0)
			continue;
		h->pairs[out++] = *p;
	}
	return out;
}

int hostnames_finish(struct hostnames *h)
{
	size_t n, nout = 0, naddr = 0;

	n = h->npairs;
	free(h->addr);
	free(h->first);
	free(h->count);
	free(h->name_ptr);
	h->addr = NULL;
	h->first = h->count = NULL;
	h->name_ptr = NULL;
	h->naddr = 0;
	if (n == 0)
		return 0;
	n = drop_repeats(h);
	qsort(h->pairs, n, sizeof(*h->pairs), cmp_pair);
	h->addr = malloc(n * sizeof(*h->addr));
	h->first = malloc(n * sizeof(*h->first));
	h->count = malloc(n * sizeof(*h->count));
	h->name_ptr = malloc(2 * n * sizeof(*h->name_ptr)); /* a NULL after each address */
	if (h->addr == NULL || h->first == NULL || h->count == NULL || h->name_ptr == NULL) {
		hostnames_free(h);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hostname_pair *p = &h->pairs[i];

		/* Sorted by address: a new address starts where the previous pair's differs. */
		if (i == 0 || !addr_eq(h->pairs[i - 1].ip, p->ip)) {
			if (i > 0)
				h->name_ptr[nout++] = NULL;
			h->addr[naddr] = p->ip;
			h->first[naddr] = (uint32_t)nout;
			h->count[naddr] = 0;
			naddr++;
		}
		h->name_ptr[nout++] = h->pool[p->name];
		h->count[naddr - 1]++;
	}
	h->name_ptr[nout] = NULL;
	h->naddr = naddr;
	/* The pairs moved: the set of them is built again for later adds. */
	free(h->pair_slot);
	h->pair_slot = NULL;
	h->pair_nslot = 0;
	/* The pairs stay (sorted, without repeats) so that names added later
	 * and a second finish give one map of both. */
	h->npairs = n;
	return 0;
}

size_t hostnames_find(const struct hostnames *h, ip_addr ip, const char *const **names)
{
	size_t lo = 0, hi;

	*names = NULL;
	if (h == NULL || h->naddr == 0)
		return 0;
	hi = h->naddr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_order(h->addr[mid], ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == h->naddr || !addr_eq(h->addr[lo], ip))
		return 0;
	*names = &h->name_ptr[h->first[lo]];
	return h->count[lo];
}

static int cmp_name_ptr(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

const char **hostnames_name_index(const struct hostnames *h, size_t *n)
{
	size_t total = 0, out = 0;
	const char **v;

	*n = 0;
	for (size_t i = 0; i < h->naddr; i++)
		total += h->count[i];
	if ((v = malloc((total > 0 ? total : 1) * sizeof(*v))) == NULL)
		return NULL;
	for (size_t i = 0; i < h->naddr; i++)
		for (uint32_t j = 0; j < h->count[i]; j++)
			v[out++] = h->name_ptr[h->first[i] + j];
	qsort(v, out, sizeof(*v), cmp_name_ptr);
	*n = 0;
	for (size_t i = 0; i < out; i++)
		if (*n == 0 || strcasecmp(v[*n - 1], v[i]) != 0)
			v[(*n)++] = v[i];
	return v;
}

int hostnames_index_has(const char *const *index, size_t n, const char *name)
{
	return n > 0 && bsearch(&name, index, n, sizeof(*index), cmp_name_ptr) != NULL;
}
