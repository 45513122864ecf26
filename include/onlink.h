/*
 * onlink.h — which ARP and Neighbor Discovery answers portus believes (the
 * neighbour guard; "ARP" below stands for both).
 *
 * Targets on the scanner's own subnet are probed at the MAC they answer ARP
 * (IPv4) or a Neighbor Solicitation (IPv6) with; one that does not answer is
 * reported down. The receiver thread parses every ARP frame and Neighbor
 * Advertisement (reply_parse, then reply_arp_to_us or the NA checks: a
 * well-formed, solicited answer unicast to our MAC and address, from a
 * possible neighbour) and then asks this guard whether to pass it on to the
 * scan driver. The guard believes a reply only
 *   - for an address we ask about (the on-link targets; the gateway when its
 *     MAC is to be learnt): everything else is unsolicited (ARP_UNASKED);
 *   - while the ARP phase is open (arp_guard_close, called by the receiver
 *     once the first probe has gone out): afterwards a reply could only change
 *     whom we probe or which host we call down, so it is dropped (ARP_LATE);
 *   - once per address, the first valid one: the same MAC again is a
 *     duplicate, another MAC a conflict — never believed, counted, and
 *     reported once per address by arp_guard_report.
 *
 * What no check can do: ARP carries no authentication, so a forged reply that
 * is well-formed, addressed to us and arrives during the ARP phase before the
 * real one (or for a host that is down) is indistinguishable from a real
 * answer, and wins. The probes for that host then go to the forger's MAC: the
 * host comes out up with every port filtered (no-response) unless the forger
 * also forges TCP answers, which the probe cookie rejects. The conflict
 * warning is the trace a race with a live host leaves.
 *
 * Not thread-safe: one guard is owned by the receiver thread.
 */
#ifndef PORTUS_ONLINK_H
#define PORTUS_ONLINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

enum arp_verdict {
	ARP_LEARN = 0,     /* first valid reply for an address we asked about: believe it */
	ARP_DUPLICATE = 1, /* the address's learnt MAC again */
	ARP_CONFLICT = 2,  /* the address already answered with another MAC: ignored */
	ARP_UNASKED = 3,   /* an address we never asked about */
	ARP_LATE = 4,      /* after the ARP phase, for an address that had not answered */
};

/* One address we ask about (IPv4-mapped for ARP, IPv6 for NDP); sorted by
 * addr_order in the guard. */
struct arp_claim {
	ip_addr ip;
	uint8_t mac[6]; /* the believed MAC, once learnt */
	uint8_t learnt;
	uint8_t conflict; /* 1 + index into the guard's conflicts[], or 0 */
};

/* The first addresses that saw a conflict, for the report. */
#define ARP_CONFLICTS_SHOWN 32

struct arp_conflict {
	ip_addr ip;
	uint8_t kept[6];  /* the believed MAC */
	uint8_t other[6]; /* the first other MAC claimed */
	uint64_t replies; /* replies with another MAC */
};

struct arp_guard {
	struct arp_claim *claims; /* owned */
	size_t nclaims;
	int closed;
	struct arp_conflict conflicts[ARP_CONFLICTS_SHOWN];
	size_t nconflicts;             /* entries of conflicts[] in use */
	uint64_t conflict_addrs;       /* addresses with a conflict, shown or not */
	uint64_t conflict_replies;     /* replies that conflicted */
	uint64_t counts[ARP_LATE + 1]; /* replies per verdict */
};

/*
 * Sets up a guard for the addresses ips[0..n) (any order, duplicates
 * allowed), phase open. Returns 0, or -1 when out of memory (*g then holds
 * nothing to free).
 */
int arp_guard_init(struct arp_guard *g, const ip_addr *ips, size_t n);
void arp_guard_free(struct arp_guard *g);

/* The ARP phase is over: from now on no reply is believed. */
void arp_guard_close(struct arp_guard *g);

/*
 * Judges a reply (already checked by reply_parse and reply_arp_to_us) from
 * ip claiming mac, and records it. Only ARP_LEARN may be acted upon.
 */
enum arp_verdict arp_guard_judge(struct arp_guard *g, ip_addr ip, const uint8_t mac[6]);

/*
 * Writes one warning line per address (the first ARP_CONFLICTS_SHOWN) whose
 * answers conflicted ("ARP conflict" for IPv4, "NDP conflict" for IPv6), and one line counting the rest; nothing when there was
 * no conflict. Returns the number of addresses with a conflict.
 */
uint64_t arp_guard_report(const struct arp_guard *g, FILE *f);

#endif
