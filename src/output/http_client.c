/*
 * http_client.c — a small HTTP/1.1 POST client for one server (see
 * http_client.h). RFC 3986 for the URL, RFC 9112 for the message syntax.
 *
 * The socket is non-blocking; every wait is a poll() on it and on the cancel
 * descriptor, bounded by the per-operation timeout, so a slow or silent server
 * costs at most that long and the owner can end any wait at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "http_client.h"
#include "portus.h"
#include "strbuf.h"

#define MAX_ADDRS 8                 /* addresses of a name tried in turn */
#define RBUF_SIZE 16384             /* longest status, header or chunk-size line */
#define MAX_HEADER_LINES 100
#define MAX_BODY ((size_t)1 << 20)  /* body bytes read to keep the connection usable */
#define MAX_INTERIM 8               /* 1xx responses skipped before the final one */
#define EXCHANGE_TIMEOUTS 6         /* one request and its response: at most 6 timeouts */

struct http_client {
	struct http_url url;
	struct sockaddr_storage addr[MAX_ADDRS];
	socklen_t addrlen[MAX_ADDRS];
	size_t naddr;
	SSL_CTX *ctx; /* https only */
	SSL *ssl;     /* the connection's, when https */
	int fd;       /* -1: no connection */
	int insecure;
	int timeout_ms;
	int cancel_fd;
	int64_t exchange_deadline; /* a server trickling bytes cannot hold a request longer */
	struct strbuf req;     /* the request being sent */
	char rbuf[RBUF_SIZE];  /* response bytes read, rbuf[rpos..rlen) not yet used */
	size_t rpos, rlen;
	size_t got;            /* response bytes received in this exchange */
	int peer_closed;       /* the server closed or reset the connection */
};

/* ---------------------------------------------------------------- URL */

static int is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* Characters RFC 3986 does not allow anywhere in a URL (besides space and controls). */
static int is_unsafe_char(char c)
{
	return strchr("\"<>\\^`{|}", c) != NULL;
}

/* A name: host characters only, no empty label (a single trailing dot is fine). */
static int check_name(const char *h, size_t n, char *err, size_t errlen)
{
	int digits_dots = 1;

	if (n > 253) {
		portus_err(err, errlen, "host name longer than 253 bytes");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_host_char(h[i])) {
			portus_err(err, errlen, "bad character '%c' in the host", h[i]);
			return -1;
		}
		if (h[i] == '.' && (i == 0 || h[i - 1] == '.')) {
			portus_err(err, errlen, "empty label in the host name");
			return -1;
		}
		if (h[i] != '.' && (h[i] < '0' || h[i] > '9'))
			digits_dots = 0;
	}
	if (digits_dots) {
		portus_err(err, errlen, "host is not a valid IPv4 address");
		return -1;
	}
	return 0;
}

/* Fills u->host, host_family and returns where the authority goes on after
 * the host (':' or its end), NULL with err. */
static const char *parse_host(const char *a, const char *end, struct http_url *u, char *err,
			      size_t errlen)
{
	const char *h = a, *he;
	unsigned char bin[16];

	if (*a == '[') {
		const char *close = memchr(a, ']', (size_t)(end - a));

		if (close == NULL) {
			portus_err(err, errlen, "unterminated [IPv6 address]");
			return NULL;
		}
		h = a + 1;
		he = close;
		if ((size_t)(he - h) >= 46) {
			portus_err(err, errlen, "not an IPv6 address in [ ]");
			return NULL;
		}
		memcpy(u->host, h, (size_t)(he - h));
		u->host[he - h] = '\0';
		if (inet_pton(AF_INET6, u->host, bin) != 1) {
			portus_err(err, errlen, "not an IPv6 address in [ ]");
			return NULL;
		}
		u->host_family = AF_INET6;
		return close + 1;
	}
	he = memchr(a, ':', (size_t)(end - a));
	if (he == NULL)
		he = end;
	if (he == h) {
		portus_err(err, errlen, "empty host");
		return NULL;
	}
	if ((size_t)(he - h) >= sizeof(u->host)) {
		portus_err(err, errlen, "host name longer than 253 bytes");
		return NULL;
	}
	memcpy(u->host, h, (size_t)(he - h));
	u->host[he - h] = '\0';
	if (inet_pton(AF_INET, u->host, bin) == 1)
		u->host_family = AF_INET;
	else if (check_name(h, (size_t)(he - h), err, errlen) != 0)
		return NULL;
	return he;
}

static int parse_port(const char *p, const char *end, uint16_t *port, char *err, size_t errlen)
{
	uint64_t v;

	if (p == end) {
		portus_err(err, errlen, "empty port after ':'");
		return -1;
	}
	if (portus_parse_decimal(p, (size_t)(end - p), 65535, &v) != 0 || v == 0) {
		portus_err(err, errlen, "port must be a number from 1 to 65535");
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

int http_url_parse(const char *url, const char *default_path, uint16_t default_port,
		   struct http_url *out, char *err, size_t errlen)
{
	struct http_url u;
	size_t n = strlen(url), plen;
	const char *a, *aend, *after, *path, *query;
	const char *scheme;

	memset(&u, 0, sizeof(u));
	if (n > HTTP_URL_MAX) {
		portus_err(err, errlen, "URL longer than %d bytes", HTTP_URL_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= 0x20 || c >= 0x7f) {
			portus_err(err, errlen, "URL contains a space, control or non-ASCII byte");
			return -1;
		}
		if (is_unsafe_char(url[i])) {
			portus_err(err, errlen, "character '%c' is not allowed in a URL", url[i]);
			return -1;
		}
	}
	if (strncasecmp(url, "https://", 8) == 0) {
		u.https = 1;
		a = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		a = url + 7;
	} else {
		portus_err(err, errlen, "expected http:// or https://");
		return -1;
	}
	scheme = u.https ? "https" : "http";
	if (strchr(a, '#') != NULL) {
		portus_err(err, errlen, "a fragment (#) is not allowed");
		return -1;
	}
	aend = a + strcspn(a, "/?");
	if (memchr(a, '@', (size_t)(aend - a)) != NULL) {
		portus_err(err, errlen, "user information (user@) is not allowed; give the token with --hec-token");
		return -1;
	}
	if (a == aend) {
		portus_err(err, errlen, "empty host");
		return -1;
	}
	if ((after = parse_host(a, aend, &u, err, errlen)) == NULL)
		return -1;
	u.port = default_port;
	if (after < aend) {
		if (*after != ':') {
			portus_err(err, errlen, "unexpected characters after the host");
			return -1;
		}
		if (parse_port(after + 1, aend, &u.port, err, errlen) != 0)
			return -1;
	}
	/* The Host header: the host as written, the port unless the scheme's own. */
	if ((u.https && u.port == 443) || (!u.https && u.port == 80))
		snprintf(u.authority, sizeof(u.authority), u.host_family == AF_INET6 ? "[%s]" : "%s",
			 u.host);
	else
		snprintf(u.authority, sizeof(u.authority),
			 u.host_family == AF_INET6 ? "[%s]:%u" : "%s:%u", u.host, (unsigned)u.port);
	/* Path and query; "" or "/" means the default path. */
	query = strchr(aend, '?');
	plen = query != NULL ? (size_t)(query - aend) : strlen(aend);
	path = aend;
	if (plen <= 1) {
		path = default_path;
		plen = strlen(default_path);
	}
	if (plen + (query != NULL ? strlen(query) : 0) >= sizeof(u.target)) {
		portus_err(err, errlen, "URL longer than %d bytes", HTTP_URL_MAX);
		return -1;
	}
	snprintf(u.target, sizeof(u.target), "%.*s%s", (int)plen, path, query != NULL ? query : "");
	snprintf(u.display, sizeof(u.display), "%s://%s%.*s", scheme, u.authority, (int)plen, path);
	*out = u;
	return 0;
}

/* ---------------------------------------------------------------- I/O */

static int64_t now_ms(void)
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
		int64_t left, now = now_ms();
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

static void conn_close(struct http_client *c)
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

/* Sends p[0..len) whole. 0 or a negative http_result. */
static int io_write(struct http_client *c, const char *p, size_t len, char *err, size_t errlen)
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
		int w = wait_fd(c, want, now_ms() + c->timeout_ms, "send", err, errlen);
		if (w != 0)
			return w;
	}
	return 0;
}

/* Reads some bytes: > 0, 0 at the end of the stream, or a negative http_result. */
static long io_read(struct http_client *c, char *p, size_t cap, char *err, size_t errlen)
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
		int w = wait_fd(c, want, now_ms() + c->timeout_ms, "response", err, errlen);
		if (w != 0)
			return w;
	}
}

/* ---------------------------------------------------------------- connect */

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
static int conn_open(struct http_client *c, char *err, size_t errlen)
{
	int64_t deadline = now_ms() + c->timeout_ms;
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
				conn_close(c);
				continue;
			}
			w = wait_fd(c, POLLOUT, deadline, "connect", why, sizeof(why));
			if (w == HTTP_CANCELLED) {
				conn_close(c);
				portus_err(err, errlen, "%s", why);
				return w;
			}
			if (w == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr != 0) {
				snprintf(why, sizeof(why), "%s", strerror(soerr));
				w = -1;
			}
			if (w != 0) {
				conn_close(c);
				continue;
			}
		}
		if (c->ctx == NULL)
			return 0;
		w = tls_start(c, deadline, err, errlen);
		if (w != 0)
			conn_close(c);
		return w;
	}
	portus_err(err, errlen, "cannot connect to %s: %s", c->url.authority, why);
	return HTTP_TRANSIENT;
}

/* An idle kept-alive connection the server has closed (or written to). */
static int conn_stale(struct http_client *c)
{
	struct pollfd p = { c->fd, POLLIN, 0 };

	return poll(&p, 1, 0) != 0;
}

/* ---------------------------------------------------------------- response */

/* More bytes into rbuf. 0, 1 at the end of the stream, or a negative http_result. */
static int fill(struct http_client *c, char *err, size_t errlen)
{
	long n;

	if (c->rpos > 0) {
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rpos = 0;
	}
	if (c->rlen == sizeof(c->rbuf)) {
		portus_err(err, errlen, "response line longer than %zu bytes", sizeof(c->rbuf));
		return HTTP_TRANSIENT;
	}
	n = io_read(c, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, err, errlen);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		c->peer_closed = 1;
		return 1;
	}
	c->rlen += (size_t)n;
	c->got += (size_t)n;
	return 0;
}

/* The next line (CRLF or LF, terminator removed), valid until the next read. */
static int read_line(struct http_client *c, const char **line, size_t *len, char *err,
		     size_t errlen)
{
	for (;;) {
		const char *s = c->rbuf + c->rpos;
		const char *nl = memchr(s, '\n', c->rlen - c->rpos);
		int r;

		if (nl != NULL) {
			size_t n = (size_t)(nl - s);

			c->rpos += n + 1;
			if (n > 0 && s[n - 1] == '\r')
				n--;
			*line = s;
			*len = n;
			return 0;
		}
		if ((r = fill(c, err, errlen)) != 0) {
			if (r == 1)
				portus_err(err, errlen, "connection closed before the response ended");
			return r == 1 ? HTTP_TRANSIENT : r;
		}
	}
}

/* Keeps body bytes for the caller up to HTTP_BODY_KEEP, drops the rest. */
static void keep_body(struct http_response *resp, const char *p, size_t n)
{
	size_t room = HTTP_BODY_KEEP - resp->body_len;

	if (n > room)
		n = room;
	memcpy(resp->body + resp->body_len, p, n);
	resp->body_len += n;
	resp->body[resp->body_len] = '\0';
}

/* Consumes n body bytes; with until_eof, everything up to the end of the stream. */
static int take_body(struct http_client *c, size_t n, int until_eof, struct http_response *resp,
		     char *err, size_t errlen)
{
	for (;;) {
		size_t have = c->rlen - c->rpos, k = have < n ? have : n;
		int r;

		keep_body(resp, c->rbuf + c->rpos, k);
		c->rpos += k;
		n -= k;
		if (n == 0)
			return 0;
		if ((r = fill(c, err, errlen)) == 1 && until_eof)
			return 0;
		if (r != 0) {
			if (r == 1)
				portus_err(err, errlen, "connection closed inside the response body");
			return r == 1 ? HTTP_TRANSIENT : r;
		}
	}
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int read_chunked(struct http_client *c, struct http_response *resp, char *err,
			size_t errlen)
{
	size_t total = 0;

	for (;;) {
		const char *l;
		size_t len, i, size = 0;
		int r;

		if ((r = read_line(c, &l, &len, err, errlen)) != 0)
			return r;
		for (i = 0; i < len && hexval(l[i]) >= 0; i++) {
			if (size > MAX_BODY) /* checked before it can overflow */
				break;
			size = size * 16 + (size_t)hexval(l[i]);
		}
		if (i == 0 || size > MAX_BODY || total + size > MAX_BODY ||
		    (i < len && l[i] != ';' && l[i] != ' ' && l[i] != '\t')) {
			portus_err(err, errlen, "bad chunk size in the response");
			return HTTP_TRANSIENT;
		}
		if (size == 0)
			break;
		total += size;
		if ((r = take_body(c, size, 0, resp, err, errlen)) != 0)
			return r;
		if ((r = read_line(c, &l, &len, err, errlen)) != 0)
			return r;
		if (len != 0) {
			portus_err(err, errlen, "bad chunk end in the response");
			return HTTP_TRANSIENT;
		}
	}
	for (int n = 0;; n++) { /* trailer fields, ignored */
		const char *l;
		size_t len;
		int r;

		if ((r = read_line(c, &l, &len, err, errlen)) != 0)
			return r;
		if (len == 0)
			return 0;
		if (n >= MAX_HEADER_LINES) {
			portus_err(err, errlen, "too many trailer lines in the response");
			return HTTP_TRANSIENT;
		}
	}
}

/* "HTTP/1.x SSS reason": status, minor version, reason; -1 when malformed. */
static int parse_status(const char *l, size_t len, struct http_response *resp, int *minor)
{
	char show[PORTUS_SHOW_MAX + 4];

	if (len < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' || l[8] != ' ' ||
	    l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9' ||
	    (len > 12 && l[12] != ' '))
		return -1;
	*minor = l[7] - '0';
	resp->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (len > 13)
		portus_show(show, l + 13, len - 13);
	else
		show[0] = '\0';
	snprintf(resp->reason, sizeof(resp->reason), "%s", show);
	return 0;
}

/* Case-insensitive: does the comma-separated list v[0..n) hold token? */
static int has_token(const char *v, size_t n, const char *token)
{
	size_t tl = strlen(token), i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
			return 1;
	}
	return 0;
}

struct framing {
	int keep;         /* the connection may be reused */
	int chunked;
	int64_t length;   /* Content-Length, -1 when absent */
};

static int parse_header(const char *l, size_t len, struct framing *f, char *err, size_t errlen)
{
	const char *colon = memchr(l, ':', len), *v;
	size_t nl, vl;

	if (colon == NULL || colon == l) {
		portus_err(err, errlen, "malformed header line in the response");
		return HTTP_TRANSIENT;
	}
	nl = (size_t)(colon - l);
	v = colon + 1;
	vl = len - nl - 1;
	while (vl > 0 && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	if (nl == 14 && strncasecmp(l, "content-length", nl) == 0) {
		uint64_t n;

		if (portus_parse_decimal(v, vl, (uint64_t)1 << 40, &n) != 0 ||
		    (f->length >= 0 && (uint64_t)f->length != n)) {
			portus_err(err, errlen, "bad Content-Length in the response");
			return HTTP_TRANSIENT;
		}
		f->length = (int64_t)n;
	} else if (nl == 17 && strncasecmp(l, "transfer-encoding", nl) == 0) {
		if (!(vl >= 7 && strncasecmp(v + vl - 7, "chunked", 7) == 0)) {
			portus_err(err, errlen, "unsupported Transfer-Encoding in the response");
			return HTTP_TRANSIENT;
		}
		f->chunked = 1;
	} else if (nl == 10 && strncasecmp(l, "connection", nl) == 0) {
		if (has_token(v, vl, "close"))
			f->keep = 0;
		else if (has_token(v, vl, "keep-alive"))
			f->keep = 1;
	}
	return 0;
}

/* Reads one final response (skipping 1xx) and its body. */
static int read_response(struct http_client *c, struct http_response *resp, char *err,
			 size_t errlen)
{
	struct framing f;
	const char *l;
	size_t len;
	int r, minor = 1;

	for (int interim = 0;; interim++) {
		if (interim > MAX_INTERIM) {
			portus_err(err, errlen, "too many interim (1xx) responses");
			return HTTP_TRANSIENT;
		}
		if ((r = read_line(c, &l, &len, err, errlen)) != 0)
			return r;
		if (parse_status(l, len, resp, &minor) != 0) {
			portus_err(err, errlen, "the server did not answer with HTTP/1.x");
			return HTTP_TRANSIENT;
		}
		memset(&f, 0, sizeof(f));
		f.keep = minor >= 1;
		f.length = -1;
		for (int n = 0;; n++) {
			if ((r = read_line(c, &l, &len, err, errlen)) != 0)
				return r;
			if (len == 0)
				break;
			if (n >= MAX_HEADER_LINES) {
				portus_err(err, errlen, "more than %d header lines in the response",
					   MAX_HEADER_LINES);
				return HTTP_TRANSIENT;
			}
			if ((r = parse_header(l, len, &f, err, errlen)) != 0)
				return r;
		}
		if (resp->status >= 200)
			break;
		if (resp->status == 101) {
			portus_err(err, errlen, "the server switched protocols");
			return HTTP_TRANSIENT;
		}
	}
	if (resp->status == 204 || resp->status == 304) {
		r = 0;
	} else if (f.chunked) {
		r = read_chunked(c, resp, err, errlen);
	} else if (f.length >= 0) {
		if ((uint64_t)f.length > MAX_BODY) { /* keep what we can use, drop the connection */
			r = take_body(c, HTTP_BODY_KEEP, 0, resp, err, errlen);
			f.keep = 0;
		} else {
			r = take_body(c, (size_t)f.length, 0, resp, err, errlen);
		}
	} else {
		r = take_body(c, MAX_BODY, 1, resp, err, errlen);
		f.keep = 0;
	}
	if (r != 0)
		return r;
	if (!f.keep || c->rpos != c->rlen) /* bytes after the response: out of step */
		conn_close(c);
	c->rpos = c->rlen = 0;
	return HTTP_DONE;
}

/* ---------------------------------------------------------------- client */

int http_post(struct http_client *c, const char *headers, const void *body, size_t len,
	      struct http_response *resp, char *err, size_t errlen)
{
	int rc = HTTP_TRANSIENT;

	memset(resp, 0, sizeof(*resp));
	sb_reset(&c->req);
	sb_printf(&c->req,
		  "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: portus/" PORTUS_VERSION
		  "\r\n%sContent-Length: %zu\r\n\r\n",
		  c->url.target, c->url.authority, headers, len);
	sb_append(&c->req, body, len);
	if (c->req.oom) {
		portus_err(err, errlen, "out of memory");
		return HTTP_TRANSIENT;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		int reused = c->fd >= 0;

		if (reused && conn_stale(c)) {
			conn_close(c);
			reused = 0;
		}
		c->exchange_deadline = now_ms() + (int64_t)EXCHANGE_TIMEOUTS * c->timeout_ms;
		if (c->fd < 0 && (rc = conn_open(c, err, errlen)) != 0)
			return rc;
		c->got = 0;
		c->peer_closed = 0;
		c->rpos = c->rlen = 0;
		rc = io_write(c, c->req.p, c->req.len, err, errlen);
		if (rc == 0)
			rc = read_response(c, resp, err, errlen);
		if (rc == HTTP_DONE)
			return rc;
		conn_close(c);
		/* A kept-alive connection the server closed while idle: the request
		 * was never seen, send it once more on a new connection. */
		if (!(reused && rc == HTTP_TRANSIENT && c->peer_closed && c->got == 0))
			return rc;
		memset(resp, 0, sizeof(*resp));
	}
	return rc;
}

static int resolve(struct http_client *c, char *err, size_t errlen)
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
	for (ai = res; ai != NULL && c->naddr < MAX_ADDRS; ai = ai->ai_next) {
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

static int tls_setup(struct http_client *c, const char *ca_file, char *err, size_t errlen)
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

struct http_client *http_client_new(const struct http_url *u, const char *ca_file, int insecure,
				    char *err, size_t errlen)
{
	struct http_client *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		portus_err(err, errlen, "out of memory");
		return NULL;
	}
	c->url = *u;
	c->fd = -1;
	c->cancel_fd = -1;
	c->insecure = insecure;
	c->timeout_ms = HTTP_TIMEOUT_MS;
	sb_init(&c->req);
	if (resolve(c, err, errlen) != 0 || (u->https && tls_setup(c, ca_file, err, errlen) != 0)) {
		http_client_free(c);
		return NULL;
	}
	return c;
}

void http_client_set_timeout(struct http_client *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : HTTP_TIMEOUT_MS;
}

void http_client_set_cancel_fd(struct http_client *c, int fd)
{
	c->cancel_fd = fd;
}

void http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	conn_close(c);
	SSL_CTX_free(c->ctx);
	sb_free(&c->req);
	free(c);
}
