/*
 * cookie.c — SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input
 * PRF", INDOCRYPT 2012) and the probe cookie built on it.
 *
 * Written from the paper's description: state initialised from the key and
 * the "somepseudorandomlygeneratedbytes" constants, 2 SipRounds per 8-byte
 * little-endian message word, the last word carrying len mod 256 in its top
 * byte, 0xff xored into v2 and 4 finalisation rounds.
 */
#include "cookie.h"

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

/* Explicit little-endian load of n <= 8 bytes: no alignment assumption. */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* One SipRound on the state v[0..3] (a function, not a macro: the compiler
 * inlines it and the arguments are evaluated once). */
static inline void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL64(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL64(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL64(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL64(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

uint64_t siphash24(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v[4] = {
		k0 ^ 0x736f6d6570736575ull, /* "somepseu" */
		k1 ^ 0x646f72616e646f6dull, /* "dorandom" */
		k0 ^ 0x6c7967656e657261ull, /* "lygenera" */
		k1 ^ 0x7465646279746573ull, /* "tedbytes" */
	};
	size_t left = len;
	uint64_t m;

	for (; left >= 8; left -= 8, p += 8) {
		m = load_le(p, 8);
		v[3] ^= m;
		sipround(v);
		sipround(v);
		v[0] ^= m;
	}
	m = load_le(p, left) | (uint64_t)(len & 0xff) << 56;
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;

	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* splitmix64 (Steele, Lea, Flood 2014): expands the seed into key words. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void cookie_key_init(struct cookie_key *k, uint64_t seed, uint16_t sport_base, uint16_t sport_count)
{
	/* Domain separation: the probe order (permute.c) uses the same seed. */
	uint64_t state = seed ^ 0x636f6f6b69652121ull; /* "cookie!!" */

	k->k0 = splitmix64(&state);
	k->k1 = splitmix64(&state);
	k->sport_base = sport_base;
	k->sport_count = sport_count;
}

/*
 * SipHash-2-4 of the 10-byte message src ip | dst ip | dst port (network byte
 * order), with the two message words built from the integers directly: the
 * same value as siphash24() over that buffer (test_cookie checks it on random
 * inputs), without the byte loops. It runs once per probe sent and once per
 * reply received, the largest single cost of both hot paths
 * (bench/README.md, replay benchmark).
 */
static uint64_t cookie_hash(const struct cookie_key *k, uint32_t src_ip, uint32_t dst_ip,
			    uint16_t dst_port)
{
	uint64_t v[4] = {
		k->k0 ^ 0x736f6d6570736575ull,
		k->k1 ^ 0x646f72616e646f6dull,
		k->k0 ^ 0x6c7967656e657261ull,
		k->k1 ^ 0x7465646279746573ull,
	};
	/* Bytes 0-7 read little-endian: the addresses' big-endian bytes. */
	uint64_t m0 = (uint64_t)__builtin_bswap32(src_ip) | (uint64_t)__builtin_bswap32(dst_ip)
								    << 32;
	/* Bytes 8-9 (the port, big-endian) and the length (10) in the top byte. */
	uint64_t m1 = (uint64_t)(dst_port >> 8) | (uint64_t)(dst_port & 0xff) << 8 | 10ull << 56;

	v[3] ^= m0;
	sipround(v);
	sipround(v);
	v[0] ^= m0;
	v[3] ^= m1;
	sipround(v);
	sipround(v);
	v[0] ^= m1;
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

struct cookie cookie_make(const struct cookie_key *k, uint32_t src_ip, uint32_t dst_ip,
			  uint16_t dst_port)
{
	uint64_t h = cookie_hash(k, src_ip, dst_ip, dst_port);
	uint32_t count = k->sport_count ? k->sport_count : 1; /* never divide by 0 */
	struct cookie c;

	c.seq = (uint32_t)h;
	/* 32-bit modulo: the same value as (h >> 32) % count, cheaper. */
	c.sport = (uint16_t)(k->sport_base + (uint32_t)(h >> 32) % count);
	return c;
}

/* Two SipRounds absorbing one 8-byte message word (the paper's compression). */
static inline void sip_compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

/*
 * SipHash-2-4 of the 34-byte message src | dst | dst port (network byte
 * order), words built from the integers as cookie_hash does: a message word
 * is its 8 bytes read little-endian, so the big-endian bytes of a 64-bit half
 * of an address read back as that half byte-swapped. Four full words, then
 * the port's two bytes with the length (34) in the top byte. test_cookie
 * checks it against siphash24() over the buffer.
 */
static uint64_t cookie_hash6(const struct cookie_key *k, ip_addr src, ip_addr dst,
			     uint16_t dst_port)
{
	uint64_t v[4] = {
		k->k0 ^ 0x736f6d6570736575ull,
		k->k1 ^ 0x646f72616e646f6dull,
		k->k0 ^ 0x6c7967656e657261ull,
		k->k1 ^ 0x7465646279746573ull,
	};

	sip_compress(v, __builtin_bswap64((uint64_t)(src.v >> 64)));
	sip_compress(v, __builtin_bswap64((uint64_t)src.v));
	sip_compress(v, __builtin_bswap64((uint64_t)(dst.v >> 64)));
	sip_compress(v, __builtin_bswap64((uint64_t)dst.v));
	sip_compress(v, (uint64_t)(dst_port >> 8) | (uint64_t)(dst_port & 0xff) << 8 | 34ull << 56);
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

struct cookie cookie_make6(const struct cookie_key *k, ip_addr src, ip_addr dst, uint16_t dst_port)
{
	uint64_t h = cookie_hash6(k, src, dst, dst_port);
	uint32_t count = k->sport_count ? k->sport_count : 1; /* never divide by 0 */
	struct cookie c;

	/* As cookie_make: the low half is the sequence number, the high half
	 * picks the source port. */
	c.seq = (uint32_t)h;
	c.sport = (uint16_t)(k->sport_base + (uint32_t)(h >> 32) % count);
	return c;
}

struct cookie cookie_for(const struct cookie_key *k, uint32_t src4, ip_addr src6, ip_addr dst,
			 uint16_t dst_port)
{
	return addr_is_v4(dst) ? cookie_make(k, src4, addr_v4(dst), dst_port)
			       : cookie_make6(k, src6, dst, dst_port);
}
