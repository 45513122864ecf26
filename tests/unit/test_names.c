/* test_names.c — host names as targets: which tokens are names, the name list,
 * names in target lists and files, the address -> names map, the SNI merge,
 * the writer wrapper and the records that carry names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hostnames.h"
#include "ipset.h"
#include "namelist.h"
#include "options.h"
#include "output/cef.h"
#include "output/ecs.h"
#include "output/native.h"
#include "portus.h"
#include "resolve.h"
#include "sni.h"
#include "strbuf.h"
#include "writer.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define IP(a, b, c, d) \
	addr_from_v4(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static ip_addr ip6(const char *s)
{
	ip_addr a;
	const char *why = NULL;

	assert_int_equal(addr_parse(s, strlen(s), &a, &why), 0);
	return a;
}

static int is_name(const char *s)
{
	return namelist_is_name(s, strlen(s));
}

static void test_which_tokens_are_names(void **state)
{
	static const char *const names[] = {
		"www.lab.test",
		"localhost",
		"a",
		"www.lab.test.",
		"x-1.example",
		"_srv.example",
		"3com.com",
		"1.2.3.4.in-addr.arpa",
		"a.b.c.d-e.f.g.h",
		"xn--bcher-kva.example",
		"abcd",
		"0x7f.example",
	};
	static const char *const not_names[] = {
		"",
		".",
		"..",
		"a..b",
		".a",
		"-a.example",
		"a-.example",
		"a.-b",
		"198.18.0.1",
		"198.18.0.256",
		"1.2.3",
		"1.2.3.4x",
		"10.0.0.x",
		"198.18.0.1-bad",
		"2001:db8::1",
		"www.lab.test/24",
		"a b",
		"a_b.exa mple",
		"www.lab.test..",
		"a*.example",
		"123",
		"host.123",
		"ex@mple.test",
		"caf\xc3\xa9.example",
	};
	char label64[80], long254[300];

	(void)state;
	for (size_t i = 0; i < NELEM(names); i++)
		if (!is_name(names[i]))
			fail_msg("\"%s\" should be a host name", names[i]);
	for (size_t i = 0; i < NELEM(not_names); i++)
		if (is_name(not_names[i]))
			fail_msg("\"%s\" should not be a host name", not_names[i]);
	/* 63-byte labels are fine, 64 are not; 253 bytes in all. */
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".test");
	assert_false(is_name(label64));
	assert_true(is_name(label64 + 1));
	for (size_t i = 0; i < 254; i++)
		long254[i] = i % 2 ? '.' : 'a';
	long254[253] = 'a';
	long254[254] = '\0';
	assert_false(is_name(long254)); /* 254 bytes */
	long254[253] = '\0';
	assert_true(is_name(long254)); /* 253 bytes */
}

static void test_namelist_keeps_first_spelling_once(void **state)
{
	struct name_list l;

	(void)state;
	namelist_init(&l);
	assert_int_equal(namelist_add(&l, "www.lab.test", 12), 0);
	assert_int_equal(namelist_add(&l, "WWW.Lab.Test.", 13), 0);
	assert_int_equal(namelist_add(&l, "api.lab.test", 12), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.given, 3);
	assert_string_equal(l.v[0], "www.lab.test");
	assert_string_equal(l.v[1], "api.lab.test");
	namelist_truncate(&l, 1);
	assert_int_equal(l.n, 1);
	assert_int_equal(namelist_add(&l, "api.lab.test", 12), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(namelist_shown_len("x.test."), 6);
	namelist_free(&l);
	/* Many names: the index grows, duplicates still found. */
	namelist_init(&l);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 5000; i++) {
			char n[32];

			snprintf(n, sizeof(n), "h%d.lab.test", i);
			assert_int_equal(namelist_add(&l, n, strlen(n)), 0);
		}
	assert_int_equal(l.n, 5000);
	assert_int_equal(l.given, 10000);
	namelist_free(&l);
}

static void test_target_lists_collect_names(void **state)
{
	struct ip_set s, ex;
	struct name_list l;
	char err[PORTUS_ERRLEN];
	const char text[] = "# targets\nwww.lab.test\n198.18.0.1\n  api.lab.test  # api\n"
			    "2001:db8::/126\n";

	(void)state;
	ipset_init(&s);
	namelist_init(&l);
	s.names = &l;
	assert_int_equal(
		ipset_add_list(&s, "198.18.0.5,www.lab.test,198.18.1.0/30", err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(l.n, 1);
	assert_int_equal(ipset_add_text(&s, text, strlen(text), "t.txt", err, sizeof(err)), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "api.lab.test");
	/* A bad element leaves the set and the names as they were. */
	assert_int_equal(ipset_add_list(&s, "new.lab.test,198.18.0.300", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "octet must be 0-255"));
	assert_int_equal(l.n, 2);
	assert_int_equal(s.n, 4);
	assert_int_equal(ipset_add_text(&s, "new.lab.test\nbad..name\n", 23, "f", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "f:2: bad..name"));
	assert_int_equal(l.n, 2);
	/* ipset_free keeps the sink. */
	ipset_free(&s);
	assert_ptr_equal(s.names, &l);
	/* Without a sink (excludes) a name is an error that says so. */
	ipset_init(&ex);
	assert_int_equal(ipset_add_list(&ex, "www.lab.test", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a host name is not accepted here"));
	assert_int_equal(ipset_add_list(&ex, "www.lab.test/24", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "takes no prefix length"));
	ipset_free(&ex);
	namelist_free(&l);
}

static void test_options_take_names_and_families(void **state)
{
	char *argv[] = { "portus", "-p",
			 "443",    "www.lab.test,198.18.0.1",
			 "-6",     "--resolve-timeout",
			 "250",    "--resolve-retries",
			 "0",      "--resolve-concurrency",
			 "7",      "api.lab.test",
			 NULL };
	char *only[] = { "portus", "just.a.name", NULL };
	struct options o;
	char err[PORTUS_ERRLEN];

	(void)state;
	assert_int_equal(options_parse(12, argv, &o, err, sizeof(err)), OPT_RUN);
	assert_int_equal(o.names.n, 2);
	assert_string_equal(o.names.v[0], "www.lab.test");
	assert_int_equal(o.targets.n, 1);
	assert_int_equal(o.family, RESOLVE_V6);
	assert_int_equal(o.resolve_timeout_ms, 250);
	assert_int_equal(o.resolve_retries, 0);
	assert_int_equal(o.resolve_concurrency, 7);
	options_free(&o);
	/* A name alone is a target; the defaults. */
	assert_int_equal(options_parse(2, only, &o, err, sizeof(err)), OPT_RUN);
	assert_int_equal(o.targets.n, 0);
	assert_int_equal(o.names.n, 1);
	assert_int_equal(o.family, RESOLVE_BOTH);
	assert_int_equal(o.resolve_timeout_ms, DEFAULT_RESOLVE_TIMEOUT_MS);
	assert_int_equal(o.resolve_retries, DEFAULT_RESOLVE_RETRIES);
	assert_int_equal(o.resolve_concurrency, DEFAULT_RESOLVE_CONCURRENCY);
	options_free(&o);
}

static void test_hostnames_map_input_order_and_repeats(void **state)
{
	struct hostnames h;
	const char *const *names;

	(void)state;
	hostnames_init(&h);
	assert_int_equal(hostnames_find(&h, IP(198, 18, 0, 30), &names), 0);
	assert_int_equal(hostnames_add(&h, IP(198, 18, 0, 31), "zeta.lab.test"), 0);
	assert_int_equal(hostnames_add(&h, IP(198, 18, 0, 30), "zeta.lab.test"), 0);
	assert_int_equal(hostnames_add(&h, ip6("2001:db8::1"), "zeta.lab.test"), 0);
	assert_int_equal(hostnames_add(&h, IP(198, 18, 0, 30), "alpha.lab.test."), 0);
	assert_int_equal(hostnames_add(&h, IP(198, 18, 0, 30), "ZETA.lab.test"), 0); /* repeat */
	assert_int_equal(hostnames_finish(&h), 0);
	assert_int_equal(h.naddr, 3);
	/* Input order, not alphabetical; the trailing dot dropped; one NULL after. */
	assert_int_equal(hostnames_find(&h, IP(198, 18, 0, 30), &names), 2);
	assert_string_equal(names[0], "zeta.lab.test");
	assert_string_equal(names[1], "alpha.lab.test");
	assert_null(names[2]);
	assert_int_equal(record_nnames(names), 2);
	assert_int_equal(hostnames_find(&h, ip6("2001:db8::1"), &names), 1);
	assert_null(names[1]);
	assert_int_equal(hostnames_find(&h, IP(198, 18, 0, 32), &names), 0);
	assert_null(names);
	assert_int_equal(hostnames_find(NULL, IP(198, 18, 0, 30), &names), 0);
	assert_int_equal(record_nnames(NULL), 0);

	/* More names after a finish (a second result file): one map of both,
	 * the earlier names first, repeats still kept once. */
	assert_int_equal(hostnames_add(&h, IP(198, 18, 0, 30), "beta.lab.test"), 0);
	assert_int_equal(hostnames_add(&h, IP(198, 18, 0, 30), "alpha.lab.test"), 0);
	assert_int_equal(hostnames_add(&h, IP(198, 18, 0, 32), "gamma.lab.test"), 0);
	assert_int_equal(hostnames_finish(&h), 0);
	assert_int_equal(h.naddr, 4);
	assert_int_equal(hostnames_find(&h, IP(198, 18, 0, 30), &names), 3);
	assert_string_equal(names[0], "zeta.lab.test");
	assert_string_equal(names[1], "alpha.lab.test");
	assert_string_equal(names[2], "beta.lab.test");
	assert_null(names[3]);
	assert_int_equal(hostnames_find(&h, IP(198, 18, 0, 32), &names), 1);
	assert_string_equal(names[0], "gamma.lab.test");

	/* The distinct names, sorted case-insensitively, for "did it resolve?". */
	{
		size_t n;
		const char **index = hostnames_name_index(&h, &n);

		assert_non_null(index);
		assert_int_equal(n, 4);
		assert_string_equal(index[0], "alpha.lab.test");
		assert_string_equal(index[3], "zeta.lab.test");
		assert_true(hostnames_index_has(index, n, "GAMMA.lab.test"));
		assert_false(hostnames_index_has(index, n, "delta.lab.test"));
		free(index);
	}
	hostnames_free(&h);
}

static void test_sni_map_merges_file_and_resolved_names(void **state)
{
	struct sni_map m;
	const struct sni_entry *e;
	char err[PORTUS_ERRLEN];
	const char file[] = "198.18.0.30 www.lab.test\n198.18.0.30 other.lab.test\n";

	(void)state;
	sni_map_init(&m);
	assert_int_equal(sni_map_add_text(&m, file, strlen(file), "f", err, sizeof(err)), 0);
	assert_int_equal(sni_map_add(&m, IP(198, 18, 0, 30), "WWW.lab.test."), 0);
	assert_int_equal(sni_map_add(&m, IP(198, 18, 0, 31), "www.lab.test"), 0);
	assert_int_equal(sni_map_add(&m, IP(198, 18, 0, 30), "new.lab.test"), 0);
	sni_map_sort(&m);
	assert_int_equal(sni_map_find(&m, IP(198, 18, 0, 30), &e), 3);
	assert_string_equal(e[0].name, "www.lab.test");
	assert_string_equal(e[1].name, "other.lab.test");
	assert_string_equal(e[2].name, "new.lab.test");
	assert_int_equal(sni_map_find(&m, IP(198, 18, 0, 31), &e), 1);
	assert_int_equal(sni_map_add(&m, IP(198, 18, 0, 31), ""), -1);
	sni_map_free(&m);
}

static void test_records_carry_names(void **state)
{
	static const char *const two[] = { "www.lab.test", "api.lab.test", NULL };
	static const char *const one[] = { "www.lab.test", NULL };
	struct port_record r;
	struct host_record h;
	struct resolve_record rr = { "nx.lab.test", "NXDOMAIN", NULL, "any", 1700000000000000 };
	struct strbuf b;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&h, 0, sizeof(h));
	r.ip = IP(198, 18, 0, 30);
	r.port = 443;
	r.state = PS_OPEN;
	r.reason = R_SYN_ACK;
	r.has_reply = 1;
	r.ttl = 64;
	r.time_us = 1700000000000000;
	sb_init(&b);
	native_port_format(&b, &r);
	assert_null(strstr(b.p, "hostname")); /* literals: no key at all */
	sb_reset(&b);
	r.names = one;
	native_port_format(&b, &r);
	assert_non_null(
		strstr(b.p, "\"ip\":\"198.18.0.30\",\"hostname\":\"www.lab.test\",\"port\":443,"));
	assert_null(strstr(b.p, "hostnames"));
	sb_reset(&b);
	r.names = two;
	native_port_format(&b, &r);
	assert_non_null(strstr(
		b.p,
		"\"hostname\":\"www.lab.test\",\"hostnames\":[\"www.lab.test\",\"api.lab.test\"],\"port\""));
	sb_reset(&b);
	h.ip = r.ip;
	h.up = 1;
	h.reason = R_ALL_PORTS_OPEN;
	h.names = one;
	native_host_format(&b, &h);
	assert_non_null(strstr(b.p, "\"ip\":\"198.18.0.30\",\"hostname\":\"www.lab.test\","));
	sb_reset(&b);
	native_resolve_format(&b, &rr);
	assert_string_equal(
		b.p, "{\"type\":\"resolve\",\"hostname\":\"nx.lab.test\",\"error\":\"NXDOMAIN\","
		     "\"family\":\"any\",\"time\":\"2023-11-14T22:13:20.000000Z\"}");
	sb_reset(&b);
	{
		struct run_info ri;

		memset(&ri, 0, sizeof(ri));
		cef_port_format(&b, &r, &ri);
		assert_non_null(strstr(b.p, " dhost=www.lab.test "));
		assert_non_null(strstr(b.p, "cs2Label=hostnames cs2=www.lab.test,api.lab.test"));
		sb_reset(&b);
		cef_resolve_format(&b, &rr, &ri);
		assert_non_null(strstr(b.p, "|name-unresolved|Host name not resolved|2|"));
		assert_non_null(strstr(b.p, "dhost=nx.lab.test outcome=NXDOMAIN"));
		sb_reset(&b);
		struct ecs_ctx c;
		assert_int_equal(ecs_ctx_init(&c, &ri), 0);
		ecs_port_format(&b, &c, &r);
		assert_non_null(strstr(
			b.p,
			"\"destination\":{\"ip\":\"198.18.0.30\",\"port\":443,\"domain\":\"www.lab.test\"}"));
		assert_non_null(strstr(b.p, "\"hosts\":[\"www.lab.test\",\"api.lab.test\"]"));
		sb_reset(&b);
		ecs_resolve_format(&b, &c, &rr);
		assert_non_null(strstr(b.p, "\"dataset\":\"portus.resolve\""));
		assert_non_null(strstr(
			b.p,
			"\"dns\":{\"question\":{\"name\":\"nx.lab.test\"},\"response_code\":\"NXDOMAIN\"}"));
		ecs_ctx_free(&c);
	}
	sb_free(&b);
}

/* A writer that remembers the last port record's names. */
static const char *const *seen_names;
static int seen_port(struct writer *w, const struct port_record *r)
{
	(void)w;
	seen_names = r->names;
	return 0;
}
static int seen_close(struct writer *w)
{
	(void)w;
	return 0;
}
static const struct writer_ops seen_ops = { .name = "seen",
					    .port = seen_port,
					    .close = seen_close };

static void test_names_writer_fills_records(void **state)
{
	struct writer inner = { .ops = &seen_ops };
	struct hostnames h;
	struct port_record r;
	struct writer *w;

	(void)state;
	hostnames_init(&h);
	assert_int_equal(hostnames_add(&h, IP(198, 18, 0, 30), "www.lab.test"), 0);
	assert_int_equal(hostnames_finish(&h), 0);
	w = writer_names_wrap(&inner, &h);
	assert_non_null(w);
	memset(&r, 0, sizeof(r));
	r.ip = IP(198, 18, 0, 30);
	assert_int_equal(w->ops->port(w, &r), 0);
	assert_string_equal(seen_names[0], "www.lab.test");
	r.ip = IP(198, 18, 0, 31);
	assert_int_equal(w->ops->port(w, &r), 0);
	assert_null(seen_names);
	assert_int_equal(w->ops->tls(w, NULL), 0);     /* inner has none: nothing */
	assert_int_equal(w->ops->resolve(w, NULL), 0); /* likewise */
	assert_int_equal(w->ops->close(w), 0);
	hostnames_free(&h);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(resolve_status_name(RES_OK), "OK");
	assert_string_equal(resolve_status_name(RES_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(resolve_status_name(RES_NODATA), "NODATA");
	assert_string_equal(resolve_status_name(RES_SERVFAIL), "SERVFAIL");
	assert_string_equal(resolve_status_name(RES_TIMEOUT), "TIMEOUT");
	assert_string_equal(resolve_status_name((enum resolve_status)99), "ERROR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_which_tokens_are_names),
		cmocka_unit_test(test_namelist_keeps_first_spelling_once),
		cmocka_unit_test(test_target_lists_collect_names),
		cmocka_unit_test(test_options_take_names_and_families),
		cmocka_unit_test(test_hostnames_map_input_order_and_repeats),
		cmocka_unit_test(test_sni_map_merges_file_and_resolved_names),
		cmocka_unit_test(test_records_carry_names),
		cmocka_unit_test(test_names_writer_fills_records),
		cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
