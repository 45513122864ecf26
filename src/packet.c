/*
 * packet.c — TCP SYN probes (RFC 791 IPv4, RFC 9293 TCP) from a prebuilt
 * template with incremental checksums, ARP requests (RFC 826) and the
 * RFC 1071 Internet checksum.
 *
 * The template holds every constant byte of the probe and the one's-complement
 * sums of the constant 16-bit words of the IP header and of the TCP segment
 * plus pseudo-header. probe_build adds only the words that change per probe
 * (destination address, ports, sequence number, IP ID) and folds, so a probe
 * costs one 58-byte copy and a handful of additions.
 */
#include "packet.h"

#include <arpa/inet.h>
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

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define IPPROTO_TCP_NUM 6
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
