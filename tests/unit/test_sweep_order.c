/*
 * test_sweep_order.c — the pieces that keep a sweep of 10^8 records small:
 * the address pool (include/addrpool.h: intern, find, sort with remap, growth
 * through many rehashes) and the in-place port sort (src/sweep/portsort.h)
 * against qsort with the same comparison, on inputs that break naive
 * quicksorts (sorted, reversed, all equal, few distinct keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "addrpool.h"
#include "result_file.h"
#include "sweep/portsort.h"
#include "sweep/sweep.h"

static ip_addr v6(uint64_t low)
{
	ip_addr a = { ((u128)0x20010db8u << 96) | low };

	return a;
}

static void test_pool_interns_each_address_once(void **state)
{
	struct addr_pool p;
	uint32_t idx, again;
	const uint32_t n = 100000;

	(void)state;
	addrpool_init(&p);
	assert_int_equal(addrpool_find(&p, v6(1), &idx), -1); /* empty pool */
	/* Descending, so that sorting has to move every entry. */
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(addrpool_intern(&p, v6(n - i), &idx), 0);
		assert_int_equal(idx, i);
	}
	for (uint32_t i = 0; i < n; i += 997) {
		assert_int_equal(addrpool_intern(&p, v6(n - i), &again), 0);
		assert_int_equal(again, i);
		assert_int_equal(addrpool_find(&p, v6(n - i), &again), 0);
		assert_int_equal(again, i);
	}
	assert_int_equal(p.n, n);
	assert_true(p.nslot >= 2 * p.n);
	assert_int_equal(addrpool_find(&p, v6(n + 1), &idx), -1);
	assert_int_equal(addrpool_find(&p, addr_from_v4(1), &idx), -1);
	addrpool_free(&p);
	assert_int_equal(p.n, 0);
}

static void test_pool_sort_remaps_indexes(void **state)
{
	struct addr_pool p;
	uint32_t *remap, idx;
	const uint64_t vals[] = { 50, 7, 900, 3, 51 };

	(void)state;
	addrpool_init(&p);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(addrpool_intern(&p, v6(vals[i]), &idx), 0);
	assert_int_equal(addrpool_sort(&p, &remap), 0);
	assert_non_null(remap);
	/* 3, 7, 50, 51, 900 */
	assert_int_equal(remap[0], 2);
	assert_int_equal(remap[1], 1);
	assert_int_equal(remap[2], 4);
	assert_int_equal(remap[3], 0);
	assert_int_equal(remap[4], 3);
	for (size_t i = 0; i < 5; i++) {
		assert_true(addr_eq(addrpool_get(&p, remap[i]), v6(vals[i])));
		/* the hash table follows the new indexes */
		assert_int_equal(addrpool_find(&p, v6(vals[i]), &idx), 0);
		assert_int_equal(idx, remap[i]);
	}
	for (size_t i = 1; i < 5; i++)
		assert_true(addr_order(addrpool_get(&p, (uint32_t)i - 1),
				       addrpool_get(&p, (uint32_t)i)) < 0);
	free(remap);
	addrpool_free(&p);
}

static int qsort_cmp(const void *a, const void *b)
{
	return portsort_cmp(a, b);
}

static uint64_t rng = 88172645463325252u;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* n records from a few shapes; keys drawn from `distinct` values. */
static void fill(struct rs_port *v, size_t n, int shape, uint32_t distinct)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t r = next();

		memset(&v[i], 0, sizeof(v[i]));
		v[i].v6 = (uint8_t)(r >> 60 & 3) % 3; /* IPv4, IPv6 above and below its block */
		v[i].addr = (uint32_t)(r % distinct);
		v[i].port = (uint16_t)(r >> 20 & 3);
		v[i].state = (uint8_t)(r >> 30 & 3);
		v[i].time_us = (int64_t)(r >> 40 & 7);
		if (shape == 1) { /* ascending */
			v[i].addr = (uint32_t)i;
			v[i].v6 = 0;
		} else if (shape == 2) { /* descending */
			v[i].addr = (uint32_t)(n - i);
			v[i].v6 = 0;
		} else if (shape == 3) { /* all equal */
			memset(&v[i], 0, sizeof(v[i]));
		}
	}
}

static void test_portsort_matches_qsort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 15, 16, 17, 100, 1000, 50000 };
	static const uint32_t distinct[] = { 1, 3, 1000, 0xffffffffu };

	(void)state;
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (int shape = 0; shape < 4; shape++)
			for (size_t di = 0; di < 4; di++) {
				size_t n = sizes[si];
				struct rs_port *a = calloc(n + 1, sizeof(*a)),
					       *b = calloc(n + 1, sizeof(*b));

				assert_non_null(a);
				assert_non_null(b);
				fill(a, n, shape, distinct[di]);
				memcpy(b, a, n * sizeof(*a));
				portsort(a, n);
				qsort(b, n, sizeof(*b), qsort_cmp);
				/* Equal records may trade places; their keys may not. */
				for (size_t i = 0; i < n; i++)
					assert_int_equal(portsort_cmp(&a[i], &b[i]), 0);
				for (size_t i = 1; i < n; i++)
					assert_true(portsort_cmp(&a[i - 1], &a[i]) <= 0);
				free(a);
				free(b);
			}
}

static void test_portsort_order(void **state)
{
	struct rs_port v[5] = {
		{ .addr = 5, .port = 80, .state = 1 /* filtered */, .time_us = 1 },
		{ .addr = 5, .port = 80, .state = 3 /* open */, .time_us = 9 },
		{ .addr = 1, .v6 = RS_V6_HIGH, .port = 22, .state = 3 },
		{ .addr = 5, .port = 80, .state = 3, .time_us = 2 },
		{ .addr = 0, .v6 = RS_V6_LOW, .port = 22, .state = 3 },
	};

	(void)state;
	portsort(v, 5);
	/* addr_order's order: ::1 and the like (below the IPv4 block) first,
	 * IPv4, then the rest of IPv6; per target the most definite state,
	 * then the earliest. */
	assert_int_equal(v[0].v6, RS_V6_LOW);
	assert_int_equal(v[1].time_us, 2);
	assert_int_equal(v[2].time_us, 9);
	assert_int_equal(v[3].state, 1);
	assert_int_equal(v[4].v6, RS_V6_HIGH);
}

/* A file with an IPv6 address below the IPv4 block: after sweep_normalize
 * the compact order is addr_order's, and sweep_find_port finds each. */
static void test_normalized_order_is_address_order(void **state)
{
	static const char text[] =
		"{\"type\":\"port\",\"ip\":\"2001:db8::1\",\"port\":22,\"proto\":\"tcp\","
		"\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,"
		"\"time\":\"2026-01-01T00:00:00.000000Z\"}\n"
		"{\"type\":\"port\",\"ip\":\"198.18.0.10\",\"port\":22,\"proto\":\"tcp\","
		"\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,"
		"\"time\":\"2026-01-01T00:00:00.000000Z\"}\n"
		"{\"type\":\"port\",\"ip\":\"::1\",\"port\":22,\"proto\":\"tcp\","
		"\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,"
		"\"time\":\"2026-01-01T00:00:00.000000Z\"}\n";
	char path[] = "/tmp/portus-order-XXXXXX", err[256];
	struct result_set rs;
	int fd = mkstemp(path);
	const char *why;
	ip_addr a;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	results_init(&rs);
	assert_int_equal(results_load(&rs, path, err, sizeof(err)), 0);
	unlink(path);
	sweep_normalize(&rs);
	assert_int_equal(rs.nports, 3);
	for (size_t i = 1; i < rs.nports; i++) {
		ip_addr x = rs_port_ip(&rs, &rs.ports[i - 1]), y = rs_port_ip(&rs, &rs.ports[i]);

		assert_int_equal(addr_order(x, y), -1);
		assert_int_equal(rs_port_addr_cmp(&rs.ports[i - 1], &rs.ports[i]), -1);
	}
	assert_int_equal(addr_parse("::1", 3, &a, &why), 0);
	assert_ptr_equal(sweep_find_port(&rs, a, 22), &rs.ports[0]);
	assert_int_equal(addr_parse("2001:db8::1", 11, &a, &why), 0);
	assert_ptr_equal(sweep_find_port(&rs, a, -1), &rs.ports[2]);
	results_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_interns_each_address_once),
		cmocka_unit_test(test_pool_sort_remaps_indexes),
		cmocka_unit_test(test_portsort_matches_qsort),
		cmocka_unit_test(test_portsort_order),
		cmocka_unit_test(test_normalized_order_is_address_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
