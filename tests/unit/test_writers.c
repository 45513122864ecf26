/* test_writers.c — exact bytes of the NDJSON, list and text writers; result names. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
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

#include "collector_order.h"
#include "portus.h"
#include "scan_record.h"
#include "writer.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define T0 1732352400123456LL /* 2024-11-23T09:00:00.123456Z */
#define T0_STR "2024-11-23T09:00:00.123456Z"

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
				int ttl, ip_addr reason_ip)
{
	struct port_record r;

	memset(&r, 0, sizeof(r));
	r.ip = ip;
	r.port = port;
	r.state = (uint8_t)st;
	r.reason = (uint8_t)why;
	r.has_reply = ttl >= 0;
	r.ttl = ttl >= 0 ? (uint8_t)ttl : 0;
	r.reason_ip = reason_ip;
	r.time_us = T0;
	return r;
}

/* The same for IPv4 (host order; reason_ip 0: none). */
static struct port_record prec(uint32_t ip, uint16_t port, enum port_state st, enum reason why,
			       int ttl, uint32_t reason_ip)
{
	return prec6(addr_from_v4(ip), port, st, why, ttl,
		     reason_ip != 0 ? addr_from_v4(reason_ip) : addr_zero());
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

static struct run_summary summary(void)
{
	struct run_summary s;

	memset(&s, 0, sizeof(s));
	s.start_us = T0;
	s.end_us = T0 + 3210000;
	s.targets = 327680;
	s.hosts = 65536;
	s.hosts_down = 0;
	s.open = 100;
	s.closed = 200;
	s.filtered = 327380;
	s.probes_sent = 982000;
	s.rate_pps = 102345.0;
	s.pcap_received = 300;
	s.pcap_dropped = 0;
	s.if_dropped = 0;
	s.passes = 2;
	s.seed = 12345;
	s.shard_k = 1;
	s.shard_n = 1;
	/* One range, 5 ports: 8 + 8 + 5 * 2 + 65536 * 4; 327680 cells / 32 * 8. */
	s.plan_bytes = 262170;
	s.table_bytes = 81920;
	return s;
}

/* Reads the whole file; the caller frees. */
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

static char *slurp_fp(FILE *f)
{
	char *buf;
	long n;

	assert_int_equal(fflush(f), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	return buf;
}

static void temp_path(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/portus-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", got, want);
}

/* ---- NDJSON ---- */

/* Feeds the same scan into any writer. */
static void feed_scan(struct writer *w)
{
	struct port_record p[] = {
		prec(IP(198, 18, 0, 1), 80, PS_OPEN, R_SYN_ACK, 64, 0),
		prec(IP(198, 18, 0, 1), 22, PS_CLOSED, R_RESET, 64, 0),
		prec(IP(198, 18, 0, 1), 8081, PS_FILTERED, R_ADMIN_PROHIBITED, 63,
		     IP(198, 18, 0, 254)),
		/* reason_ip of a no-response record is meaningless and must not show */
		prec(IP(198, 18, 0, 1), 443, PS_FILTERED, R_NO_RESPONSE, -1, IP(1, 2, 3, 4)),
	};
	struct host_record up = hrec(IP(198, 18, 0, 1), 1, R_ARP_RESPONSE);
	struct host_record down = hrec(IP(198, 18, 0, 7), 0, R_NO_ARP);
	struct run_summary s = summary();
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		assert_int_equal(w->ops->port(w, &p[i]), 0);
	assert_int_equal(w->ops->host(w, &up), 0);
	assert_int_equal(w->ops->host(w, &down), 0);
	assert_int_equal(w->ops->summary(w, &s), 0);
}

#define ND_OPEN                                                                             \
	"{\"type\":\"port\",\"ip\":\"198.18.0.1\",\"port\":80,\"proto\":\"tcp\",\"state\":" \
	"\"open\",\"reason\":\"syn-ack\",\"ttl\":64,\"time\":\"" T0_STR "\"}\n"
#define ND_CLOSED                                                                           \
	"{\"type\":\"port\",\"ip\":\"198.18.0.1\",\"port\":22,\"proto\":\"tcp\",\"state\":" \
	"\"closed\",\"reason\":\"reset\",\"ttl\":64,\"time\":\"" T0_STR "\"}\n"
#define ND_ICMP                                                                               \
	"{\"type\":\"port\",\"ip\":\"198.18.0.1\",\"port\":8081,\"proto\":\"tcp\",\"state\":" \
	"\"filtered\",\"reason\":\"admin-prohibited\",\"ttl\":63,\"reason_ip\":"              \
	"\"198.18.0.254\",\"time\":\"" T0_STR "\"}\n"
#define ND_NORESP                                                                            \
	"{\"type\":\"port\",\"ip\":\"198.18.0.1\",\"port\":443,\"proto\":\"tcp\",\"state\":" \
	"\"filtered\",\"reason\":\"no-response\",\"ttl\":null,\"time\":\"" T0_STR "\"}\n"
#define ND_HOST_UP                                                                               \
	"{\"type\":\"host\",\"ip\":\"198.18.0.1\",\"state\":\"up\",\"reason\":\"arp-response\"," \
	"\"time\":\"" T0_STR "\"}\n"
#define ND_HOST_DOWN                                                              \
	"{\"type\":\"host\",\"ip\":\"198.18.0.7\",\"state\":\"down\",\"reason\":" \
	"\"no-arp-response\",\"time\":\"" T0_STR "\"}\n"
#define ND_SUMMARY                                                                                \
	"{\"type\":\"summary\",\"start\":\"" T0_STR "\",\"end\":\"2024-11-23T09:00:03.333456Z\"," \
	"\"elapsed_s\":3.210,\"targets\":327680,\"hosts\":65536,\"hosts_down\":0,\"open\":100,"   \
	"\"closed\":200,\"filtered\":327380,\"probes_sent\":982000,\"rate_pps\":102345.0,"        \
	"\"plan_bytes\":262170,\"table_bytes\":81920,"                                            \
	"\"pcap_received\":300,\"pcap_dropped\":0,\"if_dropped\":0,\"passes\":2,\"seed\":12345,"  \
	"\"shard\":\"1/1\",\"interrupted\":false}\n"

static void test_ndjson_writes_exact_records(void **state)
{
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_ndjson_open(path, 0, err, sizeof(err));
	assert_non_null(w);
	feed_scan(w);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_text(got, ND_OPEN ND_CLOSED ND_ICMP ND_NORESP ND_HOST_UP ND_HOST_DOWN ND_SUMMARY);
	free(got);
	unlink(path);
}

static void test_ndjson_each_line_is_on_disk_before_close(void **state)
{
	struct port_record p = prec(IP(198, 18, 0, 1), 80, PS_OPEN, R_SYN_ACK, 64, 0);
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_ndjson_open(path, 0, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->port(w, &p), 0);
	got = slurp_path(path); /* a killed run would leave exactly this */
	assert_text(got, ND_OPEN);
	free(got);
	assert_int_equal(w->ops->close(w), 0);
	unlink(path);
}

/* The end-of-scan bulk of closed/filtered records is batched, but what reaches
 * the file is always whole lines, and an open port still goes out at once. */
static void test_ndjson_batches_bulk_records_in_whole_lines(void **state)
{
	struct port_record p = prec(IP(198, 18, 0, 1), 22, PS_CLOSED, R_RESET, 64, 0);
	struct port_record o = prec(IP(198, 18, 9, 9), 443, PS_OPEN, R_SYN_ACK, 64, 0);
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;
	size_t len, lines = 0, flushed_once = 0;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_ndjson_open(path, 0, err, sizeof(err));
	assert_non_null(w);
	for (unsigned i = 0; i < 3000; i++) {
		p.ip = addr_from_v4(IP(198, 18, i >> 8, i & 0xff));
		assert_int_equal(w->ops->port(w, &p), 0);
		got = slurp_path(path);
		len = strlen(got);
		/* Never a partial line on disk. */
		assert_true(len == 0 || got[len - 1] == '\n');
		flushed_once |= len > 0;
		free(got);
	}
	assert_true(flushed_once); /* batches do reach the file before close */
	assert_int_equal(w->ops->port(w, &o), 0);
	got = slurp_path(path);
	len = strlen(got);
	for (size_t i = 0; i < len; i++)
		lines += got[i] == '\n';
	assert_int_equal(lines, 3001); /* the open port flushed everything before it */
	assert_non_null(strstr(got, "\"ip\":\"198.18.9.9\",\"port\":443"));
	free(got);
	assert_int_equal(w->ops->close(w), 0);
	unlink(path);
}

static void test_ndjson_summary_interrupted_and_shard(void **state)
{
	struct run_summary s = summary();
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	s.interrupted = 1;
	s.shard_k = 3;
	s.shard_n = 4;
	s.seed = UINT64_MAX;
	s.end_us = s.start_us; /* zero elapsed */
	s.rate_pps = NAN;      /* NaN must not reach the JSON */
	s.plan_bytes = 0;      /* unknown (a rebuilt summary): the keys are left out */
	s.table_bytes = 0;
	temp_path(path, sizeof(path));
	w = writer_ndjson_open(path, 0, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->summary(w, &s), 0);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_non_null(strstr(got, "\"elapsed_s\":0.000,"));
	assert_non_null(strstr(got, "\"rate_pps\":0.0,"));
	assert_non_null(strstr(got, "\"seed\":18446744073709551615,"));
	assert_non_null(strstr(got, "\"shard\":\"3/4\",\"interrupted\":true}\n"));
	assert_null(strstr(got, "_bytes"));
	free(got);
	unlink(path);
}

static void test_ndjson_open_only_skips_non_open_and_down(void **state)
{
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_ndjson_open(path, 1, err, sizeof(err));
	assert_non_null(w);
	feed_scan(w);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_text(got, ND_OPEN ND_HOST_UP ND_SUMMARY);
	free(got);
	unlink(path);
}

static void test_ndjson_dash_is_stdout(void **state)
{
	char err[PORTUS_ERRLEN];
	struct writer *w;

	(void)state;
	w = writer_ndjson_open("-", 0, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->close(w), 0);
	assert_true(fflush(stdout) == 0); /* still open */
	assert_true(fcntl(STDOUT_FILENO, F_GETFD) != -1);
}

static void test_writers_report_unwritable_path(void **state)
{
	char err[PORTUS_ERRLEN];

	(void)state;
	err[0] = '\0';
	assert_null(writer_ndjson_open("/nonexistent-portus-dir/out.json", 0, err, sizeof(err)));
	assert_string_equal(
		err, "cannot write /nonexistent-portus-dir/out.json: No such file or directory");
	err[0] = '\0';
	assert_null(writer_list_open("/tmp", err, sizeof(err)));
	assert_string_equal(err, "cannot write /tmp: Is a directory");
	/* /dev/full opens but refuses data: the list header already fails. */
	if (access("/dev/full", W_OK) == 0) {
		err[0] = '\0';
		assert_null(writer_list_open("/dev/full", err, sizeof(err)));
		assert_string_equal(err, "cannot write /dev/full: No space left on device");
	}
}

static void test_ndjson_write_error_is_reported(void **state)
{
	struct port_record p = prec(IP(198, 18, 0, 1), 80, PS_OPEN, R_SYN_ACK, 64, 0);
	char err[PORTUS_ERRLEN];
	struct writer *w;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	w = writer_ndjson_open("/dev/full", 0, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->port(w, &p), -1);
	assert_int_equal(w->ops->close(w), -1);
}

/* ---- IPv6 ---- */

#define V6_LONG "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe" /* 39 characters, the longest */

/* IPv6 records: addresses in RFC 5952 form, ICMPv6 and neighbour discovery
 * reasons; IPv4 (held IPv4-mapped) still a dotted quad. */
static void test_ndjson_ipv6_records(void **state)
{
	struct port_record p[] = {
		prec6(A6("2001:DB8:0:0:0:0:0:1"), 443, PS_OPEN, R_SYN_ACK, 64, addr_zero()),
		prec6(A6("2001:db8::1"), 22, PS_FILTERED, R_NO_ROUTE, 63, A6("2001:db8:0:1::fe")),
		prec6(A6("2001:db8::1"), 80, PS_FILTERED, R_ADMIN_PROHIBITED, 64,
		      A6("2001:db8::1")),
		prec6(A6(V6_LONG), 65535, PS_FILTERED, R_BEYOND_SCOPE, 255, A6(V6_LONG)),
		prec6(A6("2001:db8::2"), 8080, PS_FILTERED, R_NO_RESPONSE, -1, addr_zero()),
		prec6(A6("::ffff:198.18.0.1"), 80, PS_OPEN, R_SYN_ACK, 64, addr_zero()),
	};
	struct host_record up = hrec6(A6("2001:db8::1"), 1, R_ND_RESPONSE);
	struct host_record down = hrec6(A6("2001:db8:0:1::23"), 0, R_NO_ND);
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_ndjson_open(path, 0, err, sizeof(err));
	assert_non_null(w);
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		assert_int_equal(w->ops->port(w, &p[i]), 0);
	assert_int_equal(w->ops->host(w, &up), 0);
	assert_int_equal(w->ops->host(w, &down), 0);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_text(got,
		    "{\"type\":\"port\",\"ip\":\"2001:db8::1\",\"port\":443,\"proto\":\"tcp\","
		    "\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,\"time\":\"" T0_STR
		    "\"}\n"
		    "{\"type\":\"port\",\"ip\":\"2001:db8::1\",\"port\":22,\"proto\":\"tcp\","
		    "\"state\":\"filtered\",\"reason\":\"no-route\",\"ttl\":63,"
		    "\"reason_ip\":\"2001:db8:0:1::fe\",\"time\":\"" T0_STR "\"}\n"
		    "{\"type\":\"port\",\"ip\":\"2001:db8::1\",\"port\":80,\"proto\":\"tcp\","
		    "\"state\":\"filtered\",\"reason\":\"admin-prohibited\",\"ttl\":64,"
		    "\"reason_ip\":\"2001:db8::1\",\"time\":\"" T0_STR "\"}\n"
		    "{\"type\":\"port\",\"ip\":\"" V6_LONG "\",\"port\":65535,\"proto\":\"tcp\","
		    "\"state\":\"filtered\",\"reason\":\"beyond-scope\",\"ttl\":255,"
		    "\"reason_ip\":\"" V6_LONG "\",\"time\":\"" T0_STR "\"}\n"
		    "{\"type\":\"port\",\"ip\":\"2001:db8::2\",\"port\":8080,\"proto\":\"tcp\","
		    "\"state\":\"filtered\",\"reason\":\"no-response\",\"ttl\":null,"
		    "\"time\":\"" T0_STR "\"}\n" ND_OPEN
		    "{\"type\":\"host\",\"ip\":\"2001:db8::1\",\"state\":\"up\","
		    "\"reason\":\"nd-response\",\"time\":\"" T0_STR "\"}\n"
		    "{\"type\":\"host\",\"ip\":\"2001:db8:0:1::23\",\"state\":\"down\","
		    "\"reason\":\"no-nd-response\",\"time\":\"" T0_STR "\"}\n");
	free(got);
	unlink(path);
}

/* masscan -oL writes an IPv6 address bare (no brackets), compressed. */
static void test_list_ipv6(void **state)
{
	struct port_record p[] = {
		prec6(A6("2001:db8::1"), 80, PS_OPEN, R_SYN_ACK, 64, addr_zero()),
		prec6(A6("2001:db8::1"), 22, PS_CLOSED, R_RESET, 64, addr_zero()),
		prec6(A6(V6_LONG), 443, PS_OPEN, R_SYN_ACK, 64, addr_zero()),
		prec(IP(198, 18, 0, 1), 80, PS_OPEN, R_SYN_ACK, 64, 0),
	};
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_list_open(path, err, sizeof(err));
	assert_non_null(w);
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		assert_int_equal(w->ops->port(w, &p[i]), 0);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_text(got, "#portus\n"
			 "open tcp 80 2001:db8::1 1732352400\n"
			 "open tcp 443 " V6_LONG " 1732352400\n"
			 "open tcp 80 198.18.0.1 1732352400\n");
	free(got);
	unlink(path);
}

/* ---- list ---- */

static void test_list_writes_open_ports_only(void **state)
{
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_list_open(path, err, sizeof(err));
	assert_non_null(w);
	got = slurp_path(path); /* the header is there from the start */
	assert_text(got, "#portus\n");
	free(got);
	feed_scan(w);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_text(got, "#portus\nopen tcp 80 198.18.0.1 1732352400\n# end\n");
	free(got);
	unlink(path);
}

/* ---- text ---- */

/* The service column as the writer will print it (depends on /etc/services).
 * getservbyport reuses one buffer, so copy: several calls feed one printf. */
static const char *svc(uint16_t port)
{
	static char ring[8][64];
	static unsigned next;
	struct servent *se = getservbyport(htons(port), "tcp");
	char *out = ring[next++ % 8];

	snprintf(out, sizeof(ring[0]), "%s", se != NULL ? se->s_name : "unknown");
	return out;
}

/* Runs records through a text writer on a temporary stream, in the order
 * given or in collect.c's (collector_order.h); returns the output. */
static char *text_run_in(int collector, int open_only, const struct port_record *p, size_t np,
			 const struct host_record *h, size_t nh, const struct run_summary *s)
{
	char err[PORTUS_ERRLEN];
	struct writer *w;
	FILE *f = tmpfile();
	char *out;

	assert_non_null(f);
	w = writer_text_open(f, open_only, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->owns_fp, 0);
	assert_int_equal(co_feed_as(collector, w, p, np, h, nh), 0);
	if (s != NULL)
		assert_int_equal(w->ops->summary(w, s), 0);
	assert_int_equal(w->ops->close(w), 0);
	out = slurp_fp(f);
	fclose(f);
	return out;
}

/* The table for the records as given; in collect.c's order, where silent
 * hosts are only counted (hostgroup.h), it must be the same. */
static char *text_run(int open_only, const struct port_record *p, size_t np,
		      const struct host_record *h, size_t nh, const struct run_summary *s)
{
	char *given = text_run_in(0, open_only, p, np, h, nh, s);
	char *collector = text_run_in(1, open_only, p, np, h, nh, s);

	assert_text(collector, given);
	free(collector);
	return given;
}

static void test_text_full_report(void **state)
{
	const uint32_t a = IP(198, 18, 0, 1), b = IP(198, 18, 0, 2);
	struct port_record p[64];
	struct host_record h[2];
	struct run_summary s = summary();
	char want[4096], *got;
	size_t np = 0, n;
	uint16_t port;

	(void)state;
	/* Open ports come first, as found; the rest at the end in address order. */
	p[np++] = prec(a, 80, PS_OPEN, R_SYN_ACK, 64, 0);
	p[np++] = prec(b, 80, PS_OPEN, R_SYN_ACK, 64, 0);
	p[np++] = prec(a, 22, PS_OPEN, R_SYN_ACK, 64, 0);
	for (port = 1000; port < 1030; port++)
		p[np++] = prec(a, port, PS_FILTERED, R_NO_RESPONSE, -1, 0);
	p[np++] = prec(b, 8081, PS_FILTERED, R_ADMIN_PROHIBITED, 63, IP(198, 18, 0, 254));
	p[np++] = prec(b, 22, PS_CLOSED, R_RESET, 64, 0);
	/* Two hosts that never answered: only counted. */
	p[np++] = prec(IP(198, 18, 0, 10), 22, PS_FILTERED, R_NO_RESPONSE, -1, 0);
	p[np++] = prec(IP(198, 18, 0, 10), 80, PS_FILTERED, R_NO_RESPONSE, -1, 0);
	p[np++] = prec(IP(198, 18, 0, 9), 80, PS_FILTERED, R_NO_RESPONSE, -1, 0);
	h[0] = hrec(IP(198, 18, 0, 7), 0, R_NO_ARP);
	h[1] = hrec(a, 1, R_ARP_RESPONSE);
	if (strlen(svc(22)) > 8 || strlen(svc(80)) > 8 || strlen(svc(8081)) > 8)
		skip(); /* unusual /etc/services: the column widths would differ */

	n = (size_t)snprintf(want, sizeof(want),
			     "portus scan report for 198.18.0.1\n"
			     "Host is up (ttl 64).\n"
			     "Not shown: 30 filtered tcp ports (no-response)\n"
			     "PORT     STATE    SERVICE  REASON\n"
			     "22/tcp   open     %-8s syn-ack ttl 64\n"
			     "80/tcp   open     %-8s syn-ack ttl 64\n"
			     "\n"
			     "portus scan report for 198.18.0.2\n"
			     "Host is up (ttl 64).\n"
			     "PORT     STATE    SERVICE  REASON\n"
			     "22/tcp   closed   %-8s reset ttl 64\n"
			     "80/tcp   open     %-8s syn-ack ttl 64\n"
			     "8081/tcp filtered %-8s admin-prohibited from 198.18.0.254 ttl 63\n"
			     "\n"
			     "portus scan report for 198.18.0.7\n"
			     "Host is down (no-arp-response).\n"
			     "\n"
			     "2 hosts gave no response on any port (all filtered, no-response).\n"
			     "portus done: 65536 addresses x 5 ports (327680 targets) in 3.21 s: "
			     "100 open, 200 closed, 327380 filtered; 65536 hosts, 0 down; "
			     "982000 probes at 102345 pps; pcap drops 0; "
			     "memory: plan 256.0 KiB, table 80.0 KiB\n",
			     svc(22), svc(80), svc(22), svc(80), svc(8081));
	assert_true(n < sizeof(want));
	got = text_run(0, p, np, h, 2, &s);
	assert_text(got, want);
	free(got);
}

static void test_text_open_only_lists_open_and_summarises_rest(void **state)
{
	const uint32_t a = IP(198, 18, 0, 1), b = IP(198, 18, 0, 2);
	struct port_record p[] = {
		prec(a, 80, PS_OPEN, R_SYN_ACK, 64, 0),
		prec(a, 22, PS_CLOSED, R_RESET, 64, 0),
		prec(a, 23, PS_CLOSED, R_RESET, 64, 0),
		prec(a, 1000, PS_FILTERED, R_NO_RESPONSE, -1, 0),
		prec(b, 22, PS_CLOSED, R_RESET, 64, 0), /* no open port: left out */
	};
	struct host_record h = hrec(IP(198, 18, 0, 7), 0, R_NO_ARP); /* left out */
	char want[1024], *got;

	(void)state;
	if (strlen(svc(80)) > 8)
		skip();
	snprintf(want, sizeof(want),
		 "portus scan report for 198.18.0.1\n"
		 "Host is up (ttl 64).\n"
		 "Not shown: 2 closed tcp ports (reset), 1 filtered tcp port (no-response)\n"
		 "PORT     STATE    SERVICE  REASON\n"
		 "80/tcp   open     %-8s syn-ack ttl 64\n"
		 "\n",
		 svc(80));
	got = text_run(1, p, sizeof(p) / sizeof(p[0]), &h, 1, NULL);
	assert_text(got, want);
	free(got);
}

static void test_text_host_up_by_arp_with_all_ports_ignored(void **state)
{
	const uint32_t a = IP(198, 18, 0, 3);
	struct port_record p[40];
	struct host_record h = hrec(a, 1, R_ARP_RESPONSE);
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < 40; i++)
		p[i] = prec(a, (uint16_t)(2000 + i), PS_FILTERED, R_NO_RESPONSE, -1, 0);
	got = text_run(0, p, 40, &h, 1, NULL);
	assert_text(got, "portus scan report for 198.18.0.3\n"
			 "Host is up (arp-response).\n"
			 "All 40 scanned ports on 198.18.0.3 are in ignored states.\n"
			 "Not shown: 40 filtered tcp ports (no-response)\n"
			 "\n");
	free(got);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_text_collapses_only_above_25(void **state)
{
	const uint32_t a = IP(198, 18, 0, 1);
	struct port_record p[27];
	size_t i;
	char *got;

	(void)state;
	p[0] = prec(a, 80, PS_OPEN, R_SYN_ACK, 64, 0);
	for (i = 1; i <= 25; i++)
		p[i] = prec(a, (uint16_t)(1000 + i), PS_FILTERED, R_NO_RESPONSE, -1, 0);
	/* 25 filtered: all listed (report, up, header, 26 rows, blank line) */
	got = text_run(0, p, 26, NULL, 0, NULL);
	assert_null(strstr(got, "Not shown"));
	assert_int_equal(count_lines(got), 3 + 26 + 1);
	free(got);
	/* 26 filtered: collapsed */
	p[26] = prec(a, 1026, PS_FILTERED, R_NO_RESPONSE, -1, 0);
	got = text_run(0, p, 27, NULL, 0, NULL);
	assert_non_null(strstr(got, "Not shown: 26 filtered tcp ports (no-response)\n"));
	assert_int_equal(count_lines(got), 4 + 1 + 1);
	free(got);
}

static void test_text_columns_widen_for_long_values(void **state)
{
	const uint32_t a = IP(198, 18, 0, 1);
	struct port_record p[] = {
		prec(a, 1000, PS_CLOSED, R_RESET, 64, 0),
		prec(a, 65000, PS_CLOSED, R_RESET, 64, 0),
		/* ICMP from the target itself: no "from" */
		prec(a, 1001, PS_FILTERED, R_PORT_UNREACH, 64, a),
	};
	char want[1024], *got;

	(void)state;
	if (strlen(svc(1000)) > 8 || strlen(svc(1001)) > 8 || strlen(svc(65000)) > 8)
		skip();
	snprintf(want, sizeof(want),
		 "portus scan report for 198.18.0.1\n"
		 "Host is up (ttl 64).\n"
		 "PORT      STATE    SERVICE  REASON\n"
		 "1000/tcp  closed   %-8s reset ttl 64\n"
		 "1001/tcp  filtered %-8s port-unreach ttl 64\n"
		 "65000/tcp closed   %-8s reset ttl 64\n"
		 "\n",
		 svc(1000), svc(1001), svc(65000));
	got = text_run(0, p, 3, NULL, 0, NULL);
	assert_text(got, want);
	free(got);
}

static void test_text_icmp_only_host_and_summary_variants(void **state)
{
	const uint32_t a = IP(198, 18, 0, 5);
	struct port_record p = prec(a, 1000, PS_FILTERED, R_HOST_PROHIBITED, 250, IP(10, 0, 0, 1));
	struct run_summary s = summary();
	char *got;

	(void)state;
	s.hosts = 1;
	s.targets = 1;
	s.probes_sent = 1;
	s.if_dropped = 7;
	s.interrupted = 1;
	s.plan_bytes = 262154; /* 1 port */
	s.table_bytes = 8;     /* one word */
	got = text_run(0, &p, 1, NULL, 0, &s);
	/* Only a router's ICMP error: the host did not answer, so it is not up
	 * (scan_record.h, reply_from_target); one line counts such hosts. */
	assert_null(strstr(got, "Host is up"));
	assert_non_null(strstr(got,
			       "1 host did not answer: every port filtered, by ICMP errors "
			       "from other addresses (a router or firewall, not the host).\n"));
	assert_non_null(strstr(got,
			       "portus done: 1 address x 1 port (1 target) in 3.21 s: "
			       "100 open, 200 closed, 327380 filtered; 1 host, 0 down; 1 probe at "
			       "102345 pps; pcap drops 0, interface drops 7; memory: plan "
			       "256.0 KiB, table 8 B (interrupted)\n"));
	free(got);
}

static void test_text_empty_scan(void **state)
{
	char *got;

	(void)state;
	got = text_run(0, NULL, 0, NULL, 0, NULL);
	assert_text(got, "");
	free(got);
}

/* IPv6 hosts in the table: after the IPv4 ones, headed as nmap -6 heads
 * them; the longest address and reason text come out whole (the columns do
 * not depend on an address's length); the TLS lines name IPv6 endpoints. */
static void test_text_ipv6_hosts(void **state)
{
	const ip_addr a = A6("2001:db8::1"), l = A6(V6_LONG);
	struct port_record p[] = {
		prec6(a, 443, PS_OPEN, R_SYN_ACK, 64, addr_zero()),
		prec6(l, 8081, PS_FILTERED, R_NO_ROUTE, 255,
		      A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd")),
		prec6(l, 22, PS_CLOSED, R_RESET, 255, addr_zero()),
		prec6(a, 22, PS_FILTERED, R_ADMIN_PROHIBITED, 63, A6("2001:db8:0:1::fe")),
		prec(IP(198, 18, 0, 1), 80, PS_OPEN, R_SYN_ACK, 64, 0),
	};
	struct host_record h[] = {
		hrec6(A6("2001:db8:0:1::23"), 0, R_NO_ND),
		hrec6(a, 1, R_ND_RESPONSE),
	};
	struct tls_result t;
	char err[PORTUS_ERRLEN], want[2048], *got;
	struct writer *w;
	FILE *f = tmpfile();

	(void)state;
	if (strlen(svc(22)) > 8 || strlen(svc(80)) > 8 || strlen(svc(443)) > 8 ||
	    strlen(svc(8081)) > 8)
		skip();
	memset(&t, 0, sizeof(t));
	t.ip = a;
	t.port = 443;
	t.outcome = TLS_REFUSED;
	assert_non_null(f);
	w = writer_text_open(f, 0, err, sizeof(err));
	assert_non_null(w);
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		assert_int_equal(w->ops->port(w, &p[i]), 0);
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		assert_int_equal(w->ops->host(w, &h[i]), 0);
	assert_int_equal(w->ops->tls(w, &t), 0);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_fp(f);
	fclose(f);
	snprintf(
		want, sizeof(want),
		"portus scan report for 198.18.0.1\n"
		"Host is up (ttl 64).\n"
		"PORT     STATE    SERVICE  REASON\n"
		"80/tcp   open     %-8s syn-ack ttl 64\n"
		"\n"
		"portus scan report for 2001:db8::1\n"
		"Host is up (ttl 64).\n"
		"PORT     STATE    SERVICE  REASON\n"
		"22/tcp   filtered %-8s admin-prohibited from 2001:db8:0:1::fe ttl 63\n"
		"443/tcp  open     %-8s syn-ack ttl 64\n"
		"\n"
		"portus scan report for 2001:db8:0:1::23\n"
		"Host is down (no-nd-response).\n"
		"\n"
		"portus scan report for " V6_LONG "\n"
		"Host is up (ttl 255).\n"
		"PORT     STATE    SERVICE  REASON\n"
		"22/tcp   closed   %-8s reset ttl 255\n"
		"8081/tcp filtered %-8s no-route from ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd ttl 255\n"
		"\n"
		"TLS endpoints:\n"
		"  2001:db8::1 443/tcp refused\n"
		"\n",
		svc(80), svc(22), svc(443), svc(22), svc(8081));
	assert_text(got, want);
	free(got);
}

/* IPv6 hosts seen only through ICMPv6 errors: up when the error came from
 * the host itself (its host line names that reason), not up when it came
 * from a router; a router's address in a port line comes out whole, however
 * long. */
static void test_text_ipv6_icmp_only_host(void **state)
{
	struct port_record p[] = {
		prec6(A6("2001:db8::5"), 1000, PS_FILTERED, R_REJECT_ROUTE, 250, A6(V6_LONG)),
		prec6(A6("2001:db8::6"), 1000, PS_FILTERED, R_PORT_UNREACH, 64, A6("2001:db8::6")),
		prec6(A6("2001:db8::6"), 1001, PS_FILTERED, R_REJECT_ROUTE, 250, A6(V6_LONG)),
	};
	char *got;

	(void)state;
	got = text_run(0, p, 3, NULL, 0, NULL);
	assert_null(strstr(got, "portus scan report for 2001:db8::5\n"));
	assert_non_null(strstr(got, "portus scan report for 2001:db8::6\n"
				    "Host is up (port-unreach ttl 64).\n"));
	assert_non_null(strstr(got, "reject-route from " V6_LONG " ttl 250\n"));
	assert_non_null(strstr(got, "1 host did not answer: every port filtered"));
	free(got);
}

/* ---- names ---- */

static void test_result_names_follow_nmap(void **state)
{
	(void)state;
	assert_string_equal(state_name(PS_OPEN), "open");
	assert_string_equal(state_name(PS_CLOSED), "closed");
	assert_string_equal(state_name(PS_FILTERED), "filtered");
	assert_string_equal(state_name(PS_UNKNOWN), "unknown");
	assert_string_equal(reason_name(R_SYN_ACK), "syn-ack");
	assert_string_equal(reason_name(R_RESET), "reset");
	assert_string_equal(reason_name(R_NO_RESPONSE), "no-response");
	assert_string_equal(reason_name(R_NET_UNREACH), "net-unreach");
	assert_string_equal(reason_name(R_HOST_UNREACH), "host-unreach");
	assert_string_equal(reason_name(R_PROTO_UNREACH), "proto-unreach");
	assert_string_equal(reason_name(R_PORT_UNREACH), "port-unreach");
	assert_string_equal(reason_name(R_NET_PROHIBITED), "net-prohibited");
	assert_string_equal(reason_name(R_HOST_PROHIBITED), "host-prohibited");
	assert_string_equal(reason_name(R_ADMIN_PROHIBITED), "admin-prohibited");
	assert_string_equal(reason_name(R_ARP_RESPONSE), "arp-response");
	assert_string_equal(reason_name(R_NO_ARP), "no-arp-response");
	assert_string_equal(reason_name(R_USER_SET), "user-set");
	assert_string_equal(reason_name(R_NO_ROUTE), "no-route");
	assert_string_equal(reason_name(R_BEYOND_SCOPE), "beyond-scope");
	assert_string_equal(reason_name(R_REJECT_ROUTE), "reject-route");
	assert_string_equal(reason_name(R_ND_RESPONSE), "nd-response");
	assert_string_equal(reason_name(R_NO_ND), "no-nd-response");
	assert_string_equal(reason_name(R_COUNT), "unknown");
}

/* nmap's "host up" (scan_record.h): the host's own answers count, a router's and
 * silence do not. */
static void test_reply_from_target(void **state)
{
	const ip_addr t = addr_from_v4(IP(198, 19, 0, 7)), gw = addr_from_v4(IP(198, 18, 0, 254));
	const ip_addr t6 = A6("2001:db8::7"), gw6 = A6("2001:db8:0:1::fe");
	struct port_record p;

	(void)state;
	assert_true(reply_from_target(t, R_SYN_ACK, addr_zero()));
	assert_true(reply_from_target(t, R_RESET, addr_zero()));
	assert_true(reply_from_target(t, R_PORT_UNREACH, t));
	assert_true(reply_from_target(t, R_ADMIN_PROHIBITED, t));
	assert_false(reply_from_target(t, R_HOST_UNREACH, gw));
	assert_false(reply_from_target(t, R_NET_UNREACH, gw));
	assert_false(reply_from_target(t, R_HOST_UNREACH, addr_zero())); /* no sender: unknown */
	assert_false(reply_from_target(t, R_NO_RESPONSE, addr_zero()));
	assert_false(reply_from_target(t, R_ARP_RESPONSE, t)); /* a host record's reason */
	assert_true(reply_from_target(t6, R_REJECT_ROUTE, t6));
	assert_false(reply_from_target(t6, R_NO_ROUTE, gw6));
	p = prec(IP(198, 19, 0, 7), 80, PS_CLOSED, R_RESET, 64, 0);
	assert_true(port_record_from_target(&p));
	p.has_reply = 0; /* a no-response record never counts, whatever its reason */
	assert_false(port_record_from_target(&p));
	p = prec(IP(198, 19, 0, 7), 80, PS_FILTERED, R_HOST_UNREACH, 63, IP(198, 18, 0, 254));
	assert_false(port_record_from_target(&p));
}

static void test_reason_from_icmp_maps_filtering_codes(void **state)
{
	static const struct {
		uint8_t code;
		enum reason r;
	} map[] = {
		{ 0, R_NET_UNREACH },       { 1, R_HOST_UNREACH },   { 2, R_PROTO_UNREACH },
		{ 3, R_PORT_UNREACH },      { 9, R_NET_PROHIBITED }, { 10, R_HOST_PROHIBITED },
		{ 13, R_ADMIN_PROHIBITED },
	};
	unsigned code, t;
	size_t i;

	(void)state;
	for (code = 0; code < 256; code++) {
		enum reason want = R_NONE;

		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (map[i].code == code)
				want = map[i].r;
		assert_int_equal(reason_from_icmp(3, (uint8_t)code), want);
	}
	for (t = 0; t < 256; t++)
		if (t != 3)
			assert_int_equal(reason_from_icmp((uint8_t)t, 13), R_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndjson_writes_exact_records),
		cmocka_unit_test(test_ndjson_each_line_is_on_disk_before_close),
		cmocka_unit_test(test_ndjson_batches_bulk_records_in_whole_lines),
		cmocka_unit_test(test_ndjson_summary_interrupted_and_shard),
		cmocka_unit_test(test_ndjson_open_only_skips_non_open_and_down),
		cmocka_unit_test(test_ndjson_dash_is_stdout),
		cmocka_unit_test(test_writers_report_unwritable_path),
		cmocka_unit_test(test_ndjson_write_error_is_reported),
		cmocka_unit_test(test_ndjson_ipv6_records),
		cmocka_unit_test(test_list_writes_open_ports_only),
		cmocka_unit_test(test_list_ipv6),
		cmocka_unit_test(test_text_full_report),
		cmocka_unit_test(test_text_open_only_lists_open_and_summarises_rest),
		cmocka_unit_test(test_text_host_up_by_arp_with_all_ports_ignored),
		cmocka_unit_test(test_text_collapses_only_above_25),
		cmocka_unit_test(test_text_columns_widen_for_long_values),
		cmocka_unit_test(test_text_icmp_only_host_and_summary_variants),
		cmocka_unit_test(test_text_empty_scan),
		cmocka_unit_test(test_text_ipv6_hosts),
		cmocka_unit_test(test_text_ipv6_icmp_only_host),
		cmocka_unit_test(test_result_names_follow_nmap),
		cmocka_unit_test(test_reply_from_target),
		cmocka_unit_test(test_reason_from_icmp_maps_filtering_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
