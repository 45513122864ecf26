/*
 * resolve_names.c — resolves the names in FILE (one per line) with
 * resolve_names() (src/resolve.c) and prints the wall time, names per
 * second, the most names in flight and how many resolved. Run by
 * bench/resolve_names.sh inside a namespace whose resolver is a lab dnsmasq.
 *
 *   resolve_names FILE [CONCURRENCY [TIMEOUT_MS [RETRIES]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portus.h"
#include "resolve.h"

int main(int argc, char **argv)
{
	struct resolve_opts o = { RESOLVE_BOTH, DEFAULT_RESOLVE_TIMEOUT_MS, DEFAULT_RESOLVE_RETRIES,
				  DEFAULT_RESOLVE_CONCURRENCY };
	struct resolve_stats st;
	struct resolve_result *out;
	char **names = NULL, line[512], err[PORTUS_ERRLEN];
	size_t n = 0, cap = 0, addrs = 0;
	FILE *fp;

	if (argc < 2 || (fp = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: resolve_names FILE [CONCURRENCY [TIMEOUT_MS [RETRIES]]]\n");
		return 2;
	}
	if (argc > 2)
		o.concurrency = (unsigned)atoi(argv[2]);
	if (argc > 3)
		o.timeout_ms = atoi(argv[3]);
	if (argc > 4)
		o.retries = (unsigned)atoi(argv[4]);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (n == cap &&
		    (names = realloc(names, (cap = cap ? cap * 2 : 1024) * sizeof(*names))) == NULL)
			return 1;
		names[n++] = strdup(line);
	}
	fclose(fp);
	if ((out = calloc(n, sizeof(*out))) == NULL)
		return 1;
	if (resolve_names((const char *const *)names, n, &o, out, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "resolve_names: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		addrs += out[i].naddrs;
	printf("names %zu  resolved %zu  failed %zu  addresses %zu  wall %.3f s  %.0f names/s  "
	       "max in flight %u (concurrency %u; A+AAAA: 2 queries each)\n",
	       n, st.ok, st.failed, addrs, (double)st.elapsed_us / 1e6,
	       st.elapsed_us > 0 ? (double)n * 1e6 / (double)st.elapsed_us : 0.0, st.max_in_flight,
	       o.concurrency);
	resolve_results_free(out, n);
	free(out);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}
