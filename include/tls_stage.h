/*
 * tls_stage.h — the TLS follow-up stage: connect to open TLS ports with
 * ordinary kernel sockets and non-blocking OpenSSL driven by epoll, record
 * what the server presents, and hand each finished record to a callback.
 *
 * Single-threaded: the owner calls tls_stage_run() from its loop (the scan
 * driver does so while the SYN scan is still running). Bounded: at most
 * `concurrency` connections at once and `per_host` per address, a deadline
 * per connection, capped reads. No connection is made unless tls_stage_add
 * is called. Endpoints may be IPv4 or IPv6 (addr.h), mixed in one stage.
 */
#ifndef PORTUS_TLS_STAGE_H
#define PORTUS_TLS_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "tls_record.h"

struct tls_stage_opts {
	unsigned concurrency; /* simultaneous connections (>= 1) */
	unsigned per_host;    /* simultaneous connections to one address (>= 1) */
	int timeout_ms;       /* whole-connection deadline (connect + handshake + banner) */
	int banner;           /* send HEAD / and record status line and Server: */
	int want_pem;         /* include the leaf PEM */
	int test_versions;    /* one extra handshake per TLS 1.0/1.1/1.2/1.3 */
	int test_ciphers; /* --tls-ciphers: enumerate suites per version and groups (raw hellos) */
	const char *ca_file; /* extra trust anchors (PEM), or NULL */
};

/* Called for each finished endpoint; r is valid only during the call. */
typedef void (*tls_result_cb)(void *ctx, const struct tls_result *r);

struct tls_stage;

/* Returns a stage, or NULL with err (bad options, OpenSSL or epoll setup). */
struct tls_stage *tls_stage_new(const struct tls_stage_opts *o, tls_result_cb cb, void *ctx,
				char *err, size_t errlen);

/* Queues an endpoint: an IPv4 address (addr_is_v4: an AF_INET connection) or
 * an IPv6 one (AF_INET6). sni: the name to present, NULL or "" for none (no
 * SNI is sent then: the address is never sent as a name, RFC 6066 3). The
 * per-host limit counts connections per address. Returns 0, or -1 on
 * allocation failure. */
int tls_stage_add(struct tls_stage *s, ip_addr ip, uint16_t port, const char *sni);

/* Runs the event loop for at most timeout_ms (0: only what is ready now),
 * starting queued connections as slots free up and finishing expired ones.
 * Returns the number of endpoints still queued or in progress. */
size_t tls_stage_run(struct tls_stage *s, int timeout_ms);

/* Queued + in progress. */
size_t tls_stage_pending(const struct tls_stage *s);

/* Closes what is still in progress without reporting it, and frees the
 * stage (the caller drains with tls_stage_run first to get every record). */
void tls_stage_free(struct tls_stage *s);

#endif
