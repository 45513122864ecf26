/*
 * strbuf.h — a growable byte buffer for building output records.
 * On allocation failure the buffer sets `oom` and further appends are
 * ignored, so callers check once at the end of a record.
 */
#ifndef PORTUS_STRBUF_H
#define PORTUS_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *p; /* owned, always NUL-terminated when non-NULL */
	size_t len, cap;
	int oom;
};

void sb_init(struct strbuf *b);
void sb_free(struct strbuf *b);
void sb_reset(struct strbuf *b); /* len = 0, keeps memory, clears oom */
void sb_append(struct strbuf *b, const void *data, size_t len);
void sb_puts(struct strbuf *b, const char *s);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
