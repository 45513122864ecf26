/*
 * reply.c — bounds-checked parsing of captured Ethernet frames that may answer
 * our probes: IPv4 (RFC 791) carrying TCP (RFC 9293) or ICMP destination
 * unreachable (RFC 792) quoting a probe, ARP replies (RFC 826), and IPv6
 * (RFC 8200) carrying TCP, ICMPv6 destination unreachable (RFC 4443) quoting
 * a probe, or a Neighbor Advertisement (RFC 4861).
 *
 * Discipline (tcpdump's extract.h / print-tcp.c): every header is checked
 * against the bytes known to be present before any field of it is read, and
 * fields are read only through the byte accessors of extract.h. "Present"
 * shrinks as we descend: the captured length for Ethernet and the IP header,
 * then min(IP total length, captured) for the IP payload (Ethernet pads short
 * frames, so bytes after the datagram are ignored), then the ICMP payload for
 * the quoted datagram. IPv6 is the same with its payload length in place of
 * the total length, and each extension header is checked against the payload
 * before the next is read. Lengths are compared by subtracting on the side
 * that cannot underflow.
 */
#include "reply.h"

#include <string.h>

#include "extract.h"

#define ETH_HDR_LEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd

#define IP_MIN_HDR 20
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define PROTO_ICMP 1
#define PROTO_TCP 6

#define TCP_MIN_HDR 20
#define ICMP_HDR_LEN 8
#define ICMP_UNREACH 3
#define QUOTED_TCP_LEN 8 /* source port, destination port, sequence number */

#define IP6_HDR_LEN 40
#define IP6_EXT_MIN 8 /* the shortest extension header; all are multiples of 8 bytes */
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DSTOPTS 60
#define PROTO_ICMPV6 58

#define ICMP6_UNREACH 1
#define ND_NEIGHBOR_ADVERT 136
#define ND_HOP_LIMIT 255 /* RFC 4861 7.1.2: not forwarded by any router */
#define NA_LEN 24        /* type, code, checksum, flags + reserved, target */
#define ND_OPT_TLLA 2
#define ND_OPT_TLLA_LEN 8 /* type, length, 6-byte Ethernet address (RFC 2464 8) */

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
	r->target_ip = addr_from_v4(get_be32(q + 16));
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
	r->responder_ip = addr_from_v4(get_be32(p + 12));
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
	r->target_ip = addr_from_v4(spa);
	r->responder_ip = r->target_ip;
	r->ttl = 0;
	return 0;
}

/* ---- IPv6 -------------------------------------------------------------- */

static int is_multicast6(ip_addr a)
{
	return (a.v >> 120) == 0xff; /* ff00::/8 */
}

/*
 * Walks the extension headers at the start of an IPv6 payload p[0 .. len),
 * *nh being the IPv6 header's next header. On 0, *nh is the upper-layer
 * protocol and *off its offset (<= len). Hop-by-hop, routing and destination
 * options are skipped (up to REPLY_IP6_EXT_MAX); a fragment header stops the
 * walk before its bytes are read. See reply.h for the errors.
 */
static int walk_ext6(const uint8_t *p, size_t len, uint8_t *nh, size_t *off)
{
	size_t o = 0, hl;
	unsigned n = 0;
	uint8_t h = *nh;

	while (h == NH_HOPOPTS || h == NH_ROUTING || h == NH_DSTOPTS) {
		if (h == NH_HOPOPTS && n != 0)
			return REPLY_E_IPHDR; /* RFC 8200 4.1: only right after the IPv6 header */
		if (++n > REPLY_IP6_EXT_MAX)
			return REPLY_E_IPHDR;
		if (len - o < IP6_EXT_MIN)
			return REPLY_E_SHORT;
		hl = ((size_t)p[o + 1] + 1) * 8; /* Hdr Ext Len: 8-octet units after the first 8 */
		if (hl > len - o)
			return REPLY_E_SHORT;
		/* Segments left > 0: the destination is only a waypoint. */
		if (h == NH_ROUTING && p[o + 3] != 0)
			return REPLY_E_NOT_US;
		h = p[o];
		o += hl;
	}
	if (h == NH_FRAGMENT)
		return REPLY_E_FRAGMENT;
	*nh = h;
	*off = o;
	return 0;
}

/*
 * ICMPv6 destination unreachable p[0 .. len), len >= 8. The invoking packet
 * starts 8 bytes in: an IPv6 header from us, extension headers, and at least
 * the TCP ports and sequence number of our probe.
 */
static int parse_unreach6(const uint8_t *p, size_t len, ip_addr our_ip6, struct reply *r)
{
	const uint8_t *q = p + ICMP_HDR_LEN, *t;
	size_t qlen = len - ICMP_HDR_LEN, qplen, off;
	ip_addr dst;
	uint8_t nh;

	if (qlen < IP6_HDR_LEN || (q[0] >> 4) != 6)
		return REPLY_E_ICMP;
	/* Bytes after the quoted packet (RFC 4884 extensions) are not part of it. */
	qplen = get_be16(q + 4);
	if (qplen < qlen - IP6_HDR_LEN)
		qlen = IP6_HDR_LEN + qplen;
	if (!addr_eq(addr_from_bytes(q + 8), our_ip6))
		return REPLY_E_ICMP;
	dst = addr_from_bytes(q + 24);
	if (addr_is_v4(dst))
		return REPLY_E_ICMP;
	nh = q[6];
	if (walk_ext6(q + IP6_HDR_LEN, qlen - IP6_HDR_LEN, &nh, &off) != 0 || nh != PROTO_TCP)
		return REPLY_E_ICMP;
	if (qlen - IP6_HDR_LEN - off < QUOTED_TCP_LEN)
		return REPLY_E_ICMP;
	t = q + IP6_HDR_LEN + off;

	r->type = REPLY_ICMP6;
	r->icmp_type = p[0];
	r->icmp_code = p[1];
	r->target_ip = dst;
	r->probe_sport = get_be16(t + 0);
	r->target_port = get_be16(t + 2);
	r->probe_seq = get_be32(t + 4);
	return 0;
}

/*
 * Neighbor Advertisement p[0 .. len), len >= 8, to our_ip6 with hop limit
 * r->ttl; r->mac holds the Ethernet source. Validation of RFC 4861 7.1.2 and
 * the checks of reply.h.
 */
static int parse_na(const uint8_t *p, size_t len, ip_addr our_ip6, struct reply *r)
{
	const uint8_t *lladdr = NULL;
	size_t off, olen;
	ip_addr target;

	if (r->ttl != ND_HOP_LIMIT || p[1] != 0 || len < NA_LEN)
		return REPLY_E_ND;
	target = addr_from_bytes(p + 8);
	if (addr_is_zero(target) || target.v == 1 /* ::1 */ || is_multicast6(target) ||
	    addr_is_v4(target) || addr_eq(target, our_ip6))
		return REPLY_E_ND;
	if ((p[4] & NAF_SOLICITED) == 0)
		return REPLY_E_ND;
	/* Options: type, length in 8-octet units (0 invalid), data. */
	for (off = NA_LEN; off < len; off += olen) {
		if (len - off < 2)
			return REPLY_E_ND;
		olen = (size_t)p[off + 1] * 8;
		if (olen == 0 || olen > len - off)
			return REPLY_E_ND;
		if (p[off] == ND_OPT_TLLA) {
			if (olen != ND_OPT_TLLA_LEN)
				return REPLY_E_ND;
			if (lladdr == NULL)
				lladdr = p + off + 2; /* the first wins, as in Linux */
		}
	}
	if (!mac_is_unicast(lladdr != NULL ? lladdr : r->mac))
		return REPLY_E_ND;

	r->type = REPLY_NA;
	r->icmp_type = p[0];
	r->icmp_code = p[1];
	r->target_ip = target;
	r->na_flags = p[4] & (NAF_ROUTER | NAF_SOLICITED | NAF_OVERRIDE);
	r->na_tlla = lladdr != NULL;
	if (lladdr != NULL)
		memcpy(r->mac, lladdr, 6);
	return 0;
}

/* ICMPv6 message p[0 .. len) to our_ip6. */
static int parse_icmp6(const uint8_t *p, size_t len, ip_addr our_ip6, struct reply *r)
{
	if (len < ICMP_HDR_LEN)
		return REPLY_E_SHORT;
	switch (p[0]) {
	case ICMP6_UNREACH:
		return parse_unreach6(p, len, our_ip6, r);
	case ND_NEIGHBOR_ADVERT:
		return parse_na(p, len, our_ip6, r);
	default:
		return REPLY_E_ICMP;
	}
}

/* IPv6 packet starting at p, with len bytes captured. */
static int parse_ipv6(const uint8_t *p, size_t len, ip_addr our_ip6, struct reply *r)
{
	size_t plen, off;
	ip_addr src;
	uint8_t nh;
	int rc;

	if (addr_is_zero(our_ip6) || addr_is_v4(our_ip6))
		return REPLY_E_NOT_US; /* no IPv6 source: nothing can be for us */
	if (len < IP6_HDR_LEN)
		return REPLY_E_SHORT;
	if ((p[0] >> 4) != 6)
		return REPLY_E_IPHDR;
	plen = get_be16(p + 4);
	if (plen > len - IP6_HDR_LEN)
		return REPLY_E_SHORT;
	/* plen <= len - 40: anything after the payload is Ethernet padding. */
	if (!addr_eq(addr_from_bytes(p + 24), our_ip6))
		return REPLY_E_NOT_US;
	src = addr_from_bytes(p + 8);
	if (is_multicast6(src) || addr_is_v4(src))
		return REPLY_E_IPHDR;
	nh = p[6];
	rc = walk_ext6(p + IP6_HDR_LEN, plen, &nh, &off);
	if (rc != 0)
		return rc;

	r->ttl = p[7];
	r->responder_ip = src;
	p += IP6_HDR_LEN + off;
	plen -= off;

	switch (nh) {
	case PROTO_TCP:
		r->target_ip = src;
		return parse_tcp(p, plen, r);
	case PROTO_ICMPV6:
		return parse_icmp6(p, plen, our_ip6, r);
	default:
		return REPLY_E_PROTO;
	}
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

int reply_parse(const uint8_t *frame, size_t caplen, uint32_t our_ip, ip_addr our_ip6,
		struct reply *out)
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
	case ETHERTYPE_IPV6:
		rc = parse_ipv6(frame + ETH_HDR_LEN, caplen - ETH_HDR_LEN, our_ip6, &r);
		break;
	default:
		return REPLY_E_ETHERTYPE;
	}
	if (rc == 0)
		*out = r;
	return rc;
}
