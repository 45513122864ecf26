/* test_pacer.c — the credit and peak buckets on a fake clock: the long-run rate,
 * every 100 ms window after a stall, the burst bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pacer.h"

/* Sum of grants over `secs` seconds of fake time ticking every `step_us`. */
static uint64_t granted_over(uint64_t rate, unsigned want, int64_t step_us, int64_t secs)
{
	struct pacer p;
	uint64_t total = 0;

	pacer_init(&p, rate, 0);
	for (int64_t t = 0; t <= secs * 1000000; t += step_us)
		total += pacer_take(&p, t, want);
	return total;
}

static void test_pacer_holds_rate_within_one_burst(void **state)
{
	static const struct {
		uint64_t rate;
		int64_t step_us;
	} cases[] = {
		{ 1000, 100 },   { 1000, 7 },     { 10000, 50 }, { 100000, 10 },
		{ 1000000, 32 }, { 2000000, 64 }, { 1, 1000 },   { 333, 997 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = granted_over(cases[i].rate, 1000000, cases[i].step_us, 2);
		uint64_t want = cases[i].rate * 2;
		/* Exact up to the initial token and the last partial step, as long as a
		 * step never overfills the buckets (0.5 ms, at least 2 tokens). */
		assert_true(got <= want + 1);
		assert_true(got + 1 >= want);
	}
}

static void test_pacer_burst_is_at_most_half_a_millisecond(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 10000, 0);
	/* After a long idle: 5 tokens (0.5 ms at 10 kpps) at once, not 10 s worth. */
	assert_int_equal(pacer_take(&p, 10000000, 64), 5);
	assert_int_equal(pacer_take(&p, 10000000, 64), 0);
	pacer_init(&p, 5000000, 0);
	assert_int_equal(pacer_take(&p, 10000000, 100000), 2500); /* 0.5 ms at 5 Mpps */
	assert_int_equal(pacer_take(&p, 10000000, 64), 0);
	pacer_init(&p, 100, 0);
	assert_int_equal(pacer_take(&p, 10000000, 64), 2); /* slow rates: at most 2 */
}

/* Grants per window of `win_us` while ticking every step_us, with the sender
 * stalled (no calls) for stall_us starting at stall_at_us. */
static void windows(uint64_t rate, int64_t step_us, int64_t stall_at_us, int64_t stall_us,
		    int64_t total_us, int64_t win_us, uint64_t *out, size_t nout)
{
	struct pacer p;

	for (size_t i = 0; i < nout; i++)
		out[i] = 0;
	pacer_init(&p, rate, 0);
	for (int64_t t = 0; t < total_us; t += step_us) {
		size_t w = (size_t)(t / win_us);

		if (t >= stall_at_us && t < stall_at_us + stall_us)
			continue;
		if (w < nout)
			out[w] += pacer_take(&p, t, 64);
	}
}

/* A 5 ms stall is made up within the same 100 ms window: every window gets
 * its rate within 1%, which one bucket of 1 ms could not do (it lost the 5 ms). */
static void test_pacer_makes_up_a_stall_within_100ms(void **state)
{
	static const uint64_t rates[] = { 1000, 10000, 100000, 1000000 };
	uint64_t w[20];

	(void)state;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		uint64_t share = rates[r] / 10; /* per 100 ms */

		windows(rates[r], 20, 1030000, 5000, 2000000, 100000, w, 20);
		/* skip window 0 (the bucket starts almost empty) */
		for (size_t i = 1; i < 20; i++)
			if (w[i] * 100 < share * 99 || w[i] * 100 > share * 101)
				fail_msg("rate %llu: window %zu got %llu, share %llu",
					 (unsigned long long)rates[r], i, (unsigned long long)w[i],
					 (unsigned long long)share);
	}
}

/* While making up, no 1 ms window carries more than 1.75x its share (+1 for
 * rounding): 0.5 ms of stored peak plus 1.25x refill. */
static void test_pacer_make_up_is_not_a_burst(void **state)
{
	static const uint64_t rates[] = { 10000, 100000, 1000000 };
	uint64_t w[2000];

	(void)state;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		uint64_t share = rates[r] / 1000; /* per 1 ms */
		uint64_t worst = 0;

		windows(rates[r], 10, 1000000, 15000, 2000000, 1000, w, 2000);
		for (size_t i = 0; i < 2000; i++)
			worst = w[i] > worst ? w[i] : worst;
		assert_true(worst * 4 <= share * 7 + 4);
		assert_true(worst > share); /* it did make up */
	}
}

static void test_pacer_wait_until_next_token(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 1000, 0);
	assert_int_equal(pacer_wait_us(&p, 0), 0); /* starts with one token */
	assert_int_equal(pacer_take(&p, 0, 1), 1);
	assert_int_equal(pacer_wait_us(&p, 0), 1000);
	assert_int_equal(pacer_wait_us(&p, 500), 500);
	assert_int_equal(pacer_wait_us(&p, 999), 1);
	assert_int_equal(pacer_wait_us(&p, 1000), 0);
}

static void test_pacer_refund_returns_unsent_tokens(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 64000, 0);
	assert_int_equal(pacer_take(&p, 1000, 100), 32); /* 0.5 ms at 64 kpps: the peak bucket */
	pacer_refund(&p, 10);
	assert_int_equal(pacer_take(&p, 1000, 100), 10);
	/* Refunds never exceed the bucket. */
	pacer_refund(&p, 1000);
	assert_int_equal(pacer_take(&p, 1000, 1000), 32);
}

static void test_pacer_ignores_clock_going_backwards(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 1000, 5000);
	assert_int_equal(pacer_take(&p, 5000, 1), 1);
	assert_int_equal(pacer_take(&p, 1000, 1), 0);
	assert_int_equal(pacer_take(&p, 6000, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pacer_holds_rate_within_one_burst),
		cmocka_unit_test(test_pacer_burst_is_at_most_half_a_millisecond),
		cmocka_unit_test(test_pacer_makes_up_a_stall_within_100ms),
		cmocka_unit_test(test_pacer_make_up_is_not_a_burst),
		cmocka_unit_test(test_pacer_wait_until_next_token),
		cmocka_unit_test(test_pacer_refund_returns_unsent_tokens),
		cmocka_unit_test(test_pacer_ignores_clock_going_backwards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
