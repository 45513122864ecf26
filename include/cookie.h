/*
 * cookie.h — stateless probe validation (SipHash-2-4, RFC-less but as in
 * Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012).
 *
 * The SYN's sequence number and source port come from a keyed hash of
 * (source ip, target ip, target port). A reply is ours only when its ack - 1
 * (or the quoted probe in an ICMP error) and destination port match.
 */
#ifndef PORTUS_COOKIE_H
#define PORTUS_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct cookie_key {
	uint64_t k0, k1;
	uint16_t sport_base;  /* first source port of the range */
	uint16_t sport_count; /* number of source ports, >= 1 */
};

/* SipHash-2-4 of len bytes with the 128-bit key (k0 = first 8 key bytes LE). */
uint64_t siphash24(uint64_t k0, uint64_t k1, const void *data, size_t len);

/* Fills the key from a seed (deterministic) with the given source port range. */
void cookie_key_init(struct cookie_key *k, uint64_t seed, uint16_t sport_base,
		     uint16_t sport_count);

struct cookie {
	uint32_t seq;   /* the probe's TCP sequence number */
	uint16_t sport; /* the probe's TCP source port */
};

/* Addresses in host byte order. */
struct cookie cookie_make(const struct cookie_key *k, uint32_t src_ip, uint32_t dst_ip,
			  uint16_t dst_port);

/*
 * The cookie of an IPv6 probe: SipHash-2-4 with the same key over the 34-byte
 * tuple src (16 bytes) | dst (16 bytes) | dst port (2 bytes), all network
 * order; seq and sport are taken from the hash as cookie_make takes them.
 * Addresses as ip_addr (host-order 128-bit values), the port in host order.
 * Not interchangeable with cookie_make: IPv4-mapped addresses here hash a
 * different message than the same IPv4 addresses there, so the receiver must
 * check a reply with the function its probe was sent with.
 */
struct cookie cookie_make6(const struct cookie_key *k, ip_addr src, ip_addr dst, uint16_t dst_port);

/*
 * The cookie of the probe to dst in a mixed run: cookie_make from src4 when
 * dst is IPv4(-mapped), cookie_make6 from src6 otherwise — the one function
 * both the sender and the receiver use, so they never disagree on the family.
 */
struct cookie cookie_for(const struct cookie_key *k, uint32_t src4, ip_addr src6, ip_addr dst,
			 uint16_t dst_port);

#endif
