/*
 * packet.h — building the frames portus sends: TCP SYN probes and ARP requests.
 *
 * A probe is Ethernet II + IPv4 (20 bytes, DF, no options) + TCP (24 bytes:
 * SYN with one MSS option). Everything constant lives in a template built once;
 * probe_build copies it and patches addresses, ports, sequence number, IP ID
 * and both checksums (from partial sums precomputed in the template, so the
 * per-probe cost is a few additions). All multi-byte fields are written in
 * network byte order (byte by byte, or as one byte-swapped word through memcpy
 * on the hot path); no struct overlays.
 */
#ifndef PORTUS_PACKET_H
#define PORTUS_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HDR_LEN 14
#define PROBE_LEN 58    /* 14 + 20 + 24 */
#define ARP_FRAME_LEN 42 /* 14 + 28 */

struct probe_template {
	uint8_t frame[PROBE_LEN];
	uint32_t ip_sum;  /* one's-complement partial sum of the constant IP header words */
	uint32_t tcp_sum; /* partial sum of the constant TCP words + pseudo-header constants */
};

/* Addresses in host byte order. ttl e.g. 64, window e.g. 1024, mss e.g. 1460. */
void probe_template_init(struct probe_template *t, const uint8_t src_mac[6],
			 const uint8_t dst_mac[6], uint32_t src_ip, uint8_t ttl, uint16_t window,
			 uint16_t mss);

/*
 * Writes a complete probe into out. dst_mac NULL keeps the template's (the
 * gateway's); on-link targets pass their own. Addresses/ports host order.
 */
void probe_build(const struct probe_template *t, uint8_t out[PROBE_LEN], const uint8_t *dst_mac,
		 uint32_t dst_ip, uint16_t dst_port, uint16_t src_port, uint32_t seq,
		 uint16_t ip_id);

/* Broadcast ARP who-has target_ip, tell src_ip (RFC 826). */
void arp_request_build(uint8_t out[ARP_FRAME_LEN], const uint8_t src_mac[6], uint32_t src_ip,
		       uint32_t target_ip);

/* RFC 1071 Internet checksum of len bytes (result in host order, ready to store
 * big-endian). */
uint16_t inet_checksum(const void *data, size_t len);

#endif
