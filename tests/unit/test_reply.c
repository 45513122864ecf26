/*
 * test_reply.c — reply_parse on frames built here: TCP SYN-ACK and RST-ACK,
 * ICMP destination unreachable quoting a probe from probe_build, ARP replies;
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

#define OUR_IP 0xc6120001u    /* 198.18.0.1 */
#define TARGET_IP 0xc6130a0bu /* 198.19.10.11 */
#define ROUTER_IP 0xc612fe01u /* 198.18.254.1 */
#define OTHER_IP 0xc6120002u  /* 198.18.0.2 */

static const uint8_t OUR_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t GW_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
static const uint8_t PEER_MAC[6] = {0x0a, 0x11, 0x22, 0x33, 0x44, 0x55};

#define MAXFRAME 256

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
 * Parses a heap copy of exactly len bytes (ASan flags any over-read). On
 * failure also checks that *out was left untouched.
 */
static int parse_exact(const uint8_t *frame, size_t len, struct reply *out)
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
	rc = reply_parse(len ? copy : copy + 1, len, OUR_IP, out);
	free(copy);
	if (rc != 0)
		assert_memory_equal(out, &before, sizeof(before));
	return rc;
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

/* A TCP segment from tip:tport to OUR_IP:our_port (checksum left zero: the
 * parser does not verify it). */
static size_t build_tcp(uint8_t *f, uint8_t ihl, uint32_t tip, uint16_t tport, uint16_t our_port,
			uint32_t seq, uint32_t ack, uint8_t flags, int with_mss)
{
	size_t tl = with_mss ? 24 : 20;
	size_t n = put_eth(f, OUR_MAC, PEER_MAC, 0x0800);
	uint8_t *t;

	n += put_ip(f + n, ihl, tl, 57, 6, tip, OUR_IP);
	t = f + n;
	w16(t + 0, tport);
	w16(t + 2, our_port);
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
	return n + tl;
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

/* ---- well-formed replies ---------------------------------------------- */

static void test_syn_ack_fills_every_field(void **state)
{
	uint8_t f[MAXFRAME];
	struct reply r;
	size_t n;

	(void)state;
	n = build_tcp(f, 5, TARGET_IP, 443, 40000, 0x11111111u, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1);
	assert_int_equal(n, 58);
	assert_int_equal(parse_exact(f, n, &r), 0);
	assert_int_equal(r.type, REPLY_TCP);
	assert_int_equal(r.target_ip, TARGET_IP);
	assert_int_equal(r.target_port, 443);
	assert_int_equal(r.probe_sport, 40000);
	assert_int_equal(r.probe_seq, 0x89abcdefu);
	assert_int_equal(r.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.ttl, 57);
	assert_int_equal(r.responder_ip, TARGET_IP);
	assert_memory_equal(r.mac, PEER_MAC, 6);
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
	assert_int_equal(r.target_ip, TARGET_IP);
	assert_int_equal(r.target_port, 22);
	assert_int_equal(r.probe_sport, 61000);
	assert_int_equal(r.probe_seq, 0);
	assert_int_equal(r.tcp_flags, TCPF_RST | TCPF_ACK);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.ttl, 57);
	assert_int_equal(r.responder_ip, TARGET_IP);
	assert_memory_equal(r.mac, PEER_MAC, 6);
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
	assert_int_equal(r->target_ip, TARGET_IP);
	assert_int_equal(r->target_port, 443);
	assert_int_equal(r->probe_sport, 40000);
	assert_int_equal(r->probe_seq, 0x89abcdefu);
	assert_int_equal(r->tcp_flags, 0);
	assert_int_equal(r->icmp_type, 3);
	assert_int_equal(r->icmp_code, code);
	assert_int_equal(r->ttl, 250);
	assert_int_equal(r->responder_ip, ROUTER_IP);
	assert_memory_equal(r->mac, GW_MAC, 6);
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
	assert_int_equal(r.target_ip, OTHER_IP);
	assert_int_equal(r.responder_ip, OTHER_IP);
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

	/* Padded to the 60-byte Ethernet minimum, as on the wire. */
	memset(f + n, 0xee, 60 - n);
	assert_int_equal(parse_exact(f, 60, &r), 0);
	assert_int_equal(r.target_ip, OTHER_IP);
}

static void test_arp_mac_is_sender_hw_not_eth_source(void **state)
{
	static const uint8_t proxy[6] = {0x0a, 0x99, 0x99, 0x99, 0x99, 0x99};
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
	assert_int_equal(r.target_ip, TARGET_IP);
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
		assert_int_equal(r.target_ip, dip);
		assert_int_equal(r.target_port, dport);
		assert_int_equal(r.probe_sport, sport);
		assert_int_equal(r.probe_seq, seq);
		assert_int_equal(r.icmp_code, code);

		/* The target's answer: addresses and ports swapped, ack = seq + 1. */
		n = build_tcp(f, 5, r32(probe + 30), r16(probe + 36), r16(probe + 34),
			      (uint32_t)rng(), r32(probe + 38) + 1u, TCPF_SYN | TCPF_ACK, 1);
		assert_int_equal(parse_exact(f, n, &r), 0);
		assert_int_equal(r.type, REPLY_TCP);
		assert_int_equal(r.target_ip, dip);
		assert_int_equal(r.target_port, dport);
		assert_int_equal(r.probe_sport, sport);
		assert_int_equal(r.probe_seq, seq);
	}
}

/* ---- truncation ------------------------------------------------------- */

enum base { B_SYNACK, B_RST, B_ICMP8, B_ICMPFULL, B_ARP, B_COUNT };

static size_t build_base(enum base b, uint8_t *f)
{
	uint8_t probe[PROBE_LEN];

	our_probe(probe);
	switch (b) {
	case B_SYNACK:
		return build_tcp(f, 5, TARGET_IP, 443, 40000, 7, 0x89abcdf0u, TCPF_SYN | TCPF_ACK, 1);
	case B_RST:
		return build_tcp(f, 5, TARGET_IP, 443, 40000, 0, 0x89abcdf0u, TCPF_RST | TCPF_ACK, 0);
	case B_ICMP8:
		return build_icmp(f, 5, ROUTER_IP, 3, 13, probe + 14, 28);
	case B_ICMPFULL:
		return build_icmp(f, 5, ROUTER_IP, 3, 3, probe + 14, 44);
	case B_ARP:
		return build_arp(f, 2, PEER_MAC, OTHER_IP, OUR_MAC, OUR_IP);
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
	int tot; /* new IP total length; 0 keeps it, TOT_ZERO writes 0 */
	int want;
};

/* Offsets for an IHL-5 base frame. */
#define IP 14
#define L4 34
#define Q (L4 + 8) /* quoted IP header inside ICMP */
#define ARP 14
#define SET(o, v) {(o), 0xff, (v)}
#define TOT_ZERO 0x10000 /* truncated to 0 when written */

static const struct malformed malformed[] = {
	{"ethertype IPv6", B_SYNACK, {SET(12, 0x86), SET(13, 0xdd)}, 0, 0, REPLY_E_ETHERTYPE},
	{"ethertype 802.1Q", B_SYNACK, {SET(12, 0x81), SET(13, 0x00)}, 0, 0, REPLY_E_ETHERTYPE},
	{"ethertype zero", B_ARP, {SET(12, 0), SET(13, 0)}, 0, 0, REPLY_E_ETHERTYPE},
	{"IP version 6", B_SYNACK, {{IP, 0xf0, 0x60}}, 0, 0, REPLY_E_IPHDR},
	{"IP version 0", B_RST, {{IP, 0xf0, 0x00}}, 0, 0, REPLY_E_IPHDR},
	{"IHL 4", B_SYNACK, {{IP, 0x0f, 4}}, 0, 0, REPLY_E_IPHDR},
	{"IHL 0", B_RST, {{IP, 0x0f, 0}}, 0, 0, REPLY_E_IPHDR},
	{"IHL 15 past caplen", B_RST, {{IP, 0x0f, 15}}, 0, 0, REPLY_E_SHORT},
	{"IHL 15 past caplen by 4", B_ICMP8, {{IP, 0x0f, 15}}, 0, 0, REPLY_E_SHORT},
	{"total length 19 < IHL*4", B_SYNACK, {{0}}, 0, 19, REPLY_E_IPHDR},
	{"total length 0", B_RST, {{0}}, 0, TOT_ZERO, REPLY_E_IPHDR},
	{"total length 23 < IHL 6", B_RST, {{IP, 0x0f, 6}}, 0, 23, REPLY_E_IPHDR},
	{"total length > caplen", B_RST, {{0}}, 0, 41, REPLY_E_SHORT},
	{"total length 65535", B_ICMPFULL, {{0}}, 0, 65535, REPLY_E_SHORT},
	{"MF set", B_SYNACK, {{IP + 6, 0x20, 0x20}}, 0, 0, REPLY_E_FRAGMENT},
	{"fragment offset 1", B_RST, {SET(IP + 7, 1)}, 0, 0, REPLY_E_FRAGMENT},
	{"fragment offset 0x1000", B_RST, {{IP + 6, 0x1f, 0x10}}, 0, 0, REPLY_E_FRAGMENT},
	{"ICMP fragment", B_ICMP8, {{IP + 6, 0x20, 0x20}}, 0, 0, REPLY_E_FRAGMENT},
	{"dst not us", B_SYNACK, {SET(IP + 19, 2)}, 0, 0, REPLY_E_NOT_US},
	{"dst broadcast", B_RST, {SET(IP + 16, 0xff), SET(IP + 17, 0xff), SET(IP + 18, 0xff),
				  SET(IP + 19, 0xff)}, 0, 0, REPLY_E_NOT_US},
	{"ICMP dst not us", B_ICMP8, {SET(IP + 16, 10)}, 0, 0, REPLY_E_NOT_US},
	{"protocol UDP", B_RST, {SET(IP + 9, 17)}, 0, 0, REPLY_E_PROTO},
	{"protocol 0", B_SYNACK, {SET(IP + 9, 0)}, 0, 0, REPLY_E_PROTO},
	{"TCP shorter than 20 in datagram", B_RST, {{0}}, 0, 39, REPLY_E_SHORT},
	{"TCP empty", B_RST, {{0}}, 0, 20, REPLY_E_SHORT},
	{"TCP doff 4", B_RST, {{L4 + 12, 0xf0, 0x40}}, 0, 0, REPLY_E_TCPHDR},
	{"TCP doff 0", B_SYNACK, {{L4 + 12, 0xf0, 0x00}}, 0, 0, REPLY_E_TCPHDR},
	{"TCP doff 6 past 20-byte payload", B_RST, {{L4 + 12, 0xf0, 0x60}}, 0, 0, REPLY_E_TCPHDR},
	{"TCP doff 15", B_SYNACK, {{L4 + 12, 0xf0, 0xf0}}, 0, 0, REPLY_E_TCPHDR},
	/* doff 6 fits the captured bytes but not the datagram. */
	{"TCP doff past total length", B_SYNACK, {{0}}, 0, 40, REPLY_E_TCPHDR},
	{"ICMP shorter than 8", B_ICMP8, {{0}}, 0, 27, REPLY_E_SHORT},
	{"ICMP echo reply", B_ICMP8, {SET(L4, 0)}, 0, 0, REPLY_E_ICMP},
	{"ICMP echo request", B_ICMP8, {SET(L4, 8)}, 0, 0, REPLY_E_ICMP},
	{"ICMP time exceeded", B_ICMPFULL, {SET(L4, 11)}, 0, 0, REPLY_E_ICMP},
	{"ICMP redirect", B_ICMP8, {SET(L4, 5)}, 0, 0, REPLY_E_ICMP},
	{"ICMP no quote", B_ICMP8, {{0}}, 14 + 28, 28, REPLY_E_ICMP},
	{"ICMP quoted header truncated", B_ICMP8, {{0}}, 14 + 20 + 8 + 19, 20 + 8 + 19,
	 REPLY_E_ICMP},
	{"ICMP quoted TCP 7 bytes", B_ICMP8, {{0}}, 14 + 20 + 8 + 27, 20 + 8 + 27, REPLY_E_ICMP},
	/* Bytes past the ICMP datagram (padding) are not part of the quote. */
	{"ICMP quote cut by total length", B_ICMPFULL, {{0}}, 0, 20 + 8 + 27, REPLY_E_ICMP},
	{"ICMP quoted IHL 15 past data", B_ICMP8, {{Q, 0x0f, 15}}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted IHL 6 leaves 4 TCP bytes", B_ICMP8, {{Q, 0x0f, 6}}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted IHL 15 past full quote", B_ICMPFULL, {{Q, 0x0f, 15}}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted IHL 4", B_ICMP8, {{Q, 0x0f, 4}}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted IHL 0", B_ICMPFULL, {{Q, 0x0f, 0}}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted version 6", B_ICMP8, {{Q, 0xf0, 0x60}}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted proto UDP", B_ICMP8, {SET(Q + 9, 17)}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted proto ICMP", B_ICMPFULL, {SET(Q + 9, 1)}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted src not us", B_ICMP8, {SET(Q + 15, 2)}, 0, 0, REPLY_E_ICMP},
	{"ICMP quoted non-first fragment", B_ICMP8, {SET(Q + 7, 3)}, 0, 0, REPLY_E_ICMP},
	{"ARP request", B_ARP, {SET(ARP + 7, 1)}, 0, 0, REPLY_E_PROTO},
	{"ARP op 0", B_ARP, {SET(ARP + 7, 0)}, 0, 0, REPLY_E_PROTO},
	{"ARP op 0x0102", B_ARP, {SET(ARP + 6, 1)}, 0, 0, REPLY_E_PROTO},
	{"ARP hlen 8", B_ARP, {SET(ARP + 4, 8)}, 0, 0, REPLY_E_PROTO},
	{"ARP plen 16", B_ARP, {SET(ARP + 5, 16)}, 0, 0, REPLY_E_PROTO},
	{"ARP htype 6", B_ARP, {SET(ARP + 1, 6)}, 0, 0, REPLY_E_PROTO},
	{"ARP ptype IPv6", B_ARP, {SET(ARP + 2, 0x86), SET(ARP + 3, 0xdd)}, 0, 0, REPLY_E_PROTO},
	{"ARP target not us", B_ARP, {SET(ARP + 27, 9)}, 0, 0, REPLY_E_NOT_US},
	{"ARP op 3 (RARP request)", B_ARP, {SET(ARP + 7, 3)}, 0, 0, REPLY_E_PROTO},
	{"ARP op 0x0202", B_ARP, {SET(ARP + 6, 2)}, 0, 0, REPLY_E_PROTO},
	{"ARP hlen 0", B_ARP, {SET(ARP + 4, 0)}, 0, 0, REPLY_E_PROTO},
	{"ARP plen 6", B_ARP, {SET(ARP + 5, 6)}, 0, 0, REPLY_E_PROTO},
	{"ARP htype 0x0101", B_ARP, {SET(ARP + 0, 1)}, 0, 0, REPLY_E_PROTO},
	{"ARP ptype 0x0806", B_ARP, {SET(ARP + 3, 0x06)}, 0, 0, REPLY_E_PROTO},
	{"ARP target our subnet's broadcast", B_ARP, {SET(ARP + 27, 0xff)}, 0, 0, REPLY_E_NOT_US},
	{"ARP target 0.0.0.0", B_ARP, {SET(ARP + 24, 0), SET(ARP + 25, 0), SET(ARP + 26, 0),
				       SET(ARP + 27, 0)}, 0, 0, REPLY_E_NOT_US},
	{"ARP sender broadcast MAC", B_ARP, {SET(ARP + 8, 0xff), SET(ARP + 9, 0xff), SET(ARP + 10, 0xff),
					     SET(ARP + 11, 0xff)}, 0, 0, REPLY_E_ARP},
	{"ARP sender multicast MAC", B_ARP, {SET(ARP + 8, 0x01), SET(ARP + 9, 0x00),
					     SET(ARP + 10, 0x5e)}, 0, 0, REPLY_E_ARP},
	{"ARP sender group bit only", B_ARP, {{ARP + 8, 0x01, 0x01}}, 0, 0, REPLY_E_ARP},
	{"ARP sender 0.0.0.0 (probe)", B_ARP, {SET(ARP + 14, 0), SET(ARP + 15, 0), SET(ARP + 16, 0),
					       SET(ARP + 17, 0)}, 0, 0, REPLY_E_ARP},
	{"ARP sender 255.255.255.255", B_ARP, {SET(ARP + 14, 0xff), SET(ARP + 15, 0xff),
					       SET(ARP + 16, 0xff), SET(ARP + 17, 0xff)}, 0, 0, REPLY_E_ARP},
	{"ARP sender 224.0.0.1", B_ARP, {SET(ARP + 14, 224), SET(ARP + 15, 0), SET(ARP + 16, 0),
					 SET(ARP + 17, 1)}, 0, 0, REPLY_E_ARP},
	{"ARP sender 240.0.0.1", B_ARP, {SET(ARP + 14, 240)}, 0, 0, REPLY_E_ARP},
	{"ARP sender is us (gratuitous for our address)", B_ARP, {SET(ARP + 17, 1)}, 0, 0, REPLY_E_ARP},
	{"ARP 27 bytes", B_ARP, {{0}}, 14 + 27, 0, REPLY_E_SHORT},
	{"ARP header only", B_ARP, {{0}}, 14 + 8, 0, REPLY_E_SHORT},
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
			w16(f + IP + 2, (uint16_t)m->tot);
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
		assert_true(rc == 0 || (rc <= REPLY_E_SHORT && rc >= REPLY_E_ARP));
	}
}

/* ---- which ARP replies are believed ----------------------------------- */

static const uint8_t FORGED_MAC[6] = {0x02, 0xf0, 0x00, 0x00, 0x00, 0x01};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ZERO_MAC[6];

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

static void test_arp_guard_first_valid_reply_wins(void **state)
{
	static const uint32_t asked[] = {IP20, IP10, IP11, IP10 /* twice: gateway and target */};
	struct arp_guard g;

	(void)state;
	assert_int_equal(arp_guard_init(&g, asked, 4), 0);
	assert_int_equal(g.nclaims, 3);

	assert_int_equal(arp_guard_judge(&g, IP99, PEER_MAC), ARP_UNASKED);
	assert_int_equal(arp_guard_judge(&g, OUR_IP, PEER_MAC), ARP_UNASKED);
	assert_int_equal(arp_guard_judge(&g, IP10, PEER_MAC), ARP_LEARN);
	assert_int_equal(arp_guard_judge(&g, IP10, PEER_MAC), ARP_DUPLICATE);
	assert_int_equal(arp_guard_judge(&g, IP10, FORGED_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, IP10, GW_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, IP10, PEER_MAC), ARP_DUPLICATE);
	/* The forger racing first for IP11 wins; the real host conflicts. */
	assert_int_equal(arp_guard_judge(&g, IP11, FORGED_MAC), ARP_LEARN);
	assert_int_equal(arp_guard_judge(&g, IP11, PEER_MAC), ARP_CONFLICT);

	arp_guard_close(&g);
	/* After the phase: nothing is learnt, conflicts are still noticed. */
	assert_int_equal(arp_guard_judge(&g, IP20, FORGED_MAC), ARP_LATE);
	assert_int_equal(arp_guard_judge(&g, IP20, FORGED_MAC), ARP_LATE);
	assert_int_equal(arp_guard_judge(&g, IP10, FORGED_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, IP10, PEER_MAC), ARP_DUPLICATE);
	assert_int_equal(arp_guard_judge(&g, IP99, PEER_MAC), ARP_UNASKED);

	assert_int_equal(g.counts[ARP_LEARN], 2);
	assert_int_equal(g.counts[ARP_DUPLICATE], 3);
	assert_int_equal(g.counts[ARP_CONFLICT], 4);
	assert_int_equal(g.counts[ARP_UNASKED], 3);
	assert_int_equal(g.counts[ARP_LATE], 2);
	assert_int_equal(g.conflict_addrs, 2);
	assert_int_equal(g.conflict_replies, 4);
	assert_int_equal(g.nconflicts, 2);
	assert_int_equal(g.conflicts[0].ip, IP10);
	assert_memory_equal(g.conflicts[0].kept, PEER_MAC, 6);
	assert_memory_equal(g.conflicts[0].other, FORGED_MAC, 6);
	assert_int_equal(g.conflicts[0].replies, 3);
	assert_int_equal(g.conflicts[1].ip, IP11);
	assert_memory_equal(g.conflicts[1].kept, FORGED_MAC, 6);
	assert_int_equal(g.conflicts[1].replies, 1);
	arp_guard_free(&g);
}

static void test_arp_guard_empty_believes_nothing(void **state)
{
	struct arp_guard g;

	(void)state;
	assert_int_equal(arp_guard_init(&g, NULL, 0), 0);
	assert_int_equal(arp_guard_judge(&g, IP10, PEER_MAC), ARP_UNASKED);
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
	uint32_t asked[ARP_CONFLICTS_SHOWN + 3];
	struct arp_guard g;
	uint64_t addrs;
	char *text;
	size_t lines = 0;

	(void)state;
	for (size_t i = 0; i < ARP_CONFLICTS_SHOWN + 3; i++)
		asked[i] = IP10 + (uint32_t)i;
	assert_int_equal(arp_guard_init(&g, asked, ARP_CONFLICTS_SHOWN + 3), 0);

	text = report_text(&g, &addrs);
	assert_string_equal(text, "");
	assert_int_equal(addrs, 0);
	free(text);

	assert_int_equal(arp_guard_judge(&g, IP10, PEER_MAC), ARP_LEARN);
	assert_int_equal(arp_guard_judge(&g, IP10, FORGED_MAC), ARP_CONFLICT);
	assert_int_equal(arp_guard_judge(&g, IP10, GW_MAC), ARP_CONFLICT);
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
	assert_non_null(strstr(text, "\nportus: warning: ARP conflicts for 3 more address(es) not listed\n"));
	assert_int_equal(g.conflict_replies, 2 + 2 * (ARP_CONFLICTS_SHOWN + 2));
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
		cmocka_unit_test(test_every_truncation_is_short),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_vlan_tagged_frame_not_followed),
		cmocka_unit_test(test_random_corruption_stays_in_bounds),
		cmocka_unit_test(test_arp_must_be_unicast_to_us),
		cmocka_unit_test(test_gratuitous_and_requests_rejected),
		cmocka_unit_test(test_arp_guard_first_valid_reply_wins),
		cmocka_unit_test(test_arp_guard_empty_believes_nothing),
		cmocka_unit_test(test_arp_guard_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
