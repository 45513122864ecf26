/*
 * extract.h — big-endian byte accessors for packet fields (after tcpdump's
 * extract.h). Packet bytes are read and written one byte at a time through
 * these helpers: no struct overlays, no unaligned casts. The caller checks
 * that p .. p + 1 (or p + 3) lies inside the captured or allocated buffer.
 */
#ifndef PORTUS_EXTRACT_H
#define PORTUS_EXTRACT_H

#include <stdint.h>

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | (uint16_t)p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
