/* netroute.c — interface, source address and next hop via libdnet. */
#include <arpa/inet.h>
#include <dumbnet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "netroute.h"
#include "portus.h"

static int addr_from_host(struct addr *a, uint32_t ip)
{
	memset(a, 0, sizeof(*a));
	a->addr_type = ADDR_TYPE_IP;
	a->addr_bits = IP_ADDR_BITS;
	a->addr_ip = htonl(ip);
	return 0;
}

int netroute_is_onlink(const struct net_path *np, uint32_t ip)
{
	return np->onlink_mask != 0 && (ip & np->onlink_mask) == np->onlink_net;
}

static uint32_t prefix_mask(unsigned bits)
{
	return bits == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - bits));
}

/* Fills interface facts from an intf_entry; its IPv4 subnet when need_v4. */
static int take_interface(const struct intf_entry *e, int need_v4, struct net_path *np, char *err,
			  size_t errlen)
{
	snprintf(np->ifname, sizeof(np->ifname), "%s", e->intf_name);
	np->ifindex = (int)if_nametoindex(e->intf_name);
	if (np->ifindex == 0) {
		portus_err(err, errlen, "interface %s: no such interface", e->intf_name);
		return -1;
	}
	if (e->intf_link_addr.addr_type != ADDR_TYPE_ETH) {
		portus_err(err, errlen,
			   "interface %s: not an Ethernet interface (loopback or tunnel?)",
			   e->intf_name);
		return -1;
	}
	memcpy(np->src_mac, &e->intf_link_addr.addr_eth, 6);
	if (!need_v4)
		return 0;
	if (e->intf_addr.addr_type != ADDR_TYPE_IP) {
		portus_err(err, errlen, "interface %s: has no IPv4 address (use --source-ip)",
			   e->intf_name);
		return -1;
	}
	np->src_ip = ntohl(e->intf_addr.addr_ip);
	np->onlink_mask = prefix_mask(e->intf_addr.addr_bits);
	np->onlink_net = np->src_ip & np->onlink_mask;
	return 0;
}

/* The interface the kernel would use to reach ip (UDP connect: nothing sent). */
static int interface_for(intf_t *intf, uint32_t ip, struct intf_entry *ie, size_t ielen)
{
	struct addr dst;

	memset(ie, 0, ielen);
	ie->intf_len = (u_int)ielen;
	addr_from_host(&dst, ip);
	return intf_get_dst(intf, ie, &dst);
}

/* Checks that every range's endpoints leave through np->ifname (bounded work). */
static int check_one_interface(intf_t *intf, const struct ip_set *targets,
			       const struct net_path *np, struct intf_entry *ie, size_t ielen,
			       char *err, size_t errlen)
{
	char a[16];
	size_t limit = targets->n < 4096 ? targets->n : 4096;

	for (size_t i = 0; i < limit; i++) {
		uint32_t ends[2] = { addr_v4(targets->r[i].first), addr_v4(targets->r[i].last) };
		if (!addr_is_v4(targets->r[i].first) || !addr_is_v4(targets->r[i].last))
			continue; /* IPv6: netroute6_resolve checks it */
		for (int j = 0; j < 2; j++) {
			if (netroute_is_onlink(np, ends[j]))
				continue;
			if (interface_for(intf, ends[j], ie, ielen) < 0) {
				ip_to_str(ends[j], a);
				portus_err(err, errlen, "no route to %s", a);
				return -1;
			}
			if (strcmp(ie->intf_name, np->ifname) != 0) {
				ip_to_str(ends[j], a);
				portus_err(
					err, errlen,
					"%s leaves through %s, other targets through %s: scan them separately",
					a, ie->intf_name, np->ifname);
				return -1;
			}
		}
	}
	return 0;
}

/* First target address outside the on-link subnet, if any. */
static int first_offlink(const struct ip_set *targets, const struct net_path *np, uint32_t *ip)
{
	for (size_t i = 0; i < targets->n; i++) {
		if (!addr_is_v4(targets->r[i].first))
			continue;
		if (!netroute_is_onlink(np, addr_v4(targets->r[i].first))) {
			*ip = addr_v4(targets->r[i].first);
			return 1;
		}
		if (!netroute_is_onlink(np, addr_v4(targets->r[i].last))) {
			/* The range runs past the subnet: its first outside address. */
			*ip = (np->onlink_net | ~np->onlink_mask) + 1;
			return 1;
		}
	}
	return 0;
}

int netroute_resolve(const struct ip_set *targets, const struct net_overrides *ov,
		     struct net_path *np, char *err, size_t errlen)
{
	union {
		struct intf_entry e;
		uint8_t buf[1024]; /* intf_entry carries trailing alias addresses */
	} u;
	struct intf_entry *ie = &u.e;
	intf_t *intf = NULL;
	route_t *rt = NULL;
	arp_t *arp = NULL;
	char a[16];
	uint32_t off_ip, first4 = 0;
	int ret = -1;

	memset(np, 0, sizeof(*np));
	for (size_t i = 0; i < targets->n; i++) {
		if (addr_is_v4(targets->r[i].first)) {
			if (!np->has_v4)
				first4 = addr_v4(targets->r[i].first);
			np->has_v4 = 1;
		} else {
			np->has_v6 = 1;
		}
	}
	if ((intf = intf_open()) == NULL) {
		portus_err(err, errlen,
			   "cannot read the interface list (libdnet intf_open failed)");
		goto out;
	}
	memset(&u, 0, sizeof(u));
	ie->intf_len = sizeof(u);
	if (ov->ifname != NULL && ov->ifname[0] != '\0') {
		snprintf(ie->intf_name, sizeof(ie->intf_name), "%s", ov->ifname);
		if (intf_get(intf, ie) < 0) {
			portus_err(err, errlen, "--interface %s: no such interface", ov->ifname);
			goto out;
		}
	} else if (np->has_v4 && interface_for(intf, first4, ie, sizeof(u)) < 0) {
		ip_to_str(first4, a);
		portus_err(err, errlen,
			   "no route to %s (check the routing table or use --interface)", a);
		goto out;
	}
	if (ie->intf_name[0] != '\0' && take_interface(ie, np->has_v4, np, err, errlen) != 0)
		goto out;
	if (np->has_v6) {
		/* Chooses the interface when no IPv4 target did. */
		if (netroute6_resolve(targets, ov, np, err, errlen) != 0)
			goto out;
		if (ie->intf_name[0] == '\0') {
			memset(&u, 0, sizeof(u));
			ie->intf_len = sizeof(u);
			snprintf(ie->intf_name, sizeof(ie->intf_name), "%.*s",
				 (int)sizeof(ie->intf_name) - 1, np->ifname);
			if (intf_get(intf, ie) < 0) {
				portus_err(err, errlen, "interface %s: cannot read it", np->ifname);
				goto out;
			}
			if (take_interface(ie, 0, np, err, errlen) != 0)
				goto out;
		}
	}
	if (!np->has_v4) {
		ret = 0;
		goto out;
	}
	if (ov->source_ip != 0)
		np->src_ip = ov->source_ip;
	if (ov->ifname == NULL || ov->ifname[0] == '\0') {
		if (check_one_interface(intf, targets, np, ie, sizeof(u), err, errlen) != 0)
			goto out;
	}

	np->has_offlink = first_offlink(targets, np, &off_ip);
	if (np->has_offlink) {
		struct route_entry re;

		if ((rt = route_open()) == NULL) {
			portus_err(err, errlen,
				   "cannot read the routing table (libdnet route_open failed)");
			goto out;
		}
		memset(&re, 0, sizeof(re));
		addr_from_host(&re.route_dst, off_ip);
		if (route_get(rt, &re) < 0 || re.route_gw.addr_type != ADDR_TYPE_IP ||
		    re.route_gw.addr_ip == 0 || ntohl(re.route_gw.addr_ip) == off_ip) {
			ip_to_str(off_ip, a);
			portus_err(
				err, errlen,
				"no gateway on the route to %s; targets off %s's subnet need one",
				a, np->ifname);
			goto out;
		}
		np->gateway_ip = ntohl(re.route_gw.addr_ip);
		if (ov->gateway_mac != NULL) {
			memcpy(np->gateway_mac, ov->gateway_mac, 6);
			np->gateway_mac_known = 1;
		} else if ((arp = arp_open()) != NULL) {
			struct arp_entry ae;
			memset(&ae, 0, sizeof(ae));
			addr_from_host(&ae.arp_pa, np->gateway_ip);
			if (arp_get(arp, &ae) == 0 && ae.arp_ha.addr_type == ADDR_TYPE_ETH) {
				memcpy(np->gateway_mac, &ae.arp_ha.addr_eth, 6);
				/* An incomplete cache entry reads as all zeros. */
				np->gateway_mac_known = memcmp(np->gateway_mac, "\0\0\0\0\0\0",
							       6) != 0;
			}
		}
	} else if (ov->gateway_mac != NULL) {
		memcpy(np->gateway_mac, ov->gateway_mac, 6);
		np->gateway_mac_known = 1;
	}
	ret = 0;
out:
	if (arp)
		arp_close(arp);
	if (rt)
		route_close(rt);
	if (intf)
		intf_close(intf);
	return ret;
}
