/*
 * test_lines.c — whole-line record output (src/output/lines.c): a sink sees
 * only complete lines, urgent records at once, the bulk in batches, a
 * discarded record never, and a failed delivery is reported from then on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/lines.h"

struct rec_sink {
	struct line_sink base;
	char got[4096];
	size_t len;
	unsigned writes, closes;
	int fail; /* next writes fail */
};

static int rec_write(struct line_sink *s, const char *p, size_t len)
{
	struct rec_sink *r = (struct rec_sink *)s;

	assert_true(len > 0);
	assert_int_equal(p[len - 1], '\n'); /* whole lines only */
	r->writes++;
	if (r->fail)
		return -1;
	assert_true(r->len + len < sizeof(r->got));
	memcpy(r->got + r->len, p, len);
	r->len += len;
	r->got[r->len] = '\0';
	return 0;
}

static int rec_close(struct line_sink *s)
{
	((struct rec_sink *)s)->closes++;
	return 0;
}

static void rec_init(struct rec_sink *r)
{
	memset(r, 0, sizeof(*r));
	r->base.write = rec_write;
	r->base.close = rec_close;
}

static void test_lines_batches_and_urgent(void **state)
{
	struct rec_sink r;
	struct line_out lo;

	(void)state;
	rec_init(&r);
	lo_init(&lo, &r.base, 16);
	sb_puts(&lo.sb, "aaaa");
	assert_int_equal(lo_end(&lo, 0), 0);
	assert_int_equal(r.writes, 0); /* 5 bytes < batch */
	sb_puts(&lo.sb, "bbbbbbbbbbbb");
	assert_int_equal(lo_end(&lo, 0), 0);
	assert_int_equal(r.writes, 1); /* 18 bytes >= batch: one write of both lines */
	assert_string_equal(r.got, "aaaa\nbbbbbbbbbbbb\n");
	sb_puts(&lo.sb, "c");
	assert_int_equal(lo_end(&lo, 1), 0);
	assert_int_equal(r.writes, 2);
	sb_puts(&lo.sb, "dropped");
	lo_discard(&lo);
	sb_puts(&lo.sb, "e");
	assert_int_equal(lo_end(&lo, 0), 0);
	assert_int_equal(lo_close(&lo), 0);
	assert_int_equal(r.closes, 1);
	assert_string_equal(r.got, "aaaa\nbbbbbbbbbbbb\nc\ne\n");
}

/* A record still being built when a flush happens is kept, not written. */
static void test_lines_flush_keeps_partial_record(void **state)
{
	struct rec_sink r;
	struct line_out lo;

	(void)state;
	rec_init(&r);
	lo_init(&lo, &r.base, 0);
	sb_puts(&lo.sb, "one");
	assert_int_equal(lo_end(&lo, 0), 0);
	sb_puts(&lo.sb, "tw");
	assert_int_equal(lo_flush(&lo), 0);
	assert_string_equal(r.got, "one\n");
	sb_puts(&lo.sb, "o");
	assert_int_equal(lo_end(&lo, 1), 0);
	assert_string_equal(r.got, "one\ntwo\n");
	assert_int_equal(lo_close(&lo), 0);
}

static void test_lines_failure_is_sticky(void **state)
{
	struct rec_sink r;
	struct line_out lo;

	(void)state;
	rec_init(&r);
	lo_init(&lo, &r.base, 0);
	r.fail = 1;
	sb_puts(&lo.sb, "x");
	assert_int_equal(lo_end(&lo, 1), -1);
	r.fail = 0;
	sb_puts(&lo.sb, "y");
	assert_int_equal(lo_end(&lo, 0), -1); /* still reported */
	assert_int_equal(lo_close(&lo), -1);
	assert_int_equal(r.closes, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_batches_and_urgent),
		cmocka_unit_test(test_lines_flush_keeps_partial_record),
		cmocka_unit_test(test_lines_failure_is_sticky),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
