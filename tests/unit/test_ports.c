/*
 * test_ports.c — nmap-style port specs and the compiled-in top-ports list
 * (src/ports.c, data/top-ports.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ports.h"
#include "portus.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void assert_contains_text(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", haystack, needle);
}

/* Sorted ascending and unique, as the header promises. */
static void assert_sorted_unique(const struct port_list *p)
{
	for (uint32_t i = 0; i < p->n; i++) {
		assert_true(p->ports[i] >= 1);
		if (i > 0)
			assert_true(p->ports[i] > p->ports[i - 1]);
	}
}

static void test_parse_accepts_nmap_syntax(void **state)
{
	static const struct {
		const char *spec;
		uint32_t n;
		uint16_t first, last; /* lowest and highest port */
	} cases[] = {
		{ "22,80", 2, 22, 80 },
		{ "80", 1, 80, 80 },
		{ "1", 1, 1, 1 },
		{ "65535", 1, 65535, 65535 },
		{ "1-65535", 65535, 1, 65535 },
		{ "-", 65535, 1, 65535 },
		{ "-1024", 1024, 1, 1024 },
		{ "60000-", 5536, 60000, 65535 },
		{ "65535-", 1, 65535, 65535 },
		{ "-1", 1, 1, 1 },
		{ "8000-8100", 101, 8000, 8100 },
		{ "443-443", 1, 443, 443 },
		{ "T:80", 1, 80, 80 },
		{ "T:22,T:80-81", 3, 22, 81 },
		{ "T:-", 65535, 1, 65535 },
		{ "080", 1, 80, 80 },          /* leading zeros are decimal */
		{ "80,22,80,22", 2, 22, 80 },  /* duplicates merged */
		{ "20-25,22-30", 11, 20, 30 }, /* overlaps merged */
		{ "1-10,11-20", 20, 1, 20 },
		{ "443,-,22", 65535, 1, 65535 },
	};
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct port_list p;

		ports_init(&p);
		if (ports_parse(&p, cases[i].spec, err, sizeof(err)) != 0)
			fail_msg("%s: unexpected error: %s", cases[i].spec, err);
		if (p.n != cases[i].n)
			fail_msg("%s: %u ports, want %u", cases[i].spec, p.n, cases[i].n);
		assert_int_equal(p.ports[0], cases[i].first);
		assert_int_equal(p.ports[p.n - 1], cases[i].last);
		assert_sorted_unique(&p);
		ports_free(&p);
		assert_null(p.ports);
		assert_int_equal(p.n, 0);
	}
}

static void test_parse_gives_exact_sorted_ports(void **state)
{
	static const uint16_t want[] = { 21, 22, 23, 25, 80, 443, 8080 };
	char err[PORTUS_ERRLEN];
	struct port_list p;

	(void)state;
	ports_init(&p);
	assert_int_equal(ports_parse(&p, "8080,443,T:80,21-23,25,22", err, sizeof(err)), 0);
	assert_int_equal(p.n, NELEM(want));
	assert_memory_equal(p.ports, want, sizeof(want));
	ports_free(&p);
}

static void test_parse_rejects_bad_specs_naming_the_input(void **state)
{
	static const struct {
		const char *spec, *want;
	} cases[] = {
		{ "", "empty port list" },
		{ "0", "0: port must be 1-65535" },
		{ "65536", "65536: port must be 1-65535" },
		{ "99999999999999999999", "99999999999999999999: port must be 1-65535" },
		{ "0-80", "0-80: port must be 1-65535" },
		{ "1-65536", "1-65536: port must be 1-65535" },
		{ "-0", "-0: port must be 1-65535" },
		{ "80-22", "80-22: range start is after range end" },
		{ "80,,81", "80,,81: empty element in port list" },
		{ "80,", "80,: empty element" },
		{ ",80", ",80: empty element" },
		{ ",", "empty element" },
		{ " 80", "\" 80\": whitespace is not allowed" },
		{ "80 ", "\"80 \": whitespace is not allowed" },
		{ "22, 80", "whitespace is not allowed" },
		{ "80\t", "whitespace is not allowed" },
		{ "U:53", "U:53: UDP ports (U:) are not supported" },
		{ "80,U:53", "U:53: UDP" },
		{ "S:80", "S:80: SCTP ports (S:) are not supported" },
		{ "T:", "T:: missing port number" },
		{ "X:80", "X:80: not a port number" },
		{ "t:80", "t:80: not a port number" },
		{ "T:T:80", "T:T:80: not a port number" },
		{ "80-90-100", "80-90-100: not a port number" },
		{ "--", "--: not a port number" },
		{ "+80", "+80: not a port number" },
		{ "http", "http: not a port number" },
		{ "80a", "80a: not a port number" },
		{ "0x50", "0x50: not a port number" },
	};
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct port_list p;

		ports_init(&p);
		err[0] = '\0';
		if (ports_parse(&p, cases[i].spec, err, sizeof(err)) != -1)
			fail_msg("\"%s\": accepted, want error", cases[i].spec);
		assert_contains_text(err, cases[i].want);
		assert_int_equal(p.n, 0);
		assert_null(p.ports);
		ports_free(&p);
	}
}

static void test_parse_merges_into_existing_list(void **state)
{
	static const uint16_t want[] = { 22, 80, 443 };
	char err[PORTUS_ERRLEN];
	struct port_list p;

	(void)state;
	ports_init(&p);
	assert_int_equal(ports_parse(&p, "80", err, sizeof(err)), 0);
	assert_int_equal(ports_parse(&p, "443,22,80", err, sizeof(err)), 0);
	assert_int_equal(p.n, NELEM(want));
	assert_memory_equal(p.ports, want, sizeof(want));
	ports_free(&p);
}

static void test_parse_error_leaves_list_unchanged(void **state)
{
	static const uint16_t want[] = { 22, 80 };
	char err[PORTUS_ERRLEN];
	struct port_list p;
	uint16_t *before;

	(void)state;
	ports_init(&p);
	assert_int_equal(ports_parse(&p, "22,80", err, sizeof(err)), 0);
	before = p.ports;
	/* The first elements are valid; the list must not keep them. */
	assert_int_equal(ports_parse(&p, "443,8080,99999", err, sizeof(err)), -1);
	assert_contains_text(err, "99999: port must be 1-65535");
	assert_ptr_equal(p.ports, before);
	assert_int_equal(p.n, NELEM(want));
	assert_memory_equal(p.ports, want, sizeof(want));
	ports_free(&p);
}

static void test_parse_error_truncates_long_input(void **state)
{
	char spec[2000], err[PORTUS_ERRLEN];
	struct port_list p;

	(void)state;
	memset(spec, '1', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	ports_init(&p);
	assert_int_equal(ports_parse(&p, spec, err, sizeof(err)), -1);
	assert_contains_text(err, "...: port must be 1-65535");
	assert_true(strlen(err) < 100);
	ports_free(&p);
}

/* ---- top ports -------------------------------------------------------- */

static void test_top_list_has_1000_unique_ports(void **state)
{
	char err[PORTUS_ERRLEN];
	struct port_list p;

	(void)state;
	assert_int_equal(ports_top_available(), 1000);
	ports_init(&p);
	assert_int_equal(ports_add_top(&p, 1000, err, sizeof(err)), 0);
	/* 1000 distinct ports: the ranked list has no duplicates. */
	assert_int_equal(p.n, 1000);
	assert_sorted_unique(&p);
	ports_free(&p);
}

static void test_top_1_is_http(void **state)
{
	char err[PORTUS_ERRLEN];
	struct port_list p;

	(void)state;
	/* nmap-services ranks 80/tcp first (open-frequency 0.484143). */
	ports_init(&p);
	assert_int_equal(ports_add_top(&p, 1, err, sizeof(err)), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.ports[0], 80);
	ports_free(&p);
}

static void test_top_n_takes_the_head_of_the_ranking(void **state)
{
	/* The first ten of data/top-ports.txt, sorted: 80 23 443 21 22 25 3389 110 445 139. */
	static const uint16_t top3[] = { 23, 80, 443 };
	static const uint16_t top10[] = { 21, 22, 23, 25, 80, 110, 139, 443, 445, 3389 };
	char err[PORTUS_ERRLEN];
	struct port_list p;

	(void)state;
	ports_init(&p);
	assert_int_equal(ports_add_top(&p, 3, err, sizeof(err)), 0);
	assert_int_equal(p.n, NELEM(top3));
	assert_memory_equal(p.ports, top3, sizeof(top3));
	ports_free(&p);

	assert_int_equal(ports_add_top(&p, 10, err, sizeof(err)), 0);
	assert_int_equal(p.n, NELEM(top10));
	assert_memory_equal(p.ports, top10, sizeof(top10));
	ports_free(&p);
}

static void test_top_merges_with_explicit_ports(void **state)
{
	static const uint16_t want[] = { 23, 80, 443, 9999 };
	char err[PORTUS_ERRLEN];
	struct port_list p;

	(void)state;
	ports_init(&p);
	assert_int_equal(ports_parse(&p, "9999,80", err, sizeof(err)), 0);
	assert_int_equal(ports_add_top(&p, 3, err, sizeof(err)), 0);
	assert_int_equal(p.n, NELEM(want));
	assert_memory_equal(p.ports, want, sizeof(want));
	ports_free(&p);
}

static void test_top_rejects_zero_and_beyond_available(void **state)
{
	static const unsigned bad[] = { 0, 1001, 65536, 4294967295u };
	char err[PORTUS_ERRLEN], want[64];
	struct port_list p;

	(void)state;
	ports_init(&p);
	assert_int_equal(ports_parse(&p, "22", err, sizeof(err)), 0);
	for (size_t i = 0; i < NELEM(bad); i++) {
		assert_int_equal(ports_add_top(&p, bad[i], err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "top ports %u: must be 1-1000", bad[i]);
		assert_contains_text(err, want);
		assert_int_equal(p.n, 1);
		assert_int_equal(p.ports[0], 22);
	}
	ports_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts_nmap_syntax),
		cmocka_unit_test(test_parse_gives_exact_sorted_ports),
		cmocka_unit_test(test_parse_rejects_bad_specs_naming_the_input),
		cmocka_unit_test(test_parse_merges_into_existing_list),
		cmocka_unit_test(test_parse_error_leaves_list_unchanged),
		cmocka_unit_test(test_parse_error_truncates_long_input),
		cmocka_unit_test(test_top_list_has_1000_unique_ports),
		cmocka_unit_test(test_top_1_is_http),
		cmocka_unit_test(test_top_n_takes_the_head_of_the_ranking),
		cmocka_unit_test(test_top_merges_with_explicit_ports),
		cmocka_unit_test(test_top_rejects_zero_and_beyond_available),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
