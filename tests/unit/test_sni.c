/* test_sni.c — --sni-file parsing and lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "portus.h"
#include "sni.h"

#define IP(a, b, c, d) \
	addr_from_v4(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* An IPv6 address from its text (the test's own literals: must parse). */
static ip_addr ip6(const char *s)
{
	ip_addr a;
	const char *why = NULL;

	assert_int_equal(addr_parse(s, strlen(s), &a, &why), 0);
	assert_false(addr_is_v4(a));
	return a;
}

static void test_sni_parses_pairs_comments_and_keeps_file_order(void **state)
{
	const char *text = "# names for the audit\n"
			   "198.18.0.31 www.lab.test\n"
			   "\n"
			   "  198.18.0.30\tapi.lab.test   # trailing comment\r\n"
			   "198.18.0.31 *.lab.test\n"
			   "198.18.0.31 mail_1.lab.test";
	struct sni_map m;
	const struct sni_entry *e;
	char err[PORTUS_ERRLEN];

	(void)state;
	sni_map_init(&m);
	assert_int_equal(sni_map_add_text(&m, text, strlen(text), "t", err, sizeof(err)), 0);
	assert_int_equal(m.n, 4);
	assert_int_equal(sni_map_find(&m, IP(198, 18, 0, 30), &e), 1);
	assert_string_equal(e[0].name, "api.lab.test");
	assert_int_equal(sni_map_find(&m, IP(198, 18, 0, 31), &e), 3);
	assert_string_equal(e[0].name, "www.lab.test");
	assert_string_equal(e[1].name, "*.lab.test");
	assert_string_equal(e[2].name, "mail_1.lab.test");
	assert_int_equal(sni_map_find(&m, IP(198, 18, 0, 29), &e), 0);
	assert_int_equal(sni_map_find(&m, IP(198, 18, 0, 32), &e), 0);
	sni_map_free(&m);
	assert_null(m.v);
}

static void test_sni_rejects_bad_lines_with_file_and_line(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "198.18.0.1\n", "t:1: expected \"ADDRESS NAME\"" },
		{ "\n198.18.0.1 a.test b.test\n", "t:2: expected \"ADDRESS NAME\"" },
		{ "198.18.0.0/24 a.test\n",
		  "t:1: 198.18.0.0/24: expected one IPv4 or IPv6 address, not a network or range" },
		{ "198.18.0.1-198.18.0.2 a.test\n", "not a network or range" },
		{ "1.2.3 a.test\n", "t:1: 1.2.3: not an IPv4 address" },
		{ "198.18.0.256 a.test\n", "t:1: 198.18.0.256: octet must be 0-255" },
		{ "www.lab.test a.test\n", "t:1: www.lab.test: not an IPv4 address" },
		{ "198.18.0.1 a/b.test\n", "t:1: a/b.test: not a DNS name" },
		{ "198.18.0.1 a\x01.test\n", "a?.test: not a DNS name" },
		{ "198.18.0.1 \"q\"\n", "not a DNS name" },
	};
	char err[PORTUS_ERRLEN];
	struct sni_map m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sni_map_init(&m);
		assert_int_equal(
			sni_map_add_text(&m, "198.18.0.9 ok.test\n", 19, "t", err, sizeof(err)), 0);
		err[0] = '\0';
		assert_int_equal(sni_map_add_text(&m, bad[i].text, strlen(bad[i].text), "t", err,
						  sizeof(err)),
				 -1);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, bad[i].want);
		assert_null(strchr(err, '\n'));
		assert_int_equal(m.n, 1); /* unchanged on error */
		sni_map_free(&m);
	}
}

static void test_sni_rejects_overlong_name(void **state)
{
	char text[400], err[PORTUS_ERRLEN];
	struct sni_map m;
	int n = snprintf(text, sizeof(text), "198.18.0.1 ");

	(void)state;
	memset(text + n, 'a', 254);
	text[n + 254] = '\0';
	sni_map_init(&m);
	assert_int_equal(sni_map_add_text(&m, text, strlen(text), "t", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a DNS name"));
	text[n + 253] = '\0'; /* 253 bytes: the longest DNS name */
	assert_int_equal(sni_map_add_text(&m, text, strlen(text), "t", err, sizeof(err)), 0);
	assert_int_equal(strlen(m.v[0].name), 253);
	sni_map_free(&m);
}

static void test_sni_file_errors(void **state)
{
	char path[] = "/tmp/portus-sni-XXXXXX", err[PORTUS_ERRLEN];
	struct sni_map m;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "198.18.0.1 a\0b\n", 15), 15);
	close(fd);
	sni_map_init(&m);
	assert_int_equal(sni_map_add_file(&m, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "binary file"));
	unlink(path);
	assert_int_equal(sni_map_add_file(&m, "/nonexistent/sni", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--sni-file /nonexistent/sni: No such file"));
	sni_map_free(&m);
}

/* IPv6 lines: any RFC 4291 spelling of one address is one key, kept apart
 * from IPv4; ::ffff:a.b.c.d is the IPv4 address itself. */
static void test_sni_ipv6_addresses(void **state)
{
	const char *text = "2001:db8::1 www.lab.test\n"
			   "198.18.0.31 v4.lab.test\n"
			   "2001:0DB8:0000:0000:0000:0000:0000:0001 api.lab.test # same address\n"
			   "\t::1\tlocalhost.test\n"
			   "2001:db8::198.18.0.31 embedded.lab.test\n"
			   "::ffff:198.18.0.31 mapped.lab.test\n"
			   "2001:db8:0:0:1:: last.lab.test\n";
	struct sni_map m;
	const struct sni_entry *e;
	char err[PORTUS_ERRLEN];

	(void)state;
	sni_map_init(&m);
	assert_int_equal(sni_map_add_text(&m, text, strlen(text), "t", err, sizeof(err)), 0);
	assert_int_equal(m.n, 7);
	assert_int_equal(sni_map_find(&m, ip6("2001:db8::1"), &e), 2);
	assert_string_equal(e[0].name, "www.lab.test");
	assert_string_equal(e[1].name, "api.lab.test");
	assert_true(addr_eq(e[0].ip, ip6("2001:db8::1")));
	assert_int_equal(sni_map_find(&m, ip6("::1"), &e), 1);
	assert_string_equal(e[0].name, "localhost.test");
	assert_int_equal(sni_map_find(&m, ip6("2001:db8::c612:1f"), &e), 1);
	assert_string_equal(e[0].name, "embedded.lab.test");
	assert_int_equal(sni_map_find(&m, ip6("2001:db8:0:0:1::"), &e), 1);
	assert_string_equal(e[0].name, "last.lab.test");
	/* the IPv4 address, whichever way it was written */
	assert_int_equal(sni_map_find(&m, IP(198, 18, 0, 31), &e), 2);
	assert_string_equal(e[0].name, "v4.lab.test");
	assert_string_equal(e[1].name, "mapped.lab.test");
	/* neighbours and the ::a.b.c.d form are other addresses */
	assert_int_equal(sni_map_find(&m, ip6("2001:db8::2"), &e), 0);
	assert_int_equal(sni_map_find(&m, ip6("2001:db8::"), &e), 0);
	assert_int_equal(sni_map_find(&m, ip6("::c612:1f"), &e), 0);
	assert_int_equal(sni_map_find(&m, ip6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), &e), 0);
	assert_int_equal(sni_map_find(&m, IP(0, 0, 0, 1), &e), 0); /* not ::1 */
	/* sorted: every IPv4 entry (::ffff:0:0/96) before 2001:db8::/32, ::1 first */
	for (size_t i = 1; i < m.n; i++)
		assert_true(addr_order(m.v[i - 1].ip, m.v[i].ip) <= 0);
	assert_true(addr_eq(m.v[0].ip, ip6("::1")));
	sni_map_free(&m);
}

static void test_sni_rejects_bad_ipv6_lines(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "2001:db8::zz a.test\n", "t:1: 2001:db8::zz: not an IPv6 address" },
		{ "# c\n\n2001:db8:::1 a.test\n", "t:3: 2001:db8:::1: not an IPv6 address" },
		{ "1:2:3:4:5:6:7:8:9 a.test\n", "t:1: 1:2:3:4:5:6:7:8:9: not an IPv6 address" },
		{ "2001:db8::1:: a.test\n", "t:1: 2001:db8::1::: not an IPv6 address" },
		{ "12345::1 a.test\n", "t:1: 12345::1: not an IPv6 address" },
		{ "[2001:db8::1] a.test\n", "t:1: [2001:db8::1]: not an IPv6 address" },
		{ "::ffff:198.18.0.300 a.test\n", "t:1: ::ffff:198.18.0.300: " },
		{ "fe80::1%eth0 a.test\n", "t:1: fe80::1%eth0: IPv6 zone ids" },
		{ "2001:db8::/64 a.test\n",
		  "t:1: 2001:db8::/64: expected one IPv4 or IPv6 address, not a network or range" },
		{ "2001:db8::1-2001:db8::9 a.test\n", "not a network or range" },
		{ "2001:db8::1\n", "t:1: expected \"ADDRESS NAME\"" },
		/* an IP literal is no server name (RFC 6066 3) */
		{ "2001:db8::1 2001:db8::2\n", "t:1: 2001:db8::2: not a DNS name" },
		{ "2001:db8::1 [2001:db8::2]\n", "not a DNS name" },
	};
	char err[PORTUS_ERRLEN];
	struct sni_map m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sni_map_init(&m);
		assert_int_equal(
			sni_map_add_text(&m, "2001:db8::9 ok.test\n", 20, "t", err, sizeof(err)),
			0);
		err[0] = '\0';
		assert_int_equal(sni_map_add_text(&m, bad[i].text, strlen(bad[i].text), "t", err,
						  sizeof(err)),
				 -1);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, bad[i].want);
		assert_null(strchr(err, '\n'));
		assert_int_equal(m.n, 1); /* unchanged on error */
		sni_map_free(&m);
	}
}

/* The longest IPv6 text form (45 bytes) is one address, not a format error. */
static void test_sni_longest_ipv6_text(void **state)
{
	const char *text = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 long.test\n"
			   "0000:0000:0000:0000:0000:0000:0000:0001 one.test\n";
	struct sni_map m;
	const struct sni_entry *e;
	char err[PORTUS_ERRLEN];

	(void)state;
	sni_map_init(&m);
	assert_int_equal(sni_map_add_text(&m, text, strlen(text), "t", err, sizeof(err)), 0);
	assert_int_equal(sni_map_find(&m, ip6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), &e), 1);
	assert_string_equal(e[0].name, "long.test");
	assert_int_equal(sni_map_find(&m, ip6("::1"), &e), 1);
	assert_string_equal(e[0].name, "one.test");
	sni_map_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sni_parses_pairs_comments_and_keeps_file_order),
		cmocka_unit_test(test_sni_rejects_bad_lines_with_file_and_line),
		cmocka_unit_test(test_sni_rejects_overlong_name),
		cmocka_unit_test(test_sni_file_errors),
		cmocka_unit_test(test_sni_ipv6_addresses),
		cmocka_unit_test(test_sni_rejects_bad_ipv6_lines),
		cmocka_unit_test(test_sni_longest_ipv6_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
