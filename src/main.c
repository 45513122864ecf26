/*
 * main.c — portus: parse the command line, build the plan, resolve the path,
 * open the writers, scan, and report. Exit status: 0 done, 1 runtime failure,
 * 2 bad input (nothing sent), 130 interrupted (results so far written).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ipset.h"
#include "json.h"
#include "netroute.h"
#include "options.h"
#include "plan.h"
#include "portus.h"
#include "resume.h"
#include "scan.h"
#include "subcommands.h"
#include "targets_names.h"
#include "writer.h"

extern const char portus_default_exclude[];

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
#define MAX_WRITERS 8
#define LARGE_SCAN_ADDRESSES (UINT64_C(1) << 24)

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&portus_interrupted, 1);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* targets := normalize(targets) - excludes. Returns 0 or -1 with err. */
static int build_targets(struct options *o, char *err, size_t errlen)
{
	if (!o->exclude_file_given &&
	    ipset_add_text(&o->excludes, portus_default_exclude, strlen(portus_default_exclude),
			   "built-in exclude list", err, errlen) != 0)
		return -1;
	ipset_normalize(&o->targets);
	ipset_normalize(&o->excludes);
	/* Safety of others: a huge sweep with every reserved and private range
	 * included is almost always a mistake, so it needs saying twice. */
	if (o->excludes.n == 0 && !o->allow_no_exclude &&
	    ipset_count(&o->targets) > LARGE_SCAN_ADDRESSES) {
		portus_err(err, errlen,
			   "%llu addresses with an empty exclude list: give an --exclude-file of "
			   "ranges not to touch, or --allow-no-exclude",
			   (unsigned long long)ipset_count(&o->targets));
		return -1;
	}
	if (ipset_subtract(&o->targets, &o->excludes) != 0) {
		portus_err(err, errlen, "out of memory");
		return -1;
	}
	targets_note_excluded(o);
	if (o->targets.n == 0) {
		portus_err(
			err, errlen, "%s",
			o->exclude_file_given
				? "every target is excluded (--exclude/--exclude-file)"
				: "every target is excluded by the built-in exclude list of reserved "
				  "ranges (data/exclude.conf); pass --exclude-file FILE to replace it");
		return -1;
	}
	return 0;
}

/* The scanner cannot probe its own address through its own interface. */
static int drop_own_address(struct options *o, ip_addr own, char *err, size_t errlen)
{
	struct ip_set self;
	char ip[ADDR_STR_MAX];
	int r;

	if (addr_is_zero(own) || !ipset_contains(&o->targets, own))
		return 0;
	addr_to_str(own, ip);
	fprintf(stderr, "portus: skipping %s: it is the scanner's own address\n", ip);
	ipset_init(&self);
	r = ipset_add_range(&self, own, own) == 0 ? ipset_subtract(&o->targets, &self) : -1;
	ipset_free(&self);
	if (r != 0) {
		portus_err(err, errlen, "out of memory");
		return -1;
	}
	if (o->targets.n == 0) {
		portus_err(err, errlen, "no targets left after skipping the scanner's own address");
		return -1;
	}
	return 0;
}

/* A secret on the command line is not repeated into output files. */
static const char *shown_arg(char **argv, int i)
{
	if (i > 0 && strcmp(argv[i - 1], "--hec-token") == 0)
		return "REDACTED";
	if (strncmp(argv[i], "--hec-token=", 12) == 0)
		return "--hec-token=REDACTED";
	return argv[i];
}

/* Words of the command line joined by spaces (secrets redacted), for nmap's args=. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		len += strlen(shown_arg(argv, i)) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	p = s;
	for (int i = 0; i < argc; i++) {
		const char *a = shown_arg(argv, i);
		size_t n = strlen(a);
		memcpy(p, a, n);
		p += n;
		*p++ = i + 1 < argc ? ' ' : '\0';
	}
	if (argc == 0)
		*p = '\0';
	return s;
}

static void fill_run_info(struct run_info *ri, const struct options *o, const struct plan *pl,
			  const struct net_path *np, const char *args)
{
	memset(ri, 0, sizeof(*ri));
	ri->start_us = wall_us();
	ri->seed = o->seed;
	ri->shard_k = o->shard_k;
	ri->shard_n = o->shard_n;
	ri->hosts = pl->nhosts;
	ri->targets = pl->n > o->shard_k - 1
			      ? (pl->n - (o->shard_k - 1) + o->shard_n - 1) / o->shard_n
			      : 0;
	ri->ports = &o->ports;
	ri->scanner_ip = np->src_ip;
	ri->scanner_ip6 = np->src_ip6;
	memcpy(ri->scanner_mac, np->src_mac, sizeof(ri->scanner_mac));
	snprintf(ri->ifname, sizeof(ri->ifname), "%s", np->ifname);
	if (gethostname(ri->hostname, sizeof(ri->hostname)) != 0)
		ri->hostname[0] = '\0';
	ri->hostname[sizeof(ri->hostname) - 1] = '\0';
	ri->args = args;
	ri->open_only = o->open_only;
	ri->retries = o->retries;
	ri->rate = o->rate;
}

static int is_stdout(const char *path)
{
	return path != NULL && strcmp(path, "-") == 0;
}

static int writes_stdout(const struct options *o)
{
	return is_stdout(o->out_json) || is_stdout(o->out_list) || is_stdout(o->out_xml) ||
	       is_stdout(o->out_grep);
}

static struct writer *open_record_writer(const struct options *o, const struct run_info *ri,
					 char *err, size_t errlen)
{
	switch ((enum record_format)o->format) {
	case FMT_ECS:
		return writer_ecs_open(o->out_json, ri, err, errlen);
	case FMT_HEC:
		return writer_hec_open(o->out_json, ri, err, errlen);
	case FMT_CEF:
		return writer_cef_open(o->out_json, ri, err, errlen);
	case FMT_NATIVE:
	default:
		return writer_ndjson_open(o->out_json, o->open_only, err, errlen);
	}
}

/* Output files this run created, removed again when a later writer cannot
 * open: a run that fails before it starts leaves no half-written file behind.
 * Only paths that did not exist before are ever removed (never a device such
 * as /dev/null, never a file the user already had). */
struct created {
	const char *path[MAX_WRITERS];
	size_t n;
};

static int path_exists(const char *path)
{
	struct stat st;

	return path != NULL && !is_stdout(path) && lstat(path, &st) == 0;
}

/* existed: what path_exists said before the writer opened it. */
static void note_created(struct created *c, const char *path, int existed)
{
	struct stat st;

	if (path == NULL || is_stdout(path) || existed || c->n >= MAX_WRITERS)
		return;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		c->path[c->n++] = path;
}

static size_t open_writers(const struct options *o, const struct run_info *ri, struct writer **w,
			   char *err, size_t errlen)
{
	struct created made = { { NULL }, 0 };
	const int had_json = path_exists(o->out_json), had_list = path_exists(o->out_list);
	const int had_xml = path_exists(o->out_xml), had_grep = path_exists(o->out_grep);
	size_t n = 0;

	if (o->out_json && (w[n++] = open_record_writer(o, ri, err, errlen)) == NULL)
		goto fail;
	note_created(&made, o->out_json, had_json);
	if (o->out_list && (w[n++] = writer_list_open(o->out_list, err, errlen)) == NULL)
		goto fail;
	note_created(&made, o->out_list, had_list);
	if (o->out_xml && (w[n++] = writer_xml_open(o->out_xml, ri, err, errlen)) == NULL)
		goto fail;
	note_created(&made, o->out_xml, had_xml);
	if (o->out_grep && (w[n++] = writer_grepable_open(o->out_grep, ri, err, errlen)) == NULL)
		goto fail;
	note_created(&made, o->out_grep, had_grep);
	if (o->hec_url) {
		struct hec_target t = {
			.url = o->hec_url,
			.token = o->hec_token,
			.index = o->hec_index,
			.ca_file = o->ca_file,
			.insecure = o->hec_insecure,
		};
		if ((w[n++] = writer_hec_http_open(&t, ri, err, errlen)) == NULL)
			goto fail;
	}
	if (o->syslog_url && (w[n++] = writer_syslog_open(o->syslog_url, ri, err, errlen)) == NULL)
		goto fail;
	/* The terminal table unless some output already is stdout. */
	if (!writes_stdout(o) &&
	    (w[n++] = writer_text_open(stdout, o->open_only, err, errlen)) == NULL)
		goto fail;
	return n;
fail:
	n--; /* the slot that failed holds NULL */
	while (n > 0) {
		n--;
		w[n]->ops->close(w[n]);
	}
	for (size_t i = 0; i < made.n; i++)
		(void)unlink(made.path[i]);
	return 0;
}

int main(int argc, char **argv)
{
	char err[PORTUS_ERRLEN] = "";
	struct options o;
	struct plan pl;
	struct net_path np;
	struct net_overrides ov;
	struct writer *writers[MAX_WRITERS];
	struct run_summary sum;
	struct run_info ri;
	struct resume_plan rp;
	char *args = NULL;
	size_t nw;
	int rc, status = 0;

	if (argc > 1) {
		static const struct {
			const char *name;
			int (*run)(int, char **);
		} tools[] = {
			{ "merge", portus_merge_main },
			{ "diff", portus_diff_main },
			{ "report", portus_report_main },
		};
		for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
			if (strcmp(argv[1], tools[i].name) == 0)
				return tools[i].run(argc - 1, argv + 1);
	}
	rc = options_parse(argc, argv, &o, err, sizeof(err));
	if (rc == OPT_EXIT_OK)
		return 0;
	if (rc == OPT_ERROR) {
		fprintf(stderr, "portus: %s\n", err);
		return EXIT_USAGE;
	}
	memset(&rp, 0, sizeof(rp));
	if (o.resume_path != NULL) {
		if (resume_load(&rp, o.resume_path, &o, err, sizeof(err)) != 0)
			goto usage_error;
		o.resume = &rp;
	}
	if (!o.seed_given && getrandom(&o.seed, sizeof(o.seed), 0) != sizeof(o.seed))
		o.seed = (uint64_t)getpid() ^ (uint64_t)time(NULL);
	/* A random seed is kept to 53 bits so JSON readers (doubles) and SIEM
	 * long fields record it exactly; it is what a shard or resume re-uses. */
	if (!o.seed_given)
		o.seed &= (UINT64_C(1) << 53) - 1;
	/* Host names become addresses before the excludes apply to them. */
	if (targets_resolve(&o, err, sizeof(err)) != 0 || build_targets(&o, err, sizeof(err)) != 0)
		goto usage_error;
	ov.ifname = o.ifname;
	ov.source_ip = o.source_ip;
	ov.source_ip6 = o.source_ip6;
	ov.gateway_mac = o.gateway_mac_given ? o.gateway_mac : NULL;
	if (netroute_resolve(&o.targets, &ov, &np, err, sizeof(err)) != 0)
		goto usage_error;
	if ((np.has_v4 && drop_own_address(&o, addr_from_v4(np.src_ip), err, sizeof(err)) != 0) ||
	    (np.has_v6 && drop_own_address(&o, np.src_ip6, err, sizeof(err)) != 0))
		goto usage_error;
	if (plan_init(&pl, &o.targets, &o.ports, err, sizeof(err)) != 0)
		goto usage_error;
	if (o.resume != NULL && resume_check_plan(&rp, &pl, err, sizeof(err)) != 0) {
		plan_free(&pl);
		goto usage_error;
	}
	args = join_args(argc, argv);
	fill_run_info(&ri, &o, &pl, &np, args != NULL ? args : "portus");
	nw = open_writers(&o, &ri, writers, err, sizeof(err));
	if (nw == 0) {
		plan_free(&pl);
		free(args);
		goto usage_error;
	}
	if (targets_wrap_writers(&o, writers, nw) != 0 ||
	    targets_write_unresolved(&o, writers, nw) != 0) {
		fprintf(stderr, "portus: writing the names' records failed\n");
		status = EXIT_RUNTIME;
	}
	install_signals();
	if (scan_run(&o, &pl, &np, writers, nw, &sum, err, sizeof(err)) != 0) {
		fprintf(stderr, "portus: %s\n", err);
		status = EXIT_RUNTIME;
	} else if (sum.interrupted) {
		fprintf(stderr, "portus: interrupted; results found so far are written\n");
		status = EXIT_INTERRUPTED;
	}
	for (size_t i = 0; i < nw; i++)
		if (writers[i]->ops->close(writers[i]) != 0 && status == 0) {
			fprintf(stderr, "portus: writing results failed\n");
			status = EXIT_RUNTIME;
		}
	plan_free(&pl);
	options_free(&o);
	resume_free(&rp);
	free(args);
	return status;
usage_error:
	fprintf(stderr, "portus: %s\n", err);
	options_free(&o);
	if (o.resume_path != NULL)
		resume_free(&rp);
	return EXIT_USAGE;
}
