/*
 * permute.c — keyed permutation of [0, n): a 4-round Feistel network with
 * cycle-walking (Black & Rogaway, "Ciphers with Arbitrary Finite Domains",
 * CT-RSA 2002, section 4).
 *
 * The network permutes [0, 2^k), the smallest power of two holding n (k >= 2).
 * For odd k the halves differ by one bit (high part floor(k/2) bits, low part
 * ceil(k/2)) and their roles alternate from round to round, as in the FFX
 * mode's alternating Feistel: round (l, r) -> (r, l ^ F(r) mod 2^width(l)) is
 * invertible whatever the widths, so the network is a permutation; after an
 * even number of rounds the widths are back where they started. A value that
 * lands outside [0, n) is encrypted again until it is inside; since the
 * network is a permutation of a finite set, following it from a point of
 * [0, n) must come back into [0, n), and the result is a bijection on [0, n).
 * Decrypting walks the same cycle backwards.
 *
 * Why a walk costs at most 2 rounds of the network on average: every point of
 * the big domain is the image of exactly one point, so over all n starting
 * positions the walks together take at most 2^k steps (each out-of-range point
 * is stepped on by exactly one walk, each in-range point ends exactly one).
 * Because 2^k is the *smallest* power of two >= n, 2^(k-1) < n for n >= 3, so
 * the mean walk is 2^k / n < 2 encryptions (n <= 2: a 4-element domain, at
 * most 4 steps for n = 1 and 2 on average for n = 2). An earlier version used
 * balanced halves only (the smallest *even* k): a mean of up to 4 encryptions
 * and a hard-to-predict loop branch, a third of the send path's user time at
 * n = 2^21 (bench/send_profile.sh).
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

/* A round (l, r) -> (r, l ^ F(r)) written without the swap: the parts stay
 * in place and take turns, the high part (hi_mask wide) updated from the low
 * one, then the low part (lo_mask wide) from the high one. Two rounds per
 * iteration, so the widths are back where they began after each. */
static inline uint64_t feistel_encrypt(const struct permute *pm, uint64_t x)
{
	uint64_t hi = x >> pm->lo_bits, lo = x & pm->lo_mask;

	for (int i = 0; i < PERMUTE_ROUNDS; i += 2) {
		hi ^= round_fn(lo, pm->keys[i], pm->hi_mask);
		lo ^= round_fn(hi, pm->keys[i + 1], pm->lo_mask);
	}
	return hi << pm->lo_bits | lo;
}

static inline uint64_t feistel_decrypt(const struct permute *pm, uint64_t x)
{
	uint64_t hi = x >> pm->lo_bits, lo = x & pm->lo_mask;

	for (int i = PERMUTE_ROUNDS - 2; i >= 0; i -= 2) {
		lo ^= round_fn(hi, pm->keys[i + 1], pm->lo_mask);
		hi ^= round_fn(lo, pm->keys[i], pm->hi_mask);
	}
	return hi << pm->lo_bits | lo;
}

void permute_init(struct permute *pm, uint64_t n, uint64_t seed)
{
	/* Domain separation: the cookie key comes from the same seed. */
	uint64_t state = seed ^ 0x7065726d75746521ull; /* "permute!" */
	unsigned k = 2;

	_Static_assert(PERMUTE_ROUNDS % 2 == 0, "rounds go in pairs (feistel_encrypt)");
	/* Smallest k >= 2 with 2^k >= n; n <= 2^62 keeps k <= 62. */
	while (k < 62 && (1ull << k) < n)
		k++;
	pm->n = n;
	pm->lo_bits = k - k / 2;
	pm->lo_mask = (1ull << pm->lo_bits) - 1;
	pm->hi_mask = (1ull << (k / 2)) - 1;
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
