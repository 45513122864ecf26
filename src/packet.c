/*
 * packet.c — TCP SYN probes (RFC 791 IPv4, RFC 8200 IPv6, RFC 9293 TCP) from
 * a prebuilt template with incremental checksums, ARP requests (RFC 826),
 * IPv6 Neighbor Solicitations (RFC 4861) and the RFC 1071 Internet checksum.
 *
 * The template holds every constant byte of the probe and the one's-complement
 * sums of the constant 16-bit words of the IP header and of the TCP segment
 * plus pseudo-header. probe_build adds only the words that change per probe
 * (destination address, ports, sequence number, IP ID) and folds, so a probe
 * costs one 58-byte copy and a handful of additions. probe6_build does the
 * same for IPv6 (no IP header checksum; the pseudo-header's source address is
 * in the template's sum, the destination's eight words are added per probe).
 */
#include "packet.h"

#include <arpa/inet.h>
#include <endian.h>
#include <string.h>

#include "extract.h"

/* Offsets within the frame. */
#define OFF_ETH_DST 0
#define OFF_ETH_SRC 6
#define OFF_ETH_TYPE 12
#define OFF_IP ETH_HDR_LEN
#define OFF_IP_ID (OFF_IP + 4)
#define OFF_IP_SUM (OFF_IP + 10)
#define OFF_IP_SRC (OFF_IP + 12)
#define OFF_IP_DST (OFF_IP + 16)
#define IP_HDR_LEN 20
#define OFF_TCP (OFF_IP + IP_HDR_LEN)
#define OFF_TCP_SPORT (OFF_TCP + 0)
#define OFF_TCP_DPORT (OFF_TCP + 2)
#define OFF_TCP_SEQ (OFF_TCP + 4)
#define OFF_TCP_SUM (OFF_TCP + 16)
#define TCP_HDR_LEN 24 /* 20 + MSS option */

/* IPv6 frames (RFC 8200 3): probe and Neighbor Solicitation. */
#define OFF_IP6 ETH_HDR_LEN
#define OFF_IP6_VTF (OFF_IP6 + 0) /* version, traffic class, flow label: one 32-bit word */
#define OFF_IP6_DST (OFF_IP6 + 24)
#define IP6_HDR_LEN 40
#define OFF_TCP6 (OFF_IP6 + IP6_HDR_LEN)
#define OFF_TCP6_SPORT (OFF_TCP6 + 0)
#define OFF_TCP6_DPORT (OFF_TCP6 + 2)
#define OFF_TCP6_SEQ (OFF_TCP6 + 4)
#define OFF_TCP6_SUM (OFF_TCP6 + 16)
#define OFF_ICMP6 (OFF_IP6 + IP6_HDR_LEN)
#define ICMP6_NS_LEN 32 /* 4 header + 4 reserved + 16 target + 8 option */

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd
#define IPPROTO_TCP_NUM 6
#define IPPROTO_ICMPV6_NUM 58
#define IP6_VTF_BASE 0x60000000u /* version 6, traffic class 0, flow label 0 */
#define IP6_FLOW_MASK 0xfffffu   /* the flow label is the low 20 bits */
#define ND_HOP_LIMIT 255         /* RFC 4861 7.1.1: receivers drop anything else */
#define ICMP6_NEIGHBOR_SOLICIT 135
#define ND_OPT_SOURCE_LINKADDR 1
/* ff02::1:ff00:0/104, the solicited-node multicast prefix (RFC 4291 2.7.1). */
#define SOLICITED_NODE_PREFIX ((u128)0xff02 << 112 | (u128)1 << 32 | (u128)0xff << 24)
#define IP_FLAG_DF 0x4000
#define TCP_FLAG_SYN 0x02
#define TCPOPT_MSS 2
#define TCPOLEN_MSS 4

/* Sum of the big-endian 16-bit words of p[0 .. len), len even. */
static uint32_t sum_words(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += get_be16(p + i);
	return s;
}

/* Folds a 32-bit one's-complement sum to 16 bits and complements it. */
static inline uint16_t fold_complement(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

void probe_template_init(struct probe_template *t, const uint8_t src_mac[6],
			 const uint8_t dst_mac[6], uint32_t src_ip, uint8_t ttl, uint16_t window,
			 uint16_t mss)
{
	uint8_t *f = t->frame;
	uint8_t *ip = f + OFF_IP;
	uint8_t *tcp = f + OFF_TCP;

	memset(t, 0, sizeof(*t));

	/* Ethernet II */
	memcpy(f + OFF_ETH_DST, dst_mac, 6);
	memcpy(f + OFF_ETH_SRC, src_mac, 6);
	put_be16(f + OFF_ETH_TYPE, ETHERTYPE_IPV4);

	/* IPv4: ID, checksum and destination stay zero here. */
	ip[0] = 0x45; /* version 4, IHL 5 */
	ip[1] = 0;    /* TOS */
	put_be16(ip + 2, IP_HDR_LEN + TCP_HDR_LEN);
	put_be16(ip + 6, IP_FLAG_DF);
	ip[8] = ttl;
	ip[9] = IPPROTO_TCP_NUM;
	put_be32(ip + 12, src_ip);

	/* TCP: ports, sequence number and checksum stay zero here. */
	tcp[12] = (TCP_HDR_LEN / 4) << 4; /* data offset 6 */
	tcp[13] = TCP_FLAG_SYN;
	put_be16(tcp + 14, window);
	tcp[20] = TCPOPT_MSS;
	tcp[21] = TCPOLEN_MSS;
	put_be16(tcp + 22, mss);

	/* The zero placeholders contribute nothing, so summing everything is
	 * the sum of the constant words. */
	t->ip_sum = sum_words(ip, IP_HDR_LEN);
	t->tcp_sum = sum_words(tcp, TCP_HDR_LEN) + (src_ip >> 16) + (src_ip & 0xffff) +
		     IPPROTO_TCP_NUM + TCP_HDR_LEN;
}

/* Stores v at p in network byte order as one (possibly unaligned) word: the
 * compiler emits a byte swap and a single store, where four put_be8-style
 * byte stores plus shifts cost several instructions each. memcpy, not a cast:
 * no alignment or aliasing assumption. */
static inline void store_be16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, sizeof(v));
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, sizeof(v));
}

void probe_build(const struct probe_template *t, uint8_t out[PROBE_LEN], const uint8_t *dst_mac,
		 uint32_t dst_ip, uint16_t dst_port, uint16_t src_port, uint32_t seq,
		 uint16_t ip_id)
{
	uint32_t dst_words = (dst_ip >> 16) + (dst_ip & 0xffff);
	uint32_t ip_sum, tcp_sum;

	memcpy(out, t->frame, PROBE_LEN);
	if (dst_mac != NULL)
		memcpy(out + OFF_ETH_DST, dst_mac, 6);

	store_be16(out + OFF_IP_ID, ip_id);
	store_be32(out + OFF_IP_DST, dst_ip);
	/* Source and destination port are adjacent: one 32-bit store. */
	_Static_assert(OFF_TCP_DPORT == OFF_TCP_SPORT + 2, "ports adjacent");
	store_be32(out + OFF_TCP_SPORT, (uint32_t)src_port << 16 | dst_port);
	store_be32(out + OFF_TCP_SEQ, seq);

	/* The template's sums plus the variable words (RFC 1071 section 2(B):
	 * the sum is order-independent, so the constant part is added once at
	 * template time). At most ~16 words of 0xffff: no 32-bit overflow. */
	ip_sum = t->ip_sum + dst_words + ip_id;
	tcp_sum = t->tcp_sum + dst_words + src_port + dst_port + (seq >> 16) + (seq & 0xffff);

	store_be16(out + OFF_IP_SUM, fold_complement(ip_sum));
	store_be16(out + OFF_TCP_SUM, fold_complement(tcp_sum));
}

/* ---- IPv6 --------------------------------------------------------------- */

static inline void store_be64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

/* The address's 16 network-order bytes at p (any alignment). */
static inline void store_addr(uint8_t *p, ip_addr a)
{
	store_be64(p, (uint64_t)(a.v >> 64));
	store_be64(p + 8, (uint64_t)a.v);
}

/*
 * Sum of the eight big-endian 16-bit words of an address, as sum_words over
 * its network-order bytes would give. Computed in two 32-bit lanes of a 64-bit
 * integer: each lane collects four words, at most 4 * 0xffff, so no carry
 * crosses from the low lane into the high one and the result is the exact sum
 * (at most 8 * 0xffff).
 */
static inline uint32_t sum_addr_words(ip_addr a)
{
	const uint64_t m = 0x0000ffff0000ffffull;
	uint64_t hi = (uint64_t)(a.v >> 64), lo = (uint64_t)a.v;
	uint64_t lanes = (hi & m) + ((hi >> 16) & m) + (lo & m) + ((lo >> 16) & m);

	return (uint32_t)(lanes >> 32) + (uint32_t)lanes;
}

void probe6_template_init(struct probe6_template *t, const uint8_t src_mac[6],
			  const uint8_t dst_mac[6], ip_addr src, uint8_t hop_limit, uint16_t window,
			  uint16_t mss)
{
	uint8_t *f = t->frame;
	uint8_t *ip6 = f + OFF_IP6;
	uint8_t *tcp = f + OFF_TCP6;

	memset(t, 0, sizeof(*t));

	/* Ethernet II */
	memcpy(f + OFF_ETH_DST, dst_mac, 6);
	memcpy(f + OFF_ETH_SRC, src_mac, 6);
	put_be16(f + OFF_ETH_TYPE, ETHERTYPE_IPV6);

	/* IPv6: flow label and destination stay zero here. */
	put_be32(ip6 + 0, IP6_VTF_BASE);
	put_be16(ip6 + 4, TCP_HDR_LEN); /* payload length: no extension headers */
	ip6[6] = IPPROTO_TCP_NUM;       /* next header */
	ip6[7] = hop_limit;
	store_addr(ip6 + 8, src);

	/* TCP as in probe_template_init: ports, sequence number and checksum
	 * stay zero here. */
	tcp[12] = (TCP_HDR_LEN / 4) << 4; /* data offset 6 */
	tcp[13] = TCP_FLAG_SYN;
	put_be16(tcp + 14, window);
	tcp[20] = TCPOPT_MSS;
	tcp[21] = TCPOLEN_MSS;
	put_be16(tcp + 22, mss);

	/* Pseudo-header (RFC 8200 8.1): source and destination address, 32-bit
	 * upper-layer length, 24 zero bits and the next header. Only the
	 * destination varies per probe. */
	t->tcp_sum = sum_words(tcp, TCP_HDR_LEN) + sum_addr_words(src) + TCP_HDR_LEN +
		     IPPROTO_TCP_NUM;
}

void probe6_build(const struct probe6_template *t, uint8_t out[PROBE6_LEN], const uint8_t *dst_mac,
		  ip_addr dst, uint16_t dst_port, uint16_t src_port, uint32_t seq,
		  uint32_t flow_label)
{
	uint32_t tcp_sum;

	memcpy(out, t->frame, PROBE6_LEN);
	if (dst_mac != NULL)
		memcpy(out + OFF_ETH_DST, dst_mac, 6);

	store_be32(out + OFF_IP6_VTF, IP6_VTF_BASE | (flow_label & IP6_FLOW_MASK));
	store_addr(out + OFF_IP6_DST, dst);
	_Static_assert(OFF_TCP6_DPORT == OFF_TCP6_SPORT + 2, "ports adjacent");
	store_be32(out + OFF_TCP6_SPORT, (uint32_t)src_port << 16 | dst_port);
	store_be32(out + OFF_TCP6_SEQ, seq);

	/* The template's sum holds the constant TCP words and the source part of
	 * the pseudo-header; the flow label is not covered by any checksum. At
	 * most ~32 words of 0xffff in all: no 32-bit overflow, and two folds in
	 * fold_complement suffice. The result is the RFC 1071 value as is: a
	 * TCP checksum of 0x0000 is valid and sent unchanged (the 0 -> 0xffff
	 * rule of RFC 8200 8.1 is for UDP only). */
	tcp_sum = t->tcp_sum + sum_addr_words(dst) + src_port + dst_port + (seq >> 16) +
		  (seq & 0xffff);
	store_be16(out + OFF_TCP6_SUM, fold_complement(tcp_sum));
}

void arp_request_build(uint8_t out[ARP_FRAME_LEN], const uint8_t src_mac[6], uint32_t src_ip,
		       uint32_t target_ip)
{
	uint8_t *arp = out + ETH_HDR_LEN;

	memset(out, 0xff, 6);
	memcpy(out + OFF_ETH_SRC, src_mac, 6);
	put_be16(out + OFF_ETH_TYPE, ETHERTYPE_ARP);

	put_be16(arp + 0, 1);              /* htype: Ethernet */
	put_be16(arp + 2, ETHERTYPE_IPV4); /* ptype */
	arp[4] = 6;                        /* hlen */
	arp[5] = 4;                        /* plen */
	put_be16(arp + 6, 1);              /* op: request */
	memcpy(arp + 8, src_mac, 6);
	put_be32(arp + 14, src_ip);
	memset(arp + 18, 0, 6);
	put_be32(arp + 24, target_ip);
}

void ns_build(uint8_t out[NS_FRAME_LEN], const uint8_t src_mac[6], ip_addr src, ip_addr target)
{
	uint8_t *ip6 = out + OFF_IP6;
	uint8_t *icmp = out + OFF_ICMP6;
	/* The target's low 24 bits appended to the solicited-node prefix. */
	ip_addr group = { SOLICITED_NODE_PREFIX | (target.v & 0xffffff) };
	uint32_t sum;

	memset(out, 0, NS_FRAME_LEN);

	/* Ethernet II: 33:33 and the group's last 32 bits (RFC 2464 7). */
	out[0] = 0x33;
	out[1] = 0x33;
	put_be32(out + 2, (uint32_t)group.v);
	memcpy(out + OFF_ETH_SRC, src_mac, 6);
	put_be16(out + OFF_ETH_TYPE, ETHERTYPE_IPV6);

	/* IPv6: traffic class and flow label 0. */
	put_be32(ip6 + 0, IP6_VTF_BASE);
	put_be16(ip6 + 4, ICMP6_NS_LEN);
	ip6[6] = IPPROTO_ICMPV6_NUM;
	ip6[7] = ND_HOP_LIMIT;
	store_addr(ip6 + 8, src);
	store_addr(ip6 + 24, group);

	/* ICMPv6 NS (RFC 4861 4.3): code, checksum and reserved stay zero here. */
	icmp[0] = ICMP6_NEIGHBOR_SOLICIT;
	store_addr(icmp + 8, target);
	icmp[24] = ND_OPT_SOURCE_LINKADDR;
	icmp[25] = 1; /* option length in units of 8 bytes */
	memcpy(icmp + 26, src_mac, 6);

	/* RFC 4443 2.3: over the RFC 8200 8.1 pseudo-header and the message. */
	sum = sum_addr_words(src) + sum_addr_words(group) + ICMP6_NS_LEN + IPPROTO_ICMPV6_NUM +
	      sum_words(icmp, ICMP6_NS_LEN);
	put_be16(icmp + 2, fold_complement(sum));
}

uint16_t inet_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += get_be16(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}
