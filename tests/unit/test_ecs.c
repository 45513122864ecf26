/*
 * test_ecs.c — the Elastic Common Schema records (src/output/ecs*.c) and the
 * DN walker behind x509.subject.* (src/tls/dn.c): exact bytes of port,
 * host and run records (event ids computed independently with Python's
 * hashlib), TLS records built by hand, hostile certificate strings, the size
 * cap, and the writer's start record and --open filter.
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

#include "json_validator.h"
#include "output/ecs.h"
#include "portus.h"
#include "tls/dn.h"
#include "tls_checks_fill.h"
#include "writer.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define IP4(a, b, c, d) addr_from_v4(IP(a, b, c, d))

/* An IPv6 address from its text (the test's own constants: must parse). */
static ip_addr A6(const char *s)
{
	const char *why = NULL;
	ip_addr a = addr_zero();

	if (addr_parse(s, strlen(s), &a, &why) != 0)
		fail_msg("bad test address %s: %s", s, why);
	return a;
}

/* ---- dn_walk ---- */

struct dn_seen {
	char out[512];
	size_t n;
};

static void dn_collect(void *ctx, const char *type, size_t type_len, const unsigned char *val,
		       size_t val_len)
{
	struct dn_seen *s = ctx;
	size_t used = strlen(s->out);

	snprintf(s->out + used, sizeof(s->out) - used, "[%.*s=", (int)type_len, type);
	used = strlen(s->out);
	for (size_t i = 0; i < val_len && used + 5 < sizeof(s->out); i++) {
		if (val[i] >= 0x20 && val[i] < 0x7f)
			s->out[used++] = (char)val[i];
		else
			used += (size_t)snprintf(s->out + used, 5, "<%02x>", val[i]);
	}
	s->out[used] = '\0';
	strncat(s->out, "]", sizeof(s->out) - strlen(s->out) - 1);
	s->n++;
}

static void dn_case(const char *dn, size_t expect_n, const char *expect)
{
	struct dn_seen s;
	unsigned char scratch[512];
	size_t n;

	memset(&s, 0, sizeof(s));
	n = dn_walk((const unsigned char *)dn, strlen(dn), scratch, dn_collect, &s);
	assert_int_equal(n, expect_n);
	assert_string_equal(s.out, expect);
}

static void test_dn_walk_unescapes_and_splits(void **state)
{
	(void)state;
	dn_case("CN=a,O=Example Inc,C=DE", 3, "[CN=a][O=Example Inc][C=DE]");
	/* escaped specials stay inside the value */
	dn_case("CN=a\\,b\\+c\\\"d\\\\e,O=x", 2, "[CN=a,b+c\"d\\e][O=x]");
	/* multi-valued RDN */
	dn_case("CN=a+OU=web,O=x", 3, "[CN=a][OU=web][O=x]");
	/* hex escapes give bytes, including NUL and invalid UTF-8 */
	dn_case("CN=a\\00b\\FFc", 1, "[CN=a<00>b<ff>c]");
	/* an unknown type dumped as #hex passes through */
	dn_case("2.5.4.97=#0C0461626364,CN=x", 2, "[2.5.4.97=#0C0461626364][CN=x]");
	/* malformed pieces are skipped; a cut escape does not read past the end */
	dn_case("garbage,CN=ok,=novalue", 1, "[CN=ok]");
	dn_case("CN=cut\\", 1, "[CN=cut]");
	dn_case("CN=cut\\4", 1, "[CN=cut4]");
	dn_case("", 0, "");
	/* leading space and '#' escapes */
	dn_case("CN=\\ x\\#", 1, "[CN= x#]");
}

/* ---- fixed run ---- */

static struct run_info fixed_run(void)
{
	static struct port_list ports = { NULL, 5 };
	struct run_info ri;

	memset(&ri, 0, sizeof(ri));
	ri.start_us = INT64_C(1763892000000000); /* 2025-11-23T10:00:00Z */
	ri.seed = 42;
	ri.shard_k = ri.shard_n = 1;
	ri.targets = 20;
	ri.hosts = 4;
	ri.ports = &ports;
	ri.scanner_ip = IP(198, 18, 0, 1);
	memcpy(ri.scanner_mac, "\x02\x00\x5e\x10\x00\x01", 6);
	snprintf(ri.ifname, sizeof(ri.ifname), "eth0");
	snprintf(ri.hostname, sizeof(ri.hostname), "scan-host");
	ri.args = "portus 198.19.0.0/30";
	ri.retries = 2;
	ri.rate = 10000;
	return ri;
}

#define OBSERVER                                                                                            \
	"\"observer\":{\"hostname\":\"scan-host\",\"ip\":[\"198.18.0.1\"],\"mac\":[\"02-00-5E-10-00-01\"]," \
	"\"ingress\":{\"interface\":{\"name\":\"eth0\"}},\"type\":\"scanner\",\"vendor\":\"portus\","       \
	"\"product\":\"portus\",\"version\":\"" PORTUS_VERSION "\"}"
#define RUN_ID "26abad0cfcedf940"

static const char port_open_json[] =
	"{\"@timestamp\":\"2025-11-23T10:00:00.123456Z\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},"
	"\"event\":{\"kind\":\"state\",\"category\":[\"network\"],\"type\":[\"info\"],"
	"\"action\":\"port-open\",\"module\":\"portus\",\"dataset\":\"portus.port\","
	"\"id\":\"381c6c654a22fce19186a187866c4078\",\"reason\":\"syn-ack\"},"
	"\"destination\":{\"ip\":\"198.19.0.3\",\"port\":80},"
	"\"source\":{\"ip\":\"198.18.0.1\",\"port\":41786},"
	"\"network\":{\"transport\":\"tcp\",\"type\":\"ipv4\"},"
	"\"related\":{\"ip\":[\"198.19.0.3\",\"198.18.0.1\"]}," OBSERVER ","
	"\"portus\":{\"run\":{\"id\":\"" RUN_ID
	"\"},\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64}}";

static const char port_icmp_json[] =
	"{\"@timestamp\":\"2025-11-23T10:00:01.000000Z\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},"
	"\"event\":{\"kind\":\"state\",\"category\":[\"network\"],\"type\":[\"info\"],"
	"\"action\":\"port-filtered\",\"module\":\"portus\",\"dataset\":\"portus.port\","
	"\"id\":\"2ef5f88c0c668a8cd2095407ccb3593e\",\"reason\":\"admin-prohibited\"},"
	"\"destination\":{\"ip\":\"198.19.0.4\",\"port\":8081},"
	"\"source\":{\"ip\":\"198.18.0.1\"},"
	"\"network\":{\"transport\":\"tcp\",\"type\":\"ipv4\"},"
	"\"related\":{\"ip\":[\"198.19.0.4\",\"198.18.0.1\",\"198.18.0.254\"]}," OBSERVER ","
	"\"portus\":{\"run\":{\"id\":\"" RUN_ID "\"},\"state\":\"filtered\","
	"\"reason\":\"admin-prohibited\",\"ttl\":63,\"reason_ip\":\"198.18.0.254\"}}";

static const char host_down_json[] =
	"{\"@timestamp\":\"2025-11-23T10:00:02.000000Z\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},"
	"\"event\":{\"kind\":\"state\",\"category\":[\"network\"],\"type\":[\"info\"],"
	"\"action\":\"host-down\",\"module\":\"portus\",\"dataset\":\"portus.host\","
	"\"id\":\"d4d0de47e52bd33725dee68aec50581d\",\"reason\":\"no-arp-response\"},"
	"\"destination\":{\"ip\":\"198.18.0.11\"},\"network\":{\"type\":\"ipv4\"},"
	"\"related\":{\"ip\":[\"198.18.0.11\",\"198.18.0.1\"]}," OBSERVER ","
	"\"portus\":{\"run\":{\"id\":\"" RUN_ID
	"\"},\"state\":\"down\",\"reason\":\"no-arp-response\"}}";

#define RUN_SETTINGS \
	"\"seed\":42,\"shard\":\"1/1\",\"targets\":20,\"hosts\":4,\"ports\":5,\"rate\":10000,\"retries\":2"

static const char run_start_json[] =
	"{\"@timestamp\":\"2025-11-23T10:00:00.000000Z\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},"
	"\"event\":{\"kind\":\"event\",\"category\":[\"network\"],\"type\":[\"start\"],"
	"\"action\":\"scan-started\",\"module\":\"portus\",\"dataset\":\"portus.run\","
	"\"id\":\"333e5f7c999dec7d6e7ebc6f9ca612d1\",\"start\":\"2025-11-23T10:00:00.000000Z\"},"
	"\"related\":{\"ip\":[\"198.18.0.1\"]}," OBSERVER ","
	"\"portus\":{\"run\":{\"id\":\"" RUN_ID "\"," RUN_SETTINGS "}}}";

static const char run_end_json[] =
	"{\"@timestamp\":\"2025-11-23T10:00:03.500000Z\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},"
	"\"event\":{\"kind\":\"event\",\"category\":[\"network\"],\"type\":[\"end\"],"
	"\"action\":\"scan-interrupted\",\"module\":\"portus\",\"dataset\":\"portus.run\","
	"\"id\":\"94c7adfa63f93d634d6d45ef0c351953\",\"outcome\":\"failure\","
	"\"start\":\"2025-11-23T10:00:00.000000Z\",\"end\":\"2025-11-23T10:00:03.500000Z\","
	"\"duration\":3500000000},"
	"\"related\":{\"ip\":[\"198.18.0.1\"]}," OBSERVER ","
	"\"portus\":{\"run\":{\"id\":\"" RUN_ID "\"," RUN_SETTINGS ",\"hosts_down\":1,\"open\":2,"
	"\"closed\":3,\"filtered\":14,\"probes_sent\":60,\"rate_pps\":9999.5,\"passes\":3,"
	"\"tls_endpoints\":0,\"tls_ok\":0,\"pcap_received\":25,\"pcap_dropped\":0,\"if_dropped\":0,"
	"\"plan_bytes\":262170,\"table_bytes\":8,\"interrupted\":true}}}";

static void assert_record(const struct strbuf *b, const char *expect)
{
	assert_valid_record(b);
	assert_string_equal(b->p, expect);
}

static void test_ecs_port_host_run_exact_bytes(void **state)
{
	struct run_info ri = fixed_run();
	struct ecs_ctx c;
	struct strbuf b;
	struct port_record open = { .ip = IP4(198, 19, 0, 3),
				    .port = 80,
				    .sport = 41786,
				    .state = PS_OPEN,
				    .reason = R_SYN_ACK,
				    .has_reply = 1,
				    .ttl = 64,
				    .time_us = INT64_C(1763892000123456) };
	struct port_record icmp = { .ip = IP4(198, 19, 0, 4),
				    .port = 8081,
				    .state = PS_FILTERED,
				    .reason = R_ADMIN_PROHIBITED,
				    .has_reply = 1,
				    .ttl = 63,
				    .reason_ip = IP4(198, 18, 0, 254),
				    .time_us = INT64_C(1763892001000000) };
	struct host_record down = { .ip = IP4(198, 18, 0, 11),
				    .up = 0,
				    .reason = R_NO_ARP,
				    .time_us = INT64_C(1763892002000000) };
	struct run_summary s = { .start_us = ri.start_us,
				 .end_us = INT64_C(1763892003500000),
				 .targets = 20,
				 .hosts = 4,
				 .hosts_down = 1,
				 .open = 2,
				 .closed = 3,
				 .filtered = 14,
				 .probes_sent = 60,
				 .rate_pps = 9999.5,
				 .pcap_received = 25,
				 .passes = 3,
				 .seed = 42,
				 .shard_k = 1,
				 .shard_n = 1,
				 .interrupted = 1,
				 .plan_bytes = 262170,
				 .table_bytes = 8 };

	(void)state;
	assert_int_equal(ecs_ctx_init(&c, &ri), 0);
	assert_string_equal(c.run_id, RUN_ID);
	sb_init(&b);
	ecs_port_format(&b, &c, &open);
	assert_record(&b, port_open_json);
	sb_reset(&b);
	ecs_port_format(&b, &c, &icmp);
	assert_record(&b, port_icmp_json);
	sb_reset(&b);
	ecs_host_format(&b, &c, &down);
	assert_record(&b, host_down_json);
	sb_reset(&b);
	ecs_run_start_format(&b, &c);
	assert_record(&b, run_start_json);
	sb_reset(&b);
	ecs_run_end_format(&b, &c, &s);
	assert_record(&b, run_end_json);
	sb_free(&b);
	ecs_ctx_free(&c);
}

/* The same key in the same run gives the same id; another run another id. */
static void test_ecs_event_id_is_deterministic_per_run(void **state)
{
	struct run_info ri = fixed_run(), ri2 = fixed_run();
	struct ecs_ctx c, c2;
	struct strbuf a, b, d;
	struct port_record r = { .ip = IP4(198, 19, 0, 3),
				 .port = 80,
				 .state = PS_CLOSED,
				 .reason = R_RESET,
				 .has_reply = 1,
				 .ttl = 64,
				 .time_us = 1 };

	(void)state;
	ri2.start_us += 1;
	assert_int_equal(ecs_ctx_init(&c, &ri), 0);
	assert_int_equal(ecs_ctx_init(&c2, &ri2), 0);
	sb_init(&a);
	sb_init(&b);
	sb_init(&d);
	ecs_port_format(&a, &c, &r);
	r.time_us = 2; /* a later record for the same target: same id */
	ecs_port_format(&b, &c, &r);
	ecs_port_format(&d, &c2, &r);
	assert_non_null(strstr(a.p, "\"id\":\"381c6c654a22fce19186a187866c4078\""));
	assert_non_null(strstr(b.p, "\"id\":\"381c6c654a22fce19186a187866c4078\""));
	assert_null(strstr(d.p, "381c6c654a22fce19186a187866c4078"));
	assert_string_not_equal(c.run_id, c2.run_id);
	sb_free(&a);
	sb_free(&b);
	sb_free(&d);
	ecs_ctx_free(&c);
	ecs_ctx_free(&c2);
}

/* ---- IPv6 ---- */

/* The same run with an IPv6 source: observer.ip lists both, the run id takes
 * the IPv6 source in (ids computed with Python's hashlib). */
#define OBSERVER6                                                                                     \
	"\"observer\":{\"hostname\":\"scan-host\",\"ip\":[\"198.18.0.1\",\"2001:db8::53\"],"          \
	"\"mac\":[\"02-00-5E-10-00-01\"],"                                                            \
	"\"ingress\":{\"interface\":{\"name\":\"eth0\"}},\"type\":\"scanner\",\"vendor\":\"portus\"," \
	"\"product\":\"portus\",\"version\":\"" PORTUS_VERSION "\"}"
#define RUN_ID6 "6ad0f956a9027523"

static const char port6_open_json[] =
	"{\"@timestamp\":\"2025-11-23T10:00:00.123456Z\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},"
	"\"event\":{\"kind\":\"state\",\"category\":[\"network\"],\"type\":[\"info\"],"
	"\"action\":\"port-open\",\"module\":\"portus\",\"dataset\":\"portus.port\","
	"\"id\":\"1c3b830f4492fa55539a6ef4cf3728c3\",\"reason\":\"syn-ack\"},"
	"\"destination\":{\"ip\":\"2001:db8::1\",\"port\":443},"
	"\"source\":{\"ip\":\"2001:db8::53\",\"port\":41786},"
	"\"network\":{\"transport\":\"tcp\",\"type\":\"ipv6\"},"
	"\"related\":{\"ip\":[\"2001:db8::1\",\"2001:db8::53\"]}," OBSERVER6 ","
	"\"portus\":{\"run\":{\"id\":\"" RUN_ID6 "\"},\"state\":\"open\",\"reason\":\"syn-ack\","
	"\"ttl\":64}}";

static const char port6_icmp_json[] =
	"{\"@timestamp\":\"2025-11-23T10:00:01.000000Z\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},"
	"\"event\":{\"kind\":\"state\",\"category\":[\"network\"],\"type\":[\"info\"],"
	"\"action\":\"port-filtered\",\"module\":\"portus\",\"dataset\":\"portus.port\","
	"\"id\":\"77d99500770035f82dea4067708f5a69\",\"reason\":\"no-route\"},"
	"\"destination\":{\"ip\":\"2001:db8::1\",\"port\":22},"
	"\"source\":{\"ip\":\"2001:db8::53\"},"
	"\"network\":{\"transport\":\"tcp\",\"type\":\"ipv6\"},"
	"\"related\":{\"ip\":[\"2001:db8::1\",\"2001:db8::53\",\"2001:db8:0:1::fe\"]}," OBSERVER6
	","
	"\"portus\":{\"run\":{\"id\":\"" RUN_ID6 "\"},\"state\":\"filtered\","
	"\"reason\":\"no-route\",\"ttl\":63,\"reason_ip\":\"2001:db8:0:1::fe\"}}";

static const char host6_up_json[] =
	"{\"@timestamp\":\"2025-11-23T10:00:02.000000Z\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},"
	"\"event\":{\"kind\":\"state\",\"category\":[\"network\"],\"type\":[\"info\"],"
	"\"action\":\"host-up\",\"module\":\"portus\",\"dataset\":\"portus.host\","
	"\"id\":\"ca746caa8b97d5d2d35eed23b830dc72\",\"reason\":\"nd-response\"},"
	"\"destination\":{\"ip\":\"2001:db8::1\"},\"network\":{\"type\":\"ipv6\"},"
	"\"related\":{\"ip\":[\"2001:db8::1\",\"2001:db8::53\"]}," OBSERVER6 ","
	"\"portus\":{\"run\":{\"id\":\"" RUN_ID6
	"\"},\"state\":\"up\",\"reason\":\"nd-response\"}}";

static void test_ecs_ipv6_exact_bytes(void **state)
{
	struct run_info ri = fixed_run();
	struct ecs_ctx c;
	struct strbuf b;
	struct port_record open = { .ip = A6("2001:db8::1"),
				    .port = 443,
				    .sport = 41786,
				    .state = PS_OPEN,
				    .reason = R_SYN_ACK,
				    .has_reply = 1,
				    .ttl = 64,
				    .time_us = INT64_C(1763892000123456) };
	struct port_record icmp = { .ip = A6("2001:db8::1"),
				    .port = 22,
				    .state = PS_FILTERED,
				    .reason = R_NO_ROUTE,
				    .has_reply = 1,
				    .ttl = 63,
				    .reason_ip = A6("2001:db8:0:1::fe"),
				    .time_us = INT64_C(1763892001000000) };
	struct host_record up = { .ip = A6("2001:db8::1"),
				  .up = 1,
				  .reason = R_ND_RESPONSE,
				  .time_us = INT64_C(1763892002000000) };

	(void)state;
	ri.scanner_ip6 = A6("2001:db8::53");
	assert_int_equal(ecs_ctx_init(&c, &ri), 0);
	assert_string_equal(c.run_id, RUN_ID6);
	sb_init(&b);
	ecs_port_format(&b, &c, &open);
	assert_record(&b, port6_open_json);
	sb_reset(&b);
	ecs_port_format(&b, &c, &icmp);
	assert_record(&b, port6_icmp_json);
	sb_reset(&b);
	ecs_host_format(&b, &c, &up);
	assert_record(&b, host6_up_json);
	sb_reset(&b);
	/* The run records name both scanner addresses. */
	ecs_run_start_format(&b, &c);
	assert_valid_record(&b);
	assert_non_null(strstr(b.p, "\"id\":\"c608fd2cba99fbbb38258427198d7e82\""));
	assert_non_null(
		strstr(b.p, "\"related\":{\"ip\":[\"198.18.0.1\",\"2001:db8::53\"]}," OBSERVER6));
	sb_reset(&b);
	/* An IPv4 record of the same run: source.ip is the IPv4 source. */
	open.ip = IP4(198, 19, 0, 3);
	open.port = 80;
	ecs_port_format(&b, &c, &open);
	assert_valid_record(&b);
	assert_non_null(strstr(b.p, "\"destination\":{\"ip\":\"198.19.0.3\",\"port\":80},"
				    "\"source\":{\"ip\":\"198.18.0.1\",\"port\":41786},"
				    "\"network\":{\"transport\":\"tcp\",\"type\":\"ipv4\"},"
				    "\"related\":{\"ip\":[\"198.19.0.3\",\"198.18.0.1\"]},"));
	sb_free(&b);
	ecs_ctx_free(&c);
}

/* A run without an IPv6 source never names its IPv4 address as the source of
 * an IPv6 probe: source keeps only the port (or goes), related only the target. */
static void test_ecs_ipv6_without_ipv6_source(void **state)
{
	struct run_info ri = fixed_run();
	struct ecs_ctx c;
	struct strbuf b;
	struct port_record r = { .ip = A6("2001:db8::1"),
				 .port = 443,
				 .sport = 41786,
				 .state = PS_OPEN,
				 .reason = R_SYN_ACK,
				 .has_reply = 1,
				 .ttl = 64,
				 .time_us = INT64_C(1763892000123456) };
	struct host_record h = { .ip = A6("2001:db8::2"), .up = 0, .reason = R_NO_ND, .time_us = 1 };

	(void)state;
	assert_int_equal(ecs_ctx_init(&c, &ri), 0);
	assert_string_equal(c.run_id, RUN_ID); /* unchanged for IPv4-only runs */
	sb_init(&b);
	ecs_port_format(&b, &c, &r);
	assert_valid_record(&b);
	assert_non_null(strstr(b.p, "\"id\":\"4809c04da1e3fe2d5b06ba7c60c6d903\""));
	assert_non_null(strstr(b.p, "\"destination\":{\"ip\":\"2001:db8::1\",\"port\":443},"
				    "\"source\":{\"port\":41786},"
				    "\"network\":{\"transport\":\"tcp\",\"type\":\"ipv6\"},"
				    "\"related\":{\"ip\":[\"2001:db8::1\"]}," OBSERVER ","));
	sb_reset(&b);
	r.sport = 0;
	ecs_port_format(&b, &c, &r);
	assert_valid_record(&b);
	assert_null(strstr(b.p, "\"source\""));
	assert_null(strstr(b.p, "198.18.0.1\"]}")); /* only in observer.ip */
	sb_reset(&b);
	ecs_host_format(&b, &c, &h);
	assert_valid_record(&b);
	assert_non_null(strstr(b.p, "\"destination\":{\"ip\":\"2001:db8::2\"},"
				    "\"network\":{\"type\":\"ipv6\"},"
				    "\"related\":{\"ip\":[\"2001:db8::2\"]}," OBSERVER ","));
	sb_free(&b);
	ecs_ctx_free(&c);
}

/* ---- TLS ---- */

static void bytes_set(struct tls_bytes *b, const void *p, size_t len)
{
	b->p = malloc(len + 1);
	assert_non_null(b->p);
	memcpy(b->p, p, len);
	b->p[len] = '\0';
	b->len = len;
}

static void list_add(struct tls_name_list *l, const void *p, size_t len)
{
	struct tls_bytes *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	assert_non_null(v);
	l->v = v;
	bytes_set(&l->v[l->n++], p, len);
}

static void make_ok_record(struct tls_result *r)
{
	struct tls_cert_info *c = &r->certs.leaf;

	memset(r, 0, sizeof(*r));
	r->ip = IP4(198, 19, 0, 3);
	r->port = 443;
	snprintf(r->sni, sizeof(r->sni), "www.example.test");
	r->outcome = TLS_OK;
	snprintf(r->version, sizeof(r->version), "TLSv1");
	snprintf(r->cipher, sizeof(r->cipher), "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
	snprintf(r->alpn, sizeof(r->alpn), "http/1.1");
	snprintf(r->group, sizeof(r->group), "x25519");
	r->verify_ok = 1;
	r->hostname_checked = 1;
	r->hostname_match = 1;
	r->certs.has_leaf = 1;
	bytes_set(&c->subject_dn, "CN=www.example.test,OU=Web+OU=Ops,O=Example\\, Inc.,C=DE",
		  strlen("CN=www.example.test,OU=Web+OU=Ops,O=Example\\, Inc.,C=DE"));
	bytes_set(&c->issuer_dn, "CN=Example CA,O=Example,L=Berlin,ST=Berlin,C=DE",
		  strlen("CN=Example CA,O=Example,L=Berlin,ST=Berlin,C=DE"));
	list_add(&c->subject_cn, "www.example.test", 16);
	list_add(&c->san_dns, "www.example.test", 16);
	list_add(&c->san_ip, "198.19.0.3", 10);
	snprintf(c->serial_hex, sizeof(c->serial_hex), "0A1B");
	c->not_before = 1763856000; /* 2025-11-23T00:00:00Z */
	c->not_after = 1771632000;  /* 2026-02-21T00:00:00Z */
	c->days_to_expiry = 89;
	snprintf(c->sig_alg, sizeof(c->sig_alg), "sha256WithRSAEncryption");
	snprintf(c->key_alg, sizeof(c->key_alg), "RSA");
	c->key_bits = 2048;
	for (int i = 0; i < 32; i++)
		c->sha256[i] = (uint8_t)(0xA0 + i % 16);
	for (int i = 0; i < 20; i++)
		c->sha1[i] = (uint8_t)i;
	r->certs.chain = calloc(1, sizeof(*r->certs.chain));
	assert_non_null(r->certs.chain);
	bytes_set(&r->certs.chain[0].subject_dn, "CN=www.example.test", 19);
	bytes_set(&r->certs.chain[0].issuer_dn, "CN=Example CA", 13);
	memcpy(r->certs.chain[0].sha256, c->sha256, 32);
	r->certs.chain_len = 1;
	r->certs.chain_total = 2;
	r->banner_done = 1;
	bytes_set(&r->http_status, "HTTP/1.1 301 Moved Permanently", 30);
	bytes_set(&r->http_server, "nginx", 5);
	r->versions_tested = TLS_V10 | TLS_V11 | TLS_V12 | TLS_V13;
	r->versions_accepted = TLS_V10 | TLS_V12 | TLS_V13;
	r->start_us = INT64_C(1763892000000000);
	r->end_us = INT64_C(1763892000250000);
}

static void format_tls(struct strbuf *b, const struct tls_result *r)
{
	struct run_info ri = fixed_run();
	struct ecs_ctx c;

	assert_int_equal(ecs_ctx_init(&c, &ri), 0);
	sb_init(b);
	ecs_tls_format(b, &c, r);
	ecs_ctx_free(&c);
	assert_valid_record(b);
}

static void assert_has(const struct strbuf *b, const char *frag)
{
	if (strstr(b->p, frag) == NULL) {
		/* cmocka cuts long messages: the whole record goes to stderr first. */
		fprintf(stderr, "record: %s\n", b->p);
		fail_msg("missing %s", frag);
	}
}

static void test_ecs_tls_ok_record_fields(void **state)
{
	struct tls_result r;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	format_tls(&b, &r);
	assert_has(&b, "{\"@timestamp\":\"2025-11-23T10:00:00.250000Z\"");
	assert_has(&b,
		   "\"action\":\"tls-handshake\",\"module\":\"portus\",\"dataset\":\"portus.tls\","
		   "\"id\":\"e3c2d4671ffcda42e11fb195ec6aa753\",\"outcome\":\"success\","
		   "\"reason\":\"ok\",\"start\":\"2025-11-23T10:00:00.000000Z\","
		   "\"end\":\"2025-11-23T10:00:00.250000Z\",\"duration\":250000000}");
	assert_has(&b, "\"destination\":{\"ip\":\"198.19.0.3\",\"port\":443}");
	assert_has(&b, "\"related\":{\"ip\":[\"198.19.0.3\",\"198.18.0.1\"],\"hash\":"
		       "[\"A0A1A2A3A4A5A6A7A8A9AAABACADAEAFA0A1A2A3A4A5A6A7A8A9AAABACADAEAF\"],"
		       "\"hosts\":[\"www.example.test\"]}");
	assert_has(
		&b,
		"\"tls\":{\"version\":\"1.0\",\"version_protocol\":\"tls\","
		"\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA\",\"curve\":\"x25519\","
		"\"established\":true,\"next_protocol\":\"http/1.1\","
		"\"client\":{\"server_name\":\"www.example.test\"},\"server\":{\"hash\":"
		"{\"sha256\":\"A0A1A2A3A4A5A6A7A8A9AAABACADAEAFA0A1A2A3A4A5A6A7A8A9AAABACADAEAF\","
		"\"sha1\":\"000102030405060708090A0B0C0D0E0F10111213\"},"
		"\"not_before\":\"2025-11-23T00:00:00.000000Z\","
		"\"not_after\":\"2026-02-21T00:00:00.000000Z\"");
	assert_has(&b,
		   "\"x509\":{\"alternative_names\":[\"www.example.test\",\"198.19.0.3\"],"
		   "\"serial_number\":\"0A1B\",\"signature_algorithm\":\"sha256WithRSAEncryption\","
		   "\"public_key_algorithm\":\"RSA\",\"public_key_size\":2048,");
	assert_has(&b,
		   "\"subject\":{\"distinguished_name\":\"CN=www.example.test,OU=Web+OU=Ops,"
		   "O=Example\\\\, Inc.,C=DE\",\"common_name\":[\"www.example.test\"],"
		   "\"organization\":[\"Example, Inc.\"],\"organizational_unit\":[\"Web\",\"Ops\"],"
		   "\"country\":[\"DE\"]}");
	assert_has(
		&b,
		"\"issuer\":{\"distinguished_name\":\"CN=Example CA,O=Example,L=Berlin,"
		"ST=Berlin,C=DE\",\"common_name\":[\"Example CA\"],\"organization\":[\"Example\"],"
		"\"country\":[\"DE\"],\"locality\":[\"Berlin\"],\"state_or_province\":[\"Berlin\"]}");
	assert_has(&b, "\"http\":{\"version\":\"1.1\",\"response\":{\"status_code\":301}}");
	assert_has(&b, "\"portus\":{\"run\":{\"id\":\"" RUN_ID "\"},\"tls\":{\"outcome\":\"ok\","
		       "\"verify\":{\"ok\":true},\"hostname_match\":true,\"days_to_expiry\":89,"
		       "\"expired\":false,\"not_yet_valid\":false,\"self_signed\":false,");
	assert_has(
		&b,
		"\"chain_length\":2,\"http_status\":\"HTTP/1.1 301 Moved Permanently\","
		"\"http_server\":\"nginx\",\"versions_accepted\":[\"TLSv1\",\"TLSv1.2\",\"TLSv1.3\"],"
		"\"versions_rejected\":[\"TLSv1.1\"],\"weak_versions_accepted\":[\"TLSv1\"],"
		"\"truncated\":false,\"truncated_fields\":[],\"invalid_utf8_fields\":[]}}}");
	/* Never the target as host.*, no agent.*, no packet counters. */
	assert_null(strstr(b.p, "\"host\":"));
	assert_null(strstr(b.p, "\"agent\":"));
	assert_null(strstr(b.p, "\"packets\""));
	sb_free(&b);
	tls_result_free(&r);
}

/* The checks under portus.tls: absent values left out (never null), the
 * findings and the worst one's severity. */
static void test_ecs_tls_checks_fields(void **state)
{
	struct tls_result r;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	r.checks.done = 1;
	r.checks.ocsp_stapled = 1;
	r.checks.ocsp_status = TLS_OCSP_GOOD;
	r.checks.ocsp_signature_ok = 1;
	r.checks.ocsp_time_ok = 1;
	r.checks.ocsp_this_update = 1763856000;
	r.checks.sct_embedded = 2;
	r.checks.sct_ocsp = 1;
	strcpy(r.checks.tmp_key_type, "X25519");
	r.checks.tmp_key_bits = 253;
	r.checks.weak_keys = 1;
	r.checks.chain_misordered = 1;
	(void)tls_hsts_parse((const unsigned char *)"max-age=600", 11, &r.hsts);
	format_tls(&b, &r);
	assert_has(
		&b,
		"\"http_server\":\"nginx\",\"ocsp_stapled\":true,\"ocsp\":{\"valid\":true,"
		"\"status\":\"good\",\"signature_ok\":true,\"time_ok\":true,"
		"\"this_update\":\"2025-11-23T00:00:00.000000Z\"},\"must_staple\":false,"
		"\"sct_count\":3,\"scts\":{\"embedded\":2,\"tls_extension\":0,\"ocsp\":1},"
		"\"tmp_key\":{\"type\":\"X25519\",\"bits\":253},\"hsts\":{\"valid\":true,"
		"\"max_age\":600,\"include_subdomains\":false,\"preload\":false},"
		"\"findings\":[\"weak-key\",\"chain-order\"],\"severity\":6,\"versions_accepted\"");
	sb_free(&b);
	tls_result_free(&r);
}

static void test_ecs_tls_failure_has_no_cert_fields(void **state)
{
	struct tls_result r;
	struct strbuf b;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.ip = IP4(198, 19, 0, 9);
	r.port = 443;
	r.outcome = TLS_ALERT;
	snprintf(r.alert, sizeof(r.alert), "handshake_failure");
	snprintf(r.detail, sizeof(r.detail), "server sent alert");
	r.start_us = 1;
	r.end_us = 2;
	format_tls(&b, &r);
	assert_has(&b, "\"outcome\":\"failure\",\"reason\":\"alert: handshake_failure\"");
	assert_has(&b, "\"tls\":{\"established\":false},");
	assert_has(&b, "\"tls\":{\"outcome\":\"alert\",\"alert\":\"handshake_failure\","
		       "\"detail\":\"server sent alert\",\"chain\":[],\"chain_length\":0,"
		       "\"truncated\":false,");
	assert_null(strstr(b.p, "\"x509\""));
	assert_null(strstr(b.p, "\"verify\""));
	assert_null(strstr(b.p, "\"http\":"));
	sb_free(&b);
	tls_result_free(&r);
}

/* NUL, quotes, controls, invalid UTF-8, '|' and '=' in every certificate string. */
static void test_ecs_tls_hostile_strings(void **state)
{
	static const unsigned char evil[] = "a\0b\"c\\d\n\x01\xff\xc3(|=";
	struct tls_result r;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	free(r.certs.leaf.subject_dn.p);
	bytes_set(&r.certs.leaf.subject_dn, "CN=x\\00y\\FF,O=\"q\"",
		  strlen("CN=x\\00y\\FF,O=\"q\""));
	list_add(&r.certs.leaf.san_dns, evil, sizeof(evil) - 1);
	free(r.http_server.p);
	bytes_set(&r.http_server, evil, sizeof(evil) - 1);
	format_tls(&b, &r);
	assert_has(&b,
		   "\"alternative_names\":[\"www.example.test\","
		   "\"a\\u0000b\\\"c\\\\d\\n\\u0001\xef\xbf\xbd\xef\xbf\xbd(|=\",\"198.19.0.3\"]");
	/* U+FFFD is written as its UTF-8 bytes */
	assert_has(&b,
		   "\"subject\":{\"distinguished_name\":\"CN=x\\\\00y\\\\FF,O=\\\"q\\\"\","
		   "\"common_name\":[\"x\\u0000y\xef\xbf\xbd\"],\"organization\":[\"\\\"q\\\"\"]}");
	assert_has(&b, "\"invalid_utf8_fields\":[\"tls.server.x509.subject\","
		       "\"tls.server.x509.alternative_names\",\"portus.tls.http_server\"]");
	sb_free(&b);
	tls_result_free(&r);
}

/* The biggest record the extractor can hand over still fits the cap: for an
 * IPv4 endpoint, and for the longest IPv6 endpoint and source (src6 zero:
 * the fixed IPv4 run). */
static void worst_case(ip_addr ip, ip_addr src6)
{
	static unsigned char big[TLS_MAX_NAME_BYTES];
	struct run_info ri = fixed_run();
	struct tls_result r;
	struct ecs_ctx c;
	struct strbuf b;
	size_t i;

	memset(big, 0x01, sizeof(big)); /* escapes to 6 bytes each */
	make_ok_record(&r);
	r.ip = ip;
	free(r.certs.leaf.subject_dn.p);
	free(r.certs.leaf.issuer_dn.p);
	bytes_set(&r.certs.leaf.subject_dn, big, sizeof(big));
	bytes_set(&r.certs.leaf.issuer_dn, big, sizeof(big));
	for (i = 0; i < TLS_MAX_NAMES; i++) {
		list_add(&r.certs.leaf.san_dns, big, sizeof(big));
		list_add(&r.certs.leaf.san_ip, big, 40);
		list_add(&r.certs.leaf.subject_cn, big, sizeof(big));
	}
	memset(r.certs.leaf.sig_alg, 0x01, sizeof(r.certs.leaf.sig_alg) - 1);
	memset(r.certs.leaf.key_alg, 0x01, sizeof(r.certs.leaf.key_alg) - 1);
	memset(r.certs.leaf.key_curve, 0x01, sizeof(r.certs.leaf.key_curve) - 1);
	memset(r.sni, 0x01, sizeof(r.sni) - 1);
	memset(r.detail, 0x01, sizeof(r.detail) - 1);
	memset(r.verify_error, 0x01, sizeof(r.verify_error) - 1);
	memset(r.cipher, 0x01, sizeof(r.cipher) - 1);
	free(r.http_status.p);
	free(r.http_server.p);
	bytes_set(&r.http_status, big, TLS_MAX_BANNER_LINE);
	bytes_set(&r.http_server, big, TLS_MAX_BANNER_LINE);
	r.certs.pem = malloc(20000);
	assert_non_null(r.certs.pem);
	memset(r.certs.pem, 'A', 19999);
	r.certs.pem[19999] = '\0';
	tls_checks_fill_worst(&r);
	ri.scanner_ip6 = src6;
	assert_int_equal(ecs_ctx_init(&c, &ri), 0);
	sb_init(&b);
	ecs_tls_format(&b, &c, &r);
	ecs_ctx_free(&c);
	assert_valid_record(&b);
	assert_true(b.len <= ECS_MAX_RECORD);
	assert_has(&b, "\"truncated\":true");
	assert_has(&b, "\"tls.server.certificate\"");
	assert_has(&b, "\"tls.server.x509.alternative_names\"");
	sb_free(&b);
	tls_result_free(&r);
}

static void test_ecs_tls_worst_case_stays_under_cap(void **state)
{
	(void)state;
	worst_case(IP4(198, 19, 0, 3), addr_zero());
	worst_case(A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"),
		   A6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd"));
}

/* An IPv6 endpoint: destination, source (the run's IPv6 source), network
 * type and related addresses. */
static void test_ecs_tls_ipv6_endpoint(void **state)
{
	struct run_info ri = fixed_run();
	struct tls_result r;
	struct ecs_ctx c;
	struct strbuf b;

	(void)state;
	make_ok_record(&r);
	r.ip = A6("2001:db8::443");
	ri.scanner_ip6 = A6("2001:db8::53");
	assert_int_equal(ecs_ctx_init(&c, &ri), 0);
	sb_init(&b);
	ecs_tls_format(&b, &c, &r);
	ecs_ctx_free(&c);
	assert_valid_record(&b);
	assert_has(&b, "\"destination\":{\"ip\":\"2001:db8::443\",\"port\":443},"
		       "\"source\":{\"ip\":\"2001:db8::53\"},"
		       "\"network\":{\"transport\":\"tcp\",\"type\":\"ipv6\"},"
		       "\"related\":{\"ip\":[\"2001:db8::443\",\"2001:db8::53\"],\"hash\":");
	sb_free(&b);
	/* Without an IPv6 source: no source, the target alone in related.ip. */
	format_tls(&b, &r);
	assert_has(&b, "\"destination\":{\"ip\":\"2001:db8::443\",\"port\":443},"
		       "\"network\":{\"transport\":\"tcp\",\"type\":\"ipv6\"},"
		       "\"related\":{\"ip\":[\"2001:db8::443\"],\"hash\":");
	assert_null(strstr(b.p, "\"source\""));
	sb_free(&b);
	tls_result_free(&r);
}

/* ---- the writer ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void test_ecs_writer_start_record_and_open_only(void **state)
{
	char path[] = "/tmp/portus-test-ecs-XXXXXX", err[PORTUS_ERRLEN];
	struct run_info ri = fixed_run();
	struct port_record open = { .ip = IP4(198, 19, 0, 3),
				    .port = 80,
				    .sport = 41786,
				    .state = PS_OPEN,
				    .reason = R_SYN_ACK,
				    .has_reply = 1,
				    .ttl = 64,
				    .time_us = INT64_C(1763892000123456) };
	struct port_record closed = open;
	struct host_record down = { .ip = IP4(198, 18, 0, 11), .reason = R_NO_ARP, .time_us = 5 };
	struct writer *w;
	char *got, *expect;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	closed.state = PS_CLOSED;
	closed.reason = R_RESET;
	ri.open_only = 1;
	w = writer_ecs_open(path, &ri, err, sizeof(err));
	assert_non_null(w);
	/* The start record is in the file before any result. */
	got = slurp(path);
	assert_int_equal(strlen(got), strlen(run_start_json) + 1);
	free(got);
	assert_int_equal(w->ops->port(w, &closed), 0);
	assert_int_equal(w->ops->host(w, &down), 0);
	assert_int_equal(w->ops->port(w, &open), 0);
	assert_int_equal(w->ops->close(w), 0);
	got = slurp(path);
	expect = malloc(strlen(run_start_json) + strlen(port_open_json) + 3);
	assert_non_null(expect);
	sprintf(expect, "%s\n%s\n", run_start_json, port_open_json);
	assert_string_equal(got, expect);
	free(got);
	free(expect);
	unlink(path);
	assert_null(writer_ecs_open("/nonexistent-portus-dir/x", &ri, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot write /nonexistent-portus-dir/x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dn_walk_unescapes_and_splits),
		cmocka_unit_test(test_ecs_port_host_run_exact_bytes),
		cmocka_unit_test(test_ecs_event_id_is_deterministic_per_run),
		cmocka_unit_test(test_ecs_ipv6_exact_bytes),
		cmocka_unit_test(test_ecs_ipv6_without_ipv6_source),
		cmocka_unit_test(test_ecs_tls_ok_record_fields),
		cmocka_unit_test(test_ecs_tls_checks_fields),
		cmocka_unit_test(test_ecs_tls_failure_has_no_cert_fields),
		cmocka_unit_test(test_ecs_tls_hostile_strings),
		cmocka_unit_test(test_ecs_tls_worst_case_stays_under_cap),
		cmocka_unit_test(test_ecs_tls_ipv6_endpoint),
		cmocka_unit_test(test_ecs_writer_start_record_and_open_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
