/*
 * test_options.c — the command line (src/options.c): every option in each of
 * its spellings with the resulting fields checked exactly, the defaults, a
 * table of bad invocations that must fail with a one-line error naming the
 * problem, and --help/--version. Files for -iL and --exclude-file are written
 * to a temporary directory; "@name" in an argument stands for its path there.
 * Nothing here sends a packet: only options_parse is called.
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
#include <unistd.h>

#include <cmocka.h>

#include "options.h"
#include "portus.h"
#include "writer.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define T1 IP(198, 18, 0, 1) /* the target most cases scan */
/* An IPv4 address as a constant ip_addr initializer (static tables). */
#define V4I(x)                              \
	{                                   \
		ADDR_V4_TAG | (uint32_t)(x) \
	}
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXARG 24
#define PORTS_ALL 65535u /* want.nports meaning "every port 1-65535" */

/* ---- temporary files ---------------------------------------------------- */

static char g_dir[256]; /* holds the files below while the group runs */

static const struct {
	const char *name;
	const char *data;
	size_t len;
} g_files[] = {
#define TEXT(name, s)                  \
	{                              \
		name, s, sizeof(s) - 1 \
	}
	TEXT("targets.txt",
	     "# targets\n198.18.1.0/30\n\n  198.18.2.5-198.18.2.6  # two\n198.18.3.1"),
	TEXT("excl.txt", "198.18.0.128/25\n198.18.9.9\n"),
	TEXT("empty.txt", ""),
	TEXT("comments.txt", "# nothing here\n\n   \t\n"),
	TEXT("binary.bin", "198.18.0.1\n\0\0\x01\x02"),
	TEXT("badline.txt", "198.18.0.1\n198.18.0.2\n198.18.0.300\n198.18.0.4\n"),
#undef TEXT
};

static int make_files(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];

	(void)state;
	snprintf(g_dir, sizeof(g_dir), "%s/portus-options-XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(g_dir) == NULL)
		return -1;
	for (size_t i = 0; i < NELEM(g_files); i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", g_dir, g_files[i].name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		if (write(fd, g_files[i].data, g_files[i].len) != (ssize_t)g_files[i].len) {
			close(fd);
			return -1;
		}
		if (close(fd) != 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/subdir", g_dir);
	return mkdir(path, 0700);
}

static int remove_files(void **state)
{
	char path[512];

	(void)state;
	for (size_t i = 0; i < NELEM(g_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", g_dir, g_files[i].name);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/subdir", g_dir);
	rmdir(path);
	return rmdir(g_dir);
}

/* ---- argv --------------------------------------------------------------- */

struct args {
	int argc;
	char *argv[MAXARG + 2];
};

/*
 * Builds a writable argv: "portus" then the NULL-terminated list `in`, with
 * "@name" (anywhere in an argument, to its end) replaced by the path of
 * name in g_dir. Release with args_free once the options are no longer used:
 * -oJ/-oL keep pointers into argv.
 */
static void args_build(struct args *a, const char *const *in)
{
	a->argc = 0;
	a->argv[a->argc++] = strdup("portus");
	for (size_t i = 0; i < MAXARG && in[i] != NULL; i++) {
		const char *at = strchr(in[i], '@');
		char *s;

		if (at == NULL) {
			s = strdup(in[i]);
		} else {
			size_t len = (size_t)(at - in[i]) + strlen(g_dir) + strlen(at) + 1;

			s = malloc(len);
			if (s != NULL)
				snprintf(s, len, "%.*s%s/%s", (int)(at - in[i]), in[i], g_dir,
					 at + 1);
		}
		assert_non_null(s);
		a->argv[a->argc++] = s;
	}
	a->argv[a->argc] = NULL;
}

static void args_free(struct args *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	a->argc = 0;
}

/* "portus a b c" for failure messages. */
static const char *args_show(const struct args *a, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < a->argc && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s'%s'", i ? " " : "", a->argv[i]);
	return buf;
}

#define CMD_MAX 1024

/* One case: argv built from in (args_build), shown in cmd[CMD_MAX] for
 * failure messages, parsed into o with err[PORTUS_ERRLEN]; returns what
 * options_parse returns. Release a with args_free. */
static int parse_case(const char *const *in, struct args *a, struct options *o, char *err,
		      char *cmd)
{
	args_build(a, in);
	args_show(a, cmd, CMD_MAX);
	err[0] = '\0';
	return options_parse(a->argc, a->argv, o, err, PORTUS_ERRLEN);
}

/* ---- expected results --------------------------------------------------- */

/*
 * What one good invocation must produce. Every field of struct options is
 * compared for every case; a zero here means "the default" except where a
 * *_given flag says otherwise (0 is a legal value for those fields).
 */
struct want {
	struct ip_range targets[4]; /* in argument order; none: just T1 */
	size_t ntargets;
	struct ip_range excludes[4];
	size_t nexcludes;
	int exclude_file_given;
	uint16_t ports[12]; /* sorted; nports 0: the top 100, PORTS_ALL: 1-65535 */
	uint32_t nports;
	uint64_t rate; /* 0: DEFAULT_RATE */
	uint64_t seed;
	int seed_given;
	unsigned shard_k, shard_n; /* 0/0: 1/1 */
	unsigned retries;
	int retries_given;
	int wait_ms;        /* 0: -1 (from RTT) */
	const char *ifname; /* NULL: "" */
	uint32_t source_ip;
	uint8_t mac[6];
	int mac_given;
	const char *out_json, *out_list, *out_xml, *out_grep;
	int format; /* enum record_format; FMT_NATIVE is 0 */
	int format_given;
	const char *hec_url, *hec_token, *hec_index, *syslog_url;
	int hec_insecure;
	int open_only;
	int no_status;                    /* status 0 instead of -1 */
	uint16_t sport_base, sport_count; /* 0: the defaults */
};

static void assert_ranges(const char *what, const struct ip_set *s, const struct ip_range *r,
			  size_t n, const char *cmd)
{
	if (s->n != n)
		fail_msg("%s: %s: %zu ranges, want %zu", cmd, what, s->n, n);
	for (size_t i = 0; i < n; i++) {
		if (!addr_eq(s->r[i].first, r[i].first) || !addr_eq(s->r[i].last, r[i].last)) {
			char gf[ADDR_STR_MAX], gl[ADDR_STR_MAX], wf[ADDR_STR_MAX], wl[ADDR_STR_MAX];

			addr_to_str(s->r[i].first, gf);
			addr_to_str(s->r[i].last, gl);
			addr_to_str(r[i].first, wf);
			addr_to_str(r[i].last, wl);
			fail_msg("%s: %s[%zu] = %s-%s, want %s-%s", cmd, what, i, gf, gl, wf, wl);
		}
	}
}

/* The first n ranked ports of data/top-ports.txt, sorted, as ports.c gives them. */
static struct port_list top_ports(unsigned n)
{
	struct port_list p;
	char err[PORTUS_ERRLEN];

	ports_init(&p);
	if (ports_add_top(&p, n, err, sizeof(err)) != 0)
		fail_msg("ports_add_top(%u): %s", n, err);
	return p;
}

static void assert_ports(const struct port_list *got, const struct want *w, const char *cmd)
{
	if (w->nports == 0) {
		struct port_list top = top_ports(100);

		assert_int_equal(got->n, 100);
		assert_memory_equal(got->ports, top.ports, 100 * sizeof(*top.ports));
		ports_free(&top);
		return;
	}
	if (got->n != w->nports)
		fail_msg("%s: %u ports, want %u", cmd, got->n, w->nports);
	for (uint32_t i = 0; i < got->n; i++) {
		unsigned want = w->nports == PORTS_ALL ? i + 1 : w->ports[i];

		if (got->ports[i] != want)
			fail_msg("%s: ports[%u] = %u, want %u", cmd, i, got->ports[i], want);
	}
}

static void assert_str(const char *got, const char *want, const char *field, const char *cmd)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: %s = \"%s\", want \"%s\"", cmd, field, got ? got : "(null)",
			 want ? want : "(null)");
}

static void assert_options(const struct options *o, const struct want *w, const char *cmd)
{
	static const struct ip_range just_t1 = { V4I(T1), V4I(T1) };
	static const uint8_t no_mac[6];

	if (w->ntargets == 0)
		assert_ranges("targets", &o->targets, &just_t1, 1, cmd);
	else
		assert_ranges("targets", &o->targets, w->targets, w->ntargets, cmd);
	assert_ranges("excludes", &o->excludes, w->excludes, w->nexcludes, cmd);
	assert_int_equal(o->exclude_file_given, w->exclude_file_given);
	assert_ports(&o->ports, w, cmd);
	assert_int_equal(o->rate, w->rate ? w->rate : DEFAULT_RATE);
	assert_int_equal(o->seed_given, w->seed_given);
	if (w->seed_given)
		assert_int_equal(o->seed, w->seed);
	assert_int_equal(o->shard_k, w->shard_n ? w->shard_k : 1);
	assert_int_equal(o->shard_n, w->shard_n ? w->shard_n : 1);
	assert_int_equal(o->retries, w->retries_given ? w->retries : DEFAULT_RETRIES);
	assert_int_equal(o->wait_ms, w->wait_ms ? w->wait_ms : -1);
	assert_str(o->ifname, w->ifname ? w->ifname : "", "ifname", cmd);
	assert_int_equal(o->source_ip, w->source_ip);
	assert_int_equal(o->gateway_mac_given, w->mac_given);
	assert_memory_equal(o->gateway_mac, w->mac_given ? w->mac : no_mac, 6);
	assert_str(o->out_json, w->out_json, "out_json", cmd);
	assert_str(o->out_list, w->out_list, "out_list", cmd);
	assert_str(o->out_xml, w->out_xml, "out_xml", cmd);
	assert_str(o->out_grep, w->out_grep, "out_grep", cmd);
	assert_int_equal(o->format, w->format);
	assert_int_equal(o->format_given, w->format_given);
	assert_str(o->hec_url, w->hec_url, "hec_url", cmd);
	assert_str(o->hec_token, w->hec_token, "hec_token", cmd);
	assert_str(o->hec_index, w->hec_index, "hec_index", cmd);
	assert_int_equal(o->hec_insecure, w->hec_insecure);
	assert_str(o->syslog_url, w->syslog_url, "syslog_url", cmd);
	assert_int_equal(o->open_only, w->open_only);
	assert_int_equal(o->status, w->no_status ? 0 : -1);
	assert_int_equal(o->sport_base, w->sport_base ? w->sport_base : DEFAULT_SPORT_BASE);
	assert_int_equal(o->sport_count, w->sport_count ? w->sport_count : DEFAULT_SPORT_COUNT);
}

/* ---- good invocations --------------------------------------------------- */

#define ARGV(...)                 \
	{                         \
		__VA_ARGS__, NULL \
	}
#define R(a, b)                \
	{                      \
		V4I(a), V4I(b) \
	}
#define S198(c, d) IP(198, 18, c, d)

static const struct good_case {
	const char *argv[MAXARG + 1];
	struct want want;
} good_cases[] = {
	/* Targets: address, CIDR (host bits set), range, list, several, in order. */
	{ ARGV("198.18.0.1"), { .ntargets = 0 } },
	{ ARGV("198.18.0.7/24"), { .targets = { R(S198(0, 0), S198(0, 255)) }, .ntargets = 1 } },
	{ ARGV("198.18.0.1-198.18.0.9"), { .targets = { R(T1, S198(0, 9)) }, .ntargets = 1 } },
	{ ARGV("198.18.0.5,198.18.0.3"),
	  { .targets = { R(S198(0, 5), S198(0, 5)), R(S198(0, 3), S198(0, 3)) }, .ntargets = 2 } },
	{ ARGV("198.18.0.5", "--open", "0.0.0.0/0"),
	  { .targets = { R(S198(0, 5), S198(0, 5)), R(0, UINT32_MAX) },
	    .ntargets = 2,
	    .open_only = 1 } },

	/* -p / --ports, attached and with '=' */
	{ ARGV("198.18.0.1", "-p", "22,80"), { .ports = { 22, 80 }, .nports = 2 } },
	{ ARGV("198.18.0.1", "-p22"), { .ports = { 22 }, .nports = 1 } },
	{ ARGV("-p80,22", "198.18.0.1"), { .ports = { 22, 80 }, .nports = 2 } },
	{ ARGV("198.18.0.1", "--ports", "22,80"), { .ports = { 22, 80 }, .nports = 2 } },
	{ ARGV("198.18.0.1", "--ports=443,8000-8002"),
	  { .ports = { 443, 8000, 8001, 8002 }, .nports = 4 } },
	{ ARGV("198.18.0.1", "-p-"), { .nports = PORTS_ALL } },
	{ ARGV("198.18.0.1", "-p", "-"), { .nports = PORTS_ALL } },
	{ ARGV("198.18.0.1", "-p", "1-65535"), { .nports = PORTS_ALL } },
	{ ARGV("198.18.0.1", "-p", "T:443,-3"), { .ports = { 1, 2, 3, 443 }, .nports = 4 } },
	{ ARGV("198.18.0.1", "-p", "65534-"), { .ports = { 65534, 65535 }, .nports = 2 } },
	/* Repeated -p merges rather than replaces. */
	{ ARGV("198.18.0.1", "-p", "80", "-p", "22,80"), { .ports = { 22, 80 }, .nports = 2 } },
	/* "-p=22" as "-oJ=FILE": a one-letter option's value after '=' too. */
	{ ARGV("198.18.0.1", "-p=22"), { .ports = { 22 }, .nports = 1 } },
	/* "--" ends the options: what follows is a target even when it starts
	 * with '-' (the error case below); options may follow targets. */
	{ ARGV("198.18.0.1", "--", "198.18.0.5"),
	  { .targets = { R(T1, T1), R(S198(0, 5), S198(0, 5)) }, .ntargets = 2 } },
	{ ARGV("-p", "22", "198.18.0.1", "--", "198.18.0.5"),
	  { .targets = { R(T1, T1), R(S198(0, 5), S198(0, 5)) },
	    .ntargets = 2,
	    .ports = { 22 },
	    .nports = 1 } },
	{ ARGV("198.18.0.1", "--"), { .ntargets = 0 } },

	/* --top-ports: the first N of the ranked list, sorted; merges with -p. */
	{ ARGV("198.18.0.1", "--top-ports", "10"),
	  { .ports = { 21, 22, 23, 25, 80, 110, 139, 443, 445, 3389 }, .nports = 10 } },
	{ ARGV("198.18.0.1", "--top-ports=1"), { .ports = { 80 }, .nports = 1 } },
	{ ARGV("198.18.0.1", "--top-ports", "3", "-p", "8080"),
	  { .ports = { 23, 80, 443, 8080 }, .nports = 4 } },
	{ ARGV("198.18.0.1", "--top-ports", "100"), { .nports = 0 } },

	/* -iL / --input-list: comments, blank lines and spaces skipped; adds to arguments. */
	{ ARGV("-iL", "@targets.txt"),
	  { .targets = { R(S198(1, 0), S198(1, 3)), R(S198(2, 5), S198(2, 6)),
			 R(S198(3, 1), S198(3, 1)) },
	    .ntargets = 3 } },
	{ ARGV("198.18.0.1", "--input-list=@targets.txt"),
	  { .targets = { R(T1, T1), R(S198(1, 0), S198(1, 3)), R(S198(2, 5), S198(2, 6)),
			 R(S198(3, 1), S198(3, 1)) },
	    .ntargets = 4 } },
	{ ARGV("--input-list", "@targets.txt", "198.18.0.1"),
	  { .targets = { R(S198(1, 0), S198(1, 3)), R(S198(2, 5), S198(2, 6)),
			 R(S198(3, 1), S198(3, 1)), R(T1, T1) },
	    .ntargets = 4 } },

	/* --exclude adds to the default list; --exclude-file replaces it. */
	{ ARGV("198.18.0.1", "--exclude", "198.18.0.5,198.18.1.0/24"),
	  { .excludes = { R(S198(0, 5), S198(0, 5)), R(S198(1, 0), S198(1, 255)) },
	    .nexcludes = 2 } },
	{ ARGV("198.18.0.1", "--exclude=198.18.0.2-198.18.0.4"),
	  { .excludes = { R(S198(0, 2), S198(0, 4)) }, .nexcludes = 1 } },
	{ ARGV("198.18.0.1", "--exclude-file", "@excl.txt"),
	  { .excludes = { R(S198(0, 128), S198(0, 255)), R(S198(9, 9), S198(9, 9)) },
	    .nexcludes = 2,
	    .exclude_file_given = 1 } },
	{ ARGV("198.18.0.1", "--exclude-file=@excl.txt", "--exclude", "198.18.0.2"),
	  { .excludes = { R(S198(0, 128), S198(0, 255)), R(S198(9, 9), S198(9, 9)),
			  R(S198(0, 2), S198(0, 2)) },
	    .nexcludes = 3,
	    .exclude_file_given = 1 } },
	/* An empty exclude file is how to scan without the built-in list. */
	{ ARGV("198.18.0.1", "--exclude-file", "@empty.txt"), { .exclude_file_given = 1 } },
	{ ARGV("198.18.0.1", "--exclude-file", "@comments.txt"), { .exclude_file_given = 1 } },

	/* --rate */
	{ ARGV("198.18.0.1", "--rate", "5000"), { .rate = 5000 } },
	{ ARGV("198.18.0.1", "--rate=5000"), { .rate = 5000 } },
	{ ARGV("198.18.0.1", "--rate", "1"), { .rate = 1 } },
	{ ARGV("198.18.0.1", "--rate", "100000000"), { .rate = 100000000 } },
	{ ARGV("198.18.0.1", "--rate", "007"), { .rate = 7 } },
	{ ARGV("198.18.0.1", "--rate", "1", "--rate", "2"), { .rate = 2 } }, /* last wins */

	/* --seed: the whole uint64_t range, 0 included */
	{ ARGV("198.18.0.1", "--seed", "42"), { .seed = 42, .seed_given = 1 } },
	{ ARGV("198.18.0.1", "--seed=0"), { .seed = 0, .seed_given = 1 } },
	{ ARGV("198.18.0.1", "--seed", "18446744073709551615"),
	  { .seed = UINT64_MAX, .seed_given = 1 } },

	/* --shard K/N */
	{ ARGV("198.18.0.1", "--shard", "2/4"), { .shard_k = 2, .shard_n = 4 } },
	{ ARGV("198.18.0.1", "--shard=4/4"), { .shard_k = 4, .shard_n = 4 } },
	{ ARGV("198.18.0.1", "--shard", "1/1"), { .shard_k = 1, .shard_n = 1 } },
	{ ARGV("198.18.0.1", "--shard", "65535/65535"), { .shard_k = 65535, .shard_n = 65535 } },

	/* --retries, --wait */
	{ ARGV("198.18.0.1", "--retries", "0"), { .retries = 0, .retries_given = 1 } },
	{ ARGV("198.18.0.1", "--retries=20"), { .retries = 20, .retries_given = 1 } },
	{ ARGV("198.18.0.1", "--wait", "500"), { .wait_ms = 500 } },
	{ ARGV("198.18.0.1", "--wait=1"), { .wait_ms = 1 } },
	{ ARGV("198.18.0.1", "--wait", "600000"), { .wait_ms = 600000 } },

	/* --interface / -e: existence is not checked here; 15 chars fit IFNAMSIZ. */
	{ ARGV("198.18.0.1", "--interface", "eth9"), { .ifname = "eth9" } },
	{ ARGV("198.18.0.1", "--interface=eth9"), { .ifname = "eth9" } },
	{ ARGV("198.18.0.1", "-e", "eth9"), { .ifname = "eth9" } },
	{ ARGV("198.18.0.1", "-e", "abcdefghijklmno"), { .ifname = "abcdefghijklmno" } },
	{ ARGV("198.18.0.1", "-eeth9"), { .ifname = "eth9" } },
	{ ARGV("198.18.0.1", "-e=eth9"), { .ifname = "eth9" } },

	/* -S / --source-ip */
	{ ARGV("198.18.0.1", "-S", "198.18.0.1"), { .source_ip = T1 } },
	{ ARGV("198.18.0.1", "--source-ip", "198.18.0.200"), { .source_ip = S198(0, 200) } },
	{ ARGV("198.18.0.1", "--source-ip=198.18.0.200"), { .source_ip = S198(0, 200) } },

	/* --source-port P or LOW-HIGH */
	{ ARGV("198.18.0.1", "--source-port", "40000-40010"),
	  { .sport_base = 40000, .sport_count = 11 } },
	{ ARGV("198.18.0.1", "--source-port=53"), { .sport_base = 53, .sport_count = 1 } },
	{ ARGV("198.18.0.1", "--source-port", "1-65535"),
	  { .sport_base = 1, .sport_count = 65535 } },
	{ ARGV("198.18.0.1", "--source-port", "65535-65535"),
	  { .sport_base = 65535, .sport_count = 1 } },

	/* --gateway-mac / --router-mac, either case */
	{ ARGV("198.18.0.1", "--gateway-mac", "aa:bb:cc:dd:ee:ff"),
	  { .mac = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }, .mac_given = 1 } },
	{ ARGV("198.18.0.1", "--gateway-mac=00:01:0A:1b:F0:9f"),
	  { .mac = { 0x00, 0x01, 0x0a, 0x1b, 0xf0, 0x9f }, .mac_given = 1 } },
	{ ARGV("198.18.0.1", "--router-mac", "02:00:00:00:00:01"),
	  { .mac = { 2, 0, 0, 0, 0, 1 }, .mac_given = 1 } },

	/* Outputs, flags */
	{ ARGV("198.18.0.1", "-oJ", "out"), { .out_json = "out" } },
	/* nmap's one-dash long names take "=VALUE" as the two-dash ones do. */
	{ ARGV("198.18.0.1", "-oJ=out"), { .out_json = "out" } },
	{ ARGV("-oX=a.xml", "198.18.0.1", "-oG=a.gnmap", "-oL=a.lst"),
	  { .out_xml = "a.xml", .out_grep = "a.gnmap", .out_list = "a.lst" } },
	{ ARGV("198.18.0.1", "-oJ", "-p"), { .out_json = "-p" } }, /* a value, not an option */
	{ ARGV("198.18.0.1", "--output-json=out.json"), { .out_json = "out.json" } },
	{ ARGV("198.18.0.1", "-oL", "-"), { .out_list = "-" } },
	{ ARGV("198.18.0.1", "--output-list", "ports.txt", "-oJ", "-"),
	  { .out_list = "ports.txt", .out_json = "-" } },
	{ ARGV("198.18.0.1", "--open"), { .open_only = 1 } },
	{ ARGV("198.18.0.1", "-oX", "a.xml", "--output-grepable", "a.gnmap"),
	  { .out_xml = "a.xml", .out_grep = "a.gnmap" } },
	/* --format alone writes to stdout; with -oJ it changes what -oJ writes */
	{ ARGV("198.18.0.1", "--format", "ecs"),
	  { .format = FMT_ECS, .format_given = 1, .out_json = "-" } },
	{ ARGV("198.18.0.1", "--format=cef", "-oJ", "f.cef"),
	  { .format = FMT_CEF, .format_given = 1, .out_json = "f.cef" } },
	{ ARGV("198.18.0.1", "-oJ", "h", "--format", "splunk-hec"),
	  { .format = FMT_HEC, .format_given = 1, .out_json = "h" } },
	{ ARGV("198.18.0.1", "--format", "json"),
	  { .format = FMT_NATIVE, .format_given = 1, .out_json = "-" } },
	{ ARGV("198.18.0.1", "--hec-url", "https://127.0.0.1:8088", "--hec-token", "abc-123",
	       "--hec-index", "scans", "--hec-insecure"),
	  { .hec_url = "https://127.0.0.1:8088",
	    .hec_token = "abc-123",
	    .hec_index = "scans",
	    .hec_insecure = 1 } },
	{ ARGV("198.18.0.1", "--syslog", "tcp://127.0.0.1:6514"),
	  { .syslog_url = "tcp://127.0.0.1:6514" } },
	{ ARGV("--no-status", "198.18.0.1"), { .no_status = 1 } },

	/* Everything at once, options before and after the targets. */
	{ ARGV("--rate=250", "-p22,443", "198.18.0.0/30", "--shard", "3/8", "--seed", "7",
	       "--retries", "1", "--wait", "250", "-e", "veth0", "-S", "198.18.0.254",
	       "--source-port=50000-50001", "--router-mac", "02:42:ac:11:00:02", "-oJ", "-",
	       "--open"),
	  { .targets = { R(S198(0, 0), S198(0, 3)) },
	    .ntargets = 1,
	    .ports = { 22, 443 },
	    .nports = 2,
	    .rate = 250,
	    .shard_k = 3,
	    .shard_n = 8,
	    .seed = 7,
	    .seed_given = 1,
	    .retries = 1,
	    .retries_given = 1,
	    .wait_ms = 250,
	    .ifname = "veth0",
	    .source_ip = S198(0, 254),
	    .sport_base = 50000,
	    .sport_count = 2,
	    .mac = { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 },
	    .mac_given = 1,
	    .out_json = "-",
	    .open_only = 1 } },
};

static void test_good_invocations_set_exact_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(good_cases); i++) {
		struct args a;
		struct options o;
		char err[PORTUS_ERRLEN], cmd[CMD_MAX];
		int rc;

		rc = parse_case(good_cases[i].argv, &a, &o, err, cmd);
		if (rc != OPT_RUN)
			fail_msg("%s: returned %d, want OPT_RUN: %s", cmd, rc, err);
		assert_options(&o, &good_cases[i].want, cmd);
		options_free(&o);
		args_free(&a);
	}
}

/* The documented defaults, spelled as numbers rather than the header's macros. */
static void test_defaults_are_polite_and_scan_top_100(void **state)
{
	static const char *const argv[] = { "198.18.0.1", NULL };
	struct args a;
	struct options o;
	struct port_list first;
	char err[PORTUS_ERRLEN];
	int has80 = 0;

	(void)state;
	args_build(&a, argv);
	assert_int_equal(options_parse(a.argc, a.argv, &o, err, sizeof(err)), OPT_RUN);
	assert_int_equal(o.rate, 10000);
	assert_int_equal(o.retries, 2);
	assert_int_equal(o.wait_ms, -1);
	assert_int_equal(o.shard_k, 1);
	assert_int_equal(o.shard_n, 1);
	assert_int_equal(o.seed_given, 0);
	assert_int_equal(o.status, -1);
	assert_int_equal(o.exclude_file_given, 0);
	assert_int_equal(o.excludes.n, 0);
	assert_int_equal(o.sport_base, 40000);
	assert_int_equal(o.sport_count, 16384);
	/* Top 100, sorted: port 80 (ranked first) is in it; 7 is the lowest. */
	assert_int_equal(o.ports.n, 100);
	assert_int_equal(o.ports.ports[0], 7);
	for (uint32_t i = 0; i < o.ports.n; i++)
		has80 |= o.ports.ports[i] == 80;
	assert_true(has80);
	first = top_ports(1);
	assert_int_equal(first.n, 1);
	assert_int_equal(first.ports[0], 80);
	ports_free(&first);
	options_free(&o);
	args_free(&a);
}

/* ---- bad invocations ---------------------------------------------------- */

static const struct bad_case {
	const char *argv[MAXARG + 1];
	const char *want; /* the error must contain this */
} bad_cases[] = {
	/* No target */
	{ ARGV(NULL), "no targets given" },
	{ ARGV("-p", "80", "--rate", "5"), "no targets given" },
	{ ARGV("--exclude", "198.18.0.1"), "no targets given" },

	/* Unknown flags and missing values */
	{ ARGV("198.18.0.1", "--bogus"), "--bogus: unknown option" },
	{ ARGV("198.18.0.1", "-x"), "-x: unknown option" },
	{ ARGV("198.18.0.1", "--open=1"), "--open takes no value" },
	{ ARGV("198.18.0.1", "--help=1"), "--help takes no value" },
	{ ARGV("198.18.0.1", "-oJ=out", "-oX", "-", "-oL=-"),
	  "-oL - and -oX - both write to stdout" },
	{ ARGV("198.18.0.1", "--Rate", "5"), "--Rate: unknown option" },
	{ ARGV("198.18.0.1", "--rate"), "--rate: missing value" },
	{ ARGV("198.18.0.1", "-p"), "-p: missing value" },
	{ ARGV("198.18.0.1", "-iL"), "-iL: missing value" },
	{ ARGV("198.18.0.1", "-oJ"), "-oJ: missing value" },
	{ ARGV("198.18.0.1", "--shard"), "--shard: missing value" },

	/* Ports */
	{ ARGV("198.18.0.1", "-p", "0"), "port must be 1-65535" },
	{ ARGV("198.18.0.1", "-p", "65536"), "65536: port must be 1-65535" },
	{ ARGV("198.18.0.1", "-p", "80-22"), "80-22: range start is after range end" },
	{ ARGV("198.18.0.1", "-p", ","), "empty element" },
	{ ARGV("198.18.0.1", "-p", "22,"), "empty element" },
	{ ARGV("198.18.0.1", "-p", ""), "empty port list" },
	{ ARGV("198.18.0.1", "--ports="), "empty port list" },
	{ ARGV("198.18.0.1", "-p", "22, 80"), "whitespace" },
	{ ARGV("198.18.0.1", "-p", "http"), "http: not a port number" },
	{ ARGV("198.18.0.1", "-p", "U:53"), "UDP" },
	{ ARGV("198.18.0.1", "-p==22"), "=22: not a port number" },
	{ ARGV("198.18.0.1", "--top-ports", "0"), "--top-ports 0: must be 1-1000" },
	{ ARGV("198.18.0.1", "--top-ports", "100000"), "--top-ports 100000: must be 1-1000" },
	{ ARGV("198.18.0.1", "--top-ports", "ten"), "--top-ports ten: not a number" },

	/* Targets */
	{ ARGV("198.18.0.0/33"), "198.18.0.0/33: prefix length must be 0-32" },
	{ ARGV("198.18.0.0/"), "missing prefix length" },
	{ ARGV("1.2.3"), "1.2.3: not an IPv4 address" },
	{ ARGV("1.2.3.4.5"), "1.2.3.4.5: not an IPv4 address" },
	{ ARGV("256.0.0.1"), "octet must be 0-255" },
	{ ARGV("198.18.0.9-198.18.0.1"), "range start is after range end" },
	{ ARGV("198.18.0.1,"), "empty element" },
	{ ARGV(""), "empty address list" },
	{ ARGV("-"), "not an IPv4 address" },
	{ ARGV("bad..example.test"), "bad..example.test: not an IPv4 address" },
	{ ARGV("-p", "80", "www.example.test/24"), "a host name takes no prefix length" },
	{ ARGV("_bad-.example.test"), "not an IPv4 address" },
	{ ARGV("1.2.3.4x"), "1.2.3.4x: not an IPv4 address" },
	{ ARGV("-4", "-6", "198.18.0.1"), "-4 and -6 together" },
	{ ARGV("--resolve-timeout", "0", "198.18.0.1"), "--resolve-timeout 0: must be 10-60000" },
	{ ARGV("--resolve-retries", "11", "198.18.0.1"), "must be 0-10" },
	{ ARGV("--resolve-concurrency", "0", "198.18.0.1"), "must be 1-10000" },
	{ ARGV("--exclude", "www.example.test", "198.18.0.1"), "a host name is not accepted here" },
	{ ARGV("198.18.0.1", "198.18.0.1 "), "whitespace" },

	/* Numbers */
	{ ARGV("198.18.0.1", "--rate", "0"), "--rate 0: must be 1-100000000" },
	{ ARGV("198.18.0.1", "--rate", "100000001"), "must be 1-100000000" },
	{ ARGV("198.18.0.1", "--rate", "-5"), "--rate -5: not a number" },
	{ ARGV("198.18.0.1", "--rate", "+5"), "--rate +5: not a number" },
	{ ARGV("198.18.0.1", "--rate", "abc"), "--rate abc: not a number" },
	{ ARGV("198.18.0.1", "--rate", "1e6"), "--rate 1e6: not a number" },
	{ ARGV("198.18.0.1", "--rate", " 5"), "not a number" },
	{ ARGV("198.18.0.1", "--rate", "0x10"), "not a number" },
	{ ARGV("198.18.0.1", "--rate", "99999999999999999999999"), "number too large" },
	{ ARGV("198.18.0.1", "--rate="), "--rate: empty value" },
	{ ARGV("198.18.0.1", "--seed", "18446744073709551616"), "number too large" },
	{ ARGV("198.18.0.1", "--seed", "-1"), "--seed -1: not a number" },
	{ ARGV("198.18.0.1", "--retries", "21"), "--retries 21: must be 0-20" },
	{ ARGV("198.18.0.1", "--retries", "-1"), "not a number" },
	{ ARGV("198.18.0.1", "--wait", "0"), "--wait 0: must be 1-600000" },
	{ ARGV("198.18.0.1", "--wait", "600001"), "must be 1-600000" },
	{ ARGV("198.18.0.1", "--wait", "1s"), "--wait 1s: not a number" },

	/* --shard */
	{ ARGV("198.18.0.1", "--shard", "0/4"), "must be 1-65535" },
	{ ARGV("198.18.0.1", "--shard", "5/4"), "--shard 5/4: K must be 1-N" },
	{ ARGV("198.18.0.1", "--shard", "1/0"), "must be 1-65535" },
	{ ARGV("198.18.0.1", "--shard", "4"), "--shard 4: expected K/N" },
	{ ARGV("198.18.0.1", "--shard", "/"), "--shard /: expected K/N" },
	{ ARGV("198.18.0.1", "--shard", "/4"), "expected K/N" },
	{ ARGV("198.18.0.1", "--shard", "1/"), "--shard: empty value" },
	{ ARGV("198.18.0.1", "--shard", "1/4/5"), "not a number" },
	{ ARGV("198.18.0.1", "--shard", "1/65536"), "must be 1-65535" },
	{ ARGV("198.18.0.1", "--shard", "1234567890123456789012345/4"), "expected K/N" },

	/* Output paths, interface names, source address */
	{ ARGV("198.18.0.1", "-oJ", ""), "-oJ: empty file name" },
	{ ARGV("198.18.0.1", "-oL", ""), "-oL: empty file name" },
	{ ARGV("198.18.0.1", "--interface", "a/b"), "not an interface name" },
	{ ARGV("198.18.0.1", "--interface", "eth 0"), "not an interface name" },
	{ ARGV("198.18.0.1", "--interface", "eth\n0"), "eth?0: not an interface name" },
	{ ARGV("198.18.0.1", "-S", "0.0.0.0"), "not a usable source address" },
	{ ARGV("198.18.0.1", "-S", "255.255.255.255"), "not a usable source address" },
	/* Echoed input never breaks the one-line rule */
	{ ARGV("198.18.0.1", "--rate", "1\n2"), "--rate 1?2: not a number" },
	{ ARGV("198.18.0.1", "--bogus\nx"), "--bogus?x: unknown option" },
	{ ARGV("198.18.0.1", "-iL", "/no\nfile"), "/no?file" },

	/* --gateway-mac: six two-digit hex bytes, nothing else */
	{ ARGV("198.18.0.1", "--gateway-mac", "aa:bb"), "aa:bb: expected xx:xx:xx:xx:xx:xx" },
	{ ARGV("198.18.0.1", "--gateway-mac", "zz:zz:zz:zz:zz:zz"), "expected xx:xx:xx:xx:xx:xx" },
	{ ARGV("198.18.0.1", "--gateway-mac", "aa:bb:cc:dd:ee:ff:00"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", "aa-bb-cc-dd-ee-ff"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", "aa:bb:cc:dd:ee:f"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", "aa:bb:cc:dd:ee:fg"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", "a:bb:cc:dd:ee:fff"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", "aa:bb:cc:dd:ee: f"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", "aa:bb:cc:dd:ee:+f"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", "-1:-1:-1:-1:-1:-1"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", " a: b: c: d: e: f"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", "0x:0x:0x:0x:0x:0x"), "expected xx:" },
	{ ARGV("198.18.0.1", "--gateway-mac", ""), "expected xx:" },

	/* --source-ip: exactly one address */
	{ ARGV("198.18.0.1", "--source-ip", "198.18.0.0/24"), "expected one address" },
	{ ARGV("198.18.0.1", "-S", "198.18.0.1/32"), "expected one address" },
	{ ARGV("198.18.0.1", "-S", "198.18.0.1-198.18.0.1"), "expected one address" },
	{ ARGV("198.18.0.1", "-S", "198.18.0"), "not an IPv4 address" },

	/* --source-port */
	{ ARGV("198.18.0.1", "--source-port", "10-5"), "--source-port 10-5: range is reversed" },
	{ ARGV("198.18.0.1", "--source-port", "0"), "--source-port 0: must be 1-65535" },
	{ ARGV("198.18.0.1", "--source-port", "65536"), "must be 1-65535" },
	{ ARGV("198.18.0.1", "--source-port", "-5"), "expected PORT or LOW-HIGH" },
	{ ARGV("198.18.0.1", "--source-port", "5-"), "--source-port: empty value" },
	{ ARGV("198.18.0.1", "--source-port", "5-6-7"), "not a number" },

	/* Files */
	{ ARGV("-iL", "/nonexistent/targets"), "/nonexistent/targets: cannot open" },
	{ ARGV("-iL", ""), "cannot open" },
	{ ARGV("-iL", "@empty.txt"), "empty.txt: no targets in file" },
	{ ARGV("-iL", "@comments.txt"), "comments.txt: no targets in file" },
	{ ARGV("-iL", "@binary.bin"), "binary.bin: binary file" },
	{ ARGV("-iL", "@badline.txt"), "badline.txt:3: 198.18.0.300: octet must be 0-255" },
	{ ARGV("-iL", "@subdir"), "subdir: cannot read" },
	{ ARGV("198.18.0.1", "--exclude-file", "/nonexistent/excl"),
	  "/nonexistent/excl: cannot open" },
	{ ARGV("198.18.0.1", "--exclude-file", "@binary.bin"), "binary file" },
	{ ARGV("198.18.0.1", "--exclude-file=@badline.txt"), "badline.txt:3:" },
	{ ARGV("198.18.0.1", "--exclude", "1.2.3.4/40"), "1.2.3.4/40: prefix length must be 0-32" },
	{ ARGV("198.18.0.1", "--exclude", ""), "empty address list" },
	{ ARGV("198.18.0.1", "--exclude", "198.18.0.1,,198.18.0.2"), "empty element" },

	/* --interface: 1-15 characters */
	{ ARGV("198.18.0.1", "--interface", "abcdefghijklmnopqrst"), "not an interface name" },
	{ ARGV("198.18.0.1", "--interface", "abcdefghijklmnop"), "not an interface name" },
	{ ARGV("198.18.0.1", "-e", ""), "not an interface name" },

	/* Output formats and destinations */
	{ ARGV("198.18.0.1", "--format", "xml"),
	  "--format xml: expected json, ecs, splunk-hec or cef" },
	{ ARGV("198.18.0.1", "--format", ""), "--format : expected" },
	{ ARGV("198.18.0.1", "--format"), "--format: missing value" },
	{ ARGV("198.18.0.1", "-oX", ""), "-oX: empty file name" },
	{ ARGV("198.18.0.1", "-oG"), "-oG: missing value" },
	{ ARGV("198.18.0.1", "-oJ", "-", "-oX", "-"), "-oJ - and -oX - both write to stdout" },
	{ ARGV("198.18.0.1", "--format", "ecs", "-oG", "-"),
	  "-oJ - and -oG - both write to stdout" },
	{ ARGV("198.18.0.1", "--hec-url", "ftp://127.0.0.1"),
	  "--hec-url ftp://127.0.0.1: expected http://" },
	{ ARGV("198.18.0.1", "--hec-token", "t"), "need --hec-url" },
	{ ARGV("198.18.0.1", "--hec-index", "i"), "need --hec-url" },
	{ ARGV("198.18.0.1", "--hec-url", "http://127.0.0.1", "--hec-token", "a b"),
	  "--hec-token: empty or contains white space" },
	{ ARGV("198.18.0.1", "--hec-url", "http://127.0.0.1", "--hec-token", ""),
	  "--hec-token: empty" },
	{ ARGV("198.18.0.1", "--hec-url", "http://127.0.0.1", "--hec-index", ""),
	  "--hec-index: empty index name" },
	{ ARGV("198.18.0.1", "--syslog", "127.0.0.1:514"),
	  "--syslog 127.0.0.1:514: expected udp://HOST:PORT" },

	/* The first error wins, even with good options and targets after it. */
	{ ARGV("--rate", "0", "198.18.0.1", "-p", "80"), "--rate 0" },
	{ ARGV("198.18.0.1", "-p", "80", "--wait", "0", "--rate", "0"), "--wait 0" },
};

/* Returns NULL when err is a good one-line error containing want, else why not. */
static const char *one_line_error_problem(const char *err, const char *want)
{
	if (err[0] == '\0')
		return "empty error message";
	if (strchr(err, '\n') != NULL || strchr(err, '\r') != NULL)
		return "error is not one line";
	if (strncmp(err, "portus:", 7) == 0)
		return "error carries the \"portus:\" prefix";
	if (strstr(err, want) == NULL)
		return "error lacks the expected text";
	return NULL;
}

/* Runs the whole table and lists every case that misbehaves before failing. */
static void test_bad_invocations_fail_with_one_line_error(void **state)
{
	size_t failures = 0;

	(void)state;
	assert_true(NELEM(bad_cases) >= 50);
	for (size_t i = 0; i < NELEM(bad_cases); i++) {
		struct args a;
		struct options o;
		char err[PORTUS_ERRLEN], cmd[CMD_MAX];
		const char *why;
		int rc;

		rc = parse_case(bad_cases[i].argv, &a, &o, err, cmd);
		if (rc != OPT_ERROR) {
			print_error("%s: returned %d, want OPT_ERROR\n", cmd, rc);
			failures++;
			if (rc == OPT_RUN)
				options_free(&o);
		} else if ((why = one_line_error_problem(err, bad_cases[i].want)) != NULL) {
			print_error("%s: %s: \"%s\" (want \"%s\")\n", cmd, why, err,
				    bad_cases[i].want);
			failures++;
		} else if (o.targets.r != NULL || o.excludes.r != NULL || o.ports.ports != NULL) {
			/* "o is freed"; ASan's leak check backs this up. */
			print_error("%s: options not freed on error\n", cmd);
			failures++;
		}
		args_free(&a);
	}
	if (failures > 0)
		fail_msg("%zu of %zu bad invocations misbehaved", failures, NELEM(bad_cases));
}

/*
 * The parser's own messages, whole (what main prints after "portus: "), for
 * each kind of mistake: a name that is no option, with the spellings it may
 * have meant (another case, the other number of dashes, a name it begins, a
 * typo) or --help; a missing value; a value for an option that takes none; a
 * value the option refuses; something after "--" that is no target; an
 * option given again where that contradicts the first.
 */
static void test_option_errors_name_the_mistake(void **state)
{
	static const struct {
		const char *argv[MAXARG + 1];
		const char *err;
	} cases[] = {
		/* Unknown names. */
		{ ARGV("198.18.0.1", "--bogus"), "--bogus: unknown option (see --help)" },
		{ ARGV("198.18.0.1", "--rat", "5"),
		  "--rat: unknown option (did you mean --rate?)" },
		{ ARGV("198.18.0.1", "--Rate", "5"),
		  "--Rate: unknown option (did you mean --rate?)" },
		{ ARGV("198.18.0.1", "-rate", "5"),
		  "-rate: unknown option (did you mean --rate?)" },
		{ ARGV("198.18.0.1", "-help"), "-help: unknown option (did you mean --help?)" },
		{ ARGV("198.18.0.1", "--oJ", "x"), "--oJ: unknown option (did you mean -oJ?)" },
		{ ARGV("198.18.0.1", "--p", "22"), "--p: unknown option (did you mean -p?)" },
		{ ARGV("198.18.0.1", "-o", "x"),
		  "-o: unknown option (did you mean -oJ, -oL, -oX or -oG?)" },
		{ ARGV("198.18.0.1", "-ex", "x"),
		  "-ex: unknown option (did you mean --exclude or --exclude-file?)" },
		{ ARGV("198.18.0.1", "--exlude", "x"),
		  "--exlude: unknown option (did you mean --exclude?)" },
		{ ARGV("198.18.0.1", "--tls-cipher"),
		  "--tls-cipher: unknown option (did you mean --tls-ciphers?)" },
		{ ARGV("198.18.0.1", "--ca-flie", "x"),
		  "--ca-flie: unknown option (did you mean --ca-file?)" },
		{ ARGV("198.18.0.1", "--re", "1"),
		  "--re: unknown option (see --help)" }, /* five begin so */
		{ ARGV("198.18.0.1", "-po"), "-po: unknown option (did you mean --ports?)" },
		{ ARGV("198.18.0.1", "--hec-tokn=SECRET"), /* the value is never shown */
		  "--hec-tokn: unknown option (did you mean --hec-token?)" },
		{ ARGV("198.18.0.1", "--unknown=3"), "--unknown: unknown option (see --help)" },
		{ ARGV("198.18.0.1", "-x"), "-x: unknown option (see --help)" },
		{ ARGV("198.18.0.1", "-4x"), "-x: unknown option (see --help)" },
		{ ARGV("198.18.0.1", "-sS"), "-sS: unknown option (see --help)" },
		{ ARGV("198.18.0.1", "--bogus\nx"), "--bogus?x: unknown option (see --help)" },
		{ ARGV("198.18.0.1",
		       "--aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		  "--aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...: unknown option "
		  "(see --help)" },
		/* Missing values: the option as typed (a shortened name is unknown). */
		{ ARGV("198.18.0.1", "--rate"), "--rate: missing value" },
		{ ARGV("198.18.0.1", "-oJ"), "-oJ: missing value" },
		{ ARGV("198.18.0.1", "--output-json"), "--output-json: missing value" },
		{ ARGV("198.18.0.1", "-iL"), "-iL: missing value" },
		{ ARGV("198.18.0.1", "-p"), "-p: missing value" },
		{ ARGV("198.18.0.1", "-4e"), "-e: missing value" },
		{ ARGV("198.18.0.1", "--rat"), "--rat: unknown option (did you mean --rate?)" },
		/* Values for options that take none. */
		{ ARGV("198.18.0.1", "--open=yes"), "--open takes no value" },
		{ ARGV("198.18.0.1", "--tls="), "--tls takes no value" },
		{ ARGV("198.18.0.1", "-4=1"), "-4 takes no value" },
		{ ARGV("198.18.0.1", "--version=2"), "--version takes no value" },
		/* Bad values, whichever way the value is attached. */
		{ ARGV("198.18.0.1", "--rate=fast"), "--rate fast: not a number" },
		{ ARGV("198.18.0.1", "--rate", "--open"), "--rate --open: not a number" },
		{ ARGV("198.18.0.1", "-oJ="), "-oJ: empty file name ('-' means stdout)" },
		{ ARGV("198.18.0.1", "--output-list="), "-oL: empty file name ('-' means stdout)" },
		{ ARGV("198.18.0.1", "-e=a/b"), "--interface a/b: not an interface name" },
		{ ARGV("198.18.0.1", "--top-ports=0"), "--top-ports 0: must be 1-1000" },
		/* After "--", targets only. */
		{ ARGV("198.18.0.1", "--", "-p", "22"),
		  "-p: not an IPv4 address (want four decimal octets a.b.c.d)" },
		/* Given again where that contradicts (elsewhere the last one wins, or
		 * -p/-iL/--exclude add up). */
		{ ARGV("198.18.0.1", "-4", "-6"),
		  "-4 and -6 together: give neither to scan both families" },
		{ ARGV("198.18.0.1", "-64"),
		  "-4 and -6 together: give neither to scan both families" },
		{ ARGV("198.18.0.1", "-S", "198.18.0.2", "-S=198.18.0.3"),
		  "--source-ip 198.18.0.3: an IPv4 source is already given" },
		{ ARGV("198.18.0.1", "-oJ", "-", "-oL=-"),
		  "-oJ - and -oL - both write to stdout: give one a file" },
		/* The first mistake is the one reported; --help after it is not reached. */
		{ ARGV("--bogus", "--help"), "--bogus: unknown option (see --help)" },
		{ ARGV("--rate", "x", "--bogus"), "--rate x: not a number" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct args a;
		struct options o;
		char err[PORTUS_ERRLEN], cmd[CMD_MAX];
		int rc;

		rc = parse_case(cases[i].argv, &a, &o, err, cmd);
		if (rc == OPT_RUN)
			options_free(&o);
		if (rc != OPT_ERROR || strcmp(err, cases[i].err) != 0)
			fail_msg("%s: returned %d, error \"%s\", want \"%s\"", cmd, rc, err,
				 cases[i].err);
		args_free(&a);
	}
}

/* The parse starts afresh each time: an earlier parse that stopped inside a
 * cluster of short options ("-4x") leaves nothing behind for the next. */
static void test_parses_start_afresh(void **state)
{
	static const char *const bad[] = { "198.18.0.1", "-4xe", NULL };
	static const char *const good[] = { "-6", "2001:db8::1", NULL };
	struct args a;
	struct options o;
	char err[PORTUS_ERRLEN] = "";

	(void)state;
	args_build(&a, bad);
	assert_int_equal(options_parse(a.argc, a.argv, &o, err, sizeof(err)), OPT_ERROR);
	args_free(&a);
	args_build(&a, good);
	assert_int_equal(options_parse(a.argc, a.argv, &o, err, sizeof(err)), OPT_RUN);
	assert_int_equal(o.family, RESOLVE_V6);
	assert_int_equal(o.targets.n, 1);
	options_free(&o);
	args_free(&a);
}

/* One parse of "198.18.0.1 --shard-from-env SPEC" with VAR set to val (NULL: unset). */
static int shard_env(const char *spec, const char *val, struct options *o, char *err, size_t errlen)
{
	const char *argv[] = { "198.18.0.1", "--shard-from-env", spec, NULL };
	struct args a;
	int rc;

	if (val != NULL)
		setenv("PORTUS_TEST_INDEX", val, 1);
	else
		unsetenv("PORTUS_TEST_INDEX");
	args_build(&a, argv);
	rc = options_parse(a.argc, a.argv, o, err, errlen);
	args_free(&a);
	unsetenv("PORTUS_TEST_INDEX");
	return rc;
}

/* Schedulers count tasks from 0: index i of N is shard i+1 of N. */
static void test_shard_from_env(void **state)
{
	static const struct {
		const char *spec, *val, *err; /* err NULL: good, shard k/n below */
		unsigned k, n;
	} cases[] = {
		{ "PORTUS_TEST_INDEX/4", "0", NULL, 1, 4 },
		{ "PORTUS_TEST_INDEX/4", "3", NULL, 4, 4 },
		{ "PORTUS_TEST_INDEX/1", "0", NULL, 1, 1 },
		{ "PORTUS_TEST_INDEX/4", "4", "PORTUS_TEST_INDEX 4: must be 0-3", 0, 0 },
		{ "PORTUS_TEST_INDEX/4", "-1", "PORTUS_TEST_INDEX -1: not a number", 0, 0 },
		{ "PORTUS_TEST_INDEX/4", "", "PORTUS_TEST_INDEX: empty value", 0, 0 },
		{ "PORTUS_TEST_INDEX/4", NULL, "--shard-from-env: PORTUS_TEST_INDEX is not set", 0,
		  0 },
		{ "PORTUS_TEST_INDEX/0", "0", "--shard-from-env 0: must be 1-65535", 0, 0 },
		{ "PORTUS_TEST_INDEX", "0", "--shard-from-env PORTUS_TEST_INDEX: expected VAR/N", 0,
		  0 },
		{ "/4", "0", "--shard-from-env /4: expected VAR/N", 0, 0 },
		{ "BAD-NAME/4", "0", "BAD-NAME is not a variable name", 0, 0 },
	};
	char err[PORTUS_ERRLEN];
	struct options o;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		int rc = shard_env(cases[i].spec, cases[i].val, &o, err, sizeof(err));

		if (cases[i].err == NULL) {
			if (rc != OPT_RUN)
				fail_msg("%s=%s: %s", cases[i].spec, cases[i].val, err);
			assert_int_equal(o.shard_k, cases[i].k);
			assert_int_equal(o.shard_n, cases[i].n);
			options_free(&o);
		} else {
			assert_int_equal(rc, OPT_ERROR);
			if (strstr(err, cases[i].err) == NULL)
				fail_msg("%s=%s: got \"%s\", want \"%s\"", cases[i].spec,
					 cases[i].val ? cases[i].val : "(unset)", err,
					 cases[i].err);
		}
	}
}

/* A short error buffer truncates the message but still holds a C string. */
static void test_error_is_truncated_to_buffer(void **state)
{
	static const char *const argv[] = { "198.18.0.1", "--rate", "abcdefghijklmnop", NULL };
	struct args a;
	struct options o;
	char err[12];

	(void)state;
	memset(err, 'X', sizeof(err));
	args_build(&a, argv);
	assert_int_equal(options_parse(a.argc, a.argv, &o, err, 8), OPT_ERROR);
	assert_string_equal(err, "--rate ");
	assert_int_equal(err[8], 'X');
	args_free(&a);
}

/* ---- --help and --version ----------------------------------------------- */

/*
 * Runs options_parse with stdout sent to a temporary file and returns what
 * was printed (caller frees).
 */
static char *parse_capturing_stdout(const char *const *argv, int *rc)
{
	char path[512], *out;
	struct args a;
	struct options o;
	char err[PORTUS_ERRLEN] = "";
	int fd, saved;
	long len;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/stdout.XXXXXX", g_dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);

	args_build(&a, argv);
	*rc = options_parse(a.argc, a.argv, &o, err, sizeof(err));
	args_free(&a);

	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	close(fd);

	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	assert_true(len >= 0);
	rewind(fp);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	assert_int_equal(fread(out, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	unlink(path);
	return out;
}

static void test_help_and_version_exit_ok(void **state)
{
	static const struct {
		const char *argv[5];
		const char *want; /* printed to stdout */
	} cases[] = {
		{ { "--help", NULL }, "usage: portus" },
		{ { "-h", NULL }, "--gateway-mac" },
		{ { "198.18.0.1", "-p", "80", "--help", NULL }, "usage: portus" },
		{ { "--version", NULL }, "portus " PORTUS_VERSION "\n" },
		{ { "-V", NULL }, "portus " PORTUS_VERSION },
		{ { "-p", "80", "-V", NULL }, "portus " PORTUS_VERSION },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		int rc;
		char *out = parse_capturing_stdout(cases[i].argv, &rc);

		if (rc != OPT_EXIT_OK)
			fail_msg("case %zu (%s): returned %d, want OPT_EXIT_OK", i,
				 cases[i].argv[0], rc);
		if (strstr(out, cases[i].want) == NULL)
			fail_msg("case %zu: stdout \"%s\" lacks \"%s\"", i, out, cases[i].want);
		free(out);
	}
}

/* Every option in the table is listed in the usage text. */
static void test_usage_lists_every_option(void **state)
{
	static const char *const names[] = {
		"-p, --ports",
		"--top-ports",
		"-iL, --input-list",
		"--exclude ",
		"--exclude-file",
		"--rate",
		"--seed",
		"--shard",
		"--retries",
		"--wait",
		"--interface, -e",
		"--source-ip, -S",
		"--source-port",
		"--gateway-mac, --router-mac",
		"-oJ, --output-json",
		"-oL, --output-list",
		"--open",
		"--no-status",
		"--help, -h",
		"--version, -V",
	};
	static const char *const argv[] = { "--help", NULL };
	int rc;
	char *out = parse_capturing_stdout(argv, &rc);

	(void)state;
	assert_int_equal(rc, OPT_EXIT_OK);
	for (size_t i = 0; i < NELEM(names); i++) {
		if (strstr(out, names[i]) == NULL)
			fail_msg("usage lacks \"%s\"", names[i]);
	}
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_invocations_set_exact_fields),
		cmocka_unit_test(test_defaults_are_polite_and_scan_top_100),
		cmocka_unit_test(test_bad_invocations_fail_with_one_line_error),
		cmocka_unit_test(test_option_errors_name_the_mistake),
		cmocka_unit_test(test_parses_start_afresh),
		cmocka_unit_test(test_error_is_truncated_to_buffer),
		cmocka_unit_test(test_shard_from_env),
		cmocka_unit_test(test_help_and_version_exit_ok),
		cmocka_unit_test(test_usage_lists_every_option),
	};

	return cmocka_run_group_tests(tests, make_files, remove_files);
}
