/*
 * resolve.c — many host names at once with c-ares (see include/resolve.h).
 *
 * One channel, a poll loop over the sockets c-ares reports through its
 * socket-state callback, and a window of at most `concurrency` names in
 * flight: a finished name starts the next, so the window stays full.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "portus.h"
#include "resolve.h"

#define MAX_SOCKS 64 /* c-ares opens one UDP socket per server, TCP only on truncation */

struct lookup;

struct resolver {
	ares_channel ch;
	const char *const *names;
	struct resolve_result *out;
	struct lookup *lk; /* one per name, so a callback knows its slot */
	size_t n, next, done;
	unsigned in_flight, max_in_flight, window;
	int failed; /* out of memory in a callback */
	struct pollfd fds[MAX_SOCKS];
	size_t nfds;
};

struct lookup {
	struct resolver *rv;
	size_t i;
};

const char *resolve_status_name(enum resolve_status s)
{
	static const char *const names[] = { "OK",      "NXDOMAIN", "NODATA", "SERVFAIL",
					     "REFUSED", "TIMEOUT",  "ERROR" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "ERROR";
}

static enum resolve_status from_ares(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return RES_OK;
	case ARES_ENOTFOUND:
		return RES_NXDOMAIN;
	case ARES_ENODATA:
		return RES_NODATA;
	case ARES_ESERVFAIL:
	case ARES_ECONNREFUSED:
		/* c-ares 1.18 ends a query whose every server answered SERVFAIL
		 * (or REFUSED, NOTIMP, or was unreachable) with ECONNREFUSED,
		 * "Could not contact DNS servers": the server failed. */
		return RES_SERVFAIL;
	case ARES_EREFUSED:
		return RES_REFUSED;
	case ARES_ETIMEOUT:
		return RES_TIMEOUT;
	default:
		return RES_ERROR;
	}
}

/* c-ares says which sockets to watch: keep fds in step with it. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolver *rv = data;
	size_t i;

	for (i = 0; i < rv->nfds && rv->fds[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < rv->nfds)
			rv->fds[i] = rv->fds[--rv->nfds];
		return;
	}
	if (i == rv->nfds) {
		if (rv->nfds == MAX_SOCKS)
			return; /* never with one channel's few sockets; c-ares times the query out */
		rv->nfds++;
	}
	rv->fds[i].fd = fd;
	rv->fds[i].events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	rv->fds[i].revents = 0;
}

static int has_addr(const struct resolve_result *r, ip_addr a)
{
	for (size_t i = 0; i < r->naddrs; i++)
		if (addr_eq(r->addrs[i], a))
			return 1;
	return 0;
}

/* The addresses of one answer, without repeats (one per socket type otherwise). */
static int collect_addrs(struct resolve_result *r, const struct ares_addrinfo *ai)
{
	size_t cap = 0;

	for (const struct ares_addrinfo_node *nd = ai->nodes; nd != NULL; nd = nd->ai_next)
		cap++;
	if (cap == 0)
		return 0;
	if ((r->addrs = malloc(cap * sizeof(*r->addrs))) == NULL)
		return -1;
	r->naddrs = 0; /* has_addr reads only what this loop wrote */
	for (const struct ares_addrinfo_node *nd = ai->nodes; nd != NULL; nd = nd->ai_next) {
		ip_addr a;

		if (nd->ai_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)nd->ai_addr;

			a = addr_from_v4(ntohl(sin->sin_addr.s_addr));
		} else if (nd->ai_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const void *)nd->ai_addr;

			a = addr_from_bytes(sin6->sin6_addr.s6_addr);
		} else {
			continue;
		}
		if (!has_addr(r, a))
			r->addrs[r->naddrs++] = a;
	}
	return 0;
}

static void on_answer(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct lookup *lk = arg;
	struct resolver *rv = lk->rv;
	struct resolve_result *r = &rv->out[lk->i];

	(void)timeouts;
	r->time_us = wall_us();
	r->status = from_ares(status);
	if (status == ARES_SUCCESS && ai != NULL) {
		if (collect_addrs(r, ai) != 0)
			rv->failed = 1;
		if (r->naddrs == 0)
			r->status = RES_NODATA; /* only families we did not ask for */
	} else if (r->status == RES_ERROR) {
		snprintf(r->detail, sizeof(r->detail), "%s", ares_strerror(status));
	}
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	rv->in_flight--;
	rv->done++;
}

static int family_of(enum resolve_family f)
{
	return f == RESOLVE_V4 ? AF_INET : f == RESOLVE_V6 ? AF_INET6 : AF_UNSPEC;
}

/* Fills the window. A lookup answered from /etc/hosts calls back at once,
 * inside ares_getaddrinfo; the counters stay right either way. */
static void start_more(struct resolver *rv, const struct ares_addrinfo_hints *hints)
{
	while (rv->in_flight < rv->window && rv->next < rv->n) {
		struct lookup *lk = &rv->lk[rv->next];

		lk->rv = rv;
		lk->i = rv->next++;
		if (++rv->in_flight > rv->max_in_flight)
			rv->max_in_flight = rv->in_flight;
		ares_getaddrinfo(rv->ch, rv->names[lk->i], NULL, hints, on_answer, lk);
	}
}

/* Runs the channel until every name has its answer. */
static void run(struct resolver *rv, const struct ares_addrinfo_hints *hints)
{
	start_more(rv, hints);
	while (rv->done < rv->n) {
		struct timeval tv, *tvp = ares_timeout(rv->ch, NULL, &tv);
		int ms = tvp != NULL ? (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000)
				     : 1000;
		int got = poll(rv->fds, rv->nfds, ms);

		if (got < 0 && errno != EINTR)
			break; /* c-ares still times out what is pending below */
		if (got <= 0) {
			ares_process_fd(rv->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		} else {
			/* Copy first: processing may open or close sockets. */
			struct pollfd ready[MAX_SOCKS];
			size_t nready = rv->nfds;

			memcpy(ready, rv->fds, nready * sizeof(*ready));
			for (size_t i = 0; i < nready; i++) {
				short ev = ready[i].revents;

				if (ev == 0)
					continue;
				ares_process_fd(rv->ch,
						ev & (POLLIN | POLLERR | POLLHUP) ? ready[i].fd
										  : ARES_SOCKET_BAD,
						ev & POLLOUT ? ready[i].fd : ARES_SOCKET_BAD);
			}
		}
		start_more(rv, hints);
	}
}

int resolve_names(const char *const *names, size_t n, const struct resolve_opts *o,
		  struct resolve_result *out, struct resolve_stats *stats, char *err, size_t errlen)
{
	struct resolver rv;
	struct ares_options ao;
	struct ares_addrinfo_hints hints;
	int64_t t0 = mono_us();
	int st;

	memset(out, 0, n * sizeof(*out));
	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	if (n == 0)
		return 0;
	memset(&rv, 0, sizeof(rv));
	rv.names = names;
	rv.out = out;
	rv.n = n;
	rv.window = o->concurrency > 0 ? o->concurrency : 1;
	if ((rv.lk = calloc(n, sizeof(*rv.lk))) == NULL) {
		portus_err(err, errlen, "resolving names: out of memory");
		return -1;
	}
	if ((st = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		portus_err(err, errlen, "resolving names: %s", ares_strerror(st));
		free(rv.lk);
		return -1;
	}
	memset(&ao, 0, sizeof(ao));
	ao.timeout = o->timeout_ms > 0 ? o->timeout_ms : 1;
	ao.tries = (int)o->retries + 1;
	ao.sock_state_cb = sock_state;
	ao.sock_state_cb_data = &rv;
	/* Everything else (servers, search, ndots, lookups) as the system has it. */
	st = ares_init_options(&rv.ch, &ao,
			       ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB);
	if (st != ARES_SUCCESS) {
		portus_err(err, errlen, "resolving names: %s", ares_strerror(st));
		free(rv.lk);
		ares_library_cleanup();
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family_of(o->family);
	/* Without a socket type c-ares would not repeat addresses per type,
	 * but say it: one stream address per answer is what a scan needs. */
	hints.ai_socktype = SOCK_STREAM;
	run(&rv, &hints);
	ares_destroy(rv.ch); /* calls back anything still pending with ARES_EDESTRUCTION */
	ares_library_cleanup();
	free(rv.lk);
	if (rv.failed) {
		resolve_results_free(out, n);
		portus_err(err, errlen, "resolving names: out of memory");
		return -1;
	}
	if (stats != NULL) {
		stats->elapsed_us = mono_us() - t0;
		stats->max_in_flight = rv.max_in_flight;
		for (size_t i = 0; i < n; i++) {
			if (out[i].status == RES_OK)
				stats->ok++;
			else
				stats->failed++;
		}
	}
	return 0;
}

void resolve_results_free(struct resolve_result *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(out[i].addrs);
		out[i].addrs = NULL;
		out[i].naddrs = 0;
	}
}
