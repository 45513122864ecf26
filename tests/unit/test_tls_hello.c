/*
 * test_tls_hello.c — the raw TLS codec (src/tls/hello.c) and the
 * --tls-ciphers algorithm (src/tls/enumerate.c): a byte-exact ClientHello,
 * ServerHellos (TLS 1.2, TLS 1.3, HelloRetryRequest) and alerts fed whole,
 * byte by byte, fragmented over records and with lying lengths; JA3S/JA4S
 * against values computed by hand (FoxIO's JA4S example included); and the
 * enumeration against simulated servers (server and client preference,
 * groups by HelloRetryRequest and by ECDHE probes, a server choosing a suite
 * never offered, the handshake cap).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tls/enumerate.h"
#include "tls_hello.h"

/* ---- ClientHello ---- */

static const uint8_t rnd[64] = {
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, /* then the x25519 share */
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
};

#define R32                                                                                       \
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, \
		0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,     \
		0x11, 0x11, 0x11, 0x11

static void test_client_hello_tls12_exact(void **state)
{
	static const uint16_t suites[] = { 0xC02F, 0x009C };
	static const uint16_t groups[] = { 0x001D };
	static const uint16_t sigalgs[] = { 0x0804 };
	static const uint8_t want[] = {
		0x16, 0x03, 0x01, 0x00, 0x7b,       /* record: handshake, 1.0, 123 */
		0x01, 0x00, 0x00, 0x77,             /* client_hello, 119 */
		0x03, 0x03, R32,                    /* legacy_version 1.2, random */
		0x20, R32,                          /* session id */
		0x00, 0x04, 0xC0, 0x2F, 0x00, 0x9C, /* suites */
		0x01, 0x00,                         /* null compression */
		0x00, 0x2a,                         /* extensions: 42 */
		0x00, 0x00, 0x00, 0x0b, 0x00, 0x09, 0x00, 0x00, 0x06, 'a',  '.',  't',
		'e',  's',  't',  0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d, /* supported_groups */
		0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,             /* ec_point_formats */
		0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x08, 0x04, /* signature_algorithms */
		0xff, 0x01, 0x00, 0x01, 0x00,                   /* renegotiation_info */
	};
	struct tlsh_client c = {
		.min_version = TLSH_TLS12,
		.max_version = TLSH_TLS12,
		.suites = suites,
		.nsuites = 2,
		.groups = groups,
		.ngroups = 1,
		.sigalgs = sigalgs,
		.nsigalgs = 1,
		.sni = "a.test",
		.random = rnd,
	};
	uint8_t out[TLSH_HELLO_MAX];
	size_t n;

	(void)state;
	n = tlsh_build_client_hello(&c, out, sizeof(out));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	/* Too small a buffer: nothing, never a partial record. */
	assert_int_equal(tlsh_build_client_hello(&c, out, sizeof(want) - 1), 0);
	/* Invalid offers. */
	c.nsuites = 0;
	assert_int_equal(tlsh_build_client_hello(&c, out, sizeof(out)), 0);
	c.nsuites = 2;
	c.min_version = TLSH_TLS13;
	assert_int_equal(tlsh_build_client_hello(&c, out, sizeof(out)), 0);
}

static void test_client_hello_tls13_exact(void **state)
{
	static const uint16_t suites[] = { 0x1301 };
	static const uint16_t groups[] = { 0x11EC, 0x001D };
	static const uint8_t want[] = {
		0x16, 0x03, 0x01, 0x00, 0x9b, /* 155 */
		0x01, 0x00, 0x00, 0x97,       /* 151 */
		0x03, 0x03, R32,  0x20, R32,  0x00, 0x02, 0x13, 0x01, 0x01, 0x00,
		0x00, 0x4c, /* extensions: 76 */
		0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x11, 0xEC, 0x00, 0x1d, 0x00,
		0x0b, 0x00, 0x02, 0x01, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00,
		0x2b, 0x00, 0x03, 0x02, 0x03, 0x04, /* supported_versions: 1.3 */
		0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, /* psk_key_exchange_modes */
		0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, /* key_share */
		0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
		0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
		0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	};
	struct tlsh_client c = {
		.min_version = TLSH_TLS13,
		.max_version = TLSH_TLS13,
		.suites = suites,
		.nsuites = 1,
		.groups = groups,
		.ngroups = 2,
		.random = rnd,
		.x25519_share = rnd + 32,
	};
	uint8_t out[TLSH_HELLO_MAX];
	size_t n;

	(void)state;
	n = tlsh_build_client_hello(&c, out, sizeof(out));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	/* No share: an empty key_share list (2 bytes: 00 00). */
	c.x25519_share = NULL;
	n = tlsh_build_client_hello(&c, out, sizeof(out));
	assert_int_equal(n, sizeof(want) - 36);
	assert_memory_equal(out + n - 6, "\x00\x33\x00\x02\x00\x00", 6);
}

/* ---- ServerHello ---- */

#define R22                                                                                       \
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, \
		0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,     \
		0x22, 0x22, 0x22, 0x22

/* TLS 1.2: ECDHE-RSA-AES256-GCM, extensions 0005, 0017, ff01, 0000 (FoxIO's JA4S example). */
static const uint8_t sh12[] = {
	0x02, 0x00, 0x00, 0x39, 0x03, 0x03, R22,  0x00, /* no session id */
	0xc0, 0x30, 0x00, 0x00, 0x11, 0x00, 0x05, 0x00, 0x00, 0x00, 0x17,
	0x00, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* TLS 1.3: AES-128-GCM, supported_versions, key_share x25519. */
static const uint8_t sh13[] = {
	0x02, 0x00, 0x00, 0x76, 0x03, 0x03, R22,  0x20, R32,  0x13, 0x01, 0x00, 0x00, 0x2e, 0x00,
	0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, R22,
};

/* HelloRetryRequest asking for secp256r1. */
static const uint8_t hrr[] = {
	0x02, 0x00, 0x00, 0x54, 0x03, 0x03, 0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE,
	0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
	0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C, 0x20, R32,  0x13, 0x02, 0x00, 0x00, 0x0c,
	0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x00, 0x17,
};

/* TLS 1.2 with ALPN h2 and renegotiation_info. */
static const uint8_t sh12_alpn[] = {
	0x02, 0x00, 0x00, 0x36, 0x03, 0x03, R22,  0x00, 0xc0, 0x2f, 0x00, 0x00, 0x0e, 0xff,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h',  '2',
};

static void test_parse_server_hellos(void **state)
{
	struct tlsh_server_hello sh;
	const char *why = NULL;
	char ja3[33], ja4[26], str[128];

	(void)state;
	assert_int_equal(tlsh_parse_server_hello(sh12, sizeof(sh12), &sh, &why), 0);
	assert_int_equal(sh.version, TLSH_TLS12);
	assert_int_equal(sh.cipher, 0xc030);
	assert_int_equal(sh.next, 4);
	assert_false(sh.hrr);
	assert_int_equal(tlsh_ja4s(&sh, ja4), 0);
	assert_string_equal(ja4, "t120400_c030_4e8089b08790");
	assert_int_equal(tlsh_ja3s(&sh, ja3, str, sizeof(str)), 0);
	assert_string_equal(str, "771,49200,5-23-65281-0");
	assert_string_equal(ja3, "7d8fd34fdb13a7fff30d5a52846b6c4c");

	assert_int_equal(tlsh_parse_server_hello(sh13, sizeof(sh13), &sh, &why), 0);
	assert_int_equal(sh.version, TLSH_TLS13);
	assert_int_equal(sh.legacy_version, TLSH_TLS12);
	assert_int_equal(sh.key_share_group, 0x001d);
	assert_int_equal(sh.session_id_len, 32);
	assert_int_equal(tlsh_ja4s(&sh, ja4), 0);
	assert_string_equal(ja4, "t130200_1301_a56c5b993250");
	assert_int_equal(tlsh_ja3s(&sh, ja3, NULL, 0), 0);
	assert_string_equal(ja3, "f4febc55ea12b31ae17cfb7e614afda8");

	assert_int_equal(tlsh_parse_server_hello(hrr, sizeof(hrr), &sh, &why), 0);
	assert_true(sh.hrr);
	assert_int_equal(sh.cipher, 0x1302);
	assert_int_equal(sh.key_share_group, 0x0017);

	assert_int_equal(tlsh_parse_server_hello(sh12_alpn, sizeof(sh12_alpn), &sh, &why), 0);
	assert_int_equal(sh.alpn_len, 2);
	assert_int_equal(tlsh_ja4s(&sh, ja4), 0);
	assert_string_equal(ja4, "t1202h2_c02f_87b1562aab70");
	assert_int_equal(tlsh_ja3s(&sh, ja3, NULL, 0), 0);
	assert_string_equal(ja3, "7bee5c1d424b7e5f943b06983bb11422");
}

/* Every way a length can lie, and other broken ServerHellos. */
static void test_parse_server_hello_lies(void **state)
{
	struct tlsh_server_hello sh;
	const char *why;
	uint8_t m[sizeof(sh13)];

	(void)state;
	for (size_t cut = 0; cut < sizeof(sh13); cut++) { /* every truncation */
		why = NULL;
		assert_int_equal(tlsh_parse_server_hello(sh13, cut, &sh, &why), -1);
		assert_non_null(why);
	}
	/* Each length field one more and one less than the truth. */
	static const size_t len_at[] = { 3, 4 + 34, 4 + 34 + 33 + 3 + 1,
					 4 + 34 + 33 + 3 + 2 + 6 + 3 };
	for (size_t i = 0; i < sizeof(len_at) / sizeof(len_at[0]); i++)
		for (int d = -1; d <= 1; d += 2) {
			memcpy(m, sh13, sizeof(m));
			m[len_at[i]] = (uint8_t)(m[len_at[i]] + d);
			why = NULL;
			assert_int_equal(tlsh_parse_server_hello(m, sizeof(m), &sh, &why), -1);
			assert_non_null(why);
		}
	/* Session id longer than 32. */
	memcpy(m, sh13, sizeof(m));
	m[4 + 34] = 33;
	assert_int_equal(tlsh_parse_server_hello(m, sizeof(m), &sh, &why), -1);
	/* Duplicate extension: key_share's type becomes supported_versions. */
	memcpy(m, sh13, sizeof(m));
	m[4 + 34 + 33 + 3 + 2 + 6 + 1] = 0x2b;
	assert_int_equal(tlsh_parse_server_hello(m, sizeof(m), &sh, &why), -1);
	/* Not a ServerHello, not version 3.x. */
	memcpy(m, sh13, sizeof(m));
	m[0] = 11;
	assert_int_equal(tlsh_parse_server_hello(m, sizeof(m), &sh, &why), -1);
	memcpy(m, sh13, sizeof(m));
	m[4] = 0x7f;
	assert_int_equal(tlsh_parse_server_hello(m, sizeof(m), &sh, &why), -1);
}

/* Wraps a handshake message in records of at most `frag` body bytes. */
static size_t records(uint8_t *out, uint8_t type, const uint8_t *p, size_t n, size_t frag)
{
	size_t o = 0;

	while (n > 0) {
		size_t k = n < frag ? n : frag;

		out[o++] = type;
		out[o++] = 3;
		out[o++] = 3;
		out[o++] = (uint8_t)(k >> 8);
		out[o++] = (uint8_t)k;
		memcpy(out + o, p, k);
		o += k;
		p += k;
		n -= k;
	}
	return o;
}

static void test_reader_fragments(void **state)
{
	static struct tlsh_reader r;
	uint8_t wire[4096];
	size_t n;

	(void)state;
	/* One record, fed whole, then byte by byte. */
	n = records(wire, 22, sh13, sizeof(sh13), 16384);
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, wire, n), TLSH_SERVER_HELLO);
	assert_int_equal(r.sh.cipher, 0x1301);
	tlsh_reader_init(&r);
	for (size_t i = 0; i < n - 1; i++)
		assert_int_equal(tlsh_feed(&r, wire + i, 1), TLSH_MORE);
	assert_int_equal(tlsh_feed(&r, wire + n - 1, 1), TLSH_SERVER_HELLO);
	/* The message fragmented over records of 1, 3 and 7 bytes. */
	for (size_t frag = 1; frag <= 7; frag += 2) {
		n = records(wire, 22, sh12, sizeof(sh12), frag);
		tlsh_reader_init(&r);
		assert_int_equal(tlsh_feed(&r, wire, n), TLSH_SERVER_HELLO);
		assert_int_equal(r.sh.cipher, 0xc030);
	}
	/* Followed by a Certificate in the same record: the rest is ignored. */
	memcpy(wire + 512, sh12, sizeof(sh12));
	memcpy(wire + 512 + sizeof(sh12), "\x0b\x00\x10\x00", 4);
	n = records(wire, 22, wire + 512, sizeof(sh12) + 4, 16384);
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, wire, n), TLSH_SERVER_HELLO);
	/* Sticky. */
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"junk", 4), TLSH_SERVER_HELLO);
}

static void test_reader_alerts_and_garbage(void **state)
{
	static struct tlsh_reader r;
	static const uint8_t alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 };
	uint8_t wire[70000];
	size_t n;

	(void)state;
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, alert, 6), TLSH_MORE);
	assert_int_equal(tlsh_feed(&r, alert + 6, 1), TLSH_ALERT);
	assert_int_equal(r.alert_level, 2);
	assert_int_equal(r.alert_desc, 40);
	assert_string_equal(tlsh_alert_name(r.alert_desc), "handshake_failure");
	/* An alert record too short for an alert. */
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"\x15\x03\x03\x00\x01\x02", 6), TLSH_ERROR);
	/* Plain HTTP, SSH, a wrong major version. */
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"HTTP/1.1 400", 12), TLSH_ERROR);
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"\x16\x02\x00", 3), TLSH_ERROR);
	/* A record announcing more than 2^14 + 2048 bytes. */
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"\x16\x03\x03\x48\x01", 5), TLSH_ERROR);
	/* Empty handshake records, application data before the ServerHello. */
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"\x16\x03\x03\x00\x00", 5), TLSH_ERROR);
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"\x17\x03\x03\x00\x01\x00", 6), TLSH_ERROR);
	/* A handshake message claiming 16 MiB; another that is no ServerHello. */
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"\x16\x03\x03\x00\x04\x02\xff\xff\xff", 9),
			 TLSH_ERROR);
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, (const uint8_t *)"\x16\x03\x03\x00\x04\x0b\x00\x00\x01", 9),
			 TLSH_ERROR);
	/* A ServerHello whose body lies: the message length says 4, the body needs more. */
	tlsh_reader_init(&r);
	assert_int_equal(
		tlsh_feed(&r,
			  (const uint8_t *)"\x16\x03\x03\x00\x08\x02\x00\x00\x04\x03\x03\x00\x00",
			  13),
		TLSH_ERROR);
	/* The message cut off by EOF: still waiting (the caller's timeout or EOF decides). */
	n = records(wire, 22, sh13, sizeof(sh13) - 10, 16384);
	tlsh_reader_init(&r);
	assert_int_equal(tlsh_feed(&r, wire, n), TLSH_MORE);
	/* An endless stream of 1-byte handshake records stops at the message cap. */
	memset(wire, 0, sizeof(wire));
	for (n = 0; n + 6 <= sizeof(wire); n += 6)
		memcpy(wire + n, "\x16\x03\x03\x00\x01\x00", 6);
	memcpy(wire + 5, "\x02", 1);
	memcpy(wire + 11, "\x00", 1);
	memcpy(wire + 17, "\x0f", 1);
	memcpy(wire + 23, "\xfc", 1); /* length 0x000ffc = 4092: the whole cap */
	tlsh_reader_init(&r);
	assert_int_not_equal(tlsh_feed(&r, wire, n), TLSH_MORE);
}

/* ---- the enumeration, against simulated servers ---- */

/* A server's configuration. */
struct sim {
	uint16_t accept[4][16]; /* per version, in the server's preference order */
	size_t naccept[4];
	int server_order;
	uint16_t groups13[8]; /* server's groups, its preference order */
	size_t ngroups13;
	uint16_t curves[8]; /* ECDHE curves at TLS <= 1.2 */
	size_t ncurves;
	int break_rules; /* TLS 1.2: answer a suite never offered */
};

/* What the test reads back out of a ClientHello built by hello.c. */
struct ch {
	uint16_t legacy, max_sv; /* max supported_versions, 0 when absent */
	uint16_t suites[256];
	size_t nsuites;
	uint16_t groups[32];
	size_t ngroups;
	int nshares;
};

static unsigned rd16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* A minimal ClientHello parser for well-formed input (our own builder's). */
static void parse_ch(const uint8_t *p, size_t n, struct ch *c)
{
	size_t o = 5 + 4, end;

	memset(c, 0, sizeof(*c));
	assert_true(n > o + 40);
	assert_int_equal(rd16(p + 3), n - 5);
	c->legacy = (uint16_t)rd16(p + o);
	o += 2 + 32;
	o += 1 + p[o];
	c->nsuites = rd16(p + o) / 2;
	for (size_t i = 0; i < c->nsuites; i++)
		c->suites[i] = (uint16_t)rd16(p + o + 2 + 2 * i);
	o += 2 + rd16(p + o);
	o += 1 + p[o];
	end = o + 2 + rd16(p + o);
	assert_int_equal(end, n);
	o += 2;
	while (o < end) {
		unsigned t = rd16(p + o), l = rd16(p + o + 2);
		const uint8_t *d = p + o + 4;

		if (t == 0x000a) {
			c->ngroups = rd16(d) / 2;
			for (size_t i = 0; i < c->ngroups && i < 32; i++)
				c->groups[i] = (uint16_t)rd16(d + 2 + 2 * i);
		} else if (t == 0x002b) {
			c->max_sv = (uint16_t)rd16(d + 1);
		} else if (t == 0x0033) {
			c->nshares = rd16(d) > 0;
		}
		o += 4 + l;
	}
}

static int has(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* The simulated server's answer: a ServerHello (fills sh) or an alert. */
static enum tlsh_status sim_answer(const struct sim *s, const struct ch *c,
				   struct tlsh_server_hello *sh)
{
	uint16_t v = c->max_sv ? c->max_sv : c->legacy;
	int k = v - TLSH_TLS10;
	uint16_t pick = 0;

	memset(sh, 0, sizeof(*sh));
	if (k < 0 || k > 3 || s->naccept[k] == 0)
		return TLSH_ALERT;
	if (s->break_rules && k == 2) {
		sh->version = v;
		sh->cipher = 0x0a0a;
		return TLSH_SERVER_HELLO;
	}
	if (s->server_order) {
		for (size_t i = 0; i < s->naccept[k] && !pick; i++)
			if (has(c->suites, c->nsuites, s->accept[k][i]))
				pick = s->accept[k][i];
	} else {
		for (size_t i = 0; i < c->nsuites && !pick; i++)
			if (has(s->accept[k], s->naccept[k], c->suites[i]))
				pick = c->suites[i];
	}
	if (pick == 0)
		return TLSH_ALERT;
	if (k < 3 && tlsh_suite_is_ecdhe(pick)) {
		int ok = 0;

		for (size_t i = 0; i < c->ngroups; i++)
			ok |= has(s->curves, s->ncurves, c->groups[i]);
		if (!ok)
			return TLSH_ALERT;
	}
	sh->version = v;
	sh->legacy_version = TLSH_TLS12;
	sh->cipher = pick;
	if (k == 3) {
		for (size_t i = 0; i < s->ngroups13; i++)
			if (has(c->groups, c->ngroups, s->groups13[i])) {
				sh->key_share_group = s->groups13[i];
				sh->hrr = !c->nshares || s->groups13[i] != 0x001d;
				return TLSH_SERVER_HELLO;
			}
		return TLSH_ALERT;
	}
	return TLSH_SERVER_HELLO;
}

/* Runs the enumeration against s, chains in turn. Returns handshakes made. */
static unsigned run_sim(const struct sim *s, uint16_t main_version, struct tls_ciphers *out)
{
	static struct tls_enum e;
	uint8_t buf[TLSH_HELLO_MAX];
	int progress = 1;

	tls_enum_init(&e, out, main_version, "lab.test");
	while (progress) {
		progress = 0;
		for (int k = 0; k < TLS_ENUM_CHAINS; k++) {
			size_t n = tls_enum_next(&e, k, rnd, buf, sizeof(buf));
			struct ch c;
			struct tlsh_server_hello sh;
			enum tlsh_status st;

			if (n == 0)
				continue;
			progress = 1;
			parse_ch(buf, n, &c);
			st = sim_answer(s, &c, &sh);
			tls_enum_answer(&e, k, st, &sh);
		}
	}
	return out->handshakes;
}

static void test_enum_server_order(void **state)
{
	static struct sim s = {
		.accept = { { 0x0005, 0x000A },
			    { 0 },
			    { 0xC030, 0xC02F, 0x009C, 0x0004, 0x0001 },
			    { 0x1302, 0x1301, 0x1303 } },
		.naccept = { 2, 0, 5, 3 },
		.server_order = 1,
		.groups13 = { 0x11EC, 0x001D, 0x0017 },
		.ngroups13 = 3,
		.curves = { 0x001D },
		.ncurves = 1,
	};
	static struct tls_ciphers out;
	unsigned hs;

	(void)state;
	hs = run_sim(&s, TLSH_TLS13, &out);
	assert_int_equal(out.n[0], 2);
	assert_int_equal(out.suite[0][0], 0x0005);
	assert_int_equal(out.suite[0][1], 0x000A);
	assert_int_equal(out.n[1], 0);
	assert_int_equal(out.n[2], 5);
	assert_memory_equal(out.suite[2], s.accept[2], 5 * sizeof(uint16_t));
	assert_int_equal(out.n[3], 3);
	assert_memory_equal(out.suite[3], s.accept[3], 3 * sizeof(uint16_t));
	assert_int_equal(out.order, TLS_ORDER_SERVER);
	assert_true(out.groups_tested);
	assert_int_equal(out.ngroups, 3);
	assert_memory_equal(out.group, s.groups13, 3 * sizeof(uint16_t));
	assert_false(out.incomplete);
	/* (n + 1) offers per version, one order check where n >= 2, groups n + 1. */
	assert_int_equal(hs, (2 + 1 + 1) + 1 + (5 + 1 + 1) + (3 + 1 + 1) + (3 + 1));
	assert_int_equal(out.tested, 0xf);
}

static void test_enum_client_order_and_curves(void **state)
{
	static struct sim s = {
		.accept = { { 0 }, { 0 }, { 0x009C, 0xC02F, 0xC013 }, { 0 } },
		.naccept = { 0, 0, 3, 0 },
		.curves = { 0x0018, 0x0017 },
		.ncurves = 2,
	};
	static struct tls_ciphers out;

	(void)state;
	run_sim(&s, TLSH_TLS12, &out);
	assert_int_equal(out.n[2], 3);
	/* Client order: listed in the table's (offer) order: ECDHE-GCM, ECDHE-CBC, RSA-GCM. */
	assert_int_equal(out.suite[2][0], 0xC02F);
	assert_int_equal(out.suite[2][1], 0xC013);
	assert_int_equal(out.suite[2][2], 0x009C);
	assert_int_equal(out.order, TLS_ORDER_CLIENT);
	/* ECDHE curves, in the probe order (x25519 first, then the NIST curves). */
	assert_int_equal(out.ngroups, 2);
	assert_int_equal(out.group[0], 0x0017);
	assert_int_equal(out.group[1], 0x0018);
	assert_int_equal(out.n[3], 0);
}

static void test_enum_hostile_and_limits(void **state)
{
	static struct sim s = {
		.accept = { { 0 }, { 0 }, { 0xC02F }, { 0 } },
		.naccept = { 0, 0, 1, 0 },
		.break_rules = 1,
	};
	static struct sim all;
	static struct tls_ciphers out;
	static struct tls_enum e;
	uint8_t buf[TLSH_HELLO_MAX];

	(void)state;
	run_sim(&s, 0, &out);
	assert_int_equal(out.n[2], 0);
	assert_true(out.incomplete);
	assert_false(out.groups_tested); /* no main handshake: no group probes */
	assert_int_equal(out.order, TLS_ORDER_UNKNOWN);

	/* One suite per version accepted: no order check, order unknown. */
	all.accept[2][0] = 0x009C;
	all.naccept[2] = 1;
	run_sim(&all, 0, &out);
	assert_int_equal(out.order, TLS_ORDER_UNKNOWN);
	assert_int_equal(out.handshakes, 1 + 1 + 2 + 1);

	/* A server accepting whatever comes first: every suite, then the order check. */
	tls_enum_init(&e, &out, 0, "");
	for (;;) {
		size_t n = tls_enum_next(&e, 2, rnd, buf, sizeof(buf));
		struct tlsh_server_hello sh;
		struct ch c;

		if (n == 0)
			break;
		parse_ch(buf, n, &c);
		memset(&sh, 0, sizeof(sh));
		sh.version = TLSH_TLS12;
		sh.cipher = c.suites[0];
		tls_enum_answer(&e, 2, TLSH_SERVER_HELLO, &sh);
	}
	/* Every suite of the table but TLS 1.3's was offered at TLS 1.2 and accepted. */
	assert_int_equal(out.n[2], tlsh_suite_count() - 5);
	assert_int_equal(out.handshakes, tlsh_suite_count() - 5 + 1);
	assert_int_equal(out.order, TLS_ORDER_CLIENT);
	tls_enum_abort(&e);
	assert_true(out.incomplete);
	assert_int_equal(tls_enum_next(&e, 0, rnd, buf, sizeof(buf)), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(tlsh_suite_name(0x0004), "TLS_RSA_WITH_RC4_128_MD5");
	assert_string_equal(tlsh_suite_name(0x0003), "TLS_RSA_EXPORT_WITH_RC4_40_MD5");
	assert_string_equal(tlsh_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
	assert_null(tlsh_suite_name(0x0a0a));
	assert_string_equal(tlsh_group_name(0x11EC), "X25519MLKEM768");
	assert_string_equal(tlsh_group_name(0x001d), "x25519");
	assert_true(tlsh_suite_needs_tls12(0x009C));
	assert_false(tlsh_suite_needs_tls12(0x002F));
	assert_true(tlsh_suite_is_ecdhe(0xC013));
	assert_false(tlsh_suite_is_ecdhe(0xC00E));
	/* Table entries are unique. */
	for (size_t i = 0; i < tlsh_suite_count(); i++)
		for (size_t j = i + 1; j < tlsh_suite_count(); j++)
			assert_int_not_equal(tlsh_suite_at(i), tlsh_suite_at(j));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_hello_tls12_exact),
		cmocka_unit_test(test_client_hello_tls13_exact),
		cmocka_unit_test(test_parse_server_hellos),
		cmocka_unit_test(test_parse_server_hello_lies),
		cmocka_unit_test(test_reader_fragments),
		cmocka_unit_test(test_reader_alerts_and_garbage),
		cmocka_unit_test(test_enum_server_order),
		cmocka_unit_test(test_enum_client_order_and_curves),
		cmocka_unit_test(test_enum_hostile_and_limits),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
