/* test_json.c — JSON string escaping, UTF-8 repair, timestamps, strbuf, and the
 * record emitter (jsonw.h): nesting, escaping, tracked fields, the budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "json.h"
#include "jsonw.h"
#include "strbuf.h"
#include "utf8.h"

#include "json_validator.h"

#define FFFD "\xef\xbf\xbd"

/* Escapes in[0..inlen) into a fresh buffer; checks output and return value. */
static void check_escape(const char *in, size_t inlen, const char *want, int want_ret)
{
	struct strbuf b;
	int ret;

	sb_init(&b);
	ret = json_append_string(&b, in, inlen);
	assert_false(b.oom);
	assert_non_null(b.p);
	if (strcmp(b.p, want) != 0 || b.len != strlen(want))
		fail_msg("input of %zu bytes: got [%s] want [%s]", inlen, b.p, want);
	assert_int_equal(ret, want_ret);
	sb_free(&b);
}

#define ESC(lit, want, ret) check_escape(lit, sizeof(lit) - 1, want, ret)

static void test_json_plain_ascii_is_copied(void **state)
{
	(void)state;
	ESC("", "\"\"", 0);
	ESC("hello, world", "\"hello, world\"", 0);
	ESC(" !#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~",
	    "\" !#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~\"", 0);
	ESC("/", "\"/\"", 0); /* solidus needs no escape */
}

static void test_json_escapes_quote_and_backslash(void **state)
{
	(void)state;
	ESC("\"", "\"\\\"\"", 0);
	ESC("\\", "\"\\\\\"", 0);
	ESC("a\"b\\c", "\"a\\\"b\\\\c\"", 0);
	ESC("\\u0041", "\"\\\\u0041\"", 0);
}

static void test_json_escapes_every_control_and_del(void **state)
{
	static const char *const want[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006",
		"\\u0007", "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",
		"\\u000e", "\\u000f", "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014",
		"\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001a", "\\u001b",
		"\\u001c", "\\u001d", "\\u001e", "\\u001f",
	};
	char in[3], exp[32];
	int c;

	(void)state;
	for (c = 0; c < 32; c++) {
		in[0] = 'x';
		in[1] = (char)c;
		in[2] = 'y';
		snprintf(exp, sizeof(exp), "\"x%sy\"", want[c]);
		check_escape(in, 3, exp, 0);
	}
	ESC("\x7f", "\"\\u007f\"", 0);
	ESC("a\x7f"
	    "b",
	    "\"a\\u007fb\"", 0);
}

static void test_json_embedded_nul_is_escaped(void **state)
{
	(void)state;
	ESC("a\0b", "\"a\\u0000b\"", 0);
	ESC("\0\0", "\"\\u0000\\u0000\"", 0);
}

static void test_json_keeps_valid_utf8(void **state)
{
	(void)state;
	ESC("\xc3\xa9", "\"\xc3\xa9\"", 0);                 /* U+00E9 */
	ESC("\xe2\x82\xac", "\"\xe2\x82\xac\"", 0);         /* U+20AC */
	ESC("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"", 0); /* U+1F600 */
	ESC("\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\"", 0);
	/* Boundaries of each length and around the surrogate block. */
	ESC("\xc2\x80", "\"\xc2\x80\"", 0);                 /* U+0080 */
	ESC("\xdf\xbf", "\"\xdf\xbf\"", 0);                 /* U+07FF */
	ESC("\xe0\xa0\x80", "\"\xe0\xa0\x80\"", 0);         /* U+0800 */
	ESC("\xed\x9f\xbf", "\"\xed\x9f\xbf\"", 0);         /* U+D7FF */
	ESC("\xee\x80\x80", "\"\xee\x80\x80\"", 0);         /* U+E000 */
	ESC("\xef\xbf\xbf", "\"\xef\xbf\xbf\"", 0);         /* U+FFFF */
	ESC("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"", 0); /* U+10000 */
	ESC("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", 0); /* U+10FFFF */
	ESC("\xef\xbf\xbd", "\"" FFFD "\"", 0);             /* U+FFFD itself is valid */
	ESC("\xe2\x80\xa8", "\"\xe2\x80\xa8\"", 0);         /* U+2028 is legal JSON */
}

static void test_json_replaces_overlongs(void **state)
{
	(void)state;
	ESC("\xc0\x80", "\"" FFFD FFFD "\"", 1);
	ESC("\xc1\xbf", "\"" FFFD FFFD "\"", 1);
	ESC("\xe0\x80\x80", "\"" FFFD FFFD FFFD "\"", 1);
	ESC("\xe0\x9f\xbf", "\"" FFFD FFFD FFFD "\"", 1);
	ESC("\xf0\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"", 1);
	ESC("\xf0\x8f\xbf\xbf", "\"" FFFD FFFD FFFD FFFD "\"", 1);
}

static void test_json_replaces_surrogates(void **state)
{
	(void)state;
	ESC("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"", 1); /* U+D800 */
	ESC("\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"", 1); /* U+DFFF */
	/* A CESU-8 pair is two surrogates, not a code point. */
	ESC("\xed\xa0\xbd\xed\xb8\x80", "\"" FFFD FFFD FFFD FFFD FFFD FFFD "\"", 1);
}

static void test_json_replaces_above_10ffff(void **state)
{
	(void)state;
	ESC("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"", 1);
	ESC("\xf5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"", 1);
	ESC("\xf8\x88\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD FFFD "\"", 1);
	ESC("\xfe\xff", "\"" FFFD FFFD "\"", 1);
}

static void test_json_truncated_sequence_is_one_replacement(void **state)
{
	(void)state;
	/* At the end of the input: the maximal subpart becomes one U+FFFD. */
	ESC("\xc3", "\"" FFFD "\"", 1);
	ESC("a\xe2\x82", "\"a" FFFD "\"", 1);
	ESC("a\xe2", "\"a" FFFD "\"", 1);
	ESC("\xf0\x9f\x98", "\"" FFFD "\"", 1);
	ESC("\xf0\x9f", "\"" FFFD "\"", 1);
	/* Cut short by another byte, which is then read on its own. */
	ESC("\xe2\x82"
	    "A",
	    "\"" FFFD "A\"", 1);
	ESC("\xf0\x9f\x98\"", "\"" FFFD "\\\"\"", 1);
	ESC("\xf0\x9f\xe2\x82\xac", "\"" FFFD "\xe2\x82\xac\"", 1);
	ESC("\xc3\xc3\xa9", "\"" FFFD "\xc3\xa9\"", 1);
	ESC("\xe2\x82\n", "\"" FFFD "\\n\"", 1);
	ESC("\xe2\x82\0", "\"" FFFD "\\u0000\"", 1);
	/* Unicode's own example (Table 3-8): 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64. */
	ESC("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64",
	    "\"a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d\"", 1);
}

static void test_json_lone_continuation_bytes(void **state)
{
	(void)state;
	ESC("\x80", "\"" FFFD "\"", 1);
	ESC("\xbf", "\"" FFFD "\"", 1);
	ESC("a\x80\xbf"
	    "b",
	    "\"a" FFFD FFFD "b\"", 1);
	ESC("\xc3\xa9\xa9", "\"\xc3\xa9" FFFD "\"", 1);
}

static void test_json_appends_to_existing_content(void **state)
{
	struct strbuf b;

	(void)state;
	sb_init(&b);
	sb_puts(&b, "{\"k\":");
	assert_int_equal(json_append_string(&b, "v\x80", 2), 1);
	sb_puts(&b, "}");
	assert_string_equal(b.p, "{\"k\":\"v" FFFD "\"}");
	sb_free(&b);
}

/* ---- randomised check: output is always a valid JSON string ---- */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Checks that s[0..n) is exactly one JSON string (RFC 8259) made of valid
 * UTF-8 with no raw control or DEL, and decodes it into out (bytes; \u00XX
 * escapes below 0x80 only, which is all the escaper emits). Returns the
 * decoded length or -1.
 */
static long json_string_decode(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 1, o = 0, k;
	int h[4], j;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return -1;
	while (i < n - 1) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f || c == '"')
			return -1;
		if (c == '\\') {
			if (i + 1 >= n - 1)
				return -1;
			c = s[i + 1];
			i += 2;
			switch (c) {
			case '"':
				out[o++] = '"';
				break;
			case '\\':
				out[o++] = '\\';
				break;
			case '/':
				out[o++] = '/';
				break;
			case 'b':
				out[o++] = '\b';
				break;
			case 'f':
				out[o++] = '\f';
				break;
			case 'n':
				out[o++] = '\n';
				break;
			case 'r':
				out[o++] = '\r';
				break;
			case 't':
				out[o++] = '\t';
				break;
			case 'u':
				if (i + 4 > n - 1)
					return -1;
				for (j = 0; j < 4; j++)
					if ((h[j] = hexval(s[i + j])) < 0)
						return -1;
				if (h[0] || h[1] || h[2] > 7)
					return -1; /* the escaper only writes \u0000-\u007f */
				out[o++] = (unsigned char)(h[2] << 4 | h[3]);
				i += 4;
				break;
			default:
				return -1;
			}
			continue;
		}
		k = utf8_decode(s + i, n - 1 - i, NULL, NULL);
		if (k == 0)
			return -1;
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	return (long)o;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void test_json_random_bytes_always_give_valid_json(void **state)
{
	/* Bytes that make UTF-8 interesting, drawn half of the time. */
	static const unsigned char pick[] = {
		0x00, 0x09, 0x1f, '"',  '\\', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
		0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
	};
	unsigned char in[64], dec[64 * 3 + 1];
	struct strbuf b;
	size_t n, i;
	long dn;
	int iter, ret, valid_inputs = 0;

	(void)state;
	sb_init(&b);
	for (iter = 0; iter < 10000; iter++) {
		n = rng() % sizeof(in);
		for (i = 0; i < n; i++) {
			uint64_t r = rng();

			in[i] = (r & 1) ? pick[(r >> 8) % sizeof(pick)] : (unsigned char)(r >> 16);
		}
		if (iter % 4 == 0) /* also plenty of inputs that are valid UTF-8 */
			for (i = 0; i < n; i++)
				in[i] &= 0x7f;
		sb_reset(&b);
		ret = json_append_string(&b, in, n);
		assert_false(b.oom);
		assert_int_equal(strlen(b.p), b.len); /* no raw NUL in the output */
		dn = json_string_decode((const unsigned char *)b.p, b.len, dec);
		if (dn < 0)
			fail_msg("iteration %d: invalid JSON string [%s]", iter, b.p);
		/* Replaced exactly when the input was not valid UTF-8... */
		assert_int_equal(ret, !utf8_valid(in, n));
		/* ...and otherwise the string decodes back to the input bytes. */
		if (ret == 0) {
			valid_inputs++;
			assert_int_equal(dn, (long)n);
			assert_memory_equal(dec, in, n);
		}
	}
	assert_true(valid_inputs > 2500);
	sb_free(&b);
}

/* ---- timestamps and addresses ---- */

static void check_time(int64_t us, const char *want)
{
	struct strbuf b;

	sb_init(&b);
	json_append_time(&b, us);
	assert_string_equal(b.p, want);
	sb_free(&b);
}

static void test_json_time_known_instants(void **state)
{
	(void)state;
	check_time(0, "\"1970-01-01T00:00:00.000000Z\"");
	check_time(1, "\"1970-01-01T00:00:00.000001Z\"");
	/* 1732352400 s = 20050 days + 9 h; day 20050 is 2024-11-23. */
	check_time(1732352400123456LL, "\"2024-11-23T09:00:00.123456Z\"");
	check_time(946684799999999LL, "\"1999-12-31T23:59:59.999999Z\"");
	check_time(946684800000000LL, "\"2000-01-01T00:00:00.000000Z\"");
}

static void test_json_time_leap_years(void **state)
{
	(void)state;
	check_time(1709210096000001LL, "\"2024-02-29T12:34:56.000001Z\"");
	check_time(951782400000000LL, "\"2000-02-29T00:00:00.000000Z\"");
	/* 2100 is not a leap year: the day after 2100-02-28 is 03-01. */
	check_time(4107542400000000LL - 1, "\"2100-02-28T23:59:59.999999Z\"");
	check_time(4107542400000000LL, "\"2100-03-01T00:00:00.000000Z\"");
}

static void test_json_time_before_epoch_and_clamped(void **state)
{
	(void)state;
	check_time(-1, "\"1969-12-31T23:59:59.999999Z\"");
	check_time(-1000000, "\"1969-12-31T23:59:59.000000Z\"");
	check_time(INT64_MAX, "\"9999-12-31T23:59:59.999999Z\"");
	check_time(INT64_MIN, "\"0000-01-01T00:00:00.000000Z\"");
}

static void test_ip_to_str(void **state)
{
	char s[16];

	(void)state;
	ip_to_str(0, s);
	assert_string_equal(s, "0.0.0.0");
	ip_to_str(0xffffffffu, s);
	assert_string_equal(s, "255.255.255.255");
	ip_to_str(0xc6120001u, s);
	assert_string_equal(s, "198.18.0.1");
	ip_to_str(0x0a000102u, s);
	assert_string_equal(s, "10.0.1.2");
}

/* ---- the emitter (jsonw.h) ---- */

static void test_jsonw_nesting_and_commas(void **state)
{
	static const uint8_t bytes[] = { 0x00, 0xab, 0xff };
	struct jsonw w;
	struct strbuf b;

	(void)state;
	sb_init(&b);
	jw_begin(&w, &b);
	jw_uint(&w, "a", 1);
	jw_arr(&w, "b");
	jw_int(&w, NULL, -2);
	jw_strz(&w, NULL, "x");
	jw_obj(&w, NULL);
	jw_null(&w, "c");
	jw_close(&w);
	jw_arr(&w, NULL);
	jw_close(&w);
	jw_close(&w);
	jw_obj(&w, "d");
	jw_close(&w);
	jw_bool(&w, "t", 1);
	jw_bool(&w, "f", 0);
	jw_fixed(&w, "r", 2.25, 1);
	jw_raw(&w, "raw", "[1,2]");
	jw_hex(&w, "h", bytes, sizeof(bytes), 1);
	jw_hex(&w, "l", bytes, sizeof(bytes), 0);
	jw_time(&w, "at", 0);
	assert_int_equal(jw_end(&w), 0);
	assert_string_equal(b.p,
			    "{\"a\":1,\"b\":[-2,\"x\",{\"c\":null},[]],\"d\":{},\"t\":true,"
			    "\"f\":false,\"r\":2.2,\"raw\":[1,2],\"h\":\"00ABFF\",\"l\":\"00abff\","
			    "\"at\":\"1970-01-01T00:00:00.000000Z\"}");
	assert_valid_record(&b);
	sb_free(&b);
}

/* jw_end closes whatever is open, innermost first; the record starts after
 * what the buffer held. */
static void test_jsonw_end_closes_what_is_open(void **state)
{
	struct jsonw w;
	struct strbuf b;

	(void)state;
	sb_init(&b);
	sb_puts(&b, "prefix ");
	jw_begin(&w, &b);
	jw_obj(&w, "x");
	jw_arr(&w, "y");
	jw_obj(&w, NULL);
	assert_int_equal(w.depth, 4);
	assert_int_equal(jw_end(&w), 0);
	assert_string_equal(b.p, "prefix {\"x\":{\"y\":[{}]}}");
	assert_int_equal(w.depth, 0);
	sb_free(&b);
}

/* jw_continue: keys added to an object someone else opened (comma first). */
static void test_jsonw_continue_an_open_object(void **state)
{
	struct jsonw w;
	struct strbuf b;

	(void)state;
	sb_init(&b);
	sb_puts(&b, "{\"type\":\"port\"");
	jw_continue(&w, &b);
	jw_arr(&w, "names");
	jw_strz(&w, NULL, "a");
	jw_close(&w);
	assert_string_equal(b.p, "{\"type\":\"port\",\"names\":[\"a\"]");
	assert_int_equal(jw_end(&w), 0);
	assert_string_equal(b.p, "{\"type\":\"port\",\"names\":[\"a\"]}");
	sb_free(&b);
}

static void test_jsonw_misuse_is_reported(void **state)
{
	struct jsonw w;
	struct strbuf b;

	(void)state;
	sb_init(&b);
	jw_init(&w, &b);
	jw_close(&w); /* nothing open */
	assert_true(w.misuse);
	assert_int_equal(jw_end(&w), -1);
	assert_int_equal(b.len, 0);

	sb_reset(&b);
	jw_begin(&w, &b);
	for (int i = 0; i < JW_MAX_DEPTH + 3; i++)
		jw_arr(&w, i == 0 ? "deep" : NULL);
	assert_true(w.misuse);
	assert_int_equal(w.depth, JW_MAX_DEPTH);
	assert_int_equal(jw_end(&w), -1);
	assert_valid_record(&b); /* still balanced: the extra opens wrote nothing */
	sb_free(&b);
}

/* Numbers at their limits, and keys and values past the sizes the emitter
 * puts together in one piece (JW_KEY_MAX, 128-byte strings, 64-byte raw). */
static void test_jsonw_limits_and_long_pieces(void **state)
{
	char key[JW_KEY_MAX + 2], val[300], want[1200];
	struct jsonw w;
	struct strbuf b;

	(void)state;
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	sb_init(&b);
	jw_begin(&w, &b);
	jw_int(&w, "min", INT64_MIN);
	jw_int(&w, "max", INT64_MAX);
	jw_uint(&w, "umax", UINT64_MAX);
	jw_int(&w, "zero", 0);
	jw_strz(&w, key, val);
	jw_raw(&w, key, val); /* not JSON, but written as given */
	jw_obj(&w, key);
	jw_close(&w);
	assert_int_equal(jw_end(&w), 0);
	snprintf(want, sizeof(want),
		 "{\"min\":-9223372036854775808,\"max\":9223372036854775807,"
		 "\"umax\":18446744073709551615,\"zero\":0,\"%s\":\"%s\",\"%s\":%s,\"%s\":{}}",
		 key, val, key, val, key);
	assert_string_equal(b.p, want);
	sb_free(&b);
}

/* Strings are escaped; tracked fields record cuts (on a UTF-8 boundary) and
 * repairs; empty strings follow the null/omit rule. */
static void test_jsonw_strings_escaped_capped_tracked(void **state)
{
	struct jsonw w;
	struct strbuf b;

	(void)state;
	sb_init(&b);
	jw_begin(&w, &b);
	w.str_cap = 4;
	assert_int_equal(jw_str(&w, "raw", "q\"\\\n\x01\x7f", 6), 0);
	assert_int_equal(jw_str(&w, "bad", "a\xff", 2), 1);
	jw_field(&w, "cut", 3, "abc\xc3\xa9z", 6); /* "é" would be split at 4 */
	jw_field(&w, "rep", 5, "\xc0\xaf", 2);     /* overlong '/' */
	jw_field(&w, "empty", 7, "", 0);           /* always a string */
	jw_text(&w, "null", 8, NULL, 0);
	w.empty = JW_EMPTY_OMIT;
	jw_text(&w, "omitted", 9, "", 0);
	jw_chars(&w, "chars", 10, "ab\0cd", 6);
	assert_int_equal(jw_end(&w), 0);
	assert_string_equal(b.p, "{\"raw\":\"q\\\"\\\\\\n\\u0001\\u007f\",\"bad\":\"a" FFFD "\","
				 "\"cut\":\"abc\",\"rep\":\"" FFFD FFFD
				 "\",\"empty\":\"\",\"null\":null,"
				 "\"chars\":\"ab\"}");
	assert_int_equal(w.cut, 1u << 3);
	assert_int_equal(w.bad, 1u << 5);
	assert_valid_record(&b);
	sb_free(&b);
}

static void test_jsonw_names_list_and_size(void **state)
{
	static const char *const names[] = { "sni", "subject", "chain" };
	struct jsonw w;
	struct strbuf b;

	(void)state;
	sb_init(&b);
	jw_begin(&w, &b);
	jw_names(&w, "none", 0, names, 3);
	jw_names(&w, "some", 0x5, names, 3);
	jw_end(&w);
	assert_string_equal(b.p, "{\"none\":[],\"some\":[\"sni\",\"chain\"]}");
	sb_reset(&b);
	jw_init(&w, &b);
	jw_names(&w, NULL, 0x7, names, 3);
	assert_true(b.len <= jw_names_size(names, 3));
	assert_int_equal(jw_names_size(names, 3), 2 + 6 + 10 + 8);
	sb_free(&b);
}

/* Under a budget, bracketed entries that would pass it are dropped whole (the
 * commas stay right, the field is marked cut), the rest is always written,
 * and the record closes within max with the reserve kept for its tail. */
static void test_jsonw_budget_drops_whole_entries(void **state)
{
	for (size_t max = 20; max <= 120; max++) {
		struct jsonw w;
		struct strbuf b;
		size_t kept = 0;

		(void)state;
		sb_init(&b);
		jw_init(&w, &b);
		jw_budget(&w, max);
		jw_reserve(&w, 9); /* ,"end":1 */
		jw_obj(&w, NULL);
		jw_arr(&w, "list");
		for (int i = 0; i < 30; i++) {
			struct jw_mark m = jw_mark(&w);

			jw_obj(&w, NULL);
			jw_uint(&w, "n", (uint64_t)i * 7);
			jw_close(&w);
			if (jw_keep(&w, &m, 2))
				kept++;
		}
		jw_close(&w);
		jw_reserve(&w, 0);
		jw_uint(&w, "end", 1);
		assert_int_equal(jw_end(&w), 0);
		assert_valid_record(&b);
		if (b.len > max)
			fail_msg("max %zu: %zu bytes: %s", max, b.len, b.p);
		assert_true(kept < 30);
		assert_int_equal(w.cut, 1u << 2);
		assert_memory_equal(b.p + b.len - 9, ",\"end\":1}", 9);
		sb_free(&b);
	}
}

/* Without a budget nothing is dropped; a dropped entry lets a smaller one
 * after it in (each is judged on its own). */
static void test_jsonw_no_budget_keeps_all_and_small_entries_fit_later(void **state)
{
	struct jsonw w;
	struct strbuf b;
	struct jw_mark m;

	(void)state;
	sb_init(&b);
	jw_begin(&w, &b);
	m = jw_mark(&w);
	jw_strz(&w, "big", "0123456789012345678901234567890123456789");
	assert_int_equal(jw_keep(&w, &m, 0), 1);
	jw_end(&w);
	assert_int_equal(w.cut, 0);
	sb_free(&b);

	sb_init(&b);
	jw_init(&w, &b);
	jw_budget(&w, 16);
	jw_arr(&w, NULL);
	m = jw_mark(&w);
	jw_strz(&w, NULL, "0123456789012345");
	assert_int_equal(jw_keep(&w, &m, 1), 0);
	assert_string_equal(b.p, "[");
	m = jw_mark(&w);
	jw_strz(&w, NULL, "small");
	assert_int_equal(jw_keep(&w, &m, 1), 1);
	jw_end(&w);
	assert_string_equal(b.p, "[\"small\"]");
	sb_free(&b);
}

/* jw_levels: the first level that fits; if none, the last one under the budget. */
static void render_levels(struct jsonw *w, size_t level, const void *arg)
{
	const size_t *entries = arg;
	size_t n = entries[level];

	jw_reserve(w, strlen(",\"cut\":false"));
	jw_obj(w, NULL);
	jw_uint(w, "level", level);
	jw_arr(w, "v");
	for (size_t i = 0; i < n; i++) {
		struct jw_mark m = jw_mark(w);

		jw_strz(w, NULL, "abcdefgh");
		(void)jw_keep(w, &m, 0);
	}
	jw_close(w);
	jw_reserve(w, 0);
	jw_bool(w, "cut", w->cut != 0);
	jw_end(w);
}

static void test_jsonw_levels_first_that_fits_else_budget(void **state)
{
	static const size_t entries[] = { 40, 10, 3, 1 };
	static const size_t too_big[] = { 40, 20 };
	struct strbuf b;

	(void)state;
	sb_init(&b);
	sb_puts(&b, "X");
	jw_levels(&b, 80, 4, render_levels, entries);
	assert_string_equal(b.p, "X{\"level\":2,\"v\":[\"abcdefgh\",\"abcdefgh\",\"abcdefgh\"],"
				 "\"cut\":false}");
	sb_reset(&b);
	jw_levels(&b, 200, 4, render_levels, entries);
	assert_memory_equal(b.p, "{\"level\":1,", 11);
	sb_reset(&b);
	/* Neither level fits 60 bytes: level 1 again, entries dropped to fit. */
	jw_levels(&b, 60, 2, render_levels, too_big);
	assert_valid_record(&b);
	assert_true(b.len <= 60);
	assert_memory_equal(b.p, "{\"level\":1,\"v\":[\"abcdefgh\"", 26);
	assert_memory_equal(b.p + b.len - 11, "\"cut\":true}", 11);
	sb_free(&b);
}

/* ---- strbuf ---- */

static void test_strbuf_grows_and_resets(void **state)
{
	struct strbuf b;
	char big[5000];
	size_t i;

	(void)state;
	sb_init(&b);
	assert_null(b.p);
	sb_append(&b, "", 0);
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 3; i++)
		sb_printf(&b, "%s|%zu", big, i);
	assert_int_equal(b.len, 3 * (sizeof(big) - 1 + 2));
	assert_int_equal(strlen(b.p), b.len);
	assert_memory_equal(b.p + b.len - 2, "|2", 2);
	sb_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	sb_printf(&b, "%d-%s", 42, "z");
	sb_append(&b, "ab", 1);
	assert_string_equal(b.p, "42-za");
	sb_free(&b);
	assert_null(b.p);
}

static void test_strbuf_oom_is_sticky_until_reset(void **state)
{
	struct strbuf b;

	(void)state;
	sb_init(&b);
	sb_puts(&b, "abc");
	sb_append(&b, "x", SIZE_MAX - 2); /* cannot fit: sets oom, keeps content */
	assert_true(b.oom);
	assert_string_equal(b.p, "abc");
	sb_puts(&b, "def"); /* ignored */
	assert_string_equal(b.p, "abc");
	sb_reset(&b);
	assert_false(b.oom);
	sb_puts(&b, "ok");
	assert_string_equal(b.p, "ok");
	sb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_plain_ascii_is_copied),
		cmocka_unit_test(test_json_escapes_quote_and_backslash),
		cmocka_unit_test(test_json_escapes_every_control_and_del),
		cmocka_unit_test(test_json_embedded_nul_is_escaped),
		cmocka_unit_test(test_json_keeps_valid_utf8),
		cmocka_unit_test(test_json_replaces_overlongs),
		cmocka_unit_test(test_json_replaces_surrogates),
		cmocka_unit_test(test_json_replaces_above_10ffff),
		cmocka_unit_test(test_json_truncated_sequence_is_one_replacement),
		cmocka_unit_test(test_json_lone_continuation_bytes),
		cmocka_unit_test(test_json_appends_to_existing_content),
		cmocka_unit_test(test_json_random_bytes_always_give_valid_json),
		cmocka_unit_test(test_json_time_known_instants),
		cmocka_unit_test(test_json_time_leap_years),
		cmocka_unit_test(test_json_time_before_epoch_and_clamped),
		cmocka_unit_test(test_ip_to_str),
		cmocka_unit_test(test_jsonw_nesting_and_commas),
		cmocka_unit_test(test_jsonw_end_closes_what_is_open),
		cmocka_unit_test(test_jsonw_continue_an_open_object),
		cmocka_unit_test(test_jsonw_misuse_is_reported),
		cmocka_unit_test(test_jsonw_limits_and_long_pieces),
		cmocka_unit_test(test_jsonw_strings_escaped_capped_tracked),
		cmocka_unit_test(test_jsonw_names_list_and_size),
		cmocka_unit_test(test_jsonw_budget_drops_whole_entries),
		cmocka_unit_test(test_jsonw_no_budget_keeps_all_and_small_entries_fit_later),
		cmocka_unit_test(test_jsonw_levels_first_that_fits_else_budget),
		cmocka_unit_test(test_strbuf_grows_and_resets),
		cmocka_unit_test(test_strbuf_oom_is_sticky_until_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
