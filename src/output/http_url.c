/*
 * http_url.c — parsing and validating the HTTP client's URL (see
 * http_client.h, http_url_parse). RFC 3986, restricted to what a POST to one
 * server needs: a URL is user input, so anything unusual is a one-line error
 * that never echoes the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "hostport.h"
#include "output/http_client.h"
#include "portus.h"

/* Characters RFC 3986 does not allow anywhere in a URL (besides space and controls). */
static int is_unsafe_char(char c)
{
	return strchr("\"<>\\^`{|}", c) != NULL;
}

int http_url_parse(const char *url, const char *default_path, uint16_t default_port,
		   struct http_url *out, char *err, size_t errlen)
{
	struct http_url u;
	size_t n = strlen(url), plen;
	const char *a, *aend, *path, *query;
	struct hostport hp;
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
		portus_err(
			err, errlen,
			"user information (user@) is not allowed; give the token with --hec-token");
		return -1;
	}
	if (a == aend) {
		portus_err(err, errlen, "empty host");
		return -1;
	}
	if (hostport_parse(a, (size_t)(aend - a), 0, &hp, err, errlen) != 0)
		return -1;
	memcpy(u.host, hp.host, sizeof(hp.host));
	u.host_family = hp.family;
	u.port = hp.port != 0 ? hp.port : default_port;
	/* The Host header: the host as written, the port unless the scheme's own. */
	if ((u.https && u.port == 443) || (!u.https && u.port == 80))
		snprintf(u.authority, sizeof(u.authority),
			 u.host_family == AF_INET6 ? "[%s]" : "%s", u.host);
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
