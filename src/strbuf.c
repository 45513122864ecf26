/* strbuf.c — growable NUL-terminated byte buffer with a sticky out-of-memory flag. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void sb_init(struct strbuf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->oom = 0;
}

void sb_free(struct strbuf *b)
{
	free(b->p);
	sb_init(b);
}

void sb_reset(struct strbuf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/* Makes room for `extra` more bytes plus the NUL. Returns 0, or -1 and sets oom. */
static int sb_reserve(struct strbuf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	/* len < cap always holds once allocated, so only `extra` can overflow. */
	if (extra > SIZE_MAX - 1 - b->len)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		goto fail;
	b->p = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

void sb_append(struct strbuf *b, const void *data, size_t len)
{
	if (sb_reserve(b, len) != 0)
		return;
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void sb_puts(struct strbuf *b, const char *s)
{
	sb_append(b, s, strlen(s));
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (sb_reserve(b, 0) != 0)
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->p[b->len] = '\0';
		b->oom = 1; /* encoding error: treat like a failed append */
		return;
	}
	if ((size_t)n >= room) {
		if (sb_reserve(b, (size_t)n) != 0) {
			b->p[b->len] = '\0';
			return;
		}
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}
