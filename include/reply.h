/*
 * reply.h — bounds-checked parsing of captured frames (DLT_EN10MB) that may be
 * answers to our probes: TCP (RFC 9293) from a target, ICMP destination
 * unreachable (RFC 792) quoting one of our probes, ARP replies (RFC 826).
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

enum reply_type { REPLY_TCP = 1, REPLY_ICMP = 2, REPLY_ARP = 3 };

/* TCP flag bits as in the header's 13th byte. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

/* Why a frame was rejected (negative return values of reply_parse). */
enum reply_error {
	REPLY_E_SHORT = -1,    /* a header runs past the captured length */
	REPLY_E_ETHERTYPE = -2, /* neither IPv4 nor ARP (VLAN tags are not followed) */
	REPLY_E_IPHDR = -3,    /* version != 4, IHL < 5, total length inconsistent */
	REPLY_E_FRAGMENT = -4, /* MF set or non-zero fragment offset */
	REPLY_E_NOT_US = -5,   /* not addressed to our_ip */
	REPLY_E_PROTO = -6,    /* IP protocol other than TCP/ICMP; ARP not a reply */
	REPLY_E_TCPHDR = -7,   /* data offset < 5 or past the IP payload */
	REPLY_E_ICMP = -8,     /* ICMP type not destination-unreachable, or bad quote */
	REPLY_E_ARP = -9,      /* ARP reply from an impossible sender (see reply_parse) */
};

struct reply {
	enum reply_type type;
	uint32_t target_ip;    /* the probed address: TCP source, quoted IP dst, ARP sender */
	uint16_t target_port;  /* the probed port: TCP source port, quoted TCP dst port */
	uint16_t probe_sport;  /* our source port: TCP dst port, quoted TCP src port */
	uint32_t probe_seq;    /* TCP: ack - 1 (mod 2^32); ICMP: quoted sequence number */
	uint8_t tcp_flags;     /* TCP only */
	uint8_t icmp_type;     /* ICMP only */
	uint8_t icmp_code;     /* ICMP only */
	uint8_t ttl;           /* TTL of the reply's (outer) IP header; 0 for ARP */
	uint32_t responder_ip; /* outer IP source (the router for ICMP); ARP sender */
	uint8_t mac[6];        /* Ethernet source (ARP: sender hardware address) */
	uint8_t eth_dst[6];    /* Ethernet destination */
	uint8_t arp_tha[6];    /* ARP only: target hardware address */
};

/*
 * Parses frame[0..caplen). our_ip (host order) is the scanner's address: IP
 * replies must be addressed to it, ICMP quotes must carry it as source, ARP
 * replies must target it. An ARP frame is accepted only as an Ethernet/IPv4
 * reply (htype 1, ptype 0x0800, hlen 6, plen 4, op 2) whose sender is a
 * possible neighbour: its hardware address neither zero nor a group
 * (broadcast/multicast) address, its protocol address neither 0.0.0.0, nor
 * 224.0.0.0/4 or above (multicast, reserved, broadcast), nor our_ip (a
 * gratuitous ARP for our own address) — REPLY_E_ARP otherwise. ARP requests,
 * gratuitous ARP for any other address and replies to others are rejected
 * here too (their target is not our_ip, or they are not replies). Returns 0
 * and fills *out, or a negative reply_error (*out then untouched).
 */
int reply_parse(const uint8_t *frame, size_t caplen, uint32_t our_ip, struct reply *out);

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
