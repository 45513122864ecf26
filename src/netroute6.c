/*
 * netroute6.c — the IPv6 part of the path (include/netroute.h): the kernel's
 * route for a destination over rtnetlink (RTM_GETROUTE: output interface,
 * gateway, preferred source), the interface's prefix from getifaddrs, and
 * the router's MAC from the kernel's neighbour table (RTM_GETNEIGH).
 *
 * Netlink replies come from the kernel, but are parsed with the same
 * discipline as packets: every length is checked before use (RTA_OK,
 * NLMSG_OK) and a reply that does not fit is "no answer".
 */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netroute.h"
#include "portus.h"

#define NL_BUF 16384
#define RANGES_CHECKED 4096 /* as for IPv4: bounded work on huge target lists */

/* What the kernel's route lookup for one destination says. */
struct route6 {
	int oif;
	int has_gw;
	ip_addr gw;
	int has_src;
	ip_addr src;
};

int netroute_is_onlink6(const struct net_path *np, ip_addr ip)
{
	u128 mask;

	if (np->onlink6_bits == 0 || addr_is_v4(ip))
		return 0;
	mask = np->onlink6_bits >= 128 ? ~(u128)0 : ~(~(u128)0 >> np->onlink6_bits);
	return (ip.v & mask) == np->onlink6_net.v;
}

int netroute_onlink(const struct net_path *np, ip_addr ip)
{
	return addr_is_v4(ip) ? netroute_is_onlink(np, addr_v4(ip)) : netroute_is_onlink6(np, ip);
}

static int is_link_local(ip_addr a)
{
	return (a.v >> 118) == (0xfe80 >> 6); /* fe80::/10 */
}

static int nl_open(void)
{
	struct timeval tv = { 2, 0 }; /* the kernel answers at once; never hang */
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd >= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Appends attribute (type, data[0..len)) to the request in buf (cap bytes). */
static void nl_put_attr(char *buf, size_t cap, unsigned short type, const void *data, size_t len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf;
	size_t off = NLMSG_ALIGN(h->nlmsg_len);
	struct rtattr rta;

	if (off + RTA_SPACE(len) > cap)
		return; /* callers size their buffers: cannot happen */
	rta.rta_type = type;
	rta.rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(buf + off, &rta, sizeof(rta));
	memcpy(buf + off + RTA_LENGTH(0), data, len);
	h->nlmsg_len = (unsigned)(off + RTA_SPACE(len));
}

/* The kernel's route to dst. Returns 0, or -1 with errno (ENETUNREACH when
 * there is no usable route: none, unreachable, blackhole, prohibit). */
static int route6_get(int fd, ip_addr dst, struct route6 *out)
{
	union {
		struct {
			struct nlmsghdr h;
			struct rtmsg r;
		} m;
		char buf[128];
	} req;
	union {
		struct nlmsghdr h;
		char buf[NL_BUF];
	} rep;
	uint8_t d[16];
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.m.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.m.h.nlmsg_type = RTM_GETROUTE;
	req.m.h.nlmsg_flags = NLM_F_REQUEST;
	req.m.h.nlmsg_seq = 1;
	req.m.r.rtm_family = AF_INET6;
	req.m.r.rtm_dst_len = 128;
	addr_to_bytes(dst, d);
	nl_put_attr(req.buf, sizeof(req), RTA_DST, d, 16);
	if (send(fd, req.buf, req.m.h.nlmsg_len, 0) < 0)
		return -1;
	n = recv(fd, &rep, sizeof(rep), 0);
	if (n < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	for (struct nlmsghdr *h = &rep.h; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		struct rtmsg *rm;
		struct rtattr *a;
		int alen;

		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error < 0 ? -e->error
											 : EPROTO;
			return -1;
		}
		if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rm)))
			continue;
		rm = NLMSG_DATA(h);
		if (rm->rtm_type != RTN_UNICAST && rm->rtm_type != RTN_LOCAL) {
			errno = ENETUNREACH;
			return -1;
		}
		alen = (int)RTM_PAYLOAD(h);
		for (a = RTM_RTA(rm); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
			size_t plen = RTA_PAYLOAD(a);
			if (a->rta_type == RTA_OIF && plen >= sizeof(int))
				memcpy(&out->oif, RTA_DATA(a), sizeof(int));
			else if (a->rta_type == RTA_GATEWAY && plen == 16) {
				out->gw = addr_from_bytes(RTA_DATA(a));
				out->has_gw = 1;
			} else if (a->rta_type == RTA_PREFSRC && plen == 16) {
				out->src = addr_from_bytes(RTA_DATA(a));
				out->has_src = 1;
			}
		}
		if (out->oif == 0) {
			errno = EOPNOTSUPP; /* multipath: no single next hop */
			return -1;
		}
		return 0;
	}
	errno = EPROTO;
	return -1;
}

/* The router's MAC from the kernel's neighbour table, if it holds a usable
 * entry. Returns 1 found, 0 not. */
static int neigh6_get(int fd, int ifindex, ip_addr ip, uint8_t mac[6])
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req;
	union {
		struct nlmsghdr h;
		char buf[NL_BUF];
	} rep;
	const unsigned usable = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 2;
	req.nd.ndm_family = AF_INET6;
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return 0;
	for (;;) {
		ssize_t n = recv(fd, &rep, sizeof(rep), 0);
		int found = 0;

		if (n <= 0)
			return 0;
		for (struct nlmsghdr *h = &rep.h; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ndmsg *nd;
			struct rtattr *a;
			int alen, dst_match = 0, have_mac = 0;
			uint8_t m[6];

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				return found;
			if (h->nlmsg_type != RTM_NEWNEIGH ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
				continue;
			nd = NLMSG_DATA(h);
			if (nd->ndm_ifindex != ifindex || !(nd->ndm_state & usable))
				continue;
			alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
			for (a = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd)));
			     RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == 16)
					dst_match = addr_eq(addr_from_bytes(RTA_DATA(a)), ip);
				else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
					memcpy(m, RTA_DATA(a), 6);
					have_mac = 1;
				}
			}
			/* Keep reading to the end of the dump: the socket is reused. */
			if (dst_match && have_mac && !found && memcmp(m, "\0\0\0\0\0\0", 6) != 0) {
				memcpy(mac, m, 6);
				found = 1;
			}
		}
		if (found)
			return 1;
	}
}

/* The interface's IPv6 prefix: that of its address equal to src, else of its
 * first global one, which goes to *chosen. Fills onlink6_*; leaves them (and
 * *chosen) zero when it has none. */
static void take_prefix6(struct net_path *np, ip_addr src, ip_addr *chosen)
{
	struct ifaddrs *ifa, *i;
	int best = 0; /* 2: equal to src, 1: another global address */

	if (getifaddrs(&ifa) != 0)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(void *)i->ifa_addr;
		const struct sockaddr_in6 *m = (const struct sockaddr_in6 *)(void *)i->ifa_netmask;
		ip_addr addr, mask;
		unsigned bits = 0;
		int rank;

		if (a == NULL || m == NULL || a->sin6_family != AF_INET6 ||
		    strcmp(i->ifa_name, np->ifname) != 0)
			continue;
		addr = addr_from_bytes(a->sin6_addr.s6_addr);
		if (is_link_local(addr))
			continue;
		rank = addr_eq(addr, src) ? 2 : 1;
		if (rank <= best)
			continue;
		mask = addr_from_bytes(m->sin6_addr.s6_addr);
		while (bits < 128 && (mask.v >> (127 - bits)) & 1)
			bits++;
		best = rank;
		*chosen = addr;
		np->onlink6_bits = bits;
		np->onlink6_net.v = bits == 0 ? 0 : addr.v & ~(~(u128)0 >> bits);
	}
	freeifaddrs(ifa);
}

static int say_route_error(ip_addr dst, int e, char *err, size_t errlen)
{
	char a[ADDR_STR_MAX];

	addr_to_str(dst, a);
	if (e == EOPNOTSUPP)
		portus_err(err, errlen,
			   "the route to %s has several next hops (multipath): "
			   "use --interface and --gateway-mac",
			   a);
	else
		portus_err(err, errlen, "no route to %s (check the IPv6 routing table)", a);
	return -1;
}

/* Checks the IPv6 ranges' endpoints: none link-local, each on-link or routed
 * (through np's interface unless forced by --interface). Fills *off with the
 * first off-link one. */
static int check_ranges6(int fd, const struct ip_set *targets, const struct net_path *np,
			 int forced, ip_addr *off, int *has_off, char *err, size_t errlen)
{
	size_t checked = 0;
	char a[ADDR_STR_MAX], ifn[IF_NAMESIZE];

	for (size_t i = 0; i < targets->n && checked < RANGES_CHECKED; i++) {
		ip_addr ends[2] = { targets->r[i].first, targets->r[i].last };

		if (addr_is_v4(ends[0]) && addr_is_v4(ends[1]))
			continue;
		checked++;
		for (int j = 0; j < 2; j++) {
			struct route6 rt;

			addr_to_str(ends[j], a);
			if (addr_is_v4(ends[j])) {
				portus_err(err, errlen,
					   "a target range runs from IPv6 into the "
					   "IPv4-mapped block at %s: split it",
					   a);
				return -1;
			}
			if (is_link_local(ends[j]) || is_link_local(ends[j ^ 1])) {
				portus_err(err, errlen,
					   "%s: link-local targets (fe80::/10) are not "
					   "scanned (they need a zone id)",
					   a);
				return -1;
			}
			if (netroute_is_onlink6(np, ends[j]))
				continue;
			if (route6_get(fd, ends[j], &rt) != 0)
				return say_route_error(ends[j], errno, err, errlen);
			if (rt.oif != np->ifindex && !forced) {
				portus_err(
					err, errlen,
					"%s leaves through %s, other targets through %s: scan them "
					"separately",
					a,
					if_indextoname((unsigned)rt.oif, ifn) ? ifn
									      : "another interface",
					np->ifname);
				return -1;
			}
			if (!*has_off) {
				*off = ends[j];
				*has_off = 1;
			}
		}
	}
	return 0;
}

int netroute6_resolve(const struct ip_set *targets, const struct net_overrides *ov,
		      struct net_path *np, char *err, size_t errlen)
{
	struct route6 rt;
	ip_addr first6 = addr_zero(), off = addr_zero(), ifaddr6 = addr_zero();
	int fd, has_off = 0, ret = -1;
	char a[ADDR_STR_MAX];

	for (size_t i = 0; i < targets->n; i++)
		if (!addr_is_v4(targets->r[i].first)) {
			first6 = targets->r[i].first;
			break;
		}
	if ((fd = nl_open()) < 0) {
		portus_err(err, errlen, "cannot read the IPv6 routing table (netlink: %s)",
			   strerror(errno));
		return -1;
	}
	if (is_link_local(first6)) {
		addr_to_str(first6, a);
		portus_err(err, errlen,
			   "%s: link-local targets (fe80::/10) are not scanned "
			   "(they need a zone id)",
			   a);
		goto out;
	}
	if (route6_get(fd, first6, &rt) != 0) {
		if (np->ifindex == 0) {
			say_route_error(first6, errno, err, errlen);
			goto out;
		}
		memset(&rt, 0, sizeof(rt)); /* on-link through the chosen interface, perhaps */
	}
	if (np->ifindex == 0) {
		/* No IPv4 target chose the interface: the route does. */
		char name[IF_NAMESIZE];
		if (if_indextoname((unsigned)rt.oif, name) == NULL) {
			portus_err(err, errlen, "the route to an IPv6 target names no interface");
			goto out;
		}
		snprintf(np->ifname, sizeof(np->ifname), "%s", name);
		np->ifindex = rt.oif;
	}
	if (!addr_is_zero(ov->source_ip6))
		np->src_ip6 = ov->source_ip6;
	else if (rt.has_src && rt.oif == np->ifindex)
		np->src_ip6 = rt.src;
	take_prefix6(np, np->src_ip6, &ifaddr6);
	if (addr_is_zero(np->src_ip6))
		np->src_ip6 = ifaddr6; /* no route chose one: the interface's address */
	if (addr_is_zero(np->src_ip6)) {
		portus_err(err, errlen, "interface %s has no global IPv6 address (use -S)",
			   np->ifname);
		goto out;
	}
	if (check_ranges6(fd, targets, np, ov->ifname != NULL && ov->ifname[0] != '\0', &off,
			  &has_off, err, errlen) != 0)
		goto out;
	np->has_offlink6 = has_off;
	if (has_off) {
		if (route6_get(fd, off, &rt) != 0) {
			say_route_error(off, errno, err, errlen);
			goto out;
		}
		if (!rt.has_gw) {
			addr_to_str(off, a);
			portus_err(
				err, errlen,
				"no gateway on the route to %s; IPv6 targets off %s's prefix need one",
				a, np->ifname);
			goto out;
		}
		np->gateway_ip6 = rt.gw;
		if (ov->gateway_mac != NULL) {
			memcpy(np->gateway6_mac, ov->gateway_mac, 6);
			np->gateway6_mac_known = 1;
		} else {
			/* The dump socket must not carry the route replies' leftovers. */
			int nfd = nl_open();
			if (nfd >= 0) {
				np->gateway6_mac_known = neigh6_get(
					nfd, np->ifindex, np->gateway_ip6, np->gateway6_mac);
				close(nfd);
			}
		}
	} else if (ov->gateway_mac != NULL) {
		memcpy(np->gateway6_mac, ov->gateway_mac, 6);
		np->gateway6_mac_known = 1;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}
