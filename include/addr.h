/*
 * addr.h — one address type for IPv4 and IPv6 targets.
 *
 * An ip_addr holds an IPv6 address as a 128-bit unsigned number in host
 * order (the first byte on the wire is the most significant). An IPv4
 * address a.b.c.d is held as its IPv4-mapped form ::ffff:a.b.c.d (RFC 4291
 * 2.5.5.2), so IPv4 and IPv6 targets sort, form ranges, count and index in
 * one plan: all IPv4 addresses are the one block ::ffff:0:0/96, below the
 * global unicast space. The struct wrapper exists so that the compiler
 * refuses a bare uint32_t where an address is meant (an IPv4 value
 * converted silently would become ::a.b.c.d, a different address).
 *
 * Text: IPv4 prints as a dotted quad, everything else in RFC 5952 form
 * (lower case, no leading zeros, the longest run of two or more zero groups
 * as "::", the first such run on a tie). ::ffff:a.b.c.d given as text is the
 * IPv4 address a.b.c.d.
 */
#ifndef PORTUS_ADDR_H
#define PORTUS_ADDR_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 u128;

typedef struct {
	u128 v;
} ip_addr;

/* Writes the dotted quad of a host-order IPv4 address into out (>= 16 bytes). */
void ip_to_str(uint32_t ip, char out[16]);

#define ADDR_STR_MAX 46 /* INET6_ADDRSTRLEN: longest text form + NUL */
#define ADDR_V4_TAG ((u128)0xffff << 32)

static inline ip_addr addr_from_v4(uint32_t ip)
{
	ip_addr a = { ADDR_V4_TAG | ip };
	return a;
}

static inline int addr_is_v4(ip_addr a)
{
	return (a.v >> 32) == 0xffff;
}

/* The IPv4 address (host order) of an addr_is_v4 address. */
static inline uint32_t addr_v4(ip_addr a)
{
	return (uint32_t)a.v;
}

static inline int addr_eq(ip_addr a, ip_addr b)
{
	return a.v == b.v;
}

/* A 64-bit hash of the 128 bits for hash tables (SplitMix64's finaliser over
 * both halves: addresses of a sweep differ in their low bits only). */
static inline uint64_t addr_hash(ip_addr a)
{
	uint64_t x = (uint64_t)a.v ^ ((uint64_t)(a.v >> 64) * UINT64_C(0x9e3779b97f4a7c15));

	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* -1, 0, 1 as a sorts before, equal to, after b. */
static inline int addr_order(ip_addr a, ip_addr b)
{
	return a.v < b.v ? -1 : a.v > b.v;
}

static inline ip_addr addr_zero(void)
{
	ip_addr a = { 0 };
	return a;
}

static inline int addr_is_zero(ip_addr a)
{
	return a.v == 0;
}

/* Network-order bytes <-> ip_addr. */
void addr_to_bytes(ip_addr a, uint8_t out[16]);
ip_addr addr_from_bytes(const uint8_t in[16]);

/* Writes the text form (see above) and its NUL into out; returns its length. */
size_t addr_to_str(ip_addr a, char out[ADDR_STR_MAX]);

/*
 * Parses s[0..len) as exactly one address: a dotted quad of four decimal
 * octets 0-255, or an RFC 4291 IPv6 text form (hex groups, one "::",
 * an embedded dotted quad in the last 32 bits). Nothing else: no zone id,
 * no brackets, no whitespace. Returns 0 and sets *out, or -1 with *why
 * pointing at a static reason.
 */
int addr_parse(const char *s, size_t len, ip_addr *out, const char **why);

/* Non-zero when s[0..len) looks like an attempt at an IPv6 address (holds a
 * ':'), so errors can speak of IPv6 rather than host names. */
int addr_looks_v6(const char *s, size_t len);

#endif
