/* resume.c — continuing an interrupted scan from its output (see include/resume.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "portus.h"
#include "resume.h"

static int cmp_addr(const void *a, const void *b)
{
	return addr_order(*(const ip_addr *)a, *(const ip_addr *)b);
}

static int cmp_endpoint(const void *a, const void *b)
{
	const struct resume_endpoint *x = a, *y = b;
	int c = addr_order(x->ip, y->ip);

	return c != 0 ? c : (x->port > y->port) - (x->port < y->port);
}

/* Seed and shard from the summaries, against the command line. */
static int settle_run(const struct resume_plan *rp, const char *spec, struct options *o, char *err,
		      size_t errlen)
{
	const struct result_set *rs = &rp->rs;
	const int user_shard = o->shard_n != 1 || o->shard_k != 1;

	if (rs->nsums == 0) {
		if (!o->seed_given) {
			portus_err(
				err, errlen,
				"--resume %s: no summary record (a killed run?): give the --seed "
				"(and --shard) of the interrupted run",
				spec);
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < rs->nsums; i++) {
		const struct rs_summary *s = &rs->sums[i];
		const char *f = rs->sum_files[i];

		if (!s->interrupted) {
			portus_err(err, errlen, "--resume: %s is a complete run: nothing to resume",
				   f);
			return -1;
		}
		if (s->seed != rs->sums[0].seed || s->shard_k != rs->sums[0].shard_k ||
		    s->shard_n != rs->sums[0].shard_n) {
			portus_err(err, errlen,
				   "--resume: %s and %s are parts of different scans "
				   "(seed or shard differ)",
				   rs->sum_files[0], f);
			return -1;
		}
	}
	if (o->seed_given && o->seed != rs->sums[0].seed) {
		portus_err(err, errlen,
			   "--resume: the interrupted run used --seed %" PRIu64 ", not %" PRIu64,
			   rs->sums[0].seed, o->seed);
		return -1;
	}
	if (user_shard &&
	    (o->shard_k != rs->sums[0].shard_k || o->shard_n != rs->sums[0].shard_n)) {
		portus_err(err, errlen, "--resume: the interrupted run was shard %u/%u, not %u/%u",
			   rs->sums[0].shard_k, rs->sums[0].shard_n, o->shard_k, o->shard_n);
		return -1;
	}
	o->seed = rs->sums[0].seed;
	o->seed_given = 1;
	o->shard_k = rs->sums[0].shard_k;
	o->shard_n = rs->sums[0].shard_n;
	return 0;
}

static int index_records(struct resume_plan *rp, char *err, size_t errlen)
{
	const struct result_set *rs = &rp->rs;
	size_t n = 0;

	rp->hosts_done = malloc((rs->nhosts ? rs->nhosts : 1) * sizeof(*rp->hosts_done));
	rp->tls_done = malloc((rs->ntls ? rs->ntls : 1) * sizeof(*rp->tls_done));
	if (rp->hosts_done == NULL || rp->tls_done == NULL) {
		portus_err(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < rs->nhosts; i++)
		rp->hosts_done[i] = rs->hosts[i].ip;
	if (rs->nhosts > 0)
		qsort(rp->hosts_done, rs->nhosts, sizeof(*rp->hosts_done), cmp_addr);
	for (size_t i = 0; i < rs->nhosts; i++)
		if (n == 0 || !addr_eq(rp->hosts_done[n - 1], rp->hosts_done[i]))
			rp->hosts_done[n++] = rp->hosts_done[i];
	rp->nhosts_done = n;
	for (size_t i = 0; i < rs->ntls; i++) {
		rp->tls_done[i].ip = rs->tls[i].ip;
		rp->tls_done[i].port = rs->tls[i].port;
	}
	rp->ntls_done = rs->ntls;
	if (rp->ntls_done > 0)
		qsort(rp->tls_done, rp->ntls_done, sizeof(*rp->tls_done), cmp_endpoint);
	return 0;
}

int resume_load(struct resume_plan *rp, const char *spec, struct options *o, char *err,
		size_t errlen)
{
	const char *p = spec;

	memset(rp, 0, sizeof(*rp));
	results_init(&rp->rs);
	if (*spec == '\0') {
		portus_err(err, errlen, "--resume: empty file name");
		return -1;
	}
	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char path[4096];

		if (len == 0 || len >= sizeof(path)) {
			portus_err(err, errlen,
				   "--resume %s: empty or overlong file name in the list", spec);
			return -1;
		}
		memcpy(path, p, len);
		path[len] = '\0';
		if (results_load(&rp->rs, path, err, errlen) != 0)
			return -1;
		p += len;
		if (*p == ',')
			p++;
	}
	if (settle_run(rp, spec, o, err, errlen) != 0)
		return -1;
	return index_records(rp, err, errlen);
}

int resume_check_plan(const struct resume_plan *rp, const struct plan *pl, char *err, size_t errlen)
{
	uint64_t idx;
	char ip[ADDR_STR_MAX];

	for (size_t i = 0; i < rp->rs.nports; i++) {
		const struct rs_port *r = &rp->rs.ports[i];
		ip_addr rip = rs_port_ip(&rp->rs, r);

		if (plan_encode(pl, rip, r->port, &idx) != 0) {
			int v6 = !addr_is_v4(rip);

			addr_to_str(rip, ip);
			/* ADDRESS:PORT, an IPv6 address in brackets (RFC 3986). */
			portus_err(
				err, errlen,
				"--resume: %s%s%s:%u is not in this scan's targets and ports: resume "
				"with the interrupted run's target and port options",
				v6 ? "[" : "", ip, v6 ? "]" : "", (unsigned)r->port);
			return -1;
		}
	}
	return 0;
}

int resume_tls_done(const struct resume_plan *rp, ip_addr ip, uint16_t port)
{
	struct resume_endpoint key = { .ip = ip, .port = port };

	return rp->ntls_done > 0 &&
	       bsearch(&key, rp->tls_done, rp->ntls_done, sizeof(key), cmp_endpoint) != NULL;
}

void resume_free(struct resume_plan *rp)
{
	results_free(&rp->rs);
	free(rp->hosts_done);
	free(rp->tls_done);
	memset(rp, 0, sizeof(*rp));
}
