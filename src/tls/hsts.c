/* hsts.c — strict, bounded Strict-Transport-Security parser (include/tls_hsts.h). */
#include <string.h>

#include "tls_hsts.h"

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

struct cursor {
	const unsigned char *p;
	size_t len, pos;
};

static void skip_ows(struct cursor *c)
{
	while (c->pos < c->len && (c->p[c->pos] == ' ' || c->p[c->pos] == '\t'))
		c->pos++;
}

/* 1*tchar at the cursor; returns its length (0: none). */
static size_t token(struct cursor *c)
{
	size_t start = c->pos;

	while (c->pos < c->len && is_tchar(c->p[c->pos]))
		c->pos++;
	return c->pos - start;
}

/* The value after "=": a token or a quoted-string (RFC 9110 5.6.4). Walks it,
 * calling digit checks on the unescaped characters: *all_digits stays 1 while
 * every character is a digit, *n counts them, *v accumulates (capped).
 * Returns 0, or -1 when the bytes are neither. */
static int value(struct cursor *c, int *all_digits, size_t *n, int64_t *v)
{
	*all_digits = 1;
	*n = 0;
	*v = 0;
	if (c->pos < c->len && c->p[c->pos] == '"') {
		c->pos++;
		for (;;) {
			unsigned char ch;

			if (c->pos >= c->len)
				return -1; /* unterminated */
			ch = c->p[c->pos++];
			if (ch == '"')
				return 0;
			if (ch == '\\') {
				if (c->pos >= c->len)
					return -1;
				ch = c->p[c->pos++];
				if (!(ch == '\t' || (ch >= 0x20 && ch != 0x7f)))
					return -1;
			} else if (!(ch == '\t' || (ch >= 0x20 && ch != 0x7f))) {
				return -1; /* qdtext: HTAB, SP, VCHAR except DQUOTE / '\\', obs-text */
			}
			if (ch >= '0' && ch <= '9') {
				(*n)++;
				if (*v <= TLS_HSTS_MAX_AGE_CAP)
					*v = *v * 10 + (ch - '0');
			} else {
				*all_digits = 0;
			}
		}
	}
	while (c->pos < c->len && is_tchar(c->p[c->pos])) {
		unsigned char ch = c->p[c->pos++];

		if (ch >= '0' && ch <= '9') {
			(*n)++;
			if (*v <= TLS_HSTS_MAX_AGE_CAP)
				*v = *v * 10 + (ch - '0');
		} else {
			*all_digits = 0;
		}
	}
	return *n > 0 || !*all_digits ? 0 : -1;
}

static int name_is(const unsigned char *p, size_t len, const char *lower)
{
	size_t n = strlen(lower);

	if (len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((p[i] | 0x20) != (unsigned char)lower[i])
			return 0;
	return 1;
}

static int bad(struct tls_hsts *out, const char *why)
{
	out->valid = 0;
	out->error = why;
	return 0;
}

/* A valueless directive (includeSubDomains, preload): once, without a value.
 * Sets *seen; returns 1, or 0 after bad() with the matching reason. */
static int flag(struct tls_hsts *out, int *seen, int has_value, const char *twice,
		const char *valued)
{
	if (*seen)
		return bad(out, twice);
	*seen = 1;
	return has_value ? bad(out, valued) : 1;
}

int tls_hsts_parse(const unsigned char *v, size_t len, struct tls_hsts *out)
{
	struct cursor c = { v, v != NULL ? len : 0, 0 };
	int seen_age = 0;

	memset(out, 0, sizeof(*out));
	out->present = 1;
	out->max_age = -1;
	skip_ows(&c);
	while (c.pos < c.len) {
		const unsigned char *name;
		size_t nlen, digits = 0;
		int has_value = 0, all_digits = 0;
		int64_t num = 0;

		if (c.p[c.pos] == ';') { /* an empty directive */
			c.pos++;
			skip_ows(&c);
			continue;
		}
		name = c.p + c.pos;
		nlen = token(&c);
		if (nlen == 0)
			return bad(out, "character outside the grammar");
		skip_ows(&c);
		if (c.pos < c.len && c.p[c.pos] == '=') {
			c.pos++;
			skip_ows(&c);
			has_value = 1;
			if (value(&c, &all_digits, &digits, &num) != 0)
				return bad(out,
					   "directive value is neither token nor quoted-string");
			skip_ows(&c);
		}
		if (c.pos < c.len) {
			if (c.p[c.pos] != ';')
				return bad(out, "character outside the grammar");
			c.pos++;
			skip_ows(&c);
		}
		if (name_is(name, nlen, "max-age")) {
			if (seen_age)
				return bad(out, "max-age given twice");
			seen_age = 1;
			if (!has_value || !all_digits || digits == 0)
				return bad(out, "max-age is not delta-seconds");
			out->max_age = num > TLS_HSTS_MAX_AGE_CAP ? TLS_HSTS_MAX_AGE_CAP : num;
		} else if (name_is(name, nlen, "includesubdomains")) {
			if (!flag(out, &out->include_subdomains, has_value,
				  "includeSubDomains given twice", "includeSubDomains has a value"))
				return 0;
		} else if (name_is(name, nlen, "preload")) {
			if (!flag(out, &out->preload, has_value, "preload given twice",
				  "preload has a value"))
				return 0;
		}
	}
	if (!seen_age)
		return bad(out, "max-age missing");
	out->valid = 1;
	return 1;
}
