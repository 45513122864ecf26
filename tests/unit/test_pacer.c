/* test_pacer.c — token bucket arithmetic on a fake clock. */
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
		{ 1000, 100 }, { 1000, 7 }, { 10000, 50 }, { 100000, 10 },
		{ 1000000, 32 }, { 2000000, 64 }, { 1, 1000 }, { 333, 997 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = granted_over(cases[i].rate, 1000000, cases[i].step_us, 2);
		uint64_t want = cases[i].rate * 2;
		/* Exact up to the initial token and the last partial step, as long as a
		 * step never overfills the bucket (1 ms, at least 2 tokens). */
		assert_true(got <= want + 1);
		assert_true(got + 1 >= want);
	}
}

static void test_pacer_burst_is_at_most_one_millisecond(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 10000, 0);
	/* After a long idle the bucket holds 10 tokens (1 ms at 10 kpps), not 10 s worth. */
	assert_int_equal(pacer_take(&p, 10000000, 64), 10);
	assert_int_equal(pacer_take(&p, 10000000, 64), 0);
	pacer_init(&p, 5000000, 0);
	assert_int_equal(pacer_take(&p, 10000000, 100000), 5000); /* 1 ms at 5 Mpps */
	assert_int_equal(pacer_take(&p, 10000000, 64), 0);
	pacer_init(&p, 100, 0);
	assert_int_equal(pacer_take(&p, 10000000, 64), 2); /* slow rates: at most 2 */
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
	assert_int_equal(pacer_take(&p, 1000, 100), 64); /* 1 ms at 64 kpps */
	pacer_refund(&p, 10);
	assert_int_equal(pacer_take(&p, 1000, 100), 10);
	/* Refunds never exceed the bucket. */
	pacer_refund(&p, 1000);
	assert_int_equal(pacer_take(&p, 1000, 1000), 64);
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
		cmocka_unit_test(test_pacer_burst_is_at_most_one_millisecond),
		cmocka_unit_test(test_pacer_wait_until_next_token),
		cmocka_unit_test(test_pacer_refund_returns_unsent_tokens),
		cmocka_unit_test(test_pacer_ignores_clock_going_backwards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
