/*
 * test_ipset.c — address/CIDR/range parsing, lists, text and files, and the
 * set algebra (normalize, subtract, count, contains) in src/ipset.c.
 * Expected ranges are written out by hand; subtract is also checked against
 * a brute-force bitmap on a small address space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipset.h"
#include "portus.h"

extern const char portus_default_exclude[];

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXR 8
#define V4(x) addr_from_v4(x)

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

/* ---- helpers ---------------------------------------------------------- */

/* IPv4 ranges as host-order uint32_t, converted with addr_from_v4. */
struct ranges {
	size_t n;
	struct {
		uint32_t first, last;
	} r[MAXR];
};

static void set_from(struct ip_set *s, const struct ranges *want)
{
	ipset_init(s);
	for (size_t i = 0; i < want->n; i++)
		assert_int_equal(ipset_add_range(s, V4(want->r[i].first), V4(want->r[i].last)), 0);
}

static void assert_ranges(const struct ip_set *s, const struct ranges *want)
{
	assert_int_equal(s->n, want->n);
	for (size_t i = 0; i < want->n; i++) {
		assert_addr_equal(s->r[i].first, V4(want->r[i].first));
		assert_addr_equal(s->r[i].last, V4(want->r[i].last));
	}
}

static void assert_contains_text(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", haystack, needle);
}

/* Writes len bytes to a new temporary file; the caller unlinks and frees the path. */
static char *write_tmp(const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(4096);
	int fd;

	assert_non_null(path);
	snprintf(path, 4096, "%s/portus-ipset-XXXXXX", dir != NULL ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

/* ---- ipset_parse ------------------------------------------------------ */

static void test_parse_accepts_address_cidr_and_range(void **state)
{
	static const struct {
		const char *text;
		uint32_t first, last;
	} cases[] = {
		{ "1.2.3.4", IP(1, 2, 3, 4), IP(1, 2, 3, 4) },
		{ "0.0.0.0", 0, 0 },
		{ "255.255.255.255", UINT32_MAX, UINT32_MAX },
		{ "0.0.0.0/0", 0, UINT32_MAX },
		{ "1.2.3.4/0", 0, UINT32_MAX },
		{ "1.2.3.4/32", IP(1, 2, 3, 4), IP(1, 2, 3, 4) },
		{ "1.2.3.5/31", IP(1, 2, 3, 4), IP(1, 2, 3, 5) },
		{ "10.0.0.0/8", IP(10, 0, 0, 0), IP(10, 255, 255, 255) },
		{ "255.255.255.255/32", UINT32_MAX, UINT32_MAX },
		{ "255.255.255.255/1", IP(128, 0, 0, 0), UINT32_MAX },
		{ "1.2.3.4-1.2.3.4", IP(1, 2, 3, 4), IP(1, 2, 3, 4) },
		{ "1.2.3.250-1.2.4.5", IP(1, 2, 3, 250), IP(1, 2, 4, 5) },
		{ "9.255.255.255-10.0.0.0", IP(9, 255, 255, 255), IP(10, 0, 0, 0) },
		{ "0.0.0.0-255.255.255.255", 0, UINT32_MAX },
		/* Leading zeros are decimal, as nmap reads them (not octal). */
		{ "01.2.3.4", IP(1, 2, 3, 4), IP(1, 2, 3, 4) },
		{ "010.002.003.004", IP(10, 2, 3, 4), IP(10, 2, 3, 4) },
		{ "10.0.0.0/08", IP(10, 0, 0, 0), IP(10, 255, 255, 255) },
	};
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		ip_addr first = addr_zero(), last = addr_zero();

		if (ipset_parse(cases[i].text, &first, &last, err, sizeof(err)) != 0)
			fail_msg("%s: unexpected error: %s", cases[i].text, err);
		assert_addr_equal(first, V4(cases[i].first));
		assert_addr_equal(last, V4(cases[i].last));
	}
}

static void test_cidr_ignores_host_bits(void **state)
{
	char err[PORTUS_ERRLEN];
	ip_addr first, last;

	(void)state;
	assert_int_equal(ipset_parse("198.18.0.7/24", &first, &last, err, sizeof(err)), 0);
	assert_addr_equal(first, V4(IP(198, 18, 0, 0)));
	assert_addr_equal(last, V4(IP(198, 18, 0, 255)));
	assert_int_equal(ipset_parse("1.2.3.4/24", &first, &last, err, sizeof(err)), 0);
	assert_addr_equal(first, V4(IP(1, 2, 3, 0)));
	assert_addr_equal(last, V4(IP(1, 2, 3, 255)));
}

static void test_parse_rejects_malformed_with_named_input(void **state)
{
	static const struct {
		const char *text, *want; /* want: a fragment of the error */
	} cases[] = {
		{ "", "empty address" },
		{ "198.18.0.0/33", "198.18.0.0/33: prefix length must be 0-32" },
		{ "1.2.3.4/99999999999999999999",
		  "1.2.3.4/99999999999999999999: prefix length must be 0-32" },
		{ "1.2.3.4/-1", "prefix length must be 0-32" },
		{ "1.2.3.4/24/8", "1.2.3.4/24/8: prefix length must be 0-32" },
		{ "1.2.3.4/+8", "prefix length must be 0-32" },
		{ "1.2.3.4/", "1.2.3.4/: missing prefix length" },
		{ "/33", "/33: not an IPv4 address" },
		{ "/24", "/24: not an IPv4 address" },
		{ "1.2.3", "1.2.3: not an IPv4 address" },
		{ "1.2.3.", "1.2.3.: not an IPv4 address" },
		{ "1.2.3.4.5", "1.2.3.4.5: not an IPv4 address" },
		{ "1..2.3", "1..2.3: not an IPv4 address" },
		{ ".1.2.3.4", "not an IPv4 address" },
		{ "1.2.3.4x", "1.2.3.4x: not an IPv4 address" },
		{ "0x01.2.3.4", "0x01.2.3.4: not an IPv4 address" },
		{ "+1.2.3.4", "+1.2.3.4: not an IPv4 address" },
		{ "1.2.3.256", "1.2.3.256: octet must be 0-255" },
		{ "256.0.0.0", "256.0.0.0: octet must be 0-255" },
		{ "1.2.3.99999999999999999999", "1.2.3.99999999999999999999: octet must be 0-255" },
		{ "1.2.3.0-1.2.3.9/24",
		  "1.2.3.0-1.2.3.9/24: use either ADDRESS/len or ADDRESS-ADDRESS, not both" },
		{ "1.2.3.4/24-1.2.3.9", "1.2.3.4/24-1.2.3.9: prefix length must be 0-32" },
		{ "1.2.3.4-1.2.3.3", "1.2.3.4-1.2.3.3: range start is after range end" },
		{ "10.0.0.0-9.255.255.255", "range start is after range end" },
		{ "a.b.c.d-e.f.g.h", "a.b.c.d-e.f.g.h: not an IPv4 address" },
		{ "1.2.3.4-", "1.2.3.4-: not an IPv4 address" },
		{ "-1.2.3.4", "-1.2.3.4: not an IPv4 address" },
		{ "1.2.3.4-1.2.3.5-1.2.3.6", "not an IPv4 address" },
		{ "1.2.3.4-1.2.3.256", "octet must be 0-255" },
		{ " 1.2.3.4", "\" 1.2.3.4\": whitespace is not allowed" },
		{ "1.2.3.4 ", "\"1.2.3.4 \": whitespace is not allowed" },
		{ "1.2.3.4\n", "whitespace is not allowed" },
		{ "1.2.3.4 - 1.2.3.5", "whitespace is not allowed" },
		{ "example.com", "example.com: a host name is not accepted here" },
	};
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		ip_addr first = V4(7), last = V4(9);

		err[0] = '\0';
		if (ipset_parse(cases[i].text, &first, &last, err, sizeof(err)) != -1)
			fail_msg("\"%s\": accepted, want error", cases[i].text);
		assert_contains_text(err, cases[i].want);
		/* Outputs are written on success only. */
		assert_addr_equal(first, V4(7));
		assert_addr_equal(last, V4(9));
	}
}

static void test_parse_error_truncates_long_and_binary_input(void **state)
{
	char text[1000], err[PORTUS_ERRLEN], tiny[8];
	ip_addr first, last;

	(void)state;
	memset(text, '9', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(ipset_parse(text, &first, &last, err, sizeof(err)), -1);
	assert_contains_text(err, "...: ");
	assert_true(strlen(err) < 100);

	assert_int_equal(ipset_parse("1.2.3.\x01", &first, &last, err, sizeof(err)), -1);
	assert_contains_text(err, "1.2.3.?: not an IPv4 address");

	/* A short buffer is filled and terminated, never overrun. */
	assert_int_equal(ipset_parse("1.2.3", &first, &last, tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

/* ---- ipset_add_list --------------------------------------------------- */

static void test_list_appends_each_element(void **state)
{
	static const struct ranges want = {
		3,
		{ { IP(198, 18, 0, 0), IP(198, 18, 0, 255) },
		  { IP(198, 18, 1, 5), IP(198, 18, 1, 5) },
		  { IP(10, 0, 0, 1), IP(10, 0, 0, 9) } },
	};
	char err[PORTUS_ERRLEN];
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(
		ipset_add_list(&s, "198.18.0.0/24,198.18.1.5,10.0.0.1-10.0.0.9", err, sizeof(err)),
		0);
	assert_ranges(&s, &want);
	ipset_free(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.r);
}

static void test_list_rejects_bad_element_and_leaves_set_unchanged(void **state)
{
	static const struct {
		const char *list, *want;
	} cases[] = {
		{ "", "empty address list" },
		{ "1.2.3.4,,5.6.7.8", "1.2.3.4,,5.6.7.8: empty element" },
		{ "1.2.3.4,", "1.2.3.4,: empty element" },
		{ ",1.2.3.4", ",1.2.3.4: empty element" },
		{ ",", "empty element" },
		{ "1.2.3.4,1.2.3", "1.2.3: not an IPv4 address" },
		{ "1.2.3.4,1.2.3.0/33", "1.2.3.0/33: prefix length must be 0-32" },
		{ "1.2.3.4, 5.6.7.8", "\" 5.6.7.8\": whitespace is not allowed" },
	};
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct ip_set s;

		ipset_init(&s);
		assert_int_equal(ipset_add_range(&s, V4(1), V4(2)), 0);
		if (ipset_add_list(&s, cases[i].list, err, sizeof(err)) != -1)
			fail_msg("\"%s\": accepted, want error", cases[i].list);
		assert_contains_text(err, cases[i].want);
		assert_int_equal(s.n, 1);
		assert_addr_equal(s.r[0].first, V4(1));
		assert_addr_equal(s.r[0].last, V4(2));
		ipset_free(&s);
	}
}

static void test_add_range_rejects_reversed_bounds(void **state)
{
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add_range(&s, V4(5), V4(4)), -1);
	assert_int_equal(s.n, 0);
	assert_int_equal(ipset_add_range(&s, V4(0), V4(UINT32_MAX)), 0);
	assert_int_equal(ipset_count(&s), UINT64_C(1) << 32);
	ipset_free(&s);
}

static void test_add_range_grows_past_initial_capacity(void **state)
{
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(ipset_add_range(&s, V4(i * 4), V4(i * 4 + 1)), 0);
	assert_int_equal(s.n, 1000);
	assert_true(s.cap >= 1000);
	assert_addr_equal(s.r[999].first, V4(3996));
	ipset_normalize(&s);
	assert_int_equal(s.n, 1000);
	assert_int_equal(ipset_count(&s), 2000);
	ipset_free(&s);
}

/* ---- ipset_add_text and ipset_add_file --------------------------------- */

static const char conf_text[] = "# targets\r\n"
				"\r\n"
				"198.18.0.0/24\r\n"
				"   10.0.0.1-10.0.0.3   # inline comment\r\n"
				"\t# indented comment\n"
				"\n"
				"   \t  \n"
				"1.2.3.4"; /* no final newline */

static const struct ranges conf_want = {
	3,
	{ { IP(198, 18, 0, 0), IP(198, 18, 0, 255) },
	  { IP(10, 0, 0, 1), IP(10, 0, 0, 3) },
	  { IP(1, 2, 3, 4), IP(1, 2, 3, 4) } },
};

static void test_text_skips_comments_blanks_and_crlf(void **state)
{
	char err[PORTUS_ERRLEN];
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(
		ipset_add_text(&s, conf_text, strlen(conf_text), "t.conf", err, sizeof(err)), 0);
	assert_ranges(&s, &conf_want);
	ipset_free(&s);
}

static void test_text_reports_origin_and_line(void **state)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen(text) */
		const char *want;
	} cases[] = {
		{ "1.2.3.4\n# c\n1.2.3\n", 0, "x.conf:3: 1.2.3: not an IPv4 address" },
		{ "1.2.3.4\r\n1.2.3.4/33\r\n", 0,
		  "x.conf:2: 1.2.3.4/33: prefix length must be 0-32" },
		{ "1.2.3.4 5.6.7.8\n", 0,
		  "x.conf:1: \"1.2.3.4 5.6.7.8\": whitespace is not allowed" },
		{ "\n\n\n\n1.2.3.9-1.2.3.1", 0, "x.conf:5: 1.2.3.9-1.2.3.1: range start is after" },
		/* A NUL inside the buffer is just a bad byte to ipset_add_text. */
		{ "1.2.3.4\n1.2.\0003.4\n", 17, "x.conf:2: 1.2.?3.4: not an IPv4 address" },
		/* The length bounds the text: the rest of the buffer is never read. */
		{ "1.2.3.4\n1.2.3.4/33", 8, NULL },
	};
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct ip_set s;
		size_t len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].text);

		ipset_init(&s);
		if (cases[i].want == NULL) {
			assert_int_equal(
				ipset_add_text(&s, cases[i].text, len, "x.conf", err, sizeof(err)),
				0);
			assert_int_equal(s.n, 1);
			ipset_free(&s);
			continue;
		}

		assert_int_equal(ipset_add_text(&s, cases[i].text, len, "x.conf", err, sizeof(err)),
				 -1);
		assert_contains_text(err, cases[i].want);
		assert_int_equal(s.n, 0); /* lines before the bad one are rolled back */
		ipset_free(&s);
	}
}

static void test_text_empty_or_comment_only_adds_nothing(void **state)
{
	static const char *const texts[] = { "", "\n", "# only\n#comments\r\n", "  \t\r\n" };
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(texts); i++) {
		struct ip_set s;

		ipset_init(&s);
		assert_int_equal(
			ipset_add_text(&s, texts[i], strlen(texts[i]), "e", err, sizeof(err)), 0);
		assert_int_equal(s.n, 0);
		ipset_free(&s);
	}
}

static void test_file_reads_comments_blanks_and_crlf(void **state)
{
	char err[PORTUS_ERRLEN];
	char *path = write_tmp(conf_text, strlen(conf_text));
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add_file(&s, path, err, sizeof(err)), 0);
	assert_ranges(&s, &conf_want);
	ipset_free(&s);
	unlink(path);
	free(path);
}

static void test_file_error_names_file_and_line(void **state)
{
	static const char text[] = "# x\n1.2.3.4\n1.2.3.256\n";
	char err[PORTUS_ERRLEN], want[4200];
	char *path = write_tmp(text, strlen(text));
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add_file(&s, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: 1.2.3.256: octet must be 0-255", path);
	assert_string_equal(err, want);
	assert_int_equal(s.n, 0);
	ipset_free(&s);
	unlink(path);
	free(path);
}

static void test_file_rejects_nul_bytes_as_binary(void **state)
{
	static const char text[] = "1.2.3.4\n\0\0\0\x7f"
				   "ELF\n";
	char err[PORTUS_ERRLEN];
	char *path = write_tmp(text, sizeof(text) - 1);
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add_file(&s, path, err, sizeof(err)), -1);
	assert_contains_text(err, path);
	assert_contains_text(err, "binary file");
	assert_int_equal(s.n, 0);
	ipset_free(&s);
	unlink(path);
	free(path);
}

static void test_file_missing_is_an_error_naming_it(void **state)
{
	char err[PORTUS_ERRLEN];
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add_file(&s, "/nonexistent/portus-targets.txt", err, sizeof(err)),
			 -1);
	assert_contains_text(err, "/nonexistent/portus-targets.txt: cannot open: ");
	assert_contains_text(err, "No such file");
	assert_int_equal(ipset_add_file(&s, "/", err, sizeof(err)), -1);
	assert_contains_text(err, "/: cannot read: ");
	assert_int_equal(s.n, 0);
	ipset_free(&s);
}

static void test_file_empty_adds_nothing(void **state)
{
	char err[PORTUS_ERRLEN];
	char *path = write_tmp("", 0);
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add_file(&s, path, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	ipset_free(&s);
	unlink(path);
	free(path);
}

static void test_file_over_64_mib_is_refused(void **state)
{
	char err[PORTUS_ERRLEN];
	char *path = write_tmp("", 0);
	struct ip_set s;
	FILE *f;

	(void)state;
	/* A sparse file one byte past the cap: reads as zeros, costs no disk. */
	assert_int_equal(truncate(path, 64L * 1024 * 1024 + 1), 0);
	ipset_init(&s);
	assert_int_equal(ipset_add_file(&s, path, err, sizeof(err)), -1);
	assert_contains_text(err, path);
	assert_contains_text(err, "larger than 64 MiB");

	/* Exactly at the cap is read (and then refused for its NUL bytes). */
	assert_int_equal(truncate(path, 64L * 1024 * 1024), 0);
	assert_int_equal(ipset_add_file(&s, path, err, sizeof(err)), -1);
	assert_contains_text(err, "binary file");
	ipset_free(&s);

	/* A large valid file stays under the cap and parses. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (unsigned i = 0; i < 100000; i++)
		fprintf(f, "10.%u.%u.0/24\n", i / 256 % 256, i % 256);
	assert_int_equal(fclose(f), 0);
	ipset_init(&s);
	assert_int_equal(ipset_add_file(&s, path, err, sizeof(err)), 0);
	assert_int_equal(s.n, 100000);
	ipset_normalize(&s);
	assert_int_equal(s.n, 1);
	assert_int_equal(ipset_count(&s), UINT64_C(1) << 24);
	ipset_free(&s);
	unlink(path);
	free(path);
}

/* ---- normalize -------------------------------------------------------- */

static void test_normalize_sorts_and_merges_overlapping_and_adjacent(void **state)
{
	static const struct {
		const char *name;
		struct ranges in, want;
	} cases[] = {
		{ "empty", { 0, { { 0, 0 } } }, { 0, { { 0, 0 } } } },
		{ "single", { 1, { { 5, 9 } } }, { 1, { { 5, 9 } } } },
		{ "unsorted disjoint",
		  { 3, { { 50, 60 }, { 1, 2 }, { 20, 30 } } },
		  { 3, { { 1, 2 }, { 20, 30 }, { 50, 60 } } } },
		{ "overlap", { 2, { { 10, 20 }, { 15, 25 } } }, { 1, { { 10, 25 } } } },
		{ "adjacent", { 2, { { 21, 30 }, { 10, 20 } } }, { 1, { { 10, 30 } } } },
		{ "gap of one stays",
		  { 2, { { 10, 20 }, { 22, 30 } } },
		  { 2, { { 10, 20 }, { 22, 30 } } } },
		{ "contained",
		  { 3, { { 10, 100 }, { 20, 30 }, { 40, 50 } } },
		  { 1, { { 10, 100 } } } },
		{ "duplicates", { 3, { { 7, 7 }, { 7, 7 }, { 7, 7 } } }, { 1, { { 7, 7 } } } },
		{ "chain", { 4, { { 4, 5 }, { 1, 1 }, { 2, 3 }, { 6, 6 } } }, { 1, { { 1, 6 } } } },
		{ "same start, longer kept", { 2, { { 5, 9 }, { 5, 6 } } }, { 1, { { 5, 9 } } } },
		{ "top of space",
		  { 2, { { UINT32_MAX, UINT32_MAX }, { 0xffffff00u, UINT32_MAX } } },
		  { 1, { { 0xffffff00u, UINT32_MAX } } } },
		{ "after range ending at top",
		  { 3, { { 0xfffffff0u, UINT32_MAX }, { UINT32_MAX, UINT32_MAX }, { 0, 0 } } },
		  { 2, { { 0, 0 }, { 0xfffffff0u, UINT32_MAX } } } },
		{ "whole space",
		  { 3, { { 0, UINT32_MAX }, { 5, 6 }, { UINT32_MAX, UINT32_MAX } } },
		  { 1, { { 0, UINT32_MAX } } } },
		{ "halves",
		  { 2, { { 0x80000000u, UINT32_MAX }, { 0, 0x7fffffffu } } },
		  { 1, { { 0, UINT32_MAX } } } },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct ip_set s;

		set_from(&s, &cases[i].in);
		ipset_normalize(&s);
		if (s.n != cases[i].want.n)
			fail_msg("%s: %zu ranges, want %zu", cases[i].name, s.n, cases[i].want.n);
		assert_ranges(&s, &cases[i].want);
		ipset_free(&s);
	}
}

/* ---- subtract --------------------------------------------------------- */

static void test_subtract_removes_excluded_ranges(void **state)
{
	static const struct {
		const char *name;
		struct ranges s, ex, want;
	} cases[] = {
		{ "inside splits",
		  { 1, { { 10, 20 } } },
		  { 1, { { 14, 15 } } },
		  { 2, { { 10, 13 }, { 16, 20 } } } },
		{ "at left edge",
		  { 1, { { 10, 20 } } },
		  { 1, { { 5, 10 } } },
		  { 1, { { 11, 20 } } } },
		{ "at right edge",
		  { 1, { { 10, 20 } } },
		  { 1, { { 20, 30 } } },
		  { 1, { { 10, 19 } } } },
		{ "exact", { 1, { { 10, 20 } } }, { 1, { { 10, 20 } } }, { 0, { { 0, 0 } } } },
		{ "covering everything",
		  { 2, { { 10, 20 }, { 30, 40 } } },
		  { 1, { { 0, 100 } } },
		  { 0, { { 0, 0 } } } },
		{ "exclude /0",
		  { 3, { { 0, 0 }, { 10, 20 }, { UINT32_MAX, UINT32_MAX } } },
		  { 1, { { 0, UINT32_MAX } } },
		  { 0, { { 0, 0 } } } },
		{ "disjoint",
		  { 1, { { 10, 20 } } },
		  { 2, { { 1, 9 }, { 21, 30 } } },
		  { 1, { { 10, 20 } } } },
		{ "empty exclude",
		  { 1, { { 10, 20 } } },
		  { 0, { { 0, 0 } } },
		  { 1, { { 10, 20 } } } },
		{ "empty set", { 0, { { 0, 0 } } }, { 1, { { 10, 20 } } }, { 0, { { 0, 0 } } } },
		{ "one exclude spans two ranges",
		  { 2, { { 10, 20 }, { 30, 40 } } },
		  { 1, { { 15, 35 } } },
		  { 2, { { 10, 14 }, { 36, 40 } } } },
		{ "many holes in one range",
		  { 1, { { 0, 100 } } },
		  { 3, { { 0, 0 }, { 50, 50 }, { 99, 100 } } },
		  { 2, { { 1, 49 }, { 51, 98 } } } },
		{ "exclude in gap",
		  { 2, { { 10, 20 }, { 30, 40 } } },
		  { 1, { { 21, 29 } } },
		  { 2, { { 10, 20 }, { 30, 40 } } } },
		{ "ends of address space",
		  { 1, { { 0, UINT32_MAX } } },
		  { 2, { { 0, 0 }, { UINT32_MAX, UINT32_MAX } } },
		  { 1, { { 1, UINT32_MAX - 1 } } } },
		{ "whole space minus middle",
		  { 1, { { 0, UINT32_MAX } } },
		  { 1, { { 0x0a000000u, 0x0affffffu } } },
		  { 2, { { 0, 0x09ffffffu }, { 0x0b000000u, UINT32_MAX } } } },
		{ "exclude covers later ranges only",
		  { 3, { { 1, 2 }, { 10, 20 }, { 30, 40 } } },
		  { 1, { { 5, UINT32_MAX } } },
		  { 1, { { 1, 2 } } } },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct ip_set s, ex;

		set_from(&s, &cases[i].s);
		set_from(&ex, &cases[i].ex);
		assert_int_equal(ipset_subtract(&s, &ex), 0);
		if (s.n != cases[i].want.n)
			fail_msg("%s: %zu ranges, want %zu", cases[i].name, s.n, cases[i].want.n);
		assert_ranges(&s, &cases[i].want);
		ipset_free(&s);
		ipset_free(&ex);
	}
}

/* The C standard's example rand(), kept below 2^31 so nothing wraps. */
static uint64_t next_rand(uint64_t seed)
{
	return (seed * 1103515245u + 12345u) % 2147483648u;
}

/* Random sets in a 64-address space, checked address by address. */
static void test_subtract_matches_brute_force(void **state)
{
	uint64_t seed = 12345;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		struct ip_set s, ex;
		uint64_t in_s = 0, in_ex = 0, want;

		ipset_init(&s);
		ipset_init(&ex);
		for (int k = 0; k < 2; k++) {
			struct ip_set *t = k == 0 ? &s : &ex;
			uint64_t *bits = k == 0 ? &in_s : &in_ex;
			int n;

			seed = next_rand(seed);
			n = (int)(seed >> 16 & 0xffff) % 6;
			for (int j = 0; j < n; j++) {
				uint32_t a, b;

				seed = next_rand(seed);
				a = (uint32_t)(seed >> 16) % 64;
				seed = next_rand(seed);
				b = a + (uint32_t)(seed >> 16) % (64 - a);
				assert_int_equal(ipset_add_range(t, V4(a), V4(b)), 0);
				for (uint32_t x = a; x <= b; x++)
					*bits |= UINT64_C(1) << x;
			}
			ipset_normalize(t);
		}
		assert_int_equal(ipset_subtract(&s, &ex), 0);
		want = in_s & ~in_ex;
		for (uint32_t x = 0; x < 64; x++)
			assert_int_equal(ipset_contains(&s, V4(x)), (int)(want >> x & 1));
		assert_int_equal(ipset_contains(&s, V4(64)), 0);
		assert_int_equal(ipset_count(&s), (uint64_t)__builtin_popcountll(want));
		/* Still normalized: sorted, disjoint, not adjacent. */
		for (size_t j = 1; j < s.n; j++)
			assert_true(s.r[j].first.v > s.r[j - 1].last.v + 1);
		ipset_free(&s);
		ipset_free(&ex);
	}
}

/* ---- count and contains ---------------------------------------------- */

static void test_count_sums_ranges_up_to_whole_space(void **state)
{
	static const struct {
		const char *list;
		uint64_t want;
	} cases[] = {
		{ "0.0.0.0/0", UINT64_C(1) << 32 },
		{ "0.0.0.0-255.255.255.255", UINT64_C(1) << 32 },
		{ "1.2.3.4", 1 },
		{ "1.2.3.4/32", 1 },
		{ "1.2.3.0/24", 256 },
		{ "10.0.0.0/8,192.168.0.0/16", (UINT64_C(1) << 24) + 65536 },
		{ "10.0.0.0/24,10.0.0.128/25,10.0.1.0/24", 512 },
		{ "0.0.0.0/1,128.0.0.0/1", UINT64_C(1) << 32 },
	};
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct ip_set s;

		ipset_init(&s);
		assert_int_equal(ipset_add_list(&s, cases[i].list, err, sizeof(err)), 0);
		ipset_normalize(&s);
		assert_int_equal(ipset_count(&s), cases[i].want);
		ipset_free(&s);
	}
	{
		struct ip_set empty;

		ipset_init(&empty);
		assert_int_equal(ipset_count(&empty), 0);
	}
}

static void test_contains_checks_range_boundaries(void **state)
{
	static const struct {
		uint32_t ip;
		int want;
	} cases[] = {
		{ 0, 1 },
		{ 1, 0 },
		{ IP(10, 0, 0, 0) - 1, 0 },
		{ IP(10, 0, 0, 0), 1 },
		{ IP(10, 128, 0, 0), 1 },
		{ IP(10, 255, 255, 255), 1 },
		{ IP(11, 0, 0, 0), 0 },
		{ IP(192, 168, 1, 1), 0 },
		{ IP(192, 168, 1, 2), 1 },
		{ IP(192, 168, 1, 3), 0 },
		{ IP(255, 255, 255, 254), 0 },
		{ UINT32_MAX, 1 },
	};
	char err[PORTUS_ERRLEN];
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_contains(&s, V4(0)), 0);
	assert_int_equal(ipset_contains(&s, V4(UINT32_MAX)), 0);
	assert_int_equal(ipset_add_list(&s, "255.255.255.255,192.168.1.2,10.0.0.0/8,0.0.0.0", err,
					sizeof(err)),
			 0);
	ipset_normalize(&s);
	for (size_t i = 0; i < NELEM(cases); i++) {
		if (ipset_contains(&s, V4(cases[i].ip)) != cases[i].want)
			fail_msg("contains(%08x) != %d", cases[i].ip, cases[i].want);
	}
	ipset_free(&s);
}

/* ---- IPv6 ------------------------------------------------------------- */

/* Parses one IPv6 (or IPv4) address literal; fails the test on error. */
static ip_addr A(const char *text)
{
	const char *why = NULL;
	ip_addr a;

	if (addr_parse(text, strlen(text), &a, &why) != 0)
		fail_msg("%s: %s", text, why);
	return a;
}

static void assert_parse(const char *text, const char *first, const char *last)
{
	char err[PORTUS_ERRLEN];
	ip_addr f, l;

	if (ipset_parse(text, &f, &l, err, sizeof(err)) != 0)
		fail_msg("%s: unexpected error: %s", text, err);
	assert_addr_equal(f, A(first));
	assert_addr_equal(l, A(last));
}

static void test_parse_ipv6_address_prefix_and_range(void **state)
{
	(void)state;
	assert_parse("2001:db8::1", "2001:db8::1", "2001:db8::1");
	assert_parse("2001:db8:1::/112", "2001:db8:1::", "2001:db8:1::ffff");
	/* Host bits set in the prefix: the whole prefix, as for IPv4. */
	assert_parse("2001:db8:1::1234/112", "2001:db8:1::", "2001:db8:1::ffff");
	assert_parse("2001:db8::5/128", "2001:db8::5", "2001:db8::5");
	assert_parse("2001:db8::/96", "2001:db8::", "2001:db8::ffff:ffff");
	assert_parse("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_parse("2001:db8::1-2001:db8::ff", "2001:db8::1", "2001:db8::ff");
	/* ::ffff:a.b.c.d is IPv4: /len counts the IPv4 bits. */
	assert_parse("::ffff:1.2.3.4", "1.2.3.4", "1.2.3.4");
}

static void test_parse_ipv6_rejects(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "2001:db8::/129", "2001:db8::/129: prefix length must be 0-128" },
		{ "1.2.3.4-2001:db8::1", "cannot mix IPv4 and IPv6" },
		{ "2001:db8::1-1.2.3.4", "cannot mix IPv4 and IPv6" },
		{ "2001:db8::2-2001:db8::1", "range start is after range end" },
		{ "2001:db8::g", "not an IPv6 address" },
		{ "fe80::1%eth0", "zone ids" },
		{ "2001:db8::/", "missing prefix length" },
	};
	char err[PORTUS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		ip_addr first = V4(7), last = V4(9);

		err[0] = '\0';
		if (ipset_parse(cases[i].text, &first, &last, err, sizeof(err)) != -1)
			fail_msg("\"%s\": accepted, want error", cases[i].text);
		assert_contains_text(err, cases[i].want);
		assert_addr_equal(first, V4(7));
		assert_addr_equal(last, V4(9));
	}
}

static void test_v6_spec_max_limits_targets_not_excludes(void **state)
{
	char err[PORTUS_ERRLEN];
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(s.v6_spec_max, 0);
	s.v6_spec_max = IPSET_V6_SPEC_MAX;
	assert_int_equal(ipset_add_list(&s, "2001:db8::/96", err, sizeof(err)), 0);
	assert_int_equal(ipset_add_list(&s, "2001:db9::-2001:db9::ffff:ffff", err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	err[0] = '\0';
	assert_int_equal(ipset_add_list(&s, "2001:db8::/95", err, sizeof(err)), -1);
	assert_contains_text(err, "2001:db8::/95");
	assert_contains_text(err, "-iL");
	assert_contains_text(err, "longer prefix");
	assert_int_equal(ipset_add_list(&s, "2001:dba::-2001:dba::1:0:0", err, sizeof(err)), -1);
	assert_int_equal(
		ipset_add_text(&s, "2001:db8::1\n2001:db8::/64\n", 26, "t", err, sizeof(err)), -1);
	assert_contains_text(err, "t:2: ");
	assert_int_equal(s.n, 2);
	/* IPv4 is not limited by it. */
	assert_int_equal(ipset_add_list(&s, "0.0.0.0/0", err, sizeof(err)), 0);
	ipset_free(&s);
	assert_int_equal(s.v6_spec_max, IPSET_V6_SPEC_MAX); /* survives ipset_free */

	/* Excludes keep 0: no limit. */
	ipset_init(&s);
	assert_int_equal(ipset_add_list(&s, "::/0,2001:db8::/32", err, sizeof(err)), 0);
	ipset_normalize(&s);
	assert_int_equal(s.n, 1);
	assert_int_equal(ipset_count(&s), UINT64_MAX);
	ipset_free(&s);
}

static void test_normalize_merges_ipv6_and_keeps_families_apart(void **state)
{
	char err[PORTUS_ERRLEN];
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add_list(&s,
					"2001:db8::100-2001:db8::1ff,10.0.0.0/8,2001:db8::/120,"
					"255.255.255.255,::ffff:1:0:0,2001:db8::300",
					err, sizeof(err)),
			 0);
	ipset_normalize(&s);
	assert_int_equal(s.n, 5);
	assert_addr_equal(s.r[0].first, V4(IP(10, 0, 0, 0)));
	assert_addr_equal(s.r[0].last, V4(IP(10, 255, 255, 255)));
	assert_addr_equal(s.r[1].first, V4(UINT32_MAX));
	assert_addr_equal(s.r[1].last, V4(UINT32_MAX));
	/* ::ffff:1:0:0 is the address right after 255.255.255.255 as a number,
	 * but IPv6: it is not merged into the IPv4 block. */
	assert_addr_equal(s.r[2].first, A("::ffff:1:0:0"));
	assert_false(addr_is_v4(s.r[2].first));
	assert_addr_equal(s.r[3].first, A("2001:db8::"));
	assert_addr_equal(s.r[3].last, A("2001:db8::1ff"));
	assert_addr_equal(s.r[4].first, A("2001:db8::300"));
	assert_int_equal(ipset_count(&s), (UINT64_C(1) << 24) + 1 + 1 + 512 + 1);
	ipset_free(&s);
}

static void test_subtract_and_contains_with_ipv6(void **state)
{
	char err[PORTUS_ERRLEN];
	struct ip_set s, ex;

	(void)state;
	ipset_init(&s);
	ipset_init(&ex);
	assert_int_equal(ipset_add_list(&s, "2001:db8::/112,198.18.0.0/24", err, sizeof(err)), 0);
	assert_int_equal(ipset_add_list(&ex, "2001:db8::10-2001:db8::1f,2001:db8::ff00/120", err,
					sizeof(err)),
			 0);
	ipset_normalize(&s);
	ipset_normalize(&ex);
	assert_int_equal(ipset_subtract(&s, &ex), 0);
	assert_int_equal(s.n, 3);
	assert_addr_equal(s.r[1].first, A("2001:db8::"));
	assert_addr_equal(s.r[1].last, A("2001:db8::f"));
	assert_addr_equal(s.r[2].first, A("2001:db8::20"));
	assert_addr_equal(s.r[2].last, A("2001:db8::feff"));
	assert_int_equal(ipset_count(&s), 256 + 65536 - 16 - 256);
	assert_true(ipset_contains(&s, A("2001:db8::f")));
	assert_false(ipset_contains(&s, A("2001:db8::10")));
	assert_false(ipset_contains(&s, A("2001:db8::1f")));
	assert_true(ipset_contains(&s, A("2001:db8::20")));
	assert_true(ipset_contains(&s, A("2001:db8::feff")));
	assert_false(ipset_contains(&s, A("2001:db8::ff00")));
	assert_false(ipset_contains(&s, A("2001:db8::1:0")));
	assert_false(ipset_contains(&s, A("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")));
	assert_true(ipset_contains(&s, A("198.18.0.9")));
	/* An IPv6 exclude of everything but IPv4 leaves IPv4 alone. */
	ipset_free(&ex);
	assert_int_equal(ipset_add_list(&ex, "::ffff:1:0:0-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
					err, sizeof(err)),
			 0);
	assert_int_equal(ipset_subtract(&s, &ex), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(ipset_count(&s), 256);
	ipset_free(&s);
	ipset_free(&ex);
}

static void test_count_saturates_for_huge_ipv6_sets(void **state)
{
	char err[PORTUS_ERRLEN];
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	/* Two /64s: 2^65 addresses, more than a uint64_t counts. */
	assert_int_equal(ipset_add_list(&s, "2001:db8::/64,2001:db9::/64", err, sizeof(err)), 0);
	ipset_normalize(&s);
	assert_int_equal(ipset_count(&s), UINT64_MAX);
	ipset_free(&s);
	/* One /64 alone is exactly 2^64: saturated too. */
	assert_int_equal(ipset_add_list(&s, "2001:db8::/64", err, sizeof(err)), 0);
	assert_int_equal(ipset_count(&s), UINT64_MAX);
	ipset_free(&s);
	assert_int_equal(ipset_add_list(&s, "2001:db8::/65", err, sizeof(err)), 0);
	assert_int_equal(ipset_count(&s), UINT64_C(1) << 63);
	ipset_free(&s);
}

/* ---- the compiled-in default exclude list ------------------------------ */

static void test_default_exclude_parses_and_covers_reserved_space(void **state)
{
	static const struct {
		uint32_t ip;
		int want;
	} cases[] = {
		{ IP(198, 18, 0, 1), 1 },     { IP(10, 1, 2, 3), 1 },
		{ IP(0, 0, 0, 0), 1 },        { IP(127, 0, 0, 1), 1 },
		{ IP(100, 64, 0, 1), 1 },     { IP(169, 254, 1, 1), 1 },
		{ IP(172, 31, 255, 255), 1 }, { IP(192, 168, 0, 1), 1 },
		{ IP(198, 19, 255, 255), 1 }, { IP(203, 0, 113, 9), 1 },
		{ IP(224, 0, 0, 1), 1 },      { IP(255, 255, 255, 255), 1 },
		{ IP(8, 8, 8, 8), 0 },        { IP(1, 1, 1, 1), 0 },
		{ IP(172, 32, 0, 0), 0 },     { IP(198, 20, 0, 0), 0 },
		{ IP(100, 128, 0, 0), 0 },    { IP(223, 255, 255, 255), 0 },
	};
	char err[PORTUS_ERRLEN];
	struct ip_set s;

	(void)state;
	ipset_init(&s);
	if (ipset_add_text(&s, portus_default_exclude, strlen(portus_default_exclude),
			   "exclude.conf", err, sizeof(err)) != 0)
		fail_msg("default exclude: %s", err);
	assert_int_equal(s.n, 16 + 13); /* one range per entry in data/exclude.conf */
	ipset_normalize(&s);
	for (size_t i = 0; i < NELEM(cases); i++) {
		if (ipset_contains(&s, V4(cases[i].ip)) != cases[i].want)
			fail_msg("default exclude: contains(%u.%u.%u.%u) != %d", cases[i].ip >> 24,
				 cases[i].ip >> 16 & 255, cases[i].ip >> 8 & 255, cases[i].ip & 255,
				 cases[i].want);
	}
	/* IPv6: the special-purpose registry is out, global unicast is in, and
	 * the IPv4-mapped block (where IPv4 targets live) is not excluded. */
	static const struct {
		const char *text;
		int want;
	} cases6[] = {
		{ "::", 1 },           { "::1", 1 },
		{ "2001:db8::1", 1 },  { "2001:db8:ffff::", 1 },
		{ "fe80::1", 1 },      { "fd00::1", 1 },
		{ "ff02::1", 1 },      { "64:ff9b::1.2.3.4", 1 },
		{ "2002::1", 1 },      { "100::1", 1 },
		{ "3fff::1", 1 },      { "5f00::1", 1 },
		{ "2001::1", 1 },      { "2606:4700::1", 0 },
		{ "2a00:1450::1", 0 }, { "2001:db9::1", 0 },
		{ "2001:200::1", 0 },  { "::ffff:8.8.8.8", 0 },
	};
	for (size_t i = 0; i < NELEM(cases6); i++) {
		ip_addr a;
		const char *why;

		assert_int_equal(addr_parse(cases6[i].text, strlen(cases6[i].text), &a, &why), 0);
		if (ipset_contains(&s, a) != cases6[i].want)
			fail_msg("default exclude: contains(%s) != %d", cases6[i].text,
				 cases6[i].want);
	}
	ipset_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts_address_cidr_and_range),
		cmocka_unit_test(test_cidr_ignores_host_bits),
		cmocka_unit_test(test_parse_rejects_malformed_with_named_input),
		cmocka_unit_test(test_parse_error_truncates_long_and_binary_input),
		cmocka_unit_test(test_list_appends_each_element),
		cmocka_unit_test(test_list_rejects_bad_element_and_leaves_set_unchanged),
		cmocka_unit_test(test_add_range_rejects_reversed_bounds),
		cmocka_unit_test(test_add_range_grows_past_initial_capacity),
		cmocka_unit_test(test_text_skips_comments_blanks_and_crlf),
		cmocka_unit_test(test_text_reports_origin_and_line),
		cmocka_unit_test(test_text_empty_or_comment_only_adds_nothing),
		cmocka_unit_test(test_file_reads_comments_blanks_and_crlf),
		cmocka_unit_test(test_file_error_names_file_and_line),
		cmocka_unit_test(test_file_rejects_nul_bytes_as_binary),
		cmocka_unit_test(test_file_missing_is_an_error_naming_it),
		cmocka_unit_test(test_file_empty_adds_nothing),
		cmocka_unit_test(test_file_over_64_mib_is_refused),
		cmocka_unit_test(test_normalize_sorts_and_merges_overlapping_and_adjacent),
		cmocka_unit_test(test_subtract_removes_excluded_ranges),
		cmocka_unit_test(test_subtract_matches_brute_force),
		cmocka_unit_test(test_count_sums_ranges_up_to_whole_space),
		cmocka_unit_test(test_contains_checks_range_boundaries),
		cmocka_unit_test(test_parse_ipv6_address_prefix_and_range),
		cmocka_unit_test(test_parse_ipv6_rejects),
		cmocka_unit_test(test_v6_spec_max_limits_targets_not_excludes),
		cmocka_unit_test(test_normalize_merges_ipv6_and_keeps_families_apart),
		cmocka_unit_test(test_subtract_and_contains_with_ipv6),
		cmocka_unit_test(test_count_saturates_for_huge_ipv6_sets),
		cmocka_unit_test(test_default_exclude_parses_and_covers_reserved_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
