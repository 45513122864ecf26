/*
 * packet.h — building the frames portus sends: TCP SYN probes over IPv4 and
 * IPv6, ARP requests and IPv6 Neighbor Solicitations.
 *
 * A probe is Ethernet II + IPv4 (20 bytes, DF, no options) + TCP (24 bytes:
 * SYN with one MSS option). Everything constant lives in a template built once;
 * probe_build copies it and patches addresses, ports, sequence number, IP ID
 * and both checksums (from partial sums precomputed in the template, so the
 * per-probe cost is a few additions). All multi-byte fields are written in
 * network byte order (byte by byte, or as one byte-swapped word through memcpy
 * on the hot path); no struct overlays.
 *
 * The IPv6 probe is the same design: Ethernet II + IPv6 (40 bytes, no
 * extension headers) + the same 24-byte TCP SYN, from a probe6_template.
 * IPv6 has no header checksum; the TCP checksum covers the RFC 8200 8.1
 * pseudo-header.
 *
 * Every builder writes the whole frame into a caller-owned buffer of exactly
 * the stated length and keeps no pointer to its arguments.
 */
#ifndef PORTUS_PACKET_H
#define PORTUS_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define ETH_HDR_LEN 14
#define PROBE_LEN 58     /* 14 + 20 + 24 */
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

#define PROBE6_LEN 78   /* 14 + 40 + 24 */
#define NS_FRAME_LEN 86 /* 14 + 40 + 32: ICMPv6 NS with a source link-layer address option */

struct probe6_template {
	uint8_t frame[PROBE6_LEN];
	uint32_t tcp_sum; /* partial sum of the constant TCP words + pseudo-header constants
			   * (source address, upper-layer length, next header) */
};

/*
 * src is an IPv6 address of the sending interface (ip_addr: host-order
 * 128-bit value; written to the frame in network order). An IPv4-mapped src
 * is not refused but makes no sense on the wire. hop_limit e.g. 64, window
 * and mss as for probe_template_init. Fills *t completely; t owns no memory.
 */
void probe6_template_init(struct probe6_template *t, const uint8_t src_mac[6],
			  const uint8_t dst_mac[6], ip_addr src, uint8_t hop_limit, uint16_t window,
			  uint16_t mss);

/*
 * Writes a complete IPv6 probe into out (PROBE6_LEN bytes, any alignment).
 * dst_mac NULL keeps the template's (the router's); on-link targets pass
 * their own. dst is an IPv6 address (an IPv4-mapped one would be sent as
 * ::ffff:a.b.c.d: IPv4 targets go through probe_build). Ports and seq in
 * host order; the low 20 bits of flow_label become the flow label, the rest
 * is ignored; traffic class is 0. t is only read.
 */
void probe6_build(const struct probe6_template *t, uint8_t out[PROBE6_LEN], const uint8_t *dst_mac,
		  ip_addr dst, uint16_t dst_port, uint16_t src_port, uint32_t seq,
		  uint32_t flow_label);

/*
 * Neighbor Solicitation for target (RFC 4861 4.3, 7.2.2): from src_mac and
 * src (an address of the sending interface, link-local or global; not the
 * unspecified address, since a DAD probe must not carry the link-layer option)
 * to target's solicited-node multicast address ff02::1:ffXX:XXXX (RFC 4291
 * 2.7.1) and Ethernet address 33:33:ff:XX:XX:XX (RFC 2464 7), hop limit 255,
 * with a source link-layer address option carrying src_mac.
 */
void ns_build(uint8_t out[NS_FRAME_LEN], const uint8_t src_mac[6], ip_addr src, ip_addr target);

/* RFC 1071 Internet checksum of len bytes (result in host order, ready to store
 * big-endian). */
uint16_t inet_checksum(const void *data, size_t len);

#endif
