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
#include <time.h>
#include <unistd.h>

#include "ipset.h"
#include "json.h"
#include "netroute.h"
#include "options.h"
#include "plan.h"
#include "portus.h"
#include "scan.h"
#include "writer.h"

extern const char portus_default_exclude[];

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
#define MAX_WRITERS 4
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
	if (o->targets.n == 0) {
		portus_err(err, errlen, "%s",
			   o->exclude_file_given
				   ? "every target is excluded (--exclude/--exclude-file)"
				   : "every target is excluded by the built-in exclude list of reserved "
				     "ranges (data/exclude.conf); pass --exclude-file FILE to replace it");
		return -1;
	}
	return 0;
}

/* The scanner cannot probe its own address through its own interface. */
static int drop_own_address(struct options *o, uint32_t own, char *err, size_t errlen)
{
	struct ip_set self;
	char ip[16];
	int r;

	if (!ipset_contains(&o->targets, own))
		return 0;
	ip_to_str(own, ip);
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

static size_t open_writers(const struct options *o, struct writer **w, char *err, size_t errlen)
{
	size_t n = 0;
	int stdout_taken = 0;

	if (o->out_json) {
		if ((w[n] = writer_ndjson_open(o->out_json, o->open_only, err, errlen)) == NULL)
			goto fail;
		stdout_taken |= strcmp(o->out_json, "-") == 0;
		n++;
	}
	if (o->out_list) {
		if ((w[n] = writer_list_open(o->out_list, err, errlen)) == NULL)
			goto fail;
		stdout_taken |= strcmp(o->out_list, "-") == 0;
		n++;
	}
	if (!stdout_taken) {
		if ((w[n] = writer_text_open(stdout, o->open_only, err, errlen)) == NULL)
			goto fail;
		n++;
	}
	return n;
fail:
	while (n > 0) {
		n--;
		w[n]->ops->close(w[n]);
	}
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
	size_t nw;
	int rc, status = 0;

	rc = options_parse(argc, argv, &o, err, sizeof(err));
	if (rc == OPT_EXIT_OK)
		return 0;
	if (rc == OPT_ERROR) {
		fprintf(stderr, "portus: %s\n", err);
		return EXIT_USAGE;
	}
	if (!o.seed_given && getrandom(&o.seed, sizeof(o.seed), 0) != sizeof(o.seed))
		o.seed = (uint64_t)getpid() ^ (uint64_t)time(NULL);
	/* A random seed is kept to 53 bits so JSON readers (doubles) and SIEM
	 * long fields record it exactly; it is what a shard or resume re-uses. */
	if (!o.seed_given)
		o.seed &= (UINT64_C(1) << 53) - 1;
	if (build_targets(&o, err, sizeof(err)) != 0)
		goto usage_error;
	ov.ifname = o.ifname;
	ov.source_ip = o.source_ip;
	ov.gateway_mac = o.gateway_mac_given ? o.gateway_mac : NULL;
	if (netroute_resolve(&o.targets, &ov, &np, err, sizeof(err)) != 0)
		goto usage_error;
	if (drop_own_address(&o, np.src_ip, err, sizeof(err)) != 0)
		goto usage_error;
	if (plan_init(&pl, &o.targets, &o.ports, err, sizeof(err)) != 0)
		goto usage_error;
	nw = open_writers(&o, writers, err, sizeof(err));
	if (nw == 0) {
		plan_free(&pl);
		goto usage_error;
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
	return status;
usage_error:
	fprintf(stderr, "portus: %s\n", err);
	options_free(&o);
	return EXIT_USAGE;
}
