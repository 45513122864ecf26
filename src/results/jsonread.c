/*
 * jsonread.c — strict recursive-descent JSON reader (rules in jsonread.h).
 * Recursion is bounded by JR_MAX_DEPTH; every read checks the end of input.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/jsonread.h"
#include "utf8.h"

#define CHUNK_MIN 16384

struct jr_chunk {
	struct jr_chunk *next;
	size_t used, cap;
	max_align_t mem[]; /* aligned for struct jr_value */
};

struct jr_parser {
	struct jr_doc *doc;
	const unsigned char *p, *end, *start;
	char *err;
	size_t errlen;
	int failed;
};

static int fail(struct jr_parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, "byte %zu: %s", (size_t)(ps->p - ps->start) + 1,
			 what);
	ps->failed = 1;
	return -1;
}

/* size bytes from the arena, aligned; NULL on allocation failure. */
static void *arena_alloc(struct jr_doc *doc, size_t size)
{
	struct jr_chunk *c = doc->chunks;
	const size_t align = sizeof(max_align_t);

	size = (size + align - 1) / align * align;
	if (c == NULL || c->cap - c->used < size) {
		size_t cap = size > CHUNK_MIN ? size : CHUNK_MIN;

		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->next = doc->chunks;
		c->used = 0;
		c->cap = cap;
		doc->chunks = c;
	}
	c->used += size;
	return (char *)c->mem + c->used - size;
}

static struct jr_value *new_value(struct jr_parser *ps, enum jr_type t)
{
	struct jr_value *v = arena_alloc(ps->doc, sizeof(*v));

	if (v == NULL) {
		fail(ps, "out of memory");
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->type = t;
	return v;
}

static void skip_ws(struct jr_parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int literal(struct jr_parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "invalid literal");
	ps->p += n;
	return 0;
}

static int hex4(const unsigned char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* One \uXXXX escape (ps->p at the 'u'), a surrogate pair taken whole. */
static int unicode_escape(struct jr_parser *ps, unsigned *cp)
{
	unsigned lo;

	if (ps->end - ps->p < 5 || hex4(ps->p + 1, cp) != 0)
		return fail(ps, "bad \\u escape");
	ps->p += 5;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(ps, "lone low surrogate in \\u escape");
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
		    hex4(ps->p + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
			return fail(ps, "lone high surrogate in \\u escape");
		ps->p += 6;
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (*cp == 0)
		*cp = 0xfffd; /* keeps C strings whole (jsonread.h) */
	return 0;
}

/* A string (ps->p at the opening quote) into the arena: *out, *outlen. */
static int parse_string(struct jr_parser *ps, const char **out, size_t *outlen)
{
	const unsigned char *q = ps->p + 1;
	unsigned char *buf, *o;

	/* The decoded text is never longer than the raw: size by the raw span. */
	while (q < ps->end && *q != '"') {
		if (*q == '\\' && q + 1 < ps->end)
			q++;
		q++;
	}
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	buf = arena_alloc(ps->doc, (size_t)(q - ps->p));
	if (buf == NULL)
		return fail(ps, "out of memory");
	o = buf;
	ps->p++;
	while (*ps->p != '"') {
		unsigned char c = *ps->p;
		unsigned cp = 0;
		size_t k;

		if (c < 0x20)
			return fail(ps, "control character in string");
		if (c < 0x80 && c != '\\') {
			/* A run of plain ASCII at once: most strings are nothing else. */
			const unsigned char *r = ps->p;

			while (*r >= 0x20 && *r < 0x80 && *r != '"' && *r != '\\')
				r++;
			memcpy(o, ps->p, (size_t)(r - ps->p));
			o += r - ps->p;
			ps->p = r;
			continue;
		}
		if (c != '\\') {
			if ((k = utf8_decode(ps->p, (size_t)(ps->end - ps->p), NULL, NULL)) == 0)
				return fail(ps, "invalid UTF-8");
			memcpy(o, ps->p, k);
			o += k;
			ps->p += k;
			continue;
		}
		ps->p++;
		switch (*ps->p) {
		case '"':
		case '\\':
		case '/':
			*o++ = *ps->p;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (unicode_escape(ps, &cp) != 0)
				return -1;
			if ((k = utf8_encode(cp, o)) == 0)
				return fail(ps, "bad \\u escape");
			o += k;
			continue;
		default:
			return fail(ps, "bad escape in string");
		}
		ps->p++;
	}
	ps->p++;
	*o = '\0';
	*out = (const char *)buf;
	*outlen = (size_t)(o - buf);
	return 0;
}

static int parse_number(struct jr_parser *ps, struct jr_value *v)
{
	const unsigned char *s = ps->p, *q = s;
	char tmp[512];
	int integral = 1, overflow = 0;
	uint64_t mag = 0;

	if (q < ps->end && *q == '-')
		q++;
	if (q >= ps->end || *q < '0' || *q > '9')
		return fail(ps, "invalid number");
	if (*q == '0') {
		q++;
	} else {
		while (q < ps->end && *q >= '0' && *q <= '9') {
			unsigned dgt = (unsigned)(*q - '0');

			if (mag > (UINT64_MAX - dgt) / 10)
				overflow = 1;
			else
				mag = mag * 10 + dgt;
			q++;
		}
	}
	if (q < ps->end && *q == '.') {
		integral = 0;
		q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			return fail(ps, "invalid number");
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		integral = 0;
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			return fail(ps, "invalid number");
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if ((size_t)(q - s) >= sizeof(tmp))
		return fail(ps, "number too long");
	memcpy(tmp, s, (size_t)(q - s));
	tmp[q - s] = '\0';
	errno = 0;
	v->d = strtod(tmp, NULL);
	if (!isfinite(v->d))
		return fail(ps, "number out of range");
	v->neg = *s == '-';
	v->is_int = integral && !overflow;
	v->mag = mag;
	ps->p = q;
	return 0;
}

static int parse_value(struct jr_parser *ps, struct jr_value **out, int depth);

/* Appends v after *tail of parent. */
static void link_child(struct jr_value *parent, struct jr_value **tail, struct jr_value *v)
{
	if (*tail == NULL)
		parent->child = v;
	else
		(*tail)->next = v;
	*tail = v;
	parent->n++;
}

static int parse_array(struct jr_parser *ps, struct jr_value *a, int depth)
{
	struct jr_value *tail = NULL, *v;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (parse_value(ps, &v, depth + 1) != 0)
			return -1;
		link_child(a, &tail, v);
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unterminated array");
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return fail(ps, "expected ',' or ']'");
		ps->p++;
	}
}

static int parse_object(struct jr_parser *ps, struct jr_value *o, int depth)
{
	struct jr_value *tail = NULL, *v;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		const char *key;
		size_t klen;

		if (ps->p >= ps->end || *ps->p != '"')
			return fail(ps, "expected a key");
		if (parse_string(ps, &key, &klen) != 0)
			return -1;
		if (strlen(key) != klen)
			return fail(ps, "NUL in key");
		/* Bounded by JR_MAX_MEMBERS, so this scan stays cheap. */
		if (jr_get(o, key) != NULL)
			return fail(ps, "duplicate key");
		if (o->n >= JR_MAX_MEMBERS)
			return fail(ps, "too many keys in one object");
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return fail(ps, "expected ':'");
		ps->p++;
		if (parse_value(ps, &v, depth + 1) != 0)
			return -1;
		v->key = key;
		link_child(o, &tail, v);
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unterminated object");
		if (*ps->p == '}') {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return fail(ps, "expected ',' or '}'");
		ps->p++;
		skip_ws(ps);
	}
}

static int parse_value(struct jr_parser *ps, struct jr_value **out, int depth)
{
	struct jr_value *v;

	if (depth > JR_MAX_DEPTH)
		return fail(ps, "nested too deep");
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
		if ((v = new_value(ps, JR_OBJECT)) == NULL || parse_object(ps, v, depth) != 0)
			return -1;
		break;
	case '[':
		if ((v = new_value(ps, JR_ARRAY)) == NULL || parse_array(ps, v, depth) != 0)
			return -1;
		break;
	case '"':
		if ((v = new_value(ps, JR_STRING)) == NULL || parse_string(ps, &v->s, &v->len) != 0)
			return -1;
		break;
	case 't':
		if ((v = new_value(ps, JR_TRUE)) == NULL || literal(ps, "true") != 0)
			return -1;
		break;
	case 'f':
		if ((v = new_value(ps, JR_FALSE)) == NULL || literal(ps, "false") != 0)
			return -1;
		break;
	case 'n':
		if ((v = new_value(ps, JR_NULL)) == NULL || literal(ps, "null") != 0)
			return -1;
		break;
	default:
		if ((v = new_value(ps, JR_NUMBER)) == NULL || parse_number(ps, v) != 0)
			return -1;
		break;
	}
	*out = v;
	return 0;
}

int jr_parse(struct jr_doc *doc, const char *text, size_t len, char *err, size_t errlen)
{
	struct jr_parser ps = {
		.doc = doc,
		.p = (const unsigned char *)text,
		.start = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
		.err = err,
		.errlen = errlen,
	};

	doc->chunks = NULL;
	doc->root = NULL;
	if (parse_value(&ps, &doc->root, 1) != 0) {
		doc->root = NULL;
		return -1;
	}
	skip_ws(&ps);
	if (ps.p != ps.end) {
		doc->root = NULL;
		return fail(&ps, "text after the JSON value");
	}
	return 0;
}

void jr_free(struct jr_doc *doc)
{
	while (doc->chunks != NULL) {
		struct jr_chunk *c = doc->chunks;

		doc->chunks = c->next;
		free(c);
	}
	doc->root = NULL;
}

const struct jr_value *jr_get(const struct jr_value *o, const char *key)
{
	if (o == NULL || o->type != JR_OBJECT)
		return NULL;
	/* The first byte first: most keys differ there, and records are
	 * read 10^8 at a time. */
	for (const struct jr_value *m = o->child; m != NULL; m = m->next)
		if (m->key[0] == key[0] && strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

int jr_int(const struct jr_value *v, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t x;

	if (v == NULL || v->type != JR_NUMBER || !v->is_int)
		return -1;
	if (v->neg) {
		if (v->mag > (uint64_t)INT64_MAX + 1)
			return -1;
		x = v->mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v->mag;
	} else {
		if (v->mag > (uint64_t)INT64_MAX)
			return -1;
		x = (int64_t)v->mag;
	}
	if (x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

int jr_u64(const struct jr_value *v, uint64_t *out)
{
	if (v == NULL || v->type != JR_NUMBER || !v->is_int || (v->neg && v->mag != 0))
		return -1;
	*out = v->mag;
	return 0;
}
