/*
 * http_url.c — parsing and validating the HTTP client's URL (see
 * http_client.h, http_url_parse). RFC 3986, restricted to what a POST to one
 * server needs: a URL is user input, so anything unusual is a one-line error
 * that never echoes the input.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "http_client.h"
#include "portus.h"

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
