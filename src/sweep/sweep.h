/*
 * sweep.h — what `portus merge` and `portus diff` share: loading lists of
 * result files, putting a result set in address order without duplicates,
 * and writing an output file whole or not at all.
 */
#ifndef PORTUS_SWEEP_H
#define PORTUS_SWEEP_H

#include <stdio.h>

#include "result_file.h"

/*
 * Loads each file of a comma-separated list ("a.json,b.json"; "-" = stdin)
 * into rs. Returns 0, or -1 with err (an empty list or name is an error).
 */
int sweep_load_list(struct result_set *rs, const char *list, char *err, size_t errlen);

/*
 * Sorts rs and removes duplicates, in place:
 *  - ports by (ip, port); of several records for one target the most
 *    definite state wins (open > closed > filtered: an answer beats
 *    silence), then the earliest;
 *  - hosts by ip; one ARP record per address (up beats down, then the
 *    earliest) and one "all-ports-open" record per address;
 *  - tls by (ip, port, sni), the earliest record of each kept;
 *  - resolve records by (hostname, case-insensitive; family), the earliest
 *    of each kept (every shard resolves the same names).
 * Summaries and the names map are left as they are.
 */
void sweep_normalize(struct result_set *rs);

/*
 * The port record of (ip, port) in a normalized set, or with port -1 the
 * first record of ip (its lowest port); NULL when there is none. The records
 * of one address follow each other (rs_port_addr_cmp).
 */
const struct rs_port *sweep_find_port(const struct result_set *rs, ip_addr ip, int port);

/* The (hostname, family) order of sweep_normalize. */
int sweep_resolve_cmp(const struct rs_resolve *a, const struct rs_resolve *b);

/* The (ip, port, sni) order of sweep_normalize; NULL sni first. */
int sweep_tls_cmp(const struct rs_tls *a, const struct rs_tls *b);

/* When the scan began: the earliest summary start, else the earliest record
 * time, else 0. */
int64_t sweep_scan_start(const struct result_set *rs);

/*
 * An output file written whole or not at all: "-" is stdout; a path that
 * is not a regular file (/dev/null, a FIFO) is written in place; otherwise
 * PATH.tmp is written and renamed over PATH by sweep_out_close(.., 1).
 */
struct sweep_out {
	FILE *fp;
	const char *path;
	char *tmp; /* owned, NULL for stdout */
};

int sweep_out_open(struct sweep_out *o, const char *path, char *err, size_t errlen);
/* commit 0 discards the file. Returns 0, or -1 with err on a write error. */
int sweep_out_close(struct sweep_out *o, int commit, char *err, size_t errlen);

#endif
