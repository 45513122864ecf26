/*
 * test_report.c — `portus report`: the HTML escaper (src/report/html.c), the
 * model's counts (src/report/report_model.c) on result sets filled by hand,
 * the page's exact markup for those counts (report_html.c, report_svg.c,
 * report_tables.c), and the command end to end on NDJSON files
 * (src/report/report.c through results_load).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/html.h"
#include "report/report_html.h"
#include "report/report_model.h"
#include "result_file.h"
#include "subcommands.h"
#include "table.h"
#include "tls_record.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
/* An IPv4 address as a constant ip_addr initializer (addr.h: IPv4-mapped). */
#define IP4(a, b, c, d)                      \
	{                                    \
		ADDR_V4_TAG | IP(a, b, c, d) \
	}
#define SHA_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define SHA_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define SHA_C "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"

static char *escaped(const char *s, size_t max, int *ret)
{
	static char out[4096];
	struct strbuf b;
	int r;

	sb_init(&b);
	r = html_append(&b, s, max);
	if (ret != NULL)
		*ret = r;
	snprintf(out, sizeof(out), "%s", b.p ? b.p : "");
	sb_free(&b);
	return out;
}

static void test_html_escapes_markup_characters(void **state)
{
	int r;

	(void)state;
	assert_string_equal(escaped("<script>alert(\"x\")&'</script>", 300, &r),
			    "&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;&lt;/script&gt;");
	assert_int_equal(r, 0);
	assert_string_equal(escaped("plain text", 300, &r), "plain text");
	assert_string_equal(escaped("caf\xC3\xA9 \xF0\x9F\x98\x80", 300, &r),
			    "caf\xC3\xA9 \xF0\x9F\x98\x80");
	assert_int_equal(r, 0);
	assert_string_equal(escaped(NULL, 300, &r), "");
	assert_int_equal(r, 0);
}

static void test_html_replaces_controls_and_bad_utf8(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a\x01"
		  "b\x1B[31m",
		  "a\xEF\xBF\xBD"
		  "b\xEF\xBF\xBD[31m" },
		{ "tab\there\n", "tab\xEF\xBF\xBDhere\xEF\xBF\xBD" },
		{ "del\x7F", "del\xEF\xBF\xBD" },
		{ "\xC3\x28", "\xEF\xBF\xBD(" },            /* cut 2-byte sequence */
		{ "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD" }, /* overlong '/' */
		{ "\xE0\x80\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" }, /* overlong, 3 bytes */
		{ "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" }, /* surrogate */
		{ "\xF4\x90\x80\x80",
		  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" }, /* > U+10FFFF */
		{ "end\xE2\x82", "end\xEF\xBF\xBD\xEF\xBF\xBD" },       /* cut at the end */
		{ "<\xFF>", "&lt;\xEF\xBF\xBD&gt;" },
	};
	int r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(escaped(cases[i].in, 300, &r), cases[i].want);
		assert_int_equal(r, 1);
	}
}

static void test_html_cuts_at_max_code_points(void **state)
{
	char big[5000];
	int r;

	(void)state;
	assert_string_equal(escaped("abcdef", 3, &r), "abc\xE2\x80\xA6");
	assert_int_equal(r, 1);
	assert_string_equal(escaped("abc", 3, &r), "abc");
	assert_int_equal(r, 0);
	/* Code points, not bytes; an escape counts as one. */
	assert_string_equal(escaped("\xC3\xA9\xC3\xA9\xC3\xA9", 2, NULL),
			    "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
	assert_string_equal(escaped("<<<<", 2, NULL), "&lt;&lt;\xE2\x80\xA6");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(strlen(escaped(big, HTML_TEXT_MAX, NULL)), HTML_TEXT_MAX + 3);
}

static void test_bucket_boundaries(void **state)
{
	static const struct {
		int64_t days;
		int expired;
		enum rp_bucket want;
	} cases[] = {
		{ -1, 0, RP_EXPIRED }, { 5, 1, RP_EXPIRED }, { 0, 0, RP_LT7 },
		{ 6, 0, RP_LT7 },      { 7, 0, RP_LT30 },    { 29, 0, RP_LT30 },
		{ 30, 0, RP_LT90 },    { 89, 0, RP_LT90 },   { 90, 0, RP_LATER },
		{ 4000, 0, RP_LATER },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(rp_bucket_of(cases[i].days, cases[i].expired), cases[i].want);
	assert_string_equal(rp_bucket_key(RP_LT30), "lt30");
}

/* A hand-made, normalized scan: 198.18.0.1-5 (0xc6120000 is 198.18.0.0),
 * ports 22 and 443. */
static struct rs_port ports[] = {
	{ .addr = 0xc6120000 | 1, .port = 22, .state = PS_OPEN },
	{ .addr = 0xc6120000 | 1, .port = 443, .state = PS_OPEN },
	{ .addr = 0xc6120000 | 2, .port = 22, .state = PS_CLOSED },
	{ .addr = 0xc6120000 | 2, .port = 443, .state = PS_OPEN },
	{ .addr = 0xc6120000 | 3, .port = 443, .state = PS_OPEN },
	{ .addr = 0xc6120000 | 4, .port = 443, .state = PS_FILTERED },
	{ .addr = 0xc6120000 | 5, .port = 8443, .state = PS_OPEN },
};

static struct rs_tls tls[] = {
	/* .1:443, two names, one certificate */
	{ .ip = IP4(198, 18, 0, 1),
	  .port = 443,
	  .sni = NULL,
	  .outcome = "ok",
	  .version = "TLSv1.3",
	  .cipher = "TLS_AES_128_GCM_SHA256",
	  .verify_ok = 1,
	  .hostname_match = -1,
	  .has_cert = 1,
	  .subject = "CN=a.test",
	  .issuer = "CN=CA",
	  .sha256 = SHA_A,
	  .days_to_expiry = 20,
	  .versions_tested = 0xF,
	  .versions_accepted = TLS_V12 | TLS_V13,
	  .time_us = 5 },
	{ .ip = IP4(198, 18, 0, 1),
	  .port = 443,
	  .sni = "b.test",
	  .outcome = "ok",
	  .version = "TLSv1.3",
	  .cipher = "TLS_AES_128_GCM_SHA256",
	  .verify_ok = 1,
	  .hostname_match = 0,
	  .has_cert = 1,
	  .subject = "CN=a.test",
	  .issuer = "CN=CA",
	  .sha256 = SHA_A,
	  .days_to_expiry = 19,
	  .versions_tested = 0xF,
	  .versions_accepted = TLS_V12 | TLS_V13,
	  .time_us = 6 },
	/* .2:443, hostile self-signed, TLS 1.0 accepted */
	{ .ip = IP4(198, 18, 0, 2),
	  .port = 443,
	  .sni = "<i>x</i>",
	  .outcome = "ok",
	  .version = "TLSv1.2",
	  .cipher = "ECDHE-RSA-AES128-SHA",
	  .verify_ok = 0,
	  .verify_error = "self-signed certificate",
	  .hostname_match = 1,
	  .has_cert = 1,
	  .subject = "CN=<script>alert(1)</script>",
	  .issuer = "CN=<script>alert(1)</script>",
	  .sha256 = SHA_B,
	  .days_to_expiry = 3,
	  .expired = 1,
	  .self_signed = 1,
	  .versions_tested = 0xF,
	  .versions_accepted = TLS_V10 | TLS_V12,
	  .time_us = 7 },
	/* .3:443, plain HTTP */
	{ .ip = IP4(198, 18, 0, 3),
	  .port = 443,
	  .outcome = "not-tls",
	  .detail = "plain HTTP answer",
	  .verify_ok = -1,
	  .hostname_match = -1,
	  .time_us = 8 },
	/* .5:8443, TLS 1.1 negotiated, no version test; and garbage on a second name */
	{ .ip = IP4(198, 18, 0, 5),
	  .port = 8443,
	  .sni = NULL,
	  .outcome = "ok",
	  .version = "TLSv1.1",
	  .cipher = "AES256-SHA",
	  .verify_ok = 1,
	  .hostname_match = -1,
	  .has_cert = 1,
	  .subject = "CN=old",
	  .issuer = "CN=CA",
	  .sha256 = SHA_C,
	  .days_to_expiry = 400,
	  .time_us = 9 },
	{ .ip = IP4(198, 18, 0, 5),
	  .port = 8443,
	  .sni = "z.test",
	  .outcome = "not-tls",
	  .detail = "non-TLS data (first byte 0x53)",
	  .verify_ok = -1,
	  .hostname_match = -1,
	  .time_us = 10 },
};

static struct rs_summary sums[] = {
	{ .start_us = 2000000,
	  .end_us = 3000000,
	  .targets = 6,
	  .seed = 42,
	  .shard_k = 1,
	  .shard_n = 2 },
	{ .start_us = 1000000,
	  .end_us = 4000000,
	  .targets = 4,
	  .seed = 42,
	  .shard_k = 2,
	  .shard_n = 2,
	  .interrupted = 1 },
};

static struct result_set hand_set(void)
{
	struct result_set rs;

	results_init(&rs);
	rs.ports = ports;
	rs.nports = sizeof(ports) / sizeof(ports[0]);
	rs.tls = tls;
	rs.ntls = sizeof(tls) / sizeof(tls[0]);
	rs.sums = sums;
	rs.nsums = sizeof(sums) / sizeof(sums[0]);
	return rs;
}

static void test_model_counts_ports_and_scan(void **state)
{
	struct result_set rs = hand_set();
	struct report_model m;

	(void)state;
	assert_int_equal(report_model_build(&m, &rs), 0);
	assert_int_equal(m.open, 5);
	assert_int_equal(m.closed, 1);
	assert_int_equal(m.filtered, 1);
	assert_int_equal(m.hosts_open, 4);
	assert_int_equal(m.np443, 3); /* .4:443 is filtered */
	assert_true(addr_eq(m.p443[2], addr_from_v4(IP(198, 18, 0, 3))));
	assert_int_equal(m.summaries, 2);
	assert_int_equal(m.targets, 10);
	assert_int_equal(m.start_us, 1000000);
	assert_int_equal(m.end_us, 4000000);
	assert_int_equal(m.interrupted, 1);
	assert_int_equal(m.nseeds, 1);
	assert_int_equal(m.seeds[0], 42);
	report_model_free(&m);
}

static void test_model_counts_tls(void **state)
{
	struct result_set rs = hand_set();
	struct report_model m;

	(void)state;
	assert_int_equal(report_model_build(&m, &rs), 0);
	assert_int_equal(m.tls_records, 6);
	assert_int_equal(m.tls_endpoints, 4);
	assert_int_equal(m.tls_ok, 4);
	/* ok 4, not-tls 2 */
	assert_int_equal(m.outcomes.n, 2);
	assert_string_equal(m.outcomes.v[0].key, "ok");
	assert_int_equal(m.outcomes.v[0].n, 4);
	assert_string_equal(m.outcomes.v[1].key, "not-tls");
	/* most used first, then by name */
	assert_int_equal(m.versions.n, 3);
	assert_string_equal(m.versions.v[0].key, "TLSv1.3");
	assert_int_equal(m.versions.v[0].n, 2);
	assert_string_equal(m.versions.v[1].key, "TLSv1.1");
	assert_string_equal(m.versions.v[2].key, "TLSv1.2");
	assert_int_equal(m.ciphers.n, 3);
	assert_string_equal(m.ciphers.v[0].key, "TLS_AES_128_GCM_SHA256");
	assert_int_equal(m.tested, 3);
	assert_int_equal(m.accepted[0], 1);
	assert_int_equal(m.rejected[0], 2);
	assert_int_equal(m.accepted[2], 3);
	assert_int_equal(m.accepted[3], 2);
	assert_int_equal(m.rejected[3], 1);
	/* weak: .2 accepts TLSv1, .5 negotiated TLSv1.1 */
	assert_int_equal(m.weak.n, 2);
	assert_ptr_equal(m.weak.v[0], &tls[2]);
	assert_ptr_equal(m.weak.v[1], &tls[4]);
	assert_int_equal(m.self_signed.n, 1);
	assert_ptr_equal(m.self_signed.v[0], &tls[2]);
	assert_int_equal(m.mismatched.n, 1);
	assert_ptr_equal(m.mismatched.v[0], &tls[1]);
	assert_int_equal(m.untrusted.n, 1);
	assert_int_equal(m.verify_errors.n, 1);
	assert_string_equal(m.verify_errors.v[0].key, "self-signed certificate");
	/* only the "plain HTTP answer" not-tls counts */
	assert_int_equal(m.plain_http.n, 1);
	assert_ptr_equal(m.plain_http.v[0], &tls[3]);
	report_model_free(&m);
}

static void test_model_groups_certificates(void **state)
{
	struct result_set rs = hand_set();
	struct report_model m;

	(void)state;
	assert_int_equal(report_model_build(&m, &rs), 0);
	assert_int_equal(m.ncerts, 3);
	/* soonest first: B (expired flag), A (min of 20 and 19), C */
	assert_string_equal(m.certs[0].rec->sha256, SHA_B);
	assert_int_equal(m.certs[0].expired, 1);
	assert_string_equal(m.certs[1].rec->sha256, SHA_A);
	assert_int_equal(m.certs[1].days, 19);
	assert_int_equal(m.certs[1].endpoints, 2);
	assert_ptr_equal(m.certs[1].rec, &tls[0]); /* the earliest record */
	assert_string_equal(m.certs[2].rec->sha256, SHA_C);
	assert_int_equal(m.buckets[RP_EXPIRED], 1);
	assert_int_equal(m.buckets[RP_LT7], 0);
	assert_int_equal(m.buckets[RP_LT30], 1);
	assert_int_equal(m.buckets[RP_LT90], 0);
	assert_int_equal(m.buckets[RP_LATER], 1);
	/* issuers count distinct certificates, not endpoints */
	assert_int_equal(m.issuers.n, 2);
	assert_string_equal(m.issuers.v[0].key, "CN=CA");
	assert_int_equal(m.issuers.v[0].n, 2);
	assert_string_equal(m.issuers.v[1].key, "CN=<script>alert(1)</script>");
	report_model_free(&m);
}

static char *render(const struct result_set *rs, size_t top)
{
	static char *const files[] = { "a<b>.json" };
	struct report_opts o = { .top = top, .files = files, .nfiles = 1 };
	struct report_model m;
	struct strbuf b;

	sb_init(&b);
	assert_int_equal(report_model_build(&m, rs), 0);
	report_render(&b, &m, &o);
	report_model_free(&m);
	assert_false(b.oom);
	return b.p;
}

static void test_page_is_self_contained_and_escaped(void **state)
{
	struct result_set rs = hand_set();
	char *p = render(&rs, 50);

	(void)state;
	assert_non_null(strstr(p,
			       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
			       "'none'; style-src 'unsafe-inline'; img-src data:;"));
	assert_null(strstr(p, "<script"));
	assert_null(strstr(p, "src=\"http"));
	assert_null(strstr(p, "href="));
	assert_null(strstr(p, "<link"));
	assert_null(strstr(p, "@import"));
	assert_non_null(strstr(p, "<td>CN=&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
	assert_non_null(strstr(p, "data-sni=\"&lt;i&gt;x&lt;/i&gt;\""));
	assert_non_null(strstr(p, "<dd>a&lt;b&gt;.json</dd>"));
	assert_int_equal(strncmp(p, "<!DOCTYPE html>\n", 16), 0);
	assert_non_null(strstr(p, "</html>\n"));
	free(p);
}

static void test_page_carries_the_counts(void **state)
{
	struct result_set rs = hand_set();
	char *p = render(&rs, 50);

	(void)state;
	assert_non_null(strstr(p, "data-count=\"hosts-443\">3</span>"));
	assert_non_null(strstr(p, "data-count=\"open\">5</span>"));
	assert_non_null(strstr(p, "data-count=\"closed\">1</span>"));
	assert_non_null(strstr(p, "data-count=\"filtered\">1</span>"));
	assert_non_null(strstr(p, "data-count=\"targets\">10</span>"));
	assert_non_null(strstr(p, "data-count=\"tls-ok\">4</span>"));
	assert_non_null(strstr(p, "data-count=\"weak\">2</span>"));
	assert_non_null(strstr(p, "data-count=\"self-signed\">1</span>"));
	assert_non_null(strstr(p, "data-count=\"mismatched\">1</span>"));
	assert_non_null(strstr(p, "data-count=\"plain-http\">1</span>"));
	assert_non_null(strstr(p, "data-count=\"certs\">3</span>"));
	assert_non_null(strstr(p, "data-count=\"expired\">1</span>"));
	assert_non_null(strstr(p, "<tr data-key=\"TLSv1.3\" data-n=\"2\"><td>TLSv1.3</td>"));
	assert_non_null(strstr(p, "<tr data-key=\"TLSv1\" data-n=\"1\" data-refused=\"2\">"));
	assert_non_null(strstr(p, "<tr data-key=\"198.18.0.1:443\" data-sni=\"b.test\">"));
	assert_non_null(
		strstr(p, "<tr data-key=\"198.18.0.3:443\"><td class=\"ep\">198.18.0.3:443</td>"
			  "<td></td><td>plain HTTP answer</td></tr>"));
	assert_non_null(strstr(p, "<span data-seed=\"42\">42</span>"));
	assert_non_null(strstr(p, "<span data-shard=\"2/2\">2/2</span>"));
	assert_non_null(strstr(p, "data-flag=\"interrupted\""));
	/* the chart: one bar per bucket, labelled axes */
	assert_non_null(strstr(p, "<rect data-bucket=\"expired\" data-n=\"1\""));
	assert_non_null(strstr(p, "<rect data-bucket=\"lt30\" data-n=\"1\""));
	assert_non_null(strstr(p, "<rect data-bucket=\"lt7\" data-n=\"0\""));
	assert_non_null(strstr(p, ">days to expiry (at scan time)</text>"));
	assert_non_null(strstr(p, ">certificates</text>"));
	assert_non_null(strstr(p, "<tr data-key=\"" SHA_A
				  "\" data-days=\"19\" data-bucket=\"lt30\" data-n=\"2\">"));
	free(p);
}

static void test_page_bounds_tables_with_and_n_more(void **state)
{
	struct result_set rs = hand_set();
	char *p = render(&rs, 1);

	(void)state;
	/* 3 hosts on 443, 1 shown */
	assert_non_null(strstr(
		p,
		"<tr class=\"more\" data-more=\"hosts-443\" data-n=\"2\"><td colspan=\"6\">and 2 more</td></tr>"));
	assert_non_null(strstr(p, "data-more=\"versions\" data-n=\"2\""));
	assert_non_null(strstr(p, "data-more=\"certs\" data-n=\"2\""));
	assert_non_null(strstr(p, "data-more=\"weak\" data-n=\"1\""));
	assert_null(strstr(p, "data-more=\"self-signed\""));
	/* the counts stay whole */
	assert_non_null(strstr(p, "data-count=\"hosts-443\">3</span>"));
	free(p);
}

static void test_page_of_an_empty_set(void **state)
{
	struct result_set rs;
	char *p;

	(void)state;
	results_init(&rs);
	p = render(&rs, 50);
	assert_non_null(strstr(p, "data-count=\"hosts-443\">0</span>"));
	assert_non_null(strstr(p, "data-count=\"certs\">0</span>"));
	assert_non_null(strstr(p, "<rect data-bucket=\"later\" data-n=\"0\""));
	assert_non_null(strstr(p, "<td colspan=\"2\">none</td>"));
	free(p);
}

/* The command end to end through results_load. */
static char dir[] = "/tmp/portus-test-report-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static int run(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[6] = { "report" };
	int argc = 1;
	const char *in[] = { a1, a2, a3, a4 };
	char paths[4][256];

	for (int i = 0; i < 4 && in[i] != NULL; i++) {
		if (in[i][0] == '@') { /* a file in dir */
			snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, in[i] + 1);
			argv[argc++] = paths[i];
		} else {
			argv[argc++] = (char *)(uintptr_t)in[i];
		}
	}
	return portus_report_main(argc, argv);
}

static char *slurp(const char *name)
{
	char path[256];
	static char buf[1 << 16];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

#define PORT443(ip)                                                                               \
	"{\"type\":\"port\",\"ip\":\"" ip "\",\"port\":443,\"proto\":\"tcp\",\"state\":\"open\"," \
	"\"reason\":\"syn-ack\",\"ttl\":64,\"time\":\"2026-11-23T10:00:00.000000Z\"}\n"

static void test_command_reads_files_and_dedupes(void **state)
{
	char *p;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put("a.json", PORT443("198.18.0.1") PORT443("198.18.0.2"));
	put("b.json", PORT443("198.18.0.2") PORT443("198.18.0.3"));
	assert_int_equal(run("-o", "@out.html", "@a.json", "@b.json"), 0);
	assert_non_null(p = slurp("out.html"));
	assert_non_null(strstr(p, "data-count=\"hosts-443\">3</span>"));
	assert_non_null(strstr(p, "data-count=\"open\">3</span>"));
	assert_null(slurp("out.html.tmp"));
}

/* IPv6 endpoints through the command: counted with the IPv4 ones, listed
 * after them, the endpoint column and data-key as [ADDRESS]:PORT. */
static void test_command_ipv6_endpoints(void **state)
{
	char *p, *v4, *v6;

	(void)state;
	put("v6.json",
	    PORT443("2001:db8::1") PORT443("2001:DB8::1") PORT443("198.18.0.9") PORT443(
		    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe") "{\"type\":\"tls\",\"ip\":\"2001:db8::1\",\"port\":443,\"sni\":null,\"outcome\":"
							       "\"not-tls\",\"detail\":\"plain HTTP answer\",\"verify_ok\":null,\"hostname_match\":null,"
							       "\"cert\":null,\"time\":\"2026-11-23T10:00:00.000000Z\"}\n");
	assert_int_equal(run("-o", "@v6.html", "@v6.json", NULL), 0);
	assert_non_null(p = slurp("v6.html"));
	assert_non_null(strstr(p, "data-count=\"hosts-443\">3</span>"));
	assert_non_null(strstr(p, "data-count=\"hosts-open\">3</span>"));
	assert_non_null(strstr(p, "data-count=\"plain-http\">1</span>"));
	v4 = strstr(p, "<tr data-key=\"198.18.0.9\"><td class=\"ep\">198.18.0.9</td>");
	/* no names: an empty names cell */
	v6 = strstr(p, "<tr data-key=\"2001:db8::1\"><td class=\"ep\">2001:db8::1</td><td></td>"
		       "<td>not-tls</td>");
	assert_non_null(v4);
	assert_non_null(v6);
	assert_true(v4 < v6);
	assert_non_null(strstr(p, "<tr data-key=\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe\">"));
	assert_non_null(strstr(p,
			       "<tr data-key=\"[2001:db8::1]:443\"><td class=\"ep\">"
			       "[2001:db8::1]:443</td><td></td><td>plain HTTP answer</td></tr>"));
}

static void test_command_refuses_bad_input(void **state)
{
	(void)state;
	put("bad.json", PORT443("198.18.0.1") "{\"type\":\"port\",\"ip\":\"198.18.0.300\"}\n");
	assert_int_equal(run("-o", "@bad.html", "@bad.json", NULL), 2);
	assert_null(slurp("bad.html"));
	assert_int_equal(run("-o", "@x.html", "@missing.json", NULL), 2);
	assert_int_equal(run("-o", "@x.html", NULL, NULL), 2);
	assert_int_equal(run("--top", "0", "@a.json", NULL), 2);
	assert_int_equal(run("--top", "100001", "@a.json", NULL), 2);
	assert_int_equal(run("--bogus", "@a.json", NULL, NULL), 2);
	assert_int_equal(run("-o", "/nonexistent-dir/r.html", "@a.json", NULL), 1);
	assert_null(slurp("x.html"));
}

static void test_command_cleanup(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escapes_markup_characters),
		cmocka_unit_test(test_html_replaces_controls_and_bad_utf8),
		cmocka_unit_test(test_html_cuts_at_max_code_points),
		cmocka_unit_test(test_bucket_boundaries),
		cmocka_unit_test(test_model_counts_ports_and_scan),
		cmocka_unit_test(test_model_counts_tls),
		cmocka_unit_test(test_model_groups_certificates),
		cmocka_unit_test(test_page_is_self_contained_and_escaped),
		cmocka_unit_test(test_page_carries_the_counts),
		cmocka_unit_test(test_page_bounds_tables_with_and_n_more),
		cmocka_unit_test(test_page_of_an_empty_set),
		cmocka_unit_test(test_command_reads_files_and_dedupes),
		cmocka_unit_test(test_command_ipv6_endpoints),
		cmocka_unit_test(test_command_refuses_bad_input),
		cmocka_unit_test(test_command_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
