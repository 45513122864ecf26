/*
 * jsonw.h — one JSON record written into a strbuf: the emitter keeps the
 * nesting (objects, arrays) and the commas, caps hostile strings, remembers
 * which of the caller's fields it cut or repaired, and keeps the record
 * within a byte budget.
 *
 *   struct jsonw w;
 *   jw_begin(&w, b);                 // "{"
 *   jw_strz(&w, "type", "tls");      // "type":"tls"
 *   jw_arr(&w, "chain");             // ,"chain":[
 *   jw_obj(&w, NULL);                //   {
 *   ...
 *   jw_end(&w);                      // closes whatever is still open
 *
 * Keys are the caller's literals and are written as they are: printable
 * ASCII without '"' or '\\'. Inside an array the key is NULL. Every string
 * value goes through json_append_string (strict UTF-8, escaping).
 *
 * Fields: a caller numbers the hostile fields of its record 0..31 and passes
 * that number to jw_field / jw_text; the emitter sets bit (1u << field) of
 * `cut` when it shortened or dropped the field and of `bad` when bytes were
 * replaced by U+FFFD, for the record's own truncated_fields /
 * invalid_utf8_fields lists (jw_names writes such a list). JW_NO_FIELD: a
 * value nobody tracks.
 *
 * Budget: jw_budget(w, max) bounds the record to max bytes. The caller brackets
 * each value it may lose (a list entry, an optional key) with jw_mark and
 * jw_keep: when the record, with the closing brackets still owed and the bytes
 * held back by jw_reserve for its tail, would pass max, jw_keep takes the
 * value back out whole and marks its field cut, so the record stays valid
 * JSON. Values outside such brackets are always written.
 *
 * jw_levels renders a record at each level of a caller's table of caps until
 * it fits (the TLS records: tls_json.h).
 *
 * Errors: allocation failure sets b->oom (strbuf.h); nesting deeper than
 * JW_MAX_DEPTH or a jw_close with nothing open sets `misuse` and is
 * otherwise ignored. jw_end returns -1 for either.
 */
#ifndef PORTUS_JSONW_H
#define PORTUS_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define JW_MAX_DEPTH 16
#define JW_KEY_MAX 64 /* keys up to this length are written with their value in one append */
#define JW_NO_FIELD (-1)
#define JW_NO_CAP SIZE_MAX

/* What jw_text writes for an empty or absent string. */
enum jw_empty {
	JW_EMPTY_NULL, /* "key":null (portus's native records) */
	JW_EMPTY_OMIT, /* the key is left out (ECS: absent rather than null) */
};

struct jsonw {
	struct strbuf *b; /* borrowed */
	size_t start;     /* b->len when the record began */
	size_t max;       /* budget: bytes of the record from start; JW_NO_CAP none */
	size_t reserve;   /* bytes held back for the record's tail (jw_reserve) */
	size_t str_cap;   /* bytes of a string written by jw_field / jw_text */
	enum jw_empty empty;
	unsigned depth;
	char close[JW_MAX_DEPTH];        /* '}' or ']' for each open container */
	unsigned char any[JW_MAX_DEPTH]; /* the container holds a member: a comma next */
	uint32_t cut;                    /* fields shortened or dropped */
	uint32_t bad;                    /* fields whose bytes were replaced by U+FFFD */
	int misuse;
};

/* A point to come back to (jw_mark / jw_keep). */
struct jw_mark {
	size_t len;
	unsigned depth;
	unsigned char any;
};

/* Starts a record at the end of what b holds: no budget, no string cap,
 * empty strings as null. jw_begin also writes the opening "{". */
void jw_init(struct jsonw *w, struct strbuf *b);
void jw_begin(struct jsonw *w, struct strbuf *b);
/* Goes on with an object someone else opened at the end of b and that
 * already holds a member: the next key starts with a comma. The caller
 * closes that object (or jw_end does). */
void jw_continue(struct jsonw *w, struct strbuf *b);

/* The record may not pass max bytes (see Budget above); JW_NO_CAP: none. */
void jw_budget(struct jsonw *w, size_t max);
/* Holds n bytes back from the budget for what must come at the end; 0 frees them. */
void jw_reserve(struct jsonw *w, size_t n);

/* ,"key": — the separator and the key (key NULL: the separator only). */
void jw_key(struct jsonw *w, const char *key);
/* Opens an object / array as a member (key) or an array entry (key NULL). */
void jw_obj(struct jsonw *w, const char *key);
void jw_arr(struct jsonw *w, const char *key);
/* Closes the innermost open object or array. */
void jw_close(struct jsonw *w);
/* Closes everything still open. Returns 0, or -1 after b->oom or misuse. */
int jw_end(struct jsonw *w);

void jw_null(struct jsonw *w, const char *key);
void jw_bool(struct jsonw *w, const char *key, int v);
void jw_int(struct jsonw *w, const char *key, int64_t v);
void jw_uint(struct jsonw *w, const char *key, uint64_t v);
/* A number with `decimals` digits after the point (printf's %.*f). */
void jw_fixed(struct jsonw *w, const char *key, double v, int decimals);
/* json: one JSON value the caller made (a number, a literal), written as is. */
void jw_raw(struct jsonw *w, const char *key, const char *json);
/* A string, escaped, uncapped and untracked. Returns 1 if bytes were replaced. */
int jw_str(struct jsonw *w, const char *key, const void *p, size_t len);
void jw_strz(struct jsonw *w, const char *key, const char *s);
/* Hex of p[0..n) as a string, uppercase or lowercase. */
void jw_hex(struct jsonw *w, const char *key, const uint8_t *p, size_t n, int upper);
/* An RFC 3339 time (json_append_time) of Unix microseconds / seconds; seconds
 * beyond what microseconds can hold are clamped. */
void jw_time(struct jsonw *w, const char *key, int64_t time_us);
void jw_time_s(struct jsonw *w, const char *key, int64_t unix_s);

/* A tracked string: cut to str_cap bytes on a UTF-8 boundary (field marked
 * cut), bytes replaced marked bad. Always a string, "" included. */
void jw_field(struct jsonw *w, const char *key, int field, const void *p, size_t len);
/* As jw_field, but an empty or NULL string follows w->empty (null or left out). */
void jw_text(struct jsonw *w, const char *key, int field, const void *p, size_t len);
/* jw_text of a char array of `size` bytes, read up to its NUL, never past size. */
void jw_chars(struct jsonw *w, const char *key, int field, const char *s, size_t size);

/* "key":["name",...] — names[f] for each bit f of mask, in bit order. */
void jw_names(struct jsonw *w, const char *key, uint32_t mask, const char *const *names,
	      unsigned n);
/* Bytes jw_names writes at most for these names (for jw_reserve). */
size_t jw_names_size(const char *const *names, unsigned n);

/* Budget brackets: jw_mark before a value that may be dropped; jw_keep after
 * it (the nesting back where it was). jw_keep returns 1 when the value stays,
 * or 0 when it would pass the budget: then the buffer, nesting and commas are
 * as at the mark and `field` (unless JW_NO_FIELD) is marked cut. */
struct jw_mark jw_mark(const struct jsonw *w);
int jw_keep(struct jsonw *w, const struct jw_mark *m, int field);

/*
 * Appends to b one record rendered by render(w, level, arg) for level 0, 1,
 * ... nlevels - 1, the first whose length is at most max (each render starts
 * on an empty buffer, w from jw_init). If even the last level is longer, it
 * is rendered once more with jw_budget(w, max), so that jw_mark / jw_keep drop
 * what does not fit. On allocation failure b->oom is set and b is unchanged.
 */
typedef void (*jw_render_fn)(struct jsonw *w, size_t level, const void *arg);
void jw_levels(struct strbuf *b, size_t max, size_t nlevels, jw_render_fn render, const void *arg);

#endif
