/*
 * reply.h — bounds-checked parsing of captured frames (DLT_EN10MB) that may be
 * answers to our probes: TCP (RFC 9293) from a target over IPv4 (RFC 791) or
 * IPv6 (RFC 8200), ICMP destination unreachable (RFC 792) or ICMPv6
 * destination unreachable (RFC 4443 3.1) quoting one of our probes, ARP
 * replies (RFC 826) and IPv6 Neighbor Advertisements (RFC 4861 4.4).
 *
 * Every byte is hostile. Each length is checked against the captured length
 * before use (tcpdump's discipline); fields are read through byte accessors.
 * Parsing does not decide whether a reply is genuine: the caller checks the
 * cookie (probe_seq, probe_sport) and that the target is in the plan.
 */
#ifndef PORTUS_REPLY_H
#define PORTUS_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum reply_type {
	REPLY_TCP = 1,   /* TCP segment, IPv4 or IPv6 */
	REPLY_ICMP = 2,  /* ICMP (IPv4) destination unreachable quoting a probe */
	REPLY_ARP = 3,   /* ARP reply */
	REPLY_ICMP6 = 4, /* ICMPv6 destination unreachable (type 1) quoting a probe */
	REPLY_NA = 5,    /* ICMPv6 Neighbor Advertisement (type 136) answering our solicitation */
};

/* TCP flag bits as in the header's 13th byte. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

/* Neighbor Advertisement flag bits (RFC 4861 4.4) as in the byte after the
 * ICMPv6 checksum. */
#define NAF_ROUTER 0x80
#define NAF_SOLICITED 0x40
#define NAF_OVERRIDE 0x20

/* How many IPv6 extension headers (hop-by-hop, routing, destination options)
 * are skipped before the upper-layer header; more is REPLY_E_IPHDR. */
#define REPLY_IP6_EXT_MAX 8

/* Why a frame was rejected (negative return values of reply_parse). */
enum reply_error {
	REPLY_E_SHORT = -1,     /* a header runs past the captured length or the datagram */
	REPLY_E_ETHERTYPE = -2, /* neither IPv4, IPv6 nor ARP (VLAN tags are not followed) */
	REPLY_E_IPHDR = -3,     /* bad version, IHL < 5, total length < IHL, impossible IPv6
				 * source, IPv6 extension header chain too long or misordered */
	REPLY_E_FRAGMENT = -4,  /* IPv4 MF set or non-zero offset; any IPv6 fragment header */
	REPLY_E_NOT_US = -5,    /* not addressed to our_ip / our_ip6 (or no our_ip6) */
	REPLY_E_PROTO = -6,     /* not TCP/ICMP/ICMPv6 after the headers; ARP not a reply */
	REPLY_E_TCPHDR = -7,    /* data offset < 5 or past the IP payload */
	REPLY_E_ICMP = -8,      /* ICMP(v6) type not handled, or bad quote */
	REPLY_E_ARP = -9,       /* ARP reply from an impossible sender (see reply_parse) */
	REPLY_E_ND = -10, /* Neighbor Advertisement invalid or unbelievable (see reply_parse) */
};

struct reply {
	enum reply_type type;
	/* The probed address: TCP source, quoted IP destination, ARP sender, NA
	 * target. IPv4 addresses are IPv4-mapped (addr_from_v4); an IPv6 reply
	 * never yields an IPv4-mapped address (such frames are rejected). */
	ip_addr target_ip;
	uint16_t target_port; /* the probed port: TCP source port, quoted TCP dst port */
	uint16_t probe_sport; /* our source port: TCP dst port, quoted TCP src port */
	uint32_t probe_seq;   /* TCP: ack - 1 (mod 2^32); ICMP(v6): quoted sequence number */
	uint8_t tcp_flags;    /* TCP only */
	uint8_t icmp_type;    /* ICMP, ICMPv6 and NA (136) only */
	uint8_t icmp_code;    /* ICMP, ICMPv6 and NA (0) only */
	uint8_t ttl;          /* TTL / hop limit of the reply's (outer) IP header; 0 for ARP */
	uint8_t na_flags;     /* NA only: its NAF_* bits (NAF_SOLICITED always set) */
	uint8_t na_tlla;      /* NA only: 1 if mac came from the target link-layer address
			       * option, 0 if from the Ethernet source (option absent) */
	/* Outer IP source (the router for ICMP/ICMPv6; the advertising interface's
	 * address, often link-local, for NA); ARP sender. */
	ip_addr responder_ip;
	uint8_t mac[6];     /* Ethernet source; ARP: sender hardware address; NA: see reply_parse */
	uint8_t eth_dst[6]; /* Ethernet destination */
	uint8_t arp_tha[6]; /* ARP only: target hardware address */
};

/*
 * Parses frame[0..caplen). our_ip (host order) is the scanner's IPv4 address:
 * IPv4 replies must be addressed to it, ICMP quotes must carry it as source,
 * ARP replies must target it. An ARP frame is accepted only as an
 * Ethernet/IPv4 reply (htype 1, ptype 0x0800, hlen 6, plen 4, op 2) whose
 * sender is a possible neighbour: its hardware address neither zero nor a
 * group (broadcast/multicast) address, its protocol address neither 0.0.0.0,
 * nor 224.0.0.0/4 or above (multicast, reserved, broadcast), nor our_ip (a
 * gratuitous ARP for our own address) — REPLY_E_ARP otherwise. ARP requests,
 * gratuitous ARP for any other address and replies to others are rejected
 * here too (their target is not our_ip, or they are not replies).
 *
 * our_ip6 is the scanner's IPv6 source address. When it is zero (the scan has
 * no IPv6 source) or IPv4-mapped, every IPv6 frame is REPLY_E_NOT_US, however
 * malformed. Otherwise an IPv6 frame (ethertype 0x86dd) is accepted only if:
 *  - its header is complete (else REPLY_E_SHORT), version 6 (REPLY_E_IPHDR),
 *    and the payload length fits the captured bytes (REPLY_E_SHORT; bytes
 *    after the payload are Ethernet padding and ignored; jumbograms, with a
 *    payload length of 0, are not followed: nothing fits in that payload);
 *  - its destination is our_ip6 (REPLY_E_NOT_US: this also drops multicast
 *    such as unsolicited advertisements to ff02::1);
 *  - its source is neither multicast (RFC 4291 2.7) nor IPv4-mapped (which
 *    would pose as an IPv4 target; RFC 4291 2.5.5.2) — REPLY_E_IPHDR;
 *  - after at most REPLY_IP6_EXT_MAX hop-by-hop (0; first only, RFC 8200
 *    4.1), routing (43) and destination options (60) headers, each inside
 *    the payload (REPLY_E_SHORT), it reaches TCP (6) or ICMPv6 (58). More
 *    headers or a misplaced hop-by-hop is REPLY_E_IPHDR; a fragment header
 *    (44) REPLY_E_FRAGMENT (fragments are not reassembled, atomic ones
 *    included); a routing header with segments left > 0 REPLY_E_NOT_US (the
 *    packet is not at its final destination); anything else (AH, ESP, no
 *    next header, UDP ...) REPLY_E_PROTO.
 * TCP is then read as for IPv4. ICMPv6 must be at least 8 bytes (REPLY_E_SHORT)
 * and of type 1 or 136 (REPLY_E_ICMP otherwise). Type 1 (any code) must quote
 * an IPv6 header with our_ip6 as source, a destination that is not
 * IPv4-mapped, extension headers as above (all within the quote) leading to
 * TCP, and the first 8 bytes of that TCP header; the quote ends where the
 * router cut it or at the quoted packet's own payload length, whichever is
 * first (RFC 4884 extensions beyond it are ignored). Any failure is
 * REPLY_E_ICMP. ttl is the outer hop limit, responder_ip the outer source.
 *
 * A Neighbor Advertisement (type 136) must pass RFC 4861 7.1.2 validation
 * (hop limit 255, code 0, ICMPv6 length >= 24, target not multicast, every
 * option's length non-zero and inside the message) and be believable as an
 * answer to our solicitation: Solicited flag set, destination our_ip6 (see
 * above), target neither ::, ::1, IPv4-mapped nor our_ip6 (our own address
 * defended in duplicate address detection is not a neighbour).
 * Its mac is the first target link-layer address option's (type 2, which must
 * be 8 bytes long, as on Ethernet, RFC 2464 8), or when there is none the
 * Ethernet source (na_tlla tells which; RFC 4861 7.2.5 would discard such an
 * advertisement when the solicitation was multicast, so the caller may choose
 * to). That mac must be neither zero nor a group address. Any failure is
 * REPLY_E_ND.
 *
 * Checksums (IP, TCP, ICMP, ICMPv6) are not verified, for either family.
 * Returns 0 and fills *out, or a negative reply_error (*out then untouched).
 */
int reply_parse(const uint8_t *frame, size_t caplen, uint32_t our_ip, ip_addr our_ip6,
		struct reply *out);

/*
 * The checks of a parsed ARP reply that need the scanner's MAC, which
 * reply_parse does not know: an answer to our request is unicast to us (its
 * Ethernet destination and target hardware address both our_mac, as RFC 826
 * swaps the request's sender into the target) and its sender hardware
 * address is not ours. Returns 0, REPLY_E_NOT_US (not addressed to us) or
 * REPLY_E_ARP (claims our MAC); REPLY_E_PROTO when r is not an ARP reply.
 */
int reply_arp_to_us(const struct reply *r, const uint8_t our_mac[6]);

#endif
