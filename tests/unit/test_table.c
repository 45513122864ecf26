/*
 * test_table.c — the 2-bit target table: precedence (unknown < filtered <
 * closed < open), independent cells across word boundaries, counting, and
 * concurrent raises from several threads (run under ThreadSanitizer too).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table.h"

static void test_table_starts_all_unknown(void **state)
{
	struct state_table t;

	(void)state;
	assert_int_equal(table_init(&t, 1000), 0);
	assert_int_equal(t.n, 1000);
	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(table_get(&t, i), PS_UNKNOWN);
	assert_int_equal(table_count(&t, PS_UNKNOWN), 1000);
	assert_int_equal(table_count(&t, PS_OPEN), 0);
	table_free(&t);
	assert_null(t.words);
}

static void test_table_raise_follows_precedence(void **state)
{
	/* from -> to: the resulting state and raise's return value. */
	static const struct {
		enum port_state from, to, result;
		int changed;
	} CASES[] = {
		{ PS_UNKNOWN, PS_UNKNOWN, PS_UNKNOWN, 0 },
		{ PS_UNKNOWN, PS_FILTERED, PS_FILTERED, 1 },
		{ PS_UNKNOWN, PS_CLOSED, PS_CLOSED, 1 },
		{ PS_UNKNOWN, PS_OPEN, PS_OPEN, 1 },
		{ PS_FILTERED, PS_UNKNOWN, PS_FILTERED, 0 },
		{ PS_FILTERED, PS_FILTERED, PS_FILTERED, 0 },
		{ PS_FILTERED, PS_CLOSED, PS_CLOSED, 1 },
		{ PS_FILTERED, PS_OPEN, PS_OPEN, 1 },
		{ PS_CLOSED, PS_UNKNOWN, PS_CLOSED, 0 },
		{ PS_CLOSED, PS_FILTERED, PS_CLOSED, 0 },
		{ PS_CLOSED, PS_CLOSED, PS_CLOSED, 0 },
		{ PS_CLOSED, PS_OPEN, PS_OPEN, 1 },
		{ PS_OPEN, PS_UNKNOWN, PS_OPEN, 0 },
		{ PS_OPEN, PS_FILTERED, PS_OPEN, 0 },
		{ PS_OPEN, PS_CLOSED, PS_OPEN, 0 },
		{ PS_OPEN, PS_OPEN, PS_OPEN, 0 },
	};
	struct state_table t;

	(void)state;
	assert_int_equal(table_init(&t, 64), 0);
	for (size_t c = 0; c < sizeof(CASES) / sizeof(CASES[0]); c++) {
		uint64_t i = c * 3 % 64; /* spread over both words and all shifts */

		table_raise(&t, i, CASES[c].from);
		assert_int_equal(table_get(&t, i), CASES[c].from);
		if (table_raise(&t, i, CASES[c].to) != CASES[c].changed)
			fail_msg("case %zu: %d -> %d returned wrong change flag", c, CASES[c].from,
				 CASES[c].to);
		assert_int_equal(table_get(&t, i), CASES[c].result);
		table_free(&t);
		assert_int_equal(table_init(&t, 64), 0);
	}
	table_free(&t);
}

static void test_table_cells_are_independent(void **state)
{
	/* Raising one cell leaves every other cell alone, at word edges too. */
	static const uint64_t CELLS[] = { 0, 1, 30, 31, 32, 33, 63, 64, 65, 99 };
	const uint64_t n = 100; /* not a multiple of 32 */

	(void)state;
	for (size_t c = 0; c < sizeof(CELLS) / sizeof(CELLS[0]); c++) {
		for (int s = PS_FILTERED; s <= PS_OPEN; s++) {
			struct state_table t;

			assert_int_equal(table_init(&t, n), 0);
			/* Neighbours pre-set to a different non-zero state. */
			for (uint64_t i = 0; i < n; i++)
				if (i != CELLS[c])
					table_raise(&t, i, s == PS_OPEN ? PS_FILTERED : PS_OPEN);
			assert_int_equal(table_raise(&t, CELLS[c], (enum port_state)s), 1);
			for (uint64_t i = 0; i < n; i++) {
				enum port_state want = i == CELLS[c]  ? (enum port_state)s
						       : s == PS_OPEN ? PS_FILTERED
								      : PS_OPEN;

				if (table_get(&t, i) != want)
					fail_msg("raise cell %llu to %d: cell %llu is %d",
						 (unsigned long long)CELLS[c], s,
						 (unsigned long long)i, table_get(&t, i));
			}
			table_free(&t);
		}
	}
}

static void test_table_count_matches_cells(void **state)
{
	static const uint64_t NS[] = { 1, 31, 32, 33, 64, 100, 1000, 4097 };

	(void)state;
	for (size_t k = 0; k < sizeof(NS) / sizeof(NS[0]); k++) {
		struct state_table t;
		uint64_t want[4] = { 0 };

		assert_int_equal(table_init(&t, NS[k]), 0);
		for (uint64_t i = 0; i < NS[k]; i++) {
			enum port_state s = (enum port_state)((i * 7 + i / 5) % 4);

			table_raise(&t, i, s);
			want[s]++;
		}
		for (int s = 0; s < 4; s++)
			if (table_count(&t, (enum port_state)s) != want[s])
				fail_msg("n=%llu state %d: counted %llu, want %llu",
					 (unsigned long long)NS[k], s,
					 (unsigned long long)table_count(&t, (enum port_state)s),
					 (unsigned long long)want[s]);
		table_free(&t);
	}
}

static void test_table_bytes_is_two_bits_per_cell(void **state)
{
	(void)state;
	assert_int_equal(table_bytes(1), 8);
	assert_int_equal(table_bytes(32), 8);
	assert_int_equal(table_bytes(33), 16);
	assert_int_equal(table_bytes(65536ull * 5), 65536 * 5 / 4); /* /16 x 5 ports: 80 KiB */
	assert_int_equal(table_bytes(1ull << 32), 1ull << 30);      /* all IPv4 x 1: 1 GiB */
}

static void test_table_last_cell_of_odd_size_works(void **state)
{
	struct state_table t;

	(void)state;
	assert_int_equal(table_init(&t, 33), 0);
	assert_int_equal(table_raise(&t, 32, PS_CLOSED), 1);
	assert_int_equal(table_get(&t, 32), PS_CLOSED);
	assert_int_equal(table_get(&t, 31), PS_UNKNOWN);
	assert_int_equal(table_count(&t, PS_UNKNOWN), 32);
	assert_int_equal(table_count(&t, PS_CLOSED), 1);
	table_free(&t);
}

/* ---- concurrency ------------------------------------------------------ */

#define THREADS 4
#define CELLS 1031 /* 33 words, so the threads fight over the same words */
#define OPS_PER_THREAD 250000

struct worker {
	struct state_table *t;
	uint64_t seed;
	unsigned id;
	uint8_t expect[CELLS]; /* max state this thread raised each cell to */
	uint64_t changed;      /* raises that reported a change */
};

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	uint64_t x = w->seed;

	for (int op = 0; op < OPS_PER_THREAD; op++) {
		uint64_t i;
		enum port_state s, cap;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (x >> 8) % CELLS;
		s = (enum port_state)(x & 3);
		/* Each thread has its own ceiling per cell, so the final states
		 * vary from cell to cell instead of all ending open. */
		cap = (enum port_state)(mix(i * THREADS + w->id) >> 62);
		s = s < cap ? s : cap;
		if (op % 1024 == 0)
			(void)table_get(w->t, i); /* readers mixed in with writers */
		w->changed += (uint64_t)table_raise(w->t, i, s);
		if (s > w->expect[i])
			w->expect[i] = (uint8_t)s;
	}
	return NULL;
}

static void test_table_concurrent_raises_keep_the_maximum(void **state)
{
	struct state_table t;
	struct worker *w = calloc(THREADS, sizeof(*w));
	pthread_t tid[THREADS];
	uint64_t changed = 0, transitions = 0;

	(void)state;
	assert_non_null(w);
	assert_int_equal(table_init(&t, CELLS), 0);
	for (int k = 0; k < THREADS; k++) {
		w[k].t = &t;
		w[k].seed = 0x9e3779b97f4a7c15ull * (uint64_t)(k + 1);
		w[k].id = (unsigned)k;
		assert_int_equal(pthread_create(&tid[k], NULL, worker_run, &w[k]), 0);
	}
	for (int k = 0; k < THREADS; k++)
		assert_int_equal(pthread_join(tid[k], NULL), 0);

	for (uint64_t i = 0; i < CELLS; i++) {
		uint8_t want = 0;

		for (int k = 0; k < THREADS; k++)
			want = w[k].expect[i] > want ? w[k].expect[i] : want;
		if (table_get(&t, i) != want)
			fail_msg("cell %llu is %d, threads raised it to %d", (unsigned long long)i,
				 table_get(&t, i), want);
	}
	/* Every successful raise is one upward step, and no step is reported
	 * twice: the change flags add up to at most 3 steps per cell, and to at
	 * least one per cell that left unknown. */
	for (int k = 0; k < THREADS; k++)
		changed += w[k].changed;
	for (uint64_t i = 0; i < CELLS; i++)
		transitions += table_get(&t, i) != PS_UNKNOWN;
	assert_true(changed >= transitions);
	assert_true(changed <= 3 * (uint64_t)CELLS);
	/* The ceilings make every final state occur (else the test is vacuous). */
	for (int s = 0; s < 4; s++)
		assert_true(table_count(&t, (enum port_state)s) > 0);
	table_free(&t);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_starts_all_unknown),
		cmocka_unit_test(test_table_raise_follows_precedence),
		cmocka_unit_test(test_table_cells_are_independent),
		cmocka_unit_test(test_table_count_matches_cells),
		cmocka_unit_test(test_table_bytes_is_two_bits_per_cell),
		cmocka_unit_test(test_table_last_cell_of_odd_size_works),
		cmocka_unit_test(test_table_concurrent_raises_keep_the_maximum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
