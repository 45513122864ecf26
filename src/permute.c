/*
 * permute.c — keyed permutation of [0, n): a 4-round balanced Feistel network
 * with cycle-walking (Black & Rogaway, "Ciphers with Arbitrary Finite
 * Domains", CT-RSA 2002, section 4).
 *
 * The network permutes [0, 2^(2h)), the smallest even-width power of two
 * holding n (h >= 1). A value that lands outside [0, n) is encrypted again
 * until it is inside; since the network is a permutation of a finite set,
 * following it from a point of [0, n) must come back into [0, n), and the
 * result is a bijection on [0, n). Decrypting walks the same cycle backwards.
 *
 * Why a walk costs fewer than 4 rounds of the network on average: every point
 * of the big domain is the image of exactly one point, so over all n starting
 * positions the walks together take at most 2^(2h) steps (each out-of-range
 * point is stepped on by exactly one walk, each in-range point ends exactly
 * one). Because 2h is the *smallest* even width, 2^(2h-2) < n for n >= 2, so
 * the mean walk is 2^(2h) / n < 4 encryptions. (n = 1 uses a 4-element
 * domain: the single walk is the length of 0's cycle, at most 4.)
 *
 * The round function runs 4 times per encryption and once per probe on the
 * sender's hot path, so it is a cheap multiply/xorshift mixer (the finaliser
 * of splitmix64), not a cryptographic PRF: the order only has to look random
 * to a network, not resist an analyst.
 */
#include "permute.h"

#define PERMUTE_ROUNDS 4

/* splitmix64 (Steele, Lea, Flood 2014): key schedule from the seed. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Round function: mixes all 64 bits so the masked low bits depend on every
 * input and key bit (a bare multiply would leave low bits depending only on
 * low bits). */
static inline uint64_t round_fn(uint64_t half, uint64_t key, uint64_t mask)
{
	uint64_t z = half ^ key;

	z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 29)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 32)) & mask;
}

static inline uint64_t feistel_encrypt(const struct permute *pm, uint64_t x)
{
	uint64_t l = x >> pm->half_bits, r = x & pm->half_mask;

	for (int i = 0; i < PERMUTE_ROUNDS; i++) {
		uint64_t t = l ^ round_fn(r, pm->keys[i], pm->half_mask);

		l = r;
		r = t;
	}
	return l << pm->half_bits | r;
}

static inline uint64_t feistel_decrypt(const struct permute *pm, uint64_t x)
{
	uint64_t l = x >> pm->half_bits, r = x & pm->half_mask;

	for (int i = PERMUTE_ROUNDS - 1; i >= 0; i--) {
		uint64_t t = r ^ round_fn(l, pm->keys[i], pm->half_mask);

		r = l;
		l = t;
	}
	return l << pm->half_bits | r;
}

void permute_init(struct permute *pm, uint64_t n, uint64_t seed)
{
	/* Domain separation: the cookie key comes from the same seed. */
	uint64_t state = seed ^ 0x7065726d75746521ull; /* "permute!" */
	unsigned h = 1;

	/* Smallest h >= 1 with 4^h >= n; n <= 2^62 keeps h <= 31. */
	while (h < 31 && (1ull << (2 * h)) < n)
		h++;
	pm->n = n;
	pm->half_bits = h;
	pm->half_mask = (1ull << h) - 1;
	for (int i = 0; i < PERMUTE_ROUNDS; i++)
		pm->keys[i] = splitmix64(&state);
}

uint64_t permute_at(const struct permute *pm, uint64_t pos)
{
	uint64_t x = pos;

	do
		x = feistel_encrypt(pm, x);
	while (x >= pm->n);
	return x;
}

uint64_t permute_position(const struct permute *pm, uint64_t idx)
{
	uint64_t x = idx;

	do
		x = feistel_decrypt(pm, x);
	while (x >= pm->n);
	return x;
}
