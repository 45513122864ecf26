/*
 * test_permute.c — the probe order: a bijection on [0, n) for every size
 * (1, primes, powers of two and their neighbours, random sizes), keyed by the
 * seed, inverted by permute_position, split exactly by shards, and actually
 * shuffled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "permute.h"

static const uint64_t SIZES[] = {
	1,  2,  3,   4,   5,   7,    16,   17,    31,     64,
	65, 97, 255, 256, 257, 1000, 4096, 65537, 100003, 1u << 20,
};

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* One bit per index; returns the number of indices seen twice or out of range. */
static uint64_t bijection_errors(uint64_t n, uint64_t seed)
{
	struct permute pm;
	uint8_t *seen = calloc((size_t)(n / 8 + 1), 1);
	uint64_t errors = 0;

	assert_non_null(seen);
	permute_init(&pm, n, seed);
	for (uint64_t pos = 0; pos < n; pos++) {
		uint64_t idx = permute_at(&pm, pos);

		if (idx >= n || (seen[idx / 8] >> (idx % 8) & 1)) {
			errors++;
			continue;
		}
		seen[idx / 8] |= (uint8_t)(1u << (idx % 8));
		if (permute_position(&pm, idx) != pos)
			errors++;
	}
	free(seen);
	return errors;
}

static void test_permute_is_bijection_on_listed_sizes(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(SIZES) / sizeof(SIZES[0]); k++) {
		for (uint64_t seed = 0; seed < 3; seed++) {
			uint64_t e = bijection_errors(SIZES[k], seed * 0x9e3779b97f4a7c15ull);

			if (e != 0)
				fail_msg("n=%llu seed=%llu: %llu errors",
					 (unsigned long long)SIZES[k], (unsigned long long)seed,
					 (unsigned long long)e);
		}
	}
}

static void test_permute_is_bijection_on_random_sizes(void **state)
{
	(void)state;
	for (int k = 0; k < 40; k++) {
		/* Mostly small, a few up to ~300k. */
		uint64_t n = 1 + rng() % (k < 30 ? 5000 : 300000);
		uint64_t seed = rng();

		if (bijection_errors(n, seed) != 0)
			fail_msg("n=%llu seed=%llx", (unsigned long long)n,
				 (unsigned long long)seed);
	}
}

static void test_permute_position_inverts_at_on_huge_n(void **state)
{
	/* Too big to enumerate; spot-check the inverse and the range. */
	static const uint64_t BIG[] = { (1ull << 32) + 1, 1ull << 40, (1ull << 62) - 1,
					1ull << 62 };
	struct permute pm;

	(void)state;
	for (size_t k = 0; k < sizeof(BIG) / sizeof(BIG[0]); k++) {
		permute_init(&pm, BIG[k], 42);
		assert_true(pm.lo_bits <= 31);
		for (int j = 0; j < 2000; j++) {
			uint64_t pos = rng() % BIG[k];
			uint64_t idx = permute_at(&pm, pos);

			assert_true(idx < BIG[k]);
			assert_int_equal(permute_position(&pm, idx), pos);
		}
		assert_int_equal(permute_position(&pm, permute_at(&pm, BIG[k] - 1)), BIG[k] - 1);
	}
}

static void test_permute_width_is_smallest_cover(void **state)
{
	/* k = smallest width >= 2 with 2^k >= n; low part ceil(k/2) bits. */
	static const struct {
		uint64_t n;
		unsigned k;
	} CASES[] = {
		{ 1, 2 },         { 2, 2 },           { 4, 2 },         { 5, 3 },
		{ 8, 3 },         { 9, 4 },           { 16, 4 },        { 17, 5 },
		{ 64, 6 },        { 65, 7 },          { 1u << 20, 20 }, { (1u << 20) + 1, 21 },
		{ 1u << 21, 21 }, { 1ull << 62, 62 },
	};
	struct permute pm;

	(void)state;
	for (size_t k = 0; k < sizeof(CASES) / sizeof(CASES[0]); k++) {
		unsigned lo = CASES[k].k - CASES[k].k / 2;

		permute_init(&pm, CASES[k].n, 7);
		assert_int_equal(pm.lo_bits, lo);
		assert_int_equal(pm.lo_mask, (1ull << lo) - 1);
		assert_int_equal(pm.hi_mask, (1ull << (CASES[k].k / 2)) - 1);
	}
}

static void test_permute_single_index_maps_to_zero(void **state)
{
	struct permute pm;

	(void)state;
	for (uint64_t seed = 0; seed < 100; seed++) {
		permute_init(&pm, 1, seed);
		assert_int_equal(permute_at(&pm, 0), 0);
		assert_int_equal(permute_position(&pm, 0), 0);
	}
}

static void test_permute_same_seed_gives_same_order(void **state)
{
	struct permute a, b;

	(void)state;
	permute_init(&a, 100003, 12345);
	permute_init(&b, 100003, 12345);
	for (uint64_t pos = 0; pos < 100003; pos++)
		assert_int_equal(permute_at(&a, pos), permute_at(&b, pos));
}

static void test_permute_different_seeds_give_different_orders(void **state)
{
	static const uint64_t NS[] = { 16, 257, 65536, 100003 };

	(void)state;
	for (size_t k = 0; k < sizeof(NS) / sizeof(NS[0]); k++) {
		for (uint64_t seed = 0; seed < 8; seed++) {
			struct permute a, b;
			uint64_t same = 0;

			permute_init(&a, NS[k], seed);
			permute_init(&b, NS[k], seed + 1);
			for (uint64_t pos = 0; pos < NS[k]; pos++)
				same += permute_at(&a, pos) == permute_at(&b, pos);
			/* Two random orders agree on ~1 position; allow a lot of slack. */
			if (same > NS[k] / 8 + 4)
				fail_msg("n=%llu seeds %llu,%llu agree on %llu positions",
					 (unsigned long long)NS[k], (unsigned long long)seed,
					 (unsigned long long)seed + 1, (unsigned long long)same);
		}
	}
}

static void test_permute_shards_cover_every_index_once(void **state)
{
	static const struct {
		uint64_t n, shards;
	} CASES[] = {
		{ 1, 1 },    { 1, 3 },    { 2, 2 },     { 7, 3 },       { 100, 7 },
		{ 1000, 1 }, { 4096, 4 }, { 65537, 5 }, { 100003, 16 }, { 5, 10 },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(CASES) / sizeof(CASES[0]); c++) {
		uint64_t n = CASES[c].n, s = CASES[c].shards;
		uint8_t *owner = malloc((size_t)n);
		struct permute pm;

		assert_non_null(owner);
		memset(owner, 0xff, (size_t)n);
		permute_init(&pm, n, 0xfeedull + c);
		for (uint64_t k = 0; k < s; k++) {
			/* Shard k walks positions k, k + s, k + 2s, ... as the sender does. */
			for (uint64_t pos = k; pos < n; pos += s) {
				uint64_t idx = permute_at(&pm, pos);

				assert_true(idx < n);
				if (owner[idx] != 0xff)
					fail_msg("n=%llu s=%llu: index %llu in shards %u and %llu",
						 (unsigned long long)n, (unsigned long long)s,
						 (unsigned long long)idx, owner[idx],
						 (unsigned long long)k);
				owner[idx] = (uint8_t)k;
				/* The inverse tells a shard its own indices. */
				assert_int_equal(permute_position(&pm, idx) % s, k);
			}
		}
		for (uint64_t idx = 0; idx < n; idx++)
			if (owner[idx] == 0xff)
				fail_msg("n=%llu s=%llu: index %llu in no shard",
					 (unsigned long long)n, (unsigned long long)s,
					 (unsigned long long)idx);
		free(owner);
	}
}

static void test_permute_has_few_fixed_points(void **state)
{
	struct permute pm;

	(void)state;
	/* Balanced (2^16) and unbalanced (2^17: halves of 8 and 9 bits) networks. */
	for (uint64_t seed = 0; seed < 8; seed++) {
		uint64_t fixed = 0, n = seed < 4 ? 65536 : 131072;

		permute_init(&pm, n, seed);
		for (uint64_t pos = 0; pos < n; pos++)
			fixed += permute_at(&pm, pos) == pos;
		assert_true(fixed < n / 100);
	}
}

static void test_permute_spreads_neighbours(void **state)
{
	/* Consecutive positions must not land on neighbouring indices (that would
	 * send bursts into one subnet). Random order: ~2/n chance per pair. */
	static const uint64_t NS[] = { 256, 1000, 65536, 100003 };

	(void)state;
	for (size_t k = 0; k < sizeof(NS) / sizeof(NS[0]); k++) {
		struct permute pm;
		uint64_t close = 0, prev;

		permute_init(&pm, NS[k], 99);
		prev = permute_at(&pm, 0);
		for (uint64_t pos = 1; pos < NS[k]; pos++) {
			uint64_t cur = permute_at(&pm, pos);

			close += cur == prev + 1 || prev == cur + 1;
			prev = cur;
		}
		if (close > NS[k] / 50 + 4)
			fail_msg("n=%llu: %llu consecutive outputs are adjacent",
				 (unsigned long long)NS[k], (unsigned long long)close);
	}
}

static void test_permute_cycle_walk_averages_at_most_two_steps(void **state)
{
	/* permute.c's documented bound: mean encryptions per position < 2 for
	 * n >= 3 (exactly 2 at most for n = 2). The keys depend on the seed only,
	 * so with n' = 2^k (the whole Feistel domain, no walk) permute_at is the
	 * bare network; walking it by hand counts the steps and must land where
	 * permute_at(n) does. The worst sizes sit just above a power of 2, and
	 * odd k (unbalanced halves) as well as even k are covered. */
	static const uint64_t NS[] = {
		2, 3, 5, 9, 17, 33, 65, 257, 1025, 4097, 65537, (1u << 17) + 1, (1u << 18) + 1
	};

	(void)state;
	for (size_t k = 0; k < sizeof(NS) / sizeof(NS[0]); k++) {
		struct permute pm, whole;
		uint64_t n = NS[k], steps = 0;
		unsigned width;

		permute_init(&pm, n, 5);
		width = pm.hi_mask == pm.lo_mask ? 2 * pm.lo_bits : 2 * pm.lo_bits - 1;
		permute_init(&whole, 1ull << width, 5);
		assert_int_equal(whole.lo_bits, pm.lo_bits);
		assert_int_equal(whole.hi_mask, pm.hi_mask);
		for (uint64_t pos = 0; pos < n; pos++) {
			uint64_t x = pos;

			do {
				x = permute_at(&whole, x);
				steps++;
			} while (x >= n);
			assert_int_equal(x, permute_at(&pm, pos));
		}
		if (n >= 3 ? steps >= 2 * n : steps > 2 * n)
			fail_msg("n=%llu: %llu steps for %llu positions", (unsigned long long)n,
				 (unsigned long long)steps, (unsigned long long)n);
	}
}

/* With n = 2^k there is no walk: permute_at is the bare network, so every
 * width from 2 to 20 bits (odd ones with halves of unequal width, whose masks
 * swap each round) must be a bijection of [0, 2^k) that permute_position
 * inverts exactly. */
static void test_permute_whole_domain_odd_and_even_widths(void **state)
{
	(void)state;
	for (unsigned k = 2; k <= 20; k++) {
		struct permute pm;
		uint64_t n = 1ull << k;
		uint8_t *seen = calloc(n, 1);

		assert_non_null(seen);
		permute_init(&pm, n, 0xabcdef + k);
		assert_int_equal(pm.lo_bits + (k / 2), k);
		for (uint64_t pos = 0; pos < n; pos++) {
			uint64_t idx = permute_at(&pm, pos);

			assert_true(idx < n);
			assert_int_equal(seen[idx], 0);
			seen[idx] = 1;
			assert_int_equal(permute_position(&pm, idx), pos);
		}
		free(seen);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permute_is_bijection_on_listed_sizes),
		cmocka_unit_test(test_permute_is_bijection_on_random_sizes),
		cmocka_unit_test(test_permute_position_inverts_at_on_huge_n),
		cmocka_unit_test(test_permute_width_is_smallest_cover),
		cmocka_unit_test(test_permute_single_index_maps_to_zero),
		cmocka_unit_test(test_permute_same_seed_gives_same_order),
		cmocka_unit_test(test_permute_different_seeds_give_different_orders),
		cmocka_unit_test(test_permute_shards_cover_every_index_once),
		cmocka_unit_test(test_permute_has_few_fixed_points),
		cmocka_unit_test(test_permute_whole_domain_odd_and_even_widths),
		cmocka_unit_test(test_permute_spreads_neighbours),
		cmocka_unit_test(test_permute_cycle_walk_averages_at_most_two_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
