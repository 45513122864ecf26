/*
 * test_hec.c — Splunk HEC output (src/output/hec.c, hec_http.c, http_*.c):
 * exact envelope bytes for every record type with and without an index, the
 * 10,000-byte bound, the --hec-url parser (good and bad URLs), HEC reply
 * parsing, and the HTTP sink against a scripted loopback server running in a
 * thread of this test (request line, headers, body; 503 then 200 with retry,
 * 403 reported once, batching, keep-alive and reconnects, the queue cap, the
 * bounded drain at close).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/hec.h"
#include "output/http_client.h"
#include "portus.h"
#include "scan_record.h"
#include "tls_json.h"
#include "writer.h"

#include "json_validator.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define T0 1732352400123456LL /* 2024-11-23T09:00:00.123456Z */
#define T0_STR "2024-11-23T09:00:00.123456Z"
#define TOKEN "11111111-2222-3333-4444-555555555555"

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

static void temp_path(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/portus-test-hec-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", got, want);
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static struct run_info run_info(const char *hostname, int open_only)
{
	struct run_info ri;

	memset(&ri, 0, sizeof(ri));
	ri.scanner_ip = IP(198, 18, 0, 2);
	snprintf(ri.hostname, sizeof(ri.hostname), "%s", hostname);
	ri.open_only = open_only;
	return ri;
}

/* ---- envelopes ---- */

static struct port_record prec(uint16_t port, enum port_state st, enum reason why, int ttl)
{
	struct port_record r;

	memset(&r, 0, sizeof(r));
	r.ip = addr_from_v4(IP(198, 18, 0, 1));
	r.port = port;
	r.state = (uint8_t)st;
	r.reason = (uint8_t)why;
	r.has_reply = ttl >= 0;
	r.ttl = ttl >= 0 ? (uint8_t)ttl : 0;
	r.time_us = T0;
	return r;
}

static struct host_record hrec(uint32_t ip, int up)
{
	struct host_record h;

	memset(&h, 0, sizeof(h));
	h.ip = addr_from_v4(ip);
	h.up = (uint8_t)up;
	h.reason = (uint8_t)(up ? R_ARP_RESPONSE : R_NO_ARP);
	h.time_us = T0 + 1;
	return h;
}

/* An IPv6 address from its text (the test's own constants: must parse). */
static ip_addr A6(const char *s)
{
	const char *why = NULL;
	ip_addr a = addr_zero();

	if (addr_parse(s, strlen(s), &a, &why) != 0)
		fail_msg("bad test address %s: %s", s, why);
	return a;
}

static struct run_summary summary(void)
{
	struct run_summary s;

	memset(&s, 0, sizeof(s));
	s.start_us = T0;
	s.end_us = T0 + 3210000;
	s.targets = 4;
	s.hosts = 2;
	s.hosts_down = 1;
	s.open = 1;
	s.closed = 1;
	s.filtered = 1;
	s.probes_sent = 5;
	s.rate_pps = 1000.0;
	s.passes = 2;
	s.seed = 12345;
	s.shard_k = 1;
	s.shard_n = 1;
	return s;
}

static void refused_tls(struct tls_result *r)
{
	memset(r, 0, sizeof(*r));
	r->ip = addr_from_v4(IP(198, 18, 0, 1));
	r->port = 443;
	r->outcome = TLS_REFUSED;
	snprintf(r->detail, sizeof(r->detail), "connection refused");
	r->start_us = T0;
	r->end_us = T0 + 2000;
}

static void feed(struct writer *w)
{
	struct port_record p1 = prec(80, PS_OPEN, R_SYN_ACK, 64);
	struct port_record p2 = prec(22, PS_CLOSED, R_RESET, 64);
	struct port_record p3 = prec(25, PS_FILTERED, R_NO_RESPONSE, -1);
	struct host_record h1 = hrec(IP(198, 18, 0, 1), 1);
	struct host_record h2 = hrec(IP(198, 18, 0, 3), 0);
	struct run_summary s = summary();
	struct tls_result t;

	refused_tls(&t);
	assert_int_equal(w->ops->port(w, &p1), 0);
	assert_int_equal(w->ops->tls(w, &t), 0);
	assert_int_equal(w->ops->port(w, &p2), 0);
	assert_int_equal(w->ops->port(w, &p3), 0);
	assert_int_equal(w->ops->host(w, &h1), 0);
	assert_int_equal(w->ops->host(w, &h2), 0);
	assert_int_equal(w->ops->summary(w, &s), 0);
	tls_result_free(&t);
}

/* The TLS event as tls_json writes it (its bytes are test_tls_json's business). */
static char *tls_event(void)
{
	struct tls_result t;
	struct strbuf b;

	refused_tls(&t);
	sb_init(&b);
	tls_json_format(&b, &t);
	assert_false(b.oom);
	tls_result_free(&t);
	return b.p;
}

static char *expected_scan(const char *idx, int open_only)
{
	char *tls = tls_event();
	char *out = malloc(8192);
	size_t n = 0;

	assert_non_null(out);
#define ADD(...) (n += (size_t)snprintf(out + n, 8192 - n, __VA_ARGS__))
	ADD("{\"time\":1732352400.123456,\"host\":\"scan-01\",\"source\":\"portus\","
	    "\"sourcetype\":\"portus:port\"%s,\"event\":{\"type\":\"port\",\"ip\":\"198.18.0.1\","
	    "\"port\":80,\"proto\":\"tcp\",\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,"
	    "\"time\":\"" T0_STR "\"}}\n",
	    idx);
	ADD("{\"time\":1732352400.125456,\"host\":\"scan-01\",\"source\":\"portus\","
	    "\"sourcetype\":\"portus:tls\"%s,\"event\":%s}\n",
	    idx, tls);
	if (!open_only) {
		ADD("{\"time\":1732352400.123456,\"host\":\"scan-01\",\"source\":\"portus\","
		    "\"sourcetype\":\"portus:port\"%s,\"event\":{\"type\":\"port\",\"ip\":\"198.18.0.1\","
		    "\"port\":22,\"proto\":\"tcp\",\"state\":\"closed\",\"reason\":\"reset\",\"ttl\":64,"
		    "\"time\":\"" T0_STR "\"}}\n",
		    idx);
		ADD("{\"time\":1732352400.123456,\"host\":\"scan-01\",\"source\":\"portus\","
		    "\"sourcetype\":\"portus:port\"%s,\"event\":{\"type\":\"port\",\"ip\":\"198.18.0.1\","
		    "\"port\":25,\"proto\":\"tcp\",\"state\":\"filtered\",\"reason\":\"no-response\","
		    "\"ttl\":null,\"time\":\"" T0_STR "\"}}\n",
		    idx);
	}
	ADD("{\"time\":1732352400.123457,\"host\":\"scan-01\",\"source\":\"portus\","
	    "\"sourcetype\":\"portus:host\"%s,\"event\":{\"type\":\"host\",\"ip\":\"198.18.0.1\","
	    "\"state\":\"up\",\"reason\":\"arp-response\",\"time\":\"2024-11-23T09:00:00.123457Z\"}}\n",
	    idx);
	if (!open_only)
		ADD("{\"time\":1732352400.123457,\"host\":\"scan-01\",\"source\":\"portus\","
		    "\"sourcetype\":\"portus:host\"%s,\"event\":{\"type\":\"host\",\"ip\":\"198.18.0.3\","
		    "\"state\":\"down\",\"reason\":\"no-arp-response\","
		    "\"time\":\"2024-11-23T09:00:00.123457Z\"}}\n",
		    idx);
	ADD("{\"time\":1732352403.333456,\"host\":\"scan-01\",\"source\":\"portus\","
	    "\"sourcetype\":\"portus:summary\"%s,\"event\":{\"type\":\"summary\","
	    "\"start\":\"" T0_STR "\",\"end\":\"2024-11-23T09:00:03.333456Z\",\"elapsed_s\":3.210,"
	    "\"targets\":4,\"hosts\":2,\"hosts_down\":1,\"open\":1,\"closed\":1,\"filtered\":1,"
	    "\"probes_sent\":5,\"rate_pps\":1000.0,\"pcap_received\":0,\"pcap_dropped\":0,"
	    "\"if_dropped\":0,\"passes\":2,\"seed\":12345,\"shard\":\"1/1\",\"interrupted\":false}}\n",
	    idx);
#undef ADD
	assert_true(n < 8192);
	free(tls);
	return out;
}

static void test_envelope_exact_bytes_each_record_type(void **state)
{
	struct run_info ri = run_info("scan-01", 0);
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got, *want;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_hec_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	feed(w);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	want = expected_scan("", 0);
	assert_text(got, want);
	free(got);
	free(want);
	unlink(path);
}

static void test_envelope_with_index(void **state)
{
	struct run_info ri = run_info("scan-01", 0);
	char path[64], err[PORTUS_ERRLEN];
	struct line_sink *sink;
	struct writer *w;
	char *got, *want;

	(void)state;
	temp_path(path, sizeof(path));
	sink = line_sink_file(path, err, sizeof(err));
	assert_non_null(sink);
	w = hec_writer_new(sink, &ri, "net_sec-1", 0, err, sizeof(err));
	assert_non_null(w);
	feed(w);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	want = expected_scan(",\"index\":\"net_sec-1\"", 0);
	assert_text(got, want);
	free(got);
	free(want);
	unlink(path);
}

static void test_envelope_open_only_skips_closed_and_down(void **state)
{
	struct run_info ri = run_info("scan-01", 1);
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got, *want;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_hec_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	feed(w);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	want = expected_scan("", 1);
	assert_text(got, want);
	free(got);
	free(want);
	unlink(path);
}

static void envelope_of(int64_t t, const char *host, const char *index, const char *want)
{
	struct strbuf b;

	sb_init(&b);
	hec_envelope_begin(&b, t, host, "portus:port", index);
	assert_false(b.oom);
	assert_text(b.p, want);
	sb_free(&b);
}

static void test_envelope_time_and_host(void **state)
{
	char longname[200], want[512];

	(void)state;
	envelope_of(0, "h", NULL,
		    "{\"time\":0.000000,\"host\":\"h\",\"source\":\"portus\","
		    "\"sourcetype\":\"portus:port\",\"event\":");
	envelope_of(1999999, "h", NULL,
		    "{\"time\":1.999999,\"host\":\"h\",\"source\":\"portus\","
		    "\"sourcetype\":\"portus:port\",\"event\":");
	envelope_of(-1500000, "h", NULL,
		    "{\"time\":-1.500000,\"host\":\"h\",\"source\":\"portus\","
		    "\"sourcetype\":\"portus:port\",\"event\":");
	/* quotes and controls escaped, invalid UTF-8 replaced */
	envelope_of(T0, "a\"b\x01\xff", "main",
		    "{\"time\":1732352400.123456,\"host\":\"a\\\"b\\u0001\xef\xbf\xbd\","
		    "\"source\":\"portus\",\"sourcetype\":\"portus:port\",\"index\":\"main\","
		    "\"event\":");
	/* cut to 64 bytes, not inside a UTF-8 character (63 x 'a' + "é") */
	memset(longname, 'a', 63);
	memcpy(longname + 63, "\xc3\xa9zzzz", 7);
	snprintf(want, sizeof(want),
		 "{\"time\":0.000000,\"host\":\"%.63s\",\"source\":\"portus\","
		 "\"sourcetype\":\"portus:port\",\"event\":",
		 longname);
	envelope_of(0, longname, NULL, want);
}

static void test_envelope_host_falls_back_to_scanner_address(void **state)
{
	struct run_info ri = run_info("", 0);
	struct host_record h = hrec(IP(198, 18, 0, 1), 1);
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_hec_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->host(w, &h), 0);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_non_null(strstr(got, ",\"host\":\"198.18.0.2\","));
	free(got);
	unlink(path);
}

#define HEC6_PREFIX                                                                                \
	"{\"time\":1732352400.123456,\"host\":\"scan-01\",\"source\":\"portus\","                  \
	"\"sourcetype\":\"portus:port\",\"event\":{\"type\":\"port\",\"ip\":\"2001:db8::1\","      \
	"\"port\":443,\"proto\":\"tcp\",\"state\":\"filtered\",\"reason\":\"no-route\","           \
	"\"ttl\":63,\"reason_ip\":\"2001:db8:0:1::fe\",\"time\":\"" T0_STR "\"}}\n"                \
	"{\"time\":1732352400.123457,\"host\":\"scan-01\",\"source\":\"portus\","                  \
	"\"sourcetype\":\"portus:host\",\"event\":{\"type\":\"host\",\"ip\":\"2001:db8::1\","      \
	"\"state\":\"up\",\"reason\":\"nd-response\",\"time\":\"2024-11-23T09:00:00.123457Z\"}}\n" \
	"{\"time\":1732352400.125456,\"host\":\"scan-01\",\"source\":\"portus\","                  \
	"\"sourcetype\":\"portus:tls\",\"event\":{\"type\":\"tls\",\"ip\":\"2001:db8::1\","        \
	"\"port\":443,"

/* IPv6 records: the event is the native record (RFC 5952 addresses); an
 * IPv6-only run without a host name names its IPv6 source as the host. */
static void test_envelope_ipv6_records(void **state)
{
	struct run_info ri = run_info("scan-01", 0);
	struct port_record p = prec(443, PS_FILTERED, R_NO_ROUTE, 63);
	struct host_record h = hrec(0, 1);
	struct tls_result t;
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	p.ip = A6("2001:db8::1");
	p.reason_ip = A6("2001:db8:0:1::fe");
	h.ip = A6("2001:db8::1");
	h.reason = R_ND_RESPONSE;
	refused_tls(&t);
	t.ip = A6("2001:db8::1");
	temp_path(path, sizeof(path));
	w = writer_hec_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->port(w, &p), 0);
	assert_int_equal(w->ops->host(w, &h), 0);
	assert_int_equal(w->ops->tls(w, &t), 0);
	assert_int_equal(w->ops->close(w), 0);
	tls_result_free(&t);
	got = slurp_path(path);
	if (strncmp(got, HEC6_PREFIX, strlen(HEC6_PREFIX)) != 0)
		fail_msg("got: %s", got);
	free(got);

	ri = run_info("", 0);
	ri.scanner_ip = 0;
	ri.scanner_ip6 = A6("2001:db8::53");
	w = writer_hec_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->ops->host(w, &h), 0);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_non_null(strstr(got, ",\"host\":\"2001:db8::53\","));
	free(got);
	unlink(path);
}

/* The worst TLS record tls_json allows, in the worst envelope: below 10,000. */
static void test_envelope_stays_under_splunk_truncate(void **state)
{
	static const unsigned char fill[] = { 0x01, '"', 0xff };
	char host[256], index[HEC_INDEX_MAX + 1];
	struct tls_result r;
	struct strbuf b;

	(void)state;
	memset(index, 'z', HEC_INDEX_MAX);
	index[HEC_INDEX_MAX] = '\0';
	assert_true(hec_index_valid(index));
	/* k / 3: the longest IPv4 address, then the longest IPv6 one. */
	for (size_t k = 0; k < 2 * sizeof(fill); k++) {
		memset(host, fill[k % sizeof(fill)], sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		memset(&r, 0, sizeof(r));
		r.ip = k < sizeof(fill) ? addr_from_v4(0xffffffffu)
					: A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
		r.port = 65535;
		r.outcome = TLS_ERROR;
		memset(r.sni, fill[k % sizeof(fill)], sizeof(r.sni) - 1);
		memset(r.detail, fill[k % sizeof(fill)], sizeof(r.detail) - 1);
		memset(r.verify_error, fill[k % sizeof(fill)], sizeof(r.verify_error) - 1);
		r.end_us = INT64_MAX;
		r.certs.pem = malloc(20001);
		assert_non_null(r.certs.pem);
		memset(r.certs.pem, 'A', 20000);
		r.certs.pem[20000] = '\0';
		sb_init(&b);
		hec_envelope_begin(&b, INT64_MAX, host, "portus:summary", index);
		assert_true(b.len <= HEC_ENVELOPE_MAX);
		tls_json_format(&b, &r);
		sb_puts(&b, "}");
		assert_valid_record(&b);
		assert_true(b.len + 1 < 10000);
		assert_true(b.len <= HEC_ENVELOPE_MAX + TLS_JSON_MAX_RECORD);
		sb_free(&b);
		tls_result_free(&r);
	}
}

static void test_index_names(void **state)
{
	(void)state;
	assert_true(hec_index_valid("main"));
	assert_true(hec_index_valid("net_sec-2"));
	assert_true(hec_index_valid("_internal"));
	assert_false(hec_index_valid(""));
	assert_false(hec_index_valid("-x"));
	assert_false(hec_index_valid("Main"));
	assert_false(hec_index_valid("a b"));
	assert_false(hec_index_valid("a\"b"));
	assert_false(hec_index_valid(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

/* ---- URL ---- */

static void test_url_parses_good_urls(void **state)
{
	static const struct {
		const char *url;
		int https, family;
		const char *host;
		unsigned port;
		const char *authority, *target, *display;
	} good[] = {
		{ "http://127.0.0.1", 0, AF_INET, "127.0.0.1", 8088, "127.0.0.1:8088",
		  "/services/collector/event", "http://127.0.0.1:8088/services/collector/event" },
		{ "https://splunk.example.com:8443/", 1, 0, "splunk.example.com", 8443,
		  "splunk.example.com:8443", "/services/collector/event",
		  "https://splunk.example.com:8443/services/collector/event" },
		{ "HTTPS://hec-1.example:443/services/collector", 1, 0, "hec-1.example", 443,
		  "hec-1.example", "/services/collector",
		  "https://hec-1.example/services/collector" },
		{ "http://[::1]:9000/services/collector/event?channel=abc", 0, AF_INET6, "::1",
		  9000, "[::1]:9000", "/services/collector/event?channel=abc",
		  "http://[::1]:9000/services/collector/event" },
		{ "http://[2001:db8::1]", 0, AF_INET6, "2001:db8::1", 8088, "[2001:db8::1]:8088",
		  "/services/collector/event",
		  "http://[2001:db8::1]:8088/services/collector/event" },
		{ "http://host:80?x=1", 0, 0, "host", 80, "host", "/services/collector/event?x=1",
		  "http://host/services/collector/event" },
		{ "http://a.b.c.:65535/p/q", 0, 0, "a.b.c.", 65535, "a.b.c.:65535", "/p/q",
		  "http://a.b.c.:65535/p/q" },
	};
	char err[PORTUS_ERRLEN];
	struct http_url u;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (http_url_parse(good[i].url, "/services/collector/event", 8088, &u, err,
				   sizeof(err)) != 0)
			fail_msg("%s: rejected: %s", good[i].url, err);
		assert_int_equal(u.https, good[i].https);
		assert_int_equal(u.host_family, good[i].family);
		assert_string_equal(u.host, good[i].host);
		assert_int_equal(u.port, good[i].port);
		assert_string_equal(u.authority, good[i].authority);
		assert_string_equal(u.target, good[i].target);
		assert_string_equal(u.display, good[i].display);
	}
}

static void test_url_rejects_bad_urls(void **state)
{
	static const struct {
		const char *url, *why;
	} bad[] = {
		{ "ftp://h", "expected http:// or https://" },
		{ "h:8088", "expected http:// or https://" },
		{ "http://", "empty host" },
		{ "http:///path", "empty host" },
		{ "http://:8088", "empty host" },
		{ "http://h:", "empty port after ':'" },
		{ "http://h:0", "port must be a number from 1 to 65535" },
		{ "http://h:65536", "port must be a number from 1 to 65535" },
		{ "http://h:80a", "port must be a number from 1 to 65535" },
		{ "http://h:-1", "port must be a number from 1 to 65535" },
		{ "http://user:pw@h",
		  "user information (user@) is not allowed; give the token with --hec-token" },
		{ "http://h /x", "URL contains a space, control or non-ASCII byte" },
		{ "http://h/x\n", "URL contains a space, control or non-ASCII byte" },
		{ "http://h\xc3\xa9", "URL contains a space, control or non-ASCII byte" },
		{ "http://h/#frag", "a fragment (#) is not allowed" },
		{ "http://h/<x>", "character '<' is not allowed in a URL" },
		{ "http://[::1", "unterminated [IPv6 address]" },
		{ "http://[::g]", "not an IPv6 address in [ ]" },
		{ "http://[fe80::1%eth0]", "not an IPv6 address in [ ]" },
		{ "http://[::1]x", "unexpected characters after the host" },
		{ "http://256.1.1.1", "host is not a valid IPv4 address" },
		{ "http://1.2.3", "host is not a valid IPv4 address" },
		{ "http://a..b", "empty label in the host name" },
		{ "http://a!b", "bad character '!' in the host" },
	};
	char err[PORTUS_ERRLEN], longurl[HTTP_URL_MAX + 16];
	struct http_url u;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (http_url_parse(bad[i].url, "/d", 8088, &u, err, sizeof(err)) == 0)
			fail_msg("accepted [%s]", bad[i].url);
		if (strcmp(err, bad[i].why) != 0)
			fail_msg("[%s]: got \"%s\", want \"%s\"", bad[i].url, err, bad[i].why);
	}
	memcpy(longurl, "http://h/", 9);
	memset(longurl + 9, 'p', sizeof(longurl) - 10);
	longurl[sizeof(longurl) - 1] = '\0';
	assert_int_equal(http_url_parse(longurl, "/d", 8088, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "URL longer than 2048 bytes");
}

static void test_sink_open_rejects_bad_input(void **state)
{
	struct hec_target t = { .url = "http://127.0.0.1:1", .token = TOKEN };
	char err[PORTUS_ERRLEN];

	(void)state;
	t.url = "http://h:99999";
	assert_null(hec_http_sink_open(&t, err, sizeof(err)));
	assert_string_equal(err, "--hec-url http://h:99999: port must be a number from 1 to 65535");
	t.url = "http://127.0.0.1:1";
	t.token = "a\x01";
	assert_null(hec_http_sink_open(&t, err, sizeof(err)));
	assert_string_equal(err, "--hec-token: must be printable ASCII without spaces");
	t.token = TOKEN;
	t.index = "Bad Index";
	assert_null(hec_http_sink_open(&t, err, sizeof(err)));
	assert_string_equal(
		err, "--hec-index Bad Index: expected 1-80 lowercase letters, digits, '_' or '-'");
	t.index = NULL;
	t.url = "https://127.0.0.1:1";
	t.ca_file = "/nonexistent/ca.pem";
	assert_null(hec_http_sink_open(&t, err, sizeof(err)));
	assert_string_equal(err, "HEC https://127.0.0.1:1/services/collector/event: "
				 "/nonexistent/ca.pem: cannot load CA certificates");
	/* a file that holds no certificate */
	{
		char path[64], want[256];
		FILE *f;

		temp_path(path, sizeof(path));
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", f);
		fclose(f);
		t.ca_file = path;
		assert_null(hec_http_sink_open(&t, err, sizeof(err)));
		snprintf(want, sizeof(want),
			 "HEC https://127.0.0.1:1/services/collector/event: %s: cannot load CA "
			 "certificates",
			 path);
		assert_string_equal(err, want);
		unlink(path);
	}
}

/* ---- HEC replies ---- */

static void test_reply_parse(void **state)
{
	static const struct {
		const char *body;
		int rc, code;
		const char *text;
	} cases[] = {
		{ "{\"text\":\"Success\",\"code\":0}", 0, 0, "Success" },
		{ " { \"code\" : 4 , \"text\" : \"Invalid token\" } ", 0, 4, "Invalid token" },
		{ "{\"text\":\"Incorrect index\",\"code\":7,\"invalid-event-number\":1}", 0, 7,
		  "Incorrect index" },
		/* nested members are not the reply's; escapes decoded exactly */
		{ "{\"x\":{\"text\":\"no\",\"a\":[1,{\"b\":\"]\"}]},\"text\":\"a\\\"b\\u00e9\\n\"}",
		  0, -1, "a\"b\xc3\xa9\n" },
		/* a code that is not an integer from 0 to INT_MAX is no code */
		{ "{\"code\":99999999999}", -1, -1, "" },
		{ "{\"code\":-1,\"text\":\"t\"}", 0, -1, "t" },
		{ "{\"code\":1.5}", -1, -1, "" },
		{ "{\"code\":\"4\",\"text\":5}", -1, -1, "" },
		{ "", -1, -1, "" },
		{ "<html>busy</html>", -1, -1, "" },
		{ "[{\"code\":0}]", -1, -1, "" },
		{ "{\"text\":\"unterminated", -1, -1, "" },
		{ "{\"other\":1}", -1, -1, "" },
		{ "{\"text\":\"x\\", -1, -1, "" },
		/* strict: trailing bytes, a repeated key, bad UTF-8 are not a reply */
		{ "{\"code\":0} x", -1, -1, "" },
		{ "{\"code\":0,\"code\":4}", -1, -1, "" },
		{ "{\"text\":\"\xff\",\"code\":4}", -1, -1, "" },
	};
	char text[16];
	int code;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = hec_reply_parse(cases[i].body, strlen(cases[i].body), &code, text,
					 sizeof(text));

		if (rc != cases[i].rc)
			fail_msg("[%s]: rc %d", cases[i].body, rc);
		assert_int_equal(code, cases[i].code);
		assert_string_equal(text, cases[i].text);
	}
	/* Bytes that are not JSON where a value should be (a NUL, a stray
	 * byte), at the top level and nested: an error, never a hang. */
	{
		static const char nul_nested[] = "{\"a\":[\0]}";
		static const char nul_top[] = "{\"a\":\0,\"code\":0}";
		static const char stray[] = "{\"a\":{\"b\":[1,@]},\"code\":0}";

		assert_int_equal(hec_reply_parse(nul_nested, sizeof(nul_nested) - 1, &code, text,
						 sizeof(text)),
				 -1);
		assert_int_equal(
			hec_reply_parse(nul_top, sizeof(nul_top) - 1, &code, text, sizeof(text)),
			-1);
		assert_int_equal(
			hec_reply_parse(stray, sizeof(stray) - 1, &code, text, sizeof(text)), -1);
	}
	/* long text cut to the buffer */
	assert_int_equal(hec_reply_parse("{\"text\":\"0123456789abcdefghij\"}", 31, &code, text,
					 sizeof(text)),
			 0);
	assert_string_equal(text, "0123456789abcde");
}

/* ---- a scripted HEC server on 127.0.0.1, in a thread ---- */

#define MAX_REQ 64

struct reply {
	const char *text; /* whole response; NULL: never answer */
	int close_after;  /* close the connection after this response */
	int delay_ms;
};

struct server {
	int lfd;
	uint16_t port;
	const struct reply *script;
	size_t nscript;
	pthread_t thread;
	pthread_mutex_t mu;
	int stop;
	size_t nreq;
	char *head[MAX_REQ]; /* request line and headers */
	char *body[MAX_REQ];
	size_t body_len[MAX_REQ];
	int conn_of[MAX_REQ]; /* which accepted connection carried it */
	int conns;
};

static int srv_stopping(struct server *s)
{
	int st;

	pthread_mutex_lock(&s->mu);
	st = s->stop;
	pthread_mutex_unlock(&s->mu);
	return st;
}

/* Waits up to 50 ms for fd; 1 ready, 0 not yet, -1 stopping. */
static int srv_wait(struct server *s, int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (srv_stopping(s))
		return -1;
	return poll(&p, 1, 50) > 0 ? 1 : 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Serves one connection; returns when the client closes, the script closes or stop. */
static void srv_conn(struct server *s, int fd, int conn)
{
	char buf[1 << 16];
	size_t len = 0;

	for (;;) {
		char *end;
		size_t hl, cl = 0;
		const char *clh;
		ssize_t n;
		int w = srv_wait(s, fd);
		const struct reply *r;
		size_t i;

		if (w < 0)
			return;
		if (w == 0)
			continue;
		n = recv(fd, buf + len, sizeof(buf) - len - 1, 0);
		if (n <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
		while ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			hl = (size_t)(end - buf) + 4;
			clh = strstr(buf, "Content-Length: ");
			if (clh != NULL && clh < end)
				cl = strtoul(clh + 16, NULL, 10);
			if (len < hl + cl)
				break;
			pthread_mutex_lock(&s->mu);
			i = s->nreq < MAX_REQ ? s->nreq++ : MAX_REQ - 1;
			free(s->head[i]);
			free(s->body[i]);
			s->head[i] = strndup(buf, hl);
			s->body[i] = malloc(cl + 1);
			memcpy(s->body[i], buf + hl, cl);
			s->body[i][cl] = '\0';
			s->body_len[i] = cl;
			s->conn_of[i] = conn;
			pthread_mutex_unlock(&s->mu);
			memmove(buf, buf + hl + cl, len - hl - cl);
			len -= hl + cl;
			buf[len] = '\0';
			r = &s->script[i < s->nscript ? i : s->nscript - 1];
			if (r->delay_ms > 0)
				sleep_ms(r->delay_ms);
			if (r->text == NULL)
				continue; /* silent: the client times out */
			if (send(fd, r->text, strlen(r->text), MSG_NOSIGNAL) < 0 || r->close_after)
				return;
		}
	}
}

static void *srv_main(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int w = srv_wait(s, s->lfd), fd;

		if (w < 0)
			break;
		if (w == 0 || (fd = accept(s->lfd, NULL, NULL)) < 0)
			continue;
		pthread_mutex_lock(&s->mu);
		s->conns++;
		pthread_mutex_unlock(&s->mu);
		srv_conn(s, fd, s->conns);
		close(fd);
	}
	return NULL;
}

static void srv_start(struct server *s, const struct reply *script, size_t n)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->script = script;
	s->nscript = n;
	pthread_mutex_init(&s->mu, NULL);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->lfd >= 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 8), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, srv_main, s), 0);
}

static void srv_stop(struct server *s)
{
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	close(s->lfd);
}

/* After the checks: what the server recorded. */
static void srv_free(struct server *s)
{
	for (size_t i = 0; i < MAX_REQ; i++) {
		free(s->head[i]);
		free(s->body[i]);
	}
	pthread_mutex_destroy(&s->mu);
}

#define R200 \
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"text\":\"Success\",\"code\":0}"
#define R503 \
	"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 34\r\n\r\n{\"text\":\"Server is busy\",\"code\":9}"
#define R403 \
	"HTTP/1.1 403 Forbidden\r\nContent-Length: 33\r\n\r\n{\"text\":\"Invalid token\",\"code\":4}"
#define R200_CHUNKED                                            \
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" \
	"5;x=y\r\n{\"tex\r\n16\r\nt\":\"Success\",\"code\":0}\r\n0\r\n\r\n"
#define R200_CLOSE \
	"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 27\r\n\r\n{\"text\":\"Success\",\"code\":0}"

/* Runs fn with stderr going to a file; returns what was written there. */
static int stderr_fd = -1;
static char stderr_path[64];

static void capture_stderr(void)
{
	int fd;

	temp_path(stderr_path, sizeof(stderr_path));
	fflush(stderr);
	stderr_fd = dup(2);
	fd = open(stderr_path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
}

static char *captured_stderr(void)
{
	char *s;

	fflush(stderr);
	dup2(stderr_fd, 2);
	close(stderr_fd);
	s = slurp_path(stderr_path);
	unlink(stderr_path);
	return s;
}

static struct line_sink *sink_on(const struct server *s, const char *host,
				 const struct hec_tuning *tune)
{
	char url[64], err[PORTUS_ERRLEN];
	struct hec_target t = { .url = url, .token = TOKEN };
	struct line_sink *k;

	snprintf(url, sizeof(url), "http://%s:%u", host, (unsigned)s->port);
	k = hec_http_sink_open_tuned(&t, tune, err, sizeof(err));
	if (k == NULL)
		fail_msg("sink: %s", err);
	return k;
}

static struct line_sink *sink_for(const struct server *s, const struct hec_tuning *tune)
{
	return sink_on(s, "127.0.0.1", tune);
}

static struct hec_tuning fast(void)
{
	struct hec_tuning t;

	hec_tuning_default(&t);
	t.backoff_ms = 20;
	t.timeout_ms = 2000;
	return t;
}

static void test_sink_retries_503_then_delivers(void **state)
{
	static const struct reply script[] = { { R503, 0, 0 }, { R200, 0, 0 } };
	static const char lines[] = "{\"a\":1}\n{\"b\":2}\n";
	struct hec_tuning tune = fast();
	struct server s;
	struct line_sink *k;
	char want_head[512];

	(void)state;
	srv_start(&s, script, 2);
	k = sink_for(&s, &tune);
	assert_int_equal(k->write(k, lines, 8), 0);
	assert_int_equal(k->write(k, lines + 8, 8), 0);
	assert_int_equal(k->close(k), 0);
	srv_stop(&s);
	/* Both writes were queued before the sender took them (one body), or not:
	 * either way every event arrived once, in order, after one 503. */
	assert_true(s.nreq >= 2 && s.nreq <= 3);
	snprintf(want_head, sizeof(want_head),
		 "POST /services/collector/event HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
		 "User-Agent: portus/" PORTUS_VERSION "\r\nAuthorization: Splunk " TOKEN "\r\n"
		 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		 (unsigned)s.port, s.body_len[0]);
	assert_text(s.head[0], want_head);
	assert_string_equal(s.body[0], s.body[1]); /* the retry resends the same batch */
	if (s.nreq == 2) {
		assert_string_equal(s.body[1], lines);
	} else {
		assert_string_equal(s.body[1], "{\"a\":1}\n");
		assert_string_equal(s.body[2], "{\"b\":2}\n");
	}
	/* 503 without Connection: close: the retry reused the connection */
	assert_int_equal(s.conn_of[0], s.conn_of[1]);
	assert_int_equal(s.conns, 1);
	srv_free(&s);
}

/* http_proxy and friends in the environment are not used: the POST goes to
 * the collector itself. */
static void test_sink_ignores_proxy_environment(void **state)
{
	static const struct reply script[] = { { R200, 0, 0 } };
	static const char *const vars[] = { "http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy" };
	struct hec_tuning tune = fast();
	struct server s;
	struct line_sink *k;

	(void)state;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		setenv(vars[i], "http://127.0.0.1:1", 1);
	srv_start(&s, script, 1);
	k = sink_for(&s, &tune);
	assert_int_equal(k->write(k, "{\"a\":1}\n", 8), 0);
	assert_int_equal(k->close(k), 0);
	srv_stop(&s);
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	assert_int_equal(s.nreq, 1);
	assert_string_equal(s.body[0], "{\"a\":1}\n");
	srv_free(&s);
}

static void test_sink_403_is_reported_once_and_fails_close(void **state)
{
	static const struct reply script[] = { { R403, 0, 0 } };
	struct hec_tuning tune = fast();
	struct server s;
	struct line_sink *k;
	char *err, want[256];

	(void)state;
	srv_start(&s, script, 1);
	capture_stderr();
	k = sink_for(&s, &tune);
	assert_int_equal(k->write(k, "{\"a\":1}\n", 8), 0);
	sleep_ms(200); /* the sender meets the 403 */
	/* later lines are not posted, and write() does not fail the scan */
	assert_int_equal(k->write(k, "{\"b\":2}\n{\"c\":3}\n", 16), 0);
	assert_int_equal(k->close(k), -1);
	err = captured_stderr();
	srv_stop(&s);
	assert_int_equal(s.nreq, 1); /* permanent: no retry */
	snprintf(
		want, sizeof(want),
		"portus: HEC http://127.0.0.1:%u/services/collector/event: 403 Invalid token\n"
		"portus: HEC http://127.0.0.1:%u/services/collector/event: 3 of 3 events not delivered\n",
		(unsigned)s.port, (unsigned)s.port);
	assert_text(err, want);
	assert_null(strstr(err, TOKEN));
	free(err);
	srv_free(&s);
}

static void test_sink_batches_while_the_collector_is_slow(void **state)
{
	static const struct reply script[] = { { R200, 0, 300 }, { R200_CHUNKED, 0, 0 } };
	struct hec_tuning tune = fast();
	struct server s;
	struct line_sink *k;
	char line[64], want[8192];
	size_t n = 0;

	(void)state;
	srv_start(&s, script, 2);
	k = sink_on(&s, "localhost", &tune); /* a name: /etc/hosts, no DNS traffic */
	for (int i = 0; i < 100; i++) {
		int l = snprintf(line, sizeof(line), "{\"n\":%d}\n", i);

		assert_int_equal(k->write(k, line, (size_t)l), 0);
		memcpy(want + n, line, (size_t)l);
		n += (size_t)l;
		if (i == 0)
			sleep_ms(100); /* the first is in flight, the rest pile up */
	}
	want[n] = '\0';
	assert_int_equal(k->close(k), 0);
	srv_stop(&s);
	assert_int_equal(s.nreq, 2); /* one event, then 99 stacked in one body */
	assert_string_equal(s.body[0], "{\"n\":0}\n");
	assert_string_equal(s.body[1], want + 8);
	assert_int_equal(s.conns, 1);
	srv_free(&s);
}

static void test_sink_reconnects_after_close(void **state)
{
	static const struct reply script[] = { { R200_CLOSE, 1, 0 },
					       { R200, 1, 0 },
					       { R200, 0, 0 } };
	struct hec_tuning tune = fast();
	struct server s;
	struct line_sink *k;

	(void)state;
	srv_start(&s, script, 3);
	k = sink_for(&s, &tune);
	/* 1: the server says Connection: close; 2: it closes without saying so
	 * (the idle connection is found closed and replaced at once); 3: reused */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(k->write(k, "{\"a\":1}\n", 8), 0);
		sleep_ms(150);
	}
	assert_int_equal(k->close(k), 0);
	srv_stop(&s);
	assert_int_equal(s.nreq, 3);
	assert_int_equal(s.conns, 3);
	srv_free(&s);
}

static void test_sink_queue_cap_waits_instead_of_dropping(void **state)
{
	static const struct reply script[] = { { R200, 0, 20 } };
	struct hec_tuning tune = fast();
	struct server s;
	struct line_sink *k;
	size_t events = 0;

	(void)state;
	tune.queue_max = 64;
	tune.batch_max = 32;
	srv_start(&s, script, 1);
	k = sink_for(&s, &tune);
	for (int i = 0; i < 20; i++) /* 2 lines of 10 bytes a write */
		assert_int_equal(k->write(k, "{\"n\":123}\n{\"n\":456}\n", 20), 0);
	assert_int_equal(k->close(k), 0);
	srv_stop(&s);
	for (size_t i = 0; i < s.nreq; i++) {
		assert_true(s.body_len[i] <= 32);
		events += s.body_len[i] / 10;
	}
	assert_int_equal(events, 40);
	srv_free(&s);
}

static void test_sink_close_drain_is_bounded(void **state)
{
	static const struct reply script[] = { { NULL, 0, 0 } };
	struct hec_tuning tune = fast();
	struct server s;
	struct line_sink *k;
	struct timespec t0, t1;
	char *err;
	double el;

	(void)state;
	tune.timeout_ms = 10000;
	tune.drain_ms = 300;
	srv_start(&s, script, 1);
	capture_stderr();
	k = sink_for(&s, &tune);
	assert_int_equal(k->write(k, "{\"a\":1}\n", 8), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(k->close(k), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	err = captured_stderr();
	srv_stop(&s);
	el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(el >= 0.25 && el < 2.0);
	assert_non_null(strstr(err, ": 1 of 1 events not delivered\n"));
	free(err);
	srv_free(&s);
}

static void test_sink_gives_up_after_attempts(void **state)
{
	struct hec_tuning tune = fast();
	struct hec_target t = { .url = NULL, .token = TOKEN };
	struct line_sink *k;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char url[64], errb[PORTUS_ERRLEN], *err;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	/* a port nobody listens on: bound, never listening */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)ntohs(a.sin_port));
	t.url = url;
	tune.attempts = 3;
	capture_stderr();
	k = hec_http_sink_open_tuned(&t, &tune, errb, sizeof(errb));
	assert_non_null(k);
	assert_int_equal(k->write(k, "{\"a\":1}\n{\"b\":1}\n", 16), 0);
	assert_int_equal(k->close(k), -1);
	err = captured_stderr();
	close(fd);
	assert_non_null(strstr(err, "/x: cannot connect to 127.0.0.1:"));
	assert_non_null(
		strstr(err, ": Connection refused; gave up on 2 events after 3 attempts\n"));
	assert_non_null(strstr(err, "/x: 2 of 2 events not delivered\n"));
	assert_int_equal(count_of(err, "\n"), 2);
	free(err);
}

/* Hostile or odd answers: each is read within its bounds and judged. A
 * protocol error is libcurl's to word; what is checked is the verdict (sent,
 * retried then given up, stopped at once), the number of requests it cost and
 * that stderr holds exactly the expected lines. */
#define GAVE_UP "; gave up on 1 events after 2 attempts\n"
static void test_sink_judges_odd_responses(void **state)
{
	static char long_line[20100], many_headers[100000], big_body[(3 << 19) + 128];
	static const struct {
		const char *resp;
		int close_after, rc;
		size_t nreq;
		const char *msg; /* in stderr ("" for none) */
	} cases[] = {
		{ "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0,
		  1, "" },
		{ "HTTP/1.0 200 OK\r\n\r\n{\"text\":\"Success\",\"code\":0}", 1, 0, 1, "" },
		{ "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 1, "" },
		{ "garbage\r\n\r\n", 0, -1, 2, GAVE_UP },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 35\r\n\r\n{\"text\":\"Incorrect index\",\"code\":7}",
		  0, -1, 1, ": 200 Incorrect index (HEC code 7)\n" },
		{ "HTTP/1.1 400 Bad\x01Request\r\nContent-Length: 0\r\n\r\n", 0, -1, 1,
		  ": 400 Bad?Request\n" },
		/* the text decoded strictly (U+FFFD for \u0000), shown byte by byte */
		{ "HTTP/1.1 401 Unauthorized\r\nContent-Length: 31\r\n\r\n{\"text\":\"a\\u0000\\nb\x7f\",\"code\":2}",
		  0, -1, 1, ": 401 a????b?\n" },
		/* not a HEC reply (trailing bytes): the reason phrase */
		{ "HTTP/1.1 403 Nope\r\nContent-Length: 12\r\n\r\n{\"code\":4} x", 0, -1, 1,
		  ": 403 Nope\n" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, -1, 2,
		  GAVE_UP },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nshort", 1, -1, 2, GAVE_UP },
		/* a header line that never ends: the stall timeout */
		{ long_line, 0, -1, 2, ": timed out (1 s)" GAVE_UP },
		/* more header bytes than HTTP_HEADERS_MAX */
		{ many_headers, 0, -1, 2, ": response headers longer than 65536 bytes" GAVE_UP },
		/* a body past HTTP_BODY_MAX (3 MiB announced, 1.5 MiB sent, then
		 * silence): judged on its start at once, not waited for */
		{ big_body, 0, 0, 1, "" },
	};
	struct hec_tuning tune = fast();
	size_t n = 0;

	(void)state;
	memcpy(long_line, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(long_line + 20, 'a', sizeof(long_line) - 21);
	n = (size_t)snprintf(many_headers, sizeof(many_headers), "HTTP/1.1 200 OK\r\n");
	while (n < 70000)
		n += (size_t)snprintf(many_headers + n, sizeof(many_headers) - n,
				      "X-Pad: %0200d\r\n", 0);
	snprintf(many_headers + n, sizeof(many_headers) - n, "Content-Length: 0\r\n\r\n");
	n = (size_t)snprintf(big_body, sizeof(big_body),
			     "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
			     "{\"text\":\"Success\",\"code\":0}",
			     3 << 20);
	memset(big_body + n, ' ', sizeof(big_body) - n - 1);
	tune.attempts = 2;
	tune.timeout_ms = 1000;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reply script[1] = { { cases[i].resp, cases[i].close_after, 0 } };
		size_t lines = cases[i].rc == 0 ? 0 : 2;
		struct server s;
		struct line_sink *k;
		char *err;
		int rc;

		srv_start(&s, script, 1);
		capture_stderr();
		k = sink_for(&s, &tune);
		assert_int_equal(k->write(k, "{\"a\":1}\n", 8), 0);
		rc = k->close(k);
		err = captured_stderr();
		srv_stop(&s);
		if (rc != cases[i].rc || s.nreq != cases[i].nreq || count_of(err, "\n") != lines ||
		    (cases[i].msg[0] != '\0' && strstr(err, cases[i].msg) == NULL))
			fail_msg("case %zu: rc %d, %zu requests, stderr [%s]", i, rc, s.nreq, err);
		free(err);
		srv_free(&s);
	}
}

/* The whole writer on the HTTP sink: the same bytes as the file writer. */
static void test_http_writer_posts_the_file_writers_bytes(void **state)
{
	static const struct reply script[] = { { R200, 0, 0 } };
	struct run_info ri = run_info("scan-01", 0);
	struct server s;
	char url[64], err[PORTUS_ERRLEN];
	struct hec_target t = { .url = url, .token = TOKEN };
	struct writer *w;
	char *want;
	struct strbuf all;

	(void)state;
	srv_start(&s, script, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)s.port);
	w = writer_hec_http_open(&t, &ri, err, sizeof(err));
	assert_non_null(w);
	feed(w);
	assert_int_equal(w->ops->close(w), 0);
	srv_stop(&s);
	sb_init(&all);
	for (size_t i = 0; i < s.nreq; i++)
		sb_append(&all, s.body[i], s.body_len[i]);
	want = expected_scan("", 0);
	assert_text(all.p, want);
	free(want);
	sb_free(&all);
	srv_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope_exact_bytes_each_record_type),
		cmocka_unit_test(test_envelope_with_index),
		cmocka_unit_test(test_envelope_open_only_skips_closed_and_down),
		cmocka_unit_test(test_envelope_time_and_host),
		cmocka_unit_test(test_envelope_host_falls_back_to_scanner_address),
		cmocka_unit_test(test_envelope_ipv6_records),
		cmocka_unit_test(test_envelope_stays_under_splunk_truncate),
		cmocka_unit_test(test_index_names),
		cmocka_unit_test(test_url_parses_good_urls),
		cmocka_unit_test(test_url_rejects_bad_urls),
		cmocka_unit_test(test_sink_open_rejects_bad_input),
		cmocka_unit_test(test_reply_parse),
		cmocka_unit_test(test_sink_retries_503_then_delivers),
		cmocka_unit_test(test_sink_ignores_proxy_environment),
		cmocka_unit_test(test_sink_403_is_reported_once_and_fails_close),
		cmocka_unit_test(test_sink_batches_while_the_collector_is_slow),
		cmocka_unit_test(test_sink_reconnects_after_close),
		cmocka_unit_test(test_sink_queue_cap_waits_instead_of_dropping),
		cmocka_unit_test(test_sink_close_drain_is_bounded),
		cmocka_unit_test(test_sink_gives_up_after_attempts),
		cmocka_unit_test(test_sink_judges_odd_responses),
		cmocka_unit_test(test_http_writer_posts_the_file_writers_bytes),
	};

	signal(SIGPIPE, SIG_IGN); /* as main does */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
