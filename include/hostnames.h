/*
 * hostnames.h — which host names each target address came from.
 *
 * Built once before the scan from the names the user gave and what they
 * resolved to; read by every output (a port record of an address carries
 * its names) and by `portus merge` (names read back from result files).
 * An address has its names in input order: the first name given on the
 * command line or in -iL that resolved to it comes first. Addresses that
 * came only from literals have no names.
 */
#ifndef PORTUS_HOSTNAMES_H
#define PORTUS_HOSTNAMES_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct hostname_pair; /* private to hostnames.c */

struct hostnames {
	/* After hostnames_finish: one entry per distinct address, sorted; the
	 * names of entry i are name_ptr[first[i] .. first[i] + count[i]),
	 * followed by a NULL (records carry the list as one pointer). */
	ip_addr *addr;
	uint32_t *first, *count;
	const char **name_ptr; /* point into pool */
	size_t naddr;
	/* Owned copies of every distinct name. */
	char **pool;
	size_t npool;
	/* Every (address, name) pair added, kept by hostnames_finish (sorted,
	 * repeats dropped) so that more may be added and finished again. */
	struct hostname_pair *pairs;
	size_t npairs, cap;
	size_t next_order; /* input position of the next pair */
	/* Hash sets (index + 1, 0 empty) of the pool's names (case folded)
	 * and of the pairs, so that a name or a pair repeated on every record
	 * of a 10^8-record file is stored once. */
	size_t *name_slot, name_nslot;
	size_t *pair_slot, pair_nslot;
};

void hostnames_init(struct hostnames *h);
/* Frees everything; the map is empty and reusable. */
void hostnames_free(struct hostnames *h);

/*
 * Records that `name` (copied; shown without a trailing dot) resolved to ip.
 * Pairs may come in any order; the position of the call is the input order.
 * A repeated (ip, name) pair is kept once. Returns 0, or -1 when out of memory.
 */
int hostnames_add(struct hostnames *h, ip_addr ip, const char *name);

/* Sorts what was added into the lookup form. Returns 0, or -1 when out of
 * memory (the map is then empty). Must be called before hostnames_find, and
 * again after more hostnames_add calls (the map then holds all pairs; names
 * added earlier come first); pointers from an earlier find are then stale. */
int hostnames_finish(struct hostnames *h);

/* The names of ip, in input order: sets *names (borrowed, valid until
 * hostnames_free, NULL-terminated) and returns how many (0: none, *names
 * NULL). h may be NULL. */
size_t hostnames_find(const struct hostnames *h, ip_addr ip, const char *const **names);

/*
 * Every distinct name of the map (after hostnames_finish), sorted
 * case-insensitively, for hostnames_index_has: "did this name give any
 * address?". Returns a malloc'd array the caller frees (the strings are
 * borrowed from h), *n its length; NULL when out of memory.
 */
const char **hostnames_name_index(const struct hostnames *h, size_t *n);

/* Non-zero when name (case-insensitive) is in an index of n names. */
int hostnames_index_has(const char *const *index, size_t n, const char *name);

#endif
