/*
 * fuzz_reply.c — libFuzzer harness for reply_parse (src/reply.c).
 * Build: make build-fuzz/fuzz_reply
 * Run:   build-fuzz/fuzz_reply -max_total_time=60 CORPUS_DIR tests/fuzz/regress/fuzz_reply
 * The input is one captured Ethernet frame. Our addresses are fixed
 * (198.18.0.1 and 2001:db8::1) so that the fuzzer can find the accepted paths
 * by copying them from the dictionary of compared values; the seeds in
 * regress/fuzz_reply hold one accepted frame of each kind, addressed to them
 * (IPv4 TCP, ICMP and ARP; IPv6 TCP behind extension headers, ICMPv6
 * destination unreachable, Neighbor Advertisements with and without a target
 * link-layer address option).
 * Aborts when a promise of reply.h breaks: the result is 0 or a reply_error;
 * on error *out is untouched; an IPv4 frame yields IPv4 addresses, an IPv6
 * frame never does; an advertisement is solicited, hop limit 255, from a
 * unicast MAC; without an IPv6 source every IPv6 frame is REPLY_E_NOT_US and
 * every other frame parses exactly as with one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"

#define OUR_IP 0xc6120001u /* 198.18.0.1 */
#define FILL 0x5a

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_reply(const struct reply *a, const struct reply *b)
{
	return a->type == b->type && addr_eq(a->target_ip, b->target_ip) &&
	       a->target_port == b->target_port && a->probe_sport == b->probe_sport &&
	       a->probe_seq == b->probe_seq && a->tcp_flags == b->tcp_flags &&
	       a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code && a->ttl == b->ttl &&
	       a->na_flags == b->na_flags && a->na_tlla == b->na_tlla &&
	       addr_eq(a->responder_ip, b->responder_ip) && memcmp(a->mac, b->mac, 6) == 0 &&
	       memcmp(a->eth_dst, b->eth_dst, 6) == 0 && memcmp(a->arp_tha, b->arp_tha, 6) == 0;
}

/* Every byte of *r still the fill byte: reply_parse did not write to it. */
static int untouched(const struct reply *r)
{
	const unsigned char *b = (const unsigned char *)r;

	for (size_t i = 0; i < sizeof(*r); i++) {
		if (b[i] != FILL)
			return 0;
	}
	return 1;
}

/* Runs reply_parse and checks what holds for any frame. */
static int parse(const uint8_t *data, size_t size, ip_addr our6, struct reply *r)
{
	int rc;

	memset(r, FILL, sizeof(*r));
	rc = reply_parse(data, size, OUR_IP, our6, r);
	if (rc != 0) {
		if (rc < REPLY_E_ND || rc > REPLY_E_SHORT || !untouched(r))
			abort();
		return rc;
	}
	if (size < 14)
		abort();
	if (data[12] == 0x86 && data[13] == 0xdd) {
		if (r->type != REPLY_TCP && r->type != REPLY_ICMP6 && r->type != REPLY_NA)
			abort();
		if (addr_is_v4(r->target_ip) || addr_is_v4(r->responder_ip))
			abort();
	} else {
		if (r->type != REPLY_TCP && r->type != REPLY_ICMP && r->type != REPLY_ARP)
			abort();
		if (!addr_is_v4(r->target_ip) || !addr_is_v4(r->responder_ip))
			abort();
	}
	if (r->type == REPLY_NA &&
	    (!(r->na_flags & NAF_SOLICITED) || r->ttl != 255 || (r->mac[0] & 0x01) != 0))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 2001:db8::1 */
	static const uint8_t our6_bytes[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
	struct reply r, r0;
	int rc, rc0;

	rc = parse(data, size, addr_from_bytes(our6_bytes), &r);
	rc0 = parse(data, size, addr_zero(), &r0);
	if (size >= 14 && data[12] == 0x86 && data[13] == 0xdd) {
		if (rc0 != REPLY_E_NOT_US)
			abort();
	} else if (rc0 != rc || (rc == 0 && !same_reply(&r, &r0))) {
		abort();
	}
	return 0;
}
