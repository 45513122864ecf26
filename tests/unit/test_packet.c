/*
 * test_packet.c — SYN probe template, incremental checksums, ARP requests and
 * the RFC 1071 checksum. Expected bytes come from the RFCs and from a
 * reference checksum written here independently of src/packet.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packet.h"

static const uint8_t SRC_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t GW_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
static const uint8_t HOST_MAC[6] = {0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
#define SRC_IP 0xc6120001u /* 198.18.0.1 */

/* ---- helpers ---------------------------------------------------------- */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reference RFC 1071 checksum, byte at a time, deliberately naive. */
static uint16_t ref_checksum(const uint8_t *p, size_t len)
{
	uint64_t s = 0;

	for (size_t i = 0; i < len; i++)
		s += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Pseudo-header (RFC 9293 3.1) + TCP segment of a probe frame. */
static size_t pseudo_and_tcp(const uint8_t *frame, uint8_t buf[12 + 24])
{
	memcpy(buf, frame + 26, 8); /* src ip, dst ip */
	buf[8] = 0;
	buf[9] = 6;
	buf[10] = 0;
	buf[11] = 24;
	memcpy(buf + 12, frame + 34, 24);
	return 12 + 24;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

struct probe_in {
	const uint8_t *dst_mac;
	uint32_t dst_ip;
	uint16_t dst_port, src_port;
	uint32_t seq;
	uint16_t ip_id;
};

/* Checks every field of a built probe and that both checksums verify and
 * equal a from-scratch computation. */
static void check_probe(const uint8_t *f, const uint8_t *exp_dst_mac, const uint8_t *src_mac,
			uint32_t src_ip, uint8_t ttl, uint16_t window, uint16_t mss,
			const struct probe_in *in)
{
	uint8_t buf[12 + 24], ip[20];
	size_t n;

	/* Ethernet */
	assert_memory_equal(f + 0, exp_dst_mac, 6);
	assert_memory_equal(f + 6, src_mac, 6);
	assert_int_equal(be16(f + 12), 0x0800);
	/* IPv4 */
	assert_int_equal(f[14], 0x45);
	assert_int_equal(f[15], 0);
	assert_int_equal(be16(f + 16), 44);
	assert_int_equal(be16(f + 18), in->ip_id);
	assert_int_equal(be16(f + 20), 0x4000);
	assert_int_equal(f[22], ttl);
	assert_int_equal(f[23], 6);
	assert_int_equal(be32(f + 26), src_ip);
	assert_int_equal(be32(f + 30), in->dst_ip);
	/* TCP */
	assert_int_equal(be16(f + 34), in->src_port);
	assert_int_equal(be16(f + 36), in->dst_port);
	assert_int_equal(be32(f + 38), in->seq);
	assert_int_equal(be32(f + 42), 0);
	assert_int_equal(f[46], 0x60);
	assert_int_equal(f[47], 0x02);
	assert_int_equal(be16(f + 48), window);
	assert_int_equal(be16(f + 52), 0);
	assert_int_equal(f[54], 2);
	assert_int_equal(f[55], 4);
	assert_int_equal(be16(f + 56), mss);

	/* Checksums verify: summing a header including its checksum gives 0. */
	assert_int_equal(inet_checksum(f + 14, 20), 0);
	assert_int_equal(ref_checksum(f + 14, 20), 0);
	n = pseudo_and_tcp(f, buf);
	assert_int_equal(inet_checksum(buf, n), 0);
	assert_int_equal(ref_checksum(buf, n), 0);

	/* Incremental == from scratch (checksum field zeroed, recomputed). */
	memcpy(ip, f + 14, 20);
	ip[10] = ip[11] = 0;
	assert_int_equal(be16(f + 24), ref_checksum(ip, 20));
	buf[12 + 16] = buf[12 + 17] = 0;
	assert_int_equal(be16(f + 50), ref_checksum(buf, n));
}

/* ---- probes ----------------------------------------------------------- */

static void test_probe_matches_known_bytes(void **state)
{
	static const uint8_t expected[PROBE_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x08, 0x00, 0x45, 0x00, 0x00, 0x2c, 0xbe, 0xef, 0x40, 0x00, 0x40, 0x06,
		0xee, 0xb3, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x13, 0x01, 0x02, 0x9c, 0x40,
		0x01, 0xbb, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02,
		0x04, 0x00, 0x00, 0x56, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
	};
	struct probe_template t;
	uint8_t f[PROBE_LEN];

	(void)state;
	probe_template_init(&t, SRC_MAC, GW_MAC, SRC_IP, 64, 1024, 1460);
	probe_build(&t, f, NULL, 0xc6130102u, 443, 40000, 0x12345678u, 0xbeef);
	assert_memory_equal(f, expected, PROBE_LEN);
}

static void test_probe_fields_and_checksums_random(void **state)
{
	struct probe_template t;
	uint8_t f[PROBE_LEN];

	(void)state;
	for (int k = 0; k < 200; k++) {
		uint64_t r = rng();
		uint8_t smac[6], gmac[6], dmac[6];
		uint32_t sip = (uint32_t)r;
		uint8_t ttl = (uint8_t)(r >> 32);
		uint16_t win = (uint16_t)(r >> 40);
		uint16_t mss = (uint16_t)(r >> 48);

		for (int i = 0; i < 6; i++) {
			smac[i] = (uint8_t)rng();
			gmac[i] = (uint8_t)rng();
			dmac[i] = (uint8_t)rng();
		}
		probe_template_init(&t, smac, gmac, sip, ttl, win, mss);
		for (int j = 0; j < 200; j++) {
			uint64_t a = rng(), b = rng();
			struct probe_in in = {
				.dst_mac = (j & 1) ? dmac : NULL,
				.dst_ip = (uint32_t)a,
				.dst_port = (uint16_t)(a >> 32),
				.src_port = (uint16_t)(a >> 48),
				.seq = (uint32_t)b,
				.ip_id = (uint16_t)(b >> 32),
			};

			probe_build(&t, f, in.dst_mac, in.dst_ip, in.dst_port, in.src_port, in.seq,
				    in.ip_id);
			check_probe(f, in.dst_mac ? dmac : gmac, smac, sip, ttl, win, mss, &in);
		}
	}
}

static void test_probe_edge_values(void **state)
{
	static const uint32_t ips[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
	static const uint16_t ports[] = {0, 1, 0x00ff, 0xff00, 0x8000, 65534, 65535};
	static const uint32_t seqs[] = {0, 1, 0xffffu, 0x10000u, 0xfffffffeu, 0xffffffffu};
	static const uint16_t ids[] = {0, 1, 0xffff};
	struct probe_template t;
	uint8_t f[PROBE_LEN];

	(void)state;
	/* Both extremes of the constant sums: all-zero and all-ones fields. */
	for (int tv = 0; tv < 2; tv++) {
		uint32_t sip = tv ? 0xffffffffu : 0;
		uint16_t w = tv ? 0xffff : 0, mss = tv ? 0xffff : 0;
		uint8_t ttl = tv ? 255 : 0;

		probe_template_init(&t, SRC_MAC, GW_MAC, sip, ttl, w, mss);
		for (size_t a = 0; a < sizeof(ips) / sizeof(ips[0]); a++)
			for (size_t b = 0; b < sizeof(ports) / sizeof(ports[0]); b++)
				for (size_t c = 0; c < sizeof(ports) / sizeof(ports[0]); c++)
					for (size_t d = 0; d < sizeof(seqs) / sizeof(seqs[0]); d++)
						for (size_t e = 0; e < sizeof(ids) / sizeof(ids[0]); e++) {
							struct probe_in in = {
								.dst_mac = NULL,
								.dst_ip = ips[a],
								.dst_port = ports[b],
								.src_port = ports[c],
								.seq = seqs[d],
								.ip_id = ids[e],
							};
							probe_build(&t, f, NULL, in.dst_ip, in.dst_port,
								    in.src_port, in.seq, in.ip_id);
							check_probe(f, GW_MAC, SRC_MAC, sip, ttl, w,
								    mss, &in);
						}
	}
}

static void test_probe_every_port(void **state)
{
	struct probe_template t;
	uint8_t f[PROBE_LEN];

	(void)state;
	probe_template_init(&t, SRC_MAC, GW_MAC, SRC_IP, 64, 1024, 1460);
	for (uint32_t p = 0; p <= 65535; p++) {
		struct probe_in in = {NULL, 0xc6130000u | p, (uint16_t)p, (uint16_t)(65535 - p),
				      p * 2654435761u, (uint16_t)(p * 7)};

		probe_build(&t, f, NULL, in.dst_ip, in.dst_port, in.src_port, in.seq, in.ip_id);
		check_probe(f, GW_MAC, SRC_MAC, SRC_IP, 64, 1024, 1460, &in);
	}
}

static void test_probe_dst_mac_override_leaves_template(void **state)
{
	struct probe_template t, copy;
	uint8_t f[PROBE_LEN], g[PROBE_LEN];

	(void)state;
	probe_template_init(&t, SRC_MAC, GW_MAC, SRC_IP, 64, 1024, 1460);
	copy = t;
	probe_build(&t, f, HOST_MAC, 0xc6120002u, 80, 50000, 7, 9);
	assert_memory_equal(f, HOST_MAC, 6);
	assert_memory_equal(&t, &copy, sizeof(t));
	/* The next probe without an override goes to the gateway again, and
	 * differs from the first only in the destination MAC. */
	probe_build(&t, g, NULL, 0xc6120002u, 80, 50000, 7, 9);
	assert_memory_equal(g, GW_MAC, 6);
	assert_memory_equal(f + 6, g + 6, PROBE_LEN - 6);
}

static void test_probe_template_constant_sums(void **state)
{
	struct probe_template t;
	uint8_t f[PROBE_LEN];

	(void)state;
	/* With every variable field zero the probe's checksums are the
	 * complement of the template's folded partial sums. */
	probe_template_init(&t, SRC_MAC, GW_MAC, SRC_IP, 64, 1024, 1460);
	probe_build(&t, f, NULL, 0, 0, 0, 0, 0);
	uint32_t s = t.ip_sum;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	assert_int_equal(be16(f + 24), (uint16_t)~s);
	s = t.tcp_sum;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	assert_int_equal(be16(f + 50), (uint16_t)~s);
}

/* A probe as RFC 791/9293 describe it, written field by field into a zeroed
 * frame with both checksums summed from scratch: nothing shared with
 * packet.c's template, partial sums or word stores. */
static void ref_probe(uint8_t f[PROBE_LEN], const uint8_t smac[6], const uint8_t dmac[6],
		      uint32_t sip, uint8_t ttl, uint16_t win, uint16_t mss, const struct probe_in *in)
{
	uint8_t buf[12 + 24];
	uint16_t c;

	memset(f, 0, PROBE_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 44;
	f[18] = (uint8_t)(in->ip_id >> 8);
	f[19] = (uint8_t)in->ip_id;
	f[20] = 0x40; /* DF */
	f[22] = ttl;
	f[23] = 6;
	for (int i = 0; i < 4; i++) {
		f[26 + i] = (uint8_t)(sip >> (24 - 8 * i));
		f[30 + i] = (uint8_t)(in->dst_ip >> (24 - 8 * i));
		f[38 + i] = (uint8_t)(in->seq >> (24 - 8 * i));
	}
	f[34] = (uint8_t)(in->src_port >> 8);
	f[35] = (uint8_t)in->src_port;
	f[36] = (uint8_t)(in->dst_port >> 8);
	f[37] = (uint8_t)in->dst_port;
	f[46] = 0x60;
	f[47] = 0x02;
	f[48] = (uint8_t)(win >> 8);
	f[49] = (uint8_t)win;
	f[54] = 2;
	f[55] = 4;
	f[56] = (uint8_t)(mss >> 8);
	f[57] = (uint8_t)mss;
	c = ref_checksum(f + 14, 20);
	f[24] = (uint8_t)(c >> 8);
	f[25] = (uint8_t)c;
	c = ref_checksum(buf, pseudo_and_tcp(f, buf));
	f[50] = (uint8_t)(c >> 8);
	f[51] = (uint8_t)c;
}

static void test_probe_equals_reference_byte_for_byte(void **state)
{
	struct probe_template t;
	uint8_t f[PROBE_LEN + 2], want[PROBE_LEN];

	(void)state;
	for (int k = 0; k < 100; k++) {
		uint64_t r = rng();
		uint8_t smac[6], gmac[6], dmac[6];
		uint32_t sip = (uint32_t)r;
		uint8_t ttl = (uint8_t)(r >> 32);
		uint16_t win = (uint16_t)(r >> 40), mss = (uint16_t)(r >> 48);

		for (int i = 0; i < 6; i++) {
			smac[i] = (uint8_t)rng();
			gmac[i] = (uint8_t)rng();
			dmac[i] = (uint8_t)rng();
		}
		probe_template_init(&t, smac, gmac, sip, ttl, win, mss);
		for (int j = 0; j < 1000; j++) {
			uint64_t a = rng(), b = rng();
			struct probe_in in = {
				.dst_mac = (j % 3 == 0) ? dmac : NULL,
				.dst_ip = (uint32_t)a,
				.dst_port = (uint16_t)(a >> 32),
				.src_port = (uint16_t)(a >> 48),
				.seq = (uint32_t)b,
				.ip_id = (uint16_t)(b >> 32),
			};
			/* Odd offset: the word stores must not assume alignment;
			 * the guard bytes around the frame stay untouched. */
			uint8_t *out = f + 1;

			memset(f, 0xa5, sizeof(f));
			probe_build(&t, out, in.dst_mac, in.dst_ip, in.dst_port, in.src_port, in.seq,
				    in.ip_id);
			ref_probe(want, smac, in.dst_mac ? dmac : gmac, sip, ttl, win, mss, &in);
			assert_memory_equal(out, want, PROBE_LEN);
			assert_int_equal(f[0], 0xa5);
			assert_int_equal(f[PROBE_LEN + 1], 0xa5);
		}
	}
}

/* ---- ARP -------------------------------------------------------------- */

static void test_arp_request_exact_bytes(void **state)
{
	static const uint8_t expected[ARP_FRAME_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,       /* broadcast */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,       /* our MAC */
		0x08, 0x06,                               /* ARP */
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04,       /* Ethernet, IPv4, 6, 4 */
		0x00, 0x01,                               /* request */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,       /* sender MAC */
		0xc6, 0x12, 0x00, 0x01,                   /* sender IP */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00,       /* target MAC unknown */
		0xc6, 0x12, 0xfe, 0x07,                   /* target IP */
	};
	uint8_t out[ARP_FRAME_LEN];

	(void)state;
	memset(out, 0xa5, sizeof(out));
	arp_request_build(out, SRC_MAC, SRC_IP, 0xc612fe07u);
	assert_memory_equal(out, expected, ARP_FRAME_LEN);
}

/* ---- inet_checksum ---------------------------------------------------- */

static void test_checksum_rfc1071_example(void **state)
{
	/* RFC 1071 section 3: the words sum to 0xddf2. */
	static const uint8_t d[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	(void)state;
	assert_int_equal(inet_checksum(d, 8), (uint16_t)~0xddf2);
}

static void test_checksum_odd_length_pads_with_zero(void **state)
{
	static const uint8_t d[3] = {0x12, 0x34, 0x56};
	static const uint8_t padded[4] = {0x12, 0x34, 0x56, 0x00};

	(void)state;
	assert_int_equal(inet_checksum(d, 3), inet_checksum(padded, 4));
	assert_int_equal(inet_checksum(d, 3), (uint16_t)~(0x1234 + 0x5600));
	assert_int_equal(inet_checksum(d, 1), (uint16_t)~0x1200);
	assert_int_equal(inet_checksum(d, 0), 0xffff);
}

static void test_checksum_matches_reference_and_carries(void **state)
{
	static uint8_t big[200001];

	(void)state;
	memset(big, 0xff, sizeof(big));
	assert_int_equal(inet_checksum(big, sizeof(big)), ref_checksum(big, sizeof(big)));
	for (size_t len = 0; len < 300; len++) {
		uint8_t buf[300];

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		assert_int_equal(inet_checksum(buf, len), ref_checksum(buf, len));
	}
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)rng();
	assert_int_equal(inet_checksum(big, sizeof(big)), ref_checksum(big, sizeof(big)));
	/* Unaligned start. */
	assert_int_equal(inet_checksum(big + 1, 101), ref_checksum(big + 1, 101));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_matches_known_bytes),
		cmocka_unit_test(test_probe_fields_and_checksums_random),
		cmocka_unit_test(test_probe_edge_values),
		cmocka_unit_test(test_probe_every_port),
		cmocka_unit_test(test_probe_dst_mac_override_leaves_template),
		cmocka_unit_test(test_probe_template_constant_sums),
		cmocka_unit_test(test_probe_equals_reference_byte_for_byte),
		cmocka_unit_test(test_arp_request_exact_bytes),
		cmocka_unit_test(test_checksum_rfc1071_example),
		cmocka_unit_test(test_checksum_odd_length_pads_with_zero),
		cmocka_unit_test(test_checksum_matches_reference_and_carries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
