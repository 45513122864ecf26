/* banner.c — HEAD / request and status line + Server: parsing (see banner.h; RFC 9112). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/banner.h"

size_t banner_request(char *buf, size_t cap, const char *name, ip_addr ip, uint16_t port)
{
	char host[300], addr[ADDR_STR_MAX], portstr[8] = "";
	int n;

	if (name != NULL && name[0] != '\0') {
		n = snprintf(host, sizeof(host), "%s", name);
	} else {
		/* An IPv6 literal in a URI authority is bracketed (RFC 3986 3.2.2). */
		(void)addr_to_str(ip, addr);
		n = snprintf(host, sizeof(host), addr_is_v4(ip) ? "%s" : "[%s]", addr);
	}
	if (n < 0 || (size_t)n >= sizeof(host))
		return 0;
	/* RFC 9110 7.2: the port is part of Host unless it is the scheme's default. */
	if (port != 443)
		(void)snprintf(portstr, sizeof(portstr), ":%u", (unsigned)port);
	n = snprintf(buf, cap,
		     "HEAD / HTTP/1.1\r\nHost: %s%s\r\nUser-Agent: portus/0.1\r\n"
		     "Connection: close\r\n\r\n",
		     host, portstr);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

size_t banner_headers_end(const unsigned char *buf, size_t len, size_t from)
{
	size_t i = from > 3 ? from - 3 : 0;

	for (; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (len - i > 1 && buf[i + 1] == '\n')
			return i + 2;
		if (len - i > 2 && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Copies at most TLS_MAX_BANNER_LINE bytes; sets *cut when more were offered. */
static int keep(struct tls_bytes *b, const unsigned char *p, size_t len, int *cut)
{
	if (len > TLS_MAX_BANNER_LINE) {
		len = TLS_MAX_BANNER_LINE;
		*cut = 1;
	}
	b->p = malloc(len + 1);
	if (b->p == NULL)
		return -1;
	memcpy(b->p, p, len);
	b->p[len] = '\0';
	b->len = len;
	return 0;
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* 1 when line[0..len) is a header named `name` (lowercase; the header's
 * name compares case-insensitively); *value set, whitespace-trimmed. */
static int header_named(const unsigned char *line, size_t len, const char *name,
			const unsigned char **value, size_t *vlen)
{
	const unsigned char *colon = memchr(line, ':', len);
	size_t nlen, i;

	if (colon == NULL)
		return 0;
	nlen = (size_t)(colon - line);
	while (nlen > 0 && is_ws(line[nlen - 1])) /* not allowed (RFC 9112 5.1), seen anyway */
		nlen--;
	if (nlen != strlen(name))
		return 0;
	for (i = 0; i < nlen; i++)
		if ((line[i] | 0x20) != (unsigned char)name[i])
			return 0;
	*value = colon + 1;
	*vlen = len - (size_t)(colon - line) - 1;
	while (*vlen > 0 && is_ws(**value)) {
		(*value)++;
		(*vlen)--;
	}
	while (*vlen > 0 && is_ws((*value)[*vlen - 1]))
		(*vlen)--;
	return 1;
}

int banner_parse(struct tls_result *r, const unsigned char *buf, size_t len, int cut)
{
	size_t pos = 0;
	int first = 1;

	if (len == 0)
		return 0;
	r->banner_done = 1;
	if (cut)
		r->banner_truncated = 1;
	while (pos < len) {
		const unsigned char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - line) : len - pos;
		const unsigned char *v;
		size_t vlen;

		pos += llen + (nl != NULL);
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (first) {
			first = 0;
			if (keep(&r->http_status, line, llen, &r->banner_truncated) != 0)
				return -1;
			continue;
		}
		if (llen == 0) /* end of the header block */
			break;
		if (r->http_server.p == NULL && header_named(line, llen, "server", &v, &vlen) &&
		    keep(&r->http_server, v, vlen, &r->banner_truncated) != 0)
			return -1;
		/* RFC 6797 8.1: only the first header counts. */
		if (!r->hsts.present &&
		    header_named(line, llen, "strict-transport-security", &v, &vlen))
			(void)tls_hsts_parse(v, vlen, &r->hsts);
	}
	return 0;
}
