/*
 * test_addr.c — the IPv4/IPv6 address type (src/addr.c): RFC 5952 text
 * output, strict RFC 4291 parsing, IPv4 as ::ffff:a.b.c.d, and a random
 * round trip against the C library's inet_pton/inet_ntop.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static ip_addr parse_ok(const char *text)
{
	const char *why = NULL;
	ip_addr a = addr_zero();

	if (addr_parse(text, strlen(text), &a, &why) != 0)
		fail_msg("\"%s\": rejected: %s", text, why);
	return a;
}

static void test_rfc5952_text_forms(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "2001:db8::1", "2001:db8::1" },
		{ "::", "::" },
		{ "::1", "::1" },
		{ "1::", "1::" },
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" }, /* first of equal runs */
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" }, /* leading zeros */
		{ "2001:DB8::ABCD:EF", "2001:db8::abcd:ef" },                 /* lower case */
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" }, /* one zero group stays */
		{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },          /* longest run wins */
		{ "0:0:0:0:0:0:0:0", "::" },
		{ "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
		{ "1:0:0:0:0:0:0:0", "1::" },
		{ "0:0:0:0:0:0:0:1", "::1" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "64:ff9b::192.0.2.33", "64:ff9b::c000:221" }, /* embedded dotted quad */
		{ "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
		{ "::1.2.3.4", "::102:304" },
		{ "::ffff:1.2.3.4", "1.2.3.4" }, /* IPv4-mapped: the IPv4 address */
		{ "::FFFF:0102:0304", "1.2.3.4" },
		{ "1.2.3.4", "1.2.3.4" },
		{ "0.0.0.0", "0.0.0.0" },
		{ "255.255.255.255", "255.255.255.255" },
		{ "::fffe:1.2.3.4", "::fffe:102:304" },
		{ "::1:ffff:1.2.3.4", "::1:ffff:102:304" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		char out[ADDR_STR_MAX];
		ip_addr a = parse_ok(cases[i].in);
		size_t n = addr_to_str(a, out);

		if (strcmp(out, cases[i].out) != 0)
			fail_msg("\"%s\" printed as \"%s\", want \"%s\"", cases[i].in, out,
				 cases[i].out);
		assert_int_equal(n, strlen(out));
		/* The output parses back to the same address. */
		assert_true(addr_eq(parse_ok(out), a));
	}
}

static void test_ipv4_is_mapped(void **state)
{
	ip_addr a = parse_ok("::ffff:1.2.3.4"), b = parse_ok("1.2.3.4");
	uint8_t bytes[16];
	static const uint8_t want[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4 };

	(void)state;
	assert_true(addr_eq(a, b));
	assert_true(addr_is_v4(a));
	assert_int_equal(addr_v4(a), 0x01020304u);
	assert_true(addr_eq(a, addr_from_v4(0x01020304u)));
	addr_to_bytes(a, bytes);
	assert_memory_equal(bytes, want, 16);
	assert_true(addr_eq(addr_from_bytes(want), a));
	assert_false(addr_is_v4(parse_ok("::1.2.3.4")));
	assert_false(addr_is_v4(parse_ok("::1:ffff:1.2.3.4")));
	/* IPv4 sorts below global IPv6, above ::/96. */
	assert_int_equal(addr_order(a, parse_ok("2001:db8::")), -1);
	assert_int_equal(addr_order(a, parse_ok("::1.2.3.4")), 1);
	assert_int_equal(addr_order(a, b), 0);
	assert_int_equal(addr_order(parse_ok("255.255.255.255"), parse_ok("::ffff:1:0:0")), -1);
}

static void test_parse_rejects(void **state)
{
	static const struct {
		const char *text, *want; /* want: a fragment of the reason, or NULL */
	} cases[] = {
		{ ":::", NULL },
		{ "1::2::3", NULL },
		{ "12345::", NULL },
		{ "1:", NULL },
		{ ":1", NULL },
		{ "::1:", NULL },
		{ "1:2:3:4:5:6:7:8:9", NULL },
		{ "1:2:3:4:5:6:7", NULL },
		{ "1:2:3:4:5:6:7:8::", NULL },
		{ "::1:2:3:4:5:6:7:8", NULL },
		{ "fe80::1%eth0", "zone id" },
		{ "[::1]", NULL },
		{ "2001:db8::g", NULL },
		{ "::1.2.3", NULL },
		{ "::256.1.1.1", NULL },
		{ "::1.2.3.4:5", NULL },
		{ "1:2:3:4:5:6:7:1.2.3.4", NULL },
		{ " ::1", NULL },
		{ "::1 ", NULL },
		{ "", NULL },
		{ "1.2.3", NULL },
		{ "1.2.3.256", "0-255" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		const char *why = NULL;
		ip_addr a = addr_from_v4(7);

		if (addr_parse(cases[i].text, strlen(cases[i].text), &a, &why) != -1)
			fail_msg("\"%s\": accepted", cases[i].text);
		assert_non_null(why);
		if (cases[i].want != NULL && strstr(why, cases[i].want) == NULL)
			fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", cases[i].text, why,
				 cases[i].want);
		assert_true(addr_eq(a, addr_from_v4(7))); /* untouched on error */
	}
}

static void test_parse_respects_length(void **state)
{
	const char *why = NULL;
	ip_addr a;

	(void)state;
	/* Only len bytes are read: "2001:db8::1" of "2001:db8::1/64". */
	assert_int_equal(addr_parse("2001:db8::1/64", 11, &a, &why), 0);
	assert_true(addr_eq(a, parse_ok("2001:db8::1")));
	assert_int_equal(addr_parse("1.2.3.4-5", 7, &a, &why), 0);
	assert_true(addr_eq(a, addr_from_v4(0x01020304u)));
	assert_int_equal(addr_parse("::1", 1, &a, &why), -1);
	assert_true(addr_looks_v6("::1", 3));
	assert_false(addr_looks_v6("1.2.3.4", 7));
}

/* xorshift64*: deterministic, no libc rand. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static void test_random_round_trip_matches_libc(void **state)
{
	uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);

	(void)state;
	for (int n = 0; n < 100000; n++) {
		uint8_t bytes[16], back[16];
		char ours[ADDR_STR_MAX], libc[INET6_ADDRSTRLEN];
		uint64_t hi = next_rand(&seed), lo = next_rand(&seed);
		unsigned shape = (unsigned)(next_rand(&seed) % 4);
		ip_addr a;

		/* Zero some groups so that "::" runs of every length occur. */
		if (shape > 0) {
			uint64_t mask = next_rand(&seed);

			for (int g = 0; g < 4; g++) {
				if (mask >> g & 1)
					hi &= ~(UINT64_C(0xffff) << (16 * g));
				if (mask >> (g + 4) & 1)
					lo &= ~(UINT64_C(0xffff) << (16 * g));
			}
		}
		a.v = (u128)hi << 64 | lo;
		if (a.v >> 32 == 0 || addr_is_v4(a))
			continue; /* ::/96 prints as ::a.b.c.d in glibc; IPv4 prints dotted */
		addr_to_bytes(a, bytes);
		assert_non_null(inet_ntop(AF_INET6, bytes, libc, sizeof(libc)));
		addr_to_str(a, ours);
		if (strcmp(ours, libc) != 0)
			fail_msg("%s printed, libc prints %s", ours, libc);
		assert_true(addr_eq(parse_ok(ours), a));
		assert_int_equal(inet_pton(AF_INET6, ours, back), 1);
		assert_memory_equal(back, bytes, 16);
		/* And the uncompressed upper-case form parses to the same address. */
		{
			char full[40];

			for (int g = 0; g < 8; g++)
				snprintf(full + 5 * g, sizeof(full) - 5 * (size_t)g, "%04X%s",
					 (unsigned)(uint16_t)(a.v >> (112 - 16 * g)),
					 g < 7 ? ":" : "");
			assert_true(addr_eq(parse_ok(full), a));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5952_text_forms),
		cmocka_unit_test(test_ipv4_is_mapped),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_respects_length),
		cmocka_unit_test(test_random_round_trip_matches_libc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
