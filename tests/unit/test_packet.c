/*
 * test_packet.c — SYN probe templates (IPv4 and IPv6), incremental checksums,
 * ARP requests, IPv6 Neighbor Solicitations and the RFC 1071 checksum.
 * Expected bytes come from the RFCs and from a reference checksum written here
 * independently of src/packet.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packet.h"

static const uint8_t SRC_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t GW_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
static const uint8_t HOST_MAC[6] = { 0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
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
	static const uint32_t ips[] = { 0, 1, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu };
	static const uint16_t ports[] = { 0, 1, 0x00ff, 0xff00, 0x8000, 65534, 65535 };
	static const uint32_t seqs[] = { 0, 1, 0xffffu, 0x10000u, 0xfffffffeu, 0xffffffffu };
	static const uint16_t ids[] = { 0, 1, 0xffff };
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
						for (size_t e = 0; e < sizeof(ids) / sizeof(ids[0]);
						     e++) {
							struct probe_in in = {
								.dst_mac = NULL,
								.dst_ip = ips[a],
								.dst_port = ports[b],
								.src_port = ports[c],
								.seq = seqs[d],
								.ip_id = ids[e],
							};
							probe_build(&t, f, NULL, in.dst_ip,
								    in.dst_port, in.src_port,
								    in.seq, in.ip_id);
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
		struct probe_in in = { NULL,
				       0xc6130000u | p,
				       (uint16_t)p,
				       (uint16_t)(65535 - p),
				       p * 2654435761u,
				       (uint16_t)(p * 7) };

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
		      uint32_t sip, uint8_t ttl, uint16_t win, uint16_t mss,
		      const struct probe_in *in)
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
			probe_build(&t, out, in.dst_mac, in.dst_ip, in.dst_port, in.src_port,
				    in.seq, in.ip_id);
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
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* broadcast */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* our MAC */
		0x08, 0x06,                         /* ARP */
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, /* Ethernet, IPv4, 6, 4 */
		0x00, 0x01,                         /* request */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* sender MAC */
		0xc6, 0x12, 0x00, 0x01,             /* sender IP */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC unknown */
		0xc6, 0x12, 0xfe, 0x07,             /* target IP */
	};
	uint8_t out[ARP_FRAME_LEN];

	(void)state;
	memset(out, 0xa5, sizeof(out));
	arp_request_build(out, SRC_MAC, SRC_IP, 0xc612fe07u);
	assert_memory_equal(out, expected, ARP_FRAME_LEN);
}

/* ---- IPv6 probes ------------------------------------------------------ */

static ip_addr addr6(uint64_t hi, uint64_t lo)
{
	ip_addr a = { (u128)hi << 64 | lo };

	return a;
}

/* Network-order bytes, written here rather than through addr_to_bytes. */
static void addr6_bytes(uint8_t out[16], ip_addr a)
{
	uint64_t hi = (uint64_t)(a.v >> 64), lo = (uint64_t)a.v;

	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
}

static ip_addr rand_addr6(void)
{
	/* Mostly random; now and then all-zero or all-ones halves, the
	 * extremes of the word sums. */
	uint64_t r = rng(), hi = rng(), lo = rng();

	if ((r & 7) == 0)
		hi = (r & 8) ? ~0ull : 0;
	if ((r & 0x70) == 0)
		lo = (r & 0x80) ? ~0ull : 0;
	return addr6(hi, lo);
}

#define SRC6_HI 0x20010db800000000ull /* 2001:db8::1 */
#define SRC6_LO 1ull

/* IPv6 pseudo-header (RFC 8200 8.1) + TCP segment of an IPv6 probe frame. */
static size_t pseudo6_and_tcp(const uint8_t *frame, uint8_t buf[40 + 24])
{
	memcpy(buf, frame + 22, 32); /* src, dst */
	memset(buf + 32, 0, 8);
	buf[35] = 24; /* upper-layer length, 32 bits */
	buf[39] = 6;  /* next header after 24 zero bits */
	memcpy(buf + 40, frame + 54, 24);
	return 40 + 24;
}

struct probe6_in {
	const uint8_t *dst_mac;
	ip_addr dst;
	uint16_t dst_port, src_port;
	uint32_t seq, flow;
};

/* Checks every field of a built IPv6 probe and that the TCP checksum
 * verifies and equals a from-scratch computation. */
static void check_probe6(const uint8_t *f, const uint8_t *exp_dst_mac, const uint8_t *src_mac,
			 ip_addr src, uint8_t hop, uint16_t window, uint16_t mss,
			 const struct probe6_in *in)
{
	uint8_t buf[40 + 24], a[16];
	size_t n;

	/* Ethernet */
	assert_memory_equal(f + 0, exp_dst_mac, 6);
	assert_memory_equal(f + 6, src_mac, 6);
	assert_int_equal(be16(f + 12), 0x86dd);
	/* IPv6: version 6, traffic class 0, flow label, payload 24, TCP */
	assert_int_equal(be32(f + 14), 0x60000000u | (in->flow & 0xfffff));
	assert_int_equal(be16(f + 18), 24);
	assert_int_equal(f[20], 6);
	assert_int_equal(f[21], hop);
	addr6_bytes(a, src);
	assert_memory_equal(f + 22, a, 16);
	addr6_bytes(a, in->dst);
	assert_memory_equal(f + 38, a, 16);
	/* TCP */
	assert_int_equal(be16(f + 54), in->src_port);
	assert_int_equal(be16(f + 56), in->dst_port);
	assert_int_equal(be32(f + 58), in->seq);
	assert_int_equal(be32(f + 62), 0);
	assert_int_equal(f[66], 0x60);
	assert_int_equal(f[67], 0x02);
	assert_int_equal(be16(f + 68), window);
	assert_int_equal(be16(f + 72), 0);
	assert_int_equal(f[74], 2);
	assert_int_equal(f[75], 4);
	assert_int_equal(be16(f + 76), mss);

	/* The checksum verifies over pseudo-header + segment ... */
	n = pseudo6_and_tcp(f, buf);
	assert_int_equal(inet_checksum(buf, n), 0);
	assert_int_equal(ref_checksum(buf, n), 0);
	/* ... and equals the from-scratch value (field zeroed, recomputed). */
	buf[40 + 16] = buf[40 + 17] = 0;
	assert_int_equal(be16(f + 70), ref_checksum(buf, n));
}

/* An IPv6 probe as RFC 8200/9293 describe it, written field by field into a
 * zeroed frame with the checksum summed from scratch over a pseudo-header
 * assembled here: nothing shared with packet.c. */
static void ref_probe6(uint8_t f[PROBE6_LEN], const uint8_t smac[6], const uint8_t dmac[6],
		       ip_addr src, uint8_t hop, uint16_t win, uint16_t mss,
		       const struct probe6_in *in)
{
	uint8_t ph[40 + 24];
	uint16_t c;

	memset(f, 0, PROBE6_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;                             /* version 6, traffic class high nibble 0 */
	f[15] = (uint8_t)(in->flow >> 16 & 0x0f); /* traffic class low nibble 0, flow 19-16 */
	f[16] = (uint8_t)(in->flow >> 8);
	f[17] = (uint8_t)in->flow;
	f[19] = 24; /* payload length */
	f[20] = 6;  /* next header: TCP */
	f[21] = hop;
	addr6_bytes(f + 22, src);
	addr6_bytes(f + 38, in->dst);
	f[54] = (uint8_t)(in->src_port >> 8);
	f[55] = (uint8_t)in->src_port;
	f[56] = (uint8_t)(in->dst_port >> 8);
	f[57] = (uint8_t)in->dst_port;
	for (int i = 0; i < 4; i++)
		f[58 + i] = (uint8_t)(in->seq >> (24 - 8 * i));
	f[66] = 0x60; /* data offset 6 words */
	f[67] = 0x02; /* SYN */
	f[68] = (uint8_t)(win >> 8);
	f[69] = (uint8_t)win;
	f[74] = 2; /* MSS option */
	f[75] = 4;
	f[76] = (uint8_t)(mss >> 8);
	f[77] = (uint8_t)mss;

	memcpy(ph, f + 22, 16);
	memcpy(ph + 16, f + 38, 16);
	memset(ph + 32, 0, 8);
	ph[35] = 24;
	ph[39] = 6;
	memcpy(ph + 40, f + 54, 24);
	c = ref_checksum(ph, sizeof(ph));
	f[70] = (uint8_t)(c >> 8);
	f[71] = (uint8_t)c;
}

static void test_probe6_matches_known_bytes(void **state)
{
	/* 2001:db8::1 -> [2001:db8:1::5]:443 from port 40000, seq 0x12345678,
	 * flow label 0xabcde, hop limit 64, window 1024, MSS 1440. Checksum by
	 * hand: pseudo-header 0x2dba + 0x2dbf + 0x18 + 0x06 = 0x5b97, TCP words
	 * 0x1724d, total 0x1cde4 -> 0xcde5 -> ~ = 0x321a. */
	static const uint8_t expected[PROBE6_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86,
		0xdd, 0x60, 0x0a, 0xbc, 0xde, 0x00, 0x18, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20,
		0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x05, 0x9c, 0x40, 0x01, 0xbb, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00,
		0x00, 0x60, 0x02, 0x04, 0x00, 0x32, 0x1a, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0,
	};
	struct probe6_template t;
	uint8_t f[PROBE6_LEN];

	(void)state;
	probe6_template_init(&t, SRC_MAC, GW_MAC, addr6(SRC6_HI, SRC6_LO), 64, 1024, 1440);
	probe6_build(&t, f, NULL, addr6(0x20010db800010000ull, 5), 443, 40000, 0x12345678u,
		     0xabcde);
	assert_memory_equal(f, expected, PROBE6_LEN);
}

static void test_probe6_fields_and_checksum_random(void **state)
{
	struct probe6_template t;
	uint8_t f[PROBE6_LEN];

	(void)state;
	for (int k = 0; k < 200; k++) {
		uint64_t r = rng();
		uint8_t smac[6], gmac[6], dmac[6];
		ip_addr src = rand_addr6();
		uint8_t hop = (uint8_t)(r >> 32);
		uint16_t win = (uint16_t)(r >> 40);
		uint16_t mss = (uint16_t)(r >> 48);

		for (int i = 0; i < 6; i++) {
			smac[i] = (uint8_t)rng();
			gmac[i] = (uint8_t)rng();
			dmac[i] = (uint8_t)rng();
		}
		probe6_template_init(&t, smac, gmac, src, hop, win, mss);
		for (int j = 0; j < 200; j++) {
			uint64_t a = rng(), b = rng();
			struct probe6_in in = {
				.dst_mac = (j & 1) ? dmac : NULL,
				.dst = rand_addr6(),
				.dst_port = (uint16_t)a,
				.src_port = (uint16_t)(a >> 16),
				.seq = (uint32_t)(a >> 32),
				.flow = (uint32_t)b, /* all 32 bits: the top 12 must be ignored */
			};

			probe6_build(&t, f, in.dst_mac, in.dst, in.dst_port, in.src_port, in.seq,
				     in.flow);
			check_probe6(f, in.dst_mac ? dmac : gmac, smac, src, hop, win, mss, &in);
		}
	}
}

static void test_probe6_equals_reference_byte_for_byte(void **state)
{
	struct probe6_template t;
	uint8_t f[PROBE6_LEN + 2], want[PROBE6_LEN];

	(void)state;
	for (int k = 0; k < 100; k++) {
		uint64_t r = rng();
		uint8_t smac[6], gmac[6], dmac[6];
		ip_addr src = rand_addr6();
		uint8_t hop = (uint8_t)(r >> 32);
		uint16_t win = (uint16_t)(r >> 40), mss = (uint16_t)(r >> 48);

		for (int i = 0; i < 6; i++) {
			smac[i] = (uint8_t)rng();
			gmac[i] = (uint8_t)rng();
			dmac[i] = (uint8_t)rng();
		}
		probe6_template_init(&t, smac, gmac, src, hop, win, mss);
		for (int j = 0; j < 1000; j++) {
			uint64_t a = rng(), b = rng();
			struct probe6_in in = {
				.dst_mac = (j % 3 == 0) ? dmac : NULL,
				.dst = rand_addr6(),
				.dst_port = (uint16_t)a,
				.src_port = (uint16_t)(a >> 16),
				.seq = (uint32_t)(a >> 32),
				.flow = (uint32_t)b,
			};
			/* Odd offset: the word stores must not assume alignment;
			 * the guard bytes around the frame stay untouched. */
			uint8_t *out = f + 1;

			memset(f, 0xa5, sizeof(f));
			probe6_build(&t, out, in.dst_mac, in.dst, in.dst_port, in.src_port, in.seq,
				     in.flow);
			ref_probe6(want, smac, in.dst_mac ? dmac : gmac, src, hop, win, mss, &in);
			assert_memory_equal(out, want, PROBE6_LEN);
			assert_int_equal(f[0], 0xa5);
			assert_int_equal(f[PROBE6_LEN + 1], 0xa5);
		}
	}
}

static void test_probe6_edge_values(void **state)
{
	static const uint64_t halves[][2] = {
		{ 0, 0 },                                         /* :: */
		{ 0, 1 },                                         /* ::1 */
		{ 0, 0x0000ffffc6120001ull },                     /* ::ffff:198.18.0.1 */
		{ 0x8000000000000000ull, 0 },                     /* 8000:: */
		{ 0xfe80000000000000ull, 0x00fffffffe000001ull }, /* fe80::ff:ffff:fe00:1 */
		{ ~0ull, ~0ull },                                 /* all ones */
		{ ~0ull, 0 },
		{ 0, ~0ull },
	};
	static const uint16_t ports[] = { 0, 1, 0x00ff, 0xff00, 65535 };
	static const uint32_t seqs[] = { 0, 0xffffu, 0x10000u, 0xffffffffu };
	static const uint32_t flows[] = { 0, 1, 0xfffffu, 0x100000u, 0xffffffffu };
	const size_t na = sizeof(halves) / sizeof(halves[0]);
	const size_t np = sizeof(ports) / sizeof(ports[0]);
	const size_t ns = sizeof(seqs) / sizeof(seqs[0]);
	const size_t nf = sizeof(flows) / sizeof(flows[0]);
	struct probe6_template t;
	uint8_t f[PROBE6_LEN], want[PROBE6_LEN];

	(void)state;
	/* Both extremes of the template's sum (all-zero and all-ones fields),
	 * every source address of the table, and every combination of
	 * destination, ports and sequence number (one index over all of them). */
	for (int tv = 0; tv < 2; tv++)
		for (size_t s = 0; s < na; s++) {
			ip_addr src = addr6(halves[s][0], halves[s][1]);
			uint16_t w = tv ? 0xffff : 0, mss = tv ? 0xffff : 0;
			uint8_t hop = tv ? 255 : 0;

			probe6_template_init(&t, SRC_MAC, GW_MAC, src, hop, w, mss);
			for (size_t n = 0; n < na * np * np * ns; n++) {
				size_t a = n % na, b = n / na % np, c = n / na / np % np;
				size_t d = n / na / np / np;
				struct probe6_in in = {
					.dst_mac = NULL,
					.dst = addr6(halves[a][0], halves[a][1]),
					.dst_port = ports[b],
					.src_port = ports[c],
					.seq = seqs[d],
					.flow = flows[n % nf],
				};

				probe6_build(&t, f, NULL, in.dst, in.dst_port, in.src_port, in.seq,
					     in.flow);
				check_probe6(f, GW_MAC, SRC_MAC, src, hop, w, mss, &in);
				ref_probe6(want, SRC_MAC, GW_MAC, src, hop, w, mss, &in);
				assert_memory_equal(f, want, PROBE6_LEN);
			}
		}
}

static void test_probe6_flow_label_uses_low_20_bits(void **state)
{
	struct probe6_template t;
	uint8_t f[PROBE6_LEN], g[PROBE6_LEN];
	ip_addr dst = addr6(0x20010db800010000ull, 5);

	(void)state;
	probe6_template_init(&t, SRC_MAC, GW_MAC, addr6(SRC6_HI, SRC6_LO), 64, 1024, 1440);
	probe6_build(&t, f, NULL, dst, 443, 40000, 7, 0xfff12345u);
	/* Version 6, traffic class 0, flow label 0x12345. */
	assert_int_equal(f[14], 0x60);
	assert_int_equal(f[15], 0x01);
	assert_int_equal(f[16], 0x23);
	assert_int_equal(f[17], 0x45);
	/* The ignored high bits change nothing; the flow label is outside
	 * every checksum, so another label changes only bytes 15-17. */
	probe6_build(&t, g, NULL, dst, 443, 40000, 7, 0x00012345u);
	assert_memory_equal(f, g, PROBE6_LEN);
	probe6_build(&t, g, NULL, dst, 443, 40000, 7, 0);
	assert_memory_equal(f, g, 15);
	assert_memory_equal(f + 18, g + 18, PROBE6_LEN - 18);
	assert_int_equal(be32(g + 14), 0x60000000u);
}

static void test_probe6_checksum_zero_is_written_as_zero(void **state)
{
	/* RFC 1071 gives 0x0000 when the folded sum is 0xffff. For TCP that is
	 * the value sent (the 0 -> 0xffff substitution of RFC 8200 8.1 is a UDP
	 * rule): pick the sequence number's low word to land there. */
	struct probe6_template t;
	uint8_t f[PROBE6_LEN], buf[40 + 24];
	ip_addr dst = addr6(0x20010db800010000ull, 5);
	uint32_t folded;
	struct probe6_in in = { NULL, dst, 443, 40000, 0, 0 };

	(void)state;
	probe6_template_init(&t, SRC_MAC, GW_MAC, addr6(SRC6_HI, SRC6_LO), 64, 1024, 1440);
	probe6_build(&t, f, NULL, dst, 443, 40000, 0, 0);
	folded = (uint16_t)~be16(f + 70); /* the folded sum with seq 0 */
	assert_int_not_equal(folded, 0xffff);
	in.seq = 0xffff - folded;
	probe6_build(&t, f, NULL, dst, in.dst_port, in.src_port, in.seq, in.flow);
	assert_int_equal(be16(f + 70), 0x0000);
	assert_int_equal(ref_checksum(buf, pseudo6_and_tcp(f, buf)), 0);
	check_probe6(f, GW_MAC, SRC_MAC, addr6(SRC6_HI, SRC6_LO), 64, 1024, 1440, &in);
}

static void test_probe6_dst_mac_override_leaves_template(void **state)
{
	struct probe6_template t, copy;
	uint8_t f[PROBE6_LEN], g[PROBE6_LEN];
	ip_addr dst = addr6(0x20010db800000000ull, 2);

	(void)state;
	probe6_template_init(&t, SRC_MAC, GW_MAC, addr6(SRC6_HI, SRC6_LO), 64, 1024, 1440);
	copy = t;
	probe6_build(&t, f, HOST_MAC, dst, 80, 50000, 7, 9);
	assert_memory_equal(f, HOST_MAC, 6);
	assert_memory_equal(&t, &copy, sizeof(t));
	/* The next probe without an override goes to the router again, and
	 * differs from the first only in the destination MAC. */
	probe6_build(&t, g, NULL, dst, 80, 50000, 7, 9);
	assert_memory_equal(g, GW_MAC, 6);
	assert_memory_equal(f + 6, g + 6, PROBE6_LEN - 6);
}

static void test_probe6_template_constant_sum(void **state)
{
	struct probe6_template t;
	uint8_t f[PROBE6_LEN];
	uint32_t s;

	(void)state;
	/* With every variable field zero the checksum is the complement of the
	 * template's folded partial sum. */
	probe6_template_init(&t, SRC_MAC, GW_MAC, addr6(SRC6_HI, SRC6_LO), 64, 1024, 1440);
	probe6_build(&t, f, NULL, addr6(0, 0), 0, 0, 0, 0);
	s = t.tcp_sum;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	assert_int_equal(be16(f + 70), (uint16_t)~s);
}

static void test_probe6_tcp_header_matches_ipv4_probe(void **state)
{
	/* Same ports, seq, window and MSS: the TCP headers differ only in the
	 * checksum (which covers different pseudo-headers). */
	struct probe_template t4;
	struct probe6_template t6;
	uint8_t f4[PROBE_LEN], f6[PROBE6_LEN];

	(void)state;
	probe_template_init(&t4, SRC_MAC, GW_MAC, SRC_IP, 64, 1024, 1460);
	probe6_template_init(&t6, SRC_MAC, GW_MAC, addr6(SRC6_HI, SRC6_LO), 64, 1024, 1460);
	probe_build(&t4, f4, NULL, 0xc6130102u, 443, 40000, 0x12345678u, 0xbeef);
	probe6_build(&t6, f6, NULL, addr6(0x20010db800010000ull, 5), 443, 40000, 0x12345678u, 0);
	assert_memory_equal(f6 + 54, f4 + 34, 16);
	assert_memory_equal(f6 + 54 + 18, f4 + 34 + 18, 6);
	assert_memory_equal(f6, f4, 12); /* same Ethernet addresses */
}

/* ---- Neighbor Solicitation -------------------------------------------- */

/* A Neighbor Solicitation as RFC 4861 4.3 / RFC 4291 2.7.1 / RFC 2464 7
 * describe it, byte by byte, with the ICMPv6 checksum from scratch. */
static void ref_ns(uint8_t f[NS_FRAME_LEN], const uint8_t smac[6], ip_addr src, ip_addr target)
{
	uint8_t t[16], ph[40 + 32];
	uint16_t c;

	addr6_bytes(t, target);
	memset(f, 0, NS_FRAME_LEN);
	f[0] = 0x33;
	f[1] = 0x33;
	f[2] = 0xff;
	memcpy(f + 3, t + 13, 3);
	memcpy(f + 6, smac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[19] = 32;  /* payload length */
	f[20] = 58;  /* ICMPv6 */
	f[21] = 255; /* hop limit */
	addr6_bytes(f + 22, src);
	f[38] = 0xff; /* ff02::1:ffXX:XXXX */
	f[39] = 0x02;
	f[49] = 0x01;
	f[50] = 0xff;
	memcpy(f + 51, t + 13, 3);
	f[54] = 135; /* type; code 0, checksum, reserved 0 */
	memcpy(f + 62, t, 16);
	f[78] = 1; /* source link-layer address option, 1 * 8 bytes */
	f[79] = 1;
	memcpy(f + 80, smac, 6);

	memcpy(ph, f + 22, 32);
	memset(ph + 32, 0, 8);
	ph[35] = 32;
	ph[39] = 58;
	memcpy(ph + 40, f + 54, 32);
	c = ref_checksum(ph, sizeof(ph));
	f[56] = (uint8_t)(c >> 8);
	f[57] = (uint8_t)c;
}

static void test_ns_matches_known_bytes(void **state)
{
	/* fe80::ff:fe00:1 (02:00:00:00:00:01) asks for fe80::2a0:c9ff:fe12:3456:
	 * sent to ff02::1:ff12:3456 / 33:33:ff:12:34:56. Checksum 0x482a from
	 * an independent implementation. */
	static const uint8_t expected[NS_FRAME_LEN] = {
		0x33, 0x33, 0xff, 0x12, 0x34, 0x56, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86,
		0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x01, 0xff,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x12,
		0x34, 0x56, 0x87, 0x00, 0x48, 0x2a, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x80, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xa0, 0xc9, 0xff, 0xfe, 0x12, 0x34, 0x56,
		0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	uint8_t out[NS_FRAME_LEN];

	(void)state;
	memset(out, 0xa5, sizeof(out));
	ns_build(out, SRC_MAC, addr6(0xfe80000000000000ull, 0x000000fffe000001ull),
		 addr6(0xfe80000000000000ull, 0x02a0c9fffe123456ull));
	assert_memory_equal(out, expected, NS_FRAME_LEN);
}

static void test_ns_solicited_node_addresses(void **state)
{
	/* Only the target's low 24 bits reach the group and the MAC. */
	static const struct {
		uint64_t hi, lo;
		uint8_t group[16];
	} CASES[] = {
		{ 0x20010db800000000ull,
		  1, /* 2001:db8::1 -> ff02::1:ff00:1 */
		  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x01 } },
		{ 0x20010db800000000ull,
		  0x0000abcdef012345ull, /* ...:ef01:2345 */
		  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x01, 0x23, 0x45 } },
		{ 0,
		  0, /* :: */
		  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x00 } },
		{ ~0ull,
		  ~0ull, /* all ones */
		  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0xff, 0xff, 0xff } },
		{ 0xfe80000000000000ull,
		  0x02a0c9fffe123456ull,
		  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x12, 0x34, 0x56 } },
	};
	uint8_t out[NS_FRAME_LEN], t[16], buf[40 + 32];

	(void)state;
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
		ip_addr target = addr6(CASES[i].hi, CASES[i].lo);

		ns_build(out, HOST_MAC, addr6(SRC6_HI, SRC6_LO), target);
		assert_memory_equal(out + 38, CASES[i].group, 16);
		assert_int_equal(out[0], 0x33);
		assert_int_equal(out[1], 0x33);
		assert_memory_equal(out + 2, CASES[i].group + 12, 4);
		assert_memory_equal(out + 6, HOST_MAC, 6);
		assert_int_equal(out[21], 255);
		addr6_bytes(t, target);
		assert_memory_equal(out + 62, t, 16);
		/* The checksum verifies over pseudo-header + message. */
		memcpy(buf, out + 22, 32);
		memset(buf + 32, 0, 8);
		buf[35] = 32;
		buf[39] = 58;
		memcpy(buf + 40, out + 54, 32);
		assert_int_equal(ref_checksum(buf, sizeof(buf)), 0);
		assert_int_equal(inet_checksum(buf, sizeof(buf)), 0);
	}
}

static void test_ns_equals_reference_random(void **state)
{
	uint8_t f[NS_FRAME_LEN + 2], want[NS_FRAME_LEN];

	(void)state;
	for (int k = 0; k < 20000; k++) {
		uint8_t smac[6];
		ip_addr src = rand_addr6(), target = rand_addr6();
		uint8_t *out = f + 1; /* odd offset, guard bytes either side */

		for (int i = 0; i < 6; i++)
			smac[i] = (uint8_t)rng();
		memset(f, (k & 1) ? 0xa5 : 0x00, sizeof(f));
		ns_build(out, smac, src, target);
		ref_ns(want, smac, src, target);
		assert_memory_equal(out, want, NS_FRAME_LEN);
		assert_int_equal(f[0], (k & 1) ? 0xa5 : 0x00);
		assert_int_equal(f[NS_FRAME_LEN + 1], (k & 1) ? 0xa5 : 0x00);
	}
}

/* ---- inet_checksum ---------------------------------------------------- */

static void test_checksum_rfc1071_example(void **state)
{
	/* RFC 1071 section 3: the words sum to 0xddf2. */
	static const uint8_t d[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(inet_checksum(d, 8), (uint16_t)~0xddf2);
}

static void test_checksum_odd_length_pads_with_zero(void **state)
{
	static const uint8_t d[3] = { 0x12, 0x34, 0x56 };
	static const uint8_t padded[4] = { 0x12, 0x34, 0x56, 0x00 };

	(void)state;
	assert_int_equal(inet_checksum(d, 3), inet_checksum(padded, 4));
	assert_int_equal(inet_checksum(d, 3), (uint16_t) ~(0x1234 + 0x5600));
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
		cmocka_unit_test(test_probe6_matches_known_bytes),
		cmocka_unit_test(test_probe6_fields_and_checksum_random),
		cmocka_unit_test(test_probe6_equals_reference_byte_for_byte),
		cmocka_unit_test(test_probe6_edge_values),
		cmocka_unit_test(test_probe6_flow_label_uses_low_20_bits),
		cmocka_unit_test(test_probe6_checksum_zero_is_written_as_zero),
		cmocka_unit_test(test_probe6_dst_mac_override_leaves_template),
		cmocka_unit_test(test_probe6_template_constant_sum),
		cmocka_unit_test(test_probe6_tcp_header_matches_ipv4_probe),
		cmocka_unit_test(test_ns_matches_known_bytes),
		cmocka_unit_test(test_ns_solicited_node_addresses),
		cmocka_unit_test(test_ns_equals_reference_random),
		cmocka_unit_test(test_checksum_rfc1071_example),
		cmocka_unit_test(test_checksum_odd_length_pads_with_zero),
		cmocka_unit_test(test_checksum_matches_reference_and_carries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
