/*
 * resolve.h — host names to addresses, many at once, with c-ares.
 *
 * Each name is looked up with ares_getaddrinfo through the system's resolver
 * configuration, as c-ares reads it by default: /etc/resolv.conf (servers,
 * search, ndots) and /etc/hosts first ("lookup file bind"; `ip netns exec`
 * bind-mounts /etc/netns/NS/resolv.conf and hosts over them). With both
 * families wanted, the A and AAAA queries of a name go out together. Up to
 * `concurrency` names are in flight at once on one channel; the next starts
 * as soon as one finishes, so N names take about N / concurrency round trips,
 * never N in series.
 *
 * Time bound: each query waits timeout_ms for its first try; c-ares retries
 * (retries more tries) and doubles the wait each round, so one name takes at
 * most timeout_ms * (2^(retries+1) - 1) per server in resolv.conf.
 */
#ifndef PORTUS_RESOLVE_H
#define PORTUS_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define DEFAULT_RESOLVE_TIMEOUT_MS 1000
#define DEFAULT_RESOLVE_RETRIES 2u
#define DEFAULT_RESOLVE_CONCURRENCY 256u

/* Which address families a run wants (-4, -6, neither). */
enum resolve_family { RESOLVE_BOTH = 0, RESOLVE_V4 = 4, RESOLVE_V6 = 6 };

struct resolve_opts {
	enum resolve_family family;
	int timeout_ms;       /* first try of each query, >= 1 */
	unsigned retries;     /* tries after the first */
	unsigned concurrency; /* names in flight at once, >= 1 */
};

enum resolve_status {
	RES_OK = 0,   /* at least one address of a wanted family */
	RES_NXDOMAIN, /* the name does not exist */
	RES_NODATA,   /* the name exists but has no address of a wanted family */
	RES_SERVFAIL, /* the servers failed: SERVFAIL (c-ares 1.18 reports REFUSED,
			* NOTIMP and unreachable servers the same way) */
	RES_REFUSED,  /* the server refused the query (c-ares versions that say so) */
	RES_TIMEOUT,  /* no answer within the tries */
	RES_ERROR,    /* anything else; see detail */
};

/* "NXDOMAIN", "NODATA", "SERVFAIL", "REFUSED", "TIMEOUT", "ERROR"; "OK" for RES_OK. */
const char *resolve_status_name(enum resolve_status s);

struct resolve_result {
	enum resolve_status status;
	ip_addr *addrs; /* owned; distinct, in the resolver's order; NULL when none */
	size_t naddrs;
	char detail[64]; /* c-ares's words for RES_ERROR, else "" */
	int64_t time_us; /* wall clock when the answer or failure came, Unix microseconds */
};

struct resolve_stats {
	int64_t elapsed_us;     /* from the first query to the last answer */
	unsigned max_in_flight; /* most names in flight at once */
	size_t ok, failed;      /* names with RES_OK / any other status */
};

/*
 * Resolves names[0..n) (NUL-terminated, borrowed for the call) into out[0..n)
 * (caller-allocated, filled in the same order; release with
 * resolve_results_free). A name that does not resolve is a status in its
 * result, not a failure of the call. Returns 0, or -1 with err when the
 * resolver cannot be set up at all (c-ares initialisation, out of memory);
 * out is then fully released. stats may be NULL.
 */
int resolve_names(const char *const *names, size_t n, const struct resolve_opts *o,
		  struct resolve_result *out, struct resolve_stats *stats, char *err,
		  size_t errlen);

/* Frees the addresses of out[0..n); the array itself stays the caller's. */
void resolve_results_free(struct resolve_result *out, size_t n);

#endif
