/*
 * http_client.h — POSTing to one HTTP(S) server (the Splunk HTTP Event
 * Collector) with libcurl: a checked URL (http_url.c), one kept-alive
 * connection, the system trust store plus an optional CA file, timeouts, a
 * cancel descriptor, and a bounded response (http_client.c).
 *
 * One client is used by one thread at a time. Everything the server sends is
 * hostile: libcurl parses the protocol; on top of it the headers are capped at
 * HTTP_HEADERS_MAX bytes, the body read at HTTP_BODY_MAX (the connection is
 * dropped past it) and the body kept for the caller at HTTP_BODY_KEEP bytes,
 * and every exchange is bounded in time.
 */
#ifndef PORTUS_OUTPUT_HTTP_CLIENT_H
#define PORTUS_OUTPUT_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_URL_MAX 2048               /* longest URL accepted */
#define HTTP_BODY_KEEP 4096             /* bytes of a response body kept for the caller */
#define HTTP_BODY_MAX ((size_t)1 << 20) /* body bytes read before the connection is dropped */
#define HTTP_HEADERS_MAX 65536          /* bytes of response header lines (1xx included) */
#define HTTP_TIMEOUT_MS 10000           /* connect (with TLS handshake), and any stall */
#define HTTP_EXCHANGE_TIMEOUTS 6        /* one request and its response: at most 6 timeouts */

struct http_url {
	int https;
	char host[256];  /* a name, a dotted quad or an IPv6 address (no brackets) */
	int host_family; /* AF_INET / AF_INET6 for an address literal, 0 for a name */
	uint16_t port;
	char authority[272];             /* the Host: header value ("[::1]:8088", "splunk:8088") */
	char target[HTTP_URL_MAX];       /* the request target: path and query */
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
 * A client for u (copied). A host name is resolved now (getaddrinfo) and
 * libcurl is told the addresses, so no lookup happens later; an address
 * literal is not looked up. For https the server certificate is verified
 * against the system store plus the certificates of ca_file (may be NULL; read
 * now, so a later privilege drop does not matter) and the URL's host (name or
 * address), with SNI for a name; insecure skips verification. Proxies from the
 * environment are ignored. No connection is made before the first http_post.
 * NULL with err.
 */
struct http_client *http_client_new(const struct http_url *u, const char *ca_file, int insecure,
				    char *err, size_t errlen);

/* Adds a request header line ("Name: value", no CRLF) sent with every POST.
 * The line is copied and wiped at http_client_free (it may hold a secret);
 * it is never put in an error message. 0, or -1 when out of memory. */
int http_client_add_header(struct http_client *c, const char *line);

/* Timeout (default HTTP_TIMEOUT_MS): connect + TLS handshake, and the longest
 * time without a byte moving; a whole exchange gets HTTP_EXCHANGE_TIMEOUTS
 * times as long. */
void http_client_set_timeout(struct http_client *c, int timeout_ms);

/* When fd (-1: none) becomes readable, any wait ends with HTTP_CANCELLED. The
 * descriptor stays owned by the caller and must outlive the client's use. */
void http_client_set_cancel_fd(struct http_client *c, int fd);

struct http_response {
	int status;                    /* the final response's status code */
	char reason[64];               /* reason phrase, unprintable bytes as '?' */
	char body[HTTP_BODY_KEEP + 1]; /* first bytes of the body, NUL-terminated */
	size_t body_len;               /* bytes in body (<= HTTP_BODY_KEEP) */
};

enum http_result {
	HTTP_DONE = 0,       /* a final response was read into *resp */
	HTTP_TRANSIENT = -1, /* connect/TLS/network failure, timeout, bad response: retry may help */
	HTTP_PERMANENT = -2, /* retrying cannot help (the server certificate was rejected) */
	HTTP_CANCELLED = -3, /* the cancel descriptor became readable */
};

/*
 * POSTs body[0..len) (borrowed until it returns) to the URL's target with
 * the added headers and reads the final response into *resp. Reuses the
 * kept-alive connection (libcurl replaces one the server closed while idle).
 * A body longer than HTTP_BODY_MAX still gives HTTP_DONE with its first
 * bytes, and the connection is dropped. Returns an enum http_result; err
 * holds one line on failure (printable ASCII, never a header).
 */
int http_post(struct http_client *c, const void *body, size_t len, struct http_response *resp,
	      char *err, size_t errlen);

/* Closes the connection (if any) and frees c. NULL is fine. */
void http_client_free(struct http_client *c);

#endif
