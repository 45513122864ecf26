/*
 * test_cef.c — CEF:0 lines (src/output/cef.c) and their RFC 5424 syslog
 * delivery (src/output/syslog.c): exact bytes of every record type, hostile
 * certificate strings read back through a strict CEF parser, the size cap,
 * --open, and the framing seen by UDP and TCP listeners on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/cef.h"
#include "portus.h"
#include "scan_record.h"
#include "strbuf.h"
#include "tls_hsts.h"
#include "tls_record.h"
#include "utf8.h"
#include "writer.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define T0 1732352400123456LL /* 2024-11-23T09:00:00.123456Z */
#define T0_MS "1732352400123"
#define T2026 1767225600LL /* 2026-01-01T00:00:00Z */
#define HDR "CEF:0|portus|portus|" PORTUS_VERSION "|"
#define COMMON(ms) "rt=" ms " dvchost=scan1 src=198.18.0.1"

static struct run_info make_ri(int open_only)
{
	struct run_info ri;

	memset(&ri, 0, sizeof(ri));
	ri.scanner_ip = IP(198, 18, 0, 1);
	snprintf(ri.ifname, sizeof(ri.ifname), "eth0");
	snprintf(ri.hostname, sizeof(ri.hostname), "scan1");
	ri.open_only = open_only;
	return ri;
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

/* A reply with the given TTL, or no reply at all when ttl < 0. */
static struct port_record prec6(ip_addr ip, uint16_t port, enum port_state st, enum reason why,
				int ttl, ip_addr reason_ip, uint16_t sport)
{
	struct port_record r;

	memset(&r, 0, sizeof(r));
	r.ip = ip;
	r.port = port;
	r.sport = sport;
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
			       int ttl, uint32_t reason_ip, uint16_t sport)
{
	return prec6(addr_from_v4(ip), port, st, why, ttl,
		     reason_ip != 0 ? addr_from_v4(reason_ip) : addr_zero(), sport);
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
	s.hosts_down = 1;
	s.open = 100;
	s.closed = 200;
	s.filtered = 327380;
	s.probes_sent = 982000;
	s.rate_pps = 102345.0;
	s.passes = 2;
	s.seed = 12345;
	s.shard_k = 1;
	s.shard_n = 1;
	return s;
}

/* ---- TLS records by hand (as tests/unit/test_tls_json.c) ---- */

static void bytes_set(struct tls_bytes *b, const void *p, size_t len)
{
	b->p = malloc(len + 1);
	assert_non_null(b->p);
	memcpy(b->p, p, len);
	b->p[len] = '\0';
	b->len = len;
}

static void make_ok_record(struct tls_result *r)
{
	struct tls_cert_info *c = &r->certs.leaf;

	memset(r, 0, sizeof(*r));
	r->ip = addr_from_v4(IP(198, 18, 0, 10));
	r->port = 443;
	strcpy(r->sni, "www.example.test");
	r->outcome = TLS_OK;
	strcpy(r->version, "TLSv1.3");
	strcpy(r->cipher, "TLS_AES_256_GCM_SHA384");
	r->verify_ok = 1;
	r->hostname_checked = 1;
	r->hostname_match = 1;
	r->certs.has_leaf = 1;
	bytes_set(&c->subject_dn, "CN=www.example.test", 19);
	bytes_set(&c->issuer_dn, "CN=Test CA", 10);
	c->not_before = T2026;
	c->not_after = T2026 + 90 * 86400;
	c->days_to_expiry = 89;
	for (int i = 0; i < 32; i++)
		c->sha256[i] = (uint8_t)i;
	r->versions_tested = TLS_V10 | TLS_V11 | TLS_V12 | TLS_V13;
	r->versions_accepted = TLS_V12 | TLS_V13;
	r->start_us = T2026 * 1000000;
	r->end_us = T2026 * 1000000 + 123456;
}

#define SHA_0_31 "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"

/* ---- a strict CEF reader (written from the spec, not from cef.c) ---- */

/* Length of the valid UTF-8 sequence at s[0..n) (utf8.h, checked against an
 * independent decoder in test_utf8.c), else 0; a C1 control counts as invalid
 * here: cef.c never writes one. */
static size_t cef_char_len(const unsigned char *s, size_t n)
{
	uint32_t cp = 0;
	size_t k = utf8_decode(s, n, &cp, NULL);

	return k > 0 && cp >= 0x80 && cp <= 0x9f ? 0 : k;
}

#define MAX_PAIRS 64

struct cef_rec {
	char hdr[7][128]; /* "CEF:0", vendor, product, version, signature, name, severity */
	size_t npairs;
	char key[MAX_PAIRS][32];
	char *val[MAX_PAIRS]; /* unescaped, owned */
	size_t vlen[MAX_PAIRS];
};

static void cef_rec_free(struct cef_rec *c)
{
	for (size_t i = 0; i < c->npairs; i++)
		free(c->val[i]);
	c->npairs = 0;
}

/* Unescapes p[0..n) of an extension value; fails on any other escape or a
 * bare '='. */
static char *ext_unescape(const char *p, size_t n, size_t *outlen)
{
	char *o = malloc(n + 1);
	size_t k = 0;

	assert_non_null(o);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=')
			fail_msg("unescaped '=' in a value: %.*s", (int)n, p);
		if (p[i] != '\\') {
			o[k++] = p[i];
			continue;
		}
		if (++i >= n)
			fail_msg("dangling backslash: %.*s", (int)n, p);
		switch (p[i]) {
		case '\\':
			o[k++] = '\\';
			break;
		case '=':
			o[k++] = '=';
			break;
		case 'n':
			o[k++] = '\n';
			break;
		case 'r':
			o[k++] = '\r';
			break;
		default:
			fail_msg("bad escape \\%c in %.*s", p[i], (int)n, p);
		}
	}
	o[k] = '\0';
	*outlen = k;
	return o;
}

/* Parses one line strictly: UTF-8, no controls, 7 header fields with only \\
 * and \| escapes, then key=value pairs. Fails the test on any violation. */
static void cef_parse(const char *line, size_t len, struct cef_rec *c)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i, f = 0, k = 0, ext, eq[MAX_PAIRS + 1], neq = 0;

	memset(c, 0, sizeof(*c));
	assert_true(len <= CEF_MAX_LINE);
	for (i = 0; i < len;) {
		size_t n = cef_char_len(s + i, len - i);

		if (n == 0 || s[i] < 0x20 || s[i] == 0x7f)
			fail_msg("byte 0x%02x at %zu is not allowed", s[i], i);
		i += n;
	}
	/* Header: split at unescaped '|'. */
	for (i = 0; i < len && f < 7; i++) {
		if (line[i] == '\\') {
			if (i + 1 >= len || (line[i + 1] != '\\' && line[i + 1] != '|'))
				fail_msg("bad header escape at %zu", i);
			assert_true(k + 1 < sizeof(c->hdr[f]));
			c->hdr[f][k++] = line[++i];
		} else if (line[i] == '|') {
			c->hdr[f][k] = '\0';
			f++;
			k = 0;
		} else {
			assert_true(k + 1 < sizeof(c->hdr[f]));
			c->hdr[f][k++] = line[i];
		}
	}
	assert_int_equal(f, 7);
	assert_string_equal(c->hdr[0], "CEF:0");
	ext = i;
	/* Extension: every unescaped '=' ends a key, which starts after a space
	 * (or at the start); a value runs to the space before the next key. */
	for (i = ext; i < len; i++) {
		if (line[i] == '\\')
			i++;
		else if (line[i] == '=') {
			assert_true(neq < MAX_PAIRS);
			eq[neq++] = i;
		}
	}
	for (size_t p = 0; p < neq; p++) {
		size_t kstart = eq[p], vstart = eq[p] + 1, vend;

		while (kstart > ext && line[kstart - 1] != ' ')
			kstart--;
		assert_true(kstart == ext || p > 0);
		assert_true(eq[p] - kstart > 0 && eq[p] - kstart < sizeof(c->key[0]));
		for (size_t j = kstart; j < eq[p]; j++)
			if (!((line[j] >= 'a' && line[j] <= 'z') ||
			      (line[j] >= 'A' && line[j] <= 'Z') ||
			      (line[j] >= '0' && line[j] <= '9')))
				fail_msg("bad key character '%c'", line[j]);
		memcpy(c->key[p], line + kstart, eq[p] - kstart);
		if (p + 1 < neq) {
			vend = eq[p + 1];
			while (line[vend - 1] != ' ')
				vend--;
			vend--; /* the separating space */
		} else {
			vend = len;
		}
		assert_true(vend >= vstart);
		c->val[p] = ext_unescape(line + vstart, vend - vstart, &c->vlen[p]);
		c->npairs++;
	}
}

static const char *cef_get(const struct cef_rec *c, const char *key, size_t *len)
{
	for (size_t i = 0; i < c->npairs; i++)
		if (strcmp(c->key[i], key) == 0) {
			if (len != NULL)
				*len = c->vlen[i];
			return c->val[i];
		}
	return NULL;
}

/* The value of the custom field labelled label (csN / cnN / flexStringN ...). */
static const char *cef_labelled(const struct cef_rec *c, const char *label, size_t *len)
{
	for (size_t i = 0; i < c->npairs; i++) {
		size_t kl = strlen(c->key[i]);
		char base[32];

		if (kl <= 5 || strcmp(c->key[i] + kl - 5, "Label") != 0 ||
		    strcmp(c->val[i], label) != 0)
			continue;
		memcpy(base, c->key[i], kl - 5);
		base[kl - 5] = '\0';
		return cef_get(c, base, len);
	}
	return NULL;
}

/* ---- helpers ---- */

static void temp_path(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/portus-cef-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
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

static void assert_has(const char *s, const char *frag)
{
	if (strstr(s, frag) == NULL)
		fail_msg("[%s] not in [%s]", frag, s);
}

static void assert_lacks(const char *s, const char *frag)
{
	if (strstr(s, frag) != NULL)
		fail_msg("[%s] unexpectedly in [%s]", frag, s);
}

static void feed_scan(struct writer *w)
{
	struct port_record p[] = {
		prec(IP(198, 18, 0, 10), 80, PS_OPEN, R_SYN_ACK, 64, 0, 40001),
		prec(IP(198, 18, 0, 10), 22, PS_CLOSED, R_RESET, 64, 0, 40002),
		prec(IP(198, 18, 0, 10), 8081, PS_FILTERED, R_ADMIN_PROHIBITED, 63,
		     IP(198, 18, 0, 254), 40003),
		/* reason_ip of a no-response record is meaningless and must not show */
		prec(IP(198, 18, 0, 10), 443, PS_FILTERED, R_NO_RESPONSE, -1, IP(1, 2, 3, 4), 0),
	};
	struct host_record up = hrec(IP(198, 18, 0, 10), 1, R_ARP_RESPONSE);
	struct host_record down = hrec(IP(198, 18, 0, 7), 0, R_NO_ARP);
	struct run_summary s = summary();
	struct tls_result r;

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		assert_int_equal(w->ops->port(w, &p[i]), 0);
	assert_int_equal(w->ops->host(w, &up), 0);
	assert_int_equal(w->ops->host(w, &down), 0);
	make_ok_record(&r);
	assert_int_equal(w->ops->tls(w, &r), 0);
	tls_result_free(&r);
	assert_int_equal(w->ops->summary(w, &s), 0);
}

#define L_OPEN                                              \
	HDR "port-open|TCP port open|3|" COMMON(            \
		T0_MS) " spt=40001 dst=198.18.0.10 dpt=80 " \
		       "proto=TCP act=open reason=syn-ack cn1Label=ttl cn1=64\n"
#define L_CLOSED                                            \
	HDR "port-closed|TCP port closed|1|" COMMON(        \
		T0_MS) " spt=40002 dst=198.18.0.10 dpt=22 " \
		       "proto=TCP act=closed reason=reset cn1Label=ttl cn1=64\n"
#define L_ICMP                                                                                        \
	HDR "port-filtered|TCP port filtered|1|" COMMON(                                              \
		T0_MS) " spt=40003 dst=198.18.0.10 "                                                  \
		       "dpt=8081 proto=TCP act=filtered reason=admin-prohibited cn1Label=ttl cn1=63 " \
		       "cs1Label=reasonIp cs1=198.18.0.254\n"
#define L_NORESP                                         \
	HDR "port-filtered|TCP port filtered|1|" COMMON( \
		T0_MS) " dst=198.18.0.10 dpt=443 "       \
		       "proto=TCP act=filtered reason=no-response\n"
#define L_UP HDR "host-up|Host up|1|" COMMON(T0_MS) " dst=198.18.0.10 act=up reason=arp-response\n"
#define L_DOWN                               \
	HDR "host-down|Host down|1|" COMMON( \
		T0_MS) " dst=198.18.0.7 act=down reason=no-arp-response\n"
#define L_TLS                                                                                                   \
	HDR "tls-endpoint|TLS endpoint|3|" COMMON(                                                              \
		"1767225600123") " dst=198.18.0.10 dpt=443 "                                                    \
				 "proto=TCP dhost=www.example.test outcome=ok cs1Label=tlsVersion cs1=TLSv1.3 " \
				 "cs2Label=tlsCipher cs2=TLS_AES_256_GCM_SHA384 cs3Label=certSubject "          \
				 "cs3=CN\\=www.example.test cs4Label=certIssuer cs4=CN\\=Test CA "              \
				 "cs5Label=certSha256 cs5=" SHA_0_31                                            \
				 " cs6Label=verifyResult cs6=ok "                                               \
				 "cn1Label=certDaysToExpiry cn1=89 deviceCustomDate1Label=certNotAfter "        \
				 "deviceCustomDate1=1775001600000 flexString1Label=tlsVersionsAccepted "        \
				 "flexString1=TLSv1.2,TLSv1.3\n"
#define L_SUMMARY                                                                                                     \
	HDR "run-summary|Scan summary|1|" COMMON(                                                                     \
		"1732352403333") " deviceOutboundInterface=eth0 "                                                     \
				 "start=" T0_MS                                                                       \
				 " end=1732352403333 outcome=completed msg=327680 targets on 65536 "                  \
				 "hosts: 100 open, 200 closed, 327380 filtered, 1 hosts down; 982000 probes in "      \
				 "3.210 s, 2 passes cn1Label=open cn1=100 cn2Label=closed cn2=200 cn3Label=filtered " \
				 "cn3=327380 flexNumber1Label=hostsDown flexNumber1=1 flexNumber2Label=targets "      \
				 "flexNumber2=327680 cs1Label=seed cs1=12345 cs2Label=shard cs2=1/1 "                 \
				 "cfp1Label=probesPerSecond cfp1=102345.0\n"
#define ALL_LINES L_OPEN L_CLOSED L_ICMP L_NORESP L_UP L_DOWN L_TLS L_SUMMARY

/* ---- CEF lines ---- */

static void test_cef_writer_exact_lines_for_every_record_type(void **state)
{
	struct run_info ri = make_ri(0);
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_cef_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	feed_scan(w);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_text(got, ALL_LINES);
	/* And every line reads back through the strict parser. */
	for (char *p = got, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		struct cef_rec c;

		cef_parse(p, (size_t)(nl - p), &c);
		assert_string_equal(c.hdr[1], "portus");
		cef_rec_free(&c);
	}
	free(got);
	unlink(path);
}

static void test_cef_open_only_writes_open_ports_up_hosts_tls_summary(void **state)
{
	struct run_info ri = make_ri(1);
	char path[64], err[PORTUS_ERRLEN];
	struct writer *w;
	char *got;

	(void)state;
	temp_path(path, sizeof(path));
	w = writer_cef_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	feed_scan(w);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	assert_text(got, L_OPEN L_UP L_TLS L_SUMMARY);
	free(got);
	unlink(path);
}

/* ---- IPv6 ---- */

#define SRC6 "c6a2Label=Source IPv6 Address c6a2=2001:db8::53"
#define DST6(a) "c6a3Label=Destination IPv6 Address c6a3=" a
#define COMMON6(ms) "rt=" ms " dvchost=scan1 " SRC6

#define L6_OPEN                                                             \
	HDR "port-open|TCP port open|3|" COMMON6(T0_MS) " spt=40001 " DST6( \
		"2001:db8::1") " dpt=443 proto=TCP act=open reason=syn-ack cn1Label=ttl cn1=64\n"
#define L6_ICMP                                                                               \
	HDR "port-filtered|TCP port filtered|1|" COMMON6(T0_MS) " spt=40003 " DST6(           \
		"2001:db8::1") " dpt=22 proto=TCP act=filtered reason=no-route cn1Label=ttl " \
			       "cn1=63 c6a4Label=reasonIp c6a4=2001:db8:0:1::fe\n"
#define L6_NORESP                                                         \
	HDR "port-filtered|TCP port filtered|1|" COMMON6(T0_MS) " " DST6( \
		"2001:db8::2") " dpt=80 proto=TCP act=filtered reason=no-response\n"
#define L6_UP                                             \
	HDR "host-up|Host up|1|" COMMON6(T0_MS) " " DST6( \
		"2001:db8::1") " act=up reason=nd-response\n"
#define L6_DOWN                                               \
	HDR "host-down|Host down|1|" COMMON6(T0_MS) " " DST6( \
		"2001:db8:0:1::23") " act=down reason=no-nd-response\n"
#define L6_TLS_START                                                          \
	HDR "tls-endpoint|TLS endpoint|3|" COMMON6("1767225600123") " " DST6( \
		"2001:db8::1") " dpt=443 proto=TCP dhost=www.example.test outcome=ok "
#define L6_SUMMARY_START                                                                     \
	HDR "run-summary|Scan summary|1|rt=1732352403333 dvchost=scan1 src=198.18.0.1 " SRC6 \
	    " deviceOutboundInterface=eth0 start="

/* IPv6 targets: the addresses in the dictionary's IPv6 fields (c6a2 source,
 * c6a3 destination, c6a4 an ICMPv6 sender), never in src/dst, which take
 * IPv4 only; IPv4 records of the same run are as ever. */
static void test_cef_ipv6_exact_lines(void **state)
{
	struct run_info ri = make_ri(0);
	struct port_record p[] = {
		prec6(A6("2001:db8::1"), 443, PS_OPEN, R_SYN_ACK, 64, addr_zero(), 40001),
		prec6(A6("2001:db8::1"), 22, PS_FILTERED, R_NO_ROUTE, 63, A6("2001:db8:0:1::fe"),
		      40003),
		prec6(A6("2001:db8::2"), 80, PS_FILTERED, R_NO_RESPONSE, -1, A6("2001:db8::9"), 0),
		prec(IP(198, 18, 0, 10), 80, PS_OPEN, R_SYN_ACK, 64, 0, 40001),
	};
	struct host_record up = hrec6(A6("2001:db8::1"), 1, R_ND_RESPONSE);
	struct host_record down = hrec6(A6("2001:db8:0:1::23"), 0, R_NO_ND);
	struct run_summary sum = summary();
	char path[64], err[PORTUS_ERRLEN];
	struct tls_result r;
	struct writer *w;
	char *got, *tls, *s;

	(void)state;
	ri.scanner_ip6 = A6("2001:db8::53");
	temp_path(path, sizeof(path));
	w = writer_cef_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		assert_int_equal(w->ops->port(w, &p[i]), 0);
	assert_int_equal(w->ops->host(w, &up), 0);
	assert_int_equal(w->ops->host(w, &down), 0);
	make_ok_record(&r);
	r.ip = A6("2001:db8::1");
	assert_int_equal(w->ops->tls(w, &r), 0);
	tls_result_free(&r);
	assert_int_equal(w->ops->summary(w, &sum), 0);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp_path(path);
	tls = strstr(got, L6_TLS_START);
	assert_non_null(tls);
	*tls = '\0';
	assert_text(got, L6_OPEN L6_ICMP L6_NORESP L_OPEN L6_UP L6_DOWN);
	*tls = 'C';
	s = strstr(tls, "\n");
	assert_non_null(s);
	assert_non_null(strstr(s + 1, L6_SUMMARY_START));
	/* Every line reads back through the strict parser; the IPv6 addresses
	 * are found by their labels, and dst/src never hold one. */
	for (char *q = got, *nl; (nl = strchr(q, '\n')) != NULL; q = nl + 1) {
		struct cef_rec c;
		const char *v;

		cef_parse(q, (size_t)(nl - q), &c);
		v = cef_labelled(&c, "Destination IPv6 Address", NULL);
		if (strcmp(c.hdr[4], "run-summary") == 0) {
			assert_null(v);
			assert_string_equal(cef_get(&c, "src", NULL), "198.18.0.1");
		} else if (cef_get(&c, "dst", NULL) == NULL) {
			assert_non_null(v);
			assert_true(strncmp(v, "2001:db8:", 9) == 0);
			assert_null(cef_get(&c, "src", NULL));
		}
		if (cef_get(&c, "src", NULL) == NULL || strcmp(c.hdr[4], "run-summary") == 0)
			assert_string_equal(cef_labelled(&c, "Source IPv6 Address", NULL),
					    "2001:db8::53");
		cef_rec_free(&c);
	}
	free(got);
	unlink(path);
}

/* A run without an IPv6 source: an IPv6 record names no scanner address (its
 * IPv4 source did not send the probe); an IPv6-only run's summary gives c6a2
 * alone. */
static void test_cef_ipv6_scanner_address(void **state)
{
	struct run_info ri = make_ri(0);
	struct port_record p = prec6(A6("2001:db8::1"), 443, PS_OPEN, R_SYN_ACK, 64, addr_zero(),
				     0);
	struct run_summary sum = summary();
	struct strbuf b;

	(void)state;
	sb_init(&b);
	cef_port_format(&b, &p, &ri);
	assert_string_equal(b.p,
			    HDR "port-open|TCP port open|3|rt=" T0_MS " dvchost=scan1 " DST6(
				    "2001:db8::1") " dpt=443 proto=TCP act=open reason=syn-ack "
						   "cn1Label=ttl cn1=64");
	sb_reset(&b);
	cef_summary_format(&b, &sum, &ri); /* as ever */
	assert_non_null(strstr(b.p, "|1|" COMMON("1732352403333") " deviceOutboundInterface="));
	sb_reset(&b);
	ri.scanner_ip = 0;
	ri.scanner_ip6 = A6("2001:db8::53");
	cef_summary_format(&b, &sum, &ri);
	assert_non_null(
		strstr(b.p, "|1|rt=1732352403333 dvchost=scan1 " SRC6 " deviceOutboundInterface="));
	assert_null(strstr(b.p, " src="));
	sb_free(&b);
}

static void test_cef_unknown_hostname_and_interrupted_run(void **state)
{
	struct run_info ri = make_ri(0);
	struct run_summary s = summary();
	struct port_record p = prec(IP(198, 18, 0, 10), 80, PS_OPEN, R_SYN_ACK, 64, 0, 0);
	struct strbuf b;

	(void)state;
	ri.hostname[0] = '\0';
	s.interrupted = 1;
	s.tls_endpoints = 3;
	s.tls_ok = 2;
	sb_init(&b);
	cef_port_format(&b, &p, &ri);
	assert_text(b.p, HDR "port-open|TCP port open|3|rt=" T0_MS " src=198.18.0.1 "
			     "dst=198.18.0.10 dpt=80 proto=TCP act=open reason=syn-ack "
			     "cn1Label=ttl cn1=64");
	sb_reset(&b);
	cef_summary_format(&b, &s, &ri);
	assert_has(b.p, " outcome=interrupted msg=");
	assert_has(b.p, "2 passes; 3 TLS endpoints, 2 handshakes ok cn1Label=open");
	sb_free(&b);
}

static void test_cef_hostile_certificate_strings_are_escaped(void **state)
{
	static const char dn[] = "CN=a|b=c\\d\r\ne\0f\xff\xc3(g\xc2\x9bh\x7fi\tj\xe2\x82\xac";
	static const char dn_esc[] = "cs3=CN\\=a|b\\=c\\\\d\\r\\ne\xef\xbf\xbd"
				     "f\xef\xbf\xbd\xef\xbf\xbd(g\xef\xbf\xbdh\xef\xbf\xbdi"
				     "\xef\xbf\xbdj\xe2\x82\xac cs4Label";
	/* What a reader gets back: the bytes, each bad one as U+FFFD. */
	static const char dn_back[] = "CN=a|b=c\\d\r\ne\xef\xbf\xbd"
				      "f\xef\xbf\xbd\xef\xbf\xbd(g\xef\xbf\xbdh\xef\xbf\xbdi"
				      "\xef\xbf\xbdj\xe2\x82\xac";
	struct run_info ri = make_ri(0);
	struct tls_result r;
	struct strbuf b;
	struct cef_rec c;
	const char *v;
	size_t vlen;

	(void)state;
	make_ok_record(&r);
	free(r.certs.leaf.subject_dn.p);
	bytes_set(&r.certs.leaf.subject_dn, dn, sizeof(dn) - 1);
	free(r.certs.leaf.issuer_dn.p);
	bytes_set(&r.certs.leaf.issuer_dn, " x=1 cs1=forged ", 16);
	strcpy(r.sni, "evil|sni=1\\\n");
	r.verify_ok = 0;
	strcpy(r.verify_error, "bad\r=|\x01");
	sb_init(&b);
	cef_tls_format(&b, &r, &ri);
	assert_has(b.p, dn_esc);
	assert_has(b.p, " dhost=evil|sni\\=1\\\\\\n outcome=ok ");
	assert_has(b.p, " cs4="
			" x\\=1 cs1\\=forged "
			" cs5Label=");
	assert_has(b.p, " cs6=bad\\r\\=|\xef\xbf\xbd cn1Label=");
	/* The header is untouched by the pipes of the extension. */
	assert_true(strncmp(b.p, HDR "tls-endpoint|TLS endpoint|5|rt=",
			    strlen(HDR "tls-endpoint|TLS endpoint|5|rt=")) == 0);
	cef_parse(b.p, b.len, &c);
	assert_string_equal(c.hdr[4], "tls-endpoint");
	assert_string_equal(c.hdr[6], "5");
	v = cef_labelled(&c, "certSubject", &vlen);
	assert_non_null(v);
	assert_int_equal(vlen, sizeof(dn_back) - 1);
	assert_memory_equal(v, dn_back, vlen);
	assert_string_equal(cef_labelled(&c, "certIssuer", NULL), " x=1 cs1=forged ");
	assert_string_equal(cef_labelled(&c, "tlsVersion", NULL), "TLSv1.3"); /* not forged */
	assert_string_equal(cef_get(&c, "dhost", NULL), "evil|sni=1\\\n");
	assert_string_equal(cef_get(&c, "msg", NULL), "certificate not verified");
	cef_rec_free(&c);
	sb_free(&b);
	tls_result_free(&r);
}

/* Severity and findings for one change to the ok record. */
struct sev_case {
	const char *what;
	void (*change)(struct tls_result *r);
	int severity;
	const char *msg; /* NULL: no msg key */
};

static void ch_none(struct tls_result *r)
{
	(void)r;
}

static void ch_expired(struct tls_result *r)
{
	r->certs.leaf.expired = 1;
	r->certs.leaf.days_to_expiry = -3;
	r->verify_ok = 0;
	strcpy(r->verify_error, "certificate has expired");
}

static void ch_soon(struct tls_result *r)
{
	r->certs.leaf.days_to_expiry = 10;
}

static void ch_self_signed(struct tls_result *r)
{
	r->certs.leaf.self_signed = 1;
	r->verify_ok = 0;
	strcpy(r->verify_error, "self-signed certificate");
}

static void ch_mismatch(struct tls_result *r)
{
	r->hostname_match = 0;
}

static void ch_weak_accepted(struct tls_result *r)
{
	r->versions_accepted |= TLS_V10 | TLS_V11;
}

static void ch_weak_negotiated(struct tls_result *r)
{
	strcpy(r->version, "TLSv1.1");
}

static void ch_not_yet_valid(struct tls_result *r)
{
	r->certs.leaf.not_yet_valid = 1;
}

static void ch_unreadable_not_after(struct tls_result *r)
{
	r->certs.leaf.days_to_expiry = 0;
	r->certs.truncated = 1;
	strcpy(r->certs.truncated_fields, "not_after");
}

static void ch_timeout(struct tls_result *r)
{
	tls_result_free(r);
	r->ip = addr_from_v4(IP(198, 18, 0, 12));
	r->port = 443;
	r->outcome = TLS_TIMEOUT;
	strcpy(r->detail, "handshake timed out");
	r->end_us = T2026 * 1000000;
}

/* The certificate and handshake checks (tls_checks.h): each finding's token
 * joins msg and raises the severity to its table's value. */
static void ch_checks_clean(struct tls_result *r)
{
	r->checks.done = 1;
}

static void ch_chain_order(struct tls_result *r)
{
	r->checks.done = 1;
	r->checks.chain_misordered = 1;
}

static void ch_weak_key_sha1(struct tls_result *r)
{
	r->checks.done = 1;
	r->checks.weak_keys = 1;
	r->checks.sha1_sigs = 2;
}

static void ch_revoked_and_expired(struct tls_result *r)
{
	ch_expired(r);
	r->checks.done = 1;
	r->checks.ocsp_stapled = 1;
	r->checks.ocsp_status = TLS_OCSP_REVOKED;
	r->checks.ocsp_signature_ok = 1;
	r->checks.ocsp_error = "certificate revoked";
}

static void ch_hsts_invalid(struct tls_result *r)
{
	r->checks.done = 1;
	(void)tls_hsts_parse((const unsigned char *)"max-age=1;max-age=2", 19, &r->hsts);
}

static void ch_must_staple(struct tls_result *r)
{
	r->checks.done = 1;
	r->checks.must_staple = 1;
	r->checks.missing_intermediates = 1;
}

static void test_cef_tls_severity_follows_the_findings(void **state)
{
	static const struct sev_case cases[] = {
		{ "clean", ch_none, 3, NULL },
		{ "expired", ch_expired, 7, "certificate expired; certificate not verified" },
		{ "expires soon", ch_soon, 4, "certificate expires in 10 days" },
		{ "self-signed", ch_self_signed, 6,
		  "self-signed certificate; certificate not verified" },
		{ "mismatch", ch_mismatch, 5, "hostname mismatch" },
		{ "weak accepted", ch_weak_accepted, 6, "TLSv1 accepted; TLSv1.1 accepted" },
		{ "weak negotiated", ch_weak_negotiated, 6, "TLSv1.1 negotiated" },
		{ "not yet valid", ch_not_yet_valid, 6, "certificate not yet valid" },
		{ "unreadable not_after", ch_unreadable_not_after, 3, NULL },
		{ "timeout", ch_timeout, 2, NULL },
		{ "checks clean", ch_checks_clean, 3, NULL },
		{ "chain order", ch_chain_order, 4, "chain-order" },
		{ "weak key, sha1", ch_weak_key_sha1, 6, "weak-key; sha1-in-chain" },
		{ "revoked", ch_revoked_and_expired, 8,
		  "certificate expired; certificate not verified; ocsp-revoked" },
		{ "hsts invalid", ch_hsts_invalid, 3, "hsts-invalid" },
		{ "must-staple", ch_must_staple, 6,
		  "must-staple-without-staple; missing-intermediate" },
	};
	struct run_info ri = make_ri(0);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tls_result r;
		struct strbuf b;
		struct cef_rec c;
		const char *msg;
		char sev[4];

		make_ok_record(&r);
		cases[i].change(&r);
		sb_init(&b);
		cef_tls_format(&b, &r, &ri);
		cef_parse(b.p, b.len, &c);
		snprintf(sev, sizeof(sev), "%d", cases[i].severity);
		if (strcmp(c.hdr[6], sev) != 0)
			fail_msg("%s: severity %s, want %s: %s", cases[i].what, c.hdr[6], sev, b.p);
		msg = cef_get(&c, "msg", NULL);
		if (cases[i].msg == NULL ? msg != NULL
					 : msg == NULL || strcmp(msg, cases[i].msg) != 0)
			fail_msg("%s: msg [%s], want [%s]", cases[i].what, msg ? msg : "(none)",
				 cases[i].msg ? cases[i].msg : "(none)");
		cef_rec_free(&c);
		sb_free(&b);
		tls_result_free(&r);
	}
}

/* cn2 sctCount after a handshake; cn3 hstsMaxAge only for a valid header. */
static void test_cef_tls_sct_count_and_hsts_max_age(void **state)
{
	struct run_info ri = make_ri(0);
	struct tls_result r;
	struct strbuf b;
	struct cef_rec c;

	(void)state;
	make_ok_record(&r);
	sb_init(&b);
	cef_tls_format(&b, &r, &ri);
	assert_null(strstr(b.p, "cn2"));
	assert_null(strstr(b.p, "cn3"));
	sb_free(&b);
	r.checks.done = 1;
	r.checks.sct_embedded = 2;
	r.checks.sct_tls = 1;
	(void)tls_hsts_parse((const unsigned char *)"max-age=600", 11, &r.hsts);
	sb_init(&b);
	cef_tls_format(&b, &r, &ri);
	cef_parse(b.p, b.len, &c);
	assert_string_equal(cef_get(&c, "cn2Label", NULL), "sctCount");
	assert_string_equal(cef_get(&c, "cn2", NULL), "3");
	assert_string_equal(cef_get(&c, "cn3Label", NULL), "hstsMaxAge");
	assert_string_equal(cef_get(&c, "cn3", NULL), "600");
	cef_rec_free(&c);
	sb_free(&b);
	(void)tls_hsts_parse((const unsigned char *)"max-age=x", 9, &r.hsts);
	sb_init(&b);
	cef_tls_format(&b, &r, &ri);
	assert_null(strstr(b.p, "cn3"));
	sb_free(&b);
	tls_result_free(&r);
}

static void test_cef_tls_failure_record_exact(void **state)
{
	struct run_info ri = make_ri(0);
	struct tls_result r;
	struct strbuf b;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.ip = addr_from_v4(IP(198, 18, 0, 12));
	r.port = 8443;
	strcpy(r.sni, "a.test");
	r.outcome = TLS_ALERT;
	strcpy(r.alert, "handshake_failure");
	strcpy(r.detail, "ignored when there is an alert");
	r.versions_tested = TLS_V12;
	r.end_us = T2026 * 1000000 + 999;
	sb_init(&b);
	cef_tls_format(&b, &r, &ri);
	assert_text(
		b.p,
		HDR "tls-endpoint|TLS endpoint|2|" COMMON(
			"1767225600000") " dst=198.18.0.12 dpt=8443 proto=TCP dhost=a.test outcome=alert "
					 "reason=handshake_failure flexString1Label=tlsVersionsAccepted "
					 "flexString1=none");
	sb_free(&b);
}

static void test_cef_worst_tls_record_is_cut_under_the_cap(void **state)
{
	struct run_info ri = make_ri(0);
	unsigned char big[TLS_MAX_NAME_BYTES];
	struct tls_result r;
	struct strbuf b;
	struct cef_rec c;
	const char *v;
	size_t vlen;

	(void)state;
	make_ok_record(&r);
	memset(big, 0xff, sizeof(big)); /* every byte becomes 3 */
	free(r.certs.leaf.subject_dn.p);
	free(r.certs.leaf.issuer_dn.p);
	bytes_set(&r.certs.leaf.subject_dn, big, sizeof(big));
	bytes_set(&r.certs.leaf.issuer_dn, big, sizeof(big));
	memset(r.sni, '=', sizeof(r.sni) - 1);
	memset(r.detail, 0xff, sizeof(r.detail) - 1);
	memset(r.cipher, 0xff, sizeof(r.cipher) - 1);
	memset(r.verify_error, 0xff, sizeof(r.verify_error) - 1);
	r.verify_ok = 0;
	r.certs.truncated = 1;
	strcpy(r.certs.truncated_fields, "chain,subject");
	sb_init(&b);
	cef_tls_format(&b, &r, &ri);
	assert_true(b.len <= CEF_MAX_LINE);
	cef_parse(b.p, b.len, &c);
	v = cef_labelled(&c, "certSubject", &vlen);
	assert_non_null(v);
	assert_int_equal(vlen, 1023); /* 341 U+FFFD: the next one would pass 1,024 */
	assert_string_equal(cef_labelled(&c, "truncated", NULL), "chain,subject,issuer");
	assert_int_equal(strlen(cef_get(&c, "dhost", NULL)), sizeof(r.sni) - 1); /* not cut */
	cef_rec_free(&c);
	sb_free(&b);

	/* Shorter strings everywhere: never cut, nothing listed beyond the stage's. */
	tls_result_free(&r);
	make_ok_record(&r);
	sb_init(&b);
	cef_tls_format(&b, &r, &ri);
	assert_lacks(b.p, "truncated");
	sb_free(&b);
	tls_result_free(&r);
}

static void test_cef_header_peek(void **state)
{
	const char *sig;
	size_t siglen;
	int sev;
	static const char ok[] = HDR "port-open|TCP port open|3|rt=1";
	static const char esc[] = "CEF:0|a\\|b|p|v|s\\\\x|n\\|m|10|";

	(void)state;
	assert_int_equal(cef_header_peek(ok, sizeof(ok) - 1, &sig, &siglen, &sev), 0);
	assert_int_equal(siglen, 9);
	assert_memory_equal(sig, "port-open", 9);
	assert_int_equal(sev, 3);
	assert_int_equal(cef_header_peek(esc, sizeof(esc) - 1, &sig, &siglen, &sev), 0);
	assert_int_equal(siglen, 4);
	assert_memory_equal(sig, "s\\\\x", 4);
	assert_int_equal(sev, 10);
	assert_int_equal(cef_header_peek("CEF:0|a|b|c|d|e|11|", 19, &sig, &siglen, &sev), -1);
	assert_int_equal(cef_header_peek("CEF:0|a|b|c|d|e|", 16, &sig, &siglen, &sev), -1);
	assert_int_equal(cef_header_peek("CEF:1|a|b|c|d|e|1|", 18, &sig, &siglen, &sev), -1);
	assert_int_equal(cef_header_peek("CEF:0|a|b|c|d|e||", 17, &sig, &siglen, &sev), -1);
}

/* ---- syslog ---- */

static int listen_on(int type, uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A loopback port nobody listens on (bound, read, released). */
static uint16_t free_port(int type)
{
	uint16_t port;
	int fd = listen_on(type, &port);

	close(fd);
	return port;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Checks one RFC 5424 message m[0..len) as syslog.c frames it and returns its
 * MSG (the CEF line) through *cef / *cef_len.
 */
static void check_5424(const char *m, size_t len, const char **cef, size_t *cef_len)
{
	static const char ts_shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	const char *p = m, *end = m + len, *sp;
	char procid[24], msgid[40], want_pri[8];
	const char *sig;
	size_t siglen;
	int pri, sev;

	assert_true(len > 0 && *p == '<');
	pri = atoi(p + 1);
	p = memchr(p, '>', len);
	assert_non_null(p);
	assert_true(strncmp(p, ">1 ", 3) == 0);
	p += 3;
	for (size_t i = 0; i < sizeof(ts_shape) - 1; i++, p++)
		if (ts_shape[i] == 'd' ? !is_digit(*p) : *p != ts_shape[i])
			fail_msg("bad TIMESTAMP in %.*s", (int)len, m);
	assert_true(strncmp(p, " scan1 portus ", 14) == 0);
	p += 14;
	sp = memchr(p, ' ', (size_t)(end - p));
	assert_non_null(sp);
	snprintf(procid, sizeof(procid), "%ld", (long)getpid());
	assert_int_equal((size_t)(sp - p), strlen(procid));
	assert_memory_equal(p, procid, strlen(procid));
	p = sp + 1;
	sp = memchr(p, ' ', (size_t)(end - p));
	assert_non_null(sp);
	assert_true(sp - p >= 1 && sp - p <= 32);
	memcpy(msgid, p, (size_t)(sp - p));
	msgid[sp - p] = '\0';
	p = sp + 1;
	assert_true(strncmp(p, "- CEF:0|", 8) == 0); /* no structured data, no BOM */
	p += 2;
	*cef = p;
	*cef_len = (size_t)(end - p);
	/* MSGID is the Signature ID, PRI local0 with the mapped severity. */
	assert_int_equal(cef_header_peek(p, *cef_len, &sig, &siglen, &sev), 0);
	assert_int_equal(strlen(msgid), siglen);
	assert_memory_equal(msgid, sig, siglen);
	snprintf(want_pri, sizeof(want_pri), "%d",
		 16 * 8 + (sev >= 9   ? 2
			   : sev >= 7 ? 3
			   : sev >= 4 ? 4
				      : 6));
	assert_int_equal(pri, atoi(want_pri));
	assert_true(memchr(m, '\n', len) == NULL);
}

static struct writer *open_syslog(const char *scheme, const char *host, uint16_t port,
				  const struct run_info *ri)
{
	char url[128], err[PORTUS_ERRLEN] = "";
	struct writer *w;

	snprintf(url, sizeof(url), "%s://%s:%u", scheme, host, (unsigned)port);
	w = writer_syslog_open(url, ri, err, sizeof(err));
	if (w == NULL)
		fail_msg("%s: %s", url, err);
	return w;
}

/* The lines a file writer gives for feed_scan. */
static const char all_lines[] = ALL_LINES;

static void test_syslog_udp_one_datagram_per_cef_line(void **state)
{
	struct run_info ri = make_ri(0);
	const char *want = all_lines;
	uint16_t port;
	int fd = listen_on(SOCK_DGRAM, &port);
	struct writer *w;
	char buf[9000];
	size_t n = 0;

	(void)state;
	w = open_syslog("udp", "127.0.0.1", port, &ri);
	feed_scan(w);
	assert_int_equal(w->ops->close(w), 0);
	while (*want != '\0') {
		const char *nl = strchr(want, '\n'), *cef;
		ssize_t k = recv(fd, buf, sizeof(buf), 0);
		size_t cef_len;

		assert_true(k > 0);
		check_5424(buf, (size_t)k, &cef, &cef_len);
		assert_int_equal(cef_len, (size_t)(nl - want));
		assert_memory_equal(cef, want, cef_len);
		want = nl + 1;
		n++;
	}
	assert_int_equal(n, 8);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1); /* nothing more */
	close(fd);
}

/* Reads octet-counted frames from a connection until EOF; checks each. */
static size_t read_frames(int c, const char **want)
{
	static char buf[1 << 16];
	size_t have = 0, n = 0, off = 0;
	ssize_t k;

	while ((k = recv(c, buf + have, sizeof(buf) - have, 0)) > 0)
		have += (size_t)k;
	assert_int_equal(k, 0);
	while (off < have) {
		size_t len = 0, cef_len;
		const char *cef, *nl = strchr(*want, '\n');

		assert_true(is_digit(buf[off]) && buf[off] != '0');
		while (off < have && is_digit(buf[off]))
			len = len * 10 + (size_t)(buf[off++] - '0');
		assert_true(off < have && buf[off] == ' ');
		off++;
		assert_true(len <= have - off);
		check_5424(buf + off, len, &cef, &cef_len);
		assert_non_null(nl);
		assert_int_equal(cef_len, (size_t)(nl - *want));
		assert_memory_equal(cef, *want, cef_len);
		*want = nl + 1;
		off += len;
		n++;
	}
	return n;
}

static void test_syslog_tcp_octet_counted_frames(void **state)
{
	struct run_info ri = make_ri(0);
	const char *want = all_lines;
	uint16_t port;
	int lfd = listen_on(SOCK_STREAM, &port), c;
	struct writer *w;

	(void)state;
	/* A name: getaddrinfo, and the first address that accepts (::1 may not). */
	w = open_syslog("tcp", "localhost", port, &ri);
	feed_scan(w);
	assert_int_equal(w->ops->close(w), 0);
	c = accept(lfd, NULL, NULL);
	assert_true(c >= 0);
	assert_int_equal(read_frames(c, &want), 8);
	assert_int_equal(*want, '\0');
	close(c);
	close(lfd);
}

static void test_syslog_tcp_reconnects_when_the_receiver_closed(void **state)
{
	struct run_info ri = make_ri(0);
	struct port_record p = prec(IP(198, 18, 0, 10), 80, PS_OPEN, R_SYN_ACK, 64, 0, 40001);
	const char *want = L_OPEN;
	uint16_t port;
	int lfd = listen_on(SOCK_STREAM, &port), c;
	struct writer *w;

	(void)state;
	w = open_syslog("tcp", "127.0.0.1", port, &ri);
	c = accept(lfd, NULL, NULL);
	assert_true(c >= 0);
	close(c); /* the receiver restarts */
	usleep(20000);
	assert_int_equal(w->ops->port(w, &p), 0);
	assert_int_equal(w->ops->close(w), 0);
	c = accept(lfd, NULL, NULL);
	assert_true(c >= 0);
	assert_int_equal(read_frames(c, &want), 1);
	close(c);
	close(lfd);
}

static void test_syslog_tcp_refused_fails_at_open(void **state)
{
	struct run_info ri = make_ri(0);
	char url[64], err[PORTUS_ERRLEN] = "";

	(void)state;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%u", (unsigned)free_port(SOCK_STREAM));
	assert_null(writer_syslog_open(url, &ri, err, sizeof(err)));
	assert_has(err, "cannot connect: Connection refused");
	assert_has(err, url);
}

static void test_syslog_udp_refused_is_counted_and_fails_the_close(void **state)
{
	struct run_info ri = make_ri(0);
	struct port_record p = prec(IP(198, 18, 0, 10), 80, PS_OPEN, R_SYN_ACK, 64, 0, 40001);
	struct writer *w = open_syslog("udp", "127.0.0.1", free_port(SOCK_DGRAM), &ri);

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(w->ops->port(w, &p), 0); /* counted, not a write error */
		usleep(10000);
	}
	assert_int_equal(w->ops->close(w), -1);
}

/* An IPv6 record's CEF line goes out whole in its syslog message. */
static void test_syslog_udp_ipv6_record(void **state)
{
	struct run_info ri = make_ri(0);
	struct port_record p = prec6(A6("2001:db8::1"), 22, PS_FILTERED, R_NO_ROUTE, 63,
				     A6("2001:db8:0:1::fe"), 40003);
	const char *want = L6_ICMP, *cef;
	uint16_t port;
	int fd = listen_on(SOCK_DGRAM, &port);
	struct writer *w;
	char buf[9000];
	size_t cef_len;
	ssize_t k;

	(void)state;
	ri.scanner_ip6 = A6("2001:db8::53");
	w = open_syslog("udp", "127.0.0.1", port, &ri);
	assert_int_equal(w->ops->port(w, &p), 0);
	assert_int_equal(w->ops->close(w), 0);
	k = recv(fd, buf, sizeof(buf), 0);
	assert_true(k > 0);
	check_5424(buf, (size_t)k, &cef, &cef_len);
	assert_int_equal(cef_len, strlen(want) - 1);
	assert_memory_equal(cef, want, cef_len);
	close(fd);
}

static void test_syslog_bad_urls_give_one_line_errors(void **state)
{
	static const struct {
		const char *url, *msg;
	} cases[] = {
		{ "http://127.0.0.1:514", "expected udp://HOST:PORT or tcp://HOST:PORT" },
		/* the host and port rules are hostport.h's, shared with --hec-url */
		{ "udp://127.0.0.1", "missing :PORT after the host (syslog is often 514)" },
		{ "udp://", "empty host" },
		{ "udp://:514", "empty host" },
		{ "udp://::1:514", "put an IPv6 address in brackets" },
		{ "udp://[::1:514", "unterminated [IPv6 address]" },
		{ "udp://[::1]514", "unexpected characters after the host" },
		{ "udp://[]:514", "not an IPv6 address in [ ]" },
		{ "udp://127.0.0.1:0", "port must be a number from 1 to 65535" },
		{ "udp://127.0.0.1:65536", "port must be a number from 1 to 65535" },
		{ "udp://127.0.0.1:514/x", "port must be a number from 1 to 65535" },
		{ "udp://127.0.0.1:-1", "port must be a number from 1 to 65535" },
		{ "tcp://127.0.0.1:", "empty port after ':'" },
		{ "udp://a b:514", "bad character '?' in the host" },
		{ "udp://a\nb:514", "bad character '?' in the host" },
		{ "udp://user@h:514", "bad character '@' in the host" },
		{ "udp://1.2.3:514", "host is not a valid IPv4 address" },
		{ "udp://a..b:514", "empty label in the host name" },
		{ "udp://[zz]:514", "not an IPv6 address in [ ]" },
	};
	struct run_info ri = make_ri(0);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[PORTUS_ERRLEN] = "";

		if (writer_syslog_open(cases[i].url, &ri, err, sizeof(err)) != NULL)
			fail_msg("%s: accepted", cases[i].url);
		if (strstr(err, cases[i].msg) == NULL || strchr(err, '\n') != NULL)
			fail_msg("%s: error [%s], want [%s]", cases[i].url, err, cases[i].msg);
	}
}

static void test_syslog_hostname_nil_when_not_printable(void **state)
{
	struct run_info ri = make_ri(0);
	struct port_record p = prec(IP(198, 18, 0, 10), 80, PS_OPEN, R_SYN_ACK, 64, 0, 0);
	uint16_t port;
	int fd = listen_on(SOCK_DGRAM, &port);
	struct writer *w;
	char buf[2048];
	ssize_t k;

	(void)state;
	snprintf(ri.hostname, sizeof(ri.hostname), "bad host");
	w = open_syslog("udp", "127.0.0.1", port, &ri);
	assert_int_equal(w->ops->port(w, &p), 0);
	assert_int_equal(w->ops->close(w), 0);
	k = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(k > 0);
	buf[k] = '\0';
	assert_has(buf, "Z - portus ");
	/* ... while CEF's dvchost keeps it, escaped as any value. */
	assert_has(buf, " dvchost=bad host src=");
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cef_writer_exact_lines_for_every_record_type),
		cmocka_unit_test(test_cef_open_only_writes_open_ports_up_hosts_tls_summary),
		cmocka_unit_test(test_cef_ipv6_exact_lines),
		cmocka_unit_test(test_cef_ipv6_scanner_address),
		cmocka_unit_test(test_cef_unknown_hostname_and_interrupted_run),
		cmocka_unit_test(test_cef_hostile_certificate_strings_are_escaped),
		cmocka_unit_test(test_cef_tls_severity_follows_the_findings),
		cmocka_unit_test(test_cef_tls_sct_count_and_hsts_max_age),
		cmocka_unit_test(test_cef_tls_failure_record_exact),
		cmocka_unit_test(test_cef_worst_tls_record_is_cut_under_the_cap),
		cmocka_unit_test(test_cef_header_peek),
		cmocka_unit_test(test_syslog_udp_one_datagram_per_cef_line),
		cmocka_unit_test(test_syslog_tcp_octet_counted_frames),
		cmocka_unit_test(test_syslog_tcp_reconnects_when_the_receiver_closed),
		cmocka_unit_test(test_syslog_tcp_refused_fails_at_open),
		cmocka_unit_test(test_syslog_udp_refused_is_counted_and_fails_the_close),
		cmocka_unit_test(test_syslog_udp_ipv6_record),
		cmocka_unit_test(test_syslog_bad_urls_give_one_line_errors),
		cmocka_unit_test(test_syslog_hostname_nil_when_not_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
