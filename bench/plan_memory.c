/*
 * plan_memory.c — the scan's per-target memory at full scale, no network
 * (issue 5, "Scale": a full-IPv4 single-port plan must fit in ~1.1 GiB).
 *
 * Builds the real target plan (plan_init over an ip_set parsed the way the
 * command line's targets are, 0.0.0.0/0 by default) and the real state table
 * (table_init over plan.n), then raises one cell in every 4 KiB page of the
 * table, in the scan's probe order by page (a permutation), the way replies
 * spread over a large scan make every page resident. It reports the bytes the
 * two structures allocated (the summary's plan_bytes / table_bytes), the
 * process's resident peak (VmHWM) before and after, and the time of each
 * step, including the end-of-scan count over the whole table.
 *
 * Checks (exit 1 on any difference): plan.n = addresses x ports; the last
 * index decodes to the last address and port and encodes back; every raised
 * cell reads back and table_count finds exactly the raised cells; the peak
 * RSS covers the table (every page really became resident).
 *
 * Usage: plan_memory [--targets LIST] [--ports SPEC] [--all]
 *   --all  raise every cell instead of one per page (a scan in which every
 *          target answered: the same memory, the CPU cost of 2^32 raises).
 * Build and run: bench/scale.sh --memory-only (or see bench/README.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipset.h"
#include "permute.h"
#include "plan.h"
#include "ports.h"
#include "portus.h"
#include "table.h"

#define PAGE 4096u
#define CELLS_PER_PAGE (PAGE * 4u) /* 2 bits a cell */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A "Vm...:  N kB" line of /proc/self/status, in bytes; 0 if absent. */
static uint64_t vm_status(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	uint64_t kb = 0;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			kb = strtoull(line + klen + 1, NULL, 10);
			break;
		}
	fclose(fp);
	return kb * 1024;
}

static void mib(const char *what, uint64_t bytes)
{
	printf("%-28s %15" PRIu64 " B = %10.1f MiB\n", what, bytes, (double)bytes / 1048576.0);
}

static int fail(const char *msg)
{
	fprintf(stderr, "plan_memory: FAIL: %s\n", msg);
	return 1;
}

int main(int argc, char **argv)
{
	const char *targets = "0.0.0.0/0", *portspec = "80";
	char err[PORTUS_ERRLEN];
	struct ip_set set;
	struct port_list ports;
	struct plan pl;
	struct state_table t;
	struct permute pm;
	uint64_t raised = 0, pages, hwm0, hwm1, last_i, back, counted, pb, tb;
	ip_addr ip;
	uint16_t port;
	int all = 0;
	double t0, t_plan, t_table, t_touch, t_count;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--targets") == 0 && i + 1 < argc) {
			targets = argv[++i];
		} else if (strcmp(argv[i], "--ports") == 0 && i + 1 < argc) {
			portspec = argv[++i];
		} else if (strcmp(argv[i], "--all") == 0) {
			all = 1;
		} else {
			fprintf(stderr,
				"usage: plan_memory [--targets LIST] [--ports SPEC] [--all]\n");
			return 2;
		}
	}
	ipset_init(&set);
	ports_init(&ports);
	if (ipset_add_list(&set, targets, err, sizeof(err)) != 0 ||
	    ports_parse(&ports, portspec, err, sizeof(err)) != 0) {
		fprintf(stderr, "plan_memory: %s\n", err);
		return 2;
	}
	ipset_normalize(&set);
	hwm0 = vm_status("VmHWM");

	t0 = now_s();
	if (plan_init(&pl, &set, &ports, err, sizeof(err)) != 0) {
		fprintf(stderr, "plan_memory: %s\n", err);
		return 1;
	}
	t_plan = now_s() - t0;
	t0 = now_s();
	if (table_init(&t, pl.n) != 0)
		return fail("table_init: out of memory");
	t_table = now_s() - t0;

	/* One cell per page, pages visited in a keyed random order (a scan's
	 * replies arrive in probe order, not address order). */
	pages = (pl.n + CELLS_PER_PAGE - 1) / CELLS_PER_PAGE;
	permute_init(&pm, pages, 42);
	t0 = now_s();
	if (all) {
		for (uint64_t i = 0; i < pl.n; i++)
			raised += (uint64_t)table_raise(&t, i, PS_FILTERED);
	} else {
		for (uint64_t p = 0; p < pages; p++)
			raised += (uint64_t)table_raise(&t, permute_at(&pm, p) * CELLS_PER_PAGE,
							PS_FILTERED);
	}
	t_touch = now_s() - t0;
	t0 = now_s();
	counted = table_count(&t, PS_FILTERED);
	t_count = now_s() - t0;
	hwm1 = vm_status("VmHWM");

	pb = plan_bytes(&pl);
	tb = table_bytes(pl.n);
	printf("targets %s x ports %s: %" PRIu64 " addresses in %zu range%s x %u port%s = %" PRIu64
	       " targets\n",
	       targets, portspec, pl.nhosts, pl.nranges, pl.nranges == 1 ? "" : "s", pl.nports,
	       pl.nports == 1 ? "" : "s", pl.n);
	mib("plan_bytes", pb);
	mib("table_bytes", tb);
	mib("plan + table", pb + tb);
	mib("VmHWM before the plan", hwm0);
	mib("VmHWM after touching", hwm1);
	mib("VmHWM growth", hwm1 - hwm0);
	printf("%-28s %15.3f B\n", "table bytes per target", (double)tb / (double)pl.n);
	printf("%-28s %15.3f B\n", "RSS growth per target", (double)(hwm1 - hwm0) / (double)pl.n);
	printf("time: plan_init %.3f ms, table_init %.3f ms, %s %" PRIu64 " cells %.3f s, "
	       "table_count %.3f s\n",
	       t_plan * 1e3, t_table * 1e3, all ? "raising all" : "raising one per page of",
	       all ? pl.n : pages, t_touch, t_count);

	/* The checks: nothing above counts unless these hold. */
	if (pl.n != pl.nhosts * pl.nports || pl.nhosts != ipset_count(&set))
		return fail("plan.n is not addresses x ports");
	last_i = pl.n - 1;
	plan_decode(&pl, last_i, &ip, &port);
	if (!addr_eq(ip, set.r[set.n - 1].last) || port != ports.ports[ports.n - 1])
		return fail("the last index does not decode to the last address and port");
	if (plan_encode(&pl, ip, port, &back) != 0 || back != last_i)
		return fail("the last address and port do not encode to the last index");
	if (raised != (all ? pl.n : pages) || counted != raised)
		return fail("table_count differs from the cells raised");
	/* Every page was written: the resident peak must hold the table (a small
	 * table may sit in heap pages that were resident before). */
	if (tb >= (64u << 20) && hwm1 - hwm0 < tb - tb / 100)
		return fail("VmHWM grew by less than the table: pages were not all touched");
	printf("ok: %" PRIu64 " cells raised and counted back, decode/encode of the last index, "
	       "VmHWM covers the table\n",
	       raised);

	table_free(&t);
	plan_free(&pl);
	ports_free(&ports);
	ipset_free(&set);
	return 0;
}
