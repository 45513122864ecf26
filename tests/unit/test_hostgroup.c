/*
 * test_hostgroup.c — the per-host grouping behind the table, -oX and -oG
 * (src/output/hostgroup.h): memory that grows with what answered, and the
 * same bytes out whatever order the records come in.
 *
 * One synthetic scan, fed twice: in collect.c's order (open records first,
 * then host after host in address order, each host's ports ascending, its
 * host records after them), where silent hosts must only be counted; and
 * reversed, where the group must fall back to keeping every record. The
 * three writers must print the same bytes for both, and the compact run must
 * keep only the answered records.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/hostgroup.h"
#include "portus.h"
#include "scan_record.h"
#include "writer.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define T0 1732352400123456LL
#define TEND (T0 + 5000000)
#define NV4 1024 /* 198.19.0.0/22 */
#define NV6 64   /* 2001:db8::1 - ::40 */

static uint16_t plan_ports[46];
static struct port_list plan = { plan_ports, 46 };

/* 21,22,23,25,80,443,1000-1039: 44 no-response ports on a host with two answers. */
static void make_plan(void)
{
	static const uint16_t first[6] = { 21, 22, 23, 25, 80, 443 };

	for (unsigned i = 0; i < 6; i++)
		plan_ports[i] = first[i];
	for (unsigned i = 0; i < 40; i++)
		plan_ports[6 + i] = (uint16_t)(1000 + i);
}

static const char *const www_names[] = { "www.lab.test", "api.lab.test", NULL };

struct feed {
	struct port_record *p;
	size_t np, cap;
	struct host_record h[8];
	size_t nh;
	/* the order records are handed over: port (index into p) or host (~index) */
	long *order;
	size_t norder;
};

static void push_port(struct feed *f, ip_addr ip, uint16_t port, enum port_state st,
		      enum reason why, int ttl, ip_addr reason_ip, int64_t t)
{
	struct port_record *r;

	if (f->np == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		f->p = realloc(f->p, f->cap * sizeof(*f->p));
		f->order = realloc(f->order, (f->cap + 8) * sizeof(*f->order));
		assert_non_null(f->p);
		assert_non_null(f->order);
	}
	r = &f->p[f->np];
	memset(r, 0, sizeof(*r));
	r->ip = ip;
	r->port = port;
	r->state = (uint8_t)st;
	r->reason = (uint8_t)why;
	r->has_reply = ttl >= 0;
	r->ttl = ttl >= 0 ? (uint8_t)ttl : 0;
	r->reason_ip = reason_ip;
	r->time_us = t;
	r->sport = 40000; /* the cookie's source port: no nmap format prints it */
	if (addr_eq(ip, addr_from_v4(IP(198, 19, 0, 30))))
		r->names = www_names;
	f->order[f->norder++] = (long)f->np;
	f->np++;
}

static void push_host(struct feed *f, ip_addr ip, int up, enum reason why)
{
	struct host_record *h = &f->h[f->nh];

	assert_true(f->nh < 8);
	memset(h, 0, sizeof(*h));
	h->ip = ip;
	h->up = (uint8_t)up;
	h->reason = (uint8_t)why;
	h->time_us = TEND;
	f->order[f->norder++] = ~(long)f->nh;
	f->nh++;
}

/* What one port of one host answered in this scan (state, reason, ttl,
 * ICMP sender); PS_UNKNOWN for silence. */
static enum port_state answer(ip_addr ip, uint16_t port, enum reason *why, int *ttl, ip_addr *from)
{
	const ip_addr router = addr_from_v4(IP(198, 18, 0, 254));

	*from = addr_zero();
	*ttl = 64;
	if (addr_eq(ip, addr_from_v4(IP(198, 19, 0, 5))) && port == 80)
		return *why = R_SYN_ACK, PS_OPEN;
	if (addr_eq(ip, addr_from_v4(IP(198, 19, 0, 5))) && port == 22)
		return *why = R_RESET, PS_CLOSED;
	if (addr_eq(ip, addr_from_v4(IP(198, 19, 0, 30))) && port == 443)
		return *why = R_SYN_ACK, PS_OPEN;
	if (addr_eq(ip, addr_from_v4(IP(198, 19, 1, 7))) && port != 25)
		return *why = R_RESET, PS_CLOSED; /* 45 closed, one silent */
	if (addr_eq(ip, addr_from_v4(IP(198, 19, 2, 9))) && port == 443) {
		*from = router; /* a router's error: the host stays silent ("did not answer") */
		*ttl = 63;
		return *why = R_ADMIN_PROHIBITED, PS_FILTERED;
	}
	if (addr_eq(ip, addr_from_v4(IP(198, 19, 2, 10))) && port == 23) {
		*from = ip; /* from the host itself: up */
		return *why = R_PORT_UNREACH, PS_FILTERED;
	}
	if (addr_eq(ip, addr_from_v4(IP(198, 19, 3, 8))))
		return *why = R_SYN_ACK, PS_OPEN; /* every port: a SYN proxy */
	if (ip.v == ((u128)0x20010db8 << 96 | 0x20) && port == 443)
		return *why = R_SYN_ACK, PS_OPEN;
	return PS_UNKNOWN;
}

static ip_addr host_ip(size_t i)
{
	ip_addr a;

	if (i < NV4)
		return addr_from_v4(IP(198, 19, 0, 0) + (uint32_t)i);
	a.v = (u128)0x20010db8 << 96 | (u128)(i - NV4 + 1);
	return a;
}

/* The scan in collect.c's order. */
static void build(struct feed *f)
{
	enum reason why;
	ip_addr from;
	int ttl;

	memset(f, 0, sizeof(*f));
	make_plan();
	/* open ports as found: not in address order */
	for (size_t i = NV4 + NV6; i-- > 0;)
		for (unsigned s = 0; s < plan.n; s++)
			if (answer(host_ip(i), plan_ports[s], &why, &ttl, &from) == PS_OPEN)
				push_port(f, host_ip(i), plan_ports[s], PS_OPEN, why, ttl, from,
					  T0 + (int64_t)s * 1000);
	for (size_t i = 0; i < NV4 + NV6; i++) {
		const ip_addr ip = host_ip(i);
		size_t nopen = 0;

		/* 198.19.3.3: on-link and down (collect.c writes no port for it) */
		if (addr_eq(ip, addr_from_v4(IP(198, 19, 3, 3)))) {
			push_host(f, ip, 0, R_NO_ARP);
			continue;
		}
		for (unsigned s = 0; s < plan.n; s++) {
			enum port_state st = answer(ip, plan_ports[s], &why, &ttl, &from);

			if (st == PS_OPEN)
				nopen++;
			else if (st != PS_UNKNOWN)
				push_port(f, ip, plan_ports[s], st, why, ttl, from, T0 + 2000000);
			else
				push_port(f, ip, plan_ports[s], PS_FILTERED, R_NO_RESPONSE, -1,
					  addr_zero(), TEND);
		}
		/* 198.19.3.4: up by ARP, silent on every port */
		if (addr_eq(ip, addr_from_v4(IP(198, 19, 3, 4))))
			push_host(f, ip, 1, R_ARP_RESPONSE);
		if (nopen == plan.n)
			push_host(f, ip, 1, R_ALL_PORTS_OPEN);
	}
}

static void free_feed(struct feed *f)
{
	free(f->p);
	free(f->order);
}

static int give(struct writer *w, const struct feed *f, size_t k)
{
	long o = f->order[k];

	return o >= 0 ? w->ops->port(w, &f->p[o]) : w->ops->host(w, &f->h[~o]);
}

static struct run_info info(int open_only)
{
	struct run_info ri;

	memset(&ri, 0, sizeof(ri));
	ri.start_us = T0;
	ri.hosts = NV4 + NV6;
	ri.targets = (NV4 + NV6) * plan.n;
	ri.ports = &plan;
	ri.args = "portus -p 21-23,25,80,443,1000-1039 198.19.0.0/22 2001:db8::1-2001:db8::40";
	ri.open_only = open_only;
	ri.shard_k = ri.shard_n = 1;
	return ri;
}

static char *slurp(FILE *f)
{
	char *buf;
	long n;

	assert_int_equal(fflush(f), 0);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	return buf;
}

enum kind { TEXT, XML, GREP };

/* Runs the feed through a writer of that kind, in order or reversed. */
static char *run(enum kind k, const struct feed *f, int reversed, int open_only)
{
	struct run_info ri = info(open_only);
	struct run_summary s;
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	FILE *tf = NULL;
	char *out;
	int fd;

	memset(&s, 0, sizeof(s));
	s.start_us = T0;
	s.end_us = TEND;
	s.hosts = ri.hosts;
	s.targets = ri.targets;
	s.ports = plan.n;
	snprintf(path, sizeof(path), "/tmp/portus-hg-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	if (k == TEXT) {
		tf = tmpfile();
		assert_non_null(tf);
		w = writer_text_open(tf, open_only, err, sizeof(err));
	} else {
		w = k == XML ? writer_xml_open(path, &ri, err, sizeof(err))
			     : writer_grepable_open(path, &ri, err, sizeof(err));
	}
	assert_non_null(w);
	for (size_t i = 0; i < f->norder; i++)
		assert_int_equal(give(w, f, reversed ? f->norder - 1 - i : i), 0);
	assert_int_equal(w->ops->summary(w, &s), 0);
	assert_int_equal(w->ops->close(w), 0);
	if (tf == NULL)
		tf = fopen(path, "rb");
	assert_non_null(tf);
	out = slurp(tf);
	fclose(tf);
	unlink(path);
	return out;
}

static void assert_has(const char *got, const char *want)
{
	if (strstr(got, want) == NULL)
		fail_msg("missing:\n%s\nin:\n%.3000s", want, got);
}

/* Collect.c's order keeps the answered records and counts the rest. */
static void test_collector_order_keeps_only_what_answered(void **state)
{
	struct hostgroup g;
	struct feed f;
	struct hg_host h;
	struct hg_port_iter it;
	const struct port_record *p;
	size_t answered = 0, nhosts = 0;
	char ip[ADDR_STR_MAX];

	(void)state;
	build(&f);
	hg_init(&g);
	for (size_t k = 0; k < f.norder; k++) {
		long o = f.order[k];

		assert_int_equal(o >= 0 ? hg_add_port(&g, &f.p[o]) : hg_add_host(&g, &f.h[~o]), 0);
		answered += o >= 0 && f.p[o].has_reply;
	}
	assert_int_equal(hg_begin(&g), 0);
	assert_false(g.unordered);
	/* every answer whole, no no-response record */
	assert_int_equal(g.nports, answered);
	assert_int_equal(g.nhosts, f.nh);
	/* no-response ports only for hosts with an answer: .0.5, .0.30, .1.7,
	 * .2.9, .2.10, .3.4 (ARP up) and 2001:db8::20 */
	assert_int_equal(g.nsil, 7);
	assert_true(g.nranges <= 7 * 4);
	/* silent hosts: every other address, one range between answered ones */
	assert_int_equal(hg_silent_hosts(&g), NV4 + NV6 - 9);
	assert_true(g.nspans <= 10);

	while (hg_next(&g, 0, &h)) {
		nhosts++;
		addr_to_str(h.ip, ip);
		assert_int_equal(h.n, addr_eq(h.ip, addr_from_v4(IP(198, 19, 3, 3))) ? 0 : plan.n);
		if (addr_eq(h.ip, addr_from_v4(IP(198, 19, 0, 5)))) {
			size_t k = 0;

			assert_int_equal(h.status, HG_UP);
			assert_string_equal(h.reason,
					    "reset"); /* the first TCP answer, port order */
			assert_int_equal(h.nignored, 1);
			assert_int_equal(h.ignored[0], PS_FILTERED);
			assert_int_equal(h.ignored_count[0], 44);
			assert_int_equal(h.start_us, T0 + 4000); /* port 80 open at slot 4 */
			assert_int_equal(h.end_us, TEND);
			/* the ports come back in order, answers and silence merged */
			for (p = hg_port_first(&it, &h); p != NULL; p = hg_port_next(&it), k++) {
				assert_int_equal(p->port, plan_ports[k]);
				assert_true(addr_eq(p->ip, h.ip));
				if (p->port == 80 || p->port == 22) {
					assert_true(p->has_reply);
					continue;
				}
				assert_int_equal(p->state, PS_FILTERED);
				assert_int_equal(p->reason, R_NO_RESPONSE);
				assert_false(p->has_reply);
				assert_int_equal(p->time_us, TEND);
			}
			assert_int_equal(k, plan.n);
		}
		if (addr_eq(h.ip, addr_from_v4(IP(198, 19, 0, 30)))) {
			assert_ptr_equal(h.names, www_names);
			assert_ptr_equal(hg_port_first(&it, &h)->names, www_names);
		}
		if (addr_eq(h.ip, addr_from_v4(IP(198, 19, 3, 4)))) {
			assert_int_equal(h.status, HG_UP);
			assert_string_equal(h.reason, "arp-response");
			assert_int_equal(h.nrec, 0);
			assert_int_equal(h.ignored_count[0], plan.n);
		}
		if (addr_eq(h.ip, addr_from_v4(IP(198, 19, 2, 9))))
			assert_int_equal(h.status, HG_SILENT); /* a router's error only */
		if (addr_eq(h.ip, addr_from_v4(IP(198, 19, 3, 3))))
			assert_int_equal(h.status, HG_DOWN);
	}
	/* the 7 above, the down host, the SYN proxy */
	assert_int_equal(nhosts, 9);

	/* A record for a host already counted silent cannot be placed: refused. */
	{
		struct port_record late = f.p[0];
		struct host_record hl = f.h[0];

		late.ip = addr_from_v4(IP(198, 19, 0, 6));
		hl.ip = late.ip;
		assert_int_equal(hg_add_port(&g, &late), -1);
		assert_int_equal(hg_add_host(&g, &hl), -1);
	}
	hg_free(&g);
	free_feed(&f);
}

/* Out of order, everything is kept and the result is the same. */
static void test_any_order_gives_the_same_bytes(void **state)
{
	static const enum kind kinds[3] = { TEXT, XML, GREP };
	struct feed f;

	(void)state;
	build(&f);
	for (int open_only = 0; open_only <= 1; open_only++) {
		for (unsigned k = 0; k < 3; k++) {
			char *a = run(kinds[k], &f, 0, open_only);
			char *b = run(kinds[k], &f, 1, open_only);

			if (strcmp(a, b) != 0)
				fail_msg("kind %u open_only %d: in order:\n%s\nreversed:\n%s", k,
					 open_only, a, b);
			free(a);
			free(b);
		}
	}
	free_feed(&f);
}

/* What the three formats say about the silent remainder. */
static void test_formats_summarise_the_silent_remainder(void **state)
{
	struct feed f;
	char *got, want[512];

	(void)state;
	build(&f);
	got = run(XML, &f, 0, 0);
	assert_has(got,
		   "<address addr=\"198.19.0.5\" addrtype=\"ipv4\"/>\n<hostnames>\n</hostnames>\n"
		   "<ports><extraports state=\"filtered\" count=\"44\">\n"
		   "<extrareasons reason=\"no-response\" count=\"44\" proto=\"tcp\" "
		   "ports=\"21,23,25,443,1000-1039\"/>\n</extraports>\n");
	/* the ARP-up host: every port summarised */
	assert_has(got,
		   "<address addr=\"198.19.3.4\" addrtype=\"ipv4\"/>\n<hostnames>\n</hostnames>\n"
		   "<ports><extraports state=\"filtered\" count=\"46\">\n"
		   "<extrareasons reason=\"no-response\" count=\"46\" proto=\"tcp\" "
		   "ports=\"21-23,25,80,443,1000-1039\"/>\n</extraports>\n</ports>\n</host>\n");
	/* 25 below the threshold: the one silent port listed */
	assert_has(got, "<port protocol=\"tcp\" portid=\"25\"><state state=\"filtered\" "
			"reason=\"no-response\" reason_ttl=\"0\"/>");
	/* .0.5, .0.30, .1.7, .2.10, .3.4, .3.8, 2001:db8::20 up; .3.3 down (listed) */
	assert_has(got, "<hosts up=\"7\" down=\"1081\" total=\"1088\"/>");
	assert_true(strstr(got, "198.19.0.6\"") == NULL); /* silent hosts not listed */
	assert_true(strstr(got, "198.19.2.9\"") == NULL); /* a router's error only */
	free(got);

	got = run(GREP, &f, 0, 0);
	assert_has(got, "Host: 198.19.0.5 ()\tStatus: Up\n");
	assert_has(got, "\tIgnored State: filtered (44)\n");
	assert_has(got, "Host: 198.19.3.4 ()\tPorts: \tIgnored State: filtered (46)\n");
	assert_has(got, "Host: 198.19.0.30 (www.lab.test)\tStatus: Up\n");
	assert_has(got, "(7 hosts up) scanned in 5.00 seconds\n");
	free(got);

	got = run(TEXT, &f, 0, 0);
	assert_has(got, "portus scan report for 198.19.0.5\nHost is up (ttl 64).\n"
			"Not shown: 44 filtered tcp ports (no-response)\n");
	assert_has(got, "portus scan report for 198.19.3.4\nHost is up (arp-response).\n"
			"All 46 scanned ports on 198.19.3.4 are in ignored states.\n"
			"Not shown: 46 filtered tcp ports (no-response)\n\n");
	assert_has(
		got,
		"portus scan report for www.lab.test (198.19.0.30)\nOther names: api.lab.test\n");
	snprintf(want, sizeof(want),
		 "%d hosts gave no response on any port (all filtered, no-response).\n"
		 "1 host did not answer: every port filtered, by ICMP errors from other addresses",
		 NV4 + NV6 - 9);
	assert_has(got, want);
	free(got);
	free_feed(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collector_order_keeps_only_what_answered),
		cmocka_unit_test(test_any_order_gives_the_same_bytes),
		cmocka_unit_test(test_formats_summarise_the_silent_remainder),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
