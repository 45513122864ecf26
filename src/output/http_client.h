/*
 * http_client.h — a small HTTP/1.1 client for POSTing to one server (the
 * Splunk HTTP Event Collector): URL parsing, a keep-alive connection over TCP
 * or TLS (OpenSSL), non-blocking I/O with timeouts and a cancel descriptor,
 * and a bounded, defensive response reader (RFC 9112: status line, headers,
 * Content-Length, chunked, read-until-close).
 *
 * One client is used by one thread at a time. Everything the server sends is
 * hostile: lines, headers and the body are bounded, and the body kept for the
 * caller is cut to HTTP_BODY_KEEP bytes.
 *
 * Built from http_url.c (http_url_parse), http_client.c (the client and
 * http_post), http_conn.c (connection, TLS, I/O) and http_response.c (the
 * response reader); their shared internals are in http_internal.h.
 */
#ifndef PORTUS_OUTPUT_HTTP_CLIENT_H
#define PORTUS_OUTPUT_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_URL_MAX 2048         /* longest URL accepted */
#define HTTP_BODY_KEEP 4096       /* bytes of a response body kept for the caller */
#define HTTP_TIMEOUT_MS 10000     /* connect (with TLS handshake), send and receive */

struct http_url {
	int https;
	char host[256];            /* a name, a dotted quad or an IPv6 address (no brackets) */
	int host_family;           /* AF_INET / AF_INET6 for an address literal, 0 for a name */
	uint16_t port;
	char authority[272];       /* the Host: header value ("[::1]:8088", "splunk:8088") */
	char target[HTTP_URL_MAX]; /* the request target: path and query */
	char display[HTTP_URL_MAX + 16]; /* scheme://authority/path, for messages (no query) */
};

/*
 * Parses http://HOST[:PORT][/PATH[?QUERY]] or https://... (scheme in any case).
 * HOST is a name (letters, digits, '-', '_', '.'), a dotted quad or [IPv6].
 * An empty path or "/" becomes default_path, a missing port default_port.
 * Rejected with a one-line err (no input echoed): another scheme, an empty
 * host, userinfo (user@), a port outside 1-65535 or not decimal, a fragment,
 * spaces, control or non-ASCII bytes, a URL longer than HTTP_URL_MAX.
 * Returns 0 and fills *u, or -1.
 */
int http_url_parse(const char *url, const char *default_path, uint16_t default_port,
		   struct http_url *u, char *err, size_t errlen);

struct http_client;

/*
 * A client for u (copied). A host name is resolved now (getaddrinfo); an
 * address literal is not looked up. For https the server certificate is
 * verified against the system store plus ca_file (may be NULL) and the URL's
 * host (name or address), with SNI for a name; insecure skips verification.
 * No connection is made before the first http_post. NULL with err.
 */
struct http_client *http_client_new(const struct http_url *u, const char *ca_file, int insecure,
				    char *err, size_t errlen);

/* Per-operation timeout (default HTTP_TIMEOUT_MS): connect + TLS handshake,
 * then each wait for the socket while sending or receiving. */
void http_client_set_timeout(struct http_client *c, int timeout_ms);

/* When fd (-1: none) becomes readable, any wait ends with HTTP_CANCELLED. The
 * descriptor stays owned by the caller and must outlive the client's use. */
void http_client_set_cancel_fd(struct http_client *c, int fd);

struct http_response {
	int status;                     /* 100-599 */
	char reason[64];                /* reason phrase, unprintable bytes as '?' */
	char body[HTTP_BODY_KEEP + 1];  /* first bytes of the body, NUL-terminated */
	size_t body_len;                /* bytes in body (<= HTTP_BODY_KEEP) */
};

enum http_result {
	HTTP_DONE = 0,       /* a final response was read into *resp */
	HTTP_TRANSIENT = -1, /* connect/TLS/network failure, timeout, bad response: retry may help */
	HTTP_PERMANENT = -2, /* retrying cannot help (the server certificate was rejected) */
	HTTP_CANCELLED = -3, /* the cancel descriptor became readable */
};

/*
 * POSTs body[0..len) to the URL's target with headers (extra header lines,
 * each ending in "\r\n"; the caller's, never echoed in err) and reads the
 * final response into *resp. Reuses the kept-alive connection; a reused
 * connection that turns out closed before any response byte is replaced once
 * at once. The connection is kept when the response allows it. Returns an
 * enum http_result; err holds one line on failure.
 */
int http_post(struct http_client *c, const char *headers, const void *body, size_t len,
	      struct http_response *resp, char *err, size_t errlen);

/* Closes the connection (if any) and frees c. NULL is fine. */
void http_client_free(struct http_client *c);

#endif
