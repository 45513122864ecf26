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

#include "portus.h"
#include "sni.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

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
		{ "198.18.0.0/24 a.test\n", "t:1: 198.18.0.0/24: expected one IPv4 address" },
		{ "198.18.0.1-198.18.0.2 a.test\n", "expected one IPv4 address" },
		{ "1.2.3 a.test\n", "t:1: 1.2.3: expected one IPv4 address" },
		{ "198.18.0.1 a/b.test\n", "t:1: a/b.test: not a DNS name" },
		{ "198.18.0.1 a\x01.test\n", "a?.test: not a DNS name" },
		{ "198.18.0.1 \"q\"\n", "not a DNS name" },
	};
	char err[PORTUS_ERRLEN];
	struct sni_map m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sni_map_init(&m);
		assert_int_equal(sni_map_add_text(&m, "198.18.0.9 ok.test\n", 19, "t", err, sizeof(err)), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sni_parses_pairs_comments_and_keeps_file_order),
		cmocka_unit_test(test_sni_rejects_bad_lines_with_file_and_line),
		cmocka_unit_test(test_sni_rejects_overlong_name),
		cmocka_unit_test(test_sni_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
