/*
 * http_conn.c — the HTTP client's connection (see http_internal.h): address
 * resolution, non-blocking connect, TLS through OpenSSL with certificate and
 * host verification, sending and receiving with timeouts, cancel, and the
 * keep-alive check before reuse.
 *
 * The socket is non-blocking; every wait is a poll() on it and on the cancel
 * descriptor, bounded by the per-operation timeout and the exchange deadline,
 * so a slow or silent server costs at most that long and the owner can end any
 * wait at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "http_internal.h"
#include "portus.h"

/* ---------------------------------------------------------------- I/O */

/* See http_internal.h, as for the other non-static functions here. */
int64_t http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the socket is ready for events, the deadline passes or the
 * cancel descriptor is readable. 0 or a negative http_result. */
static int wait_fd(struct http_client *c, short events, int64_t deadline, const char *what,
		   char *err, size_t errlen)
{
	for (;;) {
		struct pollfd p[2] = { { c->fd, events, 0 }, { c->cancel_fd, POLLIN, 0 } };
		int64_t left, now = http_now_ms();
		int r;

		if (c->exchange_deadline != 0 && c->exchange_deadline < deadline)
			deadline = c->exchange_deadline;
		left = deadline - now;
		if (left <= 0) {
			portus_err(err, errlen, "%s: timed out (%g s)", what, c->timeout_ms / 1000.0);
			return HTTP_TRANSIENT;
		}
		r = poll(p, c->cancel_fd >= 0 ? 2 : 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			portus_err(err, errlen, "%s: poll: %s", what, strerror(errno));
			return HTTP_TRANSIENT;
		}
		if (c->cancel_fd >= 0 && (p[1].revents & POLLIN)) {
			portus_err(err, errlen, "%s: cancelled", what);
			return HTTP_CANCELLED;
		}
		/* POLLERR/POLLHUP too: the next I/O call says what happened. */
		if (r > 0 && p[0].revents != 0)
			return 0;
	}
}

void http_conn_close(struct http_client *c)
{
	if (c->ssl != NULL) {
		ERR_clear_error();
		(void)SSL_shutdown(c->ssl); /* best effort close_notify, never waits */
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->rpos = c->rlen = 0;
	ERR_clear_error();
}

static void ssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	snprintf(buf, len, "%s", r != NULL ? r : "connection closed");
	ERR_clear_error();
}

/* See http_internal.h. */
int http_conn_write(struct http_client *c, const char *p, size_t len, char *err,
		    size_t errlen)
{
	while (len > 0) {
		short want = POLLOUT;

		if (c->ssl != NULL) {
			int r, e;

			ERR_clear_error();
			r = SSL_write(c->ssl, p, len > INT_MAX ? INT_MAX : (int)len);
			if (r > 0) {
				p += r;
				len -= (size_t)r;
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ) {
				want = POLLIN;
			} else if (e != SSL_ERROR_WANT_WRITE) {
				char why[128];

				ssl_reason(why, sizeof(why));
				c->peer_closed = 1;
				portus_err(err, errlen, "send: %s", why);
				return HTTP_TRANSIENT;
			}
		} else {
			ssize_t r = send(c->fd, p, len, MSG_NOSIGNAL);

			if (r > 0) {
				p += r;
				len -= (size_t)r;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
				c->peer_closed = errno == EPIPE || errno == ECONNRESET;
				portus_err(err, errlen, "send: %s", strerror(errno));
				return HTTP_TRANSIENT;
			}
		}
		int w = wait_fd(c, want, http_now_ms() + c->timeout_ms, "send", err, errlen);
		if (w != 0)
			return w;
	}
	return 0;
}

/* See http_internal.h. */
long http_conn_read(struct http_client *c, char *p, size_t cap, char *err, size_t errlen)
{
	for (;;) {
		short want = POLLIN;

		if (c->ssl != NULL) {
			int r, e;

			ERR_clear_error();
			r = SSL_read(c->ssl, p, cap > INT_MAX ? INT_MAX : (int)cap);
			if (r > 0)
				return r;
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (e == SSL_ERROR_WANT_WRITE) {
				want = POLLOUT;
			} else if (e != SSL_ERROR_WANT_READ) {
				char why[128];

				ssl_reason(why, sizeof(why));
				c->peer_closed = 1;
				portus_err(err, errlen, "receive: %s", why);
				return HTTP_TRANSIENT;
			}
		} else {
			ssize_t r = recv(c->fd, p, cap, 0);

			if (r >= 0)
				return (long)r;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				c->peer_closed = errno == ECONNRESET;
				portus_err(err, errlen, "receive: %s", strerror(errno));
				return HTTP_TRANSIENT;
			}
		}
		int w = wait_fd(c, want, http_now_ms() + c->timeout_ms, "response", err, errlen);
		if (w != 0)
			return w;
	}
}

/* ---------------------------------------------------------------- connect */

int http_conn_resolve(struct http_client *c, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	int r;

	if (c->url.host_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&c->addr[0];

		s->sin_family = AF_INET;
		s->sin_port = htons(c->url.port);
		(void)inet_pton(AF_INET, c->url.host, &s->sin_addr); /* checked by the parser */
		c->addrlen[0] = sizeof(*s);
		c->naddr = 1;
		return 0;
	}
	if (c->url.host_family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&c->addr[0];

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(c->url.port);
		(void)inet_pton(AF_INET6, c->url.host, &s->sin6_addr);
		c->addrlen[0] = sizeof(*s);
		c->naddr = 1;
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", (unsigned)c->url.port);
	if ((r = getaddrinfo(c->url.host, port, &hints, &res)) != 0) {
		portus_err(err, errlen, "cannot resolve %s: %s", c->url.host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL && c->naddr < HTTP_MAX_ADDRS; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(c->addr[0]))
			continue;
		memcpy(&c->addr[c->naddr], ai->ai_addr, ai->ai_addrlen);
		c->addrlen[c->naddr++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	if (c->naddr == 0) {
		portus_err(err, errlen, "cannot resolve %s: no IPv4 or IPv6 address", c->url.host);
		return -1;
	}
	return 0;
}

int http_conn_tls_setup(struct http_client *c, const char *ca_file, char *err,
			size_t errlen)
{
	ERR_clear_error();
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL || SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION) != 1) {
		portus_err(err, errlen, "TLS setup failed");
		return -1;
	}
	/* A read-until-close body ends with a plain TCP close on many servers. */
	SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(c->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (c->insecure) {
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
		portus_err(err, errlen, "cannot use the system trust store");
		ERR_clear_error();
		return -1;
	}
	if (ca_file != NULL && ca_file[0] != '\0' && SSL_CTX_load_verify_file(c->ctx, ca_file) != 1) {
		char show[PORTUS_SHOW_MAX + 4];

		portus_err(err, errlen, "%s: cannot load CA certificates",
			   portus_show(show, ca_file, strlen(ca_file)));
		ERR_clear_error();
		return -1;
	}
	ERR_clear_error();
	return 0;
}

static int tls_start(struct http_client *c, int64_t deadline, char *err, size_t errlen)
{
	ERR_clear_error();
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		portus_err(err, errlen, "TLS: cannot create a connection");
		return HTTP_TRANSIENT;
	}
	if (c->url.host_family == 0) {
		/* SNI only for names (RFC 6066 forbids address literals). */
		if (SSL_set_tlsext_host_name(c->ssl, c->url.host) != 1 ||
		    (!c->insecure && SSL_set1_host(c->ssl, c->url.host) != 1)) {
			portus_err(err, errlen, "TLS: cannot set the server name");
			return HTTP_TRANSIENT;
		}
	} else if (!c->insecure &&
		   X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), c->url.host) != 1) {
		portus_err(err, errlen, "TLS: cannot set the server address");
		return HTTP_TRANSIENT;
	}
	for (;;) {
		int r, e, w;

		ERR_clear_error();
		r = SSL_connect(c->ssl);
		if (r == 1)
			return 0;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			w = wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline,
				    "TLS handshake", err, errlen);
			if (w != 0)
				return w;
			continue;
		}
		long v = SSL_get_verify_result(c->ssl);
		if (!c->insecure && v != X509_V_OK) {
			ERR_clear_error();
			/* The same certificate tomorrow: retrying cannot help. */
			portus_err(err, errlen, "server certificate rejected: %s",
				   X509_verify_cert_error_string(v));
			return HTTP_PERMANENT;
		}
		char why[128];
		ssl_reason(why, sizeof(why));
		portus_err(err, errlen, "TLS handshake: %s", why);
		return HTTP_TRANSIENT;
	}
}

/* Connects to the first address that answers, then the TLS handshake, all
 * within one timeout. 0 or a negative http_result. */
int http_conn_open(struct http_client *c, char *err, size_t errlen)
{
	int64_t deadline = http_now_ms() + c->timeout_ms;
	char why[160] = "no address";

	for (size_t i = 0; i < c->naddr; i++) {
		int fd, one = 1, soerr = 0, w;
		socklen_t sl = sizeof(soerr);

		fd = socket(c->addr[i].ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			snprintf(why, sizeof(why), "%s", strerror(errno));
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		if (connect(fd, (const struct sockaddr *)&c->addr[i], c->addrlen[i]) != 0) {
			if (errno != EINPROGRESS) {
				snprintf(why, sizeof(why), "%s", strerror(errno));
				http_conn_close(c);
				continue;
			}
			w = wait_fd(c, POLLOUT, deadline, "connect", why, sizeof(why));
			if (w == HTTP_CANCELLED) {
				http_conn_close(c);
				portus_err(err, errlen, "%s", why);
				return w;
			}
			if (w == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr != 0) {
				snprintf(why, sizeof(why), "%s", strerror(soerr));
				w = -1;
			}
			if (w != 0) {
				http_conn_close(c);
				continue;
			}
		}
		if (c->ctx == NULL)
			return 0;
		w = tls_start(c, deadline, err, errlen);
		if (w != 0)
			http_conn_close(c);
		return w;
	}
	portus_err(err, errlen, "cannot connect to %s: %s", c->url.authority, why);
	return HTTP_TRANSIENT;
}

/* Nothing is due on an idle connection: readable means closed (or junk). */
int http_conn_stale(struct http_client *c)
{
	struct pollfd p = { c->fd, POLLIN, 0 };

	return poll(&p, 1, 0) != 0;
}
