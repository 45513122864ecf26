/*
 * test_results.c — the strict JSON reader (src/results/jsonread.c) and
 * results_load (src/results/reader.c): records of every type read back exactly, and
 * hostile lines (truncated, invalid UTF-8, deep nesting, huge numbers,
 * duplicate keys, lone surrogates, overlong lines) refused with a one-line
 * error naming file and line.
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

#include "result_file.h"
#include "results/jsonread.h"
#include "scan_record.h"
#include "table.h"
#include "tls_json.h"
#include "tls_record.h"
#include "writer.h"

#define PORT_LINE                                                                            \
	"{\"type\":\"port\",\"ip\":\"198.18.0.10\",\"port\":22,\"proto\":\"tcp\",\"state\":" \
	"\"open\",\"reason\":\"syn-ack\",\"ttl\":64,\"time\":\"2026-11-23T10:00:00.123456Z\"}"
#define SUMMARY_LINE                                                                             \
	"{\"type\":\"summary\",\"start\":\"2026-01-01T00:00:00.000000Z\",\"end\":"               \
	"\"2026-01-01T00:00:02.500000Z\",\"elapsed_s\":2.500,\"targets\":10,\"hosts\":5,"        \
	"\"hosts_down\":1,\"open\":2,\"closed\":3,\"filtered\":4,\"probes_sent\":11,"            \
	"\"rate_pps\":4.4,\"pcap_received\":7,\"pcap_dropped\":0,\"if_dropped\":0,\"passes\":1," \
	"\"seed\":18446744073709551615,\"shard\":\"2/3\",\"interrupted\":false}"
#define TLS_LINE                                                                                   \
	"{\"type\":\"tls\",\"ip\":\"198.18.0.12\",\"port\":443,\"sni\":\"caf\\u00e9.test\","       \
	"\"outcome\":\"ok\",\"alert\":null,\"detail\":null,\"tls_version\":\"TLSv1.2\","           \
	"\"cipher\":\"ECDHE-RSA-AES128-GCM-SHA256\",\"alpn\":null,\"group\":\"x25519\","           \
	"\"verify_ok\":false,\"verify_error\":\"self-signed certificate\",\"hostname_match\":"     \
	"true,\"cert\":{\"subject\":\"CN=a\",\"issuer\":\"CN=a\",\"subject_cn\":[\"a\"],"          \
	"\"san_dns\":[\"a\",\"b\\ud83d\\ude00\"],\"san_ip\":[],\"serial\":\"0A\",\"not_before\":"  \
	"\"2026-01-01T00:00:00.000000Z\",\"not_after\":\"2026-02-01T00:00:00.000000Z\","           \
	"\"days_to_expiry\":-3,\"expired\":true,\"not_yet_valid\":false,\"self_signed\":true,"     \
	"\"signature_algorithm\":\"sha256WithRSAEncryption\",\"key_algorithm\":\"RSA\","           \
	"\"key_bits\":2048,\"key_curve\":null,\"sha256\":"                                         \
	"\"00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\",\"sha1\":"           \
	"\"00112233445566778899AABBCCDDEEFF00112233\"},\"chain\":[],\"chain_length\":1,"           \
	"\"http_status\":null,\"http_server\":null,\"versions_accepted\":[\"TLSv1\",\"TLSv1.2\"]," \
	"\"versions_rejected\":[\"TLSv1.3\"],\"truncated\":false,\"truncated_fields\":[],"         \
	"\"invalid_utf8_fields\":[],\"time\":\"2026-01-01T00:00:01.000000Z\"}"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/portus-results-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes len bytes to DIR/name; returns the path (static buffer). */
static const char *put(const char *name, const char *data, size_t len)
{
	static char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	return path;
}

/* Loads text as a file; returns results_load's status, err with the path cut. */
static int load(struct result_set *rs, const char *text, size_t len, char *err, size_t errlen)
{
	const char *path = put("in.json", text, len);
	char full[512];
	int r;

	results_init(rs);
	full[0] = '\0';
	r = results_load(rs, path, full, sizeof(full));
	if (r != 0) {
		const char *p = strstr(full, "in.json");

		snprintf(err, errlen, "%s", p != NULL ? p : full);
	}
	return r;
}

static void expect_error(const char *text, size_t len, const char *want)
{
	struct result_set rs;
	char err[512] = "";

	if (load(&rs, text, len, err, sizeof(err)) == 0)
		fail_msg("accepted: %.200s", text);
	assert_string_equal(err, want);
	results_free(&rs);
}

static void test_reads_port_record_exactly(void **state)
{
	static const char text[] = PORT_LINE
		"\n"
		"{\"type\":\"port\",\"ip\":\"198.19.2.7\",\"port\":8081,\"proto\":\"tcp\",\"state\":"
		"\"filtered\",\"reason\":\"host-unreach\",\"ttl\":63,\"reason_ip\":\"198.18.0.254\","
		"\"time\":\"1970-01-01T00:00:00.000001Z\"}\n";
	struct result_set rs;
	char err[256];

	(void)state;
	assert_int_equal(load(&rs, text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(rs.nports, 2);
	assert_true(addr_eq(rs_port_ip(&rs, &rs.ports[0]), addr_from_v4(0xc612000a)));
	assert_int_equal(rs.ports[0].port, 22);
	assert_int_equal(rs.ports[0].state, PS_OPEN);
	assert_int_equal(rs.ports[0].reason, R_SYN_ACK);
	assert_int_equal(rs.ports[0].ttl, 64);
	assert_true(addr_is_zero(rs_port_reason_ip(&rs, &rs.ports[0])));
	assert_true(rs.ports[0].time_us == INT64_C(1795428000123456));
	assert_int_equal(rs.ports[1].state, PS_FILTERED);
	assert_int_equal(rs.ports[1].reason, R_HOST_UNREACH);
	assert_true(addr_eq(rs_port_reason_ip(&rs, &rs.ports[1]), addr_from_v4(0xc61200fe)));
	assert_true(rs.ports[1].time_us == 1);
	results_free(&rs);
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

/* IPv6 in every record type; any RFC 4291 form is read (portus writes RFC
 * 5952), and ::ffff:a.b.c.d is the IPv4 address. */
static void test_reads_ipv6_records(void **state)
{
	static const char text[] =
		"{\"type\":\"port\",\"ip\":\"2001:db8::1\",\"port\":22,\"proto\":\"tcp\","
		"\"state\":\"filtered\",\"reason\":\"no-route\",\"ttl\":63,"
		"\"reason_ip\":\"2001:db8:0:1::fe\",\"time\":\"1970-01-01T00:00:00.000001Z\"}\n"
		"{\"type\":\"port\",\"ip\":\"2001:DB8:0:0:0:0:0:1\",\"port\":80,\"proto\":\"tcp\","
		"\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,"
		"\"time\":\"1970-01-01T00:00:00.000001Z\"}\n"
		"{\"type\":\"port\",\"ip\":\"::ffff:198.18.0.10\",\"port\":80,\"proto\":\"tcp\","
		"\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,"
		"\"time\":\"1970-01-01T00:00:00.000001Z\"}\n"
		"{\"type\":\"host\",\"ip\":\"2001:db8::23\",\"state\":\"down\","
		"\"reason\":\"no-nd-response\",\"time\":\"2026-01-01T00:00:00.000000Z\"}\n"
		"{\"type\":\"host\",\"ip\":\"2001:db8::1\",\"state\":\"up\","
		"\"reason\":\"nd-response\",\"time\":\"2026-01-01T00:00:00.000000Z\"}\n";
	char tls[sizeof(TLS_LINE) + 64];
	struct result_set rs;
	char err[256];
	const char *at;

	(void)state;
	assert_int_equal(load(&rs, text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(rs.nports, 3);
	assert_true(addr_eq(rs_port_ip(&rs, &rs.ports[0]), A6("2001:db8::1")));
	assert_int_equal(rs.ports[0].reason, R_NO_ROUTE);
	assert_int_equal(rs.ports[0].ttl, 63);
	assert_true(addr_eq(rs_port_reason_ip(&rs, &rs.ports[0]), A6("2001:db8:0:1::fe")));
	assert_true(addr_eq(rs_port_ip(&rs, &rs.ports[1]), A6("2001:db8::1")));
	assert_true(addr_is_zero(rs_port_reason_ip(&rs, &rs.ports[1])));
	assert_true(addr_is_v4(rs_port_ip(&rs, &rs.ports[2])));
	assert_int_equal(addr_v4(rs_port_ip(&rs, &rs.ports[2])), 0xc612000a);
	assert_int_equal(rs.nhosts, 2);
	assert_true(addr_eq(rs.hosts[0].ip, A6("2001:db8::23")));
	assert_int_equal(rs.hosts[0].reason, R_NO_ND);
	assert_int_equal(rs.hosts[1].up, 1);
	assert_int_equal(rs.hosts[1].reason, R_ND_RESPONSE);
	results_free(&rs);
	/* A TLS record of an IPv6 endpoint: the address read, the line kept. */
	at = strstr(TLS_LINE, "198.18.0.12");
	assert_non_null(at);
	snprintf(tls, sizeof(tls), "%.*s2001:db8::443%s\n", (int)(at - TLS_LINE), TLS_LINE,
		 at + strlen("198.18.0.12"));
	assert_int_equal(load(&rs, tls, strlen(tls), err, sizeof(err)), 0);
	assert_int_equal(rs.ntls, 1);
	assert_true(addr_eq(rs.tls[0].ip, A6("2001:db8::443")));
	assert_non_null(strstr(rs.tls[0].line, "\"ip\":\"2001:db8::443\""));
	results_free(&rs);
}

static void test_refuses_bad_ipv6_addresses(void **state)
{
	static const char *const bad[] = {
		"2001:db8::1%eth0",
		"[2001:db8::1]",
		"2001:db8:::1",
		"2001:db8::1::2",
		"1:2:3:4:5:6:7:8:9",
		"2001:db8::g",
		"12345::",
		":",
		"::",
		"2001:db8::1 ",
	};
	char text[256], want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"type\":\"host\",\"ip\":\"%s\"}\n", bad[i]);
		snprintf(want, sizeof(want),
			 "in.json:1: host record with a bad \"ip\" (an IPv6 "
			 "address in RFC 4291 text form expected)");
		expect_error(text, strlen(text), want);
	}
	/* reason_ip "::" would be "none": refused rather than dropped. */
	snprintf(
		text, sizeof(text),
		"{\"type\":\"port\",\"ip\":\"2001:db8::1\",\"port\":22,\"proto\":\"tcp\","
		"\"state\":\"filtered\",\"reason\":\"no-route\",\"ttl\":63,\"reason_ip\":\"::\"}\n");
	expect_error(text, strlen(text),
		     "in.json:1: port record with a bad \"reason_ip\" (an IPv6 address in RFC 4291 "
		     "text form expected)");
}

/* What the native writer writes, read back: every field equal, IPv6 (the
 * longest address too) and IPv4 alike. */
static void test_native_round_trip(void **state)
{
	struct port_record p[] = {
		{ .ip = A6("2001:db8::1"),
		  .port = 443,
		  .state = PS_OPEN,
		  .reason = R_SYN_ACK,
		  .has_reply = 1,
		  .ttl = 64,
		  .time_us = INT64_C(1795428000123456) },
		{ .ip = A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"),
		  .port = 65535,
		  .state = PS_FILTERED,
		  .reason = R_BEYOND_SCOPE,
		  .has_reply = 1,
		  .ttl = 255,
		  .reason_ip = A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd"),
		  .time_us = 1 },
		{ .ip = A6("2001:db8::2"),
		  .port = 22,
		  .state = PS_FILTERED,
		  .reason = R_NO_RESPONSE,
		  .time_us = 2 },
		{ .ip = A6("::1"),
		  .port = 1,
		  .state = PS_CLOSED,
		  .reason = R_RESET,
		  .has_reply = 1,
		  .ttl = 0,
		  .time_us = 3 },
		{ .ip = addr_from_v4(0xc612000a),
		  .port = 8081,
		  .state = PS_FILTERED,
		  .reason = R_ADMIN_PROHIBITED,
		  .has_reply = 1,
		  .ttl = 63,
		  .reason_ip = addr_from_v4(0xc61200fe),
		  .time_us = 4 },
	};
	struct host_record h[] = {
		{ .ip = A6("2001:db8::1"), .up = 1, .reason = R_ND_RESPONSE, .time_us = 5 },
		{ .ip = A6("2001:db8:0:1::23"), .up = 0, .reason = R_NO_ND, .time_us = 6 },
	};
	struct tls_result t;
	char path[128], err[256];
	struct result_set rs;
	struct writer *w;
	size_t i;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.ip = A6("2001:db8::1");
	t.port = 443;
	t.outcome = TLS_TIMEOUT;
	t.end_us = 7;
	snprintf(path, sizeof(path), "%s/native.json", dir);
	w = writer_ndjson_open(path, 0, err, sizeof(err));
	assert_non_null(w);
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		assert_int_equal(w->ops->port(w, &p[i]), 0);
	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		assert_int_equal(w->ops->host(w, &h[i]), 0);
	assert_int_equal(w->ops->tls(w, &t), 0);
	assert_int_equal(w->ops->close(w), 0);
	results_init(&rs);
	if (results_load(&rs, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(rs.nports, sizeof(p) / sizeof(p[0]));
	for (i = 0; i < rs.nports; i++) {
		assert_true(addr_eq(rs_port_ip(&rs, &rs.ports[i]), p[i].ip));
		assert_int_equal(rs.ports[i].port, p[i].port);
		assert_int_equal(rs.ports[i].state, p[i].state);
		assert_int_equal(rs.ports[i].reason, p[i].reason);
		assert_int_equal(rs.ports[i].ttl, p[i].has_reply ? p[i].ttl : -1);
		assert_true(addr_eq(rs_port_reason_ip(&rs, &rs.ports[i]), p[i].reason_ip));
		assert_true(rs.ports[i].time_us == p[i].time_us);
	}
	assert_int_equal(rs.nhosts, 2);
	for (i = 0; i < rs.nhosts; i++) {
		assert_true(addr_eq(rs.hosts[i].ip, h[i].ip));
		assert_int_equal(rs.hosts[i].up, h[i].up);
		assert_int_equal(rs.hosts[i].reason, h[i].reason);
		assert_true(rs.hosts[i].time_us == h[i].time_us);
	}
	assert_int_equal(rs.ntls, 1);
	assert_true(addr_eq(rs.tls[0].ip, t.ip));
	assert_int_equal(rs.tls[0].port, 443);
	assert_string_equal(rs.tls[0].outcome, "timeout");
	results_free(&rs);
	unlink(path);
}

static void test_reads_summary_with_uint64_seed(void **state)
{
	static const char text[] = SUMMARY_LINE "\n";
	struct result_set rs;
	char err[256];

	(void)state;
	assert_int_equal(load(&rs, text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(rs.nsums, 1);
	assert_true(rs.sums[0].seed == UINT64_MAX);
	assert_int_equal(rs.sums[0].shard_k, 2);
	assert_int_equal(rs.sums[0].shard_n, 3);
	assert_int_equal(rs.sums[0].targets, 10);
	assert_int_equal(rs.sums[0].filtered, 4);
	assert_true(rs.sums[0].end_us - rs.sums[0].start_us == 2500000);
	assert_true(rs.sums[0].rate_pps > 4.39 && rs.sums[0].rate_pps < 4.41);
	assert_non_null(strstr(rs.sum_files[0], "in.json"));
	results_free(&rs);
}

static void test_reads_tls_record_and_keeps_line(void **state)
{
	static const char text[] = TLS_LINE "\n";
	struct result_set rs;
	char err[256];

	(void)state;
	assert_int_equal(load(&rs, text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(rs.ntls, 1);
	assert_string_equal(rs.tls[0].sni, "caf\xc3\xa9.test");
	assert_string_equal(rs.tls[0].outcome, "ok");
	assert_null(rs.tls[0].alert);
	assert_string_equal(rs.tls[0].version, "TLSv1.2");
	assert_int_equal(rs.tls[0].verify_ok, 0);
	assert_int_equal(rs.tls[0].hostname_match, 1);
	assert_int_equal(rs.tls[0].has_cert, 1);
	assert_int_equal(rs.tls[0].n_san_dns, 2);
	assert_string_equal(rs.tls[0].san_dns[1], "b\xf0\x9f\x98\x80");
	assert_true(rs.tls[0].not_after == 1769904000);
	assert_true(rs.tls[0].days_to_expiry == -3);
	assert_int_equal(rs.tls[0].key_bits, 2048);
	assert_int_equal(rs.tls[0].versions_tested, TLS_V10 | TLS_V12 | TLS_V13);
	assert_int_equal(rs.tls[0].versions_accepted, TLS_V10 | TLS_V12);
	assert_string_equal(rs.tls[0].line, TLS_LINE);
	results_free(&rs);
}

static void test_refuses_hostile_lines(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "{\"type\":\"port\",\"ip\":\"198.18.0.10\"\n",
		  "in.json:1: invalid JSON: byte 34: unterminated object" },
		{ "{\"type\":\"port\",\"ip\":\"198.18.0.\xff\"}\n",
		  "in.json:1: invalid JSON: byte 31: invalid UTF-8" },
		{ "{\"type\":\"port\",\"ip\":\"\xed\xa0\x80\"}\n",
		  "in.json:1: invalid JSON: byte 22: invalid UTF-8" },
		{ "{\"type\":\"port\",\"type\":\"host\"}\n",
		  "in.json:1: invalid JSON: byte 22: duplicate key" },
		{ "{\"type\":\"port\",\"x\":\"\\ud800\"}\n",
		  "in.json:1: invalid JSON: byte 27: lone high surrogate in \\u escape" },
		{ "{\"type\":\"port\",\"x\":\"\\udc00\\ud800\"}\n",
		  "in.json:1: invalid JSON: byte 27: lone low surrogate in \\u escape" },
		{ "{\"type\":\"port\",\"x\":1e999}\n",
		  "in.json:1: invalid JSON: byte 20: number out of range" },
		{ "{\"type\":\"port\",\"x\":01}\n",
		  "in.json:1: invalid JSON: byte 21: expected ',' or '}'" },
		{ "{\"type\":\"port\",\"x\":\"a\tb\"}\n",
		  "in.json:1: invalid JSON: byte 22: control character in string" },
		{ "{\"type\":\"port\"} {}\n",
		  "in.json:1: invalid JSON: byte 17: text after the JSON value" },
		{ "[1]\n", "in.json:1: not a JSON object" },
		{ "{\"a\":1}\n", "in.json:1: record without a \"type\" string" },
		{ "{\"type\":\"event\"}\n",
		  "in.json:1: unknown record type \"event\" (not portus native NDJSON?)" },
		{ "{\"type\":\"port\",\"ip\":\"198.18.0.10\",\"port\":22,\"proto\":\"tcp\"}\n",
		  "in.json:1: port record without \"state\"" },
		{ "{\"type\":\"port\",\"ip\":\"198.18.0.10\",\"port\":65536}\n",
		  "in.json:1: port record with a bad \"port\" (an integer in range expected)" },
		{ "{\"type\":\"port\",\"ip\":\"198.18.0.10\",\"port\":18446744073709551616}\n",
		  "in.json:1: port record with a bad \"port\" (an integer in range expected)" },
		{ "{\"type\":\"port\",\"ip\":\"198.018.0.10\"}\n",
		  "in.json:1: port record with a bad \"ip\" (a dotted-quad IPv4 address expected)" },
		{ "{\"type\":\"host\",\"ip\":\"198.18.0.10\",\"state\":\"up\",\"reason\":\"none\"}\n",
		  "in.json:1: host record with a bad \"reason\" (a reason name expected)" },
		{ PORT_LINE
		  "\n{\"type\":\"port\",\"ip\":\"198.18.0.10\",\"port\":22,\"proto\":\"tcp\","
		  "\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64,\"time\":"
		  "\"2026-02-30T00:00:00.000000Z\"}\n",
		  "in.json:2: port record with a bad \"time\" (an RFC 3339 UTC time with "
		  "microseconds expected)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].text, strlen(cases[i].text), cases[i].err);
}

static void test_refuses_deep_nesting(void **state)
{
	char text[200];
	size_t n = 0;

	(void)state;
	n += (size_t)sprintf(text, "{\"type\":\"port\",\"x\":");
	for (int i = 0; i < 20; i++)
		text[n++] = '[';
	text[n++] = '\n';
	expect_error(text, n, "in.json:1: invalid JSON: byte 35: nested too deep");
}

static void test_refuses_nul_byte_and_long_line(void **state)
{
	static const char nul[] = "{\"type\":\"port\",\"x\":\"a\0b\"}\n";
	char *big = malloc(RESULTS_MAX_LINE + 2);

	(void)state;
	expect_error(nul, sizeof(nul) - 1,
		     "in.json:1: invalid JSON: byte 22: control character in string");
	assert_non_null(big);
	memset(big, ' ', RESULTS_MAX_LINE + 1);
	big[RESULTS_MAX_LINE + 1] = '\n';
	expect_error(big, RESULTS_MAX_LINE + 2, "in.json:1: line longer than 1048576 bytes");
	free(big);
}

static void test_cut_last_line_is_a_warning(void **state)
{
	static const char text[] = PORT_LINE "\n" PORT_LINE "\n{\"type\":\"port\",\"ip\":\"19";
	struct result_set rs;
	char err[256];

	(void)state;
	assert_int_equal(load(&rs, text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(rs.nports, 2);
	assert_int_equal(rs.warnings, 1);
	results_free(&rs);
	/* A complete last object without its newline is a record, not a cut. */
	assert_int_equal(load(&rs, PORT_LINE, strlen(PORT_LINE), err, sizeof(err)), 0);
	assert_int_equal(rs.nports, 1);
	assert_int_equal(rs.warnings, 0);
	results_free(&rs);
}

static void test_blank_lines_and_unknown_keys_are_ignored(void **state)
{
	static const char text[] = "\n  \r\n{\"type\":\"host\",\"ip\":\"198.18.0.13\",\"state\":"
				   "\"down\",\"reason\":\"no-arp-response\",\"new_key\":[{}],"
				   "\"time\":\"2026-01-01T00:00:00.000000Z\"}\r\n";
	struct result_set rs;
	char err[256];

	(void)state;
	assert_int_equal(load(&rs, text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(rs.nhosts, 1);
	assert_int_equal(rs.hosts[0].up, 0);
	assert_int_equal(rs.hosts[0].reason, R_NO_ARP);
	results_free(&rs);
}

static void test_missing_file_is_an_error(void **state)
{
	struct result_set rs;
	char err[256];

	(void)state;
	results_init(&rs);
	assert_int_equal(results_load(&rs, "/nonexistent/x.json", err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/x.json: No such file or directory");
	results_free(&rs);
}

static void test_jsonread_numbers_and_escapes(void **state)
{
	static const char text[] = "{\"a\":-9223372036854775808,\"b\":1.5,\"c\":\"\\u0000\\/\\n\","
				   "\"d\":-0,\"e\":[true,false,null]}";
	struct jr_doc doc;
	char err[128];
	int64_t x;
	const struct jr_value *v;

	(void)state;
	assert_int_equal(jr_parse(&doc, text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(jr_int(jr_get(doc.root, "a"), INT64_MIN, INT64_MAX, &x), 0);
	assert_true(x == INT64_MIN);
	assert_int_equal(jr_int(jr_get(doc.root, "b"), INT64_MIN, INT64_MAX, &x), -1);
	v = jr_get(doc.root, "c");
	assert_string_equal(v->s, "\xef\xbf\xbd/\n");
	assert_int_equal(jr_int(jr_get(doc.root, "d"), 0, 0, &x), 0);
	assert_int_equal(jr_get(doc.root, "e")->n, 3);
	assert_null(jr_get(doc.root, "zz"));
	jr_free(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_port_record_exactly),
		cmocka_unit_test(test_reads_ipv6_records),
		cmocka_unit_test(test_refuses_bad_ipv6_addresses),
		cmocka_unit_test(test_native_round_trip),
		cmocka_unit_test(test_reads_summary_with_uint64_seed),
		cmocka_unit_test(test_reads_tls_record_and_keeps_line),
		cmocka_unit_test(test_refuses_hostile_lines),
		cmocka_unit_test(test_refuses_deep_nesting),
		cmocka_unit_test(test_refuses_nul_byte_and_long_line),
		cmocka_unit_test(test_cut_last_line_is_a_warning),
		cmocka_unit_test(test_blank_lines_and_unknown_keys_are_ignored),
		cmocka_unit_test(test_missing_file_is_an_error),
		cmocka_unit_test(test_jsonread_numbers_and_escapes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
