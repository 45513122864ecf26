/*
 * netroute.h — where probes go: interface, source address, next hop.
 *
 * Uses libdnet (Debian's libdumbnet): intf_get_dst picks the interface the
 * kernel would use for a target (a UDP connect, which sends nothing),
 * route_get finds the gateway, arp_get reads the ARP cache. Targets inside the
 * interface's own subnet are "on-link": each is reached by its own MAC (ARP
 * sweep, done by the scan with the raw socket). All others go to the gateway.
 *
 * IPv6 (src/netroute6.c): libdnet cannot ask the kernel which interface and
 * source it would use for an IPv6 destination, so that part asks rtnetlink
 * directly (RTM_GETROUTE: output interface, gateway, preferred source), takes
 * the on-link prefix from the interface's address (getifaddrs) and the
 * router's MAC from the kernel's neighbour table (RTM_GETNEIGH) when it is
 * there; otherwise the scan solicits it (Neighbor Solicitation). A run may
 * mix IPv4 and IPv6 targets: both families must leave through one interface.
 */
#ifndef PORTUS_NETROUTE_H
#define PORTUS_NETROUTE_H

#include <stdint.h>

#include "addr.h"
#include "ipset.h"

struct net_path {
	char ifname[64];
	int ifindex;
	uint8_t src_mac[6];
	int has_v4, has_v6; /* which families the targets hold */
	/* IPv4 (all zero when the targets hold no IPv4 address). */
	uint32_t src_ip;                  /* host order */
	uint32_t onlink_net, onlink_mask; /* the interface's subnet */
	int has_offlink;                  /* some targets need the gateway */
	uint32_t gateway_ip;              /* 0 when none */
	uint8_t gateway_mac[6];
	int gateway_mac_known; /* from --gateway-mac or the ARP cache */
	/* IPv6 (all zero when the targets hold no IPv6 address). */
	ip_addr src_ip6;
	ip_addr onlink6_net; /* the interface's prefix (onlink6_bits 0: none) */
	unsigned onlink6_bits;
	int has_offlink6;    /* some IPv6 targets need the router */
	ip_addr gateway_ip6; /* the router (often link-local); zero when none */
	uint8_t gateway6_mac[6];
	int gateway6_mac_known; /* from --gateway-mac or the neighbour table */
};

struct net_overrides {
	const char *ifname;         /* NULL or "": automatic */
	uint32_t source_ip;         /* 0: the interface's address */
	ip_addr source_ip6;         /* zero: the kernel's choice for the route */
	const uint8_t *gateway_mac; /* NULL: automatic (used for both families' routers) */
};

/*
 * Resolves the path for a normalized, non-empty target set. All targets must
 * leave through one interface. Returns 0, or -1 with err ("no route to X",
 * "X and Y leave through different interfaces", unknown interface, ...).
 */
int netroute_resolve(const struct ip_set *targets, const struct net_overrides *ov,
		     struct net_path *np, char *err, size_t errlen);

/* Non-zero when ip is on the interface's own subnet (reached by its own MAC). */
int netroute_is_onlink(const struct net_path *np, uint32_t ip);

/* The same for an IPv6 address and the interface's IPv6 prefix. */
int netroute_is_onlink6(const struct net_path *np, ip_addr ip);

/* Either family: IPv4-mapped addresses are judged by netroute_is_onlink. */
int netroute_onlink(const struct net_path *np, ip_addr ip);

/*
 * The IPv6 half of netroute_resolve (src/netroute6.c), called by it when
 * np->has_v6: fills np's IPv6 fields; when np->ifindex is 0 (no IPv4
 * target chose the interface) it chooses the interface too (name, index; the
 * caller then reads its MAC). Returns 0 or -1 with err.
 */
int netroute6_resolve(const struct ip_set *targets, const struct net_overrides *ov,
		      struct net_path *np, char *err, size_t errlen);

#endif
