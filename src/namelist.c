/* namelist.c — host names given as targets (see include/namelist.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "namelist.h"

void namelist_init(struct name_list *l)
{
	memset(l, 0, sizeof(*l));
}

void namelist_free(struct name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->slot);
	namelist_init(l);
}

static int is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* "1.2.3.4x", "10.0.0.x": three or more all-digit labels first and at
 * most four labels is a mistyped address, not a name. */
static int dotted_quad_typo(const char *s, size_t len)
{
	size_t labels = 1, lead = 0, i;
	int digits = 1, leading = 1;

	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (leading && digits)
				lead++;
			else
				leading = 0;
			labels++;
			digits = 1;
		} else if (s[i] < '0' || s[i] > '9') {
			digits = 0;
		}
	}
	return lead >= 3 && labels <= 4;
}

int namelist_is_name(const char *s, size_t len)
{
	const char *dash;
	size_t label = 0, i;
	int digits_only = 1;
	ip_addr a;
	const char *why;

	if (len > 0 && s[len - 1] == '.')
		len--; /* one trailing dot: an absolute name */
	if (len == 0 || len > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			/* Empty label, or one ending in '-'. */
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			digits_only = 1;
			continue;
		}
		if (!is_ldh(c) || (label == 0 && c == '-') || ++label > 63)
			return 0;
		if (c < '0' || c > '9')
			digits_only = 0;
	}
	if (s[len - 1] == '-' || digits_only || dotted_quad_typo(s, len))
		return 0;
	/* "198.18.0.1-x": a range with a bad end, reported as such. */
	dash = memchr(s, '-', len);
	if (dash != NULL && addr_parse(s, (size_t)(dash - s), &a, &why) == 0)
		return 0;
	return 1;
}

size_t namelist_shown_len(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && name[n - 1] == '.' ? n - 1 : n;
}

/* FNV-1a over the lower-cased name without its trailing dot. */
static uint64_t name_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		h = (h ^ c) * 0x100000001b3ull;
	}
	return h;
}

static int same_name(const char *listed, const char *s, size_t len)
{
	return namelist_shown_len(listed) == len && strncasecmp(listed, s, len) == 0;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t *find_slot(const struct name_list *l, const char *s, size_t len)
{
	size_t mask = l->nslot - 1, i = (size_t)name_hash(s, len) & mask;

	while (l->slot[i] != 0 && !same_name(l->v[l->slot[i] - 1], s, len))
		i = (i + 1) & mask;
	return &l->slot[i];
}

static int rehash(struct name_list *l, size_t nslot)
{
	size_t *ns = calloc(nslot, sizeof(*ns));

	if (ns == NULL)
		return -1;
	free(l->slot);
	l->slot = ns;
	l->nslot = nslot;
	for (size_t i = 0; i < l->n; i++)
		*find_slot(l, l->v[i], namelist_shown_len(l->v[i])) = i + 1;
	return 0;
}

int namelist_add(struct name_list *l, const char *s, size_t len)
{
	size_t key = len > 0 && s[len - 1] == '.' ? len - 1 : len, *slot;
	char *copy;

	if ((l->n + 1) * 2 > l->nslot && rehash(l, l->nslot ? l->nslot * 2 : 64) != 0)
		return -1;
	slot = find_slot(l, s, key);
	l->given++;
	if (*slot != 0)
		return 0; /* already listed */
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **nv = realloc(l->v, ncap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = ncap;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	l->v[l->n++] = copy;
	*slot = l->n;
	return 0;
}

void namelist_truncate(struct name_list *l, size_t n)
{
	if (n >= l->n)
		return;
	while (l->n > n)
		free(l->v[--l->n]);
	/* Rebuilding from the names kept cannot need more slots than now. */
	memset(l->slot, 0, l->nslot * sizeof(*l->slot));
	for (size_t i = 0; i < l->n; i++)
		*find_slot(l, l->v[i], namelist_shown_len(l->v[i])) = i + 1;
}
