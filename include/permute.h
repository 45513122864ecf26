/*
 * permute.h — keyed pseudo-random permutation of [0, n) for the probe order.
 *
 * A Feistel network over the smallest bit width k covering n (halves of
 * floor(k/2) and ceil(k/2) bits), with cycle-walking to stay inside [0, n).
 * Same (n, seed) gives the same
 * order on every machine, which is what lets shards agree.
 *
 * Sharding: shard k of s (0-based k < s) visits positions p with p % s == k,
 * so the shards are disjoint and together cover every index exactly once.
 */
#ifndef PORTUS_PERMUTE_H
#define PORTUS_PERMUTE_H

#include <stdint.h>

struct permute {
	uint64_t n;
	unsigned lo_bits; /* ceil(k / 2): the low part's width */
	uint64_t lo_mask; /* 2^lo_bits - 1 */
	uint64_t hi_mask; /* 2^floor(k / 2) - 1 */
	uint64_t keys[4];
};

/* n >= 1 and n <= 2^62. */
void permute_init(struct permute *pm, uint64_t n, uint64_t seed);

/* Returns the index at position pos (pos < n); a bijection on [0, n). */
uint64_t permute_at(const struct permute *pm, uint64_t pos);

/* The inverse: the position at which index idx (< n) is visited. Lets a
 * shard tell whether an index is its own without storing anything. */
uint64_t permute_position(const struct permute *pm, uint64_t idx);

#endif
