/*
 * netroute.h — where probes go: interface, source address, next hop.
 *
 * Uses libdnet (Debian's libdumbnet): intf_get_dst picks the interface the
 * kernel would use for a target (a UDP connect, which sends nothing),
 * route_get finds the gateway, arp_get reads the ARP cache. Targets inside the
 * interface's own subnet are "on-link": each is reached by its own MAC (ARP
 * sweep, done by the scan with the raw socket). All others go to the gateway.
 */
#ifndef PORTUS_NETROUTE_H
#define PORTUS_NETROUTE_H

#include <stdint.h>

#include "ipset.h"

struct net_path {
	char ifname[64];
	int ifindex;
	uint8_t src_mac[6];
	uint32_t src_ip;              /* host order */
	uint32_t onlink_net, onlink_mask; /* the interface's subnet */
	int has_offlink;              /* some targets need the gateway */
	uint32_t gateway_ip;          /* 0 when none */
	uint8_t gateway_mac[6];
	int gateway_mac_known;        /* from --gateway-mac or the ARP cache */
};

struct net_overrides {
	const char *ifname;    /* NULL or "": automatic */
	uint32_t source_ip;    /* 0: the interface's address */
	const uint8_t *gateway_mac; /* NULL: automatic */
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

#endif
