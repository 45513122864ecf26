/*
 * jsonw.c — the JSON record emitter (jsonw.h): nesting and commas, capped and
 * tracked strings, a byte budget that drops whole values, and the rendering
 * of a record at tighter and tighter levels until it fits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "jsonw.h"
#include "utf8.h"

void jw_init(struct jsonw *w, struct strbuf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->start = b->len;
	w->max = JW_NO_CAP;
	w->str_cap = JW_NO_CAP;
	w->empty = JW_EMPTY_NULL;
}

void jw_begin(struct jsonw *w, struct strbuf *b)
{
	jw_init(w, b);
	jw_obj(w, NULL);
}

void jw_continue(struct jsonw *w, struct strbuf *b)
{
	jw_init(w, b);
	w->depth = 1;
	w->close[0] = '}';
	w->any[0] = 1;
}

void jw_budget(struct jsonw *w, size_t max)
{
	w->max = max;
}

void jw_reserve(struct jsonw *w, size_t n)
{
	w->reserve = n;
}

/*
 * A record is hundreds of small pieces, and each sb_append is a capacity
 * check and a copy call: the separator, the key and a short value are put
 * together in a local buffer and appended once. put_key writes the separator
 * and "key": into out (room for JW_KEY_MAX + 4 bytes) and returns their
 * length; a longer key goes straight to the buffer (and 0 is returned).
 */
static size_t put_key(struct jsonw *w, const char *key, char *out)
{
	size_t n = 0, klen;

	if (w->depth > 0) {
		if (w->any[w->depth - 1])
			out[n++] = ',';
		w->any[w->depth - 1] = 1;
	}
	if (key == NULL)
		return n;
	klen = strlen(key);
	if (klen > JW_KEY_MAX) {
		sb_append(w->b, out, n);
		sb_append(w->b, "\"", 1);
		sb_append(w->b, key, klen);
		sb_append(w->b, "\":", 2);
		return 0;
	}
	out[n++] = '"';
	memcpy(out + n, key, klen);
	n += klen;
	out[n++] = '"';
	out[n++] = ':';
	return n;
}

void jw_key(struct jsonw *w, const char *key)
{
	char buf[JW_KEY_MAX + 4];

	sb_append(w->b, buf, put_key(w, key, buf));
}

static void jw_open(struct jsonw *w, const char *key, char open, char close)
{
	char buf[JW_KEY_MAX + 5];
	size_t n;

	if (w->depth >= JW_MAX_DEPTH) {
		w->misuse = 1;
		return;
	}
	n = put_key(w, key, buf);
	buf[n++] = open;
	sb_append(w->b, buf, n);
	w->close[w->depth] = close;
	w->any[w->depth] = 0;
	w->depth++;
}

void jw_obj(struct jsonw *w, const char *key)
{
	jw_open(w, key, '{', '}');
}

void jw_arr(struct jsonw *w, const char *key)
{
	jw_open(w, key, '[', ']');
}

void jw_close(struct jsonw *w)
{
	if (w->depth == 0) {
		w->misuse = 1;
		return;
	}
	w->depth--;
	sb_append(w->b, &w->close[w->depth], 1);
}

int jw_end(struct jsonw *w)
{
	while (w->depth > 0)
		jw_close(w);
	return w->b->oom || w->misuse ? -1 : 0;
}

void jw_null(struct jsonw *w, const char *key)
{
	jw_raw(w, key, "null");
}

void jw_bool(struct jsonw *w, const char *key, int v)
{
	jw_raw(w, key, v ? "true" : "false");
}

/* The key and an unsigned number (with a '-' before it when neg), in one append. */
static void put_number(struct jsonw *w, const char *key, uint64_t v, int neg)
{
	char buf[JW_KEY_MAX + 4 + 21], digits[20];
	size_t n = put_key(w, key, buf), k = 0;

	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (neg)
		buf[n++] = '-';
	while (k > 0)
		buf[n++] = digits[--k];
	sb_append(w->b, buf, n);
}

void jw_int(struct jsonw *w, const char *key, int64_t v)
{
	/* The magnitude in unsigned arithmetic: -INT64_MIN does not fit int64_t. */
	put_number(w, key, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void jw_uint(struct jsonw *w, const char *key, uint64_t v)
{
	put_number(w, key, v, 0);
}

void jw_fixed(struct jsonw *w, const char *key, double v, int decimals)
{
	jw_key(w, key);
	sb_printf(w->b, "%.*f", decimals, v);
}

/* The key and json[0..len) in one append when they fit together. */
static void put_raw(struct jsonw *w, const char *key, const char *json, size_t len)
{
	char buf[JW_KEY_MAX + 4 + 64];
	size_t n = put_key(w, key, buf);

	if (len <= sizeof(buf) - n) {
		memcpy(buf + n, json, len);
		sb_append(w->b, buf, n + len);
	} else {
		sb_append(w->b, buf, n);
		sb_append(w->b, json, len);
	}
}

void jw_raw(struct jsonw *w, const char *key, const char *json)
{
	put_raw(w, key, json, strlen(json));
}

/* Bytes json_append_string copies as they are (printable ASCII but '"' '\\'). */
static int plain(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '"' || p[i] == '\\')
			return 0;
	return 1;
}

int jw_str(struct jsonw *w, const char *key, const void *p, size_t len)
{
	char buf[JW_KEY_MAX + 4 + 2 + 128];
	size_t n;

	if (len <= 128 && plain(p, len)) { /* names, addresses, enum values: one append */
		n = put_key(w, key, buf);
		buf[n++] = '"';
		if (len > 0)
			memcpy(buf + n, p, len);
		n += len;
		buf[n++] = '"';
		sb_append(w->b, buf, n);
		return 0;
	}
	jw_key(w, key);
	return json_append_string(w->b, p, len);
}

void jw_strz(struct jsonw *w, const char *key, const char *s)
{
	jw_str(w, key, s, strlen(s));
}

void jw_hex(struct jsonw *w, const char *key, const uint8_t *p, size_t n, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char out[2 * 64];
	size_t i, k;

	jw_key(w, key);
	sb_append(w->b, "\"", 1);
	/* In slices of 64 bytes: no allocation, any length. */
	for (i = 0; i < n; i += k) {
		for (k = 0; k < 64 && i + k < n; k++) {
			out[2 * k] = digits[p[i + k] >> 4];
			out[2 * k + 1] = digits[p[i + k] & 0xf];
		}
		sb_append(w->b, out, 2 * k);
	}
	sb_append(w->b, "\"", 1);
}

void jw_time(struct jsonw *w, const char *key, int64_t time_us)
{
	jw_key(w, key);
	json_append_time(w->b, time_us);
}

void jw_time_s(struct jsonw *w, const char *key, int64_t unix_s)
{
	const int64_t lim = INT64_MAX / 1000000;

	jw_time(w, key, (unix_s > lim ? lim : unix_s < -lim ? -lim : unix_s) * 1000000);
}

static void mark_field(uint32_t *mask, int field)
{
	if (field >= 0 && field < 32)
		*mask |= 1u << field;
}

void jw_field(struct jsonw *w, const char *key, int field, const void *p, size_t len)
{
	if (p == NULL)
		len = 0;
	if (len > w->str_cap) {
		len = utf8_cut(p, len, w->str_cap);
		mark_field(&w->cut, field);
	}
	if (jw_str(w, key, p, len))
		mark_field(&w->bad, field);
}

void jw_text(struct jsonw *w, const char *key, int field, const void *p, size_t len)
{
	if (p != NULL && len > 0)
		jw_field(w, key, field, p, len);
	else if (w->empty == JW_EMPTY_NULL)
		jw_null(w, key);
}

void jw_chars(struct jsonw *w, const char *key, int field, const char *s, size_t size)
{
	jw_text(w, key, field, s, strnlen(s, size));
}

void jw_names(struct jsonw *w, const char *key, uint32_t mask, const char *const *names, unsigned n)
{
	jw_arr(w, key);
	for (unsigned f = 0; f < n && f < 32; f++)
		if (mask & (1u << f))
			jw_strz(w, NULL, names[f]);
	jw_close(w);
}

size_t jw_names_size(const char *const *names, unsigned n)
{
	size_t size = 2; /* [] */

	for (unsigned f = 0; f < n && f < 32; f++)
		size += strlen(names[f]) + 3; /* quotes and a comma */
	return size;
}

struct jw_mark jw_mark(const struct jsonw *w)
{
	struct jw_mark m = { w->b->len, w->depth, w->depth > 0 ? w->any[w->depth - 1] : 0 };

	return m;
}

int jw_keep(struct jsonw *w, const struct jw_mark *m, int field)
{
	size_t used = w->b->len - w->start;

	if (w->max == JW_NO_CAP || w->b->oom ||
	    (used <= w->max && w->max - used >= (size_t)w->depth + w->reserve))
		return 1;
	/* Take the value back out: the buffer, nesting and comma as they were. */
	w->b->len = m->len;
	if (w->b->p != NULL)
		w->b->p[m->len] = '\0';
	w->depth = m->depth;
	if (w->depth > 0)
		w->any[w->depth - 1] = m->any;
	mark_field(&w->cut, field);
	return 0;
}

void jw_levels(struct strbuf *b, size_t max, size_t nlevels, jw_render_fn render, const void *arg)
{
	struct strbuf tmp;
	struct jsonw w;
	size_t level = 0;

	sb_init(&tmp);
	for (; nlevels > 0; level++) {
		jw_init(&w, &tmp);
		render(&w, level, arg);
		if (tmp.oom || tmp.len <= max)
			break;
		sb_reset(&tmp);
		if (level + 1 == nlevels) { /* the last level again, within the budget */
			jw_init(&w, &tmp);
			jw_budget(&w, max);
			render(&w, level, arg);
			break;
		}
	}
	if (tmp.oom)
		b->oom = 1;
	else
		sb_append(b, tmp.p, tmp.len);
	sb_free(&tmp);
}
