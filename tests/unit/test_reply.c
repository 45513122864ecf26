/*
 * test_reply.c — reply_parse on frames built here: TCP SYN-ACK and RST-ACK,
 * ICMP destination unreachable quoting a probe from probe_build, ARP replies;
 * the same over IPv6 (TCP behind extension headers, ICMPv6 destination
 * unreachable quoting a hand-built IPv6 probe, Neighbor Advertisements);
 * then a table of malformed frames, each of which must give one exact error;
 * then which ARP replies are believed (reply_arp_to_us and the ARP guard of
 * include/onlink.h).
 *
 * Every parse runs on a heap copy of exactly caplen bytes, so a read past the
 * captured length is an AddressSanitizer error under
 * `make SANITIZER=address,undefined unit`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "onlink.h"
#include "packet.h"
#include "reply.h"
#include "scan_record.h"

#define OUR_IP 0xc6120001u    /* 198.18.0.1 */
#define TARGET_IP 0xc6130a0bu /* 198.19.10.11 */
#define ROUTER_IP 0xc612fe01u /* 198.18.254.1 */
#define OTHER_IP 0xc6120002u  /* 198.18.0.2 */

static const uint8_t OUR_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t GW_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
static const uint8_t PEER_MAC[6] = { 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t NEIGH_MAC[6] = { 0x0a, 0x66, 0x77, 0x88, 0x99, 0xaa };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ZERO_MAC[6];

/* IPv6 addresses, network order (RFC 3849 documentation prefix). */
static const uint8_t OUR_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };    /* 2001:db8::1 */
static const uint8_t OTHER_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 };  /* 2001:db8::2 */
static const uint8_t ROUTER_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe }; /* 2001:db8::fe */
/* 2001:db8:1::a, off-link */
static const uint8_t TARGET_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x0a };
static const uint8_t ALL_NODES6[16] = { 0xff, 0x02, [15] = 0x01 }; /* ff02::1 */
/* fe80::811:22ff:fe33:4455, PEER_MAC's link-local address */
static const uint8_t PEER_LL6[16] = { 0xfe, 0x80, [8] = 0x08, 0x11, 0x22,
				      0xff, 0xfe, 0x33,       0x44, 0x55 };

#define IP6(b) addr_from_bytes(b)

/* An address parsed from an IPv4 frame: the IPv4-mapped form of want. */
#define assert_v4(a, want)                            \
	do {                                          \
		assert_true(addr_is_v4(a));           \
		assert_int_equal(addr_v4(a), (want)); \
	} while (0)

/* An address parsed from an IPv6 frame: exactly the 16 bytes of want. */
#define assert_v6(a, want)                           \
	do {                                         \
		uint8_t b_[16];                      \
		addr_to_bytes((a), b_);              \
		assert_memory_equal(b_, (want), 16); \
	} while (0)

#define MAXFRAME 512

/* ---- byte helpers ----------------------------------------------------- */

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)(v >> 16));
	w16(p + 2, (uint16_t)v);
}

static uint16_t r16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t r32(const uint8_t *p)
{
	return (uint32_t)r16(p) << 16 | r16(p + 2);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x9e3779b97f4a7c15ull;
}

/*
 * Parses a heap copy of exactly len bytes (ASan flags any over-read), our
 * addresses OUR_IP and our6. On failure also checks that *out was left
 * untouched.
 */
static int parse_with(const uint8_t *frame, size_t len, ip_addr our6, struct reply *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct reply before;
	int rc;

	assert_non_null(copy);
	/* For len 0 the buffer has no valid byte; ASan sees any read. */
	if (len)
		memcpy(copy, frame, len);
	memset(out, 0xa5, sizeof(*out));
	before = *out;
	rc = reply_parse(len ? copy : copy + 1, len, OUR_IP, our6, out);
	free(copy);
	if (rc != 0)
		assert_memory_equal(out, &before, sizeof(before));
	return rc;
}

/* parse_with our IPv6 address OUR_IP6. */
static int parse_exact(const uint8_t *frame, size_t len, struct reply *out)
{
	return parse_with(frame, len, IP6(OUR_IP6), out);
}

/* ---- frame builders --------------------------------------------------- */

static size_t put_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	w16(f + 12, type);
	return 14;
}

/* IPv4 header of ihl words; options (if any) are NOPs ended by EOL. */
static size_t put_ip(uint8_t *p, uint8_t ihl, size_t payload_len, uint8_t ttl, uint8_t proto,
		     uint32_t src, uint32_t dst)
{
	size_t hl = (size_t)ihl * 4;

	p[0] = (uint8_t)(0x40 | ihl);
	p[1] = 0;
	w16(p + 2, (uint16_t)(hl + payload_len));
	w16(p + 4, 0x1234);
	w16(p + 6, 0x4000); /* DF */
	p[8] = ttl;
	p[9] = proto;
	w16(p + 10, 0);
	w32(p + 12, src);
	w32(p + 16, dst);
	if (hl > 20) {
		memset(p + 20, 1, hl - 20);
		p[hl - 1] = 0;
	}
	w16(p + 10, inet_checksum(p, hl));
	return hl;
}

/* A TCP header from sport to dport, with an MSS option if with_mss
 * (checksum left zero: the parser does not verify it). */
static size_t put_tcp(uint8_t *t, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		      uint8_t flags, int with_mss)
{
	size_t tl = with_mss ? 24 : 20;

	w16(t + 0, sport);
	w16(t + 2, dport);
	w32(t + 4, seq);
	w32(t + 8, ack);
	t[12] = (uint8_t)((tl / 4) << 4);
	t[13] = flags;
	w16(t + 14, 65535);
	w16(t + 16, 0);
	w16(t + 18, 0);
	if (with_mss) {
		t[20] = 2;
		t[21] = 4;
		w16(t + 22, 1400);
	}
	return tl;
}

/* A TCP segment from tip:tport to OUR_IP:our_port. */
static size_t build_tcp(uint8_t *f, uint8_t ihl, uint32_t tip, uint16_t tport, uint16_t our_port,
			uint32_t seq, uint32_t ack, uint8_t flags, int with_mss)
{
	size_t tl = with_mss ? 24 : 20;
	size_t n = put_eth(f, OUR_MAC, PEER_MAC, 0x0800);

	n += put_ip(f + n, ihl, tl, 57, 6, tip, OUR_IP);
	return n + put_tcp(f + n, tport, our_port, seq, ack, flags, with_mss);
}

/* ICMP type/code from router to us, quoting qlen bytes starting at quote. */
static size_t build_icmp(uint8_t *f, uint8_t ihl, uint32_t router, uint8_t type, uint8_t code,
			 const uint8_t *quote, size_t qlen)
{
	size_t n = put_eth(f, OUR_MAC, GW_MAC, 0x0800);
	uint8_t *ic;

	n += put_ip(f + n, ihl, 8 + qlen, 250, 1, router, OUR_IP);
	ic = f + n;
	ic[0] = type;
	ic[1] = code;
	w16(ic + 2, 0);
	w32(ic + 4, 0);
	memcpy(ic + 8, quote, qlen);
	w16(ic + 2, inet_checksum(ic, 8 + qlen));
	return n + 8 + qlen;
}

static size_t build_arp(uint8_t *f, uint16_t op, const uint8_t smac[6], uint32_t sip,
			const uint8_t tmac[6], uint32_t tip)
{
	size_t n = put_eth(f, tmac, smac, 0x0806);
	uint8_t *a = f + n;

	w16(a + 0, 1);
	w16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	w16(a + 6, op);
	memcpy(a + 8, smac, 6);
	w32(a + 14, sip);
	memcpy(a + 18, tmac, 6);
	w32(a + 24, tip);
	return n + 28;
}

/* Our probe to TARGET_IP:443 from port 40000, seq 0x89abcdef. */
static void our_probe(uint8_t probe[PROBE_LEN])
{
	struct probe_template t;

	probe_template_init(&t, OUR_MAC, GW_MAC, OUR_IP, 64, 1024, 1460);
	probe_build(&t, probe, NULL, TARGET_IP, 443, 40000, 0x89abcdefu, 0x0102);
}

/* ---- IPv6 frame builders ---------------------------------------------- */

#define NH_HOP 0
#define NH_TCP 6
#define NH_ROUTING 43
#define NH_FRAG 44
#define NH_ICMP6 58
#define NH_DEST 60

/* One extension header: its type and Hdr Ext Len (8-octet units after the
 * first 8). */
struct ext6 {
	uint8_t type, units;
};

/* IPv6 header: traffic class 0, flow label 0x12345. */
static size_t put_ip6(uint8_t *p, size_t plen, uint8_t nh, uint8_t hlim, const uint8_t src[16],
		      const uint8_t dst[16])
{
	p[0] = 0x60;
	p[1] = 0x01;
	w16(p + 2, 0x2345);
	w16(p + 4, (uint16_t)plen);
	p[6] = nh;
	p[7] = hlim;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

/*
 * Extension headers x[0 .. nx) chained to proto. Options headers are filled
 * with one PadN option; a routing header has segments left 0; a fragment
 * header says "first fragment, more follow".
 */
static size_t put_exts(uint8_t *p, const struct ext6 *x, size_t nx, uint8_t proto)
{
	size_t n = 0;

	for (size_t i = 0; i < nx; i++) {
		size_t hl = ((size_t)x[i].units + 1) * 8;

		p[n] = i + 1 < nx ? x[i + 1].type : proto;
		p[n + 1] = x[i].units;
		memset(p + n + 2, 0, hl - 2);
		if (x[i].type == NH_HOP || x[i].type == NH_DEST) {
			p[n + 2] = 1; /* PadN */
			p[n + 3] = (uint8_t)(hl - 4);
		} else if (x[i].type == NH_ROUTING) {
			p[n + 2] = 4; /* routing type; segments left (p[n + 3]) 0 */
		} else if (x[i].type == NH_FRAG) {
			p[n + 1] = 0;
			p[n + 3] = 1; /* offset 0, M */
			w32(p + n + 4, 0xfeedf00du);
		}
		n += hl;
	}
	return n;
}

/* IPv6 header, extension headers and upper-layer bytes; returns their length. */
static size_t put_ip6_packet(uint8_t *p, const uint8_t src[16], const uint8_t dst[16], uint8_t hlim,
			     const struct ext6 *x, size_t nx, uint8_t proto, const uint8_t *l4,
			     size_t l4len)
{
	size_t el = put_exts(p + 40, x, nx, proto);

	put_ip6(p, el + l4len, nx ? x[0].type : proto, hlim, src, dst);
	memcpy(p + 40 + el, l4, l4len);
	return 40 + el + l4len;
}

/* An Ethernet frame from smac to OUR_MAC carrying that packet. */
static size_t build6(uint8_t *f, const uint8_t smac[6], const uint8_t src[16],
		     const uint8_t dst[16], uint8_t hlim, const struct ext6 *x, size_t nx,
		     uint8_t proto, const uint8_t *l4, size_t l4len)
{
	size_t n = put_eth(f, OUR_MAC, smac, 0x86dd);

	return n + put_ip6_packet(f + n, src, dst, hlim, x, nx, proto, l4, l4len);
}

/* A TCP segment from src:tport to OUR_IP6:our_port behind extension headers x. */
static size_t build_tcp6(uint8_t *f, const uint8_t src[16], uint16_t tport, uint16_t our_port,
			 uint32_t seq, uint32_t ack, uint8_t flags, int with_mss,
			 const struct ext6 *x, size_t nx)
{
	uint8_t t[24];
	size_t tl = put_tcp(t, tport, our_port, seq, ack, flags, with_mss);

	return build6(f, PEER_MAC, src, OUR_IP6, 57, x, nx, NH_TCP, t, tl);
}

/* Our IPv6 probe to dst:dport from sport, seq (a SYN with MSS behind
 * extension headers x), as a router would quote it; returns its length. */
static size_t our_probe6(uint8_t *q, const uint8_t dst[16], uint16_t dport, uint16_t sport,
			 uint32_t seq, const struct ext6 *x, size_t nx)
{
	uint8_t t[24];
	size_t tl = put_tcp(t, sport, dport, seq, 0, TCPF_SYN, 1);

	return put_ip6_packet(q, OUR_IP6, dst, 64, x, nx, NH_TCP, t, tl);
}

/* ICMPv6 type/code from ROUTER_IP6 (through GW_MAC) to us, quoting qlen bytes. */
static size_t build_icmp6(uint8_t *f, uint8_t type, uint8_t code, const uint8_t *quote, size_t qlen)
{
	uint8_t m[MAXFRAME];

	m[0] = type;
	m[1] = code;
	w16(m + 2, 0); /* checksum: not verified */
	w32(m + 4, 0);
	memcpy(m + 8, quote, qlen);
	return build6(f, GW_MAC, ROUTER_IP6, OUR_IP6, 63, NULL, 0, NH_ICMP6, m, 8 + qlen);
}

/* Target link-layer address option (RFC 4861 4.6.1) for mac. */
static size_t put_tlla(uint8_t *o, const uint8_t mac[6])
{
	o[0] = 2;
	o[1] = 1;
	memcpy(o + 2, mac, 6);
	return 8;
}

/* Neighbor Advertisement from PEER_LL6 (Ethernet PEER_MAC) to dst, with hop
 * limit hlim, flags byte, target and options opts[0 .. olen). */
static size_t build_na(uint8_t *f, const uint8_t dst[16], uint8_t hlim, uint8_t flags,
		       const uint8_t target[16], const uint8_t *opts, size_t olen)
{
	uint8_t m[MAXFRAME];

	m[0] = 136;
	m[1] = 0;
	w16(m + 2, 0);
	m[4] = flags;
	m[5] = m[6] = m[7] = 0;
	memcpy(m + 8, target, 16);
	if (olen)
		memcpy(m + 24, opts, olen);
	return build6(f, PEER_MAC, PEER_LL6, dst, hlim, NULL, 0, NH_ICMP6, m, 24 + olen);
}

/* The usual answer to our solicitation for OTHER_IP6: solicited, override,
 * with a target link-layer address option naming NEIGH_MAC. */
static size_t build_na_tlla(uint8_t *f)
{
	uint8_t o[8];

	put_tlla(o, NEIGH_MAC);
	return build_na(f, OUR_IP6, 255, NAF_SOLICITED | NAF_OVERRIDE, OTHER_IP6, o, 8);
}

/* ---- well-formed replies ---------------------------------------------- */

static void test_syn_ack_fills_every_field(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp(f, 5, TARGET_IP, 443, 40000, 0x11111111u, 0x89abcdf0u, TCPF_SYN | TCPF_ACK,
		      1);
	assert_int_equal(n, 58);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_TCP);
	assert_v4(r.target_ip, TARGET_IP);
	assert_int_equal(r.target_port, 443);
	assert_int_equal(r.probe_sport, 40000);
	assert_int_equal(r.probe_seq, 0x89abcdefu);
	assert_int_equal(r.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.ttl, 57);
	assert_int_equal(r.na_flags, 0);
	assert_int_equal(r.na_tlla, 0);
	assert_v4(r.responder_ip, TARGET_IP);
	assert_memory_equal(r.mac, PEER_MAC, 6);
	assert_memory_equal(r.eth_dst, OUR_MAC, 6);
	assert_memory_equal(r.arp_tha, ZERO_MAC, 6);
}

static void test_rst_ack_fills_every_field(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp(f, 5, TARGET_IP, 22, 61000, 0, 1, TCPF_RST | TCPF_ACK, 0);
	assert_int_equal(n, 54);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_TCP);
	assert_v4(r.target_ip, TARGET_IP);
	assert_int_equal(r.target_port, 22);
	assert_int_equal(r.probe_sport, 61000);
	assert_int_equal(r.probe_seq, 0);
	assert_int_equal(r.tcp_flags, TCPF_RST | TCPF_ACK);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.ttl, 57);
	assert_int_equal(r.na_flags, 0);
	assert_int_equal(r.na_tlla, 0);
	assert_v4(r.responder_ip, TARGET_IP);
	assert_memory_equal(r.mac, PEER_MAC, 6);
	assert_memory_equal(r.eth_dst, OUR_MAC, 6);
	assert_memory_equal(r.arp_tha, ZERO_MAC, 6);
}

static void test_tcp_ack_zero_wraps_probe_seq(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp(f, 5, TARGET_IP, 80, 1, 5, 0, TCPF_RST | TCPF_ACK, 0);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.probe_seq, 0xffffffffu);
	assert_int_equal(r.probe_sport, 1);
	n = build_tcp(f, 5, TARGET_IP, 65535, 65535, 5, 0xffffffffu, TCPF_RST, 0);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.probe_seq, 0xfffffffeu);
	assert_int_equal(r.target_port, 65535);
	assert_int_equal(r.probe_sport, 65535);
	assert_int_equal(r.tcp_flags, TCPF_RST);
}

static void check_icmp_reply(const struct reply *r, uint8_t code)
{
	assert_int_equal(r->type, REPLY_ICMP);
	assert_v4(r->target_ip, TARGET_IP);
	assert_int_equal(r->target_port, 443);
	assert_int_equal(r->probe_sport, 40000);
	assert_int_equal(r->probe_seq, 0x89abcdefu);
	assert_int_equal(r->tcp_flags, 0);
	assert_int_equal(r->icmp_type, 3);
	assert_int_equal(r->icmp_code, code);
	assert_int_equal(r->ttl, 250);
	assert_int_equal(r->na_flags, 0);
	assert_int_equal(r->na_tlla, 0);
	assert_v4(r->responder_ip, ROUTER_IP);
	assert_memory_equal(r->mac, GW_MAC, 6);
	assert_memory_equal(r->eth_dst, OUR_MAC, 6);
}

static void test_icmp_admin_prohibited_quoting_probe(void **state)
{
	uint8_t probe[PROBE_LEN], f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	our_probe(probe);
	/* RFC 792 minimum quote: IP header + 8 bytes. */
	n = build_icmp(f, 5, ROUTER_IP, 3, 13, probe + 14, 28);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp_reply(&r, 13);
	/* RFC 1812 routers quote as much as fits: the whole probe. */
	n = build_icmp(f, 5, ROUTER_IP, 3, 13, probe + 14, 44);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp_reply(&r, 13);
}

static void test_icmp_every_unreachable_code(void **state)
{
	uint8_t probe[PROBE_LEN], f[MAXFRAME];
	struct reply r;

	(void)state;
	our_probe(probe);
	for (unsigned code = 0; code < 256; code++) {
		size_t n = build_icmp(f, 5, ROUTER_IP, 3, (uint8_t)code, probe + 14, 28);

		assert_int_equal(parse_exact(f, n, &r), 0);
		check_icmp_reply(&r, (uint8_t)code);
	}
}

static void test_icmp_with_ip_options_outer_and_quoted(void **state)
{
	uint8_t probe[PROBE_LEN], quote[64], f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	our_probe(probe);
	n = build_icmp(f, 6, ROUTER_IP, 3, 1, probe + 14, 28);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp_reply(&r, 1);

	/* Quoted header with 4 bytes of options: the TCP ports follow them. */
	memcpy(quote, probe + 14, 20);
	quote[0] = 0x46;
	memset(quote + 20, 1, 4);
	memcpy(quote + 24, probe + 34, 8);
	n = build_icmp(f, 5, ROUTER_IP, 3, 10, quote, 32);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp_reply(&r, 10);
}

static void test_arp_reply_fills_every_field(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_arp(f, 2, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
	assert_int_equal(n, 42);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_ARP);
	assert_v4(r.target_ip, OTHER_IP);
	assert_v4(r.responder_ip, OTHER_IP);
	assert_memory_equal(r.mac, PEER_MAC, 6);
	assert_memory_equal(r.eth_dst, OUR_MAC, 6);
	assert_memory_equal(r.arp_tha, OUR_MAC, 6);
	assert_int_equal(reply_arp_to_us(&r, OUR_MAC), 0);
	assert_int_equal(r.ttl, 0);
	assert_int_equal(r.target_port, 0);
	assert_int_equal(r.probe_sport, 0);
	assert_int_equal(r.probe_seq, 0);
	assert_int_equal(r.tcp_flags, 0);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.na_flags, 0);
	assert_int_equal(r.na_tlla, 0);

	/* Padded to the 60-byte Ethernet minimum, as on the wire. */
	memset(f + n, 0xee, 60 - n);
	assert_int_equal(parse_exact(f, 60, &r), 0);
	assert_v4(r.target_ip, OTHER_IP);
}

static void test_arp_mac_is_sender_hw_not_eth_source(void **state)
{
	static const uint8_t proxy[6] = { 0x0a, 0x99, 0x99, 0x99, 0x99, 0x99 };
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_arp(f, 2, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
	memcpy(f + 6, proxy, 6);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_memory_equal(r.mac, PEER_MAC, 6);
}

static void test_ethernet_padding_after_short_ip_packet(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	/* A 40-byte RST in a 60-byte frame: 6 bytes of (non-zero) padding. */
	n = build_tcp(f, 5, TARGET_IP, 8080, 33000, 0, 0x1000u, TCPF_RST | TCPF_ACK, 0);
	assert_int_equal(n, 54);
	memset(f + n, 0xff, 6);
	assert_int_equal(parse_exact(f, 60, &r), 0);
	assert_int_equal(r.target_port, 8080);
	assert_int_equal(r.probe_seq, 0xfffu);
	/* Padding that looks like a TCP option does not matter either. */
	memset(f + n, 0x02, 6);
	assert_int_equal(parse_exact(f, 60, &r), 0);
}

static void test_outer_ip_options_parse(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp(f, 6, TARGET_IP, 443, 40000, 1, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1);
	assert_int_equal(n, 62);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_TCP);
	assert_v4(r.target_ip, TARGET_IP);
	assert_int_equal(r.target_port, 443);
	assert_int_equal(r.probe_sport, 40000);
	assert_int_equal(r.probe_seq, 0x89abcdefu);
	n = build_tcp(f, 15, TARGET_IP, 443, 40000, 1, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.target_port, 443);
}

/* ---- round trips with probe_build ------------------------------------- */

static void test_round_trip_probe_through_icmp_and_tcp(void **state)
{
	struct probe_template t;
	uint8_t probe[PROBE_LEN], f[MAXFRAME];
	struct reply r;

	(void)state;
	probe_template_init(&t, OUR_MAC, GW_MAC, OUR_IP, 64, 1024, 1460);
	for (int k = 0; k < 5000; k++) {
		uint64_t a = rng(), b = rng();
		uint32_t dip = (uint32_t)a, seq = (uint32_t)b;
		uint16_t dport = (uint16_t)(a >> 32), sport = (uint16_t)(a >> 48);
		uint8_t code = (uint8_t)(b >> 32);
		size_t n;

		if (k == 0)
			dport = 1, sport = 65535, seq = 0;
		if (k == 1)
			dport = 65535, sport = 1, seq = 0xffffffffu;
		probe_build(&t, probe, NULL, dip, dport, sport, seq, (uint16_t)(b >> 48));

		/* An ICMP error quoting the probe, 8 bytes or all of it. */
		n = build_icmp(f, 5, ROUTER_IP, 3, code, probe + 14, (k & 1) ? 44 : 28);
		assert_int_equal(parse_exact(f, n, &r), 0);
		assert_int_equal(r.type, REPLY_ICMP);
		assert_v4(r.target_ip, dip);
		assert_int_equal(r.target_port, dport);
		assert_int_equal(r.probe_sport, sport);
		assert_int_equal(r.probe_seq, seq);
		assert_int_equal(r.icmp_code, code);

		/* The target's answer: addresses and ports swapped, ack = seq + 1. */
		n = build_tcp(f, 5, r32(probe + 30), r16(probe + 36), r16(probe + 34),
			      (uint32_t)rng(), r32(probe + 38) + 1u, TCPF_SYN | TCPF_ACK, 1);
		assert_int_equal(parse_exact(f, n, &r), 0);
		assert_int_equal(r.type, REPLY_TCP);
		assert_v4(r.target_ip, dip);
		assert_int_equal(r.target_port, dport);
		assert_int_equal(r.probe_sport, sport);
		assert_int_equal(r.probe_seq, seq);
	}
}

/* ---- IPv6 replies ----------------------------------------------------- */

static void test_ip6_syn_ack_fills_every_field(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 0x11111111u, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1,
		       NULL, 0);
	assert_int_equal(n, 14 + 40 + 24);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_TCP);
	assert_v6(r.target_ip, TARGET_IP6);
	assert_false(addr_is_v4(r.target_ip));
	assert_int_equal(r.target_port, 443);
	assert_int_equal(r.probe_sport, 40000);
	assert_int_equal(r.probe_seq, 0x89abcdefu);
	assert_int_equal(r.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.ttl, 57);
	assert_int_equal(r.na_flags, 0);
	assert_int_equal(r.na_tlla, 0);
	assert_v6(r.responder_ip, TARGET_IP6);
	assert_memory_equal(r.mac, PEER_MAC, 6);
	assert_memory_equal(r.eth_dst, OUR_MAC, 6);
	assert_memory_equal(r.arp_tha, ZERO_MAC, 6);
	assert_int_equal(reply_arp_to_us(&r, OUR_MAC), REPLY_E_PROTO);
}

static void test_ip6_rst_with_padding_fills_every_field(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp6(f, TARGET_IP6, 22, 61000, 0, 1, TCPF_RST | TCPF_ACK, 0, NULL, 0);
	assert_int_equal(n, 74);
	assert_int_equal(parse_exact(f, n, &r), 0);
	/* Trailing bytes after the payload (padding, a trailer) are ignored. */
	memset(f + n, 0x02, 16);
	assert_int_equal(parse_exact(f, n + 16, &r), 0);
	assert_int_equal(r.type, REPLY_TCP);
	assert_v6(r.target_ip, TARGET_IP6);
	assert_int_equal(r.target_port, 22);
	assert_int_equal(r.probe_sport, 61000);
	assert_int_equal(r.probe_seq, 0);
	assert_int_equal(r.tcp_flags, TCPF_RST | TCPF_ACK);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.ttl, 57);
	assert_int_equal(r.na_flags, 0);
	assert_int_equal(r.na_tlla, 0);
	assert_v6(r.responder_ip, TARGET_IP6);
	assert_memory_equal(r.mac, PEER_MAC, 6);
	assert_memory_equal(r.eth_dst, OUR_MAC, 6);

	/* A link-local source is a target like any other. */
	n = build_tcp6(f, PEER_LL6, 22, 61000, 0, 0, TCPF_RST | TCPF_ACK, 0, NULL, 0);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_v6(r.target_ip, PEER_LL6);
	assert_int_equal(r.probe_seq, 0xffffffffu);
}

static void test_ip6_tcp_behind_extension_headers(void **state)
{
	static const struct ext6 hop_dst[] = { { NH_HOP, 0 }, { NH_DEST, 1 } };
	static const struct ext6 all3[] = {
		{ NH_HOP, 2 }, { NH_DEST, 0 }, { NH_ROUTING, 0 }, { NH_DEST, 3 }
	};
	static const struct ext6 dst_only[] = { { NH_DEST, 255 } };
	uint8_t f[MAXFRAME * 5];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1, hop_dst,
		       2);
	assert_int_equal(n, 14 + 40 + 8 + 16 + 24);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_TCP);
	assert_v6(r.target_ip, TARGET_IP6);
	assert_v6(r.responder_ip, TARGET_IP6);
	assert_int_equal(r.target_port, 443);
	assert_int_equal(r.probe_sport, 40000);
	assert_int_equal(r.probe_seq, 0x89abcdefu);
	assert_int_equal(r.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_int_equal(r.ttl, 57);

	/* Hop-by-hop, destination options before and after a routing header
	 * whose segments are all visited. */
	n = build_tcp6(f, TARGET_IP6, 80, 1234, 9, 0x1000u, TCPF_RST | TCPF_ACK, 0, all3, 4);
	assert_int_equal(n, 14 + 40 + 24 + 8 + 8 + 32 + 20);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.target_port, 80);
	assert_int_equal(r.probe_sport, 1234);
	assert_int_equal(r.probe_seq, 0xfffu);

	/* The longest extension header there is: 2048 bytes. */
	n = build_tcp6(f, TARGET_IP6, 80, 1234, 9, 0x1000u, TCPF_RST, 0, dst_only, 1);
	assert_int_equal(n, 14 + 40 + 2048 + 20);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.tcp_flags, TCPF_RST);
}

static void test_ip6_extension_header_limits(void **state)
{
	struct ext6 x[REPLY_IP6_EXT_MAX + 1];
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	x[0].type = NH_HOP;
	x[0].units = 0;
	for (size_t i = 1; i <= REPLY_IP6_EXT_MAX; i++) {
		x[i].type = i % 2 ? NH_DEST : NH_ROUTING;
		x[i].units = 0;
	}
	/* REPLY_IP6_EXT_MAX headers are walked, one more is refused. */
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, x, REPLY_IP6_EXT_MAX);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.target_port, 443);
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, x, REPLY_IP6_EXT_MAX + 1);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_IPHDR);

	/* Hop-by-hop anywhere but first (RFC 8200 4.1). */
	x[0].type = NH_DEST;
	x[1].type = NH_HOP;
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, x, 2);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_IPHDR);

	/* A routing header with segments left: we are only a waypoint. */
	x[0].type = NH_ROUTING;
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, x, 1);
	assert_int_equal(parse_exact(f, n, &r), 0);
	f[14 + 40 + 3] = 1;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	f[14 + 40 + 3] = 255;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
}

static void test_ip6_extension_header_past_payload_is_short(void **state)
{
	static const struct ext6 hop_dst[] = { { NH_HOP, 0 }, { NH_DEST, 1 } };
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, hop_dst, 2);
	assert_int_equal(parse_exact(f, n, &r), 0);
	/* The 44-byte payload: hop-by-hop 8, destination options 16, TCP 20.
	 * Destination options of 32 bytes leave 4 for TCP; of 40 or 2048 bytes
	 * they run past the payload. */
	f[14 + 40 + 8 + 1] = 3;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_SHORT);
	f[14 + 40 + 8 + 1] = 4;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_SHORT);
	f[14 + 40 + 8 + 1] = 255;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_SHORT);
	/* Past the payload length but inside the captured bytes. */
	memset(f + n, 0, 64);
	f[14 + 40 + 8 + 1] = 4;
	assert_int_equal(parse_exact(f, n + 64, &r), REPLY_E_SHORT);
	/* Hop-by-hop with no room for its first 8 bytes. */
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, hop_dst, 1);
	w16(f + 14 + 4, 7);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_SHORT);
	w16(f + 14 + 4, 0);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_SHORT);
}

static void test_ip6_fragments_are_dropped(void **state)
{
	static const struct ext6 frag[] = { { NH_FRAG, 0 } };
	static const struct ext6 hop_frag[] = { { NH_HOP, 0 }, { NH_FRAG, 0 } };
	static const struct ext6 dst_frag[] = { { NH_DEST, 1 }, { NH_FRAG, 0 } };
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_SYN | TCPF_ACK, 1, frag, 1);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_FRAGMENT);
	/* An atomic fragment (offset 0, M clear) too. */
	f[14 + 40 + 3] = 0;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_FRAGMENT);
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_SYN | TCPF_ACK, 1, hop_frag, 2);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_FRAGMENT);
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_SYN | TCPF_ACK, 1, dst_frag, 2);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_FRAGMENT);
}

static void test_ip6_other_upper_layers_rejected(void **state)
{
	static const uint8_t protos[] = { 17 /* UDP */,       1 /* ICMP (v4) */,
					  41 /* IPv6 */,      50 /* ESP */,
					  51 /* AH */,        59 /* no next header */,
					  135 /* mobility */, 255 };
	static const struct ext6 dst[] = { { NH_DEST, 0 } };
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(protos); i++) {
		n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, NULL, 0);
		f[14 + 6] = protos[i];
		assert_int_equal(parse_exact(f, n, &r), REPLY_E_PROTO);
		n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, dst, 1);
		f[14 + 40] = protos[i];
		assert_int_equal(parse_exact(f, n, &r), REPLY_E_PROTO);
	}
}

static void check_icmp6_reply(const struct reply *r, uint8_t code)
{
	assert_int_equal(r->type, REPLY_ICMP6);
	assert_v6(r->target_ip, TARGET_IP6);
	assert_int_equal(r->target_port, 443);
	assert_int_equal(r->probe_sport, 40000);
	assert_int_equal(r->probe_seq, 0x89abcdefu);
	assert_int_equal(r->tcp_flags, 0);
	assert_int_equal(r->icmp_type, 1);
	assert_int_equal(r->icmp_code, code);
	assert_int_equal(r->ttl, 63);
	assert_int_equal(r->na_flags, 0);
	assert_int_equal(r->na_tlla, 0);
	assert_v6(r->responder_ip, ROUTER_IP6);
	assert_memory_equal(r->mac, GW_MAC, 6);
	assert_memory_equal(r->eth_dst, OUR_MAC, 6);
	assert_memory_equal(r->arp_tha, ZERO_MAC, 6);
}

static void test_icmp6_unreachable_quoting_probe_every_code(void **state)
{
	uint8_t q[MAXFRAME], f[MAXFRAME];
	struct reply r;
	size_t qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, NULL, 0);

	(void)state;
	assert_int_equal(qlen, 64);
	/* RFC 4443 codes 0-6, each a filtering reason. */
	for (unsigned code = 0; code <= 6; code++) {
		size_t n = build_icmp6(f, 1, (uint8_t)code, q, qlen);

		assert_int_equal(parse_exact(f, n, &r), 0);
		check_icmp6_reply(&r, (uint8_t)code);
		assert_int_not_equal(reason_from_icmp6(r.icmp_type, r.icmp_code), R_NONE);
	}
	/* Codes not (yet) assigned are parsed too; result.c decides. */
	for (unsigned code = 7; code < 256; code++) {
		size_t n = build_icmp6(f, 1, (uint8_t)code, q, qlen);

		assert_int_equal(parse_exact(f, n, &r), 0);
		check_icmp6_reply(&r, (uint8_t)code);
	}
}

static void test_icmp6_quote_lengths(void **state)
{
	uint8_t q[MAXFRAME], f[MAXFRAME];
	struct reply r;
	size_t qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, NULL, 0);
	size_t n;

	(void)state;
	/* Only the ports and sequence number are needed ... */
	n = build_icmp6(f, 1, 4, q, 40 + 8);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp6_reply(&r, 4);
	/* ... and must be there. */
	n = build_icmp6(f, 1, 4, q, 40 + 7);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	n = build_icmp6(f, 1, 4, q, 39);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	n = build_icmp6(f, 1, 4, q, 0);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);

	/* An RFC 4884 extension after the quote: the quoted packet ends at its
	 * own payload length. */
	memset(q + qlen, 0xee, 64);
	n = build_icmp6(f, 1, 3, q, qlen + 64);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp6_reply(&r, 3);
	/* Quoted payload length 8 still holds the ports and sequence number;
	 * 7 does not, whatever bytes follow in the quote. */
	w16(q + 4, 8);
	n = build_icmp6(f, 1, 3, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp6_reply(&r, 3);
	w16(q + 4, 7);
	n = build_icmp6(f, 1, 3, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	w16(q + 4, 0);
	n = build_icmp6(f, 1, 3, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
}

static void test_icmp6_quote_with_extension_headers(void **state)
{
	static const struct ext6 hop_dst[] = { { NH_HOP, 0 }, { NH_DEST, 1 } };
	static const struct ext6 frag[] = { { NH_FRAG, 0 } };
	static const struct ext6 rt[] = { { NH_ROUTING, 0 } };
	uint8_t q[MAXFRAME], f[MAXFRAME];
	struct reply r;
	size_t qlen, n;

	(void)state;
	qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, hop_dst, 2);
	assert_int_equal(qlen, 40 + 24 + 24);
	n = build_icmp6(f, 1, 1, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp6_reply(&r, 1);
	/* Cut after 8 bytes of TCP, then inside TCP, inside the options. */
	n = build_icmp6(f, 1, 1, q, 40 + 24 + 8);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp6_reply(&r, 1);
	n = build_icmp6(f, 1, 1, q, 40 + 24 + 7);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	n = build_icmp6(f, 1, 1, q, 40 + 20);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	n = build_icmp6(f, 1, 1, q, 40 + 4);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);

	/* A fragment, or a routing header still to be followed: the quoted
	 * destination is not where the probe was going. */
	qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, frag, 1);
	n = build_icmp6(f, 1, 1, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, rt, 1);
	n = build_icmp6(f, 1, 1, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), 0);
	check_icmp6_reply(&r, 1);
	q[40 + 3] = 1;
	n = build_icmp6(f, 1, 1, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
}

static void test_icmp6_quote_must_be_our_tcp_probe(void **state)
{
	static const uint8_t mapped[16] = { [10] = 0xff, 0xff, 198, 19, 10, 11 };
	uint8_t q[MAXFRAME], f[MAXFRAME];
	struct reply r;
	size_t qlen, n;

	(void)state;
	/* Sent by someone else. */
	qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, NULL, 0);
	memcpy(q + 8, OTHER_IP6, 16);
	n = build_icmp6(f, 1, 1, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	/* Not TCP. */
	qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, NULL, 0);
	q[6] = 17;
	n = build_icmp6(f, 1, 1, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	/* Not IPv6. */
	qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, NULL, 0);
	q[0] = 0x45;
	n = build_icmp6(f, 1, 1, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
	/* To an IPv4-mapped address, which would pose as an IPv4 target. */
	qlen = our_probe6(q, mapped, 443, 40000, 0x89abcdefu, NULL, 0);
	n = build_icmp6(f, 1, 1, q, qlen);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ICMP);
}

static void test_icmp6_other_types_rejected(void **state)
{
	uint8_t q[MAXFRAME], f[MAXFRAME];
	struct reply r;
	size_t qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, NULL, 0);

	(void)state;
	for (unsigned type = 0; type < 256; type++) {
		size_t n = build_icmp6(f, (uint8_t)type, 0, q, qlen);
		int want = type == 1 ? 0 : type == 136 ? REPLY_E_ND : REPLY_E_ICMP;

		if (parse_exact(f, n, &r) != want)
			fail_msg("ICMPv6 type %u: want %d", type, want);
	}
	/* Shorter than an ICMPv6 header. */
	for (size_t len = 0; len < 8; len++) {
		size_t n = build_icmp6(f, 1, 0, q, 0);

		w16(f + 14 + 4, (uint16_t)len);
		assert_int_equal(parse_exact(f, n - 8 + len, &r), REPLY_E_SHORT);
	}
}

static void test_na_with_tlla_fills_every_field(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_na_tlla(f);
	assert_int_equal(n, 14 + 40 + 32);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_NA);
	assert_v6(r.target_ip, OTHER_IP6);
	assert_int_equal(r.target_port, 0);
	assert_int_equal(r.probe_sport, 0);
	assert_int_equal(r.probe_seq, 0);
	assert_int_equal(r.tcp_flags, 0);
	assert_int_equal(r.icmp_type, 136);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.ttl, 255);
	assert_int_equal(r.na_flags, NAF_SOLICITED | NAF_OVERRIDE);
	assert_int_equal(r.na_tlla, 1);
	assert_v6(r.responder_ip, PEER_LL6);
	assert_memory_equal(r.mac, NEIGH_MAC, 6); /* the option's, not the Ethernet source */
	assert_memory_equal(r.eth_dst, OUR_MAC, 6);
	assert_memory_equal(r.arp_tha, ZERO_MAC, 6);
	assert_int_equal(reply_arp_to_us(&r, OUR_MAC), REPLY_E_PROTO);

	/* A router's answer; the reserved bits are not flags. */
	f[14 + 40 + 4] = 0xff;
	f[14 + 40 + 7] = 0xff;
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.na_flags, NAF_ROUTER | NAF_SOLICITED | NAF_OVERRIDE);
	/* Solicited alone. */
	f[14 + 40 + 4] = NAF_SOLICITED;
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.na_flags, NAF_SOLICITED);
	/* Ethernet padding after it. */
	memset(f + n, 0x01, 10);
	assert_int_equal(parse_exact(f, n + 10, &r), 0);
	assert_memory_equal(r.mac, NEIGH_MAC, 6);
}

static void test_na_without_tlla_uses_ethernet_source(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, TARGET_IP6, NULL, 0);
	assert_int_equal(n, 14 + 40 + 24);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_NA);
	assert_v6(r.target_ip, TARGET_IP6);
	assert_int_equal(r.target_port, 0);
	assert_int_equal(r.probe_sport, 0);
	assert_int_equal(r.probe_seq, 0);
	assert_int_equal(r.tcp_flags, 0);
	assert_int_equal(r.icmp_type, 136);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.ttl, 255);
	assert_int_equal(r.na_flags, NAF_SOLICITED);
	assert_int_equal(r.na_tlla, 0);
	assert_v6(r.responder_ip, PEER_LL6);
	assert_memory_equal(r.mac, PEER_MAC, 6);
	assert_memory_equal(r.eth_dst, OUR_MAC, 6);

	/* Then the Ethernet source must be a station's address. */
	f[6] |= 0x01;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	memset(f + 6, 0, 6);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
}

static void test_na_options_walked(void **state)
{
	uint8_t o[64], f[MAXFRAME];
	struct reply r;
	size_t n, ol = 0;

	(void)state;
	/* Source link-layer address (ignored), a nonce of 16 bytes, an unknown
	 * option, then the target link-layer address, then a second one. */
	o[ol++] = 1;
	o[ol++] = 1;
	memcpy(o + ol, GW_MAC, 6);
	ol += 6;
	o[ol++] = 14;
	o[ol++] = 2;
	memset(o + ol, 0x5a, 14);
	ol += 14;
	o[ol++] = 200;
	o[ol++] = 1;
	memset(o + ol, 2, 6); /* bytes that look like a TLLA option */
	ol += 6;
	ol += put_tlla(o + ol, NEIGH_MAC);
	ol += put_tlla(o + ol, GW_MAC);
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, ol);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.na_tlla, 1);
	assert_memory_equal(r.mac, NEIGH_MAC, 6); /* the first one */

	/* Option length 0 (RFC 4861 7.1.2), first or after others. */
	o[1] = 0;
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, ol);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	o[1] = 1;
	o[8 + 1] = 0;
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, ol);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	o[8 + 1] = 2;
	/* The last option (made an unknown type) running past the message by
	 * 8 bytes. */
	o[ol - 8] = 200;
	o[ol - 8 + 1] = 2;
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, ol);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	/* ... even with bytes captured after the message. */
	memset(f + n, 0, 8);
	assert_int_equal(parse_exact(f, n + 8, &r), REPLY_E_ND);
	/* A target link-layer address option that is not Ethernet-sized. */
	put_tlla(o, NEIGH_MAC);
	o[1] = 2;
	memset(o + 8, 0, 8);
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, 16);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	/* Stray bytes after the options: 1 byte, 7 bytes. */
	ol = put_tlla(o, NEIGH_MAC);
	o[ol] = 1;
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, ol + 1);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	o[ol + 1] = 1;
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, ol + 7);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
}

static void test_na_validation(void **state)
{
	static const uint8_t mapped[16] = { [10] = 0xff, 0xff, 198, 18, 0, 10 };
	static const uint8_t loopback[16] = { [15] = 1 };
	static const uint8_t zero6[16];
	static const uint8_t sol_node[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0, 0, 0x02 };
	uint8_t o[8], f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	put_tlla(o, NEIGH_MAC);
	/* Hop limit other than 255: it crossed a router (RFC 4861 7.1.2). */
	n = build_na(f, OUR_IP6, 64, NAF_SOLICITED, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	n = build_na(f, OUR_IP6, 254, NAF_SOLICITED, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	n = build_na(f, OUR_IP6, 0, NAF_SOLICITED, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);

	/* Unsolicited: the Solicited flag clear, to us or to all nodes. */
	n = build_na(f, OUR_IP6, 255, NAF_OVERRIDE, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	n = build_na(f, OUR_IP6, 255, NAF_ROUTER | NAF_OVERRIDE, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	n = build_na(f, ALL_NODES6, 255, NAF_OVERRIDE, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	n = build_na(f, ALL_NODES6, 255, NAF_SOLICITED | NAF_OVERRIDE, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	/* An answer to someone else's solicitation. */
	n = build_na(f, ROUTER_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);

	/* Targets no neighbour can have. */
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, sol_node, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, ALL_NODES6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, zero6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, loopback, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, mapped, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	/* Our own address (defending it in duplicate address detection). */
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED | NAF_OVERRIDE, OUR_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);

	/* Code other than 0. */
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, 8);
	f[14 + 40 + 1] = 1;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);

	/* Shorter than 24 bytes: 8 .. 23. */
	for (size_t len = 8; len < 24; len++) {
		n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, NULL, 0);
		w16(f + 14 + 4, (uint16_t)len);
		assert_int_equal(parse_exact(f, 14 + 40 + len, &r), REPLY_E_ND);
		assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	}

	/* A target link-layer address that no station owns. */
	put_tlla(o, ZERO_MAC);
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	put_tlla(o, BCAST);
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
	put_tlla(o, NEIGH_MAC);
	o[2] = 0x33; /* 33:33:... IPv6 multicast */
	n = build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, o, 8);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ND);
}

static void test_ip6_not_to_us(void **state)
{
	static const uint8_t mapped_us[16] = { [10] = 0xff, 0xff, 198, 18, 0, 1 };
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 1, TCPF_RST, 0, NULL, 0);
	memcpy(f + 14 + 24, OTHER_IP6, 16);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	memcpy(f + 14 + 24, ALL_NODES6, 16);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	memcpy(f + 14 + 24, mapped_us, 16);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	/* Our address with one bit flipped, at either end. */
	memcpy(f + 14 + 24, OUR_IP6, 16);
	f[14 + 24] ^= 0x80;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	f[14 + 24] ^= 0x80;
	f[14 + 39] ^= 0x01;
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	f[14 + 39] ^= 0x01;
	assert_int_equal(parse_exact(f, n, &r), 0);
}

static void test_ip6_impossible_sources_rejected(void **state)
{
	static const uint8_t mapped[16] = { [10] = 0xff, 0xff, 198, 19, 10, 11 };
	static const uint8_t compat[16] = { [12] = 198, 19, 10, 11 }; /* ::198.19.10.11 */
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	/* IPv4-mapped: would be taken for the IPv4 target 198.19.10.11. */
	n = build_tcp6(f, mapped, 443, 40000, 9, 1, TCPF_RST, 0, NULL, 0);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_IPHDR);
	n = build_tcp6(f, ALL_NODES6, 443, 40000, 9, 1, TCPF_RST, 0, NULL, 0);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_IPHDR);
	/* The deprecated IPv4-compatible form is an ordinary IPv6 address. */
	n = build_tcp6(f, compat, 443, 40000, 9, 1, TCPF_RST, 0, NULL, 0);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_false(addr_is_v4(r.target_ip));
	assert_v6(r.target_ip, compat);
}

static void test_no_ip6_source_rejects_every_ip6_frame(void **state)
{
	static const uint8_t mapped_us[16] = { [10] = 0xff, 0xff, 198, 18, 0, 1 };
	uint8_t q[MAXFRAME], f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp6(f, TARGET_IP6, 443, 40000, 9, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1, NULL, 0);
	assert_int_equal(parse_with(f, n, addr_zero(), &r), REPLY_E_NOT_US);
	assert_int_equal(parse_with(f, n, IP6(mapped_us), &r), REPLY_E_NOT_US);
	/* An IPv4-mapped our_ip6 is no IPv6 source, even for a frame sent to it. */
	memcpy(f + 14 + 24, mapped_us, 16);
	assert_int_equal(parse_with(f, n, IP6(mapped_us), &r), REPLY_E_NOT_US);
	/* Even when addressed to ::, and however malformed. */
	memset(f + 14 + 24, 0, 16);
	assert_int_equal(parse_with(f, n, addr_zero(), &r), REPLY_E_NOT_US);
	assert_int_equal(parse_with(f, 14, addr_zero(), &r), REPLY_E_NOT_US);
	assert_int_equal(parse_with(f, 20, addr_zero(), &r), REPLY_E_NOT_US);
	n = build_icmp6(f, 1, 0, q, our_probe6(q, TARGET_IP6, 443, 40000, 1, NULL, 0));
	assert_int_equal(parse_with(f, n, addr_zero(), &r), REPLY_E_NOT_US);
	n = build_na_tlla(f);
	assert_int_equal(parse_with(f, n, addr_zero(), &r), REPLY_E_NOT_US);

	/* IPv4 and ARP do not need it. */
	n = build_tcp(f, 5, TARGET_IP, 443, 40000, 7, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1);
	assert_int_equal(parse_with(f, n, addr_zero(), &r), 0);
	assert_v4(r.target_ip, TARGET_IP);
	n = build_arp(f, 2, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
	assert_int_equal(parse_with(f, n, addr_zero(), &r), 0);
	assert_v4(r.target_ip, OTHER_IP);
}

static void test_ip6_round_trip_icmp6_and_tcp(void **state)
{
	uint8_t q[MAXFRAME], f[MAXFRAME], dst[16];
	struct reply r;

	(void)state;
	for (int k = 0; k < 5000; k++) {
		uint64_t a = rng(), b = rng(), c = rng();
		uint32_t seq = (uint32_t)b;
		uint16_t dport = (uint16_t)a, sport = (uint16_t)(a >> 16);
		uint8_t code = (uint8_t)(b >> 32);
		size_t qlen, n;

		for (int i = 0; i < 8; i++) {
			dst[i] = (uint8_t)(a >> (8 * i));
			dst[8 + i] = (uint8_t)(c >> (8 * i));
		}
		dst[0] = 0x20; /* global unicast: never multicast or IPv4-mapped */
		if (k == 0)
			dport = 1, sport = 65535, seq = 0;
		if (k == 1)
			dport = 65535, sport = 1, seq = 0xffffffffu;
		qlen = our_probe6(q, dst, dport, sport, seq, NULL, 0);

		n = build_icmp6(f, 1, code, q, (k & 1) ? qlen : 48);
		assert_int_equal(parse_exact(f, n, &r), 0);
		assert_int_equal(r.type, REPLY_ICMP6);
		assert_v6(r.target_ip, dst);
		assert_int_equal(r.target_port, dport);
		assert_int_equal(r.probe_sport, sport);
		assert_int_equal(r.probe_seq, seq);
		assert_int_equal(r.icmp_code, code);

		/* The target's answer: addresses and ports swapped, ack = seq + 1. */
		n = build_tcp6(f, q + 24, r16(q + 42), r16(q + 40), (uint32_t)rng(),
			       r32(q + 44) + 1u, TCPF_SYN | TCPF_ACK, 1, NULL, 0);
		assert_int_equal(parse_exact(f, n, &r), 0);
		assert_int_equal(r.type, REPLY_TCP);
		assert_v6(r.target_ip, dst);
		assert_int_equal(r.target_port, dport);
		assert_int_equal(r.probe_sport, sport);
		assert_int_equal(r.probe_seq, seq);
	}
}

/* ---- truncation ------------------------------------------------------- */

enum base {
	B_SYNACK,
	B_RST,
	B_ICMP8,
	B_ICMPFULL,
	B_ARP,
	B6_SYNACK,  /* IPv6 from here on */
	B6_RST_EXT, /* hop-by-hop 8, destination options 16, TCP 20 */
	B6_ICMP6,   /* code 1, quoting the whole probe (64 bytes) */
	B6_NA,      /* with a target link-layer address option */
	B6_NA_BARE, /* without options */
	B_COUNT
};

static int base_is_v6(enum base b)
{
	return b >= B6_SYNACK;
}

static size_t build_base(enum base b, uint8_t *f)
{
	static const struct ext6 hop_dst[] = { { NH_HOP, 0 }, { NH_DEST, 1 } };
	uint8_t probe[PROBE_LEN], q[MAXFRAME];
	size_t qlen;

	our_probe(probe);
	switch (b) {
	case B_SYNACK:
		return build_tcp(f, 5, TARGET_IP, 443, 40000, 7, 0x89abcdf0u, TCPF_SYN | TCPF_ACK,
				 1);
	case B_RST:
		return build_tcp(f, 5, TARGET_IP, 443, 40000, 0, 0x89abcdf0u, TCPF_RST | TCPF_ACK,
				 0);
	case B_ICMP8:
		return build_icmp(f, 5, ROUTER_IP, 3, 13, probe + 14, 28);
	case B_ICMPFULL:
		return build_icmp(f, 5, ROUTER_IP, 3, 3, probe + 14, 44);
	case B_ARP:
		return build_arp(f, 2, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
	case B6_SYNACK:
		return build_tcp6(f, TARGET_IP6, 443, 40000, 7, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1,
				  NULL, 0);
	case B6_RST_EXT:
		return build_tcp6(f, TARGET_IP6, 443, 40000, 0, 0x89abcdf0u, TCPF_RST | TCPF_ACK, 0,
				  hop_dst, 2);
	case B6_ICMP6:
		qlen = our_probe6(q, TARGET_IP6, 443, 40000, 0x89abcdefu, NULL, 0);
		return build_icmp6(f, 1, 1, q, qlen);
	case B6_NA:
		return build_na_tlla(f);
	case B6_NA_BARE:
		return build_na(f, OUR_IP6, 255, NAF_SOLICITED, OTHER_IP6, NULL, 0);
	default:
		fail();
	}
	return 0;
}

static void test_every_truncation_is_short(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;

	(void)state;
	for (int b = 0; b < B_COUNT; b++) {
		size_t full = build_base((enum base)b, f);

		for (size_t len = 0; len < full; len++) {
			int rc = parse_exact(f, len, &r);

			if (rc != REPLY_E_SHORT)
				fail_msg("base %d truncated to %zu: got %d, want %d", b, len, rc,
					 REPLY_E_SHORT);
		}
		assert_int_equal(parse_exact(f, full, &r), 0);
	}
}

/* ---- malformed frames, table-driven ----------------------------------- */

/* f[off] = (f[off] & ~mask) | val */
struct poke {
	uint8_t off, mask, val;
};

struct malformed {
	const char *name;
	enum base base;
	struct poke pokes[4];
	int len; /* caplen to use; 0 keeps the built length */
	int tot; /* new IPv4 total length or IPv6 payload length; 0 keeps it, TOT_ZERO writes 0 */
	int want;
};

/* Offsets for an IHL-5 base frame. */
#define IP 14
#define L4 34
#define Q (L4 + 8) /* quoted IP header inside ICMP */
#define ARP 14
/* Offsets for the IPv6 base frames. */
#define L6 54         /* upper layer (or first extension header) */
#define Q6 (L6 + 8)   /* quoted IPv6 header inside ICMPv6 */
#define NAO (L6 + 24) /* first NA option */
#define SET(o, v)              \
	{                      \
		(o), 0xff, (v) \
	}
#define TOT_ZERO 0x10000 /* truncated to 0 when written */

static const struct malformed malformed[] = {
	/* An IPv4 packet labelled IPv6 is parsed as IPv6: version 4. */
	{ "ethertype IPv6", B_SYNACK, { SET(12, 0x86), SET(13, 0xdd) }, 0, 0, REPLY_E_IPHDR },
	{ "ethertype 802.1Q", B_SYNACK, { SET(12, 0x81), SET(13, 0x00) }, 0, 0, REPLY_E_ETHERTYPE },
	{ "ethertype zero", B_ARP, { SET(12, 0), SET(13, 0) }, 0, 0, REPLY_E_ETHERTYPE },
	{ "IP version 6", B_SYNACK, { { IP, 0xf0, 0x60 } }, 0, 0, REPLY_E_IPHDR },
	{ "IP version 0", B_RST, { { IP, 0xf0, 0x00 } }, 0, 0, REPLY_E_IPHDR },
	{ "IHL 4", B_SYNACK, { { IP, 0x0f, 4 } }, 0, 0, REPLY_E_IPHDR },
	{ "IHL 0", B_RST, { { IP, 0x0f, 0 } }, 0, 0, REPLY_E_IPHDR },
	{ "IHL 15 past caplen", B_RST, { { IP, 0x0f, 15 } }, 0, 0, REPLY_E_SHORT },
	{ "IHL 15 past caplen by 4", B_ICMP8, { { IP, 0x0f, 15 } }, 0, 0, REPLY_E_SHORT },
	{ "total length 19 < IHL*4", B_SYNACK, { { 0 } }, 0, 19, REPLY_E_IPHDR },
	{ "total length 0", B_RST, { { 0 } }, 0, TOT_ZERO, REPLY_E_IPHDR },
	{ "total length 23 < IHL 6", B_RST, { { IP, 0x0f, 6 } }, 0, 23, REPLY_E_IPHDR },
	{ "total length > caplen", B_RST, { { 0 } }, 0, 41, REPLY_E_SHORT },
	{ "total length 65535", B_ICMPFULL, { { 0 } }, 0, 65535, REPLY_E_SHORT },
	{ "MF set", B_SYNACK, { { IP + 6, 0x20, 0x20 } }, 0, 0, REPLY_E_FRAGMENT },
	{ "fragment offset 1", B_RST, { SET(IP + 7, 1) }, 0, 0, REPLY_E_FRAGMENT },
	{ "fragment offset 0x1000", B_RST, { { IP + 6, 0x1f, 0x10 } }, 0, 0, REPLY_E_FRAGMENT },
	{ "ICMP fragment", B_ICMP8, { { IP + 6, 0x20, 0x20 } }, 0, 0, REPLY_E_FRAGMENT },
	{ "dst not us", B_SYNACK, { SET(IP + 19, 2) }, 0, 0, REPLY_E_NOT_US },
	{ "dst broadcast",
	  B_RST,
	  { SET(IP + 16, 0xff), SET(IP + 17, 0xff), SET(IP + 18, 0xff), SET(IP + 19, 0xff) },
	  0,
	  0,
	  REPLY_E_NOT_US },
	{ "ICMP dst not us", B_ICMP8, { SET(IP + 16, 10) }, 0, 0, REPLY_E_NOT_US },
	{ "protocol UDP", B_RST, { SET(IP + 9, 17) }, 0, 0, REPLY_E_PROTO },
	{ "protocol 0", B_SYNACK, { SET(IP + 9, 0) }, 0, 0, REPLY_E_PROTO },
	{ "TCP shorter than 20 in datagram", B_RST, { { 0 } }, 0, 39, REPLY_E_SHORT },
	{ "TCP empty", B_RST, { { 0 } }, 0, 20, REPLY_E_SHORT },
	{ "TCP doff 4", B_RST, { { L4 + 12, 0xf0, 0x40 } }, 0, 0, REPLY_E_TCPHDR },
	{ "TCP doff 0", B_SYNACK, { { L4 + 12, 0xf0, 0x00 } }, 0, 0, REPLY_E_TCPHDR },
	{ "TCP doff 6 past 20-byte payload",
	  B_RST,
	  { { L4 + 12, 0xf0, 0x60 } },
	  0,
	  0,
	  REPLY_E_TCPHDR },
	{ "TCP doff 15", B_SYNACK, { { L4 + 12, 0xf0, 0xf0 } }, 0, 0, REPLY_E_TCPHDR },
	/* doff 6 fits the captured bytes but not the datagram. */
	{ "TCP doff past total length", B_SYNACK, { { 0 } }, 0, 40, REPLY_E_TCPHDR },
	{ "ICMP shorter than 8", B_ICMP8, { { 0 } }, 0, 27, REPLY_E_SHORT },
	{ "ICMP echo reply", B_ICMP8, { SET(L4, 0) }, 0, 0, REPLY_E_ICMP },
	{ "ICMP echo request", B_ICMP8, { SET(L4, 8) }, 0, 0, REPLY_E_ICMP },
	{ "ICMP time exceeded", B_ICMPFULL, { SET(L4, 11) }, 0, 0, REPLY_E_ICMP },
	{ "ICMP redirect", B_ICMP8, { SET(L4, 5) }, 0, 0, REPLY_E_ICMP },
	{ "ICMP no quote", B_ICMP8, { { 0 } }, 14 + 28, 28, REPLY_E_ICMP },
	{ "ICMP quoted header truncated",
	  B_ICMP8,
	  { { 0 } },
	  14 + 20 + 8 + 19,
	  20 + 8 + 19,
	  REPLY_E_ICMP },
	{ "ICMP quoted TCP 7 bytes",
	  B_ICMP8,
	  { { 0 } },
	  14 + 20 + 8 + 27,
	  20 + 8 + 27,
	  REPLY_E_ICMP },
	/* Bytes past the ICMP datagram (padding) are not part of the quote. */
	{ "ICMP quote cut by total length", B_ICMPFULL, { { 0 } }, 0, 20 + 8 + 27, REPLY_E_ICMP },
	{ "ICMP quoted IHL 15 past data", B_ICMP8, { { Q, 0x0f, 15 } }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted IHL 6 leaves 4 TCP bytes", B_ICMP8, { { Q, 0x0f, 6 } }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted IHL 15 past full quote", B_ICMPFULL, { { Q, 0x0f, 15 } }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted IHL 4", B_ICMP8, { { Q, 0x0f, 4 } }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted IHL 0", B_ICMPFULL, { { Q, 0x0f, 0 } }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted version 6", B_ICMP8, { { Q, 0xf0, 0x60 } }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted proto UDP", B_ICMP8, { SET(Q + 9, 17) }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted proto ICMP", B_ICMPFULL, { SET(Q + 9, 1) }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted src not us", B_ICMP8, { SET(Q + 15, 2) }, 0, 0, REPLY_E_ICMP },
	{ "ICMP quoted non-first fragment", B_ICMP8, { SET(Q + 7, 3) }, 0, 0, REPLY_E_ICMP },
	{ "ARP request", B_ARP, { SET(ARP + 7, 1) }, 0, 0, REPLY_E_PROTO },
	{ "ARP op 0", B_ARP, { SET(ARP + 7, 0) }, 0, 0, REPLY_E_PROTO },
	{ "ARP op 0x0102", B_ARP, { SET(ARP + 6, 1) }, 0, 0, REPLY_E_PROTO },
	{ "ARP hlen 8", B_ARP, { SET(ARP + 4, 8) }, 0, 0, REPLY_E_PROTO },
	{ "ARP plen 16", B_ARP, { SET(ARP + 5, 16) }, 0, 0, REPLY_E_PROTO },
	{ "ARP htype 6", B_ARP, { SET(ARP + 1, 6) }, 0, 0, REPLY_E_PROTO },
	{ "ARP ptype IPv6", B_ARP, { SET(ARP + 2, 0x86), SET(ARP + 3, 0xdd) }, 0, 0, REPLY_E_PROTO },
	{ "ARP target not us", B_ARP, { SET(ARP + 27, 9) }, 0, 0, REPLY_E_NOT_US },
	{ "ARP op 3 (RARP request)", B_ARP, { SET(ARP + 7, 3) }, 0, 0, REPLY_E_PROTO },
	{ "ARP op 0x0202", B_ARP, { SET(ARP + 6, 2) }, 0, 0, REPLY_E_PROTO },
	{ "ARP hlen 0", B_ARP, { SET(ARP + 4, 0) }, 0, 0, REPLY_E_PROTO },
	{ "ARP plen 6", B_ARP, { SET(ARP + 5, 6) }, 0, 0, REPLY_E_PROTO },
	{ "ARP htype 0x0101", B_ARP, { SET(ARP + 0, 1) }, 0, 0, REPLY_E_PROTO },
	{ "ARP ptype 0x0806", B_ARP, { SET(ARP + 3, 0x06) }, 0, 0, REPLY_E_PROTO },
	{ "ARP target our subnet's broadcast", B_ARP, { SET(ARP + 27, 0xff) }, 0, 0, REPLY_E_NOT_US },
	{ "ARP target 0.0.0.0",
	  B_ARP,
	  { SET(ARP + 24, 0), SET(ARP + 25, 0), SET(ARP + 26, 0), SET(ARP + 27, 0) },
	  0,
	  0,
	  REPLY_E_NOT_US },
	{ "ARP sender broadcast MAC",
	  B_ARP,
	  { SET(ARP + 8, 0xff), SET(ARP + 9, 0xff), SET(ARP + 10, 0xff), SET(ARP + 11, 0xff) },
	  0,
	  0,
	  REPLY_E_ARP },
	{ "ARP sender multicast MAC",
	  B_ARP,
	  { SET(ARP + 8, 0x01), SET(ARP + 9, 0x00), SET(ARP + 10, 0x5e) },
	  0,
	  0,
	  REPLY_E_ARP },
	{ "ARP sender group bit only", B_ARP, { { ARP + 8, 0x01, 0x01 } }, 0, 0, REPLY_E_ARP },
	{ "ARP sender 0.0.0.0 (probe)",
	  B_ARP,
	  { SET(ARP + 14, 0), SET(ARP + 15, 0), SET(ARP + 16, 0), SET(ARP + 17, 0) },
	  0,
	  0,
	  REPLY_E_ARP },
	{ "ARP sender 255.255.255.255",
	  B_ARP,
	  { SET(ARP + 14, 0xff), SET(ARP + 15, 0xff), SET(ARP + 16, 0xff), SET(ARP + 17, 0xff) },
	  0,
	  0,
	  REPLY_E_ARP },
	{ "ARP sender 224.0.0.1",
	  B_ARP,
	  { SET(ARP + 14, 224), SET(ARP + 15, 0), SET(ARP + 16, 0), SET(ARP + 17, 1) },
	  0,
	  0,
	  REPLY_E_ARP },
	{ "ARP sender 240.0.0.1", B_ARP, { SET(ARP + 14, 240) }, 0, 0, REPLY_E_ARP },
	{ "ARP sender is us (gratuitous for our address)",
	  B_ARP,
	  { SET(ARP + 17, 1) },
	  0,
	  0,
	  REPLY_E_ARP },
	{ "ARP 27 bytes", B_ARP, { { 0 } }, 14 + 27, 0, REPLY_E_SHORT },
	{ "ARP header only", B_ARP, { { 0 } }, 14 + 8, 0, REPLY_E_SHORT },
	{ "IPv6 ethertype ARP", B6_SYNACK, { SET(13, 0x06), SET(12, 0x08) }, 0, 0, REPLY_E_PROTO },
	{ "IPv6 ethertype IPv4", B6_SYNACK, { SET(13, 0x00), SET(12, 0x08) }, 0, 0, REPLY_E_IPHDR },
	{ "IPv6 version 4", B6_SYNACK, { { IP, 0xf0, 0x40 } }, 0, 0, REPLY_E_IPHDR },
	{ "IPv6 version 0", B6_NA, { { IP, 0xf0, 0x00 } }, 0, 0, REPLY_E_IPHDR },
	{ "IPv6 version 15", B6_ICMP6, { { IP, 0xf0, 0xf0 } }, 0, 0, REPLY_E_IPHDR },
	{ "IPv6 header 39 bytes", B6_SYNACK, { { 0 } }, 14 + 39, 0, REPLY_E_SHORT },
	{ "IPv6 payload length > caplen", B6_SYNACK, { { 0 } }, 0, 25, REPLY_E_SHORT },
	{ "IPv6 payload length 65535", B6_ICMP6, { { 0 } }, 0, 65535, REPLY_E_SHORT },
	{ "IPv6 payload length 0", B6_SYNACK, { { 0 } }, 0, TOT_ZERO, REPLY_E_SHORT },
	{ "IPv6 payload length 0, hop-by-hop (jumbogram)",
	  B6_RST_EXT,
	  { { 0 } },
	  0,
	  TOT_ZERO,
	  REPLY_E_SHORT },
	{ "IPv6 TCP shorter than 20 in payload", B6_SYNACK, { { 0 } }, 0, 19, REPLY_E_SHORT },
	{ "IPv6 TCP doff past payload length", B6_SYNACK, { { 0 } }, 0, 20, REPLY_E_TCPHDR },
	{ "IPv6 TCP doff 4", B6_SYNACK, { { L6 + 12, 0xf0, 0x40 } }, 0, 0, REPLY_E_TCPHDR },
	{ "IPv6 TCP doff 15", B6_RST_EXT, { { L6 + 24 + 12, 0xf0, 0xf0 } }, 0, 0, REPLY_E_TCPHDR },
	{ "IPv6 dst not us", B6_SYNACK, { SET(IP + 39, 2) }, 0, 0, REPLY_E_NOT_US },
	{ "IPv6 dst ff02::1",
	  B6_SYNACK,
	  { SET(IP + 24, 0xff), SET(IP + 25, 0x02), SET(IP + 26, 0), SET(IP + 27, 0) },
	  0,
	  0,
	  REPLY_E_NOT_US },
	{ "IPv6 dst fe80::1",
	  B6_NA,
	  { SET(IP + 24, 0xfe), SET(IP + 25, 0x80), SET(IP + 26, 0), SET(IP + 27, 0) },
	  0,
	  0,
	  REPLY_E_NOT_US },
	{ "IPv6 src multicast", B6_SYNACK, { SET(IP + 8, 0xff) }, 0, 0, REPLY_E_IPHDR },
	{ "IPv6 next header UDP", B6_SYNACK, { SET(IP + 6, 17) }, 0, 0, REPLY_E_PROTO },
	{ "IPv6 next header no next header", B6_SYNACK, { SET(IP + 6, 59) }, 0, 0, REPLY_E_PROTO },
	{ "IPv6 next header ESP", B6_SYNACK, { SET(IP + 6, 50) }, 0, 0, REPLY_E_PROTO },
	{ "IPv6 next header AH", B6_RST_EXT, { SET(L6 + 8, 51) }, 0, 0, REPLY_E_PROTO },
	{ "IPv6 next header ICMPv4", B6_ICMP6, { SET(IP + 6, 1) }, 0, 0, REPLY_E_PROTO },
	{ "IPv6 fragment header", B6_SYNACK, { SET(IP + 6, 44) }, 0, 0, REPLY_E_FRAGMENT },
	{ "IPv6 fragment after options", B6_RST_EXT, { SET(L6 + 8, 44) }, 0, 0, REPLY_E_FRAGMENT },
	{ "IPv6 hop-by-hop second", B6_RST_EXT, { SET(L6, 0) }, 0, 0, REPLY_E_IPHDR },
	{ "IPv6 hop-by-hop past payload", B6_RST_EXT, { SET(L6 + 1, 5) }, 0, 0, REPLY_E_SHORT },
	{ "IPv6 dest options past payload", B6_RST_EXT, { SET(L6 + 9, 4) }, 0, 0, REPLY_E_SHORT },
	{ "IPv6 options cut by payload length", B6_RST_EXT, { { 0 } }, 0, 8 + 15, REPLY_E_SHORT },
	/* The destination options header relabelled routing: type 1, segments left 12 or 0. */
	{ "IPv6 routing segments left 12", B6_RST_EXT, { SET(L6, 43) }, 0, 0, REPLY_E_NOT_US },
	{ "IPv6 routing segments left 1",
	  B6_RST_EXT,
	  { SET(L6, 43), SET(L6 + 11, 1) },
	  0,
	  0,
	  REPLY_E_NOT_US },
	{ "IPv6 routing segments left 0", B6_RST_EXT, { SET(L6, 43), SET(L6 + 11, 0) }, 0, 0, 0 },
	{ "ICMPv6 shorter than 8", B6_ICMP6, { { 0 } }, 0, 7, REPLY_E_SHORT },
	{ "ICMPv6 echo request", B6_ICMP6, { SET(L6, 128) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 echo reply", B6_ICMP6, { SET(L6, 129) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 packet too big", B6_ICMP6, { SET(L6, 2) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 time exceeded", B6_ICMP6, { SET(L6, 3) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 parameter problem", B6_ICMP6, { SET(L6, 4) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 neighbor solicitation", B6_NA, { SET(L6, 135) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 router advertisement", B6_NA, { SET(L6, 134) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 redirect", B6_NA, { SET(L6, 137) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 no quote", B6_ICMP6, { { 0 } }, 14 + 40 + 8, 8, REPLY_E_ICMP },
	{ "ICMPv6 quoted header 39 bytes",
	  B6_ICMP6,
	  { { 0 } },
	  14 + 40 + 8 + 39,
	  8 + 39,
	  REPLY_E_ICMP },
	{ "ICMPv6 quoted TCP 7 bytes", B6_ICMP6, { { 0 } }, 14 + 40 + 8 + 47, 8 + 47, REPLY_E_ICMP },
	{ "ICMPv6 quoted TCP 8 bytes", B6_ICMP6, { { 0 } }, 14 + 40 + 8 + 48, 8 + 48, 0 },
	{ "ICMPv6 quote cut by payload length", B6_ICMP6, { { 0 } }, 0, 8 + 47, REPLY_E_ICMP },
	{ "ICMPv6 quoted version 4", B6_ICMP6, { { Q6, 0xf0, 0x40 } }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 quoted src not us", B6_ICMP6, { SET(Q6 + 23, 2) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 quoted next header UDP", B6_ICMP6, { SET(Q6 + 6, 17) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 quoted next header fragment", B6_ICMP6, { SET(Q6 + 6, 44) }, 0, 0, REPLY_E_ICMP },
	{ "ICMPv6 quoted dest options past quote",
	  B6_ICMP6,
	  { SET(Q6 + 6, 60), SET(Q6 + 41, 3) },
	  0,
	  0,
	  REPLY_E_ICMP },
	{ "ICMPv6 quoted payload length 7",
	  B6_ICMP6,
	  { SET(Q6 + 4, 0), SET(Q6 + 5, 7) },
	  0,
	  0,
	  REPLY_E_ICMP },
	{ "ICMPv6 quoted payload length 8", B6_ICMP6, { SET(Q6 + 4, 0), SET(Q6 + 5, 8) }, 0, 0, 0 },
	{ "ICMPv6 quoted payload length 65535",
	  B6_ICMP6,
	  { SET(Q6 + 4, 0xff), SET(Q6 + 5, 0xff) },
	  0,
	  0,
	  0 },
	{ "NA hop limit 64", B6_NA, { SET(IP + 7, 64) }, 0, 0, REPLY_E_ND },
	{ "NA hop limit 254", B6_NA_BARE, { SET(IP + 7, 254) }, 0, 0, REPLY_E_ND },
	{ "NA code 1", B6_NA, { SET(L6 + 1, 1) }, 0, 0, REPLY_E_ND },
	{ "NA solicited flag clear", B6_NA, { { L6 + 4, 0x40, 0 } }, 0, 0, REPLY_E_ND },
	{ "NA shorter than 24", B6_NA_BARE, { { 0 } }, 0, 23, REPLY_E_ND },
	{ "NA exactly 24, option cut off", B6_NA, { { 0 } }, 0, 24, 0 },
	{ "NA 25 bytes", B6_NA, { { 0 } }, 0, 25, REPLY_E_ND },
	{ "NA target multicast", B6_NA, { SET(L6 + 8, 0xff) }, 0, 0, REPLY_E_ND },
	{ "NA target is us", B6_NA, { SET(L6 + 23, 1) }, 0, 0, REPLY_E_ND },
	{ "NA option length 0", B6_NA, { SET(NAO + 1, 0) }, 0, 0, REPLY_E_ND },
	{ "NA option length 2 past message", B6_NA, { SET(NAO + 1, 2) }, 0, 0, REPLY_E_ND },
	{ "NA option length 255", B6_NA, { SET(NAO + 1, 255) }, 0, 0, REPLY_E_ND },
	{ "NA unknown option only", B6_NA, { SET(NAO, 99) }, 0, 0, 0 },
	{ "NA TLLA group address", B6_NA, { { NAO + 2, 0x01, 0x01 } }, 0, 0, REPLY_E_ND },
	{ "NA no TLLA, Ethernet source multicast",
	  B6_NA_BARE,
	  { SET(6, 0x33), SET(7, 0x33) },
	  0,
	  0,
	  REPLY_E_ND },
	{ "NA to all nodes",
	  B6_NA,
	  { SET(IP + 24, 0xff), SET(IP + 25, 0x02), SET(IP + 26, 0), SET(IP + 27, 0) },
	  0,
	  0,
	  REPLY_E_NOT_US },
};

static void test_malformed_table(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;

	(void)state;
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		const struct malformed *m = &malformed[i];
		size_t len = build_base(m->base, f);
		int rc;

		for (size_t k = 0; k < 4; k++) {
			const struct poke *p = &m->pokes[k];

			if (p->mask == 0)
				continue;
			f[p->off] = (uint8_t)((f[p->off] & ~p->mask) | p->val);
		}
		if (m->tot)
			w16(f + IP + (base_is_v6(m->base) ? 4 : 2), (uint16_t)m->tot);
		if (m->len)
			len = (size_t)m->len;
		rc = parse_exact(f, len, &r);
		if (rc != m->want)
			fail_msg("%s: got %d, want %d", m->name, rc, m->want);
	}
}

static void test_vlan_tagged_frame_not_followed(void **state)
{
	uint8_t f[MAXFRAME], v[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp(f, 5, TARGET_IP, 443, 40000, 7, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1);
	memcpy(v, f, 12);
	w16(v + 12, 0x8100);
	w16(v + 14, 0x0005); /* VID 5 */
	memcpy(v + 16, f + 12, n - 12);
	assert_int_equal(parse_exact(v, n + 4, &r), REPLY_E_ETHERTYPE);
	w16(v + 12, 0x88a8); /* 802.1ad */
	assert_int_equal(parse_exact(v, n + 4, &r), REPLY_E_ETHERTYPE);
}

static void test_random_corruption_stays_in_bounds(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;

	(void)state;
	/* Flip random bytes of valid frames: any result is fine as long as it
	 * is 0 or a reply_error and ASan sees no over-read. */
	for (int k = 0; k < 20000; k++) {
		size_t len = build_base((enum base)(k % B_COUNT), f);
		int flips = 1 + (int)(rng() % 4);
		int rc;

		for (int j = 0; j < flips; j++)
			f[rng() % len] = (uint8_t)rng();
		if (rng() % 4 == 0)
			len = (size_t)(rng() % (len + 1));
		rc = parse_exact(f, len, &r);
		assert_true(rc == 0 || (rc <= REPLY_E_SHORT && rc >= REPLY_E_ND));
	}
}

/* ---- which ARP replies are believed ----------------------------------- */

static const uint8_t FORGED_MAC[6] = { 0x02, 0xf0, 0x00, 0x00, 0x00, 0x01 };

/* Parses an ARP frame and applies reply_arp_to_us: 0 or the first error. */
static int arp_to_us(const uint8_t *f, size_t n)
{
	struct reply r;
	int rc = parse_exact(f, n, &r);

	return rc != 0 ? rc : reply_arp_to_us(&r, OUR_MAC);
}

static void test_arp_must_be_unicast_to_us(void **state)
{
	uint8_t f[MAXFRAME];
	size_t n;

	(void)state;
	n = build_arp(f, 2, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
	assert_int_equal(arp_to_us(f, n), 0);

	/* Ethernet broadcast, target hardware address still ours. */
	memcpy(f, BCAST, 6);
	assert_int_equal(arp_to_us(f, n), REPLY_E_NOT_US);
	/* Unicast to another station (we see it on a hub or a flooding switch). */
	memcpy(f, PEER_MAC, 6);
	assert_int_equal(arp_to_us(f, n), REPLY_E_NOT_US);

	/* Target hardware address broadcast, zero or another station's. */
	n = build_arp(f, 2, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
	memcpy(f + 14 + 18, BCAST, 6);
	assert_int_equal(arp_to_us(f, n), REPLY_E_NOT_US);
	memcpy(f + 14 + 18, ZERO_MAC, 6);
	assert_int_equal(arp_to_us(f, n), REPLY_E_NOT_US);
	memcpy(f + 14 + 18, GW_MAC, 6);
	assert_int_equal(arp_to_us(f, n), REPLY_E_NOT_US);

	/* A reply claiming our own MAC for a neighbour's address. */
	n = build_arp(f, 2, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
	memcpy(f + 14 + 8, OUR_MAC, 6);
	assert_int_equal(arp_to_us(f, n), REPLY_E_ARP);

	/* Not an ARP reply at all. */
	{
		struct reply r;

		n = build_tcp(f, 5, TARGET_IP, 443, 40000, 7, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1);
		assert_int_equal(parse_exact(f, n, &r), 0);
		assert_int_equal(reply_arp_to_us(&r, OUR_MAC), REPLY_E_PROTO);
	}
}

static void test_gratuitous_and_requests_rejected(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	/* Gratuitous ARP announcing a neighbour (request and reply forms). */
	n = build_arp(f, 2, PEER_MAC, OTHER_IP, BCAST, OTHER_IP);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_NOT_US);
	n = build_arp(f, 1, PEER_MAC, OTHER_IP, ZERO_MAC, OTHER_IP);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_PROTO);
	/* Gratuitous ARP claiming our address, reply and request forms. */
	n = build_arp(f, 2, PEER_MAC, OUR_IP, OUR_MAC, OUR_IP);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_ARP);
	n = build_arp(f, 1, PEER_MAC, OUR_IP, ZERO_MAC, OUR_IP);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_PROTO);
	/* A request for our address: a question, not an answer. */
	n = build_arp(f, 1, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
	assert_int_equal(parse_exact(f, n, &r), REPLY_E_PROTO);
}

#define IP10 0xc612000au /* 198.18.0.10 */
#define IP11 0xc612000bu
#define IP20 0xc6120014u
#define IP99 0xc6120063u
#define V4(x) addr_from_v4(x)

static void test_arp_guard_first_valid_reply_wins(void **state)
{
	const ip_addr asked[] = { V4(IP20), V4(IP10), V4(IP11),
				  V4(IP10) /* twice: gateway and target */ };
	struct arp_guard g;

	(void)state;
	assert_int_equal(arp_guard_init(&g, asked, 4), 0);
	assert_int_equal(g.nclaims, 3);

	assert_int_equal(arp_guard_judge(&g, V4(IP99), PEER_MAC), ARP_UNASKED);
	assert_int_equal(arp_guard_judge(&g, V4(OUR_IP), PEER_MAC), ARP_UNASKED);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), PEER_MAC), ARP_LEARN);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), PEER_MAC), ARP_DUPLICATE);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), FORGED_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), GW_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), PEER_MAC), ARP_DUPLICATE);
	/* The forger racing first for IP11 wins; the real host conflicts. */
	assert_int_equal(arp_guard_judge(&g, V4(IP11), FORGED_MAC), ARP_LEARN);
	assert_int_equal(arp_guard_judge(&g, V4(IP11), PEER_MAC), ARP_CONFLICT);

	arp_guard_close(&g);
	/* After the phase: nothing is learnt, conflicts are still noticed. */
	assert_int_equal(arp_guard_judge(&g, V4(IP20), FORGED_MAC), ARP_LATE);
	assert_int_equal(arp_guard_judge(&g, V4(IP20), FORGED_MAC), ARP_LATE);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), FORGED_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), PEER_MAC), ARP_DUPLICATE);
	assert_int_equal(arp_guard_judge(&g, V4(IP99), PEER_MAC), ARP_UNASKED);

	assert_int_equal(g.counts[ARP_LEARN], 2);
	assert_int_equal(g.counts[ARP_DUPLICATE], 3);
	assert_int_equal(g.counts[ARP_CONFLICT], 4);
	assert_int_equal(g.counts[ARP_UNASKED], 3);
	assert_int_equal(g.counts[ARP_LATE], 2);
	assert_int_equal(g.conflict_addrs, 2);
	assert_int_equal(g.conflict_replies, 4);
	assert_int_equal(g.nconflicts, 2);
	assert_true(addr_eq(g.conflicts[0].ip, V4(IP10)));
	assert_memory_equal(g.conflicts[0].kept, PEER_MAC, 6);
	assert_memory_equal(g.conflicts[0].other, FORGED_MAC, 6);
	assert_int_equal(g.conflicts[0].replies, 3);
	assert_true(addr_eq(g.conflicts[1].ip, V4(IP11)));
	assert_memory_equal(g.conflicts[1].kept, FORGED_MAC, 6);
	assert_int_equal(g.conflicts[1].replies, 1);
	arp_guard_free(&g);
}

static void test_arp_guard_empty_believes_nothing(void **state)
{
	struct arp_guard g;

	(void)state;
	assert_int_equal(arp_guard_init(&g, NULL, 0), 0);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), PEER_MAC), ARP_UNASKED);
	assert_int_equal(arp_guard_report(&g, stderr), 0);
	arp_guard_free(&g);
}

/* Runs arp_guard_report into a string. */
static char *report_text(const struct arp_guard *g, uint64_t *addrs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*addrs = arp_guard_report(g, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_arp_guard_report(void **state)
{
	ip_addr asked[ARP_CONFLICTS_SHOWN + 3];
	struct arp_guard g;
	uint64_t addrs;
	char *text;
	size_t lines = 0;

	(void)state;
	for (size_t i = 0; i < ARP_CONFLICTS_SHOWN + 3; i++)
		asked[i] = V4(IP10 + (uint32_t)i);
	assert_int_equal(arp_guard_init(&g, asked, ARP_CONFLICTS_SHOWN + 3), 0);

	text = report_text(&g, &addrs);
	assert_string_equal(text, "");
	assert_int_equal(addrs, 0);
	free(text);

	assert_int_equal(arp_guard_judge(&g, V4(IP10), PEER_MAC), ARP_LEARN);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), FORGED_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), GW_MAC), ARP_CONFLICT);
	text = report_text(&g, &addrs);
	assert_string_equal(text,
			    "portus: warning: ARP conflict for 198.18.0.10: probed at "
			    "0a:11:22:33:44:55 (first answer); ignored 2 answer(s) from other "
			    "MACs, first 02:f0:00:00:00:01 (ARP spoofing, or a host answering "
			    "from two interfaces)\n");
	assert_int_equal(addrs, 1);
	free(text);

	/* Every address conflicts, twice: shown up to the cap, then counted. */
	for (size_t i = 1; i < ARP_CONFLICTS_SHOWN + 3; i++) {
		assert_int_equal(arp_guard_judge(&g, asked[i], PEER_MAC), ARP_LEARN);
		assert_int_equal(arp_guard_judge(&g, asked[i], FORGED_MAC), ARP_CONFLICT);
		assert_int_equal(arp_guard_judge(&g, asked[i], FORGED_MAC), ARP_CONFLICT);
	}
	text = report_text(&g, &addrs);
	assert_int_equal(addrs, ARP_CONFLICTS_SHOWN + 3);
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, ARP_CONFLICTS_SHOWN + 1);
	assert_non_null(strstr(text, "ARP conflict for 198.18.0.41: "));
	assert_null(strstr(text, "198.18.0.42:"));
	assert_non_null(strstr(
		text, "\nportus: warning: ARP/NDP conflicts for 3 more address(es) not listed\n"));
	assert_int_equal(g.conflict_replies, 2 + 2 * (ARP_CONFLICTS_SHOWN + 2));
	free(text);
	arp_guard_free(&g);
}

/* IPv6 claims (NDP) sit in the same guard as IPv4 ones: an IPv6 address whose
 * low 32 bits equal an IPv4 claim is another address, and its conflicts are
 * reported as NDP ones in RFC 5952 form. */
static void test_arp_guard_mixed_families(void **state)
{
	const ip_addr v6 = { ((u128)0x20010db800000001ull << 64) | 0x10 }; /* 2001:db8:0:1::10 */
	const ip_addr v6_low = { IP10 }; /* ::198.18.0.10, not 198.18.0.10 */
	const ip_addr asked[] = { v6, V4(IP10) };
	struct arp_guard g;
	uint64_t addrs;
	char *text;

	(void)state;
	assert_int_equal(arp_guard_init(&g, asked, 2), 0);
	assert_int_equal(g.nclaims, 2);
	assert_int_equal(arp_guard_judge(&g, v6_low, PEER_MAC), ARP_UNASKED);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), GW_MAC), ARP_LEARN);
	assert_int_equal(arp_guard_judge(&g, v6, PEER_MAC), ARP_LEARN);
	assert_int_equal(arp_guard_judge(&g, v6, FORGED_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, V4(IP10), GW_MAC), ARP_DUPLICATE);
	text = report_text(&g, &addrs);
	assert_int_equal(addrs, 1);
	assert_string_equal(text,
			    "portus: warning: NDP conflict for 2001:db8:0:1::10: probed at "
			    "0a:11:22:33:44:55 (first answer); ignored 1 answer(s) from other "
			    "MACs, first 02:f0:00:00:00:01 (NDP spoofing, or a host answering "
			    "from two interfaces)\n");
	free(text);
	arp_guard_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_ack_fills_every_field),
		cmocka_unit_test(test_rst_ack_fills_every_field),
		cmocka_unit_test(test_tcp_ack_zero_wraps_probe_seq),
		cmocka_unit_test(test_icmp_admin_prohibited_quoting_probe),
		cmocka_unit_test(test_icmp_every_unreachable_code),
		cmocka_unit_test(test_icmp_with_ip_options_outer_and_quoted),
		cmocka_unit_test(test_arp_reply_fills_every_field),
		cmocka_unit_test(test_arp_mac_is_sender_hw_not_eth_source),
		cmocka_unit_test(test_ethernet_padding_after_short_ip_packet),
		cmocka_unit_test(test_outer_ip_options_parse),
		cmocka_unit_test(test_round_trip_probe_through_icmp_and_tcp),
		cmocka_unit_test(test_ip6_syn_ack_fills_every_field),
		cmocka_unit_test(test_ip6_rst_with_padding_fills_every_field),
		cmocka_unit_test(test_ip6_tcp_behind_extension_headers),
		cmocka_unit_test(test_ip6_extension_header_limits),
		cmocka_unit_test(test_ip6_extension_header_past_payload_is_short),
		cmocka_unit_test(test_ip6_fragments_are_dropped),
		cmocka_unit_test(test_ip6_other_upper_layers_rejected),
		cmocka_unit_test(test_icmp6_unreachable_quoting_probe_every_code),
		cmocka_unit_test(test_icmp6_quote_lengths),
		cmocka_unit_test(test_icmp6_quote_with_extension_headers),
		cmocka_unit_test(test_icmp6_quote_must_be_our_tcp_probe),
		cmocka_unit_test(test_icmp6_other_types_rejected),
		cmocka_unit_test(test_na_with_tlla_fills_every_field),
		cmocka_unit_test(test_na_without_tlla_uses_ethernet_source),
		cmocka_unit_test(test_na_options_walked),
		cmocka_unit_test(test_na_validation),
		cmocka_unit_test(test_ip6_not_to_us),
		cmocka_unit_test(test_ip6_impossible_sources_rejected),
		cmocka_unit_test(test_no_ip6_source_rejects_every_ip6_frame),
		cmocka_unit_test(test_ip6_round_trip_icmp6_and_tcp),
		cmocka_unit_test(test_every_truncation_is_short),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_vlan_tagged_frame_not_followed),
		cmocka_unit_test(test_random_corruption_stays_in_bounds),
		cmocka_unit_test(test_arp_must_be_unicast_to_us),
		cmocka_unit_test(test_gratuitous_and_requests_rejected),
		cmocka_unit_test(test_arp_guard_first_valid_reply_wins),
		cmocka_unit_test(test_arp_guard_empty_believes_nothing),
		cmocka_unit_test(test_arp_guard_report),
		cmocka_unit_test(test_arp_guard_mixed_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
