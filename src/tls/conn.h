/*
 * conn.h — one connection of the TLS stage: a non-blocking TCP connect, a
 * non-blocking OpenSSL handshake, the HEAD / banner, and the failure class.
 * Private to src/tls: stage.c owns the event loop, the deadline queue and
 * the limits, and calls conn_start / conn_step / conn_timeout / conn_close.
 *
 * A connection writes what it learns into the record it was given: the main
 * connection the outcome, negotiated parameters, certificates and banner; a
 * banner connection only the banner; a version probe only `accepted`.
 */
#ifndef PORTUS_TLS_CONN_H
#define PORTUS_TLS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "addr.h"
#include "tls_hello.h"
#include "tls_record.h"

enum conn_kind {
	CONN_MAIN = 0, /* the record: handshake, certificates, banner */
	CONN_BANNER,   /* h2 was negotiated: HEAD / on a new http/1.1 connection */
	CONN_V10,      /* version probes, min = max = one version */
	CONN_V11,
	CONN_V12,
	CONN_V13,
	CONN_RAW, /* --tls-ciphers: one hand-built ClientHello, read the answer (no SSL) */
};
#define CONN_NKINDS 6 /* kinds with an SSL_CTX (CONN_RAW has none) */

enum conn_state { CS_CONNECT, CS_HANDSHAKE, CS_WRITE, CS_READ, CS_RAW_WRITE, CS_RAW_READ, CS_DONE };

/* The SSL_CTXs, one per purpose, and the socket BIO method they share. */
struct tls_ctxs {
	SSL_CTX *ctx[CONN_NKINDS];
	BIO_METHOD *bio;
};

struct conn_opts {
	const struct tls_ctxs *x;
	int banner, want_pem;
};

struct conn {
	/* Stage bookkeeping (conn.c leaves these alone). */
	struct conn *dprev, *dnext; /* deadline queue */
	int64_t deadline_us;        /* CLOCK_MONOTONIC */
	uint32_t slot, gen;         /* table index and generation, in the epoll data */
	int registered;             /* events epoll has for fd, 0 when not added */
	void *task;

	/* Set by the stage before conn_start. */
	enum conn_kind kind;
	ip_addr ip; /* IPv4 (addr_is_v4): AF_INET socket; else AF_INET6 */
	uint16_t port;
	const char *sni; /* "" for none; borrowed from r */
	struct tls_result *r;

	/* conn.c's state. */
	enum conn_state state;
	int fd;
	SSL *ssl;
	int want;       /* EPOLLIN or EPOLLOUT while in progress */
	int accepted;   /* the handshake completed */
	int need_http1; /* main connection: h2 negotiated, the banner needs CONN_BANNER */
	int eof;        /* the server closed its side */
	int io_errno;   /* errno of the last failed socket read/write */
	int fatal;      /* an SSL call failed for good: no SSL_shutdown */
	int alert;      /* description of a fatal alert (or close_notify) received, -1 none */
	unsigned char first[5]; /* first bytes the server sent */
	size_t first_len;
	unsigned char *buf; /* banner: the request, then the answer */
	size_t len;

	/* CONN_RAW: the ClientHello (set by the stage, owned), how much of it was
	 * sent, and the reader of the answer (owned; status TLSH_MORE when none
	 * came: timeout, reset, EOF). */
	uint8_t *hello;
	size_t hello_len, hello_off;
	struct tlsh_reader *rd;
	int chain;     /* enumeration chain (enumerate.h) */
	int timed_out; /* CONN_RAW: the deadline passed before an answer */
};

/* Creates the contexts (loading the trust store and ca_file into the main
 * one). Returns 0, or -1 with err. x is cleared first and freed on error. */
int tls_ctxs_init(struct tls_ctxs *x, const char *ca_file, char *err, size_t errlen);
void tls_ctxs_free(struct tls_ctxs *x);

/* Starts the connect. Returns 1 while in progress (c->want set), 0 when
 * finished already (refused at once, socket error). */
int conn_start(struct conn *c, const struct conn_opts *o);

/* Advances after epoll reported fd ready. Returns 1 while in progress
 * (c->want may have changed), 0 when finished. */
int conn_step(struct conn *c, const struct conn_opts *o);

/* The deadline passed: records the timeout (or the partial banner). */
void conn_timeout(struct conn *c);

/* The stage cannot watch the socket (epoll_ctl failed): records a TLS_ERROR
 * with why, unless the main handshake already completed. */
void conn_abort(struct conn *c, const char *why);

/* Sends close_notify when a session is up, frees the SSL and the banner
 * buffer, closes the socket. Safe on a conn whose start failed. */
void conn_close(struct conn *c);

#endif
