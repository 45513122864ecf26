/* hostnames.c — address -> host names it came from (see include/hostnames.h). */
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
	hostnames_init(h);
}

/* The pool index of name, copying it unless it is the one added last (a
 * name's addresses are added one after another). */
static int intern(struct hostnames *h, const char *name, size_t *idx)
{
	size_t len = strlen(name);
	char *copy, **np;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (h->npool > 0 && strlen(h->pool[h->npool - 1]) == len &&
	    strncasecmp(h->pool[h->npool - 1], name, len) == 0) {
		*idx = h->npool - 1;
		return 0;
	}
	if ((np = realloc(h->pool, (h->npool + 1) * sizeof(*np))) == NULL)
		return -1;
	h->pool = np;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, name, len);
	copy[len] = '\0';
	h->pool[h->npool] = copy;
	*idx = h->npool++;
	return 0;
}

int hostnames_add(struct hostnames *h, ip_addr ip, const char *name)
{
	size_t idx;

	if (h->npairs == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 64;
		struct hostname_pair *np = realloc(h->pairs, ncap * sizeof(*np));

		if (np == NULL)
			return -1;
		h->pairs = np;
		h->cap = ncap;
	}
	if (intern(h, name, &idx) != 0)
		return -1;
	/* A result file repeats an address's names on each of its records. */
	if (h->npairs > 0 && h->pairs[h->npairs - 1].name == idx &&
	    addr_eq(h->pairs[h->npairs - 1].ip, ip))
		return 0;
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
