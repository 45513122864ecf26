/* test_nmap_formats.c — exact bytes of the nmap-compatible writers: -oX (XML) and -oG (grepable). */
#include <arpa/inet.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "collector_order.h"
#include "portus.h"
#include "scan_record.h"
#include "strbuf.h"
#include "writer.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define T0 1732352400123456LL /* 2024-11-23T09:00:00.123456Z, a Saturday */
#define S0 "1732352400"
#define START_STR "Sat Nov 23 09:00:00 2024"
#define END_STR "Sat Nov 23 09:00:03 2024" /* T0 + 3.21 s */
#define ARGS "portus -p 22,80,443,8080-8081 -oX out.xml 198.18.0.0/28"

enum kind { XML, GREP };

static uint16_t plan_ports[] = { 22, 80, 443, 8080, 8081 };
static struct port_list plan = { plan_ports, 5 };

/* An IPv6 address from its text (the test's own constants: must parse). */
static ip_addr A6(const char *s)
{
	const char *why = NULL;
	ip_addr a = addr_zero();

	if (addr_parse(s, strlen(s), &a, &why) != 0)
		fail_msg("bad test address %s: %s", s, why);
	return a;
}

/* A reply with the given TTL, or no reply at all when ttl < 0. */
static struct port_record prec6(ip_addr ip, uint16_t port, enum port_state st, enum reason why,
				int ttl, ip_addr reason_ip, int64_t t)
{
	struct port_record r;

	memset(&r, 0, sizeof(r));
	r.ip = ip;
	r.port = port;
	r.state = (uint8_t)st;
	r.reason = (uint8_t)why;
	r.has_reply = ttl >= 0;
	/* A no-response record's ttl is meaningless: junk in it must not show. */
	r.ttl = ttl >= 0 ? (uint8_t)ttl : 99;
	r.reason_ip = reason_ip;
	r.time_us = t;
	return r;
}

/* The same for IPv4 (host order; reason_ip 0: none). */
static struct port_record prec(uint32_t ip, uint16_t port, enum port_state st, enum reason why,
			       int ttl, uint32_t reason_ip, int64_t t)
{
	return prec6(addr_from_v4(ip), port, st, why, ttl,
		     reason_ip != 0 ? addr_from_v4(reason_ip) : addr_zero(), t);
}

static struct host_record hrec6(ip_addr ip, int up, enum reason why)
{
	struct host_record h;

	memset(&h, 0, sizeof(h));
	h.ip = ip;
	h.up = (uint8_t)up;
	h.reason = (uint8_t)why;
	h.time_us = T0;
	return h;
}

static struct host_record hrec(uint32_t ip, int up, enum reason why)
{
	return hrec6(addr_from_v4(ip), up, why);
}

static struct run_summary summary(uint64_t hosts)
{
	struct run_summary s;

	memset(&s, 0, sizeof(s));
	s.start_us = T0;
	s.end_us = T0 + 3210000;
	s.hosts = hosts;
	s.targets = hosts * 5;
	s.shard_k = s.shard_n = 1;
	return s;
}

static struct run_info info(const char *args, int open_only)
{
	struct run_info ri;

	memset(&ri, 0, sizeof(ri));
	ri.start_us = T0;
	ri.hosts = 16;
	ri.targets = 80;
	ri.ports = &plan;
	ri.args = args;
	ri.open_only = open_only;
	ri.shard_k = ri.shard_n = 1;
	return ri;
}

static char *slurp_path(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", got, want);
}

/* Feeds the records to a fresh writer of that kind, in the order given or in
 * collect.c's (collector_order.h), and returns the file it wrote. */
static char *run_in(int collector, enum kind k, const struct run_info *ri,
		    const struct port_record *p, size_t np, const struct host_record *h, size_t nh,
		    const struct run_summary *s)
{
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *out;
	int fd;

	snprintf(path, sizeof(path), "/tmp/portus-nmapfmt-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	w = k == XML ? writer_xml_open(path, ri, err, sizeof(err))
		     : writer_grepable_open(path, ri, err, sizeof(err));
	assert_non_null(w);
	assert_null(w->ops->tls); /* TLS records have no place in either format */
	assert_int_equal(w->open_only, ri->open_only);
	assert_int_equal(co_feed_as(collector, w, p, np, h, nh), 0);
	if (s != NULL)
		assert_int_equal(w->ops->summary(w, s), 0);
	out = slurp_path(path);
	assert_text(out, ""); /* nothing before close: the file is written whole */
	free(out);
	assert_int_equal(w->ops->close(w), 0);
	out = slurp_path(path);
	unlink(path);
	return out;
}

/* The file for the records as given; in collect.c's order, where silent
 * hosts are only counted (hostgroup.h), the bytes must be the same. */
static char *run(enum kind k, const struct run_info *ri, const struct port_record *p, size_t np,
		 const struct host_record *h, size_t nh, const struct run_summary *s)
{
	char *given = run_in(0, k, ri, p, np, h, nh, s);
	char *collector = run_in(1, k, ri, p, np, h, nh, s);

	assert_text(collector, given);
	free(collector);
	return given;
}

/* The service as the writers print it (the system's services database decides). */
static const char *svc_name(uint16_t port)
{
	static char ring[8][64];
	static unsigned next;
	struct servent *se = getservbyport(htons(port), "tcp");
	char *out = ring[next++ % 8];

	snprintf(out, sizeof(ring[0]), "%s", se != NULL ? se->s_name : "");
	return out;
}

static const char *svc_xml(uint16_t port)
{
	static char ring[8][128];
	static unsigned next;
	const char *name = svc_name(port);
	char *out = ring[next++ % 8];

	if (name[0] == '\0')
		out[0] = '\0';
	else
		snprintf(out, sizeof(ring[0]), "<service name=\"%s\" method=\"table\" conf=\"3\"/>",
			 name);
	return out;
}

/* An XML <port> line. */
static void xport(struct strbuf *b, uint16_t port, const char *state, const char *reason,
		  unsigned ttl, const char *reason_ip)
{
	sb_printf(
		b,
		"<port protocol=\"tcp\" portid=\"%u\"><state state=\"%s\" reason=\"%s\" reason_ttl=\"%u\"",
		(unsigned)port, state, reason, ttl);
	if (reason_ip != NULL)
		sb_printf(b, " reason_ip=\"%s\"", reason_ip);
	sb_printf(b, "/>%s</port>\n", svc_xml(port));
}

static void xml_head(struct strbuf *b, const char *args_escaped)
{
	sb_printf(
		b,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n"
		"<!-- portus " PORTUS_VERSION " scan initiated " START_STR " as: %s -->\n"
		"<nmaprun scanner=\"portus\" args=\"%s\" start=\"" S0 "\" startstr=\"" START_STR
		"\" version=\"" PORTUS_VERSION "\" xmloutputversion=\"1.05\">\n"
		"<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"5\" "
		"services=\"22,80,443,8080-8081\"/>\n<verbose level=\"0\"/>\n<debugging level=\"0\"/>\n",
		args_escaped, args_escaped);
}

static void xml_host_open(struct strbuf *b, const char *ip, const char *start, const char *end,
			  const char *reason, unsigned ttl)
{
	sb_printf(b,
		  "<host starttime=\"%s\" endtime=\"%s\"><status state=\"up\" reason=\"%s\" "
		  "reason_ttl=\"%u\"/>\n<address addr=\"%s\" addrtype=\"%s\"/>\n<hostnames>\n"
		  "</hostnames>\n<ports>",
		  start, end, reason, ttl, ip, strchr(ip, ':') != NULL ? "ipv6" : "ipv4");
}

static void xml_tail(struct strbuf *b, unsigned total, unsigned up, const char *exit_attrs)
{
	sb_printf(b,
		  "<runstats><finished time=\"1732352403\" timestr=\"" END_STR
		  "\" summary=\"portus "
		  "done at " END_STR "; %u IP address%s (%u host%s up) scanned in 3.21 seconds\" "
		  "elapsed=\"3.21\" %s/><hosts up=\"%u\" down=\"%u\" total=\"%u\"/>\n</runstats>\n"
		  "</nmaprun>\n",
		  total, total == 1 ? "" : "es", up, up == 1 ? "" : "s", exit_attrs, up, total - up,
		  total);
}

/*
 * One scan of four hosts: .1 answers (open, closed, ICMP from a router,
 * no-response), .5 is up by ARP with nothing but no-response, .7 is down
 * (no ARP answer), .9 gave no answer at all. Open ports come first, as the
 * scanner sends them.
 */
static void mixed_scan(struct port_record *p, size_t *np, struct host_record *h, size_t *nh)
{
	const uint32_t a = IP(198, 18, 0, 1), u = IP(198, 18, 0, 5), s = IP(198, 18, 0, 9);
	size_t n = 0;

	p[n++] = prec(a, 80, PS_OPEN, R_SYN_ACK, 64, 0, T0);
	p[n++] = prec(s, 80, PS_FILTERED, R_NO_RESPONSE, -1, 0, T0 + 3000000);
	p[n++] = prec(a, 8081, PS_FILTERED, R_ADMIN_PROHIBITED, 63, IP(198, 18, 0, 254),
		      T0 + 2000000);
	p[n++] = prec(a, 443, PS_FILTERED, R_NO_RESPONSE, -1, IP(1, 2, 3, 4), T0 + 3000000);
	p[n++] = prec(a, 22, PS_CLOSED, R_RESET, 64, 0, T0 + 1000000);
	p[n++] = prec(u, 80, PS_FILTERED, R_NO_RESPONSE, -1, 0, T0 + 3000000);
	p[n++] = prec(s, 22, PS_FILTERED, R_NO_RESPONSE, -1, 0, T0 + 3000000);
	*np = n;
	h[0] = hrec(IP(198, 18, 0, 7), 0, R_NO_ARP);
	h[1] = hrec(u, 1, R_ARP_RESPONSE);
	*nh = 2;
}

static void test_xml_lists_up_and_down_hosts_and_counts_silent_ones(void **state)
{
	struct run_info ri = info(ARGS, 0);
	struct run_summary s = summary(16);
	struct port_record p[16];
	struct host_record h[4];
	struct strbuf want;
	size_t np, nh;
	char *got;

	(void)state;
	mixed_scan(p, &np, h, &nh);
	got = run(XML, &ri, p, np, h, nh, &s);
	sb_init(&want);
	xml_head(&want, ARGS);
	/* status reason: the first TCP answer in port order */
	xml_host_open(&want, "198.18.0.1", S0, "1732352403", "reset", 64);
	xport(&want, 22, "closed", "reset", 64, NULL);
	xport(&want, 80, "open", "syn-ack", 64, NULL);
	xport(&want, 443, "filtered", "no-response", 0, NULL);
	xport(&want, 8081, "filtered", "admin-prohibited", 63, "198.18.0.254");
	sb_puts(&want, "</ports>\n</host>\n");
	xml_host_open(&want, "198.18.0.5", S0, "1732352403", "arp-response", 0);
	xport(&want, 80, "filtered", "no-response", 0, NULL);
	sb_puts(&want, "</ports>\n</host>\n");
	sb_puts(&want, "<host><status state=\"down\" reason=\"no-response\" reason_ttl=\"0\"/>\n"
		       "<address addr=\"198.18.0.7\" addrtype=\"ipv4\"/>\n</host>\n");
	/* .9 is not listed; with the 12 addresses that sent nothing it is down */
	xml_tail(&want, 16, 2, "exit=\"success\"");
	assert_false(want.oom);
	assert_text(got, want.p);
	sb_free(&want);
	free(got);
}

static void test_grepable_lists_up_and_down_hosts_like_nmap(void **state)
{
	struct run_info ri = info(ARGS, 0);
	struct run_summary s = summary(16);
	struct port_record p[16];
	struct host_record h[4];
	char want[2048];
	size_t np, nh;
	char *got;

	(void)state;
	mixed_scan(p, &np, h, &nh);
	got = run(GREP, &ri, p, np, h, nh, &s);
	snprintf(want, sizeof(want),
		 "# portus " PORTUS_VERSION " scan initiated " START_STR " as: " ARGS "\n"
		 "Host: 198.18.0.1 ()\tStatus: Up\n"
		 "Host: 198.18.0.1 ()\tPorts: 22/closed/tcp//%s///, 80/open/tcp//%s///, "
		 "443/filtered/tcp//%s///, 8081/filtered/tcp//%s///\n"
		 "Host: 198.18.0.5 ()\tStatus: Up\n"
		 "Host: 198.18.0.5 ()\tPorts: 80/filtered/tcp//%s///\n"
		 "Host: 198.18.0.7 ()\tStatus: Down\n"
		 "# portus done at " END_STR
		 " -- 16 IP addresses (2 hosts up) scanned in 3.21 seconds\n",
		 svc_name(22), svc_name(80), svc_name(443), svc_name(8081), svc_name(80));
	assert_text(got, want);
	free(got);
}

/*
 * IPv6 hosts as nmap -6 writes them: <address addr="2001:db8::1"
 * addrtype="ipv6"/> (RFC 5952), the ICMPv6 sender as reason_ip, neighbour
 * discovery reasons; after the IPv4 hosts (address order). The same output
 * validates against nmap.dtd (xmllint --dtdvalid, as test_nmap_formats.sh).
 */
static void ipv6_scan(struct port_record *p, size_t *np, struct host_record *h, size_t *nh)
{
	const ip_addr a = A6("2001:db8::1"), l = A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	size_t n = 0;

	p[n++] = prec6(a, 443, PS_OPEN, R_SYN_ACK, 64, addr_zero(), T0);
	p[n++] = prec6(l, 80, PS_FILTERED, R_NO_ROUTE, 63, A6("2001:db8:0:1::fe"), T0 + 1000000);
	p[n++] = prec6(a, 22, PS_FILTERED, R_ADMIN_PROHIBITED, 63, A6("2001:db8:0:1::fe"),
		       T0 + 2000000);
	p[n++] = prec6(a, 80, PS_FILTERED, R_PORT_UNREACH, 64, a, T0 + 2000000);
	p[n++] = prec6(a, 8080, PS_CLOSED, R_RESET, 64, addr_zero(), T0 + 1000000);
	p[n++] = prec(IP(198, 18, 0, 1), 80, PS_OPEN, R_SYN_ACK, 64, 0, T0);
	*np = n;
	h[0] = hrec6(A6("2001:db8:0:1::23"), 0, R_NO_ND);
	h[1] = hrec6(a, 1, R_ND_RESPONSE);
	*nh = 2;
}

static void test_xml_ipv6_hosts(void **state)
{
	struct run_info ri = info(ARGS, 0);
	struct run_summary s = summary(4);
	struct port_record p[8];
	struct host_record h[2];
	struct strbuf want;
	size_t np, nh;
	char *got;

	(void)state;
	ipv6_scan(p, &np, h, &nh);
	got = run(XML, &ri, p, np, h, nh, &s);
	sb_init(&want);
	xml_head(&want, ARGS);
	xml_host_open(&want, "198.18.0.1", S0, S0, "syn-ack", 64);
	xport(&want, 80, "open", "syn-ack", 64, NULL);
	sb_puts(&want, "</ports>\n</host>\n");
	/* up by neighbour discovery: the host record's reason */
	xml_host_open(&want, "2001:db8::1", S0, "1732352402", "nd-response", 0);
	xport(&want, 22, "filtered", "admin-prohibited", 63, "2001:db8:0:1::fe");
	xport(&want, 80, "filtered", "port-unreach", 64, NULL); /* from the target itself */
	xport(&want, 443, "open", "syn-ack", 64, NULL);
	xport(&want, 8080, "closed", "reset", 64, NULL);
	sb_puts(&want, "</ports>\n</host>\n");
	sb_puts(&want, "<host><status state=\"down\" reason=\"no-response\" reason_ttl=\"0\"/>\n"
		       "<address addr=\"2001:db8:0:1::23\" addrtype=\"ipv6\"/>\n</host>\n");
	/* ffff:...:fffe: only a router's no-route, so not up (scan_record.h,
	 * reply_from_target): not listed, counted down, as nmap does */
	xml_tail(&want, 4, 2, "exit=\"success\"");
	assert_false(want.oom);
	assert_text(got, want.p);
	sb_free(&want);
	free(got);
}

static void test_grepable_ipv6_hosts(void **state)
{
	struct run_info ri = info(ARGS, 0);
	struct run_summary s = summary(4);
	struct port_record p[8];
	struct host_record h[2];
	char want[2048];
	size_t np, nh;
	char *got;

	(void)state;
	ipv6_scan(p, &np, h, &nh);
	got = run(GREP, &ri, p, np, h, nh, &s);
	snprintf(want, sizeof(want),
		 "# portus " PORTUS_VERSION " scan initiated " START_STR " as: " ARGS "\n"
		 "Host: 198.18.0.1 ()\tStatus: Up\n"
		 "Host: 198.18.0.1 ()\tPorts: 80/open/tcp//%s///\n"
		 "Host: 2001:db8::1 ()\tStatus: Up\n"
		 "Host: 2001:db8::1 ()\tPorts: 22/filtered/tcp//%s///, 80/filtered/tcp//%s///, "
		 "443/open/tcp//%s///, 8080/closed/tcp//%s///\n"
		 "Host: 2001:db8:0:1::23 ()\tStatus: Down\n"
		 /* ffff:...:fffe: a router's no-route only, not up */
		 "# portus done at " END_STR
		 " -- 4 IP addresses (2 hosts up) scanned in 3.21 seconds\n",
		 svc_name(80), svc_name(22), svc_name(80), svc_name(443), svc_name(8080));
	assert_text(got, want);
	free(got);
}

/*
 * nmap's extraports: a state with more than 25 ports is summarised with its
 * reasons (most first; a tie puts the reason seen last first, as nmap does)
 * and the ports of each; at 25 a state is still listed port by port.
 */
static void test_xml_collapses_states_above_25_into_extraports(void **state)
{
	const uint32_t a = IP(198, 19, 0, 1), b = IP(198, 19, 0, 2);
	struct run_info ri = info(ARGS, 0);
	struct run_summary s = summary(2);
	struct port_record p[128];
	struct strbuf want;
	size_t n = 0;
	unsigned port;
	char *got;

	(void)state;
	/* a: 1000 open; 30 closed 2001-2030; 20 no-response 3001-3020, 5 host-unreach
	 * 3021-3025, 2 port-unreach 3026-3027 (27 filtered) */
	p[n++] = prec(a, 1000, PS_OPEN, R_SYN_ACK, 64, 0, T0);
	for (port = 2001; port <= 2030; port++)
		p[n++] = prec(a, (uint16_t)port, PS_CLOSED, R_RESET, 64, 0, T0);
	for (port = 3001; port <= 3020; port++)
		p[n++] = prec(a, (uint16_t)port, PS_FILTERED, R_NO_RESPONSE, -1, 0, T0);
	for (port = 3021; port <= 3025; port++)
		p[n++] = prec(a, (uint16_t)port, PS_FILTERED, R_HOST_UNREACH, 63,
			      IP(198, 18, 0, 254), T0);
	for (port = 3026; port <= 3027; port++)
		p[n++] = prec(a, (uint16_t)port, PS_FILTERED, R_PORT_UNREACH, 64, 0, T0);
	/* b: 25 closed (listed) and 26 filtered, 13 no-response then 13 admin-prohibited */
	for (port = 101; port <= 125; port++)
		p[n++] = prec(b, (uint16_t)port, PS_CLOSED, R_RESET, 128, 0, T0);
	for (port = 201; port <= 213; port++)
		p[n++] = prec(b, (uint16_t)port, PS_FILTERED, R_NO_RESPONSE, -1, 0, T0);
	for (port = 214; port <= 226; port++)
		p[n++] = prec(b, (uint16_t)port, PS_FILTERED, R_ADMIN_PROHIBITED, 128, 0, T0);
	assert_true(n <= sizeof(p) / sizeof(p[0]));
	got = run(XML, &ri, p, n, NULL, 0, &s);

	sb_init(&want);
	xml_head(&want, ARGS);
	xml_host_open(&want, "198.19.0.1", S0, S0, "syn-ack", 64);
	sb_puts(&want,
		"<extraports state=\"closed\" count=\"30\">\n"
		"<extrareasons reason=\"reset\" count=\"30\" proto=\"tcp\" ports=\"2001-2030\"/>\n"
		"</extraports>\n"
		"<extraports state=\"filtered\" count=\"27\">\n"
		"<extrareasons reason=\"no-response\" count=\"20\" proto=\"tcp\" ports=\"3001-3020\"/>\n"
		"<extrareasons reason=\"host-unreach\" count=\"5\" proto=\"tcp\" ports=\"3021-3025\"/>\n"
		"<extrareasons reason=\"port-unreach\" count=\"2\" proto=\"tcp\" ports=\"3026-3027\"/>\n"
		"</extraports>\n");
	xport(&want, 1000, "open", "syn-ack", 64, NULL);
	sb_puts(&want, "</ports>\n</host>\n");
	xml_host_open(&want, "198.19.0.2", S0, S0, "reset", 128);
	sb_puts(&want,
		"<extraports state=\"filtered\" count=\"26\">\n"
		"<extrareasons reason=\"admin-prohibited\" count=\"13\" proto=\"tcp\" ports=\"214-226\"/>\n"
		"<extrareasons reason=\"no-response\" count=\"13\" proto=\"tcp\" ports=\"201-213\"/>\n"
		"</extraports>\n");
	for (port = 101; port <= 125; port++)
		xport(&want, (uint16_t)port, "closed", "reset", 128, NULL);
	sb_puts(&want, "</ports>\n</host>\n");
	xml_tail(&want, 2, 2, "exit=\"success\"");
	assert_false(want.oom);
	assert_text(got, want.p);
	sb_free(&want);
	free(got);
}

/* Grepable: the one summarised state as "Ignored State"; with two, none (nmap's
 * grepable has room for one); a host with every port summarised has an empty list. */
static void test_grepable_ignored_state_only_when_one(void **state)
{
	const uint32_t a = IP(198, 19, 0, 1), b = IP(198, 19, 0, 2), c = IP(198, 19, 0, 3);
	struct run_info ri = info("portus -oG -", 0);
	struct run_summary s = summary(3);
	struct port_record p[160];
	struct strbuf want;
	size_t n = 0;
	unsigned port;
	char *got;

	(void)state;
	p[n++] = prec(a, 22, PS_OPEN, R_SYN_ACK, 64, 0, T0);
	for (port = 1; port <= 21; port++)
		p[n++] = prec(a, (uint16_t)port, PS_CLOSED, R_RESET, 64, 0, T0);
	for (port = 23; port <= 30; port++)
		p[n++] = prec(a, (uint16_t)port, PS_CLOSED, R_RESET, 64, 0, T0);
	p[n++] = prec(a, 31, PS_FILTERED, R_NO_RESPONSE, -1, 0, T0);
	for (port = 1; port <= 26; port++)
		p[n++] = prec(b, (uint16_t)port, PS_CLOSED, R_RESET, 64, 0, T0);
	for (port = 27; port <= 52; port++)
		p[n++] = prec(b, (uint16_t)port, PS_FILTERED, R_NO_RESPONSE, -1, 0, T0);
	p[n++] = prec(b, 53, PS_OPEN, R_SYN_ACK, 64, 0, T0);
	for (port = 1; port <= 40; port++) /* from the host itself: up */
		p[n++] = prec(c, (uint16_t)port, PS_FILTERED, R_HOST_UNREACH, 64, c, T0);
	assert_true(n <= sizeof(p) / sizeof(p[0]));
	got = run(GREP, &ri, p, n, NULL, 0, &s);
	sb_init(&want);
	sb_printf(&want,
		  "# portus " PORTUS_VERSION " scan initiated " START_STR " as: portus -oG -\n"
		  "Host: 198.19.0.1 ()\tStatus: Up\n"
		  "Host: 198.19.0.1 ()\tPorts: 22/open/tcp//%s///, 31/filtered/tcp//%s///\t"
		  "Ignored State: closed (29)\n"
		  "Host: 198.19.0.2 ()\tStatus: Up\n"
		  "Host: 198.19.0.2 ()\tPorts: 53/open/tcp//%s///\n"
		  "Host: 198.19.0.3 ()\tStatus: Up\n"
		  "Host: 198.19.0.3 ()\tPorts: \tIgnored State: filtered (40)\n"
		  "# portus done at " END_STR
		  " -- 3 IP addresses (3 hosts up) scanned in 3.21 seconds\n",
		  svc_name(22), svc_name(31), svc_name(53));
	assert_false(want.oom);
	assert_text(got, want.p);
	sb_free(&want);
	free(got);
}

/* --open: only hosts with an open port; every other state summarised, even one
 * port; hosts up and down are still counted. */
static void open_only_scan(struct port_record *p, size_t *np, struct host_record *h)
{
	const uint32_t a = IP(198, 18, 0, 10), b = IP(198, 18, 0, 12);
	size_t n = 0;

	p[n++] = prec(b, 443, PS_OPEN, R_SYN_ACK, 255, 0, T0);
	p[n++] = prec(a, 22, PS_CLOSED, R_RESET, 64, 0, T0);
	p[n++] = prec(a, 80, PS_CLOSED, R_RESET, 64, 0, T0);
	p[n++] = prec(b, 22, PS_CLOSED, R_RESET, 255, 0, T0);
	p[n++] = prec(b, 80, PS_CLOSED, R_RESET, 255, 0, T0);
	p[n++] = prec(b, 8080, PS_FILTERED, R_NO_RESPONSE, -1, 0, T0);
	p[n++] = prec(b, 8081, PS_FILTERED, R_PORT_UNREACH, 255, 0, T0);
	*np = n;
	h[0] = hrec(IP(198, 18, 0, 13), 0, R_NO_ARP);
}

static void test_xml_open_only_like_nmap_open(void **state)
{
	struct run_info ri = info("portus --open", 1);
	struct run_summary s = summary(4);
	struct port_record p[16];
	struct host_record h[1];
	struct strbuf want;
	size_t np;
	char *got;

	(void)state;
	open_only_scan(p, &np, h);
	got = run(XML, &ri, p, np, h, 1, &s);
	sb_init(&want);
	xml_head(&want, "portus -&#45;open");
	xml_host_open(&want, "198.18.0.12", S0, S0, "reset", 255);
	/* nmap 7.93 --open, same host: port-unreach (seen last) before no-response */
	sb_puts(&want,
		"<extraports state=\"closed\" count=\"2\">\n"
		"<extrareasons reason=\"reset\" count=\"2\" proto=\"tcp\" ports=\"22,80\"/>\n"
		"</extraports>\n"
		"<extraports state=\"filtered\" count=\"2\">\n"
		"<extrareasons reason=\"port-unreach\" count=\"1\" proto=\"tcp\" ports=\"8081\"/>\n"
		"<extrareasons reason=\"no-response\" count=\"1\" proto=\"tcp\" ports=\"8080\"/>\n"
		"</extraports>\n");
	xport(&want, 443, "open", "syn-ack", 255, NULL);
	sb_puts(&want, "</ports>\n</host>\n");
	xml_tail(&want, 4, 2, "exit=\"success\"");
	assert_false(want.oom);
	assert_text(got, want.p);
	sb_free(&want);
	free(got);
}

static void test_grepable_open_only_like_nmap_open(void **state)
{
	struct run_info ri = info("portus --open", 1);
	struct run_summary s = summary(4);
	struct port_record p[16];
	struct host_record h[1];
	char want[1024];
	size_t np;
	char *got;

	(void)state;
	open_only_scan(p, &np, h);
	got = run(GREP, &ri, p, np, h, 1, &s);
	snprintf(want, sizeof(want),
		 "# portus " PORTUS_VERSION " scan initiated " START_STR " as: portus --open\n"
		 "Host: 198.18.0.12 ()\tStatus: Up\n"
		 "Host: 198.18.0.12 ()\tPorts: 443/open/tcp//%s///\n"
		 "# portus done at " END_STR
		 " -- 4 IP addresses (2 hosts up) scanned in 3.21 seconds\n",
		 svc_name(443));
	assert_text(got, want);
	free(got);
}

/* args comes from the user: markup, "--" (nmap breaks it so that a comment
 * stays a comment), controls, invalid UTF-8 and non-characters. */
static void test_xml_escapes_args_to_valid_utf8(void **state)
{
	static const char args[] = "portus --x ---y a&b <c> \"d\" 'e' \t\n\r\x01\x7f "
				   "\xc3\xa9 \xff \xc3 \xed\xa0\x80 \xef\xbf\xbe \xf0\x9f\x98\x80";
	static const char esc[] =
		"portus -&#45;x -&#45;&#45;y a&amp;b &lt;c&gt; &quot;d&quot; "
		"&apos;e&apos; &#9;&#10;&#13;\xef\xbf\xbd\x7f "
		"\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
		"\xef\xbf\xbd \xf0\x9f\x98\x80";
	struct run_info ri = info(args, 0);
	struct run_summary s = summary(1);
	struct strbuf want;
	char *got;

	(void)state;
	got = run(XML, &ri, NULL, 0, NULL, 0, &s);
	sb_init(&want);
	xml_head(&want, esc);
	xml_tail(&want, 1, 0, "exit=\"success\"");
	assert_false(want.oom);
	assert_text(got, want.p);
	sb_free(&want);
	free(got);
}

static void test_grepable_keeps_the_header_on_one_line(void **state)
{
	struct run_info ri = info("portus\t-p 80\n--x\r\x01", 0);
	struct run_summary s = summary(1);
	char *got;

	(void)state;
	got = run(GREP, &ri, NULL, 0, NULL, 0, &s);
	assert_text(got, "# portus " PORTUS_VERSION " scan initiated " START_STR
			 " as: portus?-p 80?--x??\n"
			 "# portus done at " END_STR
			 " -- 1 IP address (0 hosts up) scanned in 3.21 seconds\n");
	free(got);
}

/* A run stopped by SIGINT/SIGTERM says so; one that never reached its summary
 * still closes the document, with the plan's host count. */
static void test_interrupted_and_summaryless_runs(void **state)
{
	struct port_record p = prec(IP(198, 18, 0, 1), 80, PS_OPEN, R_SYN_ACK, 64, 0, T0);
	struct run_info ri = info("portus", 0);
	struct run_summary s = summary(1);
	struct strbuf want;
	char *got;

	(void)state;
	s.interrupted = 1;
	got = run(XML, &ri, &p, 1, NULL, 0, &s);
	sb_init(&want);
	xml_head(&want, "portus");
	xml_host_open(&want, "198.18.0.1", S0, S0, "syn-ack", 64);
	xport(&want, 80, "open", "syn-ack", 64, NULL);
	sb_puts(&want, "</ports>\n</host>\n");
	xml_tail(&want, 1, 1, "exit=\"error\" errormsg=\"interrupted\"");
	assert_false(want.oom);
	assert_text(got, want.p);
	free(got);

	got = run(GREP, &ri, &p, 1, NULL, 0, &s);
	assert_true(strstr(got, "\n# portus done at " END_STR " -- 1 IP address (1 host up) "
				"scanned in 3.21 seconds (interrupted)\n") != NULL);
	free(got);

	got = run(XML, &ri, &p, 1, NULL, 0, NULL);
	assert_true(strstr(got,
			   "<runstats><finished time=\"" S0 "\" timestr=\"" START_STR
			   "\" summary=\"portus done at " START_STR "; 16 IP addresses (1 host "
			   "up) scanned in 0.00 seconds\" elapsed=\"0.00\" exit=\"error\" "
			   "errormsg=\"the scan stopped before its summary\"/><hosts up=\"1\" "
			   "down=\"15\" total=\"16\"/>\n</runstats>\n</nmaprun>\n") != NULL);
	free(got);
	got = run(GREP, &ri, &p, 1, NULL, 0, NULL);
	assert_true(strstr(got, "\n# portus done at " START_STR " -- 16 IP addresses (1 host up) "
				"scanned in 0.00 seconds (no summary: the scan stopped early)\n") !=
		    NULL);
	free(got);
	sb_free(&want);
}

/* A host known only by ICMP errors is up by the first of them; a port with no
 * service name gets no <service> (nmap's way), an empty field in -oG. */
static void test_icmp_only_host_and_unnamed_port(void **state)
{
	const uint32_t a = IP(198, 19, 2, 7);
	struct port_record p[2] = {
		prec(a, 80, PS_FILTERED, R_HOST_UNREACH, 62, IP(198, 18, 0, 254), T0),
		prec(a, 47999, PS_FILTERED, R_NET_PROHIBITED, 61, a, T0 + 1000000),
	};
	struct run_info ri = info("portus", 0);
	struct run_summary s = summary(1);
	struct strbuf want;
	char *got;

	(void)state;
	if (getservbyport(htons(47999), "tcp") != NULL)
		skip(); /* the services database names it after all */
	got = run(XML, &ri, p, 2, NULL, 0, &s);
	sb_init(&want);
	xml_head(&want, "portus");
	/* up by the ICMP error from its own address, not by the router's */
	xml_host_open(&want, "198.19.2.7", S0, "1732352401", "net-prohibited", 61);
	xport(&want, 80, "filtered", "host-unreach", 62, "198.18.0.254");
	/* reason_ip equal to the target itself is not repeated, as nmap */
	sb_puts(&want, "<port protocol=\"tcp\" portid=\"47999\"><state state=\"filtered\" "
		       "reason=\"net-prohibited\" reason_ttl=\"61\"/></port>\n");
	sb_puts(&want, "</ports>\n</host>\n");
	xml_tail(&want, 1, 1, "exit=\"success\"");
	assert_false(want.oom);
	assert_text(got, want.p);
	free(got);
	sb_free(&want);

	got = run(GREP, &ri, p, 2, NULL, 0, &s);
	sb_init(&want);
	sb_printf(&want,
		  "Host: 198.19.2.7 ()\tPorts: 80/filtered/tcp//%s///, 47999/filtered/tcp/////\n",
		  svc_name(80));
	assert_true(strstr(got, want.p) != NULL);
	sb_free(&want);
	free(got);
}

static void test_unwritable_path_fails_at_open(void **state)
{
	struct run_info ri = info("portus", 0);
	char err[PORTUS_ERRLEN];

	(void)state;
	err[0] = '\0';
	assert_null(writer_xml_open("/nonexistent-portus-dir/out.xml", &ri, err, sizeof(err)));
	assert_string_equal(
		err, "cannot write /nonexistent-portus-dir/out.xml: No such file or directory");
	err[0] = '\0';
	assert_null(writer_grepable_open("/tmp", &ri, err, sizeof(err)));
	assert_string_equal(err, "cannot write /tmp: Is a directory");
}

static void test_write_error_is_reported_at_close(void **state)
{
	struct port_record p = prec(IP(198, 18, 0, 1), 80, PS_OPEN, R_SYN_ACK, 64, 0, T0);
	struct run_info ri = info("portus", 0);
	char err[PORTUS_ERRLEN];
	struct writer *w;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	w = writer_xml_open("/dev/full", &ri, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->port(w, &p), 0);
	assert_int_equal(w->ops->close(w), -1);
	w = writer_grepable_open("/dev/full", &ri, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->port(w, &p), 0);
	assert_int_equal(w->ops->close(w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_lists_up_and_down_hosts_and_counts_silent_ones),
		cmocka_unit_test(test_grepable_lists_up_and_down_hosts_like_nmap),
		cmocka_unit_test(test_xml_ipv6_hosts),
		cmocka_unit_test(test_grepable_ipv6_hosts),
		cmocka_unit_test(test_xml_collapses_states_above_25_into_extraports),
		cmocka_unit_test(test_grepable_ignored_state_only_when_one),
		cmocka_unit_test(test_xml_open_only_like_nmap_open),
		cmocka_unit_test(test_grepable_open_only_like_nmap_open),
		cmocka_unit_test(test_xml_escapes_args_to_valid_utf8),
		cmocka_unit_test(test_grepable_keeps_the_header_on_one_line),
		cmocka_unit_test(test_interrupted_and_summaryless_runs),
		cmocka_unit_test(test_icmp_only_host_and_unnamed_port),
		cmocka_unit_test(test_unwritable_path_fails_at_open),
		cmocka_unit_test(test_write_error_is_reported_at_close),
	};

	/* nmap prints local time; the expected bytes are in UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
