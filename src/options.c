/*
 * options.c — the scan's command line (see include/options.h): a table of
 * options that describes itself (spellings as --help shows them, whether a
 * value follows, what the option does), read by getopt_long_only.
 *
 * Each spelling of the table becomes one getopt entry: "-p" a short option
 * (and a one-letter long one, so "-p=22" reads as "-p 22"), "--rate" and
 * "-oJ" long options (getopt_long_only takes one dash or two). getopt would
 * also take any unambiguous prefix and either number of dashes; every long
 * match is checked against the spelling as typed, so only the names --help
 * prints are accepted: a shortened name could mean another option once one
 * is added, "-po" would be "--ports" rather than "-p o", and main.c redacts
 * the --hec-token value by its full name.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "portus.h"
#include "version.h"
#include "writer.h"

typedef int (*opt_handler)(struct options *o, const char *val, char *err, size_t errlen);

enum opt_action {
	ACT_SET,     /* call fn with the value (NULL when the option takes none) */
	ACT_HELP,    /* print the usage to stdout, parse nothing more */
	ACT_VERSION, /* print the version to stdout, parse nothing more */
};

struct opt_def {
	const char *name;  /* as typed and shown, e.g. "--rate", "-oJ" or "-p" */
	const char *alias; /* second spelling or NULL */
	int takes_value;
	enum opt_action action;
	opt_handler fn; /* ACT_SET only */
	const char *help;
};

/* Parses an unsigned decimal in [min, max]; rejects sign, spaces, junk. */
static int parse_u64(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out,
		     char *err, size_t errlen)
{
	uint64_t v;

	if (*s == '\0') {
		portus_err(err, errlen, "%s: empty value", name);
		return -1;
	}
	switch (portus_parse_decimal(s, strlen(s), UINT64_MAX, &v)) {
	case 0:
		break;
	case -2:
		portus_err(err, errlen, "%s %s: number too large", name, s);
		return -1;
	default:
		portus_err(err, errlen, "%s %s: not a number", name, s);
		return -1;
	}
	if (v < min || v > max) {
		portus_err(err, errlen, "%s %s: must be %" PRIu64 "-%" PRIu64, name, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int opt_ports(struct options *o, const char *v, char *err, size_t errlen)
{
	return ports_parse(&o->ports, v, err, errlen);
}

static int opt_top_ports(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--top-ports", v, 1, ports_top_available(), &n, err, errlen) != 0)
		return -1;
	return ports_add_top(&o->ports, (unsigned)n, err, errlen);
}

static int opt_input_list(struct options *o, const char *v, char *err, size_t errlen)
{
	size_t before = o->targets.n, names_before = o->names.given;

	if (ipset_add_file(&o->targets, v, err, errlen) != 0)
		return -1;
	if (o->targets.n == before && o->names.given == names_before) {
		portus_err(err, errlen, "-iL %s: no targets in file", v);
		return -1;
	}
	return 0;
}

static int opt_exclude(struct options *o, const char *v, char *err, size_t errlen)
{
	return ipset_add_list(&o->excludes, v, err, errlen);
}

static int opt_exclude_file(struct options *o, const char *v, char *err, size_t errlen)
{
	o->exclude_file_given = 1;
	return ipset_add_file(&o->excludes, v, err, errlen);
}

static int opt_rate(struct options *o, const char *v, char *err, size_t errlen)
{
	return parse_u64("--rate", v, 1, 100000000, &o->rate, err, errlen);
}

static int opt_send_threads(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--send-threads", v, 1, MAX_SEND_THREADS, &n, err, errlen) != 0)
		return -1;
	o->send_threads = (unsigned)n;
	return 0;
}

static int opt_seed(struct options *o, const char *v, char *err, size_t errlen)
{
	o->seed_given = 1;
	return parse_u64("--seed", v, 0, UINT64_MAX, &o->seed, err, errlen);
}

static int opt_shard(struct options *o, const char *v, char *err, size_t errlen)
{
	char kbuf[24];
	const char *slash = strchr(v, '/');
	uint64_t k, n;
	size_t klen;

	if (slash == NULL || (klen = (size_t)(slash - v)) == 0 || klen >= sizeof(kbuf)) {
		portus_err(err, errlen, "--shard %s: expected K/N, e.g. 1/4", v);
		return -1;
	}
	memcpy(kbuf, v, klen);
	kbuf[klen] = '\0';
	if (parse_u64("--shard", slash + 1, 1, 65535, &n, err, errlen) != 0 ||
	    parse_u64("--shard", kbuf, 1, 65535, &k, err, errlen) != 0)
		return -1;
	if (k > n) {
		portus_err(err, errlen, "--shard %s: K must be 1-N", v);
		return -1;
	}
	o->shard_k = (unsigned)k;
	o->shard_n = (unsigned)n;
	return 0;
}

/*
 * --shard-from-env VAR/N: shard (value of VAR) + 1 of N, for job schedulers
 * that number their tasks from 0 in an environment variable: a Kubernetes
 * Indexed Job's JOB_COMPLETION_INDEX, a Slurm array's SLURM_ARRAY_TASK_ID
 * (--array=0-N-1). Every task runs the same command line.
 */
static int opt_shard_from_env(struct options *o, const char *v, char *err, size_t errlen)
{
	char name[128];
	const char *slash = strchr(v, '/'), *val;
	uint64_t idx, n;
	size_t len;

	if (slash == NULL || (len = (size_t)(slash - v)) == 0 || len >= sizeof(name)) {
		portus_err(err, errlen,
			   "--shard-from-env %s: expected VAR/N, e.g. JOB_COMPLETION_INDEX/8", v);
		return -1;
	}
	memcpy(name, v, len);
	name[len] = '\0';
	if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
	    len) {
		portus_err(err, errlen, "--shard-from-env %s: %s is not a variable name", v, name);
		return -1;
	}
	if (parse_u64("--shard-from-env", slash + 1, 1, 65535, &n, err, errlen) != 0)
		return -1;
	val = getenv(name);
	if (val == NULL) {
		portus_err(err, errlen, "--shard-from-env: %s is not set", name);
		return -1;
	}
	if (parse_u64(name, val, 0, n - 1, &idx, err, errlen) != 0)
		return -1;
	o->shard_k = (unsigned)idx + 1;
	o->shard_n = (unsigned)n;
	return 0;
}

static int opt_retries(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--retries", v, 0, 20, &n, err, errlen) != 0)
		return -1;
	o->retries = (unsigned)n;
	return 0;
}

static int opt_wait(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--wait", v, 1, 600000, &n, err, errlen) != 0)
		return -1;
	o->wait_ms = (int)n;
	return 0;
}

static int opt_interface(struct options *o, const char *v, char *err, size_t errlen)
{
	/* Linux interface names: 1-15 printable bytes, no '/', no whitespace. */
	if (*v == '\0' || strlen(v) >= 16 || strpbrk(v, "/ \t") != NULL) {
		portus_err(err, errlen, "--interface %s: not an interface name", v);
		return -1;
	}
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e) {
			portus_err(err, errlen, "--interface %s: not an interface name", v);
			return -1;
		}
	snprintf(o->ifname, sizeof(o->ifname), "%s", v);
	return 0;
}

static int opt_source_ip(struct options *o, const char *v, char *err, size_t errlen)
{
	ip_addr first, last;

	if (ipset_parse(v, &first, &last, err, errlen) != 0)
		return -1;
	if (!addr_eq(first, last) || strchr(v, '/') != NULL || strchr(v, '-') != NULL) {
		portus_err(err, errlen, "--source-ip %s: expected one address", v);
		return -1;
	}
	/* Given once per family: a mixed run may name both sources. */
	if (!addr_is_v4(first)) {
		if (!addr_is_zero(o->source_ip6)) {
			portus_err(err, errlen, "--source-ip %s: an IPv6 source is already given",
				   v);
			return -1;
		}
		if ((first.v >> 120) == 0xff || first.v <= 1 || (first.v >> 118) == (0xfe80 >> 6)) {
			portus_err(err, errlen,
				   "--source-ip %s: not a usable source address "
				   "(multicast, unspecified, loopback or link-local)",
				   v);
			return -1;
		}
		o->source_ip6 = first;
		return 0;
	}
	if (o->source_ip != 0) {
		portus_err(err, errlen, "--source-ip %s: an IPv4 source is already given", v);
		return -1;
	}
	if (addr_v4(first) == 0 || addr_v4(first) == 0xffffffffu) {
		portus_err(err, errlen, "--source-ip %s: not a usable source address", v);
		return -1;
	}
	o->source_ip = addr_v4(first);
	return 0;
}

static int opt_gateway_mac(struct options *o, const char *v, char *err, size_t errlen)
{
	unsigned b[6];
	char tail;

	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 ||
	    strlen(v) != 17 || strspn(v, ":0123456789abcdefABCDEF") != 17) {
		portus_err(err, errlen, "--gateway-mac %s: expected xx:xx:xx:xx:xx:xx", v);
		return -1;
	}
	for (int i = 0; i < 6; i++)
		o->gateway_mac[i] = (uint8_t)b[i];
	o->gateway_mac_given = 1;
	return 0;
}

static int check_output_path(const char *name, const char *v, char *err, size_t errlen)
{
	if (*v == '\0') {
		portus_err(err, errlen, "%s: empty file name ('-' means stdout)", name);
		return -1;
	}
	return 0;
}

static int opt_out_json(struct options *o, const char *v, char *err, size_t errlen)
{
	o->out_json = v;
	return check_output_path("-oJ", v, err, errlen);
}

static int opt_out_list(struct options *o, const char *v, char *err, size_t errlen)
{
	o->out_list = v;
	return check_output_path("-oL", v, err, errlen);
}

static int opt_out_xml(struct options *o, const char *v, char *err, size_t errlen)
{
	o->out_xml = v;
	return check_output_path("-oX", v, err, errlen);
}

static int opt_out_grep(struct options *o, const char *v, char *err, size_t errlen)
{
	o->out_grep = v;
	return check_output_path("-oG", v, err, errlen);
}

static int opt_format(struct options *o, const char *v, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum record_format f;
	} names[] = {
		{ "json", FMT_NATIVE },    { "ndjson", FMT_NATIVE }, { "ecs", FMT_ECS },
		{ "splunk-hec", FMT_HEC }, { "hec", FMT_HEC },       { "cef", FMT_CEF },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i].name) == 0) {
			o->format = (int)names[i].f;
			o->format_given = 1;
			return 0;
		}
	portus_err(err, errlen, "--format %s: expected json, ecs, splunk-hec or cef", v);
	return -1;
}

static int opt_hec_url(struct options *o, const char *v, char *err, size_t errlen)
{
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
		portus_err(err, errlen,
			   "--hec-url %s: expected http://HOST:PORT or https://HOST:PORT", v);
		return -1;
	}
	o->hec_url = v;
	return 0;
}

static int opt_hec_token(struct options *o, const char *v, char *err, size_t errlen)
{
	if (*v == '\0' || portus_has_space(v, strlen(v))) {
		portus_err(err, errlen, "--hec-token: empty or contains white space");
		return -1;
	}
	o->hec_token = v;
	return 0;
}

static int opt_hec_index(struct options *o, const char *v, char *err, size_t errlen)
{
	if (*v == '\0') {
		portus_err(err, errlen, "--hec-index: empty index name");
		return -1;
	}
	o->hec_index = v;
	return 0;
}

static int opt_hec_insecure(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->hec_insecure = 1;
	return 0;
}

static int opt_syslog(struct options *o, const char *v, char *err, size_t errlen)
{
	if (strncmp(v, "udp://", 6) != 0 && strncmp(v, "tcp://", 6) != 0) {
		portus_err(err, errlen, "--syslog %s: expected udp://HOST:PORT or tcp://HOST:PORT",
			   v);
		return -1;
	}
	o->syslog_url = v;
	return 0;
}

static int opt_resume(struct options *o, const char *v, char *err, size_t errlen)
{
	if (*v == '\0') {
		portus_err(err, errlen, "--resume: empty file name");
		return -1;
	}
	o->resume_path = v;
	return 0;
}

static int opt_open(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->open_only = 1;
	return 0;
}

static int opt_no_status(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->status = 0;
	return 0;
}

static int opt_source_port(struct options *o, const char *v, char *err, size_t errlen)
{
	uint32_t lo, hi;
	uint64_t a, b;
	char buf[16];
	const char *dash = strchr(v, '-');

	if (dash == NULL) {
		if (parse_u64("--source-port", v, 1, 65535, &a, err, errlen) != 0)
			return -1;
		lo = hi = (uint32_t)a;
	} else {
		size_t n = (size_t)(dash - v);
		if (n == 0 || n >= sizeof(buf)) {
			portus_err(err, errlen, "--source-port %s: expected PORT or LOW-HIGH", v);
			return -1;
		}
		memcpy(buf, v, n);
		buf[n] = '\0';
		if (parse_u64("--source-port", buf, 1, 65535, &a, err, errlen) != 0 ||
		    parse_u64("--source-port", dash + 1, 1, 65535, &b, err, errlen) != 0)
			return -1;
		if (a > b) {
			portus_err(err, errlen, "--source-port %s: range is reversed", v);
			return -1;
		}
		lo = (uint32_t)a;
		hi = (uint32_t)b;
	}
	o->sport_base = (uint16_t)lo;
	o->sport_count = (uint16_t)(hi - lo + 1 > 65535 ? 65535 : hi - lo + 1);
	return 0;
}

static int opt_allow_no_exclude(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->allow_no_exclude = 1;
	return 0;
}

static int opt_tls(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->tls = 1;
	return 0;
}

static int opt_tls_ports(struct options *o, const char *v, char *err, size_t errlen)
{
	o->tls = 1;
	return ports_parse(&o->tls_ports, v, err, errlen);
}

static int opt_sni_file(struct options *o, const char *v, char *err, size_t errlen)
{
	return sni_map_add_file(&o->sni, v, err, errlen);
}

static int opt_tls_timeout(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--tls-timeout", v, 100, 600000, &n, err, errlen) != 0)
		return -1;
	o->tls_timeout_ms = (int)n;
	return 0;
}

static int opt_tls_concurrency(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--tls-concurrency", v, 1, 100000, &n, err, errlen) != 0)
		return -1;
	o->tls_concurrency = (unsigned)n;
	return 0;
}

static int opt_tls_per_host(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--tls-per-host", v, 1, 1000, &n, err, errlen) != 0)
		return -1;
	o->tls_per_host = (unsigned)n;
	return 0;
}

static int opt_tls_pem(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->tls_pem = 1;
	return 0;
}

static int opt_no_banner(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->tls_banner = 0;
	return 0;
}

static int opt_tls_versions(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->tls_versions = 1;
	return 0;
}

static int opt_tls_ciphers(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	o->tls_ciphers = 1;
	return 0;
}

static int opt_ca_file(struct options *o, const char *v, char *err, size_t errlen)
{
	FILE *fp = fopen(v, "r");

	if (fp == NULL) {
		portus_err(err, errlen, "--ca-file %s: %s", v, strerror(errno));
		return -1;
	}
	fclose(fp);
	o->ca_file = v;
	return 0;
}

/* -4 / -6: one family only. Both is a contradiction, not "both". */
static int set_family(struct options *o, enum resolve_family f, char *err, size_t errlen)
{
	if (o->family != RESOLVE_BOTH && o->family != f) {
		portus_err(err, errlen, "-4 and -6 together: give neither to scan both families");
		return -1;
	}
	o->family = f;
	return 0;
}

static int opt_ipv4_only(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v;
	return set_family(o, RESOLVE_V4, err, errlen);
}

static int opt_ipv6_only(struct options *o, const char *v, char *err, size_t errlen)
{
	(void)v;
	return set_family(o, RESOLVE_V6, err, errlen);
}

static int opt_resolve_timeout(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--resolve-timeout", v, 10, 60000, &n, err, errlen) != 0)
		return -1;
	o->resolve_timeout_ms = (int)n;
	return 0;
}

static int opt_resolve_retries(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	/* c-ares doubles the wait per round: 10 retries is already 2047 timeouts. */
	if (parse_u64("--resolve-retries", v, 0, 10, &n, err, errlen) != 0)
		return -1;
	o->resolve_retries = (unsigned)n;
	return 0;
}

static int opt_resolve_concurrency(struct options *o, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64("--resolve-concurrency", v, 1, 10000, &n, err, errlen) != 0)
		return -1;
	o->resolve_concurrency = (unsigned)n;
	return 0;
}

/* Two outputs to stdout would interleave into something no parser reads. */
static int check_stdout_once(const struct options *o, char *err, size_t errlen)
{
	const char *names[] = { "-oJ", "-oL", "-oX", "-oG" };
	const char *paths[] = { o->out_json, o->out_list, o->out_xml, o->out_grep };
	const char *first = NULL;

	for (size_t i = 0; i < 4; i++) {
		if (paths[i] == NULL || strcmp(paths[i], "-") != 0)
			continue;
		if (first != NULL) {
			portus_err(err, errlen,
				   "%s - and %s - both write to stdout: give one a file", first,
				   names[i]);
			return -1;
		}
		first = names[i];
	}
	return 0;
}

static const struct opt_def opt_table[] = {
	{ "-p", "--ports", 1, ACT_SET, opt_ports, "PORTS    ports: 22,80,8000-8100; -p- for all" },
	{ "--top-ports", NULL, 1, ACT_SET, opt_top_ports,
	  "N        the N most common ports (data/top-ports.txt)" },
	{ "-iL", "--input-list", 1, ACT_SET, opt_input_list,
	  "FILE     targets from FILE, one per line, # comments" },
	{ "-4", NULL, 0, ACT_SET, opt_ipv4_only,
	  "         IPv4 only: names resolve to A records, IPv6 targets are refused" },
	{ "-6", NULL, 0, ACT_SET, opt_ipv6_only,
	  "         IPv6 only: names resolve to AAAA records, IPv4 targets are refused" },
	{ "--resolve-timeout", NULL, 1, ACT_SET, opt_resolve_timeout,
	  "MS       first DNS try per name (default 1000; doubled on each retry)" },
	{ "--resolve-retries", NULL, 1, ACT_SET, opt_resolve_retries,
	  "N        DNS retries per name (default 2)" },
	{ "--resolve-concurrency", NULL, 1, ACT_SET, opt_resolve_concurrency,
	  "N        names resolved at once (default 256)" },
	{ "--exclude", NULL, 1, ACT_SET, opt_exclude,
	  "LIST     comma-separated addresses/ranges to skip" },
	{ "--exclude-file", NULL, 1, ACT_SET, opt_exclude_file,
	  "FILE     excludes from FILE; replaces the built-in reserved-range list" },
	{ "--allow-no-exclude", NULL, 0, ACT_SET, opt_allow_no_exclude,
	  "         allow more than 2^24 addresses with an empty exclude list" },
	{ "--rate", NULL, 1, ACT_SET, opt_rate, "PPS      probes per second (default 10000)" },
	{ "--send-threads", NULL, 1, ACT_SET, opt_send_threads,
	  "N        send with N threads, each a slice of the probe order (default 1)" },
	{ "--seed", NULL, 1, ACT_SET, opt_seed, "N        seed for the probe order and cookies" },
	{ "--shard", NULL, 1, ACT_SET, opt_shard,
	  "K/N      scan only slice K of N (same --seed on all)" },
	{ "--shard-from-env", NULL, 1, ACT_SET, opt_shard_from_env,
	  "VAR/N    shard $VAR+1 of N ($VAR counts from 0: JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID)" },
	{ "--resume", NULL, 1, ACT_SET, opt_resume,
	  "FILE     continue the interrupted run whose -oJ output is FILE[,FILE...]" },
	{ "--retries", NULL, 1, ACT_SET, opt_retries,
	  "N        re-probe unanswered targets N times (default 2)" },
	{ "--wait", NULL, 1, ACT_SET, opt_wait,
	  "MS       wait after each pass (default: from measured RTT)" },
	{ "--interface", "-e", 1, ACT_SET, opt_interface, "IF       send and capture on IF" },
	{ "--source-ip", "-S", 1, ACT_SET, opt_source_ip,
	  "IP       source address of probes (once per family)" },
	{ "--source-port", NULL, 1, ACT_SET, opt_source_port,
	  "P[-Q]    source port range of probes" },
	{ "--gateway-mac", "--router-mac", 1, ACT_SET, opt_gateway_mac,
	  "MAC      next hop's MAC address" },
	{ "-oJ", "--output-json", 1, ACT_SET, opt_out_json,
	  "FILE     NDJSON results ('-' for stdout)" },
	{ "-oL", "--output-list", 1, ACT_SET, opt_out_list,
	  "FILE     one line per open port ('-' for stdout)" },
	{ "-oX", "--output-xml", 1, ACT_SET, opt_out_xml,
	  "FILE     nmap-compatible XML ('-' for stdout)" },
	{ "-oG", "--output-grepable", 1, ACT_SET, opt_out_grep,
	  "FILE     nmap grepable lines ('-' for stdout)" },
	{ "--format", NULL, 1, ACT_SET, opt_format,
	  "FMT      what -oJ writes: json (default), ecs, splunk-hec, cef" },
	{ "--hec-url", NULL, 1, ACT_SET, opt_hec_url,
	  "URL      also POST Splunk HEC events to URL" },
	{ "--hec-token", NULL, 1, ACT_SET, opt_hec_token,
	  "TOKEN    HEC token (default: $PORTUS_HEC_TOKEN)" },
	{ "--hec-index", NULL, 1, ACT_SET, opt_hec_index, "NAME     Splunk index for HEC events" },
	{ "--hec-insecure", NULL, 0, ACT_SET, opt_hec_insecure,
	  "         do not verify the HEC server's certificate" },
	{ "--syslog", NULL, 1, ACT_SET, opt_syslog,
	  "URL      also send CEF lines as syslog to udp:// or tcp://HOST:PORT" },
	{ "--open", NULL, 0, ACT_SET, opt_open, "         report open ports only" },
	{ "--tls", NULL, 0, ACT_SET, opt_tls,
	  "         TLS handshake, certificate and banner on open TLS ports" },
	{ "--tls-ports", NULL, 1, ACT_SET, opt_tls_ports,
	  "PORTS    ports that get the TLS stage (default 443; implies --tls)" },
	{ "--sni-file", NULL, 1, ACT_SET, opt_sni_file,
	  "FILE     \"ADDRESS NAME\" lines: names sent as SNI, one record each" },
	{ "--tls-timeout", NULL, 1, ACT_SET, opt_tls_timeout,
	  "MS       deadline per TLS connection (default 5000)" },
	{ "--tls-concurrency", NULL, 1, ACT_SET, opt_tls_concurrency,
	  "N        simultaneous TLS connections (default 256)" },
	{ "--tls-per-host", NULL, 1, ACT_SET, opt_tls_per_host,
	  "N        simultaneous TLS connections per address (default 4)" },
	{ "--tls-versions", NULL, 0, ACT_SET, opt_tls_versions,
	  "         also test which of TLS 1.0/1.1/1.2/1.3 are accepted" },
	{ "--tls-ciphers", NULL, 0, ACT_SET, opt_tls_ciphers,
	  "         also enumerate accepted cipher suites per version and key-exchange groups" },
	{ "--tls-pem", NULL, 0, ACT_SET, opt_tls_pem,
	  "         include the leaf certificate as PEM" },
	{ "--no-banner", NULL, 0, ACT_SET, opt_no_banner,
	  "         no HEAD / request after the handshake" },
	{ "--ca-file", NULL, 1, ACT_SET, opt_ca_file,
	  "FILE     extra trusted CA certificates (PEM) for verification" },
	{ "--no-status", NULL, 0, ACT_SET, opt_no_status, "         no progress line on stderr" },
	{ "--help", "-h", 0, ACT_HELP, NULL, "         this help" },
	{ "--version", "-V", 0, ACT_VERSION, NULL, "         version" },
};

#define OPT_COUNT (sizeof(opt_table) / sizeof(opt_table[0]))

void options_usage(FILE *fp)
{
	fprintf(fp,
		"usage: portus [options] TARGET...\n"
		"       portus merge [--allow-partial] [-o OUT] SHARD.json...\n"
		"       portus diff [--expiry-days N] [--format json|ecs] [-o OUT] OLD NEW\n"
		"       portus report [-o report.html] RESULTS.json...\n"
		"  TARGET: 198.18.0.0/16, 198.18.0.1-198.18.0.9, 198.18.0.5, 2001:db8::/120,\n"
		"          www.example.test (resolved to A and AAAA with the system's resolver)\n\n");
	for (size_t i = 0; i < OPT_COUNT; i++) {
		char names[40];
		snprintf(names, sizeof(names), "%s%s%s", opt_table[i].name,
			 opt_table[i].alias ? ", " : "",
			 opt_table[i].alias ? opt_table[i].alias : "");
		fprintf(fp, "  %-26s %s\n", names, opt_table[i].help);
	}
}

/* getopt's view of the table: every spelling a long option (val: LONG_BASE +
 * its spelling id), the one-letter ones also short options. */
#define NSPELL (2 * OPT_COUNT)
#define LONG_BASE 256
#define SHOWN_NAME_MAX 64 /* of a mistyped name in a message */

struct getopt_tables {
	struct option lo[NSPELL + 1];
	char shortopts[2 + 2 * NSPELL + 1];
};

/* Spelling id k: opt_table[k / 2].name, or its alias for odd k (maybe NULL). */
static const char *spelling(size_t k)
{
	return k % 2 == 0 ? opt_table[k / 2].name : opt_table[k / 2].alias;
}

static size_t dashes(const char *s)
{
	return s[0] != '-' ? 0 : s[1] == '-' ? 2 : 1;
}

static void build_tables(struct getopt_tables *t)
{
	size_t n = 0, k = 0;

	/* "-": operands come back in place (code 1), so options may stand
	 * anywhere whatever POSIXLY_CORRECT says; ":": a missing value is told
	 * apart from an unknown option. */
	t->shortopts[k++] = '-';
	t->shortopts[k++] = ':';
	for (size_t id = 0; id < NSPELL; id++) {
		const char *sp = spelling(id);
		const int has_arg = opt_table[id / 2].takes_value;

		if (sp == NULL)
			continue;
		t->lo[n].name = sp + dashes(sp);
		t->lo[n].has_arg = has_arg ? required_argument : no_argument;
		t->lo[n].flag = NULL;
		t->lo[n].val = LONG_BASE + (int)id;
		n++;
		if (dashes(sp) == 1 && sp[2] == '\0') {
			t->shortopts[k++] = sp[1];
			if (has_arg)
				t->shortopts[k++] = ':';
		}
	}
	memset(&t->lo[n], 0, sizeof(t->lo[n]));
	t->shortopts[k] = '\0';
}

/* Whether the command-line element names spelling sp as --help shows it: the
 * same number of dashes and the whole name (a value may follow an '='). */
static int typed_exactly(const char *elem, const char *sp)
{
	size_t d = dashes(elem), len = strcspn(elem + d, "=");

	return d == dashes(sp) && strlen(sp + d) == len && strncmp(elem + d, sp + d, len) == 0;
}

/* Optimal string alignment distance of a[0..la) and b, capped at 3. */
static unsigned edit_distance(const char *a, size_t la, const char *b)
{
	unsigned row[3][SHOWN_NAME_MAX + 1];
	size_t lb = strlen(b);

	if (la > SHOWN_NAME_MAX || lb > SHOWN_NAME_MAX)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *cur = row[i % 3], *prev = row[(i - 1) % 3], *prev2 = row[(i + 1) % 3];

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return row[la % 3][lb] > 3 ? 3 : row[la % 3][lb];
}

/* Whether spelling sp is what a user may have meant by name[0..len) typed
 * with d dashes, in the kind of likeness `pass` stands for (tried in order,
 * the first that finds any wins): 0 the name in another case or with the
 * other number of dashes, 1 a name it begins with the same dashes, 2 with
 * any, 3 one edit away (two for longer names). */
static int is_like(const char *sp, const char *name, size_t len, size_t d, int pass)
{
	const char *sn = sp + dashes(sp);
	size_t sl = strlen(sn);

	switch (pass) {
	case 0:
		return sl == len && strncasecmp(sn, name, len) == 0;
	case 1:
	case 2:
		return len > 0 && len < sl && strncmp(sn, name, len) == 0 &&
		       (pass == 2 || dashes(sp) == d);
	default:
		return len >= 3 && edit_distance(name, len, sn) <= (len >= 6 ? 2u : 1u);
	}
}

/* "did you mean --rate?", "did you mean -oJ, -oL, -oX or -oG?", or, with
 * nothing close (or more than four names), "see --help". */
static void suggest(const char *name, size_t len, size_t d, char *out, size_t outlen)
{
	const char *pick[4];
	size_t n = 0, off;
	int many = 0;

	for (int pass = 0; pass < 4 && n == 0 && !many; pass++)
		for (size_t id = 0; id < NSPELL; id++) {
			const char *sp = spelling(id);

			if (sp == NULL || !is_like(sp, name, len, d, pass))
				continue;
			if (n == 4) {
				many = 1;
				break;
			}
			pick[n++] = sp;
		}
	if (n == 0 || many) {
		snprintf(out, outlen, "see --help");
		return;
	}
	off = (size_t)snprintf(out, outlen, "did you mean");
	for (size_t i = 0; i < n && off < outlen; i++)
		off += (size_t)snprintf(out + off, outlen - off, "%s%s",
					i == 0      ? " "
					: i + 1 < n ? ", "
						    : " or ",
					pick[i]);
	if (off < outlen)
		snprintf(out + off, outlen - off, "?");
}

/* "--bogus: unknown option (see --help)" for a long-form element (its value
 * after an '=' never shown: it could be a secret). */
static void unknown_option(const char *elem, char *err, size_t errlen)
{
	size_t d = dashes(elem), len = strcspn(elem + d, "=");
	char hint[160];

	suggest(elem + d, len, d, hint, sizeof(hint));
	portus_err(err, errlen, "%.*s%s: unknown option (%s)",
		   (int)(d + (len > SHOWN_NAME_MAX ? SHOWN_NAME_MAX : len)), elem,
		   len > SHOWN_NAME_MAX ? "..." : "", hint);
}

/*
 * What getopt's answer c for the element argv[at] (elem) means: the option
 * to apply, or NULL with err set (an unknown or shortened name, a missing
 * value, a value for an option that takes none).
 */
static const struct opt_def *option_for(int c, const char *elem, char *err, size_t errlen)
{
	const int id = (c == '?' || c == ':') ? optopt : c;

	if (id >= LONG_BASE) {
		const char *sp = spelling((size_t)(id - LONG_BASE));

		if (!typed_exactly(elem, sp)) {
			unknown_option(elem, err, errlen);
			return NULL;
		}
		if (c == ':')
			portus_err(err, errlen, "%s: missing value", sp);
		else if (c == '?')
			portus_err(err, errlen, "%s takes no value", sp);
		return c == ':' || c == '?' ? NULL : &opt_table[(id - LONG_BASE) / 2];
	}
	if (c == '?' && (id <= 0x20 || id >= 0x7f)) {
		unknown_option(elem, err, errlen); /* no short option: a long-form name */
		return NULL;
	}
	if (c == '?' || c == ':') {
		portus_err(err, errlen, "-%c: %s", id,
			   c == ':' ? "missing value" : "unknown option (see --help)");
		return NULL;
	}
	for (size_t k = 0; k < NSPELL; k++) {
		const char *sp = spelling(k);

		if (sp != NULL && dashes(sp) == 1 && sp[1] == c && sp[2] == '\0')
			return &opt_table[k / 2];
	}
	portus_err(err, errlen, "-%c: unknown option (see --help)", c); /* not reached */
	return NULL;
}

void options_free(struct options *o)
{
	ipset_free(&o->targets);
	ipset_free(&o->excludes);
	if (o->resolved != NULL)
		resolve_results_free(o->resolved, o->names.n);
	free(o->resolved);
	o->resolved = NULL;
	namelist_free(&o->names);
	hostnames_free(&o->hostnames);
	ports_free(&o->ports);
	ports_free(&o->tls_ports);
	sni_map_free(&o->sni);
}

static void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	ipset_init(&o->targets);
	o->targets.v6_spec_max = IPSET_V6_SPEC_MAX; /* a /64 is no target; excludes may be */
	namelist_init(&o->names);
	o->targets.names = &o->names; /* host names are targets; never excludes */
	hostnames_init(&o->hostnames);
	o->family = RESOLVE_BOTH;
	o->resolve_timeout_ms = DEFAULT_RESOLVE_TIMEOUT_MS;
	o->resolve_retries = DEFAULT_RESOLVE_RETRIES;
	o->resolve_concurrency = DEFAULT_RESOLVE_CONCURRENCY;
	ipset_init(&o->excludes);
	ports_init(&o->ports);
	ports_init(&o->tls_ports);
	sni_map_init(&o->sni);
	o->tls_timeout_ms = DEFAULT_TLS_TIMEOUT_MS;
	o->tls_concurrency = DEFAULT_TLS_CONCURRENCY;
	o->tls_per_host = DEFAULT_TLS_PER_HOST;
	o->tls_banner = 1;
	o->rate = DEFAULT_RATE;
	o->shard_k = o->shard_n = 1;
	o->send_threads = 1;
	o->retries = DEFAULT_RETRIES;
	o->wait_ms = -1;
	o->status = -1;
	o->sport_base = DEFAULT_SPORT_BASE;
	o->sport_count = DEFAULT_SPORT_COUNT;
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	struct getopt_tables tabs;

	options_defaults(o);
	build_tables(&tabs);
	optind = 0; /* glibc: start afresh, also after an earlier parse */
	opterr = 0; /* every message is ours, on one line */
	for (;;) {
		const int at = optind > 0 ? optind : 1;
		const int c = getopt_long_only(argc, argv, tabs.shortopts, tabs.lo, NULL);
		const struct opt_def *d;

		if (c == -1)
			break;
		if (c == 1) {
			if (ipset_add_list(&o->targets, optarg, err, errlen) != 0)
				goto fail;
			continue;
		}
		d = option_for(c, at < argc ? argv[at] : "", err, errlen);
		if (d == NULL)
			goto fail;
		if (d->action != ACT_SET) {
			if (d->action == ACT_HELP)
				options_usage(stdout);
			else
				portus_print_version(stdout);
			options_free(o);
			return OPT_EXIT_OK;
		}
		if (d->fn(o, d->takes_value ? optarg : NULL, err, errlen) != 0)
			goto fail;
	}
	/* After "--" (getopt stopped there): targets only. */
	for (int i = optind; i < argc; i++)
		if (ipset_add_list(&o->targets, argv[i], err, errlen) != 0)
			goto fail;
	if (o->targets.n == 0 && o->names.n == 0) {
		portus_err(err, errlen, "no targets given (e.g. portus 198.18.0.0/24 -p 80)");
		goto fail;
	}
	if (o->rate < o->send_threads) {
		/* Each thread paces its own share: a share of 0 pps would never send. */
		portus_err(err, errlen, "--send-threads %u needs --rate of at least %u",
			   o->send_threads, o->send_threads);
		goto fail;
	}
	if (o->ports.n == 0 && ports_add_top(&o->ports, 100, err, errlen) != 0)
		goto fail;
	if (o->tls && o->tls_ports.n == 0 && ports_parse(&o->tls_ports, "443", err, errlen) != 0)
		goto fail;
	if (o->format_given && o->out_json == NULL)
		o->out_json = "-";
	if (o->hec_url != NULL && o->hec_token == NULL) {
		const char *t = getenv("PORTUS_HEC_TOKEN");
		if (t == NULL || *t == '\0' || portus_has_space(t, strlen(t))) {
			portus_err(err, errlen, "--hec-url needs --hec-token or PORTUS_HEC_TOKEN");
			goto fail;
		}
		o->hec_token = t;
	}
	if (o->hec_url == NULL &&
	    (o->hec_token != NULL || o->hec_index != NULL || o->hec_insecure)) {
		portus_err(err, errlen,
			   "--hec-token, --hec-index and --hec-insecure need --hec-url");
		goto fail;
	}
	if (check_stdout_once(o, err, errlen) != 0)
		goto fail;
	return OPT_RUN;
fail:
	options_free(o);
	return OPT_ERROR;
}
