/*
 * test_diff.c — `portus diff` (src/sweep/diff.c) on hand-written scans: the
 * exact alert of each kind, the plan rule (no alert for what OLD never
 * scanned), the ECS form, "no change" (exit 0), bad input (exit 2).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "subcommands.h"

#define T_OLD "\"time\":\"2026-01-01T00:00:00.000000Z\""
#define T_NEW "\"time\":\"2026-01-02T00:00:00.000000Z\""
#define PORT(ip, port, state, reason, ttl, t)                                                     \
	"{\"type\":\"port\",\"ip\":\"" ip "\",\"port\":" #port                                    \
	",\"proto\":\"tcp\",\"state\":\"" state "\",\"reason\":\"" reason "\",\"ttl\":" ttl "," t \
	"}\n"
#define PORT_ICMP(ip, port, reason, reason_ip, t)                                              \
	"{\"type\":\"port\",\"ip\":\"" ip "\",\"port\":" #port ",\"proto\":\"tcp\",\"state\":" \
	"\"filtered\",\"reason\":\"" reason "\",\"ttl\":63,\"reason_ip\":\"" reason_ip "\"," t \
	"}\n"
#define HOST(ip, state, reason, t)                                                          \
	"{\"type\":\"host\",\"ip\":\"" ip "\",\"state\":\"" state "\",\"reason\":\"" reason \
	"\"," t "}\n"
#define SUMMARY(start)                                                                             \
	"{\"type\":\"summary\",\"start\":\"" start "\",\"end\":\"" start "\",\"elapsed_s\":0.000," \
	"\"targets\":20,\"hosts\":5,\"hosts_down\":1,\"open\":4,\"closed\":3,\"filtered\":0,"      \
	"\"probes_sent\":20,\"rate_pps\":1.0,\"pcap_received\":1,\"pcap_dropped\":0,"              \
	"\"if_dropped\":0,\"passes\":1,\"seed\":1,\"shard\":\"1/1\",\"interrupted\":false}\n"
#define SHA_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define SHA_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define TLS(version, sha, not_after, accepted, rejected, t)                                      \
	"{\"type\":\"tls\",\"ip\":\"198.18.0.12\",\"port\":443,\"sni\":null,\"outcome\":\"ok\"," \
	"\"tls_version\":\"" version "\",\"cipher\":\"X\",\"verify_ok\":true,"                   \
	"\"hostname_match\":null,\"cert\":{\"subject\":\"CN=x\",\"issuer\":\"CN=x\","            \
	"\"subject_cn\":[\"x\"],\"san_dns\":[],\"san_ip\":[],\"serial\":\"01\",\"not_before\":"  \
	"\"2025-01-01T00:00:00.000000Z\",\"not_after\":\"" not_after "\",\"days_to_expiry\":5,"  \
	"\"expired\":false,\"not_yet_valid\":false,\"self_signed\":true,"                        \
	"\"signature_algorithm\":null,\"key_algorithm\":null,\"key_bits\":null,\"key_curve\":"   \
	"null,\"sha256\":\"" sha "\",\"sha1\":null},\"chain\":[],\"chain_length\":1,"            \
	"\"versions_accepted\":" accepted ",\"versions_rejected\":" rejected "," t "}\n"

static const char old_scan[] = PORT("198.18.0.10", 22, "open", "syn-ack", "64",
				    T_OLD) PORT("198.18.0.10", 80, "open", "syn-ack", "64", T_OLD)
	PORT("198.18.0.10", 443, "closed", "reset", "64",
	     T_OLD) PORT("198.18.0.11", 22, "closed", "reset", "64",
			 T_OLD) PORT("198.18.0.11", 80, "closed", "reset", "64", T_OLD)
		PORT("198.18.0.12", 443, "open", "syn-ack", "64", T_OLD)
			HOST("198.18.0.13", "down", "no-arp-response", T_OLD)
				HOST("198.18.0.15", "up", "arp-response", T_OLD)
					PORT("198.18.0.15", 22, "open", "syn-ack", "64", T_OLD)
						TLS("TLSv1.2", SHA_A, "2030-01-01T00:00:00.000000Z",
						    "[\"TLSv1.2\"]",
						    "[\"TLSv1\",\"TLSv1.1\",\"TLSv1.3\"]", T_OLD)
							SUMMARY("2026-01-01T00:00:00.000000Z");

static const char new_scan[] = PORT("198.18.0.10", 22, "open", "syn-ack", "64", T_NEW)
	PORT("198.18.0.10", 80, "filtered", "no-response", "null", T_NEW)
		PORT("198.18.0.10", 443, "open", "syn-ack", "64", T_NEW)
	/* 8080 was not in OLD's plan, nor was 198.18.0.14: no alert */
	PORT("198.18.0.10", 8080, "open", "syn-ack", "64",
	     T_NEW) PORT("198.18.0.14", 22, "open", "syn-ack", "64",
			 T_NEW) PORT("198.18.0.11", 22, "open", "syn-ack", "64", T_NEW)
		PORT("198.18.0.11", 80, "closed", "reset", "64", T_NEW)
			PORT("198.18.0.12", 443, "open", "syn-ack", "64", T_NEW)
				HOST("198.18.0.13", "down", "no-arp-response", T_NEW)
					HOST("198.18.0.15", "down", "no-arp-response", T_NEW)
						TLS("TLSv1", SHA_B, "2026-01-20T00:00:00.000000Z",
						    "[\"TLSv1\",\"TLSv1.2\"]",
						    "[\"TLSv1.1\",\"TLSv1.3\"]", T_NEW)
							SUMMARY("2026-01-01T12:00:00.000000Z");

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/portus-diff-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *path_of(const char *name)
{
	static char paths[64][128];
	static int next;
	char *p = paths[next++ % 64];

	snprintf(p, 128, "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *text)
{
	FILE *fp = fopen(path_of(name), "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void slurp(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp != NULL) {
		n = fread(buf, 1, size - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
}

static char out[8192], err[1024];

/* portus diff ARGS... -o DIR/out.json; output and stderr into out, err. */
static int run_diff(const char *const *args)
{
	char *argv[16], *ep = path_of("stderr.txt"), *op = path_of("out.json");
	int argc = 0, saved, fd, rc;

	argv[argc++] = strdup("diff");
	argv[argc++] = strdup("-o");
	argv[argc++] = strdup(op);
	for (; *args != NULL; args++)
		argv[argc++] = strdup(*args);
	argv[argc] = NULL;
	unlink(op);
	fflush(stderr);
	saved = dup(2);
	fd = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
	rc = portus_diff_main(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	slurp(ep, err, sizeof(err));
	slurp(op, out, sizeof(out));
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

static void test_every_alert_kind_exactly(void **state)
{
	const char *args[] = { path_of("old.json"), path_of("new.json"), NULL };

	(void)state;
	put("old.json", old_scan);
	put("new.json", new_scan);
	assert_int_equal(run_diff(args), 1);
	assert_string_equal(
		out,
		"{\"type\":\"alert\",\"alert\":\"port-closed\",\"ip\":\"198.18.0.10\",\"port\":80,"
		"\"old\":\"open\",\"new\":\"filtered\"," T_NEW "}\n"
		"{\"type\":\"alert\",\"alert\":\"port-opened\",\"ip\":\"198.18.0.10\",\"port\":443,"
		"\"old\":\"closed\",\"new\":\"open\"," T_NEW "}\n"
		/* .11 answered RST before: up in both, newly exposed */
		"{\"type\":\"alert\",\"alert\":\"host-exposed\",\"ip\":\"198.18.0.11\","
		"\"old\":\"not-exposed\",\"new\":\"exposed\",\"time\":\"2026-01-01T12:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"port-opened\",\"ip\":\"198.18.0.11\",\"port\":22,"
		"\"old\":\"closed\",\"new\":\"open\"," T_NEW "}\n"
		"{\"type\":\"alert\",\"alert\":\"cert-changed\",\"ip\":\"198.18.0.12\",\"port\":443,"
		"\"sni\":null,\"old\":\"" SHA_A "\",\"new\":\"" SHA_B "\"," T_NEW "}\n"
		"{\"type\":\"alert\",\"alert\":\"cert-expiring\",\"ip\":\"198.18.0.12\",\"port\":443,"
		"\"sni\":null,\"old\":null,\"new\":\"2026-01-20T00:00:00.000000Z\",\"days_left\":18," T_NEW
		"}\n"
		"{\"type\":\"alert\",\"alert\":\"tls-weak\",\"ip\":\"198.18.0.12\",\"port\":443,"
		"\"sni\":null,\"old\":null,\"new\":\"TLSv1\"," T_NEW "}\n"
		"{\"type\":\"alert\",\"alert\":\"host-disappeared\",\"ip\":\"198.18.0.15\","
		"\"old\":\"up\",\"new\":\"down\",\"time\":\"2026-01-01T12:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"host-exposure-gone\",\"ip\":\"198.18.0.15\","
		"\"old\":\"exposed\",\"new\":\"not-exposed\",\"time\":\"2026-01-01T12:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"port-closed\",\"ip\":\"198.18.0.15\",\"port\":22,"
		"\"old\":\"open\",\"new\":null,\"time\":\"2026-01-01T12:00:00.000000Z\"}\n");
	assert_string_equal(
		err, "portus: diff: 10 changes: 1 host disappeared, 1 host newly exposed, "
		     "1 host no longer exposed, 2 ports opened, 2 ports closed, "
		     "1 certificate changed, 1 certificate expiring, 1 endpoint newly weak\n");
}

static void test_expiry_days_bounds_the_expiring_alert(void **state)
{
	const char *args[] = { "--expiry-days", "18", path_of("old.json"), path_of("new.json"),
			       NULL };

	(void)state;
	put("old.json", old_scan);
	put("new.json", new_scan);
	assert_int_equal(run_diff(args), 1);
	assert_null(strstr(out, "cert-expiring"));
	assert_non_null(strstr(err, "9 changes"));
}

static void test_no_change_exits_0(void **state)
{
	const char *args[] = { path_of("old.json"), path_of("old.json"), NULL };

	(void)state;
	put("old.json", old_scan);
	assert_int_equal(run_diff(args), 0);
	assert_string_equal(out, "");
	assert_string_equal(err, "portus: diff: no changes\n");
}

static void test_shard_lists_compare_like_one_file(void **state)
{
	/* NEW given as two shard files split anyhow: the same 10 alerts. */
	const char *args[] = { path_of("old.json"), NULL, NULL };
	char list[300];
	const char *half = strstr(new_scan,
				  PORT("198.18.0.11", 22, "open", "syn-ack", "64", T_NEW));
	char first[4096];

	(void)state;
	put("old.json", old_scan);
	assert_non_null(half);
	memcpy(first, new_scan, (size_t)(half - new_scan));
	first[half - new_scan] = '\0';
	put("n1.json", first);
	put("n2.json", half);
	snprintf(list, sizeof(list), "%s,%s", path_of("n1.json"), path_of("n2.json"));
	args[1] = list;
	assert_int_equal(run_diff(args), 1);
	assert_non_null(strstr(err, "portus: diff: 10 changes:"));
}

static void test_ecs_alert_record(void **state)
{
	const char *args[] = { "--format", "ecs", path_of("o.json"), path_of("n.json"), NULL };

	(void)state;
	put("o.json", PORT("198.18.0.10", 22, "closed", "reset", "64", T_OLD));
	put("n.json", PORT("198.18.0.10", 22, "open", "syn-ack", "64", T_NEW));
	assert_int_equal(run_diff(args), 1);
	/* No open port before: the host is newly exposed (it was up: RST). */
	assert_string_equal(
		out,
		"{\"@timestamp\":\"2026-01-02T00:00:00.000000Z\",\"ecs\":{\"version\":\"9.0.0\"},"
		"\"event\":{\"kind\":\"alert\",\"category\":[\"network\"],\"type\":[\"change\"],"
		"\"action\":\"host-exposed\",\"dataset\":\"portus.diff\",\"module\":\"portus\"},"
		"\"destination\":{\"ip\":\"198.18.0.10\",\"address\":\"198.18.0.10\"},"
		"\"message\":\"host-exposed 198.18.0.10\",\"portus\":{\"diff\":{\"old\":\"not-exposed\","
		"\"new\":\"exposed\"}}}\n"
		"{\"@timestamp\":\"2026-01-02T00:00:00.000000Z\",\"ecs\":{\"version\":\"9.0.0\"},"
		"\"event\":{\"kind\":\"alert\",\"category\":[\"network\"],\"type\":[\"change\"],"
		"\"action\":\"port-opened\",\"dataset\":\"portus.diff\",\"module\":\"portus\"},"
		"\"destination\":{\"ip\":\"198.18.0.10\",\"address\":\"198.18.0.10\",\"port\":22},"
		"\"network\":{\"transport\":\"tcp\"},\"message\":\"port-opened 198.18.0.10:22\","
		"\"portus\":{\"diff\":{\"old\":\"closed\",\"new\":\"open\"}}}\n");
	assert_string_equal(err, "portus: diff: 2 changes: 1 host newly exposed, 1 port opened\n");
}

/* IPv6 hosts: compared as addresses (another spelling of the same address
 * is the same target), alerts after the IPv4 ones in address order, the
 * canonical text in the alert. */
static void test_ipv6_alerts(void **state)
{
	const char *args[] = { path_of("o6.json"), path_of("n6.json"), NULL };

	(void)state;
	put("o6.json",
	    PORT("2001:db8::1", 22, "open", "syn-ack", "64", T_OLD)
		    PORT("2001:db8::1", 443, "closed", "reset", "64", T_OLD)
			    HOST("2001:db8::2", "up", "nd-response", T_OLD)
				    PORT("2001:db8::10", 22, "open", "syn-ack", "64", T_OLD)
					    PORT("198.18.0.10", 22, "closed", "reset", "64", T_OLD)
						    SUMMARY("2026-01-01T00:00:00.000000Z"));
	put("n6.json",
	    PORT("2001:DB8:0:0:0:0:0:1", 22, "open", "syn-ack", "64", T_NEW)
		    PORT("2001:db8::1", 443, "open", "syn-ack", "64", T_NEW)
			    HOST("2001:db8::2", "down", "no-nd-response", T_NEW)
				    PORT("2001:db8:0::10", 22, "open", "syn-ack", "64", T_NEW)
					    PORT("198.18.0.10", 22, "open", "syn-ack", "64", T_NEW)
						    SUMMARY("2026-01-02T00:00:00.000000Z"));
	assert_int_equal(run_diff(args), 1);
	assert_string_equal(
		out,
		"{\"type\":\"alert\",\"alert\":\"host-exposed\",\"ip\":\"198.18.0.10\","
		"\"old\":\"not-exposed\",\"new\":\"exposed\",\"time\":\"2026-01-02T00:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"port-opened\",\"ip\":\"198.18.0.10\",\"port\":22,"
		"\"old\":\"closed\",\"new\":\"open\"," T_NEW "}\n"
		"{\"type\":\"alert\",\"alert\":\"port-opened\",\"ip\":\"2001:db8::1\",\"port\":443,"
		"\"old\":\"closed\",\"new\":\"open\"," T_NEW "}\n"
		"{\"type\":\"alert\",\"alert\":\"host-disappeared\",\"ip\":\"2001:db8::2\","
		"\"old\":\"up\",\"new\":\"down\",\"time\":\"2026-01-02T00:00:00.000000Z\"}\n");
	assert_string_equal(err,
			    "portus: diff: 4 changes: 1 host disappeared, 1 host newly exposed, "
			    "2 ports opened\n");
}

#define NPORT(ip, names, port, state, reason, t)                                               \
	"{\"type\":\"port\",\"ip\":\"" ip "\"," names ",\"port\":" #port ",\"proto\":\"tcp\"," \
	"\"state\":\"" state "\",\"reason\":\"" reason "\",\"ttl\":64," t "}\n"
#define RESOLVE(name, error, family, t)                                      \
	"{\"type\":\"resolve\",\"hostname\":\"" name "\",\"error\":\"" error \
	"\",\"family\":\"" family "\"," t "}\n"

/* Alerts carry the names of their address; a name that stopped (or started)
 * resolving is said, since its addresses leave (enter) the plan silently. */
static void test_names_in_alerts(void **state)
{
	const char *args[] = { path_of("on.json"), path_of("nn.json"), NULL };
	const char *ecs_args[] = { "--format", "ecs", path_of("on.json"), path_of("nn.json"),
				   NULL };

	(void)state;
	put("on.json",
	    RESOLVE("new.example.test", "NXDOMAIN", "any", T_OLD)
		    NPORT("198.18.0.10", "\"hostname\":\"www.example.test\"", 443, "closed",
			  "reset", T_OLD) NPORT("2001:db8::5", "\"hostname\":\"gone.example.test\"",
						443, "open", "syn-ack", T_OLD)
			    SUMMARY("2026-01-01T00:00:00.000000Z"));
	put("nn.json", RESOLVE("gone.example.test", "NXDOMAIN", "any",
			       T_NEW) RESOLVE("gone.example.test", "TIMEOUT", "ipv4", T_NEW)
			       NPORT("198.18.0.10",
				     "\"hostname\":\"www.example.test\",\"hostnames\":"
				     "[\"www.example.test\",\"alias.example.test\"]",
				     443, "open", "syn-ack", T_NEW)
				       NPORT("198.18.0.20", "\"hostname\":\"new.example.test\"",
					     443, "open", "syn-ack", T_NEW)
	    /* a closed record: not --open output, so 2001:db8::5 is out of the plan */
	    NPORT("198.18.0.20", "\"hostname\":\"new.example.test\"", 80, "closed", "reset", T_NEW)
		    SUMMARY("2026-01-02T00:00:00.000000Z"));
	assert_int_equal(run_diff(args), 1);
	assert_string_equal(
		out,
		"{\"type\":\"alert\",\"alert\":\"name-unresolved\",\"hostname\":\"gone.example.test\","
		"\"old\":\"resolved\",\"new\":\"NXDOMAIN\"," T_NEW "}\n"
		"{\"type\":\"alert\",\"alert\":\"name-resolved\",\"hostname\":\"new.example.test\","
		"\"old\":\"NXDOMAIN\",\"new\":\"resolved\",\"time\":\"2026-01-02T00:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"host-exposed\",\"ip\":\"198.18.0.10\","
		"\"hostname\":\"www.example.test\",\"hostnames\":[\"www.example.test\","
		"\"alias.example.test\"],\"old\":\"not-exposed\",\"new\":\"exposed\","
		"\"time\":\"2026-01-02T00:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"port-opened\",\"ip\":\"198.18.0.10\","
		"\"hostname\":\"www.example.test\",\"hostnames\":[\"www.example.test\","
		"\"alias.example.test\"],\"port\":443,\"old\":\"closed\",\"new\":\"open\"," T_NEW
		"}\n");
	assert_string_equal(err, "portus: diff: 4 changes: 1 name no longer resolves, "
				 "1 name newly resolves, 1 host newly exposed, 1 port opened\n");

	assert_int_equal(run_diff(ecs_args), 1);
	assert_non_null(strstr(out, "\"destination\":{\"address\":\"gone.example.test\","
				    "\"domain\":\"gone.example.test\"}"));
	assert_non_null(strstr(out, "\"message\":\"name-unresolved gone.example.test\""));
	assert_non_null(strstr(out,
			       "\"destination\":{\"ip\":\"198.18.0.10\",\"address\":"
			       "\"198.18.0.10\",\"port\":443,\"domain\":\"www.example.test\"}"));

	/* A hostname that is not a host name is bad input, as any bad field. */
	put("bad.json",
	    NPORT("198.18.0.10", "\"hostname\":\"a b\"", 443, "open", "syn-ack", T_NEW));
	args[1] = path_of("bad.json");
	assert_int_equal(run_diff(args), 2);
	assert_non_null(strstr(err, "bad.json:1: port record with a bad \"hostname\" "
				    "(a host name expected)"));
	put("bad.json", NPORT("198.18.0.10", "\"hostname\":\"a.test\",\"hostnames\":[\"b.test\"]",
			      443, "open", "syn-ack", T_NEW));
	assert_int_equal(run_diff(args), 2);
	assert_non_null(strstr(err, "is not the first of \"hostnames\""));
	put("bad.json", RESOLVE("x.test", "MAYBE", "any", T_NEW));
	assert_int_equal(run_diff(args), 2);
	assert_non_null(strstr(err, "resolve record with a bad \"error\""));
}

static void test_ecs_ipv6_alert_record(void **state)
{
	const char *args[] = { "--format", "ecs", path_of("o.json"), path_of("n.json"), NULL };

	(void)state;
	put("o.json", PORT("2001:db8::1", 22, "open", "syn-ack", "64", T_OLD)
			      PORT("2001:db8::1", 443, "closed", "reset", "64", T_OLD));
	put("n.json", PORT("2001:db8::1", 22, "filtered", "no-response", "null", T_NEW)
			      PORT("2001:db8::1", 443, "closed", "reset", "64", T_NEW));
	assert_int_equal(run_diff(args), 1);
	/* The last open port closed, but 443 still answers RST: the host is up,
	 * only its exposure is gone (not host-disappeared). */
	assert_string_equal(
		out,
		"{\"@timestamp\":\"2026-01-02T00:00:00.000000Z\",\"ecs\":{\"version\":\"9.0.0\"},"
		"\"event\":{\"kind\":\"alert\",\"category\":[\"network\"],\"type\":[\"change\"],"
		"\"action\":\"host-exposure-gone\",\"dataset\":\"portus.diff\",\"module\":\"portus\"},"
		"\"destination\":{\"ip\":\"2001:db8::1\",\"address\":\"2001:db8::1\"},"
		"\"network\":{\"type\":\"ipv6\"},"
		"\"message\":\"host-exposure-gone 2001:db8::1\",\"portus\":{\"diff\":{\"old\":\"exposed\","
		"\"new\":\"not-exposed\"}}}\n"
		"{\"@timestamp\":\"2026-01-02T00:00:00.000000Z\",\"ecs\":{\"version\":\"9.0.0\"},"
		"\"event\":{\"kind\":\"alert\",\"category\":[\"network\"],\"type\":[\"change\"],"
		"\"action\":\"port-closed\",\"dataset\":\"portus.diff\",\"module\":\"portus\"},"
		"\"destination\":{\"ip\":\"2001:db8::1\",\"address\":\"2001:db8::1\",\"port\":22},"
		"\"network\":{\"transport\":\"tcp\",\"type\":\"ipv6\"},"
		"\"message\":\"port-closed [2001:db8::1]:22\","
		"\"portus\":{\"diff\":{\"old\":\"open\",\"new\":\"filtered\"}}}\n");
}

/*
 * Host up as nmap means it (issue 13): a host that answers anything itself
 * (RST, an ICMP error from its own address) is up; its last open port
 * closing is host-exposure-gone, not host-disappeared. An ICMP error from a
 * router does not make the target up.
 */
static void test_host_up_means_the_host_answered(void **state)
{
	const char *args[] = { path_of("o.json"), path_of("n.json"), NULL };

	(void)state;
	put("o.json", PORT("198.18.0.20", 22, "open", "syn-ack", "64",
			   T_OLD) PORT("198.18.0.20", 80, "closed", "reset", "64", T_OLD)
			      PORT("198.18.0.21", 22, "open", "syn-ack", "64",
				   T_OLD) PORT("198.18.0.22", 22, "open", "syn-ack", "64", T_OLD)
				      PORT_ICMP("198.18.0.23", 22, "host-unreach", "198.18.0.254",
						T_OLD) SUMMARY("2026-01-01T00:00:00.000000Z"));
	put("n.json",
	    PORT("198.18.0.20", 22, "closed", "reset", "64",
		 T_NEW) PORT("198.18.0.20", 80, "closed", "reset", "64", T_NEW)
		    PORT_ICMP("198.18.0.21", 22, "host-unreach", "198.18.0.254", T_NEW)
			    PORT_ICMP("198.18.0.22", 22, "port-unreach", "198.18.0.22", T_NEW)
				    PORT("198.18.0.23", 22, "closed", "reset", "64", T_NEW)
					    SUMMARY("2026-01-02T00:00:00.000000Z"));
	assert_int_equal(run_diff(args), 1);
	assert_string_equal(
		out,
		/* .20: its only open port now answers RST: still up, no longer exposed */
		"{\"type\":\"alert\",\"alert\":\"host-exposure-gone\",\"ip\":\"198.18.0.20\","
		"\"old\":\"exposed\",\"new\":\"not-exposed\",\"time\":\"2026-01-02T00:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"port-closed\",\"ip\":\"198.18.0.20\",\"port\":22,"
		"\"old\":\"open\",\"new\":\"closed\"," T_NEW "}\n"
		/* .21: only a router's host-unreach now: gone */
		"{\"type\":\"alert\",\"alert\":\"host-disappeared\",\"ip\":\"198.18.0.21\","
		"\"old\":\"up\",\"new\":\"down\",\"time\":\"2026-01-02T00:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"host-exposure-gone\",\"ip\":\"198.18.0.21\","
		"\"old\":\"exposed\",\"new\":\"not-exposed\",\"time\":\"2026-01-02T00:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"port-closed\",\"ip\":\"198.18.0.21\",\"port\":22,"
		"\"old\":\"open\",\"new\":\"filtered\"," T_NEW "}\n"
		/* .22: a port-unreach from its own address: up */
		"{\"type\":\"alert\",\"alert\":\"host-exposure-gone\",\"ip\":\"198.18.0.22\","
		"\"old\":\"exposed\",\"new\":\"not-exposed\",\"time\":\"2026-01-02T00:00:00.000000Z\"}\n"
		"{\"type\":\"alert\",\"alert\":\"port-closed\",\"ip\":\"198.18.0.22\",\"port\":22,"
		"\"old\":\"open\",\"new\":\"filtered\"," T_NEW "}\n"
		/* .23: was only behind a router's host-unreach, now answers RST */
		"{\"type\":\"alert\",\"alert\":\"host-appeared\",\"ip\":\"198.18.0.23\","
		"\"old\":\"down\",\"new\":\"up\",\"time\":\"2026-01-02T00:00:00.000000Z\"}\n");
	assert_string_equal(err, "portus: diff: 8 changes: 1 host appeared, 1 host disappeared, "
				 "3 hosts no longer exposed, 3 ports closed\n");
}

static void test_open_only_output_is_sparse(void **state)
{
	/* --open output: closed targets are not listed, so an address absent
	 * from OLD still counts as planned when its port was scanned. */
	const char *args[] = { path_of("o.json"), path_of("n.json"), NULL };

	(void)state;
	put("o.json", PORT("198.18.0.10", 22, "open", "syn-ack", "64", T_OLD)
			      SUMMARY("2026-01-01T00:00:00.000000Z"));
	put("n.json", PORT("198.18.0.10", 22, "open", "syn-ack", "64", T_NEW)
			      PORT("198.18.0.11", 22, "open", "syn-ack", "64", T_NEW)
				      SUMMARY("2026-01-02T00:00:00.000000Z"));
	assert_int_equal(run_diff(args), 1);
	assert_string_equal(err, "portus: diff: 3 changes: 1 host appeared, 1 host newly exposed, "
				 "1 port opened\n");
}

static void test_bad_input_exits_2(void **state)
{
	const char *missing[] = { path_of("old.json"), path_of("nope.json"), NULL };
	const char *days[] = { "--expiry-days", "x", "a", "b", NULL };
	const char *fmt[] = { "--format", "xml", "a", "b", NULL };
	const char *one[] = { "a", NULL };
	char want[300];

	(void)state;
	put("old.json", old_scan);
	assert_int_equal(run_diff(missing), 2);
	snprintf(want, sizeof(want), "portus: diff: %s/nope.json: No such file or directory\n",
		 dir);
	assert_string_equal(err, want);
	assert_int_equal(run_diff(days), 2);
	assert_string_equal(err,
			    "portus: diff: --expiry-days x: a number of days 0-36500 expected\n");
	assert_int_equal(run_diff(fmt), 2);
	assert_string_equal(err, "portus: diff: --format xml: json or ecs expected\n");
	assert_int_equal(run_diff(one), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_alert_kind_exactly),
		cmocka_unit_test(test_expiry_days_bounds_the_expiring_alert),
		cmocka_unit_test(test_no_change_exits_0),
		cmocka_unit_test(test_shard_lists_compare_like_one_file),
		cmocka_unit_test(test_ecs_alert_record),
		cmocka_unit_test(test_ipv6_alerts),
		cmocka_unit_test(test_ecs_ipv6_alert_record),
		cmocka_unit_test(test_names_in_alerts),
		cmocka_unit_test(test_host_up_means_the_host_answered),
		cmocka_unit_test(test_open_only_output_is_sparse),
		cmocka_unit_test(test_bad_input_exits_2),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
