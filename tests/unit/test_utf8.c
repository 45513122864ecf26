/*
 * test_utf8.c — the UTF-8 module (src/utf8.c) against a decoder written here
 * by bit arithmetic from RFC 3629 (independent of utf8.c's Table 3-7 ranges):
 * every 1-3 byte input and the 4-byte inputs around every boundary, maximal
 * subparts, validation, cutting, and encoding of every scalar value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

/* ---- the reference decoder ---- */

/* Length a lead byte announces (1-4), or 0 for a byte no sequence starts with
 * in RFC 3629 (continuation bytes, 0xC0/0xC1 give only overlongs, 0xF5-0xFF
 * only values above U+10FFFF). */
static size_t ref_need(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c < 0xe0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Length of the valid sequence at s[0..n), *cp its value; 0 when invalid. */
static size_t ref_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t need = n > 0 ? ref_need(s[0]) : 0;
	uint32_t v;

	if (need == 0 || need > n)
		return 0;
	v = need == 1 ? s[0] : s[0] & (0x7fu >> need);
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (v < min[need] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return need;
}

/* s[0..k) begins some valid sequence: the lead is one, and (k >= 2) completing
 * it with 0x80 bytes gives a valid sequence (only the second byte's range
 * depends on the lead). */
static int ref_is_prefix(const unsigned char *s, size_t k)
{
	unsigned char t[4];
	size_t need = ref_need(s[0]);
	uint32_t cp;

	if (need == 0 || k > need)
		return 0;
	if (k == 1)
		return 1;
	memcpy(t, s, k);
	memset(t + k, 0x80, need - k);
	return ref_decode(t, need, &cp) == need;
}

/* Checks utf8_decode on s[0..n) against the reference. */
static void check_one(const unsigned char *s, size_t n)
{
	uint32_t cp = 0xdeadbeef, want_cp = 0;
	size_t bad = 99, want = ref_decode(s, n, &want_cp);
	size_t got = utf8_decode(s, n, &cp, &bad);

	if (got != want)
		fail_msg("%02x %02x %02x %02x (n %zu): length %zu, want %zu", s[0],
			 n > 1 ? s[1] : 0, n > 2 ? s[2] : 0, n > 3 ? s[3] : 0, n, got, want);
	if (got > 0) {
		assert_int_equal(cp, want_cp);
		return;
	}
	/* The maximal subpart: the longest prefix that could still have become a
	 * valid sequence, at least one byte. */
	size_t want_bad = 1;

	for (size_t k = 2; k <= n && k <= 4; k++)
		if (ref_is_prefix(s, k))
			want_bad = k;
	if (bad != want_bad)
		fail_msg("%02x %02x %02x %02x (n %zu): maximal subpart %zu, want %zu", s[0],
			 n > 1 ? s[1] : 0, n > 2 ? s[2] : 0, n > 3 ? s[3] : 0, n, bad, want_bad);
}

/* ---- decoding ---- */

static void test_utf8_every_short_input(void **state)
{
	unsigned char s[3];

	(void)state;
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		check_one(s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			check_one(s, 2);
			for (unsigned c = 0; c < 256; c++) {
				s[2] = (unsigned char)c;
				check_one(s, 3);
			}
		}
	}
}

/* Every lead from 0xF0, each later byte from just below to just above the
 * continuation range (0x7F-0xC0): every boundary of the 4-byte forms. */
static void test_utf8_four_byte_boundaries(void **state)
{
	unsigned char s[4];

	(void)state;
	for (unsigned a = 0xf0; a < 256; a++) {
		s[0] = (unsigned char)a;
		for (unsigned b = 0x7f; b <= 0xc0; b++) {
			s[1] = (unsigned char)b;
			for (unsigned c = 0x7f; c <= 0xc0; c++) {
				s[2] = (unsigned char)c;
				for (unsigned d = 0x7f; d <= 0xc0; d++) {
					s[3] = (unsigned char)d;
					check_one(s, 4);
				}
			}
		}
	}
}

static void test_utf8_known_sequences(void **state)
{
	uint32_t cp = 0;
	size_t bad = 0;

	(void)state;
	assert_int_equal(utf8_decode("\xc3\xa9", 2, &cp, NULL), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode("\xef\xbf\xbd", 3, &cp, NULL), 3);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp, NULL), 4);
	assert_int_equal(cp, 0x10ffff);
	/* overlong '/', surrogate U+D800, U+110000 */
	assert_int_equal(utf8_decode("\xc0\xaf", 2, &cp, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(utf8_decode("\xf4\x90\x80\x80", 4, &cp, &bad), 0);
	assert_int_equal(bad, 1);
	/* a valid start cut short: the whole start is one subpart */
	assert_int_equal(utf8_decode("\xf0\x9f\x98", 3, &cp, &bad), 0);
	assert_int_equal(bad, 3);
	assert_int_equal(utf8_decode("\xe2\x82"
				     "A",
				     3, &cp, &bad),
			 0);
	assert_int_equal(bad, 2);
	/* nothing to read; NULL out-pointers are allowed */
	assert_int_equal(utf8_decode("", 0, &cp, &bad), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(utf8_decode("\x80", 1, NULL, NULL), 0);
}

/* ---- validation ---- */

static void test_utf8_valid_matches_reference(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned char s[64];

	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
	assert_false(utf8_valid("caf\xc3", 4));
	assert_false(utf8_valid("a\0\xff", 3));
	assert_true(utf8_valid("a\0b", 3)); /* NUL is a character */
	for (int iter = 0; iter < 200000; iter++) {
		size_t n, i = 0, k;
		uint32_t cp;
		int want = 1;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = (size_t)(x % sizeof(s));
		for (size_t j = 0; j < n; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly bytes that make UTF-8 interesting */
			s[j] = (unsigned char)(x & 1 ? 0x80 + (x >> 8) % 0x78 : x >> 16);
		}
		while (i < n) {
			if ((k = ref_decode(s + i, n - i, &cp)) == 0) {
				want = 0;
				break;
			}
			i += k;
		}
		assert_int_equal(utf8_valid(s, n), want);
	}
}

/* ---- cutting ---- */

static void test_utf8_cut_known_cases(void **state)
{
	(void)state;
	assert_int_equal(utf8_cut("abc", 3, 5), 3);            /* fits */
	assert_int_equal(utf8_cut("abcdef", 6, 4), 4);         /* ASCII: at cap */
	assert_int_equal(utf8_cut("abc\xc3\xa9", 5, 4), 3);    /* before the lead byte */
	assert_int_equal(utf8_cut("ab\xe2\x82\xac", 5, 4), 2); /* 3-byte char, 2 kept */
	assert_int_equal(utf8_cut("a\xf0\x9f\x98\x80", 5, 4), 1);
	assert_int_equal(utf8_cut("abc\xc3\xa9z", 6, 5), 5); /* the char ends at cap */
	/* invalid bytes are cut at cap: no lead byte within 3 */
	assert_int_equal(utf8_cut("a\x80\x80\x80\x80\x80", 6, 5), 5);
	assert_int_equal(utf8_cut("ab\x80\x80", 4, 3), 3);
	assert_int_equal(utf8_cut("\xc3\xa9", 2, 0), 0);
	assert_int_equal(utf8_cut("\xa9\xa9", 2, 1), 1);
}

/* A cut of valid UTF-8 stays valid, loses at most 3 bytes to the cap, and is
 * at cap exactly when no character straddles it. */
static void test_utf8_cut_keeps_valid_text_valid(void **state)
{
	static const char *chars[] = { "a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
	uint64_t x = 0x2545f4914f6cdd1dull;
	unsigned char s[200];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 0, cap, cut;

		while (n < sizeof(s) - 4) {
			const char *c;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (x % 50 == 0)
				break;
			c = chars[x % 4];
			memcpy(s + n, c, strlen(c));
			n += strlen(c);
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		cap = (size_t)(x % (n + 2));
		cut = utf8_cut(s, n, cap);
		if (n <= cap) {
			assert_int_equal(cut, n);
			continue;
		}
		assert_true(cut <= cap && cap - cut <= 3);
		assert_true(utf8_valid(s, cut));
		assert_int_equal(cut == cap, (s[cap] & 0xc0) != 0x80);
	}
}

/* ---- encoding ---- */

static void test_utf8_encode_every_scalar_value(void **state)
{
	unsigned char out[4];
	uint32_t cp;

	(void)state;
	for (uint32_t v = 0; v <= 0x10ffff; v++) {
		size_t n = utf8_encode(v, out);

		if (v >= 0xd800 && v <= 0xdfff) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4);
		if (ref_decode(out, n, &cp) != n || cp != v)
			fail_msg("U+%04X encoded wrong", (unsigned)v);
	}
	assert_int_equal(utf8_encode(0x110000, out), 0);
	assert_int_equal(utf8_encode(UINT32_MAX, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_every_short_input),
		cmocka_unit_test(test_utf8_four_byte_boundaries),
		cmocka_unit_test(test_utf8_known_sequences),
		cmocka_unit_test(test_utf8_valid_matches_reference),
		cmocka_unit_test(test_utf8_cut_known_cases),
		cmocka_unit_test(test_utf8_cut_keeps_valid_text_valid),
		cmocka_unit_test(test_utf8_encode_every_scalar_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
