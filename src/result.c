/* result.c — nmap's names for port states and reasons, and the ICMP code map. */
#include "scan_record.h"

static const char *const reason_names[R_COUNT] = {
	[R_NONE] = "none",
	[R_SYN_ACK] = "syn-ack",
	[R_RESET] = "reset",
	[R_NO_RESPONSE] = "no-response",
	[R_NET_UNREACH] = "net-unreach",
	[R_HOST_UNREACH] = "host-unreach",
	[R_PROTO_UNREACH] = "proto-unreach",
	[R_PORT_UNREACH] = "port-unreach",
	[R_NET_PROHIBITED] = "net-prohibited",
	[R_HOST_PROHIBITED] = "host-prohibited",
	[R_ADMIN_PROHIBITED] = "admin-prohibited",
	[R_ARP_RESPONSE] = "arp-response",
	[R_NO_ARP] = "no-arp-response",
	[R_USER_SET] = "user-set",
	[R_ALL_PORTS_OPEN] = "all-ports-open",
	[R_NO_ROUTE] = "no-route",
	[R_BEYOND_SCOPE] = "beyond-scope",
	[R_REJECT_ROUTE] = "reject-route",
	[R_ND_RESPONSE] = "nd-response",
	[R_NO_ND] = "no-nd-response",
};

const char *reason_name(enum reason r)
{
	if ((unsigned)r >= R_COUNT)
		return "unknown";
	return reason_names[r];
}

const char *state_name(enum port_state s)
{
	switch (s) {
	case PS_OPEN:
		return "open";
	case PS_CLOSED:
		return "closed";
	case PS_FILTERED:
		return "filtered";
	case PS_UNKNOWN:
		break;
	}
	return "unknown";
}

/* RFC 792 / RFC 1812 destination-unreachable codes nmap treats as "filtered". */
enum reason reason_from_icmp(uint8_t type, uint8_t code)
{
	if (type != 3)
		return R_NONE;
	switch (code) {
	case 0:
		return R_NET_UNREACH;
	case 1:
		return R_HOST_UNREACH;
	case 2:
		return R_PROTO_UNREACH;
	case 3:
		return R_PORT_UNREACH;
	case 9:
		return R_NET_PROHIBITED;
	case 10:
		return R_HOST_PROHIBITED;
	case 13:
		return R_ADMIN_PROHIBITED;
	default:
		return R_NONE;
	}
}

/* RFC 4443 3.1 destination-unreachable codes, with nmap's reason names. */
enum reason reason_from_icmp6(uint8_t type, uint8_t code)
{
	if (type != 1)
		return R_NONE;
	switch (code) {
	case 0:
		return R_NO_ROUTE;
	case 1:
		return R_ADMIN_PROHIBITED;
	case 2:
		return R_BEYOND_SCOPE;
	case 3:
		return R_HOST_UNREACH;
	case 4:
		return R_PORT_UNREACH;
	case 5:
		return R_ADMIN_PROHIBITED; /* source address failed ingress/egress policy */
	case 6:
		return R_REJECT_ROUTE;
	default:
		return R_NONE;
	}
}

int reply_from_target(ip_addr ip, enum reason reason, ip_addr reason_ip)
{
	switch (reason) {
	case R_SYN_ACK:
	case R_RESET:
		return 1;
	case R_NET_UNREACH:
	case R_HOST_UNREACH:
	case R_PROTO_UNREACH:
	case R_PORT_UNREACH:
	case R_NET_PROHIBITED:
	case R_HOST_PROHIBITED:
	case R_ADMIN_PROHIBITED:
	case R_NO_ROUTE:
	case R_BEYOND_SCOPE:
	case R_REJECT_ROUTE:
		return !addr_is_zero(reason_ip) && addr_eq(reason_ip, ip);
	default:
		return 0;
	}
}

int port_record_from_target(const struct port_record *r)
{
	return r->has_reply && reply_from_target(r->ip, (enum reason)r->reason, r->reason_ip);
}
