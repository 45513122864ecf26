/*
 * http_response.c — the HTTP client's bounded response reader (see
 * http_internal.h), RFC 9112: status line, headers, then a body framed by
 * Content-Length, chunked or the end of the stream. Every byte is the
 * server's and hostile: lines, header count, body and interim responses are
 * bounded, and only HTTP_BODY_KEEP bytes of the body are kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_internal.h"
#include "portus.h"

#define MAX_HEADER_LINES 100
#define MAX_BODY ((size_t)1 << 20)  /* body bytes read to keep the connection usable */
#define MAX_INTERIM 8               /* 1xx responses skipped before the final one */

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
	n = http_conn_read(c, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, err, errlen);
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

/* Reads one final response (skipping 1xx) and its body (see http_internal.h). */
int http_response_read(struct http_client *c, struct http_response *resp, char *err,
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
		http_conn_close(c);
	c->rpos = c->rlen = 0;
	return HTTP_DONE;
}
