/*
 * test_plan.c — the target space: index <-> (address, port) round trips over
 * multi-range plans, rejection of what is not in the plan, sizes, and the
 * extremes (one address; all of IPv4 without a per-address allocation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "portus.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Builds a plan from literal ranges and ports (both already normalized). */
static int make_plan(struct plan *pl, const struct ip_range *r, size_t nr, const uint16_t *p,
		     uint32_t np, char *err)
{
	struct ip_set set = { .r = malloc((nr + 1) * sizeof(*r)), .n = nr, .cap = nr + 1 };
	struct port_list ports = { .ports = malloc((np + 1) * sizeof(*p)), .n = np };
	int rc;

	assert_non_null(set.r);
	assert_non_null(ports.ports);
	memcpy(set.r, r, nr * sizeof(*r));
	memcpy(ports.ports, p, np * sizeof(*p));
	rc = plan_init(pl, &set, &ports, err, PORTUS_ERRLEN);
	free(set.r);
	free(ports.ports);
	return rc;
}

/* 198.18.0.0/30, 198.18.0.10-198.18.0.12, 198.19.255.255 x {22, 80, 443} */
static const struct ip_range MULTI[] = {
	{ IP(198, 18, 0, 0), IP(198, 18, 0, 3) },
	{ IP(198, 18, 0, 10), IP(198, 18, 0, 12) },
	{ IP(198, 19, 255, 255), IP(198, 19, 255, 255) },
};
static const uint16_t WEB[] = { 22, 80, 443 };

static void test_plan_counts_hosts_and_indices(void **state)
{
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, MULTI, 3, WEB, 3, err), 0);
	assert_int_equal(pl.nhosts, 8);
	assert_int_equal(pl.nports, 3);
	assert_int_equal(pl.n, 24);
	assert_int_equal(pl.base[0], 0);
	assert_int_equal(pl.base[1], 4);
	assert_int_equal(pl.base[2], 7);
	plan_free(&pl);
}

static void test_plan_decodes_in_address_then_port_order(void **state)
{
	static const uint32_t HOSTS[] = {
		IP(198, 18, 0, 0),  IP(198, 18, 0, 1),	IP(198, 18, 0, 2),  IP(198, 18, 0, 3),
		IP(198, 18, 0, 10), IP(198, 18, 0, 11), IP(198, 18, 0, 12), IP(198, 19, 255, 255),
	};
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, MULTI, 3, WEB, 3, err), 0);
	for (uint64_t i = 0; i < pl.n; i++) {
		uint32_t ip;
		uint16_t port;
		uint64_t back = UINT64_MAX;

		plan_decode(&pl, i, &ip, &port);
		assert_int_equal(ip, HOSTS[i / 3]);
		assert_int_equal(port, WEB[i % 3]);
		assert_int_equal(plan_encode(&pl, ip, port, &back), 0);
		assert_int_equal(back, i);
	}
	plan_free(&pl);
}

static void test_plan_host_index_round_trips(void **state)
{
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, MULTI, 3, WEB, 3, err), 0);
	for (uint64_t h = 0; h < pl.nhosts; h++) {
		uint64_t back = UINT64_MAX;

		assert_int_equal(plan_host_index(&pl, plan_host_ip(&pl, h), &back), 0);
		assert_int_equal(back, h);
	}
	plan_free(&pl);
}

static void test_plan_encode_rejects_what_is_not_planned(void **state)
{
	static const struct {
		uint32_t ip;
		uint16_t port;
		int host_planned;
	} OUTSIDE[] = {
		{ IP(198, 17, 255, 255), 80, 0 }, /* below the first range */
		{ IP(198, 18, 0, 4), 80, 0 },     /* just after a range */
		{ IP(198, 18, 0, 9), 80, 0 },     /* just before a range */
		{ IP(198, 18, 0, 13), 443, 0 },   /* in the big gap */
		{ IP(198, 19, 255, 254), 22, 0 }, /* just before the last */
		{ IP(0, 0, 0, 0), 22, 0 },
		{ IP(255, 255, 255, 255), 22, 0 },
		{ IP(198, 18, 0, 0), 23, 1 }, /* planned address, unplanned port */
		{ IP(198, 18, 0, 0), 0, 1 },
		{ IP(198, 18, 0, 11), 65535, 1 },
	};
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, MULTI, 3, WEB, 3, err), 0);
	for (size_t k = 0; k < sizeof(OUTSIDE) / sizeof(OUTSIDE[0]); k++) {
		uint64_t i = 12345, h = 12345;

		if (plan_encode(&pl, OUTSIDE[k].ip, OUTSIDE[k].port, &i) != -1)
			fail_msg("case %zu: %08x:%u encoded", k, OUTSIDE[k].ip, OUTSIDE[k].port);
		assert_int_equal(i, 12345); /* untouched on failure */
		if (!OUTSIDE[k].host_planned) {
			assert_int_equal(plan_host_index(&pl, OUTSIDE[k].ip, &h), -1);
			assert_int_equal(h, 12345);
		}
	}
	plan_free(&pl);
}

static void test_plan_single_address_and_port_65535(void **state)
{
	static const struct ip_range ONE[] = { { IP(198, 18, 7, 7), IP(198, 18, 7, 7) } };
	static const uint16_t TOP[] = { 65535 };
	struct plan pl;
	char err[PORTUS_ERRLEN];
	uint32_t ip;
	uint16_t port;
	uint64_t i = 99;

	(void)state;
	assert_int_equal(make_plan(&pl, ONE, 1, TOP, 1, err), 0);
	assert_int_equal(pl.n, 1);
	plan_decode(&pl, 0, &ip, &port);
	assert_int_equal(ip, IP(198, 18, 7, 7));
	assert_int_equal(port, 65535);
	assert_int_equal(plan_encode(&pl, IP(198, 18, 7, 7), 65535, &i), 0);
	assert_int_equal(i, 0);
	assert_int_equal(plan_encode(&pl, IP(198, 18, 7, 7), 65534, &i), -1);
	assert_int_equal(plan_encode(&pl, IP(198, 18, 7, 8), 65535, &i), -1);
	assert_int_equal(plan_encode(&pl, IP(198, 18, 7, 6), 65535, &i), -1);
	plan_free(&pl);
}

static void test_plan_all_of_ipv4_decodes_both_ends(void **state)
{
	static const struct ip_range ALL[] = { { 0, UINT32_MAX } };
	static const uint16_t P443[] = { 443 };
	struct plan pl;
	char err[PORTUS_ERRLEN];
	uint32_t ip;
	uint16_t port;
	uint64_t i;

	(void)state;
	assert_int_equal(make_plan(&pl, ALL, 1, P443, 1, err), 0);
	assert_int_equal(pl.nhosts, 1ull << 32);
	assert_int_equal(pl.n, 1ull << 32);
	plan_decode(&pl, pl.n - 1, &ip, &port);
	assert_int_equal(ip, UINT32_MAX);
	assert_int_equal(port, 443);
	plan_decode(&pl, 0, &ip, &port);
	assert_int_equal(ip, 0);
	assert_int_equal(plan_encode(&pl, UINT32_MAX, 443, &i), 0);
	assert_int_equal(i, pl.n - 1);
	assert_int_equal(plan_encode(&pl, IP(198, 18, 0, 1), 443, &i), 0);
	assert_int_equal(i, IP(198, 18, 0, 1));
	plan_free(&pl);
}

static void test_plan_all_ports_on_all_addresses_fits(void **state)
{
	/* The largest plan IPv4 allows: 2^32 x 65535 < 2^62. */
	static const struct ip_range ALL[] = { { 0, UINT32_MAX } };
	uint16_t *every = malloc(65535 * sizeof(*every));
	struct plan pl;
	char err[PORTUS_ERRLEN];
	uint32_t ip;
	uint16_t port;
	uint64_t i;

	(void)state;
	assert_non_null(every);
	for (uint32_t p = 0; p < 65535; p++)
		every[p] = (uint16_t)(p + 1);
	assert_int_equal(make_plan(&pl, ALL, 1, every, 65535, err), 0);
	assert_int_equal(pl.n, (1ull << 32) * 65535);
	plan_decode(&pl, pl.n - 1, &ip, &port);
	assert_int_equal(ip, UINT32_MAX);
	assert_int_equal(port, 65535);
	assert_int_equal(plan_encode(&pl, ip, port, &i), 0);
	assert_int_equal(i, pl.n - 1);
	plan_free(&pl);
	free(every);
}

static void test_plan_round_trips_many_ranges(void **state)
{
	/* 200 ranges of varied sizes with gaps, 5 ports: every index round trips
	 * and neighbours of each range are rejected. */
	struct ip_range r[200];
	static const uint16_t P[] = { 1, 22, 443, 8080, 65535 };
	struct plan pl;
	char err[PORTUS_ERRLEN];
	uint32_t next = IP(10, 0, 0, 0);

	(void)state;
	for (int k = 0; k < 200; k++) {
		uint32_t len = (uint32_t)(k * 37 % 50) + 1;

		r[k].first = next;
		r[k].last = next + len - 1;
		next = r[k].last + 2 + (uint32_t)(k % 7); /* gap of at least one */
	}
	assert_int_equal(make_plan(&pl, r, 200, P, 5, err), 0);
	for (uint64_t i = 0; i < pl.n; i++) {
		uint32_t ip;
		uint16_t port;
		uint64_t back;

		plan_decode(&pl, i, &ip, &port);
		assert_int_equal(plan_encode(&pl, ip, port, &back), 0);
		assert_int_equal(back, i);
	}
	for (int k = 0; k < 200; k++) {
		uint64_t h;

		assert_int_equal(plan_host_index(&pl, r[k].first - 1, &h), -1);
		assert_int_equal(plan_host_index(&pl, r[k].last + 1, &h), -1);
	}
	plan_free(&pl);
}

static void test_plan_rejects_empty_input(void **state)
{
	static const struct ip_range ONE[] = { { IP(198, 18, 0, 1), IP(198, 18, 0, 1) } };
	static const uint16_t P80[] = { 80 };
	struct plan pl;
	char err[PORTUS_ERRLEN] = "";

	(void)state;
	memset(&pl, 0xa5, sizeof(pl));
	assert_int_equal(make_plan(&pl, ONE, 0, P80, 1, err), -1);
	assert_true(strlen(err) > 0);
	err[0] = '\0';
	assert_int_equal(make_plan(&pl, ONE, 1, P80, 0, err), -1);
	assert_true(strlen(err) > 0);
	/* Output written on success only. */
	assert_int_equal(pl.n, 0xa5a5a5a5a5a5a5a5ull);
}

static void test_plan_rejects_unnormalized_input(void **state)
{
	static const struct ip_range OVERLAP[] = {
		{ IP(198, 18, 0, 0), IP(198, 18, 0, 9) },
		{ IP(198, 18, 0, 5), IP(198, 18, 0, 20) },
	};
	static const uint16_t UNSORTED[] = { 443, 80 };
	static const uint16_t P80[] = { 80 };
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, OVERLAP, 2, P80, 1, err), -1);
	assert_int_equal(make_plan(&pl, OVERLAP, 1, UNSORTED, 2, err), -1);
}

static void test_plan_free_resets(void **state)
{
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, MULTI, 3, WEB, 3, err), 0);
	plan_free(&pl);
	assert_null(pl.ranges);
	assert_null(pl.port_slot);
	assert_int_equal(pl.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_counts_hosts_and_indices),
		cmocka_unit_test(test_plan_decodes_in_address_then_port_order),
		cmocka_unit_test(test_plan_host_index_round_trips),
		cmocka_unit_test(test_plan_encode_rejects_what_is_not_planned),
		cmocka_unit_test(test_plan_single_address_and_port_65535),
		cmocka_unit_test(test_plan_all_of_ipv4_decodes_both_ends),
		cmocka_unit_test(test_plan_all_ports_on_all_addresses_fits),
		cmocka_unit_test(test_plan_round_trips_many_ranges),
		cmocka_unit_test(test_plan_rejects_empty_input),
		cmocka_unit_test(test_plan_rejects_unnormalized_input),
		cmocka_unit_test(test_plan_free_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
