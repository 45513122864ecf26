/* sweep.c — loading, ordering and writing for merge and diff (sweep.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan_record.h"
#include "sweep/portsort.h"
#include "sweep/sweep.h"

int sweep_load_list(struct result_set *rs, const char *list, char *err, size_t errlen)
{
	char *copy = strdup(list), *p, *comma;
	int r = 0;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (p = copy; r == 0; p = comma + 1) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		if (*p == '\0') {
			snprintf(err, errlen, "empty file name in \"%s\"", list);
			r = -1;
		} else {
			r = results_load(rs, p, err, errlen);
		}
		if (comma == NULL)
			break;
	}
	free(copy);
	return r;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* All-ports-open records are a second, separate host record (scan_record.h). */
static int host_kind(const struct rs_host *h)
{
	return h->reason == R_ALL_PORTS_OPEN;
}

static int cmp_host(const void *pa, const void *pb)
{
	const struct rs_host *a = pa, *b = pb;
	int c;

	if ((c = addr_order(a->ip, b->ip)) || (c = host_kind(a) - host_kind(b)) ||
	    (c = (int)b->up - (int)a->up))
		return c;
	return (a->time_us > b->time_us) - (a->time_us < b->time_us);
}

int sweep_tls_cmp(const struct rs_tls *a, const struct rs_tls *b)
{
	int c;

	if ((c = addr_order(a->ip, b->ip)) || (c = cmp_u64(a->port, b->port)))
		return c;
	if (a->sni == NULL || b->sni == NULL)
		return (a->sni != NULL) - (b->sni != NULL);
	return strcmp(a->sni, b->sni);
}

static int cmp_tls(const void *pa, const void *pb)
{
	const struct rs_tls *a = pa, *b = pb;
	int c = sweep_tls_cmp(a, b);

	if (c)
		return c;
	return (a->time_us > b->time_us) - (a->time_us < b->time_us);
}

int sweep_resolve_cmp(const struct rs_resolve *a, const struct rs_resolve *b)
{
	int c = strcasecmp(a->hostname, b->hostname);

	return c ? c : strcmp(a->family, b->family);
}

static int cmp_resolve(const void *pa, const void *pb)
{
	const struct rs_resolve *a = pa, *b = pb;
	int c = sweep_resolve_cmp(a, b);

	if (c)
		return c;
	if (a->time_us != b->time_us)
		return (a->time_us > b->time_us) - (a->time_us < b->time_us);
	return strcmp(a->hostname, b->hostname); /* same time: one answer whatever the order */
}

/*
 * The IPv6 pool in address order, and the records' indexes with it, so that
 * comparing (rank, addr) is comparing addresses. Without memory for the remap
 * the pool stays as it is and the sort below is by pool order: still
 * grouped by address (what merge and diff need), only IPv6 addresses not
 * ascending — so that is said.
 */
static void sort_addr6(struct result_set *rs)
{
	uint32_t *remap;

	if (rs->addr6.n == 0)
		return;
	if (addrpool_sort(&rs->addr6, &remap) != 0) {
		fprintf(stderr, "portus: warning: out of memory: IPv6 addresses not in order\n");
		return;
	}
	for (size_t i = 0; i < rs->nports; i++)
		if (rs->ports[i].v6)
			rs->ports[i].addr = remap[rs->ports[i].addr];
	free(remap);
}

const struct rs_port *sweep_find_port(const struct result_set *rs, ip_addr ip, int port)
{
	struct rs_port key = { .port = port < 0 ? 0 : (uint16_t)port };
	size_t lo = 0, hi = rs->nports;

	if ((key.v6 = rs_v6_kind(ip)) == 0)
		key.addr = addr_v4(ip);
	else if (addrpool_find(&rs->addr6, ip, &key.addr) != 0)
		return NULL; /* no record of that address */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rs_port *p = &rs->ports[mid];
		int c = rs_port_addr_cmp(p, &key);

		if (c < 0 || (c == 0 && p->port < key.port))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == rs->nports || rs_port_addr_cmp(&rs->ports[lo], &key) != 0 ||
	    (port >= 0 && rs->ports[lo].port != key.port))
		return NULL;
	return &rs->ports[lo];
}

void sweep_normalize(struct result_set *rs)
{
	size_t i, n;

	sort_addr6(rs);
	portsort(rs->ports, rs->nports);
	for (i = n = 0; i < rs->nports; i++)
		if (n == 0 || rs_port_addr_cmp(&rs->ports[n - 1], &rs->ports[i]) != 0 ||
		    rs->ports[n - 1].port != rs->ports[i].port)
			rs->ports[n++] = rs->ports[i];
	rs->nports = n;

	if (rs->nhosts > 1)
		qsort(rs->hosts, rs->nhosts, sizeof(*rs->hosts), cmp_host);
	for (i = n = 0; i < rs->nhosts; i++)
		if (n == 0 || !addr_eq(rs->hosts[n - 1].ip, rs->hosts[i].ip) ||
		    host_kind(&rs->hosts[n - 1]) != host_kind(&rs->hosts[i]))
			rs->hosts[n++] = rs->hosts[i];
	rs->nhosts = n;

	if (rs->ntls > 1)
		qsort(rs->tls, rs->ntls, sizeof(*rs->tls), cmp_tls);
	for (i = n = 0; i < rs->ntls; i++) {
		if (n == 0 || sweep_tls_cmp(&rs->tls[n - 1], &rs->tls[i]) != 0)
			rs->tls[n++] = rs->tls[i];
		else
			rs_tls_free(&rs->tls[i]);
	}
	rs->ntls = n;

	if (rs->nresolves > 1)
		qsort(rs->resolves, rs->nresolves, sizeof(*rs->resolves), cmp_resolve);
	for (i = n = 0; i < rs->nresolves; i++) {
		if (n == 0 || sweep_resolve_cmp(&rs->resolves[n - 1], &rs->resolves[i]) != 0)
			rs->resolves[n++] = rs->resolves[i];
		else
			rs_resolve_free(&rs->resolves[i]);
	}
	rs->nresolves = n;
}

int64_t sweep_scan_start(const struct result_set *rs)
{
	int64_t t = INT64_MAX;

	for (size_t i = 0; i < rs->nsums; i++)
		if (rs->sums[i].start_us < t)
			t = rs->sums[i].start_us;
	if (t != INT64_MAX)
		return t;
	for (size_t i = 0; i < rs->nports; i++)
		if (rs->ports[i].time_us < t)
			t = rs->ports[i].time_us;
	for (size_t i = 0; i < rs->nhosts; i++)
		if (rs->hosts[i].time_us < t)
			t = rs->hosts[i].time_us;
	for (size_t i = 0; i < rs->ntls; i++)
		if (rs->tls[i].time_us < t)
			t = rs->tls[i].time_us;
	return t == INT64_MAX ? 0 : t;
}

int sweep_out_open(struct sweep_out *o, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	/* Not a regular file (/dev/null, a FIFO, a terminal): written to as it
	 * is. A rename over it would replace the device with a file. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->fp = fopen(path, "w")) == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (asprintf(&o->tmp, "%s.tmp", path) < 0) {
		o->tmp = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((o->fp = fopen(o->tmp, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", o->tmp, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	return 0;
}

int sweep_out_close(struct sweep_out *o, int commit, char *err, size_t errlen)
{
	int bad = ferror(o->fp) != 0;
	int r = 0;

	if (o->fp == stdout) {
		bad |= fflush(stdout) != 0;
	} else {
		bad |= fclose(o->fp) != 0;
		/* (tmp NULL: written in place, nothing to move) */
		if (o->tmp != NULL && (!commit || bad))
			unlink(o->tmp);
		else if (o->tmp != NULL && rename(o->tmp, o->path) != 0)
			bad = 1;
	}
	if (bad && commit) {
		snprintf(err, errlen, "%s: write failed: %s", o->path, strerror(errno));
		r = -1;
	}
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return r;
}
