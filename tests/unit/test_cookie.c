/*
 * test_cookie.c — SipHash-2-4 against the published vectors (Aumasson &
 * Bernstein 2012, appendix A, and the reference implementation's 64-entry
 * vectors_sip64 table: key 00..0f, message i = bytes 00..i-1, output bytes
 * little-endian), and the probe cookies built on it (IPv4 and IPv6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cookie.h"

#define REF_K0 0x0706050403020100ull /* key bytes 00..07, little-endian */
#define REF_K1 0x0f0e0d0c0b0a0908ull /* key bytes 08..0f */

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_siphash_matches_paper_vector(void **state)
{
	uint8_t msg[15];

	(void)state;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(siphash24(REF_K0, REF_K1, msg, sizeof(msg)), 0xa129ca6149be45e5ull);
}

static void test_siphash_matches_reference_table(void **state)
{
	/* vectors_sip64[i]: every tail length 0-7, the 8-byte block boundary, two
	 * full blocks, and the last entry (63 bytes). */
	static const struct {
		size_t len;
		uint8_t out[8];
	} VEC[] = {
		{ 0, { 0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72 } },
		{ 1, { 0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74 } },
		{ 2, { 0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d } },
		{ 3, { 0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85 } },
		{ 4, { 0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf } },
		{ 5, { 0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18 } },
		{ 6, { 0xce, 0xe3, 0xfe, 0x58, 0x6e, 0x46, 0xc9, 0xcb } },
		{ 7, { 0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab } },
		{ 8, { 0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93 } },
		{ 9, { 0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e } },
		{ 10, { 0xf3, 0xb9, 0xdd, 0x94, 0xc5, 0xbb, 0x5d, 0x7a } },
		{ 11, { 0xa7, 0xad, 0x6b, 0x22, 0x46, 0x2f, 0xb3, 0xf4 } },
		{ 12, { 0xfb, 0xe5, 0x0e, 0x86, 0xbc, 0x8f, 0x1e, 0x75 } },
		{ 13, { 0x90, 0x3d, 0x84, 0xc0, 0x27, 0x56, 0xea, 0x14 } },
		{ 14, { 0xee, 0xf2, 0x7a, 0x8e, 0x90, 0xca, 0x23, 0xf7 } },
		{ 15, { 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1 } },
		{ 16, { 0xdb, 0x9b, 0xc2, 0x57, 0x7f, 0xcc, 0x2a, 0x3f } },
		{ 17, { 0x94, 0x47, 0xbe, 0x2c, 0xf5, 0xe9, 0x9a, 0x69 } },
		{ 63, { 0x72, 0x45, 0x06, 0xeb, 0x4c, 0x32, 0x8a, 0x95 } },
	};
	uint8_t msg[64];

	(void)state;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t k = 0; k < sizeof(VEC) / sizeof(VEC[0]); k++) {
		uint64_t want = 0;

		for (int b = 0; b < 8; b++)
			want |= (uint64_t)VEC[k].out[b] << (8 * b);
		if (siphash24(REF_K0, REF_K1, msg, VEC[k].len) != want)
			fail_msg("len %zu: got %016llx want %016llx", VEC[k].len,
				 (unsigned long long)siphash24(REF_K0, REF_K1, msg, VEC[k].len),
				 (unsigned long long)want);
	}
}

static void test_siphash_reads_unaligned_input(void **state)
{
	/* Same bytes at every offset of a buffer give the same hash. */
	uint8_t buf[64 + 8];
	uint64_t want;

	(void)state;
	for (int i = 0; i < 15; i++)
		buf[i] = (uint8_t)i;
	want = siphash24(REF_K0, REF_K1, buf, 15);
	for (int off = 1; off < 8; off++) {
		memmove(buf + off, buf + off - 1, 15);
		assert_int_equal(siphash24(REF_K0, REF_K1, buf + off, 15), want);
	}
}

static struct cookie_key test_key(uint64_t seed, uint16_t base, uint16_t count)
{
	struct cookie_key k;

	cookie_key_init(&k, seed, base, count);
	return k;
}

static void test_cookie_key_init_is_deterministic_per_seed(void **state)
{
	struct cookie_key a = test_key(1, 40000, 1000), b = test_key(1, 40000, 1000);
	struct cookie_key c = test_key(2, 40000, 1000);

	(void)state;
	assert_int_equal(a.k0, b.k0);
	assert_int_equal(a.k1, b.k1);
	assert_int_not_equal(a.k0, c.k0);
	assert_int_not_equal(a.k1, c.k1);
	assert_int_not_equal(a.k0, a.k1);
	assert_int_equal(a.sport_base, 40000);
	assert_int_equal(a.sport_count, 1000);
}

static void test_cookie_is_deterministic(void **state)
{
	struct cookie_key k = test_key(7, 32768, 16384);

	(void)state;
	for (int i = 0; i < 1000; i++) {
		uint32_t s = (uint32_t)rng(), d = (uint32_t)rng();
		uint16_t p = (uint16_t)rng();
		struct cookie a = cookie_make(&k, s, d, p), b = cookie_make(&k, s, d, p);

		assert_int_equal(a.seq, b.seq);
		assert_int_equal(a.sport, b.sport);
	}
}

static void test_cookie_changes_with_every_input_and_key(void **state)
{
	/* A one-bit change of any input must change the sequence number. A chance
	 * collision on 32 bits is ~2^-32 per case; the seed is fixed. */
	struct cookie_key k = test_key(7, 32768, 16384);
	struct cookie_key k2 = test_key(8, 32768, 16384);
	const uint32_t src = 0xc6120001u, dst = 0xc6120105u; /* 198.18.0.1 -> 198.18.1.5 */
	const uint16_t port = 443;
	uint32_t base = cookie_make(&k, src, dst, port).seq;

	(void)state;
	for (int bit = 0; bit < 32; bit++) {
		assert_int_not_equal(cookie_make(&k, src ^ (1u << bit), dst, port).seq, base);
		assert_int_not_equal(cookie_make(&k, src, dst ^ (1u << bit), port).seq, base);
	}
	for (int bit = 0; bit < 16; bit++)
		assert_int_not_equal(cookie_make(&k, src, dst, (uint16_t)(port ^ (1u << bit))).seq,
				     base);
	assert_int_not_equal(cookie_make(&k2, src, dst, port).seq, base);
	/* Swapping source and target is a different probe. */
	assert_int_not_equal(cookie_make(&k, dst, src, port).seq, base);
}

static void test_cookie_uses_siphash_of_big_endian_tuple(void **state)
{
	/* The documented layout: src ip | dst ip | dst port, network byte order. */
	struct cookie_key k = test_key(3, 1000, 500);
	const uint8_t buf[10] = { 198, 18, 0, 1, 198, 18, 1, 5, 0x01, 0xbb };
	uint64_t h = siphash24(k.k0, k.k1, buf, sizeof(buf));
	struct cookie c = cookie_make(&k, 0xc6120001u, 0xc6120105u, 443);

	(void)state;
	assert_int_equal(c.seq, (uint32_t)h);
	assert_int_equal(c.sport, 1000 + (h >> 32) % 500);
}

/* The word-built hash in cookie_make equals siphash24 over the byte layout,
 * for random keys, addresses, ports and source-port ranges. */
static void test_cookie_equals_generic_siphash_on_random_inputs(void **state)
{
	uint64_t x = 0x853c49e6748fea9bull;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		struct cookie_key k;
		uint32_t src, dst, count;
		uint16_t port;
		uint8_t buf[10];
		uint64_t h;
		struct cookie c;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		src = (uint32_t)x;
		dst = (uint32_t)(x >> 32);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		port = (uint16_t)x;
		count = (uint32_t)(x >> 16) % 65535 + 1;
		k = test_key(x, (uint16_t)(x >> 40), (uint16_t)count);
		buf[0] = (uint8_t)(src >> 24), buf[1] = (uint8_t)(src >> 16);
		buf[2] = (uint8_t)(src >> 8), buf[3] = (uint8_t)src;
		buf[4] = (uint8_t)(dst >> 24), buf[5] = (uint8_t)(dst >> 16);
		buf[6] = (uint8_t)(dst >> 8), buf[7] = (uint8_t)dst;
		buf[8] = (uint8_t)(port >> 8), buf[9] = (uint8_t)port;
		h = siphash24(k.k0, k.k1, buf, sizeof(buf));
		c = cookie_make(&k, src, dst, port);
		if (c.seq != (uint32_t)h ||
		    c.sport != (uint16_t)(k.sport_base + (h >> 32) % k.sport_count))
			fail_msg("input %d differs from siphash24 over the buffer", i);
	}
}

static void test_cookie_sport_stays_in_range(void **state)
{
	static const struct {
		uint16_t base, count;
	} CASES[] = {
		{ 32768, 28232 }, { 40000, 1 }, { 1, 65535 },    { 0, 65535 },
		{ 65535, 1 },     { 1024, 2 },  { 60000, 5535 },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(CASES) / sizeof(CASES[0]); c++) {
		struct cookie_key k = test_key(rng(), CASES[c].base, CASES[c].count);
		uint32_t lo = CASES[c].base, hi = lo + CASES[c].count; /* [lo, hi) */
		uint32_t seen_min = UINT32_MAX, seen_max = 0;

		for (int i = 0; i < 200000; i++) {
			struct cookie ck = cookie_make(&k, (uint32_t)rng(), (uint32_t)rng(),
						       (uint16_t)rng());

			if (ck.sport < lo || ck.sport >= hi)
				fail_msg("base %u count %u: sport %u", lo, CASES[c].count,
					 ck.sport);
			seen_min = ck.sport < seen_min ? ck.sport : seen_min;
			seen_max = ck.sport > seen_max ? ck.sport : seen_max;
		}
		if (CASES[c].count == 1) {
			assert_int_equal(seen_min, lo);
			assert_int_equal(seen_max, lo);
		} else {
			/* The whole range is used, edges included (200k draws cover
			 * both ends of even the 65535-port range with near certainty). */
			assert_true(seen_min < lo + CASES[c].count / 100 + 1);
			assert_true(seen_max + CASES[c].count / 100 + 1 >= hi - 1);
		}
	}
}

/* ---- IPv6 cookie ------------------------------------------------------ */

static ip_addr addr6(uint64_t hi, uint64_t lo)
{
	ip_addr a = { (u128)hi << 64 | lo };

	return a;
}

/* The documented 34-byte tuple, built byte by byte from the integers. */
static void tuple6(uint8_t buf[34], ip_addr src, ip_addr dst, uint16_t port)
{
	for (int i = 0; i < 16; i++) {
		buf[i] = (uint8_t)(src.v >> (120 - 8 * i));
		buf[16 + i] = (uint8_t)(dst.v >> (120 - 8 * i));
	}
	buf[32] = (uint8_t)(port >> 8);
	buf[33] = (uint8_t)port;
}

static void test_cookie6_uses_siphash_of_big_endian_tuple(void **state)
{
	/* 2001:db8::1 -> [2001:db8:1::5]:443, written out as bytes. */
	struct cookie_key k = test_key(3, 1000, 500);
	const uint8_t buf[34] = {
		0x20, 0x01, 0x0d, 0xb8, 0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    0x01, 0x20,
		0x01, 0x0d, 0xb8, 0,    0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x01, 0xbb,
	};
	uint64_t h = siphash24(k.k0, k.k1, buf, sizeof(buf));
	struct cookie c = cookie_make6(&k, addr6(0x20010db800000000ull, 1),
				       addr6(0x20010db800010000ull, 5), 443);

	(void)state;
	assert_int_equal(c.seq, (uint32_t)h);
	assert_int_equal(c.sport, 1000 + (h >> 32) % 500);
}

/* The word-built hash in cookie_make6 equals siphash24 over the byte layout,
 * for random keys, addresses, ports and source-port ranges. */
static void test_cookie6_equals_generic_siphash_on_random_inputs(void **state)
{
	(void)state;
	for (int i = 0; i < 100000; i++) {
		uint64_t r = rng();
		ip_addr src = addr6(rng(), rng()), dst = addr6(rng(), rng());
		uint16_t port = (uint16_t)r;
		uint32_t count = (uint32_t)(r >> 16) % 65535 + 1;
		struct cookie_key k = test_key(rng(), (uint16_t)(r >> 40), (uint16_t)count);
		uint8_t buf[34];
		uint64_t h;
		struct cookie c;

		/* Now and then an all-zero or all-ones half, and IPv4-mapped. */
		if ((r & 0x0f00000000000000ull) == 0)
			src.v = (r >> 60 & 1) ? ~(u128)0 : (u128)0;
		if ((r & 0xf000000000000000ull) == 0)
			dst = addr_from_v4((uint32_t)rng());
		tuple6(buf, src, dst, port);
		h = siphash24(k.k0, k.k1, buf, sizeof(buf));
		c = cookie_make6(&k, src, dst, port);
		if (c.seq != (uint32_t)h ||
		    c.sport != (uint16_t)(k.sport_base + (h >> 32) % k.sport_count))
			fail_msg("input %d differs from siphash24 over the buffer", i);
	}
}

static void test_cookie6_changes_with_every_input_bit_and_key(void **state)
{
	/* A one-bit change of any address or port bit must change the sequence
	 * number (a chance collision is ~2^-32 per case; the seed is fixed). */
	struct cookie_key k = test_key(7, 32768, 16384);
	struct cookie_key k2 = test_key(8, 32768, 16384);
	const ip_addr src = addr6(0x20010db800000000ull, 1);
	const ip_addr dst = addr6(0x20010db800010000ull, 5);
	const uint16_t port = 443;
	uint32_t base = cookie_make6(&k, src, dst, port).seq;

	(void)state;
	for (int b = 0; b < 128; b++) {
		ip_addr s2 = src, d2 = dst;

		s2.v ^= (u128)1 << b;
		d2.v ^= (u128)1 << b;
		if (cookie_make6(&k, s2, dst, port).seq == base)
			fail_msg("source bit %d does not change the cookie", b);
		if (cookie_make6(&k, src, d2, port).seq == base)
			fail_msg("destination bit %d does not change the cookie", b);
	}
	for (int b = 0; b < 16; b++)
		if (cookie_make6(&k, src, dst, (uint16_t)(port ^ (1u << b))).seq == base)
			fail_msg("port bit %d does not change the cookie", b);
	assert_int_not_equal(cookie_make6(&k2, src, dst, port).seq, base);
	/* Swapping source and target is a different probe. */
	assert_int_not_equal(cookie_make6(&k, dst, src, port).seq, base);
}

static void test_cookie6_is_not_cookie_make_of_mapped_addresses(void **state)
{
	/* Different messages (34 bytes, 10 bytes): the receiver must check a
	 * reply with the function its probe was made with. */
	struct cookie_key k = test_key(7, 32768, 16384);
	struct cookie v4 = cookie_make(&k, 0xc6120001u, 0xc6120105u, 443);
	struct cookie v6 = cookie_make6(&k, addr_from_v4(0xc6120001u), addr_from_v4(0xc6120105u),
					443);

	(void)state;
	assert_int_not_equal(v4.seq, v6.seq);
}

static void test_cookie6_sport_stays_in_range(void **state)
{
	static const struct {
		uint16_t base, count;
	} CASES[] = { { 32768, 28232 }, { 40000, 1 }, { 0, 65535 }, { 65535, 1 }, { 1024, 2 } };

	(void)state;
	for (size_t c = 0; c < sizeof(CASES) / sizeof(CASES[0]); c++) {
		struct cookie_key k = test_key(rng(), CASES[c].base, CASES[c].count);
		uint32_t lo = CASES[c].base, hi = lo + CASES[c].count; /* [lo, hi) */

		for (int i = 0; i < 50000; i++) {
			struct cookie ck = cookie_make6(&k, addr6(rng(), rng()),
							addr6(rng(), rng()), (uint16_t)rng());

			if (ck.sport < lo || ck.sport >= hi)
				fail_msg("base %u count %u: sport %u", lo, CASES[c].count,
					 ck.sport);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_matches_paper_vector),
		cmocka_unit_test(test_siphash_matches_reference_table),
		cmocka_unit_test(test_siphash_reads_unaligned_input),
		cmocka_unit_test(test_cookie_key_init_is_deterministic_per_seed),
		cmocka_unit_test(test_cookie_is_deterministic),
		cmocka_unit_test(test_cookie_changes_with_every_input_and_key),
		cmocka_unit_test(test_cookie_uses_siphash_of_big_endian_tuple),
		cmocka_unit_test(test_cookie_equals_generic_siphash_on_random_inputs),
		cmocka_unit_test(test_cookie_sport_stays_in_range),
		cmocka_unit_test(test_cookie6_uses_siphash_of_big_endian_tuple),
		cmocka_unit_test(test_cookie6_equals_generic_siphash_on_random_inputs),
		cmocka_unit_test(test_cookie6_changes_with_every_input_bit_and_key),
		cmocka_unit_test(test_cookie6_is_not_cookie_make_of_mapped_addresses),
		cmocka_unit_test(test_cookie6_sport_stays_in_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
