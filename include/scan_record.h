/*
 * scan_record.h — what the scan concluded, as handed to the output writers.
 * Names follow nmap's (--reason output) so users and parsers recognise them.
 */
#ifndef PORTUS_SCAN_RECORD_H
#define PORTUS_SCAN_RECORD_H

#include <stdint.h>

#include "addr.h"
#include "table.h"

enum reason {
	R_NONE = 0,
	R_SYN_ACK,          /* "syn-ack" */
	R_RESET,            /* "reset" */
	R_NO_RESPONSE,      /* "no-response" */
	R_NET_UNREACH,      /* "net-unreach"      ICMP 3/0 */
	R_HOST_UNREACH,     /* "host-unreach"     ICMP 3/1 */
	R_PROTO_UNREACH,    /* "proto-unreach"    ICMP 3/2 */
	R_PORT_UNREACH,     /* "port-unreach"     ICMP 3/3 */
	R_NET_PROHIBITED,   /* "net-prohibited"   ICMP 3/9 */
	R_HOST_PROHIBITED,  /* "host-prohibited"  ICMP 3/10 */
	R_ADMIN_PROHIBITED, /* "admin-prohibited" ICMP 3/13 */
	R_ARP_RESPONSE,     /* "arp-response"  host up */
	R_NO_ARP,           /* "no-arp-response" host down */
	R_USER_SET,         /* "user-set"  host assumed up (routed targets) */
	/* "all-ports-open": every scanned port of the host (at least
	 * ALL_OPEN_MIN_PORTS) answered SYN-ACK. Real hosts do not; a SYN proxy,
	 * tarpit or firewall answering on the host's behalf does, so its "open"
	 * ports say nothing about services. Reported as an extra host record. */
	R_ALL_PORTS_OPEN,
	/* ICMPv6 destination unreachable (RFC 4443 3.1), nmap's names. Code 3
	 * (address unreachable) is R_HOST_UNREACH, 4 is R_PORT_UNREACH, 1 and 5
	 * (administratively prohibited, source address failed policy) are
	 * R_ADMIN_PROHIBITED. */
	R_NO_ROUTE,     /* "no-route"     ICMPv6 1/0 */
	R_BEYOND_SCOPE, /* "beyond-scope" ICMPv6 1/2 */
	R_REJECT_ROUTE, /* "reject-route" ICMPv6 1/6 */
	R_ND_RESPONSE,  /* "nd-response"  host up: answered IPv6 neighbour solicitation */
	R_NO_ND,        /* "no-nd-response" host down: on-link IPv6, no neighbour advertisement */
	R_COUNT
};

const char *reason_name(enum reason r);
const char *state_name(enum port_state s); /* "open", "closed", "filtered", "unknown" */

/* The filtering reason for an ICMP destination-unreachable (type 3) code that
 * nmap counts as filtered (0,1,2,3,9,10,13); R_NONE for anything else. */
enum reason reason_from_icmp(uint8_t type, uint8_t code);

/* The same for an ICMPv6 destination-unreachable (type 1) code: every code
 * of RFC 4443 (0-6) is a filtering reason; R_NONE for others and other types. */
enum reason reason_from_icmp6(uint8_t type, uint8_t code);

/*
 * Whether a port's answer shows that the host itself is there: nmap's "host
 * up", the one rule every output and `portus diff` apply. A SYN-ACK or a RST
 * (open, closed), or an ICMP error sent from the target's own address, is
 * the host answering. An ICMP error from another address (reason_ip: a router
 * or firewall on the way) says nothing about the target, nor does silence
 * (no-response) or an ICMP reason without a sender. A host is up when one of
 * its ports answered so, or ARP / neighbour discovery found it (host record
 * "up").
 */
int reply_from_target(ip_addr ip, enum reason reason, ip_addr reason_ip);

/* reply_from_target for a port record (has_reply 0: never). */
struct port_record;
int port_record_from_target(const struct port_record *r);

struct port_record {
	ip_addr ip;
	uint16_t port;
	uint16_t sport;    /* the probe's source port (from the cookie); 0 when unknown */
	uint8_t state;     /* enum port_state, never PS_UNKNOWN */
	uint8_t reason;    /* enum reason */
	uint8_t has_reply; /* 0 for no-response: ttl and reason_ip are meaningless */
	uint8_t ttl;       /* TTL of the reply */
	ip_addr reason_ip; /* sender of an ICMP error (may differ from ip), else zero */
	int64_t time_us;   /* when classified, microseconds since the Unix epoch, UTC */
	/* The host names the address came from (hostnames.h), input order,
	 * NULL-terminated (one pointer keeps the record at 64 bytes); borrowed,
	 * NULL for an address given only as a literal. Filled by the writer
	 * wrapper of names_writer.h, so the engine never handles names. */
	const char *const *names;
};

#define ALL_OPEN_MIN_PORTS 10 /* fewer scanned ports all open is plausible for a real host */

struct host_record {
	ip_addr ip;
	uint8_t up;     /* 1 up, 0 down */
	uint8_t reason; /* R_ARP_RESPONSE, R_NO_ARP */
	int64_t time_us;
	const char *const *names; /* as in port_record */
};

/* How many names a record's NULL-terminated list holds (0 for NULL). */
static inline uint32_t record_nnames(const char *const *names)
{
	uint32_t n = 0;

	while (names != NULL && names[n] != NULL)
		n++;
	return n;
}

/* A target host name that gave no address to scan (resolve.h): written once
 * per name before the scan starts, by the formats that have records for it. */
struct resolve_record {
	const char *name;   /* as the user gave it, without a trailing dot */
	const char *error;  /* resolve_status_name: "NXDOMAIN", "SERVFAIL", "TIMEOUT"... */
	const char *detail; /* c-ares's words for "ERROR", else NULL */
	const char *family; /* what was asked: "any" (A and AAAA), "ipv4" (-4), "ipv6" (-6) */
	int64_t time_us;
};

struct run_summary {
	int64_t start_us, end_us;
	uint64_t targets;    /* (address, port) pairs in this shard's plan */
	uint64_t hosts;      /* addresses in the plan */
	uint32_t ports;      /* ports per address in the plan (0: derive from targets/hosts) */
	uint64_t hosts_down; /* on-link hosts that did not answer ARP */
	uint64_t open, closed, filtered;
	uint64_t probes_sent;
	double rate_pps; /* probes sent / time spent sending (not counting waits) */
	uint64_t pcap_received, pcap_dropped, if_dropped;
	unsigned passes;
	uint64_t tls_endpoints, tls_ok; /* TLS records written, handshakes that succeeded */
	/* Memory the scan's target plan and state table allocated (plan.h,
	 * table_bytes()): what grows with the target space. 0 when unknown (a
	 * summary rebuilt by merge), and then not written. */
	uint64_t plan_bytes, table_bytes;
	uint64_t seed;
	unsigned shard_k, shard_n; /* 1-based k of n as the user wrote it */
	int interrupted;
};

#endif
