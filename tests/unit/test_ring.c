/* test_ring.c — SPSC event ring: order, capacity, and a two-thread stress run
 * (run under ThreadSanitizer by `make check`). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

static void test_ring_is_fifo_and_reports_full_and_empty(void **state)
{
	struct event_ring r;
	struct scan_event ev, out;

	(void)state;
	assert_int_equal(ring_init(&r, 5), 0); /* rounds up to 8 */
	assert_int_equal(ring_pop(&r, &out), 0);
	memset(&ev, 0, sizeof(ev));
	for (uint64_t i = 0; i < 8; i++) {
		ev.index = i;
		assert_int_equal(ring_push(&r, &ev), 1);
	}
	ev.index = 99;
	assert_int_equal(ring_push(&r, &ev), 0);
	for (uint64_t i = 0; i < 8; i++) {
		assert_int_equal(ring_pop(&r, &out), 1);
		assert_int_equal(out.index, i);
	}
	assert_int_equal(ring_pop(&r, &out), 0);
	ring_free(&r);
}

#define STRESS_EVENTS 2000000u

static void *producer(void *arg)
{
	struct event_ring *r = arg;
	struct scan_event ev;

	memset(&ev, 0, sizeof(ev));
	for (uint64_t i = 0; i < STRESS_EVENTS; i++) {
		ev.index = i;
		ev.ttl = (uint8_t)i;
		ev.ip = addr_from_v4((uint32_t)(i * 2654435761u));
		while (!ring_push(r, &ev))
			;
	}
	return NULL;
}

static void test_ring_two_threads_lose_and_reorder_nothing(void **state)
{
	struct event_ring r;
	struct scan_event out;
	pthread_t t;
	uint64_t expect = 0;

	(void)state;
	assert_int_equal(ring_init(&r, 1024), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &r), 0);
	while (expect < STRESS_EVENTS) {
		if (!ring_pop(&r, &out))
			continue;
		assert_int_equal(out.index, expect);
		assert_int_equal(out.ttl, (uint8_t)expect);
		assert_true(addr_eq(out.ip, addr_from_v4((uint32_t)(expect * 2654435761u))));
		expect++;
	}
	pthread_join(t, NULL);
	assert_int_equal(ring_pop(&r, &out), 0);
	ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_is_fifo_and_reports_full_and_empty),
		cmocka_unit_test(test_ring_two_threads_lose_and_reorder_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
