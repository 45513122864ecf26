/*
 * test_merge.c — `portus merge` (src/sweep/merge.c) on hand-written shard
 * files: the exact merged output of a complete set, and the one-line errors
 * (exit 2) for a missing shard, a duplicate shard, mixed seeds, mixed shard
 * counts and a file without summary, with --allow-partial merging anyway.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "subcommands.h"

#define T0 "\"time\":\"2026-01-01T00:00:00.000000Z\""
#define PORT(ip, port, state, reason, ttl)                                                         \
	"{\"type\":\"port\",\"ip\":\"" ip "\",\"port\":" #port                                     \
	",\"proto\":\"tcp\",\"state\":\"" state "\",\"reason\":\"" reason "\",\"ttl\":" ttl "," T0 \
	"}\n"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/portus-merge-XXXXXX");
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

/* The whole file (static buffer). */
static const char *slurp(const char *path)
{
	static char buf[16384];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static char summary_buf[1024];

/* A shard's summary line. */
static const char *summary(const char *seed, const char *shard, int sec, int targets, int open,
			   int closed, int filtered, const char *interrupted)
{
	snprintf(summary_buf, sizeof(summary_buf),
		 "{\"type\":\"summary\",\"start\":\"2026-01-01T00:00:0%d.000000Z\",\"end\":"
		 "\"2026-01-01T00:00:0%d.000000Z\",\"elapsed_s\":1.000,\"targets\":%d,\"hosts\":3,"
		 "\"hosts_down\":0,\"open\":%d,\"closed\":%d,\"filtered\":%d,\"probes_sent\":%d,"
		 "\"rate_pps\":10.0,\"pcap_received\":%d,\"pcap_dropped\":0,\"if_dropped\":0,"
		 "\"passes\":1,\"seed\":%s,\"shard\":\"%s\",\"interrupted\":%s}\n",
		 sec, sec + 1, targets, open, closed, filtered, targets, open + closed, seed, shard,
		 interrupted);
	return summary_buf;
}

static void shard_file(const char *name, const char *records, const char *sum)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", records, sum);
	put(name, text);
}

/* Runs portus merge with argv (NULL-terminated) ; stderr into *err. */
static int run_merge(const char **args, const char **err)
{
	char *argv[16];
	int argc = 0, saved, fd, rc;
	char *ep = path_of("stderr.txt");

	argv[argc++] = strdup("merge");
	for (; *args != NULL; args++)
		argv[argc++] = strdup(*args);
	argv[argc] = NULL;
	fflush(stderr);
	saved = dup(2);
	fd = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
	rc = portus_merge_main(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	*err = slurp(ep);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

static void make_complete_set(void)
{
	shard_file("s1.json",
		   PORT("198.18.0.11", 80, "open", "syn-ack", "128")
			   PORT("198.18.0.10", 443, "closed", "reset", "64"),
		   summary("42", "1/3", 1, 2, 1, 1, 0, "false"));
	shard_file(
		"s2.json",
		PORT("198.18.0.10", 22, "open", "syn-ack",
		     "64") "{\"type\":\"host\",\"ip\":\"198.18.0.13\",\"state\":\"down\",\"reason\":"
			   "\"no-arp-response\"," T0 "}\n"
			   "{\"type\":\"tls\",\"ip\":\"198.18.0.11\",\"port\":80,\"sni\":null,\"outcome\":"
			   "\"not-tls\",\"verify_ok\":null,\"hostname_match\":null,\"cert\":null," T0
			   "}\n",
		summary("42", "2/3", 3, 2, 1, 0, 0, "false"));
	shard_file("s3.json",
		   PORT("198.18.0.12", 8080, "filtered", "no-response", "null")
			   PORT("198.18.0.10", 80, "open", "syn-ack", "64"),
		   summary("42", "3/3", 2, 2, 1, 0, 1, "false"));
}

static void test_merges_complete_set_in_address_order(void **state)
{
	const char *args[] = { "-o",
			       path_of("out.json"),
			       path_of("s3.json"),
			       path_of("s1.json"),
			       path_of("s2.json"),
			       NULL };
	const char *err;

	(void)state;
	make_complete_set();
	assert_int_equal(run_merge(args, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(
		slurp(path_of("out.json")),
		PORT("198.18.0.10", 22, "open", "syn-ack",
		     "64") PORT("198.18.0.10", 80, "open", "syn-ack",
				"64") PORT("198.18.0.10", 443, "closed", "reset", "64")
			PORT("198.18.0.11", 80, "open", "syn-ack",
			     "128") "{\"type\":\"tls\",\"ip\":\"198.18.0.11\",\"port\":80,\"sni\":null,\"outcome\":"
				    "\"not-tls\",\"verify_ok\":null,\"hostname_match\":null,\"cert\":null," T0
				    "}\n" PORT(
					    "198.18.0.12", 8080, "filtered", "no-response",
					    "null") "{\"type\":\"host\",\"ip\":\"198.18.0.13\",\"state\":\"down\",\"reason\":"
						    "\"no-arp-response\"," T0 "}\n"
						    "{\"type\":\"summary\",\"start\":\"2026-01-01T00:00:01.000000Z\",\"end\":"
						    "\"2026-01-01T00:00:04.000000Z\",\"elapsed_s\":3.000,\"targets\":6,\"hosts\":3,"
						    "\"hosts_down\":0,\"open\":3,\"closed\":1,\"filtered\":1,\"probes_sent\":6,"
						    "\"rate_pps\":30.0,\"pcap_received\":4,\"pcap_dropped\":0,\"if_dropped\":0,"
						    "\"passes\":1,\"seed\":42,\"shard\":\"1/1\",\"interrupted\":false,"
						    "\"shards_merged\":3,\"shards_missing\":[]}\n");
}

/* IPv6 hosts flow through: after the IPv4 ones, in address order (numeric,
 * not text: 2001:db8::9 before 2001:db8::10), one record per target however
 * its address was written, port and host records rewritten in RFC 5952 form;
 * reason_ip kept. */
static void test_merges_ipv6_hosts(void **state)
{
	const char *args[] = { "-o", path_of("out6.json"), path_of("v6a.json"), path_of("v6b.json"),
			       NULL };
	const char *err;

	(void)state;
	shard_file(
		"v6a.json",
		PORT("2001:db8::10", 443, "open", "syn-ack", "64") PORT(
			"2001:DB8:0:0::9", 22, "filtered", "no-response",
			"null") "{\"type\":\"port\",\"ip\":\"2001:db8::9\",\"port\":80,\"proto\":\"tcp\",\"state\":"
				"\"filtered\",\"reason\":\"no-route\",\"ttl\":63,\"reason_ip\":\"2001:db8:0:1:0:0:0:fe\"," T0
				"}\n",
		summary("42", "1/2", 1, 3, 1, 0, 2, "false"));
	shard_file(
		"v6b.json",
		PORT("2001:db8::9", 22, "open", "syn-ack", "64") PORT(
			"198.18.0.10", 22, "open", "syn-ack",
			"64") "{\"type\":\"host\",\"ip\":\"2001:db8::23\",\"state\":\"down\",\"reason\":"
			      "\"no-nd-response\"," T0 "}\n",
		summary("42", "2/2", 2, 2, 2, 0, 0, "false"));
	assert_int_equal(run_merge(args, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(
		slurp(path_of("out6.json")),
		PORT("198.18.0.10", 22, "open", "syn-ack", "64") PORT(
			"2001:db8::9", 22, "open", "syn-ack",
			"64") "{\"type\":\"port\",\"ip\":\"2001:db8::9\",\"port\":80,\"proto\":\"tcp\",\"state\":"
			      "\"filtered\",\"reason\":\"no-route\",\"ttl\":63,\"reason_ip\":\"2001:db8:0:1::fe\"," T0
			      "}\n" PORT(
				      "2001:db8::10", 443, "open", "syn-ack",
				      "64") "{\"type\":\"host\",\"ip\":\"2001:db8::23\",\"state\":\"down\",\"reason\":"
					    "\"no-nd-response\"," T0 "}\n"
					    "{\"type\":\"summary\",\"start\":\"2026-01-01T00:00:01.000000Z\",\"end\":"
					    "\"2026-01-01T00:00:03.000000Z\",\"elapsed_s\":2.000,\"targets\":5,\"hosts\":3,"
					    "\"hosts_down\":0,\"open\":3,\"closed\":0,\"filtered\":2,\"probes_sent\":5,"
					    "\"rate_pps\":20.0,\"pcap_received\":3,\"pcap_dropped\":0,\"if_dropped\":0,"
					    "\"passes\":1,\"seed\":42,\"shard\":\"1/1\",\"interrupted\":false,"
					    "\"shards_merged\":2,\"shards_missing\":[]}\n");
}

#define NAMED(ip, names, port)                                                                 \
	"{\"type\":\"port\",\"ip\":\"" ip "\"," names ",\"port\":" #port ",\"proto\":\"tcp\"," \
	"\"state\":\"open\",\"reason\":\"syn-ack\",\"ttl\":64," T0 "}\n"
#define RESOLVE(name, error, family)                                         \
	"{\"type\":\"resolve\",\"hostname\":\"" name "\",\"error\":\"" error \
	"\",\"family\":\"" family "\"," T0 "}\n"

/* Names stay on every record of their address; each shard's resolve records
 * are one per name and family, first; a name that resolved in one shard
 * only is a warning (that shard's part of its addresses was not scanned). */
static void test_merge_keeps_names(void **state)
{
	const char *args[] = { "-o", path_of("outn.json"), path_of("na.json"), path_of("nb.json"),
			       NULL };
	const char *err;

	(void)state;
	shard_file(
		"na.json",
		RESOLVE("nx.example.test", "NXDOMAIN", "any") RESOLVE("flaky.example.test",
								      "TIMEOUT", "any")
			NAMED("198.18.0.10",
			      "\"hostname\":\"www.example.test\",\"hostnames\":"
			      "[\"www.example.test\",\"alias.example.test\"]",
			      443) "{\"type\":\"host\",\"ip\":\"2001:db8::23\",\"hostname\":\"v6.example.test\","
				   "\"state\":\"down\",\"reason\":\"no-nd-response\"," T0 "}\n",
		summary("42", "1/2", 1, 3, 1, 0, 2, "false"));
	shard_file("nb.json",
		   RESOLVE("NX.example.test", "NXDOMAIN", "any")
			   NAMED("198.18.0.10",
				 "\"hostname\":\"www.example.test\",\"hostnames\":"
				 "[\"www.example.test\",\"alias.example.test\"]",
				 80) NAMED("198.18.0.11", "\"hostname\":\"flaky.example.test\"", 22)
				   PORT("198.18.0.12", 22, "open", "syn-ack", "64"),
		   summary("42", "2/2", 2, 2, 2, 0, 0, "false"));
	assert_int_equal(run_merge(args, &err), 0);
	assert_string_equal(err, "portus: merge: warning: flaky.example.test did not resolve "
				 "(TIMEOUT) in a shard but did in another: that shard did not "
				 "scan its addresses\n");
	assert_string_equal(
		slurp(path_of("outn.json")), RESOLVE("flaky.example.test", "TIMEOUT", "any")
		/* one of the two spellings: the earliest, then the first in byte order */
		RESOLVE("NX.example.test", "NXDOMAIN",
			"any") NAMED("198.18.0.10",
				     "\"hostname\":\"www.example.test\",\"hostnames\":"
				     "[\"www.example.test\",\"alias.example.test\"]",
				     80) NAMED("198.18.0.10",
					       "\"hostname\":\"www.example.test\",\"hostnames\":"
					       "[\"www.example.test\",\"alias.example.test\"]",
					       443) NAMED("198.18.0.11",
							  "\"hostname\":\"flaky.example.test\"", 22)
			PORT("198.18.0.12", 22, "open", "syn-ack",
			     "64") "{\"type\":\"host\",\"ip\":\"2001:db8::23\",\"hostname\":\"v6.example.test\","
				   "\"state\":\"down\",\"reason\":\"no-nd-response\"," T0 "}\n"
				   "{\"type\":\"summary\",\"start\":\"2026-01-01T00:00:01.000000Z\",\"end\":"
				   "\"2026-01-01T00:00:03.000000Z\",\"elapsed_s\":2.000,\"targets\":5,\"hosts\":3,"
				   "\"hosts_down\":0,\"open\":3,\"closed\":0,\"filtered\":2,\"probes_sent\":5,"
				   "\"rate_pps\":20.0,\"pcap_received\":3,\"pcap_dropped\":0,\"if_dropped\":0,"
				   "\"passes\":1,\"seed\":42,\"shard\":\"1/1\",\"interrupted\":false,"
				   "\"shards_merged\":2,\"shards_missing\":[]}\n");
}

/* -o onto something that is not a regular file (a FIFO here, /dev/null in
 * practice) writes into it: a rename over it would replace it with a file. */
static void test_output_to_a_fifo_stays_a_fifo(void **state)
{
	const char *args[] = { "-o", path_of("fifo"), path_of("f1.json"), NULL };
	const char *err;
	struct stat st;
	pid_t pid;
	int status;

	(void)state;
	shard_file("f1.json", PORT("198.18.0.10", 22, "open", "syn-ack", "64"),
		   summary("7", "1/1", 1, 2, 1, 0, 0, "false"));
	assert_int_equal(mkfifo(path_of("fifo"), 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* the reader: the FIFO's bytes into a file */
		FILE *in, *out;
		int ch;

		/* If merge never opens the FIFO (it renamed a file over it), the
		 * open below would wait forever: the alarm ends it, and the test fails. */
		alarm(5);
		in = fopen(path_of("fifo"), "r");
		out = fopen(path_of("fifo.out"), "w");
		if (in == NULL || out == NULL)
			_exit(1);
		while ((ch = getc(in)) != EOF)
			putc(ch, out);
		_exit(fclose(out) == 0 ? 0 : 1);
	}
	assert_int_equal(run_merge(args, &err), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(stat(path_of("fifo"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(access(path_of("fifo.tmp"), F_OK), -1);
	assert_non_null(strstr(slurp(path_of("fifo.out")),
			       PORT("198.18.0.10", 22, "open", "syn-ack", "64")));
}

/* A read error is an error, never a "cut last line" that drops the rest. */
static void test_read_error_is_an_error(void **state)
{
	const char *args[] = { "-o", path_of("rd.json"), dir, NULL };
	const char *err;

	(void)state;
	assert_int_equal(run_merge(args, &err), 2);
	assert_non_null(strstr(err, ":1: read error: Is a directory"));
	assert_null(strstr(err, "cut"));
	assert_int_equal(access(path_of("rd.json"), F_OK), -1);
}

static void test_refuses_incomplete_or_mixed_sets(void **state)
{
	static const struct {
		const char *files[4];
		const char *err;
	} cases[] = {
		{ { "s1.json", "s3.json" }, "portus: merge: shard 2 of 3 (seed 42) missing\n" },
		{ { "s1.json" }, "portus: merge: shards 2,3 of 3 (seed 42) missing\n" },
		{ { "s1.json", "s2.json", "s3.json", "s2b.json" },
		  "portus: merge: shard 2/3 given twice (S/s2.json, S/s2b.json)\n" },
		{ { "s1.json", "s2.json", "other-seed.json" },
		  "portus: merge: S/s1.json has seed 42 but S/other-seed.json has seed 7: shards "
		  "of different scans\n" },
		{ { "s1.json", "s2.json", "other-n.json" },
		  "portus: merge: S/s1.json is shard 1/3 but S/other-n.json is shard 2/2: different "
		  "shard counts\n" },
		{ { "s1.json", "s2.json", "killed.json" },
		  "portus: merge: S/killed.json has no summary record (an interrupted or killed "
		  "run?); --allow-partial merges anyway\n" },
		{ { "s1.json", "s2.json", "interrupted.json" },
		  "portus: merge: S/interrupted.json: shard 3/3 was interrupted (its results are "
		  "incomplete)\n" },
	};

	(void)state;
	make_complete_set();
	put("s2b.json", slurp(path_of("s2.json")));
	shard_file("other-seed.json", "", summary("7", "3/3", 2, 0, 0, 0, 0, "false"));
	shard_file("other-n.json", "", summary("42", "2/2", 2, 0, 0, 0, 0, "false"));
	put("killed.json", PORT("198.18.0.12", 8080, "filtered", "no-response", "null"));
	shard_file("interrupted.json", "", summary("42", "3/3", 2, 0, 0, 0, 0, "true"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[8] = { "-o", path_of("bad.json") };
		char want[512], *p;
		const char *err;
		int n = 2;

		for (int k = 0; k < 4 && cases[i].files[k] != NULL; k++)
			args[n++] = path_of(cases[i].files[k]);
		args[n] = NULL;
		assert_int_equal(run_merge(args, &err), 2);
		/* "S/" in the table stands for the temporary directory. */
		want[0] = '\0';
		for (const char *s = cases[i].err;; s = p + 2) {
			if ((p = strstr(s, "S/")) == NULL) {
				strcat(want, s);
				break;
			}
			strncat(want, s, (size_t)(p - s));
			strcat(want, dir);
			strcat(want, "/");
		}
		assert_string_equal(err, want);
		assert_null(slurp(path_of("bad.json")));
	}
}

static void test_allow_partial_names_missing_shards(void **state)
{
	const char *args[] = { "--allow-partial",
			       "-o",
			       path_of("part.json"),
			       path_of("s1.json"),
			       path_of("s1.json"),
			       path_of("killed.json"),
			       NULL };
	const char *err;

	(void)state;
	make_complete_set();
	put("killed.json", PORT("198.18.0.12", 8080, "filtered", "no-response", "null"));
	char want[1024];

	assert_int_equal(run_merge(args, &err), 0);
	snprintf(want, sizeof(want),
		 "portus: merge: %s/killed.json has no summary record (an interrupted or killed "
		 "run?): merging anyway\n"
		 "portus: merge: shard 1/3 given twice (%s/s1.json, %s/s1.json)\n"
		 "portus: merge: --allow-partial: merging anyway\n",
		 dir, dir, dir);
	assert_string_equal(err, want);
	/* The duplicate counted once; the summary names shards 2 and 3 missing. */
	assert_string_equal(
		slurp(path_of("part.json")),
		PORT("198.18.0.10", 443, "closed", "reset", "64") PORT("198.18.0.11", 80, "open",
								       "syn-ack", "128")
			PORT("198.18.0.12", 8080, "filtered", "no-response",
			     "null") "{\"type\":\"summary\",\"start\":\"2026-01-01T00:00:01.000000Z\",\"end\":"
				     "\"2026-01-01T00:00:02.000000Z\",\"elapsed_s\":1.000,\"targets\":2,\"hosts\":3,"
				     "\"hosts_down\":0,\"open\":1,\"closed\":1,\"filtered\":0,\"probes_sent\":2,"
				     "\"rate_pps\":10.0,\"pcap_received\":2,\"pcap_dropped\":0,\"if_dropped\":0,"
				     "\"passes\":1,\"seed\":42,\"shard\":\"1/1\",\"interrupted\":false,"
				     "\"shards_merged\":1,\"shards_missing\":[2,3]}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merges_complete_set_in_address_order),
		cmocka_unit_test(test_merges_ipv6_hosts),
		cmocka_unit_test(test_merge_keeps_names),
		cmocka_unit_test(test_output_to_a_fifo_stays_a_fifo),
		cmocka_unit_test(test_read_error_is_an_error),
		cmocka_unit_test(test_refuses_incomplete_or_mixed_sets),
		cmocka_unit_test(test_allow_partial_names_missing_shards),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
