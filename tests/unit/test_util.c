/* test_util.c — shared helpers: bounded decimal parsing, one-line errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "portus.h"

static void test_parse_decimal_table(void **state)
{
	static const struct {
		const char *s;
		uint64_t max;
		int ret;
		uint64_t want;
	} cases[] = {
		{ "0", 0, 0, 0 },
		{ "1", 0, -2, 0 },
		{ "32", 32, 0, 32 },
		{ "33", 32, -2, 0 },
		{ "0032", 32, 0, 32 },
		{ "65535", 65535, 0, 65535 },
		{ "65536", 65535, -2, 0 },
		{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX },
		{ "18446744073709551616", UINT64_MAX, -2, 0 },
		{ "99999999999999999999999999999999", UINT64_MAX, -2, 0 },
		{ "99999999999999999999x", UINT64_MAX, -1, 0 }, /* junk after an overflow */
		{ "", 10, -1, 0 },
		{ "-1", 10, -1, 0 },
		{ "+1", 10, -1, 0 },
		{ " 1", 10, -1, 0 },
		{ "1 ", 10, -1, 0 },
		{ "1e3", 10000, -1, 0 },
		{ "0x10", 100, -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int r = portus_parse_decimal(cases[i].s, strlen(cases[i].s), cases[i].max, &v);
		if (r != cases[i].ret)
			fail_msg("\"%s\" max %llu: returned %d, want %d", cases[i].s,
				 (unsigned long long)cases[i].max, r, cases[i].ret);
		assert_int_equal(v, r == 0 ? cases[i].want : 12345); /* untouched on error */
	}
	/* Length bounds the parse: "12" of "123". */
	{
		uint64_t v;
		assert_int_equal(portus_parse_decimal("123", 2, 100, &v), 0);
		assert_int_equal(v, 12);
	}
}

static void test_err_is_always_one_line(void **state)
{
	char err[PORTUS_ERRLEN];

	(void)state;
	portus_err(err, sizeof(err), "%s: bad", "a\nb\rc\x1b[31md\x7f");
	assert_string_equal(err, "a?b?c?[31md?: bad");
	portus_err(err, 4, "%s", "abcdef");
	assert_string_equal(err, "abc");
}

static void test_show_caps_and_masks(void **state)
{
	char buf[PORTUS_SHOW_MAX + 4], in[200];

	(void)state;
	assert_string_equal(portus_show(buf, "ab\0c\n", 5), "ab?c?");
	memset(in, 'x', sizeof(in));
	portus_show(buf, in, sizeof(in));
	assert_int_equal(strlen(buf), PORTUS_SHOW_MAX + 3);
	assert_string_equal(buf + PORTUS_SHOW_MAX, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_decimal_table),
		cmocka_unit_test(test_err_is_always_one_line),
		cmocka_unit_test(test_show_caps_and_masks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
