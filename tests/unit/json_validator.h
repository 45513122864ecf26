/*
 * json_validator.h — a strict JSON validator (RFC 8259, UTF-8 per RFC 3629
 * through utf8.h, which test_utf8.c checks against an independent decoder)
 * for unit tests of the record writers; header-only, included by one test
 * file each (cmocka must be included first).
 */
#ifndef PORTUS_TEST_JSON_VALIDATOR_H
#define PORTUS_TEST_JSON_VALIDATOR_H

#include <stdint.h>
#include <string.h>

#include "strbuf.h"
#include "utf8.h"

/* ---- a strict JSON validator (RFC 8259, UTF-8 per RFC 3629) ---- */

struct jp {
	const unsigned char *s;
	size_t n, i;
	int depth;
};

static int jv_value(struct jp *p);

static void jv_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
			       p->s[p->i] == '\r'))
		p->i++;
}

static int jv_string(struct jp *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return -1;
	p->i++;
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];
		size_t k;

		if (c == '"') {
			p->i++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (p->i + 1 >= p->n)
				return -1;
			c = p->s[p->i + 1];
			if (c == 'u') {
				if (p->i + 6 > p->n)
					return -1;
				for (size_t j = 2; j < 6; j++)
					if (!strchr("0123456789abcdefABCDEF", p->s[p->i + j]) ||
					    p->s[p->i + j] == '\0')
						return -1;
				p->i += 6;
			} else if (c != '\0' && strchr("\"\\/bfnrt", c)) {
				p->i += 2;
			} else {
				return -1;
			}
			continue;
		}
		if ((k = utf8_decode(p->s + p->i, p->n - p->i, NULL, NULL)) == 0)
			return -1;
		p->i += k;
	}
	return -1;
}

static int jv_digits(struct jp *p)
{
	size_t start = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start ? 0 : -1;
}

static int jv_number(struct jp *p)
{
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (jv_digits(p) != 0)
		return -1;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (jv_digits(p) != 0)
			return -1;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (jv_digits(p) != 0)
			return -1;
	}
	return 0;
}

static int jv_literal(struct jp *p, const char *lit)
{
	size_t l = strlen(lit);

	if (p->n - p->i < l || memcmp(p->s + p->i, lit, l) != 0)
		return -1;
	p->i += l;
	return 0;
}

/* Object or array; keys of an object must be unique. */
static int jv_container(struct jp *p, int object)
{
	const unsigned char close = object ? '}' : ']';
	size_t key_at[128], key_len[128], nkeys = 0;

	if (++p->depth > 32)
		return -1;
	p->i++;
	jv_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		p->depth--;
		return 0;
	}
	for (;;) {
		jv_ws(p);
		if (object) {
			size_t k0 = p->i;

			if (jv_string(p) != 0)
				return -1;
			for (size_t j = 0; j < nkeys; j++)
				if (key_len[j] == p->i - k0 &&
				    memcmp(p->s + key_at[j], p->s + k0, p->i - k0) == 0)
					return -1; /* duplicate key (same spelling) */
			if (nkeys < 128) {
				key_at[nkeys] = k0;
				key_len[nkeys++] = p->i - k0;
			}
			jv_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return -1;
			p->i++;
		}
		if (jv_value(p) != 0)
			return -1;
		jv_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			p->depth--;
			return 0;
		}
		return -1;
	}
}

static int jv_value(struct jp *p)
{
	jv_ws(p);
	if (p->i >= p->n)
		return -1;
	switch (p->s[p->i]) {
	case '{':
		return jv_container(p, 1);
	case '[':
		return jv_container(p, 0);
	case '"':
		return jv_string(p);
	case 't':
		return jv_literal(p, "true");
	case 'f':
		return jv_literal(p, "false");
	case 'n':
		return jv_literal(p, "null");
	default:
		return jv_number(p);
	}
}

/* One NDJSON line's worth: a single object, no newline, nothing after it. */
static void assert_valid_record(const struct strbuf *b)
{
	struct jp p = { (const unsigned char *)b->p, b->len, 0, 0 };

	assert_false(b->oom);
	assert_non_null(b->p);
	assert_null(memchr(b->p, '\n', b->len));
	assert_true(b->len > 0 && b->p[0] == '{');
	if (jv_value(&p) != 0 || p.i != b->len)
		fail_msg("invalid JSON at byte %zu of %zu: [%.*s]", p.i, b->len, (int)b->len, b->p);
}

#endif
