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

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define V4(x) addr_from_v4(x)
/* An IPv4 address as a constant ip_addr initializer (static tables). */
#define V4I(x)                              \
	{                                   \
		ADDR_V4_TAG | (uint32_t)(x) \
	}

/* Fails with both addresses in text when a != b. */
#define assert_addr_equal(a, b)                                    \
	do {                                                       \
		ip_addr got_ = (a), want_ = (b);                   \
		if (!addr_eq(got_, want_)) {                       \
			char gs_[ADDR_STR_MAX], ws_[ADDR_STR_MAX]; \
			addr_to_str(got_, gs_);                    \
			addr_to_str(want_, ws_);                   \
			fail_msg("address %s != %s", gs_, ws_);    \
		}                                                  \
	} while (0)

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
	{ V4I(IP(198, 18, 0, 0)), V4I(IP(198, 18, 0, 3)) },
	{ V4I(IP(198, 18, 0, 10)), V4I(IP(198, 18, 0, 12)) },
	{ V4I(IP(198, 19, 255, 255)), V4I(IP(198, 19, 255, 255)) },
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
		IP(198, 18, 0, 0),  IP(198, 18, 0, 1),  IP(198, 18, 0, 2),  IP(198, 18, 0, 3),
		IP(198, 18, 0, 10), IP(198, 18, 0, 11), IP(198, 18, 0, 12), IP(198, 19, 255, 255),
	};
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, MULTI, 3, WEB, 3, err), 0);
	for (uint64_t i = 0; i < pl.n; i++) {
		ip_addr ip;
		uint16_t port;
		uint64_t back = UINT64_MAX;

		plan_decode(&pl, i, &ip, &port);
		assert_addr_equal(ip, V4(HOSTS[i / 3]));
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
		{ IP(0, 0, 0, 0), 22, 0 },        { IP(255, 255, 255, 255), 22, 0 },
		{ IP(198, 18, 0, 0), 23, 1 }, /* planned address, unplanned port */
		{ IP(198, 18, 0, 0), 0, 1 },      { IP(198, 18, 0, 11), 65535, 1 },
	};
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, MULTI, 3, WEB, 3, err), 0);
	for (size_t k = 0; k < sizeof(OUTSIDE) / sizeof(OUTSIDE[0]); k++) {
		uint64_t i = 12345, h = 12345;

		if (plan_encode(&pl, V4(OUTSIDE[k].ip), OUTSIDE[k].port, &i) != -1)
			fail_msg("case %zu: %08x:%u encoded", k, OUTSIDE[k].ip, OUTSIDE[k].port);
		assert_int_equal(i, 12345); /* untouched on failure */
		if (!OUTSIDE[k].host_planned) {
			assert_int_equal(plan_host_index(&pl, V4(OUTSIDE[k].ip), &h), -1);
			assert_int_equal(h, 12345);
		}
	}
	plan_free(&pl);
}

static void test_plan_single_address_and_port_65535(void **state)
{
	static const struct ip_range ONE[] = { { V4I(IP(198, 18, 7, 7)), V4I(IP(198, 18, 7, 7)) } };
	static const uint16_t TOP[] = { 65535 };
	struct plan pl;
	char err[PORTUS_ERRLEN];
	ip_addr ip;
	uint16_t port;
	uint64_t i = 99;

	(void)state;
	assert_int_equal(make_plan(&pl, ONE, 1, TOP, 1, err), 0);
	assert_int_equal(pl.n, 1);
	plan_decode(&pl, 0, &ip, &port);
	assert_addr_equal(ip, V4(IP(198, 18, 7, 7)));
	assert_int_equal(port, 65535);
	assert_int_equal(plan_encode(&pl, V4(IP(198, 18, 7, 7)), 65535, &i), 0);
	assert_int_equal(i, 0);
	assert_int_equal(plan_encode(&pl, V4(IP(198, 18, 7, 7)), 65534, &i), -1);
	assert_int_equal(plan_encode(&pl, V4(IP(198, 18, 7, 8)), 65535, &i), -1);
	assert_int_equal(plan_encode(&pl, V4(IP(198, 18, 7, 6)), 65535, &i), -1);
	plan_free(&pl);
}

static void test_plan_all_of_ipv4_decodes_both_ends(void **state)
{
	static const struct ip_range ALL[] = { { V4I(0), V4I(UINT32_MAX) } };
	static const uint16_t P443[] = { 443 };
	struct plan pl;
	char err[PORTUS_ERRLEN];
	ip_addr ip;
	uint16_t port;
	uint64_t i;

	(void)state;
	assert_int_equal(make_plan(&pl, ALL, 1, P443, 1, err), 0);
	assert_int_equal(pl.nhosts, 1ull << 32);
	assert_int_equal(pl.n, 1ull << 32);
	plan_decode(&pl, pl.n - 1, &ip, &port);
	assert_addr_equal(ip, V4(UINT32_MAX));
	assert_int_equal(port, 443);
	plan_decode(&pl, 0, &ip, &port);
	assert_addr_equal(ip, V4(0));
	assert_int_equal(plan_encode(&pl, V4(UINT32_MAX), 443, &i), 0);
	assert_int_equal(i, pl.n - 1);
	assert_int_equal(plan_encode(&pl, V4(IP(198, 18, 0, 1)), 443, &i), 0);
	assert_int_equal(i, IP(198, 18, 0, 1));
	plan_free(&pl);
}

static void test_plan_all_ports_on_all_addresses_fits(void **state)
{
	/* The largest plan IPv4 allows: 2^32 x 65535 < 2^62. */
	static const struct ip_range ALL[] = { { V4I(0), V4I(UINT32_MAX) } };
	uint16_t *every = malloc(65535 * sizeof(*every));
	struct plan pl;
	char err[PORTUS_ERRLEN];
	ip_addr ip;
	uint16_t port;
	uint64_t i;

	(void)state;
	assert_non_null(every);
	for (uint32_t p = 0; p < 65535; p++)
		every[p] = (uint16_t)(p + 1);
	assert_int_equal(make_plan(&pl, ALL, 1, every, 65535, err), 0);
	assert_int_equal(pl.n, (1ull << 32) * 65535);
	plan_decode(&pl, pl.n - 1, &ip, &port);
	assert_addr_equal(ip, V4(UINT32_MAX));
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

		r[k].first = V4(next);
		r[k].last = V4(next + len - 1);
		next = next + len - 1 + 2 + (uint32_t)(k % 7); /* gap of at least one */
	}
	assert_int_equal(make_plan(&pl, r, 200, P, 5, err), 0);
	for (uint64_t i = 0; i < pl.n; i++) {
		ip_addr ip;
		uint16_t port;
		uint64_t back;

		plan_decode(&pl, i, &ip, &port);
		assert_int_equal(plan_encode(&pl, ip, port, &back), 0);
		assert_int_equal(back, i);
	}
	for (int k = 0; k < 200; k++) {
		ip_addr below = { r[k].first.v - 1 }, above = { r[k].last.v + 1 };
		uint64_t h;

		assert_int_equal(plan_host_index(&pl, below, &h), -1);
		assert_int_equal(plan_host_index(&pl, above, &h), -1);
	}
	plan_free(&pl);
}

static void test_plan_rejects_empty_input(void **state)
{
	static const struct ip_range ONE[] = { { V4I(IP(198, 18, 0, 1)), V4I(IP(198, 18, 0, 1)) } };
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
		{ V4I(IP(198, 18, 0, 0)), V4I(IP(198, 18, 0, 9)) },
		{ V4I(IP(198, 18, 0, 5)), V4I(IP(198, 18, 0, 20)) },
	};
	static const uint16_t UNSORTED[] = { 443, 80 };
	static const uint16_t P80[] = { 80 };
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(make_plan(&pl, OVERLAP, 2, P80, 1, err), -1);
	assert_int_equal(make_plan(&pl, OVERLAP, 1, UNSORTED, 2, err), -1);
}

static ip_addr A(const char *text)
{
	const char *why = NULL;
	ip_addr a;

	if (addr_parse(text, strlen(text), &a, &why) != 0)
		fail_msg("%s: %s", text, why);
	return a;
}

/* 198.18.0.0/30 + 2001:db8::/126 + 2001:db8:1::5, given to make_plan in order. */
static void mixed_ranges(struct ip_range r[3])
{
	r[0].first = V4(IP(198, 18, 0, 0));
	r[0].last = V4(IP(198, 18, 0, 3));
	r[1].first = A("2001:db8::");
	r[1].last = A("2001:db8::3");
	r[2].first = r[2].last = A("2001:db8:1::5");
}

static void test_plan_mixed_families_decode_ipv4_first(void **state)
{
	static const char *const HOSTS[] = {
		"198.18.0.0",  "198.18.0.1",  "198.18.0.2",  "198.18.0.3",    "2001:db8::",
		"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8:1::5",
	};
	static const char *const OUTSIDE[] = {
		"198.17.255.255",    "198.18.0.4",    "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
		"2001:db8::4",       "2001:db8:1::4", "2001:db8:1::6",
		"::ffff:198.18.0.4", "::c612:1", /* ::198.18.0.1, not the IPv4 address */
	};
	struct ip_range r[3];
	struct plan pl;
	char err[PORTUS_ERRLEN];
	ip_addr prev = addr_zero();

	(void)state;
	mixed_ranges(r);
	if (make_plan(&pl, r, 3, WEB, 3, err) != 0)
		fail_msg("plan_init: %s", err);
	assert_int_equal(pl.nhosts, 9);
	assert_int_equal(pl.n, 27);
	for (uint64_t i = 0; i < pl.n; i++) {
		ip_addr ip;
		uint16_t port;
		uint64_t back = UINT64_MAX;

		plan_decode(&pl, i, &ip, &port);
		assert_addr_equal(ip, A(HOSTS[i / 3]));
		assert_int_equal(port, WEB[i % 3]);
		assert_true(i == 0 || addr_order(prev, ip) <= 0);
		assert_int_equal(addr_is_v4(ip), i / 3 < 4);
		prev = ip;
		assert_int_equal(plan_encode(&pl, ip, port, &back), 0);
		assert_int_equal(back, i);
	}
	for (uint64_t h = 0; h < pl.nhosts; h++) {
		uint64_t back = UINT64_MAX;

		assert_addr_equal(plan_host_ip(&pl, h), A(HOSTS[h]));
		assert_int_equal(plan_host_index(&pl, plan_host_ip(&pl, h), &back), 0);
		assert_int_equal(back, h);
	}
	for (size_t k = 0; k < sizeof(OUTSIDE) / sizeof(OUTSIDE[0]); k++) {
		uint64_t i = 12345, h = 12345;

		if (plan_encode(&pl, A(OUTSIDE[k]), 80, &i) != -1)
			fail_msg("%s:80 encoded", OUTSIDE[k]);
		assert_int_equal(i, 12345);
		assert_int_equal(plan_host_index(&pl, A(OUTSIDE[k]), &h), -1);
		assert_int_equal(h, 12345);
	}
	plan_free(&pl);
}

static void test_plan_refuses_more_than_2_62_ipv6_addresses(void **state)
{
	static const uint16_t P80[] = { 80 };
	struct ip_range r[2];
	struct plan pl;
	char err[PORTUS_ERRLEN];

	(void)state;
	/* One merged range of 2^62 + 1 addresses. */
	r[0].first = A("2001:db8::");
	r[0].last.v = r[0].first.v + ((u128)1 << 62);
	err[0] = '\0';
	assert_int_equal(make_plan(&pl, r, 1, P80, 1, err), -1);
	assert_true(strstr(err, "2^62") != NULL);
	/* A whole /64 (2^64). */
	r[0].last = A("2001:db8::ffff:ffff:ffff:ffff");
	assert_int_equal(make_plan(&pl, r, 1, P80, 1, err), -1);
	/* Two ranges each under the limit, together over it. */
	r[0].last.v = r[0].first.v + ((u128)1 << 61);
	r[1].first = A("2001:db9::");
	r[1].last.v = r[1].first.v + ((u128)1 << 61);
	err[0] = '\0';
	assert_int_equal(make_plan(&pl, r, 2, P80, 1, err), -1);
	assert_true(strstr(err, "2^62") != NULL);
	/* Exactly 2^62 - 1 addresses fit. */
	r[0].last.v = r[0].first.v + ((u128)1 << 62) - 2;
	if (make_plan(&pl, r, 1, P80, 1, err) != 0)
		fail_msg("plan_init: %s", err);
	assert_int_equal(pl.nhosts, (UINT64_C(1) << 62) - 1);
	plan_free(&pl);
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
		cmocka_unit_test(test_plan_mixed_families_decode_ipv4_first),
		cmocka_unit_test(test_plan_refuses_more_than_2_62_ipv6_addresses),
		cmocka_unit_test(test_plan_free_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
