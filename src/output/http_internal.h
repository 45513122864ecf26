/*
 * http_internal.h — what the pieces of the HTTP client share, private to
 * src/output/http_*.c (the public contract is http_client.h):
 *   http_client.c    the client's life and the request (http_post)
 *   http_url.c       URL parsing and validation
 *   http_conn.c      address resolution, connect, TLS, non-blocking I/O
 *                    with timeouts and cancel, keep-alive checks
 *   http_response.c  the bounded response reader
 *
 * Every function here takes the client of one thread (see http_client.h);
 * errors are one line in err and a negative enum http_result.
 */
#ifndef PORTUS_OUTPUT_HTTP_INTERNAL_H
#define PORTUS_OUTPUT_HTTP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "http_client.h"
#include "strbuf.h"

#define HTTP_MAX_ADDRS 8     /* addresses of a name tried in turn */
#define HTTP_RBUF_SIZE 16384 /* longest status, header or chunk-size line */

struct http_client {
	struct http_url url;
	struct sockaddr_storage addr[HTTP_MAX_ADDRS];
	socklen_t addrlen[HTTP_MAX_ADDRS];
	size_t naddr;
	SSL_CTX *ctx; /* https only */
	SSL *ssl;     /* the connection's, when https */
	int fd;       /* -1: no connection */
	int insecure;
	int timeout_ms;
	int cancel_fd;
	int64_t exchange_deadline; /* a server trickling bytes cannot hold a request longer */
	struct strbuf req;     /* the request being sent */
	char rbuf[HTTP_RBUF_SIZE]; /* response bytes read, rbuf[rpos..rlen) not yet used */
	size_t rpos, rlen;
	size_t got;            /* response bytes received in this exchange */
	int peer_closed;       /* the server closed or reset the connection */
};

/* ---- http_conn.c */

/* Milliseconds on the monotonic clock. */
int64_t http_now_ms(void);

/* Fills c->addr from c->url: an address literal as is, a name through
 * getaddrinfo (at most HTTP_MAX_ADDRS addresses). 0, or -1 with err. */
int http_conn_resolve(struct http_client *c, char *err, size_t errlen);

/* Creates c->ctx for https (TLS 1.2+, verification per c->insecure against
 * the system store plus ca_file, which may be NULL). 0, or -1 with err. */
int http_conn_tls_setup(struct http_client *c, const char *ca_file, char *err, size_t errlen);

/* Connects to the first address that answers, then the TLS handshake, all
 * within one timeout. 0 or a negative http_result (HTTP_PERMANENT: the
 * server certificate was rejected). On failure c->fd is -1. */
int http_conn_open(struct http_client *c, char *err, size_t errlen);

/* Closes the connection (close_notify best effort, never waits) and forgets
 * the buffered response bytes. Harmless without a connection. */
void http_conn_close(struct http_client *c);

/* An idle kept-alive connection the server has closed (or written to). */
int http_conn_stale(struct http_client *c);

/* Sends p[0..len) whole. 0 or a negative http_result; sets c->peer_closed
 * when the server closed or reset the connection. */
int http_conn_write(struct http_client *c, const char *p, size_t len, char *err, size_t errlen);

/* Reads some bytes into p[0..cap): > 0, 0 at the end of the stream, or a
 * negative http_result (c->peer_closed set on a reset). */
long http_conn_read(struct http_client *c, char *p, size_t cap, char *err, size_t errlen);

/* ---- http_response.c */

/*
 * Reads one final response (skipping 1xx) and its body into *resp, through
 * c->rbuf (empty at the start of the exchange). Counts the bytes received in
 * c->got and sets c->peer_closed at the end of the stream. Closes the
 * connection when the response does not allow keeping it. HTTP_DONE or a
 * negative http_result.
 */
int http_response_read(struct http_client *c, struct http_response *resp, char *err,
		       size_t errlen);

#endif
