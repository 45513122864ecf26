/*
 * reply.c — bounds-checked parsing of captured Ethernet frames that may answer
 * our probes: IPv4 (RFC 791) carrying TCP (RFC 9293) or ICMP destination
 * unreachable (RFC 792) quoting a probe, and ARP replies (RFC 826).
 *
 * Discipline (tcpdump's extract.h / print-tcp.c): every header is checked
 * against the bytes known to be present before any field of it is read, and
 * fields are read only through the byte accessors of extract.h. "Present"
 * shrinks as we descend: the captured length for Ethernet and the IP header,
 * then min(IP total length, captured) for the IP payload (Ethernet pads short
 * frames, so bytes after the datagram are ignored), then the ICMP payload for
 * the quoted datagram. Lengths are compared by subtracting on the side that
 * cannot underflow.
 */
#include "reply.h"

#include <string.h>

#include "extract.h"

#define ETH_HDR_LEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806

#define IP_MIN_HDR 20
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define PROTO_ICMP 1
#define PROTO_TCP 6

#define TCP_MIN_HDR 20
#define ICMP_HDR_LEN 8
#define ICMP_UNREACH 3
#define QUOTED_TCP_LEN 8 /* source port, destination port, sequence number */

#define ARP_LEN 28
#define ARP_OP_REPLY 2
#define IPV4_MULTICAST_FIRST 0xe0000000u /* 224.0.0.0: multicast, reserved, broadcast above */

/* TCP segment p[0 .. len) from ip_src to us. */
static int parse_tcp(const uint8_t *p, size_t len, struct reply *r)
{
	unsigned doff;

	if (len < TCP_MIN_HDR)
		return REPLY_E_SHORT;
	doff = p[12] >> 4;
	if (doff < 5 || (size_t)doff * 4 > len)
		return REPLY_E_TCPHDR;

	r->type = REPLY_TCP;
	r->target_port = get_be16(p + 0);
	r->probe_sport = get_be16(p + 2);
	r->probe_seq = get_be32(p + 8) - 1u; /* ack - 1, wraps mod 2^32 */
	r->tcp_flags = p[13];
	/* Options are not needed: a SYN-ACK's MSS or window scale does not
	 * change the port's state, so they are not walked. */
	return 0;
}

/*
 * ICMP message p[0 .. len). Only destination unreachable is accepted, and only
 * if it quotes a complete IPv4 header of a TCP datagram we sent followed by
 * the first 8 bytes of its TCP header (RFC 792 guarantees 64 bits).
 */
static int parse_icmp(const uint8_t *p, size_t len, uint32_t our_ip, struct reply *r)
{
	const uint8_t *q;
	size_t qlen, qhl;

	if (len < ICMP_HDR_LEN)
		return REPLY_E_SHORT;
	if (p[0] != ICMP_UNREACH)
		return REPLY_E_ICMP;

	q = p + ICMP_HDR_LEN;
	qlen = len - ICMP_HDR_LEN;
	if (qlen < IP_MIN_HDR)
		return REPLY_E_ICMP;
	if ((q[0] >> 4) != 4)
		return REPLY_E_ICMP;
	qhl = (size_t)(q[0] & 0x0f) * 4;
	if (qhl < IP_MIN_HDR || qhl > qlen || qlen - qhl < QUOTED_TCP_LEN)
		return REPLY_E_ICMP;
	/* A non-first fragment does not start with the TCP header. */
	if ((get_be16(q + 6) & IP_OFFMASK) != 0)
		return REPLY_E_ICMP;
	if (q[9] != PROTO_TCP)
		return REPLY_E_ICMP;
	if (get_be32(q + 12) != our_ip)
		return REPLY_E_ICMP;

	r->type = REPLY_ICMP;
	r->icmp_type = p[0];
	r->icmp_code = p[1];
	r->target_ip = get_be32(q + 16);
	r->probe_sport = get_be16(q + qhl + 0);
	r->target_port = get_be16(q + qhl + 2);
	r->probe_seq = get_be32(q + qhl + 4);
	return 0;
}

/* IPv4 datagram starting at p, with len bytes captured. */
static int parse_ipv4(const uint8_t *p, size_t len, uint32_t our_ip, struct reply *r)
{
	size_t hl, tot;
	uint16_t frag;
	const uint8_t *payload;
	size_t plen;

	if (len < IP_MIN_HDR)
		return REPLY_E_SHORT;
	if ((p[0] >> 4) != 4)
		return REPLY_E_IPHDR;
	hl = (size_t)(p[0] & 0x0f) * 4;
	if (hl < IP_MIN_HDR)
		return REPLY_E_IPHDR;
	if (hl > len)
		return REPLY_E_SHORT;
	tot = get_be16(p + 2);
	if (tot < hl)
		return REPLY_E_IPHDR;
	if (tot > len)
		return REPLY_E_SHORT;
	/* tot <= len: anything after the datagram is Ethernet padding. */
	frag = get_be16(p + 6);
	if ((frag & (IP_MF | IP_OFFMASK)) != 0)
		return REPLY_E_FRAGMENT;
	if (get_be32(p + 16) != our_ip)
		return REPLY_E_NOT_US;

	r->ttl = p[8];
	r->responder_ip = get_be32(p + 12);
	payload = p + hl;
	plen = tot - hl;

	switch (p[9]) {
	case PROTO_TCP:
		r->target_ip = r->responder_ip;
		return parse_tcp(payload, plen, r);
	case PROTO_ICMP:
		return parse_icmp(payload, plen, our_ip, r);
	default:
		return REPLY_E_PROTO;
	}
}

/* A hardware address that a station can own: not zero, not a group address
 * (the I/G bit covers broadcast and every multicast). */
static int mac_is_unicast(const uint8_t *m)
{
	static const uint8_t zero[6];

	return (m[0] & 0x01) == 0 && memcmp(m, zero, 6) != 0;
}

/* ARP packet starting at p, with len bytes captured (padding may follow). */
static int parse_arp(const uint8_t *p, size_t len, uint32_t our_ip, struct reply *r)
{
	uint32_t spa;

	if (len < ARP_LEN)
		return REPLY_E_SHORT;
	if (get_be16(p + 0) != 1 || get_be16(p + 2) != ETHERTYPE_IPV4 || p[4] != 6 || p[5] != 4)
		return REPLY_E_PROTO;
	if (get_be16(p + 6) != ARP_OP_REPLY)
		return REPLY_E_PROTO;
	if (get_be32(p + 24) != our_ip)
		return REPLY_E_NOT_US;
	spa = get_be32(p + 14);
	if (!mac_is_unicast(p + 8) || spa == 0 || spa >= IPV4_MULTICAST_FIRST || spa == our_ip)
		return REPLY_E_ARP;

	r->type = REPLY_ARP;
	memcpy(r->mac, p + 8, 6);
	memcpy(r->arp_tha, p + 18, 6);
	r->target_ip = spa;
	r->responder_ip = spa;
	r->ttl = 0;
	return 0;
}

int reply_arp_to_us(const struct reply *r, const uint8_t our_mac[6])
{
	if (r->type != REPLY_ARP)
		return REPLY_E_PROTO;
	if (memcmp(r->eth_dst, our_mac, 6) != 0 || memcmp(r->arp_tha, our_mac, 6) != 0)
		return REPLY_E_NOT_US;
	if (memcmp(r->mac, our_mac, 6) == 0)
		return REPLY_E_ARP;
	return 0;
}

int reply_parse(const uint8_t *frame, size_t caplen, uint32_t our_ip, struct reply *out)
{
	struct reply r;
	int rc;

	if (caplen < ETH_HDR_LEN)
		return REPLY_E_SHORT;

	memset(&r, 0, sizeof(r));
	memcpy(r.eth_dst, frame, 6);
	memcpy(r.mac, frame + 6, 6);

	switch (get_be16(frame + 12)) {
	case ETHERTYPE_IPV4:
		rc = parse_ipv4(frame + ETH_HDR_LEN, caplen - ETH_HDR_LEN, our_ip, &r);
		break;
	case ETHERTYPE_ARP:
		rc = parse_arp(frame + ETH_HDR_LEN, caplen - ETH_HDR_LEN, our_ip, &r);
		break;
	default:
		return REPLY_E_ETHERTYPE;
	}
	if (rc == 0)
		*out = r;
	return rc;
}
