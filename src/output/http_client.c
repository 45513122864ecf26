/*
 * http_client.c — a small HTTP/1.1 POST client for one server (see
 * http_client.h): the client's life and the request itself. The URL is
 * parsed in http_url.c, the connection lives in http_conn.c and the response
 * is read by http_response.c (shared internals: http_internal.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "http_internal.h"
#include "portus.h"
#include "strbuf.h"

#define EXCHANGE_TIMEOUTS 6         /* one request and its response: at most 6 timeouts */

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
	if (http_conn_resolve(c, err, errlen) != 0 ||
	    (u->https && http_conn_tls_setup(c, ca_file, err, errlen) != 0)) {
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

		if (reused && http_conn_stale(c)) {
			http_conn_close(c);
			reused = 0;
		}
		c->exchange_deadline = http_now_ms() + (int64_t)EXCHANGE_TIMEOUTS * c->timeout_ms;
		if (c->fd < 0 && (rc = http_conn_open(c, err, errlen)) != 0)
			return rc;
		c->got = 0;
		c->peer_closed = 0;
		c->rpos = c->rlen = 0;
		rc = http_conn_write(c, c->req.p, c->req.len, err, errlen);
		if (rc == 0)
			rc = http_response_read(c, resp, err, errlen);
		if (rc == HTTP_DONE)
			return rc;
		http_conn_close(c);
		/* A kept-alive connection the server closed while idle: the request
		 * was never seen, send it once more on a new connection. */
		if (!(reused && rc == HTTP_TRANSIENT && c->peer_closed && c->got == 0))
			return rc;
		memset(resp, 0, sizeof(*resp));
	}
	return rc;
}

void http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	http_conn_close(c);
	SSL_CTX_free(c->ctx);
	/* The last request held the Authorization header (the HEC token). */
	if (c->req.p != NULL)
		explicit_bzero(c->req.p, c->req.cap);
	sb_free(&c->req);
	free(c);
}
